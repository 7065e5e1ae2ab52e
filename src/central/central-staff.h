/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-changes.h"

G_BEGIN_DECLS

/* The people who work at the counters: the `balcao-central staff`
 * commands and the terminals' `staff.upsert` (docs/sync-protocol.md §5).
 * A PIN is kept only as its Argon2id hash (domain/pos-pin.h); the staff
 * entity carries it to every terminal of the store, which verifies PINs
 * offline. Every change bumps the person's version and is published on
 * the `stores` stream of their store. */

#define CENTRAL_STAFF_ERROR (central_staff_error_quark ())
GQuark central_staff_error_quark (void);

typedef enum {
  CENTRAL_STAFF_ERROR_NOT_FOUND,
  CENTRAL_STAFF_ERROR_EXISTS,       /* the code or the badge belongs to someone else */
  CENTRAL_STAFF_ERROR_INVALID,      /* a field is missing or wrong; the message names it */
  CENTRAL_STAFF_ERROR_WRONG_STORE,  /* the person belongs to another store */
} CentralStaffError;

/* A person's state. For central_staff_upsert every field but pin_hash is
 * the whole new state; pin_hash NULL leaves the central's hash as it is
 * (a terminal sets PINs, it never clears them). */
typedef struct {
  const char *id;           /* NULL in central_staff_add: a new UUIDv7 */
  const char *store_id;
  const char *code;
  const char *name;
  const char *role;         /* cashier | supervisor | manager */
  const char *badge_code;   /* NULL: none */
  const char *pin_hash;     /* an Argon2id string, or NULL */
  gboolean    active;
} CentralStaffInfo;

/* NULL when the fields are acceptable, else the name of the first wrong
 * one ("code", "name", "role", "badge_code", "pin_hash"). */
const char *central_staff_check    (const CentralStaffInfo *info);

/* `staff add`: store_code names the store (info->store_id is ignored).
 * Returns the new person's id. */
char       *central_staff_add      (CentralConn            *conn,
                                    const char             *store_code,
                                    const CentralStaffInfo *info,
                                    GError                **error);
/* `staff list`: lines "ID\tSTORE\tCODE\tNAME\tROLE\tBADGE\tpin|no_pin\tactive|inactive"
 * (BADGE "-" when none), by store and code; no hash is ever printed.
 * store_code NULL: every store. */
char       *central_staff_list     (CentralConn *conn,
                                    const char  *store_code,
                                    GError     **error);
/* `staff set-pin`: id_or_code names the person; pin_hash is already hashed. */
gboolean    central_staff_set_pin  (CentralConn *conn,
                                    const char  *id_or_code,
                                    const char  *pin_hash,
                                    GError     **error);
/* `staff deactivate`: the person stays (past sales name them) with
 * active false. Deactivating someone inactive changes nothing. */
gboolean    central_staff_deactivate (CentralConn *conn,
                                      const char  *id_or_code,
                                      GError     **error);

/* A terminal's `staff.upsert`, inside the push transaction: accepted for
 * a person of the terminal's store or a new id; info->store_id must be
 * the terminal's store. terminal_id is recorded as the last writer. */
gboolean    central_staff_upsert   (CentralTx              *tx,
                                    const CentralStaffInfo *info,
                                    const char             *terminal_store_id,
                                    const char             *terminal_id,
                                    GError                **error);

G_END_DECLS
