/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-receipt"

#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-money.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-receipt-email.h"
#include "terminal/pos-shifts.h"
#include "sales-fixture.h"

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

static char *
render (const char *id,
        guint       columns,
        gboolean    reprint)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSaleRecord) rec = pos_sales_load (db, id, &error);
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, &error);

  ck_assert_msg (rec != NULL && info != NULL, "%s", error ? error->message : "");
  return pos_receipt_render_text (rec, info, columns, reprint);
}

static void
assert_fits (const char *text,
             guint       columns,
             const char *id)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  g_autofree char *code = g_strconcat ("BALCAO:SALE:", id, NULL);
  guint code_lines = (guint) (strlen (code) + columns - 1) / columns;
  g_autoptr(GString) tail = g_string_new (NULL);

  /* ends with "\n": the last element is empty, the ones before are the
   * code, cut to the width */
  ck_assert_uint_ge (n, 10);
  ck_assert_str_eq (lines[n - 1], "");
  for (guint i = n - 1 - code_lines; i < n - 1; i++)
    g_string_append (tail, lines[i]);
  ck_assert_str_eq (tail->str, code);
  for (guint i = 0; i + 1 < n; i++)
    {
      ck_assert_msg (g_utf8_validate (lines[i], -1, NULL), "line %u not UTF-8", i);
      ck_assert_msg (g_utf8_strlen (lines[i], -1) <= (glong) columns,
                     "line %u is %ld chars wide (> %u): “%s”", i,
                     g_utf8_strlen (lines[i], -1), columns, lines[i]);
    }
}

static gboolean
has_line_ending_with (const char *text,
                      const char *prefix,
                      const char *suffix,
                      guint       columns)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix) && g_str_has_suffix (lines[i], suffix) &&
        g_utf8_strlen (lines[i], -1) == (glong) columns)
      return TRUE;
  return FALSE;
}

START_TEST (test_key_elements)
{
  static const guint widths[] = { 32, 42, 48 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autofree char *text = render (sale_id, widths[w], FALSE);

      assert_fits (text, widths[w], sale_id);
      ck_assert_msg (strstr (text, "Mercado Balcão Centro") != NULL, "%s", text);
      ck_assert (strstr (text, "CNPJ 11.222.333/0001-81") != NULL);
      ck_assert (strstr (text, "Balcão Comércio") != NULL);
      ck_assert (strstr (text, "Rua Augusta") != NULL);
      ck_assert (strstr (text, "001-01-000001") != NULL);
      ck_assert (strstr (text, "Caixa") != NULL);
      ck_assert (strstr (text, "Maria Oliveira") != NULL);
      ck_assert_msg (strstr (text, "0,512 kg x R$ 39,90/kg") != NULL, "%s", text);
      ck_assert_msg (strstr (text, "2 x R$ 17,90") != NULL, "%s", text);
      ck_assert (strstr (text, "Desconto") != NULL);
      ck_assert (strstr (text, "-R$ 2,90") != NULL);
      ck_assert (strstr (text, "Subtotal") != NULL);
      ck_assert (strstr (text, "Tributos 18,00%") != NULL);
      ck_assert (strstr (text, "Tributos 7,00%") != NULL);
      ck_assert (strstr (text, "Val. aprox. tributos") != NULL);
      ck_assert (strstr (text, "Lei 12.741/2012") != NULL);
      ck_assert (strstr (text, "Dinheiro") != NULL);
      ck_assert (strstr (text, "Cartão de crédito ****4242") != NULL);
      ck_assert (strstr (text, "Troco") != NULL);
      ck_assert (strstr (text, "Cliente: João Souza") != NULL);
      ck_assert (strstr (text, "Obrigado pela") != NULL);
      ck_assert_msg (strstr (text, "Trocas em até 30 dias com este cupom") != NULL || widths[w] < 42, "%s", text);
      ck_assert (strstr (text, "Trocas em") != NULL);
      ck_assert (strstr (text, "2ª VIA") == NULL);
      ck_assert (strstr (text, "DEVOLUÇÃO") == NULL);
    }
}
END_TEST

