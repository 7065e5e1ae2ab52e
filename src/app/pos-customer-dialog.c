/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pos-customer-dialog.h"
#include "pos-customer-editor.h"
#include "pos-format.h"

#define SEARCH_LIMIT 30

/* A row of the result list. */
#define POS_TYPE_CUSTOMER_ITEM (pos_customer_item_get_type ())
G_DECLARE_FINAL_TYPE (PosCustomerItem, pos_customer_item, POS, CUSTOMER_ITEM, GObject)

struct _PosCustomerItem {
  GObject             parent_instance;
  PosCustomerSummary *summary;
};

G_DEFINE_FINAL_TYPE (PosCustomerItem, pos_customer_item, G_TYPE_OBJECT)

static void
pos_customer_item_finalize (GObject *object)
{
  pos_customer_summary_free (POS_CUSTOMER_ITEM (object)->summary);
  G_OBJECT_CLASS (pos_customer_item_parent_class)->finalize (object);
}

static void
pos_customer_item_class_init (PosCustomerItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_customer_item_finalize;
}

static void
pos_customer_item_init (PosCustomerItem *self)
{
}

typedef struct {
  PosDatabase        *db;
  GtkWidget          *window;
  GtkWidget          *entry;
  GtkWidget          *list;
  GtkWidget          *status;
  GListStore         *store;
  GtkSingleSelection *selection;
  gboolean            done;
  gulong              cancel_id;
  GCancellable       *search_cancellable; /* the search in flight */
} ChooseData;

static void
choose_data_free (ChooseData *data)
{
  if (data->search_cancellable != NULL)
    g_cancellable_cancel (data->search_cancellable);
  g_clear_object (&data->search_cancellable);
  g_clear_object (&data->db);
  g_clear_object (&data->selection);
  g_clear_object (&data->store);
  g_free (data);
}

static void
finish (GTask              *task,
        PosCustomerSummary *summary,
        gboolean            detach)
{
  ChooseData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (data->done)
    return;
  data->done = TRUE;
  if (data->cancel_id != 0 && cancellable != NULL)
    g_cancellable_disconnect (cancellable, data->cancel_id);
  data->cancel_id = 0;

  g_object_set_data (G_OBJECT (task), "detach", GINT_TO_POINTER (detach));
  g_task_return_pointer (task, summary, (GDestroyNotify) pos_customer_summary_free);
  gtk_window_destroy (GTK_WINDOW (data->window));
}

/* The search runs on a worker thread with a connection of its own: the
 * dialog keeps answering keys while it reads. */
static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosDatabase *owner = g_object_get_data (G_OBJECT (task), "database");
  GError *error = NULL;
  GPtrArray *found = NULL;
  PosDatabase *db = pos_database_acquire_worker (owner, &error);

  if (db != NULL)
    {
      /* Name words, phone, e-mail, CPF or card; a screenful, best first. */
      found = pos_customers_search_page (db, task_data, 0, SEARCH_LIMIT, NULL, &error);
      pos_database_release_worker (owner, db);
    }

  if (found != NULL)
    g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

static void
search_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) choose = user_data;
  ChooseData *data = g_task_get_task_data (choose);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (result), &error);

  if (data->done || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_list_store_remove_all (data->store);
  if (found == NULL)
    {
      gtk_label_set_text (GTK_LABEL (data->status), error->message);
      return;
    }

  for (guint i = 0; i < found->len; i++)
    {
      PosCustomerItem *item = g_object_new (POS_TYPE_CUSTOMER_ITEM, NULL);

      item->summary = pos_customer_summary_copy (g_ptr_array_index (found, i));
      g_list_store_append (data->store, item);
      g_object_unref (item);
    }

  if (found->len == 0)
    gtk_label_set_text (GTK_LABEL (data->status), _("No customer found. Check the spelling, search by CPF or phone, or register a new customer (Ctrl+N)."));
  else
    gtk_label_set_text (GTK_LABEL (data->status), _("Arrows choose, Enter attaches the customer to the sale."));
  gtk_single_selection_set_selected (data->selection, 0);
}

static void
run_search (GTask *task)
{
  ChooseData *data = g_task_get_task_data (task);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (data->entry));
  g_autoptr(GTask) search = NULL;

  if (data->search_cancellable != NULL)
    g_cancellable_cancel (data->search_cancellable);
  g_clear_object (&data->search_cancellable);

  if (*text == '\0')
    {
      g_list_store_remove_all (data->store);
      gtk_label_set_text (GTK_LABEL (data->status), _("Type a name, a phone, an e-mail, a CPF or a loyalty card."));
      return;
    }

  data->search_cancellable = g_cancellable_new ();
  search = g_task_new (NULL, data->search_cancellable, search_done, g_object_ref (task));
  g_task_set_source_tag (search, run_search);
  g_task_set_task_data (search, g_strdup (text), g_free);
  g_object_set_data_full (G_OBJECT (search), "database", g_object_ref (data->db), g_object_unref);
  g_task_run_in_thread (search, search_thread);
}

