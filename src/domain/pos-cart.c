/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pos-cart.h"
#include "pos-json.h"
#include "pos-money.h"

G_DEFINE_QUARK (pos-cart-error-quark, pos_cart_error)

/* Beyond this a quantity is a typing accident (milli-units: 99 999 units or
 * 99 999 kg). */
#define MAX_QUANTITY   G_GINT64_CONSTANT (99999000)
/* Amounts beyond 10^15 minor units are absurd for a counter and keep every
 * product far from gint64 overflow. */
#define MAX_AMOUNT     G_GINT64_CONSTANT (1000000000000000)
#define CART_JSON_VERSION   1
#define JSON_MAX_SIZE  (4 * 1024 * 1024)
#define JSON_MAX_DEPTH 16
#define JSON_MAX_LINES 10000
#define JSON_MAX_PAYMENTS 100
#define JSON_MAX_APPROVALS 32

/* ------------------------------------------------------------------ */
/* Payment methods */

static const struct {
  PosPaymentMethod  method;
  const char       *id;
  const char       *label;
} payment_methods[] = {
  { POS_PAYMENT_CASH,         "cash",         N_("Cash") },
  { POS_PAYMENT_CREDIT_CARD,  "credit_card",  N_("Credit card") },
  { POS_PAYMENT_DEBIT_CARD,   "debit_card",   N_("Debit card") },
  { POS_PAYMENT_PIX,          "pix",          N_("PIX") },
  { POS_PAYMENT_STORE_CREDIT, "store_credit", N_("Store credit") },
  { POS_PAYMENT_LOYALTY_POINTS, "loyalty_points", N_("Points") },
};

const char *
pos_payment_method_to_string (PosPaymentMethod method)
{
  for (guint i = 0; i < G_N_ELEMENTS (payment_methods); i++)
    if (payment_methods[i].method == method)
      return payment_methods[i].id;
  g_return_val_if_reached (NULL);
}

gboolean
pos_payment_method_from_string (const char       *s,
                                PosPaymentMethod *out)
{
  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (payment_methods); i++)
    if (g_str_equal (payment_methods[i].id, s))
      {
        if (out != NULL)
          *out = payment_methods[i].method;
        return TRUE;
      }
  return FALSE;
}

const char *
pos_payment_method_get_label (PosPaymentMethod method)
{
  for (guint i = 0; i < G_N_ELEMENTS (payment_methods); i++)
    if (payment_methods[i].method == method)
      return _(payment_methods[i].label);
  g_return_val_if_reached (NULL);
}

void
pos_payment_free (PosPayment *payment)
{
  if (payment == NULL)
    return;
  g_free (payment->reference);
  g_free (payment->card_last4);
  g_free (payment->card_brand);
  g_free (payment);
}

PosPayment *
pos_payment_copy (const PosPayment *payment)
{
  PosPayment *copy;

  g_return_val_if_fail (payment != NULL, NULL);

  copy = g_new0 (PosPayment, 1);
  copy->method = payment->method;
  copy->amount = payment->amount;
  copy->tendered = payment->tendered;
  copy->reference = g_strdup (payment->reference);
  copy->card_last4 = g_strdup (payment->card_last4);
  copy->card_brand = g_strdup (payment->card_brand);
  return copy;
}

/* ------------------------------------------------------------------ */
/* Loyalty points (docs/loyalty.md) */

gint64
pos_loyalty_points_earned (gint64                   total,
                           const PosPayment *const *payments,
                           guint                    n_payments,
                           gint64                   earn_unit)
{
  gint64 not_money = 0;
  gint64 money;

  if (earn_unit <= 0 || total <= 0)
    return 0;
  g_return_val_if_fail (payments != NULL || n_payments == 0, 0);

  for (guint i = 0; i < n_payments; i++)
    {
      const PosPayment *p = payments[i];

      if (p->method == POS_PAYMENT_LOYALTY_POINTS || p->method == POS_PAYMENT_STORE_CREDIT)
        not_money += CLAMP (p->amount, 0, MAX_AMOUNT);
    }
  money = total - MIN (not_money, total);
  return money / earn_unit;
}

gboolean
pos_loyalty_points_for_amount (gint64  amount,
                               gint64  point_value,
                               gint64 *out_points)
{
  if (point_value <= 0 || amount <= 0 || amount % point_value != 0)
    return FALSE;
  if (out_points != NULL)
    *out_points = amount / point_value;
  return TRUE;
}

gint64
pos_loyalty_points_taken_back (gint64 earned,
                               gint64 total,
                               gint64 refunded_before,
                               gint64 refunded_now,
                               gint64 taken_before)
{
  gint64 refunded;
  gint64 target;
  gint64 left;

  if (earned <= 0 || total <= 0 || refunded_now <= 0)
    return 0;
  left = earned - MAX (taken_before, 0);
  if (left <= 0)
    return 0;
  refunded = MAX (refunded_before, 0) + refunded_now;
  if (refunded >= total)
    target = earned;
  else
    target = (gint64) (((__int128) refunded * earned) / total);
  return CLAMP (target - MAX (taken_before, 0), 0, left);
}

/* ------------------------------------------------------------------ */
/* PosCartLine */

struct _PosCartLine
{
  GObject          parent_instance;

  gint64           product_id;
  char            *sku;
  char            *name;
  char            *barcode;
  gint64           unit_price;
  gint64           catalog_price;   /* unit_price before an override */
  guint            tax_rate_bp;
  gboolean         weighed;

  gint64           quantity;
  PosDiscountKind  discount_kind;
  gint64           discount_value;
  char            *note;
  gint64           fixed_gross;
  guint            pickup_line_no;       /* the online order's line, 0: none */
  gint64           pickup_max_quantity;  /* what the order has left of it */

  /* computed */
  gint64           gross;
  gint64           line_discount;
  gint64           sale_discount;
  gint64           total;
  gint64           tax;

  gboolean         in_cart;
  gboolean         dirty;
};

enum {
  LINE_PROP_0,
  LINE_PROP_PRODUCT_ID,
  LINE_PROP_SKU,
  LINE_PROP_NAME,
  LINE_PROP_BARCODE,
  LINE_PROP_WEIGHED,
  LINE_PROP_UNIT_PRICE,
  LINE_PROP_TAX_RATE_BP,
  LINE_PROP_QUANTITY,
  LINE_PROP_NOTE,
  LINE_PROP_GROSS,
  LINE_PROP_LINE_DISCOUNT,
  LINE_PROP_SALE_DISCOUNT,
  LINE_PROP_TOTAL,
  LINE_PROP_TAX,
  N_LINE_PROPS
};

static GParamSpec *line_props[N_LINE_PROPS];

G_DEFINE_FINAL_TYPE (PosCartLine, pos_cart_line, G_TYPE_OBJECT)

static void
pos_cart_line_finalize (GObject *object)
{
  PosCartLine *self = POS_CART_LINE (object);

  g_free (self->sku);
  g_free (self->name);
  g_free (self->barcode);
  g_free (self->note);

  G_OBJECT_CLASS (pos_cart_line_parent_class)->finalize (object);
}

