/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "domain/pos-money.h"
#include "pos-format.h"

/* A Brazilian store keeps Brazilian money and weights whatever the
 * session's locale; other currencies follow the session (the domain falls
 * back to the currency's own country when the session is C). */
const char *
pos_format_locale_for (const char *currency)
{
  return g_strcmp0 (currency, "BRL") == 0 ? "pt_BR" : NULL;
}

static char
decimal_separator (const char *currency)
{
  const char *locale = pos_format_locale_for (currency);

  if (locale != NULL)
    return g_str_has_prefix (locale, "pt") ? ',' : '.';

  return localeconv ()->decimal_point[0] != '\0' ? localeconv ()->decimal_point[0] : '.';
}

char *
pos_format_money (gint64      minor,
                  const char *currency)
{
  if (currency == NULL)
    currency = "BRL";
  return pos_money_format (minor, currency, pos_format_locale_for (currency));
}

gboolean
pos_format_parse_money (const char  *text,
                        const char  *currency,
                        gint64      *out_minor,
                        GError     **error)
{
  if (currency == NULL)
    currency = "BRL";
  return pos_money_parse (text, currency, pos_format_locale_for (currency), out_minor, error);
}

char *
pos_format_quantity (gint64      quantity,
                     gboolean    weighed,
                     const char *currency)
{
  char sep = decimal_separator (currency);
  gint64 whole = quantity / 1000;
  gint64 frac = ABS (quantity % 1000);

  if (weighed)
    return g_strdup_printf ("%s%" G_GINT64_FORMAT "%c%03" G_GINT64_FORMAT " kg",
                            quantity < 0 && whole == 0 ? "-" : "", whole, sep, frac);

  if (frac == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, whole);

  {
    char buf[8];
    gsize n;

    g_snprintf (buf, sizeof buf, "%03" G_GINT64_FORMAT, frac);
    n = strlen (buf);
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    return g_strdup_printf ("%s%" G_GINT64_FORMAT "%c%s",
                            quantity < 0 && whole == 0 ? "-" : "", whole, sep, buf);
  }
}

gboolean
pos_format_parse_quantity (const char *text,
                           const char *currency,
                           gint64     *out_quantity)
{
  g_autofree char *s = NULL;
  gint64 whole = 0, frac = 0;
  int n_frac = -1;
  gboolean any = FALSE;

  if (text == NULL)
    return FALSE;
  s = g_strstrip (g_strdup (text));
  if (g_str_has_suffix (s, "kg"))
    {
      s[strlen (s) - 2] = '\0';
      g_strchomp (s);
    }

  for (const char *p = s; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          any = TRUE;
          if (n_frac < 0)
            {
              whole = whole * 10 + (*p - '0');
              if (whole > 99999)
                return FALSE;
            }
          else
            {
              if (++n_frac > 3)
                return FALSE;
              frac = frac * 10 + (*p - '0');
            }
        }
      else if ((*p == ',' || *p == '.') && n_frac < 0)
        n_frac = 0;
      else
        return FALSE;
    }

  if (!any)
    return FALSE;
  for (int i = MAX (n_frac, 0); i < 3; i++)
    frac *= 10;

  *out_quantity = whole * 1000 + frac;
  return *out_quantity > 0;
}

gboolean
pos_format_parse_percent (const char *text,
                          gint64     *out_bp)
{
  g_autofree char *s = NULL;
  gint64 q;

  if (text == NULL)
    return FALSE;
  s = g_strstrip (g_strdup (text));
  if (g_str_has_suffix (s, "%"))
    {
      s[strlen (s) - 1] = '\0';
      g_strchomp (s);
    }
  /* the quantity parser reads up to 3 decimals in thousandths */
  if (!pos_format_parse_quantity (s, NULL, &q) || q % 10 != 0)
    return FALSE;
  *out_bp = q / 10;
  return *out_bp > 0 && *out_bp <= 10000;
}
