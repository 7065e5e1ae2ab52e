/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

#include "domain/pos-barcode.h"
#include "terminal/pos-catalog.h"
#include "test-tmpdir.h"

static char *tmpdir;
static PosDatabase *db;

/* EAN-13 for 12 digits, with the right check digit. */
static char *
ean13 (const char *twelve)
{
  return g_strdup_printf ("%s%d", twelve, pos_gtin_check_digit (twelve, 12));
}

static void
exec_ok (const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!pos_database_exec (db, sql, &error))
    ck_abort_msg ("%s: %s", sql, error->message);
}

static void
add_product (gint64      id,
             const char *sku,
             const char *name,
             const char *brand,
             const char *barcode,
             gint64      price,
             gboolean    weighed)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO products (id, sku, name, brand, unit, weighed, tax_class_id) VALUES "
    "(%" G_GINT64_FORMAT ", '%s', '%s', %s%s%s, '%s', %d, 'icms-18');"
    "INSERT INTO prices (product_id, amount, currency) VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'BRL');",
    id, sku, name, brand ? "'" : "", brand ? brand : "NULL", brand ? "'" : "",
    weighed ? "kg" : "un", weighed ? 1 : 0, id, price);

  exec_ok (sql);
  if (barcode != NULL)
    {
      g_autofree char *b = g_strdup_printf ("INSERT INTO product_barcodes (code, product_id) VALUES ('%s', %" G_GINT64_FORMAT ")",
                                            barcode, id);
      exec_ok (b);
    }
}

static char *sugar_ean;
static char *coffee_ean;
static char *upc_ean;     /* registered as 13 digits 0 + UPC-A */
static char *banana_item;
static char *cake_item;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  const PosBarcodeRule *rules;
  guint n_rules = 0;

  tmpdir = test_tmpdir_new ();
  path = g_build_filename (tmpdir, "c.db", NULL);
  db = pos_database_open (path, &error);
  ck_assert_ptr_nonnull (db);

  exec_ok ("INSERT INTO tax_classes (id, name, rate_bp, approx_rate_bp) VALUES ('icms-18', 'ICMS 18%', 1800, 3145)");

  sugar_ean = ean13 ("789100010010");
  coffee_ean = ean13 ("789100020020");
  upc_ean = ean13 ("003600029145");   /* UPC-A 036000291452 as EAN-13 */

  rules = pos_barcode_default_rules (&n_rules);
  ck_assert_uint_gt (n_rules, 0);
  for (guint i = 0; i < n_rules; i++)
    {
      if (rules[i].kind == POS_BARCODE_KIND_WEIGHT && g_str_has_prefix (rules[i].pattern, "21") && banana_item == NULL)
        banana_item = pos_barcode_rule_item_code (&rules[i], "2100042", &error);
      if (rules[i].kind == POS_BARCODE_KIND_PRICE && g_str_has_prefix (rules[i].pattern, "23") && cake_item == NULL)
        cake_item = pos_barcode_rule_item_code (&rules[i], "2300007", &error);
    }
  ck_assert_ptr_nonnull (banana_item);
  ck_assert_ptr_nonnull (cake_item);

  add_product (1, "ACU-1", "Açúcar Refinado União 1kg", "União", sugar_ean, 549, FALSE);
  add_product (2, "CAF-500", "Café Torrado e Moído Pilão 500g", "Pilão", coffee_ean, 1899, FALSE);
  add_product (3, "ARZ-5", "Arroz Branco Tio João 5kg", "Tio João", NULL, 2790, FALSE);
  add_product (4, "CAFE-EXP", "Cafeteira Expresso", "Oster", NULL, 49900, FALSE);
  add_product (5, "UPC-1", "Molho Inglês Importado", "Lea & Perrins", upc_ean, 2590, FALSE);
  add_product (6, "BAN-PRATA", "Banana Prata kg", NULL, banana_item, 599, TRUE);
  add_product (7, "BOLO-CEN", "Bolo de Cenoura", "Padaria Balcão", cake_item, 1500, FALSE);
  add_product (8, "CACAU", "Açúcar Mascavo Orgânico 500g", "Native", NULL, 1290, FALSE);
  exec_ok ("INSERT INTO stock_levels (product_id, synced_qty, local_delta) VALUES (1, 10000, -3000)");
}

