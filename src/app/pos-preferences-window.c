/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-json.h"
#include "domain/pos-pin.h"
#include "terminal/pos-loyalty.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"

#include "pos-format.h"
#include "pos-preferences-window.h"

/* Defaults of the counter settings (the engine's, see issue 8's plan):
 * used when the setting was never written. */
#define DEFAULT_PIN_LOCKOUT_MINUTES     5
#define MAX_MINUTES                     1440

typedef struct {
  const char   *title;
  PosPermission permissions[4];
  guint         n;
} PermissionArea;

static const PermissionArea areas[] = {
  { N_("Sales"), { POS_PERMISSION_REFUND, POS_PERMISSION_VOID_SALE,
                   POS_PERMISSION_PRICE_OVERRIDE, POS_PERMISSION_DISCOUNT_ABOVE_LIMIT }, 4 },
  { N_("Cash and Shifts"), { POS_PERMISSION_NO_SALE, POS_PERMISSION_CASH_IN_OUT,
                             POS_PERMISSION_CLOSE_SHIFT, POS_PERMISSION_COUNT_DIFFERENCE }, 4 },
  { N_("Customers"), { POS_PERMISSION_REVEAL_CONTACT }, 1 },
  { N_("Administration"), { POS_PERMISSION_CHANGE_SETTINGS, POS_PERMISSION_MANAGE_STAFF,
                            POS_PERMISSION_VIEW_AUDIT, POS_PERMISSION_MANAGE_SYNC }, 4 },
};

struct _PosPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  PosDatabase  *db;
  char         *currency;
  GPtrArray    *staff_rows;          /* rows in people_group */
  GtkWidget    *checks[POS_N_PERMISSIONS][POS_N_ROLES];
  gboolean      updating;            /* setting widgets from the database */
  guint         unlock_timeout_id;   /* reload when a lockout ends */

  /* template */
  AdwPreferencesPage  *staff_page;
  AdwPreferencesGroup *people_group;
  GtkWidget           *add_person_button;
  AdwPreferencesGroup *counter_group;
  AdwEntryRow         *discount_row;
  AdwEntryRow         *difference_row;
  AdwEntryRow         *idle_row;
  AdwEntryRow         *lockout_row;
  AdwPreferencesPage  *permissions_page;

  /* Loyalty points (docs/loyalty.md), built in code on the staff page */
  AdwPreferencesGroup *loyalty_group;
  AdwEntryRow         *earn_unit_row;
  AdwEntryRow         *point_value_row;
  AdwEntryRow         *min_redeem_row;
  AdwActionRow        *loyalty_summary_row;
};

