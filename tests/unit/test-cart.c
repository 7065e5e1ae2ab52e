/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-cart.h"
#include "domain/pos-money.h"

#define ck_assert_no_error(err) \
  ck_assert_msg ((err) == NULL, "unexpected error: %s", (err) ? (err)->message : "")

typedef struct {
  guint n_changed;
  guint n_items_changed;
  guint last_position;
  guint last_removed;
  guint last_added;
} Signals;

static void
on_changed (PosCart *cart, Signals *s)
{
  s->n_changed++;
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Signals *s)
{
  s->n_items_changed++;
  s->last_position = position;
  s->last_removed = removed;
  s->last_added = added;
}

static void
watch (PosCart *cart, Signals *s)
{
  memset (s, 0, sizeof *s);
  g_signal_connect (cart, "changed", G_CALLBACK (on_changed), s);
  g_signal_connect (cart, "items-changed", G_CALLBACK (on_items_changed), s);
}

/* Adds a new line and drops our reference: the cart keeps its own. */
static guint
add (PosCart *cart, gint64 product_id, gint64 price, guint rate, gboolean weighed, gint64 qty)
{
  g_autofree char *sku = g_strdup_printf ("SKU%" G_GINT64_FORMAT, product_id);
  g_autofree char *name = g_strdup_printf ("Product %" G_GINT64_FORMAT, product_id);
  g_autoptr(PosCartLine) line = pos_cart_line_new (product_id, sku, name, "7891234567895",
                                                   price, rate, weighed);

  return pos_cart_add_line (cart, line, qty);
}

static PosCartTotals
totals_of (PosCart *cart)
{
  PosCartTotals t;

  pos_cart_get_totals (cart, &t);
  return t;
}

static void
check_invariants (PosCart *cart)
{
  PosCartTotals t = totals_of (cart);
  gint64 gross = 0, line_disc = 0, sale_disc = 0, total = 0;

  for (guint i = 0; i < pos_cart_get_n_lines (cart); i++)
    {
      PosCartLine *l = pos_cart_get_line (cart, i);

      gross += pos_cart_line_get_gross (l);
      line_disc += pos_cart_line_get_line_discount (l);
      sale_disc += pos_cart_line_get_sale_discount (l);
      total += pos_cart_line_get_total (l);
      ck_assert_int_eq (pos_cart_line_get_total (l),
                        pos_cart_line_get_gross (l) - pos_cart_line_get_line_discount (l)
                        - pos_cart_line_get_sale_discount (l));
      ck_assert_int_ge (pos_cart_line_get_total (l), 0);
    }
  ck_assert_int_eq (t.subtotal, gross);
  ck_assert_int_eq (t.line_discounts, line_disc);
  ck_assert_int_eq (t.sale_discount, sale_disc);
  ck_assert_int_eq (t.tax_total, pos_tax_summary_get_total_tax (pos_cart_get_tax_summary (cart)));
  if (pos_cart_get_tax_mode (cart) == POS_TAX_INCLUSIVE)
    ck_assert_int_eq (t.total, total);
  else
    ck_assert_int_eq (t.total, total + t.tax_total);
  ck_assert_int_ge (t.due, 0);
  ck_assert_int_eq (g_list_model_get_n_items (G_LIST_MODEL (cart)), pos_cart_get_n_lines (cart));
}

START_TEST (test_payment_methods)
{
  PosPaymentMethod m;
  const PosPaymentMethod all[] = { POS_PAYMENT_CASH, POS_PAYMENT_CREDIT_CARD, POS_PAYMENT_DEBIT_CARD,
                                   POS_PAYMENT_PIX, POS_PAYMENT_STORE_CREDIT };

  ck_assert_str_eq (pos_payment_method_to_string (POS_PAYMENT_CASH), "cash");
  ck_assert_str_eq (pos_payment_method_to_string (POS_PAYMENT_CREDIT_CARD), "credit_card");
  ck_assert_str_eq (pos_payment_method_to_string (POS_PAYMENT_STORE_CREDIT), "store_credit");
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      ck_assert (pos_payment_method_from_string (pos_payment_method_to_string (all[i]), &m));
      ck_assert_int_eq (m, all[i]);
      ck_assert_ptr_nonnull (pos_payment_method_get_label (all[i]));
    }
  ck_assert (!pos_payment_method_from_string ("bitcoin", &m));
  ck_assert (!pos_payment_method_from_string ("", &m));
  ck_assert (!pos_payment_method_from_string (NULL, &m));
  ck_assert (!pos_payment_method_from_string ("CASH", &m));
}
END_TEST

