/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sale"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "terminal/pos-catalog.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-loyalty.h"
#include "terminal/pos-sales.h"

#include "pos-approval-dialog.h"
#include "pos-customer-dialog.h"
#include "pos-format.h"
#include "pos-line-editor.h"
#include "pos-park-dialog.h"
#include "pos-payment-dialog.h"
#include "pos-sale-page.h"
#include "pos-window.h"

#define SEARCH_LIMIT 50

typedef enum {
  COLUMN_NAME,
  COLUMN_QUANTITY,
  COLUMN_PRICE,
  COLUMN_DISCOUNT,
  COLUMN_TOTAL,
} CartColumn;

struct _PosSalePage {
  GtkWidget           parent_instance;

  PosDatabase        *db;
  char               *currency;
  PosTaxMode          tax_mode;
  PosCart            *cart;
  GtkSingleSelection *selection;
  GListStore         *results;
  GtkSingleSelection *results_selection;
  char               *results_query;
  gint64              multiplier;      /* milli-units; 0 = none pending */
  PosCustomerSummary *customer;
  GSimpleActionGroup *actions;
  GCancellable       *cancellable;
  GCancellable       *search_cancellable;
  GPtrArray          *bound_items;     /* GtkListItem* bound in the cart */
  GtkWidget          *payment_dialog;  /* weak */
  GtkColumnViewColumn *discount_column; /* shown when a line has a discount */

  /* Search runs on a worker thread with its own connection. */

  /* template */
  GtkWidget          *root_box;
  GtkWidget          *entry;
  GtkWidget          *multiplier_label;
  GtkWidget          *message_revealer;
  GtkWidget          *message_box;
  GtkWidget          *message_icon;
  GtkWidget          *message_label;
  GtkWidget          *left_stack;
  GtkWidget          *cart_view;
  GtkWidget          *results_label;
  GtkWidget          *results_view;
  GtkWidget          *customer_label;
  GtkWidget          *customer_detail_label;
  GtkWidget          *items_value;
  GtkWidget          *subtotal_value;
  GtkWidget          *discount_caption;
  GtkWidget          *discount_value;
  GtkWidget          *tax_box;
  GtkWidget          *total_value;
  GtkWidget          *paid_value;
  GtkWidget          *note_label;
  GtkWidget          *pay_button;
};

G_DEFINE_FINAL_TYPE (PosSalePage, pos_sale_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_SALE_COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_totals  (PosSalePage *self);
static void update_actions (PosSalePage *self);

/* ------------------------------------------------------------------ */
/* Helpers */

static GtkWindow *
get_parent_window (PosSalePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
toast (PosSalePage *self,
       const char  *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (POS_IS_WINDOW (root))
    pos_window_add_toast (POS_WINDOW (root), text);
}

static void
show_message (PosSalePage *self,
              const char  *text,
              gboolean     is_error)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), text);
  gtk_image_set_from_icon_name (GTK_IMAGE (self->message_icon),
                                is_error ? "dialog-warning-symbolic" : "dialog-information-symbolic");
  if (is_error)
    {
      gtk_widget_add_css_class (self->message_box, "error");
      gtk_widget_remove_css_class (self->message_box, "info");
      gtk_widget_error_bell (GTK_WIDGET (self));
    }
  else
    {
      gtk_widget_add_css_class (self->message_box, "info");
      gtk_widget_remove_css_class (self->message_box, "error");
    }
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), TRUE);
}

static void
hide_message (PosSalePage *self)
{
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->message_revealer), FALSE);
}

static PosCartLine *
get_selected_line (PosSalePage *self,
                   guint       *out_position)
{
  guint pos;

  if (self->cart == NULL)
    return NULL;
  pos = gtk_single_selection_get_selected (self->selection);
  if (pos == GTK_INVALID_LIST_POSITION || pos >= pos_cart_get_n_lines (self->cart))
    return NULL;
  if (out_position != NULL)
    *out_position = pos;
  return pos_cart_get_line (self->cart, pos);
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;

  return NULL;
}

static void
select_line (PosSalePage *self,
             guint        position)
{
  GtkWidget *list;

  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    return;

  gtk_single_selection_set_selected (self->selection, position);
  list = find_list_view (self->cart_view);
  if (list != NULL)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", position);
}

static void
set_multiplier (PosSalePage *self,
                gint64       multiplier)
{
  self->multiplier = multiplier;
  if (multiplier > 0)
    {
      g_autofree char *q = pos_format_quantity (multiplier, FALSE, self->currency);
      g_autofree char *text = g_strdup_printf ("%s ×", q);

      gtk_label_set_text (GTK_LABEL (self->multiplier_label), text);
    }
  gtk_widget_set_visible (self->multiplier_label, multiplier > 0);
}

