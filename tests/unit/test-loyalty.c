/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-loyalty"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-loyalty.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"
#include "sales-fixture.h"

/* Loyalty points (docs/loyalty.md): the rule's arithmetic, the settings,
 * accrual at commit, paying with points, the balance shown until the
 * central acknowledges, and what returns take back and give back. */

static char *dir;
static PosDatabase *db;

static void
setup (void)
{
  dir = fixture_make_dir ();
  db = fixture_open (dir);
}

static void
teardown (void)
{
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

static gint64 countf (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static gint64
countf (const char *fmt,
        ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, fmt);
  sql = g_strdup_vprintf (fmt, args);
  va_end (args);
  return fixture_count (db, sql);
}

static void
exec (const char *sql)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_database_exec (db, sql, &error), "%s", error ? error->message : "");
}

static void
set (const char *key,
     const char *value)
{
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_set_setting (db, key, value, &error));
}

static gint64
balance (void)
{
  return pos_customers_points_balance (db, FIX_CUSTOMER);
}

static char *
commit (PosCart  *cart,
        GError  **error)
{
  return pos_sales_commit (db, cart, NULL, error);
}

static char *
commit_ok (PosCart *cart)
{
  g_autoptr(GError) error = NULL;
  char *id = commit (cart, &error);

  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  return id;
}

/* n x arroz (25,90 each) for the fixture's customer, or none. */
static PosCart *
cart_of (gint64      units,
         const char *customer)
{
  PosCart *cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);

  fixture_add (cart, FIX_ARROZ, units * 1000);
  if (customer != NULL)
    pos_cart_set_customer (cart, customer, "João Souza");
  return cart;
}

static void
pay_points (PosCart *cart,
            gint64   amount)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_cart_add_payment (cart, POS_PAYMENT_LOYALTY_POINTS, amount, NULL, NULL, &error),
                 "%s", error ? error->message : "");
}

/* The outbox operation of a document, as the sync engine reads it. */
static PosOutboxOp *
op_of (const char *entity_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = pos_outbox_next_batch (db, 200, &error);

  ck_assert_ptr_nonnull (batch);
  for (guint i = 0; i < batch->len; i++)
    {
      PosOutboxOp *op = g_ptr_array_index (batch, i);

      if (g_strcmp0 (op->entity_id, entity_id) == 0 &&
          (g_str_equal (op->type, "sale.create") || g_str_equal (op->type, "return.create")))
        return g_steal_pointer (&g_ptr_array_index (batch, i));
    }
  ck_abort_msg ("no operation for %s", entity_id);
  return NULL;
}

static void
acknowledge (const PosOutboxOp *op,
             const char        *status)
{
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_begin (db, &error));
  ck_assert_msg (pos_outbox_mark_done (db, op, status, 5, &error), "%s", error ? error->message : "");
  ck_assert (pos_database_commit (db, &error));
}

/* The payload's "loyalty" member (NULL when absent). */
static JsonObject *
payload_loyalty (const char *entity_id,
                 JsonNode  **out_root)
{
  g_autoptr(PosOutboxOp) op = op_of (entity_id);
  JsonObject *o;

  *out_root = json_from_string (op->payload, NULL);
  ck_assert_ptr_nonnull (*out_root);
  o = json_node_get_object (*out_root);
  return json_object_has_member (o, "loyalty") ? json_object_get_object_member (o, "loyalty") : NULL;
}

static char *
return_all (const char      *sale_id,
            PosRefundMethod  method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) sale = pos_sales_load (db, sale_id, &error);
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (PosReturnItem));
  char *id;

  ck_assert_ptr_nonnull (sale);
  for (guint i = 0; i < sale->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (sale->lines, i);
      PosReturnItem item = { l->line_no, l->quantity - l->returned_quantity };

      if (item.quantity > 0)
        g_array_append_val (items, item);
    }
  id = pos_returns_commit (db, sale_id, (PosReturnItem *) (gpointer) items->data, items->len, method,
                           "teste", NULL, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  return id;
}

