/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <adwaita.h>
#include <check.h>
#include <string.h>
#include <umockdev.h>

#include "app/pos-scanners-page.h"
#include "domain/pos-barcode.h"
#include "ui/pos-app-resources.h"
#include "../unit/sales-fixture.h"
#include "fake-scanner.h"

/* Preferences › Scanners (pos-scanners-page.c) under Xvfb, with fatal
 * criticals, on USB scanners emulated by FakeScanner in a umockdev testbed
 * (LD_PRELOAD=libumockdev-preload.so.0): a known scanner listed with its
 * state, its layout and its switch changing the manager's settings (and
 * the database's); a keyboard that is not a scanner listed apart and made
 * a scanner with "Use as Scanner", then forgotten; "Add a Device by
 * VID:PID…"; the test area's reading of a GTIN, a GS1-128 with its AIM
 * identifier, a scale label, a wrong check digit and a typed scan. */

#define MANAGER_ID   "staff-mgr"
#define SCANNER_ID   "05e0:1200@1-1"
#define KEYBOARD_ID  "1a86:e026@1-2"
#define WAIT_LIMIT_S 30

static char *dir;
static PosDatabase *db;
static UMockdevTestbed *testbed;
static FakeScanner *scanner;
static FakeScanner *keyboard;
static PosScannerManager *manager;
static GtkWidget *window;
static PosScannersPage *page;

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

/* Runs the main loop until cond holds; fails after WAIT_LIMIT_S (a hang,
 * not a timing measure). */
#define WAIT_UNTIL(cond)                                                        \
  G_STMT_START {                                                                \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC; \
                                                                                \
    while (!(cond))                                                             \
      {                                                                         \
        if (g_get_monotonic_time () > deadline_)                                \
          ck_abort_msg ("gave up waiting for " #cond);                          \
        if (!g_main_context_iteration (NULL, FALSE))                            \
          g_usleep (2000);                                                      \
      }                                                                         \
  } G_STMT_END

/* The first descendant of root (root included) of type type whose widget
 * name is name (NULL: any). */
static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row of a device: named after its id. */
static GtkWidget *
device_row (const char *id)
{
  return find_widget (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, id);
}

/* An action row whose title is title. */
static GtkWidget *
row_titled (GtkWidget  *root,
            const char *title)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = row_titled (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
subtitle_of (GtkWidget *row)
{
  return row != NULL ? adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) : NULL;
}

static gboolean
subtitle_has (GtkWidget  *row,
              const char *text)
{
  const char *subtitle = subtitle_of (row);

  return subtitle != NULL && strstr (subtitle, text) != NULL;
}

/* The button of row whose label (or its content's label) is label. */
static GtkWidget *
button_labelled (GtkWidget  *root,
                 const char *label)
{
  if (GTK_IS_BUTTON (root))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (root));

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0 ||
          (ADW_IS_BUTTON_CONTENT (child) &&
           g_strcmp0 (adw_button_content_get_label (ADW_BUTTON_CONTENT (child)), label) == 0))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = button_labelled (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The button of root showing icon. */
static GtkWidget *
button_with_icon (GtkWidget  *root,
                  const char *icon)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (root)), icon) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = button_with_icon (child, icon);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static PosScannerState
state_of (const char *id)
{
  PosScannerDevice *device = pos_scanner_manager_find_device (manager, id);

  return device != NULL ? pos_scanner_device_get_state (device) : (PosScannerState) -1;
}

static gboolean
setting_is (const char *key,
            const char *value)
{
  g_autofree char *got = pos_database_get_setting (db, key);

  return g_strcmp0 (got, value) == 0;
}

static gboolean
setting_is_empty (const char *key)
{
  g_autofree char *got = pos_database_get_setting (db, key);

  return got == NULL || *got == '\0';
}

static gboolean
row_is_scanner (const char *id)
{
  GtkWidget *row = device_row (id);

  return row != NULL && find_widget (row, GTK_TYPE_SWITCH, NULL) != NULL;
}

