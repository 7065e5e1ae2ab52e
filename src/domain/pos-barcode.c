/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-barcode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pos-barcode.h"
#include "pos-json.h"
#include "pos-gs1.h"

G_DEFINE_QUARK (pos-barcode-error-quark, pos_barcode_error)

/* ------------------------------------------------------------------ */
/* GTIN                                                                */

static gboolean
all_digits (const char *s,
            gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

int
pos_gtin_check_digit (const char *digits_without_check,
                      gsize       len)
{
  int sum = 0;

  g_return_val_if_fail (digits_without_check != NULL, -1);

  /* weights 3,1,3,1... from the right */
  for (gsize i = 0; i < len; i++)
    {
      char c = digits_without_check[len - 1 - i];

      if (!g_ascii_isdigit (c))
        return -1;
      sum += (i % 2 == 0) ? (c - '0') * 3 : (c - '0');
    }

  return (10 - sum % 10) % 10;
}

static gboolean
check_digits_only (const char *code,
                   GError    **error)
{
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      {
        if (g_ascii_isprint (*p))
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                       _("%s: a GTIN has digits only, but character %u is “%c”."),
                       code, (guint) (p - code) + 1, *p);
        else
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                       _("A GTIN has digits only, but character %u is the control code 0x%02X."),
                       (guint) (p - code) + 1, (guint) (guchar) *p);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_gtin_check_digit (const char *code,
                        gsize       len,
                        GError    **error)
{
  int expected = pos_gtin_check_digit (code, len - 1);
  int found = code[len - 1] - '0';

  if (expected != found)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_CHECK_DIGIT,
                   _("%s: check digit should be %d, not %d. Scan it again or "
                     "type the number printed under the bars."),
                   code, expected, found);
      return FALSE;
    }
  return TRUE;
}

gboolean
pos_gtin_validate (const char *code,
                   GError    **error)
{
  gsize len;

  g_return_val_if_fail (code != NULL, FALSE);

  len = strlen (code);
  if (len == 0)
    {
      g_set_error_literal (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                           _("The code is empty."));
      return FALSE;
    }

  if (!check_digits_only (code, error))
    return FALSE;

  if (len != 8 && len != 12 && len != 13 && len != 14)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                   _("%s has %u digits; a GTIN has 8, 12, 13 or 14."),
                   code, (guint) len);
      return FALSE;
    }

  return check_gtin_check_digit (code, len, error);
}

char *
pos_upce_to_upca (const char *upce,
                  GError    **error)
{
  char a[13];
  const char *d;

  g_return_val_if_fail (upce != NULL, NULL);

  if (*upce == '\0')
    {
      g_set_error_literal (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                           _("The code is empty."));
      return NULL;
    }
  if (!check_digits_only (upce, error))
    return NULL;
  if (strlen (upce) != 8)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                   _("%s has %u digits; a UPC-E code has 8 (number system, six digits, check digit)."),
                   upce, (guint) strlen (upce));
      return NULL;
    }
  if (upce[0] != '0' && upce[0] != '1')
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                   _("%s is not UPC-E: the number system must be 0 or 1, not %c."),
                   upce, upce[0]);
      return NULL;
    }

  /* d[0..5] = the six data digits d1..d6 */
  d = upce + 1;
  a[0] = upce[0];
  switch (d[5])
    {
    case '0':
    case '1':
    case '2':
      /* NS d1 d2 d6 0 0 | 0 0 d3 d4 d5 */
      memcpy (a + 1, (char[]) { d[0], d[1], d[5], '0', '0', '0', '0', d[2], d[3], d[4] }, 10);
      break;
    case '3':
      /* NS d1 d2 d3 0 0 | 0 0 0 d4 d5 */
      memcpy (a + 1, (char[]) { d[0], d[1], d[2], '0', '0', '0', '0', '0', d[3], d[4] }, 10);
      break;
    case '4':
      /* NS d1 d2 d3 d4 0 | 0 0 0 0 d5 */
      memcpy (a + 1, (char[]) { d[0], d[1], d[2], d[3], '0', '0', '0', '0', '0', d[4] }, 10);
      break;
    default:
      /* 5-9: NS d1 d2 d3 d4 d5 | 0 0 0 0 d6 */
      memcpy (a + 1, (char[]) { d[0], d[1], d[2], d[3], d[4], '0', '0', '0', '0', d[5] }, 10);
      break;
    }
  a[11] = upce[7];
  a[12] = '\0';

  if (pos_gtin_check_digit (a, 11) != a[11] - '0')
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_CHECK_DIGIT,
                   _("%s (UPC-E, %s as UPC-A): check digit should be %d, not %c. "
                     "Scan it again or type the number printed under the bars."),
                   upce, a, pos_gtin_check_digit (a, 11), a[11]);
      return NULL;
    }

  return g_strdup (a);
}

