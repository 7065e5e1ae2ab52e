/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-outbox"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "domain/pos-sync-wire.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-sync-apply.h"
#include "terminal/pos-sync-engine.h"
#include "sales-fixture.h"
#include "fake-central.h"
#include "terminal/pos-staff.h"

/* The outbox and pushing it: batching, blocking behind a dead letter,
 * acknowledging stock, retries; the engine's one-shot against a scripted
 * server (the real central is the integration tests' job). */

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

static char *
sell (gint64 product,
      gint64 quantity)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  char *id;

  fixture_add (cart, product, quantity);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  return id;
}

static void
enqueue (const char *type,
         const char *entity,
         const char *payload)
{
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_enqueue_outbox (db, type, entity, payload, &error));
}

/* ------------------------------------------------------------------ */

START_TEST (test_sale_payload_carries_movements)
{
  g_autofree char *id = sell (FIX_ARROZ, 2000);
  g_autofree char *payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'sale.create'");
  g_autoptr(JsonNode) node = json_from_string (payload, NULL);
  JsonObject *o;
  JsonArray *moves;
  JsonObject *m;

  ck_assert_ptr_nonnull (node);
  o = json_node_get_object (node);
  ck_assert_str_eq (json_object_get_string_member (o, "id"), id);
  ck_assert (json_object_has_member (o, "business_date"));
  ck_assert (json_object_has_member (o, "change_given"));
  moves = json_object_get_array_member (o, "stock_movements");
  ck_assert_uint_eq (json_array_get_length (moves), 1);
  m = json_array_get_object_element (moves, 0);
  ck_assert_str_eq (json_object_get_string_member (m, "sku"), "ARROZ5");
  ck_assert_int_eq (json_object_get_int_member (m, "delta"), -2000);
  ck_assert_str_eq (json_object_get_string_member (m, "reason"), "sale");
  ck_assert (json_object_has_member (m, "id"));
}
END_TEST

