/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "terminal/pos-catalog.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-sync-client.h"

#include "pos-customer-editor.h"
#include "pos-customer-profile.h"
#include "pos-customers-page.h"
#include "pos-format.h"
#include "pos-sale-page.h"
#include "pos-window.h"

/* Results come a page at a time: the first as the clerk types, the next
 * ones on "Show More Results". */
#define PAGE_SIZE 50

/* ------------------------------------------------------------------ */
/* One result: a PosCustomerSummary in a GObject. */

#define POS_TYPE_CUSTOMER_RESULT (pos_customer_result_get_type ())
G_DECLARE_FINAL_TYPE (PosCustomerResult, pos_customer_result, POS, CUSTOMER_RESULT, GObject)

struct _PosCustomerResult
{
  GObject             parent_instance;
  PosCustomerSummary *summary;
  gboolean            from_central;
};

G_DEFINE_FINAL_TYPE (PosCustomerResult, pos_customer_result, G_TYPE_OBJECT)

static void
pos_customer_result_finalize (GObject *object)
{
  g_clear_pointer (&POS_CUSTOMER_RESULT (object)->summary, pos_customer_summary_free);
  G_OBJECT_CLASS (pos_customer_result_parent_class)->finalize (object);
}

static void
pos_customer_result_class_init (PosCustomerResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_customer_result_finalize;
}

static void
pos_customer_result_init (PosCustomerResult *self)
{
}

/* ------------------------------------------------------------------ */

struct _PosCustomersPage
{
  GtkWidget              parent_instance;

  PosDatabase           *db;
  PosSyncEngine         *sync;
  GtkWidget             *sale_page;        /* weak */
  GListStore            *results;
  GtkSingleSelection    *selection;
  GCancellable          *search_cancellable;
  GCancellable          *cancellable;      /* the editor; cancelled at dispose */
  char                  *query;            /* whose results are listed */
  gboolean               has_more;
  gboolean               searching;        /* a search is in flight */
  gboolean               open_first;       /* Enter before the results came */
  GtkShortcutController *shortcuts;

  /* template */
  GtkStack              *stack;
  GtkSearchEntry        *search_entry;
  GtkButton             *new_button;
  GtkLabel              *status_label;
  GtkStack              *results_stack;
  GtkListView           *list_view;
  GtkButton             *more_button;
  AdwStatusPage         *empty_page;
  GtkSpinner            *spinner;
  GtkLabel              *loading_label;
  PosCustomerProfileView *profile;
};

G_DEFINE_FINAL_TYPE (PosCustomersPage, pos_customers_page, GTK_TYPE_WIDGET)

static void run_search (PosCustomersPage *self, guint offset, gboolean central);

/* ------------------------------------------------------------------ */
/* Helpers */

static void
page_toast (PosCustomersPage *self,
            AdwToast         *toast)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (POS_IS_WINDOW (root))
    pos_window_show_toast (POS_WINDOW (root), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (toast);
    }
}

static GtkWindow *
page_window (PosCustomersPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* Whether the central can be asked now: enrolled and not known to be
 * unreachable. */
typedef enum {
  CENTRAL_NONE,      /* not enrolled (or revoked): nobody to ask */
  CENTRAL_OFFLINE,
  CENTRAL_ONLINE,
} CentralState;

static CentralState
central_state (PosCustomersPage *self)
{
  if (self->sync == NULL)
    return CENTRAL_NONE;
  switch (pos_sync_engine_get_state (self->sync))
    {
    case POS_SYNC_STATE_ONLINE:
    case POS_SYNC_STATE_SYNCING:
      return CENTRAL_ONLINE;
    case POS_SYNC_STATE_OFFLINE:
      return CENTRAL_OFFLINE;
    case POS_SYNC_STATE_NOT_ENROLLED:
    case POS_SYNC_STATE_REVOKED:
    default:
      return CENTRAL_NONE;
    }
}

static gboolean
is_shown (PosCustomersPage *self,
          const char       *name)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), name) == 0;
}

