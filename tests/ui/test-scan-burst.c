/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>

#include "app/pos-scan-burst.h"

/* The scanner detection's timing, fed with explicit event timestamps. */

#define GAP 35
#define CH POS_SCAN_KEY_CHAR
#define END POS_SCAN_KEY_TERMINATOR
#define OTHER POS_SCAN_KEY_OTHER

static PosScanBurst *b;

static void
setup (void)
{
  b = pos_scan_burst_new (GAP, 4);
}

static void
teardown (void)
{
  g_clear_pointer (&b, pos_scan_burst_free);
}

/* Types text starting at t, one key every step ms; returns the last time. */
static guint32
type (const char *text, guint32 t, guint step, PosScanAction *first, PosScanAction *last)
{
  for (const char *p = text; *p; p++, t += step)
    {
      PosScanAction a = pos_scan_burst_feed (b, CH, (gunichar) *p, t);

      if (p == text && first)
        *first = a;
      if (last)
        *last = a;
    }
  return t - step;
}

START_TEST (test_scan)
{
  PosScanAction first, last;
  guint32 t = type ("7891234567895", 1000, 5, &first, &last);
  g_autofree char *text = NULL;

  ck_assert_int_eq (first, POS_SCAN_PASS_FIRST);
  ck_assert_int_eq (last, POS_SCAN_HOLD);
  ck_assert (pos_scan_burst_is_holding (b));
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, t + 5), POS_SCAN_SCAN);
  text = pos_scan_burst_take_text (b);
  ck_assert_str_eq (text, "7891234567895");
  ck_assert (!pos_scan_burst_is_holding (b));
}
END_TEST

START_TEST (test_second_key_starts_burst)
{
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'a', 100), POS_SCAN_PASS_FIRST);
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'b', 110), POS_SCAN_START_BURST);
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'c', 120), POS_SCAN_HOLD);
}
END_TEST

START_TEST (test_person_typing)
{
  PosScanAction first, last;
  guint32 t = type ("arroz", 1000, 120, &first, &last);

  ck_assert_int_eq (first, POS_SCAN_PASS_FIRST);
  ck_assert_int_eq (last, POS_SCAN_PASS_FIRST);
  ck_assert (!pos_scan_burst_is_holding (b));
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, t + 100), POS_SCAN_PASS);
}
END_TEST

START_TEST (test_gap_boundary)
{
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, '1', 0), POS_SCAN_PASS_FIRST);
  /* exactly the gap is too slow; one less is fast */
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, '2', GAP), POS_SCAN_PASS_FIRST);
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, '3', 2 * GAP - 1), POS_SCAN_START_BURST);
}
END_TEST

START_TEST (test_short_burst_is_typing)
{
  g_autofree char *text = NULL;
  guint32 t = type ("12", 500, 10, NULL, NULL);

  /* fewer than 4 characters: given back, then Return goes on */
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, t + 10), POS_SCAN_FLUSH_PASS);
  text = pos_scan_burst_take_text (b);
  ck_assert_str_eq (text, "12");
}
END_TEST

START_TEST (test_slow_terminator)
{
  g_autofree char *text = NULL;
  guint32 t = type ("12345678", 500, 5, NULL, NULL);

  /* a Return long after the burst is the person's */
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, t + 400), POS_SCAN_FLUSH_PASS);
  text = pos_scan_burst_take_text (b);
  ck_assert_str_eq (text, "12345678");
}
END_TEST

START_TEST (test_slow_key_after_burst)
{
  g_autofree char *text = NULL;
  guint32 t = type ("ab", 500, 10, NULL, NULL);

  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'c', t + 200), POS_SCAN_FLUSH_FIRST);
  text = pos_scan_burst_take_text (b);
  ck_assert_str_eq (text, "ab");
  /* and 'c' is the start of a new possible burst */
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'd', t + 205), POS_SCAN_START_BURST);
}
END_TEST

