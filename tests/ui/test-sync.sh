#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The sync state as a cashier sees it, in the real window under Xvfb, with
# a real balcao-central on a throwaway PostgreSQL:
#
# 1. The terminal is enrolled (balcao-ctl enroll) and the app starts: the
#    header says "Online". A sale (one scan, F12, Enter, Enter) reaches the
#    central: its sales table holds it once.
# 2. The central stops. Another sale is made: the counter keeps selling,
#    the outbox holds it, the header says "Offline since HH:MM · 1 to
#    send", and Ctrl+Shift+D lists it as waiting to be sent.
# 3. The central comes back on the same port; Ctrl+Shift+S (Sync Now):
#    the central holds both sales, each once, and the outbox is drained.
# 4. The central stops again; a third sale; Ctrl+Q warns that it was not
#    sent and Escape keeps Balcão open; the operation is still in the
#    outbox (never discarded).
#
# Usage: test-sync.sh BALCAO BALCAO_CTL BALCAO_CENTRAL

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
TEST_NAME=ui-sync
. "$(dirname "$0")/ui-lib.sh"

mkdir -p "$SHOTS"
rm -f "$SHOTS/$TEST_NAME"-*.png
WORK=$(mktemp -d /tmp/balcao-ui-sync.XXXXXX)
chmod 0755 "$WORK"
CENTRAL_PID=
CENTRAL_URL=

stop_central () {
  if [ -n "$CENTRAL_PID" ]; then
    kill "$CENTRAL_PID" 2>/dev/null || true
    wait "$CENTRAL_PID" 2>/dev/null || true
  fi
  CENTRAL_PID=
}

cleanup () {
  stop_app || true
  stop_central
  bash "$SANDBOX" stop "$WORK/central" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The central's answer to a SQL question.
cq () {
  psql "$BALCAO_CENTRAL_CONNINFO" -XAtqc "$1"
}

start_central () {
  "$CENTRAL" serve >>"$WORK/central.log" 2>&1 &
  CENTRAL_PID=$!
  i=0
  until [ -n "$CENTRAL_URL" ] && curl -sf "$CENTRAL_URL/v1/health" >/dev/null 2>&1; do
    if [ -z "$CENTRAL_URL" ]; then
      CENTRAL_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$WORK/central.log" | head -n 1)
    fi
    i=$((i + 1))
    [ $i -lt 150 ] || { cat "$WORK/central.log" >&2; fail "the central did not start"; }
    sleep 0.1
  done
  # the next start takes the same port
  BALCAO_CENTRAL_PORT=${CENTRAL_URL##*:}
  export BALCAO_CENTRAL_PORT
}

central_wait_for () {
  sql=$1
  want=$2
  i=0
  while [ $i -lt 300 ]; do
    got=$(cq "$sql")
    [ "$got" = "$want" ] && return 0
    sleep 0.1
    i=$((i + 1))
  done
  fail "at the central, waited for [$sql] = $want, got $got"
}

# One product, paid with the prefilled due in cash, finished; back to the
# main window.
sell () {
  scan "$1"
  key F12
  sleep 0.5
  key Return
  key Return
  key Return
  sleep 0.5
  focus_window "$WID"
}

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
start_central
TOKEN=$("$CENTRAL" terminal enroll --store "$STORE_CODE" --name "Caixa 01") || fail "terminal enroll"
"$BALCAO_CTL" --database "$DB" enroll "$CENTRAL_URL" "$TOKEN" >/dev/null || fail "balcao-ctl enroll"
note "central $CENTRAL_URL, store $STORE_CODE"

CODES=$(pick_codes 3)
CODE1=$(echo "$CODES" | sed -n 1p)
CODE2=$(echo "$CODES" | sed -n 2p)
CODE3=$(echo "$CODES" | sed -n 3p)

# Retries are quick here: the test must not wait minutes of backoff.
export BALCAO_SYNC_BACKOFF_CAP_MS=2000

# --- 1. online: a sale reaches the central once ---
start_app
wait_for "SELECT count(*) > 0 FROM sync_cursors" 1
sleep 1
shot online
sell "$CODE1"
SALE1=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC LIMIT 1")
central_wait_for "SELECT count(*) FROM sales WHERE id = '$SALE1'" 1
wait_for "SELECT count(*) FROM outbox WHERE status = 'pending'" 0
shot sent

# --- 2. the central goes away: the counter keeps selling ---
stop_central
sell "$CODE2"
SALE2=$(q "SELECT id FROM sales WHERE kind = 'sale' ORDER BY created_at DESC LIMIT 1")
[ "$SALE2" != "$SALE1" ] || fail "the second sale was not saved"
wait_for "SELECT count(*) FROM outbox WHERE status = 'pending' AND entity_id = '$SALE2'" 1
sleep 3
shot offline
key ctrl+shift+d
sleep 1
shot offline-details
key Escape
focus_window "$WID"

# --- 3. the central is back: Sync Now drains the outbox, once ---
start_central
key ctrl+shift+s
central_wait_for "SELECT count(*) FROM sales WHERE id IN ('$SALE1', '$SALE2')" 2
wait_for "SELECT count(*) FROM outbox WHERE status = 'pending'" 0
sleep 1
shot back-online
[ "$(cq "SELECT count(*) FROM applied_ops")" = "$(q "SELECT count(*) FROM outbox WHERE status IN ('applied', 'duplicate')")" ] \
  || fail "the central applied a different number of operations than the terminal sent"

# --- 4. quitting with unsent work warns and keeps it ---
stop_central
sell "$CODE3"
wait_for "SELECT count(*) FROM outbox WHERE status = 'pending' AND type = 'sale.create'" 1
xdotool key --clearmodifiers ctrl+q
sleep 1.5
shot quit-warning
kill -0 "$APP_PID" 2>/dev/null || fail "Balcão quit without warning about the unsent sale"
key Escape
sleep 0.5
kill -0 "$APP_PID" 2>/dev/null || fail "Escape on the warning quit Balcão"
[ "$(q "SELECT count(*) FROM outbox WHERE status = 'pending' AND type = 'sale.create'")" = 1 ] || fail "the unsent sale left the outbox"
note "ok"
