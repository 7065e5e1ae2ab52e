/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-online-orders"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-online-orders.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-sync-engine.h"
#include "fake-central.h"
#include "sales-fixture.h"

/* Online orders brought back at the counter: reading the central's ORDER,
 * what may come back, the return written in one transaction, and the
 * lookup's answers that are not an order (the real central's answers are
 * in tests/integration/sync-e2e-pickups). */

static char *dir;
static PosDatabase *db;

#define ORDER_JSON(fulfilment, state, collected1, returned1) \
  "{\"id\":\"ord-1\",\"number\":\"1042\",\"channel\":\"web\",\"fulfilment\":\"" fulfilment "\"," \
  "\"state\":\"" state "\",\"customer_id\":null,\"customer_name\":\"Maria Lima\",\"payment_method\":\"credit_card\"," \
  "\"currency\":\"BRL\",\"total\":6079,\"placed_at\":1000,\"lines\":[" \
  "{\"line_no\":1,\"sku\":\"ARROZ5\",\"name\":\"Arroz\",\"quantity\":2000,\"collected_quantity\":" collected1 "," \
  "\"returned_quantity\":" returned1 ",\"unit_price\":2590}," \
  "{\"line_no\":2,\"sku\":\"NOT-HERE\",\"name\":\"Vaso\",\"quantity\":1000,\"collected_quantity\":0," \
  "\"returned_quantity\":0,\"unit_price\":899}]}"

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

static PosOnlineOrder *
parse (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  g_autoptr(GError) error = NULL;
  PosOnlineOrder *order;

  ck_assert (node != NULL);
  order = pos_online_order_from_json (db, node, &error);
  ck_assert_msg (order != NULL, "%s", error ? error->message : "");
  return order;
}

START_TEST (test_parse_and_returnable)
{
  g_autoptr(PosOnlineOrder) delivered = parse (ORDER_JSON ("delivery", "DELIVERED", "0", "500"));
  g_autoptr(PosOnlineOrder) shipped = parse (ORDER_JSON ("delivery", "SHIPPED", "0", "0"));
  g_autoptr(PosOnlineOrder) pickup = parse (ORDER_JSON ("pickup", "PARTIALLY_PICKED_UP", "1000", "0"));
  const PosOnlineOrderLine *l1 = g_ptr_array_index (delivered->lines, 0);
  const PosOnlineOrderLine *l2 = g_ptr_array_index (delivered->lines, 1);

  ck_assert_str_eq (delivered->number, "1042");
  ck_assert_str_eq (delivered->customer_name, "Maria Lima");
  ck_assert_int_eq (l1->product_id, FIX_ARROZ);   /* known here */
  ck_assert_int_eq (l2->product_id, 0);           /* not in this catalogue */
  ck_assert_int_eq (pos_online_order_line_returnable (delivered, l1), 1500);
  ck_assert_int_eq (pos_online_order_line_returnable (shipped, g_ptr_array_index (shipped->lines, 0)), 0);
  ck_assert_int_eq (pos_online_order_line_returnable (pickup, g_ptr_array_index (pickup->lines, 0)), 1000);
  ck_assert_int_eq (pos_online_order_line_returnable (pickup, g_ptr_array_index (pickup->lines, 1)), 0);
}
END_TEST

START_TEST (test_parse_refuses_junk)
{
  static const char *junk[] = {
    "[]",
    "{\"id\":\"x\"}",
    "{\"id\":\"x\",\"number\":\"1\",\"state\":\"PLACED\",\"currency\":\"BRL\",\"lines\":{}}",
    "{\"id\":\"x\",\"number\":\"1\",\"state\":\"PLACED\",\"currency\":\"BRL\",\"lines\":[{\"line_no\":1}]}",
    "{\"id\":\"x\",\"number\":\"1\",\"state\":\"PLACED\",\"currency\":\"BRL\",\"total\":\"ten\",\"lines\":[]}",
    "{\"id\":\"x\",\"number\":\"1\",\"state\":\"PLACED\",\"currency\":\"BRL\",\"lines\":[{\"line_no\":1,"
      "\"sku\":\"A\",\"name\":\"A\",\"quantity\":-5,\"unit_price\":1}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (junk[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(PosOnlineOrder) order = pos_online_order_from_json (db, node, &error);

      ck_assert_msg (order == NULL, "accepted %s", junk[i]);
      ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER));
    }
}
END_TEST

