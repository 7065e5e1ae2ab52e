/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-sync-wire.h"
#include "pos-database.h"
#include "pos-outbox.h"
#include "pos-pickups-private.h"
#include "pos-sync-apply.h"
#include "pos-catalog.h"
#include "pos-sync-engine.h"

#define PULL_LIMIT           5000
#define BACKOFF_BASE_MS      1000
#define BACKOFF_CAP_MS       (5 * 60 * 1000)
#define IDLE_CHECK_MS        2000
#define DEFAULT_WAIT_S       25

/* ------------------------------------------------------------------ */
/* Small public helpers                                                */

GType
pos_sync_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { POS_SYNC_STATE_NOT_ENROLLED, "POS_SYNC_STATE_NOT_ENROLLED", "not-enrolled" },
        { POS_SYNC_STATE_ONLINE, "POS_SYNC_STATE_ONLINE", "online" },
        { POS_SYNC_STATE_SYNCING, "POS_SYNC_STATE_SYNCING", "syncing" },
        { POS_SYNC_STATE_OFFLINE, "POS_SYNC_STATE_OFFLINE", "offline" },
        { POS_SYNC_STATE_REVOKED, "POS_SYNC_STATE_REVOKED", "revoked" },
        { 0, NULL, NULL },
      };
      GType t = g_enum_register_static (g_intern_static_string ("PosSyncState"), values);

      g_once_init_leave (&type_id, t);
    }
  return type_id;
}

const char *
pos_sync_state_to_string (PosSyncState state)
{
  switch (state)
    {
    case POS_SYNC_STATE_NOT_ENROLLED:
      return "not_enrolled";
    case POS_SYNC_STATE_ONLINE:
      return "online";
    case POS_SYNC_STATE_SYNCING:
      return "syncing";
    case POS_SYNC_STATE_OFFLINE:
      return "offline";
    case POS_SYNC_STATE_REVOKED:
      return "revoked";
    default:
      return "unknown";
    }
}

char *
pos_sync_token_path (const char *database_path)
{
  return g_strconcat (database_path, ".token", NULL);
}

gint64
pos_sync_backoff_ms (guint   failures,
                     gint64  cap_ms,
                     guint32 random)
{
  gint64 ceiling;

  if (failures == 0)
    return 0;
  if (cap_ms <= 0)
    cap_ms = BACKOFF_CAP_MS;
  /* 1 s × 2^(failures-1), without overflowing. */
  ceiling = failures - 1 >= 30 ? cap_ms : MIN (cap_ms, (gint64) BACKOFF_BASE_MS << (failures - 1));
  return (gint64) (((guint64) random * (guint64) (ceiling + 1)) >> 32);
}

gint64
pos_sync_backoff_cap_ms (void)
{
  const char *env = g_getenv ("BALCAO_SYNC_BACKOFF_CAP_MS");
  gint64 v;

  if (env != NULL && g_ascii_string_to_signed (env, 10, 1, BACKOFF_CAP_MS, &v, NULL))
    return v;
  return BACKOFF_CAP_MS;
}

/* ------------------------------------------------------------------ */
/* A session: one database connection talking to one central           */

typedef void (*ProgressFunc) (gpointer user_data);

typedef struct {
  PosDatabase    *db;
  PosSyncClient  *client;
  PosSyncApplier *applier;
  char           *terminal_id;
  char           *enrolled_at;     /* settings sync_enrolled_at when read */
  guint           wait_seconds;
  guint           low_speed_seconds;
  gint64          retry_after_ms;  /* from the last failed answer */
  GHashTable     *streams;         /* pulled streams, for changes-applied */
  ProgressFunc    progress;
  gpointer        progress_data;
} Session;

static void
session_free (Session *s)
{
  if (s == NULL)
    return;
  g_clear_pointer (&s->client, pos_sync_client_free);
  g_clear_pointer (&s->applier, pos_sync_applier_free);
  g_clear_object (&s->db);
  g_free (s->terminal_id);
  g_free (s->enrolled_at);
  g_clear_pointer (&s->streams, g_hash_table_unref);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static guint
setting_uint (PosDatabase *db,
              const char  *key,
              guint        fallback)
{
  g_autofree char *text = pos_database_get_setting (db, key);
  guint64 v;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, 3600, &v, NULL))
    return (guint) v;
  return fallback;
}

static char *
read_token (const char *database_path)
{
  g_autofree char *path = pos_sync_token_path (database_path);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  g_strstrip (contents);
  if (*contents == '\0')
    return NULL;
  return g_steal_pointer (&contents);
}

PosSyncClient *
pos_sync_client_new_for_database (PosDatabase  *db,
                                  GError      **error)
{
  g_autofree char *url = pos_database_get_setting (db, "central_url");
  g_autofree char *terminal_id = pos_database_get_setting (db, "terminal_id");
  g_autofree char *token = read_token (pos_database_get_path (db));
  g_autofree char *ca_file = NULL;

  if (url == NULL || *url == '\0' || token == NULL || terminal_id == NULL)
    {
      g_set_error_literal (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NOT_ENROLLED,
                           _("This terminal is not enrolled with a central. "
                             "Enrol it with “balcao-ctl enroll URL TOKEN”."));
      return NULL;
    }
  ca_file = pos_database_get_setting (db, "sync_ca_file");
  return pos_sync_client_new (url, token, ca_file, setting_uint (db, "sync_low_speed_seconds", 30));
}

