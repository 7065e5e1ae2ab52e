/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "terminal/pos-pickups.h"
#include "terminal/pos-staff.h"

#include "pos-approval-dialog.h"
#include "pos-format.h"
#include "pos-handover-dialog.h"
#include "pos-picking-dialog.h"
#include "pos-pickup-op.h"
#include "pos-pickup-printing.h"
#include "pos-pickups-page.h"
#include "pos-sale-page.h"
#include "pos-window.h"

/* What the list shows: one of the engine's groups, the orders a manager
 * may cancel, the incidents, or a search over every open order. */
enum {
  VIEW_TO_CANCEL = POS_PICKUP_N_GROUPS,
  VIEW_INCIDENTS,
  N_VIEWS,
  VIEW_SEARCH = N_VIEWS,
};

/* A group is shown first with its oldest orders, then all of them: with
 * thousands of open orders the page has something to show at once. */
#define FIRST_PAGE 50

/* How often the times ("placed 2 h ago") and the overdue group move on. */
#define TICK_SECONDS 60

/* ------------------------------------------------------------------ */
/* One row of the list: a PosPickupOrder summary in a GObject. */

#define POS_TYPE_PICKUP_ITEM (pos_pickup_item_get_type ())
G_DECLARE_FINAL_TYPE (PosPickupItem, pos_pickup_item, POS, PICKUP_ITEM, GObject)

struct _PosPickupItem
{
  GObject         parent_instance;
  PosPickupOrder *order;
};

G_DEFINE_FINAL_TYPE (PosPickupItem, pos_pickup_item, G_TYPE_OBJECT)

static void
pos_pickup_item_finalize (GObject *object)
{
  g_clear_pointer (&POS_PICKUP_ITEM (object)->order, pos_pickup_order_free);
  G_OBJECT_CLASS (pos_pickup_item_parent_class)->finalize (object);
}

static void
pos_pickup_item_class_init (PosPickupItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_pickup_item_finalize;
}

static void
pos_pickup_item_init (PosPickupItem *self)
{
}

/* ------------------------------------------------------------------ */

struct _PosPickupsPage
{
  GtkWidget           parent_instance;

  PosDatabase        *db;
  PosSyncEngine      *sync;
  GtkWidget          *sale_page;          /* weak */
  GListStore         *store;
  GtkSingleSelection *selection;
  GCancellable       *list_cancellable;
  GCancellable       *counts_cancellable;
  GCancellable       *detail_cancellable;
  GCancellable       *cancellable;        /* everything else, cancelled at dispose */
  guint               view;
  guint               loaded_view;        /* whose orders the store holds */
  guint               last_group;         /* the group shown before a search */
  guint               counts[N_VIEWS];
  gboolean            counted;            /* the first counts arrived */
  gboolean            chose_view;         /* the clerk chose a group, or the first counts did */
  GHashTable         *known;              /* ids of the open orders seen */
  PosPickupOrder     *order;              /* the detail, with lines */
  char               *pending_select;     /* id to select when the list arrives */
  char               *cart_order_id;      /* put in the sale's cart, to be paid */
  gboolean            select_first;       /* Enter in the search: show the first result */
  char               *follow_id;          /* moved by the clerk: show its new group */
  gint64              list_started;       /* monotonic µs, for the debug log */
  guint               tick_id;
  guint               badge_number;
  gboolean            needs_attention;
  GtkWidget          *group_counts[N_VIEWS];
  GtkWidget          *group_rows[N_VIEWS];
  GtkWidget          *picking_dialog;     /* weak */
  GtkWidget          *handover_dialog;    /* weak */
  GtkShortcutController *shortcuts;       /* the page's keys (owned by the widget) */

  /* template */
  AdwLeaflet         *leaflet;
  GtkListBox         *group_list;
  GtkButton          *groups_button;
  GtkSearchEntry     *search_entry;
  GtkLabel           *list_title;
  GtkButton          *print_all_button;
  GtkStack           *list_stack;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;
  GtkSpinner         *list_spinner;
  GtkLabel           *count_label;
  GtkStack           *detail_stack;
  GtkButton          *back_button;
  GtkLabel           *detail_title;
  GtkLabel           *detail_state;
  GtkLabel           *detail_subtitle;
  GtkLabel           *detail_total;
  GtkLabel           *detail_alert;
  GtkListBox         *facts_list;
  GtkListBox         *lines_list;
  GtkWidget          *actions_box;
  GtkButton          *print_button;
  GtkButton          *no_show_button;
  GtkButton          *cancel_button;
  GtkButton          *dismiss_button;
  GtkButton          *pick_button;
  GtkButton          *hand_over_button;
};

G_DEFINE_FINAL_TYPE (PosPickupsPage, pos_pickups_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BADGE_NUMBER,
  PROP_NEEDS_ATTENTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pickups_show_order   (PosPickupsPage *self, PosPickupOrder *order);
static void pickups_load_detail  (PosPickupsPage *self, const char *id);
static void pickups_load_list    (PosPickupsPage *self);
static void pickups_load_counts  (PosPickupsPage *self, gboolean announce);
static void pickups_update_actions (PosPickupsPage *self);
static void open_handover        (PosPickupsPage *self, PosPickupOrder *order, const char *code);

/* ------------------------------------------------------------------ */
/* Helpers */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
page_toast (PosPickupsPage *self,
            const char     *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (POS_IS_WINDOW (root))
    {
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_timeout (toast, 6);
      pos_window_show_toast (POS_WINDOW (root), toast);
    }
  else
    g_message ("%s", text);
}

static GtkWindow *
page_window (PosPickupsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static const char *
view_label (guint view)
{
  if (view < POS_PICKUP_N_GROUPS)
    return pos_pickup_group_get_label (view);
  if (view == VIEW_TO_CANCEL)
    return _("To cancel");
  if (view == VIEW_INCIDENTS)
    return _("Incidents");
  return _("Search");
}

static const char *
state_label (PosPickupState state)
{
  switch (state)
    {
    case POS_PICKUP_PLACED:              return _("New");
    case POS_PICKUP_ALLOCATED:           return _("New");
    case POS_PICKUP_PICKING:             return _("Being picked");
    case POS_PICKUP_READY_FOR_PICKUP:    return _("Ready");
    case POS_PICKUP_PICKED_UP:           return _("Collected");
    case POS_PICKUP_ON_HOLD:             return _("On hold");
    case POS_PICKUP_PARTIALLY_PICKED_UP: return _("Partly collected");
    case POS_PICKUP_NO_SHOW:             return _("No-show");
    case POS_PICKUP_EXPIRED:             return _("Expired");
    case POS_PICKUP_CANCELLED:           return _("Cancelled");
    case POS_PICKUP_N_STATES:
    default:                             return "";
    }
}

/* The CSS class of a state's badge. */
static const char *
state_class (const PosPickupOrder *order)
{
  if (order->incident != NULL)
    return "incident";
  switch (order->group)
    {
    case POS_PICKUP_GROUP_NEW:       return "new";
    case POS_PICKUP_GROUP_PICKING:   return "picking";
    case POS_PICKUP_GROUP_READY:     return "ready";
    case POS_PICKUP_GROUP_OVERDUE:   return "overdue";
    case POS_PICKUP_GROUP_ON_HOLD:   return "hold";
    case POS_PICKUP_GROUP_PARTIAL:   return "partial";
    case POS_PICKUP_GROUP_COLLECTED: return "done";
    case POS_PICKUP_GROUP_CANCELLED: return "done";
    case POS_PICKUP_N_GROUPS:
    default:                         return "done";
    }
}

static void
set_badge_class (GtkWidget  *badge,
                 const char *css)
{
  static const char *all[] = { "new", "picking", "ready", "overdue", "hold", "partial", "done", "incident", "pending" };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gtk_widget_remove_css_class (badge, all[i]);
  gtk_widget_add_css_class (badge, css);
}

static const char *
customer_of (const PosPickupOrder *order)
{
  if (order->customer_name != NULL && *order->customer_name != '\0')
    return order->customer_name;
  return _("Customer not named");
}

static char *
format_clock (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (utc == NULL || ms <= 0)
    return g_strdup ("—");
  local = g_date_time_to_local (utc);
  today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now), 0, 0, 0);
  if (g_date_time_compare (local, today) >= 0)
    return g_date_time_format (local, "%H:%M");
  /* Translators: day/month and time, see strftime(3) */
  return g_date_time_format (local, _("%d/%m %H:%M"));
}

/* "3 items" */
static char *
format_items (const PosPickupOrder *order)
{
  gint64 units = order->n_items / 1000;

  if (order->n_items % 1000 != 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", order->n_lines), order->n_lines);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d item", "%d items", units), (int) units);
}

static char *
format_payment (const PosPickupOrder *order)
{
  g_autofree char *total = pos_format_money (order->total, order->currency != NULL ? order->currency : "BRL");

  if (order->paid)
    return g_strdup (_("Paid"));
  /* Translators: an order to be paid at the counter, with its amount */
  return g_strdup_printf (_("To pay in store: %s"), total);
}

/* A short word on the row: what the clerk must know at a glance. */
static const char *
order_marker (const PosPickupOrder *order, const char **css)
{
  if (order->incident != NULL)
    {
      *css = "incident";
      return _("Incident");
    }
  if (order->provisional)
    {
      *css = "pending";
      /* Translators: handed over offline, not yet accepted by the central */
      return _("Provisional");
    }
  if (order->pending)
    {
      *css = "pending";
      /* Translators: a change made here that the central has not confirmed yet */
      return _("Not sent yet");
    }
  if (order->expired)
    {
      *css = "overdue";
      return _("Expired");
    }
  *css = NULL;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The badge on the page's tab */

static void
pickups_set_badge (PosPickupsPage *self,
                   guint           number,
                   gboolean        attention)
{
  if (self->badge_number != number)
    {
      self->badge_number = number;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BADGE_NUMBER]);
    }
  if (self->needs_attention != attention)
    {
      self->needs_attention = attention;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_ATTENTION]);
    }
}

