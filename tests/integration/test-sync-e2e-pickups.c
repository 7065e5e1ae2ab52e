/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sync-e2e"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-cart.h"
#include "domain/pos-pickup.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-online-orders.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-pickups.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-sync-engine.h"
#include "sync-e2e-lib.h"

/* Click and collect end to end (issue 5, docs/sync-protocol.md §7, §7.1):
 * orders posted on the central's channel API, served at terminals whose
 * engine runs in this process (src/terminal/pos-pickups.h,
 * pos-online-orders.h), against a real balcao-central on a real
 * PostgreSQL. Each case checks what the central ends up holding (the
 * order's state and lines, stock, the customer's timeline) and what the
 * counter shows.
 *
 *   test-sync-e2e-pickups [CASE]     runs one test case
 *
 * Nothing here asserts on time: every wait is for a condition. */

#define CODE "483920"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* The world of these tests: besides env_new's, the fixture's stock at
 * store STORE (so that orders reserve real stock, and the demo command
 * finds products to order). */
static Env *
pickups_env_new (void)
{
  Env *env = env_new ();
  g_autofree char *path = g_build_filename (env->dir, "catalog.csv", NULL);
  g_autofree char *out = NULL;
  const char *args[] = { "catalog", "import", path, "--store", STORE, NULL };

  out = central_run (env, args);
  return env;
}

/* A text from the central; the one "%s" in sql_format becomes id. */
static char *
central_str (Env        *env,
             const char *sql_format,
             const char *id)
{
  g_auto(GStrv) parts = g_strsplit (sql_format, "%s", 2);
  g_autofree char *sql = g_strjoinv (sql_safe (id), parts);

  return central_text (env, sql);
}

static void
assert_central_state (Env        *env,
                      const char *order_id,
                      const char *state)
{
  g_autofree char *now = central_str (env, "SELECT state FROM orders WHERE id = '%s'", order_id);

  ck_assert_msg (g_str_equal (now, state), "order %s is %s at the central, not %s", order_id, now, state);
}

/* A column of one of the order's lines at the central. */
static gint64
central_line (Env        *env,
              const char *order_id,
              guint       line_no,
              const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM order_lines WHERE order_id = '%%s' AND line_no = %u",
                                          column, line_no);

  return central_int (env, sql, order_id);
}

/* The store's reservation of a SKU at the central. */
static gint64
central_reserved (Env        *env,
                  const char *sku)
{
  return central_int (env,
      "SELECT COALESCE ((SELECT l.reserved FROM stock_levels l JOIN stores s ON s.id = l.store_id "
      "WHERE s.code = '" STORE "' AND l.sku = '%s'), 0)", sku);
}

/* Posts a pickup order of store STORE on the channel API. lines is the
 * JSON array of its lines; customer_id may be NULL. Its id; *number (may
 * be NULL) gets its number. */
static char *
post_order (Env        *env,
            const char *external_ref,
            const char *fulfilment,
            const char *customer_id,
            gboolean    paid,
            const char *lines,
            char      **number)
{
  g_autofree char *customer = customer_id != NULL ? g_strdup_printf ("\"customer_id\": \"%s\", ", customer_id)
                                                  : g_strdup ("\"customer_name\": \"Rita Lima\", ");
  gboolean pickup = g_str_equal (fulfilment, "pickup");
  g_autofree char *body = g_strdup_printf (
      "{\"external_ref\": \"%s\", \"channel\": \"web\", \"fulfilment\": \"%s\", %s%s"
      "\"paid\": %s, %s\"currency\": \"BRL\", \"lines\": %s%s}",
      external_ref, fulfilment, pickup ? "\"store_code\": \"" STORE "\", " : "", customer,
      paid ? "true" : "false", paid ? "\"payment_method\": \"card\", " : "",
      lines, pickup ? ", \"pickup_code\": \"" CODE "\"" : "");
  g_autofree char *answer = NULL;
  long status = channel_request (env, "POST", "/v1/channel/orders", body, &answer);

  ck_assert_msg (status == 201, "order %s: %ld %s", external_ref, status, answer);
  if (number != NULL)
    *number = json_member (answer, "order", "number");
  return json_member (answer, "order", "id");
}

/* Moves an order through the channel status API, step by step. */
static void
channel_move (Env                *env,
              const char         *order_id,
              const char * const *steps)
{
  g_autofree char *path = g_strconcat ("/v1/channel/orders/", order_id, "/status", NULL);

  for (guint i = 0; steps[i] != NULL; i++)
    {
      g_autofree char *to = g_strdup_printf ("{\"to\": \"%s\"}", steps[i]);

      CHANNEL_OK (env, "POST", path, to);
    }
}

static const char * const to_ready[] = { "ALLOCATED", "PICKING", "READY_FOR_PICKUP", NULL };

/* An order posted and made ready at the central (channel API), then
 * pulled by the terminals given (NULL-terminated). */
G_GNUC_NULL_TERMINATED static char *
ready_order (Env        *env,
             const char *external_ref,
             const char *customer_id,
             gboolean    paid,
             const char *lines,
             ...)
{
  char *id = post_order (env, external_ref, "pickup", customer_id, paid, lines, NULL);
  va_list ap;

  channel_move (env, id, to_ready);
  va_start (ap, lines);
  for (Term *each = va_arg (ap, Term *); each != NULL; each = va_arg (ap, Term *))
    term_sync_ok (each);
  va_end (ap);
  return id;
}

static PosPickupOrder *
term_order (Term       *t,
            const char *order_id)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  PosPickupOrder *o = pos_pickups_get (db, order_id, &error);

  ck_assert_msg (o != NULL, "order %s at the terminal: %s", order_id, error ? error->message : "?");
  return o;
}

static PosPickupLine *
order_line (PosPickupOrder *o,
            guint           line_no)
{
  for (guint i = 0; i < o->lines->len; i++)
    {
      PosPickupLine *l = g_ptr_array_index (o->lines, i);

      if (l->line_no == line_no)
        return l;
    }
  ck_abort_msg ("order %s has no line %u at the terminal", o->number, line_no);
  return NULL;
}

