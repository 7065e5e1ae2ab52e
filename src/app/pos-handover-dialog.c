/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "terminal/pos-staff.h"

#include "pos-approval-dialog.h"
#include "pos-format.h"
#include "pos-handover-dialog.h"
#include "pos-pickup-op.h"

typedef struct {
  guint      line_no;
  gint64     remaining;      /* milli-units left to collect */
  gboolean   whole;          /* counted in whole units */
  GtkWidget *take_spin;
  GtkWidget *refuse_spin;
} LineWidgets;

struct _PosHandoverDialog
{
  AdwWindow       parent_instance;

  PosDatabase    *db;
  PosSyncEngine  *sync;
  PosPickupOrder *order;
  GCancellable   *cancellable;
  GArray         *lines;          /* LineWidgets */
  GArray         *collect;        /* PosPickupCollect, what get_handover gave */
  char           *code;           /* the strings get_handover gave */
  char           *document;
  char           *reason;
  gboolean        allow_document;
  gboolean        busy;

  AdwWindowTitle *title;
  GtkWidget      *error_box;
  GtkWidget      *error_label;
  GtkWidget      *code_check;
  GtkWidget      *document_check;
  GtkWidget      *code_row;
  GtkWidget      *document_row;
  GtkWidget      *reason_row;
  GtkWidget      *refund_label;
  GtkWidget      *confirm_button;
};

G_DEFINE_FINAL_TYPE (PosHandoverDialog, pos_handover_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_HANDED_OVER,
  SIGNAL_TAKE_PAYMENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */

void
pos_handover_dialog_show_error (PosHandoverDialog *self,
                                const char        *message)
{
  g_return_if_fail (POS_IS_HANDOVER_DIALOG (self));

  gtk_label_set_text (GTK_LABEL (self->error_label), message);
  gtk_widget_set_visible (self->error_box, message != NULL && *message != '\0');
  if (message != NULL && *message != '\0')
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static gint64
spin_milli (GtkWidget *spin)
{
  return (gint64) (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)) * 1000.0 + 0.5);
}

