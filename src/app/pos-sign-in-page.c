/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "terminal/pos-staff.h"

#include "pos-pin-pad.h"
#include "pos-sign-in-page.h"

struct _PosSignInPage {
  GtkWidget     parent_instance;

  PosDatabase  *db;
  GPtrArray    *staff;          /* PosStaff*, in the flow box's order */
  char         *selected_id;
  GCancellable *cancellable;

  GtkWidget    *content;
  GtkWidget    *store_label;
  GtkWidget    *subtitle_label;
  GtkWidget    *staff_box;
  GtkWidget    *who_label;
  GtkWidget    *pad;
  GtkWidget    *error_label;
  GtkWidget    *spinner;
};

G_DEFINE_FINAL_TYPE (PosSignInPage, pos_sign_in_page, GTK_TYPE_WIDGET)

enum { SIGNED_IN, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
  char    *staff_id;   /* NULL for a badge */
  char    *secret;
} SignInData;

static void
sign_in_data_free (SignInData *d)
{
  g_free (d->staff_id);
  if (d->secret != NULL)
    memset (d->secret, 0, strlen (d->secret));
  g_free (d->secret);
  g_free (d);
}

static void
show_error (PosSignInPage *self,
            const char    *message)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), message);
  gtk_widget_set_visible (self->error_label, message != NULL);
}

static void
set_busy (PosSignInPage *self,
          gboolean       busy)
{
  pos_pin_pad_set_busy (POS_PIN_PAD (self->pad), busy);
  gtk_widget_set_sensitive (self->staff_box, !busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SignInData *d = task_data;
  PosDatabase *db = source;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) staff = NULL;
  PosDatabase *worker = pos_database_acquire_worker (db, &error);

  if (worker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (d->staff_id != NULL)
    staff = pos_staff_sign_in_pin (worker, d->staff_id, d->secret, &error);
  else
    staff = pos_staff_sign_in_badge (worker, d->secret, &error);
  pos_database_release_worker (db, worker);
  if (staff == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (staff->id), g_free);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PosSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  pos_pin_pad_clear (POS_PIN_PAD (self->pad));
  if (id == NULL)
    {
      show_error (self, error->message);
      gtk_widget_error_bell (GTK_WIDGET (self));
      pos_pin_pad_grab_focus (POS_PIN_PAD (self->pad));
      return;
    }
  show_error (self, NULL);
  g_signal_emit (self, signals[SIGNED_IN], 0, id);
}

static void
start_sign_in (PosSignInPage *self,
               const char    *staff_id,
               const char    *secret)
{
  g_autoptr(GTask) task = NULL;
  SignInData *d = g_new0 (SignInData, 1);

  d->staff_id = g_strdup (staff_id);
  d->secret = g_strdup (secret);
  show_error (self, NULL);
  set_busy (self, TRUE);
  task = g_task_new (self->db, self->cancellable, on_signed_in, g_object_ref (self));
  g_task_set_source_tag (task, start_sign_in);
  g_task_set_task_data (task, d, (GDestroyNotify) sign_in_data_free);
  g_task_run_in_thread (task, sign_in_thread);
}

static void
on_submitted (PosPinPad     *pad,
              const char    *text,
              PosSignInPage *self)
{
  if (pos_pin_pad_text_is_badge (text))
    {
      start_sign_in (self, NULL, text);
      return;
    }
  if (self->selected_id == NULL)
    {
      show_error (self, _("Choose your name first, then type your PIN."));
      pos_pin_pad_clear (POS_PIN_PAD (self->pad));
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  start_sign_in (self, self->selected_id, text);
}

static void
select_staff (PosSignInPage *self,
              PosStaff      *s)
{
  g_autofree char *who = NULL;

  g_free (self->selected_id);
  self->selected_id = s != NULL ? g_strdup (s->id) : NULL;
  if (s == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->who_label), _("Choose your name"));
      return;
    }
  who = g_strdup_printf (_("%s, type your PIN"), s->name);
  gtk_label_set_text (GTK_LABEL (self->who_label), who);
  show_error (self, NULL);
  if (!s->has_pin)
    show_error (self, _("You have no PIN yet. A manager sets one in Preferences → Staff."));
  pos_pin_pad_clear (POS_PIN_PAD (self->pad));
  pos_pin_pad_grab_focus (POS_PIN_PAD (self->pad));
}

static void
on_child_activated (GtkFlowBox      *box,
                    GtkFlowBoxChild *child,
                    PosSignInPage   *self)
{
  int index = gtk_flow_box_child_get_index (child);

  if (index >= 0 && (guint) index < self->staff->len)
    select_staff (self, g_ptr_array_index (self->staff, index));
}