/* "3*" -> 3000; "3*789..." -> 3000 and rest "789..." */
static gboolean
parse_multiplier (const char  *text,
                  gint64      *out_quantity,
                  const char **out_rest)
{
  const char *star = strchr (text, '*');
  g_autofree char *number = NULL;

  if (star == NULL || star == text)
    return FALSE;
  number = g_strndup (text, star - text);
  for (const char *p = number; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  if (!pos_format_parse_quantity (number, NULL, out_quantity) || *out_quantity > 999000)
    return FALSE;
  *out_rest = star + 1;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The cart */

static void
add_product (PosSalePage *self,
             PosProduct  *product,
             gint64       quantity,
             gint64       fixed_gross)
{
  g_autoptr(PosCartLine) line = NULL;
  g_autofree char *price = NULL;
  g_autofree char *qty = NULL;
  guint position;

  line = pos_cart_line_new (pos_product_get_id (product),
                            pos_product_get_sku (product),
                            pos_product_get_name (product),
                            pos_product_get_barcode (product),
                            pos_product_get_price (product),
                            pos_product_get_tax_rate_bp (product),
                            pos_product_get_weighed (product));
  if (fixed_gross >= 0)
    {
      pos_cart_line_set_fixed_gross (line, fixed_gross);
      quantity = 1000;
    }

  position = pos_cart_add_line (self->cart, line, quantity);
  hide_message (self);
  select_line (self, position);
  update_totals (self);
}

static void
add_scanned (PosSalePage *self,
             const char  *code,
             gint64       multiplier)
{
  g_autoptr(GError) error = NULL;
  PosScanResult result = { 0 };
  gint64 quantity;

  if (!pos_catalog_resolve_scan (self->db, code, &result, &error))
    {
      /* the catalog's message says why and what to do */
      show_message (self, error->message, TRUE);
      return;
    }

  quantity = result.quantity > 0 ? result.quantity : 1000;
  if (multiplier > 0 && !pos_product_get_weighed (result.product) && result.fixed_gross < 0)
    quantity = quantity * multiplier / 1000;

  add_product (self, result.product, quantity, result.fixed_gross);
  pos_scan_result_clear (&result);
}

/* The number of the online order the cart pays at the counter, from the
 * handover the cart carries (pos_pickups_fill_cart); NULL when none. */
static char *
pickup_order_number (PosSalePage *self)
{
  const char *marker = pos_cart_get_pickup_handover (self->cart);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (marker == NULL)
    return NULL;
  node = json_from_string (marker, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  return g_strdup (json_object_get_string_member_with_default (object, "number", NULL));
}

static char *
line_detail (PosSalePage *self,
             PosCartLine *line)
{
  GString *s = g_string_new (NULL);
  const char *note = pos_cart_line_get_note (line);
  const char *barcode = pos_cart_line_get_barcode (line);

  /* a line of an online order: kept at the order's price */
  if (pos_cart_line_get_pickup_line_no (line) > 0)
    {
      g_autofree char *number = pickup_order_number (self);

      if (number != NULL)
        /* Translators: on a sale's line that comes from an online pickup order */
        g_string_append_printf (s, _("Order %s"), number);
      else
        g_string_append (s, _("Online order"));
    }

  if ((barcode != NULL && *barcode != '\0') || pos_cart_line_get_sku (line) != NULL)
    {
      if (s->len > 0)
        g_string_append (s, " · ");
      g_string_append (s, barcode != NULL && *barcode != '\0' ? barcode : pos_cart_line_get_sku (line));
    }

  if (pos_cart_line_get_discount_kind (line) == POS_DISCOUNT_PERCENT)
    {
      g_autofree char *pct = pos_format_quantity (pos_cart_line_get_discount_value (line) * 10, FALSE, self->currency);

      if (s->len > 0)
        g_string_append (s, " · ");
      g_string_append_printf (s, _("discount %s %%"), pct);
    }
  if (note != NULL && *note != '\0')
    {
      if (s->len > 0)
        g_string_append (s, " · ");
      g_string_append_printf (s, "“%s”", note);
    }

  return g_string_free (s, FALSE);
}

static void
bind_cell (PosSalePage *self,
           GtkListItem *item)
{
  PosCartLine *line = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  CartColumn column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (child), "column"));
  g_autofree char *text = NULL;

  if (line == NULL)
    return;

  switch (column)
    {
    case COLUMN_NAME:
      {
        GtkWidget *name = gtk_widget_get_first_child (child);
        GtkWidget *detail = gtk_widget_get_next_sibling (name);
        g_autofree char *d = line_detail (self, line);

        gtk_label_set_text (GTK_LABEL (name), pos_cart_line_get_name (line));
        gtk_label_set_text (GTK_LABEL (detail), d);
        gtk_widget_set_visible (detail, d[0] != '\0');
      }
      return;
    case COLUMN_QUANTITY:
      text = pos_format_quantity (pos_cart_line_get_quantity (line),
                                  pos_cart_line_get_weighed (line), self->currency);
      break;
    case COLUMN_PRICE:
      if (pos_cart_line_get_fixed_gross (line) >= 0)
        text = pos_format_money (pos_cart_line_get_fixed_gross (line), self->currency);
      else
        {
          g_autofree char *p = pos_format_money (pos_cart_line_get_unit_price (line), self->currency);

          text = pos_cart_line_get_weighed (line) ? g_strdup_printf (_("%s/kg"), p) : g_steal_pointer (&p);
        }
      break;
    case COLUMN_DISCOUNT:
      {
        gint64 d = pos_cart_line_get_line_discount (line) + pos_cart_line_get_sale_discount (line);

        text = d != 0 ? pos_format_money (-d, self->currency) : g_strdup ("");
      }
      break;
    case COLUMN_TOTAL:
      text = pos_format_money (pos_cart_line_get_total (line), self->currency);
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (GTK_LABEL (child), text);
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  CartColumn column = GPOINTER_TO_INT (user_data);
  GtkWidget *child;

  if (column == COLUMN_NAME)
    {
      GtkWidget *name = gtk_label_new (NULL);
      GtkWidget *detail = gtk_label_new (NULL);

      child = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (name, "line-name");
      gtk_label_set_xalign (GTK_LABEL (detail), 0);
      gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (detail, "caption");
      gtk_widget_add_css_class (detail, "dim-label");
      gtk_box_append (GTK_BOX (child), name);
      gtk_box_append (GTK_BOX (child), detail);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), 1);
      gtk_widget_add_css_class (child, "numeric");
      if (column == COLUMN_TOTAL)
        gtk_widget_add_css_class (child, "line-total");
    }

  g_object_set_data (G_OBJECT (child), "column", GINT_TO_POINTER (column));
  gtk_list_item_set_child (item, child);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  PosSalePage *self = g_object_get_data (G_OBJECT (factory), "page");

  bind_cell (self, item);
  if (!g_ptr_array_find (self->bound_items, item, NULL))
    g_ptr_array_add (self->bound_items, item);
}

static void
on_cell_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  PosSalePage *self = g_object_get_data (G_OBJECT (factory), "page");

  g_ptr_array_remove_fast (self->bound_items, item);
}

static GtkColumnViewColumn *
add_column (PosSalePage *self,
            const char  *title,
            CartColumn   column,
            gboolean     expand,
            int          fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_object_set_data (G_OBJECT (factory), "page", self);
  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind), NULL);

  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, expand);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (GTK_COLUMN_VIEW (self->cart_view), col);
  g_object_unref (col);
  return col;
}

/* GTK 4.8 does not give a hidden column's width back to the expanding
 * Product column (it leaves a gap on the right), so the Discount column is
 * taken out of the view rather than hidden. */
static void
show_discount_column (PosSalePage *self,
                      gboolean     show)
{
  gboolean shown = gtk_column_view_column_get_column_view (self->discount_column) != NULL;

  if (show == shown)
    return;
  if (show)
    gtk_column_view_insert_column (GTK_COLUMN_VIEW (self->cart_view), 3, self->discount_column);
  else
    gtk_column_view_remove_column (GTK_COLUMN_VIEW (self->cart_view), self->discount_column);
}

static void
update_customer (PosSalePage *self)
{
  const char *name = self->cart ? pos_cart_get_customer_name (self->cart) : NULL;

  if (name == NULL || *name == '\0')
    {
      gtk_label_set_text (GTK_LABEL (self->customer_label), _("No customer · F7"));
      gtk_widget_set_visible (self->customer_detail_label, FALSE);
      return;
    }

  gtk_label_set_text (GTK_LABEL (self->customer_label), name);
  if (self->customer != NULL)
    {
      g_autoptr(GString) detail = g_string_new (self->customer->cpf_masked);
      PosLoyaltyRule rule;

      if (self->customer->store_credit > 0)
        {
          g_autofree char *credit = pos_format_money (self->customer->store_credit, self->currency);

          g_string_append_printf (detail, "%s", detail->len > 0 ? " · " : "");
          g_string_append_printf (detail, _("credit %s"), credit);
        }
      /* the balance shown: the central's plus this terminal's unsent sales
       * (docs/loyalty.md) */
      pos_loyalty_get_rule (self->db, &rule);
      if (pos_loyalty_rule_is_on (&rule))
        {
          gint64 balance = pos_customers_points_balance (self->db, self->customer->id);
          g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, balance);

          g_string_append_printf (detail, "%s", detail->len > 0 ? " · " : "");
          g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE, "%s point", "%s points",
                                                       (gulong) MIN (ABS (balance), G_MAXLONG)), n);
        }
      gtk_label_set_text (GTK_LABEL (self->customer_detail_label), detail->str);
      gtk_widget_set_visible (self->customer_detail_label, detail->len > 0);
    }
  else
    gtk_widget_set_visible (self->customer_detail_label, FALSE);
}

