/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-printing"

#define _GNU_SOURCE
#include "config.h"

#include <check.h>
#include <cups/cups.h>
#include <string.h>

#include "devices/pos-print-queue.h"
#include "devices/pos-printer.h"
#include "devices/pos-receipt-pdf.h"
#include "printing-harness.h"
#include "test-tmpdir.h"

/* Printing through a private cupsd (raw queue on a socket:// listener, a
 * capture backend) and through ippeveprinter (printing-harness.c): the
 * bytes that arrive are the bytes sent, PDF jobs arrive as PDF, and a
 * stopped queue, a refused job and a vanished printer each give the
 * cashier's message, the job printing when the printer returns. */

static PrintingHarness *harness;
static char *harness_error;

#define RAW_QUEUE "caixa1"
#define CAPTURE_QUEUE "escritorio"

typedef struct {
  PosDatabase   *db;
  PosPrintQueue *queue;
  char          *tmpdir;
  GHashTable    *last;     /* job id → PosPrintJob last signalled */
  GPtrArray     *history;  /* "id:state" */
} Fixture;

static Fixture f;

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until cond holds (seconds at most: then fails). */
#define WAIT_UNTIL(cond, seconds)                                             \
  G_STMT_START {                                                              \
    gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;  \
    guint tick_ = g_timeout_add (10, wake_up, NULL);                          \
                                                                              \
    while (!(cond) && g_get_monotonic_time () < deadline_)                    \
      g_main_context_iteration (NULL, TRUE);                                  \
    g_source_remove (tick_);                                                  \
    ck_assert_msg ((cond), "timed out waiting for " #cond);                   \
  } G_STMT_END

static void
on_job_changed (PosPrintQueue *queue,
                PosPrintJob   *job,
                gpointer       data)
{
  g_hash_table_replace (f.last, g_strdup (job->id), pos_print_job_copy (job));
  g_ptr_array_add (f.history, g_strdup_printf ("%s:%s", job->id, pos_print_job_state_to_string (job->state)));
}

static PosPrintJobState
job_state (const char *id)
{
  PosPrintJob *job = g_hash_table_lookup (f.last, id);

  return job != NULL ? job->state : (PosPrintJobState) -1;
}

static const char *
job_message (const char *id)
{
  PosPrintJob *job = g_hash_table_lookup (f.last, id);

  return job != NULL && job->message != NULL ? job->message : "";
}

static void
make_queue (void)
{
  f.queue = g_object_new (POS_TYPE_PRINT_QUEUE, "database", f.db,
                          "poll-interval-ms", 100, "stall-timeout-ms", 1500, NULL);
  g_signal_connect (f.queue, "job-changed", G_CALLBACK (on_job_changed), NULL);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f.tmpdir = test_tmpdir_new ();
  path = g_build_filename (f.tmpdir, "balcao.db", NULL);
  f.db = pos_database_open (path, &error);
  ck_assert_msg (f.db != NULL, "%s", error ? error->message : "");
  f.last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pos_print_job_free);
  f.history = g_ptr_array_new_with_free_func (g_free);
  make_queue ();
  if (harness != NULL)
    {
      g_autoptr(GPtrArray) a = printing_harness_socket_take (harness);
      g_autoptr(GPtrArray) b = printing_harness_capture_take (harness);
    }
}

static void
teardown (void)
{
  g_clear_object (&f.queue);
  /* the emissions still queued for the main context */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f.db);
  test_tmpdir_remove (f.tmpdir);
  g_clear_pointer (&f.tmpdir, g_free);
  g_clear_pointer (&f.last, g_hash_table_unref);
  g_clear_pointer (&f.history, g_ptr_array_unref);
}

static gboolean
harness_missing (void)
{
  if (harness == NULL)
    {
      /* Check has no "skip": say why, and pass. */
      fprintf (stderr, "# skipped: %s\n", harness_error);
      return TRUE;
    }
  return FALSE;
}

static GBytes *
sample_escpos (const char *text)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  static const guint8 init[] = { 0x1b, '@' };
  static const guint8 cut[] = { 0x1d, 'V', 1 };
  /* every byte value once: raw means untouched */
  guint8 all[256];

  for (guint i = 0; i < 256; i++)
    all[i] = (guint8) i;
  g_byte_array_append (out, init, sizeof init);
  g_byte_array_append (out, (const guint8 *) text, strlen (text));
  g_byte_array_append (out, all, sizeof all);
  g_byte_array_append (out, cut, sizeof cut);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gint64
