/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pos-tax.h"

G_BEGIN_DECLS

/* The sale in progress, as pure arithmetic: lines, discounts, taxes,
 * payments, change. No I/O. The terminal persists it (commit, park); the app
 * shows it (it is a GListModel of PosCartLine). */

#define POS_CART_ERROR (pos_cart_error_quark ())
GQuark pos_cart_error_quark (void);

typedef enum {
  POS_CART_ERROR_QUANTITY,       /* zero, negative or absurd quantity */
  POS_CART_ERROR_DISCOUNT,       /* discount above 100 % or above the amount */
  POS_CART_ERROR_PAYMENT,        /* payment amount invalid / exceeds due (non-cash) */
  POS_CART_ERROR_CURRENCY,       /* mixing currencies */
  POS_CART_ERROR_EMPTY,
  POS_CART_ERROR_INVALID,        /* a saved cart (JSON) is corrupt */
  POS_CART_ERROR_PRICE,          /* a price that cannot be set (negative, absurd, from a label) */
} PosCartError;

typedef enum {
  POS_DISCOUNT_NONE,
  POS_DISCOUNT_PERCENT,   /* value in basis points of a percent: 1000 = 10 % */
  POS_DISCOUNT_AMOUNT,    /* value in minor units */
} PosDiscountKind;

typedef enum {
  POS_PAYMENT_CASH,
  POS_PAYMENT_CREDIT_CARD,
  POS_PAYMENT_DEBIT_CARD,
  POS_PAYMENT_PIX,
  POS_PAYMENT_STORE_CREDIT,
  POS_PAYMENT_LOYALTY_POINTS,   /* the customer's loyalty points; amount in money (docs/loyalty.md) */
} PosPaymentMethod;

const char      *pos_payment_method_to_string   (PosPaymentMethod method); /* "cash", "credit_card", "debit_card", "pix", "store_credit", "loyalty_points" */
gboolean         pos_payment_method_from_string (const char *s, PosPaymentMethod *out);
const char      *pos_payment_method_get_label   (PosPaymentMethod method); /* translated "Cash", "Credit card", ..., "Points" */

/* ------------------------------------------------------------------ */
/* A line. Quantity is in thousandths of the unit (1000 = 1 item; for a
 * weighed product, 1 unit = 1 kg, so quantity is grams). unit_price is per
 * unit (per kg for weighed goods). */

/* Read-only GObject properties, notified when they change (for list rows
 * and GtkExpression): "product-id", "sku", "name", "barcode", "weighed",
 * "unit-price", "tax-rate-bp", "quantity", "note", "gross",
 * "line-discount", "sale-discount", "total", "tax". */
#define POS_TYPE_CART_LINE (pos_cart_line_get_type ())
G_DECLARE_FINAL_TYPE (PosCartLine, pos_cart_line, POS, CART_LINE, GObject)

PosCartLine *pos_cart_line_new (gint64      product_id,
                                const char *sku,
                                const char *name,
                                const char *barcode,
                                gint64      unit_price,
                                guint       tax_rate_bp,
                                gboolean    weighed);

gint64       pos_cart_line_get_product_id   (PosCartLine *self);
const char  *pos_cart_line_get_sku          (PosCartLine *self);
const char  *pos_cart_line_get_name         (PosCartLine *self);
const char  *pos_cart_line_get_barcode      (PosCartLine *self);
gboolean     pos_cart_line_get_weighed      (PosCartLine *self);
gint64       pos_cart_line_get_quantity     (PosCartLine *self); /* milli-units */
gint64       pos_cart_line_get_unit_price   (PosCartLine *self);
guint        pos_cart_line_get_tax_rate_bp  (PosCartLine *self);
PosDiscountKind pos_cart_line_get_discount_kind  (PosCartLine *self);
gint64       pos_cart_line_get_discount_value    (PosCartLine *self);
const char  *pos_cart_line_get_note         (PosCartLine *self);
/* Computed by the cart on every change: */
gint64       pos_cart_line_get_gross          (PosCartLine *self); /* qty * unit price, rounded half-even */
gint64       pos_cart_line_get_line_discount  (PosCartLine *self); /* from the line discount */
gint64       pos_cart_line_get_sale_discount  (PosCartLine *self); /* share of the sale discount */
gint64       pos_cart_line_get_total          (PosCartLine *self); /* gross - discounts: what the customer pays for it (inclusive) or its net (exclusive) */
gint64       pos_cart_line_get_tax            (PosCartLine *self); /* line tax for display */
/* If the line was created from a price-embedded barcode, the price is fixed
 * and gross = that price (quantity 1000). */