/* NULL + POS_SYNC_ERROR_NOT_ENROLLED when there is no central. */
static Session *
session_new (PosDatabase  *db,
             GError      **error)
{
  g_autoptr(Session) s = g_new0 (Session, 1);

  s->db = g_object_ref (db);
  s->streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->client = pos_sync_client_new_for_database (db, error);
  if (s->client == NULL)
    return NULL;
  s->terminal_id = pos_database_get_setting (db, "terminal_id");
  s->enrolled_at = pos_database_get_setting (db, "sync_enrolled_at");
  s->low_speed_seconds = setting_uint (db, "sync_low_speed_seconds", 30);
  s->wait_seconds = MIN (setting_uint (db, "sync_wait_seconds", DEFAULT_WAIT_S), 60);
  s->applier = pos_sync_applier_new (db);
  return g_steal_pointer (&s);
}

static const char *
body_data (const PosSyncResponse *r,
           gsize                 *len)
{
  const char *data = r->body != NULL ? g_bytes_get_data (r->body, len) : NULL;

  if (data == NULL)
    {
      *len = 0;
      return "";
    }
  return data;
}

static gboolean
bad_answer (Session     *s,
            const char  *what,
            GError      *parse_error,
            GError     **error)
{
  g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
               _("The central at %s sent an answer that could not be read (%s: %s). "
                 "Nothing was changed; it will be tried again."),
               pos_sync_client_get_host (s->client), what,
               parse_error != NULL ? parse_error->message : _("unexpected content"));
  return FALSE;
}

static gboolean
http_failed (Session               *s,
             const PosSyncResponse *r,
             GError               **error)
{
  s->retry_after_ms = r->retry_after_ms;
  pos_sync_client_set_http_error (s->client, r, error);
  return FALSE;
}

/* ---- Push ---- */

static gboolean push_ops (Session *s, GPtrArray *ops, gboolean alone, GError **error);

static gboolean
record_results (Session   *s,
                GPtrArray *ops,
                GPtrArray *results,
                GError   **error)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 now = pos_now_ms ();

  for (guint i = 0; i < results->len; i++)
    {
      PosSyncResult *r = g_ptr_array_index (results, i);
      g_hash_table_insert (by_id, r->op_id, r);
    }
  for (guint i = 0; i < ops->len; i++)
    {
      PosOutboxOp *op = g_ptr_array_index (ops, i);
      if (!g_hash_table_contains (by_id, op->op_id))
        {
          g_autoptr(GError) missing = g_error_new (POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
                                                   "no result for operation %s", op->op_id);
          return bad_answer (s, _("sending"), missing, error);
        }
    }

  if (!pos_database_begin (s->db, error))
    return FALSE;
  for (guint i = 0; i < ops->len; i++)
    {
      PosOutboxOp *op = g_ptr_array_index (ops, i);
      PosSyncResult *r = g_hash_table_lookup (by_id, op->op_id);
      gboolean ok = TRUE;

      switch (r->status)
        {
        case POS_SYNC_RESULT_APPLIED:
        case POS_SYNC_RESULT_DUPLICATE:
          ok = pos_outbox_mark_done (s->db, op, pos_sync_result_status_to_string (r->status), now, error);
          break;
        case POS_SYNC_RESULT_REJECTED:
          g_message ("Operation %" G_GINT64_FORMAT " (%s %s) rejected by the central: %s %s",
                     op->seq, op->type, op->entity_id, r->code ? r->code : "", r->message ? r->message : "");
          ok = pos_outbox_mark_refused (s->db, op, "rejected", r->code, r->message, NULL, now, error) &&
               _pos_pickups_note_refusal (s->db, op->type, op->payload, r->message, error);
          break;
        case POS_SYNC_RESULT_CONFLICT:
          {
            g_autofree char *state = r->server_state != NULL ? json_to_string (r->server_state, FALSE) : NULL;

            ok = pos_sync_applier_apply_server_state (s->applier, op->type, op->entity_id,
                                                      r->server_state, error) &&
                 pos_outbox_mark_refused (s->db, op, "conflict", r->code, r->message, state, now, error) &&
                 _pos_pickups_note_refusal (s->db, op->type, op->payload, r->message, error);
            break;
          }
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        {
          pos_database_rollback (s->db);
          return FALSE;
        }
    }
  if (!pos_database_commit (s->db, error))
    {
      pos_database_rollback (s->db);
      return FALSE;
    }
  {
    g_auto(GStrv) streams = pos_sync_applier_take_streams (s->applier);
    for (guint i = 0; streams != NULL && streams[i] != NULL; i++)
      g_hash_table_add (s->streams, g_strdup (streams[i]));
  }
  return TRUE;
}

/* A batch refused as a whole (400, 413): each operation alone; one
 * refused alone is a dead letter with the central's words. */
