/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* "Return an Online Order": the clerk types or scans the order's number
 * (or the customer's pickup QR code), the order is asked of the central
 * on a worker thread, the clerk chooses what came back and why, and the
 * return is saved (pos_online_orders_return), with a supervisor's approval
 * when the person signed in may not refund. The central refunds the
 * original payment; the goods go back into this store's stock. The
 * window gets a toast saying so. */
#define POS_TYPE_ONLINE_RETURN_DIALOG (pos_online_return_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosOnlineReturnDialog, pos_online_return_dialog, POS, ONLINE_RETURN_DIALOG, AdwWindow)

/* ref (may be NULL): an order number or QR text to look up at once. */
PosOnlineReturnDialog *pos_online_return_dialog_new (GtkWindow   *parent,
                                                     PosDatabase *db,
                                                     const char  *ref);

G_END_DECLS
