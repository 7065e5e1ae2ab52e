/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the sync benchmarks (bench-sync-push, -pull, -pickup,
 * bench-central-load) share: latency statistics, a plain libcurl client
 * (the baselines: raw HTTP, none of the engine's code), a loopback HTTP
 * sink, generated catalogs, sales made by the terminal's real sale code,
 * and a terminal enrolled at a central harness. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-database.h"
#include "central-harness.h"

G_BEGIN_DECLS

/* ---- Figures ---- */

/* Microsecond samples (an array of gint64). */
GArray     *bench_samples_new        (void);
void        bench_samples_add        (GArray *samples, gint64 us);
/* The p-th percentile (nearest rank; sorts the array). */
gint64      bench_percentile         (GArray *samples, guint p);
/* "  label            n   p50   p95   p99   max  (ms)" */
void        bench_print_header       (void);
void        bench_print_latency      (const char *label, GArray *samples);
/* "  label      p50 1.23x   p95 1.40x   p99 2.00x" */
void        bench_print_ratio        (const char *label, GArray *a, GArray *b);

/* ---- Raw HTTP with libcurl ---- */

typedef struct _BenchHttp BenchHttp;

/* One keep-alive connection to base_url ("http://127.0.0.1:PORT"), with
 * "Authorization: Bearer token" when token is not NULL and
 * "Accept-Encoding: gzip" (libcurl decodes the answer). */
BenchHttp  *bench_http_new           (const char *base_url, const char *token);
void        bench_http_free          (BenchHttp *http);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchHttp, bench_http_free)

/* Sends method path (body may be NULL; gzipped says it is gzip already).
 * Returns the HTTP status, or 0 with error on a transport failure. The
 * answer goes into out (cleared first) when out is not NULL; *out_us is
 * the request's wall time. */
guint       bench_http_request       (BenchHttp   *http,
                                      const char  *method,
                                      const char  *path,
                                      const void  *body,
                                      gsize        body_len,
                                      gboolean     gzipped,
                                      GByteArray  *out,
                                      gint64      *out_us,
                                      GError     **error);
/* Bytes of answer bodies received on this handle: decoded, and as they
 * came over the wire (CURLINFO_SIZE_DOWNLOAD_T). */
guint64     bench_http_bytes_in      (BenchHttp *http);
guint64     bench_http_wire_in       (BenchHttp *http);

/* POST /v1/enroll with a be_ token: the terminal's bt_ token, id, store. */
gboolean    bench_enroll_http        (const char  *base_url,
                                      const char  *enrol_token,
                                      char       **out_token,
                                      char       **out_terminal_id,
                                      char       **out_store_id,
                                      GError     **error);

/* ---- A loopback sink: reads a POST's body, answers 200 "{}" ---- */

typedef struct _BenchSink BenchSink;

BenchSink  *bench_sink_start         (GError **error);
const char *bench_sink_url           (BenchSink *sink);
guint64     bench_sink_bytes         (BenchSink *sink);   /* request bodies read */
void        bench_sink_stop          (BenchSink *sink);

/* ---- Catalogs ---- */

/* Writes a catalog CSV of n products (SKUs BENCH0000001...; valid
 * EAN-13 barcodes; two tax classes; brands; names from real words) to
 * path. Products first..first+count-1 (1-based) are written; price_bump
 * is added to every price (0 for the original). */
gboolean    bench_write_catalog_csv  (const char  *path,
                                      guint        first,
                                      guint        count,
                                      gint64       price_bump,
                                      GError     **error);
char       *bench_sku                (guint i);
char       *bench_barcode            (guint i);
gint64      bench_price              (guint i);   /* minor units, before any bump */

/* Imports a generated catalog at the central ("balcao-central catalog import"). */
gboolean    bench_central_import     (CentralHarness *h,
                                      const char     *dir,
                                      guint           first,
                                      guint           count,
                                      gint64          price_bump,
                                      GError        **error);

/* ---- Terminals ---- */

/* dir/name.db: a new terminal database enrolled at the harness's central
 * for store_code with the engine's pos_sync_enroll, then synced once
 * (pos_sync_run_once) unless skip_first_sync. Returns the path. */
char       *bench_terminal_new       (CentralHarness *h,
                                      const char     *dir,
                                      const char     *name,
                                      const char     *store_code,
                                      gboolean        skip_first_sync,
                                      GError        **error);

/* Commits n sales of 3 lines each (products scanned by barcode among the
 * first n_products of the generated catalog, cash) with the terminal's
 * own pos_sales_commit. synchronous=OFF while it runs: the setup needs
 * the payloads, not 10 000 fsyncs. */
gboolean    bench_queue_sales        (PosDatabase *db,
                                      guint        n,
                                      guint        n_products,
                                      GError     **error);

/* central_harness_start(), and a line saying how durable the central's
 * PostgreSQL is (the harness's sandbox turns fsync off). */
CentralHarness *bench_central_start  (GError **error);

gint64      bench_db_count           (PosDatabase *db, const char *sql);
gint64      bench_central_count      (CentralHarness *h, const char *sql);

/* A fresh folder; removed with everything in it. */
char       *bench_tmpdir_new         (void);
void        bench_tmpdir_remove      (const char *dir);

/* The harness of bench_central_start() and the folder of
 * bench_tmpdir_new() are remembered: bench_finish() frees and removes
 * them (the normal end); bench_die() prints a message, does the same and
 * exits with status 1, so that a failed run leaves no PostgreSQL or
 * balcao-central behind. Main thread only. */
void        bench_finish             (void);
G_NORETURN void bench_die            (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
