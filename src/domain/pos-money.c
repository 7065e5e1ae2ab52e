/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "pos-money.h"

G_DEFINE_QUARK (pos-money-error-quark, pos_money_error)

/* ------------------------------------------------------------------ */
/* Currencies */

typedef struct {
  const char *code;
  int         exponent;
  const char *symbol;       /* narrow, used at home or when unambiguous */
  const char *intl_symbol;  /* used abroad when the narrow one is shared */
  gint64      cash_increment;
} PosCurrency;

static const PosCurrency currencies[] = {
  { "BRL", 2, "R$",   "R$",   1 },
  { "USD", 2, "$",    "US$",  1 },
  { "EUR", 2, "€",    "€",    1 },
  { "GBP", 2, "£",    "£",    1 },
  { "JPY", 0, "¥",    "JP¥",  1 },
  { "CNY", 2, "¥",    "CN¥",  1 },
  { "KRW", 0, "₩",    "₩",    1 },
  { "INR", 2, "₹",    "₹",    1 },
  { "CHF", 2, "CHF",  "CHF",  5 },
  { "CAD", 2, "$",    "CA$",  5 },
  { "AUD", 2, "$",    "AU$",  5 },
  { "NZD", 2, "$",    "NZ$",  10 },
  { "SEK", 2, "kr",   "SEK",  100 },
  { "NOK", 2, "kr",   "NOK",  100 },
  { "DKK", 2, "kr.",  "DKK",  50 },
  { "ISK", 0, "kr",   "ISK",  1 },
  { "HUF", 2, "Ft",   "HUF",  500 },
  { "CZK", 2, "Kč",   "CZK",  100 },
  { "PLN", 2, "zł",   "PLN",  1 },
  { "MXN", 2, "$",    "MX$",  1 },
  { "ARS", 2, "$",    "AR$",  1 },
  { "CLP", 0, "$",    "CLP$", 1 },
  { "COP", 2, "$",    "COL$", 1 },
  { "UYU", 2, "$",    "$U",   1 },
  { "PYG", 0, "₲",    "₲",    1 },
  { "PEN", 2, "S/",   "S/",   1 },
  { "BOB", 2, "Bs",   "Bs",   1 },
  { "KWD", 3, "KD",   "KWD",  1 },
  { "BHD", 3, "BD",   "BHD",  1 },
  { "OMR", 3, "OMR",  "OMR",  1 },
  { "JOD", 3, "JD",   "JOD",  1 },
  { "TND", 3, "DT",   "TND",  1 },
  { "LYD", 3, "LD",   "LYD",  1 },
  { "IQD", 3, "IQD",  "IQD",  1 },
  { "VND", 0, "₫",    "₫",    1 },
  { "ZAR", 2, "R",    "ZAR",  10 },
};

static const PosCurrency *
find_currency (const char *code)
{
  if (code == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_ascii_strcasecmp (currencies[i].code, code) == 0)
      return &currencies[i];

  return NULL;
}

int
pos_money_currency_exponent (const char *currency)
{
  const PosCurrency *c = find_currency (currency);

  return c != NULL ? c->exponent : -1;
}

