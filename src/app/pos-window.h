/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pos-application.h"

G_BEGIN_DECLS

/* The main window: header with the store, terminal, cashier and the
 * connection state; the Sale and History pages; toasts. Routes scans from
 * keyboard-wedge scanners wherever the focus is: a receipt code
 * "BALCAO:SALE:<id>" opens that sale in History, anything else goes to the
 * sale. When the database cannot be opened it shows why and what to do.
 * Actions: win.show-sale (Ctrl+1, F10), win.show-history (Ctrl+2, F11). */
#define POS_TYPE_WINDOW (pos_window_get_type ())
G_DECLARE_FINAL_TYPE (PosWindow, pos_window, POS, WINDOW, AdwApplicationWindow)

PosWindow *pos_window_new       (PosApplication *application,
                                 const char     *db_path);
void       pos_window_add_toast (PosWindow      *self,
                                 const char     *text);
/* A scan from any source (the wedge detector, a USB scanner thread). */
void       pos_window_route_scan (PosWindow     *self,
                                  const char    *code);

G_END_DECLS
