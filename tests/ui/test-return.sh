#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A return at the counter, end to end, with the keyboard only, in the real
# `balcao` window under Xvfb:
#   demo database -> History (Ctrl+2) -> scan the receipt code of a sale
#   ("BALCAO:SALE:<id>" typed as a scanner burst + Enter) -> Return items
#   (Ctrl+R) -> one unit of the first line (Up) -> Confirm (Ctrl+Enter)
# then checks with sqlite3 that a 'return' document points at the sale and
# refunds that unit's share of the line. Screenshots of every step go to
# $BALCAO_BUILD_DIR/meson-logs/screenshots/, beside the other UI tests'.
#
# Usage: test-return.sh BALCAO BALCAO_CTL
# Needs: xvfb-run, xauth, xdotool, sqlite3, import (ImageMagick).
set -u

BALCAO=${1:-${BALCAO_BUILD_DIR:-build}/src/app/balcao}
BALCAO_CTL=${2:-${BALCAO_BUILD_DIR:-build}/src/cli/balcao-ctl}

# Re-run ourselves inside a fresh X server.
if [ -z "${BALCAO_TEST_IN_XVFB:-}" ]; then
  for tool in xvfb-run xauth xdotool sqlite3 import; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "SKIP: $tool is not installed"
      exit 77
    fi
  done
  export BALCAO_TEST_IN_XVFB=1
  exec xvfb-run -a -s '-screen 0 1280x800x24' "$0" "$BALCAO" "$BALCAO_CTL"
fi

shots=${BALCAO_BUILD_DIR:-$(dirname "$BALCAO")/../..}/meson-logs/screenshots
mkdir -p "$shots"
tmp=$(mktemp -d)
app_pid=
cleanup () {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null
    wait "$app_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail () {
  echo "FAIL: $*"
  import -window root "$shots/ui-return-failed.png" 2>/dev/null
  [ -f "$tmp/balcao.log" ] && sed 's/^/balcao: /' "$tmp/balcao.log" | tail -40
  exit 1
}

shot () {
  sleep 0.5
  import -window root "$shots/ui-return-$1.png" || fail "screenshot $1"
  echo "# screenshot $shots/ui-return-$1.png"
}

db=$tmp/test.db
"$BALCAO_CTL" --database "$db" demo-data --products 200 --customers 50 --sales 10 >"$tmp/ctl.log" 2>&1 \
  || { cat "$tmp/ctl.log"; fail "balcao-ctl demo-data"; }

q () { sqlite3 -batch -noheader "$db" "$1"; }

# No window manager: give the keyboard to a window ourselves; one still
# being mapped refuses it (BadMatch), so try again for 5 s.
focus () {
  for _ in $(seq 1 50); do
    xdotool windowfocus --sync "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "could not give the keyboard to window $1" >&2
  return 1
}

