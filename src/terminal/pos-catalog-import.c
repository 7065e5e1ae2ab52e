/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "domain/pos-barcode.h"
#include "domain/pos-catalog-csv.h"
#include "domain/pos-money.h"
#include "pos-catalog.h"

/* CSV import of the catalog (parsed by domain/pos-catalog-csv), one
 * transaction, all or nothing. */

static gboolean
step_done (PosDatabase  *db,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return pos_database_set_error (db, error, _("Importing the catalog"));
  return TRUE;
}

/* Writes one checked row. Database rule violations (a barcode of another
 * product, an unknown tax class) are problems of the row; other SQLite
 * failures are errors. */
static gboolean
apply_row (PosDatabase            *db,
           const PosCatalogCsvRow *row,
           const char      *currency,
           gint64           now,
           PosImportReport *report,
           PosCatalogCsv   *problems,
           GError         **error)
{
  sqlite3_stmt *stmt;
  gint64 id = -1;
  g_autofree char *old_class = NULL;
  const char *tax_class = row->tax_class;
  g_autofree char *auto_class = NULL;
  int rc;

  stmt = pos_database_prepare_cached (db, "SELECT id, tax_class_id FROM products WHERE sku = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, row->sku, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      old_class = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Importing the catalog"));

  /* Tax class: given, or named after the rate, or the product's own. */
  if (tax_class == NULL && row->tax_rate_bp >= 0)
    tax_class = auto_class = g_strdup_printf ("aliq-%" G_GINT64_FORMAT, row->tax_rate_bp);
  if (tax_class == NULL)
    tax_class = old_class;
  if (tax_class == NULL)
    {
      pos_catalog_csv_problem (problems, row->line, _("no tax class: fill tax_class or tax_rate"));
      return TRUE;
    }

  stmt = pos_database_prepare_cached (db, "SELECT rate_bp FROM tax_classes WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, tax_class, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gint64 rate = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (row->tax_rate_bp >= 0 && rate != row->tax_rate_bp)
        {
          g_autofree char *has = g_strdup_printf ("%d.%02d%%", (int) (rate / 100), (int) (rate % 100));
          g_autofree char *says = g_strdup_printf ("%d.%02d%%", (int) (row->tax_rate_bp / 100),
                                                   (int) (row->tax_rate_bp % 100));
          pos_catalog_csv_problem (problems, row->line, _("the tax class %s has the rate %s, the file says %s"),
                   tax_class, has, says);
          return TRUE;
        }
    }
  else
    {
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return pos_database_set_error (db, error, _("Importing the catalog"));
      if (row->tax_rate_bp < 0)
        {
          pos_catalog_csv_problem (problems, row->line, _("the tax class %s is new: give its tax_rate too"), tax_class);
          return TRUE;
        }
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO tax_classes (id, name, rate_bp, approx_rate_bp) VALUES (?1, ?1, ?2, ?2)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, tax_class, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, row->tax_rate_bp);
      if (!step_done (db, stmt, error))
        return FALSE;
    }

  if (id < 0)
    {
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO products (sku, name, brand, unit, weighed, tax_class_id, updated_at) "
        "VALUES (?1, ?2, NULLIF (?3, ''), ?4, ?5, ?6, ?7)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, row->sku, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row->brand, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, row->unit ? row->unit : "un", -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 5, row->weighed == 1);
      sqlite3_bind_text (stmt, 6, tax_class, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, now);
      if (!step_done (db, stmt, error))
        return FALSE;
      id = sqlite3_last_insert_rowid (pos_database_get_handle (db));
      report->n_inserted++;
    }
  else
    {
      stmt = pos_database_prepare_cached (db,
        "UPDATE products SET name = ?2, "
        "brand = CASE WHEN ?3 THEN NULLIF (?4, '') ELSE brand END, "
        "unit = COALESCE (?5, unit), weighed = CASE WHEN ?6 >= 0 THEN ?6 ELSE weighed END, "
        "tax_class_id = ?7, updated_at = ?8 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, row->brand != NULL);
      sqlite3_bind_text (stmt, 4, row->brand, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, row->unit, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 6, row->weighed);
      sqlite3_bind_text (stmt, 7, tax_class, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 8, now);
      if (!step_done (db, stmt, error))
        return FALSE;
      report->n_updated++;
    }

  /* Price: end the current one and start the new one now, unless equal. */
  stmt = pos_database_prepare_cached (db,
    "SELECT amount FROM prices WHERE product_id = ?1 AND price_list = 'retail' "
    "AND valid_from <= ?2 AND (valid_to IS NULL OR valid_to > ?2) ORDER BY valid_from DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  {
    gboolean same = rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) == row->price;
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return pos_database_set_error (db, error, _("Importing the catalog"));
    if (!same)
      {
        stmt = pos_database_prepare_cached (db,
          "UPDATE prices SET valid_to = ?2 WHERE product_id = ?1 AND price_list = 'retail' "
          "AND valid_from < ?2 AND (valid_to IS NULL OR valid_to > ?2)", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, id);
        sqlite3_bind_int64 (stmt, 2, now);
        if (!step_done (db, stmt, error))
          return FALSE;

        stmt = pos_database_prepare_cached (db,
          "INSERT INTO prices (product_id, price_list, valid_from, valid_to, amount, currency) "
          "VALUES (?1, 'retail', ?2, NULL, ?3, ?4) "
          "ON CONFLICT (product_id, price_list, valid_from) DO UPDATE SET amount = excluded.amount, "
          "valid_to = NULL, currency = excluded.currency", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, id);
        sqlite3_bind_int64 (stmt, 2, now);
        sqlite3_bind_int64 (stmt, 3, row->price);
        sqlite3_bind_text (stmt, 4, currency, -1, SQLITE_STATIC);
        if (!step_done (db, stmt, error))
          return FALSE;
      }
  }

  if (row->barcodes != NULL)
    {
      stmt = pos_database_prepare_cached (db, "DELETE FROM product_barcodes WHERE product_id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!step_done (db, stmt, error))
        return FALSE;

      for (guint i = 0; row->barcodes[i] != NULL; i++)
        {
          const char *code = row->barcodes[i];
          gint64 owner = -1;
          g_autofree char *owner_sku = NULL;

          stmt = pos_database_prepare_cached (db,
            "SELECT b.product_id, p.sku FROM product_barcodes b JOIN products p ON p.id = b.product_id "
            "WHERE b.code = ?1", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              owner = sqlite3_column_int64 (stmt, 0);
              owner_sku = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
            }
          sqlite3_reset (stmt);

          if (owner == id)
            continue;  /* listed twice on this row */
          if (owner >= 0)
            {
              pos_catalog_csv_problem (problems, row->line, _("the barcode %s already belongs to the product %s"), code, owner_sku);
              continue;
            }

          stmt = pos_database_prepare_cached (db,
            "INSERT INTO product_barcodes (code, product_id) VALUES (?1, ?2)", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, id);
          if (!step_done (db, stmt, error))
            return FALSE;
        }
    }

  if (row->stock >= 0)
    {
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO stock_levels (product_id, synced_qty, local_delta, synced_at) VALUES (?1, ?2, 0, ?3) "
        "ON CONFLICT (product_id) DO UPDATE SET synced_qty = excluded.synced_qty, synced_at = excluded.synced_at",
        error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, row->stock);
      sqlite3_bind_int64 (stmt, 3, now);
      if (!step_done (db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
pos_catalog_import_csv (PosDatabase      *db,
                        const char       *path,
                        PosImportReport  *report,
                        GError          **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *currency = NULL;
  g_autoptr(PosCatalogCsv) csv = NULL;
  g_autoptr(GError) local_error = NULL;
  PosImportReport local_report = { 0, };
  PosBarcodeRule *rules = NULL;
  guint n_rules = 0;
  gsize length = 0;
  int exponent;
  gint64 now;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (report != NULL)
    memset (report, 0, sizeof *report);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot read %s: %s"), path, local_error->message);
      return FALSE;
    }

  currency = pos_database_get_setting (db, "currency");
  if (currency == NULL)
    currency = g_strdup ("BRL");
  exponent = pos_money_currency_exponent (currency);
  if (exponent < 0)
    exponent = 2;

  rules = pos_catalog_get_barcode_rules (db, &n_rules);
  csv = pos_catalog_csv_parse (contents, length, path, exponent, rules, n_rules, error);
  pos_barcode_rules_free (rules, n_rules);
  if (csv == NULL)
    return FALSE;

  local_report.n_rows = csv->n_rows;
  if (csv->n_problems > 0)
    goto fail;

  if (!pos_database_begin (db, error))
    return FALSE;

  now = pos_now_ms ();
  for (guint i = 0; i < csv->rows->len; i++)
    {
      if (!apply_row (db, &g_array_index (csv->rows, PosCatalogCsvRow, i), currency, now,
                      &local_report, csv, error))
        {
          pos_database_rollback (db);
          return FALSE;
        }
    }

  if (csv->n_problems > 0)
    {
      pos_database_rollback (db);
      goto fail;
    }

  if (!pos_database_audit (db, "catalog.import", "catalog", NULL, NULL, NULL, error) ||
      !pos_database_commit (db, error))
    {
      pos_database_rollback (db);
      return FALSE;
    }

  if (report != NULL)
    *report = local_report;
  return TRUE;

fail:
  if (report != NULL)
    report->n_rows = local_report.n_rows;
  return pos_catalog_csv_set_failed (csv, path, error);
}
