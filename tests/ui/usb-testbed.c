/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-usb-testbed"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <umockdev.h>

#include "fake-scanner.h"

/* A umockdev testbed that another process (the real balcao, run with
 * UMOCKDEV_DIR and LD_PRELOAD=libumockdev-preload.so.0) sees as its USB
 * devices, driven from a shell script through stdin:
 *
 *   usb-testbed            prints "UMOCKDEV_DIR=<dir>", then reads lines:
 *     scan FIXTURE.umockdev PORT TEXT   plugs in, at port PORT of bus 1
 *                                       (/sys/.../usb1/1-PORT, device
 *                                       /dev/bus/usb/001/<PORT + 1>), the
 *                                       boot keyboard scanner FIXTURE
 *                                       describes at port 1, with an ioctl
 *                                       script of its own: it types TEXT
 *                                       (C escapes: \035 is GS) and Enter
 *                                       once, then answers as unplugged
 *                                       (ENODEV), so that the scan is read
 *                                       exactly once
 *     deny PORT                         makes that device's node mode 000
 *                                       (as without the udev rule)
 *     fake PORT VID:PID NAME...         plugs in a FakeScanner
 *                                       (tests/devices/fake-scanner.h), a
 *                                       keyboard-mode scanner that sends
 *                                       reports when told, at 1-PORT,
 *                                       /dev/bus/usb/001/<PORT + 10>
 *     type PORT TEXT                    the fake scanner at PORT types TEXT
 *                                       (escapes as above) and Enter
 *     unplug PORT                       pulls the fake scanner at PORT out
 *     remove SYSPATH                    unplugs a scripted device ("remove")
 *   and answers "ok" or "error: ..." to each. At the end of its input it
 *   removes the testbed and exits. A port is used once: umockdev keeps
 *   the first script loaded for a device node.
 *
 * The ioctl scripts are answered here, on umockdev's own thread, for the
 * process that opens the node, as umockdev-run does. This program must run
 * under the preload library too: outside the mock environment the "add"
 * and "remove" uevents of the testbed never reach the other process, and
 * libusb's hotplug there sees nothing. */

/* The US layout's usage and modifier for c: digits, letters, space,
 * "-./]" and GS (Ctrl+]). FALSE for anything else. */
static gboolean
us_key (char    c,
        guint8 *usage,
        guint8 *modifiers)
{
  *modifiers = 0;
  if (c >= '1' && c <= '9')
    *usage = 0x1e + (c - '1');
  else if (c == '0')
    *usage = 0x27;
  else if (c >= 'a' && c <= 'z')
    *usage = 0x04 + (c - 'a');
  else if (c >= 'A' && c <= 'Z')
    {
      *usage = 0x04 + (c - 'A');
      *modifiers = 0x02;   /* left shift */
    }
  else if (c == ' ')
    *usage = 0x2c;
  else if (c == '-')
    *usage = 0x2d;
  else if (c == '.')
    *usage = 0x37;
  else if (c == '/')
    *usage = 0x38;
  else if (c == ']')
    *usage = 0x30;
  else if (c == '\x1d')
    {
      *usage = 0x30;
      *modifiers = 0x01;   /* left ctrl */
    }
  else
    return FALSE;
  return TRUE;
}

static void
add_report (GString *script,
            guint8   modifiers,
            guint8   usage)
{
  g_string_append_printf (script, "USBDEVFS_REAPURBNDELAY 0 1 129 0 0 8 8 0 %02X00%02X0000000000\n",
                          modifiers, usage);
}

