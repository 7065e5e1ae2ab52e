/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-devices"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libusb.h>
#include <stdio.h>
#include <string.h>

#include "pos-scanner.h"
#include "pos-scanner-hidpos.h"

/* How it works (docs/scanners.md has the user's side):
 *
 *  owner context     the PosScannerManager object, its list of
 *                    PosScannerDevice, the settings' master copy and the
 *                    database. Gets events (scans, device snapshots) from
 *                    the threads through an async queue and a GSource.
 *  "scanner-usb"     libusb's event loop: runs hotplug callbacks (which only
 *                    queue commands) and the completion of transfers.
 *  "scanner-control" probes the devices that arrive, claims, releases and
 *                    gives them back to the kernel driver, follows setting
 *                    changes. Commands come through an async queue.
 *  "scanner-read"    one per claimed device: synchronous interrupt-IN
 *                    transfers with a timeout, decodes the reports, ends a
 *                    scan on Enter/Tab, on the inter-character timeout, or
 *                    on the last HID POS report; drops a scan that a stall,
 *                    a garbage report or an unplug cut.
 *
 * Threads never touch GObjects: they read the settings under the manager's
 * lock and a device's state under that device's lock, and post snapshots. */

G_DEFINE_QUARK (pos-scanner-error-quark, pos_scanner_error)

#define DEFAULT_TIMEOUT_MS   50
#define MIN_TIMEOUT_MS       10
#define MAX_TIMEOUT_MS       2000
#define IDLE_WAIT_MS         200     /* longest read with no scan under way: bounds a stop */
#define LAST_READ_MS         10      /* the read that may end a scan by its pause: about
                                      * the longest polling interval of a HID device */
#define EVENT_WAIT_US        200000
#define CONTROL_TIMEOUT_MS   1000
#define MAX_IO_ERRORS        5
#define DEFAULT_POLL_MS      1000

#define KEY(vid, pid) (((guint32) (vid) << 16) | (guint32) (pid))
#define KEY_VID(key) ((guint16) ((key) >> 16))
#define KEY_PID(key) ((guint16) ((key) & 0xffff))

/* ---- the built-in list ---- */

typedef struct {
  guint16     vid;
  guint16     pid;    /* 0: every product of that maker */
  const char *name;
} KnownScanner;

/* Makers that make nothing else one would plug into a counter as a
 * keyboard, and single models of makers that do. Keep in step with
 * packaging/60-balcao-scanners.rules. */
static const KnownScanner known_scanners[] = {
  { 0x0c2e, 0,      "Honeywell (Metrologic)" },
  { 0x0536, 0,      "Honeywell (Hand Held Products)" },
  { 0x05e0, 0,      "Zebra (Symbol)" },
  { 0x05f9, 0,      "Datalogic (PSC)" },
  { 0x080c, 0,      "Datalogic" },
  { 0x1eab, 0,      "Newland" },
  { 0x065a, 0,      "Opticon" },
  { 0x27dd, 0,      "Mindeo" },
  { 0x067e, 0x0801, "Intermec barcode scanner" },
  { 0x0db5, 0x013a, "Access IS barcode module" },
  { 0x0db5, 0x013b, "Access IS barcode module" },
  { 0x0581, 0x0107, "Tera barcode scanner" },
  { 0x0581, 0x020c, "Tera 2D barcode scanner" },
  { 0x040b, 0x6510, "Weltrend barcode reader" },
  { 0x0416, 0xc141, "Winbond barcode scanner" },
  { 0x04b4, 0xbca1, "Cypress barcode reader" },
  { 0x04b4, 0xde61, "Cypress barcode reader" },
  { 0x04b4, 0xde64, "Cypress barcode reader" },
  { 0x03f0, 0x0139, "HP Barcode Scanner 4430" },
  { 0x03f0, 0x1d24, "HP barcode scanner" },
  { 0x13ba, 0x0018, "PCPlay barcode scanner" },
};

static const KnownScanner *
find_known (guint16 vid,
            guint16 pid)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_scanners); i++)
    if (known_scanners[i].vid == vid && (known_scanners[i].pid == 0 || known_scanners[i].pid == pid))
      return &known_scanners[i];
  return NULL;
}

gboolean
pos_scanner_is_known_id (guint16 vendor_id,
                         guint16 product_id)
{
  return find_known (vendor_id, product_id) != NULL;
}

gboolean
pos_scanner_parse_id (const char *text,
                      guint16    *vendor_id,
                      guint16    *product_id,
                      GError    **error)
{
  guint values[2] = { 0, 0 };
  const char *p = text;

  for (guint part = 0; part < 2; part++)
    {
      guint digits = 0;

      while (p != NULL && g_ascii_isxdigit (*p) && digits < 4)
        {
          values[part] = values[part] * 16 + (guint) g_ascii_xdigit_value (*p);
          p++;
          digits++;
        }
      if (p == NULL || digits != 4 || (part == 0 && *p++ != ':') || (part == 1 && *p != '\0'))
        {
          g_set_error (error, POS_SCANNER_ERROR, POS_SCANNER_ERROR_INVALID_ID,
                       _("“%s” is not a USB VID:PID such as 05e0:1200."), text ? text : "");
          return FALSE;
        }
    }

  if (vendor_id != NULL)
    *vendor_id = (guint16) values[0];
  if (product_id != NULL)
    *product_id = (guint16) values[1];
  return TRUE;
}

const char *
pos_scanner_kind_to_string (PosScannerKind kind)
{
  switch (kind)
    {
    case POS_SCANNER_KIND_HID_POS:
      return "hid-pos";
    case POS_SCANNER_KIND_KEYBOARD:
    default:
      return "keyboard-wedge-usb";
    }
}

const char *
pos_scanner_state_to_string (PosScannerState state)
{
  switch (state)
    {
    case POS_SCANNER_STATE_IGNORED:
      return "ignored";
    case POS_SCANNER_STATE_DISABLED:
      return "disabled";
    case POS_SCANNER_STATE_STARTING:
      return "starting";
    case POS_SCANNER_STATE_ACTIVE:
      return "active";
    case POS_SCANNER_STATE_AVAILABLE:
      return "available";
    case POS_SCANNER_STATE_NO_PERMISSION:
      return "no-permission";
    case POS_SCANNER_STATE_ERROR:
    default:
      return "error";
    }
}

const char *
pos_scanner_state_get_label (PosScannerState state)
{
  switch (state)
    {
    case POS_SCANNER_STATE_IGNORED:
      return _("Not a scanner");
    case POS_SCANNER_STATE_DISABLED:
      return _("Turned off");
    case POS_SCANNER_STATE_STARTING:
      return _("Starting");
    case POS_SCANNER_STATE_ACTIVE:
      return _("Active");
    case POS_SCANNER_STATE_AVAILABLE:
      return _("Available");
    case POS_SCANNER_STATE_NO_PERMISSION:
      return _("No permission");
    case POS_SCANNER_STATE_ERROR:
    default:
      return _("Error");
    }
}

/* ---- PosScan ---- */

struct _PosScan {
  gatomicrefcount  ref_count;
  char            *text;
  char            *aim_id;
  const char      *symbology;
  char            *device_id;
  char            *device_name;
  gint64           reaped_time;
};

G_DEFINE_BOXED_TYPE (PosScan, pos_scan, pos_scan_ref, pos_scan_unref)

PosScan *
pos_scan_new (const char *text,
              const char *aim_id,
              const char *device_id,
              const char *device_name,
              gint64      reaped_time)
{
  PosScan *scan = g_new0 (PosScan, 1);

  g_atomic_ref_count_init (&scan->ref_count);
  scan->text = g_strdup (text ? text : "");
  scan->aim_id = aim_id != NULL && *aim_id != '\0' ? g_strdup (aim_id) : NULL;
  scan->symbology = pos_hidpos_symbology_name (scan->aim_id);
  scan->device_id = g_strdup (device_id);
  scan->device_name = g_strdup (device_name);
  scan->reaped_time = reaped_time;
  return scan;
}

PosScan *
pos_scan_ref (PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);

  g_atomic_ref_count_inc (&scan->ref_count);
  return scan;
}

void
pos_scan_unref (PosScan *scan)
{
  g_return_if_fail (scan != NULL);

  if (!g_atomic_ref_count_dec (&scan->ref_count))
    return;
  g_free (scan->text);
  g_free (scan->aim_id);
  g_free (scan->device_id);
  g_free (scan->device_name);
  g_free (scan);
}

const char *
pos_scan_get_text (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);
  return scan->text;
}

const char *
pos_scan_get_aim_id (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);
  return scan->aim_id;
}

const char *
pos_scan_get_symbology (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);
  return scan->symbology;
}

const char *
pos_scan_get_device_id (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);
  return scan->device_id;
}

const char *
pos_scan_get_device_name (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);
  return scan->device_name;
}

gint64
pos_scan_get_reaped_time (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, 0);
  return scan->reaped_time;
}

char *
pos_scan_dup_parse_input (const PosScan *scan)
{
  g_return_val_if_fail (scan != NULL, NULL);

  if (scan->aim_id != NULL)
    return g_strconcat (scan->aim_id, scan->text, NULL);
  return g_strdup (scan->text);
}

/* ---- device snapshots ---- */

typedef struct {
  char            *id;
  char            *name;
  char            *vid_pid;
  guint16          vid;
  guint16          pid;
  guint            bus;
  guint            address;
  PosScannerKind   kind;
  PosScannerState  state;
  char            *error_message;
  PosScannerLayout layout;
  gboolean         enabled;
  gboolean         is_scanner;
  guint            n_scans;
  guint            n_dropped;
  guint            n_short;
  guint            n_garbage;
  guint            n_stalls;
} Snapshot;

static void
snapshot_clear (Snapshot *snap)
{
  g_clear_pointer (&snap->id, g_free);
  g_clear_pointer (&snap->name, g_free);
  g_clear_pointer (&snap->vid_pid, g_free);
  g_clear_pointer (&snap->error_message, g_free);
}

/* ---- PosScannerDevice ---- */

struct _PosScannerDevice {
  GObject  parent_instance;
  Snapshot snap;
};

