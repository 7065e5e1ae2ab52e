/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include <domain/pos-sync-wire.h>

#include "central-changes.h"

G_BEGIN_DECLS

/* Orders of the other channels, and the pickup (BOPIS) state machine the
 * central owns (docs/sync-protocol.md §7, §7.1, §8). */

#define CENTRAL_ORDER_ERROR (central_order_error_quark ())
GQuark central_order_error_quark (void);

typedef enum {
  CENTRAL_ORDER_ERROR_INVALID,             /* 400 bad_request / bad_payload */
  CENTRAL_ORDER_ERROR_NOT_FOUND,           /* no such order */
  CENTRAL_ORDER_ERROR_STORE_NOT_FOUND,     /* 422 not_found */
  CENTRAL_ORDER_ERROR_UNKNOWN_SKU,         /* 422 unknown_sku */
  CENTRAL_ORDER_ERROR_WRONG_STORE,
  CENTRAL_ORDER_ERROR_INVALID_TRANSITION,  /* 422 invalid_transition */
  CENTRAL_ORDER_ERROR_CONFLICT,            /* 409 version_conflict / conflict */
  CENTRAL_ORDER_ERROR_CUSTOMER,            /* customer erased or unknown (422) */
} CentralOrderError;

/* POST /v1/channel/orders. Returns the ORDER as JSON text; *created FALSE
 * when (channel, external_ref) existed (then *pickup_code is NULL). */
char    *central_order_create (CentralTx   *tx,
                               JsonObject  *request,
                               gboolean    *created,
                               char       **pickup_code,
                               GError     **error);

/* The ORDER (the pickup_order entity, plus fulfilment, external_ref and
 * per line returned_quantity). */
char    *central_order_json   (CentralConn *conn,
                               const char  *order_id,
                               GError     **error);

/* The id of the order whose id or number is `ref`; NULL with
 * CENTRAL_ORDER_ERROR_NOT_FOUND when there is none. */
char    *central_order_find   (CentralConn *conn,
                               const char  *ref,
                               GError     **error);

typedef struct {
  const char *from;                /* NULL: from wherever it is (channel API) */
  const char *to;
  gboolean    has_expected_version;
  gint64      expected_version;
  const char *pickup_code;         /* may be NULL */
  JsonArray  *lines;               /* [{line_no, picked_quantity?, collected_quantity?}] or NULL */
  const char *shelf_location;      /* may be NULL */
  const char *store_id;            /* the terminal's store (NULL for channels) */
  gboolean    handover_conflicts;  /* unpaid / wrong code: CONFLICT (terminals) or INVALID_TRANSITION */
  const char *terminal_id;         /* who moves it (NULL: a channel or the shell) */
  const char *staff_name;          /* may be NULL */
  gboolean    provisional;         /* handed over offline */
  const char *resolution;          /* partial | substitute | cancel (ON_HOLD with an exception), or NULL */
} CentralTransition;

/* Moves an order. On CENTRAL_ORDER_ERROR_CONFLICT, *server_state (if not
 * NULL) is the order as JSON text. Returns the new ORDER as JSON text. */
char    *central_order_transition (CentralTx               *tx,
                                   const char              *order_id,
                                   const CentralTransition *t,
                                   char                   **server_state,
                                   GError                 **error);

/* What a push operation on an order came to (docs/sync-protocol.md §5). */
typedef struct {
  PosSyncResultStatus status;
  const char         *code;          /* rejected: bad_payload, not_found... */
  char               *message;
  char               *server_state;  /* conflict: the ORDER as JSON text */
} CentralOrderOutcome;

void     central_order_outcome_clear (CentralOrderOutcome *o);

/* The order operations of §7.1 pushed by a terminal: pickup.transition,
 * pickup.exception, pickup.refund, order.return (the stock movements of a
 * return are the caller's: apply them when the outcome is applied).
 * FALSE only when the database failed. */
gboolean central_order_apply_op (CentralTx           *tx,
                                 const char          *type,
                                 const char          *entity_id,
                                 JsonObject          *payload,
                                 gint64               local_ts,
                                 const char          *terminal_id,
                                 const char          *store_id,
                                 CentralOrderOutcome *outcome,
                                 GError             **error);

/* A SALE with pickup_order_id: the order of `store_id` is paid by that
 * sale (a new version). *customer_id (optional) is the order's customer,
 * NULL when it has none or the order is not one of this store's pickup
 * orders (the sale is accepted anyway). */
gboolean central_order_paid_by_sale (CentralTx   *tx,
                                     const char  *order_id,
                                     const char  *sale_id,
                                     const char  *store_id,
                                     char       **customer_id,
                                     GError     **error);

G_END_DECLS
