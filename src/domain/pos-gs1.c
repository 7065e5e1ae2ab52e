/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-gs1"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pos-gs1.h"

/* The GS1 Application Identifier table, after the GS1 General
 * Specifications (release 24, figure 3.2-1) and the GS1 Barcode Syntax
 * Dictionary. Lengths are of the value (not counting the AI).
 *
 *   prefix, AI length, varying last digit range, min, max, leading digits,
 *   charset of the rest, check digit offset and length, flags, title */

#define N  POS_GS1_CHARSET_NUMERIC
#define X  POS_GS1_CHARSET_82
#define Y  POS_GS1_CHARSET_39
#define Z  POS_GS1_CHARSET_64

#define F_DATE  (POS_GS1_FLAG_DATE)
#define F_DAY0  (POS_GS1_FLAG_DATE | POS_GS1_FLAG_DAY_00)
#define F_DEC   (POS_GS1_FLAG_DECIMAL)
#define F_CUR   (POS_GS1_FLAG_DECIMAL | POS_GS1_FLAG_CURRENCY)

/* fixed-length numeric, optionally with a check digit over the whole value */
#define FN(ai, n, title)        { ai, sizeof (ai) - 1, 0, 0, n, n, n, N, 0, 0, 0, title }
#define FNC(ai, n, title)       { ai, sizeof (ai) - 1, 0, 0, n, n, n, N, 0, n, 0, title }
#define FND(ai, n, fl, title)   { ai, sizeof (ai) - 1, 0, 0, n, n, n, N, 0, 0, fl, title }
/* variable-length numeric / CSET 82 */
#define VN(ai, max, title)      { ai, sizeof (ai) - 1, 0, 0, 1, max, max, N, 0, 0, 0, title }
#define VX(ai, max, title)      { ai, sizeof (ai) - 1, 0, 0, 1, max, 0, X, 0, 0, 0, title }
#define FX(ai, n, title)        { ai, sizeof (ai) - 1, 0, 0, n, n, 0, X, 0, 0, 0, title }
/* 4-digit AI whose last digit is the decimal point position: N6 */
#define M6(ai, title)           { ai, 4, 0, 5, 6, 6, 6, N, 0, 0, F_DEC, title }

