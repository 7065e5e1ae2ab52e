/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "terminal/pos-outbox.h"

#include "pos-approval-dialog.h"
#include "pos-sync-indicator.h"

#define PENDING_SHOWN 50
/* An unsent operation older than this is worth a mention in the pill. */
#define OLD_PENDING_MS (10 * 60 * 1000)

struct _PosSyncIndicator {
  GtkWidget      parent_instance;

  PosSyncEngine *engine;
  PosDatabase   *db;
  guint          tick_id;

  /* template */
  GtkWidget     *button;
  GtkWidget     *pill_label;
  GtkWidget     *popover;
  GtkWidget     *state_title;
  GtkWidget     *detail_label;
  GtkWidget     *error_label;
  GtkWidget     *sync_now_button;
  GtkWidget     *enroll_button;
  GtkWidget     *dead_title;
  GtkWidget     *dead_scroller;
  GtkWidget     *dead_list;
  GtkWidget     *pending_title;
  GtkWidget     *pending_scroller;
  GtkWidget     *pending_list;
};

G_DEFINE_FINAL_TYPE (PosSyncIndicator, pos_sync_indicator, GTK_TYPE_WIDGET)

static char *
format_clock (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_ms / 1000);

  return g_date_time_format (dt, "%H:%M");
}

/* "less than a minute", "12 min", "3 h 05 min", "2 days" */
static char *
format_age (gint64 age_ms)
{
  gint64 minutes = MAX (age_ms, 0) / 60000;

  if (minutes < 1)
    return g_strdup (_("less than a minute"));
  if (minutes < 60)
    return g_strdup_printf (_("%d min"), (int) minutes);
  if (minutes < 48 * 60)
    return g_strdup_printf (_("%d h %02d min"), (int) (minutes / 60), (int) (minutes % 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", (gulong) (minutes / 1440)),
                          (int) (minutes / 1440));
}

char *
pos_sync_indicator_describe (PosSyncState state,
                             guint        pending,
                             gint64       oldest_pending_ms,
                             gint64       offline_since_ms,
                             guint        dead_letters,
                             gint64       now_ms)
{
  GString *text = g_string_new (NULL);

  switch (state)
    {
    case POS_SYNC_STATE_NOT_ENROLLED:
      g_string_append (text, _("Not connected · local only"));
      break;
    case POS_SYNC_STATE_ONLINE:
      g_string_append (text, _("Online"));
      break;
    case POS_SYNC_STATE_SYNCING:
      g_string_append (text, _("Syncing"));
      break;
    case POS_SYNC_STATE_OFFLINE:
      if (offline_since_ms > 0)
        {
          g_autofree char *clock = format_clock (offline_since_ms);

          g_string_append_printf (text, _("Offline since %s"), clock);
        }
      else
        g_string_append (text, _("Offline"));
      break;
    case POS_SYNC_STATE_REVOKED:
      g_string_append (text, _("Disconnected · access revoked"));
      break;
    default:
      g_assert_not_reached ();
    }

  if (pending > 0 && state != POS_SYNC_STATE_NOT_ENROLLED)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u to send", "%u to send", pending), pending);
      if (oldest_pending_ms > 0 && now_ms - oldest_pending_ms >= OLD_PENDING_MS)
        {
          g_autofree char *age = format_age (now_ms - oldest_pending_ms);

          g_string_append (text, " · ");
          g_string_append_printf (text, _("oldest %s"), age);
        }
    }
  if (dead_letters > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u needs a manager", "%u need a manager", dead_letters),
                              dead_letters);
    }

  return g_string_free (text, FALSE);
}

static void
set_pill_class (PosSyncIndicator *self,
                const char       *name)
{
  static const char * const classes[] = { "online", "offline", "syncing", "error" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      if (g_str_equal (classes[i], name))
        gtk_widget_add_css_class (self->pill_label, classes[i]);
      else
        gtk_widget_remove_css_class (self->pill_label, classes[i]);
    }
}