enum {
  DEV_PROP_0,
  DEV_PROP_ID,
  DEV_PROP_NAME,
  DEV_PROP_VID_PID,
  DEV_PROP_VENDOR_ID,
  DEV_PROP_PRODUCT_ID,
  DEV_PROP_BUS,
  DEV_PROP_ADDRESS,
  DEV_PROP_KIND,
  DEV_PROP_STATE,
  DEV_PROP_ERROR_MESSAGE,
  DEV_PROP_LAYOUT,
  DEV_PROP_ENABLED,
  DEV_PROP_IS_SCANNER,
  DEV_PROP_N_SCANS,
  DEV_PROP_N_DROPPED,
  DEV_PROP_N_SHORT,
  DEV_PROP_N_GARBAGE,
  DEV_PROP_N_STALLS,
  N_DEV_PROPS
};

static GParamSpec *device_props[N_DEV_PROPS];

G_DEFINE_FINAL_TYPE (PosScannerDevice, pos_scanner_device, G_TYPE_OBJECT)

static void
pos_scanner_device_finalize (GObject *object)
{
  PosScannerDevice *self = POS_SCANNER_DEVICE (object);

  snapshot_clear (&self->snap);
  G_OBJECT_CLASS (pos_scanner_device_parent_class)->finalize (object);
}

static void
pos_scanner_device_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PosScannerDevice *self = POS_SCANNER_DEVICE (object);
  const Snapshot *s = &self->snap;

  switch (prop_id)
    {
    case DEV_PROP_ID:
      g_value_set_string (value, s->id);
      break;
    case DEV_PROP_NAME:
      g_value_set_string (value, s->name);
      break;
    case DEV_PROP_VID_PID:
      g_value_set_string (value, s->vid_pid);
      break;
    case DEV_PROP_VENDOR_ID:
      g_value_set_uint (value, s->vid);
      break;
    case DEV_PROP_PRODUCT_ID:
      g_value_set_uint (value, s->pid);
      break;
    case DEV_PROP_BUS:
      g_value_set_uint (value, s->bus);
      break;
    case DEV_PROP_ADDRESS:
      g_value_set_uint (value, s->address);
      break;
    case DEV_PROP_KIND:
      g_value_set_int (value, s->kind);
      break;
    case DEV_PROP_STATE:
      g_value_set_int (value, s->state);
      break;
    case DEV_PROP_ERROR_MESSAGE:
      g_value_set_string (value, s->error_message);
      break;
    case DEV_PROP_LAYOUT:
      g_value_set_int (value, s->layout);
      break;
    case DEV_PROP_ENABLED:
      g_value_set_boolean (value, s->enabled);
      break;
    case DEV_PROP_IS_SCANNER:
      g_value_set_boolean (value, s->is_scanner);
      break;
    case DEV_PROP_N_SCANS:
      g_value_set_uint (value, s->n_scans);
      break;
    case DEV_PROP_N_DROPPED:
      g_value_set_uint (value, s->n_dropped);
      break;
    case DEV_PROP_N_SHORT:
      g_value_set_uint (value, s->n_short);
      break;
    case DEV_PROP_N_GARBAGE:
      g_value_set_uint (value, s->n_garbage);
      break;
    case DEV_PROP_N_STALLS:
      g_value_set_uint (value, s->n_stalls);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_scanner_device_class_init (PosScannerDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pos_scanner_device_finalize;
  object_class->get_property = pos_scanner_device_get_property;

  device_props[DEV_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  device_props[DEV_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  device_props[DEV_PROP_VID_PID] = g_param_spec_string ("vid-pid", NULL, NULL, NULL, flags);
  device_props[DEV_PROP_VENDOR_ID] = g_param_spec_uint ("vendor-id", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  device_props[DEV_PROP_PRODUCT_ID] = g_param_spec_uint ("product-id", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  device_props[DEV_PROP_BUS] = g_param_spec_uint ("bus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  device_props[DEV_PROP_ADDRESS] = g_param_spec_uint ("address", NULL, NULL, 0, G_MAXUINT, 0, flags);
  device_props[DEV_PROP_KIND] = g_param_spec_int ("kind", NULL, NULL,
                                                  POS_SCANNER_KIND_KEYBOARD, POS_SCANNER_KIND_HID_POS,
                                                  POS_SCANNER_KIND_KEYBOARD, flags);
  device_props[DEV_PROP_STATE] = g_param_spec_int ("state", NULL, NULL,
                                                   POS_SCANNER_STATE_IGNORED, POS_SCANNER_STATE_ERROR,
                                                   POS_SCANNER_STATE_IGNORED, flags);
  device_props[DEV_PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  device_props[DEV_PROP_LAYOUT] = g_param_spec_int ("layout", NULL, NULL,
                                                    0, POS_SCANNER_N_LAYOUTS - 1, 0, flags);
  device_props[DEV_PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, flags);
  device_props[DEV_PROP_IS_SCANNER] = g_param_spec_boolean ("is-scanner", NULL, NULL, FALSE, flags);
  device_props[DEV_PROP_N_SCANS] = g_param_spec_uint ("n-scans", NULL, NULL, 0, G_MAXUINT, 0, flags);
  device_props[DEV_PROP_N_DROPPED] = g_param_spec_uint ("n-dropped", NULL, NULL, 0, G_MAXUINT, 0, flags);
  device_props[DEV_PROP_N_SHORT] = g_param_spec_uint ("n-short", NULL, NULL, 0, G_MAXUINT, 0, flags);
  device_props[DEV_PROP_N_GARBAGE] = g_param_spec_uint ("n-garbage", NULL, NULL, 0, G_MAXUINT, 0, flags);
  device_props[DEV_PROP_N_STALLS] = g_param_spec_uint ("n-stalls", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_DEV_PROPS, device_props);
}

static void
pos_scanner_device_init (PosScannerDevice *self)
{
  self->snap.enabled = TRUE;
}

static void
set_string_prop (PosScannerDevice  *self,
                 char             **field,
                 const char        *value,
                 guint              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), device_props[prop]);
}

#define SET_VALUE_PROP(self, field, value, prop)                               \
  G_STMT_START {                                                               \
    if ((self)->snap.field != (value))                                         \
      {                                                                        \
        (self)->snap.field = (value);                                          \
        g_object_notify_by_pspec (G_OBJECT (self), device_props[prop]);        \
      }                                                                        \
  } G_STMT_END

/* Takes the snapshot's values; notifies those that changed. */
static void
scanner_device_apply (PosScannerDevice *self,
                      const Snapshot   *s)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string_prop (self, &self->snap.id, s->id, DEV_PROP_ID);
  set_string_prop (self, &self->snap.name, s->name, DEV_PROP_NAME);
  set_string_prop (self, &self->snap.vid_pid, s->vid_pid, DEV_PROP_VID_PID);
  set_string_prop (self, &self->snap.error_message, s->error_message, DEV_PROP_ERROR_MESSAGE);
  SET_VALUE_PROP (self, vid, s->vid, DEV_PROP_VENDOR_ID);
  SET_VALUE_PROP (self, pid, s->pid, DEV_PROP_PRODUCT_ID);
  SET_VALUE_PROP (self, bus, s->bus, DEV_PROP_BUS);
  SET_VALUE_PROP (self, address, s->address, DEV_PROP_ADDRESS);
  SET_VALUE_PROP (self, kind, s->kind, DEV_PROP_KIND);
  SET_VALUE_PROP (self, state, s->state, DEV_PROP_STATE);
  SET_VALUE_PROP (self, layout, s->layout, DEV_PROP_LAYOUT);
  SET_VALUE_PROP (self, enabled, s->enabled, DEV_PROP_ENABLED);
  SET_VALUE_PROP (self, is_scanner, s->is_scanner, DEV_PROP_IS_SCANNER);
  SET_VALUE_PROP (self, n_scans, s->n_scans, DEV_PROP_N_SCANS);
  SET_VALUE_PROP (self, n_dropped, s->n_dropped, DEV_PROP_N_DROPPED);
  SET_VALUE_PROP (self, n_short, s->n_short, DEV_PROP_N_SHORT);
  SET_VALUE_PROP (self, n_garbage, s->n_garbage, DEV_PROP_N_GARBAGE);
  SET_VALUE_PROP (self, n_stalls, s->n_stalls, DEV_PROP_N_STALLS);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
pos_scanner_device_get_id (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), NULL);
  return self->snap.id;
}

const char *
pos_scanner_device_get_name (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), NULL);
  return self->snap.name;
}

const char *
pos_scanner_device_get_vid_pid (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), NULL);
  return self->snap.vid_pid;
}

guint16
pos_scanner_device_get_vendor_id (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.vid;
}

guint16
pos_scanner_device_get_product_id (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.pid;
}

guint
pos_scanner_device_get_bus (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.bus;
}

guint
pos_scanner_device_get_address (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.address;
}

PosScannerKind
pos_scanner_device_get_kind (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), POS_SCANNER_KIND_KEYBOARD);
  return self->snap.kind;
}

PosScannerState
pos_scanner_device_get_state (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), POS_SCANNER_STATE_ERROR);
  return self->snap.state;
}

const char *
pos_scanner_device_get_error_message (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), NULL);
  return self->snap.error_message;
}

PosScannerLayout
pos_scanner_device_get_layout (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), POS_SCANNER_LAYOUT_US);
  return self->snap.layout;
}

gboolean
pos_scanner_device_get_enabled (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), FALSE);
  return self->snap.enabled;
}

gboolean
pos_scanner_device_get_is_scanner (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), FALSE);
  return self->snap.is_scanner;
}

guint
pos_scanner_device_get_n_scans (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.n_scans;
}

guint
pos_scanner_device_get_n_dropped (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.n_dropped;
}

guint
pos_scanner_device_get_n_short (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.n_short;
}

guint
pos_scanner_device_get_n_garbage (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.n_garbage;
}

guint
pos_scanner_device_get_n_stalls (PosScannerDevice *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_DEVICE (self), 0);
  return self->snap.n_stalls;
}

/* ---- the manager's private types ---- */

typedef struct _UsbDevice UsbDevice;

typedef enum {
  CMD_ARRIVED,
  CMD_LEFT,
  CMD_SETTINGS,
  CMD_READY,
  CMD_READER_DONE,
  CMD_STOP,
} CommandType;

typedef struct {
  CommandType     type;
  libusb_device  *dev;      /* ARRIVED, LEFT: a reference */
  guint64         serial;   /* READER_DONE */
} Command;

typedef enum {
  EVENT_DEVICE,
  EVENT_REMOVED,
  EVENT_SCAN,
  EVENT_READY,
} EventType;

