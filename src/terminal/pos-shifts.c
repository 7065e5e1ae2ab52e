/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-shifts"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-json.h"
#include "domain/pos-money.h"
#include "domain/pos-uuid.h"
#include "pos-sales-private.h"
#include "pos-shifts-private.h"
#include "pos-staff.h"

/* Shifts at this terminal.
 *
 * The shift row holds what was decided (who opened it, the float, the
 * count at the close); every other figure is computed from the committed
 * documents that name the shift: sales and returns (sales.shift_id), their
 * payments, the drawer's movements (cash_movements) and the no-sale rows of
 * the audit log. So a crash or a power cut cannot leave a figure behind:
 * after a restart the X report is what the documents say. At the close the
 * report is frozen in shifts.z_report and that same document goes up as
 * 'shift.close'.
 *
 * The drawer's ledger (cash_movements): 'float' at the opening, 'in' and
 * 'out' (amount signed: out is negative), 'count' at the close.
 *
 * Expected cash = float + cash taken in sales (tendered minus the change
 * given, which is always cash) - cash refunded + in - out. */

G_DEFINE_QUARK (pos-shifts-error-quark, pos_shifts_error)

#define MAX_COUNT_ROWS   64
#define MAX_COUNT_PIECES 1000000
#define DEFAULT_COUNT_DIFFERENCE_LIMIT 1000
#define MAX_REASON_CHARS 500

/* ------------------------------------------------------------------ */
/* Denominations */

static const gint64 brl_denominations[] = {
  20000, 10000, 5000, 2000, 1000, 500, 200,   /* notes */
  100, 50, 25, 10, 5,                         /* coins */
};
static const gint64 eur_denominations[] = {
  50000, 20000, 10000, 5000, 2000, 1000, 500,
  200, 100, 50, 20, 10, 5, 2, 1,
};
static const gint64 usd_denominations[] = {
  10000, 5000, 2000, 1000, 500, 200, 100,
  25, 10, 5, 1,
};

const gint64 *
pos_cash_denominations (const char *currency,
                        guint      *n_out)
{
  const gint64 *list = NULL;
  guint n = 0;

  if (g_strcmp0 (currency, "BRL") == 0)
    list = brl_denominations, n = G_N_ELEMENTS (brl_denominations);
  else if (g_strcmp0 (currency, "EUR") == 0)
    list = eur_denominations, n = G_N_ELEMENTS (eur_denominations);
  else if (g_strcmp0 (currency, "USD") == 0)
    list = usd_denominations, n = G_N_ELEMENTS (usd_denominations);

  if (n_out != NULL)
    *n_out = n;
  return list;
}

gint64
pos_cash_count_total (const PosCashCount *counts,
                      guint               n)
{
  gint64 total = 0;

  g_return_val_if_fail (counts != NULL || n == 0, 0);

  for (guint i = 0; i < n; i++)
    {
      gint64 piece;

      if (counts[i].value <= 0)
        continue;
      if (counts[i].count > 0 && counts[i].value > G_MAXINT64 / counts[i].count)
        return G_MAXINT64;
      piece = counts[i].value * (gint64) counts[i].count;
      if (piece > G_MAXINT64 - total)
        return G_MAXINT64;
      total += piece;
    }
  return total;
}

static char *
format_money (gint64      amount,
              const char *currency)
{
  return pos_money_format (amount, currency, g_strcmp0 (currency, "BRL") == 0 ? "pt_BR" : "en_US");
}

/* A count must name the currency's notes and coins, each at most once, in
 * believable numbers. */
static gboolean
check_counts (const PosCashCount *counts,
              guint               n,
              const char         *currency,
              GError            **error)
{
  guint n_known = 0;
  const gint64 *known = pos_cash_denominations (currency, &n_known);

  if (n > MAX_COUNT_ROWS)
    {
      g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                   _("The count has too many rows. Count each note and coin once."));
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      gboolean found = known == NULL;

      for (guint k = 0; known != NULL && k < n_known; k++)
        found = found || known[k] == counts[i].value;
      if (counts[i].value <= 0 || !found)
        {
          g_autofree char *v = format_money (counts[i].value, currency);

          g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                       _("%s is not a note or coin of this currency. Check the count."), v);
          return FALSE;
        }
      if (counts[i].count > MAX_COUNT_PIECES)
        {
          g_autofree char *v = format_money (counts[i].value, currency);

          g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                       _("%u pieces of %s is not believable. Check the count."), counts[i].count, v);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (counts[j].value == counts[i].value)
          {
            g_autofree char *v = format_money (counts[i].value, currency);

            g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                         _("%s appears twice in the count. Count each note and coin once."), v);
            return FALSE;
          }
    }
  return TRUE;
}

/* The amount of a count, or of the typed total when there is no count:
 * with both, they must agree (a typed total of 0 means "take the count"). */
static gboolean
resolve_amount (const PosCashCount *counts,
                guint               n_counts,
                gint64              typed,
                const char         *currency,
                gint64             *out,
                GError            **error)
{
  gint64 total;

  if (counts == NULL || n_counts == 0)
    {
      if (typed < 0)
        {
          g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                       _("An amount of cash cannot be negative."));
          return FALSE;
        }
      *out = typed;
      return TRUE;
    }

  if (!check_counts (counts, n_counts, currency, error))
    return FALSE;
  total = pos_cash_count_total (counts, n_counts);
  if (typed != 0 && typed != total)
    {
      g_autofree char *t = format_money (typed, currency);
      g_autofree char *c = format_money (total, currency);

      g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                   _("The total typed (%s) is not the total of the notes and coins counted (%s). Count again."),
                   t, c);
      return FALSE;
    }
  *out = total;
  return TRUE;
}