static void
update_totals (PosSalePage *self)
{
  PosCartTotals t = { 0 };
  PosTaxSummary *taxes;
  GtkWidget *child;
  g_autofree char *subtotal = NULL;
  g_autofree char *discounts = NULL;
  g_autofree char *total = NULL;
  g_autofree char *items = NULL;
  const char *note;

  pos_cart_get_totals (self->cart, &t);

  items = g_strdup_printf ("%u", t.n_items);
  subtotal = pos_format_money (t.subtotal, self->currency);
  discounts = pos_format_money (-(t.line_discounts + t.sale_discount), self->currency);
  total = pos_format_money (t.total, self->currency);

  gtk_label_set_text (GTK_LABEL (self->items_value), items);
  gtk_label_set_text (GTK_LABEL (self->subtotal_value), subtotal);
  gtk_label_set_text (GTK_LABEL (self->discount_value), discounts);
  gtk_widget_set_visible (self->discount_caption, t.line_discounts + t.sale_discount != 0);
  gtk_widget_set_visible (self->discount_value, t.line_discounts + t.sale_discount != 0);
  show_discount_column (self, t.line_discounts + t.sale_discount != 0);
  gtk_label_set_text (GTK_LABEL (self->total_value), total);

  while ((child = gtk_widget_get_first_child (self->tax_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->tax_box), child);

  taxes = pos_cart_get_tax_summary (self->cart);
  for (guint i = 0; taxes != NULL && i < pos_tax_summary_get_n_rows (taxes); i++)
    {
      const PosTaxSummaryRow *row = pos_tax_summary_get_row (taxes, i);
      g_autofree char *rate = pos_format_quantity ((gint64) row->rate_bp * 10, FALSE, self->currency);
      g_autofree char *amount = pos_format_money (row->tax, self->currency);
      g_autofree char *caption = NULL;
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *l = NULL;
      GtkWidget *v = gtk_label_new (amount);

      if (self->tax_mode == POS_TAX_INCLUSIVE)
        caption = g_strdup_printf (_("Tax %s %% (included)"), rate);
      else
        caption = g_strdup_printf (_("Tax %s %%"), rate);
      l = gtk_label_new (caption);
      gtk_label_set_xalign (GTK_LABEL (l), 0);
      gtk_widget_set_hexpand (l, TRUE);
      gtk_widget_add_css_class (l, "dim-label");
      gtk_widget_add_css_class (v, "dim-label");
      gtk_widget_add_css_class (v, "numeric");
      gtk_box_append (GTK_BOX (box), l);
      gtk_box_append (GTK_BOX (box), v);
      gtk_box_append (GTK_BOX (self->tax_box), box);
    }

  if (t.paid > 0)
    {
      g_autofree char *paid = pos_format_money (t.paid, self->currency);
      g_autofree char *due = pos_format_money (t.due, self->currency);
      g_autofree char *text = g_strdup_printf (_("Paid %s · Due %s"), paid, due);

      gtk_label_set_text (GTK_LABEL (self->paid_value), text);
    }
  gtk_widget_set_visible (self->paid_value, t.paid > 0);

  note = pos_cart_get_note (self->cart);
  if (note != NULL && *note != '\0')
    {
      g_autofree char *text = g_strdup_printf (_("Note: %s"), note);

      gtk_label_set_text (GTK_LABEL (self->note_label), text);
    }
  gtk_widget_set_visible (self->note_label, note != NULL && *note != '\0');

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->left_stack)), "results") != 0)
    gtk_stack_set_visible_child_name (GTK_STACK (self->left_stack),
                                      pos_cart_is_empty (self->cart) ? "empty" : "cart");

  update_customer (self);
  update_actions (self);
}

static void
on_cart_changed (PosCart     *cart,
                 PosSalePage *self)
{
  /* Lines whose numbers changed in place are drawn again. */
  for (guint i = 0; i < self->bound_items->len; i++)
    bind_cell (self, g_ptr_array_index (self->bound_items, i));
  update_totals (self);
}

static void
set_cart (PosSalePage *self,
          PosCart     *cart)
{
  if (self->cart != NULL)
    g_signal_handlers_disconnect_by_func (self->cart, on_cart_changed, self);
  g_set_object (&self->cart, cart);
  g_signal_connect_object (cart, "changed", G_CALLBACK (on_cart_changed), self, 0);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (cart));
  if (pos_cart_get_n_lines (cart) > 0)
    select_line (self, pos_cart_get_n_lines (cart) - 1);
  update_totals (self);
}

static void
start_new_sale (PosSalePage *self)
{
  g_autoptr(PosCart) cart = pos_cart_new (self->currency, self->tax_mode);

  g_clear_pointer (&self->customer, pos_customer_summary_free);
  set_multiplier (self, 0);
  set_cart (self, cart);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->left_stack), "empty");
  pos_sale_page_focus_entry (self);
}

/* ------------------------------------------------------------------ */
/* Search */

static void
show_cart (PosSalePage *self)
{
  g_clear_pointer (&self->results_query, g_free);
  gtk_stack_set_visible_child_name (GTK_STACK (self->left_stack),
                                    pos_cart_is_empty (self->cart) ? "empty" : "cart");
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosDatabase *owner = g_object_get_data (G_OBJECT (task), "database");
  const char *text = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *results = NULL;
  PosDatabase *db = pos_database_acquire_worker (owner, &error);

  if (db != NULL)
    {
      results = pos_catalog_search (db, text, SEARCH_LIMIT, &error);
      pos_database_release_worker (owner, db);
    }

  if (results == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PosSalePage *self = POS_SALE_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = g_task_propagate_pointer (G_TASK (result), &error);
  const char *query = g_task_get_task_data (G_TASK (result));
  g_autofree char *caption = NULL;

  if (products == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, error->message, TRUE);
      return;
    }

  if (products->len == 0)
    {
      g_autofree char *msg = g_strdup_printf (_("No product matches “%s”. Check the spelling or scan the barcode."), query);

      show_message (self, msg, TRUE);
      show_cart (self);
      return;
    }

  g_list_store_splice (self->results, 0, g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                       products->pdata, products->len);
  g_free (self->results_query);
  self->results_query = g_strdup (query);
  caption = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u product for “%s” — arrows choose, Enter adds, Escape goes back",
                                          "%u products for “%s” — arrows choose, Enter adds, Escape goes back",
                                          products->len),
                             products->len, query);
  gtk_label_set_text (GTK_LABEL (self->results_label), caption);
  gtk_single_selection_set_selected (self->results_selection, 0);
  gtk_stack_set_visible_child_name (GTK_STACK (self->left_stack), "results");
  hide_message (self);
}

static void
start_search (PosSalePage *self,
              const char  *text)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->search_cancellable, on_search_done, NULL);
  g_task_set_source_tag (task, start_search);
  g_task_set_task_data (task, g_strdup (text), g_free);
  g_object_set_data_full (G_OBJECT (task), "database", g_object_ref (self->db), g_object_unref);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, search_thread);
}

static void
on_weight_answered (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PosProduct) product = user_data;
  g_autofree char *text = pos_line_editor_ask_finish (result, NULL);
  PosSalePage *self = g_object_get_data (G_OBJECT (product), "pos-sale-page");
  gint64 grams;

  if (self == NULL || text == NULL)
    return;
  if (!pos_format_parse_quantity (text, self->currency, &grams))
    {
      show_message (self, _("That weight is not valid. Type it in kilograms, like 0,512."), TRUE);
      return;
    }
  add_product (self, product, grams, -1);
  pos_sale_page_focus_entry (self);
}

