/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "printing-testbed"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "printing-harness.h"

/* A receipt printer for the UI tests, without hardware: the private cupsd
 * of tests/devices/printing-harness.c with the raw queue "caixa1" on its
 * socket:// listener (a port-9100 thermal printer).
 *   printing-testbed READY_FILE JOBS_DIR
 * writes "CUPS_SERVER=host:port" to READY_FILE once the queue exists (or
 * "SKIP reason" when cupsd cannot run here), then writes the bytes of
 * each connection the printer received as JOBS_DIR/N.bin, until SIGTERM
 * or SIGINT. */

typedef struct {
  PrintingHarness *harness;
  const char      *jobs_dir;
  guint            n_jobs;
  GMainLoop       *loop;
} Testbed;

static gboolean
take_jobs (gpointer user_data)
{
  Testbed *tb = user_data;
  g_autoptr(GPtrArray) taken = printing_harness_socket_take (tb->harness);

  for (guint i = 0; i < taken->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (taken, i);
      g_autofree char *name = g_strdup_printf ("%u.bin", ++tb->n_jobs);
      g_autofree char *path = g_build_filename (tb->jobs_dir, name, NULL);
      g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
      g_autoptr(GError) error = NULL;

      /* whole files only: the test reads a job as soon as it is there */
      if (!g_file_set_contents (tmp, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), &error) ||
          g_rename (tmp, path) != 0)
        g_printerr ("printing-testbed: could not write %s: %s\n", path,
                    error != NULL ? error->message : g_strerror (errno));
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  Testbed *tb = user_data;

  g_main_loop_quit (tb->loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  Testbed tb = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  guint sigterm, sigint, poll;

  if (argc != 3)
    {
      g_printerr ("Usage: %s READY_FILE JOBS_DIR\n", argv[0]);
      return 2;
    }
  tb.jobs_dir = argv[2];
  g_mkdir_with_parents (tb.jobs_dir, 0700);

  tb.harness = printing_harness_start (&error);
  if (tb.harness == NULL)
    {
      ready = g_strdup_printf ("SKIP %s\n", error->message);
      g_file_set_contents (argv[1], ready, -1, NULL);
      return 0;
    }
  if (!printing_harness_add_raw_queue (tb.harness, "caixa1", printing_harness_get_socket_uri (tb.harness), &error))
    {
      g_printerr ("printing-testbed: %s\n", error->message);
      printing_harness_stop (tb.harness);
      return 1;
    }
  ready = g_strdup_printf ("CUPS_SERVER=%s\n", g_getenv ("CUPS_SERVER"));
  if (!g_file_set_contents (argv[1], ready, -1, &error))
    {
      g_printerr ("printing-testbed: %s\n", error->message);
      printing_harness_stop (tb.harness);
      return 1;
    }

  tb.loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &tb);
  sigint = g_unix_signal_add (SIGINT, on_signal, &tb);
  poll = g_timeout_add (100, take_jobs, &tb);
  g_main_loop_run (tb.loop);

  take_jobs (&tb);
  g_source_remove (poll);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_main_loop_unref (tb.loop);
  printing_harness_stop (tb.harness);
  return 0;
}
