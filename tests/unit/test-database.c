/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "domain/pos-uuid.h"
#include "terminal/pos-database.h"
#include "test-tmpdir.h"

static char *tmpdir;

static void
setup (void)
{
  tmpdir = test_tmpdir_new ();
}

static void
teardown (void)
{
  test_tmpdir_remove (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static char *
db_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
checksum_of (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  ck_assert (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

static gint64
query_int (PosDatabase *db,
           const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static char *
query_text (PosDatabase *db,
            const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *v;

  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  v = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return v;
}

START_TEST (test_open_close)
{
  g_autofree char *path = db_path ("a.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = pos_database_open (path, &error);
  g_autofree char *mode = NULL;

  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (db);
  ck_assert_str_eq (pos_database_get_path (db), path);
  ck_assert_ptr_nonnull (pos_database_get_handle (db));
  ck_assert_int_ge (pos_database_get_latest_version (), 1);
  ck_assert_int_eq (pos_database_get_schema_version (db), pos_database_get_latest_version ());
  ck_assert_int_eq (query_int (db, "PRAGMA user_version"), pos_database_get_latest_version ());

  mode = query_text (db, "PRAGMA journal_mode");
  ck_assert_str_eq (mode, "wal");
  ck_assert_int_eq (query_int (db, "PRAGMA foreign_keys"), 1);
  ck_assert_int_eq (query_int (db, "PRAGMA synchronous"), 2);  /* FULL: every commit is synced */
  ck_assert_int_gt (query_int (db, "PRAGMA busy_timeout"), 0);
  ck_assert (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Foreign keys are enforced: a product with an unknown tax class fails. */
  ck_assert (!pos_database_exec (db, "INSERT INTO products (sku, name, tax_class_id) VALUES ('x', 'x', 'nope')", &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_CONSTRAINT));

  g_clear_object (&db);
  /* Opening again keeps the version and applies nothing twice. */
  db = pos_database_open (path, NULL);
  ck_assert_ptr_nonnull (db);
  ck_assert_int_eq (pos_database_get_schema_version (db), pos_database_get_latest_version ());
}
END_TEST

START_TEST (test_empty_file)
{
  g_autofree char *path = db_path ("empty.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;

  ck_assert (g_file_set_contents (path, "", 0, NULL));
  db = pos_database_open (path, &error);
  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (db);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'products'"), 1);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM sqlite_master WHERE name = 'product_search'"), 1);
}
END_TEST

START_TEST (test_upgrade_from_1)
{
  g_autofree char *path = db_path ("old.db");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = pos_database_open_at_version (path, 1, &error);

  ck_assert_ptr_null (error);
  ck_assert_int_eq (pos_database_get_schema_version (db), 1);
  ck_assert_int_eq (query_int (db, "PRAGMA user_version"), 1);
  /* data written by schema 1 survives the upgrade */
  ck_assert (pos_database_exec (db,
    "INSERT INTO tax_classes (id, name, rate_bp) VALUES ('t', 'T', 1800);"
    "INSERT INTO products (id, sku, name, tax_class_id) VALUES (7, 'S7', 'Café Pilão', 't');", &error));
  g_clear_object (&db);

  db = pos_database_open (path, &error);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (pos_database_get_schema_version (db), pos_database_get_latest_version ());
  ck_assert_int_eq (query_int (db, "PRAGMA user_version"), pos_database_get_latest_version ());
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM products WHERE sku = 'S7'"), 1);
  ck_assert_int_eq (query_int (db, "SELECT rowid FROM product_search WHERE product_search MATCH 'cafe'"), 7);
}
END_TEST

START_TEST (test_open_at_version_zero)
{
  g_autofree char *path = db_path ("zero.db");
  g_autoptr(PosDatabase) db = pos_database_open_at_version (path, 0, NULL);

  ck_assert_ptr_nonnull (db);
  ck_assert_int_eq (pos_database_get_schema_version (db), 0);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 0);
}
END_TEST

START_TEST (test_newer_schema_refused)
{
  g_autofree char *path = db_path ("newer.db");
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  sqlite3 *raw = NULL;
  int newer = pos_database_get_latest_version () + 4;
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", newer);

  ck_assert_ptr_nonnull (db);
  g_clear_object (&db);

  /* A future Balcão wrote this file. */
  ck_assert_int_eq (sqlite3_open (path, &raw), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (raw, pragma, NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (raw, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (raw);
  ck_assert (!g_file_test (wal, G_FILE_TEST_EXISTS));

  before = checksum_of (path);
  db = pos_database_open (path, &error);
  ck_assert_ptr_null (db);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NEWER_SCHEMA));
  expected = g_strdup_printf ("schema %d; this one knows %d", newer, pos_database_get_latest_version ());
  ck_assert_ptr_nonnull (strstr (error->message, expected));
  ck_assert_ptr_nonnull (strstr (error->message, "not changed"));
  after = checksum_of (path);
  ck_assert_str_eq (before, after);
  ck_assert (!g_file_test (wal, G_FILE_TEST_EXISTS));

  /* open_at_version refuses it the same way */
  g_clear_error (&error);
  db = pos_database_open_at_version (path, 1, &error);
  ck_assert_ptr_null (db);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NEWER_SCHEMA));
  g_free (after);
  after = checksum_of (path);
  ck_assert_str_eq (before, after);
}
END_TEST

START_TEST (test_not_a_database)
{
  g_autofree char *path = db_path ("notes.txt");
  g_autofree char *short_path = db_path ("short.db");
  const char *text = "Lista de compras: arroz, feijão, café. Isto não é um banco de dados SQLite, "
                     "e tem mais de cem bytes para passar do cabeçalho inteiro.\n";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;

  ck_assert (g_file_set_contents (path, text, -1, NULL));
  before = checksum_of (path);
  db = pos_database_open (path, &error);
  ck_assert_ptr_null (db);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_OPEN));
  ck_assert_ptr_nonnull (strstr (error->message, "not a Balcão database"));
  after = checksum_of (path);
  ck_assert_str_eq (before, after);

  /* truncated header */
  g_clear_error (&error);
  ck_assert (g_file_set_contents (short_path, "SQLite format 3", 16, NULL));
  db = pos_database_open (short_path, &error);
  ck_assert_ptr_null (db);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_OPEN));
}
END_TEST