START_TEST (test_add_merge_remove)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  Signals s;
  PosCartTotals t;

  watch (cart, &s);
  ck_assert (pos_cart_is_empty (cart));
  ck_assert_str_eq (pos_cart_get_currency (cart), "BRL");
  ck_assert (g_list_model_get_item_type (G_LIST_MODEL (cart)) == POS_TYPE_CART_LINE);

  ck_assert_uint_eq (add (cart, 1, 1000, 1800, FALSE, 1000), 0);
  ck_assert_uint_eq (s.n_changed, 1);
  ck_assert_uint_eq (s.last_position, 0);
  ck_assert_uint_eq (s.last_removed, 0);
  ck_assert_uint_eq (s.last_added, 1);

  /* same product again: merged */
  ck_assert_uint_eq (add (cart, 1, 1000, 1800, FALSE, 2000), 0);
  ck_assert_uint_eq (pos_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (pos_cart_line_get_quantity (pos_cart_get_line (cart, 0)), 3000);
  ck_assert_int_eq (pos_cart_line_get_gross (pos_cart_get_line (cart, 0)), 3000);
  ck_assert_uint_eq (s.n_changed, 2);
  ck_assert_uint_eq (s.last_position, 0);
  ck_assert_uint_eq (s.last_removed, 1);
  ck_assert_uint_eq (s.last_added, 1);

  ck_assert_uint_eq (add (cart, 2, 550, 700, FALSE, 1000), 1);
  /* a line with a note is not merged into */
  pos_cart_set_line_note (cart, 0, "gift wrap");
  ck_assert_str_eq (pos_cart_line_get_note (pos_cart_get_line (cart, 0)), "gift wrap");
  ck_assert_uint_eq (add (cart, 1, 1000, 1800, FALSE, 1000), 2);
  /* different price for the same product: not merged */
  ck_assert_uint_eq (add (cart, 2, 500, 700, FALSE, 1000), 3);
  /* weighed goods are never merged */
  ck_assert_uint_eq (add (cart, 3, 2990, 0, TRUE, 500), 4);
  ck_assert_uint_eq (add (cart, 3, 2990, 0, TRUE, 500), 5);
  ck_assert_uint_eq (pos_cart_get_n_lines (cart), 6);
  check_invariants (cart);

  t = totals_of (cart);
  ck_assert_int_eq (t.subtotal, 3000 + 550 + 1000 + 500 + 1495 + 1495);
  ck_assert_uint_eq (t.n_items, 3 + 1 + 1 + 1 + 2);

  /* quantities */
  ck_assert (!pos_cart_set_quantity (cart, 1, 0, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY));
  g_clear_error (&error);
  ck_assert (!pos_cart_set_quantity (cart, 1, -1000, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY));
  g_clear_error (&error);
  ck_assert (!pos_cart_set_quantity (cart, 1, G_MAXINT64, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY));
  g_clear_error (&error);
  ck_assert_int_eq (pos_cart_line_get_quantity (pos_cart_get_line (cart, 1)), 1000);

  s.n_changed = 0;
  ck_assert (pos_cart_set_quantity (cart, 1, 4000, &error));
  ck_assert_no_error (error);
  ck_assert_uint_eq (s.n_changed, 1);
  ck_assert_uint_eq (s.last_position, 1);
  ck_assert_int_eq (pos_cart_line_get_gross (pos_cart_get_line (cart, 1)), 2200);
  check_invariants (cart);

  /* remove */
  pos_cart_remove_line (cart, 0);
  ck_assert_uint_eq (s.last_position, 0);
  ck_assert_uint_eq (s.last_removed, 1);
  ck_assert_uint_eq (s.last_added, 0);
  ck_assert_uint_eq (pos_cart_get_n_lines (cart), 5);
  ck_assert_int_eq (pos_cart_line_get_product_id (pos_cart_get_line (cart, 0)), 2);
  check_invariants (cart);
  while (!pos_cart_is_empty (cart))
    pos_cart_remove_line (cart, 0);
  t = totals_of (cart);
  ck_assert_int_eq (t.subtotal, 0);
  ck_assert_int_eq (t.total, 0);
  ck_assert_uint_eq (t.n_items, 0);
}
END_TEST

START_TEST (test_line_object)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosCartLine) line = pos_cart_line_new (42, "A1", "Arroz", "789", 2500, 1800, FALSE);
  g_autoptr(PosCartLine) item = NULL;
  gint64 total = 0;

  ck_assert_int_eq (pos_cart_line_get_fixed_gross (line), -1);
  ck_assert_str_eq (pos_cart_line_get_sku (line), "A1");
  ck_assert_str_eq (pos_cart_line_get_name (line), "Arroz");
  ck_assert_str_eq (pos_cart_line_get_barcode (line), "789");
  ck_assert_uint_eq (pos_cart_line_get_tax_rate_bp (line), 1800);
  ck_assert (!pos_cart_line_get_weighed (line));
  pos_cart_add_line (cart, line, 2000);
  /* the cart holds its own ref; ours is still valid and is the same line */
  item = g_list_model_get_item (G_LIST_MODEL (cart), 0);
  ck_assert_ptr_eq (item, line);
  ck_assert_ptr_null (g_list_model_get_item (G_LIST_MODEL (cart), 1));
  g_object_get (item, "total", &total, NULL);
  ck_assert_int_eq (total, 5000);
  ck_assert_int_eq (pos_cart_line_get_tax (line), pos_tax_included (5000, 1800));
}
END_TEST

START_TEST (test_weighed)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);

  /* R$ 29,90 / kg, 1.234 kg = 36,8966 */
  add (cart, 1, 2990, 0, TRUE, 1234);
  ck_assert_int_eq (pos_cart_line_get_gross (pos_cart_get_line (cart, 0)), 3690);
  /* ties: half even */
  add (cart, 2, 1001, 0, TRUE, 500);   /* 500.5 -> 500 */
  add (cart, 3, 1003, 0, TRUE, 500);   /* 501.5 -> 502 */
  add (cart, 4, 1, 0, TRUE, 1);        /* 0.001 -> 0 */
  ck_assert_int_eq (pos_cart_line_get_gross (pos_cart_get_line (cart, 1)), 500);
  ck_assert_int_eq (pos_cart_line_get_gross (pos_cart_get_line (cart, 2)), 502);
  ck_assert_int_eq (pos_cart_line_get_gross (pos_cart_get_line (cart, 3)), 0);
  ck_assert_uint_eq (totals_of (cart).n_items, 4);
  check_invariants (cart);
}
END_TEST

START_TEST (test_fixed_gross)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosCartLine) a = pos_cart_line_new (7, "QJ", "Queijo", "2000070012349", 4590, 0, TRUE);
  g_autoptr(PosCartLine) b = pos_cart_line_new (7, "QJ", "Queijo", "2000070012349", 4590, 0, TRUE);
  g_autoptr(GError) error = NULL;

  pos_cart_line_set_fixed_gross (a, 1234);
  pos_cart_line_set_fixed_gross (b, 1234);
  ck_assert_uint_eq (pos_cart_add_line (cart, a, 269), 0);
  ck_assert_uint_eq (pos_cart_add_line (cart, b, 269), 1);
  ck_assert_int_eq (pos_cart_line_get_gross (a), 1234);
  ck_assert_int_eq (pos_cart_line_get_fixed_gross (a), 1234);
  ck_assert (!pos_cart_set_quantity (cart, 0, 538, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY));
  ck_assert_int_eq (totals_of (cart).subtotal, 2468);
}
END_TEST