static JsonNode *
counts_to_node (const PosCashCount *counts,
                guint               n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (counts == NULL || n == 0)
    return json_node_new (JSON_NODE_NULL);

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      pos_json_add_int (b, "value", counts[i].value);
      pos_json_add_int (b, "count", counts[i].count);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static char *
counts_to_json (const PosCashCount *counts,
                guint               n)
{
  g_autoptr(JsonNode) node = NULL;

  if (counts == NULL || n == 0)
    return NULL;
  node = counts_to_node (counts, n);
  return json_to_string (node, FALSE);
}

/* ------------------------------------------------------------------ */
/* Who and which shift */

static gboolean
require_staff (PosDatabase *db,
               char       **out_staff_id,
               GError     **error)
{
  g_autofree char *staff_id = pos_database_get_staff_id (db);
  sqlite3_stmt *stmt;
  gboolean active = FALSE;
  int rc;

  if (staff_id == NULL)
    {
      g_set_error_literal (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN,
                           _("Nobody is signed in at this terminal. Sign in first."));
      return FALSE;
    }

  stmt = pos_database_prepare_cached (db, "SELECT active FROM staff WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, staff_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    active = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN,
                   _("The person signed in (%s) is not known at this terminal. Sign in again."), staff_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return pos_database_set_error (db, error, _("Cannot read who is signed in"));
  if (!active)
    {
      g_set_error_literal (error, POS_STAFF_ERROR, POS_STAFF_ERROR_INACTIVE,
                           _("The person signed in was deactivated. Sign in as someone else."));
      return FALSE;
    }

  if (out_staff_id != NULL)
    *out_staff_id = g_steal_pointer (&staff_id);
  return TRUE;
}

/* The open shift's id, NULL when none (error only on failure). */
static char *
open_shift_id (PosDatabase *db,
               gboolean    *failed,
               GError     **error)
{
  sqlite3_stmt *stmt;
  char *id = NULL;
  int rc;

  *failed = FALSE;
  stmt = pos_database_prepare_cached (db,
      "SELECT id FROM shifts WHERE status = 'open' "
      "AND terminal_id = (SELECT value FROM settings WHERE key = 'terminal_id')", error);
  if (stmt == NULL)
    {
      *failed = TRUE;
      return NULL;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      *failed = TRUE;
      pos_database_set_error (db, error, _("Cannot read the shift"));
    }
  return id;
}

char *
pos_shifts_get_open_id (PosDatabase *db,
                        GError     **error)
{
  gboolean failed;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  return open_shift_id (db, &failed, error);
}

static gboolean
require_open_shift (PosDatabase *db,
                    char       **out_shift_id,
                    GError     **error)
{
  gboolean failed;
  g_autofree char *id = open_shift_id (db, &failed, error);

  if (failed)
    return FALSE;
  if (id == NULL)
    {
      g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NONE_OPEN,
                           _("No shift is open at this terminal. Open a shift first."));
      return FALSE;
    }
  if (out_shift_id != NULL)
    *out_shift_id = g_steal_pointer (&id);
  return TRUE;
}

gboolean
_pos_shifts_require_open (PosDatabase *db,
                          char       **out_staff_id,
                          char       **out_shift_id,
                          GError     **error)
{
  return require_staff (db, out_staff_id, error) &&
         require_open_shift (db, out_shift_id, error);
}

static char *
staff_name (PosDatabase *db,
            const char  *staff_id)
{
  sqlite3_stmt *stmt;
  char *name = NULL;

  if (staff_id == NULL)
    return NULL;
  stmt = pos_database_prepare_cached (db, "SELECT name FROM staff WHERE id = ?1", NULL);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, staff_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  return name;
}

static char *
store_currency (PosDatabase *db)
{
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);

  if (info == NULL || info->currency == NULL)
    return g_strdup ("BRL");
  return g_steal_pointer (&info->currency);
}

/* ------------------------------------------------------------------ */
/* The report */

void
pos_shift_report_free (PosShiftReport *r)
{
  if (r == NULL)
    return;
  g_free (r->shift_id);
  g_free (r->terminal_id);
  g_free (r->terminal_name);
  g_free (r->opened_by);
  g_free (r->closed_by);
  g_free (r->currency);
  g_clear_pointer (&r->by_method, g_array_unref);
  g_free (r->approved_by);
  g_free (r);
}

static PosShiftReport *
report_new (void)
{
  PosShiftReport *r = g_new0 (PosShiftReport, 1);

  r->by_method = g_array_new (FALSE, TRUE, sizeof (PosShiftMethodTotal));
  return r;
}

