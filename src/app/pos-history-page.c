/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "devices/pos-printer.h"
#include "domain/pos-money.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"

#include "pos-approval-dialog.h"
#include "pos-history-page.h"
#include "pos-receipt-email-dialog.h"
#include "pos-receipt-view.h"
#include "pos-return-dialog.h"
#include "pos-format.h"

/* The History page. The list is loaded on a worker thread with its own
 * connection (pos_database_open() on the same file), newest first, at most
 * HISTORY_LIMIT rows per query: the search narrows it down. The detail of a
 * selected sale is loaded the same way. pos_history_page_open_sale() must
 * answer at once whether the sale exists, so it does one lookup by primary
 * key / unique number on the UI connection: a bounded, indexed read of one
 * sale with its lines. */

#define HISTORY_LIMIT 200

typedef enum {
  PERIOD_TODAY,
  PERIOD_YESTERDAY,
  PERIOD_LAST_7_DAYS,
  PERIOD_EVERYTHING,
} HistoryPeriod;

/* ------------------------------------------------------------------ */
/* One row of the list: a PosSaleSummary in a GObject. */

#define POS_TYPE_HISTORY_ITEM (pos_history_item_get_type ())
G_DECLARE_FINAL_TYPE (PosHistoryItem, pos_history_item, POS, HISTORY_ITEM, GObject)

struct _PosHistoryItem
{
  GObject         parent_instance;
  PosSaleSummary *summary;
};

G_DEFINE_FINAL_TYPE (PosHistoryItem, pos_history_item, G_TYPE_OBJECT)

static void
pos_history_item_finalize (GObject *object)
{
  PosHistoryItem *self = POS_HISTORY_ITEM (object);

  g_clear_pointer (&self->summary, pos_sale_summary_free);
  G_OBJECT_CLASS (pos_history_item_parent_class)->finalize (object);
}

static void
pos_history_item_class_init (PosHistoryItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_history_item_finalize;
}

static void
pos_history_item_init (PosHistoryItem *self)
{
}

/* ------------------------------------------------------------------ */

struct _PosHistoryPage
{
  GtkWidget       parent_instance;

  PosDatabase    *db;
  GListStore     *store;
  GtkSingleSelection *selection;
  GCancellable   *list_cancellable;
  GCancellable   *detail_cancellable;
  PosSaleRecord  *record;        /* shown in the detail */
  PosStoreInfo   *store_info;
  char           *pending_select; /* id to select when the list arrives */
  gboolean        showing_copy;
  guint           list_serial;

  /* template */
  AdwToastOverlay *toast_overlay;
  AdwLeaflet     *leaflet;
  GtkSearchEntry *search_entry;
  GtkDropDown    *date_dropdown;
  GtkRevealer    *banner_revealer;
  GtkLabel       *banner_label;
  GtkStack       *list_stack;
  GtkListView    *list_view;
  AdwStatusPage  *empty_page;
  GtkSpinner     *list_spinner;
  GtkLabel       *count_label;
  GtkStack       *detail_stack;
  GtkButton      *back_button;
  GtkLabel       *detail_title;
  GtkLabel       *detail_badge;
  GtkLabel       *detail_subtitle;
  GtkLabel       *detail_total;
  GtkLabel       *detail_status;
  GtkListBox     *related_list;
  PosReceiptView *receipt_view;
  GtkButton      *reprint_button;
  GtkButton      *return_button;
  GtkButton      *void_button;
};

G_DEFINE_FINAL_TYPE (PosHistoryPage, pos_history_page, GTK_TYPE_WIDGET)

static void history_show_record (PosHistoryPage *self, PosSaleRecord *record, PosStoreInfo *info);
static void history_load_detail (PosHistoryPage *self, const char *id);

/* ------------------------------------------------------------------ */
/* Helpers */

static char *
format_money (gint64 minor, const char *currency)
{
  return pos_format_money (minor, currency != NULL ? currency : "BRL");
}

static GDateTime *
local_midnight (int days_ago)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         0, 0, 0);
  return g_date_time_add_days (midnight, -days_ago);
}

static gint64
to_ms (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * 1000;
}

static void
period_range (HistoryPeriod period, gint64 *from_ms, gint64 *to_ms_out)
{
  g_autoptr(GDateTime) today = local_midnight (0);

  *from_ms = 0;
  *to_ms_out = 0;
  switch (period)
    {
    case PERIOD_TODAY:
      *from_ms = to_ms (today);
      break;
    case PERIOD_YESTERDAY:
      {
        g_autoptr(GDateTime) yesterday = local_midnight (1);
        *from_ms = to_ms (yesterday);
        *to_ms_out = to_ms (today);
      }
      break;
    case PERIOD_LAST_7_DAYS:
      {
        g_autoptr(GDateTime) week = local_midnight (6);
        *from_ms = to_ms (week);
      }
      break;
    case PERIOD_EVERYTHING:
    default:
      break;
    }
}

