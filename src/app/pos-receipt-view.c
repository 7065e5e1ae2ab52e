/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "devices/pos-printer.h"
#include "devices/pos-receipt-pdf.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"

#include "pos-receipt-view.h"

/* A receipt on screen: a strip of white "paper", centred, scrolling. The
 * paper holds the PNG the printer's renderer makes (a GtkPicture at its
 * own size, 2 px a point: 453 px for an 80 mm roll, 329 px for 58 mm), a
 * spinner while it is made, or a monospace label (set_text, and the
 * messages). */

#define PREVIEW_DPI 144.0
#define TEXT_COLUMNS 48

struct _PosReceiptView
{
  GtkWidget     parent_instance;

  GtkWidget    *scroller;
  GtkWidget    *stack;      /* "picture" | "text" | "loading" */
  GtkWidget    *picture;
  GtkWidget    *label;
  GtkWidget    *spinner;
  GCancellable *cancellable;
  char         *text;       /* the receipt as text, NULL when none is shown */
};

G_DEFINE_FINAL_TYPE (PosReceiptView, pos_receipt_view, GTK_TYPE_WIDGET)

void
pos_history_css_ensure (void)
{
  static gboolean loaded = FALSE;
  GdkDisplay *display;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded)
    return;
  display = gdk_display_get_default ();
  if (display == NULL)
    return;
  loaded = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/br/balcao/Balcao/history.css");
  /* Above the theme, below the application's style.css (USER priority is
   * for the person's own ~/.config/gtk-4.0/gtk.css). */
  gtk_style_context_add_provider_for_display (display,
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION - 1);
}

/* ------------------------------------------------------------------ */
/* Rendering off the UI thread                                         */

typedef struct {
  char     *key;         /* sale id/number, or shift id/number (NULL: the open one) */
  gboolean  shift;
  gboolean  reprint;
  /* results */
  char     *title;
  char     *text;
  GdkTexture *texture;
  PosReceiptPaper paper;
} Render;

static void
render_free (Render *r)
{
  g_free (r->key);
  g_free (r->title);
  g_free (r->text);
  g_clear_object (&r->texture);
  g_free (r);
}

/* The roll the receipt printer has: 58 mm for 32 columns, else 80 mm (A4
 * printers and no printer show the 80 mm roll too). */
static PosReceiptPaper
paper_for (const PosPrinterSettings *settings)
{
  if (settings->printer != NULL && settings->kind == POS_PRINTER_KIND_ESCPOS_RAW && settings->width <= 32)
    return POS_RECEIPT_PAPER_58MM;
  return POS_RECEIPT_PAPER_80MM;
}

