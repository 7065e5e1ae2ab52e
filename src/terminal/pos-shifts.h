/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"
#include "domain/pos-cart.h"

G_BEGIN_DECLS

/* Shifts at this terminal: one open at a time; no sale or return without
 * one. Opening, cash in/out and closing are each one durable transaction
 * with their audit row and outbox operation ('shift.open', 'cash.move',
 * 'shift.close'). A crash leaves the shift open and its figures right:
 * every figure is computed from the committed documents. */

#define POS_SHIFTS_ERROR (pos_shifts_error_quark ())
GQuark pos_shifts_error_quark (void);

typedef enum {
  POS_SHIFTS_ERROR_NONE_OPEN,        /* "Open a shift before selling." */
  POS_SHIFTS_ERROR_ALREADY_OPEN,
  POS_SHIFTS_ERROR_INVALID,          /* negative amount, empty reason... */
  POS_SHIFTS_ERROR_NEEDS_APPROVAL,   /* difference above the limit: approval with count_difference */
  POS_SHIFTS_ERROR_NOT_FOUND,
} PosShiftsError;

/* A count of cash by denomination. value in minor units. */
typedef struct {
  gint64 value;
  guint  count;
} PosCashCount;

/* The denominations of a currency's notes and coins, largest first
 * (BRL: 200, 100, 50, 20, 10, 5, 2 notes; 1, 0,50, 0,25, 0,10, 0,05 coins).
 * n_out gets the count; NULL for a currency not known. */
const gint64 *pos_cash_denominations (const char *currency, guint *n_out);
gint64        pos_cash_count_total   (const PosCashCount *counts, guint n);

typedef struct {
  PosPaymentMethod method;
  gint64 sales;        /* taken in sales */
  gint64 refunds;      /* given back in returns (positive) */
  gint64 net;          /* sales - refunds */
  guint  n_payments;
} PosShiftMethodTotal;

typedef struct {
  char   *shift_id;
  guint   number;
  char   *terminal_id;
  char   *terminal_name;
  char   *opened_by;          /* staff name */
  char   *closed_by;          /* NULL while open */
  gint64  opened_at;          /* unix ms */
  gint64  closed_at;          /* 0 while open */
  char   *currency;
  gint64  opening_float;
  guint   n_sales;
  guint   n_returns;
  gint64  gross_sales;        /* sum of sale totals */
  gint64  returns_total;      /* sum of return totals (positive) */
  gint64  discounts;          /* line + sale discounts of sales */
  gint64  tax_total;          /* of sales, minus returns' */
  gint64  cash_in;
  gint64  cash_out;           /* positive */
  gint64  change_given;
  guint   n_no_sale;          /* drawer opened without a sale */
  GArray *by_method;          /* PosShiftMethodTotal, in PosPaymentMethod order, only methods used */
  gint64  expected_cash;      /* float + cash net (after change) + in - out */
  gboolean has_count;         /* closed with a count (Z) */
  gint64  counted_cash;
  gint64  difference;         /* counted - expected */
  char   *approved_by;        /* who approved a difference above the limit */
} PosShiftReport;
void      pos_shift_report_free (PosShiftReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosShiftReport, pos_shift_report_free)
/* The report as the JSON document the central receives with shift.close. */
char     *pos_shift_report_to_json (const PosShiftReport *report);
/* The X or Z report as text lines of columns characters (32 to 80), for
 * the shift dialog, `balcao-ctl shift report` and the printed Z report.
 * Translated. */
char     *pos_shift_report_to_text (const PosShiftReport *report, guint columns);

/* The open shift's id at this terminal, or NULL (no error) when none. */
char     *pos_shifts_get_open_id (PosDatabase *db, GError **error);

/* Opens a shift for the signed-in person with the float counted by
 * denomination (counts, n) or as a total (counts NULL). */
char     *pos_shifts_open        (PosDatabase        *db,
                                  const PosCashCount *counts,
                                  guint               n_counts,
                                  gint64              opening_float,
                                  GError            **error);
/* Cash in (amount > 0) or out (amount < 0) of the drawer with a reason;
 * needs cash_in_out (or approval_id). */
gboolean  pos_shifts_cash_move   (PosDatabase *db,
                                  gint64       amount,
                                  const char  *reason,
                                  const char  *approval_id,
                                  GError     **error);
/* The drawer opened without a sale (needs no_sale): audited 'drawer.no_sale'. */
gboolean  pos_shifts_record_no_sale (PosDatabase *db, const char *reason, const char *approval_id, GError **error);

/* X report: the figures of a shift so far (open or closed; NULL = the
 * open one). shift_id is its id or its number at this terminal ("3"). A
 * closed shift gives its Z report as it was frozen and sent. */
PosShiftReport *pos_shifts_report (PosDatabase *db, const char *shift_id, GError **error);

/* The setting 'count_difference_limit' (minor units, default 1000): a
 * count further from the expected cash needs count_difference. */
gint64    pos_shifts_get_difference_limit (PosDatabase *db);

/* Closing is blind: the cashier counts first. counted - expected, without
 * writing (what the UI shows after the count). */
gboolean  pos_shifts_preview_close (PosDatabase *db, gint64 counted_cash, gint64 *out_difference, GError **error);
/* Closes the open shift with the count (needs close_shift or approval_id);
 * a difference whose absolute value exceeds the setting
 * 'count_difference_limit' (minor units, default 1000) also needs
 * difference_approval_id for count_difference, else NEEDS_APPROVAL.
 * Returns the Z report (frozen in the shift row and sent up). */
PosShiftReport *pos_shifts_close (PosDatabase        *db,
                                  const PosCashCount *counts,
                                  guint               n_counts,
                                  gint64              counted_cash,
                                  const char         *approval_id,
                                  const char         *difference_approval_id,
                                  GError            **error);

G_END_DECLS
