/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <string.h>
#include <sodium.h>

#include "domain/pos-pin.h"

/* Staff PINs: which are accepted, Argon2id hashing and verification, and
 * telling a hash made with other parameters. */

START_TEST (test_acceptable)
{
  static const char *good[] = { "2580", "1357", "0852", "19283746", "1123", "9899" };
  static const struct { const char *pin; PosPinError code; } bad[] = {
    { "123", POS_PIN_ERROR_INVALID },
    { "123456789", POS_PIN_ERROR_INVALID },
    { "12a4", POS_PIN_ERROR_INVALID },
    { "", POS_PIN_ERROR_INVALID },
    { " 2580", POS_PIN_ERROR_INVALID },
    { "1111", POS_PIN_ERROR_WEAK },
    { "00000000", POS_PIN_ERROR_WEAK },
    { "1234", POS_PIN_ERROR_WEAK },
    { "4321", POS_PIN_ERROR_WEAK },
    { "7890", POS_PIN_ERROR_WEAK },
    { "34567890", POS_PIN_ERROR_WEAK },
    { "3210", POS_PIN_ERROR_WEAK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      ck_assert_msg (pos_pin_is_acceptable (good[i], &error), "%s: %s", good[i], error ? error->message : "");
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      ck_assert_msg (!pos_pin_is_acceptable (bad[i].pin, &error), "%s accepted", bad[i].pin);
      ck_assert_msg (g_error_matches (error, POS_PIN_ERROR, (int) bad[i].code), "%s: %s", bad[i].pin, error->message);
    }
  ck_assert (!pos_pin_is_acceptable (NULL, NULL));
}
END_TEST

START_TEST (test_hash_and_verify)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = pos_pin_hash ("2580", &error);
  g_autofree char *again = pos_pin_hash ("2580", &error);
  g_autofree char *params = g_strdup_printf ("$argon2id$v=19$m=%u,t=%d,p=1$",
                                             POS_PIN_MEMLIMIT / 1024u, POS_PIN_OPSLIMIT);

  ck_assert_ptr_nonnull (hash);
  ck_assert_msg (g_str_has_prefix (hash, params), "%s does not start with %s", hash, params);
  /* Salted: the same PIN never gives the same string. */
  ck_assert_str_ne (hash, again);
  ck_assert (pos_pin_verify (hash, "2580"));
  ck_assert (pos_pin_verify (again, "2580"));
  ck_assert (!pos_pin_verify (hash, "2581"));
  ck_assert (!pos_pin_verify (hash, "25800"));
  ck_assert (!pos_pin_verify (hash, ""));
  ck_assert (!pos_pin_verify (hash, NULL));
  ck_assert (!pos_pin_needs_rehash (hash));

  /* Weak PINs still hash (choosing one is refused elsewhere); bad input not. */
  {
    g_autofree char *weak = pos_pin_hash ("1111", &error);
    ck_assert_ptr_nonnull (weak);
    ck_assert (pos_pin_verify (weak, "1111"));
  }
  ck_assert_ptr_null (pos_pin_hash ("12", &error));
  ck_assert (g_error_matches (error, POS_PIN_ERROR, POS_PIN_ERROR_INVALID));
}
END_TEST

START_TEST (test_not_a_hash)
{
  ck_assert (!pos_pin_verify (NULL, "2580"));
  ck_assert (!pos_pin_verify ("", "2580"));
  ck_assert (!pos_pin_verify ("2580", "2580"));
  ck_assert (!pos_pin_verify ("$argon2id$v=19$m=65536,t=3,p=1$garbage", "2580"));
  ck_assert (pos_pin_needs_rehash (NULL));
  ck_assert (pos_pin_needs_rehash ("plain text"));
}
END_TEST

START_TEST (test_other_parameters)
{
  char other[crypto_pwhash_STRBYTES];
  char argon2i[crypto_pwhash_STRBYTES];

  /* A hash made elsewhere with other (here the cheapest) parameters still
   * verifies, and is reported as worth making again. */
  ck_assert_int_eq (sodium_init () >= 0, 1);
  ck_assert_int_eq (crypto_pwhash_str_alg (other, "2580", 4, crypto_pwhash_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13), 0);
  ck_assert (pos_pin_verify (other, "2580"));
  ck_assert (!pos_pin_verify (other, "0852"));
  ck_assert (pos_pin_needs_rehash (other));

  /* Argon2i (not id) is not what Balcão stores: refused. */
  ck_assert_int_eq (crypto_pwhash_str_alg (argon2i, "2580", 4, crypto_pwhash_argon2i_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2I13), 0);
  ck_assert (!pos_pin_verify (argon2i, "2580"));
  ck_assert (pos_pin_needs_rehash (argon2i));
}
END_TEST

static Suite *
pin_suite (void)
{
  Suite *s = suite_create ("pin");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_acceptable);
  tcase_add_test (tc, test_hash_and_verify);
  tcase_add_test (tc, test_not_a_hash);
  tcase_add_test (tc, test_other_parameters);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (pin_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
