/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receipt-render"

#include "config.h"

#include <cairo.h>
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "devices/pos-receipt-escpos.h"
#include "devices/pos-receipt-pdf.h"
#include "domain/pos-money.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-shifts.h"
#include "sales-fixture.h"

/* Golden files: tests/fixtures/receipts/<name>.bin (ESC/POS) and
 * <name>.txt (the text rendering). BALCAO_UPDATE_GOLDEN=1 rewrites them
 * from the renderer; read them (hexdump -C) before committing. Sale ids
 * and times are fixed here (TZ=UTC) so the bytes do not change. Each
 * comparison also checks facts written out independently of the golden
 * file. PDFs are checked with pdfinfo and pdftotext (poppler-utils). */

#define FIXED_SALE_ID   "0190a0b0-0000-7000-8000-0000000000aa"
#define FIXED_RETURN_ID "0190a0b0-0000-7000-8000-0000000000bb"
#define FIXED_TIME_MS   G_GINT64_CONSTANT (1735732800000)   /* 2025-01-01 12:00 UTC */

static char *dir;
static PosDatabase *db;
static char *sale_id;

static void
setup (void)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;

  dir = fixture_make_dir ();
  db = fixture_open (dir);
  ck_assert (pos_database_set_setting (db, "receipt_footer", "Obrigado pela preferência! Volte sempre.", NULL));

  fixture_add (cart, FIX_CAFE, 2000);
  fixture_add (cart, FIX_QUEIJO, 512);
  fixture_add (cart, FIX_ARROZ, 1000);
  ck_assert (pos_cart_set_line_discount (cart, 2, POS_DISCOUNT_AMOUNT, 290, &error));
  pos_cart_set_customer (cart, FIX_CUSTOMER, "João Souza");
  fixture_pay (cart, POS_PAYMENT_CREDIT_CARD, 2000);
  fixture_pay (cart, POS_PAYMENT_CASH, 10000);
  sale_id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (sale_id != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_pointer (&sale_id, g_free);
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

/* The record with its id and time fixed. */
static PosSaleRecord *
load_fixed (const char *id,
            const char *fixed_id)
{
  g_autoptr(GError) error = NULL;
  PosSaleRecord *rec = pos_sales_load (db, id, &error);

  ck_assert_msg (rec != NULL, "%s", error ? error->message : "");
  g_free (rec->id);
  rec->id = g_strdup (fixed_id);
  rec->created_at = FIXED_TIME_MS;
  return rec;
}

static PosReceiptDoc *
sale_doc (const char *id,
          const char *fixed_id,
          gboolean    reprint)
{
  g_autoptr(PosSaleRecord) rec = load_fixed (id, fixed_id);
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autoptr(PosCustomerSummary) customer = NULL;

  ck_assert (info != NULL);
  if (rec->customer_id != NULL)
    customer = pos_customers_get (db, rec->customer_id, NULL);
  return pos_receipt_doc_new_for_sale (rec, info, customer, reprint);
}

static char *
golden_path (const char *name)
{
  const char *src = g_getenv ("BALCAO_SOURCE_DIR");

  ck_assert_msg (src != NULL, "BALCAO_SOURCE_DIR is not set (run through meson test)");
  return g_build_filename (src, "tests", "fixtures", "receipts", name, NULL);
}

static void
check_golden (const char *name,
              const void *data,
              gsize       len)
{
  g_autofree char *path = golden_path (name);
  g_autofree char *expected = NULL;
  gsize expected_len = 0;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("BALCAO_UPDATE_GOLDEN") != NULL)
    {
      ck_assert_msg (g_file_set_contents (path, data, (gssize) len, &error), "%s", error ? error->message : "");
      return;
    }
  ck_assert_msg (g_file_get_contents (path, &expected, &expected_len, &error),
                 "%s (BALCAO_UPDATE_GOLDEN=1 writes it)", error ? error->message : "");
  if (expected_len != len || memcmp (expected, data, len) != 0)
    {
      g_autofree char *actual = g_build_filename (g_get_tmp_dir (), name, NULL);

      g_file_set_contents (actual, data, (gssize) len, NULL);
      ck_abort_msg ("%s differs from the golden file %s (this run's output: %s)", name, path, actual);
    }
}