char *
pos_gtin_normalize (const char *code)
{
  gsize len;

  g_return_val_if_fail (code != NULL, NULL);

  len = strlen (code);
  if (!all_digits (code, len))
    return g_strdup (code);

  switch (len)
    {
    case 12:
      return g_strconcat ("0", code, NULL);
    case 13:
      if (g_str_has_prefix (code, "00000"))
        return g_strdup (code + 5);
      return g_strdup (code);
    case 14:
      if (g_str_has_prefix (code, "000000"))
        return g_strdup (code + 6);
      if (code[0] == '0')
        return g_strdup (code + 1);
      return g_strdup (code);
    default:
      return g_strdup (code);
    }
}

/* ------------------------------------------------------------------ */
/* Store weight / price rules                                          */

#define MAX_POSITIONS 13

typedef struct {
  char  pos[MAX_POSITIONS + 1]; /* digit, '.', 'V' (value) */
  guint n_pos;                  /* positions in the pattern */
  guint code_len;               /* 8 or 13, check digit included */
  guint value_start;
  guint n_int;
  guint n_dec;
} ParsedRule;

static gboolean
parse_rule (const PosBarcodeRule *rule,
            ParsedRule           *pr,
            GError              **error)
{
  const char *p;
  gboolean in_group = FALSE;
  gboolean seen_group = FALSE;
  gboolean seen_dec = FALSE;

  memset (pr, 0, sizeof *pr);

  if (rule == NULL || rule->pattern == NULL ||
      (rule->kind != POS_BARCODE_KIND_WEIGHT && rule->kind != POS_BARCODE_KIND_PRICE))
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
                   _("The store barcode rule “%s” is not a weight or price rule."),
                   rule != NULL && rule->pattern != NULL ? rule->pattern : "");
      return FALSE;
    }

  for (p = rule->pattern; *p != '\0'; p++)
    {
      char c = *p;

      if (c == '{')
        {
          if (in_group || seen_group)
            goto bad;
          in_group = seen_group = TRUE;
          pr->value_start = pr->n_pos;
          continue;
        }
      if (c == '}')
        {
          if (!in_group || pr->n_int + pr->n_dec == 0)
            goto bad;
          in_group = FALSE;
          continue;
        }
      if (pr->n_pos >= MAX_POSITIONS)
        goto bad;

      if (in_group)
        {
          if (c == 'N' && !seen_dec)
            pr->n_int++;
          else if (c == 'D')
            {
              seen_dec = TRUE;
              pr->n_dec++;
            }
          else
            goto bad;
          pr->pos[pr->n_pos++] = 'V';
        }
      else if (g_ascii_isdigit (c) || c == '.')
        pr->pos[pr->n_pos++] = c;
      else
        goto bad;
    }

  if (in_group || !seen_group || pr->n_int + pr->n_dec > 15)
    goto bad;

  if (pr->n_pos == 12 || pr->n_pos == 7)
    pr->code_len = pr->n_pos + 1;
  else if ((pr->n_pos == 13 || pr->n_pos == 8) && pr->pos[pr->n_pos - 1] == '.')
    pr->code_len = pr->n_pos;
  else
    goto bad;

  /* at least one literal digit to recognise the code by */
  if (!g_ascii_isdigit (pr->pos[0]))
    goto bad;

  return TRUE;

bad:
  g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
               _("The store barcode rule “%s” is malformed: it needs literal digits "
                 "first, “.” for any digit and one value group like {NNDDD}, "
                 "12 or 13 positions in all (EAN-13) or 7 or 8 (EAN-8)."),
               rule->pattern);
  return FALSE;
}

/* The literal digits of the rule agree with the code as far as both go. */
static gboolean
rule_literals_match (const ParsedRule *pr,
                     const char       *code,
                     gsize             len)
{
  for (guint i = 0; i < pr->n_pos && i < len; i++)
    if (g_ascii_isdigit (pr->pos[i]) && pr->pos[i] != code[i])
      return FALSE;
  return TRUE;
}