/* ------------------------------------------------------------------ */
/* The groups (sidebar) */

/* A line between the groups and the manager's lists. */
static void
group_header (GtkListBoxRow *row,
              GtkListBoxRow *before,
              gpointer       user_data)
{
  guint view = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "view"));

  if (view == VIEW_TO_CANCEL && gtk_list_box_row_get_header (row) == NULL)
    {
      GtkWidget *sep = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);

      gtk_widget_set_margin_top (sep, 6);
      gtk_widget_set_margin_bottom (sep, 6);
      gtk_list_box_row_set_header (row, sep);
    }
}

static void
build_group_rows (PosPickupsPage *self)
{
  gtk_list_box_set_header_func (self->group_list, group_header, NULL, NULL);
  for (guint v = 0; v < N_VIEWS; v++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *label = gtk_label_new (view_label (v));
      GtkWidget *count = gtk_label_new ("");
      g_autofree char *tip = NULL;

      gtk_widget_add_css_class (box, "pickup-group-row");
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (count, "pickup-count");
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), count);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      /* Translators: the key that shows a group, e.g. "Alt+3" */
      tip = g_strdup_printf (_("Alt+%u"), (v + 1) % 10);
      gtk_widget_set_tooltip_text (row, tip);
      g_object_set_data (G_OBJECT (row), "view", GUINT_TO_POINTER (v));
      gtk_list_box_append (self->group_list, row);
      self->group_rows[v] = row;
      self->group_counts[v] = count;
    }
}

static void
show_counts (PosPickupsPage *self)
{
  for (guint v = 0; v < N_VIEWS; v++)
    {
      g_autofree char *text = g_strdup_printf ("%u", self->counts[v]);
      g_autofree char *a11y = g_strdup_printf ("%s, %u", view_label (v), self->counts[v]);
      GtkWidget *count = self->group_counts[v];
      gboolean alert = self->counts[v] > 0 &&
                       (v == POS_PICKUP_GROUP_NEW || v == POS_PICKUP_GROUP_OVERDUE || v == VIEW_INCIDENTS);

      gtk_label_set_text (GTK_LABEL (count), text);
      gtk_widget_set_visible (count, self->counts[v] > 0);
      if (alert)
        gtk_widget_add_css_class (count, "alert");
      else
        gtk_widget_remove_css_class (count, "alert");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->group_rows[v]),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
    }
}

static void
select_view (PosPickupsPage *self,
             guint           view)
{
  if (view < N_VIEWS)
    {
      g_signal_handlers_block_matched (self->group_list, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_list_box_select_row (self->group_list, GTK_LIST_BOX_ROW (self->group_rows[view]));
      g_signal_handlers_unblock_matched (self->group_list, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
    }
  else
    gtk_list_box_unselect_all (self->group_list);
  if (view < N_VIEWS)
    self->last_group = view;
  if (self->view == view)
    return;
  self->view = view;
  pickups_load_list (self);
}

static void
on_group_selected (PosPickupsPage *self,
                   GtkListBoxRow  *row)
{
  if (row == NULL)
    return;
  self->chose_view = TRUE;
  /* choosing a group leaves the search */
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    {
      g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      self->view = G_MAXUINT;
    }
  select_view (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "view")));
}

static void
on_group_activated (PosPickupsPage *self,
                    GtkListBoxRow  *row)
{
  on_group_selected (self, row);
  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* ------------------------------------------------------------------ */
/* Rows of the list */

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  GtkWidget *row, *left, *middle, *right, *w;

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (row, "pickup-row");

  left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (left, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (left, 88, -1);
  w = gtk_label_new (NULL);                      /* number */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_widget_add_css_class (w, "pickup-number");
  gtk_box_append (GTK_BOX (left), w);
  w = gtk_label_new (NULL);                      /* channel */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (w), 12);
  gtk_widget_add_css_class (w, "caption");
  gtk_widget_add_css_class (w, "dim-label");
  gtk_box_append (GTK_BOX (left), w);
  gtk_box_append (GTK_BOX (row), left);

  middle = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (middle, TRUE);
  gtk_widget_set_valign (middle, GTK_ALIGN_CENTER);
  w = gtk_label_new (NULL);                      /* customer */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (middle), w);
  w = gtk_label_new (NULL);                      /* items, payment, times, shelf */
  gtk_label_set_xalign (GTK_LABEL (w), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (w, "caption");
  gtk_widget_add_css_class (w, "dim-label");
  gtk_box_append (GTK_BOX (middle), w);
  gtk_box_append (GTK_BOX (row), middle);

  right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (right, GTK_ALIGN_CENTER);
  w = gtk_label_new (NULL);                      /* since */
  gtk_label_set_xalign (GTK_LABEL (w), 1);
  gtk_widget_add_css_class (w, "pickup-since");
  gtk_box_append (GTK_BOX (right), w);
  w = gtk_label_new (NULL);                      /* marker */
  gtk_widget_set_halign (w, GTK_ALIGN_END);
  gtk_widget_add_css_class (w, "pickup-badge");
  gtk_box_append (GTK_BOX (right), w);
  gtk_box_append (GTK_BOX (row), right);

  gtk_list_item_set_child (list_item, row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  PosPickupItem *item = gtk_list_item_get_item (list_item);
  const PosPickupOrder *o = item->order;
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *left = gtk_widget_get_first_child (row);
  GtkWidget *middle = gtk_widget_get_next_sibling (left);
  GtkWidget *right = gtk_widget_get_last_child (row);
  GtkWidget *marker = gtk_widget_get_last_child (right);
  g_autofree char *items = format_items (o);
  g_autofree char *payment = format_payment (o);
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *since = NULL;
  g_autofree char *a11y = NULL;
  const char *css = NULL;
  const char *mark = order_marker (o, &css);
  gint64 now = now_ms ();

  g_string_append_printf (details, "%s · %s", items, payment);
  if (o->shelf_location != NULL && *o->shelf_location != '\0')
    {
      /* Translators: where a ready order waits, e.g. "Shelf B3" */
      g_autofree char *shelf = g_strdup_printf (_("Shelf %s"), o->shelf_location);

      g_string_append_printf (details, " · %s", shelf);
    }
  if (o->incident != NULL)
    {
      g_string_truncate (details, 0);
      g_string_append (details, o->incident);
    }

  if (o->ready_at > 0 && (o->state == POS_PICKUP_READY_FOR_PICKUP || o->state == POS_PICKUP_PARTIALLY_PICKED_UP))
    {
      g_autofree char *d = pos_pickup_format_since (o->ready_at, now);
      /* Translators: how long a ready order has waited, e.g. "ready 3 h" */
      since = g_strdup_printf (_("ready %s"), d);
    }
  else if (o->group == POS_PICKUP_GROUP_COLLECTED || o->group == POS_PICKUP_GROUP_CANCELLED)
    since = format_clock (o->updated_at);
  else
    {
      g_autofree char *d = pos_pickup_format_since (o->placed_at, now);
      /* Translators: how long ago an order was placed, e.g. "placed 12 min" */
      since = g_strdup_printf (_("placed %s"), d);
    }

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (left)), o->number);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (left)), pos_pickup_channel_label (o->channel));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (middle)), customer_of (o));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (middle)), details->str);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (right)), since);
  if (o->group == POS_PICKUP_GROUP_OVERDUE)
    gtk_widget_add_css_class (gtk_widget_get_first_child (right), "overdue");
  else
    gtk_widget_remove_css_class (gtk_widget_get_first_child (right), "overdue");

  /* In a search or the manager's lists, the state says where it is. */
  if (mark == NULL && (o->group == POS_PICKUP_GROUP_CANCELLED || o->group == POS_PICKUP_GROUP_COLLECTED ||
                       o->group == POS_PICKUP_GROUP_ON_HOLD))
    {
      mark = state_label (o->state);
      css = state_class (o);
    }
  gtk_widget_set_visible (marker, mark != NULL);
  if (mark != NULL)
    {
      gtk_label_set_text (GTK_LABEL (marker), mark);
      set_badge_class (marker, css);
    }

  a11y = g_strdup_printf (_("Order %s, %s, %s, %s, %s"), o->number, customer_of (o),
                          pos_pickup_channel_label (o->channel), details->str, since);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

/* ------------------------------------------------------------------ */
/* Counts, and the new orders (worker thread) */

typedef struct {
  guint      counts[N_VIEWS];
  GPtrArray *open;      /* summaries of the open orders of NEW..PARTIAL */
} Counts;

static void
counts_free (Counts *c)
{
  g_clear_pointer (&c->open, g_ptr_array_unref);
  g_free (c);
}

static guint
count_to_cancel (GPtrArray *orders)
{
  guint n = 0;

  for (guint i = 0; i < orders->len; i++)
    {
      const PosPickupOrder *o = g_ptr_array_index (orders, i);

      if ((o->state == POS_PICKUP_READY_FOR_PICKUP && o->expired) ||
          o->state == POS_PICKUP_NO_SHOW || o->state == POS_PICKUP_EXPIRED)
        n++;
    }
  return n;
}

