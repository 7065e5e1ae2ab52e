/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-db.h"

G_BEGIN_DECLS

/* `balcao-central order list|show|status|post` (docs/sync-protocol.md
 * §7.1): online orders from the shell, and the demo's one command that
 * posts pickup orders to a store. `opts` maps option names (without "--")
 * to values ("" for flags), `words` are the positional words from "order"
 * on. Returns the exit status (2: wrong usage). */
int central_order_command (CentralConn *conn,
                           GHashTable  *opts,
                           GPtrArray   *words,
                           GError     **error);

G_END_DECLS
