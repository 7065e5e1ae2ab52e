/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "terminal/pos-receipt.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"

#include "pos-approval-dialog.h"
#include "pos-format.h"
#include "pos-shift-dialog.h"
#include "pos-window.h"

struct _PosShiftDialog {
  AdwWindow          parent_instance;

  PosDatabase       *db;
  PosShiftDialogMode mode;
  char              *currency;
  GCancellable      *cancellable;

  const gint64      *denominations;
  guint              n_denominations;
  GPtrArray         *spins;           /* GtkSpinButton per denomination */

  GtkWidget         *header;
  GtkWidget         *stack;
  GtkWidget         *count_mode;      /* GtkStack: "notes" | "total" */
  GtkWidget         *total_entry;
  GtkWidget         *count_total_label;
  GtkWidget         *reason_entry;
  GtkWidget         *error_label;
  GtkWidget         *primary;         /* the count page's button */
  GtkWidget         *result_box;      /* difference page */
  GtkWidget         *close_button;
  GtkWidget         *report_box;
  GtkWidget         *print_button;
  GtkWidget         *print_last_z_button;
  GtkWidget         *print_status;
  char              *report_shift_id;  /* the report shown */
  char              *last_z_shift_id;  /* the last closed shift (X report view) */

  gint64             counted;
  gint64             difference;
  char              *approval_id;      /* close_shift / cash_in_out */
  char              *difference_approval_id;
};

G_DEFINE_FINAL_TYPE (PosShiftDialog, pos_shift_dialog, ADW_TYPE_WINDOW)

enum { DONE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void show_report (PosShiftDialog *self, PosShiftReport *report, const char *title);

/* ------------------------------------------------------------------ */
/* Counting                                                            */

static gboolean
counting_by_notes (PosShiftDialog *self)
{
  return self->n_denominations > 0 &&
         g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->count_mode)), "notes") == 0;
}

static GArray *
collect_counts (PosShiftDialog *self)
{
  GArray *counts = g_array_new (FALSE, FALSE, sizeof (PosCashCount));

  for (guint i = 0; i < self->spins->len; i++)
    {
      PosCashCount c = {
        .value = self->denominations[i],
        .count = (guint) gtk_spin_button_get_value_as_int (g_ptr_array_index (self->spins, i)),
      };
      if (c.count > 0)
        g_array_append_val (counts, c);
    }
  return counts;
}

/* The amount counted or typed; FALSE (with the message shown) when the
 * typed total cannot be read. */
static gboolean
read_amount (PosShiftDialog *self,
             gint64         *out)
{
  g_autoptr(GError) error = NULL;
  const char *text;

  if (counting_by_notes (self))
    {
      g_autoptr(GArray) counts = collect_counts (self);

      *out = pos_cash_count_total ((const PosCashCount *) (gpointer) counts->data, counts->len);
      return TRUE;
    }
  text = gtk_editable_get_text (GTK_EDITABLE (self->total_entry));
  if (*text == '\0')
    {
      *out = 0;
      if (self->mode == POS_SHIFT_DIALOG_CASH_IN || self->mode == POS_SHIFT_DIALOG_CASH_OUT)
        {
          gtk_label_set_text (GTK_LABEL (self->error_label), _("Type the amount, like 50,00."));
          gtk_widget_set_visible (self->error_label, TRUE);
          return FALSE;
        }
      return TRUE;
    }
  if (!pos_format_parse_money (text, self->currency, out, &error) || *out < 0)
    {
      gtk_label_set_text (GTK_LABEL (self->error_label),
                          error != NULL ? error->message : _("That amount is not valid. Type it like 150,00."));
      gtk_widget_set_visible (self->error_label, TRUE);
      return FALSE;
    }
  return TRUE;
}

static void
update_count_total (PosShiftDialog *self)
{
  g_autoptr(GArray) counts = collect_counts (self);
  g_autofree char *money = pos_format_money (pos_cash_count_total ((const PosCashCount *) (gpointer) counts->data,
                                                                   counts->len), self->currency);
  g_autofree char *text = g_strdup_printf (_("Total counted: %s"), money);

  gtk_label_set_text (GTK_LABEL (self->count_total_label), text);
}