G_DEFINE_FINAL_TYPE (PosPreferencesWindow, pos_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void prefs_load_staff (PosPreferencesWindow *self);
static void prefs_load_loyalty (PosPreferencesWindow *self);

static void
prefs_toast (PosPreferencesWindow *self,
             const char           *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static char *
format_clock (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_ms / 1000);

  return dt != NULL ? g_date_time_format (dt, "%H:%M") : g_strdup ("—");
}

/* ------------------------------------------------------------------ */
/* Counter settings */

static gint64
setting_int (PosDatabase *db,
             const char  *key,
             gint64       fallback)
{
  g_autofree char *text = pos_database_get_setting (db, key);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    return fallback;
  return value;
}

/* Writes a counter setting: the signed-in person needs change_settings;
 * the change and its audit row ('settings.change', data {key, old, new})
 * are one transaction. Unchanged values write nothing. */
static gboolean
write_setting (PosDatabase *db,
               const char  *key,
               const char  *value,
               GError     **error)
{
  g_autofree char *old = NULL;
  g_autofree char *what = g_strdup_printf ("setting:%s", key);
  g_autofree char *data = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  if (!pos_database_begin (db, error))
    return FALSE;
  if (!pos_staff_authorize (db, POS_PERMISSION_CHANGE_SETTINGS, NULL, what, NULL, error))
    goto fail;
  old = pos_database_get_setting (db, key);
  if (g_strcmp0 (old, value) == 0)
    {
      pos_database_rollback (db);
      return TRUE;
    }

  json_builder_begin_object (b);
  pos_json_add_string (b, "key", key);
  pos_json_add_string (b, "old", old);
  pos_json_add_string (b, "new", value);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  data = json_to_string (node, FALSE);

  if (!pos_database_set_setting (db, key, value, error) ||
      !pos_database_audit (db, "settings.change", "setting", key, NULL, data, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}

static char *
format_percent (gint64 bp)
{
  if (bp % 100 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, bp / 100);
  if (bp % 10 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, bp / 100, (bp % 100) / 10);
  return g_strdup_printf ("%" G_GINT64_FORMAT ",%02" G_GINT64_FORMAT, bp / 100, bp % 100);
}

static void
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* The rule's rows and, in words, what it means now. */
static void
prefs_load_loyalty (PosPreferencesWindow *self)
{
  PosLoyaltyRule rule;
  g_autofree char *earn = NULL;
  g_autofree char *value = NULL;
  g_autofree char *min = NULL;
  g_autofree char *summary = NULL;

  if (self->loyalty_group == NULL)
    return;
  pos_loyalty_get_rule (self->db, &rule);
  earn = pos_format_money (rule.earn_unit, self->currency);
  value = pos_format_money (rule.point_value, self->currency);
  min = g_strdup_printf ("%" G_GINT64_FORMAT, rule.min_redeem);

  self->updating = TRUE;
  set_row_text (self->earn_unit_row, earn);
  set_row_text (self->point_value_row, value);
  set_row_text (self->min_redeem_row, min);
  self->updating = FALSE;

  if (!pos_loyalty_rule_is_on (&rule))
    summary = g_strdup (_("The programme is off: sales earn no points, points cannot pay and receipts do not show them."));
  else
    {
      g_autofree char *min_worth = pos_format_money (rule.min_redeem * rule.point_value, self->currency);

      /* TRANSLATORS: "Now: 1 point for every R$ 1,00 paid; each point pays R$ 0,05, from 100 points (R$ 5,00) up." */
      summary = g_strdup_printf (_("Now: 1 point for every %s paid; each point pays %s, from %s points (%s) up."),
                                 earn, value, min, min_worth);
    }
  adw_action_row_set_subtitle (self->loyalty_summary_row, summary);
}

static void
prefs_load_settings (PosPreferencesWindow *self)
{
  g_autofree char *discount = format_percent (pos_sales_get_discount_limit_bp (self->db));
  g_autofree char *difference = pos_format_money (pos_shifts_get_difference_limit (self->db),
                                                  self->currency);
  g_autofree char *idle = g_strdup_printf ("%" G_GINT64_FORMAT,
                                           (setting_int (self->db, "lock_idle_seconds", POS_LOCK_IDLE_SECONDS_DEFAULT) + 59) / 60);
  g_autofree char *lockout = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              setting_int (self->db, "pin_lockout_minutes", DEFAULT_PIN_LOCKOUT_MINUTES));

  self->updating = TRUE;
  set_row_text (self->discount_row, discount);
  set_row_text (self->difference_row, difference);
  set_row_text (self->idle_row, idle);
  set_row_text (self->lockout_row, lockout);
  self->updating = FALSE;
  prefs_load_loyalty (self);
}

/* Saves a parsed value (or says what is wrong with the text), then shows
 * what the database holds. */
static void
apply_setting (PosPreferencesWindow *self,
               AdwEntryRow          *row,
               const char           *key,
               gboolean              parsed,
               gint64                value,
               const char           *invalid_message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!parsed)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      prefs_toast (self, invalid_message);
      return;
    }
  text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
  if (!write_setting (self->db, key, text, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      prefs_toast (self, error->message);
      return;
    }
  prefs_load_settings (self);
  prefs_toast (self, _("Saved."));
}

static gboolean
parse_minutes (const char *text,
               gint64      min,
               gint64     *out)
{
  g_autofree char *s = g_strstrip (g_strdup (text));

  return g_ascii_string_to_signed (s, 10, min, MAX_MINUTES, out, NULL);
}

static void
on_discount_apply (PosPreferencesWindow *self,
                   AdwEntryRow          *row)
{
  gint64 bp = 0;
  gboolean ok = pos_format_parse_percent (gtk_editable_get_text (GTK_EDITABLE (row)), &bp);

  apply_setting (self, row, "discount_limit_bp", ok, bp,
                 _("The discount limit is a percent from 0,01 to 100, like “10” or “12,5”."));
}

static void
on_difference_apply (PosPreferencesWindow *self,
                     AdwEntryRow          *row)
{
  gint64 minor = 0;
  gboolean ok = pos_format_parse_money (gtk_editable_get_text (GTK_EDITABLE (row)), self->currency, &minor, NULL);

  apply_setting (self, row, "count_difference_limit", ok && minor >= 0, minor,
                 _("The count difference limit is an amount of money, like “10,00”."));
}

static void
on_idle_apply (PosPreferencesWindow *self,
               AdwEntryRow          *row)
{
  gint64 minutes = 0;
  gboolean ok = parse_minutes (gtk_editable_get_text (GTK_EDITABLE (row)), 1, &minutes);

  apply_setting (self, row, "lock_idle_seconds", ok, minutes * 60,
                 _("The screen locks after 1 to 1440 minutes without use."));
}

static void
on_lockout_apply (PosPreferencesWindow *self,
                  AdwEntryRow          *row)
{
  gint64 minutes = 0;
  gboolean ok = parse_minutes (gtk_editable_get_text (GTK_EDITABLE (row)), 1, &minutes);

  apply_setting (self, row, "pin_lockout_minutes", ok, minutes,
                 _("A lockout lasts 1 to 1440 minutes."));
}

static void
on_setting_row_changed (AdwEntryRow *row)
{
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
on_earn_unit_apply (PosPreferencesWindow *self,
                    AdwEntryRow          *row)
{
  gint64 minor = 0;
  gboolean ok = pos_format_parse_money (gtk_editable_get_text (GTK_EDITABLE (row)), self->currency, &minor, NULL);

  apply_setting (self, row, POS_LOYALTY_SETTING_EARN_UNIT,
                 ok && minor >= 0 && minor <= POS_LOYALTY_MAX_SETTING, minor,
                 _("Type the amount that earns 1 point, like “1,00”, or 0 to turn the programme off."));
}

static void
on_point_value_apply (PosPreferencesWindow *self,
                      AdwEntryRow          *row)
{
  gint64 minor = 0;
  gboolean ok = pos_format_parse_money (gtk_editable_get_text (GTK_EDITABLE (row)), self->currency, &minor, NULL);

  apply_setting (self, row, POS_LOYALTY_SETTING_POINT_VALUE,
                 ok && minor >= 1 && minor <= POS_LOYALTY_MAX_SETTING, minor,
                 _("Type what one point is worth when it pays, like “0,05” (more than zero)."));
}

static void
on_min_redeem_apply (PosPreferencesWindow *self,
                     AdwEntryRow          *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  gint64 points = 0;
  gboolean ok = g_ascii_string_to_signed (text, 10, 0, POS_LOYALTY_MAX_SETTING, &points, NULL);

  apply_setting (self, row, POS_LOYALTY_SETTING_MIN_REDEEM, ok, points,
                 _("Type the fewest points a sale may pay with, like “100” (0: no minimum)."));
}

static AdwEntryRow *
loyalty_row (PosPreferencesWindow *self,
             const char           *title,
             GtkInputPurpose       purpose,
             GCallback             on_apply,
             gboolean              sensitive)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_object_set (row, "input-purpose", purpose, NULL);
  gtk_widget_set_sensitive (row, sensitive);
  g_signal_connect_swapped (row, "apply", on_apply, self);
  g_signal_connect (row, "changed", G_CALLBACK (on_setting_row_changed), NULL);
  adw_preferences_group_add (self->loyalty_group, row);
  return ADW_ENTRY_ROW (row);
}

/* Loyalty points: the store's rule (docs/loyalty.md), on the staff page
 * under the counter's limits. */
static void
prefs_build_loyalty (PosPreferencesWindow *self,
                     gboolean              can_change)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *summary = adw_action_row_new ();

  self->loyalty_group = ADW_PREFERENCES_GROUP (group);
  adw_preferences_group_set_title (self->loyalty_group, _("Loyalty Points"));
  adw_preferences_group_set_description (self->loyalty_group,
      can_change
      ? _("A customer on the sale earns 1 point for each whole amount below paid with money (what is paid with "
          "points or store credit earns nothing), rounded down; 0 turns the programme off. A return takes back "
          "the points in proportion to what it refunds, and gives back the points it paid with. Press Enter or "
          "the check mark to save a value.")
      : _("A customer on the sale earns 1 point for each whole amount below paid with money, rounded down. "
          "Only someone allowed to change settings can change the rule."));
  adw_preferences_page_add (self->staff_page, self->loyalty_group);

  self->earn_unit_row = loyalty_row (self, _("Money that earns 1 point"), GTK_INPUT_PURPOSE_NUMBER,
                                     G_CALLBACK (on_earn_unit_apply), can_change);
  self->point_value_row = loyalty_row (self, _("What 1 point pays"), GTK_INPUT_PURPOSE_NUMBER,
                                       G_CALLBACK (on_point_value_apply), can_change);
  self->min_redeem_row = loyalty_row (self, _("Fewest points a sale may pay with"), GTK_INPUT_PURPOSE_DIGITS,
                                      G_CALLBACK (on_min_redeem_apply), can_change);

  self->loyalty_summary_row = ADW_ACTION_ROW (summary);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (summary), _("The rule"));
  adw_preferences_group_add (self->loyalty_group, summary);
}

