/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* Staff, roles, permissions, sign-in and approvals.
 *
 * Who is signed in at this terminal is the setting 'staff_id' (empty when
 * nobody is: the screen is locked). Every engine function that needs a
 * permission checks it here, against the database, whatever the UI shows:
 * the signed-in person's role, or else an approval given by someone whose
 * role has it. Everything here is written to the audit log.
 *
 * Sign-in, PIN checks, approvals and managing staff take transactions of
 * their own (call them with none open); a PIN is checked (Argon2id, about
 * 100 ms) before the write lock is taken. pos_staff_authorize is the one
 * meant to run inside the caller's transaction. */

#define POS_STAFF_ERROR (pos_staff_error_quark ())
GQuark pos_staff_error_quark (void);

typedef enum {
  POS_STAFF_ERROR_NOT_FOUND,        /* no such person, badge or code */
  POS_STAFF_ERROR_INACTIVE,         /* deactivated */
  POS_STAFF_ERROR_NO_PIN,           /* has no PIN yet: a manager sets one */
  POS_STAFF_ERROR_WRONG_PIN,        /* message says how many tries are left */
  POS_STAFF_ERROR_LOCKED_OUT,       /* too many wrong PINs: message says until when */
  POS_STAFF_ERROR_NOT_SIGNED_IN,    /* nobody is signed in */
  POS_STAFF_ERROR_PERMISSION,       /* needs a permission the person lacks: ask an approval */
  POS_STAFF_ERROR_APPROVAL,         /* the approval is unknown, used, expired or for something else */
  POS_STAFF_ERROR_EXISTS,           /* code or badge already taken */
  POS_STAFF_ERROR_INVALID,          /* bad name/code/role */
} PosStaffError;

typedef enum {
  POS_ROLE_CASHIER,
  POS_ROLE_SUPERVISOR,
  POS_ROLE_MANAGER,
} PosRole;
#define POS_N_ROLES 3

const char *pos_role_to_string   (PosRole role);               /* "cashier", ... */
gboolean    pos_role_from_string (const char *s, PosRole *out);
const char *pos_role_get_label   (PosRole role);               /* translated */

/* What a role may do alone. Defaults (until a manager changes them):
 *   cashier:    close_shift
 *   supervisor: refund, void_sale, price_override, discount_above_limit,
 *               no_sale, cash_in_out, close_shift, reveal_contact, view_audit
 *   manager:    everything; change_settings and manage_staff cannot be
 *               taken from a manager (someone must be able to undo). */
typedef enum {
  POS_PERMISSION_REFUND,
  POS_PERMISSION_VOID_SALE,
  POS_PERMISSION_PRICE_OVERRIDE,
  POS_PERMISSION_DISCOUNT_ABOVE_LIMIT,  /* a line or sale discount above the setting 'discount_limit_bp' */
  POS_PERMISSION_NO_SALE,               /* open the drawer without a sale */
  POS_PERMISSION_CASH_IN_OUT,
  POS_PERMISSION_CLOSE_SHIFT,
  POS_PERMISSION_COUNT_DIFFERENCE,      /* close with a difference above 'count_difference_limit' */
  POS_PERMISSION_CHANGE_SETTINGS,       /* settings, permissions, scanners, printers */
  POS_PERMISSION_REVEAL_CONTACT,        /* see a customer's contact data unmasked */
  POS_PERMISSION_MANAGE_STAFF,          /* add staff, set PINs, unlock */
  POS_PERMISSION_VIEW_AUDIT,
  POS_PERMISSION_MANAGE_SYNC,           /* retry or dismiss dead letters, enrol */
} PosPermission;
#define POS_N_PERMISSIONS 13

const char *pos_permission_to_string   (PosPermission p);      /* "refund", "void_sale", ... */
gboolean    pos_permission_from_string (const char *s, PosPermission *out);
const char *pos_permission_get_label   (PosPermission p);      /* translated: "Refund", ... */

typedef struct {
  char    *id;
  char    *code;            /* the staff number people type */
  char    *name;
  PosRole  role;
  char    *badge_code;      /* NULL when none */
  gboolean has_pin;
  gboolean active;
  guint    failed_attempts;
  gint64   locked_until;    /* unix ms; 0 when not locked out */
} PosStaff;
void      pos_staff_free (PosStaff *staff);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosStaff, pos_staff_free)

