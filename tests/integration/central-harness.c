/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "central-harness.h"

struct _CentralHarness {
  char        *dir;
  char        *conninfo;
  char        *config_path;
  char        *url;
  guint        port;
  char        *binary;
  char        *sandbox;
  GSubprocess *server;
  gboolean     pg_started;
};

static char *
build_path (const char *env,
            const char *fallback_env_missing,
            const char *relative)
{
  const char *root = g_getenv (env);

  if (root == NULL)
    root = fallback_env_missing;
  return g_build_filename (root, relative, NULL);
}

/* input: what the process reads on its standard input (NULL: nothing,
 * an empty stream). */
static gboolean
spawn_sync_input (const char * const *argv,
                  const char         *input,
                  char              **out,
                  GError            **error)
{
  g_autoptr(GSubprocess) p = NULL;
  g_autofree char *stdout_text = NULL;

  p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                         G_SUBPROCESS_FLAGS_STDERR_MERGE, error);
  if (p == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (p, input != NULL ? input : "", NULL, &stdout_text, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (p))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s failed: %s", cmd,
                   stdout_text != NULL ? stdout_text : "");
      return FALSE;
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return TRUE;
}

static gboolean
spawn_sync (const char * const *argv,
            char              **out,
            GError            **error)
{
  return spawn_sync_input (argv, NULL, out, error);
}

gboolean
central_harness_run (CentralHarness     *h,
                     const char * const *args,
                     char              **out,
                     GError            **error)
{
  return central_harness_run_input (h, args, NULL, out, error);
}

gboolean
central_harness_run_input (CentralHarness     *h,
                           const char * const *args,
                           const char         *input,
                           char              **out,
                           GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, h->binary);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, h->config_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return spawn_sync_input ((const char * const *) argv->pdata, input, out, error);
}

char *
central_harness_query (CentralHarness *h,
                       const char     *sql,
                       GError        **error)
{
  g_autofree char *out = NULL;
  const char *argv[] = { "psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", h->conninfo, "-c", sql, NULL };

  if (!spawn_sync (argv, &out, error))
    return NULL;
  return g_strstrip (g_steal_pointer (&out));
}

static size_t
discard (char  *ptr,
         size_t size,
         size_t nmemb,
         void  *data)
{
  return size * nmemb;
}

static gboolean
healthy (const char *url)
{
  g_autofree char *health = g_strconcat (url, "/v1/health", NULL);
  CURL *curl = curl_easy_init ();
  long status = 0;

  curl_easy_setopt (curl, CURLOPT_URL, health);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform (curl) == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  return status == 200;
}

gboolean
central_harness_start_server (CentralHarness *h,
                              GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port = g_strdup_printf ("%u", h->port);
  const char *prefix = "listening on ";
  gint64 until;

  g_return_val_if_fail (h->server == NULL, FALSE);

  g_subprocess_launcher_setenv (launcher, "BALCAO_CENTRAL_PORT", port, TRUE);
  h->server = g_subprocess_launcher_spawn (launcher, error, h->binary, "--config", h->config_path, "serve", NULL);
  if (h->server == NULL)
    return FALSE;

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (h->server));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "balcao-central serve did not start (said: %s)",
                     line != NULL ? line : "nothing");
      g_subprocess_force_exit (h->server);
      g_subprocess_wait (h->server, NULL, NULL);
      g_clear_object (&h->server);
      return FALSE;
    }
  g_free (h->url);
  h->url = g_strdup (line + strlen (prefix));
  {
    const char *colon = strrchr (h->url, ':');
    h->port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  }

  /* Ready means: it answers. */
  until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!healthy (h->url))
    {
      if (g_get_monotonic_time () > until)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s/v1/health never answered 200", h->url);
          return FALSE;
        }
      g_usleep (50 * 1000);
    }
  return TRUE;
}

gboolean
central_harness_stop_server (CentralHarness *h,
                             GError        **error)
{
  g_autoptr(GSubprocess) server = g_steal_pointer (&h->server);

  if (server == NULL)
    return TRUE;
  g_subprocess_send_signal (server, SIGTERM);
  if (!g_subprocess_wait (server, NULL, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (server) || g_subprocess_get_exit_status (server) != 0)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "balcao-central serve did not exit cleanly on SIGTERM (status %d)",
                   g_subprocess_get_status (server));
      return FALSE;
    }
  return TRUE;
}

