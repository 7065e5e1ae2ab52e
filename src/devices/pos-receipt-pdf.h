/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "terminal/pos-receipt.h"

G_BEGIN_DECLS

/* A receipt document as PDF (cairo + pango) for printers with a driver,
 * and as PNG for the app's preview, both from the same layout: the
 * document in a monospaced font, 32 columns on a 58 mm roll, 48 on an
 * 80 mm roll and on A4, bold and double size as on the thermal printer,
 * the code as a QR image (libqrencode). A roll's page is as tall as its
 * content; A4 pages break where the content does. */

#define POS_RECEIPT_PDF_ERROR (pos_receipt_pdf_error_quark ())
GQuark pos_receipt_pdf_error_quark (void);

typedef enum {
  POS_RECEIPT_PDF_ERROR_FAILED,   /* cairo could not draw or write */
} PosReceiptPdfError;

typedef enum {
  POS_RECEIPT_PAPER_58MM,
  POS_RECEIPT_PAPER_80MM,
  POS_RECEIPT_PAPER_A4,
} PosReceiptPaper;

/* "58", "80", "a4" (or "58mm", "80mm", "A4"). */
gboolean pos_receipt_paper_from_string (const char      *text,
                                        PosReceiptPaper *out_paper);
/* Width in points (1/72 in): 164.41, 226.77, 595.28. */
double   pos_receipt_paper_width       (PosReceiptPaper  paper);
/* The columns the document is laid out in: 32, 48, 48. */
guint    pos_receipt_paper_columns     (PosReceiptPaper  paper);

GBytes  *pos_receipt_render_pdf        (const PosReceiptDoc  *doc,
                                        PosReceiptPaper       paper,
                                        GError              **error);
/* The same layout as an image of the paper's width at dpi (0 = 203, a
 * thermal printer's 8 dots/mm: 640 px for 80 mm), on white, as tall as
 * the content (A4 too: the preview is not paginated). */
GBytes  *pos_receipt_render_png        (const PosReceiptDoc  *doc,
                                        PosReceiptPaper       paper,
                                        double                dpi,
                                        GError              **error);

/* Lets go of the fonts (pango's default font map for this thread, cairo's
 * and fontconfig's caches): for short-lived programs and tests that check
 * for leaks at exit. Nothing may render after it in this process. */
void     pos_receipt_pdf_release_fonts (void);

G_END_DECLS
