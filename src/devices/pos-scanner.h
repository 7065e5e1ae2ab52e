/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "devices/pos-scanner-keymap.h"
#include "terminal/pos-database.h"

G_BEGIN_DECLS

/* USB barcode scanners read through libusb (docs/scanners.md).
 *
 * A PosScannerManager finds the scanners plugged in, and those plugged in
 * or out later, claims them and reads them on threads of its own. Each scan
 * reaches the GMainContext that was the thread-default one when the
 * manager was created, as one "scanned" signal. It never claims the store's
 * keyboard: a keyboard-like device is claimed only when it is in the
 * built-in list of scanner makers and models, or its VID:PID was added
 * (pos_scanner_manager_add_id). HID POS scanners (usage page 0x8C) are
 * claimed whoever made them. Every device found is listed, with its state,
 * in pos_scanner_manager_get_devices().
 *
 * Settings (enabled per VID:PID, keyboard layout per VID:PID, the VID:PIDs
 * added, the default layout, the inter-character timeout) live in memory
 * and, when the manager has a database, in its settings table:
 *
 *   scanner_extra_ids       "1a86:e026,0483:0011"   VID:PIDs added by the manager
 *   scanner_disabled_ids    "05e0:1200"             scanners turned off
 *   scanner_layouts         "05e0:1200=abnt2,..."   layouts other than the default
 *   scanner_default_layout  "us" | "abnt2"
 *   scanner_timeout_ms      "50"
 *
 * They are read once when the manager is created; the set functions write
 * them back. All the API is for the owner context's thread. */

#define POS_SCANNER_ERROR (pos_scanner_error_quark ())
GQuark pos_scanner_error_quark (void);

typedef enum {
  POS_SCANNER_ERROR_UNAVAILABLE,  /* libusb could not start: no USB here */
  POS_SCANNER_ERROR_INVALID_ID,   /* not a "VID:PID" of four hex digits each */
} PosScannerError;

typedef enum {
  POS_SCANNER_KIND_KEYBOARD,  /* "keyboard-wedge-usb": a USB boot keyboard interface */
  POS_SCANNER_KIND_HID_POS,   /* "hid-pos": a HID POS barcode scanner (usage page 0x8C) */
} PosScannerKind;

typedef enum {
  POS_SCANNER_STATE_IGNORED,        /* a keyboard that is not a known scanner: never claimed */
  POS_SCANNER_STATE_DISABLED,       /* a scanner turned off in the settings: not claimed */
  POS_SCANNER_STATE_STARTING,       /* being opened and claimed */
  POS_SCANNER_STATE_ACTIVE,         /* claimed and read */
  POS_SCANNER_STATE_AVAILABLE,      /* may be opened, not claimed: a manager that only lists */
  POS_SCANNER_STATE_NO_PERMISSION,  /* this user may not open it: see the error message */
  POS_SCANNER_STATE_ERROR,          /* could not be claimed, or failed while read: see the message */
} PosScannerState;

/* "keyboard-wedge-usb", "hid-pos" */
const char *pos_scanner_kind_to_string   (PosScannerKind   kind);
/* "ignored", "disabled", "starting", "active", "available", "no-permission", "error" */
const char *pos_scanner_state_to_string  (PosScannerState  state);
/* The same for people, translated: "Active", "No permission", ... */
const char *pos_scanner_state_get_label  (PosScannerState  state);

/* "05e0:1200" (hex, case-insensitive) to its numbers. */
gboolean    pos_scanner_parse_id         (const char      *text,
                                          guint16         *vendor_id,
                                          guint16         *product_id,
                                          GError         **error);
/* TRUE when the built-in list knows this VID:PID as a barcode scanner (a
 * scanner maker's whole vendor ID, or one model). */
gboolean    pos_scanner_is_known_id      (guint16          vendor_id,
                                          guint16          product_id);

/* ---- one scan ---- */

typedef struct _PosScan PosScan;

#define POS_TYPE_SCAN (pos_scan_get_type ())
GType       pos_scan_get_type            (void) G_GNUC_CONST;

/* aim_id: "]E0" or NULL; reaped_time: g_get_monotonic_time() units. The
 * symbology is looked up from aim_id. */
