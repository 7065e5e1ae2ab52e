#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Split tender, then park and resume, with the keyboard only, in one run
# of the real `balcao` window under Xvfb:
#
# A. Two scans, F12, F2 (credit card) for part of the total: the amount,
#    Enter; the dialog asks the authorisation code (typed, Enter), then the
#    last 4 digits (typed, Enter) and adds the card payment. The rest in
#    cash above what is left (F1, amount, Enter), Enter to finish, Enter
#    for a new sale. The newest sale must hold two payments: credit_card
#    with the amount, reference and last4 as typed, then cash with the rest
#    and the right change; the amounts add up to the total.
# B. One scan, F8, the label "Cliente volta já", Enter: parked_sales holds
#    that one sale with 1 line and the counter is free. Another product is
#    sold in cash meanwhile (its sale has that line only). F9, Enter on the
#    parked sale: parked_sales is empty again; cash, finish: the newest sale
#    holds the parked product, and the scenario wrote exactly 2 sales.
#
# Screenshots of every step go to <build>/meson-logs/screenshots/ (or
# $BALCAO_UI_SHOTS), named ui-split-park-NN-step.png.
#
# Usage: test-split-park.sh BALCAO BALCAO_CTL
# Needs: xvfb-run, xauth, xdotool, sqlite3, import (ImageMagick).

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
  exec xvfb-run -a -s '-screen 0 1280x800x24' sh "$0" "$BALCAO" "$BALCAO_CTL"
fi

BUILD_ROOT=${BALCAO_BUILD_DIR:-$(cd "$(dirname "$BALCAO")/../.." && pwd)}
SHOTS=${BALCAO_UI_SHOTS:-$BUILD_ROOT/meson-logs/screenshots}
TEST_NAME=ui-split-park
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
rm -f "$SHOTS/$TEST_NAME"-*.png
WORK=$(mktemp -d)
trap 'stop_app; rm -rf "$WORK"' EXIT INT TERM

CARD_AMOUNT=500         # typed "5": R$ 5,00 on the card
CARD_AUTH=AUT4821
CARD_LAST4=4321
CASH_TENDERED=10000     # typed "100": R$ 100,00 handed over in cash (change < R$ 200, the largest note)
PARK_LABEL='Cliente volta já'
A_FAILED=

# ------------------------------------------------------------------
# Helpers on top of ui-lib.sh

# A visible window of the app other than the main one (the park question
# has no title), within 15 s.
wait_other_window () {
  i=0
  while [ $i -lt 150 ]; do
    for w in $(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null); do
      if [ "$w" != "$WID" ]; then
        echo "$w"
        return 0
      fi
    done
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# Until no visible window of the app but the main one is left.
wait_only_main () {
  i=0
  while [ $i -lt 150 ]; do
    others=
    for w in $(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null); do
      if [ "$w" != "$WID" ]; then others="$others $w"; fi
    done
    [ -z "$others" ] && return 0
    sleep 0.1
    i=$((i + 1))
  done
  fail "a dialog is still open:$others"
}

# No window manager: give the keyboard to a window ourselves.
focus () {
  focus_window "$1"
  sleep 0.3
}

alive () {
  kill -0 "$APP_PID" 2>/dev/null || fail "balcao exited during: $1 (log: $SHOTS/$TEST_NAME-app.log)"
}

# F12 and the payment dialog focused.
open_payment () {
  key F12
  PAY_WIN=$(wait_window '^Payment$') || fail "F12 did not open the payment dialog"
  focus "$PAY_WIN"
}

# "New sale" (Enter) closes the payment dialog; the main window gets the
# keyboard back.
new_sale () {
  key Return
  wait_only_main
  focus "$WID"
}

# An amount in the payment dialog's amount entry, which holds the
# prefilled due: typing must replace it, as a cashier expects.
type_amount () {
  type_slowly "$1"
}

newest_sale () {
  q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, number DESC LIMIT 1"
}

product_of () {
  q "SELECT product_id FROM product_barcodes WHERE code = '$1'"
}

# ------------------------------------------------------------------

make_demo_db
[ "$(q "SELECT count(*) FROM parked_sales")" = 0 ] || fail "the demo database already has parked sales"

# Four counted products with one plain EAN-13 each and one retail price of
# R$ 5,00 to R$ 50,00: two items cost more than the card part, and any
# sale here costs less than the cash handed over.
CODES=$(q "SELECT b.code FROM product_barcodes b JOIN products p ON p.id = b.product_id
           WHERE p.weighed = 0 AND p.active = 1 AND length (b.code) = 13 AND b.code LIKE '789%'
             AND (SELECT count(*) FROM product_barcodes x WHERE x.product_id = p.id) = 1
             AND (SELECT count(*) FROM prices r WHERE r.product_id = p.id) = 1
             AND (SELECT amount FROM prices r WHERE r.product_id = p.id) BETWEEN 500 AND 5000
           ORDER BY b.code LIMIT 4")
CODE1=$(echo "$CODES" | sed -n 1p)
CODE2=$(echo "$CODES" | sed -n 2p)
CODE3=$(echo "$CODES" | sed -n 3p)
CODE4=$(echo "$CODES" | sed -n 4p)
[ -n "$CODE4" ] || fail "the demo database has not 4 suitable products: [$CODES]"
note "codes: split $CODE1 $CODE2, parked $CODE3, sold meanwhile $CODE4"

SALES_START=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")

start_app
shot start

# ==================================================================
# A. Split tender: credit card for part, cash for the rest
# ==================================================================
note "A. split tender"
scan "$CODE1"
scan "$CODE2"
alive "scanning"
shot a-scanned

open_payment
shot a-payment

key F2
shot a-credit-card
# The amount entry holds the due, selected: the part the card pays
# replaces it.
type_amount "5"
sleep 0.3
shot a-card-amount
# Enter: the dialog asks the authorisation code, with the focus on it
key Return
type_slowly "$CARD_AUTH"
sleep 0.3
shot a-card-auth
# Enter: now it asks the card's last 4 digits
key Return
type_slowly "$CARD_LAST4"
sleep 0.3
shot a-card-last4
# Enter: the card payment is added; the dialog goes back to cash for the rest
key Return
shot a-card-added
alive "adding the card payment"

key F1
type_amount "100"
sleep 0.3
shot a-cash-tendered
key Return
shot a-paid
SALES_A=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
[ "$SALES_A" = "$SALES_START" ] || fail "a sale was written before Finish ($SALES_A sales, $SALES_START before)"
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES_START + 1))
sleep 0.5
shot a-complete