START_TEST (test_batching_and_blocking)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  PosOutboxOp *op;

  for (int i = 0; i < 250; i++)
    {
      g_autofree char *entity = g_strdup_printf ("e-%03d", i);
      enqueue ("audit.append", entity, "{}");
    }
  batch = pos_outbox_next_batch (db, POS_SYNC_MAX_BATCH, &error);
  ck_assert_uint_eq (batch->len, 200);
  ck_assert_int_eq (((PosOutboxOp *) g_ptr_array_index (batch, 0))->seq, 1);
  ck_assert_int_eq (((PosOutboxOp *) g_ptr_array_index (batch, 199))->seq, 200);
  g_clear_pointer (&batch, g_ptr_array_unref);

  /* A second operation on an entity ends the batch before it. */
  ck_assert (pos_database_exec (db, "UPDATE outbox SET entity_id = 'e-000' WHERE seq = 5", &error));
  batch = pos_outbox_next_batch (db, POS_SYNC_MAX_BATCH, &error);
  ck_assert_uint_eq (batch->len, 4);
  g_clear_pointer (&batch, g_ptr_array_unref);

  /* Rejected: the later operations on that entity wait; the rest go. */
  batch = pos_outbox_next_batch (db, 1, &error);
  op = g_ptr_array_index (batch, 0);
  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_outbox_mark_refused (db, op, "rejected", "bad_payload", "No.", NULL, 1, &error));
  ck_assert (pos_database_commit (db, &error));
  g_clear_pointer (&batch, g_ptr_array_unref);
  batch = pos_outbox_next_batch (db, POS_SYNC_MAX_BATCH, &error);
  ck_assert_uint_eq (batch->len, 200);
  for (guint i = 0; i < batch->len; i++)
    ck_assert_str_ne (((PosOutboxOp *) g_ptr_array_index (batch, i))->entity_id, "e-000");
  ck_assert_int_eq (((PosOutboxOp *) g_ptr_array_index (batch, 0))->seq, 2);
  g_clear_pointer (&batch, g_ptr_array_unref);

  ck_assert_uint_eq (pos_outbox_count_pending (db, &error), 249);
  {
    g_autoptr(GPtrArray) dead = pos_outbox_list_dead (db, &error);
    PosOutboxEntry *e;

    ck_assert_uint_eq (dead->len, 1);
    e = g_ptr_array_index (dead, 0);
    ck_assert_int_eq (e->seq, 1);
    ck_assert_str_eq (e->error_code, "bad_payload");
    ck_assert_str_eq (e->last_error, "No.");
  }

  /* The manager retries: it goes first again, the held one follows. */
  /* a supervisor may not resend; the manager may */
  ck_assert (!pos_outbox_retry (db, 1, NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-3", NULL));
  ck_assert (pos_outbox_retry (db, 1, NULL, &error));
  ck_assert (!pos_outbox_retry (db, 1, NULL, &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  g_clear_error (&error);
  batch = pos_outbox_next_batch (db, POS_SYNC_MAX_BATCH, &error);
  ck_assert_int_eq (((PosOutboxOp *) g_ptr_array_index (batch, 0))->seq, 1);
  ck_assert_uint_eq (batch->len, 4);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.retry'"), 1);
}
END_TEST

START_TEST (test_ack_moves_stock_once)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = sell (FIX_ARROZ, 3000);
  g_autoptr(GPtrArray) batch = NULL;
  PosOutboxOp *sale_op = NULL;

  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 1"), -3000);
  batch = pos_outbox_next_batch (db, 10, &error);
  /* The sale and its audit row. */
  ck_assert_uint_eq (batch->len, 2);
  for (guint i = 0; i < batch->len; i++)
    if (g_str_equal (((PosOutboxOp *) g_ptr_array_index (batch, i))->type, "sale.create"))
      sale_op = g_ptr_array_index (batch, i);
  ck_assert_ptr_nonnull (sale_op);

  for (int twice = 0; twice < 2; twice++)
    {
      ck_assert (pos_database_begin (db, &error));
      ck_assert (pos_outbox_mark_done (db, sale_op, "applied", 5, &error));
      ck_assert (pos_database_commit (db, &error));
      ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 1"), 0);
      ck_assert_int_eq (count ("SELECT acknowledged FROM stock_movements"), 1);
    }
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'applied' AND acked_at = 5"), 1);
  ck_assert_uint_eq (pos_outbox_count_pending (db, NULL), 1);   /* the audit row */
}
END_TEST

START_TEST (test_conflict_dismissed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  guint pending, dead;
  gint64 oldest;

  enqueue ("pickup.transition", "order-1", "{\"order_id\":\"order-1\",\"number\":\"WEB-1\",\"to\":\"PICKED_UP\"}");
  batch = pos_outbox_next_batch (db, 10, &error);
  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_outbox_mark_refused (db, g_ptr_array_index (batch, 0), "conflict", NULL, "Moved on.",
                                      "{\"state\":\"CANCELLED\"}", 9, &error));
  ck_assert (pos_database_commit (db, &error));
  ck_assert (pos_outbox_get_stats (db, &pending, &oldest, &dead, &error));
  ck_assert_uint_eq (pending, 0);
  ck_assert_uint_eq (dead, 1);
  {
    g_autoptr(GPtrArray) list = pos_outbox_list_dead (db, &error);
    PosOutboxEntry *e = g_ptr_array_index (list, 0);

    ck_assert_str_eq (e->status, "conflict");
    ck_assert_str_eq (e->label, "Pickup order WEB-1 to PICKED_UP");
  }
  /* Retrying a conflict dismisses it; it is not sent again (what goes is
   * the audit row of the dismissal). */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-3", NULL));
  ck_assert (pos_outbox_retry (db, 1, NULL, &error));
  ck_assert (pos_outbox_get_stats (db, &pending, &oldest, &dead, &error));
  ck_assert_uint_eq (pending, 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND type = 'audit.append'"), 1);
  ck_assert_uint_eq (dead, 0);
}
END_TEST

START_TEST (test_labels)
{
  g_autofree char *a = pos_outbox_describe ("sale.create", "x", "{\"number\":\"001-01-000123\"}");
  g_autofree char *b = pos_outbox_describe ("return.create", "x", "{\"number\":\"001-01-D000001\"}");
  g_autofree char *c = pos_outbox_describe ("customer.upsert", "c-1", "{\"fields\":{\"name\":\"Ana\"}}");
  g_autofree char *d = pos_outbox_describe ("stock.move", "m-1", "not json");
  g_autofree char *e = pos_outbox_describe ("sale.create", "s-9", NULL);
  g_autofree char *f = pos_outbox_describe ("staff.upsert", "st-1", "{\"name\":\"Rita Nova\",\"pin_hash\":\"x\"}");

  ck_assert_str_eq (a, "Sale 001-01-000123");
  ck_assert_str_eq (b, "Return 001-01-D000001");
  ck_assert_str_eq (c, "Customer Ana");
  ck_assert_str_eq (d, "Stock movement of m-1");
  ck_assert_str_eq (e, "Sale s-9");
  ck_assert_str_eq (f, "Staff member Rita Nova");
}
END_TEST

START_TEST (test_backoff)
{
  /* Full jitter: [0, min(cap, 1 s × 2^(n-1))]. */
  ck_assert_int_eq (pos_sync_backoff_ms (1, 300000, 0), 0);
  ck_assert_int_eq (pos_sync_backoff_ms (1, 300000, G_MAXUINT32), 1000);
  ck_assert_int_eq (pos_sync_backoff_ms (2, 300000, G_MAXUINT32), 2000);
  ck_assert_int_eq (pos_sync_backoff_ms (9, 300000, G_MAXUINT32), 256000);
  ck_assert_int_eq (pos_sync_backoff_ms (10, 300000, G_MAXUINT32), 300000);
  ck_assert_int_eq (pos_sync_backoff_ms (1000, 300000, G_MAXUINT32), 300000);
  ck_assert_int_le (pos_sync_backoff_ms (5, 300000, G_MAXUINT32 / 2), 8000);
  ck_assert_int_ge (pos_sync_backoff_ms (5, 300000, G_MAXUINT32 / 2), 7999);
  for (guint n = 1; n < 70; n++)
    {
      gint64 v = pos_sync_backoff_ms (n, 300000, g_random_int ());
      ck_assert_int_ge (v, 0);
      ck_assert_int_le (v, 300000);
    }

  g_setenv ("BALCAO_SYNC_BACKOFF_CAP_MS", "200", TRUE);
  ck_assert_int_eq (pos_sync_backoff_cap_ms (), 200);
  g_setenv ("BALCAO_SYNC_BACKOFF_CAP_MS", "nonsense", TRUE);
  ck_assert_int_eq (pos_sync_backoff_cap_ms (), 300000);
  g_unsetenv ("BALCAO_SYNC_BACKOFF_CAP_MS");
  ck_assert_int_eq (pos_sync_backoff_cap_ms (), 300000);
}
END_TEST

START_TEST (test_gzip)
{
  const char *text = "{\"operations\":[\"á\"]}";
  g_autoptr(GBytes) gz = pos_sync_gzip (text, strlen (text));
  gsize len;
  const char *data = g_bytes_get_data (gz, &len);
  g_autofree char *back = fake_gunzip (data, len);

  ck_assert_uint_eq ((guint8) data[0], 0x1f);
  ck_assert_uint_eq ((guint8) data[1], 0x8b);
  ck_assert_str_eq (back, text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Pushing to a scripted central                                       */

typedef struct {
  int        mode;
  GPtrArray *batch_sizes;  /* GUINT_TO_POINTER */
} Script;

enum { ACCEPT, REJECT_E1, BAD_BATCH, TRUNCATED, REVOKED, BUSY, BAD_PAGE };

static const char empty_page[] = "{\"changes\":[],\"next_cursor\":\"7\",\"has_more\":false}";

static FakeAnswer
respond (const FakeRequest *req,
         gpointer           user_data)
{
  Script *s = user_data;
  g_autoptr(GPtrArray) ops = NULL;
  g_autofree char *terminal = NULL;
  g_autoptr(GPtrArray) results = NULL;
  FakeAnswer a = { 200, NULL, NULL };

  if (s->mode == REVOKED)
    return (FakeAnswer) { 401, g_strdup ("{\"code\":\"token_revoked\",\"message\":\"Revoked.\"}"), NULL };
  if (s->mode == BUSY)
    return (FakeAnswer) { 503, g_strdup ("{\"code\":\"unavailable\",\"message\":\"Busy.\"}"), g_strdup ("120") };
  if (g_str_has_prefix (req->path, "/v1/sync/pull"))
    {
      if (s->mode == BAD_PAGE)
        return (FakeAnswer) { 200, g_strdup ("{\"changes\":[{\"stream\":\"catalog\",\"entity\":\"tax_class\","
                                             "\"id\":\"t\",\"op\":\"upsert\",\"version\":1,\"data\":"
                                             "{\"name\":\"T\",\"rate_bp\":1}}],\"next_cursor\":\"9\""), NULL };
      return (FakeAnswer) { 200, g_strdup (empty_page), NULL };
    }
  if (!g_str_equal (req->path, "/v1/sync/push") || !req->gzipped ||
      g_strcmp0 (req->authorization, "Bearer bt_test") != 0)
    return (FakeAnswer) { 404, g_strdup ("{\"code\":\"not_found\",\"message\":\"?\"}"), NULL };

  if (!pos_sync_push_request_parse (req->body, strlen (req->body), &terminal, &ops, NULL))
    return (FakeAnswer) { 400, g_strdup ("{\"code\":\"bad_json\",\"message\":\"Bad.\"}"), NULL };
  g_ptr_array_add (s->batch_sizes, GUINT_TO_POINTER (ops->len));

  if (s->mode == BAD_BATCH)
    for (guint i = 0; i < ops->len; i++)
      if (g_str_equal (((PosSyncOp *) g_ptr_array_index (ops, i))->entity_id, "e-1"))
        return (FakeAnswer) { 400, g_strdup ("{\"code\":\"bad_request\",\"message\":\"e-1 is wrong.\"}"), NULL };

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sync_result_free);
  for (guint i = 0; i < ops->len; i++)
    {
      PosSyncOp *op = g_ptr_array_index (ops, i);

      if (s->mode == REJECT_E1 && g_str_equal (op->entity_id, "e-1"))
        g_ptr_array_add (results, pos_sync_result_new (op->op_id, POS_SYNC_RESULT_REJECTED,
                                                       "bad_payload", "Missing total.", NULL));
      else
        g_ptr_array_add (results, pos_sync_result_new (op->op_id, POS_SYNC_RESULT_APPLIED, NULL, NULL, NULL));
    }
  a.body = pos_sync_push_results_to_json (results);
  if (s->mode == TRUNCATED)
    a.body[strlen (a.body) / 2] = '\0';
  return a;
}

static FakeCentral *
enrol_fake (Script *s)
{
  FakeCentral *fc = fake_central_start (respond, s);
  g_autofree char *url = fake_central_url (fc);
  g_autofree char *token_path = pos_sync_token_path (pos_database_get_path (db));
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_set_setting (db, "central_url", url, &error));
  ck_assert (pos_database_set_setting (db, "sync_enrolled_at", "1", &error));
  ck_assert (g_file_set_contents (token_path, "bt_test\n", -1, &error));
  return fc;
}

START_TEST (test_push_batches)
{
  Script s = { ACCEPT, g_ptr_array_new () };
  FakeCentral *fc;
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = sell (FIX_FEIJAO, 1000);
  g_autofree char *cursor = NULL;

  /* With the sale and its audit row: 450 operations. */
  ck_assert (pos_database_begin (db, &error));
  for (int i = 0; i < 448; i++)
    {
      g_autofree char *entity = g_strdup_printf ("a-%03d", i);
      enqueue ("audit.append", entity, "{\"n\":1}");
    }
  ck_assert (pos_database_commit (db, &error));

  fc = enrol_fake (&s);
  ck_assert_msg (pos_sync_run_once (pos_database_get_path (db), NULL, &error), "%s", error ? error->message : "");
  fake_central_stop (fc);

  ck_assert_uint_eq (s.batch_sizes->len, 3);
  ck_assert_uint_eq (GPOINTER_TO_UINT (g_ptr_array_index (s.batch_sizes, 0)), 200);
  ck_assert_uint_eq (GPOINTER_TO_UINT (g_ptr_array_index (s.batch_sizes, 2)), 50);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'applied'"), 450);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 2"), 0);
  cursor = pos_sync_get_cursor (db);
  ck_assert_str_eq (cursor, "7");
  g_ptr_array_unref (s.batch_sizes);
}
END_TEST

