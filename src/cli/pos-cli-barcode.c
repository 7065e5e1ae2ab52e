/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "domain/pos-barcode.h"
#include "pos-cli.h"

/* balcao-ctl barcode parse [--no-rules] [--rule PATTERN=weight|price]... CODE
 *
 * Parses CODE as the counter would (with the default Brazilian store rules
 * unless told otherwise) and prints the JSON of pos_barcode_to_json () on
 * stdout: exit 0; or the error JSON on stdout: exit 1. Usage errors: 2.
 * A GS separator can be given as the real character (bash: $'\x1d') or
 * written as the four characters \x1d or <GS>. */

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl barcode parse [--no-rules] [--rule PATTERN=weight|price]... CODE"));
  fprintf (out, "%s\n", _("Prints what a scanned code means, as JSON. GS separators may be written \\x1d or <GS>."));
  fprintf (out, "%s\n", _("Without --rule, the default store rules apply (weight 20-22, price 23-29)."));
}

static char *
unescape_gs (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';)
    {
      if (g_ascii_strncasecmp (p, "\\x1d", 4) == 0)
        {
          g_string_append_c (out, '\x1d');
          p += 4;
        }
      else if (g_ascii_strncasecmp (p, "<GS>", 4) == 0)
        {
          g_string_append_c (out, '\x1d');
          p += 4;
        }
      else
        g_string_append_c (out, *p++);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
add_rule (GArray     *rules,
          const char *spec)
{
  const char *eq = strrchr (spec, '=');
  PosBarcodeRule rule = { NULL, POS_BARCODE_KIND_UNKNOWN };
  g_autoptr(GError) error = NULL;

  if (eq == NULL)
    return FALSE;
  if (g_str_equal (eq + 1, "weight"))
    rule.kind = POS_BARCODE_KIND_WEIGHT;
  else if (g_str_equal (eq + 1, "price"))
    rule.kind = POS_BARCODE_KIND_PRICE;
  else
    return FALSE;

  rule.pattern = g_strndup (spec, eq - spec);
  if (!pos_barcode_rule_check (&rule, &error))
    {
      g_printerr ("balcao-ctl: %s\n", error->message);
      g_free (rule.pattern);
      return FALSE;
    }

  g_array_append_val (rules, rule);
  return TRUE;
}

static void
clear_rule (gpointer data)
{
  PosBarcodeRule *rule = data;

  g_free (rule->pattern);
}

static int
cmd_parse (int    argc,
           char **argv)
{
  g_autoptr(GArray) rules = g_array_new (FALSE, TRUE, sizeof (PosBarcodeRule));
  g_autoptr(PosBarcode) barcode = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *json = NULL;
  const PosBarcodeRule *use_rules;
  guint n_rules;
  gboolean no_rules = FALSE;
  const char *arg = NULL;

  g_array_set_clear_func (rules, clear_rule);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--no-rules"))
        no_rules = TRUE;
      else if (g_str_equal (argv[i], "--rule") && i + 1 < argc)
        {
          if (!add_rule (rules, argv[++i]))
            {
              print_usage (stderr);
              return 2;
            }
        }
      else if (g_str_has_prefix (argv[i], "--rule="))
        {
          if (!add_rule (rules, argv[i] + strlen ("--rule=")))
            {
              print_usage (stderr);
              return 2;
            }
        }
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_usage (stdout);
          return 0;
        }
      else if (g_str_equal (argv[i], "--"))
        {
          if (i + 2 != argc || arg != NULL)
            {
              print_usage (stderr);
              return 2;
            }
          arg = argv[i + 1];
          break;
        }
      else if (argv[i][0] == '-' && argv[i][1] == '-')
        {
          g_printerr (_("balcao-ctl: unknown option %s\n"), argv[i]);
          print_usage (stderr);
          return 2;
        }
      else if (arg == NULL)
        arg = argv[i];
      else
        {
          print_usage (stderr);
          return 2;
        }
    }

  if (arg == NULL)
    {
      print_usage (stderr);
      return 2;
    }

  if (no_rules)
    {
      use_rules = NULL;
      n_rules = 0;
    }
  else if (rules->len > 0)
    {
      use_rules = (const PosBarcodeRule *) (gpointer) rules->data;
      n_rules = rules->len;
    }
  else
    use_rules = pos_barcode_default_rules (&n_rules);

  code = unescape_gs (arg);
  barcode = pos_barcode_parse (code, use_rules, n_rules, &error);
  if (barcode == NULL)
    {
      json = pos_barcode_error_to_json (code, error);
      printf ("%s\n", json);
      return 1;
    }

  json = pos_barcode_to_json (barcode);
  printf ("%s\n", json);
  return 0;
}

int
pos_cli_cmd_barcode (int    argc,
                     char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "parse"))
    return cmd_parse (argc - 1, argv + 1);

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return 0;
    }

  print_usage (stderr);
  return 2;
}
