/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "pos-catalog-csv.h"

/* CSV parsing of the catalog: RFC 4180 records, comma or semicolon. */

enum {
  COL_SKU,
  COL_NAME,
  COL_PRICE,
  COL_BARCODE,
  COL_BRAND,
  COL_UNIT,
  COL_WEIGHED,
  COL_TAX_CLASS,
  COL_TAX_RATE,
  COL_STOCK,
  N_COLS
};

static const char * const column_names[N_COLS] = {
  "sku", "name", "price", "barcode", "brand", "unit", "weighed", "tax_class", "tax_rate", "stock",
};

typedef struct {
  guint      line;      /* where the record starts */
  GPtrArray *fields;    /* char* */
} CsvRecord;

static void
csv_record_free (gpointer data)
{
  CsvRecord *r = data;

  g_ptr_array_unref (r->fields);
  g_free (r);
}

static void
problem_valist (PosCatalogCsv *csv,
                guint          line,
                const char    *format,
                va_list        args)
{
  g_autofree char *msg = g_strdup_vprintf (format, args);

  g_string_append_c (csv->problems, '\n');
  g_string_append_printf (csv->problems, _("line %u: %s"), line, msg);
  csv->n_problems++;
}

void
pos_catalog_csv_problem (PosCatalogCsv *csv,
                         guint          line,
                         const char    *format,
                         ...)
{
  va_list args;

  va_start (args, format);
  problem_valist (csv, line, format, args);
  va_end (args);
}

#define problem pos_catalog_csv_problem

/* Which separator the header uses: the more frequent of ';' and ','
 * outside quotes on the first line. */
static char
detect_separator (const char *text)
{
  guint commas = 0, semicolons = 0;
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0' && (quoted || (*p != '\n' && *p != '\r')); p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == ',')
        commas++;
      else if (!quoted && *p == ';')
        semicolons++;
    }

  return semicolons > commas ? ';' : ',';
}

/* Splits text into records (RFC 4180: quoted fields may hold separators,
 * "" and line breaks). Blank lines are skipped. A quote left open is
 * reported at the line where its record starts. */
static GPtrArray *
parse_csv (const char *text,
           char        sep,
           PosCatalogCsv *problems)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (csv_record_free);
  GString *field = g_string_new (NULL);
  CsvRecord *rec = NULL;
  const char *p = text;
  guint line = 1;
  gboolean in_quotes = FALSE;
  gboolean was_quoted = FALSE;
  gboolean after_quote = FALSE;
  gboolean bad_record = FALSE;

  for (;;)
    {
      char c = *p;

      if (rec == NULL)
        {
          rec = g_new0 (CsvRecord, 1);
          rec->line = line;
          rec->fields = g_ptr_array_new_with_free_func (g_free);
        }

      if (in_quotes)
        {
          if (c == '\0')
            {
              problem (problems, rec->line, _("a quoted field is never closed (a \" is missing)"));
              csv_record_free (rec);
              rec = NULL;
              break;
            }
          if (c == '"')
            {
              if (p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                  continue;
                }
              in_quotes = FALSE;
              after_quote = TRUE;
              p++;
              continue;
            }
          if (c == '\n')
            line++;
          g_string_append_c (field, c);
          p++;
          continue;
        }

      if (c == sep || c == '\n' || c == '\r' || c == '\0')
        {
          gboolean end_of_record = (c != sep);
          char *value = g_string_free (g_steal_pointer (&field), FALSE);

          field = g_string_new (NULL);
          if (!was_quoted)
            g_strstrip (value);
          g_ptr_array_add (rec->fields, value);
          was_quoted = FALSE;
          after_quote = FALSE;

          if (end_of_record)
            {
              gboolean blank = rec->fields->len == 1 &&
                               *(const char *) g_ptr_array_index (rec->fields, 0) == '\0';

              if (blank || bad_record)
                csv_record_free (rec);
              else
                g_ptr_array_add (records, rec);
              rec = NULL;
              bad_record = FALSE;

              if (c == '\0')
                break;
              if (c == '\r' && p[1] == '\n')
                p++;
              line++;
            }
          p++;
          continue;
        }

      if (after_quote)
        {
          /* Only spaces may follow a closing quote before the separator. */
          if (c != ' ' && c != '\t' && !bad_record)
            {
              problem (problems, rec->line,
                       _("text after a closing quote; write a quote inside a quoted field as \"\""));
              bad_record = TRUE;
            }
          p++;
          continue;
        }

      if (c == '"')
        {
          gboolean only_space = TRUE;
          for (gsize i = 0; i < field->len; i++)
            if (field->str[i] != ' ' && field->str[i] != '\t')
              only_space = FALSE;
          if (only_space)
            {
              g_string_truncate (field, 0);
              in_quotes = TRUE;
              was_quoted = TRUE;
              p++;
              continue;
            }
          if (!bad_record)
            {
              problem (problems, rec->line,
                       _("a quote in the middle of an unquoted field; put the whole field in quotes and double the quote (\"\")"));
              bad_record = TRUE;
            }
        }

      g_string_append_c (field, c);
      p++;
    }

  g_string_free (field, TRUE);
  if (rec != NULL)
    csv_record_free (rec);

  return records;
}

