/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pos-sync-apply.h"
#include "pos-sync-client.h"

const char * const pos_sync_streams[] = { "catalog", "stores", "stock", "customers", "pickups", NULL };

/* The cursor of the one change log the terminal pulls. */
#define CURSOR_STREAM "all"

struct _PosSyncApplier
{
  PosDatabase *db;
  GHashTable  *streams;       /* stream names touched */
  GHashTable  *tax_classes;   /* ids known to exist (cache) */
  char        *store_id;      /* this terminal's store */
  gint64       n_deferred;    /* rows in sync_deferred (recounted per page) */
  gboolean     marking;       /* rebuilding: remember what was seen */
  gboolean     force;         /* a conflict's server state: ignore versions */
  guint        depth;         /* deferred changes applying deferred ones */
  gboolean     purged;        /* a customer was erased in this page */
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static gboolean
bad (GError             **error,
     const PosSyncChange *c,
     const char          *field,
     const char          *what)
{
  g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
               _("The central sent a %s “%s” whose “%s” %s. Nothing of this page was applied; "
                 "it will be tried again."),
               c->entity, c->id, field, what);
  return FALSE;
}

/* Reads member `name` of o. Absent or null: *out = NULL and TRUE unless
 * required. A value of another type: FALSE with an error. */
static gboolean
get_str (JsonObject          *o,
         const char          *name,
         gboolean             required,
         const char         **out,
         const PosSyncChange *c,
         GError             **error)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return required ? bad (error, c, name, _("is missing")) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return bad (error, c, name, _("is not a string"));
  *out = json_node_get_string (n);
  if (required && **out == '\0')
    return bad (error, c, name, _("is empty"));
  return TRUE;
}

static gboolean
get_int (JsonObject          *o,
         const char          *name,
         gboolean             required,
         gint64               fallback,
         gint64              *out,
         gboolean            *present,
         const PosSyncChange *c,
         GError             **error)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = fallback;
  if (present != NULL)
    *present = FALSE;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return required ? bad (error, c, name, _("is missing")) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return bad (error, c, name, _("is not an integer"));
  *out = json_node_get_int (n);
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

static gboolean
get_bool (JsonObject          *o,
          const char          *name,
          gboolean             fallback,
          gboolean            *out,
          const PosSyncChange *c,
          GError             **error)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = fallback;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    *out = json_node_get_boolean (n);
  else if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    *out = json_node_get_int (n) != 0;
  else
    return bad (error, c, name, _("is not true or false"));
  return TRUE;
}

static gboolean
get_array (JsonObject          *o,
           const char          *name,
           JsonArray          **out,
           const PosSyncChange *c,
           GError             **error)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return bad (error, c, name, _("is not a list"));
  *out = json_node_get_array (n);
  return TRUE;
}

/* A member that may be an object or text, kept as JSON text. */
static char *
member_as_json (JsonObject *o,
                const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  return json_to_string (n, FALSE);
}

static sqlite3_stmt *
prep (PosSyncApplier *self,
      const char     *sql,
      GError        **error)
{
  return pos_database_prepare_cached (self->db, sql, error);
}

/* Steps a write to completion. */
static gboolean
run (PosSyncApplier *self,
     sqlite3_stmt   *stmt,
     GError        **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (self->db, error, _("Applying the central's changes"));
  return TRUE;
}

/* Steps a delete that a foreign key may refuse: FALSE in *refused then,
 * and the transaction goes on (SQLite undoes only that statement). */
static gboolean
run_delete (PosSyncApplier *self,
            sqlite3_stmt   *stmt,
            gboolean       *refused,
            GError        **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  *refused = FALSE;
  if (rc == SQLITE_DONE)
    return TRUE;
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      *refused = TRUE;
      return TRUE;
    }
  return pos_database_set_error (self->db, error, _("Applying the central's changes"));
}

static gboolean
exec_text (PosSyncApplier *self,
           const char     *sql,
           const char     *a,
           const char     *b,
           GError        **error)
{
  sqlite3_stmt *stmt = prep (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (a != NULL)
    pos_database_bind_text (stmt, 1, a);
  if (b != NULL)
    pos_database_bind_text (stmt, 2, b);
  return run (self, stmt, error);
}

/* The local version of a row: -1 when there is no row. */
static gint64
local_version (PosSyncApplier *self,
               const char     *sql,
               const char     *key,
               GError        **error)
{
  sqlite3_stmt *stmt = prep (self, sql, error);
  gint64 v = -1;
  int rc;

  if (stmt == NULL)
    return G_MININT64;
  pos_database_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      pos_database_set_error (self->db, error, _("Applying the central's changes"));
      return G_MININT64;
    }
  return v;
}

static gboolean
exists (PosSyncApplier *self,
        const char     *sql,
        const char     *key,
        GError        **error)
{
  gint64 v = local_version (self, sql, key, error);

  return v != -1 && v != G_MININT64;
}

/* Whether the change is newer than what is held (always when forced).
 * *out_version is what to store. */
static gboolean
is_newer (PosSyncApplier      *self,
          gint64               held,
          const PosSyncChange *c,
          gint64              *out_version)
{
  *out_version = MAX (held, c->version);
  if (self->force)
    return TRUE;
  return held < c->version;
}

static gboolean
mark_seen (PosSyncApplier *self,
           const char     *entity,
           const char     *id,
           GError        **error)
{
  if (!self->marking)
    return TRUE;
  return exec_text (self, "INSERT OR IGNORE INTO temp.sync_seen (entity, id) VALUES (?1, ?2)",
                    entity, id, error);
}

/* ------------------------------------------------------------------ */
/* Deferred changes                                                    */

static gboolean
defer (PosSyncApplier      *self,
       const PosSyncChange *c,
       const char          *depends_on,
       GError             **error)
{
  g_autofree char *data = json_to_string (c->data, FALSE);
  sqlite3_stmt *stmt;

  stmt = prep (self,
      "INSERT INTO sync_deferred (entity, id, stream, op, version, data, depends_on) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (entity, id) DO UPDATE SET stream = excluded.stream, op = excluded.op, "
      "version = excluded.version, data = excluded.data, depends_on = excluded.depends_on "
      "WHERE excluded.version >= sync_deferred.version", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, c->entity);
  pos_database_bind_text (stmt, 2, c->id);
  pos_database_bind_text (stmt, 3, c->stream);
  pos_database_bind_text (stmt, 4, pos_sync_change_op_to_string (c->op));
  sqlite3_bind_int64 (stmt, 5, c->version);
  pos_database_bind_text (stmt, 6, data);
  pos_database_bind_text (stmt, 7, depends_on);
  if (!run (self, stmt, error))
    return FALSE;
  self->n_deferred++;
  g_debug ("Deferred %s %s until %s arrives", c->entity, c->id, depends_on);
  return mark_seen (self, c->entity, c->id, error);
}

static gboolean apply_change (PosSyncApplier *self, const PosSyncChange *c, GError **error);

/* Applies the deferred changes that were waiting for `key` ("product:SKU"). */
static gboolean
resolve_deferred (PosSyncApplier *self,
                  const char     *kind,
                  const char     *id,
                  GError        **error)
{
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (self->n_deferred <= 0 || self->depth > 8)
    return TRUE;

  key = g_strconcat (kind, ":", id, NULL);
  waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sync_change_free);
  stmt = prep (self, "DELETE FROM sync_deferred WHERE depends_on = ?1 "
                     "RETURNING entity, id, stream, op, version, data", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, key);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosSyncChange *c = g_new0 (PosSyncChange, 1);
      PosSyncChangeOp op = POS_SYNC_CHANGE_UPSERT;

      c->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      c->id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      c->stream = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      pos_sync_change_op_from_string ((const char *) sqlite3_column_text (stmt, 3), &op);
      c->op = op;
      c->version = sqlite3_column_int64 (stmt, 4);
      c->data = json_from_string ((const char *) sqlite3_column_text (stmt, 5), NULL);
      if (c->data == NULL || !JSON_NODE_HOLDS_OBJECT (c->data))
        {
          g_clear_pointer (&c->data, json_node_unref);
          c->data = json_node_init_object (json_node_alloc (), json_object_new ());
        }
      g_ptr_array_add (waiting, c);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (self->db, error, _("Applying the central's changes"));

  self->n_deferred -= waiting->len;
  self->depth++;
  for (guint i = 0; i < waiting->len; i++)
    if (!apply_change (self, g_ptr_array_index (waiting, i), error))
      {
        self->depth--;
        return FALSE;
      }
  self->depth--;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Catalog                                                             */

