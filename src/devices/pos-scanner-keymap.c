/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-devices"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pos-scanner-keymap.h"

#define DEAD_GRAVE      0x0300
#define DEAD_ACUTE      0x0301
#define DEAD_CIRCUMFLEX 0x0302
#define DEAD_TILDE      0x0303
#define DEAD_DIAERESIS  0x0308

#define GS 0x1d

/* One key: what it types alone, with shift, with AltGr. */
typedef struct {
  gunichar lower;
  gunichar upper;
  gunichar altgr;
} KeyEntry;

#define N_USAGES 0x88

#define LETTERS \
  [0x04] = { 'a', 'A', 0 }, [0x05] = { 'b', 'B', 0 }, [0x06] = { 'c', 'C', 0 }, \
  [0x07] = { 'd', 'D', 0 }, [0x09] = { 'f', 'F', 0 }, [0x0a] = { 'g', 'G', 0 }, \
  [0x0b] = { 'h', 'H', 0 }, [0x0c] = { 'i', 'I', 0 }, [0x0d] = { 'j', 'J', 0 }, \
  [0x0e] = { 'k', 'K', 0 }, [0x0f] = { 'l', 'L', 0 }, [0x10] = { 'm', 'M', 0 }, \
  [0x11] = { 'n', 'N', 0 }, [0x12] = { 'o', 'O', 0 }, [0x13] = { 'p', 'P', 0 }, \
  [0x15] = { 'r', 'R', 0 }, [0x16] = { 's', 'S', 0 }, [0x17] = { 't', 'T', 0 }, \
  [0x18] = { 'u', 'U', 0 }, [0x19] = { 'v', 'V', 0 }, [0x1b] = { 'x', 'X', 0 }, \
  [0x1c] = { 'y', 'Y', 0 }, [0x1d] = { 'z', 'Z', 0 }, [0x2c] = { ' ', ' ', 0 }

/* Keypad, Num Lock on: the same whatever the shift. */
#define KEYPAD \
  [0x54] = { '/', '/', 0 }, [0x55] = { '*', '*', 0 }, [0x56] = { '-', '-', 0 }, \
  [0x57] = { '+', '+', 0 }, [0x59] = { '1', '1', 0 }, [0x5a] = { '2', '2', 0 }, \
  [0x5b] = { '3', '3', 0 }, [0x5c] = { '4', '4', 0 }, [0x5d] = { '5', '5', 0 }, \
  [0x5e] = { '6', '6', 0 }, [0x5f] = { '7', '7', 0 }, [0x60] = { '8', '8', 0 }, \
  [0x61] = { '9', '9', 0 }, [0x62] = { '0', '0', 0 }, [0x67] = { '=', '=', 0 }

/* English (US), as Windows and the scanners' "USA" setting have it. */
static const KeyEntry keymap_us[N_USAGES] = {
  LETTERS,
  [0x08] = { 'e', 'E', 0 },
  [0x14] = { 'q', 'Q', 0 },
  [0x1a] = { 'w', 'W', 0 },
  [0x1e] = { '1', '!', 0 }, [0x1f] = { '2', '@', 0 }, [0x20] = { '3', '#', 0 },
  [0x21] = { '4', '$', 0 }, [0x22] = { '5', '%', 0 }, [0x23] = { '6', '^', 0 },
  [0x24] = { '7', '&', 0 }, [0x25] = { '8', '*', 0 }, [0x26] = { '9', '(', 0 },
  [0x27] = { '0', ')', 0 },
  [0x2d] = { '-', '_', 0 }, [0x2e] = { '=', '+', 0 }, [0x2f] = { '[', '{', 0 },
  [0x30] = { ']', '}', 0 }, [0x31] = { '\\', '|', 0 }, [0x32] = { '\\', '|', 0 },
  [0x33] = { ';', ':', 0 }, [0x34] = { '\'', '"', 0 }, [0x35] = { '`', '~', 0 },
  [0x36] = { ',', '<', 0 }, [0x37] = { '.', '>', 0 }, [0x38] = { '/', '?', 0 },
  [0x64] = { '\\', '|', 0 },
  KEYPAD,
  [0x63] = { '.', '.', 0 }, [0x85] = { ',', ',', 0 },
};