static const PosGs1AiInfo ai_table[] = {
  FNC ("00", 18, "SSCC"),
  FNC ("01", 14, "GTIN"),
  FNC ("02", 14, "CONTENT"),
  FNC ("03", 14, "MTO GTIN"),
  VX  ("10", 20, "BATCH/LOT"),
  FND ("11", 6, F_DAY0, "PROD DATE"),
  FND ("12", 6, F_DAY0, "DUE DATE"),
  FND ("13", 6, F_DAY0, "PACK DATE"),
  FND ("15", 6, F_DAY0, "BEST BEFORE or BEST BY"),
  FND ("16", 6, F_DAY0, "SELL BY"),
  FND ("17", 6, F_DAY0, "USE BY OR EXPIRY"),
  FN  ("20", 2, "VARIANT"),
  VX  ("21", 20, "SERIAL"),
  VX  ("22", 20, "CPV"),
  VX  ("235", 28, "TPX"),
  VX  ("240", 30, "ADDITIONAL ID"),
  VX  ("241", 30, "CUST. PART No."),
  VN  ("242", 6, "MTO VARIANT"),
  VX  ("243", 20, "PCN"),
  VX  ("250", 30, "SECONDARY SERIAL"),
  VX  ("251", 30, "REF. TO SOURCE"),
  { "253", 3, 0, 0, 13, 30, 13, X, 0, 13, 0, "GDTI" },
  VX  ("254", 20, "GLN EXTENSION COMPONENT"),
  { "255", 3, 0, 0, 13, 25, 25, N, 0, 13, 0, "GCN" },
  VN  ("30", 8, "VAR. COUNT"),
  /* 310n-369n: N6, n = implied decimals */
  M6 ("310", "NET WEIGHT (kg)"),
  M6 ("311", "LENGTH (m)"),
  M6 ("312", "WIDTH (m)"),
  M6 ("313", "HEIGHT (m)"),
  M6 ("314", "AREA (m²)"),
  M6 ("315", "NET VOLUME (l)"),
  M6 ("316", "NET VOLUME (m³)"),
  M6 ("320", "NET WEIGHT (lb)"),
  M6 ("321", "LENGTH (in)"),
  M6 ("322", "LENGTH (ft)"),
  M6 ("323", "LENGTH (yd)"),
  M6 ("324", "WIDTH (in)"),
  M6 ("325", "WIDTH (ft)"),
  M6 ("326", "WIDTH (yd)"),
  M6 ("327", "HEIGHT (in)"),
  M6 ("328", "HEIGHT (ft)"),
  M6 ("329", "HEIGHT (yd)"),
  M6 ("330", "GROSS WEIGHT (kg)"),
  M6 ("331", "LENGTH (m), log"),
  M6 ("332", "WIDTH (m), log"),
  M6 ("333", "HEIGHT (m), log"),
  M6 ("334", "AREA (m²), log"),
  M6 ("335", "VOLUME (l), log"),
  M6 ("336", "VOLUME (m³), log"),
  M6 ("337", "KG PER m²"),
  M6 ("340", "GROSS WEIGHT (lb)"),
  M6 ("341", "LENGTH (in), log"),
  M6 ("342", "LENGTH (ft), log"),
  M6 ("343", "LENGTH (yd), log"),
  M6 ("344", "WIDTH (in), log"),
  M6 ("345", "WIDTH (ft), log"),
  M6 ("346", "WIDTH (yd), log"),
  M6 ("347", "HEIGHT (in), log"),
  M6 ("348", "HEIGHT (ft), log"),
  M6 ("349", "HEIGHT (yd), log"),
  M6 ("350", "AREA (in²)"),
  M6 ("351", "AREA (ft²)"),
  M6 ("352", "AREA (yd²)"),
  M6 ("353", "AREA (in²), log"),
  M6 ("354", "AREA (ft²), log"),
  M6 ("355", "AREA (yd²), log"),
  M6 ("356", "NET WEIGHT (troy oz)"),
  M6 ("357", "NET VOLUME (oz)"),
  M6 ("360", "NET VOLUME (qt)"),
  M6 ("361", "NET VOLUME (gal.)"),
  M6 ("362", "VOLUME (qt), log"),
  M6 ("363", "VOLUME (gal.), log"),
  M6 ("364", "VOLUME (in³)"),
  M6 ("365", "VOLUME (ft³)"),
  M6 ("366", "VOLUME (yd³)"),
  M6 ("367", "VOLUME (in³), log"),
  M6 ("368", "VOLUME (ft³), log"),
  M6 ("369", "VOLUME (yd³), log"),
  VN  ("37", 8, "COUNT"),
  /* 390n-395n: amounts, n = implied decimals */
  { "390", 4, 0, 9, 1, 15, 15, N, 0, 0, F_DEC, "AMOUNT" },
  { "391", 4, 0, 9, 4, 18, 18, N, 0, 0, F_CUR, "AMOUNT" },
  { "392", 4, 0, 9, 1, 15, 15, N, 0, 0, F_DEC, "PRICE" },
  { "393", 4, 0, 9, 4, 18, 18, N, 0, 0, F_CUR, "PRICE" },
  { "394", 4, 0, 3, 4, 4, 4, N, 0, 0, F_DEC, "PRCNT OFF" },
  { "395", 4, 0, 5, 6, 6, 6, N, 0, 0, F_DEC, "PRICE/UoM" },
  VX  ("400", 30, "ORDER NUMBER"),
  VX  ("401", 30, "GINC"),
  FNC ("402", 17, "GSIN"),
  VX  ("403", 30, "ROUTE"),
  FNC ("410", 13, "SHIP TO LOC"),
  FNC ("411", 13, "BILL TO"),
  FNC ("412", 13, "PURCHASE FROM"),
  FNC ("413", 13, "SHIP FOR LOC"),
  FNC ("414", 13, "LOC No."),
  FNC ("415", 13, "PAY TO"),
  FNC ("416", 13, "PROD/SERV LOC"),
  FNC ("417", 13, "PARTY"),
  VX  ("420", 20, "SHIP TO POST"),
  { "421", 3, 0, 0, 4, 12, 3, X, 0, 0, 0, "SHIP TO POST" },
  FN  ("422", 3, "ORIGIN"),
  { "423", 3, 0, 0, 3, 15, 15, N, 0, 0, 0, "COUNTRY - INITIAL PROCESS." },
  FN  ("424", 3, "COUNTRY - PROCESS."),
  { "425", 3, 0, 0, 3, 15, 15, N, 0, 0, 0, "COUNTRY - DISASSEMBLY" },
  FN  ("426", 3, "COUNTRY - FULL PROCESS"),
  VX  ("427", 3, "ORIGIN SUBDIVISION"),
  VX  ("4300", 35, "SHIP TO COMP"),
  VX  ("4301", 35, "SHIP TO NAME"),
  VX  ("4302", 70, "SHIP TO ADD1"),
  VX  ("4303", 70, "SHIP TO ADD2"),
  VX  ("4304", 70, "SHIP TO SUB"),
  VX  ("4305", 70, "SHIP TO LOC"),
  VX  ("4306", 70, "SHIP TO REG"),
  FX  ("4307", 2, "SHIP TO COUNTRY"),
  VX  ("4308", 30, "SHIP TO PHONE"),
  FN  ("4309", 20, "SHIP TO GEO"),
  VX  ("4310", 35, "RTN TO COMP"),
  VX  ("4311", 35, "RTN TO NAME"),
  VX  ("4312", 70, "RTN TO ADD1"),
  VX  ("4313", 70, "RTN TO ADD2"),
  VX  ("4314", 70, "RTN TO SUB"),
  VX  ("4315", 70, "RTN TO LOC"),
  VX  ("4316", 70, "RTN TO REG"),
  FX  ("4317", 2, "RTN TO COUNTRY"),
  VX  ("4318", 20, "RTN TO POST"),
  VX  ("4319", 30, "RTN TO PHONE"),
  VX  ("4320", 35, "SRV DESCRIPTION"),
  FN  ("4321", 1, "DANGEROUS GOODS"),
  FN  ("4322", 1, "AUTH LEAVE"),
  FN  ("4323", 1, "SIG REQUIRED"),
  FND ("4324", 10, F_DATE, "NBEF DEL DT"),
  FND ("4325", 10, F_DATE, "NAFT DEL DT"),
  FND ("4326", 6, F_DATE, "REL DATE"),
  { "4330", 4, 0, 0, 6, 7, 6, X, 0, 0, 0, "MAX TEMP F" },
  { "4331", 4, 0, 0, 6, 7, 6, X, 0, 0, 0, "MAX TEMP C" },
  { "4332", 4, 0, 0, 6, 7, 6, X, 0, 0, 0, "MIN TEMP F" },
  { "4333", 4, 0, 0, 6, 7, 6, X, 0, 0, 0, "MIN TEMP C" },
  FN  ("7001", 13, "NSN"),
  VX  ("7002", 30, "MEAT CUT"),
  FND ("7003", 10, F_DATE, "EXPIRY TIME"),
  VN  ("7004", 4, "ACTIVE POTENCY"),
  VX  ("7005", 12, "CATCH AREA"),
  FND ("7006", 6, F_DATE, "FIRST FREEZE DATE"),
  { "7007", 4, 0, 0, 6, 12, 12, N, 0, 0, POS_GS1_FLAG_DATE_RANGE, "HARVEST DATE" },
  VX  ("7008", 3, "AQUATIC SPECIES"),
  VX  ("7009", 10, "FISHING GEAR TYPE"),
  VX  ("7010", 2, "PROD METHOD"),
  { "7011", 4, 0, 0, 6, 10, 10, N, 0, 0, F_DATE, "TEST BY DATE" },
  VX  ("7020", 20, "REFURB LOT"),
  VX  ("7021", 20, "FUNC STAT"),
  VX  ("7022", 20, "REV STAT"),
  VX  ("7023", 30, "GIAI - ASSEMBLY"),
  { "703", 4, 0, 9, 4, 30, 3, X, 0, 0, 0, "PROCESSOR # s" },
  { "7040", 4, 0, 0, 4, 4, 1, X, 0, 0, 0, "UIC+EXT" },
  VX  ("7041", 4, "UFRGT UNIT TYPE"),
  VX  ("710", 20, "NHRN PZN"),
  VX  ("711", 20, "NHRN CIP"),
  VX  ("712", 20, "NHRN CN"),
  VX  ("713", 20, "NHRN DRN"),
  VX  ("714", 20, "NHRN AIM"),
  VX  ("715", 20, "NHRN NDC"),
  { "723", 4, 0, 9, 3, 30, 0, X, 0, 0, 0, "CERT # s" },
  VX  ("7240", 20, "PROTOCOL"),
  FN  ("7241", 2, "AIDC MEDIA TYPE"),
  VX  ("7242", 25, "VCN"),
  FN  ("7250", 8, "DOB"),
  FN  ("7251", 12, "DOB TIME"),
  FN  ("7252", 1, "BIO SEX"),
  VX  ("7253", 40, "FAMILY NAME"),
  VX  ("7254", 40, "GIVEN NAME"),
  VX  ("7255", 10, "SUFFIX"),
  VX  ("7256", 90, "FULL NAME"),
  VX  ("7257", 70, "PERSON ADDR"),
  FX  ("7258", 3, "BIRTH SEQUENCE"),
  VX  ("7259", 40, "BABY"),
  FN  ("8001", 14, "DIMENSIONS"),
  VX  ("8002", 20, "CMT No."),
  { "8003", 4, 0, 0, 14, 30, 14, X, 1, 13, 0, "GRAI" },
  VX  ("8004", 30, "GIAI"),
  FN  ("8005", 6, "PRICE PER UNIT"),
  { "8006", 4, 0, 0, 18, 18, 18, N, 0, 14, 0, "ITIP" },
  VX  ("8007", 34, "IBAN"),
  { "8008", 4, 0, 0, 8, 12, 12, N, 0, 0, F_DATE, "PROD TIME" },
  VX  ("8009", 50, "OPTSEN"),
  { "8010", 4, 0, 0, 1, 30, 0, Y, 0, 0, 0, "CPID" },
  VN  ("8011", 12, "CPID SERIAL"),
  VX  ("8012", 20, "VERSION"),
  VX  ("8013", 25, "GMN"),
  VX  ("8014", 25, "MUDI"),
  FNC ("8017", 18, "GSRN - PROVIDER"),
  FNC ("8018", 18, "GSRN - RECIPIENT"),
  VN  ("8019", 10, "SRIN"),
  VX  ("8020", 25, "REF No."),
  { "8026", 4, 0, 0, 18, 18, 18, N, 0, 14, 0, "ITIP CONTENT" },
  { "8030", 4, 0, 0, 1, 90, 0, Z, 0, 0, 0, "DIGSIG" },
  VX  ("8110", 70, "COUPON CODE"),
  FN  ("8111", 4, "POINTS"),
  VX  ("8112", 70, "PAPERLESS COUPON CODE"),
  VX  ("8200", 70, "PRODUCT URL"),
  VX  ("90", 30, "INTERNAL"),
  { "9", 2, 1, 9, 1, 90, 0, X, 0, 0, 0, "INTERNAL" },
};

