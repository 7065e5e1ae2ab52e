/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "devices/pos-receipt-pdf.h"
#include "domain/pos-money.h"
#include "terminal/pos-pickup-receipt.h"
#include "terminal/pos-pickups.h"
#include "pos-cli.h"

/* balcao-ctl pickup list [--group G] [--search S] [--limit N]
 *                   show REF [--picking-list|--receipt] [--columns N]
 *                   pick REF CODE...
 *                   ready REF --shelf X
 *                   exception REF LINE --missing Q [--substitute SKU] [--note TEXT]
 *                   hand-over REF --code C|--document TEXT [--lines N:Q[:REFUSED],...] [--reason R] [--offline]
 *                   no-show REF
 *                   cancel REF
 *                   incidents [--dismiss REF]
 * each with [--as CODE] (that person's PIN on the standard input).
 *
 * REF is the order's number or id, or the QR code's text. Every move
 * expects the version the order has now, as a clerk who just opened it;
 * quantities are units ("2", "0,5" for half a kilo). Online unless
 * --offline says the terminal has no contact with the central (the
 * offline rule then applies). */

static const char * const group_names[POS_PICKUP_N_GROUPS] = {
  "new", "picking", "ready", "overdue", "on-hold", "partial", "collected", "cancelled",
};

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl pickup list [--group new|picking|ready|overdue|on-hold|partial|collected|cancelled]\n"
                        "                               [--search TEXT] [--limit N]\n"
                        "       balcao-ctl pickup show REF [--picking-list|--receipt] [--columns N] [--png FILE]\n"
                        "       balcao-ctl pickup pick REF CODE...\n"
                        "       balcao-ctl pickup ready REF --shelf SHELF\n"
                        "       balcao-ctl pickup exception REF LINE --missing QTY [--substitute SKU] [--note TEXT]\n"
                        "       balcao-ctl pickup hand-over REF --code CODE|--document TEXT [--lines N:QTY[:REFUSED],...]\n"
                        "                                   [--reason TEXT] [--offline]\n"
                        "       balcao-ctl pickup no-show REF\n"
                        "       balcao-ctl pickup cancel REF\n"
                        "       balcao-ctl pickup incidents [--dismiss REF]\n"
                        "REF is the order's number or id, or the text of its QR code. Each acts as the person\n"
                        "signed in at the counter, or with --as CODE as that person (their PIN on the standard input)."));
  return 2;
}

static gboolean
group_from_string (const char     *text,
                   PosPickupGroup *out)
{
  for (guint i = 0; i < POS_PICKUP_N_GROUPS; i++)
    if (g_strcmp0 (text, group_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* The order a REF names (a QR code's text gives its number; *code gets
 * the code). */
static PosPickupOrder *
resolve (PosDatabase  *db,
         const char   *ref,
         char        **code,
         GError      **error)
{
  g_autofree char *number = NULL;
  g_autofree char *qr_code = NULL;

  if (pos_pickups_parse_qr (ref, &number, &qr_code))
    {
      if (code != NULL)
        *code = g_steal_pointer (&qr_code);
      return pos_pickups_get (db, number, error);
    }
  return pos_pickups_get (db, ref, error);
}

static void
print_summary (const PosPickupOrder *o)
{
  g_autofree char *total = pos_money_format (o->total, o->currency, NULL);
  g_autofree char *items = pos_cli_format_quantity (o->n_items);

  printf ("%-10s %-22s %-12s %-20s %6s %12s %s%s%s%s\n",
          o->number,
          pos_pickup_state_to_string (o->state),
          o->channel,
          o->customer_name != NULL ? o->customer_name : "-",
          items,
          total,
          o->paid ? _("paid") : _("to pay"),
          o->shelf_location != NULL ? "  @" : "",
          o->shelf_location != NULL ? o->shelf_location : "",
          o->provisional ? _("  (provisional)") : o->pending ? _("  (not synced)") : "");
}

static int
cmd_list (PosDatabase *db,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  const char *group_name = NULL;
  const char *search = NULL;
  guint64 limit = 0;
  guint counts[POS_PICKUP_N_GROUPS];

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--group") && i + 1 < argc)
        group_name = argv[++i];
      else if (g_str_equal (argv[i], "--search") && i + 1 < argc)
        search = argv[++i];
      else if (g_str_equal (argv[i], "--limit") && i + 1 < argc)
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 0, 100000, &limit, NULL))
            return usage ();
        }
      else
        return usage ();
    }

  if (!pos_pickups_count (db, counts, &error))
    return pos_cli_fail (error);
  for (guint g = 0; g < POS_PICKUP_N_GROUPS; g++)
    {
      PosPickupGroup want;
      g_autoptr(GPtrArray) list = NULL;

      if (group_name != NULL)
        {
          if (!group_from_string (group_name, &want))
            {
              g_printerr (_("balcao-ctl: no group “%s”\n"), group_name);
              return usage ();
            }
          if (want != g)
            continue;
        }
      printf ("%s (%u)\n", pos_pickup_group_get_label (g), counts[g]);
      if (counts[g] == 0 && search == NULL)
        continue;
      list = pos_pickups_list (db, g, search, (guint) limit, &error);
      if (list == NULL)
        return pos_cli_fail (error);
      for (guint i = 0; i < list->len; i++)
        print_summary (g_ptr_array_index (list, i));
    }
  return 0;
}

