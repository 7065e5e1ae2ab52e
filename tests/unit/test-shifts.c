/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-shifts"

#include "config.h"

#include <check.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-pin.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"
#include "sales-fixture.h"

/* Shifts: opening and closing, the X and Z reports against the shift's
 * documents, the blind close, and every permission the engine enforces
 * for sales, returns, voids, overrides, discounts and the drawer.
 *
 * People (sales-fixture.h): staff-1 supervisor (signed in), staff-2
 * cashier (code 101), staff-3 manager (code 900, PIN set here). */

#define CASHIER  "staff-2"
#define MANAGER  "staff-3"
#define SUPERVISOR "staff-1"
#define MANAGER_PIN "9731"

#define ck_assert_no_error(err) \
  ck_assert_msg ((err) == NULL, "unexpected error: %s", (err) ? (err)->message : "")

static char *dir;
static PosDatabase *db;

static void
setup (void)
{
  dir = fixture_make_dir ();
  db = fixture_open_no_shift (dir);
}

static void
teardown (void)
{
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

static gint64
count (const char *sql)
{
  return fixture_count (db, sql);
}

/* A figure from SQL with ?1 bound to the shift's id. */
static gint64
shift_sql (const char *shift_id,
           const char *sql)
{
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  gint64 v = G_MININT64;

  if (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (h));
  sqlite3_bind_text (stmt, 1, shift_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static void
sign_in_as (const char *staff_id)
{
  g_autoptr(GError) error = NULL;

  ck_assert (pos_database_set_setting (db, "staff_id", staff_id, &error));
}

static void
set_manager_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = pos_pin_hash (MANAGER_PIN, &error);
  sqlite3_stmt *stmt = NULL;

  ck_assert_no_error (error);
  ck_assert (sqlite3_prepare_v2 (pos_database_get_handle (db),
                                 "UPDATE staff SET pin_hash = ?1 WHERE id = '" MANAGER "'", -1, &stmt, NULL) == SQLITE_OK);
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* The manager approves p for whoever is signed in. */
static char *
approve (PosPermission p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosApproval) a = pos_approval_grant_pin (db, p, "900", MANAGER_PIN, "Other", &error);

  ck_assert_msg (a != NULL, "approval: %s", error ? error->message : "?");
  return g_strdup (a->id);
}

static char *
open_shift (gint64 opening_float)
{
  g_autoptr(GError) error = NULL;
  char *id = pos_shifts_open (db, NULL, 0, opening_float, &error);

  ck_assert_msg (id != NULL, "open: %s", error ? error->message : "?");
  return id;
}

static PosShiftReport *
close_shift (gint64 counted)
{
  g_autoptr(GError) error = NULL;
  PosShiftReport *z = pos_shifts_close (db, NULL, 0, counted, NULL, NULL, &error);

  ck_assert_msg (z != NULL, "close: %s", error ? error->message : "?");
  return z;
}

static char *
commit (PosCart *cart)
{
  g_autoptr(GError) error = NULL;
  char *id = pos_sales_commit (db, cart, NULL, &error);

  ck_assert_msg (id != NULL, "commit: %s", error ? error->message : "?");
  return id;
}

/* One product, quantity units, paid in full with method (cash: handed
 * over rounded up to whole reais). */
static char *
sell (gint64           product,
      gint64           quantity,
      PosPaymentMethod method)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  PosCartTotals t;

  fixture_add (cart, product, quantity);
  if (method == POS_PAYMENT_CASH)
    fixture_pay_rest_cash (cart);
  else
    {
      pos_cart_get_totals (cart, &t);
      fixture_pay (cart, method, t.due);
    }
  return commit (cart);
}

static char *
return_one (const char *sale_id,
            guint       line_no,
            gint64      quantity,
            const char *approval_id,
            GError    **error)
{
  PosReturnItem item = { line_no, quantity };

  return pos_returns_commit (db, sale_id, &item, 1, POS_REFUND_ORIGINAL_TENDER, "defeito",
                             approval_id, NULL, error);
}

static const PosShiftMethodTotal *
method_total (const PosShiftReport *r,
              PosPaymentMethod      method)
{
  for (guint i = 0; i < r->by_method->len; i++)
    {
      const PosShiftMethodTotal *m = &g_array_index (r->by_method, PosShiftMethodTotal, i);
      if (m->method == method)
        return m;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */

START_TEST (test_denominations)
{
  guint n = 0;
  const gint64 *brl = pos_cash_denominations ("BRL", &n);
  PosCashCount counts[] = { { 5000, 2 }, { 1000, 5 }, { 25, 4 } };

  ck_assert_ptr_nonnull (brl);
  ck_assert_uint_eq (n, 12);
  ck_assert_int_eq (brl[0], 20000);
  ck_assert_int_eq (brl[n - 1], 5);
  for (guint i = 1; i < n; i++)
    ck_assert_int_lt (brl[i], brl[i - 1]);
  ck_assert_ptr_nonnull (pos_cash_denominations ("EUR", &n));
  ck_assert_ptr_nonnull (pos_cash_denominations ("USD", &n));
  ck_assert_ptr_null (pos_cash_denominations ("XYZ", &n));
  ck_assert_uint_eq (n, 0);

  ck_assert_int_eq (pos_cash_count_total (counts, 3), 10000 + 5000 + 100);
  ck_assert_int_eq (pos_cash_count_total (NULL, 0), 0);
}
END_TEST

START_TEST (test_open_cash_close)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) x = NULL;
  g_autoptr(PosShiftReport) z = NULL;
  g_autoptr(PosShiftReport) again = NULL;
  g_autofree char *id = NULL;
  g_autofree char *open_id = NULL;
  g_autofree char *second = NULL;
  g_autofree char *z_json = NULL;
  g_autofree char *frozen = NULL;
  g_autofree char *text = NULL;
  g_autofree char *sent = NULL;
  PosCashCount counts[] = { { 5000, 2 }, { 1000, 5 } };
  PosCashCount bad_value[] = { { 300, 1 } };
  PosCashCount twice[] = { { 1000, 1 }, { 1000, 2 } };
  gint64 diff = 0;

  ck_assert_ptr_null (pos_shifts_get_open_id (db, &error));
  ck_assert_no_error (error);

  /* Refused before anything is written. */
  ck_assert_ptr_null (pos_shifts_open (db, NULL, 0, -1, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_shifts_open (db, bad_value, 1, 0, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_shifts_open (db, twice, 2, 0, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_shifts_open (db, counts, 2, 9999, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts"), 0);

  /* Opened with a count by denomination (the typed total agrees). */
  id = pos_shifts_open (db, counts, 2, 15000, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (id);
  open_id = pos_shifts_get_open_id (db, &error);
  ck_assert_str_eq (open_id, id);
  ck_assert_int_eq (count ("SELECT opening_float FROM shifts"), 15000);
  ck_assert_int_eq (count ("SELECT number FROM shifts"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts WHERE staff_id = 'staff-1' AND status = 'open' "
                           "AND opening_count = '[{\"value\":5000,\"count\":2},{\"value\":1000,\"count\":5}]'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'shift.open'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'shift.open'"), 1);

  ck_assert_ptr_null (pos_shifts_open (db, NULL, 0, 100, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_ALREADY_OPEN));
  g_clear_error (&error);

  /* Cash in and out (a supervisor may alone); a reason is needed. */
  ck_assert (pos_shifts_cash_move (db, 5000, "Troco do cofre", NULL, &error));
  ck_assert (pos_shifts_cash_move (db, -2000, "Sangria", NULL, &error));
  ck_assert_no_error (error);
  ck_assert (!pos_shifts_cash_move (db, 100, "  ", NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!pos_shifts_cash_move (db, 0, "nada", NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'cash.move'"), 2);
  ck_assert_int_eq (count ("SELECT SUM(amount) FROM cash_movements WHERE kind IN ('in', 'out')"), 3000);

  x = pos_shifts_report (db, NULL, &error);
  ck_assert_no_error (error);
  ck_assert_str_eq (x->shift_id, id);
  ck_assert_str_eq (x->opened_by, "Maria Oliveira");
  ck_assert_str_eq (x->terminal_name, "Caixa 1");
  ck_assert_str_eq (x->currency, "BRL");
  ck_assert (!x->has_count);
  ck_assert_int_eq (x->opening_float, 15000);
  ck_assert_int_eq (x->cash_in, 5000);
  ck_assert_int_eq (x->cash_out, 2000);
  ck_assert_int_eq (x->expected_cash, 18000);
  ck_assert_uint_eq (x->n_sales, 0);
  ck_assert_uint_eq (x->by_method->len, 0);
  text = pos_shift_report_to_text (x, 42);
  ck_assert_ptr_nonnull (strstr (text, "X REPORT"));
  ck_assert_ptr_nonnull (strstr (text, "R$ 180,00"));
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      ck_assert_int_le (g_utf8_strlen (lines[i], -1), 42);
  }

  /* Blind close: the preview writes nothing. */
  ck_assert (pos_shifts_preview_close (db, 17950, &diff, &error));
  ck_assert_int_eq (diff, -50);
  ck_assert (!pos_shifts_preview_close (db, -1, &diff, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts WHERE status = 'open'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'shift.close'"), 0);

  z = close_shift (17950);
  ck_assert (z->has_count);
  ck_assert_int_eq (z->counted_cash, 17950);
  ck_assert_int_eq (z->expected_cash, 18000);
  ck_assert_int_eq (z->difference, -50);
  ck_assert_str_eq (z->closed_by, "Maria Oliveira");
  ck_assert_int_gt (z->closed_at, 0);
  ck_assert_ptr_null (z->approved_by);
  ck_assert_ptr_null (pos_shifts_get_open_id (db, &error));
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts WHERE status = 'closed' AND counted_cash = 17950 "
                           "AND expected_cash = 18000 AND closed_by = 'staff-1'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM cash_movements WHERE kind = 'count' AND amount = 17950"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'shift.close'"), 1);

  /* The Z report is frozen, sent as is, and read back as it was sent. */
  frozen = fixture_text (db, "SELECT z_report FROM shifts");
  sent = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'shift.close'");
  ck_assert_str_eq (frozen, sent);
  again = pos_shifts_report (db, id, &error);
  ck_assert_no_error (error);
  z_json = pos_shift_report_to_json (z);
  {
    g_autofree char *again_json = pos_shift_report_to_json (again);
    ck_assert_str_eq (again_json, z_json);
  }
  ck_assert_ptr_nonnull (strstr (sent, "\"store_id\":\"store-1\""));
  ck_assert_ptr_nonnull (strstr (sent, "\"kind\":\"z\""));

  /* Nothing open: no X report, no cash, no close. */
  ck_assert_ptr_null (pos_shifts_report (db, NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NONE_OPEN));
  g_clear_error (&error);
  ck_assert (!pos_shifts_cash_move (db, 100, "x", NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NONE_OPEN));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_shifts_close (db, NULL, 0, 0, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NONE_OPEN));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_shifts_report (db, "no-such-shift", &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NOT_FOUND));
  g_clear_error (&error);

  /* The next shift has the next number. */
  second = open_shift (0);
  ck_assert_int_eq (count ("SELECT number FROM shifts WHERE status = 'open'"), 2);
}
END_TEST

/* Sales by cash, card, PIX and split, with change, returns and cash
 * moves: each method's figures and the cash expected in the drawer. */
START_TEST (test_figures_by_method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) r = NULL;
  g_autoptr(PosCart) split = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosCart) disc = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *shift = open_shift (10000);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
  g_autofree char *ra = NULL, *rb = NULL;
  const PosShiftMethodTotal *m;

  /* a: arroz 25,90 in cash, 26,00 handed over: 0,10 change. */
  a = sell (FIX_ARROZ, 1000, POS_PAYMENT_CASH);
  /* b: 2 × café 17,90 = 35,80 by credit card. */
  b = sell (FIX_CAFE, 2000, POS_PAYMENT_CREDIT_CARD);
  /* c: feijão 8,99 by PIX. */
  c = sell (FIX_FEIJAO, 1000, POS_PAYMENT_PIX);
  /* d: arroz + leite = 31,39: 20,00 debit, 20,00 cash (8,61 change). */
  fixture_add (split, FIX_ARROZ, 1000);
  fixture_add (split, FIX_LEITE, 1000);
  fixture_pay (split, POS_PAYMENT_DEBIT_CARD, 2000);
  fixture_pay (split, POS_PAYMENT_CASH, 2000);
  d = commit (split);
  /* e: 2 × leite 10,98, 10 % off the line (1,10), then 0,50 off: 9,38 cash exact. */
  fixture_add (disc, FIX_LEITE, 2000);
  ck_assert (pos_cart_set_line_discount (disc, 0, POS_DISCOUNT_PERCENT, 1000, &error));
  ck_assert (pos_cart_set_discount (disc, POS_DISCOUNT_AMOUNT, 50, &error));
  fixture_pay (disc, POS_PAYMENT_CASH, 938);
  e = commit (disc);

  /* Returns: sale a's arroz back in cash, one café of b to the card. */
  ra = return_one (a, 1, 1000, NULL, &error);
  ck_assert_msg (ra != NULL, "%s", error ? error->message : "");
  rb = return_one (b, 1, 1000, NULL, &error);
  ck_assert_msg (rb != NULL, "%s", error ? error->message : "");

  ck_assert (pos_shifts_cash_move (db, 5000, "Troco", NULL, &error));
  ck_assert (pos_shifts_cash_move (db, -3000, "Sangria", NULL, &error));
  ck_assert (pos_shifts_record_no_sale (db, "Troca de nota", NULL, &error));
  ck_assert_no_error (error);

  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales WHERE shift_id IS NOT NULL AND staff_id = 'staff-1'"), 7);

  r = pos_shifts_report (db, NULL, &error);
  ck_assert_no_error (error);
  ck_assert_uint_eq (r->n_sales, 5);
  ck_assert_uint_eq (r->n_returns, 2);
  ck_assert_int_eq (r->gross_sales, 2590 + 3580 + 899 + 3139 + 938);
  ck_assert_int_eq (r->returns_total, 2590 + 1790);
  ck_assert_int_eq (r->discounts, 110 + 50);
  ck_assert_int_eq (r->change_given, 10 + 861);
  ck_assert_int_eq (r->cash_in, 5000);
  ck_assert_int_eq (r->cash_out, 3000);
  ck_assert_uint_eq (r->n_no_sale, 1);
  ck_assert_int_eq (r->tax_total, shift_sql (shift, "SELECT SUM (tax_total) FROM sales WHERE shift_id = ?1"));

  ck_assert_uint_eq (r->by_method->len, 4);
  /* In PosPaymentMethod order. */
  ck_assert_int_eq (g_array_index (r->by_method, PosShiftMethodTotal, 0).method, POS_PAYMENT_CASH);
  ck_assert_int_eq (g_array_index (r->by_method, PosShiftMethodTotal, 3).method, POS_PAYMENT_PIX);
  m = method_total (r, POS_PAYMENT_CASH);
  ck_assert_int_eq (m->sales, 2590 + 1139 + 938);
  ck_assert_int_eq (m->refunds, 2590);
  ck_assert_int_eq (m->net, 1139 + 938);
  ck_assert_uint_eq (m->n_payments, 4);
  m = method_total (r, POS_PAYMENT_CREDIT_CARD);
  ck_assert_int_eq (m->sales, 3580);
  ck_assert_int_eq (m->refunds, 1790);
  ck_assert_int_eq (m->net, 1790);
  m = method_total (r, POS_PAYMENT_DEBIT_CARD);
  ck_assert_int_eq (m->sales, 2000);
  ck_assert_int_eq (m->refunds, 0);
  m = method_total (r, POS_PAYMENT_PIX);
  ck_assert_int_eq (m->net, 899);
  ck_assert_ptr_null (method_total (r, POS_PAYMENT_STORE_CREDIT));

  /* float + cash net + in - out */
  ck_assert_int_eq (r->expected_cash, 10000 + (1139 + 938) + 5000 - 3000);
}
END_TEST

/* Only the shift's own documents count: a sale of the last shift
 * returned in this one counts here as a return. */
START_TEST (test_shift_boundaries)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) z1 = NULL;
  g_autoptr(PosShiftReport) r2 = NULL;
  g_autofree char *first = open_shift (5000);
  g_autofree char *old_sale = sell (FIX_ARROZ, 2000, POS_PAYMENT_CASH);
  g_autofree char *second = NULL;
  g_autofree char *new_sale = NULL;
  g_autofree char *ret = NULL;

  z1 = close_shift (5000 + 5180);
  ck_assert_int_eq (z1->difference, 0);
  second = open_shift (7000);
  new_sale = sell (FIX_FEIJAO, 1000, POS_PAYMENT_CASH);
  ret = return_one (old_sale, 1, 1000, NULL, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");

  r2 = pos_shifts_report (db, NULL, &error);
  ck_assert_str_eq (r2->shift_id, second);
  ck_assert_uint_eq (r2->n_sales, 1);
  ck_assert_uint_eq (r2->n_returns, 1);
  ck_assert_int_eq (r2->gross_sales, 899);
  ck_assert_int_eq (r2->returns_total, 2590);
  ck_assert_int_eq (r2->expected_cash, 7000 + 899 - 2590);
  ck_assert_int_eq (shift_sql (second, "SELECT COUNT(*) FROM sales WHERE shift_id = ?1"), 2);
  ck_assert_int_eq (shift_sql (first, "SELECT COUNT(*) FROM sales WHERE shift_id = ?1"), 1);
}
END_TEST

/* The Z report equals the sum of the shift's documents, computed here
 * independently from the rows. */
START_TEST (test_z_equals_documents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  g_autoptr(GPtrArray) sales = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PosShiftReport) z = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *frozen = NULL;
  g_autofree char *shift = open_shift (20000);
  static const gint64 products[] = { FIX_ARROZ, FIX_FEIJAO, FIX_QUEIJO, FIX_CAFE, FIX_LEITE };
  static const PosPaymentMethod methods[] = { POS_PAYMENT_CASH, POS_PAYMENT_CREDIT_CARD, POS_PAYMENT_DEBIT_CARD, POS_PAYMENT_PIX };
  gint64 expected;
  JsonObject *o;
  JsonArray *by_method;

  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
      guint n = (guint) g_rand_int_range (rand, 1, 4);
      PosCartTotals t;

      for (guint l = 0; l < n; l++)
        {
          gint64 product = products[g_rand_int_range (rand, 0, G_N_ELEMENTS (products))];
          fixture_add (cart, product, product == FIX_QUEIJO ? g_rand_int_range (rand, 100, 1500)
                                                            : 1000 * g_rand_int_range (rand, 1, 3));
        }
      if (g_rand_int_range (rand, 0, 3) == 0)
        ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 500, &error));
      if (g_rand_int_range (rand, 0, 4) == 0)
        ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 25, &error));
      pos_cart_get_totals (cart, &t);
      if (g_rand_int_range (rand, 0, 3) == 0 && t.due > 200)
        fixture_pay (cart, methods[g_rand_int_range (rand, 1, 4)], t.due / 2);
      pos_cart_get_totals (cart, &t);
      if (g_rand_boolean (rand))
        fixture_pay_rest_cash (cart);
      else
        fixture_pay (cart, methods[g_rand_int_range (rand, 1, 4)], t.due);
      g_ptr_array_add (sales, commit (cart));

      if (i % 7 == 3)
        {
          /* The first line of an earlier sale comes back. */
          g_autoptr(PosSaleRecord) s = pos_sales_load (db, g_ptr_array_index (sales, i / 2), &error);
          const PosSaleLine *line = g_ptr_array_index (s->lines, 0);
          g_autofree char *r = return_one (s->id, 1, line->quantity - line->returned_quantity, NULL, &error);

          ck_assert_msg (r != NULL, "%s", error ? error->message : "");
        }
      if (i % 10 == 5)
        ck_assert (pos_shifts_cash_move (db, g_rand_boolean (rand) ? 1500 : -700, "Movimento", NULL, &error));
    }

  expected = 20000
    + shift_sql (shift, "SELECT COALESCE (SUM (p.tendered), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                        "WHERE s.shift_id = ?1 AND s.kind = 'sale' AND p.method = 'cash'")
    - shift_sql (shift, "SELECT COALESCE (SUM (change_given), 0) FROM sales WHERE shift_id = ?1 AND kind = 'sale'")
    + shift_sql (shift, "SELECT COALESCE (SUM (p.amount), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                        "WHERE s.shift_id = ?1 AND s.kind = 'return' AND p.method = 'cash'")
    + shift_sql (shift, "SELECT COALESCE (SUM (amount), 0) FROM cash_movements WHERE shift_id = ?1 AND kind IN ('in', 'out')");

  z = close_shift (expected + 37);
  ck_assert_int_eq (z->difference, 37);
  frozen = fixture_text (db, "SELECT z_report FROM shifts");
  node = json_from_string (frozen, &error);
  ck_assert_no_error (error);
  o = json_node_get_object (node);

#define Z(member) json_object_get_int_member (o, member)
  ck_assert_int_eq (Z ("n_sales"), shift_sql (shift, "SELECT COUNT(*) FROM sales WHERE shift_id = ?1 AND kind = 'sale'"));
  ck_assert_int_eq (Z ("n_sales"), 30);
  ck_assert_int_eq (Z ("n_returns"), shift_sql (shift, "SELECT COUNT(*) FROM sales WHERE shift_id = ?1 AND kind = 'return'"));
  ck_assert_int_gt (Z ("n_returns"), 0);
  ck_assert_int_eq (Z ("gross_sales"), shift_sql (shift, "SELECT SUM (total) FROM sales WHERE shift_id = ?1 AND kind = 'sale'"));
  ck_assert_int_eq (Z ("gross_sales"), shift_sql (shift, "SELECT SUM (l.total) FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
                                                         "WHERE s.shift_id = ?1 AND s.kind = 'sale'"));
  ck_assert_int_eq (Z ("returns_total"), -shift_sql (shift, "SELECT SUM (total) FROM sales WHERE shift_id = ?1 AND kind = 'return'"));
  ck_assert_int_eq (Z ("discounts"), shift_sql (shift, "SELECT SUM (l.line_discount + l.sale_discount) FROM sale_lines l "
                                                       "JOIN sales s ON s.id = l.sale_id WHERE s.shift_id = ?1 AND s.kind = 'sale'"));
  ck_assert_int_eq (Z ("tax_total"), shift_sql (shift, "SELECT SUM (tax_total) FROM sales WHERE shift_id = ?1"));
  ck_assert_int_eq (Z ("change_given"), shift_sql (shift, "SELECT SUM (p.change) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                                                          "WHERE s.shift_id = ?1"));
  ck_assert_int_eq (Z ("cash_in"), shift_sql (shift, "SELECT COALESCE (SUM (amount), 0) FROM cash_movements WHERE shift_id = ?1 AND amount > 0 AND kind = 'in'"));
  ck_assert_int_eq (Z ("cash_out"), -shift_sql (shift, "SELECT COALESCE (SUM (amount), 0) FROM cash_movements WHERE shift_id = ?1 AND kind = 'out'"));
  ck_assert_int_eq (Z ("opening_float"), 20000);
  ck_assert_int_eq (Z ("expected_cash"), expected);
  ck_assert_int_eq (Z ("counted_cash"), expected + 37);
  ck_assert_int_eq (Z ("difference"), 37);

  by_method = json_object_get_array_member (o, "by_method");
  ck_assert_int_eq (json_array_get_length (by_method),
                    shift_sql (shift, "SELECT COUNT (DISTINCT p.method) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                                      "WHERE s.shift_id = ?1"));
  for (guint i = 0; i < json_array_get_length (by_method); i++)
    {
      JsonObject *m = json_array_get_object_element (by_method, i);
      const char *method = json_object_get_string_member (m, "method");
      g_autofree char *sales_sql = g_strdup_printf (
          "SELECT COALESCE (SUM (p.amount), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
          "WHERE s.shift_id = ?1 AND s.kind = 'sale' AND p.method = '%s'", method);
      g_autofree char *refund_sql = g_strdup_printf (
          "SELECT -COALESCE (SUM (p.amount), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
          "WHERE s.shift_id = ?1 AND s.kind = 'return' AND p.method = '%s'", method);
      g_autofree char *n_sql = g_strdup_printf (
          "SELECT COUNT(*) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
          "WHERE s.shift_id = ?1 AND p.method = '%s'", method);

      ck_assert_int_eq (json_object_get_int_member (m, "sales"), shift_sql (shift, sales_sql));
      ck_assert_int_eq (json_object_get_int_member (m, "refunds"), shift_sql (shift, refund_sql));
      ck_assert_int_eq (json_object_get_int_member (m, "net"), shift_sql (shift, sales_sql) - shift_sql (shift, refund_sql));
      ck_assert_int_eq (json_object_get_int_member (m, "n_payments"), shift_sql (shift, n_sql));
    }
#undef Z
}
END_TEST

START_TEST (test_difference_needs_approval)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) z = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *ok = NULL;
  gint64 diff = 0;

  set_manager_pin ();
  sign_in_as (CASHIER);
  shift = open_shift (10000);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts WHERE staff_id = 'staff-2'"), 1);

  /* 15,00 short: above the default limit of 10,00. */
  ck_assert (pos_shifts_preview_close (db, 8500, &diff, &error));
  ck_assert_int_eq (diff, -1500);
  ck_assert_ptr_null (pos_shifts_close (db, NULL, 0, 8500, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NEEDS_APPROVAL));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts WHERE status = 'open'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'shift.close'"), 0);

  /* An approval for something else does not do. */
  wrong = approve (POS_PERMISSION_REFUND);
  ck_assert_ptr_null (pos_shifts_close (db, NULL, 0, 8500, NULL, wrong, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL));
  g_clear_error (&error);

  ok = approve (POS_PERMISSION_COUNT_DIFFERENCE);
  z = pos_shifts_close (db, NULL, 0, 8500, NULL, ok, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (z);
  ck_assert_int_eq (z->difference, -1500);
  ck_assert_str_eq (z->approved_by, "Ana Gerente");
  ck_assert_str_eq (z->closed_by, "Paulo Caixa");
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM shifts WHERE approval_id IS NOT NULL AND status = 'closed'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'shift.close' AND approver_id = 'staff-3' "
                           "AND staff_id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM approvals WHERE used_at IS NOT NULL AND permission = 'count_difference'"), 1);
  {
    g_autoptr(PosShiftReport) again = pos_shifts_report (db, shift, &error);
    ck_assert_str_eq (again->approved_by, "Ana Gerente");
  }

  /* A limit the manager raised: the same difference needs nobody. */
  g_clear_pointer (&shift, g_free);
  g_clear_pointer (&z, pos_shift_report_free);
  ck_assert (pos_database_set_setting (db, "count_difference_limit", "2000", &error));
  shift = open_shift (10000);
  z = pos_shifts_close (db, NULL, 0, 11500, NULL, NULL, &error);
  ck_assert_no_error (error);
  ck_assert_int_eq (z->difference, 1500);
  ck_assert_ptr_null (z->approved_by);
}
END_TEST

START_TEST (test_refused_without_shift_or_sign_in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *id = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *sale = NULL;
  PosReturnItem item = { 1, 1000 };

  fixture_add (cart, FIX_ARROZ, 1000);
  fixture_pay_rest_cash (cart);

  /* No shift. */
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NONE_OPEN));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox"), 0);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM document_sequences WHERE kind = 'sale'"), 0);

  /* Nobody signed in. */
  shift = open_shift (0);
  sale = commit (cart);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales WHERE shift_id IS NOT NULL"), 1);
  ck_assert (pos_database_set_setting (db, "staff_id", "", &error));
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_returns_commit (db, sale, &item, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_shifts_open (db, NULL, 0, 0, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN));
  g_clear_error (&error);
  ck_assert (pos_database_set_setting (db, "staff_id", NULL, &error));
  ck_assert_ptr_null (pos_sales_commit (db, cart, NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN));
  g_clear_error (&error);

  /* Someone deactivated. */
  ck_assert (pos_database_exec (db, "UPDATE staff SET active = 0 WHERE id = 'staff-2'", &error));
  sign_in_as (CASHIER);
  ck_assert_ptr_null (pos_sales_commit (db, cart, NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INACTIVE));
  g_clear_error (&error);

  /* Returns need the shift too. */
  sign_in_as (SUPERVISOR);
  {
    g_autoptr(PosShiftReport) z = close_shift (2590);
  }
  ck_assert_ptr_null (pos_returns_commit (db, sale, &item, 1, POS_REFUND_ORIGINAL_TENDER, NULL, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NONE_OPEN));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 1);
}
END_TEST

