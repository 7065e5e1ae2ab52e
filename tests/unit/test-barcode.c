/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-barcode"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-barcode.h"

static void
assert_error (const GError *error,
              int           code,
              const char   *needle)
{
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (error->domain == POS_BARCODE_ERROR && error->code == code,
                 "expected error %d, got %d: %s", code, error->code, error->message);
  if (needle != NULL)
    ck_assert_msg (strstr (error->message, needle) != NULL,
                   "message “%s” should contain “%s”", error->message, needle);
}

static PosBarcode *
parse_ok (const char *raw)
{
  g_autoptr(GError) error = NULL;
  guint n_rules;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n_rules);
  PosBarcode *barcode = pos_barcode_parse (raw, rules, n_rules, &error);

  ck_assert_msg (barcode != NULL, "“%s” should parse: %s", raw, error ? error->message : "?");
  ck_assert_str_eq (barcode->raw, raw);
  return barcode;
}

static void
parse_fails (const char *raw,
             int         code,
             const char *needle)
{
  g_autoptr(GError) error = NULL;
  guint n_rules;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n_rules);
  g_autoptr(PosBarcode) barcode = pos_barcode_parse (raw, rules, n_rules, &error);

  ck_assert_msg (barcode == NULL, "“%s” should be refused", raw != NULL ? raw : "(null)");
  assert_error (error, code, needle);
}

/* ---- GTIN ---- */

START_TEST (test_check_digit)
{
  ck_assert_int_eq (pos_gtin_check_digit ("789100031550", 12), 7);
  ck_assert_int_eq (pos_gtin_check_digit ("9638507", 7), 4);
  ck_assert_int_eq (pos_gtin_check_digit ("03600029145", 11), 2);
  ck_assert_int_eq (pos_gtin_check_digit ("1001234567890", 13), 2);
  ck_assert_int_eq (pos_gtin_check_digit ("0000000", 7), 0);
  ck_assert_int_eq (pos_gtin_check_digit ("78910003155X", 12), -1);
}
END_TEST

