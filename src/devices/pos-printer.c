/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-printer"

#include "config.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <cups/cups.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "devices/pos-printer.h"

G_DEFINE_QUARK (pos-printer-error-quark, pos_printer_error)

#define CONNECT_TIMEOUT_MS 5000
#define BUSY_RETRIES       50      /* an IPP printer busy with the last job: 50 × 100 ms */

/* ---- words ---- */

const char *
pos_printer_state_to_string (PosPrinterState state)
{
  switch (state)
    {
    case POS_PRINTER_STATE_IDLE:     return "idle";
    case POS_PRINTER_STATE_PRINTING: return "printing";
    case POS_PRINTER_STATE_STOPPED:  return "stopped";
    case POS_PRINTER_STATE_UNKNOWN:
    default:                         return "unknown";
    }
}

const char *
pos_printer_kind_to_string (PosPrinterKind kind)
{
  return kind == POS_PRINTER_KIND_PDF_DRIVER ? "pdf-driver" : "escpos-raw";
}

gboolean
pos_printer_kind_from_string (const char     *text,
                              PosPrinterKind *kind)
{
  if (g_strcmp0 (text, "escpos-raw") == 0)
    *kind = POS_PRINTER_KIND_ESCPOS_RAW;
  else if (g_strcmp0 (text, "pdf-driver") == 0)
    *kind = POS_PRINTER_KIND_PDF_DRIVER;
  else
    return FALSE;
  return TRUE;
}

const char *
pos_printer_kind_get_format (PosPrinterKind kind)
{
  return kind == POS_PRINTER_KIND_PDF_DRIVER ? "application/pdf" : CUPS_FORMAT_RAW;
}

/* The keyword without its severity suffix. */
static char *
reason_base (const char *reason)
{
  static const char *suffixes[] = { "-error", "-warning", "-report" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (reason, suffixes[i]))
      return g_strndup (reason, strlen (reason) - strlen (suffixes[i]));
  return g_strdup (reason);
}

char *
pos_printer_reason_to_label (const char *reason)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (reason != NULL, NULL);

  if (g_str_equal (reason, "none") || *reason == '\0')
    return NULL;

  base = reason_base (reason);
  if (g_str_equal (base, "media-empty") || g_str_equal (base, "media-needed"))
    return g_strdup (_("out of paper"));
  if (g_str_equal (base, "media-low"))
    return g_strdup (_("paper running low"));
  if (g_str_equal (base, "media-jam"))
    return g_strdup (_("paper jam"));
  if (g_str_equal (base, "offline") || g_str_equal (base, "shutdown"))
    return g_strdup (_("offline"));
  if (g_str_equal (base, "connecting-to-device"))
    return g_strdup (_("connecting to the printer"));
  if (g_str_equal (base, "cover-open") || g_str_equal (base, "door-open"))
    return g_strdup (_("cover open"));
  if (g_str_equal (base, "paused"))
    return g_strdup (_("paused"));
  if (g_str_equal (base, "cups-missing-filter"))
    return g_strdup (_("no driver for this document"));
  if (g_str_equal (base, "other"))
    return g_strdup (_("printer error"));
  return g_strdup (reason);
}

static gboolean
has_reason (const PosPrinterInfo *info,
            const char           *base)
{
  for (guint i = 0; info->reasons[i] != NULL; i++)
    {
      g_autofree char *b = reason_base (info->reasons[i]);

      if (g_str_equal (b, base))
        return TRUE;
    }
  return FALSE;
}

