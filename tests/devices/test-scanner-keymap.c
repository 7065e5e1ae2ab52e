/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-scanner-keymap"

#include "config.h"

#include <check.h>
#include <string.h>

#include "devices/pos-scanner-keymap.h"

#define SHIFT POS_HID_MOD_LEFT_SHIFT
#define RSHIFT POS_HID_MOD_RIGHT_SHIFT
#define ALTGR POS_HID_MOD_RIGHT_ALT

/* Boot keyboard reports, built key by key: a press then a release. */
static void
add_report (GByteArray *reports,
            guint8      modifiers,
            guint8      k1,
            guint8      k2)
{
  guint8 report[8] = { modifiers, 0, k1, k2, 0, 0, 0, 0 };

  g_byte_array_append (reports, report, sizeof report);
}

static void
press (GByteArray *reports,
       guint8      modifiers,
       guint8      usage)
{
  add_report (reports, modifiers, usage, 0);
  add_report (reports, 0, 0, 0);
}

/* US layout, written out here independently of the implementation. */
static const struct {
  guint8 usage;
  char   lower;
  char   upper;
} us_keys[] = {
  { 0x1e, '1', '!' }, { 0x1f, '2', '@' }, { 0x20, '3', '#' }, { 0x21, '4', '$' },
  { 0x22, '5', '%' }, { 0x23, '6', '^' }, { 0x24, '7', '&' }, { 0x25, '8', '*' },
  { 0x26, '9', '(' }, { 0x27, '0', ')' }, { 0x2c, ' ', ' ' }, { 0x2d, '-', '_' },
  { 0x2e, '=', '+' }, { 0x2f, '[', '{' }, { 0x30, ']', '}' }, { 0x31, '\\', '|' },
  { 0x33, ';', ':' }, { 0x34, '\'', '"' }, { 0x35, '`', '~' }, { 0x36, ',', '<' },
  { 0x37, '.', '>' }, { 0x38, '/', '?' },
};

/* Types text as a US keyboard scanner would, shifting with the left or
 * the right shift in turn. */
static void
type_us (GByteArray *reports,
         const char *text)
{
  gboolean right = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      guint8 shift = right ? RSHIFT : SHIFT;
      gboolean found = FALSE;

      if (*p >= 'a' && *p <= 'z')
        {
          press (reports, 0, (guint8) (0x04 + *p - 'a'));
          continue;
        }
      if (*p >= 'A' && *p <= 'Z')
        {
          press (reports, shift, (guint8) (0x04 + *p - 'A'));
          right = !right;
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (us_keys) && !found; i++)
        {
          if (us_keys[i].lower == *p)
            {
              press (reports, 0, us_keys[i].usage);
              found = TRUE;
            }
          else if (us_keys[i].upper == *p)
            {
              press (reports, shift, us_keys[i].usage);
              right = !right;
              found = TRUE;
            }
        }
      ck_assert_msg (found, "no US key for %c", *p);
    }
}

/* Feeds every report; the scan must end, with only key releases after. */
static char *
decode (PosScannerLayout  layout,
        GByteArray       *reports)
{
  g_autoptr(PosScannerKeyboardDecoder) decoder = pos_scanner_keyboard_decoder_new (layout);
  PosScannerReportResult result = POS_SCANNER_REPORT_IDLE;
  gboolean ended = FALSE;

  ck_assert_int_eq (reports->len % 8, 0);
  for (guint i = 0; i < reports->len; i += 8)
    {
      result = pos_scanner_keyboard_decoder_feed (decoder, reports->data + i, 8);
      ck_assert_msg (!ended || result == POS_SCANNER_REPORT_IDLE, "text after the end of the scan");
      ck_assert_int_ne (result, POS_SCANNER_REPORT_SHORT);
      ck_assert_int_ne (result, POS_SCANNER_REPORT_GARBAGE);
      if (result == POS_SCANNER_REPORT_END)
        ended = TRUE;
    }
  ck_assert_msg (ended, "the scan did not end");
  return pos_scanner_keyboard_decoder_take_text (decoder);
}

