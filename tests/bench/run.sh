#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Catalog benchmark on a demo store (default 1 000 000 products and
# customers). Builds an optimised, sanitizer-free build in build-bench
# unless BUILD is set. Extra arguments go to bench-catalog, e.g.
#   tests/bench/run.sh --products 100000
#   tests/bench/run.sh --db /var/tmp/balcao-1m.db   (reused on the next run)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build-release}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$here" -Dbuildtype=release -Db_sanitize=none >/dev/null
fi
ninja -C "$build" -j"${JOBS:-2}" tests/bench/bench-catalog
exec "$build/tests/bench/bench-catalog" "$@"
