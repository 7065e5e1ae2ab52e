/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-contact.h>
#include <domain/pos-cpf.h>
#include <domain/pos-sync-wire.h>
#include <domain/pos-uuid.h>

#include "central-customers.h"
#include "central-json.h"

G_DEFINE_QUARK (central-customer-error-quark, central_customer_error)

/* Last writer wins, per field. */
static const char * const lww_fields[] = {
  "name", "cpf", "email", "phone", "birth_date", "loyalty_card", "notes", "preferences",
};

static const char * const consent_channels[] = {
  "email", "sms", "whatsapp", "phone", "push", "mail",
};

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static gboolean
in_list (const char         *value,
         const char * const *list,
         guint               n)
{
  for (guint i = 0; value != NULL && i < n; i++)
    if (g_str_equal (value, list[i]))
      return TRUE;
  return FALSE;
}

char *
central_customer_resolve (CentralConn *conn,
                          const char  *id,
                          gboolean    *erased,
                          GError     **error)
{
  g_autofree char *current = g_strdup (id);

  *erased = FALSE;
  for (int hop = 0; hop < 32; hop++)
    {
      const char *params[] = { current };
      g_autoptr(PGresult) res = central_conn_exec (conn,
        "SELECT merged_into, erased_at FROM customers WHERE id = $1", 1, params, error);

      if (res == NULL)
        return NULL;
      if (PQntuples (res) == 0)
        return NULL;
      if (!PQgetisnull (res, 0, 1))
        {
          *erased = TRUE;
          return g_steal_pointer (&current);
        }
      if (PQgetisnull (res, 0, 0))
        return g_steal_pointer (&current);
      g_free (current);
      current = g_strdup (PQgetvalue (res, 0, 0));
    }
  g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID,
               "The customer %s is merged in a loop.", id);
  return NULL;
}

char *
central_customer_json (CentralConn *conn,
                       const char  *id,
                       gint64      *version,
                       GError     **error)
{
  const char *params[] = { id };
  g_autoptr(PGresult) res = NULL;
  g_autoptr(PGresult) consents = NULL;
  g_autoptr(PGresult) identities = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  static const char * const cols[] = {
    "id", "name", "cpf", "email", "phone", "birth_date", "loyalty_card", "loyalty_tier",
  };

  res = central_conn_exec (conn,
    "SELECT id, name, cpf, email, phone, birth_date, loyalty_card, loyalty_tier, loyalty_points, "
    "store_credit, currency, notes, preferences, processing_restricted, created_at, updated_at, version "
    "FROM customers WHERE id = $1", 1, params, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_NOT_FOUND, "There is no customer %s.", id);
      return NULL;
    }
  consents = central_conn_exec (conn,
    "SELECT channel, granted, source, recorded_at FROM customer_consents WHERE customer_id = $1 ORDER BY channel",
    1, params, error);
  if (consents == NULL)
    return NULL;
  identities = central_conn_exec (conn,
    "SELECT channel, external_id FROM customer_identities WHERE customer_id = $1 ORDER BY channel, external_id",
    1, params, error);
  if (identities == NULL)
    return NULL;

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (cols); i++)
    central_json_add_str (b, cols[i], central_res_str (res, 0, (int) i));
  central_json_add_int (b, "loyalty_points", central_res_int (res, 0, 8));
  central_json_add_int (b, "store_credit", central_res_int (res, 0, 9));
  central_json_add_str (b, "currency", central_res_str (res, 0, 10));
  central_json_add_str (b, "notes", central_res_str (res, 0, 11));
  central_json_add_str (b, "preferences", central_res_str (res, 0, 12));
  central_json_add_bool (b, "processing_restricted", central_res_bool (res, 0, 13));
  json_builder_set_member_name (b, "consents");
  json_builder_begin_array (b);
  for (int i = 0; i < PQntuples (consents); i++)
    {
      json_builder_begin_object (b);
      central_json_add_str (b, "channel", central_res_str (consents, i, 0));
      central_json_add_bool (b, "granted", central_res_bool (consents, i, 1));
      central_json_add_str (b, "source", central_res_str (consents, i, 2));
      central_json_add_int (b, "recorded_at", central_res_int (consents, i, 3));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "identities");
  json_builder_begin_array (b);
  for (int i = 0; i < PQntuples (identities); i++)
    {
      json_builder_begin_object (b);
      central_json_add_str (b, "channel", central_res_str (identities, i, 0));
      central_json_add_str (b, "external_id", central_res_str (identities, i, 1));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  central_json_add_int (b, "created_at", central_res_int (res, 0, 14));
  central_json_add_int (b, "updated_at", central_res_int (res, 0, 15));
  json_builder_end_object (b);
  if (version != NULL)
    *version = central_res_int (res, 0, 16);
  return central_json_builder_to_string (b);
}

/* The stores the customer is relevant to. */
static PGresult *
stores_of (CentralConn *conn,
           const char  *id,
           GError     **error)
{
  const char *params[] = { id };

  return central_conn_exec (conn, "SELECT store_id FROM customer_stores WHERE customer_id = $1 ORDER BY store_id",
                            1, params, error);
}

