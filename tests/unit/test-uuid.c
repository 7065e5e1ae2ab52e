/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-uuid.h"

/* Plain C checks: Check's assertions are too slow for loops of 10^4. */
static gboolean
is_uuid7 (const char *u)
{
  if (u == NULL || strlen (u) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (u[i] != '-')
            return FALSE;
        }
      else if (!(g_ascii_isdigit (u[i]) || (u[i] >= 'a' && u[i] <= 'f')))
        return FALSE;
    }
  return u[14] == '7' && strchr ("89ab", u[19]) != NULL;
}

static void
assert_uuid7 (const char *u)
{
  ck_assert_ptr_nonnull (u);
  ck_assert_uint_eq (strlen (u), 36);
  for (int i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        ck_assert_int_eq (u[i], '-');
      else
        ck_assert_msg (g_ascii_isdigit (u[i]) || (u[i] >= 'a' && u[i] <= 'f'),
                       "%s: not lower-case hex at %d", u, i);
    }
  ck_assert_int_eq (u[14], '7');                       /* version */
  ck_assert_ptr_nonnull (strchr ("89ab", u[19]));      /* variant 10xx */
  ck_assert (pos_uuid_is_valid (u));
}

START_TEST (test_format)
{
  g_autofree char *u = pos_uuid7_new ();
  gint64 now = g_get_real_time () / 1000;
  gint64 ms;

  assert_uuid7 (u);
  ms = pos_uuid7_get_unix_ms (u);
  ck_assert_int_le (llabs (ms - now), 2000);
}
END_TEST

START_TEST (test_at)
{
  /* 2024-06-01T12:00:00.123Z */
  gint64 t = G_GINT64_CONSTANT (1717243200123);
  g_autofree char *u = pos_uuid7_new_at (t);
  g_autofree char *z = pos_uuid7_new_at (0);
  g_autofree char *max = pos_uuid7_new_at (G_GINT64_CONSTANT (0xFFFFFFFFFFFF));
  g_autofree char *hex = g_strdup_printf ("%012" G_GINT64_MODIFIER "x", t);

  assert_uuid7 (u);
  ck_assert_int_eq (pos_uuid7_get_unix_ms (u), t);
  ck_assert_int_eq (strncmp (u, hex, 8), 0);
  ck_assert_int_eq (strncmp (u + 9, hex + 8, 4), 0);
  assert_uuid7 (z);
  ck_assert_int_eq (pos_uuid7_get_unix_ms (z), 0);
  ck_assert (g_str_has_prefix (z, "00000000-0000-7"));
  assert_uuid7 (max);
  ck_assert (g_str_has_prefix (max, "ffffffff-ffff-7"));
  ck_assert_int_eq (pos_uuid7_get_unix_ms (max), G_GINT64_CONSTANT (0xFFFFFFFFFFFF));
}
END_TEST

