/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-pickups"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-json.h"
#include "domain/pos-money.h"
#include "domain/pos-uuid.h"
#include "pos-catalog.h"
#include "pos-customers.h"
#include "pos-pickups-private.h"
#include "pos-sales-private.h"
#include "pos-staff.h"

/* Click and collect at the counter. Every move is one transaction: the
 * local row (state, version + 1, last_transition), an audit row (which goes
 * up as 'audit.append') and the operation for the central. The version the
 * terminal writes is the one the central will give (it adds one per move),
 * so that a second move made before the central answered carries the
 * right expected_version. */

G_DEFINE_QUARK (pos-pickups-error-quark, pos_pickups_error)

#define HOUR_MS (G_GINT64_CONSTANT (3600) * 1000)
#define DAY_MS  (24 * HOUR_MS)

/* ------------------------------------------------------------------ */
/* Small things                                                        */

const char *
pos_pickup_group_get_label (PosPickupGroup group)
{
  switch (group)
    {
    case POS_PICKUP_GROUP_NEW: return _("New");
    case POS_PICKUP_GROUP_PICKING: return _("Being picked");
    case POS_PICKUP_GROUP_READY: return _("Ready");
    case POS_PICKUP_GROUP_OVERDUE: return _("Overdue");
    case POS_PICKUP_GROUP_ON_HOLD: return _("On hold");
    case POS_PICKUP_GROUP_PARTIAL: return _("Partly collected");
    case POS_PICKUP_GROUP_COLLECTED: return _("Collected");
    case POS_PICKUP_GROUP_CANCELLED: return _("Cancelled");
    case POS_PICKUP_N_GROUPS:
    default:
      return "";
    }
}

const char *
pos_pickup_state_get_label (PosPickupState state)
{
  switch (state)
    {
    case POS_PICKUP_PLACED: return _("placed");
    case POS_PICKUP_ALLOCATED: return _("allocated to this store");
    case POS_PICKUP_PICKING: return _("being picked");
    case POS_PICKUP_READY_FOR_PICKUP: return _("ready for pickup");
    case POS_PICKUP_PICKED_UP: return _("handed over");
    case POS_PICKUP_ON_HOLD: return _("on hold");
    case POS_PICKUP_PARTIALLY_PICKED_UP: return _("partly collected");
    case POS_PICKUP_NO_SHOW: return _("a no-show");
    case POS_PICKUP_EXPIRED: return _("expired");
    case POS_PICKUP_CANCELLED: return _("cancelled");
    case POS_PICKUP_N_STATES:
    default:
      return "";
    }
}

void
pos_pickup_line_free (PosPickupLine *line)
{
  if (line == NULL)
    return;
  g_free (line->sku);
  g_free (line->name);
  g_free (line->substitute_sku);
  g_free (line->substitute_name);
  g_free (line);
}

void
pos_pickup_order_free (PosPickupOrder *order)
{
  if (order == NULL)
    return;
  g_free (order->id);
  g_free (order->number);
  g_free (order->customer_id);
  g_free (order->customer_name);
  g_free (order->customer_phone);
  g_free (order->channel);
  g_free (order->payment_method);
  g_free (order->currency);
  g_free (order->shelf_location);
  g_free (order->notes);
  g_free (order->exception_note);
  g_free (order->incident);
  g_free (order->last_move);
  g_clear_pointer (&order->lines, g_ptr_array_unref);
  g_free (order);
}

void
pos_pickup_handover_record_free (PosPickupHandoverRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->order_id);
  g_free (record->sale_id);
  g_free (record->staff_name);
  g_free (record->document);
  g_free (record->refuse_reason);
  g_clear_pointer (&record->lines, g_array_unref);
  g_free (record);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gint64
setting_int (PosDatabase *db,
             const char  *key,
             gint64       fallback,
             gint64       min,
             gint64       max)
{
  g_autofree char *value = pos_database_get_setting (db, key);
  gint64 n;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, min, max, &n, NULL))
    return fallback;
  return n;
}

gint64
pos_pickups_get_overdue_ms (PosDatabase *db)
{
  return setting_int (db, "pickup_overdue_hours", 48, 1, 24 * 365) * HOUR_MS;
}

gint64
pos_pickups_get_window_ms (PosDatabase *db)
{
  return setting_int (db, "pickup_window_days", 7, 1, 365) * DAY_MS;
}

static gint64
history_ms (PosDatabase *db)
{
  return setting_int (db, "pickup_history_days", 3, 0, 365) * DAY_MS;
}

static gboolean
step_done (PosDatabase  *db,
           sqlite3_stmt *stmt,
           GError      **error)
{
  return _pos_sales_step_done (db, stmt, _("Saving the pickup order"), error);
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  return json_to_string (root, FALSE);
}

/* "14:05" today, "03/05 14:05" another day. */
static char *
format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_ms / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (dt == NULL)
    return g_strdup ("?");
  if (g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M");
  /* TRANSLATORS: a date and time in a pickup order's history, strftime */
  return g_date_time_format (dt, _("%m/%d %H:%M"));
}

/* "Terminal 2 (Ana)", "Terminal 2", "Ana", or the central. */
static char *
describe_who (JsonObject *lt)
{
  const char *terminal = json_object_get_string_member_with_default (lt, "terminal_name", NULL);
  const char *staff = json_object_get_string_member_with_default (lt, "staff_name", NULL);

  if (terminal != NULL && staff != NULL)
    return g_strdup_printf ("%s (%s)", terminal, staff);
  if (terminal != NULL)
    return g_strdup (terminal);
  if (staff != NULL)
    return g_strdup (staff);
  return g_strdup (_("the central"));
}

static JsonObject *
parse_object (const char *json,
              JsonNode  **node_out)
{
  JsonNode *node;

  *node_out = NULL;
  if (json == NULL)
    return NULL;
  node = json_from_string (json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&node, json_node_unref);
      return NULL;
    }
  *node_out = node;
  return json_node_get_object (node);
}

/* The last move in words: "Handed over at 14:05 by Terminal 2 (Ana)". */
static char *
describe_last_move (const char *last_transition_json)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *lt = parse_object (last_transition_json, &node);
  PosPickupState to;
  g_autofree char *when = NULL;
  g_autofree char *who = NULL;

  if (lt == NULL ||
      !pos_pickup_state_from_string (json_object_get_string_member_with_default (lt, "to", ""), &to))
    return NULL;
  when = format_time (json_object_get_int_member_with_default (lt, "at", 0));
  who = describe_who (lt);
  switch (to)
    {
    case POS_PICKUP_PICKED_UP:
      return g_strdup_printf (_("Handed over at %s by %s"), when, who);
    case POS_PICKUP_PARTIALLY_PICKED_UP:
      return g_strdup_printf (_("Partly handed over at %s by %s"), when, who);
    case POS_PICKUP_READY_FOR_PICKUP:
      return g_strdup_printf (_("Made ready at %s by %s"), when, who);
    case POS_PICKUP_PICKING:
      return g_strdup_printf (_("Picking started at %s by %s"), when, who);
    case POS_PICKUP_ON_HOLD:
      return g_strdup_printf (_("Put on hold at %s by %s"), when, who);
    case POS_PICKUP_NO_SHOW:
      return g_strdup_printf (_("Marked a no-show at %s by %s"), when, who);
    case POS_PICKUP_CANCELLED:
      return g_strdup_printf (_("Cancelled at %s by %s"), when, who);
    default:
      /* TRANSLATORS: "Now placed at 14:05 by Terminal 2": a state, a time, who */
      return g_strdup_printf (_("Now %s at %s by %s"), pos_pickup_state_get_label (to), when, who);
    }
}

/* The order moved since the clerk saw it, in words. */
static void
set_stale (GError              **error,
           const PosPickupOrder *order)
{
  if (pos_pickup_is_handover (order->state) && order->last_move != NULL)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE,
                   _("Order %s was already handed over: %s."), order->number, order->last_move);
      return;
    }
  if (order->last_move != NULL)
    g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE,
                 _("Order %s changed since you opened it: it is %s now (%s). Look at it again."),
                 order->number, pos_pickup_state_get_label (order->state), order->last_move);
  else
    g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_STALE,
                 _("Order %s changed since you opened it: it is %s now. Look at it again."),
                 order->number, pos_pickup_state_get_label (order->state));
}

static void
set_wrong_state (GError              **error,
                 const PosPickupOrder *order,
                 const char           *action)
{
  g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_STATE,
               /* TRANSLATORS: "Order 1042 is on hold: it can't be handed over." */
               _("Order %s is %s: it can't be %s."),
               order->number, pos_pickup_state_get_label (order->state), action);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

#define ORDER_COLUMNS \
  "o.id, o.number, o.customer_id, COALESCE (c.name, o.customer_name), COALESCE (o.customer_phone, c.phone), " \
  "o.channel, o.state, o.version, o.paid, o.payment_method, o.total, o.currency, o.shelf_location, o.notes, " \
  "o.exception_note, o.placed_at, o.ready_at, o.updated_at, o.provisional, " \
  "CASE WHEN o.incident_dismissed_at IS NULL THEN o.incident END, o.last_transition, " \
  "(SELECT count(*) FROM pickup_order_lines l WHERE l.order_id = o.id), " \
  "(SELECT COALESCE (sum (l.quantity), 0) FROM pickup_order_lines l WHERE l.order_id = o.id), " \
  "EXISTS (SELECT 1 FROM outbox b WHERE b.entity_id = o.id AND b.status = 'pending' " \
  "        AND b.type IN ('pickup.transition', 'pickup.exception')) "