typedef struct {
  EventType  type;
  Snapshot   snap;    /* DEVICE; REMOVED uses snap.id */
  PosScan   *scan;    /* SCAN */
} Event;

struct _UsbDevice {
  PosScannerManager    *manager;      /* not a reference: threads end before it goes */
  guint64               serial;
  libusb_device        *dev;
  gboolean              relevant;     /* a keyboard or HID POS interface: listed */
  char                 *id;
  char                 *vid_pid;
  char                 *port_path;
  guint16               vid;
  guint16               pid;
  guint8                bus;
  guint8                address;
  guint8                config_value;
  guint8                i_product;
  guint8                i_manufacturer;
  PosScannerKind        kind;
  gboolean              name_from_device;
  int                   iface;
  guint8                endpoint;
  guint16               max_packet;
  guint16               report_descriptor_length;
  gboolean              have_hidpos_layout;
  PosHidPosLayout       hidpos;

  /* control thread only */
  libusb_device_handle *handle;
  gboolean              claimed;
  gboolean              detached;
  GThread              *reader;

  /* shared with the reader */
  gint                  stop;          /* atomic */
  gint                  layout;        /* atomic, PosScannerLayout */
  gint                  timeout_ms;    /* atomic */
  gint                  reader_done;   /* atomic: the reader left on its own */
  gint                  gone;          /* atomic: the reader saw the device unplugged */

  GMutex                lock;          /* what follows */
  char                 *name;
  gboolean              is_scanner;
  gboolean              enabled;
  PosScannerState       state;
  char                 *error_message;
  guint                 n_scans;
  guint                 n_dropped;
  guint                 n_short;
  guint                 n_garbage;
  guint                 n_stalls;
  gboolean              listed;        /* the owner context was told of it */
};

typedef struct {
  GSource            source;
  PosScannerManager *manager;
} EventSource;

struct _PosScannerManager {
  GObject         parent_instance;

  GMainContext   *context;
  PosDatabase    *database;
  GListStore     *devices;
  GAsyncQueue    *events;
  GSource        *event_source;
  gboolean        running;
  gboolean        ready;
  gboolean        read_devices;
  gboolean        use_hotplug;
  guint           poll_interval_ms;

  /* Settings: the owner writes them, the threads read them, under lock. */
  GMutex          lock;
  GHashTable     *extra_ids;        /* KEY() set */
  GHashTable     *disabled_ids;     /* KEY() set */
  GHashTable     *layouts;          /* KEY() -> layout + 1 */
  PosScannerLayout default_layout;
  guint           timeout_ms;

  /* USB side, while running. */
  libusb_context *usb;
  gboolean        have_hotplug;
  libusb_hotplug_callback_handle hotplug;
  gboolean        hotplug_registered;
  GAsyncQueue    *commands;
  GThread        *event_thread;
  GThread        *control_thread;
  int             event_stop;       /* atomic; libusb's "completed" flag */
  GPtrArray      *usb_devices;      /* control thread only */
  guint64         next_serial;
};

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_RUNNING,
  PROP_READY,
  PROP_TIMEOUT_MS,
  PROP_DEFAULT_LAYOUT,
  PROP_READ_DEVICES,
  PROP_USE_HOTPLUG,
  PROP_POLL_INTERVAL_MS,
  N_PROPS
};

enum {
  SIGNAL_SCANNED,
  SIGNAL_DEVICES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PosScannerManager, pos_scanner_manager, G_TYPE_OBJECT)

static void
event_free (gpointer data)
{
  Event *event = data;

  snapshot_clear (&event->snap);
  g_clear_pointer (&event->scan, pos_scan_unref);
  g_free (event);
}

static void
command_free (gpointer data)
{
  Command *command = data;

  g_clear_pointer (&command->dev, libusb_unref_device);
  g_free (command);
}

static void
push_command (PosScannerManager *self,
              CommandType        type,
              libusb_device     *dev,
              guint64            serial)
{
  Command *command = g_new0 (Command, 1);

  command->type = type;
  command->dev = dev != NULL ? libusb_ref_device (dev) : NULL;
  command->serial = serial;
  g_async_queue_push (self->commands, command);
}

static void
post_event (PosScannerManager *self,
            Event             *event)
{
  g_async_queue_push (self->events, event);
  g_main_context_wakeup (self->context);
}

/* ---- settings ---- */

static void
load_id_set (GHashTable *set,
             const char *text)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint16 vid, pid;

      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (pos_scanner_parse_id (parts[i], &vid, &pid, NULL))
        g_hash_table_add (set, GUINT_TO_POINTER (KEY (vid, pid)));
      else
        g_debug ("Ignoring “%s” in the scanner settings", parts[i]);
    }
}

static void
load_layouts (GHashTable *layouts,
              const char *text)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      PosScannerLayout layout;
      guint16 vid, pid;

      if (eq == NULL)
        continue;
      *eq = '\0';
      g_strstrip (parts[i]);
      g_strstrip (eq + 1);
      if (pos_scanner_parse_id (parts[i], &vid, &pid, NULL) && pos_scanner_layout_from_string (eq + 1, &layout))
        g_hash_table_insert (layouts, GUINT_TO_POINTER (KEY (vid, pid)), GINT_TO_POINTER (layout + 1));
      else
        g_debug ("Ignoring “%s” in the scanner layouts", parts[i]);
    }
}

static void
load_settings (PosScannerManager *self)
{
  g_autofree char *extra = NULL;
  g_autofree char *disabled = NULL;
  g_autofree char *layouts = NULL;
  g_autofree char *default_layout = NULL;
  g_autofree char *timeout = NULL;

  if (self->database == NULL)
    return;

  extra = pos_database_get_setting (self->database, "scanner_extra_ids");
  disabled = pos_database_get_setting (self->database, "scanner_disabled_ids");
  layouts = pos_database_get_setting (self->database, "scanner_layouts");
  default_layout = pos_database_get_setting (self->database, "scanner_default_layout");
  timeout = pos_database_get_setting (self->database, "scanner_timeout_ms");

  g_mutex_lock (&self->lock);
  load_id_set (self->extra_ids, extra);
  load_id_set (self->disabled_ids, disabled);
  load_layouts (self->layouts, layouts);
  if (default_layout != NULL)
    pos_scanner_layout_from_string (default_layout, &self->default_layout);
  if (timeout != NULL)
    {
      guint64 ms = g_ascii_strtoull (timeout, NULL, 10);

      if (ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS)
        self->timeout_ms = (guint) ms;
    }
  g_mutex_unlock (&self->lock);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  guint32 ka = *(const guint32 *) a;
  guint32 kb = *(const guint32 *) b;

  return ka < kb ? -1 : ka > kb;
}

/* "0c2e:0b6a,05e0:1200", sorted; with layouts "05e0:1200=abnt2". Call
 * with the lock held. */
static char *
format_ids (GHashTable *table,
            gboolean    with_layouts)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GString) out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      guint32 key = GPOINTER_TO_UINT (item);

      g_array_append_val (keys, key);
    }
  g_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      guint32 key = g_array_index (keys, guint32, i);

      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "%04x:%04x", KEY_VID (key), KEY_PID (key));
      if (with_layouts)
        {
          int layout = GPOINTER_TO_INT (g_hash_table_lookup (table, GUINT_TO_POINTER (key))) - 1;

          g_string_append_printf (out, "=%s", pos_scanner_layout_to_string (layout));
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
save_setting (PosScannerManager  *self,
              const char         *key,
              const char         *value,
              GError            **error)
{
  if (self->database == NULL)
    return TRUE;
  return pos_database_set_setting (self->database, key, value, error);
}

static void
settings_changed (PosScannerManager *self)
{
  if (self->commands != NULL && self->running)
    push_command (self, CMD_SETTINGS, NULL, 0);
}

/* Reads a device's settings (lock not held). */
static void
device_settings (PosScannerManager *self,
                 guint16            vid,
                 guint16            pid,
                 gboolean          *extra,
                 gboolean          *enabled,
                 PosScannerLayout  *layout,
                 guint             *timeout_ms)
{
  gpointer value;
  guint32 key = KEY (vid, pid);

  g_mutex_lock (&self->lock);
  *extra = g_hash_table_contains (self->extra_ids, GUINT_TO_POINTER (key));
  *enabled = !g_hash_table_contains (self->disabled_ids, GUINT_TO_POINTER (key));
  value = g_hash_table_lookup (self->layouts, GUINT_TO_POINTER (key));
  *layout = value != NULL ? (PosScannerLayout) (GPOINTER_TO_INT (value) - 1) : self->default_layout;
  *timeout_ms = self->timeout_ms;
  g_mutex_unlock (&self->lock);
}

/* ---- USB devices: identity and probing (control thread) ---- */

static void
usb_device_free (UsbDevice *d)
{
  g_assert (d->reader == NULL && d->handle == NULL);

  libusb_unref_device (d->dev);
  g_free (d->id);
  g_free (d->vid_pid);
  g_free (d->port_path);
  g_free (d->name);
  g_free (d->error_message);
  g_mutex_clear (&d->lock);
  g_free (d);
}

static char *
read_sysfs_text (const char *dir,
                 const char *attribute)
{
  g_autofree char *path = g_build_filename (dir, attribute, NULL);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  g_strstrip (contents);
  if (*contents == '\0' || !g_utf8_validate (contents, -1, NULL))
    return NULL;
  return g_steal_pointer (&contents);
}

static char *
compose_name (const char *manufacturer,
              const char *product)
{
  if (product == NULL || *product == '\0')
    return manufacturer != NULL && *manufacturer != '\0' ? g_strdup (manufacturer) : NULL;
  if (manufacturer == NULL || *manufacturer == '\0'
      || g_ascii_strncasecmp (product, manufacturer, strlen (manufacturer)) == 0)
    return g_strdup (product);
  return g_strdup_printf ("%s %s", manufacturer, product);
}

static char *
fallback_name (UsbDevice *d)
{
  const KnownScanner *known = find_known (d->vid, d->pid);

  if (known != NULL)
    return g_strdup (known->name);
  if (d->kind == POS_SCANNER_KIND_HID_POS)
    return g_strdup_printf (_("HID POS scanner %s"), d->vid_pid);
  return g_strdup_printf (_("USB keyboard %s"), d->vid_pid);
}

/* The HID report descriptor as the kernel's HID driver exposes it in
 * sysfs (readable by everyone, while that driver is bound). */
static GBytes *
read_sysfs_report_descriptor (UsbDevice *d,
                              int        iface)
{
  g_autofree char *dir = g_strdup_printf ("/sys/bus/usb/devices/%s:%u.%d",
                                          d->port_path, d->config_value, iface);
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (entries == NULL)
    return NULL;

  while ((entry = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = NULL;
      char *contents = NULL;
      gsize length = 0;
      guint bus, vid, pid, n;

      /* 0003:0C2E:0B6A.0001 */
      if (sscanf (entry, "%4x:%4x:%4x.%4x", &bus, &vid, &pid, &n) != 4)
        continue;
      path = g_build_filename (dir, entry, "report_descriptor", NULL);
      if (g_file_get_contents (path, &contents, &length, NULL) && length > 0)
        return g_bytes_new_take (contents, length);
      g_free (contents);
    }
  return NULL;
}

static GBytes *
fetch_report_descriptor (UsbDevice            *d,
                         libusb_device_handle *handle,
                         int                   iface,
                         guint16               length)
{
  g_autofree guint8 *buffer = NULL;
  int r;

  if (length == 0)
    length = 1024;
  buffer = g_malloc0 (length);
  r = libusb_control_transfer (handle,
                               LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD | LIBUSB_RECIPIENT_INTERFACE,
                               LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_REPORT << 8, (guint16) iface,
                               buffer, length, CONTROL_TIMEOUT_MS);
  if (r <= 0)
    {
      g_debug ("%s: no report descriptor: %s", d->id, libusb_error_name (r));
      return NULL;
    }
  return g_bytes_new (buffer, (gsize) r);
}

static guint16
hid_report_descriptor_length (const struct libusb_interface_descriptor *alt)
{
  const guint8 *extra = alt->extra;
  int left = alt->extra_length;

  /* HID descriptor: bLength, 0x21, bcdHID, bCountryCode, bNumDescriptors,
   * then (bDescriptorType, wDescriptorLength) pairs. */
  while (left >= 2 && extra[0] >= 2 && extra[0] <= left)
    {
      if (extra[1] == 0x21 && extra[0] >= 9)
        {
          guint n = extra[5];

          for (guint i = 0; i < n && 6 + 3 * i + 2 < extra[0]; i++)
            if (extra[6 + 3 * i] == LIBUSB_DT_REPORT)
              return (guint16) (extra[7 + 3 * i] | (extra[8 + 3 * i] << 8));
        }
      left -= extra[0];
      extra += extra[0];
    }
  return 0;
}

static gboolean
find_interrupt_in (const struct libusb_interface_descriptor *alt,
                   guint8                                   *endpoint,
                   guint16                                  *max_packet)
{
  for (int e = 0; e < alt->bNumEndpoints; e++)
    {
      const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];

      if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN
          && (ep->bmAttributes & 0x3) == LIBUSB_TRANSFER_TYPE_INTERRUPT)
        {
          *endpoint = ep->bEndpointAddress;
          *max_packet = ep->wMaxPacketSize & 0x7ff;
          return TRUE;
        }
    }
  return FALSE;
}

