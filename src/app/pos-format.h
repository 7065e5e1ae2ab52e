/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How the counter shows and reads amounts and quantities. A Brazilian
 * store shows "R$ 1.234,56" and "0,512 kg" even when the session's locale
 * is C or English; otherwise the session's locale decides. */

const char *pos_format_locale_for   (const char *currency);
char       *pos_format_money        (gint64      minor,
                                     const char *currency);
gboolean    pos_format_parse_money  (const char  *text,
                                     const char  *currency,
                                     gint64      *out_minor,
                                     GError     **error);
/* quantity in thousandths: "3", "1,5" or, weighed, "0,512 kg". */
char       *pos_format_quantity     (gint64      quantity,
                                     gboolean    weighed,
                                     const char *currency);
/* Reads "3", "1,5", "0.512" (thousandths out). FALSE on junk, zero or
 * negative, more than 3 decimals or more than 99 999 units. */
gboolean    pos_format_parse_quantity (const char *text,
                                       const char *currency,
                                       gint64     *out_quantity);
/* A percent as basis points: "10" or "10%" or "12,5 %" -> 1000 / 1250. */
gboolean    pos_format_parse_percent  (const char *text,
                                       gint64     *out_bp);

G_END_DECLS