static void
teardown (void)
{
  g_clear_object (&db);
  test_tmpdir_remove (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
  g_clear_pointer (&sugar_ean, g_free);
  g_clear_pointer (&coffee_ean, g_free);
  g_clear_pointer (&upc_ean, g_free);
  g_clear_pointer (&banana_item, g_free);
  g_clear_pointer (&cake_item, g_free);
}

static gboolean
contains_sku (GPtrArray  *results,
              const char *sku)
{
  for (guint i = 0; i < results->len; i++)
    if (g_str_equal (pos_product_get_sku (g_ptr_array_index (results, i)), sku))
      return TRUE;
  return FALSE;
}

START_TEST (test_lookup_barcode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = pos_catalog_lookup_barcode (db, sugar_ean, &error);

  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (p);
  ck_assert_int_eq (pos_product_get_id (p), 1);
  ck_assert_str_eq (pos_product_get_sku (p), "ACU-1");
  ck_assert_str_eq (pos_product_get_name (p), "Açúcar Refinado União 1kg");
  ck_assert_str_eq (pos_product_get_brand (p), "União");
  ck_assert_str_eq (pos_product_get_barcode (p), sugar_ean);
  ck_assert_str_eq (pos_product_get_unit (p), "un");
  ck_assert (!pos_product_get_weighed (p));
  ck_assert_int_eq (pos_product_get_price (p), 549);
  ck_assert_str_eq (pos_product_get_currency (p), "BRL");
  ck_assert_str_eq (pos_product_get_tax_class_id (p), "icms-18");
  ck_assert_uint_eq (pos_product_get_tax_rate_bp (p), 1800);
  ck_assert_uint_eq (pos_product_get_approx_tax_bp (p), 3145);
  ck_assert_int_eq (pos_product_get_stock (p), 7000);
}
END_TEST

START_TEST (test_lookup_upc_and_not_found)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = NULL;
  g_autofree char *upc = g_strdup (upc_ean + 1);  /* the 12-digit UPC-A the scanner sends */
  g_autofree char *gtin14 = g_strconcat ("0", upc_ean, NULL);

  ck_assert_uint_eq (strlen (upc), 12);
  p = pos_catalog_lookup_barcode (db, upc, &error);
  ck_assert_ptr_null (error);
  ck_assert_str_eq (pos_product_get_sku (p), "UPC-1");
  g_clear_object (&p);

  p = pos_catalog_lookup_barcode (db, gtin14, &error);
  ck_assert_ptr_null (error);
  ck_assert_str_eq (pos_product_get_sku (p), "UPC-1");
  g_clear_object (&p);

  p = pos_catalog_lookup_barcode (db, "7890000000000", &error);
  ck_assert_ptr_null (p);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, "7890000000000"));
  g_clear_error (&error);

  p = pos_catalog_lookup_barcode (db, "   ", &error);
  ck_assert_ptr_null (p);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  g_clear_error (&error);

  p = pos_catalog_lookup_sku (db, "CAF-500", &error);
  ck_assert_str_eq (pos_product_get_name (p), "Café Torrado e Moído Pilão 500g");
  g_clear_object (&p);
  p = pos_catalog_lookup_sku (db, "nope", &error);
  ck_assert_ptr_null (p);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  g_clear_error (&error);

  p = pos_catalog_get_product (db, 3, &error);
  ck_assert_str_eq (pos_product_get_sku (p), "ARZ-5");
  ck_assert_ptr_null (pos_product_get_barcode (p));
  g_clear_object (&p);
  p = pos_catalog_get_product (db, 999, &error);
  ck_assert_ptr_null (p);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
}
END_TEST

