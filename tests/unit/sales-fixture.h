/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A minimal store for the sales, returns and receipt tests, the crash test
 * and the commit benchmark: one store, one terminal, three people (the
 * supervisor staff-1 signed in, a cashier, a manager), an open shift, two
 * tax classes, five products, one customer. Header-only (static inline). */

#include <glib/gstdio.h>
#include <string.h>

#include "terminal/pos-database.h"
#include "domain/pos-cart.h"
#include "test-tmpdir.h"

#define FIX_ARROZ   1   /* 25,90, 18 % */
#define FIX_FEIJAO  2   /*  8,99,  7 % */
#define FIX_QUEIJO  3   /* 39,90/kg, weighed, 7 % */
#define FIX_CAFE    4   /* 17,90, 18 %, long name */
#define FIX_LEITE   5   /*  5,49,  7 % */
#define FIX_CUSTOMER "0190a0b0-0000-7000-8000-000000000001"
#define FIX_SHIFT    "0190a0b0-0000-7000-8000-0000000000f1"
#define FIX_FLOAT    10000   /* the open shift's float, R$ 100,00 */

static const char fixture_sql[] =
  "INSERT INTO stores (id, code, name, legal_name, cnpj, address, city, currency) VALUES "
  " ('store-1', '001', 'Mercado Balcão Centro', 'Balcão Comércio de Alimentos Ltda', '11222333000181',"
  "  'Rua Augusta, 1500 - Consolação', 'São Paulo - SP', 'BRL');"
  "INSERT INTO terminals (id, store_id, code, name) VALUES ('term-1', 'store-1', '01', 'Caixa 1');"
  "INSERT INTO staff (id, store_id, code, name, role) VALUES ('staff-1', 'store-1', '100', 'Maria Oliveira', 'supervisor'),"
  " ('staff-2', 'store-1', '101', 'Paulo Caixa', 'cashier'), ('staff-3', 'store-1', '900', 'Ana Gerente', 'manager');"
  "INSERT INTO tax_classes (id, name, rate_bp, approx_rate_bp) VALUES ('std', 'Padrão', 1800, 3150), ('food', 'Alimentos', 700, 2000);"
  "INSERT INTO products (id, sku, name, unit, weighed, tax_class_id) VALUES "
  " (1, 'ARROZ5', 'Arroz Tipo Um Cinco Quilos', 'un', 0, 'std'),"
  " (2, 'FEIJAO1', 'Feijão Carioca', 'un', 0, 'food'),"
  " (3, 'QUEIJO', 'Queijo Minas Frescal', 'kg', 1, 'food'),"
  " (4, 'CAFE500', 'Café Torrado e Moído Extraforte Pacote Econômico Família', 'un', 0, 'std'),"
  " (5, 'LEITE1', 'Leite Integral', 'un', 0, 'food');"
  "INSERT INTO stock_levels (product_id, synced_qty) VALUES (1, 100000), (2, 50000), (4, 20000);"
  "INSERT INTO customers (id, name, cpf, created_at, updated_at) VALUES "
  " ('" FIX_CUSTOMER "', 'João Souza', '52998224725', 0, 0);";

static inline PosDatabase *
fixture_open_bare (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "terminal.db", NULL);
  g_autoptr(GError) error = NULL;
  PosDatabase *db = pos_database_open (path, &error);

  if (db == NULL)
    g_error ("cannot open %s: %s", path, error->message);
  return db;
}

/* Creates dir/terminal.db with the fixture rows, staff-1 signed in, and
 * no shift open (the shift tests open theirs through the API). */
static inline PosDatabase *
fixture_open_no_shift (const char *dir)
{
  g_autoptr(GError) error = NULL;
  PosDatabase *db = fixture_open_bare (dir);

  if (!pos_database_exec (db, fixture_sql, &error) ||
      !pos_database_set_setting (db, "store_id", "store-1", &error) ||
      !pos_database_set_setting (db, "terminal_id", "term-1", &error) ||
      !pos_database_set_setting (db, "staff_id", "staff-1", &error))
    g_error ("fixture: %s", error->message);
  return db;
}