/* The narrowest period that shows a document created at created_ms. */
static HistoryPeriod
period_for (gint64 created_ms)
{
  g_autoptr(GDateTime) today = local_midnight (0);
  g_autoptr(GDateTime) yesterday = local_midnight (1);
  g_autoptr(GDateTime) week = local_midnight (6);

  if (created_ms >= to_ms (today))
    return PERIOD_TODAY;
  if (created_ms >= to_ms (yesterday))
    return PERIOD_YESTERDAY;
  if (created_ms >= to_ms (week))
    return PERIOD_LAST_7_DAYS;
  return PERIOD_EVERYTHING;
}

/* "14:32" today, "Yesterday 14:32", else "12/05 14:32". */
static char *
format_when (gint64 created_ms, gboolean with_day)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (created_ms / 1000);
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) today = local_midnight (0);
  g_autoptr(GDateTime) yesterday = local_midnight (1);

  if (utc == NULL)
    return g_strdup ("—");
  dt = g_date_time_to_local (utc);
  if (!with_day || created_ms >= to_ms (today))
    return g_date_time_format (dt, "%H:%M");
  if (created_ms >= to_ms (yesterday))
    {
      g_autofree char *time = g_date_time_format (dt, "%H:%M");
      /* Translators: a time yesterday, e.g. "Yesterday 14:32" */
      return g_strdup_printf (_("Yesterday %s"), time);
    }
  /* Translators: day/month and time of a sale, see strftime(3) */
  return g_date_time_format (dt, _("%d/%m %H:%M"));
}

static char *
format_quantity (gint64 milli, gboolean weighed)
{
  if (weighed)
    {
      /* Translators: a weight in kilograms, e.g. "0,532 kg" */
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT ",%03" G_GINT64_FORMAT,
                                                 milli / 1000, ABS (milli % 1000));
      return g_strdup_printf (_("%s kg"), number);
    }
  if (milli % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, milli / 1000);
  return g_strdup_printf ("%" G_GINT64_FORMAT ",%03" G_GINT64_FORMAT, milli / 1000, ABS (milli % 1000));
}