db_count (const char *sql)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (f.db, sql, NULL);
  gint64 n;

  ck_assert_ptr_nonnull (stmt);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* The files the capture backend (or ippeveprinter) wrote, until there
 * are n (30 s at most). */
static GPtrArray *
wait_files (guint      n,
            gboolean   ipp,
            GPtrArray *types)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (all->len < n && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GPtrArray) some = ipp ? printing_harness_ipp_take (harness, types)
                                      : printing_harness_capture_take (harness);

      for (guint i = 0; i < some->len; i++)
        g_ptr_array_add (all, g_bytes_ref (g_ptr_array_index (some, i)));
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (20 * 1000);
    }
  ck_assert_uint_ge (all->len, n);
  return all;
}

/* ---- without a printer ---- */

START_TEST (test_words)
{
  g_autofree char *paper = pos_printer_reason_to_label ("media-empty-error");
  g_autofree char *offline = pos_printer_reason_to_label ("offline-report");
  g_autofree char *unknown = pos_printer_reason_to_label ("com.example-thing");
  char *reasons[] = { (char *) "media-empty-error", NULL };
  PosPrinterInfo info = { (char *) "caixa1", (char *) "Caixa 1", NULL, NULL, NULL,
                          POS_PRINTER_STATE_STOPPED, reasons, NULL, FALSE, FALSE };
  g_autofree char *described = pos_printer_info_describe (&info);
  g_autoptr(GError) problem = NULL;
  PosPrinterKind kind;

  ck_assert_str_eq (paper, "out of paper");
  ck_assert_str_eq (offline, "offline");
  ck_assert_str_eq (unknown, "com.example-thing");
  ck_assert_ptr_null (pos_printer_reason_to_label ("none"));
  ck_assert_str_eq (described, "Stopped — out of paper, not accepting jobs");

  /* out of paper comes first: it is what the cashier can fix */
  ck_assert (pos_printer_info_get_problem (&info, &problem));
  ck_assert_int_eq (problem->code, POS_PRINTER_ERROR_OUT_OF_PAPER);
  ck_assert_str_eq (problem->message, "Printer “Caixa 1” is out of paper.");
  g_clear_error (&problem);

  reasons[0] = NULL;
  info.accepting = TRUE;
  ck_assert (pos_printer_info_get_problem (&info, &problem));
  ck_assert_int_eq (problem->code, POS_PRINTER_ERROR_STOPPED);
  g_clear_error (&problem);
  info.state = POS_PRINTER_STATE_IDLE;
  ck_assert (!pos_printer_info_get_problem (&info, &problem));
  ck_assert_ptr_null (problem);

  ck_assert (pos_printer_kind_from_string ("pdf-driver", &kind));
  ck_assert_int_eq (kind, POS_PRINTER_KIND_PDF_DRIVER);
  ck_assert (!pos_printer_kind_from_string ("laser", &kind));
  ck_assert_str_eq (pos_printer_kind_get_format (POS_PRINTER_KIND_ESCPOS_RAW), CUPS_FORMAT_RAW);
  ck_assert_str_eq (pos_printer_kind_get_format (POS_PRINTER_KIND_PDF_DRIVER), "application/pdf");
}
END_TEST

START_TEST (test_pages_and_drawer)
{
  g_autoptr(GBytes) escpos = pos_printer_build_test_page (POS_PRINTER_KIND_ESCPOS_RAW, 32, "Caixa 1");
  g_autoptr(GBytes) pdf = pos_printer_build_test_page (POS_PRINTER_KIND_PDF_DRIVER, 48, "Caixa 1");
  g_autoptr(GBytes) pulse = pos_printer_drawer_pulse_bytes ();
  static const guint8 expected_pulse[] = { 0x1b, 0x70, 0x00, 0x19, 0xfa };
  gsize size;
  const guint8 *bytes = g_bytes_get_data (escpos, &size);

  /* ESC @ first, GS V 1 (partial cut) last, nothing but ASCII between */
  ck_assert_uint_gt (size, 10);
  ck_assert_int_eq (memcmp (bytes, "\x1b@", 2), 0);
  ck_assert_int_eq (memcmp (bytes + size - 3, "\x1dV\x01", 3), 0);
  ck_assert (memmem (bytes, size, "Caixa 1", 7) != NULL);
  for (gsize i = 0; i < size; i++)
    ck_assert_uint_lt (bytes[i], 0x80);

  bytes = g_bytes_get_data (pdf, &size);
  ck_assert_uint_gt (size, 100);
  ck_assert_int_eq (memcmp (bytes, "%PDF-", 5), 0);

  ck_assert (g_bytes_get_size (pulse) == sizeof expected_pulse);
  ck_assert_int_eq (memcmp (g_bytes_get_data (pulse, NULL), expected_pulse, sizeof expected_pulse), 0);
}
END_TEST

