/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-audit.h"
#include "terminal/pos-staff.h"

#include "pos-audit-model.h"
#include "pos-audit-window.h"

/* The kinds of action in the filter, as prefixes of the action names the
 * engine writes (pos_database_audit callers in src/terminal). */
typedef struct {
  const char *label;
  const char *prefixes[4];
} AuditKind;

static const AuditKind kinds[] = {
  { N_("All actions"),     { NULL } },
  { N_("Sign-ins & staff"), { "staff.", NULL } },
  { N_("Approvals"),       { "approval.", NULL } },
  { N_("Sales & returns"), { "sale.", "return.", NULL } },
  { N_("Shifts & cash"),   { "shift.", "cash.", NULL } },
  { N_("Drawer"),          { "drawer.", NULL } },
  { N_("Settings"),        { "settings.", NULL } },
  { N_("Customers"),       { "customer.", NULL } },
  { N_("Sync"),            { "sync.", NULL } },
};

struct _PosAuditWindow
{
  AdwWindow        parent_instance;

  PosDatabase     *db;
  PosAuditModel   *model;
  GtkNoSelection  *selection;
  GPtrArray       *staff_ids;     /* char*, [0] = NULL (everyone) */
  gboolean         error_shown;   /* the model's error was toasted */

  /* template */
  AdwWindowTitle  *window_title;
  GtkSpinner      *header_spinner;
  GtkDropDown     *kind_dropdown;
  GtkDropDown     *staff_dropdown;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkSpinner      *loading_spinner;
  GtkListView     *list_view;
  AdwStatusPage   *empty_page;
};

G_DEFINE_FINAL_TYPE (PosAuditWindow, pos_audit_window, ADW_TYPE_WINDOW)

/* ------------------------------------------------------------------ */
/* Formatting */

static gboolean
is_today (GDateTime *dt)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_get_year (now) == g_date_time_get_year (dt) &&
         g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (dt);
}

/* "14:32:05", and the date ("12/05/2024") when not today. */
static void
format_when (gint64   occurred_ms,
             char   **out_time,
             char   **out_date)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (occurred_ms / 1000);
  g_autoptr(GDateTime) dt = NULL;

  *out_date = NULL;
  if (utc == NULL)
    {
      *out_time = g_strdup ("—");
      return;
    }
  dt = g_date_time_to_local (utc);
  *out_time = g_date_time_format (dt, "%H:%M:%S");
  if (!is_today (dt))
    /* Translators: the date of an audit entry, see strftime(3) */
    *out_date = g_date_time_format (dt, _("%d/%m/%Y"));
}

static const char *
json_string_member (JsonObject *o,
                    const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
      *json_node_get_string (n) == '\0')
    return NULL;
  return json_node_get_string (n);
}

/* What the entry concerns, short: the person it is about, the document
 * number ("001-01-000042"), a permission ("Refund · Cashier"), a setting,
 * else the entity's id (long ids cut; none when it is who acted). */
