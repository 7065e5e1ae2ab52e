/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "domain/pos-money.h"
#include "terminal/pos-shifts.h"
#include "pos-cli.h"

/* balcao-ctl shift status [--json]
 *                  open [--float AMOUNT]
 *                  cash-in AMOUNT REASON... | cash-out AMOUNT REASON...
 *                  no-sale REASON...
 *                  report [SHIFT] [--json] [--columns N]
 *                  close --counted AMOUNT [--json] [--columns N]
 * each with [--as CODE] (that person's PIN on the standard input).
 *
 * Everything is done as that person, or else as the one signed in at the
 * counter (setting 'staff_id'); the engine checks their permissions as it
 * would at the counter. Amounts are typed as at the counter ("150,00"),
 * in the store's currency. */

#define DEFAULT_COLUMNS 42

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl shift status [--json]\n"
                        "       balcao-ctl shift open [--float AMOUNT]\n"
                        "       balcao-ctl shift cash-in AMOUNT REASON\n"
                        "       balcao-ctl shift cash-out AMOUNT REASON\n"
                        "       balcao-ctl shift no-sale REASON\n"
                        "       balcao-ctl shift report [SHIFT] [--json] [--columns N]\n"
                        "       balcao-ctl shift close --counted AMOUNT [--json] [--columns N]\n"
                        "Each acts as the person signed in at the counter, or with --as CODE as that\n"
                        "person (their PIN on the standard input)."));
  return 2;
}

static char *
currency_of (PosDatabase *db)
{
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);

  return g_strdup (info != NULL && info->currency != NULL ? info->currency : "BRL");
}

/* As a person types it at the counter, in the store's currency and the
 * user's locale (or the currency's own when the locale says nothing). */
static gboolean
parse_amount (PosDatabase *db,
              const char  *what,
              const char  *text,
              gint64      *out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *currency = currency_of (db);

  if (!pos_money_parse (text, currency, NULL, out, &error))
    {
      g_printerr (_("balcao-ctl: %s: %s\n"), what, error->message);
      return FALSE;
    }
  return TRUE;
}

static char *
join_args (int    argc,
           char **argv)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) words = NULL;

  for (int i = 0; i < argc; i++)
    g_strv_builder_add (b, argv[i]);
  words = g_strv_builder_end (b);
  return g_strjoinv (" ", words);
}

static void
print_report (const PosShiftReport *report,
              gboolean              json,
              guint                 columns)
{
  g_autofree char *text = json ? pos_shift_report_to_json (report) : pos_shift_report_to_text (report, columns);

  if (json)
    {
      g_autoptr(JsonNode) node = json_from_string (text, NULL);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *pretty = NULL;

      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, node);
      pretty = json_generator_to_data (gen, NULL);
      printf ("%s\n", pretty);
    }
  else
    fputs (text, stdout);
}

static gboolean
parse_columns (const char *text,
               guint      *out)
{
  g_autoptr(GError) error = NULL;
  guint64 n;

  if (!g_ascii_string_to_unsigned (text, 10, 32, 80, &n, &error))
    {
      g_printerr (_("balcao-ctl: --columns: %s\n"), error->message);
      return FALSE;
    }
  *out = (guint) n;
  return TRUE;
}

static int
cmd_status (PosDatabase *db,
            int          argc,
            char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) r = NULL;
  g_autofree char *id = NULL;
  g_autofree char *opened = NULL;
  gboolean json = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else
        return usage ();
    }

  id = pos_shifts_get_open_id (db, &error);
  if (id == NULL && error != NULL)
    return pos_cli_fail (error);
  if (id == NULL)
    {
      if (json)
        printf ("{\n  \"open\" : false\n}\n");
      else
        printf ("%s\n", _("No shift is open at this terminal."));
      return 0;
    }

  r = pos_shifts_report (db, id, &error);
  if (r == NULL)
    return pos_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "open");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, r->shift_id);
      json_builder_set_member_name (b, "number");
      json_builder_add_int_value (b, r->number);
      json_builder_set_member_name (b, "opened_at");
      json_builder_add_int_value (b, r->opened_at);
      json_builder_set_member_name (b, "opened_by");
      json_builder_add_string_value (b, r->opened_by);
      json_builder_set_member_name (b, "n_sales");
      json_builder_add_int_value (b, r->n_sales);
      json_builder_set_member_name (b, "n_returns");
      json_builder_add_int_value (b, r->n_returns);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, node);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
      return 0;
    }

  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (r->opened_at / 1000);

    opened = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("?");
  }
  /* Translators: "Shift 3 is open since 2025-11-23 08:00 (Maria Oliveira, Caixa 1): 12 sales, 1 returns." */
  printf (_("Shift %u is open since %s (%s, %s): %u sales, %u returns.\n"), r->number, opened,
          r->opened_by != NULL ? r->opened_by : "?", r->terminal_name != NULL ? r->terminal_name : "?",
          r->n_sales, r->n_returns);
  return 0;
}

