/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "terminal/pos-demo-data.h"

#include "bench-customer-data.h"

#define BATCH 100000          /* rows per transaction */
#define DAY_MS G_GINT64_CONSTANT (86400000)

void
bench_customer_data_clear (BenchCustomerData *data)
{
  g_clear_pointer (&data->customer_big, g_free);
  g_clear_pointer (&data->customer_small, g_free);
}

guint64
bench_customer_data_file_size (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;
  guint64 size = 0;

  if (g_stat (path, &st) == 0)
    size += (guint64) st.st_size;
  if (g_stat (wal, &st) == 0)
    size += (guint64) st.st_size;
  return size;
}

guint64
bench_rss_kib (void)
{
  g_autofree char *text = NULL;
  guint64 resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%*u %" G_GUINT64_FORMAT, &resident) != 1)
    return 0;
  return resident * (guint64) sysconf (_SC_PAGESIZE) / 1024;
}

static gboolean
sql_error (sqlite3     *handle,
           const char  *what,
           GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, sqlite3_errmsg (handle));
  return FALSE;
}

static gboolean
exec (sqlite3     *handle,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (handle, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sql_error (handle, sql, error);
  return TRUE;
}

static gint64
scalar_text (sqlite3    *handle,
             const char *sql,
             const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      if (arg != NULL)
        sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        v = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_finalize (stmt);
  return v;
}

/* base -> path through SQLite (never a byte copy of a live file). */
static gboolean
copy_base (const char  *base,
           const char  *path,
           GError     **error)
{
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_backup *backup;
  gboolean ok = FALSE;

  g_unlink (part);
  if (sqlite3_open_v2 (base, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      sql_error (src, base, error);
      goto out;
    }
  if (sqlite3_open_v2 (part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      sql_error (dst, part, error);
      goto out;
    }
  backup = sqlite3_backup_init (dst, "main", src, "main");
  if (backup == NULL)
    {
      sql_error (dst, "backup", error);
      goto out;
    }
  sqlite3_backup_step (backup, -1);
  if (sqlite3_backup_finish (backup) != SQLITE_OK)
    {
      sql_error (dst, "backup", error);
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_close_v2 (src);
  sqlite3_close_v2 (dst);
  if (ok && g_rename (part, path) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "rename %s: %s", part, g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (part);
  return ok;
}

/* ------------------------------------------------------------------ */
/* The events                                                          */

typedef struct {
  const char *channel;
  const char *kind;
  guint       weight;
  gboolean    amount;
  gboolean    in_store;    /* store_id: this store */
  gboolean    document;    /* document_id */
  gboolean    order;       /* data: {"order_id": document_id} */
  const char *pre, *mid, *post;   /* summary: pre N1 mid N2 post */
} EventType;

static const EventType types[] = {
  { "store", "purchase", 30, TRUE, TRUE, TRUE, FALSE, "Purchase 0001-02-", " at Mercado Balcão, ", " items" },
  { "store", "return", 3, TRUE, TRUE, TRUE, FALSE, "Return of 0001-02-", ", ", " items back" },
  { "web", "refund", 2, TRUE, FALSE, TRUE, FALSE, "Refund of web order #", " (", " items)" },
  { "web", "order_placed", 8, TRUE, FALSE, TRUE, TRUE, "Web order #", " placed, ", " items, home delivery" },
  { "app", "order_placed", 6, TRUE, FALSE, TRUE, TRUE, "App order #", " placed, ", " items, pickup in store" },
  { "marketplace", "order_placed", 4, TRUE, FALSE, TRUE, TRUE, "Marketplace order MKT-", ", ", " items" },
  { "web", "order_status", 8, FALSE, FALSE, TRUE, TRUE, "Order #", " shipped, ", " items" },
  { "app", "order_status", 5, FALSE, FALSE, TRUE, TRUE, "Order #", " ready for pickup, ", " items" },
  { "call_centre", "call", 5, FALSE, FALSE, FALSE, FALSE, "Called about order #", " (", " min)" },
  { "chat", "chat", 5, FALSE, FALSE, FALSE, FALSE, "Asked in the chat about product ", " (", " messages)" },
  { "whatsapp", "message", 8, FALSE, FALSE, FALSE, FALSE, "Weekly offers ", " on WhatsApp, ", " products" },
  { "email", "email", 6, FALSE, FALSE, FALSE, FALSE, "Opened newsletter ", ", ", " clicks" },
  { "app", "notification", 5, FALSE, FALSE, FALSE, FALSE, "Push ", ": ", " points about to expire" },
  { "email", "notification", 3, FALSE, FALSE, FALSE, FALSE, "E-mail ", ": order update, ", " items" },
};

typedef struct {
  sqlite3      *handle;
  sqlite3_stmt *insert;
  GRand        *rand;
  const char   *store_id;
  gint64        now;
  gint64        id_ms;       /* ids: uuid7 on a counter, so that the indexes on them grow at the end */
  guint         total_weight;
  guint64       written;
  guint64       in_batch;
  gint64        started;
} Gen;

static void
uuid7_at (GRand  *rand,
          gint64  ms,
          char    out[37])
{
  guint32 r1 = g_rand_int (rand), r2 = g_rand_int (rand), r3 = g_rand_int (rand);
  guint64 t = (guint64) ms & G_GUINT64_CONSTANT (0xffffffffffff);

  g_snprintf (out, 37, "%08x-%04x-7%03x-%04x-%04x%08x",
              (guint32) (t >> 16), (guint) (t & 0xffff),
              r1 & 0xfff, 0x8000 | ((r1 >> 12) & 0x3fff), r2 & 0xffff, r3);
}

static const EventType *
pick_type (Gen *g)
{
  guint w = (guint) g_rand_int_range (g->rand, 0, (gint32) g->total_weight);

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      if (w < types[i].weight)
        return &types[i];
      w -= types[i].weight;
    }
  return &types[0];
}

static gboolean
insert_event (Gen              *g,
              const char       *customer_id,
              const EventType  *type,
              GError          **error)
{
  char id[37], doc[37], data[64], summary[160];
  guint n1 = (guint) g_rand_int_range (g->rand, 1, 1000000);
  guint n2 = (guint) g_rand_int_range (g->rand, 1, 25);
  gint64 when = g->now - g_rand_int_range (g->rand, 0, 3 * 365) * DAY_MS
                       - g_rand_int_range (g->rand, 0, 86400) * G_GINT64_CONSTANT (1000);
  sqlite3_stmt *s = g->insert;
  int rc;

  if (type == NULL)
    type = pick_type (g);
  g->id_ms++;
  uuid7_at (g->rand, g->id_ms, id);
  g_snprintf (summary, sizeof summary, "%s%06u%s%u%s", type->pre, n1, type->mid, n2, type->post);

  sqlite3_bind_text (s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 2, customer_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 3, type->channel, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 4, type->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 5, when);
  if (type->in_store)
    sqlite3_bind_text (s, 6, g->store_id, -1, SQLITE_STATIC);
  if (type->amount)
    {
      sqlite3_bind_int64 (s, 7, g_rand_int_range (g->rand, 300, 60000));
      sqlite3_bind_text (s, 8, "BRL", -1, SQLITE_STATIC);
    }
  sqlite3_bind_text (s, 9, summary, -1, SQLITE_STATIC);
  if (type->document)
    {
      uuid7_at (g->rand, g->id_ms, doc);
      sqlite3_bind_text (s, 10, doc, -1, SQLITE_STATIC);
      if (type->order)
        {
          g_snprintf (data, sizeof data, "{\"order_id\":\"%s\"}", doc);
          sqlite3_bind_text (s, 11, data, -1, SQLITE_STATIC);
        }
    }
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  if (rc != SQLITE_DONE)
    return sql_error (g->handle, "inserting an event", error);

  g->written++;
  if (++g->in_batch >= BATCH)
    {
      g->in_batch = 0;
      if (!exec (g->handle, "COMMIT", error) || !exec (g->handle, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (g->written % (BATCH * 10) == 0)
        fprintf (stderr, "  events %12" G_GUINT64_FORMAT "  %7.1f s\n", g->written,
                 (g_get_monotonic_time () - g->started) / 1e6);
    }
  return TRUE;
}

/* One of each kind first (in every channel it comes from), then at
 * random with the same weights as everybody else. */
static gboolean
insert_known (Gen         *g,
              const char  *customer_id,
              guint       *done,
              GError     **error)
{
  const EventType *type = *done < G_N_ELEMENTS (types) ? &types[*done] : NULL;

  (*done)++;
  return insert_event (g, customer_id, type, error);
}

static char *
pick_customer (sqlite3    *handle,
               gint64      from_rowid,
               const char *other)
{
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;

  if (sqlite3_prepare_v2 (handle,
        "SELECT c.id FROM customers c WHERE c.rowid >= ?1 AND c.erased_at IS NULL AND c.merged_into IS NULL "
        "AND c.processing_restricted = 0 AND c.id IS NOT ?2 "
        "AND NOT EXISTS (SELECT 1 FROM customer_events e WHERE e.customer_id = c.id) "
        "ORDER BY c.rowid LIMIT 1", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, from_rowid);
      sqlite3_bind_text (stmt, 2, other, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  return id;
}

static int
cmp_str (gconstpointer a,
         gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A geometric draw of mean `mean` (most customers have a few events, some
 * have many). */
static guint64
draw_count (GRand  *rand,
            double  mean)
{
  double u = g_rand_double (rand);

  if (mean <= 0)
    return 0;
  if (u <= 0)
    u = 1e-12;
  return (guint64) floor (log (u) / log (1.0 - 1.0 / (mean + 1.0)));
}

static gboolean
add_events (PosDatabase        *db,
            BenchCustomerData  *data,
            guint64             current,
            guint64             target,
            GError            **error)
{
  sqlite3 *handle = pos_database_get_handle (db);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GStringChunk) chunk = g_string_chunk_new (1 << 20);
  g_autofree char *store_id = pos_database_get_setting (db, "store_id");
  g_autofree char *count = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 have_big, have_small, cache_kib;
  guint64 big_need, small_need, others, others_done = 0, remaining;
  guint big_done, small_done;
  Gen g = { handle, NULL, NULL, store_id, 0, 0, 0, 0, 0, 0 };
  gboolean ok = FALSE;

  have_big = scalar_text (handle, "SELECT COUNT (*) FROM customer_events WHERE customer_id = ?1", data->customer_big);
  have_small = scalar_text (handle, "SELECT COUNT (*) FROM customer_events WHERE customer_id = ?1", data->customer_small);
  if (have_big > data->big || have_small > data->small)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the known customers already have more events than asked (%" G_GINT64_FORMAT ", %"
                   G_GINT64_FORMAT "): use another --db", have_big, have_small);
      return FALSE;
    }
  big_need = data->big - (guint64) have_big;
  small_need = data->small - (guint64) have_small;
  if (current + big_need + small_need > target)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "--events %" G_GUINT64_FORMAT " is too few: the database has %" G_GUINT64_FORMAT
                   " and the two known customers need %" G_GUINT64_FORMAT " more",
                   target, current, big_need + small_need);
      return FALSE;
    }
  others = target - current - big_need - small_need;
  big_done = (guint) have_big;
  small_done = (guint) have_small;

  /* Every other customer, in id order: the (customer_id, ...) indexes then
   * grow at their end and the load stays fast. The two known customers'
   * events are interleaved through the whole load, so their rows lie all
   * over the table as events arriving over years would. */
  if (sqlite3_prepare_v2 (handle, "SELECT id FROM customers WHERE erased_at IS NULL AND merged_into IS NULL "
                                  "AND id <> ?1 AND id <> ?2", -1, &stmt, NULL) != SQLITE_OK)
    return sql_error (handle, "listing customers", error);
  sqlite3_bind_text (stmt, 1, data->customer_big, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, data->customer_small, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_string_chunk_insert (chunk, (const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  g_ptr_array_sort (ids, cmp_str);
  if (ids->len == 0 && others > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no customers to spread the events over");
      return FALSE;
    }

  g.rand = g_rand_new_with_seed (20260404);
  g.now = pos_now_ms ();
  g.id_ms = g.now;
  g.started = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g.total_weight += types[i].weight;

  cache_kib = scalar_text (handle, "PRAGMA cache_size", NULL);
  if (!exec (handle, "PRAGMA synchronous = OFF", error) ||
      !exec (handle, "PRAGMA cache_size = -262144", error))
    goto out;
  if (sqlite3_prepare_v3 (handle,
        "INSERT INTO customer_events (id, customer_id, channel, kind, occurred_at, store_id, amount, currency, "
        "summary, document_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        -1, SQLITE_PREPARE_PERSISTENT, &g.insert, NULL) != SQLITE_OK)
    {
      sql_error (handle, "preparing the insert", error);
      goto restore;
    }
  if (!exec (handle, "BEGIN IMMEDIATE", error))
    goto restore;

  fprintf (stderr, "Adding %" G_GUINT64_FORMAT " events (%" G_GUINT64_FORMAT " over %u customers, %"
           G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT " to the two known ones)\n",
           target - current, others, ids->len, big_need, small_need);
  remaining = others;
  for (guint i = 0; i < ids->len && remaining > 0; i++)
    {
      guint64 left = ids->len - i;
      guint64 n = draw_count (g.rand, (double) remaining / (double) left);

      n = MIN (n, (guint64) MAX (data->small / 2, 1u));   /* nobody else near the known ones */
      n = left == 1 ? remaining : MIN (n, remaining);

      for (guint64 k = 0; k < n; k++)
        {
          if (!insert_event (&g, g_ptr_array_index (ids, i), NULL, error))
            goto rollback;
          others_done++;
          while (big_done < data->big && (guint64) (big_done - have_big) < others_done * big_need / others)
            if (!insert_known (&g, data->customer_big, &big_done, error))
              goto rollback;
          while (small_done < data->small && (guint64) (small_done - have_small) < others_done * small_need / others)
            if (!insert_known (&g, data->customer_small, &small_done, error))
              goto rollback;
        }
      remaining -= n;
    }
  while (big_done < data->big)
    if (!insert_known (&g, data->customer_big, &big_done, error))
      goto rollback;
  while (small_done < data->small)
    if (!insert_known (&g, data->customer_small, &small_done, error))
      goto rollback;

  count = g_strdup_printf ("%" G_GUINT64_FORMAT, current + g.written);
  if (!pos_database_set_setting (db, "bench.events", count, error) ||
      !exec (handle, "COMMIT", error))
    goto rollback;
  data->events_added = g.written;
  data->n_events = current + g.written;

  /* The statistics a demo database gets (pos_demo_data_generate), now
   * that the table is large, and the WAL folded back into the file. */
  fprintf (stderr, "  statistics and checkpoint\n");
  if (!exec (handle, "PRAGMA analysis_limit = 1000; ANALYZE customer_events; PRAGMA optimize", error) ||
      !exec (handle, "PRAGMA wal_checkpoint(TRUNCATE)", error))
    goto restore;
  ok = TRUE;
  goto restore;

rollback:
  sqlite3_exec (handle, "ROLLBACK", NULL, NULL, NULL);
restore:
  g_clear_pointer (&g.insert, sqlite3_finalize);
  {
    g_autofree char *pragma = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache_kib);
    sqlite3_exec (handle, pragma, NULL, NULL, NULL);
  }
  sqlite3_db_release_memory (handle);
out:
  sqlite3_exec (handle, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  g_clear_pointer (&g.rand, g_rand_free);
  return ok;
}

static void
on_demo_progress (const char *what,
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

PosDatabase *
bench_customer_data_prepare (const char         *path,
                             const char         *base,
                             guint64             n_products,
                             guint64             n_customers,
                             guint64             n_events,
                             guint               big,
                             guint               small,
                             BenchCustomerData  *out,
                             GError            **error)
{
  g_autoptr(PosDatabase) db = NULL;
  g_autofree char *events_text = NULL;
  sqlite3 *handle;
  gint64 t0, n;
  guint64 current;

  memset (out, 0, sizeof *out);
  out->copy_s = out->demo_s = out->events_s = -1;
  out->big = big;
  out->small = small;

  t0 = g_get_monotonic_time ();
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && base != NULL && g_file_test (base, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "Copying %s to %s\n", base, path);
      if (!copy_base (base, path, error))
        return NULL;
      db = pos_database_open (path, error);   /* upgrades it to the current schema */
      if (db == NULL)
        return NULL;
      out->copy_s = (g_get_monotonic_time () - t0) / 1e6;
    }
  else
    {
      db = pos_database_open (path, error);
      if (db == NULL)
        return NULL;
    }
  handle = pos_database_get_handle (db);

  if (scalar_text (handle, "SELECT COUNT (*) FROM stores", NULL) <= 0)
    {
      fprintf (stderr, "Building demo data: %" G_GUINT64_FORMAT " products, %" G_GUINT64_FORMAT " customers into %s\n",
               n_products, n_customers, path);
      t0 = g_get_monotonic_time ();
      if (!pos_demo_data_generate (db, n_products, n_customers, MIN (n_customers / 50, 20000), 1,
                                   on_demo_progress, &t0, error))
        return NULL;
      out->demo_s = (g_get_monotonic_time () - t0) / 1e6;
    }

  out->n_customers = (guint64) scalar_text (handle, "SELECT MAX (rowid) FROM customers", NULL);
  out->customer_big = pos_database_get_setting (db, "bench.customer_big");
  out->customer_small = pos_database_get_setting (db, "bench.customer_small");
  events_text = pos_database_get_setting (db, "bench.events");

  if (out->customer_big != NULL && out->customer_small != NULL && events_text != NULL &&
      g_ascii_string_to_unsigned (events_text, 10, 0, G_MAXUINT64, &current, NULL) &&
      current >= n_events)
    {
      out->n_events = current;
      if (scalar_text (handle, "SELECT COUNT (*) FROM customer_events WHERE customer_id = ?1", out->customer_big) != big ||
          scalar_text (handle, "SELECT COUNT (*) FROM customer_events WHERE customer_id = ?1", out->customer_small) != small)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s was built for other --big/--small sizes: delete it or use another --db", path);
          return NULL;
        }
      fprintf (stderr, "Reusing %s (%" G_GUINT64_FORMAT " events)\n", path, current);
      return g_steal_pointer (&db);
    }

  n = scalar_text (handle, "SELECT COUNT (*) FROM customer_events", NULL);
  if (n < 0)
    {
      sql_error (handle, "counting events", error);
      return NULL;
    }
  current = (guint64) n;

  if (out->customer_big == NULL || out->customer_small == NULL)
    {
      g_clear_pointer (&out->customer_big, g_free);
      g_clear_pointer (&out->customer_small, g_free);
      out->customer_big = pick_customer (handle, (gint64) MAX (out->n_customers / 3, 1), NULL);
      out->customer_small = pick_customer (handle, (gint64) MAX (out->n_customers * 2 / 3, 1), out->customer_big);
      if (out->customer_big == NULL || out->customer_small == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no customer without events to pick in %s", path);
          return NULL;
        }
      if (!pos_database_set_setting (db, "bench.customer_big", out->customer_big, error) ||
          !pos_database_set_setting (db, "bench.customer_small", out->customer_small, error))
        return NULL;
    }

  t0 = g_get_monotonic_time ();
  if (!add_events (db, out, current, MAX (n_events, current), error))
    return NULL;
  out->events_s = (g_get_monotonic_time () - t0) / 1e6;
  return g_steal_pointer (&db);
}
