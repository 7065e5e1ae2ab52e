/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "domain/pos-cart.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The sale at the counter: the code/search entry, the cart, the totals
 * and the big buttons. Its commands are the actions of
 * pos_sale_page_get_action_group(), which the window inserts as "sale" so
 * their accelerators work wherever the focus is:
 *   sale.focus-entry F2 Ctrl+F   sale.quantity F4      sale.line-note F5
 *   sale.sale-note Shift+F5      sale.line-discount F6 sale.sale-discount Shift+F6
 *   sale.customer F7  sale.park F8  sale.resume F9  sale.pay F12
 *   sale.cancel Ctrl+Delete      sale.remove-line Shift+Delete (Delete with
 *   an empty entry)  sale.select-previous/next Ctrl+Up/Down (Up/Down in
 *   the entry)  sale.dismiss-message
 * Emits "sale-committed" (id, number) after a sale was saved. */
#define POS_TYPE_SALE_PAGE (pos_sale_page_get_type ())
G_DECLARE_FINAL_TYPE (PosSalePage, pos_sale_page, POS, SALE_PAGE, GtkWidget)

GtkWidget    *pos_sale_page_new              (PosDatabase *db);
GActionGroup *pos_sale_page_get_action_group (PosSalePage *self);
PosCart      *pos_sale_page_get_cart         (PosSalePage *self);
/* A scan from the scanner (keyboard wedge or USB): adds the product, with
 * the multiplier typed before it ("3*"). Errors show on the page. */
void          pos_sale_page_scan             (PosSalePage *self,
                                              const char  *code);
/* Text typed quickly while no entry had the focus: goes to the entry. */
gboolean      pos_sale_page_take_typed       (PosSalePage *self,
                                              const char  *text);
void          pos_sale_page_focus_entry      (PosSalePage *self);
/* Attaches a customer to the sale in progress (a copy is kept), as F7
 * does; NULL detaches. FALSE, with a message on the page, while the
 * payment dialog is open. */
gboolean      pos_sale_page_set_customer     (PosSalePage              *self,
                                              const PosCustomerSummary *customer);
/* Locking the screen parks the sale in progress under its cashier (NULL
 * without error when the sale is empty); signing back in resumes it. */
char         *pos_sale_page_park_for_lock    (PosSalePage  *self,
                                              const char   *label,
                                              GError      **error);
gboolean      pos_sale_page_resume_parked    (PosSalePage  *self,
                                              const char   *parked_id,
                                              GError      **error);

G_END_DECLS
