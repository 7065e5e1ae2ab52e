/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-commit"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "terminal/pos-sales.h"
#include "sales-fixture.h"

/* How long a durable sale commit takes, against the floor the disk sets.
 *
 *   bench-commit [DIR|-] [N]
 *
 * A realistic sale (5 lines, one weighed, a line discount, card + cash) is
 * committed N times (default 300) with pos_sales_commit(): one transaction,
 * synchronous=FULL for its COMMIT. Then the same number of bytes the commit
 * appended to the WAL (measured with sqlite3_wal_hook: frames per commit x
 * (page size + 24-byte frame header), the median over the run) is written
 * with write() + fsync() N times to a file in the same directory. Prints
 * p50/p99 of both and the ratios (target: commit <= 2x the bare fsync).
 * DIR defaults to a new folder in the current directory, so that both runs
 * hit the same disk; it is removed afterwards. No assertions. */

typedef struct {
  sqlite3 *handle;
  int      last_pages;
  int      pages_this_commit;
} WalState;

static int
wal_hook (void       *user_data,
          sqlite3    *handle,
          const char *db_name,
          int         n_pages)
{
  WalState *st = user_data;

  st->pages_this_commit = n_pages >= st->last_pages ? n_pages - st->last_pages : n_pages;
  st->last_pages = n_pages;
  /* What SQLite's own auto-checkpoint does (it is replaced by this hook). */
  if (n_pages >= 1000)
    {
      sqlite3_wal_checkpoint_v2 (handle, db_name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      st->last_pages = 0;
    }
  return SQLITE_OK;
}

static int
cmp_i64 (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gint64
percentile (gint64 *v,
            guint   n,
            guint   p)
{
  guint i;

  qsort (v, n, sizeof *v, cmp_i64);
  i = (guint) (((guint64) n * p + 99) / 100);
  return v[i == 0 ? 0 : MIN (i, n) - 1];
}

static PosCart *
make_sale (void)
{
  PosCart *cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  PosCartTotals t;

  fixture_add (cart, FIX_ARROZ, 2000);
  fixture_add (cart, FIX_FEIJAO, 3000);
  fixture_add (cart, FIX_QUEIJO, 734);
  fixture_add (cart, FIX_CAFE, 1000);
  fixture_add (cart, FIX_LEITE, 6000);
  pos_cart_set_line_discount (cart, 1, POS_DISCOUNT_PERCENT, 1000, NULL);
  pos_cart_get_totals (cart, &t);
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, t.total / 2);
  fixture_pay_rest_cash (cart);
  return cart;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autofree gint64 *commit_us = NULL;
  g_autofree gint64 *fsync_us = NULL;
  g_autofree gint64 *pages = NULL;
  g_autofree char *raw_path = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *payload_len = NULL;
  gboolean own_dir = argc < 2 || g_str_equal (argv[1], "-");
  guint n = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 300;
  WalState wal = { 0 };
  gint64 page_size;
  gint64 bytes;
  gint64 c50, c99, f50, f99;
  int fd;

  if (n < 10)
    n = 10;

  if (own_dir)
    {
      dir = g_strdup ("bench-commit-XXXXXX");
      if (g_mkdtemp (dir) == NULL)
        g_error ("mkdtemp: %s", g_strerror (errno));
    }
  else
    dir = g_strdup (argv[1]);

  db = fixture_open (dir);
  wal.handle = pos_database_get_handle (db);
  sqlite3_wal_hook (wal.handle, wal_hook, &wal);
  page_size = fixture_count (db, "PRAGMA page_size");

  commit_us = g_new0 (gint64, n);
  fsync_us = g_new0 (gint64, n);
  pages = g_new0 (gint64, n);

  /* Warm up: caches, statements, the WAL file. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(PosCart) cart = make_sale ();
      g_autofree char *id = pos_sales_commit (db, cart, NULL, NULL);
      if (id == NULL)
        g_error ("warm-up commit failed");
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosCart) cart = make_sale ();
      g_autoptr(GError) error = NULL;
      g_autofree char *id = NULL;
      gint64 t0, t1;

      wal.pages_this_commit = 0;
      t0 = g_get_monotonic_time ();
      id = pos_sales_commit (db, cart, NULL, &error);
      t1 = g_get_monotonic_time ();
      if (id == NULL)
        g_error ("commit: %s", error->message);
      commit_us[i] = t1 - t0;
      pages[i] = wal.pages_this_commit;
    }

  bytes = percentile (pages, n, 50) * (page_size + 24);
  payload_len = fixture_text (db, "SELECT length (payload) FROM outbox ORDER BY seq DESC LIMIT 1");

  /* The floor: the same bytes, write() + fsync(), same directory. */
  raw_path = g_build_filename (dir, "raw.bin", NULL);
  fd = open (raw_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    g_error ("%s: %s", raw_path, g_strerror (errno));
  buffer = g_malloc (bytes);
  memset (buffer, 'x', bytes);
  for (guint i = 0; i < n + 20; i++)
    {
      gint64 t0 = g_get_monotonic_time ();

      if (write (fd, buffer, bytes) != bytes || fsync (fd) != 0)
        g_error ("write/fsync: %s", g_strerror (errno));
      if (i >= 20)
        fsync_us[i - 20] = g_get_monotonic_time () - t0;
    }
  close (fd);

  c50 = percentile (commit_us, n, 50);
  c99 = percentile (commit_us, n, 99);
  f50 = percentile (fsync_us, n, 50);
  f99 = percentile (fsync_us, n, 99);

  printf ("sale commit (5 lines, 2 payments, durable), %u runs in %s\n", n, dir);
  printf ("  bytes per commit: %" G_GINT64_FORMAT " (WAL growth: median %" G_GINT64_FORMAT
          " frames x %" G_GINT64_FORMAT "); the sale's JSON is %s bytes\n",
          bytes, bytes / (page_size + 24), page_size + 24, payload_len ? payload_len : "?");
  printf ("  pos_sales_commit   p50 %8.3f ms   p99 %8.3f ms\n", c50 / 1000.0, c99 / 1000.0);
  printf ("  write()+fsync()    p50 %8.3f ms   p99 %8.3f ms\n", f50 / 1000.0, f99 / 1000.0);
  printf ("  ratio              p50 %8.2fx     p99 %8.2fx   (target <= 2x)\n",
          f50 > 0 ? (double) c50 / f50 : 0.0, f99 > 0 ? (double) c99 / f99 : 0.0);

  sqlite3_wal_hook (wal.handle, NULL, NULL);
  g_clear_object (&db);
  g_unlink (raw_path);
  if (own_dir)
    fixture_remove_dir (dir);
  return 0;
}