#define ORDER_FROM " FROM pickup_orders o LEFT JOIN customers c ON c.id = o.customer_id "

typedef struct {
  gint64   now;
  gint64   overdue_ms;
  gint64   window_ms;
  gboolean reveal;
} ReadContext;

static void
read_context_init (PosDatabase *db,
                   ReadContext *ctx)
{
  ctx->now = pos_now_ms ();
  ctx->overdue_ms = pos_pickups_get_overdue_ms (db);
  ctx->window_ms = pos_pickups_get_window_ms (db);
  ctx->reveal = pos_staff_current_can (db, POS_PERMISSION_REVEAL_CONTACT);
}

static PosPickupGroup
group_of (PosPickupState     state,
          gint64             ready_at,
          const ReadContext *ctx)
{
  switch (state)
    {
    case POS_PICKUP_PLACED:
    case POS_PICKUP_ALLOCATED:
      return POS_PICKUP_GROUP_NEW;
    case POS_PICKUP_PICKING:
      return POS_PICKUP_GROUP_PICKING;
    case POS_PICKUP_READY_FOR_PICKUP:
      return ready_at > 0 && ready_at < ctx->now - ctx->overdue_ms
             ? POS_PICKUP_GROUP_OVERDUE : POS_PICKUP_GROUP_READY;
    case POS_PICKUP_ON_HOLD:
      return POS_PICKUP_GROUP_ON_HOLD;
    case POS_PICKUP_PARTIALLY_PICKED_UP:
      return POS_PICKUP_GROUP_PARTIAL;
    case POS_PICKUP_PICKED_UP:
      return POS_PICKUP_GROUP_COLLECTED;
    case POS_PICKUP_NO_SHOW:
    case POS_PICKUP_EXPIRED:
    case POS_PICKUP_CANCELLED:
    case POS_PICKUP_N_STATES:
    default:
      return POS_PICKUP_GROUP_CANCELLED;
    }
}

static PosPickupOrder *
read_order (sqlite3_stmt      *stmt,
            const ReadContext *ctx)
{
  PosPickupOrder *o = g_new0 (PosPickupOrder, 1);
  g_autofree char *phone = pos_database_column_dup (stmt, 4);
  g_autofree char *last_transition = pos_database_column_dup (stmt, 20);

  o->id = pos_database_column_dup (stmt, 0);
  o->number = pos_database_column_dup (stmt, 1);
  o->customer_id = pos_database_column_dup (stmt, 2);
  o->customer_name = pos_database_column_dup (stmt, 3);
  o->customer_phone = ctx->reveal ? g_steal_pointer (&phone) : pos_customers_mask_phone (phone);
  o->channel = pos_database_column_dup (stmt, 5);
  if (!pos_pickup_state_from_string ((const char *) sqlite3_column_text (stmt, 6), &o->state))
    o->state = POS_PICKUP_PLACED;
  o->version = sqlite3_column_int64 (stmt, 7);
  o->paid = sqlite3_column_int (stmt, 8) != 0;
  o->payment_method = pos_database_column_dup (stmt, 9);
  o->total = sqlite3_column_int64 (stmt, 10);
  o->currency = pos_database_column_dup (stmt, 11);
  o->shelf_location = pos_database_column_dup (stmt, 12);
  o->notes = pos_database_column_dup (stmt, 13);
  o->exception_note = pos_database_column_dup (stmt, 14);
  o->placed_at = sqlite3_column_int64 (stmt, 15);
  o->ready_at = sqlite3_column_int64 (stmt, 16);
  o->updated_at = sqlite3_column_int64 (stmt, 17);
  o->provisional = sqlite3_column_int (stmt, 18) != 0;
  o->incident = pos_database_column_dup (stmt, 19);
  o->last_move = describe_last_move (last_transition);
  o->n_lines = (guint) sqlite3_column_int64 (stmt, 21);
  o->n_items = sqlite3_column_int64 (stmt, 22);
  o->pending = sqlite3_column_int (stmt, 23) != 0;
  o->group = group_of (o->state, o->ready_at, ctx);
  o->expired = o->state == POS_PICKUP_READY_FOR_PICKUP && o->ready_at > 0 &&
               o->ready_at < ctx->now - ctx->window_ms;
  return o;
}

static gboolean
collect_orders (PosDatabase       *db,
                sqlite3_stmt      *stmt,
                const ReadContext *ctx,
                GPtrArray         *out,
                GError           **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read_order (stmt, ctx));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Reading the pickup orders"));
  return TRUE;
}

static gboolean
load_lines (PosDatabase    *db,
            PosPickupOrder *order,
            GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = pos_database_prepare_cached (db,
      "SELECT l.line_no, COALESCE (l.product_id, 0), l.sku, l.name, l.quantity, "
      "COALESCE (l.local_picked, l.picked_quantity), l.collected_quantity, l.missing_quantity, "
      "l.refunded_quantity, l.substitute_sku, l.substitute_name, l.unit_price "
      "FROM pickup_order_lines l WHERE l.order_id = ?1 ORDER BY l.line_no", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, order->id);
  order->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_line_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosPickupLine *l = g_new0 (PosPickupLine, 1);

      l->line_no = (guint) sqlite3_column_int64 (stmt, 0);
      l->product_id = sqlite3_column_int64 (stmt, 1);
      l->sku = pos_database_column_dup (stmt, 2);
      l->name = pos_database_column_dup (stmt, 3);
      l->quantity = sqlite3_column_int64 (stmt, 4);
      l->picked_quantity = sqlite3_column_int64 (stmt, 5);
      l->collected_quantity = sqlite3_column_int64 (stmt, 6);
      l->missing_quantity = sqlite3_column_int64 (stmt, 7);
      l->refunded_quantity = sqlite3_column_int64 (stmt, 8);
      l->substitute_sku = pos_database_column_dup (stmt, 9);
      l->substitute_name = pos_database_column_dup (stmt, 10);
      l->unit_price = sqlite3_column_int64 (stmt, 11);
      g_ptr_array_add (order->lines, l);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Reading the pickup order's lines"));
  return TRUE;
}

PosPickupOrder *
pos_pickups_get (PosDatabase *db,
                 const char  *id_or_number,
                 GError     **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  g_autoptr(PosPickupOrder) order = NULL;
  sqlite3_stmt *stmt;
  ReadContext ctx;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (id_or_number != NULL, NULL);

  read_context_init (db, &ctx);
  stmt = pos_database_prepare_cached (db,
      "SELECT " ORDER_COLUMNS ORDER_FROM "WHERE o.id = ?1 OR o.number = ?1 "
      "ORDER BY o.id = ?1 DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, id_or_number);
  if (!collect_orders (db, stmt, &ctx, found, error))
    return NULL;
  if (found->len == 0)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_FOUND,
                   _("No pickup order %s at this store."), id_or_number);
      return NULL;
    }
  order = g_ptr_array_steal_index (found, 0);
  if (!load_lines (db, order, error))
    return NULL;
  return g_steal_pointer (&order);
}