#undef N
#undef X
#undef Y
#undef Z

const PosGs1AiInfo *
pos_gs1_ai_table (guint *n_entries)
{
  if (n_entries != NULL)
    *n_entries = G_N_ELEMENTS (ai_table);
  return ai_table;
}

const PosGs1AiInfo *
pos_gs1_lookup_ai (const char *text,
                   gsize       len)
{
  g_return_val_if_fail (text != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (ai_table); i++)
    {
      const PosGs1AiInfo *info = &ai_table[i];
      gsize plen = strlen (info->prefix);

      if (len < info->ai_len || strncmp (text, info->prefix, plen) != 0)
        continue;

      if (plen < info->ai_len)
        {
          char last = text[plen];

          if (last < '0' + info->last_min || last > '0' + info->last_max)
            continue;
        }

      return info;
    }

  return NULL;
}

gboolean
pos_gs1_ai_is_predefined (const char *ai)
{
  static const char *const predefined[] = {
    "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "31", "32", "33", "34", "35", "36", "41",
  };

  g_return_val_if_fail (ai != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (predefined); i++)
    if (strncmp (ai, predefined[i], 2) == 0)
      return TRUE;

  return FALSE;
}

PosGs1Element *
pos_gs1_element_new (const char *ai,
                     const char *value,
                     const char *title)
{
  PosGs1Element *element = g_new0 (PosGs1Element, 1);

  element->ai = g_strdup (ai);
  element->value = g_strdup (value);
  element->title = g_strdup (title);

  return element;
}

