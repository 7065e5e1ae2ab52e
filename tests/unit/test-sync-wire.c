/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-sync-wire.h"

START_TEST (test_push_round_trip)
{
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *terminal = NULL;
  g_autofree char *body = NULL;
  GString *b;
  PosSyncOp *op;

  b = pos_sync_push_request_begin ("t-1");
  pos_sync_push_request_append (b, "op-1", 1, "sale.create", "s-1",
                                "{\"number\":\"001-01-000001\",\"total\":549}", 1700000000000);
  pos_sync_push_request_append (b, "op-2", 2, "stock.move", "m\"1\\\n", NULL, 1700000000001);
  body = pos_sync_push_request_end (b);

  ck_assert (pos_sync_push_request_parse (body, strlen (body), &terminal, &ops, &error));
  ck_assert_ptr_null (error);
  ck_assert_str_eq (terminal, "t-1");
  ck_assert_uint_eq (ops->len, 2);
  op = g_ptr_array_index (ops, 0);
  ck_assert_str_eq (op->op_id, "op-1");
  ck_assert_int_eq (op->seq, 1);
  ck_assert_str_eq (op->type, "sale.create");
  ck_assert_int_eq (op->local_ts, 1700000000000);
  ck_assert_int_eq (json_object_get_int_member (json_node_get_object (op->payload), "total"), 549);
  op = g_ptr_array_index (ops, 1);
  ck_assert_str_eq (op->entity_id, "m\"1\\\n");   /* escaped and back */
  ck_assert (JSON_NODE_HOLDS_OBJECT (op->payload));
}
END_TEST

static void
assert_push_refused (const char *body,
                     int         code,
                     const char *fragment)
{
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *terminal = NULL;

  ck_assert_msg (!pos_sync_push_request_parse (body, body ? strlen (body) : 0, &terminal, &ops, &error),
                 "accepted: %s", body);
  ck_assert_ptr_null (ops);
  ck_assert_ptr_null (terminal);
  ck_assert (g_error_matches (error, POS_SYNC_WIRE_ERROR, code));
  ck_assert_msg (strstr (error->message, fragment) != NULL, "%s", error->message);
}

START_TEST (test_push_malformed)
{
  GString *big;
  g_autofree char *too_many = NULL;

  assert_push_refused ("", POS_SYNC_WIRE_ERROR_MALFORMED, "empty");
  assert_push_refused ("{\"operations\": [", POS_SYNC_WIRE_ERROR_MALFORMED, "not valid JSON");
  assert_push_refused ("[1]", POS_SYNC_WIRE_ERROR_MALFORMED, "not a JSON object");
  assert_push_refused ("{}", POS_SYNC_WIRE_ERROR_MALFORMED, "\"operations\"");
  assert_push_refused ("{\"operations\": [1]}", POS_SYNC_WIRE_ERROR_MALFORMED, "Operation 1 is not");
  assert_push_refused ("{\"operations\": [{\"op_id\": 5}]}", POS_SYNC_WIRE_ERROR_MALFORMED, "must be a string");
  assert_push_refused ("{\"operations\": [{\"op_id\": \"a\", \"seq\": \"1\"}]}",
                       POS_SYNC_WIRE_ERROR_MALFORMED, "\"seq\" must be an integer");
  assert_push_refused ("{\"operations\": [{\"op_id\": \"a\", \"seq\": 1, \"type\": \"x\", "
                       "\"entity_id\": \"e\", \"local_ts\": 1, \"payload\": [1]}]}",
                       POS_SYNC_WIRE_ERROR_MALFORMED, "\"payload\" must be an object");
  assert_push_refused ("{\"operations\": [{\"op_id\": \"\", \"seq\": 1}]}",
                       POS_SYNC_WIRE_ERROR_MALFORMED, "\"op_id\" is empty");

  big = pos_sync_push_request_begin ("t");
  for (int i = 0; i <= POS_SYNC_MAX_BATCH; i++)
    pos_sync_push_request_append (big, "op", i, "t", "e", "{}", 0);
  too_many = pos_sync_push_request_end (big);
  assert_push_refused (too_many, POS_SYNC_WIRE_ERROR_TOO_MANY, "at most 200");
}
END_TEST