static void
add_result (PosSalePage *self,
            guint        position)
{
  g_autoptr(PosProduct) product = g_list_model_get_item (G_LIST_MODEL (self->results), position);
  gint64 quantity = self->multiplier > 0 ? self->multiplier : 1000;

  if (product == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  show_cart (self);
  set_multiplier (self, 0);

  if (pos_product_get_weighed (product))
    {
      g_autofree char *body = g_strdup_printf (_("%s is sold by weight. Type the weight in kilograms (for example 0,512)."),
                                               pos_product_get_name (product));

      g_object_set_data (G_OBJECT (product), "pos-sale-page", self);
      pos_line_editor_ask_async (get_parent_window (self), _("Weight"), body, "", _("_Add"),
                                 self->cancellable, on_weight_answered, g_object_ref (product));
      return;
    }

  add_product (self, product, quantity, -1);
  pos_sale_page_focus_entry (self);
}

static void
on_result_activate (GtkListView *view,
                    guint        position,
                    PosSalePage *self)
{
  add_result (self, position);
}

static void
on_result_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);
  GtkWidget *price = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "result-row");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "line-name");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "caption");
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_add_css_class (price, "result-price");
  gtk_widget_add_css_class (price, "numeric");
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), detail);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (box), price);
  gtk_list_item_set_child (item, box);
}

static void
on_result_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  PosSalePage *self = user_data;
  PosProduct *product = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *texts = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_first_child (texts);
  GtkWidget *detail = gtk_widget_get_next_sibling (name);
  GtkWidget *price = gtk_widget_get_next_sibling (texts);
  g_autofree char *p = pos_format_money (pos_product_get_price (product), self->currency);
  g_autofree char *stock = pos_format_quantity (pos_product_get_stock (product),
                                                pos_product_get_weighed (product), self->currency);
  g_autofree char *d = NULL;
  const char *brand = pos_product_get_brand (product);
  const char *code = pos_product_get_barcode (product);

  d = g_strdup_printf (_("%s · SKU %s · %s · stock %s"),
                       brand ? brand : "", pos_product_get_sku (product),
                       code ? code : "", stock);
  gtk_label_set_text (GTK_LABEL (name), pos_product_get_name (product));
  gtk_label_set_text (GTK_LABEL (detail), d);
  if (pos_product_get_weighed (product))
    {
      g_autofree char *per_kg = g_strdup_printf (_("%s/kg"), p);

      gtk_label_set_text (GTK_LABEL (price), per_kg);
    }
  else
    gtk_label_set_text (GTK_LABEL (price), p);
}

/* ------------------------------------------------------------------ */
/* The entry */

static gboolean
looks_like_code (const char *text)
{
  gboolean has_digit = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        return FALSE;
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
    }

  return has_digit;
}

static gboolean
all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* A loyalty card: its customer on the sale (one lookup by a unique
 * index). */
static gboolean
take_card (PosSalePage *self,
           const char  *code)
{
  g_autoptr(PosCustomerSummary) customer = pos_customers_find_by_card (self->db, code, NULL);
  g_autofree char *msg = NULL;

  if (customer == NULL)
    return FALSE;
  if (pos_sale_page_set_customer (self, customer))
    {
      msg = g_strdup_printf (_("%s is attached to the sale"), customer->name);
      toast (self, msg);
    }
  return TRUE;
}

static void
on_entry_activate (GtkEntry    *entry,
                   PosSalePage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  const char *rest = text;
  gint64 multiplier = 0;

  /* Results on screen and the text unchanged: Enter adds the selected one. */
  if (self->results_query != NULL && g_strcmp0 (self->results_query, text) == 0)
    {
      guint pos = gtk_single_selection_get_selected (self->results_selection);

      if (pos != GTK_INVALID_LIST_POSITION)
        add_result (self, pos);
      return;
    }

  if (*text == '\0')
    return;

  if (parse_multiplier (text, &multiplier, &rest))
    {
      if (*rest == '\0')
        {
          /* "3*": the next scan or product counts 3 */
          set_multiplier (self, multiplier);
          gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
          return;
        }
    }
  else if (self->multiplier > 0)
    multiplier = self->multiplier;

  if (looks_like_code (rest))
    {
      g_autoptr(GError) error = NULL;
      PosScanResult result = { 0 };

      if (pos_catalog_resolve_scan (self->db, rest, &result, &error))
        {
          gint64 quantity = result.quantity > 0 ? result.quantity : 1000;

          if (multiplier > 0 && !pos_product_get_weighed (result.product) && result.fixed_gross < 0)
            quantity = quantity * multiplier / 1000;
          add_product (self, result.product, quantity, result.fixed_gross);
          pos_scan_result_clear (&result);
          set_multiplier (self, 0);
          gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
          show_cart (self);
          return;
        }

      /* a customer's loyalty card, typed (or scanned too slowly to be
       * told from typing): on the sale */
      if (multiplier == 0 && take_card (self, rest))
        {
          gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
          return;
        }

      /* A number that is no product is an error; other codes may be words
       * ("cola 2l"): search for them. */
      if (all_digits (rest) || !g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND))
        {
          show_message (self, error->message, TRUE);
          gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
          return;
        }
    }

  if (multiplier > 0)
    set_multiplier (self, multiplier);
  start_search (self, text == rest ? text : rest);
  g_free (self->results_query);
  self->results_query = NULL;
}

static void
move_selection (GtkSingleSelection *selection,
                GtkWidget          *view,
                int                 delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (selection));
  guint pos = gtk_single_selection_get_selected (selection);
  GtkWidget *list = GTK_IS_LIST_VIEW (view) ? view : find_list_view (view);
  gint64 target;

  if (n == 0)
    return;
  if (pos == GTK_INVALID_LIST_POSITION)
    target = delta > 0 ? 0 : n - 1;
  else
    target = CLAMP ((gint64) pos + delta, 0, (gint64) n - 1);

  gtk_single_selection_set_selected (selection, (guint) target);
  if (list != NULL)
    gtk_widget_activate_action (list, "list.scroll-to-item", "u", (guint) target);
}

static void
change_selected_quantity (PosSalePage *self,
                          int          delta)
{
  g_autoptr(GError) error = NULL;
  PosCartLine *line;
  guint pos;
  gint64 q;

  line = get_selected_line (self, &pos);
  if (line == NULL)
    return;
  if (pos_cart_line_get_weighed (line) || pos_cart_line_get_fixed_gross (line) >= 0)
    {
      show_message (self, _("This item’s quantity comes from its label (weight or price): scan it again or remove it."), TRUE);
      return;
    }

  q = pos_cart_line_get_quantity (line) + delta * 1000;
  if (q <= 0)
    {
      show_message (self, _("The quantity cannot go below 1. To take the item out, press Delete."), TRUE);
      return;
    }
  if (!pos_cart_set_quantity (self->cart, pos, q, &error))
    show_message (self, error->message, TRUE);
}

static void
remove_selected (PosSalePage *self)
{
  PosCartLine *line;
  guint pos;
  g_autofree char *msg = NULL;

  line = get_selected_line (self, &pos);
  if (line == NULL)
    return;

  msg = g_strdup_printf (_("Removed %s"), pos_cart_line_get_name (line));
  pos_cart_remove_line (self->cart, pos);
  if (pos_cart_get_n_lines (self->cart) > 0)
    select_line (self, MIN (pos, pos_cart_get_n_lines (self->cart) - 1));
  toast (self, msg);
  update_totals (self);
}

