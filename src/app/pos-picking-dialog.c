/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pos-format.h"
#include "pos-picking-dialog.h"
#include "pos-pickup-op.h"
#include "pos-scan-detector.h"
#include "pos-window.h"

/* Every write is one engine call on a worker connection (pos-pickup-op.h),
 * one at a time: scans read while one is being written wait in a queue and
 * are answered in the order they were read. */

struct _PosPickingDialog
{
  AdwWindow        parent_instance;

  PosDatabase     *db;
  PosPickupOrder  *order;
  PosWindow       *window;        /* weak: whose scans come here */
  PosScanDetector *detector;
  GCancellable    *cancellable;
  GQueue           scans;         /* char*, waiting */
  gboolean         busy;
  gboolean         done;

  AdwWindowTitle  *title;
  GtkWidget       *feedback;
  GtkWidget       *feedback_label;
  GtkWidget       *scan_entry;
  GtkWidget       *lines_box;
  GtkWidget       *shelf_row;
  GtkWidget       *print_button;
  GtkWidget       *ready_button;
  GtkWidget       *ready_hint;
};

G_DEFINE_FINAL_TYPE (PosPickingDialog, pos_picking_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CHANGED,
  SIGNAL_PRINT,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void next_scan     (PosPickingDialog *self);
static void show_order    (PosPickingDialog *self);

/* ------------------------------------------------------------------ */

static void
show_feedback (PosPickingDialog *self,
               const char       *text,
               gboolean          refused)
{
  /* Translators: a scan refused or accepted while picking, as "✗ That is Café 500 g..." */
  g_autofree char *shown = g_strdup_printf (refused ? _("✗ %s") : _("✓ %s"), text);

  gtk_label_set_text (GTK_LABEL (self->feedback_label), shown);
  gtk_widget_remove_css_class (self->feedback, refused ? "pick-ok" : "pick-refused");
  gtk_widget_add_css_class (self->feedback, refused ? "pick-refused" : "pick-ok");
  gtk_widget_set_visible (self->feedback, TRUE);
  if (refused)
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static const PosPickupLine *
find_line (const PosPickupOrder *order,
           guint                 line_no)
{
  for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
    {
      const PosPickupLine *line = g_ptr_array_index (order->lines, i);

      if (line->line_no == line_no)
        return line;
    }
  return NULL;
}

/* Whether every line is picked (or reported missing). */
static gboolean
all_picked (const PosPickupOrder *order)
{
  for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
    {
      const PosPickupLine *line = g_ptr_array_index (order->lines, i);

      if (line->picked_quantity + line->missing_quantity < line->quantity)
        return FALSE;
    }
  return TRUE;
}

static void
update_ready (PosPickingDialog *self)
{
  const char *shelf = gtk_editable_get_text (GTK_EDITABLE (self->shelf_row));
  gboolean picked = all_picked (self->order);
  g_autofree char *copy = g_strstrip (g_strdup (shelf != NULL ? shelf : ""));
  gboolean has_shelf = *copy != '\0';
  gtk_widget_set_sensitive (self->ready_button, picked && has_shelf && !self->busy);
  if (!picked)
    gtk_label_set_text (GTK_LABEL (self->ready_hint), _("Scan every item first, or report what is missing."));
  else if (!has_shelf)
    gtk_label_set_text (GTK_LABEL (self->ready_hint), _("Type the shelf where the order will wait."));
  else
    gtk_label_set_text (GTK_LABEL (self->ready_hint), "");
}

/* ------------------------------------------------------------------ */
/* Running an engine call */

typedef struct {
  PosPickingDialog *self;      /* referenced */
  guint             kind;
} Reply;

enum {
  OP_SCAN,
  OP_SET,
  OP_MISSING,
  OP_READY,
};

static void
on_op_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autofree Reply *reply = user_data;
  g_autoptr(PosPickingDialog) self = reply->self;
  g_autoptr(GError) error = NULL;
  PosPickupOrder *order = pos_pickup_op_run_finish (result, &error);
  g_autoptr(PosPickupOrder) before = NULL;

  self->busy = FALSE;
  if (order == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_feedback (self, error->message, TRUE);
      if (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE))
        g_signal_emit (self, signals[SIGNAL_CHANGED], 0, self->order->id);
      update_ready (self);
      next_scan (self);
      return;
    }

  before = self->order;
  self->order = order;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, order->id);

  if (reply->kind == OP_READY || (reply->kind == OP_MISSING && order->state != POS_PICKUP_PICKING))
    {
      g_autofree char *message = NULL;

      if (order->state == POS_PICKUP_READY_FOR_PICKUP)
        /* Translators: after Mark Ready; the central sends the customer a message */
        message = g_strdup_printf (_("Order %s is ready on shelf %s. The customer is told by the central."),
                                   order->number, order->shelf_location != NULL ? order->shelf_location : "");
      else if (order->state == POS_PICKUP_ON_HOLD)
        message = g_strdup_printf (_("Order %s is on hold: the central decides whether it goes ahead partly, with the substitute, or is cancelled."),
                                   order->number);
      else
        message = g_strdup_printf (_("Order %s: %s"), order->number, pos_pickup_state_to_string (order->state));
      self->done = TRUE;
      g_signal_emit (self, signals[SIGNAL_FINISHED], 0, message);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (reply->kind == OP_SCAN)
    {
      /* the line whose picked quantity went up */
      for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
        {
          const PosPickupLine *now = g_ptr_array_index (order->lines, i);
          const PosPickupLine *was = find_line (before, now->line_no);

          if (was != NULL && now->picked_quantity > was->picked_quantity)
            {
              g_autofree char *p = pos_pickup_format_quantity (now->picked_quantity);
              g_autofree char *q = pos_pickup_format_quantity (now->quantity);
              g_autofree char *text = NULL;

              /* Translators: "Picked Café 500 g: 2 of 3" */
              text = g_strdup_printf (_("Picked %s: %s of %s"), now->name, p, q);
              show_feedback (self, text, FALSE);
              break;
            }
        }
      if (all_picked (order))
        {
          show_feedback (self, _("Every item is picked. Type the shelf location, then Mark Ready."), FALSE);
          gtk_widget_grab_focus (self->shelf_row);
        }
    }
  show_order (self);
  next_scan (self);
}