static JsonNode *
report_to_node (const PosShiftReport *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  pos_json_add_string (b, "kind", r->has_count ? "z" : "x");
  pos_json_add_string (b, "id", r->shift_id);
  pos_json_add_int (b, "number", r->number);
  pos_json_add_string (b, "terminal_id", r->terminal_id);
  pos_json_add_string (b, "terminal_name", r->terminal_name);
  pos_json_add_string (b, "opened_by", r->opened_by);
  pos_json_add_string (b, "closed_by", r->closed_by);
  pos_json_add_int (b, "opened_at", r->opened_at);
  json_builder_set_member_name (b, "closed_at");
  if (r->closed_at > 0)
    json_builder_add_int_value (b, r->closed_at);
  else
    json_builder_add_null_value (b);
  pos_json_add_string (b, "currency", r->currency);
  pos_json_add_int (b, "opening_float", r->opening_float);
  pos_json_add_int (b, "n_sales", r->n_sales);
  pos_json_add_int (b, "n_returns", r->n_returns);
  pos_json_add_int (b, "gross_sales", r->gross_sales);
  pos_json_add_int (b, "returns_total", r->returns_total);
  pos_json_add_int (b, "discounts", r->discounts);
  pos_json_add_int (b, "tax_total", r->tax_total);
  pos_json_add_int (b, "cash_in", r->cash_in);
  pos_json_add_int (b, "cash_out", r->cash_out);
  pos_json_add_int (b, "change_given", r->change_given);
  pos_json_add_int (b, "n_no_sale", r->n_no_sale);

  json_builder_set_member_name (b, "by_method");
  json_builder_begin_array (b);
  for (guint i = 0; r->by_method != NULL && i < r->by_method->len; i++)
    {
      const PosShiftMethodTotal *m = &g_array_index (r->by_method, PosShiftMethodTotal, i);

      json_builder_begin_object (b);
      pos_json_add_string (b, "method", pos_payment_method_to_string (m->method));
      pos_json_add_int (b, "sales", m->sales);
      pos_json_add_int (b, "refunds", m->refunds);
      pos_json_add_int (b, "net", m->net);
      pos_json_add_int (b, "n_payments", m->n_payments);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  pos_json_add_int (b, "expected_cash", r->expected_cash);
  json_builder_set_member_name (b, "has_count");
  json_builder_add_boolean_value (b, r->has_count);
  json_builder_set_member_name (b, "counted_cash");
  if (r->has_count)
    json_builder_add_int_value (b, r->counted_cash);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "difference");
  if (r->has_count)
    json_builder_add_int_value (b, r->difference);
  else
    json_builder_add_null_value (b);
  pos_json_add_string (b, "approved_by", r->approved_by);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

char *
pos_shift_report_to_json (const PosShiftReport *report)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  node = report_to_node (report);
  return json_to_string (node, FALSE);
}

/* Reading a frozen Z report back: what was sent is what is shown. */
static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (n);
}

static char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (n));
}

static PosShiftReport *
report_from_json (const char *json,
                  GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(PosShiftReport) r = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *o;
  JsonNode *methods;

  if (!json_parser_load_from_data (parser, json, -1, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                   _("The saved Z report of this shift cannot be read (%s)."),
                   local_error != NULL ? local_error->message : _("not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (root);

  r = report_new ();
  r->shift_id = member_string (o, "id");
  r->number = (guint) member_int (o, "number");
  r->terminal_id = member_string (o, "terminal_id");
  r->terminal_name = member_string (o, "terminal_name");
  r->opened_by = member_string (o, "opened_by");
  r->closed_by = member_string (o, "closed_by");
  r->opened_at = member_int (o, "opened_at");
  r->closed_at = member_int (o, "closed_at");
  r->currency = member_string (o, "currency");
  r->opening_float = member_int (o, "opening_float");
  r->n_sales = (guint) member_int (o, "n_sales");
  r->n_returns = (guint) member_int (o, "n_returns");
  r->gross_sales = member_int (o, "gross_sales");
  r->returns_total = member_int (o, "returns_total");
  r->discounts = member_int (o, "discounts");
  r->tax_total = member_int (o, "tax_total");
  r->cash_in = member_int (o, "cash_in");
  r->cash_out = member_int (o, "cash_out");
  r->change_given = member_int (o, "change_given");
  r->n_no_sale = (guint) member_int (o, "n_no_sale");
  r->expected_cash = member_int (o, "expected_cash");
  r->has_count = json_object_get_boolean_member_with_default (o, "has_count", FALSE);
  r->counted_cash = member_int (o, "counted_cash");
  r->difference = member_int (o, "difference");
  r->approved_by = member_string (o, "approved_by");
  if (r->currency == NULL)
    r->currency = g_strdup ("BRL");

  methods = json_object_get_member (o, "by_method");
  if (methods != NULL && JSON_NODE_HOLDS_ARRAY (methods))
    {
      JsonArray *a = json_node_get_array (methods);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          PosShiftMethodTotal m = { 0 };
          g_autofree char *method = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            continue;
          method = member_string (json_node_get_object (e), "method");
          if (!pos_payment_method_from_string (method, &m.method))
            continue;
          m.sales = member_int (json_node_get_object (e), "sales");
          m.refunds = member_int (json_node_get_object (e), "refunds");
          m.net = member_int (json_node_get_object (e), "net");
          m.n_payments = (guint) member_int (json_node_get_object (e), "n_payments");
          g_array_append_val (r->by_method, m);
        }
    }

  return g_steal_pointer (&r);
}

static gboolean
step_row (PosDatabase  *db,
          sqlite3_stmt *stmt,
          const char   *what,
          GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NOT_FOUND, "%s", what);
      else
        pos_database_set_error (db, error, what);
      sqlite3_reset (stmt);
      return FALSE;
    }
  return TRUE;
}

static gint
compare_methods (gconstpointer a,
                 gconstpointer b)
{
  const PosShiftMethodTotal *x = a, *y = b;

  return (gint) x->method - (gint) y->method;
}

