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
    "pickup_code_hash, shelf_location, notes, placed_at, ready_at, updated_at, fulfilment, external_ref, "
    "customer_name, customer_phone, payment_method, paid_by_sale_id, exception_note, "
    "last_from, last_to, last_at, last_terminal_id, last_terminal_name, last_staff_name "
    "FROM orders WHERE id = $1", 1, params, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      fail (error, CENTRAL_ORDER_ERROR_NOT_FOUND, "There is no order %s.", order_id);
      return NULL;
    }
  lines = central_conn_exec (conn,
    "SELECT line_no, sku, name, quantity, picked_quantity, collected_quantity, unit_price, missing_quantity, "
    "substitute_sku, substitute_name, substitute_quantity, refunded_quantity, returned_quantity FROM order_lines "
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
  central_json_add_str (b, "customer_name", central_res_str (res, 0, 18));
  central_json_add_str (b, "customer_phone", central_res_str (res, 0, 19));
  central_json_add_str (b, "payment_method", central_res_str (res, 0, 20));
  central_json_add_str (b, "paid_by_sale_id", central_res_str (res, 0, 21));
  central_json_add_str (b, "exception_note", central_res_str (res, 0, 22));
  if (PQgetisnull (res, 0, 24))
    central_json_add_null (b, "last_transition");
  else
    {
      json_builder_set_member_name (b, "last_transition");
      json_builder_begin_object (b);
      central_json_add_str (b, "from", central_res_str (res, 0, 23));
      central_json_add_str (b, "to", central_res_str (res, 0, 24));
      central_json_add_int (b, "at", central_res_int (res, 0, 25));
      central_json_add_str (b, "terminal_id", central_res_str (res, 0, 26));
      central_json_add_str (b, "terminal_name", central_res_str (res, 0, 27));
      central_json_add_str (b, "staff_name", central_res_str (res, 0, 28));
      json_builder_end_object (b);
    }
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
      central_json_add_int (b, "missing_quantity", central_res_int (lines, i, 7));
      central_json_add_str (b, "substitute_sku", central_res_str (lines, i, 8));
      central_json_add_str (b, "substitute_name", central_res_str (lines, i, 9));
      if (PQgetisnull (lines, i, 10))
        central_json_add_null (b, "substitute_quantity");
      else
        central_json_add_int (b, "substitute_quantity", central_res_int (lines, i, 10));
      central_json_add_int (b, "refunded_quantity", central_res_int (lines, i, 11));
      central_json_add_int (b, "returned_quantity", central_res_int (lines, i, 12));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

char *
central_order_find (CentralConn *conn,
                    const char  *ref,
                    GError     **error)
{
  const char *params[] = { ref };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT id FROM orders WHERE id = $1 OR number = $1 ORDER BY id = $1 DESC LIMIT 1", 1, params, error);

  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      fail (error, CENTRAL_ORDER_ERROR_NOT_FOUND, "There is no order %s.", ref);
      return NULL;
    }
  return g_strdup (PQgetvalue (res, 0, 0));
}

#define EVENT_MAX_LINES 50

/* What a clerk needs to open an order from its timeline entry (§6.1):
 * {"order_id", "number", "state", "lines": [{sku, name, quantity,
 * unit_price}]}; the lines of a refund or return are the ones it names,
 * with its quantities. At most EVENT_MAX_LINES lines. */
