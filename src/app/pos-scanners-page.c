/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "domain/pos-barcode.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-staff.h"

#include "pos-application.h"
#include "pos-format.h"
#include "pos-scan-detector.h"
#include "pos-scanners-page.h"

/* One row per device found, kept across changes of the list so that an
 * open dropdown or a switch being flipped is not rebuilt under the
 * pointer; a device that turns from keyboard into scanner (or back) moves
 * to the other group. */
typedef struct {
  PosScannersPage  *page;
  PosScannerDevice *device;
  GtkWidget        *row;        /* in scanners_group or keyboards_group */
  gboolean          is_scanner; /* which group */
  GtkWidget        *icon;       /* warning, for a scanner that is not read */
  GtkWidget        *layout;     /* GtkDropDown, keyboard-mode scanners */
  GtkWidget        *enabled;    /* GtkSwitch */
  GtkWidget        *forget;     /* for a VID:PID the manager added */
} DeviceRow;

struct _PosScannersPage {
  AdwPreferencesPage  parent_instance;

  PosScannerManager  *manager;
  PosDatabase        *db;
  PosWindow          *window;          /* weak */
  char               *currency;
  GHashTable         *rows;            /* device id -> DeviceRow */
  GPtrArray          *extra_rows;      /* rows of added VID:PIDs not plugged in */
  GtkWidget          *empty_row;
  GtkWidget          *usb_row;         /* no USB here */
  PosScanDetector    *detector;        /* keyboard-wedge scans while shown */
  gboolean            updating;

  /* template */
  AdwPreferencesGroup *scanners_group;
  AdwPreferencesGroup *keyboards_group;
  GtkWidget           *add_button;
  AdwActionRow        *text_row;
  AdwActionRow        *symbology_row;
  AdwActionRow        *device_row;
  AdwActionRow        *meaning_row;
  AdwActionRow        *product_row;
};

G_DEFINE_FINAL_TYPE (PosScannersPage, pos_scanners_page, ADW_TYPE_PREFERENCES_PAGE)

static void
page_toast (PosScannersPage *self,
            const char      *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (text));
  else
    g_message ("%s", text);
}

static gboolean
can_change (PosScannersPage *self)
{
  return self->manager != NULL && self->db != NULL &&
         pos_staff_current_can (self->db, POS_PERMISSION_CHANGE_SETTINGS);
}

static const char *
kind_label (PosScannerKind kind)
{
  switch (kind)
    {
    /* Translators: a scanner that sends keyboard reports (it would type) */
    case POS_SCANNER_KIND_KEYBOARD: return _("Keyboard mode");
    /* Translators: a scanner of the HID Point of Sale class */
    case POS_SCANNER_KIND_HID_POS: return _("HID POS");
    default: return "";
    }
}

/* ------------------------------------------------------------------ */
/* The devices */

static void
device_row_free (DeviceRow *r)
{
  g_clear_object (&r->device);
  g_free (r);
}

static void
on_layout_selected (GtkDropDown *dropdown,
                    GParamSpec  *pspec,
                    DeviceRow   *r)
{
  PosScannersPage *self = r->page;
  guint selected = gtk_drop_down_get_selected (dropdown);
  g_autoptr(GError) error = NULL;

  if (self->updating || selected >= POS_SCANNER_N_LAYOUTS)
    return;
  if (!pos_scanner_manager_set_layout (self->manager,
                                       pos_scanner_device_get_vendor_id (r->device),
                                       pos_scanner_device_get_product_id (r->device),
                                       (PosScannerLayout) selected, &error))
    page_toast (self, error->message);
}

static void
on_enabled_changed (GtkSwitch  *sw,
                    GParamSpec *pspec,
                    DeviceRow  *r)
{
  PosScannersPage *self = r->page;
  g_autoptr(GError) error = NULL;

  if (self->updating)
    return;
  if (!pos_scanner_manager_set_enabled (self->manager,
                                        pos_scanner_device_get_vendor_id (r->device),
                                        pos_scanner_device_get_product_id (r->device),
                                        gtk_switch_get_active (sw), &error))
    page_toast (self, error->message);
}

static void
on_use_as_scanner (GtkButton *button,
                   DeviceRow *r)
{
  PosScannersPage *self = r->page;
  g_autoptr(GError) error = NULL;

  if (!pos_scanner_manager_add_id (self->manager,
                                   pos_scanner_device_get_vendor_id (r->device),
                                   pos_scanner_device_get_product_id (r->device),
                                   &error))
    page_toast (self, error->message);
}

