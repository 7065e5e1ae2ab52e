/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "terminal/pos-database.h"
#include "terminal/pos-sync-engine.h"

#include "pos-receipt-printing.h"
#include "pos-scan-detector.h"
#include "pos-window.h"

G_BEGIN_DECLS

struct _PosWindow {
  AdwApplicationWindow  parent_instance;

  PosDatabase          *db;
  char                 *db_path;
  PosSyncEngine        *sync;
  PosScanDetector      *detector;
  PosReceiptPrinting   *printing;        /* receipts, the drawer (docs/printing.md) */
  gboolean              close_confirmed;
  GtkWidget            *sale_page;
  GtkWidget            *history_page;    /* built after the first frame */
  guint                 history_idle_id;
  GtkWidget            *pickups_page;    /* click and collect; built after the first frame */
  guint                 pickups_idle_id;
  GtkWidget            *customers_page;  /* issue 4; built after the first frame */
  guint                 customers_idle_id;
  PosWindowScanHook     scan_hook;        /* pos_window_set_scan_hook() */
  gpointer              scan_hook_data;

  /* who is at the counter (pos-window-staff.c) */
  GtkWidget            *sign_in_page;
  char                 *locked_owner_id;   /* who the screen locked on */
  char                 *locked_park_id;    /* their sale, parked at the lock */
  gint64                last_activity;     /* monotonic µs */
  guint                 idle_source_id;

  /* template */
  GtkWidget            *header_bar;
  GtkWidget            *switcher_title;
  GtkWidget            *store_label;
  GtkWidget            *terminal_label;
  GtkWidget            *sync_indicator;
  GtkWidget            *toast_overlay;
  GtkWidget            *main_stack;
  GtkWidget            *view_stack;
  GtkWidget            *status_page;
  GtkWidget            *status_hint;
  GtkWidget            *no_shift_page;
  GtkWidget            *person_label;
};

/* pos-window-staff.c: sign-in, lock, shifts, approvals' windows. */
void     _pos_window_staff_init        (PosWindow *self);
void     _pos_window_staff_dispose     (PosWindow *self);
/* After the database opened: lock the screen until someone signs in. */
void     _pos_window_staff_start       (PosWindow *self);
/* A scan while the screen is locked (a badge): TRUE when taken. */
gboolean _pos_window_staff_take_scan   (PosWindow *self, const char *code);
/* Refreshes the header and what the person may do. */
void     _pos_window_refresh_identity  (PosWindow *self);

G_END_DECLS
