/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "terminal/pos-demo-data.h"
#include "pos-cli.h"

typedef struct {
  gint64  start_us;
  char   *last_what;
  guint   last_percent;
} Progress;

static void
on_progress (const char *what,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  Progress *p = user_data;
  guint percent = total > 0 ? (guint) (done * 100 / total) : 100;
  double secs = (double) (g_get_monotonic_time () - p->start_us) / G_USEC_PER_SEC;

  if (p->last_what != NULL && g_str_equal (p->last_what, what) && percent == p->last_percent && done != total)
    return;
  if (p->last_what == NULL || !g_str_equal (p->last_what, what))
    {
      g_free (p->last_what);
      p->last_what = g_strdup (what);
    }
  p->last_percent = percent;

  g_autofree char *done_text = g_strdup_printf ("%" G_GUINT64_FORMAT, done);
  g_autofree char *total_text = g_strdup_printf ("%" G_GUINT64_FORMAT, total);

  /* TRANSLATORS: progress on stderr: "products: 120000/1000000 (12%) 8.1 s" */
  g_printerr (_("%s: %s/%s (%u%%) %.1f s\n"), what, done_text, total_text, percent, secs);
}

static gboolean
parse_count (const char  *name,
             const char  *text,
             guint64      max,
             guint64     *out)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, max, out, &error))
    {
      g_autofree char *max_text = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

      g_printerr (_("balcao-ctl demo-data: %s needs a whole number from 0 to %s, not “%s”\n"),
                  name, max_text, text ? text : "");
      return FALSE;
    }
  return TRUE;
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl demo-data [--products N] [--customers N] [--sales N] [--seed S]"));
  fprintf (out, "%s\n", _("Builds a demo store (Mercado Balcão) into an empty database. Defaults: 2000 products, 500 customers, 300 sales, seed 1."));
}

int
pos_cli_cmd_demo_data (int    argc,
                       char **argv)
{
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n_products = 2000, n_customers = 500, n_sales = 300, seed = 1;
  Progress progress = { 0, };
  double secs;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;
      guint64 *target = NULL;
      guint64 max = 100000000;

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          usage (stdout);
          return 0;
        }
      else if (g_str_equal (arg, "--products"))
        target = &n_products;
      else if (g_str_equal (arg, "--customers"))
        target = &n_customers;
      else if (g_str_equal (arg, "--sales"))
        target = &n_sales;
      else if (g_str_equal (arg, "--seed"))
        {
          target = &seed;
          max = G_MAXUINT32;
        }
      else
        {
          g_printerr (_("balcao-ctl demo-data: unknown argument “%s”\n"), arg);
          usage (stderr);
          return 2;
        }

      if (!parse_count (arg, value, max, target))
        return 2;
      i++;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  progress.start_us = g_get_monotonic_time ();
  if (!pos_demo_data_generate (db, n_products, n_customers, n_sales, (guint32) seed,
                               on_progress, &progress, &error))
    {
      g_free (progress.last_what);
      return pos_cli_fail (error);
    }
  g_free (progress.last_what);

  secs = (double) (g_get_monotonic_time () - progress.start_us) / G_USEC_PER_SEC;
  {
    g_autofree char *products = g_strdup_printf ("%" G_GUINT64_FORMAT, n_products);
    g_autofree char *customers = g_strdup_printf ("%" G_GUINT64_FORMAT, n_customers);
    g_autofree char *sales = g_strdup_printf ("%" G_GUINT64_FORMAT, n_sales);
    g_autofree char *seed_text = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);

    printf (_("Demo store “Mercado Balcão” written to %s: %s products, %s customers, %s sales (seed %s) in %.1f s.\n"),
            pos_database_get_path (db), products, customers, sales, seed_text, secs);
  }
  return 0;
}
