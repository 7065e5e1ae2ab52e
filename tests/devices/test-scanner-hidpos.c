/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-scanner-hidpos"

#include "config.h"

#include <check.h>
#include <gio/gio.h>
#include <string.h>

#include "devices/pos-scanner-hidpos.h"
#include "hidpos-descriptors.h"

static void
assert_layout (const PosHidPosLayout *layout,
               guint8                 report_id,
               int                    count_offset,
               int                    aim_offset,
               int                    data_offset,
               guint                  data_length,
               int                    continued_bit)
{
  ck_assert_uint_eq (layout->report_id, report_id);
  ck_assert_int_eq (layout->count_offset, count_offset);
  ck_assert_int_eq (layout->aim_offset, aim_offset);
  ck_assert_int_eq (layout->data_offset, data_offset);
  ck_assert_uint_eq (layout->data_length, data_length);
  ck_assert_int_eq (layout->continued_bit, continued_bit);
}

START_TEST (test_is_scanner)
{
  static const guint8 extended_only[] = { 0x0b, 0x02, 0x00, 0x8c, 0x00, 0xa1, 0x01, 0xc0 };

  ck_assert (pos_hidpos_descriptor_is_scanner (hidpos_standard_descriptor, sizeof hidpos_standard_descriptor));
  ck_assert (pos_hidpos_descriptor_is_scanner (hidpos_vendor_descriptor, sizeof hidpos_vendor_descriptor));
  ck_assert (pos_hidpos_descriptor_is_scanner (extended_only, sizeof extended_only));
  ck_assert (!pos_hidpos_descriptor_is_scanner (keyboard_descriptor, sizeof keyboard_descriptor));
  ck_assert (!pos_hidpos_descriptor_is_scanner (NULL, 0));
}
END_TEST

START_TEST (test_parse_standard)
{
  g_autoptr(GError) error = NULL;
  PosHidPosLayout layout, standard;

  ck_assert (pos_hidpos_layout_parse (hidpos_standard_descriptor, sizeof hidpos_standard_descriptor,
                                      &layout, &error));
  ck_assert_ptr_null (error);
  assert_layout (&layout, 2, 0, 1, 4, 56, 480);

  pos_hidpos_layout_init_standard (&standard);
  ck_assert_mem_eq (&layout, &standard, sizeof layout);
}
END_TEST

START_TEST (test_parse_vendor_and_plain)
{
  g_autoptr(GError) error = NULL;
  PosHidPosLayout layout;

  ck_assert (pos_hidpos_layout_parse (hidpos_vendor_descriptor, sizeof hidpos_vendor_descriptor,
                                      &layout, &error));
  assert_layout (&layout, 2, 0, 1, 4, 56, 62 * 8);

  ck_assert (pos_hidpos_layout_parse (hidpos_plain_descriptor, sizeof hidpos_plain_descriptor,
                                      &layout, &error));
  assert_layout (&layout, 0, -1, -1, 0, 32, -1);
}
END_TEST

START_TEST (test_parse_errors)
{
  static const guint8 truncated[] = { 0x05, 0x8c, 0x09 };
  static const guint8 bad_pop[] = { 0xb4, 0x05, 0x8c };
  PosHidPosLayout layout;

  {
    g_autoptr(GError) error = NULL;

    ck_assert (!pos_hidpos_layout_parse (keyboard_descriptor, sizeof keyboard_descriptor, &layout, &error));
    ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  }
  {
    g_autoptr(GError) error = NULL;

    ck_assert (!pos_hidpos_layout_parse (truncated, sizeof truncated, &layout, &error));
    ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  }
  {
    g_autoptr(GError) error = NULL;

    ck_assert (!pos_hidpos_layout_parse (bad_pop, sizeof bad_pop, &layout, &error));
    ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  }
}
END_TEST

START_TEST (test_decode_standard)
{
  PosHidPosLayout layout;
  PosHidPosPiece piece;
  g_autoptr(GBytes) ean = hidpos_standard_report ("]E0", "7891234567895", 13, FALSE);
  g_autoptr(GBytes) part = hidpos_standard_report ("]Q1", "https://balcao.example/p/1", 26, TRUE);
  gsize length;
  const guint8 *report;

  pos_hidpos_layout_init_standard (&layout);

  report = g_bytes_get_data (ean, &length);
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, length, &piece), POS_HIDPOS_REPORT_DATA);
  ck_assert_uint_eq (piece.length, 13);
  ck_assert_mem_eq (piece.data, "7891234567895", 13);
  ck_assert_str_eq (piece.aim, "]E0");
  ck_assert (!piece.continued);

  report = g_bytes_get_data (part, &length);
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, length, &piece), POS_HIDPOS_REPORT_DATA);
  ck_assert_uint_eq (piece.length, 26);
  ck_assert_str_eq (piece.aim, "]Q1");
  ck_assert (piece.continued);

  /* A count holds the data even with zeros inside. */
  {
    g_autoptr(GBytes) zeros = hidpos_standard_report ("]d2", "a\0b\0", 4, FALSE);

    report = g_bytes_get_data (zeros, &length);
    ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, length, &piece), POS_HIDPOS_REPORT_DATA);
    ck_assert_uint_eq (piece.length, 4);
  }
}
END_TEST

