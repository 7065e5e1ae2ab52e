/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-receipt"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-cpf.h"
#include "domain/pos-money.h"
#include "pos-receipt.h"

/* The receipt document, and its text rendering in lines of a fixed width, counted in characters (UTF-8),
 * not bytes. A receipt is in the store's language, not the cashier's: for a
 * Brazilian store (currency BRL) the labels are the Portuguese legal ones
 * ("Val. aprox. tributos", "2ª VIA", "DEVOLUÇÃO"); elsewhere the English
 * label through gettext. Amounts use pos_money_format() in pt_BR for BRL,
 * en_US otherwise. Returns are shown as stored: negative quantities and
 * amounts, under the title "DEVOLUÇÃO" with the original sale's number.
 *
 * The last lines are the code for the return flow ("BALCAO:SALE:<id>", 48
 * characters), cut to the width; devices print it as a QR code or
 * barcode. */

/* Dates on paper: dd/mm/yyyy HH:MM, whatever the store or the cashier. */
#define PAPER_DATE_FORMAT "%d/%m/%Y %H:%M"

typedef enum {
  L_RECEIPT, L_RETURN, L_COPY, L_NUMBER, L_ORIGINAL, L_TERMINAL, L_CASHIER, L_DATE,
  L_SUBTOTAL, L_DISCOUNTS, L_DISCOUNT, L_TAX_ADDED, L_TOTAL, L_REFUNDED, L_CHANGE,
  L_APPROX, L_CUSTOMER, L_VOUCHER, L_ITEMS,
  L_CASH, L_CREDIT, L_DEBIT, L_PIX, L_STORE_CREDIT, L_REASON, L_POINTS,
  L_POINTS_EARNED, L_POINTS_BALANCE,
  N_LABELS
} Label;

static const struct {
  const char *en;
  const char *pt;
} labels[N_LABELS] = {
  [L_RECEIPT]      = { N_("RECEIPT"), "CUPOM NÃO FISCAL" },
  [L_RETURN]       = { N_("RETURN"), "DEVOLUÇÃO" },
  [L_COPY]         = { N_("COPY"), "2ª VIA" },
  [L_NUMBER]       = { N_("No."), "Nº" },
  [L_ORIGINAL]     = { N_("Original sale"), "Venda original" },
  [L_TERMINAL]     = { N_("Terminal"), "Caixa" },
  [L_CASHIER]      = { N_("Cashier"), "Operador" },
  [L_DATE]         = { N_("Date"), "Data" },
  [L_SUBTOTAL]     = { N_("Subtotal"), "Subtotal" },
  [L_DISCOUNTS]    = { N_("Discounts"), "Descontos" },
  [L_DISCOUNT]     = { N_("Discount"), "Desconto" },
  [L_TAX_ADDED]    = { N_("Tax"), "Impostos" },
  [L_TOTAL]        = { N_("TOTAL"), "TOTAL" },
  [L_REFUNDED]     = { N_("TOTAL REFUNDED"), "TOTAL DEVOLVIDO" },
  [L_CHANGE]       = { N_("Change"), "Troco" },
  [L_APPROX]       = { N_("Approx. taxes"), "Val. aprox. tributos" },
  [L_CUSTOMER]     = { N_("Customer"), "Cliente" },
  [L_VOUCHER]      = { N_("Store credit voucher"), "Vale-troca" },
  [L_ITEMS]        = { N_("Items"), "Itens" },
  [L_CASH]         = { N_("Cash"), "Dinheiro" },
  [L_CREDIT]       = { N_("Credit card"), "Cartão de crédito" },
  [L_DEBIT]        = { N_("Debit card"), "Cartão de débito" },
  [L_PIX]          = { N_("PIX"), "PIX" },
  [L_STORE_CREDIT] = { N_("Store credit"), "Crédito na loja" },
  [L_REASON]       = { N_("Reason"), "Motivo" },
  [L_POINTS]       = { N_("Points"), "Pontos" },
  [L_POINTS_EARNED] = { N_("Points earned"), "Pontos ganhos" },
  [L_POINTS_BALANCE] = { N_("Balance"), "Saldo" },
};

typedef struct {
  PosReceiptDoc *doc;
  gboolean       br;
  const char    *currency;
  const char    *locale;
} Builder;

static const char *
label (const Builder *b,
       Label          l)
{
  return b->br ? labels[l].pt : _(labels[l].en);
}