static void
print_order (const PosPickupOrder *o)
{
  g_autofree char *total = pos_money_format (o->total, o->currency, NULL);

  printf (_("Order %s (%s)\n"), o->number, o->id);
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, o->version);

  printf (_("State: %s, version %s%s%s\n"), pos_pickup_state_to_string (o->state), version,
          o->provisional ? _(", provisional") : "", o->pending ? _(", not synced yet") : "");
  if (o->last_move != NULL)
    printf ("%s\n", o->last_move);
  printf (_("Customer: %s %s\n"), o->customer_name != NULL ? o->customer_name : "-",
          o->customer_phone != NULL ? o->customer_phone : "");
  printf (_("Channel: %s; total %s, %s\n"), o->channel, total,
          o->paid ? (o->payment_method != NULL ? o->payment_method : _("paid")) : _("to be paid at the counter"));
  if (o->shelf_location != NULL)
    printf (_("Shelf: %s\n"), o->shelf_location);
  if (o->notes != NULL)
    printf (_("Notes: %s\n"), o->notes);
  if (o->exception_note != NULL)
    printf (_("Exception: %s\n"), o->exception_note);
  if (o->incident != NULL)
    printf (_("Incident: %s\n"), o->incident);
  for (guint i = 0; o->lines != NULL && i < o->lines->len; i++)
    {
      const PosPickupLine *l = g_ptr_array_index (o->lines, i);
      g_autofree char *q = pos_cli_format_quantity (l->quantity);
      g_autofree char *p = pos_cli_format_quantity (l->picked_quantity);
      g_autofree char *c = pos_cli_format_quantity (l->collected_quantity);

      printf (_("  %u. %s x %s %s (picked %s, collected %s"), l->line_no, q, l->sku, l->name, p, c);
      if (l->missing_quantity > 0)
        {
          g_autofree char *m = pos_cli_format_quantity (l->missing_quantity);
          printf (_(", missing %s"), m);
        }
      if (l->refunded_quantity > 0)
        {
          g_autofree char *r = pos_cli_format_quantity (l->refunded_quantity);
          printf (_(", refunded %s"), r);
        }
      if (l->substitute_sku != NULL)
        printf (_(", instead %s"), l->substitute_sku);
      printf (")\n");
    }
}

static int
cmd_show (PosDatabase *db,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = NULL;
  gboolean picking = FALSE, receipt = FALSE;
  const char *png = NULL;
  guint64 columns = 42;

  if (argc < 2)
    return usage ();
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--picking-list"))
        picking = TRUE;
      else if (g_str_equal (argv[i], "--receipt"))
        receipt = TRUE;
      else if (g_str_equal (argv[i], "--png") && i + 1 < argc)
        png = argv[++i];
      else if (g_str_equal (argv[i], "--columns") && i + 1 < argc)
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 32, 80, &columns, NULL))
            return usage ();
        }
      else
        return usage ();
    }
  order = resolve (db, argv[1], NULL, &error);
  if (order == NULL)
    return pos_cli_fail (error);
  if (picking || receipt)
    {
      g_autoptr(PosStoreInfo) store = pos_database_get_store_info (db, NULL);
      g_autoptr(PosReceiptDoc) doc = NULL;
      g_autofree char *text = NULL;

      if (picking)
        {
          g_autoptr(GPtrArray) orders = g_ptr_array_new ();

          g_ptr_array_add (orders, order);
          doc = pos_pickup_receipt_new_picking_list (orders, store, pos_now_ms ());
        }
      else
        {
          g_autoptr(PosPickupHandoverRecord) h = pos_pickups_get_last_handover (db, order->id, &error);

          if (h == NULL)
            return pos_cli_fail (error);
          doc = pos_pickup_receipt_new_for_handover (order, h, store);
        }
      if (png != NULL)
        {
          /* The picture the app's preview shows, on an 80 mm roll. */
          g_autoptr(GBytes) bytes = pos_receipt_render_png (doc, POS_RECEIPT_PAPER_80MM, 0, &error);

          pos_receipt_pdf_release_fonts ();
          if (bytes == NULL ||
              !g_file_set_contents (png, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error))
            return pos_cli_fail (error);
          return 0;
        }
      text = pos_receipt_doc_render_text (doc, (guint) columns);
      fputs (text, stdout);
      return 0;
    }
  print_order (order);
  return 0;
}

