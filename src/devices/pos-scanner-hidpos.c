/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-devices"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "pos-scanner-hidpos.h"

#define USAGE(page, id) (((guint32) (page) << 16) | (guint32) (id))

#define USAGE_BYTE_COUNT     USAGE (0x01, 0x3b)  /* Generic Desktop: Byte Count */
#define USAGE_SYMBOLOGY_ID_1 USAGE (POS_HIDPOS_USAGE_PAGE, 0xfb)
#define USAGE_SYMBOLOGY_ID_2 USAGE (POS_HIDPOS_USAGE_PAGE, 0xfc)
#define USAGE_SYMBOLOGY_ID_3 USAGE (POS_HIDPOS_USAGE_PAGE, 0xfd)
#define USAGE_DECODED_DATA   USAGE (POS_HIDPOS_USAGE_PAGE, 0xfe)
#define USAGE_DATA_CONTINUED USAGE (POS_HIDPOS_USAGE_PAGE, 0xff)

/* HID 1.11 item types and tags. */
enum {
  ITEM_MAIN = 0,
  ITEM_GLOBAL = 1,
  ITEM_LOCAL = 2,
};
enum {
  MAIN_INPUT = 0x8,
  MAIN_OUTPUT = 0x9,
  MAIN_COLLECTION = 0xa,
  MAIN_FEATURE = 0xb,
  MAIN_END_COLLECTION = 0xc,
};
enum {
  GLOBAL_USAGE_PAGE = 0x0,
  GLOBAL_REPORT_SIZE = 0x7,
  GLOBAL_REPORT_ID = 0x8,
  GLOBAL_REPORT_COUNT = 0x9,
  GLOBAL_PUSH = 0xa,
  GLOBAL_POP = 0xb,
};
enum {
  LOCAL_USAGE = 0x0,
  LOCAL_USAGE_MINIMUM = 0x1,
  LOCAL_USAGE_MAXIMUM = 0x2,
};

#define MAX_USAGES 64
#define MAX_PUSH 8

typedef struct {
  guint32 usage_page;
  guint32 report_size;
  guint32 report_count;
  guint32 report_id;
} Globals;

/* Where one of the usages we look for was found. */
typedef struct {
  gboolean found;
  guint    report_id;
  guint    bit_offset;
  guint    bits;
} Field;

typedef struct {
  Field byte_count;
  Field aim[3];
  Field data;
  Field continued;
} Fields;

typedef void (*ItemFunc) (guint type, guint tag, guint size, guint32 value, gpointer user_data);

/* Walks the items of a report descriptor. FALSE when it is cut short. */
static gboolean
walk_items (const guint8 *descriptor,
            gsize         length,
            ItemFunc      func,
            gpointer      user_data)
{
  gsize pos = 0;

  while (pos < length)
    {
      guint8 prefix = descriptor[pos];
      guint size, type, tag;
      guint32 value = 0;

      if (prefix == 0xfe)
        {
          /* Long item: bDataSize, bLongItemTag, data. Nothing we need. */
          if (pos + 2 >= length)
            return FALSE;
          pos += 3 + (gsize) descriptor[pos + 1];
          if (pos > length)
            return FALSE;
          continue;
        }

      size = prefix & 0x3;
      if (size == 3)
        size = 4;
      type = (prefix >> 2) & 0x3;
      tag = prefix >> 4;
      if (pos + 1 + size > length)
        return FALSE;
      for (guint i = 0; i < size; i++)
        value |= (guint32) descriptor[pos + 1 + i] << (8 * i);
      pos += 1 + size;

      func (type, tag, size, value, user_data);
    }

  return TRUE;
}

static void
find_page_item (guint    type,
                guint    tag,
                guint    size,
                guint32  value,
                gpointer user_data)
{
  gboolean *found = user_data;

  if (type == ITEM_GLOBAL && tag == GLOBAL_USAGE_PAGE && value == POS_HIDPOS_USAGE_PAGE)
    *found = TRUE;
  else if (type == ITEM_LOCAL && size == 4 && (value >> 16) == POS_HIDPOS_USAGE_PAGE)
    *found = TRUE;
}

