/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-customers.h"

G_BEGIN_DECLS

/* A customer's profile at the counter, on the Customers page: the name,
 * loyalty tier, points and store credit; contact data masked, with
 * "Reveal" for the roles that may see it in full (audited by the engine);
 * preferences and notes; marketing consent per channel with its source and
 * date; how the customer is known in each channel; and the cross-channel
 * timeline (PosCustomerTimeline, read a page at a time on a connection of
 * its own), newest first, filtered by channel and kind, with the open
 * pickups and the purchases that can still be returned marked. A row
 * opens the event's detail (the lines of an order, a return's reason, a
 * call's summary) with Reprint, Return Items and Open in Pickups where they
 * apply. When processing is restricted the history is not shown.
 *
 * Widget actions "profile.*" and their keys while the profile is shown:
 *   profile.attach Ctrl+Return   profile.edit Ctrl+E
 *   profile.reveal Ctrl+I        profile.timeline Ctrl+T (focus the history)
 * The channel and kind filters have the mnemonics Alt+C and Alt+K.
 *
 * Signals: "attach" (const char *customer_id) when the clerk attaches the
 * customer to the sale; "edited" (const char *customer_id) after the
 * editor saved, or chose another customer (a duplicate).
 *
 * (PosCustomerProfile is the engine's record of the customer: the widget
 * is PosCustomerProfileView.) */
#define POS_TYPE_CUSTOMER_PROFILE_VIEW (pos_customer_profile_view_get_type ())
G_DECLARE_FINAL_TYPE (PosCustomerProfileView, pos_customer_profile_view, POS, CUSTOMER_PROFILE_VIEW, GtkWidget)

void        pos_customer_profile_view_set_database    (PosCustomerProfileView *self,
                                                       PosDatabase            *db);
/* Loads the customer on a worker (pos_customers_open_profile: a
 * 'customer.view' audit row) and shows them. */
void        pos_customer_profile_view_load            (PosCustomerProfileView *self,
                                                       const char             *customer_id);
/* New events or changed data arrived (sync, a sale): the figures of the
 * header (pos_customers_get) and the timeline are read again, without a
 * new audit row. */
void        pos_customer_profile_view_refresh         (PosCustomerProfileView *self);
/* Forgets the customer (and any revealed data). */
void        pos_customer_profile_view_clear           (PosCustomerProfileView *self);
const char *pos_customer_profile_view_get_customer_id (PosCustomerProfileView *self);

G_END_DECLS
