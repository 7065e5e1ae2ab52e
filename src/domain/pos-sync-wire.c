/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-sync-wire"

#include "config.h"

#include <string.h>

#include "pos-sync-wire.h"

G_DEFINE_QUARK (pos-sync-wire-error-quark, pos_sync_wire_error)

static gboolean
malformed (GError    **error,
           const char *what)
{
  g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED, "%s", what);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Reading fields without trusting their types                         */

static JsonObject *
parse_object (const char  *body,
              gsize        length,
              JsonParser **parser_out,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (body == NULL || length == 0)
    {
      malformed (error, "The body is empty.");
      return NULL;
    }
  if (length > G_MAXSSIZE || !json_parser_load_from_data (parser, body, (gssize) length, &local_error))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "The body is not valid JSON: %s",
                   local_error ? local_error->message : "too large");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      malformed (error, "The body is not a JSON object.");
      return NULL;
    }
  *parser_out = g_steal_pointer (&parser);
  return json_node_get_object (root);
}

/* A string member: TRUE and *out (borrowed) when present and a string;
 * absent or null gives TRUE with NULL unless required. */
static gboolean
get_string (JsonObject  *obj,
            const char  *name,
            gboolean     required,
            const char **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                       "The field \"%s\" is missing.", name);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "The field \"%s\" must be a string.", name);
      return FALSE;
    }
  *out = json_node_get_string (node);
  if (required && (*out == NULL || **out == '\0'))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "The field \"%s\" is empty.", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
get_int (JsonObject  *obj,
         const char  *name,
         gboolean     required,
         gint64      *out,
         GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                       "The field \"%s\" is missing.", name);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "The field \"%s\" must be an integer.", name);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject *obj,
          const char *name,
          gboolean   *out,
          GError    **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *out = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "The field \"%s\" must be true or false.", name);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonArray *
get_array (JsonObject  *obj,
           const char  *name,
           GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "The field \"%s\" must be a list.", name);
      return NULL;
    }
  return json_node_get_array (node);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

void
pos_sync_append_json_string (GString    *out,
                             const char *text)
{
  g_autofree char *valid = NULL;

  g_return_if_fail (out != NULL);

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* ------------------------------------------------------------------ */
/* Push                                                                */

void
pos_sync_op_free (PosSyncOp *op)
{
  if (op == NULL)
    return;
  g_free (op->op_id);
  g_free (op->type);
  g_free (op->entity_id);
  g_clear_pointer (&op->payload, json_node_unref);
  g_free (op);
}

GString *
pos_sync_push_request_begin (const char *terminal_id)
{
  GString *body = g_string_sized_new (4096);

  g_string_append (body, "{\"terminal_id\":");
  pos_sync_append_json_string (body, terminal_id);
  g_string_append (body, ",\"operations\":[");
  return body;
}

void
pos_sync_push_request_append (GString    *body,
                              const char *op_id,
                              gint64      seq,
                              const char *type,
                              const char *entity_id,
                              const char *payload_json,
                              gint64      local_ts)
{
  g_return_if_fail (body != NULL && body->len > 0);

  if (body->str[body->len - 1] != '[')
    g_string_append_c (body, ',');
  g_string_append (body, "{\"op_id\":");
  pos_sync_append_json_string (body, op_id);
  g_string_append_printf (body, ",\"seq\":%" G_GINT64_FORMAT ",\"type\":", seq);
  pos_sync_append_json_string (body, type);
  g_string_append (body, ",\"entity_id\":");
  pos_sync_append_json_string (body, entity_id);
  g_string_append (body, ",\"payload\":");
  g_string_append (body, payload_json != NULL && *payload_json != '\0' ? payload_json : "{}");
  g_string_append_printf (body, ",\"local_ts\":%" G_GINT64_FORMAT "}", local_ts);
}

char *
pos_sync_push_request_end (GString *body)
{
  g_return_val_if_fail (body != NULL, NULL);

  g_string_append (body, "]}");
  return g_string_free (body, FALSE);
}

static PosSyncOp *
parse_op (JsonNode *node,
          guint     index,
          GError  **error)
{
  g_autoptr(PosSyncOp) op = g_new0 (PosSyncOp, 1);
  g_autoptr(GError) local_error = NULL;
  const char *op_id, *type, *entity_id;
  JsonObject *obj;
  JsonNode *payload;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Operation %u is not an object.", index + 1);
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!get_string (obj, "op_id", TRUE, &op_id, &local_error) ||
      !get_int (obj, "seq", TRUE, &op->seq, &local_error) ||
      !get_string (obj, "type", TRUE, &type, &local_error) ||
      !get_string (obj, "entity_id", TRUE, &entity_id, &local_error) ||
      !get_int (obj, "local_ts", TRUE, &op->local_ts, &local_error))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Operation %u: %s", index + 1, local_error->message);
      return NULL;
    }
  payload = json_object_get_member (obj, "payload");
  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Operation %u: the field \"payload\" must be an object.", index + 1);
      return NULL;
    }
  op->op_id = g_strdup (op_id);
  op->type = g_strdup (type);
  op->entity_id = g_strdup (entity_id);
  op->payload = json_node_copy (payload);
  return g_steal_pointer (&op);
}

