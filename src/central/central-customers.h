/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "central-changes.h"

G_BEGIN_DECLS

/* Customers at the central (docs/sync-protocol.md §6, §6.1): per-field
 * last-writer-wins, most restrictive consent, merges, erasure; the stores
 * each customer is relevant to (customer and timeline changes are
 * published once per relevant store), lookups, loyalty points. */

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
  const char *store_id;          /* the store of the terminal that made the edit: the
                                  * customer becomes relevant to it (§6.1); NULL for channels */
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

/* Why a customer is relevant to a store (customer_stores.reason). */
#define CENTRAL_RELEVANT_SALE   "sale"
#define CENTRAL_RELEVANT_RETURN "return"
#define CENTRAL_RELEVANT_PICKUP "pickup"
#define CENTRAL_RELEVANT_EDIT   "edit"
#define CENTRAL_RELEVANT_LOOKUP "lookup"

/* The (surviving) customer becomes relevant to the store, for ever. The
 * first time, the store is sent the customer's current state and whole
 * timeline in this transaction. An erased customer is left alone; an id
 * the central does not know yet is remembered (it is published to the
 * store when it arrives). */
gboolean central_customer_relate (CentralTx   *tx,
                                  const char  *customer_id,
                                  const char  *store_id,
                                  const char  *reason,
                                  GError     **error);

/* loyalty_points += delta on the (surviving) customer, a new version,
 * published. An erased or unknown customer: nothing (the sale stands);
 * a balance that goes negative is logged. `document_id` names the sale. */
gboolean central_customer_add_points (CentralTx   *tx,
                                      const char  *customer_id,
                                      gint64       delta,
                                      const char  *document_id,
                                      GError     **error);

#define CENTRAL_LOOKUP_MAX_LIMIT 20

/* GET /v1/customers?q=TEXT (§6.1): by CPF, e-mail, phone, loyalty card or
 * name words, best match first, at most `limit`; every customer returned
 * becomes relevant to `store_id`. The 200 body {"customers": [...]};
 * CENTRAL_CUSTOMER_ERROR_INVALID when the text is too short to search. */
char    *central_customer_lookup (CentralTx   *tx,
                                  const char  *store_id,
                                  const char  *text,
                                  guint        limit,
                                  GError     **error);

/* Fills the lookup keys (folded name, phone digits...) of the customers
 * that have none yet: the rows of a database migrated to schema 5. */
gboolean central_customers_fold_pending (CentralConn *conn,
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