static const char *
method_label (const Builder    *b,
              PosPaymentMethod  method)
{
  switch (method)
    {
    case POS_PAYMENT_CASH: return label (b, L_CASH);
    case POS_PAYMENT_CREDIT_CARD: return label (b, L_CREDIT);
    case POS_PAYMENT_DEBIT_CARD: return label (b, L_DEBIT);
    case POS_PAYMENT_PIX: return label (b, L_PIX);
    case POS_PAYMENT_STORE_CREDIT: return label (b, L_STORE_CREDIT);
    case POS_PAYMENT_LOYALTY_POINTS: return label (b, L_POINTS);
    default: return "?";
    }
}

static char *
money (const Builder *b,
       gint64         amount)
{
  return pos_money_format (amount, b->currency, b->locale);
}

/* ---- The document ---- */

static void
item_free (gpointer data)
{
  PosReceiptItem *item = data;

  g_free (item->text);
  g_free (item->right);
  g_free (item);
}

PosReceiptDoc *
pos_receipt_doc_new (void)
{
  PosReceiptDoc *doc = g_new0 (PosReceiptDoc, 1);

  doc->items = g_ptr_array_new_with_free_func (item_free);
  return doc;
}

void
pos_receipt_doc_free (PosReceiptDoc *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->title);
  g_free (doc->code);
  g_ptr_array_unref (doc->items);
  g_free (doc);
}

static PosReceiptItem *
doc_add (PosReceiptDoc      *doc,
         PosReceiptItemKind  kind,
         PosReceiptAlign     align,
         PosReceiptStyle     style,
         const char         *text,
         const char         *right)
{
  PosReceiptItem *item = g_new0 (PosReceiptItem, 1);

  item->kind = kind;
  item->align = align;
  item->style = style;
  item->text = g_strdup (text != NULL ? text : "");
  item->right = g_strdup (right);
  g_ptr_array_add (doc->items, item);
  return item;
}

void
pos_receipt_doc_add_text (PosReceiptDoc   *doc,
                          const char      *text,
                          PosReceiptAlign  align,
                          PosReceiptStyle  style,
                          gboolean         wrap)
{
  g_return_if_fail (doc != NULL);

  if (text == NULL || (wrap && *text == '\0'))
    return;
  doc_add (doc, POS_RECEIPT_ITEM_TEXT, align, style, text, NULL)->wrap = wrap;
}

void
pos_receipt_doc_add_pair (PosReceiptDoc   *doc,
                          const char      *left,
                          const char      *right,
                          PosReceiptStyle  style)
{
  g_return_if_fail (doc != NULL);
  g_return_if_fail (right != NULL);

  doc_add (doc, POS_RECEIPT_ITEM_PAIR, POS_RECEIPT_ALIGN_LEFT, style, left, right);
}

void
pos_receipt_doc_add_rule (PosReceiptDoc *doc)
{
  g_return_if_fail (doc != NULL);

  doc_add (doc, POS_RECEIPT_ITEM_RULE, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, NULL, NULL);
}

void
pos_receipt_doc_add_code (PosReceiptDoc *doc,
                          const char    *qr_payload,
                          const char    *barcode_payload)
{
  g_return_if_fail (doc != NULL);
  g_return_if_fail (qr_payload != NULL);

  doc_add (doc, POS_RECEIPT_ITEM_CODE, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_NORMAL,
           qr_payload, barcode_payload);
}

static void
add_center (Builder    *b,
            const char *text)
{
  pos_receipt_doc_add_text (b->doc, text, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_NORMAL, FALSE);
}

static void
add_wrapped (Builder    *b,
             const char *text,
             gboolean    center)
{
  pos_receipt_doc_add_text (b->doc, text, center ? POS_RECEIPT_ALIGN_CENTER : POS_RECEIPT_ALIGN_LEFT,
                            POS_RECEIPT_STYLE_NORMAL, TRUE);
}

static void
add_cut (Builder    *b,
         const char *text)
{
  pos_receipt_doc_add_text (b->doc, text, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, FALSE);
}

static void
add_lr (Builder    *b,
        const char *left,
        const char *right)
{
  pos_receipt_doc_add_pair (b->doc, left, right, POS_RECEIPT_STYLE_NORMAL);
}

/* ---- Layout in columns ---- */

guint
pos_receipt_fit_columns (guint columns)
{
  if (columns == 32 || columns == 42 || columns == 48)
    return columns;
  return columns < 37 ? 32 : columns < 45 ? 42 : 48;
}

