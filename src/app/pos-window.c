/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "terminal/pos-database.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-sync-engine.h"

#include "pos-approval-dialog.h"
#include "pos-customers-page.h"
#include "pos-enroll-dialog.h"
#include "pos-history-page.h"
#include "pos-pickups-page.h"
#include "pos-sale-page.h"
#include "pos-scan-detector.h"
#include "pos-sync-indicator.h"
#include "pos-window.h"
#include "pos-window-private.h"

#define RECEIPT_CODE_PREFIX "BALCAO:SALE:"
#define PICKUP_CODE_PREFIX "BALCAO:PICKUP:"


G_DEFINE_FINAL_TYPE (PosWindow, pos_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_sale (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  PosWindow *self = user_data;

  if (self->sale_page == NULL)
    return;
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "sale");
  /* the sale page's actions refocus what they need; a bare switch lands on the entry */
  if (action != NULL)
    pos_sale_page_focus_entry (POS_SALE_PAGE (self->sale_page));
}

/* The History page is not seen at start: it is built once the window has
 * shown the Sale page, or at once when something needs it first. */
static GtkWidget *
ensure_history_page (PosWindow *self)
{
  AdwViewStackPage *page;

  if (self->history_page != NULL || self->db == NULL)
    return self->history_page;

  g_clear_handle_id (&self->history_idle_id, g_source_remove);
  self->history_page = pos_history_page_new (self->db);
  page = adw_view_stack_add_titled (ADW_VIEW_STACK (self->view_stack), self->history_page, "history", _("History"));
  adw_view_stack_page_set_icon_name (page, "document-open-recent-symbolic");
  return self->history_page;
}

static gboolean
build_history_page_idle (gpointer user_data)
{
  PosWindow *self = user_data;

  self->history_idle_id = 0;
  ensure_history_page (self);
  return G_SOURCE_REMOVE;
}

static void
show_history (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  PosWindow *self = user_data;

  if (ensure_history_page (self) == NULL)
    return;
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "history");
  gtk_widget_child_focus (self->history_page, GTK_DIR_TAB_FORWARD);
}

/* The Pickups page (click and collect) is built after the first frame as
 * well, third after Sale and History; its tab shows how many orders wait. */
static GtkWidget *
ensure_pickups_page (PosWindow *self)
{
  AdwViewStackPage *page;

  if (self->pickups_page != NULL || self->db == NULL || ensure_history_page (self) == NULL)
    return self->pickups_page;

  g_clear_handle_id (&self->pickups_idle_id, g_source_remove);
  self->pickups_page = pos_pickups_page_new (self->db, self->sync, self->sale_page);
  page = adw_view_stack_add_titled (ADW_VIEW_STACK (self->view_stack), self->pickups_page, "pickups", _("Pickups"));
  adw_view_stack_page_set_icon_name (page, "mail-send-receive-symbolic");
  g_object_bind_property (self->pickups_page, "badge-number", page, "badge-number", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->pickups_page, "needs-attention", page, "needs-attention", G_BINDING_SYNC_CREATE);
  return self->pickups_page;
}

static gboolean
build_pickups_page_idle (gpointer user_data)
{
  PosWindow *self = user_data;

  self->pickups_idle_id = 0;
  ensure_pickups_page (self);
  return G_SOURCE_REMOVE;
}

static void
show_pickups (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  PosWindow *self = user_data;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->main_stack)), "main") != 0 ||
      ensure_pickups_page (self) == NULL)
    return;
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "pickups");
  /* the clerk finds the customer's order by typing */
  gtk_widget_activate_action (self->pickups_page, "pickups.search", NULL);
}

/* win.open-pickup(s): an order (id or number) on the Pickups page, with
 * its handover when it is ready (a customer's profile asks for it). */
static void
open_pickup (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  PosWindow *self = user_data;

  if (ensure_pickups_page (self) == NULL)
    return;
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "pickups");
  pos_pickups_page_open_code (POS_PICKUPS_PAGE (self->pickups_page), g_variant_get_string (param, NULL));
}

