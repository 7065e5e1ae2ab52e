/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-gs1"

#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-gs1.h"

/* Parses data, expects success, returns the elements. */
static GPtrArray *
parse_ok (const char *data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *elements = pos_gs1_parse (data, 2024, &error);

  ck_assert_msg (elements != NULL, "“%s” should parse: %s", data,
                 error != NULL ? error->message : "?");
  ck_assert_ptr_null (error);
  return elements;
}

static void
assert_element (GPtrArray  *elements,
                guint       index,
                const char *ai,
                const char *value)
{
  PosGs1Element *e;

  ck_assert_uint_gt (elements->len, index);
  e = g_ptr_array_index (elements, index);
  ck_assert_str_eq (e->ai, ai);
  ck_assert_str_eq (e->value, value);
  ck_assert_ptr_nonnull (e->title);
}

/* Parses data, expects failure with code and a message containing needle. */
static void
parse_fails (const char *data,
             int         code,
             const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) elements = pos_gs1_parse (data, 2024, &error);

  ck_assert_msg (elements == NULL, "“%s” should not parse", data);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, POS_BARCODE_ERROR, code),
                 "“%s”: expected error code %d, got %d: %s", data, code, error->code, error->message);
  if (needle != NULL)
    ck_assert_msg (strstr (error->message, needle) != NULL,
                   "“%s”: message “%s” should contain “%s”", data, error->message, needle);
}

