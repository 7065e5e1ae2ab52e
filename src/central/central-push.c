/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-sync-wire.h>

#include "central-admin.h"
#include "central-changes.h"
#include "central-customers.h"
#include "central-json.h"
#include "central-orders.h"
#include "central-push.h"
#include "central-receipts.h"
#include "central-staff.h"

/* A bound far beyond any real balance, so that earned - redeemed cannot
 * overflow. */
#define LOYALTY_MAX ((gint64) 1000000000000)

static const char * const reasons[] = {
  "sale", "return", "adjustment", "receipt", "pickup", "transfer", "count", "damage", NULL,
};

/* What applying one operation came to. */
typedef struct {
  PosSyncResultStatus status;
  const char         *code;
  char               *message;
  char               *server_state;   /* JSON text */
} Outcome;

typedef struct {
  CentralTx  *tx;
  CentralConn *conn;
  const char *terminal_id;
  const char *store_id;
} Ctx;

static gboolean
reject (Outcome    *o,
        const char *code,
        const char *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
reject (Outcome    *o,
        const char *code,
        const char *format,
        ...)
{
  va_list args;

  va_start (args, format);
  o->status = POS_SYNC_RESULT_REJECTED;
  o->code = code;
  o->message = g_strdup_vprintf (format, args);
  va_end (args);
  return TRUE;
}

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

/* Records a stock movement (once, by its id) and moves the store's level. */
static gboolean
apply_movement (Ctx        *ctx,
                const char *id,
                const char *sku,
                gint64      delta,
                const char *reason,
                const char *document_id,
                gint64      created_at,
                GError    **error)
{
  g_autofree char *delta_text = int_text (delta);
  g_autofree char *created = int_text (created_at);
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { id, ctx->store_id, sku, delta_text, reason, document_id, ctx->terminal_id, created, now };
  g_autoptr(PGresult) res = NULL;

  res = central_conn_exec (ctx->conn,
    "WITH m AS (INSERT INTO stock_movements (id, store_id, sku, delta, reason, document_id, terminal_id, created_at) "
    "VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, $8::bigint) ON CONFLICT (id) DO NOTHING RETURNING store_id, sku, delta) "
    "INSERT INTO stock_levels AS s (store_id, sku, quantity, updated_at) SELECT store_id, sku, delta, $9::bigint FROM m "
    "ON CONFLICT (store_id, sku) DO UPDATE SET quantity = s.quantity + excluded.quantity, "
    "updated_at = excluded.updated_at, version = s.version + 1 RETURNING quantity, version, updated_at",
    9, params, error);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) > 0)
    {
      g_autoptr(GString) data = g_string_new ("{\"sku\":");

      pos_sync_append_json_string (data, sku);
      g_string_append (data, ",\"store_id\":");
      pos_sync_append_json_string (data, ctx->store_id);
      g_string_append_printf (data, ",\"quantity\":%s,\"updated_at\":%s}", PQgetvalue (res, 0, 0),
                              PQgetvalue (res, 0, 2));
      central_tx_emit (ctx->tx, "stock", "stock_level", sku, ctx->store_id, "upsert", central_res_int (res, 0, 1),
                       data->str);
    }
  return TRUE;
}

