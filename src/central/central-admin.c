/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include <domain/pos-sync-wire.h>
#include <domain/pos-uuid.h>

#include "central-admin.h"
#include "central-json.h"

G_DEFINE_QUARK (central-admin-error-quark, central_admin_error)

#define ENROLMENT_VALID_MS (24 * 3600 * G_GINT64_CONSTANT (1000))

char *
central_token_new (const char *prefix)
{
  guint8 raw[32];
  g_autofree char *b64 = NULL;
  GString *out;

  /* g_random_* is not meant for secrets: read the kernel's generator. */
  {
    g_autoptr(GFile) file = g_file_new_for_path ("/dev/urandom");
    g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
    gsize n = 0;

    if (in == NULL ||
        !g_input_stream_read_all (G_INPUT_STREAM (in), raw, sizeof raw, &n, NULL, NULL) ||
        n != sizeof raw)
      g_error ("Cannot read random bytes from /dev/urandom");
  }

  b64 = g_base64_encode (raw, sizeof raw);
  out = g_string_new (prefix);
  for (const char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
central_sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

char *
central_store_name (CentralConn *conn,
                    const char  *store_id,
                    GError     **error)
{
  const char *params[] = { store_id };
  g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT name FROM stores WHERE id = $1", 1, params, error);

  if (res == NULL)
    return NULL;
  return g_strdup (PQntuples (res) > 0 ? PQgetvalue (res, 0, 0) : store_id);
}

char *
central_store_json (CentralConn *conn,
                    const char  *store_id,
                    GError     **error)
{
  const char *params[] = { store_id };
  g_autoptr(PGresult) res = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  static const char * const cols[] = {
    "id", "code", "name", "legal_name", "cnpj", "address", "city", "state",
    "postal_code", "phone", "currency", "timezone",
  };

  res = central_conn_exec (conn,
    "SELECT id, code, name, legal_name, cnpj, address, city, state, postal_code, phone, currency, timezone "
    "FROM stores WHERE id = $1", 1, params, error);
  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_NOT_FOUND, "No store %s.", store_id);
      return NULL;
    }
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (cols); i++)
    central_json_add_str (b, cols[i], central_res_str (res, 0, (int) i));
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

static char *
terminal_json (const char *id,
               const char *store_id,
               const char *code,
               const char *name)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  central_json_add_str (b, "id", id);
  central_json_add_str (b, "store_id", store_id);
  central_json_add_str (b, "code", code);
  central_json_add_str (b, "name", name);
  json_builder_end_object (b);
  return central_json_builder_to_string (b);
}

char *
central_store_add (CentralConn            *conn,
                   const CentralStoreInfo *info,
                   GError                **error)
{
  g_autoptr(CentralTx) tx = NULL;
  g_autofree char *id = info->id != NULL ? g_strdup (info->id) : pos_uuid7_new ();
  g_autofree char *now = int_text (central_now_ms ());
  g_autofree char *data = NULL;
  const char *params[] = {
    id, info->code, info->name, info->legal_name, info->cnpj, info->address, info->city,
    info->state, info->postal_code, info->phone,
    info->currency != NULL ? info->currency : "BRL",
    info->timezone != NULL ? info->timezone : "America/Sao_Paulo", now,
  };
  g_autoptr(GError) local_error = NULL;

  if (info->code == NULL || *info->code == '\0' || info->name == NULL || *info->name == '\0')
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_INVALID,
                   "A store needs a code and a name (--code 001 --name \"Loja Centro\").");
      return NULL;
    }
  if (info->id != NULL && !pos_uuid_is_valid (info->id))
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_INVALID,
                   "The store id %s is not a UUID (lower case, with dashes).", info->id);
      return NULL;
    }

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return NULL;
  if (!central_conn_run (conn,
        "INSERT INTO stores (id, code, name, legal_name, cnpj, address, city, state, postal_code, phone, "
        "currency, timezone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        G_N_ELEMENTS (params), params, &local_error))
    {
      if (g_error_matches (local_error, CENTRAL_DB_ERROR, CENTRAL_DB_ERROR_CONSTRAINT))
        {
          if (info->id != NULL)
            g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_EXISTS,
                         "A store with the code %s or the id %s already exists.", info->code, info->id);
          else
            g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_EXISTS,
                         "A store with the code %s already exists.", info->code);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  data = central_store_json (conn, id, error);
  if (data == NULL)
    return NULL;
  central_tx_emit (tx, "stores", "store", id, id, "upsert", 1, data);
  if (!central_tx_commit (g_steal_pointer (&tx), error))
    return NULL;
  return g_steal_pointer (&id);
}

char *
central_store_list (CentralConn *conn,
                    GError     **error)
{
  g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT id, code, name FROM stores ORDER BY code",
                                               0, NULL, error);
  GString *out;

  if (res == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (out, "%s\t%s\t%s\n", PQgetvalue (res, i, 0), PQgetvalue (res, i, 1),
                            PQgetvalue (res, i, 2));
  return g_string_free (out, FALSE);
}

char *
central_store_id_for_code (CentralConn *conn,
                           const char  *code,
                           GError     **error)
{
  const char *params[] = { code };
  g_autoptr(PGresult) res = central_conn_exec (conn, "SELECT id FROM stores WHERE code = $1",
                                               1, params, error);

  if (res == NULL)
    return NULL;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_NOT_FOUND,
                   "There is no store with the code %s (see `balcao-central store list`).", code);
      return NULL;
    }
  return g_strdup (PQgetvalue (res, 0, 0));
}

