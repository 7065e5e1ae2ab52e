/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pos-database.h"
#include "pos-sync-client.h"

G_BEGIN_DECLS

/* The terminal's sync engine (docs/sync-protocol.md §2, §3, §5, §9).
 *
 * It runs on its own thread with its own SQLite connection and never
 * touches GTK: it pushes the outbox in seq order (batches of at most 200,
 * gzip), pulls until has_more is false (a 410 rebuilds every stream from
 * its snapshot), then holds a long-poll wait open; on a failure it backs
 * off with full jitter (base 1 s, cap 5 min, never sooner than
 * Retry-After) and retries at once on pos_sync_engine_kick() or when
 * GNetworkMonitor says the network is back. A revoked token stops it
 * (state REVOKED) until the terminal is enrolled again; the outbox is
 * never touched by that.
 *
 * Properties are read-only and notified on the GMainContext that was the
 * thread-default one when the engine was created.
 *
 * Settings (table settings): central_url, store_id, terminal_id (from
 * enrolment), sync_ca_file (a CA bundle to verify the central with),
 * sync_low_speed_seconds (drop a connection carrying less than 1 byte/s
 * for that long; 30 by default), sync_wait_seconds (the long-poll's
 * timeout, 25 by default). The terminal token lives in the file
 * DATABASE.token (mode 0600).
 *
 * Environment, for tests: BALCAO_SYNC_BACKOFF_CAP_MS lowers the backoff
 * cap (milliseconds, default 300000). */

typedef enum {
  POS_SYNC_STATE_NOT_ENROLLED,
  POS_SYNC_STATE_ONLINE,   /* last exchange worked; nothing left to send */
  POS_SYNC_STATE_SYNCING,  /* sending or pulling now */
  POS_SYNC_STATE_OFFLINE,  /* central unreachable; retrying with backoff */
  POS_SYNC_STATE_REVOKED,  /* token revoked: stopped, outbox kept */
} PosSyncState;

GType        pos_sync_state_get_type      (void) G_GNUC_CONST;
#define POS_TYPE_SYNC_STATE (pos_sync_state_get_type ())
/* "not_enrolled", "online", "syncing", "offline", "revoked" */
const char  *pos_sync_state_to_string     (PosSyncState state);

#define POS_TYPE_SYNC_ENGINE (pos_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (PosSyncEngine, pos_sync_engine, POS, SYNC_ENGINE, GObject)

PosSyncEngine *pos_sync_engine_new                  (const char *database_path);
/* Own thread + own SQLite connection; idles while not enrolled and picks
 * enrolment up when it happens (checked every 2 s, or on kick). */
void           pos_sync_engine_start                (PosSyncEngine *self);
/* Wakes and joins the thread; idempotent; also done in dispose. */
void           pos_sync_engine_stop                 (PosSyncEngine *self);
/* The outbox grew, or the network is back: push now, reset the backoff. */
void           pos_sync_engine_kick                 (PosSyncEngine *self);

PosSyncState   pos_sync_engine_get_state            (PosSyncEngine *self);  /* "state" */
guint          pos_sync_engine_get_pending          (PosSyncEngine *self);  /* "pending" */
gint64         pos_sync_engine_get_oldest_pending_ms (PosSyncEngine *self); /* "oldest-pending-ms" */
gint64         pos_sync_engine_get_offline_since_ms (PosSyncEngine *self);  /* "offline-since-ms" */
gint64         pos_sync_engine_get_last_sync_ms     (PosSyncEngine *self);  /* "last-sync-ms" */
const char    *pos_sync_engine_get_last_error       (PosSyncEngine *self);  /* "last-error" */
guint          pos_sync_engine_get_dead_letters     (PosSyncEngine *self);  /* "dead-letters" */
/* signal "changes-applied" (G_TYPE_STRV streams): after pulled changes
 * were committed. */

/* One-shot, for the CLI and tests: push everything that can be sent, pull
 * until has_more is false. */
gboolean       pos_sync_run_once      (const char    *database_path,
                                       GCancellable  *cancellable,
                                       GError       **error);

/* Enrolment (§2): POST /v1/enroll, keep the bt_ token in DATABASE.token
 * (mode 0600, written atomically), adopt the store and terminal (settings
 * store_id, terminal_id, central_url, sync_ca_file), start pulling from the
 * beginning. Refused when unsent operations belong to another store. The
 * URL must be https://, or http:// on a loopback address. */
gboolean       pos_sync_enroll        (const char  *database_path,
                                       const char  *url,
                                       const char  *token,
                                       const char  *ca_file,
                                       GError     **error);
void           pos_sync_enroll_async  (const char          *database_path,
                                       const char          *url,
                                       const char          *token,
                                       const char          *ca_file,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean       pos_sync_enroll_finish (GAsyncResult  *result,
                                       GError       **error);

/* Where the token of the database at database_path is kept. */
char          *pos_sync_token_path    (const char *database_path);
/* A client to the central this terminal is enrolled with (its URL, token
 * and CA file), for requests outside the engine's thread; NULL +
 * POS_SYNC_ERROR_NOT_ENROLLED when there is none. */
PosSyncClient *pos_sync_client_new_for_database (PosDatabase *db, GError **error);

/* Full jitter: a delay in [0, min(cap_ms, 1 s × 2^(failures-1))], drawn
 * from random (any 32-bit value). failures >= 1. */
gint64         pos_sync_backoff_ms    (guint   failures,
                                       gint64  cap_ms,
                                       guint32 random);
/* The cap in force: 5 min, or BALCAO_SYNC_BACKOFF_CAP_MS. */
gint64         pos_sync_backoff_cap_ms (void);

G_END_DECLS