START_TEST (test_missing_folder)
{
  g_autofree char *path = g_build_filename (tmpdir, "no", "such", "folder", "x.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = pos_database_open (path, &error);

  ck_assert_ptr_null (db);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_OPEN));
}
END_TEST

START_TEST (test_settings)
{
  g_autofree char *path = db_path ("s.db");
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *v1 = NULL;
  g_autofree char *v2 = NULL;
  g_autofree char *v3 = NULL;
  g_autofree char *v4 = NULL;

  ck_assert_ptr_null (pos_database_get_setting (db, "pix_key"));
  ck_assert (pos_database_set_setting (db, "pix_key", "loja@example.com", &error));
  v1 = pos_database_get_setting (db, "pix_key");
  ck_assert_str_eq (v1, "loja@example.com");
  ck_assert (pos_database_set_setting (db, "pix_key", "+5511999990000", &error));
  v2 = pos_database_get_setting (db, "pix_key");
  ck_assert_str_eq (v2, "+5511999990000");
  ck_assert (pos_database_set_setting (db, "receipt_footer", "Volte sempre — obrigado!", &error));
  v3 = pos_database_get_setting (db, "receipt_footer");
  ck_assert_str_eq (v3, "Volte sempre — obrigado!");
  ck_assert (pos_database_set_setting (db, "pix_key", NULL, &error));
  ck_assert_ptr_null (pos_database_get_setting (db, "pix_key"));
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM settings"), 1);

  /* survives reopening */
  g_clear_object (&db);
  db = pos_database_open (path, NULL);
  v4 = pos_database_get_setting (db, "receipt_footer");
  ck_assert_str_eq (v4, "Volte sempre — obrigado!");
}
END_TEST

