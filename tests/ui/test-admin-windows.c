/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <adwaita.h>
#include <check.h>

#include "app/pos-audit-model.h"
#include "app/pos-audit-window.h"
#include "app/pos-preferences-window.h"
#include "terminal/pos-staff.h"
#include "ui/pos-app-resources.h"
#include "../unit/sales-fixture.h"

/* The manager's windows under Xvfb, with G_DEBUG=fatal-criticals: the
 * audit log (first page, reading the next page when scrolled to the end,
 * filters) and the preferences (staff, a counter setting, a permission
 * toggle, the Add Person form and its inline errors). Each window is
 * saved as a PNG in the folder given as argument. */

#define MANAGER_ID "staff-mgr"
#define N_SALES 500
#define WAIT_LIMIT_S 60

static const char staff_sql[] =
  "INSERT INTO staff (id, store_id, code, name, role, pin_hash) VALUES "
  " ('" MANAGER_ID "', 'store-1', '950', 'Ana Souza', 'manager', '$argon2id$v=19$m=65536,t=3,p=1$x$y'),"
  " ('staff-sup', 'store-1', '250', 'Carlos Lima', 'supervisor', '$argon2id$v=19$m=65536,t=3,p=1$x$y');";

static const char *shots_dir;
static char *dir;
static PosDatabase *db;

/* ------------------------------------------------------------------ */
/* Helpers */

/* Our own warnings are bugs: fail on any (criticals are fatal already). */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  g_log_writer_default (level, fields, n_fields, user_data);
  if ((level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) != 0 &&
      domain != NULL && (g_str_has_prefix (domain, "balcao") || g_str_has_prefix (domain, "Gtk") ||
                         g_str_has_prefix (domain, "Adwaita")))
    {
      g_printerr ("%s logged a warning (above)\n", domain);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until cond holds; fails after WAIT_LIMIT_S (a hang,
 * not a timing measure). */
static void
wait_for (Condition    cond,
          gpointer     data,
          const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        ck_abort_msg ("gave up waiting for %s", what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

static gboolean
idle_done (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                guint         *paints)
{
  (*paints)++;
}

static gboolean
painted_twice (gpointer data)
{
  return *(guint *) data >= 2;
}

/* Lets the window lay out and paint what it shows now. */
static void
settle (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gboolean idle = FALSE;
  guint paints = 0;
  gulong id;

  ck_assert_ptr_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &paints);
  gtk_widget_queue_draw (window);
  wait_for (painted_twice, &paints, "the window to paint");
  g_signal_handler_disconnect (clock, id);
  g_idle_add_full (G_PRIORITY_LOW, idle_done, &idle, NULL);
  wait_for (flag_set, &idle, "the main loop to go idle");
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* The window drawn now, as a PNG: its own snapshot function draws its
 * background and every child, as GTK does for a frame. */
static void
screenshot (GtkWidget  *window,
            const char *name)
{
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t all;

  settle (window);
  ck_assert (gtk_widget_compute_bounds (window, window, &all));
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &all);
  GTK_WIDGET_GET_CLASS (window)->snapshot (window, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  ck_assert_ptr_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node, &all);
  g_mkdir_with_parents (shots_dir, 0755);
  path = g_strdup_printf ("%s/admin-windows-%s.png", shots_dir, name);
  ck_assert_msg (gdk_texture_save_to_png (texture, path), "could not write %s", path);
  g_print ("# screenshot %s\n", path);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             const char *name)
{
  /* not the lists inside drop-downs' popovers */
  if (GTK_IS_POPOVER (root))
    return NULL;
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_row (GtkWidget  *root,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_row (c, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A visible label whose text contains needle. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *needle)
{
  if (!gtk_widget_get_visible (root))
    return NULL;
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), needle) != NULL)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, needle);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
audit (const char *action,
       const char *entity,
       const char *entity_id,
       const char *reason,
       const char *data,
       const char *approver)
{
  g_autoptr(GError) error = NULL;

  if (!pos_database_audit_full (db, action, entity, entity_id, reason, data, approver, &error))
    ck_abort_msg ("audit: %s", error->message);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *yesterday_sql = NULL;
  gint64 yesterday = pos_now_ms () - 26 * 3600 * 1000;

  dir = fixture_make_dir ();
  db = fixture_open (dir);
  if (!pos_database_exec (db, staff_sql, &error) ||
      !pos_database_set_setting (db, "staff_id", MANAGER_ID, &error))
    ck_abort_msg ("fixture: %s", error->message);

  /* Two entries from yesterday (written as the log would have them). */
  yesterday_sql = g_strdup_printf (
      "INSERT INTO audit_log (uuid, occurred_at, terminal_id, staff_id, action, entity, entity_id, reason, data) VALUES "
      " ('0190a0b0-0000-7000-8000-0000000000a1', %" G_GINT64_FORMAT ", 'term-1', 'staff-1', 'shift.open', 'shift', 'shift-0', NULL, NULL),"
      " ('0190a0b0-0000-7000-8000-0000000000a2', %" G_GINT64_FORMAT ", 'term-1', 'staff-1', 'staff.sign_out', 'staff', 'staff-1', NULL, NULL);",
      yesterday, yesterday + 60000);
  if (!pos_database_exec (db, yesterday_sql, &error))
    ck_abort_msg ("fixture: %s", error->message);

  if (!pos_database_begin (db, &error))
    ck_abort_msg ("begin: %s", error->message);
  for (guint i = 0; i < N_SALES; i++)
    {
      g_autofree char *number = g_strdup_printf ("001-01-%06u", i + 1);
      g_autofree char *data = g_strdup_printf ("{\"number\":\"%s\",\"total\":2590}", number);
      g_autofree char *id = g_strdup_printf ("sale-%u", i + 1);

      audit ("sale.create", "sale", id, NULL, data, NULL);
      if (i % 200 == 100)
        audit ("return.create", "return", "ret-1", "Customer changed mind", "{\"number\":\"001-01-R00001\"}", NULL);
    }
  audit ("staff.sign_in", "staff", MANAGER_ID, NULL, NULL, NULL);
  audit ("approval.grant", "approval", "appr-1", "Damaged packaging", "{\"permission\":\"refund\"}", MANAGER_ID);
  audit ("return.create", "return", "ret-2", "Damaged packaging", "{\"number\":\"001-01-R00002\"}", MANAGER_ID);
  if (!pos_database_commit (db, &error))
    ck_abort_msg ("commit: %s", error->message);

  /* and two through the engine: a permission, someone else's PIN */
  if (!pos_role_set_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_NO_SALE, TRUE, &error) ||
      !pos_staff_set_pin (db, "staff-sup", "2580", &error))
    ck_abort_msg ("engine: %s", error->message);
}