START_TEST (test_line_discount)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  PosCartLine *l;
  PosCartTotals t;

  add (cart, 1, 1999, 1800, FALSE, 1000);
  add (cart, 2, 1000, 1800, FALSE, 1000);
  l = pos_cart_get_line (cart, 0);

  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 1000, &error));
  ck_assert_int_eq (pos_cart_line_get_discount_kind (l), POS_DISCOUNT_PERCENT);
  ck_assert_int_eq (pos_cart_line_get_discount_value (l), 1000);
  ck_assert_int_eq (pos_cart_line_get_line_discount (l), 200);   /* 199.9 */
  ck_assert_int_eq (pos_cart_line_get_total (l), 1799);

  ck_assert (!pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 10001, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);
  ck_assert (!pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, -1, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);
  ck_assert (!pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_AMOUNT, 2000, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);
  /* the failed attempts changed nothing */
  ck_assert_int_eq (pos_cart_line_get_line_discount (l), 200);

  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_AMOUNT, 1999, &error));
  ck_assert_int_eq (pos_cart_line_get_total (l), 0);
  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 10000, &error));
  ck_assert_int_eq (pos_cart_line_get_total (l), 0);
  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_AMOUNT, 499, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.subtotal, 2999);
  ck_assert_int_eq (t.line_discounts, 499);
  ck_assert_int_eq (t.total, 2500);

  /* an amount discount cannot end up above a smaller quantity */
  ck_assert (pos_cart_set_quantity (cart, 0, 3000, &error));
  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_AMOUNT, 5000, &error));
  ck_assert (!pos_cart_set_quantity (cart, 0, 2000, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);

  /* a line with a discount is not merged into */
  ck_assert_uint_eq (add (cart, 1, 1999, 1800, FALSE, 1000), 2);

  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_NONE, 0, &error));
  ck_assert_int_eq (pos_cart_line_get_line_discount (l), 0);
  ck_assert_int_eq (pos_cart_line_get_discount_kind (l), POS_DISCOUNT_NONE);
  check_invariants (cart);
}
END_TEST

START_TEST (test_sale_discount)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  PosCartTotals t;
  Signals s;

  add (cart, 1, 1000, 1800, FALSE, 1000);
  add (cart, 2, 2000, 1800, FALSE, 1000);
  add (cart, 3, 3001, 700, FALSE, 1000);
  watch (cart, &s);

  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 100, &error));
  ck_assert_uint_eq (s.n_changed, 1);
  ck_assert_uint_ge (s.n_items_changed, 1);   /* lines' shares changed */
  ck_assert_int_eq (pos_cart_get_discount_kind (cart), POS_DISCOUNT_AMOUNT);
  ck_assert_int_eq (pos_cart_get_discount_value (cart), 100);
  /* 16.66, 33.32, 50.01: largest remainder gives the spare cent to line 1 */
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 0)), 17);
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 1)), 33);
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 2)), 50);
  t = totals_of (cart);
  ck_assert_int_eq (t.sale_discount, 100);
  ck_assert_int_eq (t.total, 6001 - 100);
  check_invariants (cart);

  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_PERCENT, 1000, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.sale_discount, 600);   /* 600.1 */
  check_invariants (cart);

  /* proportional to the totals after line discounts */
  ck_assert (pos_cart_set_line_discount (cart, 2, POS_DISCOUNT_PERCENT, 10000, &error));
  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 300, &error));
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 0)), 100);
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 1)), 200);
  ck_assert_int_eq (pos_cart_line_get_sale_discount (pos_cart_get_line (cart, 2)), 0);
  check_invariants (cart);

  ck_assert (!pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 3001, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);
  ck_assert (!pos_cart_set_discount (cart, POS_DISCOUNT_PERCENT, 10001, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);
  ck_assert_int_eq (totals_of (cart).sale_discount, 300);

  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 3000, &error));
  ck_assert_int_eq (totals_of (cart).total, 0);
  check_invariants (cart);

  /* removing lines keeps the amount discount within the sale */
  pos_cart_remove_line (cart, 1);
  t = totals_of (cart);
  ck_assert_int_eq (t.sale_discount, 1000);
  ck_assert_int_eq (t.total, 0);
  check_invariants (cart);
}
END_TEST

START_TEST (test_sale_discount_random)
{
  GRand *rand = g_rand_new_with_seed (7);

  for (int round = 0; round < 200; round++)
    {
      g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
      g_autoptr(GError) error = NULL;
      guint n = (guint) g_rand_int_range (rand, 1, 12);
      gint64 after = 0;
      gint64 discount;

      for (guint i = 0; i < n; i++)
        add (cart, (gint64) i + 1, g_rand_int_range (rand, 1, 100000), 1800,
             g_rand_boolean (rand), g_rand_int_range (rand, 1, 5000));
      for (guint i = 0; i < n; i++)
        {
          PosCartLine *l = pos_cart_get_line (cart, i);
          after += pos_cart_line_get_gross (l) - pos_cart_line_get_line_discount (l);
        }
      discount = after > 0 ? g_rand_int_range (rand, 0, (gint32) MIN (after, G_MAXINT32 - 1) + 1) : 0;
      ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, discount, &error));
      ck_assert_int_eq (totals_of (cart).sale_discount, discount);
      check_invariants (cart);
    }
  g_rand_free (rand);
}
END_TEST

START_TEST (test_taxes_inclusive)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  PosTaxSummary *sum;
  const PosTaxSummaryRow *row;
  PosCartTotals t;

  add (cart, 1, 100, 1800, FALSE, 1000);
  add (cart, 2, 101, 1800, FALSE, 1000);
  add (cart, 3, 99, 1800, FALSE, 1000);
  add (cart, 4, 1000, 700, FALSE, 1000);
  add (cart, 5, 500, 0, FALSE, 1000);

  ck_assert_int_eq (pos_cart_line_get_tax (pos_cart_get_line (cart, 0)), 15);
  ck_assert_int_eq (pos_cart_line_get_tax (pos_cart_get_line (cart, 3)), 65);
  ck_assert_int_eq (pos_cart_line_get_tax (pos_cart_get_line (cart, 4)), 0);

  sum = pos_cart_get_tax_summary (cart);
  ck_assert_uint_eq (pos_tax_summary_get_n_rows (sum), 3);
  row = pos_tax_summary_get_row (sum, 2);
  ck_assert_uint_eq (row->rate_bp, 1800);
  ck_assert_int_eq (row->tax, 46);           /* 300 * 18/118 = 45.76 */
  ck_assert_int_eq (row->base, 254);
  t = totals_of (cart);
  ck_assert_int_eq (t.tax_total, 46 + 65);
  ck_assert_int_eq (t.total, 1800);          /* inclusive: tax inside */
  check_invariants (cart);
}
END_TEST