START_TEST (test_prepare_cached)
{
  g_autofree char *path = db_path ("p.db");
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *a, *b;

  a = pos_database_prepare_cached (db, "SELECT ?1 + 1", &error);
  ck_assert_ptr_nonnull (a);
  sqlite3_bind_int (a, 1, 41);
  ck_assert_int_eq (sqlite3_step (a), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (a, 0), 42);
  b = pos_database_prepare_cached (db, "SELECT ?1 + 1", &error);
  ck_assert_ptr_eq (a, b);
  /* reset and bindings cleared */
  ck_assert_int_eq (sqlite3_step (b), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_type (b, 0), SQLITE_NULL);
  sqlite3_reset (b);

  ck_assert_ptr_null (pos_database_prepare_cached (db, "SELEC nonsense", &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_SQL));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_database_prepare_cached (db, "SELECT * FROM no_such_table", &error));
  ck_assert_ptr_nonnull (error);
}
END_TEST

START_TEST (test_transactions)
{
  g_autofree char *path = db_path ("t.db");
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_database_set_setting (db, "a", "1", &error));
  pos_database_rollback (db);
  ck_assert_ptr_null (pos_database_get_setting (db, "a"));
  pos_database_rollback (db);  /* harmless outside a transaction */

  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_database_set_setting (db, "a", "2", &error));
  ck_assert (pos_database_commit_durable (db, &error));
  ck_assert_int_eq (query_int (db, "PRAGMA synchronous"), 2);
  {
    g_autofree char *v = pos_database_get_setting (db, "a");
    ck_assert_str_eq (v, "2");
  }

  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_database_set_setting (db, "b", "3", &error));
  ck_assert (pos_database_commit (db, &error));
  /* committing with no transaction is an error, not a crash */
  ck_assert (!pos_database_commit (db, &error));
  ck_assert_ptr_nonnull (error);
}
END_TEST

START_TEST (test_store_info)
{
  g_autofree char *path = db_path ("i.db");
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStoreInfo) info = NULL;

  info = pos_database_get_store_info (db, &error);
  ck_assert_ptr_null (info);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  g_clear_error (&error);

  ck_assert (pos_database_exec (db,
    "INSERT INTO stores (id, code, name, legal_name, cnpj, address, city) VALUES "
    "('s1', '0001', 'Mercado Balcão', 'Mercado Balcão Ltda.', '11222333000181', 'Av. Paulista, 1000', 'São Paulo');"
    "INSERT INTO terminals (id, store_id, code, name) VALUES ('t1', 's1', '01', 'Caixa 01');"
    "INSERT INTO staff (id, store_id, code, name, role) VALUES ('u1', 's1', '1001', 'Ana', 'cashier');"
    "INSERT INTO settings VALUES ('store_id', 's1'), ('terminal_id', 't1'), ('staff_id', 'u1'),"
    " ('tax_mode', 'exclusive'), ('return_days', '7'), ('pix_key', 'k');", &error));
  info = pos_database_get_store_info (db, &error);
  ck_assert_ptr_null (error);
  ck_assert_str_eq (info->store_name, "Mercado Balcão");
  ck_assert_str_eq (info->store_code, "0001");
  ck_assert_str_eq (info->store_cnpj, "11222333000181");
  ck_assert_str_eq (info->store_city, "São Paulo");
  ck_assert_str_eq (info->currency, "BRL");
  ck_assert_str_eq (info->terminal_code, "01");
  ck_assert_str_eq (info->terminal_name, "Caixa 01");
  ck_assert_str_eq (info->staff_name, "Ana");
  ck_assert_str_eq (info->pix_key, "k");
  ck_assert_int_eq (info->tax_mode, POS_TAX_EXCLUSIVE);
  ck_assert_int_eq (info->return_days, 7);
  ck_assert_ptr_null (info->receipt_header);
  g_clear_pointer (&info, pos_store_info_free);

  /* defaults; a terminal that points at a missing store */
  ck_assert (pos_database_exec (db, "DELETE FROM settings WHERE key IN ('tax_mode', 'return_days')", &error));
  info = pos_database_get_store_info (db, &error);
  ck_assert_int_eq (info->tax_mode, POS_TAX_INCLUSIVE);
  ck_assert_int_eq (info->return_days, 30);
  g_clear_pointer (&info, pos_store_info_free);

  ck_assert (pos_database_set_setting (db, "store_id", "gone", &error));
  info = pos_database_get_store_info (db, &error);
  ck_assert_ptr_null (info);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
}
END_TEST