static char *
order_event_data (CentralConn *conn,
                  const char  *order_id,
                  JsonArray   *doc_lines,
                  GError     **error)
{
  const char *params[] = { order_id };
  g_autoptr(PGresult) order = central_conn_exec (conn, "SELECT number, state FROM orders WHERE id = $1",
                                                 1, params, error);
  g_autoptr(PGresult) lines = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n = 0;

  if (order == NULL)
    return NULL;
  if (PQntuples (order) == 0)
    return g_strdup ("null");
  lines = central_conn_exec (conn,
    "SELECT line_no, sku, name, quantity, unit_price FROM order_lines WHERE order_id = $1 ORDER BY line_no",
    1, params, error);
  if (lines == NULL)
    return NULL;

  json_builder_begin_object (b);
  central_json_add_str (b, "order_id", order_id);
  central_json_add_str (b, "number", central_res_str (order, 0, 0));
  central_json_add_str (b, "state", central_res_str (order, 0, 1));
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (int i = 0; i < PQntuples (lines) && n < EVENT_MAX_LINES; i++)
    {
      gint64 line_no = central_res_int (lines, i, 0);
      gint64 quantity = central_res_int (lines, i, 3);

      if (doc_lines != NULL)
        {
          gboolean named = FALSE;

          for (guint j = 0; j < json_array_get_length (doc_lines) && !named; j++)
            {
              JsonObject *l = json_array_get_object_element (doc_lines, j);
              gint64 v = 0;

              if (central_json_int (l, "line_no", &v) && v == line_no)
                {
                  named = TRUE;
                  central_json_int (l, "quantity", &quantity);
                }
            }
          if (!named)
            continue;
        }
      json_builder_begin_object (b);
      central_json_add_str (b, "sku", central_res_str (lines, i, 1));
      central_json_add_str (b, "name", central_res_str (lines, i, 2));
      central_json_add_int (b, "quantity", quantity);
      central_json_add_int (b, "unit_price", central_res_int (lines, i, 4));
      json_builder_end_object (b);
      n++;
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

/* card, pix, voucher, gift_card... */
static gboolean
valid_method (const char *method)
{
  gsize len = method != NULL ? strlen (method) : 0;

  if (len == 0 || len > 32)
    return FALSE;
  for (const char *p = method; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
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

/* How a clerk reads where an order was placed. */
static const char *
channel_words (const char *channel)
{
  static const char * const words[][2] = {
    { "web", "on the web shop" }, { "app", "in the app" }, { "marketplace", "on a marketplace" },
    { "call_centre", "through the call centre" }, { "chat", "by chat" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (channel, words[i][0]))
      return words[i][1];
  return channel;
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
  const char *customer_name = central_json_str (request, "customer_name");
  const char *customer_phone = central_json_str (request, "customer_phone");
  const char *payment_method = central_json_str (request, "payment_method");
  g_autofree char *known_name = NULL;
  g_autofree char *known_phone = NULL;
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
  if (!central_json_is_null (request, "customer_name") &&
      (customer_name == NULL || g_utf8_strlen (customer_name, -1) > 200))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "customer_name must be a text of at most 200 characters."), NULL;
  if (!central_json_is_null (request, "customer_phone") &&
      (customer_phone == NULL || g_utf8_strlen (customer_phone, -1) > 40))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "customer_phone must be a text of at most 40 characters."), NULL;
  if (!central_json_is_null (request, "payment_method") && !valid_method (payment_method))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                 "payment_method must be a word like card, pix or voucher (at most 32 letters, digits or _)."), NULL;
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

  /* Who comes for it, as the channel said, or as the central knows them. */
  if (customer_resolved != NULL && (customer_name == NULL || customer_phone == NULL))
    {
      const char *params[] = { customer_resolved };

      res = central_conn_exec (conn, "SELECT NULLIF (name, ''), phone FROM customers WHERE id = $1",
                               1, params, error);
      if (res == NULL)
        return NULL;
      if (PQntuples (res) > 0)
        {
          known_name = g_strdup (central_res_str (res, 0, 0));
          known_phone = g_strdup (central_res_str (res, 0, 1));
        }
      g_clear_pointer (&res, PQclear);
    }
  if (customer_name == NULL)
    customer_name = known_name;
  if (customer_phone == NULL)
    customer_phone = known_phone;

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
                             paid ? "t" : "f", total_text, currency != NULL ? currency : "BRL", hash, notes, now,
                             customer_name, customer_phone, payment_method };

    res = central_conn_exec (conn,
      "INSERT INTO orders (id, number, channel, external_ref, fulfilment, store_id, customer_id, state, paid, "
      "total, currency, pickup_code_hash, notes, placed_at, updated_at, customer_name, customer_phone, "
      "payment_method) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "'PLACED', $8::boolean, $9::bigint, $10, $11, $12, $13::bigint, $13::bigint, $14, $15, $16) "
      "ON CONFLICT (channel, external_ref) DO NOTHING RETURNING id", 16, params, error);
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
      g_autofree char *summary = NULL;
      g_autofree char *event = NULL;
      g_autofree char *data = order_event_data (conn, id, NULL, error);
      CentralEvent ev = {
        .customer_id = customer_resolved, .channel = channel, .kind = "order_placed",
        .occurred_at = central_now_ms (), .store_id = store_id, .has_amount = TRUE, .amount = total,
        .currency = currency != NULL ? currency : "BRL", .document_id = id,
      };

      if (data == NULL)
        return NULL;
      if (pickup)
        {
          g_autofree char *store_name = central_store_name (conn, store_id, error);

          if (store_name == NULL)
            return NULL;
          summary = g_strdup_printf ("Order %s placed %s, for pickup at %s", number, channel_words (channel),
                                     store_name);
          /* §6.1: a customer with a pickup order at a store is its customer. */
          if (!central_customer_relate (tx, customer_resolved, store_id, CENTRAL_RELEVANT_PICKUP, error))
            return NULL;
        }
      else
        summary = g_strdup_printf ("Order %s placed %s, for delivery", number, channel_words (channel));
      ev.summary = summary;
      ev.data = data;
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

/* The order as it is, locked until the end of the transaction. */
typedef struct {
  char    *state;
  gint64   version;
  char    *store_id;
  gboolean pickup;
  gboolean paid;
  char    *hash;
  char    *customer_id;
  char    *channel;
  char    *number;
  char    *currency;
  char    *store_name;   /* NULL for a delivery order */
} OrderRow;

static void
order_row_clear (OrderRow *row)
{
  g_clear_pointer (&row->state, g_free);
  g_clear_pointer (&row->store_id, g_free);
  g_clear_pointer (&row->hash, g_free);
  g_clear_pointer (&row->customer_id, g_free);
  g_clear_pointer (&row->channel, g_free);
  g_clear_pointer (&row->number, g_free);
  g_clear_pointer (&row->currency, g_free);
  g_clear_pointer (&row->store_name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OrderRow, order_row_clear)

static gboolean
lock_order (CentralConn *conn,
            const char  *order_id,
            OrderRow    *row,
            GError     **error)
{
  const char *params[] = { order_id };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT o.state, o.version, o.store_id, o.fulfilment, o.paid, o.pickup_code_hash, o.customer_id, o.channel, "
    "o.number, o.currency, s.name FROM orders o LEFT JOIN stores s ON s.id = o.store_id "
    "WHERE o.id = $1 FOR UPDATE OF o", 1, params, error);

  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    return fail (error, CENTRAL_ORDER_ERROR_NOT_FOUND, "There is no order %s.", order_id);
  order_row_clear (row);
  row->state = g_strdup (PQgetvalue (res, 0, 0));
  row->version = central_res_int (res, 0, 1);
  row->store_id = g_strdup (central_res_str (res, 0, 2));
  row->pickup = g_str_equal (PQgetvalue (res, 0, 3), "pickup");
  row->paid = central_res_bool (res, 0, 4);
  row->hash = g_strdup (central_res_str (res, 0, 5));
  row->customer_id = g_strdup (central_res_str (res, 0, 6));
  row->channel = g_strdup (PQgetvalue (res, 0, 7));
  row->number = g_strdup (PQgetvalue (res, 0, 8));
  row->currency = g_strdup (PQgetvalue (res, 0, 9));
  row->store_name = g_strdup (central_res_str (res, 0, 10));
  return TRUE;
}

/* An entry in the order's customer's timeline (none without a customer,
 * nor for one who was erased), with the order's data. */
static gboolean
add_event (CentralTx      *tx,
           const OrderRow *row,
           const char     *order_id,
           JsonArray      *doc_lines,
           const char     *document_id,
           const char     *channel,
           const char     *kind,
           const char     *store_id,
           gboolean        has_amount,
           gint64          amount,
           const char     *summary,
           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *event = NULL;
  g_autofree char *data = NULL;
  CentralEvent ev = {
    .customer_id = row->customer_id, .channel = channel, .kind = kind, .occurred_at = central_now_ms (),
    .store_id = store_id, .has_amount = has_amount, .amount = amount, .currency = row->currency,
    .summary = summary, .document_id = document_id,
  };

  if (row->customer_id == NULL)
    return TRUE;
  data = order_event_data (central_tx_get_conn (tx), order_id, doc_lines, error);
  if (data == NULL)
    return FALSE;
  ev.data = data;
  event = central_customer_event_add (tx, &ev, &local_error);
  if (event == NULL && !g_error_matches (local_error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_ERASED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* " at Loja Centro", or nothing for a delivery order. */
static const char *
at_store (const OrderRow *row,
          char          **buffer)
{
  if (row->store_name == NULL)
    return "";
  *buffer = g_strconcat (" at ", row->store_name, NULL);
  return *buffer;
}

/* The timeline entry of a move of the state machine (§6.1, §7): what a
 * clerk reads ("Order RET-000042 ready for pickup at Loja Centro"). The
 * customer is notified at READY_FOR_PICKUP and PICKED_UP (kind
 * notification); the other moves a customer cares about are
 * order_status; ALLOCATED and PICKING are the store's own steps. */
static gboolean
transition_event (CentralTx      *tx,
                  const char     *order_id,
                  const OrderRow *row,
                  const char     *from,
                  const char     *to,
                  GError        **error)
{
  g_autofree char *at_buffer = NULL;
  const char *at = at_store (row, &at_buffer);
  g_autofree char *summary = NULL;
  const char *kind = "order_status";
  PosPickupState to_state, from_state;

  if (!row->pickup)
    {
      if (g_str_equal (to, "SHIPPED"))
        summary = g_strdup_printf ("Order %s shipped", row->number);
      else if (g_str_equal (to, "DELIVERED"))
        summary = g_strdup_printf ("Order %s delivered", row->number);
      else if (g_str_equal (to, "CANCELLED"))
        summary = g_strdup_printf ("Order %s cancelled", row->number);
      else
        summary = g_strdup_printf ("Order %s is now %s", row->number, to);
    }
  else
    {
      if (!pos_pickup_state_from_string (to, &to_state) || !pos_pickup_state_from_string (from, &from_state))
        return TRUE;
      switch (to_state)
        {
        case POS_PICKUP_READY_FOR_PICKUP:
          summary = g_strdup_printf ("Order %s ready for pickup%s", row->number, at);
          kind = "notification";
          break;
        case POS_PICKUP_PICKED_UP:
          summary = g_strdup_printf ("Order %s picked up%s", row->number, at);
          kind = "notification";
          break;
        case POS_PICKUP_PARTIALLY_PICKED_UP:
          summary = g_strdup_printf ("Order %s partly picked up%s", row->number, at);
          break;
        case POS_PICKUP_ON_HOLD:
          summary = g_strdup_printf ("Order %s on hold%s", row->number, at);
          break;
        case POS_PICKUP_NO_SHOW:
          summary = g_strdup_printf ("Order %s not collected%s: the customer did not come", row->number, at);
          break;
        case POS_PICKUP_EXPIRED:
          summary = g_strdup_printf ("Order %s expired%s: not collected in time", row->number, at);
          break;
        case POS_PICKUP_CANCELLED:
          summary = g_strdup_printf ("Order %s cancelled", row->number);
          break;
        case POS_PICKUP_ALLOCATED:
        case POS_PICKUP_PICKING:
          if (from_state != POS_PICKUP_ON_HOLD)
            return TRUE;
          summary = g_strdup_printf ("Order %s no longer on hold%s", row->number, at);
          break;
        case POS_PICKUP_PLACED:
        case POS_PICKUP_N_STATES:
        default:
          return TRUE;
        }
    }
  return add_event (tx, row, order_id, NULL, order_id, row->channel, kind, row->store_id, FALSE, 0, summary, error);
}

/* A new version of the order (its lines changed, not its state). */
static gboolean
bump_version (CentralConn *conn,
              const char  *order_id,
              GError     **error)
{
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { order_id, now };

  return central_conn_run (conn, "UPDATE orders SET version = version + 1, updated_at = $2::bigint WHERE id = $1",
                           2, params, error);
}

static gboolean
recompute_total (CentralConn *conn,
                 const char  *order_id,
                 GError     **error)
{
  const char *params[] = { order_id };

  return central_conn_run (conn,
    "UPDATE orders SET total = (SELECT COALESCE (sum ((quantity * unit_price + 500) / 1000), 0) FROM order_lines "
    "WHERE order_id = $1) WHERE id = $1", 1, params, error);
}

/* Moves the reservation of a SKU at the store by delta. */
static gboolean
reserve (CentralConn *conn,
         const char  *store_id,
         const char  *sku,
         gint64       delta,
         GError     **error)
{
  g_autofree char *d = int_text (delta);
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { store_id, sku, d, now };

  return central_conn_run (conn,
    "INSERT INTO stock_levels AS s (store_id, sku, reserved, updated_at) "
    "VALUES ($1, $2, GREATEST (0, $3::bigint), $4::bigint) "
    "ON CONFLICT (store_id, sku) DO UPDATE SET reserved = GREATEST (0, s.reserved + $3::bigint)",
    4, params, error);
}

static gboolean
has_exception (CentralConn *conn,
               const char  *order_id,
               gboolean    *out,
               GError     **error)
{
  const char *params[] = { order_id };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT o.exception_note IS NOT NULL OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id "
    "AND l.missing_quantity > 0) FROM orders o WHERE o.id = $1", 1, params, error);

  if (res == NULL)
    return FALSE;
  *out = PQntuples (res) > 0 && central_res_bool (res, 0, 0);
  return TRUE;
}

/* The central's decision on an exception (§7.1): "partial" drops the
 * missing quantities, "substitute" puts the proposed items in their place
 * (at the line's price); both end the exception. */
static gboolean
resolve_exception (CentralConn    *conn,
                   const char     *order_id,
                   const OrderRow *row,
                   gboolean        substitute,
                   GError        **error)
{
  const char *params[] = { order_id };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT line_no, sku, quantity, missing_quantity, substitute_sku, substitute_name, "
    "COALESCE (substitute_quantity, missing_quantity), unit_price FROM order_lines "
    "WHERE order_id = $1 AND missing_quantity > 0 ORDER BY line_no", 1, params, error);
  g_autoptr(PGresult) left = NULL;
  gint64 next_line = 0;

  if (res == NULL)
    return FALSE;
  {
    g_autoptr(PGresult) max = central_conn_exec (conn,
      "SELECT COALESCE (max (line_no), 0) FROM order_lines WHERE order_id = $1", 1, params, error);

    if (max == NULL)
      return FALSE;
    next_line = central_res_int (max, 0, 0) + 1;
  }

  for (int i = 0; i < PQntuples (res); i++)
    {
      const char *line_no = PQgetvalue (res, i, 0);
      const char *sku = PQgetvalue (res, i, 1);
      gint64 quantity = central_res_int (res, i, 2);
      gint64 missing = MIN (central_res_int (res, i, 3), quantity);
      const char *sub_sku = substitute ? central_res_str (res, i, 4) : NULL;
      const char *sub_name = central_res_str (res, i, 5);
      g_autofree char *sub_qty = g_strdup (PQgetvalue (res, i, 6));
      const char *price = PQgetvalue (res, i, 7);

      if (row->store_id != NULL && !reserve (conn, row->store_id, sku, -missing, error))
        return FALSE;
      if (sub_sku != NULL && missing == quantity)
        {
          const char *p2[] = { order_id, line_no, sub_sku, sub_name, sub_qty };

          /* The whole line was missing: the substitute takes its place. */
          if (!central_conn_run (conn,
                "UPDATE order_lines SET sku = $3, name = COALESCE ($4, name), quantity = $5::bigint, "
                "picked_quantity = 0 WHERE order_id = $1 AND line_no = $2::integer", 5, p2, error))
            return FALSE;
        }
      else
        {
          g_autofree char *m = int_text (missing);
          const char *p2[] = { order_id, line_no, m };

          if (!central_conn_run (conn,
                "UPDATE order_lines SET quantity = quantity - $3::bigint, "
                "picked_quantity = LEAST (picked_quantity, quantity - $3::bigint) "
                "WHERE order_id = $1 AND line_no = $2::integer", 3, p2, error))
            return FALSE;
          if (sub_sku != NULL)
            {
              g_autofree char *ln = int_text (next_line++);
              const char *p3[] = { order_id, ln, sub_sku, sub_name != NULL ? sub_name : sub_sku, sub_qty, price };

              if (!central_conn_run (conn,
                    "INSERT INTO order_lines (order_id, line_no, sku, name, quantity, unit_price) "
                    "VALUES ($1, $2::integer, $3, $4, $5::bigint, $6::bigint)", 6, p3, error))
                return FALSE;
            }
        }
      if (sub_sku != NULL && row->store_id != NULL &&
          !reserve (conn, row->store_id, sub_sku, g_ascii_strtoll (sub_qty, NULL, 10), error))
        return FALSE;
    }

  if (!central_conn_run (conn,
        "UPDATE order_lines SET missing_quantity = 0, substitute_sku = NULL, substitute_name = NULL, "
        "substitute_quantity = NULL WHERE order_id = $1", 1, params, error) ||
      !central_conn_run (conn, "UPDATE orders SET exception_note = NULL WHERE id = $1", 1, params, error) ||
      !recompute_total (conn, order_id, error))
    return FALSE;

  left = central_conn_exec (conn, "SELECT COALESCE (sum (quantity), 0) FROM order_lines WHERE order_id = $1",
                            1, params, error);
  if (left == NULL)
    return FALSE;
  if (central_res_int (left, 0, 0) <= 0)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                 "Nothing would be left of order %s; resolve it with cancel instead.", row->number);
  return TRUE;
}

/* Handover: each line's quantity handed over in this visit adds to what
 * was collected before, never beyond what is left of the line. */
static gboolean
collect_lines (CentralConn *conn,
               const char  *order_id,
               JsonArray   *lines,
               gboolean     everything,
               GError     **error)
{
  if (lines == NULL)
    {
      const char *params[] = { order_id };

      if (!everything)
        return TRUE;
      return central_conn_run (conn,
        "UPDATE order_lines SET collected_quantity = GREATEST (collected_quantity, quantity - refunded_quantity) "
        "WHERE order_id = $1", 1, params, error);
    }
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonNode *n = json_array_get_element (lines, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      gint64 line_no, collected;
      g_autofree char *ln = NULL;
      g_autofree char *cq = NULL;
      g_autoptr(PGresult) res = NULL;

      if (l == NULL || !central_json_int (l, "line_no", &line_no))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID, "lines need line_no and collected_quantity.");
      if (central_json_is_null (l, "collected_quantity"))
        continue;
      if (!central_json_int (l, "collected_quantity", &collected) || collected < 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID, "collected_quantity must be a whole number, 0 or more.");
      ln = int_text (line_no);
      cq = int_text (collected);
      {
        const char *params[] = { order_id, ln, cq };

        res = central_conn_exec (conn,
          "UPDATE order_lines SET collected_quantity = collected_quantity + $3::bigint "
          "WHERE order_id = $1 AND line_no = $2::integer "
          "AND collected_quantity + $3::bigint <= quantity - refunded_quantity RETURNING line_no", 3, params, error);
      }
      if (res == NULL)
        return FALSE;
      if (PQntuples (res) == 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     "Line %" G_GINT64_FORMAT " does not exist or has less left to hand over than that.", line_no);
    }
  return TRUE;
}