static gboolean
contains (GBytes     *bytes,
          const char *needle,
          gsize       needle_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (needle_len > len)
    return FALSE;
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}
#define CONTAINS(bytes, lit) contains ((bytes), (lit), sizeof (lit) - 1)

/* What every receipt in ESC/POS holds, written out from the command set. */
static void
assert_escpos_frame (GBytes *bytes,
                     guint   code_page)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  static const guint8 tail[] = { 0x1b, 'd', 4, 0x1d, 'V', 1 };

  ck_assert_uint_gt (len, 100);
  ck_assert_int_eq (data[0], 0x1b);               /* ESC @ */
  ck_assert_int_eq (data[1], '@');
  ck_assert_int_eq (data[2], 0x1b);               /* ESC t n */
  ck_assert_int_eq (data[3], 't');
  ck_assert_int_eq (data[4], code_page == 858 ? 19 : 3);
  ck_assert_msg (memcmp (data + len - sizeof tail, tail, sizeof tail) == 0, "does not end with a feed and GS V 1");
  /* transcoded: no UTF-8 lead byte of Latin-1 letters is left */
  for (gsize i = 0; i < len; i++)
    ck_assert_msg (data[i] != 0xc3 && data[i] != 0xc2, "UTF-8 left at byte %zu", i);
}

static void
assert_escpos_total (GBytes              *bytes,
                     const PosSaleRecord *rec)
{
  g_autofree char *total = pos_money_format (rec->total, "BRL", "pt_BR");
  g_autoptr(GBytes) cp = pos_escpos_transcode (total, 860);
  gsize len;
  const char *data = g_bytes_get_data (cp, &len);

  ck_assert_msg (contains (bytes, data, len), "the total %s is not in the bytes", total);
  /* "R$ 12,34": plain ASCII with an ordinary space */
  ck_assert_uint_eq (len, strlen (total));
}

static void
assert_qr (GBytes     *bytes,
           const char *id)
{
  g_autofree char *code = g_strconcat ("BALCAO:SALE:", id, NULL);
  gsize n = strlen (code) + 3;
  g_autofree char *store = g_strdup_printf ("\x1d(k%c%c1P0%s", (char) (n & 0xff), (char) (n >> 8), code);

  ck_assert_msg (contains (bytes, store, 8 + strlen (code)), "no GS ( k store of %s", code);
  ck_assert (CONTAINS (bytes, "\x1d(k\x03\x00" "1Q0"));   /* print */
}

static void
check_text_golden (const PosReceiptDoc *doc,
                   guint                columns,
                   const char          *name)
{
  g_autofree char *text = pos_receipt_doc_render_text (doc, columns);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    ck_assert_msg (g_utf8_strlen (lines[i], -1) <= (glong) columns, "%s: line %u too wide", name, i);
  check_golden (name, text, strlen (text));
}

START_TEST (test_plain_sale)
{
  g_autoptr(PosReceiptDoc) doc = sale_doc (sale_id, FIXED_SALE_ID, FALSE);
  g_autoptr(PosSaleRecord) rec = load_fixed (sale_id, FIXED_SALE_ID);
  g_autoptr(GBytes) bytes = NULL;
  PosEscposOptions opts;

  pos_escpos_options_init (&opts);
  ck_assert_uint_eq (opts.columns, 48);
  bytes = pos_receipt_render_escpos (doc, &opts);
  assert_escpos_frame (bytes, 860);
  assert_escpos_total (bytes, rec);
  assert_qr (bytes, FIXED_SALE_ID);
  ck_assert (CONTAINS (bytes, "CUPOM N\x8eO FISCAL"));        /* Ã in CP860 */
  ck_assert (CONTAINS (bytes, "\x1b" "E\x01\x1d!\x11"));       /* bold, double */
  ck_assert (CONTAINS (bytes, "Jo\x84o Souza"));               /* ã */
  ck_assert (CONTAINS (bytes, "***.982.247-**"));            /* the customer's CPF, masked */
  ck_assert (!CONTAINS (bytes, "2\xa6 VIA"));
  check_golden ("sale-plain-48.bin", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  check_text_golden (doc, 48, "sale-plain-48.txt");
}
END_TEST

/* 50 lines: the five products ten times each, every line with its own
 * note (so that none is merged into another) */
static void
add_fifty_lines (PosCart *cart)
{
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *note = g_strdup_printf ("Lote %02u", i + 1);

      fixture_add (cart, 1 + i % 5, i % 5 == FIX_QUEIJO - 1 ? 100 + 10 * i : 1000 * (1 + i / 5));
      pos_cart_set_line_note (cart, i, note);
    }
}