PosScan    *pos_scan_new                 (const char    *text,
                                          const char    *aim_id,
                                          const char    *device_id,
                                          const char    *device_name,
                                          gint64         reaped_time);
PosScan    *pos_scan_ref                 (PosScan       *scan);
void        pos_scan_unref               (PosScan       *scan);
/* The decoded text, without the terminator (Enter/Tab) nor the AIM
 * identifier; may hold GS (0x1D) separators. UTF-8. */
const char *pos_scan_get_text            (const PosScan *scan);
/* The AIM symbology identifier ("]C1") sent by a HID POS scanner, or found
 * at the start of a keyboard scanner's text; NULL when not known. */
const char *pos_scan_get_aim_id          (const PosScan *scan);
/* "EAN-13", "Code 128", "QR Code", ...: NULL when not known. */
const char *pos_scan_get_symbology       (const PosScan *scan);
/* The id and name of the device (see PosScannerDevice). */
const char *pos_scan_get_device_id       (const PosScan *scan);
const char *pos_scan_get_device_name     (const PosScan *scan);
/* g_get_monotonic_time() right after the report that completed the scan
 * was reaped from the USB device (for a scan ended by the inter-character
 * timeout, its last report). */
gint64      pos_scan_get_reaped_time     (const PosScan *scan);
/* What to give pos_barcode_parse(): the AIM identifier followed by the
 * text, or the text alone. */
char       *pos_scan_dup_parse_input     (const PosScan *scan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosScan, pos_scan_unref)

/* ---- a device found ---- */

/* A snapshot of one USB device the manager found and what it is doing
 * with it; updated on the owner context (notify:: for each property). All
 * properties are read-only: change the settings through the manager. */
#define POS_TYPE_SCANNER_DEVICE (pos_scanner_device_get_type ())
G_DECLARE_FINAL_TYPE (PosScannerDevice, pos_scanner_device, POS, SCANNER_DEVICE, GObject)

/* "05e0:1200@1-1.4": VID:PID, "@", the bus and port path; the same while
 * the device stays in that port, across replugs. */
const char       *pos_scanner_device_get_id            (PosScannerDevice *self);
/* The product name (from the device, else the built-in list). */
const char       *pos_scanner_device_get_name          (PosScannerDevice *self);
/* "05e0:1200": the key of its settings. */
const char       *pos_scanner_device_get_vid_pid       (PosScannerDevice *self);
guint16           pos_scanner_device_get_vendor_id     (PosScannerDevice *self);
guint16           pos_scanner_device_get_product_id    (PosScannerDevice *self);
guint             pos_scanner_device_get_bus           (PosScannerDevice *self);
guint             pos_scanner_device_get_address       (PosScannerDevice *self);
PosScannerKind    pos_scanner_device_get_kind          (PosScannerDevice *self);
PosScannerState   pos_scanner_device_get_state         (PosScannerDevice *self);
/* For NO_PERMISSION and ERROR: what happened and what to do, translated.
 * Also set, with the state still ACTIVE, after the scanner recovered from
 * a stalled endpoint. NULL otherwise. */
const char       *pos_scanner_device_get_error_message (PosScannerDevice *self);
PosScannerLayout  pos_scanner_device_get_layout        (PosScannerDevice *self);
gboolean          pos_scanner_device_get_enabled       (PosScannerDevice *self);
/* TRUE for a known scanner, a HID POS one or an added VID:PID: the manager
 * claims it unless it is disabled. */
gboolean          pos_scanner_device_get_is_scanner    (PosScannerDevice *self);
/* Counters since it was found. */
guint             pos_scanner_device_get_n_scans       (PosScannerDevice *self);  /* delivered */
guint             pos_scanner_device_get_n_dropped     (PosScannerDevice *self);  /* partial scans dropped */
guint             pos_scanner_device_get_n_short       (PosScannerDevice *self);  /* short reports ignored */
guint             pos_scanner_device_get_n_garbage     (PosScannerDevice *self);  /* garbage reports ignored */
guint             pos_scanner_device_get_n_stalls      (PosScannerDevice *self);  /* stalls cleared */

/* ---- the manager ---- */

