/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "pos-catalog.h"
#include "pos-fts-private.h"

struct _PosProduct
{
  GObject  parent_instance;

  gint64   id;
  char    *sku;
  char    *name;
  char    *brand;
  char    *barcode;
  char    *unit;
  gboolean weighed;
  gint64   price;
  char    *currency;
  char    *tax_class_id;
  guint    tax_rate_bp;
  guint    approx_tax_bp;
  gint64   stock;
};

G_DEFINE_FINAL_TYPE (PosProduct, pos_product, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SKU,
  PROP_NAME,
  PROP_BRAND,
  PROP_BARCODE,
  PROP_UNIT,
  PROP_WEIGHED,
  PROP_PRICE,
  PROP_CURRENCY,
  PROP_STOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pos_product_finalize (GObject *object)
{
  PosProduct *self = POS_PRODUCT (object);

  g_clear_pointer (&self->sku, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->brand, g_free);
  g_clear_pointer (&self->barcode, g_free);
  g_clear_pointer (&self->unit, g_free);
  g_clear_pointer (&self->currency, g_free);
  g_clear_pointer (&self->tax_class_id, g_free);

  G_OBJECT_CLASS (pos_product_parent_class)->finalize (object);
}

static void
pos_product_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PosProduct *self = POS_PRODUCT (object);

  switch (prop_id)
    {
    case PROP_ID:       g_value_set_int64 (value, self->id); break;
    case PROP_SKU:      g_value_set_string (value, self->sku); break;
    case PROP_NAME:     g_value_set_string (value, self->name); break;
    case PROP_BRAND:    g_value_set_string (value, self->brand); break;
    case PROP_BARCODE:  g_value_set_string (value, self->barcode); break;
    case PROP_UNIT:     g_value_set_string (value, self->unit); break;
    case PROP_WEIGHED:  g_value_set_boolean (value, self->weighed); break;
    case PROP_PRICE:    g_value_set_int64 (value, self->price); break;
    case PROP_CURRENCY: g_value_set_string (value, self->currency); break;
    case PROP_STOCK:    g_value_set_int64 (value, self->stock); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_product_class_init (PosProductClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pos_product_finalize;
  object_class->get_property = pos_product_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_SKU] = g_param_spec_string ("sku", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_BRAND] = g_param_spec_string ("brand", NULL, NULL, NULL, flags);
  properties[PROP_BARCODE] = g_param_spec_string ("barcode", NULL, NULL, NULL, flags);
  properties[PROP_UNIT] = g_param_spec_string ("unit", NULL, NULL, NULL, flags);
  properties[PROP_WEIGHED] = g_param_spec_boolean ("weighed", NULL, NULL, FALSE, flags);
  properties[PROP_PRICE] = g_param_spec_int64 ("price", NULL, NULL, G_MININT64, G_MAXINT64, -1, flags);
  properties[PROP_CURRENCY] = g_param_spec_string ("currency", NULL, NULL, NULL, flags);
  properties[PROP_STOCK] = g_param_spec_int64 ("stock", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pos_product_init (PosProduct *self)
{
  self->price = -1;
}

gint64       pos_product_get_id            (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), 0); return self->id; }
const char  *pos_product_get_sku           (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->sku; }
const char  *pos_product_get_name          (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->name; }
const char  *pos_product_get_brand         (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->brand; }
const char  *pos_product_get_barcode       (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->barcode; }
const char  *pos_product_get_unit          (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->unit; }
gboolean     pos_product_get_weighed       (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), FALSE); return self->weighed; }
gint64       pos_product_get_price         (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), -1); return self->price; }
const char  *pos_product_get_currency      (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->currency; }
const char  *pos_product_get_tax_class_id  (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), NULL); return self->tax_class_id; }
guint        pos_product_get_tax_rate_bp   (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), 0); return self->tax_rate_bp; }
guint        pos_product_get_approx_tax_bp (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), 0); return self->approx_tax_bp; }
gint64       pos_product_get_stock         (PosProduct *self) { g_return_val_if_fail (POS_IS_PRODUCT (self), 0); return self->stock; }

/* ------------------------------------------------------------------ */
/* Reading products                                                    */

/* The columns of a product; ?1 is "now" in Unix ms. Callers append the
 * FROM/WHERE part. The current retail price is the latest one whose
 * validity covers now. */
