/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-terminal"

#include "config.h"

#include "pos-fts-private.h"

#define MAX_SEARCH_WORDS 8
#define MAX_WORD_CHARS   64

/* Splits user text into words the way the unicode61 tokenizer does
 * (letters and digits; everything else separates), so no FTS syntax
 * character can reach the query. NFC first so "é" typed decomposed is
 * one letter. */
GPtrArray *
_pos_fts_split_words (const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfc = NULL;
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  GString *word = g_string_new (NULL);
  const char *p;

  valid = g_utf8_make_valid (text, -1);
  nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  if (nfc == NULL)
    nfc = g_strdup ("");

  for (p = nfc; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);
      gboolean is_word = c != 0 && (g_unichar_isalnum (c) ||
                                    type == G_UNICODE_NON_SPACING_MARK ||
                                    type == G_UNICODE_SPACING_MARK);

      if (is_word)
        {
          if (g_utf8_strlen (word->str, -1) < MAX_WORD_CHARS)
            g_string_append_unichar (word, c);
        }
      else if (word->len > 0)
        {
          if (words->len < MAX_SEARCH_WORDS)
            g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
        }

      if (c == 0)
        break;
    }

  g_string_free (word, TRUE);
  return words;
}

/* "w1"* "w2"*: every word of the user's text as a prefix. */
char *
_pos_fts_prefix_query (const char *text)
{
  g_autoptr(GPtrArray) words = _pos_fts_split_words (text);
  GString *q;

  if (words->len == 0)
    return NULL;

  q = g_string_new (NULL);
  for (guint i = 0; i < words->len; i++)
    {
      if (i > 0)
        g_string_append_c (q, ' ');
      /* words hold only letters/digits/marks: no quote can appear */
      g_string_append_printf (q, "\"%s\"*", (const char *) g_ptr_array_index (words, i));
    }

  return g_string_free (q, FALSE);
}