void
pos_gs1_element_free (PosGs1Element *element)
{
  if (element == NULL)
    return;

  g_free (element->ai);
  g_free (element->value);
  g_free (element->title);
  g_free (element);
}

static int
reference_year_or_now (int reference_year)
{
  g_autoptr(GDateTime) now = NULL;

  if (reference_year > 0)
    return reference_year;

  now = g_date_time_new_now_local ();
  return g_date_time_get_year (now);
}

static int
two_digits (const char *s)
{
  if (!g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]))
    return -1;
  return (s[0] - '0') * 10 + (s[1] - '0');
}

char *
pos_gs1_date_to_iso (const char *yymmdd,
                     int         reference_year,
                     gboolean    allow_day_00,
                     GError    **error)
{
  int yy, mm, dd, ref, ref_yy, century, year, days;

  g_return_val_if_fail (yymmdd != NULL, NULL);

  if (strlen (yymmdd) < 6 ||
      (yy = two_digits (yymmdd)) < 0 ||
      (mm = two_digits (yymmdd + 2)) < 0 ||
      (dd = two_digits (yymmdd + 4)) < 0)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                   _("“%.6s” is not a date: a date is six digits, YYMMDD."), yymmdd);
      return NULL;
    }

  /* GS1 General Specifications 7.12: the century that puts the year no
   * more than 49 years ahead of and 50 years behind the current one. */
  ref = reference_year_or_now (reference_year);
  ref_yy = ref % 100;
  century = ref - ref_yy;
  if (yy - ref_yy >= 51)
    century -= 100;
  else if (yy - ref_yy <= -50)
    century += 100;
  year = century + yy;

  if (mm < 1 || mm > 12)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                   _("“%.6s” is not a date: there is no month %02d."), yymmdd, mm);
      return NULL;
    }

  days = g_date_get_days_in_month ((GDateMonth) mm, (GDateYear) year);
  if (dd == 0 && allow_day_00)
    dd = days;
  if (dd < 1 || dd > days)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                   _("“%.6s” is not a date: %04d-%02d has no day %02d."),
                   yymmdd, year, mm, dd);
      return NULL;
    }

  return g_strdup_printf ("%04d-%02d-%02d", year, mm, dd);
}