/* Refund: refused for a cashier, accepted with a manager's approval,
 * which is then used up. */
START_TEST (test_refund_permission)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *sale = NULL;
  g_autofree char *ret = NULL;
  g_autofree char *approval = NULL;
  g_autofree char *again = NULL;

  set_manager_pin ();
  sign_in_as (CASHIER);
  shift = open_shift (0);
  sale = sell (FIX_ARROZ, 2000, POS_PAYMENT_CASH);

  ret = return_one (sale, 1, 1000, NULL, &error);
  ck_assert_ptr_null (ret);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales WHERE kind = 'return'"), 0);

  approval = approve (POS_PERMISSION_REFUND);
  ret = return_one (sale, 1, 1000, approval, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (ret);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales WHERE kind = 'return' AND staff_id = 'staff-2' AND shift_id IS NOT NULL"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'return.create' AND approver_id = 'staff-3' "
                           "AND staff_id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM approvals WHERE used_at IS NOT NULL"), 1);

  /* Used once. */
  again = return_one (sale, 1, 1000, approval, &error);
  ck_assert_ptr_null (again);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_APPROVAL));
  g_clear_error (&error);

  /* A supervisor refunds alone. */
  sign_in_as (SUPERVISOR);
  again = return_one (sale, 1, 1000, NULL, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (again);
}
END_TEST

