/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sync-apply"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>

#include "domain/pos-sync-wire.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-sync-apply.h"
#include "terminal/pos-sync-client.h"
#include "sales-fixture.h"

/* Applying pulled pages to the terminal's database: versions, products by
 * SKU, things arriving before what they name, customer merges and
 * erasure, pickups, a rebuild from snapshots. */

static char *dir;
static PosDatabase *db;
static PosSyncApplier *applier;

static void
setup (void)
{
  dir = fixture_make_dir ();
  db = fixture_open (dir);
  applier = pos_sync_applier_new (db);
}

static void
teardown (void)
{
  g_clear_pointer (&applier, pos_sync_applier_free);
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
text (const char *sql)
{
  return fixture_text (db, sql);
}

/* A page being written: page_begin, change (...), then page_apply. */
static GString *page;

static void
page_begin (void)
{
  g_assert (page == NULL);
  page = g_string_new ("{\"changes\":[");
}

static void
change (const char     *stream,
        const char     *entity,
        const char     *id,
        PosSyncChangeOp op,
        gint64          version,
        const char     *data)
{
  pos_sync_change_append_json (page, stream, entity, id, op, version, data);
}

static gboolean
page_apply_full (const char *cursor,
                 GError    **error)
{
  g_autofree char *body = NULL;
  g_autoptr(PosSyncPage) parsed = NULL;

  g_string_append_printf (page, "],\"next_cursor\":\"%s\",\"has_more\":false}", cursor);
  body = g_string_free (g_steal_pointer (&page), FALSE);
  parsed = pos_sync_pull_page_parse (body, strlen (body), error);
  ck_assert_msg (parsed != NULL, "%s", body);
  return pos_sync_applier_apply_page (applier, parsed, cursor, error);
}

static void
page_apply (const char *cursor)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (page_apply_full (cursor, &error), "%s", error ? error->message : "");
}

#define U POS_SYNC_CHANGE_UPSERT
#define D POS_SYNC_CHANGE_DELETE
#define M POS_SYNC_CHANGE_MERGE

static const char acucar_v1[] =
  "{\"sku\":\"ACU-1\",\"name\":\"Açúcar Refinado União 1kg\",\"brand\":\"União\",\"unit\":\"un\","
  "\"weighed\":false,\"tax_class_id\":\"std\",\"active\":true,\"barcodes\":[\"7891000100103\"],"
  "\"prices\":[{\"price_list\":\"retail\",\"valid_from\":0,\"amount\":549,\"currency\":\"BRL\"}]}";
static const char acucar_v2[] =
  "{\"sku\":\"ACU-1\",\"name\":\"Açúcar Cristal Caravelas 1kg\",\"brand\":null,\"unit\":\"un\","
  "\"weighed\":false,\"tax_class_id\":\"cesta\",\"active\":true,\"barcodes\":[\"7896543210982\"],"
  "\"prices\":[{\"price_list\":\"retail\",\"valid_from\":0,\"amount\":499,\"currency\":\"BRL\"}]}";

/* ------------------------------------------------------------------ */

START_TEST (test_catalog_page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosProduct) p = NULL;
  g_autofree char *cursor = NULL;
  g_auto(GStrv) streams = NULL;

  page_begin ();
  change ("catalog", "tax_class", "cesta", U, 1, "{\"id\":\"cesta\",\"name\":\"Cesta\",\"rate_bp\":0,\"approx_rate_bp\":1500}");
  change ("catalog", "product", "ACU-1", U, 2, acucar_v1);
  change ("catalog", "barcode_rule", "r-1", U, 1, "{\"id\":\"r-1\",\"pattern\":\"21.....{NNDDD}\",\"kind\":\"weight\",\"priority\":5}");
  page_apply ("10");

  p = pos_catalog_lookup_barcode (db, "7891000100103", &error);
  ck_assert_msg (p != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (pos_product_get_sku (p), "ACU-1");
  ck_assert_int_eq (pos_product_get_price (p), 549);
  ck_assert_int_eq (count ("SELECT approx_rate_bp FROM tax_classes WHERE id = 'cesta'"), 1500);
  ck_assert_int_eq (count ("SELECT priority FROM barcode_rules WHERE central_id = 'r-1'"), 5);
  cursor = pos_sync_get_cursor (db);
  ck_assert_str_eq (cursor, "10");
  streams = pos_sync_applier_take_streams (applier);
  ck_assert_uint_eq (g_strv_length (streams), 1);
  ck_assert_str_eq (streams[0], "catalog");
}
END_TEST

