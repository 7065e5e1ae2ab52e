/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#include "app/pos-sale-page.h"
#include "devices/pos-scanner.h"
#include "terminal/pos-demo-data.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-staff.h"
#include "ui/pos-app-resources.h"

#include "bench-sync-util.h"
#include "fake-scanner.h"

/* Scan latency: from the report that completes a scan being reaped from
 * the USB device (pos_scan_get_reaped_time(), on the scanner's reader
 * thread) to the after-paint of the frame that shows the cart line, on a
 * store of N products (default 1 000 000), against baselines measured in
 * the same run, through the same scanner, manager, main loop and window
 * (a GtkStack shows one of the three):
 *   - a bare GtkLabel;
 *   - the same label beside a focused GtkEntry: GTK 4 fades a focused
 *     entry's cursor in and out at 60 Hz, so that page, like the sale page
 *     with its code entry, keeps the window painting frames, and a change
 *     waits for the next frame's turn (up to 16.7 ms).
 * For the sale page, where the time goes: the scan in the cart (catalog
 * lookup, cart, totals), the wait for the frame, its layout, its rendering.
 *
 * The scanner is a keyboard-mode one (05e0:1200) emulated by FakeScanner
 * in a umockdev testbed: each scan is 13 digits and Enter, 28 reports. The
 * three take turns in blocks of 50 scans; the cart is emptied at the
 * start of each block of the sale (a cart of 1 to 50 lines). Between
 * scans, a pause of 20 to 60 ms, so that scans come at any moment of the
 * frame cycle.
 *
 *   bench-scan [--products N] [--scans N] [--db PATH] [--direct] [--no-cursor-blink]
 *
 * With --db, the demo database at PATH is used (built there when
 * missing; the demo cashier signed in and a shift opened when none is);
 * without it a temporary one is built and deleted. --direct makes each
 * scan on the main loop instead of through USB (no emulation threads
 * competing for the CPU). Needs a display (run it under xvfb-run) and
 * LD_PRELOAD=libumockdev-preload.so.0. */

#define BLOCK      50
#define WARM_UP    20
#define GAP_MIN_MS 20
#define GAP_MAX_MS 60

static guint64  opt_products = 1000000;
static guint    opt_scans = 1000;
static char    *opt_db = NULL;
static gboolean opt_direct = FALSE;
static gboolean opt_no_blink = FALSE;

typedef enum {
  TARGET_LABEL,      /* a bare GtkLabel */
  TARGET_ENTRY,      /* the label beside a focused GtkEntry */
  TARGET_SALE,       /* the sale page */
  N_TARGETS
} Target;

typedef struct {
  GMainLoop         *loop;
  GRand             *rand;
  PosScannerManager *manager;
  FakeScanner       *scanner;
  GPtrArray         *codes;

  GtkWidget         *window;
  GtkWidget         *stack;
  GtkWidget         *pages[N_TARGETS];
  GtkWidget         *labels[N_TARGETS];   /* TARGET_LABEL, TARGET_ENTRY */
  GtkWidget         *entry;               /* TARGET_ENTRY */
  GtkWidget         *sale_page;
  PosCart           *cart;

  guint              round;               /* scans sent, warm-up included */
  guint              n[N_TARGETS];        /* measured */
  Target             target;              /* of the current scan */
  const char        *code;                /* the current scan's code */
  guint              expected_items;
  gint64             reaped;
  gulong             paint_id;
  guint              watchdog_id;
  guint              gap_id;

  GArray            *t[N_TARGETS];
  GArray            *t_handled;           /* sale: reaped -> the scan is in the cart */
  GArray            *t_wait;              /* -> the frame begins */
  GArray            *t_layout;            /* -> its layout is done */
  GArray            *t_render;            /* -> it is rendered */
  GArray            *t_own;               /* handled + layout + render */
  gint64             handled;
  gint64             frame_begin;
  gint64             layout_done;
  gint64             render_done;
  gulong             phase_ids[3];
  char              *failure;
} Bench;

static void schedule_next (Bench *b);

static void
fail (Bench      *b,
      const char *message)
{
  if (b->failure == NULL)
    b->failure = g_strdup (message);
  g_main_loop_quit (b->loop);
}

static gboolean
watchdog (gpointer data)
{
  Bench *b = data;

  b->watchdog_id = 0;
  fail (b, b->paint_id != 0 ? "no frame painted within 5 s of a scan" : "no scan within 5 s");
  return G_SOURCE_REMOVE;
}

