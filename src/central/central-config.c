/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <stdlib.h>

#include "central-config.h"

void
central_config_free (CentralConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->listen);
  g_free (config->tls_certificate);
  g_free (config->tls_key);
  g_free (config->conninfo);
  g_free (config);
}

/* The value of [group] key: the environment first, then the file. */
static char *
lookup (GKeyFile   *kf,
        const char *group,
        const char *key)
{
  g_autofree char *env_name = g_ascii_strup (key, -1);
  g_autofree char *var = g_strconcat ("BALCAO_CENTRAL_", env_name, NULL);
  const char *env = g_getenv (var);

  if (env != NULL)
    return g_strdup (env);
  if (kf != NULL)
    {
      char *v = g_key_file_get_string (kf, group, key, NULL);
      if (v != NULL)
        return g_strstrip (v);
    }
  return NULL;
}

static gboolean
lookup_uint (GKeyFile   *kf,
             const char *group,
             const char *key,
             guint64     min,
             guint64     max,
             guint64    *inout,
             GError    **error)
{
  g_autofree char *v = lookup (kf, group, key);
  guint64 n;

  if (v == NULL || *v == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[%s] %s is “%s”; it must be a whole number from %" G_GUINT64_FORMAT
                   " to %" G_GUINT64_FORMAT " (environment: BALCAO_CENTRAL_%s).",
                   group, key, v, min, max, key);
      return FALSE;
    }
  *inout = n;
  return TRUE;
}

CentralConfig *
central_config_load (const char *path,
                     GError    **error)
{
  g_autoptr(CentralConfig) config = g_new0 (CentralConfig, 1);
  g_autoptr(GKeyFile) kf = NULL;
  guint64 port = 8080, max_body = 8 * 1024 * 1024, pool = 6, workers = 0;
  guint64 retention = 30, wait_max = 60;
  char *v;

  if (path != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      kf = g_key_file_new ();
      if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                       "Cannot read the configuration %s: %s", path, local_error->message);
          return NULL;
        }
    }

  v = lookup (kf, "server", "listen");
  config->listen = v != NULL ? v : g_strdup ("127.0.0.1");
  config->tls_certificate = lookup (kf, "server", "tls_certificate");
  config->tls_key = lookup (kf, "server", "tls_key");
  v = lookup (kf, "database", "conninfo");
  config->conninfo = v != NULL ? v : g_strdup ("dbname=balcao");

  if (!lookup_uint (kf, "server", "port", 0, 65535, &port, error) ||
      !lookup_uint (kf, "server", "max_body_bytes", 1024, G_MAXUINT32, &max_body, error) ||
      !lookup_uint (kf, "server", "workers", 0, 256, &workers, error) ||
      !lookup_uint (kf, "database", "pool_size", 1, 256, &pool, error) ||
      !lookup_uint (kf, "sync", "tombstone_retention_days", 0, 36500, &retention, error) ||
      !lookup_uint (kf, "sync", "wait_max_seconds", 1, 3600, &wait_max, error))
    return NULL;

  if ((config->tls_certificate == NULL) != (config->tls_key == NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[server] tls_certificate and tls_key go together: set both or neither.");
      return NULL;
    }

  config->port = (guint) port;
  config->max_body_bytes = (gsize) max_body;
  config->pool_size = (guint) pool;
  config->workers = workers > 0 ? (guint) workers : (guint) pool;
  config->tombstone_retention_days = (guint) retention;
  config->wait_max_seconds = (guint) wait_max;
  return g_steal_pointer (&config);
}