static gboolean
apply_tax_class (PosSyncApplier      *self,
                 const PosSyncChange *c,
                 GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *name;
  gint64 rate, approx, held, version;
  sqlite3_stmt *stmt;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    {
      gboolean refused;

      stmt = prep (self, "DELETE FROM tax_classes WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      g_hash_table_remove (self->tax_classes, c->id);
      return run_delete (self, stmt, &refused, error);
    }

  if (!get_str (o, "name", TRUE, &name, c, error) ||
      !get_int (o, "rate_bp", TRUE, 0, &rate, NULL, c, error) ||
      !get_int (o, "approx_rate_bp", FALSE, 0, &approx, NULL, c, error))
    return FALSE;
  if (rate < 0 || rate > 100000)
    return bad (error, c, "rate_bp", _("is out of range"));

  held = local_version (self, "SELECT version FROM tax_classes WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  if (is_newer (self, held, c, &version))
    {
      stmt = prep (self,
          "INSERT INTO tax_classes (id, name, rate_bp, approx_rate_bp, version) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (id) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp, "
          "approx_rate_bp = excluded.approx_rate_bp, version = excluded.version", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, name);
      sqlite3_bind_int64 (stmt, 3, rate);
      sqlite3_bind_int64 (stmt, 4, MAX (approx, 0));
      sqlite3_bind_int64 (stmt, 5, version);
      if (!run (self, stmt, error))
        return FALSE;
    }
  g_hash_table_add (self->tax_classes, g_strdup (c->id));
  return mark_seen (self, "tax_class", c->id, error) &&
         resolve_deferred (self, "tax_class", c->id, error);
}

static gboolean
tax_class_exists (PosSyncApplier *self,
                  const char     *id,
                  GError        **error)
{
  if (g_hash_table_contains (self->tax_classes, id))
    return TRUE;
  if (exists (self, "SELECT 0 FROM tax_classes WHERE id = ?1", id, error))
    {
      g_hash_table_add (self->tax_classes, g_strdup (id));
      return TRUE;
    }
  return FALSE;
}

static gboolean
apply_product_delete (PosSyncApplier      *self,
                      const PosSyncChange *c,
                      GError             **error)
{
  sqlite3_stmt *stmt;
  gboolean refused;

  stmt = prep (self, "DELETE FROM products WHERE sku = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, c->id);
  if (!run_delete (self, stmt, &refused, error))
    return FALSE;
  if (!refused)
    return TRUE;
  /* Sales point at it: it stops being sold instead. */
  stmt = prep (self, "UPDATE products SET active = 0, version = MAX (version, ?2) WHERE sku = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, c->id);
  sqlite3_bind_int64 (stmt, 2, c->version);
  return run (self, stmt, error);
}

static gboolean
apply_product (PosSyncApplier      *self,
               const PosSyncChange *c,
               GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *sku, *name, *brand, *unit, *tax_class;
  gboolean weighed, active;
  JsonArray *barcodes, *prices;
  gint64 product_id = 0, held = -1, version;
  g_autofree char *old_name = NULL;
  g_autofree char *old_brand = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    return apply_product_delete (self, c, error);

  if (!get_str (o, "sku", FALSE, &sku, c, error) ||
      !get_str (o, "name", TRUE, &name, c, error) ||
      !get_str (o, "brand", FALSE, &brand, c, error) ||
      !get_str (o, "unit", FALSE, &unit, c, error) ||
      !get_str (o, "tax_class_id", TRUE, &tax_class, c, error) ||
      !get_bool (o, "weighed", FALSE, &weighed, c, error) ||
      !get_bool (o, "active", TRUE, &active, c, error) ||
      !get_array (o, "barcodes", &barcodes, c, error) ||
      !get_array (o, "prices", &prices, c, error))
    return FALSE;
  if (sku == NULL)
    sku = c->id;
  if (unit == NULL)
    unit = "un";
  if (!g_str_equal (unit, "un") && !g_str_equal (unit, "kg") &&
      !g_str_equal (unit, "l") && !g_str_equal (unit, "m"))
    return bad (error, c, "unit", _("is not un, kg, l or m"));

  if (!tax_class_exists (self, tax_class, error))
    {
      g_autofree char *dep = g_strconcat ("tax_class:", tax_class, NULL);
      return (error == NULL || *error == NULL) && defer (self, c, dep, error);
    }

  stmt = prep (self, "SELECT id, version, name, brand FROM products WHERE sku = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, sku);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      product_id = sqlite3_column_int64 (stmt, 0);
      held = sqlite3_column_int64 (stmt, 1);
      old_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      old_brand = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (self->db, error, _("Applying the central's changes"));

  if (!is_newer (self, held, c, &version))
    return mark_seen (self, "product", sku, error);

  if (product_id == 0)
    {
      stmt = prep (self,
          "INSERT INTO products (sku, name, brand, unit, weighed, tax_class_id, active, version, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, sku);
      pos_database_bind_text (stmt, 2, name);
      pos_database_bind_text (stmt, 3, brand);
      pos_database_bind_text (stmt, 4, unit);
      sqlite3_bind_int (stmt, 5, weighed ? 1 : 0);
      pos_database_bind_text (stmt, 6, tax_class);
      sqlite3_bind_int (stmt, 7, active ? 1 : 0);
      sqlite3_bind_int64 (stmt, 8, version);
      sqlite3_bind_int64 (stmt, 9, pos_now_ms ());
      if (!run (self, stmt, error))
        return FALSE;
      product_id = sqlite3_last_insert_rowid (pos_database_get_handle (self->db));
    }
  else
    {
      stmt = prep (self,
          "UPDATE products SET unit = ?2, weighed = ?3, tax_class_id = ?4, active = ?5, version = ?6, "
          "updated_at = ?7 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      pos_database_bind_text (stmt, 2, unit);
      sqlite3_bind_int (stmt, 3, weighed ? 1 : 0);
      pos_database_bind_text (stmt, 4, tax_class);
      sqlite3_bind_int (stmt, 5, active ? 1 : 0);
      sqlite3_bind_int64 (stmt, 6, version);
      sqlite3_bind_int64 (stmt, 7, pos_now_ms ());
      if (!run (self, stmt, error))
        return FALSE;
      /* Only a new name or brand touches the search index. */
      if (g_strcmp0 (old_name, name) != 0 || g_strcmp0 (old_brand, brand) != 0)
        {
          stmt = prep (self, "UPDATE products SET name = ?2, brand = ?3 WHERE id = ?1", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, product_id);
          pos_database_bind_text (stmt, 2, name);
          pos_database_bind_text (stmt, 3, brand);
          if (!run (self, stmt, error))
            return FALSE;
        }
      stmt = prep (self, "DELETE FROM product_barcodes WHERE product_id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      if (!run (self, stmt, error))
        return FALSE;
      stmt = prep (self, "DELETE FROM prices WHERE product_id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      if (!run (self, stmt, error))
        return FALSE;
    }

  for (guint i = 0; barcodes != NULL && i < json_array_get_length (barcodes); i++)
    {
      JsonNode *n = json_array_get_element (barcodes, i);

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
          *json_node_get_string (n) == '\0')
        return bad (error, c, "barcodes", _("holds something that is not a barcode"));
      stmt = prep (self,
          "INSERT INTO product_barcodes (code, product_id) VALUES (?1, ?2) "
          "ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, json_node_get_string (n));
      sqlite3_bind_int64 (stmt, 2, product_id);
      if (!run (self, stmt, error))
        return FALSE;
    }

  for (guint i = 0; prices != NULL && i < json_array_get_length (prices); i++)
    {
      JsonNode *n = json_array_get_element (prices, i);
      JsonObject *p;
      const char *list, *currency;
      gint64 from, to, amount;
      gboolean has_to;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad (error, c, "prices", _("holds something that is not a price"));
      p = json_node_get_object (n);
      if (!get_str (p, "price_list", FALSE, &list, c, error) ||
          !get_str (p, "currency", TRUE, &currency, c, error) ||
          !get_int (p, "valid_from", FALSE, 0, &from, NULL, c, error) ||
          !get_int (p, "valid_to", FALSE, 0, &to, &has_to, c, error) ||
          !get_int (p, "amount", TRUE, 0, &amount, NULL, c, error))
        return FALSE;
      if (amount < 0)
        return bad (error, c, "amount", _("is negative"));
      stmt = prep (self,
          "INSERT INTO prices (product_id, price_list, valid_from, valid_to, amount, currency) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (product_id, price_list, valid_from) "
          "DO UPDATE SET valid_to = excluded.valid_to, amount = excluded.amount, currency = excluded.currency",
          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      pos_database_bind_text (stmt, 2, list != NULL ? list : "retail");
      sqlite3_bind_int64 (stmt, 3, from);
      if (has_to)
        sqlite3_bind_int64 (stmt, 4, to);
      else
        sqlite3_bind_null (stmt, 4);
      sqlite3_bind_int64 (stmt, 5, amount);
      pos_database_bind_text (stmt, 6, currency);
      if (!run (self, stmt, error))
        return FALSE;
    }

  return mark_seen (self, "product", sku, error) &&
         resolve_deferred (self, "product", sku, error);
}

static gboolean
apply_barcode_rule (PosSyncApplier      *self,
                    const PosSyncChange *c,
                    GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *pattern, *kind;
  gint64 priority, held, version;
  sqlite3_stmt *stmt;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    return exec_text (self, "DELETE FROM barcode_rules WHERE central_id = ?1", c->id, NULL, error);

  if (!get_str (o, "pattern", TRUE, &pattern, c, error) ||
      !get_str (o, "kind", TRUE, &kind, c, error) ||
      !get_int (o, "priority", FALSE, 0, &priority, NULL, c, error))
    return FALSE;
  if (!g_str_equal (kind, "weight") && !g_str_equal (kind, "price"))
    return bad (error, c, "kind", _("is not weight or price"));

  held = local_version (self, "SELECT version FROM barcode_rules WHERE central_id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  if (is_newer (self, held, c, &version))
    {
      /* The pattern may be held by a local rule or have moved between rules. */
      if (!exec_text (self, "DELETE FROM barcode_rules WHERE pattern = ?1 AND central_id IS NOT ?2",
                      pattern, c->id, error))
        return FALSE;
      stmt = prep (self,
          "INSERT INTO barcode_rules (central_id, pattern, kind, priority, version) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (central_id) DO UPDATE SET pattern = excluded.pattern, kind = excluded.kind, "
          "priority = excluded.priority, version = excluded.version", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, pattern);
      pos_database_bind_text (stmt, 3, kind);
      sqlite3_bind_int64 (stmt, 4, priority);
      sqlite3_bind_int64 (stmt, 5, version);
      if (!run (self, stmt, error))
        return FALSE;
    }
  return mark_seen (self, "barcode_rule", c->id, error);
}

/* ------------------------------------------------------------------ */
/* Stores, terminals, staff                                            */

static gboolean
apply_store (PosSyncApplier      *self,
             const PosSyncChange *c,
             GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *code, *name, *legal, *cnpj, *address, *city, *state, *postal, *phone, *currency, *tz;
  gint64 held, version;
  sqlite3_stmt *stmt;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    {
      gboolean refused;

      stmt = prep (self, "DELETE FROM stores WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      return run_delete (self, stmt, &refused, error);
    }

  if (!get_str (o, "code", TRUE, &code, c, error) ||
      !get_str (o, "name", TRUE, &name, c, error) ||
      !get_str (o, "legal_name", FALSE, &legal, c, error) ||
      !get_str (o, "cnpj", FALSE, &cnpj, c, error) ||
      !get_str (o, "address", FALSE, &address, c, error) ||
      !get_str (o, "city", FALSE, &city, c, error) ||
      !get_str (o, "state", FALSE, &state, c, error) ||
      !get_str (o, "postal_code", FALSE, &postal, c, error) ||
      !get_str (o, "phone", FALSE, &phone, c, error) ||
      !get_str (o, "currency", FALSE, &currency, c, error) ||
      !get_str (o, "timezone", FALSE, &tz, c, error))
    return FALSE;

  held = local_version (self, "SELECT version FROM stores WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  if (is_newer (self, held, c, &version))
    {
      /* A local store (demo data) with the same code keeps its rows under
       * another code. */
      if (!exec_text (self, "UPDATE stores SET code = code || '~' || substr (id, 1, 8) "
                            "WHERE code = ?1 AND id <> ?2", code, c->id, error))
        return FALSE;
      stmt = prep (self,
          "INSERT INTO stores (id, code, name, legal_name, cnpj, address, city, state, postal_code, phone, "
          "currency, timezone, version, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
          "ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, "
          "legal_name = excluded.legal_name, cnpj = excluded.cnpj, address = excluded.address, "
          "city = excluded.city, state = excluded.state, postal_code = excluded.postal_code, "
          "phone = excluded.phone, currency = excluded.currency, timezone = excluded.timezone, "
          "version = excluded.version, updated_at = excluded.updated_at", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, code);
      pos_database_bind_text (stmt, 3, name);
      pos_database_bind_text (stmt, 4, legal);
      pos_database_bind_text (stmt, 5, cnpj);
      pos_database_bind_text (stmt, 6, address);
      pos_database_bind_text (stmt, 7, city);
      pos_database_bind_text (stmt, 8, state);
      pos_database_bind_text (stmt, 9, postal);
      pos_database_bind_text (stmt, 10, phone);
      pos_database_bind_text (stmt, 11, currency != NULL ? currency : "BRL");
      pos_database_bind_text (stmt, 12, tz != NULL ? tz : "America/Sao_Paulo");
      sqlite3_bind_int64 (stmt, 13, version);
      sqlite3_bind_int64 (stmt, 14, pos_now_ms ());
      if (!run (self, stmt, error))
        return FALSE;
    }
  return mark_seen (self, "store", c->id, error) &&
         resolve_deferred (self, "store", c->id, error);
}

static gboolean
apply_terminal (PosSyncApplier      *self,
                const PosSyncChange *c,
                GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *store_id, *code, *name;
  gint64 held, version;
  sqlite3_stmt *stmt;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    {
      gboolean refused;

      stmt = prep (self, "DELETE FROM terminals WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      return run_delete (self, stmt, &refused, error);
    }

  if (!get_str (o, "store_id", TRUE, &store_id, c, error) ||
      !get_str (o, "code", TRUE, &code, c, error) ||
      !get_str (o, "name", TRUE, &name, c, error))
    return FALSE;

  if (!exists (self, "SELECT 0 FROM stores WHERE id = ?1", store_id, error))
    {
      g_autofree char *dep = g_strconcat ("store:", store_id, NULL);
      return (error == NULL || *error == NULL) && defer (self, c, dep, error);
    }

  held = local_version (self, "SELECT version FROM terminals WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  if (is_newer (self, held, c, &version))
    {
      stmt = prep (self,
          "UPDATE terminals SET code = code || '~' || substr (id, 1, 8) "
          "WHERE store_id = ?1 AND code = ?2 AND id <> ?3", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, store_id);
      pos_database_bind_text (stmt, 2, code);
      pos_database_bind_text (stmt, 3, c->id);
      if (!run (self, stmt, error))
        return FALSE;
      stmt = prep (self,
          "INSERT INTO terminals (id, store_id, code, name, version) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, code = excluded.code, "
          "name = excluded.name, version = excluded.version", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, store_id);
      pos_database_bind_text (stmt, 3, code);
      pos_database_bind_text (stmt, 4, name);
      sqlite3_bind_int64 (stmt, 5, version);
      if (!run (self, stmt, error))
        return FALSE;
    }
  return mark_seen (self, "terminal", c->id, error);
}

static gboolean
apply_staff (PosSyncApplier      *self,
             const PosSyncChange *c,
             GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *store_id, *code, *name, *role, *badge, *pin_hash;
  gboolean active, has_pin_hash;
  gint64 held, version;
  sqlite3_stmt *stmt;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    {
      gboolean refused;

      stmt = prep (self, "DELETE FROM staff WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      if (!run_delete (self, stmt, &refused, error))
        return FALSE;
      return !refused || exec_text (self, "UPDATE staff SET active = 0 WHERE id = ?1", c->id, NULL, error);
    }

  if (!get_str (o, "store_id", FALSE, &store_id, c, error) ||
      !get_str (o, "code", TRUE, &code, c, error) ||
      !get_str (o, "name", TRUE, &name, c, error) ||
      !get_str (o, "role", TRUE, &role, c, error) ||
      !get_str (o, "badge_code", FALSE, &badge, c, error) ||
      !get_str (o, "pin_hash", FALSE, &pin_hash, c, error) ||
      !get_bool (o, "active", TRUE, &active, c, error))
    return FALSE;
  /* pin_hash: a string sets it; null or absent keeps the local one (a PIN
   * set here and not yet acknowledged, a central that does not carry
   * PINs), as the central does with a staff.upsert. */
  if (pin_hash != NULL && *pin_hash == '\0')
    pin_hash = NULL;
  has_pin_hash = pin_hash != NULL;
  if (!g_str_equal (role, "cashier") && !g_str_equal (role, "supervisor") && !g_str_equal (role, "manager"))
    return bad (error, c, "role", _("is not cashier, supervisor or manager"));

  if (store_id != NULL && !exists (self, "SELECT 0 FROM stores WHERE id = ?1", store_id, error))
    {
      g_autofree char *dep = g_strconcat ("store:", store_id, NULL);
      return (error == NULL || *error == NULL) && defer (self, c, dep, error);
    }

  held = local_version (self, "SELECT version FROM staff WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  if (is_newer (self, held, c, &version))
    {
      if (!exec_text (self, "UPDATE staff SET code = code || '~' || substr (id, 1, 8) "
                            "WHERE code = ?1 AND id <> ?2", code, c->id, error))
        return FALSE;
      if (badge != NULL &&
          !exec_text (self, "UPDATE staff SET badge_code = NULL WHERE badge_code = ?1 AND id <> ?2",
                      badge, c->id, error))
        return FALSE;
      /* failed_attempts and locked_until are this terminal's own: never
       * touched by a change from the central. */
      stmt = prep (self,
          "INSERT INTO staff (id, store_id, code, name, role, badge_code, active, version, updated_at, pin_hash) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, code = excluded.code, "
          "name = excluded.name, role = excluded.role, badge_code = excluded.badge_code, "
          "active = excluded.active, version = excluded.version, updated_at = excluded.updated_at, "
          "pin_hash = CASE WHEN ?11 THEN excluded.pin_hash ELSE staff.pin_hash END", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, store_id);
      pos_database_bind_text (stmt, 3, code);
      pos_database_bind_text (stmt, 4, name);
      pos_database_bind_text (stmt, 5, role);
      pos_database_bind_text (stmt, 6, badge);
      sqlite3_bind_int (stmt, 7, active ? 1 : 0);
      sqlite3_bind_int64 (stmt, 8, version);
      sqlite3_bind_int64 (stmt, 9, pos_now_ms ());
      pos_database_bind_text (stmt, 10, pin_hash);
      sqlite3_bind_int (stmt, 11, has_pin_hash ? 1 : 0);
      if (!run (self, stmt, error))
        return FALSE;
    }
  return mark_seen (self, "staff", c->id, error);
}

/* ------------------------------------------------------------------ */
/* Stock                                                               */

static gboolean
apply_stock_level (PosSyncApplier      *self,
                   const PosSyncChange *c,
                   GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *sku, *store_id;
  gint64 quantity, updated_at, product_id = 0, held = -1, version;
  sqlite3_stmt *stmt;
  int rc;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    {
      stmt = prep (self,
          "UPDATE stock_levels SET synced_qty = 0, version = MAX (version, ?2), synced_at = ?3 "
          "WHERE product_id = (SELECT id FROM products WHERE sku = ?1)", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      sqlite3_bind_int64 (stmt, 2, c->version);
      sqlite3_bind_int64 (stmt, 3, pos_now_ms ());
      return run (self, stmt, error);
    }

  if (!get_str (o, "sku", FALSE, &sku, c, error) ||
      !get_str (o, "store_id", FALSE, &store_id, c, error) ||
      !get_int (o, "quantity", TRUE, 0, &quantity, NULL, c, error) ||
      !get_int (o, "updated_at", FALSE, pos_now_ms (), &updated_at, NULL, c, error))
    return FALSE;
  if (sku == NULL)
    sku = c->id;
  if (store_id != NULL && self->store_id != NULL && !g_str_equal (store_id, self->store_id))
    return TRUE;   /* another store's level: not ours to show */

  stmt = prep (self,
      "SELECT p.id, s.version FROM products p LEFT JOIN stock_levels s ON s.product_id = p.id "
      "WHERE p.sku = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, sku);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      product_id = sqlite3_column_int64 (stmt, 0);
      held = sqlite3_column_type (stmt, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (self->db, error, _("Applying the central's changes"));
  if (product_id == 0)
    {
      g_autofree char *dep = g_strconcat ("product:", sku, NULL);
      return defer (self, c, dep, error);
    }

  if (is_newer (self, held, c, &version))
    {
      stmt = prep (self,
          "INSERT INTO stock_levels (product_id, synced_qty, local_delta, synced_at, version) "
          "VALUES (?1, ?2, 0, ?3, ?4) ON CONFLICT (product_id) DO UPDATE SET "
          "synced_qty = excluded.synced_qty, synced_at = excluded.synced_at, version = excluded.version",
          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      sqlite3_bind_int64 (stmt, 2, quantity);
      sqlite3_bind_int64 (stmt, 3, updated_at);
      sqlite3_bind_int64 (stmt, 4, version);
      if (!run (self, stmt, error))
        return FALSE;
    }
  return mark_seen (self, "stock_level", sku, error);
}

/* ------------------------------------------------------------------ */
/* Customers                                                           */

static const char * const consent_channels[] = { "email", "sms", "whatsapp", "phone", "push", "mail", NULL };
static const char * const event_channels[] = { "store", "web", "app", "marketplace", "call_centre", "chat",
                                               "email", "whatsapp", NULL };

/* The customers' full-text index keeps a deleted row's words in older
 * segments until they are merged: merge them all now, so that an erased
 * name cannot be read in the database file (secure_delete zeroes the
 * pages this frees; the engine checkpoints the WAL after the page). */
static gboolean
purge_search_index (PosSyncApplier  *self,
                    GError         **error)
{
  sqlite3_stmt *stmt = prep (self, "INSERT INTO customer_search (customer_search) VALUES ('optimize')", error);

  self->purged = TRUE;
  return stmt != NULL && run (self, stmt, error);
}

/* Erasure: nothing personal is left; the row stays so that sales keep a
 * (nameless) customer and older changes are recognised as such. */
static gboolean
purge_customer (PosSyncApplier *self,
                const char     *id,
                gint64          erased_at,
                gint64          version,
                GError        **error)
{
  sqlite3_stmt *stmt;

  stmt = prep (self,
      "INSERT INTO customers (id, name, processing_restricted, erased_at, version, created_at, updated_at) "
      "VALUES (?1, '', 1, ?2, ?3, ?2, ?2) ON CONFLICT (id) DO UPDATE SET name = '', cpf = NULL, "
      "email = NULL, phone = NULL, birth_date = NULL, loyalty_card = NULL, loyalty_tier = NULL, "
      "phone_digits = NULL, email_norm = NULL, "
      "loyalty_points = 0, store_credit = 0, notes = NULL, preferences = NULL, "
      "processing_restricted = 1, erased_at = excluded.erased_at, "
      "version = MAX (customers.version, excluded.version), updated_at = excluded.updated_at", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, erased_at);
  sqlite3_bind_int64 (stmt, 3, version);
  if (!run (self, stmt, error))
    return FALSE;

  return exec_text (self, "DELETE FROM customer_events WHERE customer_id = ?1", id, NULL, error) &&
         exec_text (self, "DELETE FROM customer_consents WHERE customer_id = ?1", id, NULL, error) &&
         exec_text (self, "DELETE FROM customer_identities WHERE customer_id = ?1", id, NULL, error) &&
         exec_text (self, "UPDATE parked_sales SET customer_id = NULL WHERE customer_id = ?1", id, NULL, error) &&
         exec_text (self, "DELETE FROM sync_deferred WHERE depends_on = 'customer:' || ?1", id, NULL, error) &&
         /* The outbox too: edits of the customer keep only the id (the
          * central refuses them as erased; a manager sees no personal data
          * in the dead letters), documents lose the customer's name. */
         exec_text (self, "UPDATE outbox SET payload = json_object ('id', entity_id) "
                          "WHERE entity_id = ?1 AND type LIKE 'customer.%'", id, NULL, error) &&
         exec_text (self, "UPDATE outbox SET payload = json_remove (payload, '$.customer_name') "
                          "WHERE type IN ('sale.create', 'return.create') "
                          "AND json_extract (payload, '$.customer_id') = ?1", id, NULL, error) &&
         /* A receipt e-mail waiting to go up holds the address. */
         exec_text (self, "UPDATE outbox SET payload = json_set (payload, '$.to', '') "
                          "WHERE type = 'receipt.email' AND json_extract (payload, '$.sale_id') IN "
                          "(SELECT id FROM sales WHERE customer_id = ?1)", id, NULL, error) &&
         exec_text (self, "UPDATE pickup_orders SET customer_name = NULL, customer_phone = NULL "
                          "WHERE customer_id = ?1", id, NULL, error) &&
         exec_text (self, "DELETE FROM loyalty_pending WHERE customer_id = ?1", id, NULL, error) &&
         purge_search_index (self, error);
}

static gboolean
apply_customer_merge (PosSyncApplier      *self,
                      const PosSyncChange *c,
                      gint64               held,
                      GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *into;
  gint64 version;
  sqlite3_stmt *stmt;

  if (!get_str (o, "merged_into", TRUE, &into, c, error))
    return FALSE;
  if (g_str_equal (into, c->id))
    return bad (error, c, "merged_into", _("names the customer itself"));
  if (!is_newer (self, held, c, &version))
    return mark_seen (self, "customer", c->id, error);
  if (!exists (self, "SELECT 0 FROM customers WHERE id = ?1", into, error))
    {
      g_autofree char *dep = g_strconcat ("customer:", into, NULL);
      return (error == NULL || *error == NULL) && defer (self, c, dep, error);
    }

  /* Everything that pointed at the merged customer points at the survivor. */
  if (!exec_text (self, "UPDATE sales SET customer_id = ?2 WHERE customer_id = ?1", c->id, into, error) ||
      !exec_text (self, "UPDATE parked_sales SET customer_id = ?2 WHERE customer_id = ?1", c->id, into, error) ||
      !exec_text (self, "UPDATE pickup_orders SET customer_id = ?2 WHERE customer_id = ?1", c->id, into, error) ||
      !exec_text (self, "UPDATE customer_events SET customer_id = ?2 WHERE customer_id = ?1", c->id, into, error) ||
      !exec_text (self, "UPDATE loyalty_pending SET customer_id = ?2 WHERE customer_id = ?1", c->id, into, error) ||
      !exec_text (self, "DELETE FROM customer_consents WHERE customer_id = ?1", c->id, NULL, error) ||
      !exec_text (self, "DELETE FROM customer_identities WHERE customer_id = ?1", c->id, NULL, error))
    return FALSE;

  /* The tombstone: the id stays known, without what identifies a person
   * (the survivor holds that now, and CPF and card are unique). */
  stmt = prep (self,
      "INSERT INTO customers (id, name, merged_into, version, created_at, updated_at) "
      "VALUES (?1, '', ?2, ?3, ?4, ?4) ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into, "
      "cpf = NULL, loyalty_card = NULL, email = NULL, phone = NULL, version = excluded.version, "
      "updated_at = excluded.updated_at", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, c->id);
  pos_database_bind_text (stmt, 2, into);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_int64 (stmt, 4, pos_now_ms ());
  if (!run (self, stmt, error))
    return FALSE;

  /* A merge is not a live entity: a snapshot never lists it. */
  return TRUE;
}

static gboolean
apply_customer (PosSyncApplier      *self,
                const PosSyncChange *c,
                GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *name, *cpf, *email, *phone, *birth, *card, *tier, *notes;
  g_autofree char *prefs = NULL;
  gint64 points, credit, created, updated, held, version;
  gboolean restricted;
  JsonArray *consents, *identities;
  sqlite3_stmt *stmt;

  held = local_version (self, "SELECT version FROM customers WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;

  if (c->op == POS_SYNC_CHANGE_MERGE)
    return apply_customer_merge (self, c, held, error);
  if (c->op == POS_SYNC_CHANGE_DELETE)
    {
      gint64 erased_at;

      if (!get_int (o, "erased_at", FALSE, pos_now_ms (), &erased_at, NULL, c, error))
        return FALSE;
      /* Erasure always wins, whatever the versions say. */
      return purge_customer (self, c->id, erased_at, c->version, error);
    }

  if (!get_str (o, "name", TRUE, &name, c, error) ||
      !get_str (o, "cpf", FALSE, &cpf, c, error) ||
      !get_str (o, "email", FALSE, &email, c, error) ||
      !get_str (o, "phone", FALSE, &phone, c, error) ||
      !get_str (o, "birth_date", FALSE, &birth, c, error) ||
      !get_str (o, "loyalty_card", FALSE, &card, c, error) ||
      !get_str (o, "loyalty_tier", FALSE, &tier, c, error) ||
      !get_str (o, "notes", FALSE, &notes, c, error) ||
      !get_int (o, "loyalty_points", FALSE, 0, &points, NULL, c, error) ||
      !get_int (o, "store_credit", FALSE, 0, &credit, NULL, c, error) ||
      !get_int (o, "created_at", FALSE, pos_now_ms (), &created, NULL, c, error) ||
      !get_int (o, "updated_at", FALSE, created, &updated, NULL, c, error) ||
      !get_bool (o, "processing_restricted", FALSE, &restricted, c, error) ||
      !get_array (o, "consents", &consents, c, error) ||
      !get_array (o, "identities", &identities, c, error))
    return FALSE;
  prefs = member_as_json (o, "preferences");

  if (!is_newer (self, held, c, &version))
    return mark_seen (self, "customer", c->id, error);

  /* CPF and loyalty card are unique: the central's customer has them now. */
  if ((cpf != NULL &&
       !exec_text (self, "UPDATE customers SET cpf = NULL WHERE cpf = ?1 AND id <> ?2", cpf, c->id, error)) ||
      (card != NULL &&
       !exec_text (self, "UPDATE customers SET loyalty_card = NULL WHERE loyalty_card = ?1 AND id <> ?2",
                   card, c->id, error)))
    return FALSE;

  stmt = prep (self,
      "INSERT INTO customers (id, name, cpf, email, phone, birth_date, loyalty_card, loyalty_tier, "
      "loyalty_points, store_credit, notes, preferences, processing_restricted, version, created_at, updated_at, "
      "phone_digits, email_norm) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
      "balcao_phone_digits (?5), balcao_email_norm (?4)) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, cpf = excluded.cpf, email = excluded.email, "
      "phone = excluded.phone, birth_date = excluded.birth_date, loyalty_card = excluded.loyalty_card, "
      "phone_digits = excluded.phone_digits, email_norm = excluded.email_norm, "
      "loyalty_tier = excluded.loyalty_tier, loyalty_points = excluded.loyalty_points, "
      "store_credit = excluded.store_credit, notes = excluded.notes, preferences = excluded.preferences, "
      "processing_restricted = excluded.processing_restricted, merged_into = NULL, erased_at = NULL, "
      "version = excluded.version, created_at = excluded.created_at, updated_at = excluded.updated_at", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, c->id);
  pos_database_bind_text (stmt, 2, name);
  pos_database_bind_text (stmt, 3, cpf);
  pos_database_bind_text (stmt, 4, email);
  pos_database_bind_text (stmt, 5, phone);
  pos_database_bind_text (stmt, 6, birth);
  pos_database_bind_text (stmt, 7, card);
  pos_database_bind_text (stmt, 8, tier);
  sqlite3_bind_int64 (stmt, 9, points);
  sqlite3_bind_int64 (stmt, 10, credit);
  pos_database_bind_text (stmt, 11, notes);
  pos_database_bind_text (stmt, 12, prefs);
  sqlite3_bind_int (stmt, 13, restricted ? 1 : 0);
  sqlite3_bind_int64 (stmt, 14, version);
  sqlite3_bind_int64 (stmt, 15, created);
  sqlite3_bind_int64 (stmt, 16, updated);
  if (!run (self, stmt, error))
    return FALSE;

  if (!exec_text (self, "DELETE FROM customer_consents WHERE customer_id = ?1", c->id, NULL, error))
    return FALSE;
  for (guint i = 0; consents != NULL && i < json_array_get_length (consents); i++)
    {
      JsonNode *n = json_array_get_element (consents, i);
      JsonObject *k;
      const char *channel, *source;
      gboolean granted;
      gint64 recorded;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad (error, c, "consents", _("holds something that is not a consent"));
      k = json_node_get_object (n);
      if (!get_str (k, "channel", TRUE, &channel, c, error) ||
          !get_str (k, "source", FALSE, &source, c, error) ||
          !get_bool (k, "granted", FALSE, &granted, c, error) ||
          !get_int (k, "recorded_at", FALSE, updated, &recorded, NULL, c, error))
        return FALSE;
      if (!g_strv_contains (consent_channels, channel))
        {
          g_debug ("Customer %s: consent channel %s unknown here, not kept", c->id, channel);
          continue;
        }
      stmt = prep (self,
          "INSERT INTO customer_consents (customer_id, channel, granted, source, recorded_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id, channel) DO UPDATE SET "
          "granted = excluded.granted, source = excluded.source, recorded_at = excluded.recorded_at", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, channel);
      sqlite3_bind_int (stmt, 3, granted ? 1 : 0);
      pos_database_bind_text (stmt, 4, source != NULL ? source : "central");
      sqlite3_bind_int64 (stmt, 5, recorded);
      if (!run (self, stmt, error))
        return FALSE;
    }

  if (!exec_text (self, "DELETE FROM customer_identities WHERE customer_id = ?1", c->id, NULL, error))
    return FALSE;
  for (guint i = 0; identities != NULL && i < json_array_get_length (identities); i++)
    {
      JsonNode *n = json_array_get_element (identities, i);
      JsonObject *k;
      const char *channel, *external;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad (error, c, "identities", _("holds something that is not an identity"));
      k = json_node_get_object (n);
      if (!get_str (k, "channel", TRUE, &channel, c, error) ||
          !get_str (k, "external_id", TRUE, &external, c, error))
        return FALSE;
      stmt = prep (self,
          "INSERT INTO customer_identities (channel, external_id, customer_id) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (channel, external_id) DO UPDATE SET customer_id = excluded.customer_id", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, channel);
      pos_database_bind_text (stmt, 2, external);
      pos_database_bind_text (stmt, 3, c->id);
      if (!run (self, stmt, error))
        return FALSE;
    }

  return mark_seen (self, "customer", c->id, error) &&
         resolve_deferred (self, "customer", c->id, error);
}

static gboolean
apply_customer_event (PosSyncApplier      *self,
                      const PosSyncChange *c,
                      GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *customer, *channel, *kind, *store_id, *currency, *summary, *document;
  g_autofree char *extra = NULL;
  gint64 occurred, amount, held, version;
  gboolean has_amount;
  sqlite3_stmt *stmt;
  int rc;
  gboolean customer_known = FALSE, customer_erased = FALSE;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    return exec_text (self, "DELETE FROM customer_events WHERE id = ?1", c->id, NULL, error) &&
           exec_text (self, "DELETE FROM sync_deferred WHERE entity = 'customer_event' AND id = ?1",
                      c->id, NULL, error);

  if (!get_str (o, "customer_id", TRUE, &customer, c, error) ||
      !get_str (o, "channel", TRUE, &channel, c, error) ||
      !get_str (o, "kind", TRUE, &kind, c, error) ||
      !get_int (o, "occurred_at", TRUE, 0, &occurred, NULL, c, error) ||
      !get_str (o, "store_id", FALSE, &store_id, c, error) ||
      !get_int (o, "amount", FALSE, 0, &amount, &has_amount, c, error) ||
      !get_str (o, "currency", FALSE, &currency, c, error) ||
      !get_str (o, "summary", FALSE, &summary, c, error) ||
      !get_str (o, "document_id", FALSE, &document, c, error))
    return FALSE;
  extra = member_as_json (o, "data");
  if (!g_strv_contains (event_channels, channel))
    {
      g_debug ("Event %s: channel %s unknown here, not kept", c->id, channel);
      return mark_seen (self, "customer_event", c->id, error);
    }

  stmt = prep (self, "SELECT erased_at IS NOT NULL OR merged_into IS NOT NULL FROM customers WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, customer);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      customer_known = TRUE;
      customer_erased = sqlite3_column_int (stmt, 0) != 0;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (self->db, error, _("Applying the central's changes"));
  if (!customer_known)
    {
      g_autofree char *dep = g_strconcat ("customer:", customer, NULL);
      return defer (self, c, dep, error);
    }
  if (customer_erased)
    return mark_seen (self, "customer_event", c->id, error);

  held = local_version (self, "SELECT version FROM customer_events WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  /* The entry this terminal wrote for its own sale gives way to the
   * central's entry for the same document. */
  if (document != NULL &&
      !exec_text (self, "DELETE FROM customer_events WHERE document_id = ?1 AND local = 1 AND id <> ?2",
                  document, c->id, error))
    return FALSE;
  if (is_newer (self, held, c, &version))
    {
      stmt = prep (self,
          "INSERT INTO customer_events (id, customer_id, channel, kind, occurred_at, store_id, amount, "
          "currency, summary, document_id, data, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
          "ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, channel = excluded.channel, "
          "kind = excluded.kind, occurred_at = excluded.occurred_at, store_id = excluded.store_id, "
          "amount = excluded.amount, currency = excluded.currency, summary = excluded.summary, "
          "document_id = excluded.document_id, data = excluded.data, version = excluded.version", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      pos_database_bind_text (stmt, 2, customer);
      pos_database_bind_text (stmt, 3, channel);
      pos_database_bind_text (stmt, 4, kind);
      sqlite3_bind_int64 (stmt, 5, occurred);
      pos_database_bind_text (stmt, 6, store_id);
      if (has_amount)
        sqlite3_bind_int64 (stmt, 7, amount);
      else
        sqlite3_bind_null (stmt, 7);
      pos_database_bind_text (stmt, 8, currency);
      pos_database_bind_text (stmt, 9, summary);
      pos_database_bind_text (stmt, 10, document);
      pos_database_bind_text (stmt, 11, extra);
      sqlite3_bind_int64 (stmt, 12, version);
      if (!run (self, stmt, error))
        return FALSE;
    }
  return mark_seen (self, "customer_event", c->id, error);
}

/* ------------------------------------------------------------------ */
/* Pickup orders                                                       */

static const char * const pickup_states[] = {
  "PLACED", "ALLOCATED", "PICKING", "READY_FOR_PICKUP", "PICKED_UP", "ON_HOLD",
  "PARTIALLY_PICKED_UP", "NO_SHOW", "EXPIRED", "CANCELLED", NULL
};
static const char * const pickup_channels[] = { "web", "app", "marketplace", "call_centre", "chat", NULL };

/* Whether this terminal moved the order and the central has not answered
 * yet: a change older than that move does not undo it on the counter. */
static gboolean
pickup_move_unsent (PosSyncApplier *self,
                    const char     *order_id,
                    gint64          incoming_version,
                    GError        **error)
{
  sqlite3_stmt *stmt = prep (self,
      "SELECT 1 FROM pickup_orders o WHERE o.id = ?1 AND o.version > ?2 AND EXISTS "
      "(SELECT 1 FROM outbox b WHERE b.entity_id = o.id AND b.status = 'pending' "
      "AND b.type IN ('pickup.transition', 'pickup.exception'))", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, order_id);
  sqlite3_bind_int64 (stmt, 2, incoming_version);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

static gboolean
apply_pickup_order (PosSyncApplier      *self,
                    const PosSyncChange *c,
                    GError             **error)
{
  JsonObject *o = json_node_get_object (c->data);
  const char *number, *store_id, *customer, *channel, *state, *currency, *hash, *shelf, *notes;
  const char *customer_name, *customer_phone, *payment_method, *paid_by, *exception_note;
  gint64 order_version, total, placed, ready, updated, held, version;
  gboolean paid, has_ready;
  JsonArray *lines;
  g_autofree char *data = NULL;
  g_autofree char *last_transition = NULL;
  g_autoptr(JsonBuilder) line_nos = json_builder_new ();
  g_autoptr(JsonNode) line_nos_node = NULL;
  g_autofree char *line_nos_json = NULL;
  sqlite3_stmt *stmt;

  if (c->op == POS_SYNC_CHANGE_DELETE)
    return exec_text (self, "DELETE FROM pickup_orders WHERE id = ?1", c->id, NULL, error);

  if (!get_str (o, "number", TRUE, &number, c, error) ||
      !get_str (o, "store_id", TRUE, &store_id, c, error) ||
      !get_str (o, "customer_id", FALSE, &customer, c, error) ||
      !get_str (o, "channel", TRUE, &channel, c, error) ||
      !get_str (o, "state", TRUE, &state, c, error) ||
      !get_int (o, "version", TRUE, 0, &order_version, NULL, c, error) ||
      !get_bool (o, "paid", FALSE, &paid, c, error) ||
      !get_int (o, "total", TRUE, 0, &total, NULL, c, error) ||
      !get_str (o, "currency", TRUE, &currency, c, error) ||
      !get_str (o, "pickup_code_hash", FALSE, &hash, c, error) ||
      !get_str (o, "shelf_location", FALSE, &shelf, c, error) ||
      !get_str (o, "notes", FALSE, &notes, c, error) ||
      !get_int (o, "placed_at", TRUE, 0, &placed, NULL, c, error) ||
      !get_int (o, "ready_at", FALSE, 0, &ready, &has_ready, c, error) ||
      !get_int (o, "updated_at", FALSE, placed, &updated, NULL, c, error) ||
      !get_str (o, "customer_name", FALSE, &customer_name, c, error) ||
      !get_str (o, "customer_phone", FALSE, &customer_phone, c, error) ||
      !get_str (o, "payment_method", FALSE, &payment_method, c, error) ||
      !get_str (o, "paid_by_sale_id", FALSE, &paid_by, c, error) ||
      !get_str (o, "exception_note", FALSE, &exception_note, c, error) ||
      !get_array (o, "lines", &lines, c, error))
    return FALSE;
  if (!g_strv_contains (pickup_states, state))
    return bad (error, c, "state", _("is not a pickup state this terminal knows"));
  if (!g_strv_contains (pickup_channels, channel))
    return bad (error, c, "channel", _("is not a channel this terminal knows"));
  {
    JsonNode *lt = json_object_get_member (o, "last_transition");

    if (lt != NULL && !JSON_NODE_HOLDS_NULL (lt) && !JSON_NODE_HOLDS_OBJECT (lt))
      return bad (error, c, "last_transition", _("is not an object"));
    last_transition = member_as_json (o, "last_transition");
  }

  held = local_version (self, "SELECT sync_version FROM pickup_orders WHERE id = ?1", c->id, error);
  if (held == G_MININT64)
    return FALSE;
  if (!is_newer (self, held, c, &version))
    return mark_seen (self, "pickup_order", c->id, error);
  if (self->force)
    version = held;   /* a conflict's state: the next pull brings the change's version */
  else if (pickup_move_unsent (self, c->id, order_version, error))
    return mark_seen (self, "pickup_order", c->id, error);
  else if (error != NULL && *error != NULL)
    return FALSE;

  /* The central gives each number to one order: a local order holding
   * this one under another id is stale (left by a central this terminal
   * was enrolled with before) and would block every pull. */
  if (number != NULL &&
      !exec_text (self, "DELETE FROM pickup_orders WHERE number = ?1 AND id <> ?2", number, c->id, error))
    return FALSE;

  data = json_to_string (c->data, FALSE);
  /* The central's state replaces the counter's: a provisional handover it
   * holds is no longer provisional (accepted, or refused: an incident). */
  stmt = prep (self,
      "INSERT INTO pickup_orders (id, number, store_id, customer_id, channel, state, version, paid, total, "
      "currency, pickup_code_hash, shelf_location, notes, placed_at, ready_at, updated_at, data, sync_version, "
      "customer_name, customer_phone, payment_method, paid_by_sale_id, exception_note, last_transition) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "?19, ?20, ?21, ?22, ?23, ?24) "
      "ON CONFLICT (id) DO UPDATE SET number = excluded.number, store_id = excluded.store_id, "
      "customer_id = excluded.customer_id, channel = excluded.channel, state = excluded.state, "
      "version = excluded.version, paid = excluded.paid, total = excluded.total, currency = excluded.currency, "
      "pickup_code_hash = excluded.pickup_code_hash, shelf_location = excluded.shelf_location, "
      "notes = excluded.notes, placed_at = excluded.placed_at, ready_at = excluded.ready_at, "
      "updated_at = excluded.updated_at, data = excluded.data, sync_version = excluded.sync_version, "
      "customer_name = excluded.customer_name, customer_phone = excluded.customer_phone, "
      "payment_method = excluded.payment_method, paid_by_sale_id = excluded.paid_by_sale_id, "
      "exception_note = excluded.exception_note, last_transition = excluded.last_transition, "
      "provisional = 0", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, c->id);
  pos_database_bind_text (stmt, 2, number);
  pos_database_bind_text (stmt, 3, store_id);
  pos_database_bind_text (stmt, 4, customer);
  pos_database_bind_text (stmt, 5, channel);
  pos_database_bind_text (stmt, 6, state);
  sqlite3_bind_int64 (stmt, 7, order_version);
  sqlite3_bind_int (stmt, 8, paid ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, total);
  pos_database_bind_text (stmt, 10, currency);
  pos_database_bind_text (stmt, 11, hash);
  pos_database_bind_text (stmt, 12, shelf);
  pos_database_bind_text (stmt, 13, notes);
  sqlite3_bind_int64 (stmt, 14, placed);
  if (has_ready)
    sqlite3_bind_int64 (stmt, 15, ready);
  else
    sqlite3_bind_null (stmt, 15);
  sqlite3_bind_int64 (stmt, 16, updated);
  pos_database_bind_text (stmt, 17, data);
  sqlite3_bind_int64 (stmt, 18, MAX (version, 0));
  pos_database_bind_text (stmt, 19, customer_name);
  pos_database_bind_text (stmt, 20, customer_phone);
  pos_database_bind_text (stmt, 21, payment_method);
  pos_database_bind_text (stmt, 22, paid_by);
  pos_database_bind_text (stmt, 23, exception_note);
  pos_database_bind_text (stmt, 24, last_transition);
  if (!run (self, stmt, error))
    return FALSE;

  /* Lines are updated in place (the clerk's ticks while picking,
   * local_picked, stay); lines the order no longer has go. */
  json_builder_begin_array (line_nos);
  for (guint i = 0; lines != NULL && i < json_array_get_length (lines); i++)
    {
      JsonNode *n = json_array_get_element (lines, i);
      JsonObject *l;
      const char *sku, *name, *sub_sku, *sub_name;
      gint64 line_no, qty, picked, collected, price, missing, refunded;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad (error, c, "lines", _("holds something that is not an order line"));
      l = json_node_get_object (n);
      if (!get_int (l, "line_no", FALSE, i + 1, &line_no, NULL, c, error) ||
          !get_str (l, "sku", TRUE, &sku, c, error) ||
          !get_str (l, "name", FALSE, &name, c, error) ||
          !get_int (l, "quantity", TRUE, 0, &qty, NULL, c, error) ||
          !get_int (l, "picked_quantity", FALSE, 0, &picked, NULL, c, error) ||
          !get_int (l, "collected_quantity", FALSE, 0, &collected, NULL, c, error) ||
          !get_int (l, "unit_price", TRUE, 0, &price, NULL, c, error) ||
          !get_int (l, "missing_quantity", FALSE, 0, &missing, NULL, c, error) ||
          !get_str (l, "substitute_sku", FALSE, &sub_sku, c, error) ||
          !get_str (l, "substitute_name", FALSE, &sub_name, c, error) ||
          !get_int (l, "refunded_quantity", FALSE, 0, &refunded, NULL, c, error))
        return FALSE;
      json_builder_add_int_value (line_nos, line_no);
      stmt = prep (self,
          "INSERT INTO pickup_order_lines (order_id, line_no, product_id, sku, name, quantity, "
          "picked_quantity, collected_quantity, unit_price, missing_quantity, substitute_sku, "
          "substitute_name, refunded_quantity) "
          "VALUES (?1, ?2, (SELECT id FROM products WHERE sku = ?3), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
          "ON CONFLICT (order_id, line_no) DO UPDATE SET product_id = excluded.product_id, sku = excluded.sku, "
          "name = excluded.name, quantity = excluded.quantity, picked_quantity = excluded.picked_quantity, "
          "collected_quantity = excluded.collected_quantity, unit_price = excluded.unit_price, "
          "missing_quantity = excluded.missing_quantity, substitute_sku = excluded.substitute_sku, "
          "substitute_name = excluded.substitute_name, refunded_quantity = excluded.refunded_quantity", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, c->id);
      sqlite3_bind_int64 (stmt, 2, line_no);
      pos_database_bind_text (stmt, 3, sku);
      pos_database_bind_text (stmt, 4, name != NULL ? name : sku);
      sqlite3_bind_int64 (stmt, 5, qty);
      sqlite3_bind_int64 (stmt, 6, picked);
      sqlite3_bind_int64 (stmt, 7, collected);
      sqlite3_bind_int64 (stmt, 8, price);
      sqlite3_bind_int64 (stmt, 9, missing);
      pos_database_bind_text (stmt, 10, sub_sku);
      pos_database_bind_text (stmt, 11, sub_name);
      sqlite3_bind_int64 (stmt, 12, refunded);
      if (!run (self, stmt, error))
        return FALSE;
    }
  json_builder_end_array (line_nos);
  line_nos_node = json_builder_get_root (line_nos);
  line_nos_json = json_to_string (line_nos_node, FALSE);
  if (!exec_text (self, "DELETE FROM pickup_order_lines WHERE order_id = ?1 "
                  "AND line_no NOT IN (SELECT value FROM json_each (?2))", c->id, line_nos_json, error))
    return FALSE;

  return mark_seen (self, "pickup_order", c->id, error);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

static gboolean
apply_change (PosSyncApplier      *self,
              const PosSyncChange *c,
              GError             **error)
{
  const char *e = c->entity;

  if (c->data == NULL || !JSON_NODE_HOLDS_OBJECT (c->data))
    return bad (error, c, "data", _("is not an object"));
  if (c->op == POS_SYNC_CHANGE_MERGE && g_strcmp0 (e, "customer") != 0)
    return bad (error, c, "op", _("is a merge, which only customers have"));

  if (c->stream != NULL)
    g_hash_table_add (self->streams, g_strdup (c->stream));

  if (g_strcmp0 (e, "product") == 0)
    return apply_product (self, c, error);
  if (g_strcmp0 (e, "stock_level") == 0)
    return apply_stock_level (self, c, error);
  if (g_strcmp0 (e, "customer") == 0)
    return apply_customer (self, c, error);
  if (g_strcmp0 (e, "customer_event") == 0)
    return apply_customer_event (self, c, error);
  if (g_strcmp0 (e, "pickup_order") == 0)
    return apply_pickup_order (self, c, error);
  if (g_strcmp0 (e, "tax_class") == 0)
    return apply_tax_class (self, c, error);
  if (g_strcmp0 (e, "barcode_rule") == 0)
    return apply_barcode_rule (self, c, error);
  if (g_strcmp0 (e, "store") == 0)
    return apply_store (self, c, error);
  if (g_strcmp0 (e, "terminal") == 0)
    return apply_terminal (self, c, error);
  if (g_strcmp0 (e, "staff") == 0)
    return apply_staff (self, c, error);

  /* A newer central's entity this terminal does not know: skipped, so
   * that the rest still syncs. */
  g_debug ("Skipping change of unknown entity %s %s", e, c->id);
  return TRUE;
}

PosSyncApplier *
pos_sync_applier_new (PosDatabase *db)
{
  PosSyncApplier *self = g_new0 (PosSyncApplier, 1);

  self->db = g_object_ref (db);
  self->streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->tax_classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
pos_sync_applier_free (PosSyncApplier *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->db);
  g_clear_pointer (&self->streams, g_hash_table_unref);
  g_clear_pointer (&self->tax_classes, g_hash_table_unref);
  g_free (self->store_id);
  g_free (self);
}

static gboolean
count_deferred (PosSyncApplier *self,
                GError        **error)
{
  sqlite3_stmt *stmt = prep (self, "SELECT COUNT(*) FROM sync_deferred", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    self->n_deferred = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  g_free (self->store_id);
  self->store_id = pos_database_get_setting (self->db, "store_id");
  /* A rolled-back page may have left names in the cache that are gone. */
  g_hash_table_remove_all (self->tax_classes);
  return TRUE;
}

gboolean
pos_sync_applier_apply (PosSyncApplier      *self,
                        const PosSyncChange *change,
                        GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  return apply_change (self, change, error);
}

gboolean
pos_sync_applier_apply_page (PosSyncApplier    *self,
                             const PosSyncPage *page,
                             const char        *cursor,
                             GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (page != NULL, FALSE);

  if (!pos_database_begin (self->db, error))
    return FALSE;
  if (!count_deferred (self, error))
    goto fail;
  for (guint i = 0; i < page->changes->len; i++)
    if (!apply_change (self, g_ptr_array_index (page->changes, i), error))
      goto fail;
  if (cursor != NULL && !pos_sync_set_cursor (self->db, cursor, error))
    goto fail;
  if (!pos_database_commit (self->db, error))
    goto fail;
  if (self->purged)
    {
      /* The erased customer's old pages may still be in the WAL: copy the
       * WAL into the database and empty it. Readers holding an older
       * snapshot make this a partial checkpoint; the next one finishes. */
      self->purged = FALSE;
      if (sqlite3_wal_checkpoint_v2 (pos_database_get_handle (self->db), NULL,
                                     SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
        g_debug ("Checkpoint after an erasure: %s", sqlite3_errmsg (pos_database_get_handle (self->db)));
    }
  return TRUE;

fail:
  pos_database_rollback (self->db);
  g_hash_table_remove_all (self->tax_classes);
  self->purged = FALSE;
  return FALSE;
}

gboolean
pos_sync_applier_apply_server_state (PosSyncApplier *self,
                                     const char     *op_type,
                                     const char     *entity_id,
                                     JsonNode       *state,
                                     GError        **error)
{
  PosSyncChange c = { 0, };
  const char *entity = NULL;
  const char *stream = NULL;
  gboolean ok;

  if (state == NULL || !JSON_NODE_HOLDS_OBJECT (state))
    return TRUE;
  if (g_strcmp0 (op_type, "pickup.transition") == 0)
    entity = "pickup_order", stream = "pickups";
  else if (g_str_has_prefix (op_type, "customer."))
    entity = "customer", stream = "customers";
  else
    return TRUE;

  {
    JsonObject *o = json_node_get_object (state);
    const char *id = json_object_has_member (o, "id") ? json_object_get_string_member_with_default (o, "id", NULL) : NULL;

    c.id = (char *) (id != NULL ? id : entity_id);
  }
  c.stream = (char *) stream;
  c.entity = (char *) entity;
  c.op = POS_SYNC_CHANGE_UPSERT;
  c.version = 0;
  c.data = state;

  self->force = TRUE;
  ok = apply_change (self, &c, error);
  self->force = FALSE;
  return ok;
}

char **
pos_sync_applier_take_streams (PosSyncApplier *self)
{
  g_autoptr(GPtrArray) list = NULL;
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (self->streams) == 0)
    return NULL;
  list = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->streams);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_ptr_array_add (list, g_strdup (key));
      g_hash_table_iter_steal (&iter);
      g_free (key);
    }
  g_ptr_array_add (list, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
}

/* ------------------------------------------------------------------ */
/* Rebuild                                                             */

gboolean
pos_sync_applier_begin_rebuild (PosSyncApplier *self,
                                GError        **error)
{
  if (!pos_database_exec (self->db,
                          "CREATE TEMP TABLE IF NOT EXISTS sync_seen (entity TEXT NOT NULL, id TEXT NOT NULL, "
                          "PRIMARY KEY (entity, id)) WITHOUT ROWID; DELETE FROM temp.sync_seen;", error))
    return FALSE;
  self->marking = TRUE;
  return TRUE;
}

void
pos_sync_applier_end_rebuild (PosSyncApplier *self)
{
  self->marking = FALSE;
  pos_database_exec (self->db, "DELETE FROM temp.sync_seen", NULL);
}

#define UNSENT "(SELECT entity_id FROM outbox WHERE status IN ('pending', 'rejected'))"
#define SEEN(e) "(SELECT id FROM temp.sync_seen WHERE entity = '" e "')"

/* Inside the caller's transaction. */
gboolean
pos_sync_applier_sweep (PosSyncApplier *self,
                        const char     *stream,
                        GError        **error)
{
  static const char catalog[] =
    /* What sales, movements or orders point at stops being sold instead. */
    "CREATE TEMP TABLE IF NOT EXISTS sync_used_products (id INTEGER PRIMARY KEY);"
    "DELETE FROM temp.sync_used_products;"
    "INSERT OR IGNORE INTO temp.sync_used_products SELECT product_id FROM sale_lines WHERE product_id IS NOT NULL;"
    "INSERT OR IGNORE INTO temp.sync_used_products SELECT product_id FROM stock_movements;"
    "INSERT OR IGNORE INTO temp.sync_used_products SELECT product_id FROM pickup_order_lines WHERE product_id IS NOT NULL;"
    "UPDATE products SET active = 0 WHERE sku NOT IN " SEEN ("product")
    "  AND id IN (SELECT id FROM temp.sync_used_products);"
    "DELETE FROM products WHERE sku NOT IN " SEEN ("product")
    "  AND id NOT IN (SELECT id FROM temp.sync_used_products);"
    "DELETE FROM temp.sync_used_products;"
    "DELETE FROM tax_classes WHERE id NOT IN " SEEN ("tax_class")
    "  AND id NOT IN (SELECT tax_class_id FROM products);"
    "DELETE FROM barcode_rules WHERE central_id IS NULL OR central_id NOT IN " SEEN ("barcode_rule") ";";
  static const char stores[] =
    /* Someone added here and not yet acknowledged stays as is. */
    "DELETE FROM staff WHERE id NOT IN " SEEN ("staff") " AND id NOT IN " UNSENT
    "  AND id NOT IN (SELECT staff_id FROM sales WHERE staff_id IS NOT NULL"
    "    UNION SELECT staff_id FROM shifts UNION SELECT closed_by FROM shifts WHERE closed_by IS NOT NULL"
    "    UNION SELECT staff_id FROM cash_movements WHERE staff_id IS NOT NULL"
    "    UNION SELECT staff_id FROM parked_sales WHERE staff_id IS NOT NULL"
    "    UNION SELECT approver_id FROM approvals UNION SELECT staff_id FROM approvals WHERE staff_id IS NOT NULL"
    "    UNION SELECT changed_by FROM role_permissions WHERE changed_by IS NOT NULL);"
    "UPDATE staff SET active = 0 WHERE id NOT IN " SEEN ("staff") " AND id NOT IN " UNSENT ";"
    "DELETE FROM terminals WHERE id NOT IN " SEEN ("terminal")
    "  AND id IS NOT (SELECT value FROM settings WHERE key = 'terminal_id')"
    "  AND id NOT IN (SELECT terminal_id FROM sales UNION SELECT terminal_id FROM shifts"
    "    UNION SELECT terminal_id FROM parked_sales UNION SELECT terminal_id FROM document_sequences);"
    "DELETE FROM stores WHERE id NOT IN " SEEN ("store")
    "  AND id IS NOT (SELECT value FROM settings WHERE key = 'store_id')"
    "  AND id NOT IN (SELECT store_id FROM sales UNION SELECT store_id FROM terminals"
    "    UNION SELECT store_id FROM staff WHERE store_id IS NOT NULL UNION SELECT store_id FROM stock_movements);";
  static const char stock[] =
    "UPDATE stock_levels SET synced_qty = 0, version = 0 WHERE product_id NOT IN "
    "  (SELECT p.id FROM products p JOIN temp.sync_seen s ON s.entity = 'stock_level' AND s.id = p.sku);";
  static const char customers[] =
    "DELETE FROM customer_events WHERE id NOT IN " SEEN ("customer_event") " AND id NOT IN " UNSENT ";"
    "DELETE FROM customers WHERE id NOT IN " SEEN ("customer") " AND id NOT IN " UNSENT ";";
  static const char pickups[] =
    "DELETE FROM pickup_orders WHERE id NOT IN " SEEN ("pickup_order") " AND id NOT IN " UNSENT ";";
  const char *sql = NULL;

  if (g_strcmp0 (stream, "catalog") == 0)
    sql = catalog;
  else if (g_strcmp0 (stream, "stores") == 0)
    sql = stores;
  else if (g_strcmp0 (stream, "stock") == 0)
    sql = stock;
  else if (g_strcmp0 (stream, "customers") == 0)
    sql = customers;
  else if (g_strcmp0 (stream, "pickups") == 0)
    sql = pickups;
  if (sql == NULL)
    return TRUE;

  g_hash_table_remove_all (self->tax_classes);
  return pos_database_exec (self->db, sql, error);
}

/* ------------------------------------------------------------------ */
/* Cursor and state                                                    */

char *
pos_sync_get_cursor (PosDatabase *db)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (db, "SELECT cursor FROM sync_cursors WHERE stream = ?1", NULL);
  char *cursor = NULL;

  if (stmt == NULL)
    return g_strdup ("");
  sqlite3_bind_text (stmt, 1, CURSOR_STREAM, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    cursor = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return cursor != NULL ? cursor : g_strdup ("");
}

gboolean
pos_sync_set_cursor (PosDatabase *db,
                     const char  *cursor,
                     GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (cursor == NULL || *cursor == '\0')
    stmt = pos_database_prepare_cached (db, "DELETE FROM sync_cursors WHERE stream = ?1", error);
  else
    stmt = pos_database_prepare_cached (db,
        "INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, CURSOR_STREAM, -1, SQLITE_STATIC);
  if (cursor != NULL && *cursor != '\0')
    {
      sqlite3_bind_text (stmt, 2, cursor, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, pos_now_ms ());
    }
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Saving the sync position"));
  return TRUE;
}

char *
pos_sync_state_get (PosDatabase *db,
                    const char  *key)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (db, "SELECT value FROM sync_state WHERE key = ?1", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

gboolean
pos_sync_state_set (PosDatabase *db,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 2);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Saving the sync state"));
  return TRUE;
}
