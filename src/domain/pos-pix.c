/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "pos-pix.h"

G_DEFINE_QUARK (pos-pix-error-quark, pos_pix_error)

#define PIX_GUI            "br.gov.bcb.pix"
#define PIX_MAX_NAME       25
#define PIX_MAX_CITY       15
#define PIX_MAX_TXID       25
/* Merchant account template 26 holds at most 99 characters: 00 14 GUI
 * (18) and the key's own tag and length (4). */
#define PIX_MAX_KEY        77
#define PIX_MAX_AMOUNT     G_GINT64_CONSTANT (999999999999) /* 13 chars "9999999999.99" */

guint16
pos_pix_crc16 (const guint8 *data,
               gsize         len)
{
  guint16 crc = 0xFFFF;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= (guint16) (data[i] << 8);
      for (int bit = 0; bit < 8; bit++)
        crc = (crc & 0x8000) ? (guint16) ((crc << 1) ^ 0x1021) : (guint16) (crc << 1);
    }
  return crc;
}

static void
append_field (GString    *s,
              const char *id,
              const char *value)
{
  g_string_append_printf (s, "%s%02u%s", id, (guint) strlen (value), value);
}

/* ASCII without accents, printable characters only, spaces collapsed. */
static char *
to_ascii (const char *text)
{
  g_autofree char *ascii = g_str_to_ascii (text != NULL ? text : "", "C");
  GString *out = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    {
      char c = *p;

      if (c < 0x20 || c > 0x7E || c == '?')
        continue;
      if (c == ' ' && (out->len == 0 || out->str[out->len - 1] == ' '))
        continue;
      g_string_append_c (out, c);
    }
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

static gboolean
all_digits (const char *s,
            gsize       len)
{
  if (strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* CPF (11 digits), CNPJ (14 digits), phone (+55 and 10-11 digits), e-mail,
 * or random key (EVP, a UUID). Returns the key as it goes in the code. */
static char *
normalize_key (const char  *key,
               GError     **error)
{
  g_autofree char *k = g_strstrip (g_strdup (key != NULL ? key : ""));
  gsize len = strlen (k);

  if (all_digits (k, 11) || all_digits (k, 14))
    return g_steal_pointer (&k);

  if (k[0] == '+' && len >= 12 && len <= 15 && all_digits (k + 1, len - 1))
    return g_steal_pointer (&k);

  if (len == 36 && k[8] == '-' && k[13] == '-' && k[18] == '-' && k[23] == '-')
    {
      gboolean ok = TRUE;

      for (gsize i = 0; i < len && ok; i++)
        if (i != 8 && i != 13 && i != 18 && i != 23)
          ok = g_ascii_isxdigit (k[i]);
      if (ok)
        return g_ascii_strdown (k, -1);
    }

  if (len >= 3 && len <= PIX_MAX_KEY)
    {
      const char *at = strchr (k, '@');
      gboolean ok = at != NULL && at != k && at[1] != '\0' && strchr (at + 1, '@') == NULL &&
                    strchr (at + 1, '.') != NULL;

      for (const char *p = k; *p != '\0' && ok; p++)
        ok = *p > 0x20 && *p < 0x7F;
      if (ok)
        return g_ascii_strdown (k, -1);
    }

  g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_INVALID_KEY,
               _("“%s” is not a PIX key. Use a CPF or CNPJ (digits only), a phone "
                 "number like +5511912345678, an e-mail or a random key."),
               key != NULL ? key : "");
  return NULL;
}

char *
pos_pix_build_payload (const char *key,
                       const char *merchant_name,
                       const char *merchant_city,
                       gint64      amount_minor,
                       const char *txid,
                       GError    **error)
{
  g_autofree char *k = NULL;
  g_autofree char *name = NULL;
  g_autofree char *city = NULL;
  g_autoptr(GString) account = NULL;
  g_autoptr(GString) extra = NULL;
  GString *s;
  const char *tx = txid != NULL && *txid != '\0' ? txid : "***";

  if ((k = normalize_key (key, error)) == NULL)
    return NULL;

  if (amount_minor < 0 || amount_minor > PIX_MAX_AMOUNT)
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_AMOUNT,
                   _("A PIX amount must be between R$ 0,01 and R$ 9.999.999.999,99."));
      return NULL;
    }

  name = to_ascii (merchant_name);
  city = to_ascii (merchant_city);
  if (*name == '\0' || *city == '\0')
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_MALFORMED,
                   _("A PIX code needs the store's name and city. Set them in the store settings."));
      return NULL;
    }
  if (strlen (name) > PIX_MAX_NAME)
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_FIELD_TOO_LONG,
                   _("The store name “%s” is longer than the %d characters a PIX code allows. "
                     "Set a shorter name in the store settings."), name, PIX_MAX_NAME);
      return NULL;
    }
  if (strlen (city) > PIX_MAX_CITY)
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_FIELD_TOO_LONG,
                   _("The city “%s” is longer than the %d characters a PIX code allows. "
                     "Set a shorter city in the store settings."), city, PIX_MAX_CITY);
      return NULL;
    }
  if (strlen (tx) > PIX_MAX_TXID)
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_FIELD_TOO_LONG,
                   _("The PIX transaction id is longer than %d characters."), PIX_MAX_TXID);
      return NULL;
    }
  if (!g_str_equal (tx, "***"))
    for (const char *p = tx; *p != '\0'; p++)
      if (!g_ascii_isalnum (*p))
        {
          g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_MALFORMED,
                       _("A PIX transaction id may hold only letters and digits."));
          return NULL;
        }

  account = g_string_new (NULL);
  append_field (account, "00", PIX_GUI);
  append_field (account, "01", k);
  g_assert (account->len <= 99);

  extra = g_string_new (NULL);
  append_field (extra, "05", tx);

  s = g_string_new (NULL);
  append_field (s, "00", "01");
  /* Single use when the amount is set; a reusable code (no amount) has no
   * field 01, as in the BCB manual's example. */
  if (amount_minor > 0)
    append_field (s, "01", "12");
  append_field (s, "26", account->str);
  append_field (s, "52", "0000");
  append_field (s, "53", "986");
  if (amount_minor > 0)
    {
      g_autofree char *amount = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d",
                                                 amount_minor / 100,
                                                 (int) (amount_minor % 100));
      append_field (s, "54", amount);
    }
  append_field (s, "58", "BR");
  append_field (s, "59", name);
  append_field (s, "60", city);
  append_field (s, "62", extra->str);
  g_string_append (s, "6304");
  g_string_append_printf (s, "%04X", pos_pix_crc16 ((const guint8 *) s->str, s->len));

  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------ */
