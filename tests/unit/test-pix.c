/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-pix.h"

/* The example of the BCB's "Manual de Padrões para Iniciação do Pix". */
#define BCB_EXAMPLE \
  "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000" \
  "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

static char *
with_crc (const char *body)
{
  g_autofree char *pre = g_strconcat (body, "6304", NULL);

  return g_strdup_printf ("%s%04X", pre, pos_pix_crc16 ((const guint8 *) pre, strlen (pre)));
}

static void
expect_invalid (const char *payload, PosPixError code)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (!pos_pix_validate_payload (payload, &error), "accepted: %s", payload ? payload : "(null)");
  ck_assert_msg (g_error_matches (error, POS_PIX_ERROR, (gint) code),
                 "%s: code %d (%s), expected %d", payload ? payload : "(null)",
                 error ? error->code : -1, error ? error->message : "", code);
}

static void
expect_valid (const char *payload)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_pix_validate_payload (payload, &error), "%s rejected: %s", payload,
                 error ? error->message : "");
}

START_TEST (test_crc)
{
  ck_assert_uint_eq (pos_pix_crc16 ((const guint8 *) "123456789", 9), 0x29B1);
  ck_assert_uint_eq (pos_pix_crc16 ((const guint8 *) "", 0), 0xFFFF);
  ck_assert_uint_eq (pos_pix_crc16 ((const guint8 *) "A", 1), 0xB915);
}
END_TEST

START_TEST (test_bcb_example)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p = pos_pix_build_payload ("123e4567-e12b-12d1-a456-426655440000",
                                              "Fulano de Tal", "BRASILIA", 0, NULL, &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (p, BCB_EXAMPLE);
  expect_valid (BCB_EXAMPLE);
}
END_TEST

START_TEST (test_build_amount)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p = pos_pix_build_payload ("12345678909", "Padaria São João", "São Paulo",
                                              1234, "VENDA001", &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  ck_assert (g_str_has_prefix (p, "000201010212"));
  ck_assert_ptr_nonnull (strstr (p, "26330014br.gov.bcb.pix011112345678909"));
  ck_assert_ptr_nonnull (strstr (p, "52040000"));
  ck_assert_ptr_nonnull (strstr (p, "5303986"));
  ck_assert_ptr_nonnull (strstr (p, "540512.34"));
  ck_assert_ptr_nonnull (strstr (p, "5802BR"));
  ck_assert_ptr_nonnull (strstr (p, "5916Padaria Sao Joao"));
  ck_assert_ptr_nonnull (strstr (p, "6009Sao Paulo"));
  ck_assert_ptr_nonnull (strstr (p, "62120508VENDA001"));
  ck_assert (g_str_has_prefix (p + strlen (p) - 8, "6304"));
  for (const char *c = p; *c; c++)
    ck_assert (*c >= 0x20 && *c < 0x7F);
  expect_valid (p);

  /* amounts */
  {
    g_autofree char *a = pos_pix_build_payload ("+5511912345678", "Loja", "Recife", 5, NULL, &error);
    g_autofree char *b = pos_pix_build_payload ("+5511912345678", "Loja", "Recife", 100000000, NULL, &error);

    ck_assert_ptr_nonnull (strstr (a, "54040.05"));
    ck_assert_ptr_nonnull (strstr (b, "54101000000.00"));
    ck_assert_ptr_nonnull (strstr (a, "0114+5511912345678"));
    expect_valid (a);
    expect_valid (b);
  }
}
END_TEST