START_TEST (test_void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *sale = NULL;
  g_autofree char *split_sale = NULL;
  g_autofree char *old_sale = NULL;
  g_autofree char *voided = NULL;
  g_autofree char *number = NULL;
  g_autofree char *approval = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(PosCart) split = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosShiftReport) r = NULL;

  set_manager_pin ();
  shift = open_shift (0);
  old_sale = sell (FIX_CAFE, 1000, POS_PAYMENT_CASH);
  {
    g_autoptr(PosShiftReport) z = close_shift (1790);
  }
  g_clear_pointer (&shift, g_free);
  sign_in_as (CASHIER);
  shift = open_shift (5000);
  sale = sell (FIX_ARROZ, 2000, POS_PAYMENT_CASH);
  fixture_add (split, FIX_FEIJAO, 2000);
  fixture_pay (split, POS_PAYMENT_PIX, 1000);
  fixture_pay (split, POS_PAYMENT_CASH, 1000);
  split_sale = commit (split);

  /* A cashier may not void alone. */
  ck_assert_ptr_null (pos_sales_void (db, sale, "cliente desistiu", NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);

  approval = approve (POS_PERMISSION_VOID_SALE);
  voided = pos_sales_void (db, sale, "cliente desistiu", approval, &number, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (voided);
  ck_assert (g_str_has_suffix (number, "-D000001"));
  reason = fixture_text (db, "SELECT reason FROM sales WHERE kind = 'return'");
  ck_assert_str_eq (reason, "void: cliente desistiu");
  ck_assert_int_eq (count ("SELECT -total FROM sales WHERE kind = 'return'"), 5180);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.void' AND approver_id = 'staff-3'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM outbox WHERE type = 'return.create'"), 1);

  /* Once only, and only in the shift open now. */
  g_clear_pointer (&approval, g_free);
  approval = approve (POS_PERMISSION_VOID_SALE);
  ck_assert_ptr_null (pos_sales_void (db, sale, NULL, approval, NULL, &error));
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_VOIDABLE));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_sales_void (db, old_sale, NULL, approval, NULL, &error));
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_VOIDABLE));
  g_clear_error (&error);
  ck_assert_ptr_null (pos_sales_void (db, voided, NULL, approval, NULL, &error));
  ck_assert (g_error_matches (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_KIND));
  g_clear_error (&error);

  /* The approval was not used by the refusals: it voids the split sale,
   * back to PIX and cash. */
  g_clear_pointer (&voided, g_free);
  voided = pos_sales_void (db, split_sale, NULL, approval, NULL, &error);
  ck_assert_no_error (error);
  g_clear_pointer (&reason, g_free);
  reason = fixture_text (db, "SELECT reason FROM sales WHERE kind = 'return' ORDER BY created_at DESC, number DESC");
  ck_assert_str_eq (reason, "void");

  r = pos_shifts_report (db, NULL, &error);
  ck_assert_uint_eq (r->n_sales, 2);
  ck_assert_uint_eq (r->n_returns, 2);
  ck_assert_int_eq (r->gross_sales, r->returns_total);
  ck_assert_int_eq (r->expected_cash, 5000);
  ck_assert_int_eq (method_total (r, POS_PAYMENT_PIX)->net, 0);
}
END_TEST

