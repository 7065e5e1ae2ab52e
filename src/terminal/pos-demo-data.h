/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* Builds a realistic demo store into db: a store "Mercado Balcão" in São
 * Paulo with CNPJ, a terminal, staff, tax classes, products with Portuguese
 * names and brands, BRL prices, EAN-13 barcodes with valid check digits,
 * weighed goods registered with store weight codes, stock, customers with
 * valid CPFs, phones and e-mails, and completed sales. Deterministic for a
 * seed. Scales to 1 000 000 products and customers (batched transactions,
 * synchronous=OFF during the load). progress may be NULL. */
typedef void (*PosDemoProgress) (const char *what, guint64 done, guint64 total, gpointer user_data);

gboolean pos_demo_data_generate (PosDatabase     *db,
                                 guint64          n_products,
                                 guint64          n_customers,
                                 guint64          n_sales,
                                 guint32          seed,
                                 PosDemoProgress  progress,
                                 gpointer         user_data,
                                 GError         **error);

G_END_DECLS
