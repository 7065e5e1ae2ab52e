/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-staff"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "domain/pos-json.h"
#include "domain/pos-pin.h"
#include "domain/pos-uuid.h"
#include "pos-staff.h"

/* Staff, roles, permissions, sign-in and approvals.
 *
 * A PIN check costs an Argon2id verification (about 100 ms, see
 * pos-pin.h): it runs with no transaction open, so the write lock is never
 * held while hashing; the count of wrong PINs and the audit rows are
 * written afterwards in a short transaction that reads the row again. */

G_DEFINE_QUARK (pos-staff-error-quark, pos_staff_error)

#define MAX_FAILED_PINS 5
#define APPROVAL_VALID_MS (5 * 60 * G_GINT64_CONSTANT (1000))
#define DEFAULT_LOCKOUT_MINUTES 5
#define MAX_CODE_LENGTH 32
#define MAX_NAME_LENGTH 120

/* ------------------------------------------------------------------ */
/* Roles and permissions                                               */

static const char * const role_names[POS_N_ROLES] = { "cashier", "supervisor", "manager" };

const char *
pos_role_to_string (PosRole role)
{
  g_return_val_if_fail ((guint) role < POS_N_ROLES, NULL);
  return role_names[role];
}

gboolean
pos_role_from_string (const char *s,
                      PosRole    *out)
{
  for (guint i = 0; s != NULL && i < POS_N_ROLES; i++)
    if (g_str_equal (s, role_names[i]))
      {
        if (out != NULL)
          *out = (PosRole) i;
        return TRUE;
      }
  return FALSE;
}

const char *
pos_role_get_label (PosRole role)
{
  switch (role)
    {
    case POS_ROLE_CASHIER:
      return _("Cashier");
    case POS_ROLE_SUPERVISOR:
      return _("Supervisor");
    case POS_ROLE_MANAGER:
      return _("Manager");
    default:
      g_return_val_if_reached (NULL);
    }
}

