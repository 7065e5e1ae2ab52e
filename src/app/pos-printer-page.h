/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "devices/pos-print-queue.h"
#include "terminal/pos-database.h"

#include "pos-window.h"

G_BEGIN_DECLS

/* Preferences › Printer (docs/printing.md): the CUPS destinations with
 * their state in words (listed off the UI thread), the receipt printer,
 * its kind (a thermal printer on a raw queue, ESC/POS; a printer with a
 * driver, PDF), the paper width (32, 42 or 48 columns) and the code page
 * (860, 858), saved at once in the settings; "Print a Test Page" through
 * the print queue, its outcome told in a toast. Changes need
 * change_settings; without it they are shown insensitive. */
#define POS_TYPE_PRINTER_PAGE (pos_printer_page_get_type ())
G_DECLARE_FINAL_TYPE (PosPrinterPage, pos_printer_page, POS, PRINTER_PAGE, AdwPreferencesPage)

/* On window's database and print queue. */
AdwPreferencesPage *pos_printer_page_new      (PosWindow     *window);
/* On a given database and queue, for tests. */
AdwPreferencesPage *pos_printer_page_new_full (PosDatabase   *db,
                                               PosPrintQueue *queue);

G_END_DECLS