char *
central_enrolment_token_new (CentralConn *conn,
                             const char  *store_code,
                             const char  *name,
                             GError     **error)
{
  g_autofree char *store_id = central_store_id_for_code (conn, store_code, error);
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  gint64 now = central_now_ms ();
  g_autofree char *now_text = int_text (now);
  g_autofree char *expires = int_text (now + ENROLMENT_VALID_MS);

  if (store_id == NULL)
    return NULL;
  token = central_token_new ("be_");
  hash = central_sha256_hex (token);
  {
    const char *params[] = { hash, store_id, name, expires, now_text };

    if (!central_conn_run (conn,
          "INSERT INTO enrolment_tokens (token_hash, store_id, name, expires_at, created_at) "
          "VALUES ($1, $2, $3, $4, $5)", 5, params, error))
      return NULL;
  }
  return g_steal_pointer (&token);
}

char *
central_enrol (CentralConn *conn,
               const char  *enrolment_token,
               const char  *name,
               GError     **error)
{
  g_autoptr(CentralTx) tx = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *hash = central_sha256_hex (enrolment_token);
  g_autofree char *now = int_text (central_now_ms ());
  g_autofree char *store_id = NULL;
  g_autofree char *terminal_id = pos_uuid7_new ();
  g_autofree char *token = central_token_new ("bt_");
  g_autofree char *token_hash = central_sha256_hex (token);
  g_autofree char *code = NULL;
  g_autofree char *terminal_name = NULL;
  g_autofree char *terminal = NULL;
  g_autofree char *store = NULL;
  g_autoptr(GString) body = NULL;

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return NULL;
  {
    const char *params[] = { hash, now };

    res = central_conn_exec (conn,
      "SELECT store_id, name FROM enrolment_tokens WHERE token_hash = $1 AND used_at IS NULL "
      "AND expires_at > $2::bigint FOR UPDATE", 2, params, error);
    if (res == NULL)
      return NULL;
    if (PQntuples (res) == 0)
      {
        g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_TOKEN,
                     "This enrolment token is unknown, was already used or has expired. "
                     "Ask for a new one (balcao-central terminal enroll).");
        return NULL;
      }
    store_id = g_strdup (PQgetvalue (res, 0, 0));
    terminal_name = g_strdup (name != NULL && *name != '\0' ? name : central_res_str (res, 0, 1));
    g_clear_pointer (&res, PQclear);
  }
  {
    const char *params[] = { store_id };

    res = central_conn_exec (conn,
      "SELECT count (*) + 1 FROM terminals WHERE store_id = $1", 1, params, error);
    if (res == NULL)
      return NULL;
    code = g_strdup_printf ("%02" G_GINT64_FORMAT, central_res_int (res, 0, 0));
    g_clear_pointer (&res, PQclear);
  }
  if (terminal_name == NULL)
    terminal_name = g_strdup_printf ("Terminal %s", code);
  {
    const char *params[] = { terminal_id, store_id, code, terminal_name, token_hash, now };

    if (!central_conn_run (conn,
          "INSERT INTO terminals (id, store_id, code, name, token_hash, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6)", 6, params, error))
      return NULL;
  }
  {
    const char *params[] = { hash, now, terminal_id };

    if (!central_conn_run (conn,
          "UPDATE enrolment_tokens SET used_at = $2, terminal_id = $3 WHERE token_hash = $1",
          3, params, error))
      return NULL;
  }

  terminal = terminal_json (terminal_id, store_id, code, terminal_name);
  store = central_store_json (conn, store_id, error);
  if (store == NULL)
    return NULL;
  central_tx_emit (tx, "stores", "terminal", terminal_id, store_id, "upsert", 1, terminal);
  if (!central_tx_commit (g_steal_pointer (&tx), error))
    return NULL;

  body = g_string_new ("{\"token\":");
  pos_sync_append_json_string (body, token);
  g_string_append_printf (body, ",\"terminal\":%s,\"store\":%s,\"cursor\":null}", terminal, store);
  return g_string_free (g_steal_pointer (&body), FALSE);
}

