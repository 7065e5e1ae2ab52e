/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sync-e2e"

#include "config.h"

#include <check.h>
#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "central-harness.h"
#include "domain/pos-pin.h"
#include "domain/pos-sync-wire.h"
#include "domain/pos-uuid.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-sync-engine.h"
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

#define DEADLINE_S 120
#define STORE "001"

typedef struct {
  CentralHarness *central;
  char           *dir;
  GSubprocess    *proxy;
  char           *proxy_url;
  char           *mode_path;
  char           *log_path;
} Env;

typedef struct {
  Env  *env;
  char *path;
  char *terminal_id;
} Term;

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static char *
source_path (const char *relative)
{
  const char *root = g_getenv ("BALCAO_SOURCE_DIR");

  return g_build_filename (root != NULL ? root : ".", relative, NULL);
}

static char *
build_path (const char *relative)
{
  const char *root = g_getenv ("BALCAO_BUILD_DIR");

  return g_build_filename (root != NULL ? root : ".", relative, NULL);
}

/* What goes into the central's SQL by text (psql has no parameters here):
 * only ids and codes this test made, checked to be nothing else. */
static const char *
sql_safe (const char *text)
{
  ck_assert_ptr_nonnull (text);
  for (const char *p = text; *p; p++)
    ck_assert_msg (g_ascii_isalnum (*p) || *p == '-' || *p == '_', "not an id: %s", text);
  return text;
}

/* Lets the engine's notifications run while waiting for a condition. */
#define WAIT_UNTIL(cond, what)                                                  \
  G_STMT_START {                                                                \
    gint64 wait_deadline_ = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC; \
    while (!(cond))                                                             \
      {                                                                         \
        ck_assert_msg (g_get_monotonic_time () < wait_deadline_,                \
                       "gave up waiting for %s", what);                         \
        while (g_main_context_iteration (NULL, FALSE))                          \
          ;                                                                     \
        g_usleep (100 * 1000);                                                  \
      }                                                                         \
  } G_STMT_END

/* ------------------------------------------------------------------ */
/* The central                                                         */

static char *
central_text (Env        *env,
              const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *out = central_harness_query (env->central, sql, &error);

  ck_assert_msg (out != NULL, "%s: %s", sql, error ? error->message : "?");
  return out;
}

/* A number from the central; the one "%s" in sql_format becomes id. */
static gint64
central_int (Env        *env,
             const char *sql_format,
             const char *id)
{
  g_auto(GStrv) parts = g_strsplit (sql_format, "%s", 2);
  g_autofree char *sql = g_strjoinv (sql_safe (id), parts);
  g_autofree char *out = central_text (env, sql);

  if (*out == '\0')
    return 0;
  return g_ascii_strtoll (out, NULL, 10);
}

static char *
central_run (Env        *env,
             const char *const *args)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  ck_assert_msg (central_harness_run (env->central, args, &out, &error),
                 "balcao-central %s: %s", args[0], error ? error->message : "?");
  return out;
}

static void
central_import (Env        *env,
                const char *csv_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (env->dir, "catalog.csv", NULL);
  g_autofree char *out = NULL;
  const char *args[] = { "catalog", "import", path, NULL };

  ck_assert (g_file_set_contents (path, csv_text, -1, &error));
  out = central_run (env, args);
}

/* The store's level of a SKU at the central (0 when it has none). */
static gint64
central_stock (Env        *env,
               const char *sku)
{
  return central_int (env,
      "SELECT COALESCE ((SELECT l.quantity FROM stock_levels l JOIN stores s ON s.id = l.store_id "
      "WHERE s.code = '" STORE "' AND l.sku = '%s'), 0)", sku);
}

static size_t
append_to_string (char   *data,
                  size_t  size,
                  size_t  n,
                  void   *user_data)
{
  g_string_append_len (user_data, data, (gssize) (size * n));
  return size * n;
}

/* One request to the central's channel API, straight (not through the
 * proxy), with a channel key. Returns the status; *answer the body. */