gboolean
pos_barcode_rule_check (const PosBarcodeRule *rule,
                        GError              **error)
{
  ParsedRule pr;

  return parse_rule (rule, &pr, error);
}

static const char *
kind_word (PosBarcodeKind kind)
{
  return kind == POS_BARCODE_KIND_WEIGHT ? _("weight") : _("price");
}

char *
pos_barcode_rule_item_code (const PosBarcodeRule *rule,
                            const char           *code,
                            GError              **error)
{
  ParsedRule pr;
  g_autofree char *out = NULL;
  gsize len;

  g_return_val_if_fail (code != NULL, NULL);

  if (!parse_rule (rule, &pr, error))
    return NULL;

  len = strlen (code);
  if (!all_digits (code, len) || len < pr.value_start || len > pr.code_len ||
      !rule_literals_match (&pr, code, len))
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
                   _("%s does not fit the store %s rule %s."),
                   code, kind_word (rule->kind), rule->pattern);
      return NULL;
    }

  out = g_malloc0 (pr.code_len + 1);
  for (guint i = 0; i < pr.code_len; i++)
    {
      if (i < pr.n_pos && pr.pos[i] == 'V')
        out[i] = '0';
      else if (i == pr.code_len - 1)
        out[i] = '0';
      else if (i < len)
        out[i] = code[i];
      else
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
                       _("%s is too short for the store %s rule %s: digit %u is missing."),
                       code, kind_word (rule->kind), rule->pattern, i + 1);
          return NULL;
        }
    }

  return g_steal_pointer (&out);
}

char *
pos_barcode_rule_encode (const PosBarcodeRule *rule,
                         const char           *item_code,
                         gint64                value,
                         GError              **error)
{
  ParsedRule pr;
  g_autofree char *code = NULL;
  g_autofree char *digits = NULL;
  guint n_value;
  gint64 scaled = value;
  guint exponent;

  g_return_val_if_fail (item_code != NULL, NULL);

  code = pos_barcode_rule_item_code (rule, item_code, error);
  if (code == NULL)
    return NULL;
  parse_rule (rule, &pr, NULL);

  /* value is in grams (3 decimals of kg) or centavos (2 decimals of BRL) */
  exponent = rule->kind == POS_BARCODE_KIND_WEIGHT ? 3 : 2;
  n_value = pr.n_int + pr.n_dec;
  if (value < 0)
    goto too_big;
  for (guint i = pr.n_dec; i < exponent; i++)
    {
      if (scaled % 10 != 0)
        goto too_big;
      scaled /= 10;
    }
  for (guint i = exponent; i < pr.n_dec; i++)
    {
      if (scaled > G_MAXINT64 / 10)
        goto too_big;
      scaled *= 10;
    }

  digits = g_strdup_printf ("%0*" G_GINT64_FORMAT, (int) n_value, scaled);
  if (strlen (digits) > n_value)
    goto too_big;

  memcpy (code + pr.value_start, digits, n_value);
  code[pr.code_len - 1] = '0' + pos_gtin_check_digit (code, pr.code_len - 1);

  return g_steal_pointer (&code);

too_big:
  {
    g_autofree char *value_text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

    g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
                 _("The %s %s cannot be written in the store rule %s."),
                 kind_word (rule->kind), value_text, rule->pattern);
  }
  return NULL;
}

static const PosBarcodeRule default_rules[] = {
  { (char *) "20.....{NNDDD}", POS_BARCODE_KIND_WEIGHT },
  { (char *) "21.....{NNDDD}", POS_BARCODE_KIND_WEIGHT },
  { (char *) "22.....{NNDDD}", POS_BARCODE_KIND_WEIGHT },
  { (char *) "23.....{NNNDD}", POS_BARCODE_KIND_PRICE },
  { (char *) "24.....{NNNDD}", POS_BARCODE_KIND_PRICE },
  { (char *) "25.....{NNNDD}", POS_BARCODE_KIND_PRICE },
  { (char *) "26.....{NNNDD}", POS_BARCODE_KIND_PRICE },
  { (char *) "27.....{NNNDD}", POS_BARCODE_KIND_PRICE },
  { (char *) "28.....{NNNDD}", POS_BARCODE_KIND_PRICE },
  { (char *) "29.....{NNNDD}", POS_BARCODE_KIND_PRICE },
};

