/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-domain"

#include "config.h"

#include "pos-money.h"
#include "pos-tax.h"

gint64
pos_tax_included (gint64 gross,
                  guint  rate_bp)
{
  if (rate_bp == 0)
    return 0;
  return pos_money_mul_div (gross, rate_bp, 10000 + (gint64) rate_bp, POS_ROUND_HALF_EVEN);
}

gint64
pos_tax_on_top (gint64 net,
                guint  rate_bp)
{
  if (rate_bp == 0)
    return 0;
  return pos_money_mul_div (net, rate_bp, 10000, POS_ROUND_HALF_EVEN);
}

gint64
pos_tax_approximate (gint64 amount,
                     guint  approx_rate_bp)
{
  return pos_money_mul_div (amount, approx_rate_bp, 10000, POS_ROUND_HALF_EVEN);
}

struct _PosTaxSummary
{
  PosTaxMode  mode;
  GArray     *rows;     /* PosTaxSummaryRow, by rate ascending */
  GArray     *amounts;  /* gint64, summed amount per row */
};

PosTaxSummary *
pos_tax_summary_new (PosTaxMode mode)
{
  PosTaxSummary *summary = g_new0 (PosTaxSummary, 1);

  summary->mode = mode;
  summary->rows = g_array_new (FALSE, TRUE, sizeof (PosTaxSummaryRow));
  summary->amounts = g_array_new (FALSE, TRUE, sizeof (gint64));
  return summary;
}

void
pos_tax_summary_free (PosTaxSummary *summary)
{
  if (summary == NULL)
    return;
  g_array_unref (summary->rows);
  g_array_unref (summary->amounts);
  g_free (summary);
}

static void
update_row (PosTaxSummary *summary,
            guint          i)
{
  PosTaxSummaryRow *row = &g_array_index (summary->rows, PosTaxSummaryRow, i);
  gint64 amount = g_array_index (summary->amounts, gint64, i);

  if (summary->mode == POS_TAX_INCLUSIVE)
    {
      row->tax = pos_tax_included (amount, row->rate_bp);
      row->base = amount - row->tax;
    }
  else
    {
      row->base = amount;
      row->tax = pos_tax_on_top (amount, row->rate_bp);
    }
}

void
pos_tax_summary_add (PosTaxSummary *summary,
                     guint          rate_bp,
                     gint64         amount)
{
  guint i;

  g_return_if_fail (summary != NULL);

  for (i = 0; i < summary->rows->len; i++)
    {
      PosTaxSummaryRow *row = &g_array_index (summary->rows, PosTaxSummaryRow, i);

      if (row->rate_bp == rate_bp)
        {
          g_array_index (summary->amounts, gint64, i) += amount;
          update_row (summary, i);
          return;
        }
      if (row->rate_bp > rate_bp)
        break;
    }

  {
    PosTaxSummaryRow row = { rate_bp, 0, 0 };

    g_array_insert_val (summary->rows, i, row);
    g_array_insert_val (summary->amounts, i, amount);
    update_row (summary, i);
  }
}

guint
pos_tax_summary_get_n_rows (PosTaxSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->rows->len;
}

const PosTaxSummaryRow *
pos_tax_summary_get_row (PosTaxSummary *summary,
                         guint          i)
{
  g_return_val_if_fail (summary != NULL, NULL);
  g_return_val_if_fail (i < summary->rows->len, NULL);
  return &g_array_index (summary->rows, PosTaxSummaryRow, i);
}

gint64
pos_tax_summary_get_total_tax (PosTaxSummary *summary)
{
  gint64 total = 0;

  g_return_val_if_fail (summary != NULL, 0);
  for (guint i = 0; i < summary->rows->len; i++)
    total += g_array_index (summary->rows, PosTaxSummaryRow, i).tax;
  return total;
}
