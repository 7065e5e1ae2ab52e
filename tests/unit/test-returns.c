/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-returns"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-sales.h"
#include "sales-fixture.h"

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

static gint64
count (const char *sql)
{
  return fixture_count (db, sql);
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

static char *
commit_cart (PosCart *cart)
{
  g_autoptr(GError) error = NULL;
  char *id = pos_sales_commit (db, cart, NULL, &error);

  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  return id;
}

/* 3 x arroz (77,70) + feijão (8,99) + 512 g queijo (20,43), cash. */
static char *
commit_basic (const char *customer)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);

  fixture_add (cart, FIX_ARROZ, 3000);
  fixture_add (cart, FIX_FEIJAO, 1000);
  fixture_add (cart, FIX_QUEIJO, 512);
  if (customer)
    pos_cart_set_customer (cart, customer, "João Souza");
  fixture_pay_rest_cash (cart);
  return commit_cart (cart);
}

static char *
do_return (const char      *sale_id,
           guint            line_no,
           gint64           qty,
           PosRefundMethod  method,
           char           **number,
           GError         **error)
{
  PosReturnItem item = { line_no, qty };

  return pos_returns_commit (db, sale_id, &item, 1, method, "defeito", NULL, number, error);
}

static gint64
return_total (const char *return_id)
{
  return countf ("SELECT total FROM sales WHERE id = '%s'", return_id);
}

START_TEST (test_partial_then_full)
{
  g_autofree char *sale = commit_basic (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *n1 = NULL;
  g_autofree char *n2 = NULL;
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  g_autoptr(JsonNode) node = NULL;
  char *r3;

  r1 = do_return (sale, 1, 1000, POS_REFUND_ORIGINAL_TENDER, &n1, &error);
  ck_assert_msg (r1 != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (n1, "001-01-D000001");
  ck_assert_int_eq (return_total (r1), -2590);
  ck_assert_int_eq (countf ("SELECT quantity FROM sale_lines WHERE sale_id = '%s'", r1), -1000);
  ck_assert_int_eq (countf ("SELECT original_line_no FROM sale_lines WHERE sale_id = '%s'", r1), 1);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sales WHERE id = '%s' AND kind = 'return'", r1), 1);
  ck_assert_int_eq (countf ("SELECT original_sale_id = (SELECT id FROM sales WHERE number = '001-01-000001') FROM sales WHERE id = '%s'", r1), 1);
  ck_assert_int_eq (countf ("SELECT SUM(amount) FROM sale_payments WHERE sale_id = '%s'", r1), -2590);
  ck_assert_int_eq (countf ("SELECT method = 'cash' FROM sale_payments WHERE sale_id = '%s'", r1), 1);
  ck_assert_int_eq (countf ("SELECT delta FROM stock_movements WHERE reason = 'return' AND document_id = '%s'", r1), 1000);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 1"), -2000);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM audit_log WHERE action = 'return.create' AND entity_id = '%s'", r1), 1);

  sql = g_strdup_printf ("SELECT payload FROM outbox WHERE type = 'return.create' AND entity_id = '%s'", r1);
  payload = fixture_text (db, sql);
  ck_assert_ptr_nonnull (payload);
  node = json_from_string (payload, NULL);
  ck_assert_ptr_nonnull (node);
  ck_assert_str_eq (json_object_get_string_member (json_node_get_object (node), "original_sale_id"), sale);
  ck_assert_str_eq (json_object_get_string_member (json_node_get_object (node), "kind"), "return");

  r2 = do_return (sale, 1, 2000, POS_REFUND_ORIGINAL_TENDER, &n2, &error);
  ck_assert_msg (r2 != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (n2, "001-01-D000002");
  ck_assert_int_eq (return_total (r2), -5180);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 1"), 0);

  /* Nothing left of line 1. */
  r3 = do_return (sale, 1, 1000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_ptr_null (r3);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  rec = pos_sales_load (db, sale, &error);
  ck_assert_int_eq (((PosSaleLine *) g_ptr_array_index (rec->lines, 0))->returned_quantity, 3000);
  ck_assert_int_eq (((PosSaleLine *) g_ptr_array_index (rec->lines, 1))->returned_quantity, 0);
  ck_assert_uint_eq (rec->returns->len, 2);
  ck_assert_str_eq (((PosSaleSummary *) g_ptr_array_index (rec->returns, 0))->number, "001-01-D000001");
  ck_assert_int_eq (((PosSaleSummary *) g_ptr_array_index (rec->returns, 1))->total, -5180);

  /* In the history, with the original's number. */
  {
    g_autoptr(GPtrArray) list = pos_sales_list (db, "D000002", 0, 0, 0, &error);
    g_autoptr(GPtrArray) by_number = pos_sales_list (db, "001-01-D000001", 0, 0, 0, &error);
    PosSaleSummary *s;

    ck_assert_uint_eq (by_number->len, 1);
    ck_assert_uint_eq (list->len, 1);  /* whole number only; "2" alone is the sale suffix */
    s = g_ptr_array_index (by_number, 0);
    ck_assert_str_eq (s->kind, "return");
    ck_assert_str_eq (s->original_number, "001-01-000001");
  }
}
END_TEST

START_TEST (test_pro_rata_exact)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  gint64 line_total, line_tax, sum = 0, sum_tax = 0;

  /* 3 x 17,90 = 53,70, minus 0,01: 53,69 does not split in three. Plus a
   * sale discount of 7 % shared between the lines. */
  fixture_add (cart, FIX_CAFE, 3000);
  fixture_add (cart, FIX_LEITE, 7000);
  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_AMOUNT, 1, &error));
  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_PERCENT, 700, &error));
  fixture_pay_rest_cash (cart);
  sale = commit_cart (cart);

  rec = pos_sales_load (db, sale, &error);
  line_total = ((PosSaleLine *) g_ptr_array_index (rec->lines, 0))->total;
  line_tax = ((PosSaleLine *) g_ptr_array_index (rec->lines, 0))->tax;

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *r = NULL;
      gint64 preview;
      PosReturnItem item = { 1, 1000 };

      preview = pos_returns_preview (db, sale, &item, 1, &error);
      r = do_return (sale, 1, 1000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
      ck_assert_msg (r != NULL, "%s", error ? error->message : "");
      ck_assert_int_eq (-return_total (r), preview);
      /* each step within a cent of a third */
      ck_assert_int_le (ABS (-return_total (r) * 3 - line_total), 3);
      sum += -return_total (r);
      sum_tax += -countf ("SELECT tax FROM sale_lines WHERE sale_id = '%s'", r);
    }
  ck_assert_int_eq (sum, line_total);
  ck_assert_int_eq (sum_tax, line_tax);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 4"), 0);

  /* 7 single units of milk, then the line is exhausted. */
  sum = 0;
  for (int i = 0; i < 7; i++)
    {
      g_autofree char *r = do_return (sale, 2, 1000, POS_REFUND_STORE_CREDIT, NULL, &error);
      ck_assert_msg (r != NULL, "%s", error ? error->message : "");
      sum += -return_total (r);
    }
  ck_assert_int_eq (sum, ((PosSaleLine *) g_ptr_array_index (rec->lines, 1))->total);
}
END_TEST

