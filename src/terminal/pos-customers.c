/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-customers"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "domain/pos-contact.h"
#include "domain/pos-cpf.h"
#include "domain/pos-json.h"
#include "domain/pos-money.h"
#include "domain/pos-uuid.h"
#include "pos-customers.h"
#include "pos-customers-private.h"
#include "pos-fts-private.h"
#include "pos-receipt-email.h"
#include "pos-staff.h"
#include "pos-sync-apply.h"
#include "pos-sync-engine.h"

G_DEFINE_QUARK (pos-customers-error-quark, pos_customers_error)


#define CUSTOMER_COLUMNS \
  "c.id, c.name, c.cpf, c.phone, c.store_credit, c.loyalty_points "

void
pos_customer_summary_free (PosCustomerSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->id);
  g_free (summary->name);
  g_free (summary->cpf_masked);
  g_free (summary->phone_masked);
  g_free (summary);
}

PosCustomerSummary *
pos_customer_summary_copy (const PosCustomerSummary *summary)
{
  PosCustomerSummary *copy;

  if (summary == NULL)
    return NULL;

  copy = g_new0 (PosCustomerSummary, 1);
  copy->id = g_strdup (summary->id);
  copy->name = g_strdup (summary->name);
  copy->cpf_masked = g_strdup (summary->cpf_masked);
  copy->phone_masked = g_strdup (summary->phone_masked);
  copy->store_credit = summary->store_credit;
  copy->loyalty_points = summary->loyalty_points;

  return copy;
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

char *
pos_customers_mask_cpf (const char *cpf)
{
  g_autofree char *digits = NULL;

  if (cpf == NULL || *cpf == '\0')
    return NULL;

  digits = digits_of (cpf);
  if (strlen (digits) != 11)
    return g_strdup ("***.***.***-**");

  /* The form the Brazilian data protection authority suggests: the middle
   * six digits only. */
  return g_strdup_printf ("***.%.3s.%.3s-**", digits + 3, digits + 6);
}

char *
pos_customers_mask_phone (const char *phone)
{
  g_autofree char *digits = NULL;
  gsize len;

  if (phone == NULL || *phone == '\0')
    return NULL;

  digits = digits_of (phone);
  len = strlen (digits);
  if (len < 4)
    return g_strdup ("****");

  /* Brazilian numbers: optional 55, area code, 8 or 9 digits. */
  if (len >= 10)
    {
      const char *national = digits + (len >= 12 && g_str_has_prefix (digits, "55") ? 2 : 0);

      return g_strdup_printf ("(%.2s) *****-%s", national, digits + len - 4);
    }

  return g_strdup_printf ("*****-%s", digits + len - 4);
}


static PosCustomerSummary *
summary_from_row (sqlite3_stmt *stmt)
{
  PosCustomerSummary *s = g_new0 (PosCustomerSummary, 1);

  s->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  s->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  s->cpf_masked = pos_customers_mask_cpf ((const char *) sqlite3_column_text (stmt, 2));
  s->phone_masked = pos_customers_mask_phone ((const char *) sqlite3_column_text (stmt, 3));
  s->store_credit = sqlite3_column_int64 (stmt, 4);
  s->loyalty_points = sqlite3_column_int64 (stmt, 5);

  return s;
}

static gboolean
contains_id (GPtrArray  *results,
             const char *id)
{
  for (guint i = 0; i < results->len; i++)
    {
      PosCustomerSummary *s = g_ptr_array_index (results, i);

      if (g_strcmp0 (s->id, id) == 0)
        return TRUE;
    }

  return FALSE;
}

GPtrArray *
pos_customers_search (PosDatabase  *db,
                      const char   *text,
                      guint         limit,
                      GError      **error)
{
  return pos_customers_search_page (db, text, 0, limit, NULL, error);
}

PosCustomerSummary *
pos_customers_get (PosDatabase  *db,
                   const char   *id,
                   GError      **error)
{
  PosCustomerSummary *summary = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  stmt = pos_database_prepare_cached (db,
    "SELECT " CUSTOMER_COLUMNS "FROM customers c "
    "WHERE c.id = ?1 AND c.erased_at IS NULL", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    summary = summary_from_row (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc == SQLITE_ROW)
    return summary;
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                   _("No customer with id %s on this terminal. It may have been merged or erased; search again."), id);
      return NULL;
    }

  pos_database_set_error (db, error, _("Loading the customer"));
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Search                                                              */

#define LIVE "c.erased_at IS NULL AND c.merged_into IS NULL "

/* Rows of `stmt` (CUSTOMER_COLUMNS first) not yet in results. */
static gboolean
collect (PosDatabase  *db,
         sqlite3_stmt *stmt,
         GPtrArray    *results,
         guint         max,
         GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);

      if (results->len < max && !contains_id (results, id))
        g_ptr_array_add (results, summary_from_row (stmt));
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Searching customers"));
  return TRUE;
}

/* The exact matches: a whole CPF, a phone, an e-mail, a loyalty card. */
static gboolean
search_exact (PosDatabase  *db,
              const char   *text,
              GPtrArray    *results,
              GError      **error)
{
  g_autofree char *cpf = pos_cpf_validate (text) ? pos_cpf_normalize (text) : NULL;
  g_autofree char *cpf_formatted = cpf != NULL ? pos_cpf_format (cpf) : NULL;
  g_autofree char *phone = cpf == NULL ? pos_phone_normalize (text) : NULL;
  g_autofree char *email = pos_email_normalize (text);
  g_autofree char *card = g_strstrip (g_strdup (text));
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db,
    "SELECT " CUSTOMER_COLUMNS "FROM customers c WHERE c.cpf IN (?1, ?2) AND " LIVE
    "UNION ALL SELECT " CUSTOMER_COLUMNS "FROM customers c WHERE c.phone_digits = ?3 AND " LIVE
    "UNION ALL SELECT " CUSTOMER_COLUMNS "FROM customers c WHERE c.email_norm = ?4 AND " LIVE
    "UNION ALL SELECT " CUSTOMER_COLUMNS "FROM customers c WHERE c.loyalty_card = ?5 AND " LIVE, error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, cpf);
  pos_database_bind_text (stmt, 2, cpf_formatted);
  pos_database_bind_text (stmt, 3, phone);
  pos_database_bind_text (stmt, 4, email);
  pos_database_bind_text (stmt, 5, *card != '\0' ? card : NULL);
  return collect (db, stmt, results, G_MAXUINT, error);
}

