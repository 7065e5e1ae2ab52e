/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sync"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-sync-wire.h"
#include "pos-sync-client.h"

/* The HTTP side of the sync engine (docs/sync-protocol.md §1, §9), on
 * libcurl's multi interface so that a request can be ended at once from
 * another thread: curl_multi_poll() sleeps until there is traffic or
 * curl_multi_wakeup() is called. */

G_DEFINE_QUARK (pos-sync-error-quark, pos_sync_error)

#define CONNECT_TIMEOUT_S        10
#define DEFAULT_LOW_SPEED_S      30
#define MAX_ANSWER_BYTES         (512 * 1024 * 1024)
#define POLL_MS                  1000

struct _PosSyncClient
{
  CURL   *easy;
  CURLM  *multi;
  char   *base_url;
  char   *host;
  char   *ca_file;
  char   *auth_header;
  guint   low_speed_seconds;
  gint    interrupted;   /* atomic */
  PosSyncClientCheck check;
  gpointer check_data;
  gint    stopped;       /* atomic */
};

static gsize curl_initialised;

static void
ensure_curl (void)
{
  if (g_once_init_enter (&curl_initialised))
    {
      CURLcode rc = curl_global_init (CURL_GLOBAL_DEFAULT);

      if (rc != CURLE_OK)
        g_critical ("curl_global_init failed: %s", curl_easy_strerror (rc));
      g_once_init_leave (&curl_initialised, 1);
    }
}

void
pos_sync_response_clear (PosSyncResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  response->status = 0;
  response->retry_after_ms = 0;
}

PosSyncClient *
pos_sync_client_new (const char *base_url,
                     const char *token,
                     const char *ca_file,
                     guint       low_speed_seconds)
{
  PosSyncClient *self;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);

  ensure_curl ();

  self = g_new0 (PosSyncClient, 1);
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  self->host = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : base_url);
  self->ca_file = (ca_file != NULL && *ca_file != '\0') ? g_strdup (ca_file) : NULL;
  if (token != NULL)
    self->auth_header = g_strconcat ("Authorization: Bearer ", token, NULL);
  self->low_speed_seconds = low_speed_seconds > 0 ? low_speed_seconds : DEFAULT_LOW_SPEED_S;
  self->easy = curl_easy_init ();
  self->multi = curl_multi_init ();

  return self;
}

void
pos_sync_client_free (PosSyncClient *self)
{
  if (self == NULL)
    return;

  if (self->easy != NULL)
    curl_easy_cleanup (self->easy);
  if (self->multi != NULL)
    curl_multi_cleanup (self->multi);
  g_free (self->base_url);
  g_free (self->host);
  g_free (self->ca_file);
  if (self->auth_header != NULL)
    memset (self->auth_header, 0, strlen (self->auth_header));
  g_free (self->auth_header);
  g_free (self);
}

const char *
pos_sync_client_get_host (PosSyncClient *self)
{
  return self->host;
}

void
pos_sync_client_set_check (PosSyncClient      *self,
                           PosSyncClientCheck  check,
                           gpointer            user_data)
{
  self->check = check;
  self->check_data = user_data;
}

void
pos_sync_client_interrupt (PosSyncClient *self)
{
  g_atomic_int_set (&self->interrupted, 1);
  curl_multi_wakeup (self->multi);
}

void
pos_sync_client_clear_interrupt (PosSyncClient *self)
{
  g_atomic_int_set (&self->interrupted, 0);
}

void
pos_sync_client_stop (PosSyncClient *self)
{
  g_atomic_int_set (&self->stopped, 1);
  curl_multi_wakeup (self->multi);
}