static char *
escape_like (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

static char *
digits_of (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

#define DIGITS(col) \
  "replace (replace (replace (replace (replace (replace (" col ", ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', '')"

/* ?10: the text as LIKE pattern; ?11: its digits as LIKE pattern (NULL
 * when fewer than four); ?12: its digits, exactly (CPF). */
#define SEARCH_WHERE \
  " AND (?10 IS NULL OR o.number LIKE ?10 ESCAPE '\\' OR o.customer_name LIKE ?10 ESCAPE '\\' " \
  "      OR c.name LIKE ?10 ESCAPE '\\' " \
  "      OR (?11 IS NOT NULL AND (" DIGITS ("COALESCE (o.customer_phone, '')") " LIKE ?11 " \
  "                               OR " DIGITS ("COALESCE (c.phone, '')") " LIKE ?11 OR c.cpf = ?12))) "

static void
bind_search (sqlite3_stmt *stmt,
             const char   *search)
{
  g_autofree char *like = NULL;
  g_autofree char *digits = NULL;
  g_autofree char *digits_like = NULL;

  if (search == NULL || *search == '\0')
    return;
  like = escape_like (search);
  digits = digits_of (search);
  pos_database_bind_text (stmt, 10, like);
  if (strlen (digits) >= 4)
    {
      digits_like = g_strconcat ("%", digits, "%", NULL);
      pos_database_bind_text (stmt, 11, digits_like);
      pos_database_bind_text (stmt, 12, digits);
    }
}

gboolean
pos_pickups_count (PosDatabase *db,
                   guint       *counts,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  ReadContext ctx;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof (guint) * POS_PICKUP_N_GROUPS);
  read_context_init (db, &ctx);
  /* Open orders by state (and ready ones by whether they are overdue),
   * closed ones of the last days: read from the indexes alone. */
  stmt = pos_database_prepare_cached (db,
      "SELECT state, ready_at < ?1, count(*) FROM pickup_orders INDEXED BY pickup_orders_queue "
      "WHERE state IN ('PLACED', 'ALLOCATED', 'PICKING', 'READY_FOR_PICKUP', 'ON_HOLD', 'PARTIALLY_PICKED_UP') "
      "GROUP BY 1, 2 "
      "UNION ALL "
      "SELECT state, 0, count(*) FROM pickup_orders INDEXED BY pickup_orders_history "
      "WHERE state IN ('PICKED_UP', 'NO_SHOW', 'EXPIRED', 'CANCELLED') AND updated_at >= ?2 GROUP BY 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ctx.now - ctx.overdue_ms);
  sqlite3_bind_int64 (stmt, 2, ctx.now - history_ms (db));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosPickupState state;
      PosPickupGroup group;

      if (!pos_pickup_state_from_string ((const char *) sqlite3_column_text (stmt, 0), &state))
        continue;
      group = group_of (state, 0, &ctx);
      if (state == POS_PICKUP_READY_FOR_PICKUP && sqlite3_column_int (stmt, 1) != 0)
        group = POS_PICKUP_GROUP_OVERDUE;
      counts[group] += (guint) sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Counting the pickup orders"));
  return TRUE;
}

GPtrArray *
pos_pickups_list (PosDatabase    *db,
                  PosPickupGroup  group,
                  const char     *search,
                  guint           limit,
                  GError        **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  const char *where;
  sqlite3_stmt *stmt;
  g_autofree char *sql = NULL;
  ReadContext ctx;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (group < POS_PICKUP_N_GROUPS, NULL);

  switch (group)
    {
    case POS_PICKUP_GROUP_NEW:
      where = "o.state IN ('PLACED', 'ALLOCATED') ORDER BY o.placed_at, o.number";
      break;
    case POS_PICKUP_GROUP_PICKING:
      where = "o.state = 'PICKING' ORDER BY o.placed_at, o.number";
      break;
    case POS_PICKUP_GROUP_READY:
      where = "o.state = 'READY_FOR_PICKUP' AND (o.ready_at IS NULL OR o.ready_at >= ?1) "
              "ORDER BY o.ready_at, o.number";
      break;
    case POS_PICKUP_GROUP_OVERDUE:
      where = "o.state = 'READY_FOR_PICKUP' AND o.ready_at < ?1 ORDER BY o.ready_at, o.number";
      break;
    case POS_PICKUP_GROUP_ON_HOLD:
      where = "o.state = 'ON_HOLD' ORDER BY o.placed_at, o.number";
      break;
    case POS_PICKUP_GROUP_PARTIAL:
      where = "o.state = 'PARTIALLY_PICKED_UP' ORDER BY o.placed_at, o.number";
      break;
    case POS_PICKUP_GROUP_COLLECTED:
      where = "o.state = 'PICKED_UP' AND o.updated_at >= ?2 ORDER BY o.updated_at DESC, o.number";
      break;
    case POS_PICKUP_GROUP_CANCELLED:
    case POS_PICKUP_N_GROUPS:
    default:
      where = "o.state IN ('NO_SHOW', 'EXPIRED', 'CANCELLED') AND o.updated_at >= ?2 "
              "ORDER BY o.updated_at DESC, o.number";
      break;
    }

  {
    /* The search goes before ORDER BY. */
    const char *order_by = strstr (where, " ORDER BY ");
    g_autofree char *head = g_strndup (where, (gsize) (order_by - where));

    sql = g_strconcat ("SELECT " ORDER_COLUMNS ORDER_FROM "WHERE ", head, SEARCH_WHERE, order_by,
                       " LIMIT ?3", NULL);
  }
  read_context_init (db, &ctx);
  stmt = pos_database_prepare_cached (db, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, ctx.now - ctx.overdue_ms);
  sqlite3_bind_int64 (stmt, 2, ctx.now - history_ms (db));
  sqlite3_bind_int64 (stmt, 3, limit == 0 ? -1 : (gint64) limit);
  bind_search (stmt, search);
  if (!collect_orders (db, stmt, &ctx, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

GPtrArray *
pos_pickups_find (PosDatabase *db,
                  const char  *text,
                  GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  g_autofree char *number = NULL;
  g_autofree char *code = NULL;
  const char *search = text;
  sqlite3_stmt *stmt;
  ReadContext ctx;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  if (text == NULL || is_blank (text))
    return g_steal_pointer (&out);
  if (pos_pickups_parse_qr (text, &number, &code))
    search = number;

  read_context_init (db, &ctx);
  stmt = pos_database_prepare_cached (db,
      "SELECT " ORDER_COLUMNS ORDER_FROM
      "WHERE o.state IN ('PLACED', 'ALLOCATED', 'PICKING', 'READY_FOR_PICKUP', 'ON_HOLD', "
      "'PARTIALLY_PICKED_UP', 'NO_SHOW') " SEARCH_WHERE
      "ORDER BY o.number = ?13 DESC, o.state = 'READY_FOR_PICKUP' DESC, o.placed_at LIMIT 50", error);
  if (stmt == NULL)
    return NULL;
  bind_search (stmt, search);
  pos_database_bind_text (stmt, 13, search);
  if (!collect_orders (db, stmt, &ctx, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
pos_pickups_parse_qr (const char  *text,
                      char       **number,
                      char       **code)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (number != NULL && code != NULL, FALSE);

  *number = NULL;
  *code = NULL;
  if (text == NULL || !g_str_has_prefix (text, "BALCAO:PICKUP:"))
    return FALSE;
  parts = g_strsplit (text + strlen ("BALCAO:PICKUP:"), ":", -1);
  if (g_strv_length (parts) != 2 || *parts[0] == '\0' || *parts[1] == '\0')
    return FALSE;
  g_strstrip (parts[1]);
  for (const char *p = parts[1]; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  *number = g_strdup (parts[0]);
  *code = g_strdup (parts[1]);
  return TRUE;
}

GPtrArray *
pos_pickups_list_incidents (PosDatabase *db,
                            GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  sqlite3_stmt *stmt;
  ReadContext ctx;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  read_context_init (db, &ctx);
  stmt = pos_database_prepare_cached (db,
      "SELECT " ORDER_COLUMNS ORDER_FROM
      "WHERE o.incident IS NOT NULL AND o.incident_dismissed_at IS NULL ORDER BY o.incident_at DESC", error);
  if (stmt == NULL)
    return NULL;
  if (!collect_orders (db, stmt, &ctx, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* ------------------------------------------------------------------ */
/* Moves                                                               */

/* Who acts: the terminal's and the person's names, for last_transition
 * and the operations. */
typedef struct {
  PosStoreInfo *info;
  char         *approver_id;
} Actor;

static void
actor_clear (Actor *a)
{
  g_clear_pointer (&a->info, pos_store_info_free);
  g_clear_pointer (&a->approver_id, g_free);
}

static gboolean
actor_init (PosDatabase *db,
            Actor       *a,
            GError     **error)
{
  memset (a, 0, sizeof *a);
  a->info = pos_database_get_store_info (db, error);
  if (a->info == NULL)
    return FALSE;
  if (a->info->staff_id == NULL)
    {
      g_set_error_literal (error, POS_STAFF_ERROR, POS_STAFF_ERROR_NOT_SIGNED_IN,
                           _("Nobody is signed in at this terminal. Sign in first."));
      return FALSE;
    }
  return TRUE;
}

/* The order as it is now, inside the transaction, at the version the
 * clerk saw. */
static PosPickupOrder *
load_for_move (PosDatabase *db,
               const char  *order_id,
               gint64       expected_version,
               GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;

  if (order_id == NULL || *order_id == '\0')
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID, _("Which order? None was given."));
      return NULL;
    }
  order = pos_pickups_get (db, order_id, error);
  if (order == NULL)
    return NULL;
  if (expected_version >= 0 && order->version != expected_version)
    {
      set_stale (error, order);
      return NULL;
    }
  return g_steal_pointer (&order);
}

static char *
last_transition_json (const Actor    *a,
                      PosPickupState  from,
                      PosPickupState  to,
                      gint64          now)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  pos_json_add_string (b, "from", pos_pickup_state_to_string (from));
  pos_json_add_string (b, "to", pos_pickup_state_to_string (to));
  pos_json_add_int (b, "at", now);
  pos_json_add_string (b, "terminal_id", a->info->terminal_id);
  pos_json_add_string (b, "terminal_name", a->info->terminal_name);
  pos_json_add_string (b, "staff_name", a->info->staff_name);
  json_builder_end_object (b);
  return builder_to_string (b);
}

/* One state move: the row (state, version + 1, updated_at,
 * last_transition) and its operation. extra (may be NULL) adds members to
 * the payload; it is called with the builder inside the object. */
typedef void (*PayloadExtra) (JsonBuilder *b, gpointer data);

static gboolean
write_move (PosDatabase          *db,
            const Actor          *a,
            PosPickupOrder       *order,
            PosPickupState        to,
            const char           *op_type,
            gboolean              provisional,
            PayloadExtra          extra,
            gpointer              extra_data,
            gint64                now,
            GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *payload = NULL;
  g_autofree char *lt = last_transition_json (a, order->state, to, now);
  sqlite3_stmt *stmt;

  json_builder_begin_object (b);
  pos_json_add_string (b, "order_id", order->id);
  pos_json_add_string (b, "from", pos_pickup_state_to_string (order->state));
  if (g_strcmp0 (op_type, "pickup.transition") == 0)
    pos_json_add_string (b, "to", pos_pickup_state_to_string (to));
  pos_json_add_int (b, "expected_version", order->version);
  pos_json_add_string (b, "staff_name", a->info->staff_name);
  if (provisional)
    {
      json_builder_set_member_name (b, "provisional");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (extra != NULL)
    extra (b, extra_data);
  json_builder_end_object (b);
  payload = builder_to_string (b);

  stmt = pos_database_prepare_cached (db,
      "UPDATE pickup_orders SET state = ?2, version = version + 1, updated_at = ?3, last_transition = ?4, "
      "ready_at = CASE WHEN ?2 = 'READY_FOR_PICKUP' THEN ?3 ELSE ready_at END, "
      "provisional = CASE WHEN ?5 THEN 1 ELSE provisional END WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, order->id);
  pos_database_bind_text (stmt, 2, pos_pickup_state_to_string (to));
  sqlite3_bind_int64 (stmt, 3, now);
  pos_database_bind_text (stmt, 4, lt);
  sqlite3_bind_int (stmt, 5, provisional ? 1 : 0);
  if (!step_done (db, stmt, error) ||
      !pos_database_enqueue_outbox (db, op_type, order->id, payload, error))
    return FALSE;

  order->state = to;
  order->version++;
  return TRUE;
}

static gboolean
audit (PosDatabase          *db,
       const char           *action,
       const PosPickupOrder *order,
       const char           *reason,
       JsonBuilder          *data,
       const char           *approver_id,
       GError              **error)
{
  g_autofree char *json = NULL;

  if (data != NULL)
    json = builder_to_string (data);
  else
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      pos_json_add_string (b, "number", order->number);
      pos_json_add_string (b, "state", pos_pickup_state_to_string (order->state));
      pos_json_add_int (b, "version", order->version);
      json_builder_end_object (b);
      json = builder_to_string (b);
    }
  return pos_database_audit_full (db, action, "pickup_order", order->id, reason, json, approver_id, error);
}

static gboolean
finish (PosDatabase *db,
        gboolean     ok,
        gboolean     durable,
        GError     **error)
{
  if (ok && (durable ? pos_database_commit_durable (db, error) : pos_database_commit (db, error)))
    return TRUE;
  pos_database_rollback (db);
  return FALSE;
}

/* Starts a move: who acts (a), a transaction, and the order at the
 * version the clerk saw. FALSE when nothing was begun (a is cleared);
 * otherwise TRUE, with *order NULL and error set when the order cannot
 * be moved. End it with end_move. */
static gboolean
begin_move (PosDatabase     *db,
            const char      *order_id,
            gint64           expected_version,
            Actor           *a,
            PosPickupOrder **order,
            GError         **error)
{
  if (!actor_init (db, a, error))
    {
      actor_clear (a);
      return FALSE;
    }
  if (!pos_database_begin (db, error))
    {
      actor_clear (a);
      return FALSE;
    }
  *order = load_for_move (db, order_id, expected_version, error);
  return TRUE;
}

/* Commits the move begun with begin_move when ok, or rolls it back. */
static gboolean
end_move (PosDatabase *db,
          Actor       *a,
          gboolean     ok,
          gboolean     durable,
          GError     **error)
{
  actor_clear (a);
  return finish (db, ok, durable, error);
}

gboolean
pos_pickups_start_picking (PosDatabase *db,
                           const char  *order_id,
                           gint64       expected_version,
                           GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  Actor a;
  gboolean ok = FALSE;
  gint64 now = pos_now_ms ();

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!begin_move (db, order_id, expected_version, &a, &order, error))
    return FALSE;
  if (order != NULL)
    {
      if (order->state != POS_PICKUP_PLACED && order->state != POS_PICKUP_ALLOCATED)
        set_wrong_state (error, order, _("picked now"));
      else
        ok = (order->state == POS_PICKUP_ALLOCATED ||
              write_move (db, &a, order, POS_PICKUP_ALLOCATED, "pickup.transition", FALSE, NULL, NULL, now, error)) &&
             write_move (db, &a, order, POS_PICKUP_PICKING, "pickup.transition", FALSE, NULL, NULL, now, error) &&
             audit (db, "pickup.start_picking", order, NULL, NULL, NULL, error);
    }
  return end_move (db, &a, ok, FALSE, error);
}

static PosPickupLine *
find_line (PosPickupOrder *order,
           guint           line_no)
{
  for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
    {
      PosPickupLine *l = g_ptr_array_index (order->lines, i);

      if (l->line_no == line_no)
        return l;
    }
  return NULL;
}

static gboolean
line_weighed (PosDatabase   *db,
              PosPickupLine *l)
{
  g_autoptr(PosProduct) p = NULL;

  if (l->product_id == 0)
    return FALSE;
  p = pos_catalog_get_product (db, l->product_id, NULL);
  return p != NULL && pos_product_get_weighed (p);
}

/* What picking may still tick on the line. */
static gint64
line_to_pick (PosPickupLine *l)
{
  return MAX (l->quantity - l->missing_quantity - l->picked_quantity, 0);
}

static gboolean
write_picked (PosDatabase          *db,
              const PosPickupOrder *order,
              const PosPickupLine  *l,
              gint64                picked,
              GError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
      "UPDATE pickup_order_lines SET local_picked = ?3 WHERE order_id = ?1 AND line_no = ?2", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, order->id);
  sqlite3_bind_int64 (stmt, 2, l->line_no);
  sqlite3_bind_int64 (stmt, 3, picked);
  if (!step_done (db, stmt, error))
    return FALSE;

  json_builder_begin_object (b);
  pos_json_add_string (b, "number", order->number);
  pos_json_add_int (b, "line_no", l->line_no);
  pos_json_add_string (b, "sku", l->sku);
  pos_json_add_int (b, "picked_quantity", picked);
  pos_json_add_int (b, "quantity", l->quantity);
  json_builder_end_object (b);
  return audit (db, "pickup.pick", order, NULL, b, NULL, error);
}

gboolean
pos_pickups_pick_scan (PosDatabase *db,
                       const char  *order_id,
                       const char  *code,
                       guint       *line_no,
                       GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  PosScanResult scan = { 0, };
  PosPickupLine *match = NULL;
  PosPickupLine *full = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (code == NULL || *code == '\0')
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID, _("Nothing was scanned."));
      return FALSE;
    }
  /* The sale's own lookup: barcodes, GS1, store weight and price labels. */
  if (!pos_catalog_resolve_scan (db, code, &scan, error))
    return FALSE;
  if (!pos_database_begin (db, error))
    {
      pos_scan_result_clear (&scan);
      return FALSE;
    }
  order = load_for_move (db, order_id, -1, error);
  if (order == NULL)
    goto out;
  if (order->state != POS_PICKUP_PICKING)
    {
      set_wrong_state (error, order, _("picked now"));
      goto out;
    }
  for (guint i = 0; i < order->lines->len; i++)
    {
      PosPickupLine *l = g_ptr_array_index (order->lines, i);

      if (l->product_id != pos_product_get_id (scan.product) &&
          g_strcmp0 (l->sku, pos_product_get_sku (scan.product)) != 0)
        continue;
      if (line_to_pick (l) > 0)
        {
          match = l;
          break;
        }
      full = l;
    }
  if (match == NULL && full != NULL)
    {
      g_autofree char *qty = g_strdup_printf ("%" G_GINT64_FORMAT, (full->quantity - full->missing_quantity) / 1000);

      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM,
                   _("That is %s; order %s needs %s of it and all are picked already."),
                   pos_product_get_name (scan.product), order->number, qty);
      goto out;
    }
  if (match == NULL)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM,
                   _("That is %s; order %s has no such item. Put it back."),
                   pos_product_get_name (scan.product), order->number);
      goto out;
    }
  {
    gboolean weighed = pos_product_get_weighed (scan.product);
    gint64 add = scan.quantity > 0 ? scan.quantity : 1000;
    gint64 picked = match->picked_quantity + add;

    /* A weighed item's label says how much it weighs: one label ticks the
     * line; counted items one unit a scan, never beyond the order. */
    if (weighed)
      picked = MAX (picked, match->quantity - match->missing_quantity);
    else if (picked > match->quantity - match->missing_quantity)
      {
        g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_ITEM,
                     _("That is more %s than order %s has. Put it back."),
                     pos_product_get_name (scan.product), order->number);
        goto out;
      }
    ok = write_picked (db, order, match, picked, error);
    if (ok && line_no != NULL)
      *line_no = match->line_no;
  }

out:
  pos_scan_result_clear (&scan);
  return finish (db, ok, FALSE, error);
}

gboolean
pos_pickups_set_picked (PosDatabase *db,
                        const char  *order_id,
                        guint        line_no,
                        gint64       picked_quantity,
                        GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  PosPickupLine *l;
  gboolean ok = FALSE;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!pos_database_begin (db, error))
    return FALSE;
  order = load_for_move (db, order_id, -1, error);
  if (order == NULL)
    return finish (db, FALSE, FALSE, error);
  l = find_line (order, line_no);
  if (order->state != POS_PICKUP_PICKING)
    set_wrong_state (error, order, _("picked now"));
  else if (l == NULL)
    g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                 _("Order %s has no line %u."), order->number, line_no);
  else if (picked_quantity < 0 ||
           (picked_quantity > l->quantity - l->missing_quantity && !line_weighed (db, l)))
    g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                 _("Line %u of order %s has %s to pick: type a quantity from 0 to that."),
                 line_no, order->number, l->name);
  else
    ok = write_picked (db, order, l, picked_quantity, error);
  return finish (db, ok, FALSE, error);
}

