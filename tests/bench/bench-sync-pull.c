/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-sync-util.h"
#include "domain/pos-sync-wire.h"
#include "terminal/pos-sync-engine.h"

/* Pulling a catalog: a new terminal's first pull, then a day's changes.
 *
 *   bench-sync-pull [--products N] [--changed K] [--rounds R] [--limit L]
 *
 * A throwaway central (tests/integration/central-harness) imports a
 * generated catalog of N products (default 100 000) with `balcao-central
 * catalog import`. Each round enrols a fresh terminal (pos_sync_enroll)
 * and times its first pos_sync_run_once(): every page of the catalog
 * pulled, applied and committed with its cursor (target < 10 s). Then, on
 * the first terminal, each round imports K products (default 1 000) again
 * with a new price and times the pos_sync_run_once() that brings them
 * (target < 300 ms); the terminal must then hold the new prices.
 *
 * Baseline, same run: the same pull pages (the same cursors, and the
 * engine's limit of 5000 unless --limit says otherwise) fetched with plain
 * libcurl GETs, one after the other on one keep-alive connection, gzip
 * decoded and thrown away: the central's cost of
 * answering plus HTTP, without parsing or SQLite. The cursors are learnt
 * in an untimed pass first, so the timed pass is only the GETs. No
 * assertions on time. */

static guint opt_products = 100000;
static guint opt_changed = 1000;
static guint opt_rounds = 3;
static guint opt_limit = 5000;   /* the engine's page size */

/* The pull URLs from cursor, page by page, as a terminal would follow
 * them; *out_cursor is where it ends. */
static GPtrArray *
discover_pages (BenchHttp   *http,
                const char  *cursor,
                char       **out_cursor,
                guint       *out_changes)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autofree char *current = g_strdup (cursor ? cursor : "");
  gboolean more = TRUE;

  *out_changes = 0;
  while (more)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosSyncPage) page = NULL;
      g_autofree char *escaped = g_uri_escape_string (current, NULL, FALSE);
      char *path = g_strdup_printf ("/v1/sync/pull?cursor=%s&limit=%u", escaped, opt_limit);
      guint status;

      g_ptr_array_add (paths, path);
      status = bench_http_request (http, "GET", path, NULL, 0, FALSE, answer, NULL, &error);
      if (status != 200)
        bench_die ("GET %s: %u %s", path, status, error ? error->message : "");
      page = pos_sync_pull_page_parse ((const char *) answer->data, answer->len, &error);
      if (page == NULL)
        bench_die ("pull page: %s", error->message);
      *out_changes += page->changes->len;
      more = page->has_more;
      g_free (current);
      current = g_strdup (page->next_cursor);
    }
  *out_cursor = g_steal_pointer (&current);
  return paths;
}

static gint64
fetch_pages (BenchHttp *http,
             GPtrArray *paths,
             guint64   *out_bytes,
             guint64   *out_wire)
{
  guint64 before = bench_http_bytes_in (http);
  guint64 wire_before = bench_http_wire_in (http);
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      guint status = bench_http_request (http, "GET", g_ptr_array_index (paths, i), NULL, 0,
                                         FALSE, NULL, NULL, &error);
      if (status != 200)
        bench_die ("GET: %u %s", status, error ? error->message : "");
    }
  *out_bytes = bench_http_bytes_in (http) - before;
  *out_wire = bench_http_wire_in (http) - wire_before;
  return g_get_monotonic_time () - t0;
}

