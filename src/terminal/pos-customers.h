/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* Customers as the counter needs them: a quick search to attach a customer
 * to the sale. Contact data comes back masked (LGPD): the counter shows
 * "***.456.789-**" and "(11) *****-4321", enough to tell people apart. */
typedef struct {
  char   *id;
  char   *name;
  char   *cpf_masked;      /* NULL when the customer has no CPF */
  char   *phone_masked;    /* NULL when there is no phone */
  gint64  store_credit;    /* minor units */
  gint64  loyalty_points;
} PosCustomerSummary;

void                pos_customer_summary_free (PosCustomerSummary *summary);
PosCustomerSummary *pos_customer_summary_copy (const PosCustomerSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosCustomerSummary, pos_customer_summary_free)

/* Every word of text must match a prefix of the name, e-mail, phone or
 * CPF (accents and case ignored): "maria sil" finds "Maria da Silva",
 * "4321" the phone ending in 4321. A whole valid CPF ("123.456.789-09" or
 * its 11 digits) finds its customer exactly. Erased and merged customers
 * are never returned. Returns PosCustomerSummary* (at most limit, 0 = 50),
 * best matches first; an empty array when nothing matches or text holds no
 * word. */
GPtrArray *pos_customers_search (PosDatabase  *db,
                                 const char   *text,
                                 guint         limit,
                                 GError      **error);

/* One customer by id (masked as above); NULL with
 * POS_DATABASE_ERROR_NOT_FOUND when there is none (or it was erased). */
PosCustomerSummary *pos_customers_get (PosDatabase  *db,
                                       const char   *id,
                                       GError      **error);

/* Masks for display: keeps the middle 6 digits of a CPF and the last 4 of
 * a phone. NULL in, NULL out. Exposed for tests. */
char *pos_customers_mask_cpf   (const char *cpf);
char *pos_customers_mask_phone (const char *phone);

/* ---------------------------------------------------------------------
 * Search as the clerk types (issue 4).
 *
 * pos_customers_search_page: one search field for everything. The text is
 * recognised as a whole CPF (check digits valid, any formatting), a phone
 * (any formatting, pos_phone_normalize), an e-mail, a loyalty card, and in
 * any case as name/e-mail/phone words (each a prefix, accents and case
 * ignored). Exact matches of a document, phone, e-mail or card come first,
 * then the best name matches. Paged: the results from `offset`, at most
 * `limit` (0 = 50). *has_more (optional) says whether more follow.
 * ------------------------------------------------------------------- */
GPtrArray *pos_customers_search_page (PosDatabase  *db,
                                      const char   *text,
                                      guint         offset,
                                      guint         limit,
                                      gboolean     *has_more,
                                      GError      **error);

/* The customer whose loyalty card is `code` (exactly, as scanned); NULL
 * with POS_DATABASE_ERROR_NOT_FOUND when none. */
PosCustomerSummary *pos_customers_find_by_card (PosDatabase  *db,
                                                const char   *code,
                                                GError      **error);

/* When nothing is found locally and the terminal is enrolled and online:
 * asks the central (GET /v1/customers?q=, docs/sync-protocol.md §6.1),
 * stores what it answers (the customer becomes this store's: the timeline
 * follows with the next pull) and returns the matches as summaries. Blocks
 * on the network: call it from a worker thread with the worker's own
 * connection. Errors are the sync client's (POS_SYNC_ERROR_NOT_ENROLLED,
 * network and HTTP errors, POS_SYNC_ERROR_BAD_ANSWER for an answer that
 * cannot be read: nothing is kept then), or POS_CUSTOMERS_ERROR_INVALID
 * when the text is too little to ask for; messages a clerk can read. */
