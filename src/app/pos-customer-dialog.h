/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-customers.h"

G_BEGIN_DECLS

/* Finds a customer by name, phone, e-mail, CPF or loyalty card
 * (pos_customers_search_page) to attach to the sale. Type to search,
 * arrows move, Enter chooses, Escape cancels; "No customer" (Ctrl+Delete)
 * detaches the current one; "New Customer…" (Ctrl+N) registers one
 * (PosCustomerEditor) and chooses them. */
void                pos_customer_dialog_choose_async  (GtkWindow           *parent,
                                                       PosDatabase         *db,
                                                       gboolean             has_customer,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* The chosen customer; NULL without error when cancelled or, with
 * *detach TRUE, when the cashier asked for no customer. */
PosCustomerSummary *pos_customer_dialog_choose_finish (GAsyncResult        *result,
                                                       gboolean            *detach,
                                                       GError             **error);

G_END_DECLS
