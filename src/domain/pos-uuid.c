/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include <string.h>

#include "pos-uuid.h"

/* RFC 9562 UUIDv7 with a 12-bit counter in rand_a ("Fixed Bit-Length
 * Dedicated Counter", method 1): within the same millisecond the counter
 * increases, so ids of one process sort in creation order. The counter
 * restarts at a random value below 2048 each new millisecond, leaving room
 * for at least 2048 ids per ms; when it runs out the timestamp is advanced
 * by one ms (RFC 9562 section 6.2). */

typedef struct {
  gint64 last_ms;   /* timestamp of the last id of the sequence */
  gint64 last_req;  /* the time asked for by that call */
  guint  counter;
} Sequence;

static GMutex uuid_lock;
/* The wall clock's sequence, and a separate one for explicit times so that
 * a test asking for a future time does not drag real ids along. */
static Sequence clock_seq = { -1, -1, 0 };
static Sequence explicit_seq = { -1, -1, 0 };

#define MAX_UNIX_MS G_GINT64_CONSTANT (0xFFFFFFFFFFFF)

static char *
format_uuid7 (gint64  ms,
              guint   seq)
{
  guint8 b[16];
  guint64 rand_b = ((guint64) g_random_int () << 32) | g_random_int ();

  b[0] = (guint8) (ms >> 40);
  b[1] = (guint8) (ms >> 32);
  b[2] = (guint8) (ms >> 24);
  b[3] = (guint8) (ms >> 16);
  b[4] = (guint8) (ms >> 8);
  b[5] = (guint8) ms;
  b[6] = (guint8) (0x70 | ((seq >> 8) & 0x0F));
  b[7] = (guint8) (seq & 0xFF);
  b[8] = (guint8) (0x80 | ((rand_b >> 56) & 0x3F));
  for (int i = 9; i < 16; i++)
    b[i] = (guint8) (rand_b >> (8 * (15 - i)));

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* req_ms: the time asked for. follow_clock: a wall clock that went back
 * still continues the sequence (pos_uuid7_new); an explicit earlier time
 * (pos_uuid7_new_at) gets an id of its own, outside the sequence. */
static char *
generate (gint64   req_ms,
          gboolean follow_clock)
{
  Sequence *sq = follow_clock ? &clock_seq : &explicit_seq;
  gint64 ms;
  guint seq;

  req_ms = CLAMP (req_ms, 0, MAX_UNIX_MS);

  g_mutex_lock (&uuid_lock);
  if (!follow_clock && req_ms < sq->last_req)
    {
      g_mutex_unlock (&uuid_lock);
      return format_uuid7 (req_ms, (guint) g_random_int_range (0, 0x1000));
    }

  sq->last_req = MAX (sq->last_req, req_ms);
  ms = MAX (req_ms, sq->last_ms);
  if (ms > sq->last_ms)
    {
      sq->last_ms = ms;
      sq->counter = (guint) g_random_int_range (0, 0x800);
    }
  else if (sq->counter < 0xFFF)
    sq->counter++;
  else
    {
      /* Counter exhausted within one ms: borrow the next ms. */
      sq->last_ms = MIN (sq->last_ms + 1, MAX_UNIX_MS);
      sq->counter = (guint) g_random_int_range (0, 0x800);
    }

  ms = sq->last_ms;
  seq = sq->counter;
  g_mutex_unlock (&uuid_lock);

  return format_uuid7 (ms, seq);
}

char *
pos_uuid7_new (void)
{
  return generate (g_get_real_time () / 1000, TRUE);
}

char *
pos_uuid7_new_at (gint64 unix_ms)
{
  g_return_val_if_fail (unix_ms >= 0 && unix_ms <= MAX_UNIX_MS, NULL);

  return generate (unix_ms, FALSE);
}

gboolean
pos_uuid_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;

  for (int i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

gint64
pos_uuid7_get_unix_ms (const char *uuid7)
{
  gint64 ms = 0;

  if (!pos_uuid_is_valid (uuid7) || uuid7[14] != '7' ||
      strchr ("89abAB", uuid7[19]) == NULL)
    return -1;

  for (int i = 0; i < 13; i++)
    {
      if (i == 8)
        continue;
      ms = (ms << 4) | g_ascii_xdigit_value (uuid7[i]);
    }
  return ms;
}
