/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "domain/pos-contact.h"
#include "domain/pos-cpf.h"
#include "terminal/pos-customer-timeline.h"

#include "pos-customer-editor.h"

/* The contact fields, which come masked unless the profile was revealed. */
enum {
  FIELD_CPF,
  FIELD_PHONE,
  FIELD_EMAIL,
  FIELD_BIRTH,
  FIELD_CARD,
  N_FIELDS
};

struct _PosCustomerEditor
{
  AdwWindow        parent_instance;

  PosDatabase     *db;
  GTask           *task;             /* run_async's; returned once */
  GCancellable    *cancellable;      /* the check or save in flight */
  char            *customer_id;      /* NULL: a new customer */
  gboolean         restricted;
  char            *orig_name;
  char            *orig_notes;
  char            *orig_preferences;
  char            *orig[N_FIELDS];   /* as the entries started (NULL: masked) */
  PosConsentState  orig_consent[POS_N_CONSENT_CHANNELS];
  GtkToggleButton *consent_yes[POS_N_CONSENT_CHANNELS];
  GtkToggleButton *consent_no[POS_N_CONSENT_CHANNELS];
  GtkToggleButton *consent_unasked[POS_N_CONSENT_CHANNELS];
  GtkWidget       *mask_labels[N_FIELDS];
  gboolean         busy;

  /* template */
  GtkButton       *save_button;
  GtkScrolledWindow *scroller;
  GtkRevealer     *dup_revealer;
  GtkLabel        *dup_title;
  GtkLabel        *dup_hint;
  GtkListBox      *dup_list;
  GtkButton       *save_anyway_button;
  GtkLabel        *restricted_label;
  GtkWidget       *contact_group;
  GtkWidget       *notes_group;
  AdwEntryRow     *name_row;
  AdwEntryRow     *cpf_row;
  AdwEntryRow     *phone_row;
  AdwEntryRow     *email_row;
  AdwEntryRow     *birth_row;
  AdwEntryRow     *card_row;
  AdwEntryRow     *preferences_row;
  AdwEntryRow     *notes_row;
  AdwPreferencesGroup *consent_group;
  GtkLabel        *error_label;
};

G_DEFINE_FINAL_TYPE (PosCustomerEditor, pos_customer_editor, ADW_TYPE_WINDOW)

static AdwEntryRow *
field_row (PosCustomerEditor *self,
           guint              field)
{
  switch (field)
    {
    case FIELD_CPF:   return self->cpf_row;
    case FIELD_PHONE: return self->phone_row;
    case FIELD_EMAIL: return self->email_row;
    case FIELD_BIRTH: return self->birth_row;
    case FIELD_CARD:  return self->card_row;
    default:          g_return_val_if_reached (NULL);
    }
}

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

/* ------------------------------------------------------------------ */
/* Reading and checking what was typed */

/* "DD/MM/YYYY", "DD-MM-YYYY", "DDMMYYYY" or "YYYY-MM-DD" to "YYYY-MM-DD";
 * NULL when it is not a day of the past. */
static char *
parse_birth_date (const char *text)
{
  int d = 0, m = 0, y = 0;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  char tail;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y > 999)
    ;
  else if (sscanf (text, "%2d/%2d/%4d%c", &d, &m, &y, &tail) == 3 ||
           sscanf (text, "%2d-%2d-%4d%c", &d, &m, &y, &tail) == 3 ||
           sscanf (text, "%2d.%2d.%4d%c", &d, &m, &y, &tail) == 3)
    ;
  else if (strlen (text) == 8 && strspn (text, "0123456789") == 8)
    {
      d = (text[0] - '0') * 10 + (text[1] - '0');
      m = (text[2] - '0') * 10 + (text[3] - '0');
      y = atoi (text + 4);
    }
  else
    return NULL;

  if (y < 1900 || y > g_date_time_get_year (now) ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
}

static char *
format_birth_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (iso);
  return g_strdup_printf ("%02d/%02d/%04d", d, m, y);
}

