/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-contact"

#include "config.h"

#include <string.h>

#include "pos-contact.h"

char *
pos_phone_normalize (const char *text)
{
  g_autoptr(GString) digits = NULL;
  const char *p;
  const char *d;
  gsize n;

  if (text == NULL)
    return NULL;

  p = text;
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '+')
    p++;

  digits = g_string_new (NULL);
  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (!strchr (" .-/()\t", *p))
        return NULL;
    }

  d = digits->str;
  n = digits->len;
  /* Country code 55 in front of a full national number (12 or 13 digits). */
  if ((n == 12 || n == 13) && d[0] == '5' && d[1] == '5')
    {
      d += 2;
      n -= 2;
    }
  /* A trunk 0 before the area code ("011 ..."). */
  else if ((n == 11 || n == 12) && d[0] == '0')
    {
      d += 1;
      n -= 1;
    }

  if (n != 10 && n != 11)
    return NULL;
  /* Area codes run 11..99: none starts with 0. */
  if (d[0] == '0')
    return NULL;

  return g_strndup (d, n);
}

char *
pos_phone_format (const char *digits)
{
  gsize n;

  if (digits == NULL)
    return NULL;

  n = strlen (digits);
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (digits[i]))
      return g_strdup (digits);

  if (n == 11)
    return g_strdup_printf ("(%.2s) %.5s-%.4s", digits, digits + 2, digits + 7);
  if (n == 10)
    return g_strdup_printf ("(%.2s) %.4s-%.4s", digits, digits + 2, digits + 6);
  return g_strdup (digits);
}

char *
pos_name_fold (const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfd = NULL;
  GString *out;
  gboolean space = FALSE;

  g_return_val_if_fail (text != NULL, NULL);

  valid = g_utf8_make_valid (text, -1);
  nfd = g_utf8_normalize (valid, -1, G_NORMALIZE_NFD);
  out = g_string_new (NULL);

  for (const char *p = nfd; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
          type == G_UNICODE_ENCLOSING_MARK)
        continue;
      if (g_unichar_isalnum (c))
        {
          if (space && out->len > 0)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_unichar (out, g_unichar_tolower (c));
        }
      else
        space = TRUE;
    }

  return g_string_free (out, FALSE);
}

char *
pos_email_normalize (const char *text)
{
  g_autofree char *trimmed = NULL;
  const char *at;
  const char *dot;

  if (text == NULL)
    return NULL;

  trimmed = g_strstrip (g_strdup (text));
  at = strchr (trimmed, '@');
  if (at == NULL || at == trimmed || strchr (at + 1, '@') != NULL)
    return NULL;
  for (const char *p = trimmed; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || *p == ',' || *p == ';')
      return NULL;
  dot = strrchr (at + 1, '.');
  if (dot == NULL || dot == at + 1 || dot[1] == '\0')
    return NULL;

  return g_utf8_strdown (trimmed, -1);
}
