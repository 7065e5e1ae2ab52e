/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "terminal/pos-outbox.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"

#include "pos-approval-dialog.h"
#include "pos-audit-window.h"
#include "pos-online-return-dialog.h"
#include "pos-preferences-window.h"
#include "pos-printer-page.h"
#include "pos-sale-page.h"
#include "pos-scanners-page.h"
#include "pos-shift-dialog.h"
#include "pos-sign-in-page.h"
#include "pos-window-private.h"

/* Who is at the counter: the screen starts locked; a person signs in with
 * a PIN or a badge; without an open shift the only way on is to open one;
 * the screen locks again on Ctrl+L or after the idle time the manager set.
 * A sale in progress at the lock is parked under its cashier and comes
 * back when they sign in again. */

#define IDLE_CHECK_SECONDS 5

static const char *shift_actions[] = { "cash-in", "cash-out", "no-sale", "x-report", "shift-close" };

static void
enable_action (PosWindow  *self,
               const char *name,
               gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
show_state (PosWindow  *self,
            const char *state)
{
  gboolean main = g_str_equal (state, "main");
  gboolean locked = g_str_equal (state, "locked");

  gtk_stack_set_visible_child_name (GTK_STACK (self->main_stack), state);
  gtk_widget_set_visible (self->switcher_title, main);
  gtk_widget_set_sensitive (self->person_label, !locked);
  enable_action (self, "lock", !locked);
  enable_action (self, "shift-open", g_str_equal (state, "no-shift"));
  for (guint i = 0; i < G_N_ELEMENTS (shift_actions); i++)
    enable_action (self, shift_actions[i], main);
  enable_action (self, "audit-log", !locked);
  enable_action (self, "online-return", !locked);
  enable_action (self, "preferences", !locked);
  enable_action (self, "show-sale", main);
  enable_action (self, "show-history", main);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "sale",
                                  main && self->sale_page != NULL &&
                                  g_strcmp0 (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (self->view_stack)), "sale") == 0
                                  ? pos_sale_page_get_action_group (POS_SALE_PAGE (self->sale_page)) : NULL);
  _pos_window_refresh_identity (self);
}

/* After sign-in or a shift event: the sale, or the way to open a shift. */
static void
show_counter (PosWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shift = pos_shifts_get_open_id (self->db, &error);

  if (shift == NULL)
    {
      if (error != NULL)
        pos_window_add_toast (self, error->message);
      show_state (self, "no-shift");
      return;
    }
  show_state (self, "main");
  if (self->sale_page != NULL)
    pos_sale_page_focus_entry (POS_SALE_PAGE (self->sale_page));
}

static void
lock_screen (PosWindow  *self,
             const char *why,
             const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) current = pos_staff_get_current (self->db, NULL);

  if (current != NULL)
    {
      if (self->sale_page != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_local ();
          g_autofree char *hhmm = g_date_time_format (now, "%H:%M");
          g_autofree char *label = g_strdup_printf (_("Left at the lock, %s"), hhmm);
          g_autofree char *parked = pos_sale_page_park_for_lock (POS_SALE_PAGE (self->sale_page), label, &error);

          if (parked == NULL && error != NULL)
            {
              /* the sale stays on screen, and the screen unlocked */
              g_autofree char *text = g_strdup_printf (_("The screen was not locked: the sale could not be parked (%s)."), error->message);

              pos_window_add_toast (self, text);
              return;
            }
          if (parked != NULL)
            {
              g_free (self->locked_park_id);
              self->locked_park_id = g_steal_pointer (&parked);
            }
        }
      g_free (self->locked_owner_id);
      self->locked_owner_id = g_strdup (current->id);
      if (!pos_staff_sign_out (self->db, why, &error))
        g_warning ("Signing out: %s", error->message);
    }

  /* shown first, so that the PIN entry can take the keyboard */
  show_state (self, "locked");
  pos_sign_in_page_reset (POS_SIGN_IN_PAGE (self->sign_in_page), self->locked_owner_id, message);
}

static void
on_signed_in (PosSignInPage *page,
              const char    *staff_id,
              PosWindow     *self)
{
  g_autoptr(GError) error = NULL;

  self->last_activity = g_get_monotonic_time ();
  if (self->locked_park_id != NULL && g_strcmp0 (staff_id, self->locked_owner_id) == 0 && self->sale_page != NULL)
    {
      if (!pos_sale_page_resume_parked (POS_SALE_PAGE (self->sale_page), self->locked_park_id, &error))
        {
          g_autofree char *text = g_strdup_printf (_("Your sale from before the lock is still parked (F9 resumes it): %s"),
                                                   error->message);

          pos_window_add_toast (self, text);
        }
      g_clear_pointer (&self->locked_park_id, g_free);
    }
  else if (self->locked_park_id != NULL && g_strcmp0 (staff_id, self->locked_owner_id) != 0)
    {
      pos_window_add_toast (self, _("The sale in progress at the lock stays parked for its cashier."));
    }
  g_clear_pointer (&self->locked_owner_id, g_free);
  show_counter (self);
}

