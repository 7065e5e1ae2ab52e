/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* balcao-central's settings: a GKeyFile (docs/central.md), every key
 * overridable by an environment variable BALCAO_CENTRAL_<KEY>. */
typedef struct {
  char  *listen;                    /* [server] listen, "127.0.0.1" */
  guint  port;                      /* [server] port, 8080; 0 = any free port */
  char  *tls_certificate;           /* [server] tls_certificate (PEM file) */
  char  *tls_key;                   /* [server] tls_key (PEM file) */
  gsize  max_body_bytes;            /* [server] max_body_bytes, 8 MiB */
  guint  workers;                   /* [server] workers, = pool_size */
  char  *conninfo;                  /* [database] conninfo, "dbname=balcao" */
  guint  pool_size;                 /* [database] pool_size, 6 */
  guint  tombstone_retention_days;  /* [sync] tombstone_retention_days, 30 */
  guint  wait_max_seconds;          /* [sync] wait_max_seconds, 60 */
} CentralConfig;

/* Reads `path` (NULL: no file, defaults and environment only). */
CentralConfig *central_config_load (const char *path,
                                    GError    **error);
void           central_config_free (CentralConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CentralConfig, central_config_free)

G_END_DECLS