/* ------------------------------------------------------------------ */
/* Add Person and Set PIN: a small modal window with a form */

typedef struct {
  PosPreferencesWindow *prefs;       /* ref */
  GtkWindow  *window;                /* owns this */
  char       *staff_id;              /* Set PIN: whose; NULL = Add Person */
  char       *staff_name;
  GtkWidget  *ok_button;
  GtkWidget  *cancel_button;
  GtkWidget  *spinner;
  GtkWidget  *form;
  GtkWidget  *error_label;
  GtkWidget  *name_row;
  GtkWidget  *code_row;
  GtkWidget  *role_row;
  GtkWidget  *pin_row;
  GtkWidget  *pin2_row;
  GtkWidget  *badge_row;
  gboolean    busy;
  gboolean    destroyed;             /* closed with the preferences */
} StaffForm;

static void
staff_form_free (StaffForm *f)
{
  g_clear_object (&f->prefs);
  g_free (f->staff_id);
  g_free (f->staff_name);
  g_free (f);
}

static const char *
row_text (GtkWidget *row)
{
  return row != NULL ? gtk_editable_get_text (GTK_EDITABLE (row)) : "";
}

static void
staff_form_error (StaffForm  *f,
                  const char *text,
                  GtkWidget  *row)
{
  gtk_label_set_text (GTK_LABEL (f->error_label), text);
  gtk_widget_set_visible (f->error_label, TRUE);
  if (row != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_grab_focus (row);
    }
}

