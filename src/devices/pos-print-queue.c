/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-printer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "devices/pos-print-queue.h"
#include "domain/pos-uuid.h"

/* Failed jobs older than this are not taken up again at start. */
#define FAILED_KEEP_MS (24 * 60 * 60 * 1000LL)

const char *
pos_print_job_state_to_string (PosPrintJobState state)
{
  switch (state)
    {
    case POS_PRINT_JOB_STATE_QUEUED:    return "queued";
    case POS_PRINT_JOB_STATE_SENT:      return "sent";
    case POS_PRINT_JOB_STATE_WAITING:   return "waiting";
    case POS_PRINT_JOB_STATE_COMPLETED: return "completed";
    case POS_PRINT_JOB_STATE_FAILED:    return "failed";
    case POS_PRINT_JOB_STATE_CANCELLED: return "cancelled";
    default:                            return "unknown";
    }
}

/* The state column: WAITING is 'sent' with a message. */
static const char *
db_state (PosPrintJobState state)
{
  return state == POS_PRINT_JOB_STATE_WAITING ? "sent" : pos_print_job_state_to_string (state);
}

G_DEFINE_BOXED_TYPE (PosPrintJob, pos_print_job, pos_print_job_copy, pos_print_job_free)

PosPrintJob *
pos_print_job_copy (const PosPrintJob *job)
{
  PosPrintJob *copy = g_new0 (PosPrintJob, 1);

  *copy = *job;
  copy->id = g_strdup (job->id);
  copy->printer = g_strdup (job->printer);
  copy->title = g_strdup (job->title);
  copy->sale_id = g_strdup (job->sale_id);
  copy->message = g_strdup (job->message);
  return copy;
}

void
pos_print_job_free (PosPrintJob *job)
{
  if (job == NULL)
    return;
  g_free (job->id);
  g_free (job->printer);
  g_free (job->title);
  g_free (job->sale_id);
  g_free (job->message);
  g_free (job);
}

/* ---- the worker ---- */

typedef enum {
  CMD_SUBMIT,
  CMD_RETRY,
  CMD_ELSEWHERE,
  CMD_CANCEL,
  CMD_STOP,
} CommandType;

typedef struct {
  CommandType  type;
  char        *id;
  char        *printer;
  char        *title;
  char        *format;
  GBytes      *data;
  char        *sale_id;
} Command;

static void
command_free (Command *cmd)
{
  g_free (cmd->id);
  g_free (cmd->printer);
  g_free (cmd->title);
  g_free (cmd->format);
  g_clear_pointer (&cmd->data, g_bytes_unref);
  g_free (cmd->sale_id);
  g_free (cmd);
}

/* A job as the worker holds it. */
typedef struct {
  PosPrintJob  job;
  char        *format;
  GBytes      *data;
  gint64       pending_since;   /* monotonic: sent, or last seen with a problem */
} Active;

static void
active_free (Active *active)
{
  g_free (active->job.id);
  g_free (active->job.printer);
  g_free (active->job.title);
  g_free (active->job.sale_id);
  g_free (active->job.message);
  g_free (active->format);
  g_clear_pointer (&active->data, g_bytes_unref);
  g_free (active);
}

typedef struct {
  gatomicrefcount  ref;
  GAsyncQueue     *commands;
  PosDatabase     *db;           /* the owner's: only to acquire a worker connection */
  PosDatabase     *conn;         /* the worker thread's, may be NULL */
  GMainContext    *owner;
  GWeakRef         queue;
  guint            poll_ms;
  guint            stall_ms;
  GHashTable      *jobs;         /* worker thread only: id → Active, not finished */
  GThread         *thread;
} Worker;

static Worker *
worker_ref (Worker *worker)
{
  g_atomic_ref_count_inc (&worker->ref);
  return worker;
}

static void
worker_unref (Worker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref))
    return;
  g_async_queue_unref (worker->commands);
  g_clear_object (&worker->db);
  g_main_context_unref (worker->owner);
  g_weak_ref_clear (&worker->queue);
  g_hash_table_unref (worker->jobs);
  g_free (worker);
}

struct _PosPrintQueue
{
  GObject      parent_instance;