char *
pos_printer_format_problem (PosPrinterError  code,
                            const char      *printer_name)
{
  switch (code)
    {
    case POS_PRINTER_ERROR_NOT_CONFIGURED:
      return g_strdup (_("No receipt printer is set up: choose one in Preferences."));
    case POS_PRINTER_ERROR_NOT_FOUND:
      return g_strdup_printf (_("Printer “%s” was not found: it was removed or renamed."), printer_name);
    case POS_PRINTER_ERROR_UNREACHABLE:
      return g_strdup_printf (_("Printer “%s” does not answer: check that it is on and connected."), printer_name);
    case POS_PRINTER_ERROR_STOPPED:
      return g_strdup_printf (_("Printer “%s” is stopped: start it again in the print server."), printer_name);
    case POS_PRINTER_ERROR_REFUSED:
      return g_strdup_printf (_("Printer “%s” is not accepting jobs."), printer_name);
    case POS_PRINTER_ERROR_OUT_OF_PAPER:
      return g_strdup_printf (_("Printer “%s” is out of paper."), printer_name);
    case POS_PRINTER_ERROR_CANCELLED:
      return g_strdup (_("The print job was cancelled."));
    case POS_PRINTER_ERROR_FAILED:
    default:
      return g_strdup_printf (_("Printer “%s” could not print."), printer_name);
    }
}

static void
set_problem (GError         **error,
             PosPrinterError  code,
             const char      *printer_name)
{
  g_autofree char *message = pos_printer_format_problem (code, printer_name);

  g_set_error_literal (error, POS_PRINTER_ERROR, code, message);
}

/* ---- PosPrinterInfo ---- */

static void
set_str (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

G_DEFINE_BOXED_TYPE (PosPrinterInfo, pos_printer_info, pos_printer_info_copy, pos_printer_info_free)

PosPrinterInfo *
pos_printer_info_copy (const PosPrinterInfo *info)
{
  PosPrinterInfo *copy = g_new0 (PosPrinterInfo, 1);

  copy->name = g_strdup (info->name);
  copy->info = g_strdup (info->info);
  copy->location = g_strdup (info->location);
  copy->make_and_model = g_strdup (info->make_and_model);
  copy->device_uri = g_strdup (info->device_uri);
  copy->state = info->state;
  copy->reasons = g_strdupv (info->reasons);
  copy->state_message = g_strdup (info->state_message);
  copy->accepting = info->accepting;
  copy->is_default = info->is_default;
  return copy;
}

void
pos_printer_info_free (PosPrinterInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->info);
  g_free (info->location);
  g_free (info->make_and_model);
  g_free (info->device_uri);
  g_strfreev (info->reasons);
  g_free (info->state_message);
  g_free (info);
}