/* The customer's state to every store it is relevant to. */
static gboolean
emit_customer (CentralTx  *tx,
               const char *id,
               GError    **error)
{
  gint64 version = 0;
  g_autofree char *data = central_customer_json (central_tx_get_conn (tx), id, &version, error);
  g_autoptr(PGresult) stores = NULL;

  if (data == NULL)
    return FALSE;
  stores = stores_of (central_tx_get_conn (tx), id, error);
  if (stores == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (stores); i++)
    central_tx_emit (tx, "customers", "customer", id, PQgetvalue (stores, i, 0), "upsert", version, data);
  return TRUE;
}

/* A tombstone (op delete or merge) to every store the customer is
 * relevant to. */
static gboolean
emit_tombstone (CentralTx  *tx,
                const char *id,
                const char *op,
                gint64      version,
                const char *data,
                GError    **error)
{
  g_autoptr(PGresult) stores = stores_of (central_tx_get_conn (tx), id, error);

  if (stores == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (stores); i++)
    central_tx_emit (tx, "customers", "customer", id, PQgetvalue (stores, i, 0), op, version, data);
  return TRUE;
}

/* The lookup keys of a customer (§6.1), computed here: PostgreSQL folds
 * accents only with an extension. */
typedef struct {
  char *name;    /* pos_name_fold, "" for no name */
  char *phone;   /* national digits, or NULL */
  char *email;   /* lower case, or NULL */
  char *cpf;     /* 11 digits, or NULL */
} SearchKeys;

static void
search_keys_init (SearchKeys *k,
                  const char *name,
                  const char *cpf,
                  const char *email,
                  const char *phone)
{
  k->name = pos_name_fold (name != NULL ? name : "");
  k->phone = pos_phone_normalize (phone);
  k->email = pos_email_normalize (email);
  k->cpf = pos_cpf_normalize (cpf);
}

static void
search_keys_clear (SearchKeys *k)
{
  g_clear_pointer (&k->name, g_free);
  g_clear_pointer (&k->phone, g_free);
  g_clear_pointer (&k->email, g_free);
  g_clear_pointer (&k->cpf, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SearchKeys, search_keys_clear)

#define SET_SEARCH_KEYS "UPDATE customers SET search_name = $2, phone_digits = $3, email_norm = $4, cpf_digits = $5 " \
                        "WHERE id = $1"

/* Recomputes the lookup keys from the row (after a merge). */
static gboolean
refresh_search_keys (CentralConn *conn,
                     const char  *id,
                     GError     **error)
{
  const char *params[] = { id };
  g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT name, cpf, email, phone FROM customers WHERE id = $1",
                                               1, params, error);
  g_auto(SearchKeys) k = { NULL, };

  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    return TRUE;
  search_keys_init (&k, central_res_str (res, 0, 0), central_res_str (res, 0, 1), central_res_str (res, 0, 2),
                    central_res_str (res, 0, 3));
  {
    const char *p2[] = { id, k.name, k.phone, k.email, k.cpf };

    return central_conn_run (conn, SET_SEARCH_KEYS, 5, p2, error);
  }
}

static void
append_key (GString    *out,
            const char *name,
            const char *value)
{
  g_string_append_printf (out, ",\"%s\":", name);
  if (value == NULL)
    g_string_append (out, "null");
  else
    pos_sync_append_json_string (out, value);
}

gboolean
central_customers_fold_pending (CentralConn *conn,
                                GError     **error)
{
  for (;;)
    {
      g_autoptr(PGresult) res = NULL;
      g_autoptr(GString) rows = g_string_new ("[");
      const char *params[1];
      int n;

      if (!central_conn_begin (conn, error))
        return FALSE;
      res = central_conn_exec (conn,
        "SELECT id, name, cpf, email, phone FROM customers WHERE search_name IS NULL ORDER BY id LIMIT 1000 "
        "FOR UPDATE SKIP LOCKED", 0, NULL, error);
      if (res == NULL)
        goto fail;
      n = PQntuples (res);
      if (n == 0)
        {
          central_conn_rollback (conn);
          return TRUE;
        }
      for (int i = 0; i < n; i++)
        {
          g_auto(SearchKeys) k = { NULL, };

          search_keys_init (&k, central_res_str (res, i, 1), central_res_str (res, i, 2), central_res_str (res, i, 3),
                            central_res_str (res, i, 4));
          g_string_append (rows, i > 0 ? ",{\"id\":" : "{\"id\":");
          pos_sync_append_json_string (rows, PQgetvalue (res, i, 0));
          append_key (rows, "name", k.name);
          append_key (rows, "phone", k.phone);
          append_key (rows, "email", k.email);
          append_key (rows, "cpf", k.cpf);
          g_string_append_c (rows, '}');
        }
      g_string_append_c (rows, ']');
      params[0] = rows->str;
      if (!central_conn_run (conn,
            "UPDATE customers c SET search_name = x.name, phone_digits = x.phone, email_norm = x.email, "
            "cpf_digits = x.cpf FROM json_to_recordset ($1::json) AS x (id text, name text, phone text, email text, "
            "cpf text) WHERE c.id = x.id", 1, params, error) ||
          !central_conn_commit (conn, error))
        goto fail;
    }

fail:
  central_conn_rollback (conn);
  return FALSE;
}

static gboolean
invalid (GError    **error,
         const char *field)
{
  g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID,
               "The customer field %s has the wrong type or value.", field);
  return FALSE;
}