typedef struct {
  guint       line_no;
  gint64      missing;
  const char *substitute_sku;
  const char *note;
} ExceptionData;

static void
exception_extra (JsonBuilder *b,
                 gpointer     data)
{
  ExceptionData *e = data;

  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  pos_json_add_int (b, "line_no", e->line_no);
  pos_json_add_int (b, "missing_quantity", e->missing);
  if (e->substitute_sku != NULL)
    {
      pos_json_add_string (b, "substitute_sku", e->substitute_sku);
      pos_json_add_int (b, "substitute_quantity", e->missing);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);
  if (e->note != NULL)
    pos_json_add_string (b, "note", e->note);
}

gboolean
pos_pickups_report_exception (PosDatabase *db,
                              const char  *order_id,
                              gint64       expected_version,
                              guint        line_no,
                              gint64       missing_quantity,
                              const char  *substitute_sku,
                              const char  *note,
                              GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autoptr(PosProduct) substitute = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  ExceptionData e = { line_no, missing_quantity, NULL, NULL };
  PosPickupLine *l;
  sqlite3_stmt *stmt;
  gint64 now = pos_now_ms ();
  gboolean ok = FALSE;
  Actor a;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (substitute_sku != NULL && *substitute_sku == '\0')
    substitute_sku = NULL;
  if (note != NULL && *note == '\0')
    note = NULL;
  e.substitute_sku = substitute_sku;
  e.note = note;
  if (substitute_sku != NULL)
    {
      substitute = pos_catalog_lookup_sku (db, substitute_sku, NULL);
      if (substitute == NULL)
        substitute = pos_catalog_lookup_barcode (db, substitute_sku, NULL);
      if (substitute == NULL)
        {
          g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                       _("There is no product %s in this terminal's catalogue to offer instead."),
                       substitute_sku);
          return FALSE;
        }
      e.substitute_sku = pos_product_get_sku (substitute);
    }
  if (!begin_move (db, order_id, expected_version, &a, &order, error))
    return FALSE;
  if (order == NULL)
    goto out;
  l = find_line (order, line_no);
  if (!pos_pickup_transition_allowed (order->state, POS_PICKUP_ON_HOLD))
    set_wrong_state (error, order, _("put on hold"));
  else if (l == NULL)
    g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                 _("Order %s has no line %u."), order->number, line_no);
  else if (missing_quantity <= 0 || missing_quantity > l->quantity - l->collected_quantity)
    g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                 _("The quantity missing must be more than zero and no more than the order has of %s."),
                 l->name);
  else
    {
      stmt = pos_database_prepare_cached (db,
          "UPDATE pickup_order_lines SET missing_quantity = ?3, substitute_sku = ?4, substitute_name = ?5 "
          "WHERE order_id = ?1 AND line_no = ?2", error);
      ok = stmt != NULL;
      if (ok)
        {
          pos_database_bind_text (stmt, 1, order->id);
          sqlite3_bind_int64 (stmt, 2, line_no);
          sqlite3_bind_int64 (stmt, 3, missing_quantity);
          pos_database_bind_text (stmt, 4, e.substitute_sku);
          pos_database_bind_text (stmt, 5, substitute != NULL ? pos_product_get_name (substitute) : NULL);
          ok = step_done (db, stmt, error);
        }
      if (ok)
        {
          stmt = pos_database_prepare_cached (db, "UPDATE pickup_orders SET exception_note = ?2 WHERE id = ?1", error);
          ok = stmt != NULL;
          if (ok)
            {
              pos_database_bind_text (stmt, 1, order->id);
              pos_database_bind_text (stmt, 2, note);
              ok = step_done (db, stmt, error);
            }
        }
      json_builder_begin_object (b);
      pos_json_add_string (b, "number", order->number);
      pos_json_add_string (b, "from", pos_pickup_state_to_string (order->state));
      pos_json_add_int (b, "line_no", line_no);
      pos_json_add_string (b, "sku", l->sku);
      pos_json_add_int (b, "missing_quantity", missing_quantity);
      pos_json_add_string (b, "substitute_sku", e.substitute_sku);
      json_builder_end_object (b);
      ok = ok &&
           write_move (db, &a, order, POS_PICKUP_ON_HOLD, "pickup.exception", FALSE, exception_extra, &e, now, error) &&
           audit (db, "pickup.exception", order, note, b, NULL, error);
    }