/* "12", "12.9", "12,90" -> 1290 for decimals = 2. No sign, no thousands
 * separators, at most `decimals` decimals. */
static gboolean
parse_decimal (const char *text,
               int         decimals,
               gint64     *out)
{
  gint64 whole = 0, frac = 0;
  int n_frac = 0;
  gboolean seen_sep = FALSE;
  gboolean any_digit = FALSE;

  if (text == NULL || *text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          any_digit = TRUE;
          if (seen_sep)
            {
              if (++n_frac > decimals)
                return FALSE;
              frac = frac * 10 + (*p - '0');
            }
          else
            {
              if (whole > (G_MAXINT64 / 10) / 1000000)
                return FALSE;
              whole = whole * 10 + (*p - '0');
            }
        }
      else if ((*p == '.' || *p == ',') && !seen_sep && decimals > 0)
        seen_sep = TRUE;
      else
        return FALSE;
    }
  if (!any_digit)
    return FALSE;

  for (int i = n_frac; i < decimals; i++)
    frac *= 10;
  for (int i = 0; i < decimals; i++)
    whole *= 10;
  *out = whole + frac;
  return TRUE;
}

static int
parse_bool (const char *text)
{
  static const char * const yes[] = { "1", "yes", "y", "true", "sim", "s", "x" };
  static const char * const no[] = { "", "0", "no", "n", "false", "não", "nao" };
  g_autofree char *lower = g_utf8_strdown (text, -1);

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_str_equal (lower, yes[i]))
      return 1;
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    if (g_str_equal (lower, no[i]))
      return 0;
  return -1;
}

static gboolean
valid_barcode_text (const char *code)
{
  if (*code == '\0' || strlen (code) > 48)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '/')
      return FALSE;
  return TRUE;
}

static void
row_clear (gpointer data)
{
  PosCatalogCsvRow *row = data;

  g_free (row->sku);
  g_free (row->name);
  g_strfreev (row->barcodes);
  g_free (row->brand);
  g_free (row->unit);
  g_free (row->tax_class);
}

static const char *
field_of (CsvRecord *rec,
          const int *map,
          int         col)
{
  if (map[col] < 0 || (guint) map[col] >= rec->fields->len)
    return NULL;
  return g_ptr_array_index (rec->fields, map[col]);
}

/* A store scale item code ("2100001000000": value and check digit
 * zeroed) is registered as is; it is not a GTIN. */
static gboolean
is_item_code (const char           *code,
              const PosBarcodeRule *rules,
              guint                 n_rules)
{
  for (guint i = 0; i < n_rules; i++)
    {
      g_autofree char *item = pos_barcode_rule_item_code (&rules[i], code, NULL);
      if (item != NULL && g_str_equal (item, code))
        return TRUE;
    }
  return FALSE;
}

