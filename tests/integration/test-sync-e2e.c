/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sync-e2e"

#include "config.h"

#include <check.h>
#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "domain/pos-pin.h"
#include "domain/pos-sync-wire.h"
#include "domain/pos-uuid.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-sync-engine.h"
#include "sync-e2e-lib.h"
#include "test-tmpdir.h"

/* End to end: terminals (the engine in this process, or balcao-ctl as a
 * process of its own) talking to a real balcao-central on a real
 * PostgreSQL, through tests/integration/fault-proxy.py, which breaks the
 * network and the central's answers on demand. What is checked is the
 * protocol's promise (docs/sync-protocol.md): every operation reaches the
 * central exactly once, whatever fails in between, and the terminal keeps
 * selling meanwhile.
 *
 *   test-sync-e2e [CASE]     runs one test case (meson runs each on its own)
 *
 * Nothing here asserts on time: every wait is for a condition, with a
 * generous deadline. */

/* ------------------------------------------------------------------ */
/* 1. Offline, then the network comes back                             */

START_TEST (test_offline_sale_once)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *keep = NULL;
  PosSyncEngine *engine;
  gint64 before = central_stock (env, "ACU-1");

  proxy_set (env, "refuse");
  s1 = term_sell (a, "ACU-1", 2000);
  ck_assert (!pos_sync_run_once (a->path, NULL, &error));
  ck_assert_msg (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_NETWORK),
                 "offline: %s", error->message);
  ck_assert_int_eq (central_has_sale (env, s1), 0);
  ck_assert_uint_eq (term_pending_sales (a), 1);

  /* The engine, live: offline, the counter keeps selling. */
  engine = engine_start (a);
  WAIT_UNTIL (pos_sync_engine_get_state (engine) == POS_SYNC_STATE_OFFLINE, "the engine to be offline");
  s2 = term_sell (a, "ACU-1", 1000);
  pos_sync_engine_kick (engine);
  WAIT_UNTIL (term_attempts (a, s2) >= 1, "a try to send the second sale");
  ck_assert_int_eq (central_has_sale (env, s2), 0);

  /* The network is back: it drains on its own. */
  proxy_set (env, "pass");
  WAIT_UNTIL (term_pending (a) == 0, "the outbox to drain");
  WAIT_UNTIL (pos_sync_engine_get_pending (engine) == 0, "the engine to say so");
  engine_free (engine);

  assert_once (a, s1);
  assert_once (a, s2);
  ck_assert_str_eq (outbox_status (a, s1, &keep), "applied");
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 3000);
  ck_assert_uint_eq (term_dead (a), 0);

  /* Once more changes nothing; and the terminal shows the central's level. */
  term_sync_ok (a);
  assert_once (a, s1);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 3000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 3000);
  assert_in_step (a);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. The central restarts in the middle of a push                     */

START_TEST (test_central_restart_mid_push)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autofree char *s2 = NULL, *s3 = NULL, *keep = NULL;
  PosSyncEngine *engine;
  gint64 before = central_stock (env, "ACU-1");
  guint n_first = POS_SYNC_MAX_BATCH + 50;   /* more than a batch */
  gint64 applied = 0;
  gint64 in_first_batch;
  g_autofree char *first_batch_sql = g_strdup_printf (
      "SELECT count(*) FROM (SELECT type FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT %d) "
      "WHERE type = 'sale.create'", POS_SYNC_MAX_BATCH);

  /* The central applies the first batch; its answer never comes back. */
  first = term_sell_many (a, "ACU-1", n_first);
  in_first_batch = term_int (a, first_batch_sql, NULL);
  ck_assert_int_gt (in_first_batch, 0);
  ck_assert_int_lt (in_first_batch, n_first);
  proxy_set (env, "hold path=/v1/sync/push");
  engine = engine_start (a);
  WAIT_UNTIL ((applied = central_int (env, "SELECT count(*) FROM sales WHERE terminal_id = '%s'", a->terminal_id)) > 0,
              "the central to apply the held push");
  ck_assert_int_eq (applied, in_first_batch);
  ck_assert_uint_eq (term_pending_sales (a), n_first);

  /* Down it goes, and the answer is lost with it. */
  ck_assert_msg (central_harness_stop_server (env->central, &error), "%s", error ? error->message : "?");
  proxy_set (env, "pass");
  s2 = term_sell (a, "ACU-1", 2000);
  pos_sync_engine_kick (engine);
  WAIT_UNTIL (proxy_log_has (env, "POST /v1/sync/push: upstream failed"), "a try to send while the central is down");

  /* A request the proxy swallows (not forwarded) while it comes back. */
  proxy_set (env, "timeout path=/v1/sync/push count=1");
  s3 = term_sell (a, "ACU-1", 3000);
  ck_assert_msg (central_harness_start_server (env->central, &error), "%s", error ? error->message : "?");
  pos_sync_engine_kick (engine);
  WAIT_UNTIL (proxy_log_has (env, "timeout (not forwarded)"), "the proxy to swallow a push");
  WAIT_UNTIL (term_pending (a) == 0, "the outbox to drain after the restart");
  engine_free (engine);

  assert_once (a, g_ptr_array_index (first, 0));
  assert_once (a, g_ptr_array_index (first, n_first - 1));
  assert_once (a, s2);
  assert_once (a, s3);
  ck_assert_str_eq (outbox_status (a, g_ptr_array_index (first, 0), &keep), "duplicate");
  ck_assert_str_eq (outbox_status (a, g_ptr_array_index (first, n_first - 1), &keep), "applied");
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 1000 * n_first - 5000);
  ck_assert_uint_eq (term_dead (a), 0);
  assert_in_step (a);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. The terminal is killed in the middle of a push                   */