char *
pos_gs1_decimal_string (const char *digits,
                        guint       decimals)
{
  gsize len;
  GString *out;

  g_return_val_if_fail (digits != NULL, NULL);

  /* strip leading zeros but keep one before the point */
  while (digits[0] == '0' && strlen (digits) > decimals + 1)
    digits++;
  len = strlen (digits);

  out = g_string_new (NULL);
  if (decimals == 0)
    {
      g_string_append (out, digits);
      return g_string_free (out, FALSE);
    }

  if (len <= decimals)
    {
      g_string_append (out, "0.");
      for (gsize i = len; i < decimals; i++)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }
  else
    {
      g_string_append_len (out, digits, len - decimals);
      g_string_append_c (out, '.');
      g_string_append (out, digits + len - decimals);
    }

  return g_string_free (out, FALSE);
}

gboolean
pos_gs1_scale (const char *digits,
               guint       decimals,
               guint       exponent,
               gint64     *out)
{
  guint64 v = 0;

  g_return_val_if_fail (digits != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (*digits == '\0')
    return FALSE;

  for (const char *p = digits; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) || v > (G_MAXINT64 - 9) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
    }

  if (exponent >= decimals)
    {
      for (guint i = decimals; i < exponent; i++)
        {
          if (v > G_MAXINT64 / 10)
            return FALSE;
          v *= 10;
        }
    }
  else
    {
      guint64 p = 1;
      guint64 q, r;

      for (guint i = exponent; i < decimals; i++)
        p *= 10;
      q = v / p;
      r = v % p;
      if (r * 2 >= p)
        q++;
      v = q;
    }

  *out = (gint64) v;
  return TRUE;
}