static void
run_op (PosPickingDialog *self,
        guint             kind,
        PosPickupOpFunc   func,
        gpointer          data,
        GDestroyNotify    data_free)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->self = g_object_ref (self);
  reply->kind = kind;
  self->busy = TRUE;
  update_ready (self);
  pos_pickup_op_run_async (self->db, self->order->id, func, data, data_free,
                           self->cancellable, on_op_done, reply);
}

/* A scan */

typedef struct {
  char *order_id;
  char *code;
} ScanData;

static void
scan_data_free (ScanData *d)
{
  g_free (d->order_id);
  g_free (d->code);
  g_free (d);
}

static gboolean
scan_op (PosDatabase *db, gpointer data, GError **error)
{
  ScanData *d = data;
  guint line_no = 0;

  return pos_pickups_pick_scan (db, d->order_id, d->code, &line_no, error);
}

static void
next_scan (PosPickingDialog *self)
{
  ScanData *d;
  char *code;

  if (self->busy || self->done || (code = g_queue_pop_head (&self->scans)) == NULL)
    return;
  d = g_new0 (ScanData, 1);
  d->order_id = g_strdup (self->order->id);
  d->code = code;
  run_op (self, OP_SCAN, scan_op, d, (GDestroyNotify) scan_data_free);
}

void
pos_picking_dialog_scan (PosPickingDialog *self,
                         const char       *code)
{
  g_autofree char *text = NULL;

  g_return_if_fail (POS_IS_PICKING_DIALOG (self));
  g_return_if_fail (code != NULL);

  text = g_strstrip (g_strdup (code));
  if (*text == '\0' || self->done)
    return;
  if (g_ascii_strncasecmp (text, "BALCAO:", 7) == 0)
    {
      show_feedback (self, _("That is a customer's or a receipt's code, not an item. Close the picking first to serve a customer."), TRUE);
      return;
    }
  g_queue_push_tail (&self->scans, g_steal_pointer (&text));
  next_scan (self);
}

static void
on_window_scan (PosScan  *scan,
                gpointer  user_data)
{
  pos_picking_dialog_scan (POS_PICKING_DIALOG (user_data), pos_scan_get_text (scan));
}

static void
on_wedge_scanned (PosScanDetector  *detector,
                  const char       *text,
                  PosPickingDialog *self)
{
  pos_picking_dialog_scan (self, text);
}