static gboolean
row_is_keyboard (const char *id)
{
  GtkWidget *row = device_row (id);

  return row != NULL && button_labelled (row, "_Use as Scanner") != NULL;
}

static AdwMessageDialog *
find_dialog (void)
{
  g_autoptr(GList) tops = gtk_window_list_toplevels ();

  for (GList *l = tops; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

/* ------------------------------------------------------------------ */

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  dir = fixture_make_dir ();
  db = fixture_open (dir);
  ck_assert (pos_database_exec (db,
    "INSERT INTO staff (id, store_id, code, name, role) VALUES "
    " ('" MANAGER_ID "', 'store-1', '950', 'Ana Souza', 'manager');"
    "INSERT INTO product_barcodes (code, product_id) VALUES ('7891234567895', 1);"
    "INSERT INTO prices (product_id, amount, currency) VALUES (1, 2590, 'BRL');", &error));
  ck_assert (pos_database_set_setting (db, "staff_id", MANAGER_ID, &error));

  testbed = umockdev_testbed_new ();
  ck_assert_msg (umockdev_in_mock_environment (), "run under umockdev (LD_PRELOAD=libumockdev-preload.so.0)");
  scanner = fake_scanner_new (testbed, FAKE_SCANNER_KEYBOARD, 0x05e0, 0x1200, 1, "Symbol LS2208");
  keyboard = fake_scanner_new (testbed, FAKE_SCANNER_KEYBOARD, 0x1a86, 0xe026, 2, "USB Keyboard");

  manager = pos_scanner_manager_new (db);
  ck_assert_msg (pos_scanner_manager_start (manager, &error), "%s", error ? error->message : "?");
  WAIT_UNTIL (pos_scanner_manager_get_ready (manager));

  page = POS_SCANNERS_PAGE (pos_scanners_page_new_full (manager, db, NULL));
  window = adw_preferences_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 900);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_present (GTK_WINDOW (window));
}

