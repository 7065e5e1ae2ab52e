/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "pos-cli.h"

typedef struct {
  const char        *name;
  PosCliCommandFunc  func;
  const char        *summary;
} PosCliCommand;

static const PosCliCommand commands[] = {
  { "barcode",   pos_cli_cmd_barcode,   N_("barcode parse CODE: what a scanned code means, as JSON") },
  { "demo-data", pos_cli_cmd_demo_data, N_("demo-data [--products N] [--customers N] [--sales N]: build a demo store") },
  { "catalog",   pos_cli_cmd_catalog,   N_("catalog import|export FILE.csv: import products (all or nothing), or write the catalog in that format") },
  { "sales",     pos_cli_cmd_sales,     N_("sales list|show NUMBER|receipt NUMBER: the sales history") },
  { "online-order", pos_cli_cmd_online_order, N_("online-order show REF|return REF --reason TEXT [--lines LINE:QTY,...] [--as CODE]: an order of the web shop or app, and items of it brought back") },
  { "enroll",    pos_cli_cmd_enroll,    N_("enroll URL TOKEN [--ca-file FILE]: enrol this terminal with a central") },
  { "sync",      pos_cli_cmd_sync,      N_("sync status|run [--once]|outbox|dead-letters|retry SEQ [--as CODE]: sync with the central") },
  { "scanners",  pos_cli_cmd_scanners,  N_("scanners [list|listen [--count N] [--timeout S]|enable|disable|add|remove VID:PID|layout VID:PID us|abnt2|timeout MS]: USB barcode scanners") },
  { "staff",     pos_cli_cmd_staff,     N_("staff list|add CODE NAME ROLE|set-pin ID|CODE|unlock ID|CODE|publish [--as CODE]: staff and PINs (PINs from stdin)") },
  { "audit",     pos_cli_cmd_audit,     N_("audit [--action PREFIX] [--staff ID|CODE] [--limit N] [--as CODE]: the audit log, newest first") },
  { "receipt",   pos_cli_cmd_receipt,   N_("receipt SALE|--shift [SHIFT] --format escpos|pdf|png|text [--width 32|42|48] [--paper 58|80|a4] [--code-page 860|858] [--barcode] [--reprint] --output FILE|-: render a receipt or a shift report") },
  { "receipt",   pos_cli_cmd_receipt,   N_("receipt email SALE [--to ADDRESS] [--as CODE]: ask the central to e-mail the receipt") },
  { "printers",  pos_cli_cmd_printers,  N_("printers [list|show|use PRINTER [--kind escpos-raw|pdf-driver] [--width 32|42|48] [--code-page 860|858]]: the CUPS printers and the receipt printer") },
  { "print-test", pos_cli_cmd_print_test, N_("print-test [PRINTER] [--kind escpos-raw|pdf-driver] [--width N] [--timeout S]: print a test page and wait until it printed") },
  { "pickup",    pos_cli_cmd_pickup,    N_("pickup list|show REF|pick REF CODE...|ready REF --shelf X|exception REF LINE --missing Q|hand-over REF --code C|no-show REF|cancel REF|incidents [--as CODE]: online orders picked up here") },
  { "shift",     pos_cli_cmd_shift,     N_("shift status|open [--float AMOUNT]|cash-in|cash-out AMOUNT REASON|report [SHIFT]|close --counted AMOUNT: the shift at this terminal") },
};

static char *database_path;

/* "2" -> 2000, "0,512" / "0.512" -> 512. */
gboolean
pos_cli_parse_quantity (const char *text,
                        gint64     *out)
{
  g_autofree char *copy = g_strdup (text);
  char *sep;
  guint64 whole = 0, frac = 0;
  gsize frac_len = 0;

  g_strdelimit (copy, ",", '.');
  sep = strchr (copy, '.');
  if (sep != NULL)
    {
      *sep = '\0';
      frac_len = strlen (sep + 1);
      if (frac_len == 0 || frac_len > 3 ||
          !g_ascii_string_to_unsigned (sep + 1, 10, 0, 999, &frac, NULL))
        return FALSE;
      for (gsize i = frac_len; i < 3; i++)
        frac *= 10;
    }
  if (*copy != '\0' && !g_ascii_string_to_unsigned (copy, 10, 0, 99999, &whole, NULL))
    return FALSE;
  *out = (gint64) (whole * 1000 + frac);
  return TRUE;
}

char *
pos_cli_format_quantity (gint64 milli)
{
  if (milli % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, milli / 1000);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT, milli / 1000, milli % 1000);
}

const char *
pos_cli_get_database_path (void)
{
  if (database_path == NULL)
    {
      const char *env = g_getenv ("BALCAO_DATABASE");

      if (env != NULL && *env != '\0')
        database_path = g_strdup (env);
      else
        database_path = g_build_filename (g_get_user_data_dir (), "balcao", "balcao.db", NULL);
    }

  return database_path;
}

PosDatabase *
pos_cli_open_database (GError **error)
{
  const char *path = pos_cli_get_database_path ();
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  return pos_database_open (path, error);
}

int
pos_cli_fail (const GError *error)
{
  g_printerr ("balcao-ctl: %s\n", error->message);
  return 1;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: balcao-ctl [--database FILE] COMMAND [ARGS...]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %s\n", _(commands[i].summary));
  fprintf (out, "\n%s\n", _("The database is --database, else $BALCAO_DATABASE, else ~/.local/share/balcao/balcao.db."));
}

int
pos_cli_run (int    argc,
             char **argv)
{
  int i = 1;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  while (i < argc && argv[i][0] == '-')
    {
      if (g_str_equal (argv[i], "--database") && i + 1 < argc)
        {
          g_free (database_path);
          database_path = g_strdup (argv[i + 1]);
          i += 2;
        }
      else if (g_str_has_prefix (argv[i], "--database="))
        {
          g_free (database_path);
          database_path = g_strdup (argv[i] + strlen ("--database="));
          i++;
        }
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_usage (stdout);
          return 0;
        }
      else if (g_str_equal (argv[i], "--version"))
        {
          printf ("balcao-ctl %s\n", PACKAGE_VERSION);
          return 0;
        }
      else
        {
          g_printerr (_("balcao-ctl: unknown option %s\n"), argv[i]);
          print_usage (stderr);
          return 2;
        }
    }

  if (i >= argc)
    {
      print_usage (stderr);
      return 2;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      if (g_str_equal (argv[i], commands[c].name))
        {
          status = commands[c].func (argc - i, argv + i);
          g_clear_pointer (&database_path, g_free);
          return status;
        }
    }

  g_printerr (_("balcao-ctl: unknown command “%s”\n"), argv[i]);
  print_usage (stderr);
  return 2;
}
