/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "terminal/pos-outbox.h"
#include "terminal/pos-sync-apply.h"
#include "terminal/pos-sync-engine.h"
#include "pos-cli.h"

/* `enroll URL TOKEN [--ca-file F]` and `sync status|run|outbox|dead-letters|retry`. */

static void
enroll_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl enroll URL TOKEN [--ca-file FILE]"));
  fprintf (out, "%s\n", _("Enrols this terminal with the central at URL using the one-time token (be_…) that "
                          "“balcao-central terminal enroll --store CODE” printed."));
}

int
pos_cli_cmd_enroll (int    argc,
                    char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  const char *ca_file = NULL;
  const char *args[2] = { NULL, NULL };
  guint n = 0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          enroll_usage (stdout);
          return 0;
        }
      if (g_str_equal (argv[i], "--ca-file") && i + 1 < argc)
        ca_file = argv[++i];
      else if (g_str_has_prefix (argv[i], "--ca-file="))
        ca_file = argv[i] + strlen ("--ca-file=");
      else if (argv[i][0] != '-' && n < 2)
        args[n++] = argv[i];
      else
        {
          enroll_usage (stderr);
          return 2;
        }
    }
  if (n != 2)
    {
      enroll_usage (stderr);
      return 2;
    }

  /* Creates the folder and the database if needed. */
  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  g_clear_object (&db);

  if (!pos_sync_enroll (pos_cli_get_database_path (), args[0], args[1], ca_file, &error))
    return pos_cli_fail (error);

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);
  {
    g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);

    if (info != NULL)
      printf (_("Enrolled with %s: terminal %s (%s) of store %s (%s).\n"), args[0],
              info->terminal_code, info->terminal_name, info->store_code, info->store_name);
    else
      printf (_("Enrolled with %s.\n"), args[0]);
  }
  printf ("%s\n", _("Run “balcao-ctl sync run --once” to load the catalog now, or start the app."));
  return 0;
}

static void
sync_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: balcao-ctl sync status|run [--once]|outbox|dead-letters|retry SEQ [--as CODE]"));
  fprintf (out, "  %s\n", _("status        the sync state as JSON"));
  fprintf (out, "  %s\n", _("run --once    send everything waiting and pull the central's changes, then exit"));
  fprintf (out, "  %s\n", _("run           keep syncing until stopped (Ctrl+C, SIGTERM); state changes on stderr"));
  fprintf (out, "  %s\n", _("outbox        the operations waiting for the central, oldest first"));
  fprintf (out, "  %s\n", _("dead-letters  operations the central refused, and conflicts, newest first"));
  fprintf (out, "  %s\n", _("retry SEQ     send a refused operation again (or dismiss a conflict); needs a manager: the one signed in, or --as CODE with their PIN on stdin"));
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (ms <= 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (ms / 1000);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static int
sync_status (PosDatabase *db)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = pos_database_get_setting (db, "central_url");
  g_autofree char *store = pos_database_get_setting (db, "store_id");
  g_autofree char *terminal = pos_database_get_setting (db, "terminal_id");
  g_autofree char *token_path = pos_sync_token_path (pos_database_get_path (db));
  g_autofree char *state = pos_sync_state_get (db, "state");
  g_autofree char *revoked = pos_sync_state_get (db, "revoked");
  g_autofree char *last_error = pos_sync_state_get (db, "last_error");
  g_autofree char *last_sync = pos_sync_state_get (db, "last_sync_ms");
  g_autofree char *offline_since = pos_sync_state_get (db, "offline_since_ms");
  g_autofree char *cursor = pos_sync_get_cursor (db);
  g_autofree char *json = NULL;
  gboolean enrolled = url != NULL && g_file_test (token_path, G_FILE_TEST_EXISTS);
  guint pending = 0, dead = 0;
  gint64 oldest = 0;

  if (!pos_outbox_get_stats (db, &pending, &oldest, &dead, &error))
    return pos_cli_fail (error);

  if (!enrolled || g_strcmp0 (revoked, "1") == 0 || state == NULL)
    {
      g_free (state);
      state = g_strdup (!enrolled ? "not_enrolled" : g_strcmp0 (revoked, "1") == 0 ? "revoked" : "offline");
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  json_builder_set_member_name (b, "enrolled");
  json_builder_add_boolean_value (b, enrolled);
  json_builder_set_member_name (b, "central_url");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "store_id");
  json_builder_add_string_value (b, store);
  json_builder_set_member_name (b, "terminal_id");
  json_builder_add_string_value (b, terminal);
  json_builder_set_member_name (b, "pending");
  json_builder_add_int_value (b, pending);
  json_builder_set_member_name (b, "oldest_pending_ms");
  json_builder_add_int_value (b, oldest);
  json_builder_set_member_name (b, "dead_letters");
  json_builder_add_int_value (b, dead);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_string_value (b, cursor);
  json_builder_set_member_name (b, "last_sync_ms");
  json_builder_add_int_value (b, last_sync != NULL ? g_ascii_strtoll (last_sync, NULL, 10) : 0);
  json_builder_set_member_name (b, "offline_since_ms");
  json_builder_add_int_value (b, offline_since != NULL ? g_ascii_strtoll (offline_since, NULL, 10) : 0);
  json_builder_set_member_name (b, "last_error");
  json_builder_add_string_value (b, last_error);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, TRUE);
  printf ("%s\n", json);
  return 0;
}