/* Checks the edit's types before anything is written. */
static gboolean
check_edit (const CentralCustomerEdit *edit,
            GError                   **error)
{
  gboolean b;

  if (edit->id == NULL || *edit->id == '\0' || strlen (edit->id) > 64)
    return invalid (error, "id");
  for (guint i = 0; edit->fields != NULL && i < G_N_ELEMENTS (lww_fields); i++)
    if (json_object_has_member (edit->fields, lww_fields[i]) &&
        !central_json_is_null (edit->fields, lww_fields[i]) &&
        central_json_str (edit->fields, lww_fields[i]) == NULL)
      return invalid (error, lww_fields[i]);
  if (edit->fields != NULL && json_object_has_member (edit->fields, "name") &&
      central_json_is_null (edit->fields, "name"))
    return invalid (error, "name");
  if (edit->fields != NULL && json_object_has_member (edit->fields, "processing_restricted") &&
      !central_json_bool (edit->fields, "processing_restricted", &b))
    return invalid (error, "processing_restricted");
  for (guint i = 0; edit->consents != NULL && i < json_array_get_length (edit->consents); i++)
    {
      JsonNode *n = json_array_get_element (edit->consents, i);
      JsonObject *c = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;

      if (c == NULL || !in_list (central_json_str (c, "channel"), consent_channels, G_N_ELEMENTS (consent_channels)) ||
          !central_json_bool (c, "granted", &b))
        return invalid (error, "consents");
    }
  for (guint i = 0; edit->identities != NULL && i < json_array_get_length (edit->identities); i++)
    {
      JsonNode *n = json_array_get_element (edit->identities, i);
      JsonObject *c = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;

      if (c == NULL || central_json_str (c, "channel") == NULL || central_json_str (c, "external_id") == NULL)
        return invalid (error, "identities");
    }
  return TRUE;
}