START_TEST (test_price_override_permission)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autofree char *shift = NULL;
  g_autofree char *id = NULL;
  g_autofree char *approval = NULL;
  g_autofree char *json = NULL;
  g_autoptr(PosCart) parked = NULL;

  set_manager_pin ();
  sign_in_as (CASHIER);
  shift = open_shift (0);

  fixture_add (cart, FIX_ARROZ, 1000);
  fixture_add (cart, FIX_LEITE, 1000);
  ck_assert (pos_cart_set_line_price (cart, 0, 1990, &error));
  fixture_pay_rest_cash (cart);

  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 0);

  /* The approval rides in the cart, through a park and resume. */
  approval = approve (POS_PERMISSION_PRICE_OVERRIDE);
  pos_cart_set_approval (cart, "price_override", approval);
  json = pos_cart_to_json (cart);
  parked = pos_cart_new_from_json (json, &error);
  ck_assert_no_error (error);
  id = pos_sales_commit (db, parked, NULL, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (id);
  ck_assert_int_eq (count ("SELECT unit_price FROM sale_lines WHERE line_no = 1"), 1990);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.price_override' AND approver_id = 'staff-3' "
                           "AND data LIKE '%\"catalog_price\":2590,\"unit_price\":1990%'"), 1);

  /* A supervisor overrides alone; the audit row names no approver. */
  g_clear_pointer (&id, g_free);
  sign_in_as (SUPERVISOR);
  pos_cart_set_approval (cart, "price_override", NULL);
  id = commit (cart);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.price_override' AND approver_id IS NULL "
                           "AND staff_id = 'staff-1'"), 1);
}
END_TEST

