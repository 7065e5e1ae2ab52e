/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-audit"

#include "config.h"

#include <check.h>
#include <string.h>

#include "terminal/pos-audit.h"
#include "terminal/pos-staff.h"
#include "sales-fixture.h"

/* Reading the audit log: pages by id, filters by action prefix, person and
 * time, the names joined in, the permission to read it; and every action
 * the engine writes has a description. */

static char *dir;
static PosDatabase *db;

#define N_ROWS 25

static void
setup (void)
{
  dir = fixture_make_dir ();
  db = fixture_open_no_shift (dir);
}

static void
teardown (void)
{
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

static gint64
count (const char *sql)
{
  return fixture_count (db, sql);
}

static void
become (const char *staff_id)
{
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_set_setting (db, "staff_id", staff_id, &error));
}

/* N_ROWS rows: by turns Maria (staff-1), Paulo (staff-2) with Ana (staff-3)
 * approving, Ana; actions staff.x, sale.x, shift.x; occurred_at 1000 * i. */
static void
fill (void)
{
  static const char *who[] = { "staff-1", "staff-2", "staff-3" };
  static const char *actions[] = { "staff.sign_in", "sale.void", "shift.open" };
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < N_ROWS; i++)
    {
      g_autofree char *reason = g_strdup_printf ("row %d", i);

      become (who[i % 3]);
      ck_assert (pos_database_audit_full (db, actions[i % 3], "thing", NULL, reason, NULL,
                                          i % 3 == 1 ? "staff-3" : NULL, &error));
    }
  /* Times by the row's number: the log is append-only, so this test
   * database drops the trigger that says so. */
  ck_assert (pos_database_exec (db,
      "DROP TRIGGER audit_log_no_update;"
      "UPDATE audit_log SET occurred_at = 1000 * (CAST (substr (reason, 5) AS INTEGER) + 1) WHERE reason LIKE 'row %';",
      &error));
  become ("staff-3");
}

START_TEST (test_paging)
{
  g_autoptr(GError) error = NULL;
  gint64 before = 0;
  gint64 last = G_MAXINT64;
  guint pages = 0, total = 0;

  fill ();
  for (;;)
    {
      g_autoptr(GPtrArray) page = pos_audit_list (db, NULL, before, 10, &error);

      ck_assert_msg (page != NULL, "%s", error ? error->message : "");
      if (page->len == 0)
        break;
      pages++;
      ck_assert_uint_le (page->len, 10);
      for (guint i = 0; i < page->len; i++)
        {
          PosAuditEntry *e = g_ptr_array_index (page, i);

          ck_assert_int_lt (e->id, last);   /* newest first, no overlap */
          last = e->id;
          total++;
        }
      before = ((PosAuditEntry *) g_ptr_array_index (page, page->len - 1))->id;
    }
  ck_assert_int_eq (total, count ("SELECT COUNT(*) FROM audit_log"));
  ck_assert_uint_eq (pages, (total + 9) / 10);

  /* limit 0 is a default page; the first page starts at the newest. */
  {
    g_autoptr(GPtrArray) all = pos_audit_list (db, NULL, 0, 0, &error);
    PosAuditEntry *e;

    ck_assert_uint_eq (all->len, total);
    e = g_ptr_array_index (all, 0);
    ck_assert_int_eq (e->id, count ("SELECT MAX (id) FROM audit_log"));
  }
}
END_TEST

START_TEST (test_fields_and_names)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  PosAuditEntry *e;

  become ("staff-2");
  ck_assert (pos_database_audit_full (db, "sale.void", "sale", "s-1", "Customer gave up",
                                      "{\"n\":1}", "staff-3", &error));
  become ("staff-3");
  rows = pos_audit_list (db, NULL, 0, 1, &error);
  ck_assert_uint_eq (rows->len, 1);
  e = g_ptr_array_index (rows, 0);
  ck_assert (e->uuid != NULL && strlen (e->uuid) == 36);
  ck_assert_int_gt (e->occurred_at, 0);
  ck_assert_str_eq (e->terminal_id, "term-1");
  ck_assert_str_eq (e->terminal_name, "Caixa 1");
  ck_assert_str_eq (e->staff_id, "staff-2");
  ck_assert_str_eq (e->staff_name, "Paulo Caixa");
  ck_assert_str_eq (e->approver_id, "staff-3");
  ck_assert_str_eq (e->approver_name, "Ana Gerente");
  ck_assert_str_eq (e->action, "sale.void");
  ck_assert_str_eq (e->entity, "sale");
  ck_assert_str_eq (e->entity_id, "s-1");
  ck_assert_str_eq (e->reason, "Customer gave up");
  ck_assert_str_eq (e->data, "{\"n\":1}");
  ck_assert_str_eq (pos_audit_describe_action (e->action), "Sale voided");
}
END_TEST