START_TEST (test_taxes_exclusive)
{
  g_autoptr(PosCart) cart = pos_cart_new ("USD", POS_TAX_EXCLUSIVE);
  g_autoptr(GError) error = NULL;
  PosCartTotals t;

  ck_assert_int_eq (pos_cart_get_tax_mode (cart), POS_TAX_EXCLUSIVE);
  add (cart, 1, 1000, 825, FALSE, 2000);
  add (cart, 2, 499, 0, FALSE, 1000);
  ck_assert_int_eq (pos_cart_line_get_tax (pos_cart_get_line (cart, 0)), 165);
  t = totals_of (cart);
  ck_assert_int_eq (t.subtotal, 2499);
  ck_assert_int_eq (t.tax_total, 165);
  ck_assert_int_eq (t.total, 2499 + 165);
  ck_assert_int_eq (t.due, 2664);

  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CREDIT_CARD, 2664, "AUTH1", "4242", &error));
  ck_assert (pos_cart_is_fully_paid (cart));
  check_invariants (cart);
}
END_TEST

START_TEST (test_payments_split)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  const PosPayment *p;
  PosCartTotals t;

  ck_assert (!pos_cart_add_payment (cart, POS_PAYMENT_CASH, 1000, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_EMPTY));
  g_clear_error (&error);

  add (cart, 1, 10000, 1800, FALSE, 1000);
  ck_assert (!pos_cart_is_fully_paid (cart));

  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CREDIT_CARD, 3000, "A1B2", "1234", &error));
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_PIX, 2000, "E123TXID", NULL, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.paid, 5000);
  ck_assert_int_eq (t.due, 5000);
  ck_assert_int_eq (t.change, 0);

  /* non-cash over the due is refused */
  ck_assert (!pos_cart_add_payment (cart, POS_PAYMENT_DEBIT_CARD, 5001, NULL, "9999", &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT));
  g_clear_error (&error);
  ck_assert (!pos_cart_add_payment (cart, POS_PAYMENT_PIX, 0, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT));
  g_clear_error (&error);
  ck_assert (!pos_cart_add_payment (cart, POS_PAYMENT_CASH, -100, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT));
  g_clear_error (&error);
  ck_assert_uint_eq (pos_cart_get_n_payments (cart), 2);

  /* cash may exceed: change */
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 10000, NULL, NULL, &error));
  p = pos_cart_get_payment (cart, 2);
  ck_assert_int_eq (p->method, POS_PAYMENT_CASH);
  ck_assert_int_eq (p->amount, 5000);
  ck_assert_int_eq (p->tendered, 10000);
  p = pos_cart_get_payment (cart, 0);
  ck_assert_str_eq (p->reference, "A1B2");
  ck_assert_str_eq (p->card_last4, "1234");
  t = totals_of (cart);
  ck_assert_int_eq (t.paid, 10000);
  ck_assert_int_eq (t.due, 0);
  ck_assert_int_eq (t.change, 5000);
  ck_assert_int_eq (t.rounding, 0);
  ck_assert (pos_cart_is_fully_paid (cart));

  /* nothing more is due */
  ck_assert (!pos_cart_add_payment (cart, POS_PAYMENT_CASH, 100, NULL, NULL, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT));
  g_clear_error (&error);

  pos_cart_remove_payment (cart, 1);
  t = totals_of (cart);
  ck_assert_int_eq (t.paid, 8000);
  ck_assert_int_eq (t.due, 2000);
  ck_assert (!pos_cart_is_fully_paid (cart));

  /* partial cash */
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 500, NULL, NULL, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.due, 1500);
  ck_assert_int_eq (t.change, 5000);
  check_invariants (cart);
}
END_TEST

START_TEST (test_payments_after_changes)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  PosCartTotals t;

  add (cart, 1, 1000, 0, FALSE, 1000);
  add (cart, 2, 2000, 0, FALSE, 1000);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CREDIT_CARD, 2500, NULL, NULL, &error));
  pos_cart_remove_line (cart, 1);
  t = totals_of (cart);
  ck_assert_uint_eq (pos_cart_get_n_payments (cart), 1);
  ck_assert_int_eq (t.total, 1000);
  ck_assert_int_eq (t.paid, 2500);
  ck_assert_int_eq (t.due, 0);         /* never negative */
  ck_assert_int_eq (t.change, 1500);   /* what was paid beyond the total */

  ck_assert (pos_cart_set_quantity (cart, 0, 5000, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.due, 2500);
  ck_assert_int_eq (t.change, 0);
  check_invariants (cart);
}
END_TEST