START_TEST (test_push_rejected_blocks_entity)
{
  Script s = { REJECT_E1, g_ptr_array_new () };
  FakeCentral *fc;
  g_autoptr(GError) error = NULL;

  enqueue ("customer.upsert", "e-1", "{\"id\":\"e-1\"}");
  enqueue ("customer.upsert", "e-2", "{\"id\":\"e-2\"}");
  enqueue ("customer.upsert", "e-1", "{\"id\":\"e-1\",\"again\":true}");

  fc = enrol_fake (&s);
  ck_assert (pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'rejected' AND seq = 1"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'applied' AND seq = 2"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND seq = 3"), 1);
  ck_assert_int_eq (count ("SELECT error_code = 'bad_payload' FROM outbox WHERE seq = 1"), 1);

  /* Fixed at the central; the manager retries: both e-1 operations go. */
  s.mode = ACCEPT;
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-3", NULL));
  ck_assert (pos_outbox_retry (db, 1, NULL, &error));
  ck_assert (pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  fake_central_stop (fc);
  /* The three and the audit row of the retry. */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'applied'"), 4);
  g_ptr_array_unref (s.batch_sizes);
}
END_TEST

START_TEST (test_push_400_one_by_one)
{
  Script s = { BAD_BATCH, g_ptr_array_new () };
  FakeCentral *fc;
  g_autoptr(GError) error = NULL;

  enqueue ("audit.append", "e-0", "{}");
  enqueue ("audit.append", "e-1", "{}");
  enqueue ("audit.append", "e-2", "{}");

  fc = enrol_fake (&s);
  ck_assert (pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  fake_central_stop (fc);
  /* The batch of 3, then each alone. */
  ck_assert_uint_eq (s.batch_sizes->len, 4);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'applied'"), 2);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'rejected' AND entity_id = 'e-1' "
                           "AND last_error = 'e-1 is wrong.'"), 1);
  g_ptr_array_unref (s.batch_sizes);
}
END_TEST

START_TEST (test_push_truncated_answer)
{
  Script s = { TRUNCATED, g_ptr_array_new () };
  FakeCentral *fc;
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = sell (FIX_FEIJAO, 1000);

  fc = enrol_fake (&s);
  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  fake_central_stop (fc);
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts = 0 "
                           "AND type = 'sale.create'"), 1);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 2"), -1000);
  g_ptr_array_unref (s.batch_sizes);
}
END_TEST