static long
channel_request (Env        *env,
                 const char *method,
                 const char *path,
                 const char *body,
                 char      **answer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = central_harness_channel_key (env->central, &error);
  g_autofree char *url = g_strconcat (central_harness_url (env->central), path, NULL);
  g_autofree char *auth = NULL;
  GString *out = g_string_new (NULL);
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();
  long status = 0;
  CURLcode rc;

  ck_assert_msg (key != NULL, "channel key: %s", error ? error->message : "?");
  auth = g_strconcat ("Authorization: Bearer ", key, NULL);
  headers = curl_slist_append (headers, auth);
  headers = curl_slist_append (headers, "Content-Type: application/json");
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, out);
  rc = curl_easy_perform (curl);
  ck_assert_msg (rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror (rc));
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  if (answer != NULL)
    *answer = g_string_free (out, FALSE);
  else
    g_string_free (out, TRUE);
  return status;
}

#define CHANNEL_OK(env, method, path, body)                                     \
  G_STMT_START {                                                                \
    g_autofree char *answer_ = NULL;                                            \
    long status_ = channel_request ((env), (method), (path), (body), &answer_); \
    ck_assert_msg (status_ >= 200 && status_ < 300, "%s %s: %ld %s",            \
                   (method), (path), status_, answer_);                         \
  } G_STMT_END

/* ------------------------------------------------------------------ */
/* The proxy                                                           */

static void
proxy_set (Env        *env,
           const char *mode)
{
  g_autoptr(GError) error = NULL;

  /* Written to a new file renamed over the old one: a new mode. */
  ck_assert_msg (g_file_set_contents (env->mode_path, mode, -1, &error),
                 "%s", error ? error->message : "?");
}

/* How many lines of the proxy's log hold text. */
static guint
proxy_log_count (Env        *env,
                 const char *text)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (env->log_path, &contents, NULL, NULL))
    return 0;
  for (const char *p = strstr (contents, text); p != NULL; p = strstr (p + 1, text))
    n++;
  return n;
}

static gboolean
proxy_log_has (Env        *env,
               const char *text)
{
  return proxy_log_count (env, text) > 0;
}

static void
proxy_start (Env *env)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = source_path ("tests/integration/fault-proxy.py");
  g_autofree char *upstream = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  const char *url = central_harness_url (env->central);

  ck_assert (g_str_has_prefix (url, "http://"));
  upstream = g_strdup (url + strlen ("http://"));
  if (g_str_has_suffix (upstream, "/"))
    upstream[strlen (upstream) - 1] = '\0';
  env->mode_path = g_build_filename (env->dir, "proxy-mode", NULL);
  env->log_path = g_build_filename (env->dir, "proxy.log", NULL);
  proxy_set (env, "pass");
  env->proxy = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                 "python3", script, "--upstream", upstream,
                                 "--mode-file", env->mode_path, "--log", env->log_path, NULL);
  ck_assert_msg (env->proxy != NULL, "fault-proxy: %s", error ? error->message : "?");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (env->proxy));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  ck_assert_msg (line != NULL && g_ascii_strtoull (line, NULL, 10) > 0,
                 "fault-proxy did not say its port: %s", error ? error->message : "EOF");
  env->proxy_url = g_strdup_printf ("http://127.0.0.1:%s", line);
}

/* ------------------------------------------------------------------ */
/* The world: a central with a catalog, a proxy in front of it         */

static char *
fixture_catalog (void)
{
  g_autofree char *path = source_path ("tests/fixtures/catalog-good.csv");
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  ck_assert_msg (g_file_get_contents (path, &text, NULL, &error), "%s", error ? error->message : "?");
  return text;
}

/* A failed check ends the test's process at once (_exit): its central's
 * PostgreSQL, a daemon, would outlive it. Each world is written down in
 * the folder BALCAO_E2E_REGISTRY while it lives; the parent process tears
 * down what is left there after the tests. */
static char *
registry_entry (Env *env)
{
  g_autofree char *base = g_path_get_basename (env->dir);

  return g_build_filename (g_getenv ("BALCAO_E2E_REGISTRY"), base, NULL);
}

