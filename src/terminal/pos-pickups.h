/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"
#include "domain/pos-cart.h"
#include "domain/pos-pickup.h"

G_BEGIN_DECLS

/* Click and collect (BOPIS) at the counter: the queue of online orders to
 * be picked up at this store, picking, the handover, no-shows and expired
 * orders. The central owns the state machine (docs/sync-protocol.md §7,
 * §7.1): every move the terminal makes is written here, in one SQLite
 * transaction, as the local state (marked pending until the central
 * answers), an audit row and a 'pickup.transition' / 'pickup.exception' /
 * 'pickup.refund' outbox operation carrying the version the clerk saw. The
 * sync engine applies the central's answer: a conflict brings back the
 * central's state and becomes an incident when the terminal had handed the
 * goods over (offline, provisionally).
 *
 * The store's policy lives in settings: 'pickup_overdue_hours' (ready for
 * longer than this is overdue, default 48), 'pickup_window_days' (ready for
 * longer than this is expired and offered to a manager to cancel, default
 * 7), 'pickup_history_days' (collected and cancelled orders listed, default
 * 3), 'pickup_identity' ("code": the pickup code; "code_or_document": the
 * code, or the document of someone the customer named). */

#define POS_PICKUPS_ERROR (pos_pickups_error_quark ())
GQuark pos_pickups_error_quark (void);

typedef enum {
  POS_PICKUPS_ERROR_NOT_FOUND,        /* "No pickup order 1042 at this store." */
  POS_PICKUPS_ERROR_WRONG_STATE,      /* "Order 1042 is on hold: it can't be handed over." */
  POS_PICKUPS_ERROR_STALE,            /* the order changed since the clerk saw it: in words, with who/when */
  POS_PICKUPS_ERROR_WRONG_ITEM,       /* "That is Café 500 g; order 1042 has no such item." / more than ordered */
  POS_PICKUPS_ERROR_WRONG_CODE,       /* the pickup code does not match */
  POS_PICKUPS_ERROR_NOT_PAID,         /* to be paid at the counter first */
  POS_PICKUPS_ERROR_OFFLINE,          /* not allowed offline: in words, why */
  POS_PICKUPS_ERROR_INVALID,          /* a quantity out of range, an empty reason... */
  POS_PICKUPS_ERROR_NEEDS_APPROVAL,   /* refusing an item or cancelling needs a permission */
} PosPickupsError;

/* The queue's groups, in the order the page shows them. An order is in
 * exactly one group. */
typedef enum {
  POS_PICKUP_GROUP_NEW,        /* PLACED, ALLOCATED */
  POS_PICKUP_GROUP_PICKING,    /* PICKING */
  POS_PICKUP_GROUP_READY,      /* READY_FOR_PICKUP, not overdue */
  POS_PICKUP_GROUP_OVERDUE,    /* READY_FOR_PICKUP for longer than pickup_overdue_hours (expired ones too) */
  POS_PICKUP_GROUP_ON_HOLD,    /* ON_HOLD */
  POS_PICKUP_GROUP_PARTIAL,    /* PARTIALLY_PICKED_UP */
  POS_PICKUP_GROUP_COLLECTED,  /* PICKED_UP in the last pickup_history_days */
  POS_PICKUP_GROUP_CANCELLED,  /* NO_SHOW, EXPIRED, CANCELLED in the last pickup_history_days */
  POS_PICKUP_N_GROUPS
} PosPickupGroup;

const char *pos_pickup_group_get_label (PosPickupGroup group);  /* translated: "New", "Being picked"... */

typedef struct {
  guint   line_no;
  gint64  product_id;          /* 0 when the SKU is not in the local catalogue */
  char   *sku;
  char   *name;
  gint64  quantity;            /* milli-units, as ordered */
  gint64  picked_quantity;     /* ticked while picking */
  gint64  collected_quantity;  /* handed over so far */
  gint64  missing_quantity;    /* reported missing */
  gint64  refunded_quantity;   /* refused at the handover and refunded */
  char   *substitute_sku;      /* proposed substitute, or NULL */
  char   *substitute_name;
  gint64  unit_price;
} PosPickupLine;

