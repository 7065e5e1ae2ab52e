/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-receipt-pdf"

#include "config.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <string.h>

#include "pos-receipt-pdf.h"

G_DEFINE_QUARK (pos-receipt-pdf-error-quark, pos_receipt_pdf_error)

#define MM (72.0 / 25.4)
#define A4_WIDTH (210.0 * MM)
#define A4_HEIGHT (297.0 * MM)
#define FONT_FAMILY "DejaVu Sans Mono, Monospace"

gboolean
pos_receipt_paper_from_string (const char      *text,
                               PosReceiptPaper *out_paper)
{
  PosReceiptPaper paper;

  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "58") || g_ascii_strcasecmp (text, "58mm") == 0)
    paper = POS_RECEIPT_PAPER_58MM;
  else if (g_str_equal (text, "80") || g_ascii_strcasecmp (text, "80mm") == 0)
    paper = POS_RECEIPT_PAPER_80MM;
  else if (g_ascii_strcasecmp (text, "a4") == 0)
    paper = POS_RECEIPT_PAPER_A4;
  else
    return FALSE;
  if (out_paper != NULL)
    *out_paper = paper;
  return TRUE;
}

double
pos_receipt_paper_width (PosReceiptPaper paper)
{
  switch (paper)
    {
    case POS_RECEIPT_PAPER_58MM: return 58.0 * MM;
    case POS_RECEIPT_PAPER_80MM: return 80.0 * MM;
    case POS_RECEIPT_PAPER_A4: return A4_WIDTH;
    default: g_return_val_if_reached (80.0 * MM);
    }
}

guint
pos_receipt_paper_columns (PosReceiptPaper paper)
{
  return paper == POS_RECEIPT_PAPER_58MM ? 32 : 48;
}

/* Where the text goes: a roll's printable width (48 mm of 58, 72 mm of
 * 80, as the printers print), on A4 the text at 10 pt, centred. */
typedef struct {
  PosReceiptPaper  paper;
  double           page_width;
  double           margin_x;      /* left edge of the text column */
  double           text_width;
  double           margin_top;
  double           margin_bottom;
  double           font_size;     /* normal lines; DOUBLE is twice */
  PangoContext    *context;
  GPtrArray       *lines;         /* PosReceiptLine* */
} Page;

static void
page_clear (Page *page)
{
  g_clear_object (&page->context);
  g_clear_pointer (&page->lines, g_ptr_array_unref);
}