START_TEST (test_discount_permission)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *approval = NULL;

  set_manager_pin ();
  sign_in_as (CASHIER);
  shift = open_shift (0);

  /* Up to the limit (10 %): the cashier alone. */
  {
    g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
    g_autofree char *id = NULL;

    fixture_add (cart, FIX_ARROZ, 3000);
    ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 1000, &error));
    ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 699, &error));   /* of 69,93 */
    fixture_pay_rest_cash (cart);
    id = commit (cart);
  }
  /* Above it, on a line (percent or amount) or on the sale. */
  {
    g_autoptr(PosCart) a = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
    g_autoptr(PosCart) b = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
    g_autoptr(PosCart) c = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
    PosCart *carts[] = { a, b, c };

    fixture_add (a, FIX_ARROZ, 1000);
    ck_assert (pos_cart_set_line_discount (a, 0, POS_DISCOUNT_PERCENT, 1001, &error));
    fixture_add (b, FIX_ARROZ, 1000);
    ck_assert (pos_cart_set_line_discount (b, 0, POS_DISCOUNT_AMOUNT, 260, &error));
    fixture_add (c, FIX_ARROZ, 1000);
    ck_assert (pos_cart_set_discount (c, POS_DISCOUNT_AMOUNT, 300, &error));
    for (guint i = 0; i < G_N_ELEMENTS (carts); i++)
      {
        g_autofree char *id = NULL;

        fixture_pay_rest_cash (carts[i]);
        id = pos_sales_commit (db, carts[i], NULL, &error);
        ck_assert_msg (id == NULL && g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION),
                       "cart %u: %s", i, error ? error->message : "accepted");
        g_clear_error (&error);
      }

    /* With the manager's approval. */
    approval = approve (POS_PERMISSION_DISCOUNT_ABOVE_LIMIT);
    pos_cart_set_approval (c, "discount_above_limit", approval);
    {
      g_autofree char *id = commit (c);
    }
    ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'sale.discount_above_limit' "
                             "AND approver_id = 'staff-3' AND data LIKE '%\"sale_discount\":300%'"), 1);

    /* A limit the manager raised lets the rest through. */
    ck_assert (pos_database_set_setting (db, "discount_limit_bp", "1500", &error));
    {
      g_autofree char *ia = commit (a);
      g_autofree char *ib = commit (b);
    }
  }
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM sales"), 4);
}
END_TEST