gboolean
central_customer_upsert (CentralTx                 *tx,
                         const CentralCustomerEdit *edit,
                         char                     **out_id,
                         gboolean                  *created,
                         GError                   **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *id = NULL;
  g_autofree char *ts = int_text (edit->edit_ts);
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(PGresult) res = NULL;
  g_autoptr(JsonNode) times_node = NULL;
  JsonObject *times;
  gboolean erased = FALSE, is_new = FALSE, concurrent;
  gboolean restricted;
  gint64 version;
  const char *values[G_N_ELEMENTS (lww_fields)];

  if (!check_edit (edit, error))
    return FALSE;

  id = central_customer_resolve (conn, edit->id, &erased, error);
  if (id == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (erased)
    {
      g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_ERASED,
                   "The customer %s was erased at their request; their data cannot be recorded again.", edit->id);
      return FALSE;
    }
  if (id == NULL)
    {
      g_autofree char *created_at = int_text (edit->created_at > 0 ? edit->created_at : edit->edit_ts);
      const char *params[] = { edit->id, created_at };

      id = g_strdup (edit->id);
      if (!central_conn_run (conn,
            "INSERT INTO customers (id, created_at, updated_at, version) VALUES ($1, $2::bigint, $2::bigint, 0) "
            "ON CONFLICT (id) DO NOTHING", 2, params, error))
        return FALSE;
      is_new = TRUE;
    }

  {
    const char *params[] = { id };

    res = central_conn_exec (conn,
      "SELECT version, field_times, processing_restricted, name, cpf, email, phone, birth_date, loyalty_card, "
      "notes, preferences FROM customers WHERE id = $1 FOR UPDATE", 1, params, error);
    if (res == NULL)
      return FALSE;
  }
  version = central_res_int (res, 0, 0);
  times_node = json_from_string (central_res_str (res, 0, 1), NULL);
  if (times_node == NULL || !JSON_NODE_HOLDS_OBJECT (times_node))
    {
      g_clear_pointer (&times_node, json_node_unref);
      times_node = json_node_init_object (json_node_alloc (), json_object_new ());
    }
  times = json_node_get_object (times_node);
  restricted = central_res_bool (res, 0, 2);
  concurrent = !is_new && !(edit->has_base_version && edit->base_version == version);

  for (guint i = 0; i < G_N_ELEMENTS (lww_fields); i++)
    {
      gint64 last = 0;

      values[i] = central_res_str (res, 0, (int) i + 3);
      if (edit->fields == NULL || !json_object_has_member (edit->fields, lww_fields[i]))
        continue;
      if (json_object_has_member (times, lww_fields[i]))
        last = json_object_get_int_member (times, lww_fields[i]);
      if (edit->edit_ts < last)
        continue;   /* an older edit of this field loses */
      values[i] = central_json_str (edit->fields, lww_fields[i]);
      json_object_set_int_member (times, lww_fields[i], edit->edit_ts);
    }

  if (edit->fields != NULL && json_object_has_member (edit->fields, "processing_restricted"))
    {
      gboolean wanted = json_object_get_boolean_member (edit->fields, "processing_restricted");

      restricted = concurrent ? (restricted || wanted) : wanted;
    }

  {
    g_autofree char *times_text = NULL;
    g_autoptr(JsonNode) holder = json_node_ref (times_node);
    g_auto(SearchKeys) k = { NULL, };
    const char *params[16];

    /* name, cpf, email, phone are the first four LWW fields. */
    search_keys_init (&k, values[0], values[1], values[2], values[3]);
    times_text = central_json_node_to_string (holder);
    params[0] = id;
    for (guint i = 0; i < G_N_ELEMENTS (lww_fields); i++)
      params[i + 1] = values[i];
    params[9] = restricted ? "t" : "f";
    params[10] = times_text;
    params[11] = now;
    params[12] = k.name;
    params[13] = k.phone;
    params[14] = k.email;
    params[15] = k.cpf;
    if (!central_conn_run (conn,
          "UPDATE customers SET name = COALESCE ($2, ''), cpf = $3, email = $4, phone = $5, birth_date = $6, "
          "loyalty_card = $7, notes = $8, preferences = $9, processing_restricted = $10::boolean, "
          "field_times = $11, updated_at = GREATEST (updated_at, $12::bigint), version = version + 1, "
          "search_name = $13, phone_digits = $14, email_norm = $15, cpf_digits = $16 "
          "WHERE id = $1",
          16, params, error))
      return FALSE;
  }

  for (guint i = 0; edit->consents != NULL && i < json_array_get_length (edit->consents); i++)
    {
      JsonObject *c = json_array_get_object_element (edit->consents, i);
      const char *channel = central_json_str (c, "channel");
      const char *source = central_json_str (c, "source");
      gint64 recorded_at = edit->edit_ts;
      gboolean granted = FALSE;
      g_autofree char *rec = NULL;

      central_json_bool (c, "granted", &granted);
      central_json_int (c, "recorded_at", &recorded_at);
      rec = int_text (recorded_at);
      {
        const char *params[] = { id, channel, granted ? "t" : "f",
                                 source != NULL ? source : (edit->source != NULL ? edit->source : "unknown"),
                                 rec, concurrent ? "t" : "f" };

        /* Concurrent edits: the most restrictive value wins. */
        if (!central_conn_run (conn,
              "INSERT INTO customer_consents AS c (customer_id, channel, granted, source, recorded_at) "
              "VALUES ($1, $2, $3::boolean, $4, $5::bigint) ON CONFLICT (customer_id, channel) DO UPDATE SET "
              "granted = CASE WHEN $6::boolean THEN c.granted AND excluded.granted ELSE excluded.granted END, "
              "source = CASE WHEN $6::boolean AND c.granted AND NOT excluded.granted THEN excluded.source "
              "WHEN $6::boolean AND NOT c.granted THEN c.source ELSE excluded.source END, "
              "recorded_at = GREATEST (c.recorded_at, excluded.recorded_at)",
              6, params, error))
          return FALSE;
      }
    }

  for (guint i = 0; edit->identities != NULL && i < json_array_get_length (edit->identities); i++)
    {
      JsonObject *c = json_array_get_object_element (edit->identities, i);
      const char *params[] = { central_json_str (c, "channel"), central_json_str (c, "external_id"), id };

      if (!central_conn_run (conn,
            "INSERT INTO customer_identities (channel, external_id, customer_id) VALUES ($1, $2, $3) "
            "ON CONFLICT (channel, external_id) DO UPDATE SET customer_id = excluded.customer_id",
            3, params, error))
        return FALSE;
    }

  /* A terminal created or edited them: they are its store's customer. */
  if (edit->store_id != NULL && !central_customer_relate (tx, id, edit->store_id, CENTRAL_RELEVANT_EDIT, error))
    return FALSE;
  if (!emit_customer (tx, id, error))
    return FALSE;
  if (created != NULL)
    *created = is_new;
  if (out_id != NULL)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

gboolean
central_customer_erase (CentralTx   *tx,
                        const char  *id,
                        gint64      *erased_at,
                        GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  gint64 now = central_now_ms ();
  g_autofree char *now_text = int_text (now);
  g_autofree char *data = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(PGresult) merged = NULL;
  const char *params[] = { id, now_text };

  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return invalid (error, "id");

  res = central_conn_exec (conn,
    "INSERT INTO customers AS c (id, created_at, updated_at, erased_at, search_name) "
    "VALUES ($1, $2::bigint, $2::bigint, $2::bigint, '') "
    "ON CONFLICT (id) DO UPDATE SET name = '', cpf = NULL, email = NULL, phone = NULL, birth_date = NULL, "
    "loyalty_card = NULL, loyalty_tier = NULL, notes = NULL, preferences = NULL, field_times = '{}', "
    "loyalty_points = 0, store_credit = 0, search_name = '', phone_digits = NULL, email_norm = NULL, "
    "cpf_digits = NULL, "
    "erased_at = COALESCE (c.erased_at, excluded.erased_at), updated_at = excluded.updated_at, "
    "version = c.version + 1 RETURNING erased_at, version", 2, params, error);
  if (res == NULL)
    return FALSE;
  now = central_res_int (res, 0, 0);

  /* The customers merged into this one are the same person: erased too
   * (their rows kept their contact fields, and the stores that knew them
   * by those ids still hold them). */
  merged = central_conn_exec (conn,
    "WITH RECURSIVE merged (id) AS (SELECT id FROM customers WHERE merged_into = $1 "
    "UNION SELECT c.id FROM customers c JOIN merged m ON c.merged_into = m.id) "
    "UPDATE customers SET name = '', cpf = NULL, email = NULL, phone = NULL, birth_date = NULL, "
    "loyalty_card = NULL, loyalty_tier = NULL, notes = NULL, preferences = NULL, field_times = '{}', "
    "search_name = '', phone_digits = NULL, email_norm = NULL, cpf_digits = NULL, "
    "erased_at = COALESCE (erased_at, $2::bigint), version = version + 1 "
    "WHERE id IN (SELECT id FROM merged) RETURNING id, version", 2, params, error);
  if (merged == NULL)
    return FALSE;

  if (!central_conn_run (conn, "DELETE FROM customer_consents WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn, "DELETE FROM customer_identities WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn,
        "DELETE FROM changes WHERE entity = 'customer_event' AND entity_id IN "
        "(SELECT id FROM customer_events WHERE customer_id = $1)", 1, params, error) ||
      !central_conn_run (conn, "DELETE FROM customer_events WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn, "UPDATE sales SET customer_id = NULL WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn, "UPDATE orders SET customer_id = NULL WHERE customer_id = $1", 1, params, error))
    return FALSE;

  /* The tombstone to every store that may hold them (§6.1). */
  data = g_strdup_printf ("{\"erased_at\":%" G_GINT64_FORMAT "}", now);
  if (!emit_tombstone (tx, id, "delete", central_res_int (res, 0, 1), data, error))
    return FALSE;
  for (int i = 0; i < PQntuples (merged); i++)
    if (!emit_tombstone (tx, PQgetvalue (merged, i, 0), "delete", central_res_int (merged, i, 1), data, error))
      return FALSE;
  if (erased_at != NULL)
    *erased_at = now;
  return TRUE;
}

static char *
event_json_from_row (PGresult *res,
                     int       i)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  central_json_add_str (b, "id", central_res_str (res, i, 0));
  central_json_add_str (b, "customer_id", central_res_str (res, i, 1));
  central_json_add_str (b, "channel", central_res_str (res, i, 2));
  central_json_add_str (b, "kind", central_res_str (res, i, 3));
  central_json_add_int (b, "occurred_at", central_res_int (res, i, 4));
  central_json_add_str (b, "store_id", central_res_str (res, i, 5));
  if (PQgetisnull (res, i, 6))
    central_json_add_null (b, "amount");
  else
    central_json_add_int (b, "amount", central_res_int (res, i, 6));
  central_json_add_str (b, "currency", central_res_str (res, i, 7));
  central_json_add_str (b, "summary", central_res_str (res, i, 8));
  central_json_add_str (b, "document_id", central_res_str (res, i, 9));
  central_json_add_raw (b, "data", central_res_str (res, i, 10));
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

#define EVENT_COLUMNS "id, customer_id, channel, kind, occurred_at, store_id, amount, currency, summary, document_id, data"
/* The columns of event_json_from_row, and the entry's version (11). */
#define EVENT_SELECT EVENT_COLUMNS ", version"

/* The timeline entries of rows (EVENT_SELECT) to one store, or to every
 * store the customer is relevant to (store_id NULL). */
static gboolean
emit_events (CentralTx  *tx,
             const char *customer_id,
             PGresult   *rows,
             const char *store_id,
             GError    **error)
{
  g_autoptr(PGresult) stores = NULL;

  if (store_id == NULL)
    {
      stores = stores_of (central_tx_get_conn (tx), customer_id, error);
      if (stores == NULL)
        return FALSE;
    }
  for (int i = 0; i < PQntuples (rows); i++)
    {
      g_autofree char *event = event_json_from_row (rows, i);
      gint64 version = central_res_int (rows, i, 11);

      if (store_id != NULL)
        central_tx_emit (tx, "customers", "customer_event", PQgetvalue (rows, i, 0), store_id, "upsert", version,
                         event);
      for (int j = 0; stores != NULL && j < PQntuples (stores); j++)
        central_tx_emit (tx, "customers", "customer_event", PQgetvalue (rows, i, 0), PQgetvalue (stores, j, 0),
                         "upsert", version, event);
    }
  return TRUE;
}

/* Everything a store needs of a customer that just became relevant to it:
 * the state and the whole timeline. The customer's row stays locked to the
 * end of the transaction, so that a timeline entry added meanwhile by
 * another one is either seen here or publishes to this store itself. */
static gboolean
publish_to_store (CentralTx  *tx,
                  const char *id,
                  const char *store_id,
                  GError    **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  const char *params[] = { id };
  g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT version FROM customers WHERE id = $1 FOR NO KEY UPDATE",
                                               1, params, error);
  g_autoptr(PGresult) events = NULL;

  if (res == NULL)
    return FALSE;
  if (PQntuples (res) > 0)
    {
      gint64 version = 0;
      g_autofree char *data = central_customer_json (conn, id, &version, error);

      if (data == NULL)
        return FALSE;
      central_tx_emit (tx, "customers", "customer", id, store_id, "upsert", version, data);
    }
  /* (Without a row: the sales that named them still have their entries.) */
  events = central_conn_exec (conn,
    "SELECT " EVENT_SELECT " FROM customer_events WHERE customer_id = $1 ORDER BY occurred_at, id", 1, params, error);
  if (events == NULL)
    return FALSE;
  return emit_events (tx, id, events, store_id, error);
}