/* → READY_FOR_PICKUP: what was picked of each line. */
static gboolean
pick_lines (CentralConn *conn,
            const char  *order_id,
            JsonArray   *lines,
            GError     **error)
{
  for (guint i = 0; lines != NULL && i < json_array_get_length (lines); i++)
    {
      JsonNode *n = json_array_get_element (lines, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      gint64 line_no, picked;
      g_autofree char *ln = NULL;
      g_autofree char *pq = NULL;

      if (l == NULL || !central_json_int (l, "line_no", &line_no))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID, "lines need line_no and picked_quantity.");
      if (central_json_is_null (l, "picked_quantity"))
        continue;
      if (!central_json_int (l, "picked_quantity", &picked) || picked < 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID, "picked_quantity must be a whole number, 0 or more.");
      ln = int_text (line_no);
      pq = int_text (picked);
      {
        const char *params[] = { order_id, ln, pq };

        if (!central_conn_run (conn,
              "UPDATE order_lines SET picked_quantity = LEAST (quantity, $3::bigint) "
              "WHERE order_id = $1 AND line_no = $2::integer", 3, params, error))
          return FALSE;
      }
    }
  return TRUE;
}

/* Everything of a transition but publishing the order. */
static gboolean
move (CentralTx               *tx,
      const char              *order_id,
      const CentralTransition *t,
      OrderRow                *row,
      char                   **server_state,
      GError                 **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *now = int_text (central_now_ms ());
  PosPickupState from_state, to_state;
  gboolean exception = FALSE;
  const char *from;

  if (t->to == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "to is missing.");
  if (t->resolution != NULL && !g_str_equal (t->resolution, "partial") &&
      !g_str_equal (t->resolution, "substitute") && !g_str_equal (t->resolution, "cancel"))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "resolution must be partial, substitute or cancel.");
  if (!lock_order (conn, order_id, row, error))
    return FALSE;

  if (t->store_id != NULL && g_strcmp0 (t->store_id, row->store_id) != 0)
    return fail (error, CENTRAL_ORDER_ERROR_WRONG_STORE, "The order %s is not for this store.", order_id);

  from = t->from != NULL ? t->from : row->state;
  if (row->pickup)
    {
      if (!pos_pickup_state_from_string (from, &from_state) || !pos_pickup_state_from_string (t->to, &to_state) ||
          !pos_pickup_transition_allowed (from_state, to_state))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                     "A pickup order cannot go from %s to %s.", from, t->to);
    }
  else
    {
      if (t->store_id != NULL)
        return fail (error, CENTRAL_ORDER_ERROR_WRONG_STORE, "The order %s is a delivery order.", order_id);
      if (!delivery_allowed (from, t->to))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                     "A delivery order cannot go from %s to %s.", from, t->to);
      from_state = to_state = POS_PICKUP_N_STATES;
    }

  if ((t->from != NULL && !g_str_equal (t->from, row->state)) ||
      (t->has_expected_version && t->expected_version != row->version))
    {
      g_autofree char *msg = g_strdup_printf ("The order is %s at version %" G_GINT64_FORMAT " now.",
                                              row->state, row->version);
      return conflict (conn, order_id, server_state, error, msg), FALSE;
    }

  /* An order on hold because of an exception waits for the central. */
  if (row->pickup && from_state == POS_PICKUP_ON_HOLD && !has_exception (conn, order_id, &exception, error))
    return FALSE;
  if (t->resolution != NULL)
    {
      gboolean cancel = g_str_equal (t->resolution, "cancel");

      if (!exception)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                     "The order %s is not on hold because of an exception; there is nothing to resolve.",
                     row->number);
      if (cancel != (to_state == POS_PICKUP_CANCELLED))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     cancel ? "resolution cancel goes with to CANCELLED."
                            : "resolution partial or substitute cannot go with to CANCELLED; use cancel.");
      if (!cancel && !resolve_exception (conn, order_id, row, g_str_equal (t->resolution, "substitute"), error))
        return FALSE;
    }
  else if (exception && to_state != POS_PICKUP_CANCELLED)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION,
                 "The order %s is on hold because an item is missing; the central decides "
                 "(resolution partial, substitute or cancel).", row->number);

  if (row->pickup && pos_pickup_is_handover (to_state))
    {
      const char *why = NULL;

      if (!row->paid)
        why = "The order is not paid; it cannot be handed over.";
      else if (t->pickup_code != NULL)
        {
          g_autofree char *given = code_hash (order_id, t->pickup_code);

          if (row->hash == NULL || !g_str_equal (given, row->hash))
            why = "The pickup code does not match this order.";
        }
      if (why != NULL)
        {
          if (t->handover_conflicts)
            return conflict (conn, order_id, server_state, error, why), FALSE;
          return fail (error, CENTRAL_ORDER_ERROR_INVALID_TRANSITION, "%s", why);
        }
      if (!collect_lines (conn, order_id, t->lines, to_state == POS_PICKUP_PICKED_UP, error))
        return FALSE;
    }
  if (row->pickup && to_state == POS_PICKUP_READY_FOR_PICKUP && !pick_lines (conn, order_id, t->lines, error))
    return FALSE;

  if (row->pickup && (to_state == POS_PICKUP_CANCELLED || to_state == POS_PICKUP_PICKED_UP))
    {
      const char *p2[] = { order_id, row->store_id };

      /* What is still reserved goes back (or left with the customer). */
      if (!central_conn_run (conn,
            "UPDATE stock_levels s SET reserved = GREATEST (0, s.reserved - l.quantity) FROM order_lines l "
            "WHERE l.order_id = $1 AND s.store_id = $2 AND s.sku = l.sku", 2, p2, error))
        return FALSE;
    }

  {
    const char *p4[] = { order_id, t->to, now, t->shelf_location,
                         row->pickup && to_state == POS_PICKUP_READY_FOR_PICKUP ? "t" : "f",
                         t->terminal_id, t->staff_name, t->provisional ? "t" : "f" };

    if (!central_conn_run (conn,
          "UPDATE orders SET state = $2, version = version + 1, updated_at = $3::bigint, "
          "shelf_location = COALESCE ($4, shelf_location), "
          "ready_at = CASE WHEN $5::boolean THEN $3::bigint ELSE ready_at END, "
          "last_from = state, last_to = $2, last_at = $3::bigint, last_terminal_id = $6, "
          "last_terminal_name = (SELECT name FROM terminals WHERE id = $6), last_staff_name = $7, "
          "last_provisional = $8::boolean WHERE id = $1", 8, p4, error))
      return FALSE;
  }

  if (t->resolution != NULL && !g_str_equal (t->resolution, "cancel"))
    {
      g_autofree char *summary = g_strdup_printf (g_str_equal (t->resolution, "partial")
                                                  ? "Order %s goes ahead without the missing items"
                                                  : "Order %s goes ahead with substitutes for the missing items",
                                                  row->number);

      if (!add_event (tx, row, order_id, NULL, order_id, row->channel, "order_status", row->store_id, FALSE, 0,
                      summary, error))
        return FALSE;
    }
  return TRUE;
}

