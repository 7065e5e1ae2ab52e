/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sales"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-money.h"
#include "domain/pos-json.h"
#include "pos-fts-private.h"
#include "pos-loyalty.h"
#include "pos-pickups-private.h"
#include "domain/pos-uuid.h"
#include "pos-customers-private.h"
#include "pos-sales-private.h"
#include "pos-shifts-private.h"
#include "pos-staff.h"

/* Sales: commit (one durable transaction), park/resume, cancel, history.
 * Returns live in pos-returns.c.
 *
 * Numbers: sales are "STORE-TERMINAL-000042", returns
 * "STORE-TERMINAL-D000042" (D for devolução), each from its own row in
 * document_sequences. Return documents store negative quantities, amounts,
 * taxes and payments (kind = 'return'), so that summing sales gives net
 * revenue; receipts and history show them as stored. */

G_DEFINE_QUARK (pos-sales-error-quark, pos_sales_error)

#define RECEIPT_CODE_PREFIX "BALCAO:SALE:"

/* ------------------------------------------------------------------ */
/* Helpers shared with pos-returns.c */

gboolean
_pos_sales_step_done (PosDatabase  *db,
                      sqlite3_stmt *stmt,
                      const char   *what,
                      GError      **error)
{
  int rc;

  do
    rc = sqlite3_step (stmt);
  while (rc == SQLITE_ROW);

  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, what);
      sqlite3_reset (stmt);
      return FALSE;
    }

  sqlite3_reset (stmt);
  return TRUE;
}

PosStoreInfo *
_pos_sales_get_store_info (PosDatabase *db,
                           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  PosStoreInfo *info = pos_database_get_store_info (db, &local_error);

  if (info == NULL || info->store_id == NULL || info->terminal_id == NULL)
    {
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NO_TERMINAL,
                   _("This terminal is not set up: the database has no store or terminal (%s). "
                     "Run “balcao-ctl demo-data” or enrol the terminal."),
                   local_error != NULL ? local_error->message : _("terminal missing"));
      g_clear_pointer (&info, pos_store_info_free);
      return NULL;
    }

  return info;
}

char *
_pos_sales_next_number (PosDatabase        *db,
                        const PosStoreInfo *info,
                        const char         *kind,
                        GError            **error)
{
  sqlite3_stmt *stmt;
  gint64 value;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO document_sequences (terminal_id, kind, next_value) VALUES (?1, ?2, 2) "
      "ON CONFLICT (terminal_id, kind) DO UPDATE SET next_value = next_value + 1 "
      "RETURNING next_value - 1", error);
  if (stmt == NULL)
    return NULL;

  pos_database_bind_text (stmt, 1, info->terminal_id);
  pos_database_bind_text (stmt, 2, kind);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      pos_database_set_error (db, error, _("Cannot take the next document number"));
      sqlite3_reset (stmt);
      return NULL;
    }
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return g_strdup_printf ("%s-%s-%s%06" G_GINT64_FORMAT,
                          info->store_code ? info->store_code : "000",
                          info->terminal_code ? info->terminal_code : "00",
                          g_str_equal (kind, "return") ? "D" : "",
                          value);
}

char *
_pos_sales_business_date (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_ms / 1000);

  return g_date_time_format (dt, "%Y-%m-%d");
}

gboolean
_pos_sales_move_stock (PosDatabase *db,
                       const char  *store_id,
                       gint64       product_id,
                       gint64       delta,
                       const char  *reason,
                       const char  *document_id,
                       gint64       now_ms,
                       GError     **error)
{
  g_autofree char *id = pos_uuid7_new ();

  return _pos_sales_move_stock_with_id (db, id, store_id, product_id, delta, reason, document_id, now_ms, error);
}

gboolean
_pos_sales_move_stock_with_id (PosDatabase *db,
                               const char  *id,
                               const char  *store_id,
                               gint64       product_id,
                               gint64       delta,
                               const char  *reason,
                               const char  *document_id,
                               gint64       now_ms,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO stock_movements (id, product_id, store_id, delta, reason, document_id, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, product_id);
  pos_database_bind_text (stmt, 3, store_id);
  sqlite3_bind_int64 (stmt, 4, delta);
  pos_database_bind_text (stmt, 5, reason);
  pos_database_bind_text (stmt, 6, document_id);
  sqlite3_bind_int64 (stmt, 7, now_ms);
  if (!_pos_sales_step_done (db, stmt, _("Cannot record the stock movement"), error))
    return FALSE;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO stock_levels (product_id, local_delta) VALUES (?1, ?2) "
      "ON CONFLICT (product_id) DO UPDATE SET local_delta = local_delta + excluded.local_delta", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_int64 (stmt, 2, delta);
  return _pos_sales_step_done (db, stmt, _("Cannot update the stock level"), error);
}