START_TEST (test_results_round_trip)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sync_result_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = json_from_string ("{\"state\":\"PICKED_UP\",\"version\":4}", NULL);
  g_autofree char *json = NULL;
  PosSyncResult *r;

  g_ptr_array_add (results, pos_sync_result_new ("a", POS_SYNC_RESULT_APPLIED, NULL, NULL, NULL));
  g_ptr_array_add (results, pos_sync_result_new ("b", POS_SYNC_RESULT_DUPLICATE, NULL, NULL, NULL));
  g_ptr_array_add (results, pos_sync_result_new ("c", POS_SYNC_RESULT_REJECTED, "wrong_store",
                                                 "The sale names store 002.", NULL));
  g_ptr_array_add (results, pos_sync_result_new ("d", POS_SYNC_RESULT_CONFLICT, NULL, "Moved on.", state));
  json = pos_sync_push_results_to_json (results);
  back = pos_sync_push_results_parse (json, strlen (json), &error);
  ck_assert_ptr_nonnull (back);
  ck_assert_uint_eq (back->len, 4);
  r = g_ptr_array_index (back, 0);
  ck_assert_int_eq (r->status, POS_SYNC_RESULT_APPLIED);
  ck_assert_ptr_null (r->code);
  r = g_ptr_array_index (back, 2);
  ck_assert_int_eq (r->status, POS_SYNC_RESULT_REJECTED);
  ck_assert_str_eq (r->code, "wrong_store");
  ck_assert_str_eq (r->message, "The sale names store 002.");
  r = g_ptr_array_index (back, 3);
  ck_assert_int_eq (r->status, POS_SYNC_RESULT_CONFLICT);
  ck_assert_int_eq (json_object_get_int_member (json_node_get_object (r->server_state), "version"), 4);

  {
    const char *maybe = "{\"results\":[{\"op_id\":\"a\",\"status\":\"maybe\"}]}";

    ck_assert_ptr_null (pos_sync_push_results_parse (maybe, strlen (maybe), &error));
  }
  ck_assert_msg (strstr (error->message, "unknown status") != NULL, "%s", error->message);
  g_clear_error (&error);
  /* Truncated answer: refused, not half-read. */
  ck_assert_ptr_null (pos_sync_push_results_parse (json, strlen (json) / 2, &error));
  ck_assert (g_error_matches (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED));
}
END_TEST

START_TEST (test_pull_page)
{
  g_autoptr(PosSyncPage) page = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new ("{\"changes\":[");
  g_autofree char *body = NULL;
  PosSyncChange *c;

  pos_sync_change_append_json (out, "catalog", "product", "ACU-1", POS_SYNC_CHANGE_UPSERT, 3,
                               "{\"sku\":\"ACU-1\",\"name\":\"Açúcar\"}");
  pos_sync_change_append_json (out, "customers", "customer", "c-1", POS_SYNC_CHANGE_MERGE, 7,
                               "{\"merged_into\":\"c-2\"}");
  pos_sync_change_append_json (out, "catalog", "product", "OLD", POS_SYNC_CHANGE_DELETE, 9, NULL);
  g_string_append (out, "],\"next_cursor\":\"42\",\"has_more\":true}");
  body = g_string_free (out, FALSE);

  page = pos_sync_pull_page_parse (body, strlen (body), &error);
  ck_assert_ptr_nonnull (page);
  ck_assert_str_eq (page->next_cursor, "42");
  ck_assert (page->has_more);
  ck_assert_uint_eq (page->changes->len, 3);
  c = g_ptr_array_index (page->changes, 0);
  ck_assert_str_eq (c->entity, "product");
  ck_assert_int_eq (c->version, 3);
  ck_assert_str_eq (json_object_get_string_member (json_node_get_object (c->data), "name"), "Açúcar");
  c = g_ptr_array_index (page->changes, 1);
  ck_assert_int_eq (c->op, POS_SYNC_CHANGE_MERGE);
  c = g_ptr_array_index (page->changes, 2);
  ck_assert_int_eq (c->op, POS_SYNC_CHANGE_DELETE);
  ck_assert (JSON_NODE_HOLDS_OBJECT (c->data));
}
END_TEST

