/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Timeline scroll benchmark (issue 4): a GtkListView over a customer's
 * PosCustomerTimeline, scrolled from the first row to the last by
 * stepping its vertical GtkAdjustment one page per frame (a tick
 * callback), with the process' RSS read from /proc/self/statm at every
 * step. Run for the customer with 1 000 events and the one with 10 000
 * (bench-customer-data.h), each in a fresh process, against the peak RSS
 * of minimal-window (the start-up benchmark's smallest GTK 4 window)
 * measured in the same run. The rows are this file's own minimal factory
 * (summary, then date, channel and kind), not the app's widget.
 *
 *   bench-timeline-scroll [--db PATH] [--base DEMO.db] [--customers N] [--events N]
 *                         [--big N] [--small N] [--runs R] [--minimal PATH]
 *
 * Needs a display (run it under xvfb-run). */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "terminal/pos-customer-timeline.h"

#include "bench-customer-data.h"

static guint64 opt_customers = 1000000;
static guint64 opt_events = 10000000;
static guint64 opt_big = 10000;
static guint64 opt_small = 1000;
static guint64 opt_runs = 3;
static char *opt_db = NULL;
static char *opt_base = NULL;
static char *opt_minimal = NULL;
static char *opt_child = NULL;   /* the customer id: this process scrolls */

/* ------------------------------------------------------------------ */
/* The child: one window, one scroll                                   */

typedef struct {
  GMainLoop           *loop;
  GtkWidget           *window;
  GtkWidget           *list;
  PosCustomerTimeline *timeline;
  guint                n_items;
  guint                max_bound;
  guint                binds;
  guint                steps;
  guint                at_end;
  guint                max_pages;
  guint64              start_kib;
  guint64              max_kib;
  gint64               t_start;
  gint64               t_end;
  gboolean             failed;
} Child;

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *summary = gtk_label_new (NULL);
  GtkWidget *meta = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_ellipsize (GTK_LABEL (summary), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), summary);
  gtk_box_append (GTK_BOX (box), meta);
  gtk_list_item_set_child (item, box);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         Child                    *c)
{
  PosTimelineEvent *e = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *meta = NULL;

  if (e == NULL)
    {
      c->failed = TRUE;
      return;
    }
  when = g_date_time_new_from_unix_local (pos_timeline_event_get_occurred_at (e) / 1000);
  date = g_date_time_format (when, "%d/%m/%Y %H:%M");
  meta = g_strdup_printf ("%s · %s · %s", date,
                          pos_timeline_channel_label (pos_timeline_event_get_channel (e)),
                          pos_timeline_kind_label (pos_timeline_event_get_kind (e)));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (box)), pos_timeline_event_get_summary (e));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (box)), meta);
  c->binds++;
  c->max_bound = MAX (c->max_bound, gtk_list_item_get_position (item));
}

static void
sample (Child *c)
{
  c->max_kib = MAX (c->max_kib, bench_rss_kib ());
  c->max_pages = MAX (c->max_pages, pos_customer_timeline_get_n_cached_pages (c->timeline));
}

/* One page further each frame, until the last row has been shown and the
 * view stayed at the end for a few frames. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Child *c = user_data;
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (c->list));
  double value = gtk_adjustment_get_value (adj);
  double page = gtk_adjustment_get_page_size (adj);
  double upper = gtk_adjustment_get_upper (adj);

  sample (c);
  if (value + page >= upper - 0.5 && c->max_bound + 1 >= c->n_items)
    {
      if (++c->at_end >= 3)
        {
          c->t_end = g_get_monotonic_time ();
          g_main_loop_quit (c->loop);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;
    }
  c->at_end = 0;
  gtk_adjustment_set_value (adj, MIN (value + page, upper - page));
  c->steps++;
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Child         *c)
{
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, c);
  /* The first frame is on screen: the baseline, then scroll. */
  c->start_kib = c->max_kib = bench_rss_kib ();
  c->t_start = g_get_monotonic_time ();
  gtk_widget_add_tick_callback (c->list, tick_cb, c, NULL);
}

static void
map_cb (GtkWidget *window,
        Child     *c)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb), c);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Child *c = user_data;

  fprintf (stderr, "bench-timeline-scroll: no end of the list after 10 minutes (row %u of %u)\n",
           c->max_bound, c->n_items);
  c->failed = TRUE;
  g_main_loop_quit (c->loop);
  return G_SOURCE_REMOVE;
}

