/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-central"

#include "config.h"

#include "central-json.h"

static JsonNode *
member (JsonObject *obj,
        const char *name)
{
  if (obj == NULL || !json_object_has_member (obj, name))
    return NULL;
  return json_object_get_member (obj, name);
}

const char *
central_json_str (JsonObject *obj,
                  const char *name)
{
  JsonNode *n = member (obj, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

gboolean
central_json_is_null (JsonObject *obj,
                      const char *name)
{
  JsonNode *n = member (obj, name);

  return n == NULL || JSON_NODE_HOLDS_NULL (n);
}

gboolean
central_json_int (JsonObject *obj,
                  const char *name,
                  gint64     *out)
{
  JsonNode *n = member (obj, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

gboolean
central_json_bool (JsonObject *obj,
                   const char *name,
                   gboolean   *out)
{
  JsonNode *n = member (obj, name);

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (n);
  return TRUE;
}

JsonObject *
central_json_object (JsonObject *obj,
                     const char *name)
{
  JsonNode *n = member (obj, name);

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

JsonArray *
central_json_array (JsonObject *obj,
                    const char *name)
{
  JsonNode *n = member (obj, name);

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

JsonNode *
central_json_parse_object (const char *text,
                           gsize       length,
                           GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "The body is not valid UTF-8.");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "The body must be a JSON object.");
      return NULL;
    }
  return json_node_copy (root);
}

void
central_json_add_str (JsonBuilder *b,
                      const char  *name,
                      const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, value);
}

void
central_json_add_int (JsonBuilder *b,
                      const char  *name,
                      gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
central_json_add_bool (JsonBuilder *b,
                       const char  *name,
                       gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

void
central_json_add_null (JsonBuilder *b,
                       const char  *name)
{
  json_builder_set_member_name (b, name);
  json_builder_add_null_value (b);
}

void
central_json_add_raw (JsonBuilder *b,
                      const char  *name,
                      const char  *json_text)
{
  JsonNode *node = json_text != NULL ? json_from_string (json_text, NULL) : NULL;

  json_builder_set_member_name (b, name);
  if (node == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_value (b, node);  /* takes it */
}

char *
central_json_node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

char *
central_json_builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  return json_to_string (root, FALSE);
}
