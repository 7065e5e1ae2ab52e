/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "domain/pos-money.h"
#include "terminal/pos-online-orders.h"
#include "pos-cli.h"

/* balcao-ctl online-order show REF
 * balcao-ctl online-order return REF --reason TEXT [--lines N:Q,...] [--as CODE]
 *
 * An order of another channel (web, app, marketplace...), asked of the
 * central by number, id or the customer's pickup QR, and taking items of
 * it back at the counter: the central refunds the original payment, the
 * goods go back into this store's stock. Q is in units ("2", "0.5"); without
 * --lines everything that can come back does. */

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl online-order show REF\n"
                        "       balcao-ctl online-order return REF --reason TEXT [--lines LINE:QTY,...] [--as CODE]\n"
                        "An order of the web shop, app or marketplace, asked of the central by its number (or\n"
                        "the customer's pickup QR code), and items of it brought back to the counter: the\n"
                        "central refunds the original payment and the goods go back into this store's stock.\n"
                        "Without --lines, everything that can come back does. Refunds need the refund\n"
                        "permission: the person signed in, or --as CODE with their PIN on the standard input."));
  return 2;
}

static void
print_order (const PosOnlineOrder *order)
{
  g_autofree char *total = pos_money_format (order->total, order->currency, NULL);

  printf (_("Order %s (%s, %s): %s, %s\n"), order->number, order->channel != NULL ? order->channel : "?",
          g_strcmp0 (order->fulfilment, "delivery") == 0 ? _("delivery") : _("pickup"),
          order->state, total);
  if (order->customer_name != NULL)
    printf (_("Customer: %s\n"), order->customer_name);
  if (order->payment_method != NULL)
    printf (_("Paid with: %s\n"), order->payment_method);
  for (guint i = 0; i < order->lines->len; i++)
    {
      const PosOnlineOrderLine *l = g_ptr_array_index (order->lines, i);
      g_autofree char *qty = pos_cli_format_quantity (l->quantity);
      g_autofree char *back = pos_cli_format_quantity (pos_online_order_line_returnable (order, l));
      g_autofree char *price = pos_money_format (l->unit_price, order->currency, NULL);

      printf (_("  %2u  %-12s %-32s %6s × %s  (can come back: %s)\n"), l->line_no, l->sku, l->name, qty, price, back);
    }
}

static PosOnlineReturnItem *
parse_lines (const PosOnlineOrder *order,
             const char           *spec,
             guint                *n_out,
             GError              **error)
{
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (PosOnlineReturnItem));

  if (spec == NULL)
    {
      for (guint i = 0; i < order->lines->len; i++)
        {
          const PosOnlineOrderLine *l = g_ptr_array_index (order->lines, i);
          PosOnlineReturnItem item = { l->line_no, pos_online_order_line_returnable (order, l) };

          if (item.quantity > 0)
            g_array_append_val (items, item);
        }
    }
  else
    {
      g_auto(GStrv) pairs = g_strsplit (spec, ",", -1);

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          g_auto(GStrv) kv = g_strsplit (pairs[i], ":", 2);
          PosOnlineReturnItem item = { 0, 0 };
          guint64 line_no;

          if (kv[0] == NULL || kv[1] == NULL ||
              !g_ascii_string_to_unsigned (kv[0], 10, 1, G_MAXUINT16, &line_no, NULL) ||
              !pos_cli_parse_quantity (kv[1], &item.quantity) || item.quantity == 0)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("“%s” is not LINE:QUANTITY (for example 2:1 or 3:0.5)."), pairs[i]);
              return NULL;
            }
          item.line_no = (guint) line_no;
          g_array_append_val (items, item);
        }
    }
  *n_out = items->len;
  return (PosOnlineReturnItem *) (gpointer) g_array_free (g_steal_pointer (&items), FALSE);
}

int
pos_cli_cmd_online_order (int    argc,
                          char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(PosOnlineOrder) order = NULL;
  g_autofree PosOnlineReturnItem *items = NULL;
  g_autofree char *return_id = NULL;
  g_autofree char *amount_text = NULL;
  const char *verb, *ref;
  const char *reason = NULL, *lines = NULL, *as = NULL;
  gint64 amount = 0;
  guint n_items = 0;

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      usage ();
      return 0;
    }
  if (argc < 3)
    return usage ();
  verb = argv[1];
  ref = argv[2];
  for (int i = 3; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--reason") && i + 1 < argc)
        reason = argv[++i];
      else if (g_str_equal (argv[i], "--lines") && i + 1 < argc)
        lines = argv[++i];
      else if (g_str_equal (argv[i], "--as") && i + 1 < argc)
        as = argv[++i];
      else
        return usage ();
    }
  if (!g_str_equal (verb, "show") && !g_str_equal (verb, "return"))
    return usage ();
  if (g_str_equal (verb, "return") && reason == NULL)
    {
      g_printerr ("%s\n", _("balcao-ctl: say why the customer brought it back, with --reason."));
      return 2;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  order = pos_online_orders_lookup (db, ref, &error);
  if (order == NULL)
    return pos_cli_fail (error);
  if (g_str_equal (verb, "show"))
    {
      print_order (order);
      return 0;
    }

  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  items = parse_lines (order, lines, &n_items, &error);
  if (items == NULL && error != NULL)
    {
      g_printerr ("balcao-ctl: %s\n", error->message);
      return 2;
    }
  return_id = pos_online_orders_return (db, order, items, n_items, reason, NULL, &amount, &error);
  if (return_id == NULL)
    return pos_cli_fail (error);
  amount_text = pos_money_format (amount, order->currency, NULL);
  printf (_("Taken back on order %s: %s to refund to the original payment (return %s). "
            "The central refunds it once it has the return.\n"), order->number, amount_text, return_id);
  return 0;
}