/* The Customers page (issue 4), built after the first frame, fourth. */
static GtkWidget *
ensure_customers_page (PosWindow *self)
{
  AdwViewStackPage *page;

  if (self->customers_page != NULL || self->db == NULL || ensure_pickups_page (self) == NULL)
    return self->customers_page;

  g_clear_handle_id (&self->customers_idle_id, g_source_remove);
  self->customers_page = pos_customers_page_new (self->db, self->sync, self->sale_page);
  page = adw_view_stack_add_titled (ADW_VIEW_STACK (self->view_stack), self->customers_page, "customers", _("Customers"));
  adw_view_stack_page_set_icon_name (page, "system-users-symbolic");
  return self->customers_page;
}

static gboolean
build_customers_page_idle (gpointer user_data)
{
  PosWindow *self = user_data;

  self->customers_idle_id = 0;
  ensure_customers_page (self);
  return G_SOURCE_REMOVE;
}

static void
show_customers (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  PosWindow *self = user_data;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->main_stack)), "main") != 0 ||
      ensure_customers_page (self) == NULL)
    return;
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "customers");
  /* Ctrl+4 is for finding someone: back to the search */
  if (action != NULL)
    pos_customers_page_focus_search (POS_CUSTOMERS_PAGE (self->customers_page));
}

/* ------------------------------------------------------------------ */
/* Sync with the central                                               */

static void show_identity (PosWindow *self, const PosStoreInfo *store);

void
_pos_window_refresh_identity (PosWindow *self)
{
  g_autoptr(PosStoreInfo) store = NULL;
  g_autoptr(GError) error = NULL;

  if (self->db == NULL)
    return;
  store = pos_database_get_store_info (self->db, &error);
  if (store != NULL)
    show_identity (self, store);
  else
    g_warning ("Reading the store after sync: %s", error->message);
}

static void
on_changes_applied (PosSyncEngine *engine,
                    const char   **streams,
                    PosWindow     *self)
{
  if (streams != NULL && g_strv_contains (streams, "stores"))
    _pos_window_refresh_identity (self);
  if (streams != NULL && g_strv_contains (streams, "pickups") && self->pickups_page != NULL)
    pos_pickups_page_changes_applied (POS_PICKUPS_PAGE (self->pickups_page));
  if (self->customers_page != NULL)
    pos_customers_page_changes_applied (POS_CUSTOMERS_PAGE (self->customers_page), streams);
}

static void
sync_now (GSimpleAction *action,
          GVariant      *param,
          gpointer       user_data)
{
  PosWindow *self = user_data;

  if (self->sync != NULL)
    pos_sync_engine_kick (self->sync);
}

static void
sync_details (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  PosWindow *self = user_data;

  pos_sync_indicator_popup (POS_SYNC_INDICATOR (self->sync_indicator));
}

static void show_enroll_dialog (PosWindow *self, const char *url, const char *ca_file, const char *problem);

typedef struct {
  PosWindow *window;
  char      *url;
  char      *ca_file;
} EnrollData;

static void
enroll_data_free (EnrollData *data)
{
  g_object_unref (data->window);
  g_free (data->url);
  g_free (data->ca_file);
  g_free (data);
}

static void
on_enrolled (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  EnrollData *data = user_data;
  PosWindow *self = data->window;
  g_autoptr(GError) error = NULL;

  if (!pos_sync_enroll_finish (result, &error))
    {
      g_autofree char *problem = g_strdup_printf (_("Not connected: %s"), error->message);

      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        show_enroll_dialog (self, data->url, data->ca_file, problem);
      enroll_data_free (data);
      return;
    }

  _pos_window_refresh_identity (self);
  if (self->sync != NULL)
    pos_sync_engine_kick (self->sync);
  pos_window_add_toast (self, _("Connected to the central system. Prices, stock and pickup orders now come from there."));
  enroll_data_free (data);
}

