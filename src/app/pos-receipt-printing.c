/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "devices/pos-receipt-escpos.h"
#include "devices/pos-receipt-pdf.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"

#include "pos-receipt-printing.h"
#include "pos-window.h"

struct _PosReceiptPrinting {
  GObject        parent_instance;

  GtkWindow     *window;   /* weak */
  PosDatabase   *db;
  PosPrintQueue *queue;
  GHashTable    *toasts;   /* job id -> AdwToast* (ref), the one shown for it */
};

G_DEFINE_FINAL_TYPE (PosReceiptPrinting, pos_receipt_printing, G_TYPE_OBJECT)

static void
show_toast (PosReceiptPrinting *self,
            AdwToast           *toast)
{
  if (POS_IS_WINDOW (self->window))
    pos_window_show_toast (POS_WINDOW (self->window), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (g_object_ref_sink (toast));
    }
}

static void
add_toast (PosReceiptPrinting *self,
           const char         *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  show_toast (self, toast);
}

/* ------------------------------------------------------------------ */
/* Print elsewhere / retry                                             */

typedef struct {
  PosReceiptPrinting *self;
  char               *job_id;
  GtkWidget          *dropdown;
  GtkStringList      *names;     /* queue names, in the dropdown's order */
  GtkStringList      *labels;
  GCancellable       *cancellable;
} JobDialog;

static void
job_dialog_free (JobDialog *d)
{
  g_cancellable_cancel (d->cancellable);
  g_clear_object (&d->cancellable);
  g_clear_object (&d->self);
  g_free (d->job_id);
  g_clear_object (&d->names);
  g_clear_object (&d->labels);
  g_free (d);
}

static void
on_destinations_listed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  AdwMessageDialog *dialog = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) printers = pos_printer_list_finish (result, &error);
  JobDialog *d;

  if (printers == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (dialog);
      return;
    }
  d = g_object_get_data (G_OBJECT (dialog), "job-dialog");
  if (d == NULL)
    {
      g_object_unref (dialog);
      return;
    }
  if (printers == NULL)
    {
      g_autofree char *body = g_strdup_printf ("%s\n\n%s", adw_message_dialog_get_body (dialog), error->message);
      adw_message_dialog_set_body (dialog, body);
    }
  else
    {
      for (guint i = 0; i < printers->len; i++)
        {
          PosPrinterInfo *info = g_ptr_array_index (printers, i);
          g_autofree char *state = pos_printer_info_describe (info);
          g_autofree char *label = g_strdup_printf ("%s — %s", info->info, state);

          gtk_string_list_append (d->names, info->name);
          gtk_string_list_append (d->labels, label);
        }
      adw_message_dialog_set_response_enabled (dialog, "elsewhere", printers->len > 0);
    }
  g_object_unref (dialog);
}

static void
on_job_dialog_response (AdwMessageDialog *dialog,
                        const char       *response,
                        JobDialog        *d)
{
  if (g_strcmp0 (response, "retry") == 0)
    pos_print_queue_retry (d->self->queue, d->job_id);
  else if (g_strcmp0 (response, "elsewhere") == 0)
    {
      guint pos = gtk_drop_down_get_selected (GTK_DROP_DOWN (d->dropdown));
      const char *name = pos != GTK_INVALID_LIST_POSITION ? gtk_string_list_get_string (d->names, pos) : NULL;

      if (name != NULL)
        pos_print_queue_print_elsewhere (d->self->queue, d->job_id, name);
    }
}