START_TEST (test_filters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  PosAuditFilter f = { 0, };

  fill ();

  f.action_prefix = "sale.";
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, 8);   /* i = 1, 4, ..., 22 */
  for (guint i = 0; i < rows->len; i++)
    ck_assert_str_eq (((PosAuditEntry *) g_ptr_array_index (rows, i))->action, "sale.void");
  g_clear_pointer (&rows, g_ptr_array_unref);

  f.action_prefix = "s";   /* staff.*, sale.*, shift.* */
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, N_ROWS);
  g_clear_pointer (&rows, g_ptr_array_unref);
  f.action_prefix = "nothing.";
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Paulo acted in 8 rows; Ana acted in 8 and approved Paulo's 8. */
  f.action_prefix = NULL;
  f.staff_id = "staff-2";
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, 8);
  g_clear_pointer (&rows, g_ptr_array_unref);
  f.staff_id = "staff-3";
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, 16);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* The person acted on counts too (a failed sign-in while nobody is in). */
  ck_assert (pos_database_set_setting (db, "staff_id", NULL, &error));
  ck_assert (pos_database_audit (db, "staff.sign_in_failed", "staff", "staff-2", NULL, NULL, &error));
  become ("staff-3");
  f.staff_id = "staff-2";
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, 9);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Time: rows 10..14 have occurred_at 11000..15000 (both bounds in). */
  f.staff_id = NULL;
  f.since = 11000;
  f.until = 15000;
  rows = pos_audit_list (db, &f, 0, 100, &error);
  ck_assert_uint_eq (rows->len, 5);
  ck_assert_str_eq (((PosAuditEntry *) g_ptr_array_index (rows, 0))->reason, "row 14");
  ck_assert_str_eq (((PosAuditEntry *) g_ptr_array_index (rows, 4))->reason, "row 10");
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Filters and paging together. */
  f.since = f.until = 0;
  f.action_prefix = "staff.sign_in";
  {
    g_autoptr(GPtrArray) first = pos_audit_list (db, &f, 0, 5, &error);
    g_autoptr(GPtrArray) second = NULL;

    ck_assert_uint_eq (first->len, 5);
    second = pos_audit_list (db, &f, ((PosAuditEntry *) g_ptr_array_index (first, 4))->id, 5, &error);
    /* 9 staff.sign_in rows + the staff.sign_in_failed one */
    ck_assert_uint_eq (second->len, 5);
  }
}
END_TEST

START_TEST (test_needs_view_audit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  become ("staff-2");   /* a cashier */
  rows = pos_audit_list (db, NULL, 0, 10, &error);
  ck_assert_ptr_null (rows);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);
  ck_assert (pos_database_set_setting (db, "staff_id", NULL, &error));
  rows = pos_audit_list (db, NULL, 0, 10, &error);
  ck_assert_ptr_null (rows);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN));
  g_clear_error (&error);
  become ("staff-1");   /* a supervisor may */
  rows = pos_audit_list (db, NULL, 0, 10, &error);
  ck_assert_ptr_nonnull (rows);
}
END_TEST

/* Every action a pos_database_audit or pos_database_audit_full call in
 * src/terminal or src/app writes (the literal ones, and the two the sales
 * pass through) is described. */
static guint
check_folder (const char *src,
              const char *sub)
{
  g_autofree char *folder = g_build_filename (src, "src", sub, NULL);
  g_autoptr(GDir) d = g_dir_open (folder, 0, NULL);
  g_autoptr(GRegex) re = g_regex_new ("pos_database_audit(?:_full)?\\s*\\(\\s*\\w+\\s*,\\s*\"([a-z_]+\\.[a-z_]+)\"",
                                      0, 0, NULL);
  const char *name;
  guint found = 0;

  ck_assert_ptr_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(GMatchInfo) m = NULL;

      if (!g_str_has_suffix (name, ".c"))
        continue;
      path = g_build_filename (folder, name, NULL);
      ck_assert (g_file_get_contents (path, &contents, NULL, NULL));
      g_regex_match (re, contents, 0, &m);
      while (g_match_info_matches (m))
        {
          g_autofree char *action = g_match_info_fetch (m, 1);

          ck_assert_msg (pos_audit_describe_action (action) != NULL &&
                         !g_str_equal (pos_audit_describe_action (action), action),
                         "%s (written in %s) has no description in pos-audit.c", action, name);
          found++;
          g_match_info_next (m, NULL);
        }
    }
  return found;
}

START_TEST (test_every_action_described)
{
  const char *src = g_getenv ("BALCAO_SOURCE_DIR");

  if (src != NULL)
    ck_assert_uint_ge (check_folder (src, "terminal") + check_folder (src, "app"), 10);
  ck_assert_str_ne (pos_audit_describe_action ("sale.void"), "sale.void");
  ck_assert_str_eq (pos_audit_describe_action ("sale.create"), "Sale");
  ck_assert_str_eq (pos_audit_describe_action ("return.create"), "Refund");
  ck_assert_str_eq (pos_audit_describe_action ("something.new"), "something.new");
}
END_TEST

static Suite *
audit_suite (void)
{
  Suite *s = suite_create ("audit");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_paging);
  tcase_add_test (tc, test_fields_and_names);
  tcase_add_test (tc, test_filters);
  tcase_add_test (tc, test_needs_view_audit);
  tcase_add_test (tc, test_every_action_described);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (audit_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