static void
staff_form_clear_error (StaffForm *f)
{
  GtkWidget *rows[] = { f->name_row, f->code_row, f->pin_row, f->pin2_row, f->badge_row };

  gtk_widget_set_visible (f->error_label, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (rows[i] != NULL)
      gtk_widget_remove_css_class (rows[i], "error");
}

static void
staff_form_set_busy (StaffForm *f,
                     gboolean   busy)
{
  f->busy = busy;
  /* a focused entry made insensitive misses its focus-out: take it first */
  if (busy)
    gtk_window_set_focus (f->window, NULL);
  gtk_widget_set_sensitive (f->ok_button, !busy);
  gtk_widget_set_sensitive (f->cancel_button, !busy);
  gtk_widget_set_sensitive (f->form, !busy);
  gtk_spinner_set_spinning (GTK_SPINNER (f->spinner), busy);
  gtk_widget_set_visible (f->spinner, busy);
}

typedef struct {
  PosDatabase *db;
  char    *staff_id;
  char    *code;
  char    *name;
  PosRole  role;
  char    *pin;
  char    *badge;
} StaffJob;

static void
staff_job_free (StaffJob *j)
{
  g_clear_object (&j->db);
  g_free (j->staff_id);
  g_free (j->code);
  g_free (j->name);
  if (j->pin != NULL)
    {
      memset (j->pin, 0, strlen (j->pin));
      g_free (j->pin);
    }
  g_free (j->badge);
  g_free (j);
}

/* Hashing a PIN takes a noticeable moment (Argon2id): off the UI thread. */
static void
staff_job_worker (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  StaffJob *j = task_data;
  GError *error = NULL;
  PosDatabase *db = pos_database_acquire_worker (j->db, &error);
  char *id = NULL;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (j->staff_id == NULL)
    id = pos_staff_create (db, j->code, j->name, j->role, j->pin, j->badge, &error);
  else if (pos_staff_set_pin (db, j->staff_id, j->pin, &error))
    id = g_strdup (j->staff_id);
  pos_database_release_worker (j->db, db);
  if (id == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);
}

static void
staff_job_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  StaffForm *f = g_object_get_data (source, "staff-form");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;
  PosPreferencesWindow *prefs;

  if (f == NULL || f->destroyed)
    return;
  staff_form_set_busy (f, FALSE);
  if (id == NULL)
    {
      GtkWidget *row = NULL;

      if (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_EXISTS))
        row = f->code_row;
      else if (error->domain == POS_PIN_ERROR)
        row = f->pin_row;
      staff_form_error (f, error->message, row);
      if (row == NULL)
        gtk_widget_grab_focus (f->name_row != NULL ? f->name_row : f->pin_row);
      return;
    }

  if (f->staff_id == NULL)
    /* Translators: after adding a person in Preferences */
    text = g_strdup_printf (_("%s was added."), row_text (f->name_row));
  else
    /* Translators: after setting someone's PIN */
    text = g_strdup_printf (_("The PIN of %s was set."), f->staff_name);
  prefs = g_object_ref (f->prefs);
  gtk_window_destroy (f->window);
  prefs_load_staff (prefs);
  prefs_toast (prefs, text);
  g_object_unref (prefs);
}

static void
staff_form_submit (StaffForm *f)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const char *pin = row_text (f->pin_row);
  const char *pin2 = row_text (f->pin2_row);
  StaffJob *j;

  if (f->busy)
    return;
  staff_form_clear_error (f);

  if (f->staff_id == NULL)
    {
      g_autofree char *name = g_strstrip (g_strdup (row_text (f->name_row)));

      if (*name == '\0')
        {
          staff_form_error (f, _("Type the person’s name."), f->name_row);
          return;
        }
      if (*row_text (f->code_row) == '\0')
        {
          staff_form_error (f, _("Type the staff number this person signs in with."), f->code_row);
          return;
        }
    }
  if (f->staff_id != NULL || *pin != '\0' || *pin2 != '\0')
    {
      if (!pos_pin_is_acceptable (pin, &error))
        {
          staff_form_error (f, error->message, f->pin_row);
          return;
        }
      if (g_strcmp0 (pin, pin2) != 0)
        {
          staff_form_error (f, _("The two PINs are not the same. Type the PIN again."), f->pin2_row);
          return;
        }
    }

  j = g_new0 (StaffJob, 1);
  j->db = g_object_ref (f->prefs->db);
  j->staff_id = g_strdup (f->staff_id);
  if (f->staff_id == NULL)
    {
      const char *badge = row_text (f->badge_row);

      j->name = g_strstrip (g_strdup (row_text (f->name_row)));
      j->code = g_strstrip (g_strdup (row_text (f->code_row)));
      j->role = (PosRole) adw_combo_row_get_selected (ADW_COMBO_ROW (f->role_row));
      j->badge = *badge != '\0' ? g_strstrip (g_strdup (badge)) : NULL;
    }
  j->pin = *pin != '\0' ? g_strdup (pin) : NULL;

  staff_form_set_busy (f, TRUE);
  task = g_task_new (f->window, NULL, staff_job_done, NULL);
  g_task_set_source_tag (task, staff_form_submit);
  g_task_set_task_data (task, j, (GDestroyNotify) staff_job_free);
  g_task_run_in_thread (task, staff_job_worker);
}