static gboolean
on_entry_key_pressed (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      PosSalePage           *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  gboolean empty = text[0] == '\0';
  gboolean results = self->results_query != NULL;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      if (results)
        move_selection (self->results_selection, self->results_view, -1);
      else
        move_selection (self->selection, self->cart_view, -1);
      return GDK_EVENT_STOP;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      if (results)
        move_selection (self->results_selection, self->results_view, 1);
      else
        move_selection (self->selection, self->cart_view, 1);
      return GDK_EVENT_STOP;

    case GDK_KEY_Page_Up:
    case GDK_KEY_Page_Down:
      if (results)
        move_selection (self->results_selection, self->results_view, keyval == GDK_KEY_Page_Up ? -8 : 8);
      else
        move_selection (self->selection, self->cart_view, keyval == GDK_KEY_Page_Up ? -8 : 8);
      return GDK_EVENT_STOP;

    case GDK_KEY_Escape:
      if (results)
        show_cart (self);
      else if (!empty)
        gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
      else if (self->multiplier > 0)
        set_multiplier (self, 0);
      else
        hide_message (self);
      return GDK_EVENT_STOP;

    case GDK_KEY_Delete:
    case GDK_KEY_KP_Delete:
      if (empty && !results)
        {
          remove_selected (self);
          return GDK_EVENT_STOP;
        }
      break;

    case GDK_KEY_plus:
    case GDK_KEY_KP_Add:
      if (empty && !results)
        {
          change_selected_quantity (self, 1);
          return GDK_EVENT_STOP;
        }
      break;

    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      if (empty && !results)
        {
          change_selected_quantity (self, -1);
          return GDK_EVENT_STOP;
        }
      break;

    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

/* ------------------------------------------------------------------ */
/* Actions */

typedef enum {
  EDIT_QUANTITY,
  EDIT_LINE_PRICE,
  EDIT_LINE_DISCOUNT,
  EDIT_SALE_DISCOUNT,
  EDIT_LINE_NOTE,
  EDIT_SALE_NOTE,
} EditKind;

typedef struct {
  PosSalePage *self;
  EditKind     kind;
  guint        position;
} EditData;

/* What a discount or a price was before an edit that needs an approval,
 * to put it back when nobody approves. */
typedef struct {
  PosSalePage     *self;
  EditKind         kind;
  guint            position;
  PosPermission    permission;
  PosDiscountKind  old_kind;
  gint64           old_value;
  gint64           old_price;
} PendingApproval;

static void
on_edit_approved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PendingApproval *p = user_data;
  PosSalePage *self = p->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;

  if (pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      pos_cart_set_approval (self->cart, pos_permission_to_string (p->permission), approval);
      hide_message (self);
    }
  else
    {
      /* nobody approved: back to what it was */
      if (p->kind == EDIT_SALE_DISCOUNT)
        pos_cart_set_discount (self->cart, p->old_kind, p->old_value, NULL);
      else if (p->position < pos_cart_get_n_lines (self->cart) && p->kind == EDIT_LINE_DISCOUNT)
        pos_cart_set_line_discount (self->cart, p->position, p->old_kind, p->old_value, NULL);
      else if (p->position < pos_cart_get_n_lines (self->cart) && p->kind == EDIT_LINE_PRICE)
        pos_cart_set_line_price (self->cart, p->position, p->old_price, NULL);
      show_message (self, error != NULL ? error->message
                                        : _("Not approved: the item is back as it was."), TRUE);
    }
  update_totals (self);
  pos_sale_page_focus_entry (self);
  g_object_unref (self);
  g_free (p);
}

/* After an edit: when the cart now needs a permission the cashier lacks
 * and holds no approval for, ask for one (or undo the edit). */
static void
ask_approval_if_needed (PosSalePage     *self,
                        EditKind         kind,
                        guint            position,
                        PosPermission    permission,
                        PosDiscountKind  old_kind,
                        gint64           old_value,
                        gint64           old_price)
{
  PendingApproval *p;
  const char *what;

  if (!pos_sales_cart_needs (self->db, self->cart, permission) ||
      pos_staff_current_can (self->db, permission) ||
      pos_cart_get_approval (self->cart, pos_permission_to_string (permission)) != NULL)
    return;

  p = g_new0 (PendingApproval, 1);
  p->self = g_object_ref (self);
  p->kind = kind;
  p->position = position;
  p->permission = permission;
  p->old_kind = old_kind;
  p->old_value = old_value;
  p->old_price = old_price;
  what = permission == POS_PERMISSION_PRICE_OVERRIDE
           ? _("A price changed at the counter")
           : _("A discount above the store’s limit");
  pos_approval_dialog_ask_async (get_parent_window (self), self->db, permission, what,
                                 self->cancellable, on_edit_approved, p);
}

static gboolean
parse_discount (PosSalePage     *self,
                const char      *text,
                PosDiscountKind *kind,
                gint64          *value)
{
  g_autofree char *s = g_strstrip (g_strdup (text));

  if (*s == '\0' || g_str_equal (s, "0"))
    {
      *kind = POS_DISCOUNT_NONE;
      *value = 0;
      return TRUE;
    }
  if (strchr (s, '%') != NULL)
    {
      *kind = POS_DISCOUNT_PERCENT;
      return pos_format_parse_percent (s, value);
    }
  *kind = POS_DISCOUNT_AMOUNT;
  return pos_format_parse_money (s, self->currency, value, NULL) && *value > 0;
}

static void
on_edit_answered (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EditData *data = user_data;
  PosSalePage *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = pos_line_editor_ask_finish (result, &error);
  PosDiscountKind kind;
  gint64 value;

  if (text == NULL)
    goto out;

  switch (data->kind)
    {
    case EDIT_QUANTITY:
      {
        PosCartLine *line = data->position < pos_cart_get_n_lines (self->cart)
                            ? pos_cart_get_line (self->cart, data->position) : NULL;

        if (line == NULL)
          break;
        if (!pos_format_parse_quantity (text, self->currency, &value))
          {
            show_message (self, pos_cart_line_get_weighed (line)
                                ? _("That weight is not valid. Type it in kilograms, like 0,512.")
                                : _("That quantity is not valid. Type a number above zero, like 3."), TRUE);
            break;
          }
        if (!pos_cart_line_get_weighed (line) && value % 1000 != 0)
          {
            show_message (self, _("This item is sold by the unit: type a whole number."), TRUE);
            break;
          }
        if (!pos_cart_set_quantity (self->cart, data->position, value, &error))
          show_message (self, error->message, TRUE);
      }
      break;

    case EDIT_LINE_DISCOUNT:
    case EDIT_SALE_DISCOUNT:
      if (!parse_discount (self, text, &kind, &value))
        {
          /* xgettext:no-c-format */
          show_message (self, _("That discount is not valid. Type 10% for a percentage or 5,00 for an amount."), TRUE);
          break;
        }
      if (data->kind == EDIT_LINE_DISCOUNT)
        {
          PosCartLine *line = data->position < pos_cart_get_n_lines (self->cart)
                              ? pos_cart_get_line (self->cart, data->position) : NULL;
          PosDiscountKind old_kind;
          gint64 old_value;

          if (line == NULL)
            break;
          old_kind = pos_cart_line_get_discount_kind (line);
          old_value = pos_cart_line_get_discount_value (line);
          if (!pos_cart_set_line_discount (self->cart, data->position, kind, value, &error))
            show_message (self, error->message, TRUE);
          else
            ask_approval_if_needed (self, EDIT_LINE_DISCOUNT, data->position, POS_PERMISSION_DISCOUNT_ABOVE_LIMIT,
                                    old_kind, old_value, 0);
        }
      else
        {
          PosDiscountKind old_kind = pos_cart_get_discount_kind (self->cart);
          gint64 old_value = pos_cart_get_discount_value (self->cart);

          if (!pos_cart_set_discount (self->cart, kind, value, &error))
            show_message (self, error->message, TRUE);
          else
            ask_approval_if_needed (self, EDIT_SALE_DISCOUNT, 0, POS_PERMISSION_DISCOUNT_ABOVE_LIMIT,
                                    old_kind, old_value, 0);
        }
      break;

    case EDIT_LINE_PRICE:
      {
        PosCartLine *line = data->position < pos_cart_get_n_lines (self->cart)
                            ? pos_cart_get_line (self->cart, data->position) : NULL;
        gint64 old_price;

        if (line == NULL)
          break;
        if (!pos_format_parse_money (text, self->currency, &value, NULL) || value < 0)
          {
            show_message (self, _("That price is not valid. Type it like 12,90."), TRUE);
            break;
          }
        old_price = pos_cart_line_get_unit_price (line);
        if (!pos_cart_set_line_price (self->cart, data->position, value, &error))
          show_message (self, error->message, TRUE);
        else
          ask_approval_if_needed (self, EDIT_LINE_PRICE, data->position, POS_PERMISSION_PRICE_OVERRIDE,
                                  POS_DISCOUNT_NONE, 0, old_price);
      }
      break;

    case EDIT_LINE_NOTE:
      if (data->position < pos_cart_get_n_lines (self->cart))
        pos_cart_set_line_note (self->cart, data->position, *g_strstrip (text) ? text : NULL);
      break;

    case EDIT_SALE_NOTE:
      pos_cart_set_note (self->cart, *g_strstrip (text) ? text : NULL);
      break;

    default:
      break;
    }

  update_totals (self);

out:
  pos_sale_page_focus_entry (self);
  g_object_unref (self);
  g_free (data);
}

