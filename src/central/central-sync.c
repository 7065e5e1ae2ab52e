/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-sync-wire.h>

#include "central-sync.h"

G_DEFINE_QUARK (central-sync-error-quark, central_sync_error)

static const char * const streams[] = { "catalog", "stores", "stock", "customers", "pickups", NULL };

gboolean
central_sync_parse_cursor (const char *text,
                           gint64     *out)
{
  guint64 v = 0;

  if (text == NULL || *text == '\0')
    {
      *out = 0;
      return TRUE;
    }
  if (strlen (text) > 18 || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &v, NULL))
    return FALSE;
  *out = (gint64) v;
  return TRUE;
}

static gboolean
read_begin (CentralConn *conn,
            GError     **error)
{
  return central_conn_simple (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
}

/* 410 when deletions after the cursor were pruned. */
static gboolean
check_horizon (CentralConn *conn,
               gint64       cursor,
               GError     **error)
{
  g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT horizon FROM sync_horizon WHERE id = 1",
                                               0, NULL, error);
  gint64 horizon;

  if (res == NULL)
    return FALSE;
  horizon = PQntuples (res) > 0 ? central_res_int (res, 0, 0) : 0;
  if (cursor > 0 && cursor < horizon)
    {
      g_set_error (error, CENTRAL_SYNC_ERROR, CENTRAL_SYNC_ERROR_CURSOR_EXPIRED, "%" G_GINT64_FORMAT, horizon);
      return FALSE;
    }
  return TRUE;
}

/* The log's position in the read transaction's snapshot: everything up
 * to it has been committed (changes are written in seq order under one
 * lock). It is never below the horizon: a prune may have deleted the
 * tombstones at the end of the log, and a position below the horizon
 * would answer 410 for ever. The prune held the writers' lock, so every
 * seq up to the horizon was committed before it. */
static gint64
log_position (CentralConn *conn,
              GError     **error)
{
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT GREATEST ((SELECT COALESCE (max (seq), 0) FROM changes), "
    "(SELECT COALESCE (max (horizon), 0) FROM sync_horizon))", 0, NULL, error);

  return res != NULL ? central_res_int (res, 0, 0) : -1;
}

static PosSyncChangeOp
op_of (const char *text)
{
  PosSyncChangeOp op = POS_SYNC_CHANGE_UPSERT;

  pos_sync_change_op_from_string (text, &op);
  return op;
}

char *
central_sync_pull (CentralConn *conn,
                   const char  *store_id,
                   const char  *cursor,
                   guint        limit,
                   GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *limit_text = NULL;
  gint64 from, next;
  gboolean has_more;
  int n;

  if (!central_sync_parse_cursor (cursor, &from))
    {
      g_set_error (error, CENTRAL_SYNC_ERROR, CENTRAL_SYNC_ERROR_BAD_REQUEST,
                   "The cursor is not one this server gave; pull from the beginning (no cursor).");
      return NULL;
    }
  from_text = g_strdup_printf ("%" G_GINT64_FORMAT, from);
  limit_text = g_strdup_printf ("%u", limit + 1);

  if (!read_begin (conn, error))
    return NULL;
  if (!check_horizon (conn, from, error))
    goto fail;
  {
    const char *params[] = { from_text, store_id, limit_text };

    res = central_conn_exec (conn,
      "SELECT seq, stream, entity, entity_id, op, version, data FROM changes "
      "WHERE seq > $1::bigint AND (store_id IS NULL OR store_id = $2) ORDER BY seq LIMIT $3::integer",
      3, params, error);
    if (res == NULL)
      goto fail;
  }
  n = PQntuples (res);
  has_more = n > (int) limit;
  if (has_more)
    {
      n = (int) limit;
      next = central_res_int (res, n - 1, 0);
    }
  else
    {
      /* Everything up to the log's position has been seen. */
      next = log_position (conn, error);
      if (next < 0)
        goto fail;
      next = MAX (next, from);
    }
  central_conn_rollback (conn);

  out = g_string_sized_new (256 + (gsize) n * 256);
  g_string_append (out, "{\"changes\":[");
  for (int i = 0; i < n; i++)
    pos_sync_change_append_json (out, PQgetvalue (res, i, 1), PQgetvalue (res, i, 2), PQgetvalue (res, i, 3),
                                 op_of (PQgetvalue (res, i, 4)), central_res_int (res, i, 5),
                                 PQgetvalue (res, i, 6));
  g_string_append_printf (out, "],\"next_cursor\":\"%" G_GINT64_FORMAT "\",\"has_more\":%s}",
                          next, has_more ? "true" : "false");
  return g_string_free (g_steal_pointer (&out), FALSE);

fail:
  central_conn_rollback (conn);
  return NULL;
}