static const PosPickupLine *
order_line (const PosPickupOrder *order,
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

/* What the refusals add up to, at the order's prices. */
static gint64
refused_amount (PosHandoverDialog *self,
                gint64            *out_units)
{
  gint64 amount = 0, units = 0;

  for (guint i = 0; i < self->lines->len; i++)
    {
      const LineWidgets *lw = &g_array_index (self->lines, LineWidgets, i);
      const PosPickupLine *line = order_line (self->order, lw->line_no);
      gint64 refused;

      if (lw->refuse_spin == NULL || line == NULL)
        continue;
      refused = spin_milli (lw->refuse_spin);
      units += refused;
      amount += (line->unit_price * refused + 500) / 1000;
    }
  if (out_units != NULL)
    *out_units = units;
  return amount;
}

static void
update_state (PosHandoverDialog *self)
{
  gint64 units = 0;
  gint64 amount = refused_amount (self, &units);
  gboolean document = self->allow_document &&
                      gtk_check_button_get_active (GTK_CHECK_BUTTON (self->document_check));

  gtk_widget_set_visible (self->code_row, !document);
  gtk_widget_set_visible (self->document_row, document);
  gtk_widget_set_visible (self->reason_row, units > 0);
  gtk_widget_set_visible (self->refund_label, units > 0);
  if (units > 0)
    {
      g_autofree char *money = pos_format_money (amount, self->order->currency != NULL ? self->order->currency : "BRL");
      g_autofree char *text = g_strdup_printf (_("Refused items are refunded by the central to the original payment (%s). A manager approves it."),
                                               money);

      gtk_label_set_text (GTK_LABEL (self->refund_label), text);
    }
  gtk_widget_set_sensitive (self->confirm_button, !self->busy);
}

/* Handing over and refusing together never exceed what is left. */
static void
on_spin_changed (GtkSpinButton     *spin,
                 PosHandoverDialog *self)
{
  for (guint i = 0; i < self->lines->len; i++)
    {
      LineWidgets *lw = &g_array_index (self->lines, LineWidgets, i);
      GtkWidget *other;
      gint64 mine, theirs;

      if (GTK_WIDGET (spin) == lw->take_spin)
        other = lw->refuse_spin;
      else if (GTK_WIDGET (spin) == lw->refuse_spin)
        other = lw->take_spin;
      else
        continue;
      if (other == NULL)
        break;
      mine = spin_milli (GTK_WIDGET (spin));
      theirs = spin_milli (other);
      if (mine + theirs > lw->remaining)
        gtk_spin_button_set_value (GTK_SPIN_BUTTON (other), (double) (lw->remaining - mine) / 1000.0);
      break;
    }
  update_state (self);
}

gboolean
pos_handover_dialog_get_handover (PosHandoverDialog  *self,
                                  PosPickupHandover  *out,
                                  GError            **error)
{
  gboolean document;
  gboolean any = FALSE;
  gboolean refused = FALSE;
  gboolean everything = TRUE;

  g_return_val_if_fail (POS_IS_HANDOVER_DIALOG (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->document, g_free);
  g_clear_pointer (&self->reason, g_free);
  g_array_set_size (self->collect, 0);

  document = self->allow_document && gtk_check_button_get_active (GTK_CHECK_BUTTON (self->document_check));
  if (document)
    {
      self->document = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->document_row))));
      if (*self->document == '\0')
        {
          g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                               _("Type the document shown: its kind, number and whose it is (“RG 12.345.678-9, Maria's sister”)."));
          return FALSE;
        }
    }
  else
    {
      self->code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
      if (*self->code == '\0')
        {
          g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                               self->allow_document
                               ? _("Type the customer's pickup code, or check a document of the person they named.")
                               : _("Type the customer's pickup code (in their e-mail or app), or scan its QR code."));
          return FALSE;
        }
    }

  for (guint i = 0; i < self->lines->len; i++)
    {
      const LineWidgets *lw = &g_array_index (self->lines, LineWidgets, i);
      PosPickupCollect c = { 0 };

      c.line_no = lw->line_no;
      c.quantity = spin_milli (lw->take_spin);
      c.refused_quantity = lw->refuse_spin != NULL ? spin_milli (lw->refuse_spin) : 0;
      if (c.quantity > 0)
        any = TRUE;
      if (c.refused_quantity > 0)
        refused = TRUE;
      if (c.quantity != lw->remaining)
        everything = FALSE;
      g_array_append_val (self->collect, c);
    }
  if (!any && !refused)
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                           _("Nothing is being handed over: set how many of each item the customer takes."));
      return FALSE;
    }
  if (refused)
    {
      self->reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));
      if (*self->reason == '\0')
        {
          g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                               _("Say why the item is refused (damaged, wrong item…): it goes on the refund."));
          return FALSE;
        }
    }

  out->order_id = self->order->id;
  out->expected_version = self->order->version;
  out->identity = document ? POS_PICKUP_IDENTITY_DOCUMENT : POS_PICKUP_IDENTITY_CODE;
  out->pickup_code = self->code;
  out->document = self->document;
  /* everything left: NULL, as the engine takes it */
  out->lines = everything ? NULL : (const PosPickupCollect *) (gpointer) self->collect->data;
  out->n_lines = everything ? 0 : self->collect->len;
  out->refuse_reason = self->reason;
  out->approval_id = NULL;
  return TRUE;
}

const PosPickupOrder *
pos_handover_dialog_get_order (PosHandoverDialog *self)
{
  g_return_val_if_fail (POS_IS_HANDOVER_DIALOG (self), NULL);
  return self->order;
}

/* ------------------------------------------------------------------ */
/* Handing a paid order over (worker thread) */

typedef struct {
  PosPickupHandover  handover;   /* pointing into the fields below */
  char              *order_id;
  char              *code;
  char              *document;
  char              *reason;
  char              *approval_id;
  GArray            *lines;
  gboolean           online;
} HandOver;

