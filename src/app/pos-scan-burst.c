/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-scan"

#include "config.h"

#include "pos-scan-burst.h"

typedef enum {
  STATE_IDLE,
  STATE_FIRST,    /* one key went through */
  STATE_BURST,    /* keys held */
  STATE_FLUSHED,  /* held keys were given back on a timeout */
} State;

struct _PosScanBurst {
  guint    max_gap_ms;
  guint    min_length;
  State    state;
  guint32  last_time;
  GString *held;
  char    *out;
};

PosScanBurst *
pos_scan_burst_new (guint max_gap_ms,
                    guint min_length)
{
  PosScanBurst *self = g_new0 (PosScanBurst, 1);

  self->max_gap_ms = max_gap_ms;
  self->min_length = MAX (min_length, 2);
  self->held = g_string_new (NULL);
  return self;
}

void
pos_scan_burst_free (PosScanBurst *self)
{
  if (self == NULL)
    return;
  g_string_free (self->held, TRUE);
  g_free (self->out);
  g_free (self);
}

void
pos_scan_burst_reset (PosScanBurst *self)
{
  self->state = STATE_IDLE;
  g_string_truncate (self->held, 0);
  g_clear_pointer (&self->out, g_free);
}

static gboolean
is_fast (PosScanBurst *self,
         guint32       time_ms)
{
  /* Event times are a 32-bit millisecond clock that may wrap; an event
   * stamped before the previous one counts as no gap. */
  guint32 gap = time_ms - self->last_time;

  return gap < self->max_gap_ms || gap > G_MAXUINT32 - 1000;
}

static void
give_out (PosScanBurst *self)
{
  g_free (self->out);
  self->out = g_strdup (self->held->str);
}

PosScanAction
pos_scan_burst_feed (PosScanBurst   *self,
                     PosScanKeyKind  kind,
                     gunichar        ch,
                     guint32         time_ms)
{
  gboolean fast = self->state != STATE_IDLE && is_fast (self, time_ms);

  switch (kind)
    {
    case POS_SCAN_KEY_CHAR:
      switch (self->state)
        {
        case STATE_FIRST:
          if (fast)
            {
              /* the first key's character was remembered in held */
              g_string_append_unichar (self->held, ch);
              self->state = STATE_BURST;
              self->last_time = time_ms;
              return POS_SCAN_START_BURST;
            }
          break;

        case STATE_BURST:
          if (fast)
            {
              g_string_append_unichar (self->held, ch);
              self->last_time = time_ms;
              return POS_SCAN_HOLD;
            }
          give_out (self);
          g_string_truncate (self->held, 0);
          g_string_append_unichar (self->held, ch);
          self->state = STATE_FIRST;
          self->last_time = time_ms;
          return POS_SCAN_FLUSH_FIRST;

        case STATE_FLUSHED:
          if (fast)
            {
              g_string_append_unichar (self->held, ch);
              self->state = STATE_BURST;
              self->last_time = time_ms;
              return POS_SCAN_RESUME_BURST;
            }
          break;

        case STATE_IDLE:
        default:
          break;
        }

      g_string_truncate (self->held, 0);
      g_string_append_unichar (self->held, ch);
      self->state = STATE_FIRST;
      self->last_time = time_ms;
      return POS_SCAN_PASS_FIRST;

    case POS_SCAN_KEY_TERMINATOR:
      if ((self->state == STATE_BURST || self->state == STATE_FLUSHED) &&
          fast && g_utf8_strlen (self->held->str, -1) >= self->min_length)
        {
          PosScanAction action = self->state == STATE_BURST ? POS_SCAN_SCAN : POS_SCAN_RESUME_SCAN;

          give_out (self);
          g_string_truncate (self->held, 0);
          self->state = STATE_IDLE;
          return action;
        }
      G_GNUC_FALLTHROUGH;

    case POS_SCAN_KEY_OTHER:
    default:
      if (self->state == STATE_BURST)
        {
          give_out (self);
          g_string_truncate (self->held, 0);
          self->state = STATE_IDLE;
          return POS_SCAN_FLUSH_PASS;
        }
      g_string_truncate (self->held, 0);
      self->state = STATE_IDLE;
      return POS_SCAN_PASS;
    }
}

PosScanAction
pos_scan_burst_timeout (PosScanBurst *self)
{
  if (self->state == STATE_BURST)
    {
      give_out (self);
      /* keep held and last_time: a late fast key resumes the burst */
      self->state = STATE_FLUSHED;
      return POS_SCAN_FLUSH;
    }

  return POS_SCAN_PASS;
}

gboolean
pos_scan_burst_is_holding (PosScanBurst *self)
{
  return self->state == STATE_BURST;
}

char *
pos_scan_burst_take_text (PosScanBurst *self)
{
  return g_steal_pointer (&self->out);
}
