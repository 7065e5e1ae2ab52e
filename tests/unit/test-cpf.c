/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-cpf"

#include "config.h"

#include <check.h>

#include "domain/pos-cpf.h"

START_TEST (test_cpf_valid)
{
  static const char *valid[] = {
    "12345678909", "123.456.789-09", "52998224725", "529.982.247-25",
    "111.444.777-35", " 111 444 777 35 ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    ck_assert_msg (pos_cpf_validate (valid[i]), "%s should be valid", valid[i]);
}
END_TEST

START_TEST (test_cpf_invalid)
{
  static const char *invalid[] = {
    "12345678900",       /* both check digits wrong */
    "12345678919",       /* first wrong */
    "12345678908",       /* second wrong */
    "123.456.789-0",     /* 10 digits */
    "1234567890900",     /* 13 digits */
    "00000000000", "11111111111", "999.999.999-99",   /* all the same */
    "1234567890a", "123,456,789-09", "123.456.789/09", "", "-.-",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    ck_assert_msg (!pos_cpf_validate (invalid[i]), "%s should be invalid", invalid[i]);
  ck_assert (!pos_cpf_validate (NULL));
}
END_TEST

START_TEST (test_cpf_format)
{
  g_autofree char *a = pos_cpf_format ("12345678909");
  g_autofree char *b = pos_cpf_format ("529.982.247-25");
  g_autofree char *c = pos_cpf_normalize ("529.982.247-25");
  char out[12];

  ck_assert_str_eq (a, "123.456.789-09");
  ck_assert_str_eq (b, "529.982.247-25");
  ck_assert_str_eq (c, "52998224725");
  ck_assert_ptr_null (pos_cpf_format ("12345678900"));
  ck_assert_ptr_null (pos_cpf_normalize ("11111111111"));

  pos_cpf_complete ("123456789", out);
  ck_assert_str_eq (out, "12345678909");
  pos_cpf_complete ("529982247", out);
  ck_assert_str_eq (out, "52998224725");
  pos_cpf_complete ("111444777", out);
  ck_assert_str_eq (out, "11144477735");
  ck_assert (pos_cpf_validate (out));
}
END_TEST

START_TEST (test_cnpj)
{
  static const char *valid[] = {
    "11222333000181", "11.222.333/0001-81", "11.444.777/0001-61",
    "12.ABC.345/01DE-35", "12abc34501de35",   /* alphanumeric CNPJ (2026) */
  };
  static const char *invalid[] = {
    "11222333000182", "11222333000171", "11.222.333/0001-8", "112223330001810",
    "00000000000000", "11111111111111", "11.222.333/0001-8A", "1122233300018!",
    "12.ABC.345/01DE-36", "", "11.222.333\\0001-81",
  };
  g_autofree char *f1 = pos_cnpj_format ("11222333000181");
  g_autofree char *f2 = pos_cnpj_format ("12abc34501de35");
  g_autofree char *n1 = pos_cnpj_normalize ("11.444.777/0001-61");
  char out[15];

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    ck_assert_msg (pos_cnpj_validate (valid[i]), "%s should be valid", valid[i]);
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    ck_assert_msg (!pos_cnpj_validate (invalid[i]), "%s should be invalid", invalid[i]);
  ck_assert (!pos_cnpj_validate (NULL));

  ck_assert_str_eq (f1, "11.222.333/0001-81");
  ck_assert_str_eq (f2, "12.ABC.345/01DE-35");
  ck_assert_str_eq (n1, "11444777000161");
  ck_assert_ptr_null (pos_cnpj_format ("11222333000182"));

  pos_cnpj_complete ("112223330001", out);
  ck_assert_str_eq (out, "11222333000181");
  pos_cnpj_complete ("12ABC34501DE", out);
  ck_assert_str_eq (out, "12ABC34501DE35");
}
END_TEST

static Suite *
cpf_suite (void)
{
  Suite *s = suite_create ("cpf");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_cpf_valid);
  tcase_add_test (tc, test_cpf_invalid);
  tcase_add_test (tc, test_cpf_format);
  tcase_add_test (tc, test_cnpj);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (cpf_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