static void
on_spin_changed (GtkSpinButton  *spin,
                 PosShiftDialog *self)
{
  update_count_total (self);
}

static GtkWidget *
build_notes_grid (PosShiftDialog *self)
{
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_widget_set_halign (grid, GTK_ALIGN_CENTER);
  for (guint i = 0; i < self->n_denominations; i++)
    {
      g_autofree char *value = pos_format_money (self->denominations[i], self->currency);
      GtkWidget *label = gtk_label_new (value);
      GtkWidget *spin = gtk_spin_button_new_with_range (0, 9999, 1);
      g_autofree char *accessible = g_strdup_printf (_("How many of %s"), value);

      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
      g_signal_connect_object (spin, "value-changed", G_CALLBACK (on_spin_changed), self, 0);
      gtk_grid_attach (GTK_GRID (grid), label, (i % 2) * 2, i / 2, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), spin, (i % 2) * 2 + 1, i / 2, 1, 1);
      g_ptr_array_add (self->spins, spin);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), grid);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  return scrolled;
}

/* ------------------------------------------------------------------ */
/* Work off the UI thread                                              */

typedef struct {
  PosShiftDialogMode mode;
  gint64             amount;
  GArray            *counts;
  char              *reason;
  char              *approval_id;
  char              *difference_approval_id;
  gboolean           preview;      /* close: only compute the difference */
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->counts, g_array_unref);
  g_free (job->reason);
  g_free (job->approval_id);
  g_free (job->difference_approval_id);
  g_free (job);
}

typedef struct {
  PosShiftReport *report;
  gint64          difference;
  char           *last_z;      /* REPORT: the last closed shift, to print its Z again */
} JobResult;

static void
job_result_free (JobResult *r)
{
  g_clear_pointer (&r->report, pos_shift_report_free);
  g_free (r->last_z);
  g_free (r);
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  PosDatabase *db = source;
  g_autoptr(GError) error = NULL;
  JobResult *r = g_new0 (JobResult, 1);
  PosDatabase *worker = pos_database_acquire_worker (db, &error);
  const PosCashCount *counts = job->counts ? (const PosCashCount *) (gpointer) job->counts->data : NULL;
  guint n_counts = job->counts ? job->counts->len : 0;
  gboolean ok = FALSE;

  if (worker == NULL)
    goto out;

  switch (job->mode)
    {
    case POS_SHIFT_DIALOG_OPEN:
      {
        g_autofree char *id = pos_shifts_open (worker, counts, n_counts, job->amount, &error);

        ok = id != NULL;
        if (ok)
          ok = (r->report = pos_shifts_report (worker, id, &error)) != NULL;
      }
      break;
    case POS_SHIFT_DIALOG_CASH_IN:
    case POS_SHIFT_DIALOG_CASH_OUT:
      ok = pos_shifts_cash_move (worker, job->mode == POS_SHIFT_DIALOG_CASH_IN ? job->amount : -job->amount,
                                 job->reason, job->approval_id, &error);
      break;
    case POS_SHIFT_DIALOG_REPORT:
      ok = (r->report = pos_shifts_report (worker, NULL, &error)) != NULL;
      if (ok)
        {
          g_autoptr(GError) last_error = NULL;

          r->last_z = pos_receipt_last_closed_shift (worker, &last_error);
          if (last_error != NULL)
            g_debug ("No last Z report to print again: %s", last_error->message);
        }
      break;
    case POS_SHIFT_DIALOG_CLOSE:
      if (job->preview)
        ok = pos_shifts_preview_close (worker, job->amount, &r->difference, &error);
      else
        ok = (r->report = pos_shifts_close (worker, counts, n_counts, job->amount, job->approval_id,
                                            job->difference_approval_id, &error)) != NULL;
      break;
    default:
      g_assert_not_reached ();
    }

out:
  if (worker != NULL)
    pos_database_release_worker (db, worker);
  if (!ok)
    {
      job_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, r, (GDestroyNotify) job_result_free);
}