static int
sync_outbox (PosDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pos_outbox_list_pending (db, 0, &error);

  if (list == NULL)
    return pos_cli_fail (error);
  if (list->len == 0)
    {
      printf ("%s\n", _("Nothing is waiting for the central."));
      return 0;
    }
  for (guint i = 0; i < list->len; i++)
    {
      PosOutboxEntry *e = g_ptr_array_index (list, i);
      g_autofree char *when = format_time (e->local_ts);

      printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%u", e->seq, when, e->type, e->label, e->attempts);
      if (e->last_error != NULL)
        printf ("\t%s", e->last_error);
      printf ("\n");
    }
  return 0;
}

static int
sync_dead_letters (PosDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pos_outbox_list_dead (db, &error);

  if (list == NULL)
    return pos_cli_fail (error);
  if (list->len == 0)
    {
      printf ("%s\n", _("No operation was refused by the central."));
      return 0;
    }
  for (guint i = 0; i < list->len; i++)
    {
      PosOutboxEntry *e = g_ptr_array_index (list, i);
      g_autofree char *when = format_time (e->local_ts);

      printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\n", e->seq, when, e->status, e->label,
              e->error_code != NULL ? e->error_code : "-",
              e->last_error != NULL ? e->last_error : "");
    }
  return 0;
}

/* ---- sync run ---- */

typedef struct {
  GMainLoop *loop;
  int        signal;
} RunData;

