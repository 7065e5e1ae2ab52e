/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-sync-wire.h"
#include "pos-database.h"
#include "pos-sync-apply.h"
#include "pos-sync-engine.h"

/* Enrolment (docs/sync-protocol.md §2): trade the one-time be_ token for
 * the terminal's bt_ token and adopt the store and terminal it names. */

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  if (address == NULL && host[0] == '[')
    {
      g_autofree char *bare = g_strndup (host + 1, strlen (host) - 2);
      address = g_inet_address_new_from_string (bare);
    }
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
check_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_ENROLMENT,
                   _("“%s” is not the address of a central. Give it as https://HOST[:PORT]."), url);
      return FALSE;
    }
  if (g_str_equal (scheme, "http") && !is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_ENROLMENT,
                   _("The central at %s must be reached over https://: plain http:// is only for a central "
                     "on this machine (127.0.0.1 or ::1)."), g_uri_get_host (uri));
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
member_object (JsonObject *o,
               const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* Unsent operations made for a store other than new_store. */
static gint64
count_stranded (PosDatabase *db,
                const char  *new_store,
                GError     **error)
{
  g_autofree char *old_store = pos_database_get_setting (db, "store_id");
  sqlite3_stmt *stmt;
  gint64 n = 0;

  if (old_store == NULL || g_str_equal (old_store, new_store))
    return 0;
  stmt = pos_database_prepare_cached (db,
      "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'rejected')", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* The new terminal's numbers continue the old one's, so that a terminal
 * enrolled under the same store and terminal codes never repeats a sale
 * number. */
static gboolean
carry_sequences (PosDatabase *db,
                 const char  *old_terminal,
                 const char  *new_terminal,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (old_terminal == NULL || g_str_equal (old_terminal, new_terminal))
    return TRUE;
  stmt = pos_database_prepare_cached (db,
      "INSERT INTO document_sequences (terminal_id, kind, next_value) "
      "SELECT ?2, kind, next_value FROM document_sequences WHERE terminal_id = ?1 "
      "ON CONFLICT (terminal_id, kind) DO UPDATE SET next_value = MAX (next_value, excluded.next_value)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, old_terminal, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, new_terminal, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Enrolling the terminal"));
  return TRUE;
}

static gboolean
adopt (PosDatabase *db,
       const char  *url,
       const char  *ca_file,
       JsonObject  *store,
       JsonObject  *terminal,
       GError     **error)
{
  g_autoptr(PosSyncApplier) applier = pos_sync_applier_new (db);
  g_autofree char *old_terminal = pos_database_get_setting (db, "terminal_id");
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());
  const char *store_id = member_string (store, "id");
  const char *terminal_id = member_string (terminal, "id");
  JsonNode *node;
  PosSyncChange c = { 0, };

  if (!pos_database_begin (db, error))
    return FALSE;

  node = json_node_init_object (json_node_alloc (), store);
  c.stream = (char *) "stores";
  c.entity = (char *) "store";
  c.id = (char *) store_id;
  c.op = POS_SYNC_CHANGE_UPSERT;
  c.version = 0;
  c.data = node;
  if (!pos_sync_applier_apply (applier, &c, error))
    {
      json_node_unref (node);
      goto fail;
    }
  json_node_unref (node);

  node = json_node_init_object (json_node_alloc (), terminal);
  c.entity = (char *) "terminal";
  c.id = (char *) terminal_id;
  c.data = node;
  if (!pos_sync_applier_apply (applier, &c, error))
    {
      json_node_unref (node);
      goto fail;
    }
  json_node_unref (node);

  if (!carry_sequences (db, old_terminal, terminal_id, error) ||
      !pos_database_set_setting (db, "store_id", store_id, error) ||
      !pos_database_set_setting (db, "terminal_id", terminal_id, error) ||
      !pos_database_set_setting (db, "central_url", url, error) ||
      !pos_database_set_setting (db, "sync_ca_file", ca_file != NULL && *ca_file ? ca_file : NULL, error) ||
      !pos_database_set_setting (db, "sync_enrolled_at", now, error) ||
      !pos_sync_state_set (db, "revoked", NULL, error) ||
      !pos_sync_state_set (db, "last_error", NULL, error) ||
      !pos_sync_set_cursor (db, "", error) ||
      !pos_database_audit (db, "sync.enroll", "terminal", terminal_id, NULL, NULL, error) ||
      !pos_database_commit (db, error))
    goto fail;
  return TRUE;

fail:
  pos_database_rollback (db);
  return FALSE;
}

gboolean
pos_sync_enroll (const char  *database_path,
                 const char  *url,
                 const char  *token,
                 const char  *ca_file,
                 GError     **error)
{
  g_autoptr(PosSyncClient) client = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(PosSyncResponse) r = { 0, };
  g_autofree char *body = NULL;
  g_autofree char *token_path = NULL;
  g_autofree char *token_text = NULL;
  JsonObject *answer, *store, *terminal;
  const char *bt, *store_id, *terminal_id;
  const char *data;
  gsize len;
  gint64 stranded;

  g_return_val_if_fail (database_path != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  if (!check_url (url, error))
    return FALSE;
  if (ca_file != NULL && *ca_file != '\0' && !g_file_test (ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_ENROLMENT,
                   _("The CA file %s does not exist. Give the path of the central's certificate authority (PEM)."),
                   ca_file);
      return FALSE;
    }

  /* Open the database first: a wrong path fails before the one-time
   * token is spent. */
  db = pos_database_open (database_path, error);
  if (db == NULL)
    return FALSE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token");
  json_builder_add_string_value (b, token);
  json_builder_end_object (b);
  request = json_builder_get_root (b);
  body = json_to_string (request, FALSE);

  client = pos_sync_client_new (url, NULL, ca_file, 0);
  if (!pos_sync_client_request (client, "POST", "/v1/enroll", body, strlen (body), FALSE, 0, &r, error))
    return FALSE;
  data = r.body != NULL ? g_bytes_get_data (r.body, &len) : NULL;
  if (data == NULL)
    data = "", len = 0;

  if (r.status == 401)
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_ENROLMENT,
                   _("The central at %s refused the enrolment token: it is unknown, already used or "
                     "expired. Ask for a new one (balcao-central terminal enroll --store CODE)."),
                   pos_sync_client_get_host (client));
      return FALSE;
    }
  if (r.status != 200 && r.status != 201)
    {
      pos_sync_client_set_http_error (client, &r, error);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error) ||
      json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  answer = json_node_get_object (json_parser_get_root (parser));
  bt = member_string (answer, "token");
  store = member_object (answer, "store");
  terminal = member_object (answer, "terminal");
  store_id = member_string (store, "id");
  terminal_id = member_string (terminal, "id");
  if (bt == NULL || *bt == '\0' || store_id == NULL || terminal_id == NULL)
    goto bad;

  stranded = count_stranded (db, store_id, error);
  if (stranded < 0)
    return FALSE;
  if (stranded > 0)
    {
      g_autofree char *old_store = pos_database_get_setting (db, "store_id");
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_ENROLMENT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "This terminal holds %lu operation for store %s not sent yet; "
                                "enrolling it to another store would strand it. Send it to its own store first.",
                                "This terminal holds %lu operations for store %s not sent yet; "
                                "enrolling it to another store would strand them. Send them to their own store first.",
                                (gulong) stranded),
                   (gulong) stranded, old_store);
      return FALSE;
    }

  /* The token first: a terminal whose settings say enrolled always has one. */
  token_path = pos_sync_token_path (database_path);
  token_text = g_strconcat (bt, "\n", NULL);
  if (!g_file_set_contents_full (token_path, token_text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_LOCAL,
                   _("Cannot keep the terminal's token in %s: %s. Check the folder's permissions, then "
                     "ask the central for a new enrolment token."), token_path, local_error->message);
      return FALSE;
    }
  memset (token_text, 0, strlen (token_text));

  if (!adopt (db, url, ca_file, store, terminal, error))
    return FALSE;

  g_debug ("Enrolled with %s as terminal %s of store %s", url, terminal_id, store_id);
  return TRUE;