JsonNode *
_pos_sale_record_to_json_node (const PosSaleRecord *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", r->id);
  pos_json_add_string (b, "number", r->number);
  pos_json_add_string (b, "kind", r->kind);
  pos_json_add_string (b, "original_sale_id", r->original_sale_id);
  pos_json_add_string (b, "original_number", r->original_number);
  pos_json_add_string (b, "store_id", r->store_id);
  pos_json_add_string (b, "terminal_id", r->terminal_id);
  pos_json_add_string (b, "staff_id", r->staff_id);
  pos_json_add_string (b, "staff_name", r->staff_name);
  pos_json_add_string (b, "customer_id", r->customer_id);
  pos_json_add_string (b, "customer_name", r->customer_name);
  pos_json_add_string (b, "currency", r->currency);
  pos_json_add_string (b, "tax_mode", r->tax_mode == POS_TAX_EXCLUSIVE ? "exclusive" : "inclusive");
  pos_json_add_int (b, "subtotal", r->subtotal);
  pos_json_add_int (b, "line_discounts", r->line_discounts);
  pos_json_add_int (b, "sale_discount", r->sale_discount);
  pos_json_add_int (b, "total", r->total);
  pos_json_add_int (b, "tax_total", r->tax_total);
  pos_json_add_int (b, "approx_tax", r->approx_tax);
  pos_json_add_int (b, "paid", r->paid);
  pos_json_add_int (b, "change", r->change_given);
  pos_json_add_string (b, "note", r->note);
  pos_json_add_string (b, "reason", r->reason);
  pos_json_add_int (b, "created_at", r->created_at);
  pos_json_add_int (b, "n_lines", r->lines ? r->lines->len : 0);

  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; r->lines != NULL && i < r->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (r->lines, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", l->line_no);
      json_builder_set_member_name (b, "product_id");
      if (l->product_id > 0)
        json_builder_add_int_value (b, l->product_id);
      else
        json_builder_add_null_value (b);
      pos_json_add_string (b, "sku", l->sku);
      pos_json_add_string (b, "name", l->name);
      pos_json_add_string (b, "barcode", l->barcode);
      json_builder_set_member_name (b, "weighed");
      json_builder_add_boolean_value (b, l->weighed);
      pos_json_add_int (b, "quantity", l->quantity);
      pos_json_add_int (b, "unit_price", l->unit_price);
      pos_json_add_int (b, "gross", l->gross);
      pos_json_add_int (b, "line_discount", l->line_discount);
      pos_json_add_int (b, "sale_discount", l->sale_discount);
      pos_json_add_int (b, "total", l->total);
      pos_json_add_int (b, "tax_rate_bp", l->tax_rate_bp);
      pos_json_add_int (b, "tax", l->tax);
      pos_json_add_int (b, "approx_tax", l->approx_tax);
      pos_json_add_string (b, "note", l->note);
      pos_json_add_int (b, "returned_quantity", l->returned_quantity);
      if (l->original_line_no > 0)
        pos_json_add_int (b, "original_line_no", l->original_line_no);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "payments");
  json_builder_begin_array (b);
  for (guint i = 0; r->payments != NULL && i < r->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (r->payments, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "seq", i + 1);
      pos_json_add_string (b, "method", pos_payment_method_to_string (p->method));
      pos_json_add_int (b, "amount", p->amount);
      pos_json_add_int (b, "tendered", p->tendered);
      pos_json_add_int (b, "change", p->method == POS_PAYMENT_CASH ? p->tendered - p->amount : 0);
      pos_json_add_string (b, "reference", p->reference);
      pos_json_add_string (b, "card_last4", p->card_last4);
      pos_json_add_string (b, "card_brand", p->card_brand);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "returns");
  json_builder_begin_array (b);
  for (guint i = 0; r->returns != NULL && i < r->returns->len; i++)
    {
      const PosSaleSummary *s = g_ptr_array_index (r->returns, i);

      json_builder_begin_object (b);
      pos_json_add_string (b, "id", s->id);
      pos_json_add_string (b, "number", s->number);
      pos_json_add_int (b, "total", s->total);
      pos_json_add_int (b, "created_at", s->created_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

char *
pos_sale_record_to_json (const PosSaleRecord *record)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  node = _pos_sale_record_to_json_node (record);
  return json_to_string (node, FALSE);
}

/* What the outbox carries to the central (docs/sync-protocol.md §5,
 * SALE): the document as `sales show --json` prints it, plus what the
 * central needs besides: change_given, business_date, shift_id and the
 * stock movements the document made (the central applies them once, with
 * the sale's op_id). */
static char *
sync_payload (PosDatabase         *db,
              const PosSaleRecord *record,
              GError             **error)
{
  g_autoptr(JsonNode) node = _pos_sale_record_to_json_node (record);
  JsonObject *o = json_node_get_object (node);
  JsonArray *moves = json_array_new ();
  sqlite3_stmt *stmt;
  int rc;

  json_object_set_int_member (o, "change_given", record->change_given);

  stmt = pos_database_prepare_cached (db,
      "SELECT business_date, shift_id, pickup_order_id, loyalty_earned, loyalty_redeemed FROM sales WHERE id = ?1",
      error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, record->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      json_object_set_string_member (o, "business_date", (const char *) sqlite3_column_text (stmt, 0));
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        json_object_set_string_member (o, "shift_id", (const char *) sqlite3_column_text (stmt, 1));
      else
        json_object_set_null_member (o, "shift_id");
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        json_object_set_string_member (o, "pickup_order_id", (const char *) sqlite3_column_text (stmt, 2));
      /* docs/sync-protocol.md §6.1: the points ride with the document */
      _pos_loyalty_add_to_payload (o, record->customer_id, sqlite3_column_int64 (stmt, 3),
                                   sqlite3_column_int64 (stmt, 4));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      pos_database_set_error (db, error, _("Cannot read the sale for the central"));
      goto fail;
    }

  stmt = pos_database_prepare_cached (db,
      "SELECT m.id, p.sku, m.delta, m.reason FROM stock_movements m "
      "JOIN products p ON p.id = m.product_id WHERE m.document_id = ?1 ORDER BY m.rowid", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, record->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *m = json_object_new ();

      json_object_set_string_member (m, "id", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (m, "sku", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_int_member (m, "delta", sqlite3_column_int64 (stmt, 2));
      json_object_set_string_member (m, "reason", (const char *) sqlite3_column_text (stmt, 3));
      json_array_add_object_element (moves, m);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Cannot read the sale's stock movements"));
      goto fail;
    }
  json_object_set_array_member (o, "stock_movements", moves);
  return json_to_string (node, FALSE);

fail:
  json_array_unref (moves);
  return NULL;
}

gboolean
_pos_sales_record_document (PosDatabase *db,
                            const char  *id,
                            const char  *op_type,
                            const char  *audit_action,
                            const char  *reason,
                            const char  *approver_id,
                            GError     **error)
{
  g_autoptr(PosSaleRecord) record = NULL;
  g_autofree char *json = NULL;
  g_autofree char *audit = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  record = pos_sales_load (db, id, error);
  if (record == NULL)
    return FALSE;
  json = sync_payload (db, record, error);
  if (json == NULL)
    return FALSE;

  json_builder_begin_object (b);
  pos_json_add_string (b, "number", record->number);
  pos_json_add_int (b, "total", record->total);
  pos_json_add_string (b, "currency", record->currency);
  pos_json_add_int (b, "n_lines", record->lines->len);
  if (record->original_number != NULL)
    pos_json_add_string (b, "original_number", record->original_number);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  audit = json_to_string (node, FALSE);

  if (!pos_database_audit_full (db, audit_action, record->kind, id, reason, audit, approver_id, error) ||
      /* The customer's timeline shows it at once, offline too. */
      !_pos_customers_note_sale (db, id, error))
    return FALSE;
  return pos_database_enqueue_outbox (db, op_type, id, json, error);
}

/* ------------------------------------------------------------------ */
/* Commit */

static guint
lookup_approx_rate (PosDatabase *db,
                    gint64       product_id,
                    gboolean    *out_exists,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  guint rate = 0;
  int rc;

  *out_exists = FALSE;
  if (product_id <= 0)
    return 0;

  stmt = pos_database_prepare_cached (db,
      "SELECT t.approx_rate_bp FROM products p LEFT JOIN tax_classes t ON t.id = p.tax_class_id "
      "WHERE p.id = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_exists = TRUE;
      rate = (guint) sqlite3_column_int64 (stmt, 0);
    }
  else if (rc != SQLITE_DONE)
    pos_database_set_error (db, error, _("Cannot read the product's tax class"));
  sqlite3_reset (stmt);
  return rate;
}

/* ---- What the cart needs beyond the cashier's own permissions ---- */

#define DEFAULT_DISCOUNT_LIMIT_BP 1000

gint64
pos_sales_get_discount_limit_bp (PosDatabase *db)
{
  g_autofree char *value = pos_database_get_setting (db, "discount_limit_bp");
  gint64 limit;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, 10000, &limit, NULL))
    return DEFAULT_DISCOUNT_LIMIT_BP;
  return limit;
}

/* A discount of kind/value that came to amount on base: above limit_bp?
 * A percentage is compared as typed (rounding cannot push it over). */
static gboolean
discount_above (PosDiscountKind kind,
                gint64          value,
                gint64          amount,
                gint64          base,
                gint64          limit_bp)
{
  switch (kind)
    {
    case POS_DISCOUNT_PERCENT:
      return value > limit_bp;
    case POS_DISCOUNT_AMOUNT:
      return (__int128) amount * 10000 > (__int128) limit_bp * MAX (base, 0);
    case POS_DISCOUNT_NONE:
    default:
      return FALSE;
    }
}

gboolean
pos_sales_cart_needs (PosDatabase   *db,
                      PosCart       *cart,
                      PosPermission  permission)
{
  gint64 limit;
  PosCartTotals totals;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (POS_IS_CART (cart), FALSE);

  if (permission != POS_PERMISSION_PRICE_OVERRIDE && permission != POS_PERMISSION_DISCOUNT_ABOVE_LIMIT)
    return FALSE;
  limit = pos_sales_get_discount_limit_bp (db);
  for (guint i = 0; i < pos_cart_get_n_lines (cart); i++)
    {
      PosCartLine *line = pos_cart_get_line (cart, i);

      if (permission == POS_PERMISSION_PRICE_OVERRIDE && pos_cart_line_get_price_overridden (line))
        return TRUE;
      if (permission == POS_PERMISSION_DISCOUNT_ABOVE_LIMIT &&
          discount_above (pos_cart_line_get_discount_kind (line), pos_cart_line_get_discount_value (line),
                          pos_cart_line_get_line_discount (line), pos_cart_line_get_gross (line), limit))
        return TRUE;
    }
  if (permission != POS_PERMISSION_DISCOUNT_ABOVE_LIMIT)
    return FALSE;
  pos_cart_get_totals (cart, &totals);
  return discount_above (pos_cart_get_discount_kind (cart), pos_cart_get_discount_value (cart),
                         totals.sale_discount, totals.subtotal - totals.line_discounts, limit);
}

typedef struct {
  char *override_json;     /* lines whose price was overridden, or NULL */
  char *override_approver;
  char *discount_json;     /* discounts above the limit, or NULL */
  char *discount_approver;
} CartChecks;

static void
cart_checks_clear (CartChecks *c)
{
  g_clear_pointer (&c->override_json, g_free);
  g_clear_pointer (&c->override_approver, g_free);
  g_clear_pointer (&c->discount_json, g_free);
  g_clear_pointer (&c->discount_approver, g_free);
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  return json_to_string (node, FALSE);
}

/* Inside the transaction: price overrides need price_override, discounts
 * above the limit need discount_above_limit (the signed-in person's or the
 * cart's approval, used for "sale:<id>"). */
static gboolean
authorize_cart (PosDatabase *db,
                PosCart     *cart,
                const char  *sale_id,
                CartChecks  *out,
                GError     **error)
{
  g_autoptr(JsonBuilder) over = json_builder_new ();
  g_autoptr(JsonBuilder) disc = json_builder_new ();
  g_autofree char *what = g_strconcat ("sale:", sale_id, NULL);
  gint64 limit = pos_sales_get_discount_limit_bp (db);
  guint n_over = 0, n_disc = 0;
  PosCartTotals totals;

  pos_cart_get_totals (cart, &totals);

  json_builder_begin_object (over);
  json_builder_set_member_name (over, "lines");
  json_builder_begin_array (over);
  json_builder_begin_object (disc);
  pos_json_add_int (disc, "limit_bp", limit);
  json_builder_set_member_name (disc, "lines");
  json_builder_begin_array (disc);

  for (guint i = 0; i < pos_cart_get_n_lines (cart); i++)
    {
      PosCartLine *line = pos_cart_get_line (cart, i);

      if (pos_cart_line_get_price_overridden (line))
        {
          json_builder_begin_object (over);
          pos_json_add_int (over, "line_no", i + 1);
          pos_json_add_string (over, "sku", pos_cart_line_get_sku (line));
          pos_json_add_int (over, "catalog_price", pos_cart_line_get_catalog_price (line));
          pos_json_add_int (over, "unit_price", pos_cart_line_get_unit_price (line));
          json_builder_end_object (over);
          n_over++;
        }
      if (discount_above (pos_cart_line_get_discount_kind (line), pos_cart_line_get_discount_value (line),
                          pos_cart_line_get_line_discount (line), pos_cart_line_get_gross (line), limit))
        {
          json_builder_begin_object (disc);
          pos_json_add_int (disc, "line_no", i + 1);
          pos_json_add_string (disc, "sku", pos_cart_line_get_sku (line));
          pos_json_add_int (disc, "gross", pos_cart_line_get_gross (line));
          pos_json_add_int (disc, "discount", pos_cart_line_get_line_discount (line));
          json_builder_end_object (disc);
          n_disc++;
        }
    }
  json_builder_end_array (over);
  json_builder_end_object (over);
  json_builder_end_array (disc);

  if (discount_above (pos_cart_get_discount_kind (cart), pos_cart_get_discount_value (cart),
                      totals.sale_discount, totals.subtotal - totals.line_discounts, limit))
    {
      pos_json_add_int (disc, "sale_discount", totals.sale_discount);
      pos_json_add_int (disc, "subtotal", totals.subtotal - totals.line_discounts);
      n_disc++;
    }
  json_builder_end_object (disc);

  if (n_over > 0)
    {
      if (!pos_staff_authorize (db, POS_PERMISSION_PRICE_OVERRIDE,
                                pos_cart_get_approval (cart, pos_permission_to_string (POS_PERMISSION_PRICE_OVERRIDE)),
                                what, &out->override_approver, error))
        return FALSE;
      out->override_json = builder_to_string (over);
    }
  if (n_disc > 0)
    {
      if (!pos_staff_authorize (db, POS_PERMISSION_DISCOUNT_ABOVE_LIMIT,
                                pos_cart_get_approval (cart, pos_permission_to_string (POS_PERMISSION_DISCOUNT_ABOVE_LIMIT)),
                                what, &out->discount_approver, error))
        return FALSE;
      out->discount_json = builder_to_string (disc);
    }
  return TRUE;
}

/* The points the sale earns and pays with (docs/loyalty.md), inside the
 * transaction: a payment with points needs the customer, whole points,
 * at least the minimum and no more than the balance shown. */
static gboolean
sale_loyalty (PosDatabase *db,
              PosCart     *cart,
              gint64      *out_earned,
              gint64      *out_redeemed,
              GError     **error)
{
  PosLoyaltyRule rule;
  const char *customer_id = pos_cart_get_customer_id (cart);
  gint64 redeemed = 0;

  pos_loyalty_get_rule (db, &rule);
  if (!pos_loyalty_cart_points (&rule, cart, &redeemed, error) ||
      !pos_loyalty_check_redeem (db, &rule, customer_id, pos_cart_get_customer_name (cart), redeemed,
                                 pos_cart_get_currency (cart), error))
    return FALSE;

  *out_redeemed = redeemed;
  *out_earned = customer_id != NULL ? pos_cart_get_points_earned (cart, rule.earn_unit) : 0;
  return TRUE;
}

static gboolean
write_sale (PosDatabase        *db,
            PosCart            *cart,
            const PosStoreInfo *info,
            const char         *staff_id,
            const char         *shift_id,
            const char         *id,
            const char         *number,
            gint64              now,
            GError            **error)
{
  PosCartTotals totals;
  sqlite3_stmt *stmt;
  g_autofree char *business_date = _pos_sales_business_date (now);
  gint64 approx_total = 0;
  guint n_lines = pos_cart_get_n_lines (cart);
  guint n_payments = pos_cart_get_n_payments (cart);
  PosTaxMode mode = pos_cart_get_tax_mode (cart);
  gint64 earned = 0;
  gint64 redeemed = 0;

  pos_cart_get_totals (cart, &totals);
  if (!sale_loyalty (db, cart, &earned, &redeemed, error))
    return FALSE;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO sales (id, number, kind, store_id, terminal_id, staff_id, customer_id, currency, "
      "tax_mode, subtotal, line_discounts, sale_discount, total, tax_total, approx_tax, paid, "
      "change_given, note, created_at, business_date, shift_id, pickup_order_id) "
      "VALUES (?1, ?2, 'sale', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
      error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  pos_database_bind_text (stmt, 2, number);
  pos_database_bind_text (stmt, 3, info->store_id);
  pos_database_bind_text (stmt, 4, info->terminal_id);
  pos_database_bind_text (stmt, 5, staff_id);
  pos_database_bind_text (stmt, 6, pos_cart_get_customer_id (cart));
  pos_database_bind_text (stmt, 7, pos_cart_get_currency (cart));
  pos_database_bind_text (stmt, 8, mode == POS_TAX_EXCLUSIVE ? "exclusive" : "inclusive");
  sqlite3_bind_int64 (stmt, 9, totals.subtotal);
  sqlite3_bind_int64 (stmt, 10, totals.line_discounts);
  sqlite3_bind_int64 (stmt, 11, totals.sale_discount);
  sqlite3_bind_int64 (stmt, 12, totals.total);
  sqlite3_bind_int64 (stmt, 13, totals.tax_total);
  sqlite3_bind_int64 (stmt, 14, totals.paid);
  sqlite3_bind_int64 (stmt, 15, totals.change);
  pos_database_bind_text (stmt, 16, pos_cart_get_note (cart));
  sqlite3_bind_int64 (stmt, 17, now);
  pos_database_bind_text (stmt, 18, business_date);
  pos_database_bind_text (stmt, 19, shift_id);
  pos_database_bind_text (stmt, 20, pos_cart_get_pickup_order_id (cart));
  if (!_pos_sales_step_done (db, stmt, _("Cannot save the sale"), error))
    return FALSE;

  for (guint i = 0; i < n_lines; i++)
    {
      PosCartLine *line = pos_cart_get_line (cart, i);
      gint64 product_id = pos_cart_line_get_product_id (line);
      gboolean exists = FALSE;
      GError *local_error = NULL;
      guint approx_bp = lookup_approx_rate (db, product_id, &exists, &local_error);
      gint64 total = pos_cart_line_get_total (line);
      gint64 tax = pos_cart_line_get_tax (line);
      gint64 approx;

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      approx = pos_tax_approximate (mode == POS_TAX_EXCLUSIVE ? total + tax : total, approx_bp);
      approx_total += approx;

      stmt = pos_database_prepare_cached (db,
          "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, barcode, weighed, "
          "quantity, unit_price, gross, line_discount, sale_discount, total, tax_rate_bp, tax, "
          "approx_tax, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
          error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      if (exists)
        sqlite3_bind_int64 (stmt, 3, product_id);
      else
        sqlite3_bind_null (stmt, 3);
      pos_database_bind_text (stmt, 4, pos_cart_line_get_sku (line));
      pos_database_bind_text (stmt, 5, pos_cart_line_get_name (line));
      pos_database_bind_text (stmt, 6, pos_cart_line_get_barcode (line));
      sqlite3_bind_int (stmt, 7, pos_cart_line_get_weighed (line) ? 1 : 0);
      sqlite3_bind_int64 (stmt, 8, pos_cart_line_get_quantity (line));
      sqlite3_bind_int64 (stmt, 9, pos_cart_line_get_unit_price (line));
      sqlite3_bind_int64 (stmt, 10, pos_cart_line_get_gross (line));
      sqlite3_bind_int64 (stmt, 11, pos_cart_line_get_line_discount (line));
      sqlite3_bind_int64 (stmt, 12, pos_cart_line_get_sale_discount (line));
      sqlite3_bind_int64 (stmt, 13, total);
      sqlite3_bind_int64 (stmt, 14, pos_cart_line_get_tax_rate_bp (line));
      sqlite3_bind_int64 (stmt, 15, tax);
      sqlite3_bind_int64 (stmt, 16, approx);
      pos_database_bind_text (stmt, 17, pos_cart_line_get_note (line));
      if (!_pos_sales_step_done (db, stmt, _("Cannot save the sale's lines"), error))
        return FALSE;

      if (exists &&
          !_pos_sales_move_stock (db, info->store_id, product_id,
                                  -pos_cart_line_get_quantity (line),
                                  /* an online order's goods handed over */
                                  pos_cart_line_get_pickup_line_no (line) != 0 ? "pickup" : "sale",
                                  id, now, error))
        return FALSE;
    }

  for (guint i = 0; i < n_payments; i++)
    {
      const PosPayment *p = pos_cart_get_payment (cart, i);

      stmt = pos_database_prepare_cached (db,
          "INSERT INTO sale_payments (sale_id, seq, method, amount, tendered, change, reference, "
          "card_last4, card_brand) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      pos_database_bind_text (stmt, 3, pos_payment_method_to_string (p->method));
      sqlite3_bind_int64 (stmt, 4, p->amount);
      sqlite3_bind_int64 (stmt, 5, p->tendered);
      sqlite3_bind_int64 (stmt, 6, p->method == POS_PAYMENT_CASH ? MAX (p->tendered - p->amount, 0) : 0);
      pos_database_bind_text (stmt, 7, p->reference);
      pos_database_bind_text (stmt, 8, p->card_last4);
      pos_database_bind_text (stmt, 9, p->card_brand);
      if (!_pos_sales_step_done (db, stmt, _("Cannot save the sale's payments"), error))
        return FALSE;
    }

  stmt = pos_database_prepare_cached (db, "UPDATE sales SET approx_tax = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, approx_total);
  pos_database_bind_text (stmt, 2, id);
  if (!_pos_sales_step_done (db, stmt, _("Cannot save the sale"), error))
    return FALSE;

  if (!_pos_loyalty_record (db, id, pos_cart_get_customer_id (cart), earned, redeemed, now, error))
    return FALSE;

  return _pos_sales_record_document (db, id, "sale.create", "sale.create", NULL, NULL, error);
}

static gboolean
commit_in_transaction (PosDatabase        *db,
                       PosCart            *cart,
                       const PosStoreInfo *info,
                       const char         *staff_id,
                       const char         *shift_id,
                       const char         *id,
                       const char         *number,
                       gint64              now,
                       GError            **error)
{
  CartChecks checks = { 0 };
  gboolean ok;

  if (!authorize_cart (db, cart, id, &checks, error))
    {
      cart_checks_clear (&checks);
      return FALSE;
    }
  ok = write_sale (db, cart, info, staff_id, shift_id, id, number, now, error) &&
       (pos_cart_get_pickup_order_id (cart) == NULL ||
        _pos_pickups_commit_cart (db, cart, id, now, error)) &&
       (checks.override_json == NULL ||
        pos_database_audit_full (db, "sale.price_override", "sale", id, NULL, checks.override_json,
                                 checks.override_approver, error)) &&
       (checks.discount_json == NULL ||
        pos_database_audit_full (db, "sale.discount_above_limit", "sale", id, NULL, checks.discount_json,
                                 checks.discount_approver, error));
  cart_checks_clear (&checks);
  return ok;
}

char *
pos_sales_commit (PosDatabase *db,
                  PosCart     *cart,
                  char       **out_number,
                  GError     **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *id = NULL;
  g_autofree char *number = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *shift_id = NULL;
  gint64 now;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (POS_IS_CART (cart), NULL);

  if (pos_cart_is_empty (cart))
    {
      g_set_error_literal (error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY,
                           _("The sale has no items. Scan or add a product first."));
      return NULL;
    }

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;

  if (!pos_cart_is_fully_paid (cart))
    {
      PosCartTotals totals;
      g_autofree char *due = NULL;

      pos_cart_get_totals (cart, &totals);
      due = pos_money_format (totals.due, pos_cart_get_currency (cart),
                              g_strcmp0 (pos_cart_get_currency (cart), "BRL") == 0 ? "pt_BR" : NULL);
      g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_PAID,
                   _("%s is still due. Take a payment for the rest before finishing the sale."), due);
      return NULL;
    }

  if (!pos_database_begin (db, error))
    return NULL;

  now = pos_now_ms ();
  id = pos_uuid7_new_at (now);
  if (_pos_shifts_require_open (db, &staff_id, &shift_id, error))
    number = _pos_sales_next_number (db, info, "sale", error);
  if (number == NULL ||
      !commit_in_transaction (db, cart, info, staff_id, shift_id, id, number, now, error) ||
      !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The sale was not saved (nothing was written): "));
      return NULL;
    }

  if (out_number != NULL)
    *out_number = g_steal_pointer (&number);
  return g_steal_pointer (&id);
}

/* ------------------------------------------------------------------ */
/* Async commit: the cart is serialised on the calling thread; the worker
 * rebuilds it and commits on its own connection. */

typedef struct {
  char *cart_json;
} CommitData;

typedef struct {
  char *id;
  char *number;
} CommitResult;

static void
commit_data_free (CommitData *data)
{
  g_free (data->cart_json);
  g_free (data);
}

static void
commit_result_free (CommitResult *result)
{
  g_free (result->id);
  g_free (result->number);
  g_free (result);
}

static void
commit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CommitData *data = task_data;
  PosDatabase *owner = source_object;
  PosDatabase *db = NULL;
  g_autoptr(PosCart) cart = NULL;
  GError *error = NULL;
  CommitResult *result;
  char *number = NULL;
  char *id;

  if (g_task_return_error_if_cancelled (task))
    return;

  cart = pos_cart_new_from_json (data->cart_json, &error);
  if (cart == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  db = pos_database_acquire_worker (owner, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      pos_database_release_worker (owner, db);
      return;
    }

  /* Past this point the sale is committed even if cancelled: a cashier's
   * sale must not vanish because a window closed. */
  id = pos_sales_commit (db, cart, &number, &error);
  pos_database_release_worker (owner, db);
  if (id == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_new0 (CommitResult, 1);
  result->id = id;
  result->number = number;
  g_task_return_pointer (task, result, (GDestroyNotify) commit_result_free);
}

void
pos_sales_commit_async (PosDatabase         *db,
                        PosCart             *cart,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CommitData *data;

  g_return_if_fail (POS_IS_DATABASE (db));
  g_return_if_fail (POS_IS_CART (cart));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, pos_sales_commit_async);
  g_task_set_name (task, "[balcao] pos_sales_commit_async");

  /* Validate on the caller's side too: no thread for an obvious refusal. */
  if (pos_cart_is_empty (cart))
    {
      g_task_return_new_error (task, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY,
                               _("The sale has no items. Scan or add a product first."));
      return;
    }

  data = g_new0 (CommitData, 1);
  data->cart_json = pos_cart_to_json (cart);
  g_task_set_task_data (task, data, (GDestroyNotify) commit_data_free);
  g_task_run_in_thread (task, commit_thread);
}

char *
pos_sales_commit_finish (PosDatabase   *db,
                         GAsyncResult  *result,
                         char         **out_number,
                         GError       **error)
{
  CommitResult *res;
  char *id;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pos_sales_commit_async, NULL);

  res = g_task_propagate_pointer (G_TASK (result), error);
  if (res == NULL)
    return NULL;

  id = g_steal_pointer (&res->id);
  if (out_number != NULL)
    *out_number = g_steal_pointer (&res->number);
  commit_result_free (res);
  return id;
}

/* ------------------------------------------------------------------ */
/* Cancel */

gboolean
pos_sales_record_cancel (PosDatabase *db,
                         PosCart     *cart,
                         const char  *reason,
                         GError     **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (POS_IS_CART (cart), FALSE);

  json = pos_cart_to_json (cart);
  return pos_database_audit (db, "sale.cancel", "cart", NULL, reason, json, error);
}

/* ------------------------------------------------------------------ */
/* Park and resume */

void
pos_parked_sale_free (PosParkedSale *parked)
{
  if (parked == NULL)
    return;
  g_free (parked->id);
  g_free (parked->label);
  g_free (parked->staff_name);
  g_free (parked->currency);
  g_free (parked);
}

char *
pos_sales_park (PosDatabase *db,
                PosCart     *cart,
                const char  *label,
                GError     **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *audit = NULL;
  PosCartTotals totals;
  sqlite3_stmt *stmt;
  gint64 now;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (POS_IS_CART (cart), NULL);

  if (pos_cart_is_empty (cart))
    {
      g_set_error_literal (error, POS_SALES_ERROR, POS_SALES_ERROR_EMPTY,
                           _("There is nothing to park: the sale has no items."));
      return NULL;
    }

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;

  if (label != NULL && *label == '\0')
    label = NULL;
  if (label == NULL)
    label = pos_cart_get_customer_name (cart);

  pos_cart_get_totals (cart, &totals);
  json = pos_cart_to_json (cart);
  now = pos_now_ms ();
  id = pos_uuid7_new_at (now);

  if (!pos_database_begin (db, error))
    return NULL;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO parked_sales (id, terminal_id, staff_id, label, customer_id, n_lines, total, "
      "currency, cart, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, id);
  pos_database_bind_text (stmt, 2, info->terminal_id);
  pos_database_bind_text (stmt, 3, info->staff_id);
  pos_database_bind_text (stmt, 4, label);
  pos_database_bind_text (stmt, 5, pos_cart_get_customer_id (cart));
  sqlite3_bind_int (stmt, 6, (int) pos_cart_get_n_lines (cart));
  sqlite3_bind_int64 (stmt, 7, totals.total);
  pos_database_bind_text (stmt, 8, pos_cart_get_currency (cart));
  pos_database_bind_text (stmt, 9, json);
  sqlite3_bind_int64 (stmt, 10, now);
  if (!_pos_sales_step_done (db, stmt, _("Cannot park the sale"), error))
    goto fail;

  audit = g_strdup_printf ("{\"n_lines\":%u,\"total\":%" G_GINT64_FORMAT "}",
                           pos_cart_get_n_lines (cart), totals.total);
  if (!pos_database_audit (db, "sale.park", "parked_sale", id, label, audit, error))
    goto fail;
  if (!pos_database_commit (db, error))
    goto fail;

  return g_steal_pointer (&id);

fail:
  pos_database_rollback (db);
  g_prefix_error (error, _("The sale was not parked: "));
  return NULL;
}

/* Who looks at the parked sales: the signed-in person (NULL when nobody)
 * and whether they see everyone's (a manager). */
static gboolean
parked_viewer (PosDatabase *db,
               char       **out_staff_id,
               gboolean    *out_sees_all,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PosStaff) current = pos_staff_get_current (db, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out_staff_id = current != NULL ? g_strdup (current->id) : NULL;
  *out_sees_all = current != NULL && current->role == POS_ROLE_MANAGER;
  return TRUE;
}

GPtrArray *
pos_sales_list_parked (PosDatabase *db,
                       GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_parked_sale_free);
  g_autofree char *terminal_id = NULL;
  g_autofree char *staff_id = NULL;
  gboolean sees_all = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  if (!parked_viewer (db, &staff_id, &sees_all, error))
    return NULL;
  terminal_id = pos_database_get_setting (db, "terminal_id");
  stmt = pos_database_prepare_cached (db,
      "SELECT p.id, p.label, s.name, p.created_at, p.total, p.currency, p.n_lines "
      "FROM parked_sales p LEFT JOIN staff s ON s.id = p.staff_id "
      "WHERE (?1 IS NULL OR p.terminal_id = ?1) "
      "AND (?2 OR p.staff_id IS NULL OR p.staff_id = ?3) ORDER BY p.created_at, p.id", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, terminal_id);
  sqlite3_bind_int (stmt, 2, sees_all ? 1 : 0);
  pos_database_bind_text (stmt, 3, staff_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosParkedSale *p = g_new0 (PosParkedSale, 1);

      p->id = pos_database_column_dup (stmt, 0);
      p->label = pos_database_column_dup (stmt, 1);
      p->staff_name = pos_database_column_dup (stmt, 2);
      p->created_at = sqlite3_column_int64 (stmt, 3);
      p->total = sqlite3_column_int64 (stmt, 4);
      p->currency = pos_database_column_dup (stmt, 5);
      p->n_lines = (guint) sqlite3_column_int (stmt, 6);
      g_ptr_array_add (list, p);
    }
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Cannot list the parked sales"));
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&list);
}

PosCart *
pos_sales_resume (PosDatabase *db,
                  const char  *parked_id,
                  GError     **error)
{
  g_autoptr(PosCart) cart = NULL;
  g_autofree char *json = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *owner_name = NULL;
  g_autofree char *staff_id = NULL;
  gboolean sees_all = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (parked_id != NULL, NULL);

  if (!pos_database_begin (db, error))
    return NULL;
  if (!parked_viewer (db, &staff_id, &sees_all, error))
    goto fail;

  stmt = pos_database_prepare_cached (db,
      "SELECT p.cart, p.staff_id, s.name FROM parked_sales p LEFT JOIN staff s ON s.id = p.staff_id "
      "WHERE p.id = ?", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, parked_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      json = pos_database_column_dup (stmt, 0);
      owner = pos_database_column_dup (stmt, 1);
      owner_name = pos_database_column_dup (stmt, 2);
    }
  else if (rc != SQLITE_DONE)
    pos_database_set_error (db, error, _("Cannot read the parked sale"));
  else
    g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND,
                 _("No parked sale %s: it may have been resumed already. Refresh the list."),
                 parked_id);
  sqlite3_reset (stmt);
  if (json == NULL)
    goto fail;
  if (owner != NULL && !sees_all && g_strcmp0 (owner, staff_id) != 0)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION,
                   _("This sale was parked by %s. Only they or a manager can resume it."),
                   owner_name != NULL ? owner_name : owner);
      goto fail;
    }

  cart = pos_cart_new_from_json (json, error);
  if (cart == NULL)
    goto fail;

  stmt = pos_database_prepare_cached (db, "DELETE FROM parked_sales WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, parked_id);
  if (!_pos_sales_step_done (db, stmt, _("Cannot remove the parked sale"), error))
    goto fail;
  if (!pos_database_audit (db, "sale.resume", "parked_sale", parked_id, NULL, NULL, error))
    goto fail;
  if (!pos_database_commit (db, error))
    goto fail;

  return g_steal_pointer (&cart);

fail:
  pos_database_rollback (db);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* History */

void
pos_sale_summary_free (PosSaleSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->id);
  g_free (summary->number);
  g_free (summary->kind);
  g_free (summary->original_number);
  g_free (summary->currency);
  g_free (summary->staff_name);
  g_free (summary->customer_name);
  g_free (summary->payment_summary);
  g_free (summary);
}

static void
pos_sale_line_free (PosSaleLine *line)
{
  if (line == NULL)
    return;
  g_free (line->sku);
  g_free (line->name);
  g_free (line->barcode);
  g_free (line->note);
  g_free (line);
}

void
pos_sale_record_free (PosSaleRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->number);
  g_free (r->kind);
  g_free (r->original_sale_id);
  g_free (r->original_number);
  g_free (r->store_id);
  g_free (r->terminal_id);
  g_free (r->staff_id);
  g_free (r->staff_name);
  g_free (r->customer_id);
  g_free (r->customer_name);
  g_free (r->currency);
  g_free (r->note);
  g_free (r->reason);
  g_clear_pointer (&r->lines, g_ptr_array_unref);
  g_clear_pointer (&r->payments, g_ptr_array_unref);
  g_clear_pointer (&r->returns, g_ptr_array_unref);
  g_free (r);
}