/* What the clerk typed is wrong: a message, or NULL when it may be saved
 * (an empty field is fine: nothing is required but the name). */
static const char *
field_problem (PosCustomerEditor *self,
               guint              field,
               const char        *text)
{
  g_autofree char *norm = NULL;

  if (*text == '\0')
    return NULL;
  switch (field)
    {
    case FIELD_CPF:
      return pos_cpf_validate (text) ? NULL : _("This CPF is not valid: its check digits do not match. Check the number on the document.");
    case FIELD_PHONE:
      norm = pos_phone_normalize (text);
      return norm != NULL ? NULL : _("Type the phone with its area code, like (11) 98765-4321.");
    case FIELD_EMAIL:
      norm = pos_email_normalize (text);
      return norm != NULL ? NULL : _("This e-mail address is not complete, like maria@example.com.");
    case FIELD_BIRTH:
      norm = parse_birth_date (text);
      return norm != NULL ? NULL : _("Type the birth date as day/month/year, like 31/12/1980.");
    case FIELD_CARD:
    default:
      return NULL;
    }
}

static void
mark_row (AdwEntryRow *row,
          gboolean     wrong)
{
  if (wrong)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
show_error (PosCustomerEditor *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
hide_duplicates (PosCustomerEditor *self)
{
  GtkWidget *child;

  gtk_revealer_set_reveal_child (self->dup_revealer, FALSE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->dup_list))) != NULL)
    gtk_list_box_remove (self->dup_list, child);
}

/* As typed: the CPF is checked once it has its 11 digits, the others when
 * the field is left; anything typed hides the duplicates shown before. */
static void
on_field_changed (PosCustomerEditor *self,
                  GParamSpec        *pspec,
                  AdwEntryRow       *row)
{
  g_autofree char *text = row_text (row);

  hide_duplicates (self);
  show_error (self, NULL);
  for (guint f = 0; f < N_FIELDS; f++)
    if (row == field_row (self, f))
      {
        if (self->mask_labels[f] != NULL)
          gtk_widget_set_visible (self->mask_labels[f], *text == '\0');
        if (f == FIELD_CPF)
          {
            const char *problem;
            guint n = 0;

            for (const char *p = text; *p != '\0'; p++)
              if (g_ascii_isdigit (*p))
                n++;
            problem = n >= 11 ? field_problem (self, f, text) : NULL;
            mark_row (row, problem != NULL);
            if (problem != NULL)
              show_error (self, problem);
          }
        else
          mark_row (row, FALSE);
      }
  if (row == self->name_row)
    mark_row (row, FALSE);
}

/* Leaving a field: checked, and put in its usual form. */
static void
on_field_left (GtkEventControllerFocus *controller,
               PosCustomerEditor       *self)
{
  AdwEntryRow *row = ADW_ENTRY_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
  g_autofree char *text = row_text (row);
  g_autofree char *formatted = NULL;

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *problem;

      if (row != field_row (self, f))
        continue;
      problem = field_problem (self, f, text);
      mark_row (row, problem != NULL);
      if (problem != NULL)
        {
          show_error (self, problem);
          return;
        }
      if (*text == '\0')
        return;
      if (f == FIELD_CPF)
        {
          g_autofree char *digits = pos_cpf_normalize (text);

          formatted = pos_cpf_format (digits);
        }
      else if (f == FIELD_PHONE)
        {
          g_autofree char *digits = pos_phone_normalize (text);

          formatted = pos_phone_format (digits);
        }
      else if (f == FIELD_BIRTH)
        {
          g_autofree char *iso = parse_birth_date (text);

          formatted = format_birth_date (iso);
        }
    }
  if (formatted != NULL && g_strcmp0 (formatted, gtk_editable_get_text (GTK_EDITABLE (row))) != 0)
    {
      g_signal_handlers_block_by_func (row, on_field_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (row), formatted);
      g_signal_handlers_unblock_by_func (row, on_field_changed, self);
    }
}