static void
render_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosDatabase *db = g_object_get_data (G_OBJECT (task), "database");
  Render *r = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStoreInfo) store = NULL;
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  PosDatabase *worker = pos_database_acquire_worker (db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  settings = pos_printer_settings_load (worker);
  r->paper = paper_for (settings);
  store = pos_database_get_store_info (worker, &error);
  if (store != NULL && r->shift)
    {
      g_autoptr(PosShiftReport) report = pos_shifts_report (worker, r->key, &error);

      if (report != NULL)
        {
          doc = pos_receipt_doc_new_for_shift (report, store);
          r->title = g_strdup (doc->title);
        }
    }
  else if (store != NULL)
    {
      g_autoptr(PosSaleRecord) record = pos_sales_load (worker, r->key, &error);

      if (record != NULL)
        {
          g_autoptr(PosCustomerSummary) customer = NULL;

          if (record->customer_id != NULL)
            customer = pos_customers_get (worker, record->customer_id, NULL);  /* erased: the name alone */
          doc = pos_receipt_doc_new_for_sale (record, store, customer, r->reprint);
          r->title = g_strdup_printf (g_strcmp0 (record->kind, "return") == 0 ? _("Return %s") : _("Sale %s"),
                                      record->number);
        }
    }
  pos_database_release_worker (db, worker);
  if (doc == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  r->text = pos_receipt_doc_render_text (doc, pos_receipt_paper_columns (r->paper));
  {
    /* decoded here too: a long roll is a few megapixels */
    g_autoptr(GBytes) png = pos_receipt_render_png (doc, r->paper, PREVIEW_DPI, &error);

    if (png != NULL)
      r->texture = gdk_texture_new_from_bytes (png, &error);
  }
  if (r->texture == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
show_message (PosReceiptView *self,
              const char     *message)
{
  g_clear_pointer (&self->text, g_free);
  gtk_label_set_text (GTK_LABEL (self->label), message);
  gtk_widget_add_css_class (self->label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (self->label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->label), 36);
  gtk_label_set_selectable (GTK_LABEL (self->label), FALSE);
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "text");
  gtk_spinner_stop (GTK_SPINNER (self->spinner));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Receipt preview"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
}

static void
scroll_to_top (PosReceiptView *self)
{
  /* Back to the top of the roll for a new receipt. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)), 0);
}

static void
on_rendered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Render *r = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GdkTexture *texture = r->texture;
  PosReceiptView *self;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = POS_RECEIPT_VIEW (source);
      g_debug ("No receipt preview: %s", error->message);
      text = g_strdup_printf (_("The receipt preview is not available: %s"), error->message);
      show_message (self, text);
      return;
    }
  self = POS_RECEIPT_VIEW (source);

  g_free (self->text);
  self->text = g_steal_pointer (&r->text);
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), GDK_PAINTABLE (texture));
  gtk_picture_set_alternative_text (GTK_PICTURE (self->picture), self->text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, r->title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->text, -1);
  gtk_widget_set_tooltip_text (self->picture, NULL);
  gtk_spinner_stop (GTK_SPINNER (self->spinner));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "picture");
  scroll_to_top (self);
  g_debug ("Receipt preview: %s, %d×%d px PNG, %s roll", r->title,
           gdk_texture_get_width (texture), gdk_texture_get_height (texture),
           r->paper == POS_RECEIPT_PAPER_58MM ? "58 mm" : "80 mm");
}

static void
start_render (PosReceiptView *self,
              PosDatabase    *db,
              Render         *r)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_clear_pointer (&self->text, g_free);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "loading");
  gtk_spinner_start (GTK_SPINNER (self->spinner));

  task = g_task_new (self, self->cancellable, on_rendered, NULL);
  g_task_set_source_tag (task, start_render);
  g_task_set_task_data (task, r, (GDestroyNotify) render_free);
  g_object_set_data_full (G_OBJECT (task), "database", g_object_ref (db), g_object_unref);
  g_task_run_in_thread (task, render_thread);
}

void
pos_receipt_view_show_sale (PosReceiptView *self,
                            PosDatabase    *db,
                            const char     *sale,
                            gboolean        reprint)
{
  Render *r;

  g_return_if_fail (POS_IS_RECEIPT_VIEW (self));
  g_return_if_fail (POS_IS_DATABASE (db));
  g_return_if_fail (sale != NULL);

  r = g_new0 (Render, 1);
  r->key = g_strdup (sale);
  r->reprint = reprint;
  start_render (self, db, r);
}

void
pos_receipt_view_show_shift (PosReceiptView *self,
                             PosDatabase    *db,
                             const char     *shift)
{
  Render *r;

  g_return_if_fail (POS_IS_RECEIPT_VIEW (self));
  g_return_if_fail (POS_IS_DATABASE (db));

  r = g_new0 (Render, 1);
  r->key = g_strdup (shift);
  r->shift = TRUE;
  start_render (self, db, r);
}

void
pos_receipt_view_clear (PosReceiptView *self)
{
  g_return_if_fail (POS_IS_RECEIPT_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  show_message (self, _("No receipt to show"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Receipt preview (empty)"), -1);
}

void
pos_receipt_view_set_text (PosReceiptView *self,
                           const char     *text)
{
  g_return_if_fail (POS_IS_RECEIPT_VIEW (self));

  if (text == NULL || *text == '\0')
    {
      pos_receipt_view_clear (self);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_free (self->text);
  self->text = g_strdup (text);
  gtk_widget_remove_css_class (self->label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (self->label), FALSE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->label), -1);
  gtk_label_set_selectable (GTK_LABEL (self->label), TRUE);
  gtk_label_set_text (GTK_LABEL (self->label), text);
  gtk_picture_set_paintable (GTK_PICTURE (self->picture), NULL);
  gtk_spinner_stop (GTK_SPINNER (self->spinner));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "text");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Receipt preview"), -1);
  scroll_to_top (self);
}

const char *
pos_receipt_view_get_text (PosReceiptView *self)
{
  g_return_val_if_fail (POS_IS_RECEIPT_VIEW (self), NULL);

  return self->text;
}

/* ------------------------------------------------------------------ */

static void
pos_receipt_view_dispose (GObject *object)
{
  PosReceiptView *self = POS_RECEIPT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->stack = self->picture = self->label = self->spinner = NULL;

  G_OBJECT_CLASS (pos_receipt_view_parent_class)->dispose (object);
}

static void
pos_receipt_view_finalize (GObject *object)
{
  PosReceiptView *self = POS_RECEIPT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_free (self->text);

  G_OBJECT_CLASS (pos_receipt_view_parent_class)->finalize (object);
}

static void
pos_receipt_view_class_init (PosReceiptViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_receipt_view_dispose;
  object_class->finalize = pos_receipt_view_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "receiptview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  pos_history_css_ensure ();
}

static void
pos_receipt_view_init (PosReceiptView *self)
{
  GtkWidget *paper;

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  paper = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (paper, "receipt-paper");
  gtk_widget_set_halign (paper, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (paper, GTK_ALIGN_START);

  self->stack = gtk_stack_new ();
  gtk_stack_set_vhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_stack_set_hhomogeneous (GTK_STACK (self->stack), FALSE);
  gtk_box_append (GTK_BOX (paper), self->stack);

  /* the image at its own size: 1 image pixel, 1 screen pixel, sharp text */
  self->picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), FALSE);
  gtk_widget_set_halign (self->picture, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->picture, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->picture, "receipt-picture");
  gtk_stack_add_named (GTK_STACK (self->stack), self->picture, "picture");

  self->label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->label, "receipt-text");
  gtk_label_set_xalign (GTK_LABEL (self->label), 0.0f);
  gtk_label_set_yalign (GTK_LABEL (self->label), 0.0f);
  /* Selectable labels take focus; Tab should move past the receipt. */
  gtk_widget_set_focusable (self->label, FALSE);
  gtk_stack_add_named (GTK_STACK (self->stack), self->label, "text");

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_size_request (self->spinner, 32, 32);
  gtk_widget_set_margin_top (self->spinner, 48);
  gtk_widget_set_margin_bottom (self->spinner, 48);
  gtk_widget_set_margin_start (self->spinner, 96);
  gtk_widget_set_margin_end (self->spinner, 96);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Preparing the receipt preview"), -1);
  gtk_stack_add_named (GTK_STACK (self->stack), self->spinner, "loading");

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), paper);

  pos_receipt_view_clear (self);
}

GtkWidget *
pos_receipt_view_new (void)
{
  return g_object_new (POS_TYPE_RECEIPT_VIEW, NULL);
}
