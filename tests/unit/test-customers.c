/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>

#include "terminal/pos-customers.h"
#include "test-tmpdir.h"

static char *tmpdir;
static PosDatabase *db;

static void
insert_customer (const char *id,
                 const char *name,
                 const char *cpf,
                 const char *phone,
                 const char *email,
                 gint64      credit,
                 gboolean    erased,
                 const char *merged_into)
{
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (h,
    "INSERT INTO customers (id, name, cpf, phone, email, store_credit, loyalty_points, "
    "erased_at, merged_into, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 7, ?, ?, 1, 1)",
    -1, &stmt, NULL), SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, cpf, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, phone, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, email, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, credit);
  if (erased)
    sqlite3_bind_int64 (stmt, 7, 1000);
  else
    sqlite3_bind_null (stmt, 7);
  sqlite3_bind_text (stmt, 8, merged_into, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  tmpdir = test_tmpdir_new ();
  path = g_build_filename (tmpdir, "t.db", NULL);
  db = pos_database_open (path, &error);
  ck_assert_msg (db != NULL, "%s", error ? error->message : "?");

  insert_customer ("c1", "Maria da Silva", "123.456.789-09", "(11) 98765-4321", "maria@example.com", 1500, FALSE, NULL);
  insert_customer ("c2", "José Conceição", "52998224725", "+55 21 3333-1234", NULL, 0, FALSE, NULL);
  insert_customer ("c3", "Mariana Souza", NULL, NULL, "mari@example.com", 0, FALSE, NULL);
  insert_customer ("c4", "Maria Apagada", "11144477735", NULL, NULL, 0, TRUE, NULL);
  insert_customer ("c5", "Maria Duplicada", NULL, NULL, NULL, 0, FALSE, "c1");
}