static void
on_enroll_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PosWindow        *self)
{
  g_autofree char *token = NULL;
  EnrollData *data;
  const char *ca_file;

  if (g_strcmp0 (response, "connect") != 0 || self->db_path == NULL)
    return;

  data = g_new0 (EnrollData, 1);
  data->window = g_object_ref (self);
  data->url = g_strstrip (g_strdup (pos_enroll_dialog_get_url (dialog)));
  ca_file = pos_enroll_dialog_get_ca_file (dialog);
  data->ca_file = ca_file != NULL && *ca_file != '\0' ? g_strstrip (g_strdup (ca_file)) : NULL;
  pos_window_add_toast (self, _("Connecting to the central system…"));
  token = g_strstrip (g_strdup (pos_enroll_dialog_get_token (dialog)));
  pos_sync_enroll_async (self->db_path, data->url, token, data->ca_file, NULL, on_enrolled, data);
}

static void
show_enroll_dialog (PosWindow  *self,
                    const char *url,
                    const char *ca_file,
                    const char *problem)
{
  AdwMessageDialog *dialog = pos_enroll_dialog_new (GTK_WINDOW (self), url, ca_file, problem);

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_enroll_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sync_enroll (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  PosWindow *self = user_data;
  g_autofree char *url = NULL;
  g_autofree char *ca_file = NULL;

  if (self->db == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  url = pos_database_get_setting (self->db, "central_url");
  ca_file = pos_database_get_setting (self->db, "sync_ca_file");
  show_enroll_dialog (self, url, ca_file, NULL);
}

static void
start_sync (PosWindow *self)
{
  self->sync = pos_sync_engine_new (self->db_path);
  g_signal_connect_object (self->sync, "changes-applied", G_CALLBACK (on_changes_applied), self, 0);
  pos_sync_indicator_set_engine (POS_SYNC_INDICATOR (self->sync_indicator), self->sync, self->db);
  pos_sync_engine_start (self->sync);
}

/* Closing with operations not sent yet: say so, keep them, never discard. */
static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   PosWindow        *self)
{
  if (g_strcmp0 (response, "quit") != 0)
    return;
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- Kiosk mode (pos-application.c: --kiosk or the 'kiosk' key) ----
 * The counter PC's window fills the screen without window controls and a
 * cashier cannot close it: the main menu's Quit (and Ctrl+Q) is for a
 * manager, signed in or approving with their PIN or badge (the approval,
 * audited with its approver, is the record, as for the audit log). */

static gboolean
kiosk_mode (PosWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  gboolean kiosk = FALSE;

  if (POS_IS_APPLICATION (app))
    g_object_get (app, "kiosk", &kiosk, NULL);
  return kiosk;
}

/* Lets close_request through once. */
static void
kiosk_close (PosWindow *self)
{
  g_object_set_data (G_OBJECT (self), "pos-kiosk-quit", GINT_TO_POINTER (TRUE));
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_kiosk_quit_approved (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(PosWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pos_approval_dialog_ask_finish (result, NULL, &error))
    {
      if (error != NULL)
        pos_window_add_toast (self, error->message);
      return;
    }
  kiosk_close (self);
}

static void
kiosk_quit (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  PosWindow *self = user_data;
  g_autoptr(PosStaff) person = NULL;

  /* no store open: nobody could approve anything */
  if (!kiosk_mode (self) || self->db == NULL)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  person = pos_staff_get_current (self->db, NULL);
  if (person == NULL)
    {
      pos_window_add_toast (self, _("Kiosk mode: a manager signs in to close Balcão."));
      return;
    }
  if (pos_staff_current_can (self->db, POS_PERMISSION_CHANGE_SETTINGS))
    {
      kiosk_close (self);
      return;
    }
  pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_CHANGE_SETTINGS,
                                 _("Closing Balcão on this counter (kiosk mode)"), NULL,
                                 on_kiosk_quit_approved, g_object_ref (self));
}

/* The main menu's Quit becomes the manager's (app.quit, Ctrl+Q, runs
 * kiosk-quit in kiosk mode). */
static void
kiosk_relabel_quit (GMenuModel *menu)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autofree char *action = NULL;

      if (section != NULL)
        kiosk_relabel_quit (section);
      else if (G_IS_MENU (menu) &&
               g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action) &&
               g_str_equal (action, "app.quit"))
        {
          g_menu_remove (G_MENU (menu), i);
          g_menu_insert (G_MENU (menu), i, _("_Quit (Manager)…"), "app.quit");
        }
    }
}

