/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sync-e2e"

#include "config.h"

#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-uuid.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-outbox.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"
#include "terminal/pos-customers.h"
#include "sync-e2e-lib.h"
#include "test-tmpdir.h"

/* The helpers of the end-to-end tests: see sync-e2e-lib.h. */
/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

char *
source_path (const char *relative)
{
  const char *root = g_getenv ("BALCAO_SOURCE_DIR");

  return g_build_filename (root != NULL ? root : ".", relative, NULL);
}

char *
build_path (const char *relative)
{
  const char *root = g_getenv ("BALCAO_BUILD_DIR");

  return g_build_filename (root != NULL ? root : ".", relative, NULL);
}

/* What goes into the central's SQL by text (psql has no parameters here):
 * only ids and codes this test made, checked to be nothing else. */
const char *
sql_safe (const char *text)
{
  ck_assert_ptr_nonnull (text);
  for (const char *p = text; *p; p++)
    ck_assert_msg (g_ascii_isalnum (*p) || *p == '-' || *p == '_', "not an id: %s", text);
  return text;
}

/* ------------------------------------------------------------------ */
/* The central                                                         */

char *
harness_text (CentralHarness *central,
              const char     *sql)
{
  g_autoptr(GError) error = NULL;
  char *out = central_harness_query (central, sql, &error);

  ck_assert_msg (out != NULL, "%s: %s", sql, error ? error->message : "?");
  return out;
}

char *
central_text (Env        *env,
              const char *sql)
{
  return harness_text (env->central, sql);
}

/* A number from the central; the one "%s" in sql_format becomes id. */
gint64
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

char *
harness_run (CentralHarness     *central,
             const char *const  *args)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  ck_assert_msg (central_harness_run (central, args, &out, &error),
                 "balcao-central %s: %s", args[0], error ? error->message : "?");
  return out;
}

char *
central_run (Env        *env,
             const char *const *args)
{
  return harness_run (env->central, args);
}

void
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
gint64
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
long
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

/* ------------------------------------------------------------------ */
/* The proxy                                                           */

void
proxy_set (Env        *env,
           const char *mode)
{
  g_autoptr(GError) error = NULL;

  /* Written to a new file renamed over the old one: a new mode. */
  ck_assert_msg (g_file_set_contents (env->mode_path, mode, -1, &error),
                 "%s", error ? error->message : "?");
}

/* How many lines of the proxy's log hold text. */
guint
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

gboolean
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

char *
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
registry_entry (const char *dir)
{
  g_autofree char *base = g_path_get_basename (dir);

  return g_build_filename (g_getenv ("BALCAO_E2E_REGISTRY"), base, NULL);
}

void
registry_add (CentralHarness *central,
              const char     *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *entry = registry_entry (dir);
  g_autofree char *central_dir = g_path_get_dirname (central_harness_config_path (central));
  g_autofree char *text = g_strconcat (central_dir, "\n", dir, "\n", NULL);

  ck_assert_msg (g_file_set_contents (entry, text, -1, &error), "%s", error ? error->message : "?");
}

void
registry_remove (const char *dir)
{
  g_autofree char *entry = registry_entry (dir);

  g_unlink (entry);
}

void
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

Env *
env_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = fixture_catalog ();
  Env *env = g_new0 (Env, 1);

  env->dir = test_tmpdir_new ();
  env->central = central_harness_start (&error);
  ck_assert_msg (env->central != NULL, "central: %s", error ? error->message : "?");
  registry_add (env->central, env->dir);
  central_import (env, csv);
  proxy_start (env);
  return env;
}

void
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
  registry_remove (env->dir);
  g_free (env->dir);
  g_free (env->proxy_url);
  g_free (env->mode_path);
  g_free (env->log_path);
  g_free (env);
}

/* ------------------------------------------------------------------ */
/* Terminals                                                           */

PosDatabase *
term_open (Term *t)
{
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_open (t->path, &error);

  ck_assert_msg (db != NULL, "%s: %s", t->path, error ? error->message : "?");
  return db;
}

void
term_set (Term       *t,
          const char *key,
          const char *value)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_database_set_setting (db, key, value, &error), "%s", error ? error->message : "?");
}

void
term_sync_ok (Term *t)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (pos_sync_run_once (t->path, NULL, &error),
                 "sync run once: %s", error ? error->message : "?");
}

void
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
Term *
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

void
term_free (Term *t)
{
  g_free (t->path);
  g_free (t->terminal_id);
  g_free (t);
}

/* Rows from the terminal's database, one text parameter bound as ?1. */
gint64
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