static void
forget_id (PosScannersPage *self,
           const char      *vid_pid)
{
  g_autoptr(GError) error = NULL;
  guint16 vendor_id, product_id;

  if (!pos_scanner_parse_id (vid_pid, &vendor_id, &product_id, &error) ||
      !pos_scanner_manager_remove_id (self->manager, vendor_id, product_id, &error))
    page_toast (self, error->message);
}

static void
on_forget_clicked (GtkButton       *button,
                   PosScannersPage *self)
{
  forget_id (self, g_object_get_data (G_OBJECT (button), "vid-pid"));
}

static GtkWidget *
forget_button_new (PosScannersPage *self,
                   const char      *vid_pid)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  /* Translators: the button that removes a VID:PID added as a scanner */
  g_autofree char *tip = g_strdup_printf (_("Stop reading %s as a scanner"), vid_pid);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
  g_object_set_data_full (G_OBJECT (button), "vid-pid", g_strdup (vid_pid), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_forget_clicked), self);
  return button;
}

static gboolean
is_added_id (char       **extra,
             const char  *vid_pid)
{
  return extra != NULL && g_strv_contains ((const char * const *) extra, vid_pid);
}

static DeviceRow *
device_row_new (PosScannersPage  *self,
                PosScannerDevice *device,
                char            **extra)
{
  DeviceRow *r = g_new0 (DeviceRow, 1);
  const char *vid_pid = pos_scanner_device_get_vid_pid (device);

  r->page = self;
  r->device = g_object_ref (device);
  r->is_scanner = pos_scanner_device_get_is_scanner (device);
  r->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r->row), FALSE);
  gtk_widget_set_name (r->row, pos_scanner_device_get_id (device));

  if (!r->is_scanner)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Use as Scanner"));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_signal_connect (button, "clicked", G_CALLBACK (on_use_as_scanner), r);
      gtk_widget_set_sensitive (button, can_change (self));
      adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), button);
      adw_preferences_group_add (self->keyboards_group, r->row);
      return r;
    }

  r->icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_add_css_class (r->icon, "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (r->row), r->icon);

  if (pos_scanner_device_get_kind (device) == POS_SCANNER_KIND_KEYBOARD)
    {
      g_autoptr(GtkStringList) layouts = gtk_string_list_new (NULL);
      /* Translators: %s is a scanner's name */
      g_autofree char *a11y = g_strdup_printf (_("Keyboard layout of %s"), pos_scanner_device_get_name (device));

      for (guint i = 0; i < POS_SCANNER_N_LAYOUTS; i++)
        gtk_string_list_append (layouts, pos_scanner_layout_get_label ((PosScannerLayout) i));
      r->layout = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&layouts)), NULL);
      gtk_widget_set_valign (r->layout, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (r->layout, _("The keyboard layout the scanner was set up for"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (r->layout), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      g_signal_connect (r->layout, "notify::selected", G_CALLBACK (on_layout_selected), r);
      adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), r->layout);
    }

  if (pos_scanner_device_get_kind (device) == POS_SCANNER_KIND_KEYBOARD &&
      !pos_scanner_is_known_id (pos_scanner_device_get_vendor_id (device),
                                pos_scanner_device_get_product_id (device)) &&
      is_added_id (extra, vid_pid))
    {
      r->forget = forget_button_new (self, vid_pid);
      adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), r->forget);
    }

  r->enabled = gtk_switch_new ();
  gtk_widget_set_valign (r->enabled, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (r->enabled, _("Read by Balcão; off, it types like a keyboard"));
  {
    /* Translators: %s is a scanner's name */
    g_autofree char *a11y = g_strdup_printf (_("Read %s"), pos_scanner_device_get_name (device));

    gtk_accessible_update_property (GTK_ACCESSIBLE (r->enabled), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  }
  g_signal_connect (r->enabled, "notify::active", G_CALLBACK (on_enabled_changed), r);
  adw_action_row_add_suffix (ADW_ACTION_ROW (r->row), r->enabled);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (r->row), r->enabled);

  adw_preferences_group_add (self->scanners_group, r->row);
  return r;
}