static void
hand_over_free (HandOver *h)
{
  g_free (h->order_id);
  g_free (h->code);
  g_free (h->document);
  g_free (h->reason);
  g_free (h->approval_id);
  g_clear_pointer (&h->lines, g_array_unref);
  g_free (h);
}

static HandOver *
hand_over_copy (const PosPickupHandover *src,
                gboolean                 online)
{
  HandOver *h = g_new0 (HandOver, 1);

  h->handover = *src;
  h->order_id = g_strdup (src->order_id);
  h->code = g_strdup (src->pickup_code);
  h->document = g_strdup (src->document);
  h->reason = g_strdup (src->refuse_reason);
  h->approval_id = g_strdup (src->approval_id);
  h->handover.order_id = h->order_id;
  h->handover.pickup_code = h->code;
  h->handover.document = h->document;
  h->handover.refuse_reason = h->reason;
  h->handover.approval_id = h->approval_id;
  if (src->lines != NULL)
    {
      h->lines = g_array_sized_new (FALSE, FALSE, sizeof (PosPickupCollect), src->n_lines);
      g_array_append_vals (h->lines, src->lines, src->n_lines);
      h->handover.lines = (const PosPickupCollect *) (gpointer) h->lines->data;
    }
  h->online = online;
  return h;
}

static gboolean
hand_over_op (PosDatabase *db, gpointer data, GError **error)
{
  HandOver *h = data;

  return pos_pickups_hand_over (db, &h->handover, h->online, error);
}

static void
on_handed_over (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PosHandoverDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) order = pos_pickup_op_run_finish (result, &error);
  g_autofree char *message = NULL;
  const char *who;

  self->busy = FALSE;
  if (order == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          pos_handover_dialog_show_error (self, error->message);
          update_state (self);
          /* a wrong code: type it again */
          if (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE) &&
              gtk_widget_get_visible (self->code_row))
            {
              gtk_widget_grab_focus (self->code_row);
              gtk_editable_select_region (GTK_EDITABLE (self->code_row), 0, -1);
            }
        }
      return;
    }

  who = order->customer_name != NULL && *order->customer_name != '\0' ? order->customer_name : NULL;
  if (order->state == POS_PICKUP_PARTIALLY_PICKED_UP)
    message = g_strdup_printf (_("Part of order %s handed over; the rest waits on the shelf."), order->number);
  else if (who != NULL)
    /* Translators: "Order 1042 handed over to Maria." */
    message = g_strdup_printf (_("Order %s handed over to %s."), order->number, who);
  else
    message = g_strdup_printf (_("Order %s handed over."), order->number);
  if (order->provisional)
    {
      g_autofree char *more = g_strdup_printf ("%s %s", message,
                                               _("Offline: provisional until the central accepts it."));
      g_free (message);
      message = g_steal_pointer (&more);
    }
  g_signal_emit (self, signals[SIGNAL_HANDED_OVER], 0, order->id, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
is_online (PosHandoverDialog *self)
{
  PosSyncState state;

  if (self->sync == NULL)
    return FALSE;
  state = pos_sync_engine_get_state (self->sync);
  return state == POS_SYNC_STATE_ONLINE || state == POS_SYNC_STATE_SYNCING;
}

static void
run_hand_over (PosHandoverDialog       *self,
               const PosPickupHandover *handover)
{
  HandOver *h = hand_over_copy (handover, is_online (self));

  self->busy = TRUE;
  update_state (self);
  pos_pickup_op_run_async (self->db, self->order->id, hand_over_op, h, (GDestroyNotify) hand_over_free,
                           self->cancellable, on_handed_over, g_object_ref (self));
}

static void
on_refusal_approved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PosHandoverDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;
  PosPickupHandover handover;

  self->busy = FALSE;
  update_state (self);
  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        pos_handover_dialog_show_error (self, error->message);
      return;
    }
  if (!pos_handover_dialog_get_handover (self, &handover, &error))
    {
      pos_handover_dialog_show_error (self, error->message);
      return;
    }
  handover.approval_id = approval;
  run_hand_over (self, &handover);
}

static void
on_confirm (PosHandoverDialog *self)
{
  g_autoptr(GError) error = NULL;
  PosPickupHandover handover;
  gint64 units = 0;
  gint64 amount;

  if (self->busy)
    return;
  pos_handover_dialog_show_error (self, NULL);
  if (!pos_handover_dialog_get_handover (self, &handover, &error))
    {
      pos_handover_dialog_show_error (self, error->message);
      /* the field to fill in */
      if (gtk_widget_get_visible (self->reason_row) &&
          *gtk_editable_get_text (GTK_EDITABLE (self->reason_row)) == '\0')
        gtk_widget_grab_focus (self->reason_row);
      else if (gtk_widget_get_visible (self->document_row))
        gtk_widget_grab_focus (self->document_row);
      else
        gtk_widget_grab_focus (self->code_row);
      return;
    }
  if (!self->order->paid)
    {
      g_signal_emit (self, signals[SIGNAL_TAKE_PAYMENT], 0);
      return;
    }
  amount = refused_amount (self, &units);
  if (units > 0)
    {
      g_autofree char *money = pos_format_money (amount, self->order->currency != NULL ? self->order->currency : "BRL");
      /* Translators: what a manager approves: "Refund of R$ 12,90 for items refused from pickup order 1042" */
      g_autofree char *what = g_strdup_printf (_("Refund of %s for items refused from pickup order %s"),
                                               money, self->order->number);

      self->busy = TRUE;
      update_state (self);
      pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_REFUND, what,
                                     self->cancellable, on_refusal_approved, g_object_ref (self));
      return;
    }
  run_hand_over (self, &handover);
}

/* ------------------------------------------------------------------ */
/* Building the dialog */

static GtkWidget *
quantity_spin (gint64   remaining,
               gboolean whole,
               gint64   value)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (0, (double) remaining / 1000.0, whole ? 1 : 0.001);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), whole ? 0 : 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) value / 1000.0);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  return spin;
}

static GtkWidget *
labelled (const char *caption,
          GtkWidget  *spin)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), spin);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, caption, -1);
  return box;
}

static void
build_lines (PosHandoverDialog *self,
             GtkWidget         *group)
{
  const PosPickupOrder *o = self->order;

  for (guint i = 0; o->lines != NULL && i < o->lines->len; i++)
    {
      const PosPickupLine *line = g_ptr_array_index (o->lines, i);
      LineWidgets lw = { 0 };
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *qty = pos_pickup_format_quantity (line->quantity);
      g_autofree char *price = pos_format_money (line->unit_price, o->currency != NULL ? o->currency : "BRL");
      g_autoptr(GString) sub = g_string_new (NULL);

      lw.line_no = line->line_no;
      lw.remaining = MAX (0, line->quantity - line->collected_quantity - line->refunded_quantity);
      lw.whole = line->quantity % 1000 == 0;
      /* Translators: "2 × R$ 5,00" under an item */
      g_string_append_printf (sub, _("%s × %s"), qty, price);
      if (line->collected_quantity > 0)
        {
          g_autofree char *c = pos_pickup_format_quantity (line->collected_quantity);
          g_string_append (sub, " · ");
          g_string_append_printf (sub, _("%s collected before"), c);
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->name != NULL ? line->name : line->sku);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);

      lw.take_spin = quantity_spin (lw.remaining, lw.whole, lw.remaining);
      g_signal_connect (lw.take_spin, "value-changed", G_CALLBACK (on_spin_changed), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), labelled (_("Hand over"), lw.take_spin));
      /* a refusal is refunded to the online payment: only for paid orders */
      if (o->paid && lw.remaining > 0)
        {
          lw.refuse_spin = quantity_spin (lw.remaining, lw.whole, 0);
          g_signal_connect (lw.refuse_spin, "value-changed", G_CALLBACK (on_spin_changed), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), labelled (_("Refused"), lw.refuse_spin));
        }
      gtk_widget_set_sensitive (row, lw.remaining > 0);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      g_array_append_val (self->lines, lw);
    }
}

static void
on_identity_toggled (PosHandoverDialog *self)
{
  update_state (self);
  if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->document_check)))
    gtk_widget_grab_focus (self->document_row);
  else
    gtk_widget_grab_focus (self->code_row);
}

static void
build (PosHandoverDialog *self,
       const char        *code)
{
  const PosPickupOrder *o = self->order;
  g_autofree char *title = g_strdup_printf (_("Hand Over Order %s"), o->number);
  g_autoptr(GString) subtitle = g_string_new (o->customer_name != NULL ? o->customer_name : _("Customer not named"));
  g_autofree char *policy = pos_database_get_setting (self->db, "pickup_identity");
  g_autofree char *total = pos_format_money (o->total, o->currency != NULL ? o->currency : "BRL");
  GtkWidget *content, *header, *scroller, *body, *group, *bar, *cancel, *payment, *box;

  self->allow_document = g_strcmp0 (policy, "code_or_document") == 0;

  g_string_append_printf (subtitle, " · %s", pos_pickup_channel_label (o->channel));
  if (o->shelf_location != NULL && *o->shelf_location != '\0')
    {
      g_autofree char *shelf = g_strdup_printf (_("Shelf %s"), o->shelf_location);
      g_string_append_printf (subtitle, " · %s", shelf);
    }
  gtk_window_set_title (GTK_WINDOW (self), title);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  self->title = ADW_WINDOW_TITLE (adw_window_title_new (title, subtitle->str));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (content), header);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_start (body, 18);
  gtk_widget_set_margin_end (body, 18);
  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 12);

  /* what went wrong, in words */
  /* single wrapping labels, not beside an icon in a box: GTK 4.8 measures
   * such a box a pixel taller at a huge width (a critical) */
  self->error_label = gtk_label_new (NULL);
  self->error_box = self->error_label;
  gtk_widget_add_css_class (self->error_box, "card");
  gtk_widget_add_css_class (self->error_box, "handover-error");
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_set_visible (self->error_box, FALSE);
  gtk_box_append (GTK_BOX (body), self->error_box);

  /* paid or not */
  if (o->paid)
    {
      g_autofree char *t = g_strdup_printf (_("Paid online (%s). Hand it over."), total);
      payment = gtk_label_new (t);
    }
  else
    {
      g_autofree char *t = g_strdup_printf (_("To be paid here: %s. The items go to the sale, where the payment is taken (other items can be added)."), total);
      payment = gtk_label_new (t);
    }
  gtk_label_set_wrap (GTK_LABEL (payment), TRUE);
  gtk_label_set_xalign (GTK_LABEL (payment), 0);
  gtk_widget_add_css_class (payment, "card");
  gtk_widget_add_css_class (payment, o->paid ? "handover-paid" : "handover-to-pay");
  gtk_box_append (GTK_BOX (body), payment);

  /* who came */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Who Is Collecting"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         self->allow_document
                                         ? _("The customer's pickup code, or a document of the person the customer named.")
                                         : _("The pickup code in the customer's e-mail or app."));
  self->code_check = gtk_check_button_new_with_mnemonic (_("Pickup _code"));
  self->document_check = gtk_check_button_new_with_mnemonic (_("_Document of a person the customer named"));
  gtk_check_button_set_group (GTK_CHECK_BUTTON (self->document_check), GTK_CHECK_BUTTON (self->code_check));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->code_check), TRUE);
  g_signal_connect_swapped (self->document_check, "toggled", G_CALLBACK (on_identity_toggled), self);
  if (self->allow_document)
    {
      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_box_append (GTK_BOX (box), self->code_check);
      gtk_box_append (GTK_BOX (box), self->document_check);
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), box);
    }
  else
    {
      g_object_ref_sink (self->code_check);
      g_object_ref_sink (self->document_check);
      g_object_set_data_full (G_OBJECT (self), "pos-checks-code", self->code_check, g_object_unref);
      g_object_set_data_full (G_OBJECT (self), "pos-checks-document", self->document_check, g_object_unref);
    }
  self->code_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row),
                                 code != NULL ? _("Pickup code (read from the customer's QR code)") : _("Pickup code"));
  if (code != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->code_row), code);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->code_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->code_row);
  self->document_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->document_row), _("Document: kind, number, whose (“RG 12.345.678-9, Maria's sister”)"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->document_row);
  gtk_box_append (GTK_BOX (body), group);

  /* what is handed over */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Items"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         o->paid
                                         ? _("Everything left, unless the customer takes less or refuses an item (damaged, wrong).")
                                         : _("Everything left, unless the customer takes less."));
  build_lines (self, group);
  self->reason_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reason_row), _("Why refused (damaged, wrong item…)"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->reason_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->reason_row);
  gtk_box_append (GTK_BOX (body), group);
  self->refund_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->refund_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->refund_label), 0);
  gtk_widget_add_css_class (self->refund_label, "dim-label");
  gtk_box_append (GTK_BOX (body), self->refund_label);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), body);
  gtk_box_append (GTK_BOX (content), scroller);

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (bar, GTK_ALIGN_END);
  gtk_widget_set_margin_start (bar, 18);
  gtk_widget_set_margin_end (bar, 18);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 18);
  gtk_widget_add_css_class (bar, "pickup-dialog-actions");
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), self);
  gtk_box_append (GTK_BOX (bar), cancel);
  self->confirm_button = gtk_button_new_with_mnemonic (o->paid ? _("_Hand Over") : _("_Take Payment at the Counter"));
  gtk_widget_add_css_class (self->confirm_button, "suggested-action");
  gtk_widget_set_tooltip_text (self->confirm_button,
                               o->paid ? _("Hand the items over and record it (Enter in the code)")
                                       : _("Put the items in the sale and take the payment there"));
  g_signal_connect_swapped (self->confirm_button, "clicked", G_CALLBACK (on_confirm), self);
  gtk_box_append (GTK_BOX (bar), self->confirm_button);
  gtk_box_append (GTK_BOX (content), bar);

  adw_window_set_content (ADW_WINDOW (self), content);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->confirm_button);
  update_state (self);
}

/* ------------------------------------------------------------------ */

static void
pos_handover_dialog_dispose (GObject *object)
{
  PosHandoverDialog *self = POS_HANDOVER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (pos_handover_dialog_parent_class)->dispose (object);
}

static void
pos_handover_dialog_finalize (GObject *object)
{
  PosHandoverDialog *self = POS_HANDOVER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_object (&self->sync);
  g_clear_pointer (&self->order, pos_pickup_order_free);
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->collect, g_array_unref);
  g_free (self->code);
  g_free (self->document);
  g_free (self->reason);

  G_OBJECT_CLASS (pos_handover_dialog_parent_class)->finalize (object);
}

static void
pos_handover_dialog_class_init (PosHandoverDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_handover_dialog_dispose;
  object_class->finalize = pos_handover_dialog_finalize;

  signals[SIGNAL_HANDED_OVER] =
    g_signal_new ("handed-over", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_TAKE_PAYMENT] =
    g_signal_new ("take-payment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pos_handover_dialog_init (PosHandoverDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->lines = g_array_new (FALSE, TRUE, sizeof (LineWidgets));
  self->collect = g_array_new (FALSE, TRUE, sizeof (PosPickupCollect));
  gtk_widget_add_css_class (GTK_WIDGET (self), "handover-dialog");
  gtk_window_set_default_size (GTK_WINDOW (self), 760, 680);
}

PosHandoverDialog *
pos_handover_dialog_new (GtkWindow      *parent,
                         PosDatabase    *db,
                         PosSyncEngine  *sync,
                         PosPickupOrder *order,
                         const char     *code)
{
  PosHandoverDialog *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (order != NULL, NULL);

  self = g_object_new (POS_TYPE_HANDOVER_DIALOG,
                       "modal", TRUE,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->db = g_object_ref (db);
  self->sync = sync != NULL ? g_object_ref (sync) : NULL;
  self->order = order;
  build (self, code);
  /* with the code read from the QR, the clerk confirms; else types it */
  if (code != NULL && *code != '\0')
    gtk_widget_grab_focus (self->confirm_button);
  else
    gtk_widget_grab_focus (self->code_row);
  return self;
}
