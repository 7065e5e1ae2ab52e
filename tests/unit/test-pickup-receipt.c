/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-pickup-receipt"

#include "config.h"

#include <check.h>
#include <string.h>

#include "terminal/pos-pickup-receipt.h"

/* The picking list and the pickup receipt as text, against golden files
 * tests/fixtures/receipts/pickup-*.txt (BALCAO_UPDATE_GOLDEN=1 rewrites
 * them; read them before committing). Times are fixed and TZ is UTC. Each
 * comparison also checks facts written out here. */

#define FIXED_TIME_MS G_GINT64_CONSTANT (1735732800000)   /* 2025-01-01 12:00 UTC */

static char *
golden_path (const char *name)
{
  const char *src = g_getenv ("BALCAO_SOURCE_DIR");

  ck_assert_msg (src != NULL, "BALCAO_SOURCE_DIR is not set (run through meson test)");
  return g_build_filename (src, "tests", "fixtures", "receipts", name, NULL);
}

static void
check_golden (const char *name,
              const char *text)
{
  g_autofree char *path = golden_path (name);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("BALCAO_UPDATE_GOLDEN") != NULL)
    {
      ck_assert_msg (g_file_set_contents (path, text, -1, &error), "%s", error ? error->message : "");
      return;
    }
  ck_assert_msg (g_file_get_contents (path, &expected, NULL, &error),
                 "%s (BALCAO_UPDATE_GOLDEN=1 writes it)", error ? error->message : "");
  if (strcmp (expected, text) != 0)
    {
      g_autofree char *actual = g_build_filename (g_get_tmp_dir (), name, NULL);

      g_file_set_contents (actual, text, -1, NULL);
      ck_abort_msg ("%s differs from the golden file %s (this run's output: %s)", name, path, actual);
    }
}

static PosPickupLine *
line_new (guint       line_no,
          const char *sku,
          const char *name,
          gint64      quantity,
          gint64      price)
{
  PosPickupLine *l = g_new0 (PosPickupLine, 1);

  l->line_no = line_no;
  l->sku = g_strdup (sku);
  l->name = g_strdup (name);
  l->quantity = quantity;
  l->unit_price = price;
  return l;
}

static PosPickupOrder *
order_new (const char *number,
           const char *currency)
{
  PosPickupOrder *o = g_new0 (PosPickupOrder, 1);

  o->id = g_strdup_printf ("order-%s", number);
  o->number = g_strdup (number);
  o->customer_name = g_strdup ("João Souza");
  o->channel = g_strdup ("web");
  o->currency = g_strdup (currency);
  o->state = POS_PICKUP_READY_FOR_PICKUP;
  o->placed_at = FIXED_TIME_MS - 3600000;
  o->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_line_free);
  g_ptr_array_add (o->lines, line_new (1, "FEIJAO1", "Feijão Carioca", 2000, 899));
  g_ptr_array_add (o->lines, line_new (2, "CAFE500", "Café Torrado e Moído Extraforte Pacote Econômico Família",
                                       1000, 1790));
  g_ptr_array_add (o->lines, line_new (3, "QUEIJO", "Queijo Minas Frescal", 512, 3990));
  return o;
}

static PosStoreInfo *
store_new (const char *currency)
{
  PosStoreInfo *s = g_new0 (PosStoreInfo, 1);

  s->store_name = g_strdup ("Mercado Balcão Centro");
  s->store_address = g_strdup ("Rua Augusta, 1500 - Consolação");
  s->store_city = g_strdup ("São Paulo - SP");
  s->currency = g_strdup (currency);
  return s;
}

START_TEST (test_picking_list)
{
  g_autoptr(GPtrArray) orders = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_pickup_order_free);
  g_autoptr(PosStoreInfo) store = store_new ("BRL");
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *text = NULL;
  PosPickupOrder *second;

  g_ptr_array_add (orders, order_new ("1042", "BRL"));
  second = order_new ("1043", "BRL");
  second->shelf_location = g_strdup ("B-12");
  second->notes = g_strdup ("Sacola de papel, por favor");
  ((PosPickupLine *) g_ptr_array_index (second->lines, 0))->missing_quantity = 1000;
  ((PosPickupLine *) g_ptr_array_index (second->lines, 0))->substitute_sku = g_strdup ("FEIJAO2");
  ((PosPickupLine *) g_ptr_array_index (second->lines, 0))->substitute_name = g_strdup ("Feijão Preto");
  g_ptr_array_add (orders, second);

  doc = pos_pickup_receipt_new_picking_list (orders, store, FIXED_TIME_MS);
  text = pos_receipt_doc_render_text (doc, 42);
  ck_assert_ptr_nonnull (strstr (text, "LISTA DE SEPARAÇÃO"));
  ck_assert_ptr_nonnull (strstr (text, "Pedido 1042"));
  ck_assert_ptr_nonnull (strstr (text, "Pedido 1043"));
  ck_assert_ptr_nonnull (strstr (text, "[ ] 2 x FEIJAO1"));
  ck_assert_ptr_nonnull (strstr (text, "[ ] 0,512 x QUEIJO"));
  ck_assert_ptr_nonnull (strstr (text, "Prateleira: B-12"));
  ck_assert_ptr_nonnull (strstr (text, "em falta"));
  ck_assert_ptr_nonnull (strstr (text, "Cliente: João Souza"));
  check_golden ("pickup-picking-42.txt", text);
}
END_TEST

