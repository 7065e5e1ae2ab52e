/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"
#include "terminal/pos-sync-engine.h"

G_BEGIN_DECLS

/* The sync state at a glance, in the header: "Online", "Syncing · 3 to
 * send", "Offline since 14:05 · 12 to send · oldest 25 min", "Not connected
 * · local only", "Disconnected · access revoked", plus how many operations
 * need a manager. Its popover says the same in sentences with the last
 * error, lists what waits to be sent and the dead letters (each with the
 * central's reason and a Retry button), and offers Sync Now and Connect to
 * Central (win.sync-now, win.sync-enroll). */
#define POS_TYPE_SYNC_INDICATOR (pos_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (PosSyncIndicator, pos_sync_indicator, POS, SYNC_INDICATOR, GtkWidget)

GtkWidget *pos_sync_indicator_new        (void);
/* Follows `engine`; lists read `db` (quick, indexed queries). */
void       pos_sync_indicator_set_engine (PosSyncIndicator *self,
                                          PosSyncEngine    *engine,
                                          PosDatabase      *db);
void       pos_sync_indicator_popup      (PosSyncIndicator *self);

/* "Offline since 14:05 · 3 to send" and the like: the pill's text for a
 * state (exposed for tests). */
char      *pos_sync_indicator_describe   (PosSyncState state,
                                          guint        pending,
                                          gint64       oldest_pending_ms,
                                          gint64       offline_since_ms,
                                          guint        dead_letters,
                                          gint64       now_ms);

G_END_DECLS
