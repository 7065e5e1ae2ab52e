/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What bench-sync-pickup and bench-pickups share: a central with a small
 * catalog and a terminal enrolled at it, and web orders for pickup POSTed
 * on the channel API, timed until the running sync engine has brought
 * each one to the terminal. */

#include "bench-sync-util.h"

G_BEGIN_DECLS

/* A throwaway central (bench_central_start) with 50 generated products,
 * its channel API key in *out_key, and a terminal "pickup" of store 001
 * in dir, enrolled and synced, opened as *out_db. Returns the harness
 * (bench_finish frees it); dies on any failure. */
CentralHarness *bench_pickup_setup        (const char   *dir,
                                           char        **out_key,
                                           char        **out_path,
                                           PosDatabase **out_db);

/* Whether the order whose answer's order.<member> is ref has reached the
 * terminal. */
typedef gboolean (*BenchOrderSeenFunc)    (const char *ref,
                                           gpointer    user_data);

typedef struct {
  GArray *seen_us;    /* just before the POST -> seen */
  GArray *after_us;   /* the POST returned -> seen */
  GArray *post_us;    /* the POST round trip (baseline) */
  guint   missed;     /* not seen within 15 s */
  guint   signals;    /* "changes-applied" emitted */
} BenchOrderFigures;

/* Starts a PosSyncEngine on the terminal database path and lets it
 * settle into its long poll; then, for each of n orders, one at a time,
 * 20-120 ms apart: POST /v1/channel/orders (a web order, pickup at store
 * 001) with plain libcurl and wait on a main loop, asking seen every
 * millisecond and at every "changes-applied", until seen says so or 15 s
 * have passed. member names the answer's order field given to seen ("id",
 * "number"). Stops the engine. Fills out (clear it with
 * bench_order_figures_clear). */
void            bench_pickup_orders_run   (CentralHarness     *h,
                                           const char         *key,
                                           const char         *path,
                                           guint               n,
                                           const char         *member,
                                           BenchOrderSeenFunc  seen,
                                           gpointer            user_data,
                                           BenchOrderFigures  *out);

/* "<tag>: N web orders for pickup, channel API -> ... -> <where>", the
 * counts, and the figures, the latency line labelled "order POSTed -> <seen_as>". */
void            bench_order_figures_print (const BenchOrderFigures *f,
                                           guint                    n,
                                           const char              *tag,
                                           const char              *where,
                                           const char              *seen_as);
void            bench_order_figures_clear (BenchOrderFigures *f);

G_END_DECLS