char *
central_order_transition (CentralTx               *tx,
                          const char              *order_id,
                          const CentralTransition *t,
                          char                   **server_state,
                          GError                 **error)
{
  g_auto(OrderRow) row = { 0, };

  if (!move (tx, order_id, t, &row, server_state, error))
    return NULL;
  /* row.state is where the order came from. */
  if (!transition_event (tx, order_id, &row, row.state, t->to, error))
    return NULL;
  return emit_order (tx, order_id, error);
}

/* ------------------------------------------------------------------ */
/* Operations pushed by terminals (§7.1)                               */

void
central_order_outcome_clear (CentralOrderOutcome *o)
{
  g_clear_pointer (&o->message, g_free);
  g_clear_pointer (&o->server_state, g_free);
}

static gboolean
short_text (JsonObject *p,
            const char *name,
            gsize       max_chars,
            gboolean    required)
{
  const char *v = central_json_str (p, name);

  if (v == NULL)
    return !required && central_json_is_null (p, name);
  return (!required || *v != '\0') && g_utf8_strlen (v, -1) <= (glong) max_chars;
}

/* pickup.exception: like a transition to ON_HOLD, recording what is
 * missing and what the store proposes instead. */
static char *
order_exception (CentralTx   *tx,
                 const char  *order_id,
                 JsonObject  *p,
                 const char  *terminal_id,
                 const char  *store_id,
                 char       **server_state,
                 GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  JsonArray *lines = central_json_array (p, "lines");
  const char *note = central_json_str (p, "note");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(OrderRow) row = { 0, };
  g_autofree char *summary = NULL;
  CentralTransition t = { 0, };

  t.from = central_json_str (p, "from");
  t.to = "ON_HOLD";
  t.has_expected_version = central_json_int (p, "expected_version", &t.expected_version);
  t.store_id = store_id;
  t.terminal_id = terminal_id;
  t.staff_name = central_json_str (p, "staff_name");
  t.handover_conflicts = TRUE;
  if (t.from == NULL || !t.has_expected_version)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "A pickup exception needs order_id, from and expected_version."), NULL;
  if (lines == NULL || json_array_get_length (lines) == 0 || json_array_get_length (lines) > 1000)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "A pickup exception needs the lines with what is missing."), NULL;
  if (!short_text (p, "note", 500, FALSE))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "note must be a text of at most 500 characters."), NULL;
  if (!short_text (p, "staff_name", 200, FALSE))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "staff_name must be a text of at most 200 characters."), NULL;

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonNode *n = json_array_get_element (lines, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      const char *sku = l != NULL ? central_json_str (l, "substitute_sku") : NULL;
      gint64 v;

      if (l == NULL || !central_json_int (l, "line_no", &v) || !central_json_int (l, "missing_quantity", &v) || v <= 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     "Exception line %u needs line_no and a positive missing_quantity.", i + 1), NULL;
      if ((!central_json_is_null (l, "substitute_sku") && sku == NULL) ||
          (!central_json_is_null (l, "substitute_quantity") &&
           (sku == NULL || !central_json_int (l, "substitute_quantity", &v) || v <= 0)))
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     "Exception line %u: substitute_sku must be a SKU and substitute_quantity a positive "
                     "quantity of it.", i + 1), NULL;
      if (sku != NULL)
        {
          const char *params[] = { sku };
          g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT name FROM products WHERE sku = $1",
                                                       1, params, error);

          if (res == NULL)
            return NULL;
          if (PQntuples (res) == 0)
            return fail (error, CENTRAL_ORDER_ERROR_UNKNOWN_SKU, "There is no product with the SKU %s.", sku), NULL;
          g_ptr_array_add (names, g_strdup (PQgetvalue (res, 0, 0)));
        }
      else
        g_ptr_array_add (names, NULL);
    }

  if (!move (tx, order_id, &t, &row, server_state, error))
    return NULL;

  {
    const char *params[] = { order_id, note };

    if (!central_conn_run (conn,
          "UPDATE order_lines SET missing_quantity = 0, substitute_sku = NULL, substitute_name = NULL, "
          "substitute_quantity = NULL WHERE order_id = $1", 1, params, error) ||
        !central_conn_run (conn, "UPDATE orders SET exception_note = $2 WHERE id = $1", 2, params, error))
      return NULL;
  }
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *l = json_array_get_object_element (lines, i);
      gint64 sq = 0;
      g_autofree char *ln = int_text (json_object_get_int_member (l, "line_no"));
      g_autofree char *mq = int_text (json_object_get_int_member (l, "missing_quantity"));
      g_autofree char *sq_text = central_json_int (l, "substitute_quantity", &sq) ? int_text (sq) : NULL;
      const char *params[] = { order_id, ln, mq, central_json_str (l, "substitute_sku"),
                               g_ptr_array_index (names, i), sq_text };
      g_autoptr(PGresult) res = central_conn_exec (conn,
        "UPDATE order_lines SET missing_quantity = $3::bigint, substitute_sku = $4, substitute_name = $5, "
        "substitute_quantity = $6::bigint WHERE order_id = $1 AND line_no = $2::integer "
        "AND $3::bigint <= quantity - collected_quantity RETURNING line_no", 6, params, error);

      if (res == NULL)
        return NULL;
      if (PQntuples (res) == 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     "Exception line %u: the order has no line %s, or it holds less than is missing.", i + 1, ln),
               NULL;
    }

  {
    g_autofree char *at_buffer = NULL;
    const char *at = at_store (&row, &at_buffer);

    summary = note != NULL ? g_strdup_printf ("Order %s on hold%s: an item is missing (%s)", row.number, at, note)
                           : g_strdup_printf ("Order %s on hold%s: an item is missing", row.number, at);
  }
  if (!add_event (tx, &row, order_id, NULL, order_id, row.channel, "order_status", row.store_id, FALSE, 0, summary,
                  error))
    return NULL;
  return emit_order (tx, order_id, error);
}

