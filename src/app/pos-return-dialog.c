/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "domain/pos-money.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"

#include "pos-approval-dialog.h"
#include "pos-format.h"
#include "pos-receipt-view.h"
#include "pos-return-dialog.h"

/* The refund preview (pos_returns_preview) runs on the UI connection at
 * every change: it reads one sale's lines and earlier returns by primary
 * key and writes nothing, so it is bounded. The commit itself (a durable
 * write transaction) runs on a worker thread with its own connection. */

#define RECEIPT_COLUMNS 42


typedef struct {
  guint      line_no;
  char      *name;
  gboolean   weighed;
  gint64     sold;
  gint64     returned;
  GtkWidget *spin;
} LineCtl;

static void
line_ctl_free (LineCtl *ctl)
{
  g_free (ctl->name);
  g_free (ctl);
}

struct _PosReturnDialog
{
  AdwWindow       parent_instance;

  PosDatabase    *db;
  PosSaleRecord  *sale;
  GPtrArray      *lines;        /* LineCtl* */
  GCancellable   *cancellable;
  gboolean        busy;
  gboolean        done;
  gboolean        valid;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  AdwPreferencesGroup *lines_group;
  GtkButton      *all_button;
  GtkDropDown    *reason_dropdown;
  AdwActionRow   *method_row;
  GtkDropDown    *method_dropdown;
  GtkLabel       *refund_label;
  GtkLabel       *error_label;
  GtkButton      *cancel_button;
  GtkButton      *confirm_button;
  GtkSpinner     *confirm_spinner;
  AdwStatusPage  *done_page;
  GtkButton      *done_button;
  PosReceiptView *receipt_view;
};

G_DEFINE_FINAL_TYPE (PosReturnDialog, pos_return_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_COMMITTED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static char *
format_quantity (gint64 milli, gboolean weighed)
{
  g_autofree char *number = NULL;

  if (!weighed && milli % 1000 == 0)
    number = g_strdup_printf ("%" G_GINT64_FORMAT, milli / 1000);
  else
    number = g_strdup_printf ("%" G_GINT64_FORMAT ",%03" G_GINT64_FORMAT, milli / 1000, ABS (milli % 1000));
  if (weighed)
    /* Translators: a weight in kilograms */
    return g_strdup_printf (_("%s kg"), number);
  return g_steal_pointer (&number);
}

static gint64
spin_milli (LineCtl *ctl)
{
  double v = gtk_spin_button_get_value (GTK_SPIN_BUTTON (ctl->spin));

  if (v <= 0)
    return 0;
  return (gint64) (v * 1000.0 + 0.5);
}

/* The chosen items; NULL when nothing is chosen. Sets *problem to a
 * sentence when a quantity is more than can be returned. */
static GArray *
collect_items (PosReturnDialog *self, char **problem)
{
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (PosReturnItem));

  *problem = NULL;
  for (guint i = 0; i < self->lines->len; i++)
    {
      LineCtl *ctl = g_ptr_array_index (self->lines, i);
      gint64 q = spin_milli (ctl);
      gint64 available = ctl->sold - ctl->returned;
      PosReturnItem item;

      if (q <= 0)
        continue;
      if (q > available && *problem == NULL)
        {
          g_autofree char *a = format_quantity (available, ctl->weighed);
          g_autofree char *s = format_quantity (ctl->sold, ctl->weighed);
          g_autofree char *r = format_quantity (ctl->returned, ctl->weighed);
          if (ctl->returned > 0)
            *problem = g_strdup_printf (_("At most %s of “%s” can come back: %s sold, %s already returned."),
                                        a, ctl->name, s, r);
          else
            *problem = g_strdup_printf (_("At most %s of “%s” can come back: that is what was sold."),
                                        a, ctl->name);
        }
      item.line_no = ctl->line_no;
      item.quantity = q;
      g_array_append_val (items, item);
    }
  if (items->len == 0)
    return NULL;
  return g_steal_pointer (&items);
}

