#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The benchmarks, on a demo store of 1 000 000 products and 1 000 000
# customers (built once into build-bench/bench-1m.db, a few minutes, then
# reused). An optimised build without sanitizers in build-bench. Each
# benchmark prints its figures next to a baseline measured in the same run:
#   catalog  barcode lookup and FTS5 prefix search p50/p99, vs LIKE '%term%'
#   commit   durable sale commit p50/p99, vs a bare write()+fsync()
#   startup  balcao to first frame and peak RSS, vs a minimal GTK 4 window
#   signin   a PIN sign-in (Argon2id, audited, durable), vs the bare hash check
#   scan     an emulated USB scan from the report reaped to the cart line
#            painted (1 000 scans), vs the same scan updating a bare label
#   sync     against a throwaway balcao-central (PostgreSQL) on loopback:
#            10 000 offline sales pushed, vs the same bodies POSTed to a sink;
#            first pull of 100 000 products and a 1 000-product delta, vs
#            the same pages fetched with plain GETs; online pickup order to
#            the terminal's SQLite, vs the POST; 100 terminals pushing and
#            pulling at once, vs as many GET /v1/health
#   print    a 50-line sale's receipt as ESC/POS and as an 80 mm PDF, vs its
#            text layout; "Pay" to the job accepted by a private cupsd
#            (raw socket:// queue), vs the same bytes sent straight with
#            libcups and vs the commit alone (skipped when cupsd cannot start)
#   customers on 1 000 000 customers and 10 000 000 timeline events (built
#            once into build-bench/bench-customers-10m.db from bench-1000000.db,
#            then reused): search p50/p95/p99 on what a clerk types, vs a
#            SELECT by rowid and a bare FTS5 word; opening a 10 000-event
#            profile to its timeline's first page, vs a bare SELECT of 50
#            events and a durable 1-row COMMIT; RSS while the timeline model
#            is walked, and while a GtkListView scrolls it to the end (1 000
#            and 10 000 events), vs a minimal GTK 4 window
# Usage: scripts/bench.sh [catalog|commit|startup|signin|scan|sync|pickups|print|customers ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/install-deps.sh

build=$top/build-bench
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release -Db_sanitize=none >/dev/null
fi
ninja -C "$build" -j2 src/app/balcao src/cli/balcao-ctl \
  tests/bench/bench-catalog tests/bench/bench-commit \
  tests/bench/bench-startup tests/bench/minimal-window \
  src/central/balcao-central tests/bench/bench-sync-push tests/bench/bench-sync-pull \
  tests/bench/bench-sync-pickup tests/bench/bench-pickups tests/bench/bench-central-load tests/bench/bench-signin \
  tests/bench/bench-scan tests/bench/bench-print \
  tests/bench/bench-customers tests/bench/bench-timeline-scroll

products=${BALCAO_BENCH_PRODUCTS:-1000000}
customers=${BALCAO_BENCH_CUSTOMERS:-1000000}
db=${BALCAO_BENCH_DB:-$build/bench-${products}.db}
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(catalog commit startup signin scan sync pickups print customers)