static void
on_search_changed (GtkSearchEntry *entry,
                   GTask          *task)
{
  run_search (task);
}

static void
choose_position (GTask *task,
                 guint  position)
{
  ChooseData *data = g_task_get_task_data (task);
  g_autoptr(PosCustomerItem) item = g_list_model_get_item (G_LIST_MODEL (data->store), position);

  if (item == NULL)
    {
      gtk_widget_error_bell (data->window);
      return;
    }
  finish (task, pos_customer_summary_copy (item->summary), FALSE);
}

static void
on_activate (GtkSearchEntry *entry,
             GTask          *task)
{
  ChooseData *data = g_task_get_task_data (task);
  guint pos = gtk_single_selection_get_selected (data->selection);

  if (pos != GTK_INVALID_LIST_POSITION)
    choose_position (task, pos);
}

static void
on_list_activate (GtkListView *view,
                  guint        position,
                  GTask       *task)
{
  choose_position (task, position);
}

static void new_customer (GTask *task);

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GTask                 *task)
{
  ChooseData *data = g_task_get_task_data (task);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (data->store));
  guint pos = gtk_single_selection_get_selected (data->selection);

  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_Up) && n > 0)
    {
      if (pos == GTK_INVALID_LIST_POSITION)
        pos = 0;
      else if (keyval == GDK_KEY_Down && pos + 1 < n)
        pos++;
      else if (keyval == GDK_KEY_Up && pos > 0)
        pos--;
      gtk_single_selection_set_selected (data->selection, pos);
      gtk_widget_activate_action (data->list, "list.scroll-to-item", "u", pos);
      return GDK_EVENT_STOP;
    }
  if (keyval == GDK_KEY_Escape)
    {
      finish (task, NULL, FALSE);
      return GDK_EVENT_STOP;
    }
  if (keyval == GDK_KEY_Delete && (state & GDK_CONTROL_MASK))
    {
      finish (task, NULL, TRUE);
      return GDK_EVENT_STOP;
    }
  if ((keyval == GDK_KEY_n || keyval == GDK_KEY_N) && (state & GDK_CONTROL_MASK))
    {
      new_customer (task);
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
on_setup (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 8);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_list_item_set_child (item, box);
}

static void
on_bind (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  PosCustomerItem *c = gtk_list_item_get_item (item);
  GtkWidget *name = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *detail = gtk_widget_get_next_sibling (name);
  g_autofree char *credit = pos_format_money (c->summary->store_credit, "BRL");
  g_autofree char *text = NULL;
  g_autofree char *points = NULL;

  points = g_strdup_printf ("%" G_GINT64_FORMAT, c->summary->loyalty_points);
  text = g_strdup_printf (_("CPF %s · phone %s · credit %s · %s points"),
                          c->summary->cpf_masked ? c->summary->cpf_masked : "—",
                          c->summary->phone_masked ? c->summary->phone_masked : "—",
                          credit, points);
  gtk_label_set_text (GTK_LABEL (name), c->summary->name);
  gtk_label_set_text (GTK_LABEL (detail), text);
}

static void
on_detach_clicked (GtkButton *button,
                   GTask     *task)
{
  finish (task, NULL, TRUE);
}

/* Registered at the counter (or an existing one chosen instead of a
 * twin): that customer goes on the sale. */
static void
on_new_customer_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ChooseData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pos_customer_editor_run_finish (result, &error);
  PosCustomerSummary *customer;

  if (data->done)
    return;
  if (id == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (GTK_LABEL (data->status), error->message);
      gtk_widget_grab_focus (data->entry);
      return;
    }
  customer = pos_customers_get (data->db, id, &error);
  if (customer == NULL)
    {
      gtk_label_set_text (GTK_LABEL (data->status), error->message);
      return;
    }
  finish (task, customer, FALSE);
}

static void
new_customer (GTask *task)
{
  ChooseData *data = g_task_get_task_data (task);

  if (data->done)
    return;
  pos_customer_editor_run_async (GTK_WINDOW (data->window), data->db, NULL,
                                 gtk_editable_get_text (GTK_EDITABLE (data->entry)),
                                 NULL, on_new_customer_done, g_object_ref (task));
}

