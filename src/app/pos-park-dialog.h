/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Park and resume dialogs. Both are modal to parent and never block the
 * UI thread. */

/* Lists the parked sales of this terminal (label, cashier, age, lines,
 * total); arrows move, Enter resumes, Escape cancels. */
void  pos_park_dialog_resume_async      (GtkWindow           *parent,
                                         PosDatabase         *db,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* The chosen parked sale's id (pass it to pos_sales_resume()), or NULL
 * without an error if the cashier cancelled. */
char *pos_park_dialog_resume_finish     (GAsyncResult        *result,
                                         GError             **error);

/* Asks for a label for the sale being parked (entry prefilled with
 * suggested, e.g. the customer's name); Enter confirms, Escape cancels. */
void  pos_park_dialog_ask_label_async   (GtkWindow           *parent,
                                         const char          *suggested,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* The label (possibly empty, never NULL when confirmed); *confirmed FALSE
 * and NULL returned when the cashier cancelled. */
char *pos_park_dialog_ask_label_finish  (GAsyncResult        *result,
                                         gboolean            *confirmed,
                                         GError             **error);

G_END_DECLS
