/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Money is a gint64 count of minor units plus an ISO 4217 code.
 * No floating point anywhere. */

#define POS_MONEY_ERROR (pos_money_error_quark ())
GQuark pos_money_error_quark (void);

typedef enum {
  POS_MONEY_ERROR_INVALID,      /* text is not an amount */
  POS_MONEY_ERROR_OVERFLOW,     /* does not fit in gint64 minor units */
  POS_MONEY_ERROR_PRECISION,    /* more decimals than the currency has */
  POS_MONEY_ERROR_CURRENCY,     /* unknown currency code */
} PosMoneyError;

typedef enum {
  POS_ROUND_HALF_EVEN,  /* banker's rounding: default for tax and allocation */
  POS_ROUND_HALF_UP,    /* away from zero on .5: cash rounding, percentages */
  POS_ROUND_DOWN,       /* toward zero */
} PosRounding;

/* Number of minor-unit digits (BRL 2, USD 2, JPY 0, KWD 3). Unknown: -1. */
int      pos_money_currency_exponent (const char *currency);
/* Smallest cash coin in minor units (BRL 1, CHF 5). */
gint64   pos_money_cash_increment    (const char *currency);
/* The largest banknote in everyday use, in minor units (BRL 20000 for the
 * R$ 200 note); 0 when unknown. Nobody hands over a note they don't need,
 * so cash change is always less than this. */
gint64   pos_money_largest_note      (const char *currency);

/* Formats for a locale like "pt_BR" or "en_US" (NULL or "" = the process'
 * LC_MONETARY, falling back to en_US). pt_BR: "R$ 1.234,56", en_US:
 * "$1,234.56", negatives "-R$ 1.234,56" / "-$1,234.56". */
char    *pos_money_format            (gint64      minor,
                                      const char *currency,
                                      const char *locale);
/* Same but without the currency symbol: "1.234,56" / "1,234.56". */
char    *pos_money_format_plain      (gint64      minor,
                                      const char *currency,
                                      const char *locale);
/* Parses what a person types: "1234,5", "1.234,56", "R$ 12,00" in pt_BR;
 * "1,234.56", "$12" in en_US; a bare integer is whole units ("12" = 12,00).
 * Rejects junk, too many decimals, overflow. */
gboolean pos_money_parse             (const char *text,
                                      const char *currency,
                                      const char *locale,
                                      gint64     *out_minor,
                                      GError    **error);

/* amount * num / den, rounded. Overflow-safe for |amount| < 2^53 and
 * num, den < 2^31 (uses 128-bit intermediate). den > 0. */
gint64   pos_money_mul_div           (gint64      amount,
                                      gint64      num,
                                      gint64      den,
                                      PosRounding mode);
/* Rounds to the nearest cash increment of the currency (half up). */
gint64   pos_money_round_cash        (gint64      minor,
                                      const char *currency);
/* Splits total into n parts proportional to weights[] (largest remainder
 * method); parts sum to total exactly. */
void     pos_money_allocate          (gint64        total,
                                      const gint64 *weights,
                                      guint         n,
                                      gint64       *out_parts);

G_END_DECLS