START_TEST (test_return_writes_everything)
{
  g_autoptr(PosOnlineOrder) order = parse (ORDER_JSON ("delivery", "DELIVERED", "0", "0"));
  PosOnlineReturnItem items[] = { { 1, 1000 }, { 2, 1000 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *id = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *sql = NULL;
  JsonObject *o;
  JsonArray *moves;
  gint64 amount = 0;

  id = pos_online_orders_return (db, order, items, G_N_ELEMENTS (items), "Damaged", NULL, &amount, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (amount, 2590 + 899);

  /* Stock back for the product this store knows; nothing for the other. */
  sql = g_strdup_printf ("SELECT COUNT(*) FROM stock_movements WHERE reason = 'return' AND document_id = '%s'", id);
  ck_assert_int_eq (fixture_count (db, sql), 1);
  ck_assert_int_eq (fixture_count (db, "SELECT local_delta FROM stock_levels WHERE product_id = 1"), 1000);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'order.return' AND entity_id = 'ord-1'"), 1);

  g_free (sql);
  sql = g_strdup_printf ("SELECT payload FROM outbox WHERE type = 'order.return' AND entity_id = '%s'", id);
  payload = fixture_text (db, sql);
  node = json_from_string (payload, NULL);
  ck_assert (node != NULL);
  o = json_node_get_object (node);
  ck_assert_str_eq (json_object_get_string_member (o, "order_id"), "ord-1");
  ck_assert_str_eq (json_object_get_string_member (o, "store_id"), "store-1");
  ck_assert_str_eq (json_object_get_string_member (o, "staff_id"), "staff-1");
  ck_assert_int_eq (json_object_get_int_member (o, "amount"), 3489);
  ck_assert_int_eq (json_array_get_length (json_object_get_array_member (o, "lines")), 2);
  moves = json_object_get_array_member (o, "stock_movements");
  ck_assert_int_eq (json_array_get_length (moves), 1);
  ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (moves, 0), "sku"), "ARROZ5");
  ck_assert_int_eq (json_object_get_int_member (json_array_get_object_element (moves, 0), "delta"), 1000);
}
END_TEST

START_TEST (test_return_refusals_write_nothing)
{
  g_autoptr(PosOnlineOrder) delivered = parse (ORDER_JSON ("delivery", "DELIVERED", "0", "1500"));
  g_autoptr(PosOnlineOrder) shipped = parse (ORDER_JSON ("delivery", "SHIPPED", "0", "0"));
  PosOnlineReturnItem too_many = { 1, 1000 };   /* only 0,5 left */
  PosOnlineReturnItem no_line = { 9, 1000 };
  PosOnlineReturnItem nothing = { 1, 0 };
  PosOnlineReturnItem twice[] = { { 1, 100 }, { 1, 100 } };
  PosOnlineReturnItem half = { 1, 500 };
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL, e6 = NULL, e7 = NULL;
  g_autoptr(GError) error = NULL;

  ck_assert (pos_online_orders_return (db, delivered, &too_many, 1, "x", NULL, NULL, &e1) == NULL);
  ck_assert (g_error_matches (e1, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID));
  ck_assert (pos_online_orders_return (db, delivered, &no_line, 1, "x", NULL, NULL, &e2) == NULL);
  ck_assert (pos_online_orders_return (db, delivered, &nothing, 1, "x", NULL, NULL, &e3) == NULL);
  ck_assert (pos_online_orders_return (db, delivered, twice, 2, "x", NULL, NULL, &e4) == NULL);
  ck_assert (pos_online_orders_return (db, shipped, &half, 1, "x", NULL, NULL, &e5) == NULL);
  ck_assert (g_error_matches (e5, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_NOT_RETURNABLE));
  ck_assert (pos_online_orders_return (db, delivered, &half, 1, "", NULL, NULL, &e6) == NULL);

  /* A cashier may not refund alone. */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-2", &error));
  ck_assert (pos_online_orders_return (db, delivered, &half, 1, "x", NULL, NULL, &e7) == NULL);
  ck_assert (g_error_matches (e7, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));

  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM outbox"), 0);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM stock_movements"), 0);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'order.return'"), 0);
}
END_TEST