static gint64
local_price (PosDatabase *db,
             guint        i)
{
  g_autofree char *sku = bench_sku (i);
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  gint64 amount = -1;

  sqlite3_prepare_v2 (h, "SELECT pr.amount FROM prices pr JOIN products p ON p.id = pr.product_id "
                         "WHERE p.sku = ?1 AND pr.price_list = 'retail' ORDER BY pr.valid_from DESC LIMIT 1",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, sku, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    amount = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return amount;
}

static gboolean
parse_args (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      guint *target = NULL;

      if (g_str_equal (argv[i], "--products"))
        target = &opt_products;
      else if (g_str_equal (argv[i], "--changed"))
        target = &opt_changed;
      else if (g_str_equal (argv[i], "--rounds"))
        target = &opt_rounds;
      else if (g_str_equal (argv[i], "--limit"))
        target = &opt_limit;
      if (target == NULL || i + 1 >= argc)
        return FALSE;
      *target = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
    }
  return opt_products > 0 && opt_rounds > 0 && opt_changed > 0 &&
         (guint64) opt_changed * opt_rounds <= opt_products && opt_limit >= 1 && opt_limit <= 5000;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *enrol = NULL;
  g_autofree char *token = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(BenchHttp) http = NULL;
  g_autoptr(GPtrArray) full_paths = NULL;
  g_autoptr(GArray) import_us = bench_samples_new ();
  g_autoptr(GArray) first_us = bench_samples_new ();
  g_autoptr(GArray) first_raw_us = bench_samples_new ();
  g_autoptr(GArray) delta_import_us = bench_samples_new ();
  g_autoptr(GArray) delta_us = bench_samples_new ();
  g_autoptr(GArray) delta_raw_us = bench_samples_new ();
  CentralHarness *h = NULL;
  guint full_changes = 0, delta_changes = 0, delta_pages = 0;
  guint64 full_bytes = 0, delta_bytes = 0, full_wire = 0, delta_wire = 0;
  gint64 t0;

  if (!parse_args (argc, argv))
    {
      fprintf (stderr, "usage: bench-sync-pull [--products N] [--changed K] [--rounds R] [--limit 1..5000]\n"
                       "       (K x R must not exceed N)\n");
      return 2;
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = bench_tmpdir_new ();

  h = bench_central_start (&error);
  if (h == NULL)
    bench_die ("central: %s", error->message);
  t0 = g_get_monotonic_time ();
  if (!bench_central_import (h, dir, 1, opt_products, 0, &error))
    bench_die ("catalog import: %s", error->message);
  bench_samples_add (import_us, g_get_monotonic_time () - t0);

  /* The baseline's own terminal token: raw HTTP, none of the engine. */
  enrol = central_harness_enroll_token (h, "001", &error);
  if (enrol == NULL || !bench_enroll_http (central_harness_url (h), enrol, &token, NULL, NULL, &error))
    bench_die ("baseline enrolment: %s", error->message);
  http = bench_http_new (central_harness_url (h), token);
  full_paths = discover_pages (http, "", &cursor, &full_changes);

  /* First pulls: a fresh terminal each round. */
  for (guint r = 0; r < opt_rounds; r++)
    {
      g_autofree char *name = g_strdup_printf ("first-%u", r);
      g_autofree char *path = NULL;
      g_autoptr(PosDatabase) db = NULL;
      gint64 n;

      path = bench_terminal_new (h, dir, name, "001", TRUE, &error);
      if (path == NULL)
        bench_die ("terminal: %s", error->message);
      t0 = g_get_monotonic_time ();
      if (!pos_sync_run_once (path, NULL, &error))
        bench_die ("first pull: %s", error->message);
      bench_samples_add (first_us, g_get_monotonic_time () - t0);

      db = pos_database_open (path, &error);
      if (db == NULL)
        bench_die ("%s: %s", path, error->message);
      n = bench_db_count (db, "SELECT count(*) FROM products WHERE sku LIKE 'BENCH%'");
      if (n != (gint64) opt_products)
        bench_die ("the terminal holds %" G_GINT64_FORMAT " products, not %u", n, opt_products);
      g_clear_object (&db);

      bench_samples_add (first_raw_us, fetch_pages (http, full_paths, &full_bytes, &full_wire));

      if (r == 0)
        first_path = g_steal_pointer (&path);
      else
        {
          g_autofree char *wal = g_strconcat (path, "-wal", NULL);
          g_autofree char *shm = g_strconcat (path, "-shm", NULL);

          g_unlink (path);
          g_unlink (wal);
          g_unlink (shm);
        }
    }

  /* Deltas: K products with a new price, pulled by the first terminal. */
  for (guint r = 0; r < opt_rounds; r++)
    {
      g_autoptr(PosDatabase) db = NULL;
      g_autoptr(GPtrArray) paths = NULL;
      g_autofree char *next = NULL;
      guint first = 1 + r * opt_changed;
      gint64 bump = 100 * (gint64) (r + 1);

      t0 = g_get_monotonic_time ();
      if (!bench_central_import (h, dir, first, opt_changed, bump, &error))
        bench_die ("catalog import: %s", error->message);
      bench_samples_add (delta_import_us, g_get_monotonic_time () - t0);

      t0 = g_get_monotonic_time ();
      if (!pos_sync_run_once (first_path, NULL, &error))
        bench_die ("delta pull: %s", error->message);
      bench_samples_add (delta_us, g_get_monotonic_time () - t0);

      db = pos_database_open (first_path, &error);
      if (db == NULL)
        bench_die ("%s: %s", first_path, error->message);
      for (guint i = first; i < first + opt_changed; i += MAX (1, opt_changed / 10))
        if (local_price (db, i) != bench_price (i) + bump)
          bench_die ("product %u: price %" G_GINT64_FORMAT " at the terminal, %" G_GINT64_FORMAT " at the central",
                   i, local_price (db, i), bench_price (i) + bump);

      paths = discover_pages (http, cursor, &next, &delta_changes);
      delta_pages = paths->len;
      bench_samples_add (delta_raw_us, fetch_pages (http, paths, &delta_bytes, &delta_wire));
      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }

  printf ("pull: a catalog of %u products to a new terminal, then %u changed; %u rounds; pages of %u\n",
          opt_products, opt_changed, opt_rounds, opt_limit);
  printf ("  first pull: %u changes in %u pages, %.1f KiB of JSON, %.1f KiB gzipped on the wire\n",
          full_changes, full_paths->len, full_bytes / 1024.0, full_wire / 1024.0);
  printf ("  delta: %u changes in %u pages, %.1f KiB of JSON, %.1f KiB gzipped on the wire\n",
          delta_changes, delta_pages, delta_bytes / 1024.0, delta_wire / 1024.0);
  bench_print_header ();
  bench_print_latency ("central: catalog import of N (CLI)", import_us);
  bench_print_latency ("first pull: pos_sync_run_once", first_us);
  bench_print_latency ("baseline: same pages, libcurl GETs", first_raw_us);
  bench_print_ratio ("ratio", first_us, first_raw_us);
  bench_print_latency ("central: catalog import of K (CLI)", delta_import_us);
  bench_print_latency ("delta pull: pos_sync_run_once", delta_us);
  bench_print_latency ("baseline: same pages, libcurl GETs", delta_raw_us);
  bench_print_ratio ("ratio", delta_us, delta_raw_us);
  printf ("  first pull p50 %.2f s (target < 10 s, %.0f products/s); delta p50 %.0f ms (target < 300 ms)\n",
          bench_percentile (first_us, 50) / 1e6,
          opt_products / (bench_percentile (first_us, 50) / 1e6),
          bench_percentile (delta_us, 50) / 1e3);

  g_clear_pointer (&http, bench_http_free);
  bench_finish ();
  curl_global_cleanup ();
  return 0;
}
