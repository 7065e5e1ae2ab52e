/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The sync wire format (docs/sync-protocol.md), shared by the terminal and
 * balcao-central: push batches and their results, pull pages, error bodies.
 * Parsers validate the envelope strictly and never trust a field's type;
 * builders that take "json text" copy it verbatim (it must already be a
 * valid JSON value: the terminal's outbox payloads, the central's stored
 * entity data), so large pages are not parsed and re-serialised. */

#define POS_SYNC_WIRE_ERROR (pos_sync_wire_error_quark ())
GQuark pos_sync_wire_error_quark (void);

typedef enum {
  POS_SYNC_WIRE_ERROR_MALFORMED,     /* not JSON, or a field missing / of the wrong type */
  POS_SYNC_WIRE_ERROR_TOO_MANY,      /* a push batch of more than POS_SYNC_MAX_BATCH ops */
} PosSyncWireError;

#define POS_SYNC_MAX_BATCH 200

/* ------------------------------------------------------------------ */
/* Push: operations and their results                                  */

typedef struct {
  char     *op_id;       /* UUIDv7 */
  gint64    seq;         /* per terminal, increasing */
  char     *type;        /* "sale.create", "stock.move", ... */
  char     *entity_id;
  JsonNode *payload;     /* an object */
  gint64    local_ts;    /* Unix ms */
} PosSyncOp;

void pos_sync_op_free (PosSyncOp *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSyncOp, pos_sync_op_free)

/* Building a push body from outbox rows: begin, append each op (payload is
 * the op's JSON text as stored), end. Returns the body (free with g_free). */
GString *pos_sync_push_request_begin   (const char *terminal_id);
void     pos_sync_push_request_append  (GString    *body,
                                        const char *op_id,
                                        gint64      seq,
                                        const char *type,
                                        const char *entity_id,
                                        const char *payload_json,
                                        gint64      local_ts);
char    *pos_sync_push_request_end     (GString    *body);

/* Parses and validates a push body. On success *terminal_id may be NULL
 * (the field is optional), *ops is a GPtrArray of PosSyncOp. */
gboolean pos_sync_push_request_parse   (const char  *body,
                                        gsize        length,
                                        char       **terminal_id,
                                        GPtrArray  **ops,
                                        GError     **error);

typedef enum {
  POS_SYNC_RESULT_APPLIED,
  POS_SYNC_RESULT_DUPLICATE,
  POS_SYNC_RESULT_REJECTED,
  POS_SYNC_RESULT_CONFLICT,
} PosSyncResultStatus;

typedef struct {
  char               *op_id;
  PosSyncResultStatus status;
  char               *code;          /* rejected: why, as a code */
  char               *message;       /* rejected/conflict: a sentence */
  JsonNode           *server_state;  /* conflict: the entity as the central has it */
} PosSyncResult;

PosSyncResult *pos_sync_result_new  (const char          *op_id,
                                     PosSyncResultStatus  status,
                                     const char          *code,
                                     const char          *message,
                                     JsonNode            *server_state);  /* copied; may be NULL */
void           pos_sync_result_free (PosSyncResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSyncResult, pos_sync_result_free)

const char *pos_sync_result_status_to_string   (PosSyncResultStatus status);
gboolean    pos_sync_result_status_from_string (const char *text, PosSyncResultStatus *status);

/* {"results": [...]} from a GPtrArray of PosSyncResult, and back. */
char      *pos_sync_push_results_to_json (GPtrArray  *results);
GPtrArray *pos_sync_push_results_parse   (const char *body,
                                          gsize       length,
                                          GError    **error);

/* ------------------------------------------------------------------ */
/* Pull: changes and pages                                             */

typedef enum {
  POS_SYNC_CHANGE_UPSERT,
  POS_SYNC_CHANGE_DELETE,
  POS_SYNC_CHANGE_MERGE,
} PosSyncChangeOp;

const char *pos_sync_change_op_to_string   (PosSyncChangeOp op);
gboolean    pos_sync_change_op_from_string (const char *text, PosSyncChangeOp *op);

typedef struct {
  char           *stream;
  char           *entity;
  char           *id;
  PosSyncChangeOp op;
  gint64          version;
  JsonNode       *data;     /* an object (may be empty) */
} PosSyncChange;

void pos_sync_change_free (PosSyncChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSyncChange, pos_sync_change_free)

/* Appends one CHANGE object to a JSON array being built in `out` (adds
 * the comma when `out` does not end with '['). data_json is copied
 * verbatim; NULL means {}. */
void pos_sync_change_append_json (GString        *out,
                                  const char     *stream,
                                  const char     *entity,
                                  const char     *id,
                                  PosSyncChangeOp op,
                                  gint64          version,
                                  const char     *data_json);

/* A pull answer, or a snapshot page (items/as_of/next_after). */
typedef struct {
  GPtrArray *changes;      /* PosSyncChange */
  char      *next_cursor;  /* pull: next_cursor; snapshot: as_of */
  char      *next_after;   /* snapshot only; NULL for pull */
  gboolean   has_more;
} PosSyncPage;

void pos_sync_page_free (PosSyncPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSyncPage, pos_sync_page_free)

PosSyncPage *pos_sync_pull_page_parse     (const char *body, gsize length, GError **error);
PosSyncPage *pos_sync_snapshot_page_parse (const char *body, gsize length, GError **error);

/* Wait answer: {"streams": [...], "latest_cursor": "..."}. */
gboolean pos_sync_wait_parse (const char  *body,
                              gsize        length,
                              char      ***streams,
                              char       **latest_cursor,
                              GError     **error);

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/* {"code": ..., "message": ...} */
char    *pos_sync_error_to_json (const char *code, const char *message);
/* Reads an error body; FALSE (and both NULL) when it is not one. */
gboolean pos_sync_error_parse   (const char  *body,
                                 gsize        length,
                                 char       **code,
                                 char       **message);

/* Appends `text` as a JSON string literal (quotes and escapes included). */
void pos_sync_append_json_string (GString *out, const char *text);

G_END_DECLS
