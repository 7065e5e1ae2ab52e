/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test-printing"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pos-printer.h"
#include "printing-harness.h"

/* The daemons die with the test that started them, even when it is
 * killed (a timeout, a crash): otherwise a cupsd would outlive it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn_daemon (GError **error,
              const char *first,
              ...) G_GNUC_NULL_TERMINATED;

static GSubprocess *
spawn_daemon (GError     **error,
              const char  *first,
              ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) first);
  va_start (args, first);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}


#define READY_TIMEOUT_US (15 * G_USEC_PER_SEC)

struct _PrintingHarness
{
  char        *dir;
  char        *cups_server;
  GSubprocess *cupsd;

  /* the socket:// printer */
  guint16      socket_port;
  char        *socket_uri;
  GSocket     *server;
  GThread     *listener;
  gint         stop_listening;
  GMutex       lock;
  GPtrArray   *received;        /* GBytes, under lock */

  char        *capture_dir;
  char        *capture_uri;

  /* ippeveprinter */
  GSubprocess *dbus;
  GSubprocess *ipp;
  guint16      ipp_port;
  char        *ipp_uri;
  char        *ipp_dir;
};

static char *
find_program (const char *name)
{
  static const char * const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin" };
  char *path = g_find_program_in_path (name);

  for (guint i = 0; path == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      char *candidate = g_build_filename (dirs[i], name, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        path = candidate;
      else
        g_free (candidate);
    }
  return path;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
write_file (const char  *path,
            const char  *contents,
            int          mode,
            GError     **error)
{
  if (!g_file_set_contents (path, contents, -1, error))
    return FALSE;
  g_chmod (path, mode);
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR) &&
      (dir = g_dir_open (path, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

/* ---- the TCP listener ---- */

static gpointer
listen_thread (gpointer data)
{
  PrintingHarness *h = data;

  while (!g_atomic_int_get (&h->stop_listening))
    {
      g_autoptr(GSocket) client = NULL;
      g_autoptr(GByteArray) bytes = NULL;
      char buffer[4096];
      gssize n;

      if (!g_socket_condition_timed_wait (h->server, G_IO_IN, 50 * 1000, NULL, NULL))
        continue;
      client = g_socket_accept (h->server, NULL, NULL);
      if (client == NULL)
        continue;
      g_socket_set_blocking (client, TRUE);
      g_socket_set_timeout (client, 30);
      bytes = g_byte_array_new ();
      while ((n = g_socket_receive (client, buffer, sizeof buffer, NULL, NULL)) > 0)
        g_byte_array_append (bytes, (const guint8 *) buffer, n);
      g_socket_close (client, NULL);
      g_mutex_lock (&h->lock);
      g_ptr_array_add (h->received, g_byte_array_free_to_bytes (g_steal_pointer (&bytes)));
      g_mutex_unlock (&h->lock);
    }
  return NULL;
}

void
printing_harness_socket_open (PrintingHarness *h)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, h->socket_port);

  g_assert_null (h->server);
  h->server = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (h->server, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (h->server, &error);
  g_assert_no_error (error);
  g_atomic_int_set (&h->stop_listening, 0);
  h->listener = g_thread_new ("socket-printer", listen_thread, h);
}

void
printing_harness_socket_close (PrintingHarness *h)
{
  if (h->server == NULL)
    return;
  g_atomic_int_set (&h->stop_listening, 1);
  g_thread_join (g_steal_pointer (&h->listener));
  g_socket_close (h->server, NULL);
  g_clear_object (&h->server);
}

GPtrArray *
printing_harness_socket_take (PrintingHarness *h)
{
  GPtrArray *taken;

  g_mutex_lock (&h->lock);
  taken = g_steal_pointer (&h->received);
  h->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_mutex_unlock (&h->lock);
  return taken;
}

const char *
printing_harness_get_socket_uri (PrintingHarness *h)
{
  return h->socket_uri;
}

/* ---- cupsd ---- */

static const char capture_backend[] =
  "#!/bin/sh\n"
  "# A CUPS backend that saves each job (recipes.md).\n"
  "if [ $# -eq 0 ]; then echo 'direct capture \"Unknown\" \"Capture job data to a directory\"'; exit 0; fi\n"
  "dir=\"${DEVICE_URI#capture:}\"\n"
  "cat \"${6:--}\" > \"$dir/.job-$1.tmp\" || exit 1\n"
  "mv \"$dir/.job-$1.tmp\" \"$dir/job-$1.bin\"\n";

static gboolean
make_serverbin (const char  *serverbin,
                GError     **error)
{
  g_autofree char *backend_dir = g_build_filename (serverbin, "backend", NULL);
  g_autofree char *capture = g_build_filename (backend_dir, "capture", NULL);
  g_autoptr(GDir) lib = g_dir_open ("/usr/lib/cups", 0, error);
  g_autoptr(GDir) backends = NULL;
  const char *name;

  if (lib == NULL)
    return FALSE;
  g_mkdir_with_parents (backend_dir, 0755);
  while ((name = g_dir_read_name (lib)) != NULL)
    {
      g_autofree char *target = g_build_filename ("/usr/lib/cups", name, NULL);
      g_autofree char *link = g_build_filename (serverbin, name, NULL);

      if (!g_str_equal (name, "backend"))
        symlink (target, link);
    }
  backends = g_dir_open ("/usr/lib/cups/backend", 0, error);
  if (backends == NULL)
    return FALSE;
  while ((name = g_dir_read_name (backends)) != NULL)
    {
      g_autofree char *target = g_build_filename ("/usr/lib/cups/backend", name, NULL);
      g_autofree char *link = g_build_filename (backend_dir, name, NULL);

      symlink (target, link);
    }
  return write_file (capture, capture_backend, 0755, error);
}

static gboolean
cupsd_ready (void)
{
  g_autoptr(GPtrArray) list = pos_printer_list_sync (NULL, NULL);

  return list != NULL;
}

PrintingHarness *
printing_harness_start (GError **error)
{
  PrintingHarness *h = g_new0 (PrintingHarness, 1);
  g_autofree char *cupsd_path = find_program ("cupsd");
  g_autofree char *conf = NULL;
  g_autofree char *files_conf = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *files_path = NULL;
  g_autofree char *serverbin = NULL;
  g_autofree char *sock = NULL;
  guint16 cups_port = free_port ();
  gint64 deadline;

  g_mutex_init (&h->lock);
  h->received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (cupsd_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "cupsd is not installed (package cups-daemon)");
      printing_harness_stop (h);
      return NULL;
    }

  h->dir = g_dir_make_tmp ("balcao-cups-XXXXXX", error);
  if (h->dir == NULL)
    {
      printing_harness_stop (h);
      return NULL;
    }
  /* cupsd runs backends as user lp: the folders they write must let it. */
  g_chmod (h->dir, 0755);
  serverbin = g_build_filename (h->dir, "serverbin", NULL);
  sock = g_build_filename (h->dir, "cups.sock", NULL);
  h->capture_dir = g_build_filename (h->dir, "capture", NULL);
  h->capture_uri = g_strconcat ("capture:", h->capture_dir, NULL);
  h->ipp_dir = g_build_filename (h->dir, "ipp-out", NULL);
  for (guint i = 0; i < 5; i++)
    {
      static const char * const subdirs[] = { "spool", "cache", "state", "tmp", "log" };
      g_autofree char *sub = g_build_filename (h->dir, subdirs[i], NULL);

      g_mkdir_with_parents (sub, 0755);
    }
  g_mkdir_with_parents (h->capture_dir, 0777);
  g_chmod (h->capture_dir, 0777);
  g_mkdir_with_parents (h->ipp_dir, 0777);
  g_chmod (h->ipp_dir, 0777);

  if (!make_serverbin (serverbin, error))
    {
      printing_harness_stop (h);
      return NULL;
    }

  conf = g_strdup_printf ("Listen 127.0.0.1:%u\n"
                          "Listen %s\n"
                          "Browsing No\n"
                          "WebInterface No\n"
                          "DefaultAuthType None\n"
                          "DefaultPolicy open\n"
                          "LogLevel debug\n"
                          "JobRetryInterval 1\n"
                          "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
                          "<Policy open>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n",
                          cups_port, sock);
  files_conf = g_strdup_printf ("FileDevice Yes\n"
                                "ServerRoot %1$s\n"
                                "RequestRoot %1$s/spool\n"
                                "CacheDir %1$s/cache\n"
                                "StateDir %1$s/state\n"
                                "TempDir %1$s/tmp\n"
                                "AccessLog %1$s/log/access_log\n"
                                "ErrorLog %1$s/log/error_log\n"
                                "PageLog %1$s/log/page_log\n"
                                "Printcap\n"
                                "ServerBin %2$s\n"
                                "DataDir /usr/share/cups\n",
                                h->dir, serverbin);
  conf_path = g_build_filename (h->dir, "cupsd.conf", NULL);
  files_path = g_build_filename (h->dir, "cups-files.conf", NULL);
  if (!write_file (conf_path, conf, 0644, error) || !write_file (files_path, files_conf, 0644, error))
    {
      printing_harness_stop (h);
      return NULL;
    }

  h->cups_server = g_strdup_printf ("127.0.0.1:%u", cups_port);
  g_setenv ("CUPS_SERVER", h->cups_server, TRUE);
  h->cupsd = spawn_daemon (error, cupsd_path, "-f", "-c", conf_path, "-s", files_path, NULL);
  if (h->cupsd == NULL)
    {
      printing_harness_stop (h);
      return NULL;
    }

  deadline = g_get_monotonic_time () + READY_TIMEOUT_US;
  while (!cupsd_ready ())
    {
      if (g_get_monotonic_time () > deadline || g_subprocess_get_identifier (h->cupsd) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cupsd did not start (see %s/log/error_log)", h->dir);
          printing_harness_stop (h);
          return NULL;
        }
      g_usleep (50 * 1000);
    }

  h->socket_port = free_port ();
  h->socket_uri = g_strdup_printf ("socket://127.0.0.1:%u", h->socket_port);
  printing_harness_socket_open (h);
  return h;
}

const char *
printing_harness_get_dir (PrintingHarness *h)
{
  return h->dir;
}

const char *
printing_harness_get_capture_uri (PrintingHarness *h)
{
  return h->capture_uri;
}

gboolean
printing_harness_run (PrintingHarness  *h,
                      GError          **error,
                      const char       *program,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *output = NULL;
  char *path = find_program (program);
  const char *arg;
  va_list args;

  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s is not installed", program);
      return FALSE;
    }
  g_ptr_array_add (argv, path);
  va_start (args, program);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "CUPS_SERVER", h->cups_server, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", program, output);
      return FALSE;
    }
  return TRUE;
}