/* "cash, pix" (method codes from the engine) -> "Cash, PIX" */
static char *
payment_labels (const char *summary)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (summary == NULL || *summary == '\0')
    return NULL;
  parts = g_strsplit (summary, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      PosPaymentMethod method;
      const char *code = g_strstrip (parts[i]);

      if (*code == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      if (pos_payment_method_from_string (code, &method))
        g_string_append (out, pos_payment_method_get_label (method));
      else
        g_string_append (out, code);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
record_is_fully_returned (const PosSaleRecord *record)
{
  gboolean any = FALSE;

  if (record->lines == NULL)
    return FALSE;
  for (guint i = 0; i < record->lines->len; i++)
    {
      const PosSaleLine *line = g_ptr_array_index (record->lines, i);
      if (line->quantity <= 0)
        continue;
      any = TRUE;
      if (line->returned_quantity < line->quantity)
        return FALSE;
    }
  return any;
}

static void
history_toast (PosHistoryPage *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
history_show_banner (PosHistoryPage *self, const char *text)
{
  gtk_label_set_text (self->banner_label, text);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_revealer), TRUE);
}

static void
history_hide_banner (PosHistoryPage *self)
{
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

/* ------------------------------------------------------------------ */
/* Rows */

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  GtkWidget *row, *left, *middle, *w;

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (row, "history-row");

  left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (left, GTK_ALIGN_CENTER);
  w = gtk_label_new (NULL);                          /* time */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_widget_add_css_class (w, "history-time");
  gtk_box_append (GTK_BOX (left), w);
  w = gtk_label_new (NULL);                          /* number */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_widget_add_css_class (w, "history-number");
  gtk_widget_add_css_class (w, "caption");
  gtk_widget_add_css_class (w, "dim-label");
  gtk_box_append (GTK_BOX (left), w);
  gtk_box_append (GTK_BOX (row), left);

  middle = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (middle, TRUE);
  gtk_widget_set_valign (middle, GTK_ALIGN_CENTER);
  w = gtk_label_new (NULL);                          /* items + payment */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (middle), w);
  w = gtk_label_new (NULL);                          /* customer / original */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (w, "caption");
  gtk_widget_add_css_class (w, "dim-label");
  gtk_box_append (GTK_BOX (middle), w);
  gtk_box_append (GTK_BOX (row), middle);

  w = gtk_label_new (NULL);                          /* badge */
  gtk_widget_set_valign (w, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (w, "kind-badge");
  gtk_box_append (GTK_BOX (row), w);

  w = gtk_label_new (NULL);                          /* total */
  gtk_widget_set_valign (w, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (w), 1);
  gtk_label_set_width_chars (GTK_LABEL (w), 11);
  gtk_widget_add_css_class (w, "history-total");
  gtk_box_append (GTK_BOX (row), w);

  gtk_list_item_set_child (list_item, row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (user_data);
  PosHistoryItem *item = gtk_list_item_get_item (list_item);
  const PosSaleSummary *s = item->summary;
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *left = gtk_widget_get_first_child (row);
  GtkWidget *middle = gtk_widget_get_next_sibling (left);
  GtkWidget *badge = gtk_widget_get_next_sibling (middle);
  GtkWidget *total = gtk_widget_get_next_sibling (badge);
  gboolean is_return = g_strcmp0 (s->kind, "return") == 0;
  gboolean with_day = gtk_drop_down_get_selected (self->date_dropdown) != PERIOD_TODAY;
  g_autofree char *when = format_when (s->created_at, with_day);
  g_autofree char *money = format_money (s->total, s->currency);
  g_autofree char *items = NULL;
  g_autofree char *payments = NULL;
  g_autofree char *line1 = NULL;
  g_autofree char *line2 = NULL;
  g_autofree char *a11y = NULL;

  items = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", s->n_lines), s->n_lines);
  payments = payment_labels (s->payment_summary);
  if (payments != NULL && *payments != '\0')
    line1 = g_strdup_printf ("%s · %s", items, payments);
  else
    line1 = g_strdup (items);

  if (is_return && s->original_number != NULL)
    /* Translators: under a return in the list: the sale it refunds */
    line2 = g_strdup_printf (_("Refund of %s"), s->original_number);
  else if (s->customer_name != NULL && *s->customer_name != '\0')
    line2 = g_strdup (s->customer_name);
  else if (s->staff_name != NULL)
    /* Translators: who sold it, when there is no customer */
    line2 = g_strdup_printf (_("Cashier: %s"), s->staff_name);
  else
    line2 = g_strdup (_("No customer"));

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (left)), when);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (left)), s->number);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (middle)), line1);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (middle)), line2);
  gtk_label_set_text (GTK_LABEL (badge), is_return ? _("Return") : _("Sale"));
  gtk_widget_remove_css_class (badge, is_return ? "sale" : "return");
  gtk_widget_add_css_class (badge, is_return ? "return" : "sale");
  gtk_label_set_text (GTK_LABEL (total), money);

  a11y = g_strdup_printf ("%s %s %s, %s, %s, %s", is_return ? _("Return") : _("Sale"),
                          s->number, when, line1, line2, money);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

/* ------------------------------------------------------------------ */
/* Loading the list on a worker thread */

typedef struct {
  PosDatabase *db;    /* the page's; workers borrow a connection of it */
  char  *query;
  gint64 from_ms;
  gint64 to_ms;
} ListQuery;

static void
list_query_free (ListQuery *q)
{
  g_clear_object (&q->db);
  g_free (q->query);
  g_free (q);
}

static void
list_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListQuery *q = task_data;
  PosDatabase *db;
  GPtrArray *rows;
  GError *error = NULL;

  db = pos_database_acquire_worker (q->db, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      pos_database_release_worker (q->db, db);
      return;
    }
  rows = pos_sales_list (db, q->query, q->from_ms, q->to_ms, HISTORY_LIMIT, &error);
  pos_database_release_worker (q->db, db);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static void
history_select_id (PosHistoryPage *self, const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      if (g_strcmp0 (item->summary->id, id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          return;
        }
    }
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
history_update_count (PosHistoryPage *self, GPtrArray *rows)
{
  g_autofree char *text = NULL;
  guint n_sales = 0, n_returns = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      const PosSaleSummary *s = g_ptr_array_index (rows, i);
      if (g_strcmp0 (s->kind, "return") == 0)
        n_returns++;
      else
        n_sales++;
    }
  if (rows->len >= HISTORY_LIMIT)
    text = g_strdup_printf (_("Showing the newest %u documents. Search to find older ones."), rows->len);
  else
    {
      g_autofree char *sales = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sale", "%u sales", n_sales), n_sales);
      g_autofree char *returns = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u return", "%u returns", n_returns), n_returns);
      text = g_strdup_printf ("%s · %s", sales, returns);
    }
  gtk_label_set_text (self->count_label, text);
}