SALE_A=$(newest_sale)
TOTAL_A=$(q "SELECT total FROM sales WHERE id = '$SALE_A'")
[ -n "$TOTAL_A" ] && [ "$TOTAL_A" -gt "$CARD_AMOUNT" ] || fail "sale $SALE_A total [$TOTAL_A] is not above the card part $CARD_AMOUNT"
LINES=$(q "SELECT count(*) FROM sale_lines WHERE sale_id = '$SALE_A'")
[ "$LINES" = 2 ] || fail "split sale $SALE_A has $LINES lines, expected 2"
for c in "$CODE1" "$CODE2"; do
  n=$(q "SELECT quantity FROM sale_lines WHERE sale_id = '$SALE_A' AND product_id = $(product_of "$c")")
  [ "$n" = 1000 ] || fail "split sale: product $c has quantity [$n], expected 1000"
done

# The payments. A wrong payment does not stop the run: B goes on and the
# test fails at the end with everything found.
a_check () {
  if [ "$1" != "$2" ]; then
    A_FAILED="$A_FAILED
  - $3 is [$1], expected [$2]"
  fi
}
REST=$((TOTAL_A - CARD_AMOUNT))
CHANGE_A=$((CASH_TENDERED - REST))
a_check "$(q "SELECT count(*) FROM sale_payments WHERE sale_id = '$SALE_A'")" 2 "the number of payments"
a_check "$(q "SELECT method || '|' || amount || '|' || ifnull (reference, '') || '|' || ifnull (card_last4, '')
              FROM sale_payments WHERE sale_id = '$SALE_A' ORDER BY seq LIMIT 1")" \
        "credit_card|$CARD_AMOUNT|$CARD_AUTH|$CARD_LAST4" "the first payment (method|amount|reference|last4)"
a_check "$(q "SELECT method || '|' || amount || '|' || tendered || '|' || change
              FROM sale_payments WHERE sale_id = '$SALE_A' ORDER BY seq LIMIT 1 OFFSET 1")" \
        "cash|$REST|$CASH_TENDERED|$CHANGE_A" "the second payment (method|amount|tendered|change)"
