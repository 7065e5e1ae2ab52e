#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `balcao-ctl pickup` as a person at a shell would use it, on a terminal
# database with pickup orders put in through the engine's sync applier
# (pickup-seed): list, show, the picture of the picking list, a handover
# refused for a wrong code, one handed over (its receipt as a picture).
# Usage: test-cli-pickups.sh BALCAO_CTL PICKUP_SEED
set -eu
CTL=$1
SEED=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/balcao.db
fail () { echo "FAIL: $*" >&2; exit 1; }
q () { sqlite3 -batch -noheader "$DB" "$1"; }
ctl () { "$CTL" --database "$DB" "$@"; }

ctl demo-data --products 50 --customers 5 --sales 0 >/dev/null 2>&1 || fail "demo-data"
SKU=$(q "SELECT sku FROM products WHERE weighed = 0 ORDER BY id LIMIT 1")
NAME=$(q "SELECT name FROM products WHERE sku = '$SKU'")
NOW=$(($(date +%s) * 1000))
cat >"$WORK/orders.json" <<JSON
[{"id":"o-2001","number":"2001","customer_id":null,"customer_name":"Maria Souza","customer_phone":"(11) 9****-1234",
  "channel":"web","state":"READY_FOR_PICKUP","version":4,"paid":true,"total":2580,"currency":"BRL",
  "pickup_code":"483920","shelf_location":"B3","notes":null,"placed_at":$((NOW - 7200000)),
  "ready_at":$((NOW - 3600000)),"updated_at":$((NOW - 60000)),
  "lines":[{"line_no":1,"sku":"$SKU","name":"$NAME","quantity":2000,"picked_quantity":2000,"collected_quantity":0,"unit_price":1290}]}]
JSON
"$SEED" "$DB" "$WORK/orders.json" >/dev/null || fail "pickup-seed"

ctl pickup list --group ready | grep -q 2001 || fail "2001 not listed as ready"
ctl pickup show 2001 | grep -q "Maria Souza" || fail "show"
ctl pickup show 2001 --picking-list --png "$WORK/picking.png" || fail "picking list picture"
[ "$(head -c 4 "$WORK/picking.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "not a PNG"

# A wrong code: refused in words, nothing written.
if echo 1111 | ctl pickup hand-over 2001 --code 111111 --as 1001 >"$WORK/out" 2>"$WORK/err"; then
  fail "a wrong code was taken"
fi
grep -q "not the pickup code" "$WORK/err" || fail "wrong code: $(cat "$WORK/err")"
[ "$(q "SELECT state FROM pickup_orders WHERE id = 'o-2001'")" = READY_FOR_PICKUP ] || fail "state moved"

# The QR text works as the reference and carries the code.
echo 1111 | ctl pickup hand-over "BALCAO:PICKUP:2001:483920" --as 1001 >"$WORK/out" 2>"$WORK/err" \
  || fail "hand-over: $(cat "$WORK/err")"
grep -q "2001 handed over" "$WORK/out" || fail "hand-over said: $(cat "$WORK/out")"
[ "$(q "SELECT state FROM pickup_orders WHERE id = 'o-2001'")" = PICKED_UP ] || fail "not picked up"
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'pickup.transition' AND entity_id = 'o-2001'")" = 1 ] \
  || fail "no pickup.transition queued"
ctl pickup show 2001 --receipt --png "$WORK/receipt.png" || fail "receipt picture"
[ -s "$WORK/receipt.png" ] || fail "empty receipt picture"
echo "ok"
