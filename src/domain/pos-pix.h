/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define POS_PIX_ERROR (pos_pix_error_quark ())
GQuark pos_pix_error_quark (void);

typedef enum {
  POS_PIX_ERROR_INVALID_KEY,
  POS_PIX_ERROR_FIELD_TOO_LONG,
  POS_PIX_ERROR_AMOUNT,
  POS_PIX_ERROR_CRC,
  POS_PIX_ERROR_MALFORMED,
} PosPixError;

/* CRC16/CCITT-FALSE (poly 0x1021, init 0xFFFF) as the BR Code uses. */
guint16 pos_pix_crc16 (const guint8 *data, gsize len);

/* Builds the static BR Code "copia e cola" payload (EMV MPM, Banco Central
 * do Brasil's "Manual de Padrões para Iniciação do Pix"): 00 format, 01
 * point of initiation (12 = single use when amount is set; omitted without
 * an amount, as in the manual's example), 26 merchant
 * account (GUI br.gov.bcb.pix + key), 52 MCC 0000, 53 986, 54 amount
 * "12.34", 58 BR, 59 name (<= 25, ASCII), 60 city (<= 15, ASCII), 62
 * additional data with 05 txid (<= 25, alnum, "***" when none), 63 CRC.
 * Accents in name/city are transliterated. */
char   *pos_pix_build_payload (const char *key,
                               const char *merchant_name,
                               const char *merchant_city,
                               gint64      amount_minor,   /* BRL centavos; 0 = no amount field */
                               const char *txid,
                               GError    **error);
/* Verifies the TLV structure and the CRC of a payload. */
gboolean pos_pix_validate_payload (const char *payload, GError **error);

G_END_DECLS
