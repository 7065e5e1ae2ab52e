/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Tax rates are in basis points of a percent: 1800 = 18.00 %. */

typedef enum {
  POS_TAX_INCLUSIVE,  /* shelf prices include tax (Brazilian retail) */
  POS_TAX_EXCLUSIVE,  /* tax added on top (US-style) */
} PosTaxMode;

/* Tax contained in a tax-inclusive gross amount: gross * r / (1 + r),
 * rounded half-even. */
gint64 pos_tax_included   (gint64 gross, guint rate_bp);
/* Tax on a net amount: net * r, rounded half-even. */
gint64 pos_tax_on_top     (gint64 net, guint rate_bp);

typedef struct {
  guint  rate_bp;
  gint64 base;    /* net (tax-exclusive) base for this rate */
  gint64 tax;
} PosTaxSummaryRow;

/* Accumulates per-rate rows. Tax per rate is computed on the summed
 * base of the rate (not the sum of rounded line taxes), so that it matches
 * what a fiscal receipt prints. */
typedef struct _PosTaxSummary PosTaxSummary;
PosTaxSummary *pos_tax_summary_new   (PosTaxMode mode);
void           pos_tax_summary_free  (PosTaxSummary *summary);
/* amount is the line's total after discounts: gross if inclusive, net if
 * exclusive. */
void           pos_tax_summary_add   (PosTaxSummary *summary,
                                      guint          rate_bp,
                                      gint64         amount);
guint          pos_tax_summary_get_n_rows (PosTaxSummary *summary);
const PosTaxSummaryRow *pos_tax_summary_get_row (PosTaxSummary *summary,
                                                 guint          i);
gint64         pos_tax_summary_get_total_tax (PosTaxSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosTaxSummary, pos_tax_summary_free)

/* The approximate tax burden a Brazilian receipt shows ("Lei da
 * Transparência", Lei 12.741/2012, "Val Aprox Tributos"): amount *
 * approx_rate_bp, half-even. */
gint64 pos_tax_approximate (gint64 amount, guint approx_rate_bp);

G_END_DECLS