static void
teardown (void)
{
  g_clear_object (&db);
  test_tmpdir_remove (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static GPtrArray *
search (const char *text, guint limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *r = pos_customers_search (db, text, limit, &error);

  ck_assert_msg (r != NULL, "%s", error ? error->message : "?");
  ck_assert_ptr_null (error);
  return r;
}

static const PosCustomerSummary *
at (GPtrArray *r, guint i)
{
  return g_ptr_array_index (r, i);
}

START_TEST (test_prefix_name_accents)
{
  g_autoptr(GPtrArray) r = search ("jose concei", 10);

  ck_assert_uint_eq (r->len, 1);
  ck_assert_str_eq (at (r, 0)->id, "c2");
  ck_assert_str_eq (at (r, 0)->name, "José Conceição");
}
END_TEST

START_TEST (test_prefix_several)
{
  g_autoptr(GPtrArray) r = search ("MARI", 10);

  /* Maria da Silva and Mariana; never the erased or the merged one */
  ck_assert_uint_eq (r->len, 2);
  for (guint i = 0; i < r->len; i++)
    {
      ck_assert_str_ne (at (r, i)->id, "c4");
      ck_assert_str_ne (at (r, i)->id, "c5");
    }
}
END_TEST

START_TEST (test_all_words_must_match)
{
  g_autoptr(GPtrArray) r = search ("silva souza", 10);
  g_autoptr(GPtrArray) none = search ("maria pereira", 10);

  ck_assert_uint_eq (r->len, 0);
  ck_assert_uint_eq (none->len, 0);
}
END_TEST

START_TEST (test_limit)
{
  g_autoptr(GPtrArray) r = search ("mari", 1);

  ck_assert_uint_eq (r->len, 1);
}
END_TEST

START_TEST (test_phone_suffix_and_cpf)
{
  g_autoptr(GPtrArray) by_phone = search ("4321", 10);
  g_autoptr(GPtrArray) by_cpf_digits = search ("52998224725", 10);
  g_autoptr(GPtrArray) by_cpf_formatted = search ("123.456.789-09", 10);
  g_autoptr(GPtrArray) erased_cpf = search ("111.444.777-35", 10);

  ck_assert_uint_eq (by_phone->len, 1);
  ck_assert_str_eq (at (by_phone, 0)->id, "c1");
  ck_assert_uint_eq (by_cpf_digits->len, 1);
  ck_assert_str_eq (at (by_cpf_digits, 0)->id, "c2");
  ck_assert_uint_ge (by_cpf_formatted->len, 1);
  ck_assert_str_eq (at (by_cpf_formatted, 0)->id, "c1");
  ck_assert_uint_eq (erased_cpf->len, 0);
}
END_TEST

START_TEST (test_masks_and_money)
{
  g_autoptr(GPtrArray) r = search ("maria silva", 10);

  ck_assert_uint_eq (r->len, 1);
  ck_assert_str_eq (at (r, 0)->cpf_masked, "***.456.789-**");
  ck_assert_str_eq (at (r, 0)->phone_masked, "(11) *****-4321");
  ck_assert_int_eq (at (r, 0)->store_credit, 1500);
  ck_assert_int_eq (at (r, 0)->loyalty_points, 7);
}
END_TEST

START_TEST (test_mask_helpers)
{
  g_autofree char *a = pos_customers_mask_phone ("+55 21 3333-1234");
  g_autofree char *b = pos_customers_mask_phone ("12");
  g_autofree char *c = pos_customers_mask_cpf ("123");
  g_autofree char *d = pos_customers_mask_phone ("3333-1234");

  ck_assert_str_eq (a, "(21) *****-1234");
  ck_assert_str_eq (b, "****");
  ck_assert_str_eq (c, "***.***.***-**");
  ck_assert_str_eq (d, "*****-1234");
  ck_assert_ptr_null (pos_customers_mask_cpf (NULL));
  ck_assert_ptr_null (pos_customers_mask_phone (""));
}
END_TEST

START_TEST (test_bad_input)
{
  g_autoptr(GPtrArray) empty = search ("", 10);
  g_autoptr(GPtrArray) punct = search ("\"*) OR (", 10);
  g_autoptr(GPtrArray) quote = search ("ma\"ria", 10);
  g_autoptr(GPtrArray) nearly_cpf = search ("12345678900", 10);   /* wrong check digits */
  g_autoptr(GPtrArray) invalid_utf8 = search ("Mari\xff", 10);
  g_autofree char *longtext = g_strnfill (5000, 'a');
  g_autoptr(GPtrArray) overlong = search (longtext, 10);

  ck_assert_uint_eq (empty->len, 0);
  ck_assert_uint_eq (punct->len, 0);
  ck_assert_uint_eq (quote->len, 0);
  ck_assert_uint_eq (nearly_cpf->len, 0);
  ck_assert_uint_eq (invalid_utf8->len, 2);
  ck_assert_uint_eq (overlong->len, 0);
}
END_TEST

START_TEST (test_get)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCustomerSummary) c = pos_customers_get (db, "c1", &error);
  g_autoptr(PosCustomerSummary) copy = NULL;
  PosCustomerSummary *gone;

  ck_assert_ptr_nonnull (c);
  ck_assert_str_eq (c->name, "Maria da Silva");
  copy = pos_customer_summary_copy (c);
  ck_assert_str_eq (copy->cpf_masked, c->cpf_masked);

  gone = pos_customers_get (db, "c4", &error);
  ck_assert_ptr_null (gone);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("customers");
  TCase *tc = tcase_create ("search");
  SRunner *sr;
  int n;

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_prefix_name_accents);
  tcase_add_test (tc, test_prefix_several);
  tcase_add_test (tc, test_all_words_must_match);
  tcase_add_test (tc, test_limit);
  tcase_add_test (tc, test_phone_suffix_and_cpf);
  tcase_add_test (tc, test_masks_and_money);
  tcase_add_test (tc, test_mask_helpers);
  tcase_add_test (tc, test_bad_input);
  tcase_add_test (tc, test_get);
  suite_add_tcase (s, tc);

  sr = srunner_create (s);
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