#define PRODUCT_COLUMNS \
  "p.id, p.sku, p.name, p.brand, " \
  "(SELECT b.code FROM product_barcodes b WHERE b.product_id = p.id LIMIT 1), " \
  "p.unit, p.weighed, pr.amount, COALESCE (pr.currency, 'BRL'), " \
  "p.tax_class_id, t.rate_bp, t.approx_rate_bp, " \
  "COALESCE (s.synced_qty, 0) + COALESCE (s.local_delta, 0) "

#define PRODUCT_JOINS \
  "JOIN tax_classes t ON t.id = p.tax_class_id " \
  "LEFT JOIN stock_levels s ON s.product_id = p.id " \
  "LEFT JOIN prices pr ON pr.product_id = p.id AND pr.price_list = 'retail' AND pr.valid_from = " \
  "  (SELECT MAX (x.valid_from) FROM prices x WHERE x.product_id = p.id AND x.price_list = 'retail' " \
  "   AND x.valid_from <= ?1 AND (x.valid_to IS NULL OR x.valid_to > ?1)) "

static PosProduct *
product_from_row (sqlite3_stmt *stmt,
                  int           first)
{
  PosProduct *self = g_object_new (POS_TYPE_PRODUCT, NULL);
  int c = first;

  self->id = sqlite3_column_int64 (stmt, c++);
  self->sku = pos_database_column_dup (stmt, c++);
  self->name = pos_database_column_dup (stmt, c++);
  self->brand = pos_database_column_dup (stmt, c++);
  self->barcode = pos_database_column_dup (stmt, c++);
  self->unit = pos_database_column_dup (stmt, c++);
  self->weighed = sqlite3_column_int (stmt, c++) != 0;
  if (sqlite3_column_type (stmt, c) == SQLITE_NULL)
    self->price = -1;
  else
    self->price = sqlite3_column_int64 (stmt, c);
  c++;
  self->currency = pos_database_column_dup (stmt, c++);
  self->tax_class_id = pos_database_column_dup (stmt, c++);
  self->tax_rate_bp = (guint) sqlite3_column_int (stmt, c++);
  self->approx_tax_bp = (guint) sqlite3_column_int (stmt, c++);
  self->stock = sqlite3_column_int64 (stmt, c++);

  return self;
}

/* Runs a prepared one-row product query (?1 = now already bound by us). */
static PosProduct *
fetch_one (PosDatabase  *db,
           sqlite3_stmt *stmt,
           GError      **error)
{
  PosProduct *product = NULL;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    product = product_from_row (stmt, 0);
  else if (rc != SQLITE_DONE)
    pos_database_set_error (db, error, _("Reading the catalog"));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return product;
}

PosProduct *
pos_catalog_get_product (PosDatabase  *db,
                         gint64        id,
                         GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  PosProduct *product;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  stmt = pos_database_prepare_cached (db,
    "SELECT " PRODUCT_COLUMNS "FROM products p " PRODUCT_JOINS "WHERE p.id = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pos_now_ms ());
  sqlite3_bind_int64 (stmt, 2, id);
  product = fetch_one (db, stmt, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (product == NULL)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                   _("Product %s is not in the catalog. Sync the catalog and try again."), id_text);
    }

  return product;
}

PosProduct *
pos_catalog_lookup_sku (PosDatabase  *db,
                        const char   *sku,
                        GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  PosProduct *product;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sku != NULL, NULL);

  stmt = pos_database_prepare_cached (db,
    "SELECT " PRODUCT_COLUMNS "FROM products p " PRODUCT_JOINS "WHERE p.sku = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pos_now_ms ());
  sqlite3_bind_text (stmt, 2, sku, -1, SQLITE_TRANSIENT);
  product = fetch_one (db, stmt, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (product == NULL)
    g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                 _("No product with SKU %s. Check the code, or search the product by name."), sku);

  return product;
}

static gboolean
all_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* Exact lookup of one code; NULL without error when absent. */
static PosProduct *
lookup_code (PosDatabase  *db,
             const char   *code,
             GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
    "SELECT " PRODUCT_COLUMNS "FROM product_barcodes bc JOIN products p ON p.id = bc.product_id "
    PRODUCT_JOINS "WHERE bc.code = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pos_now_ms ());
  sqlite3_bind_text (stmt, 2, code, -1, SQLITE_TRANSIENT);

  return fetch_one (db, stmt, error);
}

