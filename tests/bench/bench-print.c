/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-print"

#include "config.h"

#include <cups/cups.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/pos-print-queue.h"
#include "devices/pos-printer.h"
#include "devices/pos-receipt-escpos.h"
#include "devices/pos-receipt-pdf.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"
#include "printing-harness.h"
#include "sales-fixture.h"

/* Receipts for a 50-line sale, and from "Pay" to the job at cupsd.
 *
 *   bench-print [--receipts N] [--jobs M] [--dir DIR]
 *
 * A sale of 50 lines (50 products, some weighed, a discount, card + cash,
 * a customer) is committed to a terminal database in DIR (default: a new
 * folder in the current directory, removed afterwards) and loaded back
 * with pos_sales_load(). Then, N times each (default 200), interleaved:
 * the receipt document built from the record, laid out as text (the
 * baseline), rendered as ESC/POS (target < 1 ms) and as an 80 mm PDF
 * (target < 50 ms).
 *
 * Then, on a private cupsd with a raw socket:// queue (printing-harness.c),
 * M times (default 50): from "Pay" (pos_sales_commit) through loading the
 * sale, rendering ESC/POS and pos_print_queue_submit() until job-changed
 * says the job is "sent", i.e. accepted by cupsd (target < 200 ms). Each
 * job is let finish (the listener has the bytes) before the next. The
 * baselines: the commit alone, and the same bytes sent straight with
 * libcups (Create-Job + Send-Document) and with pos_printer_submit_sync()
 * to the same queue. Skipped when cupsd cannot start here.
 *
 * Prints p50/p99 and ratios; the targets are judged on p99. No assertions
 * on time. */

#define QUEUE_NAME  "bench"
#define SALE_LINES  50
#define FIRST_ID    101
#define WARM_UP     10
#define WAIT_SECS   30