typedef struct {
  char           *id;
  char           *number;
  char           *customer_id;     /* may be NULL */
  char           *customer_name;   /* the customer's, or the order's, name; may be NULL */
  char           *customer_phone;  /* masked unless the signed-in person may reveal contact data */
  char           *channel;         /* "web", "app", "marketplace", ... */
  PosPickupState  state;
  PosPickupGroup  group;
  gint64          version;
  gboolean        paid;
  char           *payment_method;  /* how it was paid online, or NULL */
  gint64          total;
  char           *currency;
  char           *shelf_location;
  char           *notes;
  char           *exception_note;
  gint64          placed_at;       /* unix ms */
  gint64          ready_at;        /* 0 unless ready */
  gint64          updated_at;
  gboolean        expired;         /* ready for longer than pickup_window_days */
  gboolean        pending;         /* a local move not yet accepted by the central */
  gboolean        provisional;     /* handed over offline, not yet accepted */
  char           *incident;        /* the central refused a provisional handover: in words; NULL otherwise */
  char           *last_move;       /* "Handed over at 14:05 by Terminal 2 (Ana)", or NULL */
  guint           n_lines;
  gint64          n_items;         /* sum of line quantities, milli-units */
  GPtrArray      *lines;           /* PosPickupLine*; NULL in list summaries */
} PosPickupOrder;

void pos_pickup_line_free  (PosPickupLine  *line);
void pos_pickup_order_free (PosPickupOrder *order);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosPickupLine, pos_pickup_line_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosPickupOrder, pos_pickup_order_free)

/* The number of orders in each group (counts[POS_PICKUP_N_GROUPS]). */
gboolean        pos_pickups_count      (PosDatabase    *db,
                                        guint          *counts,
                                        GError        **error);
/* Summaries (lines NULL) of one group, oldest first for open groups and
 * newest first for collected/cancelled. search (may be NULL) matches the
 * number, the customer's name, phone or CPF. limit 0: all. */
GPtrArray      *pos_pickups_list       (PosDatabase    *db,
                                        PosPickupGroup  group,
                                        const char     *search,
                                        guint           limit,
                                        GError        **error);
/* One order with its lines, by id or number. */
PosPickupOrder *pos_pickups_get        (PosDatabase    *db,
                                        const char     *id_or_number,
                                        GError        **error);
/* Open orders matching a number, a name, a phone or a CPF (what the clerk
 * typed at the handover), best first. */
GPtrArray      *pos_pickups_find       (PosDatabase    *db,
                                        const char     *text,
                                        GError        **error);
/* "BALCAO:PICKUP:<number>:<code>" from the customer's e-mail or app. */
gboolean        pos_pickups_parse_qr   (const char     *text,
                                        char          **number,
                                        char          **code);
/* The cutoff times of the policy, for the page's "overdue since" text. */
gint64          pos_pickups_get_overdue_ms (PosDatabase *db);
gint64          pos_pickups_get_window_ms  (PosDatabase *db);

/* Picking. Each call is one transaction with its audit row and, when the
 * state changes, its outbox operation. expected_version is the version the
 * clerk saw; an order that moved since gives POS_PICKUPS_ERROR_STALE. */
gboolean  pos_pickups_start_picking (PosDatabase *db, const char *order_id, gint64 expected_version,
                                     GError **error);  /* PLACED/ALLOCATED -> PICKING */
/* A scanned code while picking: ticks one unit (or the weight) of the line
 * whose product it is. A product not in the order, or one already fully
 * picked, is refused with POS_PICKUPS_ERROR_WRONG_ITEM in words. *line_no
 * gets the line ticked. */
gboolean  pos_pickups_pick_scan     (PosDatabase *db, const char *order_id, const char *code,
                                     guint *line_no, GError **error);
gboolean  pos_pickups_set_picked    (PosDatabase *db, const char *order_id, guint line_no,
                                     gint64 picked_quantity, GError **error);
/* An item missing (missing_quantity > 0) and maybe a substitute proposed
 * (substitute_sku may be NULL): 'pickup.exception'; the order goes on hold
 * until the central decides. */
gboolean  pos_pickups_report_exception (PosDatabase *db, const char *order_id, gint64 expected_version,
                                        guint line_no, gint64 missing_quantity,
                                        const char *substitute_sku, const char *note, GError **error);
/* PICKING -> READY_FOR_PICKUP with the picked quantities and the shelf. */
gboolean  pos_pickups_mark_ready    (PosDatabase *db, const char *order_id, gint64 expected_version,
                                     const char *shelf_location, GError **error);
/* READY_FOR_PICKUP -> NO_SHOW (the customer did not come). */
gboolean  pos_pickups_mark_no_show  (PosDatabase *db, const char *order_id, gint64 expected_version,
                                     GError **error);