static void
pos_cart_line_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PosCartLine *self = POS_CART_LINE (object);

  switch (prop_id)
    {
    case LINE_PROP_PRODUCT_ID:    g_value_set_int64 (value, self->product_id); break;
    case LINE_PROP_SKU:           g_value_set_string (value, self->sku); break;
    case LINE_PROP_NAME:          g_value_set_string (value, self->name); break;
    case LINE_PROP_BARCODE:       g_value_set_string (value, self->barcode); break;
    case LINE_PROP_WEIGHED:       g_value_set_boolean (value, self->weighed); break;
    case LINE_PROP_UNIT_PRICE:    g_value_set_int64 (value, self->unit_price); break;
    case LINE_PROP_TAX_RATE_BP:   g_value_set_uint (value, self->tax_rate_bp); break;
    case LINE_PROP_QUANTITY:      g_value_set_int64 (value, self->quantity); break;
    case LINE_PROP_NOTE:          g_value_set_string (value, self->note); break;
    case LINE_PROP_GROSS:         g_value_set_int64 (value, self->gross); break;
    case LINE_PROP_LINE_DISCOUNT: g_value_set_int64 (value, self->line_discount); break;
    case LINE_PROP_SALE_DISCOUNT: g_value_set_int64 (value, self->sale_discount); break;
    case LINE_PROP_TOTAL:         g_value_set_int64 (value, self->total); break;
    case LINE_PROP_TAX:           g_value_set_int64 (value, self->tax); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
int64_ro (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
string_ro (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
pos_cart_line_class_init (PosCartLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pos_cart_line_finalize;
  object_class->get_property = pos_cart_line_get_property;

  line_props[LINE_PROP_PRODUCT_ID] = int64_ro ("product-id");
  line_props[LINE_PROP_SKU] = string_ro ("sku");
  line_props[LINE_PROP_NAME] = string_ro ("name");
  line_props[LINE_PROP_BARCODE] = string_ro ("barcode");
  line_props[LINE_PROP_WEIGHED] =
    g_param_spec_boolean ("weighed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  line_props[LINE_PROP_UNIT_PRICE] = int64_ro ("unit-price");
  line_props[LINE_PROP_TAX_RATE_BP] =
    g_param_spec_uint ("tax-rate-bp", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  line_props[LINE_PROP_QUANTITY] = int64_ro ("quantity");
  line_props[LINE_PROP_NOTE] = string_ro ("note");
  line_props[LINE_PROP_GROSS] = int64_ro ("gross");
  line_props[LINE_PROP_LINE_DISCOUNT] = int64_ro ("line-discount");
  line_props[LINE_PROP_SALE_DISCOUNT] = int64_ro ("sale-discount");
  line_props[LINE_PROP_TOTAL] = int64_ro ("total");
  line_props[LINE_PROP_TAX] = int64_ro ("tax");

  g_object_class_install_properties (object_class, N_LINE_PROPS, line_props);
}

static void
pos_cart_line_init (PosCartLine *self)
{
  self->fixed_gross = -1;
}

PosCartLine *
pos_cart_line_new (gint64      product_id,
                   const char *sku,
                   const char *name,
                   const char *barcode,
                   gint64      unit_price,
                   guint       tax_rate_bp,
                   gboolean    weighed)
{
  PosCartLine *self;

  g_return_val_if_fail (unit_price >= 0 && unit_price <= MAX_AMOUNT, NULL);
  g_return_val_if_fail (tax_rate_bp <= 100000, NULL);

  self = g_object_new (POS_TYPE_CART_LINE, NULL);
  self->product_id = product_id;
  self->sku = g_strdup (sku);
  self->name = g_strdup (name);
  self->barcode = g_strdup (barcode);
  self->unit_price = unit_price;
  self->catalog_price = unit_price;
  self->tax_rate_bp = tax_rate_bp;
  self->weighed = !!weighed;
  self->quantity = 1000;
  return self;
}

#define LINE_GETTER(type, field, fallback) \
  type pos_cart_line_get_##field (PosCartLine *self) \
  { \
    g_return_val_if_fail (POS_IS_CART_LINE (self), fallback); \
    return self->field; \
  }

LINE_GETTER (gint64, product_id, 0)
LINE_GETTER (const char *, sku, NULL)
LINE_GETTER (const char *, name, NULL)
LINE_GETTER (const char *, barcode, NULL)
LINE_GETTER (gboolean, weighed, FALSE)
LINE_GETTER (gint64, quantity, 0)
LINE_GETTER (gint64, unit_price, 0)
LINE_GETTER (guint, tax_rate_bp, 0)
LINE_GETTER (PosDiscountKind, discount_kind, POS_DISCOUNT_NONE)
LINE_GETTER (gint64, discount_value, 0)
LINE_GETTER (const char *, note, NULL)
LINE_GETTER (gint64, gross, 0)
LINE_GETTER (gint64, line_discount, 0)
LINE_GETTER (gint64, sale_discount, 0)
LINE_GETTER (gint64, total, 0)
LINE_GETTER (gint64, tax, 0)
LINE_GETTER (gint64, fixed_gross, -1)
LINE_GETTER (gint64, catalog_price, 0)

gboolean
pos_cart_line_get_price_overridden (PosCartLine *self)
{
  g_return_val_if_fail (POS_IS_CART_LINE (self), FALSE);
  return self->unit_price != self->catalog_price;
}

void
pos_cart_line_set_fixed_gross (PosCartLine *self,
                               gint64       gross)
{
  g_return_if_fail (POS_IS_CART_LINE (self));
  g_return_if_fail (gross >= -1 && gross <= MAX_AMOUNT);
  /* Once in a cart, the cart owns the arithmetic. */
  g_return_if_fail (!self->in_cart);

  self->fixed_gross = gross;
  self->gross = gross >= 0 ? gross : 0;
}

static gint64
line_compute_gross (PosCartLine *line,
                    gint64       quantity)
{
  if (line->fixed_gross >= 0)
    return line->fixed_gross;
  return pos_money_mul_div (quantity, line->unit_price, 1000, POS_ROUND_HALF_EVEN);
}

/* ------------------------------------------------------------------ */
/* PosCart */

struct _PosCart
{
  GObject          parent_instance;

  char            *currency;
  PosTaxMode       tax_mode;

  GPtrArray       *lines;      /* PosCartLine* */
  GPtrArray       *payments;   /* PosPayment* */
  PosDiscountKind  discount_kind;
  gint64           discount_value;
  char            *note;
  char            *customer_id;
  char            *customer_name;
  GHashTable      *approvals;  /* permission name -> approval id */
  char            *pickup_order_id;  /* an online order paid here (pos-pickups) */
  char            *pickup_handover;  /* its handover, JSON (the terminal's) */

  PosCartTotals    totals;
  gint64           rounding;
  PosTaxSummary   *summary;
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosCart, pos_cart, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
pos_cart_get_item_type (GListModel *model)
{
  return POS_TYPE_CART_LINE;
}

static guint
pos_cart_get_n_items (GListModel *model)
{
  return POS_CART (model)->lines->len;
}

static gpointer
pos_cart_get_item (GListModel *model,
                   guint       position)
{
  PosCart *self = POS_CART (model);

  if (position >= self->lines->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->lines, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = pos_cart_get_item_type;
  iface->get_n_items = pos_cart_get_n_items;
  iface->get_item = pos_cart_get_item;
}

static void
line_release (gpointer data)
{
  PosCartLine *line = data;

  line->in_cart = FALSE;
  g_object_unref (line);
}

static void
pos_cart_finalize (GObject *object)
{
  PosCart *self = POS_CART (object);

  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->payments, g_ptr_array_unref);
  g_clear_pointer (&self->summary, pos_tax_summary_free);
  g_free (self->currency);
  g_free (self->note);
  g_free (self->customer_id);
  g_free (self->customer_name);
  g_clear_pointer (&self->approvals, g_hash_table_unref);
  g_clear_pointer (&self->pickup_order_id, g_free);
  g_clear_pointer (&self->pickup_handover, g_free);

  G_OBJECT_CLASS (pos_cart_parent_class)->finalize (object);
}

static void
pos_cart_class_init (PosCartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pos_cart_finalize;

  /**
   * PosCart::changed:
   *
   * Emitted after every change, once the totals are recomputed.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pos_cart_init (PosCart *self)
{
  self->currency = g_strdup ("BRL");
  self->tax_mode = POS_TAX_INCLUSIVE;
  self->lines = g_ptr_array_new_with_free_func (line_release);
  self->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_payment_free);
  self->summary = pos_tax_summary_new (self->tax_mode);
  self->approvals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

PosCart *
pos_cart_new (const char *currency,
              PosTaxMode  tax_mode)
{
  PosCart *self;

  g_return_val_if_fail (pos_money_currency_exponent (currency) >= 0, NULL);
  g_return_val_if_fail (tax_mode == POS_TAX_INCLUSIVE || tax_mode == POS_TAX_EXCLUSIVE, NULL);

  self = g_object_new (POS_TYPE_CART, NULL);
  g_free (self->currency);
  self->currency = g_ascii_strup (currency, -1);
  self->tax_mode = tax_mode;
  pos_tax_summary_free (self->summary);
  self->summary = pos_tax_summary_new (tax_mode);
  return self;
}

/* ---- arithmetic ---- */

static void
line_update (PosCartLine *line,
             int          prop,
             gint64      *field,
             gint64       value)
{
  if (*field != value)
    {
      *field = value;
      line->dirty = TRUE;
      g_object_notify_by_pspec (G_OBJECT (line), line_props[prop]);
    }
}

static gint64
sum_after_line_discounts (PosCart *self)
{
  gint64 sum = 0;

  for (guint i = 0; i < self->lines->len; i++)
    {
      PosCartLine *line = g_ptr_array_index (self->lines, i);

      sum += line->gross - line->line_discount;
    }
  return sum;
}

static gint64
compute_line_discount (PosCartLine *line,
                       gint64       gross)
{
  switch (line->discount_kind)
    {
    case POS_DISCOUNT_PERCENT:
      return pos_money_mul_div (gross, line->discount_value, 10000, POS_ROUND_HALF_UP);
    case POS_DISCOUNT_AMOUNT:
      return CLAMP (line->discount_value, 0, MAX (gross, 0));
    case POS_DISCOUNT_NONE:
      return 0;
    default:
      g_return_val_if_reached (0);
    }
}

static void
recompute (PosCart *self)
{
  PosCartTotals *t = &self->totals;
  guint n = self->lines->len;
  g_autofree gint64 *weights = g_new0 (gint64, MAX (n, 1));
  g_autofree gint64 *shares = g_new0 (gint64, MAX (n, 1));
  g_autofree gint64 *discountable = g_new0 (gint64, MAX (n, 1));
  gint64 after_sum = 0;
  gint64 sale_discount = 0;
  gint64 lines_total = 0;
  gint64 n_milli = 0;
  guint n_weighed = 0;

  memset (t, 0, sizeof *t);

  for (guint i = 0; i < n; i++)
    {
      PosCartLine *line = g_ptr_array_index (self->lines, i);
      gint64 gross = line_compute_gross (line, line->quantity);

      line_update (line, LINE_PROP_GROSS, &line->gross, gross);
      line_update (line, LINE_PROP_LINE_DISCOUNT, &line->line_discount,
                   compute_line_discount (line, gross));
      weights[i] = line->gross - line->line_discount;
      /* An online order's line keeps the order's price: no share of the
       * sale discount. */
      discountable[i] = line->pickup_line_no != 0 ? 0 : weights[i];
      after_sum += discountable[i];
      t->subtotal += line->gross;
      t->line_discounts += line->line_discount;
      if (line->weighed)
        n_weighed++;
      else
        n_milli += line->quantity;
    }

  switch (self->discount_kind)
    {
    case POS_DISCOUNT_PERCENT:
      sale_discount = pos_money_mul_div (after_sum, self->discount_value, 10000, POS_ROUND_HALF_UP);
      break;
    case POS_DISCOUNT_AMOUNT:
      sale_discount = CLAMP (self->discount_value, 0, MAX (after_sum, 0));
      break;
    case POS_DISCOUNT_NONE:
      break;
    default:
      g_assert_not_reached ();
    }

  if (n > 0)
    pos_money_allocate (sale_discount, discountable, n, shares);

  pos_tax_summary_free (self->summary);
  self->summary = pos_tax_summary_new (self->tax_mode);

  for (guint i = 0; i < n; i++)
    {
      PosCartLine *line = g_ptr_array_index (self->lines, i);
      gint64 total = weights[i] - shares[i];

      line_update (line, LINE_PROP_SALE_DISCOUNT, &line->sale_discount, shares[i]);
      line_update (line, LINE_PROP_TOTAL, &line->total, total);
      line_update (line, LINE_PROP_TAX, &line->tax,
                   self->tax_mode == POS_TAX_INCLUSIVE
                     ? pos_tax_included (total, line->tax_rate_bp)
                     : pos_tax_on_top (total, line->tax_rate_bp));
      pos_tax_summary_add (self->summary, line->tax_rate_bp, total);
      lines_total += total;
    }

  t->sale_discount = sale_discount;
  t->tax_total = pos_tax_summary_get_total_tax (self->summary);
  t->total = self->tax_mode == POS_TAX_INCLUSIVE ? lines_total : lines_total + t->tax_total;
  t->n_items = (guint) MIN (n_milli / 1000, (gint64) G_MAXUINT - n_weighed) + n_weighed;

  /* Cash rounding: when the last payment is cash and settled the rounded
   * amount that was due before it, the difference is the rounding. */
  self->rounding = 0;
  for (guint i = 0; i < self->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (self->payments, i);

      t->paid += p->amount;
      if (p->method == POS_PAYMENT_CASH)
        t->change += p->tendered - p->amount;
    }
  if (self->payments->len > 0)
    {
      const PosPayment *last = g_ptr_array_index (self->payments, self->payments->len - 1);
      gint64 before = t->total - (t->paid - last->amount);

      if (last->method == POS_PAYMENT_CASH && before > 0 &&
          last->amount == pos_money_round_cash (before, self->currency))
        self->rounding = last->amount - before;
    }

  t->due = MAX (t->total + self->rounding - t->paid, 0);
  /* Lines removed after payment: what was paid beyond the total goes back. */
  if (t->paid > t->total + self->rounding && t->total + self->rounding >= 0)
    t->change += t->paid - (t->total + self->rounding);
  t->rounding = self->rounding;
}

/* Recomputes, then emits items-changed for every line whose values changed
 * (and was not already announced), then "changed". */
static void
commit_change (PosCart *self)
{
  guint i = 0;

  recompute (self);

  while (i < self->lines->len)
    {
      PosCartLine *line = g_ptr_array_index (self->lines, i);
      guint start = i;

      if (!line->dirty)
        {
          i++;
          continue;
        }
      while (i < self->lines->len && ((PosCartLine *) g_ptr_array_index (self->lines, i))->dirty)
        {
          ((PosCartLine *) g_ptr_array_index (self->lines, i))->dirty = FALSE;
          i++;
        }
      g_list_model_items_changed (G_LIST_MODEL (self), start, i - start, i - start);
    }

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
clear_dirty (PosCart *self)
{
  for (guint i = 0; i < self->lines->len; i++)
    ((PosCartLine *) g_ptr_array_index (self->lines, i))->dirty = FALSE;
}

/* ---- accessors ---- */

const char *
pos_cart_get_currency (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->currency;
}

PosTaxMode
pos_cart_get_tax_mode (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), POS_TAX_INCLUSIVE);
  return self->tax_mode;
}

guint
pos_cart_get_n_lines (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), 0);
  return self->lines->len;
}

PosCartLine *
pos_cart_get_line (PosCart *self,
                   guint    position)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  g_return_val_if_fail (position < self->lines->len, NULL);
  return g_ptr_array_index (self->lines, position);
}

static gboolean
check_quantity (PosCart     *self,
                PosCartLine *line,
                gint64       quantity,
                GError     **error)
{
  if (quantity <= 0)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY,
                   _("The quantity must be more than zero. To take the item off, remove the line."));
      return FALSE;
    }
  if (quantity > MAX_QUANTITY)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY,
                   _("That quantity is too large. Check what you typed."));
      return FALSE;
    }
  if (line->pickup_line_no != 0 && quantity > line->pickup_max_quantity)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY,
                   _("“%s” is an item of an online order: no more of it than the order has left."),
                   line->name != NULL ? line->name : "");
      return FALSE;
    }
  if (line->fixed_gross < 0 &&
      (__int128) quantity * line->unit_price / 1000 > (__int128) MAX_AMOUNT)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY,
                   _("That quantity makes the line too large an amount. Check what you typed."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
line_is_plain (PosCartLine *line)
{
  return !line->weighed &&
         line->pickup_line_no == 0 &&
         line->discount_kind == POS_DISCOUNT_NONE &&
         (line->note == NULL || *line->note == '\0') &&
         line->fixed_gross < 0 &&
         line->unit_price == line->catalog_price;
}

static guint
insert_line (PosCart     *self,
             PosCartLine *line,
             gint64       quantity)
{
  guint position = self->lines->len;

  line->quantity = quantity;
  line->in_cart = TRUE;
  g_ptr_array_add (self->lines, g_object_ref (line));
  recompute (self);
  clear_dirty (self);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  commit_change (self);
  return position;
}

guint
pos_cart_add_line (PosCart     *self,
                   PosCartLine *line,
                   gint64       quantity)
{
  g_return_val_if_fail (POS_IS_CART (self), 0);
  g_return_val_if_fail (POS_IS_CART_LINE (line), 0);
  g_return_val_if_fail (!line->in_cart, 0);
  g_return_val_if_fail (check_quantity (self, line, quantity, NULL), 0);

  if (line_is_plain (line))
    {
      for (guint i = self->lines->len; i > 0; i--)
        {
          PosCartLine *other = g_ptr_array_index (self->lines, i - 1);

          if (line_is_plain (other) &&
              other->product_id == line->product_id &&
              other->unit_price == line->unit_price &&
              other->tax_rate_bp == line->tax_rate_bp &&
              g_strcmp0 (other->sku, line->sku) == 0 &&
              check_quantity (self, other, other->quantity + quantity, NULL))
            {
              other->quantity += quantity;
              g_object_notify_by_pspec (G_OBJECT (other), line_props[LINE_PROP_QUANTITY]);
              other->dirty = TRUE;
              commit_change (self);
              return i - 1;
            }
        }
    }

  return insert_line (self, line, quantity);
}

gboolean
pos_cart_set_quantity (PosCart *self,
                       guint    position,
                       gint64   quantity,
                       GError **error)
{
  PosCartLine *line;

  g_return_val_if_fail (POS_IS_CART (self), FALSE);
  g_return_val_if_fail (position < self->lines->len, FALSE);

  line = g_ptr_array_index (self->lines, position);
  if (!check_quantity (self, line, quantity, error))
    return FALSE;
  if (line->fixed_gross >= 0 && quantity != line->quantity)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_QUANTITY,
                   _("The price of “%s” comes from its label. Scan each label to add more."),
                   line->name != NULL ? line->name : "");
      return FALSE;
    }
  if (line->discount_kind == POS_DISCOUNT_AMOUNT &&
      line->discount_value > line_compute_gross (line, quantity))
    {
      g_autofree char *amount = pos_money_format (line->discount_value, self->currency, NULL);

      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                   _("The discount of %s would be more than the line. Change the discount first."),
                   amount);
      return FALSE;
    }

  if (line->quantity != quantity)
    {
      line->quantity = quantity;
      line->dirty = TRUE;
      g_object_notify_by_pspec (G_OBJECT (line), line_props[LINE_PROP_QUANTITY]);
    }
  commit_change (self);
  return TRUE;
}