START_TEST (test_layout_names)
{
  PosScannerLayout layout = POS_SCANNER_LAYOUT_US;

  ck_assert_str_eq (pos_scanner_layout_to_string (POS_SCANNER_LAYOUT_US), "us");
  ck_assert_str_eq (pos_scanner_layout_to_string (POS_SCANNER_LAYOUT_ABNT2), "abnt2");
  ck_assert (pos_scanner_layout_from_string ("ABNT2", &layout));
  ck_assert_int_eq (layout, POS_SCANNER_LAYOUT_ABNT2);
  ck_assert (pos_scanner_layout_from_string ("br", &layout));
  ck_assert_int_eq (layout, POS_SCANNER_LAYOUT_ABNT2);
  ck_assert (pos_scanner_layout_from_string ("us", &layout));
  ck_assert_int_eq (layout, POS_SCANNER_LAYOUT_US);
  ck_assert (!pos_scanner_layout_from_string ("dvorak", &layout));
  ck_assert (!pos_scanner_layout_from_string (NULL, &layout));
  ck_assert_ptr_nonnull (pos_scanner_layout_get_label (POS_SCANNER_LAYOUT_ABNT2));
}
END_TEST

START_TEST (test_lookup)
{
  gunichar ch = 0;

  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, 0, 0x04, &ch), POS_SCANNER_KEY_CHAR);
  ck_assert_uint_eq (ch, 'a');
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, RSHIFT, 0x04, &ch), POS_SCANNER_KEY_CHAR);
  ck_assert_uint_eq (ch, 'A');
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, 0, 0x28, &ch), POS_SCANNER_KEY_ENTER);
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, 0, 0x58, &ch), POS_SCANNER_KEY_ENTER);
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, SHIFT, 0x2b, &ch), POS_SCANNER_KEY_TAB);
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, 0, 0x3a, &ch), POS_SCANNER_KEY_NONE);  /* F1 */
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, 0, 0xe1, &ch), POS_SCANNER_KEY_NONE);
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_US, 0, 0x87, &ch), POS_SCANNER_KEY_NONE);

  /* The same keys on ABNT2. */
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_ABNT2, 0, 0x33, &ch), POS_SCANNER_KEY_CHAR);
  ck_assert_uint_eq (ch, 0x00e7);   /* ç */
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_ABNT2, SHIFT, 0x33, &ch), POS_SCANNER_KEY_CHAR);
  ck_assert_uint_eq (ch, 0x00c7);   /* Ç */
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_ABNT2, 0, 0x87, &ch), POS_SCANNER_KEY_CHAR);
  ck_assert_uint_eq (ch, '/');
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_ABNT2, ALTGR, 0x14, &ch), POS_SCANNER_KEY_CHAR);
  ck_assert_uint_eq (ch, '/');
  ck_assert_int_eq (pos_scanner_keymap_lookup (POS_SCANNER_LAYOUT_ABNT2, 0, 0x34, &ch), POS_SCANNER_KEY_DEAD);
  ck_assert_uint_eq (pos_scanner_keymap_dead_spacing (ch), '~');
  ck_assert_uint_eq (pos_scanner_keymap_compose (ch, 'a'), 0x00e3);   /* ã */
  ck_assert_uint_eq (pos_scanner_keymap_compose (ch, '1'), 0);
  ck_assert_uint_eq (pos_scanner_keymap_compose ('x', 'a'), 0);
}
END_TEST

START_TEST (test_digits)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  type_us (reports, "7891234567895");
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, "7891234567895");

  /* Digits are where they are on ABNT2 too. */
  g_free (text);
  text = decode (POS_SCANNER_LAYOUT_ABNT2, reports);
  ck_assert_str_eq (text, "7891234567895");
}
END_TEST