START_TEST (test_long_sale)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  g_autoptr(GBytes) bytes = NULL;
  PosEscposOptions opts;

  add_fifty_lines (cart);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  doc = sale_doc (id, FIXED_SALE_ID, FALSE);
  rec = load_fixed (id, FIXED_SALE_ID);
  ck_assert_uint_eq (rec->lines->len, 50);

  pos_escpos_options_init (&opts);
  opts.columns = 42;
  bytes = pos_receipt_render_escpos (doc, &opts);
  assert_escpos_frame (bytes, 860);
  assert_escpos_total (bytes, rec);
  assert_qr (bytes, FIXED_SALE_ID);
  ck_assert (CONTAINS (bytes, "050 "));
  check_golden ("sale-long-42.bin", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  check_text_golden (doc, 42, "sale-long-42.txt");
}
END_TEST

START_TEST (test_accents_cp858)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) bytes860 = NULL;
  PosEscposOptions opts;

  ck_assert (pos_database_set_setting (db, "receipt_header", "Atenção: preços válidos só hoje — “promoção” €5", NULL));
  fixture_add (cart, FIX_FEIJAO, 3000);
  pos_cart_set_line_note (cart, 0, "Pão de açúcar, maçã e côco");
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  doc = sale_doc (id, FIXED_SALE_ID, FALSE);

  pos_escpos_options_init (&opts);
  opts.columns = 32;
  opts.code_page = 858;
  bytes = pos_receipt_render_escpos (doc, &opts);
  assert_escpos_frame (bytes, 858);
  assert_qr (bytes, FIXED_SALE_ID);
  /* CP858: Ã C7, ã C6, ç 87, é 82, á A0, ó A2, ô 93, € D5 */
  ck_assert (CONTAINS (bytes, "CUPOM N\xc7O FISCAL"));
  ck_assert (CONTAINS (bytes, "Aten\x87\xc6o"));
  ck_assert (CONTAINS (bytes, "P\xc6o de a\x87\xa3" "car"));
  ck_assert (CONTAINS (bytes, "Feij\xc6o"));
  ck_assert (CONTAINS (bytes, "\xd5" "5"));                 /* € */
  ck_assert (CONTAINS (bytes, "- \"promo"));              /* dash and quotes in ASCII */
  check_golden ("sale-accents-32-cp858.bin", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  /* the same in CP860: no euro there, '?' instead */
  opts.code_page = 860;
  bytes860 = pos_receipt_render_escpos (doc, &opts);
  assert_escpos_frame (bytes860, 860);
  ck_assert (CONTAINS (bytes860, "Feij\x84o"));
  ck_assert (CONTAINS (bytes860, "?5"));
  check_text_golden (doc, 32, "sale-accents-32.txt");
}
END_TEST

