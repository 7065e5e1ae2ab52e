#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Click and collect at the counter (issue 5) in the real window under
# Xvfb, with the receipt printer of ui-printing (printing-testbed: a
# private cupsd with a raw queue on a TCP listener). The pickup orders are
# put into the terminal's database the way the central's changes arrive,
# through the engine's sync applier (pickup-seed), without a central: the
# terminal is not enrolled, so a handover here is offline (provisional).
# A. Ctrl+3 shows the Pickups page: the groups with their counts; an
#    order that arrives is announced (a toast; F5 here, the sync engine's
#    "changes-applied" in real life).
# B. Order 1043 is found (Ctrl+F), Start Picking (Ctrl+K): a wrong item
#    scanned is refused in words; its two items scanned; the shelf typed,
#    Mark Ready: the order is READY_FOR_PICKUP on shelf B7.
# C. The customer's QR code BALCAO:PICKUP:1042:483920 scanned on the Sale
#    page opens 1042's handover with the code; Enter hands it over: the
#    order is PICKED_UP (provisional), a 'pickup.transition' waits in the
#    outbox, and the pickup receipt (with the signature line) reaches the
#    printer.
# C'. Order 1048, to be paid in store, scanned: its lines go to the sale's
#    cart; paid in cash (F12), the sale carries the order, the order is
#    PICKED_UP and its pickup receipt follows the sale's receipt.
# D. A wrong pickup code is refused in words.
# D'. An item of 1045 refused (damaged) with a reason: the manager approves
#    with her PIN; the line is refunded through the central
#    ('pickup.refund' in the outbox).
# F. The expired order 1046 cancelled from "To cancel" (Alt+9,
#    Ctrl+Shift+Delete) with the manager's approval: CANCELLED.
# E. The central refuses the offline handover (pickup-seed --refuse): the
#    order is on the Incidents list (Alt+0), and the manager's Dismiss
#    (Ctrl+D) takes it off; the keyboard still works (Ctrl+1, a scan, F12).
#   test-pickups.sh BALCAO BALCAO_CTL SHOTS_DIR PRINTING_TESTBED PICKUP_SEED

BALCAO=$1
BALCAO_CTL=$2
SHOTS=$3
TESTBED=$4
SEED=$5
TEST_NAME=ui-pickups
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
rm -f "$SHOTS/$TEST_NAME"-*.png
WORK=$(mktemp -d)
TB_PID=
stop_testbed () {
  if [ -n "$TB_PID" ]; then
    kill -TERM "$TB_PID" 2>/dev/null || true
    wait "$TB_PID" 2>/dev/null || true
  fi
  TB_PID=
}
trap 'stop_app; stop_testbed; rm -rf "$WORK"' EXIT INT TERM

"$TESTBED" "$WORK/ready" "$WORK/jobs" &
TB_PID=$!
i=0
until [ -s "$WORK/ready" ]; do
  i=$((i + 1))
  [ $i -lt 300 ] || fail "the printing testbed did not start"
  kill -0 "$TB_PID" 2>/dev/null || fail "the printing testbed stopped"
  sleep 0.1
done
if grep -q '^SKIP' "$WORK/ready"; then
  echo "# $(cat "$WORK/ready")"
  exit 77
fi
CUPS_SERVER=$(sed -n 's/^CUPS_SERVER=//p' "$WORK/ready")
export CUPS_SERVER

make_demo_db
"$BALCAO_CTL" --database "$DB" printers use caixa1 --kind escpos-raw --width 48 --code-page 860 >/dev/null \
  || fail "balcao-ctl printers use caixa1 failed"

