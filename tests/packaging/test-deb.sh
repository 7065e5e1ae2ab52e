#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian packages: scripts/build-deb.sh builds them from the source
# tree (lintian must find no error), their contents and relations are
# checked, then scripts/test-deb-install.sh installs them in a clean Debian
# 12 chroot and runs them there (skipped when not root).
#
#   test-deb.sh SOURCE_DIR OUT_DIR SHOT_DIR
#
# Prints TAP. The packages, build.log and lintian.txt stay in OUT_DIR.
set -uo pipefail

src=$1
out=$2
shots=$3

# meson test sets it for every test; the package build needs none of it.
unset MALLOC_PERTURB_

n=0
failed=0
ok () {
  n=$((n + 1))
  echo "ok $n - $*"
}
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $*"
}
finish () {
  echo "1..$n"
  [ $failed -eq 0 ]
  exit
}

for tool in dpkg-buildpackage dh lintian dpkg-deb; do
  if ! command -v "$tool" >/dev/null; then
    echo "1..0 # SKIP $tool is missing (scripts/install-deps.sh installs it)"
    exit 0
  fi
done

rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)
if DEB_BUILD_OPTIONS="nocheck parallel=2" "$src/scripts/build-deb.sh" "$out" >"$out/build-deb.txt" 2>&1; then
  ok "scripts/build-deb.sh: built, lintian finds no error ($(( $(date +%s) - start )) s)"
else
  not_ok "scripts/build-deb.sh"
  tail -n 80 "$out/build-deb.txt" | sed 's/^/# /'
  finish
fi

# Lintian's findings other than errors, for the log (packaging/README.md
# says which are left and why).
if grep -q '^E: ' "$out/lintian.txt"; then
  not_ok "lintian: no error"
else
  ok "lintian: no error"
fi
grep -E '^[WIPX]: ' "$out/lintian.txt" | sed 's/^/# lintian /'

deb_of () {
  local f
  for f in "$out/$1"_*.deb; do
    [ -e "$f" ] && echo "$f"
  done
}
balcao=$(deb_of balcao)
central=$(deb_of balcao-central)
if [ -z "$balcao" ] || [ -z "$central" ]; then
  not_ok "balcao_*.deb and balcao-central_*.deb are there"
  ls -l "$out" | sed 's/^/# /'
  finish
fi

# has_files DEB PATH...: every PATH is in the package.
has_files () {
  local deb=$1 contents missing=() p
  shift
  contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
  for p in "$@"; do
    grep -qxF "$p" <<<"$contents" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    ok "$(basename "$deb") has $# expected files"
  else
    not_ok "$(basename "$deb") lacks: ${missing[*]}"
  fi
}
has_files "$balcao" \
  /usr/bin/balcao \
  /usr/bin/balcao-ctl \
  /usr/lib/udev/rules.d/60-balcao-scanners.rules \
  /usr/share/applications/br.balcao.Balcao.desktop \
  /usr/share/metainfo/br.balcao.Balcao.metainfo.xml \
  /usr/share/glib-2.0/schemas/br.balcao.Balcao.gschema.xml \
  /usr/share/icons/hicolor/scalable/apps/br.balcao.Balcao.svg \
  /usr/share/icons/hicolor/symbolic/apps/br.balcao.Balcao-symbolic.svg \
  /usr/share/locale/pt_BR/LC_MESSAGES/balcao.mo \
  /usr/share/man/man1/balcao.1.gz \
  /usr/share/man/man1/balcao-ctl.1.gz \
  /usr/share/doc/balcao/README.Debian \
  /usr/share/doc/balcao/copyright
has_files "$central" \
  /usr/bin/balcao-central \
  /lib/systemd/system/balcao-central.service \
  /etc/balcao/central.conf \
  /usr/share/man/man1/balcao-central.1.gz \
  /usr/share/doc/balcao-central/README.Debian \
  /usr/share/doc/balcao-central/central.md \
  /usr/share/doc/balcao-central/copyright

# Each program in one package only.
if dpkg-deb -c "$balcao" | grep -q 'usr/bin/balcao-central$' ||
   dpkg-deb -c "$central" | grep -qE 'usr/bin/balcao(-ctl)?$'; then
  not_ok "each program is in one package"
else
  ok "each program is in one package"
fi

if [ "$(dpkg-deb --ctrl-tarfile "$central" | tar -xOf - ./conffiles)" = /etc/balcao/central.conf ]; then
  ok "balcao-central: /etc/balcao/central.conf is a conffile"
else
  not_ok "balcao-central: /etc/balcao/central.conf is a conffile"
fi

if dpkg-deb --ctrl-tarfile "$central" | tar -xOf - ./postinst | grep -q "deb-systemd-helper update-state 'balcao-central.service'"; then
  ok "balcao-central: debhelper handles the systemd unit"
else
  not_ok "balcao-central: debhelper handles the systemd unit"
fi

balcao_depends=$(dpkg-deb -f "$balcao" Depends)
central_depends=$(dpkg-deb -f "$central" Depends)
if grep -q libgtk-4-1 <<<"$balcao_depends" && grep -q libadwaita-1-0 <<<"$balcao_depends" &&
   grep -q libpq5 <<<"$central_depends" && ! grep -qE 'libgtk|libadwaita|libusb|libcups' <<<"$central_depends" &&
   ! grep -q libpq5 <<<"$balcao_depends"; then
  ok "dependencies: GTK for balcao, libpq and no GTK for balcao-central"
else
  not_ok "dependencies"
  echo "# balcao: $balcao_depends"
  echo "# balcao-central: $central_depends"
fi

# Installed in a clean Debian 12: renumber its TAP lines into this plan.
install_status=0
"$src/scripts/test-deb-install.sh" "$out" "$shots" >"$out/deb-install.txt" 2>&1 || install_status=$?
while IFS= read -r line; do
  if [[ $line =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
    ok "deb-install: ${BASH_REMATCH[1]}"
  elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
    not_ok "deb-install: ${BASH_REMATCH[1]}"
  elif [[ $line =~ ^1\.\.0\ \#\ SKIP\ (.*)$ ]]; then
    n=$((n + 1))
    echo "ok $n - deb-install # SKIP ${BASH_REMATCH[1]}"
  elif [[ $line =~ ^1\.\.[0-9]+$ ]]; then
    :
  elif [[ $line == '#'* ]]; then
    echo "$line"
  else
    echo "# $line"
  fi
done <"$out/deb-install.txt"
if [ $install_status -ne 0 ] && [ $failed -eq 0 ]; then
  not_ok "scripts/test-deb-install.sh exited with $install_status"
fi

finish
