/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "devices/pos-printer.h"
#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* Print jobs kept in the terminal database (table print_jobs) until they
 * printed, sent and followed on a thread of the queue's own
 * (docs/printing.md).
 *
 * pos_print_queue_submit() returns at once with the job's id; the worker
 * thread writes the job to the database, sends it with libcups and follows
 * its state at the printer. Each change reaches the GMainContext that was
 * the thread-default one when the queue was made, as one "job-changed"
 * signal. A job that waits at the printer (stopped queue, out of paper, a
 * printer that does not answer) is WAITING with the message, and becomes
 * COMPLETED by itself when the printer prints it; a job the printer
 * refused or that could not be sent is FAILED: offer "Retry"
 * (pos_print_queue_retry) and "Print elsewhere"
 * (pos_print_queue_print_elsewhere). Jobs not finished when the app stops
 * are taken up again by the next queue on the same database. */

typedef enum {
  POS_PRINT_JOB_STATE_QUEUED,     /* not at the printer yet */
  POS_PRINT_JOB_STATE_SENT,       /* the printer has it */
  POS_PRINT_JOB_STATE_WAITING,    /* the printer has it but cannot print: see message */
  POS_PRINT_JOB_STATE_COMPLETED,
  POS_PRINT_JOB_STATE_FAILED,     /* not printed: see message; retry or print elsewhere */
  POS_PRINT_JOB_STATE_CANCELLED,
} PosPrintJobState;

/* "queued", "sent", "waiting", "completed", "failed", "cancelled" */
const char *pos_print_job_state_to_string (PosPrintJobState state);

/* A snapshot of one job. */
typedef struct {
  char             *id;           /* UUIDv7 */
  char             *printer;      /* queue name or URI */
  char             *title;
  char             *sale_id;      /* NULL for a test page, a report... */
  PosPrintJobState  state;
  int               cups_job_id;  /* 0 until sent */
  int               error_code;   /* a PosPrinterError for WAITING and FAILED, else -1 */
  char             *message;      /* for WAITING and FAILED: what to do, translated */
  int               attempts;     /* times sent */
} PosPrintJob;

#define POS_TYPE_PRINT_JOB (pos_print_job_get_type ())
GType        pos_print_job_get_type   (void) G_GNUC_CONST;
PosPrintJob *pos_print_job_copy       (const PosPrintJob *job);
void         pos_print_job_free       (PosPrintJob       *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosPrintJob, pos_print_job_free)

/* Signals:
 *   job-changed (PosPrintJob *job)  on the owner context, lent to the handlers
 * Properties (construct-only): "database"; "poll-interval-ms" (how often a
 * job at the printer is looked at, default 500); "stall-timeout-ms" (a job
 * still not printed after this long without a reason the printer gives is
 * WAITING as "does not answer", default 20000). */
#define POS_TYPE_PRINT_QUEUE (pos_print_queue_get_type ())
G_DECLARE_FINAL_TYPE (PosPrintQueue, pos_print_queue, POS, PRINT_QUEUE, GObject)

/* Starts the worker thread, which takes up the jobs left unfinished in the
 * database. The queue keeps a reference to database and opens a worker
 * connection of its own. */
PosPrintQueue *pos_print_queue_new             (PosDatabase   *database);

/* Queues a document for printer and returns the new job's id (never NULL).
 * format: CUPS_FORMAT_RAW ("application/vnd.cups-raw") or
 * "application/pdf" (pos_printer_kind_get_format()). sale_id may be NULL. */
char          *pos_print_queue_submit          (PosPrintQueue *self,
                                                const char    *printer,
                                                const char    *title,
                                                const char    *format,
                                                GBytes        *data,
                                                const char    *sale_id);
/* Sends the job again (to the same printer); one still at the printer is
 * cancelled there first. */
void           pos_print_queue_retry           (PosPrintQueue *self,
                                                const char    *job_id);
/* Sends the job to another printer (cancelled at the first one). */
void           pos_print_queue_print_elsewhere (PosPrintQueue *self,
                                                const char    *job_id,
                                                const char    *printer);
/* Cancels the job, at the printer too. */
void           pos_print_queue_cancel          (PosPrintQueue *self,
                                                const char    *job_id);
/* The jobs not yet completed nor cancelled that this queue knows of (as
 * last signalled), oldest first: a GPtrArray of PosPrintJob. */
GPtrArray     *pos_print_queue_get_jobs        (PosPrintQueue *self);

G_END_DECLS
