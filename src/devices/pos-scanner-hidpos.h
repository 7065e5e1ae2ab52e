/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* HID POS barcode scanners: USB HID devices whose report descriptor uses
 * the Barcode Scanner usage page (0x8C) of the "HID Point of Sale Usage
 * Tables" 1.02. Unlike a keyboard-mode scanner, such a scanner sends the
 * whole barcode in one input report (or a few, when it does not fit), with
 * its AIM symbology identifier, independent of any keyboard layout.
 *
 * The fields of the Scanned Data Report that matter here:
 *
 *   Generic Desktop 0x3B  Byte Count          how many bytes of Decoded Data are used
 *   0x8C:0xFB..0xFD       Symbology Identifier 1..3
 *                                             the AIM identifier, e.g. "]E0"
 *   0x8C:0xFE             Decoded Data        the barcode's bytes, zero padded
 *   0x8C:0xFF             Decoded Data Continued
 *                                             1 when another report follows
 *
 * pos_hidpos_layout_parse() finds them in the device's report descriptor.
 * When no descriptor can be read, pos_hidpos_layout_init_standard() gives
 * the layout most HID POS scanners use (Honeywell, Zebra, Datalogic,
 * Newland in their HID POS modes), 62 bytes with the report ID:
 *
 *   byte 0        report ID 2
 *   byte 1        Byte Count (0-56)
 *   bytes 2-4     Symbology Identifier 1-3 (AIM identifier, "]E0")
 *   bytes 5-60    Decoded Data (56 bytes)
 *   byte 61       bit 0: Decoded Data Continued; bits 1-7 padding
 *
 * Pure functions, no I/O. */

#define POS_HIDPOS_USAGE_PAGE 0x8c

typedef struct {
  guint8 report_id;        /* 0 when the device's reports carry no report ID */
  /* Offsets in bytes from the first byte after the report ID (bits for the
   * continued flag); -1 when the report has no such field. */
  int    count_offset;     /* Byte Count, one byte */
  int    aim_offset;       /* Symbology Identifier 1..3, three bytes */
  int    data_offset;      /* Decoded Data */
  guint  data_length;      /* its length in bytes */
  int    continued_bit;    /* Decoded Data Continued */
} PosHidPosLayout;

/* TRUE when the report descriptor uses the Barcode Scanner usage page. */
gboolean pos_hidpos_descriptor_is_scanner (const guint8    *descriptor,
                                           gsize            length);
/* Finds the Scanned Data Report in a report descriptor. FALSE when the
 * descriptor is malformed or has no byte-aligned Decoded Data input field
 * (G_IO_ERROR_INVALID_DATA, G_IO_ERROR_NOT_FOUND). */
gboolean pos_hidpos_layout_parse          (const guint8    *descriptor,
                                           gsize            length,
                                           PosHidPosLayout *layout,
                                           GError         **error);
/* The standard layout described above. */
void     pos_hidpos_layout_init_standard  (PosHidPosLayout *layout);

typedef enum {
  POS_HIDPOS_REPORT_DATA,     /* a piece of a barcode: see the piece */
  POS_HIDPOS_REPORT_OTHER,    /* another report of the device (status, ...): ignore */
  POS_HIDPOS_REPORT_SHORT,    /* too short to hold the fields it should */
  POS_HIDPOS_REPORT_GARBAGE,  /* a byte count beyond the data field: ignore */
} PosHidPosReportResult;

typedef struct {
  const guint8 *data;        /* points into the report */
  gsize         length;      /* the Byte Count, else up to the last non-zero byte */
  char          aim[4];      /* "]E0", or "" when the scanner sent none */
  gboolean      continued;   /* another report continues this barcode */
} PosHidPosPiece;

/* Reads one input report as the device sent it (with its report ID when
 * the layout has one). piece is filled for POS_HIDPOS_REPORT_DATA only. */
PosHidPosReportResult pos_hidpos_decode_report (const PosHidPosLayout *layout,
                                                const guint8          *report,
                                                gsize                  length,
                                                PosHidPosPiece        *piece);

/* The name of the symbology an AIM identifier (ISO/IEC 15424) stands for:
 * "]E0" "EAN-13", "]E4" "EAN-8", "]C0" "Code 128", "]C1" "GS1-128",
 * "]Q1" "QR Code", "]d1" "Data Matrix", "]d2" "GS1 DataMatrix", "]e0" "GS1
 * DataBar", "]A0" "Code 39", "]I0" "Interleaved 2 of 5", "]L0" "PDF417", ...
 * NULL when unknown. Symbology names are not translated. */
const char *pos_hidpos_symbology_name (const char *aim);
/* TRUE when text starts with something shaped like an AIM identifier: "]",
 * a letter, a digit or letter. */
gboolean    pos_hidpos_is_aim_prefix  (const char *text);

G_END_DECLS
