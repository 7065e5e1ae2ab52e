/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "terminal/pos-audit.h"

G_BEGIN_DECLS

/* One row of the audit log in a GObject (owns its entry). */
#define POS_TYPE_AUDIT_ITEM (pos_audit_item_get_type ())
G_DECLARE_FINAL_TYPE (PosAuditItem, pos_audit_item, POS, AUDIT_ITEM, GObject)

const PosAuditEntry *pos_audit_item_get_entry   (PosAuditItem *self);
/* The name of the person an entry is about when that is not who acted
 * (a PIN set, an unlock), else NULL. */
const char          *pos_audit_item_get_subject (PosAuditItem *self);

/* The audit log as a GListModel of PosAuditItem, newest first, read a
 * page at a time with keyset paging (pos_audit_list with before_id) on a
 * worker connection, off the UI thread. Only the pages the person scrolled
 * to are in memory: the first page is read on creation, the next one when
 * the view asks for an item near the end of what is loaded.
 *
 * action_prefixes: NULL for every action, else the prefixes to show
 * ("sale.", "return."): their entries are merged by id. staff_id: NULL
 * for anyone, else entries that person did or approved.
 *
 * "loading" is TRUE while a page is being read; "complete" turns TRUE once
 * the oldest entry is loaded. A page that cannot be read leaves the model
 * as it was with pos_audit_model_get_error() set (and stops reading ahead
 * until pos_audit_model_load_more() is called again). */
#define POS_TYPE_AUDIT_MODEL (pos_audit_model_get_type ())
G_DECLARE_FINAL_TYPE (PosAuditModel, pos_audit_model, POS, AUDIT_MODEL, GObject)

#define POS_AUDIT_MODEL_PAGE_SIZE 100

PosAuditModel *pos_audit_model_new         (PosDatabase        *db,
                                            const char * const *action_prefixes,
                                            const char         *staff_id);
/* Reads the next page unless one is being read or none is left. */
void           pos_audit_model_load_more   (PosAuditModel      *self);
gboolean       pos_audit_model_get_loading (PosAuditModel      *self);
gboolean       pos_audit_model_get_complete (PosAuditModel     *self);
/* Why the last page could not be read, or NULL. */
const GError  *pos_audit_model_get_error   (PosAuditModel      *self);

G_END_DECLS