static gboolean
refuse_alone (Session               *s,
              PosOutboxOp           *op,
              const PosSyncResponse *r,
              GError               **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  gsize len;
  const char *data = body_data (r, &len);

  if (!pos_sync_error_parse (data, len, &code, &message))
    {
      code = g_strdup (r->status == 413 ? "body_too_large" : "bad_request");
      message = g_strdup_printf ("HTTP %u", r->status);
    }
  g_message ("Operation %" G_GINT64_FORMAT " (%s %s) refused by the central: %s",
             op->seq, op->type, op->entity_id, message);
  if (!pos_database_begin (s->db, error))
    return FALSE;
  if (!pos_outbox_mark_refused (s->db, op, "rejected", code, message, NULL, pos_now_ms (), error) ||
      !_pos_pickups_note_refusal (s->db, op->type, op->payload, message, error) ||
      !pos_database_commit (s->db, error))
    {
      pos_database_rollback (s->db);
      return FALSE;
    }
  return TRUE;
}

static gboolean
push_ops (Session   *s,
          GPtrArray *ops,
          gboolean   alone,
          GError   **error)
{
  g_autofree char *body = NULL;
  g_auto(PosSyncResponse) r = { 0, };
  g_autoptr(GError) local_error = NULL;
  GString *b = pos_sync_push_request_begin (s->terminal_id);

  for (guint i = 0; i < ops->len; i++)
    {
      PosOutboxOp *op = g_ptr_array_index (ops, i);
      pos_sync_push_request_append (b, op->op_id, op->seq, op->type, op->entity_id, op->payload, op->local_ts);
    }
  body = pos_sync_push_request_end (b);

  if (!pos_sync_client_request (s->client, "POST", "/v1/sync/push", body, strlen (body),
                                FALSE, 0, &r, &local_error))
    {
      if (!g_error_matches (local_error, POS_SYNC_ERROR, POS_SYNC_ERROR_CANCELLED))
        pos_outbox_note_failure (s->db, ops, local_error->message, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (r.status >= 200 && r.status < 300)
    {
      g_autoptr(GPtrArray) results = NULL;
      gsize len;
      const char *data = body_data (&r, &len);

      results = pos_sync_push_results_parse (data, len, &local_error);
      if (results == NULL)
        return bad_answer (s, _("sending"), local_error, error);
      return record_results (s, ops, results, error);
    }

  if (r.status == 400 || r.status == 413)
    {
      if (alone || ops->len == 1)
        return refuse_alone (s, g_ptr_array_index (ops, 0), &r, error);
      for (guint i = 0; i < ops->len; i++)
        {
          g_autoptr(GPtrArray) one = g_ptr_array_new ();

          g_ptr_array_add (one, g_ptr_array_index (ops, i));
          if (!push_ops (s, one, TRUE, error))
            return FALSE;
        }
      return TRUE;
    }

  http_failed (s, &r, &local_error);
  if (!g_error_matches (local_error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED))
    pos_outbox_note_failure (s->db, ops, local_error->message, NULL);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Sends every operation that can be sent now. */
static gboolean
session_push_all (Session *s,
                  GError **error)
{
  for (;;)
    {
      g_autoptr(GPtrArray) ops = pos_outbox_next_batch (s->db, POS_SYNC_MAX_BATCH, error);

      if (ops == NULL)
        return FALSE;
      if (ops->len == 0)
        return TRUE;
      if (!push_ops (s, ops, FALSE, error))
        return FALSE;
      if (s->progress != NULL)
        s->progress (s->progress_data);
    }
}

/* ---- Pull ---- */

static void
collect_streams (Session *s)
{
  g_auto(GStrv) streams = pos_sync_applier_take_streams (s->applier);

  for (guint i = 0; streams != NULL && streams[i] != NULL; i++)
    g_hash_table_add (s->streams, g_strdup (streams[i]));
}

static gboolean
session_rebuild (Session *s,
                 GError **error)
{
  g_autofree char *first_as_of = NULL;

  g_message ("The central no longer has the changes since this terminal's last sync: rebuilding from snapshots");
  if (!pos_sync_applier_begin_rebuild (s->applier, error))
    return FALSE;

  for (guint i = 0; pos_sync_streams[i] != NULL; i++)
    {
      const char *stream = pos_sync_streams[i];
      g_autofree char *after = NULL;
      g_autofree char *as_of = NULL;
      gboolean more = TRUE;

      while (more)
        {
          g_autoptr(GString) path = g_string_new (NULL);
          g_auto(PosSyncResponse) r = { 0, };
          g_autoptr(PosSyncPage) page = NULL;
          g_autoptr(GError) local_error = NULL;
          const char *data;
          gsize len;

          g_string_printf (path, "/v1/sync/snapshot/%s?limit=%d", stream, PULL_LIMIT);
          if (after != NULL)
            {
              g_autofree char *e = g_uri_escape_string (after, NULL, FALSE);
              g_string_append_printf (path, "&after=%s", e);
            }
          if (as_of != NULL)
            {
              g_autofree char *e = g_uri_escape_string (as_of, NULL, FALSE);
              g_string_append_printf (path, "&as_of=%s", e);
            }
          if (!pos_sync_client_request (s->client, "GET", path->str, NULL, 0, FALSE, 0, &r, error))
            goto fail;
          if (r.status != 200)
            {
              http_failed (s, &r, error);
              goto fail;
            }
          data = body_data (&r, &len);
          page = pos_sync_snapshot_page_parse (data, len, &local_error);
          if (page == NULL)
            {
              bad_answer (s, _("rebuilding"), local_error, error);
              goto fail;
            }
          if (!pos_sync_applier_apply_page (s->applier, page, NULL, error))
            goto fail;
          collect_streams (s);
          if (as_of == NULL)
            as_of = g_strdup (page->next_cursor);
          more = page->has_more && page->next_after != NULL &&
                 g_strcmp0 (page->next_after, after) != 0;
          g_free (after);
          after = g_strdup (page->next_after);
        }

      if (first_as_of == NULL)
        first_as_of = g_strdup (as_of);
      if (!pos_database_begin (s->db, error))
        goto fail;
      if (!pos_sync_applier_sweep (s->applier, stream, error) ||
          (pos_sync_streams[i + 1] == NULL &&
           !pos_sync_set_cursor (s->db, first_as_of != NULL ? first_as_of : "", error)) ||
          !pos_database_commit (s->db, error))
        {
          pos_database_rollback (s->db);
          goto fail;
        }
      g_hash_table_add (s->streams, g_strdup (stream));
    }

  pos_sync_applier_end_rebuild (s->applier);
  return TRUE;

fail:
  pos_sync_applier_end_rebuild (s->applier);
  return FALSE;
}

static gboolean
session_pull_pages (Session *s,
                    GError **error)
{
  guint rebuilds = 0;

  for (;;)
    {
      g_autofree char *cursor = pos_sync_get_cursor (s->db);
      g_autofree char *escaped = g_uri_escape_string (cursor, NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/v1/sync/pull?limit=%d%s%s", PULL_LIMIT,
                                               *cursor ? "&cursor=" : "", *cursor ? escaped : "");
      g_auto(PosSyncResponse) r = { 0, };
      g_autoptr(PosSyncPage) page = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *data;
      gsize len;

      if (!pos_sync_client_request (s->client, "GET", path, NULL, 0, FALSE, 0, &r, error))
        return FALSE;
      if (r.status == 410 && rebuilds++ == 0)
        {
          if (!session_rebuild (s, error))
            return FALSE;
          continue;
        }
      if (r.status != 200)
        return http_failed (s, &r, error);

      data = body_data (&r, &len);
      page = pos_sync_pull_page_parse (data, len, &local_error);
      if (page == NULL)
        return bad_answer (s, _("pulling"), local_error, error);
      if (!pos_sync_applier_apply_page (s->applier, page, page->next_cursor, error))
        return FALSE;
      collect_streams (s);
      if (s->progress != NULL)
        s->progress (s->progress_data);
      if (!page->has_more || g_strcmp0 (page->next_cursor, cursor) == 0)
        return TRUE;
    }
}

/* Pulls until the central has nothing more. From the empty cursor (a
 * first pull: the whole catalog) the product search index is suspended
 * and rebuilt once at the end instead of row by row; it is put back
 * whatever happens, and a load a crash interrupted is repaired here the
 * next time. */
static gboolean
session_pull_all (Session *s,
                  GError **error)
{
  g_autofree char *cursor = pos_sync_get_cursor (s->db);
  g_autoptr(GError) resume_error = NULL;
  gboolean ok;

  if (!pos_catalog_resume_search_index (s->db, error))
    return FALSE;
  if (*cursor == '\0' && !pos_catalog_suspend_search_index (s->db, error))
    return FALSE;
  ok = session_pull_pages (s, error);
  if (!pos_catalog_resume_search_index (s->db, &resume_error))
    {
      if (ok)
        g_propagate_error (error, g_steal_pointer (&resume_error));
      else
        g_warning ("Rebuilding the product search index: %s", resume_error->message);
      return FALSE;
    }
  return ok;
}

/* Long poll. TRUE with *changed when the central has news; an
 * interruption (kick) is POS_SYNC_ERROR_CANCELLED. */
static gboolean
session_wait (Session  *s,
              gboolean *changed,
              GError  **error)
{
  g_autofree char *cursor = pos_sync_get_cursor (s->db);
  g_autofree char *escaped = g_uri_escape_string (cursor, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/v1/sync/wait?timeout=%u&cursor=%s", s->wait_seconds, escaped);
  g_auto(PosSyncResponse) r = { 0, };

  *changed = FALSE;
  if (!pos_sync_client_request (s->client, "GET", path, NULL, 0, TRUE,
                                s->wait_seconds + s->low_speed_seconds, &r, error))
    return FALSE;
  if (r.status == 204)
    return TRUE;
  if (r.status == 200)
    {
      g_auto(GStrv) streams = NULL;
      g_autofree char *latest = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize len;
      const char *data = body_data (&r, &len);

      if (!pos_sync_wait_parse (data, len, &streams, &latest, &local_error))
        return bad_answer (s, _("waiting for changes"), local_error, error);
      *changed = TRUE;
      return TRUE;
    }
  return http_failed (s, &r, error);
}

static char **
session_take_streams (Session *s)
{
  g_autoptr(GPtrArray) list = NULL;
  GHashTableIter iter;
  gpointer key;

  if (g_hash_table_size (s->streams) == 0)
    return NULL;
  list = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, s->streams);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (list, g_strdup (key));
  g_hash_table_remove_all (s->streams);
  g_ptr_array_add (list, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
}

static void
persist (PosDatabase *db,
         const char  *key,
         const char  *value)
{
  g_autofree char *old = pos_sync_state_get (db, key);

  if (g_strcmp0 (old, value) != 0)
    pos_sync_state_set (db, key, value, NULL);
}

static void
persist_int (PosDatabase *db,
             const char  *key,
             gint64       value)
{
  g_autofree char *text = value != 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, value) : NULL;

  persist (db, key, text);
}

static gboolean
is_revoked (PosDatabase *db)
{
  g_autofree char *revoked = pos_sync_state_get (db, "revoked");

  return g_strcmp0 (revoked, "1") == 0;
}

/* ------------------------------------------------------------------ */
/* One-shot                                                            */

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  pos_sync_client_stop (user_data);
}

gboolean
pos_sync_run_once (const char    *database_path,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(Session) s = NULL;
  g_autoptr(GError) local_error = NULL;
  gulong handler = 0;
  gboolean ok;

  g_return_val_if_fail (database_path != NULL, FALSE);

  db = pos_database_open (database_path, error);
  if (db == NULL)
    return FALSE;
  s = session_new (db, error);
  if (s == NULL)
    return FALSE;
  if (is_revoked (db))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED,
                   _("The central revoked this terminal's access. Sales are kept here; "
                     "enrol the terminal again to resume sending them."));
      return FALSE;
    }

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), s->client, NULL);
  ok = session_push_all (s, &local_error) && session_pull_all (s, &local_error);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);

  if (ok)
    {
      persist_int (db, "last_sync_ms", pos_now_ms ());
      persist (db, "last_error", NULL);
      persist (db, "offline_since_ms", NULL);
      persist (db, "state", "online");
      return TRUE;
    }

  if (g_error_matches (local_error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED))
    {
      persist (db, "revoked", "1");
      persist (db, "state", "revoked");
    }
  else if (!g_error_matches (local_error, POS_SYNC_ERROR, POS_SYNC_ERROR_CANCELLED))
    {
      g_autofree char *since = pos_sync_state_get (db, "offline_since_ms");

      persist (db, "state", "offline");
      if (since == NULL)
        persist_int (db, "offline_since_ms", pos_now_ms ());
    }
  persist (db, "last_error", local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The engine                                                          */

/* What the thread publishes; copied to the object's fields on the owner's
 * main context. */
typedef struct {
  PosSyncState state;
  guint        pending;
  gint64       oldest_pending_ms;
  gint64       offline_since_ms;
  gint64       last_sync_ms;
  char        *last_error;
  guint        dead_letters;
} Snapshot;

/* Outlives the engine: what idles posted by the thread hold. */
typedef struct {
  gatomicrefcount ref;
  GWeakRef        engine;
} Link;

struct _PosSyncEngine
{
  GObject       parent_instance;

  char         *database_path;
  GMainContext *owner;
  Link         *link;
  GThread      *thread;
  GNetworkMonitor *monitor;
  gulong        network_handler;
  gboolean      network_available;

  GMutex        lock;
  GCond         cond;
  gboolean      stopping;      /* under lock */
  gboolean      kicked;        /* under lock */
  PosSyncClient *client;       /* the thread's current client, under lock */
  Snapshot      shared;        /* under lock */

  Snapshot      pub;           /* owner's thread only */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_PENDING,
  PROP_OLDEST_PENDING_MS,
  PROP_OFFLINE_SINCE_MS,
  PROP_LAST_SYNC_MS,
  PROP_LAST_ERROR,
  PROP_DEAD_LETTERS,
  N_PROPS
};

enum {
  SIGNAL_CHANGES_APPLIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PosSyncEngine, pos_sync_engine, G_TYPE_OBJECT)

static Link *
link_ref (Link *link)
{
  g_atomic_ref_count_inc (&link->ref);
  return link;
}

static void
link_unref (gpointer data)
{
  Link *link = data;

  if (g_atomic_ref_count_dec (&link->ref))
    {
      g_weak_ref_clear (&link->engine);
      g_free (link);
    }
}

typedef struct {
  Link  *link;
  char **streams;   /* NULL: a state update */
} Post;

static void
post_free (gpointer data)
{
  Post *p = data;

  link_unref (p->link);
  g_strfreev (p->streams);
  g_free (p);
}

static gboolean
on_post (gpointer data)
{
  Post *p = data;
  g_autoptr(PosSyncEngine) self = g_weak_ref_get (&p->link->engine);
  Snapshot now;

  if (self == NULL)
    return G_SOURCE_REMOVE;

  if (p->streams != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_CHANGES_APPLIED], 0, p->streams);
      return G_SOURCE_REMOVE;
    }

  g_mutex_lock (&self->lock);
  now = self->shared;
  now.last_error = g_strdup (self->shared.last_error);
  g_mutex_unlock (&self->lock);

  g_object_freeze_notify (G_OBJECT (self));