START_TEST (test_drawer_permissions)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shift = NULL;
  g_autofree char *approval = NULL;
  g_autoptr(PosShiftReport) r = NULL;

  set_manager_pin ();
  sign_in_as (CASHIER);
  shift = open_shift (10000);

  ck_assert (!pos_shifts_cash_move (db, -5000, "Sangria", NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);
  ck_assert (!pos_shifts_record_no_sale (db, "Troco", NULL, &error));
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM cash_movements WHERE kind IN ('in', 'out')"), 0);

  approval = approve (POS_PERMISSION_CASH_IN_OUT);
  ck_assert (pos_shifts_cash_move (db, -5000, "Sangria", approval, &error));
  ck_assert_no_error (error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM cash_movements WHERE kind = 'out' AND amount = -5000 "
                           "AND approval_id IS NOT NULL AND staff_id = 'staff-2'"), 1);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'cash.move' AND approver_id = 'staff-3'"), 1);
  g_clear_pointer (&approval, g_free);
  approval = approve (POS_PERMISSION_NO_SALE);
  ck_assert (pos_shifts_record_no_sale (db, "Troco", approval, &error));
  ck_assert_no_error (error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM audit_log WHERE action = 'drawer.no_sale' AND approver_id = 'staff-3'"), 1);

  r = pos_shifts_report (db, NULL, &error);
  ck_assert_uint_eq (r->n_no_sale, 1);
  ck_assert_int_eq (r->cash_out, 5000);
  ck_assert_int_eq (r->expected_cash, 5000);
}
END_TEST

