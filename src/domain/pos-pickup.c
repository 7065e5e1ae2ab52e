/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include "pos-pickup.h"

static const char * const state_names[POS_PICKUP_N_STATES] = {
  [POS_PICKUP_PLACED] = "PLACED",
  [POS_PICKUP_ALLOCATED] = "ALLOCATED",
  [POS_PICKUP_PICKING] = "PICKING",
  [POS_PICKUP_READY_FOR_PICKUP] = "READY_FOR_PICKUP",
  [POS_PICKUP_PICKED_UP] = "PICKED_UP",
  [POS_PICKUP_ON_HOLD] = "ON_HOLD",
  [POS_PICKUP_PARTIALLY_PICKED_UP] = "PARTIALLY_PICKED_UP",
  [POS_PICKUP_NO_SHOW] = "NO_SHOW",
  [POS_PICKUP_EXPIRED] = "EXPIRED",
  [POS_PICKUP_CANCELLED] = "CANCELLED",
};

#define S(x) (1u << POS_PICKUP_##x)

/* allowed[from] is the set of states `from` may move to. */
static const guint allowed[POS_PICKUP_N_STATES] = {
  [POS_PICKUP_PLACED] = S (ALLOCATED) | S (ON_HOLD) | S (CANCELLED),
  [POS_PICKUP_ALLOCATED] = S (PICKING) | S (ON_HOLD) | S (CANCELLED),
  [POS_PICKUP_PICKING] = S (READY_FOR_PICKUP) | S (ON_HOLD) | S (CANCELLED),
  [POS_PICKUP_READY_FOR_PICKUP] = S (PICKED_UP) | S (PARTIALLY_PICKED_UP) | S (ON_HOLD) |
                                  S (NO_SHOW) | S (EXPIRED),
  [POS_PICKUP_PICKED_UP] = 0,
  [POS_PICKUP_ON_HOLD] = S (PLACED) | S (ALLOCATED) | S (PICKING) | S (READY_FOR_PICKUP) |
                         S (CANCELLED),
  [POS_PICKUP_PARTIALLY_PICKED_UP] = S (PICKED_UP),
  [POS_PICKUP_NO_SHOW] = S (CANCELLED),
  [POS_PICKUP_EXPIRED] = S (CANCELLED),
  [POS_PICKUP_CANCELLED] = 0,
};

#undef S

static gboolean
valid_state (PosPickupState state)
{
  return (int) state >= 0 && state < POS_PICKUP_N_STATES;
}

const char *
pos_pickup_state_to_string (PosPickupState state)
{
  return valid_state (state) ? state_names[state] : NULL;
}

gboolean
pos_pickup_state_from_string (const char     *name,
                              PosPickupState *out_state)
{
  if (name == NULL)
    return FALSE;
  for (int i = 0; i < POS_PICKUP_N_STATES; i++)
    if (g_str_equal (name, state_names[i]))
      {
        if (out_state != NULL)
          *out_state = (PosPickupState) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
pos_pickup_transition_allowed (PosPickupState from,
                               PosPickupState to)
{
  if (!valid_state (from) || !valid_state (to))
    return FALSE;
  return (allowed[from] & (1u << to)) != 0;
}

gboolean
pos_pickup_is_handover (PosPickupState to)
{
  return to == POS_PICKUP_PICKED_UP || to == POS_PICKUP_PARTIALLY_PICKED_UP;
}

gboolean
pos_pickup_is_final (PosPickupState state)
{
  return valid_state (state) && allowed[state] == 0;
}

gboolean
pos_pickup_notifies_customer (PosPickupState state)
{
  return state == POS_PICKUP_READY_FOR_PICKUP || state == POS_PICKUP_PICKED_UP;
}
