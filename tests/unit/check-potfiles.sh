#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# po/POTFILES.in must list exactly the files that hold translatable strings:
#   - every .c/.h under src/ that uses _(), N_(), C_(), NC_(), Q_(),
#     g_dngettext(), ngettext() and friends,
#   - every .ui under ui/ with translatable="yes",
#   - every .desktop.in, .metainfo.xml.in, .appdata.xml.in and .gschema.xml
#     under data/.
# It fails when such a file is missing from POTFILES.in, when POTFILES.in
# lists a file that does not exist, lists one twice, or is not sorted.
# A file that matches only by accident (say, "_(" in a comment) can be
# named in po/POTFILES.skip.
#
# When xgettext is installed it has the last word on whether a file
# really holds a translatable string; without it, the grep decides.
#
# Source directory: $BALCAO_SOURCE_DIR, else two levels above this script.

set -euo pipefail
export LC_ALL=C

if [[ -n "${BALCAO_SOURCE_DIR:-}" ]]; then
  srcdir=$BALCAO_SOURCE_DIR
else
  srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
cd "$srcdir"

potfiles=po/POTFILES.in
skipfile=po/POTFILES.skip
if [[ ! -f $potfiles ]]; then
  echo "check-potfiles: $srcdir/$potfiles does not exist" >&2
  exit 1
fi

# Entries, without comments, blank lines or surrounding spaces.
read_list () {
  [[ -f $1 ]] || return 0
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$1"
}

mapfile -t listed < <(read_list "$potfiles")
mapfile -t skipped < <(read_list "$skipfile")

# Same keywords as meson's i18n 'glib' preset.
xgettext_args=(--from-code=UTF-8 --omit-header -o -
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2
  --keyword=Q_:1g --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3
  --keyword=g_dpgettext2:2c,3 --keyword=ngettext:1,2
  --keyword=dngettext:2,3 --keyword=g_dpgettext:2)

have_xgettext=0
if command -v xgettext > /dev/null 2>&1; then
  have_xgettext=1
fi

# Does xgettext (when present) find at least one message in $1?
has_messages () {
  local f=$1 lang=()
  (( have_xgettext )) || return 0
  case $f in
    *.c | *.h) lang=(--language=C) ;;
    # .ui, .desktop.in, .metainfo.xml.in, .gschema.xml: by extension/ITS.
  esac
  # Whole output first: grep -q would close the pipe early (pipefail).
  # If xgettext itself fails, trust the grep that made $f a candidate.
  local out
  out=$(xgettext "${lang[@]}" "${xgettext_args[@]}" "$f" 2> /dev/null) || return 0
  [[ $out == *msgid\ * ]]
}

candidates=()
while IFS= read -r f; do
  candidates+=("$f")
done < <(
  {
    if [[ -d src ]]; then
      find src -type f \( -name '*.c' -o -name '*.h' \) -print0 |
        xargs -0 -r grep -lE \
          '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_)[[:space:]]*\(|(^|[^A-Za-z0-9_])(g_d?n?gettext|g_dc?gettext|g_dpgettext2?|d?ngettext)[[:space:]]*\(' \
        || true
    fi
    if [[ -d ui ]]; then
      find ui -type f -name '*.ui' -print0 |
        xargs -0 -r grep -l 'translatable="yes"' || true
    fi
    if [[ -d data ]]; then
      find data -type f \( -name '*.desktop.in' -o -name '*.desktop.in.in' \
        -o -name '*.metainfo.xml.in' -o -name '*.metainfo.xml.in.in' \
        -o -name '*.appdata.xml.in' -o -name '*.appdata.xml.in.in' \
        -o -name '*.gschema.xml' -o -name '*.gschema.xml.in' \) -print
    fi
  } | sed 's|^\./||' | sort -u
)

declare -A in_list=() in_skip=()
status=0

for f in "${skipped[@]}"; do
  in_skip[$f]=1
done

prev=
for f in "${listed[@]}"; do
  if [[ -n ${in_list[$f]:-} ]]; then
    echo "FAIL: $potfiles lists $f twice" >&2
    status=1
  fi
  in_list[$f]=1
  if [[ ! -f $f ]]; then
    echo "FAIL: $potfiles lists $f, which does not exist" >&2
    status=1
  fi
  if [[ -n $prev && ! $prev < $f && $prev != "$f" ]]; then
    echo "FAIL: $potfiles is not sorted (LC_ALL=C): $f comes after $prev" >&2
    status=1
  fi
  prev=$f
done

checked=0
for f in "${candidates[@]}"; do
  [[ -n ${in_list[$f]:-} || -n ${in_skip[$f]:-} ]] && continue
  checked=$((checked + 1))
  if has_messages "$f"; then
    echo "FAIL: $f has translatable strings but is not in $potfiles" >&2
    status=1
  fi
done

# Listed files with nothing to translate are harmless: a warning only.
if (( have_xgettext )); then
  for f in "${listed[@]}"; do
    [[ -f $f ]] || continue
    if ! has_messages "$f"; then
      echo "warning: $f is in $potfiles but has no translatable strings" >&2
    fi
  done
fi

if (( status == 0 )); then
  echo "ok: $potfiles lists ${#listed[@]} files; every file with translatable strings is there"
fi
exit $status
