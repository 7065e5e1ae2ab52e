/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pickups"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "terminal/pos-pickups-private.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-sync-apply.h"
#include "domain/pos-sync-wire.h"
#include "sales-fixture.h"

/* The click-and-collect engine on a real SQLite database: the queue's
 * groups with the store's policy, picking by scan, stale versions, the
 * identity check, the offline rule, refusals, paying at the counter in one
 * transaction with the sale, park/resume, and the incident list. */

static char *dir;
static PosDatabase *db;

#define HOUR (G_GINT64_CONSTANT (3600000))

#define ck_assert_error(err, domain, code) \
  ck_assert_msg (g_error_matches ((err), (domain), (code)), "expected error %d, got %s", (int) (code), \
                 (err) != NULL ? (err)->message : "none")

static void
setup (void)
{
  dir = fixture_make_dir ();
  db = fixture_open (dir);
  if (!pos_database_exec (db,
        "INSERT INTO product_barcodes (code, product_id) VALUES ('7896543210982', 2), ('7891234567895', 1),"
        " ('7891000055502', 5);"
        "INSERT INTO prices (product_id, amount, currency) VALUES (1, 2590, 'BRL'), (2, 899, 'BRL'), (3, 3990, 'BRL'),"
        " (4, 1790, 'BRL'), (5, 549, 'BRL');"
        "UPDATE customers SET phone = '+55 11 98765-4321' WHERE id = '" FIX_CUSTOMER "';", NULL))
    g_error ("fixture");
}

static void
teardown (void)
{
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

static char *
hash_of (const char *id,
         const char *code)
{
  g_autofree char *s = g_strconcat (id, ":", code, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, s, -1);
}

/* An order as the sync would have left it: two lines (2 Feijão, 1 Arroz),
 * code 4321. */
static void
add_order (const char *id,
           const char *number,
           const char *state,
           gint64      version,
           gboolean    paid,
           gint64      ready_at,
           gint64      updated_at)
{
  g_autofree char *hash = hash_of (id, "4321");
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (h,
      "INSERT INTO pickup_orders (id, number, store_id, customer_id, customer_name, channel, state, version, paid, "
      "total, currency, pickup_code_hash, placed_at, ready_at, updated_at, sync_version) "
      "VALUES (?1, ?2, 'store-1', ?3, NULL, 'web', ?4, ?5, ?6, 4388, 'BRL', ?7, ?8, ?9, ?10, 1)", -1, &stmt, NULL),
      SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, FIX_CUSTOMER, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, version);
  sqlite3_bind_int (stmt, 6, paid);
  sqlite3_bind_text (stmt, 7, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, pos_now_ms () - 10 * HOUR);
  if (ready_at > 0)
    sqlite3_bind_int64 (stmt, 9, ready_at);
  sqlite3_bind_int64 (stmt, 10, updated_at > 0 ? updated_at : pos_now_ms ());
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);

  ck_assert_int_eq (sqlite3_prepare_v2 (h,
      "INSERT INTO pickup_order_lines (order_id, line_no, product_id, sku, name, quantity, picked_quantity, unit_price) "
      "VALUES (?1, 1, 2, 'FEIJAO1', 'Feijão Carioca', 2000, ?2, 899), "
      "(?1, 2, 1, 'ARROZ5', 'Arroz Tipo Um Cinco Quilos', 1000, ?3, 2590)", -1, &stmt, NULL), SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, ready_at > 0 ? 2000 : 0);
  sqlite3_bind_int64 (stmt, 3, ready_at > 0 ? 1000 : 0);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static gint64
count (const char *sql)
{
  return fixture_count (db, sql);
}

static PosPickupOrder *
get (const char *ref)
{
  g_autoptr(GError) error = NULL;
  PosPickupOrder *o = pos_pickups_get (db, ref, &error);

  ck_assert_msg (o != NULL, "%s", error ? error->message : "");
  return o;
}

