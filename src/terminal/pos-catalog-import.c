/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-catalog"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "domain/pos-barcode.h"
#include "domain/pos-money.h"
#include "pos-catalog.h"

/* CSV import of the catalog: RFC 4180 records, comma or semicolon, one
 * transaction, all or nothing. */

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

typedef struct {
  GString *errors;
  guint    n_errors;
} Problems;

G_GNUC_PRINTF (3, 4)
static void
problem (Problems   *p,
         guint       line,
         const char *format,
         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_string_append_printf (p->errors, "\n");
  g_string_append_printf (p->errors, _("line %u: %s"), line, msg);
  p->n_errors++;
}

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
           Problems   *problems)
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

typedef struct {
  guint       line;
  const char *sku;
  const char *name;
  gint64      price;
  char      **barcodes;     /* NULL when the column is absent */
  const char *brand;        /* NULL = keep */
  const char *unit;         /* NULL = keep/default */
  int         weighed;      /* -1 keep */
  const char *tax_class;    /* NULL = keep */
  gint64      tax_rate_bp;  /* -1 none */
  gint64      stock;        /* -1 none */
} Row;

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_strfreev (row->barcodes);
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
              Row                  *row,
              Problems             *problems)
{
  const char *v;
  guint before = problems->n_errors;

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

  row->sku = field_of (rec, map, COL_SKU);
  if (row->sku == NULL || *row->sku == '\0')
    problem (problems, rec->line, _("the sku is empty"));
  else if (g_utf8_strlen (row->sku, -1) > 64)
    problem (problems, rec->line, _("the sku is longer than 64 characters"));

  row->name = field_of (rec, map, COL_NAME);
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
    row->brand = field_of (rec, map, COL_BRAND);

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
        row->unit = g_intern_string (lower);
      else
        problem (problems, rec->line, _("the unit “%s” is not one of un, kg, l, m"), v);
    }
  if (row->unit == NULL && row->weighed == 1)
    row->unit = "kg";

  v = field_of (rec, map, COL_TAX_CLASS);
  if (v != NULL && *v != '\0')
    row->tax_class = v;

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

  return problems->n_errors == before;
}

static gboolean
step_done (PosDatabase  *db,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return pos_database_set_error (db, error, _("Importing the catalog"));
  return TRUE;
}

/* Writes one checked row. Database rule violations (a barcode of another
 * product, an unknown tax class) are problems of the row; other SQLite
 * failures are errors. */