static GSubprocess *
ctl_spawn (Term               *t,
           const char * const *args)
{
  g_autofree char *ctl = build_path ("src/cli/balcao-ctl");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  GSubprocess *p;

  g_ptr_array_add (argv, ctl);
  g_ptr_array_add (argv, (char *) "--database");
  g_ptr_array_add (argv, t->path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  /* Its output goes to stderr: stdout is this program's TAP stream. */
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  p = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  ck_assert_msg (p != NULL, "balcao-ctl: %s", error ? error->message : "?");
  return p;
}

START_TEST (test_terminal_killed_mid_push)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GSubprocess) once = NULL;
  g_autofree char *keep = NULL;
  const char *run_args[] = { "sync", "run", NULL };
  const char *once_args[] = { "sync", "run", "--once", NULL };
  char *sales[3];
  gint64 before = central_stock (env, "ACU-1");

  for (guint i = 0; i < G_N_ELEMENTS (sales); i++)
    sales[i] = term_sell (a, "ACU-1", 1000);

  proxy_set (env, "hold path=/v1/sync/push");
  run = ctl_spawn (a, run_args);
  for (guint i = 0; i < G_N_ELEMENTS (sales); i++)
    WAIT_UNTIL (central_has_sale (env, sales[i]) == 1, "the central to apply the held push");
  ck_assert_uint_eq (term_pending_sales (a), 3);

  g_subprocess_send_signal (run, SIGKILL);
  ck_assert (g_subprocess_wait (run, NULL, &error));
  ck_assert (g_subprocess_get_if_signaled (run));
  ck_assert_uint_eq (term_pending_sales (a), 3);

  proxy_set (env, "pass");
  once = ctl_spawn (a, once_args);
  ck_assert (g_subprocess_wait (once, NULL, &error));
  ck_assert_msg (g_subprocess_get_successful (once), "balcao-ctl sync run --once failed");

  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);
  for (guint i = 0; i < G_N_ELEMENTS (sales); i++)
    {
      assert_once (a, sales[i]);
      ck_assert_str_eq (outbox_status (a, sales[i], &keep), "duplicate");
      g_free (sales[i]);
    }
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 3000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 3000);
  assert_in_step (a);

  term_free (a);
  env_free (env);
}
END_TEST

static char *
csv_with_price (const char *old_price,
                const char *new_price)
{
  g_autofree char *csv = fixture_catalog ();
  g_autofree char *from = g_strconcat (",", old_price, ",", NULL);
  g_autofree char *to = g_strconcat (",", new_price, ",", NULL);
  g_auto(GStrv) parts = g_strsplit (csv, from, 2);

  ck_assert_uint_eq (g_strv_length (parts), 2);
  return g_strjoinv (to, parts);
}

static gint64
term_price (Term       *t,
            const char *sku)
{
  return term_int (t, "SELECT amount FROM prices pr JOIN products p ON p.id = pr.product_id "
                      "WHERE p.sku = ?1 AND pr.price_list = 'retail'", sku);
}

/* ------------------------------------------------------------------ */
/* 4. Each fault: the counter keeps selling, nothing lost or doubled   */

static const struct {
  const char *mode;
  gboolean    forwarded;   /* the central applied the push before the fault */
} faults[] = {
  { "http500", FALSE },
  { "http503 retry_after=1", FALSE },
  { "reset", FALSE },
  { "timeout", FALSE },
  { "truncate", TRUE },
  { "malformed", TRUE },
  { "slow delay=2", TRUE },
};

START_TEST (test_fault)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *s1 = NULL, *s2 = NULL, *keep = NULL;
  g_autofree char *mode = g_strdup_printf ("%s path=/v1/sync/push", faults[_i].mode);
  g_auto(GStrv) words = g_strsplit (faults[_i].mode, " ", 2);
  g_autofree char *faulted = g_strdup_printf ("POST /v1/sync/push: %s", words[0]);
  PosSyncEngine *engine;
  gint64 before = central_stock (env, "ACU-1");
  guint seen;

  proxy_set (env, mode);
  s1 = term_sell (a, "ACU-1", 1000);
  engine = engine_start (a);
  WAIT_UNTIL (proxy_log_has (env, faulted), "a push to meet the fault");
  if (faults[_i].forwarded)
    WAIT_UNTIL (central_has_sale (env, s1) == 1, "the central to apply the first sale");

  /* The fault is still on: the counter sells, and its engine keeps trying
   * (two more pushes meet the fault: the second began after the sale). */
  s2 = term_sell (a, "ACU-1", 2000);
  seen = proxy_log_count (env, faulted);
  pos_sync_engine_kick (engine);
  WAIT_UNTIL (proxy_log_count (env, faulted) >= seen + 2, "pushes of the second sale to meet the fault");
  ck_assert_uint_eq (term_pending_sales (a), 2);
  ck_assert_uint_eq (term_dead (a), 0);
  ck_assert_int_eq (central_has_sale (env, s2), faults[_i].forwarded ? 1 : 0);

  proxy_set (env, "pass");
  WAIT_UNTIL (term_pending (a) == 0, "the outbox to drain once the fault ends");
  engine_free (engine);

  assert_once (a, s1);
  assert_once (a, s2);
  ck_assert_str_eq (outbox_status (a, s1, &keep), faults[_i].forwarded ? "duplicate" : "applied");
  ck_assert_str_eq (outbox_status (a, s2, &keep), faults[_i].forwarded ? "duplicate" : "applied");
  ck_assert_uint_eq (term_dead (a), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 3000);
  term_sync_ok (a);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 3000);
  assert_in_step (a);

  term_free (a);
  env_free (env);
}
END_TEST

/* "never sooner than Retry-After" (§5): a busy central that asks for an
 * hour is not asked again when the counter sells (the app kicks the engine
 * at every sale). Watched for a few seconds: a slow machine can only make
 * this pass, never fail. */
START_TEST (test_retry_after_honoured)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *s1 = NULL, *s2 = NULL;
  const char *faulted = "POST /v1/sync/push: http503";
  PosSyncEngine *engine;
  gint64 until;

  proxy_set (env, "http503 retry_after=3600 path=/v1/sync/push");
  s1 = term_sell (a, "ACU-1", 1000);
  engine = engine_start (a);
  WAIT_UNTIL (proxy_log_count (env, faulted) == 1 &&
              pos_sync_engine_get_state (engine) == POS_SYNC_STATE_OFFLINE, "the central to answer 503");

  s2 = term_sell (a, "ACU-1", 1000);
  pos_sync_engine_kick (engine);
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (100 * 1000);
    }
  ck_assert_msg (proxy_log_count (env, faulted) == 1,
                 "the engine pushed %u times to a central that said Retry-After: 3600",
                 proxy_log_count (env, faulted));
  engine_free (engine);
  ck_assert_uint_eq (term_pending_sales (a), 2);

  term_free (a);
  env_free (env);
}
END_TEST

