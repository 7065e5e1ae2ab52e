/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"

G_BEGIN_DECLS

typedef enum {
  POS_SHIFT_DIALOG_OPEN,      /* count the opening float */
  POS_SHIFT_DIALOG_CASH_IN,
  POS_SHIFT_DIALOG_CASH_OUT,
  POS_SHIFT_DIALOG_REPORT,    /* X report of the open shift */
  POS_SHIFT_DIALOG_CLOSE,     /* blind count, difference, approval, Z report */
} PosShiftDialogMode;

/* The shift's dialogs at the counter. Counting is by notes and coins or
 * as a typed total; closing is blind (the expected cash shows only after
 * the count). Writes run off the UI thread. Emits "done" after the shift
 * was opened, cash moved or the shift closed. */
#define POS_TYPE_SHIFT_DIALOG (pos_shift_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosShiftDialog, pos_shift_dialog, POS, SHIFT_DIALOG, AdwWindow)

PosShiftDialog *pos_shift_dialog_new (GtkWindow          *parent,
                                      PosDatabase        *db,
                                      PosShiftDialogMode  mode);

G_END_DECLS
