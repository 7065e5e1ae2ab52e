/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Small helpers for the JSON documents of the domain (the cart, barcode
 * parses) and of the terminal (sale documents, the outbox). */

/* "name": value, or null when value is NULL; text that is not valid UTF-8
 * is made valid rather than producing an invalid document. */
void pos_json_add_string (JsonBuilder *builder,
                          const char  *name,
                          const char  *value);
/* "name": value */
void pos_json_add_int    (JsonBuilder *builder,
                          const char  *name,
                          gint64       value);

G_END_DECLS
