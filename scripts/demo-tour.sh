#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run by scripts/demo.sh inside Xvfb: starts balcao on the demo database,
# goes through the main pages with the keyboard as a cashier would and
# saves a screenshot of each.  Usage: demo-tour.sh BALCAO DATABASE DIR
set -euo pipefail
balcao=$1
db=$2
shots=$3
app_pid=

cleanup () {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

shot () {
  sleep 0.8
  import -window root "$shots/$1.png"
  echo "  $shots/$1.png"
}

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

GSK_RENDERER=cairo GTK_A11Y=none "$balcao" --database "$db" >"$shots/balcao.log" 2>&1 &
app_pid=$!
win=$(timeout 30 xdotool search --sync --onlyvisible --name '^Balcão' | head -1)
# No window manager under Xvfb: size the window to the screen and give it the keyboard.
xdotool windowsize "$win" 1280 800 windowmove "$win" 0 0
focus "$win"
sleep 1

echo "Screenshots:"
shot 0a-locked

# Ana, the cashier, signs in with her PIN (1111) on the pad's keys...
# typed here; then counts the float: R$ 150,00 as a total.
xdotool type --delay 120 "1111"
xdotool key Return
for _ in $(seq 1 50); do
  [ -n "$(q "SELECT value FROM settings WHERE key = 'staff_id' AND value <> '';")" ] && break
  sleep 0.1
done
sleep 0.5
# (a demo run before this one may have left its shift open; each run's
# central enrols the terminal anew, so only this terminal's shift counts)
open_here="SELECT count (*) FROM shifts WHERE status = 'open' AND terminal_id = (SELECT value FROM settings WHERE key = 'terminal_id');"
if [ "$(q "$open_here")" = 0 ]; then
  xdotool key --clearmodifiers ctrl+shift+n
  sleep 1
  shot 0b-open-shift
  xdotool key --clearmodifiers alt+t
  sleep 0.3
  xdotool type --delay 60 "150,00"
  xdotool key Return
  for _ in $(seq 1 50); do
    [ "$(q "$open_here")" = 1 ] && break
    sleep 0.1
  done
  sleep 0.5
fi
focus "$win"
shot 1-sale-empty

# Three products scanned the way a USB keyboard-wedge scanner types.
for code in $(q "SELECT b.code FROM product_barcodes b JOIN products p ON p.id = b.product_id
                 WHERE p.weighed = 0 AND b.code LIKE '789%' ORDER BY p.id LIMIT 3;"); do
  xdotool type --delay 5 "$code"
  xdotool key Return
  sleep 0.3
done
shot 2-sale

xdotool key F12
sleep 0.5
xdotool type --delay 40 "100"
shot 3-payment
# Cash, R$ 100 handed over: add the payment, finish the sale.
xdotool key Return
sleep 0.5
xdotool key Return
sleep 1.5
shot 4-sale-complete
xdotool key Return
sleep 0.5
focus "$win"

xdotool key --clearmodifiers ctrl+2
shot 5-history

# The receipt's code, scanned: History opens that sale; Ctrl+R offers a return.
sale_id=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC LIMIT 1;")
xdotool type --delay 5 "BALCAO:SALE:$sale_id"
xdotool key Return
sleep 1
shot 6-history-sale
xdotool key --clearmodifiers ctrl+r
sleep 1
shot 7-return
xdotool key Escape
sleep 0.5
focus "$win"
xdotool key --clearmodifiers ctrl+1
sleep 0.5

xdotool key --clearmodifiers ctrl+question
shot 8-shortcuts
xdotool key Escape
sleep 0.5
focus "$win"

# The sync state in the header, and its details (Ctrl+Shift+D).
xdotool key --clearmodifiers ctrl+shift+d
shot 9-sync-details
xdotool key Escape
sleep 0.5
focus "$win"

# Online orders (only with the demo's central): three web orders arrive on
# the Pickups page; a home delivery is brought back at the counter.
if [ -f "${XDG_RUNTIME_DIR:-/tmp}/balcao-demo-central.env" ]; then
  scripts/demo-orders.sh --count 3 >"$shots/orders.txt"
  delivered=$(scripts/demo-orders.sh --delivered | cut -f1)
  sleep 2
  xdotool key --clearmodifiers ctrl+3
  sleep 1.5
  shot 10-pickups
  # The first order's QR code, scanned: its handover opens.
  qr=$(head -n 1 "$shots/orders.txt" | cut -f3)
  xdotool type --delay 5 "$qr"
  xdotool key Return
  sleep 1.5
  shot 11-handover
  xdotool key Escape
  sleep 0.5
  focus "$win"
  xdotool key --clearmodifiers ctrl+shift+r
  sleep 1
  xdotool type --delay 5 "$delivered"
  xdotool key Return
  sleep 2
  shot 12-online-return
  xdotool key Escape
  sleep 0.5
fi

# Customers (Ctrl+4): the customer with the longest history, found by two
# words typed without accents, their profile and cross-channel timeline.
focus "$win"
who=$(sqlite3 -batch -noheader "$db" "SELECT c.name FROM customers c JOIN customer_events e ON e.customer_id = c.id \
  WHERE c.erased_at IS NULL AND c.merged_into IS NULL AND c.processing_restricted = 0 \
  GROUP BY c.id ORDER BY COUNT(*) DESC LIMIT 1" 2>/dev/null || true)
if [ -n "$who" ]; then
  typed=$(printf '%s' "$who" | python3 -c 'import sys, unicodedata; t = unicodedata.normalize("NFD", sys.stdin.read()); print(" ".join("".join(c for c in t if not unicodedata.combining(c)).lower().split()[:2]))')
  xdotool key --clearmodifiers ctrl+4
  sleep 1
  xdotool type --delay 20 "$typed"
  sleep 1.5
  shot 13-customer-search
  xdotool key Down Return
  sleep 2
  shot 14-customer-profile
fi
