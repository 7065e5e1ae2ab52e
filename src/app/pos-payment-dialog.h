/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "domain/pos-cart.h"
#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Taking the payment of a cart: the amount due big, the methods as big
 * buttons with keys (F1 cash, F2 credit card, F3 debit card, F4 PIX, F5
 * store credit), split tender, then "Finish sale" (Enter) which commits
 * the sale off the UI thread, and the "Sale complete" page with the change
 * to give and the receipt. A commit error is shown and the cart is kept.
 *
 * Payments are added to the cart as they are taken, so closing the dialog
 * (Escape) before finishing keeps them for when it is opened again.
 * Emits "sale-committed" (id, number) once the sale is saved; the caller
 * then starts a new sale (the dialog no longer touches the cart). */
#define POS_TYPE_PAYMENT_DIALOG (pos_payment_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosPaymentDialog, pos_payment_dialog, POS, PAYMENT_DIALOG, AdwWindow)

/* customer_credit: store credit of the attached customer, 0 when none. */
PosPaymentDialog *pos_payment_dialog_new (GtkWindow   *parent,
                                          PosDatabase *db,
                                          PosCart     *cart,
                                          gint64       customer_credit);

G_END_DECLS
