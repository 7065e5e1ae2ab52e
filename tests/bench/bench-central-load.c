/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-sync-util.h"
#include "domain/pos-sync-wire.h"
#include "domain/pos-uuid.h"
#include "terminal/pos-sync-client.h"
#include "terminal/pos-sync-engine.h"

/* The central under a store chain's morning: many terminals at once.
 *
 *   bench-central-load [--terminals T] [--stores N] [--sales S] [--batch B]
 *
 * A throwaway central (tests/integration/central-harness) with a generated
 * catalog and N stores (default 20); T terminals (default 100) enrolled
 * over HTTP, spread over the stores, each with its own bt_ token, its own keep-alive
 * connection and its own thread, having pulled the catalog already. At the
 * same instant they all start: push S sales (default 200) in batches of B
 * (default 20) with POST /v1/sync/push (gzip), and after each batch pull
 * (GET /v1/sync/pull from their cursor, pages of 5000 as the engine asks,
 * until has_more is false: the stock the other terminals of the store
 * moved). The sales are copies of 200 sales made by the terminal's real
 * sale code (3 lines each, from a catalog of 2 000 products), each with
 * its own ids, number, store and terminal. Prints requests/s and the
 * latency of pushes and pulls, and checks that the central holds exactly
 * T x S more sales and answered every operation "applied".
 *
 * A 5xx answer (the central's database deadlocked, say) is retried the
 * way the engine does it (backoff with full jitter, 1 s base); the
 * attempts count as requests and are reported.
 *
 * Baseline, same run: the same number of requests from the same T
 * threads, GET /v1/health (no authentication, one trivial query). No
 * assertions on time. */

static guint opt_terminals = 100;
static guint opt_stores = 20;
static guint opt_sales = 200;
static guint opt_batch = 20;

#define CATALOG   2000   /* products at the central */
#define TEMPLATES 200    /* distinct real sales the pushed ones are copies of */

typedef struct {
  guint      index;
  char      *token;
  char      *terminal_id;
  char      *store_id;
  char      *cursor;
  GPtrArray *bodies;       /* GBytes, gzip push bodies */
  BenchHttp *http;
  GArray    *push_us;
  GArray    *pull_us;
  GArray    *health_us;
  guint      requests;     /* in the load phase, every attempt */
  guint      retried;      /* 5xx answers, retried as the engine does */
  guint      applied;
  guint      duplicates;
  char      *failure;
} Sim;

static struct {
  GMutex   lock;
  GCond    cond;
  gboolean go;
} gate;

static void
sim_free (Sim *sim)
{
  g_free (sim->token);
  g_free (sim->terminal_id);
  g_free (sim->store_id);
  g_free (sim->cursor);
  g_clear_pointer (&sim->bodies, g_ptr_array_unref);
  g_clear_pointer (&sim->http, bench_http_free);
  g_clear_pointer (&sim->push_us, g_array_unref);
  g_clear_pointer (&sim->pull_us, g_array_unref);
  g_clear_pointer (&sim->health_us, g_array_unref);
  g_free (sim->failure);
  g_free (sim);
}

/* One exchange as the engine has it: a 5xx answer is retried after a
 * backoff with full jitter (pos_sync_backoff_ms, 1 s base). Returns the
 * final status (0 on a transport failure, with sim->failure set); *out_us
 * is the time of the attempt that answered. counted: the load phase. */
static guint
exchange (Sim        *sim,
          const char *method,
          const char *path,
          GBytes     *gz_body,
          GByteArray *answer,
          gint64     *out_us,
          gboolean    counted)
{
  guint failures = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint status;

      status = bench_http_request (sim->http, method, path,
                                   gz_body ? g_bytes_get_data (gz_body, NULL) : NULL,
                                   gz_body ? g_bytes_get_size (gz_body) : 0, gz_body != NULL,
                                   answer, out_us, &error);
      if (counted)
        sim->requests++;
      if (status == 0)
        {
          sim->failure = g_strdup_printf ("%s %s: %s", method, path, error->message);
          return 0;
        }
      if (status < 500 || ++failures > 30)
        return status;
      if (counted)
        sim->retried++;
      g_usleep ((gulong) pos_sync_backoff_ms (failures, pos_sync_backoff_cap_ms (), g_random_int ()) * 1000);
    }
}

