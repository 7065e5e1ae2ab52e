/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-terminal"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "domain/pos-json.h"
#include "domain/pos-money.h"
#include "domain/pos-uuid.h"
#include "pos-catalog.h"
#include "pos-online-orders.h"
#include "pos-pickups.h"
#include "pos-sales-private.h"
#include "pos-staff.h"
#include "pos-sync-engine.h"

G_DEFINE_QUARK (pos-online-orders-error-quark, pos_online_orders_error)

static void
online_order_line_free (PosOnlineOrderLine *line)
{
  if (line == NULL)
    return;
  g_free (line->sku);
  g_free (line->name);
  g_free (line);
}

void
pos_online_order_free (PosOnlineOrder *order)
{
  if (order == NULL)
    return;
  g_free (order->id);
  g_free (order->number);
  g_free (order->channel);
  g_free (order->fulfilment);
  g_free (order->state);
  g_free (order->customer_id);
  g_free (order->customer_name);
  g_free (order->payment_method);
  g_free (order->currency);
  g_clear_pointer (&order->lines, g_ptr_array_unref);
  g_free (order);
}

static char *
member_dup (JsonObject *o,
            const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (n));
}

static gboolean
member_int (JsonObject *o,
            const char *name,
            gint64     *out)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = 0;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;   /* absent: 0 */
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static gboolean
not_an_order (GError    **error,
              const char *what)
{
  g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
               _("The central sent an order that could not be read (%s). Nothing was changed."), what);
  return FALSE;
}

PosOnlineOrder *
pos_online_order_from_json (PosDatabase *db,
                            JsonNode    *node,
                            GError     **error)
{
  g_autoptr(PosOnlineOrder) order = g_new0 (PosOnlineOrder, 1);
  JsonObject *o;
  JsonNode *lines_node;
  JsonArray *lines;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return not_an_order (error, "order"), NULL;
  o = json_node_get_object (node);
  order->id = member_dup (o, "id");
  order->number = member_dup (o, "number");
  order->channel = member_dup (o, "channel");
  order->fulfilment = member_dup (o, "fulfilment");
  order->state = member_dup (o, "state");
  order->customer_id = member_dup (o, "customer_id");
  order->customer_name = member_dup (o, "customer_name");
  order->payment_method = member_dup (o, "payment_method");
  order->currency = member_dup (o, "currency");
  if (order->id == NULL || order->number == NULL || order->state == NULL || order->currency == NULL)
    return not_an_order (error, "id, number, state, currency"), NULL;
  if (order->fulfilment == NULL)
    order->fulfilment = g_strdup ("pickup");
  if (!member_int (o, "total", &order->total) || !member_int (o, "placed_at", &order->placed_at))
    return not_an_order (error, "total"), NULL;

  lines_node = json_object_get_member (o, "lines");
  if (lines_node == NULL || !JSON_NODE_HOLDS_ARRAY (lines_node))
    return not_an_order (error, "lines"), NULL;
  lines = json_node_get_array (lines_node);
  order->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) online_order_line_free);
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonNode *ln = json_array_get_element (lines, i);
      PosOnlineOrderLine *line;
      JsonObject *l;
      gint64 line_no;

      if (!JSON_NODE_HOLDS_OBJECT (ln))
        return not_an_order (error, "lines"), NULL;
      l = json_node_get_object (ln);
      line = g_new0 (PosOnlineOrderLine, 1);
      g_ptr_array_add (order->lines, line);
      line->sku = member_dup (l, "sku");
      line->name = member_dup (l, "name");
      if (line->sku == NULL || line->name == NULL ||
          !member_int (l, "line_no", &line_no) || line_no <= 0 || line_no > G_MAXUINT16 ||
          !member_int (l, "quantity", &line->quantity) ||
          !member_int (l, "collected_quantity", &line->collected_quantity) ||
          !member_int (l, "returned_quantity", &line->returned_quantity) ||
          !member_int (l, "unit_price", &line->unit_price) ||
          line->quantity <= 0 || line->unit_price < 0 ||
          line->returned_quantity < 0 || line->collected_quantity < 0)
        return not_an_order (error, "a line"), NULL;
      line->line_no = (guint) line_no;
      if (db != NULL)
        {
          g_autoptr(PosProduct) product = pos_catalog_lookup_sku (db, line->sku, NULL);

          if (product != NULL)
            line->product_id = pos_product_get_id (product);
        }
    }
  return g_steal_pointer (&order);
}