static GtkWidget *
make_tile (PosStaff *s)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *avatar = adw_avatar_new (48, s->name, TRUE);
  GtkWidget *name = gtk_label_new (s->name);
  GtkWidget *role = gtk_label_new (pos_role_get_label (s->role));

  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 14);
  gtk_widget_add_css_class (name, "heading");
  gtk_widget_add_css_class (role, "caption");
  gtk_widget_add_css_class (role, "dim-label");
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), role);
  if (s->locked_until > pos_now_ms ())
    {
      GtkWidget *locked = gtk_label_new (_("Locked out"));

      gtk_widget_add_css_class (locked, "caption");
      gtk_widget_add_css_class (locked, "error");
      gtk_box_append (GTK_BOX (box), locked);
    }
  return box;
}

void
pos_sign_in_page_reset (PosSignInPage *self,
                        const char    *staff_id,
                        const char    *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStoreInfo) store = NULL;
  GtkWidget *child;
  PosStaff *preselect = NULL;

  g_return_if_fail (POS_IS_SIGN_IN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, FALSE);

  store = pos_database_get_store_info (self->db, NULL);
  gtk_label_set_text (GTK_LABEL (self->store_label), store != NULL && store->store_name ? store->store_name : _("Balcão"));

  while ((child = gtk_widget_get_first_child (self->staff_box)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->staff_box), child);
  g_clear_pointer (&self->staff, g_ptr_array_unref);
  self->staff = pos_staff_list (self->db, &error);
  if (self->staff == NULL)
    {
      self->staff = g_ptr_array_new ();
      show_error (self, error->message);
    }
  for (guint i = 0; i < self->staff->len; i++)
    {
      PosStaff *s = g_ptr_array_index (self->staff, i);
      g_autofree char *a11y = g_strdup_printf ("%s, %s%s%s", s->name, pos_role_get_label (s->role),
                                               s->locked_until > pos_now_ms () ? ", " : "",
                                               s->locked_until > pos_now_ms () ? _("Locked out") : "");

      gtk_flow_box_append (GTK_FLOW_BOX (self->staff_box), make_tile (s));
      gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (self->staff_box), i)),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      if (g_strcmp0 (s->id, staff_id) == 0)
        {
          preselect = s;
          gtk_flow_box_select_child (GTK_FLOW_BOX (self->staff_box),
                                     gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (self->staff_box), i));
        }
    }
  if (self->staff->len == 0 && error == NULL)
    show_error (self, _("This store has no staff yet. Staff come from the central; run “balcao-ctl staff add” to add someone here."));

  select_staff (self, preselect);
  if (message != NULL)
    show_error (self, message);
  else if (preselect == NULL && self->staff->len > 0)
    show_error (self, NULL);
  pos_pin_pad_grab_focus (POS_PIN_PAD (self->pad));
}

void
pos_sign_in_page_take_badge (PosSignInPage *self,
                             const char    *badge)
{
  g_return_if_fail (POS_IS_SIGN_IN_PAGE (self));
  start_sign_in (self, NULL, badge);
}

static void
pos_sign_in_page_dispose (GObject *object)
{
  PosSignInPage *self = POS_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_SIGN_IN_PAGE);
  G_OBJECT_CLASS (pos_sign_in_page_parent_class)->dispose (object);
}

static void
pos_sign_in_page_finalize (GObject *object)
{
  PosSignInPage *self = POS_SIGN_IN_PAGE (object);

  g_clear_pointer (&self->staff, g_ptr_array_unref);
  g_clear_pointer (&self->selected_id, g_free);
  g_clear_object (&self->db);
  G_OBJECT_CLASS (pos_sign_in_page_parent_class)->finalize (object);
}

static void
pos_sign_in_page_class_init (PosSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_sign_in_page_dispose;
  object_class->finalize = pos_sign_in_page_finalize;

  /* The staff id of who signed in. */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (POS_TYPE_PIN_PAD);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, content);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, store_label);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, staff_box);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, who_label);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, pad);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, PosSignInPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_child_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_submitted);
}

/* Whoever comes to the counter types at once: the PIN entry has the
 * keyboard whenever the page shows. */
static void
on_map (GtkWidget     *widget,
        PosSignInPage *self)
{
  pos_pin_pad_grab_focus (POS_PIN_PAD (self->pad));
}

static void
pos_sign_in_page_init (PosSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (on_map), self);
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
pos_sign_in_page_new (PosDatabase *db)
{
  PosSignInPage *self = g_object_new (POS_TYPE_SIGN_IN_PAGE, NULL);

  self->db = g_object_ref (db);
  return GTK_WIDGET (self);
}