/* ------------------------------------------------------------------ */
/* The edit the engine gets */

typedef struct {
  PosDatabase     *owner;
  char            *customer_id;
  char            *strings[8];       /* owned; the edit points at them */
  PosCustomerEdit  edit;
  gboolean         force;            /* the clerk saw the duplicates */
  GPtrArray       *duplicates;       /* out */
  char            *saved_id;         /* out */
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_clear_object (&job->owner);
  g_free (job->customer_id);
  for (guint i = 0; i < G_N_ELEMENTS (job->strings); i++)
    g_free (job->strings[i]);
  g_clear_pointer (&job->duplicates, g_ptr_array_unref);
  g_free (job->saved_id);
  g_free (job);
}

static const char *
keep (SaveJob *job,
      guint    slot,
      char    *text)
{
  job->strings[slot] = text;
  return text;
}

/* A changed text field: the new value ("" clears it) or NULL to leave it. */
static char *
changed_text (const char *now,
              const char *orig,
              gboolean    is_new)
{
  if (is_new)
    return *now != '\0' ? g_strdup (now) : NULL;
  if (g_strcmp0 (now, orig != NULL ? orig : "") == 0)
    return NULL;
  return g_strdup (now);
}

static PosConsentState
consent_chosen (PosCustomerEditor *self,
                guint              i)
{
  if (gtk_toggle_button_get_active (self->consent_yes[i]))
    return POS_CONSENT_GRANTED;
  if (gtk_toggle_button_get_active (self->consent_no[i]))
    return POS_CONSENT_DENIED;
  return POS_CONSENT_UNKNOWN;
}

/* Reads the window into a job; NULL, with the problem shown, when
 * something typed cannot be saved. */
static SaveJob *
collect (PosCustomerEditor *self)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  gboolean is_new = self->customer_id == NULL;
  g_autofree char *name = row_text (self->name_row);
  SaveJob *job = g_new0 (SaveJob, 1);
  GtkWidget *first_wrong = NULL;

  job->owner = g_object_ref (self->db);
  job->customer_id = g_strdup (self->customer_id);
  pos_customer_edit_init (&job->edit);

  if (!self->restricted)
    {
      guint letters = 0;

      for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
        if (g_unichar_isalpha (g_utf8_get_char (p)))
          letters++;
      if ((is_new || *name != '\0' || self->orig_name != NULL) && letters < 2)
        {
          g_string_append (problems, _("Type the customer's name."));
          mark_row (self->name_row, TRUE);
          first_wrong = GTK_WIDGET (self->name_row);
        }
      job->edit.name = keep (job, 0, changed_text (name, self->orig_name, is_new));

      for (guint f = 0; f < N_FIELDS; f++)
        {
          AdwEntryRow *row = field_row (self, f);
          g_autofree char *text = row_text (row);
          const char *problem = field_problem (self, f, text);
          char *value;

          if (problem != NULL)
            {
              if (problems->len > 0)
                g_string_append_c (problems, '\n');
              g_string_append (problems, problem);
              mark_row (row, TRUE);
              if (first_wrong == NULL)
                first_wrong = GTK_WIDGET (row);
              continue;
            }
          /* a masked field is replaced only by something typed */
          if (self->orig[f] == NULL && !is_new && *text == '\0')
            continue;
          if (f == FIELD_BIRTH && *text != '\0')
            {
              g_autofree char *iso = parse_birth_date (text);
              g_autofree char *orig_iso = self->orig[f] != NULL ? parse_birth_date (self->orig[f]) : NULL;

              value = changed_text (iso, orig_iso, is_new);
            }
          else
            value = changed_text (text, self->orig[f], is_new);
          switch (f)
            {
            case FIELD_CPF:   job->edit.cpf = keep (job, 1, value); break;
            case FIELD_PHONE: job->edit.phone = keep (job, 2, value); break;
            case FIELD_EMAIL: job->edit.email = keep (job, 3, value); break;
            case FIELD_BIRTH: job->edit.birth_date = keep (job, 4, value); break;
            case FIELD_CARD:  job->edit.loyalty_card = keep (job, 5, value); break;
            default:          g_free (value); break;
            }
        }
      {
        g_autofree char *notes = row_text (self->notes_row);
        g_autofree char *prefs = row_text (self->preferences_row);

        job->edit.notes = keep (job, 6, changed_text (notes, self->orig_notes, is_new));
        job->edit.preferences = keep (job, 7, changed_text (prefs, self->orig_preferences, is_new));
      }
    }

  for (guint i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    {
      PosConsentState now = consent_chosen (self, i);

      job->edit.consents[i] = now != self->orig_consent[i] ? now : POS_CONSENT_UNKNOWN;
    }

  if (problems->len > 0)
    {
      show_error (self, problems->str);
      if (first_wrong != NULL)
        gtk_widget_grab_focus (first_wrong);
      save_job_free (job);
      return NULL;
    }
  return job;
}

