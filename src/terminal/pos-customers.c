/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-customers"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-cpf.h"
#include "pos-customers.h"
#include "pos-fts-private.h"


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

/* A whole valid CPF: exact lookup through the UNIQUE index, whichever way
 * it was stored (digits or formatted). */
static gboolean
search_exact_cpf (PosDatabase  *db,
                  const char   *text,
                  GPtrArray    *results,
                  GError      **error)
{
  g_autofree char *digits = NULL;
  g_autofree char *formatted = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!pos_cpf_validate (text))
    return TRUE;

  digits = pos_cpf_normalize (text);
  if (digits == NULL)
    return TRUE;
  formatted = pos_cpf_format (digits);

  stmt = pos_database_prepare_cached (db,
    "SELECT " CUSTOMER_COLUMNS "FROM customers c "
    "WHERE c.cpf IN (?1, ?2) AND c.erased_at IS NULL AND c.merged_into IS NULL", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, digits, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, formatted != NULL ? formatted : digits, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);

      if (!contains_id (results, id))
        g_ptr_array_add (results, summary_from_row (stmt));
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Searching customers"));

  return TRUE;
}

GPtrArray *
pos_customers_search (PosDatabase  *db,
                      const char   *text,
                      guint         limit,
                      GError      **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_customer_summary_free);
  g_autofree char *query = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (limit == 0)
    limit = 50;

  if (!search_exact_cpf (db, text, results, error))
    return NULL;

  query = _pos_fts_prefix_query (text);
  if (query == NULL || results->len >= limit)
    return g_steal_pointer (&results);

  stmt = pos_database_prepare_cached (db,
    "SELECT " CUSTOMER_COLUMNS
    "FROM (SELECT rowid AS rid, bm25 (customer_search, 10.0, 2.0, 2.0, 2.0) AS score "
    "      FROM customer_search WHERE customer_search MATCH ?1 LIMIT ?3) m "
    "JOIN customers c ON c.rowid = m.rid "
    "WHERE c.erased_at IS NULL AND c.merged_into IS NULL "
    "ORDER BY m.score, length (c.name), c.name LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, (int) MIN (limit, (guint) G_MAXINT));
  sqlite3_bind_int (stmt, 3, (int) MAX (2000u, MIN (limit, 100000u) * 4));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);

      if (results->len >= limit)
        continue;
      if (!contains_id (results, id))
        g_ptr_array_add (results, summary_from_row (stmt));
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Searching customers"));
      return NULL;
    }

  return g_steal_pointer (&results);
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
