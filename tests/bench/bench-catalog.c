/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/pos-catalog.h"
#include "terminal/pos-demo-data.h"

/* Catalog benchmark: barcode lookup, FTS5 prefix search, and the
 * LIKE '%term%' search many POS use, on a demo store of N products and
 * N customers (default 1 000 000).
 *
 *   bench-catalog [--products N] [--customers N] [--sales N] [--lookups K]
 *                 [--like-queries K] [--db PATH] [--seed S]
 *
 * With --db, an existing demo database at PATH is reused (built there
 * when missing); without it a temporary one is built and deleted. */

static guint64 opt_products = 1000000;
static guint64 opt_customers = 0;     /* 0: same as products */
static guint64 opt_sales = 0;         /* 0: min (products / 20, 20000) */
static guint64 opt_lookups = 5000;
static guint64 opt_like = 0;          /* 0: chosen from the size */
static guint64 opt_seed = 1;
static char *opt_db = NULL;

static int
cmp_i64 (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

typedef struct {
  const char *name;
  guint       n;
  double      p50_ms;
  double      p99_ms;
  double      max_ms;
  double      mean_ms;
} Stats;

static Stats
stats_of (const char *name,
          gint64     *us,
          guint       n)
{
  Stats s = { name, n, 0, 0, 0, 0 };
  double sum = 0;

  if (n == 0)
    return s;
  qsort (us, n, sizeof (gint64), cmp_i64);
  for (guint i = 0; i < n; i++)
    sum += (double) us[i];
  s.p50_ms = us[n / 2] / 1000.0;
  s.p99_ms = us[MIN (n - 1, (guint) ((n * 99 + 99) / 100) - 1)] / 1000.0;
  s.max_ms = us[n - 1] / 1000.0;
  s.mean_ms = sum / n / 1000.0;
  return s;
}

static void
print_row (const Stats *s)
{
  printf ("  %-40s %7u %10.3f %10.3f %10.3f %10.3f\n", s->name, s->n, s->mean_ms, s->p50_ms, s->p99_ms, s->max_ms);
}

static void
on_progress (const char *what,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  static char last[64];
  static guint last_pct = 101;
  guint pct = total ? (guint) (done * 100 / total) : 100;
  gint64 *start = user_data;

  if (g_strcmp0 (last, what) == 0 && pct / 10 == last_pct / 10 && done != total)
    return;
  g_strlcpy (last, what, sizeof last);
  last_pct = pct;
  fprintf (stderr, "  %-14s %10" G_GUINT64_FORMAT " / %-10" G_GUINT64_FORMAT " %5.1f s\n",
           what, done, total, (g_get_monotonic_time () - *start) / 1e6);
}

static gint64
scalar (PosDatabase *db,
        const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

/* Realistic queries: 3-6 letter prefixes of words of real product names,
 * typed without accents, one word (most) or two. */
static GPtrArray *
make_queries (PosDatabase *db,
              GRand       *rand,
              guint        n,
              gint64       max_id)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  sqlite3_prepare_v2 (pos_database_get_handle (db), "SELECT name FROM products WHERE id = ?1", -1, &stmt, NULL);
  while (queries->len < n)
    {
      g_autofree char *ascii = NULL;
      g_auto(GStrv) words = NULL;
      g_autoptr(GPtrArray) good = g_ptr_array_new ();
      GString *q;
      guint n_words;

      sqlite3_bind_int64 (stmt, 1, g_rand_int_range (rand, 1, (gint32) max_id + 1));
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          continue;
        }
      ascii = g_str_to_ascii ((const char *) sqlite3_column_text (stmt, 0), "C");
      sqlite3_reset (stmt);
      words = g_strsplit_set (ascii, " -.,'", -1);
      for (guint i = 0; words[i] != NULL; i++)
        {
          gboolean letters = strlen (words[i]) >= 3;
          for (const char *c = words[i]; *c && letters; c++)
            letters = g_ascii_isalpha (*c);
          if (letters)
            g_ptr_array_add (good, words[i]);
        }
      if (good->len == 0)
        continue;

      q = g_string_new (NULL);
      n_words = (good->len >= 2 && g_rand_int_range (rand, 0, 4) == 0) ? 2 : 1;
      for (guint w = 0; w < n_words; w++)
        {
          const char *word = g_ptr_array_index (good, g_rand_int_range (rand, 0, good->len));
          guint len = (guint) g_rand_int_range (rand, 3, 7);
          g_autofree char *lower = g_ascii_strdown (word, -1);

          len = MIN (len, (guint) strlen (lower));
          if (w > 0)
            g_string_append_c (q, ' ');
          g_string_append_len (q, lower, len);
        }
      g_ptr_array_add (queries, g_string_free (q, FALSE));
    }
  sqlite3_finalize (stmt);
  return queries;
}