static void
ask_edit (PosSalePage *self,
          EditKind     kind)
{
  PosCartLine *line = NULL;
  guint position = 0;
  EditData *data;
  g_autofree char *initial = NULL;
  g_autofree char *body = NULL;
  const char *heading = NULL;

  if (kind != EDIT_SALE_DISCOUNT && kind != EDIT_SALE_NOTE)
    {
      line = get_selected_line (self, &position);
      if (line == NULL)
        {
          show_message (self, _("Select an item first: arrows move through the items."), TRUE);
          return;
        }
    }
  else if (pos_cart_is_empty (self->cart))
    {
      show_message (self, _("The sale is empty: scan a product first."), TRUE);
      return;
    }

  switch (kind)
    {
    case EDIT_QUANTITY:
      if (pos_cart_line_get_fixed_gross (line) >= 0)
        {
          show_message (self, _("This item’s price comes from its label: scan it again or remove it."), TRUE);
          return;
        }
      heading = pos_cart_line_get_weighed (line) ? _("Weight") : _("Quantity");
      initial = pos_format_quantity (pos_cart_line_get_quantity (line), FALSE, self->currency);
      body = g_strdup_printf (pos_cart_line_get_weighed (line)
                              ? _("%s: weight in kilograms.")
                              : _("%s: how many?"), pos_cart_line_get_name (line));
      break;
    case EDIT_LINE_PRICE:
      if (pos_cart_line_get_fixed_gross (line) >= 0)
        {
          show_message (self, _("This item’s price comes from its label: scan it again or remove it."), TRUE);
          return;
        }
      heading = _("Item price");
      {
        g_autofree char *catalog = pos_format_money (pos_cart_line_get_catalog_price (line), self->currency);

        body = g_strdup_printf (_("%s: the price for this sale (the catalog says %s). A price change may need a manager’s approval."),
                                pos_cart_line_get_name (line), catalog);
      }
      initial = pos_format_money (pos_cart_line_get_unit_price (line), self->currency);
      break;
    case EDIT_LINE_DISCOUNT:
      heading = _("Item discount");
      body = g_strdup_printf (_("%s: type 10%% for a percentage or 5,00 for an amount; 0 removes the discount."),
                              pos_cart_line_get_name (line));
      initial = g_strdup ("");
      break;
    case EDIT_SALE_DISCOUNT:
      heading = _("Sale discount");
      /* xgettext:no-c-format */
      body = g_strdup (_("On the whole sale: type 10% for a percentage or 5,00 for an amount; 0 removes the discount."));
      initial = g_strdup ("");
      break;
    case EDIT_LINE_NOTE:
      heading = _("Item note");
      body = g_strdup_printf (_("A note on %s, printed on the receipt."), pos_cart_line_get_name (line));
      initial = g_strdup (pos_cart_line_get_note (line));
      break;
    case EDIT_SALE_NOTE:
      heading = _("Sale note");
      body = g_strdup (_("A note on the sale, printed on the receipt."));
      initial = g_strdup (pos_cart_get_note (self->cart));
      break;
    default:
      g_assert_not_reached ();
    }

  data = g_new0 (EditData, 1);
  data->self = g_object_ref (self);
  data->kind = kind;
  data->position = position;
  pos_line_editor_ask_async (get_parent_window (self), heading, body, initial, _("_Apply"),
                             self->cancellable, on_edit_answered, data);
}

static void
action_focus_entry (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  pos_sale_page_focus_entry (self);
}

static void
action_quantity (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ask_edit (user_data, EDIT_QUANTITY);
}

static void
action_line_price (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ask_edit (user_data, EDIT_LINE_PRICE);
}

static void
action_line_discount (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ask_edit (user_data, EDIT_LINE_DISCOUNT);
}

static void
action_sale_discount (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ask_edit (user_data, EDIT_SALE_DISCOUNT);
}

static void
action_line_note (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ask_edit (user_data, EDIT_LINE_NOTE);
}

static void
action_sale_note (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ask_edit (user_data, EDIT_SALE_NOTE);
}

static void
action_remove_line (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  remove_selected (user_data);
  pos_sale_page_focus_entry (user_data);
}

static void
action_select_previous (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;

  move_selection (self->selection, self->cart_view, -1);
}

static void
action_select_next (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;

  move_selection (self->selection, self->cart_view, 1);
}

static void
action_dismiss_message (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  hide_message (user_data);
  pos_sale_page_focus_entry (user_data);
}

/* Customer */

static void
on_customer_chosen (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PosSalePage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean detach = FALSE;
  PosCustomerSummary *customer = pos_customer_dialog_choose_finish (result, &detach, &error);

  if (error != NULL)
    show_message (self, error->message, TRUE);
  else if (customer != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Customer: %s"), customer->name);

      g_clear_pointer (&self->customer, pos_customer_summary_free);
      self->customer = customer;
      pos_cart_set_customer (self->cart, customer->id, customer->name);
      toast (self, msg);
    }
  else if (detach)
    {
      g_clear_pointer (&self->customer, pos_customer_summary_free);
      pos_cart_set_customer (self->cart, NULL, NULL);
    }

  update_totals (self);
  pos_sale_page_focus_entry (self);
}

static void
action_customer (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  pos_customer_dialog_choose_async (get_parent_window (self), self->db,
                                    pos_cart_get_customer_id (self->cart) != NULL,
                                    self->cancellable, on_customer_chosen, g_object_ref (self));
}

