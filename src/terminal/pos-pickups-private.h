/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-pickups.h"

G_BEGIN_DECLS

/* For the sync engine, inside its transaction, after the central refused
 * an operation (a conflict, whose server state is already applied, or a
 * rejection): a refused handover puts the order on the manager's incident
 * list, in words. Other operations: nothing. */
gboolean _pos_pickups_note_refusal (PosDatabase *db,
                                    const char  *op_type,
                                    const char  *payload_json,
                                    const char  *message,
                                    GError     **error);

/* For pos_sales_commit, inside its transaction, after the sale (with
 * pickup_order_id, its lines' stock movements with reason 'pickup' and its
 * 'sale.create') is written: the order is paid by that sale and handed
 * over as the cart's marker says. The order must still be at the version
 * the cart saw (POS_PICKUPS_ERROR_STALE otherwise: the sale is not
 * saved). */
gboolean _pos_pickups_commit_cart  (PosDatabase *db,
                                    PosCart     *cart,
                                    const char  *sale_id,
                                    gint64       now_ms,
                                    GError     **error);

G_END_DECLS