static void
list_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_task_propagate_pointer (G_TASK (result), &error);
  PosHistoryPage *self;
  g_autoptr(GPtrArray) items = NULL;
  const char *query;
  const char *keep = NULL;

  if (rows == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = POS_HISTORY_PAGE (source);
  gtk_spinner_stop (self->list_spinner);

  if (rows == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the history: %s"), error->message);
      g_warning ("%s", text);
      g_list_store_remove_all (self->store);
      adw_status_page_set_title (self->empty_page, _("History Unavailable"));
      adw_status_page_set_description (self->empty_page, text);
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      gtk_label_set_text (self->count_label, "");
      return;
    }

  /* Keep the selection across a reload. */
  if (self->pending_select == NULL && self->record != NULL)
    keep = self->record->id;

  history_update_count (self, rows);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      PosHistoryItem *item = g_object_new (POS_TYPE_HISTORY_ITEM, NULL);
      item->summary = g_ptr_array_index (rows, i);
      rows->pdata[i] = NULL;    /* moved */
      g_ptr_array_add (items, item);
    }
  g_ptr_array_set_free_func (rows, NULL);

  g_signal_handlers_block_matched (self->selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  if (self->pending_select != NULL)
    history_select_id (self, self->pending_select);
  else if (keep != NULL)
    history_select_id (self, keep);
  else
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_handlers_unblock_matched (self->selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_clear_pointer (&self->pending_select, g_free);

  if (items->len > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  if (query != NULL && *query != '\0')
    {
      g_autofree char *desc = g_strdup_printf (_("Nothing matches “%s” in this period. Try “Everything” or another word."), query);
      adw_status_page_set_title (self->empty_page, _("No Results"));
      adw_status_page_set_description (self->empty_page, desc);
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Sales"));
      adw_status_page_set_description (self->empty_page, _("Nothing was sold in this period on this terminal."));
      adw_status_page_set_icon_name (self->empty_page, "document-open-recent-symbolic");
    }
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

void
pos_history_page_reload (PosHistoryPage *self)
{
  g_autoptr(GTask) task = NULL;
  ListQuery *q;
  const char *text;

  g_return_if_fail (POS_IS_HISTORY_PAGE (self));

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();

  q = g_new0 (ListQuery, 1);
  q->db = g_object_ref (self->db);
  text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  if (text != NULL)
    {
      q->query = g_strstrip (g_strdup (text));
      if (*q->query == '\0')
        g_clear_pointer (&q->query, g_free);
    }
  period_range (gtk_drop_down_get_selected (self->date_dropdown), &q->from_ms, &q->to_ms);

  /* Only show the spinner when there is nothing to show yet. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    {
      gtk_spinner_start (self->list_spinner);
      gtk_stack_set_visible_child_name (self->list_stack, "loading");
    }

  task = g_task_new (self, self->list_cancellable, list_loaded, NULL);
  g_task_set_source_tag (task, pos_history_page_reload);
  g_task_set_task_data (task, q, (GDestroyNotify) list_query_free);
  g_task_run_in_thread (task, list_worker);
}

/* ------------------------------------------------------------------ */
/* The detail */

typedef struct {
  PosSaleRecord *record;
  PosStoreInfo  *info;
} Detail;

static void
detail_free (Detail *d)
{
  g_clear_pointer (&d->record, pos_sale_record_free);
  g_clear_pointer (&d->info, pos_store_info_free);
  g_free (d);
}

static void
detail_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosDatabase *owner = g_object_get_data (G_OBJECT (task), "database");
  const char *id = task_data;
  PosDatabase *db;
  GError *error = NULL;
  Detail *d;

  db = pos_database_acquire_worker (owner, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  d = g_new0 (Detail, 1);
  d->record = pos_sales_load (db, id, &error);
  /* Without store info the receipt still renders (header left out). */
  if (d->record != NULL)
    d->info = pos_database_get_store_info (db, NULL);
  pos_database_release_worker (owner, db);
  if (d->record == NULL)
    {
      detail_free (d);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, d, (GDestroyNotify) detail_free);
}

static void
detail_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Detail *d = g_task_propagate_pointer (G_TASK (result), &error);
  PosHistoryPage *self;

  if (d == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = POS_HISTORY_PAGE (source);
  if (d == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not open this sale: %s"), error->message);
      history_toast (self, text);
      return;
    }
  history_show_record (self, g_steal_pointer (&d->record), g_steal_pointer (&d->info));
  detail_free (d);
}

static void
history_load_detail (PosHistoryPage *self, const char *id)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->detail_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->detail_cancellable, detail_loaded, NULL);
  g_task_set_source_tag (task, history_load_detail);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (task), "database", g_object_ref (self->db), g_object_unref);
  g_task_run_in_thread (task, detail_worker);
}

/* The PNG of the receipt as the printer has it, made off this thread. */
static void
history_render_receipt (PosHistoryPage *self)
{
  if (self->record == NULL)
    {
      pos_receipt_view_clear (self->receipt_view);
      return;
    }
  pos_receipt_view_show_sale (self->receipt_view, self->db, self->record->id, self->showing_copy);
}

static GtkWidget *
related_row_new (const char *id, const char *title, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Open this document"));
  g_object_set_data_full (G_OBJECT (row), "sale-id", g_strdup (id), g_free);
  return row;
}

static void
history_update_actions (PosHistoryPage *self)
{
  gboolean have = self->record != NULL;
  gboolean is_return = have && g_strcmp0 (self->record->kind, "return") == 0;
  gboolean full = have && record_is_fully_returned (self->record);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.reprint", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.email", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.return", have && !is_return && !full);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "history.void",
                                 have && !is_return && (self->record->returns == NULL || self->record->returns->len == 0));

  if (!have)
    return;
  if (is_return)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->return_button),
                                 _("This is a return: items of a return cannot be returned again."));
  else if (full)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->return_button),
                                 _("Every item of this sale was already returned."));
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->return_button),
                                 _("Take items back and refund the customer (Ctrl+R)"));
  gtk_button_set_label (self->reprint_button,
                        self->showing_copy ? _("Show _Original") : _("Re_print"));
}

