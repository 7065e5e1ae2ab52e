/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "terminal/pos-catalog.h"
#include "pos-cli.h"

static void
usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl catalog import FILE.csv"));
  fprintf (out, "%s\n", _("Columns: sku, name, price (required); barcode (several with |), brand, unit, weighed, tax_class, tax_rate, stock."));
  fprintf (out, "%s\n", _("All or nothing: if any row is wrong, every wrong row is listed and nothing is imported."));
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
  if (argc != 3 || !g_str_equal (argv[1], "import"))
    {
      usage (stderr);
      return 2;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  if (!pos_catalog_import_csv (db, argv[2], &report, &error))
    return pos_cli_fail (error);

  printf (_("Imported %s: %u rows, %u new products, %u updated.\n"),
          argv[2], report.n_rows, report.n_inserted, report.n_updated);
  return 0;
}
