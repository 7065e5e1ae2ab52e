/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"
#include "terminal/pos-sync-engine.h"

G_BEGIN_DECLS

/* The Pickups page: online orders to be collected at this store (click and
 * collect), by group with their counts (New, Being picked, Ready, Overdue,
 * On hold, Partly collected, Collected, Cancelled, then "To cancel" —
 * expired and no-show orders for a manager — and "Incidents", provisional
 * handovers the central refused), the orders of the chosen group or of a
 * search (number, name, phone, CPF), and the chosen order with its lines
 * and the actions its state allows: picking (PosPickingDialog), the
 * handover (PosHandoverDialog; an order to be paid in store goes to the
 * sale page's cart), no-show, cancelling, dismissing an incident, picking
 * lists and pickup receipts on the receipt printer.
 *
 * Everything is read and written on worker connections
 * (pos_database_acquire_worker), never on the UI thread, except the lookup
 * of one order for a scanned QR code and filling the cart.
 *
 * Widget actions "pickups.*" and their keys, while the page has focus:
 *   pickups.search Ctrl+F     pickups.reload F5
 *   pickups.pick Ctrl+K       pickups.hand-over Ctrl+Return
 *   pickups.print Ctrl+P      pickups.print-all Ctrl+Shift+P
 *   pickups.no-show Ctrl+Shift+M   pickups.cancel-order Ctrl+Shift+Delete
 *   pickups.dismiss Ctrl+D    pickups.group(u) Alt+1 … Alt+0
 *   pickups.back Escape
 *
 * Properties "badge-number" (orders waiting for the counter: new ones to
 * pick plus ready ones overdue) and "needs-attention" (any of those, or an
 * incident) for the page's tab. */
#define POS_TYPE_PICKUPS_PAGE (pos_pickups_page_get_type ())
G_DECLARE_FINAL_TYPE (PosPickupsPage, pos_pickups_page, POS, PICKUPS_PAGE, GtkWidget)

/* sync may be NULL (not enrolled, tests); sale_page (a PosSalePage, kept
 * weakly) receives the orders to be paid in store. */
GtkWidget *pos_pickups_page_new            (PosDatabase    *db,
                                            PosSyncEngine  *sync,
                                            GtkWidget      *sale_page);
/* Counts and the list again, off the UI thread. */
void       pos_pickups_page_reload         (PosPickupsPage *self);
/* After the sync engine applied changes to the "pickups" stream: reload,
 * and a toast for each order that was not in the queue before. */
void       pos_pickups_page_changes_applied (PosPickupsPage *self);
/* A customer's QR code "BALCAO:PICKUP:<number>:<code>" or an order
 * number: shows the order and opens its handover (the code filled in). */
void       pos_pickups_page_open_code      (PosPickupsPage *self,
                                            const char     *qr_or_number);
/* The sale page committed a sale: when it paid an order put in the cart
 * from here, print that order's pickup receipt. */
void       pos_pickups_page_sale_committed (PosPickupsPage *self,
                                            const char     *sale_id);
guint      pos_pickups_page_get_badge_number    (PosPickupsPage *self);
gboolean   pos_pickups_page_get_needs_attention (PosPickupsPage *self);

G_END_DECLS