static void
on_scan_entry_activate (PosPickingDialog *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->scan_entry)));

  gtk_editable_set_text (GTK_EDITABLE (self->scan_entry), "");
  pos_picking_dialog_scan (self, text);
}

/* +/− by hand */

typedef struct {
  char   *order_id;
  guint   line_no;
  gint64  quantity;
} SetData;

static void
set_data_free (SetData *d)
{
  g_free (d->order_id);
  g_free (d);
}

static gboolean
set_op (PosDatabase *db, gpointer data, GError **error)
{
  SetData *d = data;

  return pos_pickups_set_picked (db, d->order_id, d->line_no, d->quantity, error);
}

static void
on_step (GtkButton        *button,
         PosPickingDialog *self)
{
  guint line_no = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "line-no"));
  int step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "step"));
  const PosPickupLine *line = find_line (self->order, line_no);
  SetData *d;
  gint64 quantity;

  if (line == NULL || self->busy)
    return;
  quantity = line->picked_quantity + step * 1000;
  quantity = CLAMP (quantity, 0, line->quantity);
  if (quantity == line->picked_quantity)
    return;
  d = g_new0 (SetData, 1);
  d->order_id = g_strdup (self->order->id);
  d->line_no = line_no;
  d->quantity = quantity;
  run_op (self, OP_SET, set_op, d, (GDestroyNotify) set_data_free);
}

/* Missing, maybe with a substitute */

typedef struct {
  char   *order_id;
  gint64  version;
  guint   line_no;
  gint64  missing;
  char   *substitute;
  char   *note;
} MissingData;

static void
missing_data_free (MissingData *d)
{
  g_free (d->order_id);
  g_free (d->substitute);
  g_free (d->note);
  g_free (d);
}

static gboolean
missing_op (PosDatabase *db, gpointer data, GError **error)
{
  MissingData *d = data;

  return pos_pickups_report_exception (db, d->order_id, d->version, d->line_no, d->missing,
                                       d->substitute, d->note, error);
}

static void
on_missing_response (AdwMessageDialog *dialog,
                     const char       *response,
                     PosPickingDialog *self)
{
  GtkWidget *spin = g_object_get_data (G_OBJECT (dialog), "spin");
  GtkWidget *substitute = g_object_get_data (G_OBJECT (dialog), "substitute");
  GtkWidget *note = g_object_get_data (G_OBJECT (dialog), "note");
  guint line_no = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "line-no"));
  MissingData *d;
  g_autofree char *sub = NULL;
  g_autofree char *text = NULL;

  if (g_strcmp0 (response, "report") != 0 || self->busy || self->done)
    return;
  sub = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (substitute))));
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (note))));
  d = g_new0 (MissingData, 1);
  d->order_id = g_strdup (self->order->id);
  d->version = self->order->version;
  d->line_no = line_no;
  d->missing = (gint64) (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)) * 1000.0 + 0.5);
  d->substitute = *sub != '\0' ? g_steal_pointer (&sub) : NULL;
  d->note = *text != '\0' ? g_steal_pointer (&text) : NULL;
  run_op (self, OP_MISSING, missing_op, d, (GDestroyNotify) missing_data_free);
}

static void
on_missing (GtkButton        *button,
            PosPickingDialog *self)
{
  guint line_no = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "line-no"));
  const PosPickupLine *line = find_line (self->order, line_no);
  g_autofree char *heading = NULL;
  GtkWidget *dialog, *grid, *spin, *substitute, *note, *label;
  gint64 left;

  if (line == NULL || self->busy)
    return;
  left = line->quantity - line->picked_quantity;
  if (left <= 0)
    left = line->quantity;
  /* Translators: the heading of the dialog reporting a missing item */
  heading = g_strdup_printf (_("%s Is Missing?"), line->name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("The order goes on hold and the central decides: hand over the rest, send the substitute, or cancel. The customer is told."));
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);

  label = gtk_label_new_with_mnemonic (_("_How many are missing"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  spin = gtk_spin_button_new_with_range (line->quantity % 1000 != 0 ? 0.001 : 1,
                                         (double) line->quantity / 1000.0,
                                         line->quantity % 1000 != 0 ? 0.001 : 1);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), line->quantity % 1000 != 0 ? 3 : 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) left / 1000.0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), spin);
  gtk_grid_attach (GTK_GRID (grid), label, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), spin, 1, 0, 1, 1);

  label = gtk_label_new_with_mnemonic (_("_Substitute offered (code, optional)"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  substitute = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (substitute), _("SKU of a similar item"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), substitute);
  gtk_grid_attach (GTK_GRID (grid), label, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), substitute, 1, 1, 1, 1);

  label = gtk_label_new_with_mnemonic (_("_Note (optional)"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  note = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Damaged on the shelf, out of stock…"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), note);
  gtk_grid_attach (GTK_GRID (grid), label, 0, 2, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), note, 1, 2, 1, 1);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), grid);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Back"),
                                    "report", _("_Report Missing"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "report", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "report");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "spin", spin);
  g_object_set_data (G_OBJECT (dialog), "substitute", substitute);
  g_object_set_data (G_OBJECT (dialog), "note", note);
  g_object_set_data (G_OBJECT (dialog), "line-no", GUINT_TO_POINTER (line_no));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_missing_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Mark Ready */