START_TEST (test_settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPrinterSettings) defaults = pos_printer_settings_load (f.db);
  g_autoptr(PosPrinterSettings) loaded = NULL;
  PosPrinterSettings settings = { (char *) "caixa1", POS_PRINTER_KIND_PDF_DRIVER, 42, 858 };

  ck_assert_ptr_null (defaults->printer);
  ck_assert_int_eq (defaults->kind, POS_PRINTER_KIND_ESCPOS_RAW);
  ck_assert_int_eq (defaults->width, 48);
  ck_assert_int_eq (defaults->code_page, 860);

  ck_assert (pos_printer_settings_save (f.db, &settings, &error));
  loaded = pos_printer_settings_load (f.db);
  ck_assert_str_eq (loaded->printer, "caixa1");
  ck_assert_int_eq (loaded->kind, POS_PRINTER_KIND_PDF_DRIVER);
  ck_assert_int_eq (loaded->width, 42);
  ck_assert_int_eq (loaded->code_page, 858);
}
END_TEST

/* ---- through cupsd ---- */

START_TEST (test_list)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean seen_raw = FALSE;

  if (harness_missing ())
    return;
  list = pos_printer_list_sync (NULL, &error);
  ck_assert_msg (list != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < list->len; i++)
    {
      PosPrinterInfo *info = g_ptr_array_index (list, i);

      if (g_str_equal (info->name, RAW_QUEUE))
        {
          g_autofree char *words = pos_printer_info_describe (info);

          seen_raw = TRUE;
          ck_assert_int_eq (info->state, POS_PRINTER_STATE_IDLE);
          ck_assert (info->accepting);
          ck_assert_str_eq (info->device_uri, printing_harness_get_socket_uri (harness));
          ck_assert_str_eq (words, "Idle");
        }
    }
  ck_assert (seen_raw);
}
END_TEST

/* The bytes the socket printer got: exactly what was sent. */
START_TEST (test_raw_socket)
{
  g_autoptr(GBytes) data = sample_escpos ("Venda 1\n");
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;

  if (harness_missing ())
    return;
  id = pos_print_queue_submit (f.queue, RAW_QUEUE, "Venda 1", CUPS_FORMAT_RAW, data, NULL);
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  got = printing_harness_socket_take (harness);
  ck_assert_uint_eq (got->len, 1);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), data));
  ck_assert_int_eq (db_count ("SELECT count(*) FROM print_jobs WHERE state = 'completed' AND length(data) = 0"), 1);
}
END_TEST

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* A PDF through a queue arrives as that PDF; the drawer pulse arrives raw. */
START_TEST (test_pdf_and_drawer_capture)
{
  g_autoptr(GBytes) pdf = pos_printer_build_test_page (POS_PRINTER_KIND_PDF_DRIVER, 48, CAPTURE_QUEUE);
  g_autoptr(GBytes) pulse = pos_printer_drawer_pulse_bytes ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;

  if (harness_missing ())
    return;
  id = pos_print_queue_submit (f.queue, CAPTURE_QUEUE, "PDF", "application/pdf", pdf, NULL);
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 30);

  pos_printer_open_drawer_async (CAPTURE_QUEUE, NULL, store_result, &result);
  WAIT_UNTIL (result != NULL, 30);
  ck_assert_msg (pos_printer_open_drawer_finish (result, &error), "%s", error ? error->message : "");
  got = wait_files (2, FALSE, NULL);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), pdf));
  ck_assert_int_eq (memcmp (g_bytes_get_data (g_ptr_array_index (got, 0), NULL), "%PDF-", 5), 0);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 1), pulse));
}
END_TEST

/* A stopped queue: WAITING with the words, printed once started again. */
START_TEST (test_stopped_queue)
{
  g_autoptr(GBytes) data = sample_escpos ("Venda 2\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;

  if (harness_missing ())
    return;
  ck_assert (printing_harness_run (harness, &error, "cupsdisable", RAW_QUEUE, NULL));
  id = pos_print_queue_submit (f.queue, RAW_QUEUE, "Venda 2", CUPS_FORMAT_RAW, data, "sale-2");
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_WAITING, 30);
  ck_assert_str_eq (job_message (id),
                    "Printer “caixa1” is stopped: start it again in the print server. "
                    "The sale is saved; the receipt prints when the printer is ready, or print it elsewhere.");
  ck_assert_int_eq (((PosPrintJob *) g_hash_table_lookup (f.last, id))->error_code, POS_PRINTER_ERROR_STOPPED);

  ck_assert (printing_harness_run (harness, &error, "cupsenable", RAW_QUEUE, NULL));
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  got = printing_harness_socket_take (harness);
  ck_assert_uint_eq (got->len, 1);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), data));
}
END_TEST