static int
cmp_i64 (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Sorts v. */
static gint64
percentile (gint64 *v,
            guint   n,
            guint   p)
{
  guint i;

  qsort (v, n, sizeof *v, cmp_i64);
  i = (guint) (((guint64) n * p + 99) / 100);
  return v[i == 0 ? 0 : MIN (i, n) - 1];
}

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

typedef struct {
  const char *label;
  gint64     *ns;
  gint64      p50;
  gint64      p99;
} Series;

static void
series_init (Series     *s,
             const char *label,
             guint       n)
{
  s->label = label;
  s->ns = g_new0 (gint64, n);
  s->p50 = s->p99 = 0;
}

static void
series_finish (Series *s,
               guint   n)
{
  s->p50 = percentile (s->ns, n, 50);
  s->p99 = percentile (s->ns, n, 99);
  g_clear_pointer (&s->ns, g_free);
}

static void
print_row (const Series *s,
           const Series *base)
{
  printf ("  %-44s p50 %9.3f ms  p99 %9.3f ms", s->label, s->p50 / 1e6, s->p99 / 1e6);
  if (base != NULL && base->p50 > 0 && base->p99 > 0)
    printf ("   %7.1fx / %7.1fx", (double) s->p50 / base->p50, (double) s->p99 / base->p99);
  printf ("\n");
}

static void
print_target (const Series *s,
              double        target_ms)
{
  printf ("  target: %s < %g ms (p99 %.3f ms): %s\n", s->label, target_ms, s->p99 / 1e6,
          s->p99 / 1e6 < target_ms ? "met" : "NOT met");
}

/* 50 more products, 101..150, some weighed, names of every length. */
static void
add_products (PosDatabase *db)
{
  static const char *const names[] = {
    "Açúcar Refinado", "Óleo de Soja", "Macarrão Espaguete Grano Duro", "Farinha de Mandioca Torrada",
    "Sabão em Pó Concentrado Lavagem Perfeita Embalagem Econômica", "Pão Francês", "Banana Prata",
    "Tomate Italiano", "Manteiga com Sal", "Iogurte Natural Integral", "Água Mineral sem Gás",
  };
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (h, "INSERT INTO products (id, sku, name, unit, weighed, tax_class_id) VALUES (?, ?, ?, ?, ?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    g_error ("prepare: %s", sqlite3_errmsg (h));
  for (guint i = 0; i < SALE_LINES; i++)
    {
      g_autofree char *sku = g_strdup_printf ("P%03u", FIRST_ID + i);
      g_autofree char *name = g_strdup_printf ("%s %u", names[i % G_N_ELEMENTS (names)], i + 1);
      gboolean weighed = i % 7 == 6;

      sqlite3_bind_int64 (stmt, 1, FIRST_ID + i);
      sqlite3_bind_text (stmt, 2, sku, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, weighed ? "kg" : "un", -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 5, weighed);
      sqlite3_bind_text (stmt, 6, i % 2 ? "food" : "std", -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_error ("insert product: %s", sqlite3_errmsg (h));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
}

/* What the cashier has at "Pay": 50 lines, a discount, card + cash, a customer. */
static PosCart *
make_sale (PosDatabase *db)
{
  PosCart *cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  PosCartTotals t;

  if (sqlite3_prepare_v2 (h, "SELECT id, sku, name, weighed FROM products WHERE id >= ? ORDER BY id LIMIT ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    g_error ("prepare: %s", sqlite3_errmsg (h));
  sqlite3_bind_int64 (stmt, 1, FIRST_ID);
  sqlite3_bind_int (stmt, 2, SALE_LINES);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gboolean weighed = sqlite3_column_int (stmt, 3) != 0;
      g_autofree char *barcode = g_strdup_printf ("789%010" G_GINT64_FORMAT, id);
      g_autoptr(PosCartLine) line = pos_cart_line_new (id, (const char *) sqlite3_column_text (stmt, 1),
                                                       (const char *) sqlite3_column_text (stmt, 2),
                                                       weighed ? NULL : barcode,
                                                       199 + (id * 37) % 4800, id % 2 ? 700 : 1800, weighed);

      pos_cart_add_line (cart, line, weighed ? 250 + (id * 13) % 900 : 1000 * (1 + id % 3));
    }
  sqlite3_finalize (stmt);
  if (!pos_cart_set_line_discount (cart, 2, POS_DISCOUNT_PERCENT, 1000, NULL))
    g_error ("discount");
  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  pos_cart_get_totals (cart, &t);
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, t.total / 2);
  fixture_pay_rest_cash (cart);
  return cart;
}

static PosReceiptDoc *
doc_for (PosDatabase         *db,
         const PosSaleRecord *rec)
{
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autoptr(PosCustomerSummary) customer = NULL;

  if (info == NULL)
    g_error ("no store info");
  if (rec->customer_id != NULL)
    customer = pos_customers_get (db, rec->customer_id, NULL);
  return pos_receipt_doc_new_for_sale (rec, info, customer, FALSE);
}

/* ---- 1. rendering ---- */

static void
bench_render (PosDatabase *db,
              guint        n)
{
  g_autoptr(PosCart) cart = make_sale (db);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pos_sales_commit (db, cart, NULL, &error);
  g_autoptr(PosSaleRecord) rec = NULL;
  g_autoptr(PosStoreInfo) info = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *sample_text = NULL;
  g_auto(GStrv) text_lines = NULL;
  g_autoptr(GBytes) sample_escpos = NULL;
  g_autoptr(GBytes) sample_pdf = NULL;
  PosEscposOptions options;
  Series build, text, both, escpos, pdf;

  if (id == NULL)
    g_error ("commit: %s", error->message);
  rec = pos_sales_load (db, id, &error);
  if (rec == NULL)
    g_error ("load: %s", error->message);
  info = pos_database_get_store_info (db, NULL);
  doc = doc_for (db, rec);
  pos_escpos_options_init (&options);

  sample_text = pos_receipt_doc_render_text (doc, 48);
  text_lines = g_strsplit (sample_text, "\n", -1);
  sample_escpos = pos_receipt_render_escpos (doc, &options);
  sample_pdf = pos_receipt_render_pdf (doc, POS_RECEIPT_PAPER_80MM, &error);
  if (sample_pdf == NULL)
    g_error ("pdf: %s", error->message);

  series_init (&build, "document (pos_receipt_doc_new_for_sale)", n);
  series_init (&text, "text 48 col (pos_receipt_doc_render_text)", n);
  series_init (&both, "doc + text (pos_receipt_render_text)", n);
  series_init (&escpos, "ESC/POS 48 col (pos_receipt_render_escpos)", n);
  series_init (&pdf, "PDF 80 mm (pos_receipt_render_pdf)", n);

  for (guint i = 0; i < n + WARM_UP; i++)
    {
      g_autoptr(PosReceiptDoc) d = NULL;
      g_autofree char *s = NULL;
      g_autofree char *s2 = NULL;
      g_autoptr(GBytes) e = NULL;
      g_autoptr(GBytes) p = NULL;
      gint64 t0, t1, t2, t3, t4, t5;

      t0 = now_ns ();
      d = pos_receipt_doc_new_for_sale (rec, info, NULL, FALSE);
      t1 = now_ns ();
      s = pos_receipt_doc_render_text (doc, 48);
      t2 = now_ns ();
      s2 = pos_receipt_render_text (rec, info, 48, FALSE);
      t3 = now_ns ();
      e = pos_receipt_render_escpos (doc, &options);
      t4 = now_ns ();
      p = pos_receipt_render_pdf (doc, POS_RECEIPT_PAPER_80MM, NULL);
      t5 = now_ns ();
      if (p == NULL || !g_bytes_equal (e, sample_escpos))
        g_error ("rendering changed between runs");
      if (i < WARM_UP)
        continue;
      build.ns[i - WARM_UP] = t1 - t0;
      text.ns[i - WARM_UP] = t2 - t1;
      both.ns[i - WARM_UP] = t3 - t2;
      escpos.ns[i - WARM_UP] = t4 - t3;
      pdf.ns[i - WARM_UP] = t5 - t4;
    }

  series_finish (&build, n);
  series_finish (&text, n);
  series_finish (&both, n);
  series_finish (&escpos, n);
  series_finish (&pdf, n);

  printf ("receipt of a %u-line sale (%u lines of text at 48 columns; ESC/POS %zu bytes, PDF %zu bytes), %u runs\n",
          rec->lines->len, g_strv_length (text_lines) - 1, g_bytes_get_size (sample_escpos),
          g_bytes_get_size (sample_pdf), n);
  printf ("%*s%s\n", 86, "", "ratio to text, p50 / p99");
  print_row (&text, NULL);
  print_row (&both, &text);
  print_row (&build, &text);
  print_row (&escpos, &text);
  print_row (&pdf, &text);
  print_target (&escpos, 1);
  print_target (&pdf, 50);
}

/* ---- 2. from "Pay" to the job at cupsd ---- */

typedef struct {
  GHashTable *states;  /* job id → PosPrintJobState last signalled */
  GHashTable *sent_at; /* job id → gint64 *: when "sent" (or later) arrived */
} Follow;

static void
on_job_changed (PosPrintQueue *queue,
                PosPrintJob   *job,
                gpointer       data)
{
  Follow *f = data;

  if (job->state != POS_PRINT_JOB_STATE_QUEUED && job->state != POS_PRINT_JOB_STATE_FAILED &&
      !g_hash_table_contains (f->sent_at, job->id))
    g_hash_table_insert (f->sent_at, g_strdup (job->id), g_memdup2 (&(gint64) { now_ns () }, sizeof (gint64)));
  if (job->state == POS_PRINT_JOB_STATE_FAILED)
    g_error ("job %s failed: %s", job->id, job->message);
  g_hash_table_insert (f->states, g_strdup (job->id), GINT_TO_POINTER (job->state));
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until the job reached state (or "sent" when
 * sent_only). */
static void
wait_job (Follow     *f,
          const char *id,
          gboolean    sent_only)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, wake_up, NULL);

  while (g_get_monotonic_time () < deadline)
    {
      if (sent_only ? g_hash_table_contains (f->sent_at, id)
                    : GPOINTER_TO_INT (g_hash_table_lookup (f->states, id)) == POS_PRINT_JOB_STATE_COMPLETED)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  if (g_get_monotonic_time () >= deadline)
    g_error ("job %s: no %s after %d s", id, sent_only ? "sent" : "completed", WAIT_SECS);
}

/* Waits until the listener has one job's bytes and checks they are data's. */
static void
wait_bytes (PrintingHarness *harness,
            GBytes          *data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) got = printing_harness_socket_take (harness);

      if (got->len > 0)
        {
          if (got->len != 1 || !g_bytes_equal (g_ptr_array_index (got, 0), data))
            g_error ("the printer got other bytes than were sent");
          return;
        }
      g_usleep (2 * 1000);
    }
  g_error ("the printer got nothing after %d s", WAIT_SECS);
}

/* Waits until cupsd says the job is done (the queue is idle again). */
static void
wait_cups_job (int job_id)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      PosPrintJobStatus status = pos_printer_get_job_status_sync (QUEUE_NAME, job_id, NULL, NULL, &error);

      if (error != NULL)
        g_error ("job %d: %s", job_id, error->message);
      if (status == POS_PRINT_JOB_COMPLETED)
        return;
      if (status == POS_PRINT_JOB_FAILED)
        g_error ("job %d failed", job_id);
      g_usleep (5 * 1000);
    }
  g_error ("job %d not completed after %d s", job_id, WAIT_SECS);
}

