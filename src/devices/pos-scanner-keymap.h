/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a USB barcode scanner in keyboard mode means by its keys.
 *
 * Such a scanner is a USB HID boot keyboard: each input report is 8 bytes,
 * [modifiers, reserved, key1 .. key6], the keys being HID usages of the
 * Keyboard/Keypad page (0x07) held down at that moment. The characters the
 * usages stand for depend on the keyboard layout the scanner was set up
 * for, which is why the scanner's layout is a setting of each device.
 *
 * Pure functions and a small decoder, no I/O. */

typedef enum {
  POS_SCANNER_LAYOUT_US,     /* "us": English (US) */
  POS_SCANNER_LAYOUT_ABNT2,  /* "abnt2": Portuguese (Brazil, ABNT2), with its dead keys */
} PosScannerLayout;

#define POS_SCANNER_N_LAYOUTS 2

/* "us", "abnt2" */
const char *pos_scanner_layout_to_string   (PosScannerLayout  layout);
/* Accepts "us" and "abnt2" (also "br", "br-abnt2"), case-insensitive. */
gboolean    pos_scanner_layout_from_string (const char       *name,
                                            PosScannerLayout *out_layout);
/* A name for people, translated: "English (US)". */
const char *pos_scanner_layout_get_label   (PosScannerLayout  layout);

/* Byte 0 of a boot keyboard report. */
typedef enum {
  POS_HID_MOD_LEFT_CTRL   = 1 << 0,
  POS_HID_MOD_LEFT_SHIFT  = 1 << 1,
  POS_HID_MOD_LEFT_ALT    = 1 << 2,
  POS_HID_MOD_LEFT_GUI    = 1 << 3,
  POS_HID_MOD_RIGHT_CTRL  = 1 << 4,
  POS_HID_MOD_RIGHT_SHIFT = 1 << 5,
  POS_HID_MOD_RIGHT_ALT   = 1 << 6,   /* AltGr on ABNT2 */
  POS_HID_MOD_RIGHT_GUI   = 1 << 7,
} PosHidModifiers;

#define POS_HID_MOD_SHIFT (POS_HID_MOD_LEFT_SHIFT | POS_HID_MOD_RIGHT_SHIFT)
#define POS_HID_MOD_CTRL  (POS_HID_MOD_LEFT_CTRL | POS_HID_MOD_RIGHT_CTRL)
#define POS_HID_MOD_ALT   (POS_HID_MOD_LEFT_ALT | POS_HID_MOD_RIGHT_ALT)

/* A few usages of the Keyboard/Keypad page. */
#define POS_HID_KEY_A           0x04
#define POS_HID_KEY_1           0x1e
#define POS_HID_KEY_0           0x27
#define POS_HID_KEY_ENTER       0x28
#define POS_HID_KEY_TAB         0x2b
#define POS_HID_KEY_SPACE       0x2c
#define POS_HID_KEY_KP_1        0x59
#define POS_HID_KEY_KP_0        0x62
#define POS_HID_KEY_KP_ENTER    0x58

typedef enum {
  POS_SCANNER_KEY_NONE,    /* no character: an unknown usage, Esc, F1, ... */
  POS_SCANNER_KEY_CHAR,    /* *out_char is the character */
  POS_SCANNER_KEY_DEAD,    /* a dead accent key (ABNT2): *out_char is the combining
                            * mark (U+0301 acute, U+0300 grave, U+0303 tilde,
                            * U+0302 circumflex, U+0308 diaeresis), to compose
                            * with the next character */
  POS_SCANNER_KEY_ENTER,   /* Enter or keypad Enter */
  POS_SCANNER_KEY_TAB,     /* Tab, with or without shift */
} PosScannerKeyKind;

/* The meaning of one key usage pressed with these modifiers: shift (left or
 * right) picks the upper character, AltGr (right Alt) the third level on
 * ABNT2. Caps Lock is not considered (scanners do not use it); keypad keys
 * are read as with Num Lock on. Control and Alt are not applied here (see
 * the decoder). */