static void
arm_watchdog (Bench *b)
{
  g_clear_handle_id (&b->watchdog_id, g_source_remove);
  b->watchdog_id = g_timeout_add_seconds (5, watchdog, b);
}

/* Where the sale frame's time goes: these run after GTK's own handlers of
 * each phase of the window's frame clock. */
static void
on_before_paint (GdkFrameClock *clock,
                 Bench         *b)
{
  if (b->frame_begin == 0)
    b->frame_begin = g_get_monotonic_time ();
}

static void
on_layout (GdkFrameClock *clock,
           Bench         *b)
{
  b->layout_done = g_get_monotonic_time ();
}

static void
on_paint (GdkFrameClock *clock,
          Bench         *b)
{
  b->render_done = g_get_monotonic_time ();
}

static gboolean
cart_shows (Bench *b)
{
  PosCartTotals totals;
  gboolean found = FALSE;

  /* one more item, on a line of its own or added to the same product's */
  pos_cart_get_totals (b->cart, &totals);
  for (guint i = 0; i < pos_cart_get_n_lines (b->cart) && !found; i++)
    found = g_strcmp0 (pos_cart_line_get_barcode (pos_cart_get_line (b->cart, i)), b->code) == 0;
  return found && totals.n_items == b->expected_items;
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *b)
{
  gint64 now = g_get_monotonic_time ();

  g_clear_signal_handler (&b->paint_id, clock);
  g_clear_handle_id (&b->watchdog_id, g_source_remove);

  if (b->target == TARGET_SALE && !cart_shows (b))
    {
      g_autofree char *text = g_strdup_printf ("the cart does not show %s", b->code);

      fail (b, text);
      return;
    }
  if (b->round >= N_TARGETS * WARM_UP)
    {
      bench_samples_add (b->t[b->target], now - b->reaped);
      b->n[b->target]++;
      if (b->target == TARGET_SALE)
        {
          bench_samples_add (b->t_handled, b->handled - b->reaped);
          bench_samples_add (b->t_wait, b->frame_begin - b->handled);
          bench_samples_add (b->t_layout, b->layout_done - b->frame_begin);
          bench_samples_add (b->t_render, b->render_done - b->layout_done);
          bench_samples_add (b->t_own, (b->handled - b->reaped) + (b->render_done - b->frame_begin));
        }
    }

  b->round++;
  schedule_next (b);
}

static void
on_scanned (PosScannerManager *manager,
            PosScan           *scan,
            Bench             *b)
{
  if (b->code == NULL || g_strcmp0 (pos_scan_get_text (scan), b->code) != 0)
    {
      g_autofree char *text = g_strdup_printf ("scanned “%s”, not %s", pos_scan_get_text (scan),
                                               b->code != NULL ? b->code : "nothing");

      fail (b, text);
      return;
    }
  b->reaped = pos_scan_get_reaped_time (scan);

  if (b->target == TARGET_SALE)
    {
      g_autofree char *input = pos_scan_dup_parse_input (scan);

      pos_sale_page_scan (POS_SALE_PAGE (b->sale_page), input);
      b->handled = g_get_monotonic_time ();
      b->frame_begin = 0;
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("%u · %s", b->round, pos_scan_get_text (scan));

      gtk_label_set_text (GTK_LABEL (b->labels[b->target]), text);
    }
  b->paint_id = g_signal_connect (gtk_widget_get_frame_clock (b->window), "after-paint",
                                  G_CALLBACK (on_after_paint), b);
  arm_watchdog (b);
}

static gboolean
send_scan (gpointer data)
{
  Bench *b = data;

  b->gap_id = 0;
  if (opt_direct)
    {
      g_autoptr(PosScan) scan = pos_scan_new (b->code, NULL, "bench", "Bench", g_get_monotonic_time ());

      on_scanned (b->manager, scan, b);
      return G_SOURCE_REMOVE;
    }
  fake_scanner_push_text (b->scanner, b->code, TRUE);
  arm_watchdog (b);
  return G_SOURCE_REMOVE;
}

/* WARM_UP scans to each window, then blocks of BLOCK to each in turn;
 * one that has had all its scans drops out. */