/* Records that `id` (resolved) is relevant to the store; publishes it
 * there when that is new. */
static gboolean
relate_resolved (CentralTx  *tx,
                 const char *id,
                 const char *store_id,
                 const char *reason,
                 GError    **error)
{
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { id, store_id, reason, now };
  g_autoptr(PGresult) res = central_conn_exec (central_tx_get_conn (tx),
    "INSERT INTO customer_stores (customer_id, store_id, reason, since) VALUES ($1, $2, $3, $4::bigint) "
    "ON CONFLICT (customer_id, store_id) DO NOTHING RETURNING store_id", 4, params, error);

  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    return TRUE;   /* relevant there already */
  return publish_to_store (tx, id, store_id, error);
}

gboolean
central_customer_relate (CentralTx   *tx,
                         const char  *customer_id,
                         const char  *store_id,
                         const char  *reason,
                         GError     **error)
{
  g_autofree char *id = NULL;
  gboolean erased = FALSE;

  if (customer_id == NULL || store_id == NULL || *customer_id == '\0' || strlen (customer_id) > 64)
    return TRUE;
  id = central_customer_resolve (central_tx_get_conn (tx), customer_id, &erased, error);
  if (id == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (erased)
    return TRUE;
  return relate_resolved (tx, id != NULL ? id : customer_id, store_id, reason, error);
}

gboolean
central_customer_merge (CentralTx   *tx,
                        const char  *id,
                        const char  *into,
                        GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *data = NULL;
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(PGresult) res = NULL;
  g_autoptr(PGresult) moved = NULL;
  gboolean erased = FALSE;

  from = central_customer_resolve (conn, id, &erased, error);
  if (from == NULL || erased)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, CENTRAL_CUSTOMER_ERROR,
                     erased ? CENTRAL_CUSTOMER_ERROR_ERASED : CENTRAL_CUSTOMER_ERROR_NOT_FOUND,
                     erased ? "The customer %s was erased." : "There is no customer %s.", id);
      return FALSE;
    }
  to = central_customer_resolve (conn, into, &erased, error);
  if (to == NULL || erased)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, CENTRAL_CUSTOMER_ERROR,
                     erased ? CENTRAL_CUSTOMER_ERROR_ERASED : CENTRAL_CUSTOMER_ERROR_NOT_FOUND,
                     erased ? "The customer %s was erased." : "There is no customer %s.", into);
      return FALSE;
    }
  if (g_str_equal (from, to))
    {
      if (g_str_equal (id, from))
        {
          g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID,
                       "A customer cannot be merged into itself.");
          return FALSE;
        }
      return TRUE;  /* already merged there */
    }

  {
    const char *params[] = { from, to, now };

    /* Both rows, in one order: merges racing each other queue. */
    res = central_conn_exec (conn, "SELECT id FROM customers WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
                             2, params, error);
    if (res == NULL)
      return FALSE;
    g_clear_pointer (&res, PQclear);

    /* The survivor keeps its fields and takes the ones it lacks. */
    if (!central_conn_run (conn,
          "UPDATE customers s SET cpf = COALESCE (s.cpf, m.cpf), email = COALESCE (s.email, m.email), "
          "phone = COALESCE (s.phone, m.phone), birth_date = COALESCE (s.birth_date, m.birth_date), "
          "loyalty_card = COALESCE (s.loyalty_card, m.loyalty_card), "
          "loyalty_points = s.loyalty_points + m.loyalty_points, store_credit = s.store_credit + m.store_credit, "
          "processing_restricted = s.processing_restricted OR m.processing_restricted, "
          "updated_at = $3::bigint, version = s.version + 1 FROM customers m WHERE s.id = $2 AND m.id = $1",
          3, params, error))
      return FALSE;
    if (!refresh_search_keys (conn, to, error))
      return FALSE;
    if (!central_conn_run (conn,
          "INSERT INTO customer_consents (customer_id, channel, granted, source, recorded_at) "
          "SELECT $2, channel, granted, source, recorded_at FROM customer_consents WHERE customer_id = $1 "
          "ON CONFLICT (customer_id, channel) DO UPDATE SET granted = customer_consents.granted AND excluded.granted",
          2, params, error) ||
        !central_conn_run (conn, "UPDATE customer_identities SET customer_id = $2 WHERE customer_id = $1",
                           2, params, error))
      return FALSE;
    res = central_conn_exec (conn,
      "UPDATE customers SET merged_into = $2, updated_at = $3::bigint, version = version + 1, loyalty_points = 0, "
      "store_credit = 0 WHERE id = $1 RETURNING version", 3, params, error);
    if (res == NULL)
      return FALSE;
    {
      GString *d = g_string_new ("{\"merged_into\":");

      pos_sync_append_json_string (d, to);
      g_string_append_c (d, '}');
      data = g_string_free (d, FALSE);
    }
    /* The tombstone goes wherever the merged customer was known. */
    if (!emit_tombstone (tx, from, "merge", central_res_int (res, 0, 0), data, error))
      return FALSE;
    g_clear_pointer (&res, PQclear);

    /* The timeline moves to the survivor (a new version of each entry). */
    moved = central_conn_exec (conn, "UPDATE customer_events SET customer_id = $2, version = version + 1 "
                                     "WHERE customer_id = $1 RETURNING " EVENT_SELECT, 2, params, error);
    if (moved == NULL)
      return FALSE;

    /* The survivor is relevant wherever the merged customer was: those
     * stores get its state and whole timeline; the others get the moved
     * entries below. */
    res = central_conn_exec (conn,
      "INSERT INTO customer_stores (customer_id, store_id, reason, since) "
      "SELECT $2, store_id, 'merge', $3::bigint FROM customer_stores WHERE customer_id = $1 "
      "ON CONFLICT (customer_id, store_id) DO NOTHING RETURNING store_id", 3, params, error);
    if (res == NULL)
      return FALSE;
    for (int i = 0; i < PQntuples (res); i++)
      if (!publish_to_store (tx, to, PQgetvalue (res, i, 0), error))
        return FALSE;
    g_clear_pointer (&res, PQclear);

    if (!emit_events (tx, to, moved, NULL, error))
      return FALSE;
  }
  return emit_customer (tx, to, error);
}