static void
use_report_descriptor (UsbDevice *d,
                       GBytes    *descriptor)
{
  gsize length;
  const guint8 *bytes = g_bytes_get_data (descriptor, &length);
  g_autoptr(GError) error = NULL;

  if (pos_hidpos_layout_parse (bytes, length, &d->hidpos, &error))
    {
      d->have_hidpos_layout = TRUE;
      return;
    }
  g_debug ("%s: %s; using the standard HID POS layout", d->id, error->message);
  pos_hidpos_layout_init_standard (&d->hidpos);
  d->have_hidpos_layout = TRUE;
}

/* Looks at the descriptors (from sysfs, no I/O with the device): a boot
 * keyboard interface, or a HID interface whose report descriptor uses the
 * Barcode Scanner page. */
static void
probe (UsbDevice *d)
{
  struct libusb_device_descriptor desc;
  struct libusb_config_descriptor *config = NULL;
  g_autofree char *sysfs_dir = NULL;
  g_autofree char *manufacturer = NULL;
  g_autofree char *product = NULL;
  int keyboard_iface = -1;
  guint8 keyboard_ep = 0;
  guint16 keyboard_packet = 0;
  int hid_candidates[8];
  guint16 hid_lengths[8];
  guint8 hid_eps[8];
  guint16 hid_packets[8];
  guint n_hid = 0;
  gboolean known, extra, enabled;
  PosScannerLayout layout;
  guint timeout_ms;

  if (libusb_get_device_descriptor (d->dev, &desc) != 0 || desc.bDeviceClass == LIBUSB_CLASS_HUB)
    return;
  device_settings (d->manager, d->vid, d->pid, &extra, &enabled, &layout, &timeout_ms);
  known = extra || find_known (d->vid, d->pid) != NULL;
  d->i_product = desc.iProduct;
  d->i_manufacturer = desc.iManufacturer;

  if (libusb_get_active_config_descriptor (d->dev, &config) != 0
      && libusb_get_config_descriptor (d->dev, 0, &config) != 0)
    return;
  d->config_value = config->bConfigurationValue;

  for (int i = 0; i < config->bNumInterfaces; i++)
    {
      const struct libusb_interface *interface = &config->interface[i];
      const struct libusb_interface_descriptor *alt;
      guint8 ep;
      guint16 packet;

      if (interface->num_altsetting < 1)
        continue;
      alt = &interface->altsetting[0];
      if (alt->bInterfaceClass != LIBUSB_CLASS_HID || !find_interrupt_in (alt, &ep, &packet) || packet == 0)
        continue;

      if (alt->bInterfaceSubClass == 1 && alt->bInterfaceProtocol == 1)
        {
          if (keyboard_iface < 0)
            {
              keyboard_iface = alt->bInterfaceNumber;
              keyboard_ep = ep;
              keyboard_packet = packet;
            }
        }
      else if (alt->bInterfaceProtocol != 2 && n_hid < G_N_ELEMENTS (hid_candidates))
        {
          hid_candidates[n_hid] = alt->bInterfaceNumber;
          hid_lengths[n_hid] = hid_report_descriptor_length (alt);
          hid_eps[n_hid] = ep;
          hid_packets[n_hid] = packet;
          n_hid++;
        }
    }
  libusb_free_config_descriptor (config);

  /* A HID POS interface first: it says more than keystrokes. */
  for (guint i = 0; i < n_hid; i++)
    {
      g_autoptr(GBytes) descriptor = read_sysfs_report_descriptor (d, hid_candidates[i]);
      gboolean hidpos = FALSE;

      if (descriptor != NULL)
        hidpos = pos_hidpos_descriptor_is_scanner (g_bytes_get_data (descriptor, NULL),
                                                   g_bytes_get_size (descriptor));
      else if (known)
        {
          libusb_device_handle *handle = NULL;

          /* No HID driver bound: ask the device itself. The request needs
           * the interface claimed, so only a known scanner is asked. */
          if (libusb_open (d->dev, &handle) == 0)
            {
              if (libusb_claim_interface (handle, hid_candidates[i]) == 0)
                {
                  descriptor = fetch_report_descriptor (d, handle, hid_candidates[i], hid_lengths[i]);
                  libusb_release_interface (handle, hid_candidates[i]);
                }
              libusb_close (handle);
              if (descriptor != NULL)
                hidpos = pos_hidpos_descriptor_is_scanner (g_bytes_get_data (descriptor, NULL),
                                                           g_bytes_get_size (descriptor));
            }
          else if (keyboard_iface < 0)
            {
              /* A known scanner we may not open, with no keyboard
               * interface: it is in HID POS mode. */
              hidpos = TRUE;
            }
        }

      if (hidpos)
        {
          d->relevant = TRUE;
          d->kind = POS_SCANNER_KIND_HID_POS;
          d->iface = hid_candidates[i];
          d->endpoint = hid_eps[i];
          d->max_packet = hid_packets[i];
          d->report_descriptor_length = hid_lengths[i];
          if (descriptor != NULL)
            use_report_descriptor (d, descriptor);
          break;
        }
    }

  if (!d->relevant && keyboard_iface >= 0)
    {
      d->relevant = TRUE;
      d->kind = POS_SCANNER_KIND_KEYBOARD;
      d->iface = keyboard_iface;
      d->endpoint = keyboard_ep;
      d->max_packet = keyboard_packet;
    }

  if (!d->relevant)
    return;

  sysfs_dir = g_strdup_printf ("/sys/bus/usb/devices/%s", d->port_path);
  manufacturer = read_sysfs_text (sysfs_dir, "manufacturer");
  product = read_sysfs_text (sysfs_dir, "product");
  d->name = compose_name (manufacturer, product);
  d->name_from_device = d->name != NULL;
  if (d->name == NULL)
    d->name = fallback_name (d);
}

static UsbDevice *
usb_device_new (PosScannerManager *self,
                libusb_device     *dev)
{
  UsbDevice *d = g_new0 (UsbDevice, 1);
  struct libusb_device_descriptor desc = { 0 };
  guint8 ports[8];
  int n_ports;
  g_autoptr(GString) path = g_string_new (NULL);

  g_mutex_init (&d->lock);
  d->manager = self;
  d->serial = ++self->next_serial;
  d->dev = libusb_ref_device (dev);
  d->iface = -1;
  libusb_get_device_descriptor (dev, &desc);
  d->vid = desc.idVendor;
  d->pid = desc.idProduct;
  d->bus = libusb_get_bus_number (dev);
  d->address = libusb_get_device_address (dev);

  n_ports = libusb_get_port_numbers (dev, ports, G_N_ELEMENTS (ports));
  g_string_printf (path, "%u", d->bus);
  for (int i = 0; i < n_ports; i++)
    g_string_append_printf (path, "%c%u", i == 0 ? '-' : '.', ports[i]);
  if (n_ports <= 0)
    g_string_printf (path, "usb%u", d->bus);
  d->port_path = g_strdup (path->str);
  d->vid_pid = g_strdup_printf ("%04x:%04x", d->vid, d->pid);
  d->id = g_strdup_printf ("%s@%s", d->vid_pid, d->port_path);
  d->state = POS_SCANNER_STATE_IGNORED;

  probe (d);
  return d;
}

