/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The pickup (BOPIS) state machine of docs/sync-protocol.md §7, shared by
 * the terminal and the central:
 *
 *   PLACED → ALLOCATED → PICKING → READY_FOR_PICKUP → PICKED_UP
 *   READY_FOR_PICKUP → PARTIALLY_PICKED_UP → PICKED_UP
 *   PLACED, ALLOCATED, PICKING, READY_FOR_PICKUP ⇄ ON_HOLD
 *   READY_FOR_PICKUP → NO_SHOW | EXPIRED → CANCELLED
 *   PLACED, ALLOCATED, PICKING, ON_HOLD → CANCELLED
 */
typedef enum {
  POS_PICKUP_PLACED,
  POS_PICKUP_ALLOCATED,
  POS_PICKUP_PICKING,
  POS_PICKUP_READY_FOR_PICKUP,
  POS_PICKUP_PICKED_UP,
  POS_PICKUP_ON_HOLD,
  POS_PICKUP_PARTIALLY_PICKED_UP,
  POS_PICKUP_NO_SHOW,
  POS_PICKUP_EXPIRED,
  POS_PICKUP_CANCELLED,
  POS_PICKUP_N_STATES
} PosPickupState;

/* "READY_FOR_PICKUP"; NULL for a value out of range. */
const char *pos_pickup_state_to_string     (PosPickupState state);
/* Exact, upper-case names only. */
gboolean    pos_pickup_state_from_string   (const char     *name,
                                            PosPickupState *out_state);
/* Whether the table allows from → to (never from → from). */
gboolean    pos_pickup_transition_allowed  (PosPickupState  from,
                                            PosPickupState  to);
/* Goods leave the store: → PICKED_UP or → PARTIALLY_PICKED_UP. */
gboolean    pos_pickup_is_handover         (PosPickupState  to);
/* No transition leaves it (PICKED_UP, CANCELLED). */
gboolean    pos_pickup_is_final            (PosPickupState  state);
/* The central notifies the customer on entering it (READY_FOR_PICKUP,
 * PICKED_UP). */
gboolean    pos_pickup_notifies_customer   (PosPickupState  state);

G_END_DECLS
