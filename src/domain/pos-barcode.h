/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define POS_BARCODE_ERROR (pos_barcode_error_quark ())
GQuark pos_barcode_error_quark (void);

typedef enum {
  POS_BARCODE_ERROR_EMPTY,
  POS_BARCODE_ERROR_INVALID_CHARACTER,
  POS_BARCODE_ERROR_LENGTH,        /* truncated or overlong */
  POS_BARCODE_ERROR_CHECK_DIGIT,
  POS_BARCODE_ERROR_RULE,          /* store weight/price code that breaks its rule */
  POS_BARCODE_ERROR_GS1,           /* malformed GS1 element string */
  POS_BARCODE_ERROR_UNKNOWN_AI,
} PosBarcodeError;

typedef enum {
  POS_BARCODE_KIND_UNKNOWN,        /* free text (internal SKU, Code 128, ...) */
  POS_BARCODE_KIND_GTIN,           /* GTIN-8/12/13/14, UPC-E expanded */
  POS_BARCODE_KIND_WEIGHT,         /* store code carrying a weight */
  POS_BARCODE_KIND_PRICE,          /* store code carrying a price */
  POS_BARCODE_KIND_GS1,            /* GS1 element string (GS1-128, DataBar, DataMatrix) */
} PosBarcodeKind;

typedef enum {
  POS_SYMBOLOGY_UNKNOWN,
  POS_SYMBOLOGY_EAN13,     /* ]E0 */
  POS_SYMBOLOGY_EAN8,      /* ]E4 */
  POS_SYMBOLOGY_UPCA,
  POS_SYMBOLOGY_UPCE,
  POS_SYMBOLOGY_CODE128,   /* ]C0 */
  POS_SYMBOLOGY_GS1_128,   /* ]C1 */
  POS_SYMBOLOGY_DATABAR,   /* ]e0 */
  POS_SYMBOLOGY_QR,        /* ]Q1 ]Q3 ... */
  POS_SYMBOLOGY_DATAMATRIX,/* ]d1 ]d2 */
} PosSymbology;

/* GTIN helpers. digits only. */
int      pos_gtin_check_digit      (const char *digits_without_check, gsize len);
gboolean pos_gtin_validate         (const char *code, GError **error);
/* UPC-E (8 digits with number system and check) to UPC-A (12). NULL+error if invalid. */
char    *pos_upce_to_upca          (const char *upce, GError **error);
/* Normalise any GTIN to 13 digits when it fits (UPC-A -> 0+UPC-A, EAN-8 stays
 * 8 -> returned as-is, GTIN-14 with leading 0 -> 13). A GTIN-8 padded to 13
 * or 14 digits ("00000" / "000000" + 8) comes back as its 8 digits, so an
 * AI (01) holding an EAN-8 finds the EAN-8 registration. Anything else
 * (not digits, other lengths) is returned unchanged. The check digit is not
 * validated here. Returns newly allocated. */
char    *pos_gtin_normalize        (const char *code);

/* A store-internal rule in the style of Odoo's nomenclature.
 *
 * Pattern: one character per digit of the code, left to right. A digit is
 * literal (the code must have that digit there), '.' is any digit, and one
 * brace group {N...D...} holds the value: N integer digits then D decimals
 * (the braces themselves take no position). "21.....{NNDDD}" = weight in kg
 * with 3 decimals (so grams), "23.....{NNNDD}" = price in BRL with 2
 * decimals (so centavos).
 *
 * Length: the code is an EAN-13 (or EAN-8). The pattern has either 12
 * (7) positions, and the 13th (8th) digit of the code is the check digit,
 * implied; or 13 (8) positions whose last one is '.', the check digit.
 * The check digit is the EAN-13 (EAN-8) one over the whole code and must
 * be valid, else the code is rejected (POS_BARCODE_ERROR_CHECK_DIGIT).
 * A code that matches the literal digits but has 10 to 12 digits (or 14
 * and no valid GTIN-14 check digit) is rejected as truncated / overlong
 * (POS_BARCODE_ERROR_LENGTH); a zero weight or price breaks the rule
 * (POS_BARCODE_ERROR_RULE).
 *
 * Item code: the code with every value digit AND the check digit replaced
 * by '0'; literal and '.' digits are kept. "2112345012346" under
 * "21.....{NNDDD}" has item code "2112345000000": register the weighed
 * product under exactly that text (product_barcodes.code), or build it with
 * pos_barcode_rule_item_code (). The zeroed check digit keeps item codes
 * apart from every real GTIN (unless the real one happens to end in 0).
 *
 * Weight values convert to grams, price values to minor units of BRL
 * (2 decimals); more decimals than that round half up. */
