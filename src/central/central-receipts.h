/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include <domain/pos-sync-wire.h>

#include "central-db.h"

G_BEGIN_DECLS

/* Receipts by e-mail (docs/sync-protocol.md §5, docs/printing.md): a
 * terminal pushes 'receipt.email' {id, sale_id, to, requested_at,
 * staff_id?} when a customer asks at the counter; the central keeps the
 * request in receipt_emails, status 'queued', for its mailer.
 *
 * central_receipts_push_email applies one such operation inside the push's
 * transaction: applied (queued now), duplicate (the request id is already
 * queued), or rejected with *code "bad_payload" (a field missing or an
 * address that is not one) or "not_found" (the central holds no such sale
 * of this store). FALSE only for a database error. */
gboolean central_receipts_push_email (CentralConn          *conn,
                                      const char           *store_id,
                                      const char           *terminal_id,
                                      const char           *entity_id,
                                      JsonObject           *payload,
                                      PosSyncResultStatus  *status,
                                      const char          **code,
                                      char                **message,
                                      GError              **error);

/* `balcao-central emails list [--store CODE] [--status queued|sent|failed]`:
 * lines "ID\tSTORE\tSALE\tTO\tREQUESTED_AT\tSTATUS", oldest first
 * (REQUESTED_AT in ISO 8601 UTC). */
char    *central_receipts_list_emails (CentralConn *conn,
                                       const char  *store_code,
                                       const char  *status,
                                       GError     **error);

G_END_DECLS