static void
counts_worker (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosDatabase *owner = task_data;
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_acquire_worker (owner, &error);
  Counts *c;
  gboolean ok;

  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  c = g_new0 (Counts, 1);
  c->open = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  ok = pos_pickups_count (db, c->counts, &error);
  /* the open groups: which orders are new since the last look */
  for (guint g = POS_PICKUP_GROUP_NEW; ok && g <= POS_PICKUP_GROUP_PARTIAL; g++)
    {
      g_autoptr(GPtrArray) rows = NULL;

      if (c->counts[g] == 0)
        continue;
      rows = pos_pickups_list (db, g, NULL, 0, &error);
      ok = rows != NULL;
      if (ok && g == POS_PICKUP_GROUP_OVERDUE)
        c->counts[VIEW_TO_CANCEL] += count_to_cancel (rows);
      for (guint i = 0; ok && i < rows->len; i++)
        g_ptr_array_add (c->open, g_steal_pointer (&rows->pdata[i]));
    }
  if (ok && c->counts[POS_PICKUP_GROUP_CANCELLED] > 0)
    {
      g_autoptr(GPtrArray) rows = pos_pickups_list (db, POS_PICKUP_GROUP_CANCELLED, NULL, 0, &error);

      ok = rows != NULL;
      if (ok)
        c->counts[VIEW_TO_CANCEL] += count_to_cancel (rows);
    }
  if (ok)
    {
      g_autoptr(GPtrArray) incidents = pos_pickups_list_incidents (db, &error);

      ok = incidents != NULL;
      if (ok)
        c->counts[VIEW_INCIDENTS] = incidents->len;
    }
  pos_database_release_worker (owner, db);
  if (!ok)
    {
      counts_free (c);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, c, (GDestroyNotify) counts_free);
}

static void
announce_new_orders (PosPickupsPage *self,
                     GPtrArray      *fresh)
{
  g_autofree char *text = NULL;

  if (fresh->len == 0)
    return;
  if (fresh->len == 1)
    {
      const PosPickupOrder *o = g_ptr_array_index (fresh, 0);

      if (o->customer_name != NULL && *o->customer_name != '\0')
        /* Translators: "New pickup order 1042 from Maria (web)" */
        text = g_strdup_printf (_("New pickup order %s from %s (%s)"), o->number, o->customer_name,
                                pos_pickup_channel_label (o->channel));
      else
        text = g_strdup_printf (_("New pickup order %s (%s)"), o->number, pos_pickup_channel_label (o->channel));
    }
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new pickup order", "%u new pickup orders", fresh->len),
                            fresh->len);
  page_toast (self, text);
}

static void
counts_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Counts *c = g_task_propagate_pointer (G_TASK (result), &error);
  gboolean announce = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "announce"));
  PosPickupsPage *self;
  g_autoptr(GPtrArray) fresh = NULL;
  GHashTable *known;

  if (c == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = POS_PICKUPS_PAGE (source);
  if (c == NULL)
    {
      g_warning ("Counting the pickup orders: %s", error->message);
      return;
    }

  memcpy (self->counts, c->counts, sizeof self->counts);
  show_counts (self);
  pickups_set_badge (self, c->counts[POS_PICKUP_GROUP_NEW] + c->counts[POS_PICKUP_GROUP_OVERDUE],
                     c->counts[POS_PICKUP_GROUP_NEW] + c->counts[POS_PICKUP_GROUP_OVERDUE] + c->counts[VIEW_INCIDENTS] > 0);

  /* Orders not seen before, among the open ones. */
  fresh = g_ptr_array_new ();
  known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < c->open->len; i++)
    {
      PosPickupOrder *o = g_ptr_array_index (c->open, i);

      g_hash_table_add (known, g_strdup (o->id));
      if (self->known != NULL && !g_hash_table_contains (self->known, o->id) &&
          o->group == POS_PICKUP_GROUP_NEW)
        g_ptr_array_add (fresh, o);
    }
  if (announce && self->known != NULL)
    announce_new_orders (self, fresh);
  g_clear_pointer (&self->known, g_hash_table_unref);
  self->known = known;

  /* The first time: show the first group with something to do. */
  if (!self->counted && !self->chose_view && self->view == POS_PICKUP_GROUP_NEW && self->counts[POS_PICKUP_GROUP_NEW] == 0)
    {
      static const guint order[] = { POS_PICKUP_GROUP_OVERDUE, POS_PICKUP_GROUP_READY, POS_PICKUP_GROUP_PICKING,
                                     POS_PICKUP_GROUP_PARTIAL, POS_PICKUP_GROUP_ON_HOLD };

      for (guint i = 0; i < G_N_ELEMENTS (order); i++)
        if (self->counts[order[i]] > 0)
          {
            select_view (self, order[i]);
            break;
          }
    }
  self->counted = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pickups.print-all",
                                 self->counts[POS_PICKUP_GROUP_NEW] > 0);
  counts_free (c);
}

static void
pickups_load_counts (PosPickupsPage *self,
                     gboolean        announce)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->counts_cancellable);
  g_clear_object (&self->counts_cancellable);
  self->counts_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->counts_cancellable, counts_loaded, NULL);
  g_task_set_source_tag (task, pickups_load_counts);
  g_task_set_task_data (task, g_object_ref (self->db), g_object_unref);
  g_object_set_data (G_OBJECT (task), "announce", GINT_TO_POINTER (announce));
  g_task_run_in_thread (task, counts_worker);
}

/* ------------------------------------------------------------------ */
/* The list (worker thread) */

typedef struct {
  PosDatabase *db;
  guint        view;
  char        *search;
  guint        limit;      /* 0: all */
  gboolean     rest;       /* the rest after a first page */
} ListQuery;

static void
list_query_free (ListQuery *q)
{
  g_clear_object (&q->db);
  g_free (q->search);
  g_free (q);
}

static GPtrArray *
list_to_cancel (PosDatabase *db, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  static const PosPickupGroup groups[] = { POS_PICKUP_GROUP_OVERDUE, POS_PICKUP_GROUP_CANCELLED };

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      g_autoptr(GPtrArray) rows = pos_pickups_list (db, groups[g], NULL, 0, error);

      if (rows == NULL)
        {
          g_ptr_array_unref (out);
          return NULL;
        }
      for (guint i = 0; i < rows->len; i++)
        {
          PosPickupOrder *o = g_ptr_array_index (rows, i);

          if ((o->state == POS_PICKUP_READY_FOR_PICKUP && o->expired) ||
              o->state == POS_PICKUP_NO_SHOW || o->state == POS_PICKUP_EXPIRED)
            g_ptr_array_add (out, g_steal_pointer (&rows->pdata[i]));
        }
    }
  return out;
}

static void
list_worker (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListQuery *q = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = NULL;
  PosDatabase *db = pos_database_acquire_worker (q->db, &error);

  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      pos_database_release_worker (q->db, db);
      return;
    }
  if (q->view == VIEW_SEARCH)
    rows = pos_pickups_find (db, q->search, &error);
  else if (q->view == VIEW_TO_CANCEL)
    rows = list_to_cancel (db, &error);
  else if (q->view == VIEW_INCIDENTS)
    rows = pos_pickups_list_incidents (db, &error);
  else
    rows = pos_pickups_list (db, q->view, NULL, q->limit, &error);
  pos_database_release_worker (q->db, db);
  if (rows == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
select_id (PosPickupsPage *self,
           const char     *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosPickupItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (item->order->id, id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          return TRUE;
        }
    }
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  return FALSE;
}

static void
show_empty (PosPickupsPage *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *title = _("Nothing Here");
  const char *desc = NULL;
  g_autofree char *owned = NULL;

  switch (self->view)
    {
    case POS_PICKUP_GROUP_NEW:
      title = _("No New Orders");
      desc = _("Online orders for pickup at this store appear here as they arrive.");
      break;
    case POS_PICKUP_GROUP_PICKING:
      title = _("Nothing Being Picked");
      break;
    case POS_PICKUP_GROUP_READY:
      title = _("Nothing Waiting on the Shelf");
      break;
    case POS_PICKUP_GROUP_OVERDUE:
      title = _("Nothing Overdue");
      desc = _("Every ready order was collected in time.");
      break;
    case VIEW_TO_CANCEL:
      title = _("Nothing to Cancel");
      desc = _("Orders not collected within the store's pickup window, and no-shows, are listed here for a manager to cancel.");
      break;
    case VIEW_INCIDENTS:
      title = _("No Incidents");
      desc = _("An order handed over offline that the central refused would be listed here.");
      break;
    case VIEW_SEARCH:
      title = _("No Results");
      owned = g_strdup_printf (_("No open order matches “%s”. Try the order number, the customer's name, phone or CPF."), search);
      desc = owned;
      break;
    default:
      break;
    }
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, desc);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

/* Where the keyboard goes when the list cannot have it: the group's row
 * (the search entry for a search). */
