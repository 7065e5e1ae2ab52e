/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-returns"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-money.h"
#include "domain/pos-uuid.h"
#include "pos-loyalty.h"
#include "pos-sales-private.h"
#include "pos-shifts-private.h"
#include "pos-staff.h"

/* Returns: a new document (kind 'return', original_sale_id set, number
 * "STORE-TERMINAL-D000001" from its own sequence) with negative
 * quantities, amounts and payments.
 *
 * Pro rata: a line's refund is its paid total (after line and sale
 * discounts; plus its tax in tax-exclusive mode) times returned / sold.
 * It is computed cumulatively: refund now = round (total * (earlier +
 * now) / sold) - what earlier returns refunded, and the return that
 * reaches the sold quantity refunds exactly what is left. So returning a
 * line in any number of steps refunds exactly its total. Tax, approximate
 * tax, gross and discounts are split the same way.
 *
 * Refund to the original tender: non-cash payments first, in the order
 * they were taken, each up to what it paid minus what earlier returns gave
 * back to it, then cash. Each refund row carries reference "PAYMENT:<seq>"
 * naming the payment it reverses. Refund to store credit: one store_credit
 * row; when the sale has a customer known here, customers.store_credit grows
 * by the amount (reference NULL); otherwise the reference is a voucher
 * code "VALE-<return number>" printed on the receipt.
 *
 * Loyalty points (docs/loyalty.md): a payment with points is always given
 * back as points, never as money, in whole points at the value they had in
 * the sale (what is not a whole point goes to the next method). To the
 * original tender it takes its turn among the non-cash payments; to store
 * credit, payments with points are given back first and the rest becomes
 * credit. The return also takes back the points the sale earned, in
 * proportion to the money refunded (pos_loyalty_points_taken_back). */

typedef struct {
  const PosSaleLine *orig;
  gint64 quantity;       /* > 0, returned now */
  gint64 gross;          /* > 0 shares of the line, refunded now */
  gint64 line_discount;
  gint64 sale_discount;
  gint64 total;
  gint64 tax;
  gint64 approx_tax;
  gint64 refund;         /* total, plus tax when exclusive */
} ReturnLine;

typedef struct {
  PosSaleRecord *sale;
  GArray        *lines;  /* ReturnLine */
  gint64         gross;
  gint64         line_discounts;
  gint64         sale_discount;
  gint64         tax;
  gint64         approx_tax;
  gint64         refund;
} ReturnPlan;

static void
return_plan_clear (ReturnPlan *plan)
{
  g_clear_pointer (&plan->sale, pos_sale_record_free);
  g_clear_pointer (&plan->lines, g_array_unref);
}

enum { F_GROSS, F_LINE_DISC, F_SALE_DISC, F_TOTAL, F_TAX, F_APPROX, N_FIELDS };

static gboolean
prior_refunds (PosDatabase *db,
               const char  *sale_id,
               guint        line_no,
               gint64       out[N_FIELDS],
               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT -COALESCE (SUM (rl.gross), 0), -COALESCE (SUM (rl.line_discount), 0), "
      "-COALESCE (SUM (rl.sale_discount), 0), -COALESCE (SUM (rl.total), 0), "
      "-COALESCE (SUM (rl.tax), 0), -COALESCE (SUM (rl.approx_tax), 0) "
      "FROM sales rs JOIN sale_lines rl ON rl.sale_id = rs.id "
      "WHERE rs.original_sale_id = ? AND rl.original_line_no = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, (int) line_no);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      pos_database_set_error (db, error, _("Cannot read earlier returns"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  for (int i = 0; i < N_FIELDS; i++)
    out[i] = sqlite3_column_int64 (stmt, i);
  sqlite3_reset (stmt);
  return TRUE;
}

/* The share of whole that belongs to cumulative quantity cum of sold,
 * minus what was already refunded. */
static gint64
share (gint64 whole,
       gint64 prior,
       gint64 cum,
       gint64 sold)
{
  gint64 target;

  if (cum >= sold)
    target = whole;
  else
    target = pos_money_mul_div (whole, cum, sold, POS_ROUND_HALF_EVEN);
  return CLAMP (target - prior, 0, MAX (whole - prior, 0));
}

static const PosSaleLine *
find_line (PosSaleRecord *sale,
           guint          line_no)
{
  for (guint i = 0; i < sale->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (sale->lines, i);
      if (l->line_no == line_no)
        return l;
    }
  return NULL;
}

