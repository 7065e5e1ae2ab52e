/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-staff"

#include "config.h"

#include <check.h>
#include <string.h>
#include <sodium.h>
#include <json-glib/json-glib.h>

#include "domain/pos-pin.h"
#include "terminal/pos-staff.h"
#include "sales-fixture.h"

/* Staff: sign-in by PIN and badge, wrong PINs and lockout, permissions by
 * role as the manager sets them, each permission enforced by
 * pos_staff_authorize with and without an approval, approvals (once,
 * within 5 minutes, for one permission, from someone allowed), managing
 * staff, and the audit rows (with their 'audit.append' operations).
 *
 * The fixture's people: staff-1 Maria (supervisor, code 100, signed in),
 * staff-2 Paulo (cashier, 101), staff-3 Ana (manager, 900). */

#define PIN_MARIA "2580"
#define PIN_PAULO "1357"
#define PIN_ANA   "8642"

/* Hashed once before the tests fork (Argon2id is meant to be slow). */
static char *hash_maria, *hash_paulo, *hash_ana;
static char hash_old[crypto_pwhash_STRBYTES];   /* PIN_PAULO, cheapest parameters */

static char *dir;
static PosDatabase *db;

static void
set_hash (const char *id,
          const char *hash)
{
  sqlite3_stmt *stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db),
                                        "UPDATE staff SET pin_hash = ?2 WHERE id = ?1", -1, &stmt, NULL), SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  dir = fixture_make_dir ();
  db = fixture_open_no_shift (dir);
  set_hash ("staff-1", hash_maria);
  set_hash ("staff-2", hash_paulo);
  set_hash ("staff-3", hash_ana);
  ck_assert (pos_database_exec (db,
      "UPDATE staff SET badge_code = 'BADGE-' || code;"
      "INSERT INTO staff (id, store_id, code, name, role, active) VALUES "
      " ('staff-4', 'store-1', '102', 'Zeca Antigo', 'cashier', 0),"
      " ('staff-5', 'store-1', '103', 'Bia Nova', 'cashier', 1);"
      /* Start counting from here. */
      "DELETE FROM outbox;", &error));
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

static char *
text (const char *sql)
{
  return fixture_text (db, sql);
}

static void
become (const char *staff_id)
{
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_set_setting (db, "staff_id", staff_id, &error));
}

#define assert_error(err, code) \
  ck_assert_msg (g_error_matches ((err), POS_STAFF_ERROR, (code)), "expected %d, got %s", \
                 (code), (err) != NULL ? (err)->message : "no error")

/* Every audit row has its 'audit.append' operation, with the same fields. */
static void
assert_audit_synced (void)
{
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log a WHERE NOT EXISTS (SELECT 1 FROM outbox o "
                           "WHERE o.type = 'audit.append' AND o.entity_id = a.uuid "
                           "AND json_extract (o.payload, '$.action') = a.action "
                           "AND json_extract (o.payload, '$.staff_id') IS a.staff_id "
                           "AND json_extract (o.payload, '$.approver_id') IS a.approver_id)"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log"),
                    count ("SELECT COUNT(*) FROM outbox WHERE type = 'audit.append'"));
}

/* ------------------------------------------------------------------ */

START_TEST (test_names)
{
  PosRole r;
  PosPermission p;

  for (guint i = 0; i < POS_N_ROLES; i++)
    {
      ck_assert (pos_role_from_string (pos_role_to_string (i), &r));
      ck_assert_int_eq (r, i);
      ck_assert_ptr_nonnull (pos_role_get_label (i));
    }
  ck_assert (!pos_role_from_string ("owner", &r));
  ck_assert (!pos_role_from_string (NULL, &r));
  for (guint i = 0; i < POS_N_PERMISSIONS; i++)
    {
      const char * const *reasons = pos_approval_reasons (i);
      guint n = 0;

      ck_assert (pos_permission_from_string (pos_permission_to_string (i), &p));
      ck_assert_int_eq (p, i);
      ck_assert_ptr_nonnull (pos_permission_get_label (i));
      while (reasons[n] != NULL)
        n++;
      ck_assert_uint_ge (n, 2);
      ck_assert_str_eq (reasons[n - 1], "Other");
    }
  ck_assert_str_eq (pos_permission_to_string (POS_PERMISSION_DISCOUNT_ABOVE_LIMIT), "discount_above_limit");
  ck_assert (!pos_permission_from_string ("fly", &p));
}
END_TEST