char *
pos_printer_info_describe (const PosPrinterInfo *info)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) details = g_ptr_array_new_with_free_func (g_free);

  switch (info->state)
    {
    case POS_PRINTER_STATE_IDLE:     g_string_append (text, _("Idle")); break;
    case POS_PRINTER_STATE_PRINTING: g_string_append (text, _("Printing")); break;
    case POS_PRINTER_STATE_STOPPED:  g_string_append (text, _("Stopped")); break;
    case POS_PRINTER_STATE_UNKNOWN:
    default:                         g_string_append (text, _("Unknown state")); break;
    }

  for (guint i = 0; info->reasons[i] != NULL; i++)
    {
      char *label = pos_printer_reason_to_label (info->reasons[i]);

      /* "paused" only repeats "Stopped" */
      if (label != NULL && !(info->state == POS_PRINTER_STATE_STOPPED &&
                             g_str_has_prefix (info->reasons[i], "paused")))
        g_ptr_array_add (details, label);
      else
        g_free (label);
    }
  if (!info->accepting)
    g_ptr_array_add (details, g_strdup (_("not accepting jobs")));

  for (guint i = 0; i < details->len; i++)
    {
      g_string_append (text, i == 0 ? " — " : ", ");
      g_string_append (text, g_ptr_array_index (details, i));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
pos_printer_info_get_problem (const PosPrinterInfo  *info,
                              GError               **error)
{
  const char *name = info->info != NULL ? info->info : info->name;

  if (has_reason (info, "media-empty") || has_reason (info, "media-needed"))
    set_problem (error, POS_PRINTER_ERROR_OUT_OF_PAPER, name);
  else if (!info->accepting)
    set_problem (error, POS_PRINTER_ERROR_REFUSED, name);
  else if (info->state == POS_PRINTER_STATE_STOPPED)
    set_problem (error, POS_PRINTER_ERROR_STOPPED, name);
  else if (has_reason (info, "offline") || has_reason (info, "shutdown"))
    set_problem (error, POS_PRINTER_ERROR_UNREACHABLE, name);
  else
    return FALSE;
  return TRUE;
}

static PosPrinterState
state_from_ipp (int value)
{
  switch (value)
    {
    case IPP_PSTATE_IDLE:       return POS_PRINTER_STATE_IDLE;
    case IPP_PSTATE_PROCESSING: return POS_PRINTER_STATE_PRINTING;
    case IPP_PSTATE_STOPPED:    return POS_PRINTER_STATE_STOPPED;
    default:                    return POS_PRINTER_STATE_UNKNOWN;
    }
}

static const char * const printer_attrs[] = {
  "printer-name", "printer-info", "printer-location", "printer-make-and-model",
  "device-uri", "printer-uri-supported", "printer-state", "printer-state-reasons",
  "printer-state-message", "printer-is-accepting-jobs",
};

/* Reads one printer's attributes from *attr up to the next group
 * separator (or the end); leaves *attr after it. */
static PosPrinterInfo *
info_from_attrs (ipp_t            *response,
                 ipp_attribute_t **attr,
                 const char       *fallback_name)
{
  PosPrinterInfo *info = g_new0 (PosPrinterInfo, 1);
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);

  info->accepting = TRUE;
  for (; *attr != NULL && ippGetName (*attr) != NULL; *attr = ippNextAttribute (response))
    {
      const char *name = ippGetName (*attr);
      const char *text = ippGetValueTag (*attr) == IPP_TAG_ENUM ||
                         ippGetValueTag (*attr) == IPP_TAG_BOOLEAN ? NULL : ippGetString (*attr, 0, NULL);

      if (g_str_equal (name, "printer-name"))
        set_str (&info->name, text);
      else if (g_str_equal (name, "printer-info") && text != NULL && *text != '\0')
        set_str (&info->info, text);
      else if (g_str_equal (name, "printer-location") && text != NULL && *text != '\0')
        set_str (&info->location, text);
      else if (g_str_equal (name, "printer-make-and-model"))
        set_str (&info->make_and_model, text);
      else if (g_str_equal (name, "device-uri"))
        set_str (&info->device_uri, text);
      else if (g_str_equal (name, "printer-state"))
        info->state = state_from_ipp (ippGetInteger (*attr, 0));
      else if (g_str_equal (name, "printer-state-message") && text != NULL && *text != '\0')
        set_str (&info->state_message, text);
      else if (g_str_equal (name, "printer-is-accepting-jobs"))
        info->accepting = ippGetBoolean (*attr, 0);
      else if (g_str_equal (name, "printer-state-reasons"))
        {
          for (int i = 0; i < ippGetCount (*attr); i++)
            {
              const char *r = ippGetString (*attr, i, NULL);

              if (r != NULL && !g_str_equal (r, "none"))
                g_ptr_array_add (reasons, g_strdup (r));
            }
        }
    }

  if (info->name == NULL)
    info->name = g_strdup (fallback_name);
  if (info->info == NULL)
    info->info = g_strdup (info->name);
  g_ptr_array_add (reasons, NULL);
  info->reasons = (char **) g_ptr_array_free (g_steal_pointer (&reasons), FALSE);
  return info;
}

/* ---- connections ---- */

typedef struct {
  char        *printer;      /* as asked: queue name or URI */
  http_t      *http;
  cups_dest_t *dest;
  char        *printer_uri;
  char         resource[1024];
} PrinterConn;

static gboolean
is_uri (const char *printer)
{
  return strstr (printer, "://") != NULL;
}

static void
conn_close (PrinterConn *conn)
{
  g_clear_pointer (&conn->http, httpClose);
  if (conn->dest != NULL)
    cupsFreeDests (1, g_steal_pointer (&conn->dest));
  g_clear_pointer (&conn->printer_uri, g_free);
  g_clear_pointer (&conn->printer, g_free);
}

static http_t *
connect_server (GCancellable *cancellable)
{
  int cancel = g_cancellable_is_cancelled (cancellable);

  return httpConnect2 (cupsServer (), ippPort (), NULL, AF_UNSPEC, cupsEncryption (),
                       1, CONNECT_TIMEOUT_MS, &cancel);
}