static gboolean
on_signal (gpointer user_data)
{
  RunData *d = user_data;

  g_main_loop_quit (d->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_state (PosSyncEngine *engine,
          GParamSpec    *pspec,
          gpointer       user_data)
{
  static char *last_line;
  PosSyncState state = pos_sync_engine_get_state (engine);
  g_autofree char *now = format_time (pos_now_ms ());
  const char *error = pos_sync_engine_get_last_error (engine);
  g_autofree char *line = NULL;

  line = g_strdup_printf ("%s (%s: %u, %s: %u)%s%s", pos_sync_state_to_string (state),
                          _("pending"), pos_sync_engine_get_pending (engine),
                          _("dead letters"), pos_sync_engine_get_dead_letters (engine),
                          (state == POS_SYNC_STATE_OFFLINE || state == POS_SYNC_STATE_REVOKED) && error != NULL ? ": " : "",
                          (state == POS_SYNC_STATE_OFFLINE || state == POS_SYNC_STATE_REVOKED) && error != NULL ? error : "");
  /* notify::state and notify::last-error often come together. */
  if (g_strcmp0 (line, last_line) == 0)
    return;
  g_printerr ("%s %s\n", now, line);
  g_free (last_line);
  last_line = g_steal_pointer (&line);
}

static void
on_changes (PosSyncEngine *engine,
            char         **streams,
            gpointer       user_data)
{
  g_autofree char *list = g_strjoinv (", ", streams);
  g_autofree char *now = format_time (pos_now_ms ());

  g_printerr (_("%s pulled changes: %s\n"), now, list);
}

static int
sync_run_forever (void)
{
  g_autoptr(PosSyncEngine) engine = pos_sync_engine_new (pos_cli_get_database_path ());
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  RunData d = { loop, 0 };
  guint term, intr;

  g_signal_connect (engine, "notify::state", G_CALLBACK (on_state), NULL);
  g_signal_connect (engine, "notify::last-error", G_CALLBACK (on_state), NULL);
  g_signal_connect (engine, "changes-applied", G_CALLBACK (on_changes), NULL);
  term = g_unix_signal_add (SIGTERM, on_signal, &d);
  intr = g_unix_signal_add (SIGINT, on_signal, &d);

  pos_sync_engine_start (engine);
  g_main_loop_run (loop);
  pos_sync_engine_stop (engine);

  g_source_remove (term);
  g_source_remove (intr);
  /* Let the last notifications go before the engine is freed. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_printerr ("%s\n", _("Sync stopped."));
  return 0;
}

static int
sync_run_once (PosDatabase *db)
{
  g_autoptr(GError) error = NULL;
  guint pending = 0, dead = 0;
  gint64 oldest = 0;

  if (!pos_sync_run_once (pos_cli_get_database_path (), NULL, &error))
    return pos_cli_fail (error);
  pos_outbox_get_stats (db, &pending, &oldest, &dead, NULL);
  printf (_("Synced: %u operations waiting, %u dead letters.\n"), pending, dead);
  return 0;
}

int
pos_cli_cmd_sync (int    argc,
                  char **argv)
{
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  const char *what = argc >= 2 ? argv[1] : NULL;

  if (what != NULL && (g_str_equal (what, "--help") || g_str_equal (what, "-h")))
    {
      sync_usage (stdout);
      return 0;
    }
  if (what == NULL)
    {
      sync_usage (stderr);
      return 2;
    }

  db = pos_cli_open_database (&error);
  if (db == NULL)
    return pos_cli_fail (error);

  if (g_str_equal (what, "status") && argc == 2)
    return sync_status (db);
  if (g_str_equal (what, "outbox") && argc == 2)
    return sync_outbox (db);
  if (g_str_equal (what, "dead-letters") && argc == 2)
    return sync_dead_letters (db);
  if (g_str_equal (what, "run") && argc == 3 && g_str_equal (argv[2], "--once"))
    return sync_run_once (db);
  if (g_str_equal (what, "run") && argc == 2)
    {
      g_clear_object (&db);
      return sync_run_forever ();
    }
  if (g_str_equal (what, "retry") && (argc == 3 || (argc == 5 && g_str_equal (argv[3], "--as"))))
    {
      gint64 seq;

      if (!g_ascii_string_to_signed (argv[2], 10, 1, G_MAXINT64, &seq, NULL))
        {
          g_printerr (_("balcao-ctl: “%s” is not an operation number; see “balcao-ctl sync dead-letters”.\n"),
                      argv[2]);
          return 2;
        }
      /* needs manage_sync: the person signed in at the counter, or --as */
      if (!pos_cli_act_as (db, argc == 5 ? argv[4] : NULL, &error) ||
          !pos_outbox_retry (db, seq, NULL, &error))
        return pos_cli_fail (error);
      printf (_("Operation %s will be sent again (a conflict is dismissed).\n"), argv[2]);
      return 0;
    }

  sync_usage (stderr);
  return 2;
}
