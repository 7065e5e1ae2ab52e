/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-db.h"

G_BEGIN_DECLS

/* POST /v1/sync/push (docs/sync-protocol.md §5): one transaction per batch,
 * one savepoint per operation, every applied op_id kept for ever.
 *
 * Returns the answer body and sets *status (200, or 400/403/413 with an
 * error body). NULL with an error when the database failed (5xx). */
char *central_push (CentralConn *conn,
                    const char  *terminal_id,
                    const char  *store_id,
                    const char  *body,
                    gsize        length,
                    guint       *status,
                    GError     **error);

G_END_DECLS