START_TEST (test_gtin_validate)
{
  static const char *valid[] = {
    "96385074", "01234565",                 /* GTIN-8 */
    "036000291452", "012000003455",         /* GTIN-12 */
    "7891000315507", "4006381333931",       /* GTIN-13 */
    "10012345678902", "07891000315507",     /* GTIN-14 */
  };
  static const struct { const char *code; int err; const char *needle; } invalid[] = {
    { "96385075", POS_BARCODE_ERROR_CHECK_DIGIT, "check digit should be 4, not 5" },
    { "036000291453", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 2, not 3" },
    { "7891000315500", POS_BARCODE_ERROR_CHECK_DIGIT, "check digit should be 7, not 0" },
    { "10012345678903", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 2, not 3" },
    { "", POS_BARCODE_ERROR_EMPTY, NULL },
    { "9638507", POS_BARCODE_ERROR_LENGTH, "7 digits" },
    { "78910003155070", POS_BARCODE_ERROR_CHECK_DIGIT, NULL },
    { "789100031550700", POS_BARCODE_ERROR_LENGTH, "15 digits" },
    { "78910003155O7", POS_BARCODE_ERROR_INVALID_CHARACTER, "“O”" },
    { "7891000 315507", POS_BARCODE_ERROR_INVALID_CHARACTER, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      ck_assert_msg (pos_gtin_validate (valid[i], &error), "%s: %s", valid[i],
                     error ? error->message : "");
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      ck_assert_msg (!pos_gtin_validate (invalid[i].code, &error), "%s", invalid[i].code);
      assert_error (error, invalid[i].err, invalid[i].needle);
    }
}
END_TEST

START_TEST (test_upce)
{
  /* every last digit (0-2, 3, 4, 5-9) for both number systems 0 and 1 */
  static const char *cases[][2] = {
    { "01234505", "012000003455" }, { "01234514", "012100003454" },
    { "01234523", "012200003453" }, { "01234531", "012300000451" },
    { "01234543", "012340000053" }, { "01234558", "012345000058" },
    { "01234565", "012345000065" }, { "01234572", "012345000072" },
    { "01234589", "012345000089" }, { "01234596", "012345000096" },
    { "11234502", "112000003452" }, { "11234511", "112100003451" },
    { "11234520", "112200003450" }, { "11234538", "112300000458" },
    { "11234540", "112340000050" }, { "11234555", "112345000055" },
    { "11234562", "112345000062" }, { "11234579", "112345000079" },
    { "11234586", "112345000086" }, { "11234593", "112345000093" },
    { "04252614", "042100005264" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *upca = pos_upce_to_upca (cases[i][0], &error);

      ck_assert_msg (upca != NULL, "%s: %s", cases[i][0], error ? error->message : "");
      ck_assert_str_eq (upca, cases[i][1]);
    }

  {
    g_autoptr(GError) error = NULL;
    ck_assert_ptr_null (pos_upce_to_upca ("01234506", &error));
    assert_error (error, POS_BARCODE_ERROR_CHECK_DIGIT, "should be 5, not 6");
  }
  {
    g_autoptr(GError) error = NULL;
    ck_assert_ptr_null (pos_upce_to_upca ("21234505", &error));
    assert_error (error, POS_BARCODE_ERROR_INVALID_CHARACTER, "number system");
  }
  {
    g_autoptr(GError) error = NULL;
    ck_assert_ptr_null (pos_upce_to_upca ("0123450", &error));
    assert_error (error, POS_BARCODE_ERROR_LENGTH, NULL);
  }
  {
    g_autoptr(GError) error = NULL;
    ck_assert_ptr_null (pos_upce_to_upca ("012345A5", &error));
    assert_error (error, POS_BARCODE_ERROR_INVALID_CHARACTER, NULL);
  }
  {
    g_autoptr(GError) error = NULL;
    ck_assert_ptr_null (pos_upce_to_upca ("", &error));
    assert_error (error, POS_BARCODE_ERROR_EMPTY, NULL);
  }
}
END_TEST

START_TEST (test_normalize)
{
  static const char *cases[][2] = {
    { "036000291452", "0036000291452" },     /* UPC-A -> EAN-13 */
    { "7891000315507", "7891000315507" },
    { "96385074", "96385074" },              /* EAN-8 stays */
    { "07891000315507", "7891000315507" },   /* GTIN-14, leading 0 */
    { "00036000291452", "0036000291452" },
    { "10012345678902", "10012345678902" },  /* real GTIN-14 */
    { "00000096385074", "96385074" },        /* GTIN-8 as 14 */
    { "0000096385074", "96385074" },         /* GTIN-8 as 13 */
    { "ABC-1", "ABC-1" },
    { "12345", "12345" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *n = pos_gtin_normalize (cases[i][0]);
      ck_assert_str_eq (n, cases[i][1]);
    }
}
END_TEST

/* ---- store rules ---- */

START_TEST (test_default_rules)
{
  guint n = 0;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n);

  ck_assert_uint_eq (n, 10);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      char prefix[3] = { '2', (char) ('0' + i), '\0' };

      ck_assert_msg (pos_barcode_rule_check (&rules[i], &error), "%s", rules[i].pattern);
      ck_assert (g_str_has_prefix (rules[i].pattern, prefix));
      ck_assert_int_eq (rules[i].kind, i < 3 ? POS_BARCODE_KIND_WEIGHT : POS_BARCODE_KIND_PRICE);
    }
}
END_TEST

START_TEST (test_weight_code)
{
  g_autoptr(PosBarcode) b = parse_ok ("2112345012346");
  g_autoptr(PosBarcode) b2 = parse_ok ("2012345999992");   /* 99.999 kg */
  g_autoptr(PosBarcode) b3 = parse_ok ("2212345000012");   /* 1 g */

  ck_assert_int_eq (b->kind, POS_BARCODE_KIND_WEIGHT);
  ck_assert_int_eq (b->weight_g, 1234);
  ck_assert_int_eq (b->price_minor, -1);
  ck_assert_str_eq (b->item_code, "2112345000000");
  ck_assert_str_eq (b->rule, "21.....{NNDDD}");
  ck_assert_str_eq (b->code, "2112345012346");
  ck_assert_ptr_null (b->gtin);
  ck_assert_int_eq (b->symbology, POS_SYMBOLOGY_EAN13);

  ck_assert_int_eq (b2->weight_g, 99999);
  ck_assert_str_eq (b2->item_code, "2012345000000");
  ck_assert_int_eq (b3->weight_g, 1);
  ck_assert_str_eq (b3->item_code, "2212345000000");

  /* bad check digit: says which one was expected */
  parse_fails ("2112345012349", POS_BARCODE_ERROR_CHECK_DIGIT, "check digit should be 6, not 9");
  /* zero weight */
  parse_fails ("2112345000008", POS_BARCODE_ERROR_RULE, "zero");
  /* wrong length: truncated 12, 11, 10 digits; overlong 14 */
  parse_fails ("211234501234", POS_BARCODE_ERROR_LENGTH, "12 digits, not 13");
  parse_fails ("21123450123", POS_BARCODE_ERROR_LENGTH, "11 digits");
  parse_fails ("2112345012", POS_BARCODE_ERROR_LENGTH, "10 digits");
  parse_fails ("21123450123460", POS_BARCODE_ERROR_LENGTH, "14 digits");
}
END_TEST

START_TEST (test_price_code)
{
  g_autoptr(PosBarcode) b = parse_ok ("2300123012996");
  g_autoptr(PosBarcode) plain = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert_int_eq (b->kind, POS_BARCODE_KIND_PRICE);
  ck_assert_int_eq (b->price_minor, 1299);
  ck_assert_str_eq (b->currency, "BRL");
  ck_assert_int_eq (b->weight_g, -1);
  ck_assert_str_eq (b->item_code, "2300123000000");
  ck_assert_str_eq (b->rule, "23.....{NNNDD}");

  parse_fails ("2300123012990", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 6, not 0");

  /* without rules the same code is a restricted-circulation GTIN-13 */
  plain = pos_barcode_parse ("2300123012996", NULL, 0, &error);
  ck_assert_ptr_nonnull (plain);
  ck_assert_int_eq (plain->kind, POS_BARCODE_KIND_GTIN);
  ck_assert_str_eq (plain->gtin, "2300123012996");
  ck_assert_ptr_null (plain->item_code);
}
END_TEST

START_TEST (test_custom_rules)
{
  const PosBarcodeRule rules[] = {
    { (char *) "20....{NNNDDD}.", POS_BARCODE_KIND_WEIGHT },  /* 13 positions, check last */
    { (char *) "2..{NNDD}", POS_BARCODE_KIND_PRICE },          /* EAN-8 */
    { (char *) "29.....{NNNNN}", POS_BARCODE_KIND_PRICE },     /* whole reais */
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PosBarcode) w = NULL;
  g_autoptr(PosBarcode) p8 = NULL;
  g_autoptr(PosBarcode) p = NULL;
  g_autofree char *enc = NULL;
  g_autofree char *enc8 = NULL;
  g_autofree char *enc29 = NULL;

  enc = pos_barcode_rule_encode (&rules[0], "201234", 2500, &error);
  ck_assert_ptr_nonnull (enc);
  ck_assert_str_eq (enc, "2012340025009");
  w = pos_barcode_parse (enc, rules, G_N_ELEMENTS (rules), &error);
  ck_assert_ptr_nonnull (w);
  ck_assert_int_eq (w->kind, POS_BARCODE_KIND_WEIGHT);
  ck_assert_int_eq (w->weight_g, 2500);
  ck_assert_str_eq (w->item_code, "2012340000000");

  enc8 = pos_barcode_rule_encode (&rules[1], "212", 1050, &error);
  ck_assert_ptr_nonnull (enc8);
  ck_assert_str_eq (enc8, "21210501");
  p8 = pos_barcode_parse (enc8, rules, G_N_ELEMENTS (rules), &error);
  ck_assert_ptr_nonnull (p8);
  ck_assert_int_eq (p8->kind, POS_BARCODE_KIND_PRICE);
  ck_assert_int_eq (p8->price_minor, 1050);
  ck_assert_str_eq (p8->item_code, "21200000");
  ck_assert_int_eq (p8->symbology, POS_SYMBOLOGY_EAN8);

  enc29 = pos_barcode_rule_encode (&rules[2], "2912345", 4200, &error);
  ck_assert_ptr_nonnull (enc29);
  p = pos_barcode_parse (enc29, rules, G_N_ELEMENTS (rules), &error);
  ck_assert_ptr_nonnull (p);
  ck_assert_int_eq (p->price_minor, 4200);

  /* values that do not fit */
  ck_assert_ptr_null (pos_barcode_rule_encode (&rules[2], "2912345", 4250, &error));
  assert_error (error, POS_BARCODE_ERROR_RULE, NULL);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_barcode_rule_encode (&rules[1], "212", 100000, &error));
  assert_error (error, POS_BARCODE_ERROR_RULE, NULL);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_barcode_rule_encode (&rules[1], "312", 100, &error));
  assert_error (error, POS_BARCODE_ERROR_RULE, NULL);
  g_clear_error (&error);
}
END_TEST

START_TEST (test_rule_helpers)
{
  guint n;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n);
  g_autoptr(GError) error = NULL;
  g_autofree char *item = NULL;
  g_autofree char *item2 = NULL;
  g_autofree char *code = NULL;
  static const PosBarcodeRule bad[] = {
    { (char *) "21.....NNDDD", POS_BARCODE_KIND_WEIGHT },      /* no group */
    { (char *) "21{NN}...{DDD}..", POS_BARCODE_KIND_WEIGHT },  /* two groups */
    { (char *) "21....{NNDDD}", POS_BARCODE_KIND_WEIGHT },     /* 11 positions */
    { (char *) "21......{NNDDD}", POS_BARCODE_KIND_WEIGHT },   /* 13, last not '.' */
    { (char *) "{NNDDD}.......", POS_BARCODE_KIND_WEIGHT },    /* no literal */
    { (char *) "21.....{DDNNN}", POS_BARCODE_KIND_WEIGHT },    /* D before N */
    { (char *) "21.....{NNDDD", POS_BARCODE_KIND_WEIGHT },     /* unclosed */
    { (char *) "2x.....{NNDDD}", POS_BARCODE_KIND_WEIGHT },
    { (char *) "21.....{NNDDD}", POS_BARCODE_KIND_GTIN },
  };

  item = pos_barcode_rule_item_code (&rules[1], "2112345", &error);
  ck_assert_str_eq (item, "2112345000000");
  item2 = pos_barcode_rule_item_code (&rules[1], "2112345012346", &error);
  ck_assert_str_eq (item2, "2112345000000");
  ck_assert_ptr_null (pos_barcode_rule_item_code (&rules[1], "2212345", &error));
  assert_error (error, POS_BARCODE_ERROR_RULE, NULL);
  g_clear_error (&error);

  code = pos_barcode_rule_encode (&rules[1], "2112345", 1234, &error);
  ck_assert_str_eq (code, "2112345012346");
  ck_assert_ptr_null (pos_barcode_rule_encode (&rules[1], "2112345", 100000, &error));
  assert_error (error, POS_BARCODE_ERROR_RULE, NULL);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      ck_assert_msg (!pos_barcode_rule_check (&bad[i], &e), "%s should be malformed", bad[i].pattern);
      assert_error (e, POS_BARCODE_ERROR_RULE, NULL);
    }
}
END_TEST

