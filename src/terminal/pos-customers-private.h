/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* The oldest sale time (unix ms, a local midnight) that can still be
 * returned under the store's 'return_days'. */
gint64   _pos_customers_return_horizon (PosDatabase *db);

/* Inside the caller's transaction: the timeline entry for a sale or return
 * of this terminal to a customer, until the central's entry for the same
 * document replaces it. Does nothing without a customer. */
gboolean _pos_customers_note_sale      (PosDatabase  *db,
                                        const char   *sale_id,
                                        GError      **error);

G_END_DECLS