START_TEST (test_audit_and_outbox)
{
  g_autofree char *path = db_path ("o.db");
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *op1 = NULL;
  g_autofree char *op2 = NULL;
  g_autofree char *term = NULL;

  ck_assert (pos_database_set_setting (db, "terminal_id", "t9", &error));
  ck_assert (pos_database_audit (db, "sale.void", "sale", "abc", "cliente desistiu", "{\"n\":1}", &error));
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM audit_log"), 1);
  term = query_text (db, "SELECT terminal_id FROM audit_log");
  ck_assert_str_eq (term, "t9");
  /* every row goes up to the central as 'audit.append', its uuid the entity */
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM outbox o JOIN audit_log a ON a.uuid = o.entity_id "
                                   "WHERE o.type = 'audit.append' AND json_extract (o.payload, '$.id') = a.uuid "
                                   "AND json_extract (o.payload, '$.action') = 'sale.void' "
                                   "AND json_extract (o.payload, '$.terminal_id') = 't9' "
                                   "AND json_extract (o.payload, '$.reason') = 'cliente desistiu' "
                                   "AND json_extract (o.payload, '$.data.n') = 1 "
                                   "AND json_extract (o.payload, '$.occurred_at') = a.occurred_at"), 1);
  /* append-only */
  ck_assert (!pos_database_exec (db, "DELETE FROM audit_log", &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!pos_database_exec (db, "UPDATE audit_log SET action = 'x'", &error));
  g_clear_error (&error);

  ck_assert (pos_database_enqueue_outbox (db, "sale.create", "s1", "{\"a\":1}", &error));
  ck_assert (pos_database_enqueue_outbox (db, "sale.create", "s2", NULL, &error));
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM outbox WHERE status = 'pending' AND type = 'sale.create'"), 2);
  op1 = query_text (db, "SELECT op_id FROM outbox WHERE entity_id = 's1'");
  op2 = query_text (db, "SELECT op_id FROM outbox WHERE entity_id = 's2'");
  ck_assert (pos_uuid_is_valid (op1));
  ck_assert (pos_uuid_is_valid (op2));
  ck_assert_str_ne (op1, op2);
  ck_assert_int_lt (query_int (db, "SELECT seq FROM outbox WHERE entity_id = 's1'"),
                    query_int (db, "SELECT seq FROM outbox WHERE entity_id = 's2'"));

  /* inside a transaction that is rolled back, nothing remains */
  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_database_enqueue_outbox (db, "x", "s3", "{}", &error));
  ck_assert (pos_database_audit (db, "x", NULL, NULL, NULL, NULL, &error));
  pos_database_rollback (db);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM outbox"), 3);
  ck_assert_int_eq (query_int (db, "SELECT count(*) FROM audit_log"), 1);
}
END_TEST

START_TEST (test_two_connections)
{
  g_autofree char *path = db_path ("two.db");
  g_autoptr(PosDatabase) a = pos_database_open (path, NULL);
  g_autoptr(PosDatabase) b = pos_database_open (path, NULL);
  g_autofree char *v = NULL;

  ck_assert_ptr_nonnull (a);
  ck_assert_ptr_nonnull (b);
  ck_assert (pos_database_set_setting (a, "k", "v", NULL));
  v = pos_database_get_setting (b, "k");
  ck_assert_str_eq (v, "v");
}
END_TEST

/* What the app does: its connection stays open, in the middle of a read,
 * while a worker opens its own connection, commits and closes, three
 * times; the first connection keeps reading and writing and sees every
 * commit. (The app once failed here with a disk I/O error when opening a
 * database open()ed and close()d the file itself, dropping the process'
 * POSIX locks on it; this test did not reproduce that failure, the app's
 * UI test does.) */
