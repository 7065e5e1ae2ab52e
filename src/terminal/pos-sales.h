/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"
#include "pos-staff.h"
#include "domain/pos-cart.h"

G_BEGIN_DECLS

#define POS_SALES_ERROR (pos_sales_error_quark ())
GQuark pos_sales_error_quark (void);

typedef enum {
  POS_SALES_ERROR_EMPTY,          /* no lines */
  POS_SALES_ERROR_NOT_PAID,       /* payments do not cover the total */
  POS_SALES_ERROR_NOT_FOUND,      /* no such sale / parked sale */
  POS_SALES_ERROR_RETURN_LIMIT,   /* more than was sold (minus earlier returns) */
  POS_SALES_ERROR_RETURN_KIND,    /* a return of a return */
  POS_SALES_ERROR_NO_TERMINAL,    /* database has no store/terminal set up */
  POS_SALES_ERROR_NOT_VOIDABLE,   /* of another shift, or something was returned already */
} PosSalesError;

/* Commits the cart as a sale in one durable transaction: the sale, its
 * lines, payments, stock movements (reason 'sale'), stock level deltas,
 * an audit row and an outbox operation of type "sale.create" carrying the
 * whole document as JSON. The sale gets a UUIDv7 id and a number
 * "STORE-TERMINAL-SEQ" (e.g. "001-01-000042"). Returns the id.
 *
 * Needs a signed-in person (POS_STAFF_ERROR_NOT_SIGNED_IN) and an open
 * shift (POS_SHIFTS_ERROR_NONE_OPEN); the sale is theirs and the shift's.
 * A line whose price was overridden needs price_override, a line or sale
 * discount above the setting 'discount_limit_bp' (default 1000 = 10 % of
 * the line's gross, or of the subtotal after line discounts) needs
 * discount_above_limit: the signed-in person's own, or the cart's approval
 * for it (pos_cart_set_approval), else POS_STAFF_ERROR_PERMISSION. Each
 * is audited ('sale.price_override', 'sale.discount_above_limit') with
 * the approver. With a customer, the sale earns loyalty points and may pay
 * with them (docs/loyalty.md; POS_LOYALTY_ERROR when a payment with points
 * is refused): sales.loyalty_*, a loyalty_pending row and the payload's
 * "loyalty" are written in the same transaction. */
char        *pos_sales_commit          (PosDatabase *db,
                                        PosCart     *cart,
                                        char       **out_number,
                                        GError     **error);
/* The same on a worker thread with its own connection to db's file. The
 * cart must not change until the callback. */