/* Whether the group lists the order. */
static gboolean
group_has (PosDatabase    *db,
           PosPickupGroup  group,
           const char     *order_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pos_pickups_list (db, group, NULL, 0, &error);

  ck_assert_msg (list != NULL, "%s", error ? error->message : "?");
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal (((PosPickupOrder *) g_ptr_array_index (list, i))->id, order_id))
      return TRUE;
  return FALSE;
}

/* A handover of the order at the version the terminal holds, against
 * the pickup code; lines NULL: everything left. */
static gboolean
hand_over (PosDatabase            *db,
           const char             *order_id,
           const char             *code,
           const PosPickupCollect *lines,
           guint                   n_lines,
           gboolean                online,
           GError                **error)
{
  g_autoptr(PosPickupOrder) o = pos_pickups_get (db, order_id, NULL);
  PosPickupHandover h = {
    .order_id = order_id,
    .expected_version = o != NULL ? o->version : -1,
    .identity = POS_PICKUP_IDENTITY_CODE,
    .pickup_code = code,
    .lines = lines,
    .n_lines = n_lines,
  };

  return pos_pickups_hand_over (db, &h, online, error);
}

#define HAND_OVER_OK(db, order_id, lines, n_lines, online)                       \
  G_STMT_START {                                                                \
    g_autoptr(GError) hand_error_ = NULL;                                       \
    ck_assert_msg (hand_over ((db), (order_id), CODE, (lines), (n_lines), (online), &hand_error_), \
                   "hand over %s: %s", (order_id), hand_error_ ? hand_error_->message : "?"); \
  } G_STMT_END

/* The events of the customer's timeline of a kind (GET
 * /v1/channel/customers/{id}/timeline), their summaries joined by "|". */
static guint
timeline_count (Env        *env,
                const char *customer_id,
                const char *kind,
                char      **summaries)
{
  g_autofree char *path = g_strconcat ("/v1/channel/customers/", customer_id, "/timeline?limit=500", NULL);
  g_autofree char *answer = NULL;
  g_autoptr(JsonNode) node = NULL;
  GString *text = g_string_new (NULL);
  JsonArray *events;
  long status = channel_request (env, "GET", path, NULL, &answer);
  guint n = 0;

  ck_assert_msg (status == 200, "timeline: %ld %s", status, answer);
  node = json_from_string (answer, NULL);
  ck_assert_msg (node != NULL && JSON_NODE_HOLDS_OBJECT (node), "timeline: %s", answer);
  events = json_object_get_array_member (json_node_get_object (node), "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "kind", NULL), kind) != 0)
        continue;
      n++;
      g_string_append_printf (text, "%s|", json_object_get_string_member_with_default (e, "summary", ""));
    }
  if (summaries != NULL)
    *summaries = g_string_free (text, FALSE);
  else
    g_string_free (text, TRUE);
  return n;
}

/* A change to the terminal's database made by the test itself, one text
 * parameter bound as ?1. */
static void
term_exec (Term       *t,
           const char *sql,
           const char *arg)
{
  g_autoptr(PosDatabase) db = term_open (t);
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg (h));
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  ck_assert_msg (sqlite3_step (stmt) == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg (h));
  ck_assert_int_eq (sqlite3_changes (h), 1);
  sqlite3_finalize (stmt);
}

/* The operations of a type the terminal still has to send, or that were
 * refused. */
static gint64
term_unsettled (Term       *t,
                const char *type)
{
  return term_int (t, "SELECT count(*) FROM outbox WHERE type = ?1 AND status NOT IN ('applied', 'duplicate')", type);
}

/* Staff of the store made at the central and pulled: a cashier 7001
 * (PIN 2580), a supervisor 8001 (6193), a manager 9001 (4826). */
static void
central_staff (Env  *env,
               Term *t)
{
  g_autofree char *cashier = central_staff_add (env, "7001", "Caixa E2E", "cashier", "2580");
  g_autofree char *supervisor = central_staff_add (env, "8001", "Supervisora E2E", "supervisor", "6193");
  g_autofree char *manager = central_staff_add (env, "9001", "Gerente E2E", "manager", "4826");

  term_sync_ok (t);
}

static char *
grant (PosDatabase   *db,
       PosPermission  p,
       const char    *who,
       const char    *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosApproval) approval = pos_approval_grant_pin (db, p, who, pin, "e2e", &error);

  ck_assert_msg (approval != NULL, "approval by %s: %s", who, error ? error->message : "?");
  return g_strdup (approval->id);
}

/* ------------------------------------------------------------------ */
/* 1. The whole journey                                                */