/* A window manager's shortcut does not take the screen back either. */
static void
on_kiosk_fullscreened (PosWindow  *self,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  if (!gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
setup_kiosk (PosWindow *self)
{
  GObject *menu = gtk_widget_get_template_child (GTK_WIDGET (self), POS_TYPE_WINDOW, "primary_menu");

  gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (self->header_bar), FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (self->header_bar), FALSE);
  if (G_IS_MENU_MODEL (menu))
    kiosk_relabel_quit (G_MENU_MODEL (menu));
  gtk_window_fullscreen (GTK_WINDOW (self));
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_kiosk_fullscreened), NULL);
}

static gboolean
pos_window_close_request (GtkWindow *window)
{
  PosWindow *self = POS_WINDOW (window);
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  guint pending;

  if (self->close_confirmed || self->db == NULL ||
      g_getenv ("BALCAO_EXIT_AFTER_FIRST_FRAME") != NULL)
    return GTK_WINDOW_CLASS (pos_window_parent_class)->close_request (window);

  /* Alt+F4, the window manager's close: not in kiosk mode */
  if (kiosk_mode (self) && g_object_steal_data (G_OBJECT (self), "pos-kiosk-quit") == NULL)
    {
      pos_window_add_toast (self, _("Kiosk mode: a manager can close Balcão from the menu."));
      return TRUE;
    }

  pending = pos_outbox_count_pending (self->db, &error);
  if (pending == 0 || self->sync == NULL ||
      pos_sync_engine_get_state (self->sync) == POS_SYNC_STATE_NOT_ENROLLED)
    return GTK_WINDOW_CLASS (pos_window_parent_class)->close_request (window);

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u operation (a sale, a return…) has not reached the central yet. It stays saved on this terminal and is sent the next time Balcão runs with the network.",
                                       "%u operations (sales, returns…) have not reached the central yet. They stay saved on this terminal and are sent the next time Balcão runs with the network.",
                                       pending),
                          pending);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Not everything was sent"), body));
  adw_message_dialog_add_responses (dialog,
                                    "stay", _("_Keep Balcão Open"),
                                    "quit", _("_Quit Anyway"),
                                    NULL);
  adw_message_dialog_set_default_response (dialog, "stay");
  adw_message_dialog_set_close_response (dialog, "stay");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void print_receipt (GSimpleAction *action, GVariant *param, gpointer user_data);

static const GActionEntry win_entries[] = {
  { .name = "kiosk-quit", .activate = kiosk_quit },
  { .name = "show-sale", .activate = show_sale },
  { .name = "show-history", .activate = show_history },
  { .name = "show-pickups", .activate = show_pickups },
  { .name = "show-customers", .activate = show_customers },
  { .name = "open-pickup", .activate = open_pickup, .parameter_type = "s" },
  { .name = "sync-now", .activate = sync_now },
  { .name = "print-receipt", .activate = print_receipt, .parameter_type = "(sbb)" },
  { .name = "sync-details", .activate = sync_details },
  { .name = "sync-enroll", .activate = sync_enroll },
};

/* text: what was read, for a badge or a receipt code; parse_input: what
 * the sale parses (a USB scanner's AIM identifier, then the text). */