static void
schedule_next (Bench *b)
{
  guint in_block;

  if (b->n[TARGET_LABEL] >= opt_scans && b->n[TARGET_ENTRY] >= opt_scans && b->n[TARGET_SALE] >= opt_scans)
    {
      g_main_loop_quit (b->loop);
      return;
    }

  if (b->round < N_TARGETS * WARM_UP)
    {
      b->target = b->round / WARM_UP;
      in_block = b->round % WARM_UP;
    }
  else
    {
      guint r = b->round - N_TARGETS * WARM_UP;

      b->target = (r / BLOCK) % N_TARGETS;
      in_block = r % BLOCK;
      while (b->n[b->target] >= opt_scans)
        b->target = (b->target + 1) % N_TARGETS;
    }

  if (in_block == 0 || b->round == 0)
    {
      /* the page of this block, with the focus where a person would have it */
      gtk_stack_set_visible_child (GTK_STACK (b->stack), b->pages[b->target]);
      if (b->target == TARGET_ENTRY)
        gtk_widget_grab_focus (b->entry);
      else if (b->target == TARGET_SALE)
        pos_sale_page_focus_entry (POS_SALE_PAGE (b->sale_page));
    }
  if (b->target == TARGET_SALE)
    {
      PosCartTotals totals;

      if (in_block == 0 || pos_cart_get_n_lines (b->cart) >= BLOCK)
        pos_cart_clear (b->cart);
      pos_cart_get_totals (b->cart, &totals);
      b->expected_items = totals.n_items + 1;
    }

  b->code = g_ptr_array_index (b->codes, b->round % b->codes->len);
  b->gap_id = g_timeout_add ((guint) g_rand_int_range (b->rand, GAP_MIN_MS, GAP_MAX_MS + 1), send_scan, b);
}

static void
on_devices_changed (PosScannerManager *manager,
                    Bench             *b)
{
  GListModel *devices = pos_scanner_manager_get_devices (manager);

  if (b->code != NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PosScannerDevice) d = g_list_model_get_item (devices, i);

      if (pos_scanner_device_get_state (d) == POS_SCANNER_STATE_ACTIVE)
        {
          schedule_next (b);
          return;
        }
    }
}