/* Checks one record alone (no database). */
static gboolean
check_record (CsvRecord            *rec,
              const int            *map,
              guint                 n_header,
              int                   exponent,
              const PosBarcodeRule *rules,
              guint                 n_rules,
              PosCatalogCsvRow     *row,
              PosCatalogCsv        *problems)
{
  const char *v;
  guint before = problems->n_problems;

  memset (row, 0, sizeof *row);
  row->line = rec->line;
  row->weighed = -1;
  row->tax_rate_bp = -1;
  row->stock = -1;

  if (rec->fields->len != n_header)
    {
      problem (problems, rec->line, _("%u fields, but the header has %u (a separator inside a value needs quotes)"),
               rec->fields->len, n_header);
      return FALSE;
    }

  for (guint i = 0; i < rec->fields->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (rec->fields, i), -1, NULL))
      {
        problem (problems, rec->line, _("not valid UTF-8 text; save the file as UTF-8"));
        return FALSE;
      }

  row->sku = g_strdup (field_of (rec, map, COL_SKU));
  if (row->sku == NULL || *row->sku == '\0')
    problem (problems, rec->line, _("the sku is empty"));
  else if (g_utf8_strlen (row->sku, -1) > 64)
    problem (problems, rec->line, _("the sku is longer than 64 characters"));

  row->name = g_strdup (field_of (rec, map, COL_NAME));
  if (row->name == NULL || *row->name == '\0')
    problem (problems, rec->line, _("the name is empty"));
  else if (g_utf8_strlen (row->name, -1) > 200)
    problem (problems, rec->line, _("the name is longer than 200 characters"));

  v = field_of (rec, map, COL_PRICE);
  if (v == NULL || *v == '\0')
    problem (problems, rec->line, _("the price is empty"));
  else if (!parse_decimal (v, exponent, &row->price))
    problem (problems, rec->line, _("the price “%s” is not an amount like 12.90 or 12,90"), v);

  if (map[COL_BARCODE] >= 0)
    {
      v = field_of (rec, map, COL_BARCODE);
      if (*v == '\0')
        row->barcodes = g_new0 (char *, 1);
      else
        {
          row->barcodes = g_strsplit (v, "|", -1);
          for (guint i = 0; row->barcodes[i] != NULL; i++)
            {
              g_autoptr(GError) gerr = NULL;
              char *code = g_strstrip (row->barcodes[i]);
              gsize len = strlen (code);
              gboolean digits = TRUE;

              for (const char *q = code; *q; q++)
                digits = digits && g_ascii_isdigit (*q);

              if (!valid_barcode_text (code))
                problem (problems, rec->line, _("the barcode “%s” has characters a barcode cannot have"), code);
              else if (digits && (len == 8 || len == 12 || len == 13 || len == 14) &&
                       !(len == 13 && code[0] == '2' && is_item_code (code, rules, n_rules)) &&
                       !pos_gtin_validate (code, &gerr))
                problem (problems, rec->line, _("the barcode %s is not valid: %s"), code, gerr->message);
            }
        }
    }

  if (map[COL_BRAND] >= 0)
    row->brand = g_strdup (field_of (rec, map, COL_BRAND));

  v = field_of (rec, map, COL_WEIGHED);
  if (v != NULL)
    {
      row->weighed = parse_bool (v);
      if (row->weighed < 0)
        problem (problems, rec->line, _("weighed is “%s”; write 1 or 0 (yes or no)"), v);
    }

  v = field_of (rec, map, COL_UNIT);
  if (v != NULL && *v != '\0')
    {
      g_autofree char *lower = g_ascii_strdown (v, -1);
      if (g_str_equal (lower, "un") || g_str_equal (lower, "kg") ||
          g_str_equal (lower, "l") || g_str_equal (lower, "m"))
        row->unit = g_strdup (lower);
      else
        problem (problems, rec->line, _("the unit “%s” is not one of un, kg, l, m"), v);
    }
  if (row->unit == NULL && row->weighed == 1)
    row->unit = g_strdup ("kg");

  v = field_of (rec, map, COL_TAX_CLASS);
  if (v != NULL && *v != '\0')
    row->tax_class = g_strdup (v);

  v = field_of (rec, map, COL_TAX_RATE);
  if (v != NULL && *v != '\0')
    {
      if (!parse_decimal (v, 2, &row->tax_rate_bp) || row->tax_rate_bp > 100000)
        {
          problem (problems, rec->line, _("the tax rate “%s” is not a percentage like 18 or 7.5"), v);
          row->tax_rate_bp = -1;
        }
    }

  v = field_of (rec, map, COL_STOCK);
  if (v != NULL && *v != '\0')
    {
      if (!parse_decimal (v, 3, &row->stock))
        {
          problem (problems, rec->line, _("the stock “%s” is not a quantity like 12 or 2.5"), v);
          row->stock = -1;
        }
    }

  return problems->n_problems == before;
}

void
pos_catalog_csv_free (PosCatalogCsv *csv)
{
  if (csv == NULL)
    return;
  g_array_unref (csv->rows);
  g_string_free (csv->problems, TRUE);
  g_free (csv);
}

