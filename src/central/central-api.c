/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-sync-wire.h>

#include "central-admin.h"
#include "central-api.h"
#include "central-changes.h"
#include "central-customers.h"
#include "central-json.h"
#include "central-orders.h"
#include "central-push.h"
#include "central-sync.h"

void
central_request_free (CentralRequest *req)
{
  if (req == NULL)
    return;
  g_free (req->param);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_free (req->authorization);
  g_free (req->content_encoding);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req);
}

void
central_response_clear (CentralResponse *resp)
{
  g_clear_pointer (&resp->body, g_free);
  g_clear_pointer (&resp->store_id, g_free);
  g_clear_pointer (&resp->cursor, g_free);
}

void
central_api_error (CentralResponse *resp,
                   guint            status,
                   const char      *code,
                   const char      *message)
{
  g_free (resp->body);
  resp->status = status;
  resp->body = pos_sync_error_to_json (code, message);
  resp->hold = FALSE;
}

static void
ok (CentralResponse *resp,
    guint            status,
    char            *body)
{
  g_free (resp->body);
  resp->status = status;
  resp->body = body;
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

typedef struct {
  const char  *method;
  const char  *pattern;    /* '*' = one path segment */
  CentralRoute route;
} Route;

static const Route routes[] = {
  { "GET", "/v1/health", CENTRAL_ROUTE_HEALTH },
  { "POST", "/v1/enroll", CENTRAL_ROUTE_ENROLL },
  { "GET", "/v1/sync/pull", CENTRAL_ROUTE_PULL },
  { "GET", "/v1/sync/snapshot/*", CENTRAL_ROUTE_SNAPSHOT },
  { "GET", "/v1/sync/wait", CENTRAL_ROUTE_WAIT },
  { "POST", "/v1/sync/push", CENTRAL_ROUTE_PUSH },
  { "GET", "/v1/orders/*", CENTRAL_ROUTE_TERMINAL_ORDER },
  { "GET", "/v1/customers", CENTRAL_ROUTE_TERMINAL_CUSTOMERS },
  { "POST", "/v1/channel/orders", CENTRAL_ROUTE_ORDERS },
  { "GET", "/v1/channel/orders/*", CENTRAL_ROUTE_ORDER },
  { "POST", "/v1/channel/orders/*/status", CENTRAL_ROUTE_ORDER_STATUS },
  { "POST", "/v1/channel/interactions", CENTRAL_ROUTE_INTERACTIONS },
  { "PUT", "/v1/channel/customers/*", CENTRAL_ROUTE_CUSTOMER },
  { "POST", "/v1/channel/customers/*/merge", CENTRAL_ROUTE_CUSTOMER_MERGE },
  { "POST", "/v1/channel/customers/*/erase", CENTRAL_ROUTE_CUSTOMER_ERASE },
  { "GET", "/v1/channel/customers/*/timeline", CENTRAL_ROUTE_CUSTOMER_TIMELINE },
};

static gboolean
path_matches (const char *pattern,
              const char *path,
              char      **param)
{
  g_auto(GStrv) p = g_strsplit (pattern, "/", -1);
  g_auto(GStrv) s = g_strsplit (path, "/", -1);
  guint n = g_strv_length (p);

  if (g_strv_length (s) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (g_str_equal (p[i], "*"))
        {
          if (*s[i] == '\0')
            return FALSE;
          if (param != NULL)
            {
              g_free (*param);
              /* libsoup may have decoded %25 already: then take it as is. */
              *param = g_uri_unescape_string (s[i], NULL);
              if (*param == NULL)
                *param = g_strdup (s[i]);
            }
        }
      else if (!g_str_equal (p[i], s[i]))
        return FALSE;
    }
  return TRUE;
}

CentralRoute
central_api_route (const char *method,
                   const char *path,
                   char      **param,
                   guint      *status)
{
  gboolean path_known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autofree char *p = NULL;

      if (!path_matches (routes[i].pattern, path, &p))
        continue;
      path_known = TRUE;
      if (g_str_equal (method, routes[i].method))
        {
          *param = g_steal_pointer (&p);
          *status = 200;
          return routes[i].route;
        }
    }
  *status = path_known ? 405 : 404;
  return CENTRAL_ROUTE_NONE;
}

