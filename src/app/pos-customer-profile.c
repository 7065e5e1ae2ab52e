/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "domain/pos-pickup.h"
#include "terminal/pos-customer-timeline.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-staff.h"

#include "pos-customer-editor.h"
#include "pos-customer-profile.h"
#include "pos-format.h"
#include "pos-return-dialog.h"
#include "pos-window.h"

/* The channels of the timeline filter, in the order of the drop-down
 * (after "All channels"): docs/sync-protocol.md §4. */
static const char * const timeline_channels[] = {
  "store", "web", "app", "marketplace", "call_centre", "chat", "email", "whatsapp",
};

struct _PosCustomerProfileView
{
  GtkWidget              parent_instance;

  PosDatabase           *db;
  PosDatabase           *timeline_db;      /* the timeline's own connection */
  char                  *customer_id;
  PosCustomerProfile    *profile;          /* as opened: contact data masked */
  PosCustomerProfile    *revealed;         /* in full, after Reveal */
  PosCustomerTimeline   *timeline;
  GtkSingleSelection    *timeline_selection;
  GCancellable          *load_cancellable;
  GCancellable          *cancellable;      /* reveal, details, editor; cancelled at dispose */
  gboolean               stale;            /* unmapped since the timeline was read */
  GtkWidget             *detail_window;    /* weak */
  GtkShortcutController *shortcuts;

  /* template */
  GtkStack              *main_stack;
  GtkSpinner            *spinner;
  AdwStatusPage         *error_page;
  AdwAvatar             *avatar;
  GtkLabel              *name_label;
  GtkLabel              *tier_label;
  GtkLabel              *figures_label;
  GtkLabel              *glance_label;
  GtkButton             *edit_button;
  GtkButton             *attach_button;
  GtkButton             *reveal_button;
  GtkListBox            *contact_list;
  GtkWidget             *notes_box;
  GtkListBox            *notes_list;
  GtkListBox            *consent_list;
  GtkWidget             *identities_box;
  GtkListBox            *identities_list;
  GtkDropDown           *channel_dropdown;
  GtkDropDown           *kind_dropdown;
  GtkStack              *timeline_stack;
  GtkListView           *timeline_view;
  AdwStatusPage         *timeline_empty;
  GtkLabel              *timeline_status;
};

G_DEFINE_FINAL_TYPE (PosCustomerProfileView, pos_customer_profile_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_ATTACH,
  SIGNAL_EDITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_timeline (PosCustomerProfileView *self);

/* ------------------------------------------------------------------ */
/* Helpers */

static void
view_toast (PosCustomerProfileView *self,
            const char             *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (POS_IS_WINDOW (root))
    {
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_timeout (toast, 6);
      pos_window_show_toast (POS_WINDOW (root), toast);
    }
  else
    g_message ("%s", text);
}

static GtkWindow *
view_window (PosCustomerProfileView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* unix ms as the date and time people read at the counter */
static char *
format_when (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  if (local == NULL)
    return g_strdup ("");
  /* Translators: a date and time in a customer's history (strftime) */
  return g_date_time_format (local, _("%d/%m/%Y %H:%M"));
}

static char *
format_day (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  if (local == NULL)
    return g_strdup ("");
  /* Translators: the last day a purchase can be returned (strftime) */
  return g_date_time_format (local, _("%d/%m"));
}

/* YYYY-MM-DD as the counter reads a birth date */
static char *
format_birth_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (iso);
  /* Translators: a birth date; %1$02d is the day, %2$02d the month, %3$04d the year */
  return g_strdup_printf (_("%1$02d/%2$02d/%3$04d"), d, m, y);
}

/* The channel's icon, or one the theme has (Debian 12's Adwaita has no
 * shopping cart). */
static const char *
channel_icon (GtkWidget  *widget,
              const char *channel)
{
  const char *name = pos_timeline_channel_icon (channel);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));

  if (name != NULL && gtk_icon_theme_has_icon (theme, name))
    return name;
  return g_strcmp0 (channel, "store") == 0 ? "mark-location-symbolic" : "dialog-information-symbolic";
}

/* A pickup order's state in the short words of the Pickups page. */
static const char *
pickup_state_word (const char *name)
{
  PosPickupState state;

  if (name == NULL || !pos_pickup_state_from_string (name, &state))
    return name;
  switch (state)
    {
    case POS_PICKUP_PLACED:              return _("New");
    case POS_PICKUP_ALLOCATED:           return _("New");
    case POS_PICKUP_PICKING:             return _("Being picked");
    case POS_PICKUP_READY_FOR_PICKUP:    return _("Ready");
    case POS_PICKUP_PICKED_UP:           return _("Collected");
    case POS_PICKUP_ON_HOLD:             return _("On hold");
    case POS_PICKUP_PARTIALLY_PICKED_UP: return _("Partly collected");
    case POS_PICKUP_NO_SHOW:             return _("No-show");
    case POS_PICKUP_EXPIRED:             return _("Expired");
    case POS_PICKUP_CANCELLED:           return _("Cancelled");
    case POS_PICKUP_N_STATES:
    default:                             return name;
    }
}

static const char *
consent_source_words (const char *source)
{
  if (source == NULL)
    return NULL;
  if (g_str_equal (source, "counter"))
    return _("at the counter");
  if (g_str_equal (source, "web"))
    return _("on the web shop");
  if (g_str_equal (source, "app"))
    return _("in the app");
  if (g_str_equal (source, "call_centre"))
    return _("by the call centre");
  return NULL;
}

