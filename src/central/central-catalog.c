/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include <domain/pos-barcode.h>
#include <domain/pos-catalog-csv.h>
#include <domain/pos-money.h>

#include "central-admin.h"
#include "central-catalog.h"
#include "central-changes.h"
#include "central-json.h"

#define CURRENCY "BRL"

typedef struct {
  char    *name;
  char    *brand;
  char    *unit;
  gboolean weighed;
  char    *tax_class;
  gboolean active;
  char    *barcodes;     /* sorted, '|' separated; "" = none */
  gint64   price;        /* -1 = none */
  gint64   price_from;
} Product;

static void
product_free (gpointer data)
{
  Product *p = data;

  g_free (p->name);
  g_free (p->brand);
  g_free (p->unit);
  g_free (p->tax_class);
  g_free (p->barcodes);
  g_free (p);
}

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static char *
product_json (const char    *sku,
              const Product *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_auto(GStrv) codes = g_strsplit (p->barcodes, "|", -1);

  json_builder_begin_object (b);
  central_json_add_str (b, "sku", sku);
  central_json_add_str (b, "name", p->name);
  central_json_add_str (b, "brand", p->brand);
  central_json_add_str (b, "unit", p->unit);
  central_json_add_bool (b, "weighed", p->weighed);
  central_json_add_str (b, "tax_class_id", p->tax_class);
  central_json_add_bool (b, "active", p->active);
  json_builder_set_member_name (b, "barcodes");
  json_builder_begin_array (b);
  for (guint i = 0; codes[i] != NULL; i++)
    if (*codes[i] != '\0')
      json_builder_add_string_value (b, codes[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "prices");
  json_builder_begin_array (b);
  if (p->price >= 0)
    {
      json_builder_begin_object (b);
      central_json_add_str (b, "price_list", "retail");
      central_json_add_int (b, "valid_from", p->price_from);
      central_json_add_null (b, "valid_to");
      central_json_add_int (b, "amount", p->price);
      central_json_add_str (b, "currency", CURRENCY);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

#define PRODUCT_SELECT \
  "SELECT p.sku, p.name, p.brand, p.unit, p.weighed, p.tax_class_id, p.active, p.version, " \
  "COALESCE ((SELECT string_agg (code, '|' ORDER BY code) FROM product_barcodes b WHERE b.sku = p.sku), ''), " \
  "pr.amount, pr.valid_from FROM products p " \
  "LEFT JOIN prices pr ON pr.sku = p.sku AND pr.price_list = 'retail' AND pr.valid_to IS NULL "

static Product *
product_from_row (PGresult *res,
                  int       i)
{
  Product *p = g_new0 (Product, 1);

  p->name = g_strdup (central_res_str (res, i, 1));
  p->brand = g_strdup (central_res_str (res, i, 2));
  p->unit = g_strdup (central_res_str (res, i, 3));
  p->weighed = central_res_bool (res, i, 4);
  p->tax_class = g_strdup (central_res_str (res, i, 5));
  p->active = central_res_bool (res, i, 6);
  p->barcodes = g_strdup (central_res_str (res, i, 8));
  p->price = PQgetisnull (res, i, 9) ? -1 : central_res_int (res, i, 9);
  p->price_from = central_res_int (res, i, 10);
  return p;
}

char *
central_product_json (CentralConn *conn,
                      const char  *sku,
                      gint64      *version,
                      GError     **error)
{
  const char *params[] = { sku };
  g_autoptr(PGresult) res = central_conn_exec (conn, PRODUCT_SELECT "WHERE p.sku = $1", 1, params, error);
  Product *p;
  char *json;

  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_NOT_FOUND, "No product %s.", sku);
      return NULL;
    }
  p = product_from_row (res, 0);
  json = product_json (sku, p);
  if (version != NULL)
    *version = central_res_int (res, 0, 7);
  product_free (p);
  return json;
}

static char *
tax_class_json (const char *id,
                gint64      rate_bp)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  central_json_add_str (b, "id", id);
  central_json_add_str (b, "name", id);
  central_json_add_int (b, "rate_bp", rate_bp);
  central_json_add_int (b, "approx_rate_bp", rate_bp);
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

static int
compare_str (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static char *
sorted_codes (char **codes)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  for (guint i = 0; codes[i] != NULL; i++)
    {
      gboolean dup = FALSE;
      for (guint j = 0; j < list->len; j++)
        dup = dup || g_str_equal (g_ptr_array_index (list, j), codes[i]);
      if (!dup)
        g_ptr_array_add (list, codes[i]);
    }
  g_ptr_array_sort (list, compare_str);
  g_ptr_array_add (list, NULL);
  return g_strjoinv ("|", (char **) list->pdata);
}

static void
rules_free (PosBarcodeRule *rules,
            guint           n_rules)
{
  for (guint i = 0; i < n_rules; i++)
    g_free (rules[i].pattern);
  g_free (rules);
}

static PosBarcodeRule *
load_rules (CentralConn *conn,
            guint       *n_rules,
            GError     **error)
{
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT pattern, kind FROM barcode_rules ORDER BY priority DESC, id", 0, NULL, error);
  PosBarcodeRule *rules;
  guint n = 0;

  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      const PosBarcodeRule *defaults = pos_barcode_default_rules (&n);

      rules = g_new0 (PosBarcodeRule, n + 1);
      for (guint i = 0; i < n; i++)
        {
          rules[i].pattern = g_strdup (defaults[i].pattern);
          rules[i].kind = defaults[i].kind;
        }
      *n_rules = n;
      return rules;
    }
  rules = g_new0 (PosBarcodeRule, PQntuples (res) + 1);
  for (int i = 0; i < PQntuples (res); i++)
    {
      rules[n].pattern = g_strdup (PQgetvalue (res, i, 0));
      rules[n].kind = g_str_equal (PQgetvalue (res, i, 1), "weight") ? POS_BARCODE_KIND_WEIGHT : POS_BARCODE_KIND_PRICE;
      n++;
    }
  *n_rules = n;
  return rules;
}