START_TEST (test_keys_and_lengths)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *email77 = NULL;
  g_autofree char *email78 = NULL;
  char *p;

  /* e-mail keys up to 77 characters fill template 26 to its 99 */
  {
    g_autofree char *local = g_strnfill (65, 'a');
    email77 = g_strconcat (local, "@example.com", NULL);
  }
  ck_assert_uint_eq (strlen (email77), 77);
  p = pos_pix_build_payload (email77, "Loja", "Recife", 100, NULL, &error);
  ck_assert_ptr_nonnull (p);
  ck_assert_ptr_nonnull (strstr (p, "2699"));
  expect_valid (p);
  g_free (p);
  email78 = g_strconcat ("b", email77, NULL);
  ck_assert_ptr_null (pos_pix_build_payload (email78, "Loja", "Recife", 100, NULL, &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_INVALID_KEY));
  g_clear_error (&error);

  /* CNPJ, upper-case e-mail and random keys are accepted */
  p = pos_pix_build_payload ("11222333000181", "Loja", "Recife", 0, NULL, &error);
  ck_assert_ptr_nonnull (p);
  g_free (p);
  p = pos_pix_build_payload ("Caixa@Loja.com.br", "Loja", "Recife", 0, NULL, &error);
  ck_assert_ptr_nonnull (strstr (p, "caixa@loja.com.br"));
  g_free (p);

  const char *bad_keys[] = { "", "foo", "1234567890", "123456789012", "@loja.com", "a b@c.com",
                             "+55 11 91234", "123e4567-e12b-12d1-a456-42665544000g", NULL };
  for (guint i = 0; bad_keys[i]; i++)
    {
      ck_assert_msg (pos_pix_build_payload (bad_keys[i], "Loja", "Recife", 0, NULL, &error) == NULL,
                     "key '%s' accepted", bad_keys[i]);
      ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_INVALID_KEY));
      g_clear_error (&error);
    }
  ck_assert_ptr_null (pos_pix_build_payload (NULL, "Loja", "Recife", 0, NULL, &error));
  g_clear_error (&error);

  /* name <= 25, city <= 15, txid <= 25 alnum */
  p = pos_pix_build_payload ("12345678909", "ABCDEFGHIJKLMNOPQRSTUVWXY", "ABCDEFGHIJKLMNO", 1,
                             "ABCDEFGHIJKLMNOPQRSTUVWX1", &error);
  ck_assert_ptr_nonnull (p);
  expect_valid (p);
  g_free (p);
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "Recife", 1, NULL, &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_FIELD_TOO_LONG));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "Loja", "ABCDEFGHIJKLMNOP", 1, NULL, &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_FIELD_TOO_LONG));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "Loja", "Recife", 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_FIELD_TOO_LONG));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "Loja", "Recife", 1, "venda-1", &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_MALFORMED));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "", "Recife", 1, NULL, &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_MALFORMED));
  g_clear_error (&error);
  /* an accented name counts its transliterated length */
  p = pos_pix_build_payload ("12345678909", "Açaí Açaí Açaí Açaí Açaí", "Belém", 1, NULL, &error);
  ck_assert_ptr_nonnull (strstr (p, "5924Acai Acai Acai Acai Acai"));
  ck_assert_ptr_nonnull (strstr (p, "6005Belem"));
  g_free (p);

  /* amounts */
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "Loja", "Recife", -1, NULL, &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_AMOUNT));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_pix_build_payload ("12345678909", "Loja", "Recife", G_MAXINT64, NULL, &error));
  ck_assert (g_error_matches (error, POS_PIX_ERROR, POS_PIX_ERROR_AMOUNT));
  g_clear_error (&error);
}
END_TEST

START_TEST (test_tampered)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *p = pos_pix_build_payload ("12345678909", "Loja", "Recife", 1234, "ABC", &error);
  g_autoptr(GString) t = NULL;
  gsize len = strlen (p);

  expect_valid (p);

  /* one changed character anywhere is caught */
  for (gsize i = 0; i < len; i++)
    {
      g_autofree char *copy = g_strdup (p);
      g_autoptr(GError) e = NULL;

      copy[i] = copy[i] == '1' ? '2' : '1';
      ck_assert_msg (!pos_pix_validate_payload (copy, &e), "tampered at %zu accepted", i);
    }
  /* the amount changed: CRC mismatch */
  t = g_string_new (p);
  g_string_replace (t, "12.34", "92.34", 1);
  expect_invalid (t->str, POS_PIX_ERROR_CRC);

  /* every truncation is refused */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *prefix = g_strndup (p, cut);
      g_autoptr(GError) e = NULL;

      ck_assert (!pos_pix_validate_payload (prefix, &e));
      ck_assert (e != NULL);
    }
  expect_invalid (NULL, POS_PIX_ERROR_MALFORMED);
  expect_invalid ("", POS_PIX_ERROR_MALFORMED);

  /* lower-case CRC digits are accepted */
  {
    g_autofree char *lower = g_strdup (BCB_EXAMPLE);
    lower[strlen (lower) - 1] = 'd';
    lower[strlen (lower) - 3] = 'd';
    expect_valid (lower);
  }
}
END_TEST

