/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-audit.h"
#include "terminal/pos-staff.h"
#include "pos-cli.h"

/* balcao-ctl audit [--action PREFIX] [--staff ID|CODE] [--limit N]
 *                  [--before ID] [--json] [--as CODE]
 *
 * The audit log, newest first. Reading it needs view_audit: the person
 * signed in at this terminal, or --as CODE with that person's PIN on the
 * first line of the standard input (as for `staff`). */

static int
usage (void)
{
  g_printerr ("%s\n", _("Usage: balcao-ctl audit [--action PREFIX] [--staff ID|CODE] [--limit N] [--before ID] [--json] [--as CODE]\n"
                        "The audit log, newest first (--action staff. shows every staff action). Reading it needs\n"
                        "view_audit: the person signed in at this terminal, or --as CODE, whose PIN is read from\n"
                        "the standard input (who is signed in at the counter does not change)."));
  return 2;
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ms / 1000);

  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
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

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
print_json (GPtrArray *rows)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    {
      PosAuditEntry *e = g_ptr_array_index (rows, i);
      JsonNode *data = e->data != NULL ? json_from_string (e->data, NULL) : NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, e->id);
      add_string (b, "uuid", e->uuid);
      json_builder_set_member_name (b, "occurred_at");
      json_builder_add_int_value (b, e->occurred_at);
      add_string (b, "terminal_id", e->terminal_id);
      add_string (b, "terminal_name", e->terminal_name);
      add_string (b, "staff_id", e->staff_id);
      add_string (b, "staff_name", e->staff_name);
      add_string (b, "approver_id", e->approver_id);
      add_string (b, "approver_name", e->approver_name);
      add_string (b, "action", e->action);
      add_string (b, "description", pos_audit_describe_action (e->action));
      add_string (b, "entity", e->entity);
      add_string (b, "entity_id", e->entity_id);
      add_string (b, "reason", e->reason);
      if (data != NULL)
        {
          json_builder_set_member_name (b, "data");
          json_builder_add_value (b, data);
        }
      else
        add_string (b, "data", e->data);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

int
pos_cli_cmd_audit (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(PosStaff) staff = NULL;
  PosAuditFilter filter = { 0, };
  const char *staff_key = NULL;
  const char *as = NULL;
  gboolean json = FALSE;
  gint64 before = 0;
  guint limit = 50;

  for (int i = 1; i < argc; i++)
    {
      guint64 n;

      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--action") && i + 1 < argc)
        filter.action_prefix = argv[++i];
      else if (g_str_equal (argv[i], "--staff") && i + 1 < argc)
        staff_key = argv[++i];
      else if (g_str_equal (argv[i], "--as") && i + 1 < argc)
        as = argv[++i];
      else if (g_str_equal (argv[i], "--limit") && i + 1 < argc)
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, 1000, &n, &error))
            {
              g_printerr (_("balcao-ctl: --limit: %s\n"), error->message);
              return 2;
            }
          limit = (guint) n;
        }
      else if (g_str_equal (argv[i], "--before") && i + 1 < argc)
        {
          if (!g_ascii_string_to_unsigned (argv[++i], 10, 1, G_MAXINT64, &n, &error))
            {
              g_printerr (_("balcao-ctl: --before: %s\n"), error->message);
              return 2;
            }
          before = (gint64) n;
        }
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          usage ();
          return 0;
        }
      else
        return usage ();
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  if (!pos_cli_act_as (db, as, &error))
    return pos_cli_fail (error);
  if (staff_key != NULL)
    {
      staff = pos_staff_get (db, staff_key, &error);
      if (staff == NULL)
        return pos_cli_fail (error);
      filter.staff_id = staff->id;
    }

  rows = pos_audit_list (db, &filter, before, limit, &error);
  if (rows == NULL)
    return pos_cli_fail (error);

  if (json)
    {
      print_json (rows);
      return 0;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      PosAuditEntry *e = g_ptr_array_index (rows, i);
      g_autofree char *when = format_time (e->occurred_at);

      g_autofree char *who = pad (e->staff_name != NULL ? e->staff_name : (e->staff_id != NULL ? e->staff_id : "-"), 22);
      g_autofree char *where = pad (e->terminal_name != NULL ? e->terminal_name : "-", 10);

      printf ("%6" G_GINT64_FORMAT "  %s  %s  %s  %s", e->id, when, where, who,
              pos_audit_describe_action (e->action));
      if (e->entity_id != NULL)
        printf (" (%s %s)", e->entity != NULL ? e->entity : "", e->entity_id);
      if (e->approver_id != NULL)
        printf (_(", approved by %s"), e->approver_name != NULL ? e->approver_name : e->approver_id);
      if (e->reason != NULL)
        printf (": %s", e->reason);
      printf ("\n");
    }
  if (rows->len == 0)
    g_printerr ("%s\n", _("Nothing in the audit log matches."));
  else if (rows->len == limit)
    {
      g_autofree char *last = g_strdup_printf ("%" G_GINT64_FORMAT,
                                               ((PosAuditEntry *) g_ptr_array_index (rows, rows->len - 1))->id);
      g_printerr (_("More with --before %s.\n"), last);
    }
  return 0;
}