char *
central_customer_event_add (CentralTx          *tx,
                            const CentralEvent *event,
                            GError            **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *customer = NULL;
  g_autofree char *id = pos_uuid7_new ();
  g_autofree char *occurred = int_text (event->occurred_at);
  g_autofree char *amount = event->has_amount ? int_text (event->amount) : NULL;
  g_autoptr(PGresult) res = NULL;
  gboolean erased = FALSE;

  customer = central_customer_resolve (conn, event->customer_id, &erased, error);
  if (customer == NULL && error != NULL && *error != NULL)
    return NULL;
  if (erased)
    {
      g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_ERASED,
                   "The customer %s was erased at their request.", event->customer_id);
      return NULL;
    }
  if (customer == NULL)
    customer = g_strdup (event->customer_id);  /* the customer may arrive later */

  {
    const char *params[] = { customer };

    /* Against a store being sent the whole timeline right now
     * (publish_to_store): one of the two waits for the other. The lock
     * an UPDATE of the customer takes, so that a transaction that goes
     * on to update them (loyalty points) never waits on another that
     * holds a weaker one. */
    res = central_conn_exec (conn, "SELECT 1 FROM customers WHERE id = $1 FOR NO KEY UPDATE", 1, params, error);
    if (res == NULL)
      return NULL;
    g_clear_pointer (&res, PQclear);
  }
  {
    const char *params[] = { id, customer, event->channel, event->kind, occurred, event->store_id, amount,
                             event->currency, event->summary, event->document_id, event->data };

    res = central_conn_exec (conn,
      "INSERT INTO customer_events (" EVENT_COLUMNS ") VALUES ($1, $2, $3, $4, $5::bigint, $6, $7::bigint, "
      "$8, $9, $10, $11) RETURNING " EVENT_SELECT, 11, params, error);
  }
  if (res == NULL)
    return NULL;
  if (!emit_events (tx, customer, res, NULL, error))
    return NULL;
  return event_json_from_row (res, 0);
}