START_TEST (test_structure)
{
  /* correct CRC but broken structure */
  const char *acc = "26330014br.gov.bcb.pix011112345678909";
  const char *tail = "52040000530398654041.005802BR5904Loja6006Recife62070503***";
  g_autofree char *good_body = g_strconcat ("000201", acc, tail, NULL);
  g_autofree char *good = with_crc (good_body);
  g_autofree char *p = NULL;

  expect_valid (good);

  /* dynamic code: location (25) instead of a key */
  p = with_crc ("000201010212"
                "26490014br.gov.bcb.pix2527pix.example.com/qr/v2/abc12"
                "520400005303986" "5802BR5904Loja6006Recife62070503***");
  expect_valid (p);
  g_clear_pointer (&p, g_free);

#define BAD(body, code) do { g_autofree char *x = with_crc (body); expect_invalid (x, code); } while (0)
  BAD ("000202" "26330014br.gov.bcb.pix011112345678909" "52040000530398654041.005802BR5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* format 02 */
  BAD ("26330014br.gov.bcb.pix011112345678909" "000201" "52040000530398654041.005802BR5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* format not first */
  BAD ("000201" "52040000530398654041.005802BR5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* no account */
  BAD ("000201" "26330014br.gov.bcb.pax011112345678909" "52040000530398654041.005802BR5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* wrong GUI */
  BAD ("000201" "26180014br.gov.bcb.pix" "52040000530398654041.005802BR5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* no key */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "52040000530384054041.005802BR5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* USD */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "52040000530398654041.005802US5904Loja6006Recife62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* country */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "5204000053039865802BR5904Loja62070503***",
       POS_PIX_ERROR_MALFORMED);                           /* no city */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "520400005303986540512.3455802BR5904Loja6006Recife",
       POS_PIX_ERROR_MALFORMED);                           /* amount length lies */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "52040000530398654051.2345802BR5904Loja6006Recife",
       POS_PIX_ERROR_AMOUNT);                              /* 3 decimals */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "5204000053039865404-1.05802BR5904Loja6006Recife",
       POS_PIX_ERROR_AMOUNT);                              /* negative */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "52040000530398654041.005802BR5904Loja6006Recife6299",
       POS_PIX_ERROR_MALFORMED);                           /* length beyond the end */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "5204000053039865802BR5904Loja6006Recife62080504AB",
       POS_PIX_ERROR_MALFORMED);                           /* inner TLV broken */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "5204000053039865802BR5904Loja6006Recife6xAB",
       POS_PIX_ERROR_MALFORMED);                           /* non-digit tag */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "5204000053039865802BR5904Loja6006Recife6304ABCD",
       POS_PIX_ERROR_MALFORMED);                           /* CRC in the middle */
  BAD ("000201" "26330014br.gov.bcb.pix011112345678909" "5204000053039865802BR5904Lojã6006Recife",
       POS_PIX_ERROR_MALFORMED);                           /* not ASCII */
#undef BAD
  /* no CRC at all */
  expect_invalid (good_body, POS_PIX_ERROR_MALFORMED);
}
END_TEST

static Suite *
pix_suite (void)
{
  Suite *s = suite_create ("pix");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_crc);
  tcase_add_test (tc, test_bcb_example);
  tcase_add_test (tc, test_build_amount);
  tcase_add_test (tc, test_keys_and_lengths);
  tcase_add_test (tc, test_tampered);
  tcase_add_test (tc, test_structure);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (pix_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