/* The fields pickup.refund and order.return share. */
typedef struct {
  const char *id;
  const char *order_id;
  JsonArray  *lines;
  gint64      amount;
  const char *currency;
  const char *reason;
  const char *staff_id;
  gint64      created_at;
} OrderDocument;

static gboolean
parse_document (const char    *entity_id,
                JsonObject    *p,
                gint64         local_ts,
                const char    *what,
                OrderDocument *d,
                GError       **error)
{
  d->id = central_json_str (p, "id");
  d->order_id = central_json_str (p, "order_id");
  d->lines = central_json_array (p, "lines");
  d->currency = central_json_str (p, "currency");
  d->reason = central_json_str (p, "reason");
  d->staff_id = central_json_str (p, "staff_id");
  d->created_at = local_ts;

  if (d->id == NULL || *d->id == '\0' || strlen (d->id) > 64)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s has no id.", what);
  if (!g_str_equal (d->id, entity_id))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s id differs from the operation's entity_id.", what);
  if (d->order_id == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s has no order_id.", what);
  if (!central_json_int (p, "amount", &d->amount) || d->amount < 0)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s's amount must be a whole number of minor units, 0 or more.", what);
  if (d->currency == NULL || strlen (d->currency) != 3)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s's currency must be an ISO 4217 code like BRL.", what);
  if (!short_text (p, "reason", 500, TRUE))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s needs a reason (at most 500 characters).", what);
  if (!short_text (p, "staff_id", 64, TRUE))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s needs staff_id.", what);
  if (!central_json_is_null (p, "created_at") && !central_json_int (p, "created_at", &d->created_at))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s's created_at must be a time in Unix milliseconds.", what);
  if (d->lines == NULL || json_array_get_length (d->lines) == 0 || json_array_get_length (d->lines) > 1000)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The %s needs its lines.", what);
  for (guint i = 0; i < json_array_get_length (d->lines); i++)
    {
      JsonNode *n = json_array_get_element (d->lines, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      gint64 v;

      if (l == NULL || !central_json_int (l, "line_no", &v) || !central_json_int (l, "quantity", &v) || v <= 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID, "Line %u of the %s needs line_no and a positive quantity.",
                     i + 1, what);
    }
  return TRUE;
}

static gboolean
document_exists (CentralConn *conn,
                 const char  *sql,
                 const char  *id,
                 gboolean    *exists,
                 GError     **error)
{
  const char *params[] = { id };
  g_autoptr(PGresult) res = central_conn_exec (conn, sql, 1, params, error);

  if (res == NULL)
    return FALSE;
  *exists = PQntuples (res) > 0;
  return TRUE;
}

/* Adds each line's quantity to `column`, within `limit` (SQL of the
 * line's columns and $4, a boolean: the order is a pickup order). */
static gboolean
add_to_lines (CentralConn   *conn,
              const char    *sql,
              OrderDocument *d,
              gboolean       pickup,
              const char    *what,
              GError       **error)
{
  for (guint i = 0; i < json_array_get_length (d->lines); i++)
    {
      JsonObject *l = json_array_get_object_element (d->lines, i);
      g_autofree char *ln = int_text (json_object_get_int_member (l, "line_no"));
      g_autofree char *q = int_text (json_object_get_int_member (l, "quantity"));
      const char *params[] = { d->order_id, ln, q, pickup ? "t" : "f" };
      g_autoptr(PGresult) res = central_conn_exec (conn, sql, 4, params, error);

      if (res == NULL)
        return FALSE;
      if (PQntuples (res) == 0)
        return fail (error, CENTRAL_ORDER_ERROR_INVALID,
                     "Line %s of the %s: the order has no such line, or less of it is left than that.", ln, what);
    }
  return TRUE;
}

/* The tail of a refund or a return: the document (p as it came, in data)
 * stored with insert_sql (approver_id among its columns when not NULL), a
 * new version of the order, an entry in its customer's timeline
 * ("<summary_lead> <number>: <reason>") and the order published. */
static gboolean
record_document (CentralTx           *tx,
                 const OrderRow      *row,
                 const OrderDocument *d,
                 JsonObject          *p,
                 const char          *kind,
                 const char          *summary_lead,
                 const char          *insert_sql,
                 const char          *approver_id,
                 const char          *terminal_id,
                 const char          *store_id,
                 GError             **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), p);
  g_autofree char *data = json_to_string (node, FALSE);
  g_autofree char *amount = int_text (d->amount);
  g_autofree char *created = int_text (d->created_at);
  g_autofree char *now = int_text (central_now_ms ());
  g_autofree char *summary = NULL;
  g_autofree char *json = NULL;
  const char *params[12];
  int n = 0;

  params[n++] = d->id;
  params[n++] = d->order_id;
  params[n++] = store_id;
  params[n++] = terminal_id;
  params[n++] = amount;
  params[n++] = d->currency;
  params[n++] = d->reason;
  params[n++] = d->staff_id;
  if (approver_id != NULL)
    params[n++] = approver_id;
  params[n++] = created;
  params[n++] = now;
  params[n++] = data;
  if (!central_conn_run (conn, insert_sql, n, params, error))
    return FALSE;
  if (!bump_version (conn, d->order_id, error))
    return FALSE;
  {
    g_autofree char *name = central_store_name (conn, store_id, error);

    if (name == NULL)
      return FALSE;
    summary = g_strdup_printf ("%s %s at %s: %s", summary_lead, row->number, name, d->reason);
  }
  if (!add_event (tx, row, d->order_id, d->lines, d->id, "store", kind, store_id, TRUE, d->amount, summary, error))
    return FALSE;
  json = emit_order (tx, d->order_id, error);
  return json != NULL;
}

