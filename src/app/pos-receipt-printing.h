/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "devices/pos-print-queue.h"
#include "devices/pos-printer.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Receipts on the receipt printer (docs/printing.md), for one window: owns
 * the window's PosPrintQueue on its database. A sale or return is loaded
 * and rendered on a worker thread (ESC/POS in the printer's width and code
 * page, or an 80 mm PDF for a printer with a driver) and submitted to the
 * queue; nothing waits for the printer. A job that waits at the printer
 * shows a toast with its message and "Print Elsewhere…"; a job that failed
 * one that offers "Retry" and "Print Elsewhere…" (a dialog listing the
 * CUPS destinations). Nothing is printed while no receipt printer is set
 * (pos_printer_settings_load). */
#define POS_TYPE_RECEIPT_PRINTING (pos_receipt_printing_get_type ())
G_DECLARE_FINAL_TYPE (PosReceiptPrinting, pos_receipt_printing, POS, RECEIPT_PRINTING, GObject)

/* window: where the toasts and dialogs go (weak). */
PosReceiptPrinting *pos_receipt_printing_new         (GtkWindow          *window,
                                                      PosDatabase        *db);
PosPrintQueue      *pos_receipt_printing_get_queue   (PosReceiptPrinting *self);
/* TRUE when a receipt printer is chosen. */
gboolean            pos_receipt_printing_is_configured (PosReceiptPrinting *self);
/* Prints the receipt of a sale or return (by id or number); reprint adds
 * "2ª VIA". open_drawer: open the cash drawer too when the document was
 * paid (partly) in cash. Does nothing when no receipt printer is set. */
void                pos_receipt_printing_print_sale  (PosReceiptPrinting *self,
                                                      const char         *sale_id,
                                                      gboolean            reprint,
                                                      gboolean            open_drawer);
/* Prints a document built by the caller (a picking list, a pickup
 * receipt...), taking it, under title (NULL: the document's title), the
 * same way as a receipt, without the drawer. Does nothing (and frees doc)
 * when no receipt printer is set. */
void                pos_receipt_printing_print_doc   (PosReceiptPrinting *self,
                                                      PosReceiptDoc      *doc,
                                                      const char         *title);
/* Prints the X report (an open shift) or the Z report (a closed one) of
 * a shift (id or number; NULL = the open one) on the receipt printer, the
 * same way as a receipt. FALSE (nothing done) when no receipt printer is
 * set. */
gboolean            pos_receipt_printing_print_shift (PosReceiptPrinting *self,
                                                      const char         *shift);
/* Sends the drawer pulse to the receipt printer; a toast says when it
 * could not. FALSE when no receipt printer is set. */
gboolean            pos_receipt_printing_open_drawer (PosReceiptPrinting *self);

G_END_DECLS