START_TEST (test_revoked_keeps_outbox)
{
  Script s = { REVOKED, g_ptr_array_new () };
  FakeCentral *fc;
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = sell (FIX_FEIJAO, 1000);
  g_autofree char *state = NULL;

  fc = enrol_fake (&s);
  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED));
  g_clear_error (&error);
  state = pos_sync_state_get (db, "revoked");
  ck_assert_str_eq (state, "1");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND type = 'sale.create'"), 1);
  /* Stopped: nothing more is sent until enrolled again. */
  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED));
  fake_central_stop (fc);
  g_ptr_array_unref (s.batch_sizes);
}
END_TEST

START_TEST (test_busy_and_bad_page)
{
  Script s = { BUSY, g_ptr_array_new () };
  FakeCentral *fc;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  fc = enrol_fake (&s);
  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_SERVER));
  ck_assert_msg (strstr (error->message, "Busy.") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* A page cut short: nothing of it applied, the cursor stays. */
  s.mode = BAD_PAGE;
  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER));
  fake_central_stop (fc);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM tax_classes WHERE id = 't'"), 0);
  cursor = pos_sync_get_cursor (db);
  ck_assert_str_eq (cursor, "");
  g_ptr_array_unref (s.batch_sizes);
}
END_TEST

START_TEST (test_unreachable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token_path = pos_sync_token_path (pos_database_get_path (db));

  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NOT_ENROLLED));
  g_clear_error (&error);

  /* Port 9 (discard) on loopback: nothing listens. */
  ck_assert (pos_database_set_setting (db, "central_url", "http://127.0.0.1:9", &error));
  ck_assert (g_file_set_contents (token_path, "bt_x", -1, &error));
  ck_assert (!pos_sync_run_once (pos_database_get_path (db), NULL, &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NETWORK));
  ck_assert_msg (strstr (error->message, "Cannot reach the central at 127.0.0.1") != NULL, "%s", error->message);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The engine's thread                                                 */