static void
teardown (void)
{
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

/* ------------------------------------------------------------------ */
/* The audit log */

typedef struct {
  GListModel *model;
  guint       n;
} ModelWait;

static gboolean
model_has (gpointer data)
{
  ModelWait *w = data;

  return g_list_model_get_n_items (w->model) >= w->n &&
         !pos_audit_model_get_loading (POS_AUDIT_MODEL (w->model));
}

static gboolean
model_done (gpointer data)
{
  return !pos_audit_model_get_loading (data);
}

static void
wait_model (GListModel *model,
            guint       n,
            const char *what)
{
  ModelWait w = { model, n };

  wait_for (model_has, &w, what);
}

static const PosAuditEntry *
entry_at (GListModel *model,
          guint       i)
{
  g_autoptr(PosAuditItem) item = g_list_model_get_item (model, i);

  ck_assert_ptr_nonnull (item);
  return pos_audit_item_get_entry (item);   /* the model keeps it */
}

START_TEST (test_audit_window)
{
  GtkWidget *window = GTK_WIDGET (pos_audit_window_new (NULL, db));
  GtkWidget *list, *kind;
  GtkAdjustment *vadj;
  GListModel *model;
  gint64 previous = G_MAXINT64;
  guint n_total = fixture_count (db, "SELECT count(*) FROM audit_log");
  guint n_sales_returns = fixture_count (db, "SELECT count(*) FROM audit_log WHERE action LIKE 'sale.%' OR action LIKE 'return.%'");
  guint n_approvals = fixture_count (db, "SELECT count(*) FROM audit_log WHERE action LIKE 'approval.%'");
  g_autofree char *oldest = fixture_text (db, "SELECT action FROM audit_log ORDER BY id LIMIT 1");
  g_autoptr(GDateTime) yesterday = g_date_time_new_from_unix_local (pos_now_ms () / 1000 - 26 * 3600);
  g_autofree char *yesterday_date = g_date_time_format (yesterday, "%d/%m/%Y");

  gtk_window_present (GTK_WINDOW (window));
  wait_for (is_mapped, window, "the audit window");
  model = pos_audit_window_get_model (POS_AUDIT_WINDOW (window));
  wait_model (model, 1, "the first page");

  /* a page, newest first */
  ck_assert_uint_eq (g_list_model_get_n_items (model), POS_AUDIT_MODEL_PAGE_SIZE);
  ck_assert_str_eq (entry_at (model, 0)->action, "staff.set_pin");
  ck_assert_str_eq (entry_at (model, 1)->action, "settings.permission");
  ck_assert_str_eq (entry_at (model, 2)->action, "return.create");
  ck_assert_str_eq (entry_at (model, 2)->approver_name, "Ana Souza");
  ck_assert_str_eq (entry_at (model, 3)->action, "approval.grant");
  ck_assert_str_eq (entry_at (model, 4)->action, "staff.sign_in");
  ck_assert_str_eq (entry_at (model, 5)->data, "{\"number\":\"001-01-000500\",\"total\":2590}");
  ck_assert (!pos_audit_model_get_complete (POS_AUDIT_MODEL (model)));

  /* the rows say it in words */
  list = find_widget (window, GTK_TYPE_LIST_VIEW, NULL);
  ck_assert_ptr_nonnull (list);
  settle (window);
  ck_assert_ptr_nonnull (find_label (list, "Ana Souza · approved by Ana Souza"));
  ck_assert_ptr_nonnull (find_label (list, "Reason: Damaged packaging"));
  ck_assert_ptr_nonnull (find_label (list, "001-01-R00002"));
  ck_assert_ptr_nonnull (find_label (list, "Carlos Lima"));          /* whose PIN */
  ck_assert_ptr_nonnull (find_label (list, "Open the drawer without a sale · Cashier"));
  ck_assert_ptr_nonnull (find_label (list, pos_audit_describe_action ("approval.grant")));
  screenshot (window, "audit");

  /* scrolled to the end, the next page is read */
  vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  gtk_adjustment_set_value (vadj, gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj));
  wait_model (model, POS_AUDIT_MODEL_PAGE_SIZE + 1, "the second page");
  ck_assert_uint_gt (g_list_model_get_n_items (model), POS_AUDIT_MODEL_PAGE_SIZE);

  /* and on to the oldest, never twice the same, newest first */
  while (!pos_audit_model_get_complete (POS_AUDIT_MODEL (model)))
    {
      pos_audit_model_load_more (POS_AUDIT_MODEL (model));
      wait_for (model_done, model, "a page");
      ck_assert_ptr_null (pos_audit_model_get_error (POS_AUDIT_MODEL (model)));
    }
  ck_assert_uint_eq (g_list_model_get_n_items (model), n_total);
  for (guint i = 0; i < n_total; i++)
    {
      const PosAuditEntry *e = entry_at (model, i);

      ck_assert_int_lt (e->id, previous);
      previous = e->id;
    }
  ck_assert_str_eq (entry_at (model, n_total - 1)->action, oldest);
  gtk_widget_activate_action (list, "list.scroll-to-item", "u", n_total - 1);
  settle (window);
  ck_assert_ptr_nonnull (find_label (list, pos_audit_describe_action (oldest)));
  /* not today: with the date */
  ck_assert_ptr_nonnull (find_label (list, yesterday_date));
  screenshot (window, "audit-oldest");

  /* Sales & returns: two prefixes merged, a page at a time */
  kind = find_widget (window, GTK_TYPE_DROP_DOWN, NULL);
  ck_assert_ptr_nonnull (kind);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 3);
  model = pos_audit_window_get_model (POS_AUDIT_WINDOW (window));
  wait_model (model, 1, "sales and returns");
  while (!pos_audit_model_get_complete (POS_AUDIT_MODEL (model)))
    {
      pos_audit_model_load_more (POS_AUDIT_MODEL (model));
      wait_for (model_done, model, "a page");
    }
  ck_assert_uint_eq (g_list_model_get_n_items (model), n_sales_returns);
  ck_assert_uint_gt (n_sales_returns, POS_AUDIT_MODEL_PAGE_SIZE);
  previous = G_MAXINT64;
  for (guint i = 0; i < n_sales_returns; i++)
    {
      const PosAuditEntry *e = entry_at (model, i);

      ck_assert (g_str_has_prefix (e->action, "sale.") || g_str_has_prefix (e->action, "return."));
      ck_assert_int_lt (e->id, previous);
      previous = e->id;
    }

  /* Approvals: one */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 2);
  model = pos_audit_window_get_model (POS_AUDIT_WINDOW (window));
  wait_for (model_done, model, "approvals");
  ck_assert_uint_eq (g_list_model_get_n_items (model), n_approvals);
  ck_assert (pos_audit_model_get_complete (POS_AUDIT_MODEL (model)));

  /* Drawer: none */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 5);
  model = pos_audit_window_get_model (POS_AUDIT_WINDOW (window));
  wait_for (model_done, model, "drawer");
  ck_assert_uint_eq (g_list_model_get_n_items (model), 0);
  settle (window);
  ck_assert_ptr_nonnull (find_label (window, "No Entries"));
  screenshot (window, "audit-empty");

  gtk_window_destroy (GTK_WINDOW (window));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Preferences */