START_TEST (test_return)
{
  g_autoptr(GError) error = NULL;
  PosReturnItem item = { 2, 200 };
  g_autofree char *ret = pos_returns_commit (db, sale_id, &item, 1, POS_REFUND_STORE_CREDIT,
                                             "vencido", NULL, NULL, &error);
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autoptr(PosSaleRecord) rec = NULL;
  g_autoptr(GBytes) bytes = NULL;

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  doc = sale_doc (ret, FIXED_RETURN_ID, FALSE);
  rec = load_fixed (ret, FIXED_RETURN_ID);
  bytes = pos_receipt_render_escpos (doc, NULL);
  assert_escpos_frame (bytes, 860);
  assert_escpos_total (bytes, rec);
  assert_qr (bytes, FIXED_RETURN_ID);
  ck_assert (CONTAINS (bytes, "DEVOLU\x80\x8eO"));           /* ÇÃ in CP860 */
  ck_assert (CONTAINS (bytes, "001-01-D000001"));
  ck_assert (CONTAINS (bytes, "Motivo: vencido"));
  check_golden ("return-48.bin", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  check_text_golden (doc, 48, "return-48.txt");
}
END_TEST

START_TEST (test_reprint_barcode)
{
  g_autoptr(PosReceiptDoc) doc = sale_doc (sale_id, FIXED_SALE_ID, TRUE);
  g_autoptr(GBytes) bytes = NULL;
  PosEscposOptions opts;

  pos_escpos_options_init (&opts);
  opts.columns = 42;
  opts.symbol = POS_ESCPOS_SYMBOL_BARCODE;
  bytes = pos_receipt_render_escpos (doc, &opts);
  assert_escpos_frame (bytes, 860);
  ck_assert (CONTAINS (bytes, "2\xa6 VIA"));                 /* ª */
  /* GS k 73 n {B number: CODE128 of the sale's number, no QR */
  ck_assert (CONTAINS (bytes, "\x1dk\x49\x0f{B001-01-000001"));
  ck_assert (!CONTAINS (bytes, "\x1d(k"));
  check_golden ("reprint-42.bin", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  check_text_golden (doc, 42, "reprint-42.txt");
}
END_TEST

static PosShiftReport *
close_shift (void)
{
  g_autoptr(GError) error = NULL;
  PosShiftReport *z;
  gint64 diff = 0;

  ck_assert (pos_shifts_preview_close (db, 0, &diff, &error));
  z = pos_shifts_close (db, NULL, 0, -diff, NULL, NULL, &error);   /* counted = expected */
  ck_assert_msg (z != NULL, "%s", error ? error->message : "");
  z->opened_at = FIXED_TIME_MS - 8 * 3600 * 1000;
  z->closed_at = FIXED_TIME_MS;
  return z;
}

START_TEST (test_z_report)
{
  g_autoptr(PosShiftReport) z = close_shift ();
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autoptr(PosReceiptDoc) doc = pos_receipt_doc_new_for_shift (z, info);
  g_autoptr(GBytes) bytes = pos_receipt_render_escpos (doc, NULL);
  g_autofree char *expected = pos_money_format (z->expected_cash, "BRL", "pt_BR");

  ck_assert (z->has_count);
  ck_assert_ptr_null (doc->code);
  assert_escpos_frame (bytes, 860);
  /* in the store's language (docs/printing.md): "REDUÇÃO Z — turno 1",
   * the em dash in ASCII, Ç and Ã in code page 860 */
  ck_assert (CONTAINS (bytes, "REDU\x80\x8eO Z - turno 1"));
  ck_assert (CONTAINS (bytes, "Dinheiro esperado"));
  ck_assert (!CONTAINS (bytes, "REPORT"));
  ck_assert (contains (bytes, expected, strlen (expected)));
  ck_assert (!CONTAINS (bytes, "\x1d(k"));
  check_golden ("z-report-48.bin", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  check_text_golden (doc, 48, "z-report-48.txt");
}
END_TEST

START_TEST (test_drawer_pulse)
{
  g_autoptr(GBytes) pin2 = pos_escpos_drawer_pulse (0);
  g_autoptr(GBytes) pin5 = pos_escpos_drawer_pulse (1);
  static const guint8 expect2[] = { 0x1b, 0x70, 0x00, 0x19, 0xfa };
  static const guint8 expect5[] = { 0x1b, 0x70, 0x01, 0x19, 0xfa };

  ck_assert_uint_eq (g_bytes_get_size (pin2), 5);
  ck_assert (memcmp (g_bytes_get_data (pin2, NULL), expect2, 5) == 0);
  ck_assert (memcmp (g_bytes_get_data (pin5, NULL), expect5, 5) == 0);
}
END_TEST

START_TEST (test_text_unchanged)
{
  /* pos_receipt_render_text is the document rendered as text */
  g_autoptr(PosSaleRecord) rec = pos_sales_load (db, sale_id, NULL);
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autoptr(PosReceiptDoc) doc = pos_receipt_doc_new_for_sale (rec, info, NULL, TRUE);
  g_autofree char *a = pos_receipt_render_text (rec, info, 42, TRUE);
  g_autofree char *b = pos_receipt_doc_render_text (doc, 42);

  ck_assert_str_eq (a, b);
}
END_TEST

/* ---- PDF and PNG ---- */

static char *
run_tool (const char *tool,
          GBytes     *pdf,
          gboolean    layout)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "receipt.pdf", NULL);
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv_info[] = { tool, path, NULL };
  const char *argv_text[] = { tool, "-layout", "-enc", "UTF-8", path, "-", NULL };

  ck_assert (g_file_set_contents (path, g_bytes_get_data (pdf, NULL), (gssize) g_bytes_get_size (pdf), NULL));
  ck_assert_msg (g_spawn_sync (NULL, (char **) (layout ? argv_text : argv_info), NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, NULL, &status, &error),
                 "%s: %s (install poppler-utils)", tool, error ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "%s failed", tool);
  return g_steal_pointer (&out);
}

static void
pdf_page_size (GBytes *pdf,
               double *width,
               double *height,
               guint  *pages)
{
  g_autofree char *info = run_tool ("pdfinfo", pdf, FALSE);
  const char *size = strstr (info, "Page size:");
  const char *p = strstr (info, "Pages:");

  ck_assert_msg (size != NULL && p != NULL, "%s", info);
  ck_assert (sscanf (size, "Page size: %lf x %lf", width, height) == 2);
  ck_assert (sscanf (p, "Pages: %u", pages) == 1);
}

START_TEST (test_pdf_80mm)
{
  g_autoptr(PosReceiptDoc) doc = sale_doc (sale_id, FIXED_SALE_ID, TRUE);
  g_autoptr(PosSaleRecord) rec = load_fixed (sale_id, FIXED_SALE_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pdf = pos_receipt_render_pdf (doc, POS_RECEIPT_PAPER_80MM, &error);
  g_autofree char *total = pos_money_format (rec->total, "BRL", "pt_BR");
  g_autofree char *text = NULL;
  double w, h;
  guint pages;

  ck_assert_msg (pdf != NULL, "%s", error ? error->message : "");
  ck_assert (memcmp (g_bytes_get_data (pdf, NULL), "%PDF-", 5) == 0);
  pdf_page_size (pdf, &w, &h, &pages);
  ck_assert_msg (fabs (w - 226.77) < 0.01, "width %f", w);     /* 80 mm */
  ck_assert_uint_eq (pages, 1);
  ck_assert_msg (h > 300 && h < 1000, "height %f", h);          /* fitted to the content */
  text = run_tool ("pdftotext", pdf, TRUE);
  ck_assert_msg (strstr (text, "CUPOM NÃO FISCAL") != NULL, "%s", text);
  ck_assert (strstr (text, "2ª VIA") != NULL);
  ck_assert (strstr (text, "Mercado Balcão Centro") != NULL);
  ck_assert (strstr (text, "001 Café Torrado") != NULL);
  ck_assert (strstr (text, "Cliente: João Souza") != NULL);
  ck_assert_msg (strstr (text, total) != NULL, "%s not in %s", total, text);
}
END_TEST

START_TEST (test_pdf_58mm_and_a4)
{
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autoptr(PosReceiptDoc) long_doc = NULL;
  g_autoptr(GBytes) pdf58 = NULL;
  g_autoptr(GBytes) a4 = NULL;
  g_autofree char *text = NULL;
  double w, h, w_long, h_long;
  guint pages;

  doc = sale_doc (sale_id, FIXED_SALE_ID, FALSE);
  pdf58 = pos_receipt_render_pdf (doc, POS_RECEIPT_PAPER_58MM, &error);
  ck_assert_msg (pdf58 != NULL, "%s", error ? error->message : "");
  pdf_page_size (pdf58, &w, &h, &pages);
  ck_assert_msg (fabs (w - 164.41) < 0.01, "width %f", w);     /* 58 mm */
  ck_assert_uint_eq (pages, 1);
  text = run_tool ("pdftotext", pdf58, TRUE);
  ck_assert_msg (strstr (text, "TOTAL") != NULL, "%s", text);

  add_fifty_lines (cart);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  long_doc = sale_doc (id, FIXED_SALE_ID, FALSE);

  /* a longer receipt gives a longer roll */
  {
    g_autoptr(GBytes) roll = pos_receipt_render_pdf (long_doc, POS_RECEIPT_PAPER_58MM, &error);

    pdf_page_size (roll, &w_long, &h_long, &pages);
    ck_assert_uint_eq (pages, 1);
    ck_assert_msg (h_long > h + 50 * 2 * 7, "%f vs %f", h_long, h);
  }

  a4 = pos_receipt_render_pdf (long_doc, POS_RECEIPT_PAPER_A4, &error);
  ck_assert_msg (a4 != NULL, "%s", error ? error->message : "");
  pdf_page_size (a4, &w, &h, &pages);
  ck_assert_msg (fabs (w - 595.28) < 0.01 && fabs (h - 841.89) < 0.01, "%f x %f", w, h);
  ck_assert_uint_ge (pages, 2);
  g_clear_pointer (&text, g_free);
  text = run_tool ("pdftotext", a4, TRUE);
  ck_assert (strstr (text, "001 Arroz") != NULL);
  ck_assert (strstr (text, "050 ") != NULL);
}
END_TEST

typedef struct {
  GBytes *bytes;
  gsize   at;
} Reader;

static cairo_status_t
read_bytes (void          *closure,
            unsigned char *data,
            unsigned int   length)
{
  Reader *r = closure;
  gsize len;
  const guint8 *src = g_bytes_get_data (r->bytes, &len);

  if (r->at + length > len)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, src + r->at, length);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

START_TEST (test_png)
{
  g_autoptr(PosReceiptDoc) doc = sale_doc (sale_id, FIXED_SALE_ID, FALSE);
  g_autoptr(GError) error = NULL;
  static const struct { PosReceiptPaper paper; int width; } cases[] = {
    { POS_RECEIPT_PAPER_80MM, 640 },   /* ceil (80 / 25.4 * 203) */
    { POS_RECEIPT_PAPER_58MM, 464 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GBytes) png = pos_receipt_render_png (doc, cases[c].paper, 0, &error);
      Reader reader = { png, 0 };
      cairo_surface_t *image;
      guint dark = 0;
      int stride;
      const guint8 *px;

      ck_assert_msg (png != NULL, "%s", error ? error->message : "");
      ck_assert (memcmp (g_bytes_get_data (png, NULL), "\x89PNG", 4) == 0);
      image = cairo_image_surface_create_from_png_stream (read_bytes, &reader);
      ck_assert_int_eq (cairo_surface_status (image), CAIRO_STATUS_SUCCESS);
      ck_assert_int_eq (cairo_image_surface_get_width (image), cases[c].width);
      ck_assert_int_gt (cairo_image_surface_get_height (image), cases[c].width);
      stride = cairo_image_surface_get_stride (image);
      px = cairo_image_surface_get_data (image);
      for (int y = 0; y < cairo_image_surface_get_height (image); y++)
        for (int x = 0; x < cases[c].width; x++)
          if ((((const guint32 *) (px + y * stride))[x] & 0xff) < 0x40)
            dark++;
      /* text and the QR code, on white */
      ck_assert_uint_gt (dark, 5000);
      ck_assert_uint_lt (dark, (guint) (cases[c].width * cairo_image_surface_get_height (image) / 2));
      cairo_surface_destroy (image);
    }
}
END_TEST

static Suite *
render_suite (void)
{
  Suite *s = suite_create ("receipt-render");
  TCase *tc = tcase_create ("escpos");
  TCase *pdf = tcase_create ("pdf");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_plain_sale);
  tcase_add_test (tc, test_long_sale);
  tcase_add_test (tc, test_accents_cp858);
  tcase_add_test (tc, test_return);
  tcase_add_test (tc, test_reprint_barcode);
  tcase_add_test (tc, test_z_report);
  tcase_add_test (tc, test_drawer_pulse);
  tcase_add_test (tc, test_text_unchanged);
  suite_add_tcase (s, tc);

  tcase_add_checked_fixture (pdf, setup, teardown);
  tcase_add_test (pdf, test_pdf_80mm);
  tcase_add_test (pdf, test_pdf_58mm_and_a4);
  tcase_add_test (pdf, test_png);
  suite_add_tcase (s, pdf);
  return s;
}

int
main (void)
{
  SRunner *sr;
  int n;

  /* the fixed times read the same everywhere */
  g_setenv ("TZ", "UTC", TRUE);
  sr = srunner_create (render_suite ());
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
