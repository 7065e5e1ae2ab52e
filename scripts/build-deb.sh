#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian packages balcao and balcao-central from this source
# tree and checks them with lintian:
#
#   scripts/build-deb.sh OUTDIR
#
# copies the tree (the files git knows of, tracked or not ignored; without
# git, everything but build*/ and _build/) to a temporary folder, puts
# packaging/debian there as debian/, runs "dpkg-buildpackage -us -uc -b"
# and lintian on the .changes, and leaves in OUTDIR the .debs, the
# .changes and .buildinfo, build.log and lintian.txt. Exits non-zero if the
# build fails or lintian reports an error (its warnings are printed, and
# packaging/README.md says which ones are left and why).
#
# Needs the build dependencies of packaging/debian/control and
# dpkg-dev, debhelper, lintian (scripts/install-deps.sh installs them all).
# DEB_BUILD_OPTIONS defaults to "nocheck parallel=2"; BALCAO_DEB_KEEP=1
# keeps the temporary folder.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi

src="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

for tool in dpkg-buildpackage dpkg-parsechangelog dh lintian; do
  if ! command -v "$tool" >/dev/null; then
    echo "$0: $tool is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
done

version="$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)"
meson_version="$(sed -n "s/^  version: '\(.*\)',$/\1/p" "$src/meson.build" | head -n 1)"
if [ "$version" != "$meson_version" ]; then
  echo "$0: packaging/debian/changelog is at $version but meson.build at $meson_version:" \
       "add a changelog entry for $meson_version" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/balcao-deb.XXXXXX")"
cleanup () {
  if [ "${BALCAO_DEB_KEEP:-0}" = 1 ]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

tree="$work/balcao-$version"
mkdir -p "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and untracked-but-not-ignored files, less the ones deleted
  # from the work tree.
  (cd "$src" &&
   git ls-files -z --cached --others --exclude-standard |
   while IFS= read -r -d '' f; do
     if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
   done |
   tar --null --no-recursion -T - -cf -) | tar -xf - -C "$tree"
else
  (cd "$src" && tar --exclude='./build' --exclude='./build-*' --exclude='./_build' \
     --exclude='./.git' -cf - .) | tar -xf - -C "$tree"
fi
rm -rf "$tree/debian"
cp -a "$src/packaging/debian" "$tree/debian"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-nocheck parallel=2}"
echo "Building balcao $version in $tree (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)" >&2
status=0
(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  tail -n 60 "$out/build.log" >&2
  echo "$0: dpkg-buildpackage failed ($status); the whole log is $out/build.log" >&2
  exit $status
fi

arch="$(dpkg-architecture -qDEB_HOST_ARCH)"
changes="$work/balcao_${version}_${arch}.changes"
status=0
lintian --fail-on error --display-info --tag-display-limit 0 "$changes" \
  >"$out/lintian.txt" 2>&1 || status=$?

for f in "$changes" "$work/balcao_${version}_${arch}.buildinfo" "$work"/*.deb; do
  cp "$f" "$out/"
done
ls -1 "$out"/*.deb

if [ -s "$out/lintian.txt" ]; then
  echo "lintian:" >&2
  cat "$out/lintian.txt" >&2
fi
if [ $status -ne 0 ]; then
  echo "$0: lintian failed ($status)" >&2
  exit $status
fi