static char *
format_reference (PosAuditItem *item)
{
  const PosAuditEntry *e = pos_audit_item_get_entry (item);

  if (pos_audit_item_get_subject (item) != NULL)
    return g_strdup (pos_audit_item_get_subject (item));
  if (e->data != NULL && *e->data == '{')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o = NULL;

      if (json_parser_load_from_data (parser, e->data, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        o = json_node_get_object (json_parser_get_root (parser));
      if (o != NULL)
        {
          const char *text;
          PosPermission permission;
          PosRole role;

          if ((text = json_string_member (o, "number")) != NULL ||
              (text = json_string_member (o, "name")) != NULL)
            return g_strdup (text);
          if ((text = json_string_member (o, "permission")) != NULL &&
              pos_permission_from_string (text, &permission))
            {
              if ((text = json_string_member (o, "role")) != NULL && pos_role_from_string (text, &role))
                return g_strdup_printf ("%s · %s", pos_permission_get_label (permission), pos_role_get_label (role));
              return g_strdup (pos_permission_get_label (permission));
            }
          if ((text = json_string_member (o, "key")) != NULL ||
              (text = json_string_member (o, "code")) != NULL)
            return g_strdup (text);
        }
    }
  if (e->entity_id == NULL || *e->entity_id == '\0' ||
      (g_strcmp0 (e->entity, "staff") == 0 && g_strcmp0 (e->entity_id, e->staff_id) == 0))
    return NULL;
  if (g_utf8_strlen (e->entity_id, -1) <= 16)
    return g_strdup (e->entity_id);
  /* a UUID: its last characters tell it apart (UUIDv7 starts with the time) */
  return g_strdup_printf ("…%s", g_utf8_offset_to_pointer (e->entity_id, g_utf8_strlen (e->entity_id, -1) - 8));
}

static char *
format_who (const PosAuditEntry *e)
{
  const char *who = e->staff_name != NULL && *e->staff_name != '\0' ? e->staff_name
                  : e->staff_id != NULL && *e->staff_id != '\0' ? e->staff_id
                  : _("No one signed in");

  if (e->approver_id == NULL || *e->approver_id == '\0')
    return g_strdup (who);
  /* Translators: who did it and who approved it, "Maria · approved by Ana" */
  return g_strdup_printf (_("%s · approved by %s"), who,
                          e->approver_name != NULL ? e->approver_name : e->approver_id);
}

static char *
format_details (const PosAuditEntry *e)
{
  GString *s = g_string_new (e->action);

  if (e->terminal_name != NULL || e->terminal_id != NULL)
    {
      g_string_append_c (s, '\n');
      /* Translators: in an audit entry's tooltip */
      g_string_append_printf (s, _("Terminal: %s"), e->terminal_name != NULL ? e->terminal_name : e->terminal_id);
    }
  if (e->entity != NULL)
    g_string_append_printf (s, "\n%s %s", e->entity, e->entity_id != NULL ? e->entity_id : "");
  if (e->data != NULL && *e->data != '\0')
    g_string_append_printf (s, "\n%s", e->data);
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Rows */

static GtkWidget *
add_label (GtkWidget  *box,
           const char *css1,
           const char *css2)
{
  GtkWidget *w = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (w), 0);
  if (css1 != NULL)
    gtk_widget_add_css_class (w, css1);
  if (css2 != NULL)
    gtk_widget_add_css_class (w, css2);
  gtk_box_append (GTK_BOX (box), w);
  return w;
}

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  GtkWidget *row, *left, *middle, *w;

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (row, 12);
  gtk_widget_set_margin_end (row, 12);
  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);

  left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (left, GTK_ALIGN_START);
  gtk_widget_set_size_request (left, 84, -1);
  add_label (left, "numeric", NULL);                  /* time */
  add_label (left, "caption", "dim-label");           /* date */
  gtk_box_append (GTK_BOX (row), left);

  middle = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (middle, TRUE);
  w = add_label (middle, "heading", NULL);            /* what */
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  w = add_label (middle, NULL, NULL);                 /* who */
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  w = add_label (middle, "caption", "dim-label");     /* reason */
  gtk_label_set_wrap (GTK_LABEL (w), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (w), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (w), 2);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (row), middle);

  w = gtk_label_new (NULL);                           /* document / entity */
  gtk_widget_set_valign (w, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (w), 1);
  gtk_label_set_ellipsize (GTK_LABEL (w), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (w), 32);
  gtk_widget_add_css_class (w, "numeric");
  gtk_widget_add_css_class (w, "dim-label");
  gtk_box_append (GTK_BOX (row), w);

  gtk_list_item_set_child (list_item, row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  PosAuditItem *item = gtk_list_item_get_item (list_item);
  const PosAuditEntry *e = pos_audit_item_get_entry (item);
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *left = gtk_widget_get_first_child (row);
  GtkWidget *middle = gtk_widget_get_next_sibling (left);
  GtkWidget *ref_label = gtk_widget_get_next_sibling (middle);
  GtkWidget *what_label = gtk_widget_get_first_child (middle);
  GtkWidget *who_label = gtk_widget_get_next_sibling (what_label);
  GtkWidget *reason_label = gtk_widget_get_next_sibling (who_label);
  g_autofree char *time = NULL;
  g_autofree char *date = NULL;
  g_autofree char *who = format_who (e);
  g_autofree char *ref = format_reference (item);
  g_autofree char *reason = NULL;
  g_autofree char *details = format_details (e);
  g_autofree char *a11y = NULL;
  const char *what = pos_audit_describe_action (e->action);

  format_when (e->occurred_at, &time, &date);
  if (e->reason != NULL && *e->reason != '\0')
    /* Translators: the reason given for an audited action */
    reason = g_strdup_printf (_("Reason: %s"), e->reason);

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (left)), time);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (left)), date != NULL ? date : "");
  gtk_widget_set_visible (gtk_widget_get_last_child (left), date != NULL);
  gtk_label_set_text (GTK_LABEL (what_label), what);
  gtk_label_set_text (GTK_LABEL (who_label), who);
  gtk_label_set_text (GTK_LABEL (reason_label), reason != NULL ? reason : "");
  gtk_widget_set_visible (reason_label, reason != NULL);
  gtk_label_set_text (GTK_LABEL (ref_label), ref != NULL ? ref : "");
  gtk_widget_set_tooltip_text (row, details);

  a11y = g_strdup_printf ("%s %s, %s, %s%s%s%s%s", date != NULL ? date : "", time, what, who,
                          ref != NULL ? ", " : "", ref != NULL ? ref : "",
                          reason != NULL ? ", " : "", reason != NULL ? reason : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

/* ------------------------------------------------------------------ */
/* The list and its states */

static void
audit_toast (PosAuditWindow *self,
             const char     *text,
             const char     *button_label,
             const char     *action_name)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  if (button_label != NULL)
    {
      adw_toast_set_button_label (toast, button_label);
      adw_toast_set_action_name (toast, action_name);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
filters_narrowed (PosAuditWindow *self)
{
  return gtk_drop_down_get_selected (self->kind_dropdown) > 0 ||
         gtk_drop_down_get_selected (self->staff_dropdown) > 0;
}

static void
update_state (PosAuditWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  gboolean loading = pos_audit_model_get_loading (self->model);
  const GError *error = pos_audit_model_get_error (self->model);

  gtk_spinner_set_spinning (self->header_spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->header_spinner), loading);
  gtk_spinner_set_spinning (self->loading_spinner, loading && n == 0);

  if (error == NULL)
    self->error_shown = FALSE;

  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      if (error != NULL && !loading && !self->error_shown)
        {
          g_autofree char *text = g_strdup_printf (_("Could not read older entries: %s"), error->message);

          self->error_shown = TRUE;
          audit_toast (self, text, _("_Retry"), "audit.load-more");
        }
      return;
    }
  if (loading)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }
  if (error != NULL)
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->empty_page, _("Audit Log Unavailable"));
      adw_status_page_set_description (self->empty_page, error->message);
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "document-open-recent-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Entries"));
      adw_status_page_set_description (self->empty_page,
                                       filters_narrowed (self)
                                       ? _("Nothing recorded matches these filters.")
                                       : _("Nothing was recorded at this terminal yet."));
    }
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
audit_reload (PosAuditWindow *self)
{
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);
  guint person = gtk_drop_down_get_selected (self->staff_dropdown);
  const char *staff_id = NULL;
  const char * const *prefixes = NULL;

  if (kind < G_N_ELEMENTS (kinds))
    prefixes = kinds[kind].prefixes;
  if (person != GTK_INVALID_LIST_POSITION && person < self->staff_ids->len)
    staff_id = g_ptr_array_index (self->staff_ids, person);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  self->error_shown = FALSE;

  self->model = pos_audit_model_new (self->db, prefixes, staff_id);
  g_signal_connect_swapped (self->model, "notify::loading", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->model, "items-changed", G_CALLBACK (update_state), self);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->model));
  update_state (self);
}

