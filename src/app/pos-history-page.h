/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The History page: sales and returns of this terminal, searchable, with a
 * receipt preview, reprint (preview) and returns. It installs its own widget
 * actions "history.*" (gtk_widget_class_install_action) and their shortcuts
 * (gtk_widget_class_add_binding_action), active while the page has focus:
 *   history.search   Ctrl+F     focus the search entry
 *   history.reload   F5 / Ctrl+R reload the list
 *   history.reprint  Ctrl+P     show the "2ª VIA" receipt of the selected sale
 *   history.email    Ctrl+E     ask the central to e-mail the receipt
 *   history.return   Ctrl+D     return items of the selected sale
 *   history.back     Escape     (narrow) back from the detail to the list
 * It loads its own CSS (ui/history.css) for the display once. */
#define POS_TYPE_HISTORY_PAGE (pos_history_page_get_type ())
G_DECLARE_FINAL_TYPE (PosHistoryPage, pos_history_page, POS, HISTORY_PAGE, GtkWidget)

GtkWidget *pos_history_page_new       (PosDatabase    *db);
/* Reloads the list (off the UI thread), keeping the selection if it is still
 * listed. Call it after a sale or a return was committed elsewhere. */
void       pos_history_page_reload    (PosHistoryPage *self);
/* Opens a sale by id, number ("001-01-000042") or receipt code
 * ("BALCAO:SALE:<id>"): shows its detail and selects it in the list
 * (widening the date filter if needed). Returns FALSE, after showing a
 * message on the page, when there is no such sale. */
gboolean   pos_history_page_open_sale (PosHistoryPage *self,
                                       const char     *id_number_or_code);

G_END_DECLS
