/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <domain/pos-pin.h>

#include "central-admin.h"
#include "central-catalog.h"
#include "central-cli.h"
#include "central-config.h"
#include "central-migrate.h"
#include "central-order-cli.h"
#include "central-receipts.h"
#include "central-server.h"
#include "central-staff.h"

static const char usage[] =
  "Usage: balcao-central [--config FILE] COMMAND\n"
  "\n"
  "Commands:\n"
  "  serve                                   run the HTTP(S) server\n"
  "  migrate                                 bring the database schema up to date\n"
  "  store add --code C --name N [--id UUID] [--cnpj X] [--city X] [--legal-name X]\n"
  "            [--address X] [--state X] [--postal-code X] [--phone X]\n"
  "  store list\n"
  "  terminal enroll --store CODE [--name NAME]   print a one-time enrolment token (24 h)\n"
  "  terminal revoke TERMINAL_ID_OR_CODE --store CODE\n"
  "  terminal list\n"
  "  catalog import FILE.csv [--store CODE]   import products (stock goes to --store)\n"
  "  channel-key add NAME                    print a new channel API key (shown once)\n"
  "  staff add --store CODE --code C --name N --role cashier|supervisor|manager [--id UUID]\n"
  "            [--badge B] [--no-pin]          the PIN is read from standard input\n"
  "  staff list [--store CODE]\n"
  "  staff set-pin CODE                      the new PIN is read from standard input\n"
  "  staff deactivate CODE\n"
  "  emails list [--store CODE] [--status queued|sent|failed]   receipts asked for by e-mail\n"
  "  order list [--store CODE] [--state STATE]   online orders (tab-separated)\n"
  "  order show NUMBER_OR_ID                 the order as JSON\n"
  "  order status NUMBER_OR_ID --to STATE [--resolution partial|substitute|cancel] [--shelf X]\n"
  "  order post --store CODE [--count N] [--unpaid] [--delivered] [--channel web|app|marketplace]\n"
  "             [--customer-name N] [--customer-phone P] [--lines SKU:QTY,...]\n"
  "                                          post pickup orders (demo); prints NUMBER, CODE, QR text;\n"
  "                                          --delivered: home deliveries, delivered (for returns)\n"
  "  prune [--older-than-days N]             drop old tombstones (default: retention)\n"
  "\n"
  "Configuration: docs/central.md (every key also as BALCAO_CENTRAL_<KEY>).\n";

/* Options "--name value" after the command words; these take no value. */
static const char * const flags[] = { "no-pin", "unpaid", "delivered", NULL };

typedef struct {
  GHashTable *opts;    /* name -> value */
  GPtrArray  *words;   /* positional */
} Args;

static gboolean
parse_args (int         argc,
            char      **argv,
            int         start,
            Args       *args,
            GError    **error)
{
  args->opts = g_hash_table_new (g_str_hash, g_str_equal);
  args->words = g_ptr_array_new ();
  for (int i = start; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--"))
        {
          const char *eq = strchr (argv[i], '=');

          if (eq != NULL)
            {
              char *name = g_strndup (argv[i] + 2, eq - argv[i] - 2);
              g_hash_table_insert (args->opts, (gpointer) g_intern_string (name), (gpointer) (eq + 1));
              g_free (name);
              continue;
            }
          if (g_strv_contains (flags, argv[i] + 2))
            {
              g_hash_table_insert (args->opts, (gpointer) g_intern_string (argv[i] + 2), (gpointer) "");
              continue;
            }
          if (i + 1 >= argc)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s needs a value.", argv[i]);
              return FALSE;
            }
          g_hash_table_insert (args->opts, (gpointer) g_intern_string (argv[i] + 2), argv[i + 1]);
          i++;
        }
      else
        g_ptr_array_add (args->words, argv[i]);
    }
  return TRUE;
}

static gboolean
only_options (Args               *args,
              const char * const *allowed,
              GError            **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, args->opts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_strv_contains (allowed, key))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "Unknown option --%s.", (char *) key);
        return FALSE;
      }
  return TRUE;
}