START_TEST (test_list_and_get)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pos_staff_list (db, &error);
  g_autoptr(PosStaff) by_code = pos_staff_get (db, "101", &error);
  g_autoptr(PosStaff) by_id = pos_staff_get (db, "staff-3", &error);
  g_autoptr(PosStaff) current = pos_staff_get_current (db, &error);
  PosStaff *s;

  /* Active only, by name. */
  ck_assert_uint_eq (list->len, 4);
  ck_assert_str_eq (((PosStaff *) g_ptr_array_index (list, 0))->name, "Ana Gerente");
  ck_assert_str_eq (((PosStaff *) g_ptr_array_index (list, 1))->name, "Bia Nova");
  s = g_ptr_array_index (list, 3);
  ck_assert_str_eq (s->name, "Paulo Caixa");
  ck_assert_str_eq (s->code, "101");
  ck_assert_int_eq (s->role, POS_ROLE_CASHIER);
  ck_assert_str_eq (s->badge_code, "BADGE-101");
  ck_assert (s->has_pin);
  ck_assert (s->active);
  ck_assert_uint_eq (s->failed_attempts, 0);
  ck_assert_int_eq (s->locked_until, 0);
  ck_assert (!((PosStaff *) g_ptr_array_index (list, 1))->has_pin);

  ck_assert_str_eq (by_code->id, "staff-2");
  ck_assert_str_eq (by_id->name, "Ana Gerente");
  ck_assert_int_eq (by_id->role, POS_ROLE_MANAGER);
  ck_assert_str_eq (current->id, "staff-1");
  ck_assert_ptr_null (pos_staff_get (db, "nobody", &error));
  assert_error (error, POS_STAFF_ERROR_NOT_FOUND);
}
END_TEST

START_TEST (test_sign_in_pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error);
  g_autofree char *current = NULL;
  g_autoptr(PosStoreInfo) info = NULL;

  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (s->id, "staff-2");
  current = pos_database_get_setting (db, "staff_id");
  ck_assert_str_eq (current, "staff-2");
  info = pos_database_get_store_info (db, &error);
  ck_assert_str_eq (info->staff_name, "Paulo Caixa");

  /* Maria was signed in: switching signs her out, then Paulo in. */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_out' AND entity_id = 'staff-1' "
                           "AND staff_id = 'staff-1' AND reason = 'switch'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in' AND entity_id = 'staff-2' "
                           "AND staff_id = 'staff-2' AND json_extract (data, '$.method') = 'pin' "
                           "AND terminal_id = 'term-1'"), 1);
  ck_assert_int_gt (count ("SELECT id FROM audit_log WHERE action = 'staff.sign_in'"),
                    count ("SELECT id FROM audit_log WHERE action = 'staff.sign_out'"));
  assert_audit_synced ();
  /* No PIN and no hash anywhere in the log or the outbox. */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE data LIKE '%" PIN_PAULO "%' OR data LIKE '%argon2%'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%" PIN_PAULO "%'"), 0);

  /* By id works as by code. */
  g_clear_pointer (&s, pos_staff_free);
  s = pos_staff_sign_in_pin (db, "staff-3", PIN_ANA, &error);
  ck_assert_ptr_nonnull (s);
  ck_assert_str_eq (s->name, "Ana Gerente");
}
END_TEST

START_TEST (test_sign_in_badge)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = pos_staff_sign_in_badge (db, "BADGE-900", &error);
  g_autofree char *current = NULL;

  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (s->id, "staff-3");
  current = pos_database_get_setting (db, "staff_id");
  ck_assert_str_eq (current, "staff-3");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in' AND entity_id = 'staff-3' "
                           "AND json_extract (data, '$.method') = 'badge'"), 1);

  /* An unknown badge: refused, audited, the badge itself not written. */
  ck_assert_ptr_null (pos_staff_sign_in_badge (db, "NOPE-1", &error));
  assert_error (error, POS_STAFF_ERROR_NOT_FOUND);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in_failed' AND entity_id IS NULL "
                           "AND json_extract (data, '$.why') = 'unknown' AND json_extract (data, '$.method') = 'badge'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE data LIKE '%NOPE%'"), 0);
  g_clear_error (&error);

  /* An inactive person's badge. */
  ck_assert (pos_database_exec (db, "UPDATE staff SET badge_code = 'OLD-1' WHERE id = 'staff-4'", &error));
  ck_assert_ptr_null (pos_staff_sign_in_badge (db, "OLD-1", &error));
  assert_error (error, POS_STAFF_ERROR_INACTIVE);
  current = (g_free (current), pos_database_get_setting (db, "staff_id"));
  ck_assert_str_eq (current, "staff-3");
  assert_audit_synced ();
}
END_TEST

