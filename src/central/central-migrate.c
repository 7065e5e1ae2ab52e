/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>

#include "central-changes.h"
#include "central-customers.h"
#include "central-migrate.h"

#define MIGRATIONS_PATH "/br/balcao/Balcao/migrations/central"

/* data/meson.build compiles data/migrations/central into this. */
extern GResource *central_migrations_get_resource (void);

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
central_migrate (CentralConn *conn,
                 GError     **error)
{
  g_auto(GStrv) names = NULL;
  int applied = 0;
  guint n;

  GResource *resource = central_migrations_get_resource ();

  names = g_resource_enumerate_children (resource, MIGRATIONS_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return -1;
  n = g_strv_length (names);
  qsort (names, n, sizeof (char *), compare_names);

  if (!central_conn_simple (conn,
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at bigint NOT NULL)", error))
    return -1;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strconcat (MIGRATIONS_PATH "/", names[i], NULL);
      g_autofree char *version = NULL;
      g_autofree char *now = NULL;
      g_autoptr(GBytes) sql = NULL;
      g_autoptr(PGresult) res = NULL;
      guint64 v;

      if (!g_str_has_suffix (names[i], ".sql") || strlen (names[i]) < 5 ||
          !g_ascii_string_to_unsigned ((version = g_strndup (names[i], 4)), 10, 1, 9999, &v, NULL))
        continue;

      if (!central_conn_begin (conn, error))
        return -1;
      /* One migrator at a time. */
      if (!central_conn_simple (conn, "SELECT pg_advisory_xact_lock (7031246)", error))
        goto fail;
      {
        const char *params[] = { version };

        res = central_conn_exec (conn, "SELECT 1 FROM schema_migrations WHERE version = $1::integer",
                                 1, params, error);
        if (res == NULL)
          goto fail;
      }
      if (PQntuples (res) > 0)
        {
          central_conn_rollback (conn);
          continue;
        }
      sql = g_resource_lookup_data (resource, path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (sql == NULL)
        goto fail;
      {
        g_autofree char *text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));

        if (!central_conn_simple (conn, text, error))
          {
            g_prefix_error (error, "Migration %s failed: ", names[i]);
            goto fail;
          }
      }
      now = g_strdup_printf ("%" G_GINT64_FORMAT, central_now_ms ());
      {
        const char *params[] = { version, names[i], now };

        if (!central_conn_run (conn,
              "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1::integer, $2, $3::bigint)",
              3, params, error))
          goto fail;
      }
      if (!central_conn_commit (conn, error))
        goto fail;
      applied++;
      continue;

    fail:
      central_conn_rollback (conn);
      return -1;
    }

  /* Schema 5 added lookup keys that only the central's C code computes
   * (names folded without accents): fill those of older rows. */
  if (!central_customers_fold_pending (conn, error))
    return -1;
  return applied;
}