/* Connects to the CUPS server holding the queue, or to the IPP printer
 * named by its URI, and finds the destination. */
static gboolean
conn_open (PrinterConn   *conn,
           const char    *printer,
           GCancellable  *cancellable,
           GError       **error)
{
  const char *uri;
  char scheme[32], userpass[256], host[256];
  int port;

  memset (conn, 0, sizeof *conn);
  conn->printer = g_strdup (printer);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (is_uri (printer))
    {
      int cancel = 0;

      conn->dest = cupsGetDestWithURI (NULL, printer);
      if (conn->dest == NULL)
        {
          set_problem (error, POS_PRINTER_ERROR_NOT_FOUND, printer);
          return FALSE;
        }
      conn->http = cupsConnectDest (conn->dest, CUPS_DEST_FLAGS_DEVICE, CONNECT_TIMEOUT_MS,
                                    &cancel, conn->resource, sizeof conn->resource, NULL, NULL);
      if (conn->http == NULL)
        {
          set_problem (error, POS_PRINTER_ERROR_UNREACHABLE, printer);
          return FALSE;
        }
    }
  else
    {
      conn->http = connect_server (cancellable);
      if (conn->http == NULL)
        {
          g_set_error (error, POS_PRINTER_ERROR, POS_PRINTER_ERROR_UNREACHABLE,
                       _("The print server (%s) does not answer: check that CUPS is running."),
                       cupsServer ());
          return FALSE;
        }
      conn->dest = cupsGetNamedDest (conn->http, printer, NULL);
      if (conn->dest == NULL)
        {
          if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND || cupsLastError () < IPP_STATUS_REDIRECTION_OTHER_SITE)
            set_problem (error, POS_PRINTER_ERROR_NOT_FOUND, printer);
          else
            g_set_error (error, POS_PRINTER_ERROR, POS_PRINTER_ERROR_UNREACHABLE,
                         _("The print server (%s) does not answer: check that CUPS is running."),
                         cupsServer ());
          return FALSE;
        }
    }

  uri = cupsGetOption ("printer-uri-supported", conn->dest->num_options, conn->dest->options);
  if (uri == NULL)
    uri = cupsGetOption ("device-uri", conn->dest->num_options, conn->dest->options);
  if (uri == NULL)
    {
      set_problem (error, POS_PRINTER_ERROR_NOT_FOUND, printer);
      return FALSE;
    }
  conn->printer_uri = g_strdup (uri);
  if (!is_uri (printer))
    httpSeparateURI (HTTP_URI_CODING_ALL, uri, scheme, sizeof scheme, userpass, sizeof userpass,
                     host, sizeof host, &port, conn->resource, sizeof conn->resource);
  return TRUE;
}

static PosPrinterInfo *
conn_get_info (PrinterConn  *conn,
               GError      **error)
{
  ipp_t *request = ippNewRequest (IPP_OP_GET_PRINTER_ATTRIBUTES);
  ipp_t *response;
  ipp_attribute_t *attr;
  PosPrinterInfo *info;

  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, conn->printer_uri);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 G_N_ELEMENTS (printer_attrs), NULL, printer_attrs);
  response = cupsDoRequest (conn->http, request, conn->resource);
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_EVENTS_COMPLETE)
    {
      PosPrinterError code = cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND
                             ? POS_PRINTER_ERROR_NOT_FOUND : POS_PRINTER_ERROR_UNREACHABLE;

      ippDelete (response);
      set_problem (error, code, conn->printer);
      return NULL;
    }

  for (attr = ippFirstAttribute (response); attr != NULL && ippGetGroupTag (attr) != IPP_TAG_PRINTER;
       attr = ippNextAttribute (response))
    ;
  info = info_from_attrs (response, &attr, conn->printer);
  if (is_uri (conn->printer))
    set_str (&info->name, conn->printer);
  ippDelete (response);
  return info;
}

