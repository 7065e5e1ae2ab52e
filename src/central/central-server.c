/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <libsoup/soup.h>

#include <domain/pos-sync-wire.h>

#include "central-api.h"
#include "central-db.h"
#include "central-server.h"

typedef struct _Server Server;

typedef struct {
  Server            *server;
  SoupServerMessage *msg;
  CentralRequest    *req;
  CentralResponse    resp;
  gboolean           wait_check;   /* only re-check a held wait */
  gint               generation;   /* notifications seen when the check started */
  /* While held: */
  gint64             deadline;     /* monotonic µs; 0 = not held yet */
  guint              timeout_id;
  GSource           *socket_source;
} Job;

struct _Server {
  const CentralConfig *config;
  SoupServer   *soup;
  CentralDb    *db;
  GThreadPool  *pool;
  GMainLoop    *loop;
  GMainContext *context;
  GList        *waiters;          /* Job* held until a change or timeout */
  guint         n_in_flight;
  gboolean      stopping;
  gint          generation;       /* bumped for every notification */
  /* LISTEN */
  CentralConn  *listen;
  guint         listen_watch;
  guint         reconnect_id;
  gboolean      reconnecting;
};

static void dispatch (Job *job);
static void listen_start (Server *server);

/* ------------------------------------------------------------------ */
/* Answers                                                             */

static void
job_free (Job *job)
{
  central_request_free (job->req);
  central_response_clear (&job->resp);
  g_clear_object (&job->msg);
  g_free (job);
}

static void
maybe_quit (Server *server)
{
  if (server->stopping && server->n_in_flight == 0 && server->waiters == NULL)
    g_main_loop_quit (server->loop);
}

/* Sets the answer on the message and lets libsoup write it. */
static void
respond (Job *job)
{
  Server *server = job->server;
  SoupServerMessage *msg = job->msg;
  CentralResponse *resp = &job->resp;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (resp->status == 0)
    resp->status = 500;
  soup_server_message_set_status (msg, resp->status, NULL);
  if (resp->retry_after > 0)
    {
      g_autofree char *v = g_strdup_printf ("%u", resp->retry_after);
      soup_message_headers_replace (headers, "Retry-After", v);
    }
  if (resp->body != NULL)
    {
      gsize len = strlen (resp->body);
      g_autoptr(GBytes) gz = NULL;

      if (job->req->accept_gzip && len >= 1024)
        gz = central_gzip (resp->body, len);
      if (gz != NULL)
        {
          gsize gz_len = 0;
          gconstpointer data = g_bytes_get_data (gz, &gz_len);

          soup_message_headers_replace (headers, "Content-Encoding", "gzip");
          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, data, gz_len);
        }
      else
        soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                          g_steal_pointer (&resp->body), len);
    }
  soup_server_message_unpause (msg);
  job_free (job);
  maybe_quit (server);
}

static void
unhold (Job *job)
{
  Server *server = job->server;

  server->waiters = g_list_remove (server->waiters, job);
  g_clear_handle_id (&job->timeout_id, g_source_remove);
  if (job->socket_source != NULL)
    {
      g_source_destroy (job->socket_source);
      g_clear_pointer (&job->socket_source, g_source_unref);
    }
}

static gboolean
wait_timed_out (gpointer data)
{
  Job *job = data;

  job->timeout_id = 0;
  unhold (job);
  central_response_clear (&job->resp);
  job->resp.status = 204;
  respond (job);
  return G_SOURCE_REMOVE;
}