void
pos_cart_remove_line (PosCart *self,
                      guint    position)
{
  g_return_if_fail (POS_IS_CART (self));
  g_return_if_fail (position < self->lines->len);

  g_ptr_array_remove_index (self->lines, position);
  recompute (self);
  clear_dirty (self);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  commit_change (self);
}

static gboolean
validate_discount (PosCart         *self,
                   PosDiscountKind  kind,
                   gint64           value,
                   gint64           base,
                   gboolean         sale,
                   GError         **error)
{
  switch (kind)
    {
    case POS_DISCOUNT_NONE:
      return TRUE;
    case POS_DISCOUNT_PERCENT:
      if (value < 0 || value > 10000)
        {
          g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                       _("A discount must be between 0 %% and 100 %%."));
          return FALSE;
        }
      return TRUE;
    case POS_DISCOUNT_AMOUNT:
      if (value < 0)
        {
          g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                       _("A discount cannot be negative."));
          return FALSE;
        }
      if (value > base)
        {
          g_autofree char *v = pos_money_format (value, self->currency, NULL);
          g_autofree char *b = pos_money_format (base, self->currency, NULL);

          if (sale)
            g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                         _("A discount of %s is more than the sale (%s)."), v, b);
          else
            g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                         _("A discount of %s is more than the line (%s)."), v, b);
          return FALSE;
        }
      return TRUE;
    default:
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                   _("Unknown kind of discount."));
      return FALSE;
    }
}

