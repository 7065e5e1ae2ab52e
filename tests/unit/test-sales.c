/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sales"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "domain/pos-uuid.h"
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

static PosCart *
make_cart (void)
{
  PosCart *cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;

  fixture_add (cart, FIX_ARROZ, 2000);
  fixture_add (cart, FIX_FEIJAO, 1000);
  fixture_add (cart, FIX_QUEIJO, 512);
  ck_assert (pos_cart_set_line_discount (cart, 1, POS_DISCOUNT_AMOUNT, 100, &error));
  return cart;
}

static gint64
count (const char *sql)
{
  return fixture_count (db, sql);
}

START_TEST (test_commit_writes_everything)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *id = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *today = NULL;
  g_autofree char *bdate = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  PosCartTotals t;
  JsonObject *doc;

  pos_cart_get_totals (cart, &t);
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, 2000);
  fixture_pay (cart, POS_PAYMENT_CASH, 10000);
  ck_assert (pos_cart_is_fully_paid (cart));

  id = pos_sales_commit (db, cart, &number, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (number, "001-01-000001");
  ck_assert (pos_uuid_is_valid (id));

  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales WHERE kind = 'sale'"), 1);
  sql = g_strdup_printf ("SELECT total FROM sales WHERE id = '%s'", id);
  ck_assert_int_eq (count (sql), t.total);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sale_lines"), 3);
  ck_assert_int_eq (count ("SELECT SUM(total) FROM sale_lines"), t.total);
  ck_assert_int_eq (count ("SELECT line_discount FROM sale_lines WHERE line_no = 2"), 100);
  ck_assert_int_eq (count ("SELECT quantity FROM sale_lines WHERE sku = 'QUEIJO'"), 512);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sale_lines WHERE approx_tax > 0"), 3);
  ck_assert_int_eq (count ("SELECT approx_tax FROM sales"), count ("SELECT SUM(approx_tax) FROM sale_lines"));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sale_payments"), 2);
  ck_assert_int_eq (count ("SELECT method = 'credit_card' AND amount = 2000 AND card_last4 = '4242' FROM sale_payments WHERE seq = 1"), 1);
  ck_assert_int_eq (count ("SELECT change FROM sale_payments WHERE seq = 2"), 10000 - (t.total - 2000));
  ck_assert_int_eq (count ("SELECT change_given FROM sales"), 10000 - (t.total - 2000));
  ck_assert_int_eq (count ("SELECT paid FROM sales"), t.total);

  /* stock: movements and levels, including a product with no level row yet */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM stock_movements WHERE reason = 'sale' AND delta < 0"), 3);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 1"), -2000);
  ck_assert_int_eq (count ("SELECT synced_qty FROM stock_levels WHERE product_id = 1"), 100000);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 3"), -512);
  g_free (sql);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM stock_movements WHERE document_id = '%s'", id);
  ck_assert_int_eq (count (sql), 3);

  g_free (sql);
  sql = g_strdup_printf ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.create' AND entity_id = '%s'", id);
  ck_assert_int_eq (count (sql), 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT payload FROM outbox WHERE type = 'sale.create' AND entity_id = '%s'", id);
  payload = fixture_text (db, sql);
  ck_assert_ptr_nonnull (payload);
  ck_assert (json_parser_load_from_data (parser, payload, -1, NULL));
  doc = json_node_get_object (json_parser_get_root (parser));
  ck_assert_str_eq (json_object_get_string_member (doc, "id"), id);
  ck_assert_str_eq (json_object_get_string_member (doc, "number"), "001-01-000001");
  ck_assert_str_eq (json_object_get_string_member (doc, "kind"), "sale");
  ck_assert_int_eq (json_object_get_int_member (doc, "total"), t.total);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (doc, "lines")), 3);
  ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (doc, "payments")), 2);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (
                      json_object_get_array_member (doc, "lines"), 0), "sku"), "ARROZ5");

  today = g_date_time_format (now, "%Y-%m-%d");
  bdate = fixture_text (db, "SELECT business_date FROM sales");
  ck_assert_str_eq (bdate, today);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales WHERE staff_id = 'staff-1' AND terminal_id = 'term-1' AND store_id = 'store-1'"), 1);
}
END_TEST

static void
assert_nothing_written (void)
{
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sale_lines"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sale_payments"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM stock_movements"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'sale.%'"), 0);
  ck_assert_int_eq (count ("SELECT SUM(local_delta) FROM stock_levels"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM document_sequences WHERE kind = 'sale' AND next_value > 1"), 0);
}

START_TEST (test_commit_refuses_empty)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  char *id = pos_sales_commit (db, cart, NULL, &error);

  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY));
  assert_nothing_written ();
}
END_TEST