/* A field and its value; a text (wrap) goes under its title. Data
 * people typed is never read as markup. */
static GtkWidget *
value_row (const char *title,
           const char *value,
           gboolean    wrap)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  if (wrap)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (row, "text-row");
      return row;
    }
  label = gtk_label_new (value != NULL && *value != '\0' ? value : "—");
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  if (value == NULL || *value == '\0')
    gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

/* ------------------------------------------------------------------ */
/* Showing the profile */

static void
show_header (PosCustomerProfileView *self)
{
  const PosCustomerProfile *p = self->profile;
  const char *currency = p->currency != NULL ? p->currency : "BRL";
  g_autofree char *credit = pos_format_money (p->store_credit, currency);
  g_autoptr(GString) figures = g_string_new (NULL);
  g_autoptr(GString) glance = g_string_new (NULL);

  gtk_label_set_text (self->name_label, p->name);
  adw_avatar_set_text (self->avatar, p->name);
  gtk_label_set_text (self->tier_label, p->loyalty_tier != NULL ? p->loyalty_tier : "");
  gtk_widget_set_visible (GTK_WIDGET (self->tier_label), p->loyalty_tier != NULL && *p->loyalty_tier != '\0');

  {
    g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, p->loyalty_points);

    /* TRANSLATORS: %s is a number of loyalty points */
    g_string_append_printf (figures, g_dngettext (GETTEXT_PACKAGE, "%s point", "%s points",
                                                  (gulong) MIN (MAX (p->loyalty_points, 0), G_MAXLONG)), n);
  }
  g_string_append (figures, " · ");
  g_string_append_printf (figures, _("Store credit %s"), credit);
  if (p->lifetime_spent != 0)
    {
      g_autofree char *spent = pos_format_money (p->lifetime_spent, currency);

      g_string_append (figures, " · ");
      g_string_append_printf (figures, _("Spent %s in all"), spent);
    }
  gtk_label_set_text (self->figures_label, figures->str);

  if (p->n_open_pickups > 0)
    g_string_append_printf (glance, g_dngettext (GETTEXT_PACKAGE, "%u open pickup order", "%u open pickup orders", p->n_open_pickups),
                            p->n_open_pickups);
  if (p->n_returnable > 0)
    {
      if (glance->len > 0)
        g_string_append (glance, " · ");
      g_string_append_printf (glance, g_dngettext (GETTEXT_PACKAGE, "%u purchase can still be returned here",
                                                   "%u purchases can still be returned here", p->n_returnable),
                              p->n_returnable);
    }
  if (p->created_at > 0)
    {
      g_autoptr(GDateTime) since = g_date_time_new_from_unix_local (p->created_at / 1000);
      /* Translators: when the customer was first registered (strftime), "Customer since 03/2021" */
      g_autofree char *when = since != NULL ? g_date_time_format (since, _("%m/%Y")) : NULL;

      if (when != NULL)
        {
          if (glance->len > 0)
            g_string_append (glance, " · ");
          g_string_append_printf (glance, _("Customer since %s"), when);
        }
    }
  gtk_label_set_text (self->glance_label, glance->str);
  gtk_widget_set_visible (GTK_WIDGET (self->glance_label), glance->len > 0);
}

static void
show_contact (PosCustomerProfileView *self)
{
  const PosCustomerProfile *p = self->revealed != NULL ? self->revealed : self->profile;
  g_autofree char *birth = format_birth_date (p->birth_date);
  gboolean can_reveal = pos_staff_current_can (self->db, POS_PERMISSION_REVEAL_CONTACT);

  clear_list (self->contact_list);
  gtk_list_box_append (self->contact_list, value_row (_("CPF"), p->cpf, FALSE));
  gtk_list_box_append (self->contact_list, value_row (_("Phone"), p->phone, FALSE));
  gtk_list_box_append (self->contact_list, value_row (_("E-mail"), p->email, FALSE));
  gtk_list_box_append (self->contact_list, value_row (_("Birth date"), birth, FALSE));
  gtk_list_box_append (self->contact_list, value_row (_("Loyalty card"), p->loyalty_card, FALSE));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.reveal", can_reveal);
  gtk_button_set_label (self->reveal_button, self->revealed != NULL ? _("_Hide") : _("_Reveal"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reveal_button),
                               !can_reveal ? _("Your role may not see contact data in full")
                               : self->revealed != NULL ? _("Mask the contact data again (Ctrl+I)")
                               : _("Show the contact data in full; this is written to the audit log (Ctrl+I)"));
}

static void
show_notes (PosCustomerProfileView *self)
{
  const PosCustomerProfile *p = self->profile;
  gboolean any = FALSE;

  clear_list (self->notes_list);
  if (p->preferences != NULL && *p->preferences != '\0')
    {
      gtk_list_box_append (self->notes_list, value_row (_("Preferences"), p->preferences, TRUE));
      any = TRUE;
    }
  if (p->notes != NULL && *p->notes != '\0')
    {
      gtk_list_box_append (self->notes_list, value_row (_("Notes"), p->notes, TRUE));
      any = TRUE;
    }
  gtk_widget_set_visible (self->notes_box, any);
}