static void
history_show_record (PosHistoryPage *self,
                     PosSaleRecord  *record,
                     PosStoreInfo   *info)
{
  gboolean is_return = g_strcmp0 (record->kind, "return") == 0;
  g_autofree char *title = NULL;
  g_autofree char *when = NULL;
  g_autofree char *total = NULL;
  g_autoptr(GString) sub = g_string_new (NULL);
  g_autoptr(GString) status = g_string_new (NULL);
  GtkWidget *child;

  g_clear_pointer (&self->record, pos_sale_record_free);
  g_clear_pointer (&self->store_info, pos_store_info_free);
  self->record = record;
  self->store_info = info;
  self->showing_copy = FALSE;

  title = g_strdup_printf (is_return ? _("Return %s") : _("Sale %s"), record->number);
  gtk_label_set_text (self->detail_title, title);
  gtk_label_set_text (self->detail_badge, is_return ? _("Return") : _("Sale"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->detail_badge), is_return ? "sale" : "return");
  gtk_widget_add_css_class (GTK_WIDGET (self->detail_badge), is_return ? "return" : "sale");

  when = format_when (record->created_at, TRUE);
  g_string_append (sub, when);
  if (record->staff_name != NULL)
    g_string_append_printf (sub, " · %s", record->staff_name);
  if (record->customer_name != NULL && *record->customer_name != '\0')
    g_string_append_printf (sub, " · %s", record->customer_name);
  gtk_label_set_text (self->detail_subtitle, sub->str);

  total = format_money (record->total, record->currency);
  gtk_label_set_text (self->detail_total, total);

  /* What was already returned, in words. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->related_list))) != NULL)
    gtk_list_box_remove (self->related_list, child);

  if (is_return)
    {
      if (record->reason != NULL && *record->reason != '\0')
        g_string_append_printf (status, _("Reason: %s"), record->reason);
      if (record->original_sale_id != NULL)
        {
          g_autofree char *t = g_strdup_printf (_("Original sale %s"),
                                                record->original_number != NULL ? record->original_number : record->original_sale_id);
          gtk_list_box_append (self->related_list,
                               related_row_new (record->original_sale_id, t, _("The sale this return refunds")));
        }
    }
  else
    {
      guint n_returned_lines = 0;

      if (record->lines != NULL)
        for (guint i = 0; i < record->lines->len; i++)
          {
            const PosSaleLine *line = g_ptr_array_index (record->lines, i);
            g_autofree char *qty = NULL;
            g_autofree char *sold = NULL;

            if (line->returned_quantity <= 0)
              continue;
            qty = format_quantity (line->returned_quantity, line->weighed);
            sold = format_quantity (line->quantity, line->weighed);
            g_string_append_printf (status, n_returned_lines == 0 ? "%s" : "\n%s", "");
            /* Translators: "Returned 1 of 3: Arroz Tio João 5 kg" */
            g_string_append_printf (status, _("Returned %s of %s: %s"), qty, sold, line->name);
            n_returned_lines++;
          }
      if (n_returned_lines == 0)
        g_string_append (status, _("Nothing returned from this sale."));
      else if (record_is_fully_returned (record))
        g_string_prepend (status, _("Fully returned.\n"));

      if (record->returns != NULL)
        for (guint i = 0; i < record->returns->len; i++)
          {
            const PosSaleSummary *r = g_ptr_array_index (record->returns, i);
            g_autofree char *t = g_strdup_printf (_("Return %s"), r->number);
            g_autofree char *rw = format_when (r->created_at, TRUE);
            g_autofree char *rm = format_money (r->total, r->currency);
            g_autofree char *st = g_strdup_printf ("%s · %s", rw, rm);
            gtk_list_box_append (self->related_list, related_row_new (r->id, t, st));
          }
    }
  gtk_label_set_text (self->detail_status, status->str);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_status), status->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->related_list),
                          gtk_widget_get_first_child (GTK_WIDGET (self->related_list)) != NULL);

  history_render_receipt (self);
  history_update_actions (self);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
}

