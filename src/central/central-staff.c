/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include <string.h>

#include <domain/pos-uuid.h>

#include "central-admin.h"
#include "central-json.h"
#include "central-staff.h"

G_DEFINE_QUARK (central-staff-error-quark, central_staff_error)

#define STAFF_COLUMNS "id, store_id, code, name, role, badge_code, pin_hash, active, version"

static const char * const roles[] = { "cashier", "supervisor", "manager", NULL };

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

/* UTF-8 of at most max_bytes bytes and max_chars characters, with
 * something visible and no control characters; no white space at all
 * when one_word. */
static gboolean
good_text (const char *s,
           gsize       max_bytes,
           glong       max_chars,
           gboolean    one_word)
{
  gboolean visible = FALSE;

  if (s == NULL || strlen (s) > max_bytes || !g_utf8_validate (s, -1, NULL) ||
      g_utf8_strlen (s, -1) > max_chars)
    return FALSE;
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || (one_word && g_unichar_isspace (c)))
        return FALSE;
      visible |= !g_unichar_isspace (c);
    }
  return visible;
}

/* The terminal's limits (pos-staff.c) fit in these. */
const char *
central_staff_check (const CentralStaffInfo *info)
{
  if (!good_text (info->code, 32, 32, FALSE))
    return "code";
  if (!good_text (info->name, 1000, 200, FALSE))
    return "name";
  if (info->role == NULL || !g_strv_contains (roles, info->role))
    return "role";
  if (info->badge_code != NULL && !good_text (info->badge_code, 128, 128, FALSE))
    return "badge_code";
  if (info->pin_hash != NULL &&
      (!g_str_has_prefix (info->pin_hash, "$argon2id$") || !good_text (info->pin_hash, 255, 255, TRUE)))
    return "pin_hash";
  return NULL;
}

static gboolean
check_or_fail (const CentralStaffInfo *info,
               GError                **error)
{
  const char *bad = central_staff_check (info);

  if (bad == NULL)
    return TRUE;
  if (g_str_equal (bad, "role"))
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                 "The role must be cashier, supervisor or manager.");
  else if (g_str_equal (bad, "code"))
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                 "The staff code must be 1 to 32 bytes of text.");
  else if (g_str_equal (bad, "name"))
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                 "The name must be 1 to 200 characters.");
  else if (g_str_equal (bad, "badge_code"))
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                 "The badge must be 1 to 128 characters.");
  else
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                 "pin_hash must be an Argon2id hash string ($argon2id$...).");
  return FALSE;
}

/* Someone else holding the code or the badge is an error that says who. */
static gboolean
check_unique (CentralConn            *conn,
              const char             *id,
              const CentralStaffInfo *info,
              GError                **error)
{
  const char *params[] = { id != NULL ? id : "", info->code, info->badge_code };
  g_autoptr(PGresult) res = central_conn_exec (conn,
    "SELECT code = $2, code, name FROM staff WHERE id <> $1 AND (code = $2 OR badge_code = $3) "
    "ORDER BY code = $2 DESC LIMIT 1", 3, params, error);

  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    return TRUE;
  if (central_res_bool (res, 0, 0))
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_EXISTS,
                 "The staff code %s already belongs to %s.", info->code, PQgetvalue (res, 0, 2));
  else
    g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_EXISTS,
                 "The badge %s already belongs to %s (code %s).", info->badge_code,
                 PQgetvalue (res, 0, 2), PQgetvalue (res, 0, 1));
  return FALSE;
}

/* A constraint the database found (two writers racing for one code) is
 * the same "exists" the check above gives. */
static void
propagate_db_error (GError                **error,
                    GError                 *local_error,
                    const CentralStaffInfo *info)
{
  if (g_error_matches (local_error, CENTRAL_DB_ERROR, CENTRAL_DB_ERROR_CONSTRAINT))
    {
      g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_EXISTS,
                   "The staff code %s or the badge is already taken.", info->code);
      g_error_free (local_error);
    }
  else
    g_propagate_error (error, local_error);
}

/* Publishes the person's current state (the staff entity of §4). */
static gboolean
emit_staff (CentralTx  *tx,
            const char *id,
            GError    **error)
{
  const char *params[] = { id };
  g_autoptr(PGresult) res = central_conn_exec (central_tx_get_conn (tx),
    "SELECT " STAFF_COLUMNS " FROM staff WHERE id = $1", 1, params, error);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *data = NULL;

  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_NOT_FOUND, "No staff %s.", id);
      return FALSE;
    }
  json_builder_begin_object (b);
  central_json_add_str (b, "id", central_res_str (res, 0, 0));
  central_json_add_str (b, "store_id", central_res_str (res, 0, 1));
  central_json_add_str (b, "code", central_res_str (res, 0, 2));
  central_json_add_str (b, "name", central_res_str (res, 0, 3));
  central_json_add_str (b, "role", central_res_str (res, 0, 4));
  central_json_add_str (b, "badge_code", central_res_str (res, 0, 5));
  if (central_res_str (res, 0, 6) != NULL)
    central_json_add_str (b, "pin_hash", central_res_str (res, 0, 6));
  central_json_add_bool (b, "active", central_res_bool (res, 0, 7));
  json_builder_end_object (b);
  data = central_json_builder_to_string (b);

  central_tx_emit (tx, "stores", "staff", id, central_res_str (res, 0, 1), "upsert",
                   central_res_int (res, 0, 8), data);
  return TRUE;
}

