#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A customer this terminal does not have yet, found at the central (issue
# 4), in the real window under Xvfb with a real balcao-central on a
# throwaway PostgreSQL (as ui-sync):
#
# 1. The web shop registers "Zuleica Andrade" at the central through the
#    channel API (a customer of no store: she does not reach the terminal
#    with the customers stream).
# 2. On the Customers page (Ctrl+4), "zuleica and" finds nobody on the
#    terminal: the page asks the central on its own (GET /v1/customers),
#    lists her as found at the central and keeps her on this terminal.
# 3. Enter opens her profile ('customer.view' audited). The call centre
#    logs a call with her at the central: it reaches the terminal by sync
#    and the open profile's history shows it (see the live-call shot).
#    She is attached to a sale (Ctrl+Enter), which is paid and carries her.
#
# Usage: test-customers-central.sh BALCAO BALCAO_CTL BALCAO_CENTRAL

BALCAO=$1
BALCAO_CTL=$2
CENTRAL=$3
SANDBOX=${BALCAO_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/scripts/central-sandbox.sh

if [ -z "${BALCAO_TEST_IN_XVFB:-}" ]; then
  export BALCAO_TEST_IN_XVFB=1
  exec xvfb-run -a -s '-screen 0 1280x800x24' sh "$0" "$@"
fi

BUILD_ROOT=${BALCAO_BUILD_DIR:-$(cd "$(dirname "$BALCAO")/../.." && pwd)}
SHOTS=${BALCAO_UI_SHOTS:-$BUILD_ROOT/meson-logs/screenshots}
TEST_NAME=ui-customers-central
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
rm -f "$SHOTS/$TEST_NAME"-*.png
WORK=$(mktemp -d /tmp/balcao-ui-customers.XXXXXX)
chmod 0755 "$WORK"
CENTRAL_PID=
CENTRAL_URL=

cleanup () {
  stop_app || true
  if [ -n "$CENTRAL_PID" ]; then
    kill "$CENTRAL_PID" 2>/dev/null || true
    wait "$CENTRAL_PID" 2>/dev/null || true
  fi
  bash "$SANDBOX" stop "$WORK/central" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# --- the store, the central, the enrolment ---
make_demo_db
mkdir -p "$WORK/central"
BALCAO_CENTRAL_CONNINFO=$(bash "$SANDBOX" start "$WORK/central" | tail -n 1) || fail "no PostgreSQL"
export BALCAO_CENTRAL_CONNINFO BALCAO_CENTRAL_PORT=0
"$CENTRAL" migrate >/dev/null 2>&1 || fail "balcao-central migrate failed"
STORE_ID=$(q "SELECT value FROM settings WHERE key = 'store_id'")
STORE_CODE=$(q "SELECT code FROM stores WHERE id = '$STORE_ID'")
"$CENTRAL" store add --id "$STORE_ID" --code "$STORE_CODE" --name "Mercado Balcão" >/dev/null || fail "store add"
"$BALCAO_CTL" --database "$DB" catalog export "$WORK/catalog.csv" >/dev/null || fail "catalog export"
"$CENTRAL" catalog import "$WORK/catalog.csv" --store "$STORE_CODE" >/dev/null 2>&1 || fail "catalog import"
"$CENTRAL" serve >>"$WORK/central.log" 2>&1 &
CENTRAL_PID=$!
i=0
until [ -n "$CENTRAL_URL" ] && curl -sf "$CENTRAL_URL/v1/health" >/dev/null 2>&1; do
  [ -n "$CENTRAL_URL" ] || CENTRAL_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$WORK/central.log" | head -n 1)
  i=$((i + 1))
  [ $i -lt 150 ] || { cat "$WORK/central.log" >&2; fail "the central did not start"; }
  sleep 0.1
done
TOKEN=$("$CENTRAL" terminal enroll --store "$STORE_CODE" --name "Caixa 01") || fail "terminal enroll"
"$BALCAO_CTL" --database "$DB" enroll "$CENTRAL_URL" "$TOKEN" >/dev/null || fail "balcao-ctl enroll"
KEY=$("$CENTRAL" channel-key add test-web-shop) || fail "channel-key add"
export BALCAO_SYNC_BACKOFF_CAP_MS=2000

# --- 1. the web shop registers a customer at the central ---
ZID=01930000-0000-7000-8000-000000000421
NOW=$(($(date +%s) * 1000))
STATUS=$(curl -s -o "$WORK/put.json" -w '%{http_code}' -X PUT \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Zuleica Andrade\",\"phone\":\"(11) 97777-1234\",\"email\":\"zuleica@example.com\",\"updated_at\":$NOW,\"consents\":[],\"identities\":[{\"channel\":\"web\",\"external_id\":\"web-zuleica\"}]}" \
  "$CENTRAL_URL/v1/channel/customers/$ZID")
[ "$STATUS" = 201 ] || { cat "$WORK/put.json" >&2; fail "the channel API did not create the customer ($STATUS)"; }

# --- 2. not on the terminal: the Customers page asks the central ---
start_app
wait_for "SELECT count(*) > 0 FROM sync_cursors" 1
sleep 1
[ "$(q "SELECT count(*) FROM customers WHERE id = '$ZID'")" = 0 ] || fail "the customer reached the terminal by sync: nothing to look up"
key ctrl+4
type_slowly "zuleica and"
wait_for "SELECT count(*) FROM customers WHERE id = '$ZID'" 1
sleep 1
shot found-at-central

# --- 3. her profile, attached to a sale ---
key Down
key Return
wait_for "SELECT count(*) > 0 FROM audit_log WHERE action = 'customer.view' AND entity_id = '$ZID'" 1
sleep 1.5
shot profile

# --- live: a call logged by the call centre reaches the open profile ---
STATUS=$(curl -s -o "$WORK/call.json" -w '%{http_code}' \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"customer_id\":\"$ZID\",\"channel\":\"call_centre\",\"kind\":\"call\",\"summary\":\"Asked whether the store has size M in stock\",\"agent\":\"Paula\"}" \
  "$CENTRAL_URL/v1/channel/interactions")
[ "$STATUS" = 201 ] || { cat "$WORK/call.json" >&2; fail "the channel API did not log the call ($STATUS)"; }
wait_for "SELECT count(*) FROM customer_events WHERE customer_id = '$ZID' AND kind = 'call'" 1
sleep 1.5
shot live-call
# refreshing the open profile is not a new look at it: one 'customer.view'
[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'customer.view' AND entity_id = '$ZID'")" = 1 ] \
  || fail "the live refresh wrote another customer.view to the audit log"
SALES=$(q "SELECT count(*) FROM sales WHERE kind = 'sale'")
key ctrl+Return
sleep 0.8
scan "$(pick_codes 1)"
key F12
key Return
key Return
wait_for "SELECT count(*) FROM sales WHERE kind = 'sale'" $((SALES + 1))
[ "$(q "SELECT customer_id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC, number DESC LIMIT 1")" = "$ZID" ] \
  || fail "the sale does not carry the customer found at the central"
key Return
wait_for "SELECT count(*) FROM outbox WHERE status = 'pending'" 0

stop_app
note "ok"
