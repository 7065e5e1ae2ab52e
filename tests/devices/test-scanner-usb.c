/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-scanner-usb"

#include "config.h"

#include <check.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <umockdev.h>
#include <unistd.h>

#include "devices/pos-scanner.h"
#include "domain/pos-barcode.h"
#include "fake-scanner.h"
#include "test-tmpdir.h"

/* The scanner manager through libusb, on devices emulated by umockdev:
 * ioctl scripts (tests/fixtures/usb, made by make-usb-fixtures.py) replay
 * recorded reports; FakeScanner answers on demand where timing matters.
 * Runs with LD_PRELOAD=libumockdev-preload.so.0 (tests/devices/meson.build). */

#define FIXTURE_SYSPATH "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"
#define FIXTURE_NODE    "/dev/bus/usb/001/002"
#define HIDPOS_NODE     "/dev/bus/usb/001/004"

typedef struct {
  UMockdevTestbed   *testbed;
  PosScannerManager *manager;
  PosDatabase       *database;
  char              *tmpdir;
  GPtrArray         *scans;
  guint              devices_changed;
} Fixture;

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until cond holds (15 s at most: then fails). */
#define WAIT_UNTIL(cond)                                                      \
  G_STMT_START {                                                              \
    gint64 deadline_ = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;         \
    guint tick_ = g_timeout_add (10, wake_up, NULL);                          \
                                                                              \
    while (!(cond) && g_get_monotonic_time () < deadline_)                    \
      g_main_context_iteration (NULL, TRUE);                                  \
    g_source_remove (tick_);                                                  \
    ck_assert_msg ((cond), "timed out waiting for " #cond);                   \
  } G_STMT_END

static char *
fixture_path (const char *name)
{
  const char *source = g_getenv ("BALCAO_SOURCE_DIR");

  ck_assert_ptr_nonnull (source);
  return g_build_filename (source, "tests", "fixtures", "usb", name, NULL);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->testbed = umockdev_testbed_new ();
  ck_assert_msg (umockdev_in_mock_environment (), "run under umockdev (LD_PRELOAD=libumockdev-preload.so.0)");
  f->scans = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_scan_unref);
  return f;
}

static PosDatabase *
fixture_database (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (f->database == NULL)
    {
      f->tmpdir = test_tmpdir_new ();
      path = g_build_filename (f->tmpdir, "balcao.db", NULL);
      f->database = pos_database_open (path, &error);
      ck_assert_msg (f->database != NULL, "%s", error ? error->message : "?");
    }
  return f->database;
}

static void
on_scanned (PosScannerManager *manager,
            PosScan           *scan,
            Fixture           *f)
{
  g_ptr_array_add (f->scans, pos_scan_ref (scan));
}

static void
on_devices_changed (PosScannerManager *manager,
                    Fixture           *f)
{
  f->devices_changed++;
}

static void
fixture_manager (Fixture  *f,
                 gboolean  use_hotplug,
                 gboolean  read_devices)
{
  g_clear_object (&f->manager);
  f->manager = g_object_new (POS_TYPE_SCANNER_MANAGER,
                             "database", f->database,
                             "use-hotplug", use_hotplug,
                             "read-devices", read_devices,
                             "poll-interval-ms", 100,
                             NULL);
  g_signal_connect (f->manager, "scanned", G_CALLBACK (on_scanned), f);
  g_signal_connect (f->manager, "devices-changed", G_CALLBACK (on_devices_changed), f);
}

static void
fixture_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  if (f->manager == NULL)
    fixture_manager (f, TRUE, TRUE);
  ck_assert_msg (pos_scanner_manager_start (f->manager, &error), "%s", error ? error->message : "?");
  ck_assert (pos_scanner_manager_get_running (f->manager));
  WAIT_UNTIL (pos_scanner_manager_get_ready (f->manager));
}

static void
fixture_free (Fixture *f)
{
  g_clear_object (&f->manager);
  g_clear_object (&f->database);
  if (f->tmpdir != NULL)
    test_tmpdir_remove (f->tmpdir);
  g_free (f->tmpdir);
  g_ptr_array_unref (f->scans);
  g_clear_object (&f->testbed);
  g_free (f);
}

/* Plugs in a scripted device: the script first, so that libusb, told by
 * the "add" uevent, opens a device that already answers. */
static void
plug_script (Fixture    *f,
             const char *umockdev_name,
             const char *node,
             const char *ioctl_name)
{
  g_autofree char *device = fixture_path (umockdev_name);
  g_autofree char *script = fixture_path (ioctl_name);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (umockdev_testbed_load_ioctl (f->testbed, node, script, &error), "%s",
                 error ? error->message : "?");
  ck_assert_msg (umockdev_testbed_add_from_file (f->testbed, device, &error), "%s",
                 error ? error->message : "?");
}