PosProduct *
pos_catalog_lookup_barcode (PosDatabase  *db,
                            const char   *code,
                            GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *trimmed = NULL;
  PosProduct *product;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  trimmed = g_strstrip (g_strdup (code));
  if (*trimmed == '\0')
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                   _("The barcode is empty. Scan again or type the code."));
      return NULL;
    }

  product = lookup_code (db, trimmed, &local_error);
  if (product == NULL && local_error == NULL && all_digits (trimmed))
    {
      /* The same GTIN written another way: UPC-A (12) registered as
       * EAN-13 with a leading 0, GTIN-14 with leading 0, or the reverse. */
      g_autofree char *normal = pos_gtin_normalize (trimmed);
      gsize len = strlen (trimmed);

      if (normal != NULL && !g_str_equal (normal, trimmed))
        product = lookup_code (db, normal, &local_error);
      if (product == NULL && local_error == NULL && len == 13 && trimmed[0] == '0')
        product = lookup_code (db, trimmed + 1, &local_error);
      if (product == NULL && local_error == NULL && len == 12)
        {
          g_autofree char *ean = g_strconcat ("0", trimmed, NULL);
          product = lookup_code (db, ean, &local_error);
        }
      if (product == NULL && local_error == NULL && len == 14 && trimmed[0] == '0')
        product = lookup_code (db, trimmed + 1, &local_error);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (product == NULL)
    g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                 _("No product with barcode %s. Search the product by name, or set it aside for the manager to register."),
                 trimmed);

  return product;
}

/* ------------------------------------------------------------------ */
/* Search                                                              */

/* Ranking every match of a short prefix over a million products is what
 * makes naive FTS slow (bm25 over tens of thousands of rows, then a sort).
 * We rank only the first candidates FTS yields; the benchmark measures it. */
#define RANK_CANDIDATES  200