static void
save_worker (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_acquire_worker (job->owner, &error);

  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!job->force)
    {
      job->duplicates = pos_customers_find_duplicates (db, job->customer_id, &job->edit, &error);
      if (job->duplicates == NULL)
        {
          pos_database_release_worker (job->owner, db);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (job->duplicates->len > 0)
        {
          pos_database_release_worker (job->owner, db);
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  job->saved_id = pos_customers_save (db, job->customer_id, &job->edit, &error);
  pos_database_release_worker (job->owner, db);
  if (job->saved_id == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish (PosCustomerEditor *self,
        const char        *id)
{
  GTask *task = g_steal_pointer (&self->task);

  if (task != NULL)
    {
      g_task_return_pointer (task, g_strdup (id), g_free);
      g_object_unref (task);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_use_clicked (GtkButton         *button,
                PosCustomerEditor *self)
{
  finish (self, g_object_get_data (G_OBJECT (button), "customer-id"));
}

static void
show_duplicates (PosCustomerEditor *self,
                 GPtrArray         *duplicates)
{
  gboolean same_cpf = FALSE;
  GtkAdjustment *adjustment;

  hide_duplicates (self);
  for (guint i = 0; i < duplicates->len; i++)
    {
      const PosCustomerDuplicate *dup = g_ptr_array_index (duplicates, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *use = gtk_button_new_with_mnemonic (_("_Use This Customer"));
      g_autoptr(GString) why = g_string_new (NULL);
      g_autofree char *title = NULL;

      if (dup->same_cpf)
        g_string_append (why, _("the same CPF"));
      if (dup->same_phone)
        g_string_append_printf (why, "%s%s", why->len > 0 ? _(", ") : "", _("the same phone"));
      if (dup->same_email)
        g_string_append_printf (why, "%s%s", why->len > 0 ? _(", ") : "", _("the same e-mail"));
      same_cpf = same_cpf || dup->same_cpf;

      /* Translators: "Maria da Silva has the same phone" */
      title = g_strdup_printf (_("%s has %s"), dup->customer->name, why->str);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (dup->customer->cpf_masked != NULL || dup->customer->phone_masked != NULL)
        {
          g_autofree char *subtitle = g_strdup_printf ("%s%s%s",
                                                       dup->customer->cpf_masked ? dup->customer->cpf_masked : "",
                                                       dup->customer->cpf_masked && dup->customer->phone_masked ? " · " : "",
                                                       dup->customer->phone_masked ? dup->customer->phone_masked : "");

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        }
      g_object_set_data_full (G_OBJECT (use), "customer-id", g_strdup (dup->customer->id), g_free);
      g_signal_connect (use, "clicked", G_CALLBACK (on_use_clicked), self);
      gtk_widget_set_valign (use, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (use, "suggested-action");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), use);
      gtk_list_box_append (self->dup_list, row);
      if (i == 0)
        gtk_widget_grab_focus (use);
    }

  gtk_label_set_text (self->dup_title, g_dngettext (GETTEXT_PACKAGE,
                                                    "Is this customer already registered?",
                                                    "Is this customer already registered?", duplicates->len));
  gtk_label_set_text (self->dup_hint,
                      same_cpf ? _("A CPF belongs to one person only: use the customer who has it, or check the number.")
                               : _("Ask the customer: if it is them, use that record so their history stays in one place. If it is someone else (a family member sharing a phone), save anyway."));
  gtk_widget_set_visible (GTK_WIDGET (self->save_anyway_button), !same_cpf);
  gtk_revealer_set_reveal_child (self->dup_revealer, TRUE);
  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_adjustment_set_value (adjustment, 0);
}

static void
set_busy (PosCustomerEditor *self,
          gboolean           busy)
{
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save-anyway", !busy);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PosCustomerEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  SaveJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      /* the engine's words: which field, whose CPF */
      show_error (self, error->message);
      if (g_error_matches (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_DUPLICATE))
        gtk_widget_grab_focus (GTK_WIDGET (self->cpf_row));
      return;
    }
  set_busy (self, FALSE);
  if (job->saved_id == NULL)
    {
      show_duplicates (self, job->duplicates);
      return;
    }
  finish (self, job->saved_id);
}

static void
save (PosCustomerEditor *self,
      gboolean           force)
{
  g_autoptr(GTask) task = NULL;
  SaveJob *job;

  if (self->busy)
    return;
  show_error (self, NULL);
  job = collect (self);
  if (job == NULL)
    {
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  job->force = force;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  task = g_task_new (NULL, self->cancellable, on_saved, g_object_ref (self));
  g_task_set_source_tag (task, save);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  g_task_run_in_thread (task, save_worker);
}

/* ------------------------------------------------------------------ */
/* Actions */

static void
action_save (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  save (POS_CUSTOMER_EDITOR (widget), FALSE);
}

static void
action_save_anyway (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  save (POS_CUSTOMER_EDITOR (widget), TRUE);
}

static void
action_cancel (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  finish (POS_CUSTOMER_EDITOR (widget), NULL);
}

/* ------------------------------------------------------------------ */
/* Filling the window */

static void
build_consent_rows (PosCustomerEditor *self)
{
  for (guint i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *yes = gtk_toggle_button_new_with_label (_("Yes"));
      GtkWidget *no = gtk_toggle_button_new_with_label (_("No"));
      GtkWidget *unasked = gtk_toggle_button_new_with_label (_("Not asked"));
      const char *label = pos_consent_channel_label (pos_consent_channels[i]);
      g_autofree char *a11y_yes = g_strdup_printf (_("%s: yes"), label);
      g_autofree char *a11y_no = g_strdup_printf (_("%s: no"), label);
      g_autofree char *a11y_unasked = g_strdup_printf (_("%s: not asked"), label);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
      /* the keyboard goes straight to the answers */
      gtk_widget_set_focusable (row, FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (no), GTK_TOGGLE_BUTTON (yes));
      gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (unasked), GTK_TOGGLE_BUTTON (yes));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (unasked), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (yes), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y_yes, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (no), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y_no, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (unasked), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y_unasked, -1);
      gtk_widget_add_css_class (box, "linked");
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), yes);
      gtk_box_append (GTK_BOX (box), no);
      gtk_box_append (GTK_BOX (box), unasked);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
      adw_preferences_group_add (self->consent_group, row);
      g_signal_connect_swapped (yes, "toggled", G_CALLBACK (hide_duplicates), self);
      g_signal_connect_swapped (no, "toggled", G_CALLBACK (hide_duplicates), self);
      self->consent_yes[i] = GTK_TOGGLE_BUTTON (yes);
      self->consent_no[i] = GTK_TOGGLE_BUTTON (no);
      self->consent_unasked[i] = GTK_TOGGLE_BUTTON (unasked);
      self->orig_consent[i] = POS_CONSENT_UNKNOWN;
    }
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

/* A new customer's first field from what was searched. */
static void
prefill (PosCustomerEditor *self,
         const char        *text)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  g_autofree char *email = NULL;
  g_autofree char *phone = NULL;
  gboolean letters = FALSE;

  if (*t == '\0')
    return;
  for (const char *p = t; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      letters = TRUE;

  if (pos_cpf_validate (t))
    {
      g_autofree char *digits = pos_cpf_normalize (t);
      g_autofree char *formatted = pos_cpf_format (digits);

      set_text (self->cpf_row, formatted);
    }
  else if ((email = pos_email_normalize (t)) != NULL)
    set_text (self->email_row, email);
  else if (!letters && (phone = pos_phone_normalize (t)) != NULL)
    {
      g_autofree char *formatted = pos_phone_format (phone);

      set_text (self->phone_row, formatted);
    }
  else if (letters)
    set_text (self->name_row, t);
}

static const char *
profile_field (const PosCustomerProfile *p,
               guint                     field)
{
  switch (field)
    {
    case FIELD_CPF:   return p->cpf;
    case FIELD_PHONE: return p->phone;
    case FIELD_EMAIL: return p->email;
    case FIELD_BIRTH: return p->birth_date;
    case FIELD_CARD:  return p->loyalty_card;
    default:          return NULL;
    }
}

static void
fill_from_profile (PosCustomerEditor        *self,
                   const PosCustomerProfile *p)
{
  g_autofree char *title = g_strdup_printf (_("Edit %s"), p->name);

  gtk_window_set_title (GTK_WINDOW (self), title);
  self->customer_id = g_strdup (p->id);
  self->restricted = p->processing_restricted;
  self->orig_name = g_strdup (p->name);
  self->orig_notes = g_strdup (p->notes);
  self->orig_preferences = g_strdup (p->preferences);
  set_text (self->name_row, p->name);
  set_text (self->notes_row, p->notes);
  set_text (self->preferences_row, p->preferences);

  for (guint f = 0; f < N_FIELDS; f++)
    {
      const char *value = profile_field (p, f);
      /* masked for this person: shown beside an empty field, replaced only
       * by what is typed */
      gboolean masked = !p->revealed && value != NULL && strchr (value, '*') != NULL;

      if (masked)
        {
          GtkWidget *label = gtk_label_new (value);

          gtk_widget_add_css_class (label, "dim-label");
          gtk_widget_add_css_class (label, "numeric");
          gtk_widget_set_tooltip_text (label, _("Kept as it is unless you type a new value (your role does not see it in full)"));
          adw_entry_row_add_suffix (field_row (self, f), label);
          self->mask_labels[f] = label;
          continue;
        }
      if (f == FIELD_BIRTH)
        {
          g_autofree char *shown = format_birth_date (value);

          self->orig[f] = g_strdup (shown != NULL ? shown : "");
        }
      else
        self->orig[f] = g_strdup (value != NULL ? value : "");
      set_text (field_row (self, f), self->orig[f]);
    }

  for (guint i = 0; p->consents != NULL && i < p->consents->len; i++)
    {
      const PosCustomerConsent *c = g_ptr_array_index (p->consents, i);

      for (guint j = 0; j < POS_N_CONSENT_CHANNELS; j++)
        {
          if (g_strcmp0 (c->channel, pos_consent_channels[j]) != 0)
            continue;
          self->orig_consent[j] = c->state;
          if (c->state == POS_CONSENT_GRANTED)
            gtk_toggle_button_set_active (self->consent_yes[j], TRUE);
          else if (c->state == POS_CONSENT_DENIED)
            gtk_toggle_button_set_active (self->consent_no[j], TRUE);
          /* a recorded answer changes, it is never forgotten */
          gtk_widget_set_sensitive (GTK_WIDGET (self->consent_unasked[j]), c->state == POS_CONSENT_UNKNOWN);
        }
    }

  if (self->restricted)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->restricted_label), TRUE);
      gtk_widget_set_sensitive (self->contact_group, FALSE);
      gtk_widget_set_sensitive (self->notes_group, FALSE);
    }
}

