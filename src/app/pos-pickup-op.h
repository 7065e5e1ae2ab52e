/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "terminal/pos-database.h"
#include "terminal/pos-pickups.h"

G_BEGIN_DECLS

/* One engine call of the pickup queue (start picking, a scan, mark ready,
 * the handover...) on a connection borrowed with
 * pos_database_acquire_worker(), off the UI thread, followed by the order
 * read back with its lines. func may be NULL: the order is only read.
 * func gets the worker connection and data; data_free frees data when the
 * task is done. finish gives the order (with lines) or the error of func,
 * of the read, or G_IO_ERROR_CANCELLED. */
typedef gboolean (*PosPickupOpFunc) (PosDatabase  *worker,
                                     gpointer      data,
                                     GError      **error);

void            pos_pickup_op_run_async  (PosDatabase         *db,
                                          const char          *order_id,
                                          PosPickupOpFunc      func,
                                          gpointer             data,
                                          GDestroyNotify       data_free,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
PosPickupOrder *pos_pickup_op_run_finish (GAsyncResult        *result,
                                          GError             **error);

/* "2", "1,5" or "0,500 kg"-like text of a quantity in thousandths. */
char           *pos_pickup_format_quantity (gint64 milli);
/* "Web", "App", "Marketplace"... for a channel code (translated; the code
 * itself when unknown). */
const char     *pos_pickup_channel_label   (const char *channel);
/* "12 min", "3 h 20 min", "2 days": how long since when_ms (unix ms). */
char           *pos_pickup_format_since    (gint64 when_ms,
                                            gint64 now_ms);

G_END_DECLS
