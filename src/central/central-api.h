/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "central-db.h"

G_BEGIN_DECLS

/* The HTTP API without HTTP: a request as the server read it, the answer
 * a worker thread computes for it with a pooled connection. */

typedef enum {
  CENTRAL_ROUTE_NONE,
  CENTRAL_ROUTE_HEALTH,
  CENTRAL_ROUTE_ENROLL,
  CENTRAL_ROUTE_PULL,
  CENTRAL_ROUTE_SNAPSHOT,
  CENTRAL_ROUTE_WAIT,
  CENTRAL_ROUTE_PUSH,
  CENTRAL_ROUTE_ORDERS,
  CENTRAL_ROUTE_ORDER,
  CENTRAL_ROUTE_ORDER_STATUS,
  CENTRAL_ROUTE_INTERACTIONS,
  CENTRAL_ROUTE_CUSTOMER,
  CENTRAL_ROUTE_CUSTOMER_MERGE,
  CENTRAL_ROUTE_CUSTOMER_ERASE,
  CENTRAL_ROUTE_CUSTOMER_TIMELINE,
  CENTRAL_ROUTE_TERMINAL_ORDER,     /* GET /v1/orders/{ref} (terminals, §7.1) */
  CENTRAL_ROUTE_TERMINAL_CUSTOMERS, /* GET /v1/customers?q= (terminals, §6.1) */
} CentralRoute;

typedef struct {
  CentralRoute route;
  char        *param;             /* {stream} or {id} of the path */
  GHashTable  *query;             /* char* -> char* */
  char        *authorization;
  char        *content_encoding;
  GBytes      *body;              /* as received (maybe gzip) */
  gsize        max_body_bytes;
  gboolean     accept_gzip;
  guint        wait_max_seconds;
} CentralRequest;

typedef struct {
  guint    status;
  char    *body;                  /* JSON, or NULL for no body */
  guint    retry_after;           /* seconds; 0 = no header */
  /* A wait with nothing to say yet: hold it (status 0). */
  gboolean hold;
  char    *store_id;
  char    *cursor;
  guint    timeout;
} CentralResponse;

/* Matches method and path: the route, or sets *status to 404/405. */
CentralRoute central_api_route (const char *method,
                                const char *path,
                                char      **param,
                                guint      *status);

void central_request_free  (CentralRequest  *req);
void central_response_clear (CentralResponse *resp);

/* Runs a request on a connection (NULL when the database is down). */
void central_api_handle    (CentralRequest  *req,
                            CentralDb       *db,
                            CentralResponse *resp);

/* A wait check only: fills resp with 200 or hold. */
void central_api_wait_check (CentralDb       *db,
                             const char      *store_id,
                             const char      *cursor,
                             CentralResponse *resp);

/* resp = status + {"code", "message"} */
void central_api_error     (CentralResponse *resp,
                            guint            status,
                            const char      *code,
                            const char      *message);

/* gzip; NULL on failure */
GBytes *central_gzip        (const char *data,
                             gsize       length);
/* gunzip up to max bytes; *too_large when the result would be larger. */
GBytes *central_gunzip      (GBytes     *input,
                             gsize       max,
                             gboolean   *too_large,
                             GError    **error);

G_END_DECLS