START_TEST (test_refusals)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;

  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "777", PIN_PAULO, &error));
  assert_error (error, POS_STAFF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "102", "1234", &error));
  assert_error (error, POS_STAFF_ERROR_INACTIVE);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "103", "1234", &error));
  assert_error (error, POS_STAFF_ERROR_NO_PIN);
  g_clear_error (&error);

  /* Nothing changed who is signed in; each refusal is in the log. */
  current = pos_database_get_setting (db, "staff_id");
  ck_assert_str_eq (current, "staff-1");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in_failed'"), 3);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in_failed' "
                           "AND entity_id = 'staff-5' AND json_extract (data, '$.why') = 'no_pin'"), 1);
  /* What was typed in the code field is not written (it may be a PIN). */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE data LIKE '%777%'"), 0);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_wrong_pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = NULL;

  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "101", "9999", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  ck_assert_msg (strstr (error->message, "4 more tries") != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, "Paulo Caixa") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in_failed' AND entity_id = 'staff-2' "
                           "AND json_extract (data, '$.why') = 'wrong_pin'"), 1);

  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "101", "", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  ck_assert_msg (strstr (error->message, "3 more tries") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* The right PIN resets the count. */
  s = pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error);
  ck_assert_ptr_nonnull (s);
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 0);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_lockout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = NULL;
  g_autoptr(PosStaff) info = NULL;
  gint64 before = pos_now_ms ();
  gint64 until;

  ck_assert (pos_database_set_setting (db, "pin_lockout_minutes", "10", &error));
  for (int i = 1; i <= 4; i++)
    {
      ck_assert_ptr_null (pos_staff_sign_in_pin (db, "101", "0000", &error));
      assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
      g_clear_error (&error);
    }
  ck_assert_int_eq (count ("SELECT IFNULL (locked_until, 0) FROM staff WHERE id = 'staff-2'"), 0);
  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "101", "0000", &error));
  assert_error (error, POS_STAFF_ERROR_LOCKED_OUT);
  ck_assert_msg (strstr (error->message, "locked out until") != NULL, "%s", error->message);
  g_clear_error (&error);

  until = count ("SELECT locked_until FROM staff WHERE id = 'staff-2'");
  ck_assert_int_ge (until, before + 10 * 60000);
  ck_assert_int_le (until, pos_now_ms () + 10 * 60000);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.locked_out' AND entity_id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in_failed' AND entity_id = 'staff-2'"), 5);
  info = pos_staff_get (db, "staff-2", &error);
  ck_assert_uint_eq (info->failed_attempts, 5);
  ck_assert_int_eq (info->locked_until, until);

  /* Locked: even the right PIN (or the badge) is refused. */
  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error));
  assert_error (error, POS_STAFF_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_sign_in_badge (db, "BADGE-101", &error));
  assert_error (error, POS_STAFF_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_in_failed' AND entity_id = 'staff-2' "
                           "AND json_extract (data, '$.why') = 'locked'"), 2);
  /* Others are not affected. */
  s = pos_staff_sign_in_pin (db, "900", PIN_ANA, &error);
  ck_assert_ptr_nonnull (s);
  g_clear_pointer (&s, pos_staff_free);

  /* The lockout has passed: a wrong PIN starts the count again... */
  ck_assert (pos_database_exec (db, "UPDATE staff SET locked_until = 1000 WHERE id = 'staff-2'", &error));
  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "101", "0000", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  ck_assert_msg (strstr (error->message, "4 more tries") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT locked_until IS NULL FROM staff WHERE id = 'staff-2'"), 1);

  /* ...and after another lockout has passed, the right PIN signs in. */
  ck_assert (pos_database_exec (db, "UPDATE staff SET failed_attempts = 5, locked_until = 1000 WHERE id = 'staff-2'", &error));
  s = pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error);
  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 0);
  ck_assert_int_eq (count ("SELECT locked_until IS NULL FROM staff WHERE id = 'staff-2'"), 1);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_unlock)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = NULL;
  gint64 later = pos_now_ms () + 3600000;
  g_autofree char *sql = g_strdup_printf ("UPDATE staff SET failed_attempts = 5, locked_until = %" G_GINT64_FORMAT
                                          " WHERE id = 'staff-2'", later);

  ck_assert (pos_database_exec (db, sql, &error));
  /* Maria (supervisor) may not: manage_staff is the manager's. */
  ck_assert (!pos_staff_unlock (db, "staff-2", &error));
  assert_error (error, POS_STAFF_ERROR_PERMISSION);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 5);

  become ("staff-3");
  ck_assert_msg (pos_staff_unlock (db, "staff-2", &error), "%s", error ? error->message : "");
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 0);
  ck_assert_int_eq (count ("SELECT locked_until IS NULL FROM staff WHERE id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.unlock' AND entity_id = 'staff-2' "
                           "AND staff_id = 'staff-3'"), 1);
  ck_assert (!pos_staff_unlock (db, "nobody", &error));
  assert_error (error, POS_STAFF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  s = pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error);
  ck_assert_ptr_nonnull (s);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_sign_out_and_verify)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) current = NULL;
  g_autofree char *id = NULL;
  char *approver = NULL;

  ck_assert (pos_staff_sign_out (db, "idle", &error));
  id = pos_database_get_setting (db, "staff_id");
  ck_assert_ptr_null (id);
  current = pos_staff_get_current (db, &error);
  ck_assert_ptr_null (current);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.sign_out' AND reason = 'idle' "
                           "AND staff_id = 'staff-1' AND entity_id = 'staff-1'"), 1);
  /* Nobody signed in: nothing guarded goes, not even with a manager's approval. */
  ck_assert (!pos_staff_current_can (db, POS_PERMISSION_CLOSE_SHIFT));
  ck_assert (!pos_staff_authorize (db, POS_PERMISSION_CLOSE_SHIFT, NULL, "x", &approver, &error));
  assert_error (error, POS_STAFF_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_approval_grant_pin (db, POS_PERMISSION_REFUND, "900", PIN_ANA, "Other", &error));
  assert_error (error, POS_STAFF_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);
  /* Signing out again is harmless. */
  ck_assert (pos_staff_sign_out (db, NULL, &error));

  /* Checking a PIN does not sign anyone in. */
  ck_assert (pos_staff_verify_pin (db, "staff-1", PIN_MARIA, &error));
  ck_assert (!pos_staff_verify_pin (db, "staff-1", "0000", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);
  g_clear_pointer (&id, g_free);
  id = pos_database_get_setting (db, "staff_id");
  ck_assert_ptr_null (id);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.pin_verified' AND entity_id = 'staff-1'"), 1);
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-1'"), 1);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_act_as)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *setting = NULL;
  g_autofree char *acting = NULL;

  ck_assert (!pos_staff_act_as (db, "900", "0000", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);
  acting = pos_database_get_staff_id (db);
  ck_assert_str_eq (acting, "staff-1");

  ck_assert (pos_staff_act_as (db, "900", PIN_ANA, &error));
  g_clear_pointer (&acting, g_free);
  acting = pos_database_get_staff_id (db);
  ck_assert_str_eq (acting, "staff-3");
  /* The counter's signed-in person is unchanged. */
  setting = pos_database_get_setting (db, "staff_id");
  ck_assert_str_eq (setting, "staff-1");
  ck_assert (pos_staff_current_can (db, POS_PERMISSION_MANAGE_STAFF));
  ck_assert (pos_staff_unlock (db, "staff-2", &error));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.act_as' AND staff_id = 'staff-3'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.unlock' AND staff_id = 'staff-3'"), 1);

  pos_database_set_acting_staff (db, NULL);
  g_clear_pointer (&acting, g_free);
  acting = pos_database_get_staff_id (db);
  ck_assert_str_eq (acting, "staff-1");
  assert_audit_synced ();
}
END_TEST

/* What the header promises until a manager changes it. */
static const char *defaults[POS_N_ROLES] = {
  /* cashier */    "close_shift",
  /* supervisor */ "refund void_sale price_override discount_above_limit no_sale cash_in_out close_shift "
                   "reveal_contact view_audit",
  /* manager */    "*",
};

static gboolean
default_allows (PosRole       role,
                PosPermission p)
{
  g_auto(GStrv) names = g_strsplit (defaults[role], " ", -1);

  if (g_str_equal (defaults[role], "*"))
    return TRUE;
  return g_strv_contains ((const char * const *) names, pos_permission_to_string (p));
}

START_TEST (test_permission_defaults)
{
  for (guint r = 0; r < POS_N_ROLES; r++)
    for (guint p = 0; p < POS_N_PERMISSIONS; p++)
      ck_assert_msg (pos_role_has_permission (db, r, p) == default_allows (r, p),
                     "%s / %s", pos_role_to_string (r), pos_permission_to_string (p));
  ck_assert (pos_staff_can (db, "staff-1", POS_PERMISSION_REFUND));
  ck_assert (!pos_staff_can (db, "staff-2", POS_PERMISSION_REFUND));
  ck_assert (pos_staff_can (db, "staff-2", POS_PERMISSION_CLOSE_SHIFT));
  /* An inactive person may do nothing; an unknown one neither. */
  ck_assert (!pos_staff_can (db, "staff-4", POS_PERMISSION_CLOSE_SHIFT));
  ck_assert (!pos_staff_can (db, "ghost", POS_PERMISSION_CLOSE_SHIFT));
  ck_assert (!pos_staff_can (db, "100", POS_PERMISSION_REFUND));   /* a code is not an id */
  ck_assert (pos_staff_current_can (db, POS_PERMISSION_VIEW_AUDIT));
  ck_assert (!pos_staff_current_can (db, POS_PERMISSION_MANAGE_STAFF));
}
END_TEST

START_TEST (test_manager_changes_permissions)
{
  g_autoptr(GError) error = NULL;

  /* Only with change_settings. */
  ck_assert (!pos_role_set_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND, TRUE, &error));
  assert_error (error, POS_STAFF_ERROR_PERMISSION);
  g_clear_error (&error);
  ck_assert (!pos_role_has_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND));

  become ("staff-3");
  ck_assert (pos_role_set_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND, TRUE, &error));
  ck_assert (pos_role_set_permission (db, POS_ROLE_SUPERVISOR, POS_PERMISSION_VOID_SALE, FALSE, &error));
  ck_assert (pos_role_has_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND));
  ck_assert (!pos_role_has_permission (db, POS_ROLE_SUPERVISOR, POS_PERMISSION_VOID_SALE));
  ck_assert (pos_staff_can (db, "staff-2", POS_PERMISSION_REFUND));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM role_permissions WHERE changed_by = 'staff-3'"), 2);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.permission' AND entity_id = 'cashier' "
                           "AND staff_id = 'staff-3' AND json_extract (data, '$.permission') = 'refund' "
                           "AND json_extract (data, '$.old') = 0 AND json_extract (data, '$.new') = 1"), 1);
  /* Back again. */
  ck_assert (pos_role_set_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND, FALSE, &error));
  ck_assert (!pos_role_has_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND));

  /* A manager keeps change_settings and manage_staff. */
  ck_assert (!pos_role_set_permission (db, POS_ROLE_MANAGER, POS_PERMISSION_CHANGE_SETTINGS, FALSE, &error));
  assert_error (error, POS_STAFF_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert (pos_role_has_permission (db, POS_ROLE_MANAGER, POS_PERMISSION_CHANGE_SETTINGS));
  ck_assert (pos_role_set_permission (db, POS_ROLE_MANAGER, POS_PERMISSION_REVEAL_CONTACT, FALSE, &error));
  ck_assert (!pos_role_has_permission (db, POS_ROLE_MANAGER, POS_PERMISSION_REVEAL_CONTACT));
  assert_audit_synced ();
}
END_TEST