static gboolean
staff_exists (gpointer data)
{
  g_autoptr(PosStaff) staff = pos_staff_get (db, data, NULL);

  return staff != NULL;
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static GtkWindow *
find_toplevel (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK's */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (w), title) == 0 && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
toplevel_gone (gpointer data)
{
  return find_toplevel (data) == NULL;
}

static void
type_into (GtkWidget  *root,
           const char *title,
           const char *text)
{
  GtkWidget *row = find_row (root, ADW_TYPE_ENTRY_ROW, title);

  ck_assert_msg (row != NULL, "no row “%s”", title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

START_TEST (test_preferences_window)
{
  GtkWidget *window, *check, *locked, *row, *form, *add, *error_label;
  g_autoptr(GError) error = NULL;
  g_autofree char *setting = NULL;
  g_autofree char *lock_sql = g_strdup_printf (
      "INSERT INTO staff (id, store_id, code, name, role, failed_attempts, locked_until) VALUES "
      " ('staff-locked', 'store-1', '300', 'Beatriz Rocha', 'cashier', 5, %" G_GINT64_FORMAT ");",
      pos_now_ms () + 4 * 60000);

  if (!pos_database_exec (db, lock_sql, &error))
    ck_abort_msg ("fixture: %s", error->message);

  window = GTK_WIDGET (pos_preferences_window_new (NULL, db));
  gtk_window_present (GTK_WINDOW (window));
  wait_for (is_mapped, window, "the preferences window");

  /* the people, with their state */
  ck_assert_ptr_nonnull (find_row (window, ADW_TYPE_ACTION_ROW, "Ana Souza"));
  locked = find_row (window, ADW_TYPE_ACTION_ROW, "Beatriz Rocha");
  ck_assert_ptr_nonnull (locked);
  ck_assert_ptr_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (locked)), "locked out until"));
  ck_assert_ptr_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (locked)), "no PIN"));
  ck_assert_ptr_nonnull (find_label (locked, "Unlock"));
  screenshot (window, "preferences-staff");

  /* a counter setting, saved and audited */
  row = find_row (window, ADW_TYPE_ENTRY_ROW, "Discount limit (%)");
  ck_assert_ptr_nonnull (row);
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (row)), "10");
  gtk_editable_set_text (GTK_EDITABLE (row), "12,5");
  g_signal_emit_by_name (row, "apply");
  setting = pos_database_get_setting (db, "discount_limit_bp");
  ck_assert_str_eq (setting, "1250");
  ck_assert_int_eq (fixture_count (db, "SELECT count(*) FROM audit_log WHERE action = 'settings.change' "
                                       "AND entity_id = 'discount_limit_bp' "
                                       "AND data = '{\"key\":\"discount_limit_bp\",\"old\":null,\"new\":\"1250\"}'"), 1);
  gtk_editable_set_text (GTK_EDITABLE (row), "abc");
  g_signal_emit_by_name (row, "apply");
  ck_assert (gtk_widget_has_css_class (row, "error"));
  g_free (setting);
  setting = pos_database_get_setting (db, "discount_limit_bp");
  ck_assert_str_eq (setting, "1250");

  /* unlock */
  g_signal_emit_by_name (gtk_widget_get_ancestor (find_label (locked, "Unlock"), GTK_TYPE_BUTTON), "clicked");
  ck_assert_int_eq (fixture_count (db, "SELECT coalesce(locked_until, 0) FROM staff WHERE id = 'staff-locked'"), 0);

  /* a permission toggle */
  ck_assert (!pos_role_has_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND));
  check = find_widget (window, GTK_TYPE_CHECK_BUTTON, "refund:cashier");
  ck_assert_ptr_nonnull (check);
  ck_assert (gtk_widget_get_sensitive (check));
  ck_assert (!gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  ck_assert (pos_role_has_permission (db, POS_ROLE_CASHIER, POS_PERMISSION_REFUND));
  ck_assert_int_eq (fixture_count (db, "SELECT count(*) FROM audit_log WHERE action = 'settings.permission'"), 2);
  /* the manager keeps change_settings */
  check = find_widget (window, GTK_TYPE_CHECK_BUTTON, "change_settings:manager");
  ck_assert_ptr_nonnull (check);
  ck_assert (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  ck_assert (!gtk_widget_get_sensitive (check));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "permissions");
  screenshot (window, "preferences-permissions");
  {
    GtkWidget *page = GTK_WIDGET (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (window)));
    GtkWidget *scroller = find_widget (page, GTK_TYPE_SCROLLED_WINDOW, NULL);
    GtkAdjustment *adj;

    ck_assert_ptr_nonnull (scroller);
    adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    ck_assert_ptr_nonnull (find_label (page, "Managers always keep this"));
    screenshot (window, "preferences-permissions-end");
  }
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "staff");

  /* Add Person: two PINs that differ are said inline */
  gtk_widget_activate_action (window, "prefs.add-person", NULL);
  form = GTK_WIDGET (find_toplevel ("Add Person"));
  ck_assert_ptr_nonnull (form);
  wait_for (is_mapped, form, "the Add Person form");
  type_into (form, "Name", "Daniela Costa");
  type_into (form, "Staff number", "410");
  type_into (form, "PIN (4 to 8 digits)", "2580");
  type_into (form, "PIN again", "2581");
  add = gtk_window_get_default_widget (GTK_WINDOW (form));
  ck_assert_ptr_nonnull (add);
  g_signal_emit_by_name (add, "clicked");
  error_label = find_label (form, "not the same");
  ck_assert_ptr_nonnull (error_label);
  screenshot (form, "add-person-error");

  /* a staff number already taken: the engine's words, inline */
  type_into (form, "PIN again", "2580");
  type_into (form, "Staff number", "950");
  g_signal_emit_by_name (add, "clicked");
  wait_for (widget_visible, error_label, "the engine's answer");
  wait_for (is_sensitive, add, "the form to come back");
  ck_assert (gtk_widget_get_visible (error_label));
  ck_assert_ptr_null (find_label (form, "not the same"));

  /* and then it goes in */
  type_into (form, "Staff number", "410");
  g_signal_emit_by_name (add, "clicked");
  wait_for (staff_exists, "410", "the new person");
  wait_for (toplevel_gone, "Add Person", "the form to close");
  settle (window);
  ck_assert_ptr_nonnull (find_row (window, ADW_TYPE_ACTION_ROW, "Daniela Costa"));
  {
    g_autoptr(PosStaff) staff = pos_staff_get (db, "410", NULL);

    ck_assert (staff->has_pin);
    ck_assert_int_eq (staff->role, POS_ROLE_CASHIER);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}