static char *
describe_detail (PosSyncIndicator *self,
                 gint64            now_ms)
{
  PosSyncState state = pos_sync_engine_get_state (self->engine);
  guint pending = pos_sync_engine_get_pending (self->engine);
  gint64 oldest = pos_sync_engine_get_oldest_pending_ms (self->engine);
  gint64 last = pos_sync_engine_get_last_sync_ms (self->engine);
  GString *text = g_string_new (NULL);

  switch (state)
    {
    case POS_SYNC_STATE_NOT_ENROLLED:
      g_string_append (text, _("Every sale is saved on this terminal. Connect it to the central system to send them and to receive prices, stock and pickup orders."));
      break;
    case POS_SYNC_STATE_REVOKED:
      g_string_append (text, _("The central no longer accepts this terminal. Nothing was lost: what was not sent waits here. Ask a manager for a new enrolment token and connect again."));
      break;
    case POS_SYNC_STATE_OFFLINE:
      g_string_append (text, _("The counter keeps selling: sales are saved here and sent as soon as the central answers again."));
      break;
    case POS_SYNC_STATE_ONLINE:
    case POS_SYNC_STATE_SYNCING:
    default:
      break;
    }

  if (last > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (last / 1000);
      g_autofree char *clock = g_date_time_format (dt, "%H:%M:%S");

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Last in step with the central at %s."), clock);
    }
  if (pending > 0)
    {
      g_autofree char *age = format_age (now_ms - oldest);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u operation waits to be sent; it was made %s ago.",
                                                 "%u operations wait to be sent; the oldest was made %s ago.",
                                                 pending),
                              pending, age);
    }
  else if (state != POS_SYNC_STATE_NOT_ENROLLED)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, _("Nothing waits to be sent."));
    }

  return g_string_free (text, FALSE);
}

static const char *
state_title (PosSyncState state)
{
  switch (state)
    {
    case POS_SYNC_STATE_NOT_ENROLLED: return _("Not connected to a central system");
    case POS_SYNC_STATE_ONLINE:       return _("Online: in step with the central");
    case POS_SYNC_STATE_SYNCING:      return _("Syncing with the central");
    case POS_SYNC_STATE_OFFLINE:      return _("Offline: the central does not answer");
    case POS_SYNC_STATE_REVOKED:      return _("This terminal's access was revoked");
    default:                          return "";
    }
}

static void
update (PosSyncIndicator *self)
{
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *pill = NULL;
  const char *error;
  PosSyncState state;

  if (self->engine == NULL)
    return;

  state = pos_sync_engine_get_state (self->engine);
  pill = pos_sync_indicator_describe (state,
                                      pos_sync_engine_get_pending (self->engine),
                                      pos_sync_engine_get_oldest_pending_ms (self->engine),
                                      pos_sync_engine_get_offline_since_ms (self->engine),
                                      pos_sync_engine_get_dead_letters (self->engine),
                                      now);
  gtk_label_set_text (GTK_LABEL (self->pill_label), pill);

  switch (state)
    {
    case POS_SYNC_STATE_ONLINE:  set_pill_class (self, "online"); break;
    case POS_SYNC_STATE_SYNCING: set_pill_class (self, "syncing"); break;
    case POS_SYNC_STATE_REVOKED: set_pill_class (self, "error"); break;
    case POS_SYNC_STATE_NOT_ENROLLED:
    case POS_SYNC_STATE_OFFLINE:
    default:                     set_pill_class (self, "offline"); break;
    }
  if (pos_sync_engine_get_dead_letters (self->engine) > 0 && state != POS_SYNC_STATE_REVOKED)
    set_pill_class (self, "offline");

  error = pos_sync_engine_get_last_error (self->engine);
  gtk_widget_set_tooltip_text (self->button, error != NULL ? error : state_title (state));

  if (gtk_widget_get_visible (self->popover))
    {
      g_autofree char *detail = describe_detail (self, now);

      gtk_label_set_text (GTK_LABEL (self->state_title), state_title (state));
      gtk_label_set_text (GTK_LABEL (self->detail_label), detail);
      gtk_label_set_text (GTK_LABEL (self->error_label), error != NULL ? error : "");
      gtk_widget_set_visible (self->error_label, error != NULL && state != POS_SYNC_STATE_ONLINE);
      gtk_widget_set_visible (self->sync_now_button, state != POS_SYNC_STATE_NOT_ENROLLED &&
                                                     state != POS_SYNC_STATE_REVOKED);
      gtk_button_set_label (GTK_BUTTON (self->enroll_button),
                            state == POS_SYNC_STATE_NOT_ENROLLED || state == POS_SYNC_STATE_REVOKED
                              ? _("_Connect to Central…") : _("_Connect to Another Central…"));
    }
}