GPtrArray *
pos_catalog_search (PosDatabase  *db,
                    const char   *text,
                    guint         limit,
                    GError      **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *query = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (limit == 0)
    limit = 50;
  query = _pos_fts_prefix_query (text);
  if (query == NULL)
    return g_steal_pointer (&results);

  /* Candidates come in rowid order without ranking (cheap), capped;
   * only those are ranked with bm25 (name counts most). */
  stmt = pos_database_prepare_cached (db,
    "SELECT " PRODUCT_COLUMNS
    "FROM (SELECT c.id AS id, c.score AS score, length (q.name) AS len "
    "      FROM (SELECT rowid AS id, bm25 (product_search, 10.0, 4.0, 1.0) AS score "
    "            FROM product_search WHERE product_search MATCH ?2 LIMIT ?4) c "
    "      JOIN products q ON q.id = c.id WHERE q.active = 1 "
    "      ORDER BY c.score, len, c.id LIMIT ?3) r "
    "JOIN products p ON p.id = r.id " PRODUCT_JOINS
    "ORDER BY r.score, r.len, r.id", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, pos_now_ms ());
  sqlite3_bind_text (stmt, 2, query, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, (int) MIN (limit, (guint) G_MAXINT));
  sqlite3_bind_int (stmt, 4, (int) MAX (RANK_CANDIDATES, MIN (limit, 100000u) * 4));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (results, product_from_row (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Searching the catalog"));
      return NULL;
    }

  return g_steal_pointer (&results);
}

static char *
like_pattern (const char *word)
{
  GString *s = g_string_new ("%");

  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');

  return g_string_free (s, FALSE);
}

GPtrArray *
pos_catalog_search_like (PosDatabase  *db,
                         const char   *text,
                         guint         limit,
                         GError      **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) words = NULL;
  g_autoptr(GPtrArray) patterns = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (limit == 0)
    limit = 50;
  words = _pos_fts_split_words (text);
  if (words->len == 0)
    return g_steal_pointer (&results);

  /* What many POS do: every word as a substring of name, brand or SKU,
   * sorted by name. No index can serve it: a full table scan. */
  sql = g_string_new ("SELECT " PRODUCT_COLUMNS "FROM products p " PRODUCT_JOINS "WHERE p.active = 1");
  for (guint i = 0; i < words->len; i++)
    {
      g_string_append_printf (sql,
                              " AND (p.name LIKE ?%u ESCAPE '\\' OR p.brand LIKE ?%u ESCAPE '\\' OR p.sku LIKE ?%u ESCAPE '\\')",
                              i + 3, i + 3, i + 3);
      g_ptr_array_add (patterns, like_pattern (g_ptr_array_index (words, i)));
    }
  g_string_append (sql, " ORDER BY p.name LIMIT ?2");

  stmt = pos_database_prepare_cached (db, sql->str, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, pos_now_ms ());
  sqlite3_bind_int (stmt, 2, (int) MIN (limit, (guint) G_MAXINT));
  for (guint i = 0; i < patterns->len; i++)
    sqlite3_bind_text (stmt, (int) i + 3, g_ptr_array_index (patterns, i), -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (results, product_from_row (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Searching the catalog"));
      return NULL;
    }

  return g_steal_pointer (&results);
}

/* ------------------------------------------------------------------ */
/* Barcode rules and scans                                             */

PosBarcodeRule *
pos_catalog_get_barcode_rules (PosDatabase *db,
                               guint       *n_rules)
{
  g_autoptr(GArray) rules = g_array_new (FALSE, TRUE, sizeof (PosBarcodeRule));
  sqlite3_stmt *stmt;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (n_rules != NULL, NULL);

  stmt = pos_database_prepare_cached (db,
    "SELECT pattern, kind FROM barcode_rules ORDER BY priority DESC, id", NULL);
  if (stmt != NULL)
    {
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *kind = (const char *) sqlite3_column_text (stmt, 1);
          PosBarcodeRule rule;

          rule.pattern = pos_database_column_dup (stmt, 0);
          rule.kind = g_strcmp0 (kind, "price") == 0 ? POS_BARCODE_KIND_PRICE : POS_BARCODE_KIND_WEIGHT;
          g_array_append_val (rules, rule);
        }
      sqlite3_reset (stmt);
    }

  if (rules->len == 0)
    {
      guint n = 0;
      const PosBarcodeRule *defaults = pos_barcode_default_rules (&n);

      for (guint i = 0; i < n; i++)
        {
          PosBarcodeRule rule = { g_strdup (defaults[i].pattern), defaults[i].kind };
          g_array_append_val (rules, rule);
        }
    }

  *n_rules = rules->len;
  return (PosBarcodeRule *) g_array_free (g_steal_pointer (&rules), FALSE);
}

void
pos_barcode_rules_free (PosBarcodeRule *rules,
                        guint           n_rules)
{
  if (rules == NULL)
    return;
  for (guint i = 0; i < n_rules; i++)
    g_free (rules[i].pattern);
  g_free (rules);
}

void
pos_scan_result_clear (PosScanResult *result)
{
  if (result == NULL)
    return;
  g_clear_object (&result->product);
  g_clear_pointer (&result->barcode, pos_barcode_free);
  result->quantity = 0;
  result->fixed_gross = -1;
}

gboolean
pos_catalog_resolve_scan (PosDatabase    *db,
                          const char     *raw,
                          PosScanResult  *out,
                          GError        **error)
{
  g_autoptr(PosBarcode) barcode = NULL;
  g_autoptr(PosProduct) product = NULL;
  g_autoptr(GError) local_error = NULL;
  PosBarcodeRule *rules;
  guint n_rules = 0;
  gint64 quantity = 1000;
  gint64 fixed_gross = -1;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->fixed_gross = -1;

  rules = pos_catalog_get_barcode_rules (db, &n_rules);
  barcode = pos_barcode_parse (raw, rules, n_rules, error);
  pos_barcode_rules_free (rules, n_rules);
  if (barcode == NULL)
    return FALSE;

  switch (barcode->kind)
    {
    case POS_BARCODE_KIND_WEIGHT:
      product = pos_catalog_lookup_barcode (db, barcode->item_code, &local_error);
      if (product == NULL)
        {
          if (g_error_matches (local_error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND))
            g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                         _("%s is a scale label, but no product is registered with item code %s. "
                           "Check the scale's product list or search the product by name."),
                         barcode->code, barcode->item_code);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (barcode->weight_g <= 0)
        {
          g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                       _("The scale label %s shows no weight. Weigh the item again."), barcode->code);
          return FALSE;
        }
      quantity = barcode->weight_g;
      break;

    case POS_BARCODE_KIND_PRICE:
      product = pos_catalog_lookup_barcode (db, barcode->item_code, &local_error);
      if (product == NULL)
        {
          if (g_error_matches (local_error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND))
            g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                         _("%s is a priced label, but no product is registered with item code %s. "
                           "Check the scale's product list or search the product by name."),
                         barcode->code, barcode->item_code);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      fixed_gross = barcode->price_minor;
      quantity = 1000;
      break;

    case POS_BARCODE_KIND_GS1:
      if (barcode->gtin == NULL)
        {
          g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                       _("The GS1 code %s carries no product number (AI 01). Scan the product's other barcode."),
                       barcode->code);
          return FALSE;
        }
      product = pos_catalog_lookup_barcode (db, barcode->gtin, error);
      if (product == NULL)
        return FALSE;
      if (barcode->weight_g > 0)
        quantity = barcode->weight_g;
      if (barcode->price_minor >= 0)
        fixed_gross = barcode->price_minor;
      break;

    case POS_BARCODE_KIND_GTIN:
      product = pos_catalog_lookup_barcode (db, barcode->gtin ? barcode->gtin : barcode->code, error);
      if (product == NULL)
        return FALSE;
      break;

    case POS_BARCODE_KIND_UNKNOWN:
    default:
      product = pos_catalog_lookup_barcode (db, barcode->code, &local_error);
      if (product == NULL && g_error_matches (local_error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND))
        {
          g_clear_error (&local_error);
          product = pos_catalog_lookup_sku (db, barcode->code, NULL);
          if (product == NULL)
            g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                         _("No product with barcode or SKU %s. Search the product by name, or set it aside for the manager to register."),
                         barcode->code);
        }
      else if (product == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      if (product == NULL)
        return FALSE;
      break;
    }

  if (pos_product_get_price (product) < 0 && fixed_gross < 0)
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                   _("%s has no current price. Ask a supervisor to check the price list."),
                   pos_product_get_name (product));
      return FALSE;
    }

  out->product = g_steal_pointer (&product);
  out->barcode = g_steal_pointer (&barcode);
  out->quantity = quantity;
  out->fixed_gross = fixed_gross;

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Bulk loads                                                          */