START_TEST (test_commit_refuses_not_paid)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  char *id;

  fixture_pay (cart, POS_PAYMENT_PIX, 1000);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_PAID));
  ck_assert_msg (strstr (error->message, "R$") != NULL, "%s", error->message);
  assert_nothing_written ();

  /* Once paid, the first number is still 000001: nothing was consumed. */
  g_clear_error (&error);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, &number, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (number, "001-01-000001");
  g_free (id);
}
END_TEST

START_TEST (test_commit_failure_rolls_back)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  char *id;

  /* The outbox write is the last thing in the transaction: make it fail. */
  ck_assert (pos_database_exec (db,
      "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE (ABORT, 'disk on fire'); END;",
      NULL));
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, "not saved") != NULL, "%s", error->message);
  assert_nothing_written ();
}
END_TEST

/* A full disk, as SQLite sees it: the database may not grow by a page.
 * The sale is refused in words, nothing is half-written, and the same
 * cart commits once there is room again. */
START_TEST (test_commit_disk_full)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pages = NULL;
  g_autofree char *pragma = NULL;
  g_autofree char *id = NULL;
  char *failed;

  /* A long note: the sale needs new pages, which a full disk cannot give. */
  {
    g_autofree char *note = g_strnfill (6000, 'x');

    pos_cart_set_note (cart, note);
  }
  fixture_pay_rest_cash (cart);
  ck_assert (pos_database_exec (db, "VACUUM", NULL));
  pages = fixture_text (db, "PRAGMA page_count");
  pragma = g_strdup_printf ("PRAGMA max_page_count = %s", pages);
  ck_assert (pos_database_exec (db, pragma, NULL));

  failed = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (failed);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_FULL),
                 "%s (%d)", error->message, error->code);
  ck_assert_msg (strstr (error->message, "disk is full") != NULL, "%s", error->message);
  assert_nothing_written ();

  ck_assert (pos_database_exec (db, "PRAGMA max_page_count = 1073741823", NULL));
  g_clear_error (&error);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (count ("SELECT count(*) FROM sales"), 1);
}
END_TEST

START_TEST (test_numbering)
{
  for (int i = 1; i <= 3; i++)
    {
      g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
      g_autoptr(GError) error = NULL;
      g_autofree char *number = NULL;
      g_autofree char *id = NULL;
      g_autofree char *expected = g_strdup_printf ("001-01-%06d", i);

      fixture_add (cart, FIX_LEITE, 1000 * i);
      fixture_pay_rest_cash (cart);
      id = pos_sales_commit (db, cart, &number, &error);
      ck_assert_msg (id != NULL, "%s", error ? error->message : "");
      ck_assert_str_eq (number, expected);
    }
  ck_assert_int_eq (count ("SELECT next_value FROM document_sequences WHERE kind = 'sale'"), 4);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'sale.create'"), 3);
}
END_TEST

START_TEST (test_no_terminal)
{
  g_autofree char *d2 = fixture_make_dir ();
  g_autoptr(PosDatabase) bare = fixture_open_bare (d2);
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  char *id;

  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (bare, cart, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NO_TERMINAL));
  ck_assert_msg (strstr (error->message, "demo-data") != NULL, "%s", error->message);
  ck_assert_int_eq (fixture_count (bare, "SELECT COUNT(*) FROM sales"), 0);
  g_clear_object (&bare);
  fixture_remove_dir (d2);
}
END_TEST

typedef struct {
  GMainLoop *loop;
  char      *id;
  char      *number;
  GError    *error;
} AsyncState;

static void
commit_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncState *st = user_data;

  st->id = pos_sales_commit_finish (POS_DATABASE (source), result, &st->number, &st->error);
  g_main_loop_quit (st->loop);
}