END_TEST

/* A cashier sees the preferences but cannot change them. */
START_TEST (test_preferences_read_only)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *check, *row;

  if (!pos_database_set_setting (db, "staff_id", "staff-sup", &error))
    ck_abort_msg ("%s", error->message);
  window = GTK_WIDGET (pos_preferences_window_new (NULL, db));
  gtk_window_present (GTK_WINDOW (window));
  wait_for (is_mapped, window, "the preferences window");

  check = find_widget (window, GTK_TYPE_CHECK_BUTTON, "refund:cashier");
  ck_assert_ptr_nonnull (check);
  ck_assert (!gtk_widget_get_sensitive (check));
  row = find_row (window, ADW_TYPE_ENTRY_ROW, "Discount limit (%)");
  ck_assert (!gtk_widget_get_sensitive (row));
  ck_assert (!gtk_widget_is_sensitive (find_label (window, "Add Person")));
  ck_assert_ptr_nonnull (find_label (window, "Only someone allowed to manage staff"));
  screenshot (window, "preferences-supervisor");

  gtk_window_destroy (GTK_WINDOW (window));
}
END_TEST

int
main (int   argc,
      char *argv[])
{
  Suite *s = suite_create ("admin-windows");
  TCase *tc = tcase_create ("windows");
  SRunner *sr;
  int n;

  shots_dir = argc > 1 ? argv[1] : ".";
  g_log_set_writer_func (log_writer, NULL, NULL);
  /* the resources are in a static library: referencing them links them in */
  (void) pos_app_get_resource ();
  gtk_init ();
  adw_init ();

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_audit_window);
  tcase_add_test (tc, test_preferences_window);
  tcase_add_test (tc, test_preferences_read_only);
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);

  sr = srunner_create (s);
  /* GTK does not survive fork() once initialized */
  srunner_set_fork_status (sr, CK_NOFORK);
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
