/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "central-changes.h"

G_BEGIN_DECLS

/* Orders of the other channels, and the pickup (BOPIS) state machine the
 * central owns (docs/sync-protocol.md §7, §8). */

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

/* The ORDER (the pickup_order entity, plus fulfilment and external_ref). */
char    *central_order_json   (CentralConn *conn,
                               const char  *order_id,
                               GError     **error);

typedef struct {
  const char *from;                /* NULL: from wherever it is (channel API) */
  const char *to;
  gboolean    has_expected_version;
  gint64      expected_version;
  const char *pickup_code;         /* may be NULL */
  JsonArray  *lines;               /* [{line_no, collected_quantity}] or NULL */
  const char *shelf_location;      /* may be NULL */
  const char *store_id;            /* the terminal's store (NULL for channels) */
  gboolean    handover_conflicts;  /* unpaid / wrong code: CONFLICT (terminals) or INVALID_TRANSITION */
} CentralTransition;

/* Moves an order. On CENTRAL_ORDER_ERROR_CONFLICT, *server_state (if not
 * NULL) is the order as JSON text. Returns the new ORDER as JSON text. */
char    *central_order_transition (CentralTx               *tx,
                                   const char              *order_id,
                                   const CentralTransition *t,
                                   char                   **server_state,
                                   GError                 **error);

G_END_DECLS