static char *
return_units (const char *sale_id,
              gint64      units)
{
  g_autoptr(GError) error = NULL;
  PosReturnItem item = { 1, units * 1000 };
  char *id = pos_returns_commit (db, sale_id, &item, 1, POS_REFUND_ORIGINAL_TENDER, "teste", NULL, NULL, &error);

  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  return id;
}

/* ------------------------------------------------------------------ */
/* The arithmetic (domain) */

START_TEST (test_earned_arithmetic)
{
  PosPayment cash = { .method = POS_PAYMENT_CASH, .amount = 5000, .tendered = 10000 };
  PosPayment card = { .method = POS_PAYMENT_CREDIT_CARD, .amount = 2999, .tendered = 2999 };
  PosPayment points = { .method = POS_PAYMENT_LOYALTY_POINTS, .amount = 1000, .tendered = 1000 };
  PosPayment credit = { .method = POS_PAYMENT_STORE_CREDIT, .amount = 1500, .tendered = 1500 };
  const PosPayment *money[] = { &cash, &card };
  const PosPayment *mixed[] = { &cash, &points, &card, &credit };
  const PosPayment *all_points[] = { &points };
  gint64 n = 0;
  PosPaymentMethod m = POS_PAYMENT_CASH;

  ck_assert_str_eq (pos_payment_method_to_string (POS_PAYMENT_LOYALTY_POINTS), "loyalty_points");
  ck_assert (pos_payment_method_from_string ("loyalty_points", &m));
  ck_assert_int_eq (m, POS_PAYMENT_LOYALTY_POINTS);

  /* 79,99 of money: 79 points (rounded down) */
  ck_assert_int_eq (pos_loyalty_points_earned (7999, money, 2, 100), 79);
  /* R$ 10 a point */
  ck_assert_int_eq (pos_loyalty_points_earned (7999, money, 2, 1000), 7);
  /* points and store credit earn nothing: 79,99 - 10,00 - 15,00 = 54,99 */
  ck_assert_int_eq (pos_loyalty_points_earned (7999, mixed, 4, 100), 54);
  /* the programme off, nothing paid, or only points */
  ck_assert_int_eq (pos_loyalty_points_earned (7999, money, 2, 0), 0);
  ck_assert_int_eq (pos_loyalty_points_earned (0, NULL, 0, 100), 0);
  ck_assert_int_eq (pos_loyalty_points_earned (1000, all_points, 1, 100), 0);
  ck_assert_int_eq (pos_loyalty_points_earned (500, all_points, 1, 100), 0);   /* never below 0 */
  ck_assert_int_eq (pos_loyalty_points_earned (99, NULL, 0, 100), 0);

  ck_assert (pos_loyalty_points_for_amount (1000, 5, &n));
  ck_assert_int_eq (n, 200);
  ck_assert (!pos_loyalty_points_for_amount (1003, 5, &n));
  ck_assert (!pos_loyalty_points_for_amount (0, 5, &n));
  ck_assert (!pos_loyalty_points_for_amount (1000, 0, &n));

  /* 79 earned on 79,23: 7,98 back takes floor (7,98 * 79 / 79,23) = 7 */
  ck_assert_int_eq (pos_loyalty_points_taken_back (79, 7923, 0, 798, 0), 7);
  /* three thirds: 33 + 33 + 34 = 100, never one point left behind */
  ck_assert_int_eq (pos_loyalty_points_taken_back (100, 3000, 0, 1000, 0), 33);
  ck_assert_int_eq (pos_loyalty_points_taken_back (100, 3000, 1000, 1000, 33), 33);
  ck_assert_int_eq (pos_loyalty_points_taken_back (100, 3000, 2000, 1000, 66), 34);
  /* never more than earned */
  ck_assert_int_eq (pos_loyalty_points_taken_back (100, 3000, 3000, 1000, 100), 0);
  ck_assert_int_eq (pos_loyalty_points_taken_back (100, 3000, 0, 9999, 0), 100);
  ck_assert_int_eq (pos_loyalty_points_taken_back (0, 3000, 0, 1000, 0), 0);
}
END_TEST

