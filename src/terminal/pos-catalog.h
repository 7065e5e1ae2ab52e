/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"
#include "domain/pos-barcode.h"

G_BEGIN_DECLS

#define POS_TYPE_PRODUCT (pos_product_get_type ())
G_DECLARE_FINAL_TYPE (PosProduct, pos_product, POS, PRODUCT, GObject)

gint64       pos_product_get_id             (PosProduct *self);
const char  *pos_product_get_sku            (PosProduct *self);
const char  *pos_product_get_name           (PosProduct *self);
const char  *pos_product_get_brand          (PosProduct *self);
const char  *pos_product_get_barcode        (PosProduct *self);  /* primary (first) barcode, may be NULL */
const char  *pos_product_get_unit           (PosProduct *self);  /* "un", "kg", ... */
gboolean     pos_product_get_weighed        (PosProduct *self);
gint64       pos_product_get_price          (PosProduct *self);  /* current retail price, minor units per unit */
const char  *pos_product_get_currency       (PosProduct *self);
const char  *pos_product_get_tax_class_id   (PosProduct *self);
guint        pos_product_get_tax_rate_bp    (PosProduct *self);
guint        pos_product_get_approx_tax_bp  (PosProduct *self);
gint64       pos_product_get_stock          (PosProduct *self);  /* milli-units: synced + local delta */

/* Exact barcode lookup through the index; also tries the normalised GTIN
 * (UPC-A scanned as 12 digits finds the 13-digit registration).
 * NULL with POS_DATABASE_ERROR_NOT_FOUND when nothing matches. */
PosProduct  *pos_catalog_lookup_barcode     (PosDatabase *db, const char *code, GError **error);
PosProduct  *pos_catalog_lookup_sku         (PosDatabase *db, const char *sku, GError **error);
PosProduct  *pos_catalog_get_product        (PosDatabase *db, gint64 id, GError **error);

/* FTS5 prefix search over name, brand, SKU: every word of text must match
 * as a prefix, accents and case ignored ("acucar uni" finds "Açúcar União").
 * Returns PosProduct* (at most limit), best matches first. */
GPtrArray   *pos_catalog_search             (PosDatabase *db, const char *text, guint limit, GError **error);
/* The same search the way many POS products do it (LIKE '%term%'), kept for
 * the benchmark's comparison only. */
GPtrArray   *pos_catalog_search_like        (PosDatabase *db, const char *text, guint limit, GError **error);

/* Store rules from the barcode_rules table (fallback: domain defaults). */
PosBarcodeRule *pos_catalog_get_barcode_rules (PosDatabase *db, guint *n_rules);
void         pos_barcode_rules_free         (PosBarcodeRule *rules, guint n_rules);

/* What a scan means for the cart: the product, how much of it, and a fixed
 * price when the code embeds one. Fails with a message a cashier can act on:
 * "7891234567890: check digit should be 5" / "No product with barcode ...". */
typedef struct {
  PosProduct *product;
  gint64      quantity;      /* milli-units; from a weight code: grams */
  gint64      fixed_gross;   /* price-embedded code: the price; else -1 */
  PosBarcode *barcode;       /* the parse */
} PosScanResult;

gboolean     pos_catalog_resolve_scan       (PosDatabase   *db,
                                             const char    *raw,
                                             PosScanResult *out,
                                             GError       **error);
void         pos_scan_result_clear          (PosScanResult *result);

/* CSV import. Columns (header row required, any order, UTF-8, comma or
 * semicolon separated, RFC 4180 quotes):
 *   sku*, name*, price* (in units with '.' or ',' decimals: 12.90),
 *   barcode (several separated by '|'), brand, unit (un|kg|l|m),
 *   weighed (0/1, yes/no), tax_class (id; created with tax_rate if new),
 *   tax_rate (percent, e.g. 18 or 7.5), stock (units)
 * All or nothing: on any bad row, nothing is imported and error lists every
 * bad row as "line N: reason". */
typedef struct {
  guint n_inserted;
  guint n_updated;
  guint n_rows;
} PosImportReport;

gboolean     pos_catalog_import_csv         (PosDatabase     *db,
                                             const char      *path,
                                             PosImportReport *report,
                                             GError         **error);

/* Loading a whole catalog over many transactions (a terminal's first
 * pull): suspend drops the product search index's triggers, keeping their
 * SQL in settings, so rows go in without being indexed one by one; resume
 * rebuilds the index once and puts the triggers back. Resume does nothing
 * when nothing is suspended, and repairs a load a crash interrupted: call
 * it before writing products. While suspended, search by words misses the
 * new products (barcode and SKU lookups do not). */
gboolean     pos_catalog_suspend_search_index (PosDatabase *db, GError **error);
gboolean     pos_catalog_resume_search_index  (PosDatabase *db, GError **error);

G_END_DECLS