START_TEST (test_current_price)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = NULL;
  gint64 now = pos_now_ms ();
  g_autofree char *sql = g_strdup_printf (
    "UPDATE prices SET valid_to = %" G_GINT64_FORMAT " WHERE product_id = 2;"
    "INSERT INTO prices (product_id, valid_from, valid_to, amount, currency) VALUES (2, %" G_GINT64_FORMAT ", NULL, 1799, 'BRL');"
    "INSERT INTO prices (product_id, valid_from, amount, currency) VALUES (2, %" G_GINT64_FORMAT ", 1999, 'BRL');"
    "INSERT INTO prices (product_id, price_list, valid_from, amount, currency) VALUES (2, 'wholesale', %" G_GINT64_FORMAT ", 1000, 'BRL');",
    now - 1000, now - 1000, now + 86400000, now - 500);

  exec_ok (sql);
  p = pos_catalog_lookup_barcode (db, coffee_ean, &error);
  ck_assert_int_eq (pos_product_get_price (p), 1799);
  g_clear_object (&p);

  /* no current price at all */
  exec_ok ("DELETE FROM prices WHERE product_id = 3");
  p = pos_catalog_get_product (db, 3, &error);
  ck_assert_int_eq (pos_product_get_price (p), -1);
}
END_TEST

START_TEST (test_search_accents_prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) r = NULL;

  r = pos_catalog_search (db, "acucar", 20, &error);
  ck_assert_ptr_null (error);
  ck_assert (contains_sku (r, "ACU-1"));
  ck_assert (contains_sku (r, "CACAU"));
  ck_assert (!contains_sku (r, "CAF-500"));
  g_clear_pointer (&r, g_ptr_array_unref);

  r = pos_catalog_search (db, "caf", 20, &error);
  ck_assert (contains_sku (r, "CAF-500"));
  ck_assert (contains_sku (r, "CAFE-EXP"));
  ck_assert (!contains_sku (r, "ACU-1"));
  g_clear_pointer (&r, g_ptr_array_unref);

  r = pos_catalog_search (db, "CAFÉ", 20, &error);
  ck_assert (contains_sku (r, "CAF-500"));
  g_clear_pointer (&r, g_ptr_array_unref);

  /* multiword: every word must match */
  r = pos_catalog_search (db, "acucar uni", 20, &error);
  ck_assert_uint_eq (r->len, 1);
  ck_assert_str_eq (pos_product_get_sku (g_ptr_array_index (r, 0)), "ACU-1");
  g_clear_pointer (&r, g_ptr_array_unref);

  r = pos_catalog_search (db, "caf pil", 20, &error);
  ck_assert_uint_eq (r->len, 1);
  ck_assert_str_eq (pos_product_get_sku (g_ptr_array_index (r, 0)), "CAF-500");
  g_clear_pointer (&r, g_ptr_array_unref);

  /* brand and SKU are searched too */
  r = pos_catalog_search (db, "tio", 20, &error);
  ck_assert (contains_sku (r, "ARZ-5"));
  g_clear_pointer (&r, g_ptr_array_unref);
  r = pos_catalog_search (db, "arz", 20, &error);
  ck_assert (contains_sku (r, "ARZ-5"));
  g_clear_pointer (&r, g_ptr_array_unref);

  r = pos_catalog_search (db, "xyzzy", 20, &error);
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (r->len, 0);
  g_clear_pointer (&r, g_ptr_array_unref);

  /* limit */
  r = pos_catalog_search (db, "a", 2, &error);
  ck_assert_uint_eq (r->len, 2);
}
END_TEST

/* A bulk load (a first pull) goes in without indexing row by row; resume
 * indexes it once and puts the triggers back, also after a "crash"
 * (suspended, then resumed by a new connection). */
