#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A USB scanner's scan in the real window (issue 6), under Xvfb, on a USB
# bus emulated by umockdev:
#   usb-testbed (tests/ui/usb-testbed.c) holds the testbed and answers the
#   scanner's ioctls; balcao runs with UMOCKDEV_DIR and the umockdev preload
#   library, so libusb in balcao sees the testbed's devices.
# A. A scanner this user may not open (its node mode 000, balcao without
#    CAP_DAC_OVERRIDE) is plugged in before balcao starts: balcao tells it
#    once, in a toast, however often the list of devices changes after.
# B. The cashier signs in with her badge through the keyboard wedge and
#    opens a shift; then a keyboard-mode scanner (05e0:1200, an ioctl
#    script replayed by the testbed) is plugged in and reads a demo
#    product's EAN-13 once. The line must be in the cart: F12, Enter (the
#    due, in cash), Enter (finish) must save a sale whose only line is that
#    product, one unit.
# C. The manager signs in, opens Preferences (Ctrl+,), the Scanners page
#    (Alt+S); another scanner (a FakeScanner, 0c2e:0b61) is plugged in and
#    reads a GS1-128 code (AIM ]C1, AI 01 with the same GTIN, AI 10 lot):
#    it shows in the test area, and does not reach the sale.
# Screenshots of each step in SHOTS.
#   test-usb-scan.sh BALCAO BALCAO_CTL SHOTS USB_TESTBED DEVICE.umockdev

BALCAO_REAL=$1
BALCAO_CTL=$2
SHOTS=$3
USB_TESTBED=$4
DEVICE=$5
TEST_NAME=ui-usb-scan
. "$(dirname "$0")/ui-lib.sh"

PORTS=/sys/devices/pci0000:00/0000:00:14.0/usb1
TB_PID=

mkdir -p "$SHOTS"
WORK=$(mktemp -d)

cleanup () {
  stop_app
  if [ -n "$TB_PID" ]; then
    exec 3>&-
    wait "$TB_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Sends a command to the testbed and waits for its "ok".
TB_REPLIES=1
tb () {
  printf '%s\n' "$*" >&3
  TB_REPLIES=$((TB_REPLIES + 1))
  i=0
  while [ "$(wc -l <"$WORK/tb.out")" -lt $TB_REPLIES ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the testbed did not answer “$*”: $(cat "$WORK/tb.err")"
    sleep 0.1
  done
  reply=$(sed -n "${TB_REPLIES}p" "$WORK/tb.out")
  [ "$reply" = ok ] || fail "testbed: $* → $reply"
}

told_no_permission () {
  grep -c 'Told: scanner 05e0:1200@1-3 has no permission' "$SHOTS/$TEST_NAME-app.log"
}

# Waits until balcao logged its n-th USB scan.
wait_usb_scans () {
  i=0
  while [ "$(grep -c 'USB scan from' "$SHOTS/$TEST_NAME-app.log")" -lt "$1" ]; do
    i=$((i + 1))
    [ $i -lt 150 ] || fail "balcao did not read USB scan $1 (see $SHOTS/$TEST_NAME-app.log)"
    sleep 0.1
  done
}

make_demo_db
CODE=$(pick_codes 1)
[ -n "$CODE" ] || fail "no barcode in the demo database"
NAME=$(q "SELECT p.name FROM products p JOIN product_barcodes b ON b.product_id = p.id WHERE b.code = '$CODE'")
note "scanning $CODE ($NAME)"

# The emulated USB bus.
mkfifo "$WORK/tb.in"
# The testbed runs under the preload library too, or its uevents (hotplug)
# never reach balcao.
LD_PRELOAD=libumockdev-preload.so.0 ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
  "$USB_TESTBED" <"$WORK/tb.in" >"$WORK/tb.out" 2>"$WORK/tb.err" &
TB_PID=$!
exec 3>"$WORK/tb.in"
i=0
until grep -q '^UMOCKDEV_DIR=' "$WORK/tb.out" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 100 ] || fail "usb-testbed did not start: $(cat "$WORK/tb.err")"
  sleep 0.1
done
TESTBED_DIR=$(sed -n 's/^UMOCKDEV_DIR=//p' "$WORK/tb.out")
note "testbed $TESTBED_DIR"

# balcao on the testbed. The preload library comes before the sanitizer
# runtime, hence verify_asan_link_order=0. Debug messages of the app's
# domain tell the USB scans in its log. As root, balcao runs without
# CAP_DAC_OVERRIDE (and DAC_READ_SEARCH), so that a node of mode 000 is
# refused to it as to any user without the udev rule.
DROP=
if [ "$(id -u)" = 0 ]; then
  DROP="setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search"
fi
cat >"$WORK/balcao-on-testbed" <<EOF
#!/bin/sh
export UMOCKDEV_DIR='$TESTBED_DIR'
export LD_PRELOAD=libumockdev-preload.so.0
export ASAN_OPTIONS='$ASAN_OPTIONS:verify_asan_link_order=0'
export G_MESSAGES_DEBUG=balcao
exec $DROP '$BALCAO_REAL' "\$@"
EOF
chmod +x "$WORK/balcao-on-testbed"
BALCAO=$WORK/balcao-on-testbed

# --- A. a scanner without permission, told once ---
tb scan "$DEVICE" 3 "$CODE"
tb deny 3
SALES_BEFORE=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
start_app
shot signed-in-no-permission-toast
[ "$(told_no_permission)" = 1 ] || fail "the scanner without permission was told $(told_no_permission) times, not once"

# --- B. a scan into the cart ---
tb scan "$DEVICE" 1 "$CODE"
wait_usb_scans 1
grep -q "USB scan from 05e0:1200@1-1: $CODE\$" "$SHOTS/$TEST_NAME-app.log" \
  || fail "the USB scan was not $CODE: $(grep 'USB scan from' "$SHOTS/$TEST_NAME-app.log")"
sleep 0.8
shot cart-usb-scan

key F12
key Return          # the due, in cash
key Return          # finish
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES_BEFORE + 1))
key Return          # new sale
SALE=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, rowid DESC LIMIT 1")
LINES=$(q "SELECT barcode || ' x' || quantity FROM sale_lines WHERE sale_id = '$SALE' ORDER BY line_no")
[ "$LINES" = "$CODE x1000" ] || fail "the sale holds [$LINES], not one unit of $CODE"
note "sale $SALE: $LINES"
shot sale-saved