static gboolean
check_idle (gpointer user_data)
{
  PosWindow *self = user_data;
  g_autofree char *setting = NULL;
  gint64 limit;

  if (self->db == NULL || g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->main_stack)), "locked") == 0)
    return G_SOURCE_CONTINUE;
  setting = pos_database_get_setting (self->db, "lock_idle_seconds");
  limit = setting != NULL ? g_ascii_strtoll (setting, NULL, 10) : POS_LOCK_IDLE_SECONDS_DEFAULT;
  if (limit <= 0)
    return G_SOURCE_CONTINUE;
  /* a dialog of ours open on top is activity too: never lock under it */
  {
    g_autoptr(GList) tops = gtk_window_list_toplevels ();

    for (GList *l = tops; l != NULL; l = l->next)
      if (l->data != (gpointer) self && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self) &&
          gtk_widget_get_visible (l->data))
        return G_SOURCE_CONTINUE;
  }
  if (g_get_monotonic_time () - self->last_activity >= limit * G_USEC_PER_SEC)
    lock_screen (self, "idle", _("The screen locked after a while without use. Sign in again to go on."));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_any_key (GtkEventControllerKey *controller,
            guint                  keyval,
            guint                  keycode,
            GdkModifierType        state,
            PosWindow             *self)
{
  self->last_activity = g_get_monotonic_time ();
  return GDK_EVENT_PROPAGATE;
}

static void
on_any_click (GtkGestureClick *gesture,
              int              n_press,
              double           x,
              double           y,
              PosWindow       *self)
{
  self->last_activity = g_get_monotonic_time ();
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

static void
action_lock (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  guint pending;

  lock_screen (self, "sign_out", NULL);
  /* a person leaving may want to know the counter has unsent work */
  pending = pos_outbox_count_pending (self->db, &error);
  if (pending > 0 && self->sync != NULL && pos_sync_engine_get_state (self->sync) == POS_SYNC_STATE_OFFLINE)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u operation waits for the network; it stays saved here.",
                                                            "%u operations wait for the network; they stay saved here.",
                                                            pending), pending);

      pos_window_add_toast (self, text);
    }
}

static void
on_shift_done (PosShiftDialog *dialog,
               PosWindow      *self)
{
  show_counter (self);
}

static void
open_shift_dialog (PosWindow          *self,
                   PosShiftDialogMode  mode)
{
  PosShiftDialog *dialog = pos_shift_dialog_new (GTK_WINDOW (self), self->db, mode);

  g_signal_connect_object (dialog, "done", G_CALLBACK (on_shift_done), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_shift_open (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_shift_dialog (user_data, POS_SHIFT_DIALOG_OPEN);
}

static void
action_cash_in (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_shift_dialog (user_data, POS_SHIFT_DIALOG_CASH_IN);
}

static void
action_cash_out (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_shift_dialog (user_data, POS_SHIFT_DIALOG_CASH_OUT);
}

static void
action_x_report (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  open_shift_dialog (user_data, POS_SHIFT_DIALOG_REPORT);
}

static void
action_shift_close (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosWindow *self = user_data;

  if (self->sale_page != NULL && !pos_cart_is_empty (pos_sale_page_get_cart (POS_SALE_PAGE (self->sale_page))))
    {
      pos_window_add_toast (self, _("Finish or park the sale in progress before closing the shift."));
      return;
    }
  open_shift_dialog (self, POS_SHIFT_DIALOG_CLOSE);
}

static void
on_no_sale_approved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PosWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;

  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        pos_window_add_toast (self, error->message);
      return;
    }
  /* The record of who opened it and why first; then the receipt
   * printer's pulse opens the drawer (docs/printing.md). */
  if (!pos_shifts_record_no_sale (self->db, _("Drawer opened without a sale"), approval, &error))
    pos_window_add_toast (self, error->message);
  else if (self->printing != NULL && pos_receipt_printing_open_drawer (self->printing))
    pos_window_add_toast (self, _("Opening the drawer; recorded in the audit log."));
  else
    pos_window_add_toast (self, _("Drawer opening recorded in the audit log. No receipt printer is set, so the drawer is opened by hand."));
}

static void
action_no_sale (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosWindow *self = user_data;

  pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, POS_PERMISSION_NO_SALE,
                                 _("Opening the cash drawer without a sale"), NULL,
                                 on_no_sale_approved, g_object_ref (self));
}

typedef void (*ApprovedFunc) (PosWindow *self);

static void
on_manager_approved (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PosWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  ApprovedFunc next = g_object_steal_data (G_OBJECT (self), "pos-approved-next");

  if (!pos_approval_dialog_ask_finish (result, NULL, &error))
    {
      if (error != NULL)
        pos_window_add_toast (self, error->message);
      return;
    }
  if (next != NULL)
    next (self);
}