START_TEST (test_groups_and_counts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint counts[POS_PICKUP_N_GROUPS];
  gint64 now = pos_now_ms ();

  add_order ("o-1", "1001", "PLACED", 1, TRUE, 0, 0);
  add_order ("o-2", "1002", "ALLOCATED", 2, TRUE, 0, 0);
  add_order ("o-3", "1003", "PICKING", 3, TRUE, 0, 0);
  add_order ("o-4", "1004", "READY_FOR_PICKUP", 4, TRUE, now - HOUR, 0);
  add_order ("o-5", "1005", "READY_FOR_PICKUP", 4, TRUE, now - 50 * HOUR, 0);
  add_order ("o-6", "1006", "ON_HOLD", 4, TRUE, 0, 0);
  add_order ("o-7", "1007", "PARTIALLY_PICKED_UP", 5, TRUE, now - HOUR, 0);
  add_order ("o-8", "1008", "PICKED_UP", 5, TRUE, now - HOUR, now - HOUR);
  add_order ("o-9", "1009", "PICKED_UP", 5, TRUE, now - 200 * HOUR, now - 100 * HOUR);
  add_order ("o-10", "1010", "NO_SHOW", 5, TRUE, now - 60 * HOUR, now - 2 * HOUR);
  add_order ("o-11", "1011", "CANCELLED", 5, TRUE, 0, now - 2 * HOUR);

  ck_assert (pos_pickups_count (db, counts, &error));
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_NEW], 2);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_PICKING], 1);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_READY], 1);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_OVERDUE], 1);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_ON_HOLD], 1);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_PARTIAL], 1);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_COLLECTED], 1);   /* the old one is past the 3 days */
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_CANCELLED], 2);

  /* The policy moves the limits: ready for more than 30 min is overdue,
   * and a week of history. */
  ck_assert (pos_database_set_setting (db, "pickup_overdue_hours", "1", NULL));
  ck_assert (pos_database_set_setting (db, "pickup_history_days", "7", NULL));
  ck_assert (pos_pickups_count (db, counts, &error));
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_READY], 0);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_OVERDUE], 2);
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_COLLECTED], 2);

  list = pos_pickups_list (db, POS_PICKUP_GROUP_OVERDUE, NULL, 0, &error);
  ck_assert_ptr_nonnull (list);
  ck_assert_uint_eq (list->len, 2);
  /* Oldest ready first; the lines are not loaded for the list. */
  ck_assert_str_eq (((PosPickupOrder *) g_ptr_array_index (list, 0))->number, "1005");
  ck_assert_ptr_null (((PosPickupOrder *) g_ptr_array_index (list, 0))->lines);
  ck_assert_uint_eq (((PosPickupOrder *) g_ptr_array_index (list, 0))->n_lines, 2);
  ck_assert_int_eq (((PosPickupOrder *) g_ptr_array_index (list, 0))->n_items, 3000);
  ck_assert_int_eq (((PosPickupOrder *) g_ptr_array_index (list, 0))->group, POS_PICKUP_GROUP_OVERDUE);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = pos_pickups_list (db, POS_PICKUP_GROUP_NEW, NULL, 1, &error);
  ck_assert_uint_eq (list->len, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The window: ready for more than 2 days is expired. */
  ck_assert (pos_database_set_setting (db, "pickup_window_days", "2", NULL));
  {
    g_autoptr(PosPickupOrder) o = get ("1005");
    g_autoptr(PosPickupOrder) o4 = get ("1004");

    ck_assert (o->expired);
    ck_assert (!o4->expired);
  }
}
END_TEST

START_TEST (test_search_and_mask)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  PosPickupOrder *o;

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms (), 0);
  add_order ("o-2", "2002", "PLACED", 1, TRUE, 0, 0);
  ck_assert (pos_database_exec (db, "UPDATE pickup_orders SET customer_id = NULL, customer_name = 'Ana Lima', "
                                "customer_phone = '(21) 99999-1234' WHERE id = 'o-2'", NULL));

  found = pos_pickups_find (db, "1001", &error);
  ck_assert_uint_eq (found->len, 1);
  o = g_ptr_array_index (found, 0);
  ck_assert_str_eq (o->customer_name, "João Souza");
  /* staff-1 is a supervisor, who may reveal contact data. */
  ck_assert_str_eq (o->customer_phone, "+55 11 98765-4321");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = pos_pickups_find (db, "529.982.247-25", &error);    /* CPF */
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = pos_pickups_find (db, "99999 1234", &error);        /* phone digits */
  ck_assert_uint_eq (found->len, 1);
  ck_assert_str_eq (((PosPickupOrder *) g_ptr_array_index (found, 0))->number, "2002");
  g_clear_pointer (&found, g_ptr_array_unref);
  found = pos_pickups_find (db, "lima", &error);
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = pos_pickups_find (db, "BALCAO:PICKUP:2002:4321", &error);
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* A cashier sees the phone masked. */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-2", NULL));
  found = pos_pickups_list (db, POS_PICKUP_GROUP_NEW, "ana", 0, &error);
  ck_assert_uint_eq (found->len, 1);
  ck_assert_str_eq (((PosPickupOrder *) g_ptr_array_index (found, 0))->customer_phone, "(21) *****-1234");
}
END_TEST