static void
plug_keyboard_script (Fixture    *f,
                      const char *ioctl_name)
{
  plug_script (f, "boot-keyboard-scanner.umockdev", FIXTURE_NODE, ioctl_name);
}

static void
unplug_script (Fixture    *f,
               const char *syspath)
{
  umockdev_testbed_uevent (f->testbed, syspath, "remove");
  umockdev_testbed_remove_device (f->testbed, syspath);
}

static PosScannerDevice *
find_device (Fixture    *f,
             const char *vid_pid)
{
  GListModel *devices = pos_scanner_manager_get_devices (f->manager);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PosScannerDevice) device = g_list_model_get_item (devices, i);

      if (g_strcmp0 (pos_scanner_device_get_vid_pid (device), vid_pid) == 0)
        return device;   /* the list keeps it */
    }
  return NULL;
}

static gboolean
device_in_state (Fixture         *f,
                 const char      *vid_pid,
                 PosScannerState  state)
{
  PosScannerDevice *device = find_device (f, vid_pid);

  return device != NULL && pos_scanner_device_get_state (device) == state;
}

static PosScan *
scan_at (Fixture *f,
         guint    index)
{
  WAIT_UNTIL (f->scans->len > index);
  return g_ptr_array_index (f->scans, index);
}

static void
assert_scan (PosScan    *scan,
             const char *text,
             const char *aim,
             const char *symbology)
{
  ck_assert_str_eq (pos_scan_get_text (scan), text);
  if (aim == NULL)
    ck_assert_ptr_null (pos_scan_get_aim_id (scan));
  else
    ck_assert_str_eq (pos_scan_get_aim_id (scan), aim);
  if (symbology == NULL)
    ck_assert_ptr_null (pos_scan_get_symbology (scan));
  else
    ck_assert_str_eq (pos_scan_get_symbology (scan), symbology);
}

/* ---- keyboard scanners, scripted ---- */

START_TEST (test_fixture_scan)
{
  Fixture *f = fixture_new ();
  PosScannerDevice *device;
  PosScan *scan;
  g_autoptr(PosBarcode) barcode = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  gint64 before = g_get_monotonic_time ();

  /* Plugged in before the manager starts. */
  plug_keyboard_script (f, "boot-keyboard-scanner.ioctl");
  fixture_start (f);

  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));
  device = find_device (f, "05e0:1200");
  ck_assert_str_eq (pos_scanner_device_get_id (device), "05e0:1200@1-1");
  ck_assert_str_eq (pos_scanner_device_get_name (device), "Fake Scanners Inc. HID Barcode Scanner");
  ck_assert_int_eq (pos_scanner_device_get_kind (device), POS_SCANNER_KIND_KEYBOARD);
  ck_assert_uint_eq (pos_scanner_device_get_vendor_id (device), 0x05e0);
  ck_assert_uint_eq (pos_scanner_device_get_product_id (device), 0x1200);
  ck_assert_uint_eq (pos_scanner_device_get_bus (device), 1);
  ck_assert_uint_eq (pos_scanner_device_get_address (device), 2);
  ck_assert (pos_scanner_device_get_enabled (device));
  ck_assert (pos_scanner_device_get_is_scanner (device));
  ck_assert_int_eq (pos_scanner_device_get_layout (device), POS_SCANNER_LAYOUT_US);
  ck_assert_ptr_null (pos_scanner_device_get_error_message (device));
  ck_assert_uint_gt (f->devices_changed, 0);

  scan = scan_at (f, 0);
  assert_scan (scan, "7891234567895", NULL, NULL);
  ck_assert_str_eq (pos_scan_get_device_id (scan), "05e0:1200@1-1");
  ck_assert_str_eq (pos_scan_get_device_name (scan), "Fake Scanners Inc. HID Barcode Scanner");
  ck_assert_int_ge (pos_scan_get_reaped_time (scan), before);
  ck_assert_int_le (pos_scan_get_reaped_time (scan), g_get_monotonic_time ());

  /* What it means, as the counter reads it. */
  input = pos_scan_dup_parse_input (scan);
  barcode = pos_barcode_parse (input, NULL, 0, &error);
  ck_assert_ptr_nonnull (barcode);
  ck_assert_int_eq (barcode->kind, POS_BARCODE_KIND_GTIN);
  ck_assert_str_eq (barcode->gtin, "7891234567895");

  /* The script starts again from the top: the same code, whole. */
  assert_scan (scan_at (f, 1), "7891234567895", NULL, NULL);
  WAIT_UNTIL (pos_scanner_device_get_n_scans (device) >= 2);
  ck_assert_uint_eq (pos_scanner_device_get_n_dropped (device), 0);

  fixture_free (f);
}
END_TEST