/* ------------------------------------------------------------------ */
/* Bodies                                                              */

static GBytes *
convert_all (GConverter *converter,
             const char *data,
             gsize       length,
             gsize       max,
             gboolean   *too_large,
             GError    **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 buf[16384];
  const char *in = data;
  gsize left = length;

  if (too_large != NULL)
    *too_large = FALSE;
  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult r;

      r = g_converter_convert (converter, in, left, buf, sizeof buf, G_CONVERTER_INPUT_AT_END,
                               &read, &written, error);
      if (r == G_CONVERTER_ERROR)
        return NULL;
      in += read;
      left -= read;
      g_byte_array_append (out, buf, (guint) written);
      if (out->len > max)
        {
          if (too_large != NULL)
            *too_large = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "too large");
          return NULL;
        }
      if (r == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "The gzip data is cut short.");
          return NULL;
        }
    }
  if (left > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Data after the end of the gzip stream.");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
central_gzip (const char *data,
              gsize       length)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);

  return convert_all (G_CONVERTER (z), data, length, G_MAXSIZE, NULL, NULL);
}

GBytes *
central_gunzip (GBytes   *input,
                gsize     max,
                gboolean *too_large,
                GError  **error)
{
  g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  gsize length = 0;
  const char *data = g_bytes_get_data (input, &length);

  return convert_all (G_CONVERTER (z), data != NULL ? data : "", length, max, too_large, error);
}

/* The decoded body, or NULL with resp set to the error. */
static GBytes *
request_body (CentralRequest  *req,
              CentralResponse *resp)
{
  if (req->content_encoding != NULL && g_ascii_strcasecmp (req->content_encoding, "gzip") == 0)
    {
      g_autoptr(GError) error = NULL;
      gboolean too_large = FALSE;
      GBytes *plain = central_gunzip (req->body, req->max_body_bytes, &too_large, &error);

      if (plain == NULL && too_large)
        central_api_error (resp, 413, "body_too_large", "The request body is larger than this server accepts.");
      else if (plain == NULL)
        central_api_error (resp, 400, "bad_encoding", "The body says Content-Encoding: gzip but is not valid gzip.");
      return plain;
    }
  if (req->content_encoding != NULL && *req->content_encoding != '\0' &&
      g_ascii_strcasecmp (req->content_encoding, "identity") != 0)
    {
      central_api_error (resp, 400, "bad_encoding", "Only gzip bodies (or none) are understood.");
      return NULL;
    }
  if (g_bytes_get_size (req->body) > req->max_body_bytes)
    {
      central_api_error (resp, 413, "body_too_large", "The request body is larger than this server accepts.");
      return NULL;
    }
  return g_bytes_ref (req->body);
}

/* The body as a JSON object, or NULL with resp set. */
static JsonNode *
request_json (CentralRequest  *req,
              CentralResponse *resp,
              GBytes         **out_bytes)
{
  g_autoptr(GBytes) body = request_body (req, resp);
  g_autoptr(GError) error = NULL;
  JsonNode *node;
  gsize length = 0;
  const char *data;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &length);
  node = central_json_parse_object (data != NULL ? data : "", length, &error);
  if (node == NULL)
    {
      central_api_error (resp, 400, "bad_json", "The body is not a JSON object.");
      return NULL;
    }
  if (out_bytes != NULL)
    *out_bytes = g_steal_pointer (&body);
  return node;
}

/* ------------------------------------------------------------------ */
/* Authentication                                                      */

static const char *
bearer (CentralRequest *req)
{
  const char *h = req->authorization;

  if (h == NULL || g_ascii_strncasecmp (h, "Bearer ", 7) != 0)
    return NULL;
  h += 7;
  while (*h == ' ')
    h++;
  return *h != '\0' ? h : NULL;
}

typedef struct {
  char *terminal_id;
  char *store_id;
} Terminal;

static gboolean
terminal_lookup (CentralConn *conn,
                 const char  *token,
                 Terminal    *t,
                 gboolean    *revoked,
                 GError     **error)
{
  g_autofree char *hash = central_sha256_hex (token);
  const char *params[] = { hash };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT id, store_id, revoked_at FROM terminals WHERE token_hash = $1", 1, params, error);

  *revoked = FALSE;
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    return TRUE;
  *revoked = !PQgetisnull (res, 0, 2);
  t->terminal_id = g_strdup (PQgetvalue (res, 0, 0));
  t->store_id = g_strdup (PQgetvalue (res, 0, 1));
  return TRUE;
}

