/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* A receipt roll on screen, scrollable: the PNG of the very document the
 * printer gets (devices/pos-receipt-pdf.h), at the receipt printer's
 * width (58 mm for a 32-column printer, else 80 mm; a printer with a
 * driver, and no printer at all, show the 80 mm roll). The sale is loaded
 * and the image rendered on a worker thread (a GTask on a connection
 * borrowed with pos_database_acquire_worker); the view shows a spinner
 * meanwhile and never blocks the UI. The picture's alternative text, and
 * the view's accessible description, is the receipt as text, so a screen
 * reader reads the receipt. */
#define POS_TYPE_RECEIPT_VIEW (pos_receipt_view_get_type ())
G_DECLARE_FINAL_TYPE (PosReceiptView, pos_receipt_view, POS, RECEIPT_VIEW, GtkWidget)

GtkWidget  *pos_receipt_view_new        (void);
/* The receipt of a sale or return (id, number or code); reprint shows the
 * copy ("2ª VIA"). A later call (or _clear) replaces an unfinished one. */
void        pos_receipt_view_show_sale  (PosReceiptView *self,
                                         PosDatabase    *db,
                                         const char     *sale,
                                         gboolean        reprint);
/* The X or Z report of a shift (id or number; NULL = the open one), as
 * printed. */
void        pos_receipt_view_show_shift (PosReceiptView *self,
                                         PosDatabase    *db,
                                         const char     *shift);
/* Text in place of the image (a roll of monospace text), for a document
 * that is not in the database yet; NULL or "" shows the empty roll. */
void        pos_receipt_view_set_text   (PosReceiptView *self,
                                         const char     *text);
/* Shows the empty roll with its placeholder. */
void        pos_receipt_view_clear      (PosReceiptView *self);
/* The receipt as text (what the picture says), NULL while none is shown. */
const char *pos_receipt_view_get_text   (PosReceiptView *self);

/* Loads ui/history.css (receipt paper, history rows, return dialog) for the
 * default display, once. Called by the History widgets' class_init; safe to
 * call again. */
void        pos_history_css_ensure      (void);

G_END_DECLS
