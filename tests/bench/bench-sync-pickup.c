/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-sync-util.h"
#include "terminal/pos-sync-engine.h"

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

typedef struct {
  GMainLoop    *loop;
  sqlite3_stmt *lookup;
  gboolean      found;
  guint         signals;
} Waiter;

static void
check_order (Waiter *w)
{
  if (w->found)
    return;
  if (sqlite3_step (w->lookup) == SQLITE_ROW)
    w->found = TRUE;
  sqlite3_reset (w->lookup);
  if (w->found)
    g_main_loop_quit (w->loop);
}

static gboolean
on_poll (gpointer user_data)
{
  check_order (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  Waiter *w = user_data;

  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

static void
on_changes_applied (PosSyncEngine *engine,
                    GStrv          streams,
                    gpointer       user_data)
{
  Waiter *w = user_data;

  w->signals++;
  check_order (w);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_loop_for (GMainLoop *loop,
              guint      ms)
{
  g_timeout_add (ms, quit_loop, loop);
  g_main_loop_run (loop);
}

static char *
order_body (guint run,
            guint i)
{
  g_autofree char *sku1 = bench_sku (1 + i % 20);
  g_autofree char *sku2 = bench_sku (21 + i % 20);

  return g_strdup_printf ("{\"external_ref\":\"BENCH-%u-%u\",\"channel\":\"web\",\"fulfilment\":\"pickup\","
                          "\"store_code\":\"001\",\"paid\":true,\"currency\":\"BRL\","
                          "\"lines\":[{\"sku\":\"%s\",\"quantity\":1000,\"unit_price\":%" G_GINT64_FORMAT "},"
                          "{\"sku\":\"%s\",\"quantity\":2000,\"unit_price\":%" G_GINT64_FORMAT "}],"
                          "\"notes\":\"bench\"}",
                          run, i, sku1, bench_price (1 + i % 20), sku2, bench_price (21 + i % 20));
}

static char *
order_id_of (GByteArray *answer)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *order;

  if (!json_parser_load_from_data (parser, (const char *) answer->data, answer->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (order = json_object_get_object_member (json_node_get_object (root), "order")) == NULL ||
      !json_object_has_member (order, "id"))
    return NULL;
  return g_strdup (json_object_get_string_member (order, "id"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(PosSyncEngine) engine = NULL;
  g_autoptr(BenchHttp) http = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) seen_us = bench_samples_new ();
  g_autoptr(GArray) post_us = bench_samples_new ();
  g_autoptr(GArray) after_us = bench_samples_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  CentralHarness *h = NULL;
  Waiter w = { 0 };
  guint missed = 0;
  guint run = (guint) (g_get_real_time () / 1000000);
  gulong handler;

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

  h = bench_central_start (&error);
  if (h == NULL)
    bench_die ("central: %s", error->message);
  if (!bench_central_import (h, dir, 1, 50, 0, &error))
    bench_die ("catalog import: %s", error->message);
  key = central_harness_channel_key (h, &error);
  if (key == NULL)
    bench_die ("channel key: %s", error->message);
  path = bench_terminal_new (h, dir, "pickup", "001", FALSE, &error);
  if (path == NULL)
    bench_die ("terminal: %s", error->message);
  db = pos_database_open (path, &error);
  if (db == NULL)
    bench_die ("%s: %s", path, error->message);
  if (sqlite3_prepare_v2 (pos_database_get_handle (db), "SELECT 1 FROM pickup_orders WHERE id = ?1",
                          -1, &w.lookup, NULL) != SQLITE_OK)
    bench_die ("%s", sqlite3_errmsg (pos_database_get_handle (db)));
  w.loop = loop;

  engine = pos_sync_engine_new (path);
  handler = g_signal_connect (engine, "changes-applied", G_CALLBACK (on_changes_applied), &w);
  pos_sync_engine_start (engine);
  /* Let it settle into its long poll. */
  run_loop_for (loop, 1000);

  http = bench_http_new (central_harness_url (h), key);
  for (guint i = 0; i < opt_orders; i++)
    {
      g_autofree char *body = order_body (run, i);
      g_autoptr(GByteArray) answer = g_byte_array_new ();
      g_autofree char *id = NULL;
      gint64 t0, us = 0, t_post;
      guint status, poll, deadline;

      run_loop_for (loop, (guint) g_rand_int_range (rand, 20, 121));

      t0 = g_get_monotonic_time ();
      status = bench_http_request (http, "POST", "/v1/channel/orders", body, strlen (body), FALSE,
                                   answer, &us, &error);
      t_post = g_get_monotonic_time ();
      if (status != 201)
        bench_die ("POST /v1/channel/orders: %u %s%.*s", status, error ? error->message : "",
                 (int) answer->len, (const char *) answer->data);
      id = order_id_of (answer);
      if (id == NULL)
        bench_die ("channel order answer without order.id: %.*s", (int) answer->len, (const char *) answer->data);
      bench_samples_add (post_us, us);

      w.found = FALSE;
      sqlite3_bind_text (w.lookup, 1, id, -1, SQLITE_TRANSIENT);
      check_order (&w);
      if (!w.found)
        {
          poll = g_timeout_add (1, on_poll, &w);
          deadline = g_timeout_add (15000, on_deadline, &w);
          g_main_loop_run (loop);
          g_source_remove (poll);
          if (w.found)
            g_source_remove (deadline);
        }
      sqlite3_clear_bindings (w.lookup);
      if (!w.found)
        {
          missed++;
          continue;
        }
      bench_samples_add (seen_us, g_get_monotonic_time () - t0);
      bench_samples_add (after_us, g_get_monotonic_time () - t_post);
    }

  pos_sync_engine_stop (engine);
  g_signal_handler_disconnect (engine, handler);
  g_clear_object (&engine);
  sqlite3_finalize (w.lookup);

  printf ("pickup: %u web orders for pickup, channel API -> central -> running engine (long poll) -> terminal SQLite\n",
          opt_orders);
  printf ("  seen at the terminal: %u, missed (> 15 s): %u; \"changes-applied\" emitted %u times\n",
          seen_us->len, missed, w.signals);
  bench_print_header ();
  bench_print_latency ("order POSTed -> row in pickup_orders", seen_us);
  bench_print_latency ("  of which after the POST returned", after_us);
  bench_print_latency ("baseline: the POST round trip", post_us);
  bench_print_ratio ("ratio", seen_us, post_us);
  printf ("  p95 %.0f ms (target < 1000 ms)\n", bench_percentile (seen_us, 95) / 1000.0);

  g_clear_pointer (&http, bench_http_free);
  g_clear_object (&db);
  bench_finish ();
  curl_global_cleanup ();
  return missed == 0 ? 0 : 1;
}