START_TEST (test_other_key_flushes)
{
  g_autofree char *text = NULL;
  guint32 t = type ("abc", 500, 10, NULL, NULL);

  ck_assert_int_eq (pos_scan_burst_feed (b, OTHER, 0, t + 5), POS_SCAN_FLUSH_PASS);
  text = pos_scan_burst_take_text (b);
  ck_assert_str_eq (text, "abc");
  ck_assert_int_eq (pos_scan_burst_feed (b, OTHER, 0, t + 10), POS_SCAN_PASS);
}
END_TEST

START_TEST (test_timeout_then_resume)
{
  g_autofree char *flushed = NULL;
  g_autofree char *scan = NULL;
  guint32 t = type ("78912", 1000, 5, NULL, NULL);

  /* the main loop stalled: the wall-clock timer fires mid-burst */
  ck_assert_int_eq (pos_scan_burst_timeout (b), POS_SCAN_FLUSH);
  flushed = pos_scan_burst_take_text (b);
  ck_assert_str_eq (flushed, "78912");
  /* the next key's own timestamp says it is the same burst */
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, '3', t + 5), POS_SCAN_RESUME_BURST);
  t = type ("4567895", t + 10, 5, NULL, NULL);
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, t + 5), POS_SCAN_SCAN);
  scan = pos_scan_burst_take_text (b);
  ck_assert_str_eq (scan, "7891234567895");
}
END_TEST

START_TEST (test_timeout_then_terminator)
{
  g_autofree char *scan = NULL;
  guint32 t = type ("ABCD", 1000, 5, NULL, NULL);

  ck_assert_int_eq (pos_scan_burst_timeout (b), POS_SCAN_FLUSH);
  g_free (pos_scan_burst_take_text (b));
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, t + 5), POS_SCAN_RESUME_SCAN);
  scan = pos_scan_burst_take_text (b);
  ck_assert_str_eq (scan, "ABCD");
}
END_TEST

START_TEST (test_timeout_then_slow_key)
{
  guint32 t = type ("xy", 1000, 5, NULL, NULL);

  ck_assert_int_eq (pos_scan_burst_timeout (b), POS_SCAN_FLUSH);
  g_free (pos_scan_burst_take_text (b));
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'z', t + 300), POS_SCAN_PASS_FIRST);
  ck_assert_int_eq (pos_scan_burst_timeout (b), POS_SCAN_PASS);
}
END_TEST

START_TEST (test_timestamp_wrap_and_utf8)
{
  g_autofree char *scan = NULL;

  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 'B', G_MAXUINT32 - 4), POS_SCAN_PASS_FIRST);
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, 0xe7 /* ç */, 2), POS_SCAN_START_BURST);
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, ':', 6), POS_SCAN_HOLD);
  ck_assert_int_eq (pos_scan_burst_feed (b, CH, '1', 9), POS_SCAN_HOLD);
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, 12), POS_SCAN_SCAN);
  scan = pos_scan_burst_take_text (b);
  ck_assert_str_eq (scan, "Bç:1");
}
END_TEST

START_TEST (test_terminator_alone)
{
  ck_assert_int_eq (pos_scan_burst_feed (b, END, 0, 10), POS_SCAN_PASS);
  ck_assert_int_eq (pos_scan_burst_timeout (b), POS_SCAN_PASS);
  ck_assert_ptr_null (pos_scan_burst_take_text (b));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("scan-burst");
  TCase *tc = tcase_create ("timing");
  SRunner *sr;
  int n;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_scan);
  tcase_add_test (tc, test_second_key_starts_burst);
  tcase_add_test (tc, test_person_typing);
  tcase_add_test (tc, test_gap_boundary);
  tcase_add_test (tc, test_short_burst_is_typing);
  tcase_add_test (tc, test_slow_terminator);
  tcase_add_test (tc, test_slow_key_after_burst);
  tcase_add_test (tc, test_other_key_flushes);
  tcase_add_test (tc, test_timeout_then_resume);
  tcase_add_test (tc, test_timeout_then_terminator);
  tcase_add_test (tc, test_timeout_then_slow_key);
  tcase_add_test (tc, test_timestamp_wrap_and_utf8);
  tcase_add_test (tc, test_terminator_alone);
  suite_add_tcase (s, tc);

  sr = srunner_create (s);
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