gboolean
central_customer_add_points (CentralTx   *tx,
                             const char  *customer_id,
                             gint64       delta,
                             const char  *document_id,
                             GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *id = NULL;
  g_autofree char *delta_text = int_text (delta);
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(PGresult) res = NULL;
  gboolean erased = FALSE;
  gint64 balance;

  if (delta == 0)
    return TRUE;
  id = central_customer_resolve (conn, customer_id, &erased, error);
  if (id == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (erased)
    return TRUE;   /* the sale stands; there is nobody to credit */
  if (id == NULL)
    {
      g_warning ("Sale %s moves %" G_GINT64_FORMAT " loyalty points of customer %s, whom the central does not know; "
                 "the points are not recorded.", document_id, delta, customer_id);
      return TRUE;
    }
  {
    const char *params[] = { id, delta_text, now };

    res = central_conn_exec (conn,
      "UPDATE customers SET loyalty_points = loyalty_points + $2::bigint, version = version + 1, "
      "updated_at = GREATEST (updated_at, $3::bigint) WHERE id = $1 RETURNING loyalty_points", 3, params, error);
  }
  if (res == NULL)
    return FALSE;
  balance = central_res_int (res, 0, 0);
  if (balance < 0)
    g_warning ("Sale %s leaves customer %s with %" G_GINT64_FORMAT " loyalty points.", document_id, id, balance);
  return emit_customer (tx, id, error);
}

/* ------------------------------------------------------------------ */
/* Lookups (§6.1)                                                      */

/* The ids of a result, best first, without repeats, up to limit. */
static void
take_ids (GPtrArray *ids,
          PGresult  *res,
          guint      limit)
{
  for (int i = 0; i < PQntuples (res) && ids->len < limit; i++)
    {
      const char *id = PQgetvalue (res, i, 0);
      gboolean seen = FALSE;

      for (guint j = 0; j < ids->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (ids, j), id);
      if (!seen)
        g_ptr_array_add (ids, g_strdup (id));
    }
}

static char *
json_list (GPtrArray *items)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (guint i = 0; i < items->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      pos_sync_append_json_string (out, g_ptr_array_index (items, i));
    }
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Customers whose folded name has a word starting with each of `words`:
 * first those whose name starts with the first word (the index on
 * search_name), then the others. */
static gboolean
lookup_name (CentralConn *conn,
             GPtrArray   *words,
             GPtrArray   *ids,
             guint        limit,
             GError     **error)
{
  g_autofree char *list = json_list (words);
  const char *first = g_ptr_array_index (words, 0);
  /* Every text that starts with `first` sorts (bytewise, as
   * text_pattern_ops does) from `first` to before `first` + U+10FFFF. */
  g_autofree char *upper = g_strconcat (first, "\xf4\x8f\xbf\xbf", NULL);
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  g_autoptr(PGresult) res = NULL;

  {
    const char *params[] = { first, upper, list, limit_text };

    res = central_conn_exec (conn,
      "SELECT id FROM customers c WHERE merged_into IS NULL AND erased_at IS NULL "
      "AND search_name ~>=~ $1 AND search_name ~<~ $2 "
      "AND NOT EXISTS (SELECT 1 FROM json_array_elements_text ($3::json) AS w "
      "WHERE strpos (' ' || c.search_name, ' ' || w) = 0) "
      "ORDER BY search_name, id LIMIT $4::integer", 4, params, error);
    if (res == NULL)
      return FALSE;
    take_ids (ids, res, limit);
    g_clear_pointer (&res, PQclear);
  }
  if (ids->len >= limit)
    return TRUE;
  {
    g_autofree char *rest = g_strdup_printf ("%u", limit - ids->len);
    const char *params[] = { first, upper, list, rest };

    res = central_conn_exec (conn,
      "SELECT id FROM customers c WHERE merged_into IS NULL AND erased_at IS NULL AND search_name <> '' "
      "AND NOT (search_name ~>=~ $1 AND search_name ~<~ $2) "
      "AND NOT EXISTS (SELECT 1 FROM json_array_elements_text ($3::json) AS w "
      "WHERE strpos (' ' || c.search_name, ' ' || w) = 0) "
      "ORDER BY search_name, id LIMIT $4::integer", 4, params, error);
    if (res == NULL)
      return FALSE;
    take_ids (ids, res, limit);
  }
  return TRUE;
}

char *
central_customer_lookup (CentralTx   *tx,
                         const char  *store_id,
                         const char  *text,
                         guint        limit,
                         GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *cpf = pos_cpf_normalize (trimmed);
  g_autofree char *email = pos_email_normalize (trimmed);
  g_autofree char *phone = pos_phone_normalize (trimmed);
  g_autofree char *folded = pos_name_fold (trimmed);
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GString) out = NULL;
  const char *card = *trimmed != '\0' && strlen (trimmed) <= 64 ? trimmed : NULL;
  guint letters = 0;

  g_return_val_if_fail (limit > 0, NULL);

  /* Exact keys: a CPF, an e-mail, a phone, a loyalty card (a text may be
   * more than one: eleven digits can be a CPF and a mobile number). */
  {
    const char *params[] = { cpf, email, phone, card, limit_text };

    res = central_conn_exec (conn,
      "SELECT id FROM customers WHERE merged_into IS NULL AND erased_at IS NULL "
      "AND (cpf_digits = $1 OR email_norm = $2 OR phone_digits = $3 OR loyalty_card = $4) "
      "ORDER BY CASE WHEN cpf_digits = $1 THEN 0 WHEN loyalty_card = $4 THEN 1 WHEN email_norm = $2 THEN 2 "
      "ELSE 3 END, search_name, id LIMIT $5::integer", 5, params, error);
    if (res == NULL)
      return NULL;
    take_ids (ids, res, limit);
  }

  /* Otherwise name words, when the text is not one of those keys. */
  if (cpf == NULL && email == NULL && phone == NULL)
    {
      g_auto(GStrv) parts = g_strsplit (folded, " ", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (*parts[i] == '\0')
            continue;
          for (const char *p = parts[i]; *p != '\0'; p = g_utf8_next_char (p))
            if (g_unichar_isalpha (g_utf8_get_char (p)))
              letters++;
          g_ptr_array_add (words, g_strdup (parts[i]));
        }
      if (letters < 3 && ids->len == 0)
        {
          g_set_error (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID,
                       "Type at least three letters of the name, or a CPF, phone, e-mail or card.");
          return NULL;
        }
      if (letters >= 3 && ids->len < limit && !lookup_name (conn, words, ids, limit, error))
        return NULL;
    }

  /* Whoever the counter looked up is now a customer of its store. */
  out = g_string_new ("{\"customers\":[");
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autofree char *customer = NULL;

      if (!relate_resolved (tx, id, store_id, CENTRAL_RELEVANT_LOOKUP, error))
        return NULL;
      customer = central_customer_json (conn, id, NULL, error);
      if (customer == NULL)
        return NULL;
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, customer);
    }
  g_string_append (out, "]}");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
central_customer_timeline (CentralConn *conn,
                           const char  *id,
                           gint64       before,
                           guint        limit,
                           GError     **error)
{
  g_autofree char *customer = NULL;
  g_autofree char *before_text = int_text (before > 0 ? before : G_MAXINT64);
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  g_autoptr(PGresult) res = NULL;
  const char *params[] = { id, before_text, limit_text };
  GString *out;

  customer = central_customer_json (conn, id, NULL, error);
  if (customer == NULL)
    return NULL;
  res = central_conn_exec (conn,
    "SELECT " EVENT_COLUMNS " FROM customer_events WHERE customer_id = $1 AND occurred_at < $2::bigint "
    "ORDER BY occurred_at DESC, id DESC LIMIT $3::integer", 3, params, error);
  if (res == NULL)
    return NULL;
  out = g_string_new ("{\"customer\":");
  g_string_append (out, customer);
  g_string_append (out, ",\"events\":[");
  for (int i = 0; i < PQntuples (res); i++)
    {
      g_autofree char *event = event_json_from_row (res, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, event);
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}