/* All the movements of a document in one statement. */
static gboolean
apply_movements (Ctx        *ctx,
                 JsonArray  *moves,
                 const char *document_id,
                 gint64      created_at,
                 GError    **error)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), moves);
  g_autofree char *list = json_to_string (node, FALSE);
  g_autofree char *created = int_text (created_at);
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { list, ctx->store_id, document_id, ctx->terminal_id, created, now };
  g_autoptr(PGresult) res = NULL;

  res = central_conn_exec (ctx->conn,
    "WITH m AS (INSERT INTO stock_movements (id, store_id, sku, delta, reason, document_id, terminal_id, created_at) "
    "SELECT x.id, $2, x.sku, x.delta, x.reason, $3, $4, $5::bigint "
    "FROM json_to_recordset ($1::json) AS x (id text, sku text, delta bigint, reason text) "
    "ON CONFLICT (id) DO NOTHING RETURNING sku, delta), "
    "agg AS (SELECT sku, sum (delta)::bigint AS delta FROM m GROUP BY sku) "
    "INSERT INTO stock_levels AS s (store_id, sku, quantity, updated_at) SELECT $2, sku, delta, $6::bigint FROM agg "
    "ON CONFLICT (store_id, sku) DO UPDATE SET quantity = s.quantity + excluded.quantity, "
    "updated_at = excluded.updated_at, version = s.version + 1 RETURNING sku, quantity, version, updated_at",
    6, params, error);
  if (res == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    {
      g_autoptr(GString) data = g_string_new ("{\"sku\":");

      pos_sync_append_json_string (data, PQgetvalue (res, i, 0));
      g_string_append (data, ",\"store_id\":");
      pos_sync_append_json_string (data, ctx->store_id);
      g_string_append_printf (data, ",\"quantity\":%s,\"updated_at\":%s}", PQgetvalue (res, i, 1),
                              PQgetvalue (res, i, 3));
      central_tx_emit (ctx->tx, "stock", "stock_level", PQgetvalue (res, i, 0), ctx->store_id, "upsert",
                       central_res_int (res, i, 2), data->str);
    }
  return TRUE;
}

static gboolean
valid_text (const char *s,
            gsize       max)
{
  return s != NULL && *s != '\0' && strlen (s) <= max;
}

/* Checks a movement object; NULL when fine, else what is wrong. */
static const char *
check_movement (JsonObject *m,
                gboolean    need_created_at)
{
  gint64 v;

  if (!valid_text (central_json_str (m, "id"), 64))
    return "id";
  if (!valid_text (central_json_str (m, "sku"), 64))
    return "sku";
  if (!central_json_int (m, "delta", &v))
    return "delta";
  if (central_json_str (m, "reason") == NULL || !g_strv_contains (reasons, central_json_str (m, "reason")))
    return "reason";
  if (need_created_at && !central_json_int (m, "created_at", &v))
    return "created_at";
  if (!central_json_is_null (m, "document_id") && central_json_str (m, "document_id") == NULL)
    return "document_id";
  return NULL;
}