static const struct {
  const char *name;
  const char *label;
  gboolean    allowed[POS_N_ROLES];   /* cashier, supervisor, manager */
} permissions[POS_N_PERMISSIONS] = {
  [POS_PERMISSION_REFUND]               = { "refund", N_("Refund"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_VOID_SALE]            = { "void_sale", N_("Void a paid sale"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_PRICE_OVERRIDE]       = { "price_override", N_("Change a price"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_DISCOUNT_ABOVE_LIMIT] = { "discount_above_limit", N_("Discount above the limit"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_NO_SALE]              = { "no_sale", N_("Open the drawer without a sale"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_CASH_IN_OUT]          = { "cash_in_out", N_("Cash in and cash out"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_CLOSE_SHIFT]          = { "close_shift", N_("Close a shift"), { TRUE, TRUE, TRUE } },
  [POS_PERMISSION_COUNT_DIFFERENCE]     = { "count_difference", N_("Close with a count difference above the limit"), { FALSE, FALSE, TRUE } },
  [POS_PERMISSION_CHANGE_SETTINGS]      = { "change_settings", N_("Change settings"), { FALSE, FALSE, TRUE } },
  [POS_PERMISSION_REVEAL_CONTACT]       = { "reveal_contact", N_("See customer contact data"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_MANAGE_STAFF]         = { "manage_staff", N_("Manage staff"), { FALSE, FALSE, TRUE } },
  [POS_PERMISSION_VIEW_AUDIT]           = { "view_audit", N_("View the audit log"), { FALSE, TRUE, TRUE } },
  [POS_PERMISSION_MANAGE_SYNC]          = { "manage_sync", N_("Manage sync"), { FALSE, FALSE, TRUE } },
};

const char *
pos_permission_to_string (PosPermission p)
{
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, NULL);
  return permissions[p].name;
}

gboolean
pos_permission_from_string (const char    *s,
                            PosPermission *out)
{
  for (guint i = 0; s != NULL && i < POS_N_PERMISSIONS; i++)
    if (g_str_equal (s, permissions[i].name))
      {
        if (out != NULL)
          *out = (PosPermission) i;
        return TRUE;
      }
  return FALSE;
}

const char *
pos_permission_get_label (PosPermission p)
{
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, NULL);
  return _(permissions[p].label);
}

/* A manager always keeps these, so that nobody can lock every person out
 * of the settings and the staff list. */
static gboolean
is_protected (PosRole       role,
              PosPermission p)
{
  return role == POS_ROLE_MANAGER &&
         (p == POS_PERMISSION_CHANGE_SETTINGS || p == POS_PERMISSION_MANAGE_STAFF);
}

/* ------------------------------------------------------------------ */
/* Approval reasons                                                    */

#define MAX_REASONS 6

static const char * const reason_sources[POS_N_PERMISSIONS][MAX_REASONS + 1] = {
  [POS_PERMISSION_REFUND] = {
    N_("Customer changed their mind"), N_("Defective product"), N_("Wrong item sold"),
    N_("Charged the wrong price"), N_("Other"), NULL },
  [POS_PERMISSION_VOID_SALE] = {
    N_("Customer gave up"), N_("Wrong payment method"), N_("Items keyed in by mistake"),
    N_("Charged twice"), N_("Other"), NULL },
  [POS_PERMISSION_PRICE_OVERRIDE] = {
    N_("Shelf price differs"), N_("Damaged packaging"), N_("Near the expiry date"),
    N_("Price match"), N_("Other"), NULL },
  [POS_PERMISSION_DISCOUNT_ABOVE_LIMIT] = {
    N_("Loyal customer"), N_("Damaged product"), N_("Store promotion"),
    N_("Service failure"), N_("Other"), NULL },
  [POS_PERMISSION_NO_SALE] = {
    N_("Give change"), N_("Check the drawer"), N_("Drawer stuck"), N_("Other"), NULL },
  [POS_PERMISSION_CASH_IN_OUT] = {
    N_("Change float"), N_("Cash pickup to the safe"), N_("Pay a supplier"),
    N_("Petty cash"), N_("Other"), NULL },
  [POS_PERMISSION_CLOSE_SHIFT] = {
    N_("End of the shift"), N_("Cashier left"), N_("Other"), NULL },
  [POS_PERMISSION_COUNT_DIFFERENCE] = {
    N_("Counted again: difference confirmed"), N_("Wrong change given"),
    N_("Payment keyed as the wrong method"), N_("Other"), NULL },
  [POS_PERMISSION_CHANGE_SETTINGS] = {
    N_("New device"), N_("Store policy changed"), N_("Other"), NULL },
  [POS_PERMISSION_REVEAL_CONTACT] = {
    N_("Customer asked"), N_("Delivery or pickup contact"), N_("Confirm identity"), N_("Other"), NULL },
  [POS_PERMISSION_MANAGE_STAFF] = {
    N_("New staff member"), N_("Forgotten PIN"), N_("Locked out"), N_("Other"), NULL },
  [POS_PERMISSION_VIEW_AUDIT] = {
    N_("Investigate a difference"), N_("Customer complaint"), N_("Other"), NULL },
  [POS_PERMISSION_MANAGE_SYNC] = {
    N_("Operation rejected by the central"), N_("Terminal replaced"), N_("Other"), NULL },
};

const char * const *
pos_approval_reasons (PosPermission p)
{
  static const char *translated[POS_N_PERMISSIONS][MAX_REASONS + 1];
  static gsize done = 0;

  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, NULL);

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < POS_N_PERMISSIONS; i++)
        for (guint j = 0; reason_sources[i][j] != NULL; j++)
          translated[i][j] = _(reason_sources[i][j]);
      g_once_init_leave (&done, 1);
    }

  return (const char * const *) translated[p];
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */

void
pos_staff_free (PosStaff *staff)
{
  if (staff == NULL)
    return;

  g_free (staff->id);
  g_free (staff->code);
  g_free (staff->name);
  g_free (staff->badge_code);
  g_free (staff);
}

void
pos_approval_free (PosApproval *approval)
{
  if (approval == NULL)
    return;

  g_free (approval->id);
  g_free (approval->approver_id);
  g_free (approval->approver_name);
  g_free (approval->reason);
  g_free (approval);
}

#define STAFF_COLUMNS "id, code, name, role, badge_code, pin_hash IS NOT NULL, active, " \
                      "failed_attempts, IFNULL (locked_until, 0), pin_hash "

static PosStaff *
staff_from_row (sqlite3_stmt *stmt)
{
  PosStaff *s = g_new0 (PosStaff, 1);
  PosRole role = POS_ROLE_CASHIER;

  s->id = pos_database_column_dup (stmt, 0);
  s->code = pos_database_column_dup (stmt, 1);
  s->name = pos_database_column_dup (stmt, 2);
  pos_role_from_string ((const char *) sqlite3_column_text (stmt, 3), &role);
  s->role = role;
  s->badge_code = pos_database_column_dup (stmt, 4);
  s->has_pin = sqlite3_column_int (stmt, 5) != 0;
  s->active = sqlite3_column_int (stmt, 6) != 0;
  s->failed_attempts = (guint) MAX (sqlite3_column_int64 (stmt, 7), 0);
  s->locked_until = sqlite3_column_int64 (stmt, 8);
  return s;
}

static gboolean
step_done (PosDatabase  *db,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return pos_database_set_error (db, error, what);
  return TRUE;
}

/* Looks a person up by id or code (an id wins over a code). Returns NULL
 * with no error when there is none. out_hash gets the PIN hash. */
static PosStaff *
lookup (PosDatabase  *db,
        const char   *id_or_code,
        char        **out_hash,
        GError      **error)
{
  sqlite3_stmt *stmt;
  PosStaff *s = NULL;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT " STAFF_COLUMNS "FROM staff WHERE id = ?1 OR code = ?1 "
      "ORDER BY id = ?1 DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, id_or_code);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      s = staff_from_row (stmt);
      if (out_hash != NULL)
        *out_hash = pos_database_column_dup (stmt, 9);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    pos_database_set_error (db, error, _("Reading the staff list"));
  return s;
}

static PosStaff *
lookup_badge (PosDatabase  *db,
              const char   *badge,
              GError      **error)
{
  sqlite3_stmt *stmt;
  PosStaff *s = NULL;
  int rc;

  stmt = pos_database_prepare_cached (db, "SELECT " STAFF_COLUMNS "FROM staff WHERE badge_code = ?1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, badge);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    s = staff_from_row (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    pos_database_set_error (db, error, _("Reading the staff list"));
  return s;
}

static gint64
int_setting (PosDatabase *db,
             const char  *key,
             gint64       fallback,
             gint64       min,
             gint64       max)
{
  g_autofree char *text = pos_database_get_setting (db, key);
  gint64 v;

  if (text != NULL && g_ascii_string_to_signed (text, 10, min, max, &v, NULL))
    return v;
  return fallback;
}

/* "14:05" in the local time zone. */
static char *
format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("?");
}

PosStaff *
pos_staff_get (PosDatabase  *db,
               const char   *id_or_code,
               GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  PosStaff *s;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (id_or_code != NULL, NULL);

  s = lookup (db, id_or_code, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (s == NULL)
    g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_FOUND,
                 _("Nobody on the staff has the code “%s”. Check the number, or sync with the central."),
                 id_or_code);
  return s;
}

GPtrArray *
pos_staff_list (PosDatabase  *db,
                GError      **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_staff_free);
  g_autofree char *store_id = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  store_id = pos_database_get_setting (db, "store_id");
  stmt = pos_database_prepare_cached (db,
      "SELECT " STAFF_COLUMNS "FROM staff WHERE active = 1 "
      "AND (store_id IS NULL OR ?1 IS NULL OR store_id = ?1) "
      "ORDER BY name COLLATE NOCASE, code", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, store_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, staff_from_row (stmt));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the staff list"));
      return NULL;
    }
  return g_steal_pointer (&list);
}

PosStaff *
pos_staff_get_current (PosDatabase  *db,
                       GError      **error)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  id = pos_database_get_staff_id (db);
  if (id == NULL)
    return NULL;
  return pos_staff_get (db, id, error);
}