gboolean
pos_sale_page_set_customer (PosSalePage              *self,
                            const PosCustomerSummary *customer)
{
  g_return_val_if_fail (POS_IS_SALE_PAGE (self), FALSE);

  if (self->payment_dialog != NULL)
    {
      show_message (self, _("Finish the payment first: the customer was not attached."), TRUE);
      return FALSE;
    }
  g_clear_pointer (&self->customer, pos_customer_summary_free);
  if (customer != NULL)
    {
      self->customer = pos_customer_summary_copy (customer);
      pos_cart_set_customer (self->cart, customer->id, customer->name);
    }
  else
    pos_cart_set_customer (self->cart, NULL, NULL);
  update_totals (self);
  return TRUE;
}

/* Pay */

static void
on_sale_committed (PosPaymentDialog *dialog,
                   const char       *id,
                   const char       *number,
                   PosSalePage      *self)
{
  /* The sale is saved: the next customer starts with an empty cart while
   * the dialog still shows the change and the receipt. */
  start_new_sale (self);
  g_signal_emit (self, signals[SIGNAL_SALE_COMMITTED], 0, id, number);
}

static void
on_payment_dialog_destroy (GtkWidget   *dialog,
                           PosSalePage *self)
{
  update_totals (self);
  pos_sale_page_focus_entry (self);
}

static void
action_pay (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;
  PosPaymentDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  if (pos_cart_is_empty (self->cart))
    {
      show_message (self, _("The sale is empty: scan a product first."), TRUE);
      return;
    }
  if (self->payment_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->payment_dialog));
      return;
    }

  show_cart (self);
  dialog = pos_payment_dialog_new (get_parent_window (self), self->db, self->cart,
                                   self->customer ? self->customer->store_credit : 0);
  self->payment_dialog = GTK_WIDGET (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->payment_dialog);
  g_signal_connect_object (dialog, "sale-committed", G_CALLBACK (on_sale_committed), self, 0);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_payment_dialog_destroy), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Cancel */

static void
on_cancel_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  g_autoptr(PosSalePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "cancel-sale") == 0)
    {
      if (!pos_sales_record_cancel (self->db, self->cart, _("Cancelled at the counter"), &error))
        {
          g_autofree char *msg = g_strdup_printf (_("The sale was not cancelled: %s"), error->message);

          show_message (self, msg, TRUE);
          return;
        }
      start_new_sale (self);
      toast (self, _("Sale cancelled"));
    }
  pos_sale_page_focus_entry (self);
}

static void
action_cancel (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;
  GtkWidget *dialog;
  PosCartTotals t;
  g_autofree char *total = NULL;
  g_autofree char *body = NULL;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  if (pos_cart_is_empty (self->cart))
    {
      start_new_sale (self);
      return;
    }

  pos_cart_get_totals (self->cart, &t);
  total = pos_format_money (t.total, self->currency);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u line totalling %s will be removed. The cancellation is recorded.",
                                       "%u lines totalling %s will be removed. The cancellation is recorded.",
                                       pos_cart_get_n_lines (self->cart)),
                          pos_cart_get_n_lines (self->cart), total);
  if (pos_cart_get_n_payments (self->cart) > 0)
    {
      g_autofree char *more = g_strconcat (body, " ", _("Payments already taken must be given back to the customer."), NULL);

      g_free (body);
      body = g_steal_pointer (&more);
    }

  dialog = adw_message_dialog_new (get_parent_window (self), _("Cancel this sale?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep the sale"),
                                    "cancel-sale", _("C_ancel the sale"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-sale", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect (dialog, "response", G_CALLBACK (on_cancel_response), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Park and resume */

static void
on_park_label (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PosSalePage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean confirmed = FALSE;
  g_autofree char *label = pos_park_dialog_ask_label_finish (result, &confirmed, &error);
  g_autofree char *id = NULL;

  if (error != NULL)
    {
      show_message (self, error->message, TRUE);
      return;
    }
  if (!confirmed)
    {
      pos_sale_page_focus_entry (self);
      return;
    }

  id = pos_sales_park (self->db, self->cart, label && *label ? label : NULL, &error);
  if (id == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The sale was not parked: %s"), error->message);

      show_message (self, msg, TRUE);
      return;
    }

  start_new_sale (self);
  toast (self, _("Sale parked. Resume it with F9."));
}

static void
action_park (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  if (pos_cart_is_empty (self->cart))
    {
      show_message (self, _("There is nothing to park: the sale is empty."), TRUE);
      return;
    }

  pos_park_dialog_ask_label_async (get_parent_window (self),
                                   pos_cart_get_customer_name (self->cart),
                                   self->cancellable, on_park_label, g_object_ref (self));
}

static void
take_resumed_cart (PosSalePage *self,
                   PosCart     *cart)
{
  const char *customer_id;

  g_clear_pointer (&self->customer, pos_customer_summary_free);
  customer_id = pos_cart_get_customer_id (cart);
  if (customer_id != NULL)
    self->customer = pos_customers_get (self->db, customer_id, NULL);

  set_cart (self, cart);
  hide_message (self);
}

static void
on_resume_chosen (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PosSalePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pos_park_dialog_resume_finish (result, &error);
  g_autoptr(PosCart) cart = NULL;

  if (error != NULL)
    {
      show_message (self, error->message, TRUE);
      return;
    }
  if (id == NULL)
    {
      pos_sale_page_focus_entry (self);
      return;
    }
  if (!pos_cart_is_empty (self->cart))
    {
      show_message (self, _("Finish or park the current sale before resuming another (F8 parks it)."), TRUE);
      return;
    }

  cart = pos_sales_resume (self->db, id, &error);
  if (cart == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("The parked sale could not be resumed: %s"), error->message);

      show_message (self, msg, TRUE);
      return;
    }

  take_resumed_cart (self, cart);
  toast (self, _("Sale resumed"));
  pos_sale_page_focus_entry (self);
}

static void
action_resume (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosSalePage *self = user_data;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-sale", NULL);
  if (!pos_cart_is_empty (self->cart))
    {
      show_message (self, _("Finish or park the current sale before resuming another (F8 parks it)."), TRUE);
      return;
    }

  pos_park_dialog_resume_async (get_parent_window (self), self->db, self->cancellable,
                                on_resume_chosen, g_object_ref (self));
}

static const GActionEntry sale_entries[] = {
  { .name = "focus-entry", .activate = action_focus_entry },
  { .name = "quantity", .activate = action_quantity },
  { .name = "line-price", .activate = action_line_price },
  { .name = "line-discount", .activate = action_line_discount },
  { .name = "sale-discount", .activate = action_sale_discount },
  { .name = "line-note", .activate = action_line_note },
  { .name = "sale-note", .activate = action_sale_note },
  { .name = "remove-line", .activate = action_remove_line },
  { .name = "select-previous", .activate = action_select_previous },
  { .name = "select-next", .activate = action_select_next },
  { .name = "dismiss-message", .activate = action_dismiss_message },
  { .name = "customer", .activate = action_customer },
  { .name = "pay", .activate = action_pay },
  { .name = "cancel", .activate = action_cancel },
  { .name = "park", .activate = action_park },
  { .name = "resume", .activate = action_resume },
};

static void
set_enabled (PosSalePage *self,
             const char  *name,
             gboolean     enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_actions (PosSalePage *self)
{
  gboolean has_lines = self->cart != NULL && !pos_cart_is_empty (self->cart);
  gboolean has_line = get_selected_line (self, NULL) != NULL;

  /* Actions that explain why they cannot run stay enabled (a message
   * beats a dead key); only line edits follow the selection. */
  set_enabled (self, "quantity", has_line);
  set_enabled (self, "line-price", has_line);
  set_enabled (self, "line-discount", has_line);
  set_enabled (self, "line-note", has_line);
  set_enabled (self, "remove-line", has_line);
  set_enabled (self, "sale-discount", has_lines);
  set_enabled (self, "sale-note", has_lines);
  set_enabled (self, "cancel", has_lines);
  gtk_widget_set_sensitive (self->pay_button, has_lines);
}

static void
on_selection_changed (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      PosSalePage       *self)
{
  update_actions (self);
}

/* ------------------------------------------------------------------ */

static void
pos_sale_page_dispose (GObject *object)
{
  PosSalePage *self = POS_SALE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->search_cancellable);
  if (self->payment_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->payment_dialog), (gpointer *) &self->payment_dialog);
      self->payment_dialog = NULL;
    }
  if (self->cart != NULL)
    g_signal_handlers_disconnect_by_func (self->cart, on_cart_changed, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_SALE_PAGE);
  g_clear_object (&self->discount_column);

  g_clear_object (&self->selection);
  g_clear_object (&self->results_selection);
  g_clear_object (&self->results);
  g_clear_object (&self->cart);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (pos_sale_page_parent_class)->dispose (object);
}