  PosDatabase *database;
  guint        poll_ms;
  guint        stall_ms;
  Worker      *worker;
  GHashTable  *jobs;        /* owner context: id → PosPrintJob, as last signalled */
};

G_DEFINE_FINAL_TYPE (PosPrintQueue, pos_print_queue, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_POLL_INTERVAL_MS,
  PROP_STALL_TIMEOUT_MS,
  N_PROPS
};

enum {
  JOB_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct {
  Worker      *worker;
  PosPrintJob *job;
} Emission;

static gboolean
emit_in_owner (gpointer data)
{
  Emission *emission = data;
  g_autoptr(PosPrintQueue) self = g_weak_ref_get (&emission->worker->queue);

  if (self != NULL)
    {
      if (emission->job->state == POS_PRINT_JOB_STATE_COMPLETED ||
          emission->job->state == POS_PRINT_JOB_STATE_CANCELLED)
        g_hash_table_remove (self->jobs, emission->job->id);
      else
        g_hash_table_replace (self->jobs, g_strdup (emission->job->id),
                              pos_print_job_copy (emission->job));
      g_signal_emit (self, signals[JOB_CHANGED], 0, emission->job);
    }
  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  worker_unref (emission->worker);
  pos_print_job_free (emission->job);
  g_free (emission);
}

static void
emit_job (Worker *worker,
          Active *active)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->worker = worker_ref (worker);
  emission->job = pos_print_job_copy (&active->job);
  g_main_context_invoke_full (worker->owner, G_PRIORITY_DEFAULT, emit_in_owner,
                              emission, emission_free);
}

static void
db_write (Worker *worker,
          Active *active,
          gboolean insert)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  gboolean finished = active->job.state == POS_PRINT_JOB_STATE_COMPLETED ||
                      active->job.state == POS_PRINT_JOB_STATE_CANCELLED;
  gsize size;
  const void *bytes;

  if (worker->conn == NULL)
    return;

  if (insert)
    {
      stmt = pos_database_prepare_cached (worker->conn,
                                          "INSERT INTO print_jobs (id, printer, title, format, data, "
                                          "sale_id, state, created_at, updated_at) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?7)",
                                          &error);
      if (stmt == NULL)
        goto fail;
      bytes = g_bytes_get_data (active->data, &size);
      sqlite3_bind_text (stmt, 1, active->job.id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, active->job.printer, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, active->job.title, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, active->format, -1, SQLITE_STATIC);
      sqlite3_bind_blob64 (stmt, 5, bytes != NULL ? bytes : "", size, SQLITE_STATIC);
      pos_database_bind_text (stmt, 6, active->job.sale_id);
      sqlite3_bind_int64 (stmt, 7, pos_now_ms ());
    }
  else
    {
      /* A finished job keeps its row, without the document. */
      stmt = pos_database_prepare_cached (worker->conn,
                                          "UPDATE print_jobs SET printer = ?2, state = ?3, cups_job_id = ?4, "
                                          "message = ?5, error_code = ?6, attempts = ?7, updated_at = ?8, "
                                          "data = CASE WHEN ?9 THEN x'' ELSE data END WHERE id = ?1",
                                          &error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, active->job.id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, active->job.printer, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, db_state (active->job.state), -1, SQLITE_STATIC);
      if (active->job.cups_job_id > 0)
        sqlite3_bind_int (stmt, 4, active->job.cups_job_id);
      pos_database_bind_text (stmt, 5, active->job.message);
      if (active->job.error_code >= 0)
        sqlite3_bind_int (stmt, 6, active->job.error_code);
      sqlite3_bind_int (stmt, 7, active->job.attempts);
      sqlite3_bind_int64 (stmt, 8, pos_now_ms ());
      sqlite3_bind_int (stmt, 9, finished);
    }

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      pos_database_set_error (worker->conn, &error, "print_jobs");
      sqlite3_reset (stmt);
      goto fail;
    }
  sqlite3_reset (stmt);
  return;

fail:
  g_warning ("Could not save print job %s: %s", active->job.id, error->message);
}