/* pickup.refund: an item refused at the handover, refunded to the
 * original payment; never more than was not collected. */
static gboolean
order_refund (CentralTx   *tx,
              const char  *entity_id,
              JsonObject  *p,
              gint64       local_ts,
              const char  *terminal_id,
              const char  *store_id,
              gboolean    *duplicate,
              GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  const char *approver_id = central_json_str (p, "approver_id");
  g_auto(OrderRow) row = { 0, };
  OrderDocument d;

  *duplicate = FALSE;
  if (!parse_document (entity_id, p, local_ts, "refund", &d, error))
    return FALSE;
  if (!short_text (p, "approver_id", 64, TRUE))
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "A refund needs approver_id: the manager who approved it.");
  if (!lock_order (conn, d.order_id, &row, error))
    return FALSE;
  if (!row.pickup || g_strcmp0 (row.store_id, store_id) != 0)
    return fail (error, CENTRAL_ORDER_ERROR_WRONG_STORE, "The order %s is not picked up at this store.", row.number);
  if (!document_exists (conn, "SELECT 1 FROM order_refunds WHERE id = $1", d.id, duplicate, error))
    return FALSE;
  if (*duplicate)
    return TRUE;   /* another operation brought it already */

  if (!add_to_lines (conn,
        "UPDATE order_lines SET refunded_quantity = refunded_quantity + $3::bigint "
        "WHERE order_id = $1 AND line_no = $2::integer AND $4::boolean "
        "AND refunded_quantity + $3::bigint <= quantity - collected_quantity RETURNING line_no",
        &d, TRUE, "refund", error))
    return FALSE;
  return record_document (tx, &row, &d, p, "refund", "Refund on order",
                          "INSERT INTO order_refunds (id, order_id, store_id, terminal_id, amount, currency, reason, "
                          "staff_id, approver_id, created_at, received_at, data) VALUES ($1, $2, $3, $4, $5::bigint, "
                          "$6, $7, $8, $9, $10::bigint, $11::bigint, $12)",
                          approver_id, terminal_id, store_id, error);
}

