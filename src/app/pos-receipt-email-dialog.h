/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* "Send by e-mail": asks the cashier for the customer's address and queues
 * the request for the central (terminal/pos-receipt-email.h), which sends
 * the receipt. The address is prefilled, masked, with the one on file of
 * the sale's customer; Send stays off until the text is an e-mail address
 * (a hint under the entry says why). The lookup and the write run off the
 * UI thread.
 *
 * _finish: TRUE when the request was queued, with out_to the address as
 * shown to the cashier; FALSE without an error when the cashier cancelled,
 * FALSE with one (a message to show) when it could not be queued. */
void       pos_receipt_email_dialog_ask_async  (GtkWindow           *parent,
                                                PosDatabase         *db,
                                                const char          *sale_id,
                                                const char          *number,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean   pos_receipt_email_dialog_ask_finish (GAsyncResult        *result,
                                                char               **out_to,
                                                GError             **error);

/* A "Send by E-mail…" button with a line under it that says what became of
 * the request, for the after-sale view. */
GtkWidget *pos_receipt_email_button_new        (PosDatabase         *db,
                                                const char          *sale_id,
                                                const char          *number);

G_END_DECLS