static void
on_engine_notify (PosSyncIndicator *self)
{
  update (self);
}

/* ------------------------------------------------------------------ */
/* The lists in the popover                                            */

static void
clear_list (GtkWidget *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (list), child);
}

static char *
entry_subtitle (const PosOutboxEntry *e)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (e->local_ts / 1000);
  g_autofree char *when = g_date_time_format (dt, "%d/%m %H:%M");

  if (e->attempts > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · tried %u time", "%s · tried %u times", e->attempts),
                            when, e->attempts);
  return g_steal_pointer (&when);
}

static void refresh_lists (PosSyncIndicator *self);

static void
on_retry_approved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PosSyncIndicator) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *approval = NULL;
  gint64 seq = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (self), "pos-retry-seq"));

  if (!pos_approval_dialog_ask_finish (result, &approval, &error))
    {
      if (error != NULL)
        {
          gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
          gtk_widget_set_visible (self->error_label, TRUE);
          pos_sync_indicator_popup (self);
        }
      return;
    }
  if (!pos_outbox_retry (self->db, seq, approval, &error))
    {
      gtk_label_set_text (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
    }
  else
    pos_sync_engine_kick (self->engine);
  refresh_lists (self);
  pos_sync_indicator_popup (self);
}

/* Sending a refused operation again is a manager's call (manage_sync). */
static void
on_retry_clicked (GtkButton        *button,
                  PosSyncIndicator *self)
{
  gint64 seq = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "seq"));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));

  g_object_set_data (G_OBJECT (self), "pos-retry-seq", GSIZE_TO_POINTER ((gsize) seq));
  gtk_popover_popdown (GTK_POPOVER (gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_POPOVER)));
  pos_approval_dialog_ask_async (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db,
                                 POS_PERMISSION_MANAGE_SYNC, _("Sending a refused operation again"), NULL,
                                 on_retry_approved, g_object_ref (self));
}

static GtkWidget *
dead_row (PosSyncIndicator     *self,
          const PosOutboxEntry *e)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *retry = gtk_button_new_with_label (_("Retry"));
  g_autofree char *when = entry_subtitle (e);
  g_autofree char *subtitle = NULL;
  g_autofree char *title = g_markup_escape_text (e->label ? e->label : e->type, -1);

  subtitle = g_markup_printf_escaped ("%s\n%s", e->last_error ? e->last_error : _("Refused by the central."), when);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (retry, _("Send it again, once the cause is fixed at the central"));
  g_object_set_data (G_OBJECT (retry), "seq", GSIZE_TO_POINTER ((gsize) e->seq));
  g_signal_connect (retry, "clicked", G_CALLBACK (on_retry_clicked), self);
  if (g_strcmp0 (e->status, "conflict") == 0)
    gtk_widget_set_visible (retry, FALSE);   /* the central's state was applied: nothing to resend */
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), retry);
  return row;
}

static GtkWidget *
pending_row (const PosOutboxEntry *e)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (e->label ? e->label : e->type, -1);
  g_autofree char *when = entry_subtitle (e);
  g_autofree char *subtitle = g_markup_escape_text (when, -1);

  /* the last error is said once, above the list */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
