#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Posts online orders to the demo's central while scripts/demo.sh runs, as
# the web shop, the app or a marketplace would: they reach the counter's
# Pickups page within a second. Each order prints its number, its pickup
# code and the text of the customer's QR code (scan or type it at the
# counter to hand the order over).
#
#   scripts/demo-orders.sh                  # 3 paid pickup orders from the web shop
#   scripts/demo-orders.sh --count 5 --unpaid --channel app
#   scripts/demo-orders.sh --delivered      # a web order delivered to the customer's home,
#                                           # to bring back at the counter (Ctrl+Shift+R)
set -euo pipefail

env_file=${XDG_RUNTIME_DIR:-/tmp}/balcao-demo-central.env
if [ ! -f "$env_file" ]; then
  echo "No demo central is running: start scripts/demo.sh first (not with BALCAO_DEMO_OFFLINE=1)." >&2
  exit 1
fi
# BALCAO_CENTRAL_CONNINFO, central, store_code
# shellcheck source=/dev/null
. "$env_file"
export BALCAO_CENTRAL_CONNINFO

if [ $# -eq 0 ]; then
  set -- --count 3
fi
exec "$central" order post --store "$store_code" "$@"