static void
route_scan (PosWindow  *self,
            const char *text,
            const char *parse_input)
{
  if (_pos_window_staff_take_scan (self, text))
    return;
  if (self->sale_page == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }

  if (g_ascii_strncasecmp (text, RECEIPT_CODE_PREFIX, strlen (RECEIPT_CODE_PREFIX)) == 0)
    {
      if (ensure_history_page (self) != NULL)
        {
          adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "history");
          pos_history_page_open_sale (POS_HISTORY_PAGE (self->history_page), text);
        }
      return;
    }

  /* a customer's pickup QR code: that order's handover */
  if (g_ascii_strncasecmp (text, PICKUP_CODE_PREFIX, strlen (PICKUP_CODE_PREFIX)) == 0)
    {
      if (ensure_pickups_page (self) != NULL)
        {
          adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "pickups");
          pos_pickups_page_open_code (POS_PICKUPS_PAGE (self->pickups_page), text);
        }
      return;
    }

  /* a customer's loyalty card (not a product): on the sale; the profile
   * only when the clerk is on the Customers page, a toast otherwise so a
   * sale in progress goes on */
  if (ensure_customers_page (self) != NULL &&
      pos_customers_page_take_card (POS_CUSTOMERS_PAGE (self->customers_page), text,
                                    g_strcmp0 (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (self->view_stack)),
                                               "customers") == 0))
    return;

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "sale");
  pos_sale_page_scan (POS_SALE_PAGE (self->sale_page), parse_input);
}

void
pos_window_route_scan (PosWindow  *self,
                       const char *code)
{
  g_return_if_fail (POS_IS_WINDOW (self));
  g_return_if_fail (code != NULL);

  if (self->scan_hook != NULL)
    {
      g_autoptr(PosScan) scan = pos_scan_new (code, NULL, NULL, NULL, g_get_monotonic_time ());

      self->scan_hook (scan, self->scan_hook_data);
      return;
    }
  route_scan (self, code, code);
}

void
pos_window_route_usb_scan (PosWindow *self,
                           PosScan   *scan)
{
  g_autofree char *input = NULL;

  g_return_if_fail (POS_IS_WINDOW (self));
  g_return_if_fail (scan != NULL);

  if (self->scan_hook != NULL)
    {
      self->scan_hook (scan, self->scan_hook_data);
      return;
    }
  input = pos_scan_dup_parse_input (scan);
  route_scan (self, pos_scan_get_text (scan), input);
}

void
pos_window_set_scan_hook (PosWindow         *self,
                          PosWindowScanHook  hook,
                          gpointer           user_data)
{
  g_return_if_fail (POS_IS_WINDOW (self));

  self->scan_hook = hook;
  self->scan_hook_data = hook != NULL ? user_data : NULL;
}

static void
on_scanned (PosScanDetector *detector,
            const char      *text,
            PosWindow       *self)
{
  g_debug ("Scan: %s", text);
  pos_window_route_scan (self, text);
}

static gboolean
on_typed (PosScanDetector *detector,
          const char      *text,
          PosWindow       *self)
{
  const char *visible;

  if (self->sale_page == NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->main_stack)), "main") != 0)
    return FALSE;
  visible = adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (self->view_stack));
  if (g_strcmp0 (visible, "sale") != 0)
    return FALSE;

  return pos_sale_page_take_typed (POS_SALE_PAGE (self->sale_page), text);
}

static void
on_sale_committed (PosSalePage *page,
                   const char  *id,
                   const char  *number,
                   PosWindow   *self)
{
  if (self->history_page != NULL)
    pos_history_page_reload (POS_HISTORY_PAGE (self->history_page));
  if (self->sync != NULL)
    pos_sync_engine_kick (self->sync);
  /* the sale is saved: the receipt (and the drawer for cash) follow, never blocking it */
  if (self->printing != NULL)
    pos_receipt_printing_print_sale (self->printing, id, FALSE, TRUE);
  /* a pickup order paid at the counter: its pickup receipt */
  if (self->pickups_page != NULL)
    pos_pickups_page_sale_committed (POS_PICKUPS_PAGE (self->pickups_page), id);
}

static void
print_receipt (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  PosWindow *self = user_data;
  const char *id = NULL;
  gboolean reprint = FALSE, open_drawer = FALSE;

  g_variant_get (param, "(&sbb)", &id, &reprint, &open_drawer);
  if (self->printing != NULL)
    pos_receipt_printing_print_sale (self->printing, id, reprint, open_drawer);
}