START_TEST (test_cash_rounding)
{
  g_autoptr(PosCart) cart = pos_cart_new ("CHF", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  PosCartTotals t;

  add (cart, 1, 1002, 770, FALSE, 1000);
  ck_assert_int_eq (pos_cart_get_cash_due (cart), 1000);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 2000, NULL, NULL, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.total, 1002);
  ck_assert_int_eq (t.rounding, -2);
  ck_assert_int_eq (t.paid, 1000);
  ck_assert_int_eq (t.due, 0);
  ck_assert_int_eq (t.change, 1000);
  ck_assert (pos_cart_is_fully_paid (cart));

  pos_cart_clear (cart);
  add (cart, 1, 1003, 770, FALSE, 1000);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 1005, NULL, NULL, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.rounding, 2);
  ck_assert_int_eq (t.paid, 1005);
  ck_assert_int_eq (t.due, 0);
  ck_assert_int_eq (t.change, 0);

  /* card first, cash settles the rounded rest */
  pos_cart_clear (cart);
  add (cart, 1, 1003, 770, FALSE, 1000);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_DEBIT_CARD, 500, NULL, NULL, &error));
  ck_assert_int_eq (pos_cart_get_cash_due (cart), 505);  /* 503 -> 505 */
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 1000, NULL, NULL, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.rounding, 2);
  ck_assert_int_eq (t.change, 495);
  ck_assert_int_eq (t.due, 0);

  /* a card payment is never rounded */
  pos_cart_clear (cart);
  add (cart, 1, 1003, 770, FALSE, 1000);
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CREDIT_CARD, 1003, NULL, NULL, &error));
  t = totals_of (cart);
  ck_assert_int_eq (t.rounding, 0);
  ck_assert_int_eq (t.due, 0);

  /* BRL: no rounding */
  {
    g_autoptr(PosCart) brl = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);

    add (brl, 1, 1003, 0, FALSE, 1000);
    ck_assert_int_eq (pos_cart_get_cash_due (brl), 1003);
    ck_assert (pos_cart_add_payment (brl, POS_PAYMENT_CASH, 2000, NULL, NULL, &error));
    t = totals_of (brl);
    ck_assert_int_eq (t.rounding, 0);
    ck_assert_int_eq (t.change, 997);
  }
}
END_TEST

START_TEST (test_clear_and_customer)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  Signals s;
  PosCartTotals t;

  add (cart, 1, 1000, 0, FALSE, 1000);
  add (cart, 2, 1000, 0, FALSE, 1000);
  add (cart, 3, 1000, 0, FALSE, 1000);
  pos_cart_set_customer (cart, "c-123", "Maria da Silva");
  pos_cart_set_note (cart, "entregar amanhã");
  ck_assert_str_eq (pos_cart_get_customer_id (cart), "c-123");
  ck_assert_str_eq (pos_cart_get_customer_name (cart), "Maria da Silva");
  ck_assert_str_eq (pos_cart_get_note (cart), "entregar amanhã");
  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 100, &error));
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 1000, NULL, NULL, &error));

  watch (cart, &s);
  pos_cart_clear (cart);
  ck_assert_uint_eq (s.n_changed, 1);
  ck_assert_uint_eq (s.last_position, 0);
  ck_assert_uint_eq (s.last_removed, 3);
  ck_assert_uint_eq (s.last_added, 0);
  ck_assert (pos_cart_is_empty (cart));
  ck_assert_uint_eq (pos_cart_get_n_payments (cart), 0);
  ck_assert_ptr_null (pos_cart_get_customer_id (cart));
  ck_assert_ptr_null (pos_cart_get_customer_name (cart));
  ck_assert_ptr_null (pos_cart_get_note (cart));
  ck_assert_int_eq (pos_cart_get_discount_kind (cart), POS_DISCOUNT_NONE);
  t = totals_of (cart);
  ck_assert_int_eq (t.total, 0);
  ck_assert_int_eq (t.paid, 0);
  ck_assert_int_eq (t.change, 0);
  ck_assert (!pos_cart_is_fully_paid (cart));
  ck_assert_str_eq (pos_cart_get_currency (cart), "BRL");
}
END_TEST

/* ---- JSON ---- */

static PosCart *
build_rich_cart (void)
{
  PosCart *cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosCartLine) fixed = pos_cart_line_new (9, "PRESUNTO", "Presunto fatiado", "2000090012341",
                                                    3990, 1200, TRUE);
  g_autoptr(GError) error = NULL;

  add (cart, 1, 1990, 1800, FALSE, 3000);
  add (cart, 2, 2990, 700, TRUE, 1234);
  pos_cart_line_set_fixed_gross (fixed, 1234);
  pos_cart_add_line (cart, fixed, 309);
  add (cart, 4, 500, 0, FALSE, 1000);
  add (cart, 5, 12345, 1800, FALSE, 1000);
  pos_cart_set_line_note (cart, 3, "sem \"glúten\"\n\ttab");
  ck_assert (pos_cart_set_line_discount (cart, 0, POS_DISCOUNT_PERCENT, 1500, &error));
  ck_assert (pos_cart_set_line_discount (cart, 4, POS_DISCOUNT_AMOUNT, 345, &error));
  ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_AMOUNT, 777, &error));
  pos_cart_set_customer (cart, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "José Ñandú");
  pos_cart_set_note (cart, "Retira às 18h");
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CREDIT_CARD, 5000, "AUTH-77", "4242", &error));
  ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_PIX, 1000, "E0000TX", NULL, &error));
  ck_assert_no_error (error);
  return cart;
}