gboolean
central_catalog_seed_rules (CentralConn *conn,
                            GError     **error)
{
  g_autoptr(CentralTx) tx = NULL;
  g_autoptr(PGresult) res = NULL;
  const PosBarcodeRule *rules;
  guint n = 0;

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return FALSE;
  res = central_conn_exec (conn, "SELECT count (*) FROM barcode_rules", 0, NULL, error);
  if (res == NULL)
    return FALSE;
  if (central_res_int (res, 0, 0) > 0)
    {
      central_tx_abort (g_steal_pointer (&tx));
      return TRUE;
    }

  rules = pos_barcode_default_rules (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("default-%u", i + 1);
      g_autofree char *priority = g_strdup_printf ("%u", n - i);
      const char *kind = rules[i].kind == POS_BARCODE_KIND_WEIGHT ? "weight" : "price";
      const char *params[] = { id, rules[i].pattern, kind, priority };
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autofree char *data = NULL;

      if (!central_conn_run (conn,
            "INSERT INTO barcode_rules (id, pattern, kind, priority) VALUES ($1, $2, $3, $4::integer)",
            4, params, error))
        return FALSE;
      json_builder_begin_object (b);
      central_json_add_str (b, "id", id);
      central_json_add_str (b, "pattern", rules[i].pattern);
      central_json_add_str (b, "kind", kind);
      central_json_add_int (b, "priority", n - i);
      json_builder_end_object (b);
      data = central_json_builder_to_string (b);
      central_tx_emit (tx, "catalog", "barcode_rule", id, NULL, "upsert", 1, data);
    }
  return central_tx_commit (g_steal_pointer (&tx), error);
}

static gboolean
step (CentralConn        *conn,
      const char         *sql,
      int                 n,
      const char * const *params,
      GError            **error)
{
  return central_conn_run (conn, sql, n, params, error);
}

