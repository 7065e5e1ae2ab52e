/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "pos-app-resources.h"
#include "pos-application.h"
#include "pos-window.h"

struct _PosApplication {
  AdwApplication parent_instance;

  char *db_path;
};

G_DEFINE_FINAL_TYPE (PosApplication, pos_application, ADW_TYPE_APPLICATION)

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
  { "win.lock",                { "<Control>l", NULL } },
  { "win.shift-open",          { "<Control><Shift>n", NULL } },
  { "win.cash-in",             { "<Control><Shift>i", NULL } },
  { "win.cash-out",            { "<Control><Shift>o", NULL } },
  { "win.no-sale",             { "<Control><Shift>g", NULL } },
  { "win.x-report",            { "<Control><Shift>x", NULL } },
  { "win.shift-close",         { "<Control><Shift>c", NULL } },
  { "win.audit-log",           { "<Control><Shift>a", NULL } },
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
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

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

static const GActionEntry app_entries[] = {
  { .name = "quit", .activate = on_quit },
  { .name = "about", .activate = on_about },
};

static char *
default_db_path (void)
{
  const char *env = g_getenv ("BALCAO_DATABASE");

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "balcao", "balcao.db", NULL);
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

  return -1;
}

static void
pos_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (pos_application_parent_class)->startup (app);

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
        self->db_path = default_db_path ();
      window = GTK_WINDOW (pos_window_new (self, self->db_path));
      if (g_getenv ("BALCAO_EXIT_AFTER_FIRST_FRAME") != NULL)
        g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), NULL);
    }

  gtk_window_present (window);
}

static void
pos_application_finalize (GObject *object)
{
  PosApplication *self = POS_APPLICATION (object);

  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (pos_application_parent_class)->finalize (object);
}

static void
pos_application_class_init (PosApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pos_application_finalize;
  app_class->handle_local_options = pos_application_handle_local_options;
  app_class->startup = pos_application_startup;
  app_class->activate = pos_application_activate;

  /* The resources live in a static library: referencing them keeps the
   * object (and its registering constructor) in the executable. */
  (void) pos_app_get_resource ();
}

static void
pos_application_init (PosApplication *self)
{
  g_application_add_main_option (G_APPLICATION (self), "database", 'd',
                                 G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME,
                                 _("The terminal's database file (default: $BALCAO_DATABASE, else ~/.local/share/balcao/balcao.db)"),
                                 _("FILE"));
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