static void
device_row_update (PosScannersPage *self,
                   DeviceRow       *r)
{
  PosScannerDevice *d = r->device;
  PosScannerState state = pos_scanner_device_get_state (d);
  const char *message = pos_scanner_device_get_error_message (d);
  GString *subtitle = g_string_new (NULL);
  gboolean editable = can_change (self);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row), pos_scanner_device_get_name (d));

  if (!r->is_scanner)
    {
      /* Translators: under a USB keyboard that is not read as a scanner */
      g_string_append_printf (subtitle, _("%s · a keyboard, left to the system"), pos_scanner_device_get_vid_pid (d));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (r->row), subtitle->str);
      g_string_free (subtitle, TRUE);
      return;
    }

  /* Translators: VID:PID · kind · state, under a scanner: "05e0:1200 · Keyboard mode · Active" */
  g_string_append_printf (subtitle, _("%s · %s · %s"), pos_scanner_device_get_vid_pid (d),
                          kind_label (pos_scanner_device_get_kind (d)), pos_scanner_state_get_label (state));
  if (pos_scanner_device_get_n_scans (d) > 0)
    {
      g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, "%u scan", "%u scans",
                                                     pos_scanner_device_get_n_scans (d)),
                              pos_scanner_device_get_n_scans (d));
    }
  if (pos_scanner_device_get_n_dropped (d) > 0)
    {
      g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, "%u cut off and dropped",
                                                     "%u cut off and dropped",
                                                     pos_scanner_device_get_n_dropped (d)),
                              pos_scanner_device_get_n_dropped (d));
    }
  if (message != NULL)
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, message);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (r->row), subtitle->str);
  g_string_free (subtitle, TRUE);

  gtk_widget_set_visible (r->icon, state == POS_SCANNER_STATE_NO_PERMISSION || state == POS_SCANNER_STATE_ERROR);
  self->updating = TRUE;
  if (r->layout != NULL)
    {
      gtk_drop_down_set_selected (GTK_DROP_DOWN (r->layout), (guint) pos_scanner_device_get_layout (d));
      gtk_widget_set_sensitive (r->layout, editable);
    }
  gtk_switch_set_active (GTK_SWITCH (r->enabled), pos_scanner_device_get_enabled (d));
  gtk_widget_set_sensitive (r->enabled, editable);
  if (r->forget != NULL)
    gtk_widget_set_sensitive (r->forget, editable);
  self->updating = FALSE;
}

static void
remove_device_row (PosScannersPage *self,
                   DeviceRow       *r)
{
  adw_preferences_group_remove (r->is_scanner ? self->scanners_group : self->keyboards_group, r->row);
}

static gboolean
drop_gone_row (gpointer key,
               gpointer value,
               gpointer present)
{
  DeviceRow *r = value;

  if (g_hash_table_contains (present, key))
    return FALSE;
  remove_device_row (r->page, r);
  return TRUE;
}

static void
refresh_devices (PosScannersPage *self)
{
  GListModel *devices;
  g_autoptr(GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) extra = NULL;
  guint n_scanners = 0, n_keyboards = 0;

  if (self->manager == NULL)
    return;
  devices = pos_scanner_manager_get_devices (self->manager);
  extra = pos_scanner_manager_dup_extra_ids (self->manager);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PosScannerDevice) device = g_list_model_get_item (devices, i);
      const char *id = pos_scanner_device_get_id (device);
      DeviceRow *r = g_hash_table_lookup (self->rows, id);

      /* a keyboard used as a scanner now (or no longer), or the same port
       * with another device: build its row again */
      if (r != NULL && (r->device != device || r->is_scanner != pos_scanner_device_get_is_scanner (device)))
        {
          remove_device_row (self, r);
          g_hash_table_remove (self->rows, id);
          r = NULL;
        }
      if (r == NULL)
        {
          r = device_row_new (self, device, extra);
          g_hash_table_insert (self->rows, g_strdup (id), r);
        }
      device_row_update (self, r);
      g_hash_table_add (present, g_strdup (id));
      if (r->is_scanner)
        n_scanners++;
      else
        n_keyboards++;
    }
  g_hash_table_foreach_remove (self->rows, drop_gone_row, present);

  /* VID:PIDs added by the manager, not plugged in now: they can go */
  for (guint i = 0; i < self->extra_rows->len; i++)
    adw_preferences_group_remove (self->scanners_group, g_ptr_array_index (self->extra_rows, i));
  g_ptr_array_set_size (self->extra_rows, 0);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      gboolean plugged = FALSE;
      GtkWidget *row;

      for (guint j = 0; j < g_list_model_get_n_items (devices) && !plugged; j++)
        {
          g_autoptr(PosScannerDevice) device = g_list_model_get_item (devices, j);

          plugged = g_str_equal (pos_scanner_device_get_vid_pid (device), extra[i]);
        }
      if (plugged)
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), extra[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Added as a scanner; not plugged in"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), forget_button_new (self, extra[i]));
      gtk_widget_set_sensitive (row, can_change (self));
      adw_preferences_group_add (self->scanners_group, row);
      g_ptr_array_add (self->extra_rows, row);
      n_scanners++;
    }

  gtk_widget_set_visible (self->empty_row, n_scanners == 0 && self->usb_row == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->keyboards_group), n_keyboards > 0);
}