/* Portuguese (Brazil, ABNT2): the "ç" key, dead accents, "/?" beside the
 * right shift (International1), and the keypad decimal is a comma. */
static const KeyEntry keymap_abnt2[N_USAGES] = {
  LETTERS,
  [0x08] = { 'e', 'E', 0x00b0 },   /* AltGr+E: ° */
  [0x14] = { 'q', 'Q', '/' },
  [0x1a] = { 'w', 'W', '?' },
  [0x1e] = { '1', '!', 0x00b9 }, [0x1f] = { '2', '@', 0x00b2 }, [0x20] = { '3', '#', 0x00b3 },
  [0x21] = { '4', '$', 0x00a3 }, [0x22] = { '5', '%', 0x00a2 }, [0x23] = { '6', DEAD_DIAERESIS, 0x00ac },
  [0x24] = { '7', '&', 0 }, [0x25] = { '8', '*', 0 }, [0x26] = { '9', '(', 0 },
  [0x27] = { '0', ')', 0 },
  [0x2d] = { '-', '_', 0 }, [0x2e] = { '=', '+', 0x00a7 },
  [0x2f] = { DEAD_ACUTE, DEAD_GRAVE, 0 },
  [0x30] = { '[', '{', 0x00aa },
  [0x31] = { ']', '}', 0x00ba }, [0x32] = { ']', '}', 0x00ba },
  [0x33] = { 0x00e7, 0x00c7, 0 },  /* ç Ç */
  [0x34] = { DEAD_TILDE, DEAD_CIRCUMFLEX, 0 },
  [0x35] = { '\'', '"', 0 },
  [0x36] = { ',', '<', 0 }, [0x37] = { '.', '>', 0 }, [0x38] = { ';', ':', 0 },
  [0x64] = { '\\', '|', 0 },
  [0x87] = { '/', '?', 0x00b0 },
  KEYPAD,
  [0x63] = { ',', ',', 0 }, [0x85] = { '.', '.', 0 },
};

static const KeyEntry *
keymap_for (PosScannerLayout layout)
{
  switch (layout)
    {
    case POS_SCANNER_LAYOUT_ABNT2:
      return keymap_abnt2;
    case POS_SCANNER_LAYOUT_US:
    default:
      return keymap_us;
    }
}

const char *
pos_scanner_layout_to_string (PosScannerLayout layout)
{
  switch (layout)
    {
    case POS_SCANNER_LAYOUT_ABNT2:
      return "abnt2";
    case POS_SCANNER_LAYOUT_US:
    default:
      return "us";
    }
}

gboolean
pos_scanner_layout_from_string (const char       *name,
                                PosScannerLayout *out_layout)
{
  PosScannerLayout layout;

  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (name, "us") == 0)
    layout = POS_SCANNER_LAYOUT_US;
  else if (g_ascii_strcasecmp (name, "abnt2") == 0
           || g_ascii_strcasecmp (name, "br") == 0
           || g_ascii_strcasecmp (name, "br-abnt2") == 0)
    layout = POS_SCANNER_LAYOUT_ABNT2;
  else
    return FALSE;

  if (out_layout != NULL)
    *out_layout = layout;
  return TRUE;
}

const char *
pos_scanner_layout_get_label (PosScannerLayout layout)
{
  switch (layout)
    {
    case POS_SCANNER_LAYOUT_ABNT2:
      return _("Portuguese (Brazil, ABNT2)");
    case POS_SCANNER_LAYOUT_US:
    default:
      return _("English (US)");
    }
}