/* ------------------------------------------------------------------ */
/* Rows */

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           PosCustomersPage         *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *avatar = adw_avatar_new (40, NULL, TRUE);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);
  GtkWidget *figures = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *points = gtk_label_new (NULL);
  GtkWidget *credit = gtk_label_new (NULL);

  gtk_widget_add_css_class (row, "customer-row");
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "numeric");
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), detail);

  gtk_widget_set_valign (figures, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (points), 1);
  gtk_label_set_xalign (GTK_LABEL (credit), 1);
  gtk_widget_add_css_class (points, "numeric");
  gtk_widget_add_css_class (credit, "numeric");
  gtk_widget_add_css_class (credit, "caption");
  gtk_box_append (GTK_BOX (figures), points);
  gtk_box_append (GTK_BOX (figures), credit);

  gtk_box_append (GTK_BOX (row), avatar);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_box_append (GTK_BOX (row), figures);
  g_object_set_data (G_OBJECT (row), "avatar", avatar);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "detail", detail);
  g_object_set_data (G_OBJECT (row), "points", points);
  g_object_set_data (G_OBJECT (row), "credit", credit);
  gtk_list_item_set_child (item, row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          PosCustomersPage         *self)
{
  PosCustomerResult *result = gtk_list_item_get_item (item);
  const PosCustomerSummary *c = result->summary;
  GtkWidget *row = gtk_list_item_get_child (item);
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *points = NULL;
  g_autofree char *a11y = NULL;

  adw_avatar_set_text (g_object_get_data (G_OBJECT (row), "avatar"), c->name);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "name"), c->name);

  if (c->cpf_masked != NULL)
    /* Translators: a masked CPF in a search result, "CPF ***.456.789-**" */
    g_string_append_printf (detail, _("CPF %s"), c->cpf_masked);
  if (c->phone_masked != NULL)
    g_string_append_printf (detail, "%s%s", detail->len > 0 ? " · " : "", c->phone_masked);
  if (result->from_central)
    g_string_append_printf (detail, "%s%s", detail->len > 0 ? " · " : "", _("found at the central"));
  if (detail->len == 0)
    g_string_append (detail, _("No CPF or phone"));
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "detail"), detail->str);

  {
    g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, c->loyalty_points);

    /* TRANSLATORS: %s is a number of loyalty points */
    points = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s point", "%s points",
                                           (gulong) MIN (MAX (c->loyalty_points, 0), G_MAXLONG)), n);
  }
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "points"), points);
  if (c->store_credit != 0)
    {
      g_autofree char *money = pos_format_money (c->store_credit, "BRL");
      g_autofree char *credit = g_strdup_printf (_("Credit %s"), money);

      gtk_label_set_text (g_object_get_data (G_OBJECT (row), "credit"), credit);
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "credit"), TRUE);
    }
  else
    gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "credit"), FALSE);

  a11y = g_strdup_printf ("%s, %s, %s", c->name, detail->str, points);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (row)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

/* ------------------------------------------------------------------ */
/* Search, off the UI thread */

typedef struct {
  PosDatabase *owner;
  char        *text;
  guint        offset;
  gboolean     central;
  GPtrArray   *found;
  gboolean     has_more;
} SearchJob;

static void
search_job_free (SearchJob *job)
{
  g_clear_object (&job->owner);
  g_free (job->text);
  g_clear_pointer (&job->found, g_ptr_array_unref);
  g_free (job);
}

static void
search_worker (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchJob *job = task_data;
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_acquire_worker (job->owner, &error);

  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->central)
    job->found = pos_customers_lookup_central (db, job->text, cancellable, &error);
  else
    job->found = pos_customers_search_page (db, job->text, job->offset, PAGE_SIZE, &job->has_more, &error);
  pos_database_release_worker (job->owner, db);

  if (job->found == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_status (PosCustomersPage *self,
             const char       *text)
{
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
}

static void
show_count (PosCustomersPage *self,
            gboolean          from_central)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  g_autofree char *text = NULL;

  if (from_central)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u customer found at the central, now kept on this terminal. Enter opens the profile.",
                                         "%u customers found at the central, now kept on this terminal. Enter opens a profile.", n),
                            n);
  else if (self->has_more)
    text = g_strdup_printf (_("The first %u customers, best matches first. Type more to narrow them down."), n);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u customer. Down goes to the list, Enter opens the profile.",
                                         "%u customers, best matches first. Down goes to the list, Enter opens a profile.", n),
                            n);
  show_status (self, text);
}