GBytes *
pos_sync_gzip (const void *data,
               gsize       len)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GByteArray) out = g_byte_array_sized_new (len / 4 + 64);
  const guint8 *in = data;
  gsize in_left = len;
  guint8 buf[65536];

  for (;;)
    {
      gsize read = 0, written = 0;
      g_autoptr(GError) error = NULL;
      GConverterResult r;

      r = g_converter_convert (G_CONVERTER (compressor), in, in_left, buf, sizeof buf,
                               G_CONVERTER_INPUT_AT_END, &read, &written, &error);
      if (r == G_CONVERTER_ERROR)
        {
          /* Only "no space" can happen with an output buffer this size,
           * and never without progress; treat anything else as a bug. */
          g_critical ("gzip failed: %s", error->message);
          return NULL;
        }
      in += read;
      in_left -= read;
      g_byte_array_append (out, buf, written);
      if (r == G_CONVERTER_FINISHED)
        break;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static size_t
on_write (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  GByteArray *body = user_data;
  size_t n = size * nmemb;

  if (body->len + n > MAX_ANSWER_BYTES)
    return 0;   /* CURLE_WRITE_ERROR */
  g_byte_array_append (body, (const guint8 *) data, n);
  return n;
}

static gboolean
set_transport_error (PosSyncClient *self,
                     CURLcode       code,
                     const char    *detail,
                     GError       **error)
{
  const char *why = (detail != NULL && *detail != '\0') ? detail : curl_easy_strerror (code);

  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NETWORK,
                   _("Cannot find the central at %s: the name does not resolve (%s). "
                     "Check the network. Sales are kept and will be sent when it is back."),
                   self->host, why);
      break;
    case CURLE_COULDNT_CONNECT:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NETWORK,
                   _("Cannot reach the central at %s: connection refused. "
                     "Sales are kept and will be sent when it is back."),
                   self->host);
      break;
    case CURLE_OPERATION_TIMEDOUT:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_TIMEOUT,
                   _("The central at %s stopped answering (%s). "
                     "Sales are kept and will be sent when it is back."),
                   self->host, why);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_TLS,
                   _("The central at %s could not be verified as the right server (%s). "
                     "Check its certificate or the CA file of the setting sync_ca_file. "
                     "Sales are kept."),
                   self->host, why);
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NOT_ENROLLED,
                   _("The central's address %s is not a web address this terminal can use (%s). "
                     "Enrol the terminal again with an https:// address."),
                   self->base_url, why);
      break;
    case CURLE_WRITE_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
                   _("The central at %s sent an answer that could not be read (%s). "
                     "Nothing was changed; it will be tried again."),
                   self->host, why);
      break;
    default:
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NETWORK,
                   _("The connection to the central at %s failed (%s). "
                     "Sales are kept and will be sent when it is back."),
                   self->host, why);
      break;
    }

  return FALSE;
}