const PosBarcodeRule *
pos_barcode_default_rules (guint *n_rules)
{
  if (n_rules != NULL)
    *n_rules = G_N_ELEMENTS (default_rules);
  return default_rules;
}

/* Applies the first matching rule. Returns TRUE when a rule took the code
 * (then barcode is filled, or error set); FALSE when no rule applies. */
static gboolean
apply_rules (PosBarcode           *barcode,
             const char           *code,
             gsize                 len,
             gboolean              gtin14_valid,
             const PosBarcodeRule *rules,
             guint                 n_rules,
             gboolean             *failed,
             GError              **error)
{
  *failed = FALSE;

  for (guint r = 0; r < n_rules; r++)
    {
      const PosBarcodeRule *rule = &rules[r];
      ParsedRule pr;
      g_autofree char *value = NULL;
      g_autofree char *item = NULL;
      gint64 v;
      int expected;

      if (!parse_rule (rule, &pr, NULL))
        {
          /* one bad rule must not stop every scan; pos_barcode_rule_check ()
           * tells the person who set it up */
          g_warning ("Ignoring malformed store barcode rule “%s”", rule->pattern);
          continue;
        }

      if (!rule_literals_match (&pr, code, len))
        continue;

      if (len != pr.code_len)
        {
          /* truncated (10..12 digits of a 13-digit rule), or overlong: 14
           * digits that are not a valid GTIN-14 either */
          if ((pr.code_len == 13 && len >= 10 && len < 13) ||
              (len == pr.code_len + 1 && !gtin14_valid))
            {
              g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                           _("%s looks like a store %s code (rule %s) but has %u digits, "
                             "not %u. Scan it again or key in the item."),
                           code, kind_word (rule->kind), rule->pattern,
                           (guint) len, pr.code_len);
              *failed = TRUE;
              return TRUE;
            }
          continue;
        }

      expected = pos_gtin_check_digit (code, len - 1);
      if (expected != code[len - 1] - '0')
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_CHECK_DIGIT,
                       _("%s: check digit should be %d, not %c (store %s code, rule %s). "
                         "Scan it again or reprint the scale label."),
                       code, expected, code[len - 1], kind_word (rule->kind), rule->pattern);
          *failed = TRUE;
          return TRUE;
        }

      value = g_strndup (code + pr.value_start, pr.n_int + pr.n_dec);
      if (!pos_gs1_scale (value, pr.n_dec,
                          rule->kind == POS_BARCODE_KIND_WEIGHT ? 3 : 2, &v))
        {
          /* cannot happen: at most 15 digits */
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
                       _("%s: the value %s does not fit."), code, value);
          *failed = TRUE;
          return TRUE;
        }
      if (v == 0)
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_RULE,
                       rule->kind == POS_BARCODE_KIND_WEIGHT
                         ? _("%s: the scale label says the weight is zero (rule %s). Weigh the item again.")
                         : _("%s: the label says the price is zero (rule %s). Weigh or label the item again."),
                       code, rule->pattern);
          *failed = TRUE;
          return TRUE;
        }

      item = pos_barcode_rule_item_code (rule, code, error);
      if (item == NULL)
        {
          *failed = TRUE;
          return TRUE;
        }

      barcode->kind = rule->kind;
      barcode->symbology = pr.code_len == 13 ? POS_SYMBOLOGY_EAN13 : POS_SYMBOLOGY_EAN8;
      barcode->item_code = g_steal_pointer (&item);
      barcode->rule = g_strdup (rule->pattern);
      if (rule->kind == POS_BARCODE_KIND_WEIGHT)
        barcode->weight_g = v;
      else
        {
          barcode->price_minor = v;
          barcode->currency = g_strdup ("BRL");
        }
      return TRUE;
    }

  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static PosSymbology
symbology_from_id (const char *id,
                   gboolean   *is_gs1)
{
  /* ISO/IEC 15424 symbology identifiers: ]Cm, ]em, ]Em, ]Qm, ]dm */
  char s = id[1];
  char m = id[2];

  *is_gs1 = FALSE;
  switch (s)
    {
    case 'E':
      if (m == '4')
        return POS_SYMBOLOGY_EAN8;
      return POS_SYMBOLOGY_EAN13;
    case 'C':
      if (m == '1')
        {
          *is_gs1 = TRUE;
          return POS_SYMBOLOGY_GS1_128;
        }
      return POS_SYMBOLOGY_CODE128;
    case 'e':
      *is_gs1 = TRUE;
      return POS_SYMBOLOGY_DATABAR;
    case 'Q':
      *is_gs1 = (m == '3' || m == '4' || m == '5' || m == '6');
      return POS_SYMBOLOGY_QR;
    case 'd':
      *is_gs1 = (m == '2' || m == '5');
      return POS_SYMBOLOGY_DATAMATRIX;
    case 'J':
      *is_gs1 = (m == '1');
      return POS_SYMBOLOGY_UNKNOWN;
    default:
      return POS_SYMBOLOGY_UNKNOWN;
    }
}