gboolean
pos_hidpos_descriptor_is_scanner (const guint8 *descriptor,
                                  gsize         length)
{
  gboolean found = FALSE;

  if (descriptor == NULL || length == 0)
    return FALSE;
  walk_items (descriptor, length, find_page_item, &found);
  return found;
}

typedef struct {
  Globals  globals;
  Globals  stack[MAX_PUSH];
  guint    depth;
  guint32  usages[MAX_USAGES];
  guint    n_usages;
  guint32  usage_min;
  guint32  usage_max;
  gboolean has_min;
  gboolean has_max;
  guint    input_bits[256];   /* bit offset of the next input field, per report ID */
  gboolean uses_report_ids;
  gboolean overflow;
  Fields   fields;
} Parser;

static void
clear_locals (Parser *parser)
{
  parser->n_usages = 0;
  parser->has_min = FALSE;
  parser->has_max = FALSE;
}

static guint32
full_usage (Parser  *parser,
            guint    size,
            guint32  value)
{
  if (size == 4)
    return value;
  return USAGE (parser->globals.usage_page, value);
}

static guint32
usage_for (Parser *parser,
           guint   index)
{
  if (parser->n_usages > 0)
    return parser->usages[MIN (index, parser->n_usages - 1)];
  if (parser->has_min)
    {
      guint32 usage = parser->usage_min + index;

      if (parser->has_max && usage > parser->usage_max)
        usage = parser->usage_max;
      return usage;
    }
  return 0;
}

static void
note_field (Field *field,
            guint  report_id,
            guint  bit_offset,
            guint  bits)
{
  if (!field->found)
    {
      field->found = TRUE;
      field->report_id = report_id;
      field->bit_offset = bit_offset;
      field->bits = bits;
    }
  else if (field->report_id == report_id && field->bit_offset + field->bits == bit_offset)
    field->bits += bits;  /* the next part of the same field (one usage per byte) */
}

static void
note_usage (Parser  *parser,
            guint32  usage,
            guint    report_id,
            guint    bit_offset,
            guint    bits)
{
  Fields *f = &parser->fields;

  switch (usage)
    {
    case USAGE_BYTE_COUNT:
      note_field (&f->byte_count, report_id, bit_offset, bits);
      break;
    case USAGE_SYMBOLOGY_ID_1:
      note_field (&f->aim[0], report_id, bit_offset, bits);
      break;
    case USAGE_SYMBOLOGY_ID_2:
      note_field (&f->aim[1], report_id, bit_offset, bits);
      break;
    case USAGE_SYMBOLOGY_ID_3:
      note_field (&f->aim[2], report_id, bit_offset, bits);
      break;
    case USAGE_DECODED_DATA:
      note_field (&f->data, report_id, bit_offset, bits);
      break;
    case USAGE_DATA_CONTINUED:
      note_field (&f->continued, report_id, bit_offset, bits);
      break;
    default:
      break;
    }
}

static void
input_item (Parser  *parser,
            guint32  flags)
{
  guint report_id = parser->globals.report_id & 0xff;
  guint size = parser->globals.report_size;
  guint count = parser->globals.report_count;
  guint offset = parser->input_bits[report_id];
  gboolean constant = (flags & 0x1) != 0;
  gboolean variable = (flags & 0x2) != 0;

  if (size > 32 || count > 4096)
    {
      parser->overflow = TRUE;
      return;
    }

  if (!constant)
    {
      if (variable)
        {
          for (guint i = 0; i < count; i++)
            note_usage (parser, usage_for (parser, i), report_id, offset + i * size, size);
        }
      else
        {
          /* An array (or buffered bytes): the whole field under its first usage. */
          note_usage (parser, usage_for (parser, 0), report_id, offset, size * count);
        }
    }

  parser->input_bits[report_id] = offset + size * count;
}