#define SUMMARY_COLUMNS \
  "s.id, s.number, s.kind, o.number, s.created_at, s.total, s.currency, " \
  "(SELECT COUNT(*) FROM sale_lines l WHERE l.sale_id = s.id), st.name, c.name, " \
  "(SELECT group_concat (method, ', ') FROM (SELECT DISTINCT p.method FROM sale_payments p " \
  "  WHERE p.sale_id = s.id ORDER BY p.seq)) " \
  "FROM sales s LEFT JOIN sales o ON o.id = s.original_sale_id " \
  "LEFT JOIN staff st ON st.id = s.staff_id LEFT JOIN customers c ON c.id = s.customer_id "

static PosSaleSummary *
read_summary (sqlite3_stmt *stmt)
{
  PosSaleSummary *s = g_new0 (PosSaleSummary, 1);

  s->id = pos_database_column_dup (stmt, 0);
  s->number = pos_database_column_dup (stmt, 1);
  s->kind = pos_database_column_dup (stmt, 2);
  s->original_number = pos_database_column_dup (stmt, 3);
  s->created_at = sqlite3_column_int64 (stmt, 4);
  s->total = sqlite3_column_int64 (stmt, 5);
  s->currency = pos_database_column_dup (stmt, 6);
  s->n_lines = (guint) sqlite3_column_int (stmt, 7);
  s->staff_name = pos_database_column_dup (stmt, 8);
  s->customer_name = pos_database_column_dup (stmt, 9);
  s->payment_summary = pos_database_column_dup (stmt, 10);
  return s;
}