static void
update_preview (PosReturnDialog *self)
{
  g_autoptr(GArray) items = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *money = NULL;
  g_autoptr(GError) error = NULL;
  gint64 refund = 0;

  if (self->done)
    return;

  items = collect_items (self, &problem);
  self->valid = FALSE;
  if (problem != NULL)
    {
      gtk_label_set_text (self->error_label, problem);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_label_set_text (self->refund_label, "—");
    }
  else if (items == NULL)
    {
      gtk_label_set_text (self->error_label, _("Choose how many of an item come back."));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      money = pos_format_money (0, self->sale->currency);
      gtk_label_set_text (self->refund_label, money);
    }
  else
    {
      refund = pos_returns_preview (self->db, self->sale->id,
                                    (const PosReturnItem *) (gpointer) items->data, items->len, &error);
      if (error != NULL)
        {
          gtk_label_set_text (self->error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
          gtk_label_set_text (self->refund_label, "—");
        }
      else
        {
          money = pos_format_money (refund, self->sale->currency);
          gtk_label_set_text (self->refund_label, money);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
          self->valid = TRUE;
        }
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "return.confirm", self->valid && !self->busy);
}

static void
on_spin_activate (GtkText *text, PosReturnDialog *self)
{
  GtkWidget *spin = gtk_widget_get_ancestor (GTK_WIDGET (text), GTK_TYPE_SPIN_BUTTON);

  /* Enter in a quantity: take the typed value, then confirm. (GTK 4.8's
   * GtkSpinButton has no "activate" signal; its GtkText delegate does.) */
  if (spin != NULL)
    gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  update_preview (self);
  if (self->valid)
    gtk_widget_activate_action (GTK_WIDGET (self), "return.confirm", NULL);
}

/* ------------------------------------------------------------------ */
/* Commit on a worker thread */

typedef struct {
  PosDatabase    *db;
  char           *sale_id;
  GArray         *items;
  PosRefundMethod method;
  char           *reason;
  char           *approval_id;   /* refund approved by someone else, or NULL */
} CommitData;

typedef struct {
  char          *id;
  char          *number;
  PosSaleRecord *record;
  char          *receipt;
} CommitResult;

static void
commit_data_free (CommitData *d)
{
  g_clear_object (&d->db);
  g_free (d->sale_id);
  g_array_unref (d->items);
  g_free (d->reason);
  g_free (d->approval_id);
  g_free (d);
}

static void
commit_result_free (CommitResult *r)
{
  g_free (r->id);
  g_free (r->number);
  g_clear_pointer (&r->record, pos_sale_record_free);
  g_free (r->receipt);
  g_free (r);
}

static void
commit_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CommitData *d = task_data;
  PosDatabase *db;
  g_autoptr(PosStoreInfo) info = NULL;
  GError *error = NULL;
  CommitResult *r;

  db = pos_database_acquire_worker (d->db, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  r = g_new0 (CommitResult, 1);
  r->id = pos_returns_commit (db, d->sale_id,
                              (const PosReturnItem *) (gpointer) d->items->data, d->items->len,
                              d->method, d->reason, d->approval_id, &r->number, &error);
  if (r->id == NULL)
    {
      pos_database_release_worker (d->db, db);
      commit_result_free (r);
      g_task_return_error (task, error);
      return;
    }
  /* The return is saved; what follows only builds the preview. */
  r->record = pos_sales_load (db, r->id, NULL);
  info = pos_database_get_store_info (db, NULL);
  pos_database_release_worker (d->db, db);
  if (r->record != NULL)
    r->receipt = pos_receipt_render_text (r->record, info, RECEIPT_COLUMNS, FALSE);
  g_task_return_pointer (task, r, (GDestroyNotify) commit_result_free);
}

static char *
refund_text (PosPaymentMethod method, const char *amount)
{
  switch (method)
    {
    case POS_PAYMENT_CASH:
      /* Translators: %s is an amount: "Refund R$ 12,90 in cash" */
      return g_strdup_printf (_("Refund %s in cash"), amount);
    case POS_PAYMENT_CREDIT_CARD:
      return g_strdup_printf (_("Refund %s to the credit card"), amount);
    case POS_PAYMENT_DEBIT_CARD:
      return g_strdup_printf (_("Refund %s to the debit card"), amount);
    case POS_PAYMENT_PIX:
      return g_strdup_printf (_("Refund %s by PIX"), amount);
    case POS_PAYMENT_STORE_CREDIT:
      return g_strdup_printf (_("Give %s as store credit"), amount);
    default:
      return g_strdup_printf (_("Refund %s"), amount);
    }
}

static void
show_done (PosReturnDialog *self, CommitResult *r)
{
  g_autofree char *title = NULL;
  g_autoptr(GString) desc = g_string_new (NULL);
  const PosSaleRecord *rec = r->record;

  if (rec != NULL && rec->payments != NULL && rec->payments->len == 1)
    {
      const PosPayment *p = g_ptr_array_index (rec->payments, 0);
      g_autofree char *m = pos_format_money (ABS (p->amount), rec->currency);
      title = refund_text (p->method, m);
    }
  else if (rec != NULL)
    {
      g_autofree char *m = pos_format_money (ABS (rec->total), rec->currency);
      title = g_strdup_printf (_("Refund %s"), m);
      if (rec->payments != NULL)
        for (guint i = 0; i < rec->payments->len; i++)
          {
            const PosPayment *p = g_ptr_array_index (rec->payments, i);
            g_autofree char *pm = pos_format_money (ABS (p->amount), rec->currency);
            g_autofree char *line = refund_text (p->method, pm);
            g_string_append_printf (desc, "%s\n", line);
          }
    }
  else
    title = g_strdup (_("Return saved"));

  g_string_append_printf (desc, _("Return %s is saved and the items are back in stock."), r->number);
  adw_status_page_set_title (self->done_page, title);
  adw_status_page_set_description (self->done_page, desc->str);
  pos_receipt_view_set_text (self->receipt_view, r->receipt);
  adw_window_title_set_subtitle (self->window_title, r->number);
  gtk_window_set_title (GTK_WINDOW (self), title);

  self->done = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "done");
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->done_button));
  gtk_widget_grab_focus (GTK_WIDGET (self->done_button));
}

