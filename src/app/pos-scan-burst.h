/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The timing logic of keyboard-wedge scanner detection, without GTK, so it
 * can be tested with explicit timestamps. PosScanDetector feeds it the key
 * presses of a window and does what it answers.
 *
 * A scanner types a code as a burst of keys a few milliseconds apart, ended
 * by Return (or Tab). People are slower. The design lets the first key of
 * a possible burst through untouched (so typing, dead keys and input
 * methods work as usual, with no delay), and takes it back when a second
 * key follows within max_gap_ms:
 *
 *   key 1            PASS_FIRST    let it through; remember the focused
 *                                  text as it was before (a snapshot)
 *   key 2 fast       START_BURST   restore the snapshot, swallow the key
 *   key n fast       HOLD          swallow
 *   Return/Tab fast, SCAN          swallow; the held text is a scan
 *     >= min_length
 *   anything else    FLUSH_PASS    put the held text back where it was
 *                                  typed, then let the key through
 *   slow char        FLUSH_FIRST   put the held text back, then treat the
 *                                  key as a new key 1 (PASS_FIRST)
 *   timeout          FLUSH         put the held text back (a person typed
 *                                  two keys very fast, no terminator came)
 *
 * After a timeout flush, a key that still comes within max_gap_ms of the
 * last held key (event time, not wall-clock time: the application may have
 * been busy) resumes the burst: RESUME_BURST (restore the snapshot again,
 * swallow), so a scan is never split by a stall of the main loop. */

typedef enum {
  POS_SCAN_PASS,          /* let the key through, nothing to do */
  POS_SCAN_PASS_FIRST,    /* take a snapshot, let the key through */
  POS_SCAN_START_BURST,   /* restore snapshot, swallow */
  POS_SCAN_RESUME_BURST,  /* undo the flush (restore snapshot), swallow */
  POS_SCAN_HOLD,          /* swallow */
  POS_SCAN_SCAN,          /* swallow; pos_scan_burst_take_text() is the scan */
  POS_SCAN_RESUME_SCAN,   /* undo the flush, swallow; take_text() is the scan */
  POS_SCAN_FLUSH_PASS,    /* insert take_text(), then let the key through */
  POS_SCAN_FLUSH_FIRST,   /* insert take_text(), snapshot, let the key through */
  POS_SCAN_FLUSH,         /* (timeout) insert take_text() */
} PosScanAction;

typedef enum {
  POS_SCAN_KEY_CHAR,        /* a printable character, no Ctrl/Alt/Super */
  POS_SCAN_KEY_TERMINATOR,  /* Return, KP_Enter, Tab */
  POS_SCAN_KEY_OTHER,       /* anything else (not bare modifiers: skip those) */
} PosScanKeyKind;

typedef struct _PosScanBurst PosScanBurst;

PosScanBurst  *pos_scan_burst_new        (guint max_gap_ms,
                                          guint min_length);
void           pos_scan_burst_free       (PosScanBurst *self);
/* time_ms: the event's own timestamp (gtk_event_controller_get_current_event_time). */
PosScanAction  pos_scan_burst_feed       (PosScanBurst   *self,
                                          PosScanKeyKind  kind,
                                          gunichar        ch,
                                          guint32         time_ms);
/* The wall-clock timer ran out with no key: FLUSH when text is held,
 * else PASS. */
PosScanAction  pos_scan_burst_timeout    (PosScanBurst *self);
/* TRUE while keys are held (the caller keeps a timer running). */
gboolean       pos_scan_burst_is_holding (PosScanBurst *self);
/* The text to insert (FLUSH_*) or the scan (SCAN, RESUME_SCAN). */
char          *pos_scan_burst_take_text  (PosScanBurst *self);
void           pos_scan_burst_reset      (PosScanBurst *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosScanBurst, pos_scan_burst_free)

G_END_DECLS
