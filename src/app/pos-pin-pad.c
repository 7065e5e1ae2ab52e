/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "domain/pos-pin.h"

#include "pos-pin-pad.h"

struct _PosPinPad {
  GtkWidget  parent_instance;

  GtkWidget *entry;
  GtkWidget *grid;
  gboolean   busy;
};

G_DEFINE_FINAL_TYPE (PosPinPad, pos_pin_pad, GTK_TYPE_WIDGET)

enum { SUBMITTED, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
pos_pin_pad_text_is_badge (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  if (strlen (text) > POS_PIN_MAX_LENGTH)
    return TRUE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p))
      return TRUE;
  return FALSE;
}

static void
submit (PosPinPad *self)
{
  g_autofree char *text = NULL;

  if (self->busy)
    return;
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  if (*text == '\0')
    return;
  g_signal_emit (self, signals[SUBMITTED], 0, text);
}

static void
on_entry_activate (GtkText   *entry,
                   PosPinPad *self)
{
  submit (self);
}

static void
on_key_clicked (GtkButton *button,
                PosPinPad *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "pin-key");

  if (g_str_equal (key, "ok"))
    {
      submit (self);
      return;
    }
  if (g_str_equal (key, "back"))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
      g_autofree char *shorter = g_strndup (text, strlen (text) > 0 ? strlen (text) - 1 : 0);

      gtk_editable_set_text (GTK_EDITABLE (self->entry), shorter);
    }
  else
    {
      int pos = -1;

      if (strlen (gtk_editable_get_text (GTK_EDITABLE (self->entry))) < 32)
        gtk_editable_insert_text (GTK_EDITABLE (self->entry), key, -1, &pos);
    }
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

static GtkWidget *
make_key (PosPinPad  *self,
          const char *key,
          const char *label,
          const char *icon,
          const char *accessible)
{
  GtkWidget *button = icon ? gtk_button_new_from_icon_name (icon) : gtk_button_new_with_label (label);

  gtk_widget_add_css_class (button, "pin-key");
  gtk_widget_set_focusable (button, FALSE);
  g_object_set_data_full (G_OBJECT (button), "pin-key", g_strdup (key), g_free);
  if (accessible != NULL)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      gtk_widget_set_tooltip_text (button, accessible);
    }
  if (g_str_equal (key, "ok"))
    gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_key_clicked), self, 0);
  return button;
}

static void
pos_pin_pad_dispose (GObject *object)
{
  PosPinPad *self = POS_PIN_PAD (object);

  g_clear_pointer (&self->entry, gtk_widget_unparent);
  g_clear_pointer (&self->grid, gtk_widget_unparent);
  G_OBJECT_CLASS (pos_pin_pad_parent_class)->dispose (object);
}

static void
pos_pin_pad_class_init (PosPinPadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_pin_pad_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pinpad");

  /* The PIN or badge as typed, tapped or scanned. */
  signals[SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pos_pin_pad_init (PosPinPad *self)
{
  static const char *digits[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  self->entry = gtk_password_entry_new ();
  gtk_widget_add_css_class (self->entry, "pin-entry");
  gtk_editable_set_alignment (GTK_EDITABLE (self->entry), 0.5);
  g_object_set (self->entry, "placeholder-text", _("PIN or badge"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("PIN"), -1);
  g_signal_connect_object (self->entry, "activate", G_CALLBACK (on_entry_activate), self, 0);
  gtk_widget_set_parent (self->entry, GTK_WIDGET (self));

  self->grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 8);
  gtk_grid_set_row_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_widget_set_halign (self->grid, GTK_ALIGN_CENTER);
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    gtk_grid_attach (GTK_GRID (self->grid), make_key (self, digits[i], digits[i], NULL, NULL), i % 3, i / 3, 1, 1);
  gtk_grid_attach (GTK_GRID (self->grid), make_key (self, "back", NULL, "edit-clear-symbolic", _("Delete the last digit")), 0, 3, 1, 1);
  gtk_grid_attach (GTK_GRID (self->grid), make_key (self, "0", "0", NULL, NULL), 1, 3, 1, 1);
  gtk_grid_attach (GTK_GRID (self->grid), make_key (self, "ok", NULL, "object-select-symbolic", _("Enter")), 2, 3, 1, 1);
  gtk_widget_set_parent (self->grid, GTK_WIDGET (self));
}

GtkWidget *
pos_pin_pad_new (void)
{
  return g_object_new (POS_TYPE_PIN_PAD, NULL);
}

void
pos_pin_pad_clear (PosPinPad *self)
{
  g_return_if_fail (POS_IS_PIN_PAD (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
}

void
pos_pin_pad_set_busy (PosPinPad *self,
                      gboolean   busy)
{
  g_return_if_fail (POS_IS_PIN_PAD (self));
  self->busy = busy;
  gtk_widget_set_sensitive (self->grid, !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->entry), !busy);
}

void
pos_pin_pad_grab_focus (PosPinPad *self)
{
  g_return_if_fail (POS_IS_PIN_PAD (self));
  gtk_widget_grab_focus (self->entry);
}