PosPrinterInfo *
pos_printer_get_info_sync (const char    *printer,
                           GCancellable  *cancellable,
                           GError       **error)
{
  PrinterConn conn;
  PosPrinterInfo *info = NULL;

  g_return_val_if_fail (printer != NULL, NULL);

  if (conn_open (&conn, printer, cancellable, error))
    info = conn_get_info (&conn, error);
  conn_close (&conn);
  return info;
}

static int
compare_info (gconstpointer a,
              gconstpointer b)
{
  const PosPrinterInfo *ia = *(PosPrinterInfo * const *) a;
  const PosPrinterInfo *ib = *(PosPrinterInfo * const *) b;

  return g_strcmp0 (ia->name, ib->name);
}

GPtrArray *
pos_printer_list_sync (GCancellable  *cancellable,
                       GError       **error)
{
  http_t *http;
  ipp_t *request, *response;
  ipp_attribute_t *attr;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_printer_info_free);
  g_autofree char *default_name = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  http = connect_server (cancellable);
  if (http == NULL)
    {
      g_set_error (error, POS_PRINTER_ERROR, POS_PRINTER_ERROR_UNREACHABLE,
                   _("The print server (%s) does not answer: check that CUPS is running."),
                   cupsServer ());
      return NULL;
    }

  default_name = g_strdup (cupsGetDefault2 (http));

  request = ippNewRequest (IPP_OP_CUPS_GET_PRINTERS);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 G_N_ELEMENTS (printer_attrs), NULL, printer_attrs);
  response = cupsDoRequest (http, request, "/");
  if (response == NULL && cupsLastError () != IPP_STATUS_ERROR_NOT_FOUND)
    {
      g_set_error (error, POS_PRINTER_ERROR, POS_PRINTER_ERROR_UNREACHABLE,
                   _("The print server (%s) does not answer: %s"),
                   cupsServer (), cupsLastErrorString ());
      httpClose (http);
      return NULL;
    }

  attr = response != NULL ? ippFirstAttribute (response) : NULL;
  while (attr != NULL)
    {
      if (ippGetGroupTag (attr) == IPP_TAG_PRINTER && ippGetName (attr) != NULL)
        {
          PosPrinterInfo *info = info_from_attrs (response, &attr, "");

          info->is_default = g_strcmp0 (info->name, default_name) == 0;
          g_ptr_array_add (list, info);
        }
      else
        attr = ippNextAttribute (response);
    }

  ippDelete (response);
  httpClose (http);
  g_ptr_array_sort (list, compare_info);
  return g_steal_pointer (&list);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list = pos_printer_list_sync (cancellable, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
pos_printer_list_async (GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pos_printer_list_async);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
pos_printer_list_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- jobs ---- */

static PosPrinterError
error_from_ipp (ipp_status_t status)
{
  switch (status)
    {
    case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
    case IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED:
    case IPP_STATUS_ERROR_NOT_AUTHORIZED:
    case IPP_STATUS_ERROR_FORBIDDEN:
    case IPP_STATUS_ERROR_REQUEST_ENTITY:
      return POS_PRINTER_ERROR_REFUSED;
    case IPP_STATUS_ERROR_NOT_FOUND:
    case IPP_STATUS_ERROR_GONE:
      return POS_PRINTER_ERROR_NOT_FOUND;
    default:
      return POS_PRINTER_ERROR_UNREACHABLE;
    }
}

int
pos_printer_submit_sync (const char    *printer,
                         const char    *title,
                         const char    *format,
                         GBytes        *data,
                         GCancellable  *cancellable,
                         GError       **error)
{
  PrinterConn conn;
  g_autoptr(PosPrinterInfo) info = NULL;
  cups_dinfo_t *dinfo = NULL;
  ipp_status_t status = IPP_STATUS_OK;
  int job_id = 0;
  gsize size;
  const char *bytes;

  g_return_val_if_fail (printer != NULL, 0);
  g_return_val_if_fail (format != NULL, 0);
  g_return_val_if_fail (data != NULL, 0);

  if (!conn_open (&conn, printer, cancellable, error))
    goto out;

  info = conn_get_info (&conn, error);
  if (info == NULL)
    goto out;
  if (!info->accepting)
    {
      set_problem (error, POS_PRINTER_ERROR_REFUSED, info->info);
      goto out;
    }

  dinfo = cupsCopyDestInfo (conn.http, conn.dest);
  for (int attempt = 0; attempt < BUSY_RETRIES; attempt++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      status = cupsCreateDestJob (conn.http, conn.dest, dinfo, &job_id, title, 0, NULL);
      if (status != IPP_STATUS_ERROR_BUSY && status != IPP_STATUS_ERROR_SERVICE_UNAVAILABLE)
        break;
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    }
  if (status > IPP_STATUS_OK_EVENTS_COMPLETE || job_id <= 0)
    {
      g_debug ("Create-Job on %s: %s", printer, cupsLastErrorString ());
      set_problem (error, error_from_ipp (status), info->info);
      job_id = 0;
      goto out;
    }

  bytes = g_bytes_get_data (data, &size);
  if (cupsStartDestDocument (conn.http, conn.dest, dinfo, job_id, title, format,
                             0, NULL, 1) != HTTP_STATUS_CONTINUE ||
      cupsWriteRequestData (conn.http, bytes, size) != HTTP_STATUS_CONTINUE)
    {
      g_debug ("Send-Document on %s: %s", printer, cupsLastErrorString ());
      set_problem (error, POS_PRINTER_ERROR_UNREACHABLE, info->info);
      job_id = 0;
      goto out;
    }
  status = cupsFinishDestDocument (conn.http, conn.dest, dinfo);
  if (status > IPP_STATUS_OK_EVENTS_COMPLETE)
    {
      g_debug ("Send-Document on %s: %s", printer, cupsLastErrorString ());
      set_problem (error, error_from_ipp (status), info->info);
      job_id = 0;
    }

out:
  g_clear_pointer (&dinfo, cupsFreeDestInfo);
  conn_close (&conn);
  return job_id;
}

PosPrintJobStatus
pos_printer_get_job_status_sync (const char    *printer,
                                 int            job_id,
                                 GError       **problem,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  static const char * const job_attrs[] = { "job-state", "job-state-reasons" };
  PrinterConn conn;
  ipp_t *request, *response = NULL;
  ipp_attribute_t *attr;
  ipp_jstate_t jstate;
  g_autoptr(PosPrinterInfo) info = NULL;
  PosPrintJobStatus result = POS_PRINT_JOB_PENDING;

  g_return_val_if_fail (printer != NULL, POS_PRINT_JOB_PENDING);
  g_return_val_if_fail (job_id > 0, POS_PRINT_JOB_PENDING);

  if (!conn_open (&conn, printer, cancellable, error))
    goto out;

  request = ippNewRequest (IPP_OP_GET_JOB_ATTRIBUTES);
  ippAddString (request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, conn.printer_uri);
  ippAddInteger (request, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  ippAddStrings (request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                 G_N_ELEMENTS (job_attrs), NULL, job_attrs);
  response = cupsDoRequest (conn.http, request, conn.resource);
  if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND)
    {
      /* The printer forgot the job: an IPP printer purges the jobs it
       * finished; CUPS keeps them (PreserveJobHistory). */
      result = POS_PRINT_JOB_COMPLETED;
      goto out;
    }
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_EVENTS_COMPLETE)
    {
      set_problem (error, POS_PRINTER_ERROR_UNREACHABLE, printer);
      goto out;
    }

  attr = ippFindAttribute (response, "job-state", IPP_TAG_ENUM);
  jstate = attr != NULL ? (ipp_jstate_t) ippGetInteger (attr, 0) : IPP_JSTATE_PENDING;
  if (jstate == IPP_JSTATE_COMPLETED)
    {
      result = POS_PRINT_JOB_COMPLETED;
      goto out;
    }

  info = conn_get_info (&conn, NULL);
  if (jstate == IPP_JSTATE_ABORTED || jstate == IPP_JSTATE_CANCELED)
    {
      result = POS_PRINT_JOB_FAILED;
      if (info == NULL || !pos_printer_info_get_problem (info, error))
        set_problem (error, jstate == IPP_JSTATE_CANCELED ? POS_PRINTER_ERROR_CANCELLED
                                                          : POS_PRINTER_ERROR_FAILED,
                     info != NULL ? info->info : printer);
      goto out;
    }

  if ((info == NULL || !pos_printer_info_get_problem (info, problem)) &&
      (jstate == IPP_JSTATE_HELD || jstate == IPP_JSTATE_STOPPED))
    /* held (for authentication, after a backend error) or stopped: it
     * will not print by itself */
    set_problem (problem, POS_PRINTER_ERROR_FAILED, info != NULL ? info->info : printer);

out:
  ippDelete (response);
  conn_close (&conn);
  return result;
}