/* ------------------------------------------------------------------ */

static gboolean
pos_customer_editor_close_request (GtkWindow *window)
{
  PosCustomerEditor *self = POS_CUSTOMER_EDITOR (window);
  GTask *task = g_steal_pointer (&self->task);

  if (task != NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
    }
  return GTK_WINDOW_CLASS (pos_customer_editor_parent_class)->close_request (window);
}

static void
pos_customer_editor_dispose (GObject *object)
{
  PosCustomerEditor *self = POS_CUSTOMER_EDITOR (object);
  GTask *task = g_steal_pointer (&self->task);

  g_cancellable_cancel (self->cancellable);
  if (task != NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_CUSTOMER_EDITOR);

  G_OBJECT_CLASS (pos_customer_editor_parent_class)->dispose (object);
}

static void
pos_customer_editor_finalize (GObject *object)
{
  PosCustomerEditor *self = POS_CUSTOMER_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_free (self->customer_id);
  g_free (self->orig_name);
  g_free (self->orig_notes);
  g_free (self->orig_preferences);
  for (guint f = 0; f < N_FIELDS; f++)
    g_free (self->orig[f]);

  G_OBJECT_CLASS (pos_customer_editor_parent_class)->finalize (object);
}

static void
pos_customer_editor_class_init (PosCustomerEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_customer_editor_dispose;
  object_class->finalize = pos_customer_editor_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = pos_customer_editor_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-customer-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, scroller);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, dup_revealer);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, dup_title);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, dup_hint);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, dup_list);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, save_anyway_button);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, restricted_label);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, contact_group);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, notes_group);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, cpf_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, email_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, birth_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, card_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, preferences_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, notes_row);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, consent_group);
  gtk_widget_class_bind_template_child (widget_class, PosCustomerEditor, error_label);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, action_save);
  gtk_widget_class_install_action (widget_class, "editor.save-anyway", NULL, action_save_anyway);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, action_cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
}

