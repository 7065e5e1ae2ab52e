/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "terminal/pos-pickup-receipt.h"
#include "terminal/pos-pickups.h"

#include "pos-pickup-printing.h"
#include "pos-receipt-printing.h"
#include "pos-window.h"

typedef struct {
  PosDatabase  *db;
  GStrv         order_ids;
  gboolean      receipt;      /* the pickup receipt of ids[0], else picking lists */
  char         *title;        /* the print job's */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->db);
  g_strfreev (job->order_ids);
  g_free (job->title);
  g_free (job);
}

static void
build_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) orders = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  g_autoptr(PosPickupHandoverRecord) handover = NULL;
  g_autoptr(PosStoreInfo) store = NULL;
  PosReceiptDoc *doc = NULL;
  PosDatabase *worker = pos_database_acquire_worker (job->db, &error);
  gboolean ok = worker != NULL;

  for (guint i = 0; ok && job->order_ids[i] != NULL; i++)
    {
      PosPickupOrder *order = pos_pickups_get (worker, job->order_ids[i], &error);

      ok = order != NULL;
      if (ok)
        g_ptr_array_add (orders, order);
    }
  if (ok && job->receipt)
    {
      handover = pos_pickups_get_last_handover (worker, job->order_ids[0], &error);
      ok = handover != NULL;
    }
  if (ok)
    /* without the store the document still prints, its header left out */
    store = pos_database_get_store_info (worker, NULL);
  if (worker != NULL)
    pos_database_release_worker (job->db, worker);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (job->receipt)
    {
      const PosPickupOrder *order = g_ptr_array_index (orders, 0);

      doc = pos_pickup_receipt_new_for_handover (order, handover, store);
      job->title = g_strdup_printf (_("Pickup receipt %s"), order->number);
    }
  else
    {
      doc = pos_pickup_receipt_new_picking_list (orders, store, g_get_real_time () / 1000);
      if (orders->len == 1)
        job->title = g_strdup_printf (_("Picking list %s"), ((PosPickupOrder *) g_ptr_array_index (orders, 0))->number);
      else
        job->title = g_strdup_printf (_("Picking lists of %u orders"), orders->len);
    }
  g_task_return_pointer (task, doc, (GDestroyNotify) pos_receipt_doc_free);
}

static void
on_built (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GtkWidget) widget = user_data;
  g_autoptr(GError) error = NULL;
  PosReceiptDoc *doc = g_task_propagate_pointer (G_TASK (result), &error);
  Job *job = g_task_get_task_data (G_TASK (result));
  GtkRoot *root = gtk_widget_get_root (widget);
  PosReceiptPrinting *printing = POS_IS_WINDOW (root) ? pos_window_get_receipt_printing (POS_WINDOW (root)) : NULL;

  if (doc == NULL)
    {
      g_autofree char *text = job->receipt
        ? g_strdup_printf (_("The pickup receipt could not be printed: %s"), error->message)
        : g_strdup_printf (_("The picking list could not be printed: %s"), error->message);

      if (POS_IS_WINDOW (root))
        pos_window_add_toast (POS_WINDOW (root), text);
      else
        g_warning ("%s", text);
      return;
    }
  if (printing == NULL)
    {
      pos_receipt_doc_free (doc);
      return;
    }
  /* takes the document; its toasts say what happens at the printer */
  pos_receipt_printing_print_doc (printing, doc, job->title);
}

static void
start (GtkWidget          *widget,
       PosDatabase        *db,
       const char * const *order_ids,
       gboolean            receipt)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (POS_IS_DATABASE (db));
  g_return_if_fail (order_ids != NULL && order_ids[0] != NULL);

  job = g_new0 (Job, 1);
  job->db = g_object_ref (db);
  job->order_ids = g_strdupv ((char **) order_ids);
  job->receipt = receipt;
  task = g_task_new (NULL, NULL, on_built, g_object_ref (widget));
  g_task_set_source_tag (task, start);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, build_thread);
}

void
pos_pickup_printing_print_picking_lists (GtkWidget          *widget,
                                         PosDatabase        *db,
                                         const char * const *order_ids)
{
  start (widget, db, order_ids, FALSE);
}

void
pos_pickup_printing_print_receipt (GtkWidget   *widget,
                                   PosDatabase *db,
                                   const char  *order_id)
{
  const char *ids[] = { order_id, NULL };

  g_return_if_fail (order_id != NULL);
  start (widget, db, ids, TRUE);
}