/* The sale's shortcuts (F-keys, Ctrl+F...) act from anywhere while the
 * Sale page is shown, and not at all on other pages, whose own shortcuts
 * (History's Ctrl+F search, F5 reload) must win: the sale's action group is
 * reachable from the whole window only while its page is visible. */
static void
on_visible_page_changed (AdwViewStack *stack,
                         GParamSpec   *pspec,
                         PosWindow    *self)
{
  gboolean on_sale = g_strcmp0 (adw_view_stack_get_visible_child_name (stack), "sale") == 0;

  gtk_widget_insert_action_group (GTK_WIDGET (self), "sale",
                                  on_sale ? pos_sale_page_get_action_group (POS_SALE_PAGE (self->sale_page))
                                          : NULL);
}

static void
show_problem (PosWindow  *self,
              const char *title,
              const char *description,
              const char *hint)
{
  adw_status_page_set_title (ADW_STATUS_PAGE (self->status_page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (self->status_page), description);
  gtk_label_set_text (GTK_LABEL (self->status_hint), hint);
  gtk_stack_set_visible_child_name (GTK_STACK (self->main_stack), "error");
  gtk_widget_set_visible (self->switcher_title, FALSE);
  gtk_label_set_text (GTK_LABEL (self->store_label), _("Balcão"));
  gtk_label_set_text (GTK_LABEL (self->terminal_label), _("No store"));
}

static void
show_identity (PosWindow          *self,
               const PosStoreInfo *store)
{
  g_autofree char *where = NULL;
  g_autofree char *title = NULL;
  const char *terminal = store->terminal_name ? store->terminal_name : store->terminal_code;

  if (store->staff_name != NULL)
    where = g_strdup_printf (_("%s · Cashier: %s"), terminal ? terminal : "", store->staff_name);
  else
    where = g_strdup_printf (_("%s · Locked"), terminal ? terminal : "");
  gtk_label_set_text (GTK_LABEL (self->person_label), store->staff_name != NULL ? store->staff_name : _("Locked"));

  gtk_label_set_text (GTK_LABEL (self->store_label), store->store_name ? store->store_name : "");
  gtk_label_set_text (GTK_LABEL (self->terminal_label), where);
  title = g_strdup_printf (_("Balcão — %s"), store->store_name ? store->store_name : "");
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
open_database (PosWindow  *self,
               const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStoreInfo) store = NULL;
  g_autofree char *hint = NULL;
  AdwViewStackPage *page;

  hint = g_strdup_printf (_("To set up a demo store, run:\nbalcao-ctl --database %s demo-data"), path);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *desc = g_strdup_printf (_("There is no database at %s. This terminal has no store yet: set it up, then start Balcão again."), path);

      show_problem (self, _("This terminal has no store yet"), desc, hint);
      return;
    }

  self->db = pos_database_open (path, &error);
  if (self->db == NULL)
    {
      /* The database's messages say what happened and what to do. */
      show_problem (self, _("This terminal cannot open its store"), error->message, path);
      return;
    }

  store = pos_database_get_store_info (self->db, &error);
  if (store == NULL)
    {
      g_autofree char *desc = g_strdup_printf (_("The database has no store and terminal set up (%s)."), error->message);

      show_problem (self, _("This terminal has no store yet"), desc, hint);
      return;
    }

  show_identity (self, store);
  start_sync (self);
  self->printing = pos_receipt_printing_new (GTK_WINDOW (self), self->db);

  self->sale_page = pos_sale_page_new (self->db);
  page = adw_view_stack_add_titled (ADW_VIEW_STACK (self->view_stack), self->sale_page, "sale", _("Sale"));
  adw_view_stack_page_set_icon_name (page, "edit-find-symbolic");
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (on_visible_page_changed), self, 0);
  g_signal_connect_object (self->sale_page, "sale-committed", G_CALLBACK (on_sale_committed), self, 0);

  self->history_idle_id = g_idle_add_full (G_PRIORITY_LOW, build_history_page_idle, self, NULL);
  self->pickups_idle_id = g_idle_add_full (G_PRIORITY_LOW, build_pickups_page_idle, self, NULL);
  self->customers_idle_id = g_idle_add_full (G_PRIORITY_LOW, build_customers_page_idle, self, NULL);

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (self->view_stack), "sale");
  on_visible_page_changed (ADW_VIEW_STACK (self->view_stack), NULL, self);

  self->detector = pos_scan_detector_new (GTK_WIDGET (self));
  g_signal_connect_object (self->detector, "scanned", G_CALLBACK (on_scanned), self, 0);
  g_signal_connect_object (self->detector, "typed", G_CALLBACK (on_typed), self, 0);

  /* nobody sells before signing in */
  _pos_window_staff_start (self);
}