START_TEST (test_rule_settings)
{
  PosLoyaltyRule rule;

  pos_loyalty_get_rule (db, &rule);
  ck_assert_int_eq (rule.earn_unit, 100);
  ck_assert_int_eq (rule.point_value, 5);
  ck_assert_int_eq (rule.min_redeem, 100);
  ck_assert (pos_loyalty_rule_is_on (&rule));

  set (POS_LOYALTY_SETTING_EARN_UNIT, "0");
  set (POS_LOYALTY_SETTING_POINT_VALUE, "10");
  set (POS_LOYALTY_SETTING_MIN_REDEEM, "0");
  pos_loyalty_get_rule (db, &rule);
  ck_assert_int_eq (rule.earn_unit, 0);
  ck_assert_int_eq (rule.point_value, 10);
  ck_assert_int_eq (rule.min_redeem, 0);
  ck_assert (!pos_loyalty_rule_is_on (&rule));

  /* nonsense reads as the default */
  set (POS_LOYALTY_SETTING_EARN_UNIT, "-3");
  set (POS_LOYALTY_SETTING_POINT_VALUE, "0");
  set (POS_LOYALTY_SETTING_MIN_REDEEM, "lots");
  pos_loyalty_get_rule (db, &rule);
  ck_assert_int_eq (rule.earn_unit, 100);
  ck_assert_int_eq (rule.point_value, 5);
  ck_assert_int_eq (rule.min_redeem, 100);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Sales */

START_TEST (test_accrual)
{
  g_autoptr(PosCart) cart = cart_of (3, FIX_CUSTOMER);      /* 77,70 */
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  JsonObject *loyalty;

  exec ("UPDATE customers SET loyalty_points = 40");
  fixture_pay (cart, POS_PAYMENT_CASH, 10000);
  id = commit_ok (cart);

  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", id), 77);
  ck_assert_int_eq (countf ("SELECT loyalty_redeemed FROM sales WHERE id = '%s'", id), 0);
  ck_assert_int_eq (countf ("SELECT delta FROM loyalty_pending WHERE sale_id = '%s' AND customer_id = '" FIX_CUSTOMER "'", id), 77);
  ck_assert_int_eq (balance (), 117);

  loyalty = payload_loyalty (id, &root);
  ck_assert_ptr_nonnull (loyalty);
  ck_assert_str_eq (json_object_get_string_member (loyalty, "customer_id"), FIX_CUSTOMER);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "earned"), 77);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "redeemed"), 0);

  rec = pos_sales_load (db, id, NULL);
  ck_assert (rec->loyalty_shown);
  ck_assert_int_eq (rec->loyalty_earned, 77);
  ck_assert_int_eq (rec->loyalty_balance, 117);
}
END_TEST

START_TEST (test_rule_off_and_no_customer)
{
  g_autoptr(PosCart) anonymous = cart_of (1, NULL);
  g_autoptr(PosCart) off = cart_of (1, FIX_CUSTOMER);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(JsonNode) root_a = NULL;
  g_autoptr(JsonNode) root_b = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;

  fixture_pay_rest_cash (anonymous);
  a = commit_ok (anonymous);
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", a), 0);
  ck_assert_ptr_null (payload_loyalty (a, &root_a));

  set (POS_LOYALTY_SETTING_EARN_UNIT, "0");
  fixture_pay_rest_cash (off);
  b = commit_ok (off);
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", b), 0);
  ck_assert_ptr_null (payload_loyalty (b, &root_b));
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM loyalty_pending"), 0);
  ck_assert_int_eq (balance (), 0);

  /* the receipt says nothing of points when the programme is off */
  rec = pos_sales_load (db, b, NULL);
  ck_assert (!rec->loyalty_shown);
}
END_TEST