/* Each permission, as a cashier: refused alone unless the role has it,
 * allowed with an approval of the manager (badge), the approval then used. */
START_TEST (test_authorize_each_permission)
{
  become ("staff-2");
  for (guint i = 0; i < POS_N_PERMISSIONS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosApproval) a = NULL;
      g_autofree char *approver = NULL;
      g_autofree char *what = g_strdup_printf ("test:%u", i);
      g_autofree char *sql = NULL;

      if (default_allows (POS_ROLE_CASHIER, i))
        {
          ck_assert (pos_staff_authorize (db, i, NULL, what, &approver, &error));
          ck_assert_ptr_null (approver);
          continue;
        }

      ck_assert_msg (!pos_staff_authorize (db, i, NULL, what, &approver, &error), "%s", pos_permission_to_string (i));
      assert_error (error, POS_STAFF_ERROR_PERMISSION);
      ck_assert_msg (strstr (error->message, pos_permission_get_label (i)) != NULL, "%s", error->message);
      g_clear_error (&error);

      a = pos_approval_grant_badge (db, i, "BADGE-900", pos_approval_reasons (i)[0], &error);
      ck_assert_msg (a != NULL, "%s", error ? error->message : "");
      ck_assert_str_eq (a->approver_id, "staff-3");
      ck_assert_str_eq (a->approver_name, "Ana Gerente");
      ck_assert_int_eq (a->permission, i);
      ck_assert_msg (pos_staff_authorize (db, i, a->id, what, &approver, &error), "%s: %s",
                     pos_permission_to_string (i), error ? error->message : "");
      ck_assert_str_eq (approver, "staff-3");
      sql = g_strdup_printf ("SELECT COUNT(*) FROM approvals WHERE id = '%s' AND used_for = '%s' AND used_at > 0 "
                             "AND staff_id = 'staff-2' AND approver_id = 'staff-3' AND permission = '%s'",
                             a->id, what, pos_permission_to_string (i));
      ck_assert_int_eq (count (sql), 1);
      g_clear_pointer (&approver, g_free);

      /* Once only. */
      ck_assert (!pos_staff_authorize (db, i, a->id, what, &approver, &error));
      assert_error (error, POS_STAFF_ERROR_APPROVAL);
      ck_assert_ptr_null (approver);
    }
  /* Every grant is in the log, naming both people and the reason. */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.grant' AND staff_id = 'staff-2' "
                           "AND approver_id = 'staff-3' AND reason IS NOT NULL AND entity = 'approval'"),
                    POS_N_PERMISSIONS - 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log a JOIN approvals p ON p.id = a.entity_id "
                           "WHERE a.action = 'approval.grant' AND json_extract (a.data, '$.permission') = p.permission"),
                    POS_N_PERMISSIONS - 1);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_approval_pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosApproval) a = NULL;
  g_autofree char *approver = NULL;

  become ("staff-2");
  /* A wrong PIN: refused, counted against the approver, audited. */
  ck_assert_ptr_null (pos_approval_grant_pin (db, POS_PERMISSION_REFUND, "100", "0000", "Defective product", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-1'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.denied' AND entity_id = 'staff-1' "
                           "AND staff_id = 'staff-2' AND json_extract (data, '$.why') = 'wrong_pin' "
                           "AND json_extract (data, '$.permission') = 'refund'"), 1);

  /* No reason: refused before anything. */
  ck_assert_ptr_null (pos_approval_grant_pin (db, POS_PERMISSION_REFUND, "100", PIN_MARIA, "  ", &error));
  assert_error (error, POS_STAFF_ERROR_INVALID);
  g_clear_error (&error);

  a = pos_approval_grant_pin (db, POS_PERMISSION_REFUND, "100", PIN_MARIA, "Defective product", &error);
  ck_assert_msg (a != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (a->reason, "Defective product");
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-1'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.grant' AND staff_id = 'staff-2' "
                           "AND approver_id = 'staff-1' AND reason = 'Defective product'"), 1);

  /* For another permission: refused, and still good for its own. */
  ck_assert (!pos_staff_authorize (db, POS_PERMISSION_VOID_SALE, a->id, "sale:1", &approver, &error));
  assert_error (error, POS_STAFF_ERROR_APPROVAL);
  g_clear_error (&error);
  ck_assert (pos_staff_authorize (db, POS_PERMISSION_REFUND, a->id, "return:1", &approver, &error));
  ck_assert_str_eq (approver, "staff-1");

  /* Unknown id. */
  g_clear_pointer (&approver, g_free);
  ck_assert (!pos_staff_authorize (db, POS_PERMISSION_REFUND, "no-such-approval", "x", &approver, &error));
  assert_error (error, POS_STAFF_ERROR_APPROVAL);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_approval_expiry_and_others)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosApproval) a = NULL;
  g_autoptr(PosApproval) b = NULL;
  g_autoptr(PosApproval) c = NULL;
  g_autofree char *sql = NULL;
  char *approver = NULL;

  become ("staff-2");
  /* Expired after 5 minutes. */
  a = pos_approval_grant_badge (db, POS_PERMISSION_NO_SALE, "BADGE-900", "Give change", &error);
  ck_assert_ptr_nonnull (a);
  sql = g_strdup_printf ("UPDATE approvals SET granted_at = %" G_GINT64_FORMAT " WHERE id = '%s'",
                         pos_now_ms () - 5 * 60000 - 1000, a->id);
  ck_assert (pos_database_exec (db, sql, &error));
  ck_assert (!pos_staff_authorize (db, POS_PERMISSION_NO_SALE, a->id, "drawer", &approver, &error));
  assert_error (error, POS_STAFF_ERROR_APPROVAL);
  ck_assert_msg (strstr (error->message, "expired") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* Given to Paulo, not usable by Bia. */
  b = pos_approval_grant_badge (db, POS_PERMISSION_NO_SALE, "BADGE-900", "Give change", &error);
  ck_assert_ptr_nonnull (b);
  become ("staff-5");
  ck_assert (!pos_staff_authorize (db, POS_PERMISSION_NO_SALE, b->id, "drawer", &approver, &error));
  assert_error (error, POS_STAFF_ERROR_APPROVAL);
  g_clear_error (&error);
  become ("staff-2");

  /* The approver lost the permission since: no longer good. */
  c = pos_approval_grant_badge (db, POS_PERMISSION_CASH_IN_OUT, "BADGE-100", "Change float", &error);
  ck_assert_msg (c != NULL, "%s", error ? error->message : "");
  ck_assert (pos_database_exec (db, "INSERT INTO role_permissions (role, permission, allowed, changed_at) "
                                    "VALUES ('supervisor', 'cash_in_out', 0, 1)", &error));
  ck_assert (!pos_staff_authorize (db, POS_PERMISSION_CASH_IN_OUT, c->id, "cash", &approver, &error));
  assert_error (error, POS_STAFF_ERROR_APPROVAL);
  g_clear_error (&error);

  /* An approver whose role lacks the permission cannot give it. */
  ck_assert_ptr_null (pos_approval_grant_badge (db, POS_PERMISSION_COUNT_DIFFERENCE, "BADGE-100", "Other", &error));
  assert_error (error, POS_STAFF_ERROR_PERMISSION);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'approval.denied' AND entity_id = 'staff-1' "
                           "AND approver_id = 'staff-1' AND json_extract (data, '$.why') = 'not_allowed'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM approvals WHERE permission = 'count_difference'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM approvals WHERE used_at IS NOT NULL"), 0);

  /* The list of who may approve. */
  {
    g_autoptr(GPtrArray) who = pos_approval_list_approvers (db, POS_PERMISSION_REFUND, &error);
    g_autoptr(GPtrArray) who_count = pos_approval_list_approvers (db, POS_PERMISSION_COUNT_DIFFERENCE, &error);

    ck_assert_uint_eq (who->len, 2);
    ck_assert_str_eq (((PosStaff *) g_ptr_array_index (who, 0))->id, "staff-3");
    ck_assert_str_eq (((PosStaff *) g_ptr_array_index (who, 1))->id, "staff-1");
    ck_assert_uint_eq (who_count->len, 1);
  }
  assert_audit_synced ();
}
END_TEST