/* The same faults on every request (pulls and long polls too). */
START_TEST (test_fault_everywhere)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *s1 = NULL;
  g_autofree char *csv = csv_with_price ("5.49", "5.99");
  g_auto(GStrv) words = g_strsplit (faults[_i].mode, " ", 2);
  g_autofree char *faulted = g_strdup_printf ("POST /v1/sync/push: %s", words[0]);
  PosSyncEngine *engine;
  gint64 before = central_stock (env, "ACU-1");

  proxy_set (env, faults[_i].mode);
  s1 = term_sell (a, "ACU-1", 1000);
  engine = engine_start (a);
  WAIT_UNTIL (proxy_log_has (env, faulted), "a push to meet the fault");
  central_import (env, csv);
  proxy_set (env, "pass");
  WAIT_UNTIL (term_pending (a) == 0, "the outbox to drain once the fault ends");
  WAIT_UNTIL (term_stock (a, "ACU-1") == before - 1000 && term_price (a, "ACU-1") == 599,
              "the terminal to pull the central's level and price");
  engine_free (engine);

  assert_once (a, s1);
  ck_assert_uint_eq (term_dead (a), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 1000);
  assert_in_step (a);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. What comes back: prices, stock, customers, an expired cursor     */

START_TEST (test_price_change)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *csv = csv_with_price ("5.49", "5.99");
  PosSyncEngine *engine;

  {
    g_autoptr(PosDatabase) db = term_open (a);
    g_autoptr(PosProduct) p = pos_catalog_lookup_sku (db, "ACU-1", NULL);
    ck_assert_int_eq (pos_product_get_price (p), 549);
  }
  engine = engine_start (a);
  central_import (env, csv);
  WAIT_UNTIL (term_price (a, "ACU-1") == 599, "the new price to reach the terminal");
  engine_free (engine);
  {
    g_autoptr(PosDatabase) db = term_open (a);
    g_autoptr(PosProduct) p = pos_catalog_lookup_sku (db, "ACU-1", NULL);
    ck_assert_int_eq (pos_product_get_price (p), 599);
  }

  term_free (a);
  env_free (env);
}
END_TEST

START_TEST (test_two_terminals_stock)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  Term *b = term_new (env, "b");
  g_autofree char *sa = NULL, *sb = NULL;
  gint64 before = central_stock (env, "ACU-1");

  ck_assert_str_ne (a->terminal_id, b->terminal_id);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before);
  ck_assert_int_eq (term_stock (b, "ACU-1"), before);
  sa = term_sell (a, "ACU-1", 2000);
  sb = term_sell (b, "ACU-1", 3000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 2000);
  ck_assert_int_eq (term_stock (b, "ACU-1"), before - 3000);

  term_sync_ok (a);
  term_sync_ok (b);
  term_sync_ok (a);
  assert_once (a, sa);
  assert_once (b, sb);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 5000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 5000);
  ck_assert_int_eq (term_stock (b, "ACU-1"), before - 5000);
  ck_assert_int_eq (term_int (a, "SELECT COALESCE (SUM (local_delta), 0) FROM stock_levels", NULL), 0);
  ck_assert_int_eq (term_int (b, "SELECT COALESCE (SUM (local_delta), 0) FROM stock_levels", NULL), 0);
  assert_in_step (a);
  assert_in_step (b);

  term_free (a);
  term_free (b);
  env_free (env);
}
END_TEST

static gint64
term_consent (Term       *t,
              const char *customer_id,
              const char *channel)
{
  g_autofree char *sql = g_strdup_printf ("SELECT granted FROM customer_consents WHERE customer_id = ?1 AND channel = '%s'",
                                          channel);
  return term_int (t, sql, customer_id);
}

START_TEST (test_customer_edited_twice)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = new_customer (env, "Ana Lima", "ana@example.com");
  g_autofree char *path = g_strconcat ("/v1/channel/customers/", id, NULL);
  g_autofree char *text = NULL;
  gint64 base_version, t1;

  term_know_customer (a, id, "ana@example.com");
  term_sync_ok (a);
  base_version = term_int (a, "SELECT version FROM customers WHERE id = ?1", id);
  ck_assert_int_gt (base_version, 0);

  /* At the counter, offline: name, e-mail and phone changed, e-mail
   * marketing refused, WhatsApp still granted. */
  t1 = pos_now_ms ();
  {
    g_autoptr(PosDatabase) db = term_open (a);
    g_autofree char *c1 = consent_json ("email", FALSE, "store", t1);
    g_autofree char *c2 = consent_json ("whatsapp", TRUE, "store", t1);
    g_autofree char *payload = g_strdup_printf (
        "{\"id\": \"%s\", \"base_version\": %" G_GINT64_FORMAT ", \"fields\": {\"name\": \"Ana Lima Souza\", "
        "\"email\": \"ana.balcao@example.com\", \"phone\": \"+5511988887777\"}, \"consents\": [%s, %s]}",
        id, base_version, c1, c2);
    sqlite3_stmt *stmt;

    ck_assert (pos_database_begin (db, &error));
    stmt = pos_database_prepare_cached (db,
        "UPDATE customers SET name = 'Ana Lima Souza', email = 'ana.balcao@example.com', "
        "phone = '+5511988887777', updated_at = ?2 WHERE id = ?1", &error);
    ck_assert_ptr_nonnull (stmt);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, t1);
    ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
    ck_assert (pos_database_enqueue_outbox (db, "customer.upsert", id, payload, &error));
    ck_assert (pos_database_commit (db, &error));
  }

  /* Meanwhile the web shop, concurrently (no base_version): an older name
   * edit, then a newer e-mail edit that grants e-mail and refuses WhatsApp. */
  {
    g_autofree char *body = g_strdup_printf ("{\"name\": \"Ana L. (web)\", \"updated_at\": %" G_GINT64_FORMAT "}",
                                             t1 - 60000);
    CHANNEL_OK (env, "PUT", path, body);
  }
  {
    g_autofree char *c1 = consent_json ("email", TRUE, "web", t1 + 60000);
    g_autofree char *c2 = consent_json ("whatsapp", FALSE, "web", t1 + 60000);
    g_autofree char *body = g_strdup_printf ("{\"email\": \"ana.web@example.com\", \"consents\": [%s, %s], "
                                             "\"updated_at\": %" G_GINT64_FORMAT "}", c1, c2, t1 + 60000);
    CHANNEL_OK (env, "PUT", path, body);
  }

  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  /* Per field, the newest edit; consent, the most restrictive. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT name || '|' || email || '|' || phone FROM customers WHERE id = '%s'",
                                            sql_safe (id));
    text = central_text (env, sql);
  }
  ck_assert_str_eq (text, "Ana Lima Souza|ana.web@example.com|+5511988887777");
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM customer_consents WHERE customer_id = '%s' AND granted", id), 0);

  g_free (text);
  text = term_text (a, "SELECT name || '|' || email || '|' || phone FROM customers WHERE id = ?1", id);
  ck_assert_str_eq (text, "Ana Lima Souza|ana.web@example.com|+5511988887777");
  ck_assert_int_eq (term_consent (a, id, "email"), 0);
  ck_assert_int_eq (term_consent (a, id, "whatsapp"), 0);

  term_free (a);
  env_free (env);
}
END_TEST

/* Shown stock is the last synced level plus the movements the central has
 * not acknowledged (§ Who wins): a push that is acknowledged while the pull
 * after it fails must not make the sold units reappear. */
