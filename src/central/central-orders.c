/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-pickup.h>
#include <domain/pos-uuid.h>

#include "central-admin.h"
#include "central-customers.h"
#include "central-json.h"
#include "central-orders.h"

G_DEFINE_QUARK (central-order-error-quark, central_order_error)

static const char * const order_channels[] = { "web", "app", "marketplace", "call_centre", "chat" };

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static gboolean
fail (GError    **error,
      int         code,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError    **error,
      int         code,
      const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CENTRAL_ORDER_ERROR, code, msg);
  return FALSE;
}

char *
central_order_json (CentralConn *conn,
                    const char  *order_id,
                    GError     **error)
{
  const char *params[] = { order_id };
  g_autoptr(PGresult) res = NULL;
  g_autoptr(PGresult) lines = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  res = central_conn_exec (conn,
    "SELECT id, number, store_id, customer_id, channel, state, version, paid, total, currency, "
    "pickup_code_hash, shelf_location, notes, placed_at, ready_at, updated_at, fulfilment, external_ref "
    "FROM orders WHERE id = $1", 1, params, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      fail (error, CENTRAL_ORDER_ERROR_NOT_FOUND, "There is no order %s.", order_id);
      return NULL;
    }
  lines = central_conn_exec (conn,
    "SELECT line_no, sku, name, quantity, picked_quantity, collected_quantity, unit_price FROM order_lines "
    "WHERE order_id = $1 ORDER BY line_no", 1, params, error);
  if (lines == NULL)
    return NULL;

  json_builder_begin_object (b);
  central_json_add_str (b, "id", central_res_str (res, 0, 0));
  central_json_add_str (b, "number", central_res_str (res, 0, 1));
  central_json_add_str (b, "store_id", central_res_str (res, 0, 2));
  central_json_add_str (b, "customer_id", central_res_str (res, 0, 3));
  central_json_add_str (b, "channel", central_res_str (res, 0, 4));
  central_json_add_str (b, "state", central_res_str (res, 0, 5));
  central_json_add_int (b, "version", central_res_int (res, 0, 6));
  central_json_add_bool (b, "paid", central_res_bool (res, 0, 7));
  central_json_add_int (b, "total", central_res_int (res, 0, 8));
  central_json_add_str (b, "currency", central_res_str (res, 0, 9));
  central_json_add_str (b, "pickup_code_hash", central_res_str (res, 0, 10));
  central_json_add_str (b, "shelf_location", central_res_str (res, 0, 11));
  central_json_add_str (b, "notes", central_res_str (res, 0, 12));
  central_json_add_int (b, "placed_at", central_res_int (res, 0, 13));
  if (PQgetisnull (res, 0, 14))
    central_json_add_null (b, "ready_at");
  else
    central_json_add_int (b, "ready_at", central_res_int (res, 0, 14));
  central_json_add_int (b, "updated_at", central_res_int (res, 0, 15));
  central_json_add_str (b, "fulfilment", central_res_str (res, 0, 16));
  central_json_add_str (b, "external_ref", central_res_str (res, 0, 17));
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (int i = 0; i < PQntuples (lines); i++)
    {
      json_builder_begin_object (b);
      central_json_add_int (b, "line_no", central_res_int (lines, i, 0));
      central_json_add_str (b, "sku", central_res_str (lines, i, 1));
      central_json_add_str (b, "name", central_res_str (lines, i, 2));
      central_json_add_int (b, "quantity", central_res_int (lines, i, 3));
      central_json_add_int (b, "picked_quantity", central_res_int (lines, i, 4));
      central_json_add_int (b, "collected_quantity", central_res_int (lines, i, 5));
      central_json_add_int (b, "unit_price", central_res_int (lines, i, 6));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

/* Publishes a pickup order on its store's pickups stream. */
static char *
emit_order (CentralTx  *tx,
            const char *order_id,
            GError    **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  const char *params[] = { order_id };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT fulfilment, store_id, version FROM orders WHERE id = $1", 1, params, error);
  char *json;

  if (res == NULL)
    return NULL;
  json = central_order_json (conn, order_id, error);
  if (json == NULL)
    return NULL;
  if (g_str_equal (PQgetvalue (res, 0, 0), "pickup"))
    central_tx_emit (tx, "pickups", "pickup_order", order_id, central_res_str (res, 0, 1), "upsert",
                     central_res_int (res, 0, 2), json);
  return json;
}

static gboolean
valid_code (const char *code)
{
  gsize len = strlen (code);

  if (len < 4 || len > 12)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static char *
code_hash (const char *order_id,
           const char *code)
{
  g_autofree char *text = g_strdup_printf ("%s:%s", order_id, code);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

char *
central_order_create (CentralTx   *tx,
                      JsonObject  *request,
                      gboolean    *created,
                      char       **pickup_code,
                      GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  const char *external_ref = central_json_str (request, "external_ref");
  const char *channel = central_json_str (request, "channel");
  const char *fulfilment = central_json_str (request, "fulfilment");
  const char *store_code = central_json_str (request, "store_code");
  const char *customer_id = central_json_str (request, "customer_id");
  JsonObject *customer = central_json_object (request, "customer");
  const char *currency = central_json_str (request, "currency");
  const char *notes = central_json_str (request, "notes");
  const char *given_code = central_json_str (request, "pickup_code");
  JsonArray *lines = central_json_array (request, "lines");
  gboolean paid = FALSE, pickup;
  g_autofree char *store_id = NULL;
  g_autofree char *customer_resolved = NULL;
  g_autofree char *id = pos_uuid7_new ();
  g_autofree char *code = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *number = NULL;
  g_autofree char *now = int_text (central_now_ms ());
  g_autofree char *total_text = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gint64 total = 0;
  gboolean known = FALSE;

  *created = FALSE;
  *pickup_code = NULL;

  if (external_ref == NULL || *external_ref == '\0' || strlen (external_ref) > 200)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "external_ref is missing or longer than 200 characters."), NULL;
  if (channel == NULL || !g_strv_contains (order_channels, channel))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                 "channel must be one of web, app, marketplace, call_centre, chat."), NULL;
  if (fulfilment == NULL || (!g_str_equal (fulfilment, "pickup") && !g_str_equal (fulfilment, "delivery")))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "fulfilment must be pickup or delivery."), NULL;
  pickup = g_str_equal (fulfilment, "pickup");
  if (pickup && store_code == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "A pickup order needs store_code."), NULL;
  if (json_object_has_member (request, "paid") && !central_json_bool (request, "paid", &paid))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "paid must be true or false."), NULL;
  if (!central_json_is_null (request, "customer_id") && customer_id == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "customer_id must be a string."), NULL;
  if (!central_json_is_null (request, "customer") && customer == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "customer must be an object."), NULL;
  if (!central_json_is_null (request, "currency") && (currency == NULL || strlen (currency) != 3))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "currency must be an ISO 4217 code like BRL."), NULL;
  if (!central_json_is_null (request, "notes") && notes == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "notes must be a string."), NULL;
  if (!central_json_is_null (request, "pickup_code") && (given_code == NULL || !valid_code (given_code)))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "pickup_code must be 4 to 12 digits."), NULL;
  if (lines == NULL || json_array_get_length (lines) == 0 || json_array_get_length (lines) > 1000)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "lines must be a list of 1 to 1000 lines."), NULL;

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonNode *n = json_array_get_element (lines, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      gint64 q, p;

      if (l == NULL || central_json_str (l, "sku") == NULL || !central_json_int (l, "quantity", &q) ||
          !central_json_int (l, "unit_price", &p) || q <= 0 || p < 0 || q > G_MAXINT32 || p > G_MAXINT32)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     "Line %u needs sku, a positive quantity (thousandths) and a unit_price (minor units).",
                     i + 1), NULL;
      total += (q * p + 500) / 1000;
    }

  /* The same order again: answer with the one there is. */
  {
    const char *params[] = { channel, external_ref };

    res = central_conn_exec (conn, "SELECT id FROM orders WHERE channel = $1 AND external_ref = $2",
                             2, params, error);
    if (res == NULL)
      return NULL;
    if (PQntuples (res) > 0)
      return central_order_json (conn, PQgetvalue (res, 0, 0), error);
    g_clear_pointer (&res, PQclear);
  }

  if (pickup)
    {
      const char *params[] = { store_code };

      res = central_conn_exec (conn, "SELECT id FROM stores WHERE code = $1", 1, params, error);
      if (res == NULL)
        return NULL;
      if (PQntuples (res) == 0)
        return fail (error, CENTRAL_ORDER_ERROR_STORE_NOT_FOUND, "There is no store with the code %s.", store_code), NULL;
      store_id = g_strdup (PQgetvalue (res, 0, 0));
      g_clear_pointer (&res, PQclear);
    }

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *l = json_array_get_object_element (lines, i);
      const char *params[] = { central_json_str (l, "sku") };

      res = central_conn_exec (conn, "SELECT name FROM products WHERE sku = $1", 1, params, error);
      if (res == NULL)
        return NULL;
      if (PQntuples (res) == 0)
        return fail (error, CENTRAL_ORDER_ERROR_UNKNOWN_SKU, "There is no product with the SKU %s.", params[0]), NULL;
      g_ptr_array_add (names, g_strdup (PQgetvalue (res, 0, 0)));
      g_clear_pointer (&res, PQclear);
    }

  if (customer != NULL)
    {
      g_autofree char *new_id = NULL;
      const char *cid = central_json_str (customer, "id");
      g_autoptr(GError) cerr = NULL;
      CentralCustomerEdit edit = { 0, };

      if (cid == NULL)
        cid = new_id = pos_uuid7_new ();
      edit.id = cid;
      edit.fields = customer;
      edit.consents = central_json_array (customer, "consents");
      edit.identities = central_json_array (customer, "identities");
      edit.edit_ts = central_now_ms ();
      edit.source = channel;
      if (!central_customer_upsert (tx, &edit, &customer_resolved, NULL, &cerr))
        {
          int kind = g_error_matches (cerr, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID)
                     ? CENTRAL_ORDER_ERROR_INVALID : CENTRAL_ORDER_ERROR_CUSTOMER;

          if (cerr->domain != CENTRAL_CUSTOMER_ERROR)
            {
              g_propagate_error (error, g_steal_pointer (&cerr));
              return NULL;
            }
          return fail (error, kind, "%s", cerr->message), NULL;
        }
    }
  else if (customer_id != NULL)
    {
      gboolean erased = FALSE;
      g_autoptr(GError) cerr = NULL;

      customer_resolved = central_customer_resolve (conn, customer_id, &erased, &cerr);
      if (cerr != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&cerr));
          return NULL;
        }
      if (customer_resolved == NULL || erased)
        return fail (error, CENTRAL_ORDER_ERROR_CUSTOMER,
                     erased ? "The customer %s was erased at their request." : "There is no customer %s.",
                     customer_id), NULL;
    }

  code = pickup ? (given_code != NULL ? g_strdup (given_code)
                                      : g_strdup_printf ("%06d", g_random_int_range (0, 1000000)))
                : NULL;
  hash = code != NULL ? code_hash (id, code) : NULL;
  total_text = int_text (total);

  res = central_conn_exec (conn, "SELECT nextval ('order_numbers')", 0, NULL, error);
  if (res == NULL)
    return NULL;
  number = g_strdup_printf ("%s-%06" G_GINT64_FORMAT, g_str_equal (fulfilment, "pickup") ? "RET" : "ENT",
                            central_res_int (res, 0, 0));
  g_clear_pointer (&res, PQclear);

  {
    const char *params[] = { id, number, channel, external_ref, fulfilment, store_id, customer_resolved,
                             paid ? "t" : "f", total_text, currency != NULL ? currency : "BRL", hash, notes, now };

    res = central_conn_exec (conn,
      "INSERT INTO orders (id, number, channel, external_ref, fulfilment, store_id, customer_id, state, paid, "
      "total, currency, pickup_code_hash, notes, placed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "'PLACED', $8::boolean, $9::bigint, $10, $11, $12, $13::bigint, $13::bigint) "
      "ON CONFLICT (channel, external_ref) DO NOTHING RETURNING id", 13, params, error);
    if (res == NULL)
      return NULL;
    known = PQntuples (res) == 0;
    g_clear_pointer (&res, PQclear);
  }
  if (known)
    {
      /* Created meanwhile by a request like this one. */
      const char *params[] = { channel, external_ref };

      res = central_conn_exec (conn, "SELECT id FROM orders WHERE channel = $1 AND external_ref = $2",
                               2, params, error);
      if (res == NULL)
        return NULL;
      return central_order_json (conn, PQgetvalue (res, 0, 0), error);
    }

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *l = json_array_get_object_element (lines, i);
      g_autofree char *line_no = g_strdup_printf ("%u", i + 1);
      g_autofree char *q = int_text (json_object_get_int_member (l, "quantity"));
      g_autofree char *p = int_text (json_object_get_int_member (l, "unit_price"));
      const char *params[] = { id, line_no, central_json_str (l, "sku"), g_ptr_array_index (names, i), q, p };

      if (!central_conn_run (conn,
            "INSERT INTO order_lines (order_id, line_no, sku, name, quantity, unit_price) "
            "VALUES ($1, $2::integer, $3, $4, $5::bigint, $6::bigint)", 6, params, error))
        return NULL;
      if (pickup)
        {
          const char *p2[] = { store_id, central_json_str (l, "sku"), q, now };

          /* Reserved for the order until it is handed over or cancelled. */
          if (!central_conn_run (conn,
                "INSERT INTO stock_levels AS s (store_id, sku, reserved, updated_at) VALUES ($1, $2, $3::bigint, $4::bigint) "
                "ON CONFLICT (store_id, sku) DO UPDATE SET reserved = s.reserved + excluded.reserved",
                4, p2, error))
            return NULL;
        }
    }

  if (customer_resolved != NULL)
    {
      g_autofree char *summary = g_strdup_printf ("Order %s placed (%s)", number, fulfilment);
      g_autofree char *event = NULL;
      CentralEvent ev = {
        .customer_id = customer_resolved, .channel = channel, .kind = "order_placed",
        .occurred_at = central_now_ms (), .store_id = store_id, .has_amount = TRUE, .amount = total,
        .currency = currency != NULL ? currency : "BRL", .summary = summary, .document_id = id,
      };

      event = central_customer_event_add (tx, &ev, error);
      if (event == NULL)
        return NULL;
    }

  *created = TRUE;
  *pickup_code = g_steal_pointer (&code);
  return emit_order (tx, id, error);
}

