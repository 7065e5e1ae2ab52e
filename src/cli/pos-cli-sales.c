/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/pos-money.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"
#include "pos-cli.h"

/* balcao-ctl sales list [--json] [--today] [--limit N] [--search TEXT]
 *                  show NUMBER|ID [--json]
 *                  receipt NUMBER|ID [--columns 32|42|48] [--reprint] */

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl sales list [--json] [--today] [--limit N] [--search TEXT]\n"
                        "       balcao-ctl sales show NUMBER|ID [--json]\n"
                        "       balcao-ctl sales receipt NUMBER|ID [--columns 32|42|48] [--reprint]"));
  return 2;
}

static const char *
locale_for (const char *currency)
{
  return g_strcmp0 (currency, "BRL") == 0 ? "pt_BR" : "en_US";
}

/* By id, full number, receipt code, or a suffix that names one sale ("42"). */
static PosSaleRecord *
find_sale (PosDatabase *db,
           const char  *key,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  PosSaleRecord *record;

  record = pos_sales_load (db, key, &local_error);
  if (record != NULL)
    return record;
  if (!g_error_matches (local_error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  matches = pos_sales_list (db, key, 0, 0, 2, NULL);
  if (matches != NULL && matches->len == 1)
    {
      PosSaleSummary *s = g_ptr_array_index (matches, 0);
      if (g_str_has_suffix (s->number, key))
        return pos_sales_load (db, s->id, error);
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static JsonNode *
record_node (const PosSaleRecord *record)
{
  g_autofree char *json = pos_sale_record_to_json (record);

  return json_from_string (json, NULL);
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* Milli-units: "2", "0.512". */
static char *
format_quantity (gint64 q)
{
  guint64 a = q < 0 ? (guint64) -q : (guint64) q;

  if (a % 1000 == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, q < 0 ? "-" : "", a / 1000);
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%03" G_GUINT64_FORMAT, q < 0 ? "-" : "", a / 1000, a % 1000);
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ms / 1000);

  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static int
cmd_list (PosDatabase *db,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const char *search = NULL;
  gboolean json = FALSE;
  gint64 from_ms = 0;
  guint limit = 50;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--today"))
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_local ();
          g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                                 g_date_time_get_month (now),
                                                                 g_date_time_get_day_of_month (now),
                                                                 0, 0, 0);
          from_ms = g_date_time_to_unix (midnight) * 1000;
        }
      else if (g_str_equal (argv[i], "--limit") && i + 1 < argc)
        {
          guint64 n;

          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 100000, &n, &error))
            {
              g_printerr (_("balcao-ctl: --limit: %s\n"), error->message);
              return 2;
            }
          limit = (guint) n;
        }
      else if (g_str_equal (argv[i], "--search") && i + 1 < argc)
        search = argv[++i];
      else
        return usage ();
    }

  list = pos_sales_list (db, search, from_ms, 0, limit, &error);
  if (list == NULL)
    return pos_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < list->len; i++)
        {
          PosSaleSummary *s = g_ptr_array_index (list, i);
          g_autoptr(PosSaleRecord) record = pos_sales_load (db, s->id, &error);

          if (record == NULL)
            return pos_cli_fail (error);
          json_array_add_element (array, record_node (record));
        }
      json_node_set_array (root, array);
      print_json (root);
      return 0;
    }

  for (guint i = 0; i < list->len; i++)
    {
      PosSaleSummary *s = g_ptr_array_index (list, i);
      g_autofree char *when = format_time (s->created_at);
      g_autofree char *total = pos_money_format (s->total, s->currency, locale_for (s->currency));

      printf ("%-16s  %s  %-6s  %14s  %3u  %s%s%s\n", s->number, when, s->kind, total, s->n_lines,
              s->payment_summary ? s->payment_summary : "",
              s->original_number ? "  ← " : "",
              s->original_number ? s->original_number : "");
    }
  if (list->len == 0)
    g_printerr ("%s\n", _("No sales."));
  return 0;
}

