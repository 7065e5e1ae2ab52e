/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "devices/pos-scanner.h"

#include "pos-app-resources.h"
#include "pos-application.h"
#include "pos-window.h"

struct _PosApplication {
  AdwApplication parent_instance;

  char *db_path;

  /* This computer's preferences (data/br.balcao.Balcao.gschema.xml); NULL
   * when the schema is not installed: the defaults then. */
  GSettings *settings;
  gboolean   kiosk_option;   /* --kiosk */
  gboolean   kiosk;          /* --kiosk or the 'kiosk' key */

  /* USB scanners (docs/scanners.md), on the window's database */
  PosScannerManager *scanners;
  guint              scanners_idle_id;
  GHashTable        *scanners_told;   /* ids of devices whose lack of permission was told */
};

G_DEFINE_FINAL_TYPE (PosApplication, pos_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_KIOSK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Every accelerator of the application, in one place; the shortcuts
 * window (ui/help-overlay.ui) lists the same. Plain keys (Delete, +, -)
 * are handled by the sale page's entry and cart, not here: application
 * accelerators run before the focused entry sees a key. */
static const struct {
  const char *action;
  const char *accels[4];
} accels[] = {
  { "app.quit",                { "<Control>q", NULL } },
  { "win.sync-now",            { "<Control><Shift>s", NULL } },
  { "win.sync-details",        { "<Control><Shift>d", NULL } },
  { "win.sync-enroll",         { "<Control><Shift>e", NULL } },
  { "win.show-sale",           { "<Control>1", "F10", NULL } },
  { "win.show-history",        { "<Control>2", "F11", NULL } },
  { "win.show-pickups",        { "<Control>3", NULL } },
  { "win.show-customers",      { "<Control>4", NULL } },
  { "win.lock",                { "<Control>l", NULL } },
  { "win.shift-open",          { "<Control><Shift>n", NULL } },
  { "win.cash-in",             { "<Control><Shift>i", NULL } },
  { "win.cash-out",            { "<Control><Shift>o", NULL } },
  { "win.no-sale",             { "<Control><Shift>g", NULL } },
  { "win.x-report",            { "<Control><Shift>x", NULL } },
  { "win.shift-close",         { "<Control><Shift>c", NULL } },
  { "win.audit-log",           { "<Control><Shift>a", NULL } },
  { "win.online-return",       { "<Control><Shift>r", NULL } },
  { "win.preferences",         { "<Control>comma", NULL } },
  { "sale.focus-entry",        { "F2", "<Control>f", NULL } },
  { "sale.quantity",           { "F4", NULL } },
  { "sale.line-note",          { "F5", NULL } },
  { "sale.sale-note",          { "<Shift>F5", NULL } },
  { "sale.line-price",         { "F3", NULL } },
  { "sale.line-discount",      { "F6", NULL } },
  { "sale.sale-discount",      { "<Shift>F6", NULL } },
  { "sale.customer",           { "F7", NULL } },
  { "sale.park",               { "F8", NULL } },
  { "sale.resume",             { "F9", NULL } },
  { "sale.pay",                { "F12", NULL } },
  { "sale.cancel",             { "<Control>Delete", NULL } },
  { "sale.remove-line",        { "<Shift>Delete", NULL } },
  { "sale.select-previous",    { "<Control>Up", NULL } },
  { "sale.select-next",        { "<Control>Down", NULL } },
};

static void
on_quit (GSimpleAction *action,
         GVariant      *param,
         gpointer       user_data)
{
  PosApplication *self = POS_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Kiosk mode: only a manager closes the counter (the window's
   * kiosk-quit asks for their approval). */
  if (self->kiosk)
    {
      for (GList *l = windows; l != NULL; l = l->next)
        if (POS_IS_WINDOW (l->data))
          {
            g_action_group_activate_action (G_ACTION_GROUP (l->data), "kiosk-quit", NULL);
            return;
          }
    }

  /* Close the windows; the application ends with the last one. A window
   * may first ask (operations not sent to the central yet). */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

static void
on_about (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (app);
  const char *developers[] = { _("Balcão contributors"), NULL };

  adw_show_about_window (parent,
                         "application-name", _("Balcão"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Point of sale for the store counter"),
                         NULL);
}

/* The counter's window (not the preferences or a dialog on top of it). */
static PosWindow *
counter_window (PosApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (POS_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* app.scanner-help("05e0:1200@1-1"): what is wrong with a scanner, and
 * the fix, in full. */
static void
on_scanner_help (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  PosApplication *self = user_data;
  PosScannerDevice *device = NULL;
  PosWindow *window = counter_window (self);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (self->scanners != NULL)
    device = pos_scanner_manager_find_device (self->scanners, g_variant_get_string (param, NULL));
  if (device == NULL || pos_scanner_device_get_error_message (device) == NULL)
    return;

  heading = g_strdup_printf (_("Scanner “%s”"), pos_scanner_device_get_name (device));
  dialog = adw_message_dialog_new (window != NULL ? GTK_WINDOW (window) : NULL, heading,
                                   pos_scanner_device_get_error_message (device));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static const GActionEntry app_entries[] = {
  { .name = "quit", .activate = on_quit },
  { .name = "about", .activate = on_about },
  { .name = "scanner-help", .activate = on_scanner_help, .parameter_type = "s" },
};

/* ---- USB scanners ---- */

static void
on_usb_scanned (PosScannerManager *manager,
                PosScan           *scan,
                PosApplication    *self)
{
  PosWindow *window = counter_window (self);

  g_debug ("USB scan from %s: %s", pos_scan_get_device_id (scan), pos_scan_get_text (scan));
  if (window != NULL)
    pos_window_route_usb_scan (window, scan);
}

static void
tell_no_permission (PosApplication   *self,
                    PosScannerDevice *device)
{
  PosWindow *window = counter_window (self);
  AdwToast *toast;

  if (window == NULL)
    return;
  g_debug ("Told: scanner %s has no permission", pos_scanner_device_get_id (device));
  /* short enough for one line of a toast; Details has it in full */
  toast = adw_toast_new (_("No permission to read a scanner: install the udev rule, join the “scanner” group "
                           "(docs/scanners.md)"));
  /* long enough to read; the Details and Preferences › Scanners keep it */
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "app.scanner-help");
  adw_toast_set_action_target_value (toast, g_variant_new_string (pos_scanner_device_get_id (device)));
  pos_window_show_toast (window, toast);
}

static gboolean
not_present (gpointer key,
             gpointer value,
             gpointer present)
{
  return !g_hash_table_contains (present, key);
}

/* Once per device that appears without permission, not at every change
 * of the list; plugged in again, it is told again. */
static void
on_scanners_changed (PosScannerManager *manager,
                     PosApplication    *self)
{
  GListModel *devices = pos_scanner_manager_get_devices (manager);
  g_autoptr(GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PosScannerDevice) device = g_list_model_get_item (devices, i);
      const char *id = pos_scanner_device_get_id (device);

      g_hash_table_add (present, g_strdup (id));
      if (pos_scanner_device_get_state (device) == POS_SCANNER_STATE_NO_PERMISSION &&
          !g_hash_table_contains (self->scanners_told, id))
        {
          g_hash_table_add (self->scanners_told, g_strdup (id));
          tell_no_permission (self, device);
        }
    }
  g_hash_table_foreach_remove (self->scanners_told, not_present, present);
}

/* After the window opened its database and showed itself. Without USB
 * here, keyboard-wedge scanning still works. */
static gboolean
start_scanners_idle (gpointer user_data)
{
  PosApplication *self = user_data;
  PosWindow *window = counter_window (self);
  PosDatabase *db = window != NULL ? pos_window_get_database (window) : NULL;
  g_autoptr(GError) error = NULL;

  self->scanners_idle_id = 0;
  if (db == NULL)
    return G_SOURCE_REMOVE;
  self->scanners = pos_scanner_manager_new (db);
  g_signal_connect_object (self->scanners, "scanned", G_CALLBACK (on_usb_scanned), self, 0);
  g_signal_connect_object (self->scanners, "devices-changed", G_CALLBACK (on_scanners_changed), self, 0);
  if (!pos_scanner_manager_start (self->scanners, &error))
    g_info ("USB scanners are not read: %s", error->message);
  return G_SOURCE_REMOVE;
}

/* ---- This computer's preferences ---- */

/* Every key read here: a schema from another version that lacks one is
 * not used (GSettings aborts on a key it does not know). */
static const char * const settings_keys[] = {
  "kiosk", "database-path", "window-width", "window-height", "window-maximized",
};

/* The schema from the installed ones, or $GSETTINGS_SCHEMA_DIR (the build
 * tree's data/ in the tests); NULL without it: GSettings would abort. */
static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_info ("The GSettings schema %s is not installed: running on the default preferences", APPLICATION_ID);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (settings_keys); i++)
    if (!g_settings_schema_has_key (schema, settings_keys[i]))
      {
        g_info ("The installed GSettings schema %s has no key “%s”: running on the default preferences",
                APPLICATION_ID, settings_keys[i]);
        return NULL;
      }
  return g_settings_new_full (schema, NULL, NULL);
}

/* $BALCAO_DATABASE, else the 'database-path' key, else the user's data
 * folder (--database comes before all of them). */
static char *
default_db_path (PosApplication *self)
{
  const char *env = g_getenv ("BALCAO_DATABASE");
  g_autofree char *setting = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  if (self->settings != NULL)
    setting = g_settings_get_string (self->settings, "database-path");
  if (setting != NULL && *setting != '\0')
    return g_canonicalize_filename (setting, NULL);

  return g_build_filename (g_get_user_data_dir (), "balcao", "balcao.db", NULL);
}

/* The window as it was last closed (not in kiosk mode: full screen). With
 * no size kept, the window keeps the screen's size (pos_window_new). */
static void
restore_window_state (PosApplication *self,
                      GtkWindow      *window)
{
  int width, height;

  if (self->settings == NULL || self->kiosk)
    return;
  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (window, width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (window);
}

/* Run after the window's own close-request, so only when it closes. */
static gboolean
on_window_close_request (GtkWindow      *window,
                         PosApplication *self)
{
  int width, height;

  if (self->settings == NULL || self->kiosk)
    return FALSE;
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);
  return FALSE;
}

static int
pos_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  PosApplication *self = POS_APPLICATION (app);
  g_autofree char *path = NULL;

  if (g_variant_dict_lookup (options, "database", "^ay", &path))
    {
      g_free (self->db_path);
      self->db_path = g_canonicalize_filename (path, NULL);
    }
  if (g_variant_dict_contains (options, "kiosk"))
    self->kiosk_option = TRUE;

  return -1;
}

static void
pos_application_startup (GApplication *app)
{
  PosApplication *self = POS_APPLICATION (app);

  G_APPLICATION_CLASS (pos_application_parent_class)->startup (app);

  self->settings = load_settings ();
  self->kiosk = self->kiosk_option ||
                (self->settings != NULL && g_settings_get_boolean (self->settings, "kiosk"));
  if (self->kiosk)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIOSK]);
  /* data/icons, installed in the hicolor theme */
  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries,
                                   G_N_ELEMENTS (app_entries), app);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app),
                                           accels[i].action,
                                           accels[i].accels);

  /* A cash register is used in a lit shop: follow the system, default light. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_PREFER_LIGHT);
}

/* For the start-up benchmark (tests/bench/bench-startup.c): with
 * BALCAO_EXIT_AFTER_FIRST_FRAME set, print "first-frame" once the window has
 * painted its first frame, and quit. */
