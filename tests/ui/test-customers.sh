#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The customer at the counter (issue 4) in the real window under Xvfb,
# keyboard only. Customers and their history in several channels are put
# into the terminal's database the way the central's changes arrive,
# through the engine's sync applier (customer-seed), without a central.
# A. Ctrl+4, "joao sil" typed without accents finds "João da Silva";
#    Down, Enter opens the profile ('customer.view' audited); the timeline
#    shows the store, the web shop, the app, the call centre...; the
#    channel filter (Alt+C) shows one channel; an event's detail opens
#    (Ctrl+T, Enter) and closes (Escape).
# B. Attach to the sale (Ctrl+Enter) goes to the Sale page; a product, paid
#    in cash: the sale carries the customer.
# C. The customer's loyalty card scanned on the Sale page attaches them
#    (a toast, the sale goes on); the next sale carries the customer.
# D. A cashier may not reveal contact data; the supervisor does (Ctrl+I):
#    a 'customer.reveal' row in the audit log.
# E. A customer whose processing is restricted: the profile opens, without
#    history.
# F. A long history (10 000 events) opens and scrolls to its end.
# G. A new customer (Ctrl+N) with the phone of another: the warning with
#    "Use This Customer"; "Save as a Different Person" saves, with its
#    'customer.upsert' waiting in the outbox. Edited (Ctrl+E), the customer
#    says yes to e-mail: recorded with the source "counter", and sent.
# H. Offline (enrolled with a central that does not answer), a search
#    that finds nobody says that only this terminal's customers can be
#    found.
#   test-customers.sh BALCAO BALCAO_CTL SHOTS_DIR CUSTOMER_SEED

BALCAO=$1
BALCAO_CTL=$2
SHOTS=$3
SEED=$4
TEST_NAME=ui-customers
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
rm -f "$SHOTS/$TEST_NAME"-*.png
WORK=$(mktemp -d)
trap 'stop_app; rm -rf "$WORK"' EXIT INT TERM

make_demo_db

NOW=$(($(date +%s) * 1000))
D=86400000
CODE=$(pick_codes 1)
[ -n "$CODE" ] || fail "no barcodes in the demo database"
SKU=$(q "SELECT p.sku FROM products p JOIN product_barcodes b ON b.product_id = p.id WHERE b.code = '$CODE'")
PNAME=$(q "SELECT p.name FROM products p JOIN product_barcodes b ON b.product_id = p.id WHERE b.code = '$CODE'")
HASH=$(printf '%s' "o-2001:111222" | sha256sum | cut -d' ' -f1)