static gboolean
apply_sale (Ctx       *ctx,
            PosSyncOp *op,
            JsonObject *p,
            gboolean   is_return,
            Outcome   *o,
            GError   **error)
{
  const char *id = central_json_str (p, "id");
  const char *store = central_json_str (p, "store_id");
  const char *customer = central_json_str (p, "customer_id");
  const char *currency = central_json_str (p, "currency");
  const char *number = central_json_str (p, "number");
  JsonArray *moves = central_json_array (p, "stock_movements");
  const char *pickup_order = central_json_str (p, "pickup_order_id");
  JsonObject *loyalty = central_json_object (p, "loyalty");
  const char *loyalty_customer = NULL;
  gint64 earned = 0, redeemed = 0;
  g_autofree char *order_customer = NULL;
  g_autofree char *data = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *created_text = NULL;
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(PGresult) res = NULL;
  gint64 total = 0, created_at = op->local_ts;

  if (!valid_text (id, 64))
    return reject (o, "bad_payload", "The sale has no id.");
  if (!g_str_equal (id, op->entity_id))
    return reject (o, "bad_payload", "The sale id differs from the operation's entity_id.");
  if (store == NULL)
    return reject (o, "bad_payload", "The sale has no store_id.");
  if (!g_str_equal (store, ctx->store_id))
    return reject (o, "wrong_store", "The sale belongs to another store than this terminal's.");
  if (!central_json_int (p, "total", &total))
    return reject (o, "bad_payload", "The sale has no total.");
  if (!central_json_is_null (p, "customer_id") && customer == NULL)
    return reject (o, "bad_payload", "customer_id must be a string.");
  if (!central_json_is_null (p, "stock_movements") && moves == NULL)
    return reject (o, "bad_payload", "stock_movements must be a list.");
  if (is_return && central_json_str (p, "original_sale_id") == NULL)
    return reject (o, "bad_payload", "A return needs original_sale_id.");
  if (!central_json_is_null (p, "pickup_order_id") && pickup_order == NULL)
    return reject (o, "bad_payload", "pickup_order_id must be a string.");
  /* §6.1: loyalty points earned (negative: taken back by a return) and
   * redeemed by this sale. */
  if (!central_json_is_null (p, "loyalty") && loyalty == NULL)
    return reject (o, "bad_payload", "loyalty must be an object {customer_id, earned, redeemed}.");
  if (loyalty != NULL)
    {
      loyalty_customer = central_json_str (loyalty, "customer_id");
      if (!valid_text (loyalty_customer, 64))
        return reject (o, "bad_payload", "loyalty.customer_id is missing.");
      if ((!central_json_is_null (loyalty, "earned") && !central_json_int (loyalty, "earned", &earned)) ||
          earned < -LOYALTY_MAX || earned > LOYALTY_MAX)
        return reject (o, "bad_payload", "loyalty.earned must be a whole number of points.");
      if ((!central_json_is_null (loyalty, "redeemed") && !central_json_int (loyalty, "redeemed", &redeemed)) ||
          redeemed < 0 || redeemed > LOYALTY_MAX)
        return reject (o, "bad_payload", "loyalty.redeemed must be a whole number of points, 0 or more.");
    }
  central_json_int (p, "created_at", &created_at);
  for (guint i = 0; moves != NULL && i < json_array_get_length (moves); i++)
    {
      JsonNode *n = json_array_get_element (moves, i);
      const char *bad = JSON_NODE_HOLDS_OBJECT (n) ? check_movement (json_node_get_object (n), FALSE) : "movement";

      if (bad != NULL)
        return reject (o, "bad_payload", "Stock movement %u: %s is missing or wrong.", i + 1, bad);
    }

  data = json_to_string (op->payload, FALSE);
  total_text = int_text (total);
  created_text = int_text (created_at);
  {
    const char *params[] = { id, is_return ? "return" : "sale", ctx->store_id, ctx->terminal_id, customer,
                             total_text, currency, created_text, now, data };

    res = central_conn_exec (ctx->conn,
      "INSERT INTO sales (id, kind, store_id, terminal_id, customer_id, total, currency, created_at, received_at, data) "
      "VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, $8::bigint, $9::bigint, $10) ON CONFLICT (id) DO NOTHING RETURNING id",
      10, params, error);
    if (res == NULL)
      return FALSE;
    if (PQntuples (res) == 0)
      {
        /* Another operation brought this sale already. */
        o->status = POS_SYNC_RESULT_DUPLICATE;
        return TRUE;
      }
  }

  if (moves != NULL && json_array_get_length (moves) > 0 &&
      !apply_movements (ctx, moves, id, created_at, error))
    return FALSE;

  /* §7.1: the sale paid a pickup order at the counter. */
  if (pickup_order != NULL && !is_return)
    {
      if (!central_order_paid_by_sale (ctx->tx, pickup_order, id, ctx->store_id, &order_customer, error))
        return FALSE;
      if (customer == NULL)
        customer = order_customer;
    }

  /* §6.1: the customer is now one of this store's. */
  if (customer != NULL &&
      !central_customer_relate (ctx->tx, customer, ctx->store_id,
                                is_return ? CENTRAL_RELEVANT_RETURN : CENTRAL_RELEVANT_SALE, error))
    return FALSE;
  if (loyalty_customer != NULL && g_strcmp0 (loyalty_customer, customer) != 0 &&
      !central_customer_relate (ctx->tx, loyalty_customer, ctx->store_id,
                                is_return ? CENTRAL_RELEVANT_RETURN : CENTRAL_RELEVANT_SALE, error))
    return FALSE;

  if (customer != NULL)
    {
      g_autofree char *store_name = central_store_name (ctx->conn, ctx->store_id, error);
      g_autofree char *summary = NULL;
      g_autofree char *event = NULL;
      g_autoptr(GError) local_error = NULL;
      CentralEvent ev = {
        .customer_id = customer, .channel = "store", .kind = is_return ? "return" : "purchase",
        .occurred_at = created_at, .store_id = ctx->store_id, .has_amount = TRUE, .amount = total,
        .currency = currency, .document_id = id,
      };

      if (store_name == NULL)
        return FALSE;
      summary = g_strdup_printf ("%s %s at %s", is_return ? "Return" : "Sale", number ? number : id, store_name);
      ev.summary = summary;
      event = central_customer_event_add (ctx->tx, &ev, &local_error);
      if (event == NULL && local_error->domain != CENTRAL_CUSTOMER_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  /* Once, with the sale (a replay is a duplicate above). */
  if (loyalty_customer != NULL &&
      !central_customer_add_points (ctx->tx, loyalty_customer, earned - redeemed, id, error))
    return FALSE;
  o->status = POS_SYNC_RESULT_APPLIED;
  return TRUE;
}

static gboolean
apply_stock_move (Ctx        *ctx,
                  PosSyncOp  *op,
                  JsonObject *p,
                  Outcome    *o,
                  GError    **error)
{
  const char *bad = check_movement (p, TRUE);
  const char *store = central_json_str (p, "store_id");

  if (bad != NULL)
    return reject (o, "bad_payload", "The stock movement's %s is missing or wrong.", bad);
  if (store != NULL && !g_str_equal (store, ctx->store_id))
    return reject (o, "wrong_store", "The movement belongs to another store than this terminal's.");
  if (!apply_movement (ctx, central_json_str (p, "id"), central_json_str (p, "sku"),
                       json_object_get_int_member (p, "delta"), central_json_str (p, "reason"),
                       central_json_str (p, "document_id"), json_object_get_int_member (p, "created_at"), error))
    return FALSE;
  o->status = POS_SYNC_RESULT_APPLIED;
  return TRUE;
}

static gboolean
customer_error (GError  **error,
                GError  **local_error,
                Outcome  *o)
{
  if ((*local_error)->domain != CENTRAL_CUSTOMER_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (local_error));
      return FALSE;
    }
  if ((*local_error)->code == CENTRAL_CUSTOMER_ERROR_ERASED)
    return reject (o, "customer_erased", "%s", (*local_error)->message);
  return reject (o, "bad_payload", "%s", (*local_error)->message);
}

static gboolean
apply_customer_upsert (Ctx        *ctx,
                       PosSyncOp  *op,
                       JsonObject *p,
                       Outcome    *o,
                       GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  CentralCustomerEdit edit = { 0, };

  edit.id = central_json_str (p, "id") != NULL ? central_json_str (p, "id") : op->entity_id;
  edit.fields = central_json_object (p, "fields");
  edit.consents = central_json_array (p, "consents");
  edit.identities = central_json_array (p, "identities");
  edit.has_base_version = central_json_int (p, "base_version", &edit.base_version);
  edit.edit_ts = op->local_ts;
  central_json_int (p, "created_at", &edit.created_at);
  edit.source = "store";
  edit.store_id = ctx->store_id;
  if (!central_json_is_null (p, "fields") && edit.fields == NULL)
    return reject (o, "bad_payload", "fields must be an object.");
  if (!central_json_is_null (p, "consents") && edit.consents == NULL)
    return reject (o, "bad_payload", "consents must be a list.");

  if (!central_customer_upsert (ctx->tx, &edit, NULL, NULL, &local_error))
    return customer_error (error, &local_error, o);
  o->status = POS_SYNC_RESULT_APPLIED;
  return TRUE;
}

static gboolean
apply_customer_erase (Ctx        *ctx,
                      PosSyncOp  *op,
                      JsonObject *p,
                      Outcome    *o,
                      GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *id = central_json_str (p, "id") != NULL ? central_json_str (p, "id") : op->entity_id;

  if (!central_customer_erase (ctx->tx, id, NULL, &local_error))
    return customer_error (error, &local_error, o);
  o->status = POS_SYNC_RESULT_APPLIED;
  return TRUE;
}

static gboolean
apply_pickup (Ctx        *ctx,
              PosSyncOp  *op,
              JsonObject *p,
              Outcome    *o,
              GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *order = NULL;
  g_autofree char *server_state = NULL;
  CentralTransition t = { 0, };
  const char *order_id = central_json_str (p, "order_id");

  t.from = central_json_str (p, "from");
  t.to = central_json_str (p, "to");
  t.has_expected_version = central_json_int (p, "expected_version", &t.expected_version);
  t.pickup_code = central_json_str (p, "pickup_code");
  t.lines = central_json_array (p, "lines");
  t.store_id = ctx->store_id;
  t.handover_conflicts = TRUE;
  /* §7.1: the shelf, who moved it, a handover made offline. */
  t.shelf_location = central_json_str (p, "shelf_location");
  t.staff_name = central_json_str (p, "staff_name");
  t.terminal_id = ctx->terminal_id;
  if ((!central_json_is_null (p, "shelf_location") && t.shelf_location == NULL) ||
      (!central_json_is_null (p, "staff_name") && t.staff_name == NULL) ||
      (!central_json_is_null (p, "provisional") && !central_json_bool (p, "provisional", &t.provisional)))
    return reject (o, "bad_payload", "shelf_location and staff_name must be texts, provisional true or false.");
  if (order_id == NULL || t.from == NULL || t.to == NULL || !t.has_expected_version)
    return reject (o, "bad_payload", "A pickup transition needs order_id, from, to and expected_version.");
  if (!central_json_is_null (p, "pickup_code") && t.pickup_code == NULL)
    return reject (o, "bad_payload", "pickup_code must be a string.");
  if (!central_json_is_null (p, "lines") && t.lines == NULL)
    return reject (o, "bad_payload", "lines must be a list.");

  order = central_order_transition (ctx->tx, order_id, &t, &server_state, &local_error);
  if (order != NULL)
    {
      o->status = POS_SYNC_RESULT_APPLIED;
      return TRUE;
    }
  if (local_error->domain != CENTRAL_ORDER_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  switch (local_error->code)
    {
    case CENTRAL_ORDER_ERROR_CONFLICT:
      o->status = POS_SYNC_RESULT_CONFLICT;
      o->message = g_strdup (local_error->message);
      o->server_state = g_steal_pointer (&server_state);
      return TRUE;
    case CENTRAL_ORDER_ERROR_NOT_FOUND:
      return reject (o, "not_found", "%s", local_error->message);
    case CENTRAL_ORDER_ERROR_WRONG_STORE:
      return reject (o, "wrong_store", "%s", local_error->message);
    case CENTRAL_ORDER_ERROR_INVALID_TRANSITION:
      return reject (o, "invalid_transition", "%s", local_error->message);
    default:
      return reject (o, "bad_payload", "%s", local_error->message);
    }
}

/* staff.upsert: a manager at the counter added someone or set a PIN. */
static gboolean
apply_staff_upsert (Ctx        *ctx,
                    PosSyncOp  *op,
                    JsonObject *p,
                    Outcome    *o,
                    GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  CentralStaffInfo info = { 0, };
  const char *bad;

  info.id = central_json_str (p, "id");
  info.store_id = central_json_str (p, "store_id");
  info.code = central_json_str (p, "code");
  info.name = central_json_str (p, "name");
  info.role = central_json_str (p, "role");
  info.badge_code = central_json_str (p, "badge_code");
  info.pin_hash = central_json_str (p, "pin_hash");
  if (!valid_text (info.id, 64))
    return reject (o, "bad_payload", "The person has no id.");
  if (!g_str_equal (info.id, op->entity_id))
    return reject (o, "bad_payload", "The person's id differs from the operation's entity_id.");
  if (info.store_id == NULL)
    return reject (o, "bad_payload", "The person has no store_id.");
  if (!central_json_bool (p, "active", &info.active))
    return reject (o, "bad_payload", "active must be true or false.");
  if (!central_json_is_null (p, "badge_code") && info.badge_code == NULL)
    return reject (o, "bad_payload", "badge_code must be a string.");
  if (!central_json_is_null (p, "pin_hash") && info.pin_hash == NULL)
    return reject (o, "bad_payload", "pin_hash must be a string.");
  if ((bad = central_staff_check (&info)) != NULL)
    return reject (o, "bad_payload", "The person's %s is missing or wrong.", bad);

  if (!central_staff_upsert (ctx->tx, &info, ctx->store_id, ctx->terminal_id, &local_error))
    {
      if (local_error->domain != CENTRAL_STAFF_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (local_error->code == CENTRAL_STAFF_ERROR_WRONG_STORE)
        return reject (o, "wrong_store", "%s", local_error->message);
      return reject (o, "bad_payload", "%s", local_error->message);
    }
  o->status = POS_SYNC_RESULT_APPLIED;
  return TRUE;
}

static gboolean
apply_document (Ctx        *ctx,
                PosSyncOp  *op,
                JsonObject *p,
                Outcome    *o,
                GError    **error)
{
  const char *store = central_json_str (p, "store_id");
  g_autofree char *data = json_to_string (op->payload, FALSE);
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { op->entity_id, op->type, ctx->store_id, ctx->terminal_id, now, data };
  g_autoptr(PGresult) res = NULL;

  if (store != NULL && !g_str_equal (store, ctx->store_id))
    return reject (o, "wrong_store", "The document belongs to another store than this terminal's.");
  if (!valid_text (op->entity_id, 64))
    return reject (o, "bad_payload", "The document has no id.");
  res = central_conn_exec (ctx->conn,
    "INSERT INTO terminal_documents (id, type, store_id, terminal_id, received_at, data) "
    "VALUES ($1, $2, $3, $4, $5::bigint, $6) ON CONFLICT (type, id) DO NOTHING RETURNING id",
    6, params, error);
  if (res == NULL)
    return FALSE;
  o->status = PQntuples (res) > 0 ? POS_SYNC_RESULT_APPLIED : POS_SYNC_RESULT_DUPLICATE;
  return TRUE;
}

/* pickup.exception, pickup.refund, order.return (§7.1); a return's stock
 * movements come back to this store once, with the return. */
static gboolean
apply_order_op (Ctx        *ctx,
                PosSyncOp  *op,
                JsonObject *p,
                Outcome    *o,
                GError    **error)
{
  JsonArray *moves = central_json_array (p, "stock_movements");
  CentralOrderOutcome r = { POS_SYNC_RESULT_APPLIED, NULL, NULL, NULL };
  gint64 created_at = op->local_ts;

  if (g_str_equal (op->type, "order.return"))
    {
      if (!central_json_is_null (p, "stock_movements") && moves == NULL)
        return reject (o, "bad_payload", "stock_movements must be a list.");
      for (guint i = 0; moves != NULL && i < json_array_get_length (moves); i++)
        {
          JsonNode *n = json_array_get_element (moves, i);
          const char *bad = JSON_NODE_HOLDS_OBJECT (n) ? check_movement (json_node_get_object (n), FALSE) : "movement";

          if (bad != NULL)
            return reject (o, "bad_payload", "Stock movement %u: %s is missing or wrong.", i + 1, bad);
        }
    }
  if (!central_order_apply_op (ctx->tx, op->type, op->entity_id, p, op->local_ts, ctx->terminal_id, ctx->store_id,
                               &r, error))
    return FALSE;
  o->status = r.status;
  o->code = r.code;
  o->message = g_steal_pointer (&r.message);
  o->server_state = g_steal_pointer (&r.server_state);
  central_json_int (p, "created_at", &created_at);
  if (r.status == POS_SYNC_RESULT_APPLIED && g_str_equal (op->type, "order.return") && moves != NULL &&
      json_array_get_length (moves) > 0)
    return apply_movements (ctx, moves, op->entity_id, created_at, error);
  return TRUE;
}

static gboolean
apply_op (Ctx       *ctx,
          PosSyncOp *op,
          Outcome   *o,
          GError   **error)
{
  JsonObject *p = JSON_NODE_HOLDS_OBJECT (op->payload) ? json_node_get_object (op->payload) : NULL;

  if (p == NULL)
    return reject (o, "bad_payload", "The payload must be an object.");
  if (g_str_equal (op->type, "sale.create"))
    return apply_sale (ctx, op, p, FALSE, o, error);
  if (g_str_equal (op->type, "return.create"))
    return apply_sale (ctx, op, p, TRUE, o, error);
  if (g_str_equal (op->type, "stock.move"))
    return apply_stock_move (ctx, op, p, o, error);
  if (g_str_equal (op->type, "customer.upsert"))
    return apply_customer_upsert (ctx, op, p, o, error);
  if (g_str_equal (op->type, "customer.erase"))
    return apply_customer_erase (ctx, op, p, o, error);
  if (g_str_equal (op->type, "pickup.transition"))
    return apply_pickup (ctx, op, p, o, error);
  if (g_str_equal (op->type, "staff.upsert"))
    return apply_staff_upsert (ctx, op, p, o, error);
  if (g_str_equal (op->type, "pickup.exception") || g_str_equal (op->type, "pickup.refund") ||
      g_str_equal (op->type, "order.return"))
    return apply_order_op (ctx, op, p, o, error);
  if (g_str_equal (op->type, "receipt.email"))
    return central_receipts_push_email (ctx->conn, ctx->store_id, ctx->terminal_id, op->entity_id, p,
                                        &o->status, &o->code, &o->message, error);
  if (g_str_equal (op->type, "shift.open") || g_str_equal (op->type, "shift.close") ||
      g_str_equal (op->type, "cash.move") || g_str_equal (op->type, "audit.append"))
    return apply_document (ctx, op, p, o, error);
  return reject (o, "unknown_type", "This central does not know the operation type %s.", op->type);
}

static char *
error_body (guint      *status,
            guint       code,
            const char *name,
            const char *message)
{
  *status = code;
  return pos_sync_error_to_json (name, message);
}

/* Concurrent pushes of one store touch the same stock levels in whatever
 * order their sales list them; two of them could each hold a row the other
 * waits for (a deadlock, answered 500 and retried). Every batch first locks
 * the levels it will move, in one order (by SKU), so they queue instead. */
static gboolean
lock_stock_levels (CentralConn *conn,
                   const char  *store_id,
                   GPtrArray   *ops,
                   GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) skus = g_ptr_array_new ();
  g_autoptr(GString) list = g_string_new ("[");
  g_autoptr(PGresult) res = NULL;
  const char *params[2];

  for (guint i = 0; i < ops->len; i++)
    {
      PosSyncOp *op = g_ptr_array_index (ops, i);
      JsonObject *payload = json_node_get_object (op->payload);
      JsonNode *moves = json_object_get_member (payload, "stock_movements");
      JsonNode *sku = json_object_get_member (payload, "sku");

      if (g_str_equal (op->type, "stock.move") && sku != NULL &&
          JSON_NODE_HOLDS_VALUE (sku) && json_node_get_value_type (sku) == G_TYPE_STRING &&
          g_hash_table_add (seen, (gpointer) json_node_get_string (sku)))
        g_ptr_array_add (skus, (gpointer) json_node_get_string (sku));
      if (moves == NULL || !JSON_NODE_HOLDS_ARRAY (moves))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (moves)); j++)
        {
          JsonNode *m = json_array_get_element (json_node_get_array (moves), j);
          JsonNode *n;

          if (!JSON_NODE_HOLDS_OBJECT (m))
            continue;
          n = json_object_get_member (json_node_get_object (m), "sku");
          if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING &&
              g_hash_table_add (seen, (gpointer) json_node_get_string (n)))
            g_ptr_array_add (skus, (gpointer) json_node_get_string (n));
        }
    }
  if (skus->len == 0)
    return TRUE;

  for (guint i = 0; i < skus->len; i++)
    {
      if (i > 0)
        g_string_append_c (list, ',');
      pos_sync_append_json_string (list, g_ptr_array_index (skus, i));
    }
  g_string_append_c (list, ']');
  params[0] = store_id;
  params[1] = list->str;
  res = central_conn_exec (conn,
    "SELECT 1 FROM stock_levels WHERE store_id = $1 "
    "AND sku IN (SELECT json_array_elements_text ($2::json)) ORDER BY sku FOR UPDATE",
    2, params, error);
  return res != NULL;
}