static void
line_free (gpointer data)
{
  PosReceiptLine *line = data;

  g_free (line->text);
  g_free (line->right);
  g_free (line);
}

static char *
truncate_chars (const char *text,
                glong       n)
{
  if (n <= 0)
    return g_strdup ("");
  if (g_utf8_strlen (text, -1) <= n)
    return g_strdup (text);
  return g_utf8_substring (text, 0, n);
}

typedef struct {
  GPtrArray       *lines;
  guint            width;
  PosReceiptStyle  style;
} Layout;

/* Takes text (cut to the width). */
static void
put (Layout          *lay,
     PosReceiptAlign  align,
     const char      *text)
{
  PosReceiptLine *line = g_new0 (PosReceiptLine, 1);

  line->kind = POS_RECEIPT_ITEM_TEXT;
  line->align = align;
  line->style = lay->style;
  line->columns = lay->width;
  line->text = truncate_chars (text, lay->width);
  g_ptr_array_add (lay->lines, line);
}

/* Word-wraps text into lines of the width; a word longer than the width
 * is split. */
static void
put_wrapped (Layout          *lay,
             PosReceiptAlign  align,
             const char      *text)
{
  g_auto(GStrv) paragraphs = g_strsplit (text, "\n", -1);

  for (guint p = 0; paragraphs[p] != NULL; p++)
    {
      g_auto(GStrv) words = g_strsplit (paragraphs[p], " ", -1);
      g_autoptr(GString) cur = g_string_new (NULL);

      for (guint w = 0; words[w] != NULL; w++)
        {
          const char *word = words[w];
          glong wlen = g_utf8_strlen (word, -1);

          if (*word == '\0')
            continue;
          if (cur->len > 0 && g_utf8_strlen (cur->str, -1) + 1 + wlen > (glong) lay->width)
            {
              put (lay, align, cur->str);
              g_string_truncate (cur, 0);
            }
          while (wlen > (glong) lay->width)
            {
              g_autofree char *part = g_utf8_substring (word, 0, lay->width);

              if (cur->len > 0)
                {
                  put (lay, align, cur->str);
                  g_string_truncate (cur, 0);
                }
              put (lay, align, part);
              word = g_utf8_offset_to_pointer (word, lay->width);
              wlen -= lay->width;
            }
          if (cur->len > 0)
            g_string_append_c (cur, ' ');
          g_string_append (cur, word);
        }
      if (cur->len > 0)
        put (lay, align, cur->str);
    }
}

/* left ...... right, right-aligned. When both do not fit on one line,
 * left gets its own line (cut at the width) and right goes, right-aligned,
 * on the next: an amount or a quantity is never cut (unless it alone is
 * wider than the line). */
static void
put_pair (Layout     *lay,
          const char *left,
          const char *right)
{
  glong rlen = g_utf8_strlen (right, -1);
  glong llen = g_utf8_strlen (left, -1);
  glong width = lay->width;
  g_autofree char *joined = NULL;

  if (rlen > width)
    {
      put (lay, POS_RECEIPT_ALIGN_LEFT, left);
      put (lay, POS_RECEIPT_ALIGN_LEFT, right);
      return;
    }
  if (llen + 1 + rlen > width)
    {
      put (lay, POS_RECEIPT_ALIGN_LEFT, left);
      put (lay, POS_RECEIPT_ALIGN_RIGHT, right);
      return;
    }
  joined = g_strdup_printf ("%s%*s%s", left, (int) (width - llen - rlen), "", right);
  put (lay, POS_RECEIPT_ALIGN_LEFT, joined);
}

