#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A whole sale without the mouse: two scans, F12, cash above the total,
# Enter to add the payment, Enter to finish, Enter for a new sale; then
# the database must hold one more sale with 2 lines and a cash payment
# with the right change.
#   test-sale.sh BALCAO BALCAO_CTL SHOTS_DIR

BALCAO=$1
BALCAO_CTL=$2
SHOTS=$3
TEST_NAME=ui-sale
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
WORK=$(mktemp -d)
trap 'stop_app; rm -rf "$WORK"' EXIT INT TERM

make_demo_db
SALES_BEFORE=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
CODES=$(pick_codes 2)
CODE1=$(echo "$CODES" | sed -n 1p)
CODE2=$(echo "$CODES" | sed -n 2p)
[ -n "$CODE1" ] && [ -n "$CODE2" ] || fail "no barcodes in the demo database"
note "codes $CODE1 $CODE2"

start_app
shot start

scan "$CODE1"
scan "$CODE2"
shot scanned

key F12
shot payment

# The amount entry holds the due, selected: type what the customer hands over.
type_slowly "500"
sleep 0.3
shot tendered
key Return
shot paid
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES_BEFORE + 1))
sleep 1
shot complete

SALE=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, number DESC LIMIT 1")
LINES=$(q "SELECT count(*) FROM sale_lines WHERE sale_id = '$SALE'")
[ "$LINES" = 2 ] || fail "the sale has $LINES lines, expected 2"

TOTAL=$(q "SELECT total FROM sales WHERE id = '$SALE'")
PAY=$(q "SELECT method || '|' || amount || '|' || tendered || '|' || change FROM sale_payments WHERE sale_id = '$SALE' ORDER BY seq")
EXPECTED="cash|$TOTAL|50000|$((50000 - TOTAL))"
[ "$PAY" = "$EXPECTED" ] || fail "payment is [$PAY], expected [$EXPECTED]"
CHANGE=$(q "SELECT change_given FROM sales WHERE id = '$SALE'")
[ "$CHANGE" = $((50000 - TOTAL)) ] || fail "change_given is $CHANGE, expected $((50000 - TOTAL))"

# the two scanned products, one of each
for c in "$CODE1" "$CODE2"; do
  n=$(q "SELECT quantity FROM sale_lines l WHERE l.sale_id = '$SALE' AND l.product_id = (SELECT product_id FROM product_barcodes WHERE code = '$c')")
  [ "$n" = 1000 ] || fail "product $c has quantity [$n], expected 1000"
done

# New sale: the dialog closes and the cart is empty again.
key Return
shot new-sale
stop_app
echo "ok: sale $SALE, total $TOTAL, change $((50000 - TOTAL))"