/* The figures from the documents of the shift. */
static gboolean
compute_figures (PosDatabase    *db,
                 PosShiftReport *r,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  gint64 cash_tendered = 0;
  gint64 cash_refunds = 0;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT COUNT(*) FILTER (WHERE kind = 'sale'), COUNT(*) FILTER (WHERE kind = 'return'), "
      "COALESCE (SUM (total) FILTER (WHERE kind = 'sale'), 0), "
      "-COALESCE (SUM (total) FILTER (WHERE kind = 'return'), 0), "
      "COALESCE (SUM (line_discounts + sale_discount) FILTER (WHERE kind = 'sale'), 0), "
      "COALESCE (SUM (tax_total), 0), "
      "COALESCE (SUM (change_given) FILTER (WHERE kind = 'sale'), 0) "
      "FROM sales WHERE shift_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, r->shift_id);
  if (!step_row (db, stmt, _("Cannot add up the shift's sales"), error))
    return FALSE;
  r->n_sales = (guint) sqlite3_column_int64 (stmt, 0);
  r->n_returns = (guint) sqlite3_column_int64 (stmt, 1);
  r->gross_sales = sqlite3_column_int64 (stmt, 2);
  r->returns_total = sqlite3_column_int64 (stmt, 3);
  r->discounts = sqlite3_column_int64 (stmt, 4);
  r->tax_total = sqlite3_column_int64 (stmt, 5);
  r->change_given = sqlite3_column_int64 (stmt, 6);
  sqlite3_reset (stmt);

  stmt = pos_database_prepare_cached (db,
      "SELECT p.method, COALESCE (SUM (p.amount) FILTER (WHERE s.kind = 'sale'), 0), "
      "-COALESCE (SUM (p.amount) FILTER (WHERE s.kind = 'return'), 0), COUNT(*), "
      "COALESCE (SUM (p.tendered) FILTER (WHERE s.kind = 'sale'), 0) "
      "FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
      "WHERE s.shift_id = ?1 GROUP BY p.method", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, r->shift_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosShiftMethodTotal m = { 0 };

      if (!pos_payment_method_from_string ((const char *) sqlite3_column_text (stmt, 0), &m.method))
        continue;
      m.sales = sqlite3_column_int64 (stmt, 1);
      m.refunds = sqlite3_column_int64 (stmt, 2);
      m.net = m.sales - m.refunds;
      m.n_payments = (guint) sqlite3_column_int64 (stmt, 3);
      if (m.method == POS_PAYMENT_CASH)
        {
          cash_tendered = sqlite3_column_int64 (stmt, 4);
          cash_refunds = m.refunds;
        }
      g_array_append_val (r->by_method, m);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Cannot add up the shift's payments"));
  g_array_sort (r->by_method, compare_methods);

  stmt = pos_database_prepare_cached (db,
      "SELECT COALESCE (SUM (amount) FILTER (WHERE kind = 'in'), 0), "
      "-COALESCE (SUM (amount) FILTER (WHERE kind = 'out'), 0) "
      "FROM cash_movements WHERE shift_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, r->shift_id);
  if (!step_row (db, stmt, _("Cannot add up the shift's cash movements"), error))
    return FALSE;
  r->cash_in = sqlite3_column_int64 (stmt, 0);
  r->cash_out = sqlite3_column_int64 (stmt, 1);
  sqlite3_reset (stmt);

  stmt = pos_database_prepare_cached (db,
      "SELECT COUNT(*) FROM audit_log WHERE action = 'drawer.no_sale' AND entity = 'shift' AND entity_id = ?1",
      error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, r->shift_id);
  if (!step_row (db, stmt, _("Cannot count the drawer openings"), error))
    return FALSE;
  r->n_no_sale = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  r->expected_cash = r->opening_float + (cash_tendered - r->change_given) - cash_refunds
                     + r->cash_in - r->cash_out;
  return TRUE;
}

static PosShiftReport *
load_report (PosDatabase *db,
             const char  *shift_id,
             GError     **error)
{
  g_autoptr(PosShiftReport) r = NULL;
  g_autofree char *z_report = NULL;
  guint64 number = 0;
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT s.id, s.number, s.terminal_id, t.name, so.name, sc.name, s.opened_at, "
      "COALESCE (s.closed_at, 0), s.opening_float, s.status, s.counted_cash, s.z_report, sa.name "
      "FROM shifts s LEFT JOIN terminals t ON t.id = s.terminal_id "
      "LEFT JOIN staff so ON so.id = s.staff_id LEFT JOIN staff sc ON sc.id = s.closed_by "
      "LEFT JOIN approvals a ON a.id = s.approval_id LEFT JOIN staff sa ON sa.id = a.approver_id "
      "WHERE s.id = ?1 OR (s.number = ?2 AND s.terminal_id = (SELECT value FROM settings WHERE key = 'terminal_id'))",
      error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, shift_id);
  if (g_ascii_string_to_unsigned (shift_id, 10, 1, G_MAXINT64, &number, NULL))
    sqlite3_bind_int64 (stmt, 2, (gint64) number);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NOT_FOUND,
                     _("No shift “%s” at this terminal."), shift_id);
      else
        pos_database_set_error (db, error, _("Cannot read the shift"));
      sqlite3_reset (stmt);
      return NULL;
    }

  z_report = pos_database_column_dup (stmt, 11);
  if (z_report != NULL && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 9), "closed") == 0)
    {
      sqlite3_reset (stmt);
      return report_from_json (z_report, error);
    }

  r = report_new ();
  r->shift_id = pos_database_column_dup (stmt, 0);
  r->number = (guint) sqlite3_column_int64 (stmt, 1);
  r->terminal_id = pos_database_column_dup (stmt, 2);
  r->terminal_name = pos_database_column_dup (stmt, 3);
  r->opened_by = pos_database_column_dup (stmt, 4);
  r->closed_by = pos_database_column_dup (stmt, 5);
  r->opened_at = sqlite3_column_int64 (stmt, 6);
  r->closed_at = sqlite3_column_int64 (stmt, 7);
  r->opening_float = sqlite3_column_int64 (stmt, 8);
  r->has_count = sqlite3_column_type (stmt, 10) != SQLITE_NULL;
  r->counted_cash = sqlite3_column_int64 (stmt, 10);
  r->approved_by = pos_database_column_dup (stmt, 12);
  sqlite3_reset (stmt);

  r->currency = store_currency (db);
  if (!compute_figures (db, r, error))
    return NULL;
  if (r->has_count)
    r->difference = r->counted_cash - r->expected_cash;

  return g_steal_pointer (&r);
}