static void
registry_add (Env *env)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *entry = registry_entry (env);
  g_autofree char *central_dir = g_path_get_dirname (central_harness_config_path (env->central));
  g_autofree char *text = g_strconcat (central_dir, "\n", env->dir, "\n", NULL);

  ck_assert_msg (g_file_set_contents (entry, text, -1, &error), "%s", error ? error->message : "?");
}

static void
registry_remove (Env *env)
{
  g_autofree char *entry = registry_entry (env);

  g_unlink (entry);
}

static void
registry_clean (const char *registry)
{
  g_autoptr(GDir) dir = g_dir_open (registry, 0, NULL);
  g_autofree char *sandbox = source_path ("scripts/central-sandbox.sh");
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *entry = g_build_filename (registry, name, NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (g_file_get_contents (entry, &text, NULL, NULL) &&
          g_strv_length (lines = g_strsplit (text, "\n", 3)) >= 2)
        {
          const char *stop[] = { sandbox, "stop", lines[0], NULL };
          const char *rm[] = { "rm", "-rf", "--", lines[0], lines[1], NULL };

          g_printerr ("cleaning up after a failed test: %s\n", lines[0]);
          g_spawn_sync (NULL, (char **) stop, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
          g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
        }
      g_unlink (entry);
    }
  g_rmdir (registry);
}

static Env *
env_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = fixture_catalog ();
  Env *env = g_new0 (Env, 1);

  env->dir = test_tmpdir_new ();
  env->central = central_harness_start (&error);
  ck_assert_msg (env->central != NULL, "central: %s", error ? error->message : "?");
  registry_add (env);
  central_import (env, csv);
  proxy_start (env);
  return env;
}

static void
env_free (Env *env)
{
  if (env->proxy != NULL)
    {
      g_subprocess_force_exit (env->proxy);
      g_subprocess_wait (env->proxy, NULL, NULL);
      g_object_unref (env->proxy);
    }
  central_harness_free (env->central);
  test_tmpdir_remove (env->dir);
  registry_remove (env);
  g_free (env->dir);
  g_free (env->proxy_url);
  g_free (env->mode_path);
  g_free (env->log_path);
  g_free (env);
}

/* ------------------------------------------------------------------ */
/* Terminals                                                           */

static PosDatabase *
term_open (Term *t)
{
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_open (t->path, &error);

  ck_assert_msg (db != NULL, "%s: %s", t->path, error ? error->message : "?");
  return db;
}

static void
term_set (Term       *t,
          const char *key,
          const char *value)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_database_set_setting (db, key, value, &error), "%s", error ? error->message : "?");
}

static void
term_sync_ok (Term *t)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_sync_run_once (t->path, NULL, &error),
                 "sync run once: %s", error ? error->message : "?");
}

static void
term_enroll (Term *t)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = central_harness_enroll_token (t->env->central, STORE, &error);

  ck_assert_msg (token != NULL, "enrolment token: %s", error ? error->message : "?");
  ck_assert_msg (pos_sync_enroll (t->path, t->env->proxy_url, token, NULL, &error),
                 "enroll: %s", error ? error->message : "?");
}

/* A new terminal of store 001, enrolled through the proxy, with the
 * central's catalog pulled. */
static Term *
term_new (Env        *env,
          const char *name)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  Term *t = g_new0 (Term, 1);

  t->env = env;
  t->path = g_build_filename (env->dir, file, NULL);
  /* Half-open detection and the long poll short enough for a test. */
  term_set (t, "sync_low_speed_seconds", "3");
  term_set (t, "sync_wait_seconds", "2");
  term_enroll (t);
  term_sync_ok (t);
  {
    g_autoptr(PosDatabase) db = term_open (t);
    g_autoptr(PosProduct) p = pos_catalog_lookup_sku (db, "ACU-1", NULL);

    t->terminal_id = pos_database_get_setting (db, "terminal_id");
    ck_assert_ptr_nonnull (t->terminal_id);
    ck_assert_msg (p != NULL, "the first pull did not bring the central's catalog");
  }
  return t;
}

static void
term_free (Term *t)
{
  g_free (t->path);
  g_free (t->terminal_id);
  g_free (t);
}