static gboolean
apply_row (PosDatabase     *db,
           const Row       *row,
           const char      *currency,
           gint64           now,
           PosImportReport *report,
           Problems        *problems,
           GError         **error)
{
  sqlite3_stmt *stmt;
  gint64 id = -1;
  g_autofree char *old_class = NULL;
  const char *tax_class = row->tax_class;
  g_autofree char *auto_class = NULL;
  int rc;

  stmt = pos_database_prepare_cached (db, "SELECT id, tax_class_id FROM products WHERE sku = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, row->sku, -1, SQLITE_STATIC);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      old_class = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pos_database_set_error (db, error, _("Importing the catalog"));

  /* Tax class: given, or named after the rate, or the product's own. */
  if (tax_class == NULL && row->tax_rate_bp >= 0)
    tax_class = auto_class = g_strdup_printf ("aliq-%" G_GINT64_FORMAT, row->tax_rate_bp);
  if (tax_class == NULL)
    tax_class = old_class;
  if (tax_class == NULL)
    {
      problem (problems, row->line, _("no tax class: fill tax_class or tax_rate"));
      return TRUE;
    }

  stmt = pos_database_prepare_cached (db, "SELECT rate_bp FROM tax_classes WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, tax_class, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gint64 rate = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (row->tax_rate_bp >= 0 && rate != row->tax_rate_bp)
        {
          g_autofree char *has = g_strdup_printf ("%d.%02d%%", (int) (rate / 100), (int) (rate % 100));
          g_autofree char *says = g_strdup_printf ("%d.%02d%%", (int) (row->tax_rate_bp / 100),
                                                   (int) (row->tax_rate_bp % 100));
          problem (problems, row->line, _("the tax class %s has the rate %s, the file says %s"),
                   tax_class, has, says);
          return TRUE;
        }
    }
  else
    {
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return pos_database_set_error (db, error, _("Importing the catalog"));
      if (row->tax_rate_bp < 0)
        {
          problem (problems, row->line, _("the tax class %s is new: give its tax_rate too"), tax_class);
          return TRUE;
        }
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO tax_classes (id, name, rate_bp, approx_rate_bp) VALUES (?1, ?1, ?2, ?2)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, tax_class, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, row->tax_rate_bp);
      if (!step_done (db, stmt, error))
        return FALSE;
    }

  if (id < 0)
    {
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO products (sku, name, brand, unit, weighed, tax_class_id, updated_at) "
        "VALUES (?1, ?2, NULLIF (?3, ''), ?4, ?5, ?6, ?7)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, row->sku, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, row->brand, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, row->unit ? row->unit : "un", -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 5, row->weighed == 1);
      sqlite3_bind_text (stmt, 6, tax_class, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, now);
      if (!step_done (db, stmt, error))
        return FALSE;
      id = sqlite3_last_insert_rowid (pos_database_get_handle (db));
      report->n_inserted++;
    }
  else
    {
      stmt = pos_database_prepare_cached (db,
        "UPDATE products SET name = ?2, "
        "brand = CASE WHEN ?3 THEN NULLIF (?4, '') ELSE brand END, "
        "unit = COALESCE (?5, unit), weighed = CASE WHEN ?6 >= 0 THEN ?6 ELSE weighed END, "
        "tax_class_id = ?7, updated_at = ?8 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, row->name, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, row->brand != NULL);
      sqlite3_bind_text (stmt, 4, row->brand, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, row->unit, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 6, row->weighed);
      sqlite3_bind_text (stmt, 7, tax_class, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 8, now);
      if (!step_done (db, stmt, error))
        return FALSE;
      report->n_updated++;
    }

  /* Price: end the current one and start the new one now, unless equal. */
  stmt = pos_database_prepare_cached (db,
    "SELECT amount FROM prices WHERE product_id = ?1 AND price_list = 'retail' "
    "AND valid_from <= ?2 AND (valid_to IS NULL OR valid_to > ?2) ORDER BY valid_from DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  rc = sqlite3_step (stmt);
  {
    gboolean same = rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) == row->price;
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return pos_database_set_error (db, error, _("Importing the catalog"));
    if (!same)
      {
        stmt = pos_database_prepare_cached (db,
          "UPDATE prices SET valid_to = ?2 WHERE product_id = ?1 AND price_list = 'retail' "
          "AND valid_from < ?2 AND (valid_to IS NULL OR valid_to > ?2)", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, id);
        sqlite3_bind_int64 (stmt, 2, now);
        if (!step_done (db, stmt, error))
          return FALSE;

        stmt = pos_database_prepare_cached (db,
          "INSERT INTO prices (product_id, price_list, valid_from, valid_to, amount, currency) "
          "VALUES (?1, 'retail', ?2, NULL, ?3, ?4) "
          "ON CONFLICT (product_id, price_list, valid_from) DO UPDATE SET amount = excluded.amount, "
          "valid_to = NULL, currency = excluded.currency", error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, id);
        sqlite3_bind_int64 (stmt, 2, now);
        sqlite3_bind_int64 (stmt, 3, row->price);
        sqlite3_bind_text (stmt, 4, currency, -1, SQLITE_STATIC);
        if (!step_done (db, stmt, error))
          return FALSE;
      }
  }

  if (row->barcodes != NULL)
    {
      stmt = pos_database_prepare_cached (db, "DELETE FROM product_barcodes WHERE product_id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!step_done (db, stmt, error))
        return FALSE;

      for (guint i = 0; row->barcodes[i] != NULL; i++)
        {
          const char *code = row->barcodes[i];
          gint64 owner = -1;
          g_autofree char *owner_sku = NULL;

          stmt = pos_database_prepare_cached (db,
            "SELECT b.product_id, p.sku FROM product_barcodes b JOIN products p ON p.id = b.product_id "
            "WHERE b.code = ?1", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              owner = sqlite3_column_int64 (stmt, 0);
              owner_sku = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
            }
          sqlite3_reset (stmt);

          if (owner == id)
            continue;  /* listed twice on this row */
          if (owner >= 0)
            {
              problem (problems, row->line, _("the barcode %s already belongs to the product %s"), code, owner_sku);
              continue;
            }

          stmt = pos_database_prepare_cached (db,
            "INSERT INTO product_barcodes (code, product_id) VALUES (?1, ?2)", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, id);
          if (!step_done (db, stmt, error))
            return FALSE;
        }
    }

  if (row->stock >= 0)
    {
      stmt = pos_database_prepare_cached (db,
        "INSERT INTO stock_levels (product_id, synced_qty, local_delta, synced_at) VALUES (?1, ?2, 0, ?3) "
        "ON CONFLICT (product_id) DO UPDATE SET synced_qty = excluded.synced_qty, synced_at = excluded.synced_at",
        error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, row->stock);
      sqlite3_bind_int64 (stmt, 3, now);
      if (!step_done (db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
pos_catalog_import_csv (PosDatabase      *db,
                        const char       *path,
                        PosImportReport  *report,
                        GError          **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *currency = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GHashTable) skus = NULL;
  g_autoptr(GHashTable) codes = NULL;
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  PosImportReport local_report = { 0, };
  PosBarcodeRule *rules = NULL;
  guint n_rules = 0;
  Problems problems = { errors, 0 };
  const char *text;
  gsize length = 0;
  int map[N_COLS];
  CsvRecord *header;
  int exponent;
  gint64 now;
  char sep;

  g_return_val_if_fail (POS_IS_DATABASE (db), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (report != NULL)
    memset (report, 0, sizeof *report);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot read %s: %s"), path, local_error->message);
      return FALSE;
    }
  if (memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not a text file (it holds NUL bytes). Export the catalog as CSV, UTF-8. Nothing was imported."),
                   path);
      return FALSE;
    }

  text = contents;
  if (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    text += 3;

  sep = detect_separator (text);
  records = parse_csv (text, sep, &problems);
  if (records->len == 0 || ((CsvRecord *) g_ptr_array_index (records, 0))->line != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s has no header row. The first line must name the columns: sku, name, price, ... Nothing was imported.%s"),
                   path, errors->str);
      return FALSE;
    }

  header = g_ptr_array_index (records, 0);
  for (guint i = 0; i < N_COLS; i++)
    map[i] = -1;
  for (guint i = 0; i < header->fields->len; i++)
    {
      g_autofree char *name = NULL;
      const char *raw = g_ptr_array_index (header->fields, i);
      gboolean known = FALSE;

      if (!g_utf8_validate (raw, -1, NULL))
        {
          problem (&problems, 1, _("the header is not valid UTF-8 text; save the file as UTF-8"));
          break;
        }
      name = g_utf8_strdown (raw, -1);
      g_strstrip (name);
      for (guint c = 0; c < N_COLS; c++)
        if (g_str_equal (name, column_names[c]))
          {
            known = TRUE;
            if (map[c] >= 0)
              problem (&problems, 1, _("the column “%s” appears twice"), name);
            map[c] = (int) i;
          }
      if (!known)
        problem (&problems, 1, _("unknown column “%s” (known: sku, name, price, barcode, brand, unit, weighed, tax_class, tax_rate, stock)"),
                 raw);
    }
  for (guint c = 0; c <= COL_PRICE; c++)
    if (map[c] < 0)
      problem (&problems, 1, _("the required column “%s” is missing"), column_names[c]);

  if (problems.n_errors > 0 && map[COL_SKU] < 0)
    goto fail;

  currency = pos_database_get_setting (db, "currency");
  if (currency == NULL)
    currency = g_strdup ("BRL");
  exponent = pos_money_currency_exponent (currency);
  if (exponent < 0)
    exponent = 2;

  rules = pos_catalog_get_barcode_rules (db, &n_rules);
  rows = g_array_sized_new (FALSE, TRUE, sizeof (Row), records->len);
  g_array_set_clear_func (rows, row_clear);
  skus = g_hash_table_new (g_str_hash, g_str_equal);
  codes = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 1; i < records->len; i++)
    {
      CsvRecord *rec = g_ptr_array_index (records, i);
      Row row;

      local_report.n_rows++;
      if (!check_record (rec, map, header->fields->len, exponent, rules, n_rules, &row, &problems))
        {
          row_clear (&row);
          continue;
        }

      if (g_hash_table_contains (skus, row.sku))
        problem (&problems, rec->line, _("the sku %s is also on line %u"), row.sku,
                 GPOINTER_TO_UINT (g_hash_table_lookup (skus, row.sku)));
      else
        g_hash_table_insert (skus, (gpointer) row.sku, GUINT_TO_POINTER (rec->line));

      for (guint b = 0; row.barcodes != NULL && row.barcodes[b] != NULL; b++)
        {
          gpointer other = g_hash_table_lookup (codes, row.barcodes[b]);
          if (other != NULL && GPOINTER_TO_UINT (other) != rec->line)
            problem (&problems, rec->line, _("the barcode %s is also on line %u"), row.barcodes[b],
                     GPOINTER_TO_UINT (other));
          else
            g_hash_table_insert (codes, row.barcodes[b], GUINT_TO_POINTER (rec->line));
        }

      g_array_append_val (rows, row);
    }
  pos_barcode_rules_free (rules, n_rules);

  if (problems.n_errors > 0)
    goto fail;

  if (!pos_database_begin (db, error))
    return FALSE;

  now = pos_now_ms ();
  for (guint i = 0; i < rows->len; i++)
    {
      if (!apply_row (db, &g_array_index (rows, Row, i), currency, now, &local_report, &problems, error))
        {
          pos_database_rollback (db);
          return FALSE;
        }
    }

  if (problems.n_errors > 0)
    {
      pos_database_rollback (db);
      goto fail;
    }

  if (!pos_database_audit (db, "catalog.import", "catalog", NULL, NULL, NULL, error) ||
      !pos_database_commit (db, error))
    {
      pos_database_rollback (db);
      return FALSE;
    }

  if (report != NULL)
    *report = local_report;
  return TRUE;

fail:
  if (report != NULL)
    report->n_rows = local_report.n_rows;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s was not imported: %u problem. Fix it and import again; nothing was changed.%s",
                            "%s was not imported: %u problems. Fix them and import again; nothing was changed.%s",
                            problems.n_errors),
               path, problems.n_errors, errors->str);
  return FALSE;
}