static void
set_busy (PosShiftDialog *self,
          gboolean        busy)
{
  gtk_widget_set_sensitive (self->stack, !busy);
}

static void
show_error (PosShiftDialog *self,
            const char     *message)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), message);
  gtk_widget_set_visible (self->error_label, message != NULL);
}

static void on_job_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
run_job (PosShiftDialog *self,
         Job            *job)
{
  g_autoptr(GTask) task = g_task_new (self->db, self->cancellable, on_job_done, g_object_ref (self));

  g_task_set_source_tag (task, run_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  set_busy (self, TRUE);
  show_error (self, NULL);
  g_task_run_in_thread (task, job_thread);
}

static GtkWidget *
report_row (GtkWidget  *grid,
            int         row,
            const char *label,
            const char *value,
            gboolean    strong)
{
  GtkWidget *l = gtk_label_new (label);
  GtkWidget *v = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_xalign (GTK_LABEL (v), 1);
  gtk_widget_set_hexpand (l, TRUE);
  gtk_widget_add_css_class (v, "numeric");
  if (strong)
    {
      gtk_widget_add_css_class (l, "heading");
      gtk_widget_add_css_class (v, "heading");
    }
  gtk_grid_attach (GTK_GRID (grid), l, 0, row, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), v, 1, row, 1, 1);
  return v;
}

static void
money_row (PosShiftDialog *self,
           GtkWidget      *grid,
           int            *row,
           const char     *label,
           gint64          amount,
           gboolean        strong)
{
  g_autofree char *money = pos_format_money (amount, self->currency);

  report_row (grid, (*row)++, label, money, strong);
}

