/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Keyboard-wedge barcode scanners on a window, wherever the focus is.
 *
 * A GtkEventControllerKey in the CAPTURE phase on the window sees every key
 * first. Printable keys (no Ctrl/Alt/Super) arriving in a burst with less
 * than max-gap-ms between them (event timestamps, 35 ms by default) and
 * ended by Return, KP_Enter or Tab, with at least 4 characters, are a
 * scan: "scanned" is emitted with the text and none of those keys reaches
 * the focused widget.
 *
 * The first key of every possible burst goes through untouched, so people
 * type with no delay and dead keys and input methods keep working. When a
 * second key follows within the gap, the focused GtkEditable is put back
 * as it was before the first key (a snapshot of its text, cursor and
 * selection) and the following keys are held. If the burst ends without a
 * terminator (100 ms wall-clock timeout), or a slow or non-printable key
 * comes, the held text is inserted back where it was typed (replacing the
 * selection, like typing) and the key goes on as usual. If the focus is
 * not an editable, the held text is offered to "typed" instead (return
 * TRUE when handled; the window sends it to the sale page's entry). The
 * logic is PosScanBurst (pos-scan-burst.h), tested with timestamps. */

#define POS_TYPE_SCAN_DETECTOR (pos_scan_detector_get_type ())
G_DECLARE_FINAL_TYPE (PosScanDetector, pos_scan_detector, POS, SCAN_DETECTOR, GObject)

/* Attaches to window (a weak reference: the detector does not keep it
 * alive). Keep the detector as long as the window lives. */
PosScanDetector *pos_scan_detector_new          (GtkWidget       *window);
void             pos_scan_detector_set_enabled  (PosScanDetector *self,
                                                 gboolean         enabled);
guint            pos_scan_detector_get_max_gap  (PosScanDetector *self);

G_END_DECLS