PosShiftReport *
pos_shifts_report (PosDatabase *db,
                   const char  *shift_id,
                   GError     **error)
{
  g_autofree char *open_id = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  if (shift_id == NULL)
    {
      if (!require_open_shift (db, &open_id, error))
        return NULL;
      shift_id = open_id;
    }
  return load_report (db, shift_id, error);
}

/* ------------------------------------------------------------------ */
/* Opening */

static char *
next_shift_number (PosDatabase *db,
                   const char  *terminal_id,
                   gint64      *out_number,
                   GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO document_sequences (terminal_id, kind, next_value) VALUES (?1, 'shift', 2) "
      "ON CONFLICT (terminal_id, kind) DO UPDATE SET next_value = next_value + 1 "
      "RETURNING next_value - 1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, terminal_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pos_database_set_error (db, error, _("Cannot take the next shift number"));
      sqlite3_reset (stmt);
      return NULL;
    }
  *out_number = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return g_strdup_printf ("%" G_GINT64_FORMAT, *out_number);
}

static gboolean
insert_movement (PosDatabase *db,
                 const char  *id,
                 const char  *shift_id,
                 const char  *kind,
                 gint64       amount,
                 const char  *reason,
                 const char  *staff_id,
                 const char  *approval_id,
                 gint64       now,
                 GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO cash_movements (id, shift_id, kind, amount, reason, staff_id, created_at, approval_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  pos_database_bind_text (stmt, 2, shift_id);
  pos_database_bind_text (stmt, 3, kind);
  sqlite3_bind_int64 (stmt, 4, amount);
  pos_database_bind_text (stmt, 5, reason);
  pos_database_bind_text (stmt, 6, staff_id);
  sqlite3_bind_int64 (stmt, 7, now);
  pos_database_bind_text (stmt, 8, approval_id);
  return _pos_sales_step_done (db, stmt, _("Cannot record the cash movement"), error);
}

static char *
node_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  return json_to_string (node, FALSE);
}

static gboolean
open_in_transaction (PosDatabase        *db,
                     const PosStoreInfo *info,
                     const char         *staff_id,
                     const char         *id,
                     const PosCashCount *counts,
                     guint               n_counts,
                     gint64              opening_float,
                     GError            **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *number = NULL;
  g_autofree char *count_json = counts_to_json (counts, n_counts);
  g_autofree char *payload = NULL;
  g_autofree char *audit = NULL;
  g_autofree char *float_id = NULL;
  gboolean failed;
  g_autofree char *already = open_shift_id (db, &failed, error);
  sqlite3_stmt *stmt;
  gint64 n = 0;
  gint64 now = pos_now_ms ();

  if (failed)
    return FALSE;
  if (already != NULL)
    {
      g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_ALREADY_OPEN,
                           _("A shift is already open at this terminal. Close it before opening another."));
      return FALSE;
    }

  number = next_shift_number (db, info->terminal_id, &n, error);
  if (number == NULL)
    return FALSE;

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO shifts (id, terminal_id, staff_id, number, opened_at, opening_float, status, opening_count) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  pos_database_bind_text (stmt, 2, info->terminal_id);
  pos_database_bind_text (stmt, 3, staff_id);
  sqlite3_bind_int64 (stmt, 4, n);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_int64 (stmt, 6, opening_float);
  pos_database_bind_text (stmt, 7, count_json);
  if (!_pos_sales_step_done (db, stmt, _("Cannot open the shift"), error))
    return FALSE;

  float_id = pos_uuid7_new_at (now);
  if (!insert_movement (db, float_id, id, "float", opening_float, NULL, staff_id, NULL, now, error))
    return FALSE;

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", id);
  pos_json_add_int (b, "number", n);
  pos_json_add_string (b, "store_id", info->store_id);
  pos_json_add_string (b, "terminal_id", info->terminal_id);
  pos_json_add_string (b, "staff_id", staff_id);
  pos_json_add_int (b, "opened_at", now);
  pos_json_add_string (b, "currency", info->currency);
  pos_json_add_int (b, "opening_float", opening_float);
  json_builder_set_member_name (b, "opening_count");
  json_builder_add_value (b, counts_to_node (counts, n_counts));
  json_builder_end_object (b);
  payload = node_to_string (b);

  audit = g_strdup_printf ("{\"number\":%" G_GINT64_FORMAT ",\"opening_float\":%" G_GINT64_FORMAT "}",
                           n, opening_float);
  return pos_database_audit (db, "shift.open", "shift", id, NULL, audit, error) &&
         pos_database_enqueue_outbox (db, "shift.open", id, payload, error);
}

