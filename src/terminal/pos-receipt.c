/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-receipt"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "domain/pos-cpf.h"
#include "domain/pos-money.h"
#include "pos-receipt.h"

/* The receipt as text lines of a fixed width, counted in characters (UTF-8),
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

typedef enum {
  L_RECEIPT, L_RETURN, L_COPY, L_NUMBER, L_ORIGINAL, L_TERMINAL, L_CASHIER, L_DATE,
  L_SUBTOTAL, L_DISCOUNTS, L_DISCOUNT, L_TAX_ADDED, L_TOTAL, L_REFUNDED, L_CHANGE,
  L_APPROX, L_CUSTOMER, L_VOUCHER, L_ITEMS,
  L_CASH, L_CREDIT, L_DEBIT, L_PIX, L_STORE_CREDIT, L_REASON,
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
};

typedef struct {
  GPtrArray  *lines;
  guint       width;
  gboolean    br;
  const char *currency;
  const char *locale;
} Doc;

static const char *
label (const Doc *doc,
       Label      l)
{
  return doc->br ? labels[l].pt : _(labels[l].en);
}

static const char *
method_label (const Doc        *doc,
              PosPaymentMethod  method)
{
  switch (method)
    {
    case POS_PAYMENT_CASH: return label (doc, L_CASH);
    case POS_PAYMENT_CREDIT_CARD: return label (doc, L_CREDIT);
    case POS_PAYMENT_DEBIT_CARD: return label (doc, L_DEBIT);
    case POS_PAYMENT_PIX: return label (doc, L_PIX);
    case POS_PAYMENT_STORE_CREDIT: return label (doc, L_STORE_CREDIT);
    default: return "?";
    }
}

static char *
money (const Doc *doc,
       gint64     amount)
{
  return pos_money_format (amount, doc->currency, doc->locale);
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

static void
add (Doc        *doc,
     const char *text)
{
  g_ptr_array_add (doc->lines, truncate_chars (text, doc->width));
}

static void
add_center (Doc        *doc,
            const char *text)
{
  glong len = g_utf8_strlen (text, -1);
  glong pad;

  if (len >= (glong) doc->width)
    {
      add (doc, text);
      return;
    }
  pad = ((glong) doc->width - len) / 2;
  g_ptr_array_add (doc->lines, g_strdup_printf ("%*s%s", (int) pad, "", text));
}

static void
add_rule (Doc *doc)
{
  char *line = g_malloc (doc->width + 1);

  memset (line, '-', doc->width);
  line[doc->width] = '\0';
  g_ptr_array_add (doc->lines, line);
}

/* left ...... right, right-aligned. When both do not fit on one line,
 * left gets its own line (cut at the width) and right goes, right-aligned,
 * on the next: an amount or a quantity is never cut. */
static void
add_lr (Doc        *doc,
        const char *left,
        const char *right)
{
  glong rlen = g_utf8_strlen (right, -1);
  glong llen = g_utf8_strlen (left, -1);

  if (rlen > (glong) doc->width)
    {
      add (doc, left);
      add (doc, right);
      return;
    }
  if (llen + 1 + rlen > (glong) doc->width)
    {
      add (doc, left);
      llen = 0;
      left = "";
    }
  g_ptr_array_add (doc->lines, g_strdup_printf ("%s%*s%s", left,
                                                (int) ((glong) doc->width - llen - rlen), "", right));
}

/* Word-wraps text into lines of the width, centred or not. */
static void
add_wrapped (Doc        *doc,
             const char *text,
             gboolean    center)
{
  g_auto(GStrv) paragraphs = NULL;

  if (text == NULL || *text == '\0')
    return;

  paragraphs = g_strsplit (text, "\n", -1);
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
          if (cur->len > 0 && g_utf8_strlen (cur->str, -1) + 1 + wlen > (glong) doc->width)
            {
              center ? add_center (doc, cur->str) : add (doc, cur->str);
              g_string_truncate (cur, 0);
            }
          while (wlen > (glong) doc->width)
            {
              g_autofree char *head = g_utf8_substring (word, 0, doc->width);

              if (cur->len > 0)
                {
                  center ? add_center (doc, cur->str) : add (doc, cur->str);
                  g_string_truncate (cur, 0);
                }
              add (doc, head);
              word = g_utf8_offset_to_pointer (word, doc->width);
              wlen -= doc->width;
            }
          if (cur->len > 0)
            g_string_append_c (cur, ' ');
          g_string_append (cur, word);
        }
      if (cur->len > 0)
        center ? add_center (doc, cur->str) : add (doc, cur->str);
    }
}