START_TEST (test_stock_between_push_and_pull)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = NULL;
  gint64 before = central_stock (env, "ACU-1");

  ck_assert_int_eq (term_stock (a, "ACU-1"), before);
  sale = term_sell (a, "ACU-1", 2000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 2000);

  proxy_set (env, "reset path=/v1/sync/pull");
  ck_assert (!pos_sync_run_once (a->path, NULL, &error));
  assert_once (a, sale);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 2000);
  ck_assert_msg (term_stock (a, "ACU-1") == before - 2000,
                 "the terminal shows %" G_GINT64_FORMAT " after its sale was acknowledged and before a pull; "
                 "it showed %" G_GINT64_FORMAT " before", term_stock (a, "ACU-1"), before - 2000);

  proxy_set (env, "pass");
  term_sync_ok (a);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 2000);

  term_free (a);
  env_free (env);
}
END_TEST

/* A batch the central refuses as a whole (400: one operation's payload is
 * not an object): the terminal sends its operations one at a time; the
 * bad one alone becomes a dead letter with the central's words, the
 * others are applied (§5). */
START_TEST (test_poisoned_batch)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *poison = pos_uuid7_new ();
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  PosOutboxEntry *e;

  s1 = term_sell (a, "ACU-1", 1000);
  db = term_open (a);
  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_database_enqueue_outbox (db, "audit.append", poison, "[1, 2, 3]", &error));
  ck_assert (pos_database_commit (db, &error));
  s2 = term_sell (a, "ACU-1", 1000);

  term_sync_ok (a);
  assert_once (a, s1);
  assert_once (a, s2);
  ck_assert_uint_eq (term_pending (a), 0);
  dead = pos_outbox_list_dead (db, &error);
  ck_assert_ptr_nonnull (dead);
  ck_assert_uint_eq (dead->len, 1);
  e = g_ptr_array_index (dead, 0);
  ck_assert_str_eq (e->entity_id, poison);
  ck_assert_str_eq (e->status, "rejected");
  ck_assert_ptr_nonnull (e->last_error);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM terminal_documents WHERE id = '%s'", poison), 0);

  term_free (a);
  env_free (env);
}
END_TEST

/* A clerk changes one contact field at the counter: the row and its
 * customer.upsert, in one transaction (what the customer form does). */
static void
term_edit_customer (Term       *t,
                    const char *id,
                    gint64      base_version,
                    const char *field,
                    const char *value)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) payload = g_string_new (NULL);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  ck_assert (g_str_equal (field, "phone") || g_str_equal (field, "notes") || g_str_equal (field, "email"));
  g_string_append_printf (payload, "{\"id\": \"%s\", \"base_version\": %" G_GINT64_FORMAT ", \"fields\": {\"%s\": ",
                          id, base_version, field);
  pos_sync_append_json_string (payload, value);
  g_string_append (payload, "}, \"consents\": []}");

  sql = g_strdup_printf ("UPDATE customers SET %s = ?2, updated_at = ?3 WHERE id = ?1", field);
  ck_assert (pos_database_begin (db, &error));
  stmt = pos_database_prepare_cached (db, sql, &error);
  ck_assert_ptr_nonnull (stmt);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, pos_now_ms ());
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  ck_assert (pos_database_enqueue_outbox (db, "customer.upsert", id, payload->str, &error));
  ck_assert (pos_database_commit (db, &error));
}

/* Edits of a customer the central erased meanwhile: the first is a dead
 * letter (customer_erased) that holds back the next one on that customer
 * only; a sale made after them goes through; the erasure purges the
 * customer here too. */