char *
pos_shifts_open (PosDatabase        *db,
                 const PosCashCount *counts,
                 guint               n_counts,
                 gint64              opening_float,
                 GError            **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *id = NULL;
  gint64 amount = 0;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;
  if (!resolve_amount (counts, n_counts, opening_float, info->currency, &amount, error))
    return NULL;

  if (!pos_database_begin (db, error))
    return NULL;
  id = pos_uuid7_new ();
  if (!require_staff (db, &staff_id, error) ||
      !open_in_transaction (db, info, staff_id, id, counts, n_counts, amount, error) ||
      !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The shift was not opened: "));
      return NULL;
    }
  return g_steal_pointer (&id);
}

/* ------------------------------------------------------------------ */
/* Cash in and out, no-sale */

static gboolean
check_reason (const char *reason,
              GError    **error)
{
  g_autofree char *stripped = reason != NULL ? g_strstrip (g_strdup (reason)) : NULL;

  if (stripped == NULL || *stripped == '\0')
    {
      g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                           _("Say why: a reason is needed."));
      return FALSE;
    }
  if (!g_utf8_validate (stripped, -1, NULL) || g_utf8_strlen (stripped, -1) > MAX_REASON_CHARS)
    {
      g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                           _("The reason is too long. Say it in fewer words."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
cash_move_in_transaction (PosDatabase        *db,
                          const PosStoreInfo *info,
                          gint64              amount,
                          const char         *reason,
                          const char         *approval_id,
                          GError            **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *staff_id = NULL;
  g_autofree char *shift_id = NULL;
  g_autofree char *approver = NULL;
  g_autofree char *what = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *audit = NULL;
  gint64 now = pos_now_ms ();
  g_autofree char *id = pos_uuid7_new_at (now);
  const char *kind = amount > 0 ? "in" : "out";

  if (!_pos_shifts_require_open (db, &staff_id, &shift_id, error))
    return FALSE;
  what = g_strconcat ("cash_move:", id, NULL);
  if (!pos_staff_authorize (db, POS_PERMISSION_CASH_IN_OUT, approval_id, what, &approver, error))
    return FALSE;

  if (!insert_movement (db, id, shift_id, kind, amount, reason, staff_id,
                        approver != NULL ? approval_id : NULL, now, error))
    return FALSE;

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", id);
  pos_json_add_string (b, "shift_id", shift_id);
  pos_json_add_string (b, "store_id", info->store_id);
  pos_json_add_string (b, "terminal_id", info->terminal_id);
  pos_json_add_string (b, "kind", kind);
  pos_json_add_int (b, "amount", amount);
  pos_json_add_string (b, "currency", info->currency);
  pos_json_add_string (b, "reason", reason);
  pos_json_add_string (b, "staff_id", staff_id);
  pos_json_add_string (b, "approver_id", approver);
  pos_json_add_int (b, "created_at", now);
  json_builder_end_object (b);
  payload = node_to_string (b);

  audit = g_strdup_printf ("{\"shift_id\":\"%s\",\"kind\":\"%s\",\"amount\":%" G_GINT64_FORMAT "}",
                           shift_id, kind, amount);
  return pos_database_audit_full (db, "cash.move", "cash_movement", id, reason, audit, approver, error) &&
         pos_database_enqueue_outbox (db, "cash.move", id, payload, error);
}

gboolean
pos_shifts_cash_move (PosDatabase *db,
                      gint64       amount,
                      const char  *reason,
                      const char  *approval_id,
                      GError     **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autofree char *clean = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (amount == 0)
    {
      g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                           _("Type the amount of cash put in or taken out; it cannot be zero."));
      return FALSE;
    }
  if (amount == G_MININT64 || !check_reason (reason, error))
    {
      if (amount == G_MININT64)
        g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                             _("That amount is not possible. Check what you typed."));
      return FALSE;
    }
  clean = g_strstrip (g_strdup (reason));

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return FALSE;

  if (!pos_database_begin (db, error))
    return FALSE;
  if (!cash_move_in_transaction (db, info, amount, clean, approval_id, error) ||
      !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The cash movement was not recorded: "));
      return FALSE;
    }
  return TRUE;
}

gboolean
pos_shifts_record_no_sale (PosDatabase *db,
                           const char  *reason,
                           const char  *approval_id,
                           GError     **error)
{
  g_autofree char *shift_id = NULL;
  g_autofree char *approver = NULL;
  g_autofree char *what = NULL;
  g_autofree char *clean = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!check_reason (reason, error))
    return FALSE;
  clean = g_strstrip (g_strdup (reason));

  if (!pos_database_begin (db, error))
    return FALSE;
  if (_pos_shifts_require_open (db, NULL, &shift_id, error))
    what = g_strconcat ("no_sale:", shift_id, NULL);
  if (what == NULL ||
      !pos_staff_authorize (db, POS_PERMISSION_NO_SALE, approval_id, what, &approver, error) ||
      !pos_database_audit_full (db, "drawer.no_sale", "shift", shift_id, clean, NULL, approver, error) ||
      !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The drawer was not opened: "));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Closing */

gboolean
pos_shifts_preview_close (PosDatabase *db,
                          gint64       counted_cash,
                          gint64      *out_difference,
                          GError     **error)
{
  g_autoptr(PosShiftReport) report = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (counted_cash < 0)
    {
      g_set_error_literal (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_INVALID,
                           _("An amount of cash cannot be negative."));
      return FALSE;
    }
  report = pos_shifts_report (db, NULL, error);
  if (report == NULL)
    return FALSE;
  if (out_difference != NULL)
    *out_difference = counted_cash - report->expected_cash;
  return TRUE;
}

gint64
pos_shifts_get_difference_limit (PosDatabase *db)
{
  g_autofree char *value = pos_database_get_setting (db, "count_difference_limit");
  gint64 limit;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, G_MAXINT64 / 2, &limit, NULL))
    return DEFAULT_COUNT_DIFFERENCE_LIMIT;
  return limit;
}