gboolean
pos_cart_set_line_discount (PosCart         *self,
                            guint            position,
                            PosDiscountKind  kind,
                            gint64           value,
                            GError         **error)
{
  PosCartLine *line;

  g_return_val_if_fail (POS_IS_CART (self), FALSE);
  g_return_val_if_fail (position < self->lines->len, FALSE);

  line = g_ptr_array_index (self->lines, position);
  if (line->pickup_line_no != 0 && kind != POS_DISCOUNT_NONE && value != 0)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                   _("“%s” is an item of an online order: it keeps the order's price."),
                   line->name != NULL ? line->name : "");
      return FALSE;
    }
  if (!validate_discount (self, kind, value, line->gross, FALSE, error))
    return FALSE;
  if (value == 0)
    kind = POS_DISCOUNT_NONE;
  if (kind == POS_DISCOUNT_NONE)
    value = 0;

  if (line->discount_kind != kind || line->discount_value != value)
    {
      line->discount_kind = kind;
      line->discount_value = value;
      line->dirty = TRUE;
    }
  commit_change (self);
  return TRUE;
}

void
pos_cart_set_line_note (PosCart    *self,
                        guint       position,
                        const char *note)
{
  PosCartLine *line;

  g_return_if_fail (POS_IS_CART (self));
  g_return_if_fail (position < self->lines->len);

  line = g_ptr_array_index (self->lines, position);
  if (note != NULL && *note == '\0')
    note = NULL;
  if (g_strcmp0 (line->note, note) != 0)
    {
      g_free (line->note);
      line->note = g_strdup (note);
      line->dirty = TRUE;
      g_object_notify_by_pspec (G_OBJECT (line), line_props[LINE_PROP_NOTE]);
    }
  commit_change (self);
}