static void
on_devices_changed (PosScannerManager *manager,
                    PosScannersPage   *self)
{
  refresh_devices (self);
}

/* ------------------------------------------------------------------ */
/* Add a device by VID:PID */

static void
on_add_response (AdwMessageDialog *dialog,
                 const char       *response,
                 PosScannersPage  *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autoptr(GError) error = NULL;
  guint16 vendor_id, product_id;

  if (!g_str_equal (response, "add") || self->manager == NULL)
    return;
  if (!pos_scanner_parse_id (gtk_editable_get_text (entry), &vendor_id, &product_id, &error) ||
      !pos_scanner_manager_add_id (self->manager, vendor_id, product_id, &error))
    page_toast (self, error->message);
}

static void
on_add_entry_changed (GtkEditable      *entry,
                      AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "add",
                                           pos_scanner_parse_id (gtk_editable_get_text (entry), NULL, NULL, NULL));
}

static void
on_add_clicked (PosScannersPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Add a Scanner by VID:PID"),
                                   _("For a keyboard-mode scanner that Balcão does not know: its USB vendor "
                                     "and product IDs, as `balcao-ctl scanners` or `lsusb` show them. "
                                     "It also needs a line in the udev rule (docs/scanners.md)."));
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "1a86:e026");
  gtk_entry_set_max_length (GTK_ENTRY (entry), 9);
  /* Enter adds, once the text is a VID:PID (the default response) */
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("VID:PID"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "add", _("_Add"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (entry, "changed", G_CALLBACK (on_add_entry_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_add_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ------------------------------------------------------------------ */
/* The test area */

/* Control characters shown by name: GS, the GS1 separator, as <GS>. */
static char *
visible_text (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == 0x1d)
        g_string_append (s, "<GS>");
      else if ((guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (s, "<0x%02X>", (guchar) *p);
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static char *
describe_gs1 (const PosBarcode *b)
{
  GString *s = g_string_new (_("GS1 data:"));

  for (guint i = 0; b->ais != NULL && i < b->ais->len; i++)
    {
      const PosGs1Element *e = g_ptr_array_index (b->ais, i);

      g_string_append_printf (s, "\n(%s) %s", e->ai, e->value);
      if (e->title != NULL && *e->title != '\0')
        g_string_append_printf (s, " — %s", e->title);
    }
  return g_string_free (s, FALSE);
}

static char *
describe_barcode (PosScannersPage  *self,
                  const PosBarcode *b)
{
  switch (b->kind)
    {
    case POS_BARCODE_KIND_GTIN:
      /* Translators: "GTIN-13 7891234567895, check digit valid" */
      return g_strdup_printf (_("GTIN-%u %s, check digit valid"), (guint) strlen (b->code), b->code);
    case POS_BARCODE_KIND_WEIGHT:
      {
        g_autofree char *weight = pos_format_quantity (b->weight_g, TRUE, self->currency);

        /* Translators: a label printed by the store's scale: item code, weight */
        return g_strdup_printf (_("Store scale label: item %s, %s (rule %s)"), b->item_code, weight,
                                b->rule != NULL ? b->rule : "");
      }
    case POS_BARCODE_KIND_PRICE:
      {
        g_autofree char *price = pos_format_money (b->price_minor, self->currency);

        /* Translators: a label printed by the store with the price in it */
        return g_strdup_printf (_("Store price label: item %s, %s (rule %s)"), b->item_code, price,
                                b->rule != NULL ? b->rule : "");
      }
    case POS_BARCODE_KIND_GS1:
      return describe_gs1 (b);
    case POS_BARCODE_KIND_UNKNOWN:
    default:
      return g_strdup (_("Free text: not a GTIN, a store label nor GS1 data. The sale looks it up as a "
                         "barcode or SKU; at the locked screen it is a badge."));
    }
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  adw_action_row_set_subtitle (row, text);
}

void
pos_scanners_page_show_scan (PosScannersPage *self,
                             PosScan         *scan)
{
  g_autofree char *input = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *symbology = NULL;
  g_autofree char *device = NULL;
  g_autofree char *meaning = NULL;
  g_autofree char *product = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *hms = g_date_time_format (now, "%H:%M:%S");

  g_return_if_fail (POS_IS_SCANNERS_PAGE (self));
  g_return_if_fail (scan != NULL);

  input = pos_scan_dup_parse_input (scan);
  shown = visible_text (pos_scan_get_text (scan));

  if (pos_scan_get_symbology (scan) != NULL)
    symbology = g_strdup_printf ("%s (%s)", pos_scan_get_symbology (scan), pos_scan_get_aim_id (scan));
  else if (pos_scan_get_aim_id (scan) != NULL)
    symbology = g_strdup (pos_scan_get_aim_id (scan));
  else
    symbology = g_strdup (_("Not sent by the scanner (it can be set up to send its AIM identifier)"));

  if (pos_scan_get_device_id (scan) != NULL)
    /* Translators: scanner name · device id · time of the scan */
    device = g_strdup_printf (_("%s · %s · at %s"), pos_scan_get_device_name (scan),
                              pos_scan_get_device_id (scan), hms);
  else
    /* Translators: %s is the time of the scan */
    device = g_strdup_printf (_("A scanner typing like a keyboard, not read over USB · at %s"), hms);

  {
    PosBarcodeRule *rules = NULL;
    guint n_rules = 0;
    g_autoptr(PosBarcode) barcode = NULL;

    if (self->db != NULL)
      rules = pos_catalog_get_barcode_rules (self->db, &n_rules);
    barcode = pos_barcode_parse (input, rules, n_rules, &error);
    if (rules != NULL)
      pos_barcode_rules_free (rules, n_rules);
    if (barcode != NULL)
      meaning = describe_barcode (self, barcode);
    else
      /* Translators: %s says why: which check digit was expected, ... */
      meaning = g_strdup_printf (_("Not a valid barcode: %s"), error->message);
    g_clear_error (&error);
  }

  if (self->db != NULL)
    {
      PosScanResult result = { 0 };

      if (pos_catalog_resolve_scan (self->db, input, &result, &error))
        {
          g_autofree char *price = pos_format_money (result.fixed_gross >= 0 ? result.fixed_gross
                                                                             : pos_product_get_price (result.product),
                                                     self->currency);

          /* Translators: product name · SKU · price */
          product = g_strdup_printf (_("%s · %s · %s"), pos_product_get_name (result.product),
                                     pos_product_get_sku (result.product), price);
          pos_scan_result_clear (&result);
        }
      else
        product = g_strdup (error->message);
    }
  else
    product = g_strdup ("—");

  set_subtitle (self->text_row, shown[0] != '\0' ? shown : _("(empty)"));
  set_subtitle (self->symbology_row, symbology);
  set_subtitle (self->device_row, device);
  set_subtitle (self->meaning_row, meaning);
  set_subtitle (self->product_row, product);
}

static void
on_window_scan (PosScan  *scan,
                gpointer  user_data)
{
  pos_scanners_page_show_scan (POS_SCANNERS_PAGE (user_data), scan);
}

static void
on_wedge_scanned (PosScanDetector *detector,
                  const char      *text,
                  PosScannersPage *self)
{
  g_autoptr(PosScan) scan = pos_scan_new (text, NULL, NULL, NULL, g_get_monotonic_time ());

  pos_scanners_page_show_scan (self, scan);
}

/* Shown: the window's scans come here, and keyboard-mode scanners typing
 * into this window too. */
static void
pos_scanners_page_map (GtkWidget *widget)
{
  PosScannersPage *self = POS_SCANNERS_PAGE (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (pos_scanners_page_parent_class)->map (widget);

  if (self->window != NULL)
    pos_window_set_scan_hook (self->window, on_window_scan, self);
  root = gtk_widget_get_root (widget);
  if (self->detector == NULL && root != NULL && (gpointer) root != (gpointer) self->window)
    {
      self->detector = pos_scan_detector_new (GTK_WIDGET (root));
      g_signal_connect_object (self->detector, "scanned", G_CALLBACK (on_wedge_scanned), self, 0);
    }
  refresh_devices (self);
}

static void
pos_scanners_page_unmap (GtkWidget *widget)
{
  PosScannersPage *self = POS_SCANNERS_PAGE (widget);

  if (self->window != NULL)
    pos_window_set_scan_hook (self->window, NULL, NULL);
  g_clear_object (&self->detector);

  GTK_WIDGET_CLASS (pos_scanners_page_parent_class)->unmap (widget);
}

/* ------------------------------------------------------------------ */

static void
pos_scanners_page_dispose (GObject *object)
{
  PosScannersPage *self = POS_SCANNERS_PAGE (object);

  g_clear_object (&self->detector);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_weak_pointer (&self->window);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_SCANNERS_PAGE);
  /* after their widgets, whose handlers they are the data of */
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (pos_scanners_page_parent_class)->dispose (object);
}

static void
pos_scanners_page_finalize (GObject *object)
{
  PosScannersPage *self = POS_SCANNERS_PAGE (object);

  g_clear_pointer (&self->extra_rows, g_ptr_array_unref);
  g_clear_pointer (&self->currency, g_free);
  g_clear_object (&self->manager);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (pos_scanners_page_parent_class)->finalize (object);
}

static void
pos_scanners_page_class_init (PosScannersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_scanners_page_dispose;
  object_class->finalize = pos_scanners_page_finalize;
  widget_class->map = pos_scanners_page_map;
  widget_class->unmap = pos_scanners_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-scanners-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, scanners_group);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, keyboards_group);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, text_row);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, symbology_row);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, device_row);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, meaning_row);
  gtk_widget_class_bind_template_child (widget_class, PosScannersPage, product_row);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
}