gint64
pos_money_largest_note (const char *currency)
{
  /* The largest banknote in everyday use, in minor units. */
  static const struct { const char *code; gint64 note; } notes[] = {
    { "BRL", 20000 },  /* R$ 200 */
    { "USD", 10000 },  /* $100 */
    { "EUR", 20000 },  /* €200 (the €500 is no longer issued) */
    { "ARS", 2000000 },
    { "CLP", 20000 },
    { "MXN", 100000 },
    { "GBP", 5000 },
  };

  if (currency != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
      if (g_ascii_strcasecmp (notes[i].code, currency) == 0)
        return notes[i].note;
  return 0;
}

gint64
pos_money_cash_increment (const char *currency)
{
  const PosCurrency *c = find_currency (currency);

  return c != NULL ? c->cash_increment : 1;
}

/* ------------------------------------------------------------------ */
/* Locale conventions: a small table so that we never depend on the
 * system having the locale installed. The first entry of a language is
 * its fallback ("pt" -> pt_BR). */

typedef struct {
  const char *name;
  const char *decimal;
  const char *group;
  gboolean    symbol_first;
  gboolean    symbol_space;
  const char *currency;     /* the locale's own currency */
} PosLocaleConv;

static const PosLocaleConv locales[] = {
  { "en_US", ".", ",",  TRUE,  FALSE, "USD" },
  { "en_GB", ".", ",",  TRUE,  FALSE, "GBP" },
  { "en_CA", ".", ",",  TRUE,  FALSE, "CAD" },
  { "en_AU", ".", ",",  TRUE,  FALSE, "AUD" },
  { "en_NZ", ".", ",",  TRUE,  FALSE, "NZD" },
  { "en_IE", ".", ",",  TRUE,  FALSE, "EUR" },
  { "en_IN", ".", ",",  TRUE,  FALSE, "INR" },
  { "pt_BR", ",", ".",  TRUE,  TRUE,  "BRL" },
  { "pt_PT", ",", " ",  FALSE, TRUE,  "EUR" },
  { "es_ES", ",", ".",  FALSE, TRUE,  "EUR" },
  { "es_AR", ",", ".",  TRUE,  TRUE,  "ARS" },
  { "es_CL", ",", ".",  TRUE,  FALSE, "CLP" },
  { "es_CO", ",", ".",  TRUE,  TRUE,  "COP" },
  { "es_UY", ",", ".",  TRUE,  TRUE,  "UYU" },
  { "es_PY", ",", ".",  TRUE,  TRUE,  "PYG" },
  { "es_PE", ".", ",",  TRUE,  TRUE,  "PEN" },
  { "es_MX", ".", ",",  TRUE,  FALSE, "MXN" },
  { "es_US", ".", ",",  TRUE,  FALSE, "USD" },
  { "fr_FR", ",", " ",  FALSE, TRUE,  "EUR" },
  { "fr_CA", ",", " ",  FALSE, TRUE,  "CAD" },
  { "fr_CH", ".", "'",  TRUE,  TRUE,  "CHF" },
  { "de_DE", ",", ".",  FALSE, TRUE,  "EUR" },
  { "de_AT", ",", ".",  TRUE,  TRUE,  "EUR" },
  { "de_CH", ".", "'",  TRUE,  TRUE,  "CHF" },
  { "it_IT", ",", ".",  FALSE, TRUE,  "EUR" },
  { "it_CH", ".", "'",  TRUE,  TRUE,  "CHF" },
  { "nl_NL", ",", ".",  TRUE,  TRUE,  "EUR" },
  { "ja_JP", ".", ",",  TRUE,  FALSE, "JPY" },
  { "zh_CN", ".", ",",  TRUE,  FALSE, "CNY" },
  { "ko_KR", ".", ",",  TRUE,  FALSE, "KRW" },
  { "sv_SE", ",", " ",  FALSE, TRUE,  "SEK" },
  { "nb_NO", ",", " ",  TRUE,  TRUE,  "NOK" },
  { "da_DK", ",", ".",  FALSE, TRUE,  "DKK" },
  { "pl_PL", ",", " ",  FALSE, TRUE,  "PLN" },
  { "ar_KW", ".", ",",  TRUE,  TRUE,  "KWD" },
  { "ar_BH", ".", ",",  TRUE,  TRUE,  "BHD" },
};

/* The C locale has no money conventions: show a currency the way its own
 * country does (BRL as in pt_BR) rather than in en_US. */
static const char *
home_locale_of (const char *currency)
{
  if (currency != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
      if (g_str_equal (locales[i].currency, currency))
        return locales[i].name;
  return NULL;
}

static const PosLocaleConv *
find_locale (const char *locale,
             const char *currency)
{
  g_autofree char *name = NULL;
  char *p;

  if (locale == NULL || *locale == '\0')
    {
      locale = setlocale (LC_MONETARY, NULL);
      if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX") ||
          g_str_has_prefix (locale, "C."))
        locale = home_locale_of (currency);
    }
  if (locale == NULL || *locale == '\0')
    return &locales[0];

  /* "pt_BR.UTF-8@euro" -> "pt_BR"; "pt-BR" -> "pt_BR" */
  name = g_strdup (locale);
  if ((p = strpbrk (name, ".@")) != NULL)
    *p = '\0';
  g_strdelimit (name, "-", '_');

  for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
    if (g_ascii_strcasecmp (locales[i].name, name) == 0)
      return &locales[i];

  /* By language */
  if ((p = strchr (name, '_')) != NULL)
    *p = '\0';
  if (strlen (name) >= 2)
    for (guint i = 0; i < G_N_ELEMENTS (locales); i++)
      if (g_ascii_strncasecmp (locales[i].name, name, strlen (name)) == 0 &&
          locales[i].name[strlen (name)] == '_')
        return &locales[i];

  return &locales[0];
}

static const char *
symbol_for (const PosCurrency *c, const char *currency, const PosLocaleConv *conv)
{
  if (c == NULL)
    return currency;
  if (g_str_equal (c->code, conv->currency))
    return c->symbol;
  return c->intl_symbol;
}

/* ------------------------------------------------------------------ */
/* Formatting */

static const guint64 pow10_table[] = {
  1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
};

static char *
format_number (guint64 magnitude, int exponent, const PosLocaleConv *conv)
{
  GString *out = g_string_new (NULL);
  char digits[32];
  guint64 unit, frac;
  size_t len;

  if (exponent < 0 || exponent >= (int) G_N_ELEMENTS (pow10_table))
    exponent = 2;

  unit = magnitude / pow10_table[exponent];
  frac = magnitude % pow10_table[exponent];

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, unit);
  len = strlen (digits);
  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, conv->group);
      g_string_append_c (out, digits[i]);
    }

  if (exponent > 0)
    {
      g_string_append (out, conv->decimal);
      g_string_append_printf (out, "%0*" G_GUINT64_FORMAT, exponent, frac);
    }

  return g_string_free (out, FALSE);
}

