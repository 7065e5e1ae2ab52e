/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "pos-loyalty.h"
#include "pos-outbox.h"
#include "pos-receipt-email.h"
#include "pos-staff.h"

/* Dead letters: rejected operations and conflict incidents a manager has
 * not retried or dismissed yet. */
#define DEAD_WHERE "status IN ('rejected', 'conflict') AND resolved_at IS NULL"

void
pos_outbox_entry_free (PosOutboxEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->op_id);
  g_free (e->type);
  g_free (e->entity_id);
  g_free (e->label);
  g_free (e->status);
  g_free (e->last_error);
  g_free (e->error_code);
  g_free (e);
}

void
pos_outbox_op_free (PosOutboxOp *op)
{
  if (op == NULL)
    return;
  g_free (op->op_id);
  g_free (op->type);
  g_free (op->entity_id);
  g_free (op->payload);
  g_free (op);
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

char *
pos_outbox_describe (const char *type,
                     const char *entity_id,
                     const char *payload_json)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o = NULL;
  const char *number;

  if (payload_json != NULL)
    node = json_from_string (payload_json, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    o = json_node_get_object (node);
  number = member_string (o, "number");

  if (g_strcmp0 (type, "sale.create") == 0)
    return g_strdup_printf (_("Sale %s"), number != NULL ? number : entity_id);
  if (g_strcmp0 (type, "return.create") == 0)
    return g_strdup_printf (_("Return %s"), number != NULL ? number : entity_id);
  if (g_strcmp0 (type, "stock.move") == 0)
    {
      const char *sku = member_string (o, "sku");
      return g_strdup_printf (_("Stock movement of %s"), sku != NULL ? sku : entity_id);
    }
  if (g_strcmp0 (type, "customer.upsert") == 0)
    {
      JsonObject *fields = NULL;
      JsonNode *f = o != NULL ? json_object_get_member (o, "fields") : NULL;
      const char *name;

      if (f != NULL && JSON_NODE_HOLDS_OBJECT (f))
        fields = json_node_get_object (f);
      name = member_string (fields, "name");
      return g_strdup_printf (_("Customer %s"), name != NULL ? name : entity_id);
    }
  if (g_strcmp0 (type, "customer.erase") == 0)
    return g_strdup_printf (_("Erasure of customer %s"), entity_id);
  if (g_strcmp0 (type, "pickup.transition") == 0)
    {
      const char *to = member_string (o, "to");
      return g_strdup_printf (_("Pickup order %s to %s"), number != NULL ? number : entity_id,
                              to != NULL ? to : "?");
    }
  if (g_strcmp0 (type, "pickup.exception") == 0)
    return g_strdup_printf (_("Missing item on pickup order %s"), number != NULL ? number : entity_id);
  if (g_strcmp0 (type, "pickup.refund") == 0)
    return g_strdup (_("Refund of an item refused at a pickup"));
  if (g_strcmp0 (type, "order.return") == 0)
    return g_strdup (_("Items of an online order brought back"));
  if (g_strcmp0 (type, "receipt.email") == 0)
    {
      const char *to = member_string (o, "to");
      if (to == NULL)
        return g_strdup (_("Receipt by e-mail to the customer’s address"));
      {
        /* Contact data stays masked wherever the counter shows it. */
        g_autofree char *masked = pos_receipt_email_mask (to);

        return g_strdup_printf (_("Receipt by e-mail to %s"), masked);
      }
    }
  if (g_strcmp0 (type, "shift.open") == 0)
    return g_strdup (_("Shift opened"));
  if (g_strcmp0 (type, "shift.close") == 0)
    return g_strdup (_("Shift closed"));
  if (g_strcmp0 (type, "cash.move") == 0)
    return g_strdup (_("Cash movement"));
  if (g_strcmp0 (type, "audit.append") == 0)
    return g_strdup (_("Audit entry"));
  if (g_strcmp0 (type, "staff.upsert") == 0)
    {
      const char *name = member_string (o, "name");
      return g_strdup_printf (_("Staff member %s"), name != NULL ? name : entity_id);
    }

  return g_strdup_printf ("%s %s", type, entity_id);
}

#define ENTRY_COLUMNS "seq, op_id, type, entity_id, payload, local_ts, status, attempts, " \
                      "last_error, error_code, acked_at "

static PosOutboxEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  PosOutboxEntry *e = g_new0 (PosOutboxEntry, 1);

  e->seq = sqlite3_column_int64 (stmt, 0);
  e->op_id = pos_database_column_dup (stmt, 1);
  e->type = pos_database_column_dup (stmt, 2);
  e->entity_id = pos_database_column_dup (stmt, 3);
  e->label = pos_outbox_describe (e->type, e->entity_id, (const char *) sqlite3_column_text (stmt, 4));
  e->local_ts = sqlite3_column_int64 (stmt, 5);
  e->status = pos_database_column_dup (stmt, 6);
  e->attempts = (guint) sqlite3_column_int64 (stmt, 7);
  e->last_error = pos_database_column_dup (stmt, 8);
  e->error_code = pos_database_column_dup (stmt, 9);
  e->acked_at = sqlite3_column_int64 (stmt, 10);
  return e;
}

