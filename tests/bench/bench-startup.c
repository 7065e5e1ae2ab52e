/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Start-up benchmark: time from spawning a program to its first painted
 * frame, and its peak RSS, for balcao on a given database against a
 * minimal GTK 4 window measured in the same run, alternating the two.
 * Both print "first-frame" after their first paint and exit.
 *
 *   bench-startup --app build/src/app/balcao --minimal build/tests/bench/minimal-window \
 *                 --database DB [--runs 15]
 *
 * Needs a display (run it under xvfb-run). */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  double ms;
  long   maxrss_kb;
} Sample;

static gboolean
run_once (char **argv,
          Sample *out,
          GError **error)
{
  int fds[2];
  pid_t pid;
  gint64 t0, t1 = 0;
  FILE *in;
  char line[256];
  int status;
  struct rusage ru;

  if (pipe (fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      return FALSE;
    }

  t0 = g_get_monotonic_time ();
  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "fork: %s", g_strerror (errno));
      return FALSE;
    }
  if (pid == 0)
    {
      dup2 (fds[1], STDOUT_FILENO);
      close (fds[0]);
      close (fds[1]);
      setenv ("BALCAO_EXIT_AFTER_FIRST_FRAME", "1", 1);
      execv (argv[0], argv);
      _exit (127);
    }

  close (fds[1]);
  in = fdopen (fds[0], "r");
  while (fgets (line, sizeof line, in) != NULL)
    {
      if (g_str_has_prefix (line, "first-frame"))
        {
          t1 = g_get_monotonic_time ();
          break;
        }
    }
  fclose (in);

  if (wait4 (pid, &status, 0, &ru) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "wait4: %s", g_strerror (errno));
      return FALSE;
    }
  if (t1 == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s exited (status %d) without painting a frame", argv[0], status);
      return FALSE;
    }

  out->ms = (t1 - t0) / 1000.0;
  out->maxrss_kb = ru.ru_maxrss;
  return TRUE;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (GArray *samples)
{
  g_autofree double *v = g_new (double, samples->len);

  for (guint i = 0; i < samples->len; i++)
    v[i] = g_array_index (samples, Sample, i).ms;
  qsort (v, samples->len, sizeof (double), cmp_double);
  return samples->len % 2 ? v[samples->len / 2]
                          : (v[samples->len / 2 - 1] + v[samples->len / 2]) / 2.0;
}

static long
max_rss (GArray *samples)
{
  long m = 0;

  for (guint i = 0; i < samples->len; i++)
    m = MAX (m, g_array_index (samples, Sample, i).maxrss_kb);
  return m;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *app = NULL;
  g_autofree char *minimal = NULL;
  g_autofree char *database = NULL;
  int runs = 15;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GArray) app_samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_autoptr(GArray) min_samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  GOptionEntry entries[] = {
    { "app", 0, 0, G_OPTION_ARG_FILENAME, &app, "The balcao executable", "PATH" },
    { "minimal", 0, 0, G_OPTION_ARG_FILENAME, &minimal, "The minimal-window executable", "PATH" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "Database to start balcao on", "FILE" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each program (default 15)", "N" },
    { NULL }
  };
  double app_ms, min_ms;
  long app_rss;

  context = g_option_context_new ("- time balcao's start against a minimal GTK window");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || app == NULL || minimal == NULL
      || database == NULL || runs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--app, --minimal and --database are required");
      return 2;
    }

  {
    g_autofree char *db_arg = g_strdup_printf ("--database=%s", database);
    char *app_argv[] = { app, db_arg, NULL };
    char *min_argv[] = { minimal, NULL };
    Sample s;

    /* One warm-up of each: fontconfig caches, page cache. */
    if (!run_once (min_argv, &s, &error) || !run_once (app_argv, &s, &error))
      {
        g_printerr ("bench-startup: %s\n", error->message);
        return 1;
      }

    for (int i = 0; i < runs; i++)
      {
        if (!run_once (min_argv, &s, &error))
          break;
        g_array_append_val (min_samples, s);
        if (!run_once (app_argv, &s, &error))
          break;
        g_array_append_val (app_samples, s);
      }
    if (error != NULL)
      {
        g_printerr ("bench-startup: %s\n", error->message);
        return 1;
      }
  }

  app_ms = median (app_samples);
  min_ms = median (min_samples);
  app_rss = max_rss (app_samples);

  {
    const char *renderer = g_getenv ("GSK_RENDERER");

    printf ("start-up to first frame (%d runs each, medians; renderer: %s)\n", runs,
            renderer != NULL && *renderer != '\0' ? renderer : "GTK's default (GL)");
  }
  printf ("  minimal GTK 4 window : %8.1f ms   peak RSS %6.1f MB\n", min_ms, max_rss (min_samples) / 1024.0);
  printf ("  balcao on database   : %8.1f ms   peak RSS %6.1f MB\n", app_ms, app_rss / 1024.0);
  printf ("  ratio balcao/minimal : %8.2fx   (target <= 2x: %s; under 1 s: %s)\n",
          app_ms / min_ms, app_ms / min_ms <= 2.0 ? "met" : "NOT met",
          app_ms < 1000.0 ? "met" : "NOT met");
  printf ("  balcao peak RSS      : %8.1f MB  (%+.1f MB over the minimal window; target < 150 MB: %s)\n",
          app_rss / 1024.0, (app_rss - max_rss (min_samples)) / 1024.0,
          app_rss < 150 * 1024 ? "met" : "NOT met");
  return 0;
}
