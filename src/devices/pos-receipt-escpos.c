/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-escpos"

#include "config.h"

#include <string.h>

#include "pos-receipt-escpos.h"

#define ESC 0x1b
#define GS  0x1d
#define LF  0x0a

void
pos_escpos_options_init (PosEscposOptions *options)
{
  g_return_if_fail (options != NULL);

  options->columns = 48;
  options->code_page = 860;
  options->symbol = POS_ESCPOS_SYMBOL_QR;
  options->cut = TRUE;
}

gboolean
pos_escpos_code_page_is_known (guint code_page)
{
  return code_page == 860 || code_page == 858;
}

/* ESC t n: the character code table, as Epson numbers them (and the
 * printers that copy Epson's command set). */
static guint8
code_table (guint code_page)
{
  return code_page == 858 ? 19 : 3;
}

static const struct {
  const char *from;
  const char *to;
} ascii_fallbacks[] = {
  { "\u2014", "-" },   /* em dash */
  { "\u2013", "-" },   /* en dash */
  { "\u2212", "-" },   /* minus */
  { "\u201c", "\"" }, { "\u201d", "\"" }, { "\u201e", "\"" },
  { "\u2018", "'" }, { "\u2019", "'" },
  { "\u2026", "..." },
  { "\u00a0", " " },   /* no-break space */
  { "\u202f", " " },   /* narrow no-break space */
};

GBytes *
pos_escpos_transcode (const char *text,
                      guint       code_page)
{
  g_autoptr(GString) plain = NULL;
  g_autofree char *out = NULL;
  gsize len = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (pos_escpos_code_page_is_known (code_page), NULL);

  plain = g_string_new (text);
  for (guint i = 0; i < G_N_ELEMENTS (ascii_fallbacks); i++)
    g_string_replace (plain, ascii_fallbacks[i].from, ascii_fallbacks[i].to, 0);
  /* Control characters would be taken for commands. */
  for (gsize i = 0; i < plain->len; i++)
    if ((guchar) plain->str[i] < 0x20)
      plain->str[i] = ' ';

  out = g_convert_with_fallback (plain->str, plain->len, code_page == 858 ? "CP858" : "CP860",
                                 "UTF-8", "?", NULL, &len, NULL);
  if (out == NULL)
    {
      /* Invalid UTF-8 or a converter missing: ASCII, the rest as '?'. */
      g_autoptr(GString) ascii = g_string_new (NULL);

      for (const char *p = plain->str; *p != '\0'; p++)
        g_string_append_c (ascii, (guchar) *p < 0x80 ? *p : '?');
      return g_bytes_new (ascii->str, ascii->len);
    }
  return g_bytes_new (out, len);
}

typedef struct {
  GByteArray      *out;
  guint            code_page;
  PosReceiptAlign  align;
  PosReceiptStyle  style;
} Printer;

static void
put_bytes (Printer *p,
           guint8   b0,
           guint8   b1,
           guint8   b2)
{
  guint8 cmd[3] = { b0, b1, b2 };

  g_byte_array_append (p->out, cmd, sizeof cmd);
}

static void
put_text (Printer    *p,
          const char *text)
{
  g_autoptr(GBytes) bytes = pos_escpos_transcode (text, p->code_page);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_byte_array_append (p->out, data, len);
}

static void
set_align (Printer         *p,
           PosReceiptAlign  align)
{
  if (p->align == align)
    return;
  p->align = align;
  put_bytes (p, ESC, 'a', align == POS_RECEIPT_ALIGN_CENTER ? 1 : align == POS_RECEIPT_ALIGN_RIGHT ? 2 : 0);
}

static void
set_style (Printer         *p,
           PosReceiptStyle  style)
{
  if ((p->style & POS_RECEIPT_STYLE_BOLD) != (style & POS_RECEIPT_STYLE_BOLD))
    put_bytes (p, ESC, 'E', (style & POS_RECEIPT_STYLE_BOLD) != 0 ? 1 : 0);
  if ((p->style & POS_RECEIPT_STYLE_DOUBLE) != (style & POS_RECEIPT_STYLE_DOUBLE))
    put_bytes (p, GS, '!', (style & POS_RECEIPT_STYLE_DOUBLE) != 0 ? 0x11 : 0x00);
  p->style = style;
}