/* A cash register fills its screen: size the window to the monitor it
 * will be shown on (a window manager may maximise it as well). */
static void
fit_to_monitor (PosWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GListModel *monitors = gdk_display_get_monitors (display);
  g_autoptr(GdkMonitor) monitor = NULL;
  GdkRectangle geometry;

  if (g_list_model_get_n_items (monitors) == 0)
    return;
  monitor = g_list_model_get_item (monitors, 0);
  gdk_monitor_get_geometry (monitor, &geometry);
  if (geometry.width >= 800 && geometry.height >= 600)
    gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
}

static void
pos_window_dispose (GObject *object)
{
  PosWindow *self = POS_WINDOW (object);

  g_clear_object (&self->detector);
  g_clear_handle_id (&self->history_idle_id, g_source_remove);
  g_clear_handle_id (&self->pickups_idle_id, g_source_remove);
  g_clear_handle_id (&self->customers_idle_id, g_source_remove);
  _pos_window_staff_dispose (self);
  g_clear_object (&self->printing);
  if (self->sync != NULL)
    {
      pos_sync_engine_stop (self->sync);
      g_clear_object (&self->sync);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_WINDOW);
  self->sale_page = NULL;
  self->history_page = NULL;
  self->pickups_page = NULL;
  self->customers_page = NULL;

  G_OBJECT_CLASS (pos_window_parent_class)->dispose (object);
}

static void
pos_window_finalize (GObject *object)
{
  PosWindow *self = POS_WINDOW (object);

  g_clear_object (&self->db);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (pos_window_parent_class)->finalize (object);
}

static void
pos_window_class_init (PosWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_window_dispose;
  object_class->finalize = pos_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = pos_window_close_request;

  g_type_ensure (POS_TYPE_SYNC_INDICATOR);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PosWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, terminal_label);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, status_hint);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, no_shift_page);
  gtk_widget_class_bind_template_child (widget_class, PosWindow, person_label);
  /* kiosk mode relabels its Quit (no pointer kept) */
  gtk_widget_class_bind_template_child_full (widget_class, "primary_menu", FALSE, 0);
}

static void
pos_window_init (PosWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries,
                                   G_N_ELEMENTS (win_entries), self);
  _pos_window_staff_init (self);
}

PosWindow *
pos_window_new (PosApplication *application,
                const char     *db_path)
{
  PosWindow *self = g_object_new (POS_TYPE_WINDOW, "application", application, NULL);

  fit_to_monitor (self);
  if (kiosk_mode (self))
    setup_kiosk (self);
  self->db_path = g_strdup (db_path);
  open_database (self, db_path);
  if (self->sale_page != NULL)
    pos_sale_page_focus_entry (POS_SALE_PAGE (self->sale_page));

  return self;
}

PosReceiptPrinting *
pos_window_get_receipt_printing (PosWindow *self)
{
  g_return_val_if_fail (POS_IS_WINDOW (self), NULL);

  return self->printing;
}

PosDatabase *
pos_window_get_database (PosWindow *self)
{
  g_return_val_if_fail (POS_IS_WINDOW (self), NULL);
  return self->db;
}

void
pos_window_show_toast (PosWindow *self,
                       AdwToast  *toast)
{
  g_return_if_fail (POS_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), toast);
}

void
pos_window_add_toast (PosWindow  *self,
                      const char *text)
{
  AdwToast *toast;

  g_return_if_fail (POS_IS_WINDOW (self));

  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), toast);
}
