/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-shifts.h"

G_BEGIN_DECLS

/* For pos-sales.c and pos-returns.c, inside their transaction: the person
 * this connection acts for (POS_STAFF_ERROR_NOT_SIGNED_IN when nobody,
 * POS_STAFF_ERROR_INACTIVE when deactivated) and the shift open at this
 * terminal (POS_SHIFTS_ERROR_NONE_OPEN). Either out may be NULL. */
gboolean _pos_shifts_require_open (PosDatabase *db,
                                   char       **out_staff_id,
                                   char       **out_shift_id,
                                   GError     **error);

G_END_DECLS
