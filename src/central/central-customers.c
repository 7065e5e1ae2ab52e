/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

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

static gboolean
emit_customer (CentralTx  *tx,
               const char *id,
               GError    **error)
{
  gint64 version = 0;
  g_autofree char *data = central_customer_json (central_tx_get_conn (tx), id, &version, error);

  if (data == NULL)
    return FALSE;
  central_tx_emit (tx, "customers", "customer", id, NULL, "upsert", version, data);
  return TRUE;
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
    const char *params[12];

    times_text = central_json_node_to_string (holder);
    params[0] = id;
    for (guint i = 0; i < G_N_ELEMENTS (lww_fields); i++)
      params[i + 1] = values[i];
    params[9] = restricted ? "t" : "f";
    params[10] = times_text;
    params[11] = now;
    if (!central_conn_run (conn,
          "UPDATE customers SET name = COALESCE ($2, ''), cpf = $3, email = $4, phone = $5, birth_date = $6, "
          "loyalty_card = $7, notes = $8, preferences = $9, processing_restricted = $10::boolean, "
          "field_times = $11, updated_at = GREATEST (updated_at, $12::bigint), version = version + 1 "
          "WHERE id = $1",
          12, params, error))
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
  const char *params[] = { id, now_text };

  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return invalid (error, "id");

  res = central_conn_exec (conn,
    "INSERT INTO customers AS c (id, created_at, updated_at, erased_at) VALUES ($1, $2::bigint, $2::bigint, $2::bigint) "
    "ON CONFLICT (id) DO UPDATE SET name = '', cpf = NULL, email = NULL, phone = NULL, birth_date = NULL, "
    "loyalty_card = NULL, loyalty_tier = NULL, notes = NULL, preferences = NULL, field_times = '{}', "
    "loyalty_points = 0, store_credit = 0, "
    "erased_at = COALESCE (c.erased_at, excluded.erased_at), updated_at = excluded.updated_at, "
    "version = c.version + 1 RETURNING erased_at, version", 2, params, error);
  if (res == NULL)
    return FALSE;
  now = central_res_int (res, 0, 0);

  if (!central_conn_run (conn, "DELETE FROM customer_consents WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn, "DELETE FROM customer_identities WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn,
        "DELETE FROM changes WHERE entity = 'customer_event' AND entity_id IN "
        "(SELECT id FROM customer_events WHERE customer_id = $1)", 1, params, error) ||
      !central_conn_run (conn, "DELETE FROM customer_events WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn, "UPDATE sales SET customer_id = NULL WHERE customer_id = $1", 1, params, error) ||
      !central_conn_run (conn, "UPDATE orders SET customer_id = NULL WHERE customer_id = $1", 1, params, error))
    return FALSE;

  data = g_strdup_printf ("{\"erased_at\":%" G_GINT64_FORMAT "}", now);
  central_tx_emit (tx, "customers", "customer", id, NULL, "delete", central_res_int (res, 0, 1), data);
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
    central_tx_emit (tx, "customers", "customer", from, NULL, "merge", central_res_int (res, 0, 0), data);
    g_clear_pointer (&res, PQclear);

    res = central_conn_exec (conn,
      "UPDATE customer_events SET customer_id = $2 WHERE customer_id = $1 RETURNING " EVENT_COLUMNS,
      2, params, error);
    if (res == NULL)
      return FALSE;
    for (int i = 0; i < PQntuples (res); i++)
      {
        g_autofree char *event = event_json_from_row (res, i);

        central_tx_emit (tx, "customers", "customer_event", PQgetvalue (res, i, 0), NULL, "upsert", 2, event);
      }
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
  char *json;

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
    const char *params[] = { id, customer, event->channel, event->kind, occurred, event->store_id, amount,
                             event->currency, event->summary, event->document_id, event->data };

    res = central_conn_exec (conn,
      "INSERT INTO customer_events (" EVENT_COLUMNS ") VALUES ($1, $2, $3, $4, $5::bigint, $6, $7::bigint, "
      "$8, $9, $10, $11) RETURNING " EVENT_COLUMNS, 11, params, error);
  }
  if (res == NULL)
    return NULL;
  json = event_json_from_row (res, 0);
  central_tx_emit (tx, "customers", "customer_event", id, NULL, "upsert", 1, json);
  return json;
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