/* Create-Job, Send-Document, the bytes, done: libcups and nothing else. */
static int
bare_submit (GBytes *data)
{
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);
  int job_id = cupsCreateJob (CUPS_HTTP_DEFAULT, QUEUE_NAME, "bench receipt", 0, NULL);

  if (job_id <= 0)
    g_error ("cupsCreateJob: %s", cupsLastErrorString ());
  if (cupsStartDocument (CUPS_HTTP_DEFAULT, QUEUE_NAME, job_id, "bench receipt", CUPS_FORMAT_RAW, 1) != HTTP_STATUS_CONTINUE ||
      cupsWriteRequestData (CUPS_HTTP_DEFAULT, bytes, size) != HTTP_STATUS_CONTINUE ||
      cupsFinishDocument (CUPS_HTTP_DEFAULT, QUEUE_NAME) > IPP_STATUS_OK_EVENTS_COMPLETE)
    g_error ("Send-Document: %s", cupsLastErrorString ());
  return job_id;
}

static void
bench_pay (PosDatabase *db,
           guint        n)
{
  g_autoptr(GError) error = NULL;
  PrintingHarness *harness = printing_harness_start (&error);
  g_autoptr(PosPrintQueue) queue = NULL;
  g_autoptr(GBytes) last_bytes = NULL;
  Follow f;
  PosEscposOptions options;
  Series pay, commit, render, sent, bare, sync;
  guint warm_up = MIN (n, 5u);

  if (harness == NULL)
    {
      printf ("\"Pay\" to the job at cupsd: skipped (%s)\n", error->message);
      return;
    }
  if (!printing_harness_add_raw_queue (harness, QUEUE_NAME, printing_harness_get_socket_uri (harness), &error))
    g_error ("lpadmin: %s", error->message);

  f.states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f.sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  queue = g_object_new (POS_TYPE_PRINT_QUEUE, "database", db, "poll-interval-ms", 20, NULL);
  g_signal_connect (queue, "job-changed", G_CALLBACK (on_job_changed), &f);
  pos_escpos_options_init (&options);

  series_init (&pay, "Pay -> job sent (accepted by cupsd)", n);
  series_init (&commit, "  of which the commit (pos_sales_commit)", n);
  series_init (&render, "  of which load + document + ESC/POS", n);
  series_init (&sent, "  of which submit -> job-changed 'sent'", n);
  series_init (&bare, "bare libcups Create-Job + Send-Document", n);
  series_init (&sync, "pos_printer_submit_sync, same bytes", n);

  for (guint i = 0; i < n + warm_up; i++)
    {
      g_autoptr(PosCart) cart = make_sale (db);
      g_autoptr(PosSaleRecord) rec = NULL;
      g_autoptr(PosReceiptDoc) doc = NULL;
      g_autofree char *sale_id = NULL;
      g_autofree char *job_id = NULL;
      g_autofree char *title = NULL;
      gint64 t0, t1, t2, t3;

      t0 = now_ns ();
      sale_id = pos_sales_commit (db, cart, NULL, &error);
      t1 = now_ns ();
      if (sale_id == NULL)
        g_error ("commit: %s", error->message);
      rec = pos_sales_load (db, sale_id, &error);
      if (rec == NULL)
        g_error ("load: %s", error->message);
      doc = doc_for (db, rec);
      g_clear_pointer (&last_bytes, g_bytes_unref);
      last_bytes = pos_receipt_render_escpos (doc, &options);
      title = g_strdup_printf ("Sale %s", rec->number != NULL ? rec->number : sale_id);
      t2 = now_ns ();
      job_id = pos_print_queue_submit (queue, QUEUE_NAME, title, CUPS_FORMAT_RAW, last_bytes, sale_id);
      wait_job (&f, job_id, TRUE);
      t3 = *(gint64 *) g_hash_table_lookup (f.sent_at, job_id);

      /* Let it print before the next one. */
      wait_bytes (harness, last_bytes);
      wait_job (&f, job_id, FALSE);
      if (i < warm_up)
        continue;
      pay.ns[i - warm_up] = t3 - t0;
      commit.ns[i - warm_up] = t1 - t0;
      render.ns[i - warm_up] = t2 - t1;
      sent.ns[i - warm_up] = t3 - t2;
    }

  for (guint i = 0; i < n + warm_up; i++)
    {
      gint64 t0, t1;
      int job_id;

      t0 = now_ns ();
      job_id = bare_submit (last_bytes);
      t1 = now_ns ();
      wait_bytes (harness, last_bytes);
      wait_cups_job (job_id);
      if (i >= warm_up)
        bare.ns[i - warm_up] = t1 - t0;

      t0 = now_ns ();
      job_id = pos_printer_submit_sync (QUEUE_NAME, "bench receipt", CUPS_FORMAT_RAW, last_bytes, NULL, &error);
      t1 = now_ns ();
      if (job_id <= 0)
        g_error ("submit: %s", error->message);
      wait_bytes (harness, last_bytes);
      wait_cups_job (job_id);
      if (i >= warm_up)
        sync.ns[i - warm_up] = t1 - t0;
    }

  series_finish (&pay, n);
  series_finish (&commit, n);
  series_finish (&render, n);
  series_finish (&sent, n);
  series_finish (&bare, n);
  series_finish (&sync, n);

  printf ("\"Pay\" to the job at cupsd (private cupsd, raw socket:// queue; ESC/POS %zu bytes), %u sales\n",
          g_bytes_get_size (last_bytes), n);
  printf ("%*s%s\n", 86, "", "ratio to bare libcups, p50 / p99");
  print_row (&pay, &bare);
  print_row (&commit, NULL);
  print_row (&render, NULL);
  print_row (&sent, &bare);
  print_row (&bare, NULL);
  print_row (&sync, &bare);
  printf ("  Pay -> sent vs the commit alone: p50 %.1fx, p99 %.1fx\n",
          commit.p50 > 0 ? (double) pay.p50 / commit.p50 : 0.0, commit.p99 > 0 ? (double) pay.p99 / commit.p99 : 0.0);
  print_target (&pay, 200);

  g_clear_object (&queue);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_hash_table_unref (f.states);
  g_hash_table_unref (f.sent_at);
  printing_harness_stop (harness);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- receipt rendering and printing figures");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autofree char *dir = NULL;
  gint receipts = 200, jobs = 50;
  gboolean own_dir;
  const GOptionEntry entries[] = {
    { "receipts", 0, 0, G_OPTION_ARG_INT, &receipts, "Renderings of each kind (200)", "N" },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &jobs, "Sales from Pay to cupsd (50; 0: none)", "M" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Folder for the terminal database", "DIR" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  receipts = MAX (receipts, 1);
  jobs = MAX (jobs, 0);

  own_dir = dir == NULL;
  if (own_dir)
    {
      dir = g_strdup ("bench-print-XXXXXX");
      if (g_mkdtemp (dir) == NULL)
        g_error ("mkdtemp: %s", g_strerror (errno));
    }
  db = fixture_open (dir);
  add_products (db);

  bench_render (db, (guint) receipts);
  if (jobs > 0)
    bench_pay (db, (guint) jobs);

  g_clear_object (&db);
  if (own_dir)
    fixture_remove_dir (dir);
  pos_receipt_pdf_release_fonts ();
  return 0;
}