/* Enter goes on to the next field, as on a paper form; Ctrl+Enter saves. */
static void
on_entry_activated (AdwEntryRow       *row,
                    PosCustomerEditor *self)
{
  gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

static void
watch_row (PosCustomerEditor *self,
           AdwEntryRow       *row)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect_object (row, "entry-activated", G_CALLBACK (on_entry_activated), self, 0);

  g_signal_connect_object (row, "notify::text", G_CALLBACK (on_field_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect (focus, "leave", G_CALLBACK (on_field_left), self);
  gtk_widget_add_controller (GTK_WIDGET (row), focus);
}

static void
pos_customer_editor_init (PosCustomerEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_consent_rows (self);
}

void
pos_customer_editor_run_async (GtkWindow                *parent,
                               PosDatabase              *db,
                               const PosCustomerProfile *profile,
                               const char               *prefill_text,
                               GCancellable             *cancellable,
                               GAsyncReadyCallback       callback,
                               gpointer                  user_data)
{
  PosCustomerEditor *self;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (POS_IS_DATABASE (db));

  self = g_object_new (POS_TYPE_CUSTOMER_EDITOR, "transient-for", parent, NULL);
  self->db = g_object_ref (db);
  self->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, pos_customer_editor_run_async);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (gtk_window_destroy), self, G_CONNECT_SWAPPED);
  if (profile != NULL)
    fill_from_profile (self, profile);
  else if (prefill_text != NULL)
    prefill (self, prefill_text);

  watch_row (self, self->name_row);
  for (guint f = 0; f < N_FIELDS; f++)
    watch_row (self, field_row (self, f));
  g_signal_connect_object (self->preferences_row, "entry-activated", G_CALLBACK (on_entry_activated), self, 0);
  g_signal_connect_object (self->notes_row, "entry-activated", G_CALLBACK (on_entry_activated), self, 0);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

char *
pos_customer_editor_run_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