START_TEST (test_parse_qr)
{
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;

  ck_assert (pos_pickups_parse_qr ("BALCAO:PICKUP:1042:483920", &number, &code));
  ck_assert_str_eq (number, "1042");
  ck_assert_str_eq (code, "483920");
  g_clear_pointer (&number, g_free);
  g_clear_pointer (&code, g_free);
  ck_assert (!pos_pickups_parse_qr ("BALCAO:SALE:abc", &number, &code));
  ck_assert (!pos_pickups_parse_qr ("BALCAO:PICKUP:1042:12ab", &number, &code));
  ck_assert (!pos_pickups_parse_qr ("BALCAO:PICKUP::1", &number, &code));
  ck_assert_ptr_null (number);
}
END_TEST

START_TEST (test_picking)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) o = NULL;
  g_autofree char *payload = NULL;
  guint line_no = 0;

  add_order ("o-1", "1001", "PLACED", 1, TRUE, 0, 0);

  /* PLACED -> ALLOCATED -> PICKING: two operations, in order. */
  ck_assert_msg (pos_pickups_start_picking (db, "o-1", 1, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox WHERE type = 'pickup.transition'"), 2);
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.transition' ORDER BY seq DESC LIMIT 1");
  ck_assert_ptr_nonnull (strstr (payload, "\"from\":\"ALLOCATED\""));
  ck_assert_ptr_nonnull (strstr (payload, "\"expected_version\":2"));
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log WHERE action = 'pickup.start_picking'"), 1);
  o = get ("o-1");
  ck_assert_int_eq (o->state, POS_PICKUP_PICKING);
  ck_assert_int_eq (o->version, 3);
  ck_assert (o->pending);
  ck_assert_ptr_nonnull (o->last_move);
  g_clear_pointer (&o, pos_pickup_order_free);

  /* A product not in the order is refused, in words. */
  ck_assert (!pos_pickups_pick_scan (db, "o-1", "7891000055502", &line_no, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM);
  ck_assert_ptr_nonnull (strstr (error->message, "Leite Integral"));
  ck_assert_ptr_nonnull (strstr (error->message, "1001"));
  g_clear_error (&error);

  ck_assert (pos_pickups_pick_scan (db, "o-1", "7896543210982", &line_no, &error));
  ck_assert_uint_eq (line_no, 1);
  ck_assert (pos_pickups_pick_scan (db, "o-1", "7896543210982", &line_no, &error));
  /* A third Feijão is more than ordered. */
  ck_assert (!pos_pickups_pick_scan (db, "o-1", "7896543210982", &line_no, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM);
  g_clear_error (&error);

  /* Not ready while the Arroz is not picked. */
  ck_assert (!pos_pickups_mark_ready (db, "o-1", 3, "B-12", &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert (!pos_pickups_mark_ready (db, "o-1", 3, "  ", &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID);
  g_clear_error (&error);

  /* A pull while picking does not undo the ticks. */
  {
    g_autoptr(JsonNode) state = json_from_string (
      "{\"id\": \"o-1\", \"number\": \"1001\", \"store_id\": \"store-1\", \"channel\": \"web\", "
      "\"state\": \"PICKING\", \"version\": 3, \"paid\": true, \"total\": 4388, \"currency\": \"BRL\", "
      "\"placed_at\": 1, \"customer_name\": \"João\", \"lines\": ["
      "{\"line_no\": 1, \"sku\": \"FEIJAO1\", \"name\": \"Feijão Carioca\", \"quantity\": 2000, \"unit_price\": 899},"
      "{\"line_no\": 2, \"sku\": \"ARROZ5\", \"name\": \"Arroz\", \"quantity\": 1000, \"unit_price\": 2590}]}", NULL);
    PosSyncApplier *applier = pos_sync_applier_new (db);

    ck_assert (pos_database_begin (db, NULL));
    ck_assert (pos_sync_applier_apply_server_state (applier, "pickup.transition", "o-1", state, &error));
    ck_assert (pos_database_commit (db, NULL));
    pos_sync_applier_free (applier);
  }
  o = get ("o-1");
  ck_assert_int_eq (((PosPickupLine *) g_ptr_array_index (o->lines, 0))->picked_quantity, 2000);
  g_clear_pointer (&o, pos_pickup_order_free);

  ck_assert (pos_pickups_pick_scan (db, "o-1", "7891234567895", &line_no, &error));
  ck_assert_uint_eq (line_no, 2);
  ck_assert_msg (pos_pickups_mark_ready (db, "o-1", 3, "B-12", &error), "%s", error ? error->message : "");
  g_free (payload);
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.transition' ORDER BY seq DESC LIMIT 1");
  ck_assert_ptr_nonnull (strstr (payload, "\"to\":\"READY_FOR_PICKUP\""));
  ck_assert_ptr_nonnull (strstr (payload, "\"shelf_location\":\"B-12\""));
  ck_assert_ptr_nonnull (strstr (payload, "\"picked_quantity\":2000"));
  o = get ("1001");
  ck_assert_int_eq (o->state, POS_PICKUP_READY_FOR_PICKUP);
  ck_assert_str_eq (o->shelf_location, "B-12");
  ck_assert_int_gt (o->ready_at, 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log WHERE action = 'pickup.pick'"), 3);
}
END_TEST

START_TEST (test_exception)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) o = NULL;
  g_autofree char *payload = NULL;

  add_order ("o-1", "1001", "PICKING", 3, TRUE, 0, 0);
  ck_assert (!pos_pickups_report_exception (db, "o-1", 3, 1, 5000, NULL, NULL, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_msg (pos_pickups_report_exception (db, "o-1", 3, 1, 1000, "LEITE1", "one bag torn", &error),
                 "%s", error ? error->message : "");
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.exception'");
  ck_assert_ptr_nonnull (strstr (payload, "\"missing_quantity\":1000"));
  ck_assert_ptr_nonnull (strstr (payload, "\"substitute_sku\":\"LEITE1\""));
  ck_assert_ptr_nonnull (strstr (payload, "\"note\":\"one bag torn\""));
  o = get ("o-1");
  ck_assert_int_eq (o->state, POS_PICKUP_ON_HOLD);
  ck_assert_str_eq (o->exception_note, "one bag torn");
  ck_assert_int_eq (((PosPickupLine *) g_ptr_array_index (o->lines, 0))->missing_quantity, 1000);
  ck_assert_str_eq (((PosPickupLine *) g_ptr_array_index (o->lines, 0))->substitute_name, "Leite Integral");
}
END_TEST

START_TEST (test_stale)
{
  g_autoptr(GError) error = NULL;

  add_order ("o-1", "1001", "PICKED_UP", 6, TRUE, pos_now_ms () - HOUR, 0);
  ck_assert (pos_database_exec (db, "UPDATE pickup_orders SET last_transition = "
                                "'{\"from\":\"READY_FOR_PICKUP\",\"to\":\"PICKED_UP\",\"at\":1735732800000,"
                                "\"terminal_name\":\"Terminal 2\",\"staff_name\":\"Ana\"}' WHERE id = 'o-1'", NULL));
  add_order ("o-2", "1002", "READY_FOR_PICKUP", 5, TRUE, pos_now_ms () - HOUR, 0);

  /* The clerk saw version 5, READY: the order was handed over meanwhile. */
  {
    PosPickupHandover h = { .order_id = "o-1", .expected_version = 5, .pickup_code = "4321" };

    ck_assert (!pos_pickups_hand_over (db, &h, TRUE, &error));
    ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE);
    ck_assert_ptr_nonnull (strstr (error->message, "Order 1001 was already handed over"));
    ck_assert_ptr_nonnull (strstr (error->message, "Terminal 2 (Ana)"));
    g_clear_error (&error);
  }
  ck_assert (!pos_pickups_mark_no_show (db, "o-2", 4, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox"), 0);
  ck_assert (pos_pickups_mark_no_show (db, "o-2", 5, &error));
}
END_TEST

START_TEST (test_identity)
{
  g_autoptr(GError) error = NULL;
  PosPickupHandover h = { .order_id = "o-1", .expected_version = 4, .pickup_code = "4321" };

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);
  ck_assert (pos_pickups_check_identity (db, &h, &error));
  h.pickup_code = "1234";
  ck_assert (!pos_pickups_check_identity (db, &h, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE);
  g_clear_error (&error);

  /* A document only where the policy allows it. */
  h.identity = POS_PICKUP_IDENTITY_DOCUMENT;
  h.document = "RG 12.345.678-9 (Maria, sister)";
  ck_assert (!pos_pickups_check_identity (db, &h, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE);
  g_clear_error (&error);
  ck_assert (pos_database_set_setting (db, "pickup_identity", "code_or_document", NULL));
  ck_assert (pos_pickups_check_identity (db, &h, &error));
  /* ... and never offline. */
  ck_assert (!pos_pickups_hand_over (db, &h, FALSE, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_OFFLINE);
  g_clear_error (&error);
  ck_assert (pos_pickups_hand_over (db, &h, TRUE, &error));
  ck_assert_int_eq (count ("SELECT count(*) FROM pickup_handovers WHERE identity = 'document'"), 1);
}
END_TEST

START_TEST (test_offline)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) o = NULL;
  g_autofree char *payload = NULL;
  PosPickupHandover h = { .expected_version = 4, .pickup_code = "4321" };

  add_order ("o-1", "1001", "PICKING", 4, TRUE, 0, 0);
  add_order ("o-2", "1002", "READY_FOR_PICKUP", 4, FALSE, pos_now_ms () - HOUR, 0);
  add_order ("o-3", "1003", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);

  h.order_id = "o-1";
  ck_assert (!pos_pickups_hand_over (db, &h, FALSE, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_STATE);
  g_clear_error (&error);
  h.order_id = "o-2";
  ck_assert (!pos_pickups_hand_over (db, &h, FALSE, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_PAID);
  g_clear_error (&error);
  h.order_id = "o-3";
  h.pickup_code = "9999";
  ck_assert (!pos_pickups_hand_over (db, &h, FALSE, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox"), 0);

  /* An order made ready here and not yet accepted was not synced ready. */
  ck_assert (pos_database_exec (db, "UPDATE pickup_orders SET state = 'PICKING', version = 3 WHERE id = 'o-1'", NULL));
  ck_assert (pos_database_exec (db, "UPDATE pickup_order_lines SET local_picked = quantity WHERE order_id = 'o-1'", NULL));
  ck_assert (pos_pickups_mark_ready (db, "o-1", 3, "A-1", &error));
  h.order_id = "o-1";
  h.pickup_code = "4321";
  ck_assert (!pos_pickups_hand_over (db, &h, FALSE, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_OFFLINE);
  g_clear_error (&error);

  h.order_id = "o-3";
  ck_assert_msg (pos_pickups_hand_over (db, &h, FALSE, &error), "%s", error ? error->message : "");
  o = get ("o-3");
  ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
  ck_assert (o->provisional);
  ck_assert (o->pending);
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.transition' AND entity_id = 'o-3'");
  ck_assert_ptr_nonnull (strstr (payload, "\"provisional\":true"));
  ck_assert_ptr_nonnull (strstr (payload, "\"pickup_code\":\"4321\""));
  ck_assert_ptr_nonnull (strstr (payload, "\"collected_quantity\":2000"));
  /* The goods leave the stock: one movement per line, reason pickup. */
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox WHERE type = 'stock.move'"), 2);
  ck_assert_int_eq (count ("SELECT count(*) FROM stock_movements WHERE reason = 'pickup' AND document_id = 'o-3'"), 2);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 2"), -2000);
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log WHERE action = 'pickup.hand_over'"), 1);
  {
    g_autoptr(PosPickupHandoverRecord) r = pos_pickups_get_last_handover (db, "1003", &error);

    ck_assert_ptr_nonnull (r);
    ck_assert (r->provisional);
    ck_assert_uint_eq (r->lines->len, 2);
    ck_assert_str_eq (r->staff_name, "Maria Oliveira");
  }
}
END_TEST

START_TEST (test_partial_and_refusal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) o = NULL;
  g_autofree char *payload = NULL;
  PosPickupCollect lines[] = { { 1, 2000, 0 }, { 2, 0, 1000 } };
  PosPickupCollect some[] = { { 1, 1000, 0 } };
  PosPickupHandover h = { .order_id = "o-1", .expected_version = 4, .pickup_code = "4321" };

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);
  add_order ("o-2", "1002", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);

  /* A cashier may not refuse an item alone. */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-2", NULL));
  h.lines = lines;
  h.n_lines = 2;
  h.refuse_reason = "damaged";
  ck_assert (!pos_pickups_hand_over (db, &h, TRUE, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NEEDS_APPROVAL);
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox"), 0);

  ck_assert (pos_database_set_setting (db, "staff_id", "staff-1", NULL));
  ck_assert_msg (pos_pickups_hand_over (db, &h, TRUE, &error), "%s", error ? error->message : "");
  o = get ("o-1");
  ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
  ck_assert_int_eq (((PosPickupLine *) g_ptr_array_index (o->lines, 1))->refunded_quantity, 1000);
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.refund'");
  ck_assert_ptr_nonnull (strstr (payload, "\"amount\":2590"));
  ck_assert_ptr_nonnull (strstr (payload, "\"reason\":\"damaged\""));
  ck_assert_int_eq (count ("SELECT count(*) FROM stock_movements WHERE document_id = 'o-1'"), 1);
  g_clear_pointer (&o, pos_pickup_order_free);

  /* Part of an order: PARTIALLY_PICKED_UP, then the rest. */
  h.order_id = "o-2";
  h.lines = some;
  h.n_lines = 1;
  h.refuse_reason = NULL;
  ck_assert (pos_pickups_hand_over (db, &h, TRUE, &error));
  o = get ("o-2");
  ck_assert_int_eq (o->state, POS_PICKUP_PARTIALLY_PICKED_UP);
  ck_assert_int_eq (o->group, POS_PICKUP_GROUP_PARTIAL);
  h.expected_version = o->version;
  h.lines = NULL;
  h.n_lines = 0;
  ck_assert_msg (pos_pickups_hand_over (db, &h, TRUE, &error), "%s", error ? error->message : "");
  g_clear_pointer (&o, pos_pickup_order_free);
  o = get ("o-2");
  ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
  ck_assert_int_eq (((PosPickupLine *) g_ptr_array_index (o->lines, 0))->collected_quantity, 2000);
}
END_TEST

START_TEST (test_no_show_and_cancel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) o = NULL;

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);
  add_order ("o-2", "1002", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - 200 * HOUR, 0);
  ck_assert (pos_pickups_mark_no_show (db, "o-1", 4, &error));

  /* A cashier needs an approval to cancel. */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-2", NULL));
  ck_assert (!pos_pickups_cancel (db, "o-1", 5, NULL, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NEEDS_APPROVAL);
  g_clear_error (&error);
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-1", NULL));
  ck_assert (pos_pickups_cancel (db, "o-1", 5, NULL, &error));
  o = get ("o-1");
  ck_assert_int_eq (o->state, POS_PICKUP_CANCELLED);
  g_clear_pointer (&o, pos_pickup_order_free);

  /* Expired (past the 7-day window): READY -> EXPIRED -> CANCELLED. */
  ck_assert (pos_pickups_cancel (db, "o-2", 4, NULL, &error));
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox WHERE entity_id = 'o-2' AND type = 'pickup.transition'"), 2);
  o = get ("o-2");
  ck_assert_int_eq (o->state, POS_PICKUP_CANCELLED);
  ck_assert_int_eq (o->version, 6);
}
END_TEST

static void
pay_cart (PosCart *cart)
{
  fixture_pay_rest_cash (cart);
}

START_TEST (test_pay_in_store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosPickupOrder) o = NULL;
  g_autofree char *sale_id = NULL;
  g_autofree char *sale_payload = NULL;
  g_autofree char *transition = NULL;
  PosPickupHandover h = { .order_id = "o-1", .expected_version = 4, .pickup_code = "4321" };

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, FALSE, pos_now_ms () - HOUR, 0);

  /* Paying is for an unpaid order only, with the right code. */
  h.pickup_code = "1111";
  ck_assert (!pos_pickups_fill_cart (db, &h, cart, &error));
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE);
  g_clear_error (&error);
  h.pickup_code = "4321";
  ck_assert_msg (pos_pickups_fill_cart (db, &h, cart, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (pos_cart_get_n_lines (cart), 2);
  ck_assert_str_eq (pos_cart_get_pickup_order_id (cart), "o-1");
  ck_assert_str_eq (pos_cart_get_customer_id (cart), FIX_CUSTOMER);
  ck_assert_uint_eq (pos_cart_line_get_pickup_line_no (pos_cart_get_line (cart, 0)), 1);

  /* The order's lines keep the order's price. */
  ck_assert (!pos_cart_set_line_price (cart, 0, 1, &error));
  ck_assert_error (error, POS_CART_ERROR, POS_CART_ERROR_PRICE);
  g_clear_error (&error);
  ck_assert (!pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 1000, &error));
  ck_assert_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT);
  g_clear_error (&error);
  ck_assert (!pos_cart_set_quantity (cart, 0, 3000, &error));
  g_clear_error (&error);

  /* An extra item is an ordinary line; a sale discount is only its. */
  fixture_add (cart, FIX_LEITE, 1000);
  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_PERCENT, 1000, &error));
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 0)), 0);
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 2)), 55);
  pay_cart (cart);

  sale_id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (sale_id != NULL, "%s", error ? error->message : "");

  ck_assert_int_eq (count ("SELECT count(*) FROM sales WHERE pickup_order_id = 'o-1'"), 1);
  ck_assert_int_eq (count ("SELECT count(*) FROM stock_movements WHERE reason = 'pickup'"), 2);
  ck_assert_int_eq (count ("SELECT count(*) FROM stock_movements WHERE reason = 'sale'"), 1);
  /* The sale's own movements are the goods: no stock.move of their own. */
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox WHERE type = 'stock.move'"), 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM pickup_handovers WHERE sale_id IS NOT NULL"), 1);
  /* The sale goes first, the handover expects the version it makes. */
  ck_assert_int_eq (count ("SELECT (SELECT seq FROM outbox WHERE type = 'sale.create') < "
                           "(SELECT seq FROM outbox WHERE type = 'pickup.transition')"), 1);
  sale_payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'sale.create'");
  ck_assert_ptr_nonnull (strstr (sale_payload, "\"pickup_order_id\":\"o-1\""));
  ck_assert_ptr_nonnull (strstr (sale_payload, "\"reason\":\"pickup\""));
  transition = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.transition'");
  ck_assert_ptr_nonnull (strstr (transition, "\"expected_version\":5"));
  o = get ("o-1");
  ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
  ck_assert (o->paid);
  ck_assert_int_eq (o->version, 6);
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log WHERE action = 'pickup.hand_over'"), 1);
}
END_TEST