START_TEST (test_tab_terminator)
{
  Fixture *f = fixture_new ();

  plug_keyboard_script (f, "tab.ioctl");
  fixture_start (f);
  assert_scan (scan_at (f, 0), "42", NULL, NULL);
  assert_scan (scan_at (f, 1), "42", NULL, NULL);
  fixture_free (f);
}
END_TEST

START_TEST (test_shift_letters)
{
  Fixture *f = fixture_new ();

  plug_keyboard_script (f, "shift-letters.ioctl");
  fixture_start (f);
  assert_scan (scan_at (f, 0), "BalcaoPDV-Caixa1", NULL, NULL);
  fixture_free (f);
}
END_TEST

START_TEST (test_code128_symbols)
{
  Fixture *f = fixture_new ();
  g_autoptr(PosBarcode) barcode = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  PosScan *scan;

  plug_keyboard_script (f, "code128.ioctl");
  fixture_start (f);

  /* A scanner set to send the AIM identifier: GS1-128 with a GS. */
  scan = scan_at (f, 0);
  assert_scan (scan, "0107891234567895\x1d" "10LOT-7/B", "]C1", "GS1-128");
  input = pos_scan_dup_parse_input (scan);
  ck_assert_str_eq (input, "]C10107891234567895\x1d" "10LOT-7/B");
  barcode = pos_barcode_parse (input, NULL, 0, &error);
  ck_assert_msg (barcode != NULL, "%s", error ? error->message : "?");
  ck_assert_int_eq (barcode->kind, POS_BARCODE_KIND_GS1);
  ck_assert_str_eq (barcode->lot, "LOT-7/B");

  assert_scan (scan_at (f, 1), "Caixa-01/A+B%$*", NULL, NULL);
  fixture_free (f);
}
END_TEST

START_TEST (test_abnt2_layout)
{
  Fixture *f = fixture_new ();
  g_autoptr(GError) error = NULL;

  plug_keyboard_script (f, "abnt2.ioctl");
  fixture_manager (f, TRUE, TRUE);
  ck_assert (pos_scanner_manager_set_layout (f->manager, 0x05e0, 0x1200, POS_SCANNER_LAYOUT_ABNT2, &error));
  fixture_start (f);

  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));
  ck_assert_int_eq (pos_scanner_device_get_layout (find_device (f, "05e0:1200")), POS_SCANNER_LAYOUT_ABNT2);
  assert_scan (scan_at (f, 0), "PED/2024;Ç~1?", NULL, NULL);
  fixture_free (f);
}
END_TEST

START_TEST (test_garbage_and_short_reports)
{
  Fixture *f = fixture_new ();
  PosScannerDevice *device;

  plug_keyboard_script (f, "garbage.ioctl");
  fixture_start (f);

  /* "22" + POST fail + "2" is dropped whole; the scans around it pass. */
  assert_scan (scan_at (f, 0), "111", NULL, NULL);
  assert_scan (scan_at (f, 1), "333", NULL, NULL);
  device = find_device (f, "05e0:1200");
  WAIT_UNTIL (pos_scanner_device_get_n_short (device) >= 1);
  WAIT_UNTIL (pos_scanner_device_get_n_garbage (device) >= 2);
  WAIT_UNTIL (pos_scanner_device_get_n_dropped (device) >= 1);
  ck_assert_int_eq (pos_scanner_device_get_state (device), POS_SCANNER_STATE_ACTIVE);
  for (guint i = 0; i < f->scans->len; i++)
    {
      const char *text = pos_scan_get_text (g_ptr_array_index (f->scans, i));

      ck_assert_msg (g_str_equal (text, "111") || g_str_equal (text, "333"), "unexpected scan “%s”", text);
    }
  fixture_free (f);
}
END_TEST