gboolean
pos_sync_push_request_parse (const char  *body,
                             gsize        length,
                             char       **terminal_id,
                             GPtrArray  **ops,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) result = NULL;
  JsonObject *root;
  JsonArray *array;
  const char *tid;
  guint n;

  g_return_val_if_fail (terminal_id != NULL && ops != NULL, FALSE);

  *terminal_id = NULL;
  *ops = NULL;
  root = parse_object (body, length, &parser, error);
  if (root == NULL)
    return FALSE;
  if (!get_string (root, "terminal_id", FALSE, &tid, error))
    return FALSE;
  array = get_array (root, "operations", error);
  if (array == NULL)
    return FALSE;
  n = json_array_get_length (array);
  if (n > POS_SYNC_MAX_BATCH)
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_TOO_MANY,
                   "A batch may hold at most %d operations; this one has %u.",
                   POS_SYNC_MAX_BATCH, n);
      return FALSE;
    }

  result = g_ptr_array_new_full (n, (GDestroyNotify) pos_sync_op_free);
  for (guint i = 0; i < n; i++)
    {
      PosSyncOp *op = parse_op (json_array_get_element (array, i), i, error);

      if (op == NULL)
        return FALSE;
      g_ptr_array_add (result, op);
    }

  *terminal_id = g_strdup (tid);
  *ops = g_steal_pointer (&result);
  return TRUE;
}

static const char * const result_names[] = { "applied", "duplicate", "rejected", "conflict" };

const char *
pos_sync_result_status_to_string (PosSyncResultStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (result_names), "rejected");
  return result_names[status];
}

gboolean
pos_sync_result_status_from_string (const char          *text,
                                    PosSyncResultStatus *status)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (result_names); i++)
    if (g_str_equal (text, result_names[i]))
      {
        *status = (PosSyncResultStatus) i;
        return TRUE;
      }
  return FALSE;
}

PosSyncResult *
pos_sync_result_new (const char          *op_id,
                     PosSyncResultStatus  status,
                     const char          *code,
                     const char          *message,
                     JsonNode            *server_state)
{
  PosSyncResult *r = g_new0 (PosSyncResult, 1);

  r->op_id = g_strdup (op_id);
  r->status = status;
  r->code = g_strdup (code);
  r->message = g_strdup (message);
  r->server_state = server_state ? json_node_copy (server_state) : NULL;
  return r;
}

void
pos_sync_result_free (PosSyncResult *result)
{
  if (result == NULL)
    return;
  g_free (result->op_id);
  g_free (result->code);
  g_free (result->message);
  g_clear_pointer (&result->server_state, json_node_unref);
  g_free (result);
}

