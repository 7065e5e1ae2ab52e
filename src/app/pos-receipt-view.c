/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pos-receipt-view.h"

/* A receipt on screen: a strip of white "paper" as wide as the text (42
 * columns of monospace), centred, scrolling vertically. The label is
 * selectable so a clerk can copy the sale number or the code. */
struct _PosReceiptView
{
  GtkWidget  parent_instance;

  GtkWidget *scroller;
  GtkWidget *label;
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

static void
pos_receipt_view_dispose (GObject *object)
{
  PosReceiptView *self = POS_RECEIPT_VIEW (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->label = NULL;

  G_OBJECT_CLASS (pos_receipt_view_parent_class)->dispose (object);
}

static void
pos_receipt_view_class_init (PosReceiptViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_receipt_view_dispose;

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

  self->label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->label, "receipt-text");
  gtk_label_set_selectable (GTK_LABEL (self->label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->label), 0.0f);
  gtk_label_set_yalign (GTK_LABEL (self->label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (self->label), FALSE);
  /* Selectable labels take focus; Tab should move past the receipt. */
  gtk_widget_set_focusable (self->label, FALSE);
  gtk_box_append (GTK_BOX (paper), self->label);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), paper);

  pos_receipt_view_set_text (self, NULL);
}

GtkWidget *
pos_receipt_view_new (void)
{
  return g_object_new (POS_TYPE_RECEIPT_VIEW, NULL);
}

void
pos_receipt_view_set_text (PosReceiptView *self,
                           const char     *text)
{
  g_return_if_fail (POS_IS_RECEIPT_VIEW (self));

  if (text == NULL || *text == '\0')
    {
      gtk_label_set_text (GTK_LABEL (self->label), _("No receipt to show"));
      gtk_widget_add_css_class (self->label, "dim-label");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Receipt preview (empty)"), -1);
      return;
    }

  gtk_widget_remove_css_class (self->label, "dim-label");
  gtk_label_set_text (GTK_LABEL (self->label), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Receipt preview"), -1);
  /* Back to the top of the roll for a new receipt. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)), 0);
}