static guint64
magnitude_of (gint64 minor)
{
  return minor < 0 ? (guint64) (-(minor + 1)) + 1 : (guint64) minor;
}

char *
pos_money_format_plain (gint64      minor,
                        const char *currency,
                        const char *locale)
{
  const PosLocaleConv *conv = find_locale (locale, currency);
  g_autofree char *number = format_number (magnitude_of (minor),
                                           pos_money_currency_exponent (currency),
                                           conv);

  return g_strconcat (minor < 0 ? "-" : "", number, NULL);
}

char *
pos_money_format (gint64      minor,
                  const char *currency,
                  const char *locale)
{
  const PosLocaleConv *conv = find_locale (locale, currency);
  const PosCurrency *c = find_currency (currency);
  const char *symbol = symbol_for (c, currency != NULL ? currency : "", conv);
  g_autofree char *number = format_number (magnitude_of (minor),
                                           c != NULL ? c->exponent : 2,
                                           conv);
  const char *sign = minor < 0 ? "-" : "";
  const char *space;

  if (*symbol == '\0')
    return g_strconcat (sign, number, NULL);

  /* "CHF 12.00", "KWD 1.500" even where "$12.00" has no space. */
  if (conv->symbol_space ||
      (conv->symbol_first && g_ascii_isalpha (symbol[strlen (symbol) - 1])) ||
      (!conv->symbol_first && g_ascii_isalpha (symbol[0])))
    space = " ";
  else
    space = "";

  if (conv->symbol_first)
    return g_strconcat (sign, symbol, space, number, NULL);
  return g_strconcat (sign, number, space, symbol, NULL);
}

/* ------------------------------------------------------------------ */
/* Parsing */

static gboolean
is_space_at (const char *p, gsize *len)
{
  gunichar c = g_utf8_get_char (p);

  if (c == ' ' || c == '\t' || c == 0x00A0 || c == 0x202F || c == 0x2009)
    {
      *len = g_utf8_next_char (p) - p;
      return TRUE;
    }
  return FALSE;
}

static char *
normalize_spaces (const char *text)
{
  GString *s = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gsize len;
      gunichar c = g_utf8_get_char (p);

      if (is_space_at (p, &len))
        {
          g_string_append_c (s, ' ');
          p += len;
          continue;
        }
      if (c == 0x2212) /* MINUS SIGN */
        g_string_append_c (s, '-');
      else
        g_string_append_len (s, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }

  return g_strstrip (g_string_free (s, FALSE));
}

/* Removes sym from the start or the end of s (in place). */
static gboolean
strip_affix (char *s, const char *sym)
{
  size_t slen = strlen (s), ylen = strlen (sym);

  if (ylen == 0 || ylen > slen)
    return FALSE;
  if (g_ascii_strncasecmp (s, sym, ylen) == 0)
    {
      memmove (s, s + ylen, slen - ylen + 1);
      return TRUE;
    }
  if (g_ascii_strcasecmp (s + slen - ylen, sym) == 0)
    {
      s[slen - ylen] = '\0';
      return TRUE;
    }
  return FALSE;
}