START_TEST (test_customer_erased_dead_letter)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *id = new_customer (env, "Eva Martins", "eva@example.com");
  g_autofree char *erase = g_strconcat ("/v1/channel/customers/", id, "/erase", NULL);
  g_autofree char *sale = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  PosOutboxEntry *e;
  gint64 version;

  term_know_customer (a, id, "eva@example.com");
  term_sync_ok (a);
  version = term_int (a, "SELECT version FROM customers WHERE id = ?1", id);
  ck_assert_int_gt (version, 0);
  CHANNEL_OK (env, "POST", erase, "{}");

  term_edit_customer (a, id, version, "phone", "+5511977776666");
  term_edit_customer (a, id, version, "notes", "Prefere retirar na loja");
  sale = term_sell (a, "ACU-1", 1000);
  term_sync_ok (a);

  assert_once (a, sale);
  db = term_open (a);
  dead = pos_outbox_list_dead (db, NULL);
  ck_assert_ptr_nonnull (dead);
  ck_assert_uint_eq (dead->len, 1);
  e = g_ptr_array_index (dead, 0);
  ck_assert_str_eq (e->status, "rejected");
  ck_assert_str_eq (e->entity_id, id);
  ck_assert_str_eq (e->error_code, "customer_erased");
  ck_assert_uint_eq (term_pending (a), 1);
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM outbox WHERE entity_id = ?1 AND status = 'pending'", id), 1);

  /* Erased everywhere: no contact data at the central or here. */
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM customers WHERE id = '%s' AND "
                                      "(email IS NOT NULL OR phone IS NOT NULL OR notes IS NOT NULL)", id), 0);
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM customers WHERE id = ?1 AND "
                                 "(erased_at IS NULL OR email IS NOT NULL OR phone IS NOT NULL OR notes IS NOT NULL)", id), 0);
  /* "purges every piece of personal data it holds" (§3): the outbox too. */
  ck_assert_msg (term_int (a, "SELECT count(*) FROM outbox WHERE instr (payload, '+5511977776666') > 0 "
                              "OR instr (payload, 'Prefere retirar') > 0 OR instr (payload, ?1) > 0", "eva@example.com") == 0,
                 "the erased customer's contact data is still in the outbox");

  term_free (a);
  env_free (env);
}
END_TEST

/* A customer merged at the central while the terminal sold to the merged
 * one and edited it: the sale and the edit land on the survivor, and the
 * terminal rewrites its references. */
START_TEST (test_customer_merged)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *merged = new_customer (env, "Fábio Nunes", "fabio@example.com");
  g_autofree char *survivor = new_customer (env, "Fabio Nunes", "fabio.nunes@example.com");
  g_autofree char *merge = g_strconcat ("/v1/channel/customers/", merged, "/merge", NULL);
  g_autofree char *into = g_strdup_printf ("{\"into\": \"%s\"}", survivor);
  g_autofree char *sale = NULL;
  g_autofree char *text = NULL;
  gint64 version;

  term_know_customer (a, merged, "fabio@example.com");
  term_know_customer (a, survivor, "fabio.nunes@example.com");
  term_sync_ok (a);
  version = term_int (a, "SELECT version FROM customers WHERE id = ?1", merged);
  ck_assert_int_gt (version, 0);
  {
    g_autoptr(PosDatabase) db = term_open (a);
    sale = sell_on (db, "ACU-1", 1000, merged);
  }
  term_edit_customer (a, merged, version, "phone", "+5511966665555");
  CHANNEL_OK (env, "POST", merge, into);

  term_sync_ok (a);
  assert_once (a, sale);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  /* At the central: the edit and the purchase are the survivor's. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT phone FROM customers WHERE id = '%s'", sql_safe (survivor));
    text = central_text (env, sql);
  }
  ck_assert_str_eq (text, "+5511966665555");
  g_free (text);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT string_agg (customer_id, ',') FROM customer_events "
                                            "WHERE document_id = '%s'", sql_safe (sale));
    text = central_text (env, sql);
  }
  ck_assert_str_eq (text, survivor);
  g_free (text);

  /* Here: the sale points at the survivor, the merged id is a tombstone. */
  text = term_text (a, "SELECT customer_id FROM sales WHERE id = ?1", sale);
  ck_assert_str_eq (text, survivor);
  g_free (text);
  text = term_text (a, "SELECT merged_into FROM customers WHERE id = ?1", merged);
  ck_assert_str_eq (text, survivor);
  g_free (text);
  text = term_text (a, "SELECT phone FROM customers WHERE id = ?1", survivor);
  ck_assert_str_eq (text, "+5511966665555");

  term_free (a);
  env_free (env);
}
END_TEST

START_TEST (test_expired_cursor)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autofree char *erased = new_customer (env, "Bruno Dias", "bruno@example.com");
  g_autofree char *kept = new_customer (env, "Clara Reis", "clara@example.com");
  g_autofree char *erase_path = g_strconcat ("/v1/channel/customers/", erased, "/erase", NULL);
  g_autofree char *csv = csv_with_price ("5.49", "5.99");
  g_autofree char *sale = NULL;
  g_autofree char *out = NULL;
  const char *prune[] = { "prune", "--older-than-days", "0", NULL };
  SyncOnceJob job = { 0, };
  GThread *thread;
  gint64 before;

  term_know_customer (a, erased, "bruno@example.com");
  term_know_customer (a, kept, "clara@example.com");
  term_sync_ok (a);
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM customers WHERE id = ?1 AND email IS NOT NULL", erased), 1);

  /* While the terminal is away: an erasure, a new price, and the
   * tombstones pruned. Its cursor is now too old. */
  CHANNEL_OK (env, "POST", erase_path, "{}");
  central_import (env, csv);
  out = central_run (env, prune);
  before = central_stock (env, "ACU-1");

  /* Rebuild, with a sale made while the snapshot is being read: the proxy
   * holds the first snapshot page until the sale is committed. The
   * half-open limit must not cut that wait short. */
  term_set (a, "sync_low_speed_seconds", "600");
  proxy_set (env, "gate path=/v1/sync/snapshot/");
  job.path = a->path;
  thread = g_thread_new ("run-once", sync_once_thread, &job);
  WAIT_UNTIL (proxy_log_has (env, "gate (held)"), "the terminal to ask for a snapshot");
  sale = term_sell (a, "ACU-1", 1000);
  proxy_set (env, "pass");
  g_thread_join (thread);
  ck_assert_msg (job.ok, "sync after an expired cursor: %s", job.message);
  ck_assert (proxy_log_has (env, "HTTP/1.1 410"));

  /* The rebuild purged the erased customer, kept the other, brought the
   * price, and left the unsent sale alone. */
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM customers WHERE id = ?1 AND "
                                 "(erased_at IS NULL OR email IS NOT NULL OR phone IS NOT NULL OR cpf IS NOT NULL)", erased), 0);
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM customers WHERE id = ?1 AND email = 'clara@example.com'", kept), 1);
  ck_assert_int_eq (term_price (a, "ACU-1"), 599);
  ck_assert_int_eq (term_int (a, "SELECT count(*) FROM sales WHERE id = ?1", sale), 1);
  ck_assert_uint_eq (term_pending_sales (a), 1);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 1000);
  ck_assert_int_eq (central_has_sale (env, sale), 0);

  term_set (a, "sync_low_speed_seconds", "3");
  term_sync_ok (a);
  assert_once (a, sale);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 1000);
  ck_assert_int_eq (term_stock (a, "ACU-1"), before - 1000);
  assert_in_step (a);

  g_free (job.message);
  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. Two terminals race one pickup                                    */

