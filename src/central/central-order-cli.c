/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-uuid.h>

#include "central-admin.h"
#include "central-json.h"
#include "central-order-cli.h"
#include "central-orders.h"

/* Demo customers: names and phones of nobody in particular, no CPF. */
static const char * const first_names[] = {
  "Ana", "Bruno", "Camila", "Diego", "Fernanda", "Gabriel", "Helena", "Igor", "Juliana", "Lucas",
  "Mariana", "Paulo", "Renata", "Tiago", "Vanessa",
};
static const char * const last_names[] = {
  "Almeida", "Barbosa", "Carvalho", "Duarte", "Ferreira", "Gomes", "Lima", "Moreira", "Nunes", "Oliveira",
  "Pereira", "Ribeiro", "Santos", "Souza",
};
static const char * const post_channels[] = { "web", "app", "marketplace", NULL };

static gboolean
usage_error (GError    **error,
             const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

static gboolean
only_options (GHashTable         *opts,
              const char * const *allowed,
              GError            **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, opts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_strv_contains (allowed, key))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "Unknown option --%s.", (char *) key);
        return FALSE;
      }
  return TRUE;
}

static const char *
word (GPtrArray *words,
      guint      i)
{
  return i < words->len ? g_ptr_array_index (words, i) : NULL;
}

/* 1234 → "12.34" (two decimals, as every currency the demo uses). */
static char *
money_text (gint64 minor)
{
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT, minor < 0 ? "-" : "",
                          ABS (minor) / 100, ABS (minor) % 100);
}

static int
order_list (CentralConn *conn,
            GHashTable  *opts,
            GError     **error)
{
  static const char * const allowed[] = { "store", "state", NULL };
  const char *params[] = { g_hash_table_lookup (opts, "store"), g_hash_table_lookup (opts, "state") };
  g_autoptr(PGresult) res = NULL;

  if (!only_options (opts, allowed, error))
    return 2;
  if (params[0] != NULL)
    {
      g_autofree char *store_id = central_store_id_for_code (conn, params[0], error);

      if (store_id == NULL)
        return 1;
    }
  res = central_conn_exec (conn,
    "SELECT o.number, o.state, COALESCE (s.code, '-'), o.paid, o.total, o.currency, "
    "COALESCE (o.customer_name, '-'), o.id FROM orders o LEFT JOIN stores s ON s.id = o.store_id "
    "WHERE ($1::text IS NULL OR s.code = $1) AND ($2::text IS NULL OR o.state = $2) "
    "ORDER BY o.placed_at, o.number", 2, params, error);
  if (res == NULL)
    return 1;
  for (int i = 0; i < PQntuples (res); i++)
    {
      g_autofree char *total = money_text (central_res_int (res, i, 4));

      g_print ("%s\t%s\t%s\t%s\t%s %s\t%s\t%s\n", PQgetvalue (res, i, 0), PQgetvalue (res, i, 1),
               PQgetvalue (res, i, 2), central_res_bool (res, i, 3) ? "paid" : "to pay", total,
               PQgetvalue (res, i, 5), PQgetvalue (res, i, 6), PQgetvalue (res, i, 7));
    }
  return 0;
}

static int
order_show (CentralConn *conn,
            const char  *ref,
            GError     **error)
{
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *pretty = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (ref == NULL)
    return usage_error (error, "order show needs the order's number or id."), 2;
  id = central_order_find (conn, ref, error);
  if (id == NULL || (json = central_order_json (conn, id, error)) == NULL)
    return 1;
  node = json_from_string (json, error);
  if (node == NULL)
    return 1;
  pretty = json_to_string (node, TRUE);
  g_print ("%s\n", pretty);
  return 0;
}

static int
order_status (CentralConn *conn,
              GHashTable  *opts,
              const char  *ref,
              GError     **error)
{
  static const char * const allowed[] = { "to", "resolution", "shelf", NULL };
  g_autoptr(CentralTx) tx = NULL;
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  CentralTransition t = { 0, };

  if (!only_options (opts, allowed, error))
    return 2;
  t.to = g_hash_table_lookup (opts, "to");
  t.resolution = g_hash_table_lookup (opts, "resolution");
  t.shelf_location = g_hash_table_lookup (opts, "shelf");
  if (ref == NULL || t.to == NULL)
    return usage_error (error, "order status needs the order's number or id and --to STATE."), 2;
  id = central_order_find (conn, ref, error);
  if (id == NULL)
    return 1;
  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return 1;
  json = central_order_transition (tx, id, &t, NULL, error);
  if (json == NULL || !central_tx_commit (g_steal_pointer (&tx), error))
    return 1;
  node = json_from_string (json, error);
  if (node == NULL)
    return 1;
  g_print ("Order %s is now %s (version %" G_GINT64_FORMAT ").\n",
           json_object_get_string_member (json_node_get_object (node), "number"),
           json_object_get_string_member (json_node_get_object (node), "state"),
           json_object_get_int_member (json_node_get_object (node), "version"));
  return 0;
}