static char *
format_quantity (const PosSaleLine *line,
                 gint64             quantity)
{
  if (line->weighed)
    return g_strdup_printf ("%" G_GINT64_FORMAT " g", quantity);
  if (quantity % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, quantity / 1000);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT, quantity / 1000, quantity % 1000);
}

static gboolean
build_plan (PosDatabase         *db,
            const char          *sale_id,
            const PosReturnItem *items,
            guint                n_items,
            ReturnPlan          *plan,
            GError             **error)
{
  memset (plan, 0, sizeof *plan);

  plan->sale = pos_sales_load (db, sale_id, error);
  if (plan->sale == NULL)
    return FALSE;

  if (g_strcmp0 (plan->sale->kind, "sale") != 0)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_KIND,
                   _("%s is itself a return and cannot be returned. Open the original sale %s instead."),
                   plan->sale->number,
                   plan->sale->original_number ? plan->sale->original_number : "");
      return FALSE;
    }

  if (n_items == 0 || items == NULL)
    {
      g_set_error_literal (error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY,
                           _("Choose at least one item to return."));
      return FALSE;
    }

  plan->lines = g_array_new (FALSE, TRUE, sizeof (ReturnLine));

  for (guint i = 0; i < n_items; i++)
    {
      const PosSaleLine *orig = find_line (plan->sale, items[i].line_no);
      ReturnLine *rl = NULL;
      gint64 prior[N_FIELDS];
      gint64 rest;
      gint64 earlier;
      gint64 cum;

      if (orig == NULL)
        {
          g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND,
                       _("Sale %s has no line %u."), plan->sale->number, items[i].line_no);
          return FALSE;
        }
      if (items[i].quantity <= 0)
        {
          g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT,
                       _("Line %u (%s): enter a quantity above zero to return."),
                       orig->line_no, orig->name);
          return FALSE;
        }

      /* The same line twice in one request: add them up. */
      for (guint j = 0; j < plan->lines->len; j++)
        if (g_array_index (plan->lines, ReturnLine, j).orig == orig)
          rl = &g_array_index (plan->lines, ReturnLine, j);
      if (rl == NULL)
        {
          ReturnLine zero = { .orig = orig };
          g_array_append_val (plan->lines, zero);
          rl = &g_array_index (plan->lines, ReturnLine, plan->lines->len - 1);
        }
      if (items[i].quantity > G_MAXINT64 - rl->quantity)
        rl->quantity = G_MAXINT64;
      else
        rl->quantity += items[i].quantity;

      rest = orig->quantity - orig->returned_quantity;
      if (rl->quantity > rest)
        {
          g_autofree char *q_rest = format_quantity (orig, MAX (rest, 0));
          g_autofree char *q_sold = format_quantity (orig, orig->quantity);

          g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT,
                       _("Line %u (%s): only %s of %s sold can still be returned."),
                       orig->line_no, orig->name, q_rest, q_sold);
          return FALSE;
        }
      if (!orig->weighed && rl->quantity % 1000 != 0 && rl->quantity != rest)
        {
          g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_LIMIT,
                       _("Line %u (%s): return whole units (or all that is left)."),
                       orig->line_no, orig->name);
          return FALSE;
        }

      if (!prior_refunds (db, plan->sale->id, orig->line_no, prior, error))
        return FALSE;

      earlier = orig->returned_quantity;
      cum = earlier + rl->quantity;
      rl->gross = share (orig->gross, prior[F_GROSS], cum, orig->quantity);
      rl->line_discount = share (orig->line_discount, prior[F_LINE_DISC], cum, orig->quantity);
      rl->sale_discount = share (orig->sale_discount, prior[F_SALE_DISC], cum, orig->quantity);
      rl->total = share (orig->total, prior[F_TOTAL], cum, orig->quantity);
      rl->tax = share (orig->tax, prior[F_TAX], cum, orig->quantity);
      rl->approx_tax = share (orig->approx_tax, prior[F_APPROX], cum, orig->quantity);
      rl->refund = rl->total + (plan->sale->tax_mode == POS_TAX_EXCLUSIVE ? rl->tax : 0);
    }

  for (guint j = 0; j < plan->lines->len; j++)
    {
      const ReturnLine *rl = &g_array_index (plan->lines, ReturnLine, j);

      plan->gross += rl->gross;
      plan->line_discounts += rl->line_discount;
      plan->sale_discount += rl->sale_discount;
      plan->tax += rl->tax;
      plan->approx_tax += rl->approx_tax;
      plan->refund += rl->refund;
    }

  return TRUE;
}