/* Writes the ioctl script that types text then Enter, then is unplugged. */
static char *
write_scan_script (UMockdevTestbed  *testbed,
                   const char       *node,
                   const char       *escaped,
                   GError          **error)
{
  g_autofree char *text = g_strcompress (escaped);
  g_autoptr(GString) script = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *root = NULL;
  static guint serial;

  g_string_append_printf (script, "@DEV %s\nUSBDEVFS_GET_CAPABILITIES 0 00000000\n", node);
  for (const char *p = text; *p != '\0'; p++)
    {
      guint8 usage, modifiers;

      if (!us_key (*p, &usage, &modifiers))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot type “%c”", *p);
          return NULL;
        }
      add_report (script, modifiers, usage);
      add_report (script, 0, 0);
    }
  add_report (script, 0, 0x28);   /* Enter */
  add_report (script, 0, 0);
  /* then the device is gone: the reader stops instead of replaying */
  g_string_append (script, "USBDEVFS_REAPURBNDELAY 0 1 129 -19 0 8 0 0 00\n");

  root = umockdev_testbed_get_root_dir (testbed);
  path = g_strdup_printf ("%s/scan-%u.ioctl", root, ++serial);
  if (!g_file_set_contents (path, script->str, (gssize) script->len, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* The fixture's text moved from port 1 (device 002) to port. */
static char *
device_at_port (const char  *fixture,
                guint        port,
                GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GString) s = NULL;
  const char *from[] = {
    "usb1/1-1", "bus/usb/001/002", "DEVNUM=002", "devnum=2\\n", "devpath=1", "MINOR=1", "dev=189:1",
  };
  char *to[G_N_ELEMENTS (from)] = {
    g_strdup_printf ("usb1/1-%u", port),
    g_strdup_printf ("bus/usb/001/%03u", port + 1),
    g_strdup_printf ("DEVNUM=%03u", port + 1),
    g_strdup_printf ("devnum=%u\\n", port + 1),
    g_strdup_printf ("devpath=%u", port),
    g_strdup_printf ("MINOR=%u", port),
    g_strdup_printf ("dev=189:%u", port),
  };

  if (g_file_get_contents (fixture, &text, NULL, error))
    {
      s = g_string_new (text);
      for (guint i = 0; i < G_N_ELEMENTS (from); i++)
        g_string_replace (s, from[i], to[i], 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (to); i++)
    g_free (to[i]);
  if (s == NULL)
    return NULL;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
plug_scanner (UMockdevTestbed  *testbed,
              const char       *fixture,
              guint             port,
              const char       *text,
              GError          **error)
{
  g_autofree char *device = NULL;
  g_autofree char *node = NULL;
  g_autofree char *script = NULL;

  device = device_at_port (fixture, port, error);
  if (device == NULL)
    return FALSE;
  node = g_strdup_printf ("/dev/bus/usb/001/%03u", port + 1);
  script = write_scan_script (testbed, node, text, error);
  /* the script first: libusb, told by the "add" uevent, opens it at once */
  return script != NULL &&
         umockdev_testbed_load_ioctl (testbed, node, script, error) &&
         umockdev_testbed_add_from_string (testbed, device, error);
}

static gboolean
parse_port (const char  *text,
            guint       *port,
            GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 100, &value, error))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

/* The fake scanner at port types text, then Enter. */
static gboolean
type_text (FakeScanner  *scanner,
           const char   *escaped,
           GError      **error)
{
  g_autofree char *text = g_strcompress (escaped);
  const guint8 release[8] = { 0 };

  for (const char *p = text; *p != '\0'; p++)
    {
      guint8 report[8] = { 0 };

      if (!us_key (*p, &report[2], &report[0]))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot type “%c”", *p);
          return FALSE;
        }
      fake_scanner_push (scanner, report, sizeof report);
      fake_scanner_push (scanner, release, sizeof release);
    }
  {
    const guint8 enter[8] = { 0, 0, 0x28 };

    fake_scanner_push (scanner, enter, sizeof enter);
    fake_scanner_push (scanner, release, sizeof release);
  }
  return TRUE;
}

static gboolean
run_command (UMockdevTestbed  *testbed,
             GHashTable       *fakes,
             char            **words,
             GError          **error)
{
  guint n = g_strv_length (words);
  guint port;

  if (g_str_equal (words[0], "scan") && n == 4)
    return parse_port (words[2], &port, error) &&
           plug_scanner (testbed, words[1], port, words[3], error);

  if (g_str_equal (words[0], "deny") && n == 2)
    {
      g_autofree char *root = umockdev_testbed_get_root_dir (testbed);
      g_autofree char *node = NULL;

      if (!parse_port (words[1], &port, error))
        return FALSE;
      node = g_strdup_printf ("%s/dev/bus/usb/001/%03u", root, port + 1);
      if (chmod (node, 0) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "chmod %s: %s", node, g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }

  if (g_str_equal (words[0], "fake") && n >= 4)
    {
      g_autofree char *name = g_strjoinv (" ", words + 3);
      guint16 vendor_id, product_id;
      unsigned int v, p;

      if (!parse_port (words[1], &port, error))
        return FALSE;
      if (sscanf (words[2], "%4x:%4x", &v, &p) != 2)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a VID:PID: %s", words[2]);
          return FALSE;
        }
      vendor_id = (guint16) v;
      product_id = (guint16) p;
      g_hash_table_insert (fakes, GUINT_TO_POINTER (port),
                           fake_scanner_new (testbed, FAKE_SCANNER_KEYBOARD, vendor_id, product_id, port, name));
      return TRUE;
    }

  if ((g_str_equal (words[0], "type") && n == 3) || (g_str_equal (words[0], "unplug") && n == 2))
    {
      FakeScanner *scanner;

      if (!parse_port (words[1], &port, error))
        return FALSE;
      scanner = g_hash_table_lookup (fakes, GUINT_TO_POINTER (port));
      if (scanner == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no fake scanner at port %u", port);
          return FALSE;
        }
      if (g_str_equal (words[0], "unplug"))
        {
          g_hash_table_remove (fakes, GUINT_TO_POINTER (port));
          return TRUE;
        }
      return type_text (scanner, words[2], error);
    }

  if (g_str_equal (words[0], "remove") && n == 2)
    {
      umockdev_testbed_uevent (testbed, words[1], "remove");
      umockdev_testbed_remove_device (testbed, words[1]);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown command “%s”", words[0]);
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(UMockdevTestbed) testbed = NULL;
  g_autoptr(GHashTable) fakes = NULL;
  g_autofree char *root = NULL;
  char line[4096];

  testbed = umockdev_testbed_new ();
  if (!umockdev_in_mock_environment ())
    {
      fprintf (stderr, "usb-testbed: run it with LD_PRELOAD=libumockdev-preload.so.0\n");
      return 1;
    }
  /* port -> FakeScanner, unplugged when removed */
  fakes = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) fake_scanner_free);
  root = umockdev_testbed_get_root_dir (testbed);
  printf ("UMOCKDEV_DIR=%s\n", root);
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_auto(GStrv) words = NULL;
      g_autoptr(GError) error = NULL;

      g_strchomp (line);
      if (line[0] == '\0')
        continue;
      words = g_strsplit (line, " ", -1);
      if (run_command (testbed, fakes, words, &error))
        printf ("ok\n");
      else
        printf ("error: %s\n", error->message);
      fflush (stdout);
    }

  g_hash_table_remove_all (fakes);
  return 0;
}