static void
assert_carts_equal (PosCart *a, PosCart *b)
{
  PosCartTotals ta = totals_of (a), tb = totals_of (b);

  ck_assert_str_eq (pos_cart_get_currency (a), pos_cart_get_currency (b));
  ck_assert_int_eq (pos_cart_get_tax_mode (a), pos_cart_get_tax_mode (b));
  ck_assert_int_eq (g_strcmp0 (pos_cart_get_note (a), pos_cart_get_note (b)), 0);
  ck_assert_int_eq (g_strcmp0 (pos_cart_get_customer_id (a), pos_cart_get_customer_id (b)), 0);
  ck_assert_int_eq (g_strcmp0 (pos_cart_get_customer_name (a), pos_cart_get_customer_name (b)), 0);
  ck_assert_int_eq (pos_cart_get_discount_kind (a), pos_cart_get_discount_kind (b));
  ck_assert_int_eq (pos_cart_get_discount_value (a), pos_cart_get_discount_value (b));
  ck_assert_int_eq (g_strcmp0 (pos_cart_get_approval (a, "price_override"),
                               pos_cart_get_approval (b, "price_override")), 0);
  ck_assert_int_eq (g_strcmp0 (pos_cart_get_approval (a, "discount_above_limit"),
                               pos_cart_get_approval (b, "discount_above_limit")), 0);
  ck_assert_uint_eq (pos_cart_get_n_lines (a), pos_cart_get_n_lines (b));
  for (guint i = 0; i < pos_cart_get_n_lines (a); i++)
    {
      PosCartLine *x = pos_cart_get_line (a, i), *y = pos_cart_get_line (b, i);

      ck_assert_int_eq (pos_cart_line_get_product_id (x), pos_cart_line_get_product_id (y));
      ck_assert_str_eq (pos_cart_line_get_sku (x), pos_cart_line_get_sku (y));
      ck_assert_str_eq (pos_cart_line_get_name (x), pos_cart_line_get_name (y));
      ck_assert_str_eq (pos_cart_line_get_barcode (x), pos_cart_line_get_barcode (y));
      ck_assert_int_eq (pos_cart_line_get_weighed (x), pos_cart_line_get_weighed (y));
      ck_assert_int_eq (pos_cart_line_get_quantity (x), pos_cart_line_get_quantity (y));
      ck_assert_int_eq (pos_cart_line_get_unit_price (x), pos_cart_line_get_unit_price (y));
      ck_assert_int_eq (pos_cart_line_get_catalog_price (x), pos_cart_line_get_catalog_price (y));
      ck_assert_int_eq (pos_cart_line_get_price_overridden (x), pos_cart_line_get_price_overridden (y));
      ck_assert_uint_eq (pos_cart_line_get_tax_rate_bp (x), pos_cart_line_get_tax_rate_bp (y));
      ck_assert_int_eq (pos_cart_line_get_discount_kind (x), pos_cart_line_get_discount_kind (y));
      ck_assert_int_eq (pos_cart_line_get_discount_value (x), pos_cart_line_get_discount_value (y));
      ck_assert_int_eq (pos_cart_line_get_fixed_gross (x), pos_cart_line_get_fixed_gross (y));
      ck_assert_int_eq (g_strcmp0 (pos_cart_line_get_note (x), pos_cart_line_get_note (y)), 0);
      ck_assert_int_eq (pos_cart_line_get_gross (x), pos_cart_line_get_gross (y));
      ck_assert_int_eq (pos_cart_line_get_line_discount (x), pos_cart_line_get_line_discount (y));
      ck_assert_int_eq (pos_cart_line_get_sale_discount (x), pos_cart_line_get_sale_discount (y));
      ck_assert_int_eq (pos_cart_line_get_total (x), pos_cart_line_get_total (y));
      ck_assert_int_eq (pos_cart_line_get_tax (x), pos_cart_line_get_tax (y));
    }
  ck_assert_uint_eq (pos_cart_get_n_payments (a), pos_cart_get_n_payments (b));
  for (guint i = 0; i < pos_cart_get_n_payments (a); i++)
    {
      const PosPayment *x = pos_cart_get_payment (a, i), *y = pos_cart_get_payment (b, i);

      ck_assert_int_eq (x->method, y->method);
      ck_assert_int_eq (x->amount, y->amount);
      ck_assert_int_eq (x->tendered, y->tendered);
      ck_assert_int_eq (g_strcmp0 (x->reference, y->reference), 0);
      ck_assert_int_eq (g_strcmp0 (x->card_last4, y->card_last4), 0);
      ck_assert_int_eq (g_strcmp0 (x->card_brand, y->card_brand), 0);
    }
  ck_assert_int_eq (ta.subtotal, tb.subtotal);
  ck_assert_int_eq (ta.line_discounts, tb.line_discounts);
  ck_assert_int_eq (ta.sale_discount, tb.sale_discount);
  ck_assert_int_eq (ta.total, tb.total);
  ck_assert_int_eq (ta.tax_total, tb.tax_total);
  ck_assert_int_eq (ta.paid, tb.paid);
  ck_assert_int_eq (ta.due, tb.due);
  ck_assert_int_eq (ta.change, tb.change);
  ck_assert_uint_eq (ta.n_items, tb.n_items);
  ck_assert_int_eq (ta.rounding, tb.rounding);
}

START_TEST (test_json_round_trip)
{
  g_autoptr(PosCart) cart = build_rich_cart ();
  g_autoptr(PosCart) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = pos_cart_to_json (cart);
  g_autofree char *json2 = NULL;

  ck_assert_ptr_nonnull (json);
  ck_assert_ptr_nonnull (strstr (json, "\"currency\":\"BRL\""));
  ck_assert_ptr_nonnull (strstr (json, "\"fixed_gross\":1234"));

  copy = pos_cart_new_from_json (json, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_nonnull (copy);
  assert_carts_equal (cart, copy);
  check_invariants (copy);

  /* deterministic: the copy serializes to the same document */
  json2 = pos_cart_to_json (copy);
  ck_assert_str_eq (json, json2);

  /* a rebuilt cart keeps working: more payments settle it */
  {
    PosCartTotals t = totals_of (copy);

    ck_assert_int_gt (t.due, 0);
    ck_assert (pos_cart_add_payment (copy, POS_PAYMENT_CASH, t.due + 1000, NULL, NULL, &error));
    ck_assert (pos_cart_is_fully_paid (copy));
    ck_assert_int_eq (totals_of (copy).change, 1000);
  }
}
END_TEST

START_TEST (test_json_round_trip_variants)
{
  g_autoptr(GError) error = NULL;

  /* empty cart, exclusive tax, other currency, cash with change and rounding */
  {
    g_autoptr(PosCart) cart = pos_cart_new ("JPY", POS_TAX_EXCLUSIVE);
    g_autofree char *json = pos_cart_to_json (cart);
    g_autoptr(PosCart) copy = pos_cart_new_from_json (json, &error);

    ck_assert_no_error (error);
    assert_carts_equal (cart, copy);
    ck_assert (pos_cart_is_empty (copy));
  }
  {
    g_autoptr(PosCart) cart = pos_cart_new ("CHF", POS_TAX_EXCLUSIVE);
    g_autofree char *json = NULL;
    g_autoptr(PosCart) copy = NULL;

    add (cart, 1, 1236, 770, FALSE, 1000);   /* 1195 net + 92 tax = 12.87 -> 12.85 cash */
    ck_assert (pos_cart_set_discount (cart, POS_DISCOUNT_PERCENT, 333, &error));
    ck_assert (pos_cart_add_payment (cart, POS_PAYMENT_CASH, 5000, NULL, NULL, &error));
    ck_assert_int_eq (totals_of (cart).rounding, -2);
    ck_assert_int_eq (totals_of (cart).change, 5000 - 1285);
    json = pos_cart_to_json (cart);
    copy = pos_cart_new_from_json (json, &error);
    ck_assert_no_error (error);
    assert_carts_equal (cart, copy);
    ck_assert (pos_cart_is_fully_paid (copy));
  }
}
END_TEST

static void
expect_bad_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new_from_json (json, &error);

  ck_assert_msg (cart == NULL, "accepted: %.200s", json ? json : "(null)");
  ck_assert_msg (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_INVALID),
                 "wrong error for %.200s", json ? json : "(null)");
}