for b in "${which[@]}"; do
  case "$b" in
    catalog)
      echo "== catalog: $products products, $customers customers ($db)"
      "$build/tests/bench/bench-catalog" --db "$db" --products "$products" --customers "$customers"
      ;;
    commit)
      echo "== commit: durable sale commit vs write+fsync, in $build/bench-commit"
      rm -rf "$build/bench-commit"; mkdir -p "$build/bench-commit"
      "$build/tests/bench/bench-commit" "$build/bench-commit" 300
      ;;
    startup)
      echo "== startup: balcao on $db vs a minimal GTK 4 window"
      if [ ! -f "$db" ]; then
        "$build/tests/bench/bench-catalog" --db "$db" --products "$products" --customers "$customers" >/dev/null
      fi
      run=("$build/tests/bench/bench-startup" --app "$build/src/app/balcao"
           --minimal "$build/tests/bench/minimal-window" --database "$db" --runs 15)
      # GTK's default GL renderer, and cairo: with no GPU (Mesa's llvmpipe)
      # GL compiles shaders on the CPU and maps far more memory, for any
      # window, so both are shown.
      for renderer in default cairo; do
        env=(env -u GSK_RENDERER)
        [ "$renderer" = default ] || env=(env GSK_RENDERER="$renderer")
        if [ -n "${DISPLAY:-}" ]; then
          "${env[@]}" "${run[@]}"
        else
          "${env[@]}" xvfb-run -a -s '-screen 0 1280x800x24' "${run[@]}"
        fi
      done
      ;;
    signin)
      echo "== signin: PIN sign-in with the counter's Argon2id parameters vs the bare check"
      "$build/tests/bench/bench-signin" 30
      ;;
    scan)
      echo "== scan: emulated USB scan to the cart line on screen, $products products"
      if [ ! -f "$db" ]; then
        "$build/tests/bench/bench-catalog" --db "$db" --products "$products" --customers "$customers" >/dev/null
      fi
      scan=(env LD_PRELOAD=libumockdev-preload.so.0 GSK_RENDERER=cairo GTK_A11Y=none
            GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
            "$build/tests/bench/bench-scan" --db "$db" --products "$products" --scans 1000)
      if [ -n "${DISPLAY:-}" ]; then "${scan[@]}"; else xvfb-run -a -s '-screen 0 1280x800x24' "${scan[@]}"; fi
      ;;
    sync)
      # Each starts its own PostgreSQL cluster and balcao-central (the
      # integration tests' harness) and removes them afterwards.
      export BALCAO_BUILD_DIR=$build BALCAO_SOURCE_DIR=$top
      echo "== sync push: 10 000 sales queued offline"
      "$build/tests/bench/bench-sync-push" --sales 10000 --rounds 5
      echo "== sync pull: first pull of 100 000 products, then 1 000 changed"
      "$build/tests/bench/bench-sync-pull" --products 100000 --changed 1000 --rounds 3
      echo "== sync pickup: online pickup order to the counter"
      "$build/tests/bench/bench-sync-pickup" --orders 100
      echo "== sync load: 100 terminals at once"
      "$build/tests/bench/bench-central-load" --terminals 100 --sales 200 --batch 20
      ;;
    pickups)
      export BALCAO_BUILD_DIR=$build BALCAO_SOURCE_DIR=$top
      echo "== pickups: order posted -> listed in the queue; the queue page on 5 000 open orders"
      "$build/tests/bench/bench-pickups" --orders 100 --open 5000
      ;;
    print)
      echo "== print: 50-line receipts (ESC/POS, PDF 80 mm), and Pay to the job at cupsd, in $build/bench-print"
      rm -rf "$build/bench-print"; mkdir -p "$build/bench-print"
      "$build/tests/bench/bench-print" --dir "$build/bench-print" --receipts 200 --jobs 50
      ;;
    customers)
      events=${BALCAO_BENCH_EVENTS:-10000000}
      cdb=${BALCAO_BENCH_CUSTOMERS_DB:-$build/bench-customers-${events}.db}
      [ "$events" != 10000000 ] || cdb=${BALCAO_BENCH_CUSTOMERS_DB:-$build/bench-customers-10m.db}
      echo "== customers: $customers customers, $events timeline events ($cdb)"
      if [ ! -f "$cdb" ] && [ ! -f "$db" ]; then
        "$build/tests/bench/bench-catalog" --db "$db" --products "$products" --customers "$customers" >/dev/null
      fi
      "$build/tests/bench/bench-customers" --db "$cdb" --base "$db" --customers "$customers" --events "$events" \
        --iterations "${BALCAO_BENCH_ITERATIONS:-1000}"
      echo "== customers: a GtkListView scrolled over the timeline, RSS vs a minimal GTK 4 window"
      scroll=(env GSK_RENDERER=cairo GTK_A11Y=none GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
              "$build/tests/bench/bench-timeline-scroll" --db "$cdb" --base "$db" --customers "$customers"
              --events "$events" --runs 3 --minimal "$build/tests/bench/minimal-window")
      if [ -n "${DISPLAY:-}" ]; then "${scroll[@]}"; else xvfb-run -a -s '-screen 0 1280x800x24' "${scroll[@]}"; fi
      ;;
    *)
      echo "unknown benchmark: $b (catalog, commit, startup, signin, scan, sync, pickups, print, customers)" >&2
      exit 2
      ;;
  esac
done