# The scanner answered as unplugged after its scan; take it away.
tb remove "$PORTS/1-1"
[ "$(told_no_permission)" = 1 ] || fail "the scanner without permission was told again"

# --- C. the Scanners page's test area ---
key ctrl+l
sign_in CRACHA3001
key ctrl+comma
PREFS=$(wait_window '^Preferences$') || fail "Ctrl+, did not open the preferences"
focus_window "$PREFS"
sleep 0.5
key alt+s           # the Scanners page
# a USB keyboard that is not a known scanner: listed apart, never claimed
tb fake 4 1a86:e026 USB Keyboard
sleep 0.8
shot scanners-page

# ]C1 (GS1-128), AI 01 with the GTIN-14, GS, AI 10 lot
tb fake 2 0c2e:0b61 Voyager 1250g
tb type 2 "]C1010${CODE}\\03510LOT42"
wait_usb_scans 2
grep -q "USB scan from 0c2e:0b61@1-2: 010${CODE}.*10LOT42\$" "$SHOTS/$TEST_NAME-app.log" \
  || fail "the second USB scan was not the GS1 code: $(grep 'USB scan from' "$SHOTS/$TEST_NAME-app.log")"
sleep 0.8
shot scanners-test-scan
# the rest of the page: the mouse over it, the wheel down
eval "$(xdotool getwindowgeometry --shell "$PREFS")"
xdotool mousemove $((X + WIDTH / 2)) $((Y + HEIGHT / 2))
xdotool click --repeat 10 --delay 50 5
sleep 0.5
shot scanners-test-scan-below

key ctrl+w          # closes the preferences
focus_window "$WID"
sleep 0.5
shot after-preferences
# The GS1 scan went to the test area, not to the sale: nothing to pay.
key F12
sleep 1
[ -z "$(xdotool search --onlyvisible --name '^Payment$' 2>/dev/null)" ] \
  || fail "the scan on the Scanners page reached the sale"
[ "$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")" = $((SALES_BEFORE + 1)) ] \
  || fail "a sale was saved after the test scan"

tb unplug 2
tb unplug 4
tb remove "$PORTS/1-3"
[ "$(told_no_permission)" = 1 ] || fail "the scanner without permission was told again"
stop_app
note "ok"