static void
show_report (PosShiftDialog *self,
             PosShiftReport *r,
             const char     *title)
{
  GtkWidget *child;
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *heading = gtk_label_new (title);
  g_autofree char *who = NULL;
  g_autofree char *opened = NULL;
  g_autoptr(GDateTime) open_time = g_date_time_new_from_unix_local (r->opened_at / 1000);
  int row = 0;

  while ((child = gtk_widget_get_first_child (self->report_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->report_box), child);

  gtk_widget_add_css_class (heading, "title-2");
  gtk_box_append (GTK_BOX (self->report_box), heading);
  opened = g_date_time_format (open_time, "%x %H:%M");
  who = g_strdup_printf (_("Shift %u · %s · opened %s by %s"), r->number,
                         r->terminal_name ? r->terminal_name : "", opened, r->opened_by ? r->opened_by : "");
  child = gtk_label_new (who);
  gtk_label_set_wrap (GTK_LABEL (child), TRUE);
  gtk_widget_add_css_class (child, "dim-label");
  gtk_box_append (GTK_BOX (self->report_box), child);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  {
    g_autofree char *n = g_strdup_printf ("%u", r->n_sales);
    g_autofree char *m = g_strdup_printf ("%u", r->n_returns);

    report_row (grid, row++, _("Sales"), n, FALSE);
    report_row (grid, row++, _("Returns"), m, FALSE);
  }
  money_row (self, grid, &row, _("Gross sales"), r->gross_sales, FALSE);
  money_row (self, grid, &row, _("Returns given back"), r->returns_total, FALSE);
  money_row (self, grid, &row, _("Discounts"), r->discounts, FALSE);
  money_row (self, grid, &row, _("Taxes"), r->tax_total, FALSE);
  for (guint i = 0; r->by_method != NULL && i < r->by_method->len; i++)
    {
      PosShiftMethodTotal *m = &g_array_index (r->by_method, PosShiftMethodTotal, i);
      g_autofree char *label = g_strdup_printf (_("%s (%u)"), pos_payment_method_get_label (m->method), m->n_payments);

      money_row (self, grid, &row, label, m->net, FALSE);
    }
  money_row (self, grid, &row, _("Opening float"), r->opening_float, FALSE);
  money_row (self, grid, &row, _("Cash in"), r->cash_in, FALSE);
  money_row (self, grid, &row, _("Cash out"), r->cash_out, FALSE);
  money_row (self, grid, &row, _("Change given"), r->change_given, FALSE);
  money_row (self, grid, &row, _("Cash expected in the drawer"), r->expected_cash, TRUE);
  if (r->has_count)
    {
      money_row (self, grid, &row, _("Cash counted"), r->counted_cash, TRUE);
      money_row (self, grid, &row, _("Difference"), r->difference, TRUE);
      if (r->approved_by != NULL)
        report_row (grid, row++, _("Difference approved by"), r->approved_by, FALSE);
    }
  gtk_box_append (GTK_BOX (self->report_box), grid);
  g_free (self->report_shift_id);
  self->report_shift_id = g_strdup (r->shift_id);
  gtk_button_set_label (GTK_BUTTON (self->print_button), r->has_count ? _("_Print Z Report") : _("_Print X Report"));
  gtk_widget_set_visible (self->print_last_z_button, !r->has_count && self->last_z_shift_id != NULL);
  gtk_widget_set_visible (self->print_status, FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "report");
}

/* ------------------------------------------------------------------ */
/* Printing the report: the window's receipt printing, as a receipt    */

static void
print_report (PosShiftDialog *self,
              const char     *shift_id,
              gboolean        last_z)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  PosReceiptPrinting *printing = POS_IS_WINDOW (parent) ? pos_window_get_receipt_printing (POS_WINDOW (parent)) : NULL;
  const char *text;

  gtk_widget_remove_css_class (self->print_status, "success");
  gtk_widget_remove_css_class (self->print_status, "error");
  if (printing == NULL || shift_id == NULL || !pos_receipt_printing_print_shift (printing, shift_id))
    {
      text = _("No receipt printer is set: choose one in Preferences › Printer, then print the report again.");
      gtk_widget_add_css_class (self->print_status, "error");
    }
  else
    {
      text = last_z ? _("Printing the Z report of the last closed shift on the receipt printer.")
                    : _("Printing the report on the receipt printer.");
      gtk_widget_add_css_class (self->print_status, "success");
    }
  gtk_label_set_text (GTK_LABEL (self->print_status), text);
  gtk_widget_set_visible (self->print_status, TRUE);
}

static void
on_print_clicked (GtkButton      *button,
                  PosShiftDialog *self)
{
  print_report (self, self->report_shift_id, FALSE);
}

static void
on_print_last_z_clicked (GtkButton      *button,
                         PosShiftDialog *self)
{
  print_report (self, self->last_z_shift_id, TRUE);
}