/* An expired (or no-show) order cancelled by a manager, which releases the
 * stock: READY_FOR_PICKUP -> EXPIRED -> CANCELLED or NO_SHOW -> CANCELLED.
 * Needs POS_PERMISSION_VOID_SALE (or its approval). */
gboolean  pos_pickups_cancel        (PosDatabase *db, const char *order_id, gint64 expected_version,
                                     const char *approval_id, GError **error);

/* The handover. */
typedef enum {
  POS_PICKUP_IDENTITY_CODE,       /* the pickup code (typed, or from the QR) */
  POS_PICKUP_IDENTITY_DOCUMENT,   /* a document of the customer or of someone they named */
} PosPickupIdentity;

typedef struct {
  guint   line_no;
  gint64  quantity;               /* milli-units handed over in this visit */
  gint64  refused_quantity;       /* refused (damaged, wrong): refunded through the central */
} PosPickupCollect;

typedef struct {
  const char        *order_id;
  gint64             expected_version;
  PosPickupIdentity  identity;
  const char        *pickup_code;      /* IDENTITY_CODE */
  const char        *document;         /* IDENTITY_DOCUMENT: "RG 12.345.678-9 (Maria, sister)" */
  const PosPickupCollect *lines;       /* n_lines of them; NULL: everything left */
  guint              n_lines;
  const char        *refuse_reason;    /* when a line has refused_quantity */
  const char        *approval_id;      /* refusing needs POS_PERMISSION_REFUND */
} PosPickupHandover;

/* Checks who came (the code against the synced hash) without changing
 * anything: POS_PICKUPS_ERROR_WRONG_CODE in words. */
gboolean  pos_pickups_check_identity (PosDatabase *db, const PosPickupHandover *handover, GError **error);

/* Hands a paid order over: PICKED_UP (or PARTIALLY_PICKED_UP when lines
 * remain), 'pickup.transition' with the collected quantities, a 'stock.move'
 * per line with reason 'pickup', a 'pickup.refund' for refused items. Online
 * or offline alike it is written locally at once; offline (the sync engine
 * reports no contact) only an order last synced READY_FOR_PICKUP, paid, with
 * a matching code, and it is marked provisional. online says whether the
 * terminal is in contact with the central now (the app passes the sync
 * engine's state). */
gboolean  pos_pickups_hand_over     (PosDatabase *db, const PosPickupHandover *handover,
                                     gboolean online, GError **error);

/* An order to be paid at the counter: fills an empty cart with the lines
 * being handed over (at the order's prices, marked as the order's lines so
 * that they can't be repriced) and the customer, and records the handover
 * on the cart. The clerk may add other items to the same cart. When that
 * cart's sale is committed (pos_sales_commit), the sale carries
 * pickup_order_id and the handover is written in the same transaction. */
gboolean  pos_pickups_fill_cart     (PosDatabase *db, const PosPickupHandover *handover,
                                     PosCart *cart, GError **error);

/* A handover made at this terminal, for the pickup receipt. */
typedef struct {
  char              *id;
  char              *order_id;
  char              *sale_id;          /* the sale that paid it at the counter, or NULL */
  char              *staff_name;       /* who handed it over */
  PosPickupIdentity  identity;
  char              *document;         /* IDENTITY_DOCUMENT */
  PosPickupState     from;
  PosPickupState     to;
  gboolean           provisional;      /* offline: until the central accepts it */
  char              *refuse_reason;
  GArray            *lines;            /* PosPickupCollect: what was handed over and refused */
  gint64             created_at;       /* unix ms */
} PosPickupHandoverRecord;

void pos_pickup_handover_record_free (PosPickupHandoverRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosPickupHandoverRecord, pos_pickup_handover_record_free)

/* The last handover of an order made here; POS_PICKUPS_ERROR_NOT_FOUND
 * when there was none. */
PosPickupHandoverRecord *pos_pickups_get_last_handover (PosDatabase *db, const char *order_id,
                                                        GError **error);

/* A state in words, translated: "ready for pickup", "on hold"... */
const char *pos_pickup_state_get_label (PosPickupState state);

/* Orders the central refused after a provisional handover (offline), for
 * the manager: PosPickupOrder summaries with incident set. */
GPtrArray *pos_pickups_list_incidents (PosDatabase *db, GError **error);
/* The manager has dealt with it: the incident is no longer listed (audited). */
gboolean   pos_pickups_dismiss_incident (PosDatabase *db, const char *order_id, GError **error);

G_END_DECLS