/* Delivery orders: PLACED → SHIPPED → DELIVERED, PLACED|SHIPPED → CANCELLED. */
static gboolean
delivery_allowed (const char *from,
                  const char *to)
{
  static const char * const edges[][2] = {
    { "PLACED", "SHIPPED" }, { "SHIPPED", "DELIVERED" }, { "PLACED", "CANCELLED" }, { "SHIPPED", "CANCELLED" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    if (g_str_equal (from, edges[i][0]) && g_str_equal (to, edges[i][1]))
      return TRUE;
  return FALSE;
}

static char *
conflict (CentralConn *conn,
          const char  *order_id,
          char       **server_state,
          GError     **error,
          const char  *message)
{
  if (server_state != NULL)
    *server_state = central_order_json (conn, order_id, NULL);
  fail (error, CENTRAL_ORDER_ERROR_CONFLICT, "%s", message);
  return NULL;
}

char *
central_order_transition (CentralTx               *tx,
                          const char              *order_id,
                          const CentralTransition *t,
                          char                   **server_state,
                          GError                 **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  const char *params[] = { order_id };
  g_autoptr(PGresult) res = NULL;
  g_autofree char *state = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *customer_id = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *now = int_text (central_now_ms ());
  g_autofree char *channel = NULL;
  g_autofree char *number = NULL;
  gboolean pickup, paid;
  gint64 version;
  PosPickupState from_state, to_state;

  if (t->to == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "to is missing."), NULL;

  res = central_conn_exec (conn,
    "SELECT state, version, store_id, fulfilment, paid, pickup_code_hash, customer_id, channel, number "
    "FROM orders WHERE id = $1 FOR UPDATE", 1, params, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    return fail (error, CENTRAL_ORDER_ERROR_NOT_FOUND, "There is no order %s.", order_id), NULL;
  state = g_strdup (PQgetvalue (res, 0, 0));
  version = central_res_int (res, 0, 1);
  store_id = g_strdup (central_res_str (res, 0, 2));
  pickup = g_str_equal (PQgetvalue (res, 0, 3), "pickup");
  paid = central_res_bool (res, 0, 4);
  hash = g_strdup (central_res_str (res, 0, 5));
  customer_id = g_strdup (central_res_str (res, 0, 6));
  channel = g_strdup (PQgetvalue (res, 0, 7));
  number = g_strdup (PQgetvalue (res, 0, 8));
  g_clear_pointer (&res, PQclear);

  if (t->store_id != NULL && g_strcmp0 (t->store_id, store_id) != 0)
    return fail (error, CENTRAL_ORDER_ERROR_WRONG_STORE, "The order %s is not for this store.", order_id), NULL;

  if (pickup)
    {
      const char *from = t->from != NULL ? t->from : state;

      if (!pos_pickup_state_from_string (from, &from_state) || !pos_pickup_state_from_string (t->to, &to_state) ||
          !pos_pickup_transition_allowed (from_state, to_state))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                     "A pickup order cannot go from %s to %s.", from, t->to), NULL;
    }
  else
    {
      const char *from = t->from != NULL ? t->from : state;

      if (t->store_id != NULL)
        return fail (error, CENTRAL_ORDER_ERROR_WRONG_STORE, "The order %s is a delivery order.", order_id), NULL;
      if (!delivery_allowed (from, t->to))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                     "A delivery order cannot go from %s to %s.", from, t->to), NULL;
      from_state = to_state = POS_PICKUP_N_STATES;
    }

  if ((t->from != NULL && !g_str_equal (t->from, state)) ||
      (t->has_expected_version && t->expected_version != version))
    {
      g_autofree char *msg = g_strdup_printf ("The order is %s at version %" G_GINT64_FORMAT " now.", state, version);
      return conflict (conn, order_id, server_state, error, msg);
    }

  if (pickup && pos_pickup_is_handover (to_state))
    {
      const char *why = NULL;

      if (!paid)
        why = "The order is not paid; it cannot be handed over.";
      else if (t->pickup_code != NULL)
        {
          g_autofree char *given = code_hash (order_id, t->pickup_code);

          if (hash == NULL || !g_str_equal (given, hash))
            why = "The pickup code does not match this order.";
        }
      if (why != NULL)
        {
          if (t->handover_conflicts)
            return conflict (conn, order_id, server_state, error, why);
          return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION, "%s", why), NULL;
        }

      if (t->lines != NULL)
        for (guint i = 0; i < json_array_get_length (t->lines); i++)
          {
            JsonNode *n = json_array_get_element (t->lines, i);
            JsonObject *l = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
            gint64 line_no, collected;
            g_autofree char *ln = NULL;
            g_autofree char *cq = NULL;

            if (l == NULL || !central_json_int (l, "line_no", &line_no) ||
                !central_json_int (l, "collected_quantity", &collected) || collected < 0)
              return fail (error, CENTRAL_ORDER_ERROR_INVALID, "lines need line_no and collected_quantity."), NULL;
            ln = int_text (line_no);
            cq = int_text (collected);
            {
              const char *p3[] = { order_id, ln, cq };

              if (!central_conn_run (conn,
                    "UPDATE order_lines SET collected_quantity = LEAST (quantity, $3::bigint) "
                    "WHERE order_id = $1 AND line_no = $2::integer", 3, p3, error))
                return NULL;
            }
          }
      else if (to_state == POS_PICKUP_PICKED_UP)
        {
          if (!central_conn_run (conn, "UPDATE order_lines SET collected_quantity = quantity WHERE order_id = $1",
                                 1, params, error))
            return NULL;
        }
    }

  if (pickup && (to_state == POS_PICKUP_CANCELLED || to_state == POS_PICKUP_PICKED_UP))
    {
      const char *p2[] = { order_id, store_id };

      /* What is still reserved goes back (or left with the customer). */
      if (!central_conn_run (conn,
            "UPDATE stock_levels s SET reserved = GREATEST (0, s.reserved - l.quantity) FROM order_lines l "
            "WHERE l.order_id = $1 AND s.store_id = $2 AND s.sku = l.sku", 2, p2, error))
        return NULL;
    }

  {
    const char *p4[] = { order_id, t->to, now, t->shelf_location,
                         pickup && to_state == POS_PICKUP_READY_FOR_PICKUP ? "t" : "f" };

    if (!central_conn_run (conn,
          "UPDATE orders SET state = $2, version = version + 1, updated_at = $3::bigint, "
          "shelf_location = COALESCE ($4, shelf_location), "
          "ready_at = CASE WHEN $5::boolean THEN $3::bigint ELSE ready_at END WHERE id = $1", 5, p4, error))
      return NULL;
  }

  if (customer_id != NULL && (pickup ? pos_pickup_notifies_customer (to_state) : TRUE))
    {
      g_autofree char *summary = NULL;
      g_autofree char *event = NULL;
      CentralEvent ev = {
        .customer_id = customer_id, .channel = channel,
        .kind = pickup ? "notification" : "order_status",
        .occurred_at = central_now_ms (), .store_id = store_id, .document_id = order_id,
      };
      g_autoptr(GError) local_error = NULL;

      if (pickup && to_state == POS_PICKUP_READY_FOR_PICKUP)
        summary = g_strdup_printf ("Order %s is ready for pickup", number);
      else if (pickup)
        summary = g_strdup_printf ("Order %s was picked up", number);
      else
        summary = g_strdup_printf ("Order %s is now %s", number, t->to);
      ev.summary = summary;
      event = central_customer_event_add (tx, &ev, &local_error);
      if (event == NULL && !g_error_matches (local_error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_ERASED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  return emit_order (tx, order_id, error);
}