/* ------------------------------------------------------------------ */
/* Permissions                                                         */

gboolean
pos_role_has_permission (PosDatabase   *db,
                         PosRole        role,
                         PosPermission  p)
{
  sqlite3_stmt *stmt;
  gboolean allowed;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail ((guint) role < POS_N_ROLES, FALSE);
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, FALSE);

  if (is_protected (role, p))
    return TRUE;

  allowed = permissions[p].allowed[role];
  stmt = pos_database_prepare_cached (db,
      "SELECT allowed FROM role_permissions WHERE role = ?1 AND permission = ?2", NULL);
  if (stmt == NULL)
    return FALSE;   /* cannot read: refuse */
  sqlite3_bind_text (stmt, 1, role_names[role], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, permissions[p].name, -1, SQLITE_STATIC);
  switch (sqlite3_step (stmt))
    {
    case SQLITE_ROW:
      allowed = sqlite3_column_int (stmt, 0) != 0;
      break;
    case SQLITE_DONE:
      break;
    default:
      allowed = FALSE;
      break;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return allowed;
}

gboolean
pos_staff_can (PosDatabase   *db,
               const char    *staff_id,
               PosPermission  p)
{
  g_autoptr(PosStaff) s = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (staff_id == NULL)
    return FALSE;
  s = lookup (db, staff_id, NULL, NULL);
  if (s == NULL || !s->active || g_strcmp0 (s->id, staff_id) != 0)
    return FALSE;
  return pos_role_has_permission (db, s->role, p);
}

gboolean
pos_staff_current_can (PosDatabase   *db,
                       PosPermission  p)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  id = pos_database_get_staff_id (db);
  return id != NULL && pos_staff_can (db, id, p);
}

/* ------------------------------------------------------------------ */
/* Audit helpers                                                       */

/* {"method": ..., "why": ..., "for": ..., "permission": ...} */
static char *
attempt_json (const char *method,
              const char *why,
              const char *purpose,
              int         permission)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  pos_json_add_string (b, "method", method);
  if (why != NULL)
    pos_json_add_string (b, "why", why);
  if (purpose != NULL)
    pos_json_add_string (b, "for", purpose);
  if (permission >= 0)
    pos_json_add_string (b, "permission", permissions[permission].name);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* Writes one audit row in a transaction of its own. */
static gboolean
audit_alone (PosDatabase *db,
             const char  *action,
             const char  *entity_id,
             const char  *data,
             GError     **error)
{
  if (!pos_database_begin (db, error))
    return FALSE;
  if (!pos_database_audit (db, action, "staff", entity_id, NULL, data, error) ||
      !pos_database_commit (db, error))
    {
      pos_database_rollback (db);
      return FALSE;
    }
  return TRUE;
}

/* The staff row as 'staff.upsert' sends it (docs/sync-protocol.md §5). */
gboolean
pos_staff_publish (PosDatabase  *db,
                   const char   *staff_id,
                   GError      **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT id, store_id, code, name, role, badge_code, pin_hash, active FROM staff WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, staff_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      pos_json_add_string (b, "id", (const char *) sqlite3_column_text (stmt, 0));
      pos_json_add_string (b, "store_id", (const char *) sqlite3_column_text (stmt, 1));
      pos_json_add_string (b, "code", (const char *) sqlite3_column_text (stmt, 2));
      pos_json_add_string (b, "name", (const char *) sqlite3_column_text (stmt, 3));
      pos_json_add_string (b, "role", (const char *) sqlite3_column_text (stmt, 4));
      pos_json_add_string (b, "badge_code", (const char *) sqlite3_column_text (stmt, 5));
      pos_json_add_string (b, "pin_hash", (const char *) sqlite3_column_text (stmt, 6));
      json_builder_set_member_name (b, "active");
      json_builder_add_boolean_value (b, sqlite3_column_int (stmt, 7) != 0);
      json_builder_end_object (b);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_FOUND,
                     _("The staff member %s is not in the database any more."), staff_id);
      else
        pos_database_set_error (db, error, _("Reading the staff list"));
      return FALSE;
    }

  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);
  return pos_database_enqueue_outbox (db, "staff.upsert", staff_id, payload, error);
}

/* ------------------------------------------------------------------ */
/* Checking a PIN or a badge                                           */

typedef struct {
  const char *fail_action;   /* 'staff.sign_in_failed' or 'approval.denied' */
  const char *purpose;       /* "sign_in", "verify", "approval", "act_as" */
  int         permission;    /* for an approval, else -1 */
} Attempt;

static gboolean
locked_out_error (PosStaff  *s,
                  gint64     until,
                  GError   **error)
{
  g_autofree char *when = format_time (until);

  g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_LOCKED_OUT,
               _("Too many wrong PINs: %s is locked out until %s. A manager can unlock sooner."),
               s->name, when);
  return FALSE;
}