/* A queue that rejects jobs: FAILED with the words; retry prints it. */
START_TEST (test_refused)
{
  g_autoptr(GBytes) data = sample_escpos ("Venda 3\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;

  if (harness_missing ())
    return;
  ck_assert (printing_harness_run (harness, &error, "cupsreject", RAW_QUEUE, NULL));
  id = pos_print_queue_submit (f.queue, RAW_QUEUE, "Venda 3", CUPS_FORMAT_RAW, data, "sale-3");
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_FAILED, 30);
  ck_assert_str_eq (job_message (id),
                    "Printer “caixa1” is not accepting jobs. "
                    "The sale is saved; retry, print elsewhere or reprint from History.");

  ck_assert (printing_harness_run (harness, &error, "cupsaccept", RAW_QUEUE, NULL));
  pos_print_queue_retry (f.queue, id);
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  got = printing_harness_socket_take (harness);
  ck_assert_uint_eq (got->len, 1);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), data));
  ck_assert_int_eq (((PosPrintJob *) g_hash_table_lookup (f.last, id))->attempts, 2);
}
END_TEST

/* The socket printer is gone: the job waits as "does not answer" and
 * prints when the printer is back (the socket backend retries). */
START_TEST (test_vanished_socket_printer)
{
  g_autoptr(GBytes) data = sample_escpos ("Venda 4\n");
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;

  if (harness_missing ())
    return;
  printing_harness_socket_close (harness);
  id = pos_print_queue_submit (f.queue, RAW_QUEUE, "Venda 4", CUPS_FORMAT_RAW, data, "sale-4");
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_WAITING, 30);
  ck_assert (g_str_has_prefix (job_message (id), "Printer “caixa1” does not answer: check that it is on and connected."));

  printing_harness_socket_open (harness);
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 60);
  got = printing_harness_socket_take (harness);
  ck_assert_uint_eq (got->len, 1);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), data));
}
END_TEST

/* Print elsewhere: a job waiting at a stopped queue goes to another one
 * and is cancelled at the first. */
START_TEST (test_print_elsewhere)
{
  g_autoptr(GBytes) data = sample_escpos ("Venda 5\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GPtrArray) on_socket = NULL;

  if (harness_missing ())
    return;
  ck_assert (printing_harness_run (harness, &error, "cupsdisable", RAW_QUEUE, NULL));
  id = pos_print_queue_submit (f.queue, RAW_QUEUE, "Venda 5", CUPS_FORMAT_RAW, data, "sale-5");
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_WAITING, 30);
  pos_print_queue_print_elsewhere (f.queue, id, CAPTURE_QUEUE);
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  ck_assert_str_eq (((PosPrintJob *) g_hash_table_lookup (f.last, id))->printer, CAPTURE_QUEUE);
  got = wait_files (1, FALSE, NULL);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), data));

  /* cancelled at caixa1: nothing comes out there once it starts again */
  ck_assert (printing_harness_run (harness, &error, "cupsenable", RAW_QUEUE, NULL));
  g_usleep (500 * 1000);
  on_socket = printing_harness_socket_take (harness);
  ck_assert_uint_eq (on_socket->len, 0);
}
END_TEST

/* A job waiting when the app stops is taken up by the next queue. */
START_TEST (test_survives_restart)
{
  g_autoptr(GBytes) data = sample_escpos ("Venda 6\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GPtrArray) jobs = NULL;

  if (harness_missing ())
    return;
  ck_assert (printing_harness_run (harness, &error, "cupsdisable", RAW_QUEUE, NULL));
  id = pos_print_queue_submit (f.queue, RAW_QUEUE, "Venda 6", CUPS_FORMAT_RAW, data, "sale-6");
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_WAITING, 30);

  g_clear_object (&f.queue);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_hash_table_remove_all (f.last);
  make_queue ();
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_WAITING, 30);
  jobs = pos_print_queue_get_jobs (f.queue);
  ck_assert_uint_eq (jobs->len, 1);
  ck_assert_str_eq (((PosPrintJob *) g_ptr_array_index (jobs, 0))->id, id);

  ck_assert (printing_harness_run (harness, &error, "cupsenable", RAW_QUEUE, NULL));
  WAIT_UNTIL (job_state (id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  got = printing_harness_socket_take (harness);
  ck_assert_uint_eq (got->len, 1);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), data));
}
END_TEST

