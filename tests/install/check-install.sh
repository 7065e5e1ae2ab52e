#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `meson install` of this build folder into a throwaway DESTDIR, and what a
# package or a counter PC needs is there: the three programs, the desktop
# file, the AppStream metadata, the icons, the GSettings schema, the
# translations, the scanners' udev rule and balcao-central's systemd unit.
# The installed desktop file, metadata and schema are validated too.
#
#   check-install.sh MESON BUILD_DIR PREFIX BINDIR DATADIR LOCALEDIR

set -euo pipefail

meson=$1
build=$2
prefix=$3
bindir=$4
datadir=$5
localedir=$6

destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT INT TERM

# The build is up to date (meson test built it): install only.
"$meson" install -C "$build" --destdir "$destdir" --no-rebuild --quiet > "$destdir.log" 2>&1 || {
  cat "$destdir.log" >&2
  rm -f "$destdir.log"
  echo "FAIL: meson install failed" >&2
  exit 1
}
rm -f "$destdir.log"

# Relative paths are under the prefix.
abs () {
  case $1 in
    /*) echo "$1" ;;
    *) echo "$prefix/$1" ;;
  esac
}
root=$destdir$prefix
bin=$destdir$(abs "$bindir")
share=$destdir$(abs "$datadir")
locale=$destdir$(abs "$localedir")

status=0
n=0
check () {
  n=$((n + 1))
  if [[ $1 == -x ]]; then
    if [[ -x $2 && -f $2 ]]; then
      echo "ok $n - ${2#"$destdir"}"
    else
      echo "not ok $n - ${2#"$destdir"} is not an installed program"
      status=1
    fi
  elif [[ -s $1 ]]; then
    echo "ok $n - ${1#"$destdir"}"
  else
    echo "not ok $n - ${1#"$destdir"} is not installed"
    status=1
  fi
}

check -x "$bin/balcao"
check -x "$bin/balcao-ctl"
check -x "$bin/balcao-central"
check "$share/applications/br.balcao.Balcao.desktop"
check "$share/metainfo/br.balcao.Balcao.metainfo.xml"
check "$share/icons/hicolor/scalable/apps/br.balcao.Balcao.svg"
check "$share/icons/hicolor/symbolic/apps/br.balcao.Balcao-symbolic.svg"
check "$share/glib-2.0/schemas/br.balcao.Balcao.gschema.xml"
check "$locale/pt_BR/LC_MESSAGES/balcao.mo"
check "$root/lib/udev/rules.d/60-balcao-scanners.rules"
check "$root/lib/systemd/system/balcao-central.service"

# Installed as they are meant to be read.
valid () {
  n=$((n + 1))
  local what=$1
  shift
  local out
  if out=$("$@" 2>&1); then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    printf '%s\n' "$out" | sed 's/^/# /'
    status=1
  fi
}

if command -v desktop-file-validate > /dev/null; then
  valid "the desktop file is valid" desktop-file-validate "$share/applications/br.balcao.Balcao.desktop"
fi
if command -v appstreamcli > /dev/null; then
  valid "the metainfo is valid" appstreamcli validate --no-net "$share/metainfo/br.balcao.Balcao.metainfo.xml"
fi
valid "the schema compiles" glib-compile-schemas --strict --dry-run "$share/glib-2.0/schemas"

# The desktop file starts the installed program, the metadata names the
# desktop file and the icon is the application's id.
valid "the desktop file runs balcao" grep -qx 'Exec=balcao' "$share/applications/br.balcao.Balcao.desktop"
valid "the desktop file names the icon" grep -qx 'Icon=br.balcao.Balcao' "$share/applications/br.balcao.Balcao.desktop"
valid "the metainfo launches the desktop file" \
  grep -q '<launchable type="desktop-id">br.balcao.Balcao.desktop</launchable>' "$share/metainfo/br.balcao.Balcao.metainfo.xml"
# The unit starts the installed balcao-central, wherever the prefix is.
valid "the unit runs the installed balcao-central" \
  grep -q "^ExecStart=$(abs "$bindir")/balcao-central " "$root/lib/systemd/system/balcao-central.service"

echo "1..$n"
exit $status