/* The client of a held wait went away: let libsoup drop it. */
static gboolean
wait_socket_ready (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      data)
{
  Job *job = data;
  char c;
  ssize_t n;

  if ((condition & (G_IO_HUP | G_IO_ERR)) == 0)
    {
      n = recv (g_socket_get_fd (socket), &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
        {
          /* More data (a pipelined request): libsoup will read it later. */
          g_clear_pointer (&job->socket_source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
    }
  g_clear_pointer (&job->socket_source, g_source_unref);
  unhold (job);
  central_response_clear (&job->resp);
  job->resp.status = 204;
  respond (job);
  return G_SOURCE_REMOVE;
}

static void
hold (Job *job)
{
  Server *server = job->server;
  GSocket *socket = soup_server_message_get_socket (job->msg);

  gint64 now = g_get_monotonic_time ();

  job->wait_check = TRUE;
  if (job->deadline == 0)
    job->deadline = now + (gint64) job->resp.timeout * G_USEC_PER_SEC;
  if (job->deadline <= now)
    {
      central_response_clear (&job->resp);
      job->resp.status = 204;
      respond (job);
      return;
    }
  server->waiters = g_list_prepend (server->waiters, job);
  job->timeout_id = g_timeout_add ((guint) ((job->deadline - now + 999) / 1000), wait_timed_out, job);
  if (socket != NULL && job->socket_source == NULL)
    {
      job->socket_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (job->socket_source, G_SOURCE_FUNC (wait_socket_ready), job, NULL);
      g_source_attach (job->socket_source, server->context);
    }
}

/* Back on the main context with the worker's answer. */
static gboolean
job_done (gpointer data)
{
  Job *job = data;
  Server *server = job->server;

  server->n_in_flight--;
  if (job->resp.hold && !server->stopping)
    {
      job->resp.hold = FALSE;
      /* A notification arrived while checking: check again. */
      if (g_atomic_int_get (&server->generation) != job->generation)
        {
          job->wait_check = TRUE;
          dispatch (job);
          return G_SOURCE_REMOVE;
        }
      hold (job);
      return G_SOURCE_REMOVE;
    }
  if (job->resp.hold)
    {
      central_response_clear (&job->resp);
      central_api_error (&job->resp, 503, "unavailable", "The central is shutting down; try again shortly.");
      job->resp.retry_after = 5;
    }
  respond (job);
  return G_SOURCE_REMOVE;
}

static void
worker (gpointer data,
        gpointer user_data)
{
  Job *job = data;
  Server *server = user_data;

  if (job->wait_check)
    {
      g_autofree char *store = g_strdup (job->resp.store_id);
      g_autofree char *cursor = g_strdup (job->resp.cursor);
      guint timeout = job->resp.timeout;

      central_response_clear (&job->resp);
      job->resp.status = 0;
      job->resp.store_id = g_steal_pointer (&store);
      job->resp.cursor = g_steal_pointer (&cursor);
      job->resp.timeout = timeout;
      central_api_wait_check (server->db, job->resp.store_id, job->resp.cursor, &job->resp);
    }
  else
    central_api_handle (job->req, server->db, &job->resp);
  g_main_context_invoke (server->context, job_done, job);
}

static void
dispatch (Job *job)
{
  Server *server = job->server;

  server->n_in_flight++;
  job->generation = g_atomic_int_get (&server->generation);
  g_thread_pool_push (server->pool, job, NULL);
}

/* ------------------------------------------------------------------ */
/* Notifications                                                       */

static void
wake (Server     *server,
      const char *store_id)
{
  GList *list = server->waiters;

  server->waiters = NULL;
  for (GList *l = list; l != NULL; l = l->next)
    {
      Job *job = l->data;

      if (store_id == NULL || g_strcmp0 (job->resp.store_id, store_id) == 0)
        {
          g_clear_handle_id (&job->timeout_id, g_source_remove);
          if (job->socket_source != NULL)
            {
              g_source_destroy (job->socket_source);
              g_clear_pointer (&job->socket_source, g_source_unref);
            }
          dispatch (job);   /* held again with what is left of its timeout */
        }
      else
        server->waiters = g_list_prepend (server->waiters, job);
    }
  g_list_free (list);
}

static void
listen_stop (Server *server)
{
  g_clear_handle_id (&server->listen_watch, g_source_remove);
  g_clear_pointer (&server->listen, central_conn_close);
}

static gboolean
listen_reconnect (gpointer data)
{
  Server *server = data;

  server->reconnect_id = 0;
  listen_start (server);
  return G_SOURCE_REMOVE;
}

static gboolean
listen_ready (gint         fd,
              GIOCondition condition,
              gpointer     data)
{
  Server *server = data;
  PGconn *pg = central_conn_get_pg (server->listen);
  PGnotify *n;

  if (!PQconsumeInput (pg) || PQstatus (pg) != CONNECTION_OK)
    {
      g_warning ("Lost the LISTEN connection to the database; reconnecting");
      server->listen_watch = 0;
      g_clear_pointer (&server->listen, central_conn_close);
      server->reconnect_id = g_timeout_add_seconds (1, listen_reconnect, server);
      return G_SOURCE_REMOVE;
    }
  while ((n = PQnotifies (pg)) != NULL)
    {
      const char *payload = n->extra != NULL ? n->extra : "";
      const char *colon = strchr (payload, ':');
      g_autofree char *store = colon != NULL ? g_strndup (payload, colon - payload) : g_strdup ("*");

      g_atomic_int_inc (&server->generation);
      wake (server, g_str_equal (store, "*") ? NULL : store);
      PQfreemem (n);
    }
  return G_SOURCE_CONTINUE;
}

static void
listen_start (Server *server)
{
  g_autoptr(GError) error = NULL;
  CentralConn *conn;

  if (server->stopping)
    return;
  /* Connecting to a local database is quick; when it is down, libpq
   * fails at once (connect_timeout bounds the rest). */
  conn = central_conn_open (server->config->conninfo, &error);
  if (conn == NULL || !central_conn_simple (conn, "LISTEN balcao_changes", &error))
    {
      g_warning ("Cannot LISTEN for changes: %s; retrying", error->message);
      central_conn_close (conn);
      server->reconnect_id = g_timeout_add_seconds (2, listen_reconnect, server);
      return;
    }
  PQsetnonblocking (central_conn_get_pg (conn), 1);
  server->listen = conn;
  server->listen_watch = g_unix_fd_add (PQsocket (central_conn_get_pg (conn)), G_IO_IN, listen_ready, server);
  /* Changes may have been missed while disconnected. */
  g_atomic_int_inc (&server->generation);
  wake (server, NULL);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

static void
reply_now (SoupServerMessage *msg,
           guint              status,
           const char        *code,
           const char        *message)
{
  char *body = pos_sync_error_to_json (code, message);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

/* Before the body is read: refuse what is too large by its headers. */
static void
early_handler (SoupServer        *soup,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  Server *server = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      length > (goffset) server->config->max_body_bytes)
    {
      reply_now (msg, 413, "body_too_large", "The request body is larger than this server accepts.");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
    }
}

static gboolean
is_json (const char *content_type)
{
  g_autofree char *lower = NULL;
  const char *semi;
  g_autofree char *bare = NULL;

  if (content_type == NULL)
    return FALSE;
  semi = strchr (content_type, ';');
  bare = semi != NULL ? g_strndup (content_type, semi - content_type) : g_strdup (content_type);
  g_strstrip (bare);
  lower = g_ascii_strdown (bare, -1);
  return g_str_equal (lower, "application/json");
}

static void
handler (SoupServer        *soup,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  Server *server = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *param = NULL;
  const char *accept;
  CentralRoute route;
  guint status = 0;
  Job *job;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_NONE)
    return;   /* answered early (413) */

  route = central_api_route (method, path, &param, &status);
  if (route == CENTRAL_ROUTE_NONE)
    {
      if (status == 405)
        reply_now (msg, 405, "method_not_allowed", "This route does not take that method.");
      else
        reply_now (msg, 404, "not_found", "There is no such route.");
      return;
    }
  if (server->stopping)
    {
      reply_now (msg, 503, "unavailable", "The central is shutting down; try again shortly.");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "5");
      return;
    }
  if (body->length > 0 && !is_json (soup_message_headers_get_content_type (headers, NULL)))
    {
      reply_now (msg, 415, "unsupported_media_type", "Send the body as application/json.");
      return;
    }

  job = g_new0 (Job, 1);
  job->server = server;
  job->msg = g_object_ref (msg);
  job->req = g_new0 (CentralRequest, 1);
  job->req->route = route;
  job->req->param = g_steal_pointer (&param);
  if (query != NULL)
    job->req->query = g_hash_table_ref (query);
  job->req->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  job->req->content_encoding = g_strdup (soup_message_headers_get_one (headers, "Content-Encoding"));
  {
    g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
    job->req->body = g_steal_pointer (&bytes);
  }
  job->req->max_body_bytes = server->config->max_body_bytes;
  job->req->wait_max_seconds = server->config->wait_max_seconds;
  accept = soup_message_headers_get_list (headers, "Accept-Encoding");
  job->req->accept_gzip = accept != NULL && soup_header_contains (accept, "gzip");

  soup_server_message_pause (msg);
  dispatch (job);
}

/* ------------------------------------------------------------------ */

static gboolean
on_signal (gpointer data)
{
  Server *server = data;
  GList *list;

  if (server->stopping)
    return G_SOURCE_CONTINUE;
  server->stopping = TRUE;
  /* Held waits end now. */
  list = server->waiters;
  server->waiters = NULL;
  for (GList *l = list; l != NULL; l = l->next)
    {
      Job *job = l->data;

      server->waiters = g_list_prepend (server->waiters, job);
      unhold (job);
      central_response_clear (&job->resp);
      job->resp.status = 204;
      respond (job);
    }
  g_list_free (list);
  maybe_quit (server);
  return G_SOURCE_CONTINUE;
}

static gboolean
is_loopback (const char *address)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (address);

  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

gboolean
central_server_run (const CentralConfig *config,
                    GError             **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  GSList *uris;
  Server server = { 0, };
  gboolean tls = config->tls_certificate != NULL;
  guint sigterm, sigint;

  inet = g_inet_address_new_from_string (config->listen);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "[server] listen = %s is not an IP address (use 127.0.0.1, ::1 or an interface's address).",
                   config->listen);
      return FALSE;
    }
  if (!tls && !is_loopback (config->listen))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "Refusing plain HTTP on %s: set tls_certificate and tls_key, or listen on 127.0.0.1.",
                   config->listen);
      return FALSE;
    }
  if (tls)
    {
      cert = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_key, error);
      if (cert == NULL)
        return FALSE;
    }

  server.config = config;
  server.context = g_main_context_ref_thread_default ();
  server.loop = g_main_loop_new (server.context, FALSE);
  server.db = central_db_new (config->conninfo, config->pool_size);
  server.pool = g_thread_pool_new (worker, &server, (int) config->workers, FALSE, NULL);
  server.soup = soup_server_new ("server-header", "balcao-central/" PACKAGE_VERSION, NULL);
  if (cert != NULL)
    soup_server_set_tls_certificate (server.soup, cert);
  soup_server_add_early_handler (server.soup, NULL, early_handler, &server, NULL);
  soup_server_add_handler (server.soup, NULL, handler, &server, NULL);

  address = g_inet_socket_address_new (inet, config->port);
  if (!soup_server_listen (server.soup, address, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    goto out_fail;

  listen_start (&server);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &server);
  sigint = g_unix_signal_add (SIGINT, on_signal, &server);

  uris = soup_server_get_uris (server.soup);
  if (uris != NULL)
    {
      GUri *uri = uris->data;
      g_autofree char *host = g_inet_address_to_string (inet);
      gboolean v6 = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;

      g_print ("listening on %s://%s%s%s:%d\n", tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "",
               g_uri_get_port (uri));
      fflush (stdout);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (server.loop);

  /* Let the last answers go out, then close. */
  {
    gint64 until = g_get_monotonic_time () + 200 * 1000;

    while (g_get_monotonic_time () < until)
      if (!g_main_context_iteration (server.context, FALSE))
        g_usleep (5000);
  }
  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_clear_handle_id (&server.reconnect_id, g_source_remove);
  listen_stop (&server);
  soup_server_disconnect (server.soup);
  g_thread_pool_free (server.pool, FALSE, TRUE);
  while (g_main_context_iteration (server.context, FALSE))
    ;
  g_clear_object (&server.soup);
  central_db_free (server.db);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  return TRUE;

out_fail:
  g_clear_object (&server.soup);
  g_thread_pool_free (server.pool, FALSE, TRUE);
  central_db_free (server.db);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  return FALSE;
}