/* "2" → 2000, "0.5" → 500 (thousandths of the unit). */
static gboolean
parse_quantity (const char *text,
                gint64     *out)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", 2);
  guint64 whole = 0, frac = 0;
  gsize frac_len = parts[0] != NULL && parts[1] != NULL ? strlen (parts[1]) : 0;

  if (parts[0] == NULL || !g_ascii_string_to_unsigned (parts[0], 10, 0, 1000000, &whole, NULL))
    return FALSE;
  if (parts[1] != NULL && (frac_len == 0 || frac_len > 3 ||
                           !g_ascii_string_to_unsigned (parts[1], 10, 0, 999, &frac, NULL)))
    return FALSE;
  for (gsize i = frac_len; i < 3; i++)
    frac *= 10;
  *out = (gint64) (whole * 1000 + frac);
  return *out > 0;
}

/* The request's lines: those asked for, or 1 to 4 products in stock at
 * the store. */
static gboolean
build_lines (CentralConn *conn,
             const char  *store_id,
             const char  *spec,
             JsonBuilder *b,
             GError     **error)
{
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  if (spec != NULL)
    {
      g_auto(GStrv) items = g_strsplit (spec, ",", -1);

      for (guint i = 0; items[i] != NULL; i++)
        {
          const char *colon = strrchr (items[i], ':');
          g_autofree char *sku = colon != NULL ? g_strndup (items[i], colon - items[i]) : NULL;
          g_autoptr(PGresult) res = NULL;
          gint64 quantity;

          if (sku == NULL || *sku == '\0' || !parse_quantity (colon + 1, &quantity))
            return usage_error (error, "--lines is SKU:QUANTITY,... (quantity in units, like 2 or 0.5).");
          {
            const char *params[] = { sku };

            res = central_conn_exec (conn,
              "SELECT pr.amount FROM products p LEFT JOIN prices pr ON pr.sku = p.sku "
              "AND pr.price_list = 'retail' AND pr.valid_to IS NULL WHERE p.sku = $1 "
              "ORDER BY pr.valid_from DESC NULLS LAST LIMIT 1", 1, params, error);
          }
          if (res == NULL)
            return FALSE;
          if (PQntuples (res) == 0 || PQgetisnull (res, 0, 0))
            {
              g_set_error (error, CENTRAL_ORDER_ERROR, CENTRAL_ORDER_ERROR_UNKNOWN_SKU,
                           PQntuples (res) == 0 ? "There is no product with the SKU %s."
                                                : "The product %s has no retail price.", sku);
              return FALSE;
            }
          json_builder_begin_object (b);
          central_json_add_str (b, "sku", sku);
          central_json_add_int (b, "quantity", quantity);
          central_json_add_int (b, "unit_price", central_res_int (res, 0, 0));
          json_builder_end_object (b);
        }
    }
  else
    {
      g_autofree char *n = g_strdup_printf ("%d", g_random_int_range (1, 5));
      const char *params[] = { store_id, n };
      g_autoptr(PGresult) res = central_conn_exec (conn,
        "SELECT p.sku, p.weighed, pr.amount FROM products p "
        "JOIN stock_levels s ON s.sku = p.sku AND s.store_id = $1 "
        "JOIN prices pr ON pr.sku = p.sku AND pr.price_list = 'retail' AND pr.valid_to IS NULL "
        "WHERE p.active AND s.quantity - s.reserved >= 3000 ORDER BY random () LIMIT $2::integer",
        2, params, error);

      if (res == NULL)
        return FALSE;
      if (PQntuples (res) == 0)
        {
          g_set_error (error, CENTRAL_ORDER_ERROR, CENTRAL_ORDER_ERROR_UNKNOWN_SKU,
                       "The store has nothing in stock to order; import a catalog with stock for it "
                       "(catalog import FILE --store CODE) or give --lines.");
          return FALSE;
        }
      for (int i = 0; i < PQntuples (res); i++)
        {
          gboolean weighed = central_res_bool (res, i, 1);

          json_builder_begin_object (b);
          central_json_add_str (b, "sku", PQgetvalue (res, i, 0));
          /* 1 to 3 units, or 250 g to 1.5 kg. */
          central_json_add_int (b, "quantity", weighed ? 250 * g_random_int_range (1, 7)
                                                       : 1000 * g_random_int_range (1, 4));
          central_json_add_int (b, "unit_price", central_res_int (res, i, 2));
          json_builder_end_object (b);
        }
    }
  json_builder_end_array (b);
  return TRUE;
}