typedef struct {
  char          *pattern;
  PosBarcodeKind kind;    /* WEIGHT or PRICE */
} PosBarcodeRule;

typedef struct {
  PosBarcodeKind kind;
  PosSymbology   symbology;
  char          *raw;          /* input as given */
  char          *code;         /* symbology id stripped */
  char          *gtin;         /* normalised GTIN when known (GTIN, GS1 AI 01/02) */
  char          *item_code;    /* for WEIGHT/PRICE: the code to look the product up by */
  gint64         weight_g;     /* WEIGHT, or GS1 310x net weight in kg, as grams; -1 when absent */
  gint64         price_minor;  /* PRICE, or GS1 390x/392x amount, in minor units; -1 when absent */
  char          *currency;     /* GS1 391x ISO numeric -> alpha, else NULL */
  char          *lot;          /* AI 10 */
  char          *serial;       /* AI 21 */
  char          *production_date; /* AI 11, ISO yyyy-mm-dd */
  char          *packaging_date;  /* AI 13 */
  char          *best_before;     /* AI 15 */
  char          *expiry;          /* AI 17 */
  gint64         count;        /* AI 30/37, -1 when absent */
  GPtrArray     *ais;          /* of PosGs1Element*, for GS1 codes (all AIs, in order) */
  char          *symbology_id; /* "]C1" as stripped from the input, else NULL */
  char          *rule;         /* WEIGHT/PRICE: the pattern of the rule that matched */
} PosBarcode;

/* One GS1 element: the AI, its value as text, and its decoded meaning. */
typedef struct {
  char *ai;
  char *value;
  char *title;    /* GS1 data title, e.g. "BATCH/LOT", "NET WEIGHT (kg)" */
} PosGs1Element;

/* Parses a scanned code. rules may be NULL/empty. Rejects with a message
 * that says why (which check digit was expected, which AI is malformed). */
PosBarcode *pos_barcode_parse      (const char            *raw,
                                    const PosBarcodeRule  *rules,
                                    guint                  n_rules,
                                    GError               **error);
void        pos_barcode_free       (PosBarcode *barcode);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosBarcode, pos_barcode_free)

/* JSON object (as text) describing the parse, for `balcao-ctl barcode parse`:
 * {"input":..,"kind":"gtin|weight|price|gs1|unknown","symbology":..,"gtin":..,
 *  "item_code":..,"weight_g":..,"price_minor":..,"lot":..,"dates":{..},"ais":[..]}
 * On error: {"input":..,"error":{"code":"check_digit","message":..}} */
char       *pos_barcode_to_json    (const PosBarcode *barcode);
char       *pos_barcode_error_to_json (const char *raw, const GError *error);

/* The default rules of a Brazilian store, as commonly set up in
 * Toledo/Filizola scale labels (EAN-13: prefix, 5-digit item code, 5-digit
 * value, check digit), in this order:
 *   weight: "20.....{NNDDD}" "21.....{NNDDD}" "22.....{NNDDD}"
 *           (kg with 3 decimals: up to 99.999 kg, in grams)
 *   price:  "23.....{NNNDD}" ... "29.....{NNNDD}"
 *           (BRL with 2 decimals: up to R$ 999,99, in centavos)
 * A store with another layout sets its own rules (barcode_rules table).
 * The array is static; do not free it. */
const PosBarcodeRule *pos_barcode_default_rules (guint *n_rules);

/* FALSE and POS_BARCODE_ERROR_RULE when the pattern is malformed (see
 * above), or kind is not WEIGHT or PRICE. */
gboolean    pos_barcode_rule_check     (const PosBarcodeRule *rule,
                                        GError              **error);
/* The item code for a product code under a rule: code is the full code or
 * just its literal+'.' digits; value digits and check digit become '0'.
 * "21.....{NNDDD}" + "2112345" -> "2112345000000". NULL+error on mismatch. */
char       *pos_barcode_rule_item_code (const PosBarcodeRule *rule,
                                        const char           *code,
                                        GError              **error);
/* Builds a scannable code: the item code with value (grams for WEIGHT,
 * centavos for PRICE) written in and a valid check digit, e.g. for demo
 * data and tests. NULL+error when the value does not fit the rule. */
char       *pos_barcode_rule_encode    (const PosBarcodeRule *rule,
                                        const char           *item_code,
                                        gint64                value,
                                        GError              **error);

G_END_DECLS