static const struct {
  const char *numeric;
  const char *alpha;
  guint       exponent;
} currencies[] = {
  { "986", "BRL", 2 }, { "840", "USD", 2 }, { "978", "EUR", 2 },
  { "032", "ARS", 2 }, { "152", "CLP", 0 }, { "600", "PYG", 0 },
  { "858", "UYU", 2 }, { "068", "BOB", 2 }, { "604", "PEN", 2 },
  { "170", "COP", 2 }, { "484", "MXN", 2 }, { "124", "CAD", 2 },
  { "826", "GBP", 2 }, { "756", "CHF", 2 }, { "392", "JPY", 0 },
  { "156", "CNY", 2 }, { "036", "AUD", 2 }, { "410", "KRW", 0 },
  { "356", "INR", 2 }, { "710", "ZAR", 2 }, { "752", "SEK", 2 },
  { "578", "NOK", 2 }, { "208", "DKK", 2 }, { "985", "PLN", 2 },
  { "203", "CZK", 2 }, { "348", "HUF", 2 }, { "949", "TRY", 2 },
  { "554", "NZD", 2 }, { "344", "HKD", 2 }, { "702", "SGD", 2 },
  { "414", "KWD", 3 }, { "048", "BHD", 3 }, { "400", "JOD", 3 },
  { "512", "OMR", 3 }, { "788", "TND", 3 },
};

gboolean
pos_gs1_currency_lookup (const char  *numeric,
                         const char **alpha,
                         guint       *exponent)
{
  g_return_val_if_fail (numeric != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    {
      if (strncmp (numeric, currencies[i].numeric, 3) == 0)
        {
          if (alpha != NULL)
            *alpha = currencies[i].alpha;
          if (exponent != NULL)
            *exponent = currencies[i].exponent;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
in_charset (char          c,
            PosGs1Charset charset)
{
  switch (charset)
    {
    case POS_GS1_CHARSET_NUMERIC:
      return g_ascii_isdigit (c);
    case POS_GS1_CHARSET_82:
      return c != '\0' && (g_ascii_isalnum (c) || strchr ("!\"%&'()*+,-./:;<=>?_", c) != NULL);
    case POS_GS1_CHARSET_39:
      return c != '\0' && ((c >= 'A' && c <= 'Z') || g_ascii_isdigit (c) || strchr ("#-/", c) != NULL);
    case POS_GS1_CHARSET_64:
      return c != '\0' && (g_ascii_isalnum (c) || strchr ("-_=", c) != NULL);
    default:
      return FALSE;
    }
}

static char *
describe_char (char c)
{
  if (g_ascii_isprint (c))
    return g_strdup_printf ("“%c”", c);
  if (c == POS_GS1_GS)
    return g_strdup (_("a GS separator"));
  return g_strdup_printf ("0x%02X", (guint) (guchar) c);
}

static int
mod10_check_digit (const char *digits,
                   gsize       len)
{
  int sum = 0;

  for (gsize i = 0; i < len; i++)
    {
      int d = digits[len - 1 - i] - '0';
      sum += (i % 2 == 0) ? d * 3 : d;
    }

  return (10 - sum % 10) % 10;
}

static gboolean
check_time (const char *t,
            gsize       len)
{
  static const int max[] = { 23, 59, 59 };

  for (gsize i = 0; i < len && i < 6; i += 2)
    {
      int v = two_digits (t + i);

      if (v < 0 || v > max[i / 2])
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_value (const PosGs1AiInfo *info,
                const char         *ai,
                const char         *value,
                gboolean            transmitted,
                int                 reference_year,
                GError            **error)
{
  gsize len = strlen (value);

  if (len < info->min_len || len > info->max_len)
    {
      if (len < info->min_len && info->min_len == info->max_len)
        g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                     _("AI (%s) %s is truncated: it takes exactly %u characters, not %u."),
                     ai, info->title, info->min_len, (guint) len);
      else if (len < info->min_len)
        g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                     _("AI (%s) %s is truncated: it takes at least %u characters, not %u."),
                     ai, info->title, info->min_len, (guint) len);
      else if (info->min_len == info->max_len)
        g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                     _("AI (%s) %s is too long: it takes exactly %u characters, not %u.%s"),
                     ai, info->title, info->max_len, (guint) len,
                     transmitted ? _(" A GS separator may be missing after it.") : "");
      else
        g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                     _("AI (%s) %s is too long: at most %u characters, not %u.%s"),
                     ai, info->title, info->max_len, (guint) len,
                     transmitted ? _(" A GS separator may be missing after it.") : "");
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      PosGs1Charset cs = i < info->n_digits ? POS_GS1_CHARSET_NUMERIC : info->charset;

      if (!in_charset (value[i], cs))
        {
          g_autofree char *what = describe_char (value[i]);

          if (cs == POS_GS1_CHARSET_NUMERIC)
            g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                         _("AI (%s) %s takes digits only, but character %u is %s."),
                         ai, info->title, (guint) i + 1, what);
          else
            g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                         _("AI (%s) %s cannot hold %s (character %u)."),
                         ai, info->title, what, (guint) i + 1);
          return FALSE;
        }
    }

  /* 4330-4333 temperatures: N6, then an optional minus sign */
  if (g_str_has_prefix (ai, "433") && len == 7 && value[6] != '-')
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_INVALID_CHARACTER,
                   _("AI (%s) %s: after the six digits only “-” (below zero) may follow."),
                   ai, info->title);
      return FALSE;
    }

  if (info->check_len > 0)
    {
      const char *digits = value + info->check_offset;
      int expected = mod10_check_digit (digits, info->check_len - 1);
      int found = digits[info->check_len - 1] - '0';

      if (expected != found)
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_CHECK_DIGIT,
                       _("AI (%s) %s %s: check digit should be %d, not %d."),
                       ai, info->title, value, expected, found);
          return FALSE;
        }
    }

  if (info->flags & (POS_GS1_FLAG_DATE | POS_GS1_FLAG_DATE_RANGE))
    {
      g_autofree char *iso = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean ok = TRUE;

      iso = pos_gs1_date_to_iso (value, reference_year,
                                 (info->flags & POS_GS1_FLAG_DAY_00) != 0, &local_error);
      if (iso == NULL)
        ok = FALSE;
      else if (info->flags & POS_GS1_FLAG_DATE_RANGE)
        {
          if (len != 6 && len != 12)
            ok = FALSE;
          else if (len == 12)
            {
              g_autofree char *iso2 = pos_gs1_date_to_iso (value + 6, reference_year, FALSE, &local_error);
              ok = iso2 != NULL;
            }
        }
      else if (len > 6 && (len % 2 != 0 || !check_time (value + 6, len - 6)))
        ok = FALSE;

      if (!ok)
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                       _("AI (%s) %s: “%s” is not a valid date%s."),
                       ai, info->title, value,
                       (info->flags & POS_GS1_FLAG_DATE_RANGE) ? " (YYMMDD[YYMMDD])" :
                       len > 6 ? " (YYMMDDhh[mm[ss]])" : " (YYMMDD)");
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
append_element (GPtrArray          *elements,
                const PosGs1AiInfo *info,
                const char         *ai,
                const char         *value,
                gboolean            transmitted,
                int                 reference_year,
                GError            **error)
{
  if (!validate_value (info, ai, value, transmitted, reference_year, error))
    return FALSE;

  for (guint i = 0; i < elements->len; i++)
    {
      PosGs1Element *e = g_ptr_array_index (elements, i);

      if (g_str_equal (e->ai, ai))
        {
          if (g_str_equal (e->value, value))
            return TRUE;
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                       _("AI (%s) %s appears twice with different values (%s and %s)."),
                       ai, info->title, e->value, value);
          return FALSE;
        }
    }

  g_ptr_array_add (elements, pos_gs1_element_new (ai, value, info->title));
  return TRUE;
}

