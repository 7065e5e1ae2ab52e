/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "devices/pos-printer.h"
#include "devices/pos-receipt-pdf.h"
#include "pos-cli.h"

/* balcao-ctl printers [list]
 *   The destinations of the CUPS server (CUPS_SERVER, client.conf), one a
 *   line: name, state keyword, accepting or not, then the state in words;
 *   "*" marks the receipt printer chosen in the settings.
 * balcao-ctl printers use PRINTER [--kind escpos-raw|pdf-driver] [--width 32|42|48] [--code-page 860|858]
 * balcao-ctl printers show
 *   The receipt printer settings the app uses (docs/printing.md).
 * balcao-ctl print-test [PRINTER] [--kind escpos-raw|pdf-driver] [--width N] [--timeout SECONDS]
 *   Sends a test page (the receipt printer when PRINTER is left out) and
 *   waits until the printer printed it: exit 0 when printed, 1 with the
 *   problem in words otherwise. */

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl printers [list]"));
  fprintf (out, "%s\n", _("       balcao-ctl printers show"));
  fprintf (out, "%s\n", _("       balcao-ctl printers use PRINTER [--kind escpos-raw|pdf-driver] [--width 32|42|48] [--code-page 860|858]"));
  fprintf (out, "%s\n", _("Lists the printers of the print server (CUPS) and chooses the receipt printer."));
}

static int
usage_error (const char *message)
{
  g_printerr ("balcao-ctl: %s\n", message);
  print_usage (stderr);
  return 2;
}

static gboolean
parse_options (int                  argc,
               char               **argv,
               int                  first,
               PosPrinterSettings  *settings,
               int                 *timeout_s,
               const char         **positional,
               GError             **error)
{
  for (int i = first; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;
      gint64 n;

      if (g_str_equal (argv[i], "--kind") && value != NULL)
        {
          if (!pos_printer_kind_from_string (value, &settings->kind))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Unknown printer kind “%s”: use escpos-raw or pdf-driver."), value);
              return FALSE;
            }
          i++;
        }
      else if (g_str_equal (argv[i], "--width") && value != NULL)
        {
          if (!g_ascii_string_to_signed (value, 10, 32, 48, &n, NULL) || (n != 32 && n != 42 && n != 48))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("The width is 32, 42 or 48 characters, not “%s”."), value);
              return FALSE;
            }
          settings->width = (int) n;
          i++;
        }
      else if (g_str_equal (argv[i], "--code-page") && value != NULL)
        {
          if (!g_str_equal (value, "860") && !g_str_equal (value, "858"))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("The code page is 860 or 858, not “%s”."), value);
              return FALSE;
            }
          settings->code_page = g_str_equal (value, "858") ? 858 : 860;
          i++;
        }
      else if (g_str_equal (argv[i], "--timeout") && value != NULL && timeout_s != NULL)
        {
          if (!g_ascii_string_to_signed (value, 10, 1, 3600, &n, NULL))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("The timeout is a number of seconds, not “%s”."), value);
              return FALSE;
            }
          *timeout_s = (int) n;
          i++;
        }
      else if (argv[i][0] != '-' && *positional == NULL)
        *positional = argv[i];
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                       _("Unknown option %s"), argv[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static int
cmd_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(GPtrArray) list = pos_printer_list_sync (NULL, &error);

  if (list == NULL)
    return pos_cli_fail (error);

  db = pos_cli_open_database (NULL);
  if (db != NULL)
    settings = pos_printer_settings_load (db);

  if (list->len == 0)
    {
      printf ("%s\n", _("The print server has no printers. Add the receipt printer with lpadmin (see docs/printing.md)."));
      return 0;
    }

  for (guint i = 0; i < list->len; i++)
    {
      PosPrinterInfo *info = g_ptr_array_index (list, i);
      g_autofree char *words = pos_printer_info_describe (info);
      gboolean chosen = settings != NULL && g_strcmp0 (settings->printer, info->name) == 0;

      printf ("%s %s\t%s\t%s\t%s\t%s\n",
              chosen ? "*" : " ",
              info->name,
              pos_printer_state_to_string (info->state),
              info->accepting ? "accepting" : "rejecting",
              info->device_uri != NULL ? info->device_uri : "-",
              words);
    }
  return 0;
}