START_TEST (test_decode_bad_reports)
{
  PosHidPosLayout layout;
  PosHidPosPiece piece;
  guint8 report[62] = { 0 };

  pos_hidpos_layout_init_standard (&layout);

  /* Another report of the device. */
  report[0] = 1;
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, 5, &piece), POS_HIDPOS_REPORT_OTHER);

  /* Too short for its fields. */
  report[0] = 2;
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, 2, &piece), POS_HIDPOS_REPORT_SHORT);
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, 0, &piece), POS_HIDPOS_REPORT_SHORT);
  report[1] = 20;
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, 12, &piece), POS_HIDPOS_REPORT_SHORT);

  /* A count beyond the data field. */
  report[1] = 200;
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, sizeof report, &piece), POS_HIDPOS_REPORT_GARBAGE);
}
END_TEST

START_TEST (test_decode_vendor_and_plain)
{
  g_autoptr(GError) error = NULL;
  PosHidPosLayout layout;
  PosHidPosPiece piece;
  guint8 report[64] = { 0 };
  guint8 plain[32] = { 0 };

  ck_assert (pos_hidpos_layout_parse (hidpos_vendor_descriptor, sizeof hidpos_vendor_descriptor,
                                      &layout, &error));
  report[0] = 2;
  report[1] = 8;
  memcpy (report + 2, "E4\0", 3);         /* AIM without its "]" */
  memcpy (report + 5, "96385074", 8);
  report[61] = 'D';                       /* vendor bytes */
  report[63] = 1;                         /* continued */
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, sizeof report, &piece), POS_HIDPOS_REPORT_DATA);
  ck_assert_uint_eq (piece.length, 8);
  ck_assert_mem_eq (piece.data, "96385074", 8);
  ck_assert_str_eq (piece.aim, "]E4");
  ck_assert (piece.continued);

  /* Nothing in the symbology bytes: no AIM identifier. */
  memset (report + 2, 0, 3);
  report[63] = 0;
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, report, sizeof report, &piece), POS_HIDPOS_REPORT_DATA);
  ck_assert_str_eq (piece.aim, "");
  ck_assert (!piece.continued);

  ck_assert (pos_hidpos_layout_parse (hidpos_plain_descriptor, sizeof hidpos_plain_descriptor,
                                      &layout, &error));
  memcpy (plain, "ABC-123", 7);
  ck_assert_int_eq (pos_hidpos_decode_report (&layout, plain, sizeof plain, &piece), POS_HIDPOS_REPORT_DATA);
  ck_assert_uint_eq (piece.length, 7);
  ck_assert_str_eq (piece.aim, "");
  ck_assert (!piece.continued);
}
END_TEST

START_TEST (test_symbology_names)
{
  ck_assert_str_eq (pos_hidpos_symbology_name ("]E0"), "EAN-13");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]E4"), "EAN-8");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]C0"), "Code 128");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]C1"), "GS1-128");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]Q1"), "QR Code");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]Q3"), "GS1 QR Code");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]d1"), "Data Matrix");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]d2"), "GS1 DataMatrix");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]e0"), "GS1 DataBar");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]A0"), "Code 39");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]I1"), "Interleaved 2 of 5");
  ck_assert_str_eq (pos_hidpos_symbology_name ("]L2"), "PDF417");
  ck_assert_ptr_null (pos_hidpos_symbology_name ("]Y0"));
  ck_assert_ptr_null (pos_hidpos_symbology_name ("E0"));
  ck_assert_ptr_null (pos_hidpos_symbology_name ("]"));
  ck_assert_ptr_null (pos_hidpos_symbology_name (NULL));
  ck_assert (pos_hidpos_is_aim_prefix ("]C1010789"));
  ck_assert (!pos_hidpos_is_aim_prefix ("]C"));
  ck_assert (!pos_hidpos_is_aim_prefix ("7891234567895"));
}
END_TEST

static Suite *
hidpos_suite (void)
{
  Suite *s = suite_create ("scanner-hidpos");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_is_scanner);
  tcase_add_test (tc, test_parse_standard);
  tcase_add_test (tc, test_parse_vendor_and_plain);
  tcase_add_test (tc, test_parse_errors);
  tcase_add_test (tc, test_decode_standard);
  tcase_add_test (tc, test_decode_bad_reports);
  tcase_add_test (tc, test_decode_vendor_and_plain);
  tcase_add_test (tc, test_symbology_names);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (hidpos_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