static void
focus_beside_list (PosPickupsPage *self)
{
  if (self->view < N_VIEWS)
    gtk_widget_grab_focus (self->group_rows[self->view]);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* GTK 4.8's list view drops the row that has the focus when its model
 * empties, but the window still points its focus at that row: a widget
 * with no parent, so no key reaches the window any more (not even the
 * application's shortcuts). Before the list loses every row, the keyboard
 * moves off it. */
static void
release_list_focus (PosPickupsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    return;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    focus_beside_list (self);
  if (gtk_root_get_focus (root) == focus)
    gtk_root_set_focus (root, NULL);
}

/* The keyboard never stays on something hidden or gone (an emptied list,
 * a button of an action the order no longer has): the window would not
 * see keys. */
static void
ensure_focus (PosPickupsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus;

  if (root == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  focus = gtk_root_get_focus (root);
  if (focus != NULL && gtk_widget_get_root (focus) != root)
    focus = NULL;   /* a widget taken out of the window: not a focus */
  else if (focus != NULL && gtk_widget_get_mapped (focus) && gtk_widget_is_visible (focus))
    return;
  else if (focus != NULL && !gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0 &&
      gtk_widget_get_mapped (GTK_WIDGET (self->list_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
  else
    focus_beside_list (self);
}

static void
update_list_title (PosPickupsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autofree char *title = NULL;
  g_autofree char *count = NULL;

  if (self->view == VIEW_SEARCH)
    title = g_strdup_printf (_("Open orders matching “%s”"), gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  else
    title = g_strdup (view_label (self->view));
  gtk_label_set_text (self->list_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->print_all_button), self->view == POS_PICKUP_GROUP_NEW && n > 0);

  /* while the rest of a group arrives, its count says how many there are */
  if (self->view < POS_PICKUP_N_GROUPS && self->counted && self->counts[self->view] > n)
    n = self->counts[self->view];
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u order", "%u orders", n), n);
  if (self->view == POS_PICKUP_GROUP_COLLECTED || self->view == POS_PICKUP_GROUP_CANCELLED)
    {
      g_autofree char *days = pos_database_get_setting (self->db, "pickup_history_days");
      g_autofree char *more = g_strdup_printf (_("%s in the last %s days"), count, days != NULL ? days : "3");

      gtk_label_set_text (self->count_label, more);
    }
  else
    gtk_label_set_text (self->count_label, count);
}

static void
list_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_task_propagate_pointer (G_TASK (result), &error);
  PosPickupsPage *self;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *keep = NULL;
  const ListQuery *q = g_task_get_task_data (G_TASK (result));
  guint n;

  if (rows == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = POS_PICKUPS_PAGE (source);
  gtk_spinner_stop (self->list_spinner);

  /* The rest of a group after its first page: appended when the first
   * page is still what the list shows, so that nothing moves. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  if (rows != NULL && q->rest && rows->len >= n)
    {
      gboolean same = TRUE;

      for (guint i = 0; same && i < n; i++)
        {
          g_autoptr(PosPickupItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);
          const PosPickupOrder *o = g_ptr_array_index (rows, i);

          same = g_str_equal (item->order->id, o->id);
        }
      if (same)
        {
          items = g_ptr_array_new_with_free_func (g_object_unref);
          for (guint i = n; i < rows->len; i++)
            {
              PosPickupItem *item = g_object_new (POS_TYPE_PICKUP_ITEM, NULL);

              item->order = g_steal_pointer (&rows->pdata[i]);
              g_ptr_array_add (items, item);
            }
          g_list_store_splice (self->store, n, 0, items->pdata, items->len);
          update_list_title (self);
          g_debug ("Pickups: %s, all %u orders listed %" G_GINT64_FORMAT " ms after asking", view_label (self->view),
                   rows->len, (g_get_monotonic_time () - self->list_started) / 1000);
          return;
        }
    }

  if (rows == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the pickup orders: %s"), error->message);

      g_warning ("%s", text);
      release_list_focus (self);
      g_list_store_remove_all (self->store);
      adw_status_page_set_title (self->empty_page, _("Pickup Orders Unavailable"));
      adw_status_page_set_description (self->empty_page, text);
      gtk_stack_set_visible_child_name (self->list_stack, "empty");
      return;
    }

  if (self->pending_select != NULL)
    keep = g_steal_pointer (&self->pending_select);
  else if (self->order != NULL)
    keep = g_strdup (self->order->id);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      PosPickupItem *item = g_object_new (POS_TYPE_PICKUP_ITEM, NULL);

      item->order = g_steal_pointer (&rows->pdata[i]);
      g_ptr_array_add (items, item);
    }

  if (items->len == 0)
    release_list_focus (self);
  g_signal_handlers_block_matched (self->selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  if (keep == NULL || !select_id (self, keep))
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_handlers_unblock_matched (self->selection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);

  /* A search the clerk confirmed, or one that found one order: show it. */
  if (self->view == VIEW_SEARCH && items->len > 0 &&
      gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION &&
      (self->select_first || items->len == 1))
    {
      gtk_single_selection_set_selected (self->selection, 0);
      if (self->select_first)
        gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
  self->select_first = FALSE;

  update_list_title (self);
  g_debug ("Pickups: %s, %u orders listed %" G_GINT64_FORMAT " ms after asking", view_label (self->view),
           items->len, (g_get_monotonic_time () - self->list_started) / 1000);
  self->loaded_view = self->view;
  if (items->len > 0)
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  else
    show_empty (self);
  ensure_focus (self);

  /* a full first page: the rest follows */
  if (!q->rest && q->limit > 0 && items->len >= q->limit)
    {
      g_autoptr(GTask) task = NULL;
      ListQuery *more = g_new0 (ListQuery, 1);

      more->db = g_object_ref (self->db);
      more->view = q->view;
      more->rest = TRUE;
      task = g_task_new (self, self->list_cancellable, list_loaded, NULL);
      g_task_set_source_tag (task, pickups_load_list);
      g_task_set_task_data (task, more, (GDestroyNotify) list_query_free);
      g_task_run_in_thread (task, list_worker);
    }
}

static void
pickups_load_list (PosPickupsPage *self)
{
  g_autoptr(GTask) task = NULL;
  ListQuery *q;

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();

  self->list_started = g_get_monotonic_time ();
  q = g_new0 (ListQuery, 1);
  q->db = g_object_ref (self->db);
  q->view = self->view;
  if (self->view == VIEW_SEARCH)
    q->search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  /* a group seen for the first time: its first page, then the rest; a
   * reload of what is shown: everything at once, so that it does not
   * shrink under the clerk's eyes */
  if (self->view < POS_PICKUP_N_GROUPS &&
      (self->loaded_view != self->view || g_list_model_get_n_items (G_LIST_MODEL (self->store)) <= FIRST_PAGE))
    q->limit = FIRST_PAGE;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    {
      gtk_spinner_start (self->list_spinner);
      gtk_stack_set_visible_child_name (self->list_stack, "loading");
    }

  task = g_task_new (self, self->list_cancellable, list_loaded, NULL);
  g_task_set_source_tag (task, pickups_load_list);
  g_task_set_task_data (task, q, (GDestroyNotify) list_query_free);
  g_task_run_in_thread (task, list_worker);
}

void
pos_pickups_page_reload (PosPickupsPage *self)
{
  g_return_if_fail (POS_IS_PICKUPS_PAGE (self));

  /* orders that arrived some other way (a pull before the window was
   * told, another process) are announced too */
  pickups_load_counts (self, TRUE);
  pickups_load_list (self);
  if (self->order != NULL)
    pickups_load_detail (self, self->order->id);
}

void
pos_pickups_page_changes_applied (PosPickupsPage *self)
{
  g_return_if_fail (POS_IS_PICKUPS_PAGE (self));

  pickups_load_counts (self, TRUE);
  pickups_load_list (self);
  if (self->order != NULL)
    pickups_load_detail (self, self->order->id);
}

static gboolean
on_tick (gpointer user_data)
{
  PosPickupsPage *self = user_data;

  /* the overdue group and the times move with the clock */
  pickups_load_counts (self, TRUE);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    pickups_load_list (self);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* The detail */

static void
follow (PosPickupsPage *self,
        const char     *order_id)
{
  g_free (self->follow_id);
  self->follow_id = g_strdup (order_id);
}

static void
detail_loaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PosPickupOrder *order = pos_pickup_op_run_finish (result, &error);
  PosPickupsPage *self;

  if (order == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = POS_PICKUPS_PAGE (user_data);
  if (order == NULL)
    {
      if (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_FOUND))
        {
          /* gone (a rebuild from the central, an erasure) */
          g_clear_pointer (&self->order, pos_pickup_order_free);
          gtk_stack_set_visible_child_name (self->detail_stack, "none");
          pickups_update_actions (self);
        }
      page_toast (self, error->message);
      return;
    }
  pickups_show_order (self, order);
}

static void
pickups_load_detail (PosPickupsPage *self,
                     const char     *id)
{
  g_autofree char *order_id = g_strdup (id);

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->detail_cancellable = g_cancellable_new ();
  /* the page outlives its tasks: dispose cancels them, and the callback
   * of a cancelled task does not touch it */
  pos_pickup_op_run_async (self->db, order_id, NULL, NULL, NULL, self->detail_cancellable, detail_loaded, self);
}

static GtkWidget *
fact_row (const char *title,
          const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  return row;
}

static void
clear_list_box (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

static char *
line_status (const PosPickupOrder *order,
             const PosPickupLine  *line)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *qty = pos_pickup_format_quantity (line->quantity);
  g_autofree char *price = pos_format_money (line->unit_price, order->currency != NULL ? order->currency : "BRL");

  g_string_append_printf (s, "%s · %s × %s", line->sku != NULL ? line->sku : "", qty, price);
  if (line->picked_quantity > 0 && (order->state == POS_PICKUP_PICKING || order->group <= POS_PICKUP_GROUP_PICKING))
    {
      g_autofree char *p = pos_pickup_format_quantity (line->picked_quantity);
      /* Translators: "picked 1 of 2" */
      g_string_append_printf (s, " · ");
      g_string_append_printf (s, _("picked %s of %s"), p, qty);
    }
  if (line->collected_quantity > 0)
    {
      g_autofree char *c = pos_pickup_format_quantity (line->collected_quantity);
      g_string_append (s, " · ");
      g_string_append_printf (s, _("collected %s"), c);
    }
  if (line->missing_quantity > 0)
    {
      g_autofree char *m = pos_pickup_format_quantity (line->missing_quantity);
      g_string_append (s, " · ");
      g_string_append_printf (s, _("missing %s"), m);
    }
  if (line->refunded_quantity > 0)
    {
      g_autofree char *r = pos_pickup_format_quantity (line->refunded_quantity);
      g_string_append (s, " · ");
      g_string_append_printf (s, _("refused and refunded %s"), r);
    }
  if (line->substitute_sku != NULL)
    {
      g_string_append (s, " · ");
      g_string_append_printf (s, _("substitute proposed: %s"),
                              line->substitute_name != NULL ? line->substitute_name : line->substitute_sku);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
pickups_show_order (PosPickupsPage *self,
                    PosPickupOrder *order)
{
  g_autofree char *title = NULL;
  g_autofree char *total = NULL;
  g_autofree char *placed = NULL;
  g_autofree char *placed_since = NULL;
  g_autofree char *payment = NULL;
  g_autoptr(GString) sub = g_string_new (NULL);
  g_autoptr(GString) alert = g_string_new (NULL);
  gint64 now = now_ms ();

  g_clear_pointer (&self->order, pos_pickup_order_free);
  self->order = order;

  /* An order the clerk just moved (picked, handed over...) is shown in
   * its new group, so that the list and the detail agree. */
  if (self->follow_id != NULL && g_str_equal (self->follow_id, order->id))
    {
      g_clear_pointer (&self->follow_id, g_free);
      if (self->view < POS_PICKUP_N_GROUPS && self->view != order->group)
        {
          g_free (self->pending_select);
          self->pending_select = g_strdup (order->id);
          select_view (self, order->group);
        }
    }

  /* Translators: the title of an order's detail, "Order 1042" */
  title = g_strdup_printf (_("Order %s"), order->number);
  gtk_label_set_text (self->detail_title, title);
  gtk_label_set_text (self->detail_state, order->group == POS_PICKUP_GROUP_OVERDUE ? _("Overdue") : state_label (order->state));
  set_badge_class (GTK_WIDGET (self->detail_state), state_class (order));

  g_string_append (sub, customer_of (order));
  if (order->customer_phone != NULL && *order->customer_phone != '\0')
    g_string_append_printf (sub, " · %s", order->customer_phone);
  g_string_append_printf (sub, " · %s", pos_pickup_channel_label (order->channel));
  gtk_label_set_text (self->detail_subtitle, sub->str);

  total = pos_format_money (order->total, order->currency != NULL ? order->currency : "BRL");
  gtk_label_set_text (self->detail_total, total);

  /* What needs attention, in words. */
  if (order->incident != NULL)
    g_string_append_printf (alert, _("The central refused the handover made offline: %s"), order->incident);
  else if (order->provisional)
    g_string_append (alert, _("Handed over offline: provisional until the central accepts it."));
  else if (order->pending)
    g_string_append (alert, _("A change made here has not reached the central yet."));
  if (order->expired && order->state == POS_PICKUP_READY_FOR_PICKUP)
    {
      if (alert->len > 0)
        g_string_append_c (alert, '\n');
      g_string_append (alert, _("Not collected within the store's pickup window: a manager may cancel it, which releases the stock."));
    }
  if (order->state == POS_PICKUP_ON_HOLD)
    {
      if (alert->len > 0)
        g_string_append_c (alert, '\n');
      g_string_append (alert, _("On hold: the central decides whether it goes ahead partly, with the substitute, or is cancelled."));
    }
  gtk_label_set_text (self->detail_alert, alert->str);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_alert), alert->len > 0);

  /* The facts. */
  clear_list_box (self->facts_list);
  payment = order->paid
    ? (order->payment_method != NULL ? g_strdup_printf (_("Paid online (%s)"), order->payment_method) : g_strdup (_("Paid online")))
    : g_strdup_printf (_("To be paid at the counter: %s"), total);
  gtk_list_box_append (self->facts_list, fact_row (_("Payment"), payment));
  placed = format_clock (order->placed_at);
  placed_since = pos_pickup_format_since (order->placed_at, now);
  {
    /* Translators: "14:32 (2 h ago)" */
    g_autofree char *v = g_strdup_printf (_("%s (%s ago)"), placed, placed_since);
    gtk_list_box_append (self->facts_list, fact_row (_("Placed"), v));
  }
  if (order->ready_at > 0)
    {
      g_autofree char *r = format_clock (order->ready_at);
      g_autofree char *rs = pos_pickup_format_since (order->ready_at, now);
      g_autofree char *v = NULL;

      if (order->group == POS_PICKUP_GROUP_OVERDUE)
        v = g_strdup_printf (_("%s (waiting %s: overdue)"), r, rs);
      else if (order->state == POS_PICKUP_READY_FOR_PICKUP || order->state == POS_PICKUP_PARTIALLY_PICKED_UP)
        v = g_strdup_printf (_("%s (waiting %s)"), r, rs);
      else
        v = g_strdup (r);
      gtk_list_box_append (self->facts_list, fact_row (_("Ready"), v));
    }
  if (order->shelf_location != NULL && *order->shelf_location != '\0')
    gtk_list_box_append (self->facts_list, fact_row (_("Shelf"), order->shelf_location));
  if (order->notes != NULL && *order->notes != '\0')
    gtk_list_box_append (self->facts_list, fact_row (_("Customer's note"), order->notes));
  if (order->exception_note != NULL && *order->exception_note != '\0')
    gtk_list_box_append (self->facts_list, fact_row (_("Problem reported"), order->exception_note));
  if (order->last_move != NULL && *order->last_move != '\0')
    gtk_list_box_append (self->facts_list, fact_row (_("Last change"), order->last_move));

  /* The lines. */
  clear_list_box (self->lines_list);
  for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
    {
      const PosPickupLine *line = g_ptr_array_index (order->lines, i);
      g_autofree char *status = line_status (order, line);
      g_autofree char *qty = pos_pickup_format_quantity (line->quantity);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *q = gtk_label_new (qty);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->name != NULL ? line->name : line->sku);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), status);
      gtk_widget_add_css_class (q, "pickup-qty");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), q);
      if (line->missing_quantity > 0 || line->refunded_quantity > 0)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
      else if (line->collected_quantity >= line->quantity ||
               (order->state == POS_PICKUP_PICKING && line->picked_quantity >= line->quantity))
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("object-select-symbolic"));
      gtk_list_box_append (self->lines_list, row);
    }

  pickups_update_actions (self);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
}

static void
pickups_update_actions (PosPickupsPage *self)
{
  const PosPickupOrder *o = self->order;
  gboolean have = o != NULL;
  gboolean new_or_picking = have && (o->state == POS_PICKUP_PLACED || o->state == POS_PICKUP_ALLOCATED ||
                                     o->state == POS_PICKUP_PICKING);
  gboolean handed = have && (o->state == POS_PICKUP_PICKED_UP || o->state == POS_PICKUP_PARTIALLY_PICKED_UP);
  gboolean can_hand = have && (o->state == POS_PICKUP_READY_FOR_PICKUP || o->state == POS_PICKUP_PARTIALLY_PICKED_UP);
  gboolean can_cancel = have && ((o->state == POS_PICKUP_READY_FOR_PICKUP && o->expired) ||
                                 o->state == POS_PICKUP_NO_SHOW || o->state == POS_PICKUP_EXPIRED);
  struct { const char *action; GtkWidget *button; gboolean enabled; } acts[] = {
    { "pickups.pick",         GTK_WIDGET (self->pick_button),      new_or_picking },
    { "pickups.print",        GTK_WIDGET (self->print_button),     new_or_picking || handed },
    { "pickups.hand-over",    GTK_WIDGET (self->hand_over_button), can_hand },
    { "pickups.no-show",      GTK_WIDGET (self->no_show_button),   have && o->state == POS_PICKUP_READY_FOR_PICKUP },
    { "pickups.cancel-order", GTK_WIDGET (self->cancel_button),    can_cancel },
    { "pickups.dismiss",      GTK_WIDGET (self->dismiss_button),   have && o->incident != NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (acts); i++)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), acts[i].action, acts[i].enabled);
      gtk_widget_set_visible (acts[i].button, acts[i].enabled);
    }
  ensure_focus (self);
  if (!have)
    return;
  gtk_button_set_label (self->pick_button, o->state == POS_PICKUP_PICKING ? _("Continue _Picking") : _("_Start Picking"));
  gtk_button_set_label (self->print_button, handed ? _("_Print Pickup Receipt") : _("_Print Picking List"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->print_button),
                               handed ? _("Print the pickup receipt again, with the signature line (Ctrl+P)")
                                      : _("Print this order's picking list (Ctrl+P)"));
  gtk_button_set_label (self->hand_over_button,
                        o->paid ? _("_Hand Over…") : _("_Hand Over and Take Payment…"));
}

