/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-pickup-flow.h"

/* An online pickup order reaching the counter.
 *
 *   bench-sync-pickup [--orders N]
 *
 * A throwaway central (tests/integration/central-harness) with a small
 * generated catalog, a channel API key, and a terminal enrolled and synced.
 * A PosSyncEngine runs in this process (its own thread, holding the
 * long-poll `wait` open) and a GMainLoop runs here. For each of N orders
 * (default 100), one at a time, 20-120 ms apart: POST /v1/channel/orders
 * (a web order, fulfilment pickup at the terminal's store) with plain
 * libcurl, then wait, on the main loop, until the order is a row of the
 * terminal's pickup_orders, looked up on this process' own SQLite
 * connection every millisecond and at every "changes-applied". The time
 * is from just before the POST to the row being seen (target p95 < 1 s).
 *
 * Baseline, same run: the round trip of each POST itself. No assertions
 * on time; an order not seen within 15 s is counted as missed. */

static guint opt_orders = 100;

/* The order is a row of the terminal's pickup_orders. */
static gboolean
order_row_seen (const char *id,
                gpointer    user_data)
{
  sqlite3_stmt *lookup = user_data;
  gboolean found;

  sqlite3_bind_text (lookup, 1, id, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (lookup) == SQLITE_ROW;
  sqlite3_reset (lookup);
  sqlite3_clear_bindings (lookup);
  return found;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  g_autoptr(PosDatabase) db = NULL;
  CentralHarness *h;
  sqlite3_stmt *lookup = NULL;
  BenchOrderFigures f = { 0 };

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--orders") && i + 1 < argc)
        opt_orders = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else
        {
          fprintf (stderr, "usage: bench-sync-pickup [--orders N]\n");
          return 2;
        }
    }
  if (opt_orders == 0)
    opt_orders = 1;
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = bench_tmpdir_new ();

  h = bench_pickup_setup (dir, &key, &path, &db);
  if (sqlite3_prepare_v2 (pos_database_get_handle (db), "SELECT 1 FROM pickup_orders WHERE id = ?1",
                          -1, &lookup, NULL) != SQLITE_OK)
    bench_die ("%s", sqlite3_errmsg (pos_database_get_handle (db)));

  bench_pickup_orders_run (h, key, path, opt_orders, "id", order_row_seen, lookup, &f);
  sqlite3_finalize (lookup);

  bench_order_figures_print (&f, opt_orders, "pickup", "terminal SQLite", "row in pickup_orders");

  g_clear_object (&db);
  bench_finish ();
  curl_global_cleanup ();
  bench_order_figures_clear (&f);
  return f.missed == 0 ? 0 : 1;
}