START_TEST (test_async_commit)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(PosCart) empty = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncState st = { g_main_loop_new (NULL, FALSE), NULL, NULL, NULL };
  g_autofree char *sql = NULL;

  fixture_pay_rest_cash (cart);
  pos_sales_commit_async (db, cart, NULL, commit_done, &st);
  g_main_loop_run (st.loop);
  ck_assert_msg (st.id != NULL, "%s", st.error ? st.error->message : "");
  ck_assert_str_eq (st.number, "001-01-000001");
  sql = g_strdup_printf ("SELECT COUNT(*) FROM sale_lines WHERE sale_id = '%s'", st.id);
  ck_assert_int_eq (count (sql), 3);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'sale.create'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'audit.append'"),
                    count ("SELECT COUNT(*) FROM audit_log"));
  g_clear_pointer (&st.id, g_free);
  g_clear_pointer (&st.number, g_free);

  /* Refusals come back through the callback. */
  pos_sales_commit_async (db, empty, NULL, commit_done, &st);
  g_main_loop_run (st.loop);
  ck_assert_ptr_null (st.id);
  ck_assert (g_error_matches (st.error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY));
  g_clear_error (&st.error);

  /* Cancelled before it ran: nothing written. */
  g_cancellable_cancel (cancellable);
  pos_sales_commit_async (db, cart, cancellable, commit_done, &st);
  g_main_loop_run (st.loop);
  ck_assert_ptr_null (st.id);
  ck_assert (g_error_matches (st.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error (&st.error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 1);

  g_main_loop_unref (st.loop);
}
END_TEST

START_TEST (test_park_resume)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(PosCart) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parked = NULL;
  g_autofree char *id = NULL;
  g_autofree char *sid = NULL;
  PosCartTotals t1, t2;
  const PosParkedSale *p;

  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_PERCENT, 500, &error));
  pos_cart_set_note (cart, "entregar depois");
  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  fixture_pay (cart, POS_PAYMENT_PIX, 1000);
  pos_cart_get_totals (cart, &t1);

  id = pos_sales_park (db, cart, "Senhora de azul", &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");

  parked = pos_sales_list_parked (db, &error);
  ck_assert_ptr_nonnull (parked);
  ck_assert_uint_eq (parked->len, 1);
  p = g_ptr_array_index (parked, 0);
  ck_assert_str_eq (p->id, id);
  ck_assert_str_eq (p->label, "Senhora de azul");
  ck_assert_str_eq (p->staff_name, "Maria Oliveira");
  ck_assert_str_eq (p->currency, "BRL");
  ck_assert_uint_eq (p->n_lines, 3);
  ck_assert_int_eq (p->total, t1.total);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.park'"), 1);

  back = pos_sales_resume (db, id, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  pos_cart_get_totals (back, &t2);
  ck_assert_uint_eq (pos_cart_get_n_lines (back), 3);
  ck_assert_int_eq (t2.total, t1.total);
  ck_assert_int_eq (t2.sale_discount, t1.sale_discount);
  ck_assert_int_eq (t2.line_discounts, 100);
  ck_assert_int_eq (t2.paid, 1000);
  ck_assert_uint_eq (pos_cart_get_n_payments (back), 1);
  ck_assert_int_eq (pos_cart_get_payment (back, 0)->method, POS_PAYMENT_PIX);
  ck_assert_str_eq (pos_cart_get_note (back), "entregar depois");
  ck_assert_str_eq (pos_cart_get_customer_id (back), FIX_CUSTOMER);
  ck_assert_int_eq (pos_cart_line_get_quantity (pos_cart_get_line (back, 2)), 512);
  ck_assert (pos_cart_line_get_weighed (pos_cart_get_line (back, 2)));
  ck_assert_int_eq (pos_cart_get_discount_kind (back), POS_DISCOUNT_PERCENT);
  ck_assert_int_eq (pos_cart_get_discount_value (back), 500);

  ck_assert_int_eq (count ("SELECT COUNT(*) FROM parked_sales"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.resume'"), 1);

  /* Twice: gone. */
  {
    PosCart *again = pos_sales_resume (db, id, &error);
    ck_assert_ptr_null (again);
    ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND));
    g_clear_error (&error);
  }

  /* An empty cart is not parked. */
  {
    g_autoptr(PosCart) empty = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
    char *none = pos_sales_park (db, empty, NULL, &error);
    ck_assert_ptr_null (none);
    ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY));
    g_clear_error (&error);
  }

  /* The resumed cart commits like any other. */
  fixture_pay_rest_cash (back);
  sid = pos_sales_commit (db, back, NULL, &error);
  ck_assert_msg (sid != NULL, "%s", error ? error->message : "");
}
END_TEST

START_TEST (test_park_without_label_uses_customer)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parked = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  a = pos_sales_park (db, cart, NULL, &error);
  ck_assert_ptr_nonnull (a);
  pos_cart_set_customer (cart, NULL, NULL);
  b = pos_sales_park (db, cart, "", &error);
  ck_assert_ptr_nonnull (b);
  parked = pos_sales_list_parked (db, &error);
  ck_assert_uint_eq (parked->len, 2);
  ck_assert_str_eq (((PosParkedSale *) g_ptr_array_index (parked, 0))->id, a);
  ck_assert_str_eq (((PosParkedSale *) g_ptr_array_index (parked, 0))->label, "João Souza");
  ck_assert_ptr_null (((PosParkedSale *) g_ptr_array_index (parked, 1))->label);
}
END_TEST

