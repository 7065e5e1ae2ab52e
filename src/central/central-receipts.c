/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include "central-admin.h"
#include "central-changes.h"
#include "central-json.h"
#include "central-receipts.h"

static gboolean
refuse (PosSyncResultStatus  *status,
        const char          **code,
        char                **message,
        const char           *why,
        const char           *text)
{
  *status = POS_SYNC_RESULT_REJECTED;
  *code = why;
  *message = g_strdup (text);
  return TRUE;
}

/* The terminal validated it; the central checks it is one address:
 * one '@' between a local part and a domain with a dot, no spaces or
 * control characters, at most 254 bytes. */
static gboolean
plausible_address (const char *to)
{
  const char *at;

  if (to == NULL || strlen (to) < 3 || strlen (to) > 254 || !g_utf8_validate (to, -1, NULL))
    return FALSE;
  for (const char *p = to; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f || *p == ',' || *p == ';' || *p == '<' || *p == '>')
      return FALSE;
  at = strchr (to, '@');
  return at != NULL && at != to && strchr (at + 1, '@') == NULL &&
         strchr (at + 1, '.') != NULL && at[1] != '.' && to[strlen (to) - 1] != '.';
}

gboolean
central_receipts_push_email (CentralConn          *conn,
                             const char           *store_id,
                             const char           *terminal_id,
                             const char           *entity_id,
                             JsonObject           *p,
                             PosSyncResultStatus  *status,
                             const char          **code,
                             char                **message,
                             GError              **error)
{
  const char *id = central_json_str (p, "id");
  const char *sale_id = central_json_str (p, "sale_id");
  const char *to = central_json_str (p, "to");
  const char *staff_id = central_json_str (p, "staff_id");
  g_autoptr(PGresult) sale = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *requested = NULL;
  g_autofree char *now = NULL;
  gint64 requested_at = 0;

  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return refuse (status, code, message, "bad_payload", "The e-mail request has no id.");
  if (!g_str_equal (id, entity_id))
    return refuse (status, code, message, "bad_payload", "The request id differs from the operation's entity_id.");
  if (sale_id == NULL || *sale_id == '\0' || strlen (sale_id) > 64)
    return refuse (status, code, message, "bad_payload", "The e-mail request has no sale_id.");
  if (!plausible_address (to))
    return refuse (status, code, message, "bad_payload", "to is not an e-mail address.");
  if (!central_json_int (p, "requested_at", &requested_at) || requested_at <= 0)
    return refuse (status, code, message, "bad_payload", "The e-mail request has no requested_at.");
  if (!central_json_is_null (p, "staff_id") && staff_id == NULL)
    return refuse (status, code, message, "bad_payload", "staff_id must be a string.");

  {
    const char *params[] = { sale_id, store_id };

    sale = central_conn_exec (conn, "SELECT 1 FROM sales WHERE id = $1 AND store_id = $2", 2, params, error);
    if (sale == NULL)
      return FALSE;
    if (PQntuples (sale) == 0)
      {
        *status = POS_SYNC_RESULT_REJECTED;
        *code = "not_found";
        *message = g_strdup_printf ("This store has no sale %s at the central; its receipt cannot be e-mailed.",
                                    sale_id);
        return TRUE;
      }
  }

  requested = g_strdup_printf ("%" G_GINT64_FORMAT, requested_at);
  now = g_strdup_printf ("%" G_GINT64_FORMAT, central_now_ms ());
  {
    const char *params[] = { id, sale_id, store_id, terminal_id, staff_id, to, requested, now };

    res = central_conn_exec (conn,
      "INSERT INTO receipt_emails (id, sale_id, store_id, terminal_id, staff_id, to_address, requested_at, received_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8::bigint) ON CONFLICT (id) DO NOTHING RETURNING id",
      8, params, error);
  }
  if (res == NULL)
    return FALSE;
  *status = PQntuples (res) > 0 ? POS_SYNC_RESULT_APPLIED : POS_SYNC_RESULT_DUPLICATE;
  return TRUE;
}

char *
central_receipts_list_emails (CentralConn *conn,
                              const char  *store_code,
                              const char  *status,
                              GError     **error)
{
  g_autofree char *store_id = NULL;
  g_autoptr(PGresult) res = NULL;
  GString *out;

  if (status != NULL && !g_str_equal (status, "queued") && !g_str_equal (status, "sent") &&
      !g_str_equal (status, "failed"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--status must be queued, sent or failed.");
      return NULL;
    }
  if (store_code != NULL && (store_id = central_store_id_for_code (conn, store_code, error)) == NULL)
    return NULL;
  {
    const char *params[] = { store_id, status };

    res = central_conn_exec (conn,
      "SELECT e.id, s.code, e.sale_id, e.to_address, "
      "to_char (to_timestamp (e.requested_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), e.status "
      "FROM receipt_emails e JOIN stores s ON s.id = e.store_id "
      "WHERE ($1::text IS NULL OR e.store_id = $1) AND ($2::text IS NULL OR e.status = $2) "
      "ORDER BY e.requested_at, e.id", 2, params, error);
  }
  if (res == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\t%s\n", PQgetvalue (res, i, 0), PQgetvalue (res, i, 1),
                            PQgetvalue (res, i, 2), PQgetvalue (res, i, 3), PQgetvalue (res, i, 4),
                            PQgetvalue (res, i, 5));
  return g_string_free (out, FALSE);
}