char *
pos_sync_push_results_to_json (GPtrArray *results)
{
  GString *out = g_string_sized_new (64 + (results ? results->len : 0) * 64);

  g_string_append (out, "{\"results\":[");
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      const PosSyncResult *r = g_ptr_array_index (results, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"op_id\":");
      pos_sync_append_json_string (out, r->op_id);
      g_string_append (out, ",\"status\":");
      pos_sync_append_json_string (out, pos_sync_result_status_to_string (r->status));
      if (r->code != NULL)
        {
          g_string_append (out, ",\"code\":");
          pos_sync_append_json_string (out, r->code);
        }
      if (r->message != NULL)
        {
          g_string_append (out, ",\"message\":");
          pos_sync_append_json_string (out, r->message);
        }
      if (r->server_state != NULL)
        {
          g_autofree char *state = json_to_string (r->server_state, FALSE);

          g_string_append (out, ",\"server_state\":");
          g_string_append (out, state);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

GPtrArray *
pos_sync_push_results_parse (const char *body,
                             gsize       length,
                             GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GPtrArray) results = NULL;
  JsonObject *root;
  JsonArray *array;
  guint n;

  root = parse_object (body, length, &parser, error);
  if (root == NULL)
    return NULL;
  array = get_array (root, "results", error);
  if (array == NULL)
    return NULL;

  n = json_array_get_length (array);
  results = g_ptr_array_new_full (n, (GDestroyNotify) pos_sync_result_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GError) local_error = NULL;
      const char *op_id, *status, *code, *message;
      PosSyncResultStatus st;
      JsonNode *state;
      JsonObject *obj;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                       "Result %u is not an object.", i + 1);
          return NULL;
        }
      obj = json_node_get_object (node);
      if (!get_string (obj, "op_id", TRUE, &op_id, &local_error) ||
          !get_string (obj, "status", TRUE, &status, &local_error) ||
          !get_string (obj, "code", FALSE, &code, &local_error) ||
          !get_string (obj, "message", FALSE, &message, &local_error))
        {
          g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                       "Result %u: %s", i + 1, local_error->message);
          return NULL;
        }
      if (!pos_sync_result_status_from_string (status, &st))
        {
          g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                       "Result %u: unknown status \"%s\".", i + 1, status);
          return NULL;
        }
      state = json_object_get_member (obj, "server_state");
      if (state != NULL && JSON_NODE_HOLDS_NULL (state))
        state = NULL;
      g_ptr_array_add (results, pos_sync_result_new (op_id, st, code, message, state));
    }
  return g_steal_pointer (&results);
}

/* ------------------------------------------------------------------ */
/* Pull                                                                */

static const char * const change_op_names[] = { "upsert", "delete", "merge" };

const char *
pos_sync_change_op_to_string (PosSyncChangeOp op)
{
  g_return_val_if_fail ((guint) op < G_N_ELEMENTS (change_op_names), "upsert");
  return change_op_names[op];
}

gboolean
pos_sync_change_op_from_string (const char      *text,
                                PosSyncChangeOp *op)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (change_op_names); i++)
    if (g_str_equal (text, change_op_names[i]))
      {
        *op = (PosSyncChangeOp) i;
        return TRUE;
      }
  return FALSE;
}

void
pos_sync_change_free (PosSyncChange *change)
{
  if (change == NULL)
    return;
  g_free (change->stream);
  g_free (change->entity);
  g_free (change->id);
  g_clear_pointer (&change->data, json_node_unref);
  g_free (change);
}

void
pos_sync_change_append_json (GString        *out,
                             const char     *stream,
                             const char     *entity,
                             const char     *id,
                             PosSyncChangeOp op,
                             gint64          version,
                             const char     *data_json)
{
  g_return_if_fail (out != NULL);

  if (out->len > 0 && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
  g_string_append (out, "{\"stream\":");
  pos_sync_append_json_string (out, stream);
  g_string_append (out, ",\"entity\":");
  pos_sync_append_json_string (out, entity);
  g_string_append (out, ",\"id\":");
  pos_sync_append_json_string (out, id);
  g_string_append (out, ",\"op\":");
  pos_sync_append_json_string (out, pos_sync_change_op_to_string (op));
  g_string_append_printf (out, ",\"version\":%" G_GINT64_FORMAT ",\"data\":", version);
  g_string_append (out, data_json != NULL && *data_json != '\0' ? data_json : "{}");
  g_string_append_c (out, '}');
}

static PosSyncChange *
parse_change (JsonNode *node,
              guint     index,
              GError  **error)
{
  g_autoptr(PosSyncChange) change = g_new0 (PosSyncChange, 1);
  g_autoptr(GError) local_error = NULL;
  const char *stream, *entity, *id, *op;
  JsonObject *obj;
  JsonNode *data;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Change %u is not an object.", index + 1);
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!get_string (obj, "stream", TRUE, &stream, &local_error) ||
      !get_string (obj, "entity", TRUE, &entity, &local_error) ||
      !get_string (obj, "id", TRUE, &id, &local_error) ||
      !get_string (obj, "op", TRUE, &op, &local_error) ||
      !get_int (obj, "version", TRUE, &change->version, &local_error))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Change %u: %s", index + 1, local_error->message);
      return NULL;
    }
  if (!pos_sync_change_op_from_string (op, &change->op))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Change %u: unknown op \"%s\".", index + 1, op);
      return NULL;
    }
  data = json_object_get_member (obj, "data");
  if (data != NULL && JSON_NODE_HOLDS_NULL (data))
    data = NULL;
  if (data != NULL && !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Change %u: the field \"data\" must be an object.", index + 1);
      return NULL;
    }
  if (change->op == POS_SYNC_CHANGE_UPSERT && data == NULL)
    {
      g_set_error (error, POS_SYNC_WIRE_ERROR, POS_SYNC_WIRE_ERROR_MALFORMED,
                   "Change %u: an upsert without data.", index + 1);
      return NULL;
    }
  change->stream = g_strdup (stream);
  change->entity = g_strdup (entity);
  change->id = g_strdup (id);
  if (data != NULL)
    change->data = json_node_ref (data);
  else
    {
      change->data = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (change->data, json_object_new ());
    }
  return g_steal_pointer (&change);
}