#define UPDATE(field, prop) \
  if (self->pub.field != now.field) \
    { \
      self->pub.field = now.field; \
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); \
    }
  UPDATE (state, PROP_STATE);
  UPDATE (pending, PROP_PENDING);
  UPDATE (oldest_pending_ms, PROP_OLDEST_PENDING_MS);
  UPDATE (offline_since_ms, PROP_OFFLINE_SINCE_MS);
  UPDATE (last_sync_ms, PROP_LAST_SYNC_MS);
  UPDATE (dead_letters, PROP_DEAD_LETTERS);
#undef UPDATE
  if (g_strcmp0 (self->pub.last_error, now.last_error) != 0)
    {
      g_free (self->pub.last_error);
      self->pub.last_error = g_steal_pointer (&now.last_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }
  g_free (now.last_error);
  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

static void
post (PosSyncEngine *self,
      char         **streams)
{
  Post *p = g_new0 (Post, 1);

  p->link = link_ref (self->link);
  p->streams = streams;
  g_main_context_invoke_full (self->owner, G_PRIORITY_DEFAULT, on_post, p, post_free);
}

/* ---- On the engine's thread ---- */

typedef struct {
  PosSyncEngine *self;
  PosDatabase   *db;
  Session       *session;
  guint          failures;
} Worker;

static gboolean
worker_stopping (Worker *w)
{
  gboolean stopping;

  g_mutex_lock (&w->self->lock);
  stopping = w->self->stopping;
  g_mutex_unlock (&w->self->lock);
  return stopping;
}

/* Sleeps until the time passes, a kick or a stop. TRUE if kicked. */
static gboolean
worker_sleep (Worker *w,
              gint64  ms)
{
  PosSyncEngine *self = w->self;
  gint64 until = g_get_monotonic_time () + ms * 1000;
  gboolean kicked;

  g_mutex_lock (&self->lock);
  while (!self->stopping && !self->kicked)
    if (!g_cond_wait_until (&self->cond, &self->lock, until))
      break;
  kicked = self->kicked;
  self->kicked = FALSE;
  g_mutex_unlock (&self->lock);
  return kicked;
}

static gboolean
take_kick (Worker *w)
{
  gboolean kicked;

  g_mutex_lock (&w->self->lock);
  kicked = w->self->kicked;
  w->self->kicked = FALSE;
  g_mutex_unlock (&w->self->lock);
  return kicked;
}

/* Publishes the state; error_message NULL keeps the last error unless
 * clear_error. */
static void
publish (Worker       *w,
         PosSyncState  state,
         const char   *error_message,
         gboolean      clear_error)
{
  PosSyncEngine *self = w->self;
  guint pending = 0, dead = 0;
  gint64 oldest = 0;
  gint64 now = pos_now_ms ();
  Snapshot *s = &self->shared;
  gint64 offline_since, last_sync;
  g_autofree char *last_error = NULL;

  if (w->db != NULL)
    pos_outbox_get_stats (w->db, &pending, &oldest, &dead, NULL);

  g_mutex_lock (&self->lock);
  s->state = state;
  s->pending = pending;
  s->oldest_pending_ms = oldest;
  s->dead_letters = dead;
  if (state == POS_SYNC_STATE_OFFLINE)
    {
      if (s->offline_since_ms == 0)
        s->offline_since_ms = now;
    }
  else if (state == POS_SYNC_STATE_ONLINE)
    {
      s->offline_since_ms = 0;
      s->last_sync_ms = now;
    }
  if (error_message != NULL)
    {
      g_free (s->last_error);
      s->last_error = g_strdup (error_message);
    }
  else if (clear_error)
    g_clear_pointer (&s->last_error, g_free);
  offline_since = s->offline_since_ms;
  last_sync = s->last_sync_ms;
  last_error = g_strdup (s->last_error);
  g_mutex_unlock (&self->lock);

  if (w->db != NULL)
    {
      persist (w->db, "state", pos_sync_state_to_string (state));
      persist (w->db, "last_error", last_error);
      persist_int (w->db, "offline_since_ms", offline_since);
      if (state == POS_SYNC_STATE_ONLINE)
        persist_int (w->db, "last_sync_ms", last_sync);
    }
  post (self, NULL);
}

static void
on_progress (gpointer data)
{
  Worker *w = data;

  publish (w, POS_SYNC_STATE_SYNCING, NULL, FALSE);
}

static void
worker_set_session (Worker  *w,
                    Session *session)
{
  g_mutex_lock (&w->self->lock);
  w->self->client = session != NULL ? session->client : NULL;
  g_mutex_unlock (&w->self->lock);
  /* The engine no longer reaches the old client (cleared under the lock
   * above): it can go. */
  if (w->session != NULL && w->session != session)
    session_free (w->session);
  w->session = session;
}

static gboolean
has_sendable (gpointer data)
{
  PosDatabase *db = data;
  g_autoptr(GPtrArray) ops = pos_outbox_next_batch (db, 1, NULL);

  return ops != NULL && ops->len > 0;
}

/* (Re)reads the enrolment: NULL when not enrolled. */
static Session *
worker_session (Worker *w)
{
  g_autofree char *enrolled_at = pos_database_get_setting (w->db, "sync_enrolled_at");
  g_autoptr(GError) error = NULL;
  Session *s;

  if (w->session != NULL && g_strcmp0 (enrolled_at, w->session->enrolled_at) == 0)
    return w->session;

  s = session_new (w->db, &error);
  if (s == NULL)
    {
      worker_set_session (w, NULL);
      return NULL;
    }
  s->progress = on_progress;
  s->progress_data = w;
  /* Operations queued by another process (no kick) end the wait too. */
  pos_sync_client_set_check (s->client, has_sendable, w->db);
  worker_set_session (w, s);
  return s;
}

static void
emit_streams (Worker *w)
{
  char **streams = session_take_streams (w->session);

  if (streams != NULL)
    post (w->self, streams);
}

/* The exchange failed: decide what state that is and how long to wait. */
static void
worker_failed (Worker *w,
               GError *error)
{
  gint64 retry_after = 0;
  gint64 not_before;
  gint64 delay;

  if (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED))
    {
      g_warning ("%s", error->message);
      persist (w->db, "revoked", "1");
      publish (w, POS_SYNC_STATE_REVOKED, error->message, FALSE);
      return;
    }

  w->failures++;
  delay = pos_sync_backoff_ms (w->failures, pos_sync_backoff_cap_ms (), g_random_int ());
  if (w->session != NULL && w->session->retry_after_ms > 0)
    {
      retry_after = w->session->retry_after_ms;
      delay = MAX (delay, retry_after);
      w->session->retry_after_ms = 0;
    }
  not_before = g_get_monotonic_time () + retry_after * 1000;
  g_message ("Sync failed (attempt %u, next in %" G_GINT64_FORMAT " ms): %s", w->failures, delay, error->message);
  publish (w, POS_SYNC_STATE_OFFLINE, error->message, FALSE);
  if (worker_sleep (w, delay))
    {
      /* A kick (a new sale, the network back) retries at once, but never
       * sooner than the central asked with Retry-After. */
      w->failures = 0;
      while (!worker_stopping (w) && g_get_monotonic_time () < not_before)
        worker_sleep (w, (not_before - g_get_monotonic_time ()) / 1000 + 1);
    }
}