START_TEST (test_stalled_device)
{
  Fixture *f = fixture_new ();
  PosScannerDevice *device;

  plug_keyboard_script (f, "stall.ioctl");
  fixture_start (f);

  /* A stall between scans costs nothing; one inside "555" drops it. */
  assert_scan (scan_at (f, 0), "44", NULL, NULL);
  assert_scan (scan_at (f, 1), "66", NULL, NULL);
  device = find_device (f, "05e0:1200");
  WAIT_UNTIL (pos_scanner_device_get_n_stalls (device) >= 2);
  WAIT_UNTIL (pos_scanner_device_get_n_dropped (device) >= 1);
  ck_assert_int_eq (pos_scanner_device_get_state (device), POS_SCANNER_STATE_ACTIVE);
  ck_assert_ptr_nonnull (pos_scanner_device_get_error_message (device));
  ck_assert_ptr_nonnull (strstr (pos_scanner_device_get_error_message (device), "stalled"));
  for (guint i = 0; i < f->scans->len; i++)
    {
      const char *text = pos_scan_get_text (g_ptr_array_index (f->scans, i));

      ck_assert_msg (g_str_equal (text, "44") || g_str_equal (text, "66"), "unexpected scan “%s”", text);
    }
  fixture_free (f);
}
END_TEST

/* ---- HID POS ---- */

START_TEST (test_hidpos_script)
{
  Fixture *f = fixture_new ();
  PosScannerDevice *device;
  g_autoptr(PosBarcode) barcode = NULL;
  g_autofree char *input = NULL;

  /* 1209:0001 is in no list of scanners: its report descriptor (in sysfs,
   * as the kernel's HID driver shows it) says Barcode Scanner. */
  plug_script (f, "hidpos-scanner.umockdev", HIDPOS_NODE, "hidpos-scanner.ioctl");
  fixture_start (f);

  WAIT_UNTIL (device_in_state (f, "1209:0001", POS_SCANNER_STATE_ACTIVE));
  device = find_device (f, "1209:0001");
  ck_assert_int_eq (pos_scanner_device_get_kind (device), POS_SCANNER_KIND_HID_POS);
  ck_assert_str_eq (pos_scanner_device_get_name (device), "Balcão Test HID POS Scanner");
  ck_assert (pos_scanner_device_get_is_scanner (device));

  assert_scan (scan_at (f, 0), "7891234567895", "]E0", "EAN-13");
  assert_scan (scan_at (f, 1), "https://balcao.example/produto/7891234567895?lote=42", "]Q1", "QR Code");
  assert_scan (scan_at (f, 2), "0107891234567895\x1d" "10LOT42", "]C1", "GS1-128");
  WAIT_UNTIL (pos_scanner_device_get_n_garbage (device) >= 1);

  input = pos_scan_dup_parse_input (g_ptr_array_index (f->scans, 2));
  barcode = pos_barcode_parse (input, NULL, 0, NULL);
  ck_assert_ptr_nonnull (barcode);
  ck_assert_str_eq (barcode->gtin, "7891234567895");
  ck_assert_str_eq (barcode->lot, "LOT42");
  fixture_free (f);
}
END_TEST

static void
push_hidpos (FakeScanner *scanner,
             const char  *aim,
             const char  *data,
             gboolean     continued)
{
  guint8 report[64] = { 0 };
  gsize length = strlen (data);

  ck_assert_uint_le (length, 56);
  report[0] = 2;
  report[1] = (guint8) length;
  memcpy (report + 2, aim, 3);
  memcpy (report + 5, data, length);
  report[61] = continued ? 1 : 0;
  fake_scanner_push (scanner, report, 62);
}

START_TEST (test_hidpos_control_descriptor)
{
  Fixture *f = fixture_new ();
  FakeScanner *scanner;
  PosScannerDevice *device;

  /* A known maker (Newland, HID POS mode) with no HID driver bound: the
   * report descriptor comes from the device itself. */
  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_HID_POS, 0x1eab, 0x1310, 5, "HR3260 HID POS");
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "1eab:1310", POS_SCANNER_STATE_ACTIVE));
  device = find_device (f, "1eab:1310");
  ck_assert_int_eq (pos_scanner_device_get_kind (device), POS_SCANNER_KIND_HID_POS);
  ck_assert_str_eq (pos_scanner_device_get_name (device), "Test Devices HR3260 HID POS");
  /* Once for the report descriptor, once to read scans. */
  ck_assert_uint_eq (fake_scanner_get_claims (scanner), 2);

  push_hidpos (scanner, "]d2", "0107891234567895", TRUE);
  push_hidpos (scanner, "]d2", "\x1d" "17261231", FALSE);
  assert_scan (scan_at (f, 0), "0107891234567895\x1d" "17261231", "]d2", "GS1 DataMatrix");

  /* A barcode whose last report never comes is dropped, not cut short. */
  push_hidpos (scanner, "]Q1", "half of a QR code", TRUE);
  WAIT_UNTIL (pos_scanner_device_get_n_dropped (device) == 1);
  push_hidpos (scanner, "]E4", "96385074", FALSE);
  assert_scan (scan_at (f, 1), "96385074", "]E4", "EAN-8");
  ck_assert_uint_eq (f->scans->len, 2);

  g_clear_object (&f->manager);
  ck_assert_uint_eq (fake_scanner_get_releases (scanner), 2);
  fake_scanner_free (scanner);
  fixture_free (f);
}
END_TEST

