#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, creates the demo store, starts a
# central system for it (balcao-central on a throwaway PostgreSQL, with the
# store's catalog) and enrols the terminal, then starts Balcão on it. With
# no display, runs it under Xvfb instead, walks through the main pages with
# the keyboard, saves a screenshot of each and prints where they are. The
# central and its database are removed when Balcão ends.
#
#   scripts/demo.sh                 # demo database in ~/.local/share/balcao/demo.db
#   BALCAO_DEMO_DATABASE=/tmp/x.db scripts/demo.sh
#   BALCAO_DEMO_HEADLESS=1 scripts/demo.sh   # the Xvfb tour even with a display
#   BALCAO_DEMO_OFFLINE=1 scripts/demo.sh    # no central: the terminal alone
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/install-deps.sh

if [ ! -f build-demo/build.ninja ]; then
  meson setup build-demo --buildtype=release >/dev/null
fi
ninja -C build-demo src/app/balcao src/cli/balcao-ctl src/central/balcao-central

balcao=$top/build-demo/src/app/balcao
ctl=$top/build-demo/src/cli/balcao-ctl
central=$top/build-demo/src/central/balcao-central
db=${BALCAO_DEMO_DATABASE:-${XDG_DATA_HOME:-$HOME/.local/share}/balcao/demo.db}

if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "Creating the demo store in $db ..."
  "$ctl" --database "$db" demo-data --products 20000 --customers 5000 --sales 400
fi

# The central: a throwaway PostgreSQL cluster, the demo store with the
# same id and catalog, a one-time enrolment token the terminal trades for
# its own.
central_dir=
central_pid=
demo_env=${XDG_RUNTIME_DIR:-/tmp}/balcao-demo-central.env
stop_central () {
  if [ -n "$central_dir" ]; then
    rm -f "$demo_env"
  fi
  if [ -n "$central_pid" ]; then
    kill "$central_pid" 2>/dev/null || true
    wait "$central_pid" 2>/dev/null || true
  fi
  if [ -n "$central_dir" ]; then
    scripts/central-sandbox.sh stop "$central_dir" >/dev/null 2>&1 || true
    rm -rf "$central_dir"
  fi
}
trap stop_central EXIT

if [ -z "${BALCAO_DEMO_OFFLINE:-}" ]; then
  echo "Starting a central system for the demo store ..."
  central_dir=$(mktemp -d /tmp/balcao-demo-central.XXXXXX)
  chmod 0755 "$central_dir"
  BALCAO_CENTRAL_CONNINFO=$(scripts/central-sandbox.sh start "$central_dir" | tail -n 1)
  export BALCAO_CENTRAL_CONNINFO BALCAO_CENTRAL_PORT=0
  "$central" migrate
  store_id=$(sqlite3 -batch -noheader "$db" "SELECT value FROM settings WHERE key = 'store_id';")
  IFS='|' read -r code name city <<<"$(sqlite3 -batch -noheader "$db" \
    "SELECT code, name, city FROM stores WHERE id = (SELECT value FROM settings WHERE key = 'store_id');")"
  "$central" store add --id "$store_id" --code "$code" --name "$name" --city "$city" >/dev/null
  "$ctl" --database "$db" catalog export "$central_dir/catalog.csv" >/dev/null
  "$central" catalog import "$central_dir/catalog.csv" --store "$code" >/dev/null
  "$central" serve >"$central_dir/central.log" 2>&1 &
  central_pid=$!
  url=
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$central_dir/central.log" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    cat "$central_dir/central.log" >&2
    echo "The demo central did not start." >&2
    exit 1
  fi
  token=$("$central" terminal enroll --store "$code" --name "Caixa 01")
  "$ctl" --database "$db" enroll "$url" "$token"
  # The demo's people and their PINs go up from the counter (each run's
  # central is new); Fernanda, the manager, says so with her PIN.
  echo 9999 | "$ctl" --database "$db" staff publish --as 3001 >/dev/null
  channel_key=$("$central" channel-key add demo-web-shop)
  # For scripts/demo-orders.sh: where this run's central is.
  printf 'BALCAO_CENTRAL_CONNINFO=%q\ncentral=%q\nstore_code=%q\n' \
    "$BALCAO_CENTRAL_CONNINFO" "$central" "$code" >"$demo_env"
  cat <<EOT
The central is at $url (PostgreSQL: $BALCAO_CENTRAL_CONNINFO).
A web-shop order for pickup at this store, while Balcão runs:
  curl -s -H 'Authorization: Bearer $channel_key' -H 'Content-Type: application/json' \\
    -d '{"external_ref":"WEB-1","channel":"web","fulfilment":"pickup","store_code":"$code","paid":true,"currency":"BRL","customer":{"name":"Maria Silva"},"lines":[{"sku":"$(sqlite3 -batch -noheader "$db" "SELECT sku FROM products WHERE weighed = 0 ORDER BY id LIMIT 1;")","quantity":1000,"unit_price":549}]}' \\
    $url/v1/channel/orders
Or, in another terminal, post online orders in one go (each prints its number,
pickup code and QR text; --unpaid: to be paid at the counter; --delivered: a
home delivery to bring back at the counter):
  scripts/demo-orders.sh [--count 3] [--unpaid] [--delivered]
EOT
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${BALCAO_DEMO_HEADLESS:-}" ]; then
  "$balcao" --database "$db"
  exit 0
fi

shots=${BALCAO_SCREENSHOTS:-$top/screenshots}
mkdir -p "$shots"
echo "No display: running Balcão under Xvfb and saving screenshots ..."
xvfb-run -a -s '-screen 0 1280x800x24' scripts/demo-tour.sh "$balcao" "$db" "$shots"