GPtrArray *
pos_customers_search_page (PosDatabase  *db,
                           const char   *text,
                           guint         offset,
                           guint         limit,
                           gboolean     *has_more,
                           GError      **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_customer_summary_free);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_customer_summary_free);
  g_autofree char *query = NULL;
  guint want;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (limit == 0)
    limit = 50;
  limit = MIN (limit, 1000u);
  offset = MIN (offset, 100000u);
  want = offset + limit + 1;   /* one more says whether more follow */
  if (has_more != NULL)
    *has_more = FALSE;

  if (!search_exact (db, text, all, error))
    return NULL;

  /* A whole document, phone, e-mail or card names the customer: the words
   * of it would only add noise (and time). */
  query = all->len == 0 ? _pos_fts_prefix_query (text) : NULL;
  if (query != NULL && all->len < want)
    {
      /* The words as prefixes; the best-ranked among the first matches
       * (a two-letter prefix can match half the country: ranking them all
       * would not answer as the clerk types). */
      sqlite3_stmt *stmt = pos_database_prepare_cached (db,
        "SELECT " CUSTOMER_COLUMNS
        "FROM (SELECT rowid AS rid, bm25 (customer_search, 10.0, 2.0, 2.0, 3.0, 3.0) AS score "
        "      FROM customer_search WHERE customer_search MATCH ?1 LIMIT ?3) m "
        "JOIN customers c ON c.rowid = m.rid "
        "WHERE " LIVE
        "ORDER BY m.score, length (c.name), c.name LIMIT ?2", error);

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, query, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, (int) want + (int) all->len);
      sqlite3_bind_int (stmt, 3, (int) MAX (500u, want * 4));
      if (!collect (db, stmt, all, want, error))
        return NULL;
    }

  for (guint i = offset; i < all->len && page->len < limit; i++)
    g_ptr_array_add (page, pos_customer_summary_copy (g_ptr_array_index (all, i)));
  if (has_more != NULL)
    *has_more = all->len > offset + limit;

  return g_steal_pointer (&page);
}

PosCustomerSummary *
pos_customers_find_by_card (PosDatabase  *db,
                            const char   *code,
                            GError      **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_customer_summary_free);
  g_autofree char *card = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  card = g_strstrip (g_strdup (code));
  stmt = pos_database_prepare_cached (db,
    "SELECT " CUSTOMER_COLUMNS "FROM customers c WHERE c.loyalty_card = ?1 AND " LIVE, error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, card);
  if (!collect (db, stmt, found, 1, error))
    return NULL;
  if (found->len == 0)
    {
      g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                   _("No customer has the loyalty card %s."), card);
      return NULL;
    }
  return g_ptr_array_steal_index (found, 0);
}

/* ------------------------------------------------------------------ */
/* Asking the central                                                  */

GPtrArray *
pos_customers_lookup_central (PosDatabase   *db,
                              const char    *text,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PosSyncClient) client = NULL;
  g_auto(PosSyncResponse) response = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(PosSyncApplier) applier = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_customer_summary_free);
  g_autofree char *trimmed = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  const char *data;
  gsize len = 0;
  JsonNode *root;
  JsonNode *list;
  JsonArray *customers;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  client = pos_sync_client_new_for_database (db, error);
  if (client == NULL)
    return NULL;
  escaped = g_uri_escape_string (trimmed, NULL, FALSE);
  path = g_strconcat ("/v1/customers?limit=10&q=", escaped, NULL);
  if (!pos_sync_client_request (client, "GET", path, NULL, 0, FALSE, 15, &response, error))
    return NULL;
  if (response.status == 400)
    {
      g_set_error (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_INVALID,
                   _("To search at the central, type at least three letters of the name, or a whole CPF, phone, e-mail or card."));
      return NULL;
    }
  if (response.status != 200)
    {
      pos_sync_client_set_http_error (client, &response, error);
      return NULL;
    }

  data = g_bytes_get_data (response.body, &len);
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) len, &parse_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (list = json_object_get_member (json_node_get_object (root), "customers")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
                   _("The central sent an answer that could not be read (%s). Nothing was changed."),
                   parse_error != NULL ? parse_error->message : _("no list of customers"));
      return NULL;
    }
  customers = json_node_get_array (list);

  /* Keep what it sent, as if pulled: the customer is this store's now and
   * the next pull brings the rest (its timeline). One transaction: a bad
   * customer in the answer keeps none. */
  applier = pos_sync_applier_new (db);
  if (!pos_database_begin (db, error))
    return NULL;
  for (guint i = 0; i < json_array_get_length (customers); i++)
    {
      JsonNode *n = json_array_get_element (customers, i);
      PosSyncChange change = { 0, };
      JsonObject *o;
      JsonNode *version;

      if (!JSON_NODE_HOLDS_OBJECT (n) ||
          json_object_get_string_member_with_default ((o = json_node_get_object (n)), "id", NULL) == NULL)
        {
          pos_database_rollback (db);
          g_set_error (error, POS_SYNC_ERROR, POS_SYNC_ERROR_BAD_ANSWER,
                       _("The central sent an answer that could not be read (%s). Nothing was changed."),
                       _("a customer without an id"));
          return NULL;
        }
      version = json_object_get_member (o, "version");
      change.stream = (char *) "customers";
      change.entity = (char *) "customer";
      change.id = (char *) json_object_get_string_member (o, "id");
      change.op = POS_SYNC_CHANGE_UPSERT;
      change.version = version != NULL && JSON_NODE_HOLDS_VALUE (version) ? json_node_get_int (version) : 1;
      change.data = n;
      if (!pos_sync_applier_apply (applier, &change, error))
        {
          pos_database_rollback (db);
          return NULL;
        }
    }
  if (!pos_database_commit (db, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (customers); i++)
    {
      JsonObject *o = json_array_get_object_element (customers, i);
      g_autoptr(GError) local_error = NULL;
      PosCustomerSummary *s = pos_customers_get (db, json_object_get_string_member (o, "id"), &local_error);

      if (s != NULL)
        g_ptr_array_add (results, s);
    }
  return g_steal_pointer (&results);
}

/* ------------------------------------------------------------------ */
/* The profile                                                         */