CentralHarness *
central_harness_start (GError **error)
{
  g_autoptr(CentralHarness) h = g_new0 (CentralHarness, 1);
  g_autofree char *out = NULL;
  g_autofree char *tmpl = g_strdup ("/tmp/balcao-central-XXXXXX");
  g_autoptr(GString) config = g_string_new (NULL);
  const char *store1[] = { "store", "add", "--code", "001", "--name", "Loja 001", "--city", "São Paulo", NULL };
  const char *store2[] = { "store", "add", "--code", "002", "--name", "Loja 002", NULL };
  const char *migrate[] = { "migrate", NULL };

  h->binary = build_path ("BALCAO_BUILD_DIR", ".", "src/central/balcao-central");
  h->sandbox = build_path ("BALCAO_SOURCE_DIR", "..", "scripts/central-sandbox.sh");

  if (g_mkdtemp_full (tmpl, 0755) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot make a directory under /tmp");
      return NULL;
    }
  h->dir = g_steal_pointer (&tmpl);
  g_chmod (h->dir, 0755);

  {
    const char *argv[] = { h->sandbox, "start", h->dir, NULL };

    if (!spawn_sync (argv, &out, error))
      return NULL;
  }
  h->pg_started = TRUE;
  h->conninfo = g_strstrip (g_strdup (out));

  h->config_path = g_build_filename (h->dir, "central.conf", NULL);
  g_string_append_printf (config,
                          "[server]\nlisten = 127.0.0.1\nport = 0\n\n"
                          "[database]\nconninfo = %s\npool_size = 6\n\n"
                          "[sync]\ntombstone_retention_days = 30\nwait_max_seconds = 60\n", h->conninfo);
  if (!g_file_set_contents (h->config_path, config->str, -1, error))
    return NULL;

  if (!central_harness_run (h, migrate, NULL, error) ||
      !central_harness_run (h, store1, NULL, error) ||
      !central_harness_run (h, store2, NULL, error))
    return NULL;

  if (!central_harness_start_server (h, error))
    return NULL;
  return g_steal_pointer (&h);
}

const char *
central_harness_url (CentralHarness *h)
{
  return h->url;
}

const char *
central_harness_conninfo (CentralHarness *h)
{
  return h->conninfo;
}

const char *
central_harness_config_path (CentralHarness *h)
{
  return h->config_path;
}

char *
central_harness_enroll_token (CentralHarness *h,
                              const char     *store_code,
                              GError        **error)
{
  const char *args[] = { "terminal", "enroll", "--store", store_code, NULL };
  char *out = NULL;

  if (!central_harness_run (h, args, &out, error))
    return NULL;
  return g_strstrip (out);
}

char *
central_harness_channel_key (CentralHarness *h,
                             GError        **error)
{
  const char *args[] = { "channel-key", "add", "tests", NULL };
  char *out = NULL;

  if (!central_harness_run (h, args, &out, error))
    return NULL;
  return g_strstrip (out);
}

static size_t
collect_body (char  *ptr,
              size_t size,
              size_t nmemb,
              void  *data)
{
  g_string_append_len (data, ptr, (gssize) (size * nmemb));
  return size * nmemb;
}

/* One request to the central; the status, *body the answer. */
static long
request (CentralHarness *h,
         const char     *method,
         const char     *path,
         const char     *token,
         const char     *json,
         char          **body,
         GError        **error)
{
  g_autofree char *url = g_strconcat (h->url, path, NULL);
  g_autofree char *auth = token != NULL ? g_strconcat ("Authorization: Bearer ", token, NULL) : NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();
  CURLcode rc;
  long status = 0;

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  if (auth != NULL)
    headers = curl_slist_append (headers, auth);
  if (json != NULL)
    {
      headers = curl_slist_append (headers, "Content-Type: application/json");
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, json);
    }
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  rc = curl_easy_perform (curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", method, path, curl_easy_strerror (rc));
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  if (body != NULL)
    *body = g_strdup (answer->str);
  return status;
}

char *
central_harness_terminal_token (CentralHarness *h,
                                const char     *store_code,
                                GError        **error)
{
  g_autofree char *enrolment = central_harness_enroll_token (h, store_code, error);
  g_autofree char *json = NULL;
  g_autofree char *answer = NULL;
  const char *token;
  const char *end;
  long status;

  if (enrolment == NULL)
    return NULL;
  json = g_strdup_printf ("{\"token\":\"%s\",\"name\":\"Harness\"}", enrolment);
  status = request (h, "POST", "/v1/enroll", NULL, json, &answer, error);
  if (status == 0)
    return NULL;
  /* {"token":"bt_...",...}: the token is base64url, never escaped. */
  token = strstr (answer, "\"bt_");
  end = token != NULL ? strchr (token + 1, '"') : NULL;
  if (status != 201 || end == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "enrolment answered %ld: %s", status, answer);
      return NULL;
    }
  return g_strndup (token + 1, end - token - 1);
}

long
central_harness_lookup_customers (CentralHarness *h,
                                  const char     *token,
                                  const char     *text,
                                  char          **body,
                                  GError        **error)
{
  g_autofree char *q = g_uri_escape_string (text, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/v1/customers?q=", q, NULL);

  return request (h, "GET", path, token, NULL, body, error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                            G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (e != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            remove_tree (child);
          else
            g_unlink (child);
          g_object_unref (info);
        }
    }
  g_rmdir (path);
}

void
central_harness_free (CentralHarness *h)
{
  if (h == NULL)
    return;
  if (h->server != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!central_harness_stop_server (h, &error))
        g_printerr ("# %s\n", error->message);
    }
  if (h->pg_started)
    {
      const char *argv[] = { h->sandbox, "stop", h->dir, NULL };
      g_autoptr(GError) error = NULL;

      if (!spawn_sync (argv, NULL, &error))
        g_printerr ("# %s\n", error->message);
    }
  if (h->dir != NULL)
    remove_tree (h->dir);
  g_free (h->dir);
  g_free (h->conninfo);
  g_free (h->config_path);
  g_free (h->url);
  g_free (h->binary);
  g_free (h->sandbox);
  g_free (h);
}
