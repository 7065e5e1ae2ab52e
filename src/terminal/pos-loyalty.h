/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pos-database.h"
#include "domain/pos-cart.h"

G_BEGIN_DECLS

/* Loyalty points at the counter (docs/loyalty.md): the rule (terminal
 * settings), the balance a customer is shown, and what sales and returns
 * write. The arithmetic itself is the domain's (pos_loyalty_points_*, in
 * domain/pos-cart.h).
 *
 * The balance shown = customers.loyalty_points (the central's, synced) +
 * the points of this terminal's sales and returns the central has not
 * acknowledged yet (table loyalty_pending, one row per document, deleted
 * by pos_outbox_mark_done). */

#define POS_LOYALTY_ERROR (pos_loyalty_error_quark ())
GQuark pos_loyalty_error_quark (void);

typedef enum {
  POS_LOYALTY_ERROR_OFF,           /* the programme is off (loyalty_earn_unit = 0) */
  POS_LOYALTY_ERROR_NO_CUSTOMER,   /* points without a customer on the sale */
  POS_LOYALTY_ERROR_WHOLE_POINTS,  /* an amount that is not a whole number of points */
  POS_LOYALTY_ERROR_MINIMUM,       /* fewer points than loyalty_min_redeem */
  POS_LOYALTY_ERROR_BALANCE,       /* more points than the customer has */
} PosLoyaltyError;

/* The settings, their defaults and the bounds a value must be in (a value
 * outside them, or unset, reads as the default). */
#define POS_LOYALTY_SETTING_EARN_UNIT    "loyalty_earn_unit"    /* minor units that earn 1 point; 0 = off */
#define POS_LOYALTY_SETTING_POINT_VALUE  "loyalty_point_value"  /* minor units 1 point is worth */
#define POS_LOYALTY_SETTING_MIN_REDEEM   "loyalty_min_redeem"   /* fewest points a sale may pay with */
#define POS_LOYALTY_DEFAULT_EARN_UNIT    100                    /* 1 point per R$ 1,00 */
#define POS_LOYALTY_DEFAULT_POINT_VALUE  5                      /* R$ 0,05 a point */
#define POS_LOYALTY_DEFAULT_MIN_REDEEM   100
#define POS_LOYALTY_MAX_SETTING          G_GINT64_CONSTANT (100000000)

typedef struct {
  gint64 earn_unit;    /* minor units of money paid that earn 1 point; 0: the programme is off */
  gint64 point_value;  /* minor units 1 point is worth when paying with points, >= 1 */
  gint64 min_redeem;   /* fewest points a sale may pay with, >= 0 */
} PosLoyaltyRule;

/* The rule as the settings hold it now. */
void        pos_loyalty_get_rule          (PosDatabase          *db,
                                           PosLoyaltyRule       *out);
gboolean    pos_loyalty_rule_is_on        (const PosLoyaltyRule *rule);

/* The balance a customer is shown: the central's plus what this terminal
 * has not had acknowledged yet. 0 for an unknown customer or NULL. May be
 * negative (a return took back points already spent). */
gint64      pos_customers_points_balance  (PosDatabase          *db,
                                           const char           *customer_id);

/* May customer_id (named customer_name in messages; either may be NULL)
 * pay `points` with points under `rule`? FALSE with a POS_LOYALTY_ERROR a
 * cashier can act on ("Maria has 80 points (R$ 4,00); at least 100 are
 * needed to pay with points."). currency formats the money in messages. */
gboolean    pos_loyalty_check_redeem      (PosDatabase          *db,
                                           const PosLoyaltyRule *rule,
                                           const char           *customer_id,
                                           const char           *customer_name,
                                           gint64                points,
                                           const char           *currency,
                                           GError              **error);

/* The points the cart's payments with points use (each a whole number of
 * rule->point_value, else POS_LOYALTY_ERROR_WHOLE_POINTS); 0 when there is
 * none. */
gboolean    pos_loyalty_cart_points       (const PosLoyaltyRule *rule,
                                           PosCart              *cart,
                                           gint64               *out_points,
                                           GError              **error);

/* ---- For pos-sales.c, pos-returns.c and pos-outbox.c (inside the
 * caller's transaction) ---- */

/* Writes what a sale or return moved (local meaning of the columns:
 * sales.loyalty_earned = points earned, negative for those a return takes
 * back; sales.loyalty_redeemed = points paid with, negative for those a
 * return gives back) and, when it moved any, its loyalty_pending row
 * (delta = earned − redeemed) for the customer. */
gboolean    _pos_loyalty_record           (PosDatabase          *db,
                                           const char           *document_id,
                                           const char           *customer_id,
                                           gint64                earned,
                                           gint64                redeemed,
                                           gint64                now_ms,
                                           GError              **error);
/* What earlier returns of sale_id took back (>= 0) and gave back (>= 0),
 * and the money they refunded (>= 0). */
gboolean    _pos_loyalty_prior_returns    (PosDatabase          *db,
                                           const char           *sale_id,
                                           gint64               *out_taken_back,
                                           gint64               *out_given_back,
                                           gint64               *out_refunded,
                                           GError              **error);
/* Adds `"loyalty": {customer_id, earned, redeemed}` to a SALE payload
 * (docs/sync-protocol.md §6.1) when the document moved points: the wire
 * has redeemed >= 0, so points a return gives back go as earned. */
void        _pos_loyalty_add_to_payload   (JsonObject           *payload,
                                           const char           *customer_id,
                                           gint64                earned,
                                           gint64                redeemed);
/* The central acknowledged the document's operation: its points are in
 * the central's balance now. applied_now (not a duplicate): they move into
 * customers.loyalty_points until the next pull brings the central's
 * figure, so the shown balance does not jump back meanwhile. The pending
 * row goes either way. */
gboolean    _pos_loyalty_acknowledge      (PosDatabase          *db,
                                           const char           *document_id,
                                           gboolean              applied_now,
                                           GError              **error);

G_END_DECLS