/* problem: why the central could not answer (unreachable); hint: what
 * the central asked for (a longer text). */
static void
show_nothing_found (PosCustomersPage *self,
                    const char       *problem,
                    const char       *hint)
{
  g_autofree char *description = NULL;

  if (hint != NULL)
    {
      description = g_strdup_printf (_("Nobody matches “%s” on this terminal. %s"), self->query, hint);
      adw_status_page_set_description (self->empty_page, description);
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
      gtk_widget_set_visible (GTK_WIDGET (self->more_button), FALSE);
      show_status (self, NULL);
      return;
    }

  switch (central_state (self))
    {
    case CENTRAL_OFFLINE:
      description = g_strdup_printf (_("Nobody matches “%s” on this terminal.\nOffline: only customers already on this terminal can be found. Check the spelling, try the CPF or phone, or register the customer."),
                                     self->query);
      break;
    case CENTRAL_ONLINE:
      if (problem != NULL)
        description = g_strdup_printf (_("Nobody matches “%s” on this terminal, and the central could not be asked (%s).\nOnly customers already on this terminal can be found now."),
                                       self->query, problem);
      else
        description = g_strdup_printf (_("Nobody matches “%s” on this terminal or at the central. Check the spelling, try the CPF or phone, or register the customer."),
                                       self->query);
      break;
    case CENTRAL_NONE:
    default:
      description = g_strdup_printf (_("Nobody matches “%s”. Check the spelling, try the CPF or phone, or register the customer."),
                                     self->query);
      break;
    }
  adw_status_page_set_description (self->empty_page, description);
  gtk_stack_set_visible_child_name (self->results_stack, "empty");
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), FALSE);
  show_status (self, central_state (self) == CENTRAL_OFFLINE || problem != NULL
                       ? _("Offline: only customers already on this terminal can be found")
                       : NULL);
}

static void
open_result (PosCustomersPage *self,
             guint             position)
{
  g_autoptr(PosCustomerResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (result == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  pos_customers_page_open_customer (self, result->summary->id);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(PosCustomersPage) self = user_data;
  SearchJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  guint before;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->searching = FALSE;
      self->open_first = FALSE;
      gtk_spinner_stop (self->spinner);
      if (job->central)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
              g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NOT_ENROLLED))
            /* not enrolled after all: as if there were no central */
            show_nothing_found (self, NULL, NULL);
          else if (error->domain == POS_CUSTOMERS_ERROR)
            /* the central wants more to search with */
            show_nothing_found (self, NULL, error->message);
          else
            show_nothing_found (self, error->message, NULL);
          return;
        }
      g_warning ("Searching customers: %s", error->message);
      gtk_stack_set_visible_child_name (self->results_stack,
                                        g_list_model_get_n_items (G_LIST_MODEL (self->results)) > 0 ? "list" : "hint");
      show_status (self, error->message);
      return;
    }

  self->searching = FALSE;
  gtk_spinner_stop (self->spinner);
  before = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  if (job->offset == 0 && !job->central)
    {
      g_list_store_remove_all (self->results);
      before = 0;
    }
  for (guint i = 0; i < job->found->len; i++)
    {
      PosCustomerResult *item = g_object_new (POS_TYPE_CUSTOMER_RESULT, NULL);

      item->summary = pos_customer_summary_copy (g_ptr_array_index (job->found, i));
      item->from_central = job->central;
      g_list_store_append (self->results, item);
      g_object_unref (item);
    }
  self->has_more = !job->central && job->has_more;
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), self->has_more);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    {
      /* nothing here: the central may know the customer */
      if (!job->central && central_state (self) == CENTRAL_ONLINE)
        {
          run_search (self, 0, TRUE);
          return;
        }
      self->open_first = FALSE;
      show_nothing_found (self, NULL, NULL);
      return;
    }

  gtk_stack_set_visible_child_name (self->results_stack, "list");
  show_count (self, job->central);
  if (before == 0)
    gtk_single_selection_set_selected (self->selection, 0);
  else if (job->found->len > 0)
    {
      /* "more": the first new row takes the keyboard */
      gtk_single_selection_set_selected (self->selection, before);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", before);
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
  if (self->open_first)
    {
      self->open_first = FALSE;
      open_result (self, 0);
    }
}