START_TEST (test_journey)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *customer = new_customer (env, "Davi Rocha", "davi@example.com");
  g_autofree char *number = NULL;
  g_autofree char *order = NULL;
  g_autofree char *shelf = NULL;
  g_autofree char *summaries = NULL;
  g_autofree char *audit_sql = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  gint64 acu_before = central_stock (env, "ACU-1");
  gint64 caf_before = central_stock (env, "CAF-500");
  gint64 reserved_before = central_reserved (env, "ACU-1");
  gint64 version, local_audit;
  guint line_no = 0;

  order = post_order (env, "WEB-1001", "pickup", customer, TRUE,
                      "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}, "
                      "{\"sku\": \"CAF-500\", \"quantity\": 1000, \"unit_price\": 1899}]", &number);
  ck_assert_int_eq (central_reserved (env, "ACU-1"), reserved_before + 2000);

  /* It reaches the queue. */
  term_sync_ok (a);
  db = term_open (a);
  counter_open (db);
  ck_assert (group_has (db, POS_PICKUP_GROUP_NEW, order));
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_str_eq (o->number, number);
    ck_assert_str_eq (o->customer_name, "Davi Rocha");
    ck_assert (o->paid);
    ck_assert_uint_eq (o->n_lines, 2);
    version = o->version;
  }

  /* Picking: a wrong item refused, the right ones ticked by barcode. */
  ck_assert_msg (pos_pickups_start_picking (db, order, version, &error), "%s", error ? error->message : "?");
  ck_assert (group_has (db, POS_PICKUP_GROUP_PICKING, order));
  ck_assert (!pos_pickups_pick_scan (db, order, "7891000400401", &line_no, &error));
  ck_assert_msg (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM), "%s", error->message);
  ck_assert_msg (strstr (error->message, "Biscoito") != NULL, "the refusal names the item: %s", error->message);
  g_clear_error (&error);
  ck_assert (pos_pickups_pick_scan (db, order, "7891000100103", &line_no, &error));
  ck_assert_uint_eq (line_no, 1);
  ck_assert (pos_pickups_pick_scan (db, order, "7891000100103", &line_no, &error));
  ck_assert (pos_pickups_pick_scan (db, order, "7891000300305", &line_no, &error));
  ck_assert_uint_eq (line_no, 2);
  /* Everything is picked: one more is refused too. */
  ck_assert (!pos_pickups_pick_scan (db, order, "7891000100103", &line_no, &error));
  ck_assert (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM));
  g_clear_error (&error);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    version = o->version;
  }
  ck_assert_msg (pos_pickups_mark_ready (db, order, version, "B-12", &error), "%s", error ? error->message : "?");

  /* The central has it ready, on shelf B-12, picked. */
  term_sync_ok (a);
  assert_central_state (env, order, "READY_FOR_PICKUP");
  shelf = central_str (env, "SELECT shelf_location FROM orders WHERE id = '%s'", order);
  ck_assert_str_eq (shelf, "B-12");
  ck_assert_int_eq (central_line (env, order, 1, "picked_quantity"), 2000);
  ck_assert_int_eq (central_line (env, order, 2, "picked_quantity"), 1000);
  ck_assert (group_has (db, POS_PICKUP_GROUP_READY, order));

  /* The handover: a wrong code refused, the right one accepted. */
  ck_assert (!hand_over (db, order, "111111", NULL, 0, TRUE, &error));
  ck_assert (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE));
  g_clear_error (&error);
  HAND_OVER_OK (db, order, NULL, 0, TRUE);
  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  assert_central_state (env, order, "PICKED_UP");
  ck_assert_int_eq (central_line (env, order, 1, "collected_quantity"), 2000);
  ck_assert_int_eq (central_line (env, order, 2, "collected_quantity"), 1000);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
    ck_assert_int_eq (o->version, central_int (env, "SELECT version FROM orders WHERE id = '%s'", order));
    ck_assert (!o->pending);
    ck_assert (group_has (db, POS_PICKUP_GROUP_COLLECTED, order));
  }

  /* The customer was told twice: ready, and picked up. */
  ck_assert_uint_eq (timeline_count (env, customer, "notification", &summaries), 2);
  ck_assert_msg (strstr (summaries, "ready for pickup") != NULL && strstr (summaries, "picked up") != NULL,
                 "notifications: %s", summaries);
  ck_assert_uint_ge (timeline_count (env, customer, "order_placed", NULL), 1);

  /* The goods left the stock once, as a pickup; the reservation ended. */
  ck_assert_int_eq (central_stock (env, "ACU-1"), acu_before - 2000);
  ck_assert_int_eq (central_stock (env, "CAF-500"), caf_before - 1000);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s' "
                                      "AND reason = 'pickup'", order), 2);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s' "
                                      "AND reason <> 'pickup'", order), 0);
  ck_assert_int_eq (central_reserved (env, "ACU-1"), reserved_before);
  ck_assert_int_eq (term_stock (a, "ACU-1"), acu_before - 2000);

  /* Every step is in the audit log, and the log reached the central. */
  local_audit = term_int (a, "SELECT count(*) FROM audit_log WHERE entity_id = ?1", order);
  ck_assert_int_ge (local_audit, 3);   /* started picking, ready, handed over */
  audit_sql = g_strdup_printf ("SELECT count(*) FROM terminal_documents WHERE type = 'audit.append' "
                               "AND terminal_id = '%s' AND data::json->>'entity_id' = '%%s'", sql_safe (a->terminal_id));
  ck_assert_int_eq (central_int (env, audit_sql, order), local_audit);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. Two terminals hand the same order over at once                   */

START_TEST (test_race)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  Term *b = term_new (env, "b");
  g_autofree char *order = ready_order (env, "WEB-1002", NULL, TRUE,
                                        "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}]",
                                        a, b, NULL);
  g_autoptr(PosDatabase) db_a = term_open (a);
  g_autoptr(PosDatabase) db_b = term_open (b);
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status_a = NULL, *status_b = NULL;
  g_autofree char *winner_name = NULL;
  SyncOnceJob jobs[2] = { { a->path, FALSE, NULL }, { b->path, FALSE, NULL } };
  GThread *threads[2];
  Term *winner, *loser;
  PosDatabase *loser_db;
  gint64 central_version;

  counter_open (db_a);
  counter_open (db_b);
  HAND_OVER_OK (db_a, order, NULL, 0, TRUE);
  HAND_OVER_OK (db_b, order, NULL, 0, TRUE);

  /* Both push at once. */
  threads[0] = g_thread_new ("sync-a", sync_once_thread, &jobs[0]);
  threads[1] = g_thread_new ("sync-b", sync_once_thread, &jobs[1]);
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      ck_assert_msg (jobs[i].ok, "sync: %s", jobs[i].message);
    }

  /* Exactly one applied. */
  status_a = term_text (a, "SELECT status FROM outbox WHERE type = 'pickup.transition' AND entity_id = ?1", order);
  status_b = term_text (b, "SELECT status FROM outbox WHERE type = 'pickup.transition' AND entity_id = ?1", order);
  ck_assert_msg ((g_str_equal (status_a, "applied") && g_str_equal (status_b, "conflict")) ||
                 (g_str_equal (status_a, "conflict") && g_str_equal (status_b, "applied")),
                 "a: %s, b: %s", status_a, status_b);
  winner = g_str_equal (status_a, "applied") ? a : b;
  loser = winner == a ? b : a;
  loser_db = winner == a ? db_b : db_a;
  assert_central_state (env, order, "PICKED_UP");
  {
    g_autofree char *last = central_str (env, "SELECT last_terminal_id FROM orders WHERE id = '%s'", order);

    ck_assert_str_eq (last, winner->terminal_id);
  }
  central_version = central_int (env, "SELECT version FROM orders WHERE id = '%s'", order);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT status, count(*) FROM applied_ops WHERE type = 'pickup.transition' "
                                            "AND terminal_id IN ('%s', '%s') GROUP BY status ORDER BY status",
                                            sql_safe (a->terminal_id), sql_safe (b->terminal_id));
    g_autofree char *outcome = central_text (env, sql);

    ck_assert_str_eq (outcome, "applied|1");   /* a conflict is not recorded as applied */
  }

  /* The loser: an incident in words naming the winner, and the central's
   * state. */
  winner_name = central_str (env, "SELECT name FROM terminals WHERE id = '%s'", winner->terminal_id);
  incidents = pos_pickups_list_incidents (loser_db, &error);
  ck_assert_msg (incidents != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (incidents->len, 1);
  {
    PosPickupOrder *o = g_ptr_array_index (incidents, 0);

    ck_assert_str_eq (o->id, order);
    ck_assert_msg (o->incident != NULL && strstr (o->incident, winner_name) != NULL,
                   "the incident names %s: %s", winner_name, o->incident);
    ck_assert_msg (strstr (o->incident, "Vendedor E2E") != NULL, "and who: %s", o->incident);
  }
  {
    g_autoptr(PosPickupOrder) o = term_order (loser, order);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
    ck_assert_int_eq (o->version, central_version);
    ck_assert (!o->provisional);
    ck_assert (!o->pending);
  }
  {
    g_autoptr(PosPickupOrder) o = term_order (winner, order);
    g_autoptr(GPtrArray) none = pos_pickups_list_incidents (winner == a ? db_a : db_b, NULL);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
    ck_assert_int_eq (o->version, central_version);
    ck_assert_uint_eq (none->len, 0);
  }
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_pending (b), 0);

  g_free (jobs[0].message);
  g_free (jobs[1].message);
  term_free (a);
  term_free (b);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. Partial pickup, then the rest                                    */

