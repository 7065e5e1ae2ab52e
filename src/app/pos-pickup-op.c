/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pos-pickup-op.h"

typedef struct {
  PosDatabase     *db;
  char            *order_id;
  PosPickupOpFunc  func;
  gpointer         data;
  GDestroyNotify   data_free;
} OpData;

static void
op_data_free (OpData *op)
{
  if (op->data_free != NULL && op->data != NULL)
    op->data_free (op->data);
  g_clear_object (&op->db);
  g_free (op->order_id);
  g_free (op);
}

static void
op_thread (GTask        *task,
           gpointer      source,
           gpointer      task_data,
           GCancellable *cancellable)
{
  OpData *op = task_data;
  g_autoptr(GError) error = NULL;
  PosPickupOrder *order = NULL;
  PosDatabase *worker = pos_database_acquire_worker (op->db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (op->func == NULL || op->func (worker, op->data, &error))
    order = pos_pickups_get (worker, op->order_id, &error);
  pos_database_release_worker (op->db, worker);
  if (order == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, order, (GDestroyNotify) pos_pickup_order_free);
}

void
pos_pickup_op_run_async (PosDatabase         *db,
                         const char          *order_id,
                         PosPickupOpFunc      func,
                         gpointer             data,
                         GDestroyNotify       data_free,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpData *op;

  g_return_if_fail (POS_IS_DATABASE (db));
  g_return_if_fail (order_id != NULL);

  op = g_new0 (OpData, 1);
  op->db = g_object_ref (db);
  op->order_id = g_strdup (order_id);
  op->func = func;
  op->data = data;
  op->data_free = data_free;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pos_pickup_op_run_async);
  g_task_set_task_data (task, op, (GDestroyNotify) op_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, op_thread);
}

PosPickupOrder *
pos_pickup_op_run_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pos_pickup_op_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
pos_pickup_format_quantity (gint64 milli)
{
  if (milli % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, milli / 1000);
  return g_strdup_printf ("%" G_GINT64_FORMAT ",%03" G_GINT64_FORMAT, milli / 1000, ABS (milli % 1000));
}

const char *
pos_pickup_channel_label (const char *channel)
{
  if (channel == NULL || *channel == '\0')
    return _("Online");
  if (g_str_equal (channel, "web"))
    return _("Web");
  if (g_str_equal (channel, "app"))
    return _("App");
  if (g_str_equal (channel, "marketplace"))
    return _("Marketplace");
  if (g_str_equal (channel, "call_centre"))
    return _("Call centre");
  if (g_str_equal (channel, "chat"))
    return _("Chat");
  if (g_str_equal (channel, "whatsapp"))
    return _("WhatsApp");
  return channel;
}

char *
pos_pickup_format_since (gint64 when_ms,
                         gint64 now_ms)
{
  gint64 minutes = (now_ms - when_ms) / 60000;
  gint64 hours, days;

  if (when_ms <= 0)
    return g_strdup ("—");
  if (minutes < 1)
    return g_strdup (_("just now"));
  if (minutes < 60)
    /* Translators: a duration, e.g. "12 min" */
    return g_strdup_printf (_("%d min"), (int) minutes);
  hours = minutes / 60;
  if (hours < 24)
    {
      if (minutes % 60 == 0 || hours >= 10)
        /* Translators: a duration, e.g. "3 h" */
        return g_strdup_printf (_("%d h"), (int) hours);
      /* Translators: a duration, e.g. "3 h 20 min" */
      return g_strdup_printf (_("%d h %d min"), (int) hours, (int) (minutes % 60));
    }
  days = hours / 24;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days), (int) days);
}