START_TEST (test_points_payment)
{
  g_autoptr(PosCart) cart = cart_of (2, FIX_CUSTOMER);      /* 51,80 */
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  g_autoptr(PosStoreInfo) info = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  JsonObject *loyalty;

  exec ("UPDATE customers SET loyalty_points = 340");
  pay_points (cart, 1000);                                   /* 200 points */
  fixture_pay_rest_cash (cart);                             /* 41,80 */
  id = commit_ok (cart);

  /* 41,80 of money earns 41; 200 paid */
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", id), 41);
  ck_assert_int_eq (countf ("SELECT loyalty_redeemed FROM sales WHERE id = '%s'", id), 200);
  ck_assert_int_eq (countf ("SELECT delta FROM loyalty_pending WHERE sale_id = '%s'", id), -159);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_payments WHERE sale_id = '%s' "
                            "AND method = 'loyalty_points' AND amount = 1000", id), 1);
  ck_assert_int_eq (balance (), 181);

  loyalty = payload_loyalty (id, &root);
  ck_assert_ptr_nonnull (loyalty);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "earned"), 41);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "redeemed"), 200);

  rec = pos_sales_load (db, id, NULL);
  info = pos_database_get_store_info (db, NULL);
  doc = pos_receipt_doc_new_for_sale (rec, info, NULL, FALSE);
  text = pos_receipt_doc_render_text (doc, 48);
  ck_assert_msg (strstr (text, "Pontos (200)") != NULL, "%s", text);
  ck_assert_msg (strstr (text, "Pontos ganhos: 41 · Saldo: 181") != NULL, "%s", text);
}
END_TEST

static void
assert_refused (PosCart    *cart,
                GQuark      domain,
                int         code,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = commit (cart, &error);

  ck_assert_ptr_null (id);
  ck_assert_msg (g_error_matches (error, domain, code), "%s", error ? error->message : "no error");
  if (message != NULL)
    ck_assert_msg (strstr (error->message, message) != NULL, "%s", error->message);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sales"), 0);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM loyalty_pending"), 0);
}

START_TEST (test_points_refused)
{
  g_autoptr(PosCart) over = cart_of (2, FIX_CUSTOMER);
  g_autoptr(PosCart) below_balance = cart_of (2, FIX_CUSTOMER);
  g_autoptr(PosCart) below_min = cart_of (2, FIX_CUSTOMER);
  g_autoptr(PosCart) not_whole = cart_of (2, FIX_CUSTOMER);
  g_autoptr(PosCart) anonymous = cart_of (2, NULL);
  g_autoptr(PosCart) off = cart_of (2, FIX_CUSTOMER);

  /* 80 points: below the minimum of 100 */
  exec ("UPDATE customers SET loyalty_points = 80");
  pay_points (below_balance, 400);
  fixture_pay_rest_cash (below_balance);
  assert_refused (below_balance, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_MINIMUM,
                  "João has 80 points (R$ 4,00); at least 100 are needed to pay with points.");

  /* 340 points: 400 is more */
  exec ("UPDATE customers SET loyalty_points = 340");
  pay_points (over, 2000);
  fixture_pay_rest_cash (over);
  assert_refused (over, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_BALANCE,
                  "João has 340 points (R$ 17,00); this sale would use 400.");

  /* 60 of 340: below the minimum */
  pay_points (below_min, 300);
  fixture_pay_rest_cash (below_min);
  assert_refused (below_min, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_MINIMUM, "this sale would use 60");

  /* R$ 10,03 is not whole points of R$ 0,05 */
  pay_points (not_whole, 1003);
  fixture_pay_rest_cash (not_whole);
  assert_refused (not_whole, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_WHOLE_POINTS, NULL);

  /* no customer */
  pay_points (anonymous, 1000);
  fixture_pay_rest_cash (anonymous);
  assert_refused (anonymous, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_NO_CUSTOMER, NULL);

  /* the programme off */
  set (POS_LOYALTY_SETTING_EARN_UNIT, "0");
  pay_points (off, 1000);
  fixture_pay_rest_cash (off);
  assert_refused (off, POS_LOYALTY_ERROR, POS_LOYALTY_ERROR_OFF, NULL);
}
END_TEST

/* The balance counts what is pending here until the central acknowledges
 * it; then the central's figure holds it, once. */
