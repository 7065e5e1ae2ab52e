/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The database of the customer benchmarks (bench-customers,
 * bench-timeline-scroll): a demo store with N customers and M
 * customer_events, one customer with exactly `big` events and one with
 * exactly `small`, across every channel and kind, the rest spread over the
 * other customers. Built once and reused:
 *
 *   - `path` exists: opened (upgraded to the current schema); events are
 *     added when it holds fewer than asked;
 *   - it does not and `base` is a demo database (bench-catalog's
 *     build-bench/bench-1000000.db): `base` is copied (SQLite's backup API,
 *     the source opened read-only) and upgraded, then the events added;
 *   - neither: pos_demo_data_generate () builds the store first.
 *
 * The ids of the two known customers and the event count are kept in the
 * settings table (keys "bench.customer_big", "bench.customer_small",
 * "bench.events") so that a later run finds them without counting. */
typedef struct {
  char    *customer_big;     /* the id of the customer with `big` events */
  char    *customer_small;   /* ... with `small` events */
  guint    big;
  guint    small;
  guint64  n_customers;
  guint64  n_events;
  guint64  events_added;     /* by this run; 0 when reused */
  double   copy_s;           /* copying `base` and upgrading it; < 0 when not done */
  double   demo_s;           /* demo store; < 0 when not done */
  double   events_s;         /* adding the events; < 0 when not done */
} BenchCustomerData;

void bench_customer_data_clear (BenchCustomerData *data);

PosDatabase *bench_customer_data_prepare (const char         *path,
                                          const char         *base,
                                          guint64             n_products,
                                          guint64             n_customers,
                                          guint64             n_events,
                                          guint               big,
                                          guint               small,
                                          BenchCustomerData  *out,
                                          GError            **error);

/* Size of the database file and its WAL, in bytes. */
guint64 bench_customer_data_file_size (const char *path);

/* The process' resident set size, in KiB (/proc/self/statm). */
guint64 bench_rss_kib (void);

G_END_DECLS