static gboolean
collect_summaries (PosDatabase  *db,
                   sqlite3_stmt *stmt,
                   GPtrArray    *into,
                   GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (into, read_summary (stmt));
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Cannot read the sales history"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* Amount as typed at the counter: "12,90", "12.90", "R$ 1.234,56",
 * "1,234.56", "12". Only 2-decimal currencies are assumed here (the
 * history search is a convenience; BRL/USD/EUR). */
static gboolean
parse_search_amount (const char *text,
                     gint64     *out)
{
  const char *p = text;
  const char *last_sep = NULL;
  gint64 units = 0;
  gint64 cents = 0;
  guint n_after = 0;

  while (*p == ' ' || *p == 'R' || *p == '$')
    p++;
  if (*p == '\0')
    return FALSE;

  for (const char *q = p; *q != '\0'; q++)
    {
      if (*q == '.' || *q == ',')
        last_sep = q;
      else if (!g_ascii_isdigit (*q))
        return FALSE;
    }

  if (last_sep != NULL)
    {
      n_after = strlen (last_sep + 1);
      if (n_after == 0 || n_after > 3)
        return FALSE;
      if (n_after == 3)
        last_sep = NULL;   /* "1.290": thousands separator */
    }

  for (const char *q = p; *q != '\0'; q++)
    {
      if (last_sep != NULL && q >= last_sep)
        break;
      if (g_ascii_isdigit (*q))
        {
          if (units > G_MAXINT64 / 100 / 10 - 10)
            return FALSE;
          units = units * 10 + (*q - '0');
        }
    }
  if (last_sep != NULL)
    {
      cents = last_sep[1] - '0';
      cents = cents * 10 + (n_after == 2 ? last_sep[2] - '0' : 0);
    }

  *out = units * 100 + cents;
  return TRUE;
}

static char *
escape_like (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static gboolean
has_letters (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

GPtrArray *
pos_sales_list (PosDatabase *db,
                const char  *query,
                gint64       from_ms,
                gint64       to_ms,
                guint        limit,
                GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sale_summary_free);
  g_autofree char *stripped = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *like = NULL;
  g_autofree char *fts = NULL;
  sqlite3_stmt *stmt;
  gint64 amount = 0;
  gboolean has_amount = FALSE;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  if (query != NULL)
    {
      stripped = g_strstrip (g_strdup (query));
      if (*stripped == '\0')
        g_clear_pointer (&stripped, g_free);
    }

  if (stripped != NULL)
    {
      const char *digits;
      gboolean is_return;
      gsize len;
      gboolean all_digits;

      if (g_str_has_prefix (stripped, RECEIPT_CODE_PREFIX))
        {
          char *id = g_strdup (stripped + strlen (RECEIPT_CODE_PREFIX));
          g_free (stripped);
          stripped = id;
        }

      /* "42", "000042" or "D42" (a return): the sequence part of the number. */
      is_return = stripped[0] == 'D' || stripped[0] == 'd';
      digits = is_return ? stripped + 1 : stripped;
      len = strlen (digits);
      all_digits = len > 0 && len <= 6;
      for (gsize i = 0; all_digits && i < len; i++)
        all_digits = g_ascii_isdigit (digits[i]);
      if (all_digits)
        suffix = g_strdup_printf ("%s%06" G_GINT64_FORMAT, is_return ? "D" : "-",
                                  g_ascii_strtoll (digits, NULL, 10));

      has_amount = parse_search_amount (stripped, &amount);
      like = escape_like (stripped);
      /* Words as prefixes through the catalog's and the customers' search
       * indexes: accents and case ignored ("acucar" finds "Açúcar"). Only
       * for text with letters: "42" or "12,90" is a number or an amount,
       * not the start of "42 rolos" or "12 ovos". */
      if (has_letters (stripped))
        fts = _pos_fts_prefix_query (stripped);
    }

#define HISTORY_WHERE \
      "WHERE (?1 IS NULL " \
      "   OR s.id = ?1 OR s.number = ?1 " \
      "   OR (?2 IS NOT NULL AND substr (s.number, -7) = ?2) " \
      "   OR (?4 IS NOT NULL AND (s.total = ?4 OR s.total = -?4)) " \
      "   OR c.name LIKE '%' || ?3 || '%' ESCAPE '\\' " \
      "   OR EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id " \
      "              AND l.name LIKE '%' || ?3 || '%' ESCAPE '\\') "
#define HISTORY_WHERE_FTS \
      "   OR s.customer_id IN (SELECT id FROM customers WHERE rowid IN " \
      "        (SELECT rowid FROM customer_search WHERE customer_search MATCH ?8)) " \
      "   OR EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id AND l.product_id IN " \
      "        (SELECT rowid FROM product_search WHERE product_search MATCH ?8)) "
#define HISTORY_REST \
      ") AND (?5 = 0 OR s.created_at >= ?5) AND (?6 = 0 OR s.created_at < ?6) " \
      "ORDER BY s.created_at DESC, s.number DESC LIMIT ?7"

  /* Two statements: FTS5 refuses a NULL query, so the FTS branch is only
   * in the statement used when there are words to search. */
  if (fts != NULL)
    stmt = pos_database_prepare_cached (db, "SELECT " SUMMARY_COLUMNS HISTORY_WHERE HISTORY_WHERE_FTS HISTORY_REST, error);
  else
    stmt = pos_database_prepare_cached (db, "SELECT " SUMMARY_COLUMNS HISTORY_WHERE HISTORY_REST, error);
#undef HISTORY_WHERE
#undef HISTORY_WHERE_FTS
#undef HISTORY_REST
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, stripped);
  pos_database_bind_text (stmt, 2, suffix);
  pos_database_bind_text (stmt, 3, like);
  if (has_amount && amount > 0)
    sqlite3_bind_int64 (stmt, 4, amount);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, from_ms);
  sqlite3_bind_int64 (stmt, 6, to_ms);
  sqlite3_bind_int64 (stmt, 7, limit > 0 ? (gint64) limit : -1);
  if (fts != NULL)
    pos_database_bind_text (stmt, 8, fts);

  if (!collect_summaries (db, stmt, list, error))
    return NULL;
  return g_steal_pointer (&list);
}