gboolean
pos_catalog_csv_set_failed (PosCatalogCsv *csv,
                            const char    *name,
                            GError       **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s was not imported: %u problem. Fix it and import again; nothing was changed.%s",
                            "%s was not imported: %u problems. Fix them and import again; nothing was changed.%s",
                            csv->n_problems),
               name, csv->n_problems, csv->problems->str);
  return FALSE;
}

PosCatalogCsv *
pos_catalog_csv_parse (const char           *contents,
                       gsize                 length,
                       const char           *name,
                       int                   exponent,
                       const PosBarcodeRule *rules,
                       guint                 n_rules,
                       GError              **error)
{
  g_autoptr(PosCatalogCsv) csv = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) skus = NULL;
  g_autoptr(GHashTable) codes = NULL;
  g_autofree char *copy = NULL;
  const char *text;
  int map[N_COLS];
  CsvRecord *header;
  char sep;

  g_return_val_if_fail (contents != NULL || length == 0, NULL);

  if (length > 0 && memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not a text file (it holds NUL bytes). Export the catalog as CSV, UTF-8. Nothing was imported."),
                   name);
      return NULL;
    }

  copy = g_strndup (contents != NULL ? contents : "", length);
  text = copy;
  if (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    text += 3;

  csv = g_new0 (PosCatalogCsv, 1);
  csv->rows = g_array_new (FALSE, TRUE, sizeof (PosCatalogCsvRow));
  g_array_set_clear_func (csv->rows, row_clear);
  csv->problems = g_string_new (NULL);

  sep = detect_separator (text);
  records = parse_csv (text, sep, csv);
  if (records->len == 0 || ((CsvRecord *) g_ptr_array_index (records, 0))->line != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s has no header row. The first line must name the columns: sku, name, price, ... Nothing was imported.%s"),
                   name, csv->problems->str);
      return NULL;
    }

  header = g_ptr_array_index (records, 0);
  for (guint i = 0; i < N_COLS; i++)
    map[i] = -1;
  for (guint i = 0; i < header->fields->len; i++)
    {
      g_autofree char *col = NULL;
      const char *raw = g_ptr_array_index (header->fields, i);
      gboolean known = FALSE;

      if (!g_utf8_validate (raw, -1, NULL))
        {
          problem (csv, 1, _("the header is not valid UTF-8 text; save the file as UTF-8"));
          break;
        }
      col = g_utf8_strdown (raw, -1);
      g_strstrip (col);
      for (guint c = 0; c < N_COLS; c++)
        if (g_str_equal (col, column_names[c]))
          {
            known = TRUE;
            if (map[c] >= 0)
              problem (csv, 1, _("the column “%s” appears twice"), col);
            map[c] = (int) i;
          }
      if (!known)
        problem (csv, 1, _("unknown column “%s” (known: sku, name, price, barcode, brand, unit, weighed, tax_class, tax_rate, stock)"),
                 raw);
    }
  for (guint c = 0; c <= COL_PRICE; c++)
    if (map[c] < 0)
      problem (csv, 1, _("the required column “%s” is missing"), column_names[c]);

  if (csv->n_problems > 0 && map[COL_SKU] < 0)
    return g_steal_pointer (&csv);

  skus = g_hash_table_new (g_str_hash, g_str_equal);
  codes = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 1; i < records->len; i++)
    {
      CsvRecord *rec = g_ptr_array_index (records, i);
      PosCatalogCsvRow row;

      csv->n_rows++;
      if (!check_record (rec, map, header->fields->len, exponent, rules, n_rules, &row, csv))
        {
          row_clear (&row);
          continue;
        }

      if (g_hash_table_contains (skus, row.sku))
        problem (csv, rec->line, _("the sku %s is also on line %u"), row.sku,
                 GPOINTER_TO_UINT (g_hash_table_lookup (skus, row.sku)));
      else
        g_hash_table_insert (skus, row.sku, GUINT_TO_POINTER (rec->line));

      for (guint b = 0; row.barcodes != NULL && row.barcodes[b] != NULL; b++)
        {
          gpointer other = g_hash_table_lookup (codes, row.barcodes[b]);
          if (other != NULL && GPOINTER_TO_UINT (other) != rec->line)
            problem (csv, rec->line, _("the barcode %s is also on line %u"), row.barcodes[b],
                     GPOINTER_TO_UINT (other));
          else
            g_hash_table_insert (codes, row.barcodes[b], GUINT_TO_POINTER (rec->line));
        }

      /* The strings stay where they are when the array grows. */
      g_array_append_val (csv->rows, row);
    }

  return g_steal_pointer (&csv);
}