static void
show_consents (PosCustomerProfileView *self)
{
  const PosCustomerProfile *p = self->profile;

  clear_list (self->consent_list);
  for (guint i = 0; p->consents != NULL && i < p->consents->len; i++)
    {
      const PosCustomerConsent *c = g_ptr_array_index (p->consents, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *state = gtk_label_new (NULL);
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pos_consent_channel_label (c->channel));
      switch (c->state)
        {
        case POS_CONSENT_GRANTED:
          gtk_label_set_text (GTK_LABEL (state), _("Yes"));
          gtk_widget_add_css_class (state, "consent-yes");
          break;
        case POS_CONSENT_DENIED:
          gtk_label_set_text (GTK_LABEL (state), _("No"));
          gtk_widget_add_css_class (state, "consent-no");
          break;
        case POS_CONSENT_UNKNOWN:
        default:
          gtk_label_set_text (GTK_LABEL (state), _("Not asked"));
          gtk_widget_add_css_class (state, "dim-label");
          break;
        }
      if (c->state != POS_CONSENT_UNKNOWN && c->recorded_at > 0)
        {
          g_autofree char *when = format_when (c->recorded_at);
          const char *where = consent_source_words (c->source);

          if (where != NULL)
            /* Translators: "Recorded at the counter on 12/03/2025 14:02" */
            subtitle = g_strdup_printf (_("Recorded %s on %s"), where, when);
          else
            /* Translators: "Recorded on 12/03/2025 14:02 (marketplace)": the source in brackets */
            subtitle = g_strdup_printf (_("Recorded on %s (%s)"), when, c->source != NULL ? c->source : "?");
        }
      if (subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->consent_list, row);
    }
}

static void
show_identities (PosCustomerProfileView *self)
{
  const PosCustomerProfile *p = self->profile;

  clear_list (self->identities_list);
  for (guint i = 0; p->identities != NULL && i < p->identities->len; i++)
    {
      const PosCustomerIdentity *id = g_ptr_array_index (p->identities, i);

      gtk_list_box_append (self->identities_list,
                           value_row (pos_timeline_channel_label (id->channel), id->external_id, FALSE));
    }
  gtk_widget_set_visible (self->identities_box, p->identities != NULL && p->identities->len > 0);
}

static void
show_profile (PosCustomerProfileView *self)
{
  show_header (self);
  show_contact (self);
  show_notes (self);
  show_consents (self);
  show_identities (self);
  show_timeline (self);
  gtk_stack_set_visible_child_name (self->main_stack, "profile");
}

/* ------------------------------------------------------------------ */
/* The timeline */

static void
event_setup (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             PosCustomerProfileView   *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *channel = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *channel_label = gtk_label_new (NULL);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *kind = gtk_label_new (NULL);
  GtkWidget *badges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *summary = gtk_label_new (NULL);
  GtkWidget *meta = gtk_label_new (NULL);
  GtkWidget *amount = gtk_label_new (NULL);

  gtk_widget_add_css_class (row, "timeline-row");
  gtk_widget_set_size_request (channel, 88, -1);
  gtk_widget_set_valign (channel, GTK_ALIGN_CENTER);
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 24);
  gtk_widget_add_css_class (channel_label, "caption");
  gtk_label_set_ellipsize (GTK_LABEL (channel_label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (channel), icon);
  gtk_box_append (GTK_BOX (channel), channel_label);

  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (kind), 0);
  gtk_widget_add_css_class (kind, "heading");
  gtk_box_append (GTK_BOX (top), kind);
  gtk_box_append (GTK_BOX (top), badges);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_ellipsize (GTK_LABEL (summary), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_label_set_ellipsize (GTK_LABEL (meta), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_widget_add_css_class (meta, "caption");
  gtk_widget_add_css_class (meta, "numeric");
  gtk_box_append (GTK_BOX (texts), top);
  gtk_box_append (GTK_BOX (texts), summary);
  gtk_box_append (GTK_BOX (texts), meta);

  gtk_widget_set_valign (amount, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (amount), 1);
  gtk_widget_add_css_class (amount, "numeric");
  gtk_widget_add_css_class (amount, "timeline-amount");

  gtk_box_append (GTK_BOX (row), channel);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_box_append (GTK_BOX (row), amount);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "channel", channel_label);
  g_object_set_data (G_OBJECT (row), "kind", kind);
  g_object_set_data (G_OBJECT (row), "badges", badges);
  g_object_set_data (G_OBJECT (row), "summary", summary);
  g_object_set_data (G_OBJECT (row), "meta", meta);
  g_object_set_data (G_OBJECT (row), "amount", amount);
  gtk_list_item_set_child (item, row);
}

static GtkWidget *
badge (const char *text,
       const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "timeline-badge");
  gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

/* The badges of an event: what still can be done about it. */
static void
add_badges (GtkBox           *box,
            PosTimelineEvent *event)
{
  const char *pickup = pos_timeline_event_get_open_pickup_state (event);
  gint64 until = pos_timeline_event_get_returnable_until (event);

  if (until > 0)
    {
      g_autofree char *day = format_day (until);
      g_autofree char *text = g_strdup_printf (_("Returnable until %s"), day);

      gtk_box_append (box, badge (text, "returnable"));
    }
  if (pickup != NULL)
    {
      /* Translators: a badge on an open pickup order, "Pickup: Ready" */
      g_autofree char *text = g_strdup_printf (_("Pickup: %s"), pickup_state_word (pickup));

      gtk_box_append (box, badge (text, g_str_equal (pickup, "READY_FOR_PICKUP") ? "pickup-ready" : "pickup"));
    }
  if (pos_timeline_event_get_local (event))
    gtk_box_append (box, badge (_("Not sent yet"), "local"));
}