char *
central_staff_add (CentralConn            *conn,
                   const char             *store_code,
                   const CentralStaffInfo *info,
                   GError                **error)
{
  g_autoptr(CentralTx) tx = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *id = info->id != NULL ? g_strdup (info->id) : pos_uuid7_new ();
  g_autofree char *now = int_text (central_now_ms ());

  if (store_code == NULL || *store_code == '\0')
    {
      g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                   "A person works at a store: give --store CODE.");
      return NULL;
    }
  if (!check_or_fail (info, error))
    return NULL;

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return NULL;
  store_id = central_store_id_for_code (conn, store_code, error);
  if (store_id == NULL || !check_unique (conn, NULL, info, error))
    return NULL;
  {
    const char *params[] = { id, store_id, info->code, info->name, info->role, info->badge_code,
                             info->pin_hash, now };

    if (!central_conn_run (conn,
          "INSERT INTO staff (id, store_id, code, name, role, badge_code, pin_hash, active, version, "
          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, true, 1, $8::bigint, $8::bigint)",
          G_N_ELEMENTS (params), params, &local_error))
      {
        propagate_db_error (error, g_steal_pointer (&local_error), info);
        return NULL;
      }
  }
  if (!emit_staff (tx, id, error) || !central_tx_commit (g_steal_pointer (&tx), error))
    return NULL;
  return g_steal_pointer (&id);
}

char *
central_staff_list (CentralConn *conn,
                    const char  *store_code,
                    GError     **error)
{
  g_autofree char *store_id = NULL;
  g_autoptr(PGresult) res = NULL;
  GString *out;

  if (store_code != NULL && (store_id = central_store_id_for_code (conn, store_code, error)) == NULL)
    return NULL;
  {
    const char *params[] = { store_id };

    res = central_conn_exec (conn,
      "SELECT f.id, COALESCE (s.code, '-'), f.code, f.name, f.role, COALESCE (f.badge_code, '-'), "
      "f.pin_hash IS NOT NULL, f.active FROM staff f LEFT JOIN stores s ON s.id = f.store_id "
      "WHERE $1::text IS NULL OR f.store_id = $1 ORDER BY s.code NULLS FIRST, f.code", 1, params, error);
  }
  if (res == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", PQgetvalue (res, i, 0),
                            PQgetvalue (res, i, 1), PQgetvalue (res, i, 2), PQgetvalue (res, i, 3),
                            PQgetvalue (res, i, 4), PQgetvalue (res, i, 5),
                            central_res_bool (res, i, 6) ? "pin" : "no_pin",
                            central_res_bool (res, i, 7) ? "active" : "inactive");
  return g_string_free (out, FALSE);
}

/* Runs an UPDATE of one person named by id or code that bumps the version
 * when it changes something (its $1 is the id or code), then publishes. */
static gboolean
update_one (CentralConn        *conn,
            const char         *sql,
            const char         *id_or_code,
            int                 n_params,
            const char * const *params,
            GError            **error)
{
  g_autoptr(CentralTx) tx = NULL;
  g_autoptr(PGresult) found = NULL;
  g_autoptr(PGresult) res = NULL;
  const char *find[] = { id_or_code };

  tx = central_tx_begin (conn, error);
  if (tx == NULL)
    return FALSE;
  found = central_conn_exec (conn, "SELECT id FROM staff WHERE id = $1 OR code = $1 FOR UPDATE", 1, find, error);
  if (found == NULL)
    return FALSE;
  if (PQntuples (found) == 0)
    {
      g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_NOT_FOUND,
                   "There is no staff with the code or id %s (see `balcao-central staff list`).", id_or_code);
      return FALSE;
    }
  {
    g_autofree const char **all = g_new0 (const char *, n_params + 1);

    all[0] = PQgetvalue (found, 0, 0);
    for (int i = 0; i < n_params; i++)
      all[i + 1] = params[i];
    res = central_conn_exec (conn, sql, n_params + 1, all, error);
  }
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) > 0 && !emit_staff (tx, PQgetvalue (found, 0, 0), error))
    return FALSE;
  return central_tx_commit (g_steal_pointer (&tx), error);
}