START_TEST (test_total_right_aligned)
{
  g_autoptr(PosSaleRecord) rec = pos_sales_load (db, sale_id, NULL);
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autofree char *total = pos_money_format (rec->total, "BRL", "pt_BR");
  g_autofree char *text = pos_receipt_render_text (rec, info, 42, FALSE);

  ck_assert_msg (has_line_ending_with (text, "TOTAL", total, 42), "%s", text);
  ck_assert_msg (has_line_ending_with (text, "Subtotal", "", 42), "%s", text);
}
END_TEST

START_TEST (test_long_name_truncated)
{
  g_autofree char *text = render (sale_id, 32, FALSE);

  /* 4 + 56 characters do not fit in 32: cut, not wrapped onto the next line */
  ck_assert (strstr (text, "002 Café Torrado") == NULL);
  ck_assert (strstr (text, "001 Café Torrado e Moído Extrafo") != NULL);
  ck_assert (strstr (text, "Família") == NULL);
}
END_TEST

START_TEST (test_reprint)
{
  g_autofree char *text = render (sale_id, 42, TRUE);

  assert_fits (text, 42, sale_id);
  ck_assert (strstr (text, "2ª VIA") != NULL);
}
END_TEST

START_TEST (test_return_receipt)
{
  g_autoptr(GError) error = NULL;
  PosReturnItem item = { 2, 200 };
  g_autofree char *ret = pos_returns_commit (db, sale_id, &item, 1, POS_REFUND_STORE_CREDIT,
                                             "vencido", NULL, NULL, &error);

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  for (guint w = 32; w <= 48; w += w == 32 ? 10 : 6)
    {
      g_autofree char *text = render (ret, w, FALSE);

      assert_fits (text, w, ret);
      ck_assert (strstr (text, "DEVOLUÇÃO") != NULL);
      ck_assert (strstr (text, "001-01-D000001") != NULL);
      ck_assert (strstr (text, "001-01-000001") != NULL);
      ck_assert_msg (strstr (text, "-0,200 kg x R$ 39,90/kg") != NULL, "%s", text);
      ck_assert (strstr (text, "Crédito na loja") != NULL);
      ck_assert (strstr (text, "Motivo: vencido") != NULL);
      ck_assert (strstr (text, "Trocas em") == NULL);
    }
}
END_TEST

START_TEST (test_code)
{
  g_autofree char *code = pos_receipt_code_for_sale ("0190a0b0-0000-7000-8000-0000000000aa");

  ck_assert_str_eq (code, "BALCAO:SALE:0190a0b0-0000-7000-8000-0000000000aa");
}
END_TEST

START_TEST (test_other_currency_english)
{
  g_autoptr(PosSaleRecord) rec = pos_sales_load (db, sale_id, NULL);
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autofree char *text = NULL;

  g_free (rec->currency);
  rec->currency = g_strdup ("USD");
  text = pos_receipt_render_text (rec, info, 42, TRUE);
  assert_fits (text, 42, sale_id);
  ck_assert_msg (strstr (text, "$") != NULL && strstr (text, "R$") == NULL, "%s", text);
  ck_assert (strstr (text, "Lei 12.741") == NULL);
  ck_assert (strstr (text, "2ª VIA") == NULL);
  ck_assert (strstr (text, "Approx. taxes") == NULL);
  ck_assert_msg (strstr (text, "Tax 18.00%") != NULL, "%s", text);
}
END_TEST

START_TEST (test_odd_width_is_fitted)
{
  g_autofree char *text = render (sale_id, 20, FALSE);

  assert_fits (text, 32, sale_id);
}
END_TEST

/* Paper's dates: dd/mm/yyyy HH:MM (no seconds, no ISO). */
static gboolean
has_paper_date (const char *text)
{
  return g_regex_match_simple ("[0-3][0-9]/[01][0-9]/[12][0-9][0-9][0-9] [0-2][0-9]:[0-5][0-9]( |$|\n)", text,
                               G_REGEX_MULTILINE, 0) &&
         !g_regex_match_simple ("[0-2][0-9]:[0-5][0-9]:[0-5][0-9]", text, 0, 0) &&
         !g_regex_match_simple ("[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]", text, 0, 0);
}