static void
parse_item (guint    type,
            guint    tag,
            guint    size,
            guint32  value,
            gpointer user_data)
{
  Parser *parser = user_data;

  switch (type)
    {
    case ITEM_MAIN:
      if (tag == MAIN_INPUT)
        input_item (parser, value);
      /* Output and feature reports, collections: nothing to note. */
      if (tag == MAIN_INPUT || tag == MAIN_OUTPUT || tag == MAIN_FEATURE
          || tag == MAIN_COLLECTION || tag == MAIN_END_COLLECTION)
        clear_locals (parser);
      break;

    case ITEM_GLOBAL:
      switch (tag)
        {
        case GLOBAL_USAGE_PAGE:
          parser->globals.usage_page = value & 0xffff;
          break;
        case GLOBAL_REPORT_SIZE:
          parser->globals.report_size = value;
          break;
        case GLOBAL_REPORT_ID:
          parser->globals.report_id = value;
          parser->uses_report_ids = TRUE;
          break;
        case GLOBAL_REPORT_COUNT:
          parser->globals.report_count = value;
          break;
        case GLOBAL_PUSH:
          if (parser->depth < MAX_PUSH)
            parser->stack[parser->depth++] = parser->globals;
          else
            parser->overflow = TRUE;
          break;
        case GLOBAL_POP:
          if (parser->depth > 0)
            parser->globals = parser->stack[--parser->depth];
          else
            parser->overflow = TRUE;
          break;
        default:
          break;
        }
      break;

    case ITEM_LOCAL:
      switch (tag)
        {
        case LOCAL_USAGE:
          if (parser->n_usages < MAX_USAGES)
            parser->usages[parser->n_usages++] = full_usage (parser, size, value);
          break;
        case LOCAL_USAGE_MINIMUM:
          parser->usage_min = full_usage (parser, size, value);
          parser->has_min = TRUE;
          break;
        case LOCAL_USAGE_MAXIMUM:
          parser->usage_max = full_usage (parser, size, value);
          parser->has_max = TRUE;
          break;
        default:
          break;
        }
      break;

    default:
      break;
    }
}

static gboolean
byte_field_in (const Field *field,
               guint        report_id,
               guint        bytes)
{
  return field->found && field->report_id == report_id
         && field->bit_offset % 8 == 0 && field->bits == bytes * 8;
}

gboolean
pos_hidpos_layout_parse (const guint8    *descriptor,
                         gsize            length,
                         PosHidPosLayout *layout,
                         GError         **error)
{
  g_autofree Parser *parser = g_new0 (Parser, 1);
  const Fields *f;
  guint rid;

  g_return_val_if_fail (layout != NULL, FALSE);

  if (descriptor == NULL || length == 0
      || !walk_items (descriptor, length, parse_item, parser) || parser->overflow)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The HID report descriptor is malformed");
      return FALSE;
    }

  f = &parser->fields;
  if (!f->data.found || f->data.bit_offset % 8 != 0 || f->data.bits % 8 != 0 || f->data.bits == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "The HID report descriptor has no Decoded Data input field");
      return FALSE;
    }

  rid = f->data.report_id;
  layout->report_id = parser->uses_report_ids ? (guint8) rid : 0;
  layout->data_offset = (int) (f->data.bit_offset / 8);
  layout->data_length = f->data.bits / 8;

  layout->count_offset = -1;
  if (byte_field_in (&f->byte_count, rid, 1))
    layout->count_offset = (int) (f->byte_count.bit_offset / 8);

  layout->aim_offset = -1;
  if (byte_field_in (&f->aim[0], rid, 3))
    layout->aim_offset = (int) (f->aim[0].bit_offset / 8);  /* one usage for all three */
  else if (byte_field_in (&f->aim[0], rid, 1) && byte_field_in (&f->aim[1], rid, 1)
           && byte_field_in (&f->aim[2], rid, 1)
           && f->aim[1].bit_offset == f->aim[0].bit_offset + 8
           && f->aim[2].bit_offset == f->aim[1].bit_offset + 8)
    layout->aim_offset = (int) (f->aim[0].bit_offset / 8);

  layout->continued_bit = -1;
  if (f->continued.found && f->continued.report_id == rid)
    layout->continued_bit = (int) f->continued.bit_offset;

  return TRUE;
}

void
pos_hidpos_layout_init_standard (PosHidPosLayout *layout)
{
  g_return_if_fail (layout != NULL);

  layout->report_id = 2;
  layout->count_offset = 0;
  layout->aim_offset = 1;
  layout->data_offset = 4;
  layout->data_length = 56;
  layout->continued_bit = 60 * 8;
}