customer () {  # id name cpf phone email card tier points credit restricted
  printf '{"entity":"customer","data":{"id":"%s","name":"%s","cpf":%s,"phone":%s,"email":%s,"birth_date":"1980-05-17","loyalty_card":%s,"loyalty_tier":%s,"loyalty_points":%s,"store_credit":%s,"currency":"BRL","notes":"Prefers to be called by phone after 18h.","preferences":"Organic produce; size M","processing_restricted":%s,"consents":[{"channel":"email","granted":true,"source":"web","recorded_at":%s},{"channel":"sms","granted":false,"source":"counter","recorded_at":%s}],"identities":[{"channel":"web","external_id":"web-%s"},{"channel":"marketplace","external_id":"ML-%s"}],"created_at":%s,"updated_at":%s}}' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" \
    $((NOW - 40 * D)) $((NOW - 20 * D)) "$1" "$1" $((NOW - 900 * D)) $((NOW - D))
}
event () {  # id customer channel kind days_ago store amount summary document
  store=null
  [ "$6" = - ] || store="\"$6\""
  amount=null
  currency=null
  [ "$7" = - ] || { amount=$7; currency='"BRL"'; }
  document=null
  [ "${9:-}" = "" ] || document="\"$9\""
  printf '{"entity":"customer_event","data":{"id":"%s","customer_id":"%s","channel":"%s","kind":"%s","occurred_at":%s,"store_id":%s,"amount":%s,"currency":%s,"summary":"%s","document_id":%s}}' \
    "$1" "$2" "$3" "$4" $((NOW - $5 * D - 3600000)) "$store" "$amount" "$currency" "$8" "$document"
}
{
  echo "["
  customer c-joao "João da Silva" '"529.982.247-25"' '"(11) 98765-4321"' '"joao.silva@example.com"' '"6040999900000042"' '"Gold"' 1234 5000 false
  echo ","
  customer c-maria "Maria Souza" '"111.444.777-35"' '"(21) 99876-1234"' '"maria.souza@example.com"' null null 80 0 false
  echo ","
  customer c-bia "Beatriz Restrita" null '"(31) 91234-5678"' null null null 0 0 true
  echo ","
  customer c-carlos "Carlos Eventos" null '"(41) 93456-7890"' null null '"Silver"' 99 0 false
  echo ","
  event e-1 c-joao store purchase 3 HERE 15990 "2 items at the counter"
  echo ","
  event e-2 c-joao web order_placed 2 HERE 25900 "Order W-1001 for pickup at the store" o-2001
  echo ","
  event e-3 c-joao call_centre call 5 - - "Asked when the order would be ready; told 2 days."
  echo ","
  event e-4 c-joao app order_placed 12 - 8990 "Order A-3310, home delivery"
  echo ","
  event e-5 c-joao whatsapp message 1 - - "Sent the pickup code for order W-1001"
  echo ","
  event e-6 c-joao marketplace purchase 30 - 4590 "Marketplace order ML-77120"
  echo ","
  event e-7 c-joao email notification 2 - - "Your order W-1001 is ready for pickup"
  echo ","
  event e-8 c-bia store purchase 4 HERE 3990 "1 item at the counter"
  echo ","
  printf '{"entity":"pickup_order","data":{"id":"o-2001","number":"2001","store_id":"HERE","customer_id":"c-joao","customer_name":"João da Silva","channel":"web","state":"READY_FOR_PICKUP","version":4,"paid":true,"total":25900,"currency":"BRL","pickup_code_hash":"%s","shelf_location":"B2","notes":null,"placed_at":%s,"ready_at":%s,"updated_at":%s,"lines":[{"line_no":1,"sku":"%s","name":"%s","quantity":2000,"picked_quantity":2000,"collected_quantity":0,"unit_price":12950}]},"version":4}' \
    "$HASH" $((NOW - 2 * D)) $((NOW - D)) $((NOW - D)) "$SKU" "$PNAME"
  echo "]"
} >"$WORK/customers.json"
"$SEED" "$DB" "$WORK/customers.json" || fail "customer-seed failed"
"$SEED" "$DB" --events c-carlos 10000 >/dev/null || fail "customer-seed --events failed"
[ "$(q "SELECT count(*) FROM customer_events WHERE customer_id = 'c-joao'")" = 7 ] || fail "the seed did not make João's history"

start_app

# --- A. find, profile, timeline, filter, detail ---
key ctrl+4
type_slowly "joao sil"
sleep 1.5
shot search-results
key Down
key Return
wait_for "SELECT count(*) > 0 FROM audit_log WHERE action = 'customer.view' AND entity_id = 'c-joao'" 1
sleep 1.5
shot profile
key ctrl+t
sleep 0.5
shot timeline
# one channel: the web shop
xdotool key --clearmodifiers alt+c
sleep 0.8
key Down Down Return
sleep 1
shot timeline-web
xdotool key --clearmodifiers alt+c
sleep 0.8
key Home Return
sleep 0.8
# the newest event's detail
key ctrl+t
key Return
DETAIL=$(wait_window ' · ') || fail "the event's detail did not open"
focus_window "$DETAIL"
sleep 1
shot detail
key Escape
sleep 0.5
focus_window "$WID"
sleep 0.5

# --- B. attach to the sale and sell ---
SALES=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
key ctrl+Return
sleep 1
shot attached
scan "$CODE"
key F12
key Return          # the due, in cash
key Return          # finish
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES + 1))
SALE=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, number DESC LIMIT 1")
[ "$(q "SELECT customer_id FROM sales WHERE id = '$SALE'")" = c-joao ] || fail "the sale does not carry João"
key Return          # new sale
sleep 1

# --- C. the loyalty card scanned on the Sale page ---
scan 6040999900000042
sleep 0.5
shot card-scanned
scan "$CODE"
key F12
key Return
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES + 2))
SALE=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, number DESC LIMIT 1")
[ "$(q "SELECT customer_id FROM sales WHERE id = '$SALE'")" = c-joao ] || fail "the card did not attach João to the sale"
key Return
sleep 1

# --- D. contact data: the cashier may not reveal it, the supervisor does ---
key ctrl+4
key Return
sleep 1.5
key ctrl+i
sleep 1
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'customer.reveal'")" = 0 ] || fail "a cashier revealed contact data"
key ctrl+l
sign_in CRACHA2001
key ctrl+4
key Return
sleep 1.5
key ctrl+i
wait_for "SELECT count(*) FROM audit_log WHERE action = 'customer.reveal' AND entity_id = 'c-joao'
          AND staff_id = (SELECT id FROM staff WHERE badge_code = 'CRACHA2001')" 1
sleep 0.8
shot revealed