const char * const pos_consent_channels[POS_N_CONSENT_CHANNELS + 1] = {
  "email", "sms", "whatsapp", "phone", "push", "mail", NULL
};

const char *
pos_consent_channel_label (const char *channel)
{
  if (g_strcmp0 (channel, "email") == 0)
    return _("E-mail");
  if (g_strcmp0 (channel, "sms") == 0)
    return _("SMS");
  if (g_strcmp0 (channel, "whatsapp") == 0)
    return _("WhatsApp");
  if (g_strcmp0 (channel, "phone") == 0)
    return _("Phone calls");
  if (g_strcmp0 (channel, "push") == 0)
    return _("App notifications");
  if (g_strcmp0 (channel, "mail") == 0)
    return _("Post");
  return channel;
}

static int
consent_index (const char *channel)
{
  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    if (g_strcmp0 (pos_consent_channels[i], channel) == 0)
      return i;
  return -1;
}

static void
consent_free (PosCustomerConsent *c)
{
  if (c == NULL)
    return;
  g_free (c->channel);
  g_free (c->source);
  g_free (c);
}

static void
identity_free (PosCustomerIdentity *i)
{
  if (i == NULL)
    return;
  g_free (i->channel);
  g_free (i->external_id);
  g_free (i);
}

void
pos_customer_profile_free (PosCustomerProfile *p)
{
  if (p == NULL)
    return;
  g_free (p->id);
  g_free (p->name);
  g_free (p->cpf);
  g_free (p->email);
  g_free (p->phone);
  g_free (p->birth_date);
  g_free (p->loyalty_card);
  g_free (p->loyalty_tier);
  g_free (p->currency);
  g_free (p->notes);
  g_free (p->preferences);
  g_clear_pointer (&p->consents, g_ptr_array_unref);
  g_clear_pointer (&p->identities, g_ptr_array_unref);
  g_free (p);
}

/* Follows merges to the surviving id; NULL + NOT_FOUND when unknown or
 * erased. */
static char *
resolve_customer (PosDatabase  *db,
                  const char   *id,
                  GError      **error)
{
  g_autofree char *current = g_strdup (id);

  for (int hops = 0; hops < 16; hops++)
    {
      sqlite3_stmt *stmt = pos_database_prepare_cached (db,
        "SELECT merged_into, erased_at IS NOT NULL FROM customers WHERE id = ?1", error);
      int rc;
      g_autofree char *into = NULL;
      gboolean erased = FALSE;

      if (stmt == NULL)
        return NULL;
      pos_database_bind_text (stmt, 1, current);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          into = pos_database_column_dup (stmt, 0);
          erased = sqlite3_column_int (stmt, 1) != 0;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return (pos_database_set_error (db, error, _("Loading the customer")), NULL);
      if (rc == SQLITE_DONE || erased)
        break;
      if (into == NULL)
        return g_steal_pointer (&current);
      g_free (current);
      current = g_steal_pointer (&into);
    }

  g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
               _("This customer is not on this terminal any more: they were merged or asked to be forgotten. Search again."));
  return NULL;
}

static gboolean
query_int64 (PosDatabase  *db,
             const char   *sql,
             const char   *id,
             gint64        now,
             gint64       *out,
             GError      **error)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (db, sql, error);
  int rc;

  *out = 0;
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Loading the customer"));
  return TRUE;
}

/* Purchases at this store still within the return window and not wholly
 * returned yet (?2 is the oldest date of sale that can still come back). */
#define RETURNABLE_SALES \
  "SELECT s.id FROM sales s WHERE s.customer_id = ?1 AND s.kind = 'sale' AND s.created_at >= ?2 " \
  "AND (SELECT SUM (quantity) FROM sale_lines WHERE sale_id = s.id) > " \
  "    COALESCE ((SELECT SUM (rl.quantity) FROM sales r JOIN sale_lines rl ON rl.sale_id = r.id " \
  "               WHERE r.original_sale_id = s.id), 0)"

gint64
_pos_customers_return_horizon (PosDatabase *db)
{
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  int days = info != NULL ? info->return_days : 30;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr(GDateTime) oldest = g_date_time_add_days (midnight, -days);

  return g_date_time_to_unix (oldest) * 1000;
}

static PosCustomerProfile *load_profile (PosDatabase *db, const char *id, gboolean reveal, gboolean audit,
                                         GError **error);

PosCustomerProfile *
pos_customers_open_profile (PosDatabase  *db,
                            const char   *id,
                            gboolean      reveal,
                            GError      **error)
{
  return load_profile (db, id, reveal, TRUE, error);
}

PosCustomerProfile *
pos_customers_refresh_profile (PosDatabase  *db,
                               const char   *id,
                               gboolean      reveal,
                               GError      **error)
{
  return load_profile (db, id, reveal, FALSE, error);
}