static gboolean
channel_key_valid (CentralConn *conn,
                   const char  *key,
                   gboolean    *valid,
                   GError     **error)
{
  g_autofree char *hash = central_sha256_hex (key);
  const char *params[] = { hash };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT id FROM channel_keys WHERE key_hash = $1 AND revoked_at IS NULL", 1, params, error);

  if (res == NULL)
    return FALSE;
  *valid = PQntuples (res) > 0;
  return TRUE;
}

static void
db_failed (CentralResponse *resp,
           GError          *error)
{
  if (g_error_matches (error, CENTRAL_DB_ERROR, CENTRAL_DB_ERROR_UNAVAILABLE))
    {
      central_api_error (resp, 503, "unavailable", "The central's database is not reachable; try again shortly.");
      resp->retry_after = 5;
    }
  else
    {
      g_warning ("%s", error->message);
      central_api_error (resp, 500, "internal", "The central failed to process the request; try again later.");
    }
}

/* A terminal's token: TRUE with t filled, or FALSE with resp set. */
static gboolean
auth_terminal (CentralRequest  *req,
               CentralConn     *conn,
               Terminal        *t,
               CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;
  const char *token = bearer (req);
  gboolean revoked = FALSE, valid = FALSE;

  if (token == NULL)
    {
      central_api_error (resp, 401, "unauthorized", "This request needs the terminal's token (Authorization: Bearer bt_...).");
      return FALSE;
    }
  if (g_str_has_prefix (token, "bk_"))
    {
      if (!channel_key_valid (conn, token, &valid, &error))
        return db_failed (resp, error), FALSE;
      if (valid)
        central_api_error (resp, 403, "forbidden", "A channel key cannot use the terminal sync API.");
      else
        central_api_error (resp, 401, "unauthorized", "This token is unknown to the central; enrol the terminal again.");
      return FALSE;
    }
  if (!terminal_lookup (conn, token, t, &revoked, &error))
    return db_failed (resp, error), FALSE;
  if (t->terminal_id == NULL)
    {
      central_api_error (resp, 401, "unauthorized", "This token is unknown to the central; enrol the terminal again.");
      return FALSE;
    }
  if (revoked)
    {
      central_api_error (resp, 401, "token_revoked",
                         "This terminal's access was revoked at the central. Sales stay on the terminal; enrol it again to resume sync.");
      return FALSE;
    }
  return TRUE;
}