static void
set_busy (PosReturnDialog *self, gboolean busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_spinner), busy);
  gtk_spinner_set_spinning (self->confirm_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lines_group), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "return.all", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "return.confirm", self->valid && !busy);
}

static void
commit_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  PosReturnDialog *self = POS_RETURN_DIALOG (source);
  g_autoptr(GError) error = NULL;
  CommitResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (r == NULL)
    {
      /* The engine's messages already say that nothing was saved. */
      update_preview (self);
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  show_done (self, r);
  g_signal_emit (self, signals[SIGNAL_COMMITTED], 0, r->id, r->number);
  commit_result_free (r);
}

static void
on_refund_approved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PosReturnDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *approval = NULL;
  CommitData *d = g_object_steal_data (G_OBJECT (self), "pos-return-commit");

  if (d == NULL)
    return;
  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      commit_data_free (d);
      set_busy (self, FALSE);
      if (error != NULL)
        {
          gtk_label_set_text (self->error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
        }
      return;
    }
  d->approval_id = g_steal_pointer (&approval);

  task = g_task_new (self, self->cancellable, commit_done, NULL);
  g_task_set_source_tag (task, on_refund_approved);
  g_task_set_task_data (task, d, (GDestroyNotify) commit_data_free);
  /* Once started the commit must finish: the result is what matters. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, commit_worker);
}

static void
action_confirm (GtkWidget *widget, const char *name, GVariant *param)
{
  PosReturnDialog *self = POS_RETURN_DIALOG (widget);
  g_autofree char *problem = NULL;
  CommitData *d;
  GArray *items;
  guint reason;

  if (self->busy || self->done)
    return;
  update_preview (self);
  if (!self->valid)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  items = collect_items (self, &problem);
  if (items == NULL || problem != NULL)
    {
      g_clear_pointer (&items, g_array_unref);
      return;
    }

  d = g_new0 (CommitData, 1);
  d->db = g_object_ref (self->db);
  d->sale_id = g_strdup (self->sale->id);
  d->items = items;
  d->method = gtk_drop_down_get_selected (self->method_dropdown) == 1
                ? POS_REFUND_STORE_CREDIT : POS_REFUND_ORIGINAL_TENDER;
  /* The reason is printed on the return receipt ("Motivo: ..."), so it is
   * stored as the words the cashier chose, in the terminal's language. */
  reason = gtk_drop_down_get_selected (self->reason_dropdown);
  d->reason = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (self->reason_dropdown)),
                                                    reason == GTK_INVALID_LIST_POSITION ? 0 : reason));

  /* A refund needs the permission: the engine checks it again with the
   * approval, in the return's own transaction. */
  set_busy (self, TRUE);
  {
    g_autofree char *money = pos_format_money (pos_returns_preview (self->db, d->sale_id,
                                                                    (const PosReturnItem *) (gpointer) d->items->data,
                                                                    d->items->len, NULL),
                                               self->sale->currency);
    g_autofree char *what = g_strdup_printf (_("Refund of %s on sale %s"), money, self->sale->number);

    g_object_set_data_full (G_OBJECT (self), "pos-return-commit", d, (GDestroyNotify) commit_data_free);
    pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_REFUND, what,
                                   self->cancellable, on_refund_approved, g_object_ref (self));
  }
}