/* Looking at the audit log or the preferences is not an engine action
 * with a document to carry the approval: the approval itself (audited
 * with its approver and reason) is the record. */
static void
with_permission (PosWindow     *self,
                 PosPermission  permission,
                 const char    *what,
                 ApprovedFunc   next)
{
  if (pos_staff_current_can (self->db, permission))
    {
      next (self);
      return;
    }
  g_object_set_data (G_OBJECT (self), "pos-approved-next", next);
  pos_approval_dialog_ask_async (GTK_WINDOW (self), self->db, permission, what, NULL,
                                 on_manager_approved, g_object_ref (self));
}

static void
present_audit (PosWindow *self)
{
  pos_audit_window_present (GTK_WINDOW (self), self->db);
}

static void
present_preferences (PosWindow *self)
{
  GtkWindow *prefs = pos_preferences_window_new (GTK_WINDOW (self), self->db);

  pos_preferences_window_add_page (POS_PREFERENCES_WINDOW (prefs), pos_scanners_page_new (self));
  pos_preferences_window_add_page (POS_PREFERENCES_WINDOW (prefs), pos_printer_page_new (self));
  gtk_window_present (prefs);
}

static void
action_audit_log (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  with_permission (user_data, POS_PERMISSION_VIEW_AUDIT, _("Looking at the audit log"), present_audit);
}

/* Items of an online order brought back: the dialog asks the central for
 * the order; the refund's approval is asked when the person confirms. */
static void
action_online_return (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosWindow *self = user_data;
  PosOnlineReturnDialog *dialog = pos_online_return_dialog_new (GTK_WINDOW (self), self->db, NULL);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* Preferences change what people may do: whoever changes them must be
 * signed in (the engine checks every change against the signed-in
 * person), so an approval from someone standing by is not enough. */
static void
action_preferences (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  PosWindow *self = user_data;

  if (!pos_staff_current_can (self->db, POS_PERMISSION_CHANGE_SETTINGS))
    {
      pos_window_add_toast (self, _("Preferences are for a manager: lock the screen (Ctrl+L) and let them sign in. Your sale waits for you."));
      return;
    }
  present_preferences (self);
}

static const GActionEntry staff_entries[] = {
  { .name = "lock", .activate = action_lock },
  { .name = "shift-open", .activate = action_shift_open },
  { .name = "cash-in", .activate = action_cash_in },
  { .name = "cash-out", .activate = action_cash_out },
  { .name = "no-sale", .activate = action_no_sale },
  { .name = "x-report", .activate = action_x_report },
  { .name = "shift-close", .activate = action_shift_close },
  { .name = "audit-log", .activate = action_audit_log },
  { .name = "online-return", .activate = action_online_return },
  { .name = "preferences", .activate = action_preferences },
};

/* ------------------------------------------------------------------ */

void
_pos_window_staff_init (PosWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), staff_entries, G_N_ELEMENTS (staff_entries), self);
  for (guint i = 0; i < G_N_ELEMENTS (staff_entries); i++)
    enable_action (self, staff_entries[i].name, FALSE);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_any_key), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_any_click), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

void
_pos_window_staff_start (PosWindow *self)
{
  self->sign_in_page = pos_sign_in_page_new (self->db);
  gtk_stack_add_named (GTK_STACK (self->main_stack), self->sign_in_page, "locked");
  g_signal_connect_object (self->sign_in_page, "signed-in", G_CALLBACK (on_signed_in), self, 0);

  /* Whoever was signed in when Balcão stopped (a crash, a power cut)
   * signs in again; their shift is still open. */
  lock_screen (self, "start", NULL);
  self->last_activity = g_get_monotonic_time ();
  self->idle_source_id = g_timeout_add_seconds (IDLE_CHECK_SECONDS, check_idle, self);
}

void
_pos_window_staff_dispose (PosWindow *self)
{
  g_clear_handle_id (&self->idle_source_id, g_source_remove);
  g_clear_pointer (&self->locked_owner_id, g_free);
  g_clear_pointer (&self->locked_park_id, g_free);
  self->sign_in_page = NULL;
}

gboolean
_pos_window_staff_take_scan (PosWindow  *self,
                             const char *code)
{
  const char *state;

  if (self->sign_in_page == NULL)
    return FALSE;
  state = gtk_stack_get_visible_child_name (GTK_STACK (self->main_stack));
  if (g_strcmp0 (state, "locked") == 0)
    {
      pos_sign_in_page_take_badge (POS_SIGN_IN_PAGE (self->sign_in_page), code);
      return TRUE;
    }
  if (g_strcmp0 (state, "main") != 0)
    {
      pos_window_add_toast (self, _("Open a shift before scanning: there is no sale without one."));
      return TRUE;
    }
  return FALSE;
}