START_TEST (test_table_lengths)
{
  static const struct { const char *ai; guint min, max; gboolean numeric_only; } expect[] = {
    { "00", 18, 18, TRUE }, { "01", 14, 14, TRUE }, { "02", 14, 14, TRUE },
    { "10", 1, 20, FALSE }, { "11", 6, 6, TRUE }, { "17", 6, 6, TRUE },
    { "20", 2, 2, TRUE }, { "21", 1, 20, FALSE }, { "22", 1, 20, FALSE },
    { "235", 1, 28, FALSE }, { "240", 1, 30, FALSE }, { "242", 1, 6, TRUE },
    { "243", 1, 20, FALSE }, { "253", 13, 30, FALSE }, { "254", 1, 20, FALSE },
    { "255", 13, 25, TRUE }, { "30", 1, 8, TRUE }, { "3103", 6, 6, TRUE },
    { "3695", 6, 6, TRUE }, { "37", 1, 8, TRUE }, { "3901", 1, 15, TRUE },
    { "3912", 4, 18, TRUE }, { "3922", 1, 15, TRUE }, { "3932", 4, 18, TRUE },
    { "3941", 4, 4, TRUE }, { "3955", 6, 6, TRUE }, { "400", 1, 30, FALSE },
    { "402", 17, 17, TRUE }, { "410", 13, 13, TRUE }, { "417", 13, 13, TRUE },
    { "421", 4, 12, FALSE }, { "422", 3, 3, TRUE }, { "423", 3, 15, TRUE },
    { "427", 1, 3, FALSE }, { "4300", 1, 35, FALSE }, { "4302", 1, 70, FALSE },
    { "4307", 2, 2, FALSE }, { "4309", 20, 20, TRUE }, { "4321", 1, 1, TRUE },
    { "7001", 13, 13, TRUE }, { "7003", 10, 10, TRUE }, { "7007", 6, 12, TRUE },
    { "7035", 4, 30, FALSE }, { "710", 1, 20, FALSE }, { "7239", 3, 30, FALSE },
    { "7240", 1, 20, FALSE }, { "8001", 14, 14, TRUE }, { "8003", 14, 30, FALSE },
    { "8006", 18, 18, TRUE }, { "8007", 1, 34, FALSE }, { "8008", 8, 12, TRUE },
    { "8017", 18, 18, TRUE }, { "8030", 1, 90, FALSE }, { "8200", 1, 70, FALSE },
    { "90", 1, 30, FALSE }, { "91", 1, 90, FALSE }, { "99", 1, 90, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      const PosGs1AiInfo *info = pos_gs1_lookup_ai (expect[i].ai, strlen (expect[i].ai));

      ck_assert_msg (info != NULL, "AI %s missing", expect[i].ai);
      ck_assert_uint_eq (info->ai_len, strlen (expect[i].ai));
      ck_assert_msg (info->min_len == expect[i].min && info->max_len == expect[i].max,
                     "AI %s: %u..%u, expected %u..%u", expect[i].ai,
                     info->min_len, info->max_len, expect[i].min, expect[i].max);
      ck_assert_int_eq (info->charset == POS_GS1_CHARSET_NUMERIC || info->n_digits >= info->max_len,
                        expect[i].numeric_only);
    }

  /* not AIs */
  ck_assert_ptr_null (pos_gs1_lookup_ai ("04", 2));
  ck_assert_ptr_null (pos_gs1_lookup_ai ("3106", 4));   /* 310n: n up to 5 */
  ck_assert_ptr_null (pos_gs1_lookup_ai ("3944", 4));   /* 394n: n up to 3 */
  ck_assert_ptr_null (pos_gs1_lookup_ai ("392", 3));    /* needs its 4th digit */
  ck_assert_ptr_null (pos_gs1_lookup_ai ("1", 1));
  ck_assert_ptr_null (pos_gs1_lookup_ai ("716", 3));

  ck_assert (pos_gs1_ai_is_predefined ("01"));
  ck_assert (pos_gs1_ai_is_predefined ("3103"));
  ck_assert (pos_gs1_ai_is_predefined ("410"));
  ck_assert (!pos_gs1_ai_is_predefined ("10"));
  ck_assert (!pos_gs1_ai_is_predefined ("3922"));
  ck_assert (!pos_gs1_ai_is_predefined ("7003"));
}
END_TEST

/* A valid value for an AI, built from its table entry. */
static char *
make_value (const PosGs1AiInfo *info,
            const char         *ai,
            guint               len)
{
  char *v = g_malloc0 (len + 1);

  for (guint i = 0; i < len; i++)
    v[i] = (i < info->n_digits || info->charset == POS_GS1_CHARSET_NUMERIC)
           ? (char) ('1' + i % 9) : (char) ('A' + i % 26);

  if (info->flags & (POS_GS1_FLAG_DATE | POS_GS1_FLAG_DATE_RANGE))
    {
      static const char date_time[] = "2501311230451231";
      memcpy (v, date_time, MIN (len, 12));
      if (len == 12 && (info->flags & POS_GS1_FLAG_DATE_RANGE))
        memcpy (v, "250131250228", 12);
    }
  if (info->flags & POS_GS1_FLAG_CURRENCY)
    memcpy (v, "986", 3);
  if (g_str_has_prefix (ai, "433") && len == 7)
    v[6] = '-';
  if (g_str_equal (ai, "421") || g_str_equal (ai, "422") || g_str_equal (ai, "424") ||
      g_str_equal (ai, "426") || g_str_equal (ai, "423") || g_str_equal (ai, "425"))
    memcpy (v, "076", 3);
  if (info->charset == POS_GS1_CHARSET_39)
    for (guint i = 0; i < len; i++)
      if (!g_ascii_isdigit (v[i]))
        v[i] = 'Z';
  if (info->check_len > 0)
    {
      int sum = 0;
      const char *d = v + info->check_offset;
      guint n = info->check_len - 1;

      for (guint i = 0; i < n; i++)
        sum += (d[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
      v[info->check_offset + n] = (char) ('0' + (10 - sum % 10) % 10);
    }

  return v;
}

/* Every AI in the table, with every varying last digit, at its minimum and
 * maximum length: parses in the human-readable and transmitted forms, ended
 * by the end of data and by a GS before another element; one character
 * more than the maximum (and less than the minimum) is refused. */
START_TEST (test_every_ai)
{
  guint n_entries;
  const PosGs1AiInfo *table = pos_gs1_ai_table (&n_entries);
  guint n_checked = 0;

  ck_assert_uint_ge (n_entries, 200);

  for (guint i = 0; i < n_entries; i++)
    {
      const PosGs1AiInfo *info = &table[i];
      gsize plen = strlen (info->prefix);
      guint last_max = plen < info->ai_len ? info->last_max : 0;
      guint last_min = plen < info->ai_len ? info->last_min : 0;

      for (guint last = last_min; last <= last_max; last++)
        {
          g_autofree char *ai = plen < info->ai_len
                                ? g_strdup_printf ("%s%u", info->prefix, last)
                                : g_strdup (info->prefix);
          guint lens[2] = { info->min_len, info->max_len };

          ck_assert_ptr_eq (pos_gs1_lookup_ai (ai, strlen (ai)), info);

          for (guint k = 0; k < 2; k++)
            {
              guint len = lens[k];
              g_autofree char *value = NULL;
              g_autofree char *paren = NULL;
              g_autofree char *plain = NULL;
              g_autofree char *two = NULL;
              g_autoptr(GPtrArray) e1 = NULL;
              g_autoptr(GPtrArray) e2 = NULL;
              g_autoptr(GPtrArray) e3 = NULL;

              if ((info->flags & POS_GS1_FLAG_DATE) && len > 6 && len % 2 != 0)
                continue;   /* date-times have whole time parts */
              if ((info->flags & POS_GS1_FLAG_CURRENCY) && len < 4)
                continue;
              if ((info->flags & POS_GS1_FLAG_DATE_RANGE) && len != 6 && len != 12)
                continue;

              value = make_value (info, ai, len);
              paren = g_strdup_printf ("(%s)%s", ai, value);
              plain = g_strdup_printf ("%s%s", ai, value);
              two = g_strdup_printf ("%s%s%s0109501101530003", ai, value,
                                     pos_gs1_ai_is_predefined (ai) && info->min_len == info->max_len ? "" : "\x1d");

              e1 = parse_ok (paren);
              ck_assert_uint_eq (e1->len, 1);
              assert_element (e1, 0, ai, value);
              e2 = parse_ok (plain);
              ck_assert_uint_eq (e2->len, 1);
              assert_element (e2, 0, ai, value);
              if (!g_str_equal (ai, "01"))
                {
                  e3 = parse_ok (two);
                  ck_assert_uint_eq (e3->len, 2);
                  assert_element (e3, 0, ai, value);
                  assert_element (e3, 1, "01", "09501101530003");
                }
              n_checked++;
            }

          /* overlong */
          {
            g_autofree char *value = make_value (info, ai, info->max_len + 1);
            g_autofree char *paren = g_strdup_printf ("(%s)%s", ai, value);
            parse_fails (paren, POS_BARCODE_ERROR_LENGTH, ai);
          }
          /* truncated */
          if (info->min_len > 1)
            {
              g_autofree char *value = make_value (info, ai, info->min_len);
              g_autofree char *paren = NULL;
              g_autofree char *plain = NULL;

              value[info->min_len - 1] = '\0';
              paren = g_strdup_printf ("(%s)%s", ai, value);
              plain = g_strdup_printf ("%s%s", ai, value);
              parse_fails (paren, POS_BARCODE_ERROR_LENGTH, "truncated");
              parse_fails (plain, POS_BARCODE_ERROR_LENGTH, "truncated");
            }
        }
    }

  ck_assert_uint_gt (n_checked, 400);
}
END_TEST

START_TEST (test_main_groups)
{
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;

  /* SSCC, GTIN, content, dates, variant, count */
  a = parse_ok ("00106141411234567897" "0209501101530003" "11240229" "13240301" "15250100"
                "16250615" "17261231" "2001" "3024\x1d" "3712");
  ck_assert_uint_eq (a->len, 10);
  assert_element (a, 0, "00", "106141411234567897");
  assert_element (a, 1, "02", "09501101530003");
  assert_element (a, 2, "11", "240229");
  assert_element (a, 3, "13", "240301");
  assert_element (a, 4, "15", "250100");
  assert_element (a, 5, "16", "250615");
  assert_element (a, 6, "17", "261231");
  assert_element (a, 7, "20", "01");
  assert_element (a, 8, "30", "24");
  assert_element (a, 9, "37", "12");

  b = parse_ok ("(01)09501101530003(10)LOT-7/A(21)SN-1(22)CPV(235)TPX1(240)ADD(241)CUST"
                "(242)123456(243)PCN(250)SEC(251)REF(253)9521234543213ABC(254)EXT"
                "(255)9521234543213123(37)12(90)INTERNAL(91)X(99)Y");
  ck_assert_uint_eq (b->len, 18);
  assert_element (b, 1, "10", "LOT-7/A");
  assert_element (b, 2, "21", "SN-1");
  assert_element (b, 4, "235", "TPX1");
  assert_element (b, 7, "242", "123456");
  assert_element (b, 11, "253", "9521234543213ABC");
  assert_element (b, 13, "255", "9521234543213123");
  assert_element (b, 14, "37", "12");
  assert_element (b, 16, "91", "X");
  assert_element (b, 17, "99", "Y");
}
END_TEST

START_TEST (test_measures_amounts)
{
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;
  g_autofree char *d3 = NULL;
  g_autofree char *d4 = NULL;
  g_autofree char *d5 = NULL;
  gint64 v;

  a = parse_ok ("01095011015300033103001500" "3202000150" "3300012345" "3655000010"
                "3922" "1299\x1d" "3932" "986450\x1d" "3911" "84012345\x1d" "3901" "5\x1d" "3941" "0150\x1d" "3952" "001999");
  ck_assert_uint_eq (a->len, 11);
  assert_element (a, 1, "3103", "001500");
  assert_element (a, 2, "3202", "000150");
  assert_element (a, 3, "3300", "012345");
  assert_element (a, 4, "3655", "000010");
  assert_element (a, 5, "3922", "1299");
  assert_element (a, 6, "3932", "986450");
  assert_element (a, 7, "3911", "84012345");
  assert_element (a, 8, "3901", "5");
  assert_element (a, 9, "3941", "0150");
  assert_element (a, 10, "3952", "001999");

  /* 392n without its GS runs into the next AI: refused as too long */
  parse_fails ("3922129999" "3103001500", POS_BARCODE_ERROR_LENGTH, NULL);
  /* 310n: n = 6 does not exist */
  parse_fails ("3106001500", POS_BARCODE_ERROR_UNKNOWN_AI, "3106");
  /* amounts are digits */
  parse_fails ("(3922)12,99", POS_BARCODE_ERROR_INVALID_CHARACTER, "digits only");

  d1 = pos_gs1_decimal_string ("001500", 3);
  ck_assert_str_eq (d1, "1.500");
  d2 = pos_gs1_decimal_string ("1299", 2);
  ck_assert_str_eq (d2, "12.99");
  d3 = pos_gs1_decimal_string ("5", 3);
  ck_assert_str_eq (d3, "0.005");
  d4 = pos_gs1_decimal_string ("000010", 0);
  ck_assert_str_eq (d4, "10");
  d5 = pos_gs1_decimal_string ("000000", 2);
  ck_assert_str_eq (d5, "0.00");

  ck_assert (pos_gs1_scale ("001500", 3, 3, &v));
  ck_assert_int_eq (v, 1500);
  ck_assert (pos_gs1_scale ("001500", 2, 3, &v));   /* 15.00 kg */
  ck_assert_int_eq (v, 15000);
  ck_assert (pos_gs1_scale ("012345", 5, 3, &v));   /* 0.12345 kg -> 123 g (half up) */
  ck_assert_int_eq (v, 123);
  ck_assert (pos_gs1_scale ("012355", 5, 3, &v));   /* 0.12355 -> 124 */
  ck_assert_int_eq (v, 124);
  ck_assert (pos_gs1_scale ("1299", 2, 2, &v));
  ck_assert_int_eq (v, 1299);
  ck_assert (pos_gs1_scale ("5", 0, 2, &v));
  ck_assert_int_eq (v, 500);
  ck_assert (!pos_gs1_scale ("12a", 0, 2, &v));
  ck_assert (!pos_gs1_scale ("", 0, 2, &v));
  ck_assert (!pos_gs1_scale ("999999999999999999", 0, 2, &v));   /* overflows */

  /* currencies */
  {
    const char *alpha = NULL;
    guint exponent = 99;

    ck_assert (pos_gs1_currency_lookup ("986", &alpha, &exponent));
    ck_assert_str_eq (alpha, "BRL");
    ck_assert_uint_eq (exponent, 2);
    ck_assert (pos_gs1_currency_lookup ("152", &alpha, &exponent));
    ck_assert_str_eq (alpha, "CLP");
    ck_assert_uint_eq (exponent, 0);
    ck_assert (!pos_gs1_currency_lookup ("999", &alpha, &exponent));
  }

  b = parse_ok ("(3103)001500");
  assert_element (b, 0, "3103", "001500");
}
END_TEST

START_TEST (test_logistics_groups)
{
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;

  a = parse_ok ("(400)PO-123(401)GINC1(402)12345678901234560(403)ROUTE"
                "(410)7891234567895(411)7891234567895(412)7891234567895(413)7891234567895"
                "(414)7891234567895(415)7891234567895(416)7891234567895(417)7891234567895"
                "(420)01310-100(421)07601310100(422)076(423)076032(424)076(425)076(426)076(427)SP");
  ck_assert_uint_eq (a->len, 20);
  assert_element (a, 2, "402", "12345678901234560");
  assert_element (a, 4, "410", "7891234567895");
  assert_element (a, 11, "417", "7891234567895");
  assert_element (a, 13, "421", "07601310100");
  assert_element (a, 19, "427", "SP");

  b = parse_ok ("(4300)ACME(4301)Maria(4302)Rua-A,1(4307)BR(4309)12345678901234567890"
                "(4310)X(4317)BR(4318)01310100(4321)1(4322)0(4323)1(4324)2501011200(4325)2501021800"
                "(4326)250103(4330)002500-(4333)000500");
  ck_assert_uint_eq (b->len, 16);
  assert_element (b, 4, "4309", "12345678901234567890");
  assert_element (b, 14, "4330", "002500-");
  parse_fails ("(4330)002500+", POS_BARCODE_ERROR_INVALID_CHARACTER, "“-”");

  c = parse_ok ("(7001)1234567890123(7002)MEAT(7003)2501311259(7004)12(7005)FAO27(7006)250101"
                "(7007)250101250131(7008)COD(7009)NET(7010)01(7011)2501011200(7020)R1(7023)G1"
                "(7030)076ABC(710)PZN1(715)NDC1(7230)XXCERT(7240)PROT(8001)12345678901234"
                "(8002)CMT(8003)01234567890128ABC(8004)GIAI1(8005)001299(8006)095011015300030102"
                "(8007)BR1500000000000000000000000P1(8008)25010112(8010)ZZ-1(8011)12(8012)V1"
                "(8013)GMN(8017)095011010000000001(8018)095011010000000001(8019)123(8020)REF"
                "(8026)095011015300030102(8030)abc_-=(8110)COUPON(8111)0100(8112)PC(8200)https://example.com/x");
  ck_assert_uint_eq (c->len, 40);
  assert_element (c, 2, "7003", "2501311259");
  assert_element (c, 20, "8003", "01234567890128ABC");
  assert_element (c, 39, "8200", "https://example.com/x");
}
END_TEST

START_TEST (test_separators)
{
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  g_autoptr(GPtrArray) d = NULL;

  /* variable length ended by GS, then by the end */
  a = parse_ok ("0109501101530003" "10ABC123\x1d" "21SN42");
  ck_assert_uint_eq (a->len, 3);
  assert_element (a, 1, "10", "ABC123");
  assert_element (a, 2, "21", "SN42");

  /* leading FNC1 as GS, GS after a predefined-length AI is tolerated */
  b = parse_ok ("\x1d" "0109501101530003\x1d" "17250101");
  ck_assert_uint_eq (b->len, 2);
  assert_element (b, 1, "17", "250101");

  /* missing GS: the lot swallows the serial, which makes it too long */
  parse_fails ("0109501101530003" "10ABCDEFGHIJKL" "21XYZ123456", POS_BARCODE_ERROR_LENGTH,
               "GS separator may be missing");
  /* missing GS after a numeric variable-length AI: a letter where digits go */
  parse_fails ("3012" "10ABC", POS_BARCODE_ERROR_INVALID_CHARACTER, "(30)");

  /* the human-readable form, with spaces between elements */
  c = parse_ok ("(01)09501101530003 (17)250101 (10)ABC");
  ck_assert_uint_eq (c->len, 3);
  assert_element (c, 0, "01", "09501101530003");
  assert_element (c, 2, "10", "ABC");

  /* the same AI twice with the same value counts once; different: refused */
  d = parse_ok ("(10)A(10)A");
  ck_assert_uint_eq (d->len, 1);
  parse_fails ("(10)A(10)B", POS_BARCODE_ERROR_GS1, "twice");
}
END_TEST

START_TEST (test_errors)
{
  g_autoptr(GError) error = NULL;

  parse_fails ("", POS_BARCODE_ERROR_EMPTY, NULL);
  parse_fails ("\x1d", POS_BARCODE_ERROR_EMPTY, NULL);
  /* truncated: in the middle of a fixed value, of an AI, a value-less AI */
  parse_fails ("010950110153000", POS_BARCODE_ERROR_LENGTH, "truncated");
  parse_fails ("01095011015300031", POS_BARCODE_ERROR_LENGTH, "truncated");
  parse_fails ("0109501101530003310", POS_BARCODE_ERROR_LENGTH, "truncated");
  parse_fails ("010950110153000310", POS_BARCODE_ERROR_LENGTH, "no value");
  parse_fails ("0109501101530003" "10\x1d" "21A", POS_BARCODE_ERROR_LENGTH, "no value");
  parse_fails ("(10)", POS_BARCODE_ERROR_LENGTH, "no value");
  /* overlong */
  parse_fails ("(01)095011015300031", POS_BARCODE_ERROR_LENGTH, "exactly 14");
  parse_fails ("(10)123456789012345678901", POS_BARCODE_ERROR_LENGTH, "at most 20");
  parse_fails ("(8200)" "https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
               POS_BARCODE_ERROR_LENGTH, "at most 70");
  /* unknown AIs */
  parse_fails ("0409501101530003", POS_BARCODE_ERROR_UNKNOWN_AI, "04");
  parse_fails ("(04)1", POS_BARCODE_ERROR_UNKNOWN_AI, "(04)");
  parse_fails ("(1)1", POS_BARCODE_ERROR_UNKNOWN_AI, NULL);
  parse_fails ("(0A)1", POS_BARCODE_ERROR_UNKNOWN_AI, NULL);
  parse_fails ("0109501101530003" "AB12", POS_BARCODE_ERROR_UNKNOWN_AI, "AB12");
  /* check digits */
  parse_fails ("0109501101530004", POS_BARCODE_ERROR_CHECK_DIGIT, "check digit should be 3, not 4");
  parse_fails ("00106141411234567890", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 7, not 0");
  parse_fails ("(02)09501101530000", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 3");
  parse_fails ("(410)7891234567890", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 5");
  /* characters */
  parse_fails ("01O9501101530003", POS_BARCODE_ERROR_INVALID_CHARACTER, "character 1");
  parse_fails ("(10)AB CD", POS_BARCODE_ERROR_INVALID_CHARACTER, NULL);
  parse_fails ("(10)AÇ", POS_BARCODE_ERROR_INVALID_CHARACTER, NULL);
  parse_fails ("(8010)abc", POS_BARCODE_ERROR_INVALID_CHARACTER, NULL);  /* CSET 39: capitals */
  /* dates */
  parse_fails ("17251301", POS_BARCODE_ERROR_GS1, "not a valid date");
  parse_fails ("17250230", POS_BARCODE_ERROR_GS1, "not a valid date");
  parse_fails ("(7006)250100", POS_BARCODE_ERROR_GS1, NULL);   /* DD=00 only for 11-17 */
  parse_fails ("(7003)2501012460", POS_BARCODE_ERROR_GS1, NULL);
  /* malformed parenthesised form */
  parse_fails ("(01)09501101530003)", POS_BARCODE_ERROR_LENGTH, NULL);
  parse_fails ("(10)AB~", POS_BARCODE_ERROR_INVALID_CHARACTER, "“~”");
  parse_fails ("(0109501101530003", POS_BARCODE_ERROR_GS1, "closing");

  g_assert_null (pos_gs1_parse ("(01", 2024, &error));
  ck_assert (g_error_matches (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1));
}
END_TEST

static void
assert_date (const char *yymmdd,
             int         year,
             gboolean    day00,
             const char *iso)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = pos_gs1_date_to_iso (yymmdd, year, day00, &error);

  if (iso == NULL)
    {
      ck_assert_msg (got == NULL, "%s should be refused, got %s", yymmdd, got);
      ck_assert_ptr_nonnull (error);
    }
  else
    {
      ck_assert_msg (got != NULL, "%s: %s", yymmdd, error != NULL ? error->message : "?");
      ck_assert_str_eq (got, iso);
    }
}

START_TEST (test_dates)
{
  g_autofree char *now_iso = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *yymmdd = g_date_time_format (now, "%y%m%d");

  /* century rule, reference 2024 (YY=24): up to 49 ahead, 50 behind */
  assert_date ("250101", 2024, FALSE, "2025-01-01");
  assert_date ("730101", 2024, FALSE, "2073-01-01");   /* +49: this century */
  assert_date ("740101", 2024, FALSE, "2074-01-01");   /* +50: still */
  assert_date ("750101", 2024, FALSE, "1975-01-01");   /* +51: previous */
  assert_date ("990101", 2024, FALSE, "1999-01-01");
  assert_date ("000101", 2024, FALSE, "2000-01-01");
  /* reference 2090 (YY=90): 40 is -50 -> next century */
  assert_date ("400101", 2090, FALSE, "2140-01-01");
  assert_date ("410101", 2090, FALSE, "2041-01-01");
  /* reference 1999 */
  assert_date ("490101", 1999, FALSE, "2049-01-01");
  assert_date ("500101", 1999, FALSE, "1950-01-01");

  /* DD = 00: last day of the month, leap years included */
  assert_date ("240200", 2024, TRUE, "2024-02-29");
  assert_date ("250200", 2024, TRUE, "2025-02-28");
  assert_date ("241200", 2024, TRUE, "2024-12-31");
  assert_date ("240400", 2024, TRUE, "2024-04-30");
  assert_date ("240200", 2024, FALSE, NULL);

  /* invalid */
  assert_date ("241301", 2024, FALSE, NULL);
  assert_date ("240001", 2024, FALSE, NULL);
  assert_date ("240431", 2024, FALSE, NULL);
  assert_date ("230229", 2024, FALSE, NULL);
  assert_date ("24010", 2024, FALSE, NULL);
  assert_date ("24O101", 2024, FALSE, NULL);

  /* reference 0 = today */
  now_iso = g_date_time_format (now, "%Y-%m-%d");
  assert_date (yymmdd, 0, FALSE, now_iso);
}
END_TEST

static Suite *
gs1_suite (void)
{
  Suite *s = suite_create ("gs1");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_table_lengths);
  tcase_add_test (tc, test_every_ai);
  tcase_add_test (tc, test_main_groups);
  tcase_add_test (tc, test_measures_amounts);
  tcase_add_test (tc, test_logistics_groups);
  tcase_add_test (tc, test_separators);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_dates);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (gs1_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
