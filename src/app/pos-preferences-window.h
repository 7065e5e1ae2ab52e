/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The screen locks after this long without use unless the setting
 * 'lock_idle_seconds' says otherwise (0: never). */
#define POS_LOCK_IDLE_SECONDS_DEFAULT 300

/* The terminal's preferences for managers:
 *   Staff        the people (add one, set a PIN, unlock after too many
 *                wrong PINs) and the counter's limits: discount limit,
 *                count difference limit, screen lock after idle, lockout
 *                time (settings discount_limit_bp, count_difference_limit,
 *                lock_idle_seconds, pin_lockout_minutes; each change is
 *                audited 'settings.change' with the old and new value);
 *   Permissions  what each role may do alone (pos_role_set_permission).
 * Other parts of the app add their own pages with
 * pos_preferences_window_add_page().
 *
 * The engine checks every change against the signed-in person (staff
 * needs manage_staff, the rest change_settings); the caller checks
 * change_settings (or asks an approval) before opening. What the signed-in
 * person may not change is shown but insensitive, with a line saying why;
 * a change the engine refuses shows its reason in a toast. */
#define POS_TYPE_PREFERENCES_WINDOW (pos_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (PosPreferencesWindow, pos_preferences_window, POS, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* A modal window transient for parent (which may be NULL); present it. */
GtkWindow *pos_preferences_window_new      (GtkWindow            *parent,
                                            PosDatabase          *db);
/* Adds a page after the ones already there. */
void       pos_preferences_window_add_page (PosPreferencesWindow *self,
                                            AdwPreferencesPage   *page);

G_END_DECLS