START_TEST (test_validation)
{
  ck_assert (pos_uuid_is_valid ("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
  ck_assert (pos_uuid_is_valid ("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"));
  ck_assert (pos_uuid_is_valid ("123e4567-e89b-42d3-a456-426614174000"));   /* v4 is a UUID too */
  ck_assert (!pos_uuid_is_valid (NULL));
  ck_assert (!pos_uuid_is_valid (""));
  ck_assert (!pos_uuid_is_valid ("0190a1b2c3d47e5f8a9b0c1d2e3f4a5b"));
  ck_assert (!pos_uuid_is_valid ("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5"));
  ck_assert (!pos_uuid_is_valid ("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b0"));
  ck_assert (!pos_uuid_is_valid ("0190a1b2-c3d4-7e5f-8a9b_0c1d2e3f4a5b"));
  ck_assert (!pos_uuid_is_valid ("0190a1g2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
  ck_assert (!pos_uuid_is_valid ("{0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a}"));

  ck_assert_int_eq (pos_uuid7_get_unix_ms ("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
                    G_GINT64_CONSTANT (0x0190a1b2c3d4));
  ck_assert_int_eq (pos_uuid7_get_unix_ms ("123e4567-e89b-42d3-a456-426614174000"), -1);  /* v4 */
  ck_assert_int_eq (pos_uuid7_get_unix_ms ("0190a1b2-c3d4-7e5f-ca9b-0c1d2e3f4a5b"), -1);  /* variant */
  ck_assert_int_eq (pos_uuid7_get_unix_ms ("junk"), -1);
  ck_assert_int_eq (pos_uuid7_get_unix_ms (NULL), -1);
}
END_TEST

START_TEST (test_monotonic)
{
  const guint n = 20000;
  char *prev = pos_uuid7_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 start_ms = pos_uuid7_get_unix_ms (prev);
  guint same_ms = 0;

  g_hash_table_add (seen, prev);
  for (guint i = 0; i < n; i++)
    {
      char *u = pos_uuid7_new ();

      if (!is_uuid7 (u) || strcmp (prev, u) >= 0 || !g_hash_table_add (seen, u))
        ck_abort_msg ("bad or out of order: %s then %s", prev, u);
      if (pos_uuid7_get_unix_ms (u) == pos_uuid7_get_unix_ms (prev))
        same_ms++;
      prev = u;
    }
  /* the test did exercise the sub-millisecond counter */
  ck_assert_uint_gt (same_ms, 100);
  ck_assert_int_ge (pos_uuid7_get_unix_ms (prev), start_ms);
}
END_TEST

START_TEST (test_monotonic_same_ms)
{
  /* Far more than 4096 ids asked for in one millisecond: the counter runs
   * out and the timestamp borrows the next ms, still in order. */
  gint64 t = G_GINT64_CONSTANT (1893456000000);
  g_autofree char *first = pos_uuid7_new_at (t);
  char *prev = g_strdup (first);

  ck_assert_int_eq (pos_uuid7_get_unix_ms (first), t);
  for (guint i = 0; i < 20000; i++)
    {
      char *u = pos_uuid7_new_at (t);

      if (!is_uuid7 (u) || strcmp (prev, u) >= 0)
        ck_abort_msg ("bad or out of order: %s then %s", prev, u);
      g_free (prev);
      prev = u;
    }
  ck_assert_int_gt (pos_uuid7_get_unix_ms (prev), t);
  ck_assert_int_lt (pos_uuid7_get_unix_ms (prev), t + 20);
  g_free (prev);

  /* explicit times do not move the clock's sequence into the future */
  {
    g_autofree char *now = pos_uuid7_new ();
    ck_assert_int_lt (pos_uuid7_get_unix_ms (now), t);
  }
}
END_TEST

typedef struct {
  char *ids[5000];
} ThreadData;

static gpointer
thread_func (gpointer data)
{
  ThreadData *td = data;

  for (guint i = 0; i < G_N_ELEMENTS (td->ids); i++)
    td->ids[i] = pos_uuid7_new ();
  return NULL;
}

START_TEST (test_threads)
{
  ThreadData data[4];
  GThread *threads[4];
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint t = 0; t < 4; t++)
    threads[t] = g_thread_new ("uuid", thread_func, &data[t]);
  for (guint t = 0; t < 4; t++)
    g_thread_join (threads[t]);
  for (guint t = 0; t < 4; t++)
    for (guint i = 0; i < G_N_ELEMENTS (data[t].ids); i++)
      {
        if ((i > 0 && strcmp (data[t].ids[i - 1], data[t].ids[i]) >= 0) ||
            !is_uuid7 (data[t].ids[i]) ||
            !g_hash_table_add (seen, data[t].ids[i]))
          ck_abort_msg ("thread %u id %u: %s", t, i, data[t].ids[i]);
      }
  ck_assert_uint_eq (g_hash_table_size (seen), 4 * 5000);
}
END_TEST

static Suite *
uuid_suite (void)
{
  Suite *s = suite_create ("uuid");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_format);
  tcase_add_test (tc, test_at);
  tcase_add_test (tc, test_validation);
  tcase_add_test (tc, test_monotonic);
  tcase_add_test (tc, test_monotonic_same_ms);
  tcase_add_test (tc, test_threads);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (uuid_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
