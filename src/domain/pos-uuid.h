/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 9562 UUID version 7: 48-bit Unix ms timestamp, version, 12 bits of
 * sub-ms ordering (monotonic within a process), variant, random. Sortable by
 * creation time. Returns "xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx". */
char    *pos_uuid7_new        (void);
/* Same, at a given time in Unix milliseconds (for tests). */
char    *pos_uuid7_new_at     (gint64 unix_ms);
gboolean pos_uuid_is_valid    (const char *text);
gint64   pos_uuid7_get_unix_ms(const char *uuid7);

G_END_DECLS