static gint64 *
measure_ids (PosDatabase *db,
             GPtrArray   *queries,
             guint64      n,
             const char  *sql)
{
  gint64 *t = g_new0 (gint64, MAX (n, 1));
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (pos_database_get_handle (db)));
  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) words = g_strsplit (g_ptr_array_index (queries, i), " ", -1);
      g_autoptr(GString) q = g_string_new (NULL);
      gint64 t0;

      for (guint w = 0; words[w] != NULL; w++)
        g_string_append_printf (q, "%s\"%s\"*", w ? " " : "", words[w]);
      t0 = g_get_monotonic_time ();
      sqlite3_bind_text (stmt, 1, q->str, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        ;
      sqlite3_reset (stmt);
      t[i] = g_get_monotonic_time () - t0;
    }
  sqlite3_finalize (stmt);
  return t;
}

static gboolean
parse_args (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      guint64 *target = NULL;

      if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        {
          opt_db = g_strdup (argv[++i]);
          continue;
        }
      if (g_str_equal (argv[i], "--products")) target = &opt_products;
      else if (g_str_equal (argv[i], "--customers")) target = &opt_customers;
      else if (g_str_equal (argv[i], "--sales")) target = &opt_sales;
      else if (g_str_equal (argv[i], "--lookups")) target = &opt_lookups;
      else if (g_str_equal (argv[i], "--like-queries")) target = &opt_like;
      else if (g_str_equal (argv[i], "--seed")) target = &opt_seed;
      if (target == NULL || i + 1 >= argc ||
          !g_ascii_string_to_unsigned (argv[i + 1], 10, 0, 100000000, target, NULL))
        {
          fprintf (stderr, "usage: %s [--products N] [--customers N] [--sales N] [--lookups K] "
                           "[--like-queries K] [--db PATH] [--seed S]\n", argv[0]);
          return FALSE;
        }
      i++;
    }
  if (opt_customers == 0)
    opt_customers = opt_products;
  if (opt_sales == 0)
    opt_sales = MIN (opt_products / 20, 20000);
  if (opt_like == 0)
    opt_like = opt_products >= 200000 ? 100 : MIN (opt_lookups, 1000);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) queries = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_autofree gint64 *t_lookup = NULL;
  g_autofree gint64 *t_fts = NULL;
  g_autofree gint64 *t_like = NULL;
  g_autofree gint64 *t_naive = NULL;
  g_autofree gint64 *t_capped = NULL;
  gint64 n_products, demo_us = -1, start;
  guint64 fts_hits = 0, like_hits = 0, naive_n;
  Stats s_lookup, s_fts, s_like, s_naive, s_capped, s_fts_same;
  gboolean ok_lookup, ok_fts;

  if (!parse_args (argc, argv))
    return 2;

  if (opt_db != NULL)
    path = g_strdup (opt_db);
  else
    {
      tmpdir = g_dir_make_tmp ("balcao-bench-XXXXXX", &error);
      if (tmpdir == NULL)
        {
          fprintf (stderr, "bench-catalog: %s\n", error->message);
          return 1;
        }
      path = g_build_filename (tmpdir, "bench.db", NULL);
    }

  db = pos_database_open (path, &error);
  if (db == NULL)
    {
      fprintf (stderr, "bench-catalog: %s\n", error->message);
      return 1;
    }

  n_products = scalar (db, "SELECT count(*) FROM products");
  if (n_products <= 0)
    {
      fprintf (stderr, "Building demo data: %" G_GUINT64_FORMAT " products, %" G_GUINT64_FORMAT
               " customers, %" G_GUINT64_FORMAT " sales into %s\n", opt_products, opt_customers, opt_sales, path);
      start = g_get_monotonic_time ();
      if (!pos_demo_data_generate (db, opt_products, opt_customers, opt_sales, (guint32) opt_seed,
                                   on_progress, &start, &error))
        {
          fprintf (stderr, "bench-catalog: %s\n", error->message);
          return 1;
        }
      demo_us = g_get_monotonic_time () - start;
      n_products = scalar (db, "SELECT count(*) FROM products");
    }
  else
    fprintf (stderr, "Reusing %s (%" G_GINT64_FORMAT " products)\n", path, n_products);

  if (n_products <= 0)
    {
      fprintf (stderr, "bench-catalog: the database has no products\n");
      return 1;
    }

  rand = g_rand_new_with_seed (4242);

  /* Barcodes of random products. */
  {
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2 (pos_database_get_handle (db),
                        "SELECT code FROM product_barcodes WHERE product_id = ?1 LIMIT 1", -1, &stmt, NULL);
    while (codes->len < opt_lookups)
      {
        sqlite3_bind_int64 (stmt, 1, g_rand_int_range (rand, 1, (gint32) n_products + 1));
        if (sqlite3_step (stmt) == SQLITE_ROW)
          g_ptr_array_add (codes, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
        sqlite3_reset (stmt);
      }
    sqlite3_finalize (stmt);
  }
  queries = make_queries (db, rand, (guint) opt_lookups, n_products);

  /* Warm the cache a little, as a running terminal would be. */
  for (guint i = 0; i < MIN (50u, codes->len); i++)
    {
      g_autoptr(PosProduct) p = pos_catalog_lookup_barcode (db, g_ptr_array_index (codes, i), NULL);
      g_autoptr(GPtrArray) r = pos_catalog_search (db, g_ptr_array_index (queries, i), 20, NULL);
    }

  t_lookup = g_new0 (gint64, codes->len);
  for (guint i = 0; i < codes->len; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(PosProduct) p = pos_catalog_lookup_barcode (db, g_ptr_array_index (codes, i), &error);
      t_lookup[i] = g_get_monotonic_time () - t0;
      if (p == NULL)
        {
          fprintf (stderr, "bench-catalog: lookup of %s failed: %s\n",
                   (const char *) g_ptr_array_index (codes, i), error->message);
          return 1;
        }
    }

  t_fts = g_new0 (gint64, queries->len);
  for (guint i = 0; i < queries->len; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GPtrArray) r = pos_catalog_search (db, g_ptr_array_index (queries, i), 20, &error);
      t_fts[i] = g_get_monotonic_time () - t0;
      if (r == NULL)
        {
          fprintf (stderr, "bench-catalog: search failed: %s\n", error->message);
          return 1;
        }
      fts_hits += r->len > 0;
    }

  /* The ranking strategies alone (row ids only): bm25 over every match
   * and a sort, against bm25 over the first candidates only. */
  naive_n = MIN ((guint64) queries->len, opt_like * 4);
  t_naive = measure_ids (db, queries, naive_n,
                         "SELECT rowid FROM product_search WHERE product_search MATCH ?1 ORDER BY rank LIMIT 20");
  t_capped = measure_ids (db, queries, naive_n,
                          "SELECT id FROM (SELECT rowid AS id, bm25 (product_search, 10.0, 4.0, 1.0) AS s "
                          "FROM product_search WHERE product_search MATCH ?1 LIMIT 200) ORDER BY s LIMIT 20");

  t_like = g_new0 (gint64, opt_like);
  for (guint i = 0; i < opt_like && i < queries->len; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GPtrArray) r = pos_catalog_search_like (db, g_ptr_array_index (queries, i), 20, &error);
      t_like[i] = g_get_monotonic_time () - t0;
      if (r == NULL)
        {
          fprintf (stderr, "bench-catalog: LIKE search failed: %s\n", error->message);
          return 1;
        }
      like_hits += r->len > 0;
    }

  /* FTS over exactly the queries LIKE ran, for a fair ratio. */
  {
    g_autofree gint64 *same = g_memdup2 (t_fts, sizeof (gint64) * MIN (opt_like, (guint64) queries->len));
    s_fts_same = stats_of ("FTS5 (same queries as LIKE)", same, (guint) MIN (opt_like, (guint64) queries->len));
  }
  s_lookup = stats_of ("barcode lookup (index)", t_lookup, codes->len);
  s_fts = stats_of ("FTS5 prefix search, capped rank", t_fts, queries->len);
  s_naive = stats_of ("  ids: bm25 rank of all matches + sort", t_naive, (guint) naive_n);
  s_capped = stats_of ("  ids: bm25 of first 200 candidates", t_capped, (guint) naive_n);
  s_like = stats_of ("LIKE '%term%' ORDER BY name", t_like, (guint) MIN (opt_like, (guint64) queries->len));

  ok_lookup = s_lookup.p99_ms < 1.0;
  ok_fts = s_fts.p99_ms < 10.0;

  printf ("\nBalcão catalog benchmark: %" G_GINT64_FORMAT " products, %" G_GINT64_FORMAT " customers (%s)\n",
          n_products, scalar (db, "SELECT count(*) FROM customers"), path);
  if (demo_us >= 0)
    printf ("  demo-data generation: %.1f s (%" G_GUINT64_FORMAT " products, %" G_GUINT64_FORMAT " customers, %"
            G_GUINT64_FORMAT " sales)\n", demo_us / 1e6, opt_products, opt_customers, opt_sales);
  printf ("  sample queries: \"%s\", \"%s\", \"%s\", \"%s\"\n",
          (char *) g_ptr_array_index (queries, 0), (char *) g_ptr_array_index (queries, 1),
          (char *) g_ptr_array_index (queries, 2), (char *) g_ptr_array_index (queries, 3));
  printf ("\n  %-40s %7s %10s %10s %10s %10s\n", "operation", "n", "mean ms", "p50 ms", "p99 ms", "max ms");
  print_row (&s_lookup);
  print_row (&s_fts);
  print_row (&s_naive);
  print_row (&s_capped);
  print_row (&s_fts_same);
  print_row (&s_like);
  printf ("\n  queries with results: FTS %" G_GUINT64_FORMAT "/%u, LIKE %" G_GUINT64_FORMAT "/%u\n",
          fts_hits, queries->len, like_hits, s_like.n);
  printf ("  ratio LIKE / FTS (same queries): p50 %.0fx, p99 %.0fx\n",
          s_fts_same.p50_ms > 0 ? s_like.p50_ms / s_fts_same.p50_ms : 0,
          s_fts_same.p99_ms > 0 ? s_like.p99_ms / s_fts_same.p99_ms : 0);
  printf ("  ratio rank-all / rank-capped (ids only): p50 %.1fx, p99 %.1fx\n",
          s_capped.p50_ms > 0 ? s_naive.p50_ms / s_capped.p50_ms : 0,
          s_capped.p99_ms > 0 ? s_naive.p99_ms / s_capped.p99_ms : 0);
  printf ("\n  target barcode lookup p99 < 1 ms:  %s (%.3f ms)\n", ok_lookup ? "MET" : "NOT MET", s_lookup.p99_ms);
  printf ("  target FTS search p99 < 10 ms:     %s (%.3f ms)\n", ok_fts ? "MET" : "NOT MET", s_fts.p99_ms);

  g_clear_object (&db);
  if (tmpdir != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (tmpdir);
    }
  g_free (opt_db);
  return 0;
}
