/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-pickups.h"
#include "pos-receipt.h"

G_BEGIN_DECLS

/* Documents of click and collect, for the receipt printer (rendered like
 * any PosReceiptDoc): in Portuguese for a store that sells in BRL, else in
 * the user's language, as pos-receipt.c does.
 *
 * The picking list of one or several orders (PosPickupOrder* with their
 * lines): per order its number, customer, shelf and notes, and per line a
 * tick box "[ ]", the quantity, the SKU and the name (and what is missing
 * or offered instead). store may be NULL; printed_at is unix ms. */
PosReceiptDoc *pos_pickup_receipt_new_picking_list (GPtrArray          *orders,
                                                    const PosStoreInfo *store,
                                                    gint64              printed_at);

/* The pickup receipt of a handover: the order and customer, the lines
 * handed over and refused (with the reason), who handed it over, how the
 * customer was identified, "PROVISIONAL" when it was handed over offline,
 * and a line for the customer's signature. order must have its lines.
 * store may be NULL. */
PosReceiptDoc *pos_pickup_receipt_new_for_handover (const PosPickupOrder          *order,
                                                    const PosPickupHandoverRecord *handover,
                                                    const PosStoreInfo            *store);

G_END_DECLS
