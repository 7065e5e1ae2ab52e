/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "domain/pos-tax.h"

G_BEGIN_DECLS

#define POS_DATABASE_ERROR (pos_database_error_quark ())
GQuark pos_database_error_quark (void);

typedef enum {
  POS_DATABASE_ERROR_OPEN,          /* cannot open / not a database */
  POS_DATABASE_ERROR_NEWER_SCHEMA,  /* written by a newer Balcão: refused, untouched */
  POS_DATABASE_ERROR_MIGRATION,     /* a migration failed: rolled back */
  POS_DATABASE_ERROR_CORRUPT,
  POS_DATABASE_ERROR_FULL,          /* disk full: nothing was written */
  POS_DATABASE_ERROR_BUSY,
  POS_DATABASE_ERROR_NOT_FOUND,
  POS_DATABASE_ERROR_CONSTRAINT,
  POS_DATABASE_ERROR_SQL,           /* anything else */
} PosDatabaseError;

/* The terminal's local SQLite database: WAL, foreign keys on, migrations
 * from data/migrations/terminal (compiled in as GResources) applied on open.
 * One PosDatabase = one connection; use it from one thread at a time. Worker
 * threads open their own with pos_database_open() on the same path. */
#define POS_TYPE_DATABASE (pos_database_get_type ())
G_DECLARE_FINAL_TYPE (PosDatabase, pos_database, POS, DATABASE, GObject)

PosDatabase *pos_database_open                 (const char *path, GError **error);
/* For tests: open and migrate only up to the given version. */
PosDatabase *pos_database_open_at_version      (const char *path, int version, GError **error);
const char  *pos_database_get_path             (PosDatabase *self);
sqlite3     *pos_database_get_handle           (PosDatabase *self);
int          pos_database_get_schema_version   (PosDatabase *self);
int          pos_database_get_latest_version   (void);

/* A connection for a worker thread, on the same file: taken from the
 * idle ones or opened. Use it from that one thread, then give it back with
 * release_worker (thread-safe both). Keeps the UI connection free and
 * spares each task opening the database again. */
PosDatabase *pos_database_acquire_worker       (PosDatabase *self, GError **error);
void         pos_database_release_worker       (PosDatabase *self, PosDatabase *worker);

/* A cached prepared statement (reset and bindings cleared), owned by the
 * database. NULL + error on failure. */
sqlite3_stmt *pos_database_prepare_cached      (PosDatabase *self, const char *sql, GError **error);
/* Sets error from the connection's last SQLite error, mapping codes to
 * PosDatabaseError with a message a person can act on. Returns FALSE. */
gboolean     pos_database_set_error            (PosDatabase *self, GError **error, const char *what);
/* The CREATE statement of a trigger as the migrations made it, or NULL. */
char        *pos_database_get_trigger_sql      (PosDatabase *self, const char *name);
/* A text column as a new string, or NULL for SQL NULL. */
char        *pos_database_column_dup           (sqlite3_stmt *stmt, int col);
/* Binds text (copied), or NULL as SQL NULL. */
void         pos_database_bind_text            (sqlite3_stmt *stmt, int index, const char *text);

/* Transactions. begin takes the write lock (BEGIN IMMEDIATE). The
 * connection runs with synchronous=FULL, so commit_durable's COMMIT returns
 * only once the transaction is synced to the disk; callers that must be
 * durable (a sale before its receipt) use it to say so. */
gboolean     pos_database_begin                (PosDatabase *self, GError **error);
gboolean     pos_database_commit               (PosDatabase *self, GError **error);
gboolean     pos_database_commit_durable       (PosDatabase *self, GError **error);
void         pos_database_rollback             (PosDatabase *self);
gboolean     pos_database_exec                 (PosDatabase *self, const char *sql, GError **error);

char        *pos_database_get_setting          (PosDatabase *self, const char *key);  /* NULL if unset */
gboolean     pos_database_set_setting          (PosDatabase *self, const char *key, const char *value, GError **error);

/* Who and where this terminal is: from settings 'store_id', 'terminal_id',
 * 'staff_id' (signed-in cashier) joined with stores/terminals/staff. */
typedef struct {
  char      *store_id;
  char      *store_code;
  char      *store_name;
  char      *store_legal_name;
  char      *store_cnpj;
  char      *store_address;
  char      *store_city;
  char      *currency;
  PosTaxMode tax_mode;        /* setting 'tax_mode': inclusive (default) | exclusive */
  char      *terminal_id;
  char      *terminal_code;
  char      *terminal_name;
  char      *staff_id;        /* may be NULL */
  char      *staff_name;
  char      *pix_key;         /* setting 'pix_key' */
  char      *receipt_header;  /* setting 'receipt_header' */
  char      *receipt_footer;  /* setting 'receipt_footer' */
  int        return_days;     /* setting 'return_days', default 30 */
} PosStoreInfo;

PosStoreInfo *pos_database_get_store_info      (PosDatabase *self, GError **error);
void          pos_store_info_free              (PosStoreInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosStoreInfo, pos_store_info_free)

/* Who this connection acts for: the person set with
 * pos_database_set_acting_staff (balcao-ctl --as, after their PIN), else
 * the setting 'staff_id' (who is signed in at the counter). NULL when
 * nobody. The audit log, pos_database_get_store_info and pos-staff.c's
 * checks all read this. */
char        *pos_database_get_staff_id         (PosDatabase *self);
/* Makes this connection act for staff_id without changing who is signed
 * in at the counter; NULL goes back to the setting. Not thread-safe: set it
 * before using the connection. Callers check the person (pos_staff_act_as). */
void         pos_database_set_acting_staff     (PosDatabase *self, const char *staff_id);

/* Appends an audit row (inside the caller's transaction if one is open)
 * for the person this connection acts for, and enqueues it for the central
 * as 'audit.append' in the same transaction (a savepoint: both or neither).
 * approver_id names who approved the action (NULL when nobody had to). */
gboolean     pos_database_audit_full           (PosDatabase *self,
                                                const char  *action,
                                                const char  *entity,
                                                const char  *entity_id,
                                                const char  *reason,
                                                const char  *data_json,
                                                const char  *approver_id,
                                                GError     **error);
/* pos_database_audit_full without an approver. */
gboolean     pos_database_audit                (PosDatabase *self,
                                                const char  *action,
                                                const char  *entity,
                                                const char  *entity_id,
                                                const char  *reason,
                                                const char  *data_json,
                                                GError     **error);
/* Appends an outbox operation with a new UUIDv7 op_id. */
gboolean     pos_database_enqueue_outbox       (PosDatabase *self,
                                                const char  *type,
                                                const char  *entity_id,
                                                const char  *payload_json,
                                                GError     **error);

gint64       pos_now_ms                        (void);   /* g_get_real_time () / 1000 */

G_END_DECLS