static void
read_aim (const guint8 *bytes,
          char          aim[4])
{
  memset (aim, 0, 4);

  if (bytes[0] == ']' && g_ascii_isalpha (bytes[1]) && g_ascii_isalnum (bytes[2]))
    {
      memcpy (aim, bytes, 3);
    }
  else if (g_ascii_isalpha (bytes[0]) && g_ascii_isalnum (bytes[1]))
    {
      /* Some scanners leave out the "]" flag character. */
      aim[0] = ']';
      aim[1] = (char) bytes[0];
      aim[2] = (char) bytes[1];
    }
}

PosHidPosReportResult
pos_hidpos_decode_report (const PosHidPosLayout *layout,
                          const guint8          *report,
                          gsize                  length,
                          PosHidPosPiece        *piece)
{
  const guint8 *p = report;
  gsize n = length;
  gsize count;
  gsize available;

  g_return_val_if_fail (layout != NULL, POS_HIDPOS_REPORT_GARBAGE);
  g_return_val_if_fail (piece != NULL, POS_HIDPOS_REPORT_GARBAGE);

  memset (piece, 0, sizeof *piece);

  if (report == NULL || length == 0)
    return POS_HIDPOS_REPORT_SHORT;

  if (layout->report_id != 0)
    {
      if (report[0] != layout->report_id)
        return POS_HIDPOS_REPORT_OTHER;
      p = report + 1;
      n = length - 1;
    }

  if (n <= (gsize) layout->data_offset)
    return POS_HIDPOS_REPORT_SHORT;
  available = MIN ((gsize) layout->data_length, n - (gsize) layout->data_offset);

  if (layout->count_offset >= 0)
    {
      if (n <= (gsize) layout->count_offset)
        return POS_HIDPOS_REPORT_SHORT;
      count = p[layout->count_offset];
      if (count > layout->data_length)
        return POS_HIDPOS_REPORT_GARBAGE;
      if (count > available)
        return POS_HIDPOS_REPORT_SHORT;
    }
  else
    {
      count = available;
      while (count > 0 && p[layout->data_offset + count - 1] == 0)
        count--;
    }

  if (layout->aim_offset >= 0)
    {
      if (n < (gsize) layout->aim_offset + 3)
        return POS_HIDPOS_REPORT_SHORT;
      read_aim (p + layout->aim_offset, piece->aim);
    }

  if (layout->continued_bit >= 0 && (gsize) (layout->continued_bit / 8) < n)
    piece->continued = (p[layout->continued_bit / 8] >> (layout->continued_bit % 8)) & 1;

  piece->data = p + layout->data_offset;
  piece->length = count;
  return POS_HIDPOS_REPORT_DATA;
}

typedef struct {
  const char *aim;   /* three characters, or two for any modifier */
  const char *name;
} SymbologyName;

static const SymbologyName symbology_names[] = {
  { "]E0", "EAN-13" },
  { "]E1", "EAN/UPC add-on 2" },
  { "]E2", "EAN/UPC add-on 5" },
  { "]E3", "EAN-13 with add-on" },
  { "]E4", "EAN-8" },
  { "]C1", "GS1-128" },
  { "]C",  "Code 128" },
  { "]d2", "GS1 DataMatrix" },
  { "]d",  "Data Matrix" },
  { "]Q3", "GS1 QR Code" },
  { "]Q",  "QR Code" },
  { "]e",  "GS1 DataBar" },
  { "]A",  "Code 39" },
  { "]F",  "Codabar" },
  { "]G",  "Code 93" },
  { "]H",  "Code 11" },
  { "]I",  "Interleaved 2 of 5" },
  { "]L",  "PDF417" },
  { "]M",  "MSI" },
  { "]z",  "Aztec" },
};

gboolean
pos_hidpos_is_aim_prefix (const char *text)
{
  return text != NULL && text[0] == ']' && g_ascii_isalpha (text[1]) && g_ascii_isalnum (text[2]);
}

const char *
pos_hidpos_symbology_name (const char *aim)
{
  if (!pos_hidpos_is_aim_prefix (aim))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (symbology_names); i++)
    if (strncmp (aim, symbology_names[i].aim, strlen (symbology_names[i].aim)) == 0)
      return symbology_names[i].name;
  return NULL;
}