static gint64
scalar (PosDatabase *db,
        const char  *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (pos_database_get_handle (db), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

/* The cashier signed in, and a shift open, as at a counter selling. */
static gboolean
open_the_counter (PosDatabase  *db,
                  GError      **error)
{
  g_autofree char *shift = NULL;
  g_autoptr(PosStaff) cashier = NULL;

  cashier = pos_staff_sign_in_badge (db, "CRACHA1001", error);
  if (cashier == NULL)
    return FALSE;
  shift = pos_shifts_get_open_id (db, error);
  if (shift == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (shift == NULL)
    shift = pos_shifts_open (db, NULL, 0, 15000, error);
  return shift != NULL;
}

/* Barcodes of random products sold by the unit with a plain EAN-13. */
static GPtrArray *
pick_codes (PosDatabase *db,
            GRand       *rand,
            guint        n,
            gint64       n_products)
{
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  guint tries = 0;

  sqlite3_prepare_v2 (pos_database_get_handle (db),
                      "SELECT b.code FROM product_barcodes b JOIN products p ON p.id = b.product_id "
                      " WHERE b.product_id = ?1 AND p.weighed = 0 AND p.active = 1 AND length (b.code) = 13 "
                      "   AND b.code LIKE '789%' LIMIT 1", -1, &stmt, NULL);
  while (codes->len < n && tries++ < n * 20)
    {
      sqlite3_bind_int64 (stmt, 1, g_rand_int_range (rand, 1, (gint32) n_products + 1));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_ptr_array_add (codes, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return codes;
}

static void
on_progress (const char *what,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  if (done == total || done % 100000 == 0)
    fprintf (stderr, "  %-14s %10" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT "\n", what, done, total);
}

static GtkWidget *
window_new (const char *title,
            GtkWidget  *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static gboolean
parse_args (int    *argc,
            char ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- scan to cart line on screen");
  g_autoptr(GError) error = NULL;
  gint64 products = (gint64) opt_products;
  int scans = (int) opt_scans;
  GOptionEntry entries[] = {
    { "products", 0, 0, G_OPTION_ARG_INT64, &products, "Products in the demo store (default 1 000 000)", "N" },
    { "scans", 0, 0, G_OPTION_ARG_INT, &scans, "Scans measured in each window (default 1 000)", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, "Demo database to use (built when missing)", "PATH" },
    { "direct", 0, 0, G_OPTION_ARG_NONE, &opt_direct, "No USB: each scan made on the main loop (the app's own cost)", NULL },
    { "no-cursor-blink", 0, 0, G_OPTION_ARG_NONE, &opt_no_blink, "gtk-cursor-blink off (a blinking cursor repaints at 60 Hz)", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error) || products < 1 || scans < 1)
    {
      fprintf (stderr, "bench-scan: %s\n", error != NULL ? error->message : "--products and --scans must be positive");
      return FALSE;
    }
  opt_products = (guint64) products;
  opt_scans = (guint) scans;
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(UMockdevTestbed) testbed = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  Bench b = { 0 };
  gint64 n_products;
  int status = 0;

  if (!parse_args (&argc, &argv))
    return 2;

  testbed = umockdev_testbed_new ();
  if (!umockdev_in_mock_environment ())
    {
      fprintf (stderr, "bench-scan: run it with LD_PRELOAD=libumockdev-preload.so.0\n");
      return 2;
    }
  /* the resources are in a static library: referencing them links them in */
  (void) pos_app_get_resource ();
  gtk_init ();
  adw_init ();
  if (opt_no_blink)
    g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  if (opt_db != NULL)
    path = g_strdup (opt_db);
  else
    {
      tmpdir = g_dir_make_tmp ("balcao-bench-scan-XXXXXX", &error);
      if (tmpdir == NULL)
        {
          fprintf (stderr, "bench-scan: %s\n", error->message);
          return 1;
        }
      path = g_build_filename (tmpdir, "bench.db", NULL);
    }

  db = pos_database_open (path, &error);
  if (db == NULL)
    {
      fprintf (stderr, "bench-scan: %s\n", error->message);
      return 1;
    }
  n_products = scalar (db, "SELECT count(*) FROM products");
  if (n_products <= 0)
    {
      fprintf (stderr, "Building demo data: %" G_GUINT64_FORMAT " products into %s\n", opt_products, path);
      if (!pos_demo_data_generate (db, opt_products, MIN (opt_products, 1000), 10, 1, on_progress, NULL, &error))
        {
          fprintf (stderr, "bench-scan: %s\n", error->message);
          return 1;
        }
      n_products = scalar (db, "SELECT count(*) FROM products");
    }
  if (!open_the_counter (db, &error))
    {
      fprintf (stderr, "bench-scan: cannot sign in and open a shift: %s\n", error->message);
      return 1;
    }

  b.rand = g_rand_new_with_seed (4242);
  b.codes = pick_codes (db, b.rand, MIN (opt_scans, 1000u), n_products);
  if (b.codes->len == 0)
    {
      fprintf (stderr, "bench-scan: no EAN-13 barcodes in %s\n", path);
      return 1;
    }
  b.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < N_TARGETS; i++)
    b.t[i] = bench_samples_new ();
  b.t_handled = bench_samples_new ();
  b.t_wait = bench_samples_new ();
  b.t_layout = bench_samples_new ();
  b.t_render = bench_samples_new ();
  b.t_own = bench_samples_new ();

  /* The window first, then the scanner: ready before the first scan. */
  b.stack = gtk_stack_new ();
  b.labels[TARGET_LABEL] = b.pages[TARGET_LABEL] = gtk_label_new ("Scan");
  gtk_stack_add_child (GTK_STACK (b.stack), b.pages[TARGET_LABEL]);
  b.pages[TARGET_ENTRY] = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  b.entry = gtk_entry_new ();
  b.labels[TARGET_ENTRY] = gtk_label_new ("Scan");
  gtk_box_append (GTK_BOX (b.pages[TARGET_ENTRY]), b.entry);
  gtk_box_append (GTK_BOX (b.pages[TARGET_ENTRY]), b.labels[TARGET_ENTRY]);
  gtk_stack_add_child (GTK_STACK (b.stack), b.pages[TARGET_ENTRY]);
  b.sale_page = b.pages[TARGET_SALE] = pos_sale_page_new (db);
  b.cart = pos_sale_page_get_cart (POS_SALE_PAGE (b.sale_page));
  gtk_stack_add_child (GTK_STACK (b.stack), b.pages[TARGET_SALE]);
  b.window = window_new ("Bench", b.stack);
  gtk_widget_realize (b.window);
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (b.window);

    b.phase_ids[0] = g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &b);
    b.phase_ids[1] = g_signal_connect (clock, "layout", G_CALLBACK (on_layout), &b);
    b.phase_ids[2] = g_signal_connect (clock, "paint", G_CALLBACK (on_paint), &b);
  }

  b.scanner = fake_scanner_new (testbed, FAKE_SCANNER_KEYBOARD, 0x05e0, 0x1200, 1, "Bench Scanner");
  b.manager = pos_scanner_manager_new (NULL);
  g_signal_connect (b.manager, "scanned", G_CALLBACK (on_scanned), &b);
  g_signal_connect (b.manager, "devices-changed", G_CALLBACK (on_devices_changed), &b);
  if (!pos_scanner_manager_start (b.manager, &error))
    {
      fprintf (stderr, "bench-scan: %s\n", error->message);
      return 1;
    }
  if (opt_direct)
    {
      pos_scanner_manager_stop (b.manager);
      schedule_next (&b);
    }
  arm_watchdog (&b);
  g_main_loop_run (b.loop);

  if (b.failure != NULL)
    {
      fprintf (stderr, "bench-scan: %s\n", b.failure);
      status = 1;
    }
  else
    {
      const char *renderer = g_getenv ("GSK_RENDERER");
      gint64 p99 = bench_percentile (b.t[TARGET_SALE], 99);
      gint64 own99 = bench_percentile (b.t_own, 99);

      printf ("scan reaped -> frame painted, %u scans each after %u warm-up, %s, %" G_GINT64_FORMAT
              " products (renderer: %s%s)\n", opt_scans, WARM_UP,
              opt_direct ? "scans made on the main loop" : "keyboard scanner on emulated USB",
              n_products, renderer != NULL && *renderer != '\0' ? renderer : "GTK's default",
              opt_no_blink ? "; cursor blink off" : "");
      bench_print_header ();
      bench_print_latency ("bare GtkLabel (baseline)", b.t[TARGET_LABEL]);
      bench_print_latency ("GtkLabel + focused GtkEntry (baseline)", b.t[TARGET_ENTRY]);
      bench_print_latency ("sale page: cart line on screen", b.t[TARGET_SALE]);
      bench_print_latency ("  the scan in the cart", b.t_handled);
      bench_print_latency ("  + waiting for the frame's turn", b.t_wait);
      bench_print_latency ("  + the frame's layout", b.t_layout);
      bench_print_latency ("  + the frame's rendering", b.t_render);
      bench_print_latency ("  Balcão's own work (all but the wait)", b.t_own);
      bench_print_ratio ("sale page / bare label", b.t[TARGET_SALE], b.t[TARGET_LABEL]);
      bench_print_ratio ("sale page / label + entry", b.t[TARGET_SALE], b.t[TARGET_ENTRY]);
      printf ("  target p99 < 16 ms (one frame): cart line on screen %.2f ms (%s); Balcão's own work %.2f ms (%s)\n",
              p99 / 1000.0, p99 < 16000 ? "met" : "NOT met", own99 / 1000.0, own99 < 16000 ? "met" : "NOT met");
    }

  g_clear_handle_id (&b.watchdog_id, g_source_remove);
  g_clear_handle_id (&b.gap_id, g_source_remove);
  if (b.paint_id != 0)
    g_clear_signal_handler (&b.paint_id, gtk_widget_get_frame_clock (b.window));
  for (guint i = 0; i < G_N_ELEMENTS (b.phase_ids); i++)
    g_clear_signal_handler (&b.phase_ids[i], gtk_widget_get_frame_clock (b.window));
  pos_scanner_manager_stop (b.manager);
  g_clear_object (&b.manager);
  fake_scanner_free (b.scanner);
  gtk_window_destroy (GTK_WINDOW (b.window));
  for (guint i = 0; i < N_TARGETS; i++)
    g_array_unref (b.t[i]);
  g_array_unref (b.t_handled);
  g_array_unref (b.t_wait);
  g_array_unref (b.t_layout);
  g_array_unref (b.t_render);
  g_array_unref (b.t_own);
  g_ptr_array_unref (b.codes);
  g_rand_free (b.rand);
  g_main_loop_unref (b.loop);
  g_free (b.failure);
  g_clear_object (&db);
  if (tmpdir != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_remove (path);
      g_remove (wal);
      g_remove (shm);
      g_rmdir (tmpdir);
    }
  return status;
}