/* Refusals found before any PIN is checked, audited. */
static PosStaff *
check_person (PosDatabase    *db,
              PosStaff       *s,
              const char     *method,
              const Attempt  *a,
              GError        **error)
{
  g_autoptr(PosStaff) staff = s;
  g_autofree char *data = NULL;
  const char *why = NULL;
  gint64 now = pos_now_ms ();

  if (!staff->active)
    why = "inactive";
  else if (staff->locked_until > now)
    why = "locked";
  else if (g_str_equal (method, "pin") && !staff->has_pin)
    why = "no_pin";
  if (why == NULL)
    return g_steal_pointer (&staff);

  data = attempt_json (method, why, a->purpose, a->permission);
  if (!audit_alone (db, a->fail_action, staff->id, data, error))
    return NULL;

  if (g_str_equal (why, "inactive"))
    g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INACTIVE,
                 _("%s is no longer active on the staff. A manager can check the staff list."), staff->name);
  else if (g_str_equal (why, "locked"))
    locked_out_error (staff, staff->locked_until, error);
  else
    g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NO_PIN,
                 _("%s has no PIN yet. A manager sets one under Staff (or sign in with the badge)."), staff->name);
  return NULL;
}

static PosStaff *
unknown_person (PosDatabase    *db,
                const char     *method,
                const Attempt  *a,
                const char     *message,
                GError        **error)
{
  g_autofree char *data = attempt_json (method, "unknown", a->purpose, a->permission);

  /* What was typed or scanned is not written: it may be a PIN or a badge
   * typed in the wrong field. */
  if (!audit_alone (db, a->fail_action, NULL, data, error))
    return NULL;
  g_set_error_literal (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_FOUND, message);
  return NULL;
}

/* Checks a person's PIN. On success, returns the person with a
 * transaction open (BEGIN IMMEDIATE) in which the count of wrong PINs was
 * reset: the caller writes what the success means, then commits. On
 * failure, the count and the audit rows are committed and NULL returned. */
static PosStaff *
check_pin (PosDatabase    *db,
           const char     *id_or_code,
           const char     *pin,
           const Attempt  *a,
           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PosStaff) s = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *new_hash = NULL;
  g_autofree char *held_hash = NULL;
  g_autofree char *data = NULL;
  sqlite3_stmt *stmt;
  gboolean right;
  guint failed;
  gint64 locked_until, now;
  int rc;

  s = lookup (db, id_or_code, &hash, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (s == NULL)
    return unknown_person (db, "pin", a,
                           _("Nobody on the staff has this code. Check the number and try again."), error);
  s = check_person (db, g_steal_pointer (&s), "pin", a, error);
  if (s == NULL)
    return NULL;

  /* The slow part, with no transaction open. */
  right = pos_pin_verify (hash, pin);
  if (right && pos_pin_needs_rehash (hash))
    new_hash = pos_pin_hash (pin, NULL);   /* today's parameters; kept only if it works */

  if (!pos_database_begin (db, error))
    return NULL;

  /* Read the count again: another connection may have moved it. */
  stmt = pos_database_prepare_cached (db,
      "SELECT failed_attempts, IFNULL (locked_until, 0), pin_hash FROM staff WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, s->id);
  rc = sqlite3_step (stmt);
  failed = rc == SQLITE_ROW ? (guint) MAX (sqlite3_column_int64 (stmt, 0), 0) : 0;
  locked_until = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 1) : 0;
  held_hash = rc == SQLITE_ROW ? pos_database_column_dup (stmt, 2) : NULL;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_FOUND,
                     _("%s was removed from the staff meanwhile."), s->name);
      else
        pos_database_set_error (db, error, _("Reading the staff list"));
      goto fail;
    }

  now = pos_now_ms ();
  if (locked_until > now)
    {
      /* Locked out by attempts made meanwhile elsewhere. */
      data = attempt_json ("pin", "locked", a->purpose, a->permission);
      if (!pos_database_audit (db, a->fail_action, "staff", s->id, NULL, data, error) ||
          !pos_database_commit (db, error))
        goto fail;
      locked_out_error (s, locked_until, error);
      return NULL;
    }

  if (right)
    {
      gboolean rehash = new_hash != NULL && g_strcmp0 (held_hash, hash) == 0;

      stmt = pos_database_prepare_cached (db,
          "UPDATE staff SET failed_attempts = 0, locked_until = NULL, "
          "pin_hash = IFNULL (?2, pin_hash) WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      pos_database_bind_text (stmt, 1, s->id);
      pos_database_bind_text (stmt, 2, rehash ? new_hash : NULL);
      if (!step_done (db, stmt, _("Signing in"), error))
        goto fail;
      /* A hash made with older parameters is replaced, and every terminal
       * of the store gets the new one through the central. */
      if (rehash && !pos_staff_publish (db, s->id, error))
        goto fail;
      s->failed_attempts = 0;
      s->locked_until = 0;
      return g_steal_pointer (&s);
    }

  /* A wrong PIN. After a lockout has passed, the count starts again. */
  if (locked_until != 0)
    failed = 0;
  failed++;
  locked_until = 0;
  if (failed >= MAX_FAILED_PINS)
    locked_until = now + int_setting (db, "pin_lockout_minutes", DEFAULT_LOCKOUT_MINUTES, 1, 24 * 60) * 60000;

  stmt = pos_database_prepare_cached (db,
      "UPDATE staff SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, s->id);
  sqlite3_bind_int64 (stmt, 2, failed);
  if (locked_until != 0)
    sqlite3_bind_int64 (stmt, 3, locked_until);
  else
    sqlite3_bind_null (stmt, 3);
  if (!step_done (db, stmt, _("Signing in"), error))
    goto fail;

  data = attempt_json ("pin", "wrong_pin", a->purpose, a->permission);
  if (!pos_database_audit (db, a->fail_action, "staff", s->id, NULL, data, error))
    goto fail;
  if (locked_until != 0)
    {
      g_autofree char *lock_data = g_strdup_printf ("{\"until\":%" G_GINT64_FORMAT ",\"attempts\":%u}",
                                                    locked_until, failed);
      if (!pos_database_audit (db, "staff.locked_out", "staff", s->id, NULL, lock_data, error))
        goto fail;
    }
  if (!pos_database_commit (db, error))
    goto fail;

  if (locked_until != 0)
    locked_out_error (s, locked_until, error);
  else
    {
      guint left = MAX_FAILED_PINS - failed;

      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_WRONG_PIN,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Wrong PIN. %u more try before %s is locked out.",
                                "Wrong PIN. %u more tries before %s is locked out.",
                                left),
                   left, s->name);
    }
  return NULL;

