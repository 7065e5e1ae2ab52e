/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "terminal/pos-receipt.h"

G_BEGIN_DECLS

/* A receipt document as ESC/POS bytes for a thermal printer, sent raw:
 * ESC @ (initialise), ESC t (the code page: 860 Portuguese or 858
 * Multilingual + euro, as the printer is set up; the text is transcoded,
 * what the code page lacks becomes '?'), ESC a (alignment), ESC E (bold),
 * GS ! (double width and height), the document laid out in 32, 42 or 48
 * columns, the code as a QR code (GS ( k) or a CODE128 barcode of the
 * sale's number (GS k, for printers without QR), a feed and a partial cut
 * (GS V 1). Deterministic: the same document gives the same bytes. */

typedef enum {
  POS_ESCPOS_SYMBOL_QR,        /* the QR payload ("BALCAO:SALE:<id>") */
  POS_ESCPOS_SYMBOL_BARCODE,   /* CODE128 of the barcode payload (the sale's number) */
  POS_ESCPOS_SYMBOL_NONE,
} PosEscposSymbol;

typedef struct {
  guint           columns;    /* 32, 42 or 48 (others are fitted to the nearest) */
  guint           code_page;  /* 860 or 858 */
  PosEscposSymbol symbol;
  gboolean        cut;        /* feed and cut at the end */
} PosEscposOptions;

/* 48 columns, code page 860, QR, cut. */
void     pos_escpos_options_init      (PosEscposOptions *options);
/* 860 and 858 are known. */
gboolean pos_escpos_code_page_is_known (guint code_page);

GBytes  *pos_receipt_render_escpos    (const PosReceiptDoc    *doc,
                                       const PosEscposOptions *options);

/* UTF-8 text in the printer's code page (860 or 858), '?' for what it
 * lacks; typographic dashes and quotes become ASCII ones first. */
GBytes  *pos_escpos_transcode         (const char *text,
                                       guint       code_page);

/* The cash drawer's pulse, ESC p: pin 0 is connector pin 2 (the usual
 * drawer), 1 is pin 5. 50 ms on, 500 ms off. Sent alone or after a
 * receipt. */
GBytes  *pos_escpos_drawer_pulse      (guint pin);

G_END_DECLS
