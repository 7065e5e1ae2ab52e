/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-pin"

#include "config.h"

#include <string.h>
#include <sodium.h>
#include <glib/gi18n-lib.h>

#include "pos-pin.h"

G_DEFINE_QUARK (pos-pin-error-quark, pos_pin_error)

/* libsodium must be initialised once before use; sodium_init is itself
 * safe to call again, but g_once makes the first call race-free. */
static gboolean
ensure_sodium (void)
{
  static gsize state = 0;

  if (g_once_init_enter (&state))
    {
      gsize ok = sodium_init () >= 0 ? 2 : 1;

      if (ok != 2)
        g_critical ("libsodium could not be initialised");
      g_once_init_leave (&state, ok);
    }

  return state == 2;
}

static gboolean
check_digits (const char  *pin,
              GError     **error)
{
  gsize len = pin != NULL ? strlen (pin) : 0;

  if (len < POS_PIN_MIN_LENGTH || len > POS_PIN_MAX_LENGTH)
    {
      g_set_error (error, POS_PIN_ERROR, POS_PIN_ERROR_INVALID,
                   _("A PIN has %d to %d digits."), POS_PIN_MIN_LENGTH, POS_PIN_MAX_LENGTH);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error (error, POS_PIN_ERROR, POS_PIN_ERROR_INVALID,
                     _("A PIN has only digits (%d to %d of them)."), POS_PIN_MIN_LENGTH, POS_PIN_MAX_LENGTH);
        return FALSE;
      }

  return TRUE;
}

gboolean
pos_pin_is_acceptable (const char  *pin,
                       GError     **error)
{
  gsize len;
  gboolean same = TRUE, up = TRUE, down = TRUE;

  if (!check_digits (pin, error))
    return FALSE;

  len = strlen (pin);
  for (gsize i = 1; i < len; i++)
    {
      int d = pin[i] - pin[i - 1];

      same = same && d == 0;
      up = up && (d == 1 || d == -9);      /* 7890 counts as a run */
      down = down && (d == -1 || d == 9);
    }
  if (same || up || down)
    {
      g_set_error (error, POS_PIN_ERROR, POS_PIN_ERROR_WEAK,
                   _("This PIN is too easy to guess (one digit repeated, or a run like 1234). Choose another."));
      return FALSE;
    }

  return TRUE;
}

/* Any 4..8 digit PIN is hashed: whether it is too easy to guess is
 * pos_pin_is_acceptable's to say, when a person chooses one. */
char *
pos_pin_hash (const char  *pin,
              GError     **error)
{
  char out[crypto_pwhash_STRBYTES];

  if (!check_digits (pin, error))
    return NULL;

  if (!ensure_sodium () ||
      crypto_pwhash_str (out, pin, strlen (pin), POS_PIN_OPSLIMIT, POS_PIN_MEMLIMIT) != 0)
    {
      g_set_error (error, POS_PIN_ERROR, POS_PIN_ERROR_FAILED,
                   _("Not enough memory to protect the PIN. Close other programs and try again."));
      return NULL;
    }

  return g_strdup (out);
}

gboolean
pos_pin_verify (const char *hash,
                const char *pin)
{
  if (hash == NULL || pin == NULL || !g_str_has_prefix (hash, "$argon2id$"))
    return FALSE;
  if (strlen (hash) >= crypto_pwhash_STRBYTES || !ensure_sodium ())
    return FALSE;

  return crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
}

gboolean
pos_pin_needs_rehash (const char *hash)
{
  if (hash == NULL || !g_str_has_prefix (hash, "$argon2id$") ||
      strlen (hash) >= crypto_pwhash_STRBYTES || !ensure_sodium ())
    return TRUE;

  return crypto_pwhash_str_needs_rehash (hash, POS_PIN_OPSLIMIT, POS_PIN_MEMLIMIT) != 0;
}