static int
run_child (const char *path,
           const char *customer_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  GtkListItemFactory *factory;
  GtkWidget *scrolled;
  Child c = { NULL, };
  struct rusage ru;
  guint timeout;

  gtk_init ();
  db = pos_database_open (path, &error);
  if (db == NULL)
    {
      fprintf (stderr, "bench-timeline-scroll: %s\n", error->message);
      return 1;
    }
  c.loop = g_main_loop_new (NULL, FALSE);
  c.timeline = pos_customer_timeline_new (db, customer_id);
  c.n_items = g_list_model_get_n_items (G_LIST_MODEL (c.timeline));
  if (c.n_items == 0)
    {
      fprintf (stderr, "bench-timeline-scroll: customer %s has no events\n", customer_id);
      return 1;
    }

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), &c);
  c.list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (c.timeline)))),
                              factory);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), c.list);

  c.window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (c.window), "Timeline");
  gtk_window_set_default_size (GTK_WINDOW (c.window), 1024, 768);
  gtk_window_set_child (GTK_WINDOW (c.window), scrolled);
  g_signal_connect (c.window, "map", G_CALLBACK (map_cb), &c);
  timeout = g_timeout_add_seconds (600, timeout_cb, &c);
  gtk_window_present (GTK_WINDOW (c.window));
  g_main_loop_run (c.loop);
  g_source_remove (timeout);

  sample (&c);
  getrusage (RUSAGE_SELF, &ru);
  if (!c.failed)
    printf ("result items=%u start=%" G_GUINT64_FORMAT " max=%" G_GUINT64_FORMAT " end=%" G_GUINT64_FORMAT
            " peak=%ld steps=%u ms=%.0f binds=%u last=%u pages=%u\n",
            c.n_items, c.start_kib, c.max_kib, bench_rss_kib (), ru.ru_maxrss, c.steps,
            (c.t_end - c.t_start) / 1000.0, c.binds, c.max_bound, c.max_pages);
  fflush (stdout);

  gtk_window_destroy (GTK_WINDOW (c.window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (c.timeline);
  g_main_loop_unref (c.loop);
  return c.failed ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* The parent: prepare, spawn, compare                                 */

typedef struct {
  guint   items, steps, binds, last, pages;
  guint64 start, max, end;
  long    peak;
  double  ms;
} Result;

/* Runs argv, returns its stdout and its peak RSS (KiB). */
static gboolean
spawn (char   **argv,
       char   **out,
       long    *maxrss_kib,
       GError **error)
{
  int fds[2];
  pid_t pid;
  int status;
  struct rusage ru;
  GString *text = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  if (pipe (fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      g_string_free (text, TRUE);
      return FALSE;
    }
  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "fork: %s", g_strerror (errno));
      g_string_free (text, TRUE);
      return FALSE;
    }
  if (pid == 0)
    {
      dup2 (fds[1], STDOUT_FILENO);
      close (fds[0]);
      close (fds[1]);
      execv (argv[0], argv);
      _exit (127);
    }
  close (fds[1]);
  while ((n = read (fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (text, buf, n);
  close (fds[0]);
  if (wait4 (pid, &status, 0, &ru) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "wait4: %s", g_strerror (errno));
      g_string_free (text, TRUE);
      return FALSE;
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed (status %d)", argv[0], status);
      g_string_free (text, TRUE);
      return FALSE;
    }
  *maxrss_kib = ru.ru_maxrss;
  *out = g_string_free (text, FALSE);
  return TRUE;
}

static gboolean
scroll_once (const char  *self,
             const char  *path,
             const char  *customer_id,
             Result      *r,
             GError     **error)
{
  char *argv[] = { (char *) self, (char *) "--child", (char *) customer_id, (char *) "--db", (char *) path, NULL };
  g_autofree char *out = NULL;
  const char *line;
  long maxrss;

  if (!spawn (argv, &out, &maxrss, error))
    return FALSE;
  line = strstr (out, "result ");
  if (line == NULL ||
      sscanf (line, "result items=%u start=%" G_GUINT64_FORMAT " max=%" G_GUINT64_FORMAT " end=%" G_GUINT64_FORMAT
                    " peak=%ld steps=%u ms=%lf binds=%u last=%u pages=%u",
              &r->items, &r->start, &r->max, &r->end, &r->peak, &r->steps, &r->ms, &r->binds, &r->last,
              &r->pages) != 10)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "unexpected output from the scroll: %s", out);
      return FALSE;
    }
  return TRUE;
}

static int
cmp_i64 (gconstpointer a,
         gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

static gint64
median (GArray *values)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, cmp_i64);
  return g_array_index (values, gint64, values->len / 2);
}