static void
event_bind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            PosCustomerProfileView   *self)
{
  PosTimelineEvent *event = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  GtkWidget *badges = g_object_get_data (G_OBJECT (row), "badges");
  GtkWidget *amount = g_object_get_data (G_OBJECT (row), "amount");
  const char *channel = pos_timeline_event_get_channel (event);
  const char *store = pos_timeline_event_get_store_name (event);
  const char *summary = pos_timeline_event_get_summary (event);
  g_autofree char *when = format_when (pos_timeline_event_get_occurred_at (event));
  g_autofree char *meta = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *money = NULL;
  GtkWidget *child;

  gtk_image_set_from_icon_name (g_object_get_data (G_OBJECT (row), "icon"), channel_icon (row, channel));
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "channel"), pos_timeline_channel_label (channel));
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "kind"), pos_timeline_kind_label (pos_timeline_event_get_kind (event)));
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "summary"), summary != NULL ? summary : "");
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "summary"), summary != NULL && *summary != '\0');
  meta = store != NULL ? g_strdup_printf ("%s · %s", when, store) : g_strdup (when);
  gtk_label_set_text (g_object_get_data (G_OBJECT (row), "meta"), meta);

  if (pos_timeline_event_has_amount (event))
    {
      const char *currency = pos_timeline_event_get_currency (event);

      money = pos_format_money (pos_timeline_event_get_amount (event), currency != NULL ? currency : "BRL");
      gtk_label_set_text (GTK_LABEL (amount), money);
      if (pos_timeline_event_get_amount (event) < 0)
        gtk_widget_add_css_class (amount, "negative");
      else
        gtk_widget_remove_css_class (amount, "negative");
    }
  else
    gtk_label_set_text (GTK_LABEL (amount), "");

  while ((child = gtk_widget_get_first_child (badges)) != NULL)
    gtk_box_remove (GTK_BOX (badges), child);
  add_badges (GTK_BOX (badges), event);

  a11y = g_strdup_printf ("%s, %s, %s, %s%s%s", pos_timeline_channel_label (channel),
                          pos_timeline_kind_label (pos_timeline_event_get_kind (event)),
                          summary != NULL ? summary : "", meta,
                          money != NULL ? ", " : "", money != NULL ? money : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (row)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void
update_timeline_state (PosCustomerProfileView *self)
{
  guint n;
  const GError *error;
  g_autofree char *status = NULL;

  if (self->timeline == NULL)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->timeline));
  error = pos_customer_timeline_get_error (self->timeline);
  if (error != NULL)
    {
      g_warning ("Reading the timeline: %s", error->message);
      status = g_strdup (error->message);
    }
  else if (gtk_drop_down_get_selected (self->channel_dropdown) > 0 ||
           gtk_drop_down_get_selected (self->kind_dropdown) > 0)
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event shown (filtered)", "%u events shown (filtered)", n), n);
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event, newest first. Enter or a click opens its detail.",
                                           "%u events, newest first. Enter or a click opens the detail.", n),
                              n);
  gtk_label_set_text (self->timeline_status, status);
  gtk_widget_set_visible (GTK_WIDGET (self->timeline_status), n > 0 || error != NULL);

  if (n > 0)
    gtk_stack_set_visible_child_name (self->timeline_stack, "list");
  else
    {
      adw_status_page_set_description (self->timeline_empty,
                                       gtk_drop_down_get_selected (self->channel_dropdown) > 0 ||
                                       gtk_drop_down_get_selected (self->kind_dropdown) > 0
                                         ? _("Nothing of this channel or kind. Choose “All” in the filters to see everything.")
                                         : _("Purchases, online orders, pickups and conversations in every channel will show here."));
      gtk_stack_set_visible_child_name (self->timeline_stack, "empty");
    }
}

static void
apply_filter (PosCustomerProfileView *self)
{
  guint channel = gtk_drop_down_get_selected (self->channel_dropdown);
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);

  if (self->timeline == NULL)
    return;
  pos_customer_timeline_set_filter (self->timeline,
                                    channel > 0 && channel <= G_N_ELEMENTS (timeline_channels)
                                      ? timeline_channels[channel - 1] : NULL,
                                    kind <= POS_TIMELINE_KIND_INTERACTIONS ? (PosTimelineKindGroup) kind
                                                                           : POS_TIMELINE_KIND_ALL);
  update_timeline_state (self);
}

static void
on_filter_changed (PosCustomerProfileView *self)
{
  apply_filter (self);
}

static gboolean
ensure_timeline_db (PosCustomerProfileView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->timeline_db != NULL)
    return TRUE;
  /* its own connection: the model reads its pages on this thread */
  self->timeline_db = pos_database_open (pos_database_get_path (self->db), &error);
  if (self->timeline_db == NULL)
    {
      g_warning ("Opening the database for the timeline: %s", error->message);
      gtk_label_set_text (self->timeline_status, error->message);
      return FALSE;
    }
  return TRUE;
}