typedef struct {
  char   *order_id;
  gint64  version;
  char   *shelf;
} ReadyData;

static void
ready_data_free (ReadyData *d)
{
  g_free (d->order_id);
  g_free (d->shelf);
  g_free (d);
}

static gboolean
ready_op (PosDatabase *db, gpointer data, GError **error)
{
  ReadyData *d = data;

  return pos_pickups_mark_ready (db, d->order_id, d->version, d->shelf, error);
}

static void
on_ready (PosPickingDialog *self)
{
  ReadyData *d;
  g_autofree char *shelf = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->shelf_row))));

  if (self->busy || self->done)
    return;
  if (*shelf == '\0')
    {
      show_feedback (self, _("Type the shelf where the order will wait, so that whoever hands it over finds it."), TRUE);
      gtk_widget_grab_focus (self->shelf_row);
      return;
    }
  d = g_new0 (ReadyData, 1);
  d->order_id = g_strdup (self->order->id);
  d->version = self->order->version;
  d->shelf = g_steal_pointer (&shelf);
  run_op (self, OP_READY, ready_op, d, (GDestroyNotify) ready_data_free);
}

static void
on_shelf_changed (PosPickingDialog *self)
{
  update_ready (self);
}

static void
on_shelf_activate (PosPickingDialog *self)
{
  if (gtk_widget_get_sensitive (self->ready_button))
    on_ready (self);
}

static void
on_print (PosPickingDialog *self)
{
  g_signal_emit (self, signals[SIGNAL_PRINT], 0, self->order->id);
}

/* ------------------------------------------------------------------ */
/* The lines */

static GtkWidget *
step_button (PosPickingDialog *self,
             const char       *icon,
             const char       *tooltip,
             guint             line_no,
             int               step)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "circular");
  g_object_set_data (G_OBJECT (button), "line-no", GUINT_TO_POINTER (line_no));
  g_object_set_data (G_OBJECT (button), "step", GINT_TO_POINTER (step));
  g_signal_connect (button, "clicked", G_CALLBACK (on_step), self);
  return button;
}

static void
show_order (PosPickingDialog *self)
{
  const PosPickupOrder *o = self->order;
  g_autofree char *title = g_strdup_printf (_("Picking Order %s"), o->number);
  g_autofree char *subtitle = NULL;
  GtkWidget *child;

  subtitle = g_strdup_printf ("%s · %s", o->customer_name != NULL ? o->customer_name : _("Customer not named"),
                              pos_pickup_channel_label (o->channel));
  adw_window_title_set_title (self->title, title);
  adw_window_title_set_subtitle (self->title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), title);

  while ((child = gtk_widget_get_first_child (self->lines_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->lines_box), child);
  for (guint i = 0; o->lines != NULL && i < o->lines->len; i++)
    {
      const PosPickupLine *line = g_ptr_array_index (o->lines, i);
      g_autofree char *p = pos_pickup_format_quantity (line->picked_quantity);
      g_autofree char *q = pos_pickup_format_quantity (line->quantity);
      g_autofree char *count = g_strdup_printf ("%s/%s", p, q);
      g_autoptr(GString) sub = g_string_new (line->sku);
      gboolean complete = line->picked_quantity >= line->quantity;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *counter = gtk_label_new (count);
      GtkWidget *missing;

      if (line->missing_quantity > 0)
        {
          g_autofree char *m = pos_pickup_format_quantity (line->missing_quantity);
          g_string_append (sub, " · ");
          g_string_append_printf (sub, _("missing %s"), m);
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
      gtk_widget_add_css_class (counter, "pick-count");
      gtk_widget_add_css_class (counter, complete ? "complete" : "incomplete");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), counter);
      if (complete)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("object-select-symbolic"));
      if (line->quantity % 1000 == 0)
        {
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     step_button (self, "list-remove-symbolic", _("One fewer picked"), line->line_no, -1));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     step_button (self, "list-add-symbolic", _("One more picked (without scanning)"), line->line_no, 1));
        }
      missing = gtk_button_new_with_label (_("Missing…"));
      gtk_widget_set_valign (missing, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (missing, _("Not on the shelf: report it, with a substitute if there is one"));
      g_object_set_data (G_OBJECT (missing), "line-no", GUINT_TO_POINTER (line->line_no));
      g_signal_connect (missing, "clicked", G_CALLBACK (on_missing), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), missing);
      gtk_list_box_append (GTK_LIST_BOX (self->lines_box), row);
    }
  if (o->shelf_location != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->shelf_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->shelf_row), o->shelf_location);
  update_ready (self);
}