START_TEST (test_weighed_partial)
{
  g_autofree char *sale = commit_basic (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) rec = pos_sales_load (db, sale, NULL);
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  gint64 total = ((PosSaleLine *) g_ptr_array_index (rec->lines, 2))->total;
  char *r3;

  r1 = do_return (sale, 3, 201, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_msg (r1 != NULL, "%s", error ? error->message : "");
  r2 = do_return (sale, 3, 311, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_msg (r2 != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (-return_total (r1) - return_total (r2), total);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 3"), 0);

  r3 = do_return (sale, 3, 1, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_ptr_null (r3);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
}
END_TEST

START_TEST (test_more_than_sold_refused)
{
  g_autofree char *sale = commit_basic (NULL);
  g_autoptr(GError) error = NULL;
  gint64 sales = count ("SELECT COUNT(*) FROM sales");
  gint64 outbox = count ("SELECT COUNT(*) FROM outbox");
  gint64 moves = count ("SELECT COUNT(*) FROM stock_movements");
  gint64 audit = count ("SELECT COUNT(*) FROM audit_log");
  PosReturnItem split[] = { { 1, 2000 }, { 1, 2000 } };
  PosReturnItem bad_line[] = { { 9, 1000 } };
  PosReturnItem zero[] = { { 1, 0 } };
  PosReturnItem negative[] = { { 1, -1000 } };
  PosReturnItem fraction[] = { { 1, 1500 } };
  PosReturnItem ok_then_bad[] = { { 2, 1000 }, { 1, 4000 } };
  char *r;

  r = do_return (sale, 1, 4000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  ck_assert_msg (strstr (error->message, "Arroz") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* The same line twice in one return counts twice. */
  r = pos_returns_commit (db, sale, split, 2, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  r = pos_returns_commit (db, sale, bad_line, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND));
  g_clear_error (&error);

  r = pos_returns_commit (db, sale, zero, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  r = pos_returns_commit (db, sale, negative, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  r = pos_returns_commit (db, sale, fraction, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  r = pos_returns_commit (db, sale, ok_then_bad, 2, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  r = pos_returns_commit (db, sale, NULL, 0, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY));
  g_clear_error (&error);

  r = do_return ("no-such-sale", 1, 1000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_ptr_null (r);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND));
  g_clear_error (&error);

  ck_assert_int_eq (pos_returns_preview (db, sale, ok_then_bad, 2, &error), -1);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT));
  g_clear_error (&error);

  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), sales);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox"), outbox);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM stock_movements"), moves);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log"), audit);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM document_sequences WHERE kind = 'return'"), 0);
}
END_TEST

START_TEST (test_return_of_return_refused)
{
  g_autofree char *sale = commit_basic (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *r1 = do_return (sale, 2, 1000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  gint64 before = count ("SELECT COUNT(*) FROM sales");
  char *r2;

  ck_assert_ptr_nonnull (r1);
  r2 = do_return (r1, 1, 1000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_ptr_null (r2);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_KIND));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), before);
}
END_TEST