/* Call with d->lock held. */
static Event *
device_event_locked (UsbDevice *d)
{
  Event *event = g_new0 (Event, 1);
  Snapshot *s = &event->snap;

  event->type = EVENT_DEVICE;
  s->id = g_strdup (d->id);
  s->name = g_strdup (d->name);
  s->vid_pid = g_strdup (d->vid_pid);
  s->vid = d->vid;
  s->pid = d->pid;
  s->bus = d->bus;
  s->address = d->address;
  s->kind = d->kind;
  s->state = d->state;
  s->error_message = g_strdup (d->error_message);
  s->layout = g_atomic_int_get (&d->layout);
  s->enabled = d->enabled;
  s->is_scanner = d->is_scanner;
  s->n_scans = d->n_scans;
  s->n_dropped = d->n_dropped;
  s->n_short = d->n_short;
  s->n_garbage = d->n_garbage;
  s->n_stalls = d->n_stalls;
  return event;
}

/* Posts the device's snapshot; under its lock, so snapshots from the
 * control and the reader thread arrive in the order they were taken. */
static void
post_device_locked (UsbDevice *d)
{
  d->listed = TRUE;
  post_event (d->manager, device_event_locked (d));
}

static void
post_device (UsbDevice *d)
{
  g_mutex_lock (&d->lock);
  post_device_locked (d);
  g_mutex_unlock (&d->lock);
}

static void
set_state (UsbDevice       *d,
           PosScannerState  state,
           const char      *message)
{
  g_mutex_lock (&d->lock);
  d->state = state;
  g_free (d->error_message);
  d->error_message = g_strdup (message);
  post_device_locked (d);
  g_mutex_unlock (&d->lock);
}

static char *
permission_message (UsbDevice *d)
{
  const char *user = g_get_user_name ();

  if (find_known (d->vid, d->pid) != NULL)
    return g_strdup_printf (_("User “%s” may not open this scanner. Install the udev rule "
                              "60-balcao-scanners.rules in /etc/udev/rules.d (the Balcão package does), "
                              "add the user to the “scanner” group (sudo usermod -aG scanner %s), "
                              "sign out and in again, then unplug the scanner and plug it back in."),
                            user, user);
  return g_strdup_printf (_("User “%s” may not open this scanner. The udev rule "
                            "60-balcao-scanners.rules does not list %s: add a line for it in "
                            "/etc/udev/rules.d (see the scanner documentation), add the user to the "
                            "“scanner” group (sudo usermod -aG scanner %s), sign out and in again, "
                            "then unplug the scanner and plug it back in."),
                          user, d->vid_pid, user);
}

static void
set_usb_error (UsbDevice *d,
               int        r,
               gboolean   opening)
{
  g_autofree char *message = NULL;

  if (r == LIBUSB_ERROR_ACCESS)
    {
      message = permission_message (d);
      set_state (d, POS_SCANNER_STATE_NO_PERMISSION, message);
      return;
    }

  if (r == LIBUSB_ERROR_BUSY)
    message = g_strdup (_("Another program is using this scanner (another Balcão?). "
                          "Close it, then unplug the scanner and plug it back in."));
  else if (opening)
    /* TRANSLATORS: %s is libusb's reason, in English. */
    message = g_strdup_printf (_("The scanner could not be opened: %s. Unplug it and plug it back in; "
                                 "if it keeps failing, try another USB port."),
                               libusb_strerror (r));
  else
    /* TRANSLATORS: %s is libusb's reason, in English. */
    message = g_strdup_printf (_("The scanner could not be claimed: %s. Unplug it and plug it back in; "
                                 "if it keeps failing, try another USB port."),
                               libusb_strerror (r));
  set_state (d, POS_SCANNER_STATE_ERROR, message);
}

/* ---- reading (reader thread) ---- */

typedef struct {
  UsbDevice                 *d;
  guint8                    *buffer;
  PosScannerKeyboardDecoder *keyboard;
  GByteArray                *hidpos_data;
  char                       aim[4];
  gboolean                   in_hidpos;
  gboolean                   poisoned;   /* the scan under way lost a report: drop it at its end */
  gint64                     last_report;
} Reader;

static gboolean
reader_has_partial (Reader *reader)
{
  if (reader->poisoned)
    return TRUE;
  if (reader->keyboard != NULL)
    return pos_scanner_keyboard_decoder_has_partial (reader->keyboard);
  return reader->in_hidpos;
}

static void
count (UsbDevice *d,
       guint     *counter)
{
  g_mutex_lock (&d->lock);
  (*counter)++;
  post_device_locked (d);
  g_mutex_unlock (&d->lock);
}

static void
deliver (Reader     *reader,
         const char *text,
         const char *aim,
         gint64      reaped_time)
{
  UsbDevice *d = reader->d;
  Event *event;
  g_autofree char *name = NULL;
  char found_aim[4] = "";

  if (text == NULL || *text == '\0')
    return;

  /* A keyboard scanner set to send the AIM identifier first. */
  if ((aim == NULL || *aim == '\0') && pos_hidpos_is_aim_prefix (text) && strlen (text) > 3)
    {
      memcpy (found_aim, text, 3);
      aim = found_aim;
      text += 3;
    }

  g_mutex_lock (&d->lock);
  name = g_strdup (d->name);
  event = g_new0 (Event, 1);
  event->type = EVENT_SCAN;
  event->scan = pos_scan_new (text, aim, d->id, name, reaped_time);
  post_event (d->manager, event);
  d->n_scans++;
  post_device_locked (d);
  g_mutex_unlock (&d->lock);
}

static void
drop_partial (Reader *reader)
{
  if (reader->keyboard != NULL)
    {
      g_free (pos_scanner_keyboard_decoder_take_text (reader->keyboard));
      pos_scanner_keyboard_decoder_reset (reader->keyboard);
    }
  g_byte_array_set_size (reader->hidpos_data, 0);
  reader->in_hidpos = FALSE;
  reader->poisoned = FALSE;
  count (reader->d, &reader->d->n_dropped);
}

/* The bytes of a HID POS barcode as UTF-8: as they are when they are UTF-8,
 * else read as Latin-1; a trailing CR/LF suffix goes. */
static char *
hidpos_text (GByteArray *bytes)
{
  GString *out = g_string_new (NULL);
  gsize length = bytes->len;

  while (length > 0 && (bytes->data[length - 1] == '\r' || bytes->data[length - 1] == '\n'))
    length--;

  if (g_utf8_validate_len ((const char *) bytes->data, length, NULL))
    g_string_append_len (out, (const char *) bytes->data, (gssize) length);
  else
    for (gsize i = 0; i < length; i++)
      if (bytes->data[i] != 0)
        g_string_append_unichar (out, bytes->data[i]);

  return g_string_free (out, FALSE);
}

static void
end_by_timeout (Reader *reader)
{
  if (reader->poisoned || reader->keyboard == NULL)
    {
      /* A HID POS scan always ends with its last report: one still waiting
       * for more is incomplete. */
      drop_partial (reader);
      return;
    }

  {
    g_autofree char *text = pos_scanner_keyboard_decoder_take_text (reader->keyboard);

    deliver (reader, text, NULL, reader->last_report);
  }
}

static void
handle_keyboard_report (Reader *reader,
                        int     length,
                        gint64  now)
{
  UsbDevice *d = reader->d;
  gboolean partial = reader_has_partial (reader);
  PosScannerReportResult result;

  result = pos_scanner_keyboard_decoder_feed (reader->keyboard, reader->buffer, (gsize) length);
  switch (result)
    {
    case POS_SCANNER_REPORT_SHORT:
      count (d, &d->n_short);
      if (partial)
        reader->poisoned = TRUE;
      break;

    case POS_SCANNER_REPORT_GARBAGE:
      count (d, &d->n_garbage);
      if (partial)
        reader->poisoned = TRUE;
      break;

    case POS_SCANNER_REPORT_IDLE:
      /* A release: the pause that ends a scan counts from the last key. */
      break;

    case POS_SCANNER_REPORT_TEXT:
      reader->last_report = now;
      break;

    case POS_SCANNER_REPORT_END:
    default:
      {
        g_autofree char *text = pos_scanner_keyboard_decoder_take_text (reader->keyboard);

        if (reader->poisoned)
          drop_partial (reader);
        else
          deliver (reader, text, NULL, now);
      }
      break;
    }
}

static void
handle_hidpos_report (Reader *reader,
                      int     length,
                      gint64  now)
{
  UsbDevice *d = reader->d;
  PosHidPosPiece piece;

  switch (pos_hidpos_decode_report (&d->hidpos, reader->buffer, (gsize) length, &piece))
    {
    case POS_HIDPOS_REPORT_OTHER:
      break;

    case POS_HIDPOS_REPORT_SHORT:
      count (d, &d->n_short);
      if (reader->in_hidpos)
        reader->poisoned = TRUE;
      break;

    case POS_HIDPOS_REPORT_GARBAGE:
      count (d, &d->n_garbage);
      if (reader->in_hidpos)
        reader->poisoned = TRUE;
      break;

    case POS_HIDPOS_REPORT_DATA:
    default:
      if (!reader->in_hidpos)
        {
          memcpy (reader->aim, piece.aim, sizeof reader->aim);
          reader->in_hidpos = TRUE;
        }
      g_byte_array_append (reader->hidpos_data, piece.data, (guint) piece.length);
      reader->last_report = now;
      if (!piece.continued)
        {
          if (reader->poisoned)
            drop_partial (reader);
          else
            {
              g_autofree char *text = hidpos_text (reader->hidpos_data);

              deliver (reader, text, reader->aim, now);
              g_byte_array_set_size (reader->hidpos_data, 0);
              reader->in_hidpos = FALSE;
            }
        }
      break;
    }
}