/* Validation */

typedef struct {
  char        id[3];
  const char *value;
  gsize       len;
} PixField;

static gboolean
malformed (GError    **error,
           const char *detail)
{
  g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_MALFORMED,
               _("This is not a valid PIX code (%s). Ask for the code again."), detail);
  return FALSE;
}

/* Splits data[0..len) into TLV fields. */
static gboolean
parse_tlv (const char  *data,
           gsize        len,
           GArray      *fields,
           GError     **error)
{
  gsize pos = 0;

  while (pos < len)
    {
      PixField f;
      gsize flen;

      if (len - pos < 4 || !g_ascii_isdigit (data[pos]) || !g_ascii_isdigit (data[pos + 1]) ||
          !g_ascii_isdigit (data[pos + 2]) || !g_ascii_isdigit (data[pos + 3]))
        return malformed (error, "truncated field");
      flen = (gsize) ((data[pos + 2] - '0') * 10 + (data[pos + 3] - '0'));
      if (flen == 0 || flen > len - pos - 4)
        return malformed (error, "bad field length");
      f.id[0] = data[pos];
      f.id[1] = data[pos + 1];
      f.id[2] = '\0';
      f.value = data + pos + 4;
      f.len = flen;
      g_array_append_val (fields, f);
      pos += 4 + flen;
    }
  return TRUE;
}

static const PixField *
find_field (GArray     *fields,
            const char *id)
{
  for (guint i = 0; i < fields->len; i++)
    {
      const PixField *f = &g_array_index (fields, PixField, i);

      if (strcmp (f->id, id) == 0)
        return f;
    }
  return NULL;
}

static gboolean
field_is (const PixField *f,
          const char     *value)
{
  return f != NULL && f->len == strlen (value) && strncmp (f->value, value, f->len) == 0;
}