GPtrArray *
pos_receipt_doc_layout (const PosReceiptDoc *doc,
                        guint                columns,
                        gboolean             double_halves)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (line_free);

  g_return_val_if_fail (doc != NULL, NULL);
  g_return_val_if_fail (columns >= 8, NULL);

  for (guint i = 0; i < doc->items->len; i++)
    {
      const PosReceiptItem *item = g_ptr_array_index (doc->items, i);
      Layout lay = { lines, columns, item->style };

      if (double_halves && (item->style & POS_RECEIPT_STYLE_DOUBLE) != 0)
        lay.width = columns / 2;

      switch (item->kind)
        {
        case POS_RECEIPT_ITEM_TEXT:
          if (item->wrap)
            put_wrapped (&lay, item->align, item->text);
          else
            put (&lay, item->align, item->text);
          break;
        case POS_RECEIPT_ITEM_PAIR:
          put_pair (&lay, item->text, item->right);
          break;
        case POS_RECEIPT_ITEM_RULE:
          {
            g_autofree char *rule = g_strnfill (lay.width, '-');

            put (&lay, POS_RECEIPT_ALIGN_LEFT, rule);
          }
          break;
        case POS_RECEIPT_ITEM_CODE:
          {
            PosReceiptLine *line = g_new0 (PosReceiptLine, 1);

            line->kind = POS_RECEIPT_ITEM_CODE;
            line->align = POS_RECEIPT_ALIGN_CENTER;
            line->columns = lay.width;
            line->text = g_strdup (item->text);
            line->right = g_strdup (item->right);
            g_ptr_array_add (lines, line);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return g_steal_pointer (&lines);
}

char *
pos_receipt_doc_render_text (const PosReceiptDoc *doc,
                             guint                columns)
{
  g_autoptr(GPtrArray) lines = NULL;
  GString *out;

  g_return_val_if_fail (doc != NULL, NULL);

  columns = pos_receipt_fit_columns (columns);
  lines = pos_receipt_doc_layout (doc, columns, FALSE);
  out = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    {
      const PosReceiptLine *line = g_ptr_array_index (lines, i);
      glong len = g_utf8_strlen (line->text, -1);

      if (line->kind == POS_RECEIPT_ITEM_CODE)
        {
          /* The code the return flow scans (a QR code once printed), cut
           * to the roll's width in the text: nothing runs off the paper. */
          gsize n = strlen (line->text);

          for (gsize at = 0; at < n; at += columns)
            {
              g_string_append_len (out, line->text + at, MIN (columns, n - at));
              g_string_append_c (out, '\n');
            }
          continue;
        }
      if (line->align == POS_RECEIPT_ALIGN_CENTER && len < (glong) columns)
        g_string_append_printf (out, "%*s", (int) ((columns - len) / 2), "");
      else if (line->align == POS_RECEIPT_ALIGN_RIGHT && len < (glong) columns)
        g_string_append_printf (out, "%*s", (int) (columns - len), "");
      g_string_append (out, line->text);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* Milli-units as people read them: "2", "1,5", "0,512 kg". */
static char *
format_quantity (const Builder *b,
                 gint64         quantity,
                 gboolean       weighed)
{
  char sep = b->br ? ',' : '.';
  const char *sign = quantity < 0 ? "-" : "";
  guint64 q = quantity < 0 ? (guint64) -quantity : (guint64) quantity;
  guint64 whole = q / 1000;
  guint64 frac = q % 1000;

  if (weighed)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%c%03" G_GUINT64_FORMAT " kg", sign, whole, sep, frac);
  if (frac == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, sign, whole);

  {
    char digits[4];
    int n = 3;

    g_snprintf (digits, sizeof digits, "%03" G_GUINT64_FORMAT, frac);
    while (n > 1 && digits[n - 1] == '0')
      digits[--n] = '\0';
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT "%c%s", sign, whole, sep, digits);
  }
}

static char *
format_rate (const Builder *b,
             guint          rate_bp)
{
  return g_strdup_printf ("%u%c%02u", rate_bp / 100, b->br ? ',' : '.', rate_bp % 100);
}

static char *
format_cnpj (const char *cnpj)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  char *formatted;

  for (const char *p = cnpj; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  formatted = digits->len == 14 ? pos_cnpj_format (digits->str) : NULL;
  if (formatted == NULL && digits->len == 14)
    formatted = g_strdup_printf ("%.2s.%.3s.%.3s/%.4s-%.2s", digits->str, digits->str + 2,
                                 digits->str + 5, digits->str + 8, digits->str + 12);
  return formatted != NULL ? formatted : g_strdup (cnpj);
}

char *
pos_receipt_last_closed_shift (PosDatabase *db,
                               GError     **error)
{
  sqlite3_stmt *stmt;
  char *id = NULL;
  int rc;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  stmt = pos_database_prepare_cached (db,
      "SELECT id FROM shifts WHERE status = 'closed' "
      "AND terminal_id = (SELECT value FROM settings WHERE key = 'terminal_id') "
      "ORDER BY closed_at DESC, number DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = pos_database_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    pos_database_set_error (db, error, _("Finding the last closed shift"));
  return id;
}

char *
pos_receipt_code_for_sale (const char *sale_id)
{
  g_return_val_if_fail (sale_id != NULL, NULL);

  return g_strconcat ("BALCAO:SALE:", sale_id, NULL);
}

typedef struct {
  guint  rate_bp;
  gint64 tax;
} RateRow;

static void
add_taxes (Builder             *b,
           const PosSaleRecord *sale)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (RateRow));

  for (guint i = 0; i < sale->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (sale->lines, i);
      RateRow *row = NULL;

      if (l->tax_rate_bp == 0)
        continue;
      for (guint j = 0; j < rows->len; j++)
        if (g_array_index (rows, RateRow, j).rate_bp == l->tax_rate_bp)
          row = &g_array_index (rows, RateRow, j);
      if (row == NULL)
        {
          RateRow r = { l->tax_rate_bp, 0 };
          guint at = 0;

          while (at < rows->len && g_array_index (rows, RateRow, at).rate_bp < l->tax_rate_bp)
            at++;
          g_array_insert_val (rows, at, r);
          row = &g_array_index (rows, RateRow, at);
        }
      row->tax += l->tax;
    }

  for (guint j = 0; j < rows->len; j++)
    {
      const RateRow *r = &g_array_index (rows, RateRow, j);
      g_autofree char *rate = format_rate (b, r->rate_bp);
      /* TRANSLATORS: tax rate on the receipt, e.g. "Tax 18.00%" */
      g_autofree char *text = b->br ? g_strdup_printf ("Tributos %s%%", rate)
                                      : g_strdup_printf (_("Tax %s%%"), rate);
      g_autofree char *amount = money (b, r->tax);

      add_lr (b, text, amount);
    }

  if (b->br)
    {
      g_autofree char *approx = money (b, sale->approx_tax);

      add_lr (b, label (b, L_APPROX), approx);
      add_center (b, "(Lei 12.741/2012)");
    }
}

PosReceiptDoc *
pos_receipt_doc_new_for_sale (const PosSaleRecord      *sale,
                              const PosStoreInfo       *store,
                              const PosCustomerSummary *customer,
                              gboolean                  reprint)
{
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autoptr(GDateTime) when = NULL;
  gboolean is_return;
  gint64 points_money = 0;
  Builder b;

  g_return_val_if_fail (sale != NULL, NULL);
  g_return_val_if_fail (store != NULL, NULL);

  doc = pos_receipt_doc_new ();
  b.doc = doc;
  b.currency = sale->currency ? sale->currency : store->currency;
  b.br = g_strcmp0 (b.currency, "BRL") == 0;
  b.locale = b.br ? "pt_BR" : "en_US";
  is_return = g_strcmp0 (sale->kind, "return") == 0;
  doc->title = g_strdup (label (&b, is_return ? L_RETURN : L_RECEIPT));
  doc->code = pos_receipt_code_for_sale (sale->id);
  doc->reprint = reprint;

  /* Header */
  if (store->store_name)
    pos_receipt_doc_add_text (doc, store->store_name, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_BOLD, TRUE);
  if (store->store_legal_name)
    add_wrapped (&b, store->store_legal_name, TRUE);
  if (store->store_cnpj && *store->store_cnpj)
    {
      g_autofree char *cnpj = format_cnpj (store->store_cnpj);
      g_autofree char *text = g_strdup_printf ("CNPJ %s", cnpj);
      add_center (&b, text);
    }
  if (store->store_address)
    add_wrapped (&b, store->store_address, TRUE);
  if (store->store_city)
    add_wrapped (&b, store->store_city, TRUE);
  add_wrapped (&b, store->receipt_header, TRUE);
  pos_receipt_doc_add_rule (doc);

  pos_receipt_doc_add_text (doc, doc->title, POS_RECEIPT_ALIGN_CENTER,
                            POS_RECEIPT_STYLE_BOLD | POS_RECEIPT_STYLE_DOUBLE, FALSE);
  if (reprint)
    pos_receipt_doc_add_text (doc, label (&b, L_COPY), POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_BOLD, FALSE);
  add_lr (&b, label (&b, L_NUMBER), sale->number);
  if (is_return && sale->original_number)
    add_lr (&b, label (&b, L_ORIGINAL), sale->original_number);
  {
    g_autofree char *terminal = NULL;

    if (g_strcmp0 (sale->terminal_id, store->terminal_id) == 0 && store->terminal_code)
      terminal = g_strdup_printf ("%s %s", store->terminal_code,
                                  store->terminal_name ? store->terminal_name : "");
    else
      terminal = g_strdup (sale->terminal_id ? sale->terminal_id : "");
    g_strstrip (terminal);
    add_lr (&b, label (&b, L_TERMINAL), terminal);
  }
  if (sale->staff_name)
    add_lr (&b, label (&b, L_CASHIER), sale->staff_name);
  when = g_date_time_new_from_unix_local (sale->created_at / 1000);
  if (when != NULL)
    {
      g_autofree char *date = g_date_time_format (when, PAPER_DATE_FORMAT);
      add_lr (&b, label (&b, L_DATE), date);
    }
  pos_receipt_doc_add_rule (doc);

  /* Lines: the name is cut to the width, never wrapped */
  for (guint i = 0; i < sale->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (sale->lines, i);
      g_autofree char *head = g_strdup_printf ("%03u %s", l->line_no, l->name ? l->name : l->sku);
      g_autofree char *qty = format_quantity (&b, l->quantity, l->weighed);
      g_autofree char *unit = money (&b, l->unit_price);
      g_autofree char *gross = money (&b, l->gross);
      g_autofree char *detail = NULL;

      add_cut (&b, head);
      if (l->weighed)
        detail = g_strdup_printf ("  %s x %s/kg", qty, unit);
      else
        detail = g_strdup_printf ("  %s x %s", qty, unit);
      add_lr (&b, detail, gross);
      if (l->line_discount != 0)
        {
          g_autofree char *d = money (&b, -l->line_discount);
          g_autofree char *t = g_strdup_printf ("  %s", label (&b, L_DISCOUNT));
          add_lr (&b, t, d);
        }
      if (l->note && *l->note)
        {
          g_autofree char *n = g_strdup_printf ("  %s", l->note);
          add_cut (&b, n);
        }
    }
  pos_receipt_doc_add_rule (doc);

  /* Totals */
  {
    g_autofree char *subtotal = money (&b, sale->subtotal);
    g_autofree char *total = money (&b, sale->total);
    gint64 discounts = sale->line_discounts + sale->sale_discount;
    g_autofree char *n_items = g_strdup_printf ("%u", sale->lines->len);

    add_lr (&b, label (&b, L_ITEMS), n_items);
    add_lr (&b, label (&b, L_SUBTOTAL), subtotal);
    if (discounts != 0)
      {
        g_autofree char *d = money (&b, -discounts);
        add_lr (&b, label (&b, L_DISCOUNTS), d);
      }
    if (sale->tax_mode == POS_TAX_EXCLUSIVE && sale->tax_total != 0)
      {
        g_autofree char *t = money (&b, sale->tax_total);
        add_lr (&b, label (&b, L_TAX_ADDED), t);
      }
    pos_receipt_doc_add_pair (doc, label (&b, is_return ? L_REFUNDED : L_TOTAL), total,
                              POS_RECEIPT_STYLE_BOLD | POS_RECEIPT_STYLE_DOUBLE);
  }

  /* Payments */
  for (guint i = 0; i < sale->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (sale->payments, i);

      if (p->method == POS_PAYMENT_LOYALTY_POINTS)
        points_money += p->amount;
    }
  for (guint i = 0; i < sale->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (sale->payments, i);
      g_autofree char *amount = money (&b, p->method == POS_PAYMENT_CASH && p->tendered > p->amount
                                           ? p->tendered : p->amount);
      g_autofree char *name = NULL;

      if (p->card_last4)
        name = g_strdup_printf ("%s ****%s", method_label (&b, p->method), p->card_last4);
      else if (p->method == POS_PAYMENT_LOYALTY_POINTS && points_money != 0)
        /* "Pontos (200)": the points this payment used (given back, on a return) */
        name = g_strdup_printf ("%s (%" G_GINT64_FORMAT ")", method_label (&b, p->method),
                                (gint64) (((__int128) p->amount * sale->loyalty_redeemed) / points_money));
      else
        name = g_strdup (method_label (&b, p->method));
      add_lr (&b, name, amount);
      if (p->method == POS_PAYMENT_STORE_CREDIT && p->reference &&
          g_str_has_prefix (p->reference, "VALE-"))
        add_lr (&b, label (&b, L_VOUCHER), p->reference);
    }
  if (sale->change_given > 0)
    {
      g_autofree char *change = money (&b, sale->change_given);
      add_lr (&b, label (&b, L_CHANGE), change);
    }
  pos_receipt_doc_add_rule (doc);

  add_taxes (&b, sale);

  if (sale->customer_name || customer != NULL)
    {
      const char *name = sale->customer_name ? sale->customer_name : customer->name;
      g_autofree char *c = g_strdup_printf ("%s: %s", label (&b, L_CUSTOMER), name);

      add_wrapped (&b, c, FALSE);
      if (customer != NULL && customer->cpf_masked != NULL)
        add_lr (&b, "CPF", customer->cpf_masked);
      if (sale->loyalty_shown)
        {
          /* "Pontos ganhos: 12 · Saldo: 340"; a return shows what it
           * moved: "Pontos: -12 · Saldo: 328" */
          g_autofree char *points = g_strdup_printf (
              "%s: %" G_GINT64_FORMAT " · %s: %" G_GINT64_FORMAT,
              label (&b, is_return ? L_POINTS : L_POINTS_EARNED),
              is_return ? sale->loyalty_earned - sale->loyalty_redeemed : sale->loyalty_earned,
              label (&b, L_POINTS_BALANCE), sale->loyalty_balance);

          add_wrapped (&b, points, FALSE);
        }
    }
  if (is_return && sale->reason)
    {
      g_autofree char *r = g_strdup_printf ("%s: %s", label (&b, L_REASON), sale->reason);
      add_wrapped (&b, r, FALSE);
    }

  add_wrapped (&b, store->receipt_footer, TRUE);
  if (!is_return && store->return_days > 0)
    {
      /* TRANSLATORS: %d is a number of days */
      g_autofree char *policy = b.br
        ? g_strdup_printf ("Trocas em até %d dias com este cupom", store->return_days)
        : g_strdup_printf (_("Returns within %d days with this receipt"), store->return_days);
      add_wrapped (&b, policy, TRUE);
    }
  if (reprint)
    pos_receipt_doc_add_text (doc, label (&b, L_COPY), POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_BOLD, FALSE);

  /* The code the return flow scans, last: QR of the id, barcode of the number */
  pos_receipt_doc_add_code (doc, doc->code, sale->number);

  return g_steal_pointer (&doc);
}

char *
pos_receipt_format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_ms / 1000);

  return dt != NULL ? g_date_time_format (dt, PAPER_DATE_FORMAT) : g_strdup ("?");
}