START_TEST (test_partial)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *order = ready_order (env, "WEB-1003", NULL, TRUE,
                                        "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}, "
                                        "{\"sku\": \"CAF-500\", \"quantity\": 1000, \"unit_price\": 1899}]",
                                        a, NULL);
  g_autoptr(PosDatabase) db = term_open (a);
  PosPickupCollect first[] = { { 1, 2000, 0 } };
  gint64 acu_before = central_stock (env, "ACU-1");
  gint64 caf_before = central_stock (env, "CAF-500");

  counter_open (db);
  HAND_OVER_OK (db, order, first, G_N_ELEMENTS (first), TRUE);
  ck_assert (group_has (db, POS_PICKUP_GROUP_PARTIAL, order));
  term_sync_ok (a);
  assert_central_state (env, order, "PARTIALLY_PICKED_UP");
  ck_assert_int_eq (central_line (env, order, 1, "collected_quantity"), 2000);
  ck_assert_int_eq (central_line (env, order, 2, "collected_quantity"), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), acu_before - 2000);
  ck_assert_int_eq (central_stock (env, "CAF-500"), caf_before);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_int_eq (o->state, POS_PICKUP_PARTIALLY_PICKED_UP);
    ck_assert_int_eq (order_line (o, 1)->collected_quantity, 2000);
    ck_assert_int_eq (order_line (o, 2)->collected_quantity, 0);
  }

  /* The customer comes back for the rest. */
  HAND_OVER_OK (db, order, NULL, 0, TRUE);
  term_sync_ok (a);
  assert_central_state (env, order, "PICKED_UP");
  ck_assert_int_eq (central_line (env, order, 1, "collected_quantity"), 2000);
  ck_assert_int_eq (central_line (env, order, 2, "collected_quantity"), 1000);
  ck_assert_int_eq (central_stock (env, "ACU-1"), acu_before - 2000);
  ck_assert_int_eq (central_stock (env, "CAF-500"), caf_before - 1000);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s'", order), 2);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. No-show and expiry release the stock                             */