static void
first_frame_painted_cb (GdkFrameClock *clock,
                        GtkWindow     *window)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted_cb, window);
  g_print ("first-frame\n");
  g_application_quit (g_application_get_default ());
}

static void
window_mapped_cb (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (first_frame_painted_cb), window);
}

static void
pos_application_activate (GApplication *app)
{
  PosApplication *self = POS_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      if (self->db_path == NULL)
        self->db_path = default_db_path (self);
      window = GTK_WINDOW (pos_window_new (self, self->db_path));
      restore_window_state (self, window);
      g_signal_connect_object (window, "close-request", G_CALLBACK (on_window_close_request), self,
                               G_CONNECT_AFTER);
      self->scanners_idle_id = g_idle_add_full (G_PRIORITY_LOW, start_scanners_idle, self, NULL);
      if (g_getenv ("BALCAO_EXIT_AFTER_FIRST_FRAME") != NULL)
        g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), NULL);
    }

  gtk_window_present (window);
}

/* Gives the scanners back to the system before the windows go. */
static void
pos_application_shutdown (GApplication *app)
{
  PosApplication *self = POS_APPLICATION (app);

  g_clear_handle_id (&self->scanners_idle_id, g_source_remove);
  if (self->scanners != NULL)
    {
      pos_scanner_manager_stop (self->scanners);
      g_clear_object (&self->scanners);
    }

  G_APPLICATION_CLASS (pos_application_parent_class)->shutdown (app);
}

