/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-receipt"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "domain/pos-uuid.h"
#include "pos-receipt-email.h"
#include "pos-sales.h"

G_DEFINE_QUARK (pos-receipt-email-error-quark, pos_receipt_email_error)

gboolean
pos_receipt_email_address_is_valid (const char *address)
{
  const char *at;
  g_autofree char *domain = NULL;
  g_autofree char *ascii = NULL;
  gsize local_len;

  if (address == NULL || strlen (address) > 254 || !g_utf8_validate (address, -1, NULL))
    return FALSE;
  /* what pos_receipt_email_mask shows is never an address to send to */
  if (strstr (address, "***") != NULL)
    return FALSE;
  at = strchr (address, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    return FALSE;
  local_len = (gsize) (at - address);
  if (local_len == 0 || local_len > 64 || address[0] == '.' || at[-1] == '.')
    return FALSE;
  for (const char *p = address; p < at; p++)
    {
      /* RFC 5322 atext and dots, never two dots in a row */
      if (!g_ascii_isalnum (*p) && strchr (".!#$%&'*+/=?^_`{|}~-", *p) == NULL)
        return FALSE;
      if (*p == '.' && p[1] == '.')
        return FALSE;
    }

  domain = g_strdup (at + 1);
  if (*domain == '\0' || strchr (domain, '.') == NULL || domain[strlen (domain) - 1] == '.' || *domain == '.')
    return FALSE;
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || g_hostname_is_ip_address (ascii))
    return FALSE;
  /* letters, digits and hyphens between dots; no label empty or longer than 63 */
  {
    g_auto(GStrv) labels = g_strsplit (ascii, ".", -1);

    for (guint i = 0; labels[i] != NULL; i++)
      {
        gsize len = strlen (labels[i]);

        if (len == 0 || len > 63 || labels[i][0] == '-' || labels[i][len - 1] == '-')
          return FALSE;
        for (const char *p = labels[i]; *p; p++)
          if (!g_ascii_isalnum (*p) && *p != '-')
            return FALSE;
      }
    /* the top-level domain is not all digits */
    {
      const char *tld = labels[g_strv_length (labels) - 1];
      gboolean digits = TRUE;

      for (const char *p = tld; *p; p++)
        digits = digits && g_ascii_isdigit (*p);
      if (digits)
        return FALSE;
    }
  }
  return TRUE;
}

char *
pos_receipt_email_mask (const char *address)
{
  const char *at;

  g_return_val_if_fail (address != NULL, NULL);

  at = strchr (address, '@');
  if (at == NULL || at == address)
    return g_strdup ("***");
  return g_strdup_printf ("%.1s***%s", address, at);
}

/* The full address on file of the sale's customer, or NULL. */
static char *
customer_email (PosDatabase         *db,
                const PosSaleRecord *sale,
                GError             **error)
{
  sqlite3_stmt *stmt;
  char *email = NULL;
  int rc;

  if (sale->customer_id == NULL)
    return NULL;
  stmt = pos_database_prepare_cached (db,
    "SELECT email FROM customers WHERE id = ?1 AND erased_at IS NULL AND email IS NOT NULL AND email <> ''",
    error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, sale->customer_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    email = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      pos_database_set_error (db, error, _("Reading the customer’s e-mail address"));
      return NULL;
    }
  return email;
}

char *
pos_receipt_email_customer_address (PosDatabase  *db,
                                    const char   *sale,
                                    GError      **error)
{
  g_autoptr(PosSaleRecord) record = NULL;
  g_autofree char *email = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sale != NULL, NULL);

  record = pos_sales_load (db, sale, error);
  if (record == NULL)
    return NULL;
  email = customer_email (db, record, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return email != NULL ? pos_receipt_email_mask (email) : NULL;
}

static char *
request_payload (const char *id,
                 const char *sale_id,
                 const char *to,
                 gint64      requested_at,
                 const char *staff_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "sale_id");
  json_builder_add_string_value (b, sale_id);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to);
  json_builder_set_member_name (b, "requested_at");
  json_builder_add_int_value (b, requested_at);
  json_builder_set_member_name (b, "staff_id");
  if (staff_id != NULL)
    json_builder_add_string_value (b, staff_id);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

char *
pos_receipt_email_request (PosDatabase  *db,
                           const char   *sale,
                           const char   *to,
                           char        **out_to,
                           GError      **error)
{
  g_autoptr(PosSaleRecord) record = NULL;
  g_autofree char *address = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *id = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *audit_data = NULL;
  g_autofree char *clean = NULL;
  gboolean from_file;
  gint64 now;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (sale != NULL, NULL);

  clean = to != NULL ? g_strstrip (g_strdup (to)) : NULL;
  record = pos_sales_load (db, sale, error);
  if (record == NULL)
    return NULL;

  /* NULL, "" or the masked address shown in the dialog: the one on file */
  from_file = clean == NULL || *clean == '\0';
  if (!from_file && strstr (clean, "***@") != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *on_file = customer_email (db, record, &local_error);
      g_autofree char *masked = on_file != NULL ? pos_receipt_email_mask (on_file) : NULL;

      from_file = masked != NULL && g_str_equal (masked, clean);
    }
  if (from_file)
    {
      GError *local_error = NULL;

      address = customer_email (db, record, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (address == NULL)
        {
          g_set_error_literal (error, POS_RECEIPT_EMAIL_ERROR, POS_RECEIPT_EMAIL_ERROR_NO_ADDRESS,
                               _("Type the customer’s e-mail address: this sale has no customer with an address on file."));
          return NULL;
        }
      shown = pos_receipt_email_mask (address);
    }
  else
    {
      address = g_strdup (clean);
      shown = g_strdup (clean);
    }
  if (!pos_receipt_email_address_is_valid (address))
    {
      g_set_error (error, POS_RECEIPT_EMAIL_ERROR, POS_RECEIPT_EMAIL_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an e-mail address. Check it with the customer: it looks like name@example.com."),
                   shown);
      return NULL;
    }

  id = pos_uuid7_new ();
  now = pos_now_ms ();
  staff_id = pos_database_get_staff_id (db);
  payload = request_payload (id, record->id, address, now, staff_id);
  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;

    /* the audit log keeps the request, not the address */
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "request_id");
    json_builder_add_string_value (b, id);
    json_builder_set_member_name (b, "from_customer_file");
    json_builder_add_boolean_value (b, from_file);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    audit_data = json_to_string (root, FALSE);
  }

  if (!pos_database_begin (db, error))
    return NULL;
  if (!pos_database_enqueue_outbox (db, "receipt.email", id, payload, error) ||
      !pos_database_audit (db, "receipt.email_requested", "sale", record->id, NULL, audit_data, error) ||
      !pos_database_commit_durable (db, error))
    {
      pos_database_rollback (db);
      g_prefix_error (error, _("The e-mail request was not saved: "));
      return NULL;
    }
  if (out_to != NULL)
    *out_to = g_steal_pointer (&shown);
  return g_steal_pointer (&id);
}