START_TEST (test_no_show_and_expiry)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *no_show = NULL, *expired = NULL;
  g_autofree char *approval = NULL;
  g_autofree char *last_from = NULL;
  g_autofree char *expired_sql = NULL;
  gint64 reserved_before = central_reserved (env, "ACU-1");
  gint64 stock_before = central_stock (env, "ACU-1");
  gint64 window_days = 2;

  central_staff (env, a);
  no_show = ready_order (env, "WEB-1004", NULL, TRUE,
                         "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}]", a, NULL);
  expired = ready_order (env, "WEB-1005", NULL, TRUE,
                         "[{\"sku\": \"ACU-1\", \"quantity\": 3000, \"unit_price\": 549}]", a, NULL);
  ck_assert_int_eq (central_reserved (env, "ACU-1"), reserved_before + 5000);

  db = term_open (a);
  term_sign_in (db, "7001", "2580");

  /* The customer did not come: a no-show, then cancelled with a
   * manager's approval. */
  {
    g_autoptr(PosPickupOrder) o = term_order (a, no_show);

    ck_assert_msg (pos_pickups_mark_no_show (db, no_show, o->version, &error), "%s", error ? error->message : "?");
  }
  term_sync_ok (a);
  assert_central_state (env, no_show, "NO_SHOW");
  {
    g_autoptr(PosPickupOrder) o = term_order (a, no_show);

    ck_assert (!pos_pickups_cancel (db, no_show, o->version, NULL, &error));
    ck_assert_msg (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NEEDS_APPROVAL), "%s", error->message);
    g_clear_error (&error);
    approval = grant (db, POS_PERMISSION_VOID_SALE, "9001", "4826");
    ck_assert_msg (pos_pickups_cancel (db, no_show, o->version, approval, &error), "%s", error ? error->message : "?");
  }
  term_sync_ok (a);
  assert_central_state (env, no_show, "CANCELLED");
  ck_assert_int_eq (central_reserved (env, "ACU-1"), reserved_before + 3000);
  ck_assert_int_eq (central_stock (env, "ACU-1"), stock_before);

  /* Ready longer than the store's window: listed expired, and cancelled
   * READY -> EXPIRED -> CANCELLED. */
  {
    g_autofree char *days = g_strdup_printf ("%" G_GINT64_FORMAT, window_days);

    term_set (a, "pickup_window_days", days);
  }
  {
    g_autoptr(PosPickupOrder) o = term_order (a, expired);

    ck_assert (!o->expired);
  }
  expired_sql = g_strdup_printf ("UPDATE pickup_orders SET ready_at = %" G_GINT64_FORMAT " WHERE id = ?1",
                                 pos_now_ms () - (window_days + 1) * 24 * 3600 * 1000);
  term_exec (a, expired_sql, expired);
  {
    g_autoptr(GPtrArray) overdue = pos_pickups_list (db, POS_PICKUP_GROUP_OVERDUE, NULL, 0, &error);
    g_autoptr(PosPickupOrder) o = term_order (a, expired);

    ck_assert_msg (overdue != NULL, "%s", error ? error->message : "?");
    ck_assert_uint_eq (overdue->len, 1);
    ck_assert_str_eq (((PosPickupOrder *) g_ptr_array_index (overdue, 0))->id, expired);
    ck_assert (((PosPickupOrder *) g_ptr_array_index (overdue, 0))->expired);

    g_clear_pointer (&approval, g_free);
    ck_assert (!pos_pickups_cancel (db, expired, o->version, NULL, &error));
    ck_assert (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NEEDS_APPROVAL));
    g_clear_error (&error);
    approval = grant (db, POS_PERMISSION_VOID_SALE, "9001", "4826");
    ck_assert_msg (pos_pickups_cancel (db, expired, o->version, approval, &error), "%s", error ? error->message : "?");
  }
  term_sync_ok (a);
  assert_central_state (env, expired, "CANCELLED");
  last_from = central_str (env, "SELECT last_from FROM orders WHERE id = '%s'", expired);
  ck_assert_str_eq (last_from, "EXPIRED");
  ck_assert_int_eq (central_reserved (env, "ACU-1"), reserved_before);
  ck_assert_int_eq (central_stock (env, "ACU-1"), stock_before);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, expired);

    ck_assert_int_eq (o->state, POS_PICKUP_CANCELLED);
    ck_assert_int_eq (o->version, central_int (env, "SELECT version FROM orders WHERE id = '%s'", expired));
  }
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. Paid at the counter, with another item in the same sale          */

START_TEST (test_pay_in_store)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *customer = new_customer (env, "Lia Souza", "lia@example.com");
  g_autofree char *order = ready_order (env, "WEB-1006", customer, FALSE,
                                        "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}]",
                                        a, NULL);
  g_autoptr(PosDatabase) db = term_open (a);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosProduct) extra = NULL;
  g_autoptr(PosCartLine) extra_line = NULL;
  g_autofree char *sale = NULL;
  g_autofree char *paid_by = NULL;
  g_autofree char *sale_order = NULL;
  g_autofree char *local_order = NULL;
  PosCartTotals totals;
  PosPickupHandover h = { .order_id = order, .identity = POS_PICKUP_IDENTITY_CODE, .pickup_code = CODE };
  gint64 acu_before = central_stock (env, "ACU-1");
  gint64 bis_before = central_stock (env, "BIS-MARIA");

  counter_open (db);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert (!o->paid);
    h.expected_version = o->version;
  }
  /* Not paid: no handover without a sale. */
  ck_assert (!pos_pickups_hand_over (db, &h, TRUE, &error));
  ck_assert (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_PAID));
  g_clear_error (&error);

  ck_assert_msg (pos_pickups_fill_cart (db, &h, cart, &error), "%s", error ? error->message : "?");
  extra = pos_catalog_lookup_sku (db, "BIS-MARIA", &error);
  ck_assert_msg (extra != NULL, "%s", error ? error->message : "?");
  extra_line = pos_cart_line_new (pos_product_get_id (extra), "BIS-MARIA", pos_product_get_name (extra),
                                  pos_product_get_barcode (extra), pos_product_get_price (extra),
                                  pos_product_get_tax_rate_bp (extra), pos_product_get_weighed (extra));
  pos_cart_add_line (cart, extra_line, 1000);
  pos_cart_get_totals (cart, &totals);
  ck_assert_int_eq (totals.due, 2 * 549 + 400);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 1500, NULL, NULL, &error));
  sale = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (sale != NULL, "the sale: %s", error ? error->message : "?");
  local_order = term_text (a, "SELECT pickup_order_id FROM sales WHERE id = ?1", sale);
  ck_assert_str_eq (local_order, order);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
  }

  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);
  assert_central_state (env, order, "PICKED_UP");
  ck_assert_int_eq (central_int (env, "SELECT paid::int FROM orders WHERE id = '%s'", order), 1);
  paid_by = central_str (env, "SELECT paid_by_sale_id FROM orders WHERE id = '%s'", order);
  ck_assert_str_eq (paid_by, sale);
  sale_order = central_str (env, "SELECT data::json->>'pickup_order_id' FROM sales WHERE id = '%s'", sale);
  ck_assert_str_eq (sale_order, order);
  ck_assert_int_eq (central_line (env, order, 1, "collected_quantity"), 2000);

  /* The stock moved once per item: the order's line as a pickup, the
   * extra item as a sale; the handover itself moved nothing more. */
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s' "
                                      "AND sku = 'ACU-1' AND reason = 'pickup'", sale), 1);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s' "
                                      "AND sku = 'BIS-MARIA' AND reason = 'sale'", sale), 1);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s'", sale), 2);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s'", order), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), acu_before - 2000);
  ck_assert_int_eq (central_stock (env, "BIS-MARIA"), bis_before - 1000);
  ck_assert_uint_ge (timeline_count (env, customer, "purchase", NULL), 1);
  ck_assert_uint_eq (timeline_count (env, customer, "notification", NULL), 2);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert (o->paid);
    ck_assert_int_eq (o->version, central_int (env, "SELECT version FROM orders WHERE id = '%s'", order));
  }

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. An item refused at the handover, refunded through the central    */

