/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "devices/pos-receipt-escpos.h"
#include "devices/pos-receipt-pdf.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-receipt-email.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "pos-cli.h"

/* balcao-ctl receipt SALE|--shift [SHIFT] --format escpos|pdf|png|text
 *                    [--width 32|42|48] [--paper 58|80|a4] [--code-page 860|858]
 *                    [--barcode] [--reprint] --output FILE|-
 *
 * SALE is an id, a number or the receipt's code; --shift renders the X/Z
 * report of a shift (its id or number; none = the open one).
 *
 * balcao-ctl receipt email SALE [--to ADDRESS] [--as CODE]
 *
 * asks the central to e-mail the sale's receipt (to ADDRESS, or to the
 * address on file of the sale's customer): a 'receipt.email' operation in
 * the outbox, with its audit row. */

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl receipt SALE|--shift [SHIFT] --format escpos|pdf|png|text\n"
                        "         [--width 32|42|48] [--paper 58|80|a4] [--code-page 860|858]\n"
                        "         [--barcode] [--reprint] --output FILE|-"));
  return 2;
}

static PosReceiptDoc *
load_sale_doc (PosDatabase         *db,
               const char          *key,
               gboolean             reprint,
               const PosStoreInfo  *info,
               GError             **error)
{
  g_autoptr(PosSaleRecord) r = pos_sales_load (db, key, error);
  g_autoptr(PosCustomerSummary) customer = NULL;

  if (r == NULL)
    return NULL;
  if (r->customer_id != NULL)
    customer = pos_customers_get (db, r->customer_id, NULL);   /* erased: the name alone */
  return pos_receipt_doc_new_for_sale (r, info, customer, reprint);
}

static gboolean
write_output (const char  *path,
              GBytes      *bytes,
              GError     **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (g_str_equal (path, "-"))
    {
      if (fwrite (data, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write to the standard output"));
          return FALSE;
        }
      return TRUE;
    }
  return g_file_set_contents (path, data, (gssize) len, error);
}

static int
email_usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl receipt email SALE [--to ADDRESS] [--as CODE]\n"
                        "Without --to, the receipt goes to the address on file of the sale’s customer."));
  return 2;
}

static int
cmd_email (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autofree char *id = NULL;
  g_autofree char *shown = NULL;
  const char *sale = NULL;
  const char *to = NULL;
  const char *as = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--to") && i + 1 < argc)
        to = argv[++i];
      else if (g_str_equal (argv[i], "--as") && i + 1 < argc)
        as = argv[++i];
      else if (sale == NULL && argv[i][0] != '-')
        sale = argv[i];
      else
        return email_usage ();
    }
  if (sale == NULL)
    return email_usage ();
  /* said before the database is opened: nothing to undo */
  if (to != NULL && !pos_receipt_email_address_is_valid (to))
    {
      g_printerr (_("balcao-ctl: “%s” is not an e-mail address (like name@example.com); nothing was sent.\n"), to);
      return 2;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL || !pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  id = pos_receipt_email_request (db, sale, to, &shown, &error);
  if (id == NULL)
    return pos_cli_fail (error);
  /* Translators: %s is an e-mail address, the second the request's id */
  g_print (_("The receipt goes to %s when the central has the request (%s).\n"), shown, id);
  return 0;
}

int
pos_cli_cmd_receipt (int    argc,
                     char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(PosStoreInfo) info = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autoptr(GBytes) out = NULL;
  const char *key = NULL;
  const char *format = "text";
  const char *output = NULL;
  gboolean shift = FALSE;
  gboolean reprint = FALSE;
  PosEscposOptions escpos;
  PosReceiptPaper paper = POS_RECEIPT_PAPER_80MM;

  if (argc > 1 && g_str_equal (argv[1], "email"))
    return cmd_email (argc - 1, argv + 1);

  pos_escpos_options_init (&escpos);
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;
      guint64 n;

      if (g_str_equal (arg, "--reprint"))
        reprint = TRUE;
      else if (g_str_equal (arg, "--shift"))
        shift = TRUE;
      else if (g_str_equal (arg, "--barcode"))
        escpos.symbol = POS_ESCPOS_SYMBOL_BARCODE;
      else if (g_str_equal (arg, "--format") && value != NULL)
        {
          format = value;
          i++;
          if (!g_str_equal (format, "escpos") && !g_str_equal (format, "pdf") &&
              !g_str_equal (format, "png") && !g_str_equal (format, "text"))
            {
              g_printerr ("%s\n", _("balcao-ctl: --format must be escpos, pdf, png or text"));
              return 2;
            }
        }
      else if (g_str_equal (arg, "--width") && value != NULL)
        {
          i++;
          if (!g_ascii_string_to_unsigned (value, 10, 32, 48, &n, NULL) || (n != 32 && n != 42 && n != 48))
            {
              g_printerr ("%s\n", _("balcao-ctl: --width must be 32, 42 or 48"));
              return 2;
            }
          escpos.columns = (guint) n;
        }
      else if (g_str_equal (arg, "--paper") && value != NULL)
        {
          i++;
          if (!pos_receipt_paper_from_string (value, &paper))
            {
              g_printerr ("%s\n", _("balcao-ctl: --paper must be 58, 80 or a4"));
              return 2;
            }
        }
      else if (g_str_equal (arg, "--code-page") && value != NULL)
        {
          i++;
          if (!g_ascii_string_to_unsigned (value, 10, 0, 9999, &n, NULL) ||
              !pos_escpos_code_page_is_known ((guint) n))
            {
              g_printerr ("%s\n", _("balcao-ctl: --code-page must be 860 or 858"));
              return 2;
            }
          escpos.code_page = (guint) n;
        }
      else if (g_str_equal (arg, "--output") && value != NULL)
        output = argv[++i];
      else if (key == NULL && arg[0] != '-')
        key = arg;
      else
        return usage ();
    }
  if (output == NULL || (key == NULL && !shift))
    return usage ();

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  info = pos_database_get_store_info (db, &error);
  if (info == NULL)
    return pos_cli_fail (error);

  if (shift)
    {
      g_autoptr(PosShiftReport) report = pos_shifts_report (db, key, &error);

      if (report == NULL)
        return pos_cli_fail (error);
      doc = pos_receipt_doc_new_for_shift (report, info);
    }
  else
    {
      doc = load_sale_doc (db, key, reprint, info, &error);
      if (doc == NULL)
        return pos_cli_fail (error);
    }

  if (g_str_equal (format, "escpos"))
    out = pos_receipt_render_escpos (doc, &escpos);
  else if (g_str_equal (format, "pdf") || g_str_equal (format, "png"))
    {
      out = g_str_equal (format, "pdf") ? pos_receipt_render_pdf (doc, paper, &error)
                                        : pos_receipt_render_png (doc, paper, 0, &error);
      pos_receipt_pdf_release_fonts ();
    }
  else
    {
      char *text = pos_receipt_doc_render_text (doc, escpos.columns);

      out = g_bytes_new_take (text, strlen (text));
    }
  if (out == NULL)
    return pos_cli_fail (error);
  if (!write_output (output, out, &error))
    return pos_cli_fail (error);
  return 0;
}
