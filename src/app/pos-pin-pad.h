/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A PIN entry with an on-screen number pad for touch screens: the digits
 * typed or tapped show as dots; Enter or the ✓ key emits "submitted" with
 * the text. A badge read by a keyboard-wedge scanner into it arrives the
 * same way (longer than a PIN, or not only digits): the caller tells them
 * apart with pos_pin_pad_text_is_badge(). */
#define POS_TYPE_PIN_PAD (pos_pin_pad_get_type ())
G_DECLARE_FINAL_TYPE (PosPinPad, pos_pin_pad, POS, PIN_PAD, GtkWidget)

GtkWidget  *pos_pin_pad_new               (void);
void        pos_pin_pad_clear             (PosPinPad *self);
/* Busy while the PIN is being checked: keys are insensitive. */
void        pos_pin_pad_set_busy          (PosPinPad *self, gboolean busy);
void        pos_pin_pad_grab_focus        (PosPinPad *self);
gboolean    pos_pin_pad_text_is_badge     (const char *text);

G_END_DECLS