gboolean
pos_sync_client_request (PosSyncClient   *self,
                         const char      *method,
                         const char      *path_and_query,
                         const char      *body,
                         gsize            body_len,
                         gboolean         interruptible,
                         guint            timeout_seconds,
                         PosSyncResponse *out,
                         GError         **error)
{
  g_autofree char *url = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode result = CURLE_OK;
  gboolean done = FALSE;
  gboolean cancelled = FALSE;
  int running = 0;
  long status = 0;
  curl_off_t retry_after = 0;
  gint64 last_check = g_get_monotonic_time ();

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);

  if (g_atomic_int_get (&self->stopped) ||
      (interruptible && g_atomic_int_get (&self->interrupted)))
    {
      g_set_error_literal (error, POS_SYNC_ERROR, POS_SYNC_ERROR_CANCELLED, _("Sync was stopped."));
      return FALSE;
    }

  url = g_strconcat (self->base_url, path_and_query, NULL);
  curl_easy_reset (self->easy);
  curl_easy_setopt (self->easy, CURLOPT_URL, url);
  curl_easy_setopt (self->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (self->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (self->easy, CURLOPT_CONNECTTIMEOUT, (long) CONNECT_TIMEOUT_S);
  if (timeout_seconds > 0)
    curl_easy_setopt (self->easy, CURLOPT_TIMEOUT, (long) timeout_seconds);
  else
    {
      curl_easy_setopt (self->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt (self->easy, CURLOPT_LOW_SPEED_TIME, (long) self->low_speed_seconds);
    }
  curl_easy_setopt (self->easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (self->easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (self->easy, CURLOPT_USERAGENT, "Balcao/" PACKAGE_VERSION);
  curl_easy_setopt (self->easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (self->easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (self->easy, CURLOPT_WRITEDATA, answer);
  if (self->ca_file != NULL)
    curl_easy_setopt (self->easy, CURLOPT_CAINFO, self->ca_file);

  headers = curl_slist_append (headers, "Accept: application/json");
  headers = curl_slist_append (headers, "Expect:");
  if (self->auth_header != NULL)
    headers = curl_slist_append (headers, self->auth_header);

  if (g_str_equal (method, "POST"))
    {
      gconstpointer data;
      gsize len;

      gz = pos_sync_gzip (body != NULL ? body : "", body != NULL ? body_len : 0);
      data = g_bytes_get_data (gz, &len);
      headers = curl_slist_append (headers, "Content-Type: application/json");
      headers = curl_slist_append (headers, "Content-Encoding: gzip");
      curl_easy_setopt (self->easy, CURLOPT_POST, 1L);
      curl_easy_setopt (self->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
      curl_easy_setopt (self->easy, CURLOPT_POSTFIELDS, data);
    }
  else
    curl_easy_setopt (self->easy, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt (self->easy, CURLOPT_HTTPHEADER, headers);

  curl_multi_add_handle (self->multi, self->easy);
  while (!done)
    {
      CURLMcode mc = curl_multi_perform (self->multi, &running);
      CURLMsg *msg;
      int left;

      while ((msg = curl_multi_info_read (self->multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == self->easy)
          {
            result = msg->data.result;
            done = TRUE;
          }
      if (done)
        break;
      if (mc != CURLM_OK)
        {
          result = CURLE_FAILED_INIT;
          g_strlcpy (errbuf, curl_multi_strerror (mc), sizeof errbuf);
          break;
        }
      if (g_atomic_int_get (&self->stopped) ||
          (interruptible && g_atomic_int_get (&self->interrupted)))
        {
          cancelled = TRUE;
          break;
        }
      curl_multi_poll (self->multi, NULL, 0, POLL_MS, NULL);
      if (g_atomic_int_get (&self->stopped) ||
          (interruptible && g_atomic_int_get (&self->interrupted)))
        {
          cancelled = TRUE;
          break;
        }
      if (interruptible && self->check != NULL &&
          g_get_monotonic_time () - last_check >= POLL_MS * 1000)
        {
          last_check = g_get_monotonic_time ();
          if (self->check (self->check_data))
            {
              cancelled = TRUE;
              break;
            }
        }
    }

  if (done && result == CURLE_OK)
    {
      curl_easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_getinfo (self->easy, CURLINFO_RETRY_AFTER, &retry_after);
    }
  curl_multi_remove_handle (self->multi, self->easy);
  /* The easy handle keeps pointers to these until the next reset. */
  curl_easy_setopt (self->easy, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (self->easy, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt (self->easy, CURLOPT_ERRORBUFFER, NULL);
  curl_slist_free_all (headers);

  if (cancelled)
    {
      g_set_error_literal (error, POS_SYNC_ERROR, POS_SYNC_ERROR_CANCELLED, _("Sync was stopped."));
      return FALSE;
    }
  if (result != CURLE_OK)
    return set_transport_error (self, result, errbuf, error);

  out->status = (guint) status;
  out->retry_after_ms = retry_after > 0 ? (gint64) retry_after * 1000 : 0;
  out->body = g_byte_array_free_to_bytes (g_steal_pointer (&answer));
  return TRUE;
}

void
pos_sync_client_set_http_error (PosSyncClient         *self,
                                const PosSyncResponse *response,
                                GError               **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  gsize len = 0;
  const char *data = response->body != NULL ? g_bytes_get_data (response->body, &len) : NULL;
  const char *said;

  if (data == NULL || !pos_sync_error_parse (data, len, &code, &message))
    {
      g_clear_pointer (&code, g_free);
      g_clear_pointer (&message, g_free);
    }
  said = message != NULL ? message : "";

  if (response->status == 401 && g_strcmp0 (code, "token_revoked") == 0)
    g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED,
                 _("The central at %s revoked this terminal's access. Sales are kept here; "
                   "enrol the terminal again to resume sending them."),
                 self->host);
  else if (response->status == 401)
    g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_UNAUTHORIZED,
                 _("The central at %s does not accept this terminal's token (%s). Sales are kept here; "
                   "enrol the terminal again to resume sending them."),
                 self->host, said);
  else if (response->status >= 500)
    g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_SERVER,
                 _("The central at %s has a problem (HTTP %u%s%s). Sales are kept and will be sent when it is back."),
                 self->host, response->status, *said ? ": " : "", said);
  else
    g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_SERVER,
                 _("The central at %s refused the request (HTTP %u%s%s). It will be tried again; "
                   "if this goes on, tell the central's administrator."),
                 self->host, response->status, *said ? ": " : "", said);
}
