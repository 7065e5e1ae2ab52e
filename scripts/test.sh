#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs every test (unit, integration, UI
# under Xvfb, benchmark smoke runs). Ends with "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

if [ ! -f build/build.ninja ]; then
  meson setup build -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized
fi
ninja -C build

status=0
meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 2 "$@" || status=$?

scripts/test-summary.py build/meson-logs/testlog.json || status=1
exit $status