/* The same with shift 1 open (float FIX_FLOAT), written as plain rows so
 * that the outbox and the audit log start empty. */
static inline PosDatabase *
fixture_open (const char *dir)
{
  g_autoptr(GError) error = NULL;
  PosDatabase *db = fixture_open_no_shift (dir);

  if (!pos_database_exec (db,
        "INSERT INTO shifts (id, terminal_id, staff_id, number, opened_at, opening_float, status) "
        " VALUES ('" FIX_SHIFT "', 'term-1', 'staff-1', 1, 0, " G_STRINGIFY (FIX_FLOAT) ", 'open');"
        "INSERT INTO cash_movements (id, shift_id, kind, amount, staff_id, created_at) "
        " VALUES ('" FIX_SHIFT "-float', '" FIX_SHIFT "', 'float', " G_STRINGIFY (FIX_FLOAT) ", 'staff-1', 0);"
        "INSERT INTO document_sequences (terminal_id, kind, next_value) VALUES ('term-1', 'shift', 2);",
        &error))
    g_error ("fixture: %s", error->message);
  return db;
}

static inline char *
fixture_make_dir (void)
{
  return test_tmpdir_new ();
}

static inline void
fixture_remove_dir (const char *dir)
{
  test_tmpdir_remove (dir);
}

static inline PosCartLine *
fixture_line (gint64 product)
{
  switch (product)
    {
    case FIX_ARROZ: return pos_cart_line_new (1, "ARROZ5", "Arroz Tipo Um Cinco Quilos", "7891234567895", 2590, 1800, FALSE);
    case FIX_FEIJAO: return pos_cart_line_new (2, "FEIJAO1", "Feijão Carioca", "7896543210982", 899, 700, FALSE);
    case FIX_QUEIJO: return pos_cart_line_new (3, "QUEIJO", "Queijo Minas Frescal", NULL, 3990, 700, TRUE);
    case FIX_CAFE: return pos_cart_line_new (4, "CAFE500", "Café Torrado e Moído Extraforte Pacote Econômico Família", NULL, 1790, 1800, FALSE);
    case FIX_LEITE: return pos_cart_line_new (5, "LEITE1", "Leite Integral", NULL, 549, 700, FALSE);
    default: g_assert_not_reached ();
    }
  return NULL;
}

static inline void
fixture_add (PosCart *cart,
             gint64   product,
             gint64   quantity)
{
  g_autoptr(PosCartLine) line = fixture_line (product);

  pos_cart_add_line (cart, line, quantity);
}

static inline void
fixture_pay (PosCart          *cart,
             PosPaymentMethod  method,
             gint64            tendered)
{
  g_autoptr(GError) error = NULL;

  if (!pos_cart_add_payment (cart, method, tendered,
                             method == POS_PAYMENT_CASH ? NULL : "AUTH123",
                             method == POS_PAYMENT_CREDIT_CARD || method == POS_PAYMENT_DEBIT_CARD ? "4242" : NULL,
                             &error))
    g_error ("payment: %s", error->message);
}

/* Pays what is due in cash (rounded up to whole reais, so there is change). */
static inline void
fixture_pay_rest_cash (PosCart *cart)
{
  PosCartTotals t;

  pos_cart_get_totals (cart, &t);
  if (t.due > 0)
    fixture_pay (cart, POS_PAYMENT_CASH, (t.due + 99) / 100 * 100);
}

static inline gint64
fixture_count (PosDatabase *db,
               const char  *sql)
{
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (h));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static inline char *
fixture_text (PosDatabase *db,
              const char  *sql)
{
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  char *s = NULL;

  if (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (h));
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    s = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return s;
}