START_TEST (test_versions_and_replacement)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *name = NULL;
  g_autoptr(PosProduct) moved = NULL;

  page_begin ();
  change ("catalog", "tax_class", "cesta", U, 1, "{\"id\":\"cesta\",\"name\":\"Cesta\",\"rate_bp\":0}");
  change ("catalog", "product", "ACU-1", U, 2, acucar_v1);
  page_apply ("1");

  /* Newer: name, tax class, barcode and price replaced; search follows. */
  page_begin ();
  change ("catalog", "product", "ACU-1", U, 5, acucar_v2);
  page_apply ("2");
  name = text ("SELECT name FROM products WHERE sku = 'ACU-1'");
  ck_assert_str_eq (name, "Açúcar Cristal Caravelas 1kg");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM product_barcodes b JOIN products p ON p.id = b.product_id "
                           "WHERE p.sku = 'ACU-1'"), 1);
  /* The barcode moved from FEIJAO1 to ACU-1. */
  moved = pos_catalog_lookup_barcode (db, "7896543210982", &error);
  ck_assert_str_eq (pos_product_get_sku (moved), "ACU-1");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM prices p JOIN products x ON x.id = p.product_id "
                           "WHERE x.sku = 'ACU-1'"), 1);
  found = pos_catalog_search (db, "caravelas", 10, &error);
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = pos_catalog_search (db, "uniao", 10, &error);
  ck_assert_uint_eq (found->len, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Older or equal: a replay, ignored. */
  page_begin ();
  change ("catalog", "product", "ACU-1", U, 5, acucar_v1);
  change ("catalog", "product", "ACU-1", U, 3, acucar_v1);
  page_apply ("3");
  g_free (name);
  name = text ("SELECT name FROM products WHERE sku = 'ACU-1'");
  ck_assert_str_eq (name, "Açúcar Cristal Caravelas 1kg");
  ck_assert_int_eq (count ("SELECT version FROM products WHERE sku = 'ACU-1'"), 5);

  /* Delete: a product sales point at stops being sold; another goes. */
  {
    g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
    g_autofree char *id = NULL;

    fixture_add (cart, FIX_LEITE, 1000);
    fixture_pay_rest_cash (cart);
    id = pos_sales_commit (db, cart, NULL, &error);
    ck_assert (id != NULL);
  }
  page_begin ();
  change ("catalog", "product", "LEITE1", D, 9, NULL);
  change ("catalog", "product", "ACU-1", D, 9, NULL);
  page_apply ("4");
  ck_assert_int_eq (count ("SELECT active FROM products WHERE sku = 'LEITE1'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM products WHERE sku = 'ACU-1'"), 0);
}
END_TEST

