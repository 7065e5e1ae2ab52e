/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "terminal/pos-catalog.h"
#include "test-tmpdir.h"

static char *tmpdir;
static PosDatabase *db;

static void
setup (void)
{
  g_autofree char *path = NULL;

  tmpdir = test_tmpdir_new ();
  path = g_build_filename (tmpdir, "i.db", NULL);
  db = pos_database_open (path, NULL);
  ck_assert_ptr_nonnull (db);
}

static void
teardown (void)
{
  g_clear_object (&db);
  test_tmpdir_remove (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static char *
fixture (const char *name)
{
  const char *src = g_getenv ("BALCAO_SOURCE_DIR");

  if (src == NULL)
    src = ".";   /* meson test sets BALCAO_SOURCE_DIR */
  return g_build_filename (src, "tests", "fixtures", name, NULL);
}

static char *
write_tmp (const char *name,
           const char *contents,
           gssize      len)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  ck_assert (g_file_set_contents (path, contents, len, NULL));
  return path;
}

static gint64
count (const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static void
assert_nothing_imported (void)
{
  ck_assert_int_eq (count ("SELECT count(*) FROM products"), 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM product_barcodes"), 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM prices"), 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM tax_classes"), 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log"), 0);
}

START_TEST (test_good_file)
{
  g_autofree char *path = fixture ("catalog-good.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = NULL;
  PosImportReport report;

  if (!pos_catalog_import_csv (db, path, &report, &error))
    ck_abort_msg ("%s", error->message);
  ck_assert_uint_eq (report.n_rows, 5);
  ck_assert_uint_eq (report.n_inserted, 5);
  ck_assert_uint_eq (report.n_updated, 0);
  ck_assert_int_eq (count ("SELECT count(*) FROM products"), 5);

  p = pos_catalog_lookup_barcode (db, "7891000100103", &error);
  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (pos_product_get_name (p), "Açúcar Refinado União 1kg");
  ck_assert_str_eq (pos_product_get_brand (p), "União");
  ck_assert_int_eq (pos_product_get_price (p), 549);
  ck_assert_uint_eq (pos_product_get_tax_rate_bp (p), 700);
  ck_assert_int_eq (pos_product_get_stock (p), 120000);
  g_clear_object (&p);

  /* two barcodes, decimal stock */
  p = pos_catalog_lookup_barcode (db, "7891000300305", &error);
  ck_assert_str_eq (pos_product_get_sku (p), "CAF-500");
  ck_assert_int_eq (pos_product_get_price (p), 1899);
  ck_assert_int_eq (pos_product_get_stock (p), 40500);
  g_clear_object (&p);

  /* quoting: comma and doubled quotes inside; integer price */
  p = pos_catalog_lookup_sku (db, "BIS-MARIA", &error);
  ck_assert_str_eq (pos_product_get_name (p), "Biscoito \"Maria\", Tradicional 200g");
  ck_assert_int_eq (pos_product_get_price (p), 400);
  ck_assert_str_eq (pos_product_get_tax_class_id (p), "icms-18");
  g_clear_object (&p);

  /* a line break inside quotes; tax class named after the rate */
  p = pos_catalog_lookup_sku (db, "ARZ-5", &error);
  ck_assert_str_eq (pos_product_get_name (p), "Arroz Branco\nTio João 5kg");
  ck_assert_uint_eq (pos_product_get_tax_rate_bp (p), 700);
  g_clear_object (&p);

  /* weighed, registered under a scale item code */
  p = pos_catalog_lookup_barcode (db, "2100001000000", &error);
  ck_assert_ptr_nonnull (p);
  ck_assert (pos_product_get_weighed (p));
  ck_assert_str_eq (pos_product_get_unit (p), "kg");
  ck_assert_int_eq (pos_product_get_stock (p), 80250);
  g_clear_object (&p);

  /* searchable at once */
  {
    g_autoptr(GPtrArray) r = pos_catalog_search (db, "biscoito maria", 10, &error);
    ck_assert_uint_eq (r->len, 1);
  }

  /* importing again updates and changes no price that did not change */
  ck_assert (pos_catalog_import_csv (db, path, &report, &error));
  ck_assert_uint_eq (report.n_inserted, 0);
  ck_assert_uint_eq (report.n_updated, 5);
  ck_assert_int_eq (count ("SELECT count(*) FROM products"), 5);
  ck_assert_int_eq (count ("SELECT count(*) FROM prices"), 5);
  ck_assert_int_eq (count ("SELECT count(*) FROM audit_log WHERE action = 'catalog.import'"), 2);
}
END_TEST

START_TEST (test_price_change)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = write_tmp ("a.csv", "sku,name,price,tax_rate\nX1,Produto X,10.00,18\n", -1);
  g_autofree char *b = write_tmp ("b.csv", "sku,name,price,brand\nX1,Produto X Novo,12.50,Nova\n", -1);
  g_autoptr(PosProduct) p = NULL;
  PosImportReport report;

  ck_assert (pos_catalog_import_csv (db, a, &report, &error));
  g_usleep (2000);
  ck_assert (pos_catalog_import_csv (db, b, &report, &error));
  ck_assert_uint_eq (report.n_updated, 1);
  p = pos_catalog_lookup_sku (db, "X1", &error);
  ck_assert_str_eq (pos_product_get_name (p), "Produto X Novo");
  ck_assert_str_eq (pos_product_get_brand (p), "Nova");
  ck_assert_int_eq (pos_product_get_price (p), 1250);
  ck_assert_uint_eq (pos_product_get_tax_rate_bp (p), 1800);  /* kept */
  /* the old price is kept as history, closed */
  ck_assert_int_eq (count ("SELECT count(*) FROM prices WHERE product_id = 1"), 2);
  ck_assert_int_eq (count ("SELECT count(*) FROM prices WHERE product_id = 1 AND valid_to IS NULL"), 1);
}
END_TEST