/* The lookup's answers that are not an order, from a scripted server. */
static FakeAnswer
respond (const FakeRequest *request,
         gpointer           user_data)
{
  GPtrArray *paths = user_data;

  g_ptr_array_add (paths, g_strdup (request->path));
  if (g_str_has_suffix (request->path, "/1042"))
    return (FakeAnswer) { 200, g_strdup ("{\"order\":" ORDER_JSON ("delivery", "DELIVERED", "0", "0") "}"), NULL };
  if (g_str_has_suffix (request->path, "/666"))
    return (FakeAnswer) { 200, g_strdup ("{\"order\": {\"id\": 12"), NULL };
  if (g_str_has_suffix (request->path, "/500"))
    return (FakeAnswer) { 503, g_strdup ("{\"code\":\"unavailable\",\"message\":\"Busy.\"}"), NULL };
  return (FakeAnswer) { 404, g_strdup ("{\"code\":\"not_found\",\"message\":\"No such order.\"}"), NULL };
}

START_TEST (test_lookup_answers)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  FakeCentral *fc = fake_central_start (respond, paths);
  g_autofree char *url = fake_central_url (fc);
  g_autofree char *token_path = pos_sync_token_path (pos_database_get_path (db));
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) e_missing = NULL, e_corrupt = NULL, e_busy = NULL, e_junk = NULL;
  g_autoptr(PosOnlineOrder) order = NULL;
  g_autoptr(PosOnlineOrder) by_qr = NULL;

  /* Not enrolled yet: said so. */
  ck_assert (pos_online_orders_lookup (db, "1042", &error) == NULL);
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NOT_ENROLLED));
  g_clear_error (&error);

  ck_assert (pos_database_set_setting (db, "central_url", url, &error));
  ck_assert (g_file_set_contents (token_path, "bt_test\n", -1, &error));

  order = pos_online_orders_lookup (db, " 1042 ", &error);
  ck_assert_msg (order != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (order->id, "ord-1");
  by_qr = pos_online_orders_lookup (db, "BALCAO:PICKUP:1042:483920", &error);
  ck_assert_msg (by_qr != NULL, "%s", error ? error->message : "");
  ck_assert (pos_online_orders_lookup (db, "9999", &e_missing) == NULL);
  ck_assert (g_error_matches (e_missing, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_NOT_FOUND));
  ck_assert (pos_online_orders_lookup (db, "666", &e_corrupt) == NULL);
  ck_assert (g_error_matches (e_corrupt, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER));
  ck_assert (pos_online_orders_lookup (db, "500", &e_busy) == NULL);
  ck_assert (e_busy != NULL && e_busy->domain == POS_SYNC_ERROR);
  ck_assert (pos_online_orders_lookup (db, "../sync/pull", &e_junk) == NULL);
  ck_assert (g_error_matches (e_junk, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_NOT_FOUND));
  fake_central_stop (fc);

  /* The QR's code never leaves the counter; a bad reference is not sent. */
  ck_assert_uint_eq (paths->len, 5);
  ck_assert_str_eq (g_ptr_array_index (paths, 1), "/v1/orders/1042");
}
END_TEST

static Suite *
online_orders_suite (void)
{
  Suite *s = suite_create ("online-orders");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_parse_and_returnable);
  tcase_add_test (tc, test_parse_refuses_junk);
  tcase_add_test (tc, test_return_writes_everything);
  tcase_add_test (tc, test_return_refusals_write_nothing);
  tcase_add_test (tc, test_lookup_answers);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (online_orders_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
