/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <domain/pos-sync-wire.h>

#include "central-changes.h"

/* Any constant: the lock that orders change-log writers. */
#define CHANGES_LOCK_KEY "7031245"

typedef struct {
  char  *stream;
  char  *entity;
  char  *id;
  char  *store_id;
  char  *op;
  gint64 version;
  char  *data;
} Pending;

struct _CentralTx {
  CentralConn *conn;
  GPtrArray   *pending;   /* Pending*, in emission order */
  guint        mark;      /* pending->len at the last savepoint */
};

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_free (p->stream);
  g_free (p->entity);
  g_free (p->id);
  g_free (p->store_id);
  g_free (p->op);
  g_free (p->data);
  g_free (p);
}

gint64
central_now_ms (void)
{
  return g_get_real_time () / 1000;
}

int
central_entity_rank (const char *entity)
{
  static const char * const ranked[][2] = {
    { "tax_class", "0" }, { "barcode_rule", "1" }, { "product", "2" },
    { "store", "0" }, { "terminal", "1" }, { "staff", "2" },
    { "customer", "0" }, { "customer_event", "1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ranked); i++)
    if (g_str_equal (entity, ranked[i][0]))
      return ranked[i][1][0] - '0';
  return 0;
}

CentralTx *
central_tx_begin (CentralConn *conn,
                  GError     **error)
{
  CentralTx *tx;

  if (!central_conn_begin (conn, error))
    return NULL;
  tx = g_new0 (CentralTx, 1);
  tx->conn = conn;
  tx->pending = g_ptr_array_new_with_free_func (pending_free);
  return tx;
}

CentralConn *
central_tx_get_conn (CentralTx *tx)
{
  return tx->conn;
}

gboolean
central_tx_savepoint (CentralTx *tx,
                      GError   **error)
{
  tx->mark = tx->pending->len;
  return central_conn_simple (tx->conn, "SAVEPOINT op", error);
}

gboolean
central_tx_release (CentralTx *tx,
                    GError   **error)
{
  tx->mark = tx->pending->len;
  return central_conn_simple (tx->conn, "RELEASE SAVEPOINT op", error);
}

void
central_tx_rollback_to (CentralTx *tx)
{
  g_ptr_array_set_size (tx->pending, tx->mark);
  PQclear (PQexec (central_conn_get_pg (tx->conn), "ROLLBACK TO SAVEPOINT op"));
  PQclear (PQexec (central_conn_get_pg (tx->conn), "RELEASE SAVEPOINT op"));
}

void
central_tx_emit (CentralTx  *tx,
                 const char *stream,
                 const char *entity,
                 const char *id,
                 const char *store_id,
                 const char *op,
                 gint64      version,
                 const char *data)
{
  Pending *p = g_new0 (Pending, 1);

  p->stream = g_strdup (stream);
  p->entity = g_strdup (entity);
  p->id = g_strdup (id);
  p->store_id = g_strdup (store_id);
  p->op = g_strdup (op);
  p->version = version;
  p->data = g_strdup (data != NULL ? data : "{}");
  g_ptr_array_add (tx->pending, p);
}

static void
append_member (GString    *out,
               const char *name,
               const char *value)
{
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  pos_sync_append_json_string (out, name);
  g_string_append_c (out, ':');
  if (value == NULL)
    g_string_append (out, "null");
  else
    pos_sync_append_json_string (out, value);
}

typedef struct {
  guint index;   /* in tx->pending */
  int   rank;
} Row;

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const Row *x = a;
  const Row *y = b;

  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

/* The timeline entries among the pending changes that no longer exist:
 * erased later in the same transaction (their personal data must not be
 * published). */
static gboolean
gone_events (CentralTx  *tx,
             GArray     *order,
             GHashTable *gone,
             GError    **error)
{
  g_autoptr(GString) ids = g_string_new ("[");
  g_autoptr(PGresult) res = NULL;
  const char *params[1];

  for (guint i = 0; i < order->len; i++)
    {
      Pending *p = g_ptr_array_index (tx->pending, g_array_index (order, Row, i).index);

      if (!g_str_equal (p->entity, "customer_event"))
        continue;
      if (ids->len > 1)
        g_string_append_c (ids, ',');
      pos_sync_append_json_string (ids, p->id);
    }
  if (ids->len == 1)
    return TRUE;
  g_string_append_c (ids, ']');
  params[0] = ids->str;
  res = central_conn_exec (tx->conn,
    "SELECT x FROM json_array_elements_text ($1::json) AS x "
    "WHERE NOT EXISTS (SELECT 1 FROM customer_events e WHERE e.id = x)", 1, params, error);
  if (res == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_add (gone, g_strdup (PQgetvalue (res, i, 0)));
  return TRUE;
}

/* Writes the pending changes (the last state of each entity, for each
 * store) in one statement, and the notifications. Within a transaction the
 * rows take their seqs in entity rank order (a customer before its
 * timeline, a tax class before its products), then in emission order. */
static gboolean
flush (CentralTx *tx,
       GError   **error)
{
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) gone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (Row));
  g_autoptr(GString) rows = g_string_new ("[");
  gint64 now = central_now_ms ();
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  GHashTableIter iter;
  gpointer key;

  if (tx->pending->len == 0)
    return TRUE;

  for (guint i = 0; i < tx->pending->len; i++)
    {
      Pending *p = g_ptr_array_index (tx->pending, i);
      char *k = g_strdup_printf ("%s\x1f%s\x1f%s", p->entity, p->id, p->store_id ? p->store_id : "");

      g_hash_table_insert (last, k, GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < tx->pending->len; i++)
    {
      Pending *p = g_ptr_array_index (tx->pending, i);
      g_autofree char *k = g_strdup_printf ("%s\x1f%s\x1f%s", p->entity, p->id, p->store_id ? p->store_id : "");
      Row row = { i, central_entity_rank (p->entity) };

      if (GPOINTER_TO_UINT (g_hash_table_lookup (last, k)) == i + 1)
        g_array_append_val (order, row);
    }
  g_array_sort (order, compare_rows);
  if (!gone_events (tx, order, gone, error))
    return FALSE;

  for (guint i = 0; i < order->len; i++)
    {
      Pending *p = g_ptr_array_index (tx->pending, g_array_index (order, Row, i).index);

      if (g_str_equal (p->entity, "customer_event") && g_hash_table_contains (gone, p->id))
        continue;

      if (rows->len > 1)
        g_string_append_c (rows, ',');
      g_string_append_c (rows, '{');
      append_member (rows, "stream", p->stream);
      append_member (rows, "entity", p->entity);
      append_member (rows, "entity_id", p->id);
      append_member (rows, "store_id", p->store_id);
      append_member (rows, "op", p->op);
      append_member (rows, "data", p->data);
      /* Straight into the GString: a fixed buffer here once cut the
       * closing brace off as soon as a version had four digits. */
      g_string_append_printf (rows, ",\"version\":%" G_GINT64_FORMAT ",\"entity_rank\":%d}",
                              p->version, central_entity_rank (p->entity));

      g_hash_table_add (notes, g_strdup_printf ("%s:%s", p->store_id ? p->store_id : "*", p->stream));
    }
  if (rows->len == 1)
    return TRUE;
  g_string_append_c (rows, ']');

  if (!central_conn_run (tx->conn, "SELECT pg_advisory_xact_lock (" CHANGES_LOCK_KEY ")", 0, NULL, error))
    return FALSE;

  {
    const char *params[] = { rows->str, now_text };

    if (!central_conn_run (tx->conn,
          "INSERT INTO changes (seq, stream, entity, entity_id, entity_rank, store_id, op, version, data, changed_at) "
          "SELECT nextval ('change_seq'), x.stream, x.entity, x.entity_id, x.entity_rank, x.store_id, x.op, "
          "x.version, x.data, $2::bigint "
          "FROM json_to_recordset ($1::json) AS x (stream text, entity text, entity_id text, entity_rank smallint, "
          "store_id text, op text, version bigint, data text) "
          "ON CONFLICT (entity, entity_id, store_id) DO UPDATE SET seq = excluded.seq, stream = excluded.stream, "
          "entity_rank = excluded.entity_rank, op = excluded.op, version = excluded.version, "
          "data = excluded.data, changed_at = excluded.changed_at",
          2, params, error))
      return FALSE;
  }

  g_hash_table_iter_init (&iter, notes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *params[] = { key };

      if (!central_conn_run (tx->conn, "SELECT pg_notify ('balcao_changes', $1)", 1, params, error))
        return FALSE;
    }
  return TRUE;
}

static void
tx_free (CentralTx *tx)
{
  g_ptr_array_unref (tx->pending);
  g_free (tx);
}

gboolean
central_tx_commit (CentralTx *tx,
                   GError   **error)
{
  gboolean ok = flush (tx, error) && central_conn_commit (tx->conn, error);

  if (!ok)
    central_conn_rollback (tx->conn);
  tx_free (tx);
  return ok;
}

void
central_tx_abort (CentralTx *tx)
{
  if (tx == NULL)
    return;
  central_conn_rollback (tx->conn);
  tx_free (tx);
}