START_TEST (test_cancel_audited)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *reason = NULL;

  ck_assert (pos_sales_record_cancel (db, cart, "cliente desistiu", &error));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.cancel'"), 1);
  data = fixture_text (db, "SELECT data FROM audit_log WHERE action = 'sale.cancel'");
  reason = fixture_text (db, "SELECT reason FROM audit_log WHERE action = 'sale.cancel'");
  ck_assert_ptr_nonnull (data);
  ck_assert_msg (strstr (data, "ARROZ5") != NULL && strstr (data, "QUEIJO") != NULL, "%s", data);
  {
    g_autoptr(JsonNode) node = json_from_string (data, NULL);
    ck_assert_ptr_nonnull (node);
  }
  ck_assert_str_eq (reason, "cliente desistiu");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 0);
}
END_TEST

static char *
commit_simple (gint64       product,
               gint64       quantity,
               const char  *customer,
               char       **number)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  char *id;

  fixture_add (cart, product, quantity);
  if (customer)
    pos_cart_set_customer (cart, FIX_CUSTOMER, customer);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, number, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  return id;
}

static guint
search (const char *q)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pos_sales_list (db, q, 0, 0, 50, &error);

  ck_assert_msg (list != NULL, "%s", error ? error->message : "");
  return list->len;
}

START_TEST (test_history_search)
{
  g_autofree char *a = commit_simple (FIX_ARROZ, 1000, NULL, NULL);   /* 25,90 */
  g_autofree char *b = commit_simple (FIX_FEIJAO, 2000, "João Souza", NULL);  /* 17,98 */
  g_autofree char *c = commit_simple (FIX_LEITE, 1000, NULL, NULL);   /* 5,49 */
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) one = NULL;
  g_autoptr(GError) error = NULL;
  PosSaleSummary *s;

  all = pos_sales_list (db, NULL, 0, 0, 0, &error);
  ck_assert_uint_eq (all->len, 3);
  s = g_ptr_array_index (all, 0);
  ck_assert_str_eq (s->id, c);   /* newest first */
  ck_assert_str_eq (s->number, "001-01-000003");
  ck_assert_str_eq (s->kind, "sale");
  ck_assert_int_eq (s->total, 549);
  ck_assert_uint_eq (s->n_lines, 1);
  ck_assert_str_eq (s->payment_summary, "cash");
  ck_assert_str_eq (s->staff_name, "Maria Oliveira");
  ck_assert_str_eq (((PosSaleSummary *) g_ptr_array_index (all, 2))->id, a);

  /* number suffix, padded or not, and whole */
  ck_assert_uint_eq (search ("2"), 1);
  ck_assert_uint_eq (search ("000002"), 1);
  ck_assert_uint_eq (search ("001-01-000003"), 1);
  ck_assert_uint_eq (search ("7"), 0);
  /* product name, any case, in a line */
  ck_assert_uint_eq (search ("Feijão"), 1);
  ck_assert_uint_eq (search ("arroz"), 1);
  ck_assert_uint_eq (search ("tipo um"), 1);
  /* accents ignored, words as prefixes, through the search indexes */
  ck_assert_uint_eq (search ("feijao"), 1);
  ck_assert_uint_eq (search ("FEIJ"), 1);
  ck_assert_uint_eq (search ("carioca feij"), 1);
  ck_assert_uint_eq (search ("joao"), 1);
  ck_assert_uint_eq (search ("chocolate"), 0);
  ck_assert_uint_eq (search ("100%"), 0);
  /* customer */
  ck_assert_uint_eq (search ("Souza"), 1);
  /* amount, with comma or dot */
  ck_assert_uint_eq (search ("25,90"), 1);
  ck_assert_uint_eq (search ("25.90"), 1);
  ck_assert_uint_eq (search ("R$ 17,98"), 1);
  ck_assert_uint_eq (search ("5,49"), 1);
  ck_assert_uint_eq (search ("5,48"), 0);
  /* the receipt code */
  {
    g_autofree char *code = g_strconcat ("BALCAO:SALE:", b, NULL);
    ck_assert_uint_eq (search (code), 1);
  }
  ck_assert_uint_eq (search ("   "), 3);

  /* time range and limit */
  one = pos_sales_list (db, NULL, 0, 0, 1, &error);
  ck_assert_uint_eq (one->len, 1);
  g_clear_pointer (&one, g_ptr_array_unref);
  one = pos_sales_list (db, NULL, pos_now_ms () + 60000, 0, 0, &error);
  ck_assert_uint_eq (one->len, 0);
  g_clear_pointer (&one, g_ptr_array_unref);
  one = pos_sales_list (db, NULL, 0, 1000, 0, &error);
  ck_assert_uint_eq (one->len, 0);
  g_clear_pointer (&one, g_ptr_array_unref);
  one = pos_sales_list (db, NULL, pos_now_ms () - 3600000, pos_now_ms () + 1000, 0, &error);
  ck_assert_uint_eq (one->len, 3);
}
END_TEST

