/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-db.h"

G_BEGIN_DECLS

/* Reading the change log for terminals: pull, snapshot, wait
 * (docs/sync-protocol.md §3). Answers are built by concatenating the
 * stored entity JSON, never parsing it. */

#define CENTRAL_SYNC_ERROR (central_sync_error_quark ())
GQuark central_sync_error_quark (void);

typedef enum {
  CENTRAL_SYNC_ERROR_BAD_REQUEST,     /* a cursor, key or limit that is not one */
  CENTRAL_SYNC_ERROR_CURSOR_EXPIRED,  /* 410; the message is the horizon cursor */
  CENTRAL_SYNC_ERROR_NO_STREAM,       /* 404 */
} CentralSyncError;

#define CENTRAL_PULL_MAX_LIMIT 5000

/* The 200 body of GET /v1/sync/pull. */
char *central_sync_pull     (CentralConn *conn,
                             const char  *store_id,
                             const char  *cursor,
                             guint        limit,
                             GError     **error);
/* The 200 body of GET /v1/sync/snapshot/{stream}. */
char *central_sync_snapshot (CentralConn *conn,
                             const char  *store_id,
                             const char  *stream,
                             const char  *after,
                             const char  *as_of,
                             guint        limit,
                             GError     **error);
/* The 200 body of GET /v1/sync/wait when there are changes after the
 * cursor for the store; *body NULL when there are none. */
gboolean central_sync_check (CentralConn *conn,
                             const char  *store_id,
                             const char  *cursor,
                             char       **body,
                             GError     **error);

/* Parses a cursor: "" or NULL = 0. */
gboolean central_sync_parse_cursor (const char *text,
                                    gint64     *out);

G_END_DECLS