# The newest sale whose first line is a counted item (not weighed) with at
# least one unit that was not returned yet.
sale_id=$(q "SELECT s.id FROM sales s JOIN sale_lines l ON l.sale_id = s.id
             WHERE s.kind = 'sale'
               AND l.line_no = (SELECT MIN (line_no) FROM sale_lines WHERE sale_id = s.id)
               AND l.weighed = 0 AND l.quantity >= 1000
               AND NOT EXISTS (SELECT 1 FROM sales r WHERE r.original_sale_id = s.id)
             ORDER BY s.created_at DESC LIMIT 1;")
[ -n "$sale_id" ] || fail "the demo data has no sale to return"
read -r line_no line_qty line_total <<<"$(q "SELECT line_no, quantity, total FROM sale_lines
                                           WHERE sale_id = '$sale_id' ORDER BY line_no LIMIT 1;" | tr '|' ' ')"
# One unit's share of the line's paid total, rounded.
expected=$(( (line_total * 1000 + line_qty / 2) / line_qty ))
echo "# sale $sale_id line $line_no qty $line_qty total $line_total -> refund about $expected"
returns_before=$(q "SELECT COUNT (*) FROM sales WHERE kind = 'return';")

GSK_RENDERER=cairo GTK_A11Y=none GSETTINGS_BACKEND=memory ASAN_OPTIONS=detect_leaks=0 \
  "$BALCAO" --database "$db" >"$tmp/balcao.log" 2>&1 &
app_pid=$!

# No window manager: find the window and give it the keyboard ourselves.
win=$(timeout 30 xdotool search --sync --onlyvisible --name '^Balcão' | head -1)
[ -n "$win" ] || fail "the Balcão window did not appear"
focus "$win" || fail "could not focus the window"
sleep 1
shot 0-locked

# The screen starts locked: the supervisor's badge (a keyboard-wedge
# burst) signs him in; a supervisor may refund without an approval (the
# cashier's refund with a manager's approval is test-staff.sh's).
xdotool type --delay 5 "CRACHA2001"
xdotool key Return
for _ in $(seq 1 50); do
  [ "$(q "SELECT value FROM settings WHERE key = 'staff_id'")" = "$(q "SELECT id FROM staff WHERE badge_code = 'CRACHA2001'")" ] && break
  sleep 0.1
done
[ "$(q "SELECT value FROM settings WHERE key = 'staff_id'")" = "$(q "SELECT id FROM staff WHERE badge_code = 'CRACHA2001'")" ] \
  || fail "the badge did not sign the supervisor in"
sleep 0.5
# No shift yet: open one with a typed float (Ctrl+Shift+N, Alt+T, amount).
xdotool key --clearmodifiers ctrl+shift+n
sleep 1
xdotool key --clearmodifiers alt+t
sleep 0.3
xdotool type --delay 60 "150,00"
xdotool key Return
for _ in $(seq 1 50); do
  [ "$(q "SELECT count (*) FROM shifts WHERE status = 'open'")" = 1 ] && break
  sleep 0.1
done
[ "$(q "SELECT count (*) FROM shifts WHERE status = 'open'")" = 1 ] || fail "the shift did not open"
sleep 0.8
shot 1-started

# History, by keyboard.
xdotool key --clearmodifiers ctrl+2
shot 2-history

# Scan the receipt: a fast burst of keys ending in Enter.
xdotool type --delay 5 "BALCAO:SALE:$sale_id"
xdotool key Return
sleep 1
shot 3-sale-opened

# Return items, by keyboard.
xdotool key --clearmodifiers ctrl+r
dialog=$(timeout 15 xdotool search --sync --onlyvisible --name 'Return Items' | tail -1)
[ -n "$dialog" ] || fail "the return dialog did not open"
focus "$dialog" || fail "could not focus the return dialog"
sleep 0.5
shot 4-return-dialog

# The focus is on the first line's quantity: one unit more, then confirm.
xdotool key Up
sleep 0.5
shot 5-one-unit
xdotool key --clearmodifiers ctrl+Return

# Wait for the return to be written (worker thread, durable commit).
for _ in $(seq 1 40); do
  n=$(q "SELECT COUNT (*) FROM sales WHERE kind = 'return';")
  [ "$n" -gt "$returns_before" ] && break
  sleep 0.25
done
sleep 1
shot 6-refund

ret=$(q "SELECT id || '|' || total FROM sales WHERE kind = 'return' AND original_sale_id = '$sale_id';")
[ -n "$ret" ] || fail "no return document points at sale $sale_id"
[ "$(echo "$ret" | wc -l)" -eq 1 ] || fail "more than one return for sale $sale_id: $ret"
ret_id=${ret%%|*}
ret_total=${ret##*|}
ret_total=${ret_total#-}
diff=$(( ret_total - expected ))
[ "${diff#-}" -le 1 ] || fail "refund is $ret_total, expected $expected (one unit of line $line_no)"

ret_line=$(q "SELECT original_line_no || '|' || ABS (quantity) FROM sale_lines WHERE sale_id = '$ret_id';")
[ "$ret_line" = "$line_no|1000" ] || fail "the return's lines are '$ret_line', expected '$line_no|1000'"

paid=$(q "SELECT ABS (SUM (amount)) FROM sale_payments WHERE sale_id = '$ret_id';")
[ "$paid" = "$ret_total" ] || fail "refund payments sum to $paid, the return's total is $ret_total"

# The dialog's Done closes it with Enter; the app must still be alive.
xdotool key Return
sleep 0.5
kill -0 "$app_pid" 2>/dev/null || fail "balcao exited"
shot 7-after

# Our own warnings and criticals are bugs; GTK's own chatter is not ours.
if grep -E '\(balcao:[0-9]+\): balcao[-a-z]*-(WARNING|CRITICAL) \*\*' "$tmp/balcao.log"; then
  fail "balcao logged warnings (above)"
fi

echo "PASS: return $ret_id refunds $ret_total for one unit of line $line_no of sale $sale_id"
exit 0
