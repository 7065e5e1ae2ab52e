/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>

#include "devices/pos-scanner.h"
#include "domain/pos-barcode.h"
#include "pos-cli.h"

/* balcao-ctl scanners [list]
 *   The USB scanners (and keyboards) found, with their state; lists only,
 *   never claims a device (so it works while Balcão runs).
 * balcao-ctl scanners listen [--count N] [--timeout SECONDS]
 *   Claims the scanners and prints each scan as one JSON object per line:
 *   {"text", "aim", "symbology", "device": {"id", "name"}, "reaped_us",
 *    "barcode": <what `barcode parse` prints>}. State changes go to stderr.
 *   Exit 0; 1 when --count scans did not come within --timeout.
 * balcao-ctl scanners enable|disable|add|remove VID:PID
 * balcao-ctl scanners layout VID:PID us|abnt2
 * balcao-ctl scanners timeout MS
 *   The settings the app uses (docs/scanners.md). */

#define READY_TIMEOUT_S 10

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl scanners [list]"));
  fprintf (out, "%s\n", _("       balcao-ctl scanners listen [--count N] [--timeout SECONDS]"));
  fprintf (out, "%s\n", _("       balcao-ctl scanners enable|disable|add|remove VID:PID"));
  fprintf (out, "%s\n", _("       balcao-ctl scanners layout VID:PID us|abnt2"));
  fprintf (out, "%s\n", _("       balcao-ctl scanners timeout MILLISECONDS"));
  fprintf (out, "%s\n", _("Lists the USB barcode scanners, prints what they scan, and changes their settings."));
}

typedef struct {
  GMainLoop *loop;
  guint      scans;
  guint      count;
  gboolean   timed_out;
  GHashTable *states;   /* device id -> last state printed + 1 */
} Listen;

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
on_ready (GObject    *object,
          GParamSpec *pspec,
          gpointer    data)
{
  if (pos_scanner_manager_get_ready (POS_SCANNER_MANAGER (object)))
    g_main_loop_quit (data);
}

/* Runs the main loop until the manager has looked at what is plugged in. */
static gboolean
wait_ready (PosScannerManager *manager)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gulong handler;
  guint timeout;

  if (pos_scanner_manager_get_ready (manager))
    return TRUE;
  handler = g_signal_connect (manager, "notify::ready", G_CALLBACK (on_ready), loop);
  timeout = g_timeout_add_seconds (READY_TIMEOUT_S, quit_loop, loop);
  g_main_loop_run (loop);
  g_signal_handler_disconnect (manager, handler);
  if (pos_scanner_manager_get_ready (manager))
    {
      g_source_remove (timeout);
      return TRUE;
    }
  return FALSE;
}

static PosScannerManager *
start_manager (PosDatabase *db,
               gboolean     read_devices)
{
  g_autoptr(PosScannerManager) manager = NULL;
  g_autoptr(GError) error = NULL;

  manager = g_object_new (POS_TYPE_SCANNER_MANAGER,
                          "database", db,
                          "read-devices", read_devices,
                          NULL);
  if (!pos_scanner_manager_start (manager, &error))
    {
      pos_cli_fail (error);
      return NULL;
    }
  if (!wait_ready (manager))
    {
      g_printerr ("balcao-ctl: %s\n", _("The USB devices did not answer in time."));
      return NULL;
    }
  return g_steal_pointer (&manager);
}

static void
print_device (FILE             *out,
              PosScannerDevice *device)
{
  const char *message = pos_scanner_device_get_error_message (device);

  fprintf (out, "%-16s %-9s %-18s %-13s %-6s %s\n",
           pos_scanner_device_get_id (device),
           pos_scanner_device_get_vid_pid (device),
           pos_scanner_kind_to_string (pos_scanner_device_get_kind (device)),
           pos_scanner_state_to_string (pos_scanner_device_get_state (device)),
           pos_scanner_layout_to_string (pos_scanner_device_get_layout (device)),
           pos_scanner_device_get_name (device));
  if (message != NULL)
    fprintf (out, "    %s\n", message);
}