START_TEST (test_store_credit_customer)
{
  g_autofree char *sale = commit_basic (FIX_CUSTOMER);
  g_autoptr(GError) error = NULL;
  g_autofree char *r = do_return (sale, 2, 1000, POS_REFUND_STORE_CREDIT, NULL, &error);

  ck_assert_msg (r != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (count ("SELECT store_credit FROM customers WHERE id = '" FIX_CUSTOMER "'"), 899);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_payments WHERE sale_id = '%s' AND method = 'store_credit' AND amount = -899 AND reference IS NULL", r), 1);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_payments WHERE sale_id = '%s' AND method = 'cash'", r), 0);
  ck_assert_int_eq (countf ("SELECT customer_id = '" FIX_CUSTOMER "' FROM sales WHERE id = '%s'", r), 1);
}
END_TEST

START_TEST (test_store_credit_voucher)
{
  g_autofree char *sale = commit_basic (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *r = do_return (sale, 2, 1000, POS_REFUND_STORE_CREDIT, &number, &error);

  ck_assert_msg (r != NULL, "%s", error ? error->message : "");
  sql = g_strdup_printf ("SELECT reference FROM sale_payments WHERE sale_id = '%s' AND method = 'store_credit'", r);
  ref = fixture_text (db, sql);
  ck_assert_str_eq (ref, "VALE-001-01-D000001");
  ck_assert_int_eq (count ("SELECT SUM(store_credit) FROM customers"), 0);
}
END_TEST

START_TEST (test_split_tender_refund)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = NULL;
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  PosCartTotals t;

  /* 4 x 25,90 = 103,60: cash 20,00 (50,00 handed over), card 50,00, pix 33,60 */
  fixture_add (cart, FIX_ARROZ, 4000);
  fixture_pay (cart, POS_PAYMENT_CASH, 2000);
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, 5000);
  fixture_pay (cart, POS_PAYMENT_PIX, 3360);
  pos_cart_get_totals (cart, &t);
  ck_assert_int_eq (t.due, 0);
  sale = commit_cart (cart);

  /* 2 units = 51,80: card 50,00 then pix 1,80; nothing in cash. */
  r1 = do_return (sale, 1, 2000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_msg (r1 != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_payments WHERE sale_id = '%s'", r1), 2);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'credit_card'", r1), -5000);
  ck_assert_int_eq (countf ("SELECT card_last4 = '4242' FROM sale_payments WHERE sale_id = '%s' AND method = 'credit_card'", r1), 1);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'pix'", r1), -180);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_payments WHERE sale_id = '%s' AND method = 'cash'", r1), 0);

  /* The other 2 = 51,80: pix 31,80 left, then cash 20,00. */
  r2 = do_return (sale, 1, 2000, POS_REFUND_ORIGINAL_TENDER, NULL, &error);
  ck_assert_msg (r2 != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_payments WHERE sale_id = '%s' AND method = 'credit_card'", r2), 0);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'pix'", r2), -3180);
  ck_assert_int_eq (countf ("SELECT amount FROM sale_payments WHERE sale_id = '%s' AND method = 'cash'", r2), -2000);
  ck_assert_int_eq (countf ("SELECT SUM(amount) FROM sale_payments WHERE sale_id = '%s'", r2), -5180);

  /* Every payment given back exactly once. */
  ck_assert_int_eq (count ("SELECT SUM(amount) FROM sale_payments"), 0);
}
END_TEST

START_TEST (test_preview_writes_nothing)
{
  g_autofree char *sale = commit_basic (NULL);
  g_autoptr(GError) error = NULL;
  PosReturnItem items[] = { { 1, 1000 }, { 3, 100 } };
  gint64 before = count ("SELECT COUNT(*) FROM sales");
  gint64 preview = pos_returns_preview (db, sale, items, 2, &error);
  g_autofree char *r = NULL;

  ck_assert_int_gt (preview, 2590);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), before);
  r = pos_returns_commit (db, sale, items, 2, POS_REFUND_ORIGINAL_TENDER, "tamanho", NULL, NULL, &error);
  ck_assert_ptr_nonnull (r);
  ck_assert_int_eq (-return_total (r), preview);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM sale_lines WHERE sale_id = '%s'", r), 2);
  ck_assert_int_eq (countf ("SELECT COUNT(*) FROM stock_movements WHERE document_id = '%s' AND delta > 0", r), 2);
  ck_assert_int_eq (countf ("SELECT reason = 'tamanho' FROM sales WHERE id = '%s'", r), 1);
}
END_TEST

static Suite *
returns_suite (void)
{
  Suite *s = suite_create ("returns");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_partial_then_full);
  tcase_add_test (tc, test_pro_rata_exact);
  tcase_add_test (tc, test_weighed_partial);
  tcase_add_test (tc, test_more_than_sold_refused);
  tcase_add_test (tc, test_return_of_return_refused);
  tcase_add_test (tc, test_store_credit_customer);
  tcase_add_test (tc, test_store_credit_voucher);
  tcase_add_test (tc, test_split_tender_refund);
  tcase_add_test (tc, test_preview_writes_nothing);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (returns_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