static void
pos_application_finalize (GObject *object)
{
  PosApplication *self = POS_APPLICATION (object);

  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->scanners_told, g_hash_table_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pos_application_parent_class)->finalize (object);
}

static void
pos_application_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PosApplication *self = POS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_KIOSK:
      g_value_set_boolean (value, self->kiosk);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_application_class_init (PosApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pos_application_finalize;
  object_class->get_property = pos_application_get_property;
  app_class->handle_local_options = pos_application_handle_local_options;
  app_class->startup = pos_application_startup;
  app_class->activate = pos_application_activate;
  app_class->shutdown = pos_application_shutdown;

  /**
   * PosApplication:kiosk:
   *
   * Kiosk mode, for counter PCs (--kiosk or the GSettings key 'kiosk'):
   * the window fills the screen without window controls and only a
   * manager may close it. Known after startup.
   */
  properties[PROP_KIOSK] =
    g_param_spec_boolean ("kiosk", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The resources live in a static library: referencing them keeps the
   * object (and its registering constructor) in the executable. */
  (void) pos_app_get_resource ();
}

static void
pos_application_init (PosApplication *self)
{
  self->scanners_told = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_application_add_main_option (G_APPLICATION (self), "database", 'd',
                                 G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME,
                                 _("The terminal's database file (default: $BALCAO_DATABASE, else ~/.local/share/balcao/balcao.db)"),
                                 _("FILE"));
  g_application_add_main_option (G_APPLICATION (self), "kiosk", 0,
                                 G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
                                 _("Kiosk mode for a counter PC: full screen, no window controls, only a manager can close it"),
                                 NULL);
}

PosApplication *
pos_application_new (void)
{
  return g_object_new (POS_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/br/balcao/Balcao",
                       NULL);
}

const char *
pos_application_get_db_path (PosApplication *self)
{
  g_return_val_if_fail (POS_IS_APPLICATION (self), NULL);
  return self->db_path;
}

PosScannerManager *
pos_application_get_scanner_manager (PosApplication *self)
{
  g_return_val_if_fail (POS_IS_APPLICATION (self), NULL);
  return self->scanners;
}
