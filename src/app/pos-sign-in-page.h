/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The locked screen: who is at the counter signs in with their PIN on the
 * pad (or the keyboard), or by scanning their badge. Emits "signed-in"
 * (staff id) once the engine accepted them; wrong PINs and lock-outs are
 * said in words on the page. The PIN is checked off the UI thread. */
#define POS_TYPE_SIGN_IN_PAGE (pos_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (PosSignInPage, pos_sign_in_page, POS, SIGN_IN_PAGE, GtkWidget)

GtkWidget *pos_sign_in_page_new        (PosDatabase *db);
/* Reloads the staff; preselects staff_id (the person the screen locked
 * on), or nobody. */
void       pos_sign_in_page_reset      (PosSignInPage *self,
                                        const char    *staff_id,
                                        const char    *message);
/* A badge read by a USB scanner while the screen is locked. */
void       pos_sign_in_page_take_badge (PosSignInPage *self,
                                        const char    *badge);

G_END_DECLS
