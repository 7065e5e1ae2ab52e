/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "domain/pos-money.h"
#include "terminal/pos-catalog.h"
#include "pos-cli.h"

static void
usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl catalog import FILE.csv"));
  fprintf (out, "%s\n", _("       balcao-ctl catalog export FILE.csv   (the catalog in the same format; - for stdout)"));
  fprintf (out, "%s\n", _("Columns: sku, name, price (required); barcode (several with |), brand, unit, weighed, tax_class, tax_rate, stock."));
  fprintf (out, "%s\n", _("All or nothing: if any row is wrong, every wrong row is listed and nothing is imported."));
}

/* ---- export ---- */

/* RFC 4180: quoted when it holds a separator, a quote or a line break. */
static void
append_field (GString    *out,
              const char *value)
{
  if (value == NULL)
    value = "";
  if (strpbrk (value, ",;\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* value / 10^exponent with '.' and the trailing zeros of the fraction dropped. */
static char *
format_decimal (gint64 value,
                int    exponent)
{
  gint64 scale = 1;
  guint64 magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  g_autofree char *fraction = NULL;
  gsize len;

  for (int i = 0; i < exponent; i++)
    scale *= 10;
  if (exponent == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, value < 0 ? "-" : "", magnitude);
  fraction = g_strdup_printf ("%0*" G_GUINT64_FORMAT, exponent, magnitude % (guint64) scale);
  len = strlen (fraction);
  while (len > 0 && fraction[len - 1] == '0')
    fraction[--len] = '\0';
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%s%s", value < 0 ? "-" : "",
                          magnitude / (guint64) scale, len > 0 ? "." : "", fraction);
}

static int
catalog_export (PosDatabase *db,
                const char  *path)
{
  g_autoptr(GString) out = g_string_new ("sku,name,price,barcode,brand,unit,weighed,tax_class,tax_rate,stock\n");
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  guint n = 0;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT p.sku, p.name, pr.amount, COALESCE (pr.currency, 'BRL'), "
      "  (SELECT group_concat (code, '|') FROM (SELECT code FROM product_barcodes b "
      "   WHERE b.product_id = p.id ORDER BY code)), "
      "  p.brand, p.unit, p.weighed, p.tax_class_id, t.rate_bp, "
      "  COALESCE (s.synced_qty, 0) + COALESCE (s.local_delta, 0) "
      "FROM products p JOIN tax_classes t ON t.id = p.tax_class_id "
      "LEFT JOIN stock_levels s ON s.product_id = p.id "
      "LEFT JOIN prices pr ON pr.product_id = p.id AND pr.price_list = 'retail' AND pr.valid_from = "
      "  (SELECT MAX (x.valid_from) FROM prices x WHERE x.product_id = p.id AND x.price_list = 'retail' "
      "   AND x.valid_from <= ?1 AND (x.valid_to IS NULL OR x.valid_to > ?1)) "
      "WHERE p.active = 1 AND pr.amount IS NOT NULL ORDER BY p.sku", &error);
  if (stmt == NULL)
    return pos_cli_fail (error);
  sqlite3_bind_int64 (stmt, 1, pos_now_ms ());
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *currency = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *price = format_decimal (sqlite3_column_int64 (stmt, 2),
                                               pos_money_currency_exponent (currency));
      g_autofree char *rate = format_decimal (sqlite3_column_int64 (stmt, 9), 2);
      /* The import takes no negative stock: what was sold beyond it is 0 on hand. */
      g_autofree char *stock = format_decimal (MAX (sqlite3_column_int64 (stmt, 10), 0), 3);

      append_field (out, (const char *) sqlite3_column_text (stmt, 0));
      g_string_append_c (out, ',');
      append_field (out, (const char *) sqlite3_column_text (stmt, 1));
      g_string_append_c (out, ',');
      g_string_append (out, price);
      g_string_append_c (out, ',');
      append_field (out, (const char *) sqlite3_column_text (stmt, 4));
      g_string_append_c (out, ',');
      append_field (out, (const char *) sqlite3_column_text (stmt, 5));
      g_string_append_c (out, ',');
      append_field (out, (const char *) sqlite3_column_text (stmt, 6));
      g_string_append_c (out, ',');
      g_string_append (out, sqlite3_column_int (stmt, 7) ? "1" : "0");
      g_string_append_c (out, ',');
      append_field (out, (const char *) sqlite3_column_text (stmt, 8));
      g_string_append_c (out, ',');
      g_string_append (out, rate);
      g_string_append_c (out, ',');
      g_string_append (out, stock);
      g_string_append_c (out, '\n');
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, &error, _("Reading the catalog"));
      return pos_cli_fail (error);
    }

  if (g_str_equal (path, "-"))
    {
      fwrite (out->str, 1, out->len, stdout);
      return 0;
    }
  if (!g_file_set_contents (path, out->str, (gssize) out->len, &error))
    return pos_cli_fail (error);
  g_printerr (_("Exported %u products to %s.\n"), n, path);
  return 0;
}

int
pos_cli_cmd_catalog (int    argc,
                     char **argv)
{
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  PosImportReport report = { 0, };

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      usage (stdout);
      return 0;
    }
  if (argc != 3 || (!g_str_equal (argv[1], "import") && !g_str_equal (argv[1], "export")))
    {
      usage (stderr);
      return 2;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  if (g_str_equal (argv[1], "export"))
    return catalog_export (db, argv[2]);

  if (!pos_catalog_import_csv (db, argv[2], &report, &error))
    return pos_cli_fail (error);

  printf (_("Imported %s: %u rows, %u new products, %u updated.\n"),
          argv[2], report.n_rows, report.n_inserted, report.n_updated);
  return 0;
}