/* GS ( k: model 2, module size, error correction M, store, print. */
static void
put_qr (Printer    *p,
        const char *payload,
        guint       columns)
{
  gsize len = strlen (payload);
  gsize stored = len + 3;
  static const guint8 model[] = { GS, '(', 'k', 4, 0, 49, 65, 50, 0 };
  static const guint8 level[] = { GS, '(', 'k', 3, 0, 49, 69, 49 };
  static const guint8 print[] = { GS, '(', 'k', 3, 0, 49, 81, 48 };
  guint8 size[] = { GS, '(', 'k', 3, 0, 49, 67, columns <= 32 ? 4 : 6 };
  guint8 store[] = { GS, '(', 'k', stored & 0xff, (stored >> 8) & 0xff, 49, 80, 48 };

  g_byte_array_append (p->out, model, sizeof model);
  g_byte_array_append (p->out, size, sizeof size);
  g_byte_array_append (p->out, level, sizeof level);
  g_byte_array_append (p->out, store, sizeof store);
  g_byte_array_append (p->out, (const guint8 *) payload, len);
  g_byte_array_append (p->out, print, sizeof print);
}

/* GS k 73: CODE128, code set B, the human-readable text below. */
static void
put_barcode (Printer    *p,
             const char *payload,
             guint       columns)
{
  g_autoptr(GString) data = g_string_new ("{B");
  guint8 n;

  for (const char *c = payload; *c != '\0' && data->len < 255; c++)
    if ((guchar) *c >= 0x20 && (guchar) *c < 0x7f)
      g_string_append_c (data, *c);

  put_bytes (p, GS, 'h', 80);                     /* height in dots */
  put_bytes (p, GS, 'w', columns <= 32 ? 2 : 3);  /* module width */
  put_bytes (p, GS, 'H', 2);                      /* text below */
  put_bytes (p, GS, 'k', 73);
  n = (guint8) data->len;
  g_byte_array_append (p->out, &n, 1);
  g_byte_array_append (p->out, (const guint8 *) data->str, data->len);
}

GBytes *
pos_receipt_render_escpos (const PosReceiptDoc    *doc,
                           const PosEscposOptions *options)
{
  g_autoptr(GPtrArray) lines = NULL;
  PosEscposOptions defaults;
  Printer p;
  guint columns;

  g_return_val_if_fail (doc != NULL, NULL);

  if (options == NULL)
    {
      pos_escpos_options_init (&defaults);
      options = &defaults;
    }
  g_return_val_if_fail (pos_escpos_code_page_is_known (options->code_page), NULL);

  columns = pos_receipt_fit_columns (options->columns);
  lines = pos_receipt_doc_layout (doc, columns, TRUE);

  p.out = g_byte_array_sized_new (4096);
  p.code_page = options->code_page;
  p.align = POS_RECEIPT_ALIGN_LEFT;
  p.style = POS_RECEIPT_STYLE_NORMAL;

  g_byte_array_append (p.out, (const guint8 *) "\x1b@", 2);   /* ESC @: initialise */
  put_bytes (&p, ESC, 't', code_table (options->code_page));

  for (guint i = 0; i < lines->len; i++)
    {
      const PosReceiptLine *line = g_ptr_array_index (lines, i);

      if (line->kind == POS_RECEIPT_ITEM_CODE)
        {
          if (options->symbol == POS_ESCPOS_SYMBOL_NONE ||
              (options->symbol == POS_ESCPOS_SYMBOL_BARCODE && line->right == NULL))
            continue;
          set_style (&p, POS_RECEIPT_STYLE_NORMAL);
          set_align (&p, POS_RECEIPT_ALIGN_CENTER);
          if (options->symbol == POS_ESCPOS_SYMBOL_QR)
            put_qr (&p, line->text, columns);
          else
            put_barcode (&p, line->right, columns);
          g_byte_array_append (p.out, (const guint8 *) "\n", 1);
          continue;
        }
      set_style (&p, line->style);
      set_align (&p, line->align);
      put_text (&p, line->text);
      g_byte_array_append (p.out, (const guint8 *) "\n", 1);
    }

  set_style (&p, POS_RECEIPT_STYLE_NORMAL);
  set_align (&p, POS_RECEIPT_ALIGN_LEFT);
  if (options->cut)
    {
      put_bytes (&p, ESC, 'd', 4);                /* feed past the cutter */
      put_bytes (&p, GS, 'V', 1);                 /* partial cut */
    }
  return g_byte_array_free_to_bytes (p.out);
}

GBytes *
pos_escpos_drawer_pulse (guint pin)
{
  const guint8 pulse[] = { ESC, 'p', pin == 1 ? 1 : 0, 25, 250 };

  return g_bytes_new (pulse, sizeof pulse);
}
