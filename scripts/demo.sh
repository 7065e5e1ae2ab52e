#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, creates the demo store and starts
# Balcão on it. With no display, runs it under Xvfb instead, walks through
# the main pages with the keyboard, saves a screenshot of each and prints
# where they are.
#
#   scripts/demo.sh                 # demo database in ~/.local/share/balcao/demo.db
#   BALCAO_DEMO_DATABASE=/tmp/x.db scripts/demo.sh
#   BALCAO_DEMO_HEADLESS=1 scripts/demo.sh   # the Xvfb tour even with a display
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/install-deps.sh

if [ ! -f build-demo/build.ninja ]; then
  meson setup build-demo --buildtype=release >/dev/null
fi
ninja -C build-demo src/app/balcao src/cli/balcao-ctl

balcao=$top/build-demo/src/app/balcao
ctl=$top/build-demo/src/cli/balcao-ctl
db=${BALCAO_DEMO_DATABASE:-${XDG_DATA_HOME:-$HOME/.local/share}/balcao/demo.db}

if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "Creating the demo store in $db ..."
  "$ctl" --database "$db" demo-data --products 20000 --customers 5000 --sales 400
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${BALCAO_DEMO_HEADLESS:-}" ]; then
  exec "$balcao" --database "$db"
fi

shots=${BALCAO_SCREENSHOTS:-$top/screenshots}
mkdir -p "$shots"
echo "No display: running Balcão under Xvfb and saving screenshots ..."
xvfb-run -a -s '-screen 0 1280x800x24' scripts/demo-tour.sh "$balcao" "$db" "$shots"