fail:
  pos_database_rollback (db);
  return NULL;
}

/* Checks a badge; on success returns the person with a transaction open,
 * as check_pin does. */
static PosStaff *
check_badge (PosDatabase    *db,
             const char     *badge,
             const Attempt  *a,
             GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PosStaff) s = NULL;

  s = lookup_badge (db, badge, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (s == NULL)
    return unknown_person (db, "badge", a,
                           _("This badge is not known at this store. Sign in with the PIN, or ask a manager."),
                           error);
  s = check_person (db, g_steal_pointer (&s), "badge", a, error);
  if (s == NULL)
    return NULL;
  if (!pos_database_begin (db, error))
    return NULL;
  return g_steal_pointer (&s);
}

/* ------------------------------------------------------------------ */
/* Sign-in                                                             */

static const Attempt sign_in_attempt = { "staff.sign_in_failed", "sign_in", -1 };

/* In the transaction check_pin/check_badge left open: makes s the person
 * signed in, and commits. */
static PosStaff *
finish_sign_in (PosDatabase  *db,
                PosStaff     *s,
                const char   *method,
                GError      **error)
{
  g_autoptr(PosStaff) staff = s;
  g_autofree char *previous = pos_database_get_setting (db, "staff_id");
  g_autofree char *data = g_strdup_printf ("{\"method\":\"%s\"}", method);

  if (previous != NULL && *previous != '\0' && !g_str_equal (previous, staff->id) &&
      !pos_database_audit (db, "staff.sign_out", "staff", previous, "switch", NULL, error))
    goto fail;
  if (!pos_database_set_setting (db, "staff_id", staff->id, error) ||
      !pos_database_audit (db, "staff.sign_in", "staff", staff->id, NULL, data, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return g_steal_pointer (&staff);

fail:
  pos_database_rollback (db);
  return NULL;
}

PosStaff *
pos_staff_sign_in_pin (PosDatabase  *db,
                       const char   *id_or_code,
                       const char   *pin,
                       GError      **error)
{
  PosStaff *s;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (id_or_code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  s = check_pin (db, id_or_code, pin, &sign_in_attempt, error);
  return s != NULL ? finish_sign_in (db, s, "pin", error) : NULL;
}

PosStaff *
pos_staff_sign_in_badge (PosDatabase  *db,
                         const char   *badge,
                         GError      **error)
{
  PosStaff *s;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (badge != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  s = check_badge (db, badge, &sign_in_attempt, error);
  return s != NULL ? finish_sign_in (db, s, "badge", error) : NULL;
}

gboolean
pos_staff_sign_out (PosDatabase  *db,
                    const char   *why,
                    GError      **error)
{
  g_autofree char *current = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!pos_database_begin (db, error))
    return FALSE;
  current = pos_database_get_setting (db, "staff_id");
  if (current != NULL && *current != '\0' &&
      !pos_database_audit (db, "staff.sign_out", "staff", current, why != NULL ? why : "sign_out", NULL, error))
    goto fail;
  if (!pos_database_set_setting (db, "staff_id", NULL, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}

gboolean
pos_staff_verify_pin (PosDatabase  *db,
                      const char   *staff_id,
                      const char   *pin,
                      GError      **error)
{
  static const Attempt verify_attempt = { "staff.sign_in_failed", "verify", -1 };
  g_autoptr(PosStaff) s = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  s = check_pin (db, staff_id, pin, &verify_attempt, error);
  if (s == NULL)
    return FALSE;
  if (!pos_database_audit (db, "staff.pin_verified", "staff", s->id, NULL, NULL, error) ||
      !pos_database_commit (db, error))
    {
      pos_database_rollback (db);
      return FALSE;
    }
  return TRUE;
}

gboolean
pos_staff_act_as (PosDatabase  *db,
                  const char   *id_or_code,
                  const char   *pin,
                  GError      **error)
{
  static const Attempt act_attempt = { "staff.sign_in_failed", "act_as", -1 };
  g_autoptr(PosStaff) s = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (id_or_code != NULL, FALSE);

  s = check_pin (db, id_or_code, pin, &act_attempt, error);
  if (s == NULL)
    return FALSE;
  pos_database_set_acting_staff (db, s->id);
  if (!pos_database_audit (db, "staff.act_as", "staff", s->id, NULL, "{\"method\":\"pin\"}", error) ||
      !pos_database_commit (db, error))
    {
      pos_database_rollback (db);
      pos_database_set_acting_staff (db, NULL);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Authorisation and approvals                                         */

static gboolean
not_signed_in (GError **error)
{
  g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN,
               _("Nobody is signed in at this terminal. Sign in and try again."));
  return FALSE;
}

gboolean
pos_staff_authorize (PosDatabase    *db,
                     PosPermission   p,
                     const char     *approval_id,
                     const char     *what,
                     char          **out_approver_id,
                     GError        **error)
{
  g_autofree char *current = NULL;
  g_autofree char *permission = NULL;
  g_autofree char *approver_id = NULL;
  g_autofree char *requester = NULL;
  g_autoptr(PosStaff) person = NULL;
  gint64 granted_at = 0;
  gboolean used = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, FALSE);
  g_return_val_if_fail (out_approver_id == NULL || *out_approver_id == NULL, FALSE);

  current = pos_database_get_staff_id (db);
  if (current == NULL)
    return not_signed_in (error);
  person = lookup (db, current, NULL, error);
  if (person == NULL)
    {
      if (error == NULL || *error == NULL)
        not_signed_in (error);
      return FALSE;
    }
  if (!person->active)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INACTIVE,
                   _("%s is no longer active on the staff. Sign in as someone else."), person->name);
      return FALSE;
    }

  if (pos_role_has_permission (db, person->role, p))
    return TRUE;

  if (approval_id == NULL || *approval_id == '\0')
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION,
                   _("“%s” needs an approval: %s (%s) may not do it alone. Ask someone allowed to approve it."),
                   pos_permission_get_label (p), person->name, pos_role_get_label (person->role));
      return FALSE;
    }

  stmt = pos_database_prepare_cached (db,
      "SELECT permission, approver_id, staff_id, granted_at, used_at IS NOT NULL FROM approvals WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, approval_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      permission = pos_database_column_dup (stmt, 0);
      approver_id = pos_database_column_dup (stmt, 1);
      requester = pos_database_column_dup (stmt, 2);
      granted_at = sqlite3_column_int64 (stmt, 3);
      used = sqlite3_column_int (stmt, 4) != 0;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Reading the approval"));

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("This approval is not known at this terminal. Ask for the approval again."));
      return FALSE;
    }
  if (used)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("This approval was already used: an approval is good for one action. Ask for a new one."));
      return FALSE;
    }
  if (g_strcmp0 (permission, permissions[p].name) != 0)
    {
      PosPermission given;

      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("This approval was given for “%s”, not for “%s”. Ask for an approval of this action."),
                   pos_permission_from_string (permission, &given) ? pos_permission_get_label (given) : permission,
                   pos_permission_get_label (p));
      return FALSE;
    }
  if (pos_now_ms () - granted_at > APPROVAL_VALID_MS)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("This approval has expired (an approval is good for 5 minutes). Ask for a new one."));
      return FALSE;
    }
  if (requester != NULL && !g_str_equal (requester, person->id))
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("This approval was given to someone else, not to %s. Ask for a new one."), person->name);
      return FALSE;
    }
  if (!pos_staff_can (db, approver_id, p))
    {
      g_autoptr(PosStaff) approver = lookup (db, approver_id, NULL, NULL);

      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("%s may no longer approve “%s”. Ask someone allowed for a new approval."),
                   approver != NULL ? approver->name : approver_id, pos_permission_get_label (p));
      return FALSE;
    }

  stmt = pos_database_prepare_cached (db,
      "UPDATE approvals SET used_at = ?2, used_for = ?3 WHERE id = ?1 AND used_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, approval_id);
  sqlite3_bind_int64 (stmt, 2, pos_now_ms ());
  pos_database_bind_text (stmt, 3, what);
  if (!step_done (db, stmt, _("Using the approval"), error))
    return FALSE;
  if (sqlite3_changes (pos_database_get_handle (db)) != 1)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL,
                   _("This approval was already used: an approval is good for one action. Ask for a new one."));
      return FALSE;
    }

  if (out_approver_id != NULL)
    *out_approver_id = g_steal_pointer (&approver_id);
  return TRUE;
}

