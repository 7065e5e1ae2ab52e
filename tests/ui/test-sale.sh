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

# What the customer hands over: the next R$ 50,00 above the total (the
# dialog refuses change of R$ 200,00 or more, the largest note, as a slip).
PRICES=$(q "SELECT (SELECT amount FROM prices r WHERE r.product_id = b.product_id AND r.price_list = 'retail'
                     ORDER BY r.valid_from DESC LIMIT 1)
            FROM product_barcodes b WHERE b.code IN ('$CODE1', '$CODE2')")
EXPECTED_TOTAL=$(echo "$PRICES" | awk '{s += $1} END {print s}')
TENDER=$(( (EXPECTED_TOTAL / 5000 + 1) * 5000 ))
note "expected total $EXPECTED_TOTAL, tendering $TENDER"
# A slip first: R$ 5.000,00 for a small sale would give more change than
# the largest note; the dialog refuses it and keeps the sale open.
type_slowly "5000"
key Return
shot slip-refused
# The amount entry holds the due (or the slip): select it and type over.
xdotool key --clearmodifiers ctrl+a
type_slowly "$((TENDER / 100))"
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
EXPECTED="cash|$TOTAL|$TENDER|$((TENDER - TOTAL))"
[ "$PAY" = "$EXPECTED" ] || fail "payment is [$PAY], expected [$EXPECTED]"
CHANGE=$(q "SELECT change_given FROM sales WHERE id = '$SALE'")
[ "$CHANGE" = $((TENDER - TOTAL)) ] || fail "change_given is $CHANGE, expected $((TENDER - TOTAL))"

# the two scanned products, one of each
for c in "$CODE1" "$CODE2"; do
  n=$(q "SELECT quantity FROM sale_lines l WHERE l.sale_id = '$SALE' AND l.product_id = (SELECT product_id FROM product_barcodes WHERE code = '$c')")
  [ "$n" = 1000 ] || fail "product $c has quantity [$n], expected 1000"
done

# New sale: the dialog closes and the cart is empty again.
key Return
shot new-sale
stop_app
echo "ok: sale $SALE, total $TOTAL, change $((TENDER - TOTAL))"