static void
present_job_dialog (PosReceiptPrinting *self,
                    const char         *job_id,
                    const char         *message,
                    gboolean            offer_retry)
{
  AdwMessageDialog *dialog;
  GtkWidget *box, *label;
  JobDialog *d = g_new0 (JobDialog, 1);

  d->self = g_object_ref (self);
  d->job_id = g_strdup (job_id);
  d->names = gtk_string_list_new (NULL);
  d->labels = gtk_string_list_new (NULL);
  d->cancellable = g_cancellable_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (self->window,
                                                       offer_retry ? _("Receipt Not Printed")
                                                                   : _("Print the Receipt Elsewhere"),
                                                       message));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_label_new_with_mnemonic (_("_Printer"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  d->dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (d->labels)), NULL);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), d->dropdown);
  gtk_box_append (GTK_BOX (box), d->dropdown);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  if (offer_retry)
    adw_message_dialog_add_response (dialog, "retry", _("_Retry"));
  adw_message_dialog_add_response (dialog, "elsewhere", _("Print _Elsewhere"));
  adw_message_dialog_set_response_enabled (dialog, "elsewhere", FALSE);
  adw_message_dialog_set_response_appearance (dialog, offer_retry ? "retry" : "elsewhere",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, offer_retry ? "retry" : "close");
  adw_message_dialog_set_close_response (dialog, "close");

  g_object_set_data_full (G_OBJECT (dialog), "job-dialog", d, (GDestroyNotify) job_dialog_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_job_dialog_response), d);
  pos_printer_list_async (d->cancellable, on_destinations_listed, g_object_ref (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------ */
/* job-changed → toasts                                                */

typedef struct {
  PosReceiptPrinting *self;      /* weak */
  char               *job_id;
  char               *message;
  gboolean            failed;
} ToastData;

static void
toast_data_free (gpointer data,
                 GClosure *closure)
{
  ToastData *t = data;

  g_clear_weak_pointer (&t->self);
  g_free (t->job_id);
  g_free (t->message);
  g_free (t);
}

static void
on_toast_button (AdwToast  *toast,
                 ToastData *t)
{
  if (t->self != NULL)
    present_job_dialog (t->self, t->job_id, t->message, t->failed);
}

static void
on_toast_dismissed (AdwToast  *toast,
                    ToastData *t)
{
  if (t->self != NULL && t->self->toasts != NULL &&
      g_hash_table_lookup (t->self->toasts, t->job_id) == toast)
    g_hash_table_remove (t->self->toasts, t->job_id);
}

static void
on_job_changed (PosPrintQueue      *queue,
                PosPrintJob        *job,
                PosReceiptPrinting *self)
{
  AdwToast *old = g_hash_table_lookup (self->toasts, job->id);
  AdwToast *toast;
  ToastData *t;
  gboolean failed = job->state == POS_PRINT_JOB_STATE_FAILED;

  g_debug ("Print job %s (%s): %s%s%s", job->id, job->title, pos_print_job_state_to_string (job->state),
           job->message != NULL ? ": " : "", job->message != NULL ? job->message : "");

  if (old != NULL)
    {
      /* the same problem again: the toast shown says it already */
      if (job->state == POS_PRINT_JOB_STATE_WAITING &&
          g_strcmp0 (g_object_get_data (G_OBJECT (old), "message"), job->message) == 0)
        return;
      g_object_ref (old);
      g_hash_table_remove (self->toasts, job->id);
      adw_toast_dismiss (old);
      g_object_unref (old);
    }
  if (job->state != POS_PRINT_JOB_STATE_WAITING && !failed)
    return;

  toast = adw_toast_new (job->message != NULL ? job->message : _("The receipt was not printed."));
  adw_toast_set_timeout (toast, failed ? 0 : 10);
  adw_toast_set_button_label (toast, failed ? _("_Retry…") : _("Print _Elsewhere…"));
  g_object_set_data_full (G_OBJECT (toast), "message", g_strdup (job->message), g_free);
  t = g_new0 (ToastData, 1);
  g_set_weak_pointer (&t->self, self);
  t->job_id = g_strdup (job->id);
  t->message = g_strdup (job->message);
  t->failed = failed;
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_toast_button), t, toast_data_free, 0);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed), t);
  g_hash_table_insert (self->toasts, g_strdup (job->id), g_object_ref (toast));
  show_toast (self, toast);
}

/* ------------------------------------------------------------------ */
/* Rendering a receipt off the UI thread                               */

typedef struct {
  char               *sale_id;     /* or the shift (NULL: the open one) when shift */
  gboolean            shift;
  PosReceiptDoc      *doc;         /* a document built by the caller (print_doc) */
  gboolean            reprint;
  gboolean            open_drawer;
  PosPrinterSettings *settings;
  /* results */
  char               *id;
  char               *title;
  GBytes             *data;
  gboolean            pulse_sent;  /* the pulse is in data */
  gboolean            drawer;      /* the drawer should open */
} RenderData;

static void
render_data_free (RenderData *r)
{
  g_free (r->sale_id);
  g_clear_pointer (&r->doc, pos_receipt_doc_free);
  g_clear_pointer (&r->settings, pos_printer_settings_free);
  g_free (r->id);
  g_free (r->title);
  g_clear_pointer (&r->data, g_bytes_unref);
  g_free (r);
}

static gboolean
paid_in_cash (const PosSaleRecord *record)
{
  for (guint i = 0; record->payments != NULL && i < record->payments->len; i++)
    {
      const PosPayment *payment = g_ptr_array_index (record->payments, i);

      if (payment->method == POS_PAYMENT_CASH && payment->amount != 0)
        return TRUE;
    }
  return FALSE;
}

