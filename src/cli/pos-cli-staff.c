/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-staff.h"
#include "pos-cli.h"

/* balcao-ctl staff list [--json]
 *                  add CODE NAME ROLE [--badge CODE] [--as CODE]
 *                  set-pin ID|CODE [--as CODE]
 *                  unlock ID|CODE [--as CODE]
 *
 * Who acts: the person signed in at this terminal, or, with --as CODE,
 * that person after their PIN (the first line of the standard input),
 * without changing who is signed in at the counter. The engine checks the
 * permission (manage_staff) and writes the audit log either way. New PINs
 * are read from the standard input too, never from the command line (it
 * shows in `ps` and the shell's history). */

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl staff list [--json]\n"
                        "       balcao-ctl staff add CODE NAME cashier|supervisor|manager [--badge CODE] [--as CODE]\n"
                        "       balcao-ctl staff set-pin ID|CODE [--as CODE]\n"
                        "       balcao-ctl staff unlock ID|CODE [--as CODE]\n"
                        "       balcao-ctl staff publish [--as CODE]\n"
                        "publish sends this terminal's people (with their PINs' hashes) to the central again,\n"
                        "after enrolling with a new one.\n"
                        "Adding, setting a PIN, unlocking and publishing need a manager (manage_staff): the one signed in at\n"
                        "this terminal, or --as CODE, whose PIN is the first line read from the standard input\n"
                        "(who is signed in at the counter does not change). The new PIN follows on the next line;\n"
                        "at a terminal it is asked for twice and not shown."));
  return 2;
}

/* ------------------------------------------------------------------ */
/* Reading PINs                                                        */

char *
pos_cli_read_pin (const char  *prompt,
                  GError     **error)
{
  char buffer[128];
  struct termios old, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  char *line;
  gsize len;

  if (tty)
    {
      fprintf (stderr, "%s", prompt);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &old) == 0)
        {
          quiet = old;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fprintf (stderr, "\n");
    }

  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("No PIN on the standard input. Give it on a line of its own (at a terminal, type it)."));
      return NULL;
    }
  len = strcspn (buffer, "\r\n");
  buffer[len] = '\0';
  line = g_strdup (buffer);
  sodium_memzero (buffer, sizeof buffer);
  return line;
}

static void
free_pin (char *pin)
{
  if (pin != NULL)
    {
      sodium_memzero (pin, strlen (pin));
      g_free (pin);
    }
}

/* A new PIN: asked twice at a terminal. */
static char *
read_new_pin (const char  *name,
              GError     **error)
{
  g_autofree char *prompt = g_strdup_printf (_("New PIN for %s: "), name);
  char *pin = pos_cli_read_pin (prompt, error);
  char *again;

  if (pin == NULL || !isatty (STDIN_FILENO))
    return pin;
  again = pos_cli_read_pin (_("The same PIN again: "), error);
  if (again == NULL || !g_str_equal (pin, again))
    {
      if (again != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The two PINs differ. Nothing was changed."));
      free_pin (pin);
      free_pin (again);
      return NULL;
    }
  free_pin (again);
  return pin;
}

gboolean
pos_cli_act_as (PosDatabase  *db,
                const char   *code,
                GError      **error)
{
  g_autofree char *prompt = NULL;
  char *pin;
  gboolean ok;

  if (code == NULL)
    return TRUE;
  prompt = g_strdup_printf (_("PIN of %s: "), code);
  pin = pos_cli_read_pin (prompt, error);
  if (pin == NULL)
    return FALSE;
  ok = pos_staff_act_as (db, code, pin, error);
  free_pin (pin);
  return ok;
}

/* --as CODE anywhere; the rest left in order. */
static gboolean
take_option (GPtrArray  *args,
             const char *name,
             char      **out)
{
  for (guint i = 0; i < args->len; i++)
    {
      const char *a = g_ptr_array_index (args, i);

      if (g_str_equal (a, name) && i + 1 < args->len)
        {
          *out = g_strdup (g_ptr_array_index (args, i + 1));
          g_ptr_array_remove_range (args, i, 2);
          return TRUE;
        }
      if (g_str_has_prefix (a, name) && a[strlen (name)] == '=')
        {
          *out = g_strdup (a + strlen (name) + 1);
          g_ptr_array_remove_index (args, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ms / 1000);

  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* text padded with spaces to width characters (not bytes). */
static char *
pad (const char *text,
     glong       width)
{
  glong len = g_utf8_strlen (text, -1);
  GString *out = g_string_new (text);

  for (; len < width; len++)
    g_string_append_c (out, ' ');
  return g_string_free (out, FALSE);
}

static int
cmd_list (PosDatabase *db,
          GPtrArray   *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean json = FALSE;
  gint64 now = pos_now_ms ();

  for (guint i = 1; i < args->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (args, i), "--json"))
        json = TRUE;
      else
        return usage ();
    }

  list = pos_staff_list (db, &error);
  if (list == NULL)
    return pos_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        {
          PosStaff *s = g_ptr_array_index (list, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, s->id);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, s->code);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, s->name);
          json_builder_set_member_name (b, "role");
          json_builder_add_string_value (b, pos_role_to_string (s->role));
          json_builder_set_member_name (b, "has_pin");
          json_builder_add_boolean_value (b, s->has_pin);
          json_builder_set_member_name (b, "has_badge");
          json_builder_add_boolean_value (b, s->badge_code != NULL);
          json_builder_set_member_name (b, "failed_attempts");
          json_builder_add_int_value (b, s->failed_attempts);
          json_builder_set_member_name (b, "locked_until");
          if (s->locked_until > now)
            json_builder_add_int_value (b, s->locked_until);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, root);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
      return 0;
    }

  for (guint i = 0; i < list->len; i++)
    {
      PosStaff *s = g_ptr_array_index (list, i);
      g_autofree char *state = NULL;

      if (s->locked_until > now)
        {
          g_autofree char *until = format_time (s->locked_until);
          state = g_strdup_printf (_("locked out until %s"), until);
        }
      else if (s->failed_attempts > 0)
        state = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u wrong PIN", "%u wrong PINs", s->failed_attempts),
                                 s->failed_attempts);
      g_autofree char *name = pad (s->name, 30);
      g_autofree char *role = pad (pos_role_get_label (s->role), 11);
      g_autofree char *pin = pad (s->has_pin ? _("PIN") : _("no PIN"), 7);
      g_autofree char *badge = pad (s->badge_code != NULL ? _("badge") : "-", 7);

      printf ("%-8s  %s  %s  %s  %s  %s\n", s->code, name, role, pin, badge, state != NULL ? state : "");
    }
  if (list->len == 0)
    g_printerr ("%s\n", _("No staff at this store."));
  return 0;
}

