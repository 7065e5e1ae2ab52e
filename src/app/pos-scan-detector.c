/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-scan"

#include "config.h"

#include "pos-scan-burst.h"
#include "pos-scan-detector.h"

#define DEFAULT_MAX_GAP_MS  35
#define MIN_SCAN_LENGTH     4
#define FLUSH_TIMEOUT_MS    100

struct _PosScanDetector {
  GObject             parent_instance;

  GtkWidget          *window;      /* weak */
  GtkEventController *controller;  /* owned by the window */
  PosScanBurst       *burst;
  guint               flush_id;
  gboolean            enabled;
  guint               max_gap_ms;

  /* The focused editable before the first key of a possible burst. */
  GtkEditable        *editable;    /* weak */
  char               *snap_text;
  int                 snap_pos;
  int                 snap_sel_start;
  int                 snap_sel_end;
};

G_DEFINE_FINAL_TYPE (PosScanDetector, pos_scan_detector, G_TYPE_OBJECT)

enum {
  SIGNAL_SCANNED,
  SIGNAL_TYPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_editable (PosScanDetector *self)
{
  if (self->editable != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->editable), (gpointer *) &self->editable);
  self->editable = NULL;
  g_clear_pointer (&self->snap_text, g_free);
}

static void
take_snapshot (PosScanDetector *self)
{
  GtkWidget *focus;

  clear_editable (self);

  if (self->window == NULL)
    return;

  focus = gtk_root_get_focus (GTK_ROOT (self->window));
  if (focus == NULL || !GTK_IS_EDITABLE (focus) ||
      !gtk_editable_get_editable (GTK_EDITABLE (focus)))
    return;

  self->editable = GTK_EDITABLE (focus);
  g_object_add_weak_pointer (G_OBJECT (self->editable), (gpointer *) &self->editable);
  self->snap_text = g_strdup (gtk_editable_get_text (self->editable));
  self->snap_pos = gtk_editable_get_position (self->editable);
  if (!gtk_editable_get_selection_bounds (self->editable, &self->snap_sel_start, &self->snap_sel_end))
    self->snap_sel_start = self->snap_sel_end = self->snap_pos;
}

static void
restore_snapshot (PosScanDetector *self)
{
  if (self->editable == NULL || self->snap_text == NULL)
    return;

  if (g_strcmp0 (gtk_editable_get_text (self->editable), self->snap_text) != 0)
    gtk_editable_set_text (self->editable, self->snap_text);
  if (self->snap_sel_start != self->snap_sel_end)
    gtk_editable_select_region (self->editable, self->snap_sel_start, self->snap_sel_end);
  else
    gtk_editable_set_position (self->editable, self->snap_pos);
}

/* Puts back what a person typed: into the editable that had the focus,
 * as typing would (replacing the selection); else offers it to "typed". */
static void
deliver_text (PosScanDetector *self,
              const char      *text)
{
  if (text == NULL || *text == '\0')
    return;

  if (self->editable != NULL)
    {
      int pos = self->snap_sel_start;

      if (self->snap_sel_start != self->snap_sel_end)
        gtk_editable_delete_text (self->editable, self->snap_sel_start, self->snap_sel_end);
      gtk_editable_insert_text (self->editable, text, -1, &pos);
      gtk_editable_set_position (self->editable, pos);
    }
  else
    {
      gboolean handled = FALSE;

      g_signal_emit (self, signals[SIGNAL_TYPED], 0, text, &handled);
      if (!handled)
        g_debug ("Dropped typed text with no editable focused: %s", text);
    }
}

static void
stop_timer (PosScanDetector *self)
{
  g_clear_handle_id (&self->flush_id, g_source_remove);
}

static gboolean
on_flush_timeout (gpointer user_data)
{
  PosScanDetector *self = user_data;
  g_autofree char *text = NULL;

  self->flush_id = 0;
  if (pos_scan_burst_timeout (self->burst) == POS_SCAN_FLUSH)
    {
      text = pos_scan_burst_take_text (self->burst);
      deliver_text (self, text);
    }

  return G_SOURCE_REMOVE;
}

static void
restart_timer (PosScanDetector *self)
{
  stop_timer (self);
  self->flush_id = g_timeout_add (FLUSH_TIMEOUT_MS, on_flush_timeout, self);
}

