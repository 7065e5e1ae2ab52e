/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Printers through libcups (docs/printing.md).
 *
 * A printer is named by a CUPS destination on the default server
 * (CUPS_SERVER, client.conf: "caixa1") or by the URI of an IPP printer
 * reached directly ("ipp://192.168.0.20/ipp/print"). Every function that
 * talks to CUPS blocks: call the _sync ones from a worker thread only; the
 * UI calls the _async/_finish pairs, which run them in a GTask thread and
 * finish on the caller's thread-default main context.
 *
 * Errors are POS_PRINTER_ERROR, with messages a cashier can act on. */

#define POS_PRINTER_ERROR (pos_printer_error_quark ())
GQuark pos_printer_error_quark (void);

typedef enum {
  POS_PRINTER_ERROR_NOT_CONFIGURED, /* no receipt printer chosen */
  POS_PRINTER_ERROR_NOT_FOUND,      /* the destination does not exist (any more) */
  POS_PRINTER_ERROR_UNREACHABLE,    /* CUPS or the printer does not answer */
  POS_PRINTER_ERROR_STOPPED,        /* the queue is stopped (cupsdisable) */
  POS_PRINTER_ERROR_REFUSED,        /* not accepting jobs (cupsreject), or the job was refused */
  POS_PRINTER_ERROR_OUT_OF_PAPER,   /* media-empty / media-needed */
  POS_PRINTER_ERROR_FAILED,         /* the job was aborted or canceled at the printer */
  POS_PRINTER_ERROR_CANCELLED,      /* cancelled by us */
} PosPrinterError;

typedef enum {
  POS_PRINTER_STATE_UNKNOWN,
  POS_PRINTER_STATE_IDLE,
  POS_PRINTER_STATE_PRINTING,
  POS_PRINTER_STATE_STOPPED,
} PosPrinterState;

/* How receipts are sent: ESC/POS bytes on a raw queue (CUPS_FORMAT_RAW),
 * or a PDF for a printer with a driver. */
typedef enum {
  POS_PRINTER_KIND_ESCPOS_RAW,
  POS_PRINTER_KIND_PDF_DRIVER,
} PosPrinterKind;

/* "idle", "printing", "stopped", "unknown" */
const char     *pos_printer_state_to_string     (PosPrinterState state);
/* "escpos-raw", "pdf-driver"; from_string FALSE for anything else. */
const char     *pos_printer_kind_to_string      (PosPrinterKind  kind);
gboolean        pos_printer_kind_from_string    (const char     *text,
                                                 PosPrinterKind *kind);
/* The document format sent for that kind: CUPS_FORMAT_RAW or "application/pdf". */
const char     *pos_printer_kind_get_format     (PosPrinterKind  kind);

/* One printer-state-reasons keyword in words, translated ("media-empty-error"
 * → "out of paper"); unknown keywords come back as they are. "none" → NULL. */
char           *pos_printer_reason_to_label     (const char     *reason);

/* ---- a snapshot of one destination ---- */

typedef struct {
  char            *name;            /* the queue name, or the URI */
  char            *info;            /* printer-info, else the name: what people call it */
  char            *location;
  char            *make_and_model;
  char            *device_uri;      /* socket://..., ipp://...; NULL when not told */
  PosPrinterState  state;
  char           **reasons;         /* printer-state-reasons, "none" left out; never NULL */
  char            *state_message;   /* printer-state-message, may be NULL */
  gboolean         accepting;       /* printer-is-accepting-jobs */
  gboolean         is_default;
} PosPrinterInfo;

#define POS_TYPE_PRINTER_INFO (pos_printer_info_get_type ())
GType           pos_printer_info_get_type       (void) G_GNUC_CONST;
PosPrinterInfo *pos_printer_info_copy           (const PosPrinterInfo *info);
void            pos_printer_info_free           (PosPrinterInfo       *info);
/* The state in words, translated: "Idle", "Stopped — out of paper, not
 * accepting jobs", ... */
char           *pos_printer_info_describe       (const PosPrinterInfo *info);
/* The problem that keeps a job from printing, as a POS_PRINTER_ERROR with
 * the cashier's message (stopped, out of paper, offline, not accepting
 * jobs); FALSE when there is none. */
