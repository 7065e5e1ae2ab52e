/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "domain/pos-barcode.h"
#include "domain/pos-cpf.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-demo-data.h"
#include "terminal/pos-staff.h"
#include "test-tmpdir.h"

#define N_PRODUCTS  400
#define N_CUSTOMERS 300
#define N_SALES     120

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

typedef struct {
  guint    calls;
  gboolean saw_products_done;
} ProgressLog;

static void
on_progress (const char *what,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  ProgressLog *log = user_data;

  ck_assert_uint_le (done, total);
  log->calls++;
  if (g_str_equal (what, "products") && done == total)
    log->saw_products_done = TRUE;
}

static PosDatabase *
make_demo (const char *name,
           guint32     seed)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = pos_database_open (path, &error);
  ProgressLog log = { 0, };

  ck_assert_ptr_nonnull (db);
  if (!pos_demo_data_generate (db, N_PRODUCTS, N_CUSTOMERS, N_SALES, seed, on_progress, &log, &error))
    ck_abort_msg ("%s", error->message);
  ck_assert_uint_gt (log.calls, 3);
  ck_assert (log.saw_products_done);
  return g_steal_pointer (&db);
}

static gint64
count (PosDatabase *db,
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

/* A digest of everything the seed decides. */
static char *
digest (PosDatabase *db)
{
  static const char *queries[] = {
    "SELECT p.sku || p.name || IFNULL (p.brand, '') || p.tax_class_id || pr.amount || b.code || s.synced_qty "
    "FROM products p JOIN prices pr ON pr.product_id = p.id JOIN product_barcodes b ON b.product_id = p.id "
    "JOIN stock_levels s ON s.product_id = p.id ORDER BY p.id",
    "SELECT id || name || IFNULL (cpf, '') || IFNULL (email, '') || phone || IFNULL (loyalty_card, '') FROM customers ORDER BY id",
    "SELECT number || total || IFNULL (customer_id, '') FROM sales ORDER BY number",
    "SELECT sale_id || line_no || product_id || quantity || total FROM sale_lines ORDER BY sale_id, line_no",
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      sqlite3_stmt *stmt = NULL;
      ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db), queries[q], -1, &stmt, NULL), SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_checksum_update (sum, sqlite3_column_text (stmt, 0), -1);
      sqlite3_finalize (stmt);
    }
  return g_strdup (g_checksum_get_string (sum));
}

START_TEST (test_counts_and_store)
{
  g_autoptr(PosDatabase) db = make_demo ("a.db", 42);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, &error);

  ck_assert_int_eq (count (db, "SELECT count(*) FROM products"), N_PRODUCTS);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM customers"), N_CUSTOMERS);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM sales"), N_SALES);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM prices"), N_PRODUCTS);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM stock_levels"), N_PRODUCTS);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM product_search"), N_PRODUCTS);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM customer_search"), N_CUSTOMERS);
  ck_assert_int_ge (count (db, "SELECT count(*) FROM customer_events"), 1);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM staff"), 3);
  ck_assert_int_eq (count (db, "SELECT count(DISTINCT role) FROM staff"), 3);
  ck_assert_int_ge (count (db, "SELECT count(*) FROM barcode_rules"), 2);
  ck_assert_int_ge (count (db, "SELECT count(*) FROM tax_classes"), 3);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('products_ai', 'customers_ai')"), 2);
  ck_assert_int_eq (count (db, "PRAGMA synchronous"), 2);  /* back to FULL after the bulk load */

  ck_assert_ptr_null (error);
  ck_assert_str_eq (info->store_name, "Mercado Balcão");
  ck_assert (pos_cnpj_validate (info->store_cnpj));
  ck_assert_str_eq (info->terminal_code, "01");
  ck_assert_ptr_nonnull (info->staff_name);
  ck_assert_str_eq (info->currency, "BRL");
  ck_assert_int_eq (info->tax_mode, POS_TAX_INCLUSIVE);
  ck_assert_int_eq (info->return_days, 30);
  ck_assert_ptr_nonnull (info->pix_key);
  ck_assert_ptr_nonnull (info->receipt_header);
  ck_assert_ptr_nonnull (info->receipt_footer);
  ck_assert_int_eq (count (db, "SELECT role = 'cashier' FROM staff WHERE id = (SELECT value FROM settings WHERE key = 'staff_id')"), 1);
  /* The demo staff sign in with the README's PINs (cashier 1001: 1111). */
  ck_assert_int_eq (count (db, "SELECT count(*) FROM staff WHERE pin_hash LIKE '$argon2id$%'"), 3);
  {
    g_autoptr(PosStaff) cashier = pos_staff_sign_in_pin (db, "1001", "1111", &error);
    ck_assert_msg (cashier != NULL, "%s", error != NULL ? error->message : "");
    ck_assert_int_eq (cashier->role, POS_ROLE_CASHIER);
  }

  /* sale arithmetic is consistent */
  ck_assert_int_eq (count (db, "SELECT count(*) FROM sales s WHERE total != (SELECT sum(total) FROM sale_lines l WHERE l.sale_id = s.id)"), 0);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM sales s WHERE total != (SELECT sum(amount) FROM sale_payments p WHERE p.sale_id = s.id)"), 0);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM sale_payments WHERE tendered - amount != change"), 0);
  ck_assert_int_eq (count (db, "SELECT next_value FROM document_sequences WHERE kind = 'sale'"), N_SALES + 1);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}
END_TEST

