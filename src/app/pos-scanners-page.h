/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "devices/pos-scanner.h"
#include "terminal/pos-database.h"

#include "pos-window.h"

G_BEGIN_DECLS

/* Preferences › Scanners (docs/scanners.md): the USB scanners found, each
 * with its VID:PID, kind, state in words, keyboard layout and a switch to
 * read it or leave it to the system; "Add a Device by VID:PID…"; the USB
 * keyboards left alone, each with "Use as Scanner"; and a test area
 * showing the last scan (text, symbology, scanner) and what it means
 * (barcode parse, product). While the page is shown, the window's scans
 * go to the test area instead of the sale (pos_window_set_scan_hook()).
 * Changes need change_settings; without it they are shown insensitive. */
#define POS_TYPE_SCANNERS_PAGE (pos_scanners_page_get_type ())
G_DECLARE_FINAL_TYPE (PosScannersPage, pos_scanners_page, POS, SCANNERS_PAGE, AdwPreferencesPage)

/* For the scanners of window's application, on window's database. */
AdwPreferencesPage *pos_scanners_page_new      (PosWindow         *window);
/* The same on a given manager (NULL: USB is not read here) and database,
 * for tests; window may be NULL (no scans routed to the page). */
AdwPreferencesPage *pos_scanners_page_new_full (PosScannerManager *manager,
                                                PosDatabase       *db,
                                                PosWindow         *window);
/* Shows scan in the test area. */
void                pos_scanners_page_show_scan (PosScannersPage  *self,
                                                 PosScan          *scan);

G_END_DECLS