static void
show_difference (PosShiftDialog *self)
{
  GtkWidget *child;
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *label;
  gint64 limit = pos_shifts_get_difference_limit (self->db);
  int row = 0;

  while ((child = gtk_widget_get_first_child (self->result_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->result_box), child);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  money_row (self, grid, &row, _("You counted"), self->counted, TRUE);
  money_row (self, grid, &row, _("The drawer should have"), self->counted - self->difference, FALSE);
  money_row (self, grid, &row, self->difference < 0 ? _("Short by") : self->difference > 0 ? _("Over by") : _("Difference"),
             ABS (self->difference), TRUE);
  gtk_box_append (GTK_BOX (self->result_box), grid);

  if (ABS (self->difference) > limit)
    {
      g_autofree char *lim = pos_format_money (limit, self->currency);
      g_autofree char *text = g_strdup_printf (_("The difference is above the store’s limit of %s: a manager approves it before the shift closes. Count again if you can."), lim);

      label = gtk_label_new (text);
      gtk_widget_add_css_class (label, "warning");
    }
  else
    label = gtk_label_new (self->difference == 0 ? _("The drawer matches.") : _("The difference is within the store’s limit."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_box_append (GTK_BOX (self->result_box), label);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "difference");
  gtk_widget_grab_focus (self->close_button);
}

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PosShiftDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  JobResult *r = g_task_propagate_pointer (G_TASK (result), &error);
  Job *job = g_task_get_task_data (G_TASK (result));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (r == NULL)
    {
      if (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NEEDS_APPROVAL))
        gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "difference");
      show_error (self, error->message);
      return;
    }

  switch (job->mode)
    {
    case POS_SHIFT_DIALOG_OPEN:
      g_signal_emit (self, signals[DONE], 0);
      gtk_window_destroy (GTK_WINDOW (self));
      break;
    case POS_SHIFT_DIALOG_CASH_IN:
    case POS_SHIFT_DIALOG_CASH_OUT:
      g_signal_emit (self, signals[DONE], 0);
      gtk_window_destroy (GTK_WINDOW (self));
      break;
    case POS_SHIFT_DIALOG_REPORT:
      g_free (self->last_z_shift_id);
      self->last_z_shift_id = g_steal_pointer (&r->last_z);
      show_report (self, r->report, _("X report"));
      break;
    case POS_SHIFT_DIALOG_CLOSE:
      if (job->preview)
        {
          self->difference = r->difference;
          show_difference (self);
        }
      else
        {
          show_report (self, r->report, _("Z report: the shift is closed"));
          g_signal_emit (self, signals[DONE], 0);
        }
      break;
    default:
      break;
    }
  job_result_free (r);
}

/* ------------------------------------------------------------------ */
/* Buttons                                                             */

static Job *
new_job (PosShiftDialog *self)
{
  Job *job = g_new0 (Job, 1);

  job->mode = self->mode;
  if (counting_by_notes (self))
    job->counts = collect_counts (self);
  job->approval_id = g_strdup (self->approval_id);
  job->difference_approval_id = g_strdup (self->difference_approval_id);
  return job;
}

static void
on_cash_approved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PosShiftDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;
  Job *job;

  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        show_error (self, error->message);
      return;
    }
  g_free (self->approval_id);
  self->approval_id = g_steal_pointer (&approval);
  job = new_job (self);
  job->amount = self->counted;
  job->reason = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_entry)));
  run_job (self, job);
}

static void
on_primary_clicked (GtkButton      *button,
                    PosShiftDialog *self)
{
  gint64 amount;
  Job *job;

  if (!read_amount (self, &amount))
    return;
  self->counted = amount;

  switch (self->mode)
    {
    case POS_SHIFT_DIALOG_OPEN:
      job = new_job (self);
      job->amount = amount;
      run_job (self, job);
      break;
    case POS_SHIFT_DIALOG_CASH_IN:
    case POS_SHIFT_DIALOG_CASH_OUT:
      {
        g_autofree char *money = pos_format_money (amount, self->currency);
        g_autofree char *what = NULL;
        const char *reason = gtk_editable_get_text (GTK_EDITABLE (self->reason_entry));

        if (amount <= 0)
          {
            show_error (self, _("Type the amount, like 50,00."));
            return;
          }
        if (*reason == '\0')
          {
            show_error (self, _("Say why the cash goes in or out, like “Change from the safe”."));
            gtk_widget_grab_focus (self->reason_entry);
            return;
          }
        what = g_strdup_printf (self->mode == POS_SHIFT_DIALOG_CASH_IN ? _("Cash in of %s: %s") : _("Cash out of %s: %s"),
                                money, reason);
        pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_CASH_IN_OUT, what,
                                       self->cancellable, on_cash_approved, g_object_ref (self));
      }
      break;
    case POS_SHIFT_DIALOG_CLOSE:
      job = new_job (self);
      job->amount = amount;
      job->preview = TRUE;
      run_job (self, job);
      break;
    default:
      break;
    }
}

static void
close_with_approvals (PosShiftDialog *self)
{
  Job *job = new_job (self);

  job->amount = self->counted;
  run_job (self, job);
}

static void
on_difference_approved (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(PosShiftDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;

  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        show_error (self, error->message);
      return;
    }
  g_free (self->difference_approval_id);
  self->difference_approval_id = g_steal_pointer (&approval);
  close_with_approvals (self);
}