static void
staff_form_destroyed (GtkWidget *window,
                      StaffForm *f)
{
  f->destroyed = TRUE;
}

static gboolean
staff_form_close_request (GtkWindow *window,
                          StaffForm *f)
{
  /* not while the engine is writing */
  return f->busy;
}

static void
on_form_row_changed (GtkWidget *row)
{
  gtk_widget_remove_css_class (row, "error");
}

static GtkWidget *
form_entry_row (GtkWidget  *list,
                gboolean    password,
                const char *title)
{
  GtkWidget *row = password ? adw_password_entry_row_new () : adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  if (password)
    adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_PIN);
  g_signal_connect (row, "changed", G_CALLBACK (on_form_row_changed), NULL);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return row;
}

static StaffForm *
staff_form_new (PosPreferencesWindow *prefs,
                const PosStaff       *staff)
{
  StaffForm *f = g_new0 (StaffForm, 1);
  GtkWidget *box, *header, *content, *list, *title;
  g_autofree char *subtitle = NULL;

  f->prefs = g_object_ref (prefs);
  f->window = GTK_WINDOW (adw_window_new ());
  g_object_set_data_full (G_OBJECT (f->window), "staff-form", f, (GDestroyNotify) staff_form_free);
  gtk_window_set_transient_for (f->window, GTK_WINDOW (prefs));
  gtk_window_set_modal (f->window, TRUE);
  gtk_window_set_destroy_with_parent (f->window, TRUE);
  gtk_window_set_default_size (f->window, 440, -1);
  gtk_window_set_resizable (f->window, FALSE);
  if (staff != NULL)
    {
      f->staff_id = g_strdup (staff->id);
      f->staff_name = g_strdup (staff->name);
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  title = adw_window_title_new (staff == NULL ? _("Add Person") : _("Set PIN"),
                                staff != NULL ? staff->name : NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_window_set_title (f->window, staff == NULL ? _("Add Person") : _("Set PIN"));

  f->cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (f->cancel_button, "clicked", G_CALLBACK (gtk_window_close), f->window);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), f->cancel_button);
  f->ok_button = gtk_button_new_with_mnemonic (staff == NULL ? _("_Add") : _("_Set PIN"));
  gtk_widget_add_css_class (f->ok_button, "suggested-action");
  g_signal_connect_swapped (f->ok_button, "clicked", G_CALLBACK (staff_form_submit), f);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), f->ok_button);
  f->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (f->spinner, FALSE);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), f->spinner);
  gtk_box_append (GTK_BOX (box), header);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  f->form = content;

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  if (staff == NULL)
    {
      g_autoptr(GtkStringList) roles = gtk_string_list_new (NULL);

      f->name_row = form_entry_row (list, FALSE, _("Name"));
      f->code_row = form_entry_row (list, FALSE, _("Staff number"));
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (f->code_row), GTK_INPUT_PURPOSE_DIGITS);
      for (guint r = 0; r < POS_N_ROLES; r++)
        gtk_string_list_append (roles, pos_role_get_label ((PosRole) r));
      f->role_row = adw_combo_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->role_row), _("Role"));
      adw_combo_row_set_model (ADW_COMBO_ROW (f->role_row), G_LIST_MODEL (roles));
      adw_combo_row_set_selected (ADW_COMBO_ROW (f->role_row), POS_ROLE_CASHIER);
      gtk_list_box_append (GTK_LIST_BOX (list), f->role_row);
    }
  f->pin_row = form_entry_row (list, TRUE, _("PIN (4 to 8 digits)"));
  f->pin2_row = form_entry_row (list, TRUE, _("PIN again"));
  if (staff == NULL)
    f->badge_row = form_entry_row (list, FALSE, _("Badge code (optional)"));
  gtk_box_append (GTK_BOX (content), list);

  subtitle = g_strdup (staff == NULL
                       ? _("Without a PIN the person cannot sign in until a manager sets one. A badge is scanned to sign in instead of typing the staff number.")
                       : _("The new PIN works at once, and at the other terminals once they sync."));
  {
    GtkWidget *hint = gtk_label_new (subtitle);

    gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
    gtk_label_set_xalign (GTK_LABEL (hint), 0);
    gtk_widget_add_css_class (hint, "dim-label");
    gtk_widget_add_css_class (hint, "caption");
    gtk_box_append (GTK_BOX (content), hint);
  }

  f->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (f->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (f->error_label), 0);
  gtk_widget_add_css_class (f->error_label, "error");
  gtk_widget_set_visible (f->error_label, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (f->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Problem"), -1);
  gtk_box_append (GTK_BOX (content), f->error_label);

  gtk_box_append (GTK_BOX (box), content);
  adw_window_set_content (ADW_WINDOW (f->window), box);
  gtk_window_set_default_widget (f->window, f->ok_button);
  g_signal_connect (f->window, "close-request", G_CALLBACK (staff_form_close_request), f);
  g_signal_connect (f->window, "destroy", G_CALLBACK (staff_form_destroyed), f);

  {
    /* Escape cancels */
    GtkEventController *keys = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                            gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (GTK_WIDGET (f->window), keys);
  }

  gtk_widget_grab_focus (staff == NULL ? f->name_row : f->pin_row);
  return f;
}

/* ------------------------------------------------------------------ */
/* People */

static void
action_add_person (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  StaffForm *f = staff_form_new (POS_PREFERENCES_WINDOW (widget), NULL);

  gtk_window_present (f->window);
}

static PosStaff *
staff_of_button (PosPreferencesWindow *self,
                 GtkWidget            *button)
{
  const char *id = g_object_get_data (G_OBJECT (button), "staff-id");
  g_autoptr(GError) error = NULL;
  PosStaff *staff = pos_staff_get (self->db, id, &error);

  if (staff == NULL)
    prefs_toast (self, error->message);
  return staff;
}

static void
on_set_pin_clicked (GtkWidget            *button,
                    PosPreferencesWindow *self)
{
  g_autoptr(PosStaff) staff = staff_of_button (self, button);
  StaffForm *f;

  if (staff == NULL)
    return;
  f = staff_form_new (self, staff);
  gtk_window_present (f->window);
}

static void
on_unlock_clicked (GtkWidget            *button,
                   PosPreferencesWindow *self)
{
  g_autoptr(PosStaff) staff = staff_of_button (self, button);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (staff == NULL)
    return;
  if (!pos_staff_unlock (self->db, staff->id, &error))
    {
      prefs_toast (self, error->message);
      return;
    }
  /* Translators: after unlocking someone locked out by wrong PINs */
  text = g_strdup_printf (_("%s can sign in again."), staff->name);
  prefs_load_staff (self);
  prefs_toast (self, text);
}

static GtkWidget *
row_button (const char           *label,
            const char           *staff_id,
            GCallback             callback,
            PosPreferencesWindow *self)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "staff-id", g_strdup (staff_id), g_free);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static gboolean
