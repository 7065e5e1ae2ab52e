/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"
#include "terminal/pos-pickups.h"

G_BEGIN_DECLS

/* Picking one pickup order on the shop floor: every item scanned ticks its
 * line (pos_pickups_pick_scan), a wrong item or one too many is refused in
 * words; a line can be ticked by hand (+/−), reported missing with an
 * optional substitute (the order goes on hold, the central decides), and
 * once every line is picked and the shelf location typed, "Mark Ready".
 *
 * While it is open, every scan of the window it belongs to (a PosWindow:
 * keyboard-wedge and USB scanners alike, pos_window_set_scan_hook) and
 * every keyboard-wedge scan typed into the dialog itself comes here.
 *
 * Signals: "changed" (order id) after anything was written; "print"
 * (order id) when the clerk asks for the picking list; "finished"
 * (message) when the dialog closes after the order was marked ready or
 * put on hold, with what to tell the clerk. */
#define POS_TYPE_PICKING_DIALOG (pos_picking_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosPickingDialog, pos_picking_dialog, POS, PICKING_DIALOG, AdwWindow)

/* Takes order (with its lines, in state PICKING). */
PosPickingDialog     *pos_picking_dialog_new       (GtkWindow        *parent,
                                                    PosDatabase      *db,
                                                    PosPickupOrder   *order);
/* A scanned code: ticks a line or shows why not. */
void                  pos_picking_dialog_scan      (PosPickingDialog *self,
                                                    const char       *code);
const PosPickupOrder *pos_picking_dialog_get_order (PosPickingDialog *self);

G_END_DECLS