static gboolean
is_dead (gunichar ch)
{
  return ch == DEAD_GRAVE || ch == DEAD_ACUTE || ch == DEAD_CIRCUMFLEX
         || ch == DEAD_TILDE || ch == DEAD_DIAERESIS;
}

PosScannerKeyKind
pos_scanner_keymap_lookup (PosScannerLayout  layout,
                           guint8            modifiers,
                           guint8            usage,
                           gunichar         *out_char)
{
  const KeyEntry *entry;
  gunichar ch;

  if (out_char != NULL)
    *out_char = 0;

  if (usage == POS_HID_KEY_ENTER || usage == POS_HID_KEY_KP_ENTER)
    return POS_SCANNER_KEY_ENTER;
  if (usage == POS_HID_KEY_TAB)
    return POS_SCANNER_KEY_TAB;
  if (usage >= N_USAGES)
    return POS_SCANNER_KEY_NONE;

  entry = &keymap_for (layout)[usage];
  if (layout == POS_SCANNER_LAYOUT_ABNT2 && (modifiers & POS_HID_MOD_RIGHT_ALT) != 0)
    ch = entry->altgr;
  else if ((modifiers & POS_HID_MOD_SHIFT) != 0)
    ch = entry->upper;
  else
    ch = entry->lower;

  if (ch == 0)
    return POS_SCANNER_KEY_NONE;
  if (out_char != NULL)
    *out_char = ch;
  return is_dead (ch) ? POS_SCANNER_KEY_DEAD : POS_SCANNER_KEY_CHAR;
}

gunichar
pos_scanner_keymap_compose (gunichar dead,
                            gunichar base)
{
  gunichar composed = 0;

  if (!is_dead (dead) || base == 0)
    return 0;
  if (!g_unichar_compose (base, dead, &composed))
    return 0;
  return composed;
}

gunichar
pos_scanner_keymap_dead_spacing (gunichar dead)
{
  switch (dead)
    {
    case DEAD_GRAVE:
      return '`';
    case DEAD_ACUTE:
      return 0x00b4;  /* ´ */
    case DEAD_CIRCUMFLEX:
      return '^';
    case DEAD_TILDE:
      return '~';
    case DEAD_DIAERESIS:
      return 0x00a8;  /* ¨ */
    default:
      return 0;
    }
}

/* ---- the decoder ---- */

#define BOOT_REPORT_LENGTH 8
#define N_KEYS 6

struct _PosScannerKeyboardDecoder {
  PosScannerLayout  layout;
  guint8            held[N_KEYS];     /* keys down in the previous report */
  guint8            prev_modifiers;
  GString          *text;
  gunichar          dead;             /* pending dead key, or 0 */
  guint             alt_code;         /* Alt + keypad digits being typed */
  guint             alt_digits;
  PosScannerKeyKind terminator;
};

PosScannerKeyboardDecoder *
pos_scanner_keyboard_decoder_new (PosScannerLayout layout)
{
  PosScannerKeyboardDecoder *decoder = g_new0 (PosScannerKeyboardDecoder, 1);

  decoder->layout = layout;
  decoder->text = g_string_new (NULL);
  decoder->terminator = POS_SCANNER_KEY_NONE;
  return decoder;
}

void
pos_scanner_keyboard_decoder_free (PosScannerKeyboardDecoder *decoder)
{
  if (decoder == NULL)
    return;
  g_string_free (decoder->text, TRUE);
  g_free (decoder);
}

void
pos_scanner_keyboard_decoder_reset (PosScannerKeyboardDecoder *decoder)
{
  g_return_if_fail (decoder != NULL);

  memset (decoder->held, 0, sizeof decoder->held);
  decoder->prev_modifiers = 0;
  g_string_truncate (decoder->text, 0);
  decoder->dead = 0;
  decoder->alt_code = 0;
  decoder->alt_digits = 0;
}

