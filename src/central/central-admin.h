/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-changes.h"

G_BEGIN_DECLS

/* Stores, terminals and their tokens, channel keys, pruning: what the
 * `balcao-central` commands and the enrolment endpoint do. */

#define CENTRAL_ADMIN_ERROR (central_admin_error_quark ())
GQuark central_admin_error_quark (void);

typedef enum {
  CENTRAL_ADMIN_ERROR_NOT_FOUND,
  CENTRAL_ADMIN_ERROR_EXISTS,
  CENTRAL_ADMIN_ERROR_INVALID,
  CENTRAL_ADMIN_ERROR_TOKEN,      /* enrolment token unknown, used or expired */
} CentralAdminError;

/* "prefix" + 32 random bytes, base64url without padding. */
char     *central_token_new    (const char *prefix);
/* Lower-case hex SHA-256 of `text`. */
char     *central_sha256_hex   (const char *text);

typedef struct {
  const char *code;
  const char *name;
  const char *id;           /* NULL: a new UUIDv7 */
  const char *legal_name;
  const char *cnpj;
  const char *address;
  const char *city;
  const char *state;
  const char *postal_code;
  const char *phone;
  const char *currency;     /* NULL: BRL */
  const char *timezone;     /* NULL: America/Sao_Paulo */
} CentralStoreInfo;

/* Returns the new store's id. */
char     *central_store_add     (CentralConn            *conn,
                                 const CentralStoreInfo *info,
                                 GError                **error);
/* Lines "ID\tCODE\tNAME" */
char     *central_store_list    (CentralConn *conn,
                                 GError     **error);
/* The store's id for its code, or NULL (not found is an error). */
char     *central_store_id_for_code (CentralConn *conn,
                                     const char  *code,
                                     GError     **error);
/* The store's name, as a clerk reads it in a timeline ("Loja Centro");
 * the id itself for a store the central does not hold. */
char     *central_store_name    (CentralConn *conn,
                                 const char  *store_id,
                                 GError     **error);
/* The STORE entity (§4) as JSON text. */
char     *central_store_json    (CentralConn *conn,
                                 const char  *store_id,
                                 GError     **error);

/* Makes a one-time enrolment token for the store (valid 24 h). */
char     *central_enrolment_token_new (CentralConn *conn,
                                       const char  *store_code,
                                       const char  *name,
                                       GError     **error);
/* POST /v1/enroll: trades the be_ token for a terminal and its bt_ token.
 * Returns the 201 body {"token", "terminal", "store", "cursor": null}. */
char     *central_enrol         (CentralConn *conn,
                                 const char  *enrolment_token,
                                 const char  *name,
                                 GError     **error);
gboolean  central_terminal_revoke (CentralConn *conn,
                                   const char  *id_or_code,
                                   const char  *store_code,
                                   GError     **error);
/* Lines "ID\tSTORE\tCODE\tNAME\tactive|revoked" */
char     *central_terminal_list (CentralConn *conn,
                                 GError     **error);

/* Makes a channel key; returns the bk_ key (shown once). */
char     *central_channel_key_add (CentralConn *conn,
                                   const char  *name,
                                   GError     **error);

/* Deletes tombstones older than `days` days and moves the horizon: a
 * cursor older than the newest pruned tombstone then answers 410.
 * Returns how many were pruned. */
gint64    central_prune         (CentralConn *conn,
                                 guint        days,
                                 GError     **error);

G_END_DECLS
