/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-customers.h"
#include "pos-database.h"
#include "pos-sales.h"
#include "pos-shifts.h"

G_BEGIN_DECLS

/* A receipt as a document: a list of items (text, left/right pairs,
 * rules, the code) with their alignment and emphasis, built from a sale or
 * return record and the store (+ the customer when attached), or from a
 * shift's X/Z report. The renderers lay it out: as text here, as ESC/POS
 * bytes in devices/pos-receipt-escpos.h, as PDF/PNG in
 * devices/pos-receipt-pdf.h. A sale's document ends with the code the
 * return flow scans, "BALCAO:SALE:<id>" (a QR code once printed), and the
 * sale's number (a barcode for printers without QR). reprint adds
 * "2ª VIA" / "COPY". Translated. */

typedef enum {
  POS_RECEIPT_ITEM_TEXT,   /* text: wrapped at words (wrap) or cut to the width */
  POS_RECEIPT_ITEM_PAIR,   /* text on the left, right on the right: never cut */
  POS_RECEIPT_ITEM_RULE,   /* a line of '-' across */
  POS_RECEIPT_ITEM_CODE,   /* text: the QR payload; right: the barcode payload (may be NULL) */
} PosReceiptItemKind;

typedef enum {
  POS_RECEIPT_ALIGN_LEFT,
  POS_RECEIPT_ALIGN_CENTER,
  POS_RECEIPT_ALIGN_RIGHT,
} PosReceiptAlign;

typedef enum {
  POS_RECEIPT_STYLE_NORMAL = 0,
  POS_RECEIPT_STYLE_BOLD   = 1 << 0,
  POS_RECEIPT_STYLE_DOUBLE = 1 << 1,  /* double width and height: half the columns */
} PosReceiptStyle;

typedef struct {
  PosReceiptItemKind kind;
  PosReceiptAlign    align;
  PosReceiptStyle    style;
  gboolean           wrap;
  char              *text;
  char              *right;
} PosReceiptItem;

typedef struct {
  char      *title;     /* "CUPOM NÃO FISCAL", "DEVOLUÇÃO", "Z REPORT — shift 3"... */
  char      *code;      /* "BALCAO:SALE:<id>", NULL for reports */
  gboolean   reprint;
  GPtrArray *items;     /* PosReceiptItem* */
} PosReceiptDoc;

/* An empty document (no title, no code, no items): where every builder
 * starts, these below and those of other documents. */
PosReceiptDoc *pos_receipt_doc_new           (void);
/* A time on paper: dd/mm/yyyy HH:MM (local time), whatever the store or
 * the cashier, on every document. */
char          *pos_receipt_format_time       (gint64 unix_ms);
void           pos_receipt_doc_free          (PosReceiptDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosReceiptDoc, pos_receipt_doc_free)

/* customer may be NULL; when given (the sale's customer, from
 * pos_customers_get), the receipt shows the masked CPF and the loyalty
 * points besides the name. */
PosReceiptDoc *pos_receipt_doc_new_for_sale  (const PosSaleRecord      *sale,
                                              const PosStoreInfo       *store,
                                              const PosCustomerSummary *customer,
                                              gboolean                  reprint);
/* An X report (open shift) or a Z report (closed with a count), under the
 * store's name, address and CNPJ. store may be NULL. */
PosReceiptDoc *pos_receipt_doc_new_for_shift (const PosShiftReport     *report,
                                              const PosStoreInfo       *store);

/* Adding items, for the builders above and for other documents. */
void           pos_receipt_doc_add_text      (PosReceiptDoc   *doc,
                                              const char      *text,
                                              PosReceiptAlign  align,
                                              PosReceiptStyle  style,
                                              gboolean         wrap);
void           pos_receipt_doc_add_pair      (PosReceiptDoc   *doc,
                                              const char      *left,
                                              const char      *right,
                                              PosReceiptStyle  style);
void           pos_receipt_doc_add_rule      (PosReceiptDoc   *doc);
void           pos_receipt_doc_add_code      (PosReceiptDoc   *doc,
                                              const char      *qr_payload,
                                              const char      *barcode_payload);

/* The document laid out in a fixed number of columns (characters, not
 * bytes). A line of style DOUBLE is laid out in half the columns when
 * double_halves is TRUE (ESC/POS, PDF), in all of them otherwise (the text
 * preview). text holds the line without the padding that its alignment
 * adds: the renderer aligns it in its columns. A CODE item gives one line
 * of kind CODE (text: the QR payload, right: the barcode's). */
typedef struct {
  PosReceiptItemKind kind;   /* TEXT or CODE */
  PosReceiptAlign    align;
  PosReceiptStyle    style;
  guint              columns; /* the columns this line was laid out in */
  char              *text;
  char              *right;
} PosReceiptLine;

GPtrArray     *pos_receipt_doc_layout        (const PosReceiptDoc *doc,
                                              guint                columns,
                                              gboolean             double_halves);
/* 32, 42 or 48: the nearest width a roll printer has. */
guint          pos_receipt_fit_columns       (guint columns);

/* The document as text of columns characters a line; the code is cut to
 * the width on the last lines. */
char          *pos_receipt_doc_render_text   (const PosReceiptDoc *doc,
                                              guint                columns);

/* pos_receipt_doc_new_for_sale (sale, store, NULL, reprint) as text. */
char *pos_receipt_render_text (const PosSaleRecord *sale,
                               const PosStoreInfo  *store,
                               guint                columns,
                               gboolean             reprint);
/* The id of the last shift closed at this terminal (whose Z report can be
 * printed again), or NULL without an error when none was closed yet. */
char *pos_receipt_last_closed_shift (PosDatabase *db,
                                     GError     **error);
/* The code printed on the receipt for the return flow. */
char *pos_receipt_code_for_sale (const char *sale_id);

G_END_DECLS