static const char * const search_triggers[] = { "products_ai", "products_au", "products_ad" };

static char *
suspended_key (const char *trigger)
{
  return g_strconcat ("suspended_trigger:", trigger, NULL);
}

gboolean
pos_catalog_suspend_search_index (PosDatabase *db,
                                  GError     **error)
{
  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!pos_database_begin (db, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (search_triggers); i++)
    {
      g_autofree char *sql = pos_database_get_trigger_sql (db, search_triggers[i]);
      g_autofree char *key = suspended_key (search_triggers[i]);
      g_autofree char *drop = NULL;

      if (sql == NULL)
        continue;   /* suspended already */
      drop = g_strconcat ("DROP TRIGGER ", search_triggers[i], NULL);
      if (!pos_database_set_setting (db, key, sql, error) ||
          !pos_database_exec (db, drop, error))
        {
          pos_database_rollback (db);
          return FALSE;
        }
    }
  return pos_database_commit (db, error);
}

gboolean
pos_catalog_resume_search_index (PosDatabase *db,
                                 GError     **error)
{
  char *sql[G_N_ELEMENTS (search_triggers)] = { NULL, };
  gboolean suspended = FALSE;
  gboolean ok = FALSE;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (search_triggers); i++)
    {
      g_autofree char *key = suspended_key (search_triggers[i]);

      sql[i] = pos_database_get_setting (db, key);
      suspended |= sql[i] != NULL;
    }
  if (!suspended)
    return TRUE;

  if (!pos_database_begin (db, error))
    goto out;
  if (!pos_database_exec (db, "INSERT INTO product_search (product_search) VALUES ('rebuild')", error))
    goto rollback;
  for (guint i = 0; i < G_N_ELEMENTS (search_triggers); i++)
    {
      g_autofree char *key = suspended_key (search_triggers[i]);

      if (sql[i] != NULL &&
          (!pos_database_exec (db, sql[i], error) || !pos_database_set_setting (db, key, NULL, error)))
        goto rollback;
    }
  ok = pos_database_commit (db, error);
  goto out;

rollback:
  pos_database_rollback (db);
out:
  for (guint i = 0; i < G_N_ELEMENTS (search_triggers); i++)
    g_free (sql[i]);
  return ok;
}