START_TEST (test_load)
{
  g_autoptr(PosCart) cart = make_cart ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) r1 = NULL;
  g_autoptr(PosSaleRecord) r2 = NULL;
  g_autoptr(PosSaleRecord) r3 = NULL;
  g_autoptr(PosSaleRecord) none = NULL;
  g_autofree char *number = NULL;
  g_autofree char *id = NULL;
  g_autofree char *code = NULL;
  g_autofree char *json = NULL;
  const PosSaleLine *l;
  const PosPayment *p;

  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  fixture_pay (cart, POS_PAYMENT_DEBIT_CARD, 3000);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, &number, &error);
  ck_assert_ptr_nonnull (id);

  r1 = pos_sales_load (db, number, &error);
  ck_assert_msg (r1 != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (r1->id, id);
  r2 = pos_sales_load (db, id, &error);
  ck_assert_ptr_nonnull (r2);
  ck_assert_str_eq (r2->number, number);
  code = g_strconcat ("BALCAO:SALE:", id, NULL);
  r3 = pos_sales_load (db, code, &error);
  ck_assert_ptr_nonnull (r3);
  ck_assert_str_eq (r3->number, number);

  ck_assert_str_eq (r1->kind, "sale");
  ck_assert_str_eq (r1->currency, "BRL");
  ck_assert_str_eq (r1->staff_name, "Maria Oliveira");
  ck_assert_str_eq (r1->customer_name, "João Souza");
  ck_assert_ptr_null (r1->original_sale_id);
  ck_assert_uint_eq (r1->lines->len, 3);
  ck_assert_uint_eq (r1->payments->len, 2);
  ck_assert_uint_eq (r1->returns->len, 0);
  l = g_ptr_array_index (r1->lines, 2);
  ck_assert_str_eq (l->sku, "QUEIJO");
  ck_assert (l->weighed);
  ck_assert_int_eq (l->quantity, 512);
  ck_assert_int_eq (l->unit_price, 3990);
  ck_assert_int_eq (l->returned_quantity, 0);
  l = g_ptr_array_index (r1->lines, 0);
  ck_assert_str_eq (l->barcode, "7891234567895");
  ck_assert_uint_eq (l->tax_rate_bp, 1800);
  ck_assert_int_gt (l->tax, 0);
  p = g_ptr_array_index (r1->payments, 0);
  ck_assert_int_eq (p->method, POS_PAYMENT_DEBIT_CARD);
  ck_assert_int_eq (p->amount, 3000);
  ck_assert_str_eq (p->card_last4, "4242");
  p = g_ptr_array_index (r1->payments, 1);
  ck_assert_int_eq (p->method, POS_PAYMENT_CASH);
  ck_assert_int_ge (p->tendered, p->amount);

  json = pos_sale_record_to_json (r1);
  ck_assert (strstr (json, "\"number\":\"001-01-000001\"") != NULL);

  none = pos_sales_load (db, "001-01-999999", &error);
  ck_assert_ptr_null (none);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND));
  g_clear_error (&error);
  none = pos_sales_load (db, "BALCAO:SALE:", &error);
  ck_assert_ptr_null (none);
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND));
}
END_TEST

static Suite *
sales_suite (void)
{
  Suite *s = suite_create ("sales");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_commit_writes_everything);
  tcase_add_test (tc, test_commit_refuses_empty);
  tcase_add_test (tc, test_commit_refuses_not_paid);
  tcase_add_test (tc, test_commit_disk_full);
  tcase_add_test (tc, test_commit_failure_rolls_back);
  tcase_add_test (tc, test_numbering);
  tcase_add_test (tc, test_no_terminal);
  tcase_add_test (tc, test_async_commit);
  tcase_add_test (tc, test_park_resume);
  tcase_add_test (tc, test_park_without_label_uses_customer);
  tcase_add_test (tc, test_cancel_audited);
  tcase_add_test (tc, test_history_search);
  tcase_add_test (tc, test_load);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (sales_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