START_TEST (test_pending_until_acknowledged)
{
  g_autoptr(PosCart) first = cart_of (1, FIX_CUSTOMER);     /* 25,90: 25 points */
  g_autoptr(PosCart) second = cart_of (2, FIX_CUSTOMER);    /* 51,80: 51 points */
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(PosOutboxOp) op_a = NULL;
  g_autoptr(PosOutboxOp) op_b = NULL;

  exec ("UPDATE customers SET loyalty_points = 100");
  fixture_pay_rest_cash (first);
  a = commit_ok (first);
  fixture_pay_rest_cash (second);
  b = commit_ok (second);
  op_a = op_of (a);
  op_b = op_of (b);
  ck_assert_int_eq (balance (), 176);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM loyalty_pending"), 2);

  /* applied now: the points move into the central's figure until the next
   * pull brings it; the balance shown does not move */
  acknowledge (op_a, "applied");
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM loyalty_pending WHERE sale_id = '%s'", a), 0);
  ck_assert_int_eq (countf ("SELECT loyalty_points FROM customers"), 125);
  ck_assert_int_eq (balance (), 176);
  /* an answer seen twice changes nothing */
  acknowledge (op_a, "applied");
  ck_assert_int_eq (balance (), 176);

  /* a duplicate (an earlier push was applied, its answer lost): the pull
   * since brought the central's balance, which holds it */
  exec ("UPDATE customers SET loyalty_points = 176");
  acknowledge (op_b, "duplicate");
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM loyalty_pending"), 0);
  ck_assert_int_eq (countf ("SELECT loyalty_points FROM customers"), 176);
  ck_assert_int_eq (balance (), 176);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Returns */

START_TEST (test_return_takes_back)
{
  g_autoptr(PosCart) cart = cart_of (3, FIX_CUSTOMER);      /* 77,70: 77 points */
  g_autofree char *sale = NULL;
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  g_autofree char *r3 = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *loyalty;

  fixture_pay_rest_cash (cart);
  sale = commit_ok (cart);
  ck_assert_int_eq (balance (), 77);

  /* one unit of three, 25,90: floor (25,90 * 77 / 77,70) = 25 */
  r1 = return_units (sale, 1);
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", r1), -25);
  ck_assert_int_eq (countf ("SELECT delta FROM loyalty_pending WHERE sale_id = '%s'", r1), -25);
  ck_assert_int_eq (balance (), 52);
  loyalty = payload_loyalty (r1, &root);
  ck_assert_ptr_nonnull (loyalty);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "earned"), -25);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "redeemed"), 0);

  /* the second: cumulatively floor (51,80 * 77 / 77,70) = 51, so 26 now */
  r2 = return_units (sale, 1);
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", r2), -26);
  /* the last: exactly what is left */
  r3 = return_units (sale, 1);
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", r3), -26);
  ck_assert_int_eq (countf ("SELECT SUM (loyalty_earned) FROM sales"), 0);
  ck_assert_int_eq (balance (), 0);
}
END_TEST

START_TEST (test_refund_of_points)
{
  g_autoptr(PosCart) cart = cart_of (2, FIX_CUSTOMER);      /* 51,80 */
  g_autofree char *sale = NULL;
  g_autofree char *ret = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  g_autoptr(PosStoreInfo) info = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *text = NULL;
  JsonObject *loyalty;

  exec ("UPDATE customers SET loyalty_points = 340");
  pay_points (cart, 1000);                                   /* 200 points, first */
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, 4180);
  sale = commit_ok (cart);
  ck_assert_int_eq (balance (), 340 - 200 + 41);

  /* the point value changes after the sale: the refund keeps the sale's */
  set (POS_LOYALTY_SETTING_POINT_VALUE, "7");
  ret = return_all (sale, POS_REFUND_ORIGINAL_TENDER);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'loyalty_points'", ret), -1000);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'credit_card'", ret), -4180);
  /* 41 taken back, 200 given back */
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", ret), -41);
  ck_assert_int_eq (countf ("SELECT loyalty_redeemed FROM sales WHERE id = '%s'", ret), -200);
  ck_assert_int_eq (countf ("SELECT delta FROM loyalty_pending WHERE sale_id = '%s'", ret), 159);
  ck_assert_int_eq (balance (), 340);

  /* the wire has no negative redeemed: the points given back go as earned */
  loyalty = payload_loyalty (ret, &root);
  ck_assert_ptr_nonnull (loyalty);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "earned"), 159);
  ck_assert_int_eq (json_object_get_int_member (loyalty, "redeemed"), 0);

  rec = pos_sales_load (db, ret, NULL);
  info = pos_database_get_store_info (db, NULL);
  doc = pos_receipt_doc_new_for_sale (rec, info, NULL, FALSE);
  text = pos_receipt_doc_render_text (doc, 48);
  ck_assert_msg (strstr (text, "Pontos (-200)") != NULL, "%s", text);
  ck_assert_msg (strstr (text, "Pontos: 159 · Saldo: 340") != NULL, "%s", text);
}
END_TEST