START_TEST (test_paper_date_format)
{
  g_autofree char *text = render (sale_id, 42, FALSE);

  ck_assert_msg (has_paper_date (text), "%s", text);
}
END_TEST

/* The shift report is in the store's language (Portuguese for a Brazilian
 * store), like the receipt, whatever the cashier's. */
START_TEST (test_shift_report_store_language)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) x = pos_shifts_report (db, NULL, &error);
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (db, NULL);
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *text = NULL;

  ck_assert_msg (x != NULL, "%s", error ? error->message : "");
  doc = pos_receipt_doc_new_for_shift (x, info);
  text = pos_receipt_doc_render_text (doc, 48);
  ck_assert_str_eq (doc->title, "LEITURA X — turno 1");
  ck_assert_msg (strstr (text, "Abertura") != NULL, "%s", text);
  ck_assert_msg (strstr (text, "Gaveta de dinheiro") != NULL, "%s", text);
  ck_assert_msg (strstr (text, "Cartão de crédito (1)") != NULL, "%s", text);
  ck_assert_msg (strstr (text, "Dinheiro esperado") != NULL, "%s", text);
  ck_assert_msg (strstr (text, "Opened") == NULL && strstr (text, "Cash drawer") == NULL, "%s", text);
  ck_assert_msg (has_paper_date (text), "%s", text);
}
END_TEST

START_TEST (test_last_closed_shift)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *none = pos_receipt_last_closed_shift (db, &error);
  g_autofree char *last = NULL;

  ck_assert_ptr_null (none);
  ck_assert_ptr_null (error);
  ck_assert (pos_database_exec (db, "UPDATE shifts SET status = 'closed', closed_at = 5 WHERE id = '" FIX_SHIFT "'", NULL));
  last = pos_receipt_last_closed_shift (db, &error);
  ck_assert_str_eq (last, FIX_SHIFT);
}
END_TEST

START_TEST (test_email_address_validation)
{
  static const char * const good[] = {
    "joao@example.com", "maria.souza+recibos@mercado.com.br", "a@b.co", "x_y-z@sub.dominio-loja.net",
    "ana@açaí.com.br", NULL,
  };
  static const char * const bad[] = {
    "", "joao", "joao@", "@example.com", "joao@example", "joao@@example.com", "jo ao@example.com",
    "joao@exa mple.com", "joao@.example.com", "joao@example.com.", ".joao@example.com", "joao.@example.com",
    "jo..ao@example.com", "joao@-example.com", "joao@example.123", "joao@[127.0.0.1]", "joao@127.0.0.1",
    "j***@example.com", "joão@example.com", "a,b@example.com", NULL,
  };

  for (guint i = 0; good[i] != NULL; i++)
    ck_assert_msg (pos_receipt_email_address_is_valid (good[i]), "refused %s", good[i]);
  for (guint i = 0; bad[i] != NULL; i++)
    ck_assert_msg (!pos_receipt_email_address_is_valid (bad[i]), "took %s", bad[i]);
  ck_assert (!pos_receipt_email_address_is_valid (NULL));
}
END_TEST