static void
render_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosReceiptPrinting *self = source;
  RenderData *r = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) record = NULL;
  g_autoptr(PosStoreInfo) store = NULL;
  g_autoptr(PosCustomerSummary) customer = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  PosDatabase *worker = NULL;

  if (r->doc != NULL)
    doc = g_steal_pointer (&r->doc);
  else if ((worker = pos_database_acquire_worker (self->db, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (doc != NULL)
    ;  /* built by the caller, titled by it */
  else if (r->shift)
    {
      /* an X or Z report: the same path as a receipt, never the drawer */
      g_autoptr(PosShiftReport) report = pos_shifts_report (worker, r->sale_id, &error);

      if (report != NULL)
        store = pos_database_get_store_info (worker, &error);
      pos_database_release_worker (self->db, worker);
      if (report == NULL || store == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      r->id = NULL;
      r->title = g_strdup_printf (report->has_count ? _("Z report of shift %u") : _("X report of shift %u"),
                                  report->number);
      doc = pos_receipt_doc_new_for_shift (report, store);
    }
  else
    {
      record = pos_sales_load (worker, r->sale_id, &error);
      if (record != NULL)
        store = pos_database_get_store_info (worker, &error);
      if (record != NULL && store != NULL && record->customer_id != NULL)
        {
          g_autoptr(GError) customer_error = NULL;

          customer = pos_customers_get (worker, record->customer_id, &customer_error);
          if (customer == NULL)
            g_debug ("The receipt goes without the customer: %s", customer_error->message);
        }
      pos_database_release_worker (self->db, worker);
      if (record == NULL || store == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      r->id = g_strdup (record->id);
      r->title = g_strdup_printf (g_strcmp0 (record->kind, "return") == 0 ? _("Return %s") : _("Sale %s"),
                                  record->number);
      r->drawer = r->open_drawer && paid_in_cash (record);
      doc = pos_receipt_doc_new_for_sale (record, store, customer, r->reprint);
    }
  if (r->settings->kind == POS_PRINTER_KIND_ESCPOS_RAW)
    {
      PosEscposOptions options;
      g_autoptr(GBytes) receipt = NULL;

      pos_escpos_options_init (&options);
      options.columns = (guint) r->settings->width;
      options.code_page = (guint) r->settings->code_page;
      receipt = pos_receipt_render_escpos (doc, &options);
      if (r->drawer)
        {
          g_autoptr(GBytes) pulse = pos_escpos_drawer_pulse (0);
          GByteArray *both = g_byte_array_new ();

          g_byte_array_append (both, g_bytes_get_data (receipt, NULL), g_bytes_get_size (receipt));
          g_byte_array_append (both, g_bytes_get_data (pulse, NULL), g_bytes_get_size (pulse));
          r->data = g_byte_array_free_to_bytes (both);
          r->pulse_sent = TRUE;
        }
      else
        r->data = g_steal_pointer (&receipt);
    }
  else
    {
      r->data = pos_receipt_render_pdf (doc, POS_RECEIPT_PAPER_80MM, &error);
      if (r->data == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_drawer_opened (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PosReceiptPrinting) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pos_printer_open_drawer_finish (result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The cash drawer did not open: %s"), error->message);

      add_toast (self, text);
    }
}

static void
on_rendered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  PosReceiptPrinting *self = POS_RECEIPT_PRINTING (source);
  RenderData *r = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *job_id = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = r->shift || r->sale_id == NULL
        /* Translators: %s is what was printed ("X report of shift 3"), then why not */
        ? g_strdup_printf (_("“%s” could not be printed: %s"), r->title != NULL ? r->title : _("The report"),
                           error->message)
        : g_strdup_printf (_("The receipt could not be printed: %s The sale is saved; reprint from History."),
                           error->message);

      add_toast (self, text);
      return;
    }
  job_id = pos_print_queue_submit (self->queue, r->settings->printer, r->title,
                                   pos_printer_kind_get_format (r->settings->kind), r->data, r->id);
  g_debug ("Receipt %s: print job %s", r->title, job_id);
  if (r->drawer && !r->pulse_sent)
    pos_printer_open_drawer_async (r->settings->printer, NULL, on_drawer_opened, g_object_ref (self));
}

void
pos_receipt_printing_print_sale (PosReceiptPrinting *self,
                                 const char         *sale_id,
                                 gboolean            reprint,
                                 gboolean            open_drawer)
{
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(GTask) task = NULL;
  RenderData *r;

  g_return_if_fail (POS_IS_RECEIPT_PRINTING (self));
  g_return_if_fail (sale_id != NULL);

  settings = pos_printer_settings_load (self->db);
  if (settings->printer == NULL)
    return;
  r = g_new0 (RenderData, 1);
  r->sale_id = g_strdup (sale_id);
  r->reprint = reprint;
  r->open_drawer = open_drawer;
  r->settings = g_steal_pointer (&settings);
  task = g_task_new (self, NULL, on_rendered, NULL);
  g_task_set_source_tag (task, pos_receipt_printing_print_sale);
  g_task_set_task_data (task, r, (GDestroyNotify) render_data_free);
  g_task_run_in_thread (task, render_thread);
}

void
pos_receipt_printing_print_doc (PosReceiptPrinting *self,
                                PosReceiptDoc      *doc,
                                const char         *title)
{
  g_autoptr(PosReceiptDoc) owned = doc;
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(GTask) task = NULL;
  RenderData *r;

  g_return_if_fail (POS_IS_RECEIPT_PRINTING (self));
  g_return_if_fail (doc != NULL);

  settings = pos_printer_settings_load (self->db);
  if (settings->printer == NULL)
    return;
  r = g_new0 (RenderData, 1);
  r->doc = g_steal_pointer (&owned);
  r->title = g_strdup (title != NULL ? title : r->doc->title);
  r->settings = g_steal_pointer (&settings);
  task = g_task_new (self, NULL, on_rendered, NULL);
  g_task_set_source_tag (task, pos_receipt_printing_print_doc);
  g_task_set_task_data (task, r, (GDestroyNotify) render_data_free);
  g_task_run_in_thread (task, render_thread);
}

gboolean
pos_receipt_printing_print_shift (PosReceiptPrinting *self,
                                  const char         *shift)
{
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(GTask) task = NULL;
  RenderData *r;

  g_return_val_if_fail (POS_IS_RECEIPT_PRINTING (self), FALSE);

  settings = pos_printer_settings_load (self->db);
  if (settings->printer == NULL)
    return FALSE;
  r = g_new0 (RenderData, 1);
  r->sale_id = g_strdup (shift);
  r->shift = TRUE;
  r->settings = g_steal_pointer (&settings);
  task = g_task_new (self, NULL, on_rendered, NULL);
  g_task_set_source_tag (task, pos_receipt_printing_print_shift);
  g_task_set_task_data (task, r, (GDestroyNotify) render_data_free);
  g_task_run_in_thread (task, render_thread);
  return TRUE;
}

gboolean
pos_receipt_printing_open_drawer (PosReceiptPrinting *self)
{
  g_autoptr(PosPrinterSettings) settings = NULL;

  g_return_val_if_fail (POS_IS_RECEIPT_PRINTING (self), FALSE);

  settings = pos_printer_settings_load (self->db);
  if (settings->printer == NULL)
    return FALSE;
  pos_printer_open_drawer_async (settings->printer, NULL, on_drawer_opened, g_object_ref (self));
  return TRUE;
}

gboolean
pos_receipt_printing_is_configured (PosReceiptPrinting *self)
{
  g_autoptr(PosPrinterSettings) settings = NULL;

  g_return_val_if_fail (POS_IS_RECEIPT_PRINTING (self), FALSE);

  settings = pos_printer_settings_load (self->db);
  return settings->printer != NULL;
}

PosPrintQueue *
pos_receipt_printing_get_queue (PosReceiptPrinting *self)
{
  g_return_val_if_fail (POS_IS_RECEIPT_PRINTING (self), NULL);

  return self->queue;
}

/* ------------------------------------------------------------------ */

static void
pos_receipt_printing_dispose (GObject *object)
{
  PosReceiptPrinting *self = POS_RECEIPT_PRINTING (object);

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  if (self->toasts != NULL)
    g_hash_table_remove_all (self->toasts);
  g_clear_weak_pointer (&self->window);

  G_OBJECT_CLASS (pos_receipt_printing_parent_class)->dispose (object);
}

static void
pos_receipt_printing_finalize (GObject *object)
{
  PosReceiptPrinting *self = POS_RECEIPT_PRINTING (object);

  g_clear_pointer (&self->toasts, g_hash_table_unref);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (pos_receipt_printing_parent_class)->finalize (object);
}

static void
pos_receipt_printing_class_init (PosReceiptPrintingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pos_receipt_printing_dispose;
  object_class->finalize = pos_receipt_printing_finalize;
}

static void
pos_receipt_printing_init (PosReceiptPrinting *self)
{
  self->toasts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

PosReceiptPrinting *
pos_receipt_printing_new (GtkWindow   *window,
                          PosDatabase *db)
{
  PosReceiptPrinting *self;

  g_return_val_if_fail (window == NULL || GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (db != NULL, NULL);

  self = g_object_new (POS_TYPE_RECEIPT_PRINTING, NULL);
  g_set_weak_pointer (&self->window, window);
  self->db = g_object_ref (db);
  self->queue = pos_print_queue_new (db);
  g_signal_connect (self->queue, "job-changed", G_CALLBACK (on_job_changed), self);
  return self;
}
