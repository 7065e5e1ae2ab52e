/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "pos-approval-dialog.h"
#include "pos-pin-pad.h"

typedef struct {
  PosDatabase   *db;
  PosPermission  permission;
  GtkWidget     *window;
  GtkWidget     *approver_drop;
  GtkWidget     *reason_drop;
  GtkWidget     *pad;
  GtkWidget     *error_label;
  GPtrArray     *approvers;     /* PosStaff* */
  const char * const *reasons;
  gulong         cancel_id;
  gboolean       done;
} AskData;

typedef struct {
  PosPermission permission;
  char         *approver_id;  /* NULL for a badge */
  char         *secret;       /* PIN or badge */
  char         *reason;
} GrantData;

static void
grant_data_free (GrantData *g)
{
  g_free (g->approver_id);
  if (g->secret != NULL)
    memset (g->secret, 0, strlen (g->secret));
  g_free (g->secret);
  g_free (g->reason);
  g_free (g);
}

static void
ask_data_free (AskData *data)
{
  g_clear_pointer (&data->approvers, g_ptr_array_unref);
  g_clear_object (&data->db);
  g_free (data);
}

/* approval_id NULL = cancelled. */
static void
finish (GTask      *task,
        const char *approval_id)
{
  AskData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (data->done)
    return;
  data->done = TRUE;
  if (approval_id == NULL)
    g_object_set_data (G_OBJECT (task), "pos-approval-cancelled", GINT_TO_POINTER (TRUE));
  if (data->cancel_id != 0 && cancellable != NULL)
    g_cancellable_disconnect (cancellable, data->cancel_id);
  data->cancel_id = 0;
  if (approval_id != NULL)
    g_task_return_pointer (task, g_strdup (approval_id), g_free);
  else
    g_task_return_pointer (task, NULL, NULL);
  if (data->window != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&data->window)));
}

static void
grant_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GrantData *g = task_data;
  PosDatabase *db = source;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosApproval) approval = NULL;
  PosDatabase *worker = pos_database_acquire_worker (db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g->approver_id != NULL)
    approval = pos_approval_grant_pin (worker, g->permission, g->approver_id, g->secret, g->reason, &error);
  else
    approval = pos_approval_grant_badge (worker, g->permission, g->secret, g->reason, &error);
  pos_database_release_worker (db, worker);
  if (approval == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (approval->id), g_free);
}

static void
on_granted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  AskData *data = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_task_propagate_pointer (G_TASK (result), &error);

  if (data->done)
    return;
  pos_pin_pad_set_busy (POS_PIN_PAD (data->pad), FALSE);
  if (id == NULL)
    {
      gtk_label_set_text (GTK_LABEL (data->error_label), error->message);
      gtk_widget_set_visible (data->error_label, TRUE);
      pos_pin_pad_clear (POS_PIN_PAD (data->pad));
      pos_pin_pad_grab_focus (POS_PIN_PAD (data->pad));
      gtk_widget_error_bell (data->pad);
      return;
    }
  finish (outer, id);
}

static void
on_submitted (PosPinPad  *pad,
              const char *text,
              GTask      *outer)
{
  AskData *data = g_task_get_task_data (outer);
  g_autoptr(GTask) task = NULL;
  GrantData *g;
  guint reason = gtk_drop_down_get_selected (GTK_DROP_DOWN (data->reason_drop));
  guint who = gtk_drop_down_get_selected (GTK_DROP_DOWN (data->approver_drop));

  g = g_new0 (GrantData, 1);
  g->permission = data->permission;
  g->secret = g_strdup (text);
  g->reason = g_strdup (data->reasons != NULL && data->reasons[0] != NULL ? data->reasons[reason] : _("Approved at the counter"));
  if (!pos_pin_pad_text_is_badge (text))
    {
      PosStaff *s;

      if (who >= data->approvers->len)
        {
          grant_data_free (g);
          return;
        }
      s = g_ptr_array_index (data->approvers, who);
      g->approver_id = g_strdup (s->id);
    }

  gtk_widget_set_visible (data->error_label, FALSE);
  pos_pin_pad_set_busy (POS_PIN_PAD (data->pad), TRUE);
  task = g_task_new (data->db, NULL, on_granted, g_object_ref (outer));
  g_task_set_source_tag (task, on_submitted);
  g_task_set_task_data (task, g, (GDestroyNotify) grant_data_free);
  g_task_run_in_thread (task, grant_thread);
}

static gboolean
on_close_request (GtkWindow *window,
                  GTask     *task)
{
  AskData *data = g_task_get_task_data (task);

  data->window = NULL;   /* being closed: finish must not destroy it again */
  finish (task, NULL);
  return FALSE;
}

static void
on_cancel_clicked (GtkButton *button,
                   GTask     *task)
{
  finish (task, NULL);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  AskData *data = g_task_get_task_data (task);

  /* the page cancels from the main thread when it goes away; disconnecting
   * from inside this handler would deadlock, so finish() must not */
  data->cancel_id = 0;
  finish (task, NULL);
}

static GtkWidget *
labelled (const char *label,
          GtkWidget  *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *l = gtk_label_new_with_mnemonic (label);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "heading");
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), child);
  gtk_box_append (GTK_BOX (box), l);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

/* Managers first: the person a cashier usually calls. */
static int
by_role_desc (gconstpointer a,
              gconstpointer b)
{
  const PosStaff *x = *(PosStaff * const *) a;
  const PosStaff *y = *(PosStaff * const *) b;

  if (x->role != y->role)
    return (int) y->role - (int) x->role;
  return g_utf8_collate (x->name, y->name);
}