static gboolean
worker_exchange (Worker  *w,
                 GError **error)
{
  Session *s = w->session;

  publish (w, POS_SYNC_STATE_SYNCING, NULL, FALSE);
  if (!session_push_all (s, error))
    return FALSE;
  if (!session_pull_all (s, error))
    {
      emit_streams (w);
      return FALSE;
    }
  emit_streams (w);
  w->failures = 0;
  publish (w, POS_SYNC_STATE_ONLINE, NULL, TRUE);
  return TRUE;
}

static gpointer
worker_main (gpointer data)
{
  PosSyncEngine *self = data;
  Worker w = { self, NULL, NULL, 0 };

  while (!worker_stopping (&w))
    {
      g_autoptr(GError) error = NULL;
      Session *s;

      if (w.db == NULL)
        {
          w.db = pos_database_open (self->database_path, &error);
          if (w.db == NULL)
            {
              g_warning ("Sync cannot open the database: %s", error->message);
              publish (&w, POS_SYNC_STATE_OFFLINE, error->message, FALSE);
              worker_sleep (&w, 5000);
              continue;
            }
        }

      s = worker_session (&w);
      if (s == NULL)
        {
          publish (&w, POS_SYNC_STATE_NOT_ENROLLED, NULL, TRUE);
          worker_sleep (&w, IDLE_CHECK_MS);
          continue;
        }
      if (is_revoked (w.db))
        {
          publish (&w, POS_SYNC_STATE_REVOKED, NULL, FALSE);
          worker_sleep (&w, IDLE_CHECK_MS);
          continue;
        }

      take_kick (&w);
      pos_sync_client_clear_interrupt (s->client);
      if (!worker_exchange (&w, &error))
        {
          worker_failed (&w, error);
          continue;
        }

      /* Online: hold a wait open until the central has news, a kick, or
       * something to send. */
      while (!worker_stopping (&w))
        {
          gboolean changed = FALSE;

          /* A kick, or operations queued without one (another process). */
          if (take_kick (&w) || has_sendable (w.db))
            break;
          if (!session_wait (s, &changed, &error))
            break;
          if (changed)
            {
              publish (&w, POS_SYNC_STATE_SYNCING, NULL, FALSE);
              if (!session_pull_all (s, &error))
                {
                  emit_streams (&w);
                  break;
                }
              emit_streams (&w);
              publish (&w, POS_SYNC_STATE_ONLINE, NULL, TRUE);
            }
          {
            g_autofree char *enrolled_at = pos_database_get_setting (w.db, "sync_enrolled_at");
            if (g_strcmp0 (enrolled_at, s->enrolled_at) != 0)
              break;
          }
        }
      if (error != NULL)
        worker_failed (&w, error);
    }

  worker_set_session (&w, NULL);
  g_clear_object (&w.db);
  return NULL;
}