void
pos_sync_page_free (PosSyncPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->changes, g_ptr_array_unref);
  g_free (page->next_cursor);
  g_free (page->next_after);
  g_free (page);
}

static PosSyncPage *
parse_page (const char *body,
            gsize       length,
            const char *list_name,
            const char *cursor_name,
            gboolean    snapshot,
            GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(PosSyncPage) page = g_new0 (PosSyncPage, 1);
  const char *cursor, *after = NULL;
  JsonObject *root;
  JsonArray *array;
  guint n;

  root = parse_object (body, length, &parser, error);
  if (root == NULL)
    return NULL;
  array = get_array (root, list_name, error);
  if (array == NULL)
    return NULL;
  if (!get_string (root, cursor_name, TRUE, &cursor, error) ||
      (snapshot && !get_string (root, "next_after", FALSE, &after, error)) ||
      !get_bool (root, "has_more", &page->has_more, error))
    return NULL;
  if (json_object_get_member (root, "has_more") == NULL)
    {
      malformed (error, "The field \"has_more\" is missing.");
      return NULL;
    }

  n = json_array_get_length (array);
  page->changes = g_ptr_array_new_full (n, (GDestroyNotify) pos_sync_change_free);
  for (guint i = 0; i < n; i++)
    {
      PosSyncChange *change = parse_change (json_array_get_element (array, i), i, error);

      if (change == NULL)
        return NULL;
      g_ptr_array_add (page->changes, change);
    }
  page->next_cursor = g_strdup (cursor);
  page->next_after = g_strdup (after);
  return g_steal_pointer (&page);
}

PosSyncPage *
pos_sync_pull_page_parse (const char *body,
                          gsize       length,
                          GError    **error)
{
  return parse_page (body, length, "changes", "next_cursor", FALSE, error);
}

PosSyncPage *
pos_sync_snapshot_page_parse (const char *body,
                              gsize       length,
                              GError    **error)
{
  return parse_page (body, length, "items", "as_of", TRUE, error);
}

gboolean
pos_sync_wait_parse (const char  *body,
                     gsize        length,
                     char      ***streams,
                     char       **latest_cursor,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  const char *cursor;
  JsonObject *root;
  JsonArray *array;

  g_return_val_if_fail (streams != NULL && latest_cursor != NULL, FALSE);

  *streams = NULL;
  *latest_cursor = NULL;
  root = parse_object (body, length, &parser, error);
  if (root == NULL)
    return FALSE;
  array = get_array (root, "streams", error);
  if (array == NULL || !get_string (root, "latest_cursor", FALSE, &cursor, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return malformed (error, "The field \"streams\" must be a list of names.");
      g_strv_builder_add (names, json_node_get_string (node));
    }
  *streams = g_strv_builder_end (names);
  *latest_cursor = g_strdup (cursor);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

char *
pos_sync_error_to_json (const char *code,
                        const char *message)
{
  GString *out = g_string_new ("{\"code\":");

  pos_sync_append_json_string (out, code ? code : "internal");
  g_string_append (out, ",\"message\":");
  pos_sync_append_json_string (out, message ? message : "");
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

gboolean
pos_sync_error_parse (const char  *body,
                      gsize        length,
                      char       **code,
                      char       **message)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *c = NULL, *m = NULL;
  JsonObject *root;

  g_return_val_if_fail (code != NULL && message != NULL, FALSE);

  *code = NULL;
  *message = NULL;
  root = parse_object (body, length, &parser, NULL);
  if (root == NULL ||
      !get_string (root, "code", TRUE, &c, NULL) ||
      !get_string (root, "message", FALSE, &m, NULL))
    return FALSE;
  *code = g_strdup (c);
  *message = g_strdup (m);
  return TRUE;
}