static gboolean
set_invalid (const char *text, const char *currency, const PosLocaleConv *conv, GError **error)
{
  g_autofree char *example = NULL;
  const PosCurrency *c = find_currency (currency);

  int exponent = c != NULL ? c->exponent : 2;

  example = format_number (exponent >= 2 ? 1250 * pow10_table[exponent - 2] : 1250,
                           exponent, conv);
  g_set_error (error, POS_MONEY_ERROR, POS_MONEY_ERROR_INVALID,
               _("“%s” is not an amount. Type it like %s."), text, example);
  return FALSE;
}

gboolean
pos_money_parse (const char *text,
                 const char *currency,
                 const char *locale,
                 gint64     *out_minor,
                 GError    **error)
{
  const PosLocaleConv *conv = find_locale (locale, currency);
  const PosCurrency *c = find_currency (currency);
  g_autofree char *s = NULL;
  gboolean negative = FALSE;
  const char *p;
  const char *dec;
  guint64 units = 0;
  guint64 frac = 0;
  int n_frac = 0;
  guint64 limit;
  guint64 magnitude;
  gboolean any_digit = FALSE;
  gboolean group_space;

  g_return_val_if_fail (out_minor != NULL, FALSE);

  if (c == NULL)
    {
      g_set_error (error, POS_MONEY_ERROR, POS_MONEY_ERROR_CURRENCY,
                   _("Unknown currency “%s”. Check the store's currency in the settings."),
                   currency != NULL ? currency : "");
      return FALSE;
    }

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return set_invalid ("", currency, conv, error);

  s = normalize_spaces (text);
  if (*s == '\0')
    {
      g_set_error (error, POS_MONEY_ERROR, POS_MONEY_ERROR_INVALID,
                   _("Type an amount."));
      return FALSE;
    }

  /* Sign, symbol, sign again: "-R$ 12,00", "R$ -12,00", "12,00 €", "-12 €" */
  for (int round = 0; round < 2; round++)
    {
      g_strstrip (s);
      if (s[0] == '-' || s[0] == '+')
        {
          if (negative || (round == 1 && s[0] == '+'))
            return set_invalid (text, currency, conv, error);
          negative = s[0] == '-';
          memmove (s, s + 1, strlen (s));
          g_strstrip (s);
        }
      if (round == 0)
        {
          if (!strip_affix (s, c->intl_symbol) &&
              !strip_affix (s, c->code))
            strip_affix (s, c->symbol);
        }
    }
  g_strstrip (s);

  group_space = g_str_equal (conv->group, " ");

  /* The decimal separator: at most one. */
  dec = strstr (s, conv->decimal);
  if (dec != NULL && strstr (dec + 1, conv->decimal) != NULL)
    return set_invalid (text, currency, conv, error);

  limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;

  /* Integer part with optional grouping: first group 1-3 digits, then
   * groups of exactly 3. */
  {
    int group_len = 0;
    gboolean grouped = FALSE;
    const char *end = dec != NULL ? dec : s + strlen (s);
    size_t glen = strlen (conv->group);

    for (p = s; p < end;)
      {
        if (g_ascii_isdigit (*p))
          {
            guint d = (guint) (*p - '0');

            if (units > (G_MAXUINT64 - d) / 10)
              goto overflow;
            units = units * 10 + d;
            group_len++;
            any_digit = TRUE;
            if (grouped && group_len > 3)
              return set_invalid (text, currency, conv, error);
            p++;
          }
        else if ((strncmp (p, conv->group, glen) == 0) ||
                 (group_space && *p == ' '))
          {
            if (group_len == 0 || (!grouped && group_len > 3) || (grouped && group_len != 3))
              return set_invalid (text, currency, conv, error);
            grouped = TRUE;
            group_len = 0;
            p += group_space ? 1 : glen;
          }
        else
          return set_invalid (text, currency, conv, error);
      }
    if (grouped && group_len != 3)
      return set_invalid (text, currency, conv, error);
  }

  if (dec != NULL)
    {
      for (p = dec + strlen (conv->decimal); *p != '\0'; p++)
        {
          if (!g_ascii_isdigit (*p))
            return set_invalid (text, currency, conv, error);
          any_digit = TRUE;
          if (n_frac >= c->exponent)
            {
              /* Trailing zeros beyond the precision are harmless. */
              if (*p == '0')
                continue;
              if (c->exponent == 0)
                g_set_error (error, POS_MONEY_ERROR, POS_MONEY_ERROR_PRECISION,
                             _("%s has no cents: type “%s” without decimals."),
                             c->code, text);
              else
                g_set_error (error, POS_MONEY_ERROR, POS_MONEY_ERROR_PRECISION,
                             _("%s has only %d decimal places: “%s” has more."),
                             c->code, c->exponent, text);
              return FALSE;
            }
          frac = frac * 10 + (guint64) (*p - '0');
          n_frac++;
        }
    }

  if (!any_digit)
    return set_invalid (text, currency, conv, error);

  for (; n_frac < c->exponent; n_frac++)
    frac *= 10;

  if (units > (limit - frac) / pow10_table[c->exponent])
    goto overflow;
  magnitude = units * pow10_table[c->exponent] + frac;
  if (magnitude > limit)
    goto overflow;

  if (negative)
    *out_minor = magnitude == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) magnitude;
  else
    *out_minor = (gint64) magnitude;
  return TRUE;