char *
db_text (PosDatabase *db,
         const char  *sql,
         const char  *arg)
{
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

char *
term_text (Term       *t,
           const char *sql,
           const char *arg)
{
  g_autoptr(PosDatabase) db = term_open (t);

  return db_text (db, sql, arg);
}

guint
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
guint
term_pending_sales (Term *t)
{
  return (guint) term_int (t, "SELECT count(*) FROM outbox WHERE status = 'pending' AND type = 'sale.create'", NULL);
}

guint
term_dead (Term *t)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dead = pos_outbox_list_dead (db, &error);

  ck_assert_msg (dead != NULL, "%s", error ? error->message : "?");
  return dead->len;
}

/* How many times the engine tried to send the operation of entity_id. */
gint64
term_attempts (Term       *t,
               const char *entity_id)
{
  return term_int (t, "SELECT attempts FROM outbox WHERE entity_id = ?1", entity_id);
}

gint64
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
void
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
char *
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

char *
term_sell (Term       *t,
           const char *sku,
           gint64      quantity)
{
  g_autoptr(PosDatabase) db = term_open (t);

  return sell_on (db, sku, quantity, NULL);
}

/* n sales of one unit each; their ids. */
GPtrArray *
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
void
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
void
assert_once (Term       *t,
             const char *sale_id)
{
  g_autofree char *op_id = term_text (t, "SELECT op_id FROM outbox WHERE entity_id = ?1 AND type = 'sale.create'", sale_id);

  ck_assert_ptr_nonnull (op_id);
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM sales WHERE id = '%s'", sale_id), 1);
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM applied_ops WHERE op_id = '%s'", op_id), 1);
  ck_assert_int_eq (central_int (t->env, "SELECT count(*) FROM stock_movements WHERE document_id = '%s'", sale_id), 1);
}

gint64
central_has_sale (Env        *env,
                  const char *sale_id)
{
  return central_int (env, "SELECT count(*) FROM sales WHERE id = '%s'", sale_id);
}

const char *
outbox_status (Term       *t,
               const char *entity_id,
               char      **keep)
{
  g_free (*keep);
  *keep = term_text (t, "SELECT status FROM outbox WHERE entity_id = ?1", entity_id);
  return *keep;
}

PosSyncEngine *
engine_start (Term *t)
{
  PosSyncEngine *engine = pos_sync_engine_new (t->path);

  pos_sync_engine_start (engine);
  return engine;
}

void
engine_free (PosSyncEngine *engine)
{
  pos_sync_engine_stop (engine);
  g_object_unref (engine);
}

char *
consent_json (const char *channel,
              gboolean    granted,
              const char *source,
              gint64      when)
{
  return g_strdup_printf ("{\"channel\": \"%s\", \"granted\": %s, \"source\": \"%s\", \"recorded_at\": %" G_GINT64_FORMAT "}",
                          channel, granted ? "true" : "false", source, when);
}

char *
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

void
term_know_customer (Term       *t,
                    const char *id,
                    const char *email)
{
  g_autoptr(PosDatabase) db = term_open (t);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = pos_customers_lookup_central (db, email, NULL, &error);

  ck_assert_msg (found != NULL, "looking %s up: %s", email, error ? error->message : "?");
  ck_assert_uint_eq (found->len, 1);
  ck_assert_str_eq (((PosCustomerSummary *) g_ptr_array_index (found, 0))->id, id);
}

char *
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

/* A person of store 001 made at the central (balcao-central staff add),
 * with pin typed on its standard input (NULL: --no-pin). Their id. */
char *
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

void
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
void
term_sign_in (PosDatabase *db,
              const char  *code,
              const char  *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStaff) staff = pos_staff_sign_in_pin (db, code, pin, &error);

  ck_assert_msg (staff != NULL, "sign in as %s: %s", code, error ? error->message : "?");
  ck_assert_str_eq (staff->code, code);
}

gpointer
sync_once_thread (gpointer data)
{
  SyncOnceJob *job = data;
  g_autoptr(GError) error = NULL;

  job->ok = pos_sync_run_once (job->path, NULL, &error);
  if (!job->ok)
    job->message = g_strdup (error->message);
  return NULL;
}

/* ------------------------------------------------------------------ */

int
sync_e2e_main (int    argc,
               char  *argv[],
               Suite *suite)
{
  g_autofree char *registry = test_tmpdir_new ();
  SRunner *sr;
  int failed;

  /* The backoff between tries short enough for a test. */
  g_setenv ("BALCAO_SYNC_BACKOFF_CAP_MS", "500", FALSE);
  g_setenv ("BALCAO_E2E_REGISTRY", registry, TRUE);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  sr = srunner_create (suite);
  srunner_run (sr, NULL, argc > 1 ? argv[1] : NULL, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  curl_global_cleanup ();
  registry_clean (registry);
  return failed == 0 ? 0 : 1;
}
