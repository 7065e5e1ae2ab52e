/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A throwaway balcao-central for tests: its own PostgreSQL cluster under
 * /tmp (scripts/central-sandbox.sh), migrated, with stores "001" and
 * "002", served on a free loopback port. Binaries are found through
 * BALCAO_BUILD_DIR and BALCAO_SOURCE_DIR (tests/meson.build). */

typedef struct _CentralHarness CentralHarness;

CentralHarness *central_harness_start        (GError **error);
const char     *central_harness_url          (CentralHarness *h);   /* http://127.0.0.1:PORT */
const char     *central_harness_conninfo     (CentralHarness *h);
const char     *central_harness_config_path  (CentralHarness *h);
/* A one-time be_ enrolment token for the store. */
char           *central_harness_enroll_token (CentralHarness *h,
                                              const char     *store_code,
                                              GError        **error);
/* A new bk_ channel key. */
char           *central_harness_channel_key  (CentralHarness *h,
                                              GError        **error);
/* A bt_ terminal token of the store: enrols a terminal now (POST
 * /v1/enroll), for tests that call the terminal API directly. */
char           *central_harness_terminal_token (CentralHarness *h,
                                                const char     *store_code,
                                                GError        **error);
/* GET /v1/customers?q=TEXT with a terminal token (docs/sync-protocol.md
 * §6.1): the customers found become relevant to the token's store, so its
 * terminals pull them. Returns the HTTP status (0 when the request could
 * not be made); *body (optional) the answer. */
long            central_harness_lookup_customers (CentralHarness *h,
                                                  const char     *token,
                                                  const char     *text,
                                                  char          **body,
                                                  GError        **error);
/* SIGTERM, then waits; fails if the server did not exit cleanly (which
 * includes leaks found by LeakSanitizer). */
gboolean        central_harness_stop_server  (CentralHarness *h,
                                              GError        **error);
/* Starts it again on the same port, ready when /v1/health answers. */
gboolean        central_harness_start_server (CentralHarness *h,
                                              GError        **error);
/* balcao-central --config ... args; *out (optional) is its output. */
gboolean        central_harness_run          (CentralHarness     *h,
                                              const char * const *args,
                                              char              **out,
                                              GError            **error);
/* The same with input on its standard input (a PIN for `staff add`). */
gboolean        central_harness_run_input    (CentralHarness     *h,
                                              const char * const *args,
                                              const char         *input,
                                              char              **out,
                                              GError            **error);
/* psql -XAtq; the output trimmed. For tests only. */
char           *central_harness_query        (CentralHarness *h,
                                              const char     *sql,
                                              GError        **error);
void            central_harness_free         (CentralHarness *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CentralHarness, central_harness_free)

G_END_DECLS