static void
show_timeline (PosCustomerProfileView *self)
{
  if (self->profile->processing_restricted)
    {
      g_clear_object (&self->timeline);
      gtk_single_selection_set_model (self->timeline_selection, NULL);
      gtk_stack_set_visible_child_name (self->timeline_stack, "restricted");
      gtk_label_set_text (self->timeline_status, "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->channel_dropdown), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->kind_dropdown), FALSE);
      return;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->channel_dropdown), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_dropdown), TRUE);

  if (self->timeline == NULL && ensure_timeline_db (self))
    {
      self->timeline = pos_customer_timeline_new (self->timeline_db, self->profile->id);
      apply_filter (self);
      gtk_single_selection_set_model (self->timeline_selection, G_LIST_MODEL (self->timeline));
    }
  else if (self->timeline != NULL)
    pos_customer_timeline_reload (self->timeline);
  self->stale = FALSE;
  update_timeline_state (self);
}

/* ------------------------------------------------------------------ */
/* Loading, off the UI thread (opening a profile writes its audit row) */

typedef struct {
  PosDatabase *owner;
  char        *id;
  gboolean     reveal;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->owner);
  g_free (job->id);
  g_free (job);
}

static void
load_worker (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_acquire_worker (job->owner, &error);
  PosCustomerProfile *profile = NULL;

  if (db != NULL)
    {
      profile = pos_customers_open_profile (db, job->id, job->reveal, &error);
      pos_database_release_worker (job->owner, db);
    }
  if (profile == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, profile, (GDestroyNotify) pos_customer_profile_free);
}

static void
run_load (PosCustomerProfileView *self,
          const char             *id,
          gboolean                reveal,
          GCancellable           *cancellable,
          GAsyncReadyCallback     callback)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, g_object_ref (self));
  LoadJob *job = g_new0 (LoadJob, 1);

  job->owner = g_object_ref (self->db);
  job->id = g_strdup (id);
  job->reveal = reveal;
  g_task_set_source_tag (task, run_load);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  g_task_run_in_thread (task, load_worker);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PosCustomerProfileView) self = user_data;
  g_autoptr(GError) error = NULL;
  PosCustomerProfile *profile = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_spinner_stop (self->spinner);
  if (profile == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "error");
      return;
    }

  /* a merged customer's id leads to the survivor */
  if (g_strcmp0 (self->customer_id, profile->id) != 0)
    {
      g_free (self->customer_id);
      self->customer_id = g_strdup (profile->id);
    }
  g_clear_pointer (&self->profile, pos_customer_profile_free);
  g_clear_pointer (&self->revealed, pos_customer_profile_free);
  self->profile = profile;
  show_profile (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->attach_button));
}

static void
on_revealed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PosCustomerProfileView) self = user_data;
  g_autoptr(GError) error = NULL;
  PosCustomerProfile *profile = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (profile == NULL)
    {
      view_toast (self, error->message);
      return;
    }
  if (g_strcmp0 (profile->id, self->customer_id) != 0)
    {
      pos_customer_profile_free (profile);
      return;
    }
  g_clear_pointer (&self->revealed, pos_customer_profile_free);
  self->revealed = profile;
  show_contact (self);
}

void
pos_customer_profile_view_load (PosCustomerProfileView *self,
                                const char             *customer_id)
{
  g_return_if_fail (POS_IS_CUSTOMER_PROFILE_VIEW (self));
  g_return_if_fail (customer_id != NULL);

  pos_customer_profile_view_clear (self);
  self->customer_id = g_strdup (customer_id);
  self->load_cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  run_load (self, customer_id, FALSE, self->load_cancellable, on_loaded);
}

void
pos_customer_profile_view_refresh (PosCustomerProfileView *self)
{
  g_autoptr(PosCustomerSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (POS_IS_CUSTOMER_PROFILE_VIEW (self));

  if (self->profile == NULL)
    return;
  /* The figures again by the customer's key (no new 'customer.view': the
   * clerk did not open the profile again), and the timeline. */
  summary = pos_customers_get (self->db, self->profile->id, &error);
  if (summary == NULL)
    {
      if (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND))
        {
          /* erased or merged away while it was shown */
          g_autofree char *id = g_strdup (self->profile->id);

          pos_customer_profile_view_load (self, id);
        }
      else
        g_warning ("Refreshing the profile: %s", error->message);
      return;
    }
  g_free (self->profile->name);
  self->profile->name = g_strdup (summary->name);
  self->profile->loyalty_points = summary->loyalty_points;
  self->profile->store_credit = summary->store_credit;
  show_header (self);
  show_timeline (self);
}

void
pos_customer_profile_view_clear (PosCustomerProfileView *self)
{
  g_return_if_fail (POS_IS_CUSTOMER_PROFILE_VIEW (self));

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->detail_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->detail_window));
  g_clear_pointer (&self->customer_id, g_free);
  g_clear_pointer (&self->profile, pos_customer_profile_free);
  g_clear_pointer (&self->revealed, pos_customer_profile_free);
  gtk_single_selection_set_model (self->timeline_selection, NULL);
  g_clear_object (&self->timeline);
  /* a new customer starts with every channel and kind */
  g_signal_handlers_block_by_func (self->channel_dropdown, on_filter_changed, self);
  g_signal_handlers_block_by_func (self->kind_dropdown, on_filter_changed, self);
  gtk_drop_down_set_selected (self->channel_dropdown, 0);
  gtk_drop_down_set_selected (self->kind_dropdown, 0);
  g_signal_handlers_unblock_by_func (self->channel_dropdown, on_filter_changed, self);
  g_signal_handlers_unblock_by_func (self->kind_dropdown, on_filter_changed, self);
  clear_list (self->contact_list);
}

