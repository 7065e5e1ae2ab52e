/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Modal window to return items of a sale: a quantity per line, a reason, the
 * refund method, the refund previewed live; Confirm (Enter / Ctrl+Enter)
 * commits the return on a worker thread and shows what to hand back and the
 * return receipt. Escape cancels.
 *
 * Signal "committed" (const char *return_id, const char *return_number) is
 * emitted once the return is saved. */
#define POS_TYPE_RETURN_DIALOG (pos_return_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosReturnDialog, pos_return_dialog, POS, RETURN_DIALOG, AdwWindow)

/* Loads the sale (one indexed lookup). NULL + error when it cannot be
 * returned: unknown, a return itself, or nothing left to return. */
PosReturnDialog *pos_return_dialog_new (GtkWindow   *parent,
                                        PosDatabase *db,
                                        const char  *sale_id,
                                        GError     **error);

G_END_DECLS