START_TEST (test_deferred)
{
  page_begin ();
  /* The stock level and the event come before what they name. */
  change ("stock", "stock_level", "NEW-1", U, 4,
          "{\"sku\":\"NEW-1\",\"store_id\":\"store-1\",\"quantity\":12000,\"updated_at\":5}");
  change ("stock", "stock_level", "ARROZ5", U, 4,
          "{\"sku\":\"ARROZ5\",\"store_id\":\"other-store\",\"quantity\":1,\"updated_at\":5}");
  change ("customers", "customer_event", "ev-1", U, 1,
          "{\"id\":\"ev-1\",\"customer_id\":\"c-9\",\"channel\":\"web\",\"kind\":\"order_placed\","
          "\"occurred_at\":100,\"amount\":1000,\"currency\":\"BRL\",\"data\":{\"ref\":\"WEB-1\"}}");
  change ("catalog", "product", "NEW-1", U, 7,
          "{\"sku\":\"NEW-1\",\"name\":\"Novo\",\"unit\":\"un\",\"tax_class_id\":\"later\",\"active\":true}");
  page_apply ("1");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sync_deferred"), 3);
  ck_assert_int_eq (count ("SELECT synced_qty FROM stock_levels WHERE product_id = 1"), 100000);

  page_begin ();
  change ("catalog", "tax_class", "later", U, 1, "{\"id\":\"later\",\"name\":\"L\",\"rate_bp\":700}");
  change ("customers", "customer", "c-9", U, 2,
          "{\"id\":\"c-9\",\"name\":\"Ana Lima\",\"email\":\"ana@example.com\",\"loyalty_points\":10,"
          "\"store_credit\":0,\"currency\":\"BRL\",\"processing_restricted\":false,"
          "\"consents\":[{\"channel\":\"email\",\"granted\":true,\"source\":\"web\",\"recorded_at\":1},"
          "{\"channel\":\"carrier-pigeon\",\"granted\":true,\"source\":\"web\",\"recorded_at\":1}],"
          "\"identities\":[{\"channel\":\"web\",\"external_id\":\"u-77\"}],\"created_at\":1,\"updated_at\":2}");
  page_apply ("2");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sync_deferred"), 0);
  ck_assert_int_eq (count ("SELECT s.synced_qty FROM stock_levels s JOIN products p ON p.id = s.product_id "
                           "WHERE p.sku = 'NEW-1'"), 12000);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_events WHERE id = 'ev-1' AND customer_id = 'c-9'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_consents WHERE customer_id = 'c-9'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_identities WHERE customer_id = 'c-9'"), 1);
}
END_TEST

static const char *
customer_json (const char *id,
               const char *name,
               const char *cpf)
{
  static char buf[512];

  g_snprintf (buf, sizeof buf,
              "{\"id\":\"%s\",\"name\":\"%s\",\"cpf\":%s%s%s,\"loyalty_points\":0,\"store_credit\":0,"
              "\"currency\":\"BRL\",\"processing_restricted\":false,\"consents\":[{\"channel\":\"sms\","
              "\"granted\":true,\"source\":\"store\",\"recorded_at\":1}],\"identities\":[],"
              "\"created_at\":1,\"updated_at\":1}",
              id, name, cpf ? "\"" : "", cpf ? cpf : "null", cpf ? "\"" : "");
  return buf;
}

START_TEST (test_customer_merge)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *sale = NULL;
  g_autofree char *sql = NULL;

  /* A sale and an event for the fixture's customer (CPF 52998224725). */
  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  fixture_add (cart, FIX_ARROZ, 1000);
  fixture_pay_rest_cash (cart);
  sale = pos_sales_commit (db, cart, NULL, &error);
  ck_assert (sale != NULL);

  page_begin ();
  change ("customers", "customer", "c-surv", U, 3, customer_json ("c-surv", "João de Souza", "52998224725"));
  change ("customers", "customer_event", "ev-2", U, 1,
          "{\"id\":\"ev-2\",\"customer_id\":\"" FIX_CUSTOMER "\",\"channel\":\"call_centre\",\"kind\":\"call\","
          "\"occurred_at\":5,\"summary\":\"Asked about an order\"}");
  page_apply ("1");
  /* The CPF is unique: the central's customer holds it now. */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customers WHERE cpf = '52998224725' AND id = 'c-surv'"), 1);

  page_begin ();
  change ("customers", "customer", FIX_CUSTOMER, M, 4, "{\"merged_into\":\"c-surv\"}");
  page_apply ("2");
  sql = g_strdup_printf ("SELECT COUNT(*) FROM sales WHERE id = '%s' AND customer_id = 'c-surv'", sale);
  ck_assert_int_eq (count (sql), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_events WHERE id = 'ev-2' AND customer_id = 'c-surv'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customers WHERE id = '" FIX_CUSTOMER "' "
                           "AND merged_into = 'c-surv'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_consents WHERE customer_id = 'c-surv'"), 1);

  /* Replaying the merge changes nothing. */
  page_begin ();
  change ("customers", "customer", FIX_CUSTOMER, M, 4, "{\"merged_into\":\"c-surv\"}");
  page_apply ("3");
  ck_assert_int_eq (count (sql), 1);
}
END_TEST