static gboolean
parse_args (int    argc,
            char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      guint64 *target = NULL;
      char **text = NULL;

      if (g_str_equal (argv[i], "--db")) text = &opt_db;
      else if (g_str_equal (argv[i], "--base")) text = &opt_base;
      else if (g_str_equal (argv[i], "--minimal")) text = &opt_minimal;
      else if (g_str_equal (argv[i], "--child")) text = &opt_child;
      if (text != NULL && i + 1 < argc)
        {
          g_free (*text);
          *text = g_strdup (argv[++i]);
          continue;
        }
      if (g_str_equal (argv[i], "--customers")) target = &opt_customers;
      else if (g_str_equal (argv[i], "--events")) target = &opt_events;
      else if (g_str_equal (argv[i], "--big")) target = &opt_big;
      else if (g_str_equal (argv[i], "--small")) target = &opt_small;
      else if (g_str_equal (argv[i], "--runs")) target = &opt_runs;
      if (target == NULL || i + 1 >= argc ||
          !g_ascii_string_to_unsigned (argv[i + 1], 10, 1, 100000000, target, NULL))
        {
          fprintf (stderr, "usage: %s [--db PATH] [--base DEMO.db] [--customers N] [--events N] [--big N] "
                           "[--small N] [--runs R] [--minimal PATH]\n", argv[0]);
          return FALSE;
        }
      i++;
    }
  return TRUE;
}

