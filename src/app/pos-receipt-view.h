/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A receipt roll on screen: white paper, monospace text, scrollable. The
 * text comes from pos_receipt_render_text(). */
#define POS_TYPE_RECEIPT_VIEW (pos_receipt_view_get_type ())
G_DECLARE_FINAL_TYPE (PosReceiptView, pos_receipt_view, POS, RECEIPT_VIEW, GtkWidget)

GtkWidget *pos_receipt_view_new      (void);
/* NULL or "" shows an empty roll with a placeholder. */
void       pos_receipt_view_set_text (PosReceiptView *self,
                                      const char     *text);

/* Loads ui/history.css (receipt paper, history rows, return dialog) for the
 * default display, once. Called by the History widgets' class_init; safe to
 * call again. */
void       pos_history_css_ensure    (void);

G_END_DECLS