out:
  return end_move (db, &a, ok, FALSE, error);
}

typedef struct {
  PosPickupOrder *order;
  const char     *shelf;
} ReadyData;

static void
ready_extra (JsonBuilder *b,
             gpointer     data)
{
  ReadyData *r = data;

  pos_json_add_string (b, "shelf_location", r->shelf);
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->order->lines->len; i++)
    {
      PosPickupLine *l = g_ptr_array_index (r->order->lines, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", l->line_no);
      pos_json_add_int (b, "picked_quantity", l->picked_quantity);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

gboolean
pos_pickups_mark_ready (PosDatabase *db,
                        const char  *order_id,
                        gint64       expected_version,
                        const char  *shelf_location,
                        GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autofree char *shelf = g_strstrip (g_strdup (shelf_location != NULL ? shelf_location : ""));
  sqlite3_stmt *stmt;
  gint64 now = pos_now_ms ();
  gboolean ok = FALSE;
  Actor a;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (*shelf == '\0')
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                           _("Type the shelf where the order waits, so that it can be found at the handover."));
      return FALSE;
    }
  if (!begin_move (db, order_id, expected_version, &a, &order, error))
    return FALSE;
  if (order == NULL)
    goto out;
  if (order->state != POS_PICKUP_PICKING)
    {
      set_wrong_state (error, order, _("made ready"));
      goto out;
    }
  for (guint i = 0; i < order->lines->len; i++)
    {
      PosPickupLine *l = g_ptr_array_index (order->lines, i);

      if (line_to_pick (l) > 0 && !(l->picked_quantity > 0 && line_weighed (db, l)))
        {
          g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                       _("Line %u (%s) is not picked yet. Pick it, or report it missing."),
                       l->line_no, l->name);
          goto out;
        }
    }
  stmt = pos_database_prepare_cached (db,
      "UPDATE pickup_order_lines SET picked_quantity = COALESCE (local_picked, picked_quantity), "
      "local_picked = NULL WHERE order_id = ?1", error);
  if (stmt == NULL)
    goto out;
  pos_database_bind_text (stmt, 1, order->id);
  if (!step_done (db, stmt, error))
    goto out;
  stmt = pos_database_prepare_cached (db, "UPDATE pickup_orders SET shelf_location = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    goto out;
  pos_database_bind_text (stmt, 1, order->id);
  pos_database_bind_text (stmt, 2, shelf);
  if (!step_done (db, stmt, error))
    goto out;
  {
    ReadyData r = { order, shelf };

    ok = write_move (db, &a, order, POS_PICKUP_READY_FOR_PICKUP, "pickup.transition", FALSE,
                     ready_extra, &r, now, error) &&
         audit (db, "pickup.ready", order, shelf, NULL, NULL, error);
  }

out:
  return end_move (db, &a, ok, FALSE, error);
}

gboolean
pos_pickups_mark_no_show (PosDatabase *db,
                          const char  *order_id,
                          gint64       expected_version,
                          GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  gint64 now = pos_now_ms ();
  gboolean ok = FALSE;
  Actor a;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!begin_move (db, order_id, expected_version, &a, &order, error))
    return FALSE;
  if (order != NULL)
    {
      if (order->state != POS_PICKUP_READY_FOR_PICKUP)
        set_wrong_state (error, order, _("marked a no-show"));
      else
        ok = write_move (db, &a, order, POS_PICKUP_NO_SHOW, "pickup.transition", FALSE, NULL, NULL, now, error) &&
             audit (db, "pickup.no_show", order, NULL, NULL, NULL, error);
    }
  return end_move (db, &a, ok, FALSE, error);
}

/* A permission the engine checks; a lack of it in this module's words. */
static gboolean
authorize (PosDatabase   *db,
           PosPermission  p,
           const char    *approval_id,
           const char    *what,
           char         **approver,
           const char    *message,
           GError       **error)
{
  GError *local_error = NULL;

  if (pos_staff_authorize (db, p, approval_id, what, approver, &local_error))
    return TRUE;
  if (g_error_matches (local_error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION))
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NEEDS_APPROVAL, message);
      g_error_free (local_error);
      return FALSE;
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

gboolean
pos_pickups_cancel (PosDatabase *db,
                    const char  *order_id,
                    gint64       expected_version,
                    const char  *approval_id,
                    GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autofree char *what = NULL;
  gint64 now = pos_now_ms ();
  gboolean ok = FALSE;
  Actor a;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!begin_move (db, order_id, expected_version, &a, &order, error))
    return FALSE;
  if (order == NULL)
    goto out;
  if (order->state == POS_PICKUP_READY_FOR_PICKUP && !order->expired)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_STATE,
                   _("Order %s is ready and its pickup window is not over yet: mark it a no-show first, "
                     "or wait until it expires."), order->number);
      goto out;
    }
  if (order->state != POS_PICKUP_READY_FOR_PICKUP &&
      !pos_pickup_transition_allowed (order->state, POS_PICKUP_CANCELLED))
    {
      set_wrong_state (error, order, _("cancelled"));
      goto out;
    }
  what = g_strconcat ("pickup.cancel:", order->id, NULL);
  if (!authorize (db, POS_PERMISSION_VOID_SALE, approval_id, what, &a.approver_id,
                  _("Cancelling an online order needs a manager's approval."), error))
    goto out;
  ok = (order->state != POS_PICKUP_READY_FOR_PICKUP ||
        write_move (db, &a, order, POS_PICKUP_EXPIRED, "pickup.transition", FALSE, NULL, NULL, now, error)) &&
       write_move (db, &a, order, POS_PICKUP_CANCELLED, "pickup.transition", FALSE, NULL, NULL, now, error) &&
       audit (db, "pickup.cancel", order, NULL, NULL, a.approver_id, error);