START_TEST (test_codes_are_valid)
{
  g_autoptr(PosDatabase) db = make_demo ("b.db", 7);
  sqlite3_stmt *stmt = NULL;
  guint n_ean = 0, n_cpf = 0;

  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db),
                    "SELECT code FROM product_barcodes WHERE code LIKE '789%'", -1, &stmt, NULL), SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(GError) error = NULL;

      ck_assert_uint_eq (strlen (code), 13);
      if (!pos_gtin_validate (code, &error))
        ck_abort_msg ("%s: %s", code, error->message);
      ck_assert_int_eq (code[12] - '0', pos_gtin_check_digit (code, 12));
      n_ean++;
    }
  sqlite3_finalize (stmt);
  ck_assert_uint_gt (n_ean, N_PRODUCTS - 30);

  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db),
                    "SELECT cpf FROM customers WHERE cpf IS NOT NULL", -1, &stmt, NULL), SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *cpf = (const char *) sqlite3_column_text (stmt, 0);
      if (!pos_cpf_validate (cpf))
        ck_abort_msg ("invalid CPF %s", cpf);
      n_cpf++;
    }
  sqlite3_finalize (stmt);
  ck_assert_uint_gt (n_cpf, N_CUSTOMERS - 5);

  ck_assert_int_eq (count (db, "SELECT count(*) FROM customers WHERE email NOT LIKE '%_@example.%'"), 0);
  ck_assert_int_eq (count (db, "SELECT count(DISTINCT loyalty_card) = count(loyalty_card) FROM customers"), 1);
}
END_TEST

START_TEST (test_catalog_works_on_demo)
{
  g_autoptr(PosDatabase) db = make_demo ("c.db", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) r = pos_catalog_search (db, "acucar uniao", 10, &error);
  g_autoptr(PosProduct) banana = NULL;
  g_autofree char *scan = NULL;
  PosBarcodeRule *rules;
  guint n_rules = 0;
  PosScanResult res;
  gboolean found = FALSE;

  ck_assert_ptr_nonnull (r);
  for (guint i = 0; i < r->len; i++)
    if (g_str_equal (pos_product_get_name (g_ptr_array_index (r, i)), "Açúcar Refinado União 1kg"))
      found = TRUE;
  ck_assert (found);
  g_clear_pointer (&r, g_ptr_array_unref);

  r = pos_catalog_search (db, "cafe pilao", 10, &error);
  ck_assert_uint_ge (r->len, 1);

  /* a weighed good resolves from a scale label */
  r = pos_catalog_search (db, "banana prata", 10, &error);
  ck_assert_uint_ge (r->len, 1);
  banana = g_object_ref (g_ptr_array_index (r, 0));
  ck_assert (pos_product_get_weighed (banana));
  rules = pos_catalog_get_barcode_rules (db, &n_rules);
  for (guint i = 0; i < n_rules && scan == NULL; i++)
    scan = pos_barcode_rule_encode (&rules[i], pos_product_get_barcode (banana), 1234, NULL);
  pos_barcode_rules_free (rules, n_rules);
  ck_assert_ptr_nonnull (scan);
  if (!pos_catalog_resolve_scan (db, scan, &res, &error))
    ck_abort_msg ("%s: %s", scan, error->message);
  ck_assert_int_eq (pos_product_get_id (res.product), pos_product_get_id (banana));
  ck_assert_int_eq (res.quantity, 1234);
  pos_scan_result_clear (&res);
}
END_TEST

START_TEST (test_deterministic)
{
  g_autoptr(PosDatabase) a = make_demo ("d1.db", 1234);
  g_autoptr(PosDatabase) b = make_demo ("d2.db", 1234);
  g_autoptr(PosDatabase) c = make_demo ("d3.db", 1235);
  g_autofree char *da = digest (a);
  g_autofree char *db_ = digest (b);
  g_autofree char *dc = digest (c);

  ck_assert_str_eq (da, db_);
  ck_assert_str_ne (da, dc);
}
END_TEST

START_TEST (test_refuses_twice)
{
  g_autoptr(PosDatabase) db = make_demo ("e.db", 5);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = digest (db);
  g_autofree char *after = NULL;

  ck_assert (!pos_demo_data_generate (db, 10, 10, 10, 5, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_CONSTRAINT));
  ck_assert_ptr_nonnull (strstr (error->message, "Mercado Balcão"));
  ck_assert_int_eq (count (db, "SELECT count(*) FROM products"), N_PRODUCTS);
  after = digest (db);
  ck_assert_str_eq (before, after);
}
END_TEST

START_TEST (test_empty_counts)
{
  g_autofree char *path = g_build_filename (tmpdir, "z.db", NULL);
  g_autoptr(PosDatabase) db = pos_database_open (path, NULL);
  g_autoptr(GError) error = NULL;

  ck_assert (pos_demo_data_generate (db, 0, 0, 5, 1, NULL, NULL, &error));
  ck_assert_int_eq (count (db, "SELECT count(*) FROM stores"), 1);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM products"), 0);
  ck_assert_int_eq (count (db, "SELECT count(*) FROM sales"), 0);
}
END_TEST

static Suite *
demo_suite (void)
{
  Suite *s = suite_create ("demo-data");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 240);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_counts_and_store);
  tcase_add_test (tc, test_codes_are_valid);
  tcase_add_test (tc, test_catalog_works_on_demo);
  tcase_add_test (tc, test_deterministic);
  tcase_add_test (tc, test_refuses_twice);
  tcase_add_test (tc, test_empty_counts);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (demo_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