/* The problem's message followed by what the cashier can do. */
static void
set_job_problem (Active       *active,
                 PosPrintJobState state,
                 const GError *problem)
{
  const char *advice;

  if (state == POS_PRINT_JOB_STATE_WAITING)
    advice = active->job.sale_id != NULL
             ? _("The sale is saved; the receipt prints when the printer is ready, or print it elsewhere.")
             : _("It prints when the printer is ready, or print it elsewhere.");
  else
    advice = active->job.sale_id != NULL
             ? _("The sale is saved; retry, print elsewhere or reprint from History.")
             : _("Retry or print elsewhere.");

  active->job.state = state;
  active->job.error_code = problem->domain == POS_PRINTER_ERROR ? problem->code : POS_PRINTER_ERROR_FAILED;
  g_free (active->job.message);
  active->job.message = g_strdup_printf ("%s %s", problem->message, advice);
}

static void
clear_job_problem (Active           *active,
                   PosPrintJobState  state)
{
  active->job.state = state;
  active->job.error_code = -1;
  g_clear_pointer (&active->job.message, g_free);
}

static void
send_job (Worker *worker,
          Active *active)
{
  g_autoptr(GError) error = NULL;
  int cups_job_id;

  active->job.attempts++;
  cups_job_id = pos_printer_submit_sync (active->job.printer, active->job.title, active->format,
                                         active->data, NULL, &error);
  if (cups_job_id > 0)
    {
      active->job.cups_job_id = cups_job_id;
      active->pending_since = g_get_monotonic_time ();
      clear_job_problem (active, POS_PRINT_JOB_STATE_SENT);
    }
  else
    {
      active->job.cups_job_id = 0;
      set_job_problem (active, POS_PRINT_JOB_STATE_FAILED, error);
    }
  db_write (worker, active, FALSE);
  emit_job (worker, active);
}

/* Looks at a job at the printer; TRUE when it finished (and was removed). */
static gboolean
follow_job (Worker *worker,
            Active *active)
{
  g_autoptr(GError) problem = NULL;
  g_autoptr(GError) error = NULL;
  PosPrintJobStatus status;
  PosPrintJobState old_state = active->job.state;
  g_autofree char *old_message = g_strdup (active->job.message);
  gint64 now = g_get_monotonic_time ();

  status = pos_printer_get_job_status_sync (active->job.printer, active->job.cups_job_id,
                                            &problem, NULL, &error);
  if (error != NULL)
    {
      /* The printer, or CUPS, does not answer now: a problem once it lasts. */
      if (now - active->pending_since > (gint64) worker->stall_ms * 1000)
        set_job_problem (active, POS_PRINT_JOB_STATE_WAITING, error);
    }
  else if (status == POS_PRINT_JOB_COMPLETED)
    clear_job_problem (active, POS_PRINT_JOB_STATE_COMPLETED);
  else if (status == POS_PRINT_JOB_FAILED)
    {
      g_autofree char *text = pos_printer_format_problem (POS_PRINTER_ERROR_FAILED, active->job.printer);
      GError fallback = { POS_PRINTER_ERROR, POS_PRINTER_ERROR_FAILED, text };

      set_job_problem (active, POS_PRINT_JOB_STATE_FAILED, problem != NULL ? problem : &fallback);
    }
  else if (problem != NULL)
    {
      active->pending_since = now;
      set_job_problem (active, POS_PRINT_JOB_STATE_WAITING, problem);
    }
  else if (now - active->pending_since > (gint64) worker->stall_ms * 1000)
    {
      g_autofree char *text = pos_printer_format_problem (POS_PRINTER_ERROR_UNREACHABLE, active->job.printer);
      GError stalled = { POS_PRINTER_ERROR, POS_PRINTER_ERROR_UNREACHABLE, text };

      set_job_problem (active, POS_PRINT_JOB_STATE_WAITING, &stalled);
    }
  else if (active->job.state == POS_PRINT_JOB_STATE_WAITING)
    clear_job_problem (active, POS_PRINT_JOB_STATE_SENT);

  if (active->job.state != old_state || g_strcmp0 (old_message, active->job.message) != 0)
    {
      db_write (worker, active, FALSE);
      emit_job (worker, active);
    }

  if (active->job.state == POS_PRINT_JOB_STATE_COMPLETED)
    {
      g_hash_table_remove (worker->jobs, active->job.id);
      return TRUE;
    }
  return FALSE;
}

