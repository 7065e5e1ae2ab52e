/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pos-enroll-dialog.h"

static void
update_connect (AdwMessageDialog *dialog)
{
  const char *url = pos_enroll_dialog_get_url (dialog);
  const char *token = pos_enroll_dialog_get_token (dialog);
  gboolean ok = (g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://")) &&
                strlen (url) > strlen ("https://") && g_str_has_prefix (token, "be_");

  adw_message_dialog_set_response_enabled (dialog, "connect", ok);
}

static GtkWidget *
add_row (GtkWidget  *list,
         GtkWidget  *row,
         const char *title,
         const char *text)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return row;
}

AdwMessageDialog *
pos_enroll_dialog_new (GtkWindow  *parent,
                       const char *url,
                       const char *ca_file,
                       const char *problem)
{
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *url_row, *token_row, *ca_row;
  g_autofree char *body = NULL;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Connect to the Central System"), NULL));
  body = g_strdup_printf ("%s%s%s",
                          _("A manager makes a one-time enrolment token at the central with “balcao-central terminal enroll --store CODE”. This terminal then sends its sales there and receives prices, stock and pickup orders. Nothing already on this terminal is lost."),
                          problem != NULL ? "\n\n" : "",
                          problem != NULL ? problem : "");
  adw_message_dialog_set_body (dialog, body);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  url_row = add_row (list, adw_entry_row_new (), _("Central address (https://…)"),
                     url != NULL && *url != '\0' ? url : "https://");
  token_row = add_row (list, adw_password_entry_row_new (), _("Enrolment token (be_…)"), NULL);
  ca_row = add_row (list, adw_entry_row_new (), _("CA certificate file (only for a private CA)"), ca_file);
  gtk_box_append (GTK_BOX (box), list);
  adw_message_dialog_set_extra_child (dialog, box);

  g_object_set_data (G_OBJECT (dialog), "url-row", url_row);
  g_object_set_data (G_OBJECT (dialog), "token-row", token_row);
  g_object_set_data (G_OBJECT (dialog), "ca-row", ca_row);
  g_signal_connect_swapped (url_row, "changed", G_CALLBACK (update_connect), dialog);
  g_signal_connect_swapped (token_row, "changed", G_CALLBACK (update_connect), dialog);

  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "connect", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "connect");
  adw_message_dialog_set_close_response (dialog, "cancel");
  update_connect (dialog);
  gtk_widget_grab_focus (url != NULL && *url != '\0' ? token_row : url_row);

  return dialog;
}

static const char *
row_text (AdwMessageDialog *dialog,
          const char       *key)
{
  GtkEditable *row = g_object_get_data (G_OBJECT (dialog), key);

  return row != NULL ? gtk_editable_get_text (row) : "";
}

const char *
pos_enroll_dialog_get_url (AdwMessageDialog *dialog)
{
  return row_text (dialog, "url-row");
}

const char *
pos_enroll_dialog_get_token (AdwMessageDialog *dialog)
{
  return row_text (dialog, "token-row");
}

const char *
pos_enroll_dialog_get_ca_file (AdwMessageDialog *dialog)
{
  return row_text (dialog, "ca-row");
}
