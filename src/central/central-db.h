/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* PostgreSQL access for balcao-central: a small pool of connections, each
 * preparing a statement the first time it runs it (PQprepare once per
 * connection, PQexecPrepared after). Every query binds its parameters. */

#define CENTRAL_DB_ERROR (central_db_error_quark ())
GQuark central_db_error_quark (void);

typedef enum {
  CENTRAL_DB_ERROR_UNAVAILABLE,  /* cannot connect, or the connection broke */
  CENTRAL_DB_ERROR_CONSTRAINT,   /* a constraint, or data the database refuses */
  CENTRAL_DB_ERROR_FAILED,       /* anything else */
} CentralDbError;

typedef struct _CentralDb   CentralDb;
typedef struct _CentralConn CentralConn;

CentralDb   *central_db_new      (const char *conninfo,
                                  guint       pool_size);
void         central_db_free     (CentralDb  *db);
const char  *central_db_get_conninfo (CentralDb *db);

/* Takes a connection, waiting for one if all are busy; connects lazily.
 * NULL with CENTRAL_DB_ERROR_UNAVAILABLE when the database is down. */
CentralConn *central_db_acquire  (CentralDb  *db,
                                  GError    **error);
/* Gives it back; a broken connection (or one left in a transaction) is
 * closed and replaced later. */
void         central_db_release  (CentralDb  *db,
                                  CentralConn *conn);

/* A standalone connection (commands, migrations). */
CentralConn *central_conn_open   (const char *conninfo,
                                  GError    **error);
void         central_conn_close  (CentralConn *conn);
PGconn      *central_conn_get_pg (CentralConn *conn);

/* Runs `sql` (prepared once per connection) with `n_params` text
 * parameters (NULL = SQL NULL). Returns the result (tuples or command
 * ok) or NULL with an error. */
PGresult    *central_conn_exec   (CentralConn        *conn,
                                  const char         *sql,
                                  int                 n_params,
                                  const char * const *params,
                                  GError            **error);
/* Same, for statements that return nothing of interest. */
gboolean     central_conn_run    (CentralConn        *conn,
                                  const char         *sql,
                                  int                 n_params,
                                  const char * const *params,
                                  GError            **error);
/* Plain statements without parameters (BEGIN, SAVEPOINT, a migration). */
gboolean     central_conn_simple (CentralConn        *conn,
                                  const char         *sql,
                                  GError            **error);

gboolean     central_conn_begin    (CentralConn *conn, GError **error);
gboolean     central_conn_commit   (CentralConn *conn, GError **error);
void         central_conn_rollback (CentralConn *conn);

/* Helpers for results. */
const char  *central_res_str   (PGresult *res, int row, int col);  /* NULL for SQL NULL */
gint64       central_res_int   (PGresult *res, int row, int col);  /* 0 for SQL NULL */
gboolean     central_res_bool  (PGresult *res, int row, int col);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