static void
run_search (PosCustomersPage *self,
            guint             offset,
            gboolean          central)
{
  g_autoptr(GTask) task = NULL;
  SearchJob *job;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->searching = FALSE;
  if (self->query == NULL || *self->query == '\0')
    return;
  self->searching = TRUE;

  self->search_cancellable = g_cancellable_new ();
  job = g_new0 (SearchJob, 1);
  job->owner = g_object_ref (self->db);
  job->text = g_strdup (self->query);
  job->offset = offset;
  job->central = central;

  if (central)
    {
      g_list_store_remove_all (self->results);
      gtk_label_set_text (self->loading_label, _("Not on this terminal: asking the central…"));
      gtk_stack_set_visible_child_name (self->results_stack, "loading");
      gtk_spinner_start (self->spinner);
      show_status (self, NULL);
    }

  task = g_task_new (NULL, self->search_cancellable, on_search_done, g_object_ref (self));
  g_task_set_source_tag (task, run_search);
  g_task_set_task_data (task, job, (GDestroyNotify) search_job_free);
  g_task_run_in_thread (task, search_worker);
}

static void
on_search_changed (PosCustomersPage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  if (g_strcmp0 (text, self->query) == 0)
    return;
  g_free (self->query);
  self->query = g_steal_pointer (&text);
  self->has_more = FALSE;
  self->open_first = FALSE;
  if (*self->query == '\0')
    {
      g_cancellable_cancel (self->search_cancellable);
      self->searching = FALSE;
      g_list_store_remove_all (self->results);
      gtk_widget_set_visible (GTK_WIDGET (self->more_button), FALSE);
      gtk_stack_set_visible_child_name (self->results_stack, "hint");
      show_status (self, NULL);
      return;
    }
  run_search (self, 0, FALSE);
}

/* Enter in the search: the selected (or first) result's profile, at once
 * or as soon as the results come. */
static void
on_search_activate (PosCustomersPage *self)
{
  guint pos;

  /* the text may have changed within the search delay */
  on_search_changed (self);
  if (self->searching)
    {
      self->open_first = TRUE;
      return;
    }
  pos = gtk_single_selection_get_selected (self->selection);
  if (pos == GTK_INVALID_LIST_POSITION)
    pos = 0;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) > pos)
    open_result (self, pos);
  else
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
on_search_stop (PosCustomersPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
on_list_activate (PosCustomersPage *self,
                  guint             position)
{
  open_result (self, position);
}

/* Down in the search: to the list. Up on its first row: back. */
static gboolean
on_entry_key (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              PosCustomersPage      *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->results));

  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) && n > 0 &&
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) == 0)
    {
      guint pos = gtk_single_selection_get_selected (self->selection);

      if (pos == GTK_INVALID_LIST_POSITION)
        pos = 0;
      gtk_single_selection_set_selected (self->selection, pos);
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", pos);
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

static gboolean
on_list_key (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             PosCustomersPage      *self)
{
  if ((keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up) &&
      gtk_single_selection_get_selected (self->selection) == 0)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      return GDK_EVENT_STOP;
    }
  return GDK_EVENT_PROPAGATE;
}

/* ------------------------------------------------------------------ */
/* Attaching to the sale */

static void
on_open_profile_clicked (AdwToast         *toast,
                         PosCustomersPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "customer-id");

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-customers", NULL);
  pos_customers_page_open_customer (self, id);
}

/* The customer goes on the sale in progress; FALSE (the sale page says
 * why) when it cannot take one now. */
static gboolean
attach (PosCustomersPage         *self,
        const PosCustomerSummary *customer,
        gboolean                  offer_profile)
{
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (self->sale_page == NULL ||
      !pos_sale_page_set_customer (POS_SALE_PAGE (self->sale_page), customer))
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return FALSE;
    }

  text = g_strdup_printf (_("%s is attached to the sale"), customer->name);
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 5);
  if (offer_profile)
    {
      adw_toast_set_button_label (toast, _("Open _Profile"));
      g_object_set_data_full (G_OBJECT (toast), "customer-id", g_strdup (customer->id), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_open_profile_clicked), self, 0);
    }
  page_toast (self, toast);
  return TRUE;
}

