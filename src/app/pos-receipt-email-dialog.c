/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "terminal/pos-receipt-email.h"

#include "pos-receipt-email-dialog.h"

typedef struct {
  GtkWindow   *parent;       /* weak */
  PosDatabase *db;
  char        *sale_id;
  char        *number;
  char        *prefill;      /* the customer's address, masked; NULL when none */
  char        *to;           /* what the cashier sends to */
  char        *shown;        /* the address as the cashier saw it */
  GtkWidget   *entry;
  GtkWidget   *hint;
} Ask;

static void
ask_free (Ask *a)
{
  g_clear_weak_pointer (&a->parent);
  g_clear_object (&a->db);
  g_free (a->sale_id);
  g_free (a->number);
  g_free (a->prefill);
  g_free (a->to);
  g_free (a->shown);
  g_free (a);
}

/* ---- on a worker: the lookup, the request ---- */

static void
lookup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Ask *a = task_data;
  g_autoptr(GError) error = NULL;
  PosDatabase *worker = pos_database_acquire_worker (a->db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  a->prefill = pos_receipt_email_customer_address (worker, a->sale_id, &error);
  pos_database_release_worker (a->db, worker);
  if (error != NULL)
    g_debug ("No customer address for the receipt: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
request_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Ask *a = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  PosDatabase *worker = pos_database_acquire_worker (a->db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&a->shown, g_free);
  id = pos_receipt_email_request (worker, a->sale_id, a->to, &a->shown, &error);
  pos_database_release_worker (a->db, worker);
  if (id == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- the dialog ---- */

static gboolean
sendable (Ask        *a,
          const char *text)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));

  if (a->prefill != NULL && g_str_equal (clean, a->prefill))
    return TRUE;
  return pos_receipt_email_address_is_valid (clean);
}

static void
on_entry_changed (GtkEditable      *entry,
                  AdwMessageDialog *dialog)
{
  GTask *task = g_object_get_data (G_OBJECT (dialog), "task");
  Ask *a = g_task_get_task_data (task);
  const char *text = gtk_editable_get_text (entry);
  gboolean ok = sendable (a, text);
  g_autofree char *clean = g_strstrip (g_strdup (text));

  adw_message_dialog_set_response_enabled (dialog, "send", ok);
  if (ok || *clean == '\0')
    {
      gtk_widget_remove_css_class (a->entry, "error");
      gtk_label_set_text (GTK_LABEL (a->hint), a->prefill != NULL && g_str_equal (clean, a->prefill)
                          ? _("The address on file of the sale’s customer (shown masked).")
                          : _("Type the address the customer says, like name@example.com."));
    }
  else
    {
      gtk_widget_add_css_class (a->entry, "error");
      gtk_label_set_text (GTK_LABEL (a->hint),
                          strstr (clean, "***") != NULL
                          ? _("Type the whole address: a masked one can only be sent unchanged.")
                          : _("Not an e-mail address yet: it looks like name@example.com."));
    }
}

static void
on_requested (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  Ask *a = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (outer, g_steal_pointer (&error));
  else
    g_task_return_pointer (outer, g_strdup (a->shown), g_free);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  GTask *outer = g_object_get_data (G_OBJECT (dialog), "task");
  Ask *a = g_task_get_task_data (outer);
  g_autoptr(GTask) task = NULL;
  g_autofree char *clean = NULL;

  if (g_strcmp0 (response, "send") != 0)
    {
      g_task_return_pointer (outer, NULL, NULL);
      return;
    }
  clean = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (a->entry))));
  /* the masked prefill, unchanged: the address on file */
  a->to = a->prefill != NULL && g_str_equal (clean, a->prefill) ? NULL : g_steal_pointer (&clean);
  task = g_task_new (NULL, g_task_get_cancellable (outer), on_requested, g_object_ref (outer));
  g_task_set_source_tag (task, on_response);
  g_task_set_task_data (task, a, NULL);  /* owned by outer, which the callback holds */
  g_task_run_in_thread (task, request_thread);
}

static void
on_dialog_destroyed (GtkWidget *dialog,
                     gpointer   user_data)
{
  g_object_set_data (G_OBJECT (dialog), "task", NULL);
}

static void
present_dialog (GTask *outer)
{
  Ask *a = g_task_get_task_data (outer);
  AdwMessageDialog *dialog;
  GtkWidget *box, *label;
  g_autofree char *body = NULL;

  /* Translators: %s is the sale's number */
  body = g_strdup_printf (_("The central sends the receipt of sale %s. Check the address with the customer."),
                          a->number != NULL ? a->number : a->sale_id);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (a->parent, _("Send the Receipt by E-mail"), body));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Send the Receipt by E-mail"));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  label = gtk_label_new_with_mnemonic (_("Customer’s _e-mail address"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  a->entry = gtk_entry_new ();
  gtk_entry_set_input_purpose (GTK_ENTRY (a->entry), GTK_INPUT_PURPOSE_EMAIL);
  gtk_entry_set_activates_default (GTK_ENTRY (a->entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (a->entry), _("name@example.com"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), a->entry);
  gtk_box_append (GTK_BOX (box), a->entry);
  a->hint = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (a->hint), 0);
  gtk_label_set_wrap (GTK_LABEL (a->hint), TRUE);
  gtk_widget_add_css_class (a->hint, "caption");
  gtk_widget_add_css_class (a->hint, "dim-label");
  gtk_box_append (GTK_BOX (box), a->hint);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (a->entry), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  a->hint, NULL, -1);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "send");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "task", g_object_ref (outer), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), NULL);
  g_signal_connect (dialog, "destroy", G_CALLBACK (on_dialog_destroyed), NULL);
  g_signal_connect (a->entry, "changed", G_CALLBACK (on_entry_changed), dialog);

  gtk_editable_set_text (GTK_EDITABLE (a->entry), a->prefill != NULL ? a->prefill : "");
  on_entry_changed (GTK_EDITABLE (a->entry), dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (a->entry);
  gtk_editable_select_region (GTK_EDITABLE (a->entry), 0, -1);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (outer))
    return;
  present_dialog (outer);
}

