/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "domain/pos-barcode.h"

G_BEGIN_DECLS

/* The catalog CSV format of docs/catalog-import.md, parsed and checked
 * without any database: RFC 4180 records, comma or semicolon (the header
 * line decides), a header naming the columns sku, name, price, barcode,
 * brand, unit, weighed, tax_class, tax_rate, stock. Used by the terminal's
 * import and by balcao-central's. */

typedef struct {
  guint  line;         /* where the record starts */
  char  *sku;
  char  *name;
  gint64 price;        /* minor units of the catalog's currency */
  char **barcodes;     /* NULL when the column is absent; empty = none */
  char  *brand;        /* NULL = column absent (keep) */
  char  *unit;         /* NULL = keep / default; "un", "kg", "l" or "m" */
  int    weighed;      /* -1 = column absent (keep), else 0 or 1 */
  char  *tax_class;    /* NULL = keep */
  gint64 tax_rate_bp;  /* -1 = none */
  gint64 stock;        /* thousandths of the unit; -1 = none */
} PosCatalogCsvRow;

typedef struct {
  GArray  *rows;       /* PosCatalogCsvRow, the records that passed the checks */
  guint    n_rows;     /* data records read, good or bad */
  GString *problems;   /* "\nline N: what" for each problem */
  guint    n_problems;
} PosCatalogCsv;

/* Parses `length` bytes of `contents` (a UTF-8 BOM is skipped). `name`
 * (the file's name) is used in messages. `exponent` is the currency's
 * number of decimals; `rules` are the store's weight/price barcode rules
 * (a scale item code matching one is not checked as a GTIN).
 *
 * Returns NULL with an error when the text is no CSV at all (NUL bytes,
 * no header row). Otherwise returns the parse; problems in the header or
 * in records are in `problems` (n_problems > 0 means: import nothing). */
PosCatalogCsv *pos_catalog_csv_parse (const char           *contents,
                                      gsize                 length,
                                      const char           *name,
                                      int                   exponent,
                                      const PosBarcodeRule *rules,
                                      guint                 n_rules,
                                      GError              **error);
void           pos_catalog_csv_free  (PosCatalogCsv        *csv);

/* Adds a problem of a line found later (a barcode of another product...). */
void           pos_catalog_csv_problem (PosCatalogCsv *csv,
                                        guint          line,
                                        const char    *format,
                                        ...) G_GNUC_PRINTF (3, 4);

/* Sets `error` to the "NAME was not imported: N problems..." message
 * listing every problem; returns FALSE. */
gboolean       pos_catalog_csv_set_failed (PosCatalogCsv *csv,
                                           const char    *name,
                                           GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosCatalogCsv, pos_catalog_csv_free)

G_END_DECLS