static int
cmd_add (PosDatabase *db,
         GPtrArray   *args,
         const char  *as)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *badge = NULL;
  g_autofree char *id = NULL;
  const char *code, *name;
  PosRole role;
  char *pin;

  take_option (args, "--badge", &badge);
  if (args->len != 4)
    return usage ();
  code = g_ptr_array_index (args, 1);
  name = g_ptr_array_index (args, 2);
  if (!pos_role_from_string (g_ptr_array_index (args, 3), &role))
    {
      g_printerr (_("balcao-ctl: the role is cashier, supervisor or manager, not “%s”\n"),
                  (const char *) g_ptr_array_index (args, 3));
      return 2;
    }

  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  pin = read_new_pin (name, &error);
  if (pin == NULL)
    return pos_cli_fail (error);
  id = pos_staff_create (db, code, name, role, pin, badge, &error);
  free_pin (pin);
  if (id == NULL)
    return pos_cli_fail (error);
  printf (_("Added %s (%s, code %s): %s\n"), name, pos_role_get_label (role), code, id);
  return 0;
}

static int
cmd_set_pin (PosDatabase *db,
             GPtrArray   *args,
             const char  *as)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = NULL;
  gboolean ok;
  char *pin;

  if (args->len != 2)
    return usage ();
  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  s = pos_staff_get (db, g_ptr_array_index (args, 1), &error);
  if (s == NULL)
    return pos_cli_fail (error);
  pin = read_new_pin (s->name, &error);
  if (pin == NULL)
    return pos_cli_fail (error);
  ok = pos_staff_set_pin (db, s->id, pin, &error);
  free_pin (pin);
  if (!ok)
    return pos_cli_fail (error);
  printf (_("New PIN set for %s.\n"), s->name);
  return 0;
}

static int
cmd_unlock (PosDatabase *db,
            GPtrArray   *args,
            const char  *as)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) s = NULL;

  if (args->len != 2)
    return usage ();
  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  s = pos_staff_get (db, g_ptr_array_index (args, 1), &error);
  if (s == NULL || !pos_staff_unlock (db, s->id, &error))
    return pos_cli_fail (error);
  printf (_("%s may sign in again.\n"), s->name);
  return 0;
}

static int
cmd_publish (PosDatabase *db,
             GPtrArray   *args,
             const char  *as)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) staff = NULL;

  if (args->len != 1)
    return usage ();
  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  if (!pos_staff_current_can (db, POS_PERMISSION_MANAGE_STAFF))
    {
      g_set_error (&error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION,
                   _("Publishing the staff needs a manager: use --as CODE with their PIN."));
      return pos_cli_fail (error);
    }
  staff = pos_staff_list (db, &error);
  if (staff == NULL || !pos_database_begin (db, &error))
    return pos_cli_fail (error);
  for (guint i = 0; i < staff->len; i++)
    {
      PosStaff *s = g_ptr_array_index (staff, i);

      if (!pos_staff_publish (db, s->id, &error))
        {
          pos_database_rollback (db);
          return pos_cli_fail (error);
        }
    }
  if (!pos_database_commit (db, &error))
    return pos_cli_fail (error);
  printf (g_dngettext (GETTEXT_PACKAGE, "%u person queued for the central.\n",
                       "%u people queued for the central.\n", staff->len), staff->len);
  return 0;
}

int
pos_cli_cmd_staff (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *as = NULL;
  const char *sub;

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, g_strdup (argv[i]));
  take_option (args, "--as", &as);
  if (args->len < 1)
    return usage ();
  sub = g_ptr_array_index (args, 0);
  if (g_str_equal (sub, "--help") || g_str_equal (sub, "-h"))
    {
      usage ();
      return 0;
    }
  if (!g_str_equal (sub, "list") && !g_str_equal (sub, "add") &&
      !g_str_equal (sub, "set-pin") && !g_str_equal (sub, "unlock") &&
      !g_str_equal (sub, "publish"))
    return usage ();

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  if (g_str_equal (sub, "list"))
    return cmd_list (db, args);
  if (g_str_equal (sub, "add"))
    return cmd_add (db, args, as);
  if (g_str_equal (sub, "set-pin"))
    return cmd_set_pin (db, args, as);
  if (g_str_equal (sub, "publish"))
    return cmd_publish (db, args, as);
  return cmd_unlock (db, args, as);
}
