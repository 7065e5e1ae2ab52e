/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "pos-barcode.h"

G_BEGIN_DECLS

/* GS1 Application Identifiers (GS1 General Specifications, section 3, and
 * the GS1 Barcode Syntax Dictionary) and the element-string parser.
 *
 * Errors are in the POS_BARCODE_ERROR domain: GS1 (malformed string),
 * UNKNOWN_AI, LENGTH (truncated, overlong, value too long for its AI),
 * INVALID_CHARACTER, CHECK_DIGIT. */

/* The ASCII Group Separator a scanner sends for FNC1 between elements. */
#define POS_GS1_GS '\x1d'

typedef enum {
  POS_GS1_CHARSET_NUMERIC,  /* N: 0-9 */
  POS_GS1_CHARSET_82,       /* X: GS1 AI encodable character set 82 */
  POS_GS1_CHARSET_39,       /* Y: GS1 AI encodable character set 39 */
  POS_GS1_CHARSET_64,       /* Z: GS1 AI encodable character set 64 (base64url) */
} PosGs1Charset;

typedef enum {
  POS_GS1_FLAG_NONE        = 0,
  POS_GS1_FLAG_DATE        = 1 << 0, /* starts with YYMMDD, then optional HH[MM[SS]] */
  POS_GS1_FLAG_DAY_00      = 1 << 1, /* DD = 00 allowed: the last day of the month */
  POS_GS1_FLAG_DECIMAL     = 1 << 2, /* the AI's last digit is the number of decimals */
  POS_GS1_FLAG_CURRENCY    = 1 << 3, /* value starts with an ISO 4217 numeric code */
  POS_GS1_FLAG_DATE_RANGE  = 1 << 4, /* YYMMDD or YYMMDDYYMMDD (AI 7007) */
} PosGs1Flags;

typedef struct {
  const char   *prefix;      /* "01"; or "310" standing for 3100..3105 */
  guint8        ai_len;      /* length of the AI; > strlen(prefix) when the last digit varies */
  guint8        last_min;    /* range of the varying last digit */
  guint8        last_max;
  guint8        min_len;     /* value length */
  guint8        max_len;
  guint8        n_digits;    /* the first n_digits characters must be digits */
  PosGs1Charset charset;     /* for the characters after n_digits */
  guint8        check_offset;/* GS1 mod-10 check digit over value[check_offset..+check_len) */
  guint8        check_len;   /* 0: no check digit */
  guint         flags;       /* PosGs1Flags */
  const char   *title;       /* GS1 data title */
} PosGs1AiInfo;

/* The AI table entry for the AI at the start of text (NULL when text does
 * not start with a known AI, or is too short to hold one). */
const PosGs1AiInfo *pos_gs1_lookup_ai        (const char *text,
                                              gsize       len);
/* The whole table, for documentation and tests. */
const PosGs1AiInfo *pos_gs1_ai_table         (guint      *n_entries);

/* TRUE when the AI's first two digits are in the GS1 table of predefined
 * lengths (00-04, 11-20, 23, 31-36, 41): such an element needs no GS
 * separator after it. All other AIs end at a GS or the end of the data. */
gboolean            pos_gs1_ai_is_predefined (const char *ai);

/* Parses a GS1 element string: either the transmitted form (AIs and values
 * run together, variable-length values ended by GS 0x1D; a leading GS/FNC1
 * is skipped) or the human-readable form "(01)09501101530003(17)250101".
 * Dates are checked against reference_year for the GS1 century rule; pass
 * 0 for the current year. Returns a GPtrArray of PosGs1Element* (free with
 * g_ptr_array_unref), NULL and error when malformed. */
GPtrArray          *pos_gs1_parse            (const char *data,
                                              int         reference_year,
                                              GError    **error);

/* "250101" -> "2025-01-01". GS1 century rule (GenSpecs 7.12): YY is in
 * the century that puts it at most 49 years after and 50 years before
 * reference_year (0: the current year). With allow_day_00, DD = 00 means
 * the last day of the month. NULL and error when not a valid date. */
char               *pos_gs1_date_to_iso      (const char *yymmdd,
                                              int         reference_year,
                                              gboolean    allow_day_00,
                                              GError    **error);

/* "001500" with 3 decimals -> "1.500"; digits only. */
char               *pos_gs1_decimal_string   (const char *digits,
                                              guint       decimals);

/* Scales a digit string with `decimals` implied decimals to an integer with
 * `exponent` decimals, rounding half up ("001500",3 -> 1500 at exponent 3,
 * 150 at exponent 2). FALSE on overflow or non-digits. */
gboolean            pos_gs1_scale            (const char *digits,
                                              guint       decimals,
                                              guint       exponent,
                                              gint64     *out);

/* ISO 4217 numeric ("986") to alphabetic ("BRL") and minor-unit exponent.
 * FALSE when the code is not one we know. */
gboolean            pos_gs1_currency_lookup  (const char  *numeric,
                                              const char **alpha,
                                              guint       *exponent);

PosGs1Element      *pos_gs1_element_new      (const char *ai,
                                              const char *value,
                                              const char *title);
void                pos_gs1_element_free     (PosGs1Element *element);

G_END_DECLS