# Waits for the printer's Nth job and prints its path.
wait_job () {
  i=0
  until [ -f "$WORK/jobs/$1.bin" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "the printer did not get job $1 within 30 s"
    sleep 0.1
  done
  echo "$WORK/jobs/$1.bin"
}

hex () {
  od -An -v -tx1 "$1" | tr -d ' \n'
}

ascii_hex () {
  printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# Products sold by the unit, with a plain EAN-13: SKU|name|barcode
PRODUCTS=$(q "SELECT p.sku || '|' || p.name || '|' || b.code FROM products p
              JOIN product_barcodes b ON b.product_id = p.id
              WHERE p.weighed = 0 AND p.active = 1 AND length (b.code) = 13 AND b.code LIKE '789%'
              GROUP BY p.id ORDER BY p.sku LIMIT 4")
field () { echo "$PRODUCTS" | sed -n "$1p" | cut -d'|' -f"$2"; }
SKU1=$(field 1 1); NAME1=$(field 1 2); CODE1=$(field 1 3)
SKU2=$(field 2 1); NAME2=$(field 2 2); CODE2=$(field 2 3)
SKU3=$(field 3 1); NAME3=$(field 3 2)
CODE4=$(field 4 3)
[ -n "$CODE1" ] && [ -n "$CODE2" ] && [ -n "$CODE4" ] || fail "no barcodes in the demo database"

NOW=$(($(date +%s) * 1000))
H=3600000
line () {  # line_no sku name quantity unit_price [picked]
  printf '{"line_no":%s,"sku":"%s","name":"%s","quantity":%s,"picked_quantity":%s,"collected_quantity":0,"unit_price":%s}' \
    "$1" "$2" "$3" "$4" "${6:-0}" "$5"
}
order () {  # id number state version paid customer channel placed_ago ready_ago shelf lines...
  id=$1 number=$2 state=$3 version=$4 paid=$5 customer=$6 channel=$7 placed=$8 ready=$9
  shift 9
  shelf=$1
  shift
  ready_json=null
  [ "$ready" = - ] || ready_json=$((NOW - ready))
  shelf_json=null
  [ "$shelf" = - ] || shelf_json="\"$shelf\""
  lines=$(echo "$@" | sed 's/} {/},{/g')
  printf '{"id":"%s","number":"%s","customer_id":null,"customer_name":"%s","customer_phone":"(11) 9****-1234","channel":"%s","state":"%s","version":%s,"paid":%s,"total":2590,"currency":"BRL","pickup_code":"483920","shelf_location":%s,"notes":null,"placed_at":%s,"ready_at":%s,"updated_at":%s,"lines":[%s]}' \
    "$id" "$number" "$customer" "$channel" "$state" "$version" "$paid" "$shelf_json" \
    $((NOW - placed)) "$ready_json" $((NOW - 60000)) "$lines"
}
{
  echo "["
  order o-1042 1042 READY_FOR_PICKUP 4 true "Maria Souza" web $((3 * H)) $((2 * H)) B3 \
    "$(line 1 "$SKU1" "$NAME1" 1000 1290 1000)" "$(line 2 "$SKU2" "$NAME2" 1000 1300 1000)"
  echo ","
  order o-1043 1043 PLACED 1 true "João Lima" app $((H / 4)) - - \
    "$(line 1 "$SKU1" "$NAME1" 1000 1290)" "$(line 2 "$SKU2" "$NAME2" 1000 1300)"
  echo ","
  order o-1044 1044 ALLOCATED 2 false "Ana Prado" marketplace $((H / 2)) - - \
    "$(line 1 "$SKU2" "$NAME2" 2000 1295)"
  echo ","
  order o-1045 1045 READY_FOR_PICKUP 4 true "Carlos Dias" web $((80 * H)) $((72 * H)) A1 \
    "$(line 1 "$SKU3" "$NAME3" 1000 2590 1000)"
  echo ","
  order o-1046 1046 READY_FOR_PICKUP 4 true "Beatriz Melo" app $((240 * H)) $((220 * H)) A2 \
    "$(line 1 "$SKU2" "$NAME2" 1000 2590 1000)"
  echo ","
  order o-1047 1047 PICKING 3 true "Pedro Alves" web $((H)) - - \
    "$(line 1 "$SKU1" "$NAME1" 1000 2590)"
  echo ","
  order o-1048 1048 READY_FOR_PICKUP 4 false "Lucia Ramos" web $((5 * H)) $((H)) C2 \
    "$(line 1 "$SKU1" "$NAME1" 1000 1290 1000)" "$(line 2 "$SKU2" "$NAME2" 1000 1300 1000)"
  echo "]"
} >"$WORK/orders.json"
"$SEED" "$DB" "$WORK/orders.json" || fail "pickup-seed failed"
[ "$(q "SELECT count(*) FROM pickup_orders")" = 7 ] || fail "the orders are not in the database"

start_app
focus_window "$WID"

# --- A. the queue ---
key ctrl+3
sleep 1.5
shot queue

# --- A'. an order arrives while the page is open (as a pull applies it):
# the queue shows it with a toast, the tab's badge counts it ---
{
  echo "["
  order o-1050 1050 PLACED 1 true "Rita Nunes" web 60000 - - "$(line 1 "$SKU2" "$NAME2" 2000 1295)"
  echo "]"
} >"$WORK/new-order.json"
"$SEED" "$DB" "$WORK/new-order.json" >/dev/null || fail "pickup-seed failed"
key F5
sleep 1.2
shot new-order-toast

# --- B. picking 1043 ---
key ctrl+f
type_slowly 1043
key Return
sleep 1
shot order-detail
key ctrl+k
wait_for "SELECT state FROM pickup_orders WHERE id = 'o-1043'" PICKING
PICK=$(wait_window '^Picking Order 1043') || fail "Ctrl+K did not open the picking dialog"
focus_window "$PICK"
sleep 0.5
scan "$CODE4"                # not in the order: refused in words
sleep 0.8
shot picking-refused
[ "$(q "SELECT coalesce (sum (local_picked), 0) FROM pickup_order_lines WHERE order_id = 'o-1043'")" = 0 ] \
  || fail "a wrong item was ticked"
scan "$CODE1"
wait_for "SELECT coalesce (local_picked, picked_quantity) FROM pickup_order_lines WHERE order_id = 'o-1043' AND line_no = 1" 1000
scan "$CODE2"
wait_for "SELECT coalesce (local_picked, picked_quantity) FROM pickup_order_lines WHERE order_id = 'o-1043' AND line_no = 2" 1000
sleep 0.5
type_slowly B7              # the focus is on the shelf once everything is picked
shot picking-done
key Return
wait_for "SELECT state || ' ' || shelf_location FROM pickup_orders WHERE id = 'o-1043'" "READY_FOR_PICKUP B7"
sleep 1
focus_window "$WID"

# --- C. the customer's QR code: the handover, the pickup receipt ---
key ctrl+1
scan "BALCAO:PICKUP:1042:483920"
HAND=$(wait_window '^Hand Over Order 1042') || fail "the QR code did not open the handover"
focus_window "$HAND"
sleep 0.8
shot handover
key Return
wait_for "SELECT state FROM pickup_orders WHERE id = 'o-1042'" PICKED_UP
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'pickup.transition' AND entity_id = 'o-1042' AND status = 'pending'")" = 1 ] \
  || fail "the handover is not in the outbox"
JOB=$(wait_job 1)
HEX=$(hex "$JOB")
echo "$HEX" | grep -q "$(ascii_hex 'COMPROVANTE DE RETIRADA')" || fail "the pickup receipt does not say COMPROVANTE DE RETIRADA"
echo "$HEX" | grep -q "$(ascii_hex '1042')" || fail "the pickup receipt does not hold the order's number"
echo "$HEX" | grep -q "$(ascii_hex 'Assinatura do cliente')" || fail "the pickup receipt has no signature line"
focus_window "$WID"
sleep 1
shot handed-over

# --- C'. an order to be paid in store: its lines go to the sale, paid in
# cash there; the sale carries the order and hands it over ---
key ctrl+1
scan "BALCAO:PICKUP:1048:483920"
HAND=$(wait_window '^Hand Over Order 1048') || fail "the QR code did not open 1048's handover"
focus_window "$HAND"
sleep 0.8
shot handover-to-pay
key Return
sleep 1.5
focus_window "$WID"
shot pay-in-store-cart
key F12
key Return          # the due, in cash
key Return          # finish
wait_for "SELECT count(*) FROM sales WHERE pickup_order_id = 'o-1048'" 1
wait_for "SELECT state FROM pickup_orders WHERE id = 'o-1048'" PICKED_UP
key Return          # new sale
# the sale's receipt and the pickup receipt, rendered side by side: in
# either order
wait_job 3 >/dev/null
cat "$WORK/jobs/2.bin" "$WORK/jobs/3.bin" >"$WORK/jobs-2-3.bin"
hex "$WORK/jobs-2-3.bin" | grep -q "$(ascii_hex 'COMPROVANTE DE RETIRADA')" || fail "no pickup receipt after the sale paying 1048"
hex "$WORK/jobs-2-3.bin" | grep -q "$(ascii_hex '1048')" || fail "the pickup receipt does not hold 1048"
sleep 0.5

# --- D. a wrong code is refused in words ---
scan "BALCAO:PICKUP:1045:000000"
HAND=$(wait_window '^Hand Over Order 1045') || fail "the QR code did not open 1045's handover"
focus_window "$HAND"
sleep 0.5
key Return
sleep 1
shot wrong-code
[ "$(q "SELECT state FROM pickup_orders WHERE id = 'o-1045'")" = READY_FOR_PICKUP ] || fail "a wrong code handed an order over"
key Escape
focus_window "$WID"
sleep 0.5

# --- D'. an item refused at the handover (damaged): refunded through the
# central, with the manager's approval (her PIN) ---
sleep 1             # the page reloads after the refusal: let it settle
scan "BALCAO:PICKUP:1045:483920"
HAND=$(wait_window '^Hand Over Order 1045') || fail "the QR code did not open 1045's handover"
focus_window "$HAND"
sleep 0.8
# "+" of the line's Refused (the dialog sits at the top left without a
# window manager): handing over drops to 0 by itself
xdotool mousemove 706 331 click 1
sleep 0.5
key alt+h           # Hand Over: asks why, in the reason's field
type_slowly "Caixa amassada"
shot handover-refused
key Return
APPROVAL=$(wait_window 'Approval Needed') || fail "refusing an item asked for no approval"
focus_window "$APPROVAL"
sleep 0.5
shot refusal-approval
type_slowly "9999"
key Return
wait_for "SELECT refunded_quantity FROM pickup_order_lines WHERE order_id = 'o-1045'" 1000
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'pickup.refund' AND payload LIKE '%o-1045%'")" = 1 ] \
  || fail "the refused item's refund is not in the outbox"
focus_window "$WID"
sleep 0.5

# --- F. an expired order cancelled: the cashier asks, the manager approves
# with her PIN; its stock is released by the central ---
key ctrl+3
sleep 0.5
key alt+9           # To cancel: 1046, ready for longer than the pickup window
sleep 1
key Down
sleep 1
shot to-cancel
key ctrl+shift+Delete
sleep 0.8
key alt+c           # Cancel Order
APPROVAL=$(wait_window 'Approval Needed') || fail "cancelling asked for no approval"
focus_window "$APPROVAL"
sleep 0.5
type_slowly "9999"
key Return
wait_for "SELECT state FROM pickup_orders WHERE id = 'o-1046'" CANCELLED
focus_window "$WID"
sleep 1
shot cancelled

# --- E. the central refused the offline handover: an incident ---
"$SEED" "$DB" --refuse o-1042 "Order 1042 was already handed over at another store." || fail "pickup-seed --refuse failed"
[ "$(q "SELECT count(*) FROM pickup_orders WHERE incident IS NOT NULL")" = 1 ] || fail "no incident"
# dismissing is a manager's: the manager signs in with their badge
key ctrl+l
sign_in CRACHA3001
key ctrl+3
key F5
sleep 1
key alt+0
sleep 1
key Down
sleep 1
shot incidents
key ctrl+d
wait_for "SELECT count(*) FROM pickup_orders WHERE incident IS NOT NULL AND incident_dismissed_at IS NULL" 0
sleep 1
shot incident-dismissed
# the emptied list took no keyboard with it: Ctrl+1 and a scan reach the
# Sale page, and the sale is paid
SALES=$(q "SELECT count(*) FROM sales")
key ctrl+1
scan "$CODE1"
sleep 0.5
shot sale-after-dismiss
key F12
key Return          # the due, in cash
key Return          # finish
wait_for "SELECT count(*) FROM sales" $((SALES + 1))
key Return          # new sale

stop_app
note "ok"