static PosBarcode *
barcode_new (const char *raw)
{
  PosBarcode *barcode = g_new0 (PosBarcode, 1);

  barcode->raw = g_strdup (raw);
  barcode->weight_g = -1;
  barcode->price_minor = -1;
  barcode->count = -1;
  return barcode;
}

void
pos_barcode_free (PosBarcode *barcode)
{
  if (barcode == NULL)
    return;

  g_free (barcode->raw);
  g_free (barcode->code);
  g_free (barcode->gtin);
  g_free (barcode->item_code);
  g_free (barcode->currency);
  g_free (barcode->lot);
  g_free (barcode->serial);
  g_free (barcode->production_date);
  g_free (barcode->packaging_date);
  g_free (barcode->best_before);
  g_free (barcode->expiry);
  g_clear_pointer (&barcode->ais, g_ptr_array_unref);
  g_free (barcode->symbology_id);
  g_free (barcode->rule);
  g_free (barcode);
}

static gboolean
fill_gs1 (PosBarcode *barcode,
          GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean have_310 = FALSE;
  gboolean have_01 = FALSE;
  gboolean have_local_amount = FALSE;

  barcode->ais = pos_gs1_parse (barcode->code, 0, &local_error);
  if (barcode->ais == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("GS1 code: "));
      return FALSE;
    }

  for (guint i = 0; i < barcode->ais->len; i++)
    {
      PosGs1Element *e = g_ptr_array_index (barcode->ais, i);
      const char *ai = e->ai;
      char **date_slot = NULL;

      if (g_str_equal (ai, "01"))
        {
          g_free (barcode->gtin);
          barcode->gtin = pos_gtin_normalize (e->value);
          have_01 = TRUE;
        }
      else if (g_str_equal (ai, "02") && !have_01)
        barcode->gtin = pos_gtin_normalize (e->value);
      else if (g_str_equal (ai, "10"))
        barcode->lot = g_strdup (e->value);
      else if (g_str_equal (ai, "21"))
        barcode->serial = g_strdup (e->value);
      else if (g_str_equal (ai, "11"))
        date_slot = &barcode->production_date;
      else if (g_str_equal (ai, "13"))
        date_slot = &barcode->packaging_date;
      else if (g_str_equal (ai, "15"))
        date_slot = &barcode->best_before;
      else if (g_str_equal (ai, "17"))
        date_slot = &barcode->expiry;
      else if (g_str_equal (ai, "30") || g_str_equal (ai, "37"))
        barcode->count = g_ascii_strtoll (e->value, NULL, 10);
      else if (g_str_has_prefix (ai, "310"))
        {
          pos_gs1_scale (e->value, ai[3] - '0', 3, &barcode->weight_g);
          have_310 = TRUE;
        }
      else if (g_str_has_prefix (ai, "320") && !have_310)
        {
          /* pounds to grams, exactly: 1 lb = 453.59237 g */
          gint64 v;

          if (pos_gs1_scale (e->value, 0, 0, &v))
            {
              guint n = ai[3] - '0';
              guint64 den = 100000;
              guint64 num = (guint64) v * 45359237;   /* v < 10^6: no overflow */

              for (guint k = 0; k < n; k++)
                den *= 10;
              barcode->weight_g = (gint64) ((num + den / 2) / den);
            }
        }
      else if (g_str_has_prefix (ai, "390") || g_str_has_prefix (ai, "392"))
        {
          have_local_amount = TRUE;
          /* single monetary area: the store's own currency, BRL */
          if (!pos_gs1_scale (e->value, ai[3] - '0', 2, &barcode->price_minor))
            {
              g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                           _("GS1 code: the amount in AI (%s) is too large."), ai);
              return FALSE;
            }
          g_free (barcode->currency);
          barcode->currency = g_strdup ("BRL");
        }
      else if ((g_str_has_prefix (ai, "391") || g_str_has_prefix (ai, "393")) &&
               !have_local_amount)
        {
          const char *alpha;
          guint exponent;

          if (!pos_gs1_currency_lookup (e->value, &alpha, &exponent))
            {
              g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                           _("GS1 code: AI (%s) is in currency %.3s, which this terminal "
                             "does not know (ISO 4217 numeric)."),
                           ai, e->value);
              return FALSE;
            }
          if (!pos_gs1_scale (e->value + 3, ai[3] - '0', exponent, &barcode->price_minor))
            {
              g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                           _("GS1 code: the amount in AI (%s) is too large."), ai);
              return FALSE;
            }
          g_free (barcode->currency);
          barcode->currency = g_strdup (alpha);
        }

      if (date_slot != NULL)
        {
          g_free (*date_slot);
          *date_slot = pos_gs1_date_to_iso (e->value, 0, TRUE, NULL);
        }
    }

  return TRUE;
}