static gboolean
auth_channel (CentralRequest  *req,
              CentralConn     *conn,
              CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;
  const char *token = bearer (req);
  gboolean valid = FALSE;

  if (token == NULL)
    {
      central_api_error (resp, 401, "unauthorized", "This request needs a channel key (Authorization: Bearer bk_...).");
      return FALSE;
    }
  if (!g_str_has_prefix (token, "bk_"))
    {
      Terminal t = { NULL, NULL };
      gboolean revoked = FALSE;

      if (!terminal_lookup (conn, token, &t, &revoked, &error))
        return db_failed (resp, error), FALSE;
      if (t.terminal_id != NULL)
        central_api_error (resp, 403, "forbidden", "A terminal token cannot use the channel API.");
      else
        central_api_error (resp, 401, "unauthorized", "This key is unknown to the central.");
      g_free (t.terminal_id);
      g_free (t.store_id);
      return FALSE;
    }
  if (!channel_key_valid (conn, token, &valid, &error))
    return db_failed (resp, error), FALSE;
  if (!valid)
    {
      central_api_error (resp, 401, "unauthorized", "This key is unknown to the central or was revoked.");
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Handlers                                                            */

static gboolean
query_uint (CentralRequest  *req,
            const char      *name,
            guint            min,
            guint            max,
            guint            fallback,
            guint           *out,
            CentralResponse *resp)
{
  const char *v = req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;
  guint64 n;

  if (v == NULL || *v == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL))
    {
      g_autofree char *msg = g_strdup_printf ("%s must be a whole number from %u to %u.", name, min, max);
      central_api_error (resp, 400, "bad_request", msg);
      return FALSE;
    }
  *out = (guint) n;
  return TRUE;
}

static const char *
query_str (CentralRequest *req,
           const char     *name)
{
  return req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;
}

static void
sync_failed (CentralResponse *resp,
             GError          *error)
{
  if (error->domain == CENTRAL_SYNC_ERROR)
    {
      switch (error->code)
        {
        case CENTRAL_SYNC_ERROR_CURSOR_EXPIRED:
          {
            g_autoptr(GString) body = g_string_new ("{\"code\":\"cursor_expired\",\"message\":");

            pos_sync_append_json_string (body, "Changes after this cursor were pruned; rebuild from the snapshots.");
            g_string_append (body, ",\"horizon\":");
            pos_sync_append_json_string (body, error->message);
            g_string_append_c (body, '}');
            resp->status = 410;
            g_free (resp->body);
            resp->body = g_string_free (g_steal_pointer (&body), FALSE);
            return;
          }
        case CENTRAL_SYNC_ERROR_NO_STREAM:
          central_api_error (resp, 404, "not_found", error->message);
          return;
        default:
          central_api_error (resp, 400, "bad_request", error->message);
          return;
        }
    }
  db_failed (resp, error);
}

static void
handle_health (CentralConn     *conn,
               CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;

  if (!central_conn_run (conn, "SELECT 1", 0, NULL, &error))
    {
      central_api_error (resp, 503, "unavailable", "The central's database is not reachable.");
      resp->retry_after = 5;
      return;
    }
  ok (resp, 200, g_strdup ("{\"status\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}"));
}

static void
handle_enroll (CentralRequest  *req,
               CentralConn     *conn,
               CentralResponse *resp)
{
  g_autoptr(JsonNode) node = request_json (req, resp, NULL);
  g_autoptr(GError) error = NULL;
  JsonObject *obj;
  const char *token, *name;
  char *body;

  if (node == NULL)
    return;
  obj = json_node_get_object (node);
  token = central_json_str (obj, "token");
  name = central_json_str (obj, "name");
  if (token == NULL)
    return central_api_error (resp, 400, "bad_request", "token is missing: send the be_ token you were given.");
  if (!central_json_is_null (obj, "name") && (name == NULL || strlen (name) > 100))
    return central_api_error (resp, 400, "bad_request", "name must be a text of at most 100 characters.");
  body = central_enrol (conn, token, name, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_TOKEN))
        return central_api_error (resp, 401, "enrolment_token_invalid", error->message);
      return db_failed (resp, error);
    }
  ok (resp, 201, body);
}

static void order_failed (CentralResponse *resp,
                          GError          *error,
                          const char      *server_state);
static char *wrap (const char *name,
                   const char *json);