static PosCustomerProfile *
load_profile (PosDatabase  *db,
              const char   *id,
              gboolean      reveal,
              gboolean      audit,
              GError      **error)
{
  g_autoptr(PosCustomerProfile) p = NULL;
  g_autofree char *real_id = NULL;
  g_autofree char *cpf = NULL, *email = NULL, *phone = NULL;
  sqlite3_stmt *stmt;
  gint64 value = 0;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  real_id = resolve_customer (db, id, error);
  if (real_id == NULL)
    return NULL;
  if (reveal && !pos_staff_current_can (db, POS_PERMISSION_REVEAL_CONTACT))
    {
      g_set_error (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION,
                   _("Your role may not see a customer’s contact data in full. A manager can."));
      return NULL;
    }

  stmt = pos_database_prepare_cached (db,
    "SELECT c.name, c.cpf, c.email, c.phone, c.birth_date, c.loyalty_card, c.loyalty_tier, c.loyalty_points "
    "  + COALESCE ((SELECT SUM (delta) FROM loyalty_pending WHERE customer_id = c.id), 0), "
    "c.store_credit, c.notes, c.preferences, c.processing_restricted, c.version, c.created_at, c.updated_at, "
    "(SELECT value FROM settings WHERE key = 'currency') "
    "FROM customers c WHERE c.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, real_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      p = g_new0 (PosCustomerProfile, 1);
      p->id = g_strdup (real_id);
      p->name = pos_database_column_dup (stmt, 0);
      cpf = pos_database_column_dup (stmt, 1);
      email = pos_database_column_dup (stmt, 2);
      phone = pos_database_column_dup (stmt, 3);
      p->birth_date = pos_database_column_dup (stmt, 4);
      p->loyalty_card = pos_database_column_dup (stmt, 5);
      p->loyalty_tier = pos_database_column_dup (stmt, 6);
      p->loyalty_points = sqlite3_column_int64 (stmt, 7);
      p->store_credit = sqlite3_column_int64 (stmt, 8);
      p->notes = pos_database_column_dup (stmt, 9);
      p->preferences = pos_database_column_dup (stmt, 10);
      p->processing_restricted = sqlite3_column_int (stmt, 11) != 0;
      p->version = sqlite3_column_int64 (stmt, 12);
      p->created_at = sqlite3_column_int64 (stmt, 13);
      p->updated_at = sqlite3_column_int64 (stmt, 14);
      p->currency = pos_database_column_dup (stmt, 15);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                     _("This customer is not on this terminal any more: they were merged or asked to be forgotten. Search again."));
      else
        pos_database_set_error (db, error, _("Loading the customer"));
      return NULL;
    }
  if (p->currency == NULL)
    p->currency = g_strdup ("BRL");

  p->revealed = reveal;
  if (reveal)
    {
      g_autofree char *formatted = pos_cpf_format (cpf);
      g_autofree char *digits = pos_phone_normalize (phone);

      p->cpf = formatted != NULL ? g_steal_pointer (&formatted) : g_strdup (cpf);
      p->phone = digits != NULL ? pos_phone_format (digits) : g_strdup (phone);
      p->email = g_strdup (email);
    }
  else
    {
      p->cpf = pos_customers_mask_cpf (cpf);
      p->phone = pos_customers_mask_phone (phone);
      p->email = email != NULL && *email != '\0' ? pos_receipt_email_mask (email) : NULL;
    }

  /* Consents: one per channel, "never asked" where there is no record. */
  p->consents = g_ptr_array_new_with_free_func ((GDestroyNotify) consent_free);
  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    {
      PosCustomerConsent *c = g_new0 (PosCustomerConsent, 1);

      c->channel = g_strdup (pos_consent_channels[i]);
      c->state = POS_CONSENT_UNKNOWN;
      g_ptr_array_add (p->consents, c);
    }
  stmt = pos_database_prepare_cached (db,
    "SELECT channel, granted, source, recorded_at FROM customer_consents WHERE customer_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, real_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int i = consent_index ((const char *) sqlite3_column_text (stmt, 0));
      PosCustomerConsent *c;

      if (i < 0)
        continue;
      c = g_ptr_array_index (p->consents, i);
      c->state = sqlite3_column_int (stmt, 1) ? POS_CONSENT_GRANTED : POS_CONSENT_DENIED;
      g_free (c->source);
      c->source = pos_database_column_dup (stmt, 2);
      c->recorded_at = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return (pos_database_set_error (db, error, _("Loading the customer")), NULL);

  p->identities = g_ptr_array_new_with_free_func ((GDestroyNotify) identity_free);
  stmt = pos_database_prepare_cached (db,
    "SELECT channel, external_id FROM customer_identities WHERE customer_id = ?1 ORDER BY channel", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, real_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosCustomerIdentity *i = g_new0 (PosCustomerIdentity, 1);

      i->channel = pos_database_column_dup (stmt, 0);
      i->external_id = pos_database_column_dup (stmt, 1);
      g_ptr_array_add (p->identities, i);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return (pos_database_set_error (db, error, _("Loading the customer")), NULL);

  if (!p->processing_restricted)
    {
      gint64 horizon = _pos_customers_return_horizon (db);

      if (!query_int64 (db, "SELECT COUNT (*) FROM customer_events WHERE customer_id = ?1", real_id, 0, &value, error))
        return NULL;
      p->n_events = (guint) value;
      if (!query_int64 (db, "SELECT COUNT (*) FROM pickup_orders WHERE customer_id = ?1 AND state NOT IN "
                            "('PICKED_UP', 'CANCELLED', 'NO_SHOW', 'EXPIRED')", real_id, 0, &value, error))
        return NULL;
      p->n_open_pickups = (guint) value;
      if (!query_int64 (db, "SELECT COUNT (*) FROM (" RETURNABLE_SALES ")", real_id, horizon, &value, error))
        return NULL;
      p->n_returnable = (guint) value;
      if (!query_int64 (db, "SELECT COALESCE (SUM (CASE WHEN kind IN ('return', 'refund') THEN -ABS (amount) "
                            "ELSE amount END), 0) FROM customer_events WHERE customer_id = ?1 "
                            "AND kind IN ('purchase', 'return', 'refund') AND amount IS NOT NULL",
                            real_id, 0, &value, error))
        return NULL;
      p->lifetime_spent = value;
    }

  /* LGPD: who opened whom, and who saw the contact data. */
  if (audit &&
      (!pos_database_audit (db, "customer.view", "customer", real_id, NULL, NULL, error) ||
       (reveal && !pos_database_audit (db, "customer.reveal", "customer", real_id, NULL, NULL, error))))
    return NULL;

  return g_steal_pointer (&p);
}

/* ------------------------------------------------------------------ */
/* Create and edit                                                     */

void
pos_customer_edit_init (PosCustomerEdit *edit)
{
  g_return_if_fail (edit != NULL);

  memset (edit, 0, sizeof *edit);
  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    edit->consents[i] = POS_CONSENT_UNKNOWN;
}

void
pos_customer_duplicate_free (PosCustomerDuplicate *dup)
{
  if (dup == NULL)
    return;
  pos_customer_summary_free (dup->customer);
  g_free (dup);
}

/* A field of an edit: NULL = untouched, "" = clear, trimmed otherwise. */
static char *
edit_value (const char *text)
{
  return text != NULL ? g_strstrip (g_strdup (text)) : NULL;
}

typedef struct {
  char *name, *cpf, *email, *phone, *birth_date, *loyalty_card, *notes, *preferences;
} CleanEdit;

static void
clean_edit_clear (CleanEdit *c)
{
  g_free (c->name);
  g_free (c->cpf);
  g_free (c->email);
  g_free (c->phone);
  g_free (c->birth_date);
  g_free (c->loyalty_card);
  g_free (c->notes);
  g_free (c->preferences);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CleanEdit, clean_edit_clear)

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_INVALID, message);
  return FALSE;
}