static void
enqueue_handover (Term       *t,
                  const char *order_id,
                  gint64      expected_version)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = g_strdup_printf (
      "{\"order_id\": \"%s\", \"from\": \"READY_FOR_PICKUP\", \"to\": \"PICKED_UP\", "
      "\"expected_version\": %" G_GINT64_FORMAT ", \"pickup_code\": \"483920\"}", order_id, expected_version);

  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_database_enqueue_outbox (db, "pickup.transition", order_id, payload, &error));
  ck_assert (pos_database_commit (db, &error));
}

START_TEST (test_pickup_race)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  Term *b = term_new (env, "b");
  g_autofree char *customer = new_customer (env, "Davi Rocha", "davi@example.com");
  g_autofree char *body = g_strdup_printf (
      "{\"external_ref\": \"WEB-1001\", \"channel\": \"web\", \"fulfilment\": \"pickup\", "
      "\"store_code\": \"" STORE "\", \"customer_id\": \"%s\", \"paid\": true, \"currency\": \"BRL\", "
      "\"lines\": [{\"sku\": \"ACU-1\", \"quantity\": 2000, \"unit_price\": 549}], \"pickup_code\": \"483920\"}",
      customer);
  g_autofree char *answer = NULL;
  g_autofree char *order = NULL;
  g_autofree char *status_path = NULL;
  g_autofree char *keep = NULL;
  static const char *steps[] = { "ALLOCATED", "PICKING", "READY_FOR_PICKUP" };
  g_autoptr(PosDatabase) db_b = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  gint64 version, central_version;
  long status;

  status = channel_request (env, "POST", "/v1/channel/orders", body, &answer);
  ck_assert_msg (status == 201, "order: %ld %s", status, answer);
  order = json_member (answer, "order", "id");
  status_path = g_strconcat ("/v1/channel/orders/", order, "/status", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *to = g_strdup_printf ("{\"to\": \"%s\"}", steps[i]);
      CHANNEL_OK (env, "POST", status_path, to);
    }

  term_sync_ok (a);
  term_sync_ok (b);
  version = term_int (a, "SELECT version FROM pickup_orders WHERE id = ?1 AND state = 'READY_FOR_PICKUP'", order);
  ck_assert_int_gt (version, 0);
  ck_assert_int_eq (term_int (b, "SELECT version FROM pickup_orders WHERE id = ?1 AND state = 'READY_FOR_PICKUP'", order),
                    version);

  /* Both hand it over, offline; A reaches the central first. */
  enqueue_handover (a, order, version);
  enqueue_handover (b, order, version);
  term_sync_ok (a);
  term_sync_ok (b);

  ck_assert_str_eq (outbox_status (a, order, &keep), "applied");
  ck_assert_str_eq (outbox_status (b, order, &keep), "conflict");
  g_free (keep);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT state FROM orders WHERE id = '%s'", sql_safe (order));
    keep = central_text (env, sql);
  }
  ck_assert_str_eq (keep, "PICKED_UP");
  central_version = central_int (env, "SELECT version FROM orders WHERE id = '%s'", order);
  ck_assert_int_eq (central_version, version + 1);

  /* B: an incident for the manager, and the central's state applied. */
  db_b = term_open (b);
  dead = pos_outbox_list_dead (db_b, NULL);
  ck_assert_ptr_nonnull (dead);
  ck_assert_uint_eq (dead->len, 1);
  ck_assert_str_eq (((PosOutboxEntry *) g_ptr_array_index (dead, 0))->status, "conflict");
  ck_assert_str_eq (((PosOutboxEntry *) g_ptr_array_index (dead, 0))->entity_id, order);
  ck_assert_uint_eq (term_pending (b), 0);
  ck_assert_int_eq (term_int (b, "SELECT version FROM pickup_orders WHERE id = ?1 AND state = 'PICKED_UP'", order),
                    central_version);
  ck_assert_int_eq (term_int (a, "SELECT version FROM pickup_orders WHERE id = ?1 AND state = 'PICKED_UP'", order),
                    central_version);
  ck_assert_uint_eq (term_dead (a), 0);

  term_free (a);
  term_free (b);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 7. Revocation                                                       */

START_TEST (test_revoked)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *out = NULL;
  const char *revoke[] = { "terminal", "revoke", a->terminal_id, "--store", STORE, NULL };
  PosSyncEngine *engine;
  gint64 before = central_stock (env, "ACU-1");

  s1 = term_sell (a, "ACU-1", 1000);
  out = central_run (env, revoke);

  ck_assert (!pos_sync_run_once (a->path, NULL, &error));
  ck_assert_msg (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_REVOKED), "revoked: %s", error->message);
  g_clear_error (&error);

  engine = engine_start (a);
  WAIT_UNTIL (pos_sync_engine_get_state (engine) == POS_SYNC_STATE_REVOKED, "the engine to stop as revoked");
  s2 = term_sell (a, "ACU-1", 2000);
  pos_sync_engine_kick (engine);
  WAIT_UNTIL (pos_sync_engine_get_pending (engine) == term_pending (a), "the engine to count the new sale");
  ck_assert_int_eq (pos_sync_engine_get_state (engine), POS_SYNC_STATE_REVOKED);
  engine_free (engine);

  /* Nothing was sent, nothing lost. */
  ck_assert_uint_eq (term_pending_sales (a), 2);
  ck_assert_uint_eq (term_dead (a), 0);
  ck_assert_int_eq (central_has_sale (env, s1), 0);
  ck_assert_int_eq (central_has_sale (env, s2), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before);

  /* Enrolled again, it sends from where it stopped. */
  term_enroll (a);
  term_sync_ok (a);
  assert_once (a, s1);
  assert_once (a, s2);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_int_eq (central_stock (env, "ACU-1"), before - 3000);

  term_free (a);
  env_free (env);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 8. Staff, shifts and the audit log (issue 8)                        */