out:
  return end_move (db, &a, ok, FALSE, error);
}

gboolean
pos_pickups_dismiss_incident (PosDatabase *db,
                              const char  *order_id,
                              GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autofree char *what = NULL;
  g_autofree char *approver = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);

  if (!pos_database_begin (db, error))
    return FALSE;
  order = load_for_move (db, order_id, -1, error);
  if (order == NULL)
    return finish (db, FALSE, FALSE, error);
  if (order->incident == NULL)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_FOUND,
                   _("Order %s has no incident to dismiss."), order->number);
      return finish (db, FALSE, FALSE, error);
    }
  what = g_strconcat ("pickup.incident:", order->id, NULL);
  if (!authorize (db, POS_PERMISSION_MANAGE_SYNC, NULL, what, &approver,
                  _("Dismissing an incident is for a manager."), error))
    return finish (db, FALSE, FALSE, error);
  stmt = pos_database_prepare_cached (db,
      "UPDATE pickup_orders SET incident_dismissed_at = ?2 WHERE id = ?1", error);
  if (stmt != NULL)
    {
      pos_database_bind_text (stmt, 1, order->id);
      sqlite3_bind_int64 (stmt, 2, pos_now_ms ());
      ok = step_done (db, stmt, error) &&
           audit (db, "pickup.incident_dismissed", order, order->incident, NULL, NULL, error);
    }
  return finish (db, ok, FALSE, error);
}

/* ------------------------------------------------------------------ */
/* The handover                                                        */

static char *
code_hash (const char *order_id,
           const char *code)
{
  g_autofree char *input = g_strconcat (order_id, ":", code, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);
}

static gboolean
order_code_hash (PosDatabase *db,
                 const char  *order_id,
                 char       **out,
                 GError     **error)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (db,
      "SELECT pickup_code_hash FROM pickup_orders WHERE id = ?1", error);
  int rc;

  *out = NULL;
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, order_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Reading the pickup order"));
  return TRUE;
}

/* Who came, against the policy and the synced hash. *checked: the code
 * matched the hash (what the offline rule needs). */
static gboolean
check_identity (PosDatabase             *db,
                const PosPickupOrder    *order,
                const PosPickupHandover *h,
                gboolean                *checked,
                GError                 **error)
{
  g_autofree char *policy = pos_database_get_setting (db, "pickup_identity");
  g_autofree char *hash = NULL;
  g_autofree char *typed = NULL;

  *checked = FALSE;
  if (h->identity == POS_PICKUP_IDENTITY_DOCUMENT)
    {
      if (g_strcmp0 (policy, "code_or_document") != 0)
        {
          g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE,
                               _("This store hands orders over only against the pickup code. "
                                 "Ask the customer for the code from their e-mail or app."));
          return FALSE;
        }
      if (h->document == NULL || is_blank (h->document))
        {
          g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                               _("Type the document shown and whose it is."));
          return FALSE;
        }
      return TRUE;
    }

  if (h->pickup_code == NULL || *h->pickup_code == '\0')
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE,
                           _("Type the pickup code, or scan the QR code from the customer's e-mail or app."));
      return FALSE;
    }
  if (!order_code_hash (db, order->id, &hash, error))
    return FALSE;
  if (hash == NULL)
    return TRUE;   /* the central checks it (pickup_code in the operation) */
  typed = g_strstrip (g_strdup (h->pickup_code));
  {
    g_autofree char *mine = code_hash (order->id, typed);

    if (g_ascii_strcasecmp (mine, hash) != 0)
      {
        g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_WRONG_CODE,
                     _("That is not the pickup code of order %s. Check it with the customer."),
                     order->number);
        return FALSE;
      }
  }
  *checked = TRUE;
  return TRUE;
}

gboolean
pos_pickups_check_identity (PosDatabase             *db,
                            const PosPickupHandover *handover,
                            GError                 **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  gboolean checked;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (handover != NULL, FALSE);

  order = load_for_move (db, handover->order_id, -1, error);
  return order != NULL && check_identity (db, order, handover, &checked, error);
}

/* What a visit hands over, line by line. */
typedef struct {
  guint   line_no;
  gint64  quantity;
  gint64  refused;
} Take;

static gint64
line_left (const PosPickupLine *l)
{
  return MAX (l->quantity - l->collected_quantity - l->refunded_quantity, 0);
}

/* Checks state, version, paid (unless paying now), the lines; fills takes
 * and the state the order goes to. */
static gboolean
plan_handover (PosDatabase             *db,
               PosPickupOrder          *order,
               const PosPickupHandover *h,
               gboolean                 paying_now,
               GArray                  *takes,
               PosPickupState          *to,
               GError                 **error)
{
  gboolean all = TRUE;
  gint64 n_taken = 0;

  if (order->state != POS_PICKUP_READY_FOR_PICKUP && order->state != POS_PICKUP_PARTIALLY_PICKED_UP)
    {
      if (pos_pickup_is_handover (order->state) && order->last_move != NULL)
        set_stale (error, order);
      else
        set_wrong_state (error, order, _("handed over"));
      return FALSE;
    }
  if (!order->paid && !paying_now)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_PAID,
                   _("Order %s is to be paid at the counter: take the payment first."), order->number);
      return FALSE;
    }
  if (order->paid && paying_now)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                   _("Order %s was paid online: hand it over without a sale."), order->number);
      return FALSE;
    }

  for (guint i = 0; i < order->lines->len; i++)
    {
      PosPickupLine *l = g_ptr_array_index (order->lines, i);
      Take t = { l->line_no, line_left (l), 0 };

      if (h->lines != NULL)
        {
          t.quantity = 0;
          for (guint j = 0; j < h->n_lines; j++)
            if (h->lines[j].line_no == l->line_no)
              {
                t.quantity += h->lines[j].quantity;
                t.refused += h->lines[j].refused_quantity;
              }
        }
      if (t.quantity < 0 || t.refused < 0 || t.quantity + t.refused > line_left (l))
        {
          g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                       _("Line %u (%s) has less left to hand over than that."), l->line_no, l->name);
          return FALSE;
        }
      if (t.quantity + t.refused < line_left (l))
        all = FALSE;
      n_taken += t.quantity + t.refused;
      if (t.quantity > 0 || t.refused > 0)
        g_array_append_val (takes, t);
    }
  for (guint j = 0; h->lines != NULL && j < h->n_lines; j++)
    if (find_line (order, h->lines[j].line_no) == NULL)
      {
        g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                     _("Order %s has no line %u."), order->number, h->lines[j].line_no);
        return FALSE;
      }
  if (n_taken == 0)
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                           _("Nothing to hand over: choose at least one item."));
      return FALSE;
    }
  if (!all && order->state == POS_PICKUP_PARTIALLY_PICKED_UP)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                   _("Order %s was partly collected before: hand over everything that is left."),
                   order->number);
      return FALSE;
    }
  *to = all ? POS_PICKUP_PICKED_UP : POS_PICKUP_PARTIALLY_PICKED_UP;
  return TRUE;
}

typedef struct {
  GArray     *takes;
  const char *pickup_code;
} HandoverData;