/* Validates and normalises: CPF as 000.000.000-00, the phone as
 * "(11) 98765-4321", the e-mail lower case. */
static gboolean
clean_edit (const PosCustomerEdit *edit,
            gboolean               is_new,
            CleanEdit             *out,
            GError               **error)
{
  out->name = edit_value (edit->name);
  out->cpf = edit_value (edit->cpf);
  out->email = edit_value (edit->email);
  out->phone = edit_value (edit->phone);
  out->birth_date = edit_value (edit->birth_date);
  out->loyalty_card = edit_value (edit->loyalty_card);
  out->notes = edit_value (edit->notes);
  out->preferences = edit_value (edit->preferences);

  if ((is_new || out->name != NULL) && (out->name == NULL || g_utf8_strlen (out->name, -1) < 2))
    return invalid (error, _("Type the customer’s name (at least two letters)."));
  if (out->name != NULL && g_utf8_strlen (out->name, -1) > 120)
    return invalid (error, _("The name is too long (at most 120 characters)."));
  if (out->cpf != NULL && *out->cpf != '\0')
    {
      g_autofree char *digits = pos_cpf_normalize (out->cpf);

      if (digits == NULL || !pos_cpf_validate (out->cpf))
        return invalid (error, _("This CPF is not valid: check the digits (000.000.000-00)."));
      g_free (out->cpf);
      out->cpf = pos_cpf_format (digits);
    }
  if (out->phone != NULL && *out->phone != '\0')
    {
      g_autofree char *digits = pos_phone_normalize (out->phone);

      if (digits == NULL)
        return invalid (error, _("This phone number is not valid: type the area code and the number, as (11) 98765-4321."));
      g_free (out->phone);
      out->phone = pos_phone_format (digits);
    }
  if (out->email != NULL && *out->email != '\0')
    {
      char *norm = pos_email_normalize (out->email);

      if (norm == NULL)
        return invalid (error, _("This e-mail address is not valid: it needs a name, an @ and a domain, as maria@example.com."));
      g_free (out->email);
      out->email = norm;
    }
  if (out->birth_date != NULL && *out->birth_date != '\0')
    {
      int y, m, d;
      char end;
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      if (sscanf (out->birth_date, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 ||
          !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y) ||
          y < 1900 || y > g_date_time_get_year (now))
        return invalid (error, _("The birth date is not a real date (year-month-day, as 1985-04-23)."));
    }
  if (out->loyalty_card != NULL && strlen (out->loyalty_card) > 64)
    return invalid (error, _("The loyalty card number is too long."));
  return TRUE;
}

GPtrArray *
pos_customers_find_duplicates (PosDatabase           *db,
                               const char            *exclude_id,
                               const PosCustomerEdit *edit,
                               GError               **error)
{
  g_autoptr(GPtrArray) dups = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_customer_duplicate_free);
  g_autofree char *cpf = edit->cpf != NULL && pos_cpf_validate (edit->cpf) ? pos_cpf_normalize (edit->cpf) : NULL;
  g_autofree char *cpf_formatted = cpf != NULL ? pos_cpf_format (cpf) : NULL;
  g_autofree char *phone = pos_phone_normalize (edit->phone);
  g_autofree char *email = pos_email_normalize (edit->email);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (edit != NULL, NULL);

  if (cpf == NULL && phone == NULL && email == NULL)
    return g_steal_pointer (&dups);

  stmt = pos_database_prepare_cached (db,
    "SELECT " CUSTOMER_COLUMNS ", c.cpf IN (?1, ?2), c.phone_digits = ?3, c.email_norm = ?4 "
    "FROM customers c WHERE (c.cpf IN (?1, ?2) OR c.phone_digits = ?3 OR c.email_norm = ?4) "
    "AND c.id IS NOT ?5 AND " LIVE "ORDER BY c.cpf IN (?1, ?2) DESC, c.name LIMIT 20", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, cpf);
  pos_database_bind_text (stmt, 2, cpf_formatted);
  pos_database_bind_text (stmt, 3, phone);
  pos_database_bind_text (stmt, 4, email);
  pos_database_bind_text (stmt, 5, exclude_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosCustomerDuplicate *d = g_new0 (PosCustomerDuplicate, 1);

      d->customer = summary_from_row (stmt);
      d->same_cpf = sqlite3_column_int (stmt, 6) != 0;
      d->same_phone = sqlite3_column_int (stmt, 7) != 0;
      d->same_email = sqlite3_column_int (stmt, 8) != 0;
      g_ptr_array_add (dups, d);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Looking for the same customer"));
      return NULL;
    }
  return g_steal_pointer (&dups);
}

/* The row as it is before an edit (NULL fields when new). */
typedef struct {
  gboolean exists;
  gint64   version;
  gboolean restricted;
  char    *fields[8];   /* name, cpf, email, phone, birth_date, loyalty_card, notes, preferences */
  int      consent[POS_N_CONSENT_CHANNELS];
} Before;

static const char * const field_names[8] = {
  "name", "cpf", "email", "phone", "birth_date", "loyalty_card", "notes", "preferences"
};

static void
before_clear (Before *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (b->fields); i++)
    g_free (b->fields[i]);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Before, before_clear)