/* Replaces the first occurrence of from by to in the valid document. */
static void
expect_bad_edit (const char *json, const char *from, const char *to)
{
  g_autoptr(GString) s = g_string_new (json);

  ck_assert_msg (strstr (json, from) != NULL, "fixture lacks %s", from);
  g_string_replace (s, from, to, 1);
  expect_bad_json (s->str);
}

START_TEST (test_json_corrupt)
{
  g_autoptr(PosCart) cart = build_rich_cart ();
  g_autofree char *json = pos_cart_to_json (cart);
  g_autoptr(GString) deep = g_string_new ("{\"version\":1,\"lines\":");
  gsize len = strlen (json);

  expect_bad_json (NULL);
  expect_bad_json ("");
  expect_bad_json ("{");
  expect_bad_json ("[]");
  expect_bad_json ("null");
  expect_bad_json ("42");
  expect_bad_json ("{}");
  expect_bad_json ("\xff\xfe{}");
  expect_bad_json ("{\"version\":2,\"currency\":\"BRL\"}");

  /* every truncation fails cleanly */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *prefix = g_strndup (json, cut);
      expect_bad_json (prefix);
    }

  /* hostile nesting */
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  expect_bad_json (deep->str);

  /* wrong types and values */
  expect_bad_edit (json, "\"version\":1", "\"version\":\"1\"");
  expect_bad_edit (json, "\"currency\":\"BRL\"", "\"currency\":\"XYZ\"");
  expect_bad_edit (json, "\"currency\":\"BRL\"", "\"currency\":7");
  expect_bad_edit (json, "\"tax_mode\":\"inclusive\"", "\"tax_mode\":\"sometimes\"");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":0");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":-3000");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":3000.5");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":\"3000\"");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":9223372036854775807");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":1e400");
  expect_bad_edit (json, "\"quantity\":3000", "\"quantity\":null");
  expect_bad_edit (json, "\"quantity\":3000", "\"qty\":3000");
  expect_bad_edit (json, "\"unit_price\":1990", "\"unit_price\":-1990");
  expect_bad_edit (json, "\"weighed\":false", "\"weighed\":0");
  expect_bad_edit (json, "\"sku\":\"SKU1\"", "\"sku\":[\"SKU1\"]");
  expect_bad_edit (json, "\"kind\":\"percent\",\"value\":1500", "\"kind\":\"percent\",\"value\":15000");
  expect_bad_edit (json, "\"kind\":\"percent\"", "\"kind\":\"bogus\"");
  expect_bad_edit (json, "\"kind\":\"amount\",\"value\":345", "\"kind\":\"amount\",\"value\":999999");
  expect_bad_edit (json, "\"kind\":\"amount\",\"value\":777", "\"kind\":\"amount\",\"value\":99999999");
  expect_bad_edit (json, "\"tax_rate_bp\":1800", "\"tax_rate_bp\":-1");
  expect_bad_edit (json, "\"fixed_gross\":1234", "\"fixed_gross\":-5");
  expect_bad_edit (json, "\"method\":\"credit_card\"", "\"method\":\"bitcoin\"");
  expect_bad_edit (json, "\"tendered\":5000", "\"tendered\":4000");
  expect_bad_edit (json, "\"tendered\":5000", "\"tendered\":6000");  /* card with change */
  expect_bad_edit (json, "\"amount\":5000", "\"amount\":-5000");
  expect_bad_edit (json, "\"lines\":[", "\"lines\":{},\"y\":[");
  expect_bad_edit (json, "\"payments\":[", "\"payments\":7,\"x\":[");
  expect_bad_edit (json, "\"lines\":[{", "\"lines\":[17,{");
}
END_TEST