static void
handle_sync (CentralRequest  *req,
             CentralConn     *conn,
             const Terminal  *t,
             CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;
  guint limit, timeout;
  char *body;

  switch (req->route)
    {
    case CENTRAL_ROUTE_PULL:
      if (!query_uint (req, "limit", 1, CENTRAL_PULL_MAX_LIMIT, 500, &limit, resp))
        return;
      body = central_sync_pull (conn, t->store_id, query_str (req, "cursor"), limit, &error);
      if (body == NULL)
        return sync_failed (resp, error);
      return ok (resp, 200, body);

    case CENTRAL_ROUTE_SNAPSHOT:
      if (!query_uint (req, "limit", 1, CENTRAL_PULL_MAX_LIMIT, 500, &limit, resp))
        return;
      body = central_sync_snapshot (conn, t->store_id, req->param, query_str (req, "after"),
                                    query_str (req, "as_of"), limit, &error);
      if (body == NULL)
        return sync_failed (resp, error);
      return ok (resp, 200, body);

    case CENTRAL_ROUTE_WAIT:
      if (!query_uint (req, "timeout", 1, MIN (60, req->wait_max_seconds), MIN (25, req->wait_max_seconds),
                       &timeout, resp))
        return;
      {
        gint64 cursor;

        if (!central_sync_parse_cursor (query_str (req, "cursor"), &cursor))
          return central_api_error (resp, 400, "bad_request", "The cursor is not one this server gave.");
      }
      if (!central_sync_check (conn, t->store_id, query_str (req, "cursor"), &body, &error))
        return sync_failed (resp, error);
      if (body != NULL)
        return ok (resp, 200, body);
      resp->hold = TRUE;
      resp->status = 0;
      resp->store_id = g_strdup (t->store_id);
      resp->cursor = g_strdup (query_str (req, "cursor"));
      resp->timeout = timeout;
      return;

    case CENTRAL_ROUTE_PUSH:
      {
        g_autoptr(GBytes) bytes = request_body (req, resp);
        gsize length = 0;
        const char *data;
        guint status = 0;

        if (bytes == NULL)
          return;
        data = g_bytes_get_data (bytes, &length);
        body = central_push (conn, t->terminal_id, t->store_id, data != NULL ? data : "", length, &status, &error);
        if (body == NULL)
          return db_failed (resp, error);
        return ok (resp, status, body);
      }

    case CENTRAL_ROUTE_TERMINAL_ORDER:
      {
        /* Any order, by id or number: returns at the counter, a pickup
         * not synced yet. */
        g_autofree char *id = central_order_find (conn, req->param, &error);
        g_autofree char *order = id != NULL ? central_order_json (conn, id, &error) : NULL;

        if (order == NULL)
          return order_failed (resp, error, NULL);
        return ok (resp, 200, wrap ("order", order));
      }

    case CENTRAL_ROUTE_TERMINAL_CUSTOMERS:
      {
        /* A customer at the counter (§6.1): whoever is found becomes
         * one of this store's, in the same transaction. */
        const char *q = query_str (req, "q");
        g_autoptr(CentralTx) tx = NULL;

        if (!query_uint (req, "limit", 1, CENTRAL_LOOKUP_MAX_LIMIT, 10, &limit, resp))
          return;
        if (q == NULL || !g_utf8_validate (q, -1, NULL) || g_utf8_strlen (q, -1) > 200)
          return central_api_error (resp, 400, "bad_request",
                                    "q is missing: type at least three letters of the name, or a CPF, phone, "
                                    "e-mail or card.");
        tx = central_tx_begin (conn, &error);
        if (tx == NULL)
          return db_failed (resp, error);
        body = central_customer_lookup (tx, t->store_id, q, limit, &error);
        if (body == NULL)
          {
            if (g_error_matches (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID))
              return central_api_error (resp, 400, "bad_request", error->message);
            return db_failed (resp, error);
          }
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          {
            g_free (body);
            return db_failed (resp, error);
          }
        return ok (resp, 200, body);
      }

    default:
      g_assert_not_reached ();
    }
}

void
central_api_wait_check (CentralDb       *db,
                        const char      *store_id,
                        const char      *cursor,
                        CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;
  CentralConn *conn = central_db_acquire (db, &error);
  char *body = NULL;

  if (conn == NULL)
    return db_failed (resp, error);
  if (!central_sync_check (conn, store_id, cursor, &body, &error))
    sync_failed (resp, error);
  else if (body != NULL)
    ok (resp, 200, body);
  else
    resp->hold = TRUE;
  central_db_release (db, conn);
}

/* --- channel API --- */

static void
order_failed (CentralResponse *resp,
              GError          *error,
              const char      *server_state)
{
  if (error->domain == CENTRAL_ORDER_ERROR)
    {
      switch (error->code)
        {
        case CENTRAL_ORDER_ERROR_INVALID:
          return central_api_error (resp, 400, "bad_request", error->message);
        case CENTRAL_ORDER_ERROR_NOT_FOUND:
          return central_api_error (resp, 404, "not_found", error->message);
        case CENTRAL_ORDER_ERROR_STORE_NOT_FOUND:
          return central_api_error (resp, 422, "not_found", error->message);
        case CENTRAL_ORDER_ERROR_UNKNOWN_SKU:
          return central_api_error (resp, 422, "unknown_sku", error->message);
        case CENTRAL_ORDER_ERROR_INVALID_TRANSITION:
        case CENTRAL_ORDER_ERROR_WRONG_STORE:
          return central_api_error (resp, 422, "invalid_transition", error->message);
        case CENTRAL_ORDER_ERROR_CUSTOMER:
          return central_api_error (resp, 422, strstr (error->message, "erased") ? "customer_erased" : "not_found",
                                    error->message);
        case CENTRAL_ORDER_ERROR_CONFLICT:
          {
            g_autoptr(GString) body = g_string_new ("{\"code\":\"version_conflict\",\"message\":");

            pos_sync_append_json_string (body, error->message);
            g_string_append_printf (body, ",\"server_state\":%s}", server_state != NULL ? server_state : "null");
            resp->status = 409;
            g_free (resp->body);
            resp->body = g_string_free (g_steal_pointer (&body), FALSE);
            return;
          }
        default:
          break;
        }
    }
  if (error->domain == CENTRAL_CUSTOMER_ERROR)
    {
      if (error->code == CENTRAL_CUSTOMER_ERROR_ERASED)
        return central_api_error (resp, 422, "customer_erased", error->message);
      if (error->code == CENTRAL_CUSTOMER_ERROR_NOT_FOUND)
        return central_api_error (resp, 404, "not_found", error->message);
      return central_api_error (resp, 400, "bad_request", error->message);
    }
  db_failed (resp, error);
}