START_TEST (test_search_index_suspended_for_bulk_load)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(PosDatabase) other = NULL;
  g_autofree char *trigger = NULL;

  ck_assert (pos_catalog_suspend_search_index (db, &error));
  ck_assert (pos_catalog_suspend_search_index (db, &error));   /* twice is harmless */
  trigger = pos_database_get_trigger_sql (db, "products_ai");
  ck_assert_ptr_null (trigger);
  add_product (900, "BULK-1", "Goiabada Cascão Zélia", "Zélia", NULL, 990, FALSE);
  exec_ok ("UPDATE products SET name = 'Goiabada Cascão Zélia 600g' WHERE id = 900");
  r = pos_catalog_search (db, "goiabada", 10, &error);
  ck_assert_uint_eq (r->len, 0);
  g_clear_pointer (&r, g_ptr_array_unref);

  /* the process that suspended it is gone: another connection repairs it */
  other = pos_database_open (pos_database_get_path (db), &error);
  ck_assert_ptr_nonnull (other);
  ck_assert (pos_catalog_resume_search_index (other, &error));
  ck_assert (pos_catalog_resume_search_index (other, &error));   /* nothing left to do */
  trigger = pos_database_get_trigger_sql (other, "products_ai");
  ck_assert_ptr_nonnull (trigger);

  r = pos_catalog_search (other, "goiabada 600", 10, &error);
  ck_assert_uint_eq (r->len, 1);
  g_clear_pointer (&r, g_ptr_array_unref);
  /* the triggers index again */
  add_product (901, "BULK-2", "Rapadura Mineira", NULL, NULL, 450, FALSE);
  r = pos_catalog_search (other, "rapadura", 10, &error);
  ck_assert_uint_eq (r->len, 1);
  exec_ok ("DELETE FROM prices WHERE product_id IN (900, 901); DELETE FROM products WHERE id IN (900, 901)");
}
END_TEST

START_TEST (test_search_ranking)
{
  g_autoptr(GPtrArray) r = pos_catalog_search (db, "cafe", 20, NULL);

  /* name matches rank above SKU-only matches */
  ck_assert_uint_ge (r->len, 2);
  ck_assert (g_str_has_prefix (pos_product_get_name (g_ptr_array_index (r, 0)), "Caf"));
}
END_TEST

START_TEST (test_search_fts_syntax_is_safe)
{
  static const char *inputs[] = {
    "\"", "\"acucar", "acucar\"", "*", "caf*", "(caf", "caf)", "caf:", "name:caf", "-caf", "+caf",
    "^caf", "caf AND", "OR", "NOT caf", "NEAR(caf pil)", "caf NEAR/2 pil", "{name}: caf", "caf'",
    "caf''; DROP TABLE products; --", "%", "_", "\\", "   ", "", ".,;!?", "ç", "\xff\xfe caf",
    "caf\xcc", "a\"b\"c", "AND AND AND", "'", "caf pil uni tio arz ban bol cac mol xx yy zz",
  };
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) r = pos_catalog_search (db, inputs[i], 10, &error);
      g_autoptr(GPtrArray) l = NULL;

      if (r == NULL)
        ck_abort_msg ("search for '%s' failed: %s", inputs[i], error->message);
      l = pos_catalog_search_like (db, inputs[i], 10, &error);
      if (l == NULL)
        ck_abort_msg ("LIKE search for '%s' failed: %s", inputs[i], error->message);
    }

  {
    g_autoptr(GPtrArray) r = pos_catalog_search (db, "(caf*) \"pil\"", 10, NULL);
    ck_assert_uint_eq (r->len, 1);
    ck_assert_str_eq (pos_product_get_sku (g_ptr_array_index (r, 0)), "CAF-500");
  }
  {
    g_autoptr(GPtrArray) r = pos_catalog_search (db, "NOT", 10, NULL);
    ck_assert_uint_eq (r->len, 0);
  }
  ck_assert_int_eq (sqlite3_exec (pos_database_get_handle (db), "SELECT 1 FROM products", NULL, NULL, NULL), SQLITE_OK);
}
END_TEST

