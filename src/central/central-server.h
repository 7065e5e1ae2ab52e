/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-config.h"

G_BEGIN_DECLS

/* `balcao-central serve`: the HTTP(S) server on libsoup. Handlers never
 * block the main loop on PostgreSQL: a request is paused, its work runs in
 * a worker thread with a pooled connection, and the answer is set back on
 * the main context. A connection LISTENing on balcao_changes wakes the
 * held `wait` requests.
 *
 * Prints "listening on http://HOST:PORT" when ready; returns when SIGTERM
 * or SIGINT arrives (after answering what is in flight). */
gboolean central_server_run (const CentralConfig *config,
                             GError             **error);

G_END_DECLS