gboolean
pos_cart_set_line_price (PosCart *self,
                         guint    position,
                         gint64   unit_price,
                         GError **error)
{
  PosCartLine *line;
  gint64 old_price;

  g_return_val_if_fail (POS_IS_CART (self), FALSE);
  g_return_val_if_fail (position < self->lines->len, FALSE);

  line = g_ptr_array_index (self->lines, position);
  if (line->fixed_gross >= 0)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PRICE,
                   _("The price of “%s” comes from its label and cannot be changed here."),
                   line->name != NULL ? line->name : "");
      return FALSE;
    }
  if (line->pickup_line_no != 0 && unit_price != line->unit_price)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PRICE,
                   _("“%s” is an item of an online order: it keeps the order's price."),
                   line->name != NULL ? line->name : "");
      return FALSE;
    }
  if (unit_price < 0 || unit_price > MAX_AMOUNT)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PRICE,
                   _("That price is not possible. Type a price of zero or more."));
      return FALSE;
    }
  if ((__int128) line->quantity * unit_price / 1000 > (__int128) MAX_AMOUNT)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PRICE,
                   _("That price makes the line too large an amount. Check what you typed."));
      return FALSE;
    }

  old_price = line->unit_price;
  line->unit_price = unit_price;
  if (line->discount_kind == POS_DISCOUNT_AMOUNT &&
      line->discount_value > line_compute_gross (line, line->quantity))
    {
      g_autofree char *amount = pos_money_format (line->discount_value, self->currency, NULL);

      line->unit_price = old_price;
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_DISCOUNT,
                   _("The discount of %s would be more than the line. Change the discount first."),
                   amount);
      return FALSE;
    }

  if (old_price != unit_price)
    {
      line->dirty = TRUE;
      g_object_notify_by_pspec (G_OBJECT (line), line_props[LINE_PROP_UNIT_PRICE]);
    }
  commit_change (self);
  return TRUE;
}

void
pos_cart_set_approval (PosCart    *self,
                       const char *permission,
                       const char *approval_id)
{
  g_return_if_fail (POS_IS_CART (self));
  g_return_if_fail (permission != NULL && *permission != '\0');

  if (approval_id == NULL || *approval_id == '\0')
    g_hash_table_remove (self->approvals, permission);
  else
    g_hash_table_insert (self->approvals, g_strdup (permission), g_strdup (approval_id));
}

const char *
pos_cart_get_approval (PosCart    *self,
                       const char *permission)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  g_return_val_if_fail (permission != NULL, NULL);

  return g_hash_table_lookup (self->approvals, permission);
}

static void replace_string (char **field, const char *value);

void
pos_cart_line_set_pickup_line (PosCartLine *self,
                               guint        order_line_no,
                               gint64       max_quantity)
{
  g_return_if_fail (POS_IS_CART_LINE (self));
  g_return_if_fail (!self->in_cart);

  self->pickup_line_no = order_line_no;
  self->pickup_max_quantity = max_quantity;
}

guint
pos_cart_line_get_pickup_line_no (PosCartLine *self)
{
  g_return_val_if_fail (POS_IS_CART_LINE (self), 0);
  return self->pickup_line_no;
}

void
pos_cart_set_pickup (PosCart    *self,
                     const char *order_id,
                     const char *handover_json)
{
  g_return_if_fail (POS_IS_CART (self));

  replace_string (&self->pickup_order_id, order_id);
  replace_string (&self->pickup_handover, order_id != NULL ? handover_json : NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

const char *
pos_cart_get_pickup_order_id (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->pickup_order_id;
}

const char *
pos_cart_get_pickup_handover (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->pickup_handover;
}

gboolean
pos_cart_set_discount (PosCart         *self,
                       PosDiscountKind  kind,
                       gint64           value,
                       GError         **error)
{
  g_return_val_if_fail (POS_IS_CART (self), FALSE);

  if (!validate_discount (self, kind, value, sum_after_line_discounts (self), TRUE, error))
    return FALSE;
  if (value == 0)
    kind = POS_DISCOUNT_NONE;
  if (kind == POS_DISCOUNT_NONE)
    value = 0;

  self->discount_kind = kind;
  self->discount_value = value;
  commit_change (self);
  return TRUE;
}

PosDiscountKind
pos_cart_get_discount_kind (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), POS_DISCOUNT_NONE);
  return self->discount_kind;
}

gint64
pos_cart_get_discount_value (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), 0);
  return self->discount_value;
}

static void
replace_string (char      **field,
                const char *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  if (*field != value)
    {
      char *copy = g_strdup (value);

      g_free (*field);
      *field = copy;
    }
}

void
pos_cart_set_note (PosCart    *self,
                   const char *note)
{
  g_return_if_fail (POS_IS_CART (self));
  replace_string (&self->note, note);
  commit_change (self);
}

const char *
pos_cart_get_note (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->note;
}

void
pos_cart_set_customer (PosCart    *self,
                       const char *customer_id,
                       const char *customer_name)
{
  g_return_if_fail (POS_IS_CART (self));
  replace_string (&self->customer_id, customer_id);
  replace_string (&self->customer_name, customer_name);
  commit_change (self);
}

const char *
pos_cart_get_customer_id (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->customer_id;
}

const char *
pos_cart_get_customer_name (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->customer_name;
}

/* ---- payments ---- */

gint64
pos_cart_get_cash_due (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), 0);

  if (self->totals.due == 0)
    return 0;
  /* What is due now, before any rounding a previous cash payment made. */
  return MAX (pos_money_round_cash (self->totals.total - self->totals.paid, self->currency), 0);
}

gboolean
pos_cart_add_payment (PosCart          *self,
                      PosPaymentMethod  method,
                      gint64            tendered,
                      const char       *reference,
                      const char       *card_last4,
                      GError          **error)
{
  PosPayment *payment;
  gint64 due;
  gint64 amount;

  g_return_val_if_fail (POS_IS_CART (self), FALSE);

  if (!pos_payment_method_from_string (pos_payment_method_to_string (method), NULL))
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT,
                   _("Unknown payment method."));
      return FALSE;
    }
  if (self->lines->len == 0)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_EMPTY,
                   _("The sale has no items yet. Add an item before taking payment."));
      return FALSE;
    }
  if (tendered <= 0 || tendered > MAX_AMOUNT)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT,
                   _("Type the amount received; it must be more than zero."));
      return FALSE;
    }
  if (self->payments->len >= JSON_MAX_PAYMENTS)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT,
                   _("Too many payments for one sale. Remove some and try again."));
      return FALSE;
    }

  due = self->totals.due;
  if (due <= 0)
    {
      g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT,
                   _("Nothing is due on this sale. Finish the sale or remove a payment."));
      return FALSE;
    }

  if (method == POS_PAYMENT_CASH)
    {
      /* due here has no rounding yet (totals.due is total - paid unless the
       * last payment rounded, in which case due is zero). */
      gint64 cash_due = pos_money_round_cash (due, self->currency);

      if (tendered >= cash_due)
        amount = cash_due;
      else if (tendered >= due)
        amount = due;
      else
        amount = tendered;
    }
  else
    {
      if (tendered > due)
        {
          g_autofree char *t = pos_money_format (tendered, self->currency, NULL);
          g_autofree char *d = pos_money_format (due, self->currency, NULL);

          g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_PAYMENT,
                       _("%s is more than the %s due. Only cash can be more than what is due."),
                       t, d);
          return FALSE;
        }
      amount = tendered;
    }

  payment = g_new0 (PosPayment, 1);
  payment->method = method;
  payment->amount = amount;
  payment->tendered = tendered;
  payment->reference = g_strdup (reference);
  payment->card_last4 = (method == POS_PAYMENT_CREDIT_CARD || method == POS_PAYMENT_DEBIT_CARD)
                        ? g_strdup (card_last4) : NULL;
  g_ptr_array_add (self->payments, payment);

  commit_change (self);
  return TRUE;
}