gboolean
central_staff_set_pin (CentralConn *conn,
                       const char  *id_or_code,
                       const char  *pin_hash,
                       GError     **error)
{
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { pin_hash, now };

  if (pin_hash == NULL || !g_str_has_prefix (pin_hash, "$argon2id$"))
    {
      g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_INVALID,
                   "pin_hash must be an Argon2id hash string ($argon2id$...).");
      return FALSE;
    }
  /* A new hash always differs (a new salt): always a new version. */
  return update_one (conn,
    "UPDATE staff SET pin_hash = $2, version = version + 1, updated_at = $3::bigint, updated_by = NULL "
    "WHERE id = $1 RETURNING version", id_or_code, G_N_ELEMENTS (params), params, error);
}

gboolean
central_staff_deactivate (CentralConn *conn,
                          const char  *id_or_code,
                          GError     **error)
{
  g_autofree char *now = int_text (central_now_ms ());
  const char *params[] = { now };

  return update_one (conn,
    "UPDATE staff SET active = false, version = version + 1, updated_at = $2::bigint, updated_by = NULL "
    "WHERE id = $1 AND active RETURNING version", id_or_code, G_N_ELEMENTS (params), params, error);
}

gboolean
central_staff_upsert (CentralTx              *tx,
                      const CentralStaffInfo *info,
                      const char             *terminal_store_id,
                      const char             *terminal_id,
                      GError                **error)
{
  CentralConn *conn = central_tx_get_conn (tx);
  g_autofree char *now = int_text (central_now_ms ());
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PGresult) res = NULL;
  const char *active = info->active ? "true" : "false";
  const char *params[] = { info->id, info->store_id, info->code, info->name, info->role, info->badge_code,
                           info->pin_hash, active, now, terminal_id };

  g_return_val_if_fail (info->id != NULL, FALSE);

  if (!check_or_fail (info, error))
    return FALSE;
  if (g_strcmp0 (info->store_id, terminal_store_id) != 0)
    {
      g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_WRONG_STORE,
                   "The person belongs to another store than this terminal's.");
      return FALSE;
    }

  /* A new person, or (the id exists: a concurrent insert waits here for
   * the other to commit) the row to update, locked. */
  res = central_conn_exec (conn,
    "INSERT INTO staff (id, store_id, code, name, role, badge_code, pin_hash, active, version, created_at, "
    "updated_at, updated_by) SELECT $1, $2, $3, $4, $5, $6, $7, $8::boolean, 1, $9::bigint, $9::bigint, $10 "
    "WHERE NOT EXISTS (SELECT 1 FROM staff WHERE id = $1 OR code = $3 OR badge_code = $6) "
    "ON CONFLICT (id) DO NOTHING RETURNING id", G_N_ELEMENTS (params), params, &local_error);
  if (res == NULL)
    {
      propagate_db_error (error, g_steal_pointer (&local_error), info);
      return FALSE;
    }
  if (PQntuples (res) == 0)
    {
      const char *find[] = { info->id };
      g_autoptr(PGresult) found = central_conn_exec (conn, "SELECT store_id FROM staff WHERE id = $1 FOR UPDATE",
                                                     1, find, error);

      if (found == NULL)
        return FALSE;
      if (PQntuples (found) > 0 && g_strcmp0 (central_res_str (found, 0, 0), terminal_store_id) != 0)
        {
          g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_WRONG_STORE,
                       "This person belongs to another store than this terminal's.");
          return FALSE;
        }
      if (!check_unique (conn, info->id, info, error))
        return FALSE;
      if (PQntuples (found) == 0)
        {
          /* The id is new but its code or badge was taken meanwhile. */
          g_set_error (error, CENTRAL_STAFF_ERROR, CENTRAL_STAFF_ERROR_EXISTS,
                       "The staff code %s or the badge is already taken.", info->code);
          return FALSE;
        }
      g_clear_pointer (&res, PQclear);
      /* Only a real change makes a new version. */
      res = central_conn_exec (conn,
        "UPDATE staff SET code = $3, name = $4, role = $5, badge_code = $6, pin_hash = COALESCE ($7, pin_hash), "
        "active = $8::boolean, version = version + 1, updated_at = $9::bigint, updated_by = $10 "
        "WHERE id = $1 AND store_id = $2 AND (code, name, role, badge_code, pin_hash, active) IS DISTINCT FROM "
        "($3, $4, $5, $6, COALESCE ($7, pin_hash), $8::boolean) RETURNING id",
        G_N_ELEMENTS (params), params, &local_error);
      if (res == NULL)
        {
          propagate_db_error (error, g_steal_pointer (&local_error), info);
          return FALSE;
        }
      if (PQntuples (res) == 0)
        return TRUE;
    }
  return emit_staff (tx, info->id, error);
}