START_TEST (test_keypad_digits)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  press (reports, 0, 0x62);   /* KP 0 */
  press (reports, 0, 0x59);   /* KP 1 */
  press (reports, SHIFT, 0x61);   /* KP 9: shift does not change it */
  press (reports, 0, 0x63);   /* KP . */
  press (reports, 0, POS_HID_KEY_KP_ENTER);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, "019.");
  g_free (text);
  text = decode (POS_SCANNER_LAYOUT_ABNT2, reports);
  ck_assert_str_eq (text, "019,");
}
END_TEST

START_TEST (test_letters_with_shift)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  type_us (reports, "BalcaoPDV Caixa1");
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, "BalcaoPDV Caixa1");

  /* Both shifts at once, and shift held across keys without release. */
  g_byte_array_set_size (reports, 0);
  add_report (reports, SHIFT | RSHIFT, 0x0b, 0);   /* H */
  add_report (reports, SHIFT, 0, 0);
  add_report (reports, SHIFT, 0x0c, 0);            /* I, shift still down */
  add_report (reports, 0, 0, 0);
  press (reports, 0, 0x0c);                        /* i */
  press (reports, 0, POS_HID_KEY_ENTER);
  g_free (text);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, "HIi");
}
END_TEST

START_TEST (test_code128_symbols)
{
  static const char code[] = "AB-12/x.y+%$ !@#&*()_=[]{};:'\",<>?|\\`~^";
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  type_us (reports, code);
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, code);
}
END_TEST

START_TEST (test_abnt2_scan)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  /* "Ç/ç?;:'\"[]{}\\|~^`ã" as an ABNT2 scanner types it. */
  press (reports, SHIFT, 0x33);   /* Ç */
  press (reports, 0, 0x87);       /* / */
  press (reports, 0, 0x33);       /* ç */
  press (reports, RSHIFT, 0x87);  /* ? */
  press (reports, 0, 0x38);       /* ; */
  press (reports, SHIFT, 0x38);   /* : */
  press (reports, 0, 0x35);       /* ' */
  press (reports, SHIFT, 0x35);   /* " */
  press (reports, 0, 0x30);       /* [ */
  press (reports, 0, 0x32);       /* ] (the ISO key) */
  press (reports, SHIFT, 0x30);   /* { */
  press (reports, SHIFT, 0x31);   /* } */
  press (reports, 0, 0x64);       /* \ */
  press (reports, SHIFT, 0x64);   /* | */
  press (reports, 0, 0x34);       /* dead ~ */
  press (reports, 0, 0x2c);       /*   + space: ~ */
  press (reports, SHIFT, 0x34);   /* dead ^ */
  press (reports, 0, 0x2c);       /*   + space: ^ */
  press (reports, SHIFT, 0x2f);   /* dead ` */
  press (reports, 0, 0x2c);       /*   + space: ` */
  press (reports, 0, 0x34);       /* dead ~ */
  press (reports, 0, 0x04);       /*   + a: ã */
  press (reports, 0, 0x2f);       /* dead ´ */
  press (reports, SHIFT, 0x08);   /*   + E: É */
  press (reports, 0, 0x34);       /* dead ~ */
  press (reports, 0, 0x1e);       /*   + 1: ~1 */
  press (reports, ALTGR, 0x14);   /* AltGr+Q: / */
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_ABNT2, reports);
  ck_assert_str_eq (text, "Ç/ç?;:'\"[]{}\\|~^`ãÉ~1/");

  /* The same keys read as US make something else: the layout matters. */
  g_free (text);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_ne (text, "Ç/ç?;:'\"[]{}\\|~^`ãÉ~1/");
  ck_assert (g_str_has_prefix (text, ":"));
}
END_TEST