/* (owner: the central side of issue 8; the cases "staff" and          */
/* "shift-documents")                                                  */

static void
assert_wrong_pin (PosDatabase *db,
                  const char  *code,
                  const char  *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) staff = pos_staff_sign_in_pin (db, code, pin, &error);

  ck_assert_msg (staff == NULL && g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_WRONG_PIN),
                 "a wrong PIN for %s: %s", code, error ? error->message : "signed in");
}

/* (a) A manager's PIN set at the central reaches the terminals by sync
 * and signs in there, offline from the central's point of view (the
 * terminal checks the hash itself); the terminal's own count of wrong
 * PINs survives a staff change. (b) Someone a manager adds at a counter
 * reaches the central and the store's other terminal, and signs in there. */
START_TEST (test_staff_both_ways)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  Term *b = term_new (env, "b");
  g_autoptr(GError) error = NULL;
  g_autofree char *manager = central_staff_add (env, "9001", "Gerente E2E", "manager", "4826");
  g_autofree char *hash = NULL;
  g_autofree char *created = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *row = NULL;
  g_autofree char *central_hash = NULL;

  /* (a) The hash arrives; the PIN works at the counter. */
  term_sync_ok (a);
  hash = term_text (a, "SELECT pin_hash FROM staff WHERE id = ?1", manager);
  ck_assert_msg (hash != NULL, "the manager's PIN did not reach the terminal");
  ck_assert (pos_pin_verify (hash, "4826"));
  {
    g_autoptr(PosDatabase) db = term_open (a);

    assert_wrong_pin (db, "9001", "1357");
  }
  ck_assert_int_eq (term_int (a, "SELECT failed_attempts FROM staff WHERE id = ?1", manager), 1);

  /* A new PIN at the central replaces the old one at the next sync; the
   * wrong try counted here stays counted. */
  central_staff_set_pin (env, "9001", "5937");
  term_sync_ok (a);
  ck_assert_int_eq (term_int (a, "SELECT failed_attempts FROM staff WHERE id = ?1", manager), 1);
  {
    g_autoptr(PosDatabase) db = term_open (a);
    g_autoptr(PosStaff) current = NULL;

    assert_wrong_pin (db, "9001", "4826");
    term_sign_in (db, "9001", "5937");
    current = pos_staff_get_current (db, &error);
    ck_assert_msg (current != NULL, "nobody signed in: %s", error ? error->message : "?");
    ck_assert_str_eq (current->id, manager);
    ck_assert_int_eq (current->role, POS_ROLE_MANAGER);

    /* (b) The manager adds a cashier at the counter. */
    created = pos_staff_create (db, "9002", "Caixa E2E", POS_ROLE_CASHIER, "3691", NULL, &error);
    ck_assert_msg (created != NULL, "pos_staff_create: %s", error ? error->message : "?");
  }
  ck_assert_int_eq (term_int (a, "SELECT failed_attempts FROM staff WHERE id = ?1", manager), 0);
  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  /* At the central: in store 001, with the hash of the PIN typed at the counter. */
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM applied_ops WHERE type = 'staff.upsert' "
                                      "AND terminal_id = '%s'", a->terminal_id), 1);
  sql = g_strdup_printf ("SELECT f.code || '|' || f.name || '|' || f.role || '|' || s.code || '|' || f.active::text "
                         "FROM staff f JOIN stores s ON s.id = f.store_id WHERE f.id = '%s'", sql_safe (created));
  row = central_text (env, sql);
  ck_assert_str_eq (row, "9002|Caixa E2E|cashier|" STORE "|true");
  g_free (sql);
  sql = g_strdup_printf ("SELECT pin_hash FROM staff WHERE id = '%s'", sql_safe (created));
  central_hash = central_text (env, sql);
  ck_assert (pos_pin_verify (central_hash, "3691"));

  /* At the other terminal: both, and both PINs sign in there. */
  term_sync_ok (b);
  ck_assert_int_eq (term_int (b, "SELECT count(*) FROM staff WHERE id = ?1 AND code = '9002' AND active = 1",
                              created), 1);
  {
    g_autoptr(PosDatabase) db = term_open (b);

    term_sign_in (db, "9002", "3691");
    ck_assert (pos_staff_sign_out (db, "sign_out", &error));
    term_sign_in (db, "9001", "5937");
  }

  /* Deactivated at the central: nobody signs in as them any more. */
  {
    const char *args[] = { "staff", "deactivate", "9002", NULL };
    g_autofree char *out = central_run (env, args);
    g_autoptr(PosDatabase) db = NULL;
    g_autoptr(PosStaff) staff = NULL;

    term_sync_ok (b);
    db = term_open (b);
    staff = pos_staff_sign_in_pin (db, "9002", "3691", &error);
    ck_assert_msg (staff == NULL && (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INACTIVE) ||
                                     g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_FOUND)),
                   "a deactivated person signed in: %s", error ? error->message : "signed in");
  }

  term_free (a);
  term_free (b);
  env_free (env);
}
END_TEST

/* The ids of the terminal's audit rows, as a SQL list ('a','b',...). */
static char *
term_audit_ids (Term *t,
                guint *n_out)
{
  g_autoptr(PosDatabase) db = term_open (t);
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  GString *list = g_string_new (NULL);
  guint n = 0;

  ck_assert (sqlite3_prepare_v2 (h, "SELECT uuid FROM audit_log ORDER BY id", -1, &stmt, NULL) == SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_string_append_printf (list, "%s'%s'", n > 0 ? "," : "", sql_safe ((const char *) sqlite3_column_text (stmt, 0)));
      n++;
    }
  sqlite3_finalize (stmt);
  *n_out = n;
  return g_string_free (list, FALSE);
}

