/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pos-line-editor.h"

typedef struct {
  GtkWidget *dialog;
  GtkWidget *entry;
  gulong     cancel_id;
} AskData;

static void
ask_data_free (AskData *data)
{
  g_free (data);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  AskData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (data->cancel_id != 0 && cancellable != NULL)
    g_cancellable_disconnect (cancellable, data->cancel_id);
  data->cancel_id = 0;

  if (g_strcmp0 (response, "ok") == 0)
    g_task_return_pointer (task, g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->entry))), g_free);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GtkWidget *dialog = user_data;

  gtk_window_close (GTK_WINDOW (dialog));
}

void
pos_line_editor_ask_async (GtkWindow           *parent,
                           const char          *heading,
                           const char          *body,
                           const char          *initial_text,
                           const char          *confirm_label,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  AskData *data;
  GtkWidget *dialog;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pos_line_editor_ask_async);

  dialog = adw_message_dialog_new (parent, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "ok", confirm_label ? confirm_label : _("_OK"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  data = g_new0 (AskData, 1);
  data->dialog = dialog;
  data->entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (data->entry), TRUE);
  gtk_widget_add_css_class (data->entry, "prompt-entry");
  gtk_editable_set_text (GTK_EDITABLE (data->entry), initial_text ? initial_text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, heading, -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), data->entry);
  g_task_set_task_data (task, data, (GDestroyNotify) ask_data_free);

  if (cancellable != NULL)
    data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), dialog, NULL);

  g_signal_connect (dialog, "response", G_CALLBACK (on_response), task);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (data->entry);
  gtk_editable_select_region (GTK_EDITABLE (data->entry), 0, -1);
}

char *
pos_line_editor_ask_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
