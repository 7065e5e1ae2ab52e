/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "domain/pos-money.h"
#include "terminal/pos-sales.h"

#include "pos-park-dialog.h"
#include "pos-receipt-view.h"
#include "pos-format.h"

/* ------------------------------------------------------------------ */
/* Resume: a window listing the parked sales. The list is read on a
 * worker thread with its own connection. */

#define POS_TYPE_RESUME_DIALOG (pos_resume_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosResumeDialog, pos_resume_dialog, POS, RESUME_DIALOG, AdwWindow)

struct _PosResumeDialog
{
  AdwWindow      parent_instance;

  GTask         *task;          /* the caller's, completed once */
  GCancellable  *load_cancellable;

  GtkButton     *resume_button;
  GtkStack      *stack;
  GtkListBox    *list_box;
  AdwStatusPage *empty_page;
};

G_DEFINE_FINAL_TYPE (PosResumeDialog, pos_resume_dialog, ADW_TYPE_WINDOW)

static void
resume_dialog_finish (PosResumeDialog *self, char *id, GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    {
      g_free (id);
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);   /* NULL = cancelled */
}

static char *
format_age (gint64 created_ms)
{
  gint64 minutes = (g_get_real_time () / 1000 - created_ms) / 60000;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d min ago", "%d min ago", (gulong) minutes),
                            (int) minutes);
  if (minutes < 24 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", (gulong) (minutes / 60)),
                            (int) (minutes / 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", (gulong) (minutes / 1440)),
                          (int) (minutes / 1440));
}

static GtkWidget *
parked_row_new (const PosParkedSale *p)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *total;
  g_autofree char *age = format_age (p->created_at);
  g_autofree char *lines = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", p->n_lines), p->n_lines);
  g_autofree char *money = pos_format_money (p->total, p->currency != NULL ? p->currency : "BRL");
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;
  const char *title = p->label != NULL && *p->label != '\0' ? p->label : _("Sale without a name");

  if (p->staff_name != NULL)
    subtitle = g_strdup_printf ("%s · %s · %s", age, p->staff_name, lines);
  else
    subtitle = g_strdup_printf ("%s · %s", age, lines);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  total = gtk_label_new (money);
  gtk_widget_add_css_class (total, "park-total");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), total);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "parked-id", g_strdup (p->id), g_free);
  a11y = g_strdup_printf ("%s, %s, %s", title, subtitle, money);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  return row;
}

static void
parked_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosDatabase *owner = task_data;
  PosDatabase *db;
  GPtrArray *list;
  GError *error = NULL;

  db = pos_database_acquire_worker (owner, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  list = pos_sales_list_parked (db, &error);
  pos_database_release_worker (owner, db);
  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void
parked_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PosResumeDialog *self = POS_RESUME_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);
  GtkListBoxRow *first;

  if (list == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Parked Sales Unavailable"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  if (list->len == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  /* Newest on top: the one just parked is the likeliest to come back. */
  for (guint i = list->len; i > 0; i--)
    gtk_list_box_append (self->list_box, parked_row_new (g_ptr_array_index (list, i - 1)));
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "park.resume", TRUE);
  first = gtk_list_box_get_row_at_index (self->list_box, 0);
  gtk_list_box_select_row (self->list_box, first);
  gtk_widget_grab_focus (GTK_WIDGET (first));
}

