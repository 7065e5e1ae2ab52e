/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pos-sales.h"

G_BEGIN_DECLS

/* Shared by pos-sales.c and pos-returns.c. */

/* Steps a write statement to completion and resets it. */
gboolean     _pos_sales_step_done       (PosDatabase  *db,
                                         sqlite3_stmt *stmt,
                                         const char   *what,
                                         GError      **error);
/* Store info, or POS_SALES_ERROR_NO_TERMINAL. */
PosStoreInfo *_pos_sales_get_store_info (PosDatabase *db, GError **error);
/* Next document number for kind "sale" ("STORE-TERM-000042") or "return"
 * ("STORE-TERM-D000042"), from document_sequences. Inside a transaction. */
char        *_pos_sales_next_number     (PosDatabase        *db,
                                         const PosStoreInfo *info,
                                         const char         *kind,
                                         GError            **error);
char        *_pos_sales_business_date   (gint64 unix_ms);
/* Stock movement plus stock_levels.local_delta. */
gboolean     _pos_sales_move_stock      (PosDatabase *db,
                                         const char  *store_id,
                                         gint64       product_id,
                                         gint64       delta,
                                         const char  *reason,
                                         const char  *document_id,
                                         gint64       now_ms,
                                         GError     **error);
/* The same, with the movement's id chosen by the caller (who sends it up
 * in a document's stock_movements). */
gboolean     _pos_sales_move_stock_with_id (PosDatabase *db,
                                         const char  *id,
                                         const char  *store_id,
                                         gint64       product_id,
                                         gint64       delta,
                                         const char  *reason,
                                         const char  *document_id,
                                         gint64       now_ms,
                                         GError     **error);
/* Loads the committed-in-this-transaction document and writes its audit
 * row (audit_action, with approver_id when someone approved it) and its
 * outbox operation (op_type) with the whole document. */
gboolean     _pos_sales_record_document (PosDatabase *db,
                                         const char  *id,
                                         const char  *op_type,
                                         const char  *audit_action,
                                         const char  *reason,
                                         const char  *approver_id,
                                         GError     **error);
JsonNode    *_pos_sale_record_to_json_node (const PosSaleRecord *record);

G_END_DECLS
