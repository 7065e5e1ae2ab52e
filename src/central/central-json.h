/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Reading request fields without trusting their types, and writing entity
 * documents. */

/* The member as a string; NULL when absent, null or not a string. */
const char *central_json_str      (JsonObject *obj, const char *name);
/* TRUE when the member is absent or null. */
gboolean    central_json_is_null  (JsonObject *obj, const char *name);
/* An integer member (JSON integer, not a fraction); FALSE otherwise. */
gboolean    central_json_int      (JsonObject *obj, const char *name, gint64 *out);
/* A boolean member; FALSE otherwise. */
gboolean    central_json_bool     (JsonObject *obj, const char *name, gboolean *out);
/* An object / array member, or NULL. */
JsonObject *central_json_object   (JsonObject *obj, const char *name);
JsonArray  *central_json_array    (JsonObject *obj, const char *name);

/* Parses text that must be a JSON object. */
JsonNode   *central_json_parse_object (const char *text, gsize length, GError **error);

/* "name": value or null. */
void        central_json_add_str  (JsonBuilder *b, const char *name, const char *value);
void        central_json_add_int  (JsonBuilder *b, const char *name, gint64 value);
void        central_json_add_bool (JsonBuilder *b, const char *name, gboolean value);
void        central_json_add_null (JsonBuilder *b, const char *name);
/* "name": parsed `json_text` (an object, array...), or null when NULL or not JSON. */
void        central_json_add_raw  (JsonBuilder *b, const char *name, const char *json_text);

/* The builder's root as compact text. */
char       *central_json_builder_to_string (JsonBuilder *b);
char       *central_json_node_to_string    (JsonNode *node);

G_END_DECLS