static void
on_selection_changed (PosPickupsPage *self)
{
  PosPickupItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (item == NULL)
    return;
  if (self->order != NULL && g_strcmp0 (self->order->id, item->order->id) == 0)
    return;
  pickups_load_detail (self, item->order->id);
}

static void
on_list_activate (PosPickupsPage *self,
                  guint           position)
{
  g_autoptr(PosPickupItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item == NULL)
    return;
  gtk_single_selection_set_selected (self->selection, position);
  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
}

static void
on_leaflet_folded (PosPickupsPage *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), folded);
  gtk_widget_set_visible (GTK_WIDGET (self->groups_button), folded);
}

/* ------------------------------------------------------------------ */
/* Search */

static void
on_search_changed (PosPickupsPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* a QR code typed or scanned into the search is handled on Enter */
  if (g_str_has_prefix (text, "BALCAO:"))
    return;
  if (*text == '\0')
    {
      guint view = self->view == VIEW_SEARCH ? self->last_group : self->view;

      self->view = G_MAXUINT;
      select_view (self, view);
      return;
    }
  self->view = VIEW_SEARCH;
  gtk_list_box_unselect_all (self->group_list);
  pickups_load_list (self);
}

static void
on_search_activate (PosPickupsPage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  if (g_str_has_prefix (text, "BALCAO:PICKUP:"))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      pos_pickups_page_open_code (self, text);
      return;
    }
  /* the results of what was typed may not be here yet: the first of them
   * is shown when they arrive */
  if (*text != '\0')
    {
      self->select_first = TRUE;
      self->view = VIEW_SEARCH;
      gtk_list_box_unselect_all (self->group_list);
      pickups_load_list (self);
      return;
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    {
      if (gtk_single_selection_get_selected (self->selection) == GTK_INVALID_LIST_POSITION)
        gtk_single_selection_set_selected (self->selection, 0);
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
}

static void
on_search_stop (PosPickupsPage *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* ------------------------------------------------------------------ */
/* Printing */

static void
print_order_doc (PosPickupsPage       *self,
                 const PosPickupOrder *order,
                 gboolean              receipt)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  PosReceiptPrinting *printing = POS_IS_WINDOW (root) ? pos_window_get_receipt_printing (POS_WINDOW (root)) : NULL;

  if (printing == NULL || !pos_receipt_printing_is_configured (printing))
    {
      page_toast (self, _("No receipt printer is set: choose one in Preferences › Printer to print it."));
      return;
    }
  if (receipt)
    pos_pickup_printing_print_receipt (GTK_WIDGET (self), self->db, order->id);
  else
    {
      const char *ids[] = { order->id, NULL };

      pos_pickup_printing_print_picking_lists (GTK_WIDGET (self), self->db, ids);
    }
}

/* ------------------------------------------------------------------ */
/* Picking */

static void
on_picking_changed (PosPickingDialog *dialog,
                    const char       *order_id,
                    PosPickupsPage   *self)
{
  follow (self, order_id);
  pos_pickups_page_reload (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
}

static void
on_picking_print (PosPickingDialog *dialog,
                  const char       *order_id,
                  PosPickupsPage   *self)
{
  const PosPickupOrder *order = pos_picking_dialog_get_order (dialog);

  if (order != NULL)
    print_order_doc (self, order, FALSE);
}

static void
on_picking_finished (PosPickingDialog *dialog,
                     const char       *message,
                     PosPickupsPage   *self)
{
  if (message != NULL)
    page_toast (self, message);
}

static void
open_picking (PosPickupsPage *self,
              PosPickupOrder *order)
{
  PosPickingDialog *dialog;

  if (self->picking_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->picking_dialog));
  dialog = pos_picking_dialog_new (page_window (self), self->db, order);
  g_signal_connect_object (dialog, "changed", G_CALLBACK (on_picking_changed), self, 0);
  g_signal_connect_object (dialog, "print", G_CALLBACK (on_picking_print), self, 0);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (on_picking_finished), self, 0);
  self->picking_dialog = GTK_WIDGET (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->picking_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  char   *order_id;
  gint64  version;
} StartData;

static void
start_data_free (StartData *d)
{
  g_free (d->order_id);
  g_free (d);
}

static gboolean
start_op (PosDatabase *db, gpointer data, GError **error)
{
  StartData *d = data;

  return pos_pickups_start_picking (db, d->order_id, d->version, error);
}

static void
on_picking_started (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PosPickupOrder *order = pos_pickup_op_run_finish (result, &error);
  PosPickupsPage *self = user_data;

  if (order == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (order == NULL)
    {
      page_toast (self, error->message);
      pos_pickups_page_reload (self);
      return;
    }
  pos_pickups_page_reload (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
  open_picking (self, order);
}

static void
action_pick (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  StartData *d;

  if (self->order == NULL)
    return;
  d = g_new0 (StartData, 1);
  d->order_id = g_strdup (self->order->id);
  d->version = self->order->version;
  /* Being picked already (here or on another terminal): carry on. */
  pos_pickup_op_run_async (self->db, d->order_id,
                           self->order->state == POS_PICKUP_PICKING ? NULL : start_op,
                           d, (GDestroyNotify) start_data_free, self->cancellable, on_picking_started, self);
}

static void
action_print (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  gboolean handed;

  if (self->order == NULL)
    return;
  handed = self->order->state == POS_PICKUP_PICKED_UP || self->order->state == POS_PICKUP_PARTIALLY_PICKED_UP;
  print_order_doc (self, self->order, handed);
}

static void print_all (PosPickupsPage *self);

static void
on_print_all_confirmed (AdwMessageDialog *dialog,
                        const char       *response,
                        PosPickupsPage   *self)
{
  if (g_strcmp0 (response, "print") == 0)
    print_all (self);
}

/* Many orders make a long strip of paper: ask first. */
#define PRINT_ALL_ASK_ABOVE 10

static void
action_print_all (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->view != POS_PICKUP_GROUP_NEW || n <= PRINT_ALL_ASK_ABOVE)
    {
      print_all (self);
      return;
    }
  heading = g_strdup_printf (_("Print %u Picking Lists?"), n);
  dialog = adw_message_dialog_new (page_window (self), heading,
                                   _("Every new order's picking list, one after the other, on the receipt printer."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Back"),
                                    "print", _("_Print All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "print", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "print");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_print_all_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
print_all (PosPickupsPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  PosReceiptPrinting *printing = POS_IS_WINDOW (root) ? pos_window_get_receipt_printing (POS_WINDOW (root)) : NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autofree char *text = NULL;
  guint n;

  if (self->view != POS_PICKUP_GROUP_NEW)
    {
      select_view (self, POS_PICKUP_GROUP_NEW);
      page_toast (self, _("These are the new orders: print their picking lists again to confirm (Ctrl+Shift+P)."));
      return;
    }
  if (printing == NULL || !pos_receipt_printing_is_configured (printing))
    {
      page_toast (self, _("No receipt printer is set: choose one in Preferences › Printer to print it."));
      return;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  for (guint i = 0; i < n; i++)
    {
      PosPickupItem *item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      g_ptr_array_add (ids, item->order->id);
      g_object_unref (item);   /* the store keeps it */
    }
  g_ptr_array_add (ids, NULL);
  if (n == 0)
    return;
  pos_pickup_printing_print_picking_lists (widget, self->db, (const char * const *) ids->pdata);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Printing the picking list of %u new order.",
                                       "Printing the picking lists of %u new orders.", n), n);
  page_toast (self, text);
}

/* ------------------------------------------------------------------ */
/* Handover */

static void
on_handed_over (PosHandoverDialog *dialog,
                const char        *order_id,
                const char        *message,
                PosPickupsPage    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  PosReceiptPrinting *printing = POS_IS_WINDOW (root) ? pos_window_get_receipt_printing (POS_WINDOW (root)) : NULL;

  page_toast (self, message);
  if (printing != NULL && pos_receipt_printing_is_configured (printing))
    pos_pickup_printing_print_receipt (GTK_WIDGET (self), self->db, order_id);
  follow (self, order_id);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
  pos_pickups_page_reload (self);
}

/* An order to be paid at the counter: its lines go to the sale's cart,
 * which must be empty; the sale's payment finishes the handover. */
static gboolean
fill_cart (PosPickupsPage    *self,
           PosHandoverDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  PosPickupHandover handover;
  PosCart *cart;
  const PosPickupOrder *order = pos_handover_dialog_get_order (dialog);
  g_autofree char *text = NULL;

  if (self->sale_page == NULL)
    return FALSE;
  cart = pos_sale_page_get_cart (POS_SALE_PAGE (self->sale_page));
  if (!pos_handover_dialog_get_handover (dialog, &handover, &error) ||
      !pos_pickups_fill_cart (self->db, &handover, cart, &error))
    {
      pos_handover_dialog_show_error (dialog, error->message);
      return FALSE;
    }
  g_free (self->cart_order_id);
  self->cart_order_id = g_strdup (order->id);
  /* Translators: after an order to be paid in store went to the sale */
  text = g_strdup_printf (_("Order %s is in the sale: take the payment (F12). Other items can be added to the same sale."),
                          order->number);
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  page_toast (self, text);
  return TRUE;
}

static void
on_park_response (AdwMessageDialog  *message,
                  const char        *response,
                  PosHandoverDialog *dialog)
{
  PosPickupsPage *self = g_object_get_data (G_OBJECT (message), "page");
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *parked = NULL;
  const PosPickupOrder *order = pos_handover_dialog_get_order (dialog);

  if (g_strcmp0 (response, "park") != 0 || self == NULL || self->sale_page == NULL)
    return;
  /* Translators: the label of the sale parked to take a pickup order's payment */
  label = g_strdup_printf (_("Parked for pickup order %s"), order->number);
  parked = pos_sale_page_park_for_lock (POS_SALE_PAGE (self->sale_page), label, &error);
  if (parked == NULL && error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The sale in progress could not be parked: %s"), error->message);

      pos_handover_dialog_show_error (dialog, text);
      return;
    }
  fill_cart (self, dialog);
}

static void
on_take_payment (PosHandoverDialog *dialog,
                 PosPickupsPage    *self)
{
  PosCart *cart;
  GtkWidget *message;

  if (self->sale_page == NULL)
    {
      pos_handover_dialog_show_error (dialog, _("There is no sale on this screen to take the payment in."));
      return;
    }
  cart = pos_sale_page_get_cart (POS_SALE_PAGE (self->sale_page));
  if (pos_cart_is_empty (cart))
    {
      fill_cart (self, dialog);
      return;
    }
  message = adw_message_dialog_new (GTK_WINDOW (dialog), _("A Sale Is in Progress"),
                                    _("The order's payment is taken as a sale of its own. Park the sale in progress first: it waits under Resume (F9) and nothing in it is lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message),
                                    "cancel", _("_Back"),
                                    "park", _("_Park It and Continue"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message), "park", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (message), "park");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message), "cancel");
  g_object_set_data (G_OBJECT (message), "page", self);
  g_signal_connect_object (message, "response", G_CALLBACK (on_park_response), dialog, 0);
  gtk_window_present (GTK_WINDOW (message));
}

/* Why an order can't be handed over now, in words; NULL when it can. */
static char *
why_not_hand_over (const PosPickupOrder *o)
{
  switch (o->state)
    {
    case POS_PICKUP_PLACED:
    case POS_PICKUP_ALLOCATED:
      return g_strdup_printf (_("Order %s has not been picked yet: start picking it, then hand it over."), o->number);
    case POS_PICKUP_PICKING:
      return g_strdup_printf (_("Order %s is still being picked: mark it ready first."), o->number);
    case POS_PICKUP_ON_HOLD:
      return g_strdup_printf (_("Order %s is on hold while the central decides about a missing item: it can't be handed over yet."), o->number);
    case POS_PICKUP_PICKED_UP:
      if (o->last_move != NULL)
        /* Translators: the second %s says who handed it over when: "Handed over at 14:05 by Terminal 2 (Ana)" */
        return g_strdup_printf (_("Order %s was already handed over. %s"), o->number, o->last_move);
      return g_strdup_printf (_("Order %s was already handed over."), o->number);
    case POS_PICKUP_NO_SHOW:
    case POS_PICKUP_EXPIRED:
    case POS_PICKUP_CANCELLED:
      return g_strdup_printf (_("Order %s was cancelled: it can't be handed over."), o->number);
    case POS_PICKUP_READY_FOR_PICKUP:
    case POS_PICKUP_PARTIALLY_PICKED_UP:
    case POS_PICKUP_N_STATES:
    default:
      return NULL;
    }
}

static void
open_handover (PosPickupsPage *self,
               PosPickupOrder *order,
               const char     *code)
{
  PosHandoverDialog *dialog;
  g_autofree char *why = why_not_hand_over (order);

  if (why != NULL)
    {
      page_toast (self, why);
      gtk_widget_error_bell (GTK_WIDGET (self));
      pos_pickup_order_free (order);
      return;
    }
  if (self->handover_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->handover_dialog));
  dialog = pos_handover_dialog_new (page_window (self), self->db, self->sync, order, code);
  g_signal_connect_object (dialog, "handed-over", G_CALLBACK (on_handed_over), self, 0);
  g_signal_connect_object (dialog, "take-payment", G_CALLBACK (on_take_payment), self, 0);
  self->handover_dialog = GTK_WIDGET (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->handover_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_handover_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PosPickupOrder *order = pos_pickup_op_run_finish (result, &error);
  PosPickupsPage *self = user_data;

  if (order == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (order == NULL)
    {
      page_toast (self, error->message);
      return;
    }
  open_handover (self, order, NULL);
}

static void
action_hand_over (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);

  if (self->order == NULL)
    return;
  pos_pickup_op_run_async (self->db, self->order->id, NULL, NULL, NULL, self->cancellable, on_handover_loaded, self);
}

/* The QR code: the order shown (in its group) and its handover opened. */
void
pos_pickups_page_open_code (PosPickupsPage *self,
                            const char     *qr_or_number)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  g_autofree char *text = NULL;
  PosPickupOrder *order;

  g_return_if_fail (POS_IS_PICKUPS_PAGE (self));
  g_return_if_fail (qr_or_number != NULL);

  text = g_strstrip (g_strdup (qr_or_number));
  if (g_ascii_strncasecmp (text, "BALCAO:PICKUP:", 14) == 0)
    {
      if (!pos_pickups_parse_qr (text, &number, &code))
        {
          page_toast (self, _("This pickup code can't be read. Ask the customer for the order number and find it in the search."));
          gtk_widget_error_bell (GTK_WIDGET (self));
          return;
        }
    }
  else
    number = g_strdup (text);

  /* one indexed read of one order, as History does for a receipt code */
  order = pos_pickups_get (self->db, number, &error);
  if (order == NULL)
    {
      page_toast (self, error->message);
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }

  /* show it where it is */
  g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_free (self->pending_select);
  self->pending_select = g_strdup (order->id);
  self->chose_view = TRUE;
  if (self->view == order->group)
    pickups_load_list (self);
  else
    select_view (self, order->group);
  pickups_load_detail (self, order->id);
  adw_leaflet_set_visible_child_name (self->leaflet, "detail");
  open_handover (self, order, code);
}

void
pos_pickups_page_sale_committed (PosPickupsPage *self,
                                 const char     *sale_id)
{
  g_autoptr(PosPickupOrder) order = NULL;

  g_return_if_fail (POS_IS_PICKUPS_PAGE (self));

  if (self->cart_order_id == NULL)
    return;
  order = pos_pickups_get (self->db, self->cart_order_id, NULL);
  if (order != NULL && pos_pickup_is_handover (order->state))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      PosReceiptPrinting *printing = POS_IS_WINDOW (root) ? pos_window_get_receipt_printing (POS_WINDOW (root)) : NULL;

      if (printing != NULL && pos_receipt_printing_is_configured (printing))
        pos_pickup_printing_print_receipt (GTK_WIDGET (self), self->db, order->id);
      g_clear_pointer (&self->cart_order_id, g_free);
      follow (self, order->id);
    }
  pos_pickups_page_reload (self);
}

/* ------------------------------------------------------------------ */
/* No-show, cancel, incidents */

typedef struct {
  char   *order_id;
  char   *number;
  gint64  version;
  char   *approval_id;
} MoveData;

static void
move_data_free (MoveData *d)
{
  g_free (d->order_id);
  g_free (d->number);
  g_free (d->approval_id);
  g_free (d);
}

static MoveData *
move_data_new (const PosPickupOrder *order)
{
  MoveData *d = g_new0 (MoveData, 1);

  d->order_id = g_strdup (order->id);
  d->number = g_strdup (order->number);
  d->version = order->version;
  return d;
}

static gboolean
no_show_op (PosDatabase *db, gpointer data, GError **error)
{
  MoveData *d = data;

  return pos_pickups_mark_no_show (db, d->order_id, d->version, error);
}

static gboolean
cancel_op (PosDatabase *db, gpointer data, GError **error)
{
  MoveData *d = data;

  return pos_pickups_cancel (db, d->order_id, d->version, d->approval_id, error);
}

static gboolean
dismiss_op (PosDatabase *db, gpointer data, GError **error)
{
  MoveData *d = data;

  return pos_pickups_dismiss_incident (db, d->order_id, error);
}

typedef enum {
  MOVE_NO_SHOW,
  MOVE_CANCEL,
  MOVE_DISMISS,
} Move;

typedef struct {
  PosPickupsPage *self;   /* not a reference: the task is cancelled at dispose */
  Move            move;
} MoveReply;

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree MoveReply *reply = user_data;
  PosPickupOrder *order = pos_pickup_op_run_finish (result, &error);
  PosPickupsPage *self;

  if (order == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = reply->self;
  if (order == NULL)
    page_toast (self, error->message);
  else
    {
      g_autofree char *text = NULL;

      follow (self, order->id);
      switch (reply->move)
        {
        case MOVE_NO_SHOW:
          text = g_strdup_printf (_("Order %s marked as a no-show. A manager cancels it from “To cancel”."), order->number);
          break;
        case MOVE_CANCEL:
          text = g_strdup_printf (_("Order %s cancelled: its stock is released."), order->number);
          break;
        case MOVE_DISMISS:
        default:
          text = g_strdup_printf (_("The incident of order %s is dismissed."), order->number);
          break;
        }

      page_toast (self, text);
      pos_pickup_order_free (order);
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
  pos_pickups_page_reload (self);
}

static void
run_move (PosPickupsPage  *self,
          PosPickupOpFunc  func,
          MoveData        *d,
          Move             move)
{
  MoveReply *reply = g_new0 (MoveReply, 1);

  reply->self = self;
  reply->move = move;
  pos_pickup_op_run_async (self->db, d->order_id, func, d, (GDestroyNotify) move_data_free,
                           self->cancellable, on_moved, reply);
}

static void
on_no_show_confirmed (AdwMessageDialog *dialog,
                      const char       *response,
                      PosPickupsPage   *self)
{
  if (g_strcmp0 (response, "no-show") != 0 || self->order == NULL)
    return;
  run_move (self, no_show_op, move_data_new (self->order), MOVE_NO_SHOW);
}

static void
action_no_show (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->order == NULL)
    return;
  heading = g_strdup_printf (_("Mark order %s as a no-show?"), self->order->number);
  dialog = adw_message_dialog_new (page_window (self), heading,
                                   _("The customer did not come to collect it. The order leaves the shelf list and waits for a manager to cancel it, which releases its stock."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep It Ready"),
                                    "no-show", _("_Mark No-Show"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "no-show", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_no_show_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_cancel_approved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PosPickupsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;
  MoveData *d = g_object_steal_data (G_OBJECT (self), "pos-cancel");

  if (d == NULL)
    return;
  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        page_toast (self, error->message);
      move_data_free (d);
      return;
    }
  d->approval_id = g_steal_pointer (&approval);
  run_move (self, cancel_op, d, MOVE_CANCEL);
}

static void
on_cancel_confirmed (AdwMessageDialog *dialog,
                     const char       *response,
                     PosPickupsPage   *self)
{
  g_autofree char *what = NULL;
  MoveData *d;

  if (g_strcmp0 (response, "cancel-order") != 0 || self->order == NULL)
    return;
  d = move_data_new (self->order);
  /* Translators: what a manager approves */
  what = g_strdup_printf (_("Cancelling pickup order %s"), self->order->number);
  g_object_set_data_full (G_OBJECT (self), "pos-cancel", d, (GDestroyNotify) move_data_free);
  pos_approval_dialog_ask_async (page_window (self), self->db, POS_PERMISSION_VOID_SALE, what,
                                 self->cancellable, on_cancel_approved, g_object_ref (self));
}

static void
action_cancel_order (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *total = NULL;
  GtkWidget *dialog;

  if (self->order == NULL)
    return;
  heading = g_strdup_printf (_("Cancel order %s?"), self->order->number);
  total = pos_format_money (self->order->total, self->order->currency != NULL ? self->order->currency : "BRL");
  body = self->order->paid
    ? g_strdup_printf (_("The customer did not collect it. Its items go back to stock, and the central refunds the %s paid online."), total)
    : g_strdup (_("The customer did not collect it. Its items go back to stock."));
  dialog = adw_message_dialog_new (page_window (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep the Order"),
                                    "cancel-order", _("_Cancel Order"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-order", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_dismiss (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);

  if (self->order == NULL || self->order->incident == NULL)
    return;
  run_move (self, dismiss_op, move_data_new (self->order), MOVE_DISMISS);
}

/* ------------------------------------------------------------------ */
/* Other actions */

static void
action_search (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
action_reload (GtkWidget *widget, const char *name, GVariant *param)
{
  pos_pickups_page_reload (POS_PICKUPS_PAGE (widget));
}

static void
action_group (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  guint view = g_variant_get_uint32 (param);

  if (view >= N_VIEWS)
    return;
  self->chose_view = TRUE;
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    {
      g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      self->view = G_MAXUINT;
    }
  select_view (self, view);
  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
action_back (GtkWidget *widget, const char *name, GVariant *param)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);
  const char *visible = adw_leaflet_get_visible_child_name (self->leaflet);

  if (adw_leaflet_get_folded (self->leaflet))
    {
      if (g_strcmp0 (visible, "detail") == 0)
        {
          adw_leaflet_set_visible_child_name (self->leaflet, "list");
          gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
        }
      else if (g_strcmp0 (visible, "list") == 0)
        adw_leaflet_set_visible_child_name (self->leaflet, "groups");
      return;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

/* ------------------------------------------------------------------ */

static void
pickups_css_ensure (void)
{
  static gboolean loaded = FALSE;
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded || display == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/br/balcao/Balcao/pickups.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION - 1);
}

static void
pos_pickups_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BADGE_NUMBER:
      g_value_set_uint (value, self->badge_number);
      break;
    case PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, self->needs_attention);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
close_dialogs (PosPickupsPage *self)
{
  if (self->picking_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->picking_dialog), (gpointer *) &self->picking_dialog);
      gtk_window_destroy (GTK_WINDOW (self->picking_dialog));
      self->picking_dialog = NULL;
    }
  if (self->handover_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->handover_dialog), (gpointer *) &self->handover_dialog);
      gtk_window_destroy (GTK_WINDOW (self->handover_dialog));
      self->handover_dialog = NULL;
    }
}

/* The page goes away (the screen locks, after the idle time too): nobody
 * hands an order over from a dialog left open over the lock. */
static void
pos_pickups_page_unmap (GtkWidget *widget)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (widget);

  close_dialogs (self);
  GTK_WIDGET_CLASS (pos_pickups_page_parent_class)->unmap (widget);
}

static void
add_shortcut (PosPickupsPage  *self,
              guint            key,
              GdkModifierType  mods,
              const char      *action,
              GVariant        *param)
{
  GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (key, mods), gtk_named_action_new (action));

  if (param != NULL)
    gtk_shortcut_set_arguments (shortcut, param);
  gtk_shortcut_controller_add_shortcut (self->shortcuts, shortcut);
}

static void
build_shortcuts (PosPickupsPage *self)
{
  /* global: the page's keys work wherever the focus is in the window (an
   * emptied list takes the focus away); GTK runs a controller's shortcuts
   * only while its widget is mapped, so not on the other pages */
  self->shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_set_scope (self->shortcuts, GTK_SHORTCUT_SCOPE_GLOBAL);
  add_shortcut (self, GDK_KEY_f, GDK_CONTROL_MASK, "pickups.search", NULL);
  add_shortcut (self, GDK_KEY_F5, 0, "pickups.reload", NULL);
  add_shortcut (self, GDK_KEY_k, GDK_CONTROL_MASK, "pickups.pick", NULL);
  add_shortcut (self, GDK_KEY_Return, GDK_CONTROL_MASK, "pickups.hand-over", NULL);
  add_shortcut (self, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "pickups.hand-over", NULL);
  add_shortcut (self, GDK_KEY_p, GDK_CONTROL_MASK, "pickups.print", NULL);
  add_shortcut (self, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "pickups.print-all", NULL);
  add_shortcut (self, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "pickups.no-show", NULL);
  add_shortcut (self, GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "pickups.cancel-order", NULL);
  add_shortcut (self, GDK_KEY_d, GDK_CONTROL_MASK, "pickups.dismiss", NULL);
  for (guint v = 0; v < N_VIEWS; v++)
    add_shortcut (self, GDK_KEY_0 + (v + 1) % 10, GDK_ALT_MASK, "pickups.group", g_variant_new_uint32 (v));
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->shortcuts));
}