/* Milli-units as people read them: "2", "1,5", "0,512 kg". */
static char *
format_quantity (const Doc *doc,
                 gint64     quantity,
                 gboolean   weighed)
{
  char sep = doc->br ? ',' : '.';
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
format_rate (const Doc *doc,
             guint      rate_bp)
{
  return g_strdup_printf ("%u%c%02u", rate_bp / 100, doc->br ? ',' : '.', rate_bp % 100);
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
add_taxes (Doc                 *doc,
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
      g_autofree char *rate = format_rate (doc, r->rate_bp);
      /* TRANSLATORS: tax rate on the receipt, e.g. "Tax 18.00%" */
      g_autofree char *text = doc->br ? g_strdup_printf ("Tributos %s%%", rate)
                                      : g_strdup_printf (_("Tax %s%%"), rate);
      g_autofree char *amount = money (doc, r->tax);

      add_lr (doc, text, amount);
    }

  if (doc->br)
    {
      g_autofree char *approx = money (doc, sale->approx_tax);

      add_lr (doc, label (doc, L_APPROX), approx);
      add_center (doc, "(Lei 12.741/2012)");
    }
}

char *
pos_receipt_render_text (const PosSaleRecord *sale,
                         const PosStoreInfo  *store,
                         guint                columns,
                         gboolean             reprint)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GString) out = NULL;
  gboolean is_return;
  Doc doc;

  g_return_val_if_fail (sale != NULL, NULL);
  g_return_val_if_fail (store != NULL, NULL);

  if (columns != 32 && columns != 42 && columns != 48)
    columns = columns < 37 ? 32 : columns < 45 ? 42 : 48;

  doc.lines = lines;
  doc.width = columns;
  doc.currency = sale->currency ? sale->currency : store->currency;
  doc.br = g_strcmp0 (doc.currency, "BRL") == 0;
  doc.locale = doc.br ? "pt_BR" : "en_US";
  is_return = g_strcmp0 (sale->kind, "return") == 0;

  /* Header */
  if (store->store_name)
    add_wrapped (&doc, store->store_name, TRUE);
  if (store->store_legal_name)
    add_wrapped (&doc, store->store_legal_name, TRUE);
  if (store->store_cnpj && *store->store_cnpj)
    {
      g_autofree char *cnpj = format_cnpj (store->store_cnpj);
      g_autofree char *text = g_strdup_printf ("CNPJ %s", cnpj);
      add_center (&doc, text);
    }
  if (store->store_address)
    add_wrapped (&doc, store->store_address, TRUE);
  if (store->store_city)
    add_wrapped (&doc, store->store_city, TRUE);
  add_wrapped (&doc, store->receipt_header, TRUE);
  add_rule (&doc);

  add_center (&doc, label (&doc, is_return ? L_RETURN : L_RECEIPT));
  if (reprint)
    add_center (&doc, label (&doc, L_COPY));
  add_lr (&doc, label (&doc, L_NUMBER), sale->number);
  if (is_return && sale->original_number)
    add_lr (&doc, label (&doc, L_ORIGINAL), sale->original_number);
  {
    g_autofree char *terminal = NULL;

    if (g_strcmp0 (sale->terminal_id, store->terminal_id) == 0 && store->terminal_code)
      terminal = g_strdup_printf ("%s %s", store->terminal_code,
                                  store->terminal_name ? store->terminal_name : "");
    else
      terminal = g_strdup (sale->terminal_id ? sale->terminal_id : "");
    g_strstrip (terminal);
    add_lr (&doc, label (&doc, L_TERMINAL), terminal);
  }
  if (sale->staff_name)
    add_lr (&doc, label (&doc, L_CASHIER), sale->staff_name);
  when = g_date_time_new_from_unix_local (sale->created_at / 1000);
  if (when != NULL)
    {
      g_autofree char *date = g_date_time_format (when, doc.br ? "%d/%m/%Y %H:%M:%S" : "%Y-%m-%d %H:%M:%S");
      add_lr (&doc, label (&doc, L_DATE), date);
    }
  add_rule (&doc);

  /* Lines */
  for (guint i = 0; i < sale->lines->len; i++)
    {
      const PosSaleLine *l = g_ptr_array_index (sale->lines, i);
      g_autofree char *head = g_strdup_printf ("%03u %s", l->line_no, l->name ? l->name : l->sku);
      g_autofree char *qty = format_quantity (&doc, l->quantity, l->weighed);
      g_autofree char *unit = money (&doc, l->unit_price);
      g_autofree char *gross = money (&doc, l->gross);
      g_autofree char *detail = NULL;

      add (&doc, head);
      if (l->weighed)
        detail = g_strdup_printf ("  %s x %s/kg", qty, unit);
      else
        detail = g_strdup_printf ("  %s x %s", qty, unit);
      add_lr (&doc, detail, gross);
      if (l->line_discount != 0)
        {
          g_autofree char *d = money (&doc, -l->line_discount);
          g_autofree char *t = g_strdup_printf ("  %s", label (&doc, L_DISCOUNT));
          add_lr (&doc, t, d);
        }
      if (l->note && *l->note)
        {
          g_autofree char *n = g_strdup_printf ("  %s", l->note);
          add (&doc, n);
        }
    }
  add_rule (&doc);

  /* Totals */
  {
    g_autofree char *subtotal = money (&doc, sale->subtotal);
    g_autofree char *total = money (&doc, sale->total);
    gint64 discounts = sale->line_discounts + sale->sale_discount;
    g_autofree char *n_items = g_strdup_printf ("%u", sale->lines->len);

    add_lr (&doc, label (&doc, L_ITEMS), n_items);
    add_lr (&doc, label (&doc, L_SUBTOTAL), subtotal);
    if (discounts != 0)
      {
        g_autofree char *d = money (&doc, -discounts);
        add_lr (&doc, label (&doc, L_DISCOUNTS), d);
      }
    if (sale->tax_mode == POS_TAX_EXCLUSIVE && sale->tax_total != 0)
      {
        g_autofree char *t = money (&doc, sale->tax_total);
        add_lr (&doc, label (&doc, L_TAX_ADDED), t);
      }
    add_lr (&doc, label (&doc, is_return ? L_REFUNDED : L_TOTAL), total);
  }

  /* Payments */
  for (guint i = 0; i < sale->payments->len; i++)
    {
      const PosPayment *p = g_ptr_array_index (sale->payments, i);
      g_autofree char *amount = money (&doc, p->method == POS_PAYMENT_CASH && p->tendered > p->amount
                                             ? p->tendered : p->amount);
      g_autofree char *name = NULL;

      if (p->card_last4)
        name = g_strdup_printf ("%s ****%s", method_label (&doc, p->method), p->card_last4);
      else
        name = g_strdup (method_label (&doc, p->method));
      add_lr (&doc, name, amount);
      if (p->method == POS_PAYMENT_STORE_CREDIT && p->reference &&
          g_str_has_prefix (p->reference, "VALE-"))
        add_lr (&doc, label (&doc, L_VOUCHER), p->reference);
    }
  if (sale->change_given > 0)
    {
      g_autofree char *change = money (&doc, sale->change_given);
      add_lr (&doc, label (&doc, L_CHANGE), change);
    }
  add_rule (&doc);

  add_taxes (&doc, sale);

  if (sale->customer_name)
    {
      g_autofree char *c = g_strdup_printf ("%s: %s", label (&doc, L_CUSTOMER), sale->customer_name);
      add_wrapped (&doc, c, FALSE);
    }
  if (is_return && sale->reason)
    {
      g_autofree char *r = g_strdup_printf ("%s: %s", label (&doc, L_REASON), sale->reason);
      add_wrapped (&doc, r, FALSE);
    }

  add_wrapped (&doc, store->receipt_footer, TRUE);
  if (!is_return && store->return_days > 0)
    {
      /* TRANSLATORS: %d is a number of days */
      g_autofree char *policy = doc.br
        ? g_strdup_printf ("Trocas em até %d dias com este cupom", store->return_days)
        : g_strdup_printf (_("Returns within %d days with this receipt"), store->return_days);
      add_wrapped (&doc, policy, TRUE);
    }
  if (reprint)
    add_center (&doc, label (&doc, L_COPY));

  /* The code, last, whole (printed as a QR code / barcode). */
  /* The code the return flow scans (a QR code or barcode once printed),
   * cut to the roll's width in the text: nothing runs off the paper. */
  {
    g_autofree char *code = pos_receipt_code_for_sale (sale->id);
    gsize len = strlen (code);

    for (gsize at = 0; at < len; at += columns)
      g_ptr_array_add (lines, g_strndup (code + at, MIN (columns, len - at)));
  }

  out = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (out, g_ptr_array_index (lines, i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