START_TEST (test_price_override)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(PosCartLine) fixed = pos_cart_line_new (9, "PRESUNTO", "Presunto fatiado", "2000090012341",
                                                    3990, 1200, TRUE);
  g_autoptr(GError) error = NULL;
  PosCartLine *line;
  Signals s;
  guint pos;

  pos = add (cart, 1, 1990, 1800, FALSE, 3000);
  line = pos_cart_get_line (cart, pos);
  ck_assert (!pos_cart_line_get_price_overridden (line));
  ck_assert_int_eq (pos_cart_line_get_catalog_price (line), 1990);

  watch (cart, &s);
  ck_assert (pos_cart_set_line_price (cart, pos, 1500, &error));
  ck_assert_no_error (error);
  ck_assert_uint_eq (s.n_changed, 1);
  ck_assert_uint_eq (s.n_items_changed, 1);
  ck_assert (pos_cart_line_get_price_overridden (line));
  ck_assert_int_eq (pos_cart_line_get_unit_price (line), 1500);
  ck_assert_int_eq (pos_cart_line_get_catalog_price (line), 1990);
  ck_assert_int_eq (pos_cart_line_get_gross (line), 4500);
  ck_assert_int_eq (totals_of (cart).total, 4500);
  check_invariants (cart);

  /* An overridden line is not merged with the next scan of the product. */
  ck_assert_uint_eq (add (cart, 1, 1990, 1800, FALSE, 1000), 1);
  ck_assert_uint_eq (pos_cart_get_n_lines (cart), 2);
  ck_assert (!pos_cart_line_get_price_overridden (pos_cart_get_line (cart, 1)));

  /* Back to the catalog price: no longer an override. */
  ck_assert (pos_cart_set_line_price (cart, pos, 1990, &error));
  ck_assert (!pos_cart_line_get_price_overridden (line));
  ck_assert (pos_cart_set_line_price (cart, pos, 0, &error));
  ck_assert (pos_cart_line_get_price_overridden (line));
  ck_assert_int_eq (pos_cart_line_get_total (line), 0);

  /* Refused: negative, absurd, below an amount discount, a label's price. */
  ck_assert (!pos_cart_set_line_price (cart, pos, -1, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PRICE));
  g_clear_error (&error);
  ck_assert (!pos_cart_set_line_price (cart, pos, G_MAXINT64, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PRICE));
  g_clear_error (&error);
  ck_assert (pos_cart_set_line_price (cart, pos, 1000, &error));
  ck_assert (pos_cart_set_line_discount (cart, pos, POS_DISCOUNT_AMOUNT, 2500, &error));
  ck_assert (!pos_cart_set_line_price (cart, pos, 500, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT));
  g_clear_error (&error);
  ck_assert_int_eq (pos_cart_line_get_unit_price (line), 1000);
  pos_cart_line_set_fixed_gross (fixed, 1234);
  pos = pos_cart_add_line (cart, fixed, 309);
  ck_assert (!pos_cart_set_line_price (cart, pos, 100, &error));
  ck_assert (g_error_matches (error, POS_CART_ERROR, POS_CART_ERROR_PRICE));
  check_invariants (cart);
}
END_TEST

START_TEST (test_approvals_json)
{
  g_autoptr(PosCart) cart = build_rich_cart ();
  g_autoptr(PosCart) copy = NULL;
  g_autoptr(PosCart) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json2 = NULL;
  g_autoptr(GString) legacy = NULL;

  ck_assert_ptr_null (pos_cart_get_approval (cart, "price_override"));
  ck_assert (pos_cart_set_line_price (cart, 3, 450, &error));
  pos_cart_set_approval (cart, "price_override", "0190a1b2-0000-7000-8000-00000000000a");
  pos_cart_set_approval (cart, "discount_above_limit", "0190a1b2-0000-7000-8000-00000000000b");
  pos_cart_set_approval (cart, "refund", "x");
  pos_cart_set_approval (cart, "refund", NULL);
  ck_assert_ptr_null (pos_cart_get_approval (cart, "refund"));
  ck_assert_str_eq (pos_cart_get_approval (cart, "price_override"), "0190a1b2-0000-7000-8000-00000000000a");

  json = pos_cart_to_json (cart);
  ck_assert_ptr_nonnull (strstr (json, "\"approvals\":{\"discount_above_limit\":\"0190a1b2-0000-7000-8000-00000000000b\","
                                       "\"price_override\":\"0190a1b2-0000-7000-8000-00000000000a\"}"));
  ck_assert_ptr_nonnull (strstr (json, "\"unit_price\":450,\"catalog_price\":500,\"price_overridden\":true"));
  copy = pos_cart_new_from_json (json, &error);
  ck_assert_no_error (error);
  assert_carts_equal (cart, copy);
  ck_assert (pos_cart_line_get_price_overridden (pos_cart_get_line (copy, 3)));
  json2 = pos_cart_to_json (copy);
  ck_assert_str_eq (json, json2);

  expect_bad_edit (json, "\"catalog_price\":500", "\"catalog_price\":-500");
  expect_bad_edit (json, "\"catalog_price\":500", "\"catalog_price\":\"500\"");
  expect_bad_edit (json, "\"approvals\":{", "\"approvals\":[],\"z\":{");
  expect_bad_edit (json, "\"price_override\":\"0190", "\"price_override\":7,\"q\":\"0190");

  /* A document parked before approvals and overrides existed. */
  legacy = g_string_new (json);
  g_string_replace (legacy, ",\"catalog_price\":500", "", 0);
  g_string_replace (legacy, ",\"catalog_price\":1990", "", 0);
  g_string_replace (legacy, "\"approvals\":{\"discount_above_limit\":\"0190a1b2-0000-7000-8000-00000000000b\","
                            "\"price_override\":\"0190a1b2-0000-7000-8000-00000000000a\"},", "", 0);
  ck_assert_ptr_null (strstr (legacy->str, "approvals"));
  old = pos_cart_new_from_json (legacy->str, &error);
  ck_assert_no_error (error);
  ck_assert_ptr_null (pos_cart_get_approval (old, "price_override"));
  ck_assert (!pos_cart_line_get_price_overridden (pos_cart_get_line (old, 3)));
  ck_assert_int_eq (pos_cart_line_get_catalog_price (pos_cart_get_line (old, 3)), 450);

  /* Clearing the cart drops them. */
  pos_cart_clear (cart);
  ck_assert_ptr_null (pos_cart_get_approval (cart, "price_override"));
}
END_TEST

static Suite *
cart_suite (void)
{
  Suite *s = suite_create ("cart");
  TCase *tc = tcase_create ("core");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_payment_methods);
  tcase_add_test (tc, test_add_merge_remove);
  tcase_add_test (tc, test_line_object);
  tcase_add_test (tc, test_weighed);
  tcase_add_test (tc, test_fixed_gross);
  tcase_add_test (tc, test_line_discount);
  tcase_add_test (tc, test_sale_discount);
  tcase_add_test (tc, test_sale_discount_random);
  tcase_add_test (tc, test_taxes_inclusive);
  tcase_add_test (tc, test_taxes_exclusive);
  tcase_add_test (tc, test_payments_split);
  tcase_add_test (tc, test_payments_after_changes);
  tcase_add_test (tc, test_cash_rounding);
  tcase_add_test (tc, test_clear_and_customer);
  tcase_add_test (tc, test_json_round_trip);
  tcase_add_test (tc, test_json_round_trip_variants);
  tcase_add_test (tc, test_json_corrupt);
  tcase_add_test (tc, test_price_override);
  tcase_add_test (tc, test_approvals_json);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (cart_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