static void
on_selection_changed (PosHistoryPage *self)
{
  PosHistoryItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (item == NULL)
    return;
  if (self->record != NULL && g_strcmp0 (self->record->id, item->summary->id) == 0)
    return;
  history_load_detail (self, item->summary->id);
}

static void
on_list_activate (PosHistoryPage *self, guint position)
{
  g_autoptr(PosHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item == NULL)
    return;
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_widget_grab_focus (GTK_WIDGET (self->return_button));
}

static void
on_related_activated (PosHistoryPage *self, GtkListBoxRow *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "sale-id");

  if (id != NULL)
    pos_history_page_open_sale (self, id);
}

static void
on_leaflet_folded (PosHistoryPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

/* ------------------------------------------------------------------ */
/* Search */

static gboolean
looks_like_code (const char *text)
{
  if (g_str_has_prefix (text, "BALCAO:SALE:"))
    return TRUE;
  /* A full number "001-01-000042": digits and two dashes. */
  if (strlen (text) >= 8 && strchr (text, '-') != NULL)
    {
      for (const char *p = text; *p; p++)
        if (!g_ascii_isdigit (*p) && *p != '-')
          return FALSE;
      return TRUE;
    }
  return FALSE;
}

static void
on_search_changed (PosHistoryPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* A receipt code typed (or scanned) into the search is handled on Enter. */
  if (g_str_has_prefix (text, "BALCAO:"))
    return;
  history_hide_banner (self);
  pos_history_page_reload (self);
}

static void
on_search_activate (PosHistoryPage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  if (looks_like_code (text))
    {
      if (pos_history_page_open_sale (self, text))
        gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      return;
    }
  /* Enter in the search goes to the results. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    {
      if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
        gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
}

static void
on_search_stop (PosHistoryPage *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
on_date_changed (PosHistoryPage *self)
{
  pos_history_page_reload (self);
}

/* ------------------------------------------------------------------ */
/* Open by id / number / code */

gboolean
pos_history_page_open_sale (PosHistoryPage *self,
                            const char     *id_number_or_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  PosSaleRecord *record;
  HistoryPeriod period;

  g_return_val_if_fail (POS_IS_HISTORY_PAGE (self), FALSE);
  g_return_val_if_fail (id_number_or_code != NULL, FALSE);

  code = g_strstrip (g_strdup (id_number_or_code));
  if (*code == '\0')
    return FALSE;

  record = pos_sales_load (self->db, code, &error);
  if (record == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND))
        text = g_strdup_printf (_("No sale “%s” on this terminal. Check the number on the receipt, "
                                  "or search by product, customer or amount."), code);
      else
        text = g_strdup_printf (_("Could not open “%s”: %s"), code, error->message);
      history_show_banner (self, text);
      return FALSE;
    }

  history_hide_banner (self);
  g_cancellable_cancel (self->detail_cancellable);
  history_show_record (self, record, pos_database_get_store_info (self->db, NULL));

  /* Show it in the list too: a period that contains it, no search. */
  g_free (self->pending_select);
  self->pending_select = g_strdup (record->id);
  period = period_for (record->created_at);
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  if (gtk_drop_down_get_selected (self->date_dropdown) == period)
    pos_history_page_reload (self);
  else
    gtk_drop_down_set_selected (self->date_dropdown, period);  /* reloads */

  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      if (gtk_widget_is_sensitive (GTK_WIDGET (self->return_button)))
        gtk_widget_grab_focus (GTK_WIDGET (self->return_button));
      else
        gtk_widget_grab_focus (GTK_WIDGET (self->reprint_button));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Actions */

static void
action_search (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
action_reload (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);

  pos_history_page_reload (self);
  if (self->record != NULL)
    history_load_detail (self, self->record->id);
}

static void
action_reprint (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);

  g_autoptr(PosPrinterSettings) printer = NULL;

  if (self->record == NULL)
    return;
  self->showing_copy = !self->showing_copy;
  history_render_receipt (self);
  history_update_actions (self);
  if (!self->showing_copy)
    return;
  printer = pos_printer_settings_load (self->db);
  if (printer->printer != NULL)
    {
      /* the window's print queue renders and sends it off this thread */
      gtk_widget_activate_action (widget, "win.print-receipt", "(sbb)", self->record->id, TRUE, FALSE);
      history_toast (self, _("Printing the copy (2ª VIA) on the receipt printer."));
    }
  else
    history_toast (self, _("Showing the copy (2ª VIA). No receipt printer is set: choose one in Preferences › Printer to print it."));
}