/* 8 digits without a symbology identifier: EAN-8 if its check digit holds,
 * else UPC-E if that one holds. */
static gboolean
parse_eight (PosBarcode *barcode,
             GError    **error)
{
  const char *code = barcode->code;
  g_autoptr(GError) ean8_error = NULL;

  if (barcode->symbology != POS_SYMBOLOGY_EAN13 &&
      check_gtin_check_digit (code, 8, &ean8_error))
    {
      barcode->symbology = POS_SYMBOLOGY_EAN8;
      barcode->gtin = g_strdup (code);
      return TRUE;
    }

  if (barcode->symbology != POS_SYMBOLOGY_EAN8 && (code[0] == '0' || code[0] == '1'))
    {
      g_autoptr(GError) upce_error = NULL;
      g_autofree char *upca = pos_upce_to_upca (code, &upce_error);

      if (upca != NULL)
        {
          barcode->symbology = POS_SYMBOLOGY_UPCE;
          barcode->gtin = pos_gtin_normalize (upca);
          return TRUE;
        }
      if (barcode->symbology == POS_SYMBOLOGY_EAN13)   /* ]E0 + 8 digits is UPC-E */
        {
          g_propagate_error (error, g_steal_pointer (&upce_error));
          return FALSE;
        }
    }

  if (ean8_error == NULL)
    check_gtin_check_digit (code, 8, &ean8_error);
  g_propagate_error (error, g_steal_pointer (&ean8_error));
  return FALSE;
}

static gboolean
looks_like_plain_gs1 (const char *code,
                      gsize       len)
{
  if (len < 16)
    return FALSE;
  if (g_str_has_prefix (code, "00"))
    return len >= 20 && all_digits (code, 20);
  if (g_str_has_prefix (code, "01") || g_str_has_prefix (code, "02"))
    return all_digits (code, 16);
  return FALSE;
}