# the newest event now is the sale made here: its detail offers Return
# Items (focused, the sale can still be returned) and Reprint
key ctrl+t
key Return
DETAIL=$(wait_window ' · ') || fail "the sale's detail did not open"
focus_window "$DETAIL"
sleep 1
shot detail-sale
key Return
RETURN=$(wait_window 'Return Items') || fail "Return Items did not open the return dialog"
focus_window "$RETURN"
sleep 1
shot return-dialog
key Escape
sleep 0.5
focus_window "$WID"
sleep 0.5
# the web order waiting at the store: Open in Pickups shows it there, with
# its handover
key ctrl+t
key Down Down Down Down
key Return
DETAIL=$(wait_window ' · ') || fail "the order's detail did not open"
focus_window "$DETAIL"
sleep 1
shot detail-order
key Return
HANDOVER=$(wait_window '2001') || fail "Open in Pickups did not open the order's handover"
sleep 1
shot pickup-handover
focus_window "$HANDOVER"
key Escape
sleep 0.5
focus_window "$WID"
key ctrl+4
sleep 0.5

# --- E. processing restricted: no history ---
key ctrl+f
type_slowly "beatriz"
key Return
wait_for "SELECT count(*) > 0 FROM audit_log WHERE action = 'customer.view' AND entity_id = 'c-bia'" 1
sleep 1.5
shot restricted

# --- F. a long history ---
key ctrl+f
type_slowly "carlos even"
key Return
wait_for "SELECT count(*) > 0 FROM audit_log WHERE action = 'customer.view' AND entity_id = 'c-carlos'" 1
sleep 1.5
key ctrl+t
key End
sleep 1.5
shot long-history-end

# --- G. a new customer with someone else's phone ---
CUSTOMERS=$(q "SELECT count(*) FROM customers")
key Escape
key ctrl+n
EDITOR=$(wait_window 'New Customer') || fail "the customer editor did not open"
focus_window "$EDITOR"
sleep 0.8
# Enter goes on to the next field: the CPF (left empty), the phone
type_slowly "Mariana Teste"
key Return
key Return
type_slowly "21 99876 1234"
key Return
sleep 0.5
xdotool key --clearmodifiers ctrl+Return
sleep 1.5
shot editor-duplicate
[ "$(q "SELECT count(*) FROM customers")" = "$CUSTOMERS" ] || fail "saved before the duplicate was shown"
xdotool key --clearmodifiers alt+d
wait_for "SELECT count(*) FROM customers WHERE name = 'Mariana Teste'" 1
NEW=$(q "SELECT id FROM customers WHERE name = 'Mariana Teste'")
[ "$(q "SELECT phone_digits FROM customers WHERE id = '$NEW'")" = 21998761234 ] || fail "the phone was not saved"
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'customer.upsert' AND entity_id = '$NEW'")" = 1 ] \
  || fail "no customer.upsert for the new customer"
focus_window "$WID"
sleep 1.5
shot new-customer-profile

# consent asked at the counter: Edit (Ctrl+E), Enter through the fields to
# the first channel (e-mail), Space says yes, Ctrl+Enter saves
key ctrl+e
EDITOR=$(wait_window 'Edit Mariana') || fail "the editor did not open for Mariana"
focus_window "$EDITOR"
sleep 0.8
for f in 1 2 3 4 5 6 7 8; do key Return; done
key space
sleep 0.5
shot editor-consent
xdotool key --clearmodifiers ctrl+Return
wait_for "SELECT granted || '|' || source FROM customer_consents WHERE customer_id = '$NEW' AND channel = 'email'" "1|counter"
[ "$(q "SELECT count(*) FROM customer_consents WHERE customer_id = '$NEW'")" = 1 ] || fail "more consents than the one given"
[ "$(q "SELECT count(*) FROM outbox WHERE type = 'customer.upsert' AND entity_id = '$NEW'")" = 2 ] \
  || fail "the consent was not queued for the central"
focus_window "$WID"
sleep 1.5
shot consent-recorded
stop_app

# --- H. offline: the central cannot be asked, and the page says so ---
# enrolled with a central nobody answers at
q "INSERT OR REPLACE INTO settings (key, value) VALUES ('central_url', 'http://127.0.0.1:9'),
   ('sync_enrolled_at', '2026-01-01T00:00:00Z')"
[ -n "$(q "SELECT value FROM settings WHERE key = 'terminal_id'")" ] || fail "the demo terminal has no id"
printf 'bt_unreachable' >"$DB.token"
chmod 600 "$DB.token"
start_app
key ctrl+4
type_slowly "zuleica nobody"
sleep 2
shot offline-nothing-found
# quitting with sales not sent: the app asks; quit anyway
xdotool key --clearmodifiers ctrl+q
sleep 1
xdotool key --clearmodifiers alt+q
stop_app
note "ok"
