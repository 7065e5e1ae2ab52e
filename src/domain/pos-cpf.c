/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-cpf"

#include "config.h"

#include <string.h>

#include "pos-cpf.h"

/* Keeps the significant characters of text (digits, and for a CNPJ also
 * letters in the first 12 places), dropping the punctuation of the usual
 * formats. NULL on anything else or the wrong count. */
static char *
strip_document (const char *text,
                gsize       want,
                gboolean    letters)
{
  g_autofree char *out = NULL;
  gsize n = 0;

  if (text == NULL)
    return NULL;

  out = g_malloc0 (want + 1);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = *p;

      if (c == '.' || c == '-' || c == ' ' || (letters && c == '/'))
        continue;
      if (n >= want)
        return NULL;
      if (g_ascii_isdigit (c))
        out[n++] = c;
      else if (letters && n < want - 2 && g_ascii_isalpha (c))
        out[n++] = g_ascii_toupper (c);
      else
        return NULL;
    }

  if (n != want)
    return NULL;

  /* 000.000.000-00, 111.111.111-11...: valid sums, never issued */
  for (gsize i = 1; i < want; i++)
    if (out[i] != out[0])
      return g_steal_pointer (&out);

  return NULL;
}

static char
cpf_digit (const char *digits,
           guint       n)
{
  guint sum = 0;

  for (guint i = 0; i < n; i++)
    sum += (guint) (digits[i] - '0') * (n + 1 - i);

  return (char) ('0' + (sum * 10 % 11) % 10);
}

void
pos_cpf_complete (const char nine_digits[9],
                  char       out[12])
{
  g_return_if_fail (nine_digits != NULL && out != NULL);

  memcpy (out, nine_digits, 9);
  out[9] = cpf_digit (out, 9);
  out[10] = cpf_digit (out, 10);
  out[11] = '\0';
}

char *
pos_cpf_normalize (const char *text)
{
  g_autofree char *digits = strip_document (text, 11, FALSE);

  if (digits == NULL)
    return NULL;
  if (cpf_digit (digits, 9) != digits[9] || cpf_digit (digits, 10) != digits[10])
    return NULL;

  return g_steal_pointer (&digits);
}

gboolean
pos_cpf_validate (const char *text)
{
  g_autofree char *digits = pos_cpf_normalize (text);

  return digits != NULL;
}

char *
pos_cpf_format (const char *digits)
{
  g_autofree char *d = pos_cpf_normalize (digits);

  if (d == NULL)
    return NULL;

  return g_strdup_printf ("%.3s.%.3s.%.3s-%.2s", d, d + 3, d + 6, d + 9);
}

static char
cnpj_digit (const char *chars,
            guint       n)
{
  /* weights 2..9 from the right, repeating */
  guint sum = 0;
  guint rest;

  for (guint i = 0; i < n; i++)
    {
      guint weight = 2 + (n - 1 - i) % 8;
      sum += (guint) (chars[i] - '0') * weight;
    }

  rest = sum % 11;
  return rest < 2 ? '0' : (char) ('0' + 11 - rest);
}

void
pos_cnpj_complete (const char twelve[12],
                   char       out[15])
{
  g_return_if_fail (twelve != NULL && out != NULL);

  for (guint i = 0; i < 12; i++)
    out[i] = g_ascii_toupper (twelve[i]);
  out[12] = cnpj_digit (out, 12);
  out[13] = cnpj_digit (out, 13);
  out[14] = '\0';
}

char *
pos_cnpj_normalize (const char *text)
{
  g_autofree char *chars = strip_document (text, 14, TRUE);

  if (chars == NULL)
    return NULL;
  if (cnpj_digit (chars, 12) != chars[12] || cnpj_digit (chars, 13) != chars[13])
    return NULL;

  return g_steal_pointer (&chars);
}

gboolean
pos_cnpj_validate (const char *text)
{
  g_autofree char *chars = pos_cnpj_normalize (text);

  return chars != NULL;
}

char *
pos_cnpj_format (const char *digits)
{
  g_autofree char *d = pos_cnpj_normalize (digits);

  if (d == NULL)
    return NULL;

  return g_strdup_printf ("%.2s.%.3s.%.3s/%.4s-%.2s", d, d + 2, d + 5, d + 8, d + 12);
}