static int
cmd_show (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = pos_cli_open_database (&error);
  g_autoptr(PosPrinterSettings) settings = NULL;

  if (db == NULL)
    return pos_cli_fail (error);
  settings = pos_printer_settings_load (db);
  printf ("printer=%s\nkind=%s\nwidth=%d\ncode_page=%d\n",
          settings->printer != NULL ? settings->printer : "",
          pos_printer_kind_to_string (settings->kind), settings->width, settings->code_page);
  return 0;
}

static int
cmd_use (int    argc,
         char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(PosPrinterSettings) settings = NULL;
  const char *printer = NULL;

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  settings = pos_printer_settings_load (db);
  if (!parse_options (argc, argv, 2, settings, NULL, &printer, &error))
    return usage_error (error->message);
  if (printer == NULL)
    return usage_error (_("Name the printer."));

  g_free (settings->printer);
  settings->printer = g_strdup (printer);
  if (!pos_printer_settings_save (db, settings, &error))
    return pos_cli_fail (error);
  printf (_("The receipt printer is now “%s” (%s, %d columns, code page %d).\n"),
          settings->printer, pos_printer_kind_to_string (settings->kind),
          settings->width, settings->code_page);
  return 0;
}

int
pos_cli_cmd_printers (int    argc,
                      char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "list"))
    return argc <= 2 ? cmd_list () : usage_error (_("“printers list” takes no arguments."));
  if (g_str_equal (argv[1], "show"))
    return cmd_show ();
  if (g_str_equal (argv[1], "use"))
    return cmd_use (argc, argv);
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return 0;
    }
  return usage_error (_("Unknown printers command."));
}

int
pos_cli_cmd_print_test (int    argc,
                        char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(GBytes) page = NULL;
  const char *printer = NULL;
  int timeout_s = 60;
  int job_id;
  gint64 deadline;

  if (argc > 1 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("%s\n", _("Usage: balcao-ctl print-test [PRINTER] [--kind escpos-raw|pdf-driver] [--width 32|42|48] [--timeout SECONDS]"));
      printf ("%s\n", _("Prints a test page on PRINTER (a CUPS queue or an ipp:// URI), else on the receipt printer, and waits until it printed."));
      return 0;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  settings = pos_printer_settings_load (db);
  if (!parse_options (argc, argv, 1, settings, &timeout_s, &printer, &error))
    {
      g_printerr ("balcao-ctl: %s\n", error->message);
      return 2;
    }
  if (printer == NULL)
    printer = settings->printer;
  if (printer == NULL)
    {
      g_autofree char *message = pos_printer_format_problem (POS_PRINTER_ERROR_NOT_CONFIGURED, NULL);

      g_printerr ("balcao-ctl: %s\n", message);
      return 1;
    }

  page = pos_printer_build_test_page (settings->kind, settings->width, printer);
  /* nothing more is drawn in this process */
  pos_receipt_pdf_release_fonts ();
  job_id = pos_printer_submit_sync (printer, _("Test page"), pos_printer_kind_get_format (settings->kind),
                                    page, NULL, &error);
  if (job_id <= 0)
    return pos_cli_fail (error);
  printf (_("Test page sent to “%s” (job %d, %s).\n"), printer, job_id,
          pos_printer_kind_to_string (settings->kind));
  fflush (stdout);

  deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GError) problem = NULL;
      PosPrintJobStatus status = pos_printer_get_job_status_sync (printer, job_id, &problem, NULL, &error);

      if (status == POS_PRINT_JOB_COMPLETED && error == NULL)
        {
          printf ("%s\n", _("Printed."));
          return 0;
        }
      if (status == POS_PRINT_JOB_FAILED || problem != NULL)
        return pos_cli_fail (problem != NULL ? problem : error);
      g_clear_error (&error);
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr (_("balcao-ctl: the printer did not print the test page within %d seconds; job %d is still waiting there.\n"),
                      timeout_s, job_id);
          return 1;
        }
      g_usleep (200 * G_TIME_SPAN_MILLISECOND);
    }
}