/* Signals:
 *   scanned (PosScan *scan)   one per scan, on the owner context; the scan
 *                             is lent to the handlers (pos_scan_ref() to keep it)
 *   devices-changed ()        the list, or a device's state or counters, changed
 * Properties: "running", "ready" (the devices present at start have been
 * looked at: the list is complete), "timeout-ms", "default-layout",
 * "read-devices" (construct-only, default TRUE: FALSE only lists the
 * devices, opening them to check the permission, never claiming them),
 * "use-hotplug" (construct-only, default TRUE: FALSE, or no hotplug support
 * in libusb, enumerates every "poll-interval-ms" instead). */
#define POS_TYPE_SCANNER_MANAGER (pos_scanner_manager_get_type ())
G_DECLARE_FINAL_TYPE (PosScannerManager, pos_scanner_manager, POS, SCANNER_MANAGER, GObject)

/* database may be NULL: settings in memory only. The manager keeps a
 * reference and uses it on the owner context only. */
PosScannerManager *pos_scanner_manager_new            (PosDatabase        *database);
/* Starts libusb, the hotplug watch and the threads. FALSE with
 * POS_SCANNER_ERROR_UNAVAILABLE when libusb cannot start. */
gboolean           pos_scanner_manager_start          (PosScannerManager  *self,
                                                       GError            **error);
/* Releases every device (giving keyboards back to the system's driver),
 * stops the threads; the list empties. Also done on dispose. */
void               pos_scanner_manager_stop           (PosScannerManager  *self);
gboolean           pos_scanner_manager_get_running    (PosScannerManager  *self);
gboolean           pos_scanner_manager_get_ready      (PosScannerManager  *self);
/* A GListModel of PosScannerDevice, owned by the manager. */
GListModel        *pos_scanner_manager_get_devices    (PosScannerManager  *self);
/* The device with this id, or NULL. Not a new reference. */
PosScannerDevice  *pos_scanner_manager_find_device    (PosScannerManager  *self,
                                                       const char         *device_id);

/* Settings. Each applies at once (a disabled scanner is released, an
 * enabled or added one claimed, a new layout is used from the next scan)
 * and is written to the database; FALSE + error only when that write
 * failed (the change still holds in memory). */
gboolean           pos_scanner_manager_set_enabled    (PosScannerManager  *self,
                                                       guint16             vendor_id,
                                                       guint16             product_id,
                                                       gboolean            enabled,
                                                       GError            **error);
gboolean           pos_scanner_manager_get_enabled    (PosScannerManager  *self,
                                                       guint16             vendor_id,
                                                       guint16             product_id);
gboolean           pos_scanner_manager_set_layout     (PosScannerManager  *self,
                                                       guint16             vendor_id,
                                                       guint16             product_id,
                                                       PosScannerLayout    layout,
                                                       GError            **error);
PosScannerLayout   pos_scanner_manager_get_layout     (PosScannerManager  *self,
                                                       guint16             vendor_id,
                                                       guint16             product_id);
gboolean           pos_scanner_manager_set_default_layout (PosScannerManager *self,
                                                           PosScannerLayout   layout,
                                                           GError           **error);
PosScannerLayout   pos_scanner_manager_get_default_layout (PosScannerManager *self);
/* Adds a VID:PID to read as a scanner although the built-in list does not
 * know it (a keyboard-mode scanner of a generic maker). */
gboolean           pos_scanner_manager_add_id         (PosScannerManager  *self,
                                                       guint16             vendor_id,
                                                       guint16             product_id,
                                                       GError            **error);
gboolean           pos_scanner_manager_remove_id      (PosScannerManager  *self,
                                                       guint16             vendor_id,
                                                       guint16             product_id,
                                                       GError            **error);
/* The VID:PIDs added, "1a86:e026", sorted. Free with g_strfreev(). */
char             **pos_scanner_manager_dup_extra_ids  (PosScannerManager  *self);
/* The pause after a keyboard scanner's last key that ends a scan sent
 * without Enter or Tab (default 50 ms, 10 to 2000). */
gboolean           pos_scanner_manager_set_timeout    (PosScannerManager  *self,
                                                       guint               timeout_ms,
                                                       GError            **error);
guint              pos_scanner_manager_get_timeout    (PosScannerManager  *self);

G_END_DECLS