void
pos_receipt_email_dialog_ask_async (GtkWindow           *parent,
                                    PosDatabase         *db,
                                    const char          *sale_id,
                                    const char          *number,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) lookup = NULL;
  Ask *a;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (POS_IS_DATABASE (db));
  g_return_if_fail (sale_id != NULL);

  a = g_new0 (Ask, 1);
  g_set_weak_pointer (&a->parent, parent);
  a->db = g_object_ref (db);
  a->sale_id = g_strdup (sale_id);
  a->number = g_strdup (number);
  outer = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (outer, pos_receipt_email_dialog_ask_async);
  g_task_set_task_data (outer, a, (GDestroyNotify) ask_free);

  lookup = g_task_new (NULL, cancellable, on_looked_up, g_object_ref (outer));
  g_task_set_source_tag (lookup, on_looked_up);
  g_task_set_task_data (lookup, a, NULL);
  g_task_run_in_thread (lookup, lookup_thread);
}

gboolean
pos_receipt_email_dialog_ask_finish (GAsyncResult  *result,
                                     char         **out_to,
                                     GError       **error)
{
  g_autofree char *to = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  to = g_task_propagate_pointer (G_TASK (result), error);
  if (to == NULL)
    return FALSE;
  if (out_to != NULL)
    *out_to = g_steal_pointer (&to);
  return TRUE;
}

/* ---- the after-sale button ---- */

static void
on_button_requested (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkWidget) box = user_data;
  GtkWidget *status = g_object_get_data (G_OBJECT (box), "status");
  GtkWidget *button = g_object_get_data (G_OBJECT (box), "button");
  g_autoptr(GError) error = NULL;
  g_autofree char *to = NULL;
  g_autofree char *text = NULL;

  GtkRoot *root;

  if (status == NULL)
    return;
  gtk_widget_set_sensitive (button, TRUE);
  /* Enter goes on meaning what it meant before (the next sale) */
  root = gtk_widget_get_root (box);
  if (GTK_IS_WINDOW (root) && gtk_window_get_default_widget (GTK_WINDOW (root)) != NULL)
    gtk_widget_grab_focus (gtk_window_get_default_widget (GTK_WINDOW (root)));
  if (!pos_receipt_email_dialog_ask_finish (result, &to, &error))
    {
      if (error == NULL)
        return;
      gtk_widget_remove_css_class (status, "success");
      gtk_widget_add_css_class (status, "error");
      gtk_label_set_text (GTK_LABEL (status), error->message);
      gtk_widget_set_visible (status, TRUE);
      return;
    }
  /* Translators: %s is an e-mail address (masked when it is the customer's on file) */
  text = g_strdup_printf (_("E-mail requested: the central sends the receipt to %s."), to);
  gtk_widget_remove_css_class (status, "error");
  gtk_widget_add_css_class (status, "success");
  gtk_label_set_text (GTK_LABEL (status), text);
  gtk_widget_set_visible (status, TRUE);
  gtk_button_set_label (GTK_BUTTON (button), _("Send _Again by E-mail…"));
}

static void
on_email_clicked (GtkButton *button,
                  GtkWidget *box)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  pos_receipt_email_dialog_ask_async (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                      g_object_get_data (G_OBJECT (box), "database"),
                                      g_object_get_data (G_OBJECT (box), "sale-id"),
                                      g_object_get_data (G_OBJECT (box), "number"),
                                      NULL, on_button_requested, g_object_ref (box));
}

static void
on_box_destroyed (GtkWidget *box)
{
  g_object_set_data (G_OBJECT (box), "status", NULL);
}

GtkWidget *
pos_receipt_email_button_new (PosDatabase *db,
                              const char  *sale_id,
                              const char  *number)
{
  GtkWidget *box, *button, *status;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sale_id != NULL, NULL);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  button = gtk_button_new_with_mnemonic (_("Send by _E-mail…"));
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Ask the central to send this receipt to the customer by e-mail"));
  gtk_box_append (GTK_BOX (box), button);
  status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (status), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (status), 40);
  gtk_label_set_justify (GTK_LABEL (status), GTK_JUSTIFY_CENTER);
  gtk_widget_set_visible (status, FALSE);
  gtk_box_append (GTK_BOX (box), status);

  g_object_set_data_full (G_OBJECT (box), "database", g_object_ref (db), g_object_unref);
  g_object_set_data_full (G_OBJECT (box), "sale-id", g_strdup (sale_id), g_free);
  g_object_set_data_full (G_OBJECT (box), "number", g_strdup (number), g_free);
  g_object_set_data (G_OBJECT (box), "status", status);
  g_object_set_data (G_OBJECT (box), "button", button);
  g_signal_connect (button, "clicked", G_CALLBACK (on_email_clicked), box);
  g_signal_connect (box, "destroy", G_CALLBACK (on_box_destroyed), NULL);
  return box;
}