PosScannerKeyKind pos_scanner_keymap_lookup        (PosScannerLayout  layout,
                                                    guint8            modifiers,
                                                    guint8            usage,
                                                    gunichar         *out_char);
/* A dead key followed by base: the precomposed character ("~" + "a" = "ã"),
 * or 0 when they do not compose. */
gunichar          pos_scanner_keymap_compose       (gunichar          dead,
                                                    gunichar          base);
/* What a dead key followed by space (or by itself again) types: "~", "^",
 * "`", "´", "¨". */
gunichar          pos_scanner_keymap_dead_spacing  (gunichar          dead);

/* What feeding one report did. */
typedef enum {
  POS_SCANNER_REPORT_IDLE,     /* a valid report that typed nothing
                                * (key release, modifier, unknown key) */
  POS_SCANNER_REPORT_TEXT,     /* the scan went on: characters added, or a dead
                                * key or an Alt-code digit typed */
  POS_SCANNER_REPORT_END,      /* Enter or Tab: the scan is complete; take it */
  POS_SCANNER_REPORT_SHORT,    /* shorter than 8 bytes: ignored */
  POS_SCANNER_REPORT_GARBAGE,  /* not a keyboard report (a key usage beyond the
                                * keyboard page, POST fail, undefined error):
                                * ignored */
} PosScannerReportResult;

/* Turns boot keyboard reports into the text of a scan. A key counts when
 * it appears in a report and was not in the previous one (so "11" needs a
 * release, or another key, between the two presses). Rollover error reports
 * (usage 0x01 in every slot) are ignored. Besides the layout's characters
 * it understands:
 *   - Ctrl + the key of "]" in the layout: GS (0x1D), the GS1 separator;
 *   - Alt held + keypad digits, released: the character with that decimal
 *     code (Alt+029 = GS), codes 1 to 126;
 *   - dead keys composed with the next key (ABNT2).
 * A dead key still pending when the scan ends is typed as its spacing
 * character. */
typedef struct _PosScannerKeyboardDecoder PosScannerKeyboardDecoder;

PosScannerKeyboardDecoder *pos_scanner_keyboard_decoder_new        (PosScannerLayout layout);
void                       pos_scanner_keyboard_decoder_free       (PosScannerKeyboardDecoder *decoder);
/* Changes the layout; drops any partial scan. */
void                       pos_scanner_keyboard_decoder_set_layout (PosScannerKeyboardDecoder *decoder,
                                                                    PosScannerLayout           layout);
PosScannerLayout           pos_scanner_keyboard_decoder_get_layout (PosScannerKeyboardDecoder *decoder);
PosScannerReportResult     pos_scanner_keyboard_decoder_feed       (PosScannerKeyboardDecoder *decoder,
                                                                    const guint8              *report,
                                                                    gsize                      length);
/* TRUE while a scan is under way: some text, a pending dead key or an
 * Alt code being typed. */
gboolean                   pos_scanner_keyboard_decoder_has_partial (PosScannerKeyboardDecoder *decoder);
/* The text so far (UTF-8), without the terminator. */
const char                *pos_scanner_keyboard_decoder_get_text   (PosScannerKeyboardDecoder *decoder);
/* The key that ended the last scan: POS_SCANNER_KEY_ENTER or _TAB (NONE
 * before the first one, or when the scan ended by the caller's timeout). */
PosScannerKeyKind          pos_scanner_keyboard_decoder_get_terminator (PosScannerKeyboardDecoder *decoder);
/* Returns the text of the scan (flushing a pending dead key) and starts
 * the next one; the keys held stay known. */
char                      *pos_scanner_keyboard_decoder_take_text  (PosScannerKeyboardDecoder *decoder);
/* Forgets everything: partial text, keys held, pending dead key. */
void                       pos_scanner_keyboard_decoder_reset      (PosScannerKeyboardDecoder *decoder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosScannerKeyboardDecoder, pos_scanner_keyboard_decoder_free)

G_END_DECLS