PosBarcode *
pos_barcode_parse (const char            *raw,
                   const PosBarcodeRule  *rules,
                   guint                  n_rules,
                   GError               **error)
{
  g_autoptr(PosBarcode) barcode = NULL;
  g_autofree char *text = NULL;
  const char *code;
  gboolean id_is_gs1 = FALSE;
  gsize len;

  if (raw == NULL || *raw == '\0')
    {
      g_set_error_literal (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                           _("The code is empty: nothing was scanned."));
      return NULL;
    }

  barcode = barcode_new (raw);

  if (!g_utf8_validate (raw, -1, NULL))
    {
      g_set_error_literal (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                           _("The code is not valid text (not UTF-8). Check the scanner's "
                             "keyboard layout setting."));
      return NULL;
    }

  /* scanners end codes with CR or LF (and people type spaces) */
  text = g_strdup (raw);
  g_strstrip (text);
  code = text;

  if (code[0] == ']')
    {
      if (strlen (code) < 3 || !g_ascii_isalpha (code[1]) || !g_ascii_isalnum (code[2]))
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                       _("“%s” starts with an incomplete symbology identifier "
                         "(“]” then a letter and a digit, like ]E0)."), code);
          return NULL;
        }
      barcode->symbology_id = g_strndup (code, 3);
      barcode->symbology = symbology_from_id (code, &id_is_gs1);
      code += 3;
    }

  if (*code == '\0')
    {
      g_set_error_literal (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                           _("The code is empty: the scanner sent only a symbology identifier."));
      return NULL;
    }

  barcode->code = g_strdup (code);
  len = strlen (code);

  /* GS1 element strings */
  if (id_is_gs1 || code[0] == '(' || strchr (code, POS_GS1_GS) != NULL ||
      (barcode->symbology_id == NULL && looks_like_plain_gs1 (code, len)))
    {
      barcode->kind = POS_BARCODE_KIND_GS1;
      if (!fill_gs1 (barcode, error))
        return NULL;
      return g_steal_pointer (&barcode);
    }

  /* EAN/UPC symbologies carry digits only */
  if (barcode->symbology == POS_SYMBOLOGY_EAN13 || barcode->symbology == POS_SYMBOLOGY_EAN8)
    {
      if (!check_digits_only (code, error))
        return NULL;
      if (barcode->symbology == POS_SYMBOLOGY_EAN8 ? len != 8 : (len != 8 && len != 12 && len != 13))
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                       _("%s has %u digits, which does not fit its symbology %s "
                         "(EAN-13: 13, UPC-A: 12, EAN-8 and UPC-E: 8). Scan it again."),
                       code, (guint) len, barcode->symbology_id);
          return NULL;
        }
    }

  if (all_digits (code, len))
    {
      gboolean failed = FALSE;
      gboolean gtin14_valid = len == 14 && pos_gtin_check_digit (code, 13) == code[13] - '0';

      if (rules != NULL && n_rules > 0 && barcode->symbology != POS_SYMBOLOGY_EAN8 &&
          apply_rules (barcode, code, len, gtin14_valid, rules, n_rules, &failed, error))
        {
          if (failed)
            return NULL;
          return g_steal_pointer (&barcode);
        }

      switch (len)
        {
        case 8:
          if (!parse_eight (barcode, error))
            return NULL;
          break;
        case 12:
        case 13:
        case 14:
          if (!check_gtin_check_digit (code, len, error))
            return NULL;
          if (barcode->symbology == POS_SYMBOLOGY_UNKNOWN)
            barcode->symbology = len == 12 ? POS_SYMBOLOGY_UPCA :
                                 len == 13 ? POS_SYMBOLOGY_EAN13 : POS_SYMBOLOGY_UNKNOWN;
          else if (barcode->symbology == POS_SYMBOLOGY_EAN13 && len == 12)
            barcode->symbology = POS_SYMBOLOGY_UPCA;
          barcode->gtin = pos_gtin_normalize (code);
          break;
        default:
          /* an internal code, looked up as it is */
          barcode->kind = POS_BARCODE_KIND_UNKNOWN;
          return g_steal_pointer (&barcode);
        }

      barcode->kind = POS_BARCODE_KIND_GTIN;
      return g_steal_pointer (&barcode);
    }

  /* free text: an internal SKU, Code 128/39, a QR code... */
  for (const char *p = code; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                     _("The code holds the control character 0x%02X at position %u. "
                       "Check the scanner's settings."),
                     (guint) (guchar) *p, (guint) (p - code) + 1);
        return NULL;
      }

  barcode->kind = POS_BARCODE_KIND_UNKNOWN;
  return g_steal_pointer (&barcode);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static const char *
kind_name (PosBarcodeKind kind)
{
  switch (kind)
    {
    case POS_BARCODE_KIND_GTIN:    return "gtin";
    case POS_BARCODE_KIND_WEIGHT:  return "weight";
    case POS_BARCODE_KIND_PRICE:   return "price";
    case POS_BARCODE_KIND_GS1:     return "gs1";
    case POS_BARCODE_KIND_UNKNOWN:
    default:                       return "unknown";
    }
}

static const char *
symbology_name (PosSymbology symbology)
{
  switch (symbology)
    {
    case POS_SYMBOLOGY_EAN13:      return "ean13";
    case POS_SYMBOLOGY_EAN8:       return "ean8";
    case POS_SYMBOLOGY_UPCA:       return "upca";
    case POS_SYMBOLOGY_UPCE:       return "upce";
    case POS_SYMBOLOGY_CODE128:    return "code128";
    case POS_SYMBOLOGY_GS1_128:    return "gs1-128";
    case POS_SYMBOLOGY_DATABAR:    return "databar";
    case POS_SYMBOLOGY_QR:         return "qr";
    case POS_SYMBOLOGY_DATAMATRIX: return "datamatrix";
    case POS_SYMBOLOGY_UNKNOWN:
    default:                       return NULL;
    }
}