unlock_timeout (gpointer user_data)
{
  PosPreferencesWindow *self = user_data;

  self->unlock_timeout_id = 0;
  prefs_load_staff (self);
  return G_SOURCE_REMOVE;
}

static GtkWidget *
staff_row_new (PosPreferencesWindow *self,
               const PosStaff       *p,
               gboolean              can_manage,
               gint64                now)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *w;
  GString *subtitle = g_string_new (NULL);
  gboolean locked = p->locked_until > now;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), p->name);
  /* Translators: under a person in Preferences: staff number and role */
  g_string_append_printf (subtitle, _("No. %s · %s"), p->code, pos_role_get_label (p->role));
  if (p->badge_code != NULL)
    g_string_append_printf (subtitle, " · %s", _("badge"));
  if (locked)
    {
      g_autofree char *until = format_clock (p->locked_until);

      g_string_append (subtitle, " · ");
      /* Translators: someone who typed too many wrong PINs */
      g_string_append_printf (subtitle, _("locked out until %s"), until);
    }
  if (!p->has_pin)
    {
      g_string_append (subtitle, " · ");
      g_string_append (subtitle, _("no PIN: cannot sign in"));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  g_string_free (subtitle, TRUE);

  w = adw_avatar_new (32, p->name, TRUE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), w);

  if (!p->has_pin)
    {
      w = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      gtk_widget_add_css_class (w, "warning");
      gtk_widget_set_tooltip_text (w, _("No PIN: this person cannot sign in until a manager sets one."));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), w);
    }
  if (locked)
    {
      w = row_button (_("_Unlock"), p->id, G_CALLBACK (on_unlock_clicked), self);
      gtk_widget_set_sensitive (w, can_manage);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), w);
    }
  w = row_button (p->has_pin ? _("Change _PIN…") : _("Set _PIN…"), p->id, G_CALLBACK (on_set_pin_clicked), self);
  gtk_widget_set_sensitive (w, can_manage);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), w);
  return row;
}