static void
pos_pickups_page_dispose (GObject *object)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (object);

  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->counts_cancellable);
  g_cancellable_cancel (self->detail_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  close_dialogs (self);
  if (self->sale_page != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->sale_page), (gpointer *) &self->sale_page);
      self->sale_page = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_PICKUPS_PAGE);

  G_OBJECT_CLASS (pos_pickups_page_parent_class)->dispose (object);
}

static void
pos_pickups_page_finalize (GObject *object)
{
  PosPickupsPage *self = POS_PICKUPS_PAGE (object);

  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->counts_cancellable);
  g_clear_object (&self->detail_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->sync);
  g_clear_object (&self->db);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->order, pos_pickup_order_free);
  g_clear_pointer (&self->pending_select, g_free);
  g_clear_pointer (&self->cart_order_id, g_free);
  g_clear_pointer (&self->follow_id, g_free);

  G_OBJECT_CLASS (pos_pickups_page_parent_class)->finalize (object);
}

static void
pos_pickups_page_class_init (PosPickupsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pos_pickups_page_get_property;
  object_class->dispose = pos_pickups_page_dispose;
  object_class->finalize = pos_pickups_page_finalize;
  widget_class->unmap = pos_pickups_page_unmap;

  properties[PROP_BADGE_NUMBER] =
    g_param_spec_uint ("badge-number", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NEEDS_ATTENTION] =
    g_param_spec_boolean ("needs-attention", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-pickups-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, group_list);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, groups_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, list_title);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, print_all_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, list_spinner);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, detail_state);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, detail_total);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, detail_alert);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, facts_list);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, lines_list);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, actions_box);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, no_show_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, dismiss_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, pick_button);
  gtk_widget_class_bind_template_child (widget_class, PosPickupsPage, hand_over_button);
  gtk_widget_class_bind_template_callback (widget_class, on_group_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_group_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_folded);

  gtk_widget_class_install_action (widget_class, "pickups.search", NULL, action_search);
  gtk_widget_class_install_action (widget_class, "pickups.reload", NULL, action_reload);
  gtk_widget_class_install_action (widget_class, "pickups.pick", NULL, action_pick);
  gtk_widget_class_install_action (widget_class, "pickups.hand-over", NULL, action_hand_over);
  gtk_widget_class_install_action (widget_class, "pickups.print", NULL, action_print);
  gtk_widget_class_install_action (widget_class, "pickups.print-all", NULL, action_print_all);
  gtk_widget_class_install_action (widget_class, "pickups.no-show", NULL, action_no_show);
  gtk_widget_class_install_action (widget_class, "pickups.cancel-order", NULL, action_cancel_order);
  gtk_widget_class_install_action (widget_class, "pickups.dismiss", NULL, action_dismiss);
  gtk_widget_class_install_action (widget_class, "pickups.group", "u", action_group);
  gtk_widget_class_install_action (widget_class, "pickups.back", NULL, action_back);

  /* Escape stays the focused entry's first (clearing the search); the
   * page's other keys are in build_shortcuts () */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "pickups.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "pickups.back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pickupspage");

  pickups_css_ensure ();
}