static void
teardown (void)
{
  AdwMessageDialog *dialog;

  while ((dialog = find_dialog ()) != NULL)
    gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  page = NULL;
  pos_scanner_manager_stop (manager);
  g_clear_object (&manager);
  g_clear_pointer (&scanner, fake_scanner_free);
  g_clear_pointer (&keyboard, fake_scanner_free);
  g_clear_object (&testbed);
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

/* ------------------------------------------------------------------ */

START_TEST (test_scanner_settings)
{
  GtkWidget *row;

  WAIT_UNTIL (state_of (SCANNER_ID) == POS_SCANNER_STATE_ACTIVE && subtitle_has (device_row (SCANNER_ID), "Active"));
  row = device_row (SCANNER_ID);
  ck_assert_str_eq (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "Test Devices Symbol LS2208");
  ck_assert (subtitle_has (row, "05e0:1200"));
  ck_assert (subtitle_has (row, "Keyboard mode"));
  ck_assert (row_is_scanner (SCANNER_ID));
  ck_assert (gtk_widget_get_sensitive (find_widget (row, GTK_TYPE_SWITCH, NULL)));

  /* The layout, written to the database. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_widget (row, GTK_TYPE_DROP_DOWN, NULL)), POS_SCANNER_LAYOUT_ABNT2);
  ck_assert_int_eq (pos_scanner_manager_get_layout (manager, 0x05e0, 0x1200), POS_SCANNER_LAYOUT_ABNT2);
  ck_assert (setting_is ("scanner_layouts", "05e0:1200=abnt2"));

  /* Off: released to the system; on again: claimed. */
  gtk_switch_set_active (GTK_SWITCH (find_widget (row, GTK_TYPE_SWITCH, NULL)), FALSE);
  WAIT_UNTIL (state_of (SCANNER_ID) == POS_SCANNER_STATE_DISABLED && subtitle_has (device_row (SCANNER_ID), "Turned off"));
  ck_assert (setting_is ("scanner_disabled_ids", "05e0:1200"));
  ck_assert_uint_ge (fake_scanner_get_releases (scanner), 1);
  gtk_switch_set_active (GTK_SWITCH (find_widget (device_row (SCANNER_ID), GTK_TYPE_SWITCH, NULL)), TRUE);
  WAIT_UNTIL (state_of (SCANNER_ID) == POS_SCANNER_STATE_ACTIVE);
  ck_assert_int_eq (gtk_drop_down_get_selected (GTK_DROP_DOWN (find_widget (device_row (SCANNER_ID), GTK_TYPE_DROP_DOWN, NULL))),
                    POS_SCANNER_LAYOUT_ABNT2);
}
END_TEST

START_TEST (test_keyboard_used_as_scanner)
{
  GtkWidget *button;

  /* A keyboard: listed apart, never claimed. */
  WAIT_UNTIL (row_is_keyboard (KEYBOARD_ID));
  ck_assert_int_eq (state_of (KEYBOARD_ID), POS_SCANNER_STATE_IGNORED);
  ck_assert_uint_eq (fake_scanner_get_claims (keyboard), 0);
  ck_assert (subtitle_has (device_row (KEYBOARD_ID), "a keyboard, left to the system"));

  /* The manager says it is a scanner. */
  g_signal_emit_by_name (button_labelled (device_row (KEYBOARD_ID), "_Use as Scanner"), "clicked");
  WAIT_UNTIL (row_is_scanner (KEYBOARD_ID) && state_of (KEYBOARD_ID) == POS_SCANNER_STATE_ACTIVE);
  ck_assert (setting_is ("scanner_extra_ids", "1a86:e026"));
  ck_assert_uint_ge (fake_scanner_get_claims (keyboard), 1);

  /* And forgets it: back among the keyboards, given back. */
  button = button_with_icon (device_row (KEYBOARD_ID), "user-trash-symbolic");
  ck_assert_ptr_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  WAIT_UNTIL (row_is_keyboard (KEYBOARD_ID) && state_of (KEYBOARD_ID) == POS_SCANNER_STATE_IGNORED);
  ck_assert (setting_is_empty ("scanner_extra_ids"));
}
END_TEST

START_TEST (test_add_by_id)
{
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  g_auto(GStrv) extra = NULL;
  GtkWidget *row;

  WAIT_UNTIL (device_row (SCANNER_ID) != NULL);
  g_signal_emit_by_name (button_labelled (GTK_WIDGET (page), "_Add a Device by VID:PID…"), "clicked");
  WAIT_UNTIL ((dialog = find_dialog ()) != NULL);
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  /* a slip: Enter does nothing */
  gtk_editable_set_text (entry, "05e0");
  g_signal_emit_by_name (find_widget (GTK_WIDGET (entry), GTK_TYPE_TEXT, NULL), "activate");
  ck_assert_ptr_eq (find_dialog (), dialog);

  gtk_editable_set_text (entry, "zz:1");
  ck_assert (!adw_message_dialog_get_response_enabled (dialog, "add"));
  gtk_editable_set_text (entry, "0483:0011");
  ck_assert (adw_message_dialog_get_response_enabled (dialog, "add"));
  /* Enter in the entry: the default response */
  g_signal_emit_by_name (find_widget (GTK_WIDGET (entry), GTK_TYPE_TEXT, NULL), "activate");
  WAIT_UNTIL (find_dialog () == NULL);

  extra = pos_scanner_manager_dup_extra_ids (manager);
  ck_assert_uint_eq (g_strv_length (extra), 1);
  ck_assert_str_eq (extra[0], "0483:0011");
  /* not plugged in: shown so that it can be removed */
  WAIT_UNTIL ((row = row_titled (GTK_WIDGET (page), "0483:0011")) != NULL);
  ck_assert (subtitle_has (row, "not plugged in"));
  g_signal_emit_by_name (button_with_icon (row, "user-trash-symbolic"), "clicked");
  WAIT_UNTIL (row_titled (GTK_WIDGET (page), "0483:0011") == NULL);
  ck_assert (setting_is_empty ("scanner_extra_ids"));
}
END_TEST

static GtkWidget *
test_row (const char *title)
{
  GtkWidget *row = row_titled (GTK_WIDGET (page), title);

  ck_assert_msg (row != NULL, "no row “%s”", title);
  return row;
}

START_TEST (test_test_area)
{
  const PosBarcodeRule *rules;
  guint n_rules;
  g_autofree char *label = NULL;
  gint64 now = g_get_monotonic_time ();

  ck_assert (subtitle_has (test_row ("Code read"), "Nothing scanned yet"));

  /* A plain EAN-13 of a product. */
  {
    g_autoptr(PosScan) scan = pos_scan_new ("7891234567895", NULL, SCANNER_ID, "Symbol LS2208", now);

    pos_scanners_page_show_scan (page, scan);
    ck_assert_str_eq (subtitle_of (test_row ("Code read")), "7891234567895");
    ck_assert (subtitle_has (test_row ("Symbology"), "Not sent by the scanner"));
    ck_assert (subtitle_has (test_row ("Read by"), "Symbol LS2208 · " SCANNER_ID));
    ck_assert (subtitle_has (test_row ("What it means"), "GTIN-13 7891234567895, check digit valid"));
    ck_assert (subtitle_has (test_row ("Product"), "Arroz Tipo Um Cinco Quilos"));
    ck_assert (subtitle_has (test_row ("Product"), "25,90"));
  }

  /* GS1-128 with its AIM identifier, GS shown. */
  {
    g_autoptr(PosScan) scan = pos_scan_new ("0107891234567895\x1d" "10LOT-7", "]C1", SCANNER_ID, "Symbol LS2208", now);

    pos_scanners_page_show_scan (page, scan);
    ck_assert_str_eq (subtitle_of (test_row ("Code read")), "0107891234567895<GS>10LOT-7");
    ck_assert_str_eq (subtitle_of (test_row ("Symbology")), "GS1-128 (]C1)");
    ck_assert (subtitle_has (test_row ("What it means"), "GS1 data:"));
    ck_assert (subtitle_has (test_row ("What it means"), "(01) 07891234567895"));
    ck_assert (subtitle_has (test_row ("What it means"), "(10) LOT-7"));
    ck_assert (subtitle_has (test_row ("Product"), "Arroz"));
  }

  /* A scale label under the store's default rules: 1,234 kg. */
  rules = pos_barcode_default_rules (&n_rules);
  for (guint i = 0; i < n_rules && label == NULL; i++)
    if (g_str_has_prefix (rules[i].pattern, "21"))
      label = pos_barcode_rule_encode (&rules[i], "2112345000000", 1234, NULL);
  ck_assert_ptr_nonnull (label);
  {
    g_autoptr(PosScan) scan = pos_scan_new (label, NULL, SCANNER_ID, "Symbol LS2208", now);

    pos_scanners_page_show_scan (page, scan);
    ck_assert (subtitle_has (test_row ("What it means"), "Store scale label: item 2112345000000, 1,234 kg"));
  }

  /* A wrong check digit, typed by a keyboard-mode scanner. */
  {
    g_autoptr(PosScan) scan = pos_scan_new ("7891234567890", NULL, NULL, NULL, now);

    pos_scanners_page_show_scan (page, scan);
    ck_assert (subtitle_has (test_row ("What it means"), "Not a valid barcode:"));
    ck_assert (subtitle_has (test_row ("Read by"), "typing like a keyboard"));
  }
}
END_TEST

int
main (int   argc,
      char *argv[])
{
  Suite *s = suite_create ("scanners-page");
  TCase *tc = tcase_create ("page");
  SRunner *sr;
  int n;

  g_log_set_writer_func (log_writer, NULL, NULL);
  /* the resources are in a static library: referencing them links them in */
  (void) pos_app_get_resource ();
  gtk_init ();
  adw_init ();

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_scanner_settings);
  tcase_add_test (tc, test_keyboard_used_as_scanner);
  tcase_add_test (tc, test_add_by_id);
  tcase_add_test (tc, test_test_area);
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);

  sr = srunner_create (s);
  /* GTK does not survive fork() once initialized */
  srunner_set_fork_status (sr, CK_NOFORK);
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
