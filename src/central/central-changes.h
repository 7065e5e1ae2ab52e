/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-db.h"

G_BEGIN_DECLS

/* A write transaction that publishes changes to the change log.
 *
 * Changes are collected while the transaction runs and written at commit:
 * under a transaction-level advisory lock (so that change seqs become
 * visible in order: a cursor never skips a change committed later with a
 * smaller seq), each entity's row moves to a new seq, and one NOTIFY
 * balcao_changes '<store id or *>:<stream>' per stream touched. */

typedef struct _CentralTx CentralTx;

gint64      central_now_ms (void);

CentralTx  *central_tx_begin        (CentralConn *conn,
                                     GError     **error);
CentralConn *central_tx_get_conn    (CentralTx   *tx);
/* Per-operation savepoints: changes emitted after a savepoint are dropped
 * when it is rolled back. */
gboolean    central_tx_savepoint    (CentralTx   *tx,
                                     GError     **error);
gboolean    central_tx_release      (CentralTx   *tx,
                                     GError     **error);
void        central_tx_rollback_to  (CentralTx   *tx);
/* Writes the changes, commits and frees the tx (also on failure). */
gboolean    central_tx_commit       (CentralTx   *tx,
                                     GError     **error);
/* Rolls back and frees. */
void        central_tx_abort        (CentralTx   *tx);

/* Publishes the entity's state. store_id NULL = every store. op is
 * "upsert", "delete" or "merge"; data is JSON text. */
void        central_tx_emit         (CentralTx   *tx,
                                     const char  *stream,
                                     const char  *entity,
                                     const char  *id,
                                     const char  *store_id,
                                     const char  *op,
                                     gint64       version,
                                     const char  *data);

/* Order of entities inside a stream's snapshot (a tax class before the
 * products that name it). */
int         central_entity_rank     (const char  *entity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CentralTx, central_tx_abort)

G_END_DECLS