void         pos_cart_line_set_fixed_gross    (PosCartLine *self, gint64 gross);
gint64       pos_cart_line_get_fixed_gross    (PosCartLine *self); /* -1 when not fixed */
/* The price the line was created with (the catalog's), and whether the
 * cart's unit price differs from it (pos_cart_set_line_price). */
gint64       pos_cart_line_get_catalog_price  (PosCartLine *self);
gboolean     pos_cart_line_get_price_overridden (PosCartLine *self);
/* A line of an online order paid at the counter (terminal/pos-pickups.h):
 * order_line_no is the order's line (0: an ordinary line). Such a line
 * keeps the order's price: no price override, no line discount, no share
 * of the sale discount, at most max_quantity, never merged with another.
 * Set before the line is added; kept through park/resume. */
void         pos_cart_line_set_pickup_line    (PosCartLine *self, guint order_line_no, gint64 max_quantity);
guint        pos_cart_line_get_pickup_line_no (PosCartLine *self);

/* ------------------------------------------------------------------ */

typedef struct {
  PosPaymentMethod method;
  gint64  amount;        /* applied to the sale */
  gint64  tendered;      /* cash handed over (>= amount for cash), else = amount */
  char   *reference;     /* card authorisation code, PIX txid, credit note id */
  char   *card_last4;    /* card only */
  char   *card_brand;    /* optional */
} PosPayment;

void        pos_payment_free (PosPayment *payment);
PosPayment *pos_payment_copy (const PosPayment *payment);

/* Loyalty points, the arithmetic of the rule (docs/loyalty.md); the
 * terminal reads the rule from its settings (terminal/pos-loyalty.h).
 *
 * What earns points is the money the customer actually paid: the total
 * minus what was paid with points and with store credit (never below 0),
 * one point for every whole earn_unit of it (rounded down). earn_unit <= 0
 * (the programme is off) or a total <= 0 earns nothing. */
gint64      pos_loyalty_points_earned     (gint64                   total,
                                           const PosPayment *const *payments,
                                           guint                    n_payments,
                                           gint64                   earn_unit);
/* A payment with points of amount (money) at point_value (money a point is
 * worth): TRUE with the number of points when amount is a whole, positive
 * number of points; FALSE otherwise (or when point_value <= 0). */
gboolean    pos_loyalty_points_for_amount (gint64  amount,
                                           gint64  point_value,
                                           gint64 *out_points);
/* The points a return takes back of a sale that earned `earned` on
 * `total`: cumulatively, floor (refunded × earned / total) over everything
 * refunded so far (refunded_before + refunded_now), minus what earlier
 * returns took back (taken_before); never below 0 nor more than the sale
 * earned in all. Refunding the whole total takes back exactly `earned`. */
gint64      pos_loyalty_points_taken_back (gint64 earned,
                                           gint64 total,
                                           gint64 refunded_before,
                                           gint64 refunded_now,
                                           gint64 taken_before);

typedef struct {
  gint64 subtotal;        /* sum of line gross */
  gint64 line_discounts;
  gint64 sale_discount;
  gint64 total;           /* amount the customer owes (tax added if exclusive) */
  gint64 tax_total;
  gint64 paid;            /* sum of payment amounts */
  gint64 due;             /* total - paid, >= 0 */
  gint64 change;          /* sum(tendered - amount) for cash, plus anything paid
                           * beyond the total (lines removed after payment) */
  guint  n_items;         /* sum of quantities of non-weighed lines in units + weighed lines */
  gint64 rounding;        /* cash rounding (CHF, SEK...) applied by the last cash
                           * payment: due = total + rounding - paid */
} PosCartTotals;

#define POS_TYPE_CART (pos_cart_get_type ())
G_DECLARE_FINAL_TYPE (PosCart, pos_cart, POS, CART, GObject)

/* GListModel of PosCartLine. "changed" is emitted after every change
 * (totals recomputed); items-changed as lines come and go or change. */
PosCart     *pos_cart_new              (const char *currency,
                                        PosTaxMode  tax_mode);
const char  *pos_cart_get_currency     (PosCart *self);
PosTaxMode   pos_cart_get_tax_mode     (PosCart *self);
guint        pos_cart_get_n_lines      (PosCart *self);
PosCartLine *pos_cart_get_line         (PosCart *self, guint position); /* borrowed */

/* Adds a line: the cart takes its own reference (the caller keeps and
 * releases its own; a line can be in one cart only). A non-weighed line of
 * the same product with no discount, no note and no fixed gross is merged
 * by adding the quantity. quantity must be 1..99 999 000 milli-units
 * (validate typed input with pos_cart_set_quantity's rules first).
 * Returns the position of the line. */