static void
on_filter_changed (PosAuditWindow *self)
{
  /* not before the window is filled in */
  if (self->db == NULL || self->model == NULL)
    return;
  audit_reload (self);
}

static void
load_staff (PosAuditWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) staff = pos_staff_list (self->db, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->staff_ids, 0);
  /* Translators: the person filter of the audit log: anyone */
  gtk_string_list_append (names, _("Everyone"));
  g_ptr_array_add (self->staff_ids, NULL);
  if (staff == NULL)
    g_warning ("Could not list the staff for the audit filter: %s", error->message);
  for (guint i = 0; staff != NULL && i < staff->len; i++)
    {
      const PosStaff *p = g_ptr_array_index (staff, i);

      gtk_string_list_append (names, p->name);
      g_ptr_array_add (self->staff_ids, g_strdup (p->id));
    }
  gtk_drop_down_set_model (self->staff_dropdown, G_LIST_MODEL (names));
}

/* ------------------------------------------------------------------ */
/* Actions */

static void
action_reload (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  on_filter_changed (POS_AUDIT_WINDOW (widget));
}

static void
action_load_more (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  PosAuditWindow *self = POS_AUDIT_WINDOW (widget);

  if (self->model != NULL)
    pos_audit_model_load_more (self->model);
}

/* ------------------------------------------------------------------ */