static void
resume_row (PosResumeDialog *self, GtkListBoxRow *row)
{
  const char *id;

  if (row == NULL)
    return;
  id = g_object_get_data (G_OBJECT (row), "parked-id");
  resume_dialog_finish (self, g_strdup (id), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_row_activated (PosResumeDialog *self, GtkListBoxRow *row)
{
  resume_row (self, row);
}

static void
action_resume (GtkWidget *widget, const char *name, GVariant *param)
{
  PosResumeDialog *self = POS_RESUME_DIALOG (widget);

  resume_row (self, gtk_list_box_get_selected_row (self->list_box));
}

static gboolean
pos_resume_dialog_close_request (GtkWindow *window)
{
  PosResumeDialog *self = POS_RESUME_DIALOG (window);

  resume_dialog_finish (self, NULL, NULL);
  return GTK_WINDOW_CLASS (pos_resume_dialog_parent_class)->close_request (window);
}

static void
pos_resume_dialog_dispose (GObject *object)
{
  PosResumeDialog *self = POS_RESUME_DIALOG (object);

  g_cancellable_cancel (self->load_cancellable);
  resume_dialog_finish (self, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_RESUME_DIALOG);
  G_OBJECT_CLASS (pos_resume_dialog_parent_class)->dispose (object);
}

static void
pos_resume_dialog_finalize (GObject *object)
{
  PosResumeDialog *self = POS_RESUME_DIALOG (object);

  g_clear_object (&self->load_cancellable);
  G_OBJECT_CLASS (pos_resume_dialog_parent_class)->finalize (object);
}

static void
pos_resume_dialog_class_init (PosResumeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pos_resume_dialog_dispose;
  object_class->finalize = pos_resume_dialog_finalize;
  window_class->close_request = pos_resume_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-park-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PosResumeDialog, resume_button);
  gtk_widget_class_bind_template_child (widget_class, PosResumeDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PosResumeDialog, list_box);
  gtk_widget_class_bind_template_child (widget_class, PosResumeDialog, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "park.resume", NULL, action_resume);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  pos_history_css_ensure ();
}

static void
pos_resume_dialog_init (PosResumeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->load_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "park.resume", FALSE);
}

void
pos_park_dialog_resume_async (GtkWindow           *parent,
                              PosDatabase         *db,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PosResumeDialog *self;
  g_autoptr(GTask) load = NULL;

  g_return_if_fail (POS_IS_DATABASE (db));

  self = g_object_new (POS_TYPE_RESUME_DIALOG, "transient-for", parent, NULL);
  self->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, pos_park_dialog_resume_async);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (gtk_window_close), self, G_CONNECT_SWAPPED);

  load = g_task_new (self, self->load_cancellable, parked_loaded, NULL);
  g_task_set_source_tag (load, pos_park_dialog_resume_async);
  g_task_set_task_data (load, g_object_ref (db), g_object_unref);
  g_task_run_in_thread (load, parked_worker);

  gtk_window_present (GTK_WINDOW (self));
}

char *
pos_park_dialog_resume_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pos_park_dialog_resume_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Ask a label: an AdwMessageDialog with an entry. */

typedef struct {
  GtkWidget *entry;
  gboolean   confirmed;
} AskData;

static void
ask_data_free (AskData *d)
{
  g_clear_object (&d->entry);
  g_free (d);
}

static void
on_ask_response (AdwMessageDialog *dialog,
                 const char       *response,
                 gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  AskData *d = g_task_get_task_data (task);

  if (g_strcmp0 (response, "park") == 0)
    {
      g_autofree char *label = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->entry))));
      d->confirmed = TRUE;
      g_task_return_pointer (task, g_steal_pointer (&label), g_free);
    }
  else
    {
      d->confirmed = FALSE;
      g_task_return_pointer (task, NULL, NULL);
    }
}

void
pos_park_dialog_ask_label_async (GtkWindow           *parent,
                                 const char          *suggested,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GtkWidget *dialog;
  GtkWidget *entry;
  AskData *d;
  GTask *task;

  pos_history_css_ensure ();

  dialog = adw_message_dialog_new (parent, _("Park This Sale?"),
                                   _("The sale is kept on this terminal and the counter is free for the next "
                                     "customer. A name helps to find it again."));
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Customer’s name or a note"));
  gtk_entry_set_max_length (GTK_ENTRY (entry), 80);
  gtk_widget_add_css_class (entry, "touch-target");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of the parked sale"), -1);
  if (suggested != NULL)
    gtk_editable_set_text (GTK_EDITABLE (entry), suggested);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "park", _("_Park Sale"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "park", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "park");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  d = g_new0 (AskData, 1);
  d->entry = g_object_ref (entry);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pos_park_dialog_ask_label_async);
  g_task_set_task_data (task, d, (GDestroyNotify) ask_data_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_ask_response), task);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (gtk_window_close), dialog, G_CONNECT_SWAPPED);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
}

char *
pos_park_dialog_ask_label_finish (GAsyncResult  *result,
                                  gboolean      *confirmed,
                                  GError       **error)
{
  AskData *d;
  char *label;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pos_park_dialog_ask_label_async, NULL);

  d = g_task_get_task_data (G_TASK (result));
  label = g_task_propagate_pointer (G_TASK (result), error);
  if (confirmed != NULL)
    *confirmed = d->confirmed && label != NULL;
  return label;
}