/* In the transaction check_pin/check_badge left open: records the
 * approval if approver may give it, and commits. */
static PosApproval *
finish_grant (PosDatabase    *db,
              PosStaff       *approver,
              PosPermission   p,
              const char     *method,
              const char     *reason,
              const char     *requester,
              GError        **error)
{
  g_autoptr(PosStaff) s = approver;
  g_autoptr(PosApproval) approval = NULL;
  g_autofree char *data = NULL;
  sqlite3_stmt *stmt;

  if (!pos_role_has_permission (db, s->role, p))
    {
      data = attempt_json (method, "not_allowed", "approval", p);
      if (!pos_database_audit_full (db, "approval.denied", "staff", s->id, reason, data, s->id, error) ||
          !pos_database_commit (db, error))
        goto fail;
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION,
                   _("%s (%s) may not approve “%s”. Ask someone allowed to."),
                   s->name, pos_role_get_label (s->role), pos_permission_get_label (p));
      return NULL;
    }

  approval = g_new0 (PosApproval, 1);
  approval->id = pos_uuid7_new ();
  approval->permission = p;
  approval->approver_id = g_strdup (s->id);
  approval->approver_name = g_strdup (s->name);
  approval->reason = g_strdup (reason);

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO approvals (id, permission, approver_id, staff_id, reason, granted_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, approval->id);
  pos_database_bind_text (stmt, 2, permissions[p].name);
  pos_database_bind_text (stmt, 3, s->id);
  pos_database_bind_text (stmt, 4, requester);
  pos_database_bind_text (stmt, 5, reason);
  sqlite3_bind_int64 (stmt, 6, pos_now_ms ());
  if (!step_done (db, stmt, _("Recording the approval"), error))
    goto fail;

  data = attempt_json (method, NULL, NULL, p);
  if (!pos_database_audit_full (db, "approval.grant", "approval", approval->id, reason, data, s->id, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return g_steal_pointer (&approval);

fail:
  pos_database_rollback (db);
  return NULL;
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
check_grant_request (PosDatabase   *db,
                     const char    *reason,
                     char         **out_requester,
                     GError       **error)
{
  *out_requester = pos_database_get_staff_id (db);
  if (*out_requester == NULL)
    return not_signed_in (error);
  if (is_blank (reason))
    {
      g_clear_pointer (out_requester, g_free);
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INVALID,
                   _("Choose the reason for the approval."));
      return FALSE;
    }
  return TRUE;
}

PosApproval *
pos_approval_grant_pin (PosDatabase    *db,
                        PosPermission   p,
                        const char     *approver_id_or_code,
                        const char     *pin,
                        const char     *reason,
                        GError        **error)
{
  Attempt a = { "approval.denied", "approval", (int) p };
  g_autofree char *requester = NULL;
  PosStaff *approver;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, NULL);
  g_return_val_if_fail (approver_id_or_code != NULL, NULL);

  if (!check_grant_request (db, reason, &requester, error))
    return NULL;
  approver = check_pin (db, approver_id_or_code, pin, &a, error);
  if (approver == NULL)
    return NULL;
  return finish_grant (db, approver, p, "pin", reason, requester, error);
}