static void
action_all (GtkWidget *widget, const char *name, GVariant *param)
{
  PosReturnDialog *self = POS_RETURN_DIALOG (widget);

  for (guint i = 0; i < self->lines->len; i++)
    {
      LineCtl *ctl = g_ptr_array_index (self->lines, i);
      gint64 available = ctl->sold - ctl->returned;
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (ctl->spin), available > 0 ? available / 1000.0 : 0.0);
    }
  update_preview (self);
}

static gboolean
pos_return_dialog_close_request (GtkWindow *window)
{
  PosReturnDialog *self = POS_RETURN_DIALOG (window);

  /* Never close while the return is being written. */
  if (self->busy)
    return TRUE;
  return GTK_WINDOW_CLASS (pos_return_dialog_parent_class)->close_request (window);
}

/* ------------------------------------------------------------------ */

static void
add_line_rows (PosReturnDialog *self)
{
  GtkWidget *first = NULL;

  for (guint i = 0; i < self->sale->lines->len; i++)
    {
      const PosSaleLine *line = g_ptr_array_index (self->sale->lines, i);
      LineCtl *ctl;
      GtkWidget *row;
      g_autofree char *sold = NULL;
      g_autofree char *returned = NULL;
      g_autofree char *price = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *a11y = NULL;
      gboolean fractional;
      gint64 available;

      if (line->quantity <= 0)
        continue;

      ctl = g_new0 (LineCtl, 1);
      ctl->line_no = line->line_no;
      ctl->name = g_strdup (line->name);
      ctl->weighed = line->weighed;
      ctl->sold = line->quantity;
      ctl->returned = line->returned_quantity;
      available = ctl->sold - ctl->returned;
      fractional = line->weighed || line->quantity % 1000 != 0 || line->returned_quantity % 1000 != 0;

      sold = format_quantity (ctl->sold, ctl->weighed);
      returned = format_quantity (ctl->returned, ctl->weighed);
      price = pos_format_money (line->total, self->sale->currency);
      if (available <= 0)
        /* Translators: under a sale line in the return dialog */
        subtitle = g_strdup_printf (_("Sold %s · all returned already"), sold);
      else if (ctl->returned > 0)
        subtitle = g_strdup_printf (_("Sold %s · already returned %s · paid %s"), sold, returned, price);
      else
        subtitle = g_strdup_printf (_("Sold %s · paid %s"), sold, price);

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      /* Weighed goods in kg with 3 decimals; items in whole units. The
       * upper bound is deliberately loose: a quantity above what can be
       * returned is explained in words rather than silently clamped. */
      ctl->spin = gtk_spin_button_new_with_range (0, 9999, fractional ? 0.001 : 1);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (ctl->spin), fractional ? 3 : 0);
      gtk_spin_button_set_increments (GTK_SPIN_BUTTON (ctl->spin), fractional ? 0.1 : 1, fractional ? 1 : 5);
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (ctl->spin), FALSE);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (ctl->spin), 0);
      gtk_widget_set_valign (ctl->spin, GTK_ALIGN_CENTER);
      gtk_widget_set_sensitive (ctl->spin, available > 0);
      a11y = g_strdup_printf (_("Quantity of %s to return"), line->name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (ctl->spin), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      g_signal_connect_swapped (ctl->spin, "value-changed", G_CALLBACK (update_preview), self);
      g_signal_connect_after (gtk_editable_get_delegate (GTK_EDITABLE (ctl->spin)), "activate",
                              G_CALLBACK (on_spin_activate), self);
      if (line->weighed)
        {
          GtkWidget *unit = gtk_label_new (_("kg"));
          gtk_widget_add_css_class (unit, "dim-label");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), ctl->spin);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), unit);
        }
      else
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), ctl->spin);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), ctl->spin);
      /* Tab goes from quantity to quantity, not through the rows. */
      gtk_widget_set_focusable (row, FALSE);

      adw_preferences_group_add (self->lines_group, row);
      g_ptr_array_add (self->lines, ctl);
      if (first == NULL && available > 0)
        first = ctl->spin;
    }
  if (first != NULL)
    gtk_window_set_focus (GTK_WINDOW (self), first);
}