/* Pulls until has_more is false; FALSE with sim->failure set on error. */
static gboolean
pull_all (Sim    *sim,
          GArray *samples)
{
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosSyncPage) page = NULL;
      g_autofree char *escaped = g_uri_escape_string (sim->cursor ? sim->cursor : "", NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/v1/sync/pull?cursor=%s&limit=5000", escaped);
      gint64 us = 0;
      guint status;

      status = exchange (sim, "GET", path, NULL, answer, &us, samples != NULL);
      if (status != 200)
        {
          if (sim->failure == NULL)
            sim->failure = g_strdup_printf ("pull: %u %.*s", status,
                                            (int) MIN (answer->len, 200), (const char *) answer->data);
          return FALSE;
        }
      if (samples != NULL)
        bench_samples_add (samples, us);
      page = pos_sync_pull_page_parse ((const char *) answer->data, answer->len, &error);
      if (page == NULL)
        {
          sim->failure = g_strdup_printf ("pull page: %s", error->message);
          return FALSE;
        }
      more = page->has_more;
      g_free (sim->cursor);
      sim->cursor = g_strdup (page->next_cursor);
    }
  return TRUE;
}

static void
wait_for_gate (void)
{
  g_mutex_lock (&gate.lock);
  while (!gate.go)
    g_cond_wait (&gate.cond, &gate.lock);
  g_mutex_unlock (&gate.lock);
}

static gpointer
load_thread (gpointer user_data)
{
  Sim *sim = user_data;
  g_autoptr(GByteArray) answer = g_byte_array_new ();

  wait_for_gate ();
  for (guint b = 0; b < sim->bodies->len && sim->failure == NULL; b++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) results = NULL;
      GBytes *gz = g_ptr_array_index (sim->bodies, b);
      gint64 us = 0;
      guint status;

      status = exchange (sim, "POST", "/v1/sync/push", gz, answer, &us, TRUE);
      if (status != 200)
        {
          if (sim->failure == NULL)
            sim->failure = g_strdup_printf ("push: %u %.*s", status,
                                            (int) MIN (answer->len, 200), (const char *) answer->data);
          break;
        }
      bench_samples_add (sim->push_us, us);
      results = pos_sync_push_results_parse ((const char *) answer->data, answer->len, &error);
      if (results == NULL)
        {
          sim->failure = g_strdup_printf ("push results: %s", error->message);
          break;
        }
      for (guint i = 0; i < results->len; i++)
        {
          PosSyncResult *result = g_ptr_array_index (results, i);

          if (result->status == POS_SYNC_RESULT_APPLIED)
            sim->applied++;
          else if (result->status == POS_SYNC_RESULT_DUPLICATE)
            sim->duplicates++;
          else if (sim->failure == NULL)
            sim->failure = g_strdup_printf ("operation %s: %s %s %s", result->op_id,
                                            pos_sync_result_status_to_string (result->status),
                                            result->code ? result->code : "",
                                            result->message ? result->message : "");
        }
      pull_all (sim, sim->pull_us);
    }
  return NULL;
}

static gpointer
health_thread (gpointer user_data)
{
  Sim *sim = user_data;

  wait_for_gate ();
  for (guint i = 0; i < sim->requests && sim->failure == NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 us = 0;
      guint status = bench_http_request (sim->http, "GET", "/v1/health", NULL, 0, FALSE, NULL, &us, &error);

      if (status != 200)
        sim->failure = g_strdup_printf ("health: %u %s", status, error ? error->message : "");
      else
        bench_samples_add (sim->health_us, us);
    }
  return NULL;
}

/* Runs one thread per terminal from the same instant; the wall time. */
static gint64
run_phase (GPtrArray   *sims,
           GThreadFunc  func)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gint64 t0;

  gate.go = FALSE;
  for (guint i = 0; i < sims->len; i++)
    g_ptr_array_add (threads, g_thread_new ("terminal", func, g_ptr_array_index (sims, i)));
  g_usleep (G_USEC_PER_SEC / 5);
  g_mutex_lock (&gate.lock);
  t0 = g_get_monotonic_time ();
  gate.go = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  return g_get_monotonic_time () - t0;
}

