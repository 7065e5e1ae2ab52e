/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pos-database.h"

G_BEGIN_DECLS

/* Orders of the other channels, looked up at the central
 * (docs/sync-protocol.md §7.1, GET /v1/orders/{ref}), so that an item
 * bought online for delivery (or collected earlier) can be brought back to
 * the counter: the refund goes to the order's original payment through the
 * central ('order.return'), and the goods go back into this store's stock.
 * The lookup needs the central; the return itself is written locally at
 * once (stock movements, audit row, outbox) like every other document. */

#define POS_ONLINE_ORDERS_ERROR (pos_online_orders_error_quark ())
GQuark pos_online_orders_error_quark (void);

typedef enum {
  POS_ONLINE_ORDERS_ERROR_NOT_FOUND,      /* the central has no such order */
  POS_ONLINE_ORDERS_ERROR_NOT_RETURNABLE, /* not delivered / collected yet, or already returned */
  POS_ONLINE_ORDERS_ERROR_INVALID,        /* a quantity above what can be returned, no reason... */
} PosOnlineOrdersError;

typedef struct {
  guint   line_no;
  char   *sku;
  char   *name;
  gint64  product_id;          /* 0 when the SKU is not in this terminal's catalogue */
  gint64  quantity;            /* milli-units, as ordered */
  gint64  collected_quantity;  /* handed over at a store (pickup orders) */
  gint64  returned_quantity;   /* already brought back */
  gint64  unit_price;
} PosOnlineOrderLine;

typedef struct {
  char      *id;
  char      *number;
  char      *channel;          /* "web", "app", "marketplace"... */
  char      *fulfilment;       /* "delivery" or "pickup" */
  char      *state;            /* "DELIVERED", "PICKED_UP", ... */
  char      *customer_id;      /* may be NULL */
  char      *customer_name;    /* may be NULL */
  char      *payment_method;   /* may be NULL */
  char      *currency;
  gint64     total;
  gint64     placed_at;        /* unix ms */
  GPtrArray *lines;            /* PosOnlineOrderLine* */
} PosOnlineOrder;

void pos_online_order_free (PosOnlineOrder *order);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosOnlineOrder, pos_online_order_free)

/* The ORDER object of the protocol. db (may be NULL) resolves SKUs to the
 * local catalogue. */
PosOnlineOrder *pos_online_order_from_json (PosDatabase *db,
                                            JsonNode    *order,
                                            GError     **error);

/* What may still come back of a line: for a delivery order once
 * DELIVERED, what was ordered; for a pickup order, what was collected;
 * less what was returned already. 0 otherwise. */
gint64 pos_online_order_line_returnable (const PosOnlineOrder     *order,
                                         const PosOnlineOrderLine *line);

/* Asks the central for an order by number, id or the customer's pickup QR
 * ("BALCAO:PICKUP:<number>:<code>"). Blocking (an HTTP request): call it
 * on a worker thread. POS_SYNC_ERROR when the central can't be reached. */
PosOnlineOrder *pos_online_orders_lookup  (PosDatabase *db,
                                           const char  *ref,
                                           GError     **error);

typedef struct {
  guint  line_no;
  gint64 quantity;   /* milli-units brought back */
} PosOnlineReturnItem;

/* Takes items of an online order back: needs POS_PERMISSION_REFUND (or
 * approval_id). One durable transaction: a stock movement (reason
 * 'return') per line whose product this terminal knows, an audit row, and
 * the 'order.return' operation. Returns the return's id; *out_amount (may
 * be NULL) gets what the central refunds. */
char *pos_online_orders_return (PosDatabase               *db,
                                const PosOnlineOrder      *order,
                                const PosOnlineReturnItem *items,
                                guint                      n_items,
                                const char                *reason,
                                const char                *approval_id,
                                gint64                    *out_amount,
                                GError                   **error);

G_END_DECLS