void
pos_scanner_keyboard_decoder_set_layout (PosScannerKeyboardDecoder *decoder,
                                         PosScannerLayout           layout)
{
  g_return_if_fail (decoder != NULL);

  if (decoder->layout == layout)
    return;
  decoder->layout = layout;
  pos_scanner_keyboard_decoder_reset (decoder);
}

PosScannerLayout
pos_scanner_keyboard_decoder_get_layout (PosScannerKeyboardDecoder *decoder)
{
  g_return_val_if_fail (decoder != NULL, POS_SCANNER_LAYOUT_US);

  return decoder->layout;
}

gboolean
pos_scanner_keyboard_decoder_has_partial (PosScannerKeyboardDecoder *decoder)
{
  g_return_val_if_fail (decoder != NULL, FALSE);

  return decoder->text->len > 0 || decoder->dead != 0 || decoder->alt_digits > 0;
}

const char *
pos_scanner_keyboard_decoder_get_text (PosScannerKeyboardDecoder *decoder)
{
  g_return_val_if_fail (decoder != NULL, NULL);

  return decoder->text->str;
}

PosScannerKeyKind
pos_scanner_keyboard_decoder_get_terminator (PosScannerKeyboardDecoder *decoder)
{
  g_return_val_if_fail (decoder != NULL, POS_SCANNER_KEY_NONE);

  return decoder->terminator;
}

static void
append_char (PosScannerKeyboardDecoder *decoder,
             gunichar                   ch)
{
  if (decoder->text->len == 0)
    decoder->terminator = POS_SCANNER_KEY_NONE;
  g_string_append_unichar (decoder->text, ch);
}

static void
flush_dead (PosScannerKeyboardDecoder *decoder)
{
  if (decoder->dead != 0)
    append_char (decoder, pos_scanner_keymap_dead_spacing (decoder->dead));
  decoder->dead = 0;
}

char *
pos_scanner_keyboard_decoder_take_text (PosScannerKeyboardDecoder *decoder)
{
  char *text;

  g_return_val_if_fail (decoder != NULL, NULL);

  flush_dead (decoder);
  decoder->alt_code = 0;
  decoder->alt_digits = 0;
  text = g_strndup (decoder->text->str, decoder->text->len);
  g_string_truncate (decoder->text, 0);
  return text;
}

static void
type_char (PosScannerKeyboardDecoder *decoder,
           gunichar                   ch)
{
  gunichar composed;

  if (decoder->dead == 0)
    {
      append_char (decoder, ch);
      return;
    }

  composed = pos_scanner_keymap_compose (decoder->dead, ch);
  if (composed != 0)
    {
      decoder->dead = 0;
      append_char (decoder, composed);
      return;
    }

  flush_dead (decoder);
  if (ch != ' ')
    append_char (decoder, ch);
}

static void
type_dead (PosScannerKeyboardDecoder *decoder,
           gunichar                   dead)
{
  if (decoder->dead == dead)
    {
      flush_dead (decoder);
      return;
    }
  flush_dead (decoder);
  decoder->dead = dead;
}

static gboolean
alt_codes_modifier (PosScannerLayout layout,
                    guint8           modifiers)
{
  /* On ABNT2 the right Alt is AltGr, a character level, not Alt. */
  if (layout == POS_SCANNER_LAYOUT_ABNT2)
    return (modifiers & POS_HID_MOD_LEFT_ALT) != 0;
  return (modifiers & POS_HID_MOD_ALT) != 0;
}

static int
keypad_digit (guint8 usage)
{
  if (usage >= POS_HID_KEY_KP_1 && usage < POS_HID_KEY_KP_0)
    return usage - POS_HID_KEY_KP_1 + 1;
  if (usage == POS_HID_KEY_KP_0)
    return 0;
  return -1;
}

static gboolean
was_held (PosScannerKeyboardDecoder *decoder,
          guint8                     usage)
{
  for (guint i = 0; i < N_KEYS; i++)
    if (decoder->held[i] == usage)
      return TRUE;
  return FALSE;
}