static void
build_window (GtkWindow  *parent,
              GTask      *task,
              const char *what)
{
  AskData *data = g_task_get_task_data (task);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) reasons = gtk_string_list_new (NULL);
  g_autoptr(PosStaff) current = pos_staff_get_current (data->db, NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *header, *cancel, *box, *title, *text;
  GtkEventController *keys;

  g_ptr_array_sort (data->approvers, by_role_desc);
  for (guint i = 0; i < data->approvers->len; i++)
    {
      PosStaff *s = g_ptr_array_index (data->approvers, i);
      g_autofree char *row = g_strdup_printf ("%s (%s)", s->name, pos_role_get_label (s->role));

      gtk_string_list_append (names, row);
    }
  for (guint i = 0; data->reasons != NULL && data->reasons[i] != NULL; i++)
    gtk_string_list_append (reasons, data->reasons[i]);

  data->window = adw_window_new ();
  gtk_window_set_modal (GTK_WINDOW (data->window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (data->window), parent);
  gtk_window_set_default_size (GTK_WINDOW (data->window), 420, -1);
  gtk_window_set_title (GTK_WINDOW (data->window), _("Approval Needed"));
  gtk_widget_add_css_class (data->window, "approval-dialog");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 14);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (on_cancel_clicked), task, 0);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  gtk_box_append (GTK_BOX (box), header);

  heading = g_strdup_printf (_("%s needs approval"), pos_permission_get_label (data->permission));
  title = gtk_label_new (heading);
  gtk_widget_add_css_class (title, "title-2");
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_set_margin_start (title, 24);
  gtk_widget_set_margin_end (title, 24);
  gtk_box_append (GTK_BOX (box), title);

  body = g_strdup_printf (_("%s may not do this alone. Someone allowed approves it with their PIN or by scanning their badge."),
                          current != NULL ? current->name : _("The cashier"));
  if (what != NULL)
    {
      g_autofree char *tmp = g_steal_pointer (&body);

      body = g_strdup_printf ("%s\n\n%s", what, tmp);
    }
  text = gtk_label_new (body);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_justify (GTK_LABEL (text), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 44);
  gtk_box_append (GTK_BOX (box), text);

  {
    GtkWidget *form = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

    gtk_widget_set_margin_start (form, 24);
    gtk_widget_set_margin_end (form, 24);
    gtk_widget_set_margin_bottom (form, 24);
    data->approver_drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
    data->reason_drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (reasons)), NULL);
    gtk_box_append (GTK_BOX (form), labelled (_("_Approved by"), data->approver_drop));
    gtk_box_append (GTK_BOX (form), labelled (_("_Reason"), data->reason_drop));
    data->pad = pos_pin_pad_new ();
    g_signal_connect_object (data->pad, "submitted", G_CALLBACK (on_submitted), task, 0);
    gtk_box_append (GTK_BOX (form), data->pad);
    data->error_label = gtk_label_new (NULL);
    gtk_label_set_wrap (GTK_LABEL (data->error_label), TRUE);
    gtk_widget_add_css_class (data->error_label, "error");
    gtk_widget_set_visible (data->error_label, FALSE);
    gtk_box_append (GTK_BOX (form), data->error_label);
    gtk_box_append (GTK_BOX (box), form);
  }

  adw_window_set_content (ADW_WINDOW (data->window), box);
  g_signal_connect_object (data->window, "close-request", G_CALLBACK (on_close_request), task, 0);
  keys = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (data->window, keys);
  gtk_window_present (GTK_WINDOW (data->window));
  pos_pin_pad_grab_focus (POS_PIN_PAD (data->pad));
}

void
pos_approval_dialog_ask_async (GtkWindow           *parent,
                               PosDatabase         *db,
                               PosPermission        permission,
                               const char          *what,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  AskData *data;

  g_return_if_fail (POS_IS_DATABASE (db));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pos_approval_dialog_ask_async);

  if (pos_staff_current_can (db, permission))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  data = g_new0 (AskData, 1);
  data->db = g_object_ref (db);
  data->permission = permission;
  data->reasons = pos_approval_reasons (permission);
  g_task_set_task_data (task, data, (GDestroyNotify) ask_data_free);
  data->approvers = pos_approval_list_approvers (db, permission, &error);
  if (data->approvers == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->approvers->len == 0)
    {
      g_task_return_new_error (task, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION,
                               _("Nobody at this store may approve “%s”. A manager can allow it in Preferences → Permissions."),
                               pos_permission_get_label (permission));
      return;
    }

  build_window (parent, task, what);
  if (cancellable != NULL)
    data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), task, NULL);
  /* the window's signal handlers hold the task through data; keep one
   * reference until finish() returns it */
  g_object_set_data_full (G_OBJECT (data->window), "pos-approval-task", g_object_ref (task), g_object_unref);
}

gboolean
pos_approval_dialog_ask_finish (GAsyncResult  *result,
                                char         **out_approval_id,
                                GError       **error)
{
  g_autoptr(GError) local = NULL;
  char *id;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  id = g_task_propagate_pointer (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (id == NULL)
    {
      /* NULL is both "not needed" and "cancelled": tell them apart */
      gboolean cancelled = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "pos-approval-cancelled"));

      if (out_approval_id != NULL)
        *out_approval_id = NULL;
      return !cancelled;
    }
  if (out_approval_id != NULL)
    *out_approval_id = id;
  else
    g_free (id);
  return TRUE;
}