static void
on_new_clicked (GtkButton *button,
                GTask     *task)
{
  new_customer (task);
}

static gboolean
on_close_request (GtkWindow *window,
                  GTask     *task)
{
  ChooseData *data = g_task_get_task_data (task);

  if (!data->done)
    {
      finish (task, NULL, FALSE);
      return TRUE;
    }
  return FALSE;
}

static void
on_cancelled (GCancellable *cancellable,
              GtkWidget    *window)
{
  gtk_window_close (GTK_WINDOW (window));
}

void
pos_customer_dialog_choose_async (GtkWindow           *parent,
                                  PosDatabase         *db,
                                  gboolean             has_customer,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  ChooseData *data;
  GtkWidget *box, *header, *scroller, *detach, *buttons, *add;
  GtkListItemFactory *factory;
  GtkEventController *keys;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pos_customer_dialog_choose_async);
  data = g_new0 (ChooseData, 1);
  data->db = g_object_ref (db);
  g_task_set_task_data (task, data, (GDestroyNotify) choose_data_free);

  data->window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (data->window), _("Customer"));
  gtk_window_set_modal (GTK_WINDOW (data->window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (data->window), parent);
  gtk_window_set_default_size (GTK_WINDOW (data->window), 640, 520);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);

  data->entry = gtk_search_entry_new ();
  g_object_set (data->entry, "placeholder-text", _("Name, phone, e-mail, CPF or loyalty card"), NULL);
  gtk_widget_set_margin_start (data->entry, 12);
  gtk_widget_set_margin_end (data->entry, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search customers"), -1);
  gtk_box_append (GTK_BOX (box), data->entry);

  data->status = gtk_label_new (_("Type a name, a phone, an e-mail, a CPF or a loyalty card."));
  gtk_label_set_xalign (GTK_LABEL (data->status), 0);
  gtk_widget_set_margin_start (data->status, 12);
  gtk_widget_add_css_class (data->status, "dim-label");
  gtk_box_append (GTK_BOX (box), data->status);

  data->store = g_list_store_new (POS_TYPE_CUSTOMER_ITEM);
  data->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (data->store)));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind), NULL);
  data->list = gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (data->selection)), factory);
  gtk_list_view_set_single_click_activate (GTK_LIST_VIEW (data->list), TRUE);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), data->list);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_widget_set_margin_start (scroller, 12);
  gtk_widget_set_margin_end (scroller, 12);
  gtk_widget_add_css_class (scroller, "card");
  gtk_box_append (GTK_BOX (box), scroller);

  detach = gtk_button_new_with_mnemonic (_("_No customer (Ctrl+Delete)"));
  gtk_widget_set_sensitive (detach, has_customer);
  add = gtk_button_new_with_mnemonic (_("Ne_w Customer… (Ctrl+N)"));
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (buttons, 12);
  gtk_widget_set_margin_end (buttons, 12);
  gtk_widget_set_margin_bottom (buttons, 12);
  gtk_widget_set_hexpand (detach, TRUE);
  gtk_widget_set_halign (detach, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (buttons), detach);
  gtk_box_append (GTK_BOX (buttons), add);
  gtk_box_append (GTK_BOX (box), buttons);

  adw_window_set_content (ADW_WINDOW (data->window), box);

  g_signal_connect (data->entry, "search-changed", G_CALLBACK (on_search_changed), task);
  g_signal_connect (data->entry, "activate", G_CALLBACK (on_activate), task);
  g_signal_connect (data->list, "activate", G_CALLBACK (on_list_activate), task);
  g_signal_connect (detach, "clicked", G_CALLBACK (on_detach_clicked), task);
  g_signal_connect (add, "clicked", G_CALLBACK (on_new_clicked), task);
  g_signal_connect (data->window, "close-request", G_CALLBACK (on_close_request), task);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), task);
  gtk_widget_add_controller (data->window, keys);

  if (cancellable != NULL)
    data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), data->window, NULL);

  /* The window holds the task until it is finished. */
  g_object_set_data_full (G_OBJECT (data->window), "pos-task", task, g_object_unref);
  gtk_window_present (GTK_WINDOW (data->window));
  gtk_widget_grab_focus (data->entry);
}

PosCustomerSummary *
pos_customer_dialog_choose_finish (GAsyncResult  *result,
                                   gboolean      *detach,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  if (detach != NULL)
    *detach = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "detach"));
  return g_task_propagate_pointer (G_TASK (result), error);
}