/* ---- parse ---- */

START_TEST (test_parse_gtins)
{
  g_autoptr(PosBarcode) ean13 = parse_ok ("7891000315507\r\n");
  g_autoptr(PosBarcode) upca = parse_ok ("036000291452");
  g_autoptr(PosBarcode) ean8 = parse_ok ("96385074");
  g_autoptr(PosBarcode) upce = parse_ok ("04252614");
  g_autoptr(PosBarcode) amb = parse_ok ("01234565");
  g_autoptr(PosBarcode) gtin14 = parse_ok ("10012345678902");

  ck_assert_int_eq (ean13->kind, POS_BARCODE_KIND_GTIN);
  ck_assert_int_eq (ean13->symbology, POS_SYMBOLOGY_EAN13);
  ck_assert_str_eq (ean13->code, "7891000315507");
  ck_assert_str_eq (ean13->gtin, "7891000315507");
  ck_assert_int_eq (ean13->weight_g, -1);
  ck_assert_int_eq (ean13->price_minor, -1);
  ck_assert_int_eq (ean13->count, -1);
  ck_assert_ptr_null (ean13->ais);

  ck_assert_int_eq (upca->symbology, POS_SYMBOLOGY_UPCA);
  ck_assert_str_eq (upca->gtin, "0036000291452");
  ck_assert_int_eq (ean8->symbology, POS_SYMBOLOGY_EAN8);
  ck_assert_str_eq (ean8->gtin, "96385074");
  ck_assert_int_eq (upce->symbology, POS_SYMBOLOGY_UPCE);
  ck_assert_str_eq (upce->gtin, "0042100005264");
  /* valid both as EAN-8 and as UPC-E: EAN-8 wins without an identifier */
  ck_assert_int_eq (amb->symbology, POS_SYMBOLOGY_EAN8);
  ck_assert_str_eq (gtin14->gtin, "10012345678902");

  parse_fails ("7891000315500", POS_BARCODE_ERROR_CHECK_DIGIT, "check digit should be 7, not 0");
  parse_fails ("036000291453", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 2");
  parse_fails ("96385075", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 4");
  parse_fails ("10012345678903", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 2");
  parse_fails ("", POS_BARCODE_ERROR_EMPTY, NULL);
  parse_fails (NULL, POS_BARCODE_ERROR_EMPTY, NULL);
}
END_TEST

START_TEST (test_zero_price_rule_code)
{
  /* 2000000000008 is taken by the weight rule 20 and has weight zero */
  g_autoptr(GError) error = NULL;
  guint n;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n);
  g_autoptr(PosBarcode) b = pos_barcode_parse ("2000000000008", rules, n, &error);

  ck_assert_ptr_null (b);
  assert_error (error, POS_BARCODE_ERROR_RULE, "zero");
}
END_TEST

START_TEST (test_symbology_ids)
{
  g_autoptr(PosBarcode) e0 = parse_ok ("]E07891000315507");
  g_autoptr(PosBarcode) e4 = parse_ok ("]E496385074");
  g_autoptr(PosBarcode) e0upce = parse_ok ("]E001234565");
  g_autoptr(PosBarcode) e0upca = parse_ok ("]E0036000291452");
  g_autoptr(PosBarcode) e0w = parse_ok ("]E02112345012346");
  g_autoptr(PosBarcode) c1 = parse_ok ("]C10109501101530003");
  g_autoptr(PosBarcode) de0 = parse_ok ("]e00109501101530003");
  g_autoptr(PosBarcode) d2 = parse_ok ("]d20109501101530003\x1d" "21ABC");
  g_autoptr(PosBarcode) q3 = parse_ok ("]Q30109501101530003");
  g_autoptr(PosBarcode) c0 = parse_ok ("]C0ABC-123");
  g_autoptr(PosBarcode) q1 = parse_ok ("]Q1https://balcao.example/p/1");
  g_autoptr(PosBarcode) i1 = parse_ok ("]I110012345678902");

  ck_assert_str_eq (e0->symbology_id, "]E0");
  ck_assert_int_eq (e0->symbology, POS_SYMBOLOGY_EAN13);
  ck_assert_str_eq (e0->code, "7891000315507");
  ck_assert_int_eq (e4->symbology, POS_SYMBOLOGY_EAN8);
  ck_assert_int_eq (e0upce->symbology, POS_SYMBOLOGY_UPCE);   /* ]E0 + 8 digits = UPC-E */
  ck_assert_str_eq (e0upce->gtin, "0012345000065");
  ck_assert_int_eq (e0upca->symbology, POS_SYMBOLOGY_UPCA);
  ck_assert_int_eq (e0w->kind, POS_BARCODE_KIND_WEIGHT);

  ck_assert_int_eq (c1->kind, POS_BARCODE_KIND_GS1);
  ck_assert_int_eq (c1->symbology, POS_SYMBOLOGY_GS1_128);
  ck_assert_str_eq (c1->symbology_id, "]C1");
  ck_assert_str_eq (c1->gtin, "9501101530003");
  ck_assert_int_eq (de0->symbology, POS_SYMBOLOGY_DATABAR);
  ck_assert_int_eq (de0->kind, POS_BARCODE_KIND_GS1);
  ck_assert_int_eq (d2->symbology, POS_SYMBOLOGY_DATAMATRIX);
  ck_assert_str_eq (d2->serial, "ABC");
  ck_assert_int_eq (q3->symbology, POS_SYMBOLOGY_QR);
  ck_assert_int_eq (q3->kind, POS_BARCODE_KIND_GS1);

  ck_assert_int_eq (c0->kind, POS_BARCODE_KIND_UNKNOWN);
  ck_assert_int_eq (c0->symbology, POS_SYMBOLOGY_CODE128);
  ck_assert_str_eq (c0->code, "ABC-123");
  ck_assert_int_eq (q1->kind, POS_BARCODE_KIND_UNKNOWN);
  ck_assert_str_eq (q1->code, "https://balcao.example/p/1");
  ck_assert_int_eq (i1->kind, POS_BARCODE_KIND_GTIN);   /* ITF-14 */
  ck_assert_str_eq (i1->symbology_id, "]I1");

  parse_fails ("]E0", POS_BARCODE_ERROR_EMPTY, "only a symbology identifier");
  parse_fails ("]E", POS_BARCODE_ERROR_INVALID_CHARACTER, "symbology identifier");
  parse_fails ("]E07891000315500", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 7");
  parse_fails ("]E47891000315507", POS_BARCODE_ERROR_LENGTH, "]E4");
  parse_fails ("]E0789100031550A", POS_BARCODE_ERROR_INVALID_CHARACTER, "“A”");
  parse_fails ("]E001234566", POS_BARCODE_ERROR_CHECK_DIGIT, "UPC-E");
  parse_fails ("]C1", POS_BARCODE_ERROR_EMPTY, NULL);
  parse_fails ("]C10109501101530004", POS_BARCODE_ERROR_CHECK_DIGIT, "should be 3, not 4");
}
END_TEST

START_TEST (test_parse_free_text)
{
  g_autoptr(PosBarcode) sku = parse_ok ("SKU-123");
  g_autoptr(PosBarcode) digits = parse_ok ("12345");
  g_autoptr(PosBarcode) pix = parse_ok ("00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000");

  ck_assert_int_eq (sku->kind, POS_BARCODE_KIND_UNKNOWN);
  ck_assert_str_eq (sku->code, "SKU-123");
  ck_assert_ptr_null (sku->gtin);
  ck_assert_int_eq (digits->kind, POS_BARCODE_KIND_UNKNOWN);
  ck_assert_int_eq (pix->kind, POS_BARCODE_KIND_UNKNOWN);

  parse_fails ("AB\x01" "C", POS_BARCODE_ERROR_INVALID_CHARACTER, "0x01");
  parse_fails ("AB\xff", POS_BARCODE_ERROR_INVALID_CHARACTER, "UTF-8");
}
END_TEST

START_TEST (test_parse_gs1)
{
  g_autoptr(PosBarcode) b = parse_ok ("]C1" "0107891000315507" "10LOT42\x1d" "11240115" "13240116"
                                      "15250200" "17250331" "21SN9\x1d" "3103001500" "30" "3\x1d"
                                      "3922" "1299");
  g_autoptr(PosBarcode) paren = parse_ok ("(01)09501101530003(17)250101(10)ABC");
  g_autoptr(PosBarcode) plain = parse_ok ("01095011015300033103000750");
  g_autoptr(PosBarcode) usd = parse_ok ("(01)09501101530003(3932)8401999");
  g_autoptr(PosBarcode) clp = parse_ok ("(3931)1521500");
  g_autoptr(PosBarcode) both = parse_ok ("(3932)8401999(3922)1250");
  g_autoptr(PosBarcode) lb = parse_ok ("(01)09501101530003(3202)000150");
  g_autoptr(PosBarcode) kg_lb = parse_ok ("(3202)000150(3102)000150");
  g_autoptr(PosBarcode) count = parse_ok ("(02)09501101530003(37)24");
  g_autoptr(PosBarcode) amount = parse_ok ("(3901)125");

  ck_assert_int_eq (b->kind, POS_BARCODE_KIND_GS1);
  ck_assert_str_eq (b->gtin, "7891000315507");
  ck_assert_str_eq (b->lot, "LOT42");
  ck_assert_str_eq (b->serial, "SN9");
  ck_assert_str_eq (b->production_date, "2024-01-15");
  ck_assert_str_eq (b->packaging_date, "2024-01-16");
  ck_assert_str_eq (b->best_before, "2025-02-28");   /* DD = 00 */
  ck_assert_str_eq (b->expiry, "2025-03-31");
  ck_assert_int_eq (b->weight_g, 1500);
  ck_assert_int_eq (b->count, 3);
  ck_assert_int_eq (b->price_minor, 1299);
  ck_assert_str_eq (b->currency, "BRL");
  ck_assert_uint_eq (b->ais->len, 10);

  ck_assert_int_eq (paren->kind, POS_BARCODE_KIND_GS1);
  ck_assert_str_eq (paren->gtin, "9501101530003");
  ck_assert_str_eq (paren->expiry, "2025-01-01");
  ck_assert_str_eq (paren->lot, "ABC");
  ck_assert_int_eq (paren->symbology, POS_SYMBOLOGY_UNKNOWN);

  /* no identifier, no parentheses: recognised by (01) + 14 digits */
  ck_assert_int_eq (plain->kind, POS_BARCODE_KIND_GS1);
  ck_assert_int_eq (plain->weight_g, 750);

  ck_assert_int_eq (usd->price_minor, 1999);
  ck_assert_str_eq (usd->currency, "USD");
  ck_assert_int_eq (clp->price_minor, 150);          /* 150.0 CLP, no minor unit */
  ck_assert_str_eq (clp->currency, "CLP");
  ck_assert_int_eq (both->price_minor, 1250);        /* the local amount wins */
  ck_assert_str_eq (both->currency, "BRL");
  ck_assert_int_eq (amount->price_minor, 1250);      /* 12.5 -> 1250 */

  ck_assert_int_eq (lb->weight_g, 680);              /* 1.50 lb = 680.39 g */
  ck_assert_int_eq (kg_lb->weight_g, 1500);          /* kg wins over lb */
  ck_assert_str_eq (count->gtin, "9501101530003");
  ck_assert_int_eq (count->count, 24);

  parse_fails ("(3932)9991999", POS_BARCODE_ERROR_GS1, "999");
  parse_fails ("(01)09501101530003(99", POS_BARCODE_ERROR_GS1, NULL);
  parse_fails ("(01)0950110153000", POS_BARCODE_ERROR_LENGTH, "truncated");
  parse_fails ("(01)095011015300033", POS_BARCODE_ERROR_LENGTH, "exactly 14");
  parse_fails ("]C1010950110153000317", POS_BARCODE_ERROR_LENGTH, "truncated");
  parse_fails ("]C10109501101530003" "10" "ABCDEFGHIJ0123456789" "21X", POS_BARCODE_ERROR_LENGTH,
               "GS separator");
  parse_fails ("]C10409501101530003", POS_BARCODE_ERROR_UNKNOWN_AI, "04");
  parse_fails ("0109501101530003\x1d" "0A", POS_BARCODE_ERROR_UNKNOWN_AI, NULL);
}
END_TEST

/* ---- JSON (what `balcao-ctl barcode parse` prints) ---- */

static JsonObject *
json_root (JsonParser *parser,
           const char *text)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (json_parser_load_from_data (parser, text, -1, &error), "%s", text);
  ck_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

START_TEST (test_json)
{
  g_autoptr(PosBarcode) gs1 = parse_ok ("]C10109501101530003" "17250100" "3103001500" "10AB\x1d" "3922" "1299");
  g_autoptr(PosBarcode) weight = parse_ok ("2112345012346");
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autoptr(JsonParser) p3 = json_parser_new ();
  g_autofree char *j1 = pos_barcode_to_json (gs1);
  g_autofree char *j2 = pos_barcode_to_json (weight);
  g_autofree char *j3 = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o, *dates, *ai, *err;
  JsonArray *ais;
  guint n;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n);

  o = json_root (p1, j1);
  ck_assert_str_eq (json_object_get_string_member (o, "input"), gs1->raw);
  ck_assert_str_eq (json_object_get_string_member (o, "kind"), "gs1");
  ck_assert_str_eq (json_object_get_string_member (o, "symbology"), "gs1-128");
  ck_assert_str_eq (json_object_get_string_member (o, "symbology_id"), "]C1");
  ck_assert_str_eq (json_object_get_string_member (o, "gtin"), "9501101530003");
  ck_assert_str_eq (json_object_get_string_member (o, "lot"), "AB");
  ck_assert_int_eq (json_object_get_int_member (o, "weight_g"), 1500);
  ck_assert_int_eq (json_object_get_int_member (o, "price_minor"), 1299);
  ck_assert (json_object_get_null_member (o, "item_code"));
  ck_assert (json_object_get_null_member (o, "count"));
  dates = json_object_get_object_member (o, "dates");
  ck_assert_str_eq (json_object_get_string_member (dates, "expiry"), "2025-01-31");
  ais = json_object_get_array_member (o, "ais");
  ck_assert_uint_eq (json_array_get_length (ais), 5);
  ai = json_array_get_object_element (ais, 1);
  ck_assert_str_eq (json_object_get_string_member (ai, "ai"), "17");
  ck_assert_str_eq (json_object_get_string_member (ai, "date"), "2025-01-31");
  ai = json_array_get_object_element (ais, 2);
  ck_assert_str_eq (json_object_get_string_member (ai, "title"), "NET WEIGHT (kg)");
  ck_assert_str_eq (json_object_get_string_member (ai, "decimal"), "1.500");
  ai = json_array_get_object_element (ais, 4);
  ck_assert_str_eq (json_object_get_string_member (ai, "decimal"), "12.99");

  o = json_root (p2, j2);
  ck_assert_str_eq (json_object_get_string_member (o, "kind"), "weight");
  ck_assert_str_eq (json_object_get_string_member (o, "item_code"), "2112345000000");
  ck_assert_int_eq (json_object_get_int_member (o, "weight_g"), 1234);
  ck_assert (json_object_get_null_member (o, "price_minor"));
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (o, "ais")), 0);

  ck_assert_ptr_null (pos_barcode_parse ("7891000315500", rules, n, &error));
  j3 = pos_barcode_error_to_json ("7891000315500", error);
  o = json_root (p3, j3);
  ck_assert_str_eq (json_object_get_string_member (o, "input"), "7891000315500");
  err = json_object_get_object_member (o, "error");
  ck_assert_str_eq (json_object_get_string_member (err, "code"), "check_digit");
  ck_assert (strstr (json_object_get_string_member (err, "message"), "should be 7, not 0") != NULL);
}
END_TEST

