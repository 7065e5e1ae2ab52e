/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "domain/pos-sync-wire.h"
#include "pos-database.h"

G_BEGIN_DECLS

/* Applying what the central sends (docs/sync-protocol.md §3, §4, §6) to
 * the terminal's SQLite database. Every change is applied only when its
 * version is newer than the one held, so replays and overlapping pages are
 * harmless. Products are found by SKU (products.id is local); barcodes
 * and prices are replaced; customer merges rewrite references (sales,
 * parked sales, pickup orders, timeline) and keep a tombstone; an erasure
 * purges the customer's personal data, timeline, consents and identities.
 * A change naming something not here yet (a stock level before its
 * product, an event before its customer) waits in sync_deferred and is
 * applied when that arrives.
 *
 * Errors: POS_SYNC_ERROR_BAD_ANSWER when a change is not what the
 * protocol says (the caller rolls the page back), database errors as
 * they come. */
typedef struct _PosSyncApplier PosSyncApplier;

PosSyncApplier *pos_sync_applier_new          (PosDatabase *db);
void            pos_sync_applier_free         (PosSyncApplier *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSyncApplier, pos_sync_applier_free)

/* Applies one change inside the caller's transaction. */
gboolean        pos_sync_applier_apply        (PosSyncApplier      *self,
                                               const PosSyncChange *change,
                                               GError             **error);
/* A pull page and its next_cursor in one transaction (cursor NULL: the
 * cursor is left alone, for snapshot pages). Nothing is kept on error. */
gboolean        pos_sync_applier_apply_page   (PosSyncApplier    *self,
                                               const PosSyncPage *page,
                                               const char        *cursor,
                                               GError           **error);
/* The central's state of the entity an operation of op_type was about
 * (a push "conflict"), applied whatever its version; inside the caller's
 * transaction. Types without a local entity are ignored. */
gboolean        pos_sync_applier_apply_server_state (PosSyncApplier *self,
                                                     const char     *op_type,
                                                     const char     *entity_id,
                                                     JsonNode       *state,
                                                     GError        **error);

/* The streams that had changes applied since the last call (NULL if none). */
char          **pos_sync_applier_take_streams (PosSyncApplier *self);

/* ---- Rebuild from a snapshot (410 cursor_expired) ---- */
/* While marking, every entity applied is remembered (in a TEMP table of
 * this connection) and sweep deletes what the stream holds that was not
 * seen, except entities with unsent outbox operations and what sales
 * still point at (products and staff are then deactivated instead).
 * begin_rebuild forgets earlier marks. */
gboolean        pos_sync_applier_begin_rebuild (PosSyncApplier *self, GError **error);
gboolean        pos_sync_applier_sweep         (PosSyncApplier *self,
                                                const char     *stream,
                                                GError        **error);
void            pos_sync_applier_end_rebuild   (PosSyncApplier *self);

/* The pull cursor ("" = from the beginning). */
char           *pos_sync_get_cursor            (PosDatabase *db);
gboolean        pos_sync_set_cursor            (PosDatabase *db, const char *cursor, GError **error);

/* The engine's persisted state (table sync_state), key -> text. */
char           *pos_sync_state_get             (PosDatabase *db, const char *key);
gboolean        pos_sync_state_set             (PosDatabase *db, const char *key, const char *value, GError **error);

extern const char * const pos_sync_streams[];   /* catalog, stores, stock, customers, pickups; NULL-ended */

G_END_DECLS