START_TEST (test_worker_connection_comes_and_goes)
{
  g_autofree char *path = db_path ("worker.db");
  g_autoptr(PosDatabase) ui = pos_database_open (path, NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  ck_assert_ptr_nonnull (ui);
  ck_assert (pos_database_set_setting (ui, "before", "1", NULL));
  ck_assert (pos_database_set_setting (ui, "before2", "2", NULL));

  for (int i = 0; i < 3; i++)
    {
      /* A statement of the first connection in the middle of its rows
       * holds a read transaction (and its locks) while the worker runs. */
      sqlite3_stmt *reading = pos_database_prepare_cached (ui, "SELECT key FROM settings ORDER BY key", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strdup_printf ("k%d", i);
      g_autofree char *v = NULL;
      PosDatabase *worker;

      ck_assert_int_eq (sqlite3_step (reading), SQLITE_ROW);
      worker = pos_database_open (path, &error);
      ck_assert_ptr_null (error);
      ck_assert (pos_database_begin (worker, &error));
      ck_assert (pos_database_set_setting (worker, key, "v", &error));
      ck_assert (pos_database_commit_durable (worker, &error));
      g_object_unref (worker);

      ck_assert_int_eq (sqlite3_step (reading), SQLITE_ROW);
      sqlite3_reset (reading);

      /* The first connection still works and sees the worker's commit. */
      ck_assert (g_file_test (wal, G_FILE_TEST_EXISTS));
      v = pos_database_get_setting (ui, key);
      ck_assert_str_eq (v, "v");
      ck_assert (pos_database_set_setting (ui, "after", key, &error));
      ck_assert_ptr_null (error);
    }
}
END_TEST

static gpointer
worker_thread (gpointer data)
{
  PosDatabase *owner = data;
  GError *error = NULL;
  PosDatabase *w = pos_database_acquire_worker (owner, &error);
  gboolean ok;

  if (w == NULL)
    return GINT_TO_POINTER (FALSE);
  ok = pos_database_begin (w, &error) &&
       pos_database_set_setting (w, "from-thread", "yes", &error) &&
       pos_database_commit_durable (w, &error);
  pos_database_release_worker (owner, w);
  g_clear_error (&error);
  return GINT_TO_POINTER (ok);
}

START_TEST (test_worker_pool)
{
  g_autofree char *path = db_path ("pool.db");
  g_autoptr(PosDatabase) owner = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;
  PosDatabase *w1, *w2, *again;
  GThread *thread;
  g_autofree char *v = NULL;

  w1 = pos_database_acquire_worker (owner, &error);
  w2 = pos_database_acquire_worker (owner, &error);
  ck_assert_ptr_nonnull (w1);
  ck_assert_ptr_nonnull (w2);
  ck_assert_ptr_ne (w1, owner);
  ck_assert_ptr_ne (w1, w2);
  ck_assert_str_eq (pos_database_get_path (w1), path);

  /* A worker given back in the middle of a transaction comes back clean. */
  ck_assert (pos_database_begin (w1, &error));
  ck_assert (pos_database_set_setting (w1, "abandoned", "1", &error));
  pos_database_release_worker (owner, w1);
  pos_database_release_worker (owner, w2);
  again = pos_database_acquire_worker (owner, &error);
  ck_assert (again == w1 || again == w2);
  ck_assert_ptr_null (pos_database_get_setting (owner, "abandoned"));
  ck_assert (pos_database_set_setting (again, "k", "v", &error));
  pos_database_release_worker (owner, again);

  /* Used from another thread, seen by the owner. */
  thread = g_thread_new ("worker", worker_thread, owner);
  ck_assert (GPOINTER_TO_INT (g_thread_join (thread)));
  v = pos_database_get_setting (owner, "from-thread");
  ck_assert_str_eq (v, "yes");
}
END_TEST

static Suite *
database_suite (void)
{
  Suite *s = suite_create ("database");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_open_close);
  tcase_add_test (tc, test_empty_file);
  tcase_add_test (tc, test_upgrade_from_1);
  tcase_add_test (tc, test_open_at_version_zero);
  tcase_add_test (tc, test_newer_schema_refused);
  tcase_add_test (tc, test_not_a_database);
  tcase_add_test (tc, test_missing_folder);
  tcase_add_test (tc, test_settings);
  tcase_add_test (tc, test_prepare_cached);
  tcase_add_test (tc, test_transactions);
  tcase_add_test (tc, test_store_info);
  tcase_add_test (tc, test_audit_and_outbox);
  tcase_add_test (tc, test_two_connections);
  tcase_add_test (tc, test_worker_connection_comes_and_goes);
  tcase_add_test (tc, test_worker_pool);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (database_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