/* To store credit, points still come back as points (first), never as
 * money; a part that is not whole points goes to the credit. */
START_TEST (test_refund_of_points_to_store_credit)
{
  g_autoptr(PosCart) cart = cart_of (2, FIX_CUSTOMER);      /* 51,80 */
  g_autofree char *sale = NULL;
  g_autofree char *ret = NULL;
  PosReturnItem item = { 1, 1000 };                          /* 25,90 */
  g_autoptr(GError) error = NULL;

  exec ("UPDATE customers SET loyalty_points = 1000");
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, 4180);
  pay_points (cart, 1000);                                   /* 200 points, last */
  sale = commit_ok (cart);

  ret = pos_returns_commit (db, sale, &item, 1, POS_REFUND_STORE_CREDIT, NULL, NULL, NULL, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'loyalty_points'", ret), -1000);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'store_credit'", ret), -1590);
  ck_assert_int_eq (countf ("SELECT loyalty_redeemed FROM sales WHERE id = '%s'", ret), -200);
  /* floor (25,90 * 41 / 51,80) = 20 taken back */
  ck_assert_int_eq (countf ("SELECT loyalty_earned FROM sales WHERE id = '%s'", ret), -20);
}
END_TEST

/* A refund that is not a whole number of points: the points given back
 * are whole, the rest goes to the next method (cash). */
START_TEST (test_refund_partial_points)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *sale = NULL;
  g_autofree char *ret = NULL;
  PosReturnItem item = { 2, 1000 };                          /* feijão, 8,99 */

  exec ("UPDATE customers SET loyalty_points = 1000");
  fixture_add (cart, FIX_ARROZ, 1000);
  fixture_add (cart, FIX_FEIJAO, 1000);                      /* 34,89 */
  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  pay_points (cart, 3000);                                   /* 600 points */
  fixture_pay_rest_cash (cart);
  sale = commit_ok (cart);

  {
    g_autoptr(GError) error = NULL;

    ret = pos_returns_commit (db, sale, &item, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
    ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  }
  /* 8,99: 8,95 as 179 points, 0,04 in cash */
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'loyalty_points'", ret), -895);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'cash'", ret), -4);
  ck_assert_int_eq (countf ("SELECT loyalty_redeemed FROM sales WHERE id = '%s'", ret), -179);
}
END_TEST

START_TEST (test_void_gives_everything_back)
{
  g_autoptr(PosCart) cart = cart_of (2, FIX_CUSTOMER);
  g_autofree char *sale = NULL;
  g_autofree char *ret = NULL;
  g_autoptr(GError) error = NULL;

  exec ("UPDATE customers SET loyalty_points = 500");
  pay_points (cart, 1000);
  fixture_pay_rest_cash (cart);
  sale = commit_ok (cart);
  ck_assert_int_eq (balance (), 500 - 200 + 41);

  ret = pos_sales_void (db, sale, "engano", NULL, NULL, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (balance (), 500);
}
END_TEST

static Suite *
loyalty_suite (void)
{
  Suite *s = suite_create ("loyalty");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_earned_arithmetic);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_rule_settings);
  tcase_add_test (tc, test_accrual);
  tcase_add_test (tc, test_rule_off_and_no_customer);
  tcase_add_test (tc, test_points_payment);
  tcase_add_test (tc, test_points_refused);
  tcase_add_test (tc, test_pending_until_acknowledged);
  tcase_add_test (tc, test_return_takes_back);
  tcase_add_test (tc, test_refund_of_points);
  tcase_add_test (tc, test_refund_of_points_to_store_credit);
  tcase_add_test (tc, test_refund_partial_points);
  tcase_add_test (tc, test_void_gives_everything_back);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (loyalty_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