static void
pos_sale_page_finalize (GObject *object)
{
  PosSalePage *self = POS_SALE_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_pointer (&self->bound_items, g_ptr_array_unref);
  g_clear_pointer (&self->results_query, g_free);
  g_clear_pointer (&self->customer, pos_customer_summary_free);
  g_clear_pointer (&self->currency, g_free);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (pos_sale_page_parent_class)->finalize (object);
}

static void
pos_sale_page_class_init (PosSalePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_sale_page_dispose;
  object_class->finalize = pos_sale_page_finalize;

  signals[SIGNAL_SALE_COMMITTED] =
    g_signal_new ("sale-committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-sale-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "salepage");

  gtk_widget_class_bind_template_child (widget_class, PosSalePage, root_box);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, entry);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, multiplier_label);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, message_box);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, message_icon);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, message_label);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, left_stack);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, cart_view);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, results_label);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, results_view);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, customer_label);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, customer_detail_label);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, items_value);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, subtotal_value);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, discount_caption);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, discount_value);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, tax_box);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, total_value);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, paid_value);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, note_label);
  gtk_widget_class_bind_template_child (widget_class, PosSalePage, pay_button);
}

static void
pos_sale_page_init (PosSalePage *self)
{
  GtkListItemFactory *factory;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->bound_items = g_ptr_array_new ();

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), sale_entries,
                                   G_N_ELEMENTS (sale_entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "sale", G_ACTION_GROUP (self->actions));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->cart_view), GTK_SELECTION_MODEL (self->selection));

  add_column (self, _("Product"), COLUMN_NAME, TRUE, -1);
  add_column (self, _("Qty"), COLUMN_QUANTITY, FALSE, 84);
  add_column (self, _("Unit price"), COLUMN_PRICE, FALSE, 112);
  self->discount_column = g_object_ref (add_column (self, _("Discount"), COLUMN_DISCOUNT, FALSE, 96));
  add_column (self, _("Total"), COLUMN_TOTAL, FALSE, 112);
  show_discount_column (self, FALSE);

  self->results = g_list_store_new (POS_TYPE_PRODUCT);
  self->results_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->results)));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_result_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_result_bind), self);
  gtk_list_view_set_factory (GTK_LIST_VIEW (self->results_view), factory);
  g_object_unref (factory);
  gtk_list_view_set_model (GTK_LIST_VIEW (self->results_view), GTK_SELECTION_MODEL (self->results_selection));
  g_signal_connect (self->results_view, "activate", G_CALLBACK (on_result_activate), self);

  g_signal_connect (self->entry, "activate", G_CALLBACK (on_entry_activate), self);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed), self);
  gtk_widget_add_controller (self->entry, keys);
}

GtkWidget *
pos_sale_page_new (PosDatabase *db)
{
  g_autoptr(PosStoreInfo) store = NULL;
  g_autoptr(PosCart) cart = NULL;
  PosSalePage *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  self = g_object_new (POS_TYPE_SALE_PAGE, NULL);
  self->db = g_object_ref (db);

  store = pos_database_get_store_info (db, NULL);
  self->currency = g_strdup (store && store->currency ? store->currency : "BRL");
  self->tax_mode = store ? store->tax_mode : POS_TAX_INCLUSIVE;

  cart = pos_cart_new (self->currency, self->tax_mode);
  set_cart (self, cart);

  return GTK_WIDGET (self);
}

GActionGroup *
pos_sale_page_get_action_group (PosSalePage *self)
{
  g_return_val_if_fail (POS_IS_SALE_PAGE (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

PosCart *
pos_sale_page_get_cart (PosSalePage *self)
{
  g_return_val_if_fail (POS_IS_SALE_PAGE (self), NULL);
  return self->cart;
}

void
pos_sale_page_scan (PosSalePage *self,
                    const char  *code)
{
  const char *text;
  const char *rest = NULL;
  gint64 multiplier = self->multiplier;

  g_return_if_fail (POS_IS_SALE_PAGE (self));
  g_return_if_fail (code != NULL);

  if (self->payment_dialog != NULL)
    {
      show_message (self, _("Finish the payment first: the scan was not added."), TRUE);
      return;
    }

  /* "3*" typed in the entry, then the scan */
  text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  if (parse_multiplier (text, &multiplier, &rest) && *rest == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  else if (self->multiplier == 0)
    multiplier = 0;

  show_cart (self);
  add_scanned (self, code, multiplier);
  set_multiplier (self, 0);
  pos_sale_page_focus_entry (self);
}

gboolean
pos_sale_page_take_typed (PosSalePage *self,
                          const char  *text)
{
  int pos;

  g_return_val_if_fail (POS_IS_SALE_PAGE (self), FALSE);

  pos_sale_page_focus_entry (self);
  pos = gtk_editable_get_position (GTK_EDITABLE (self->entry));
  gtk_editable_insert_text (GTK_EDITABLE (self->entry), text, -1, &pos);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), pos);
  return TRUE;
}

void
pos_sale_page_focus_entry (PosSalePage *self)
{
  g_return_if_fail (POS_IS_SALE_PAGE (self));
  gtk_widget_grab_focus (self->entry);
}

char *
pos_sale_page_park_for_lock (PosSalePage  *self,
                             const char   *label,
                             GError      **error)
{
  char *id;

  g_return_val_if_fail (POS_IS_SALE_PAGE (self), NULL);

  if (pos_cart_is_empty (self->cart))
    return NULL;
  id = pos_sales_park (self->db, self->cart, label, error);
  if (id != NULL)
    start_new_sale (self);
  return id;
}

gboolean
pos_sale_page_resume_parked (PosSalePage  *self,
                             const char   *parked_id,
                             GError      **error)
{
  g_autoptr(PosCart) cart = NULL;

  g_return_val_if_fail (POS_IS_SALE_PAGE (self), FALSE);

  if (!pos_cart_is_empty (self->cart))
    return TRUE;
  cart = pos_sales_resume (self->db, parked_id, error);
  if (cart == NULL)
    return FALSE;
  take_resumed_cart (self, cart);
  return TRUE;
}