void
pos_cart_remove_payment (PosCart *self,
                         guint    index)
{
  g_return_if_fail (POS_IS_CART (self));
  g_return_if_fail (index < self->payments->len);

  g_ptr_array_remove_index (self->payments, index);
  commit_change (self);
}

guint
pos_cart_get_n_payments (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), 0);
  return self->payments->len;
}

const PosPayment *
pos_cart_get_payment (PosCart *self,
                      guint    index)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  g_return_val_if_fail (index < self->payments->len, NULL);
  return g_ptr_array_index (self->payments, index);
}

void
pos_cart_clear (PosCart *self)
{
  guint n;

  g_return_if_fail (POS_IS_CART (self));

  n = self->lines->len;
  g_ptr_array_set_size (self->lines, 0);
  g_ptr_array_set_size (self->payments, 0);
  self->discount_kind = POS_DISCOUNT_NONE;
  self->discount_value = 0;
  g_clear_pointer (&self->note, g_free);
  g_clear_pointer (&self->customer_id, g_free);
  g_clear_pointer (&self->customer_name, g_free);
  g_hash_table_remove_all (self->approvals);
  g_clear_pointer (&self->pickup_order_id, g_free);
  g_clear_pointer (&self->pickup_handover, g_free);
  recompute (self);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
pos_cart_get_totals (PosCart       *self,
                     PosCartTotals *out)
{
  g_return_if_fail (POS_IS_CART (self));
  g_return_if_fail (out != NULL);
  *out = self->totals;
}

gint64
pos_cart_get_points_earned (PosCart *self,
                            gint64   earn_unit)
{
  g_return_val_if_fail (POS_IS_CART (self), 0);
  return pos_loyalty_points_earned (self->totals.total, (const PosPayment *const *) self->payments->pdata,
                                    self->payments->len, earn_unit);
}

PosTaxSummary *
pos_cart_get_tax_summary (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), NULL);
  return self->summary;
}

gboolean
pos_cart_is_empty (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), TRUE);
  return self->lines->len == 0;
}

gboolean
pos_cart_is_fully_paid (PosCart *self)
{
  g_return_val_if_fail (POS_IS_CART (self), FALSE);
  return self->lines->len > 0 && self->totals.due == 0;
}

/* ------------------------------------------------------------------ */
/* JSON */

static const char *
discount_kind_to_string (PosDiscountKind kind)
{
  switch (kind)
    {
    case POS_DISCOUNT_PERCENT: return "percent";
    case POS_DISCOUNT_AMOUNT:  return "amount";
    case POS_DISCOUNT_NONE:    return "none";
    default:                   return "none";
    }
}

static gboolean
discount_kind_from_string (const char      *s,
                           PosDiscountKind *out)
{
  if (g_strcmp0 (s, "none") == 0)
    *out = POS_DISCOUNT_NONE;
  else if (g_strcmp0 (s, "percent") == 0)
    *out = POS_DISCOUNT_PERCENT;
  else if (g_strcmp0 (s, "amount") == 0)
    *out = POS_DISCOUNT_AMOUNT;
  else
    return FALSE;
  return TRUE;
}

static int
compare_strings (const char **a,
                 const char **b)
{
  return strcmp (*a, *b);
}

static void
add_discount (JsonBuilder     *b,
              PosDiscountKind  kind,
              gint64           value)
{
  json_builder_set_member_name (b, "discount");
  json_builder_begin_object (b);
  pos_json_add_string (b, "kind", discount_kind_to_string (kind));
  pos_json_add_int (b, "value", value);
  json_builder_end_object (b);
}

/* The approvals the cart carries, by permission name (sorted, so that
 * the same cart gives the same document). */
static void
add_approvals (JsonBuilder *b,
               GHashTable  *approvals)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (approvals, NULL);
  guint n = g_hash_table_size (approvals);

  g_qsort_with_data (keys, (gint) n, sizeof (char *), (GCompareDataFunc) compare_strings, NULL);
  json_builder_set_member_name (b, "approvals");
  json_builder_begin_object (b);
  for (guint i = 0; i < n; i++)
    pos_json_add_string (b, keys[i], g_hash_table_lookup (approvals, keys[i]));
  json_builder_end_object (b);
}