static int
cmd_pick (PosDatabase *db,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = NULL;

  if (argc < 3)
    return usage ();
  order = resolve (db, argv[1], NULL, &error);
  if (order == NULL)
    return pos_cli_fail (error);
  if ((order->state == POS_PICKUP_PLACED || order->state == POS_PICKUP_ALLOCATED) &&
      !pos_pickups_start_picking (db, order->id, order->version, &error))
    return pos_cli_fail (error);
  for (int i = 2; i < argc; i++)
    {
      guint line_no = 0;

      if (!pos_pickups_pick_scan (db, order->id, argv[i], &line_no, &error))
        return pos_cli_fail (error);
      printf (_("%s: line %u ticked\n"), argv[i], line_no);
    }
  return 0;
}

static int
cmd_ready (PosDatabase *db,
           int          argc,
           char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = NULL;
  const char *shelf = NULL;

  if (argc < 2)
    return usage ();
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--shelf") && i + 1 < argc)
        shelf = argv[++i];
      else
        return usage ();
    }
  order = resolve (db, argv[1], NULL, &error);
  if (order == NULL || !pos_pickups_mark_ready (db, order->id, order->version, shelf, &error))
    return pos_cli_fail (error);
  printf (_("Order %s is ready on shelf %s.\n"), order->number, shelf);
  return 0;
}

static int
cmd_exception (PosDatabase *db,
               int          argc,
               char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = NULL;
  const char *substitute = NULL, *note = NULL;
  gint64 missing = -1;
  guint64 line_no;

  if (argc < 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT, &line_no, NULL))
    return usage ();
  for (int i = 3; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--missing") && i + 1 < argc)
        {
          if (!pos_cli_parse_quantity (argv[++i], &missing))
            return usage ();
        }
      else if (g_str_equal (argv[i], "--substitute") && i + 1 < argc)
        substitute = argv[++i];
      else if (g_str_equal (argv[i], "--note") && i + 1 < argc)
        note = argv[++i];
      else
        return usage ();
    }
  if (missing < 0)
    return usage ();
  order = resolve (db, argv[1], NULL, &error);
  if (order == NULL ||
      !pos_pickups_report_exception (db, order->id, order->version, (guint) line_no, missing, substitute, note,
                                     &error))
    return pos_cli_fail (error);
  printf (_("Order %s is on hold until the central decides.\n"), order->number);
  return 0;
}

static gboolean
parse_lines (const char *text,
             GArray     *out)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (items[i], ":", -1);
      PosPickupCollect c = { 0, };
      guint64 line_no;
      guint n = g_strv_length (parts);

      if ((n != 2 && n != 3) ||
          !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT, &line_no, NULL) ||
          !pos_cli_parse_quantity (parts[1], &c.quantity) ||
          (n == 3 && !pos_cli_parse_quantity (parts[2], &c.refused_quantity)))
        return FALSE;
      c.line_no = (guint) line_no;
      g_array_append_val (out, c);
    }
  return out->len > 0;
}

