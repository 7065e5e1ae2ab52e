/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "devices/pos-scanner.h"
#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* The Balcão application: opens the terminal's database (option
 * --database FILE, else $BALCAO_DATABASE, else
 * $XDG_DATA_HOME/balcao/balcao.db), sets the accelerators of every action
 * and shows a PosWindow. Once the window opened the database, reads the
 * USB scanners (a PosScannerManager on it) and routes their scans to the
 * window; a scanner it may not open is told once, with the fix. Not
 * unique: a counter may run a second window for training on another
 * database. */
#define POS_TYPE_APPLICATION (pos_application_get_type ())
G_DECLARE_FINAL_TYPE (PosApplication, pos_application, POS, APPLICATION, AdwApplication)

PosApplication *pos_application_new            (void);
/* The database file this application uses (never NULL after startup). */
const char     *pos_application_get_db_path    (PosApplication *self);
/* The USB scanners; NULL until the window opened its database. */
PosScannerManager *pos_application_get_scanner_manager (PosApplication *self);

G_END_DECLS