START_TEST (test_create_and_set_pin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(PosStaff) s = NULL;
  JsonObject *o;

  /* Needs manage_staff. */
  ck_assert_ptr_null (pos_staff_create (db, "555", "Rita Nova", POS_ROLE_CASHIER, "2468", NULL, &error));
  assert_error (error, POS_STAFF_ERROR_PERMISSION);
  g_clear_error (&error);

  become ("staff-3");
  ck_assert_ptr_null (pos_staff_create (db, "555", "Rita Nova", POS_ROLE_CASHIER, "1234", NULL, &error));
  ck_assert (g_error_matches (error, POS_PIN_ERROR, POS_PIN_ERROR_WEAK));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_create (db, "101", "Rita Nova", POS_ROLE_CASHIER, "2468", NULL, &error));
  assert_error (error, POS_STAFF_ERROR_EXISTS);
  ck_assert_msg (strstr (error->message, "Paulo Caixa") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_create (db, "555", "Rita Nova", POS_ROLE_CASHIER, NULL, "BADGE-101", &error));
  assert_error (error, POS_STAFF_ERROR_EXISTS);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_create (db, "  ", "Rita Nova", POS_ROLE_CASHIER, NULL, NULL, &error));
  assert_error (error, POS_STAFF_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_ptr_null (pos_staff_create (db, "555", "", POS_ROLE_CASHIER, NULL, NULL, &error));
  assert_error (error, POS_STAFF_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'staff.upsert'"), 0);

  id = pos_staff_create (db, " 555 ", "Rita Nova", POS_ROLE_CASHIER, "2468", "BADGE-555", &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  s = pos_staff_get (db, "555", &error);
  ck_assert_str_eq (s->id, id);
  ck_assert (s->has_pin);
  ck_assert_str_eq (s->badge_code, "BADGE-555");

  /* Up to the central with the hash, never the PIN. */
  sql = g_strdup_printf ("SELECT payload FROM outbox WHERE type = 'staff.upsert' AND entity_id = '%s'", id);
  payload = text (sql);
  node = json_from_string (payload, NULL);
  o = json_node_get_object (node);
  ck_assert_str_eq (json_object_get_string_member (o, "id"), id);
  ck_assert_str_eq (json_object_get_string_member (o, "store_id"), "store-1");
  ck_assert_str_eq (json_object_get_string_member (o, "code"), "555");
  ck_assert_str_eq (json_object_get_string_member (o, "name"), "Rita Nova");
  ck_assert_str_eq (json_object_get_string_member (o, "role"), "cashier");
  ck_assert_str_eq (json_object_get_string_member (o, "badge_code"), "BADGE-555");
  ck_assert (json_object_get_boolean_member (o, "active"));
  ck_assert (g_str_has_prefix (json_object_get_string_member (o, "pin_hash"), "$argon2id$"));
  ck_assert (pos_pin_verify (json_object_get_string_member (o, "pin_hash"), "2468"));
  ck_assert_ptr_null (strstr (payload, "\"2468\""));
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.create' AND entity_id = '%s' "
                         "AND staff_id = 'staff-3' AND json_extract (data, '$.pin') = 1", id);
  ck_assert_int_eq (count (sql), 1);

  /* A new PIN: the old one no longer signs in. */
  ck_assert (!pos_staff_set_pin (db, id, "1111", &error));
  ck_assert (g_error_matches (error, POS_PIN_ERROR, POS_PIN_ERROR_WEAK));
  g_clear_error (&error);
  ck_assert (pos_staff_set_pin (db, id, "9753", &error));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'staff.upsert'"), 2);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.set_pin'"), 1);
  g_clear_pointer (&s, pos_staff_free);
  ck_assert_ptr_null (pos_staff_sign_in_pin (db, "555", "2468", &error));
  assert_error (error, POS_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);
  s = pos_staff_sign_in_pin (db, "555", "9753", &error);
  ck_assert_ptr_nonnull (s);
  ck_assert_str_eq (s->name, "Rita Nova");

  /* Rita is a cashier: she may not set PINs. */
  ck_assert (!pos_staff_set_pin (db, "staff-2", "9753", &error));
  assert_error (error, POS_STAFF_ERROR_PERMISSION);
  assert_audit_synced ();
}
END_TEST

