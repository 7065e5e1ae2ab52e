/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* HID report descriptors for the tests. */

/* A HID POS barcode scanner: an attribute report (ID 1, 4 bytes), then the
 * Scanned Data Report (ID 2): Byte Count, Symbology Identifier 1-3, 56
 * bytes of Decoded Data, Decoded Data Continued and 7 bits of padding: the
 * standard layout of pos-scanner-hidpos.h. */
static const guint8 hidpos_standard_descriptor[] = {
  0x05, 0x8c,             /* Usage Page (Barcode Scanner) */
  0x09, 0x02,             /* Usage (Barcode Scanner) */
  0xa1, 0x01,             /* Collection (Application) */
  0x85, 0x01,             /*   Report ID (1) */
  0x09, 0x10,             /*   Usage (Attribute Report) */
  0x15, 0x00,             /*   Logical Minimum (0) */
  0x26, 0xff, 0x00,       /*   Logical Maximum (255) */
  0x75, 0x08,             /*   Report Size (8) */
  0x95, 0x04,             /*   Report Count (4) */
  0x81, 0x02,             /*   Input (Data, Variable, Absolute) */
  0x85, 0x02,             /*   Report ID (2) */
  0x09, 0x12,             /*   Usage (Scanned Data Report) */
  0xa1, 0x02,             /*   Collection (Logical) */
  0x95, 0x01,             /*     Report Count (1) */
  0x05, 0x01,             /*     Usage Page (Generic Desktop) */
  0x09, 0x3b,             /*     Usage (Byte Count) */
  0x81, 0x02,             /*     Input */
  0x95, 0x03,             /*     Report Count (3) */
  0x05, 0x8c,             /*     Usage Page (Barcode Scanner) */
  0x09, 0xfb,             /*     Usage (Symbology Identifier 1) */
  0x09, 0xfc,             /*     Usage (Symbology Identifier 2) */
  0x09, 0xfd,             /*     Usage (Symbology Identifier 3) */
  0x81, 0x02,             /*     Input */
  0x95, 0x38,             /*     Report Count (56) */
  0x09, 0xfe,             /*     Usage (Decoded Data) */
  0x82, 0x02, 0x01,       /*     Input (Data, Variable, Absolute, Buffered Bytes) */
  0x25, 0x01,             /*     Logical Maximum (1) */
  0x75, 0x01,             /*     Report Size (1) */
  0x95, 0x01,             /*     Report Count (1) */
  0x09, 0xff,             /*     Usage (Decoded Data Continued) */
  0x81, 0x02,             /*     Input */
  0x75, 0x07,             /*     Report Size (7) */
  0x81, 0x03,             /*     Input (Constant): padding */
  0xc0,                   /*   End Collection */
  0x85, 0x04,             /*   Report ID (4) */
  0x09, 0x14,             /*   Usage (Trigger Report) */
  0x75, 0x08,             /*   Report Size (8) */
  0x95, 0x01,             /*   Report Count (1) */
  0x91, 0x02,             /*   Output */
  0xc0,                   /* End Collection */
};

/* Honeywell's 64-byte reports: two vendor bytes (its own symbology code)
 * before the continued flag, the AIM identifier as Usage Minimum/Maximum,
 * Decoded Data named by a 32-bit usage. */
static const guint8 hidpos_vendor_descriptor[] = {
  0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01,
  0x85, 0x02,
  0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08,
  0x95, 0x01, 0x05, 0x01, 0x09, 0x3b, 0x81, 0x02,                 /* Byte Count */
  0x95, 0x03, 0x05, 0x8c, 0x19, 0xfb, 0x29, 0xfd, 0x81, 0x02,     /* Symbology Identifier 1-3 */
  0x95, 0x38, 0x05, 0x01, 0x0b, 0xfe, 0x00, 0x8c, 0x00, 0x82, 0x02, 0x01,  /* Decoded Data */
  0x06, 0x00, 0xff, 0x09, 0x01, 0x95, 0x02, 0x81, 0x02,           /* 2 vendor bytes */
  0x05, 0x8c, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x09, 0xff, 0x81, 0x02,  /* Continued */
  0x75, 0x07, 0x81, 0x03,
  0xc0,
};

/* Only Decoded Data, no report ID, no count: the data ends at the zeros. */
static const guint8 hidpos_plain_descriptor[] = {
  0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01,
  0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x20,
  0x09, 0xfe, 0x81, 0x02,
  0xc0,
};

/* A boot keyboard: not a barcode scanner's descriptor. */
static const guint8 keyboard_descriptor[] = {
  0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7,
  0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01,
  0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01,
  0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
  0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65,
  0x81, 0x00, 0xc0,
};

/* A standard-layout Scanned Data Report (62 bytes with the ID). */
static inline GBytes *
hidpos_standard_report (const char *aim,
                        const char *data,
                        gsize       length,
                        gboolean    continued)
{
  guint8 report[62] = { 0 };

  g_assert (length <= 56);
  report[0] = 2;
  report[1] = (guint8) length;
  if (aim != NULL)
    memcpy (report + 2, aim, 3);
  memcpy (report + 5, data, length);
  report[61] = continued ? 1 : 0;
  return g_bytes_new (report, sizeof report);
}
