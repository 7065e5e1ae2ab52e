/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"
#include "terminal/pos-sync-engine.h"

G_BEGIN_DECLS

/* The Customers page (issue 4): one search field for a name (accents and
 * case ignored, any word, a prefix), a phone in any formatting, an e-mail,
 * a CPF or a loyalty card; results as the clerk types (GtkSearchEntry's
 * 150 ms delay), ranked and paged from SQLite on a worker connection, with
 * "Show more results". When nothing is found here and the terminal is
 * online, the central is asked (pos_customers_lookup_central, on a worker)
 * and its answer is kept on this terminal; offline, the page says that only
 * the customers on this terminal can be found.
 *
 * Type, Down to the list, Enter opens the customer's profile
 * (PosCustomerProfile: contact data, consents, the cross-channel timeline,
 * attach to the sale, edit).
 *
 * Widget actions "customers.*" and their keys while the page is shown:
 *   customers.search Ctrl+F    customers.new Ctrl+N
 *   customers.reload F5        customers.back Escape, Alt+Left
 * and the profile's (pos-customer-profile.h). */
#define POS_TYPE_CUSTOMERS_PAGE (pos_customers_page_get_type ())
G_DECLARE_FINAL_TYPE (PosCustomersPage, pos_customers_page, POS, CUSTOMERS_PAGE, GtkWidget)

/* sync may be NULL (not enrolled, tests); sale_page (a PosSalePage, kept
 * weakly) receives the customers attached to the sale. */
GtkWidget *pos_customers_page_new             (PosDatabase      *db,
                                               PosSyncEngine    *sync,
                                               GtkWidget        *sale_page);
/* Back to the search, its text selected, the focus in it. */
void       pos_customers_page_focus_search    (PosCustomersPage *self);
/* Shows a customer's profile (loaded on a worker; audited as a view). */
void       pos_customers_page_open_customer   (PosCustomersPage *self,
                                               const char       *customer_id);
/* The sync engine applied changes: the open profile's timeline and
 * header, and the results shown, are read again. */
void       pos_customers_page_changes_applied (PosCustomersPage *self,
                                               const char * const *streams);
/* A code scanned anywhere in the window that is not a product: when it is
 * a customer's loyalty card, the customer is attached to the sale in
 * progress and TRUE is returned. With show_profile the profile is shown
 * (the clerk is on this page); otherwise a toast says who was attached,
 * with "Open Profile", and the sale goes on undisturbed. One lookup by a
 * unique index on the UI connection. */
gboolean   pos_customers_page_take_card       (PosCustomersPage *self,
                                               const char       *code,
                                               gboolean          show_profile);

G_END_DECLS