static void
on_email_requested (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PosHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *to = NULL;
  g_autofree char *text = NULL;

  if (!pos_receipt_email_dialog_ask_finish (result, &to, &error))
    {
      if (error != NULL)
        history_toast (self, error->message);
      return;
    }
  /* Translators: %s is an e-mail address (masked when it is the customer's on file) */
  text = g_strdup_printf (_("E-mail requested: the central sends the receipt to %s."), to);
  history_toast (self, text);
}

static void
action_email (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->record == NULL)
    return;
  pos_receipt_email_dialog_ask_async (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db,
                                      self->record->id, self->record->number, NULL,
                                      on_email_requested, g_object_ref (self));
}

static void
on_return_committed (PosReturnDialog *dialog,
                     const char      *return_id,
                     const char      *return_number,
                     PosHistoryPage  *self)
{
  g_autofree char *text = g_strdup_printf (_("Return %s saved."), return_number);

  history_toast (self, text);
  /* the return's receipt, and the drawer for a cash refund */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.print-receipt", "(sbb)", return_id, FALSE, TRUE);
  /* the return waits in the outbox: send it now if online */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
  pos_history_page_reload (self);
  if (self->record != NULL)
    history_load_detail (self, self->record->id);
}

static void
action_return (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);
  g_autoptr(GError) error = NULL;
  PosReturnDialog *dialog;
  GtkRoot *root;

  if (self->record == NULL)
    return;
  root = gtk_widget_get_root (widget);
  dialog = pos_return_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                  self->db, self->record->id, &error);
  if (dialog == NULL)
    {
      history_toast (self, error->message);
      return;
    }
  g_signal_connect_object (dialog, "committed", G_CALLBACK (on_return_committed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Voiding: a confirmation, then the approval when the person may not void
 * alone, then the engine (which checks both again) on a worker thread. */
typedef struct {
  char *sale_id;
  char *approval_id;
} VoidData;

static void
void_data_free (VoidData *d)
{
  g_free (d->sale_id);
  g_free (d->approval_id);
  g_free (d);
}

static void
void_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PosHistoryPage *self = source;
  VoidData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *id = NULL;
  PosDatabase *worker = pos_database_acquire_worker (self->db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id = pos_sales_void (worker, d->sale_id, _("Voided at the counter"), d->approval_id, &number, &error);
  pos_database_release_worker (self->db, worker);
  if (id == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&number), g_free);
}

static void
on_voided (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (number == NULL)
    {
      history_toast (self, error->message);
      return;
    }
  text = g_strdup_printf (_("Sale voided: refund %s saved."), number);
  history_toast (self, text);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.print-receipt", "(sbb)", number, FALSE, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
  pos_history_page_reload (self);
  if (self->record != NULL)
    history_load_detail (self, self->record->id);
}

static void
on_void_approved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PosHistoryPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;
  VoidData *d = g_object_steal_data (G_OBJECT (self), "pos-void");
  g_autoptr(GTask) task = NULL;

  if (d == NULL)
    return;
  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        history_toast (self, error->message);
      void_data_free (d);
      return;
    }
  d->approval_id = g_steal_pointer (&approval);
  task = g_task_new (self, NULL, on_voided, NULL);
  g_task_set_source_tag (task, on_void_approved);
  g_task_set_task_data (task, d, (GDestroyNotify) void_data_free);
  g_task_run_in_thread (task, void_thread);
}

