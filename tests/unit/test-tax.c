/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>

#include "domain/pos-tax.h"

START_TEST (test_included)
{
  ck_assert_int_eq (pos_tax_included (11800, 1800), 1800);
  ck_assert_int_eq (pos_tax_included (1000, 1800), 153);     /* 152.54 */
  ck_assert_int_eq (pos_tax_included (1000, 0), 0);
  ck_assert_int_eq (pos_tax_included (0, 1800), 0);
  /* 100 %: gross / 2, ties to even */
  ck_assert_int_eq (pos_tax_included (5, 10000), 2);
  ck_assert_int_eq (pos_tax_included (7, 10000), 4);
  ck_assert_int_eq (pos_tax_included (-7, 10000), -4);
  ck_assert_int_eq (pos_tax_included (-1000, 1800), -153);
  /* net + tax = gross, always */
  for (gint64 g = 0; g < 5000; g += 7)
    {
      gint64 tax = pos_tax_included (g, 1700);
      ck_assert_int_ge (tax, 0);
      ck_assert_int_le (tax, g);
      ck_assert_int_le (llabs (pos_tax_on_top (g - tax, 1700) - tax), 1);
    }
}
END_TEST

START_TEST (test_on_top)
{
  ck_assert_int_eq (pos_tax_on_top (1000, 1800), 180);
  ck_assert_int_eq (pos_tax_on_top (25, 1000), 2);   /* 2.5 -> 2 */
  ck_assert_int_eq (pos_tax_on_top (35, 1000), 4);   /* 3.5 -> 4 */
  ck_assert_int_eq (pos_tax_on_top (-35, 1000), -4);
  ck_assert_int_eq (pos_tax_on_top (999, 725), 72);  /* 72.43 */
  ck_assert_int_eq (pos_tax_on_top (1000, 0), 0);
}
END_TEST

START_TEST (test_approximate)
{
  ck_assert_int_eq (pos_tax_approximate (10000, 3145), 3145);
  ck_assert_int_eq (pos_tax_approximate (1, 5000), 0);
  ck_assert_int_eq (pos_tax_approximate (3, 5000), 2);
  ck_assert_int_eq (pos_tax_approximate (1999, 3145), 629);  /* 628.69 */
  ck_assert_int_eq (pos_tax_approximate (0, 3145), 0);
}
END_TEST

START_TEST (test_summary_inclusive)
{
  g_autoptr(PosTaxSummary) s = pos_tax_summary_new (POS_TAX_INCLUSIVE);
  const PosTaxSummaryRow *row;
  gint64 line_tax_sum = 0;

  ck_assert_int_eq (pos_tax_summary_get_n_rows (s), 0);
  ck_assert_int_eq (pos_tax_summary_get_total_tax (s), 0);

  for (int i = 0; i < 3; i++)
    {
      pos_tax_summary_add (s, 1800, 100);
      line_tax_sum += pos_tax_included (100, 1800);
    }
  pos_tax_summary_add (s, 0, 500);
  pos_tax_summary_add (s, 700, 1000);

  ck_assert_int_eq (pos_tax_summary_get_n_rows (s), 3);
  /* sorted by rate */
  row = pos_tax_summary_get_row (s, 0);
  ck_assert_uint_eq (row->rate_bp, 0);
  ck_assert_int_eq (row->base, 500);
  ck_assert_int_eq (row->tax, 0);
  row = pos_tax_summary_get_row (s, 1);
  ck_assert_uint_eq (row->rate_bp, 700);
  ck_assert_int_eq (row->tax, 65);   /* 1000 * 700 / 10700 = 65.42 */
  ck_assert_int_eq (row->base, 935);
  row = pos_tax_summary_get_row (s, 2);
  ck_assert_uint_eq (row->rate_bp, 1800);
  /* on the summed base (300 -> 45.76 -> 46), not the sum of line taxes (3 x 15) */
  ck_assert_int_eq (row->tax, 46);
  ck_assert_int_eq (row->base, 254);
  ck_assert_int_eq (line_tax_sum, 45);
  ck_assert_int_eq (pos_tax_summary_get_total_tax (s), 46 + 65);
}
END_TEST

START_TEST (test_summary_exclusive)
{
  g_autoptr(PosTaxSummary) s = pos_tax_summary_new (POS_TAX_EXCLUSIVE);
  const PosTaxSummaryRow *row;

  for (int i = 0; i < 3; i++)
    pos_tax_summary_add (s, 1000, 5);     /* each line: 0.5 -> 0 */
  pos_tax_summary_add (s, 825, 10000);

  ck_assert_int_eq (pos_tax_summary_get_n_rows (s), 2);
  row = pos_tax_summary_get_row (s, 0);
  ck_assert_uint_eq (row->rate_bp, 825);
  ck_assert_int_eq (row->base, 10000);
  ck_assert_int_eq (row->tax, 825);
  row = pos_tax_summary_get_row (s, 1);
  ck_assert_uint_eq (row->rate_bp, 1000);
  ck_assert_int_eq (row->base, 15);
  ck_assert_int_eq (row->tax, 2);         /* 1.5 -> 2 */
  ck_assert_int_eq (pos_tax_summary_get_total_tax (s), 827);

  /* a negative amount (return) reduces the row */
  pos_tax_summary_add (s, 825, -10000);
  row = pos_tax_summary_get_row (s, 0);
  ck_assert_int_eq (row->base, 0);
  ck_assert_int_eq (row->tax, 0);
}
END_TEST

static Suite *
tax_suite (void)
{
  Suite *s = suite_create ("tax");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_included);
  tcase_add_test (tc, test_on_top);
  tcase_add_test (tc, test_approximate);
  tcase_add_test (tc, test_summary_inclusive);
  tcase_add_test (tc, test_summary_exclusive);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (tax_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