overflow:
  g_set_error (error, POS_MONEY_ERROR, POS_MONEY_ERROR_OVERFLOW,
               _("“%s” is too large an amount. Check what you typed."), text);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Arithmetic */

static gint64
clamp128 (__int128 v)
{
  if (v > (__int128) G_MAXINT64)
    {
      g_warning ("Money arithmetic overflow, result clamped");
      return G_MAXINT64;
    }
  if (v < (__int128) G_MININT64)
    {
      g_warning ("Money arithmetic overflow, result clamped");
      return G_MININT64;
    }
  return (gint64) v;
}

static __int128
div_round128 (__int128 p, __int128 den, PosRounding mode)
{
  __int128 q = p / den;
  __int128 r = p % den;
  __int128 r2;
  gboolean away = FALSE;

  if (r == 0)
    return q;
  r2 = (r < 0 ? -r : r) * 2;

  switch (mode)
    {
    case POS_ROUND_HALF_EVEN:
      away = r2 > den || (r2 == den && (q % 2) != 0);
      break;
    case POS_ROUND_HALF_UP:
      away = r2 >= den;
      break;
    case POS_ROUND_DOWN:
      away = FALSE;
      break;
    default:
      g_return_val_if_reached (q);
    }

  if (away)
    q += p < 0 ? -1 : 1;
  return q;
}

gint64
pos_money_mul_div (gint64      amount,
                   gint64      num,
                   gint64      den,
                   PosRounding mode)
{
  g_return_val_if_fail (den > 0, 0);

  return clamp128 (div_round128 ((__int128) amount * num, den, mode));
}

gint64
pos_money_round_cash (gint64      minor,
                      const char *currency)
{
  gint64 inc = pos_money_cash_increment (currency);

  if (inc <= 1)
    return minor;
  return clamp128 (div_round128 (minor, inc, POS_ROUND_HALF_UP) * inc);
}

typedef struct {
  guint    index;
  __int128 remainder;
} AllocSlot;

static int
alloc_slot_compare (const void *a,
                    const void *b)
{
  const AllocSlot *x = a, *y = b;

  if (x->remainder != y->remainder)
    return x->remainder > y->remainder ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

void
pos_money_allocate (gint64        total,
                    const gint64 *weights,
                    guint         n,
                    gint64       *out_parts)
{
  __int128 sum = 0;
  __int128 magnitude;
  __int128 assigned = 0;
  g_autofree AllocSlot *slots = NULL;
  g_autofree __int128 *parts = NULL;
  gboolean equal;

  if (n == 0)
    return;
  g_return_if_fail (weights != NULL);
  g_return_if_fail (out_parts != NULL);

  /* Negative weights count as zero. */
  for (guint i = 0; i < n; i++)
    sum += MAX (weights[i], 0);

  /* All weights zero: split equally. */
  equal = sum == 0;
  if (equal)
    sum = n;

  magnitude = total < 0 ? -(__int128) total : (__int128) total;
  slots = g_new (AllocSlot, n);
  parts = g_new (__int128, n);

  for (guint i = 0; i < n; i++)
    {
      __int128 w = equal ? 1 : MAX (weights[i], 0);
      __int128 prod = magnitude * w;

      parts[i] = prod / sum;
      assigned += parts[i];
      slots[i].index = i;
      slots[i].remainder = prod % sum;
    }

  /* The units left over go to the largest remainders; ties to the first
   * line, so the result is deterministic. */
  qsort (slots, n, sizeof *slots, alloc_slot_compare);
  for (guint k = 0; assigned < magnitude && k < n; k++, assigned++)
    parts[slots[k].index] += 1;

  /* Every part is at most |total|, so it fits once the sign is back. */
  for (guint i = 0; i < n; i++)
    out_parts[i] = (gint64) (total < 0 ? -parts[i] : parts[i]);
}