START_TEST (test_pickup_receipt)
{
  g_autoptr(PosPickupOrder) order = order_new ("1042", "BRL");
  g_autoptr(PosStoreInfo) store = store_new ("BRL");
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *text = NULL;
  PosPickupHandoverRecord r = { 0, };
  PosPickupCollect lines[] = { { 1, 2000, 0 }, { 2, 0, 1000 }, { 3, 512, 0 } };

  r.staff_name = (char *) "Maria Oliveira";
  r.identity = POS_PICKUP_IDENTITY_CODE;
  r.from = POS_PICKUP_READY_FOR_PICKUP;
  r.to = POS_PICKUP_PICKED_UP;
  r.refuse_reason = (char *) "embalagem danificada";
  r.created_at = FIXED_TIME_MS;
  r.lines = g_array_new (FALSE, FALSE, sizeof (PosPickupCollect));
  g_array_append_vals (r.lines, lines, G_N_ELEMENTS (lines));

  doc = pos_pickup_receipt_new_for_handover (order, &r, store);
  text = pos_receipt_doc_render_text (doc, 42);
  ck_assert_ptr_nonnull (strstr (text, "COMPROVANTE DE RETIRADA"));
  ck_assert_ptr_nonnull (strstr (text, "Pedido: 1042"));
  ck_assert_ptr_nonnull (strstr (text, "Recusado (reembolsado)"));
  ck_assert_ptr_nonnull (strstr (text, "Motivo: embalagem danificada"));
  ck_assert_ptr_nonnull (strstr (text, "Entregue por: Maria Oliveira"));
  ck_assert_ptr_nonnull (strstr (text, "______"));
  ck_assert_ptr_nonnull (strstr (text, "Assinatura do cliente"));
  ck_assert_ptr_null (strstr (text, "PROVISÓRIO"));
  check_golden ("pickup-receipt-42.txt", text);
  g_array_unref (r.lines);
}
END_TEST

START_TEST (test_pickup_receipt_provisional_en)
{
  g_autoptr(PosPickupOrder) order = order_new ("1042", "USD");
  g_autoptr(PosReceiptDoc) doc = NULL;
  g_autofree char *text = NULL;
  PosPickupHandoverRecord r = { 0, };
  PosPickupCollect lines[] = { { 1, 1000, 0 } };

  r.staff_name = (char *) "Paul";
  r.identity = POS_PICKUP_IDENTITY_DOCUMENT;
  r.document = (char *) "ID 12345 (Mary, sister)";
  r.provisional = TRUE;
  r.from = POS_PICKUP_READY_FOR_PICKUP;
  r.to = POS_PICKUP_PARTIALLY_PICKED_UP;
  r.created_at = FIXED_TIME_MS;
  r.lines = g_array_new (FALSE, FALSE, sizeof (PosPickupCollect));
  g_array_append_vals (r.lines, lines, G_N_ELEMENTS (lines));
  ((PosPickupLine *) g_ptr_array_index (order->lines, 0))->collected_quantity = 1000;

  doc = pos_pickup_receipt_new_for_handover (order, &r, NULL);
  text = pos_receipt_doc_render_text (doc, 32);
  ck_assert_ptr_nonnull (strstr (text, "PROVISIONAL"));
  ck_assert_ptr_nonnull (strstr (text, "Still to collect"));
  ck_assert_ptr_nonnull (strstr (text, "ID 12345"));
  ck_assert_ptr_nonnull (strstr (text, "Customer signature"));
  check_golden ("pickup-receipt-provisional-32.txt", text);
  g_array_unref (r.lines);
}
END_TEST

static Suite *
receipt_suite (void)
{
  Suite *s = suite_create ("pickup-receipt");
  TCase *tc = tcase_create ("documents");

  tcase_add_test (tc, test_picking_list);
  tcase_add_test (tc, test_pickup_receipt);
  tcase_add_test (tc, test_pickup_receipt_provisional_en);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (receipt_suite ());
  int n;

  g_setenv ("TZ", "UTC", TRUE);
  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