typedef struct {
  gint pulls;
  gint pushes;
  gint waits;
} Counts;

static FakeAnswer
respond_engine (const FakeRequest *req,
                gpointer           user_data)
{
  Counts *c = user_data;

  if (g_str_has_prefix (req->path, "/v1/sync/wait"))
    {
      g_atomic_int_inc (&c->waits);
      g_usleep (100 * 1000);
      return (FakeAnswer) { 204, NULL, NULL };
    }
  if (g_str_has_prefix (req->path, "/v1/sync/pull"))
    {
      if (g_atomic_int_add (&c->pulls, 1) == 0)
        return (FakeAnswer) { 200, g_strdup ("{\"changes\":[{\"stream\":\"catalog\",\"entity\":\"tax_class\","
                                             "\"id\":\"t9\",\"op\":\"upsert\",\"version\":1,\"data\":"
                                             "{\"name\":\"T9\",\"rate_bp\":900}}],\"next_cursor\":\"3\","
                                             "\"has_more\":false}"), NULL };
      return (FakeAnswer) { 200, g_strdup ("{\"changes\":[],\"next_cursor\":\"3\",\"has_more\":false}"), NULL };
    }
  if (g_str_has_prefix (req->path, "/v1/sync/push"))
    {
      g_autoptr(GPtrArray) ops = NULL;
      g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sync_result_free);
      g_autofree char *terminal = NULL;

      g_atomic_int_inc (&c->pushes);
      if (!pos_sync_push_request_parse (req->body, strlen (req->body), &terminal, &ops, NULL))
        return (FakeAnswer) { 400, g_strdup ("{\"code\":\"bad_json\",\"message\":\"Bad.\"}"), NULL };
      for (guint i = 0; i < ops->len; i++)
        g_ptr_array_add (results, pos_sync_result_new (((PosSyncOp *) g_ptr_array_index (ops, i))->op_id,
                                                       POS_SYNC_RESULT_APPLIED, NULL, NULL, NULL));
      return (FakeAnswer) { 200, pos_sync_push_results_to_json (results), NULL };
    }
  return (FakeAnswer) { 404, NULL, NULL };
}

