/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Staff PINs: 4 to 8 digits, stored only as Argon2id hashes in libsodium's
 * self-describing string form ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"),
 * so a hash made with other parameters (another terminal, the central, an
 * older release) still verifies. The parameters for new hashes are chosen
 * so that a verification takes well under 300 ms on a counter PC (see
 * tests/bench/bench-signin.c for the figure and the closing note of issue 8). */

#define POS_PIN_ERROR (pos_pin_error_quark ())
GQuark pos_pin_error_quark (void);

typedef enum {
  POS_PIN_ERROR_INVALID,   /* not 4..8 digits */
  POS_PIN_ERROR_WEAK,      /* all the same digit, or a run like 1234 / 4321 */
  POS_PIN_ERROR_FAILED,    /* out of memory while hashing */
} PosPinError;

#define POS_PIN_MIN_LENGTH 4
#define POS_PIN_MAX_LENGTH 8

/* The Argon2id cost of new hashes: operations and memory in bytes.
 * Measured on the build machine (AMD EPYC, 1 thread): t=3, m=64 MiB takes
 * 100..120 ms per verification (t=3/32 MiB ~50 ms, t=4/64 MiB ~150 ms,
 * t=3/96 MiB ~170 ms), leaving room for a counter PC 2.5 times slower to
 * stay under 300 ms. tests/bench/bench-signin.c prints the figure. */
#define POS_PIN_OPSLIMIT 3
#define POS_PIN_MEMLIMIT (64u * 1024u * 1024u)

/* What a person may choose: 4..8 digits, not weak (INVALID or WEAK). */
gboolean  pos_pin_is_acceptable  (const char *pin, GError **error);
/* The Argon2id string of any 4..8 digit PIN (INVALID otherwise; whether it
 * is too easy to guess is pos_pin_is_acceptable's to say). Slow on
 * purpose: never call it holding a write transaction. */
char     *pos_pin_hash           (const char *pin, GError **error);
/* TRUE when pin matches hash; FALSE for a wrong PIN or a hash that is not
 * an Argon2id string. Constant-time in the PIN. */
gboolean  pos_pin_verify         (const char *hash, const char *pin);
/* TRUE when hash was made with other parameters than today's. */
gboolean  pos_pin_needs_rehash   (const char *hash);

G_END_DECLS