/* ------------------------------------------------------------------ */

static void
pos_picking_dialog_map (GtkWidget *widget)
{
  PosPickingDialog *self = POS_PICKING_DIALOG (widget);

  GTK_WIDGET_CLASS (pos_picking_dialog_parent_class)->map (widget);
  if (self->window != NULL)
    pos_window_set_scan_hook (self->window, on_window_scan, self);
  gtk_widget_grab_focus (self->scan_entry);
}

static void
release_hook (PosPickingDialog *self)
{
  if (self->window != NULL)
    {
      pos_window_set_scan_hook (self->window, NULL, NULL);
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
      self->window = NULL;
    }
}

static void
pos_picking_dialog_unmap (GtkWidget *widget)
{
  PosPickingDialog *self = POS_PICKING_DIALOG (widget);

  if (self->window != NULL)
    pos_window_set_scan_hook (self->window, NULL, NULL);
  GTK_WIDGET_CLASS (pos_picking_dialog_parent_class)->unmap (widget);
}

static void
pos_picking_dialog_dispose (GObject *object)
{
  PosPickingDialog *self = POS_PICKING_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  release_hook (self);
  g_clear_object (&self->detector);
  g_queue_clear_full (&self->scans, g_free);

  G_OBJECT_CLASS (pos_picking_dialog_parent_class)->dispose (object);
}

static void
pos_picking_dialog_finalize (GObject *object)
{
  PosPickingDialog *self = POS_PICKING_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_pointer (&self->order, pos_pickup_order_free);

  G_OBJECT_CLASS (pos_picking_dialog_parent_class)->finalize (object);
}

static void
action_print (GtkWidget *widget, const char *name, GVariant *param)
{
  on_print (POS_PICKING_DIALOG (widget));
}

static void
action_ready (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickingDialog *self = POS_PICKING_DIALOG (widget);

  if (gtk_widget_get_sensitive (self->ready_button))
    on_ready (self);
}

static void
pos_picking_dialog_class_init (PosPickingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_picking_dialog_dispose;
  object_class->finalize = pos_picking_dialog_finalize;
  widget_class->map = pos_picking_dialog_map;
  widget_class->unmap = pos_picking_dialog_unmap;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_PRINT] =
    g_signal_new ("print", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "picking.print", NULL, action_print);
  gtk_widget_class_install_action (widget_class, "picking.ready", NULL, action_ready);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "picking.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "picking.ready", NULL);
}

