/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include "central-db.h"

G_DEFINE_QUARK (central-db-error-quark, central_db_error)

struct _CentralConn {
  PGconn     *pg;
  GHashTable *prepared;   /* sql -> statement name */
  guint       n_prepared;
};

struct _CentralDb {
  char        *conninfo;
  guint        pool_size;
  GMutex       lock;
  GCond        cond;
  GQueue       idle;      /* CentralConn*, connected */
  guint        n_out;     /* handed out */
};

/* "relation already exists, skipping" and the like are not for people. */
static void
ignore_notice (void       *data,
               const char *message)
{
}

CentralConn *
central_conn_open (const char *conninfo,
                   GError    **error)
{
  CentralConn *conn;
  PGconn *pg = PQconnectdb (conninfo);

  if (PQstatus (pg) != CONNECTION_OK)
    {
      g_autofree char *msg = g_strstrip (g_strdup (PQerrorMessage (pg)));

      g_set_error (error, CENTRAL_DB_ERROR, CENTRAL_DB_ERROR_UNAVAILABLE,
                   "Cannot connect to the database: %s", msg);
      PQfinish (pg);
      return NULL;
    }
  PQsetClientEncoding (pg, "UTF8");
  PQsetNoticeProcessor (pg, ignore_notice, NULL);

  conn = g_new0 (CentralConn, 1);
  conn->pg = pg;
  conn->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return conn;
}

void
central_conn_close (CentralConn *conn)
{
  if (conn == NULL)
    return;
  PQfinish (conn->pg);
  g_hash_table_unref (conn->prepared);
  g_free (conn);
}

PGconn *
central_conn_get_pg (CentralConn *conn)
{
  return conn->pg;
}

static gboolean
set_error_from_result (CentralConn *conn,
                       PGresult    *res,
                       GError     **error)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *msg = g_strstrip (g_strdup (res != NULL ? PQresultErrorMessage (res)
                                                           : PQerrorMessage (conn->pg)));
  int code = CENTRAL_DB_ERROR_FAILED;

  if (PQstatus (conn->pg) != CONNECTION_OK)
    code = CENTRAL_DB_ERROR_UNAVAILABLE;
  else if (state != NULL && (g_str_has_prefix (state, "23") || g_str_has_prefix (state, "22")))
    code = CENTRAL_DB_ERROR_CONSTRAINT;
  else if (state != NULL && (g_str_has_prefix (state, "08") || g_str_has_prefix (state, "57")))
    code = CENTRAL_DB_ERROR_UNAVAILABLE;

  g_set_error (error, CENTRAL_DB_ERROR, code, "Database error: %s", msg);
  return FALSE;
}

