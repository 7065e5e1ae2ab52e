/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-loyalty"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-money.h"
#include "pos-loyalty.h"

/* Loyalty points at the counter: docs/loyalty.md says what earns, what a
 * return takes back and gives back, and how the balance shown is made. */

G_DEFINE_QUARK (pos-loyalty-error-quark, pos_loyalty_error)

static gint64
setting (PosDatabase *db,
         const char  *key,
         gint64       min,
         gint64       fallback)
{
  g_autofree char *text = pos_database_get_setting (db, key);
  gint64 value;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, min, POS_LOYALTY_MAX_SETTING, &value, NULL))
    return fallback;
  return value;
}

void
pos_loyalty_get_rule (PosDatabase    *db,
                      PosLoyaltyRule *out)
{
  g_return_if_fail (POS_IS_DATABASE (db));
  g_return_if_fail (out != NULL);

  out->earn_unit = setting (db, POS_LOYALTY_SETTING_EARN_UNIT, 0, POS_LOYALTY_DEFAULT_EARN_UNIT);
  out->point_value = setting (db, POS_LOYALTY_SETTING_POINT_VALUE, 1, POS_LOYALTY_DEFAULT_POINT_VALUE);
  out->min_redeem = setting (db, POS_LOYALTY_SETTING_MIN_REDEEM, 0, POS_LOYALTY_DEFAULT_MIN_REDEEM);
}

gboolean
pos_loyalty_rule_is_on (const PosLoyaltyRule *rule)
{
  g_return_val_if_fail (rule != NULL, FALSE);
  return rule->earn_unit > 0;
}

gint64
pos_customers_points_balance (PosDatabase *db,
                              const char  *customer_id)
{
  sqlite3_stmt *stmt;
  gint64 balance = 0;

  g_return_val_if_fail (POS_IS_DATABASE (db), 0);

  if (customer_id == NULL)
    return 0;
  stmt = pos_database_prepare_cached (db,
      "SELECT COALESCE ((SELECT loyalty_points FROM customers WHERE id = ?1), 0) + "
      "COALESCE ((SELECT SUM (delta) FROM loyalty_pending WHERE customer_id = ?1), 0)", NULL);
  if (stmt == NULL)
    return 0;
  pos_database_bind_text (stmt, 1, customer_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    balance = sqlite3_column_int64 (stmt, 0);
  else
    g_warning ("Cannot read the points of customer %s: %s", customer_id,
               sqlite3_errmsg (pos_database_get_handle (db)));
  sqlite3_reset (stmt);
  return balance;
}

static char *
format_money (gint64      amount,
              const char *currency)
{
  const char *code = currency != NULL ? currency : "BRL";

  return pos_money_format (amount, code, g_strcmp0 (code, "BRL") == 0 ? "pt_BR" : NULL);
}

/* "Maria" of "Maria da Silva": how the cashier speaks of the customer. */
static char *
first_name (const char *name)
{
  g_autofree char *copy = g_strstrip (g_strdup (name != NULL ? name : ""));
  char *space;

  if (*copy == '\0')
    return g_strdup (_("The customer"));
  space = strchr (copy, ' ');
  if (space != NULL)
    *space = '\0';
  return g_steal_pointer (&copy);
}

gboolean
pos_loyalty_check_redeem (PosDatabase          *db,
                          const PosLoyaltyRule *rule,
                          const char           *customer_id,
                          const char           *customer_name,
                          gint64                points,
                          const char           *currency,
                          GError              **error)
{
  g_autofree char *who = NULL;
  g_autofree char *worth = NULL;
  g_autofree char *has = NULL;
  g_autofree char *n_balance = NULL;
  g_autofree char *n_points = NULL;
  g_autofree char *n_min = NULL;
  gint64 balance;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  if (points <= 0)
    return TRUE;
  if (!pos_loyalty_rule_is_on (rule))
    {
      g_set_error_literal (error, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_OFF,
                           _("The loyalty programme is off at this store, so points cannot pay. Take another method."));
      return FALSE;
    }
  if (customer_id == NULL)
    {
      g_set_error_literal (error, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_NO_CUSTOMER,
                           _("Paying with points needs the customer: attach the customer to the sale first (F7 on the sale)."));
      return FALSE;
    }

  balance = pos_customers_points_balance (db, customer_id);
  who = first_name (customer_name);
  worth = format_money (MAX (balance, 0) * rule->point_value, currency);
  n_balance = g_strdup_printf ("%" G_GINT64_FORMAT, balance);
  n_points = g_strdup_printf ("%" G_GINT64_FORMAT, points);
  n_min = g_strdup_printf ("%" G_GINT64_FORMAT, rule->min_redeem);
  /* TRANSLATORS: "Maria has 80 points (R$ 4,00)" */
  has = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s has %s point (%s)", "%s has %s points (%s)",
                                      (gulong) MIN (ABS (balance), G_MAXLONG)),
                         who, n_balance, worth);

  if (balance < rule->min_redeem)
    {
      /* TRANSLATORS: the first %s is "Maria has 80 points (R$ 4,00)", the second a number of points */
      g_set_error (error, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_MINIMUM,
                   _("%s; at least %s are needed to pay with points."), has, n_min);
      return FALSE;
    }
  if (points > balance)
    {
      /* TRANSLATORS: the first %s is "Maria has 340 points (R$ 17,00)", the second a number of points */
      g_set_error (error, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_BALANCE,
                   _("%s; this sale would use %s. Pay the rest another way."), has, n_points);
      return FALSE;
    }
  if (points < rule->min_redeem)
    {
      g_autofree char *min_worth = format_money (rule->min_redeem * rule->point_value, currency);

      /* TRANSLATORS: "At least 100 points (R$ 5,00) are needed to pay with points; this sale would use 60." */
      g_set_error (error, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_MINIMUM,
                   _("At least %s points (%s) are needed to pay with points; this sale would use %s."),
                   n_min, min_worth, n_points);
      return FALSE;
    }
  return TRUE;
}