/* Rows from the terminal's database, one text parameter bound as ?1. */
static gint64
term_int (Term       *t,
          const char *sql,
          const char *arg)
{
  g_autoptr(PosDatabase) db = term_open (t);
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  ck_assert_msg (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg (h));
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
term_text (Term       *t,
           const char *sql,
           const char *arg)
{
  g_autoptr(PosDatabase) db = term_open (t);
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  char *s = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg (h));
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    s = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return s;
}

static guint
term_pending (Term *t)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  guint pending = 0, dead = 0;
  gint64 oldest = 0;

  ck_assert_msg (pos_outbox_get_stats (db, &pending, &oldest, &dead, &error), "%s", error ? error->message : "?");
  return pending;
}

/* The sales still waiting to be sent (besides them the outbox holds
 * their audit rows, and the shift's documents). */
static guint
term_pending_sales (Term *t)
{
  return (guint) term_int (t, "SELECT count(*) FROM outbox WHERE status = 'pending' AND type = 'sale.create'", NULL);
}

static guint
term_dead (Term *t)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dead = pos_outbox_list_dead (db, &error);

  ck_assert_msg (dead != NULL, "%s", error ? error->message : "?");
  return dead->len;
}

/* How many times the engine tried to send the operation of entity_id. */
static gint64
term_attempts (Term       *t,
               const char *entity_id)
{
  return term_int (t, "SELECT attempts FROM outbox WHERE entity_id = ?1", entity_id);
}

static gint64
term_stock (Term       *t,
            const char *sku)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = pos_catalog_lookup_sku (db, sku, &error);

  ck_assert_msg (p != NULL, "%s: %s", sku, error ? error->message : "?");
  return pos_product_get_stock (p);
}

/* The counter ready to sell: someone signed in and a shift open. When
 * nobody is, a seller of the terminal's store is made here (the central of
 * most of these tests has no staff) and opens a shift. */
#define E2E_SELLER "0190e2e0-0000-7000-8000-00000000c0de"

static void
counter_open (PosDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *staff = pos_database_get_staff_id (db);
  g_autofree char *shift = pos_shifts_get_open_id (db, &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "?");
  /* (Again after a rebuild, which deactivates who the central does not know.) */
  if (staff == NULL || g_str_equal (staff, E2E_SELLER))
    {
      g_autofree char *store = pos_database_get_setting (db, "store_id");
      sqlite3_stmt *stmt = NULL;

      ck_assert (sqlite3_prepare_v2 (pos_database_get_handle (db),
          "INSERT INTO staff (id, store_id, code, name, role) VALUES (?1, ?2, 'E2E-SELLER', 'Vendedor E2E', 'supervisor') "
          "ON CONFLICT (id) DO UPDATE SET active = 1", -1, &stmt, NULL) == SQLITE_OK);
      sqlite3_bind_text (stmt, 1, E2E_SELLER, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, store, -1, SQLITE_TRANSIENT);
      ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
      sqlite3_finalize (stmt);
      ck_assert (pos_database_set_setting (db, "staff_id", E2E_SELLER, &error));
    }
  if (shift == NULL)
    {
      shift = pos_shifts_open (db, NULL, 0, 10000, &error);
      ck_assert_msg (shift != NULL, "open a shift: %s", error ? error->message : "?");
    }
}

/* A sale of `quantity` (milli-units) of one product, paid in cash, made the
 * way the counter makes it. Returns the sale's id. */
static char *
sell_on (PosDatabase *db,
         const char  *sku,
         gint64       quantity,
         const char  *customer_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = pos_catalog_lookup_sku (db, sku, &error);
  g_autoptr(PosCart) cart = NULL;
  g_autoptr(PosCartLine) line = NULL;
  PosCartTotals totals;
  char *id;

  ck_assert_msg (p != NULL, "%s: %s", sku, error ? error->message : "?");
  counter_open (db);
  cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  line = pos_cart_line_new (pos_product_get_id (p), sku, pos_product_get_name (p),
                            pos_product_get_barcode (p), pos_product_get_price (p),
                            pos_product_get_tax_rate_bp (p), pos_product_get_weighed (p));
  pos_cart_add_line (cart, line, quantity);
  if (customer_id != NULL)
    pos_cart_set_customer (cart, customer_id, NULL);
  pos_cart_get_totals (cart, &totals);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, (totals.due + 99) / 100 * 100,
                                   NULL, NULL, &error));
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "the terminal could not sell: %s", error ? error->message : "?");
  return id;
}

