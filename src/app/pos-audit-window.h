/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The audit log for managers: newest first, read a page at a time off the
 * UI thread as the list is scrolled (PosAuditModel), filtered by kind of
 * action and by person (who did or approved it). Each row: when, what (in
 * words), who and who approved, the document or person it concerns, the
 * reason. Not modal: it can stay open beside the counter.
 *
 * Reading needs view_audit: the caller checks it (or asks an approval)
 * before opening; if the engine still refuses, the window says why.
 *
 * Widget actions: audit.reload (F5, Ctrl+R) reads the newest entries
 * again; Escape and Ctrl+W close. */
#define POS_TYPE_AUDIT_WINDOW (pos_audit_window_get_type ())
G_DECLARE_FINAL_TYPE (PosAuditWindow, pos_audit_window, POS, AUDIT_WINDOW, AdwWindow)

GtkWindow  *pos_audit_window_new       (GtkWindow   *parent,
                                        PosDatabase *db);
/* Opens the window (transient for parent) and shows it. */
void        pos_audit_window_present   (GtkWindow   *parent,
                                        PosDatabase *db);
/* The list shown now (a PosAuditModel of PosAuditItem); for tests. */
GListModel *pos_audit_window_get_model (PosAuditWindow *self);

G_END_DECLS