gboolean
pos_loyalty_cart_points (const PosLoyaltyRule *rule,
                         PosCart              *cart,
                         gint64               *out_points,
                         GError              **error)
{
  gint64 total = 0;

  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (POS_IS_CART (cart), FALSE);
  g_return_val_if_fail (out_points != NULL, FALSE);

  for (guint i = 0; i < pos_cart_get_n_payments (cart); i++)
    {
      const PosPayment *p = pos_cart_get_payment (cart, i);
      gint64 points;

      if (p->method != POS_PAYMENT_LOYALTY_POINTS)
        continue;
      if (!pos_loyalty_points_for_amount (p->amount, rule->point_value, &points))
        {
          g_autofree char *amount = format_money (p->amount, pos_cart_get_currency (cart));
          g_autofree char *value = format_money (rule->point_value, pos_cart_get_currency (cart));

          g_set_error (error, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_WHOLE_POINTS,
                       _("Points pay in whole points of %s each: %s is not a whole number of points."),
                       value, amount);
          return FALSE;
        }
      total += points;
    }
  *out_points = total;
  return TRUE;
}

/* ------------------------------------------------------------------ */

gboolean
_pos_loyalty_record (PosDatabase *db,
                     const char  *document_id,
                     const char  *customer_id,
                     gint64       earned,
                     gint64       redeemed,
                     gint64       now_ms,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  if (customer_id == NULL || (earned == 0 && redeemed == 0))
    return TRUE;

  stmt = pos_database_prepare_cached (db,
      "UPDATE sales SET loyalty_earned = ?2, loyalty_redeemed = ?3 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, document_id);
  sqlite3_bind_int64 (stmt, 2, earned);
  sqlite3_bind_int64 (stmt, 3, redeemed);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return pos_database_set_error (db, error, _("Cannot save the sale's loyalty points"));
    }
  sqlite3_reset (stmt);

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO loyalty_pending (sale_id, customer_id, delta, created_at) VALUES (?1, ?2, ?3, ?4)", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, document_id);
  pos_database_bind_text (stmt, 2, customer_id);
  sqlite3_bind_int64 (stmt, 3, earned - redeemed);
  sqlite3_bind_int64 (stmt, 4, now_ms);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return pos_database_set_error (db, error, _("Cannot save the customer's points"));
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
_pos_loyalty_prior_returns (PosDatabase *db,
                            const char  *sale_id,
                            gint64      *out_taken_back,
                            gint64      *out_given_back,
                            gint64      *out_refunded,
                            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT -COALESCE (SUM (loyalty_earned), 0), -COALESCE (SUM (loyalty_redeemed), 0), "
      "-COALESCE (SUM (total), 0) FROM sales WHERE original_sale_id = ?1 AND kind = 'return'", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, sale_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_taken_back = MAX (sqlite3_column_int64 (stmt, 0), 0);
      *out_given_back = MAX (sqlite3_column_int64 (stmt, 1), 0);
      *out_refunded = MAX (sqlite3_column_int64 (stmt, 2), 0);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return pos_database_set_error (db, error, _("Cannot read earlier returns"));
  return TRUE;
}

void
_pos_loyalty_add_to_payload (JsonObject *payload,
                             const char *customer_id,
                             gint64      earned,
                             gint64      redeemed)
{
  JsonObject *o;

  if (customer_id == NULL || (earned == 0 && redeemed == 0))
    return;
  o = json_object_new ();
  json_object_set_string_member (o, "customer_id", customer_id);
  /* Points a return gives back (redeemed < 0 here) go up as earned. */
  json_object_set_int_member (o, "earned", redeemed < 0 ? earned - redeemed : earned);
  json_object_set_int_member (o, "redeemed", MAX (redeemed, 0));
  json_object_set_object_member (payload, "loyalty", o);
}

gboolean
_pos_loyalty_acknowledge (PosDatabase *db,
                          const char  *document_id,
                          gboolean     applied_now,
                          GError     **error)
{
  sqlite3_stmt *stmt;

  if (applied_now)
    {
      stmt = pos_database_prepare_cached (db,
          "UPDATE customers SET loyalty_points = loyalty_points + p.delta "
          "FROM (SELECT customer_id, delta FROM loyalty_pending WHERE sale_id = ?1) AS p "
          "WHERE customers.id = p.customer_id", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, document_id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          return pos_database_set_error (db, error, _("Updating the customer's points"));
        }
      sqlite3_reset (stmt);
    }

  stmt = pos_database_prepare_cached (db, "DELETE FROM loyalty_pending WHERE sale_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, document_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return pos_database_set_error (db, error, _("Updating the customer's points"));
    }
  sqlite3_reset (stmt);
  return TRUE;
}