START_TEST (test_customer_erasure)
{
  page_begin ();
  change ("customers", "customer", "c-1", U, 1, customer_json ("c-1", "Maria Erasable", "11144477735"));
  change ("customers", "customer_event", "ev-1", U, 1,
          "{\"id\":\"ev-1\",\"customer_id\":\"c-1\",\"channel\":\"store\",\"kind\":\"purchase\",\"occurred_at\":5}");
  page_apply ("1");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_search WHERE customer_search MATCH 'erasable'"), 1);

  page_begin ();
  change ("customers", "customer", "c-1", D, 2, "{\"erased_at\":1700000000000}");
  /* An older upsert arriving later does not bring anything back. */
  change ("customers", "customer", "c-1", U, 1, customer_json ("c-1", "Maria Erasable", "11144477735"));
  page_apply ("2");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customers WHERE id = 'c-1' AND name = '' AND cpf IS NULL "
                           "AND erased_at = 1700000000000"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_events WHERE customer_id = 'c-1'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_consents WHERE customer_id = 'c-1'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customer_search WHERE customer_search MATCH 'erasable'"), 0);
}
END_TEST

static const char order_json[] =
  "{\"id\":\"o-1\",\"number\":\"WEB-1001\",\"store_id\":\"store-1\",\"customer_id\":null,\"channel\":\"web\","
  "\"state\":\"%s\",\"version\":%d,\"paid\":true,\"total\":1098,\"currency\":\"BRL\","
  "\"pickup_code_hash\":\"ab\",\"placed_at\":1,\"updated_at\":2,\"lines\":[{\"line_no\":1,\"sku\":\"LEITE1\","
  "\"name\":\"Leite\",\"quantity\":2000,\"picked_quantity\":0,\"collected_quantity\":0,\"unit_price\":549}]}";

START_TEST (test_pickup_and_server_state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *placed = g_strdup_printf (order_json, "PLACED", 1);
  g_autofree char *ready = g_strdup_printf (order_json, "READY_FOR_PICKUP", 4);
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *s = NULL;

  page_begin ();
  change ("pickups", "pickup_order", "o-1", U, 1, placed);
  page_apply ("1");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM pickup_order_lines WHERE order_id = 'o-1' AND product_id = 5"), 1);

  /* A conflict's server state is applied whatever its version. */
  state = json_from_string (ready, NULL);
  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_sync_applier_apply_server_state (applier, "pickup.transition", "o-1", state, &error));
  ck_assert (pos_database_commit (db, &error));
  s = text ("SELECT state FROM pickup_orders WHERE id = 'o-1'");
  ck_assert_str_eq (s, "READY_FOR_PICKUP");
  ck_assert_int_eq (count ("SELECT version FROM pickup_orders WHERE id = 'o-1'"), 4);

  page_begin ();
  change ("pickups", "pickup_order", "o-1", D, 9, NULL);
  page_apply ("2");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM pickup_order_lines"), 0);

  /* A number held locally by another order (left by a central this
   * terminal was enrolled with before) gives way instead of blocking the
   * pull. */
  page_begin ();
  change ("pickups", "pickup_order", "o-1", U, 10, placed);
  page_apply ("3");
  page_begin ();
  change ("pickups", "pickup_order", "o-2", U, 1, placed);
  page_apply ("4");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM pickup_orders WHERE id = 'o-1'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM pickup_orders WHERE id = 'o-2' AND number = 'WEB-1001'"), 1);
}
END_TEST

