/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <locale.h>

#include "domain/pos-money.h"

static void
check_format (gint64 minor, const char *currency, const char *locale, const char *expected)
{
  g_autofree char *s = pos_money_format (minor, currency, locale);

  ck_assert_msg (g_strcmp0 (s, expected) == 0, "format(%" G_GINT64_FORMAT ", %s, %s) = '%s', expected '%s'",
                 minor, currency, locale, s, expected);
}

static void
check_parse (const char *text, const char *currency, const char *locale, gint64 expected)
{
  g_autoptr(GError) error = NULL;
  gint64 v = 12345678;

  ck_assert_msg (pos_money_parse (text, currency, locale, &v, &error),
                 "parse('%s', %s, %s) failed: %s", text, currency, locale,
                 error != NULL ? error->message : "?");
  ck_assert_msg (v == expected, "parse('%s', %s, %s) = %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                 text, currency, locale, v, expected);
}

static void
check_parse_fails (const char *text, const char *currency, const char *locale, PosMoneyError code)
{
  g_autoptr(GError) error = NULL;
  gint64 v = 777;

  ck_assert_msg (!pos_money_parse (text, currency, locale, &v, &error),
                 "parse('%s', %s, %s) should fail, gave %" G_GINT64_FORMAT, text, currency, locale, v);
  ck_assert_msg (g_error_matches (error, POS_MONEY_ERROR, (gint) code),
                 "parse('%s') failed with code %d (%s), expected %d", text,
                 error ? error->code : -1, error ? error->message : "", code);
  ck_assert_ptr_nonnull (error->message);
  ck_assert_int_gt (strlen (error->message), 10);
  ck_assert_int_eq (v, 777);
}

START_TEST (test_currencies)
{
  ck_assert_int_eq (pos_money_currency_exponent ("BRL"), 2);
  ck_assert_int_eq (pos_money_currency_exponent ("USD"), 2);
  ck_assert_int_eq (pos_money_currency_exponent ("EUR"), 2);
  ck_assert_int_eq (pos_money_currency_exponent ("JPY"), 0);
  ck_assert_int_eq (pos_money_currency_exponent ("CLP"), 0);
  ck_assert_int_eq (pos_money_currency_exponent ("KWD"), 3);
  ck_assert_int_eq (pos_money_currency_exponent ("BHD"), 3);
  ck_assert_int_eq (pos_money_currency_exponent ("brl"), 2);
  ck_assert_int_eq (pos_money_currency_exponent ("XXX"), -1);
  ck_assert_int_eq (pos_money_currency_exponent (""), -1);
  ck_assert_int_eq (pos_money_currency_exponent (NULL), -1);

  ck_assert_int_eq (pos_money_cash_increment ("BRL"), 1);
  ck_assert_int_eq (pos_money_cash_increment ("USD"), 1);
  ck_assert_int_eq (pos_money_cash_increment ("CHF"), 5);
  ck_assert_int_eq (pos_money_largest_note ("BRL"), 20000);
  ck_assert_int_eq (pos_money_largest_note ("brl"), 20000);
  ck_assert_int_eq (pos_money_largest_note ("XXX"), 0);
  ck_assert_int_eq (pos_money_largest_note (NULL), 0);
  ck_assert_int_eq (pos_money_cash_increment ("CAD"), 5);
  ck_assert_int_eq (pos_money_cash_increment ("SEK"), 100);
}
END_TEST

START_TEST (test_format_locales)
{
  check_format (123456, "BRL", "pt_BR", "R$ 1.234,56");
  check_format (123456, "USD", "en_US", "$1,234.56");
  check_format (123456, "EUR", "es_ES", "1.234,56 €");
  check_format (-123456, "BRL", "pt_BR", "-R$ 1.234,56");
  check_format (-123456, "USD", "en_US", "-$1,234.56");
  check_format (-123456, "EUR", "es_ES", "-1.234,56 €");
  check_format (0, "BRL", "pt_BR", "R$ 0,00");
  check_format (5, "BRL", "pt_BR", "R$ 0,05");
  check_format (-5, "BRL", "pt_BR", "-R$ 0,05");
  check_format (100, "BRL", "pt_BR", "R$ 1,00");
  check_format (99999, "BRL", "pt_BR", "R$ 999,99");
  check_format (100000, "BRL", "pt_BR", "R$ 1.000,00");
  check_format (123456789012, "BRL", "pt_BR", "R$ 1.234.567.890,12");
  /* Foreign currencies get an unambiguous symbol. */
  check_format (1250, "USD", "pt_BR", "US$ 12,50");
  check_format (1250, "BRL", "en_US", "R$12.50");
  check_format (1234567, "JPY", "ja_JP", "¥1,234,567");
  check_format (1234567, "KWD", "en_US", "KWD 1,234.567");
  check_format (1500, "CHF", "de_CH", "CHF 15.00");
  /* Locale names as setlocale gives them, and fallbacks. */
  check_format (123456, "BRL", "pt_BR.UTF-8", "R$ 1.234,56");
  check_format (123456, "BRL", "pt-BR", "R$ 1.234,56");
  check_format (123456, "BRL", "pt", "R$ 1.234,56");
  check_format (123456, "BRL", "pt_AO", "R$ 1.234,56");
  check_format (123456, "EUR", "es", "1.234,56 €");
  check_format (123456, "USD", "xx_YY", "$1,234.56");
  check_format (123456, "USD", "C", "$1,234.56");
  check_format (123456, "USD", "POSIX", "$1,234.56");
}
END_TEST

START_TEST (test_format_extremes)
{
  check_format (G_MAXINT64, "BRL", "pt_BR", "R$ 92.233.720.368.547.758,07");
  check_format (G_MININT64, "BRL", "pt_BR", "-R$ 92.233.720.368.547.758,08");
  check_format (G_MININT64, "USD", "en_US", "-$92,233,720,368,547,758.08");
  check_format (G_MAXINT64, "JPY", "en_US", "JP¥9,223,372,036,854,775,807");
}
END_TEST

START_TEST (test_format_plain)
{
  g_autofree char *a = pos_money_format_plain (123456, "BRL", "pt_BR");
  g_autofree char *b = pos_money_format_plain (123456, "BRL", "en_US");
  g_autofree char *c = pos_money_format_plain (-123456, "BRL", "pt_BR");
  g_autofree char *d = pos_money_format_plain (1, "KWD", "en_US");
  g_autofree char *e = pos_money_format_plain (1, "JPY", "en_US");

  ck_assert_str_eq (a, "1.234,56");
  ck_assert_str_eq (b, "1,234.56");
  ck_assert_str_eq (c, "-1.234,56");
  ck_assert_str_eq (d, "0.001");
  ck_assert_str_eq (e, "1");
}
END_TEST

START_TEST (test_format_process_locale)
{
  g_autofree char *saved = g_strdup (setlocale (LC_MONETARY, NULL));
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  ck_assert_ptr_nonnull (setlocale (LC_MONETARY, "C"));
  a = pos_money_format (123456, "USD", NULL);
  b = pos_money_format (123456, "USD", "");
  ck_assert_str_eq (a, "$1,234.56");
  ck_assert_str_eq (b, "$1,234.56");
  /* If pt_BR happens to be installed, NULL follows it. */
  if (setlocale (LC_MONETARY, "pt_BR.UTF-8") != NULL)
    {
      g_autofree char *c = pos_money_format (123456, "BRL", NULL);
      ck_assert_str_eq (c, "R$ 1.234,56");
    }
  setlocale (LC_MONETARY, saved);
}
END_TEST

START_TEST (test_parse_pt_br)
{
  check_parse ("1234,5", "BRL", "pt_BR", 123450);
  check_parse ("1.234,56", "BRL", "pt_BR", 123456);
  check_parse ("R$ 12,00", "BRL", "pt_BR", 1200);
  check_parse ("R$12,00", "BRL", "pt_BR", 1200);
  check_parse ("12", "BRL", "pt_BR", 1200);
  check_parse ("0", "BRL", "pt_BR", 0);
  check_parse ("0,01", "BRL", "pt_BR", 1);
  check_parse (",5", "BRL", "pt_BR", 50);
  check_parse ("12,", "BRL", "pt_BR", 1200);
  check_parse ("  12,5  ", "BRL", "pt_BR", 1250);
  check_parse ("-12,50", "BRL", "pt_BR", -1250);
  check_parse ("-R$ 12,50", "BRL", "pt_BR", -1250);
  check_parse ("R$ -12,50", "BRL", "pt_BR", -1250);
  check_parse ("−12,50", "BRL", "pt_BR", -1250); /* U+2212 */
  check_parse ("+12,50", "BRL", "pt_BR", 1250);
  check_parse ("BRL 12,50", "BRL", "pt_BR", 1250);
  check_parse ("12,50 BRL", "BRL", "pt_BR", 1250);
  check_parse ("1.234.567,89", "BRL", "pt_BR", 123456789);
  check_parse ("1234567,89", "BRL", "pt_BR", 123456789);
  check_parse ("12,500", "BRL", "pt_BR", 1250);  /* trailing zero is harmless */
  check_parse ("R$\u00a012,00", "BRL", "pt_BR", 1200);
}
END_TEST

START_TEST (test_parse_other_locales)
{
  check_parse ("1,234.56", "USD", "en_US", 123456);
  check_parse ("$12", "USD", "en_US", 1200);
  check_parse ("-$1,234.56", "USD", "en_US", -123456);
  check_parse ("12,500", "USD", "en_US", 1250000);
  check_parse ("US$ 3.50", "USD", "en_US", 350);
  check_parse ("1.234,56 €", "EUR", "es_ES", 123456);
  check_parse ("12 €", "EUR", "es_ES", 1200);
  check_parse ("-1.234,56 €", "EUR", "es_ES", -123456);
  check_parse ("1 234,56 €", "EUR", "fr_FR", 123456);
  check_parse ("1234", "JPY", "ja_JP", 1234);
  check_parse ("¥1,234", "JPY", "ja_JP", 1234);
  check_parse ("1,234.567", "KWD", "en_US", 1234567);
  check_parse ("1.5", "KWD", "en_US", 1500);
}
END_TEST

START_TEST (test_parse_rejects)
{
  check_parse_fails ("", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("   ", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails (NULL, "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("abc", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("12a", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("12,3a", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("1,2,3", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("1.23,45", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("12.50", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("1234.567,00", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails (".123,00", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("1.234.", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("--12", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("-R$ -12", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("R$", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails (",", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("-", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("US$ 12", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("12 34", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("1e5", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("0x10", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("12,50", "USD", "en_US", POS_MONEY_ERROR_INVALID);
  check_parse_fails ("\xff\xfe", "BRL", "pt_BR", POS_MONEY_ERROR_INVALID);

  check_parse_fails ("12,345", "BRL", "pt_BR", POS_MONEY_ERROR_PRECISION);
  check_parse_fails ("0,001", "BRL", "pt_BR", POS_MONEY_ERROR_PRECISION);
  check_parse_fails ("12.5", "JPY", "en_US", POS_MONEY_ERROR_PRECISION);
  check_parse_fails ("1.2345", "KWD", "en_US", POS_MONEY_ERROR_PRECISION);

  check_parse_fails ("92233720368547758,08", "BRL", "pt_BR", POS_MONEY_ERROR_OVERFLOW);
  check_parse_fails ("99999999999999999999", "BRL", "pt_BR", POS_MONEY_ERROR_OVERFLOW);
  check_parse_fails ("999999999999999999999999999999", "BRL", "pt_BR", POS_MONEY_ERROR_OVERFLOW);
  check_parse_fails ("9223372036854775808", "JPY", "en_US", POS_MONEY_ERROR_OVERFLOW);
  check_parse_fails ("-9223372036854775809", "JPY", "en_US", POS_MONEY_ERROR_OVERFLOW);

  check_parse_fails ("12", "XYZ", "pt_BR", POS_MONEY_ERROR_CURRENCY);
  check_parse_fails ("12", NULL, "pt_BR", POS_MONEY_ERROR_CURRENCY);
}
END_TEST

START_TEST (test_parse_limits)
{
  check_parse ("92233720368547758,07", "BRL", "pt_BR", G_MAXINT64);
  check_parse ("-92233720368547758,08", "BRL", "pt_BR", G_MININT64);
  check_parse ("9223372036854775807", "JPY", "en_US", G_MAXINT64);
  check_parse ("-9223372036854775808", "JPY", "en_US", G_MININT64);
}
END_TEST

START_TEST (test_round_trip)
{
  const char *locs[] = { "pt_BR", "en_US", "es_ES", "fr_FR", "de_CH", "ja_JP" };
  const char *curs[] = { "BRL", "USD", "EUR", "JPY", "KWD", "CHF" };
  const gint64 values[] = { 0, 1, -1, 99, 100, 12345, -12345, 1000000, 123456789012345,
                            G_MAXINT64, G_MININT64 };

  for (guint l = 0; l < G_N_ELEMENTS (locs); l++)
    for (guint c = 0; c < G_N_ELEMENTS (curs); c++)
      for (guint v = 0; v < G_N_ELEMENTS (values); v++)
        {
          g_autofree char *full = pos_money_format (values[v], curs[c], locs[l]);
          g_autofree char *plain = pos_money_format_plain (values[v], curs[c], locs[l]);

          check_parse (full, curs[c], locs[l], values[v]);
          check_parse (plain, curs[c], locs[l], values[v]);
        }
}
END_TEST

START_TEST (test_mul_div)
{
  /* .5 ties */
  ck_assert_int_eq (pos_money_mul_div (5, 1, 2, POS_ROUND_HALF_EVEN), 2);
  ck_assert_int_eq (pos_money_mul_div (15, 1, 2, POS_ROUND_HALF_EVEN), 8);
  ck_assert_int_eq (pos_money_mul_div (5, 1, 2, POS_ROUND_HALF_UP), 3);
  ck_assert_int_eq (pos_money_mul_div (15, 1, 2, POS_ROUND_HALF_UP), 8);
  ck_assert_int_eq (pos_money_mul_div (5, 1, 2, POS_ROUND_DOWN), 2);
  /* negatives: symmetric around zero */
  ck_assert_int_eq (pos_money_mul_div (-5, 1, 2, POS_ROUND_HALF_EVEN), -2);
  ck_assert_int_eq (pos_money_mul_div (-15, 1, 2, POS_ROUND_HALF_EVEN), -8);
  ck_assert_int_eq (pos_money_mul_div (-5, 1, 2, POS_ROUND_HALF_UP), -3);
  ck_assert_int_eq (pos_money_mul_div (-5, 1, 2, POS_ROUND_DOWN), -2);
  ck_assert_int_eq (pos_money_mul_div (5, -1, 2, POS_ROUND_HALF_UP), -3);
  /* not ties */
  ck_assert_int_eq (pos_money_mul_div (7, 1, 3, POS_ROUND_HALF_EVEN), 2);
  ck_assert_int_eq (pos_money_mul_div (8, 1, 3, POS_ROUND_HALF_EVEN), 3);
  ck_assert_int_eq (pos_money_mul_div (8, 1, 3, POS_ROUND_DOWN), 2);
  ck_assert_int_eq (pos_money_mul_div (-8, 1, 3, POS_ROUND_DOWN), -2);
  ck_assert_int_eq (pos_money_mul_div (-8, 1, 3, POS_ROUND_HALF_UP), -3);
  ck_assert_int_eq (pos_money_mul_div (0, 7, 3, POS_ROUND_HALF_UP), 0);
  ck_assert_int_eq (pos_money_mul_div (1000, 1800, 11800, POS_ROUND_HALF_EVEN), 153); /* 152.54 */
  /* exact */
  ck_assert_int_eq (pos_money_mul_div (1234, 3, 3, POS_ROUND_DOWN), 1234);
  /* 128-bit intermediate: 2^53 * 2^31 overflows 64 bits */
  {
    gint64 big = (G_GINT64_CONSTANT (1) << 53) - 1;
    gint64 num = G_MAXINT32;

    ck_assert_int_eq (pos_money_mul_div (big, num, num, POS_ROUND_HALF_EVEN), big);
    ck_assert_int_eq (pos_money_mul_div (-big, num, num, POS_ROUND_HALF_EVEN), -big);
    ck_assert_int_eq (pos_money_mul_div (big, num, num - 1, POS_ROUND_DOWN),
                      (gint64) (((__int128) big * num) / (num - 1)));
    ck_assert_int_eq (pos_money_mul_div (big, num, num - 1, POS_ROUND_DOWN),
                      big + big / (num - 1));
  }
}
END_TEST

START_TEST (test_round_cash)
{
  ck_assert_int_eq (pos_money_round_cash (1003, "BRL"), 1003);
  ck_assert_int_eq (pos_money_round_cash (1002, "CHF"), 1000);
  ck_assert_int_eq (pos_money_round_cash (1003, "CHF"), 1005);
  ck_assert_int_eq (pos_money_round_cash (1025, "CHF"), 1025);
  ck_assert_int_eq (pos_money_round_cash (1027, "CHF"), 1025);
  ck_assert_int_eq (pos_money_round_cash (1028, "CHF"), 1030);
  ck_assert_int_eq (pos_money_round_cash (-1003, "CHF"), -1005);
  ck_assert_int_eq (pos_money_round_cash (-1002, "CHF"), -1000);
  ck_assert_int_eq (pos_money_round_cash (1050, "SEK"), 1100);
  ck_assert_int_eq (pos_money_round_cash (1049, "SEK"), 1000);
  ck_assert_int_eq (pos_money_round_cash (0, "SEK"), 0);
}
END_TEST

static gint64
sum_of (const gint64 *parts, guint n)
{
  gint64 s = 0;

  for (guint i = 0; i < n; i++)
    s += parts[i];
  return s;
}

START_TEST (test_allocate)
{
  gint64 parts[5];

  {
    const gint64 w[] = { 1, 1, 1 };
    pos_money_allocate (100, w, 3, parts);
    ck_assert_int_eq (parts[0], 34);
    ck_assert_int_eq (parts[1], 33);
    ck_assert_int_eq (parts[2], 33);
    pos_money_allocate (-100, w, 3, parts);
    ck_assert_int_eq (parts[0], -34);
    ck_assert_int_eq (parts[1], -33);
    ck_assert_int_eq (parts[2], -33);
  }
  {
    /* largest remainder, not first come */
    const gint64 w[] = { 1000, 2999, 6001 };
    pos_money_allocate (100, w, 3, parts); /* 10, 29.99, 60.01 */
    ck_assert_int_eq (parts[0], 10);
    ck_assert_int_eq (parts[1], 30);
    ck_assert_int_eq (parts[2], 60);
  }
  {
    const gint64 w[] = { 0, 5, 0, 0 };
    pos_money_allocate (100, w, 4, parts);
    ck_assert_int_eq (parts[0], 0);
    ck_assert_int_eq (parts[1], 100);
    ck_assert_int_eq (parts[2], 0);
    ck_assert_int_eq (parts[3], 0);
  }
  {
    const gint64 w[] = { 0, 0, 0 };
    pos_money_allocate (10, w, 3, parts);
    ck_assert_int_eq (parts[0], 4);
    ck_assert_int_eq (parts[1], 3);
    ck_assert_int_eq (parts[2], 3);
  }
  {
    const gint64 w[] = { 7 };
    pos_money_allocate (12345, w, 1, parts);
    ck_assert_int_eq (parts[0], 12345);
    pos_money_allocate (0, w, 1, parts);
    ck_assert_int_eq (parts[0], 0);
  }
  {
    const gint64 w[] = { 0, 1 };
    pos_money_allocate (G_MININT64, w, 2, parts);
    ck_assert_int_eq (parts[0], 0);
    ck_assert_int_eq (parts[1], G_MININT64);
    pos_money_allocate (G_MAXINT64, w, 2, parts);
    ck_assert_int_eq (parts[1], G_MAXINT64);
  }
  {
    const gint64 w[] = { G_MAXINT64, G_MAXINT64, 1 };
    pos_money_allocate (G_MAXINT64, w, 3, parts);
    /* M = 2k+1: shares k+0.25, k+0.25, 0.4999...: the spare unit goes to
     * the largest remainder, the third */
    ck_assert_int_eq (parts[0], G_MAXINT64 / 2);
    ck_assert_int_eq (parts[1], G_MAXINT64 / 2);
    ck_assert_int_eq (parts[2], 1);
  }
  {
    /* a negative weight counts as zero */
    const gint64 w[] = { -5, 5 };
    pos_money_allocate (10, w, 2, parts);
    ck_assert_int_eq (parts[0], 0);
    ck_assert_int_eq (parts[1], 10);
  }
  pos_money_allocate (100, NULL, 0, NULL); /* n = 0: nothing to do */
}
END_TEST

START_TEST (test_allocate_random)
{
  GRand *rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 2000; round++)
    {
      guint n = (guint) g_rand_int_range (rand, 1, 30);
      g_autofree gint64 *w = g_new0 (gint64, n);
      g_autofree gint64 *parts = g_new0 (gint64, n);
      g_autofree gint64 *again = g_new0 (gint64, n);
      gint64 total = g_rand_int_range (rand, -1000000, 1000000);
      __int128 wsum = 0;

      for (guint i = 0; i < n; i++)
        {
          w[i] = g_rand_boolean (rand) ? g_rand_int_range (rand, 0, 100000) : 0;
          wsum += w[i];
        }
      pos_money_allocate (total, w, n, parts);
      pos_money_allocate (total, w, n, again);
      ck_assert_int_eq (sum_of (parts, n), total);
      ck_assert_mem_eq (parts, again, n * sizeof (gint64));
      if (wsum > 0)
        for (guint i = 0; i < n; i++)
          {
            /* each part within one minor unit of its exact share */
            __int128 exact_num = (__int128) total * w[i];
            __int128 diff = (__int128) parts[i] * wsum - exact_num;

            if (diff < 0)
              diff = -diff;
            ck_assert_msg (diff < wsum, "part %u off by more than 1", i);
            if (w[i] == 0)
              ck_assert_int_eq (parts[i], 0);
          }
    }
  g_rand_free (rand);
}
END_TEST

static Suite *
money_suite (void)
{
  Suite *s = suite_create ("money");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_currencies);
  tcase_add_test (tc, test_format_locales);
  tcase_add_test (tc, test_format_extremes);
  tcase_add_test (tc, test_format_plain);
  tcase_add_test (tc, test_format_process_locale);
  tcase_add_test (tc, test_parse_pt_br);
  tcase_add_test (tc, test_parse_other_locales);
  tcase_add_test (tc, test_parse_rejects);
  tcase_add_test (tc, test_parse_limits);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_mul_div);
  tcase_add_test (tc, test_round_cash);
  tcase_add_test (tc, test_allocate);
  tcase_add_test (tc, test_allocate_random);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (money_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
