/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-audit"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "pos-audit.h"
#include "pos-staff.h"

/* Reading the audit log: newest first, a page at a time by id (keyset, so
 * a page costs the same however deep in the log it is), with the names of
 * the terminal, the person and the approver joined in. */

#define DEFAULT_PAGE 100
#define MAX_PAGE 1000

void
pos_audit_entry_free (PosAuditEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->uuid);
  g_free (entry->terminal_id);
  g_free (entry->terminal_name);
  g_free (entry->staff_id);
  g_free (entry->staff_name);
  g_free (entry->approver_id);
  g_free (entry->approver_name);
  g_free (entry->action);
  g_free (entry->entity);
  g_free (entry->entity_id);
  g_free (entry->reason);
  g_free (entry->data);
  g_free (entry);
}

/* Every action written (pos_database_audit and pos_database_audit_full
 * callers in src/terminal and src/app; tests/unit/test-audit.c checks). */
static const struct {
  const char *action;
  const char *description;
} actions[] = {
  { "staff.sign_in",         N_("Signed in") },
  { "staff.sign_in_failed",  N_("Sign-in refused") },
  { "staff.locked_out",      N_("Locked out after wrong PINs") },
  { "staff.sign_out",        N_("Signed out") },
  { "staff.pin_verified",    N_("PIN checked") },
  { "staff.act_as",          N_("Acted from the command line") },
  { "staff.create",          N_("Staff member added") },
  { "staff.set_pin",         N_("PIN changed") },
  { "staff.unlock",          N_("Staff member unlocked") },
  { "approval.grant",        N_("Approval given") },
  { "approval.denied",       N_("Approval refused") },
  { "settings.permission",   N_("Role permission changed") },
  { "settings.change",       N_("Setting changed") },
  { "sale.create",           N_("Sale") },
  { "sale.cancel",           N_("Sale cancelled before payment") },
  { "sale.park",             N_("Sale parked") },
  { "sale.resume",           N_("Parked sale resumed") },
  { "sale.void",             N_("Sale voided") },
  { "sale.price_override",   N_("Price changed") },
  { "sale.discount_above_limit", N_("Discount above the limit") },
  { "return.create",         N_("Refund") },
  { "receipt.email_requested", N_("Receipt asked for by e-mail") },
  { "customer.view",         N_("Customer profile opened") },
  { "customer.reveal",       N_("Customer contact data revealed") },
  { "customer.create",       N_("Customer registered") },
  { "customer.edit",         N_("Customer details changed") },
  { "order.return",          N_("Online order item taken back") },
  { "pickup.start_picking",  N_("Pickup order: picking started") },
  { "pickup.pick",           N_("Pickup order: item picked") },
  { "pickup.exception",      N_("Pickup order: item missing or substituted") },
  { "pickup.ready",          N_("Pickup order ready") },
  { "pickup.no_show",        N_("Pickup order: customer did not come") },
  { "pickup.cancel",         N_("Pickup order cancelled") },
  { "pickup.hand_over",      N_("Pickup order handed over") },
  { "pickup.incident_dismissed", N_("Pickup incident dealt with") },
  { "shift.open",            N_("Shift opened") },
  { "shift.close",           N_("Shift closed") },
  { "cash.move",             N_("Cash in or out") },
  { "drawer.no_sale",        N_("Drawer opened without a sale") },
  { "catalog.import",        N_("Catalog imported") },
  { "demo.generate",         N_("Demo store created") },
  { "sync.enroll",           N_("Terminal enrolled with the central") },
  { "sync.retry",            N_("Rejected operation sent again") },
};

const char *
pos_audit_describe_action (const char *action)
{
  g_return_val_if_fail (action != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (action, actions[i].action))
      return _(actions[i].description);
  return action;
}

GPtrArray *
pos_audit_list (PosDatabase          *db,
                const PosAuditFilter *filter,
                gint64                before_id,
                guint                 limit,
                GError              **error)
{
  static const PosAuditFilter none = { 0, };
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_audit_entry_free);
  g_autofree char *prefix_end = NULL;
  const char *prefix;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  if (filter == NULL)
    filter = &none;
  if (!pos_staff_authorize (db, POS_PERMISSION_VIEW_AUDIT, NULL, NULL, NULL, error))
    return NULL;

  if (limit == 0)
    limit = DEFAULT_PAGE;
  limit = MIN (limit, MAX_PAGE);

  /* A prefix as a range, so that the index on action serves it: every
   * action starting with it sorts before prefix + U+10FFFF. */
  prefix = filter->action_prefix != NULL && *filter->action_prefix != '\0' ? filter->action_prefix : NULL;
  if (prefix != NULL)
    prefix_end = g_strconcat (prefix, "\xf4\x8f\xbf\xbf", NULL);

  stmt = pos_database_prepare_cached (db,
      "SELECT a.id, a.uuid, a.occurred_at, a.terminal_id, t.name, a.staff_id, s.name, "
      "a.approver_id, ap.name, a.action, a.entity, a.entity_id, a.reason, a.data "
      "FROM audit_log a "
      "LEFT JOIN terminals t ON t.id = a.terminal_id "
      "LEFT JOIN staff s ON s.id = a.staff_id "
      "LEFT JOIN staff ap ON ap.id = a.approver_id "
      "WHERE (?1 <= 0 OR a.id < ?1) "
      "AND (?2 IS NULL OR (a.action >= ?2 AND a.action < ?3)) "
      "AND (?4 IS NULL OR a.staff_id = ?4 OR a.approver_id = ?4 OR (a.entity = 'staff' AND a.entity_id = ?4)) "
      "AND (?5 <= 0 OR a.occurred_at >= ?5) "
      "AND (?6 <= 0 OR a.occurred_at <= ?6) "
      "ORDER BY a.id DESC LIMIT ?7", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, before_id);
  pos_database_bind_text (stmt, 2, prefix);
  pos_database_bind_text (stmt, 3, prefix_end);
  pos_database_bind_text (stmt, 4, filter->staff_id != NULL && *filter->staff_id != '\0' ? filter->staff_id : NULL);
  sqlite3_bind_int64 (stmt, 5, filter->since);
  sqlite3_bind_int64 (stmt, 6, filter->until);
  sqlite3_bind_int64 (stmt, 7, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosAuditEntry *e = g_new0 (PosAuditEntry, 1);

      e->id = sqlite3_column_int64 (stmt, 0);
      e->uuid = pos_database_column_dup (stmt, 1);
      e->occurred_at = sqlite3_column_int64 (stmt, 2);
      e->terminal_id = pos_database_column_dup (stmt, 3);
      e->terminal_name = pos_database_column_dup (stmt, 4);
      e->staff_id = pos_database_column_dup (stmt, 5);
      e->staff_name = pos_database_column_dup (stmt, 6);
      e->approver_id = pos_database_column_dup (stmt, 7);
      e->approver_name = pos_database_column_dup (stmt, 8);
      e->action = pos_database_column_dup (stmt, 9);
      e->entity = pos_database_column_dup (stmt, 10);
      e->entity_id = pos_database_column_dup (stmt, 11);
      e->reason = pos_database_column_dup (stmt, 12);
      e->data = pos_database_column_dup (stmt, 13);
      g_ptr_array_add (list, e);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the audit log"));
      return NULL;
    }

  return g_steal_pointer (&list);
}