static gpointer
reader_main (gpointer data)
{
  UsbDevice *d = data;
  Reader reader = { 0 };
  guint io_errors = 0;
  g_autofree char *failure = NULL;
  gboolean gone = FALSE;

  reader.d = d;
  reader.buffer = g_malloc0 (d->max_packet);
  reader.hidpos_data = g_byte_array_new ();
  if (d->kind == POS_SCANNER_KIND_KEYBOARD)
    reader.keyboard = pos_scanner_keyboard_decoder_new (g_atomic_int_get (&d->layout));

  while (!g_atomic_int_get (&d->stop))
    {
      gboolean partial = reader_has_partial (&reader);
      guint wait_ms = IDLE_WAIT_MS;
      gint64 deadline = 0;
      int transferred = 0;
      gint64 now;
      int r;

      if (partial)
        {
          /* Until the pause that ends a scan; but always one last read
           * before ending it, so that a thread that was kept waiting does
           * not take reports already queued for a pause. */
          deadline = reader.last_report + (gint64) g_atomic_int_get (&d->timeout_ms) * 1000;
          now = g_get_monotonic_time ();
          wait_ms = (guint) MAX (LAST_READ_MS, (deadline - now + 999) / 1000);
        }
      else if (reader.keyboard != NULL)
        pos_scanner_keyboard_decoder_set_layout (reader.keyboard, g_atomic_int_get (&d->layout));

      r = libusb_interrupt_transfer (d->handle, d->endpoint, reader.buffer, d->max_packet,
                                     &transferred, wait_ms);
      now = g_get_monotonic_time ();

      if (r == LIBUSB_SUCCESS || (r == LIBUSB_ERROR_TIMEOUT && transferred > 0))
        {
          io_errors = 0;
          if (reader.keyboard != NULL)
            handle_keyboard_report (&reader, transferred, now);
          else
            handle_hidpos_report (&reader, transferred, now);
          /* Reports that do not go on with the scan (releases, garbage, a
           * device repeating itself) do not hold its end off for long. */
          if (reader_has_partial (&reader)
              && now >= reader.last_report + (gint64) g_atomic_int_get (&d->timeout_ms) * 1000 * 3)
            end_by_timeout (&reader);
          continue;
        }

      if (r == LIBUSB_ERROR_TIMEOUT || r == LIBUSB_ERROR_INTERRUPTED)
        {
          if (partial && now >= deadline)
            end_by_timeout (&reader);
          continue;
        }

      if (r == LIBUSB_ERROR_NO_DEVICE)
        {
          gone = TRUE;
          break;
        }

      if (r == LIBUSB_ERROR_PIPE)
        {
          int cleared;

          if (reader_has_partial (&reader))
            reader.poisoned = TRUE;
          cleared = libusb_clear_halt (d->handle, d->endpoint);
          if (cleared == LIBUSB_ERROR_NO_DEVICE)
            {
              gone = TRUE;
              break;
            }
          if (cleared != 0)
            {
              failure = g_strdup_printf (_("The scanner stalled and could not be reset: %s. "
                                           "Unplug it and plug it back in."),
                                         libusb_strerror (cleared));
              break;
            }
          g_mutex_lock (&d->lock);
          d->n_stalls++;
          g_free (d->error_message);
          d->error_message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "The scanner stalled and was reset (%u time); a scan it cut, if any, was dropped.",
                                                           "The scanner stalled and was reset (%u times); a scan it cut, if any, was dropped.",
                                                           d->n_stalls),
                                              d->n_stalls);
          post_device_locked (d);
          g_mutex_unlock (&d->lock);
          continue;
        }

      if (r == LIBUSB_ERROR_OVERFLOW)
        {
          count (d, &d->n_garbage);
          if (reader_has_partial (&reader))
            reader.poisoned = TRUE;
          continue;
        }

      if (reader_has_partial (&reader))
        reader.poisoned = TRUE;
      if (++io_errors >= MAX_IO_ERRORS)
        {
          failure = g_strdup_printf (_("The scanner stopped answering (%s). Unplug it and plug it back in."),
                                     libusb_strerror (r));
          break;
        }
      g_usleep (20 * 1000);
    }

  if (reader_has_partial (&reader))
    drop_partial (&reader);

  if (!g_atomic_int_get (&d->stop))
    {
      if (gone)
        {
          g_atomic_int_set (&d->gone, 1);
          set_state (d, POS_SCANNER_STATE_ERROR, _("The scanner was unplugged."));
        }
      else
        set_state (d, POS_SCANNER_STATE_ERROR, failure);
      g_atomic_int_set (&d->reader_done, 1);
      push_command (d->manager, CMD_READER_DONE, NULL, d->serial);
    }

  pos_scanner_keyboard_decoder_free (reader.keyboard);
  g_byte_array_unref (reader.hidpos_data);
  g_free (reader.buffer);
  return NULL;
}

/* ---- claiming and releasing (control thread) ---- */

static void
release_device (UsbDevice *d,
                gboolean   gone)
{
  if (d->reader != NULL)
    {
      g_atomic_int_set (&d->stop, 1);
      g_thread_join (d->reader);
      d->reader = NULL;
    }

  if (d->handle != NULL)
    {
      if (d->claimed)
        libusb_release_interface (d->handle, d->iface);
      d->claimed = FALSE;
      if (d->detached && !gone)
        {
          int r = libusb_attach_kernel_driver (d->handle, d->iface);

          if (r != 0)
            g_debug ("%s: could not give it back to the kernel driver: %s", d->id, libusb_error_name (r));
        }
      d->detached = FALSE;
      libusb_close (d->handle);
      d->handle = NULL;
    }

  g_atomic_int_set (&d->stop, 0);
  g_atomic_int_set (&d->reader_done, 0);
  g_atomic_int_set (&d->gone, 0);
}

static void
read_device_strings (UsbDevice            *d,
                     libusb_device_handle *handle)
{
  unsigned char manufacturer[128] = "";
  unsigned char product[128] = "";
  g_autofree char *name = NULL;

  if (d->name_from_device)
    return;
  if (d->i_manufacturer != 0)
    libusb_get_string_descriptor_ascii (handle, d->i_manufacturer, manufacturer, sizeof manufacturer);
  if (d->i_product != 0)
    libusb_get_string_descriptor_ascii (handle, d->i_product, product, sizeof product);
  name = compose_name ((const char *) manufacturer, (const char *) product);
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return;

  d->name_from_device = TRUE;
  g_mutex_lock (&d->lock);
  g_free (d->name);
  d->name = g_steal_pointer (&name);
  g_mutex_unlock (&d->lock);
}

static void
claim_device (UsbDevice *d)
{
  PosScannerManager *self = d->manager;
  libusb_device_handle *handle = NULL;
  int r;

  g_assert (d->handle == NULL);

  set_state (d, POS_SCANNER_STATE_STARTING, NULL);

  r = libusb_open (d->dev, &handle);
  if (r != 0)
    {
      set_usb_error (d, r, TRUE);
      return;
    }
  read_device_strings (d, handle);

  if (!self->read_devices)
    {
      libusb_close (handle);
      set_state (d, POS_SCANNER_STATE_AVAILABLE, NULL);
      return;
    }

  d->handle = handle;
  if (libusb_kernel_driver_active (handle, d->iface) == 1)
    {
      r = libusb_detach_kernel_driver (handle, d->iface);
      if (r == 0)
        d->detached = TRUE;
      else
        /* Under some sandboxes detaching answers "not supported" (ENOTTY);
         * claiming will tell whether the driver really holds it. */
        g_debug ("%s: could not detach the kernel driver: %s", d->id, libusb_error_name (r));
    }

  r = libusb_claim_interface (handle, d->iface);
  if (r != 0)
    {
      release_device (d, FALSE);
      set_usb_error (d, r, FALSE);
      return;
    }
  d->claimed = TRUE;

  if (d->kind == POS_SCANNER_KIND_KEYBOARD)
    {
      /* Boot protocol, so reports are the 8-byte boot layout; no idle
       * repeats. Devices that refuse either are in that mode anyway. */
      r = libusb_control_transfer (handle, LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
                                   0x0b /* SET_PROTOCOL */, 0, (guint16) d->iface, NULL, 0, CONTROL_TIMEOUT_MS);
      if (r < 0)
        g_debug ("%s: SET_PROTOCOL: %s", d->id, libusb_error_name (r));
      r = libusb_control_transfer (handle, LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
                                   0x0a /* SET_IDLE */, 0, (guint16) d->iface, NULL, 0, CONTROL_TIMEOUT_MS);
      if (r < 0)
        g_debug ("%s: SET_IDLE: %s", d->id, libusb_error_name (r));
    }
  else if (!d->have_hidpos_layout)
    {
      g_autoptr(GBytes) descriptor = fetch_report_descriptor (d, handle, d->iface, d->report_descriptor_length);

      if (descriptor != NULL)
        use_report_descriptor (d, descriptor);
      else
        {
          pos_hidpos_layout_init_standard (&d->hidpos);
          d->have_hidpos_layout = TRUE;
        }
    }

  g_atomic_int_set (&d->stop, 0);
  g_atomic_int_set (&d->reader_done, 0);
  d->reader = g_thread_new ("scanner-read", reader_main, d);
  set_state (d, POS_SCANNER_STATE_ACTIVE, NULL);
}

/* Brings a device in line with the settings: claimed when it is a scanner
 * that is enabled, released otherwise. */
static void
apply_settings (UsbDevice *d)
{
  PosScannerManager *self = d->manager;
  PosScannerLayout layout;
  gboolean extra, enabled, is_scanner, want;
  guint timeout_ms;

  device_settings (self, d->vid, d->pid, &extra, &enabled, &layout, &timeout_ms);
  is_scanner = d->kind == POS_SCANNER_KIND_HID_POS || extra || find_known (d->vid, d->pid) != NULL;
  want = is_scanner && enabled;

  g_atomic_int_set (&d->layout, layout);
  g_atomic_int_set (&d->timeout_ms, (gint) timeout_ms);

  g_mutex_lock (&d->lock);
  d->is_scanner = is_scanner;
  d->enabled = enabled;
  g_mutex_unlock (&d->lock);

  if (!want)
    {
      release_device (d, FALSE);
      set_state (d, is_scanner ? POS_SCANNER_STATE_DISABLED : POS_SCANNER_STATE_IGNORED, NULL);
      return;
    }

  if (d->handle != NULL && d->claimed)
    {
      post_device (d);   /* layout or timeout */
      return;
    }
  /* Not claimed yet, or it failed before: (try again to) claim it. */
  claim_device (d);
}

static UsbDevice *
find_usb_device (PosScannerManager *self,
                 libusb_device     *dev)
{
  for (guint i = 0; i < self->usb_devices->len; i++)
    {
      UsbDevice *d = g_ptr_array_index (self->usb_devices, i);

      if (d->dev == dev)
        return d;
    }
  return NULL;
}

