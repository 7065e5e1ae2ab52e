/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "central-db.h"

G_BEGIN_DECLS

typedef struct {
  guint n_rows;
  guint n_inserted;
  guint n_updated;
  guint n_unchanged;
  guint n_stock;      /* stock levels set (with a store) */
} CentralImportReport;

/* Imports a catalog CSV (docs/catalog-import.md) in one transaction, all
 * or nothing. Only products whose data changed get a new version (and a
 * new place in the change log). With `store_code`, the `stock` column sets
 * that store's levels; without, it is ignored. */
gboolean central_catalog_import (CentralConn         *conn,
                                 const char          *path,
                                 const char          *store_code,
                                 CentralImportReport *report,
                                 GError             **error);

/* Stores the default weight/price barcode rules when there are none, and
 * publishes them (after migrations). */
gboolean central_catalog_seed_rules (CentralConn *conn,
                                     GError     **error);

/* The PRODUCT entity (§4) of a SKU as JSON text, and its version. */
char    *central_product_json (CentralConn *conn,
                               const char  *sku,
                               gint64      *version,
                               GError     **error);

G_END_DECLS
