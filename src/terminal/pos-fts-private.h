/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Full-text search helpers shared by the catalog and customer searches.
 *
 * _pos_fts_split_words: the words of user text as the unicode61 tokenizer
 * sees them (letters, digits and marks; anything else separates), NFC
 * first, at most 8 words of 64 characters, so no FTS5 syntax can reach a
 * query. _pos_fts_prefix_query: those words as an FTS5 query where each is
 * a prefix ("acucar uni" -> "acucar"* "uni"*); NULL when there is nothing
 * to search. */
GPtrArray *_pos_fts_split_words  (const char *text);
char      *_pos_fts_prefix_query (const char *text);

G_END_DECLS