static PangoLayout *
make_layout (const Page           *page,
             const char           *text,
             PosReceiptStyle       style)
{
  PangoLayout *layout = pango_layout_new (page->context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_FAMILY);
  double size = page->font_size * ((style & POS_RECEIPT_STYLE_DOUBLE) != 0 ? 2 : 1);

  pango_font_description_set_size (font, (gint) lround (size * PANGO_SCALE));
  if ((style & POS_RECEIPT_STYLE_BOLD) != 0)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* cr: where the receipt is drawn (or one with the same transformation):
 * the layout is measured in its user space, in points. */
static void
page_init (Page                *page,
           const PosReceiptDoc *doc,
           PosReceiptPaper      paper,
           cairo_t             *cr)
{
  g_autoptr(PangoLayout) probe = NULL;
  g_autofree char *zeros = NULL;
  cairo_font_options_t *options;
  guint columns = pos_receipt_paper_columns (paper);
  PangoRectangle logical;

  memset (page, 0, sizeof *page);
  page->paper = paper;
  page->page_width = pos_receipt_paper_width (paper);
  switch (paper)
    {
    case POS_RECEIPT_PAPER_58MM:
      page->text_width = 48.0 * MM;
      page->margin_top = page->margin_bottom = 4.0 * MM;
      break;
    case POS_RECEIPT_PAPER_80MM:
      page->text_width = 72.0 * MM;
      page->margin_top = page->margin_bottom = 4.0 * MM;
      break;
    case POS_RECEIPT_PAPER_A4:
    default:
      page->text_width = 0;   /* from the font below */
      page->margin_top = page->margin_bottom = 20.0 * MM;
      break;
    }

  /* Unhinted metrics at 72 dpi: a point is a unit, the PDF and the PNG
   * lay out alike. */
  page->context = pango_cairo_create_context (cr);
  pango_cairo_context_set_resolution (page->context, 72.0);
  /* whole points would make a 7 pt character 4 pt wide instead of 4.2 */
  pango_context_set_round_glyph_positions (page->context, FALSE);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (page->context, options);
  cairo_font_options_destroy (options);

  /* The font size that puts columns characters across the text width. */
  page->font_size = 10.0;
  zeros = g_strnfill (columns, '0');
  probe = make_layout (page, zeros, POS_RECEIPT_STYLE_NORMAL);
  pango_layout_get_extents (probe, NULL, &logical);
  if (page->text_width == 0)
    page->text_width = (double) logical.width / PANGO_SCALE;
  else
    {
      double size = 10.0 * page->text_width / ((double) logical.width / PANGO_SCALE);

      /* once more at that size: the width need not scale exactly */
      page->font_size = size;
      g_object_unref (probe);
      probe = make_layout (page, zeros, POS_RECEIPT_STYLE_NORMAL);
      pango_layout_get_extents (probe, NULL, &logical);
      page->font_size = size * page->text_width / ((double) logical.width / PANGO_SCALE) * 0.995;
    }
  page->margin_x = (page->page_width - page->text_width) / 2;

  page->lines = pos_receipt_doc_layout (doc, columns, TRUE);
}

static QRcode *
encode_qr (const char *payload)
{
  return QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* The QR code's side: about 26 mm on an 80 mm roll, 22 mm on 58 mm. */
static double
qr_side (const Page *page)
{
  return page->paper == POS_RECEIPT_PAPER_58MM ? 22.0 * MM : 26.0 * MM;
}

static double
line_height (const Page           *page,
             const PosReceiptLine *line)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoRectangle logical;

  if (line->kind == POS_RECEIPT_ITEM_CODE)
    return qr_side (page) + 2.0 * MM;
  layout = make_layout (page, "0", line->style);
  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.height / PANGO_SCALE;
}

static void
draw_qr (cairo_t    *cr,
         const Page *page,
         const char *payload,
         double      y)
{
  QRcode *qr = encode_qr (payload);
  double side = qr_side (page);
  double module;
  double x0;

  if (qr == NULL)
    {
      g_warning ("cannot encode the receipt's QR code: %s", g_strerror (errno));
      return;
    }
  module = side / qr->width;
  x0 = (page->page_width - side) / 2;
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (int row = 0; row < qr->width; row++)
    for (int col = 0; col < qr->width; col++)
      if (qr->data[row * qr->width + col] & 1)
        cairo_rectangle (cr, x0 + col * module, y + 1.0 * MM + row * module, module, module);
  cairo_fill (cr);
  QRcode_free (qr);
}

static void
draw_line (cairo_t              *cr,
           const Page           *page,
           const PosReceiptLine *line,
           double                y)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoRectangle logical;
  double x = page->margin_x;
  double width;

  if (line->kind == POS_RECEIPT_ITEM_CODE)
    {
      draw_qr (cr, page, line->text, y);
      return;
    }
  layout = make_layout (page, line->text, line->style);
  pango_layout_get_extents (layout, NULL, &logical);
  width = (double) logical.width / PANGO_SCALE;
  if (line->align == POS_RECEIPT_ALIGN_CENTER)
    x += (page->text_width - width) / 2;
  else if (line->align == POS_RECEIPT_ALIGN_RIGHT)
    x += page->text_width - width;
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* The height the content needs, margins included. */
static double
content_height (const Page *page)
{
  double h = page->margin_top + page->margin_bottom;

  for (guint i = 0; i < page->lines->len; i++)
    h += line_height (page, g_ptr_array_index (page->lines, i));
  return ceil (h);
}

/* Draws every line from the top; with page_height > 0 starts a new page
 * when the next line would cross the bottom margin. */
static void
draw_all (cairo_t    *cr,
          const Page *page,
          double      page_height)
{
  double y = page->margin_top;

  for (guint i = 0; i < page->lines->len; i++)
    {
      const PosReceiptLine *line = g_ptr_array_index (page->lines, i);
      double h = line_height (page, line);

      if (page_height > 0 && y + h > page_height - page->margin_bottom && y > page->margin_top)
        {
          cairo_show_page (cr);
          y = page->margin_top;
        }
      draw_line (cr, page, line, y);
      y += h;
    }
}

static cairo_status_t
write_to_array (void                *closure,
                const unsigned char *data,
                unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
check_status (cairo_status_t   status,
              GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, POS_RECEIPT_PDF_ERROR, POS_RECEIPT_PDF_ERROR_FAILED,
               _("Cannot draw the receipt: %s"), cairo_status_to_string (status));
  return FALSE;
}

GBytes *
pos_receipt_render_pdf (const PosReceiptDoc  *doc,
                        PosReceiptPaper       paper,
                        GError              **error)
{
  g_autoptr(GByteArray) out = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  double height;
  Page page;

  g_return_val_if_fail (doc != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (paper == POS_RECEIPT_PAPER_A4)
    height = A4_HEIGHT;
  else
    {
      cairo_surface_t *probe = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);

      cr = cairo_create (probe);
      page_init (&page, doc, paper, cr);
      height = content_height (&page);
      page_clear (&page);
      cairo_destroy (cr);
      cairo_surface_destroy (probe);
    }

  out = g_byte_array_new ();
  surface = cairo_pdf_surface_create_for_stream (write_to_array, out, pos_receipt_paper_width (paper), height);
  if (doc->title != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, doc->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Balcão");
  cr = cairo_create (surface);
  page_init (&page, doc, paper, cr);
  draw_all (cr, &page, paper == POS_RECEIPT_PAPER_A4 ? A4_HEIGHT : 0);
  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  page_clear (&page);

  if (!check_status (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
pos_receipt_render_png (const PosReceiptDoc  *doc,
                        PosReceiptPaper       paper,
                        double                dpi,
                        GError              **error)
{
  g_autoptr(GByteArray) out = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  double scale;
  int width, height;
  Page page;

  g_return_val_if_fail (doc != NULL, NULL);
  g_return_val_if_fail (dpi >= 0 && dpi <= 1200, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scale = (dpi > 0 ? dpi : 203.0) / 72.0;
  {
    cairo_surface_t *probe = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1, 1);

    cr = cairo_create (probe);
    cairo_scale (cr, scale, scale);
    page_init (&page, doc, paper, cr);
    width = (int) ceil (page.page_width * scale);
    height = (int) ceil (content_height (&page) * scale);
    page_clear (&page);
    cairo_destroy (cr);
    cairo_surface_destroy (probe);
  }

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  page_init (&page, doc, paper, cr);
  draw_all (cr, &page, 0);
  status = cairo_status (cr);
  cairo_destroy (cr);

  out = g_byte_array_new ();
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, write_to_array, out);
  cairo_surface_destroy (surface);
  page_clear (&page);

  if (!check_status (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

void
pos_receipt_pdf_release_fonts (void)
{
  pango_cairo_font_map_set_default (NULL);
  cairo_debug_reset_static_data ();
  FcFini ();
}