static const char *
opt (Args       *args,
     const char *name)
{
  return g_hash_table_lookup (args->opts, name);
}

static const char *
word (Args *args,
      guint i)
{
  return i < args->words->len ? g_ptr_array_index (args->words, i) : NULL;
}

/* One line of standard input, without its line end; on a terminal the
 * prompt goes to standard error and what is typed is not echoed. */
static char *
read_secret_line (const char *prompt,
                  GError    **error)
{
  char buf[128];
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved, quiet;
  gboolean echo_off = FALSE;
  char *got;
  gsize len;

  if (tty)
    {
      fputs (prompt, stderr);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          quiet.c_lflag |= ECHONL;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
  got = fgets (buf, sizeof buf, stdin);
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  if (got == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "No PIN on standard input (give --no-pin to add someone without one).");
      return NULL;
    }
  len = strlen (buf);
  if (len == sizeof buf - 1 && buf[len - 1] != '\n')
    {
      explicit_bzero (buf, sizeof buf);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "The PIN is too long.");
      return NULL;
    }
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = '\0';
  got = g_strdup (buf);
  explicit_bzero (buf, sizeof buf);
  return got;
}

static void
free_secret (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

/* Reads a PIN (twice on a terminal), checks it is acceptable and returns
 * its Argon2id hash. */
static char *
read_pin_hash (GError **error)
{
  char *pin = read_secret_line ("PIN: ", error);
  char *hash = NULL;

  if (pin == NULL)
    return NULL;
  if (isatty (STDIN_FILENO))
    {
      char *again = read_secret_line ("PIN again: ", error);

      if (again == NULL)
        {
          free_secret (pin);
          return NULL;
        }
      if (!g_str_equal (pin, again))
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "The two PINs differ; nothing was changed.");
      free_secret (again);
      if (error != NULL && *error != NULL)
        {
          free_secret (pin);
          return NULL;
        }
    }
  if (pos_pin_is_acceptable (pin, error))
    hash = pos_pin_hash (pin, error);
  free_secret (pin);
  return hash;
}

static int
staff_command (CentralConn *conn,
               Args        *args,
               const char  *sub,
               GError     **error)
{
  if (g_strcmp0 (sub, "add") == 0)
    {
      static const char * const allowed[] = { "store", "code", "name", "role", "badge", "no-pin", "id", NULL };
      CentralStaffInfo info = {
        .id = opt (args, "id"),
        .code = opt (args, "code"), .name = opt (args, "name"), .role = opt (args, "role"),
        .badge_code = opt (args, "badge"), .active = TRUE,
      };
      g_autofree char *hash = NULL;
      g_autofree char *id = NULL;
      g_autofree char *store_id = NULL;
      const char *bad;

      if (!only_options (args, allowed, error))
        return 2;
      if (opt (args, "store") == NULL || info.code == NULL || info.name == NULL || info.role == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "staff add needs --store CODE --code C --name N --role cashier|supervisor|manager.");
          return 2;
        }
      if ((bad = central_staff_check (&info)) != NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--%s is wrong: %s", g_str_equal (bad, "badge_code") ? "badge" : bad,
                       g_str_equal (bad, "role") ? "cashier, supervisor or manager."
                       : g_str_equal (bad, "name") ? "1 to 200 characters."
                       : g_str_equal (bad, "code") ? "1 to 32 bytes of text."
                       : "1 to 128 characters.");
          return 2;
        }
      /* A store that does not exist is said before the PIN is asked. */
      store_id = central_store_id_for_code (conn, opt (args, "store"), error);
      if (store_id == NULL)
        return 1;
      if (opt (args, "no-pin") == NULL && (hash = read_pin_hash (error)) == NULL)
        return 1;
      info.pin_hash = hash;
      id = central_staff_add (conn, opt (args, "store"), &info, error);
      if (id == NULL)
        return 1;
      g_print ("%s\n", id);
      return 0;
    }
  if (g_strcmp0 (sub, "list") == 0)
    {
      static const char * const allowed[] = { "store", NULL };
      g_autofree char *list = NULL;

      if (!only_options (args, allowed, error))
        return 2;
      list = central_staff_list (conn, opt (args, "store"), error);
      if (list == NULL)
        return 1;
      g_print ("%s", list);
      return 0;
    }
  if (g_strcmp0 (sub, "set-pin") == 0 || g_strcmp0 (sub, "deactivate") == 0)
    {
      static const char * const allowed[] = { NULL };
      g_autofree char *hash = NULL;
      const char *who = word (args, 2);

      if (!only_options (args, allowed, error))
        return 2;
      if (who == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "staff %s needs the person's code.", sub);
          return 2;
        }
      if (g_str_equal (sub, "deactivate"))
        {
          if (!central_staff_deactivate (conn, who, error))
            return 1;
          g_print ("Staff %s deactivated; terminals get it at their next sync.\n", who);
          return 0;
        }
      if ((hash = read_pin_hash (error)) == NULL || !central_staff_set_pin (conn, who, hash, error))
        return 1;
      g_print ("PIN of staff %s set; terminals get it at their next sync.\n", who);
      return 0;
    }
  fputs (usage, stderr);
  return 2;
}