char *
central_sync_snapshot (CentralConn *conn,
                       const char  *store_id,
                       const char  *stream,
                       const char  *after,
                       const char  *as_of_text,
                       guint        limit,
                       GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *after_rank = NULL;
  g_autofree char *as_of_param = NULL;
  g_autofree char *limit_text = g_strdup_printf ("%u", limit + 1);
  const char *after_id = "";
  gint64 as_of = 0;
  gboolean has_more;
  int n;

  if (!g_strv_contains (streams, stream))
    {
      g_set_error (error, CENTRAL_SYNC_ERROR, CENTRAL_SYNC_ERROR_NO_STREAM,
                   "There is no stream %s (catalog, stores, stock, customers, pickups).", stream);
      return NULL;
    }
  if (after != NULL && *after != '\0')
    {
      const char *colon = strchr (after, ':');
      guint64 rank;
      g_autofree char *rank_text = colon != NULL ? g_strndup (after, colon - after) : NULL;

      if (rank_text == NULL || !g_ascii_string_to_unsigned (rank_text, 10, 0, 9, &rank, NULL))
        {
          g_set_error (error, CENTRAL_SYNC_ERROR, CENTRAL_SYNC_ERROR_BAD_REQUEST,
                       "after must be the next_after of the previous page.");
          return NULL;
        }
      after_rank = g_strdup_printf ("%u", (guint) rank);
      after_id = colon + 1;
    }
  else
    after_rank = g_strdup ("-1");
  if (as_of_text != NULL && *as_of_text != '\0' && !central_sync_parse_cursor (as_of_text, &as_of))
    {
      g_set_error (error, CENTRAL_SYNC_ERROR, CENTRAL_SYNC_ERROR_BAD_REQUEST,
                   "as_of must be the as_of of the first page.");
      return NULL;
    }

  if (!read_begin (conn, error))
    return NULL;
  if (as_of_text == NULL || *as_of_text == '\0')
    {
      as_of = log_position (conn, error);
      if (as_of < 0)
        goto fail;
    }
  as_of_param = g_strdup_printf ("%" G_GINT64_FORMAT, as_of);
  {
    const char *params[] = { stream, store_id, as_of_param, after_rank, after_id, limit_text };

    res = central_conn_exec (conn,
      "SELECT entity_rank, stream, entity, entity_id, version, data FROM changes "
      "WHERE stream = $1 AND op = 'upsert' AND (store_id IS NULL OR store_id = $2) AND seq <= $3::bigint "
      "AND (entity_rank, entity_id) > ($4::smallint, $5) ORDER BY entity_rank, entity_id LIMIT $6::integer",
      6, params, error);
    if (res == NULL)
      goto fail;
  }
  central_conn_rollback (conn);

  n = PQntuples (res);
  has_more = n > (int) limit;
  if (has_more)
    n = (int) limit;

  out = g_string_sized_new (256 + (gsize) n * 256);
  g_string_append (out, "{\"stream\":");
  pos_sync_append_json_string (out, stream);
  g_string_append (out, ",\"items\":[");
  for (int i = 0; i < n; i++)
    pos_sync_change_append_json (out, PQgetvalue (res, i, 1), PQgetvalue (res, i, 2), PQgetvalue (res, i, 3),
                                 POS_SYNC_CHANGE_UPSERT, central_res_int (res, i, 4), PQgetvalue (res, i, 5));
  g_string_append_printf (out, "],\"as_of\":\"%" G_GINT64_FORMAT "\",\"next_after\":", as_of);
  if (n > 0)
    {
      g_autofree char *key = g_strdup_printf ("%s:%s", PQgetvalue (res, n - 1, 0), PQgetvalue (res, n - 1, 3));

      pos_sync_append_json_string (out, key);
    }
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ",\"has_more\":%s}", has_more ? "true" : "false");
  return g_string_free (g_steal_pointer (&out), FALSE);

fail:
  central_conn_rollback (conn);
  return NULL;
}

gboolean
central_sync_check (CentralConn *conn,
                    const char  *store_id,
                    const char  *cursor,
                    char       **body,
                    GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  g_autofree char *from_text = NULL;
  GString *out;
  gint64 from, latest = 0;

  *body = NULL;
  if (!central_sync_parse_cursor (cursor, &from))
    {
      g_set_error (error, CENTRAL_SYNC_ERROR, CENTRAL_SYNC_ERROR_BAD_REQUEST,
                   "The cursor is not one this server gave; pull from the beginning (no cursor).");
      return FALSE;
    }
  from_text = g_strdup_printf ("%" G_GINT64_FORMAT, from);

  if (!read_begin (conn, error))
    return FALSE;
  if (!check_horizon (conn, from, error))
    goto fail;
  {
    const char *params[] = { from_text, store_id };

    res = central_conn_exec (conn,
      "SELECT stream, max (seq) FROM changes WHERE seq > $1::bigint AND (store_id IS NULL OR store_id = $2) "
      "GROUP BY stream ORDER BY stream", 2, params, error);
    if (res == NULL)
      goto fail;
  }
  central_conn_rollback (conn);

  if (PQntuples (res) == 0)
    return TRUE;
  out = g_string_new ("{\"streams\":[");
  for (int i = 0; i < PQntuples (res); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      pos_sync_append_json_string (out, PQgetvalue (res, i, 0));
      latest = MAX (latest, central_res_int (res, i, 1));
    }
  g_string_append_printf (out, "],\"latest_cursor\":\"%" G_GINT64_FORMAT "\"}", latest);
  *body = g_string_free (out, FALSE);
  return TRUE;

fail:
  central_conn_rollback (conn);
  return FALSE;
}