static PosShiftReport *
close_in_transaction (PosDatabase        *db,
                      const PosStoreInfo *info,
                      const PosCashCount *counts,
                      guint               n_counts,
                      gint64              counted,
                      const char         *approval_id,
                      const char         *difference_approval_id,
                      GError            **error)
{
  g_autoptr(PosShiftReport) report = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *shift_id = NULL;
  g_autofree char *close_approver = NULL;
  g_autofree char *diff_approver = NULL;
  g_autofree char *what = NULL;
  g_autofree char *count_json = counts_to_json (counts, n_counts);
  g_autofree char *payload = NULL;
  g_autofree char *audit = NULL;
  g_autofree char *count_id = NULL;
  sqlite3_stmt *stmt;
  gint64 limit = pos_shifts_get_difference_limit (db);
  gint64 now = pos_now_ms ();
  JsonObject *o;

  if (!_pos_shifts_require_open (db, &staff_id, &shift_id, error))
    return NULL;
  report = load_report (db, shift_id, error);
  if (report == NULL)
    return NULL;

  what = g_strconcat ("shift_close:", shift_id, NULL);
  if (!pos_staff_authorize (db, POS_PERMISSION_CLOSE_SHIFT, approval_id, what, &close_approver, error))
    return NULL;

  report->has_count = TRUE;
  report->counted_cash = counted;
  report->difference = counted - report->expected_cash;
  if (ABS (report->difference) > limit)
    {
      g_autoptr(GError) local_error = NULL;

      g_free (what);
      what = g_strconcat ("count_difference:", shift_id, NULL);
      if (!pos_staff_authorize (db, POS_PERMISSION_COUNT_DIFFERENCE, difference_approval_id, what,
                      &diff_approver, &local_error))
        {
          if (g_error_matches (local_error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION))
            {
              g_autofree char *d = format_money (report->difference, report->currency);
              g_autofree char *l = format_money (limit, report->currency);

              g_set_error (error, POS_SHIFTS_ERROR, POS_SHIFTS_ERROR_NEEDS_APPROVAL,
                           _("The count differs from the expected cash by %s, more than the %s "
                             "allowed. Count again, or ask a manager to approve the difference."),
                           d, l);
            }
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  report->closed_at = now;
  g_free (report->closed_by);
  report->closed_by = staff_name (db, staff_id);
  g_free (report->approved_by);
  report->approved_by = staff_name (db, diff_approver);

  /* The document: the report, plus the ids the central files it under. */
  node = report_to_node (report);
  o = json_node_get_object (node);
  json_object_set_string_member (o, "store_id", info->store_id);
  json_object_set_string_member (o, "staff_id", staff_id);
  if (diff_approver != NULL)
    json_object_set_string_member (o, "approver_id", diff_approver);
  else
    json_object_set_null_member (o, "approver_id");
  json_object_set_member (o, "closing_count", counts_to_node (counts, n_counts));
  payload = json_to_string (node, FALSE);

  stmt = pos_database_prepare_cached (db,
      "UPDATE shifts SET status = 'closed', closed_at = ?2, closed_by = ?3, counted_cash = ?4, "
      "expected_cash = ?5, closing_count = ?6, approval_id = ?7, z_report = ?8 "
      "WHERE id = ?1 AND status = 'open'", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, shift_id);
  sqlite3_bind_int64 (stmt, 2, now);
  pos_database_bind_text (stmt, 3, staff_id);
  sqlite3_bind_int64 (stmt, 4, counted);
  sqlite3_bind_int64 (stmt, 5, report->expected_cash);
  pos_database_bind_text (stmt, 6, count_json);
  pos_database_bind_text (stmt, 7, diff_approver != NULL ? difference_approval_id : NULL);
  pos_database_bind_text (stmt, 8, payload);
  if (!_pos_sales_step_done (db, stmt, _("Cannot close the shift"), error))
    return NULL;

  count_id = pos_uuid7_new_at (now);
  if (!insert_movement (db, count_id, shift_id, "count", counted, NULL, staff_id, NULL, now, error))
    return NULL;

  audit = g_strdup_printf ("{\"number\":%u,\"expected_cash\":%" G_GINT64_FORMAT ",\"counted_cash\":%"
                           G_GINT64_FORMAT ",\"difference\":%" G_GINT64_FORMAT "}",
                           report->number, report->expected_cash, counted, report->difference);
  if (!pos_database_audit_full (db, "shift.close", "shift", shift_id, NULL, audit,
                                diff_approver != NULL ? diff_approver : close_approver, error) ||
      !pos_database_enqueue_outbox (db, "shift.close", shift_id, payload, error))
    return NULL;

  return g_steal_pointer (&report);
}

PosShiftReport *
pos_shifts_close (PosDatabase        *db,
                  const PosCashCount *counts,
                  guint               n_counts,
                  gint64              counted_cash,
                  const char         *approval_id,
                  const char         *difference_approval_id,
                  GError            **error)
{
  g_autoptr(PosStoreInfo) info = NULL;
  g_autoptr(PosShiftReport) report = NULL;
  gint64 counted = 0;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  info = _pos_sales_get_store_info (db, error);
  if (info == NULL)
    return NULL;
  if (!resolve_amount (counts, n_counts, counted_cash, info->currency, &counted, error))
    return NULL;

  if (!pos_database_begin (db, error))
    return NULL;
  report = close_in_transaction (db, info, counts, n_counts, counted, approval_id,
                                 difference_approval_id, error);
  if (report == NULL || !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The shift was not closed: "));
      return NULL;
    }
  return g_steal_pointer (&report);
}

/* ------------------------------------------------------------------ */
/* As text */

static void
add_pair (GString    *out,
          guint       columns,
          const char *left,
          const char *right)
{
  glong l = g_utf8_strlen (left, -1);
  glong r = right != NULL ? g_utf8_strlen (right, -1) : 0;
  glong room = right != NULL ? (glong) columns - r - 1 : (glong) columns;

  if (right == NULL && l <= room)
    {
      g_string_append (out, left);
      g_string_append_c (out, '\n');
      return;
    }
  if (l > room)
    {
      g_autofree char *cut = g_utf8_substring (left, 0, MAX (room, 0));

      g_string_append (out, cut);
      l = MAX (room, 0);
    }
  else
    g_string_append (out, left);
  for (glong i = l; i < (glong) columns - r; i++)
    g_string_append_c (out, ' ');
  if (right != NULL)
    g_string_append (out, right);
  g_string_append_c (out, '\n');
}

static void
add_money (GString    *out,
           guint       columns,
           const char *label,
           gint64      amount,
           const char *currency)
{
  g_autofree char *m = format_money (amount, currency);

  add_pair (out, columns, label, m);
}

static void
add_rule (GString *out,
          guint    columns)
{
  for (guint i = 0; i < columns; i++)
    g_string_append_c (out, '-');
  g_string_append_c (out, '\n');
}

static char *
format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_ms / 1000);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

char *
pos_shift_report_to_text (const PosShiftReport *r,
                          guint                 columns)
{
  GString *out;
  g_autofree char *title = NULL;
  g_autofree char *opened = NULL;
  const char *cur;

  g_return_val_if_fail (r != NULL, NULL);

  columns = CLAMP (columns, 32, 80);
  cur = r->currency != NULL ? r->currency : "BRL";
  out = g_string_new (NULL);

  /* Translators: the title of a shift report; %u is the shift's number. */
  title = r->has_count ? g_strdup_printf (_("Z REPORT — shift %u"), r->number)
                       : g_strdup_printf (_("X REPORT — shift %u"), r->number);
  add_pair (out, columns, title, NULL);
  if (r->terminal_name != NULL)
    add_pair (out, columns, r->terminal_name, NULL);
  opened = format_time (r->opened_at);
  add_pair (out, columns, _("Opened"), opened);
  if (r->opened_by != NULL)
    add_pair (out, columns, _("Opened by"), r->opened_by);
  if (r->closed_at > 0)
    {
      g_autofree char *closed = format_time (r->closed_at);

      add_pair (out, columns, _("Closed"), closed);
      if (r->closed_by != NULL)
        add_pair (out, columns, _("Closed by"), r->closed_by);
    }
  add_rule (out, columns);

  {
    g_autofree char *sales = g_strdup_printf (_("Sales (%u)"), r->n_sales);
    g_autofree char *returns = g_strdup_printf (_("Returns (%u)"), r->n_returns);

    add_money (out, columns, sales, r->gross_sales, cur);
    add_money (out, columns, returns, -r->returns_total, cur);
    add_money (out, columns, _("Net"), r->gross_sales - r->returns_total, cur);
    add_money (out, columns, _("Discounts given"), r->discounts, cur);
    add_money (out, columns, _("Taxes"), r->tax_total, cur);
  }
  add_rule (out, columns);

  add_pair (out, columns, _("By payment method"), NULL);
  for (guint i = 0; r->by_method != NULL && i < r->by_method->len; i++)
    {
      const PosShiftMethodTotal *m = &g_array_index (r->by_method, PosShiftMethodTotal, i);
      g_autofree char *name = g_strdup_printf ("  %s (%u)", pos_payment_method_get_label (m->method),
                                               m->n_payments);

      add_money (out, columns, name, m->net, cur);
      if (m->refunds != 0)
        {
          add_money (out, columns, _("    taken"), m->sales, cur);
          add_money (out, columns, _("    refunded"), -m->refunds, cur);
        }
    }
  if (r->by_method == NULL || r->by_method->len == 0)
    add_pair (out, columns, _("  none yet"), NULL);
  add_rule (out, columns);

  add_pair (out, columns, _("Cash drawer"), NULL);
  add_money (out, columns, _("  Opening float"), r->opening_float, cur);
  add_money (out, columns, _("  Cash in"), r->cash_in, cur);
  add_money (out, columns, _("  Cash out"), -r->cash_out, cur);
  add_money (out, columns, _("  Change given"), r->change_given, cur);
  {
    g_autofree char *n = g_strdup_printf ("%u", r->n_no_sale);

    add_pair (out, columns, _("  Opened without a sale"), n);
  }
  add_money (out, columns, _("Expected cash"), r->expected_cash, cur);
  if (r->has_count)
    {
      add_money (out, columns, _("Counted cash"), r->counted_cash, cur);
      add_money (out, columns, _("Difference"), r->difference, cur);
      if (r->approved_by != NULL)
        add_pair (out, columns, _("Difference approved by"), r->approved_by);
    }

  return g_string_free (out, FALSE);
}