static int
cmd_hand_over (PosDatabase *db,
               int          argc,
               char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = NULL;
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (PosPickupCollect));
  g_autofree char *qr_code = NULL;
  PosPickupHandover h = { 0, };
  gboolean online = TRUE;
  gboolean with_lines = FALSE;

  if (argc < 2)
    return usage ();
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--code") && i + 1 < argc)
        h.pickup_code = argv[++i];
      else if (g_str_equal (argv[i], "--document") && i + 1 < argc)
        {
          h.identity = POS_PICKUP_IDENTITY_DOCUMENT;
          h.document = argv[++i];
        }
      else if (g_str_equal (argv[i], "--lines") && i + 1 < argc)
        {
          if (!parse_lines (argv[++i], lines))
            return usage ();
          with_lines = TRUE;
        }
      else if (g_str_equal (argv[i], "--reason") && i + 1 < argc)
        h.refuse_reason = argv[++i];
      else if (g_str_equal (argv[i], "--offline"))
        online = FALSE;
      else
        return usage ();
    }
  order = resolve (db, argv[1], &qr_code, &error);
  if (order == NULL)
    return pos_cli_fail (error);
  if (h.pickup_code == NULL && h.identity == POS_PICKUP_IDENTITY_CODE)
    h.pickup_code = qr_code;
  h.order_id = order->id;
  h.expected_version = order->version;
  if (with_lines)
    {
      h.lines = (const PosPickupCollect *) (void *) lines->data;
      h.n_lines = lines->len;
    }
  if (!pos_pickups_hand_over (db, &h, online, &error))
    return pos_cli_fail (error);
  {
    /* Read it back; h.order_id points into the order read before. */
    g_autoptr(PosPickupOrder) after = pos_pickups_get (db, order->id, &error);

    if (after == NULL)
      return pos_cli_fail (error);
    printf (_("Order %s handed over: %s%s.\n"), after->number, pos_pickup_state_to_string (after->state),
            after->provisional ? _(" (provisional until the central accepts it)") : "");
  }
  return 0;
}

static int
cmd_simple (PosDatabase *db,
            int          argc,
            char       **argv,
            gboolean     cancel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = NULL;
  gboolean ok;

  if (argc != 2)
    return usage ();
  order = resolve (db, argv[1], NULL, &error);
  if (order == NULL)
    return pos_cli_fail (error);
  ok = cancel ? pos_pickups_cancel (db, order->id, order->version, NULL, &error)
              : pos_pickups_mark_no_show (db, order->id, order->version, &error);
  if (!ok)
    return pos_cli_fail (error);
  printf (cancel ? _("Order %s cancelled; its stock is released.\n") : _("Order %s marked a no-show.\n"),
          order->number);
  return 0;
}

static int
cmd_incidents (PosDatabase *db,
               int          argc,
               char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  if (argc == 3 && g_str_equal (argv[1], "--dismiss"))
    {
      g_autoptr(PosPickupOrder) order = resolve (db, argv[2], NULL, &error);

      if (order == NULL || !pos_pickups_dismiss_incident (db, order->id, &error))
        return pos_cli_fail (error);
      return 0;
    }
  if (argc != 1)
    return usage ();
  list = pos_pickups_list_incidents (db, &error);
  if (list == NULL)
    return pos_cli_fail (error);
  if (list->len == 0)
    printf ("%s\n", _("No incidents."));
  for (guint i = 0; i < list->len; i++)
    {
      const PosPickupOrder *o = g_ptr_array_index (list, i);

      printf ("%s\t%s\n", o->number, o->incident);
    }
  return 0;
}

int
pos_cli_cmd_pickup (int    argc,
                    char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *as = NULL;
  const char *sub;

  /* --as CODE anywhere after the subcommand. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--as") && i + 1 < argc)
        as = argv[++i];
      else
        g_ptr_array_add (args, argv[i]);
    }
  if (args->len == 0)
    return usage ();
  sub = g_ptr_array_index (args, 0);

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);

  {
    int n = (int) args->len;
    char **v = (char **) args->pdata;

    if (g_str_equal (sub, "list"))
      return cmd_list (db, n, v);
    if (g_str_equal (sub, "show"))
      return cmd_show (db, n, v);
    if (g_str_equal (sub, "pick"))
      return cmd_pick (db, n, v);
    if (g_str_equal (sub, "ready"))
      return cmd_ready (db, n, v);
    if (g_str_equal (sub, "exception"))
      return cmd_exception (db, n, v);
    if (g_str_equal (sub, "hand-over"))
      return cmd_hand_over (db, n, v);
    if (g_str_equal (sub, "no-show"))
      return cmd_simple (db, n, v, FALSE);
    if (g_str_equal (sub, "cancel"))
      return cmd_simple (db, n, v, TRUE);
    if (g_str_equal (sub, "incidents"))
      return cmd_incidents (db, n, v);
  }
  return usage ();
}