static const char *
error_code_name (const GError *error)
{
  if (error->domain != POS_BARCODE_ERROR)
    return "error";

  switch ((PosBarcodeError) error->code)
    {
    case POS_BARCODE_ERROR_EMPTY:             return "empty";
    case POS_BARCODE_ERROR_INVALID_CHARACTER: return "invalid_character";
    case POS_BARCODE_ERROR_LENGTH:            return "length";
    case POS_BARCODE_ERROR_CHECK_DIGIT:       return "check_digit";
    case POS_BARCODE_ERROR_RULE:              return "rule";
    case POS_BARCODE_ERROR_GS1:               return "gs1";
    case POS_BARCODE_ERROR_UNKNOWN_AI:        return "unknown_ai";
    default:                                  return "error";
    }
}

static void
add_int_or_null (JsonBuilder *builder,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (builder, name);
  if (value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, value);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  return json_generator_to_data (generator, NULL);
}

static void
add_element (JsonBuilder         *builder,
             const PosGs1Element *e)
{
  const PosGs1AiInfo *info = pos_gs1_lookup_ai (e->ai, strlen (e->ai));

  json_builder_begin_object (builder);
  pos_json_add_string (builder, "ai", e->ai);
  pos_json_add_string (builder, "title", e->title);
  pos_json_add_string (builder, "value", e->value);

  if (info != NULL && (info->flags & POS_GS1_FLAG_DATE))
    {
      g_autofree char *iso = pos_gs1_date_to_iso (e->value, 0,
                                                  (info->flags & POS_GS1_FLAG_DAY_00) != 0, NULL);
      pos_json_add_string (builder, "date", iso);
    }
  if (info != NULL && (info->flags & POS_GS1_FLAG_CURRENCY))
    {
      const char *alpha = NULL;
      g_autofree char *dec = pos_gs1_decimal_string (e->value + 3, e->ai[3] - '0');

      pos_gs1_currency_lookup (e->value, &alpha, NULL);
      pos_json_add_string (builder, "currency", alpha);
      pos_json_add_string (builder, "decimal", dec);
    }
  else if (info != NULL && (info->flags & POS_GS1_FLAG_DECIMAL))
    {
      g_autofree char *dec = pos_gs1_decimal_string (e->value, e->ai[3] - '0');
      pos_json_add_string (builder, "decimal", dec);
    }
  json_builder_end_object (builder);
}

char *
pos_barcode_to_json (const PosBarcode *barcode)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (barcode != NULL, NULL);

  json_builder_begin_object (builder);
  pos_json_add_string (builder, "input", barcode->raw);
  pos_json_add_string (builder, "kind", kind_name (barcode->kind));
  pos_json_add_string (builder, "symbology", symbology_name (barcode->symbology));
  pos_json_add_string (builder, "symbology_id", barcode->symbology_id);
  pos_json_add_string (builder, "code", barcode->code);
  pos_json_add_string (builder, "gtin", barcode->gtin);
  pos_json_add_string (builder, "item_code", barcode->item_code);
  pos_json_add_string (builder, "rule", barcode->rule);
  add_int_or_null (builder, "weight_g", barcode->weight_g);
  add_int_or_null (builder, "price_minor", barcode->price_minor);
  pos_json_add_string (builder, "currency", barcode->currency);
  pos_json_add_string (builder, "lot", barcode->lot);
  pos_json_add_string (builder, "serial", barcode->serial);
  add_int_or_null (builder, "count", barcode->count);

  json_builder_set_member_name (builder, "dates");
  json_builder_begin_object (builder);
  if (barcode->production_date != NULL)
    pos_json_add_string (builder, "production", barcode->production_date);
  if (barcode->packaging_date != NULL)
    pos_json_add_string (builder, "packaging", barcode->packaging_date);
  if (barcode->best_before != NULL)
    pos_json_add_string (builder, "best_before", barcode->best_before);
  if (barcode->expiry != NULL)
    pos_json_add_string (builder, "expiry", barcode->expiry);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "ais");
  json_builder_begin_array (builder);
  for (guint i = 0; barcode->ais != NULL && i < barcode->ais->len; i++)
    add_element (builder, g_ptr_array_index (barcode->ais, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return builder_to_string (builder);
}

char *
pos_barcode_error_to_json (const char   *raw,
                           const GError *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (error != NULL, NULL);

  json_builder_begin_object (builder);
  pos_json_add_string (builder, "input", raw);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  pos_json_add_string (builder, "code", error_code_name (error));
  pos_json_add_string (builder, "message", error->message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}