static void
add_money (Builder    *b,
           const char *text,
           gint64      amount)
{
  g_autofree char *m = money (b, amount);

  add_lr (b, text, m);
}

/* The same figures as pos_shift_report_to_text (), in the store's
 * language like every paper (docs/printing.md): the Portuguese words for
 * a Brazilian store, whatever language the cashier's screen is in. */
PosReceiptDoc *
pos_receipt_doc_new_for_shift (const PosShiftReport *r,
                               const PosStoreInfo   *store)
{
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *opened = NULL;
  Builder b;
  gboolean br;

  g_return_val_if_fail (r != NULL, NULL);

  doc = pos_receipt_doc_new ();
  b.doc = doc;
  b.currency = r->currency != NULL ? r->currency : store != NULL ? store->currency : "BRL";
  b.br = br = g_strcmp0 (b.currency, "BRL") == 0;
  b.locale = b.br ? "pt_BR" : "en_US";

  if (store != NULL)
    {
      if (store->store_name)
        pos_receipt_doc_add_text (doc, store->store_name, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_BOLD, TRUE);
      if (store->store_cnpj && *store->store_cnpj)
        {
          g_autofree char *cnpj = format_cnpj (store->store_cnpj);
          g_autofree char *text = g_strdup_printf ("CNPJ %s", cnpj);
          add_center (&b, text);
        }
      if (store->store_address)
        add_wrapped (&b, store->store_address, TRUE);
      if (store->store_city)
        add_wrapped (&b, store->store_city, TRUE);
      pos_receipt_doc_add_rule (doc);
    }

  if (r->has_count)
    /* Translators: the title of a shift report; %u is the shift's number. */
    doc->title = br ? g_strdup_printf ("REDUÇÃO Z — turno %u", r->number)
                    : g_strdup_printf (_("Z REPORT — shift %u"), r->number);
  else
    /* Translators: the title of a shift report; %u is the shift's number. */
    doc->title = br ? g_strdup_printf ("LEITURA X — turno %u", r->number)
                    : g_strdup_printf (_("X REPORT — shift %u"), r->number);
  pos_receipt_doc_add_text (doc, doc->title, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_BOLD, TRUE);
  if (r->terminal_name != NULL)
    add_center (&b, r->terminal_name);
  opened = pos_receipt_format_time (r->opened_at);
  add_lr (&b, br ? "Abertura" : _("Opened"), opened);
  if (r->opened_by != NULL)
    add_lr (&b, br ? "Aberto por" : _("Opened by"), r->opened_by);
  if (r->closed_at > 0)
    {
      g_autofree char *closed = pos_receipt_format_time (r->closed_at);

      add_lr (&b, br ? "Fechamento" : _("Closed"), closed);
      if (r->closed_by != NULL)
        add_lr (&b, br ? "Fechado por" : _("Closed by"), r->closed_by);
    }
  pos_receipt_doc_add_rule (doc);

  {
    g_autofree char *sales = br ? g_strdup_printf ("Vendas (%u)", r->n_sales)
                                : g_strdup_printf (_("Sales (%u)"), r->n_sales);
    g_autofree char *returns = br ? g_strdup_printf ("Devoluções (%u)", r->n_returns)
                                  : g_strdup_printf (_("Returns (%u)"), r->n_returns);
    g_autofree char *net = money (&b, r->gross_sales - r->returns_total);

    add_money (&b, sales, r->gross_sales);
    add_money (&b, returns, -r->returns_total);
    pos_receipt_doc_add_pair (doc, br ? "Líquido" : _("Net"), net, POS_RECEIPT_STYLE_BOLD);
    add_money (&b, br ? "Descontos concedidos" : _("Discounts given"), r->discounts);
    add_money (&b, br ? "Impostos" : _("Taxes"), r->tax_total);
  }
  pos_receipt_doc_add_rule (doc);

  pos_receipt_doc_add_text (doc, br ? "Por forma de pagamento" : _("By payment method"),
                            POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_BOLD, FALSE);
  for (guint i = 0; r->by_method != NULL && i < r->by_method->len; i++)
    {
      const PosShiftMethodTotal *m = &g_array_index (r->by_method, PosShiftMethodTotal, i);
      g_autofree char *name = g_strdup_printf ("  %s (%u)", method_label (&b, m->method), m->n_payments);

      add_money (&b, name, m->net);
      if (m->refunds != 0)
        {
          add_money (&b, br ? "    recebido" : _("    taken"), m->sales);
          add_money (&b, br ? "    reembolsado" : _("    refunded"), -m->refunds);
        }
    }
  if (r->by_method == NULL || r->by_method->len == 0)
    add_cut (&b, br ? "  nenhum ainda" : _("  none yet"));
  pos_receipt_doc_add_rule (doc);

  pos_receipt_doc_add_text (doc, br ? "Gaveta de dinheiro" : _("Cash drawer"),
                            POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_BOLD, FALSE);
  add_money (&b, br ? "  Fundo de troco" : _("  Opening float"), r->opening_float);
  add_money (&b, br ? "  Suprimentos" : _("  Cash in"), r->cash_in);
  add_money (&b, br ? "  Sangrias" : _("  Cash out"), -r->cash_out);
  add_money (&b, br ? "  Troco entregue" : _("  Change given"), r->change_given);
  {
    g_autofree char *n = g_strdup_printf ("%u", r->n_no_sale);

    add_lr (&b, br ? "  Aberturas sem venda" : _("  Opened without a sale"), n);
  }
  {
    g_autofree char *expected = money (&b, r->expected_cash);

    pos_receipt_doc_add_pair (doc, br ? "Dinheiro esperado" : _("Expected cash"), expected, POS_RECEIPT_STYLE_BOLD);
  }
  if (r->has_count)
    {
      g_autofree char *counted = money (&b, r->counted_cash);
      g_autofree char *difference = money (&b, r->difference);

      pos_receipt_doc_add_pair (doc, br ? "Dinheiro contado" : _("Counted cash"), counted, POS_RECEIPT_STYLE_BOLD);
      pos_receipt_doc_add_pair (doc, br ? "Diferença" : _("Difference"), difference, POS_RECEIPT_STYLE_BOLD);
      if (r->approved_by != NULL)
        add_lr (&b, br ? "Diferença autorizada por" : _("Difference approved by"), r->approved_by);
    }

  return g_steal_pointer (&doc);
}

char *
pos_receipt_render_text (const PosSaleRecord *sale,
                         const PosStoreInfo  *store,
                         guint                columns,
                         gboolean             reprint)
{
  g_autoptr(PosReceiptDoc) doc = NULL;

  g_return_val_if_fail (sale != NULL, NULL);
  g_return_val_if_fail (store != NULL, NULL);

  doc = pos_receipt_doc_new_for_sale (sale, store, NULL, reprint);
  return pos_receipt_doc_render_text (doc, columns);
}