static gboolean
result_ok (PGresult *res)
{
  ExecStatusType st = res != NULL ? PQresultStatus (res) : PGRES_FATAL_ERROR;

  return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

PGresult *
central_conn_exec (CentralConn        *conn,
                   const char         *sql,
                   int                 n_params,
                   const char * const *params,
                   GError            **error)
{
  const char *name = g_hash_table_lookup (conn->prepared, sql);
  PGresult *res;

  if (name == NULL)
    {
      char *new_name = g_strdup_printf ("s%u", ++conn->n_prepared);

      res = PQprepare (conn->pg, new_name, sql, n_params, NULL);
      if (!result_ok (res))
        {
          set_error_from_result (conn, res, error);
          PQclear (res);
          g_free (new_name);
          return NULL;
        }
      PQclear (res);
      g_hash_table_insert (conn->prepared, g_strdup (sql), new_name);
      name = new_name;
    }

  res = PQexecPrepared (conn->pg, name, n_params, params, NULL, NULL, 0);
  if (!result_ok (res))
    {
      set_error_from_result (conn, res, error);
      PQclear (res);
      return NULL;
    }
  return res;
}

gboolean
central_conn_run (CentralConn        *conn,
                  const char         *sql,
                  int                 n_params,
                  const char * const *params,
                  GError            **error)
{
  PGresult *res = central_conn_exec (conn, sql, n_params, params, error);

  if (res == NULL)
    return FALSE;
  PQclear (res);
  return TRUE;
}

gboolean
central_conn_simple (CentralConn *conn,
                     const char  *sql,
                     GError     **error)
{
  PGresult *res = PQexec (conn->pg, sql);
  gboolean ok = result_ok (res);

  if (!ok)
    set_error_from_result (conn, res, error);
  PQclear (res);
  return ok;
}

gboolean
central_conn_begin (CentralConn *conn,
                    GError     **error)
{
  return central_conn_simple (conn, "BEGIN", error);
}

gboolean
central_conn_commit (CentralConn *conn,
                     GError     **error)
{
  return central_conn_simple (conn, "COMMIT", error);
}

void
central_conn_rollback (CentralConn *conn)
{
  if (PQtransactionStatus (conn->pg) != PQTRANS_IDLE)
    PQclear (PQexec (conn->pg, "ROLLBACK"));
}

const char *
central_res_str (PGresult *res,
                 int       row,
                 int       col)
{
  if (PQgetisnull (res, row, col))
    return NULL;
  return PQgetvalue (res, row, col);
}

gint64
central_res_int (PGresult *res,
                 int       row,
                 int       col)
{
  if (PQgetisnull (res, row, col))
    return 0;
  return g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

gboolean
central_res_bool (PGresult *res,
                  int       row,
                  int       col)
{
  const char *v = central_res_str (res, row, col);

  return v != NULL && (v[0] == 't' || v[0] == '1');
}

CentralDb *
central_db_new (const char *conninfo,
                guint       pool_size)
{
  CentralDb *db = g_new0 (CentralDb, 1);

  db->conninfo = g_strdup (conninfo);
  db->pool_size = MAX (pool_size, 1);
  g_mutex_init (&db->lock);
  g_cond_init (&db->cond);
  g_queue_init (&db->idle);
  return db;
}

void
central_db_free (CentralDb *db)
{
  CentralConn *conn;

  if (db == NULL)
    return;
  g_warn_if_fail (db->n_out == 0);
  while ((conn = g_queue_pop_head (&db->idle)) != NULL)
    central_conn_close (conn);
  g_mutex_clear (&db->lock);
  g_cond_clear (&db->cond);
  g_free (db->conninfo);
  g_free (db);
}

const char *
central_db_get_conninfo (CentralDb *db)
{
  return db->conninfo;
}

CentralConn *
central_db_acquire (CentralDb *db,
                    GError   **error)
{
  CentralConn *conn = NULL;

  g_mutex_lock (&db->lock);
  while (g_queue_is_empty (&db->idle) && db->n_out + g_queue_get_length (&db->idle) >= db->pool_size)
    g_cond_wait (&db->cond, &db->lock);
  conn = g_queue_pop_head (&db->idle);
  db->n_out++;
  g_mutex_unlock (&db->lock);

  if (conn != NULL && PQstatus (conn->pg) != CONNECTION_OK)
    {
      central_conn_close (conn);
      conn = NULL;
    }
  if (conn == NULL)
    {
      conn = central_conn_open (db->conninfo, error);
      if (conn == NULL)
        {
          g_mutex_lock (&db->lock);
          db->n_out--;
          g_cond_signal (&db->cond);
          g_mutex_unlock (&db->lock);
        }
    }
  return conn;
}

void
central_db_release (CentralDb   *db,
                    CentralConn *conn)
{
  if (conn == NULL)
    return;

  if (PQstatus (conn->pg) == CONNECTION_OK && PQtransactionStatus (conn->pg) != PQTRANS_IDLE)
    central_conn_rollback (conn);
  if (PQstatus (conn->pg) != CONNECTION_OK || PQtransactionStatus (conn->pg) != PQTRANS_IDLE)
    {
      central_conn_close (conn);
      conn = NULL;
    }

  g_mutex_lock (&db->lock);
  db->n_out--;
  if (conn != NULL)
    g_queue_push_head (&db->idle, conn);
  g_cond_signal (&db->cond);
  g_mutex_unlock (&db->lock);
}