static gboolean
load_lines (PosDatabase   *db,
            PosSaleRecord *r,
            GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT l.line_no, l.product_id, l.sku, l.name, l.barcode, l.weighed, l.quantity, l.unit_price, "
      "l.gross, l.line_discount, l.sale_discount, l.total, l.tax_rate_bp, l.tax, l.approx_tax, l.note, "
      "l.original_line_no, "
      "(SELECT -COALESCE (SUM (rl.quantity), 0) FROM sales rs JOIN sale_lines rl ON rl.sale_id = rs.id "
      "  WHERE rs.original_sale_id = l.sale_id AND rl.original_line_no = l.line_no) "
      "FROM sale_lines l WHERE l.sale_id = ? ORDER BY l.line_no", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosSaleLine *l = g_new0 (PosSaleLine, 1);

      l->line_no = (guint) sqlite3_column_int (stmt, 0);
      l->product_id = sqlite3_column_int64 (stmt, 1);
      l->sku = pos_database_column_dup (stmt, 2);
      l->name = pos_database_column_dup (stmt, 3);
      l->barcode = pos_database_column_dup (stmt, 4);
      l->weighed = sqlite3_column_int (stmt, 5) != 0;
      l->quantity = sqlite3_column_int64 (stmt, 6);
      l->unit_price = sqlite3_column_int64 (stmt, 7);
      l->gross = sqlite3_column_int64 (stmt, 8);
      l->line_discount = sqlite3_column_int64 (stmt, 9);
      l->sale_discount = sqlite3_column_int64 (stmt, 10);
      l->total = sqlite3_column_int64 (stmt, 11);
      l->tax_rate_bp = (guint) sqlite3_column_int64 (stmt, 12);
      l->tax = sqlite3_column_int64 (stmt, 13);
      l->approx_tax = sqlite3_column_int64 (stmt, 14);
      l->note = pos_database_column_dup (stmt, 15);
      l->original_line_no = (guint) sqlite3_column_int (stmt, 16);
      l->returned_quantity = sqlite3_column_int64 (stmt, 17);
      g_ptr_array_add (r->lines, l);
    }
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Cannot read the sale's lines"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
load_payments (PosDatabase   *db,
               PosSaleRecord *r,
               GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT method, amount, tendered, reference, card_last4, card_brand "
      "FROM sale_payments WHERE sale_id = ? ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, r->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosPayment *p = g_new0 (PosPayment, 1);
      const char *method = (const char *) sqlite3_column_text (stmt, 0);

      if (!pos_payment_method_from_string (method, &p->method))
        p->method = POS_PAYMENT_CASH;
      p->amount = sqlite3_column_int64 (stmt, 1);
      p->tendered = sqlite3_column_int64 (stmt, 2);
      p->reference = pos_database_column_dup (stmt, 3);
      p->card_last4 = pos_database_column_dup (stmt, 4);
      p->card_brand = pos_database_column_dup (stmt, 5);
      g_ptr_array_add (r->payments, p);
    }
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Cannot read the sale's payments"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

