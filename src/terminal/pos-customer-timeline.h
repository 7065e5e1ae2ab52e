/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pos-database.h"

G_BEGIN_DECLS

/* One entry of a customer's cross-channel timeline. */
#define POS_TYPE_TIMELINE_EVENT (pos_timeline_event_get_type ())
G_DECLARE_FINAL_TYPE (PosTimelineEvent, pos_timeline_event, POS, TIMELINE_EVENT, GObject)

const char *pos_timeline_event_get_id          (PosTimelineEvent *self);
const char *pos_timeline_event_get_channel     (PosTimelineEvent *self); /* "store", "web", "whatsapp", ... */
const char *pos_timeline_event_get_kind        (PosTimelineEvent *self); /* "purchase", "order_placed", "chat", ... */
gint64      pos_timeline_event_get_occurred_at (PosTimelineEvent *self); /* unix ms */
const char *pos_timeline_event_get_store_name  (PosTimelineEvent *self); /* NULL when not in a store */
gboolean    pos_timeline_event_has_amount      (PosTimelineEvent *self);
gint64      pos_timeline_event_get_amount      (PosTimelineEvent *self);
const char *pos_timeline_event_get_currency    (PosTimelineEvent *self);
const char *pos_timeline_event_get_summary     (PosTimelineEvent *self);
const char *pos_timeline_event_get_document_id (PosTimelineEvent *self);
/* A purchase at this store that can still be returned: the last day
 * (unix ms, end of that day); 0 otherwise. */
gint64      pos_timeline_event_get_returnable_until (PosTimelineEvent *self);
/* An order still open in this store's pickup queue: its state
 * ("READY_FOR_PICKUP", ...); NULL otherwise. */
const char *pos_timeline_event_get_open_pickup_state (PosTimelineEvent *self);
/* Made at this terminal and not yet confirmed by the central. */
gboolean    pos_timeline_event_get_local       (PosTimelineEvent *self);

/* Words for display, translated. */
const char *pos_timeline_channel_label (const char *channel);  /* "Store", "Web shop", "WhatsApp", ... */
const char *pos_timeline_channel_icon  (const char *channel);  /* a symbolic icon name */
const char *pos_timeline_kind_label    (const char *kind);     /* "Purchase", "Order placed", "Call", ... */

/* Filters: the kind groups a clerk picks from. */
typedef enum {
  POS_TIMELINE_KIND_ALL,
  POS_TIMELINE_KIND_PURCHASES,     /* purchase, return, refund */
  POS_TIMELINE_KIND_ORDERS,        /* order, order_placed, order_status */
  POS_TIMELINE_KIND_INTERACTIONS,  /* call, chat, message, email, notification */
} PosTimelineKindGroup;

/* A GListModel of PosTimelineEvent, newest first, read from SQLite a page
 * at a time (only a few pages are held, whatever the length). Reads on the
 * calling thread: each page is one indexed query of ~50 rows. Erased or
 * restricted customers have an empty timeline. */
#define POS_TYPE_CUSTOMER_TIMELINE (pos_customer_timeline_get_type ())
G_DECLARE_FINAL_TYPE (PosCustomerTimeline, pos_customer_timeline, POS, CUSTOMER_TIMELINE, GObject)

PosCustomerTimeline *pos_customer_timeline_new (PosDatabase *db,
                                                const char  *customer_id);
/* channel NULL = every channel. Emits items-changed for the whole list. */
void      pos_customer_timeline_set_filter (PosCustomerTimeline  *self,
                                            const char           *channel,
                                            PosTimelineKindGroup  kinds);
/* Re-reads (new events arrived by sync). Emits items-changed. */
void      pos_customer_timeline_reload     (PosCustomerTimeline  *self);
/* The last error of a page read, or NULL. */
const GError *pos_customer_timeline_get_error (PosCustomerTimeline *self);
/* Pages held right now (for tests and the memory benchmark). */
guint     pos_customer_timeline_get_n_cached_pages (PosCustomerTimeline *self);

G_END_DECLS
