/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* The outbox: operations waiting for the central (docs/sync-protocol.md
 * §5, §9). Quick queries on the caller's connection, for the UI's sync
 * popover and the CLI; the sync engine uses the rest on its own
 * connection.
 *
 * status: pending (to send), applied | duplicate (done), rejected (a dead
 * letter: holds back later operations on the same entity until a manager
 * retries it), conflict (done, but the central's state won; an incident
 * to look at until dismissed). */
typedef struct {
  gint64  seq;
  char   *op_id;
  char   *type;        /* "sale.create", ... */
  char   *entity_id;
  char   *label;       /* translated: "Sale 001-01-000123" */
  gint64  local_ts;    /* unix ms */
  char   *status;
  guint   attempts;
  char   *last_error;  /* for a dead letter: the central's message */
  char   *error_code;  /* for a dead letter: the central's code, or NULL */
  gint64  acked_at;    /* when the central answered, 0 if not yet */
} PosOutboxEntry;

void        pos_outbox_entry_free     (PosOutboxEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosOutboxEntry, pos_outbox_entry_free)

/* Oldest first; limit 0 = all. */
GPtrArray  *pos_outbox_list_pending   (PosDatabase *db, guint limit, GError **error);
/* Rejected operations and conflict incidents not yet retried, newest first. */
GPtrArray  *pos_outbox_list_dead      (PosDatabase *db, GError **error);
/* A manager retries a dead letter: a rejected operation goes back to
 * pending (same op_id, sent again in its place in seq order, releasing the
 * operations it held back); a conflict, already answered and whose
 * central state was applied, is dismissed from the incident list (sending
 * it again would only conflict again). POS_DATABASE_ERROR_NOT_FOUND if seq
 * is not a dead letter. */
/* Needs manage_sync: the signed-in person's, or approval_id's. */
gboolean    pos_outbox_retry          (PosDatabase *db, gint64 seq, const char *approval_id, GError **error);
/* Not acknowledged yet (pending), dead letters excluded. */
guint       pos_outbox_count_pending  (PosDatabase *db, GError **error);

/* pending count, local_ts of the oldest pending (0 if none), dead letters. */
gboolean    pos_outbox_get_stats      (PosDatabase *db,
                                       guint       *out_pending,
                                       gint64      *out_oldest_ms,
                                       guint       *out_dead,
                                       GError     **error);
/* TRUE if an operation on entity_id is pending or rejected (not sent, or
 * not accepted): a snapshot rebuild keeps such entities. */
gboolean    pos_outbox_has_unsent     (PosDatabase *db, const char *entity_id);

/* ---- For the sync engine ---- */

typedef struct {
  gint64  seq;
  char   *op_id;
  char   *type;
  char   *entity_id;
  char   *payload;     /* JSON text */
  gint64  local_ts;
} PosOutboxOp;

void        pos_outbox_op_free        (PosOutboxOp *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosOutboxOp, pos_outbox_op_free)

/* The next operations to send, in seq order, at most max: pending ones not
 * held back by a rejected operation on the same entity, and at most one per
 * entity (a second one waits for the next batch, so that a rejection can
 * still hold it back). Returns an array of PosOutboxOp* (maybe empty). */
GPtrArray  *pos_outbox_next_batch     (PosDatabase *db, guint max, GError **error);

/* Inside the caller's transaction. status "applied" | "duplicate": done,
 * and for sale.create / return.create / stock.move the stock movements
 * they carry are acknowledged (subtracted from stock_levels.local_delta,
 * which now lives in the central's level). */
gboolean    pos_outbox_mark_done      (PosDatabase *db,
                                       const PosOutboxOp *op,
                                       const char  *status,
                                       gint64       now_ms,
                                       GError     **error);
/* Inside the caller's transaction: a dead letter (rejected) or a conflict
 * incident; server_state_json for a conflict (may be NULL). */
gboolean    pos_outbox_mark_refused   (PosDatabase *db,
                                       const PosOutboxOp *op,
                                       const char  *status,
                                       const char  *code,
                                       const char  *message,
                                       const char  *server_state_json,
                                       gint64       now_ms,
                                       GError     **error);
/* Counts one more attempt on each op and keeps the error, in its own
 * transaction (nothing else changes). */
gboolean    pos_outbox_note_failure   (PosDatabase *db,
                                       GPtrArray   *ops,
                                       const char  *message,
                                       GError     **error);

/* The sentence for an entry ("Sale 001-01-000123"), translated. */
char       *pos_outbox_describe       (const char *type,
                                       const char *entity_id,
                                       const char *payload_json);

G_END_DECLS