/* ---- timing, hotplug, unplug (FakeScanner) ---- */

START_TEST (test_inter_character_timeout)
{
  Fixture *f = fixture_new ();
  FakeScanner *scanner;
  PosScannerDevice *device;

  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_KEYBOARD, 0x0c2e, 0x0b81, 4, "Voyager 1400g");
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "0c2e:0b81", POS_SCANNER_STATE_ACTIVE));
  device = find_device (f, "0c2e:0b81");
  ck_assert_str_eq (pos_scanner_device_get_name (device), "Test Devices Voyager 1400g");
  ck_assert_uint_eq (fake_scanner_get_claims (scanner), 1);
  ck_assert_uint_ge (fake_scanner_get_set_protocol (scanner), 1);
  ck_assert_uint_eq (pos_scanner_manager_get_timeout (f->manager), 50);

  /* No terminator: the pause after the last key ends the scan. */
  fake_scanner_push_text (scanner, "123", FALSE);
  assert_scan (scan_at (f, 0), "123", NULL, NULL);

  fake_scanner_push_text (scanner, "456", TRUE);
  assert_scan (scan_at (f, 1), "456", NULL, NULL);

  fake_scanner_push_text (scanner, "7", FALSE);
  assert_scan (scan_at (f, 2), "7", NULL, NULL);
  ck_assert_uint_eq (f->scans->len, 3);

  fake_scanner_free (scanner);
  fixture_free (f);
}
END_TEST

START_TEST (test_hotplug_add_remove)
{
  Fixture *f = fixture_new ();
  FakeScanner *scanner;

  fixture_start (f);
  ck_assert_uint_eq (g_list_model_get_n_items (pos_scanner_manager_get_devices (f->manager)), 0);

  /* Plugged in while running. */
  plug_keyboard_script (f, "boot-keyboard-scanner.ioctl");
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));
  assert_scan (scan_at (f, 0), "7891234567895", NULL, NULL);

  /* A second one, HID POS, alongside. */
  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_HID_POS, 0x05e0, 0x1900, 6, "DS2208");
  WAIT_UNTIL (device_in_state (f, "05e0:1900", POS_SCANNER_STATE_ACTIVE));
  ck_assert_uint_eq (g_list_model_get_n_items (pos_scanner_manager_get_devices (f->manager)), 2);
  push_hidpos (scanner, "]E0", "4006381333931", FALSE);
  WAIT_UNTIL (f->scans->len > 0
              && g_str_equal (pos_scan_get_text (g_ptr_array_index (f->scans, f->scans->len - 1)), "4006381333931"));
  ck_assert_str_eq (pos_scan_get_device_id (g_ptr_array_index (f->scans, f->scans->len - 1)), "05e0:1900@1-6");

  /* Pulled out: released and gone from the list. */
  unplug_script (f, FIXTURE_SYSPATH);
  WAIT_UNTIL (find_device (f, "05e0:1200") == NULL);
  fake_scanner_unplug (scanner);
  WAIT_UNTIL (g_list_model_get_n_items (pos_scanner_manager_get_devices (f->manager)) == 0);

  g_clear_object (&f->manager);
  fake_scanner_free (scanner);
  fixture_free (f);
}
END_TEST

START_TEST (test_hotplug_by_polling)
{
  Fixture *f = fixture_new ();

  /* Without libusb's hotplug: the device list is read every 100 ms. */
  fixture_manager (f, FALSE, TRUE);
  fixture_start (f);
  plug_keyboard_script (f, "tab.ioctl");
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));
  assert_scan (scan_at (f, 0), "42", NULL, NULL);
  unplug_script (f, FIXTURE_SYSPATH);
  WAIT_UNTIL (find_device (f, "05e0:1200") == NULL);
  fixture_free (f);
}
END_TEST