/* ---- On the owner's thread ---- */

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  PosSyncEngine *self = user_data;

  if (available && !self->network_available)
    {
      g_debug ("The network is back: syncing now");
      pos_sync_engine_kick (self);
    }
  self->network_available = available;
}

void
pos_sync_engine_start (PosSyncEngine *self)
{
  g_return_if_fail (POS_IS_SYNC_ENGINE (self));

  if (self->thread != NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stopping = FALSE;
  self->kicked = FALSE;
  g_mutex_unlock (&self->lock);

  if (g_getenv ("BALCAO_SYNC_NO_NETWORK_MONITOR") == NULL)
    {
      self->monitor = g_object_ref (g_network_monitor_get_default ());
      self->network_available = g_network_monitor_get_network_available (self->monitor);
      self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                                G_CALLBACK (on_network_changed), self);
    }
  self->thread = g_thread_new ("balcao-sync", worker_main, self);
}

void
pos_sync_engine_stop (PosSyncEngine *self)
{
  g_return_if_fail (POS_IS_SYNC_ENGINE (self));

  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->network_handler, self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  if (self->client != NULL)
    pos_sync_client_stop (self->client);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_join (self->thread);
  self->thread = NULL;
}

void
pos_sync_engine_kick (PosSyncEngine *self)
{
  g_return_if_fail (POS_IS_SYNC_ENGINE (self));

  g_mutex_lock (&self->lock);
  self->kicked = TRUE;
  if (self->client != NULL)
    pos_sync_client_interrupt (self->client);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

PosSyncEngine *
pos_sync_engine_new (const char *database_path)
{
  PosSyncEngine *self;

  g_return_val_if_fail (database_path != NULL, NULL);

  self = g_object_new (POS_TYPE_SYNC_ENGINE, NULL);
  self->database_path = g_strdup (database_path);
  return self;
}

static void
pos_sync_engine_dispose (GObject *object)
{
  PosSyncEngine *self = POS_SYNC_ENGINE (object);

  pos_sync_engine_stop (self);

  G_OBJECT_CLASS (pos_sync_engine_parent_class)->dispose (object);
}

static void
pos_sync_engine_finalize (GObject *object)
{
  PosSyncEngine *self = POS_SYNC_ENGINE (object);

  g_weak_ref_set (&self->link->engine, NULL);
  link_unref (self->link);
  g_main_context_unref (self->owner);
  g_free (self->database_path);
  g_free (self->shared.last_error);
  g_free (self->pub.last_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (pos_sync_engine_parent_class)->finalize (object);
}

static void
pos_sync_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PosSyncEngine *self = POS_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->pub.state);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pub.pending);
      break;
    case PROP_OLDEST_PENDING_MS:
      g_value_set_int64 (value, self->pub.oldest_pending_ms);
      break;
    case PROP_OFFLINE_SINCE_MS:
      g_value_set_int64 (value, self->pub.offline_since_ms);
      break;
    case PROP_LAST_SYNC_MS:
      g_value_set_int64 (value, self->pub.last_sync_ms);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->pub.last_error);
      break;
    case PROP_DEAD_LETTERS:
      g_value_set_uint (value, self->pub.dead_letters);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_sync_engine_class_init (PosSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pos_sync_engine_dispose;
  object_class->finalize = pos_sync_engine_finalize;
  object_class->get_property = pos_sync_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, POS_TYPE_SYNC_STATE, POS_SYNC_STATE_NOT_ENROLLED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OLDEST_PENDING_MS] =
    g_param_spec_int64 ("oldest-pending-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OFFLINE_SINCE_MS] =
    g_param_spec_int64 ("offline-since-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNC_MS] =
    g_param_spec_int64 ("last-sync-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEAD_LETTERS] =
    g_param_spec_uint ("dead-letters", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGES_APPLIED] =
    g_signal_new ("changes-applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);
}

static void
pos_sync_engine_init (PosSyncEngine *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->owner = g_main_context_ref_thread_default ();
  self->link = g_new0 (Link, 1);
  g_atomic_ref_count_init (&self->link->ref);
  g_weak_ref_init (&self->link->engine, self);
  self->shared.state = POS_SYNC_STATE_NOT_ENROLLED;
  self->pub.state = POS_SYNC_STATE_NOT_ENROLLED;
}

PosSyncState
pos_sync_engine_get_state (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), POS_SYNC_STATE_NOT_ENROLLED);
  return self->pub.state;
}

guint
pos_sync_engine_get_pending (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), 0);
  return self->pub.pending;
}

gint64
pos_sync_engine_get_oldest_pending_ms (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), 0);
  return self->pub.oldest_pending_ms;
}

gint64
pos_sync_engine_get_offline_since_ms (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), 0);
  return self->pub.offline_since_ms;
}

gint64
pos_sync_engine_get_last_sync_ms (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), 0);
  return self->pub.last_sync_ms;
}

const char *
pos_sync_engine_get_last_error (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), NULL);
  return self->pub.last_error;
}

guint
pos_sync_engine_get_dead_letters (PosSyncEngine *self)
{
  g_return_val_if_fail (POS_IS_SYNC_ENGINE (self), 0);
  return self->pub.dead_letters;
}