static int
run_command (const CentralConfig *config,
             Args                *args,
             GError             **error)
{
  const char *cmd = word (args, 0);
  const char *sub = word (args, 1);
  CentralConn *conn = NULL;
  int status = 1;

  if (cmd == NULL)
    {
      fputs (usage, stderr);
      return 2;
    }

  if (g_str_equal (cmd, "serve"))
    {
      static const char * const allowed[] = { NULL };

      if (!only_options (args, allowed, error))
        return 2;
      return central_server_run (config, error) ? 0 : 1;
    }

  conn = central_conn_open (config->conninfo, error);
  if (conn == NULL)
    return 1;

  if (g_str_equal (cmd, "migrate"))
    {
      int n = central_migrate (conn, error);

      if (n >= 0 && central_catalog_seed_rules (conn, error))
        {
          g_print ("%d migration%s applied; the schema is up to date.\n", n, n == 1 ? "" : "s");
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "store") && g_strcmp0 (sub, "add") == 0)
    {
      static const char * const allowed[] = {
        "code", "name", "id", "cnpj", "city", "legal-name", "address", "state", "postal-code", "phone",
        "currency", "timezone", NULL,
      };
      CentralStoreInfo info = {
        .code = opt (args, "code"), .name = opt (args, "name"), .id = opt (args, "id"),
        .legal_name = opt (args, "legal-name"), .cnpj = opt (args, "cnpj"), .address = opt (args, "address"),
        .city = opt (args, "city"), .state = opt (args, "state"), .postal_code = opt (args, "postal-code"),
        .phone = opt (args, "phone"), .currency = opt (args, "currency"), .timezone = opt (args, "timezone"),
      };
      g_autofree char *id = NULL;

      if (only_options (args, allowed, error) && (id = central_store_add (conn, &info, error)) != NULL)
        {
          g_print ("%s\n", id);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "store") && g_strcmp0 (sub, "list") == 0)
    {
      g_autofree char *list = central_store_list (conn, error);

      if (list != NULL)
        {
          g_print ("%s", list);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "terminal") && g_strcmp0 (sub, "enroll") == 0)
    {
      static const char * const allowed[] = { "store", "name", NULL };
      g_autofree char *token = NULL;

      if (!only_options (args, allowed, error))
        ;
      else if (opt (args, "store") == NULL)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "terminal enroll needs --store CODE.");
      else if ((token = central_enrolment_token_new (conn, opt (args, "store"), opt (args, "name"), error)) != NULL)
        {
          g_print ("%s\n", token);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "terminal") && g_strcmp0 (sub, "revoke") == 0)
    {
      static const char * const allowed[] = { "store", NULL };

      if (!only_options (args, allowed, error))
        ;
      else if (word (args, 2) == NULL || opt (args, "store") == NULL)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "terminal revoke needs the terminal's id or code and --store CODE.");
      else if (central_terminal_revoke (conn, word (args, 2), opt (args, "store"), error))
        {
          g_print ("Terminal %s of store %s revoked; its token no longer works.\n", word (args, 2),
                   opt (args, "store"));
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "terminal") && g_strcmp0 (sub, "list") == 0)
    {
      g_autofree char *list = central_terminal_list (conn, error);

      if (list != NULL)
        {
          g_print ("%s", list);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "catalog") && g_strcmp0 (sub, "import") == 0)
    {
      static const char * const allowed[] = { "store", NULL };
      CentralImportReport report = { 0, };

      if (!only_options (args, allowed, error))
        ;
      else if (word (args, 2) == NULL)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "catalog import needs a CSV file.");
      else if (central_catalog_import (conn, word (args, 2), opt (args, "store"), &report, error))
        {
          g_print ("%u rows: %u new, %u changed, %u unchanged; %u stock levels set.\n", report.n_rows,
                   report.n_inserted, report.n_updated, report.n_unchanged, report.n_stock);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "channel-key") && g_strcmp0 (sub, "add") == 0)
    {
      g_autofree char *key = NULL;

      if (word (args, 2) == NULL)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "channel-key add needs a NAME.");
      else if ((key = central_channel_key_add (conn, word (args, 2), error)) != NULL)
        {
          g_print ("%s\n", key);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "staff"))
    status = staff_command (conn, args, sub, error);
  else if (g_str_equal (cmd, "order"))
    status = central_order_command (conn, args->opts, args->words, error);
  else if (g_str_equal (cmd, "emails") && g_strcmp0 (sub, "list") == 0)
    {
      static const char * const allowed[] = { "store", "status", NULL };
      g_autofree char *list = NULL;

      if (only_options (args, allowed, error) &&
          (list = central_receipts_list_emails (conn, opt (args, "store"), opt (args, "status"), error)) != NULL)
        {
          g_print ("%s", list);
          status = 0;
        }
    }
  else if (g_str_equal (cmd, "prune"))
    {
      static const char * const allowed[] = { "older-than-days", NULL };
      const char *days_text = opt (args, "older-than-days");
      guint64 days = config->tombstone_retention_days;
      gint64 n;

      if (!only_options (args, allowed, error))
        ;
      else if (days_text != NULL && !g_ascii_string_to_unsigned (days_text, 10, 0, 36500, &days, NULL))
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--older-than-days must be a whole number of days.");
      else if ((n = central_prune (conn, (guint) days, error)) >= 0)
        {
          g_print ("%" G_GINT64_FORMAT " tombstone%s pruned.\n", n, n == 1 ? "" : "s");
          status = 0;
        }
    }
  else
    {
      fputs (usage, stderr);
      status = 2;
    }

  central_conn_close (conn);
  return status;
}

int
central_cli_run (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CentralConfig) config = NULL;
  const char *config_path = NULL;
  Args args = { NULL, NULL };
  int start = 1;
  int status;

  setlocale (LC_ALL, "");

  if (argc > 1 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      fputs (usage, stdout);
      return 0;
    }
  if (argc > 2 && g_str_equal (argv[1], "--config"))
    {
      config_path = argv[2];
      start = 3;
    }
  else if (argc > 1 && g_str_has_prefix (argv[1], "--config="))
    {
      config_path = argv[1] + strlen ("--config=");
      start = 2;
    }
  if (config_path == NULL)
    config_path = g_getenv ("BALCAO_CENTRAL_CONFIG");

  config = central_config_load (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("balcao-central: %s\n", error->message);
      return 1;
    }
  if (!parse_args (argc, argv, start, &args, &error))
    status = 2;
  else
    status = run_command (config, &args, &error);
  if (status != 0 && error != NULL)
    g_printerr ("balcao-central: %s\n", error->message);
  g_clear_pointer (&args.opts, g_hash_table_unref);
  if (args.words != NULL)
    g_ptr_array_unref (args.words);
  return status;
}