const char *
pos_customer_profile_view_get_customer_id (PosCustomerProfileView *self)
{
  g_return_val_if_fail (POS_IS_CUSTOMER_PROFILE_VIEW (self), NULL);
  return self->profile != NULL ? self->profile->id : self->customer_id;
}

void
pos_customer_profile_view_set_database (PosCustomerProfileView *self,
                                        PosDatabase            *db)
{
  g_return_if_fail (POS_IS_CUSTOMER_PROFILE_VIEW (self));
  g_return_if_fail (POS_IS_DATABASE (db));

  g_set_object (&self->db, db);
}

/* ------------------------------------------------------------------ */
/* An event's detail */

typedef struct {
  PosDatabase *owner;
  char        *event_id;
} DetailJob;

static void
detail_job_free (DetailJob *job)
{
  g_clear_object (&job->owner);
  g_free (job->event_id);
  g_free (job);
}

static void
detail_worker (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DetailJob *job = task_data;
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_acquire_worker (job->owner, &error);
  PosEventDetail *detail = NULL;

  if (db != NULL)
    {
      detail = pos_customers_event_detail (db, job->event_id, &error);
      pos_database_release_worker (job->owner, db);
    }
  if (detail == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, detail, (GDestroyNotify) pos_event_detail_free);
}

static void
on_reprint_clicked (GtkButton              *button,
                    PosCustomerProfileView *self)
{
  const char *sale_id = g_object_get_data (G_OBJECT (button), "sale-id");

  /* the window prints (a copy, "2ª VIA") on the receipt printer */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.print-receipt", "(sbb)", sale_id, TRUE, FALSE);
  view_toast (self, _("A copy of the receipt was sent to the printer."));
}

static void
on_return_committed (PosReturnDialog        *dialog,
                     const char             *return_id,
                     const char             *return_number,
                     PosCustomerProfileView *self)
{
  pos_customer_profile_view_refresh (self);
}

static void
on_return_clicked (GtkButton              *button,
                   PosCustomerProfileView *self)
{
  const char *sale_id = g_object_get_data (G_OBJECT (button), "sale-id");
  GtkWidget *detail = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (button)));
  GtkLabel *problem = g_object_get_data (G_OBJECT (detail), "problem");
  g_autoptr(GError) error = NULL;
  PosReturnDialog *dialog = pos_return_dialog_new (view_window (self), self->db, sale_id, &error);

  if (dialog == NULL)
    {
      /* nothing left to return, or not this terminal's */
      gtk_label_set_text (problem, error->message);
      gtk_widget_set_visible (GTK_WIDGET (problem), TRUE);
      gtk_widget_error_bell (detail);
      return;
    }
  g_signal_connect_object (dialog, "committed", G_CALLBACK (on_return_committed), self, 0);
  gtk_window_destroy (GTK_WINDOW (detail));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_pickup_clicked (GtkButton              *button,
                   PosCustomerProfileView *self)
{
  const char *order_id = g_object_get_data (G_OBJECT (button), "order-id");
  GtkWidget *detail = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (button)));

  gtk_window_destroy (GTK_WINDOW (detail));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.open-pickup", "s", order_id);
}

static GtkWidget *
detail_button (const char *label,
               GCallback   callback,
               gpointer    self,
               const char *key,
               const char *value)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  g_object_set_data_full (G_OBJECT (button), key, g_strdup (value), g_free);
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