refresh_lists (PosSyncIndicator *self)
{
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pending_text = NULL;
  g_autofree char *dead_text = NULL;
  guint n_pending;

  clear_list (self->dead_list);
  clear_list (self->pending_list);
  if (self->db == NULL)
    return;

  dead = pos_outbox_list_dead (self->db, &error);
  if (dead == NULL)
    {
      g_warning ("Listing the dead letters: %s", error->message);
      g_clear_error (&error);
    }
  pending = pos_outbox_list_pending (self->db, PENDING_SHOWN, &error);
  if (pending == NULL)
    {
      g_warning ("Listing the outbox: %s", error->message);
      g_clear_error (&error);
    }

  for (guint i = 0; dead != NULL && i < dead->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->dead_list), dead_row (self, g_ptr_array_index (dead, i)));
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->pending_list), pending_row (g_ptr_array_index (pending, i)));

  n_pending = self->engine ? pos_sync_engine_get_pending (self->engine) : (pending ? pending->len : 0);
  dead_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Needs a manager (%u): refused by the central",
                                            "Need a manager (%u): refused by the central",
                                            dead ? dead->len : 0),
                               dead ? dead->len : 0);
  if (n_pending > PENDING_SHOWN)
    pending_text = g_strdup_printf (_("Waiting to be sent (%u; the oldest %u shown)"), n_pending, PENDING_SHOWN);
  else
    pending_text = g_strdup_printf (_("Waiting to be sent (%u)"), n_pending);
  gtk_label_set_text (GTK_LABEL (self->dead_title), dead_text);
  gtk_label_set_text (GTK_LABEL (self->pending_title), pending_text);

  gtk_widget_set_visible (self->dead_title, dead != NULL && dead->len > 0);
  gtk_widget_set_visible (self->dead_scroller, dead != NULL && dead->len > 0);
  gtk_widget_set_visible (self->pending_title, n_pending > 0);
  gtk_widget_set_visible (self->pending_scroller, pending != NULL && pending->len > 0);
}

static void
on_popover_show (PosSyncIndicator *self)
{
  update (self);
  refresh_lists (self);
}

static gboolean
on_tick (gpointer user_data)
{
  PosSyncIndicator *self = user_data;

  /* ages and "offline since" move with the clock */
  update (self);
  return G_SOURCE_CONTINUE;
}

static void
on_changes (PosSyncIndicator *self)
{
  if (gtk_widget_get_visible (self->popover))
    refresh_lists (self);
}

void
pos_sync_indicator_set_engine (PosSyncIndicator *self,
                               PosSyncEngine    *engine,
                               PosDatabase      *db)
{
  static const char * const props[] = {
    "notify::state", "notify::pending", "notify::oldest-pending-ms", "notify::offline-since-ms",
    "notify::last-sync-ms", "notify::last-error", "notify::dead-letters",
  };

  g_return_if_fail (POS_IS_SYNC_INDICATOR (self));

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_set_object (&self->engine, engine);
  g_set_object (&self->db, db);
  if (engine == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    g_signal_connect_object (engine, props[i], G_CALLBACK (on_engine_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (engine, "notify::pending", G_CALLBACK (on_changes), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (engine, "notify::dead-letters", G_CALLBACK (on_changes), self, G_CONNECT_SWAPPED);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (30, on_tick, self);
  update (self);
}

void
pos_sync_indicator_popup (PosSyncIndicator *self)
{
  g_return_if_fail (POS_IS_SYNC_INDICATOR (self));

  gtk_menu_button_popup (GTK_MENU_BUTTON (self->button));
}

GtkWidget *
pos_sync_indicator_new (void)
{
  return g_object_new (POS_TYPE_SYNC_INDICATOR, NULL);
}

static void
pos_sync_indicator_dispose (GObject *object)
{
  PosSyncIndicator *self = POS_SYNC_INDICATOR (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->db);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (pos_sync_indicator_parent_class)->dispose (object);
}

static void
pos_sync_indicator_class_init (PosSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_sync_indicator_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, pill_label);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, state_title);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, detail_label);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, error_label);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, sync_now_button);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, enroll_button);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, dead_title);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, dead_scroller);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, dead_list);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, pending_title);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, pending_scroller);
  gtk_widget_class_bind_template_child (widget_class, PosSyncIndicator, pending_list);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);
}

static void
pos_sync_indicator_init (PosSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