char *
central_push (CentralConn *conn,
              const char  *terminal_id,
              const char  *store_id,
              const char  *body,
              gsize        length,
              guint       *status,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *envelope_terminal = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sync_result_free);
  g_autoptr(CentralTx) tx = NULL;
  gint64 last_seq = 0;
  Ctx ctx;

  if (!pos_sync_push_request_parse (body, length, &envelope_terminal, &ops, &local_error))
    {
      g_autoptr(GError) json_error = NULL;
      g_autoptr(JsonNode) node = NULL;

      if (g_error_matches (local_error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_TOO_MANY))
        return error_body (status, 413, "batch_too_large", "A push batch holds at most 200 operations; send smaller batches.");
      node = central_json_parse_object (body, length, &json_error);
      if (node == NULL)
        return error_body (status, 400, "bad_json", "The body is not a JSON object; send the batch as JSON.");
      return error_body (status, 400, "bad_request", local_error->message);
    }
  if (envelope_terminal != NULL && !g_str_equal (envelope_terminal, terminal_id))
    return error_body (status, 403, "forbidden", "terminal_id is not the terminal this token belongs to.");

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return NULL;
  ctx.tx = tx;
  ctx.conn = conn;
  ctx.terminal_id = terminal_id;
  ctx.store_id = store_id;
  if (!lock_stock_levels (conn, store_id, ops, error))
    return NULL;

  for (guint i = 0; i < ops->len; i++)
    {
      PosSyncOp *op = g_ptr_array_index (ops, i);
      g_autoptr(PGresult) res = NULL;
      g_autofree char *seq = int_text (op->seq);
      g_autofree char *now = int_text (central_now_ms ());
      g_autoptr(JsonNode) state = NULL;
      Outcome o = { POS_SYNC_RESULT_APPLIED, NULL, NULL, NULL };
      const char *params[] = { op->op_id, terminal_id, seq, op->type, now };

      if (!central_tx_savepoint (tx, error))
        return NULL;
      res = central_conn_exec (conn,
        "INSERT INTO applied_ops (op_id, terminal_id, seq, type, status, applied_at) "
        "VALUES ($1, $2, $3::bigint, $4, 'applied', $5::bigint) ON CONFLICT (op_id) DO NOTHING RETURNING op_id",
        5, params, error);
      if (res == NULL)
        return NULL;
      if (PQntuples (res) == 0)
        {
          o.status = POS_SYNC_RESULT_DUPLICATE;
          if (!central_tx_release (tx, error))
            return NULL;
        }
      else
        {
          g_autoptr(GError) op_error = NULL;

          if (!apply_op (&ctx, op, &o, &op_error))
            {
              if (!g_error_matches (op_error, CENTRAL_DB_ERROR, CENTRAL_DB_ERROR_CONSTRAINT))
                {
                  g_propagate_error (error, g_steal_pointer (&op_error));
                  return NULL;
                }
              /* A value the database refuses (too long, out of range...). */
              reject (&o, "bad_payload", "The central cannot store this operation: %s", op_error->message);
            }
          if (o.status == POS_SYNC_RESULT_APPLIED)
            {
              if (!central_tx_release (tx, error))
                return NULL;
              last_seq = MAX (last_seq, op->seq);
            }
          else
            central_tx_rollback_to (tx);
        }

      if (o.server_state != NULL)
        state = json_from_string (o.server_state, NULL);
      g_ptr_array_add (results, pos_sync_result_new (op->op_id, o.status, o.code, o.message, state));
      g_free (o.message);
      g_free (o.server_state);
    }

  {
    g_autofree char *seq = int_text (last_seq);
    g_autofree char *now = int_text (central_now_ms ());
    const char *params[] = { terminal_id, seq, now };

    if (!central_conn_run (conn,
          "UPDATE terminals SET last_seq = GREATEST (last_seq, $2::bigint), last_seen_at = $3::bigint WHERE id = $1",
          3, params, error))
      return NULL;
  }
  if (!central_tx_commit (g_steal_pointer (&tx), error))
    return NULL;

  *status = 200;
  return pos_sync_push_results_to_json (results);
}