char *
pos_cart_to_json (PosCart *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const PosCartTotals *t;

  g_return_val_if_fail (POS_IS_CART (self), NULL);

  t = &self->totals;

  json_builder_begin_object (b);
  pos_json_add_int (b, "version", CART_JSON_VERSION);
  pos_json_add_string (b, "currency", self->currency);
  pos_json_add_string (b, "tax_mode", self->tax_mode == POS_TAX_INCLUSIVE ? "inclusive" : "exclusive");
  pos_json_add_string (b, "note", self->note);
  pos_json_add_string (b, "customer_id", self->customer_id);
  pos_json_add_string (b, "customer_name", self->customer_name);
  add_discount (b, self->discount_kind, self->discount_value);
  add_approvals (b, self->approvals);
  if (self->pickup_order_id != NULL)
    {
      g_autoptr(JsonNode) handover = self->pickup_handover != NULL
                                     ? json_from_string (self->pickup_handover, NULL) : NULL;

      json_builder_set_member_name (b, "pickup");
      json_builder_begin_object (b);
      pos_json_add_string (b, "order_id", self->pickup_order_id);
      json_builder_set_member_name (b, "handover");
      if (handover != NULL)
        json_builder_add_value (b, g_steal_pointer (&handover));
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }

  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->lines->len; i++)
    {
      PosCartLine *line = g_ptr_array_index (self->lines, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", i + 1);
      pos_json_add_int (b, "product_id", line->product_id);
      pos_json_add_string (b, "sku", line->sku);
      pos_json_add_string (b, "name", line->name);
      pos_json_add_string (b, "barcode", line->barcode);
      json_builder_set_member_name (b, "weighed");
      json_builder_add_boolean_value (b, line->weighed);
      pos_json_add_int (b, "quantity", line->quantity);
      pos_json_add_int (b, "unit_price", line->unit_price);
      pos_json_add_int (b, "catalog_price", line->catalog_price);
      json_builder_set_member_name (b, "price_overridden");
      json_builder_add_boolean_value (b, line->unit_price != line->catalog_price);
      pos_json_add_int (b, "tax_rate_bp", line->tax_rate_bp);
      pos_json_add_int (b, "fixed_gross", line->fixed_gross);
      pos_json_add_string (b, "note", line->note);
      add_discount (b, line->discount_kind, line->discount_value);
      if (line->pickup_line_no != 0)
        {
          pos_json_add_int (b, "pickup_line_no", line->pickup_line_no);
          pos_json_add_int (b, "pickup_max_quantity", line->pickup_max_quantity);
        }
      /* Computed, for readers of the outbox; ignored when read back. */
      pos_json_add_int (b, "gross", line->gross);
      pos_json_add_int (b, "line_discount", line->line_discount);
      pos_json_add_int (b, "sale_discount", line->sale_discount);
      pos_json_add_int (b, "total", line->total);
      pos_json_add_int (b, "tax", line->tax);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "payments");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (self->payments, i);

      json_builder_begin_object (b);
      pos_json_add_string (b, "method", pos_payment_method_to_string (p->method));
      pos_json_add_int (b, "amount", p->amount);
      pos_json_add_int (b, "tendered", p->tendered);
      pos_json_add_string (b, "reference", p->reference);
      pos_json_add_string (b, "card_last4", p->card_last4);
      pos_json_add_string (b, "card_brand", p->card_brand);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "totals");
  json_builder_begin_object (b);
  pos_json_add_int (b, "subtotal", t->subtotal);
  pos_json_add_int (b, "line_discounts", t->line_discounts);
  pos_json_add_int (b, "sale_discount", t->sale_discount);
  pos_json_add_int (b, "total", t->total);
  pos_json_add_int (b, "tax_total", t->tax_total);
  pos_json_add_int (b, "paid", t->paid);
  pos_json_add_int (b, "due", t->due);
  pos_json_add_int (b, "change", t->change);
  pos_json_add_int (b, "rounding", t->rounding);
  pos_json_add_int (b, "n_items", t->n_items);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "tax_summary");
  json_builder_begin_array (b);
  for (guint i = 0; i < pos_tax_summary_get_n_rows (self->summary); i++)
    {
      const PosTaxSummaryRow *row = pos_tax_summary_get_row (self->summary, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "rate_bp", row->rate_bp);
      pos_json_add_int (b, "base", row->base);
      pos_json_add_int (b, "tax", row->tax);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* ---- reading ---- */

#define JSON_MAX_STRING 4096

static gboolean
json_fail (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
json_fail (GError    **error,
           const char *format,
           ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, POS_CART_ERROR, POS_CART_ERROR_INVALID,
               _("The saved sale is damaged and cannot be opened (%s)."), detail);
  return FALSE;
}

/* Guards json-glib's recursive parser against hostile nesting. */
static gboolean
json_depth_ok (const char *json,
               gsize       len)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = json[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > JSON_MAX_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return TRUE;
}

static gboolean
read_int (JsonObject  *obj,
          const char  *where,
          const char  *name,
          gint64       min,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  gint64 v;

  if (node == NULL)
    return json_fail (error, "%s: “%s” is missing", where, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return json_fail (error, "%s: “%s” is not an integer", where, name);
  v = json_node_get_int (node);
  if (v < min || v > max)
    return json_fail (error, "%s: “%s” is out of range", where, name);
  *out = v;
  return TRUE;
}

/* The same for a member added after version 1 documents were written:
 * absent means fallback. */
static gboolean
read_optional_int (JsonObject  *obj,
                   const char  *where,
                   const char  *name,
                   gint64       min,
                   gint64       max,
                   gint64       fallback,
                   gint64      *out,
                   GError     **error)
{
  if (!json_object_has_member (obj, name))
    {
      *out = fallback;
      return TRUE;
    }
  return read_int (obj, where, name, min, max, out, error);
}

static gboolean
read_string (JsonObject  *obj,
             const char  *where,
             const char  *name,
             gboolean     nullable,
             const char **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  const char *v;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!nullable)
        return json_fail (error, "%s: “%s” is missing", where, name);
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return json_fail (error, "%s: “%s” is not a string", where, name);
  v = json_node_get_string (node);
  if (v == NULL || strlen (v) > JSON_MAX_STRING || !g_utf8_validate (v, -1, NULL))
    return json_fail (error, "%s: “%s” is not valid text", where, name);
  *out = v;
  return TRUE;
}

static gboolean
read_bool (JsonObject  *obj,
           const char  *where,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    return json_fail (error, "%s: “%s” is missing", where, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return json_fail (error, "%s: “%s” is not true or false", where, name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonObject *
read_object (JsonObject  *obj,
             const char  *where,
             const char  *name,
             GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_fail (error, "%s: “%s” is not an object", where, name);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
read_array (JsonObject  *obj,
            const char  *name,
            guint        max_len,
            GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      json_fail (error, "“%s” is not a list", name);
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > max_len)
    {
      json_fail (error, "“%s” has too many entries", name);
      return NULL;
    }
  return array;
}

static gboolean
read_discount (JsonObject      *obj,
               const char      *where,
               PosDiscountKind *kind,
               gint64          *value,
               GError         **error)
{
  JsonObject *d = read_object (obj, where, "discount", error);
  const char *kind_s;

  if (d == NULL ||
      !read_string (d, where, "kind", FALSE, &kind_s, error) ||
      !read_int (d, where, "value", 0, MAX_AMOUNT, value, error))
    return FALSE;
  if (!discount_kind_from_string (kind_s, kind))
    return json_fail (error, "%s: unknown discount kind", where);
  if (*kind == POS_DISCOUNT_NONE && *value != 0)
    return json_fail (error, "%s: discount value without a kind", where);
  return TRUE;
}

static gboolean
read_line (PosCart    *cart,
           JsonNode   *node,
           guint       index,
           GError    **error)
{
  g_autofree char *where = g_strdup_printf ("line %u", index + 1);
  g_autoptr(PosCartLine) line = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *obj;
  gint64 product_id = 0, quantity = 0, unit_price = 0, catalog_price = 0, tax_rate_bp = 0, fixed_gross = -1, value = 0;
  gint64 pickup_line_no = 0, pickup_max = 0;
  const char *sku, *name, *barcode, *note;
  gboolean weighed = FALSE;
  PosDiscountKind kind = POS_DISCOUNT_NONE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return json_fail (error, "%s is not an object", where);
  obj = json_node_get_object (node);

  if (!read_int (obj, where, "product_id", G_MININT64, G_MAXINT64, &product_id, error) ||
      !read_string (obj, where, "sku", TRUE, &sku, error) ||
      !read_string (obj, where, "name", TRUE, &name, error) ||
      !read_string (obj, where, "barcode", TRUE, &barcode, error) ||
      !read_bool (obj, where, "weighed", &weighed, error) ||
      !read_int (obj, where, "quantity", 1, MAX_QUANTITY, &quantity, error) ||
      !read_int (obj, where, "unit_price", 0, MAX_AMOUNT, &unit_price, error) ||
      !read_optional_int (obj, where, "catalog_price", 0, MAX_AMOUNT, unit_price, &catalog_price, error) ||
      !read_int (obj, where, "tax_rate_bp", 0, 100000, &tax_rate_bp, error) ||
      !read_int (obj, where, "fixed_gross", -1, MAX_AMOUNT, &fixed_gross, error) ||
      !read_string (obj, where, "note", TRUE, &note, error) ||
      !read_discount (obj, where, &kind, &value, error) ||
      !read_optional_int (obj, where, "pickup_line_no", 0, G_MAXUINT32, 0, &pickup_line_no, error) ||
      !read_optional_int (obj, where, "pickup_max_quantity", 0, MAX_QUANTITY, 0, &pickup_max, error))
    return FALSE;
  if (pickup_line_no != 0 && (kind != POS_DISCOUNT_NONE || unit_price != catalog_price))
    return json_fail (error, "%s: an online order's line with a discount or another price", where);

  line = pos_cart_line_new (product_id, sku, name, barcode, unit_price, (guint) tax_rate_bp, weighed);
  line->catalog_price = catalog_price;
  line->fixed_gross = fixed_gross;
  line->note = g_strdup (note != NULL && *note != '\0' ? note : NULL);
  line->pickup_line_no = (guint) pickup_line_no;
  line->pickup_max_quantity = pickup_max;

  if (!check_quantity (cart, line, quantity, &local_error))
    return json_fail (error, "%s: %s", where, local_error->message);
  if (!validate_discount (cart, kind, value, line_compute_gross (line, quantity), FALSE, &local_error))
    return json_fail (error, "%s: %s", where, local_error->message);

  line->discount_kind = kind;
  line->discount_value = value;
  line->quantity = quantity;
  line->in_cart = TRUE;
  g_ptr_array_add (cart->lines, g_steal_pointer (&line));
  return TRUE;
}

static gboolean
read_payment (PosCart   *cart,
              JsonNode  *node,
              guint      index,
              GError   **error)
{
  g_autofree char *where = g_strdup_printf ("payment %u", index + 1);
  JsonObject *obj;
  const char *method_s, *reference, *last4, *brand;
  gint64 amount, tendered;
  PosPaymentMethod method;
  PosPayment *payment;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return json_fail (error, "%s is not an object", where);
  obj = json_node_get_object (node);

  if (!read_string (obj, where, "method", FALSE, &method_s, error) ||
      !read_int (obj, where, "amount", 0, MAX_AMOUNT, &amount, error) ||
      !read_int (obj, where, "tendered", 1, MAX_AMOUNT, &tendered, error) ||
      !read_string (obj, where, "reference", TRUE, &reference, error) ||
      !read_string (obj, where, "card_last4", TRUE, &last4, error) ||
      !read_string (obj, where, "card_brand", TRUE, &brand, error))
    return FALSE;
  if (!pos_payment_method_from_string (method_s, &method))
    return json_fail (error, "%s: unknown method “%s”", where, method_s);
  if (tendered < amount)
    return json_fail (error, "%s: less tendered than applied", where);
  if (method != POS_PAYMENT_CASH && (tendered != amount || amount == 0))
    return json_fail (error, "%s: a non-cash payment with change", where);

  payment = g_new0 (PosPayment, 1);
  payment->method = method;
  payment->amount = amount;
  payment->tendered = tendered;
  payment->reference = g_strdup (reference);
  payment->card_last4 = g_strdup (last4);
  payment->card_brand = g_strdup (brand);
  g_ptr_array_add (cart->payments, payment);
  return TRUE;
}

/* "approvals": {"price_override": "id", ...}; absent in older documents. */
static gboolean
read_approvals (PosCart    *cart,
                JsonObject *obj,
                GError    **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *approvals;

  if (!json_object_has_member (obj, "approvals"))
    return TRUE;
  approvals = read_object (obj, "sale", "approvals", error);
  if (approvals == NULL)
    return FALSE;
  if (json_object_get_size (approvals) > JSON_MAX_APPROVALS)
    return json_fail (error, "“approvals” has too many entries");

  members = json_object_get_members (approvals);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *permission = l->data;
      const char *id;

      if (*permission == '\0' || strlen (permission) > 64 || !g_utf8_validate (permission, -1, NULL))
        return json_fail (error, "approvals: a permission name is not valid");
      if (!read_string (approvals, "approvals", permission, TRUE, &id, error))
        return FALSE;
      if (id != NULL && *id != '\0')
        g_hash_table_insert (cart->approvals, g_strdup (permission), g_strdup (id));
    }
  return TRUE;
}

/* "pickup": {"order_id": "…", "handover": {…}}; absent for a plain sale. */
static gboolean
read_pickup (PosCart    *cart,
             JsonObject *obj,
             GError    **error)
{
  JsonObject *pickup;
  JsonNode *handover;
  const char *order_id;

  if (!json_object_has_member (obj, "pickup"))
    return TRUE;
  pickup = read_object (obj, "sale", "pickup", error);
  if (pickup == NULL)
    return FALSE;
  if (!read_string (pickup, "pickup", "order_id", FALSE, &order_id, error))
    return FALSE;
  handover = json_object_get_member (pickup, "handover");
  if (handover != NULL && !JSON_NODE_HOLDS_OBJECT (handover) && !JSON_NODE_HOLDS_NULL (handover))
    return json_fail (error, "pickup: “handover” is not an object");
  cart->pickup_order_id = g_strdup (order_id);
  cart->pickup_handover = handover != NULL && JSON_NODE_HOLDS_OBJECT (handover)
                          ? json_to_string (handover, FALSE) : NULL;
  return TRUE;
}

PosCart *
pos_cart_new_from_json (const char  *json,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(PosCart) cart = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj;
  JsonArray *lines, *payments;
  gint64 version, value;
  const char *currency, *tax_mode_s, *note, *customer_id, *customer_name;
  PosTaxMode tax_mode;
  PosDiscountKind kind;
  gsize len;

  if (json == NULL)
    {
      json_fail (error, "no data");
      return NULL;
    }
  len = strlen (json);
  if (len == 0 || len > JSON_MAX_SIZE)
    {
      json_fail (error, len == 0 ? "no data" : "too large");
      return NULL;
    }
  if (!g_utf8_validate (json, len, NULL))
    {
      json_fail (error, "not UTF-8 text");
      return NULL;
    }
  if (!json_depth_ok (json, len))
    {
      json_fail (error, "nested too deeply");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, (gssize) len, &local_error))
    {
      json_fail (error, "%s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      json_fail (error, "not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);

  if (!read_int (obj, "sale", "version", 1, G_MAXINT64, &version, error))
    return NULL;
  if (version != CART_JSON_VERSION)
    {
      json_fail (error, "version %" G_GINT64_FORMAT " is not supported", version);
      return NULL;
    }
  if (!read_string (obj, "sale", "currency", FALSE, &currency, error) ||
      !read_string (obj, "sale", "tax_mode", FALSE, &tax_mode_s, error) ||
      !read_string (obj, "sale", "note", TRUE, &note, error) ||
      !read_string (obj, "sale", "customer_id", TRUE, &customer_id, error) ||
      !read_string (obj, "sale", "customer_name", TRUE, &customer_name, error) ||
      !read_discount (obj, "sale", &kind, &value, error))
    return NULL;

  if (strlen (currency) != 3 || pos_money_currency_exponent (currency) < 0)
    {
      json_fail (error, "unknown currency “%s”", currency);
      return NULL;
    }
  if (g_str_equal (tax_mode_s, "inclusive"))
    tax_mode = POS_TAX_INCLUSIVE;
  else if (g_str_equal (tax_mode_s, "exclusive"))
    tax_mode = POS_TAX_EXCLUSIVE;
  else
    {
      json_fail (error, "unknown tax mode “%s”", tax_mode_s);
      return NULL;
    }

  if ((lines = read_array (obj, "lines", JSON_MAX_LINES, error)) == NULL ||
      (payments = read_array (obj, "payments", JSON_MAX_PAYMENTS, error)) == NULL)
    return NULL;

  cart = pos_cart_new (currency, tax_mode);
  cart->note = g_strdup (note != NULL && *note != '\0' ? note : NULL);
  cart->customer_id = g_strdup (customer_id != NULL && *customer_id != '\0' ? customer_id : NULL);
  cart->customer_name = g_strdup (customer_name != NULL && *customer_name != '\0' ? customer_name : NULL);

  if (!read_approvals (cart, obj, error) ||
      !read_pickup (cart, obj, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (lines); i++)
    if (!read_line (cart, json_array_get_element (lines, i), i, error))
      return NULL;

  recompute (cart);
  if (!validate_discount (cart, kind, value, sum_after_line_discounts (cart), TRUE, &local_error))
    {
      json_fail (error, "sale: %s", local_error->message);
      return NULL;
    }
  cart->discount_kind = kind;
  cart->discount_value = value;

  for (guint i = 0; i < json_array_get_length (payments); i++)
    if (!read_payment (cart, json_array_get_element (payments, i), i, error))
      return NULL;
  if (payments != NULL && json_array_get_length (payments) > 0 && cart->lines->len == 0)
    {
      json_fail (error, "payments without items");
      return NULL;
    }

  recompute (cart);
  clear_dirty (cart);
  return g_steal_pointer (&cart);
}