gboolean
printing_harness_add_raw_queue (PrintingHarness  *h,
                                const char       *name,
                                const char       *device_uri,
                                GError          **error)
{
  return printing_harness_run (h, error, "lpadmin", "-p", name, "-E", "-v", device_uri, "-m", "raw", NULL);
}

static int
compare_job_files (gconstpointer a,
                   gconstpointer b)
{
  const char *na = *(const char * const *) a;
  const char *nb = *(const char * const *) b;
  gint64 ia = g_ascii_strtoll (na + strcspn (na, "0123456789"), NULL, 10);
  gint64 ib = g_ascii_strtoll (nb + strcspn (nb, "0123456789"), NULL, 10);

  return ia < ib ? -1 : ia > ib;
}

/* The *.bin files of dir, oldest job first, read and removed. */
static GPtrArray *
take_files (const char *dir,
            GPtrArray  *types)
{
  GPtrArray *taken = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".bin") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_job_files);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL))
        g_ptr_array_add (taken, g_bytes_new_take (contents, length));
      g_remove (path);
      if (types != NULL)
        {
          g_autofree char *base = g_strndup (path, strlen (path) - strlen (".bin"));
          g_autofree char *type_path = g_strconcat (base, ".type", NULL);
          char *type = NULL;

          if (g_file_get_contents (type_path, &type, NULL, NULL))
            g_strstrip (type);
          g_ptr_array_add (types, type != NULL ? type : g_strdup (""));
          g_remove (type_path);
        }
    }
  return taken;
}