static void
on_close_approved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PosShiftDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;

  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        show_error (self, error->message);
      return;
    }
  g_free (self->approval_id);
  self->approval_id = g_steal_pointer (&approval);

  if (ABS (self->difference) > pos_shifts_get_difference_limit (self->db) &&
      self->difference_approval_id == NULL)
    {
      g_autofree char *money = pos_format_money (self->difference, self->currency);
      g_autofree char *what = g_strdup_printf (_("Closing the shift with a difference of %s"), money);

      pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_COUNT_DIFFERENCE, what,
                                     self->cancellable, on_difference_approved, g_object_ref (self));
      return;
    }
  close_with_approvals (self);
}

static void
on_close_clicked (GtkButton      *button,
                  PosShiftDialog *self)
{
  pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_CLOSE_SHIFT,
                                 _("Closing the shift"), self->cancellable, on_close_approved, g_object_ref (self));
}

static void
on_recount_clicked (GtkButton      *button,
                    PosShiftDialog *self)
{
  show_error (self, NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "count");
}

static void
on_done_clicked (GtkButton      *button,
                 PosShiftDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_mode_toggled (GtkToggleButton *toggle,
                 PosShiftDialog  *self)
{
  const char *page = g_object_get_data (G_OBJECT (toggle), "page");

  if (!gtk_toggle_button_get_active (toggle))
    return;
  gtk_stack_set_visible_child_name (GTK_STACK (self->count_mode), page);
  if (g_str_equal (page, "total"))
    gtk_widget_grab_focus (self->total_entry);
  else if (self->spins->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->spins, 0));
}

/* ------------------------------------------------------------------ */

static GtkWidget *
page_box (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 14);

  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 24);
  return box;
}

static GtkWidget *
wrapped_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  return label;
}