START_TEST (test_pay_in_store_stale_saves_nothing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *sale_id = NULL;
  PosPickupHandover h = { .order_id = "o-1", .expected_version = 4, .pickup_code = "4321" };

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, FALSE, pos_now_ms () - HOUR, 0);
  ck_assert (pos_pickups_fill_cart (db, &h, cart, &error));
  pay_cart (cart);
  /* Meanwhile the central cancelled it. */
  ck_assert (pos_database_exec (db, "UPDATE pickup_orders SET state = 'ON_HOLD', version = 5 WHERE id = 'o-1'", NULL));
  sale_id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (sale_id);
  ck_assert_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE);
  ck_assert_int_eq (count ("SELECT count(*) FROM sales"), 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM outbox"), 0);
}
END_TEST

START_TEST (test_park_resume_keeps_marker)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosCart) resumed = NULL;
  g_autofree char *parked = NULL;
  g_autofree char *sale_id = NULL;
  PosPickupHandover h = { .order_id = "o-1", .expected_version = 4, .pickup_code = "4321" };

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, FALSE, pos_now_ms () - HOUR, 0);
  ck_assert (pos_pickups_fill_cart (db, &h, cart, &error));
  parked = pos_sales_park (db, cart, NULL, &error);
  ck_assert_msg (parked != NULL, "%s", error ? error->message : "");
  resumed = pos_sales_resume (db, parked, &error);
  ck_assert_msg (resumed != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (pos_cart_get_pickup_order_id (resumed), "o-1");
  ck_assert_ptr_nonnull (strstr (pos_cart_get_pickup_handover (resumed), "\"expected_version\":4"));
  ck_assert_uint_eq (pos_cart_line_get_pickup_line_no (pos_cart_get_line (resumed, 1)), 2);
  ck_assert (!pos_cart_set_line_price (resumed, 1, 100, &error));
  g_clear_error (&error);
  pay_cart (resumed);
  sale_id = pos_sales_commit (db, resumed, NULL, &error);
  ck_assert_msg (sale_id != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (count ("SELECT count(*) FROM pickup_orders WHERE state = 'PICKED_UP' AND paid = 1"), 1);

  /* Clearing the cart drops the marker. */
  pos_cart_clear (resumed);
  ck_assert_ptr_null (pos_cart_get_pickup_order_id (resumed));
}
END_TEST

START_TEST (test_incident)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) incidents = NULL;
  g_autofree char *payload = NULL;
  PosPickupHandover h = { .order_id = "o-1", .expected_version = 4, .pickup_code = "4321" };
  PosSyncApplier *applier = pos_sync_applier_new (db);
  g_autoptr(JsonNode) state = json_from_string (
    "{\"id\": \"o-1\", \"number\": \"1001\", \"store_id\": \"store-1\", \"channel\": \"web\", "
    "\"state\": \"PICKED_UP\", \"version\": 5, \"paid\": true, \"total\": 4388, \"currency\": \"BRL\", "
    "\"placed_at\": 1, \"updated_at\": 2, \"last_transition\": {\"from\": \"READY_FOR_PICKUP\", \"to\": \"PICKED_UP\", "
    "\"at\": 1735732800000, \"terminal_name\": \"Terminal 2\", \"staff_name\": \"Ana\"}, \"lines\": ["
    "{\"line_no\": 1, \"sku\": \"FEIJAO1\", \"name\": \"Feijão Carioca\", \"quantity\": 2000, \"picked_quantity\": 2000,"
    " \"collected_quantity\": 2000, \"unit_price\": 899},"
    "{\"line_no\": 2, \"sku\": \"ARROZ5\", \"name\": \"Arroz\", \"quantity\": 1000, \"picked_quantity\": 1000,"
    " \"collected_quantity\": 1000, \"unit_price\": 2590}]}", NULL);

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);
  ck_assert (pos_pickups_hand_over (db, &h, FALSE, &error));
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'pickup.transition'");

  /* What the sync engine does with a conflict: the central's state, then
   * the refusal noted. */
  ck_assert (pos_database_begin (db, NULL));
  ck_assert (pos_sync_applier_apply_server_state (applier, "pickup.transition", "o-1", state, &error));
  ck_assert (_pos_pickups_note_refusal (db, "pickup.transition", payload, "conflict", &error));
  ck_assert (pos_database_commit (db, NULL));
  pos_sync_applier_free (applier);

  incidents = pos_pickups_list_incidents (db, &error);
  ck_assert_uint_eq (incidents->len, 1);
  {
    PosPickupOrder *o = g_ptr_array_index (incidents, 0);

    ck_assert_ptr_nonnull (strstr (o->incident, "Order 1001 was already handed over"));
    ck_assert_ptr_nonnull (strstr (o->incident, "Terminal 2 (Ana)"));
    ck_assert (!o->provisional);
  }
  g_clear_pointer (&incidents, g_ptr_array_unref);

  /* A refused non-handover is not an incident. */
  ck_assert (_pos_pickups_note_refusal (db, "pickup.transition",
                                        "{\"order_id\":\"o-1\",\"from\":\"READY_FOR_PICKUP\",\"to\":\"NO_SHOW\"}",
                                        "x", &error));

  /* Dismissing is a manager's, audited. */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-2", NULL));
  ck_assert (!pos_pickups_dismiss_incident (db, "o-1", &error));
  g_clear_error (&error);
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-3", NULL));
  ck_assert_msg (pos_pickups_dismiss_incident (db, "o-1", &error), "%s", error ? error->message : "");
  incidents = pos_pickups_list_incidents (db, &error);
  ck_assert_uint_eq (incidents->len, 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log WHERE action = 'pickup.incident_dismissed'"), 1);
}
END_TEST