START_TEST (test_unplug_in_the_middle_of_a_scan)
{
  Fixture *f = fixture_new ();
  FakeScanner *scanner;
  g_autoptr(GError) error = NULL;

  fixture_manager (f, TRUE, TRUE);
  ck_assert (pos_scanner_manager_set_timeout (f->manager, 2000, &error));
  fixture_start (f);

  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_KEYBOARD, 0x0c2e, 0x0b81, 4, "Voyager 1400g");
  WAIT_UNTIL (device_in_state (f, "0c2e:0b81", POS_SCANNER_STATE_ACTIVE));

  /* Half a scan read, then the cable comes out. */
  fake_scanner_push_text (scanner, "789123", FALSE);
  ck_assert (fake_scanner_wait_drained (scanner));
  fake_scanner_unplug (scanner);
  WAIT_UNTIL (find_device (f, "0c2e:0b81") == NULL);
  /* Whatever the device posted came before its removal: nothing. */
  ck_assert_uint_eq (f->scans->len, 0);
  fake_scanner_free (scanner);

  /* Plugged back: the next scan is whole, with nothing of the cut one. */
  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_KEYBOARD, 0x0c2e, 0x0b81, 4, "Voyager 1400g");
  WAIT_UNTIL (device_in_state (f, "0c2e:0b81", POS_SCANNER_STATE_ACTIVE));
  fake_scanner_push_text (scanner, "4567", TRUE);
  assert_scan (scan_at (f, 0), "4567", NULL, NULL);
  ck_assert_uint_eq (f->scans->len, 1);

  g_clear_object (&f->manager);
  fake_scanner_free (scanner);
  fixture_free (f);
}
END_TEST

START_TEST (test_stall_is_cleared)
{
  Fixture *f = fixture_new ();
  FakeScanner *scanner;
  PosScannerDevice *device;

  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_KEYBOARD, 0x05f9, 0x2206, 3, "Gryphon");
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "05f9:2206", POS_SCANNER_STATE_ACTIVE));
  device = find_device (f, "05f9:2206");

  fake_scanner_push_stall (scanner);
  fake_scanner_push_text (scanner, "12", TRUE);
  assert_scan (scan_at (f, 0), "12", NULL, NULL);
  ck_assert_uint_eq (fake_scanner_get_clear_halts (scanner), 1);
  WAIT_UNTIL (pos_scanner_device_get_n_stalls (device) == 1);
  ck_assert_uint_eq (pos_scanner_device_get_n_dropped (device), 0);
  ck_assert_int_eq (pos_scanner_device_get_state (device), POS_SCANNER_STATE_ACTIVE);

  g_clear_object (&f->manager);
  fake_scanner_free (scanner);
  fixture_free (f);
}
END_TEST

/* ---- what is claimed, permissions, settings ---- */

START_TEST (test_never_claims_a_keyboard)
{
  Fixture *f = fixture_new ();
  FakeScanner *keyboard;
  PosDatabase *db = fixture_database (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_auto(GStrv) extra = NULL;

  /* A Logitech keyboard: listed, never touched. */
  keyboard = fake_scanner_new (f->testbed, FAKE_SCANNER_KEYBOARD, 0x046d, 0xc31c, 2, "USB Keyboard");
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "046d:c31c", POS_SCANNER_STATE_IGNORED));
  ck_assert (!pos_scanner_device_get_is_scanner (find_device (f, "046d:c31c")));
  ck_assert_uint_eq (fake_scanner_get_claims (keyboard), 0);
  ck_assert (!pos_scanner_is_known_id (0x046d, 0xc31c));
  ck_assert (pos_scanner_is_known_id (0x05e0, 0x1200));

  /* Unless the manager says it is a scanner. */
  ck_assert (pos_scanner_manager_add_id (f->manager, 0x046d, 0xc31c, &error));
  WAIT_UNTIL (device_in_state (f, "046d:c31c", POS_SCANNER_STATE_ACTIVE));
  ck_assert_uint_eq (fake_scanner_get_claims (keyboard), 1);
  fake_scanner_push_text (keyboard, "55", TRUE);
  assert_scan (scan_at (f, 0), "55", NULL, NULL);
  saved = pos_database_get_setting (db, "scanner_extra_ids");
  ck_assert_str_eq (saved, "046d:c31c");
  extra = pos_scanner_manager_dup_extra_ids (f->manager);
  ck_assert_uint_eq (g_strv_length (extra), 1);
  ck_assert_str_eq (extra[0], "046d:c31c");

  ck_assert (pos_scanner_manager_remove_id (f->manager, 0x046d, 0xc31c, &error));
  WAIT_UNTIL (device_in_state (f, "046d:c31c", POS_SCANNER_STATE_IGNORED));
  ck_assert_uint_eq (fake_scanner_get_releases (keyboard), 1);

  g_clear_object (&f->manager);
  fake_scanner_free (keyboard);
  fixture_free (f);
}
END_TEST

