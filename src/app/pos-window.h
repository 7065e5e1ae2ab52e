/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "devices/pos-scanner.h"
#include "terminal/pos-database.h"

#include "pos-application.h"
#include "pos-receipt-printing.h"

G_BEGIN_DECLS

/* The main window: header with the store, terminal, cashier and the
 * connection state; the Sale, History and Pickups pages; toasts. Routes
 * scans from keyboard-wedge scanners wherever the focus is: a staff badge
 * goes to the sign-in first; a receipt code "BALCAO:SALE:<id>" opens
 * that sale in History; a customer's pickup QR code
 * "BALCAO:PICKUP:<number>:<code>" opens that order's handover on the
 * Pickups page; a customer's loyalty card (not a product's code) attaches
 * the customer to the sale (PosCustomersPage); anything else goes to the
 * sale. When the database cannot
 * be opened it shows why and what to do.
 * Actions: win.show-sale (Ctrl+1, F10), win.show-history (Ctrl+2, F11),
 * win.show-pickups (Ctrl+3: the Pickups page, its search focused),
 * win.show-customers (Ctrl+4: the Customers page, its search focused),
 * win.open-pickup(s) (an order by id or number on the Pickups page),
 * win.online-return (Ctrl+Shift+R: items of an online order brought back,
 * PosOnlineReturnDialog). */
#define POS_TYPE_WINDOW (pos_window_get_type ())
G_DECLARE_FINAL_TYPE (PosWindow, pos_window, POS, WINDOW, AdwApplicationWindow)

PosWindow *pos_window_new       (PosApplication *application,
                                 const char     *db_path);
void       pos_window_add_toast (PosWindow      *self,
                                 const char     *text);
/* A scan as text (the keyboard-wedge detector, or any other source). */
void       pos_window_route_scan (PosWindow     *self,
                                  const char    *code);
/* A scan read by a USB scanner (PosScannerManager): routed like
 * pos_window_route_scan(), the sale getting its symbology too. */
void       pos_window_route_usb_scan (PosWindow *self,
                                      PosScan   *scan);
/* Adds a toast built by the caller (its timeout, its button); takes it. */
void       pos_window_show_toast (PosWindow     *self,
                                  AdwToast      *toast);
/* The database the window opened; NULL when it could not. */
PosDatabase *pos_window_get_database (PosWindow *self);
/* Receipts and the cash drawer on the window's database (owns the print
 * queue); NULL when the database could not be opened. The action
 * win.print-receipt((sbb)) prints the receipt of a sale or return:
 * (id or number, reprint, open the drawer when paid in cash). */
PosReceiptPrinting *pos_window_get_receipt_printing (PosWindow *self);

/* While a hook is set, every scan routed to the window goes to it instead
 * of the sign-in or the sale: the Scanners preferences page shows it in
 * its test area. A keyboard-wedge scan comes as a PosScan without a
 * device. hook NULL removes it. */
typedef void (*PosWindowScanHook) (PosScan  *scan,
                                   gpointer  user_data);
void       pos_window_set_scan_hook (PosWindow         *self,
                                     PosWindowScanHook  hook,
                                     gpointer           user_data);

G_END_DECLS
