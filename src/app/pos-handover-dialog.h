/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-database.h"
#include "terminal/pos-pickups.h"
#include "terminal/pos-sync-engine.h"

G_BEGIN_DECLS

/* Handing a pickup order over to whoever came for it: who it is (the
 * pickup code, filled in from the customer's QR code, or — when the
 * store's policy 'pickup_identity' is "code_or_document" — the document
 * of someone the customer named), which lines and how many (everything
 * left by default), an item refused (damaged, wrong) with its reason and a
 * manager's approval (POS_PERMISSION_REFUND), refunded by the central.
 *
 * A paid order is handed over here (pos_pickups_hand_over, with the sync
 * engine's online state: offline it is provisional), then "handed-over"
 * (order id, what to tell the clerk) is emitted and the dialog closes. An
 * order to be paid in store emits "take-payment" instead: the caller puts
 * it in the sale's cart with pos_handover_dialog_get_handover() and closes
 * the dialog, or shows why not with pos_handover_dialog_show_error(). */
#define POS_TYPE_HANDOVER_DIALOG (pos_handover_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PosHandoverDialog, pos_handover_dialog, POS, HANDOVER_DIALOG, AdwWindow)

/* Takes order (with its lines). code: from the QR code, or NULL. sync may
 * be NULL (offline). */
PosHandoverDialog    *pos_handover_dialog_new          (GtkWindow         *parent,
                                                        PosDatabase       *db,
                                                        PosSyncEngine     *sync,
                                                        PosPickupOrder    *order,
                                                        const char        *code);
const PosPickupOrder *pos_handover_dialog_get_order    (PosHandoverDialog *self);
/* What the clerk chose, checked (an identity given, something handed over
 * or refused, a reason for a refusal). The strings and lines stay valid
 * while the dialog lives and until the next call. */
gboolean              pos_handover_dialog_get_handover (PosHandoverDialog *self,
                                                        PosPickupHandover *out,
                                                        GError           **error);
void                  pos_handover_dialog_show_error   (PosHandoverDialog *self,
                                                        const char        *message);

G_END_DECLS