/* (c) A shift opened, a cash movement and the shift closed at a counter,
 * and every audit row the terminal wrote meanwhile, reach the central's
 * terminal_documents, once. */
START_TEST (test_shift_documents)
{
  Env *env = env_new ();
  Term *a = term_new (env, "a");
  g_autoptr(GError) error = NULL;
  g_autofree char *manager = central_staff_add (env, "9001", "Gerente E2E", "manager", "4826");
  g_autofree char *shift = NULL;
  g_autofree char *move = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *row = NULL;
  g_autofree char *actions = NULL;
  guint n_audit = 0;

  term_sync_ok (a);
  {
    g_autoptr(PosDatabase) db = term_open (a);
    g_autoptr(PosShiftReport) z = NULL;

    term_sign_in (db, "9001", "4826");
    shift = pos_shifts_open (db, NULL, 0, 10000, &error);
    ck_assert_msg (shift != NULL, "open the shift: %s", error ? error->message : "?");
    ck_assert_msg (pos_shifts_cash_move (db, -2000, "Sangria", NULL, &error), "cash out: %s",
                   error ? error->message : "?");
    z = pos_shifts_close (db, NULL, 0, 8000, NULL, NULL, &error);
    ck_assert_msg (z != NULL, "close the shift: %s", error ? error->message : "?");
    ck_assert_int_eq (z->difference, 0);
    ck_assert (pos_staff_sign_out (db, "sign_out", &error));
  }
  move = term_text (a, "SELECT entity_id FROM outbox WHERE type = 'cash.move'", NULL);
  ck_assert_ptr_nonnull (move);
  term_sync_ok (a);
  term_sync_ok (a);
  ck_assert_uint_eq (term_pending (a), 0);
  ck_assert_uint_eq (term_dead (a), 0);

  /* The shift, opened and closed. */
  sql = g_strdup_printf ("SELECT string_agg (type || ':' || (store_id = (SELECT id FROM stores WHERE code = '" STORE "'))::text, ',' "
                         "ORDER BY type) FROM terminal_documents WHERE id = '%s' AND terminal_id = '%s'",
                         sql_safe (shift), sql_safe (a->terminal_id));
  row = central_text (env, sql);
  ck_assert_str_eq (row, "shift.close:true,shift.open:true");
  ck_assert_int_eq (central_int (env, "SELECT (data::json->>'opening_float')::bigint FROM terminal_documents "
                                      "WHERE type = 'shift.open' AND id = '%s'", shift), 10000);

  /* The cash movement, out of the drawer. */
  ck_assert_int_eq (central_int (env, "SELECT (data::json->>'amount')::bigint FROM terminal_documents "
                                      "WHERE type = 'cash.move' AND id = '%s'", move), -2000);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM terminal_documents WHERE type = 'cash.move' "
                                      "AND terminal_id = '%s'", a->terminal_id), 1);

  /* Every audit row, once: the sign-in, the shift, the movement, the close, the sign-out. */
  ids = term_audit_ids (a, &n_audit);
  ck_assert_uint_ge (n_audit, 5);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM terminal_documents WHERE type = 'audit.append' AND id IN (%s)", ids);
  g_free (row);
  row = central_text (env, sql);
  ck_assert_int_eq (g_ascii_strtoll (row, NULL, 10), n_audit);
  ck_assert_int_eq (central_int (env, "SELECT count(*) FROM terminal_documents WHERE type = 'audit.append' "
                                      "AND terminal_id = '%s'", a->terminal_id), n_audit);
  g_free (sql);
  sql = g_strdup_printf ("SELECT string_agg (DISTINCT data::json->>'action', ',') FROM terminal_documents "
                         "WHERE type = 'audit.append' AND terminal_id = '%s' AND data::json->>'staff_id' = '%s'",
                         sql_safe (a->terminal_id), sql_safe (manager));
  actions = central_text (env, sql);
  ck_assert_msg (strstr (actions, "staff.sign_in") != NULL && strstr (actions, "shift.open") != NULL &&
                 strstr (actions, "cash.move") != NULL && strstr (actions, "shift.close") != NULL,
                 "audit actions at the central: %s", actions);

  term_free (a);
  env_free (env);
}
END_TEST

/* (end of the issue 8 region) */

/* ------------------------------------------------------------------ */

static Suite *
sync_e2e_suite (void)
{
  Suite *s = suite_create ("sync-e2e");
  struct {
    const char *name;
    const TTest *test;
    int loop_end;
  } cases[] = {
    { "offline", test_offline_sale_once, 0 },
    { "restart", test_central_restart_mid_push, 0 },
    { "kill", test_terminal_killed_mid_push, 0 },
    { "faults", test_fault, G_N_ELEMENTS (faults) },
    { "faults-everywhere", test_fault_everywhere, G_N_ELEMENTS (faults) },
    { "retry-after", test_retry_after_honoured, 0 },
    { "price", test_price_change, 0 },
    { "stock", test_two_terminals_stock, 0 },
    { "stock-ack", test_stock_between_push_and_pull, 0 },
    { "poison", test_poisoned_batch, 0 },
    { "customer", test_customer_edited_twice, 0 },
    { "customer-erased", test_customer_erased_dead_letter, 0 },
    { "customer-merged", test_customer_merged, 0 },
    { "expired-cursor", test_expired_cursor, 0 },
    { "pickup", test_pickup_race, 0 },
    { "revoke", test_revoked, 0 },
    { "staff", test_staff_both_ways, 0 },
    { "shift-documents", test_shift_documents, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tc = tcase_create (cases[i].name);

      tcase_set_timeout (tc, 600);
      if (cases[i].loop_end > 0)
        tcase_add_loop_test (tc, cases[i].test, 0, cases[i].loop_end);
      else
        tcase_add_test (tc, cases[i].test);
      suite_add_tcase (s, tc);
    }
  return s;
}

int
main (int   argc,
      char *argv[])
{
  return sync_e2e_main (argc, argv, sync_e2e_suite ());
}