/* Copies of the template sales: new ids, number, store, terminal, time. */
static GPtrArray *
build_bodies (Sim       *sim,
              GPtrArray *templates)
{
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (sim->index + 1);
  guint seq = 0;

  for (guint done = 0; done < opt_sales; )
    {
      GString *body = pos_sync_push_request_begin (sim->terminal_id);
      g_autofree char *text = NULL;

      for (guint j = 0; j < opt_batch && done < opt_sales; j++, done++)
        {
          g_autoptr(JsonNode) sale = json_node_copy (g_ptr_array_index (templates, g_rand_int_range (rand, 0, (gint32) templates->len)));
          JsonObject *obj = json_node_get_object (sale);
          g_autofree char *sale_id = pos_uuid7_new ();
          g_autofree char *op_id = pos_uuid7_new ();
          g_autofree char *number = g_strdup_printf ("L%03u-%06u", sim->index, seq + 1);
          g_autofree char *payload = NULL;
          gint64 now = g_get_real_time () / 1000;

          json_object_set_string_member (obj, "id", sale_id);
          json_object_set_string_member (obj, "number", number);
          json_object_set_string_member (obj, "store_id", sim->store_id);
          json_object_set_string_member (obj, "terminal_id", sim->terminal_id);
          json_object_set_int_member (obj, "created_at", now);
          if (json_object_has_member (obj, "stock_movements"))
            {
              JsonArray *moves = json_object_get_array_member (obj, "stock_movements");

              for (guint m = 0; moves != NULL && m < json_array_get_length (moves); m++)
                {
                  g_autofree char *move_id = pos_uuid7_new ();

                  json_object_set_string_member (json_array_get_object_element (moves, m), "id", move_id);
                  if (json_object_has_member (json_array_get_object_element (moves, m), "document_id"))
                    json_object_set_string_member (json_array_get_object_element (moves, m), "document_id", sale_id);
                }
            }
          payload = json_to_string (sale, FALSE);
          pos_sync_push_request_append (body, op_id, ++seq, "sale.create", sale_id, payload, now);
        }
      text = pos_sync_push_request_end (body);
      g_ptr_array_add (bodies, pos_sync_gzip (text, strlen (text)));
    }
  return bodies;
}

/* TEMPLATES real sales (3 lines from the whole catalog) made by the
 * terminal's sale code on a terminal of store 001. */
static GPtrArray *
template_sales (CentralHarness *h,
                const char     *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(PosDatabase) db = NULL;
  GPtrArray *templates = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  sqlite3_stmt *stmt = NULL;

  path = bench_terminal_new (h, dir, "template", "001", FALSE, &error);
  if (path == NULL)
    bench_die ("template terminal: %s", error->message);
  db = pos_database_open (path, &error);
  if (db == NULL || !bench_queue_sales (db, TEMPLATES, CATALOG, &error))
    bench_die ("template sales: %s", error->message);
  sqlite3_prepare_v2 (pos_database_get_handle (db),
                      "SELECT payload FROM outbox WHERE type = 'sale.create' ORDER BY seq",
                      -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonNode *node = json_from_string ((const char *) sqlite3_column_text (stmt, 0), &error);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        bench_die ("template sale: %s", error ? error->message : "not an object");
      g_ptr_array_add (templates, node);
    }
  sqlite3_finalize (stmt);
  if (templates->len != TEMPLATES)
    bench_die ("template sales: %u in the outbox, not %u", templates->len, TEMPLATES);
  return templates;
}