START_TEST (test_pull_malformed)
{
  static const char * const bad[] = {
    "{\"changes\":[],\"has_more\":false}",                               /* no cursor */
    "{\"changes\":[],\"next_cursor\":\"1\"}",                             /* no has_more */
    "{\"changes\":{},\"next_cursor\":\"1\",\"has_more\":false}",
    "{\"changes\":[{\"stream\":\"catalog\",\"entity\":\"product\",\"id\":\"A\",\"op\":\"upsert\","
      "\"version\":1}],\"next_cursor\":\"1\",\"has_more\":false}",        /* upsert without data */
    "{\"changes\":[{\"stream\":\"catalog\",\"entity\":\"product\",\"id\":\"A\",\"op\":\"replace\","
      "\"version\":1,\"data\":{}}],\"next_cursor\":\"1\",\"has_more\":false}",
    "{\"changes\":[{\"stream\":\"catalog\",\"entity\":\"product\",\"id\":\"A\",\"op\":\"upsert\","
      "\"version\":1.5,\"data\":{}}],\"next_cursor\":\"1\",\"has_more\":false}",
    "<html>502 Bad Gateway</html>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosSyncPage) page = pos_sync_pull_page_parse (bad[i], strlen (bad[i]), &error);

      ck_assert_msg (page == NULL, "accepted: %s", bad[i]);
      ck_assert (g_error_matches (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED));
    }
}
END_TEST

START_TEST (test_snapshot_wait_error)
{
  const char *snap = "{\"stream\":\"catalog\",\"items\":[],\"as_of\":\"77\",\"next_after\":\"SKU-9\",\"has_more\":true}";
  const char *wait = "{\"streams\":[\"pickups\",\"stock\"],\"latest_cursor\":\"80\"}";
  g_autoptr(PosSyncPage) page = NULL;
  g_auto(GStrv) streams = NULL;
  g_autofree char *latest = NULL;
  g_autofree char *err = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  page = pos_sync_snapshot_page_parse (snap, strlen (snap), NULL);
  ck_assert_ptr_nonnull (page);
  ck_assert_str_eq (page->next_cursor, "77");
  ck_assert_str_eq (page->next_after, "SKU-9");

  ck_assert (pos_sync_wait_parse (wait, strlen (wait), &streams, &latest, NULL));
  ck_assert_uint_eq (g_strv_length (streams), 2);
  ck_assert_str_eq (streams[0], "pickups");
  ck_assert_str_eq (latest, "80");

  err = pos_sync_error_to_json ("cursor_expired", "Rebuild from the snapshot \"now\".");
  ck_assert (pos_sync_error_parse (err, strlen (err), &code, &message));
  ck_assert_str_eq (code, "cursor_expired");
  ck_assert_str_eq (message, "Rebuild from the snapshot \"now\".");
  g_clear_pointer (&code, g_free);
  g_clear_pointer (&message, g_free);
  ck_assert (!pos_sync_error_parse ("nope", 4, &code, &message));
  ck_assert_ptr_null (code);
}
END_TEST

START_TEST (test_json_string_escaping)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;

  pos_sync_append_json_string (out, "a\"b\\c\x01\td'; DROP TABLE sales; --\xff");
  node = json_from_string (out->str, NULL);
  ck_assert_ptr_nonnull (node);
  ck_assert (g_utf8_validate (json_node_get_string (node), -1, NULL));
  ck_assert (g_str_has_prefix (json_node_get_string (node), "a\"b\\c\x01\td'; DROP TABLE sales; --"));
}
END_TEST

static Suite *
sync_wire_suite (void)
{
  Suite *s = suite_create ("sync-wire");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_push_round_trip);
  tcase_add_test (tc, test_push_malformed);
  tcase_add_test (tc, test_results_round_trip);
  tcase_add_test (tc, test_pull_page);
  tcase_add_test (tc, test_pull_malformed);
  tcase_add_test (tc, test_snapshot_wait_error);
  tcase_add_test (tc, test_json_string_escaping);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (sync_wire_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