static void
pos_audit_window_dispose (GObject *object)
{
  PosAuditWindow *self = POS_AUDIT_WINDOW (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->model);
  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_AUDIT_WINDOW);

  G_OBJECT_CLASS (pos_audit_window_parent_class)->dispose (object);
}

static void
pos_audit_window_finalize (GObject *object)
{
  PosAuditWindow *self = POS_AUDIT_WINDOW (object);

  g_clear_pointer (&self->staff_ids, g_ptr_array_unref);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (pos_audit_window_parent_class)->finalize (object);
}

static void
pos_audit_window_class_init (PosAuditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_audit_window_dispose;
  object_class->finalize = pos_audit_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-audit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, header_spinner);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, staff_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, PosAuditWindow, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "audit.reload", NULL, action_reload);
  gtk_widget_class_install_action (widget_class, "audit.load-more", NULL, action_load_more);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "audit.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "audit.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
pos_audit_window_init (PosAuditWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->staff_ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (kind_names, _(kinds[i].label));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kind_names));

  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), self);
  gtk_list_view_set_factory (self->list_view, factory);
}

GtkWindow *
pos_audit_window_new (GtkWindow   *parent,
                      PosDatabase *db)
{
  PosAuditWindow *self;
  g_autoptr(PosStoreInfo) info = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  self = g_object_new (POS_TYPE_AUDIT_WINDOW, NULL);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      if (gtk_window_get_application (parent) != NULL)
        gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  self->db = g_object_ref (db);

  info = pos_database_get_store_info (db, NULL);
  if (info != NULL && info->terminal_name != NULL)
    adw_window_title_set_subtitle (self->window_title, info->terminal_name);

  load_staff (self);
  audit_reload (self);
  return GTK_WINDOW (self);
}

void
pos_audit_window_present (GtkWindow   *parent,
                          PosDatabase *db)
{
  gtk_window_present (pos_audit_window_new (parent, db));
}

GListModel *
pos_audit_window_get_model (PosAuditWindow *self)
{
  g_return_val_if_fail (POS_IS_AUDIT_WINDOW (self), NULL);

  return G_LIST_MODEL (self->model);
}