static char *
term_sell (Term       *t,
           const char *sku,
           gint64      quantity)
{
  g_autoptr(PosDatabase) db = term_open (t);

  return sell_on (db, sku, quantity, NULL);
}

/* n sales of one unit each; their ids. */
static GPtrArray *
term_sell_many (Term       *t,
                const char *sku,
                guint       n)
{
  g_autoptr(PosDatabase) db = term_open (t);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ids, sell_on (db, sku, 1000, NULL));
  return ids;
}

/* Every sale this terminal made is at the central, once, and nothing
 * more: the same sale ids, the same op_ids applied, the same stock
 * movements. */
static void
assert_in_step (Term *t)
{
  g_autofree char *local_sales = term_text (t,
      "SELECT group_concat (id, ',') FROM (SELECT id FROM sales WHERE terminal_id = ?1 ORDER BY id)", t->terminal_id);
  g_autofree char *local_ops = term_text (t,
      "SELECT group_concat (op_id, ',') FROM (SELECT op_id FROM outbox WHERE type = 'sale.create' ORDER BY op_id)", NULL);
  g_autofree char *central_sales = NULL;
  g_autofree char *central_ops = NULL;
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("SELECT string_agg (id, ',' ORDER BY id COLLATE \"C\") FROM sales WHERE terminal_id = '%s'",
                         sql_safe (t->terminal_id));
  central_sales = central_text (t->env, sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT string_agg (op_id, ',' ORDER BY op_id COLLATE \"C\") FROM applied_ops "
                         "WHERE terminal_id = '%s' AND type = 'sale.create'", sql_safe (t->terminal_id));
  central_ops = central_text (t->env, sql);
  ck_assert_str_eq (central_sales, local_sales != NULL ? local_sales : "");
  ck_assert_str_eq (central_ops, local_ops != NULL ? local_ops : "");
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM stock_movements WHERE terminal_id = '%s'", t->terminal_id),
                    term_int (t, "SELECT count(*) FROM stock_movements", NULL));
  ck_assert_uint_eq (term_pending (t), 0);
}

/* The sale is at the central once: its row, its operation's op_id, and
 * its one stock movement. */
static void
assert_once (Term       *t,
             const char *sale_id)
{
  g_autofree char *op_id = term_text (t, "SELECT op_id FROM outbox WHERE entity_id = ?1 AND type = 'sale.create'", sale_id);

  ck_assert_ptr_nonnull (op_id);
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM sales WHERE id = '%s'", sale_id), 1);
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM applied_ops WHERE op_id = '%s'", op_id), 1);
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s'", sale_id), 1);
}

static gint64
central_has_sale (Env        *env,
                  const char *sale_id)
{
  return central_int (env, "SELECT count(*) FROM sales WHERE id = '%s'", sale_id);
}

static const char *
outbox_status (Term       *t,
               const char *entity_id,
               char      **keep)
{
  g_free (*keep);
  *keep = term_text (t, "SELECT status FROM outbox WHERE entity_id = ?1", entity_id);
  return *keep;
}

static PosSyncEngine *
engine_start (Term *t)
{
  PosSyncEngine *engine = pos_sync_engine_new (t->path);

  pos_sync_engine_start (engine);
  return engine;
}

static void
engine_free (PosSyncEngine *engine)
{
  pos_sync_engine_stop (engine);
  g_object_unref (engine);
}

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

static char *
consent_json (const char *channel,
              gboolean    granted,
              const char *source,
              gint64      when)
{
  return g_strdup_printf ("{\"channel\": \"%s\", \"granted\": %s, \"source\": \"%s\", \"recorded_at\": %" G_GINT64_FORMAT "}",
                          channel, granted ? "true" : "false", source, when);
}