static int
cmd_show (PosDatabase *db,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) r = NULL;
  const char *key = NULL;
  gboolean json = FALSE;
  const char *loc;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (key == NULL && argv[i][0] != '-')
        key = argv[i];
      else
        return usage ();
    }
  if (key == NULL)
    return usage ();

  r = find_sale (db, key, &error);
  if (r == NULL)
    return pos_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonNode) node = record_node (r);
      print_json (node);
      return 0;
    }

  loc = locale_for (r->currency);
  {
    g_autofree char *when = format_time (r->created_at);
    g_autofree char *total = pos_money_format (r->total, r->currency, loc);

    printf ("%s %s  %s\n", g_str_equal (r->kind, "return") ? _("Return") : _("Sale"), r->number, when);
    if (r->original_number)
      printf (_("Returns sale %s\n"), r->original_number);
    printf (_("Cashier: %s\n"), r->staff_name ? r->staff_name : "-");
    if (r->customer_name)
      printf (_("Customer: %s\n"), r->customer_name);
    for (guint i = 0; i < r->lines->len; i++)
      {
        PosSaleLine *l = g_ptr_array_index (r->lines, i);
        g_autofree char *lt = pos_money_format (l->total, r->currency, loc);

        g_autofree char *qty = format_quantity (l->quantity);

        printf ("  %3u %-12s %-30s %10s %12s", l->line_no, l->sku, l->name, qty, lt);
        if (l->returned_quantity > 0)
          {
            g_autofree char *ret = format_quantity (l->returned_quantity);
            printf (_("  (returned %s)"), ret);
          }
        printf ("\n");
      }
    for (guint i = 0; i < r->payments->len; i++)
      {
        PosPayment *p = g_ptr_array_index (r->payments, i);
        g_autofree char *amount = pos_money_format (p->amount, r->currency, loc);

        printf ("  %s %s\n", pos_payment_method_get_label (p->method), amount);
      }
    printf (_("Total: %s\n"), total);
    for (guint i = 0; i < r->returns->len; i++)
      {
        PosSaleSummary *s = g_ptr_array_index (r->returns, i);
        g_autofree char *amount = pos_money_format (s->total, s->currency, loc);

        printf (_("Return %s: %s\n"), s->number, amount);
      }
  }
  return 0;
}

static int
cmd_receipt (PosDatabase *db,
             int          argc,
             char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) r = NULL;
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *text = NULL;
  const char *key = NULL;
  gboolean reprint = FALSE;
  guint columns = 42;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--reprint"))
        reprint = TRUE;
      else if (g_str_equal (argv[i], "--columns") && i + 1 < argc)
        {
          guint64 n;

          if (!g_ascii_string_to_unsigned (argv[++i], 10, 32, 48, &n, NULL) ||
              (n != 32 && n != 42 && n != 48))
            {
              g_printerr ("%s\n", _("balcao-ctl: --columns must be 32, 42 or 48"));
              return 2;
            }
          columns = (guint) n;
        }
      else if (key == NULL && argv[i][0] != '-')
        key = argv[i];
      else
        return usage ();
    }
  if (key == NULL)
    return usage ();

  r = find_sale (db, key, &error);
  if (r == NULL)
    return pos_cli_fail (error);
  info = pos_database_get_store_info (db, &error);
  if (info == NULL)
    return pos_cli_fail (error);

  text = pos_receipt_render_text (r, info, columns, reprint);
  fputs (text, stdout);
  return 0;
}

int
pos_cli_cmd_sales (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;

  if (argc < 2)
    return usage ();
  if (!g_str_equal (argv[1], "list") && !g_str_equal (argv[1], "show") &&
      !g_str_equal (argv[1], "receipt"))
    return usage ();

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  if (g_str_equal (argv[1], "list"))
    return cmd_list (db, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return cmd_show (db, argc - 1, argv + 1);
  return cmd_receipt (db, argc - 1, argv + 1);
}
