/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Click and collect on the receipt printer: the orders (with their lines),
 * their last handover and the store are read on a worker connection, the
 * document is built there (terminal/pos-pickup-receipt.h) and handed to
 * the window's PosReceiptPrinting, which renders and queues it like any
 * receipt. widget: any widget of a PosWindow (its printer, its toasts). A
 * problem reading the orders is a toast. */
void pos_pickup_printing_print_picking_lists (GtkWidget          *widget,
                                              PosDatabase        *db,
                                              const char * const *order_ids);
/* The pickup receipt of the order's last handover here, with the line for
 * the customer's signature. */
void pos_pickup_printing_print_receipt       (GtkWidget          *widget,
                                              PosDatabase        *db,
                                              const char         *order_id);

G_END_DECLS