static gboolean
valid_amount (const PixField *f)
{
  gsize dot = 0;
  gboolean seen_dot = FALSE;

  if (f->len > 13)
    return FALSE;
  for (gsize i = 0; i < f->len; i++)
    {
      if (f->value[i] == '.')
        {
          if (seen_dot || i == 0)
            return FALSE;
          seen_dot = TRUE;
          dot = i;
        }
      else if (!g_ascii_isdigit (f->value[i]))
        return FALSE;
    }
  if (seen_dot && (f->len - dot - 1 == 0 || f->len - dot - 1 > 2))
    return FALSE;
  return TRUE;
}

gboolean
pos_pix_validate_payload (const char  *payload,
                          GError     **error)
{
  g_autoptr(GArray) fields = g_array_new (FALSE, FALSE, sizeof (PixField));
  g_autoptr(GArray) account = g_array_new (FALSE, FALSE, sizeof (PixField));
  const PixField *f, *crc_field, *acc = NULL;
  gsize len;
  guint16 crc;
  char expected[5];

  if (payload == NULL)
    return malformed (error, "empty");
  len = strlen (payload);
  if (len < 8 || len > 512)
    return malformed (error, "wrong size");
  for (gsize i = 0; i < len; i++)
    if ((guchar) payload[i] < 0x20 || (guchar) payload[i] > 0x7E)
      return malformed (error, "unexpected character");

  if (!parse_tlv (payload, len, fields, error))
    return FALSE;

  f = &g_array_index (fields, PixField, 0);
  if (!(strcmp (f->id, "00") == 0 && field_is (f, "01")))
    return malformed (error, "no payload format indicator");

  crc_field = &g_array_index (fields, PixField, fields->len - 1);
  if (strcmp (crc_field->id, "63") != 0 || crc_field->len != 4)
    return malformed (error, "no CRC at the end");
  for (guint i = 0; i + 1 < fields->len; i++)
    if (strcmp (g_array_index (fields, PixField, i).id, "63") == 0)
      return malformed (error, "CRC not at the end");

  crc = pos_pix_crc16 ((const guint8 *) payload, len - 4);
  g_snprintf (expected, sizeof expected, "%04X", crc);
  if (g_ascii_strncasecmp (expected, crc_field->value, 4) != 0)
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_CRC,
                   _("This PIX code is damaged (its check code does not match). Ask for the code again."));
      return FALSE;
    }

  /* A merchant account (26-51) with the PIX GUI. */
  for (guint i = 0; i < fields->len && acc == NULL; i++)
    {
      const PixField *m = &g_array_index (fields, PixField, i);
      int id = atoi (m->id);

      if (id >= 26 && id <= 51)
        {
          g_array_set_size (account, 0);
          if (!parse_tlv (m->value, m->len, account, error))
            return FALSE;
          f = find_field (account, "00");
          if (f != NULL && f->len == strlen (PIX_GUI) &&
              g_ascii_strncasecmp (f->value, PIX_GUI, f->len) == 0)
            acc = m;
        }
    }
  if (acc == NULL)
    return malformed (error, "no PIX merchant account");
  if (find_field (account, "01") == NULL && find_field (account, "25") == NULL)
    return malformed (error, "no PIX key or location");

  if ((f = find_field (fields, "52")) == NULL || f->len != 4)
    return malformed (error, "no merchant category");
  if (!field_is (find_field (fields, "53"), "986"))
    return malformed (error, "currency is not BRL");
  if ((f = find_field (fields, "54")) != NULL && !valid_amount (f))
    {
      g_set_error (error, POS_PIX_ERROR, POS_PIX_ERROR_AMOUNT,
                   _("This PIX code has an invalid amount. Ask for the code again."));
      return FALSE;
    }
  if (!field_is (find_field (fields, "58"), "BR"))
    return malformed (error, "country is not BR");
  if ((f = find_field (fields, "59")) == NULL || f->len > PIX_MAX_NAME)
    return malformed (error, "merchant name");
  if ((f = find_field (fields, "60")) == NULL || f->len > PIX_MAX_CITY)
    return malformed (error, "merchant city");
  if ((f = find_field (fields, "62")) != NULL)
    {
      g_autoptr(GArray) extra = g_array_new (FALSE, FALSE, sizeof (PixField));
      const PixField *tx;

      if (!parse_tlv (f->value, f->len, extra, error))
        return FALSE;
      if ((tx = find_field (extra, "05")) != NULL && tx->len > PIX_MAX_TXID)
        return malformed (error, "transaction id too long");
    }

  return TRUE;
}