static void
prefs_load_staff (PosPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) staff = pos_staff_list (self->db, &error);
  gboolean can_manage = pos_staff_current_can (self->db, POS_PERMISSION_MANAGE_STAFF);
  gint64 now = pos_now_ms ();
  gint64 next_unlock = 0;

  for (guint i = 0; i < self->staff_rows->len; i++)
    adw_preferences_group_remove (self->people_group, g_ptr_array_index (self->staff_rows, i));
  g_ptr_array_set_size (self->staff_rows, 0);
  g_clear_handle_id (&self->unlock_timeout_id, g_source_remove);

  gtk_widget_set_sensitive (self->add_person_button, can_manage);
  adw_preferences_group_set_description (self->people_group,
                                         can_manage
                                         ? _("Who may sign in at this terminal. Staff also come from the central system.")
                                         : _("Who may sign in at this terminal. Only someone allowed to manage staff can add people, set PINs or unlock."));

  if (staff == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the staff: %s"), error->message);

      g_warning ("%s", text);
      prefs_toast (self, text);
      return;
    }
  for (guint i = 0; i < staff->len; i++)
    {
      const PosStaff *p = g_ptr_array_index (staff, i);
      GtkWidget *row = staff_row_new (self, p, can_manage, now);

      adw_preferences_group_add (self->people_group, row);
      g_ptr_array_add (self->staff_rows, row);
      if (p->locked_until > now && (next_unlock == 0 || p->locked_until < next_unlock))
        next_unlock = p->locked_until;
    }
  if (staff->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No one yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Add a person, or connect to the central system to receive the store’s staff."));
      adw_preferences_group_add (self->people_group, row);
      g_ptr_array_add (self->staff_rows, row);
    }
  /* Show them unlocked when their lockout ends. */
  if (next_unlock > 0)
    self->unlock_timeout_id = g_timeout_add_seconds ((guint) ((next_unlock - now) / 1000 + 1), unlock_timeout, self);
}

/* ------------------------------------------------------------------ */
/* Permissions */

static const char *
permission_description (PosPermission p)
{
  switch (p)
    {
    case POS_PERMISSION_REFUND: return _("Give money back for returned items");
    case POS_PERMISSION_VOID_SALE: return _("Cancel a paid sale of the open shift");
    case POS_PERMISSION_PRICE_OVERRIDE: return _("Sell an item at another price than the catalog’s");
    case POS_PERMISSION_DISCOUNT_ABOVE_LIMIT: return _("Give a discount above the discount limit");
    case POS_PERMISSION_NO_SALE: return _("For change or a check, outside a sale");
    case POS_PERMISSION_CASH_IN_OUT: return _("Put cash into the drawer or take it out");
    case POS_PERMISSION_CLOSE_SHIFT: return _("Count the drawer and close the shift");
    case POS_PERMISSION_COUNT_DIFFERENCE: return _("Close a shift whose count differs by more than the limit");
    case POS_PERMISSION_CHANGE_SETTINGS: return _("Change these preferences, the permissions, scanners and printers");
    case POS_PERMISSION_REVEAL_CONTACT: return _("See a customer’s phone and e-mail unmasked");
    case POS_PERMISSION_MANAGE_STAFF: return _("Add people, set their PINs and unlock them");
    case POS_PERMISSION_VIEW_AUDIT: return _("Read the audit log");
    case POS_PERMISSION_MANAGE_SYNC: return _("Connect to the central system, retry or dismiss what it refused");
    default: return "";
    }
}

/* A manager always keeps these: someone must be able to give them back. */
static gboolean
is_always_on (PosRole       role,
              PosPermission p)
{
  return role == POS_ROLE_MANAGER &&
         (p == POS_PERMISSION_CHANGE_SETTINGS || p == POS_PERMISSION_MANAGE_STAFF);
}

static void
prefs_load_permissions (PosPreferencesWindow *self)
{
  gboolean can_change = pos_staff_current_can (self->db, POS_PERMISSION_CHANGE_SETTINGS);

  self->updating = TRUE;
  for (guint p = 0; p < POS_N_PERMISSIONS; p++)
    for (guint r = 0; r < POS_N_ROLES; r++)
      {
        GtkWidget *check = self->checks[p][r];

        if (check == NULL)
          continue;
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                     is_always_on ((PosRole) r, (PosPermission) p) ||
                                     pos_role_has_permission (self->db, (PosRole) r, (PosPermission) p));
        gtk_widget_set_sensitive (check, can_change && !is_always_on ((PosRole) r, (PosPermission) p));
      }
  self->updating = FALSE;
}

static void
on_permission_toggled (GtkCheckButton       *check,
                       GParamSpec           *pspec,
                       PosPreferencesWindow *self)
{
  PosPermission p = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "permission"));
  PosRole role = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "role"));
  gboolean allowed = gtk_check_button_get_active (check);
  g_autoptr(GError) error = NULL;

  if (self->updating)
    return;
  if (!pos_role_set_permission (self->db, role, p, allowed, &error))
    prefs_toast (self, error->message);
  /* show what the engine holds now */
  prefs_load_permissions (self);
}