gboolean        pos_printer_info_get_problem    (const PosPrinterInfo *info,
                                                 GError              **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosPrinterInfo, pos_printer_info_free)

/* The destinations of the default CUPS server, sorted by name: a
 * GPtrArray of PosPrinterInfo. An empty array when there is none; an
 * error (UNREACHABLE) when the CUPS server does not answer. */
GPtrArray      *pos_printer_list_sync           (GCancellable   *cancellable,
                                                 GError        **error);
void            pos_printer_list_async          (GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
GPtrArray      *pos_printer_list_finish         (GAsyncResult   *result,
                                                 GError        **error);
/* One destination (a queue name or an ipp:// URI). */
PosPrinterInfo *pos_printer_get_info_sync       (const char     *printer,
                                                 GCancellable   *cancellable,
                                                 GError        **error);

/* ---- jobs ---- */

typedef enum {
  POS_PRINT_JOB_PENDING,     /* waiting at the printer (pending, held or processing) */
  POS_PRINT_JOB_COMPLETED,
  POS_PRINT_JOB_FAILED,      /* aborted or canceled */
} PosPrintJobStatus;

/* Sends one document and returns the printer's job id (> 0). Refuses
 * before sending when the destination is gone, does not answer or does
 * not accept jobs. A stopped queue takes the job: it prints when the
 * queue is started again. format: CUPS_FORMAT_RAW, "application/pdf". */
int             pos_printer_submit_sync         (const char     *printer,
                                                 const char     *title,
                                                 const char     *format,
                                                 GBytes         *data,
                                                 GCancellable   *cancellable,
                                                 GError        **error);
/* The state of a job sent with submit_sync. FAILED comes with the error
 * (FAILED, or the printer's problem); PENDING may come with the problem
 * that keeps it waiting (problem may be NULL). */
PosPrintJobStatus pos_printer_get_job_status_sync (const char   *printer,
                                                   int           job_id,
                                                   GError      **problem,
                                                   GCancellable *cancellable,
                                                   GError      **error);
/* Cancels a job still at the printer (no error when it is already done). */
gboolean        pos_printer_cancel_job_sync     (const char     *printer,
                                                 int             job_id,
                                                 GError        **error);

/* The printer's message for a problem, the sale being safe:
 * "Printer 'Caixa 1' is out of paper. The sale is saved; reprint from History." */
char           *pos_printer_format_problem      (PosPrinterError code,
                                                 const char     *printer_name);

/* ---- test page and cash drawer ---- */

/* A test page: ESC/POS bytes for escpos-raw (width: 32, 42 or 48
 * columns), a one-page PDF for pdf-driver. */
GBytes         *pos_printer_build_test_page     (PosPrinterKind  kind,
                                                 int             width,
                                                 const char     *printer_name);
/* The cash drawer pulse: ESC p 0 25 250 (pin 2, 50 ms on, 500 ms off). */
GBytes         *pos_printer_drawer_pulse_bytes  (void);

/* Sends the drawer pulse raw to the printer the drawer is wired to and
 * waits until the printer took it. */
void            pos_printer_open_drawer_async   (const char     *printer,
                                                 GCancellable   *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer        user_data);
gboolean        pos_printer_open_drawer_finish  (GAsyncResult   *result,
                                                 GError        **error);

/* ---- the receipt printer settings (settings table) ----
 *
 *   receipt_printer            "caixa1" | "ipp://..."
 *   receipt_printer_kind       "escpos-raw" (default) | "pdf-driver"
 *   receipt_printer_width      "48" (default) | "42" | "32"
 *   receipt_printer_code_page  "860" (default) | "858"
 */
typedef struct {
  char           *printer;     /* NULL when none was chosen */
  PosPrinterKind  kind;
  int             width;
  int             code_page;
} PosPrinterSettings;

PosPrinterSettings *pos_printer_settings_load   (PosDatabase        *db);
gboolean        pos_printer_settings_save       (PosDatabase        *db,
                                                 const PosPrinterSettings *settings,
                                                 GError            **error);
void            pos_printer_settings_free       (PosPrinterSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosPrinterSettings, pos_printer_settings_free)

G_END_DECLS
