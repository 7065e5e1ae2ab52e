/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"
#include "terminal/pos-staff.h"

G_BEGIN_DECLS

/* Asks someone allowed to do p to approve it with their PIN or badge,
 * unless the signed-in person may do it alone. `what` says what is being
 * approved ("Refund of R$ 25,90 on sale 001-01-000042").
 *
 * finish: TRUE with *out_approval_id NULL when no approval was needed,
 * TRUE with the approval's id when it was given (pass it to the engine
 * call it was for), FALSE without error when the cashier cancelled. The
 * PIN is checked off the UI thread. */
void      pos_approval_dialog_ask_async  (GtkWindow           *parent,
                                          PosDatabase         *db,
                                          PosPermission        permission,
                                          const char          *what,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  pos_approval_dialog_ask_finish (GAsyncResult        *result,
                                          char               **out_approval_id,
                                          GError             **error);

G_END_DECLS