static void
on_void_confirmed (AdwMessageDialog *dialog,
                   const char       *response,
                   PosHistoryPage   *self)
{
  VoidData *d;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *what = NULL;

  if (g_strcmp0 (response, "void") != 0 || self->record == NULL)
    return;
  d = g_new0 (VoidData, 1);
  d->sale_id = g_strdup (self->record->id);
  what = g_strdup_printf (_("Voiding sale %s"), self->record->number);
  g_object_set_data_full (G_OBJECT (self), "pos-void", d, (GDestroyNotify) void_data_free);
  pos_approval_dialog_ask_async (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db,
                                 POS_PERMISSION_VOID_SALE, what, NULL, on_void_approved, g_object_ref (self));
}

static void
action_void (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  g_autofree char *total = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->record == NULL)
    return;
  heading = g_strdup_printf (_("Void sale %s?"), self->record->number);
  total = pos_format_money (self->record->total, self->record->currency);
  body = g_strdup_printf (_("The whole sale (%s) is refunded the way it was paid and its items go back to stock. Only sales of the shift open now can be voided; older ones are returned instead."),
                          total);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep the Sale"),
                                    "void", _("_Void Sale"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "void", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_void_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_back (GtkWidget *widget, const char *name, GVariant *param)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (widget);

  if (gtk_revealer_get_reveal_child (self->banner_revealer))
    {
      history_hide_banner (self);
      return;
    }
  if (adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "detail") == 0)
    {
      adw_leaflet_set_visible_child_name (self->leaflet, "list");
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
      return;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
action_dismiss (GtkWidget *widget, const char *name, GVariant *param)
{
  history_hide_banner (POS_HISTORY_PAGE (widget));
}

/* ------------------------------------------------------------------ */

static void
pos_history_page_dispose (GObject *object)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (object);

  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->detail_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_HISTORY_PAGE);

  G_OBJECT_CLASS (pos_history_page_parent_class)->dispose (object);
}

static void
pos_history_page_finalize (GObject *object)
{
  PosHistoryPage *self = POS_HISTORY_PAGE (object);

  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->detail_cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->db);
  g_clear_pointer (&self->record, pos_sale_record_free);
  g_clear_pointer (&self->store_info, pos_store_info_free);
  g_clear_pointer (&self->pending_select, g_free);

  G_OBJECT_CLASS (pos_history_page_parent_class)->finalize (object);
}

static void
pos_history_page_class_init (PosHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_history_page_dispose;
  object_class->finalize = pos_history_page_finalize;

  g_type_ensure (POS_TYPE_RECEIPT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, date_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, list_spinner);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, detail_badge);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, detail_total);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, detail_status);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, related_list);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, receipt_view);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, reprint_button);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, return_button);
  gtk_widget_class_bind_template_child (widget_class, PosHistoryPage, void_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_date_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_related_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded);

  gtk_widget_class_install_action (widget_class, "history.search", NULL, action_search);
  gtk_widget_class_install_action (widget_class, "history.reload", NULL, action_reload);
  gtk_widget_class_install_action (widget_class, "history.reprint", NULL, action_reprint);
  gtk_widget_class_install_action (widget_class, "history.email", NULL, action_email);
  gtk_widget_class_install_action (widget_class, "history.return", NULL, action_return);
  gtk_widget_class_install_action (widget_class, "history.void", NULL, action_void);
  gtk_widget_class_install_action (widget_class, "history.back", NULL, action_back);
  gtk_widget_class_install_action (widget_class, "history.dismiss", NULL, action_dismiss);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "history.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "history.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "history.reprint", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "history.email", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "history.return", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "history.void", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "history.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "history.back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "historypage");

  pos_history_css_ensure ();
}

static void
pos_history_page_init (PosHistoryPage *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->store = g_list_store_new (POS_TYPE_HISTORY_ITEM);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_selection_changed), self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), self);
  gtk_list_view_set_factory (self->list_view, factory);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  on_leaflet_folded (self);
  history_update_actions (self);
}

GtkWidget *
pos_history_page_new (PosDatabase *db)
{
  PosHistoryPage *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  self = g_object_new (POS_TYPE_HISTORY_PAGE, NULL);
  self->db = g_object_ref (db);
  pos_history_page_reload (self);
  return GTK_WIDGET (self);
}