PosApproval *
pos_approval_grant_badge (PosDatabase    *db,
                          PosPermission   p,
                          const char     *badge,
                          const char     *reason,
                          GError        **error)
{
  Attempt a = { "approval.denied", "approval", (int) p };
  g_autofree char *requester = NULL;
  PosStaff *approver;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, NULL);
  g_return_val_if_fail (badge != NULL, NULL);

  if (!check_grant_request (db, reason, &requester, error))
    return NULL;
  approver = check_badge (db, badge, &a, error);
  if (approver == NULL)
    return NULL;
  return finish_grant (db, approver, p, "badge", reason, requester, error);
}

GPtrArray *
pos_approval_list_approvers (PosDatabase    *db,
                             PosPermission   p,
                             GError        **error)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_staff_free);

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, NULL);

  all = pos_staff_list (db, error);
  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      PosStaff *s = g_ptr_array_index (all, i);

      if ((s->has_pin || s->badge_code != NULL) && pos_role_has_permission (db, s->role, p))
        g_ptr_array_add (list, g_ptr_array_steal_index (all, i--));
    }
  return g_steal_pointer (&list);
}

/* ------------------------------------------------------------------ */
/* Managing staff and permissions                                      */

static gboolean
code_taken (PosDatabase  *db,
            const char   *sql,
            const char   *value,
            const char   *self_id,
            char        **out_name,
            GError      **error)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (db, sql, error);
  int rc;

  if (stmt == NULL)
    return TRUE;
  pos_database_bind_text (stmt, 1, value);
  pos_database_bind_text (stmt, 2, self_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_name = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the staff list"));
      return TRUE;
    }
  return rc == SQLITE_ROW;
}