START_TEST (test_settings_persist)
{
  Fixture *f = fixture_new ();
  PosDatabase *db = fixture_database (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *disabled = NULL;
  g_autofree char *layouts = NULL;

  plug_keyboard_script (f, "boot-keyboard-scanner.ioctl");
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));

  ck_assert (pos_scanner_manager_set_enabled (f->manager, 0x05e0, 0x1200, FALSE, &error));
  ck_assert (pos_scanner_manager_set_layout (f->manager, 0x05e0, 0x1200, POS_SCANNER_LAYOUT_ABNT2, &error));
  ck_assert (pos_scanner_manager_set_timeout (f->manager, 80, &error));
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_DISABLED));
  ck_assert (!pos_scanner_device_get_enabled (find_device (f, "05e0:1200")));
  disabled = pos_database_get_setting (db, "scanner_disabled_ids");
  ck_assert_str_eq (disabled, "05e0:1200");
  layouts = pos_database_get_setting (db, "scanner_layouts");
  ck_assert_str_eq (layouts, "05e0:1200=abnt2");

  /* Another manager on the same database: the same settings. */
  fixture_manager (f, TRUE, TRUE);
  g_ptr_array_set_size (f->scans, 0);
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_DISABLED));
  ck_assert_int_eq (pos_scanner_manager_get_layout (f->manager, 0x05e0, 0x1200), POS_SCANNER_LAYOUT_ABNT2);
  ck_assert_int_eq (pos_scanner_manager_get_layout (f->manager, 0x05e0, 0x1201), POS_SCANNER_LAYOUT_US);
  ck_assert_uint_eq (pos_scanner_manager_get_timeout (f->manager), 80);
  ck_assert (!pos_scanner_manager_get_enabled (f->manager, 0x05e0, 0x1200));
  ck_assert_uint_eq (f->scans->len, 0);

  ck_assert (pos_scanner_manager_set_layout (f->manager, 0x05e0, 0x1200, POS_SCANNER_LAYOUT_US, &error));
  ck_assert (pos_scanner_manager_set_enabled (f->manager, 0x05e0, 0x1200, TRUE, &error));
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));
  assert_scan (scan_at (f, 0), "7891234567895", NULL, NULL);

  /* Stopping empties the list and gives the devices back. */
  pos_scanner_manager_stop (f->manager);
  ck_assert (!pos_scanner_manager_get_running (f->manager));
  ck_assert_uint_eq (g_list_model_get_n_items (pos_scanner_manager_get_devices (f->manager)), 0);
  fixture_free (f);
}
END_TEST

START_TEST (test_list_only)
{
  Fixture *f = fixture_new ();
  FakeScanner *scanner;

  scanner = fake_scanner_new (f->testbed, FAKE_SCANNER_KEYBOARD, 0x1eab, 0x1303, 2, "EM3000");
  fixture_manager (f, TRUE, FALSE);
  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "1eab:1303", POS_SCANNER_STATE_AVAILABLE));
  ck_assert_uint_eq (fake_scanner_get_claims (scanner), 0);
  g_clear_object (&f->manager);
  fake_scanner_free (scanner);
  fixture_free (f);
}
END_TEST

typedef struct {
  struct __user_cap_header_struct header;
  struct __user_cap_data_struct   data[2];
} Capabilities;

/* Root opens anything: take away its power to ignore file modes, for this
 * thread and the ones it starts. */
static gboolean
drop_file_override (Capabilities *saved)
{
  Capabilities caps = { { _LINUX_CAPABILITY_VERSION_3, 0 }, { { 0 } } };

  if (geteuid () != 0)
    return FALSE;
  ck_assert_int_eq (syscall (SYS_capget, &caps.header, caps.data), 0);
  *saved = caps;
  caps.data[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
  ck_assert_int_eq (syscall (SYS_capset, &caps.header, caps.data), 0);
  return TRUE;
}

START_TEST (test_permission_error)
{
  Fixture *f = fixture_new ();
  g_autofree char *root = umockdev_testbed_get_root_dir (f->testbed);
  g_autofree char *node = g_build_filename (root, FIXTURE_NODE, NULL);
  PosScannerDevice *device;
  const char *message;
  Capabilities saved;
  gboolean dropped;

  plug_keyboard_script (f, "boot-keyboard-scanner.ioctl");
  ck_assert_int_eq (chmod (node, 0), 0);
  dropped = drop_file_override (&saved);

  fixture_start (f);
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_NO_PERMISSION));
  device = find_device (f, "05e0:1200");
  message = pos_scanner_device_get_error_message (device);
  ck_assert_ptr_nonnull (message);
  ck_assert_ptr_nonnull (strstr (message, "60-balcao-scanners.rules"));
  ck_assert_ptr_nonnull (strstr (message, "“scanner” group"));
  ck_assert_uint_eq (f->scans->len, 0);

  /* The fix applied (the mode), the next settings change tries again. */
  ck_assert_int_eq (chmod (node, 0644), 0);
  ck_assert (pos_scanner_manager_set_timeout (f->manager, 60, NULL));
  WAIT_UNTIL (device_in_state (f, "05e0:1200", POS_SCANNER_STATE_ACTIVE));
  assert_scan (scan_at (f, 0), "7891234567895", NULL, NULL);

  g_clear_object (&f->manager);
  if (dropped)
    ck_assert_int_eq (syscall (SYS_capset, &saved.header, saved.data), 0);
  fixture_free (f);
}
END_TEST