gint64
pos_returns_preview (PosDatabase         *db,
                     const char          *sale_id,
                     const PosReturnItem *items,
                     guint                n_items,
                     GError             **error)
{
  ReturnPlan plan;
  gint64 refund = -1;

  g_return_val_if_fail (POS_IS_DATABASE (db), -1);
  g_return_val_if_fail (sale_id != NULL, -1);

  if (build_plan (db, sale_id, items, n_items, &plan, error))
    refund = plan.refund;
  return_plan_clear (&plan);
  return refund;
}

typedef struct {
  PosPaymentMethod method;
  gint64 amount;          /* > 0, refunded */
  gint64 points;          /* loyalty points given back (method LOYALTY_POINTS) */
  const char *card_last4;
  const char *card_brand;
  char *reference;
} Refund;

static void
refund_clear (gpointer data)
{
  Refund *r = data;
  g_free (r->reference);
}

static gboolean
prior_payment_refunds (PosDatabase *db,
                       const char  *sale_id,
                       GHashTable  *by_reference,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT p.reference, -SUM (p.amount) FROM sales rs JOIN sale_payments p ON p.sale_id = rs.id "
      "WHERE rs.original_sale_id = ? AND p.reference LIKE 'PAYMENT:%' GROUP BY p.reference", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *amount = g_new (gint64, 1);

      *amount = sqlite3_column_int64 (stmt, 1);
      g_hash_table_insert (by_reference, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), amount);
    }
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Cannot read earlier refunds"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* What one point of the sale was worth: its payments with points over the
 * points they used (0 when the sale paid with none). */
static gint64
sale_point_value (const PosSaleRecord *sale)
{
  gint64 money = 0;

  for (guint i = 0; i < sale->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (sale->payments, i);

      if (p->method == POS_PAYMENT_LOYALTY_POINTS)
        money += p->amount;
    }
  if (money <= 0 || sale->loyalty_redeemed <= 0 || money % sale->loyalty_redeemed != 0)
    return 0;
  return money / sale->loyalty_redeemed;
}

static gboolean
plan_refunds (PosDatabase      *db,
              const ReturnPlan *plan,
              PosRefundMethod   method,
              GArray           *refunds,
              GError          **error)
{
  g_autoptr(GHashTable) prior = NULL;
  gint64 remaining = plan->refund;
  PosSaleRecord *sale = plan->sale;
  gint64 point_value = sale_point_value (sale);

  if (remaining <= 0)
    return TRUE;

  prior = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!prior_payment_refunds (db, sale->id, prior, error))
    return FALSE;

  /* Two passes: non-cash payments in order, then cash. To store credit:
   * the payments with points only, then credit for the rest. */
  for (int pass = 0; pass < 2 && remaining > 0; pass++)
    {
      for (guint i = 0; i < sale->payments->len && remaining > 0; i++)
        {
          const PosPayment *p = g_ptr_array_index (sale->payments, i);
          g_autofree char *ref = g_strdup_printf ("PAYMENT:%u", i + 1);
          const gint64 *given = g_hash_table_lookup (prior, ref);
          gboolean points = p->method == POS_PAYMENT_LOYALTY_POINTS;
          gint64 cap;
          gint64 take;

          if ((p->method == POS_PAYMENT_CASH) != (pass == 1))
            continue;
          if (method == POS_REFUND_STORE_CREDIT && !points)
            continue;
          if (points && point_value <= 0)
            continue;
          cap = p->amount - (given ? *given : 0);
          take = MIN (cap, remaining);
          if (points)
            take -= take % point_value;   /* whole points; the rest goes on */
          if (take <= 0)
            continue;

          Refund r = {
            .method = p->method,
            .amount = take,
            .points = points ? take / point_value : 0,
            .card_last4 = p->card_last4,
            .card_brand = p->card_brand,
            .reference = g_steal_pointer (&ref),
          };
          g_array_append_val (refunds, r);
          remaining -= take;
        }
    }

  if (remaining > 0 && method == POS_REFUND_STORE_CREDIT)
    {
      Refund r = { .method = POS_PAYMENT_STORE_CREDIT, .amount = remaining };
      g_array_append_val (refunds, r);
      return TRUE;
    }

  if (remaining > 0)
    {
      /* Only reachable if the sale's payments do not cover its total
       * (e.g. an imported sale): the rest goes back in cash. */
      Refund r = { .method = POS_PAYMENT_CASH, .amount = remaining };
      g_array_append_val (refunds, r);
    }

  return TRUE;
}