START_TEST (test_dead_key_at_the_end)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  press (reports, 0, 0x1e);     /* 1 */
  press (reports, 0, 0x34);     /* dead ~, then Enter */
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_ABNT2, reports);
  ck_assert_str_eq (text, "1~");

  /* A dead key twice types it once. */
  g_byte_array_set_size (reports, 0);
  press (reports, SHIFT, 0x34);
  press (reports, SHIFT, 0x34);
  press (reports, 0, POS_HID_KEY_ENTER);
  g_free (text);
  text = decode (POS_SCANNER_LAYOUT_ABNT2, reports);
  ck_assert_str_eq (text, "^");
}
END_TEST

START_TEST (test_tab_terminator)
{
  g_autoptr(PosScannerKeyboardDecoder) decoder = pos_scanner_keyboard_decoder_new (POS_SCANNER_LAYOUT_US);
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;
  PosScannerReportResult result = POS_SCANNER_REPORT_IDLE;

  type_us (reports, "42");
  add_report (reports, 0, POS_HID_KEY_TAB, 0);
  for (guint i = 0; i < reports->len; i += 8)
    result = pos_scanner_keyboard_decoder_feed (decoder, reports->data + i, 8);
  ck_assert_int_eq (result, POS_SCANNER_REPORT_END);
  ck_assert_int_eq (pos_scanner_keyboard_decoder_get_terminator (decoder), POS_SCANNER_KEY_TAB);
  text = pos_scanner_keyboard_decoder_take_text (decoder);
  ck_assert_str_eq (text, "42");
  ck_assert (!pos_scanner_keyboard_decoder_has_partial (decoder));
}
END_TEST

START_TEST (test_held_keys_and_rollover)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  add_report (reports, 0, 0x1e, 0);      /* 1 */
  add_report (reports, 0, 0x1e, 0);      /* still held: nothing */
  add_report (reports, 0, 0x1e, 0x1f);   /* 2 pressed while 1 held */
  add_report (reports, 0, 0x1f, 0);      /* 1 released */
  add_report (reports, 0, 0x1e, 0x1f);   /* 1 again */
  {
    guint8 rollover[8] = { 0, 0, 1, 1, 1, 1, 1, 1 };

    g_byte_array_append (reports, rollover, 8);   /* phantom state: ignored */
  }
  add_report (reports, 0, 0, 0);
  press (reports, 0, 0x1e);                /* 1: released in between */
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, "1211");
}
END_TEST

START_TEST (test_short_and_garbage)
{
  g_autoptr(PosScannerKeyboardDecoder) decoder = pos_scanner_keyboard_decoder_new (POS_SCANNER_LAYOUT_US);
  static const guint8 one[8] = { 0, 0, 0x1e, 0, 0, 0, 0, 0 };
  static const guint8 short_report[3] = { 0, 0, 0x1f };
  static const guint8 beyond[8] = { 0, 0, 0xf0, 0, 0, 0, 0, 0 };
  static const guint8 post_fail[8] = { 0, 0, 0x02, 0, 0, 0, 0, 0 };
  static const guint8 release[8] = { 0 };

  ck_assert_int_eq (pos_scanner_keyboard_decoder_feed (decoder, one, 8), POS_SCANNER_REPORT_TEXT);
  ck_assert_int_eq (pos_scanner_keyboard_decoder_feed (decoder, short_report, 3), POS_SCANNER_REPORT_SHORT);
  ck_assert_int_eq (pos_scanner_keyboard_decoder_feed (decoder, NULL, 0), POS_SCANNER_REPORT_SHORT);
  ck_assert_int_eq (pos_scanner_keyboard_decoder_feed (decoder, beyond, 8), POS_SCANNER_REPORT_GARBAGE);
  ck_assert_int_eq (pos_scanner_keyboard_decoder_feed (decoder, post_fail, 8), POS_SCANNER_REPORT_GARBAGE);
  ck_assert_int_eq (pos_scanner_keyboard_decoder_feed (decoder, release, 8), POS_SCANNER_REPORT_IDLE);
  ck_assert_str_eq (pos_scanner_keyboard_decoder_get_text (decoder), "1");
  ck_assert (pos_scanner_keyboard_decoder_has_partial (decoder));

  pos_scanner_keyboard_decoder_reset (decoder);
  ck_assert (!pos_scanner_keyboard_decoder_has_partial (decoder));
  ck_assert_str_eq (pos_scanner_keyboard_decoder_get_text (decoder), "");
}
END_TEST

