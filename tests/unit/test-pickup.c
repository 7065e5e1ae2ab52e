/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>

#include "domain/pos-pickup.h"

#define P(x) POS_PICKUP_##x

/* Every edge of docs/sync-protocol.md §7, and nothing else. */
static const PosPickupState edges[][2] = {
  { P (PLACED), P (ALLOCATED) },
  { P (ALLOCATED), P (PICKING) },
  { P (PICKING), P (READY_FOR_PICKUP) },
  { P (READY_FOR_PICKUP), P (PICKED_UP) },
  { P (READY_FOR_PICKUP), P (PARTIALLY_PICKED_UP) },
  { P (PARTIALLY_PICKED_UP), P (PICKED_UP) },
  { P (PLACED), P (ON_HOLD) },
  { P (ALLOCATED), P (ON_HOLD) },
  { P (PICKING), P (ON_HOLD) },
  { P (READY_FOR_PICKUP), P (ON_HOLD) },
  { P (ON_HOLD), P (PLACED) },
  { P (ON_HOLD), P (ALLOCATED) },
  { P (ON_HOLD), P (PICKING) },
  { P (ON_HOLD), P (READY_FOR_PICKUP) },
  { P (READY_FOR_PICKUP), P (NO_SHOW) },
  { P (READY_FOR_PICKUP), P (EXPIRED) },
  { P (NO_SHOW), P (CANCELLED) },
  { P (EXPIRED), P (CANCELLED) },
  { P (PLACED), P (CANCELLED) },
  { P (ALLOCATED), P (CANCELLED) },
  { P (PICKING), P (CANCELLED) },
  { P (ON_HOLD), P (CANCELLED) },
};

static gboolean
is_edge (PosPickupState from,
         PosPickupState to)
{
  for (guint i = 0; i < G_N_ELEMENTS (edges); i++)
    if (edges[i][0] == from && edges[i][1] == to)
      return TRUE;
  return FALSE;
}

START_TEST (test_table)
{
  for (int from = 0; from < POS_PICKUP_N_STATES; from++)
    for (int to = 0; to < POS_PICKUP_N_STATES; to++)
      ck_assert_msg (pos_pickup_transition_allowed (from, to) == is_edge (from, to),
                     "%s -> %s", pos_pickup_state_to_string (from), pos_pickup_state_to_string (to));
}
END_TEST

START_TEST (test_out_of_range)
{
  ck_assert (!pos_pickup_transition_allowed (POS_PICKUP_N_STATES, P (PLACED)));
  ck_assert (!pos_pickup_transition_allowed (P (PLACED), POS_PICKUP_N_STATES));
  ck_assert (!pos_pickup_transition_allowed ((PosPickupState) -1, P (PLACED)));
  ck_assert_ptr_null (pos_pickup_state_to_string (POS_PICKUP_N_STATES));
  ck_assert (!pos_pickup_is_final (POS_PICKUP_N_STATES));
}
END_TEST

START_TEST (test_names)
{
  PosPickupState s;

  for (int i = 0; i < POS_PICKUP_N_STATES; i++)
    {
      const char *name = pos_pickup_state_to_string (i);

      ck_assert_ptr_nonnull (name);
      ck_assert (pos_pickup_state_from_string (name, &s));
      ck_assert_int_eq (s, i);
    }
  ck_assert_str_eq (pos_pickup_state_to_string (P (READY_FOR_PICKUP)), "READY_FOR_PICKUP");
  ck_assert (!pos_pickup_state_from_string ("ready_for_pickup", &s));
  ck_assert (!pos_pickup_state_from_string ("", &s));
  ck_assert (!pos_pickup_state_from_string (NULL, &s));
  ck_assert (!pos_pickup_state_from_string ("PICKED_UP ", &s));
}
END_TEST

START_TEST (test_helpers)
{
  for (int i = 0; i < POS_PICKUP_N_STATES; i++)
    {
      ck_assert (pos_pickup_is_handover (i) == (i == P (PICKED_UP) || i == P (PARTIALLY_PICKED_UP)));
      ck_assert (pos_pickup_is_final (i) == (i == P (PICKED_UP) || i == P (CANCELLED)));
      ck_assert (pos_pickup_notifies_customer (i) == (i == P (READY_FOR_PICKUP) || i == P (PICKED_UP)));
    }
}
END_TEST

static Suite *
pickup_suite (void)
{
  Suite *s = suite_create ("pickup");
  TCase *tc = tcase_create ("state machine");

  tcase_add_test (tc, test_table);
  tcase_add_test (tc, test_out_of_range);
  tcase_add_test (tc, test_names);
  tcase_add_test (tc, test_helpers);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (pickup_suite ());
  int failed;

  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