START_TEST (test_semicolons)
{
  g_autofree char *path = fixture ("catalog-semicolon.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = NULL;
  PosImportReport report;

  if (!pos_catalog_import_csv (db, path, &report, &error))
    ck_abort_msg ("%s", error->message);
  ck_assert_uint_eq (report.n_rows, 2);
  ck_assert_uint_eq (report.n_inserted, 2);

  p = pos_catalog_lookup_sku (db, "OLEO-900", &error);   /* BOM stripped from the header */
  ck_assert_int_eq (pos_product_get_price (p), 749);
  ck_assert_uint_eq (pos_product_get_tax_rate_bp (p), 700);
  g_clear_object (&p);

  p = pos_catalog_lookup_sku (db, "LEITE;1L", &error);
  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (pos_product_get_name (p), "Leite UHT Integral; Italac 1l");
  ck_assert_int_eq (pos_product_get_price (p), 520);
  ck_assert_uint_eq (pos_product_get_tax_rate_bp (p), 750);
}
END_TEST

START_TEST (test_bad_rows)
{
  g_autofree char *path = fixture ("catalog-bad.csv");
  g_autoptr(GError) error = NULL;
  PosImportReport report;
  static const char *expected[] = {
    "line 3:", "line 4:", "line 6:", "line 7:", "line 8:", "line 9:", "line 10:", "line 11:", "line 12:",
  };

  ck_assert (!pos_catalog_import_csv (db, path, &report, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (error->message, expected[i]) == NULL)
      ck_abort_msg ("'%s' missing in: %s", expected[i], error->message);
  ck_assert_ptr_null (strstr (error->message, "line 2:"));
  ck_assert_ptr_null (strstr (error->message, "line 5:"));
  ck_assert_ptr_nonnull (strstr (error->message, "9 problems"));
  ck_assert_ptr_nonnull (strstr (error->message, "check digit"));
  ck_assert_ptr_nonnull (strstr (error->message, "also on line 2"));
  ck_assert_uint_eq (report.n_inserted, 0);
  assert_nothing_imported ();
}
END_TEST

START_TEST (test_database_conflict_rolls_back)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = write_tmp ("a.csv", "sku,name,price,barcode,tax_rate\nA1,Produto A,1.00,7891000100103,18\n", -1);
  g_autofree char *b = write_tmp ("b.csv",
                                  "sku,name,price,barcode,tax_rate\n"
                                  "B1,Produto B,2.00,7891000200209,18\n"
                                  "B2,Produto B2,2.00,7891000100103,18\n"
                                  "B3,Produto B3,2.00,,12\n", -1);
  g_autofree char *c = write_tmp ("c.csv", "sku,name,price,tax_class,tax_rate\nC1,Produto C,1.00,icms,7\nC2,Produto C2,1.00,novo,\n", -1);

  ck_assert (pos_catalog_import_csv (db, a, NULL, &error));
  ck_assert (!pos_catalog_import_csv (db, b, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 3:"));
  ck_assert_ptr_nonnull (strstr (error->message, "A1"));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT count(*) FROM products"), 1);
  ck_assert_int_eq (count ("SELECT count(*) FROM tax_classes"), 1);

  /* new tax class without a rate */
  ck_assert (!pos_catalog_import_csv (db, c, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 3:"));
  ck_assert_ptr_null (strstr (error->message, "line 2:"));
  ck_assert_int_eq (count ("SELECT count(*) FROM products"), 1);
}
END_TEST

START_TEST (test_malformed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *unclosed = write_tmp ("u.csv", "sku,name,price\nA,\"Nome sem fim,1.00\nB,Outro,2.00\n", -1);
  g_autofree char *stray = write_tmp ("s.csv", "sku,name,price\nA,Nome \"meio\" aspas,1.00\nB,\"Fechado\"x,2.00\n", -1);
  g_autofree char *no_header = write_tmp ("n.csv", "", 0);
  g_autofree char *missing = write_tmp ("m.csv", "sku,nome,price\nA,B,1\n", -1);
  g_autofree char *utf = write_tmp ("x.csv", "sku,name,price\nA,Caf\xe9 latin-1,1.00\nB,Bom,2\n", -1);
  static const char binary_text[] = "sku,name,price\nA\0B,C,1\n";
  g_autofree char *binary = write_tmp ("b.csv", binary_text, sizeof binary_text - 1);
  g_autofree char *dup = write_tmp ("d.csv", "sku,name,price,price\nA,B,1,2\n", -1);
  g_autofree char *overlong = NULL;
  g_autofree char *overlong_csv = NULL;
  g_autofree char *nofile = g_build_filename (tmpdir, "nope.csv", NULL);

  ck_assert (!pos_catalog_import_csv (db, unclosed, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 2:"));
  ck_assert_ptr_nonnull (strstr (error->message, "never closed"));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, stray, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 2:"));
  ck_assert_ptr_nonnull (strstr (error->message, "line 3:"));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, no_header, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "header"));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, missing, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 1:"));
  ck_assert_ptr_nonnull (strstr (error->message, "nome"));
  ck_assert_ptr_nonnull (strstr (error->message, "“name” is missing"));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, utf, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 2: not valid UTF-8"));
  ck_assert_ptr_null (strstr (error->message, "line 3:"));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, binary, NULL, &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, dup, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "twice"));
  g_clear_error (&error);

  overlong = g_strnfill (300, 'x');
  overlong_csv = g_strdup_printf ("sku,name,price\nA,%s,1\n%s,B,1\n", overlong, overlong);
  g_free (unclosed);
  unclosed = write_tmp ("o.csv", overlong_csv, -1);
  ck_assert (!pos_catalog_import_csv (db, unclosed, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "line 2:"));
  ck_assert_ptr_nonnull (strstr (error->message, "line 3:"));
  g_clear_error (&error);

  ck_assert (!pos_catalog_import_csv (db, nofile, NULL, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);

  assert_nothing_imported ();
}
END_TEST

static Suite *
import_suite (void)
{
  Suite *s = suite_create ("import");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_good_file);
  tcase_add_test (tc, test_price_change);
  tcase_add_test (tc, test_semicolons);
  tcase_add_test (tc, test_bad_rows);
  tcase_add_test (tc, test_database_conflict_rolls_back);
  tcase_add_test (tc, test_malformed);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (import_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