/* Active staff of this store (and staff with no store), by name. */
GPtrArray *pos_staff_list        (PosDatabase *db, GError **error);   /* of PosStaff* */
PosStaff  *pos_staff_get         (PosDatabase *db, const char *id_or_code, GError **error);
/* The person signed in now, or NULL (no error) when the screen is locked. */
PosStaff  *pos_staff_get_current (PosDatabase *db, GError **error);

/* Sign-in. Five wrong PINs in a row lock that person out for the setting
 * 'pin_lockout_minutes' (default 5); a right PIN resets the count. Both
 * outcomes are audited ('staff.sign_in', 'staff.sign_in_failed',
 * 'staff.locked_out'). A parked sale keeps its owner: signing in as
 * someone else leaves it parked. */
PosStaff  *pos_staff_sign_in_pin   (PosDatabase *db, const char *id_or_code, const char *pin, GError **error);
PosStaff  *pos_staff_sign_in_badge (PosDatabase *db, const char *badge, GError **error);
gboolean   pos_staff_sign_out      (PosDatabase *db, const char *why, GError **error); /* why: "sign_out", "idle", "switch" */
/* Same PIN check as sign-in without changing who is signed in (unlocking
 * the screen after idle checks the same person). Audited
 * 'staff.pin_verified' or 'staff.sign_in_failed'. */
gboolean   pos_staff_verify_pin    (PosDatabase *db, const char *staff_id, const char *pin, GError **error);
/* Same PIN check, then this connection acts as that person
 * (pos_database_set_acting_staff) without changing who is signed in at the
 * counter: for balcao-ctl --as CODE. Audited 'staff.act_as'. */
gboolean   pos_staff_act_as        (PosDatabase *db, const char *id_or_code, const char *pin, GError **error);

/* Managing staff (needs manage_staff). A person created here gets a
 * UUIDv7 id and goes up to the central as 'staff.upsert'. */
char      *pos_staff_create        (PosDatabase *db, const char *code, const char *name, PosRole role,
                                    const char *pin, const char *badge_code, GError **error);
gboolean   pos_staff_set_pin       (PosDatabase *db, const char *staff_id, const char *pin, GError **error);
gboolean   pos_staff_unlock        (PosDatabase *db, const char *staff_id, GError **error);
/* Queues the person as this terminal has them for the central
 * ('staff.upsert', with the PIN's hash): what create and set_pin do, and
 * the demo store for the people it seeds. No permission check. */
gboolean   pos_staff_publish       (PosDatabase *db, const char *staff_id, GError **error);

/* Permissions. */
gboolean   pos_role_has_permission (PosDatabase *db, PosRole role, PosPermission p);
gboolean   pos_staff_can           (PosDatabase *db, const char *staff_id, PosPermission p);
/* The signed-in person may do p alone. */
gboolean   pos_staff_current_can   (PosDatabase *db, PosPermission p);
/* Needs change_settings; audited 'settings.permission' with old and new. */
gboolean   pos_role_set_permission (PosDatabase *db, PosRole role, PosPermission p, gboolean allowed, GError **error);

/* The reasons offered when asking for an approval (translated, NULL
 * terminated, the last one "Other"). */
const char * const *pos_approval_reasons (PosPermission p);

/* An approval: someone allowed to do p checks it with their PIN (or
 * badge) for one action of the signed-in person. Valid for 5 minutes and
 * once. The audit row 'approval.grant' (or 'approval.denied') names both. */
typedef struct {
  char         *id;
  PosPermission permission;
  char         *approver_id;
  char         *approver_name;
  char         *reason;
} PosApproval;
void         pos_approval_free (PosApproval *approval);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosApproval, pos_approval_free)

PosApproval *pos_approval_grant_pin   (PosDatabase *db, PosPermission p, const char *approver_id_or_code,
                                       const char *pin, const char *reason, GError **error);
PosApproval *pos_approval_grant_badge (PosDatabase *db, PosPermission p, const char *badge,
                                       const char *reason, GError **error);
/* People who may approve p (for the approval prompt's list). */
GPtrArray   *pos_approval_list_approvers (PosDatabase *db, PosPermission p, GError **error);

/* The check every guarded engine function makes, inside its transaction:
 * the signed-in person may do p, or approval_id names an unused, recent
 * approval for p whose approver still may. On success the approval is
 * marked used for what (e.g. "return:<id>") and *out_approver_id (if given)
 * gets the approver (NULL when none was needed). */
gboolean     pos_staff_authorize      (PosDatabase *db, PosPermission p, const char *approval_id,
                                       const char *what, char **out_approver_id, GError **error);

G_END_DECLS