static GPtrArray *
list_entries (PosDatabase *db,
              const char  *sql,
              gint64       limit,
              GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_outbox_entry_free);
  sqlite3_stmt *stmt = pos_database_prepare_cached (db, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, entry_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the operations waiting for the central"));
      return NULL;
    }
  return g_steal_pointer (&list);
}

GPtrArray *
pos_outbox_list_pending (PosDatabase *db,
                         guint        limit,
                         GError     **error)
{
  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  return list_entries (db,
                       "SELECT " ENTRY_COLUMNS "FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?1",
                       limit > 0 ? (gint64) limit : -1, error);
}

GPtrArray *
pos_outbox_list_dead (PosDatabase *db,
                      GError     **error)
{
  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  return list_entries (db,
                       "SELECT " ENTRY_COLUMNS "FROM outbox WHERE " DEAD_WHERE " ORDER BY seq DESC LIMIT ?1",
                       -1, error);
}

gboolean
pos_outbox_retry (PosDatabase *db,
                  gint64       seq,
                  const char  *approval_id,
                  GError     **error)
{
  g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  g_autofree char *what = g_strdup_printf ("outbox:%" G_GINT64_FORMAT, seq);
  g_autofree char *approver = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!pos_database_begin (db, error))
    return FALSE;
  if (!pos_staff_authorize (db, POS_PERMISSION_MANAGE_SYNC, approval_id, what, &approver, error))
    goto fail;
  stmt = pos_database_prepare_cached (db,
      "UPDATE outbox SET "
      "  status = CASE status WHEN 'rejected' THEN 'pending' ELSE status END, "
      "  attempts = CASE status WHEN 'rejected' THEN 0 ELSE attempts END, "
      "  acked_at = CASE status WHEN 'rejected' THEN NULL ELSE acked_at END, "
      "  resolved_at = CASE status WHEN 'rejected' THEN NULL ELSE ?2 END "
      "WHERE seq = ?1 AND " DEAD_WHERE, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, pos_now_ms ());
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Retrying the operation"));
      goto fail;
    }
  if (sqlite3_changes (pos_database_get_handle (db)) == 0)
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                   _("Operation %s is not in the dead-letter list. "
                     "List them with “balcao-ctl sync dead-letters”."), seq_text);
      goto fail;
    }
  if (!pos_database_audit_full (db, "sync.retry", "outbox", seq_text, NULL, NULL, approver, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}

gboolean
pos_outbox_get_stats (PosDatabase *db,
                      guint       *out_pending,
                      gint64      *out_oldest_ms,
                      guint       *out_dead,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  stmt = pos_database_prepare_cached (db,
      "SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending'), "
      "       (SELECT local_ts FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT 1), "
      "       (SELECT COUNT(*) FROM outbox WHERE " DEAD_WHERE ")", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_pending != NULL)
        *out_pending = (guint) sqlite3_column_int64 (stmt, 0);
      if (out_oldest_ms != NULL)
        *out_oldest_ms = sqlite3_column_int64 (stmt, 1);
      if (out_dead != NULL)
        *out_dead = (guint) sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return pos_database_set_error (db, error, _("Counting the operations waiting for the central"));
  return TRUE;
}

guint
pos_outbox_count_pending (PosDatabase *db,
                          GError     **error)
{
  guint pending = 0;

  pos_outbox_get_stats (db, &pending, NULL, NULL, error);
  return pending;
}

gboolean
pos_outbox_has_unsent (PosDatabase *db,
                       const char  *entity_id)
{
  sqlite3_stmt *stmt;
  gboolean found;

  stmt = pos_database_prepare_cached (db,
      "SELECT 1 FROM outbox WHERE entity_id = ?1 AND status IN ('pending', 'rejected') LIMIT 1", NULL);
  if (stmt == NULL)
    return TRUE;   /* in doubt, keep it */
  sqlite3_bind_text (stmt, 1, entity_id, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return found;
}

/* ------------------------------------------------------------------ */
/* The engine's side                                                   */

GPtrArray *
pos_outbox_next_batch (PosDatabase *db,
                       guint        max,
                       GError     **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_outbox_op_free);
  g_autoptr(GHashTable) entities = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  stmt = pos_database_prepare_cached (db,
      "SELECT seq, op_id, type, entity_id, payload, local_ts FROM outbox o "
      "WHERE status = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox d "
      "  WHERE d.entity_id = o.entity_id AND d.status = 'rejected' AND d.seq < o.seq) "
      "ORDER BY seq LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, max);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosOutboxOp *op;
      const char *entity = (const char *) sqlite3_column_text (stmt, 3);

      /* A second operation on an entity ends the batch: it goes first in
       * the next one, once the first is answered (seq order is kept). */
      if (entity != NULL && g_hash_table_contains (entities, entity))
        break;

      op = g_new0 (PosOutboxOp, 1);
      op->seq = sqlite3_column_int64 (stmt, 0);
      op->op_id = pos_database_column_dup (stmt, 1);
      op->type = pos_database_column_dup (stmt, 2);
      op->entity_id = pos_database_column_dup (stmt, 3);
      op->payload = pos_database_column_dup (stmt, 4);
      op->local_ts = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (ops, op);
      if (op->entity_id != NULL)
        g_hash_table_add (entities, op->entity_id);
    }
  if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the operations waiting for the central"));
      return NULL;
    }

  return g_steal_pointer (&ops);
}