START_TEST (test_bad_page_rolls_back)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  page_begin ();
  change ("catalog", "tax_class", "t1", U, 1, "{\"id\":\"t1\",\"name\":\"T\",\"rate_bp\":100}");
  change ("catalog", "product", "BAD", U, 1, "{\"sku\":\"BAD\",\"unit\":\"un\",\"tax_class_id\":\"t1\"}");
  ck_assert (!page_apply_full ("5", &error));
  ck_assert (g_error_matches (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER));
  ck_assert_msg (strstr (error->message, "name") != NULL, "%s", error->message);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM tax_classes WHERE id = 't1'"), 0);
  cursor = pos_sync_get_cursor (db);
  ck_assert_str_eq (cursor, "");
}
END_TEST

START_TEST (test_rebuild_keeps_unsent_work)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *sale = NULL;
  g_autoptr(PosSyncPage) snap = NULL;
  g_autofree char *body = NULL;
  GString *b;

  /* Local work: a sale of ARROZ5 (unsent), a customer created here whose
   * upsert is not sent yet, one from the central, an order. */
  fixture_add (cart, FIX_ARROZ, 1000);
  fixture_pay_rest_cash (cart);
  sale = pos_sales_commit (db, cart, NULL, &error);
  ck_assert (sale != NULL);
  ck_assert (pos_database_exec (db,
      "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('c-local', 'Local', 1, 1), "
      "('c-gone', 'Gone', 1, 1)", &error));
  ck_assert (pos_database_enqueue_outbox (db, "customer.upsert", "c-local", "{}", &error));

  /* The snapshot knows the two tax classes, FEIJAO1 and the fixture customer. */
  ck_assert (pos_sync_applier_begin_rebuild (applier, &error));
  b = g_string_new ("{\"stream\":\"catalog\",\"items\":[");
  pos_sync_change_append_json (b, "catalog", "tax_class", "std", U, 9, "{\"id\":\"std\",\"name\":\"Padrão\",\"rate_bp\":1800}");
  pos_sync_change_append_json (b, "catalog", "tax_class", "food", U, 9, "{\"id\":\"food\",\"name\":\"Alimentos\",\"rate_bp\":700}");
  pos_sync_change_append_json (b, "catalog", "product", "FEIJAO1", U, 9,
                               "{\"sku\":\"FEIJAO1\",\"name\":\"Feijão Carioca 1kg\",\"unit\":\"un\","
                               "\"tax_class_id\":\"food\",\"active\":true,\"barcodes\":[],\"prices\":[]}");
  g_string_append (b, "],\"as_of\":\"50\",\"next_after\":\"FEIJAO1\",\"has_more\":false}");
  body = g_string_free (b, FALSE);
  snap = pos_sync_snapshot_page_parse (body, strlen (body), &error);
  ck_assert_ptr_nonnull (snap);
  ck_assert (pos_sync_applier_apply_page (applier, snap, NULL, &error));
  g_clear_pointer (&snap, pos_sync_page_free);
  g_free (body);
  b = g_string_new ("{\"stream\":\"customers\",\"items\":[");
  pos_sync_change_append_json (b, "customers", "customer", FIX_CUSTOMER, U, 9,
                               customer_json (FIX_CUSTOMER, "João Souza", "52998224725"));
  g_string_append (b, "],\"as_of\":\"51\",\"next_after\":\"x\",\"has_more\":false}");
  body = g_string_free (b, FALSE);
  snap = pos_sync_snapshot_page_parse (body, strlen (body), &error);
  ck_assert (pos_sync_applier_apply_page (applier, snap, NULL, &error));

  ck_assert (pos_database_begin (db, &error));
  ck_assert (pos_sync_applier_sweep (applier, "catalog", &error));
  ck_assert (pos_sync_applier_sweep (applier, "customers", &error));
  ck_assert (pos_sync_set_cursor (db, "50", &error));
  ck_assert (pos_database_commit (db, &error));
  pos_sync_applier_end_rebuild (applier);

  /* ARROZ5 is in a sale: kept, not sold any more. Others not seen: gone. */
  ck_assert_int_eq (count ("SELECT active FROM products WHERE sku = 'ARROZ5'"), 0);
  ck_assert_int_eq (count ("SELECT active FROM products WHERE sku = 'FEIJAO1'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM products WHERE sku IN ('QUEIJO', 'CAFE500', 'LEITE1')"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customers WHERE id = 'c-local'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customers WHERE id = 'c-gone'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM customers WHERE id = '" FIX_CUSTOMER "'"), 1);
  /* Sales and the outbox untouched (the sale's audit row rides along too). */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND type <> 'audit.append'"), 2);
  ck_assert_int_eq (count ("SELECT local_delta FROM stock_levels WHERE product_id = 1"), -1000);
}
END_TEST

START_TEST (test_unknown_entity_skipped)
{
  page_begin ();
  change ("loyalty", "coupon", "k-1", U, 1, "{\"code\":\"X\"}");
  change ("stores", "staff", "st-9", U, 1,
          "{\"id\":\"st-9\",\"store_id\":\"store-1\",\"code\":\"100\",\"name\":\"Novo Caixa\","
          "\"role\":\"cashier\",\"badge_code\":null,\"active\":true}");
  page_apply ("1");
  /* The local staff with the same code keeps its row under another code. */
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM staff WHERE code = '100' AND id = 'st-9'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM staff WHERE id = 'staff-1'"), 1);
}
END_TEST

/* A staff change carries the PIN hash; the count of wrong PINs and a
 * lockout stay this terminal's own. */
START_TEST (test_staff_pin_hash)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  static const char staff_v1[] =
    "{\"id\":\"staff-2\",\"store_id\":\"store-1\",\"code\":\"101\",\"name\":\"Paulo Caixa\","
    "\"role\":\"cashier\",\"badge_code\":null,\"pin_hash\":\"$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaDE\","
    "\"active\":true}";
  static const char staff_v2_no_hash[] =
    "{\"id\":\"staff-2\",\"store_id\":\"store-1\",\"code\":\"101\",\"name\":\"Paulo Souza\","
    "\"role\":\"cashier\",\"active\":true}";
  static const char staff_v3_null[] =
    "{\"id\":\"staff-2\",\"store_id\":\"store-1\",\"code\":\"101\",\"name\":\"Paulo Souza\","
    "\"role\":\"supervisor\",\"pin_hash\":null,\"active\":true}";

  ck_assert (pos_database_exec (db, "UPDATE staff SET failed_attempts = 4, locked_until = 99999999999999, "
                                    "pin_hash = 'old' WHERE id = 'staff-2'", &error));
  page_begin ();
  change ("stores", "staff", "staff-2", U, 1, staff_v1);
  change ("stores", "staff", "st-new", U, 1,
          "{\"id\":\"st-new\",\"store_id\":\"store-1\",\"code\":\"555\",\"name\":\"Rita\","
          "\"role\":\"cashier\",\"pin_hash\":\"$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaDI\",\"active\":true}");
  page_apply ("1");
  hash = text ("SELECT pin_hash FROM staff WHERE id = 'staff-2'");
  ck_assert_str_eq (hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaDE");
  ck_assert_int_eq (count ("SELECT failed_attempts FROM staff WHERE id = 'staff-2'"), 4);
  ck_assert_int_eq (count ("SELECT locked_until FROM staff WHERE id = 'staff-2'"), 99999999999999);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM staff WHERE id = 'st-new' AND pin_hash LIKE '$argon2id$%' "
                           "AND failed_attempts = 0 AND locked_until IS NULL"), 1);

  /* Absent or null: the terminal keeps the hash it has. */
  page_begin ();
  change ("stores", "staff", "staff-2", U, 2, staff_v2_no_hash);
  page_apply ("2");
  g_clear_pointer (&hash, g_free);
  hash = text ("SELECT pin_hash FROM staff WHERE id = 'staff-2'");
  ck_assert_str_eq (hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaDE");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM staff WHERE id = 'staff-2' AND name = 'Paulo Souza'"), 1);
  page_begin ();
  change ("stores", "staff", "staff-2", U, 3, staff_v3_null);
  page_apply ("3");
  g_clear_pointer (&hash, g_free);
  hash = text ("SELECT pin_hash FROM staff WHERE id = 'staff-2'");
  ck_assert_str_eq (hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaDE");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM staff WHERE id = 'staff-2' AND role = 'supervisor' "
                           "AND failed_attempts = 4 AND locked_until = 99999999999999"), 1);
}
END_TEST