gboolean
pos_printer_cancel_job_sync (const char  *printer,
                             int          job_id,
                             GError     **error)
{
  PrinterConn conn;
  ipp_status_t status;
  gboolean ok = FALSE;

  if (!conn_open (&conn, printer, NULL, error))
    goto out;
  status = cupsCancelDestJob (conn.http, conn.dest, job_id);
  if (status > IPP_STATUS_OK_EVENTS_COMPLETE && status != IPP_STATUS_ERROR_NOT_FOUND &&
      status != IPP_STATUS_ERROR_NOT_POSSIBLE)
    set_problem (error, error_from_ipp (status), printer);
  else
    ok = TRUE;

out:
  conn_close (&conn);
  return ok;
}

/* ---- test page and cash drawer ---- */

static void
escpos_line (GByteArray *out,
             const char *utf8)
{
  /* Until the ESC/POS renderer: plain ASCII, which every code page has. */
  g_autofree char *ascii = g_str_to_ascii (utf8, "C");

  g_byte_array_append (out, (const guint8 *) ascii, strlen (ascii));
  g_byte_array_append (out, (const guint8 *) "\n", 1);
}

static GBytes *
escpos_test_page (int         width,
                  const char *printer_name)
{
  static const guint8 init[] = { 0x1b, '@' };
  static const guint8 center[] = { 0x1b, 'a', 1 };
  static const guint8 left[] = { 0x1b, 'a', 0 };
  static const guint8 bold_on[] = { 0x1b, 'E', 1 };
  static const guint8 bold_off[] = { 0x1b, 'E', 0 };
  static const guint8 feed_cut[] = { 0x1b, 'd', 4, 0x1d, 'V', 1 };
  GByteArray *out = g_byte_array_new ();
  g_autofree char *rule = g_strnfill (CLAMP (width, 16, 64), '-');
  g_autofree char *printer_line = g_strdup_printf (_("Printer: %s"), printer_name);
  g_autofree char *width_line = g_strdup_printf (_("Columns: %d"), width);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  g_byte_array_append (out, init, sizeof init);
  g_byte_array_append (out, center, sizeof center);
  g_byte_array_append (out, bold_on, sizeof bold_on);
  escpos_line (out, "Balcao");
  escpos_line (out, _("Test page"));
  g_byte_array_append (out, bold_off, sizeof bold_off);
  g_byte_array_append (out, left, sizeof left);
  escpos_line (out, rule);
  escpos_line (out, printer_line);
  escpos_line (out, width_line);
  escpos_line (out, when);
  escpos_line (out, rule);
  escpos_line (out, "0123456789012345678901234567890123456789012345678901234567890123" + (64 - CLAMP (width, 16, 64)));
  g_byte_array_append (out, feed_cut, sizeof feed_cut);
  return g_byte_array_free_to_bytes (out);
}

