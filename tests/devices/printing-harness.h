/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Printers without hardware (../shared/recipes.md "Printers without
 * hardware"), everything in a temporary folder on free ports, never the
 * system's cupsd:
 *   - a private cupsd, its address put in CUPS_SERVER for this process;
 *   - raw queues on a socket:// device served by a TCP listener of the
 *     harness that keeps each connection's bytes (a port-9100 printer);
 *   - a capture backend writing each job to a folder;
 *   - ippeveprinter (on a private D-Bus bus) with a capture script. */

typedef struct _PrintingHarness PrintingHarness;

/* NULL + error (with the reason) when cupsd cannot start here. */
PrintingHarness *printing_harness_start          (GError **error);
void             printing_harness_stop           (PrintingHarness *h);

const char      *printing_harness_get_dir        (PrintingHarness *h);
/* lpadmin -p name -E -v device_uri -m raw */
gboolean         printing_harness_add_raw_queue  (PrintingHarness *h, const char *name, const char *device_uri, GError **error);
/* Runs a CUPS command against the private cupsd: cupsdisable, cupsenable, cupsreject, ... */
gboolean         printing_harness_run            (PrintingHarness *h, GError **error, const char *program, ...) G_GNUC_NULL_TERMINATED;

/* The TCP listener: "socket://127.0.0.1:PORT". */
const char      *printing_harness_get_socket_uri (PrintingHarness *h);
void             printing_harness_socket_close   (PrintingHarness *h);
void             printing_harness_socket_open    (PrintingHarness *h);
/* The bytes of each finished connection so far: a new array of GBytes. */
GPtrArray       *printing_harness_socket_take    (PrintingHarness *h);

/* "capture:DIR": each job as DIR/job-ID.bin. */
const char      *printing_harness_get_capture_uri (PrintingHarness *h);
/* The capture folder's job files, oldest first, or the ippeveprinter's. */
GPtrArray       *printing_harness_capture_take   (PrintingHarness *h);

/* ippeveprinter: "ipp://localhost:PORT/ipp/print". Its jobs land as
 * DIR/ipp-out/N.bin with N.type holding their CONTENT_TYPE. */
gboolean         printing_harness_ipp_start      (PrintingHarness *h, GError **error);
void             printing_harness_ipp_stop       (PrintingHarness *h);
const char      *printing_harness_get_ipp_uri    (PrintingHarness *h);
/* Each job ippeveprinter printed: GBytes, and its content types in types. */
GPtrArray       *printing_harness_ipp_take       (PrintingHarness *h, GPtrArray *types);

G_END_DECLS