PosSaleRecord *
pos_sales_load (PosDatabase *db,
                const char  *id_or_number,
                GError     **error)
{
  g_autoptr(PosSaleRecord) r = NULL;
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (id_or_number != NULL, NULL);

  key = g_strstrip (g_strdup (id_or_number));
  if (g_str_has_prefix (key, RECEIPT_CODE_PREFIX))
    memmove (key, key + strlen (RECEIPT_CODE_PREFIX), strlen (key) - strlen (RECEIPT_CODE_PREFIX) + 1);

  stmt = pos_database_prepare_cached (db,
      "SELECT s.id, s.number, s.kind, s.original_sale_id, o.number, s.store_id, s.terminal_id, "
      "s.staff_id, st.name, s.customer_id, c.name, s.currency, s.tax_mode, s.subtotal, "
      "s.line_discounts, s.sale_discount, s.total, s.tax_total, s.approx_tax, s.paid, "
      "s.change_given, s.note, s.reason, s.created_at, s.loyalty_earned, s.loyalty_redeemed "
      "FROM sales s LEFT JOIN sales o ON o.id = s.original_sale_id "
      "LEFT JOIN staff st ON st.id = s.staff_id LEFT JOIN customers c ON c.id = s.customer_id "
      "WHERE s.id = ?1 OR s.number = ?1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_SALES_ERROR, POS_SALES_ERROR_NOT_FOUND,
                     _("No sale “%s” on this terminal. Check the number on the receipt."), key);
      else
        pos_database_set_error (db, error, _("Cannot read the sale"));
      sqlite3_reset (stmt);
      return NULL;
    }

  r = g_new0 (PosSaleRecord, 1);
  r->id = pos_database_column_dup (stmt, 0);
  r->number = pos_database_column_dup (stmt, 1);
  r->kind = pos_database_column_dup (stmt, 2);
  r->original_sale_id = pos_database_column_dup (stmt, 3);
  r->original_number = pos_database_column_dup (stmt, 4);
  r->store_id = pos_database_column_dup (stmt, 5);
  r->terminal_id = pos_database_column_dup (stmt, 6);
  r->staff_id = pos_database_column_dup (stmt, 7);
  r->staff_name = pos_database_column_dup (stmt, 8);
  r->customer_id = pos_database_column_dup (stmt, 9);
  r->customer_name = pos_database_column_dup (stmt, 10);
  r->currency = pos_database_column_dup (stmt, 11);
  r->tax_mode = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 12), "exclusive") == 0
                ? POS_TAX_EXCLUSIVE : POS_TAX_INCLUSIVE;
  r->subtotal = sqlite3_column_int64 (stmt, 13);
  r->line_discounts = sqlite3_column_int64 (stmt, 14);
  r->sale_discount = sqlite3_column_int64 (stmt, 15);
  r->total = sqlite3_column_int64 (stmt, 16);
  r->tax_total = sqlite3_column_int64 (stmt, 17);
  r->approx_tax = sqlite3_column_int64 (stmt, 18);
  r->paid = sqlite3_column_int64 (stmt, 19);
  r->change_given = sqlite3_column_int64 (stmt, 20);
  r->note = pos_database_column_dup (stmt, 21);
  r->reason = pos_database_column_dup (stmt, 22);
  r->created_at = sqlite3_column_int64 (stmt, 23);
  r->loyalty_earned = sqlite3_column_int64 (stmt, 24);
  r->loyalty_redeemed = sqlite3_column_int64 (stmt, 25);
  sqlite3_reset (stmt);

  if (r->customer_id != NULL)
    {
      PosLoyaltyRule rule;

      pos_loyalty_get_rule (db, &rule);
      r->loyalty_shown = pos_loyalty_rule_is_on (&rule) || r->loyalty_earned != 0 || r->loyalty_redeemed != 0;
      if (r->loyalty_shown)
        r->loyalty_balance = pos_customers_points_balance (db, r->customer_id);
    }

  r->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sale_line_free);
  r->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_payment_free);
  r->returns = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_sale_summary_free);

  if (!load_lines (db, r, error) || !load_payments (db, r, error))
    return NULL;

  stmt = pos_database_prepare_cached (db,
      "SELECT " SUMMARY_COLUMNS "WHERE s.original_sale_id = ? ORDER BY s.created_at, s.number", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, r->id);
  if (!collect_summaries (db, stmt, r->returns, error))
    return NULL;

  return g_steal_pointer (&r);
}