static gboolean
step_done (PosDatabase  *db,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return pos_database_set_error (db, error, what);
  return TRUE;
}

/* The movements of the document (or the movement itself) are now in the
 * central's level: take them out of the local delta, once. When the
 * central applied them just now (not a duplicate of an earlier, unanswered
 * push), no pull since can have brought a level that holds them: move them
 * into the synced level, so the shown stock does not jump back until the
 * next pull replaces it. A duplicate's movements may already be in the
 * synced level; they are only taken out of the delta. */
static gboolean
acknowledge_movements (PosDatabase *db,
                       const char  *sql_where,
                       const char  *key,
                       gboolean     into_synced,
                       GError     **error)
{
  g_autofree char *sql_levels = NULL;
  g_autofree char *sql_moves = NULL;
  sqlite3_stmt *stmt;

  /* One pass over the document's own movements (by document_id or id),
   * summed per product: never a scan of a product's whole history. */
  sql_levels = g_strconcat (
      "UPDATE stock_levels SET local_delta = local_delta - d.total",
      into_synced ? ", synced_qty = synced_qty + d.total" : "",
      " FROM (SELECT m.product_id, SUM (m.delta) AS total FROM stock_movements m WHERE ", sql_where,
      " AND m.acknowledged = 0 GROUP BY m.product_id) AS d WHERE stock_levels.product_id = d.product_id",
      NULL);
  stmt = pos_database_prepare_cached (db, sql_levels, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (!step_done (db, stmt, _("Updating the stock level"), error))
    return FALSE;

  sql_moves = g_strconcat ("UPDATE stock_movements AS m SET acknowledged = 1 WHERE ", sql_where,
                           " AND m.acknowledged = 0", NULL);
  stmt = pos_database_prepare_cached (db, sql_moves, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  return step_done (db, stmt, _("Updating the stock movements"), error);
}

gboolean
pos_outbox_mark_done (PosDatabase       *db,
                      const PosOutboxOp *op,
                      const char        *status,
                      gint64             now_ms,
                      GError           **error)
{
  gboolean applied_now;
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
      "UPDATE outbox SET status = ?2, acked_at = ?3, attempts = attempts + 1, "
      "last_error = NULL, error_code = NULL WHERE seq = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, op->seq);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_ms);
  if (!step_done (db, stmt, _("Recording the central's answer"), error))
    return FALSE;

  applied_now = g_strcmp0 (status, "applied") == 0;
  /* A sale's or return's loyalty points are in the central's balance now
   * (docs/loyalty.md): its loyalty_pending row goes. */
  if ((g_strcmp0 (op->type, "sale.create") == 0 || g_strcmp0 (op->type, "return.create") == 0) &&
      !_pos_loyalty_acknowledge (db, op->entity_id, applied_now, error))
    return FALSE;
  /* Documents whose stock movements ride with them (filed under their id). */
  if (g_strcmp0 (op->type, "sale.create") == 0 || g_strcmp0 (op->type, "return.create") == 0 ||
      g_strcmp0 (op->type, "order.return") == 0)
    return acknowledge_movements (db, "m.document_id = ?1", op->entity_id, applied_now, error);
  if (g_strcmp0 (op->type, "stock.move") == 0)
    return acknowledge_movements (db, "m.id = ?1", op->entity_id, applied_now, error);
  return TRUE;
}

gboolean
pos_outbox_mark_refused (PosDatabase       *db,
                         const PosOutboxOp *op,
                         const char        *status,
                         const char        *code,
                         const char        *message,
                         const char        *server_state_json,
                         gint64             now_ms,
                         GError           **error)
{
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
      "UPDATE outbox SET status = ?2, acked_at = ?3, attempts = attempts + 1, error_code = ?4, "
      "last_error = ?5, server_state = ?6, resolved_at = NULL WHERE seq = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, op->seq);
  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_ms);
  sqlite3_bind_text (stmt, 4, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, message, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, server_state_json, -1, SQLITE_STATIC);
  return step_done (db, stmt, _("Recording the central's answer"), error);
}

gboolean
pos_outbox_note_failure (PosDatabase *db,
                         GPtrArray   *ops,
                         const char  *message,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  if (ops == NULL || ops->len == 0)
    return TRUE;
  if (!pos_database_begin (db, error))
    return FALSE;
  stmt = pos_database_prepare_cached (db,
      "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1 AND status = 'pending'",
      error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < ops->len; i++)
    {
      const PosOutboxOp *op = g_ptr_array_index (ops, i);

      sqlite3_bind_int64 (stmt, 1, op->seq);
      sqlite3_bind_text (stmt, 2, message, -1, SQLITE_STATIC);
      if (!step_done (db, stmt, _("Recording the failed attempt"), error))
        goto fail;
    }
  if (!pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}
