/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-sync-util.h"
#include "domain/pos-sync-wire.h"
#include "terminal/pos-sync-client.h"
#include "terminal/pos-sync-engine.h"

/* Pushing a backlog: sales queued offline, sent to a central on loopback.
 *
 *   bench-sync-push [--sales N] [--rounds R] [--products P] [--sold S]
 *
 * A throwaway central (tests/integration/central-harness: PostgreSQL +
 * balcao-central on a loopback port) with a generated catalog of P
 * products (default 1000); a terminal enrolled and synced. Each round
 * queues N sales (default 10 000) of 3 lines, drawn from the S best
 * sellers (default 100), with the terminal's own sale code while offline (synchronous=OFF for the setup: the payloads are
 * real, the fsyncs are not what is measured), then times
 * pos_sync_run_once(): the engine pushes the outbox in batches of <= 200
 * (gzip) and then pulls what the sales changed (stock levels). After each
 * round the central must hold exactly N more sales and the outbox nothing
 * pending.
 *
 * Baseline, same run: the same batches, built the same way
 * (pos-sync-wire's push body from the outbox rows, gzip), POSTed one after
 * the other with plain libcurl on one keep-alive connection to a sink on
 * loopback (libsoup's server: reads the body, answers 200 "{}"). That is
 * the floor of moving those bytes over HTTP; the difference is the
 * central's work (parse, one savepoint per operation, PostgreSQL) and the
 * terminal's (reading and marking the outbox). No assertions on time. */

static guint opt_sales = 10000;
static guint opt_rounds = 5;
static guint opt_products = 1000;
static guint opt_sold = 100;

static GPtrArray *
build_bodies (PosDatabase *db,
              const char  *terminal_id,
              gsize       *out_raw_bytes,
              gsize       *out_gz_bytes,
              gint64      *out_gzip_us)
{
  sqlite3 *h = pos_database_get_handle (db);
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) raw = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  GString *body = NULL;
  guint in_batch = 0;
  gint64 t0;

  *out_raw_bytes = *out_gz_bytes = 0;
  if (sqlite3_prepare_v2 (h, "SELECT op_id, seq, type, entity_id, payload, local_ts FROM outbox "
                             "WHERE status = 'pending' ORDER BY seq", -1, &stmt, NULL) != SQLITE_OK)
    bench_die ("outbox: %s", sqlite3_errmsg (h));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (body == NULL)
        body = pos_sync_push_request_begin (terminal_id);
      pos_sync_push_request_append (body,
                                    (const char *) sqlite3_column_text (stmt, 0),
                                    sqlite3_column_int64 (stmt, 1),
                                    (const char *) sqlite3_column_text (stmt, 2),
                                    (const char *) sqlite3_column_text (stmt, 3),
                                    (const char *) sqlite3_column_text (stmt, 4),
                                    sqlite3_column_int64 (stmt, 5));
      if (++in_batch == POS_SYNC_MAX_BATCH)
        {
          g_ptr_array_add (raw, pos_sync_push_request_end (g_steal_pointer (&body)));
          in_batch = 0;
        }
    }
  sqlite3_finalize (stmt);
  if (body != NULL)
    g_ptr_array_add (raw, pos_sync_push_request_end (g_steal_pointer (&body)));

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < raw->len; i++)
    {
      const char *text = g_ptr_array_index (raw, i);
      gsize len = strlen (text);
      GBytes *gz = pos_sync_gzip (text, len);

      *out_raw_bytes += len;
      *out_gz_bytes += g_bytes_get_size (gz);
      g_ptr_array_add (bodies, gz);
    }
  *out_gzip_us = g_get_monotonic_time () - t0;
  return bodies;
}