START_TEST (test_json_error_codes)
{
  static const struct { const char *raw; const char *code; } cases[] = {
    { "", "empty" }, { "]E0789100031550A", "invalid_character" },
    { "211234501234", "length" }, { "2112345012349", "check_digit" },
    { "2112345000008", "rule" }, { "]C117251301", "gs1" }, { "]C10409501101530003", "unknown_ai" },
  };
  guint n;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosBarcode) b = pos_barcode_parse (cases[i].raw, rules, n, &error);
      g_autofree char *json = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o;

      ck_assert_msg (b == NULL, "%s", cases[i].raw);
      json = pos_barcode_error_to_json (cases[i].raw, error);
      o = json_root (parser, json);
      ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (o, "error"), "code"),
                        cases[i].code);
    }

  /* control characters and invalid UTF-8 still give valid JSON */
  {
    g_autoptr(GError) error = g_error_new_literal (POS_BARCODE_ERROR, POS_BARCODE_ERROR_GS1, "x");
    g_autofree char *json = pos_barcode_error_to_json ("A\x1d\xff", error);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o = json_root (parser, json);

    ck_assert (g_str_has_prefix (json_object_get_string_member (o, "input"), "A\x1d"));
  }
}
END_TEST

static Suite *
barcode_suite (void)
{
  Suite *s = suite_create ("barcode");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_check_digit);
  tcase_add_test (tc, test_gtin_validate);
  tcase_add_test (tc, test_upce);
  tcase_add_test (tc, test_normalize);
  tcase_add_test (tc, test_default_rules);
  tcase_add_test (tc, test_weight_code);
  tcase_add_test (tc, test_price_code);
  tcase_add_test (tc, test_custom_rules);
  tcase_add_test (tc, test_rule_helpers);
  tcase_add_test (tc, test_parse_gtins);
  tcase_add_test (tc, test_zero_price_rule_code);
  tcase_add_test (tc, test_symbology_ids);
  tcase_add_test (tc, test_parse_free_text);
  tcase_add_test (tc, test_parse_gs1);
  tcase_add_test (tc, test_json);
  tcase_add_test (tc, test_json_error_codes);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (barcode_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