/* order.return: items of an online order brought back to this counter;
 * never more than was bought (collected, for a pickup order) less what
 * came back before. */
static gboolean
order_return (CentralTx   *tx,
              const char  *entity_id,
              JsonObject  *p,
              gint64       local_ts,
              const char  *terminal_id,
              const char  *store_id,
              gboolean    *duplicate,
              GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  const char *doc_store = central_json_str (p, "store_id");
  g_auto(OrderRow) row = { 0, };
  OrderDocument d;

  *duplicate = FALSE;
  if (!parse_document (entity_id, p, local_ts, "return", &d, error))
    return FALSE;
  if (doc_store == NULL)
    return fail (error, CENTRAL_ORDER_ERROR_INVALID, "The return has no store_id.");
  if (!g_str_equal (doc_store, store_id))
    return fail (error, CENTRAL_ORDER_ERROR_WRONG_STORE, "The return belongs to another store than this terminal's.");
  if (!lock_order (conn, d.order_id, &row, error))
    return FALSE;
  if (!document_exists (conn, "SELECT 1 FROM order_returns WHERE id = $1", d.id, duplicate, error))
    return FALSE;
  if (*duplicate)
    return TRUE;   /* another operation brought it already */

  /* §6.1: a customer who returns an online order here is this store's. */
  if (row.customer_id != NULL &&
      !central_customer_relate (tx, row.customer_id, store_id, CENTRAL_RELEVANT_RETURN, error))
    return FALSE;
  if (!add_to_lines (conn,
        "UPDATE order_lines SET returned_quantity = returned_quantity + $3::bigint "
        "WHERE order_id = $1 AND line_no = $2::integer AND returned_quantity + $3::bigint <= "
        "CASE WHEN $4::boolean THEN collected_quantity ELSE quantity - refunded_quantity END RETURNING line_no",
        &d, row.pickup, "return", error))
    return FALSE;
  return record_document (tx, &row, &d, p, "return", "Return of order",
                          "INSERT INTO order_returns (id, order_id, store_id, terminal_id, amount, currency, reason, "
                          "staff_id, created_at, received_at, data) VALUES ($1, $2, $3, $4, $5::bigint, $6, $7, $8, "
                          "$9::bigint, $10::bigint, $11)",
                          NULL, terminal_id, store_id, error);
}