static gboolean
load_before (PosDatabase  *db,
             const char   *id,
             Before       *b,
             GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    b->consent[i] = POS_CONSENT_UNKNOWN;
  stmt = pos_database_prepare_cached (db,
    "SELECT version, processing_restricted, name, cpf, email, phone, birth_date, loyalty_card, notes, preferences "
    "FROM customers WHERE id = ?1 AND erased_at IS NULL AND merged_into IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      b->exists = TRUE;
      b->version = sqlite3_column_int64 (stmt, 0);
      b->restricted = sqlite3_column_int (stmt, 1) != 0;
      for (int i = 0; i < 8; i++)
        b->fields[i] = pos_database_column_dup (stmt, 2 + i);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Loading the customer"));
  if (!b->exists)
    return TRUE;

  stmt = pos_database_prepare_cached (db, "SELECT channel, granted FROM customer_consents WHERE customer_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int i = consent_index ((const char *) sqlite3_column_text (stmt, 0));

      if (i >= 0)
        b->consent[i] = sqlite3_column_int (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Loading the customer"));
  return TRUE;
}

/* Another live customer holding `value` in the UNIQUE column. */
static gboolean
held_by_other (PosDatabase  *db,
               const char   *sql,
               const char   *value,
               const char   *id,
               char        **other_name,
               GError      **error)
{
  sqlite3_stmt *stmt = pos_database_prepare_cached (db, sql, error);
  int rc;

  *other_name = NULL;
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, value);
  pos_database_bind_text (stmt, 2, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *other_name = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Saving the customer"));
  return TRUE;
}

char *
pos_customers_save (PosDatabase            *db,
                    const char             *id,
                    const PosCustomerEdit  *edit,
                    GError                **error)
{
  g_auto(CleanEdit) clean = { 0, };
  g_auto(Before) before = { 0, };
  g_autofree char *new_id = NULL;
  g_autofree char *other = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  const char *values[8];
  gboolean is_new = id == NULL;
  gboolean changed = FALSE;
  gint64 now = pos_now_ms ();
  sqlite3_stmt *stmt;
  guint n_fields = 0, n_consents = 0;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (edit != NULL, NULL);

  if (!clean_edit (edit, is_new, &clean, error))
    return NULL;
  new_id = is_new ? pos_uuid7_new () : g_strdup (id);
  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    before.consent[i] = POS_CONSENT_UNKNOWN;

  if (!pos_database_begin (db, error))
    return NULL;
  if (!is_new)
    {
      if (!load_before (db, new_id, &before, error))
        goto fail;
      if (!before.exists)
        {
          g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                       _("This customer is not on this terminal any more: they were merged or asked to be forgotten. Search again."));
          goto fail;
        }
    }

  values[0] = clean.name; values[1] = clean.cpf; values[2] = clean.email; values[3] = clean.phone;
  values[4] = clean.birth_date; values[5] = clean.loyalty_card; values[6] = clean.notes; values[7] = clean.preferences;

  /* A restricted customer keeps their data as it is; only consent moves. */
  if (before.restricted)
    for (int i = 0; i < 8; i++)
      if (values[i] != NULL && g_strcmp0 (*values[i] ? values[i] : NULL, before.fields[i]) != 0)
        {
          g_set_error (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_RESTRICTED,
                       _("This customer restricted the processing of their data: it cannot be changed at the counter. Only their consent can."));
          goto fail;
        }

  if (clean.cpf != NULL && *clean.cpf != '\0')
    {
      if (!held_by_other (db, "SELECT name FROM customers WHERE cpf = ?1 AND id IS NOT ?2", clean.cpf, new_id, &other, error))
        goto fail;
      if (other != NULL)
        {
          g_set_error (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_DUPLICATE,
                       _("The CPF %s belongs to %s already. Open that customer instead."), clean.cpf, other);
          goto fail;
        }
    }
  if (clean.loyalty_card != NULL && *clean.loyalty_card != '\0')
    {
      if (!held_by_other (db, "SELECT name FROM customers WHERE loyalty_card = ?1 AND id IS NOT ?2",
                          clean.loyalty_card, new_id, &other, error))
        goto fail;
      if (other != NULL)
        {
          g_set_error (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_DUPLICATE,
                       _("The loyalty card %s belongs to %s already."), clean.loyalty_card, other);
          goto fail;
        }
    }

  json_builder_begin_object (b);
  pos_json_add_string (b, "id", new_id);
  if (!is_new)
    pos_json_add_int (b, "base_version", before.version);
  else
    pos_json_add_int (b, "created_at", now);
  json_builder_set_member_name (b, "fields");
  json_builder_begin_object (b);
  for (int i = 0; i < 8; i++)
    {
      const char *v = values[i] != NULL && *values[i] != '\0' ? values[i] : NULL;

      if (values[i] == NULL || (!is_new && g_strcmp0 (v, before.fields[i]) == 0))
        continue;
      if (is_new && v == NULL)
        continue;
      pos_json_add_string (b, field_names[i], v);
      n_fields++;
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "consents");
  json_builder_begin_array (b);
  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    {
      if (edit->consents[i] == POS_CONSENT_UNKNOWN || (int) edit->consents[i] == before.consent[i])
        continue;
      json_builder_begin_object (b);
      pos_json_add_string (b, "channel", pos_consent_channels[i]);
      json_builder_set_member_name (b, "granted");
      json_builder_add_boolean_value (b, edit->consents[i] == POS_CONSENT_GRANTED);
      pos_json_add_string (b, "source", "counter");
      pos_json_add_int (b, "recorded_at", now);
      json_builder_end_object (b);
      n_consents++;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  changed = is_new || n_fields > 0 || n_consents > 0;
  if (!changed)
    {
      pos_database_rollback (db);
      return g_steal_pointer (&new_id);
    }

  if (is_new)
    stmt = pos_database_prepare_cached (db,
      "INSERT INTO customers (id, name, cpf, email, phone, birth_date, loyalty_card, notes, preferences, "
      "phone_digits, email_norm, version, created_at, updated_at) "
      "VALUES (?1, ?2, NULLIF (?3, ''), NULLIF (?4, ''), NULLIF (?5, ''), NULLIF (?6, ''), NULLIF (?7, ''), "
      "NULLIF (?8, ''), NULLIF (?9, ''), balcao_phone_digits (?5), balcao_email_norm (?4), 0, ?10, ?10)", error);
  else
    stmt = pos_database_prepare_cached (db,
      "UPDATE customers SET name = COALESCE (?2, name), "
      "cpf = CASE WHEN ?3 IS NULL THEN cpf ELSE NULLIF (?3, '') END, "
      "email = CASE WHEN ?4 IS NULL THEN email ELSE NULLIF (?4, '') END, "
      "phone = CASE WHEN ?5 IS NULL THEN phone ELSE NULLIF (?5, '') END, "
      "birth_date = CASE WHEN ?6 IS NULL THEN birth_date ELSE NULLIF (?6, '') END, "
      "loyalty_card = CASE WHEN ?7 IS NULL THEN loyalty_card ELSE NULLIF (?7, '') END, "
      "notes = CASE WHEN ?8 IS NULL THEN notes ELSE NULLIF (?8, '') END, "
      "preferences = CASE WHEN ?9 IS NULL THEN preferences ELSE NULLIF (?9, '') END, "
      "updated_at = ?10 WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  pos_database_bind_text (stmt, 1, new_id);
  for (int i = 0; i < 8; i++)
    pos_database_bind_text (stmt, 2 + i, values[i]);
  sqlite3_bind_int64 (stmt, 10, now);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      pos_database_set_error (db, error, _("Saving the customer"));
      goto fail;
    }
  sqlite3_reset (stmt);
  if (!is_new)
    {
      stmt = pos_database_prepare_cached (db,
        "UPDATE customers SET phone_digits = balcao_phone_digits (phone), email_norm = balcao_email_norm (email) "
        "WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      pos_database_bind_text (stmt, 1, new_id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          pos_database_set_error (db, error, _("Saving the customer"));
          goto fail;
        }
      sqlite3_reset (stmt);
    }

  for (int i = 0; i < POS_N_CONSENT_CHANNELS; i++)
    {
      if (edit->consents[i] == POS_CONSENT_UNKNOWN || (int) edit->consents[i] == before.consent[i])
        continue;
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO customer_consents (customer_id, channel, granted, source, recorded_at) "
        "VALUES (?1, ?2, ?3, 'counter', ?4) ON CONFLICT (customer_id, channel) DO UPDATE SET "
        "granted = excluded.granted, source = excluded.source, recorded_at = excluded.recorded_at", error);
      if (stmt == NULL)
        goto fail;
      pos_database_bind_text (stmt, 1, new_id);
      pos_database_bind_text (stmt, 2, pos_consent_channels[i]);
      sqlite3_bind_int (stmt, 3, edit->consents[i] == POS_CONSENT_GRANTED);
      sqlite3_bind_int64 (stmt, 4, now);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          pos_database_set_error (db, error, _("Saving the customer"));
          goto fail;
        }
      sqlite3_reset (stmt);
    }

  root = json_builder_get_root (b);
  payload = json_to_string (root, FALSE);
  {
    g_autofree char *audit = g_strdup_printf ("{\"fields\":%u,\"consents\":%u}", n_fields, n_consents);

    if (!pos_database_enqueue_outbox (db, "customer.upsert", new_id, payload, error) ||
        !pos_database_audit (db, is_new ? "customer.create" : "customer.edit", "customer", new_id, NULL, audit, error))
      goto fail;
  }
  if (!pos_database_commit (db, error))
    goto fail;
  return g_steal_pointer (&new_id);

fail:
  pos_database_rollback (db);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Timeline details                                                    */

void
pos_event_detail_free (PosEventDetail *d)
{
  if (d == NULL)
    return;
  g_free (d->title);
  g_free (d->subtitle);
  g_clear_pointer (&d->lines, g_ptr_array_unref);
  g_free (d->body);
  g_free (d->sale_id);
  g_free (d->pickup_order_id);
  g_free (d);
}

static char *
quantity_text (gint64   thousandths,
               gboolean weighed)
{
  if (weighed)
    return g_strdup_printf ("%.3f kg", (double) thousandths / 1000.0);
  if (thousandths % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, thousandths / 1000);
  return g_strdup_printf ("%.3f", (double) thousandths / 1000.0);
}

static void
add_line (PosEventDetail *d,
          gint64          quantity,
          gboolean        weighed,
          const char     *name,
          gint64          total,
          const char     *currency)
{
  g_autofree char *qty = quantity_text (quantity, weighed);
  g_autofree char *money = pos_money_format (total, currency, NULL);

  /* TRANSLATORS: a line of an order or sale in a customer's timeline:
   * quantity, product, line total. */
  g_ptr_array_add (d->lines, g_strdup_printf (_("%s × %s   %s"), qty, name, money));
}

/* The pickup states as a clerk says them. */
static const char *
pickup_state_words (const char *state)
{
  static const struct { const char *state, *words; } words[] = {
    { "PLACED", N_("placed") },
    { "ALLOCATED", N_("placed") },
    { "PICKING", N_("being picked") },
    { "READY_FOR_PICKUP", N_("ready to collect") },
    { "ON_HOLD", N_("on hold") },
    { "PARTIALLY_PICKED_UP", N_("partly collected") },
    { "PICKED_UP", N_("collected") },
    { "NO_SHOW", N_("not collected") },
    { "EXPIRED", N_("expired") },
    { "CANCELLED", N_("cancelled") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (words[i].state, state) == 0)
      return _(words[i].words);
  return state;
}

PosEventDetail *
pos_customers_event_detail (PosDatabase  *db,
                            const char   *event_id,
                            GError      **error)
{
  g_autoptr(PosEventDetail) d = g_new0 (PosEventDetail, 1);
  g_autofree char *channel = NULL, *kind = NULL, *store = NULL, *currency = NULL;
  g_autofree char *summary = NULL, *document = NULL, *data = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *when_text = NULL;
  gint64 occurred = 0;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (event_id != NULL, NULL);

  stmt = pos_database_prepare_cached (db,
    "SELECT e.channel, e.kind, e.occurred_at, COALESCE (st.name, e.store_id), COALESCE (e.currency, "
    "(SELECT value FROM settings WHERE key = 'currency'), 'BRL'), e.summary, e.document_id, e.data "
    "FROM customer_events e JOIN customers c ON c.id = e.customer_id "
    "LEFT JOIN stores st ON st.id = e.store_id "
    "WHERE e.id = ?1 AND c.processing_restricted = 0 AND c.erased_at IS NULL", error);
  if (stmt == NULL)
    return NULL;
  pos_database_bind_text (stmt, 1, event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      channel = pos_database_column_dup (stmt, 0);
      kind = pos_database_column_dup (stmt, 1);
      occurred = sqlite3_column_int64 (stmt, 2);
      store = pos_database_column_dup (stmt, 3);
      currency = pos_database_column_dup (stmt, 4);
      summary = pos_database_column_dup (stmt, 5);
      document = pos_database_column_dup (stmt, 6);
      data = pos_database_column_dup (stmt, 7);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND,
                     _("This entry of the history is not on this terminal any more."));
      else
        pos_database_set_error (db, error, _("Loading the history"));
      return NULL;
    }

  d->lines = g_ptr_array_new_with_free_func (g_free);
  when = g_date_time_new_from_unix_local (occurred / 1000);
  when_text = when != NULL ? g_date_time_format (when, "%x %H:%M") : g_strdup ("");
  d->title = g_strdup (summary != NULL ? summary : kind);
  d->subtitle = store != NULL ? g_strdup_printf (_("%s · %s"), when_text, store) : g_strdup (when_text);

  /* A sale or return held here: its lines, its reason. */
  if (document != NULL)
    {
      g_autofree char *reason = NULL;
      gboolean found = FALSE;

      stmt = pos_database_prepare_cached (db, "SELECT id, reason FROM sales WHERE id = ?1", error);
      if (stmt == NULL)
        return NULL;
      pos_database_bind_text (stmt, 1, document);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          found = TRUE;
          reason = pos_database_column_dup (stmt, 1);
        }
      sqlite3_reset (stmt);
      if (found)
        {
          d->sale_id = g_strdup (document);
          d->body = g_steal_pointer (&reason);
          stmt = pos_database_prepare_cached (db,
            "SELECT quantity, weighed, name, total FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no", error);
          if (stmt == NULL)
            return NULL;
          pos_database_bind_text (stmt, 1, document);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            add_line (d, sqlite3_column_int64 (stmt, 0), sqlite3_column_int (stmt, 1),
                      (const char *) sqlite3_column_text (stmt, 2), sqlite3_column_int64 (stmt, 3), currency);
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            return (pos_database_set_error (db, error, _("Loading the history")), NULL);
        }
    }

  /* What the channel sent along: an order's lines and state, an agent. */
  if (data != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, data, -1, NULL) &&
          (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *o = json_node_get_object (root);
          const char *order_id = json_object_get_string_member_with_default (o, "order_id", NULL);
          const char *agent = json_object_get_string_member_with_default (o, "agent", NULL);
          const char *reason = json_object_get_string_member_with_default (o, "reason", NULL);
          JsonNode *lines = json_object_get_member (o, "lines");

          if (d->lines->len == 0 && lines != NULL && JSON_NODE_HOLDS_ARRAY (lines))
            {
              JsonArray *a = json_node_get_array (lines);

              for (guint i = 0; i < json_array_get_length (a); i++)
                {
                  JsonNode *ln = json_array_get_element (a, i);
                  JsonObject *l;
                  gint64 qty, price;

                  if (!JSON_NODE_HOLDS_OBJECT (ln))
                    continue;
                  l = json_node_get_object (ln);
                  qty = json_object_get_int_member_with_default (l, "quantity", 0);
                  price = json_object_get_int_member_with_default (l, "unit_price", 0);
                  add_line (d, qty, FALSE,
                            json_object_get_string_member_with_default (l, "name",
                              json_object_get_string_member_with_default (l, "sku", "?")),
                            pos_money_mul_div (price, qty, 1000, POS_ROUND_HALF_EVEN), currency);
                }
            }
          if (agent != NULL)
            {
              g_autofree char *sub = g_strdup_printf (_("%s · agent %s"), d->subtitle, agent);

              g_free (d->subtitle);
              d->subtitle = g_steal_pointer (&sub);
            }
          if (reason != NULL && d->body == NULL)
            d->body = g_strdup (reason);
          if (order_id != NULL && document == NULL)
            document = g_strdup (order_id);
        }
    }

  /* An order in this store's pickup queue. */
  if (document != NULL)
    {
      stmt = pos_database_prepare_cached (db,
        "SELECT id, state FROM pickup_orders WHERE id = ?1 OR number = ?1", error);
      if (stmt == NULL)
        return NULL;
      pos_database_bind_text (stmt, 1, document);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *state = pos_database_column_dup (stmt, 1);
          g_autofree char *sub = NULL;

          d->pickup_order_id = pos_database_column_dup (stmt, 0);
          sub = g_strdup_printf (_("%s · pickup %s"), d->subtitle, pickup_state_words (state));
          g_free (d->subtitle);
          d->subtitle = g_steal_pointer (&sub);
        }
      sqlite3_reset (stmt);
      if (d->pickup_order_id != NULL && d->lines->len == 0)
        {
          stmt = pos_database_prepare_cached (db,
            "SELECT quantity, 0, name, quantity * unit_price / 1000 FROM pickup_order_lines "
            "WHERE order_id = ?1 ORDER BY line_no", error);
          if (stmt == NULL)
            return NULL;
          pos_database_bind_text (stmt, 1, d->pickup_order_id);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            add_line (d, sqlite3_column_int64 (stmt, 0), FALSE, (const char *) sqlite3_column_text (stmt, 2),
                      sqlite3_column_int64 (stmt, 3), currency);
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            return (pos_database_set_error (db, error, _("Loading the history")), NULL);
        }
    }

  /* Calls, chats, messages: what was said is the entry's summary. */
  if (d->body == NULL && d->lines->len == 0 && summary != NULL &&
      g_strv_contains ((const char * const[]) { "call", "chat", "message", "email", "notification", NULL }, kind))
    d->body = g_strdup (summary);

  return g_steal_pointer (&d);
}