static void
pos_pickups_page_init (PosPickupsPage *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  self->store = g_list_store_new (POS_TYPE_PICKUP_ITEM);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_selection_changed), self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), self);
  gtk_list_view_set_factory (self->list_view, factory);

  build_group_rows (self);
  build_shortcuts (self);
  self->view = POS_PICKUP_GROUP_NEW;
  self->loaded_view = G_MAXUINT;
  gtk_list_box_select_row (self->group_list, GTK_LIST_BOX_ROW (self->group_rows[POS_PICKUP_GROUP_NEW]));
  self->chose_view = FALSE;

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  on_leaflet_folded (self);
  pickups_update_actions (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pickups.print-all", FALSE);
}

GtkWidget *
pos_pickups_page_new (PosDatabase   *db,
                      PosSyncEngine *sync,
                      GtkWidget     *sale_page)
{
  PosPickupsPage *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sync == NULL || POS_IS_SYNC_ENGINE (sync), NULL);

  self = g_object_new (POS_TYPE_PICKUPS_PAGE, NULL);
  self->db = g_object_ref (db);
  self->sync = sync != NULL ? g_object_ref (sync) : NULL;
  if (sale_page != NULL)
    {
      self->sale_page = sale_page;
      g_object_add_weak_pointer (G_OBJECT (sale_page), (gpointer *) &self->sale_page);
    }
  pickups_load_counts (self, FALSE);
  pickups_load_list (self);
  self->tick_id = g_timeout_add_seconds (TICK_SECONDS, on_tick, self);
  return GTK_WIDGET (self);
}

guint
pos_pickups_page_get_badge_number (PosPickupsPage *self)
{
  g_return_val_if_fail (POS_IS_PICKUPS_PAGE (self), 0);
  return self->badge_number;
}

gboolean
pos_pickups_page_get_needs_attention (PosPickupsPage *self)
{
  g_return_val_if_fail (POS_IS_PICKUPS_PAGE (self), FALSE);
  return self->needs_attention;
}
