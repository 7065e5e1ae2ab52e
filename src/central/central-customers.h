/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "central-changes.h"

G_BEGIN_DECLS

/* Customers at the central (docs/sync-protocol.md §6): per-field
 * last-writer-wins, most restrictive consent, merges, erasure. */

#define CENTRAL_CUSTOMER_ERROR (central_customer_error_quark ())
GQuark central_customer_error_quark (void);

typedef enum {
  CENTRAL_CUSTOMER_ERROR_ERASED,
  CENTRAL_CUSTOMER_ERROR_NOT_FOUND,
  CENTRAL_CUSTOMER_ERROR_INVALID,    /* a field of the wrong type, a bad value */
} CentralCustomerError;

typedef struct {
  const char *id;
  JsonObject *fields;            /* contact fields, processing_restricted, ... (may be NULL) */
  JsonArray  *consents;          /* may be NULL */
  JsonArray  *identities;        /* may be NULL */
  gboolean    has_base_version;  /* the edit was made knowing base_version */
  gint64      base_version;
  gint64      edit_ts;           /* when the edit was made (Unix ms) */
  gint64      created_at;        /* 0: edit_ts */
  const char *source;            /* consent source when a consent has none */
} CentralCustomerEdit;

/* Applies an edit (creating the customer when new). An edit of a merged
 * customer goes to the survivor. *out_id (optional) is the customer that
 * was changed; *created (optional) whether it was new. */
gboolean central_customer_upsert (CentralTx                 *tx,
                                  const CentralCustomerEdit *edit,
                                  char                     **out_id,
                                  gboolean                  *created,
                                  GError                   **error);

/* Purges the personal data and timeline; publishes op delete. Unknown ids
 * are recorded as erased too. */
gboolean central_customer_erase  (CentralTx   *tx,
                                  const char  *id,
                                  gint64      *erased_at,
                                  GError     **error);

/* `id` becomes a tombstone pointing at `into`; its timeline and
 * identities move to the survivor. */
gboolean central_customer_merge  (CentralTx   *tx,
                                  const char  *id,
                                  const char  *into,
                                  GError     **error);

/* The survivor of `id` (following merges); NULL if unknown. Sets
 * *erased when the customer was erased. */
char    *central_customer_resolve (CentralConn *conn,
                                   const char  *id,
                                   gboolean    *erased,
                                   GError     **error);

/* The CUSTOMER entity as JSON text (NULL + NOT_FOUND if unknown). */
char    *central_customer_json   (CentralConn *conn,
                                  const char  *id,
                                  gint64      *version,
                                  GError     **error);

typedef struct {
  const char *customer_id;
  const char *channel;
  const char *kind;
  gint64      occurred_at;
  const char *store_id;      /* may be NULL */
  gboolean    has_amount;
  gint64      amount;
  const char *currency;
  const char *summary;
  const char *document_id;
  const char *data;          /* JSON text or NULL */
} CentralEvent;

/* Adds a timeline entry to the (surviving) customer and publishes it.
 * An erased customer gets none: CENTRAL_CUSTOMER_ERROR_ERASED. Returns the
 * CUSTOMER_EVENT as JSON text. */
char    *central_customer_event_add (CentralTx          *tx,
                                     const CentralEvent *event,
                                     GError            **error);

/* {"customer": CUSTOMER, "events": [...]} newest first, before `before`
 * (0 = now). */
char    *central_customer_timeline (CentralConn *conn,
                                    const char  *id,
                                    gint64       before,
                                    guint        limit,
                                    GError     **error);

G_END_DECLS