static void
on_profile_attach (PosCustomersPage *self,
                   const char       *customer_id)
{
  g_autoptr(GError) error = NULL;
  /* one row by its key, as the sale page does when it resumes a cart */
  g_autoptr(PosCustomerSummary) customer = pos_customers_get (self->db, customer_id, &error);

  if (customer == NULL)
    {
      AdwToast *toast = adw_toast_new (error->message);

      page_toast (self, toast);
      return;
    }
  if (attach (self, customer, FALSE))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
}

static void
on_profile_edited (PosCustomersPage *self,
                   const char       *customer_id)
{
  if (g_strcmp0 (customer_id, pos_customer_profile_view_get_customer_id (self->profile)) == 0)
    pos_customer_profile_view_refresh (self->profile);
  else
    pos_customers_page_open_customer (self, customer_id);
}

gboolean
pos_customers_page_take_card (PosCustomersPage *self,
                              const char       *code,
                              gboolean          show_profile)
{
  g_autoptr(PosCustomerSummary) customer = NULL;
  PosScanResult product = { 0 };
  gboolean is_product;

  g_return_val_if_fail (POS_IS_CUSTOMERS_PAGE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  customer = pos_customers_find_by_card (self->db, code, NULL);
  if (customer == NULL)
    return FALSE;
  /* a product's code is the sale's, even if a card happens to carry it */
  is_product = pos_catalog_resolve_scan (self->db, code, &product, NULL);
  pos_scan_result_clear (&product);
  if (is_product)
    return FALSE;

  g_debug ("Loyalty card %s: %s", code, customer->id);
  if (!attach (self, customer, !show_profile))
    return TRUE;
  if (show_profile)
    pos_customers_page_open_customer (self, customer->id);
  else if (self->sale_page != NULL && gtk_widget_get_mapped (self->sale_page))
    /* the cashier scans the next item */
    pos_sale_page_focus_entry (POS_SALE_PAGE (self->sale_page));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The editor */

static void
on_editor_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PosCustomersPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pos_customer_editor_run_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      page_toast (self, adw_toast_new (error->message));
      return;
    }
  if (id == NULL)
    {
      if (is_shown (self, "search"))
        gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      return;
    }
  pos_customers_page_open_customer (self, id);
}

static void
action_new (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  PosCustomersPage *self = POS_CUSTOMERS_PAGE (widget);

  pos_customer_editor_run_async (page_window (self), self->db, NULL,
                                 is_shown (self, "search") ? self->query : NULL,
                                 self->cancellable, on_editor_done, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* Actions */

static void
action_search (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  pos_customers_page_focus_search (POS_CUSTOMERS_PAGE (widget));
}

static void
action_back (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PosCustomersPage *self = POS_CUSTOMERS_PAGE (widget);

  if (is_shown (self, "profile"))
    pos_customers_page_focus_search (self);
  else if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    on_search_stop (self);
}

static void
action_more (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PosCustomersPage *self = POS_CUSTOMERS_PAGE (widget);

  if (self->has_more)
    run_search (self, g_list_model_get_n_items (G_LIST_MODEL (self->results)), FALSE);
}

static void
action_reload (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PosCustomersPage *self = POS_CUSTOMERS_PAGE (widget);

  if (is_shown (self, "profile"))
    pos_customer_profile_view_refresh (self->profile);
  else
    run_search (self, 0, FALSE);
}

/* ------------------------------------------------------------------ */

void
pos_customers_page_focus_search (PosCustomersPage *self)
{
  g_return_if_fail (POS_IS_CUSTOMERS_PAGE (self));

  if (!is_shown (self, "search"))
    {
      gtk_stack_set_visible_child_name (self->stack, "search");
      pos_customer_profile_view_clear (self->profile);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

void
pos_customers_page_open_customer (PosCustomersPage *self,
                                  const char       *customer_id)
{
  g_return_if_fail (POS_IS_CUSTOMERS_PAGE (self));
  g_return_if_fail (customer_id != NULL);

  pos_customer_profile_view_load (self->profile, customer_id);
  gtk_stack_set_visible_child_name (self->stack, "profile");
  gtk_widget_grab_focus (GTK_WIDGET (self->profile));
}

void
pos_customers_page_changes_applied (PosCustomersPage   *self,
                                    const char * const *streams)
{
  g_return_if_fail (POS_IS_CUSTOMERS_PAGE (self));

  if (streams == NULL ||
      !(g_strv_contains (streams, "customers") || g_strv_contains (streams, "pickups")))
    return;
  if (pos_customer_profile_view_get_customer_id (self->profile) != NULL)
    pos_customer_profile_view_refresh (self->profile);
}

static void
customers_css_ensure (void)
{
  static gboolean loaded = FALSE;
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded || display == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/br/balcao/Balcao/customers.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION - 1);
}

static void
add_shortcut (PosCustomersPage *self,
              guint             key,
              GdkModifierType   mods,
              const char       *action)
{
  gtk_shortcut_controller_add_shortcut (self->shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (key, mods),
                                                          gtk_named_action_new (action)));
}

static void
pos_customers_page_dispose (GObject *object)
{
  PosCustomersPage *self = POS_CUSTOMERS_PAGE (object);

  g_cancellable_cancel (self->search_cancellable);
  g_cancellable_cancel (self->cancellable);
  if (self->sale_page != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->sale_page), (gpointer *) &self->sale_page);
      self->sale_page = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_CUSTOMERS_PAGE);

  G_OBJECT_CLASS (pos_customers_page_parent_class)->dispose (object);
}