static void
device_arrived (PosScannerManager *self,
                libusb_device     *dev)
{
  UsbDevice *d;

  if (find_usb_device (self, dev) != NULL)
    return;   /* hotplug's enumeration may announce a device twice */

  d = usb_device_new (self, dev);
  g_ptr_array_add (self->usb_devices, d);
  if (!d->relevant)
    return;

  g_debug ("%s: %s, %s", d->id, d->name, pos_scanner_kind_to_string (d->kind));
  apply_settings (d);
}

static void
device_left (PosScannerManager *self,
             libusb_device     *dev)
{
  UsbDevice *d = find_usb_device (self, dev);

  if (d == NULL)
    return;

  release_device (d, TRUE);
  if (d->listed)
    {
      Event *event = g_new0 (Event, 1);

      event->type = EVENT_REMOVED;
      event->snap.id = g_strdup (d->id);
      post_event (self, event);
    }
  g_ptr_array_remove_fast (self->usb_devices, d);
  usb_device_free (d);
}

static void
reader_done (PosScannerManager *self,
             guint64            serial)
{
  for (guint i = 0; i < self->usb_devices->len; i++)
    {
      UsbDevice *d = g_ptr_array_index (self->usb_devices, i);

      if (d->serial == serial && d->reader != NULL && g_atomic_int_get (&d->reader_done))
        {
          /* It left on its own (error, unplug): close it, giving a scanner that
           * is still there back to the keyboard driver; the state it set stays. */
          release_device (d, g_atomic_int_get (&d->gone));
          return;
        }
    }
}

static void
enumerate (PosScannerManager *self)
{
  libusb_device **list = NULL;
  ssize_t n = libusb_get_device_list (self->usb, &list);

  if (n < 0)
    {
      g_debug ("Cannot list the USB devices: %s", libusb_error_name ((int) n));
      return;
    }

  for (ssize_t i = 0; i < n; i++)
    device_arrived (self, list[i]);

  for (guint i = self->usb_devices->len; i > 0; i--)
    {
      UsbDevice *d = g_ptr_array_index (self->usb_devices, i - 1);
      gboolean present = FALSE;

      for (ssize_t j = 0; j < n && !present; j++)
        present = list[j] == d->dev;
      if (!present)
        device_left (self, d->dev);
    }

  libusb_free_device_list (list, 1);
}

static gpointer
control_main (gpointer data)
{
  PosScannerManager *self = data;
  gboolean running = TRUE;

  if (!self->have_hotplug)
    {
      enumerate (self);
      push_command (self, CMD_READY, NULL, 0);
    }

  while (running)
    {
      guint64 wait = self->have_hotplug ? G_USEC_PER_SEC : (guint64) self->poll_interval_ms * 1000;
      Command *command = g_async_queue_timeout_pop (self->commands, wait);

      if (command == NULL)
        {
          if (!self->have_hotplug)
            enumerate (self);
          continue;
        }

      switch (command->type)
        {
        case CMD_ARRIVED:
          device_arrived (self, command->dev);
          break;
        case CMD_LEFT:
          device_left (self, command->dev);
          break;
        case CMD_SETTINGS:
          for (guint i = 0; i < self->usb_devices->len; i++)
            {
              UsbDevice *d = g_ptr_array_index (self->usb_devices, i);

              if (d->relevant)
                apply_settings (d);
            }
          break;
        case CMD_READY:
          {
            Event *event = g_new0 (Event, 1);

            event->type = EVENT_READY;
            post_event (self, event);
          }
          break;
        case CMD_READER_DONE:
          reader_done (self, command->serial);
          break;
        case CMD_STOP:
        default:
          running = FALSE;
          break;
        }
      command_free (command);
    }

  for (guint i = 0; i < self->usb_devices->len; i++)
    {
      UsbDevice *d = g_ptr_array_index (self->usb_devices, i);

      release_device (d, FALSE);
      usb_device_free (d);
    }
  g_ptr_array_set_size (self->usb_devices, 0);
  return NULL;
}

static gpointer
event_main (gpointer data)
{
  PosScannerManager *self = data;

  while (!g_atomic_int_get (&self->event_stop))
    {
      struct timeval tv = { 0, EVENT_WAIT_US };

      libusb_handle_events_timeout_completed (self->usb, &tv, &self->event_stop);
    }
  return NULL;
}

static int LIBUSB_CALL
hotplug_cb (libusb_context       *ctx,
            libusb_device        *dev,
            libusb_hotplug_event  event,
            void                 *user_data)
{
  PosScannerManager *self = user_data;

  push_command (self, event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? CMD_ARRIVED : CMD_LEFT, dev, 0);
  return 0;
}

/* ---- the owner context side ---- */

static PosScannerDevice *
find_device (PosScannerManager *self,
             const char        *id,
             guint             *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosScannerDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

      if (g_strcmp0 (device->snap.id, id) == 0)
        {
          if (position != NULL)
            *position = i;
          return device;   /* the store keeps it alive */
        }
    }
  return NULL;
}

static void
dispatch_events (PosScannerManager *self)
{
  gboolean changed = FALSE;
  Event *event;

  g_object_ref (self);

  while (self->events != NULL && (event = g_async_queue_try_pop (self->events)) != NULL)
    {
      switch (event->type)
        {
        case EVENT_DEVICE:
          {
            PosScannerDevice *device = find_device (self, event->snap.id, NULL);

            if (device == NULL)
              {
                g_autoptr(PosScannerDevice) added = g_object_new (POS_TYPE_SCANNER_DEVICE, NULL);

                scanner_device_apply (added, &event->snap);
                g_list_store_append (self->devices, added);
              }
            else
              scanner_device_apply (device, &event->snap);
            changed = TRUE;
          }
          break;

        case EVENT_REMOVED:
          {
            guint position;

            if (find_device (self, event->snap.id, &position) != NULL)
              {
                g_list_store_remove (self->devices, position);
                changed = TRUE;
              }
          }
          break;

        case EVENT_SCAN:
          g_signal_emit (self, signals[SIGNAL_SCANNED], 0, event->scan);
          break;

        case EVENT_READY:
        default:
          if (!self->ready && self->running)
            {
              self->ready = TRUE;
              g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
            }
          break;
        }
      event_free (event);
    }

  if (changed)
    g_signal_emit (self, signals[SIGNAL_DEVICES_CHANGED], 0);

  g_object_unref (self);
}

static gboolean
event_source_prepare (GSource *source,
                      gint    *timeout)
{
  EventSource *es = (EventSource *) source;

  *timeout = -1;
  return g_async_queue_length (es->manager->events) > 0;
}

static gboolean
event_source_check (GSource *source)
{
  EventSource *es = (EventSource *) source;

  return g_async_queue_length (es->manager->events) > 0;
}

static gboolean
event_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  EventSource *es = (EventSource *) source;

  dispatch_events (es->manager);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs event_source_funcs = {
  event_source_prepare,
  event_source_check,
  event_source_dispatch,
  NULL, NULL, NULL,
};

gboolean
pos_scanner_manager_start (PosScannerManager  *self,
                           GError            **error)
{
  int r;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);

  if (self->running)
    return TRUE;

  r = libusb_init (&self->usb);
  if (r != 0)
    {
      self->usb = NULL;
      g_set_error (error, POS_SCANNER_ERROR, POS_SCANNER_ERROR_UNAVAILABLE,
                   _("USB scanners cannot be read here (%s). Scanners in keyboard mode still work."),
                   libusb_strerror (r));
      return FALSE;
    }

  self->commands = g_async_queue_new_full (command_free);
  self->usb_devices = g_ptr_array_new ();
  self->event_stop = 0;
  self->running = TRUE;
  self->ready = FALSE;

  self->have_hotplug = self->use_hotplug && libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG);
  if (self->have_hotplug)
    {
      r = libusb_hotplug_register_callback (self->usb,
                                            LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                                            LIBUSB_HOTPLUG_ENUMERATE,
                                            LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                            LIBUSB_HOTPLUG_MATCH_ANY,
                                            hotplug_cb, self, &self->hotplug);
      if (r == 0)
        {
          self->hotplug_registered = TRUE;
          /* The devices present were queued by the registration. */
          push_command (self, CMD_READY, NULL, 0);
        }
      else
        {
          g_debug ("No USB hotplug (%s): listing the devices every %u ms",
                   libusb_error_name (r), self->poll_interval_ms);
          self->have_hotplug = FALSE;
        }
    }

  self->event_thread = g_thread_new ("scanner-usb", event_main, self);
  self->control_thread = g_thread_new ("scanner-control", control_main, self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

void
pos_scanner_manager_stop (PosScannerManager *self)
{
  g_return_if_fail (POS_IS_SCANNER_MANAGER (self));

  if (!self->running)
    return;

  if (self->hotplug_registered)
    {
      libusb_hotplug_deregister_callback (self->usb, self->hotplug);
      self->hotplug_registered = FALSE;
    }

  push_command (self, CMD_STOP, NULL, 0);
  g_thread_join (self->control_thread);
  self->control_thread = NULL;

  g_atomic_int_set (&self->event_stop, 1);
  libusb_interrupt_event_handler (self->usb);
  g_thread_join (self->event_thread);
  self->event_thread = NULL;

  g_clear_pointer (&self->commands, g_async_queue_unref);
  g_clear_pointer (&self->usb_devices, g_ptr_array_unref);
  libusb_exit (self->usb);
  self->usb = NULL;

  /* What the threads posted and was not dispatched yet. */
  {
    Event *event;

    while ((event = g_async_queue_try_pop (self->events)) != NULL)
      event_free (event);
  }

  self->running = FALSE;
  self->ready = FALSE;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->devices)) > 0)
    {
      g_list_store_remove_all (self->devices);
      g_signal_emit (self, signals[SIGNAL_DEVICES_CHANGED], 0);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
pos_scanner_manager_get_running (PosScannerManager *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);
  return self->running;
}

gboolean
pos_scanner_manager_get_ready (PosScannerManager *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);
  return self->ready;
}

GListModel *
pos_scanner_manager_get_devices (PosScannerManager *self)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), NULL);
  return G_LIST_MODEL (self->devices);
}

PosScannerDevice *
pos_scanner_manager_find_device (PosScannerManager *self,
                                 const char        *device_id)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), NULL);
  return find_device (self, device_id, NULL);
}

/* ---- settings API ---- */