static cairo_status_t
write_to_array (void                *closure,
                const unsigned char *data,
                unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
pdf_test_page (const char *printer_name)
{
  /* An 80 mm roll, 100 mm long, in points. */
  const double width = 80.0 / 25.4 * 72.0, height = 100.0 / 25.4 * 72.0;
  GByteArray *out = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (write_to_array, out, width, height);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *printer_line = g_strdup_printf (_("Printer: %s"), printer_name);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 14);
  cairo_move_to (cr, 12, 30);
  cairo_show_text (cr, "Balcão");
  cairo_move_to (cr, 12, 50);
  cairo_show_text (cr, _("Test page"));
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 9);
  cairo_move_to (cr, 12, 75);
  cairo_show_text (cr, printer_line);
  cairo_move_to (cr, 12, 90);
  cairo_show_text (cr, when);
  cairo_rectangle (cr, 6, 6, width - 12, height - 12);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (out);
}

GBytes *
pos_printer_build_test_page (PosPrinterKind  kind,
                             int             width,
                             const char     *printer_name)
{
  g_return_val_if_fail (printer_name != NULL, NULL);

  if (kind == POS_PRINTER_KIND_PDF_DRIVER)
    return pdf_test_page (printer_name);
  return escpos_test_page (width, printer_name);
}