START_TEST (test_parked_owner)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(PosCart) back = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;

  fixture_add (cart, FIX_FEIJAO, 1000);
  sign_in_as (CASHIER);
  theirs = pos_sales_park (db, cart, "do caixa", &error);
  ck_assert_no_error (error);
  sign_in_as (SUPERVISOR);
  mine = pos_sales_park (db, cart, "da supervisora", &error);
  ck_assert_no_error (error);

  list = pos_sales_list_parked (db, &error);
  ck_assert_uint_eq (list->len, 1);
  ck_assert_str_eq (((PosParkedSale *) g_ptr_array_index (list, 0))->id, mine);
  g_clear_pointer (&list, g_ptr_array_unref);

  back = pos_sales_resume (db, theirs, &error);
  ck_assert_ptr_null (back);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  ck_assert_ptr_nonnull (strstr (error->message, "Paulo Caixa"));
  g_clear_error (&error);
  ck_assert_int_eq (count ("SELECT COUNT(*) FROM parked_sales"), 2);

  /* A manager sees and resumes anyone's. */
  sign_in_as (MANAGER);
  list = pos_sales_list_parked (db, &error);
  ck_assert_uint_eq (list->len, 2);
  back = pos_sales_resume (db, theirs, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (back);

  /* The owner resumes their own. */
  g_clear_object (&back);
  sign_in_as (SUPERVISOR);
  back = pos_sales_resume (db, mine, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (back);
}
END_TEST

static Suite *
shifts_suite (void)
{
  Suite *s = suite_create ("shifts");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_denominations);
  tcase_add_test (tc, test_open_cash_close);
  tcase_add_test (tc, test_figures_by_method);
  tcase_add_test (tc, test_shift_boundaries);
  tcase_add_test (tc, test_z_equals_documents);
  tcase_add_test (tc, test_difference_needs_approval);
  tcase_add_test (tc, test_refused_without_shift_or_sign_in);
  tcase_add_test (tc, test_refund_permission);
  tcase_add_test (tc, test_void);
  tcase_add_test (tc, test_price_override_permission);
  tcase_add_test (tc, test_discount_permission);
  tcase_add_test (tc, test_drawer_permissions);
  tcase_add_test (tc, test_parked_owner);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (shifts_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