static int
cmd_list (PosDatabase *db)
{
  g_autoptr(PosScannerManager) manager = start_manager (db, FALSE);
  GListModel *devices;
  gboolean ignored = FALSE;
  guint n;

  if (manager == NULL)
    return 1;

  devices = pos_scanner_manager_get_devices (manager);
  n = g_list_model_get_n_items (devices);
  if (n == 0)
    {
      printf ("%s\n", _("No USB barcode scanner or keyboard found."));
      return 0;
    }

  /* TRANSLATORS: column headers; keep them in one line. */
  printf ("%-16s %-9s %-18s %-13s %-6s %s\n",
          _("ID"), _("VID:PID"), _("KIND"), _("STATE"), _("LAYOUT"), _("NAME"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosScannerDevice) device = g_list_model_get_item (devices, i);

      print_device (stdout, device);
      if (pos_scanner_device_get_state (device) == POS_SCANNER_STATE_IGNORED)
        ignored = TRUE;
    }
  if (ignored)
    printf ("\n%s\n", _("“ignored” devices are keyboards that are not known scanners: "
                        "add one with “balcao-ctl scanners add VID:PID” to read it as a scanner."));
  return 0;
}

static JsonNode *
barcode_node (PosScan *scan)
{
  g_autofree char *input = pos_scan_dup_parse_input (scan);
  g_autoptr(PosBarcode) barcode = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  const PosBarcodeRule *rules;
  guint n_rules;
  JsonNode *node;

  rules = pos_barcode_default_rules (&n_rules);
  barcode = pos_barcode_parse (input, rules, n_rules, &error);
  json = barcode != NULL ? pos_barcode_to_json (barcode) : pos_barcode_error_to_json (input, error);
  node = json_from_string (json, NULL);
  return node != NULL ? node : json_node_new (JSON_NODE_NULL);
}

static void
on_scanned (PosScannerManager *manager,
            PosScan           *scan,
            Listen            *listen)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, pos_scan_get_text (scan));
  json_builder_set_member_name (b, "aim");
  if (pos_scan_get_aim_id (scan) != NULL)
    json_builder_add_string_value (b, pos_scan_get_aim_id (scan));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "symbology");
  if (pos_scan_get_symbology (scan) != NULL)
    json_builder_add_string_value (b, pos_scan_get_symbology (scan));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "device");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, pos_scan_get_device_id (scan));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, pos_scan_get_device_name (scan));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "reaped_us");
  json_builder_add_int_value (b, pos_scan_get_reaped_time (scan));
  json_builder_set_member_name (b, "barcode");
  json_builder_add_value (b, barcode_node (scan));
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = json_to_string (root, FALSE);
  printf ("%s\n", line);
  fflush (stdout);

  listen->scans++;
  if (listen->count > 0 && listen->scans >= listen->count)
    g_main_loop_quit (listen->loop);
}

/* Tells on stderr what each device is doing, when that changes. */
static void
on_devices_changed (PosScannerManager *manager,
                    Listen            *listen)
{
  GListModel *devices = pos_scanner_manager_get_devices (manager);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PosScannerDevice) device = g_list_model_get_item (devices, i);
      const char *id = pos_scanner_device_get_id (device);
      int state = pos_scanner_device_get_state (device);

      if (GPOINTER_TO_INT (g_hash_table_lookup (listen->states, id)) == state + 1)
        continue;
      g_hash_table_insert (listen->states, g_strdup (id), GINT_TO_POINTER (state + 1));
      print_device (stderr, device);
    }
}

static gboolean
on_timeout (gpointer data)
{
  Listen *listen = data;

  listen->timed_out = TRUE;
  g_main_loop_quit (listen->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static int
cmd_listen (PosDatabase  *db,
            int           argc,
            char        **argv)
{
  g_autoptr(PosScannerManager) manager = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GHashTable) states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Listen listen = { 0 };
  guint timeout_s = 0;
  guint timeout_id = 0, sigint_id, sigterm_id;

  for (int i = 1; i < argc; i++)
    {
      guint64 value;

      if ((g_str_equal (argv[i], "--count") || g_str_equal (argv[i], "--timeout")) && i + 1 < argc
          && g_ascii_string_to_unsigned (argv[i + 1], 10, 1, G_MAXUINT, &value, NULL))
        {
          if (g_str_equal (argv[i], "--count"))
            listen.count = (guint) value;
          else
            timeout_s = (guint) value;
          i++;
        }
      else
        {
          print_usage (stderr);
          return 2;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  listen.loop = loop;
  listen.states = states;

  manager = start_manager (db, TRUE);
  if (manager == NULL)
    return 1;

  g_signal_connect (manager, "scanned", G_CALLBACK (on_scanned), &listen);
  g_signal_connect (manager, "devices-changed", G_CALLBACK (on_devices_changed), &listen);
  on_devices_changed (manager, &listen);
  if (g_list_model_get_n_items (pos_scanner_manager_get_devices (manager)) == 0)
    g_printerr ("%s\n", _("No USB barcode scanner found yet; waiting for one to be plugged in."));
  g_printerr ("%s\n", _("Listening; Ctrl+C to stop."));

  if (timeout_s > 0)
    timeout_id = g_timeout_add_seconds (timeout_s, on_timeout, &listen);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, loop);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (timeout_id != 0 && !listen.timed_out)
    g_source_remove (timeout_id);
  g_signal_handlers_disconnect_by_data (manager, &listen);
  pos_scanner_manager_stop (manager);

  if (listen.count > 0 && listen.scans < listen.count)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "balcao-ctl: %u scan of %u came in time.\n",
                               "balcao-ctl: %u scans of %u came in time.\n",
                               listen.scans),
                  listen.scans, listen.count);
      return 1;
    }
  return 0;
}