static void
print_result (guint         run,
              const Result *r)
{
  g_autofree char *who = g_strdup_printf ("%u-event timeline", r->items);

  printf ("  %-22s %3u %7u %6u %8.1f %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %9" G_GINT64_FORMAT
          " %10" G_GUINT64_FORMAT " %10ld %5u\n",
          who, run, r->items, r->steps, r->ms / 1000.0, r->start, r->max, (gint64) r->max - (gint64) r->start,
          r->end, r->peak, r->pages);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *self = NULL;
  g_autofree char *minimal = NULL;
  g_autoptr(GArray) minimal_kib = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) growth_small = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) growth_big = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) peak_big = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) start_big = g_array_new (FALSE, FALSE, sizeof (gint64));
  BenchCustomerData data;
  const char *renderer = g_getenv ("GSK_RENDERER");
  gint64 g_small, g_big, min_kib;
  gboolean ok = TRUE, in_bounds = TRUE;
  int status = 0;

  if (!parse_args (argc, argv))
    return 2;
  if (opt_child != NULL)
    {
      status = run_child (opt_db, opt_child);
      g_free (opt_child);
      g_free (opt_db);
      return status;
    }

  self = g_file_read_link ("/proc/self/exe", &error);
  if (self == NULL)
    {
      fprintf (stderr, "bench-timeline-scroll: %s\n", error->message);
      return 1;
    }
  if (opt_minimal != NULL)
    minimal = g_strdup (opt_minimal);
  else
    {
      g_autofree char *dir = g_path_get_dirname (self);
      minimal = g_build_filename (dir, "minimal-window", NULL);
    }

  if (opt_db != NULL)
    path = g_strdup (opt_db);
  else
    {
      tmpdir = g_dir_make_tmp ("balcao-bench-scroll-XXXXXX", &error);
      if (tmpdir == NULL)
        {
          fprintf (stderr, "bench-timeline-scroll: %s\n", error->message);
          return 1;
        }
      path = g_build_filename (tmpdir, "bench.db", NULL);
    }

  {
    g_autoptr(PosDatabase) db = bench_customer_data_prepare (path, opt_base, opt_customers, opt_customers, opt_events,
                                                             (guint) opt_big, (guint) opt_small, &data, &error);
    if (db == NULL)
      {
        fprintf (stderr, "bench-timeline-scroll: %s\n", error->message);
        return 1;
      }
  }

  printf ("\nBalcão timeline scroll: GtkListView over PosCustomerTimeline, scrolled a page per frame to the end\n");
  printf ("  %" G_GUINT64_FORMAT " customers, %" G_GUINT64_FORMAT " events (%s); renderer %s; rows: the benchmark's "
          "own factory (summary; date · channel · kind)\n",
          data.n_customers, data.n_events, path, renderer != NULL ? renderer : "default");
  printf ("  %-22s %3s %7s %6s %8s %10s %10s %9s %10s %10s %5s\n", "window", "run", "items", "steps", "scroll s",
          "start KiB", "max KiB", "growth", "end KiB", "peak KiB", "pages");

  for (guint run = 1; run <= opt_runs && ok; run++)
    {
      char *margv[] = { minimal, NULL };
      g_autofree char *out = NULL;
      Result small = { 0, }, big = { 0, };
      long kib = 0;
      gint64 v;

      /* Alternated, each in a fresh process. */
      if (!spawn (margv, &out, &kib, &error))
        {
          fprintf (stderr, "bench-timeline-scroll: minimal window: %s\n", error->message);
          ok = FALSE;
          break;
        }
      v = kib;
      g_array_append_val (minimal_kib, v);
      printf ("  %-22s %3u %7s %6s %8s %10s %10s %9s %10s %10ld %5s\n", "minimal GTK window", run,
              "-", "-", "-", "-", "-", "-", "-", kib, "-");

      if (!scroll_once (self, path, data.customer_small, &small, &error) ||
          !scroll_once (self, path, data.customer_big, &big, &error))
        {
          fprintf (stderr, "bench-timeline-scroll: %s\n", error->message);
          ok = FALSE;
          break;
        }
      print_result (run, &small);
      print_result (run, &big);
      in_bounds = in_bounds && small.pages <= 8 && big.pages <= 8 &&
                  small.last + 1 == small.items && big.last + 1 == big.items;
      v = (gint64) small.max - (gint64) small.start;
      g_array_append_val (growth_small, v);
      v = (gint64) big.max - (gint64) big.start;
      g_array_append_val (growth_big, v);
      v = big.peak;
      g_array_append_val (peak_big, v);
      v = (gint64) big.start;
      g_array_append_val (start_big, v);
    }

  if (ok)
    {
      g_small = median (growth_small);
      g_big = median (growth_big);
      min_kib = median (minimal_kib);
      printf ("\n  medians over %u runs: growth while scrolling %" G_GINT64_FORMAT " KiB (%" G_GUINT64_FORMAT
              " events), %" G_GINT64_FORMAT " KiB (%" G_GUINT64_FORMAT " events)\n",
              minimal_kib->len, g_small, opt_small, g_big, opt_big);
      printf ("  minimal GTK window peak RSS %" G_GINT64_FORMAT " KiB; the larger timeline's window: RSS at its first frame "
              "%.2fx, peak %.2fx of it\n", min_kib,
              min_kib > 0 ? (double) median (start_big) / (double) min_kib : 0,
              min_kib > 0 ? (double) median (peak_big) / (double) min_kib : 0);
      /* "No growth with the number of events": the larger timeline may
       * not cost more than 2 MiB over the smaller one's scroll. */
      printf ("  target: RSS does not grow with the events: %s (%+" G_GINT64_FORMAT " KiB with %.0fx the events; "
              "every row shown, at most 8 pages held: %s)\n",
              g_big <= g_small + 2048 ? "met" : "NOT MET", g_big - g_small,
              (double) opt_big / (double) opt_small, in_bounds ? "yes" : "NO");
    }

#ifdef __SANITIZE_ADDRESS__
  /* ASan keeps freed memory in quarantine: its RSS says nothing. */
  printf ("\n  (built with AddressSanitizer: freed memory stays in its quarantine, so the RSS figures "
          "and timings are not meaningful; use a release build, scripts/bench.sh)\n");
#endif
  bench_customer_data_clear (&data);
  if (tmpdir != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (tmpdir);
    }
  g_free (opt_db);
  g_free (opt_base);
  g_free (opt_minimal);
  return ok && in_bounds ? 0 : 1;
}