static gboolean
credit_customer (PosDatabase *db,
                 const char  *customer_id,
                 gint64       amount,
                 gint64       now,
                 gboolean    *out_credited,
                 GError     **error)
{
  sqlite3_stmt *stmt;

  *out_credited = FALSE;
  if (customer_id == NULL)
    return TRUE;

  stmt = pos_database_prepare_cached (db,
      "UPDATE customers SET store_credit = store_credit + ?1, updated_at = ?2 "
      "WHERE id = ?3 AND erased_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, amount);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_text (stmt, 3, customer_id, -1, SQLITE_TRANSIENT);
  if (!_pos_sales_step_done (db, stmt, _("Cannot credit the customer"), error))
    return FALSE;
  *out_credited = sqlite3_changes (pos_database_get_handle (db)) > 0;
  return TRUE;
}

/* Who makes the return, in which shift, and how it is recorded. */
typedef struct {
  const char *staff_id;
  const char *shift_id;
  const char *audit_action;   /* "return.create" or "sale.void" */
  const char *approver_id;
} ReturnActor;

static gboolean
write_return (PosDatabase        *db,
              const ReturnPlan   *plan,
              const PosStoreInfo *info,
              const ReturnActor  *actor,
              PosRefundMethod     method,
              const char         *reason,
              const char         *id,
              const char         *number,
              gint64              now,
              GError            **error)
{
  const PosSaleRecord *sale = plan->sale;
  g_autofree char *business_date = _pos_sales_business_date (now);
  g_autoptr(GArray) refunds = g_array_new (FALSE, TRUE, sizeof (Refund));
  sqlite3_stmt *stmt;

  gint64 taken_back = 0;
  gint64 given_back = 0;

  g_array_set_clear_func (refunds, refund_clear);
  if (!plan_refunds (db, plan, method, refunds, error))
    return FALSE;
  for (guint i = 0; i < refunds->len; i++)
    given_back += g_array_index (refunds, Refund, i).points;
  if (sale->customer_id != NULL && sale->loyalty_earned > 0)
    {
      gint64 taken_before = 0, given_before = 0, refunded_before = 0;

      if (!_pos_loyalty_prior_returns (db, sale->id, &taken_before, &given_before, &refunded_before, error))
        return FALSE;
      taken_back = pos_loyalty_points_taken_back (sale->loyalty_earned, sale->total, refunded_before,
                                                  plan->refund, taken_before);
    }

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO sales (id, number, kind, original_sale_id, store_id, terminal_id, staff_id, "
      "customer_id, currency, tax_mode, subtotal, line_discounts, sale_discount, total, tax_total, "
      "approx_tax, paid, change_given, reason, created_at, business_date, shift_id) "
      "VALUES (?1, ?2, 'return', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 0, ?17, ?18, ?19, ?20)",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, sale->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, info->store_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, info->terminal_id, -1, SQLITE_TRANSIENT);
  pos_database_bind_text (stmt, 6, actor->staff_id);
  if (sale->customer_id)
    sqlite3_bind_text (stmt, 7, sale->customer_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, sale->currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, sale->tax_mode == POS_TAX_EXCLUSIVE ? "exclusive" : "inclusive", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 10, -plan->gross);
  sqlite3_bind_int64 (stmt, 11, -plan->line_discounts);
  sqlite3_bind_int64 (stmt, 12, -plan->sale_discount);
  sqlite3_bind_int64 (stmt, 13, -plan->refund);
  sqlite3_bind_int64 (stmt, 14, -plan->tax);
  sqlite3_bind_int64 (stmt, 15, -plan->approx_tax);
  sqlite3_bind_int64 (stmt, 16, -plan->refund);
  if (reason)
    sqlite3_bind_text (stmt, 17, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 18, now);
  sqlite3_bind_text (stmt, 19, business_date, -1, SQLITE_TRANSIENT);
  pos_database_bind_text (stmt, 20, actor->shift_id);
  if (!_pos_sales_step_done (db, stmt, _("Cannot save the return"), error))
    return FALSE;

  for (guint i = 0; i < plan->lines->len; i++)
    {
      const ReturnLine *rl = &g_array_index (plan->lines, ReturnLine, i);
      const PosSaleLine *o = rl->orig;

      stmt = pos_database_prepare_cached (db,
          "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, barcode, weighed, "
          "quantity, unit_price, gross, line_discount, sale_discount, total, tax_rate_bp, tax, "
          "approx_tax, note, original_line_no) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL, ?17)",
          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      if (o->product_id > 0)
        sqlite3_bind_int64 (stmt, 3, o->product_id);
      sqlite3_bind_text (stmt, 4, o->sku, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, o->name, -1, SQLITE_TRANSIENT);
      if (o->barcode)
        sqlite3_bind_text (stmt, 6, o->barcode, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 7, o->weighed ? 1 : 0);
      sqlite3_bind_int64 (stmt, 8, -rl->quantity);
      sqlite3_bind_int64 (stmt, 9, o->unit_price);
      sqlite3_bind_int64 (stmt, 10, -rl->gross);
      sqlite3_bind_int64 (stmt, 11, -rl->line_discount);
      sqlite3_bind_int64 (stmt, 12, -rl->sale_discount);
      sqlite3_bind_int64 (stmt, 13, -rl->total);
      sqlite3_bind_int64 (stmt, 14, o->tax_rate_bp);
      sqlite3_bind_int64 (stmt, 15, -rl->tax);
      sqlite3_bind_int64 (stmt, 16, -rl->approx_tax);
      sqlite3_bind_int (stmt, 17, (int) o->line_no);
      if (!_pos_sales_step_done (db, stmt, _("Cannot save the return's lines"), error))
        return FALSE;

      if (o->product_id > 0 &&
          !_pos_sales_move_stock (db, info->store_id, o->product_id, rl->quantity,
                                  "return", id, now, error))
        return FALSE;
    }

  for (guint i = 0; i < refunds->len; i++)
    {
      Refund *r = &g_array_index (refunds, Refund, i);

      if (r->method == POS_PAYMENT_STORE_CREDIT)
        {
          gboolean credited = FALSE;

          if (!credit_customer (db, sale->customer_id, r->amount, now, &credited, error))
            return FALSE;
          if (!credited && r->reference == NULL)
            r->reference = g_strdup_printf ("VALE-%s", number);
        }

      stmt = pos_database_prepare_cached (db,
          "INSERT INTO sale_payments (sale_id, seq, method, amount, tendered, change, reference, "
          "card_last4, card_brand) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      sqlite3_bind_text (stmt, 3, pos_payment_method_to_string (r->method), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, -r->amount);
      sqlite3_bind_int64 (stmt, 5, -r->amount);
      if (r->reference)
        sqlite3_bind_text (stmt, 6, r->reference, -1, SQLITE_TRANSIENT);
      if (r->card_last4)
        sqlite3_bind_text (stmt, 7, r->card_last4, -1, SQLITE_TRANSIENT);
      if (r->card_brand)
        sqlite3_bind_text (stmt, 8, r->card_brand, -1, SQLITE_TRANSIENT);
      if (!_pos_sales_step_done (db, stmt, _("Cannot save the refund"), error))
        return FALSE;
    }

  if (!_pos_loyalty_record (db, id, sale->customer_id, -taken_back, -given_back, now, error))
    return FALSE;

  return _pos_sales_record_document (db, id, "return.create", actor->audit_action, reason,
                                     actor->approver_id, error);
}

char *
pos_returns_commit (PosDatabase         *db,
                    const char          *sale_id,
                    const PosReturnItem *items,
                    guint                n_items,
                    PosRefundMethod      method,
                    const char          *reason,
                    const char          *approval_id,
                    char               **out_number,
                    GError             **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *id = NULL;
  g_autofree char *number = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *shift_id = NULL;
  g_autofree char *approver = NULL;
  g_autofree char *what = NULL;
  ReturnPlan plan = { 0 };
  gint64 now;
  gboolean ok;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sale_id != NULL, NULL);

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;

  if (!pos_database_begin (db, error))
    return NULL;

  now = pos_now_ms ();
  id = pos_uuid7_new_at (now);
  what = g_strconcat ("return:", id, NULL);
  ok = _pos_shifts_require_open (db, &staff_id, &shift_id, error) &&
       build_plan (db, sale_id, items, n_items, &plan, error) &&
       pos_staff_authorize (db, POS_PERMISSION_REFUND, approval_id, what, &approver, error);
  if (ok)
    {
      ReturnActor actor = { staff_id, shift_id, "return.create", approver };

      number = _pos_sales_next_number (db, info, "return", error);
      ok = number != NULL &&
           write_return (db, &plan, info, &actor, method, reason, id, number, now, error) &&
           pos_database_commit_durable (db, error);
    }
  return_plan_clear (&plan);

  if (!ok)
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The return was not saved (nothing was written): "));
      return NULL;
    }

  if (out_number != NULL)
    *out_number = g_steal_pointer (&number);
  return g_steal_pointer (&id);
}

/* ------------------------------------------------------------------ */
/* Void */

/* The sale's shift, inside the transaction. */
static gboolean
sale_shift (PosDatabase *db,
            const char  *sale_id,
            char       **out_shift_id,
            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db, "SELECT shift_id FROM sales WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, sale_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_shift_id = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return pos_database_set_error (db, error, _("Cannot read the sale"));
  return TRUE;
}

static gboolean
void_in_transaction (PosDatabase        *db,
                     const PosStoreInfo *info,
                     const char         *sale_key,
                     const char         *reason,
                     const char         *approval_id,
                     const char         *id,
                     gint64              now,
                     char              **out_number,
                     GError            **error)
{
  g_autoptr(PosSaleRecord) sale = NULL;
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (PosReturnItem));
  g_autofree char *staff_id = NULL;
  g_autofree char *shift_id = NULL;
  g_autofree char *sale_shift_id = NULL;
  g_autofree char *approver = NULL;
  g_autofree char *what = NULL;
  g_autofree char *full_reason = NULL;
  g_autofree char *number = NULL;
  ReturnPlan plan = { 0 };
  ReturnActor actor;
  gboolean ok;

  if (!_pos_shifts_require_open (db, &staff_id, &shift_id, error))
    return FALSE;
  sale = pos_sales_load (db, sale_key, error);
  if (sale == NULL)
    return FALSE;
  if (g_strcmp0 (sale->kind, "sale") != 0)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_RETURN_KIND,
                   _("%s is a return and cannot be voided."), sale->number);
      return FALSE;
    }
  if (!sale_shift (db, sale->id, &sale_shift_id, error))
    return FALSE;
  if (g_strcmp0 (sale_shift_id, shift_id) != 0)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_VOIDABLE,
                   _("Sale %s was not made in the shift open now, so it cannot be voided. Make a return instead."),
                   sale->number);
      return FALSE;
    }
  if (sale->returns->len > 0)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_VOIDABLE,
                   _("Part of sale %s was returned already, so it cannot be voided. Return the rest instead."),
                   sale->number);
      return FALSE;
    }

  what = g_strconcat ("void:", sale->id, NULL);
  if (!pos_staff_authorize (db, POS_PERMISSION_VOID_SALE, approval_id, what, &approver, error))
    return FALSE;

  for (guint i = 0; i < sale->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (sale->lines, i);
      PosReturnItem item = { l->line_no, l->quantity };

      g_array_append_val (items, item);
    }
  full_reason = reason != NULL && *reason != '\0' ? g_strconcat ("void: ", reason, NULL) : g_strdup ("void");

  actor = (ReturnActor) { staff_id, shift_id, "sale.void", approver };
  ok = build_plan (db, sale->id, (const PosReturnItem *) (gpointer) items->data, items->len, &plan, error);
  if (ok)
    {
      number = _pos_sales_next_number (db, info, "return", error);
      ok = number != NULL &&
           write_return (db, &plan, info, &actor, POS_REFUND_ORIGINAL_TENDER, full_reason, id, number, now, error);
    }
  return_plan_clear (&plan);
  if (ok && out_number != NULL)
    *out_number = g_steal_pointer (&number);
  return ok;
}

char *
pos_sales_void (PosDatabase  *db,
                const char   *sale_id,
                const char   *reason,
                const char   *approval_id,
                char        **out_number,
                GError      **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *id = NULL;
  g_autofree char *number = NULL;
  gint64 now;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sale_id != NULL, NULL);

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;

  if (!pos_database_begin (db, error))
    return NULL;
  now = pos_now_ms ();
  id = pos_uuid7_new_at (now);
  if (!void_in_transaction (db, info, sale_id, reason, approval_id, id, now, &number, error) ||
      !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The sale was not voided (nothing was written): "));
      return NULL;
    }

  if (out_number != NULL)
    *out_number = g_steal_pointer (&number);
  return g_steal_pointer (&id);
}