gboolean
_pos_customers_note_sale (PosDatabase  *db,
                          const char   *sale_id,
                          GError      **error)
{
  sqlite3_stmt *stmt;

  /* The same shape as the central's entry (central-push.c): replaced by it
   * when it arrives (pos-sync-apply.c). */
  stmt = pos_database_prepare_cached (db,
    "INSERT INTO customer_events (id, customer_id, channel, kind, occurred_at, store_id, amount, currency, "
    "summary, document_id, local) "
    "SELECT 'local:' || s.id, s.customer_id, 'store', CASE s.kind WHEN 'return' THEN 'return' ELSE 'purchase' END, "
    "s.created_at, s.store_id, s.total, s.currency, "
    "CASE s.kind WHEN 'return' THEN 'Return ' ELSE 'Sale ' END || s.number, s.id, 1 "
    "FROM sales s JOIN customers c ON c.id = s.customer_id "
    "WHERE s.id = ?1 AND c.erased_at IS NULL AND c.merged_into IS NULL "
    "ON CONFLICT (id) DO NOTHING", error);
  if (stmt == NULL)
    return FALSE;
  pos_database_bind_text (stmt, 1, sale_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return pos_database_set_error (db, error, _("Writing the customer’s history"));
    }
  sqlite3_reset (stmt);
  return TRUE;
}