static gboolean
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > until)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

static gboolean
engine_online_and_empty (gpointer data)
{
  return pos_sync_engine_get_state (data) == POS_SYNC_STATE_ONLINE && pos_sync_engine_get_pending (data) == 0;
}

static gboolean
synced_in_database (gpointer data)
{
  g_autofree char *state = pos_sync_state_get (db, "state");

  return count ("SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0 && g_strcmp0 (state, "online") == 0;
}

static gboolean
engine_not_enrolled (gpointer data)
{
  return pos_sync_engine_get_state (data) == POS_SYNC_STATE_NOT_ENROLLED;
}

static void
on_changes_applied (PosSyncEngine *engine,
                    char         **streams,
                    gpointer       user_data)
{
  gboolean *seen = user_data;

  if (g_strv_contains ((const char * const *) streams, "catalog"))
    *seen = TRUE;
}

START_TEST (test_engine_thread)
{
  Counts counts = { 0, };
  g_autoptr(PosSyncEngine) engine = pos_sync_engine_new (pos_database_get_path (db));
  g_autoptr(GError) error = NULL;
  FakeCentral *fc;
  gboolean catalog_applied = FALSE;
  gint pushes;
  gint64 t0;

  g_setenv ("BALCAO_SYNC_NO_NETWORK_MONITOR", "1", TRUE);
  g_signal_connect (engine, "changes-applied", G_CALLBACK (on_changes_applied), &catalog_applied);

  /* Not enrolled: it idles. */
  pos_sync_engine_start (engine);
  ck_assert (iterate_until (engine_not_enrolled, engine));

  /* Enrolment is picked up (a kick skips the 2 s check). */
  {
    g_autofree char *sale = sell (FIX_FEIJAO, 1000);
    fc = fake_central_start (respond_engine, &counts);
    {
      g_autofree char *url = fake_central_url (fc);
      g_autofree char *token_path = pos_sync_token_path (pos_database_get_path (db));

      ck_assert (g_file_set_contents (token_path, "bt_test\n", -1, &error));
      ck_assert (pos_database_set_setting (db, "central_url", url, &error));
      ck_assert (pos_database_set_setting (db, "sync_enrolled_at", "1", &error));
    }
  }
  pos_sync_engine_kick (engine);
  ck_assert (iterate_until (engine_online_and_empty, engine));
  ck_assert (catalog_applied);
  ck_assert_int_ge (pos_sync_engine_get_last_sync_ms (engine), 1);
  ck_assert_ptr_null (pos_sync_engine_get_last_error (engine));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'applied' AND type = 'sale.create'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status <> 'applied'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM tax_classes WHERE id = 't9'"), 1);

  /* A new sale and a kick: pushed without waiting for the long poll. */
  pushes = g_atomic_int_get (&counts.pushes);
  {
    g_autofree char *sale = sell (FIX_LEITE, 1000);
  }
  pos_sync_engine_kick (engine);
  t0 = g_get_monotonic_time ();
  while (g_atomic_int_get (&counts.pushes) == pushes && g_get_monotonic_time () - t0 < 10 * G_USEC_PER_SEC)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  ck_assert_int_gt (g_atomic_int_get (&counts.pushes), pushes);
  /* What the main context shows may lag behind: wait for the database. */
  ck_assert (iterate_until (synced_in_database, NULL));
  ck_assert (iterate_until (engine_online_and_empty, engine));

  pos_sync_engine_stop (engine);
  pos_sync_engine_stop (engine);   /* idempotent */
  fake_central_stop (fc);
  ck_assert_int_ge (g_atomic_int_get (&counts.waits), 1);
  {
    g_autofree char *state = pos_sync_state_get (db, "state");
    ck_assert_str_eq (state, "online");
  }
  g_unsetenv ("BALCAO_SYNC_NO_NETWORK_MONITOR");
}
END_TEST

static Suite *
outbox_suite (void)
{
  Suite *s = suite_create ("outbox");
  TCase *tc = tcase_create ("outbox");
  TCase *push = tcase_create ("push");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_sale_payload_carries_movements);
  tcase_add_test (tc, test_batching_and_blocking);
  tcase_add_test (tc, test_ack_moves_stock_once);
  tcase_add_test (tc, test_conflict_dismissed);
  tcase_add_test (tc, test_labels);
  tcase_add_test (tc, test_backoff);
  tcase_add_test (tc, test_gzip);
  suite_add_tcase (s, tc);

  tcase_add_checked_fixture (push, setup, teardown);
  tcase_add_test (push, test_push_batches);
  tcase_add_test (push, test_push_rejected_blocks_entity);
  tcase_add_test (push, test_push_400_one_by_one);
  tcase_add_test (push, test_push_truncated_answer);
  tcase_add_test (push, test_revoked_keeps_outbox);
  tcase_add_test (push, test_busy_and_bad_page);
  tcase_add_test (push, test_unreachable);
  suite_add_tcase (s, push);

  {
    TCase *engine = tcase_create ("engine");

    tcase_add_checked_fixture (engine, setup, teardown);
    tcase_add_test (engine, test_engine_thread);
    suite_add_tcase (s, engine);
  }
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (outbox_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