START_TEST (test_rehash_old_parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = NULL;
  g_autofree char *now_hash = NULL;
  g_autofree char *sent = NULL;

  /* A hash made elsewhere with other parameters still signs in; the
   * sign-in replaces it with today's and sends that to the central. */
  set_hash ("staff-2", hash_old);
  s = pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error);
  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  now_hash = text ("SELECT pin_hash FROM staff WHERE id = 'staff-2'");
  ck_assert_str_ne (now_hash, hash_old);
  ck_assert (!pos_pin_needs_rehash (now_hash));
  ck_assert (pos_pin_verify (now_hash, PIN_PAULO));
  sent = text ("SELECT json_extract (payload, '$.pin_hash') FROM outbox WHERE type = 'staff.upsert' "
               "AND entity_id = 'staff-2'");
  ck_assert_str_eq (sent, now_hash);

  /* Today's hash is left alone. */
  g_clear_pointer (&s, pos_staff_free);
  s = pos_staff_sign_in_pin (db, "101", PIN_PAULO, &error);
  ck_assert_ptr_nonnull (s);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'staff.upsert'"), 1);
}
END_TEST

static Suite *
staff_suite (void)
{
  Suite *s = suite_create ("staff");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 240);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_names);
  tcase_add_test (tc, test_list_and_get);
  tcase_add_test (tc, test_sign_in_pin);
  tcase_add_test (tc, test_sign_in_badge);
  tcase_add_test (tc, test_refusals);
  tcase_add_test (tc, test_wrong_pin);
  tcase_add_test (tc, test_lockout);
  tcase_add_test (tc, test_unlock);
  tcase_add_test (tc, test_sign_out_and_verify);
  tcase_add_test (tc, test_act_as);
  tcase_add_test (tc, test_permission_defaults);
  tcase_add_test (tc, test_manager_changes_permissions);
  tcase_add_test (tc, test_authorize_each_permission);
  tcase_add_test (tc, test_approval_pin);
  tcase_add_test (tc, test_approval_expiry_and_others);
  tcase_add_test (tc, test_create_and_set_pin);
  tcase_add_test (tc, test_rehash_old_parameters);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr;
  int n;

  hash_maria = pos_pin_hash (PIN_MARIA, NULL);
  hash_paulo = pos_pin_hash (PIN_PAULO, NULL);
  hash_ana = pos_pin_hash (PIN_ANA, NULL);
  if (sodium_init () < 0 ||
      crypto_pwhash_str_alg (hash_old, PIN_PAULO, strlen (PIN_PAULO), crypto_pwhash_OPSLIMIT_MIN,
                             crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
    g_error ("libsodium failed");

  sr = srunner_create (staff_suite ());
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  g_free (hash_maria);
  g_free (hash_paulo);
  g_free (hash_ana);
  return n == 0 ? 0 : 1;
}