static void
pos_scanners_page_init (PosScannersPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) device_row_free);
  self->extra_rows = g_ptr_array_new ();
}

AdwPreferencesPage *
pos_scanners_page_new_full (PosScannerManager *manager,
                            PosDatabase       *db,
                            PosWindow         *window)
{
  PosScannersPage *self;
  g_autoptr(PosStoreInfo) info = NULL;

  g_return_val_if_fail (manager == NULL || POS_IS_SCANNER_MANAGER (manager), NULL);
  g_return_val_if_fail (db == NULL || POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (window == NULL || POS_IS_WINDOW (window), NULL);

  self = g_object_new (POS_TYPE_SCANNERS_PAGE, NULL);
  self->manager = manager != NULL ? g_object_ref (manager) : NULL;
  self->db = db != NULL ? g_object_ref (db) : NULL;
  g_set_weak_pointer (&self->window, window);
  if (db != NULL)
    info = pos_database_get_store_info (db, NULL);
  self->currency = g_strdup (info != NULL && info->currency != NULL ? info->currency : "BRL");

  self->empty_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("No scanner found"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->empty_row),
                               _("Plug one in: it shows here at once. A scanner Balcão does not read "
                                 "types like a keyboard, and the sale takes its scans too."));
  adw_preferences_group_add (self->scanners_group, self->empty_row);

  if (manager == NULL || !pos_scanner_manager_get_running (manager))
    {
      self->usb_row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->usb_row), _("USB is not read here"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->usb_row),
                                   _("Balcão could not look at the USB devices of this computer. "
                                     "Scanners that type like a keyboard still work in the sale."));
      adw_preferences_group_add (self->scanners_group, self->usb_row);
      gtk_widget_set_visible (self->empty_row, FALSE);
    }

  gtk_widget_set_sensitive (self->add_button, can_change (self));
  if (manager != NULL)
    {
      g_signal_connect (manager, "devices-changed", G_CALLBACK (on_devices_changed), self);
      refresh_devices (self);
    }
  return ADW_PREFERENCES_PAGE (self);
}

AdwPreferencesPage *
pos_scanners_page_new (PosWindow *window)
{
  GtkApplication *app;
  PosScannerManager *manager = NULL;

  g_return_val_if_fail (POS_IS_WINDOW (window), NULL);

  app = gtk_window_get_application (GTK_WINDOW (window));
  if (POS_IS_APPLICATION (app))
    manager = pos_application_get_scanner_manager (POS_APPLICATION (app));
  return pos_scanners_page_new_full (manager, pos_window_get_database (window), window);
}