START_TEST (test_refused_item)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *customer = new_customer (env, "Caio Nunes", "caio@example.com");
  g_autofree char *order = NULL;
  g_autofree char *approval = NULL;
  g_autofree char *summaries = NULL;
  g_autofree char *approver = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  PosPickupCollect lines[] = { { 1, 2000, 0 }, { 2, 0, 1000 } };
  PosPickupHandover h = { .identity = POS_PICKUP_IDENTITY_CODE, .pickup_code = CODE,
                          .lines = lines, .n_lines = G_N_ELEMENTS (lines), .refuse_reason = "damaged" };
  gint64 caf_before = central_stock (env, "CAF-500");

  central_staff (env, a);
  order = ready_order (env, "WEB-1007", customer, TRUE,
                       "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}, "
                       "{\"sku\": \"CAF-500\", \"quantity\": 1000, \"unit_price\": 1899}]", a, NULL);
  db = term_open (a);
  term_sign_in (db, "7001", "2580");
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    h.order_id = order;
    h.expected_version = o->version;
  }

  /* A cashier can't refuse alone; a supervisor approves. */
  ck_assert (!pos_pickups_hand_over (db, &h, TRUE, &error));
  ck_assert_msg (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NEEDS_APPROVAL), "%s", error->message);
  g_clear_error (&error);
  approval = grant (db, POS_PERMISSION_REFUND, "8001", "6193");
  h.approval_id = approval;
  ck_assert_msg (pos_pickups_hand_over (db, &h, TRUE, &error), "%s", error ? error->message : "?");

  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);
  ck_assert_int_eq (term_unsettled (a, "pickup.refund"), 0);
  assert_central_state (env, order, "PICKED_UP");
  ck_assert_int_eq (central_line (env, order, 1, "collected_quantity"), 2000);
  ck_assert_int_eq (central_line (env, order, 2, "collected_quantity"), 0);
  ck_assert_int_eq (central_line (env, order, 2, "refunded_quantity"), 1000);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM order_refunds WHERE order_id = '%s'", order), 1);
  ck_assert_int_eq (central_int (env, "SELECT amount FROM order_refunds WHERE order_id = '%s'", order), 1899);
  approver = central_str (env, "SELECT approver_id FROM order_refunds WHERE order_id = '%s'", order);
  {
    g_autofree char *supervisor = term_text (a, "SELECT id FROM staff WHERE code = ?1", "8001");

    ck_assert_str_eq (approver, supervisor);
  }
  ck_assert_uint_eq (timeline_count (env, customer, "refund", &summaries), 1);
  ck_assert_msg (strstr (summaries, "damaged") != NULL, "refund event: %s", summaries);
  /* The refused item did not leave the store. */
  ck_assert_int_eq (central_stock (env, "CAF-500"), caf_before);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
    ck_assert_int_eq (order_line (o, 2)->refunded_quantity, 1000);
    ck_assert_int_eq (o->version, central_int (env, "SELECT version FROM orders WHERE id = '%s'", order));
  }

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 7. A missing item: on hold, the channel decides "partial"           */

START_TEST (test_exception_partial)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *customer = new_customer (env, "Enzo Prado", "enzo@example.com");
  g_autofree char *order = NULL;
  g_autofree char *note = NULL;
  g_autofree char *status_path = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  gint64 reserved_before = central_reserved (env, "CAF-500");
  guint line_no = 0;

  order = post_order (env, "WEB-1008", "pickup", customer, TRUE,
                      "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}, "
                      "{\"sku\": \"CAF-500\", \"quantity\": 1000, \"unit_price\": 1899}]", NULL);
  term_sync_ok (a);
  db = term_open (a);
  counter_open (db);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert (pos_pickups_start_picking (db, order, o->version, &error));
  }
  ck_assert (pos_pickups_pick_scan (db, order, "7891000100103", &line_no, &error));
  ck_assert (pos_pickups_pick_scan (db, order, "7891000100103", &line_no, &error));
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_msg (pos_pickups_report_exception (db, order, o->version, 2, 1000, NULL, "shelf empty", &error),
                   "%s", error ? error->message : "?");
  }
  ck_assert (group_has (db, POS_PICKUP_GROUP_ON_HOLD, order));

  term_sync_ok (a);
  ck_assert_uint_eq (term_dead (a), 0);
  assert_central_state (env, order, "ON_HOLD");
  ck_assert_int_eq (central_line (env, order, 2, "missing_quantity"), 1000);
  note = central_str (env, "SELECT exception_note FROM orders WHERE id = '%s'", order);
  ck_assert_str_eq (note, "shelf empty");
  ck_assert_uint_ge (timeline_count (env, customer, "order_status", NULL), 1);

  /* The channel goes ahead without the coffee. */
  status_path = g_strconcat ("/v1/channel/orders/", order, "/status", NULL);
  CHANNEL_OK (env, "POST", status_path, "{\"to\": \"READY_FOR_PICKUP\", \"resolution\": \"partial\"}");
  assert_central_state (env, order, "READY_FOR_PICKUP");
  ck_assert_int_eq (central_line (env, order, 2, "quantity"), 0);
  ck_assert_int_eq (central_int (env, "SELECT total FROM orders WHERE id = '%s'", order), 2 * 549);
  ck_assert_int_eq (central_reserved (env, "CAF-500"), reserved_before);

  /* The terminal sees it ready, without the line. */
  term_sync_ok (a);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, order);

    ck_assert_int_eq (o->state, POS_PICKUP_READY_FOR_PICKUP);
    ck_assert_int_eq (o->total, 2 * 549);
    ck_assert_ptr_null (o->exception_note);
    ck_assert_int_eq (order_line (o, 2)->quantity, 0);
    ck_assert_int_eq (order_line (o, 2)->missing_quantity, 0);
    ck_assert_int_eq (order_line (o, 1)->quantity, 2000);
    ck_assert_int_eq (o->version, central_int (env, "SELECT version FROM orders WHERE id = '%s'", order));
    ck_assert (group_has (db, POS_PICKUP_GROUP_READY, order));
  }

  /* And hands over what is left. */
  HAND_OVER_OK (db, order, NULL, 0, TRUE);
  term_sync_ok (a);
  assert_central_state (env, order, "PICKED_UP");
  ck_assert_int_eq (central_line (env, order, 1, "collected_quantity"), 2000);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 8. Offline handovers: one accepted, two refused after reconnecting  */