static void
cancel_at_printer (Active *active)
{
  g_autoptr(GError) error = NULL;

  if (active->job.cups_job_id > 0 &&
      (active->job.state == POS_PRINT_JOB_STATE_SENT || active->job.state == POS_PRINT_JOB_STATE_WAITING) &&
      !pos_printer_cancel_job_sync (active->job.printer, active->job.cups_job_id, &error))
    g_debug ("Cancel job %d at %s: %s", active->job.cups_job_id, active->job.printer, error->message);
  active->job.cups_job_id = 0;
}

static void
load_jobs (Worker *worker)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (worker->conn == NULL)
    return;
  stmt = pos_database_prepare_cached (worker->conn,
                                      "SELECT id, printer, title, format, data, sale_id, state, "
                                      "cups_job_id, message, error_code, attempts FROM print_jobs "
                                      "WHERE state IN ('queued', 'sent') OR (state = 'failed' AND updated_at > ?1) "
                                      "ORDER BY created_at",
                                      &error);
  if (stmt == NULL)
    {
      g_warning ("Could not read the print jobs: %s", error->message);
      return;
    }
  sqlite3_bind_int64 (stmt, 1, pos_now_ms () - FAILED_KEEP_MS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Active *active = g_new0 (Active, 1);
      const char *state = (const char *) sqlite3_column_text (stmt, 6);

      active->job.id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      active->job.printer = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      active->job.title = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      active->format = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      active->data = g_bytes_new (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4));
      active->job.sale_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      active->job.cups_job_id = sqlite3_column_int (stmt, 7);
      active->job.message = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      active->job.error_code = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 9);
      active->job.attempts = sqlite3_column_int (stmt, 10);
      active->pending_since = g_get_monotonic_time ();
      if (g_str_equal (state, "queued"))
        active->job.state = POS_PRINT_JOB_STATE_QUEUED;
      else if (g_str_equal (state, "failed"))
        active->job.state = POS_PRINT_JOB_STATE_FAILED;
      else
        active->job.state = active->job.message != NULL ? POS_PRINT_JOB_STATE_WAITING : POS_PRINT_JOB_STATE_SENT;
      g_hash_table_replace (worker->jobs, active->job.id, active);
    }
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (worker->conn, &error, "print_jobs");
      g_warning ("Could not read the print jobs: %s", error->message);
    }
  sqlite3_reset (stmt);
}

static void
handle_command (Worker  *worker,
                Command *cmd)
{
  Active *active;

  if (cmd->type == CMD_SUBMIT)
    {
      active = g_new0 (Active, 1);
      active->job.id = g_steal_pointer (&cmd->id);
      active->job.printer = g_steal_pointer (&cmd->printer);
      active->job.title = g_steal_pointer (&cmd->title);
      active->job.sale_id = g_steal_pointer (&cmd->sale_id);
      active->job.state = POS_PRINT_JOB_STATE_QUEUED;
      active->job.error_code = -1;
      active->format = g_steal_pointer (&cmd->format);
      active->data = g_steal_pointer (&cmd->data);
      g_hash_table_replace (worker->jobs, active->job.id, active);
      db_write (worker, active, TRUE);
      emit_job (worker, active);
      send_job (worker, active);
      return;
    }

  active = g_hash_table_lookup (worker->jobs, cmd->id);
  if (active == NULL)
    {
      g_debug ("Print job %s is not waiting: nothing to do", cmd->id);
      return;
    }

  cancel_at_printer (active);
  switch (cmd->type)
    {
    case CMD_CANCEL:
      clear_job_problem (active, POS_PRINT_JOB_STATE_CANCELLED);
      db_write (worker, active, FALSE);
      emit_job (worker, active);
      g_hash_table_remove (worker->jobs, cmd->id);
      break;
    case CMD_ELSEWHERE:
      g_free (active->job.printer);
      active->job.printer = g_steal_pointer (&cmd->printer);
      send_job (worker, active);
      break;
    case CMD_RETRY:
      send_job (worker, active);
      break;
    case CMD_SUBMIT:
    case CMD_STOP:
    default:
      break;
    }
}

