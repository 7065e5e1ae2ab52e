/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-pickup-flow.h"
#include "terminal/pos-pickups.h"

/* The pickup queue at the counter.
 *
 *   bench-pickups [--orders N] [--open M]
 *
 * 1. An order posted on the channel API until the clerk sees it in the
 * queue: as bench-sync-pickup, but "seen" is the order being listed by
 * pos_pickups_list (the group "New", searched by its number), which is
 * what the queue page asks.
 *
 * 2. The queue page opening on M open orders (default 5 000, target
 * < 100 ms): pos_pickups_count and the first page (50) of the biggest
 * group, 50 times.
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
static guint opt_open = 5000;

/* The order is listed in the queue's group "New", searched by its number. */
static gboolean
order_listed (const char *number,
              gpointer    user_data)
{
  g_autoptr(GPtrArray) list = pos_pickups_list (user_data, POS_PICKUP_GROUP_NEW, number, 1, NULL);

  return list != NULL && list->len == 1;
}

/* M open orders spread over the open states, then the queue page's
 * queries timed. */
static void
bench_queue (PosDatabase *db)
{
  static const char * const states[] = { "PLACED", "ALLOCATED", "PICKING", "READY_FOR_PICKUP", "ON_HOLD",
                                         "READY_FOR_PICKUP", "PARTIALLY_PICKED_UP", "READY_FOR_PICKUP" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) page_us = bench_samples_new ();
  g_autofree char *store = pos_database_get_setting (db, "store_id");
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *order = NULL, *line = NULL;
  gint64 now = g_get_real_time () / 1000;
  guint counts[POS_PICKUP_N_GROUPS];

  if (!pos_database_begin (db, &error))
    bench_die ("%s", error->message);
  if (sqlite3_prepare_v2 (h, "INSERT INTO pickup_orders (id, number, store_id, customer_name, customer_phone, channel, "
                          "state, version, paid, total, currency, placed_at, ready_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, '+55 11 91234-5678', 'web', ?5, 3, 1, 4990, 'BRL', ?6, ?7, ?6)",
                          -1, &order, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (h, "INSERT INTO pickup_order_lines (order_id, line_no, sku, name, quantity, unit_price) "
                          "VALUES (?1, ?2, 'BENCH', 'Bench item', 1000, 2495)", -1, &line, NULL) != SQLITE_OK)
    bench_die ("%s", sqlite3_errmsg (h));
  for (guint i = 0; i < opt_open; i++)
    {
      g_autofree char *id = g_strdup_printf ("queue-%u", i);
      g_autofree char *number = g_strdup_printf ("Q%06u", i);
      g_autofree char *name = g_strdup_printf ("Customer %u", i);
      const char *state = states[i % G_N_ELEMENTS (states)];

      sqlite3_bind_text (order, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (order, 2, number, -1, SQLITE_STATIC);
      sqlite3_bind_text (order, 3, store, -1, SQLITE_STATIC);
      sqlite3_bind_text (order, 4, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (order, 5, state, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (order, 6, now - (gint64) (i % 500) * 3600000);
      if (g_str_equal (state, "READY_FOR_PICKUP") || g_str_equal (state, "PARTIALLY_PICKED_UP"))
        sqlite3_bind_int64 (order, 7, now - (gint64) (i % 100) * 3600000);
      else
        sqlite3_bind_null (order, 7);
      if (sqlite3_step (order) != SQLITE_DONE)
        bench_die ("%s", sqlite3_errmsg (h));
      sqlite3_reset (order);
      for (int l = 1; l <= 2; l++)
        {
          sqlite3_bind_text (line, 1, id, -1, SQLITE_STATIC);
          sqlite3_bind_int (line, 2, l);
          if (sqlite3_step (line) != SQLITE_DONE)
            bench_die ("%s", sqlite3_errmsg (h));
          sqlite3_reset (line);
        }
    }
  sqlite3_finalize (order);
  sqlite3_finalize (line);
  if (!pos_database_commit (db, &error))
    bench_die ("%s", error->message);
  pos_database_exec (db, "ANALYZE", NULL);

  for (guint r = 0; r < 50; r++)
    {
      g_autoptr(GPtrArray) page = NULL;
      gint64 t0 = g_get_monotonic_time ();
      guint biggest = 0;

      if (!pos_pickups_count (db, counts, &error))
        bench_die ("%s", error->message);
      for (guint g = 0; g < POS_PICKUP_N_GROUPS; g++)
        if (counts[g] > counts[biggest])
          biggest = g;
      page = pos_pickups_list (db, biggest, NULL, 50, &error);
      if (page == NULL)
        bench_die ("%s", error->message);
      bench_samples_add (page_us, g_get_monotonic_time () - t0);
    }
  printf ("pickups: the queue page on %u open orders (+ the orders above): count every group + first page of 50\n",
          opt_open);
  printf ("  new %u, picking %u, ready %u, overdue %u, on hold %u, partial %u\n",
          counts[POS_PICKUP_GROUP_NEW], counts[POS_PICKUP_GROUP_PICKING], counts[POS_PICKUP_GROUP_READY],
          counts[POS_PICKUP_GROUP_OVERDUE], counts[POS_PICKUP_GROUP_ON_HOLD], counts[POS_PICKUP_GROUP_PARTIAL]);
  bench_print_header ();
  bench_print_latency ("count + first page", page_us);
  printf ("  p95 %.1f ms (target < 100 ms)\n", bench_percentile (page_us, 95) / 1000.0);
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
  BenchOrderFigures f = { 0 };

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--orders") && i + 1 < argc)
        opt_orders = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--open") && i + 1 < argc)
        opt_open = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else
        {
          fprintf (stderr, "usage: bench-pickups [--orders N] [--open M]\n");
          return 2;
        }
    }
  if (opt_orders == 0)
    opt_orders = 1;
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = bench_tmpdir_new ();

  h = bench_pickup_setup (dir, &key, &path, &db);
  bench_pickup_orders_run (h, key, path, opt_orders, "number", order_listed, db, &f);
  bench_order_figures_print (&f, opt_orders, "pickups", "the queue", "listed in the queue");

  bench_queue (db);

  g_clear_object (&db);
  bench_finish ();
  curl_global_cleanup ();
  bench_order_figures_clear (&f);
  return f.missed == 0 ? 0 : 1;
}