static PosScanKeyKind
classify (guint            keyval,
          GdkModifierType  state,
          gunichar        *out_ch)
{
  gunichar ch;

  *out_ch = 0;
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_META_MASK | GDK_HYPER_MASK))
    return POS_SCAN_KEY_OTHER;

  switch (keyval)
    {
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      return POS_SCAN_KEY_TERMINATOR;
    default:
      break;
    }

  /* dead keys compose with the next key: never part of a scan */
  if (keyval >= GDK_KEY_dead_grave && keyval <= GDK_KEY_dead_greek)
    return POS_SCAN_KEY_OTHER;

  ch = gdk_keyval_to_unicode (keyval);
  if (ch == 0 || !g_unichar_isprint (ch))
    return POS_SCAN_KEY_OTHER;

  *out_ch = ch;
  return POS_SCAN_KEY_CHAR;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  PosScanDetector *self = user_data;
  g_autofree char *text = NULL;
  GdkEvent *event;
  PosScanKeyKind kind;
  gunichar ch;
  guint32 time_ms;

  if (!self->enabled)
    return GDK_EVENT_PROPAGATE;

  event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));
  if (event != NULL && gdk_key_event_is_modifier (event))
    return GDK_EVENT_PROPAGATE;

  time_ms = gtk_event_controller_get_current_event_time (GTK_EVENT_CONTROLLER (controller));
  kind = classify (keyval, state, &ch);

  switch (pos_scan_burst_feed (self->burst, kind, ch, time_ms))
    {
    case POS_SCAN_PASS_FIRST:
      stop_timer (self);
      take_snapshot (self);
      return GDK_EVENT_PROPAGATE;

    case POS_SCAN_START_BURST:
    case POS_SCAN_RESUME_BURST:
      restore_snapshot (self);
      restart_timer (self);
      return GDK_EVENT_STOP;

    case POS_SCAN_HOLD:
      restart_timer (self);
      return GDK_EVENT_STOP;

    case POS_SCAN_SCAN:
    case POS_SCAN_RESUME_SCAN:
      stop_timer (self);
      restore_snapshot (self);
      text = pos_scan_burst_take_text (self->burst);
      clear_editable (self);
      g_signal_emit (self, signals[SIGNAL_SCANNED], 0, text);
      return GDK_EVENT_STOP;

    case POS_SCAN_FLUSH_PASS:
      stop_timer (self);
      text = pos_scan_burst_take_text (self->burst);
      deliver_text (self, text);
      clear_editable (self);
      return GDK_EVENT_PROPAGATE;

    case POS_SCAN_FLUSH_FIRST:
      stop_timer (self);
      text = pos_scan_burst_take_text (self->burst);
      deliver_text (self, text);
      take_snapshot (self);
      return GDK_EVENT_PROPAGATE;

    case POS_SCAN_FLUSH:
    case POS_SCAN_PASS:
    default:
      stop_timer (self);
      return GDK_EVENT_PROPAGATE;
    }
}

static void
pos_scan_detector_dispose (GObject *object)
{
  PosScanDetector *self = POS_SCAN_DETECTOR (object);

  stop_timer (self);
  clear_editable (self);
  if (self->window != NULL)
    {
      if (self->controller != NULL)
        gtk_widget_remove_controller (self->window, self->controller);
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
  self->controller = NULL;

  G_OBJECT_CLASS (pos_scan_detector_parent_class)->dispose (object);
}

static void
pos_scan_detector_finalize (GObject *object)
{
  PosScanDetector *self = POS_SCAN_DETECTOR (object);

  pos_scan_burst_free (self->burst);

  G_OBJECT_CLASS (pos_scan_detector_parent_class)->finalize (object);
}

static void
pos_scan_detector_class_init (PosScanDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pos_scan_detector_dispose;
  object_class->finalize = pos_scan_detector_finalize;

  /**
   * PosScanDetector::scanned:
   * @text: what the scanner typed, without the terminator
   */
  signals[SIGNAL_SCANNED] =
    g_signal_new ("scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PosScanDetector::typed:
   * @text: keys a person typed fast while no editable had the focus
   *
   * Returns: TRUE when handled
   */
  signals[SIGNAL_TYPED] =
    g_signal_new ("typed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
}

static void
pos_scan_detector_init (PosScanDetector *self)
{
  const char *env = g_getenv ("BALCAO_SCAN_MAX_GAP_MS");

  self->enabled = TRUE;
  self->max_gap_ms = DEFAULT_MAX_GAP_MS;
  if (env != NULL && g_ascii_strtoull (env, NULL, 10) > 0)
    self->max_gap_ms = (guint) CLAMP (g_ascii_strtoull (env, NULL, 10), 5, 500);
  self->burst = pos_scan_burst_new (self->max_gap_ms, MIN_SCAN_LENGTH);
}

PosScanDetector *
pos_scan_detector_new (GtkWidget *window)
{
  PosScanDetector *self;

  g_return_val_if_fail (GTK_IS_WIDGET (window), NULL);

  self = g_object_new (POS_TYPE_SCAN_DETECTOR, NULL);
  self->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->window);

  self->controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (self->controller, "pos-scan-detector");
  gtk_event_controller_set_propagation_phase (self->controller, GTK_PHASE_CAPTURE);
  g_signal_connect (self->controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (window, self->controller);

  return self;
}

void
pos_scan_detector_set_enabled (PosScanDetector *self,
                               gboolean         enabled)
{
  g_return_if_fail (POS_IS_SCAN_DETECTOR (self));

  self->enabled = !!enabled;
  if (!enabled)
    {
      stop_timer (self);
      pos_scan_burst_reset (self->burst);
      clear_editable (self);
    }
}

guint
pos_scan_detector_get_max_gap (PosScanDetector *self)
{
  g_return_val_if_fail (POS_IS_SCAN_DETECTOR (self), 0);
  return self->max_gap_ms;
}