void         pos_sales_commit_async    (PosDatabase         *db,
                                        PosCart             *cart,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char        *pos_sales_commit_finish   (PosDatabase   *db,
                                        GAsyncResult  *result,
                                        char         **out_number,
                                        GError       **error);

/* The setting 'discount_limit_bp' (default 1000 = 10 %): a discount above
 * it needs discount_above_limit. */
gint64       pos_sales_get_discount_limit_bp (PosDatabase *db);

/* The cart holds something that needs permission (price_override: a line
 * whose price was changed; discount_above_limit: a line or sale discount
 * above the setting 'discount_limit_bp'), whoever is signed in: what the
 * counter asks an approval for before the commit refuses it. */
gboolean     pos_sales_cart_needs      (PosDatabase   *db,
                                        PosCart       *cart,
                                        PosPermission  permission);

/* Records that a cart was abandoned (audit 'sale.cancel' with its lines and
 * total as data). */
gboolean     pos_sales_record_cancel   (PosDatabase *db, PosCart *cart, const char *reason, GError **error);

/* ---- Park and resume (on this terminal) ---- */
typedef struct {
  char   *id;
  char   *label;          /* what the cashier typed, or the customer's name, or NULL */
  char   *staff_name;
  gint64  created_at;     /* unix ms */
  gint64  total;
  char   *currency;
  guint   n_lines;
} PosParkedSale;
void         pos_parked_sale_free      (PosParkedSale *parked);

/* A parked sale keeps its owner (the person signed in when it was
 * parked): the list shows the signed-in person's own (a manager's shows
 * all), and only the owner or a manager may resume it
 * (POS_STAFF_ERROR_PERMISSION). */
char        *pos_sales_park            (PosDatabase *db, PosCart *cart, const char *label, GError **error);
GPtrArray   *pos_sales_list_parked     (PosDatabase *db, GError **error);   /* of PosParkedSale*, oldest first */
/* Rebuilds the cart (lines, discounts, notes, customer, payments,
 * approvals) and deletes the parked row, in one transaction. */
PosCart     *pos_sales_resume          (PosDatabase *db, const char *parked_id, GError **error);

/* ---- History ---- */
typedef struct {
  char   *id;
  char   *number;
  char   *kind;            /* "sale" | "return" */
  char   *original_number; /* for returns */
  gint64  created_at;
  gint64  total;
  char   *currency;
  guint   n_lines;
  char   *staff_name;
  char   *customer_name;
  char   *payment_summary; /* "cash, pix" */
} PosSaleSummary;
void         pos_sale_summary_free     (PosSaleSummary *summary);

/* Newest first. query matches number (suffix or whole), a product name in
 * the sale, customer name, or an amount ("12,90"); NULL = all. from/to in
 * unix ms, 0 = unbounded. */
GPtrArray   *pos_sales_list            (PosDatabase *db,
                                        const char  *query,
                                        gint64       from_ms,
                                        gint64       to_ms,
                                        guint        limit,
                                        GError     **error);

typedef struct {
  guint   line_no;
  gint64  product_id;
  char   *sku;
  char   *name;
  char   *barcode;
  gboolean weighed;
  gint64  quantity;
  gint64  unit_price;
  gint64  gross;
  gint64  line_discount;
  gint64  sale_discount;
  gint64  total;
  guint   tax_rate_bp;
  gint64  tax;
  gint64  approx_tax;
  char   *note;
  gint64  returned_quantity;  /* sum over returns of this line (sales only) */
  guint   original_line_no;   /* returns only */
} PosSaleLine;

typedef struct {
  char        *id;
  char        *number;
  char        *kind;
  char        *original_sale_id;
  char        *original_number;
  char        *store_id;
  char        *terminal_id;
  char        *staff_id;
  char        *staff_name;
  char        *customer_id;
  char        *customer_name;
  char        *currency;
  PosTaxMode   tax_mode;
  gint64       subtotal;
  gint64       line_discounts;
  gint64       sale_discount;
  gint64       total;
  gint64       tax_total;
  gint64       approx_tax;
  gint64       paid;
  gint64       change_given;
  char        *note;
  char        *reason;
  gint64       created_at;
  GPtrArray   *lines;        /* PosSaleLine* */
  GPtrArray   *payments;     /* PosPayment* (domain type) */
  GPtrArray   *returns;      /* PosSaleSummary* of returns against this sale */
  /* Loyalty points (docs/loyalty.md): what the document moved, and the
   * customer's balance as shown now (pos_customers_points_balance).
   * loyalty_shown: the receipt shows them (the document has a customer,
   * and the programme is on or the document moved points). */
  gint64       loyalty_earned;    /* earned; a return: minus the points taken back */
  gint64       loyalty_redeemed;  /* paid with; a return: minus the points given back */
  gboolean     loyalty_shown;
  gint64       loyalty_balance;
} PosSaleRecord;
void         pos_sale_record_free      (PosSaleRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSaleRecord, pos_sale_record_free)

/* By id, by full number, or by what the receipt's code carries
 * ("BALCAO:SALE:<id>"). */
PosSaleRecord *pos_sales_load          (PosDatabase *db, const char *id_or_number, GError **error);
/* The document as JSON (what the outbox carries and `balcao-ctl sales
 * show --json` prints): id, number, kind, amounts, currency, n_lines,
 * lines[], payments[] (method, amount, tendered, change, ...), returns[]. */
char          *pos_sale_record_to_json (const PosSaleRecord *record);

/* ---- Returns ---- */
typedef enum {
  POS_REFUND_ORIGINAL_TENDER,  /* back to the payments of the sale: non-cash payments first, in
                                * the order they were taken, each up to what it paid minus what
                                * earlier returns gave back to it; then cash */
  POS_REFUND_STORE_CREDIT,     /* credit note on the customer (sale must have one) or a voucher */
} PosRefundMethod;

typedef struct {
  guint  line_no;     /* line of the original sale */
  gint64 quantity;    /* milli-units to return, > 0 */
} PosReturnItem;

/* Creates a return document pointing at the sale: refunds each line's
 * paid total pro rata (net of line and sale discounts), never more than
 * sold minus already returned; stock back (reason 'return'); payments are
 * negative amounts by the refund method; audit and outbox "return.create".
 * Returns the new return's id, number in out_number. Like a sale it needs
 * a signed-in person and an open shift (it counts in that shift), and the
 * refund permission: the person's own or approval_id's. */
char        *pos_returns_commit        (PosDatabase         *db,
                                        const char          *sale_id,
                                        const PosReturnItem *items,
                                        guint                n_items,
                                        PosRefundMethod      method,
                                        const char          *reason,
                                        const char          *approval_id,
                                        char               **out_number,
                                        GError             **error);
/* Voids a paid sale: a return of everything to the original tender, with
 * the reason "void: <reason>", audited 'sale.void' (the outbox carries
 * "return.create"). Needs void_sale (the person's own or approval_id's);
 * only a sale of the shift open now, with nothing returned yet
 * (POS_SALES_ERROR_NOT_VOIDABLE). Returns the return's id. */
char        *pos_sales_void            (PosDatabase         *db,
                                        const char          *sale_id,
                                        const char          *reason,
                                        const char          *approval_id,
                                        char               **out_number,
                                        GError             **error);
/* How much would be refunded for these items, without writing. */
gint64       pos_returns_preview       (PosDatabase         *db,
                                        const char          *sale_id,
                                        const PosReturnItem *items,
                                        guint                n_items,
                                        GError             **error);

G_END_DECLS