static void
pos_picking_dialog_init (PosPickingDialog *self)
{
  GtkWidget *content, *header, *body, *scroller, *group, *bar, *box;

  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->scans);
  gtk_widget_add_css_class (GTK_WIDGET (self), "picking-dialog");
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 640);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  self->title = ADW_WINDOW_TITLE (adw_window_title_new ("", ""));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (content), header);

  body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (body, 18);
  gtk_widget_set_margin_end (body, 18);
  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_vexpand (body, TRUE);

  self->scan_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->scan_entry), _("Scan each item, or type its code and press Enter"));
  gtk_entry_set_icon_from_icon_name (GTK_ENTRY (self->scan_entry), GTK_ENTRY_ICON_PRIMARY, "edit-find-symbolic");
  gtk_widget_add_css_class (self->scan_entry, "pick-entry");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scan_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Item code"), -1);
  g_signal_connect_swapped (self->scan_entry, "activate", G_CALLBACK (on_scan_entry_activate), self);
  gtk_box_append (GTK_BOX (body), self->scan_entry);

  /* one wrapping label, not a label beside an icon in a box: GTK 4.8
   * measures such a box a pixel taller at a huge width (a critical) */
  self->feedback_label = gtk_label_new (NULL);
  self->feedback = self->feedback_label;
  gtk_widget_add_css_class (self->feedback, "card");
  gtk_widget_add_css_class (self->feedback, "pick-feedback");
  gtk_label_set_wrap (GTK_LABEL (self->feedback_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->feedback_label), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->feedback_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Last scan"), -1);
  gtk_widget_set_visible (self->feedback, FALSE);
  gtk_box_append (GTK_BOX (body), self->feedback);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  self->lines_box = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->lines_box), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->lines_box, "boxed-list");
  gtk_widget_set_valign (self->lines_box, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->lines_box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Items to pick"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->lines_box);
  gtk_box_append (GTK_BOX (body), scroller);

  group = adw_preferences_group_new ();
  self->shelf_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->shelf_row), _("Shelf location (where the order will wait)"));
  g_signal_connect_swapped (self->shelf_row, "changed", G_CALLBACK (on_shelf_changed), self);
  g_signal_connect_swapped (self->shelf_row, "entry-activated", G_CALLBACK (on_shelf_activate), self);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->shelf_row), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->shelf_row);
  gtk_box_append (GTK_BOX (body), group);
  gtk_box_append (GTK_BOX (content), body);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (bar, 18);
  gtk_widget_set_margin_end (bar, 18);
  gtk_widget_set_margin_top (bar, 12);
  gtk_widget_set_margin_bottom (bar, 18);
  gtk_widget_add_css_class (bar, "pickup-dialog-actions");
  self->print_button = gtk_button_new_with_mnemonic (_("_Print Picking List"));
  gtk_widget_set_tooltip_text (self->print_button, _("Print this order's picking list (Ctrl+P)"));
  g_signal_connect_swapped (self->print_button, "clicked", G_CALLBACK (on_print), self);
  gtk_box_append (GTK_BOX (bar), self->print_button);
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_hexpand (box, TRUE);
  self->ready_hint = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->ready_hint), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (self->ready_hint), 1);
  gtk_widget_set_hexpand (self->ready_hint, TRUE);
  gtk_widget_add_css_class (self->ready_hint, "dim-label");
  gtk_box_append (GTK_BOX (box), self->ready_hint);
  gtk_box_append (GTK_BOX (bar), box);
  self->ready_button = gtk_button_new_with_mnemonic (_("_Mark Ready"));
  gtk_widget_add_css_class (self->ready_button, "suggested-action");
  gtk_widget_set_tooltip_text (self->ready_button, _("Everything is on the shelf: the central tells the customer to come (Ctrl+Return)"));
  g_signal_connect_swapped (self->ready_button, "clicked", G_CALLBACK (on_ready), self);
  gtk_box_append (GTK_BOX (bar), self->ready_button);
  gtk_box_append (GTK_BOX (content), bar);

  adw_window_set_content (ADW_WINDOW (self), content);
}

PosPickingDialog *
pos_picking_dialog_new (GtkWindow      *parent,
                        PosDatabase    *db,
                        PosPickupOrder *order)
{
  PosPickingDialog *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (order != NULL, NULL);

  self = g_object_new (POS_TYPE_PICKING_DIALOG,
                       "modal", TRUE,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->db = g_object_ref (db);
  self->order = order;
  if (POS_IS_WINDOW (parent))
    {
      self->window = POS_WINDOW (parent);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
    }
  /* keyboard-wedge scanners typing into this dialog */
  self->detector = pos_scan_detector_new (GTK_WIDGET (self));
  g_signal_connect_object (self->detector, "scanned", G_CALLBACK (on_wedge_scanned), self, 0);
  show_order (self);
  return self;
}

const PosPickupOrder *
pos_picking_dialog_get_order (PosPickingDialog *self)
{
  g_return_val_if_fail (POS_IS_PICKING_DIALOG (self), NULL);
  return self->order;
}