gboolean
central_catalog_import (CentralConn         *conn,
                        const char          *path,
                        const char          *store_code,
                        CentralImportReport *report,
                        GError             **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(PosCatalogCsv) csv = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) products = NULL;   /* sku -> Product* */
  g_autoptr(GHashTable) owners = NULL;     /* barcode -> sku (owned strings) */
  g_autoptr(GHashTable) classes = NULL;    /* tax class -> rate_bp */
  g_autoptr(CentralTx) tx = NULL;
  g_autoptr(PGresult) res = NULL;
  CentralImportReport local = { 0, };
  PosBarcodeRule *rules;
  guint n_rules = 0;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot read %s: %s", path, local_error->message);
      return FALSE;
    }
  if (store_code != NULL)
    {
      store_id = central_store_id_for_code (conn, store_code, error);
      if (store_id == NULL)
        return FALSE;
    }

  rules = load_rules (conn, &n_rules, error);
  if (rules == NULL)
    return FALSE;
  csv = pos_catalog_csv_parse (contents, length, path, pos_money_currency_exponent (CURRENCY),
                               rules, n_rules, error);
  rules_free (rules, n_rules);
  if (csv == NULL)
    return FALSE;
  local.n_rows = csv->n_rows;
  if (csv->n_problems > 0)
    return pos_catalog_csv_set_failed (csv, path, error);

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return FALSE;
  /* Imports one at a time: they compare against what is there. */
  if (!central_conn_run (conn, "LOCK TABLE products IN SHARE ROW EXCLUSIVE MODE", 0, NULL, error))
    return FALSE;

  products = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, product_free);
  res = central_conn_exec (conn, PRODUCT_SELECT, 0, NULL, error);
  if (res == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_insert (products, g_strdup (PQgetvalue (res, i, 0)), product_from_row (res, i));
  g_clear_pointer (&res, PQclear);

  owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  res = central_conn_exec (conn, "SELECT code, sku FROM product_barcodes", 0, NULL, error);
  if (res == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_insert (owners, g_strdup (PQgetvalue (res, i, 0)), g_strdup (PQgetvalue (res, i, 1)));
  g_clear_pointer (&res, PQclear);

  classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  res = central_conn_exec (conn, "SELECT id, rate_bp FROM tax_classes", 0, NULL, error);
  if (res == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_insert (classes, g_strdup (PQgetvalue (res, i, 0)),
                         GSIZE_TO_POINTER ((gsize) central_res_int (res, i, 1) + 1));
  g_clear_pointer (&res, PQclear);

  for (guint r = 0; r < csv->rows->len; r++)
    {
      const PosCatalogCsvRow *row = &g_array_index (csv->rows, PosCatalogCsvRow, r);
      Product *old = g_hash_table_lookup (products, row->sku);
      g_autofree char *auto_class = NULL;
      g_autofree char *codes = NULL;
      const char *tax_class = row->tax_class;
      Product next = { 0, };
      gboolean changed, bad = FALSE;
      gsize known_rate;

      if (tax_class == NULL && row->tax_rate_bp >= 0)
        tax_class = auto_class = g_strdup_printf ("aliq-%" G_GINT64_FORMAT, row->tax_rate_bp);
      if (tax_class == NULL && old != NULL)
        tax_class = old->tax_class;
      if (tax_class == NULL)
        {
          pos_catalog_csv_problem (csv, row->line, "no tax class: fill tax_class or tax_rate");
          continue;
        }
      known_rate = GPOINTER_TO_SIZE (g_hash_table_lookup (classes, tax_class));
      if (known_rate > 0 && row->tax_rate_bp >= 0 && (gint64) known_rate - 1 != row->tax_rate_bp)
        {
          pos_catalog_csv_problem (csv, row->line, "the tax class %s has the rate %" G_GINT64_FORMAT
                                   " bp, the file says %" G_GINT64_FORMAT " bp",
                                   tax_class, (gint64) known_rate - 1, row->tax_rate_bp);
          continue;
        }
      if (known_rate == 0)
        {
          g_autofree char *rate = NULL;
          g_autofree char *data = NULL;

          if (row->tax_rate_bp < 0)
            {
              pos_catalog_csv_problem (csv, row->line, "the tax class %s is new: give its tax_rate too", tax_class);
              continue;
            }
          rate = int_text (row->tax_rate_bp);
          {
            const char *params[] = { tax_class, rate };

            if (!step (conn, "INSERT INTO tax_classes (id, name, rate_bp, approx_rate_bp) "
                             "VALUES ($1, $1, $2::integer, $2::integer)", 2, params, error))
              return FALSE;
          }
          data = tax_class_json (tax_class, row->tax_rate_bp);
          central_tx_emit (tx, "catalog", "tax_class", tax_class, NULL, "upsert", 1, data);
          g_hash_table_insert (classes, g_strdup (tax_class), GSIZE_TO_POINTER ((gsize) row->tax_rate_bp + 1));
        }

      /* The product as it will be. */
      next.name = row->name;
      next.brand = row->brand != NULL ? (*row->brand != '\0' ? row->brand : NULL) : (old ? old->brand : NULL);
      next.unit = row->unit != NULL ? row->unit : (old ? old->unit : "un");
      next.weighed = row->weighed >= 0 ? row->weighed == 1 : (old ? old->weighed : FALSE);
      next.tax_class = (char *) tax_class;
      next.active = TRUE;
      codes = row->barcodes != NULL ? sorted_codes (row->barcodes) : g_strdup (old ? old->barcodes : "");
      next.barcodes = codes;
      next.price = row->price;
      next.price_from = (old != NULL && old->price == row->price) ? old->price_from : central_now_ms ();

      if (row->barcodes != NULL)
        for (guint b = 0; row->barcodes[b] != NULL; b++)
          {
            const char *owner = g_hash_table_lookup (owners, row->barcodes[b]);
            if (owner != NULL && !g_str_equal (owner, row->sku))
              {
                pos_catalog_csv_problem (csv, row->line, "the barcode %s already belongs to the product %s",
                                         row->barcodes[b], owner);
                bad = TRUE;
              }
          }
      if (bad)
        continue;

      changed = old == NULL ||
                g_strcmp0 (old->name, next.name) != 0 || g_strcmp0 (old->brand, next.brand) != 0 ||
                g_strcmp0 (old->unit, next.unit) != 0 || old->weighed != next.weighed ||
                g_strcmp0 (old->tax_class, next.tax_class) != 0 || !old->active ||
                g_strcmp0 (old->barcodes, next.barcodes) != 0 || old->price != next.price;

      if (!changed)
        local.n_unchanged++;
      else
        {
          g_autoptr(PGresult) up = NULL;
          g_autofree char *data = NULL;
          const char *params[] = { row->sku, next.name, next.brand, next.unit, next.weighed ? "t" : "f",
                                   next.tax_class, now };
          gint64 version;

          up = central_conn_exec (conn,
            "INSERT INTO products (sku, name, brand, unit, weighed, tax_class_id, active, updated_at) "
            "VALUES ($1, $2, $3, $4, $5::boolean, $6, true, $7::bigint) "
            "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, brand = excluded.brand, unit = excluded.unit, "
            "weighed = excluded.weighed, tax_class_id = excluded.tax_class_id, active = true, "
            "updated_at = excluded.updated_at, version = products.version + 1 RETURNING version",
            7, params, error);
          if (up == NULL)
            return FALSE;
          version = central_res_int (up, 0, 0);

          if (old == NULL || g_strcmp0 (old->barcodes, next.barcodes) != 0)
            {
              const char *p1[] = { row->sku };
              g_auto(GStrv) list = g_strsplit (next.barcodes, "|", -1);

              if (old != NULL)
                {
                  g_auto(GStrv) gone = g_strsplit (old->barcodes, "|", -1);

                  for (guint b = 0; gone[b] != NULL; b++)
                    g_hash_table_remove (owners, gone[b]);
                  if (!step (conn, "DELETE FROM product_barcodes WHERE sku = $1", 1, p1, error))
                    return FALSE;
                }
              for (guint b = 0; list[b] != NULL; b++)
                {
                  const char *p2[] = { list[b], row->sku };

                  if (*list[b] == '\0')
                    continue;
                  if (!step (conn, "INSERT INTO product_barcodes (code, sku) VALUES ($1, $2)", 2, p2, error))
                    return FALSE;
                  g_hash_table_insert (owners, g_strdup (list[b]), g_strdup (row->sku));
                }
            }

          if (old == NULL || old->price != next.price)
            {
              g_autofree char *amount = int_text (next.price);
              g_autofree char *from = int_text (next.price_from);
              const char *p1[] = { row->sku, from };
              const char *p2[] = { row->sku, from, amount, CURRENCY };

              if (!step (conn, "UPDATE prices SET valid_to = $2::bigint WHERE sku = $1 AND price_list = 'retail' "
                               "AND valid_to IS NULL", 2, p1, error) ||
                  !step (conn, "INSERT INTO prices (sku, price_list, valid_from, amount, currency) "
                               "VALUES ($1, 'retail', $2::bigint, $3::bigint, $4) "
                               "ON CONFLICT (sku, price_list, valid_from) DO UPDATE SET amount = excluded.amount, "
                               "valid_to = NULL", 4, p2, error))
                return FALSE;
            }

          data = product_json (row->sku, &next);
          central_tx_emit (tx, "catalog", "product", row->sku, NULL, "upsert", version, data);
          if (old == NULL)
            local.n_inserted++;
          else
            local.n_updated++;

          /* Later rows compare against this state. */
          {
            Product *kept = g_new0 (Product, 1);

            kept->name = g_strdup (next.name);
            kept->brand = g_strdup (next.brand);
            kept->unit = g_strdup (next.unit);
            kept->weighed = next.weighed;
            kept->tax_class = g_strdup (next.tax_class);
            kept->active = TRUE;
            kept->barcodes = g_strdup (next.barcodes);
            kept->price = next.price;
            kept->price_from = next.price_from;
            g_hash_table_insert (products, g_strdup (row->sku), kept);
          }
        }

      if (store_id != NULL && row->stock >= 0)
        {
          g_autoptr(PGresult) st = NULL;
          g_autofree char *qty = int_text (row->stock);
          const char *params[] = { store_id, row->sku, qty, now };

          st = central_conn_exec (conn,
            "INSERT INTO stock_levels AS l (store_id, sku, quantity, updated_at) VALUES ($1, $2, $3::bigint, $4::bigint) "
            "ON CONFLICT (store_id, sku) DO UPDATE SET quantity = excluded.quantity, "
            "updated_at = excluded.updated_at, version = l.version + 1 WHERE l.quantity <> excluded.quantity "
            "RETURNING version", 4, params, error);
          if (st == NULL)
            return FALSE;
          if (PQntuples (st) > 0)
            {
              g_autoptr(JsonBuilder) b = json_builder_new ();
              g_autofree char *data = NULL;

              json_builder_begin_object (b);
              central_json_add_str (b, "sku", row->sku);
              central_json_add_str (b, "store_id", store_id);
              central_json_add_int (b, "quantity", row->stock);
              central_json_add_int (b, "updated_at", g_ascii_strtoll (now, NULL, 10));
              json_builder_end_object (b);
              data = central_json_builder_to_string (b);
              central_tx_emit (tx, "stock", "stock_level", row->sku, store_id, "upsert",
                               central_res_int (st, 0, 0), data);
              local.n_stock++;
            }
        }
    }

  if (csv->n_problems > 0)
    return pos_catalog_csv_set_failed (csv, path, error);
  if (!central_tx_commit (g_steal_pointer (&tx), error))
    return FALSE;
  if (report != NULL)
    *report = local;
  return TRUE;
}