static int
compare_active (gconstpointer a,
                gconstpointer b)
{
  return g_strcmp0 (((const Active *) a)->job.id, ((const Active *) b)->job.id);
}

/* The worker's jobs, oldest first (UUIDv7 ids sort by time). */
static GList *
sorted_jobs (Worker *worker)
{
  return g_list_sort (g_hash_table_get_values (worker->jobs), compare_active);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr(GError) error = NULL;
  GList *list;
  gint64 last_poll = 0;

  worker->conn = pos_database_acquire_worker (worker->db, &error);
  if (worker->conn == NULL)
    g_warning ("Print jobs will not be kept: %s", error->message);

  load_jobs (worker);
  list = sorted_jobs (worker);
  for (GList *l = list; l != NULL; l = l->next)
    {
      Active *active = l->data;

      emit_job (worker, active);
      if (active->job.state == POS_PRINT_JOB_STATE_QUEUED)
        send_job (worker, active);
    }
  g_list_free (list);

  for (;;)
    {
      Command *cmd = g_async_queue_timeout_pop (worker->commands, (guint64) worker->poll_ms * 1000);
      gint64 now;

      if (cmd != NULL)
        {
          gboolean stop = cmd->type == CMD_STOP;

          if (!stop)
            handle_command (worker, cmd);
          command_free (cmd);
          if (stop)
            break;
        }

      now = g_get_monotonic_time ();
      if (now - last_poll < (gint64) worker->poll_ms * 1000)
        continue;
      last_poll = now;

      list = sorted_jobs (worker);
      for (GList *l = list; l != NULL; l = l->next)
        {
          Active *active = l->data;

          if (active->job.state == POS_PRINT_JOB_STATE_SENT ||
              active->job.state == POS_PRINT_JOB_STATE_WAITING)
            follow_job (worker, active);
        }
      g_list_free (list);
    }

  g_hash_table_remove_all (worker->jobs);
  if (worker->conn != NULL)
    pos_database_release_worker (worker->db, g_steal_pointer (&worker->conn));
  worker_unref (worker);
  return NULL;
}

static void
push_command (PosPrintQueue *self,
              Command       *cmd)
{
  g_async_queue_push (self->worker->commands, cmd);
}

/* ---- the queue ---- */

char *
pos_print_queue_submit (PosPrintQueue *self,
                        const char    *printer,
                        const char    *title,
                        const char    *format,
                        GBytes        *data,
                        const char    *sale_id)
{
  Command *cmd;
  char *id;

  g_return_val_if_fail (POS_IS_PRINT_QUEUE (self), NULL);
  g_return_val_if_fail (printer != NULL && *printer != '\0', NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  cmd = g_new0 (Command, 1);
  cmd->type = CMD_SUBMIT;
  cmd->id = pos_uuid7_new ();
  cmd->printer = g_strdup (printer);
  cmd->title = g_strdup (title);
  cmd->format = g_strdup (format);
  cmd->data = g_bytes_ref (data);
  cmd->sale_id = g_strdup (sale_id);
  id = g_strdup (cmd->id);
  push_command (self, cmd);
  return id;
}

static void
push_simple (PosPrintQueue *self,
             CommandType    type,
             const char    *job_id,
             const char    *printer)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->type = type;
  cmd->id = g_strdup (job_id);
  cmd->printer = g_strdup (printer);
  push_command (self, cmd);
}

void
pos_print_queue_retry (PosPrintQueue *self,
                       const char    *job_id)
{
  g_return_if_fail (POS_IS_PRINT_QUEUE (self));
  g_return_if_fail (job_id != NULL);
  push_simple (self, CMD_RETRY, job_id, NULL);
}

void
pos_print_queue_print_elsewhere (PosPrintQueue *self,
                                 const char    *job_id,
                                 const char    *printer)
{
  g_return_if_fail (POS_IS_PRINT_QUEUE (self));
  g_return_if_fail (job_id != NULL);
  g_return_if_fail (printer != NULL && *printer != '\0');
  push_simple (self, CMD_ELSEWHERE, job_id, printer);
}