START_TEST (test_search_like)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) r = pos_catalog_search_like (db, "Caf", 20, &error);

  ck_assert_ptr_null (error);
  ck_assert (contains_sku (r, "CAF-500"));
  ck_assert (contains_sku (r, "CAFE-EXP"));
  g_clear_pointer (&r, g_ptr_array_unref);

  /* substring, not only prefix */
  r = pos_catalog_search_like (db, "moído", 20, &error);
  ck_assert (contains_sku (r, "CAF-500"));
  g_clear_pointer (&r, g_ptr_array_unref);

  /* % and _ are literal */
  r = pos_catalog_search_like (db, "%", 20, &error);
  ck_assert_uint_eq (r->len, 0);
}
END_TEST

START_TEST (test_barcode_rules)
{
  guint n = 0, n_defaults = 0;
  PosBarcodeRule *rules = pos_catalog_get_barcode_rules (db, &n);

  pos_barcode_default_rules (&n_defaults);
  ck_assert_uint_eq (n, n_defaults);
  pos_barcode_rules_free (rules, n);

  exec_ok ("INSERT INTO barcode_rules (pattern, kind, priority) VALUES ('29.....{NNNDD}', 'price', 1),"
           " ('28.....{NNDDD}', 'weight', 5)");
  rules = pos_catalog_get_barcode_rules (db, &n);
  ck_assert_uint_eq (n, 2);
  ck_assert_str_eq (rules[0].pattern, "28.....{NNDDD}");
  ck_assert_int_eq (rules[0].kind, POS_BARCODE_KIND_WEIGHT);
  ck_assert_int_eq (rules[1].kind, POS_BARCODE_KIND_PRICE);
  pos_barcode_rules_free (rules, n);
}
END_TEST

static const PosBarcodeRule *
default_rule (const char *prefix)
{
  guint n = 0;
  const PosBarcodeRule *rules = pos_barcode_default_rules (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_has_prefix (rules[i].pattern, prefix))
      return &rules[i];
  ck_abort_msg ("no default rule %s", prefix);
  return NULL;
}

START_TEST (test_resolve_weight_and_price)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *weight_code = pos_barcode_rule_encode (default_rule ("21"), banana_item, 1250, &error);
  g_autofree char *price_code = pos_barcode_rule_encode (default_rule ("23"), cake_item, 1990, &error);
  PosScanResult r;

  ck_assert_ptr_nonnull (weight_code);
  ck_assert_ptr_nonnull (price_code);

  ck_assert (pos_catalog_resolve_scan (db, weight_code, &r, &error));
  ck_assert_str_eq (pos_product_get_sku (r.product), "BAN-PRATA");
  ck_assert_int_eq (r.quantity, 1250);
  ck_assert_int_eq (r.fixed_gross, -1);
  ck_assert_int_eq (r.barcode->kind, POS_BARCODE_KIND_WEIGHT);
  pos_scan_result_clear (&r);
  ck_assert_ptr_null (r.product);

  ck_assert (pos_catalog_resolve_scan (db, price_code, &r, &error));
  ck_assert_str_eq (pos_product_get_sku (r.product), "BOLO-CEN");
  ck_assert_int_eq (r.quantity, 1000);
  ck_assert_int_eq (r.fixed_gross, 1990);
  pos_scan_result_clear (&r);

  ck_assert (pos_catalog_resolve_scan (db, sugar_ean, &r, &error));
  ck_assert_str_eq (pos_product_get_sku (r.product), "ACU-1");
  ck_assert_int_eq (r.quantity, 1000);
  ck_assert_int_eq (r.fixed_gross, -1);
  pos_scan_result_clear (&r);

  /* by SKU typed at the keyboard */
  ck_assert (pos_catalog_resolve_scan (db, "ARZ-5", &r, &error));
  ck_assert_str_eq (pos_product_get_sku (r.product), "ARZ-5");
  pos_scan_result_clear (&r);
}
END_TEST