GPtrArray *pos_customers_lookup_central (PosDatabase   *db,
                                         const char    *text,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* ---------------------------------------------------------------------
 * The profile.
 * ------------------------------------------------------------------- */
typedef enum {
  POS_CONSENT_UNKNOWN = -1,   /* never asked */
  POS_CONSENT_DENIED  = 0,
  POS_CONSENT_GRANTED = 1,
} PosConsentState;

/* The consent channels of docs/sync-protocol.md §4, in display order. */
#define POS_N_CONSENT_CHANNELS 6
extern const char * const pos_consent_channels[POS_N_CONSENT_CHANNELS + 1]; /* "email", "sms", ..., NULL */
const char *pos_consent_channel_label (const char *channel);  /* translated: "E-mail", "SMS", "WhatsApp", ... */

typedef struct {
  char            *channel;
  PosConsentState  state;
  char            *source;       /* "counter", "web", ... */
  gint64           recorded_at;  /* unix ms */
} PosCustomerConsent;

typedef struct {
  char *channel;                 /* "web", "marketplace", ... */
  char *external_id;
} PosCustomerIdentity;

typedef struct {
  char     *id;
  char     *name;
  /* Contact data: in full when `revealed`, masked otherwise; NULL when the
   * customer has none. */
  gboolean  revealed;
  char     *cpf;
  char     *email;
  char     *phone;
  char     *birth_date;          /* YYYY-MM-DD or NULL */
  char     *loyalty_card;
  char     *loyalty_tier;
  gint64    loyalty_points;      /* the central's balance + this terminal's unsent sales */
  gint64    store_credit;        /* minor units */
  char     *currency;
  char     *notes;
  char     *preferences;
  gboolean  processing_restricted;
  GPtrArray *consents;           /* PosCustomerConsent*, one per channel of pos_consent_channels */
  GPtrArray *identities;         /* PosCustomerIdentity* */
  gint64    version;
  gint64    created_at;
  gint64    updated_at;
  /* At a glance (0 when processing is restricted). */
  guint     n_events;
  guint     n_open_pickups;
  guint     n_returnable;        /* this store's purchases still within the return window */
  gint64    lifetime_spent;      /* sum of purchase events minus returns, in `currency` */
} PosCustomerProfile;

void pos_customer_profile_free (PosCustomerProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosCustomerProfile, pos_customer_profile_free)

/* Opens a customer's profile for the signed-in person and writes
 * 'customer.view' to the audit log (LGPD: who looked at whom). With
 * `reveal` the contact data comes in full, which needs reveal_contact
 * (POS_STAFF_ERROR_PERMISSION otherwise) and writes 'customer.reveal'.
 * NULL + POS_DATABASE_ERROR_NOT_FOUND for an unknown, merged or erased
 * id (a merged id is followed to the survivor instead). */
PosCustomerProfile *pos_customers_open_profile (PosDatabase  *db,
                                                const char   *id,
                                                gboolean      reveal,
                                                GError      **error);

/* The same profile read again for a page already showing it (sync
 * brought changes, a sale was made): no new audit row. `reveal` as the
 * page shows it (the reveal was audited when it was asked for). */
PosCustomerProfile *pos_customers_refresh_profile (PosDatabase  *db,
                                                   const char   *id,
                                                   gboolean      reveal,
                                                   GError      **error);

/* ---------------------------------------------------------------------
 * Create and edit at the counter (offline too).
 * ------------------------------------------------------------------- */
typedef struct {
  /* NULL: leave as it is (or unset for a new customer); "": clear. */
  const char      *name;
  const char      *cpf;
  const char      *email;
  const char      *phone;
  const char      *birth_date;
  const char      *loyalty_card;
  const char      *notes;
  const char      *preferences;
  /* Per pos_consent_channels index; POS_CONSENT_UNKNOWN leaves it. */
  PosConsentState  consents[POS_N_CONSENT_CHANNELS];
} PosCustomerEdit;

void pos_customer_edit_init (PosCustomerEdit *edit);  /* all NULL / UNKNOWN */

typedef struct {
  PosCustomerSummary *customer;
  gboolean            same_cpf;
  gboolean            same_phone;
  gboolean            same_email;
} PosCustomerDuplicate;
void pos_customer_duplicate_free (PosCustomerDuplicate *dup);

/* Customers other than `exclude_id` (may be NULL) sharing the CPF, phone
 * or e-mail of the edit (normalised), so the clerk can pick the existing
 * one instead of creating a twin. Of PosCustomerDuplicate*. */
GPtrArray *pos_customers_find_duplicates (PosDatabase           *db,
                                          const char            *exclude_id,
                                          const PosCustomerEdit *edit,
                                          GError               **error);

/* Validates (a name of at least 2 letters for a new customer, a valid
 * CPF, e-mail, phone and birth date when given; CPF and card not held by
 * another customer: POS_CUSTOMERS_ERROR_DUPLICATE), then in one
 * transaction writes the customer, its consents (source "counter"), the
 * 'customer.upsert' operation with only what changed and the version the
 * clerk saw, and an audit row. id NULL creates one; returns the id. */
char *pos_customers_save (PosDatabase            *db,
                          const char             *id,
                          const PosCustomerEdit  *edit,
                          GError                **error);

#define POS_CUSTOMERS_ERROR (pos_customers_error_quark ())
GQuark pos_customers_error_quark (void);
typedef enum {
  POS_CUSTOMERS_ERROR_INVALID,     /* a field is wrong: the message says which */
  POS_CUSTOMERS_ERROR_DUPLICATE,   /* the CPF or card belongs to another customer */
  POS_CUSTOMERS_ERROR_RESTRICTED,  /* processing restricted: no history, no edits but consent */
} PosCustomersError;

/* ---------------------------------------------------------------------
 * Timeline details.
 * ------------------------------------------------------------------- */
typedef struct {
  char      *title;        /* "Purchase 0001-000123 at Loja Centro" */
  char      *subtitle;     /* date, staff/agent, state */
  GPtrArray *lines;        /* char*: "2 × Açúcar 1 kg   R$ 10,98" */
  char      *body;         /* a call's summary, a return's reason; may be NULL */
  char      *sale_id;      /* a sale or return held at this terminal (can be reprinted/returned); NULL */
  char      *pickup_order_id; /* an order in this store's pickup queue; NULL */
} PosEventDetail;
void pos_event_detail_free (PosEventDetail *detail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosEventDetail, pos_event_detail_free)

PosEventDetail *pos_customers_event_detail (PosDatabase  *db,
                                            const char   *event_id,
                                            GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosCustomerDuplicate, pos_customer_duplicate_free)

G_END_DECLS