PosScannerReportResult
pos_scanner_keyboard_decoder_feed (PosScannerKeyboardDecoder *decoder,
                                   const guint8              *report,
                                   gsize                      length)
{
  PosScannerReportResult result = POS_SCANNER_REPORT_IDLE;
  const guint8 *keys;
  guint8 modifiers;
  gboolean rollover = TRUE;
  gboolean ended = FALSE;
  gsize text_len_before;
  gunichar dead_before;
  guint alt_digits_before;

  g_return_val_if_fail (decoder != NULL, POS_SCANNER_REPORT_GARBAGE);

  if (report == NULL || length < BOOT_REPORT_LENGTH)
    return POS_SCANNER_REPORT_SHORT;

  modifiers = report[0];
  keys = report + 2;

  for (guint i = 0; i < N_KEYS; i++)
    {
      /* 0x02 POST fail, 0x03 undefined error; above 0xE7 nothing is a key. */
      if (keys[i] == 0x02 || keys[i] == 0x03 || keys[i] > 0xe7)
        return POS_SCANNER_REPORT_GARBAGE;
      if (keys[i] != 0x01)
        rollover = FALSE;
    }
  if (rollover)
    return POS_SCANNER_REPORT_IDLE;

  text_len_before = decoder->text->len;
  dead_before = decoder->dead;
  alt_digits_before = decoder->alt_digits;

  /* Alt released after keypad digits: the character with that code. */
  if (decoder->alt_digits > 0 && !alt_codes_modifier (decoder->layout, modifiers))
    {
      guint code = decoder->alt_code;

      decoder->alt_code = 0;
      decoder->alt_digits = 0;
      if (code >= 1 && code <= 126)
        type_char (decoder, code);
    }

  for (guint i = 0; i < N_KEYS && !ended; i++)
    {
      guint8 usage = keys[i];
      PosScannerKeyKind kind;
      gunichar ch = 0;
      int digit;

      if (usage == 0 || usage == 0x01 || was_held (decoder, usage))
        continue;

      if (alt_codes_modifier (decoder->layout, modifiers))
        {
          digit = keypad_digit (usage);
          if (digit >= 0 && decoder->alt_digits < 4)
            {
              decoder->alt_code = decoder->alt_code * 10 + (guint) digit;
              decoder->alt_digits++;
            }
          /* Alt + anything else is a shortcut, not text. */
          continue;
        }

      if ((modifiers & POS_HID_MOD_CTRL) != 0)
        {
          /* Ctrl+] is GS, the GS1 separator; other control keys type nothing. */
          if (pos_scanner_keymap_lookup (decoder->layout, 0, usage, &ch) == POS_SCANNER_KEY_CHAR
              && ch == ']')
            type_char (decoder, GS);
          continue;
        }

      kind = pos_scanner_keymap_lookup (decoder->layout, modifiers, usage, &ch);
      switch (kind)
        {
        case POS_SCANNER_KEY_CHAR:
          type_char (decoder, ch);
          break;
        case POS_SCANNER_KEY_DEAD:
          type_dead (decoder, ch);
          break;
        case POS_SCANNER_KEY_ENTER:
        case POS_SCANNER_KEY_TAB:
          flush_dead (decoder);
          decoder->terminator = kind;
          ended = TRUE;
          break;
        case POS_SCANNER_KEY_NONE:
        default:
          break;
        }
    }

  for (guint i = 0; i < N_KEYS; i++)
    decoder->held[i] = keys[i] == 0x01 ? 0 : keys[i];
  decoder->prev_modifiers = modifiers;

  if (ended)
    result = POS_SCANNER_REPORT_END;
  else if (decoder->text->len != text_len_before || decoder->dead != dead_before
           || decoder->alt_digits != alt_digits_before)
    result = POS_SCANNER_REPORT_TEXT;

  return result;
}