static char *
wrap (const char *name,
      const char *json)
{
  return g_strdup_printf ("{\"%s\":%s}", name, json);
}

static void
handle_channel (CentralRequest  *req,
                CentralConn     *conn,
                CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CentralTx) tx = NULL;
  g_autofree char *server_state = NULL;
  JsonObject *obj = NULL;

  /* Reads first. */
  if (req->route == CENTRAL_ROUTE_ORDER)
    {
      g_autofree char *order = central_order_json (conn, req->param, &error);

      if (order == NULL)
        return order_failed (resp, error, NULL);
      return ok (resp, 200, wrap ("order", order));
    }
  if (req->route == CENTRAL_ROUTE_CUSTOMER_TIMELINE)
    {
      guint limit;
      gint64 before = 0;
      const char *b = query_str (req, "before");
      gboolean erased = FALSE;
      g_autofree char *id = NULL;
      char *body;

      if (!query_uint (req, "limit", 1, 500, 50, &limit, resp))
        return;
      if (b != NULL && *b != '\0' && !central_sync_parse_cursor (b, &before))
        return central_api_error (resp, 400, "bad_request", "before must be a time in Unix milliseconds.");
      id = central_customer_resolve (conn, req->param, &erased, &error);
      if (error != NULL)
        return db_failed (resp, error);
      if (id == NULL)
        return central_api_error (resp, 404, "not_found", "There is no such customer.");
      if (erased)
        return central_api_error (resp, 422, "customer_erased", "The customer was erased at their request.");
      body = central_customer_timeline (conn, id, before, limit, &error);
      if (body == NULL)
        return order_failed (resp, error, NULL);
      return ok (resp, 200, body);
    }

  if (req->route != CENTRAL_ROUTE_CUSTOMER_ERASE)
    {
      node = request_json (req, resp, NULL);
      if (node == NULL)
        return;
      obj = json_node_get_object (node);
    }

  tx = central_tx_begin (conn, &error);
  if (tx == NULL)
    return db_failed (resp, error);

  switch (req->route)
    {
    case CENTRAL_ROUTE_ORDERS:
      {
        gboolean created = FALSE;
        g_autofree char *code = NULL;
        g_autofree char *order = central_order_create (tx, obj, &created, &code, &error);
        g_autoptr(GString) body = NULL;

        if (order == NULL)
          return order_failed (resp, error, NULL);
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          return db_failed (resp, error);
        body = g_string_new ("{\"order\":");
        g_string_append (body, order);
        g_string_append (body, ",\"pickup_code\":");
        if (code != NULL)
          pos_sync_append_json_string (body, code);
        else
          g_string_append (body, "null");
        g_string_append_c (body, '}');
        return ok (resp, created ? 201 : 200, g_string_free (g_steal_pointer (&body), FALSE));
      }

    case CENTRAL_ROUTE_ORDER_STATUS:
      {
        CentralTransition t = { 0, };
        g_autofree char *order = NULL;

        t.to = central_json_str (obj, "to");
        t.has_expected_version = central_json_int (obj, "expected_version", &t.expected_version);
        t.shelf_location = central_json_str (obj, "shelf_location");
        t.resolution = central_json_str (obj, "resolution");
        if (!central_json_is_null (obj, "resolution") && t.resolution == NULL)
          return central_api_error (resp, 400, "bad_request", "resolution must be partial, substitute or cancel.");
        if (t.to == NULL)
          return central_api_error (resp, 400, "bad_request", "to is missing: the state to move the order to.");
        if (!central_json_is_null (obj, "expected_version") && !t.has_expected_version)
          return central_api_error (resp, 400, "bad_request", "expected_version must be a whole number.");
        if (!central_json_is_null (obj, "shelf_location") && t.shelf_location == NULL)
          return central_api_error (resp, 400, "bad_request", "shelf_location must be a text.");
        order = central_order_transition (tx, req->param, &t, &server_state, &error);
        if (order == NULL)
          return order_failed (resp, error, server_state);
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          return db_failed (resp, error);
        return ok (resp, 200, wrap ("order", order));
      }

    case CENTRAL_ROUTE_INTERACTIONS:
      {
        static const char * const channels[] = { "call_centre", "chat", "whatsapp", "email", NULL };
        static const char * const kinds[] = { "call", "chat", "message", "email", NULL };
        const char *customer_id = central_json_str (obj, "customer_id");
        const char *channel = central_json_str (obj, "channel");
        const char *kind = central_json_str (obj, "kind");
        const char *summary = central_json_str (obj, "summary");
        const char *agent = central_json_str (obj, "agent");
        gint64 occurred_at = central_now_ms ();
        g_autofree char *data = NULL;
        g_autofree char *event = NULL;
        gboolean erased = FALSE;
        g_autofree char *known = NULL;
        CentralEvent ev = { 0, };

        if (customer_id == NULL)
          return central_api_error (resp, 400, "bad_request", "customer_id is missing.");
        if (channel == NULL || !g_strv_contains (channels, channel))
          return central_api_error (resp, 400, "bad_request", "channel must be call_centre, chat, whatsapp or email.");
        if (kind == NULL || !g_strv_contains (kinds, kind))
          return central_api_error (resp, 400, "bad_request", "kind must be call, chat, message or email.");
        if (summary == NULL || g_utf8_strlen (summary, -1) > 500)
          return central_api_error (resp, 400, "bad_request", "summary must be a text of at most 500 characters.");
        if (!central_json_is_null (obj, "occurred_at") && !central_json_int (obj, "occurred_at", &occurred_at))
          return central_api_error (resp, 400, "bad_request", "occurred_at must be a time in Unix milliseconds.");
        if (!central_json_is_null (obj, "agent") && agent == NULL)
          return central_api_error (resp, 400, "bad_request", "agent must be a text.");
        known = central_customer_resolve (conn, customer_id, &erased, &error);
        if (error != NULL)
          return db_failed (resp, error);
        if (known == NULL)
          return central_api_error (resp, 422, "not_found", "There is no such customer.");
        if (erased)
          return central_api_error (resp, 422, "customer_erased", "The customer was erased at their request.");
        if (agent != NULL)
          {
            g_autoptr(GString) d = g_string_new ("{\"agent\":");

            pos_sync_append_json_string (d, agent);
            g_string_append_c (d, '}');
            data = g_string_free (g_steal_pointer (&d), FALSE);
          }
        ev.customer_id = known;
        ev.channel = channel;
        ev.kind = kind;
        ev.occurred_at = occurred_at;
        ev.summary = summary;
        ev.data = data;
        event = central_customer_event_add (tx, &ev, &error);
        if (event == NULL)
          return order_failed (resp, error, NULL);
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          return db_failed (resp, error);
        return ok (resp, 201, wrap ("event", event));
      }

    case CENTRAL_ROUTE_CUSTOMER:
      {
        CentralCustomerEdit edit = { 0, };
        gboolean created = FALSE;
        g_autofree char *id = NULL;
        g_autofree char *customer = NULL;
        const char *body_id = central_json_str (obj, "id");

        if (body_id != NULL && !g_str_equal (body_id, req->param))
          return central_api_error (resp, 400, "bad_request", "The id in the body differs from the one in the path.");
        edit.id = req->param;
        edit.fields = obj;
        edit.consents = central_json_array (obj, "consents");
        edit.identities = central_json_array (obj, "identities");
        edit.has_base_version = central_json_int (obj, "base_version", &edit.base_version);
        edit.edit_ts = central_now_ms ();
        edit.source = "channel";
        if (!central_json_is_null (obj, "updated_at") && !central_json_int (obj, "updated_at", &edit.edit_ts))
          return central_api_error (resp, 400, "bad_request", "updated_at must be a time in Unix milliseconds.");
        if (!central_json_is_null (obj, "consents") && edit.consents == NULL)
          return central_api_error (resp, 400, "bad_request", "consents must be a list.");
        if (!central_json_is_null (obj, "identities") && edit.identities == NULL)
          return central_api_error (resp, 400, "bad_request", "identities must be a list.");
        if (!central_customer_upsert (tx, &edit, &id, &created, &error))
          return order_failed (resp, error, NULL);
        customer = central_customer_json (conn, id, NULL, &error);
        if (customer == NULL)
          return db_failed (resp, error);
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          return db_failed (resp, error);
        return ok (resp, created ? 201 : 200, wrap ("customer", customer));
      }

    case CENTRAL_ROUTE_CUSTOMER_MERGE:
      {
        const char *into = central_json_str (obj, "into");
        g_autofree char *customer = NULL;
        gboolean erased = FALSE;
        g_autofree char *survivor = NULL;

        if (into == NULL)
          return central_api_error (resp, 400, "bad_request", "into is missing: the id of the surviving customer.");
        if (!central_customer_merge (tx, req->param, into, &error))
          {
            if (g_error_matches (error, CENTRAL_CUSTOMER_ERROR, CENTRAL_CUSTOMER_ERROR_INVALID))
              return central_api_error (resp, 422, "bad_request", error->message);
            return order_failed (resp, error, NULL);
          }
        survivor = central_customer_resolve (conn, into, &erased, &error);
        if (survivor == NULL)
          return db_failed (resp, error);
        customer = central_customer_json (conn, survivor, NULL, &error);
        if (customer == NULL)
          return db_failed (resp, error);
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          return db_failed (resp, error);
        return ok (resp, 200, wrap ("customer", customer));
      }

    case CENTRAL_ROUTE_CUSTOMER_ERASE:
      {
        gint64 erased_at = 0;
        g_autoptr(GString) body = g_string_new ("{\"id\":");

        if (!central_customer_erase (tx, req->param, &erased_at, &error))
          return order_failed (resp, error, NULL);
        if (!central_tx_commit (g_steal_pointer (&tx), &error))
          return db_failed (resp, error);
        pos_sync_append_json_string (body, req->param);
        g_string_append_printf (body, ",\"erased_at\":%" G_GINT64_FORMAT "}", erased_at);
        return ok (resp, 200, g_string_free (g_steal_pointer (&body), FALSE));
      }

    default:
      g_assert_not_reached ();
    }
}