START_TEST (test_resolve_gs1)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = g_strdup_printf ("]C101%s%s3103001250", "0", coffee_ean);
  PosScanResult r;

  ck_assert_uint_eq (strlen (coffee_ean), 13);
  if (!pos_catalog_resolve_scan (db, raw, &r, &error))
    ck_abort_msg ("%s: %s", raw, error->message);
  ck_assert_str_eq (pos_product_get_sku (r.product), "CAF-500");
  ck_assert_int_eq (r.quantity, 1250);
  pos_scan_result_clear (&r);
}
END_TEST

START_TEST (test_resolve_errors)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_strdup (sugar_ean);
  g_autofree char *unknown = ean13 ("789999999999");
  g_autofree char *other_item = NULL;
  g_autofree char *weight_unknown = NULL;
  PosScanResult r;

  /* wrong check digit */
  bad[12] = bad[12] == '9' ? '0' : bad[12] + 1;
  ck_assert (!pos_catalog_resolve_scan (db, bad, &r, &error));
  ck_assert (g_error_matches (error, POS_BARCODE_ERROR, POS_BARCODE_ERROR_CHECK_DIGIT));
  ck_assert_ptr_null (r.product);
  g_clear_error (&error);

  /* valid but not in the catalog */
  ck_assert (!pos_catalog_resolve_scan (db, unknown, &r, &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, unknown));
  g_clear_error (&error);

  /* scale label of a product nobody registered */
  other_item = pos_barcode_rule_item_code (default_rule ("21"), "2199999", &error);
  weight_unknown = pos_barcode_rule_encode (default_rule ("21"), other_item, 500, &error);
  ck_assert (!pos_catalog_resolve_scan (db, weight_unknown, &r, &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, other_item));
  g_clear_error (&error);

  /* truncated, empty, junk */
  ck_assert (!pos_catalog_resolve_scan (db, "78910001", &r, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!pos_catalog_resolve_scan (db, "", &r, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!pos_catalog_resolve_scan (db, "no such thing", &r, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);

  /* a product without a current price cannot be sold */
  exec_ok ("DELETE FROM prices WHERE product_id = 1");
  ck_assert (!pos_catalog_resolve_scan (db, sugar_ean, &r, &error));
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, "price"));
}
END_TEST

START_TEST (test_product_properties)
{
  g_autoptr(PosProduct) p = pos_catalog_get_product (db, 6, NULL);
  g_autofree char *name = NULL;
  gint64 price = 0;
  gboolean weighed = FALSE;

  g_object_get (p, "name", &name, "price", &price, "weighed", &weighed, NULL);
  ck_assert_str_eq (name, "Banana Prata kg");
  ck_assert_int_eq (price, 599);
  ck_assert (weighed);
  ck_assert_str_eq (pos_product_get_unit (p), "kg");
}
END_TEST

static Suite *
catalog_suite (void)
{
  Suite *s = suite_create ("catalog");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_lookup_barcode);
  tcase_add_test (tc, test_lookup_upc_and_not_found);
  tcase_add_test (tc, test_current_price);
  tcase_add_test (tc, test_search_accents_prefix);
  tcase_add_test (tc, test_search_ranking);
  tcase_add_test (tc, test_search_fts_syntax_is_safe);
  tcase_add_test (tc, test_search_like);
  tcase_add_test (tc, test_barcode_rules);
  tcase_add_test (tc, test_resolve_weight_and_price);
  tcase_add_test (tc, test_resolve_gs1);
  tcase_add_test (tc, test_resolve_errors);
  tcase_add_test (tc, test_product_properties);
  tcase_add_test (tc, test_search_index_suspended_for_bulk_load);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (catalog_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