GBytes *
pos_printer_drawer_pulse_bytes (void)
{
  static const guint8 pulse[] = { 0x1b, 'p', 0, 25, 250 };

  return g_bytes_new_static (pulse, sizeof pulse);
}

static void
drawer_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *printer = task_data;
  g_autoptr(GBytes) pulse = pos_printer_drawer_pulse_bytes ();
  GError *error = NULL;

  if (pos_printer_submit_sync (printer, "cash drawer", CUPS_FORMAT_RAW, pulse, cancellable, &error) > 0)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pos_printer_open_drawer_async (const char          *printer,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pos_printer_open_drawer_async);
  if (printer == NULL || *printer == '\0')
    {
      g_autofree char *message = pos_printer_format_problem (POS_PRINTER_ERROR_NOT_CONFIGURED, NULL);

      g_task_return_new_error (task, POS_PRINTER_ERROR, POS_PRINTER_ERROR_NOT_CONFIGURED, "%s", message);
      return;
    }
  g_task_set_task_data (task, g_strdup (printer), g_free);
  g_task_run_in_thread (task, drawer_thread);
}

gboolean
pos_printer_open_drawer_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- settings ---- */

PosPrinterSettings *
pos_printer_settings_load (PosDatabase *db)
{
  PosPrinterSettings *settings = g_new0 (PosPrinterSettings, 1);
  g_autofree char *kind = pos_database_get_setting (db, "receipt_printer_kind");
  g_autofree char *width = pos_database_get_setting (db, "receipt_printer_width");
  g_autofree char *code_page = pos_database_get_setting (db, "receipt_printer_code_page");
  gint64 n;

  settings->printer = pos_database_get_setting (db, "receipt_printer");
  if (settings->printer != NULL && *settings->printer == '\0')
    g_clear_pointer (&settings->printer, g_free);
  if (!pos_printer_kind_from_string (kind, &settings->kind))
    settings->kind = POS_PRINTER_KIND_ESCPOS_RAW;
  settings->width = 48;
  if (width != NULL && g_ascii_string_to_signed (width, 10, 32, 48, &n, NULL) &&
      (n == 32 || n == 42 || n == 48))
    settings->width = (int) n;
  settings->code_page = 860;
  if (g_strcmp0 (code_page, "858") == 0)
    settings->code_page = 858;
  return settings;
}

gboolean
pos_printer_settings_save (PosDatabase               *db,
                           const PosPrinterSettings  *settings,
                           GError                   **error)
{
  g_autofree char *width = NULL;
  g_autofree char *code_page = NULL;

  g_return_val_if_fail (settings->width == 32 || settings->width == 42 || settings->width == 48, FALSE);
  g_return_val_if_fail (settings->code_page == 860 || settings->code_page == 858, FALSE);

  width = g_strdup_printf ("%d", settings->width);
  code_page = g_strdup_printf ("%d", settings->code_page);
  if (!pos_database_begin (db, error))
    return FALSE;
  if (!pos_database_set_setting (db, "receipt_printer",
                                 settings->printer, error) ||
      !pos_database_set_setting (db, "receipt_printer_kind",
                                 pos_printer_kind_to_string (settings->kind), error) ||
      !pos_database_set_setting (db, "receipt_printer_width", width, error) ||
      !pos_database_set_setting (db, "receipt_printer_code_page", code_page, error))
    {
      pos_database_rollback (db);
      return FALSE;
    }
  return pos_database_commit (db, error);
}

void
pos_printer_settings_free (PosPrinterSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->printer);
  g_free (settings);
}