static gboolean
save_id_set (PosScannerManager  *self,
             const char         *key,
             GHashTable         *set,
             GError            **error)
{
  g_autofree char *value = NULL;

  g_mutex_lock (&self->lock);
  value = format_ids (set, FALSE);
  g_mutex_unlock (&self->lock);
  return save_setting (self, key, value, error);
}

gboolean
pos_scanner_manager_set_enabled (PosScannerManager  *self,
                                 guint16             vendor_id,
                                 guint16             product_id,
                                 gboolean            enabled,
                                 GError            **error)
{
  gpointer key = GUINT_TO_POINTER (KEY (vendor_id, product_id));

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);

  g_mutex_lock (&self->lock);
  if (enabled)
    g_hash_table_remove (self->disabled_ids, key);
  else
    g_hash_table_add (self->disabled_ids, key);
  g_mutex_unlock (&self->lock);

  settings_changed (self);
  return save_id_set (self, "scanner_disabled_ids", self->disabled_ids, error);
}

gboolean
pos_scanner_manager_get_enabled (PosScannerManager *self,
                                 guint16            vendor_id,
                                 guint16            product_id)
{
  gboolean enabled;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);

  g_mutex_lock (&self->lock);
  enabled = !g_hash_table_contains (self->disabled_ids, GUINT_TO_POINTER (KEY (vendor_id, product_id)));
  g_mutex_unlock (&self->lock);
  return enabled;
}

gboolean
pos_scanner_manager_set_layout (PosScannerManager  *self,
                                guint16             vendor_id,
                                guint16             product_id,
                                PosScannerLayout    layout,
                                GError            **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);
  g_return_val_if_fail (layout < POS_SCANNER_N_LAYOUTS, FALSE);

  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->layouts, GUINT_TO_POINTER (KEY (vendor_id, product_id)),
                       GINT_TO_POINTER (layout + 1));
  value = format_ids (self->layouts, TRUE);
  g_mutex_unlock (&self->lock);

  settings_changed (self);
  return save_setting (self, "scanner_layouts", value, error);
}

PosScannerLayout
pos_scanner_manager_get_layout (PosScannerManager *self,
                                guint16            vendor_id,
                                guint16            product_id)
{
  gboolean extra, enabled;
  PosScannerLayout layout;
  guint timeout_ms;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), POS_SCANNER_LAYOUT_US);

  device_settings (self, vendor_id, product_id, &extra, &enabled, &layout, &timeout_ms);
  return layout;
}

gboolean
pos_scanner_manager_set_default_layout (PosScannerManager *self,
                                        PosScannerLayout   layout,
                                        GError           **error)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);
  g_return_val_if_fail (layout < POS_SCANNER_N_LAYOUTS, FALSE);

  g_mutex_lock (&self->lock);
  self->default_layout = layout;
  g_mutex_unlock (&self->lock);

  settings_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_LAYOUT]);
  return save_setting (self, "scanner_default_layout", pos_scanner_layout_to_string (layout), error);
}

PosScannerLayout
pos_scanner_manager_get_default_layout (PosScannerManager *self)
{
  PosScannerLayout layout;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), POS_SCANNER_LAYOUT_US);

  g_mutex_lock (&self->lock);
  layout = self->default_layout;
  g_mutex_unlock (&self->lock);
  return layout;
}

gboolean
pos_scanner_manager_add_id (PosScannerManager  *self,
                            guint16             vendor_id,
                            guint16             product_id,
                            GError            **error)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);

  g_mutex_lock (&self->lock);
  g_hash_table_add (self->extra_ids, GUINT_TO_POINTER (KEY (vendor_id, product_id)));
  g_mutex_unlock (&self->lock);

  settings_changed (self);
  return save_id_set (self, "scanner_extra_ids", self->extra_ids, error);
}

gboolean
pos_scanner_manager_remove_id (PosScannerManager  *self,
                               guint16             vendor_id,
                               guint16             product_id,
                               GError            **error)
{
  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->extra_ids, GUINT_TO_POINTER (KEY (vendor_id, product_id)));
  g_mutex_unlock (&self->lock);

  settings_changed (self);
  return save_id_set (self, "scanner_extra_ids", self->extra_ids, error);
}

char **
pos_scanner_manager_dup_extra_ids (PosScannerManager *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), NULL);

  g_mutex_lock (&self->lock);
  text = format_ids (self->extra_ids, FALSE);
  g_mutex_unlock (&self->lock);

  if (*text == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (text, ",", -1);
}

gboolean
pos_scanner_manager_set_timeout (PosScannerManager  *self,
                                 guint               timeout_ms,
                                 GError            **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), FALSE);

  timeout_ms = CLAMP (timeout_ms, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
  g_mutex_lock (&self->lock);
  self->timeout_ms = timeout_ms;
  g_mutex_unlock (&self->lock);

  settings_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_MS]);
  value = g_strdup_printf ("%u", timeout_ms);
  return save_setting (self, "scanner_timeout_ms", value, error);
}

guint
pos_scanner_manager_get_timeout (PosScannerManager *self)
{
  guint timeout_ms;

  g_return_val_if_fail (POS_IS_SCANNER_MANAGER (self), DEFAULT_TIMEOUT_MS);

  g_mutex_lock (&self->lock);
  timeout_ms = self->timeout_ms;
  g_mutex_unlock (&self->lock);
  return timeout_ms;
}

/* ---- GObject ---- */

PosScannerManager *
pos_scanner_manager_new (PosDatabase *database)
{
  g_return_val_if_fail (database == NULL || POS_IS_DATABASE (database), NULL);

  return g_object_new (POS_TYPE_SCANNER_MANAGER, "database", database, NULL);
}

static void
pos_scanner_manager_constructed (GObject *object)
{
  PosScannerManager *self = POS_SCANNER_MANAGER (object);

  G_OBJECT_CLASS (pos_scanner_manager_parent_class)->constructed (object);

  load_settings (self);
}

static void
pos_scanner_manager_dispose (GObject *object)
{
  PosScannerManager *self = POS_SCANNER_MANAGER (object);

  pos_scanner_manager_stop (self);
  if (self->event_source != NULL)
    {
      g_source_destroy (self->event_source);
      g_clear_pointer (&self->event_source, g_source_unref);
    }
  g_clear_object (&self->database);

  G_OBJECT_CLASS (pos_scanner_manager_parent_class)->dispose (object);
}

static void
pos_scanner_manager_finalize (GObject *object)
{
  PosScannerManager *self = POS_SCANNER_MANAGER (object);

  g_clear_pointer (&self->events, g_async_queue_unref);
  g_clear_object (&self->devices);
  g_clear_pointer (&self->extra_ids, g_hash_table_unref);
  g_clear_pointer (&self->disabled_ids, g_hash_table_unref);
  g_clear_pointer (&self->layouts, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pos_scanner_manager_parent_class)->finalize (object);
}

static void
pos_scanner_manager_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PosScannerManager *self = POS_SCANNER_MANAGER (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, pos_scanner_manager_get_timeout (self));
      break;
    case PROP_DEFAULT_LAYOUT:
      g_value_set_int (value, pos_scanner_manager_get_default_layout (self));
      break;
    case PROP_READ_DEVICES:
      g_value_set_boolean (value, self->read_devices);
      break;
    case PROP_USE_HOTPLUG:
      g_value_set_boolean (value, self->use_hotplug);
      break;
    case PROP_POLL_INTERVAL_MS:
      g_value_set_uint (value, self->poll_interval_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_scanner_manager_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PosScannerManager *self = POS_SCANNER_MANAGER (object);
  g_autoptr(GError) error = NULL;

  switch (prop_id)
    {
    case PROP_DATABASE:
      self->database = g_value_dup_object (value);
      break;
    case PROP_TIMEOUT_MS:
      if (!pos_scanner_manager_set_timeout (self, g_value_get_uint (value), &error))
        g_warning ("Cannot save the scanner timeout: %s", error->message);
      break;
    case PROP_DEFAULT_LAYOUT:
      if (!pos_scanner_manager_set_default_layout (self, g_value_get_int (value), &error))
        g_warning ("Cannot save the scanner layout: %s", error->message);
      break;
    case PROP_READ_DEVICES:
      self->read_devices = g_value_get_boolean (value);
      break;
    case PROP_USE_HOTPLUG:
      self->use_hotplug = g_value_get_boolean (value);
      break;
    case PROP_POLL_INTERVAL_MS:
      self->poll_interval_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_scanner_manager_class_init (PosScannerManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pos_scanner_manager_constructed;
  object_class->dispose = pos_scanner_manager_dispose;
  object_class->finalize = pos_scanner_manager_finalize;
  object_class->get_property = pos_scanner_manager_get_property;
  object_class->set_property = pos_scanner_manager_set_property;

  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, POS_TYPE_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_LAYOUT] =
    g_param_spec_int ("default-layout", NULL, NULL, 0, POS_SCANNER_N_LAYOUTS - 1, POS_SCANNER_LAYOUT_US,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READ_DEVICES] =
    g_param_spec_boolean ("read-devices", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USE_HOTPLUG] =
    g_param_spec_boolean ("use-hotplug", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_INTERVAL_MS] =
    g_param_spec_uint ("poll-interval-ms", NULL, NULL, 50, 60000, DEFAULT_POLL_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SCANNED] =
    g_signal_new ("scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, POS_TYPE_SCAN | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_DEVICES_CHANGED] =
    g_signal_new ("devices-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
pos_scanner_manager_init (PosScannerManager *self)
{
  EventSource *source;

  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->devices = g_list_store_new (POS_TYPE_SCANNER_DEVICE);
  self->events = g_async_queue_new_full (event_free);
  self->extra_ids = g_hash_table_new (NULL, NULL);
  self->disabled_ids = g_hash_table_new (NULL, NULL);
  self->layouts = g_hash_table_new (NULL, NULL);
  self->default_layout = POS_SCANNER_LAYOUT_US;
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
  self->read_devices = TRUE;
  self->use_hotplug = TRUE;
  self->poll_interval_ms = DEFAULT_POLL_MS;

  source = (EventSource *) g_source_new (&event_source_funcs, sizeof (EventSource));
  source->manager = self;
  g_source_set_name ((GSource *) source, "[balcao] scanner events");
  g_source_attach ((GSource *) source, self->context);
  self->event_source = (GSource *) source;
}