static void
show_detail (PosCustomerProfileView *self,
             PosTimelineEvent       *event,
             const PosEventDetail   *detail)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *title = gtk_label_new (detail->title);
  GtkWidget *badges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *problem = gtk_label_new (NULL);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *close = gtk_button_new_with_mnemonic (_("_Close"));
  GtkWidget *first = NULL;
  GtkEventController *shortcuts;
  g_autofree char *window_title = g_strdup_printf ("%s · %s",
                                                   pos_timeline_kind_label (pos_timeline_event_get_kind (event)),
                                                   pos_timeline_channel_label (pos_timeline_event_get_channel (event)));

  if (self->detail_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->detail_window));

  gtk_window_set_title (GTK_WINDOW (window), window_title);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), view_window (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 520);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_box_append (GTK_BOX (box), header);

  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);

  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "title-3");
  gtk_box_append (GTK_BOX (content), title);
  if (detail->subtitle != NULL)
    {
      GtkWidget *subtitle = gtk_label_new (detail->subtitle);

      gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
      gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
      gtk_widget_add_css_class (subtitle, "dim-label");
      gtk_box_append (GTK_BOX (content), subtitle);
    }
  add_badges (GTK_BOX (badges), event);
  if (gtk_widget_get_first_child (badges) != NULL)
    gtk_box_append (GTK_BOX (content), badges);

  if (detail->lines != NULL && detail->lines->len > 0)
    {
      GtkWidget *lines = gtk_list_box_new ();

      gtk_list_box_set_selection_mode (GTK_LIST_BOX (lines), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (lines, "boxed-list");
      for (guint i = 0; i < detail->lines->len; i++)
        {
          GtkWidget *line = gtk_label_new (g_ptr_array_index (detail->lines, i));

          gtk_label_set_xalign (GTK_LABEL (line), 0);
          gtk_label_set_wrap (GTK_LABEL (line), TRUE);
          gtk_widget_add_css_class (line, "numeric");
          gtk_widget_add_css_class (line, "detail-line");
          gtk_list_box_append (GTK_LIST_BOX (lines), line);
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (lines), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lines"), -1);
      gtk_box_append (GTK_BOX (content), lines);
    }
  if (detail->body != NULL && *detail->body != '\0')
    {
      GtkWidget *body = gtk_label_new (detail->body);

      gtk_label_set_wrap (GTK_LABEL (body), TRUE);
      gtk_label_set_xalign (GTK_LABEL (body), 0);
      gtk_label_set_selectable (GTK_LABEL (body), TRUE);
      gtk_widget_add_css_class (body, "card");
      gtk_widget_add_css_class (body, "detail-body");
      gtk_box_append (GTK_BOX (content), body);
    }

  gtk_label_set_wrap (GTK_LABEL (problem), TRUE);
  gtk_label_set_xalign (GTK_LABEL (problem), 0);
  gtk_widget_add_css_class (problem, "error");
  gtk_widget_set_visible (problem, FALSE);
  gtk_box_append (GTK_BOX (content), problem);
  g_object_set_data (G_OBJECT (window), "problem", problem);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);

  gtk_widget_set_margin_start (buttons, 18);
  gtk_widget_set_margin_end (buttons, 18);
  gtk_widget_set_margin_top (buttons, 6);
  gtk_widget_set_margin_bottom (buttons, 18);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  if (detail->pickup_order_id != NULL)
    {
      first = detail_button (_("Open in _Pickups"), G_CALLBACK (on_pickup_clicked), self,
                             "order-id", detail->pickup_order_id);
      gtk_widget_set_tooltip_text (first, _("Show the order on the Pickups page, with its handover when it is ready"));
      gtk_box_append (GTK_BOX (buttons), first);
    }
  if (detail->sale_id != NULL)
    {
      GtkWidget *reprint = detail_button (_("_Reprint Receipt"), G_CALLBACK (on_reprint_clicked), self,
                                          "sale-id", detail->sale_id);
      GtkWidget *ret = detail_button (_("Return _Items…"), G_CALLBACK (on_return_clicked), self,
                                      "sale-id", detail->sale_id);

      gtk_widget_set_tooltip_text (reprint, _("Print a copy (2ª VIA) on the receipt printer"));
      gtk_box_append (GTK_BOX (buttons), reprint);
      gtk_box_append (GTK_BOX (buttons), ret);
      if (first == NULL)
        first = pos_timeline_event_get_returnable_until (event) > 0 ? ret : reprint;
    }
  g_signal_connect_swapped (close, "clicked", G_CALLBACK (gtk_window_destroy), window);
  gtk_box_append (GTK_BOX (buttons), close);
  gtk_box_append (GTK_BOX (box), buttons);

  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, shortcuts);

  adw_window_set_content (ADW_WINDOW (window), box);
  self->detail_window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->detail_window);
  /* the keyboard on the first thing to do, not on a text */
  gtk_window_set_focus (GTK_WINDOW (window), first != NULL ? first : close);
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_detail_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PosCustomerProfileView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosEventDetail) detail = g_task_propagate_pointer (G_TASK (result), &error);
  PosTimelineEvent *event = g_object_get_data (G_OBJECT (result), "event");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (detail == NULL)
    {
      view_toast (self, error->message);
      return;
    }
  if (self->profile == NULL)
    return;
  show_detail (self, event, detail);
}

static void
on_event_activate (PosCustomerProfileView *self,
                   guint                   position)
{
  g_autoptr(PosTimelineEvent) event = NULL;
  g_autoptr(GTask) task = NULL;
  DetailJob *job;

  if (self->timeline == NULL ||
      (event = g_list_model_get_item (G_LIST_MODEL (self->timeline), position)) == NULL)
    return;

  job = g_new0 (DetailJob, 1);
  job->owner = g_object_ref (self->db);
  job->event_id = g_strdup (pos_timeline_event_get_id (event));
  task = g_task_new (NULL, self->cancellable, on_detail_loaded, g_object_ref (self));
  g_task_set_source_tag (task, on_event_activate);
  g_task_set_task_data (task, job, (GDestroyNotify) detail_job_free);
  g_object_set_data_full (G_OBJECT (task), "event", g_steal_pointer (&event), g_object_unref);
  g_task_run_in_thread (task, detail_worker);
}

/* ------------------------------------------------------------------ */
/* Actions */

static void
action_attach (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (widget);

  if (self->profile == NULL)
    return;
  g_signal_emit (self, signals[SIGNAL_ATTACH], 0, self->profile->id);
}

static void
action_reveal (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (widget);

  if (self->profile == NULL)
    return;
  if (self->revealed != NULL)
    {
      g_clear_pointer (&self->revealed, pos_customer_profile_free);
      show_contact (self);
      return;
    }
  /* the engine checks the role and writes 'customer.reveal' */
  run_load (self, self->profile->id, TRUE, self->cancellable, on_revealed);
}

static void
on_editor_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PosCustomerProfileView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pos_customer_editor_run_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      view_toast (self, error->message);
      return;
    }
  if (id == NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->edit_button));
      return;
    }
  if (self->profile != NULL && g_str_equal (id, self->profile->id))
    {
      view_toast (self, _("Customer saved"));
      /* what was saved, shown as the engine keeps it */
      pos_customer_profile_view_load (self, id);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_EDITED], 0, id);
}

