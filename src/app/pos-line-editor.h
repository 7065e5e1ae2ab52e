/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A small modal question with one entry, for the sale page's quantity,
 * discount and note edits: Enter confirms, Escape cancels. Never blocks. */
void  pos_line_editor_ask_async  (GtkWindow           *parent,
                                  const char          *heading,
                                  const char          *body,
                                  const char          *initial_text,
                                  const char          *confirm_label,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
/* The text typed (maybe empty), or NULL without error when cancelled. */
char *pos_line_editor_ask_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS
