/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "domain/pos-money.h"
#include "terminal/pos-online-orders.h"
#include "terminal/pos-staff.h"
#include "pos-approval-dialog.h"
#include "pos-format.h"
#include "pos-online-return-dialog.h"
#include "pos-window.h"

struct _PosOnlineReturnDialog
{
  AdwWindow        parent_instance;

  PosDatabase     *db;
  GCancellable    *cancellable;
  PosOnlineOrder  *order;
  GPtrArray       *spins;         /* GtkSpinButton*, one per order line (NULL where nothing can come back) */

  GtkStack        *stack;
  GtkEntry        *ref_entry;
  GtkButton       *find_button;
  GtkSpinner      *spinner;
  GtkLabel        *find_message;
  AdwPreferencesGroup *order_group;
  GtkWidget       *lines_box;
  GtkDropDown     *reason_drop;
  GtkLabel        *refund_label;
  GtkLabel        *error_label;
  GtkButton       *confirm_button;
  gboolean         busy;
};

G_DEFINE_FINAL_TYPE (PosOnlineReturnDialog, pos_online_return_dialog, ADW_TYPE_WINDOW)

static const char * const reasons[] = {
  N_("Damaged or faulty"),
  N_("Wrong item delivered"),
  N_("Does not fit or not as described"),
  N_("Changed their mind"),
  N_("Other"),
};

static char *
quantity_text (gint64 milli)
{
  return pos_format_quantity (milli, milli % 1000 != 0, NULL);
}

/* ------------------------------------------------------------------ */
/* Looking the order up */

typedef struct {
  PosDatabase *db;
  char        *ref;
} LookupData;

static void
lookup_data_free (LookupData *d)
{
  g_clear_object (&d->db);
  g_free (d->ref);
  g_free (d);
}

static void
lookup_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LookupData *d = task_data;
  GError *error = NULL;
  PosDatabase *db = pos_database_acquire_worker (d->db, &error);
  PosOnlineOrder *order;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  order = pos_online_orders_lookup (db, d->ref, &error);
  pos_database_release_worker (d->db, db);
  if (order == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, order, (GDestroyNotify) pos_online_order_free);
}

static void
set_busy (PosOnlineReturnDialog *self,
          gboolean               busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->find_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), !busy);
}

static gint64
spin_milli (GtkSpinButton *spin)
{
  /* The spin shows units with up to 3 decimals; thousandths, exactly. */
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  gint64 milli = 0;

  if (!pos_format_parse_quantity (text, NULL, &milli))
    return 0;
  return milli;
}

static void
update_refund (PosOnlineReturnDialog *self)
{
  gint64 amount = 0;
  gboolean any = FALSE;

  if (self->order == NULL)
    return;
  for (guint i = 0; i < self->spins->len; i++)
    {
      GtkSpinButton *spin = g_ptr_array_index (self->spins, i);
      const PosOnlineOrderLine *line = g_ptr_array_index (self->order->lines, i);
      gint64 q;

      if (spin == NULL)
        continue;
      q = spin_milli (spin);
      if (q > 0)
        any = TRUE;
      amount += pos_money_mul_div (q, line->unit_price, 1000, POS_ROUND_HALF_UP);
    }
  if (any)
    {
      g_autofree char *money = pos_money_format (amount, self->order->currency, NULL);
      g_autofree char *text = NULL;

      if (self->order->payment_method != NULL)
        text = g_strdup_printf (_("The central refunds %s to the original payment (%s). Nothing is paid out of the drawer."),
                                money, self->order->payment_method);
      else
        text = g_strdup_printf (_("The central refunds %s to the original payment. Nothing is paid out of the drawer."), money);
      gtk_label_set_text (self->refund_label, text);
    }
  else
    gtk_label_set_text (self->refund_label, _("Choose how many of each item came back."));
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_button), any && !self->busy);
}

static void
show_order (PosOnlineReturnDialog *self)
{
  const PosOnlineOrder *o = self->order;
  g_autofree char *title = NULL;
  g_autofree char *desc = NULL;
  g_autofree char *total = pos_money_format (o->total, o->currency, NULL);
  GtkWidget *child;
  gboolean any = FALSE;

  title = g_strdup_printf (g_strcmp0 (o->fulfilment, "delivery") == 0 ? _("Order %s · delivery · %s")
                                                                      : _("Order %s · pickup · %s"),
                           o->number, o->channel != NULL ? o->channel : "");
  desc = g_strdup_printf ("%s · %s · %s", o->customer_name != NULL ? o->customer_name : _("No customer named"),
                          o->state, total);
  adw_preferences_group_set_title (self->order_group, title);
  adw_preferences_group_set_description (self->order_group, desc);

  while ((child = gtk_widget_get_first_child (self->lines_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->lines_box), child);
  g_ptr_array_set_size (self->spins, 0);

  for (guint i = 0; i < o->lines->len; i++)
    {
      const PosOnlineOrderLine *line = g_ptr_array_index (o->lines, i);
      gint64 returnable = pos_online_order_line_returnable (o, line);
      g_autofree char *bought = quantity_text (line->quantity);
      g_autofree char *back = quantity_text (returnable);
      g_autofree char *price = pos_money_format (line->unit_price, o->currency, NULL);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *spin = NULL;

      if (line->returned_quantity > 0)
        {
          g_autofree char *returned = quantity_text (line->returned_quantity);

          subtitle = g_strdup_printf (_("Bought %s at %s · %s back already · can come back: %s"), bought, price, returned, back);
        }
      else
        subtitle = g_strdup_printf (_("Bought %s at %s · can come back: %s"), bought, price, back);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (returnable > 0)
        {
          gboolean fractional = line->quantity % 1000 != 0;
          g_autofree char *a11y = g_strdup_printf (_("Quantity of %s that came back"), line->name);

          spin = gtk_spin_button_new_with_range (0, (double) returnable / 1000.0, fractional ? 0.001 : 1);
          gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), fractional ? 3 : 0);
          gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
          gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
          g_signal_connect_object (spin, "value-changed", G_CALLBACK (update_refund), self, G_CONNECT_SWAPPED);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
          any = TRUE;
        }
      gtk_list_box_append (GTK_LIST_BOX (self->lines_box), row);
      g_ptr_array_add (self->spins, spin);
    }
  if (!any)
    gtk_label_set_text (self->error_label, g_strcmp0 (o->fulfilment, "delivery") == 0 && g_strcmp0 (o->state, "DELIVERED") != 0
                                           ? _("This order has not been delivered yet: nothing of it can come back at the counter.")
                                           : _("Everything of this order came back already, or nothing was handed over."));
  else
    gtk_label_set_text (self->error_label, "");
  gtk_stack_set_visible_child_name (self->stack, "order");
  update_refund (self);
  if (self->spins->len > 0 && g_ptr_array_index (self->spins, 0) != NULL)
    gtk_widget_grab_focus (g_ptr_array_index (self->spins, 0));
}

static void
lookup_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PosOnlineReturnDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  PosOnlineOrder *order = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      pos_online_order_free (order);
      return;
    }
  set_busy (self, FALSE);
  if (order == NULL)
    {
      gtk_label_set_text (self->find_message, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->find_message), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->ref_entry));
      return;
    }
  g_clear_pointer (&self->order, pos_online_order_free);
  self->order = order;
  show_order (self);
}

static void
find_order (PosOnlineReturnDialog *self)
{
  g_autofree char *ref = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ref_entry))));
  g_autoptr(GTask) task = NULL;
  LookupData *d;

  if (self->busy)
    return;
  if (*ref == '\0')
    {
      gtk_label_set_text (self->find_message, _("Type the order number from the customer’s e-mail, or scan its QR code."));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->find_message), "error");
  gtk_label_set_text (self->find_message, _("Asking the central for the order…"));
  set_busy (self, TRUE);
  d = g_new0 (LookupData, 1);
  d->db = g_object_ref (self->db);
  d->ref = g_steal_pointer (&ref);
  task = g_task_new (NULL, self->cancellable, lookup_done, g_object_ref (self));
  g_task_set_task_data (task, d, (GDestroyNotify) lookup_data_free);
  g_task_run_in_thread (task, lookup_worker);
}

/* ------------------------------------------------------------------ */
/* Saving the return */

typedef struct {
  PosDatabase    *db;
  PosOnlineOrder *order;    /* borrowed: the dialog keeps it until done */
  GArray         *items;
  char           *reason;
  char           *approval_id;
  gint64          amount;
} CommitData;

static void
commit_data_free (CommitData *d)
{
  g_clear_object (&d->db);
  g_array_unref (d->items);
  g_free (d->reason);
  g_free (d->approval_id);
  g_free (d);
}

static void
commit_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CommitData *d = task_data;
  GError *error = NULL;
  PosDatabase *db = pos_database_acquire_worker (d->db, &error);
  char *id;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  id = pos_online_orders_return (db, d->order, (const PosOnlineReturnItem *) (gpointer) d->items->data,
                                 d->items->len, d->reason, d->approval_id, &d->amount, &error);
  pos_database_release_worker (d->db, db);
  if (id == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);
}

static void
commit_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PosOnlineReturnDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  CommitData *d = g_task_get_task_data (G_TASK (result));
  g_autofree char *id = g_task_propagate_pointer (G_TASK (result), &error);
  GtkWindow *parent;

  set_busy (self, FALSE);
  if (id == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      update_refund (self);
      return;
    }
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (POS_IS_WINDOW (parent))
    {
      g_autofree char *money = pos_money_format (d->amount, self->order->currency, NULL);
      g_autofree char *toast = g_strdup_printf (_("Order %s: the items are back in stock and the central refunds %s to the original payment."),
                                                self->order->number, money);

      pos_window_add_toast (POS_WINDOW (parent), toast);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
start_commit (PosOnlineReturnDialog *self,
              const char            *approval_id)
{
  g_autoptr(GTask) task = NULL;
  CommitData *d = g_new0 (CommitData, 1);
  guint selected = gtk_drop_down_get_selected (self->reason_drop);

  d->db = g_object_ref (self->db);
  d->order = self->order;
  d->items = g_array_new (FALSE, TRUE, sizeof (PosOnlineReturnItem));
  for (guint i = 0; i < self->spins->len; i++)
    {
      GtkSpinButton *spin = g_ptr_array_index (self->spins, i);
      const PosOnlineOrderLine *line = g_ptr_array_index (self->order->lines, i);
      PosOnlineReturnItem item = { line->line_no, spin != NULL ? spin_milli (spin) : 0 };

      if (item.quantity > 0)
        g_array_append_val (d->items, item);
    }
  d->reason = g_strdup (selected < G_N_ELEMENTS (reasons) ? _(reasons[selected]) : _("Other"));
  d->approval_id = g_strdup (approval_id);
  set_busy (self, TRUE);
  task = g_task_new (NULL, self->cancellable, commit_done, g_object_ref (self));
  g_task_set_task_data (task, d, (GDestroyNotify) commit_data_free);
  g_task_run_in_thread (task, commit_worker);
}

static void
approval_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PosOnlineReturnDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval_id = NULL;

  if (!pos_approval_dialog_ask_finish (result, &approval_id, &error))
    {
      set_busy (self, FALSE);
      update_refund (self);
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->error_label, error->message);
      return;
    }
  start_commit (self, approval_id);
}

static void
confirm (PosOnlineReturnDialog *self)
{
  g_autofree char *what = NULL;

  if (self->order == NULL || self->busy)
    return;
  what = g_strdup_printf (_("Refund of items of online order %s"), self->order->number);
  set_busy (self, TRUE);
  pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_REFUND, what,
                                 self->cancellable, approval_done, g_object_ref (self));
}

static void
go_back (PosOnlineReturnDialog *self)
{
  gtk_stack_set_visible_child_name (self->stack, "find");
  gtk_widget_grab_focus (GTK_WIDGET (self->ref_entry));
}

/* ------------------------------------------------------------------ */

static void
pos_online_return_dialog_dispose (GObject *object)
{
  PosOnlineReturnDialog *self = POS_ONLINE_RETURN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (pos_online_return_dialog_parent_class)->dispose (object);
}

static void
pos_online_return_dialog_finalize (GObject *object)
{
  PosOnlineReturnDialog *self = POS_ONLINE_RETURN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_pointer (&self->order, pos_online_order_free);
  g_clear_pointer (&self->spins, g_ptr_array_unref);
  G_OBJECT_CLASS (pos_online_return_dialog_parent_class)->finalize (object);
}

static void
pos_online_return_dialog_class_init (PosOnlineReturnDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_online_return_dialog_dispose;
  object_class->finalize = pos_online_return_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
build_find_page (PosOnlineReturnDialog *self)
{
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "mail-send-receive-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Which Online Order?"));
  adw_status_page_set_description (ADW_STATUS_PAGE (page),
                                   _("For items bought on the web shop, app or marketplace and brought back here. "
                                     "Type the order number from the customer’s e-mail, or scan its QR code."));
  self->ref_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->ref_entry, _("Order number"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->ref_entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->ref_entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Order number"), -1);
  g_signal_connect_object (self->ref_entry, "activate", G_CALLBACK (find_order), self, G_CONNECT_SWAPPED);
  self->find_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Find Order")));
  gtk_widget_add_css_class (GTK_WIDGET (self->find_button), "suggested-action");
  g_signal_connect_object (self->find_button, "clicked", G_CALLBACK (find_order), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->ref_entry));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->find_button));
  gtk_box_append (GTK_BOX (box), row);

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->spinner));
  self->find_message = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->find_message, TRUE);
  gtk_label_set_xalign (self->find_message, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->find_message));

  gtk_widget_set_size_request (box, 380, -1);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  adw_status_page_set_child (ADW_STATUS_PAGE (page), box);
  return page;
}

static GtkWidget *
build_order_page (PosOnlineReturnDialog *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *reason_group = adw_preferences_group_new ();
  GtkWidget *reason_row = adw_action_row_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *back = gtk_button_new_with_mnemonic (_("_Other Order"));
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    gtk_string_list_append (list, _(reasons[i]));

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->order_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  self->lines_box = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->lines_box), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->lines_box, "boxed-list");
  adw_preferences_group_add (self->order_group, self->lines_box);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->order_group));

  self->reason_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&list)), NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->reason_drop), GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (reason_row), _("Why did it come back?"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reason_drop), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Why did it come back?"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (reason_row), GTK_WIDGET (self->reason_drop));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (reason_group), reason_row);
  gtk_box_append (GTK_BOX (box), reason_group);

  self->refund_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->refund_label, TRUE);
  gtk_label_set_xalign (self->refund_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->refund_label), "heading");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->refund_label));
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  self->confirm_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Take Back and Refund")));
  gtk_widget_add_css_class (GTK_WIDGET (self->confirm_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->confirm_button), "pill");
  g_signal_connect_object (self->confirm_button, "clicked", G_CALLBACK (confirm), self, G_CONNECT_SWAPPED);
  gtk_widget_add_css_class (back, "pill");
  g_signal_connect_object (back, "clicked", G_CALLBACK (go_back), self, G_CONNECT_SWAPPED);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), back);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->confirm_button));
  gtk_box_append (GTK_BOX (box), buttons);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  return scroller;
}

static void
pos_online_return_dialog_init (PosOnlineReturnDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_window_title_new (_("Return an Online Order"), NULL);

  self->cancellable = g_cancellable_new ();
  self->spins = g_ptr_array_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (content), header);
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, build_find_page (self), "find");
  gtk_stack_add_named (self->stack, build_order_page (self), "order");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);
  gtk_window_set_default_size (GTK_WINDOW (self), 620, 560);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_title (GTK_WINDOW (self), _("Return an Online Order"));
}

PosOnlineReturnDialog *
pos_online_return_dialog_new (GtkWindow   *parent,
                              PosDatabase *db,
                              const char  *ref)
{
  PosOnlineReturnDialog *self = g_object_new (POS_TYPE_ONLINE_RETURN_DIALOG,
                                              "transient-for", parent,
                                              NULL);

  self->db = g_object_ref (db);
  if (ref != NULL && *ref != '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (self->ref_entry), ref);
      find_order (self);
    }
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->ref_entry));
  return self;
}