guint        pos_cart_add_line         (PosCart     *self,
                                        PosCartLine *line,
                                        gint64       quantity);
gboolean     pos_cart_set_quantity     (PosCart *self, guint position, gint64 quantity, GError **error);
void         pos_cart_remove_line      (PosCart *self, guint position);
gboolean     pos_cart_set_line_discount(PosCart *self, guint position, PosDiscountKind kind, gint64 value, GError **error);
void         pos_cart_set_line_note    (PosCart *self, guint position, const char *note);
/* Overrides the unit price of a line (not one whose price comes from a
 * label: POS_CART_ERROR_PRICE). The catalog price is kept; the line counts
 * as overridden while the two differ (setting the catalog price back ends
 * the override). The terminal asks for price_override when such a line is
 * sold. */
gboolean     pos_cart_set_line_price   (PosCart *self, guint position, gint64 unit_price, GError **error);
gboolean     pos_cart_set_discount     (PosCart *self, PosDiscountKind kind, gint64 value, GError **error);
PosDiscountKind pos_cart_get_discount_kind  (PosCart *self);
gint64       pos_cart_get_discount_value    (PosCart *self);
void         pos_cart_set_note         (PosCart *self, const char *note);
const char  *pos_cart_get_note         (PosCart *self);
void         pos_cart_set_customer     (PosCart *self, const char *customer_id, const char *customer_name);
const char  *pos_cart_get_customer_id  (PosCart *self);
const char  *pos_cart_get_customer_name(PosCart *self);
/* An approval (id from the terminal's approvals) for what the cart needs
 * beyond the cashier's permissions, by permission name ("price_override",
 * "discount_above_limit"); NULL clears. Kept through park/resume;
 * pos_cart_clear drops them. */
void         pos_cart_set_approval     (PosCart *self, const char *permission, const char *approval_id);
const char  *pos_cart_get_approval     (PosCart *self, const char *permission);

/* The online order this cart pays at the counter (pos_pickups_fill_cart),
 * with its handover as the terminal's JSON; NULL clears. Kept through
 * park/resume; pos_cart_clear drops it. pos_sales_commit writes the
 * handover in the sale's transaction. */
void         pos_cart_set_pickup          (PosCart *self, const char *order_id, const char *handover_json);
const char  *pos_cart_get_pickup_order_id (PosCart *self);
const char  *pos_cart_get_pickup_handover (PosCart *self);

/* Payments. A non-cash payment may not exceed what is due. A cash payment
 * may: the excess is change. amount is clamped to the due; tendered keeps
 * what was handed over. A cash payment that settles the sale settles the
 * due rounded to the currency's cash increment (see totals.rounding). */
gboolean     pos_cart_add_payment      (PosCart          *self,
                                        PosPaymentMethod  method,
                                        gint64            tendered,
                                        const char       *reference,
                                        const char       *card_last4,
                                        GError          **error);
void         pos_cart_remove_payment   (PosCart *self, guint index);
guint        pos_cart_get_n_payments   (PosCart *self);
const PosPayment *pos_cart_get_payment (PosCart *self, guint index);
void         pos_cart_clear            (PosCart *self);
/* What a cash payment must cover now: the due rounded to the cash
 * increment (= due for BRL). */
gint64       pos_cart_get_cash_due     (PosCart *self);

void         pos_cart_get_totals       (PosCart *self, PosCartTotals *out);
/* pos_loyalty_points_earned for the cart's total and payments. */
gint64       pos_cart_get_points_earned(PosCart *self, gint64 earn_unit);
/* Per-rate tax summary of the current lines (owned by the cart). */
PosTaxSummary *pos_cart_get_tax_summary(PosCart *self);
gboolean     pos_cart_is_empty         (PosCart *self);
gboolean     pos_cart_is_fully_paid    (PosCart *self);

/* JSON document of the cart for parking and for the outbox: currency, tax
 * mode, note, customer, sale discount, approvals, lines (all fields,
 * catalog price, plus computed gross/discounts/total/tax), payments,
 * totals and tax summary. */
char        *pos_cart_to_json          (PosCart *self);
/* Rebuilds a cart from pos_cart_to_json() output. Computed values are
 * recomputed, not trusted. A corrupt document fails with
 * POS_CART_ERROR_INVALID. */
PosCart     *pos_cart_new_from_json    (const char *json,
                                        GError    **error);

G_END_DECLS