/* A rebuild of the stores stream keeps a person added here whose
 * staff.upsert is not sent yet, and those approvals or permission changes
 * name (deactivated, not deleted). */
START_TEST (test_rebuild_keeps_local_staff)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSyncPage) snap = NULL;
  g_autofree char *body = NULL;
  GString *b;

  ck_assert (pos_database_exec (db,
      "INSERT INTO staff (id, store_id, code, name, role) VALUES ('st-local', 'store-1', '555', 'Rita', 'cashier');"
      "INSERT INTO approvals (id, permission, approver_id, staff_id, reason, granted_at) "
      " VALUES ('ap-1', 'refund', 'staff-3', 'staff-2', 'Other', 1);", &error));
  ck_assert (pos_database_enqueue_outbox (db, "staff.upsert", "st-local", "{}", &error));

  ck_assert (pos_sync_applier_begin_rebuild (applier, &error));
  b = g_string_new ("{\"stream\":\"stores\",\"items\":[");
  pos_sync_change_append_json (b, "stores", "store", "store-1", U, 9,
                               "{\"id\":\"store-1\",\"code\":\"001\",\"name\":\"Centro\",\"currency\":\"BRL\"}");
  pos_sync_change_append_json (b, "stores", "terminal", "term-1", U, 9,
                               "{\"id\":\"term-1\",\"store_id\":\"store-1\",\"code\":\"01\",\"name\":\"Caixa 1\"}");
  g_string_append (b, "],\"as_of\":\"50\",\"next_after\":\"x\",\"has_more\":false}");
  body = g_string_free (b, FALSE);
  snap = pos_sync_snapshot_page_parse (body, strlen (body), &error);
  ck_assert_ptr_nonnull (snap);
  ck_assert (pos_sync_applier_apply_page (applier, snap, NULL, &error));
  ck_assert (pos_database_begin (db, &error));
  ck_assert_msg (pos_sync_applier_sweep (applier, "stores", &error), "%s", error ? error->message : "");
  ck_assert (pos_database_commit (db, &error));
  pos_sync_applier_end_rebuild (applier);

  ck_assert_int_eq (count ("SELECT active FROM staff WHERE id = 'st-local'"), 1);
  ck_assert_int_eq (count ("SELECT active FROM staff WHERE id = 'staff-3'"), 0);
  ck_assert_int_eq (count ("SELECT active FROM staff WHERE id = 'staff-2'"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM approvals"), 1);
}
END_TEST

static Suite *
sync_apply_suite (void)
{
  Suite *s = suite_create ("sync-apply");
  TCase *tc = tcase_create ("apply");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_catalog_page);
  tcase_add_test (tc, test_versions_and_replacement);
  tcase_add_test (tc, test_deferred);
  tcase_add_test (tc, test_customer_merge);
  tcase_add_test (tc, test_customer_erasure);
  tcase_add_test (tc, test_pickup_and_server_state);
  tcase_add_test (tc, test_bad_page_rolls_back);
  tcase_add_test (tc, test_rebuild_keeps_unsent_work);
  tcase_add_test (tc, test_unknown_entity_skipped);
  tcase_add_test (tc, test_staff_pin_hash);
  tcase_add_test (tc, test_rebuild_keeps_local_staff);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (sync_apply_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