static int
cmd_open (PosDatabase *db,
          int          argc,
          char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) r = NULL;
  g_autofree char *id = NULL;
  gint64 amount = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--float") && i + 1 < argc)
        {
          if (!parse_amount (db, "--float", argv[++i], &amount))
            return 2;
        }
      else
        return usage ();
    }

  id = pos_shifts_open (db, NULL, 0, amount, &error);
  if (id == NULL)
    return pos_cli_fail (error);
  r = pos_shifts_report (db, id, &error);
  if (r == NULL)
    return pos_cli_fail (error);
  {
    g_autofree char *f = pos_money_format (r->opening_float, r->currency, NULL);

    /* Translators: "Shift 3 opened with a float of R$ 150,00." */
    printf (_("Shift %u opened with a float of %s.\n"), r->number, f);
  }
  return 0;
}

static int
cmd_cash_move (PosDatabase *db,
               int          argc,
               char       **argv,
               gboolean     in)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  gint64 amount;

  if (argc < 3 || argv[1][0] == '-')
    return usage ();
  if (!parse_amount (db, argv[0], argv[1], &amount))
    return 2;
  if (amount <= 0)
    {
      g_printerr (_("balcao-ctl: %s: type an amount above zero.\n"), argv[0]);
      return 2;
    }
  reason = join_args (argc - 2, argv + 2);

  if (!pos_shifts_cash_move (db, in ? amount : -amount, reason, NULL, &error))
    return pos_cli_fail (error);
  {
    g_autofree char *currency = currency_of (db);
    g_autofree char *a = pos_money_format (amount, currency, NULL);

    printf (in ? _("%s put into the drawer.\n") : _("%s taken out of the drawer.\n"), a);
  }
  return 0;
}

static int
cmd_no_sale (PosDatabase *db,
             int          argc,
             char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  if (argc < 2)
    return usage ();
  reason = join_args (argc - 1, argv + 1);
  if (!pos_shifts_record_no_sale (db, reason, NULL, &error))
    return pos_cli_fail (error);
  printf ("%s\n", _("Drawer opening recorded."));
  return 0;
}

static int
cmd_report (PosDatabase *db,
            int          argc,
            char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) r = NULL;
  const char *key = NULL;
  gboolean json = FALSE;
  guint columns = DEFAULT_COLUMNS;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--columns") && i + 1 < argc)
        {
          if (!parse_columns (argv[++i], &columns))
            return 2;
        }
      else if (key == NULL && argv[i][0] != '-')
        key = argv[i];
      else
        return usage ();
    }

  r = pos_shifts_report (db, key, &error);
  if (r == NULL)
    return pos_cli_fail (error);
  print_report (r, json, columns);
  return 0;
}

static int
cmd_close (PosDatabase *db,
           int          argc,
           char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) z = NULL;
  gboolean json = FALSE;
  gboolean have_count = FALSE;
  guint columns = DEFAULT_COLUMNS;
  gint64 counted = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--counted") && i + 1 < argc)
        {
          if (!parse_amount (db, "--counted", argv[++i], &counted))
            return 2;
          have_count = TRUE;
        }
      else if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--columns") && i + 1 < argc)
        {
          if (!parse_columns (argv[++i], &columns))
            return 2;
        }
      else
        return usage ();
    }
  if (!have_count)
    {
      g_printerr ("%s\n", _("balcao-ctl: count the cash in the drawer first and give it with --counted AMOUNT."));
      return 2;
    }

  z = pos_shifts_close (db, NULL, 0, counted, NULL, NULL, &error);
  if (z == NULL)
    return pos_cli_fail (error);
  print_report (z, json, columns);
  return 0;
}

int
pos_cli_cmd_shift (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  static const char * const verbs[] = { "status", "open", "cash-in", "cash-out", "no-sale", "report", "close" };
  const char *as = NULL;
  gboolean known = FALSE;

  if (argc < 2)
    return usage ();
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    known = known || g_str_equal (argv[1], verbs[i]);
  if (!known)
    return usage ();

  /* --as CODE may come anywhere after the verb. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--as") && i + 1 < argc && as == NULL)
        as = argv[++i];
      else if (g_str_equal (argv[i], "--as"))
        return usage ();
      else
        g_ptr_array_add (args, argv[i]);
    }
  g_ptr_array_add (args, NULL);

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);

  argc = (int) args->len - 1;
  argv = (char **) args->pdata;
  if (g_str_equal (argv[0], "status"))
    return cmd_status (db, argc, argv);
  if (g_str_equal (argv[0], "open"))
    return cmd_open (db, argc, argv);
  if (g_str_equal (argv[0], "cash-in"))
    return cmd_cash_move (db, argc, argv, TRUE);
  if (g_str_equal (argv[0], "cash-out"))
    return cmd_cash_move (db, argc, argv, FALSE);
  if (g_str_equal (argv[0], "no-sale"))
    return cmd_no_sale (db, argc, argv);
  if (g_str_equal (argv[0], "report"))
    return cmd_report (db, argc, argv);
  return cmd_close (db, argc, argv);
}