static void
handover_extra (JsonBuilder *b,
                gpointer     data)
{
  HandoverData *d = data;

  if (d->pickup_code != NULL)
    pos_json_add_string (b, "pickup_code", d->pickup_code);
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->takes->len; i++)
    {
      Take *t = &g_array_index (d->takes, Take, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", t->line_no);
      pos_json_add_int (b, "collected_quantity", t->quantity);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static gboolean
write_stock_move (PosDatabase         *db,
                  const PosStoreInfo  *info,
                  const PosPickupLine *l,
                  gint64               quantity,
                  const char          *order_id,
                  gint64               now,
                  GError             **error)
{
  g_autofree char *id = pos_uuid7_new_at (now);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *payload = NULL;

  if (l->product_id == 0)
    return TRUE;   /* not in this catalogue: the central moves nothing it cannot name either */
  if (!_pos_sales_move_stock_with_id (db, id, info->store_id, l->product_id, -quantity, "pickup", order_id, now,
                                      error))
    return FALSE;

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", id);
  pos_json_add_string (b, "sku", l->sku);
  pos_json_add_int (b, "delta", -quantity);
  pos_json_add_string (b, "reason", "pickup");
  pos_json_add_string (b, "document_id", order_id);
  pos_json_add_int (b, "created_at", now);
  json_builder_end_object (b);
  payload = builder_to_string (b);
  return pos_database_enqueue_outbox (db, "stock.move", id, payload, error);
}

static gboolean
write_refund (PosDatabase          *db,
              const Actor          *a,
              const PosPickupOrder *order,
              GArray               *takes,
              const char           *reason,
              gint64                now,
              GError              **error)
{
  g_autofree char *id = pos_uuid7_new_at (now);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *payload = NULL;
  gint64 amount = 0;

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", id);
  pos_json_add_string (b, "order_id", order->id);
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);
      PosPickupLine *l = find_line ((PosPickupOrder *) order, t->line_no);

      if (t->refused == 0)
        continue;
      amount += pos_money_mul_div (t->refused, l->unit_price, 1000, POS_ROUND_HALF_UP);
      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", t->line_no);
      pos_json_add_int (b, "quantity", t->refused);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  pos_json_add_int (b, "amount", amount);
  pos_json_add_string (b, "currency", order->currency);
  pos_json_add_string (b, "reason", reason);
  pos_json_add_string (b, "staff_id", a->info->staff_id);
  pos_json_add_string (b, "approver_id", a->approver_id);
  pos_json_add_int (b, "created_at", now);
  json_builder_end_object (b);
  payload = builder_to_string (b);
  return pos_database_enqueue_outbox (db, "pickup.refund", id, payload, error);
}

static char *
takes_json (GArray *takes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", t->line_no);
      pos_json_add_int (b, "quantity", t->quantity);
      pos_json_add_int (b, "refused_quantity", t->refused);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return builder_to_string (b);
}

/* Everything a handover writes, inside the transaction. sale_id: paid at
 * the counter by that sale, whose stock movements are the goods (none
 * written here). */
static gboolean
write_handover (PosDatabase             *db,
                Actor                   *a,
                PosPickupOrder          *order,
                const PosPickupHandover *h,
                GArray                  *takes,
                PosPickupState           to,
                gboolean                 provisional,
                const char              *sale_id,
                gint64                   now,
                GError                 **error)
{
  g_autofree char *handover_id = pos_uuid7_new_at (now);
  g_autofree char *lines = takes_json (takes);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  PosPickupState from = order->state;
  gboolean any_refused = FALSE;
  HandoverData d = { takes, h->identity == POS_PICKUP_IDENTITY_CODE ? h->pickup_code : NULL };
  sqlite3_stmt *stmt;

  for (guint i = 0; i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);

      stmt = pos_database_prepare_cached (db,
          "UPDATE pickup_order_lines SET collected_quantity = collected_quantity + ?3, "
          "refunded_quantity = refunded_quantity + ?4 WHERE order_id = ?1 AND line_no = ?2", error);
      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, order->id);
      sqlite3_bind_int64 (stmt, 2, t->line_no);
      sqlite3_bind_int64 (stmt, 3, t->quantity);
      sqlite3_bind_int64 (stmt, 4, t->refused);
      if (!step_done (db, stmt, error))
        return FALSE;
      any_refused = any_refused || t->refused > 0;
    }

  if (!write_move (db, a, order, to, "pickup.transition", provisional, handover_extra, &d, now, error))
    return FALSE;
  if (any_refused && !write_refund (db, a, order, takes, h->refuse_reason, now, error))
    return FALSE;
  for (guint i = 0; sale_id == NULL && i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);

      if (t->quantity > 0 &&
          !write_stock_move (db, a->info, find_line (order, t->line_no), t->quantity, order->id, now, error))
        return FALSE;
    }

  stmt = pos_database_prepare_cached (db,
      "INSERT INTO pickup_handovers (id, order_id, sale_id, staff_id, staff_name, identity, document, lines, "
      "refuse_reason, approver_id, provisional, from_state, to_state, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, handover_id);
  pos_database_bind_text (stmt, 2, order->id);
  pos_database_bind_text (stmt, 3, sale_id);
  pos_database_bind_text (stmt, 4, a->info->staff_id);
  pos_database_bind_text (stmt, 5, a->info->staff_name);
  pos_database_bind_text (stmt, 6, h->identity == POS_PICKUP_IDENTITY_DOCUMENT ? "document" : "code");
  pos_database_bind_text (stmt, 7, h->identity == POS_PICKUP_IDENTITY_DOCUMENT ? h->document : NULL);
  pos_database_bind_text (stmt, 8, lines);
  pos_database_bind_text (stmt, 9, any_refused ? h->refuse_reason : NULL);
  pos_database_bind_text (stmt, 10, a->approver_id);
  sqlite3_bind_int (stmt, 11, provisional ? 1 : 0);
  pos_database_bind_text (stmt, 12, pos_pickup_state_to_string (from));
  pos_database_bind_text (stmt, 13, pos_pickup_state_to_string (to));
  sqlite3_bind_int64 (stmt, 14, now);
  if (!step_done (db, stmt, error))
    return FALSE;

  json_builder_begin_object (b);
  pos_json_add_string (b, "number", order->number);
  pos_json_add_string (b, "from", pos_pickup_state_to_string (from));
  pos_json_add_string (b, "to", pos_pickup_state_to_string (to));
  pos_json_add_string (b, "identity", h->identity == POS_PICKUP_IDENTITY_DOCUMENT ? "document" : "code");
  pos_json_add_string (b, "document", h->identity == POS_PICKUP_IDENTITY_DOCUMENT ? h->document : NULL);
  pos_json_add_string (b, "sale_id", sale_id);
  json_builder_set_member_name (b, "provisional");
  json_builder_add_boolean_value (b, provisional);
  json_builder_set_member_name (b, "lines");
  {
    g_autoptr(JsonNode) node = json_from_string (lines, NULL);

    json_builder_add_value (b, g_steal_pointer (&node));
  }
  json_builder_end_object (b);
  return audit (db, "pickup.hand_over", order, any_refused ? h->refuse_reason : NULL, b, a->approver_id, error);
}

/* Refusing needs refund (the person's or the approval's) and a reason. */
static gboolean
authorize_refusal (PosDatabase             *db,
                   Actor                   *a,
                   const PosPickupOrder    *order,
                   const PosPickupHandover *h,
                   GArray                  *takes,
                   GError                 **error)
{
  g_autofree char *what = NULL;
  gboolean any = FALSE;

  for (guint i = 0; i < takes->len; i++)
    any = any || g_array_index (takes, Take, i).refused > 0;
  if (!any)
    return TRUE;
  if (h->refuse_reason == NULL || is_blank (h->refuse_reason))
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                           _("Say why the item is refused (damaged, wrong item...)."));
      return FALSE;
    }
  what = g_strconcat ("pickup.refund:", order->id, NULL);
  return authorize (db, POS_PERMISSION_REFUND, h->approval_id, what, &a->approver_id,
                    _("Refusing an item and refunding it needs a manager's approval."), error);
}

gboolean
pos_pickups_hand_over (PosDatabase             *db,
                       const PosPickupHandover *handover,
                       gboolean                 online,
                       GError                 **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autoptr(GArray) takes = g_array_new (FALSE, TRUE, sizeof (Take));
  PosPickupState to = POS_PICKUP_PICKED_UP;
  gboolean checked = FALSE;
  gint64 now = pos_now_ms ();
  gboolean ok = FALSE;
  Actor a;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (handover != NULL, FALSE);

  if (!begin_move (db, handover->order_id, handover->expected_version, &a, &order, error))
    return FALSE;
  if (order == NULL ||
      !plan_handover (db, order, handover, FALSE, takes, &to, error) ||
      !check_identity (db, order, handover, &checked, error))
    goto out;

  if (!online)
    {
      /* Offline: only what the central last said is ready, paid, and the
       * code the customer brought matches the synced hash. */
      if (order->pending || order->state != POS_PICKUP_READY_FOR_PICKUP)
        {
          g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_OFFLINE,
                       _("The terminal is offline and order %s was not ready for pickup when it last "
                         "synced: it can be handed over once the terminal is back online."), order->number);
          goto out;
        }
      if (!checked)
        {
          g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_OFFLINE,
                       _("The terminal is offline: order %s can be handed over only against its pickup "
                         "code now."), order->number);
          goto out;
        }
    }
  ok = authorize_refusal (db, &a, order, handover, takes, error) &&
       write_handover (db, &a, order, handover, takes, to, !online, NULL, now, error);

out:
  /* Goods leave the store: durable before the clerk hands them over. */
  return end_move (db, &a, ok, TRUE, error);
}

/* The cart's marker: what fill_cart saw, for the commit. */
static char *
marker_json (const PosPickupOrder    *order,
             const PosPickupHandover *h,
             GArray                  *takes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  pos_json_add_string (b, "number", order->number);
  pos_json_add_int (b, "expected_version", order->version);
  pos_json_add_string (b, "identity", h->identity == POS_PICKUP_IDENTITY_DOCUMENT ? "document" : "code");
  pos_json_add_string (b, "document", h->identity == POS_PICKUP_IDENTITY_DOCUMENT ? h->document : NULL);
  json_builder_set_member_name (b, "lines");
  json_builder_begin_array (b);
  for (guint i = 0; i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);

      json_builder_begin_object (b);
      pos_json_add_int (b, "line_no", t->line_no);
      pos_json_add_int (b, "quantity", t->quantity);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_string (b);
}