static void
setup_methods (PosReturnDialog *self)
{
  g_autoptr(GString) tenders = g_string_new (NULL);
  g_autofree char *original = NULL;
  GtkStringList *list;

  if (self->sale->payments != NULL)
    for (guint i = 0; i < self->sale->payments->len; i++)
      {
        const PosPayment *p = g_ptr_array_index (self->sale->payments, i);
        const char *label = pos_payment_method_get_label (p->method);
        if (strstr (tenders->str, label) != NULL)
          continue;
        if (tenders->len > 0)
          g_string_append (tenders, ", ");
        g_string_append (tenders, label);
      }
  if (tenders->len > 0)
    /* Translators: refund method; %s lists how the sale was paid: "Cash, PIX" */
    original = g_strdup_printf (_("Original payment (%s)"), tenders->str);
  else
    original = g_strdup (_("Original payment"));

  list = gtk_string_list_new (NULL);
  gtk_string_list_append (list, original);
  if (self->sale->customer_id != NULL)
    gtk_string_list_append (list, _("Store credit for the customer"));
  else
    gtk_string_list_append (list, _("Store credit (voucher)"));
  gtk_drop_down_set_model (self->method_dropdown, G_LIST_MODEL (list));
  g_object_unref (list);
  gtk_drop_down_set_selected (self->method_dropdown, 0);
}

static void
pos_return_dialog_dispose (GObject *object)
{
  PosReturnDialog *self = POS_RETURN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_RETURN_DIALOG);
  G_OBJECT_CLASS (pos_return_dialog_parent_class)->dispose (object);
}

static void
pos_return_dialog_finalize (GObject *object)
{
  PosReturnDialog *self = POS_RETURN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_pointer (&self->sale, pos_sale_record_free);
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  G_OBJECT_CLASS (pos_return_dialog_parent_class)->finalize (object);
}

static void
pos_return_dialog_class_init (PosReturnDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pos_return_dialog_dispose;
  object_class->finalize = pos_return_dialog_finalize;
  window_class->close_request = pos_return_dialog_close_request;

  signals[SIGNAL_COMMITTED] =
    g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  g_type_ensure (POS_TYPE_RECEIPT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-return-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, lines_group);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, all_button);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, reason_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, method_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, refund_label);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, confirm_spinner);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, PosReturnDialog, receipt_view);

  gtk_widget_class_install_action (widget_class, "return.confirm", NULL, action_confirm);
  gtk_widget_class_install_action (widget_class, "return.all", NULL, action_all);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "return.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "return.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "return.all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  pos_history_css_ensure ();
}

static void
pos_return_dialog_init (PosReturnDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_ctl_free);
  self->cancellable = g_cancellable_new ();
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->confirm_button));
}

PosReturnDialog *
pos_return_dialog_new (GtkWindow   *parent,
                       PosDatabase *db,
                       const char  *sale_id,
                       GError     **error)
{
  g_autoptr(PosSaleRecord) sale = NULL;
  PosReturnDialog *self;
  g_autofree char *subtitle = NULL;
  gboolean any = FALSE;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sale_id != NULL, NULL);

  sale = pos_sales_load (db, sale_id, error);
  if (sale == NULL)
    return NULL;
  if (g_strcmp0 (sale->kind, "sale") != 0)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_KIND,
                   _("%s is a return: open the original sale to return its items."), sale->number);
      return NULL;
    }
  for (guint i = 0; sale->lines != NULL && i < sale->lines->len; i++)
    {
      const PosSaleLine *line = g_ptr_array_index (sale->lines, i);
      if (line->quantity > line->returned_quantity)
        any = TRUE;
    }
  if (!any)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT,
                   _("Everything from sale %s was already returned."), sale->number);
      return NULL;
    }

  self = g_object_new (POS_TYPE_RETURN_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->db = g_object_ref (db);
  self->sale = g_steal_pointer (&sale);

  subtitle = g_strdup_printf (_("Sale %s"), self->sale->number);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  add_line_rows (self);
  setup_methods (self);
  update_preview (self);
  return self;
}