static void
set_unknown_ai (const char *p,
                gsize       remaining,
                GError    **error)
{
  g_autofree char *shown = NULL;
  gsize n = MIN (remaining, 4);

  /* a known AI of which only the start is there: the data was cut */
  if (remaining < 4)
    {
      for (guint i = 0; i < G_N_ELEMENTS (ai_table); i++)
        if (ai_table[i].ai_len > remaining &&
            strncmp (p, ai_table[i].prefix, MIN (remaining, strlen (ai_table[i].prefix))) == 0)
          {
            g_autofree char *part = g_strndup (p, remaining);
            g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                         _("The code is truncated: it ends in the middle of an "
                           "Application Identifier (“%s”)."), part);
            return;
          }
    }

  shown = g_strndup (p, n);
  for (char *c = shown; *c != '\0'; c++)
    if (!g_ascii_isprint (*c))
      *c = '?';
  g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_UNKNOWN_AI,
               _("No GS1 Application Identifier starts with “%s”: the code is "
                 "malformed or uses an AI this terminal does not know."), shown);
}

static GPtrArray *
parse_parenthesised (const char *data,
                     int         reference_year,
                     GError    **error)
{
  g_autoptr(GPtrArray) elements = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_gs1_element_free);
  const char *p = data;

  while (*p != '\0')
    {
      const char *close, *start, *end;
      const PosGs1AiInfo *info;
      g_autofree char *ai = NULL;
      g_autofree char *value = NULL;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      if (*p != '(')
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                       _("Expected “(” at character %u of the GS1 code."),
                       (guint) (p - data) + 1);
          return NULL;
        }

      close = strchr (p, ')');
      if (close == NULL)
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1,
                       _("The Application Identifier at character %u has no closing “)”."),
                       (guint) (p - data) + 1);
          return NULL;
        }

      ai = g_strndup (p + 1, close - p - 1);
      for (const char *c = ai; *c != '\0'; c++)
        if (!g_ascii_isdigit (*c))
          {
            g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_UNKNOWN_AI,
                         _("“(%s)” is not an Application Identifier: AIs are 2 to 4 digits."), ai);
            return NULL;
          }

      info = pos_gs1_lookup_ai (ai, strlen (ai));
      if (info == NULL || info->ai_len != strlen (ai))
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_UNKNOWN_AI,
                       _("(%s) is not a GS1 Application Identifier this terminal knows."), ai);
          return NULL;
        }

      start = close + 1;
      end = strchr (start, '(');
      if (end == NULL)
        end = start + strlen (start);
      while (end > start && end[-1] == ' ')
        end--;
      value = g_strndup (start, end - start);

      if (*value == '\0')
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                       _("AI (%s) %s has no value."), ai, info->title);
          return NULL;
        }

      if (!append_element (elements, info, ai, value, FALSE, reference_year, error))
        return NULL;

      p = strchr (start, '(');
      if (p == NULL)
        break;
    }

  if (elements->len == 0)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                   _("The GS1 code holds no data."));
      return NULL;
    }

  return g_steal_pointer (&elements);
}