gboolean
pos_pickups_fill_cart (PosDatabase             *db,
                       const PosPickupHandover *handover,
                       PosCart                 *cart,
                       GError                 **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autoptr(GArray) takes = g_array_new (FALSE, TRUE, sizeof (Take));
  g_autoptr(GPtrArray) new_lines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *marker = NULL;
  PosPickupState to;
  gboolean checked;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (handover != NULL, FALSE);
  g_return_val_if_fail (POS_IS_CART (cart), FALSE);

  if (!pos_cart_is_empty (cart) || pos_cart_get_pickup_order_id (cart) != NULL)
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                           _("Finish or park the sale in progress first: an online order starts a sale of its own."));
      return FALSE;
    }
  order = load_for_move (db, handover->order_id, handover->expected_version, error);
  if (order == NULL ||
      !plan_handover (db, order, handover, TRUE, takes, &to, error) ||
      !check_identity (db, order, handover, &checked, error))
    return FALSE;
  for (guint i = 0; i < takes->len; i++)
    if (g_array_index (takes, Take, i).refused > 0)
      {
        g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                             _("Nothing of this order was paid yet, so there is nothing to refund: "
                               "hand over only what the customer takes."));
        return FALSE;
      }
  if (g_strcmp0 (order->currency, pos_cart_get_currency (cart)) != 0)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                   _("Order %s is in %s and this counter sells in %s."),
                   order->number, order->currency, pos_cart_get_currency (cart));
      return FALSE;
    }

  for (guint i = 0; i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);
      PosPickupLine *l = find_line (order, t->line_no);
      g_autoptr(PosProduct) p = NULL;
      PosCartLine *line;

      if (t->quantity == 0)
        continue;
      p = pos_catalog_lookup_sku (db, l->sku, NULL);
      if (p == NULL)
        {
          g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                       _("%s (%s) is not in this terminal's catalogue yet: it can't be sold here until "
                         "the catalogue syncs."), l->name, l->sku);
          return FALSE;
        }
      line = pos_cart_line_new (pos_product_get_id (p), l->sku, l->name, pos_product_get_barcode (p),
                                l->unit_price, pos_product_get_tax_rate_bp (p), pos_product_get_weighed (p));
      pos_cart_line_set_pickup_line (line, l->line_no, line_left (l));
      g_ptr_array_add (new_lines, line);
    }
  marker = marker_json (order, handover, takes);
  for (guint i = 0, k = 0; i < takes->len; i++)
    {
      Take *t = &g_array_index (takes, Take, i);

      if (t->quantity == 0)
        continue;
      pos_cart_add_line (cart, g_ptr_array_index (new_lines, k++), t->quantity);
    }
  if (order->customer_id != NULL || order->customer_name != NULL)
    pos_cart_set_customer (cart, order->customer_id, order->customer_name);
  pos_cart_set_pickup (cart, order->id, marker);
  return TRUE;
}

gboolean
_pos_pickups_commit_cart (PosDatabase *db,
                          PosCart     *cart,
                          const char  *sale_id,
                          gint64       now,
                          GError     **error)
{
  g_autoptr(PosPickupOrder) order = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) takes = g_array_new (FALSE, TRUE, sizeof (Take));
  g_autoptr(GArray) collect = g_array_new (FALSE, TRUE, sizeof (PosPickupCollect));
  PosPickupHandover h = { 0, };
  JsonObject *marker;
  PosPickupState to;
  sqlite3_stmt *stmt;
  gboolean ok;
  Actor a;

  marker = parse_object (pos_cart_get_pickup_handover (cart), &node);
  if (marker == NULL)
    {
      g_set_error_literal (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_INVALID,
                           _("The sale names an online order but not its handover. Start the handover again."));
      return FALSE;
    }
  h.order_id = pos_cart_get_pickup_order_id (cart);
  h.expected_version = json_object_get_int_member_with_default (marker, "expected_version", -1);
  h.identity = g_strcmp0 (json_object_get_string_member_with_default (marker, "identity", "code"), "document") == 0
               ? POS_PICKUP_IDENTITY_DOCUMENT : POS_PICKUP_IDENTITY_CODE;
  h.document = json_object_get_string_member_with_default (marker, "document", NULL);
  /* What is handed over is what the cart sells of each order line. */
  for (guint i = 0; i < pos_cart_get_n_lines (cart); i++)
    {
      PosCartLine *line = pos_cart_get_line (cart, i);
      PosPickupCollect c = { pos_cart_line_get_pickup_line_no (line), pos_cart_line_get_quantity (line), 0 };

      if (c.line_no != 0)
        g_array_append_val (collect, c);
    }
  h.lines = (const PosPickupCollect *) (void *) collect->data;
  h.n_lines = collect->len;

  if (!actor_init (db, &a, error))
    return FALSE;
  order = load_for_move (db, h.order_id, h.expected_version, error);
  ok = order != NULL && plan_handover (db, order, &h, TRUE, takes, &to, error);
  if (ok)
    {
      /* Paid by this sale: a new version at the central (§7.1), which the
       * handover then expects. */
      stmt = pos_database_prepare_cached (db,
          "UPDATE pickup_orders SET paid = 1, paid_by_sale_id = ?2, version = version + 1 WHERE id = ?1", error);
      ok = stmt != NULL;
      if (ok)
        {
          pos_database_bind_text (stmt, 1, order->id);
          pos_database_bind_text (stmt, 2, sale_id);
          ok = step_done (db, stmt, error);
        }
      order->version++;
      order->paid = TRUE;
    }
  ok = ok && write_handover (db, &a, order, &h, takes, to, FALSE, sale_id, now, error);
  actor_clear (&a);
  return ok;
}

PosPickupHandoverRecord *
pos_pickups_get_last_handover (PosDatabase *db,
                               const char  *order_id,
                               GError     **error)
{
  g_autoptr(PosPickupHandoverRecord) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  stmt = pos_database_prepare_cached (db,
      "SELECT h.id, h.order_id, h.sale_id, h.staff_name, h.identity, h.document, h.from_state, h.to_state, "
      "h.provisional, h.refuse_reason, h.lines, h.created_at FROM pickup_handovers h "
      "JOIN pickup_orders o ON o.id = h.order_id WHERE o.id = ?1 OR o.number = ?1 "
      "ORDER BY h.created_at DESC, h.id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, order_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      r = g_new0 (PosPickupHandoverRecord, 1);
      r->id = pos_database_column_dup (stmt, 0);
      r->order_id = pos_database_column_dup (stmt, 1);
      r->sale_id = pos_database_column_dup (stmt, 2);
      r->staff_name = pos_database_column_dup (stmt, 3);
      identity = pos_database_column_dup (stmt, 4);
      r->document = pos_database_column_dup (stmt, 5);
      from = pos_database_column_dup (stmt, 6);
      to = pos_database_column_dup (stmt, 7);
      r->provisional = sqlite3_column_int (stmt, 8) != 0;
      r->refuse_reason = pos_database_column_dup (stmt, 9);
      lines = pos_database_column_dup (stmt, 10);
      r->created_at = sqlite3_column_int64 (stmt, 11);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the pickup order"));
      return NULL;
    }
  if (r == NULL)
    {
      g_set_error (error, POS_PICKUPS_ERROR, POS_PICKUPS_ERROR_NOT_FOUND,
                   _("Order %s was not handed over at this terminal."), order_id);
      return NULL;
    }
  r->identity = g_strcmp0 (identity, "document") == 0 ? POS_PICKUP_IDENTITY_DOCUMENT : POS_PICKUP_IDENTITY_CODE;
  pos_pickup_state_from_string (from, &r->from);
  pos_pickup_state_from_string (to, &r->to);
  r->lines = g_array_new (FALSE, TRUE, sizeof (PosPickupCollect));
  node = json_from_string (lines, NULL);
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *arr = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          JsonObject *o = json_array_get_object_element (arr, i);
          PosPickupCollect c;

          if (o == NULL)
            continue;
          c.line_no = (guint) json_object_get_int_member_with_default (o, "line_no", 0);
          c.quantity = json_object_get_int_member_with_default (o, "quantity", 0);
          c.refused_quantity = json_object_get_int_member_with_default (o, "refused_quantity", 0);
          g_array_append_val (r->lines, c);
        }
    }
  return g_steal_pointer (&r);
}

/* ------------------------------------------------------------------ */
/* The central's refusals                                              */

gboolean
_pos_pickups_note_refusal (PosDatabase *db,
                           const char  *op_type,
                           const char  *payload_json,
                           const char  *message,
                           GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(PosPickupOrder) order = NULL;
  g_autofree char *incident = NULL;
  JsonObject *o;
  const char *order_id, *to;
  PosPickupState to_state;
  sqlite3_stmt *stmt;
  g_autoptr(GError) local_error = NULL;

  if (g_strcmp0 (op_type, "pickup.transition") != 0)
    return TRUE;
  o = parse_object (payload_json, &node);
  if (o == NULL)
    return TRUE;
  order_id = json_object_get_string_member_with_default (o, "order_id", NULL);
  to = json_object_get_string_member_with_default (o, "to", NULL);
  if (order_id == NULL || to == NULL || !pos_pickup_state_from_string (to, &to_state) ||
      !pos_pickup_is_handover (to_state))
    return TRUE;

  /* The central's state is applied already (for a conflict). */
  order = pos_pickups_get (db, order_id, &local_error);
  if (order == NULL)
    return TRUE;   /* gone from this store: nothing to list */
  if (pos_pickup_is_handover (order->state) && order->last_move != NULL)
    incident = g_strdup_printf (_("Order %s was already handed over: %s. This terminal handed it over too."),
                                order->number, order->last_move);
  else if (order->last_move != NULL)
    incident = g_strdup_printf (_("Order %s was handed over here, but the central has it %s (%s)."),
                                order->number, pos_pickup_state_get_label (order->state), order->last_move);
  else
    incident = g_strdup_printf (_("Order %s was handed over here, but the central refused it: %s"),
                                order->number, message != NULL ? message : _("no reason given"));

  stmt = pos_database_prepare_cached (db,
      "UPDATE pickup_orders SET incident = ?2, incident_at = ?3, incident_dismissed_at = NULL, "
      "provisional = 0 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, order->id);
  pos_database_bind_text (stmt, 2, incident);
  sqlite3_bind_int64 (stmt, 3, pos_now_ms ());
  return step_done (db, stmt, error);
}