void
central_api_handle (CentralRequest  *req,
                    CentralDb       *db,
                    CentralResponse *resp)
{
  g_autoptr(GError) error = NULL;
  CentralConn *conn = central_db_acquire (db, &error);

  if (conn == NULL)
    {
      if (req->route == CENTRAL_ROUTE_HEALTH)
        {
          central_api_error (resp, 503, "unavailable", "The central's database is not reachable.");
          resp->retry_after = 5;
          return;
        }
      return db_failed (resp, error);
    }

  switch (req->route)
    {
    case CENTRAL_ROUTE_HEALTH:
      handle_health (conn, resp);
      break;
    case CENTRAL_ROUTE_ENROLL:
      handle_enroll (req, conn, resp);
      break;
    case CENTRAL_ROUTE_PULL:
    case CENTRAL_ROUTE_SNAPSHOT:
    case CENTRAL_ROUTE_WAIT:
    case CENTRAL_ROUTE_PUSH:
    case CENTRAL_ROUTE_TERMINAL_ORDER:
    case CENTRAL_ROUTE_TERMINAL_CUSTOMERS:
      {
        Terminal t = { NULL, NULL };

        if (auth_terminal (req, conn, &t, resp))
          handle_sync (req, conn, &t, resp);
        g_free (t.terminal_id);
        g_free (t.store_id);
      }
      break;
    case CENTRAL_ROUTE_NONE:
      central_api_error (resp, 404, "not_found", "There is no such route.");
      break;
    default:
      if (auth_channel (req, conn, resp))
        handle_channel (req, conn, resp);
      break;
    }
  central_db_release (db, conn);
}