START_TEST (test_gs_separator)
{
  g_autoptr(GByteArray) reports = g_byte_array_new ();
  g_autofree char *text = NULL;

  type_us (reports, "0107891234567895");
  /* Alt + 0 2 9 on the keypad, Alt released: GS. */
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0, 0);
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0x62, 0);
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0, 0);
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0x5a, 0);
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0, 0);
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0x61, 0);
  add_report (reports, POS_HID_MOD_LEFT_ALT, 0, 0);
  add_report (reports, 0, 0, 0);
  type_us (reports, "10ABC");
  /* Ctrl + ]: GS as well. */
  press (reports, POS_HID_MOD_LEFT_CTRL, 0x30);
  type_us (reports, "21X");
  press (reports, 0, POS_HID_KEY_ENTER);
  text = decode (POS_SCANNER_LAYOUT_US, reports);
  ck_assert_str_eq (text, "0107891234567895\x1d" "10ABC\x1d" "21X");

  /* On ABNT2, "]" is another key. */
  g_byte_array_set_size (reports, 0);
  press (reports, 0, 0x1e);
  press (reports, POS_HID_MOD_RIGHT_CTRL, 0x32);
  press (reports, POS_HID_MOD_LEFT_CTRL, 0x30);   /* "[" there: nothing */
  press (reports, 0, 0x1f);
  press (reports, 0, POS_HID_KEY_ENTER);
  g_free (text);
  text = decode (POS_SCANNER_LAYOUT_ABNT2, reports);
  ck_assert_str_eq (text, "1\x1d" "2");
}
END_TEST

START_TEST (test_set_layout_drops_partial)
{
  g_autoptr(PosScannerKeyboardDecoder) decoder = pos_scanner_keyboard_decoder_new (POS_SCANNER_LAYOUT_US);
  static const guint8 one[8] = { 0, 0, 0x1e, 0, 0, 0, 0, 0 };

  pos_scanner_keyboard_decoder_feed (decoder, one, 8);
  ck_assert (pos_scanner_keyboard_decoder_has_partial (decoder));
  pos_scanner_keyboard_decoder_set_layout (decoder, POS_SCANNER_LAYOUT_US);
  ck_assert (pos_scanner_keyboard_decoder_has_partial (decoder));
  pos_scanner_keyboard_decoder_set_layout (decoder, POS_SCANNER_LAYOUT_ABNT2);
  ck_assert (!pos_scanner_keyboard_decoder_has_partial (decoder));
  ck_assert_int_eq (pos_scanner_keyboard_decoder_get_layout (decoder), POS_SCANNER_LAYOUT_ABNT2);
}
END_TEST

static Suite *
keymap_suite (void)
{
  Suite *s = suite_create ("scanner-keymap");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_layout_names);
  tcase_add_test (tc, test_lookup);
  tcase_add_test (tc, test_digits);
  tcase_add_test (tc, test_keypad_digits);
  tcase_add_test (tc, test_letters_with_shift);
  tcase_add_test (tc, test_code128_symbols);
  tcase_add_test (tc, test_abnt2_scan);
  tcase_add_test (tc, test_dead_key_at_the_end);
  tcase_add_test (tc, test_tab_terminator);
  tcase_add_test (tc, test_held_keys_and_rollover);
  tcase_add_test (tc, test_short_and_garbage);
  tcase_add_test (tc, test_gs_separator);
  tcase_add_test (tc, test_set_layout_drops_partial);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (keymap_suite ());
  int n;

  srunner_run_all (sr, CK_ENV);
  n = srunner_ntests_failed (sr);
  srunner_free (sr);
  return n == 0 ? 0 : 1;
}