START_TEST (test_offline_handover)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  Term *b = term_new (env, "b");
  const char *line = "[{\"sku\": \"ACU-1\", \"quantity\": 1000, \"unit_price\": 549}]";
  g_autofree char *accepted = ready_order (env, "WEB-1009", NULL, TRUE, line, NULL);
  g_autofree char *cancelled = ready_order (env, "WEB-1010", NULL, TRUE, line, NULL);
  g_autofree char *taken = ready_order (env, "WEB-1011", NULL, TRUE, line, NULL);
  g_autofree char *b_name = NULL;
  g_autoptr(PosDatabase) db = term_open (a);
  g_autoptr(PosDatabase) db_b = term_open (b);
  g_autoptr(GPtrArray) incidents = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const cancel[] = { "NO_SHOW", "CANCELLED", NULL };
  gboolean seen_cancelled = FALSE, seen_taken = FALSE;

  term_sync_ok (a);
  term_sync_ok (b);
  counter_open (db);
  counter_open (db_b);

  /* Offline. */
  proxy_set (env, "refuse");
  ck_assert (!pos_sync_run_once (a->path, NULL, &error));
  ck_assert_msg (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NETWORK), "%s", error->message);
  g_clear_error (&error);

  /* Only against the right code. */
  ck_assert (!hand_over (db, accepted, "111111", NULL, 0, FALSE, &error));
  ck_assert (g_error_matches (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE));
  g_clear_error (&error);
  HAND_OVER_OK (db, accepted, NULL, 0, FALSE);
  HAND_OVER_OK (db, cancelled, NULL, 0, FALSE);
  HAND_OVER_OK (db, taken, NULL, 0, FALSE);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, accepted);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
    ck_assert (o->provisional);
    ck_assert (o->pending);
  }
  ck_assert (!pos_sync_run_once (a->path, NULL, &error));
  g_clear_error (&error);

  /* Meanwhile at the central: one cancelled by the channel, one handed
   * over at terminal B (the proxy lets B through; A does not try again
   * until it is told to sync). */
  channel_move (env, cancelled, cancel);
  proxy_set (env, "pass");
  HAND_OVER_OK (db_b, taken, NULL, 0, TRUE);
  term_sync_ok (b);
  assert_central_state (env, taken, "PICKED_UP");
  assert_central_state (env, cancelled, "CANCELLED");

  /* A reconnects. */
  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  assert_central_state (env, accepted, "PICKED_UP");
  ck_assert_int_eq (central_int (env, "SELECT last_provisional::int FROM orders WHERE id = '%s'", accepted), 1);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, accepted);

    ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
    ck_assert (!o->provisional);
    ck_assert (!o->pending);
    ck_assert_ptr_null (o->incident);
  }
  b_name = central_str (env, "SELECT name FROM terminals WHERE id = '%s'", b->terminal_id);
  incidents = pos_pickups_list_incidents (db, &error);
  ck_assert_msg (incidents != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (incidents->len, 2);
  for (guint i = 0; i < incidents->len; i++)
    {
      PosPickupOrder *o = g_ptr_array_index (incidents, i);

      ck_assert (!o->provisional);
      ck_assert_ptr_nonnull (o->incident);
      if (g_str_equal (o->id, cancelled))
        {
          seen_cancelled = TRUE;
          ck_assert_int_eq (o->state, POS_PICKUP_CANCELLED);
          ck_assert_msg (strstr (o->incident, o->number) != NULL, "%s", o->incident);
        }
      else if (g_str_equal (o->id, taken))
        {
          seen_taken = TRUE;
          ck_assert_int_eq (o->state, POS_PICKUP_PICKED_UP);
          ck_assert_msg (strstr (o->incident, b_name) != NULL, "the incident names %s: %s", b_name, o->incident);
        }
    }
  ck_assert (seen_cancelled && seen_taken);
  {
    g_autoptr(PosPickupOrder) o = term_order (a, taken);
    g_autofree char *last = central_str (env, "SELECT last_terminal_id FROM orders WHERE id = '%s'", taken);

    ck_assert_str_eq (last, b->terminal_id);
    ck_assert_int_eq (o->version, central_int (env, "SELECT version FROM orders WHERE id = '%s'", taken));
  }

  term_free (a);
  term_free (b);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 9. An item of a delivery order brought back to the counter          */

START_TEST (test_online_return)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *customer = new_customer (env, "Nina Alves", "nina@example.com");
  g_autofree char *number = NULL;
  g_autofree char *order = NULL;
  g_autofree char *return_id = NULL;
  g_autoptr(PosDatabase) db = term_open (a);
  g_autoptr(PosOnlineOrder) found = NULL;
  g_autoptr(PosOnlineOrder) again = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const delivered[] = { "SHIPPED", "DELIVERED", NULL };
  PosOnlineReturnItem one[] = { { 1, 1000 } };
  PosOnlineReturnItem too_many[] = { { 1, 2000 } };
  gint64 amount = 0;
  gint64 stock_before = central_stock (env, "ACU-1");
  gint64 local_before = term_stock (a, "ACU-1");
  gint64 outbox_before;

  order = post_order (env, "WEB-2001", "delivery", customer, TRUE,
                      "[{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}, "
                      "{\"sku\": \"CAF-500\", \"quantity\": 1000, \"unit_price\": 1899}]", &number);
  channel_move (env, order, delivered);
  counter_open (db);

  found = pos_online_orders_lookup (db, number, &error);
  ck_assert_msg (found != NULL, "lookup %s: %s", number, error ? error->message : "?");
  ck_assert_str_eq (found->id, order);
  ck_assert_str_eq (found->fulfilment, "delivery");
  ck_assert_str_eq (found->state, "DELIVERED");
  ck_assert_uint_eq (found->lines->len, 2);
  ck_assert_int_eq (pos_online_order_line_returnable (found, g_ptr_array_index (found->lines, 0)), 2000);

  return_id = pos_online_orders_return (db, found, one, G_N_ELEMENTS (one), "wrong size", NULL, &amount, &error);
  ck_assert_msg (return_id != NULL, "return: %s", error ? error->message : "?");
  ck_assert_int_eq (amount, 549);
  ck_assert_int_eq (term_stock (a, "ACU-1"), local_before + 1000);

  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);
  ck_assert_int_eq (central_line (env, order, 1, "returned_quantity"), 1000);
  ck_assert_int_eq (central_line (env, order, 2, "returned_quantity"), 0);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM order_returns WHERE id = '%s'", return_id), 1);
  ck_assert_int_eq (central_int (env, "SELECT amount FROM order_returns WHERE id = '%s'", return_id), 549);
  /* The goods went back into this store's stock, once. */
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s' "
                                      "AND reason = 'return' AND delta = 1000", return_id), 1);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s'", return_id), 1);
  ck_assert_int_eq (central_stock (env, "ACU-1"), stock_before + 1000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), stock_before + 1000);
  ck_assert_uint_eq (timeline_count (env, customer, "return", NULL), 1);

  /* Looked up again, it shows the return; more than is left is refused
   * at the counter, and nothing is written. */
  again = pos_online_orders_lookup (db, number, &error);
  ck_assert_msg (again != NULL, "lookup again: %s", error ? error->message : "?");
  ck_assert_int_eq (((PosOnlineOrderLine *) g_ptr_array_index (again->lines, 0))->returned_quantity, 1000);
  ck_assert_int_eq (pos_online_order_line_returnable (again, g_ptr_array_index (again->lines, 0)), 1000);
  outbox_before = term_int (a, "SELECT count(*) FROM outbox", NULL);
  ck_assert_ptr_null (pos_online_orders_return (db, again, too_many, G_N_ELEMENTS (too_many), "wrong size",
                                                NULL, NULL, &error));
  ck_assert_msg (g_error_matches (error, POS_ONLINE_ORDERS_ERROR, POS_ONLINE_ORDERS_ERROR_INVALID),
                 "%s", error ? error->message : "accepted");
  g_clear_error (&error);
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM outbox", NULL), outbox_before);
  ck_assert_int_eq (term_stock (a, "ACU-1"), stock_before + 1000);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 10. The demo's command posts orders that reach the queue            */