static gboolean
parse_args (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      guint *target = NULL;

      if (g_str_equal (argv[i], "--sales"))
        target = &opt_sales;
      else if (g_str_equal (argv[i], "--rounds"))
        target = &opt_rounds;
      else if (g_str_equal (argv[i], "--products"))
        target = &opt_products;
      else if (g_str_equal (argv[i], "--sold"))
        target = &opt_sold;
      if (target == NULL || i + 1 >= argc)
        return FALSE;
      *target = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
    }
  return opt_sales > 0 && opt_rounds > 0 && opt_sold >= 1 && opt_products >= opt_sold;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *terminal_id = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GArray) engine_us = bench_samples_new ();
  g_autoptr(GArray) curl_us = bench_samples_new ();
  g_autoptr(GArray) batch_us = bench_samples_new ();
  g_autoptr(GArray) queue_us = bench_samples_new ();
  g_autoptr(GArray) gzip_us = bench_samples_new ();
  CentralHarness *h = NULL;
  BenchSink *sink = NULL;
  gsize raw_bytes = 0, gz_bytes = 0;
  guint n_batches = 0;
  gint64 before;
  gint64 e50, c50;

  if (!parse_args (argc, argv))
    {
      fprintf (stderr, "usage: bench-sync-push [--sales N] [--rounds R] [--products P] [--sold S <= P]\n");
      return 2;
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = bench_tmpdir_new ();

  h = bench_central_start (&error);
  if (h == NULL)
    bench_die ("central: %s", error->message);
  if (!bench_central_import (h, dir, 1, opt_products, 0, &error))
    bench_die ("catalog import: %s", error->message);
  path = bench_terminal_new (h, dir, "push", "001", FALSE, &error);
  if (path == NULL)
    bench_die ("terminal: %s", error->message);
  db = pos_database_open (path, &error);
  if (db == NULL)
    bench_die ("%s: %s", path, error->message);
  terminal_id = pos_database_get_setting (db, "terminal_id");
  sink = bench_sink_start (&error);
  if (sink == NULL)
    bench_die ("sink: %s", error->message);

  before = bench_central_count (h, "SELECT count(*) FROM sales");
  for (guint r = 0; r < opt_rounds; r++)
    {
      g_autoptr(GPtrArray) bodies = NULL;
      g_autoptr(BenchHttp) http = bench_http_new (bench_sink_url (sink), "bt_bench");
      gint64 t0, t1, gz_us;
      gint64 pending, central;

      /* Sales offline: the central is not asked until the push. */
      t0 = g_get_monotonic_time ();
      if (!bench_queue_sales (db, opt_sales, opt_sold, &error))
        bench_die ("queueing sales: %s", error->message);
      bench_samples_add (queue_us, g_get_monotonic_time () - t0);

      bodies = build_bodies (db, terminal_id, &raw_bytes, &gz_bytes, &gz_us);
      bench_samples_add (gzip_us, gz_us);
      n_batches = bodies->len;

      t0 = g_get_monotonic_time ();
      if (!pos_sync_run_once (path, NULL, &error))
        bench_die ("pos_sync_run_once: %s", error->message);
      t1 = g_get_monotonic_time ();
      bench_samples_add (engine_us, t1 - t0);

      pending = bench_db_count (db, "SELECT count(*) FROM outbox WHERE status <> 'applied' AND status <> 'duplicate'");
      central = bench_central_count (h, "SELECT count(*) FROM sales");
      if (pending != 0 || central - before != (gint64) opt_sales * (r + 1))
        bench_die ("round %u: %" G_GINT64_FORMAT " operations not applied at the terminal; "
                 "the central has %" G_GINT64_FORMAT " sales, expected %" G_GINT64_FORMAT,
                 r + 1, pending, central - before, (gint64) opt_sales * (r + 1));

      /* The same bytes with plain libcurl to the sink. */
      t0 = g_get_monotonic_time ();
      for (guint b = 0; b < bodies->len; b++)
        {
          GBytes *gz = g_ptr_array_index (bodies, b);
          gint64 us = 0;
          guint status;

          status = bench_http_request (http, "POST", "/v1/sync/push",
                                       g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), TRUE,
                                       NULL, &us, &error);
          if (status != 200)
            bench_die ("sink: %u %s", status, error ? error->message : "");
          bench_samples_add (batch_us, us);
        }
      bench_samples_add (curl_us, g_get_monotonic_time () - t0);
    }

  {
    g_autofree char *dups = central_harness_query (h, "SELECT count(*) - count(DISTINCT id) FROM sales", NULL);
    gint64 total = bench_central_count (h, "SELECT count(*) FROM sales") - before;

    e50 = bench_percentile (engine_us, 50);
    c50 = bench_percentile (curl_us, 50);
    printf ("push: %u sales of 3 lines (from %u of %u products) queued offline, pushed to balcao-central on loopback; %u rounds\n",
            opt_sales, opt_sold, opt_products, opt_rounds);
    printf ("  per round: %u batches, %.1f KiB of JSON, %.1f KiB gzipped (%.0f bytes a sale)\n",
            n_batches, raw_bytes / 1024.0, gz_bytes / 1024.0, (double) raw_bytes / opt_sales);
    printf ("  central: %" G_GINT64_FORMAT " sales received, %s duplicated, %" G_GINT64_FORMAT " expected: %s\n",
            total, dups ? g_strstrip (dups) : "?", (gint64) opt_sales * opt_rounds,
            total == (gint64) opt_sales * opt_rounds ? "nothing lost, none twice" : "MISMATCH");
    printf ("  baseline: the same gzip bodies POSTed with libcurl, one keep-alive connection, to a loopback\n"
            "  sink (libsoup server: reads the body, answers 200 \"{}\")\n");
    bench_print_header ();
    bench_print_latency ("queue N sales (pos_sales_commit, no fsync)", queue_us);
    bench_print_latency ("gzip of the batches (pos_sync_gzip)", gzip_us);
    bench_print_latency ("pos_sync_run_once (push N, then pull)", engine_us);
    bench_print_latency ("baseline: same gzip bodies, libcurl -> sink", curl_us);
    bench_print_latency ("baseline: one batch POST to the sink", batch_us);
    bench_print_ratio ("ratio engine / baseline", engine_us, curl_us);
    printf ("  engine: %.0f sales/s at p50 (target >= 1000/s), %.1f ms a batch of %u\n",
            e50 > 0 ? opt_sales * 1e6 / e50 : 0.0,
            n_batches ? e50 / 1000.0 / n_batches : 0.0, POS_SYNC_MAX_BATCH);
    printf ("  baseline: %.0f sales/s at p50 (%.1f MiB/s of gzip)\n",
            c50 > 0 ? opt_sales * 1e6 / c50 : 0.0,
            c50 > 0 ? gz_bytes / (c50 / 1e6) / 1048576.0 : 0.0);
  }

  bench_sink_stop (sink);
  g_clear_object (&db);
  bench_finish ();
  curl_global_cleanup ();
  return 0;
}