GPtrArray *
printing_harness_capture_take (PrintingHarness *h)
{
  return take_files (h->capture_dir, NULL);
}

/* ---- ippeveprinter ---- */

static const char ipp_capture[] =
  "#!/bin/sh\n"
  "# ippeveprinter -c: saves each job with its type (recipes.md).\n"
  "out=\"$(dirname \"$0\")/ipp-out\"\n"
  "printf '%s\\n' \"$CONTENT_TYPE\" > \"$out/$IPP_JOB_ID.type\"\n"
  "cp \"$1\" \"$out/.$IPP_JOB_ID.tmp\" && mv \"$out/.$IPP_JOB_ID.tmp\" \"$out/$IPP_JOB_ID.bin\"\n";

gboolean
printing_harness_ipp_start (PrintingHarness  *h,
                            GError          **error)
{
  g_autofree char *ipp_path = find_program ("ippeveprinter");
  g_autofree char *dbus_path = find_program ("dbus-daemon");
  g_autofree char *bus = g_build_filename (h->dir, "sysbus", NULL);
  g_autofree char *bus_address = g_strconcat ("unix:path=", bus, NULL);
  g_autofree char *bus_arg = g_strconcat ("--address=", bus_address, NULL);
  g_autofree char *script = g_build_filename (h->dir, "ipp-capture.sh", NULL);
  g_autofree char *spool = g_build_filename (h->dir, "ipp-spool", NULL);
  g_autofree char *port = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  gint64 deadline;

  if (ipp_path == NULL || dbus_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "ippeveprinter or dbus-daemon is not installed (cups-ipp-utils, dbus-daemon)");
      return FALSE;
    }
  if (!write_file (script, ipp_capture, 0755, error))
    return FALSE;
  g_mkdir_with_parents (spool, 0755);

  if (h->dbus == NULL)
    {
      h->dbus = spawn_daemon (error, dbus_path, "--session", bus_arg, "--nofork", NULL);
      if (h->dbus == NULL)
        return FALSE;
      deadline = g_get_monotonic_time () + READY_TIMEOUT_US;
      while (!g_file_test (bus, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < deadline)
        g_usleep (20 * 1000);
    }

  if (h->ipp_port == 0)
    {
      h->ipp_port = free_port ();
      h->ipp_uri = g_strdup_printf ("ipp://localhost:%u/ipp/print", h->ipp_port);
    }
  port = g_strdup_printf ("%u", h->ipp_port);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  h->ipp = g_subprocess_launcher_spawn (launcher, error, ipp_path, "-p", port, "-n", "localhost",
                                        "-d", spool, "-k", "-c", script,
                                        "-f", "application/vnd.cups-raw,application/pdf,application/octet-stream",
                                        "-r", "off", "ReceiptSim", NULL);
  if (h->ipp == NULL)
    return FALSE;

  deadline = g_get_monotonic_time () + READY_TIMEOUT_US;
  for (;;)
    {
      g_autoptr(PosPrinterInfo) info = pos_printer_get_info_sync (h->ipp_uri, NULL, NULL);

      if (info != NULL)
        return TRUE;
      if (g_get_monotonic_time () > deadline || g_subprocess_get_identifier (h->ipp) == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "ippeveprinter did not start");
          return FALSE;
        }
      g_usleep (50 * 1000);
    }
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

void
printing_harness_ipp_stop (PrintingHarness *h)
{
  stop_process (&h->ipp);
}

const char *
printing_harness_get_ipp_uri (PrintingHarness *h)
{
  return h->ipp_uri;
}

GPtrArray *
printing_harness_ipp_take (PrintingHarness *h,
                           GPtrArray       *types)
{
  return take_files (h->ipp_dir, types);
}

void
printing_harness_stop (PrintingHarness *h)
{
  if (h == NULL)
    return;
  stop_process (&h->ipp);
  stop_process (&h->dbus);
  stop_process (&h->cupsd);
  printing_harness_socket_close (h);
  if (h->dir != NULL)
    remove_tree (h->dir);
  g_ptr_array_unref (h->received);
  g_mutex_clear (&h->lock);
  g_free (h->dir);
  g_free (h->cups_server);
  g_free (h->socket_uri);
  g_free (h->capture_dir);
  g_free (h->capture_uri);
  g_free (h->ipp_uri);
  g_free (h->ipp_dir);
  g_free (h);
}