gboolean
central_order_apply_op (CentralTx           *tx,
                        const char          *type,
                        const char          *entity_id,
                        JsonObject          *payload,
                        gint64               local_ts,
                        const char          *terminal_id,
                        const char          *store_id,
                        CentralOrderOutcome *o,
                        GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *server_state = NULL;
  gboolean duplicate = FALSE, done;

  o->status = POS_SYNC_RESULT_APPLIED;
  if (g_str_equal (type, "pickup.exception"))
    {
      const char *order_id = central_json_str (payload, "order_id");
      g_autofree char *order = NULL;

      if (order_id == NULL)
        done = fail (&local_error, CENTRAL_ORDER_ERROR_INVALID, "A pickup exception needs order_id.");
      else if (!g_str_equal (order_id, entity_id))
        done = fail (&local_error, CENTRAL_ORDER_ERROR_INVALID, "order_id differs from the operation's entity_id.");
      else
        done = (order = order_exception (tx, order_id, payload, terminal_id, store_id, &server_state,
                                         &local_error)) != NULL;
    }
  else if (g_str_equal (type, "pickup.refund"))
    done = order_refund (tx, entity_id, payload, local_ts, terminal_id, store_id, &duplicate, &local_error);
  else if (g_str_equal (type, "order.return"))
    done = order_return (tx, entity_id, payload, local_ts, terminal_id, store_id, &duplicate, &local_error);
  else
    g_return_val_if_reached (FALSE);

  if (done)
    {
      o->status = duplicate ? POS_SYNC_RESULT_DUPLICATE : POS_SYNC_RESULT_APPLIED;
      return TRUE;
    }
  if (local_error->domain != CENTRAL_ORDER_ERROR)
    {
      if (g_error_matches (local_error, CENTRAL_DB_ERROR, CENTRAL_DB_ERROR_CONSTRAINT))
        {
          o->status = POS_SYNC_RESULT_REJECTED;
          o->code = "bad_payload";
          o->message = g_strdup_printf ("The central cannot store this operation: %s", local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  o->status = POS_SYNC_RESULT_REJECTED;
  o->message = g_strdup (local_error->message);
  switch (local_error->code)
    {
    case CENTRAL_ORDER_ERROR_CONFLICT:
      o->status = POS_SYNC_RESULT_CONFLICT;
      o->server_state = g_steal_pointer (&server_state);
      break;
    case CENTRAL_ORDER_ERROR_NOT_FOUND:
      o->code = "not_found";
      break;
    case CENTRAL_ORDER_ERROR_WRONG_STORE:
      o->code = "wrong_store";
      break;
    case CENTRAL_ORDER_ERROR_INVALID_TRANSITION:
      o->code = "invalid_transition";
      break;
    default:
      o->code = "bad_payload";
      break;
    }
  return TRUE;
}

gboolean
central_order_paid_by_sale (CentralTx   *tx,
                            const char  *order_id,
                            const char  *sale_id,
                            const char  *store_id,
                            char       **customer_id,
                            GError     **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { order_id, sale_id, store_id, now };
  g_autoptr(PGresult) res = NULL;
  g_autofree char *json = NULL;

  if (customer_id != NULL)
    *customer_id = NULL;
  res = central_conn_exec (conn,
    "UPDATE orders SET paid = true, paid_by_sale_id = $2, version = version + 1, updated_at = $4::bigint "
    "WHERE id = $1 AND store_id = $3 AND fulfilment = 'pickup' RETURNING customer_id", 4, params, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      /* The sale is a fiscal document: kept all the same. */
      g_message ("Sale %s names pickup order %s, which is not one of its store's pickup orders.", sale_id, order_id);
      return TRUE;
    }
  if (customer_id != NULL)
    *customer_id = g_strdup (central_res_str (res, 0, 0));
  json = emit_order (tx, order_id, error);
  return json != NULL;
}