a_check "$(q "SELECT sum (amount) FROM sale_payments WHERE sale_id = '$SALE_A'")" "$TOTAL_A" "the sum of the payments"
a_check "$(q "SELECT change_given FROM sales WHERE id = '$SALE_A'")" "$CHANGE_A" "the sale's change_given"
if [ -n "$A_FAILED" ]; then
  shot a-wrong-payments
  A_FAILED="split sale $SALE_A (total $TOTAL_A): $A_FAILED
  Typed: card \"5\" after F2, authorisation $CARD_AUTH, last 4 $CARD_LAST4, then cash \"100\" after F1.
  A typed amount that did not replace the prefilled due (\"5$(q "SELECT replace (printf ('%.2f', total / 100.0), '.', ',') FROM sales WHERE id = '$SALE_A'")\", or a tendered of 100 followed
  by the rest's digits) means the payment dialog lost the select-all of its amount entry: app bug in
  src/app/pos-payment-dialog.c, select_method (): its gtk_editable_select_region () on the prefilled
  due does not survive the method switch (F1 after the card, F2/F3 from cash). Screenshots:
  $SHOTS/$TEST_NAME-0[4-9]-a-*.png."
  echo "# A. split tender FAILED (details at the end); going on with B" >&2
else
  note "A ok: sale $SALE_A total $TOTAL_A = card $CARD_AMOUNT + cash $REST, change $CHANGE_A"
fi

new_sale
shot a-new-sale

# ==================================================================
# B. Park, sell another meanwhile, resume, pay
# ==================================================================
note "B. park and resume"
SALES_B=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")

scan "$CODE3"
alive "scanning"
shot b-scanned

key F8
ASK_WIN=$(wait_other_window) || fail "F8 did not ask a name for the parked sale"
focus "$ASK_WIN"
shot b-park-ask
# the entry has the focus (and would hold the customer's name, selected)
type_slowly "$PARK_LABEL"
sleep 0.3
shot b-park-label
key Return
wait_for "SELECT count(*) FROM parked_sales" 1
wait_only_main
focus "$WID"
shot b-parked

PARKED=$(q "SELECT label || '|' || n_lines FROM parked_sales")
[ "$PARKED" = "$PARK_LABEL|1" ] || fail "parked_sales holds [$PARKED], expected [$PARK_LABEL|1]"
PARKED_TOTAL=$(q "SELECT total FROM parked_sales")
[ "$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")" = "$SALES_B" ] || fail "parking wrote a sale"

# The counter is free: another customer buys something else, in cash.
scan "$CODE4"
shot b-other-scanned
open_payment
type_amount "100"
sleep 0.3
key Return
shot b-other-paid
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES_B + 1))
sleep 0.5
shot b-other-complete
SALE_OTHER=$(newest_sale)
OTHER_LINES=$(q "SELECT group_concat (product_id || 'x' || quantity) FROM sale_lines WHERE sale_id = '$SALE_OTHER'")
[ "$OTHER_LINES" = "$(product_of "$CODE4")x1000" ] \
  || fail "the sale made while one was parked has lines [$OTHER_LINES], expected only product $CODE4 (was the cart emptied by F8?)"
new_sale
shot b-other-new-sale

# F9: the list of parked sales, newest on top and focused; Enter resumes it.
key F9
RES_WIN=$(wait_window '^Resume a Parked Sale$') || fail "F9 did not open the list of parked sales"
focus "$RES_WIN"
sleep 0.7   # the list is read on a worker thread
shot b-resume-list
key Return
wait_for "SELECT count(*) FROM parked_sales" 0
wait_only_main
focus "$WID"
shot b-resumed

open_payment
shot b-resumed-payment
type_amount "100"
sleep 0.3
key Return
shot b-resumed-paid
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES_B + 2))
sleep 0.5
shot b-resumed-complete

SALE_B=$(newest_sale)
[ "$SALE_B" != "$SALE_OTHER" ] || fail "no new sale after resuming"
B_LINES=$(q "SELECT group_concat (product_id || 'x' || quantity) FROM sale_lines WHERE sale_id = '$SALE_B'")
[ "$B_LINES" = "$(product_of "$CODE3")x1000" ] || fail "the resumed sale has lines [$B_LINES], expected product $CODE3 once"
TOTAL_B=$(q "SELECT total FROM sales WHERE id = '$SALE_B'")
[ "$TOTAL_B" = "$PARKED_TOTAL" ] || fail "the resumed sale's total is $TOTAL_B, it was parked with $PARKED_TOTAL"
PAY_B=$(q "SELECT method || '|' || amount || '|' || tendered || '|' || change FROM sale_payments WHERE sale_id = '$SALE_B' ORDER BY seq")
EXP_B="cash|$TOTAL_B|$CASH_TENDERED|$((CASH_TENDERED - TOTAL_B))"
[ "$PAY_B" = "$EXP_B" ] || fail "the resumed sale's payment is [$PAY_B], expected [$EXP_B]"
SALES_END=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
[ "$SALES_END" = $((SALES_B + 2)) ] || fail "scenario B wrote $((SALES_END - SALES_B)) sales, expected 2"

new_sale
shot b-new-sale
alive "the last new sale"

if grep -E 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$SHOTS/$TEST_NAME-app.log" >/dev/null 2>&1; then
  grep -E -A20 'runtime error:|ERROR: AddressSanitizer' "$SHOTS/$TEST_NAME-app.log" | head -40 >&2
  fail "the sanitizers reported an error in balcao"
fi

stop_app
[ -z "${A_FAILED:-}" ] || fail "A. split tender: $A_FAILED"
echo "PASS: split sale $SALE_A ($TOTAL_A = card $CARD_AMOUNT + cash $REST, change $CHANGE_A);" \
     "parked and resumed sale $SALE_B ($TOTAL_B), sale $SALE_OTHER in between"
exit 0