void
pos_print_queue_cancel (PosPrintQueue *self,
                        const char    *job_id)
{
  g_return_if_fail (POS_IS_PRINT_QUEUE (self));
  g_return_if_fail (job_id != NULL);
  push_simple (self, CMD_CANCEL, job_id, NULL);
}

static int
compare_jobs (gconstpointer a,
              gconstpointer b)
{
  const PosPrintJob *ja = *(PosPrintJob * const *) a;
  const PosPrintJob *jb = *(PosPrintJob * const *) b;

  /* UUIDv7 ids sort by time */
  return g_strcmp0 (ja->id, jb->id);
}

GPtrArray *
pos_print_queue_get_jobs (PosPrintQueue *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_print_job_free);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (POS_IS_PRINT_QUEUE (self), list);

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, pos_print_job_copy (value));
  g_ptr_array_sort (list, compare_jobs);
  return list;
}

PosPrintQueue *
pos_print_queue_new (PosDatabase *database)
{
  g_return_val_if_fail (POS_IS_DATABASE (database), NULL);
  return g_object_new (POS_TYPE_PRINT_QUEUE, "database", database, NULL);
}

static void
pos_print_queue_constructed (GObject *object)
{
  PosPrintQueue *self = POS_PRINT_QUEUE (object);
  Worker *worker = g_new0 (Worker, 1);

  G_OBJECT_CLASS (pos_print_queue_parent_class)->constructed (object);

  g_return_if_fail (self->database != NULL);

  g_atomic_ref_count_init (&worker->ref);
  worker->commands = g_async_queue_new_full ((GDestroyNotify) command_free);
  worker->db = g_object_ref (self->database);
  worker->owner = g_main_context_ref_thread_default ();
  g_weak_ref_init (&worker->queue, self);
  worker->poll_ms = self->poll_ms;
  worker->stall_ms = self->stall_ms;
  worker->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) active_free);
  self->worker = worker;
  worker->thread = g_thread_new ("balcao-print", worker_thread, worker_ref (worker));
}

static void
pos_print_queue_dispose (GObject *object)
{
  PosPrintQueue *self = POS_PRINT_QUEUE (object);

  if (self->worker != NULL)
    {
      Command *stop = g_new0 (Command, 1);

      stop->type = CMD_STOP;
      g_async_queue_push (self->worker->commands, stop);
      g_thread_join (g_steal_pointer (&self->worker->thread));
      g_weak_ref_set (&self->worker->queue, NULL);
      g_clear_pointer (&self->worker, worker_unref);
    }
  g_clear_object (&self->database);

  G_OBJECT_CLASS (pos_print_queue_parent_class)->dispose (object);
}

static void
pos_print_queue_finalize (GObject *object)
{
  PosPrintQueue *self = POS_PRINT_QUEUE (object);

  g_hash_table_unref (self->jobs);

  G_OBJECT_CLASS (pos_print_queue_parent_class)->finalize (object);
}

static void
pos_print_queue_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PosPrintQueue *self = POS_PRINT_QUEUE (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_POLL_INTERVAL_MS:
      self->poll_ms = g_value_get_uint (value);
      break;
    case PROP_STALL_TIMEOUT_MS:
      self->stall_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_print_queue_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PosPrintQueue *self = POS_PRINT_QUEUE (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_POLL_INTERVAL_MS:
      g_value_set_uint (value, self->poll_ms);
      break;
    case PROP_STALL_TIMEOUT_MS:
      g_value_set_uint (value, self->stall_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_print_queue_class_init (PosPrintQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pos_print_queue_constructed;
  object_class->dispose = pos_print_queue_dispose;
  object_class->finalize = pos_print_queue_finalize;
  object_class->set_property = pos_print_queue_set_property;
  object_class->get_property = pos_print_queue_get_property;

  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, POS_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_INTERVAL_MS] =
    g_param_spec_uint ("poll-interval-ms", NULL, NULL, 10, 60000, 500,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STALL_TIMEOUT_MS] =
    g_param_spec_uint ("stall-timeout-ms", NULL, NULL, 0, G_MAXUINT, 20000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[JOB_CHANGED] =
    g_signal_new ("job-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  POS_TYPE_PRINT_JOB | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
pos_print_queue_init (PosPrintQueue *self)
{
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pos_print_job_free);
}