gint64
pos_online_order_line_returnable (const PosOnlineOrder     *order,
                                  const PosOnlineOrderLine *line)
{
  gint64 taken;

  if (g_strcmp0 (order->fulfilment, "delivery") == 0)
    taken = g_strcmp0 (order->state, "DELIVERED") == 0 ? line->quantity : 0;
  else
    taken = line->collected_quantity;
  return MAX (taken - line->returned_quantity, 0);
}

PosOnlineOrder *
pos_online_orders_lookup (PosDatabase *db,
                          const char  *ref,
                          GError     **error)
{
  g_autoptr(PosSyncClient) client = NULL;
  g_auto(PosSyncResponse) response = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  const char *data;
  gsize len = 0;
  JsonNode *root;

  g_return_val_if_fail (ref != NULL, NULL);

  key = g_strstrip (g_strdup (ref));
  {
    /* The customer's QR code: its number is enough here (the code never
     * leaves the counter). */
    g_autofree char *number = NULL;
    g_autofree char *code = NULL;

    if (pos_pickups_parse_qr (key, &number, &code))
      {
        g_free (key);
        key = g_steal_pointer (&number);
      }
  }
  if (*key == '\0' || strchr (key, '/') != NULL)
    {
      g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_NOT_FOUND,
                   _("“%s” is not an order number. Type the number from the customer’s e-mail, or scan its QR code."),
                   ref);
      return NULL;
    }

  client = pos_sync_client_new_for_database (db, error);
  if (client == NULL)
    return NULL;
  escaped = g_uri_escape_string (key, NULL, FALSE);
  path = g_strconcat ("/v1/orders/", escaped, NULL);
  if (!pos_sync_client_request (client, "GET", path, NULL, 0, FALSE, 20, &response, error))
    return NULL;
  if (response.status == 404)
    {
      g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_NOT_FOUND,
                   _("The central has no order %s. Check the number on the customer’s e-mail."), key);
      return NULL;
    }
  if (response.status != 200)
    {
      pos_sync_client_set_http_error (client, &response, error);
      return NULL;
    }
  data = g_bytes_get_data (response.body, &len);
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) len, &parse_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
                   _("The central sent an answer that could not be read (%s). Nothing was changed."),
                   parse_error != NULL ? parse_error->message : _("unexpected content"));
      return NULL;
    }
  return pos_online_order_from_json (db, json_object_get_member (json_node_get_object (root), "order"), error);
}

static const PosOnlineOrderLine *
find_line (const PosOnlineOrder *order,
           guint                 line_no)
{
  for (guint i = 0; i < order->lines->len; i++)
    {
      const PosOnlineOrderLine *l = g_ptr_array_index (order->lines, i);

      if (l->line_no == line_no)
        return l;
    }
  return NULL;
}

/* Checks the items against the order; *amount gets the refund. */
static gboolean
check_items (const PosOnlineOrder      *order,
             const PosOnlineReturnItem *items,
             guint                      n_items,
             gint64                    *amount,
             GError                   **error)
{
  gboolean any = FALSE;

  *amount = 0;
  for (guint i = 0; i < n_items; i++)
    {
      const PosOnlineOrderLine *line = find_line (order, items[i].line_no);
      gint64 returnable;

      if (items[i].quantity == 0)
        continue;
      if (line == NULL)
        {
          g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID,
                       _("Order %s has no line %u."), order->number, items[i].line_no);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (items[j].line_no == items[i].line_no)
          {
            g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID,
                         _("Line %u of order %s is listed twice."), line->line_no, order->number);
            return FALSE;
          }
      returnable = pos_online_order_line_returnable (order, line);
      if (returnable == 0)
        {
          g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_NOT_RETURNABLE,
                       g_strcmp0 (order->fulfilment, "delivery") == 0 && g_strcmp0 (order->state, "DELIVERED") != 0
                       ? _("Order %s has not been delivered yet (%s): nothing of it can come back at the counter.")
                       : _("Nothing of “%2$s” on order %1$s can come back: it was not handed over, or it was returned already."),
                       order->number,
                       g_strcmp0 (order->fulfilment, "delivery") == 0 && g_strcmp0 (order->state, "DELIVERED") != 0
                       ? order->state : line->name);
          return FALSE;
        }
      if (items[i].quantity < 0 || items[i].quantity > returnable)
        {
          g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID,
                       _("More “%s” than order %s handed over can't come back."),
                       line->name, order->number);
          return FALSE;
        }
      *amount += pos_money_mul_div (items[i].quantity, line->unit_price, 1000, POS_ROUND_HALF_UP);
      any = TRUE;
    }
  if (!any)
    {
      g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID,
                   _("Choose what the customer brought back."));
      return FALSE;
    }
  return TRUE;
}