static gint64
count_rows (const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  ck_assert (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL) == SQLITE_OK);
  ck_assert (sqlite3_step (stmt) == SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
outbox_payload (const char *entity_id)
{
  sqlite3_stmt *stmt = NULL;
  char *payload = NULL;

  ck_assert (sqlite3_prepare_v2 (pos_database_get_handle (db),
                                 "SELECT payload FROM outbox WHERE type = 'receipt.email' AND entity_id = ?1",
                                 -1, &stmt, NULL) == SQLITE_OK);
  sqlite3_bind_text (stmt, 1, entity_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    payload = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return payload;
}

START_TEST (test_email_request)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *id = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(PosSaleRecord) rec = pos_sales_load (db, sale_id, NULL);

  /* the customer has no address on file: one must be typed */
  masked = pos_receipt_email_customer_address (db, sale_id, &error);
  ck_assert_ptr_null (masked);
  ck_assert_ptr_null (error);
  id = pos_receipt_email_request (db, sale_id, NULL, NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert_msg (g_error_matches (error, POS_RECEIPT_EMAIL_ERROR, POS_RECEIPT_EMAIL_ERROR_NO_ADDRESS),
                 "%s", error ? error->message : "");
  g_clear_error (&error);

  /* a bad address is refused, and nothing is queued */
  id = pos_receipt_email_request (db, rec->number, "joao@exemplo", NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_RECEIPT_EMAIL_ERROR, POS_RECEIPT_EMAIL_ERROR_INVALID_ADDRESS));
  ck_assert_msg (strstr (error->message, "joao@exemplo") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM outbox WHERE type = 'receipt.email'"), 0);

  /* an unknown sale */
  id = pos_receipt_email_request (db, "001-01-999999", "joao@exemplo.com.br", NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (error != NULL);
  g_clear_error (&error);

  /* typed: queued with its audit row, in one go */
  id = pos_receipt_email_request (db, rec->number, "  joao@exemplo.com.br ", &shown, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (shown, "joao@exemplo.com.br");
  payload = outbox_payload (id);
  ck_assert_ptr_nonnull (payload);
  expected = g_strdup_printf ("\"sale_id\":\"%s\"", sale_id);
  ck_assert_msg (strstr (payload, expected) != NULL, "%s", payload);
  ck_assert_msg (strstr (payload, "\"to\":\"joao@exemplo.com.br\"") != NULL, "%s", payload);
  ck_assert_msg (strstr (payload, "\"staff_id\":\"staff-1\"") != NULL, "%s", payload);
  ck_assert_msg (strstr (payload, "\"requested_at\":") != NULL, "%s", payload);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM audit_log WHERE action = 'receipt.email_requested' "
                                "AND entity = 'sale'"), 1);
  /* the audit row keeps the request, not the address */
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM audit_log WHERE data LIKE '%exemplo%'"), 0);

  /* the address on file, masked in the dialog: sent unchanged, it is the real one */
  ck_assert (pos_database_exec (db, "UPDATE customers SET email = 'joao.souza@exemplo.com.br' WHERE id = '"
                                FIX_CUSTOMER "'", NULL));
  g_clear_pointer (&masked, g_free);
  masked = pos_receipt_email_customer_address (db, sale_id, &error);
  ck_assert_str_eq (masked, "j***@exemplo.com.br");
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&shown, g_free);
  g_clear_pointer (&payload, g_free);
  id = pos_receipt_email_request (db, sale_id, masked, &shown, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (shown, "j***@exemplo.com.br");
  payload = outbox_payload (id);
  ck_assert_msg (strstr (payload, "\"to\":\"joao.souza@exemplo.com.br\"") != NULL, "%s", payload);
  /* a masked address that is not the one on file is not an address */
  g_clear_pointer (&id, g_free);
  id = pos_receipt_email_request (db, sale_id, "x***@exemplo.com.br", NULL, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_RECEIPT_EMAIL_ERROR, POS_RECEIPT_EMAIL_ERROR_INVALID_ADDRESS));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM outbox WHERE type = 'receipt.email'"), 2);
}
END_TEST

static Suite *
receipt_suite (void)
{
  Suite *s = suite_create ("receipt");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_key_elements);
  tcase_add_test (tc, test_total_right_aligned);
  tcase_add_test (tc, test_long_name_truncated);
  tcase_add_test (tc, test_reprint);
  tcase_add_test (tc, test_return_receipt);
  tcase_add_test (tc, test_code);
  tcase_add_test (tc, test_other_currency_english);
  tcase_add_test (tc, test_odd_width_is_fitted);
  tcase_add_test (tc, test_paper_date_format);
  tcase_add_test (tc, test_shift_report_store_language);
  tcase_add_test (tc, test_last_closed_shift);
  tcase_add_test (tc, test_email_address_validation);
  tcase_add_test (tc, test_email_request);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (receipt_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