static char *
new_customer (Env        *env,
              const char *name,
              const char *email)
{
  char *id = pos_uuid7_new ();
  g_autofree char *path = g_strconcat ("/v1/channel/customers/", id, NULL);
  gint64 t0 = pos_now_ms () - 600000;
  g_autofree char *c1 = consent_json ("email", TRUE, "web", t0);
  g_autofree char *c2 = consent_json ("whatsapp", TRUE, "web", t0);
  g_autofree char *body = g_strdup_printf (
      "{\"name\": \"%s\", \"email\": \"%s\", \"phone\": \"+5511999990000\", "
      "\"consents\": [%s, %s], \"updated_at\": %" G_GINT64_FORMAT "}", name, email, c1, c2, t0);

  CHANNEL_OK (env, "PUT", path, body);
  return id;
}

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

typedef struct {
  char    *path;
  gboolean ok;
  char    *message;
} OnceJob;

static gpointer
run_once_thread (gpointer data)
{
  OnceJob *job = data;
  g_autoptr(GError) error = NULL;

  job->ok = pos_sync_run_once (job->path, NULL, &error);
  if (!job->ok)
    job->message = g_strdup (error->message);
  return NULL;
}

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
  OnceJob job = { 0, };
  GThread *thread;
  gint64 before;

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
  thread = g_thread_new ("run-once", run_once_thread, &job);
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

static char *
json_member (const char *json,
             const char *object,
             const char *member)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  JsonObject *o;

  ck_assert_msg (node != NULL && JSON_NODE_HOLDS_OBJECT (node), "not JSON: %s", json);
  o = json_node_get_object (node);
  if (object != NULL)
    {
      ck_assert_msg (json_object_has_member (o, object), "no %s in %s", object, json);
      o = json_object_get_object_member (o, object);
    }
  ck_assert_msg (json_object_has_member (o, member), "no %s in %s", member, json);
  return g_strdup (json_object_get_string_member (o, member));
}

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

/* A person of store 001 made at the central (balcao-central staff add),
 * with pin typed on its standard input (NULL: --no-pin). Their id. */
static char *
central_staff_add (Env        *env,
                   const char *code,
                   const char *name,
                   const char *role,
                   const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *input = pin != NULL ? g_strconcat (pin, "\n", NULL) : NULL;
  const char *args[] = { "staff", "add", "--store", STORE, "--code", code, "--name", name, "--role", role,
                         pin != NULL ? NULL : "--no-pin", NULL };
  char *out = NULL;

  ck_assert_msg (central_harness_run_input (env->central, args, input, &out, &error),
                 "balcao-central staff add: %s", error ? error->message : "?");
  g_strstrip (out);
  ck_assert_msg (pos_uuid_is_valid (out), "staff add printed %s", out);
  return out;
}

static void
central_staff_set_pin (Env        *env,
                       const char *code,
                       const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strconcat (pin, "\n", NULL);
  g_autofree char *out = NULL;
  const char *args[] = { "staff", "set-pin", code, NULL };

  ck_assert_msg (central_harness_run_input (env->central, args, input, &out, &error),
                 "balcao-central staff set-pin: %s", error ? error->message : "?");
}

/* Signs in at the terminal with a PIN; fails the test unless it works. */
static void
term_sign_in (PosDatabase *db,
              const char  *code,
              const char  *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) staff = pos_staff_sign_in_pin (db, code, pin, &error);

  ck_assert_msg (staff != NULL, "sign in as %s: %s", code, error ? error->message : "?");
  ck_assert_str_eq (staff->code, code);
}

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
  g_autofree char *registry = test_tmpdir_new ();
  SRunner *sr;
  int failed;

  /* The backoff between tries short enough for a test. */
  g_setenv ("BALCAO_SYNC_BACKOFF_CAP_MS", "500", FALSE);
  g_setenv ("BALCAO_E2E_REGISTRY", registry, TRUE);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  sr = srunner_create (sync_e2e_suite ());
  srunner_run (sr, NULL, argc > 1 ? argv[1] : NULL, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  curl_global_cleanup ();
  registry_clean (registry);
  return failed == 0 ? 0 : 1;
}