static void
build (PosShiftDialog *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *count = page_box ();
  GtkWidget *difference = page_box ();
  GtkWidget *report = page_box ();
  GtkWidget *title = NULL, *intro = NULL, *button, *buttons;
  const char *heading = "", *explain = "", *action = "";

  switch (self->mode)
    {
    case POS_SHIFT_DIALOG_OPEN:
      heading = _("Open a Shift");
      explain = _("Count the cash in the drawer before the first sale: the notes and coins, or type the total.");
      action = _("_Open Shift");
      break;
    case POS_SHIFT_DIALOG_CASH_IN:
      heading = _("Cash In");
      explain = _("Cash put into the drawer that is not a sale, like change brought from the safe.");
      action = _("_Put In");
      break;
    case POS_SHIFT_DIALOG_CASH_OUT:
      heading = _("Cash Out");
      explain = _("Cash taken out of the drawer that is not a refund, like a bleed to the safe.");
      action = _("_Take Out");
      break;
    case POS_SHIFT_DIALOG_REPORT:
      heading = _("X Report");
      break;
    case POS_SHIFT_DIALOG_CLOSE:
      heading = _("Close the Shift");
      explain = _("Count all the cash in the drawer. What the drawer should have shows after you count.");
      action = _("_Continue");
      break;
    default:
      break;
    }
  gtk_window_set_title (GTK_WINDOW (self), heading);

  self->header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (outer), self->header);
  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  gtk_box_append (GTK_BOX (outer), self->stack);

  /* count page */
  title = gtk_label_new (heading);
  gtk_widget_add_css_class (title, "title-2");
  gtk_box_append (GTK_BOX (count), title);
  intro = wrapped_label (explain);
  gtk_box_append (GTK_BOX (count), intro);

  self->count_mode = gtk_stack_new ();
  self->total_entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (self->total_entry), TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->total_entry), GTK_INPUT_PURPOSE_NUMBER);
  gtk_widget_add_css_class (self->total_entry, "prompt-entry");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->total_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Amount"), -1);
  g_object_set (self->total_entry, "placeholder-text", _("Amount, like 150,00"), NULL);

  if (self->n_denominations > 0 && (self->mode == POS_SHIFT_DIALOG_OPEN || self->mode == POS_SHIFT_DIALOG_CLOSE))
    {
      GtkWidget *switcher = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *notes = gtk_toggle_button_new_with_mnemonic (_("Count _Notes and Coins"));
      GtkWidget *total = gtk_toggle_button_new_with_mnemonic (_("Type the _Total"));
      GtkWidget *notes_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

      gtk_widget_add_css_class (switcher, "linked");
      gtk_widget_set_halign (switcher, GTK_ALIGN_CENTER);
      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (total), GTK_TOGGLE_BUTTON (notes));
      g_object_set_data (G_OBJECT (notes), "page", (gpointer) "notes");
      g_object_set_data (G_OBJECT (total), "page", (gpointer) "total");
      g_signal_connect_object (notes, "toggled", G_CALLBACK (on_mode_toggled), self, 0);
      g_signal_connect_object (total, "toggled", G_CALLBACK (on_mode_toggled), self, 0);
      gtk_box_append (GTK_BOX (switcher), notes);
      gtk_box_append (GTK_BOX (switcher), total);
      gtk_box_append (GTK_BOX (count), switcher);

      gtk_box_append (GTK_BOX (notes_page), build_notes_grid (self));
      self->count_total_label = gtk_label_new (NULL);
      gtk_widget_add_css_class (self->count_total_label, "title-3");
      gtk_box_append (GTK_BOX (notes_page), self->count_total_label);
      update_count_total (self);
      gtk_stack_add_named (GTK_STACK (self->count_mode), notes_page, "notes");
      gtk_stack_add_named (GTK_STACK (self->count_mode), self->total_entry, "total");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (notes), TRUE);
    }
  else
    gtk_stack_add_named (GTK_STACK (self->count_mode), self->total_entry, "total");
  gtk_box_append (GTK_BOX (count), self->count_mode);

  self->reason_entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (self->reason_entry), TRUE);
  g_object_set (self->reason_entry, "placeholder-text", _("Why? Like “Change from the safe”"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reason_entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"), -1);
  gtk_widget_set_visible (self->reason_entry, self->mode == POS_SHIFT_DIALOG_CASH_IN || self->mode == POS_SHIFT_DIALOG_CASH_OUT);
  gtk_box_append (GTK_BOX (count), self->reason_entry);

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);

  self->primary = gtk_button_new_with_mnemonic (action);
  gtk_widget_add_css_class (self->primary, "suggested-action");
  gtk_widget_add_css_class (self->primary, "pill");
  gtk_widget_set_halign (self->primary, GTK_ALIGN_CENTER);
  g_signal_connect_object (self->primary, "clicked", G_CALLBACK (on_primary_clicked), self, 0);
  /* The X report never shows the count page: no button there to tell. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->primary), GTK_ACCESSIBLE_STATE_HIDDEN, *action == '\0', -1);
  gtk_box_append (GTK_BOX (count), self->primary);
  gtk_stack_add_named (GTK_STACK (self->stack), count, "count");

  /* difference page (close) */
  title = gtk_label_new (_("The Count"));
  gtk_widget_add_css_class (title, "title-2");
  gtk_box_append (GTK_BOX (difference), title);
  self->result_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_append (GTK_BOX (difference), self->result_box);
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  button = gtk_button_new_with_mnemonic (_("Count _Again"));
  gtk_widget_add_css_class (button, "pill");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_recount_clicked), self, 0);
  gtk_box_append (GTK_BOX (buttons), button);
  self->close_button = gtk_button_new_with_mnemonic (_("_Close Shift"));
  gtk_widget_add_css_class (self->close_button, "destructive-action");
  gtk_widget_add_css_class (self->close_button, "pill");
  g_signal_connect_object (self->close_button, "clicked", G_CALLBACK (on_close_clicked), self, 0);
  gtk_box_append (GTK_BOX (buttons), self->close_button);
  gtk_box_append (GTK_BOX (difference), buttons);
  gtk_stack_add_named (GTK_STACK (self->stack), difference, "difference");

  /* report page: the figures; print them, or the last Z again; done */
  self->report_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  gtk_box_append (GTK_BOX (report), self->report_box);
  self->print_status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->print_status), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->print_status), 48);
  gtk_label_set_justify (GTK_LABEL (self->print_status), GTK_JUSTIFY_CENTER);
  gtk_widget_set_visible (self->print_status, FALSE);
  gtk_box_append (GTK_BOX (report), self->print_status);
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  self->print_last_z_button = gtk_button_new_with_mnemonic (_("Print the _Last Z Report"));
  gtk_widget_add_css_class (self->print_last_z_button, "pill");
  gtk_widget_set_tooltip_text (self->print_last_z_button,
                               _("Print again the Z report of the last shift closed at this terminal"));
  gtk_widget_set_visible (self->print_last_z_button, FALSE);
  g_signal_connect_object (self->print_last_z_button, "clicked", G_CALLBACK (on_print_last_z_clicked), self, 0);
  gtk_box_append (GTK_BOX (buttons), self->print_last_z_button);
  self->print_button = gtk_button_new_with_mnemonic (_("_Print"));
  gtk_widget_add_css_class (self->print_button, "pill");
  gtk_widget_set_tooltip_text (self->print_button, _("Print this report on the receipt printer"));
  g_signal_connect_object (self->print_button, "clicked", G_CALLBACK (on_print_clicked), self, 0);
  gtk_box_append (GTK_BOX (buttons), self->print_button);
  button = gtk_button_new_with_mnemonic (_("_Done"));
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_done_clicked), self, 0);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (report), buttons);
  gtk_stack_add_named (GTK_STACK (self->stack), report, "report");

  gtk_box_append (GTK_BOX (outer), self->error_label);
  gtk_widget_set_margin_bottom (self->error_label, 12);
  adw_window_set_content (ADW_WINDOW (self), outer);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->primary);
}