bad:
  g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
               _("The central at %s answered the enrolment with something that is not an enrolment (%s). "
                 "Check the address; nothing was changed here."),
               pos_sync_client_get_host (client),
               local_error != NULL ? local_error->message : _("no token, store or terminal"));
  return FALSE;
}

typedef struct {
  char *database_path;
  char *url;
  char *token;
  char *ca_file;
} EnrollData;

static void
enroll_data_free (gpointer data)
{
  EnrollData *d = data;

  g_free (d->database_path);
  g_free (d->url);
  if (d->token != NULL)
    memset (d->token, 0, strlen (d->token));
  g_free (d->token);
  g_free (d->ca_file);
  g_free (d);
}

static void
enroll_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EnrollData *d = task_data;
  GError *error = NULL;

  if (pos_sync_enroll (d->database_path, d->url, d->token, d->ca_file, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pos_sync_enroll_async (const char          *database_path,
                       const char          *url,
                       const char          *token,
                       const char          *ca_file,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  EnrollData *d = g_new0 (EnrollData, 1);

  d->database_path = g_strdup (database_path);
  d->url = g_strdup (url);
  d->token = g_strdup (token);
  d->ca_file = g_strdup (ca_file);
  g_task_set_source_tag (task, pos_sync_enroll_async);
  g_task_set_task_data (task, d, enroll_data_free);
  g_task_run_in_thread (task, enroll_thread);
}

gboolean
pos_sync_enroll_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pos_sync_enroll_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