START_TEST (test_ids)
{
  guint16 vid = 0, pid = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosScan) scan = pos_scan_new ("X", "]Q1", "a@1-1", "A", 42);

  ck_assert (pos_scanner_parse_id ("05E0:1200", &vid, &pid, &error));
  ck_assert_uint_eq (vid, 0x05e0);
  ck_assert_uint_eq (pid, 0x1200);
  ck_assert (!pos_scanner_parse_id ("05e0-1200", &vid, &pid, &error));
  ck_assert (g_error_matches (error, POS_SCANNER_ERROR, POS_SCANNER_ERROR_INVALID_ID));
  ck_assert (!pos_scanner_parse_id ("5e0:1200", NULL, NULL, NULL));
  ck_assert (!pos_scanner_parse_id ("05e0:12000", NULL, NULL, NULL));
  ck_assert (!pos_scanner_parse_id (NULL, NULL, NULL, NULL));
  ck_assert_str_eq (pos_scanner_kind_to_string (POS_SCANNER_KIND_HID_POS), "hid-pos");
  ck_assert_str_eq (pos_scanner_kind_to_string (POS_SCANNER_KIND_KEYBOARD), "keyboard-wedge-usb");
  ck_assert_str_eq (pos_scanner_state_to_string (POS_SCANNER_STATE_NO_PERMISSION), "no-permission");
  ck_assert_str_eq (pos_scan_get_symbology (scan), "QR Code");
  ck_assert_int_eq (pos_scan_get_reaped_time (scan), 42);
}
END_TEST

/* The udev rule lets the user open exactly what the built-in list knows. */
START_TEST (test_udev_rule_matches_the_list)
{
  const char *source = g_getenv ("BALCAO_SOURCE_DIR");
  g_autofree char *path = g_build_filename (source, "packaging", "60-balcao-scanners.rules", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_rules = 0;

  ck_assert (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint vid = 0, pid = 0;

      if (sscanf (lines[i], "ATTR{idVendor}==\"%4x\", ATTR{idProduct}==\"%4x\"", &vid, &pid) == 2)
        {
          ck_assert_msg (pos_scanner_is_known_id (vid, pid), "%04x:%04x is not in the list", vid, pid);
          ck_assert_msg (!pos_scanner_is_known_id (vid, pid ^ 0x5a5a), "%04x is a whole maker in the list", vid);
          n_rules++;
        }
      else if (sscanf (lines[i], "ATTR{idVendor}==\"%4x\"", &vid) == 1)
        {
          ck_assert_msg (pos_scanner_is_known_id (vid, 0x1234), "%04x is not a whole maker in the list", vid);
          n_rules++;
        }
    }
  ck_assert_uint_eq (n_rules, 21);
}
END_TEST

static Suite *
usb_suite (void)
{
  Suite *s = suite_create ("scanner-usb");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_ids);
  tcase_add_test (tc, test_udev_rule_matches_the_list);
  tcase_add_test (tc, test_fixture_scan);
  tcase_add_test (tc, test_tab_terminator);
  tcase_add_test (tc, test_shift_letters);
  tcase_add_test (tc, test_code128_symbols);
  tcase_add_test (tc, test_abnt2_layout);
  tcase_add_test (tc, test_garbage_and_short_reports);
  tcase_add_test (tc, test_stalled_device);
  tcase_add_test (tc, test_hidpos_script);
  tcase_add_test (tc, test_hidpos_control_descriptor);
  tcase_add_test (tc, test_inter_character_timeout);
  tcase_add_test (tc, test_hotplug_add_remove);
  tcase_add_test (tc, test_hotplug_by_polling);
  tcase_add_test (tc, test_unplug_in_the_middle_of_a_scan);
  tcase_add_test (tc, test_stall_is_cleared);
  tcase_add_test (tc, test_never_claims_a_keyboard);
  tcase_add_test (tc, test_settings_persist);
  tcase_add_test (tc, test_list_only);
  tcase_add_test (tc, test_permission_error);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (usb_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