/* ---- an IPP printer reached directly ---- */

START_TEST (test_ipp_everywhere)
{
  g_autoptr(GBytes) raw = sample_escpos ("Venda 7\n");
  g_autoptr(GBytes) pdf = pos_printer_build_test_page (POS_PRINTER_KIND_PDF_DRIVER, 48, "ReceiptSim");
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw_id = NULL;
  g_autofree char *pdf_id = NULL;
  g_autofree char *lost_id = NULL;
  const char *uri;

  if (harness_missing ())
    return;
  if (!printing_harness_ipp_start (harness, &error))
    {
      fprintf (stderr, "# skipped: %s\n", error->message);
      return;
    }
  uri = printing_harness_get_ipp_uri (harness);

  raw_id = pos_print_queue_submit (f.queue, uri, "Venda 7", CUPS_FORMAT_RAW, raw, NULL);
  WAIT_UNTIL (job_state (raw_id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  pdf_id = pos_print_queue_submit (f.queue, uri, "PDF", "application/pdf", pdf, NULL);
  WAIT_UNTIL (job_state (pdf_id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  got = wait_files (2, TRUE, types);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), raw));
  ck_assert_str_eq (g_ptr_array_index (types, 0), "application/vnd.cups-raw");
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 1), pdf));
  ck_assert_str_eq (g_ptr_array_index (types, 1), "application/pdf");
  g_clear_pointer (&got, g_ptr_array_unref);
  g_ptr_array_set_size (types, 0);

  /* killed: refused at once as "does not answer"; back: retry prints */
  printing_harness_ipp_stop (harness);
  lost_id = pos_print_queue_submit (f.queue, uri, "Venda 8", CUPS_FORMAT_RAW, raw, "sale-8");
  WAIT_UNTIL (job_state (lost_id) == POS_PRINT_JOB_STATE_FAILED, 30);
  ck_assert_int_eq (((PosPrintJob *) g_hash_table_lookup (f.last, lost_id))->error_code, POS_PRINTER_ERROR_UNREACHABLE);
  ck_assert (g_str_has_suffix (job_message (lost_id), "The sale is saved; retry, print elsewhere or reprint from History."));

  ck_assert (printing_harness_ipp_start (harness, &error));
  pos_print_queue_retry (f.queue, lost_id);
  WAIT_UNTIL (job_state (lost_id) == POS_PRINT_JOB_STATE_COMPLETED, 30);
  got = wait_files (1, TRUE, types);
  ck_assert (g_bytes_equal (g_ptr_array_index (got, 0), raw));
  printing_harness_ipp_stop (harness);
}
END_TEST

static void
start_harness (void)
{
  g_autoptr(GError) error = NULL;

  harness = printing_harness_start (&error);
  if (harness == NULL)
    {
      harness_error = g_strdup (error->message);
      return;
    }
  if (!printing_harness_add_raw_queue (harness, RAW_QUEUE, printing_harness_get_socket_uri (harness), &error) ||
      !printing_harness_add_raw_queue (harness, CAPTURE_QUEUE, printing_harness_get_capture_uri (harness), &error))
    g_error ("lpadmin: %s", error->message);
}

static void
stop_harness (void)
{
  g_clear_pointer (&harness, printing_harness_stop);
  g_clear_pointer (&harness_error, g_free);
}

static Suite *
printing_suite (void)
{
  Suite *s = suite_create ("printing");
  TCase *tc = tcase_create ("words");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_words);
  tcase_add_test (tc, test_pages_and_drawer);
  tcase_add_test (tc, test_settings);
  suite_add_tcase (s, tc);

  tc = tcase_create ("cups");
  tcase_set_timeout (tc, 180);
  tcase_add_unchecked_fixture (tc, start_harness, stop_harness);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_list);
  tcase_add_test (tc, test_raw_socket);
  tcase_add_test (tc, test_pdf_and_drawer_capture);
  tcase_add_test (tc, test_stopped_queue);
  tcase_add_test (tc, test_refused);
  tcase_add_test (tc, test_vanished_socket_printer);
  tcase_add_test (tc, test_print_elsewhere);
  tcase_add_test (tc, test_survives_restart);
  tcase_add_test (tc, test_ipp_everywhere);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (printing_suite ());
  int n;

  /* One cupsd for every test, in this process. */
  srunner_set_fork_status (sr, CK_NOFORK);
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  pos_receipt_pdf_release_fonts ();
  return n == 0 ? 0 : 1;
}