char *
pos_online_orders_return (PosDatabase               *db,
                          const PosOnlineOrder      *order,
                          const PosOnlineReturnItem *items,
                          guint                      n_items,
                          const char                *reason,
                          const char                *approval_id,
                          gint64                    *out_amount,
                          GError                   **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = NULL;
  g_autofree char *what = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *approver = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *audit = NULL;
  gint64 amount = 0;
  gint64 now;

  g_return_val_if_fail (order != NULL, NULL);
  g_return_val_if_fail (items != NULL || n_items == 0, NULL);

  if (reason == NULL || *reason == '\0')
    {
      g_set_error (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID,
                   _("Say why the customer brought it back."));
      return NULL;
    }
  if (!check_items (order, items, n_items, &amount, error))
    return NULL;
  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;

  now = pos_now_ms ();
  id = pos_uuid7_new_at (now);
  what = g_strconcat ("order-return:", id, NULL);
  if (!pos_database_begin (db, error))
    return NULL;
  staff_id = pos_database_get_staff_id (db);
  if (!pos_staff_authorize (db, POS_PERMISSION_REFUND, approval_id, what, &approver, error))
    goto fail;

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", id);
  pos_json_add_string (b, "order_id", order->id);
  pos_json_add_string (b, "store_id", info->store_id);
  pos_json_add_string (b, "terminal_id", info->terminal_id);
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_items; i++)
    {
      if (items[i].quantity == 0)
        continue;
      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", items[i].line_no);
      pos_json_add_int (b, "quantity", items[i].quantity);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  pos_json_add_int (b, "amount", amount);
  pos_json_add_string (b, "currency", order->currency);
  pos_json_add_string (b, "reason", reason);
  pos_json_add_string (b, "staff_id", staff_id);
  pos_json_add_string (b, "approver_id", approver);
  pos_json_add_int (b, "created_at", now);
  json_builder_set_member_name (b, "stock_movements");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_items; i++)
    {
      const PosOnlineOrderLine *line = find_line (order, items[i].line_no);
      g_autofree char *move_id = NULL;

      if (items[i].quantity == 0 || line->product_id == 0)
        continue;   /* a SKU this terminal does not sell: the central still takes it back */
      move_id = pos_uuid7_new_at (now);
      if (!_pos_sales_move_stock_with_id (db, move_id, info->store_id, line->product_id,
                                          items[i].quantity, "return", id, now, error))
        goto fail;
      json_builder_begin_object (b);
      pos_json_add_string (b, "id", move_id);
      pos_json_add_string (b, "sku", line->sku);
      pos_json_add_int (b, "delta", items[i].quantity);
      pos_json_add_string (b, "reason", "return");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);

  {
    g_autoptr(JsonBuilder) ab = json_builder_new ();
    g_autoptr(JsonNode) aroot = NULL;

    json_builder_begin_object (ab);
    pos_json_add_string (ab, "order_id", order->id);
    pos_json_add_string (ab, "number", order->number);
    pos_json_add_int (ab, "amount", amount);
    json_builder_end_object (ab);
    aroot = json_builder_get_root (ab);
    audit = json_to_string (aroot, FALSE);
  }
  if (!pos_database_enqueue_outbox (db, "order.return", id, payload, error) ||
      !pos_database_audit_full (db, "order.return", "order", order->id, reason, audit, approver, error) ||
      !pos_database_commit_durable (db, error))
    goto fail;

  if (out_amount != NULL)
    *out_amount = amount;
  return g_steal_pointer (&id);

fail:
  pos_database_rollback (db);
  g_prefix_error (error, _("The return was not saved (nothing was written): "));
  return NULL;
}