static void
prefs_build_permissions (PosPreferencesWindow *self)
{
  gboolean can_change = pos_staff_current_can (self->db, POS_PERMISSION_CHANGE_SETTINGS);
  GtkWidget *intro = adw_preferences_group_new ();

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (intro),
                                         can_change
                                         ? _("What each role may do alone. Anyone else asks for the approval of someone whose role may.")
                                         : _("What each role may do alone. Only someone allowed to change settings can change these."));
  adw_preferences_page_add (self->permissions_page, ADW_PREFERENCES_GROUP (intro));

  for (guint a = 0; a < G_N_ELEMENTS (areas); a++)
    {
      GtkWidget *group = adw_preferences_group_new ();

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _(areas[a].title));
      for (guint i = 0; i < areas[a].n; i++)
        {
          PosPermission p = areas[a].permissions[i];
          GtkWidget *row = adw_action_row_new ();
          GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          g_autofree char *subtitle = NULL;

          if (is_always_on (POS_ROLE_MANAGER, p))
            subtitle = g_strdup_printf ("%s. %s", permission_description (p),
                                        _("Managers always keep this, so that no one is locked out of the settings."));
          else
            subtitle = g_strdup (permission_description (p));
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pos_permission_get_label (p));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
          gtk_widget_set_valign (box, GTK_ALIGN_CENTER);

          for (guint r = 0; r < POS_N_ROLES; r++)
            {
              GtkWidget *check = gtk_check_button_new_with_label (pos_role_get_label ((PosRole) r));
              g_autofree char *name = g_strdup_printf ("%s:%s", pos_permission_to_string (p),
                                                       pos_role_to_string ((PosRole) r));
              /* Translators: a permission's toggle for a role, "Refund: Cashier" */
              g_autofree char *a11y = g_strdup_printf (_("%s: %s"), pos_permission_get_label (p),
                                                       pos_role_get_label ((PosRole) r));

              gtk_widget_set_name (check, name);
              gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
              g_object_set_data (G_OBJECT (check), "permission", GUINT_TO_POINTER (p));
              g_object_set_data (G_OBJECT (check), "role", GUINT_TO_POINTER (r));
              g_signal_connect (check, "notify::active", G_CALLBACK (on_permission_toggled), self);
              gtk_box_append (GTK_BOX (box), check);
              self->checks[p][r] = check;
            }
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      adw_preferences_page_add (self->permissions_page, ADW_PREFERENCES_GROUP (group));
    }
  prefs_load_permissions (self);
}

/* ------------------------------------------------------------------ */

static void
pos_preferences_window_dispose (GObject *object)
{
  PosPreferencesWindow *self = POS_PREFERENCES_WINDOW (object);

  g_clear_handle_id (&self->unlock_timeout_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (pos_preferences_window_parent_class)->dispose (object);
}

static void
pos_preferences_window_finalize (GObject *object)
{
  PosPreferencesWindow *self = POS_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->staff_rows, g_ptr_array_unref);
  g_clear_pointer (&self->currency, g_free);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (pos_preferences_window_parent_class)->finalize (object);
}

static void
pos_preferences_window_class_init (PosPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_preferences_window_dispose;
  object_class->finalize = pos_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, staff_page);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, people_group);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, add_person_button);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, counter_group);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, discount_row);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, difference_row);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, idle_row);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, lockout_row);
  gtk_widget_class_bind_template_child (widget_class, PosPreferencesWindow, permissions_page);
  gtk_widget_class_bind_template_callback (widget_class, on_discount_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_difference_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_idle_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_lockout_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_setting_row_changed);

  gtk_widget_class_install_action (widget_class, "prefs.add-person", NULL, action_add_person);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "prefs.add-person", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
pos_preferences_window_init (PosPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->staff_rows = g_ptr_array_new ();
}

GtkWindow *
pos_preferences_window_new (GtkWindow   *parent,
                            PosDatabase *db)
{
  PosPreferencesWindow *self;
  g_autoptr(PosStoreInfo) info = NULL;
  gboolean can_change;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  self = g_object_new (POS_TYPE_PREFERENCES_WINDOW, NULL);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      if (gtk_window_get_application (parent) != NULL)
        gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  self->db = g_object_ref (db);
  info = pos_database_get_store_info (db, NULL);
  self->currency = g_strdup (info != NULL && info->currency != NULL ? info->currency : "BRL");

  can_change = pos_staff_current_can (db, POS_PERMISSION_CHANGE_SETTINGS);
  gtk_widget_set_sensitive (GTK_WIDGET (self->discount_row), can_change);
  gtk_widget_set_sensitive (GTK_WIDGET (self->difference_row), can_change);
  gtk_widget_set_sensitive (GTK_WIDGET (self->idle_row), can_change);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lockout_row), can_change);
  if (!can_change)
    adw_preferences_group_set_description (self->counter_group,
                                           _("Above these limits a supervisor or a manager approves. Only someone allowed to change settings can change them."));

  prefs_build_loyalty (self, can_change);
  prefs_load_staff (self);
  prefs_load_settings (self);
  prefs_build_permissions (self);
  return GTK_WINDOW (self);
}

void
pos_preferences_window_add_page (PosPreferencesWindow *self,
                                 AdwPreferencesPage   *page)
{
  g_return_if_fail (POS_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (ADW_IS_PREFERENCES_PAGE (page));

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}