gboolean
central_terminal_revoke (CentralConn *conn,
                         const char  *id_or_code,
                         const char  *store_code,
                         GError     **error)
{
  g_autofree char *store_id = central_store_id_for_code (conn, store_code, error);
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(PGresult) res = NULL;

  if (store_id == NULL)
    return FALSE;
  {
    const char *params[] = { store_id, id_or_code, now };

    res = central_conn_exec (conn,
      "UPDATE terminals SET revoked_at = COALESCE (revoked_at, $3::bigint) "
      "WHERE store_id = $1 AND (id = $2 OR code = $2) RETURNING id", 3, params, error);
  }
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_NOT_FOUND,
                   "The store %s has no terminal %s (see `balcao-central terminal list`).",
                   store_code, id_or_code);
      return FALSE;
    }
  return TRUE;
}

char *
central_terminal_list (CentralConn *conn,
                       GError     **error)
{
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT t.id, s.code, t.code, t.name, t.revoked_at IS NOT NULL, t.last_seq FROM terminals t "
    "JOIN stores s ON s.id = t.store_id ORDER BY s.code, t.code", 0, NULL, error);
  GString *out;

  if (res == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\tlast_seq=%s\n", PQgetvalue (res, i, 0),
                            PQgetvalue (res, i, 1), PQgetvalue (res, i, 2), PQgetvalue (res, i, 3),
                            central_res_bool (res, i, 4) ? "revoked" : "active", PQgetvalue (res, i, 5));
  return g_string_free (out, FALSE);
}

char *
central_channel_key_add (CentralConn *conn,
                         const char  *name,
                         GError     **error)
{
  g_autofree char *key = central_token_new ("bk_");
  g_autofree char *hash = central_sha256_hex (key);
  g_autofree char *id = pos_uuid7_new ();
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { id, name, hash, now };

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, CENTRAL_ADMIN_ERROR, CENTRAL_ADMIN_ERROR_INVALID,
                   "A channel key needs a name (channel-key add web-shop).");
      return NULL;
    }
  if (!central_conn_run (conn,
        "INSERT INTO channel_keys (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)",
        4, params, error))
    return NULL;
  return g_steal_pointer (&key);
}

gint64
central_prune (CentralConn *conn,
               guint        days,
               GError     **error)
{
  g_autofree char *cutoff = int_text (central_now_ms () - (gint64) days * 24 * 3600 * 1000 + (days == 0 ? 1 : 0));
  const char *params[] = { cutoff };
  g_autoptr(PGresult) res = NULL;
  gint64 n;

  if (!central_conn_begin (conn, error))
    return -1;
  /* Hold the writers' lock: the horizon must cover every pruned seq. */
  if (!central_conn_run (conn, "SELECT pg_advisory_xact_lock (7031245)", 0, NULL, error))
    goto fail;
  res = central_conn_exec (conn,
    "WITH gone AS (DELETE FROM changes WHERE op <> 'upsert' AND changed_at < $1::bigint RETURNING seq) "
    "SELECT count (*), max (seq) FROM gone", 1, params, error);
  if (res == NULL)
    goto fail;
  n = central_res_int (res, 0, 0);
  if (n > 0)
    {
      const char *p2[] = { PQgetvalue (res, 0, 1) };

      if (!central_conn_run (conn,
            "UPDATE sync_horizon SET horizon = GREATEST (horizon, $1::bigint) WHERE id = 1", 1, p2, error))
        goto fail;
    }
  if (!central_conn_commit (conn, error))
    goto fail;
  return n;

fail:
  central_conn_rollback (conn);
  return -1;
}