static void
pos_customers_page_finalize (GObject *object)
{
  PosCustomersPage *self = POS_CUSTOMERS_PAGE (object);

  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->results);
  g_clear_object (&self->sync);
  g_clear_object (&self->db);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (pos_customers_page_parent_class)->finalize (object);
}

static void
pos_customers_page_class_init (PosCustomersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_customers_page_dispose;
  object_class->finalize = pos_customers_page_finalize;

  g_type_ensure (POS_TYPE_CUSTOMER_PROFILE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-customers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, new_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, more_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, loading_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomersPage, profile);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_attach);
  gtk_widget_class_bind_template_callback (widget_class, on_profile_edited);

  gtk_widget_class_install_action (widget_class, "customers.search", NULL, action_search);
  gtk_widget_class_install_action (widget_class, "customers.new", NULL, action_new);
  gtk_widget_class_install_action (widget_class, "customers.back", NULL, action_back);
  gtk_widget_class_install_action (widget_class, "customers.more", NULL, action_more);
  gtk_widget_class_install_action (widget_class, "customers.reload", NULL, action_reload);

  /* Escape stays the focused entry's first (clearing the search) */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "customers.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "customers.back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "customerspage");

  customers_css_ensure ();
}

static void
pos_customers_page_init (PosCustomersPage *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  self->results = g_list_store_new (POS_TYPE_CUSTOMER_RESULT);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), self);
  gtk_list_view_set_factory (self->list_view, factory);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_list_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), keys);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->list_view));

  /* global: the keys work wherever the focus is on the page; GTK runs a
   * controller's shortcuts only while its widget is mapped */
  self->shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_set_scope (self->shortcuts, GTK_SHORTCUT_SCOPE_GLOBAL);
  add_shortcut (self, GDK_KEY_f, GDK_CONTROL_MASK, "customers.search");
  add_shortcut (self, GDK_KEY_n, GDK_CONTROL_MASK, "customers.new");
  add_shortcut (self, GDK_KEY_F5, 0, "customers.reload");
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->shortcuts));

  gtk_stack_set_visible_child_name (self->stack, "search");
  gtk_stack_set_visible_child_name (self->results_stack, "hint");
}

GtkWidget *
pos_customers_page_new (PosDatabase   *db,
                        PosSyncEngine *sync,
                        GtkWidget     *sale_page)
{
  PosCustomersPage *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sync == NULL || POS_IS_SYNC_ENGINE (sync), NULL);

  self = g_object_new (POS_TYPE_CUSTOMERS_PAGE, NULL);
  self->db = g_object_ref (db);
  self->sync = sync != NULL ? g_object_ref (sync) : NULL;
  pos_customer_profile_view_set_database (self->profile, db);
  if (sale_page != NULL)
    {
      self->sale_page = sale_page;
      g_object_add_weak_pointer (G_OBJECT (sale_page), (gpointer *) &self->sale_page);
    }
  return GTK_WIDGET (self);
}