static int
cmd_setting (PosDatabase  *db,
             int           argc,
             char        **argv)
{
  g_autoptr(PosScannerManager) manager = pos_scanner_manager_new (db);
  g_autoptr(GError) error = NULL;
  const char *what = argv[0];
  guint16 vid = 0, pid = 0;
  gboolean ok;

  if (g_str_equal (what, "timeout"))
    {
      guint64 ms;

      if (argc != 2 || !g_ascii_string_to_unsigned (argv[1], 10, 10, 2000, &ms, NULL))
        {
          g_printerr ("balcao-ctl: %s\n", _("The timeout is a number of milliseconds from 10 to 2000."));
          return 2;
        }
      if (!pos_scanner_manager_set_timeout (manager, (guint) ms, &error))
        return pos_cli_fail (error);
      printf (_("Scans without Enter or Tab end after %u ms without a key.\n"), (guint) ms);
      return 0;
    }

  if (argc != (g_str_equal (what, "layout") ? 3 : 2))
    {
      print_usage (stderr);
      return 2;
    }
  if (!pos_scanner_parse_id (argv[1], &vid, &pid, &error))
    {
      pos_cli_fail (error);
      return 2;
    }

  if (g_str_equal (what, "enable") || g_str_equal (what, "disable"))
    ok = pos_scanner_manager_set_enabled (manager, vid, pid, g_str_equal (what, "enable"), &error);
  else if (g_str_equal (what, "add"))
    ok = pos_scanner_manager_add_id (manager, vid, pid, &error);
  else if (g_str_equal (what, "remove"))
    ok = pos_scanner_manager_remove_id (manager, vid, pid, &error);
  else
    {
      PosScannerLayout layout;

      if (!pos_scanner_layout_from_string (argv[2], &layout))
        {
          g_printerr (_("balcao-ctl: unknown layout “%s”: use us or abnt2.\n"), argv[2]);
          return 2;
        }
      ok = pos_scanner_manager_set_layout (manager, vid, pid, layout, &error);
    }
  if (!ok)
    return pos_cli_fail (error);

  if (g_str_equal (what, "enable"))
    printf (_("Scanner %04x:%04x turned on.\n"), vid, pid);
  else if (g_str_equal (what, "disable"))
    printf (_("Scanner %04x:%04x turned off: Balcão leaves it to the system.\n"), vid, pid);
  else if (g_str_equal (what, "add"))
    printf (_("%04x:%04x will be read as a barcode scanner.\n"), vid, pid);
  else if (g_str_equal (what, "remove"))
    printf (_("%04x:%04x is no longer read as a barcode scanner, unless Balcão knows it as one.\n"), vid, pid);
  else
    printf (_("Scanner %04x:%04x uses the layout %s.\n"), vid, pid,
            pos_scanner_layout_get_label (pos_scanner_manager_get_layout (manager, vid, pid)));
  return 0;
}

int
pos_cli_cmd_scanners (int    argc,
                      char **argv)
{
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  const char *sub = argc >= 2 ? argv[1] : "list";

  if (g_str_equal (sub, "--help") || g_str_equal (sub, "-h"))
    {
      print_usage (stdout);
      return 0;
    }
  if (!g_str_equal (sub, "list") && !g_str_equal (sub, "listen") && !g_str_equal (sub, "enable")
      && !g_str_equal (sub, "disable") && !g_str_equal (sub, "add") && !g_str_equal (sub, "remove")
      && !g_str_equal (sub, "layout") && !g_str_equal (sub, "timeout"))
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (sub, "list") && argc > 2)
    {
      print_usage (stderr);
      return 2;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  if (g_str_equal (sub, "list"))
    return cmd_list (db);
  if (g_str_equal (sub, "listen"))
    return cmd_listen (db, argc - 1, argv + 1);
  return cmd_setting (db, argc - 1, argv + 1);
}