static gboolean
parse_args (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      guint *target = NULL;

      if (g_str_equal (argv[i], "--terminals"))
        target = &opt_terminals;
      else if (g_str_equal (argv[i], "--stores"))
        target = &opt_stores;
      else if (g_str_equal (argv[i], "--sales"))
        target = &opt_sales;
      else if (g_str_equal (argv[i], "--batch"))
        target = &opt_batch;
      if (target == NULL || i + 1 >= argc)
        return FALSE;
      *target = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
    }
  return opt_terminals > 0 && opt_sales > 0 && opt_batch > 0 && opt_batch <= POS_SYNC_MAX_BATCH &&
         opt_stores >= 1 && opt_stores <= 999;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GPtrArray) sims = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_free);
  g_autoptr(GArray) push_us = bench_samples_new ();
  g_autoptr(GArray) pull_us = bench_samples_new ();
  g_autoptr(GArray) all_us = bench_samples_new ();
  g_autoptr(GArray) health_us = bench_samples_new ();
  CentralHarness *h = NULL;
  gint64 before, after, load_wall, health_wall;
  guint requests = 0, applied = 0, duplicates = 0, retried = 0;
  const char *failure = NULL;

  if (!parse_args (argc, argv))
    {
      fprintf (stderr, "usage: bench-central-load [--terminals T] [--stores N] [--sales S] [--batch 1..%d]\n",
               POS_SYNC_MAX_BATCH);
      return 2;
    }
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = bench_tmpdir_new ();
  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);

  h = bench_central_start (&error);
  if (h == NULL)
    bench_die ("central: %s", error->message);
  if (!bench_central_import (h, dir, 1, CATALOG, 0, &error))
    bench_die ("catalog import: %s", error->message);
  templates = template_sales (h, dir);
  /* The harness made stores 001 and 002. */
  for (guint n = 3; n <= opt_stores; n++)
    {
      g_autofree char *code = g_strdup_printf ("%03u", n);
      g_autofree char *name = g_strdup_printf ("Loja %s", code);
      const char *args[] = { "store", "add", "--code", code, "--name", name, NULL };

      if (!central_harness_run (h, args, NULL, &error))
        bench_die ("store %s: %s", code, error->message);
    }

  for (guint t = 0; t < opt_terminals; t++)
    {
      Sim *sim = g_new0 (Sim, 1);
      g_autofree char *code = g_strdup_printf ("%03u", 1 + t % opt_stores);
      g_autofree char *enrol = central_harness_enroll_token (h, code, &error);

      if (enrol == NULL ||
          !bench_enroll_http (central_harness_url (h), enrol, &sim->token, &sim->terminal_id,
                              &sim->store_id, &error))
        bench_die ("terminal %u: %s", t, error->message);
      sim->index = t;
      sim->http = bench_http_new (central_harness_url (h), sim->token);
      sim->push_us = bench_samples_new ();
      sim->pull_us = bench_samples_new ();
      sim->health_us = bench_samples_new ();
      if (!pull_all (sim, NULL))
        bench_die ("terminal %u: %s", t, sim->failure);
      sim->bodies = build_bodies (sim, templates);
      g_ptr_array_add (sims, sim);
    }

  before = bench_central_count (h, "SELECT count(*) FROM sales");
  load_wall = run_phase (sims, load_thread);
  after = bench_central_count (h, "SELECT count(*) FROM sales");
  for (guint i = 0; i < sims->len; i++)
    {
      Sim *sim = g_ptr_array_index (sims, i);

      requests += sim->requests;
      applied += sim->applied;
      duplicates += sim->duplicates;
      retried += sim->retried;
      if (failure == NULL)
        failure = sim->failure;
      g_array_append_vals (push_us, sim->push_us->data, sim->push_us->len);
      g_array_append_vals (pull_us, sim->pull_us->data, sim->pull_us->len);
    }
  if (failure != NULL)
    bench_die ("load: %s", failure);
  g_array_append_vals (all_us, push_us->data, push_us->len);
  g_array_append_vals (all_us, pull_us->data, pull_us->len);

  health_wall = run_phase (sims, health_thread);
  for (guint i = 0; i < sims->len; i++)
    {
      Sim *sim = g_ptr_array_index (sims, i);

      if (sim->failure != NULL)
        bench_die ("baseline: %s", sim->failure);
      g_array_append_vals (health_us, sim->health_us->data, sim->health_us->len);
    }

  printf ("central load: %u terminals at once (%u stores), each pushing %u sales in batches of %u and pulling after each\n",
          opt_terminals, opt_stores, opt_sales, opt_batch);
  printf ("  central: %" G_GINT64_FORMAT " sales received, %u sent; answered %u applied + %u duplicate: %s\n",
          after - before, opt_terminals * opt_sales, applied, duplicates,
          after - before == (gint64) opt_terminals * opt_sales && applied + duplicates == opt_terminals * opt_sales
          ? "nothing lost, none twice" : "MISMATCH");
  printf ("  5xx answers retried with the engine's backoff (1 s base, full jitter): %u\n", retried);
  printf ("  load: %u requests (%u pushes, %u pulls) in %.2f s: %.0f requests/s, %.0f sales/s\n",
          requests, push_us->len, pull_us->len, load_wall / 1e6, requests / (load_wall / 1e6),
          opt_terminals * opt_sales / (load_wall / 1e6));
  printf ("  baseline: %u GET /v1/health in %.2f s: %.0f requests/s\n",
          health_us->len, health_wall / 1e6, health_us->len / (health_wall / 1e6));
  bench_print_header ();
  bench_print_latency ("POST /v1/sync/push", push_us);
  bench_print_latency ("GET /v1/sync/pull", pull_us);
  bench_print_latency ("push and pull", all_us);
  bench_print_latency ("baseline: GET /v1/health", health_us);
  bench_print_ratio ("ratio push+pull / health", all_us, health_us);
  printf ("  throughput ratio (health req/s / load req/s): %.2fx\n",
          ((double) health_us->len / health_wall) / ((double) requests / load_wall));

  g_ptr_array_set_size (sims, 0);
  bench_finish ();
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  curl_global_cleanup ();
  return after - before == (gint64) opt_terminals * opt_sales ? 0 : 1;
}