static void
action_edit (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (widget);

  if (self->profile == NULL)
    return;
  pos_customer_editor_run_async (view_window (self), self->db,
                                 self->revealed != NULL ? self->revealed : self->profile,
                                 NULL, self->cancellable, on_editor_done, g_object_ref (self));
}

static void
action_timeline (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (widget);

  if (self->timeline == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->timeline)) == 0)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  if (gtk_single_selection_get_selected (self->timeline_selection) == GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->timeline_selection, 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline_view));
}

/* ------------------------------------------------------------------ */

static void
pos_customer_profile_view_map (GtkWidget *widget)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (widget);

  GTK_WIDGET_CLASS (pos_customer_profile_view_parent_class)->map (widget);
  /* back from a sale made to the customer, or someone else signed in */
  if (self->profile != NULL)
    {
      show_contact (self);
      if (self->stale)
        pos_customer_profile_view_refresh (self);
    }
}

static void
pos_customer_profile_view_unmap (GtkWidget *widget)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (widget);

  /* contact data in full is not left on a screen nobody looks at (the lock,
   * another page) */
  g_clear_pointer (&self->revealed, pos_customer_profile_free);
  self->stale = TRUE;
  if (self->detail_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->detail_window));
  GTK_WIDGET_CLASS (pos_customer_profile_view_parent_class)->unmap (widget);
}

static void
add_shortcut (PosCustomerProfileView *self,
              guint                   key,
              GdkModifierType         mods,
              const char             *action)
{
  gtk_shortcut_controller_add_shortcut (self->shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (key, mods),
                                                          gtk_named_action_new (action)));
}

static void
pos_customer_profile_view_dispose (GObject *object)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_cancellable_cancel (self->cancellable);
  if (self->detail_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->detail_window));
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_CUSTOMER_PROFILE_VIEW);

  G_OBJECT_CLASS (pos_customer_profile_view_parent_class)->dispose (object);
}

static void
pos_customer_profile_view_finalize (GObject *object)
{
  PosCustomerProfileView *self = POS_CUSTOMER_PROFILE_VIEW (object);

  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->timeline_selection);
  g_clear_object (&self->timeline);
  g_clear_object (&self->timeline_db);
  g_clear_object (&self->db);
  g_clear_pointer (&self->customer_id, g_free);
  g_clear_pointer (&self->profile, pos_customer_profile_free);
  g_clear_pointer (&self->revealed, pos_customer_profile_free);

  G_OBJECT_CLASS (pos_customer_profile_view_parent_class)->finalize (object);
}

static void
pos_customer_profile_view_class_init (PosCustomerProfileViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_customer_profile_view_dispose;
  object_class->finalize = pos_customer_profile_view_finalize;
  widget_class->map = pos_customer_profile_view_map;
  widget_class->unmap = pos_customer_profile_view_unmap;

  signals[SIGNAL_ATTACH] = g_signal_new ("attach", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_EDITED] = g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-customer-profile.ui");
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, spinner);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, error_page);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, avatar);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, name_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, tier_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, figures_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, glance_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, edit_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, attach_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, reveal_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, contact_list);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, notes_box);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, notes_list);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, consent_list);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, identities_box);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, identities_list);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, timeline_stack);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, timeline_view);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, timeline_empty);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerProfileView, timeline_status);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_event_activate);

  gtk_widget_class_install_action (widget_class, "profile.attach", NULL, action_attach);
  gtk_widget_class_install_action (widget_class, "profile.edit", NULL, action_edit);
  gtk_widget_class_install_action (widget_class, "profile.reveal", NULL, action_reveal);
  gtk_widget_class_install_action (widget_class, "profile.timeline", NULL, action_timeline);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "customerprofile");
}

static void
pos_customer_profile_view_init (PosCustomerProfileView *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkStringList) channels = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  gtk_string_list_append (channels, _("All channels"));
  for (guint i = 0; i < G_N_ELEMENTS (timeline_channels); i++)
    gtk_string_list_append (channels, pos_timeline_channel_label (timeline_channels[i]));
  gtk_drop_down_set_model (self->channel_dropdown, G_LIST_MODEL (channels));
  /* in the order of PosTimelineKindGroup */
  gtk_string_list_append (kinds, _("Everything"));
  gtk_string_list_append (kinds, _("Purchases and returns"));
  gtk_string_list_append (kinds, _("Online orders"));
  gtk_string_list_append (kinds, _("Calls, chats and messages"));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));

  self->timeline_selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->timeline_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->timeline_selection, TRUE);
  gtk_list_view_set_model (self->timeline_view, GTK_SELECTION_MODEL (self->timeline_selection));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (event_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (event_bind), self);
  gtk_list_view_set_factory (self->timeline_view, factory);

  self->shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_set_scope (self->shortcuts, GTK_SHORTCUT_SCOPE_GLOBAL);
  add_shortcut (self, GDK_KEY_Return, GDK_CONTROL_MASK, "profile.attach");
  add_shortcut (self, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "profile.attach");
  add_shortcut (self, GDK_KEY_e, GDK_CONTROL_MASK, "profile.edit");
  add_shortcut (self, GDK_KEY_i, GDK_CONTROL_MASK, "profile.reveal");
  add_shortcut (self, GDK_KEY_t, GDK_CONTROL_MASK, "profile.timeline");
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->shortcuts));

  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
}