START_TEST (test_pull_keeps_unsent_move)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosPickupOrder) o = NULL;
  PosSyncApplier *applier = pos_sync_applier_new (db);
  g_autoptr(JsonNode) data = json_from_string (
    "{\"id\": \"o-1\", \"number\": \"1001\", \"store_id\": \"store-1\", \"channel\": \"web\", "
    "\"state\": \"READY_FOR_PICKUP\", \"version\": 4, \"paid\": true, \"total\": 4388, \"currency\": \"BRL\", "
    "\"placed_at\": 1, \"lines\": []}", NULL);
  PosSyncChange c = { .stream = (char *) "pickups", .entity = (char *) "pickup_order", .id = (char *) "o-1",
                      .op = POS_SYNC_CHANGE_UPSERT, .version = 50, .data = data };

  add_order ("o-1", "1001", "READY_FOR_PICKUP", 4, TRUE, pos_now_ms () - HOUR, 0);
  ck_assert (pos_pickups_mark_no_show (db, "o-1", 4, &error));
  /* An older change arrives before the central took the no-show. */
  ck_assert (pos_database_begin (db, NULL));
  ck_assert (pos_sync_applier_apply (applier, &c, &error));
  ck_assert (pos_database_commit (db, NULL));
  pos_sync_applier_free (applier);
  o = get ("o-1");
  ck_assert_int_eq (o->state, POS_PICKUP_NO_SHOW);
  ck_assert_uint_eq (o->lines->len, 2);
}
END_TEST

static Suite *
pickups_suite (void)
{
  Suite *s = suite_create ("pickups");
  TCase *tc = tcase_create ("engine");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_groups_and_counts);
  tcase_add_test (tc, test_search_and_mask);
  tcase_add_test (tc, test_parse_qr);
  tcase_add_test (tc, test_picking);
  tcase_add_test (tc, test_exception);
  tcase_add_test (tc, test_stale);
  tcase_add_test (tc, test_identity);
  tcase_add_test (tc, test_offline);
  tcase_add_test (tc, test_partial_and_refusal);
  tcase_add_test (tc, test_no_show_and_cancel);
  tcase_add_test (tc, test_pay_in_store);
  tcase_add_test (tc, test_pay_in_store_stale_saves_nothing);
  tcase_add_test (tc, test_park_resume_keeps_marker);
  tcase_add_test (tc, test_incident);
  tcase_add_test (tc, test_pull_keeps_unsent_move);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (pickups_suite ());
  int failed;

  g_setenv ("TZ", "UTC", TRUE);
  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
