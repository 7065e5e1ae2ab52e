/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* Reading the append-only audit log (writing is pos_database_audit and
 * pos_database_audit_full; each row also goes up to the central as
 * 'audit.append'). Reading needs view_audit. */

typedef struct {
  gint64  id;
  char   *uuid;
  gint64  occurred_at;     /* unix ms */
  char   *terminal_id;
  char   *terminal_name;
  char   *staff_id;
  char   *staff_name;
  char   *approver_id;
  char   *approver_name;
  char   *action;          /* "staff.sign_in", "sale.commit", "approval.grant", ... */
  char   *entity;
  char   *entity_id;
  char   *reason;
  char   *data;            /* JSON or NULL */
} PosAuditEntry;
void pos_audit_entry_free (PosAuditEntry *entry);

/* A translated sentence for an action ("Signed in", "Approval given"...);
 * an action it does not know comes back as it is. */
const char *pos_audit_describe_action (const char *action);

typedef struct {
  const char *action_prefix;   /* "staff." matches every staff action; NULL = any */
  const char *staff_id;        /* acted, approved, or was the person acted on
                                * (a failed sign-in, an unlock); NULL = anyone */
  gint64      since;           /* unix ms, inclusive; 0 = no bound */
  gint64      until;           /* unix ms, inclusive; 0 = no bound */
} PosAuditFilter;

/* Newest first, a page at a time: rows with id < before_id (0 = from the
 * newest), at most limit (0 = 100; at most 1000). filter may be NULL.
 * Needs view_audit (POS_STAFF_ERROR_PERMISSION otherwise). */
GPtrArray *pos_audit_list (PosDatabase          *db,
                           const PosAuditFilter *filter,
                           gint64                before_id,
                           guint                 limit,
                           GError              **error);   /* of PosAuditEntry* */

G_END_DECLS