static GPtrArray *
parse_transmitted (const char *data,
                   int         reference_year,
                   GError    **error)
{
  g_autoptr(GPtrArray) elements = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_gs1_element_free);
  gsize len = strlen (data);
  gsize pos = 0;

  while (pos < len)
    {
      const PosGs1AiInfo *info;
      g_autofree char *ai = NULL;
      g_autofree char *value = NULL;
      gsize vlen;

      if (data[pos] == POS_GS1_GS)
        {
          pos++;
          continue;
        }

      info = pos_gs1_lookup_ai (data + pos, len - pos);
      if (info == NULL)
        {
          set_unknown_ai (data + pos, len - pos, error);
          return NULL;
        }

      ai = g_strndup (data + pos, info->ai_len);
      pos += info->ai_len;

      if (pos >= len || data[pos] == POS_GS1_GS)
        {
          g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                       _("AI (%s) %s has no value: the code is truncated."),
                       ai, info->title);
          return NULL;
        }

      if (pos_gs1_ai_is_predefined (ai) && info->min_len == info->max_len)
        {
          /* predefined length: exactly that many characters, no separator */
          const char *gs = memchr (data + pos, POS_GS1_GS, len - pos);
          gsize avail = (gs != NULL ? (gsize) (gs - data) : len) - pos;

          if (avail < info->max_len)
            {
              g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_LENGTH,
                           _("AI (%s) %s is truncated: it takes %u characters, "
                             "only %u are there."),
                           ai, info->title, info->max_len, (guint) avail);
              return NULL;
            }
          vlen = info->max_len;
        }
      else
        {
          const char *gs = memchr (data + pos, POS_GS1_GS, len - pos);

          vlen = (gs != NULL ? (gsize) (gs - data) : len) - pos;
        }

      value = g_strndup (data + pos, vlen);
      pos += vlen;

      if (!append_element (elements, info, ai, value, TRUE, reference_year, error))
        return NULL;
    }

  if (elements->len == 0)
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                   _("The GS1 code holds no data."));
      return NULL;
    }

  return g_steal_pointer (&elements);
}

GPtrArray *
pos_gs1_parse (const char *data,
               int         reference_year,
               GError    **error)
{
  g_return_val_if_fail (data != NULL, NULL);

  if (*data == '\0')
    {
      g_set_error (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_EMPTY,
                   _("The GS1 code holds no data."));
      return NULL;
    }

  if (data[0] == '(')
    return parse_parenthesised (data, reference_year, error);

  return parse_transmitted (data, reference_year, error);
}