static void
pos_shift_dialog_dispose (GObject *object)
{
  PosShiftDialog *self = POS_SHIFT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (pos_shift_dialog_parent_class)->dispose (object);
}

static void
pos_shift_dialog_finalize (GObject *object)
{
  PosShiftDialog *self = POS_SHIFT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_pointer (&self->spins, g_ptr_array_unref);
  g_free (self->currency);
  g_free (self->approval_id);
  g_free (self->difference_approval_id);
  g_free (self->report_shift_id);
  g_free (self->last_z_shift_id);
  G_OBJECT_CLASS (pos_shift_dialog_parent_class)->finalize (object);
}

static void
pos_shift_dialog_class_init (PosShiftDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_shift_dialog_dispose;
  object_class->finalize = pos_shift_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pos_shift_dialog_init (PosShiftDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->spins = g_ptr_array_new ();
  gtk_widget_add_css_class (GTK_WIDGET (self), "shift-dialog");
}

PosShiftDialog *
pos_shift_dialog_new (GtkWindow          *parent,
                      PosDatabase        *db,
                      PosShiftDialogMode  mode)
{
  PosShiftDialog *self = g_object_new (POS_TYPE_SHIFT_DIALOG,
                                       "modal", TRUE,
                                       "transient-for", parent,
                                       "default-width", 560,
                                       NULL);
  g_autoptr(PosStoreInfo) store = pos_database_get_store_info (db, NULL);

  self->db = g_object_ref (db);
  self->mode = mode;
  self->currency = g_strdup (store != NULL && store->currency ? store->currency : "BRL");
  self->denominations = pos_cash_denominations (self->currency, &self->n_denominations);
  build (self);
  if (self->spins->len > 0)
    gtk_window_set_focus (GTK_WINDOW (self), g_ptr_array_index (self->spins, 0));
  else
    gtk_window_set_focus (GTK_WINDOW (self), self->total_entry);
  if (mode == POS_SHIFT_DIALOG_REPORT)
    {
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "report");
      run_job (self, new_job (self));
    }
  return self;
}