static int
order_post (CentralConn *conn,
            GHashTable  *opts,
            GError     **error)
{
  static const char * const allowed[] = {
    "store", "count", "unpaid", "delivered", "channel", "customer-name", "customer-phone", "lines", NULL,
  };
  /* --delivered: a home delivery, already delivered, that the customer
   * brings back to the store's counter (the return flow's demo). */
  gboolean delivered = g_hash_table_contains (opts, "delivered");
  const char *store_code = g_hash_table_lookup (opts, "store");
  const char *count_text = g_hash_table_lookup (opts, "count");
  const char *channel = g_hash_table_lookup (opts, "channel");
  gboolean paid = !g_hash_table_contains (opts, "unpaid") || g_hash_table_contains (opts, "delivered");
  g_autofree char *store_id = NULL;
  guint64 count = 1;

  if (!only_options (opts, allowed, error))
    return 2;
  if (store_code == NULL)
    return usage_error (error, "order post needs --store CODE."), 2;
  if (count_text != NULL && !g_ascii_string_to_unsigned (count_text, 10, 1, 1000, &count, NULL))
    return usage_error (error, "--count must be a whole number from 1 to 1000."), 2;
  if (channel == NULL)
    channel = "web";
  if (!g_strv_contains (post_channels, channel))
    return usage_error (error, "--channel must be web, app or marketplace."), 2;
  store_id = central_store_id_for_code (conn, store_code, error);
  if (store_id == NULL)
    return 1;

  for (guint64 i = 0; i < count; i++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) request = NULL;
      g_autoptr(JsonNode) order = NULL;
      g_autoptr(CentralTx) tx = NULL;
      g_autofree char *uuid = pos_uuid7_new ();
      g_autofree char *external_ref = g_strdup_printf ("DEMO-%s", uuid);
      g_autofree char *name = NULL;
      g_autofree char *phone = NULL;
      g_autofree char *code = NULL;
      g_autofree char *json = NULL;
      const char *number;
      gboolean created = FALSE;

      name = g_hash_table_contains (opts, "customer-name")
             ? g_strdup (g_hash_table_lookup (opts, "customer-name"))
             : g_strdup_printf ("%s %s", first_names[g_random_int_range (0, G_N_ELEMENTS (first_names))],
                                last_names[g_random_int_range (0, G_N_ELEMENTS (last_names))]);
      phone = g_hash_table_contains (opts, "customer-phone")
              ? g_strdup (g_hash_table_lookup (opts, "customer-phone"))
              : g_strdup_printf ("+55 11 9%04d-%04d", g_random_int_range (0, 10000), g_random_int_range (0, 10000));

      json_builder_begin_object (b);
      central_json_add_str (b, "external_ref", external_ref);
      central_json_add_str (b, "channel", channel);
      central_json_add_str (b, "fulfilment", delivered ? "delivery" : "pickup");
      if (!delivered)
        central_json_add_str (b, "store_code", store_code);
      central_json_add_bool (b, "paid", paid);
      central_json_add_str (b, "payment_method", paid ? (g_random_boolean () ? "card" : "pix") : NULL);
      central_json_add_str (b, "customer_name", name);
      central_json_add_str (b, "customer_phone", phone);
      json_builder_set_member_name (b, "customer");
      json_builder_begin_object (b);
      central_json_add_str (b, "name", name);
      central_json_add_str (b, "phone", phone);
      json_builder_end_object (b);
      if (!build_lines (conn, store_id, g_hash_table_lookup (opts, "lines"), b, error))
        return 1;
      json_builder_end_object (b);
      request = json_builder_get_root (b);

      tx = central_tx_begin (conn, error);
      if (tx == NULL)
        return 1;
      json = central_order_create (tx, json_node_get_object (request), &created, &code, error);
      if (json == NULL)
        return 1;
      order = json_from_string (json, error);
      if (order == NULL)
        return 1;
      number = json_object_get_string_member (json_node_get_object (order), "number");
      if (delivered)
        {
          const char *id = json_object_get_string_member (json_node_get_object (order), "id");
          static const char * const steps[] = { "SHIPPED", "DELIVERED" };

          for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
            {
              CentralTransition t = { 0, };
              g_autofree char *moved = NULL;

              t.to = steps[s];
              moved = central_order_transition (tx, id, &t, NULL, error);
              if (moved == NULL)
                return 1;
            }
        }
      /* Committing publishes it and wakes the store's waiting terminals. */
      if (!central_tx_commit (g_steal_pointer (&tx), error))
        return 1;
      if (delivered)
        g_print ("%s\tdelivered\n", number);
      else
        g_print ("%s\t%s\tBALCAO:PICKUP:%s:%s\n", number, code, number, code);
    }
  return 0;
}

int
central_order_command (CentralConn *conn,
                       GHashTable  *opts,
                       GPtrArray   *words,
                       GError     **error)
{
  const char *sub = word (words, 1);

  if (g_strcmp0 (sub, "list") == 0)
    return order_list (conn, opts, error);
  if (g_strcmp0 (sub, "show") == 0)
    {
      static const char * const allowed[] = { NULL };

      if (!only_options (opts, allowed, error))
        return 2;
      return order_show (conn, word (words, 2), error);
    }
  if (g_strcmp0 (sub, "status") == 0)
    return order_status (conn, opts, word (words, 2), error);
  if (g_strcmp0 (sub, "post") == 0)
    return order_post (conn, opts, error);
  usage_error (error, "order needs list, show, status or post (see balcao-central --help).");
  return 2;
}