START_TEST (test_demo_post)
{
  Env *env = pickups_env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(PosDatabase) db = term_open (a);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queue = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) rows = NULL;
  const char *args[] = { "order", "post", "--store", STORE, "--count", "3", NULL };
  guint counts[POS_PICKUP_N_GROUPS] = { 0, };
  guint n = 0;

  out = central_run (env, args);
  rows = g_strsplit (g_strstrip (out), "\n", -1);
  ck_assert_uint_eq (g_strv_length (rows), 3);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM orders o JOIN stores s ON s.id = o.store_id "
                                      "WHERE s.code = '%s' AND o.state = 'PLACED'", STORE), 3);

  term_sync_ok (a);
  queue = pos_pickups_list (db, POS_PICKUP_GROUP_NEW, NULL, 0, &error);
  ck_assert_msg (queue != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (queue->len, 3);
  ck_assert (pos_pickups_count (db, counts, &error));
  ck_assert_uint_eq (counts[POS_PICKUP_GROUP_NEW], 3);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      /* NUMBER \t CODE \t BALCAO:PICKUP:NUMBER:CODE */
      g_auto(GStrv) fields = g_strsplit (rows[i], "\t", 3);
      g_autofree char *qr_number = NULL, *qr_code = NULL;

      ck_assert_uint_eq (g_strv_length (fields), 3);
      ck_assert (pos_pickups_parse_qr (fields[2], &qr_number, &qr_code));
      ck_assert_str_eq (qr_number, fields[0]);
      ck_assert_str_eq (qr_code, fields[1]);
      for (guint j = 0; j < queue->len; j++)
        {
          PosPickupOrder *o = g_ptr_array_index (queue, j);

          if (g_str_equal (o->number, fields[0]))
            {
              n++;
              ck_assert_ptr_nonnull (o->customer_name);
              ck_assert_uint_ge (o->n_lines, 1);
            }
        }
    }
  ck_assert_uint_eq (n, 3);

  /* --delivered: a home delivery the customer can bring back here. */
  {
    const char *delivered[] = { "order", "post", "--store", STORE, "--delivered", NULL };
    g_autofree char *line = central_run (env, delivered);
    g_auto(GStrv) fields = g_strsplit (g_strstrip (line), "\t", 2);
    g_autoptr(PosOnlineOrder) order = NULL;
    const PosOnlineOrderLine *first;

    ck_assert_uint_eq (g_strv_length (fields), 2);
    ck_assert_str_eq (fields[1], "delivered");
    order = pos_online_orders_lookup (db, fields[0], &error);
    ck_assert_msg (order != NULL, "%s", error ? error->message : "?");
    ck_assert_str_eq (order->fulfilment, "delivery");
    ck_assert_str_eq (order->state, "DELIVERED");
    first = g_ptr_array_index (order->lines, 0);
    ck_assert_int_eq (pos_online_order_line_returnable (order, first), first->quantity);
  }

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
pickups_suite (void)
{
  Suite *s = suite_create ("sync-e2e-pickups");
  struct {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "pickup-journey", test_journey },
    { "pickup-race", test_race },
    { "pickup-partial", test_partial },
    { "pickup-no-show-expiry", test_no_show_and_expiry },
    { "pickup-pay-in-store", test_pay_in_store },
    { "pickup-refused-item", test_refused_item },
    { "pickup-exception", test_exception_partial },
    { "pickup-offline", test_offline_handover },
    { "online-return", test_online_return },
    { "pickup-demo-post", test_demo_post },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tc = tcase_create (cases[i].name);

      tcase_set_timeout (tc, 600);
      tcase_add_test (tc, cases[i].test);
      suite_add_tcase (s, tc);
    }
  return s;
}

int
main (int   argc,
      char *argv[])
{
  return sync_e2e_main (argc, argv, pickups_suite ());
}
