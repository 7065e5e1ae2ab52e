/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-db.h"

G_BEGIN_DECLS

/* Applies the numbered migrations compiled into the binary
 * (data/migrations/central/NNNN-*.sql) that the database lacks, each in its
 * own transaction, recorded in schema_migrations. Returns how many ran. */
int central_migrate (CentralConn *conn,
                     GError     **error);

G_END_DECLS