char *
pos_staff_create (PosDatabase  *db,
                  const char   *code,
                  const char   *name,
                  PosRole       role,
                  const char   *pin,
                  const char   *badge_code,
                  GError      **error)
{
  g_autofree char *id = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *clean_code = NULL;
  g_autofree char *clean_name = NULL;
  g_autofree char *clean_badge = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *taken_by = NULL;
  g_autofree char *data = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  clean_code = g_strstrip (g_strdup (code != NULL ? code : ""));
  clean_name = g_strstrip (g_strdup (name != NULL ? name : ""));
  clean_badge = badge_code != NULL ? g_strstrip (g_strdup (badge_code)) : NULL;
  if (clean_badge != NULL && *clean_badge == '\0')
    g_clear_pointer (&clean_badge, g_free);

  if (*clean_code == '\0' || strlen (clean_code) > MAX_CODE_LENGTH || !g_utf8_validate (clean_code, -1, NULL))
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INVALID,
                   _("Give a staff code of 1 to %d characters (the number people type to sign in)."), MAX_CODE_LENGTH);
      return NULL;
    }
  if (*clean_name == '\0' || g_utf8_strlen (clean_name, -1) > MAX_NAME_LENGTH || !g_utf8_validate (clean_name, -1, NULL))
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INVALID,
                   _("Give the person's name (up to %d characters)."), MAX_NAME_LENGTH);
      return NULL;
    }
  if ((guint) role >= POS_N_ROLES)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INVALID,
                   _("The role must be cashier, supervisor or manager."));
      return NULL;
    }
  if (pin != NULL && !pos_pin_is_acceptable (pin, error))
    return NULL;

  /* Refuse before spending a hash when the person may not do this. */
  if (!pos_staff_authorize (db, POS_PERMISSION_MANAGE_STAFF, NULL, NULL, NULL, error))
    return NULL;
  if (pin != NULL && (hash = pos_pin_hash (pin, error)) == NULL)
    return NULL;

  id = pos_uuid7_new ();
  store_id = pos_database_get_setting (db, "store_id");

  if (!pos_database_begin (db, error))
    return NULL;
  if (!pos_staff_authorize (db, POS_PERMISSION_MANAGE_STAFF, NULL, NULL, NULL, error))
    goto fail;
  if (code_taken (db, "SELECT name FROM staff WHERE code = ?1 AND id IS NOT ?2", clean_code, NULL, &taken_by, error))
    {
      if (taken_by != NULL)
        g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_EXISTS,
                     _("The code %s is already %s's. Choose another code."), clean_code, taken_by);
      goto fail;
    }
  if (clean_badge != NULL &&
      code_taken (db, "SELECT name FROM staff WHERE badge_code = ?1 AND id IS NOT ?2", clean_badge, NULL, &taken_by, error))
    {
      if (taken_by != NULL)
        g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_EXISTS,
                     _("This badge is already %s's. Use another badge."), taken_by);
      goto fail;
    }

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO staff (id, store_id, code, name, role, pin_hash, badge_code, active, version, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, 0, ?8)", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, id);
  pos_database_bind_text (stmt, 2, store_id);
  pos_database_bind_text (stmt, 3, clean_code);
  pos_database_bind_text (stmt, 4, clean_name);
  pos_database_bind_text (stmt, 5, role_names[role]);
  pos_database_bind_text (stmt, 6, hash);
  pos_database_bind_text (stmt, 7, clean_badge);
  sqlite3_bind_int64 (stmt, 8, pos_now_ms ());
  if (!step_done (db, stmt, _("Adding the staff member"), error))
    goto fail;

  b = json_builder_new ();
  json_builder_begin_object (b);
  pos_json_add_string (b, "code", clean_code);
  pos_json_add_string (b, "name", clean_name);
  pos_json_add_string (b, "role", role_names[role]);
  json_builder_set_member_name (b, "pin");
  json_builder_add_boolean_value (b, hash != NULL);
  json_builder_set_member_name (b, "badge");
  json_builder_add_boolean_value (b, clean_badge != NULL);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  data = json_to_string (root, FALSE);

  if (!pos_staff_publish (db, id, error) ||
      !pos_database_audit (db, "staff.create", "staff", id, NULL, data, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return g_steal_pointer (&id);

fail:
  pos_database_rollback (db);
  return NULL;
}

gboolean
pos_staff_set_pin (PosDatabase  *db,
                   const char   *staff_id,
                   const char   *pin,
                   GError      **error)
{
  g_autoptr(PosStaff) s = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  if (!pos_pin_is_acceptable (pin, error))
    return FALSE;
  if (!pos_staff_authorize (db, POS_PERMISSION_MANAGE_STAFF, NULL, NULL, NULL, error))
    return FALSE;
  s = pos_staff_get (db, staff_id, error);
  if (s == NULL)
    return FALSE;
  hash = pos_pin_hash (pin, error);
  if (hash == NULL)
    return FALSE;

  if (!pos_database_begin (db, error))
    return FALSE;
  if (!pos_staff_authorize (db, POS_PERMISSION_MANAGE_STAFF, NULL, NULL, NULL, error))
    goto fail;
  stmt = pos_database_prepare_cached (db,
      "UPDATE staff SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL, updated_at = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, s->id);
  pos_database_bind_text (stmt, 2, hash);
  sqlite3_bind_int64 (stmt, 3, pos_now_ms ());
  if (!step_done (db, stmt, _("Setting the PIN"), error))
    goto fail;
  if (!pos_staff_publish (db, s->id, error) ||
      !pos_database_audit (db, "staff.set_pin", "staff", s->id, NULL, NULL, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}

gboolean
pos_staff_unlock (PosDatabase  *db,
                  const char   *staff_id,
                  GError      **error)
{
  g_autoptr(PosStaff) s = NULL;
  g_autofree char *data = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (staff_id != NULL, FALSE);

  if (!pos_database_begin (db, error))
    return FALSE;
  if (!pos_staff_authorize (db, POS_PERMISSION_MANAGE_STAFF, NULL, NULL, NULL, error))
    goto fail;
  s = pos_staff_get (db, staff_id, error);
  if (s == NULL)
    goto fail;
  stmt = pos_database_prepare_cached (db,
      "UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, s->id);
  if (!step_done (db, stmt, _("Unlocking"), error))
    goto fail;
  data = g_strdup_printf ("{\"attempts\":%u,\"locked_until\":%" G_GINT64_FORMAT "}",
                          s->failed_attempts, s->locked_until);
  if (!pos_database_audit (db, "staff.unlock", "staff", s->id, NULL, data, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}

gboolean
pos_role_set_permission (PosDatabase    *db,
                         PosRole         role,
                         PosPermission   p,
                         gboolean        allowed,
                         GError        **error)
{
  g_autofree char *current = NULL;
  g_autofree char *data = NULL;
  g_autofree char *what = NULL;
  sqlite3_stmt *stmt;
  gboolean old;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail ((guint) role < POS_N_ROLES, FALSE);
  g_return_val_if_fail ((guint) p < POS_N_PERMISSIONS, FALSE);

  if (is_protected (role, p) && !allowed)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INVALID,
                   _("A manager always keeps “%s”, so that someone can always change the settings and the staff."),
                   pos_permission_get_label (p));
      return FALSE;
    }

  if (!pos_database_begin (db, error))
    return FALSE;
  what = g_strdup_printf ("permission:%s:%s", role_names[role], permissions[p].name);
  if (!pos_staff_authorize (db, POS_PERMISSION_CHANGE_SETTINGS, NULL, what, NULL, error))
    goto fail;
  old = pos_role_has_permission (db, role, p);
  current = pos_database_get_staff_id (db);

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO role_permissions (role, permission, allowed, changed_at, changed_by) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (role, permission) DO UPDATE SET "
      "allowed = excluded.allowed, changed_at = excluded.changed_at, changed_by = excluded.changed_by", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, role_names[role]);
  pos_database_bind_text (stmt, 2, permissions[p].name);
  sqlite3_bind_int (stmt, 3, allowed ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, pos_now_ms ());
  pos_database_bind_text (stmt, 5, current);
  if (!step_done (db, stmt, _("Saving the permission"), error))
    goto fail;

  data = g_strdup_printf ("{\"role\":\"%s\",\"permission\":\"%s\",\"old\":%s,\"new\":%s}",
                          role_names[role], permissions[p].name,
                          old ? "true" : "false", allowed ? "true" : "false");
  if (!pos_database_audit (db, "settings.permission", "role", role_names[role], NULL, data, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}
