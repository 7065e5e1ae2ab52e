/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <check.h>
#include <gio/gio.h>

#include "central-harness.h"
#include "terminal/pos-database.h"
#include "terminal/pos-sync-engine.h"

G_BEGIN_DECLS

/* The world of the end-to-end tests (test-sync-e2e.c,
 * test-sync-e2e-pickups.c): a real balcao-central on a throwaway
 * PostgreSQL (central-harness.h) with the catalog of
 * tests/fixtures/catalog-good.csv, tests/integration/fault-proxy.py in
 * front of it, and terminals of store STORE enrolled through the proxy,
 * their engine running in this process. Every helper fails the running
 * Check test (ck_assert) when something it needs does not work.
 *
 * Nothing here asserts on time: every wait is for a condition, with a
 * generous deadline (WAIT_UNTIL). */

#define DEADLINE_S 120
#define STORE "001"

typedef struct {
  CentralHarness *central;
  char           *dir;
  GSubprocess    *proxy;
  char           *proxy_url;
  char           *mode_path;
  char           *log_path;
} Env;

typedef struct {
  Env  *env;
  char *path;
  char *terminal_id;
} Term;

/* Lets the engine's notifications run while waiting for a condition. */
#define WAIT_UNTIL(cond, what)                                                  \
  G_STMT_START {                                                                \
    gint64 wait_deadline_ = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC; \
    while (!(cond))                                                             \
      {                                                                         \
        ck_assert_msg (g_get_monotonic_time () < wait_deadline_,                \
                       "gave up waiting for %s", what);                         \
        while (g_main_context_iteration (NULL, FALSE))                          \
          ;                                                                     \
        g_usleep (100 * 1000);                                                  \
      }                                                                         \
  } G_STMT_END

/* Paths under BALCAO_SOURCE_DIR and BALCAO_BUILD_DIR. */
char       *source_path   (const char *relative);
char       *build_path    (const char *relative);
/* What goes into the central's SQL by text (psql has no parameters here):
 * only ids and codes a test made, checked to be nothing else. */
const char *sql_safe      (const char *text);
/* The text of tests/fixtures/catalog-good.csv, which env_new imports. */
char       *fixture_catalog (void);

/* The central: a query's text (psql) and what a balcao-central command
 * prints, of a harness or of the world's central. */
char   *harness_text     (CentralHarness *central, const char *sql);
char   *harness_run      (CentralHarness *central, const char *const *args);
char   *central_text     (Env *env, const char *sql);
/* A number from the central; the one "%s" in sql_format becomes id. */
gint64  central_int      (Env *env, const char *sql_format, const char *id);
char   *central_run      (Env *env, const char *const *args);
void    central_import   (Env *env, const char *csv_text);
/* The store's level of a SKU at the central (0 when it has none). */
gint64  central_stock    (Env *env, const char *sku);
gint64  central_has_sale (Env *env, const char *sale_id);

/* One request to the central's channel API, straight (not through the
 * proxy), with a channel key. Returns the status; *answer the body. */
long    channel_request  (Env *env, const char *method, const char *path, const char *body, char **answer);

#define CHANNEL_OK(env, method, path, body)                                     \
  G_STMT_START {                                                                \
    g_autofree char *answer_ = NULL;                                            \
    long status_ = channel_request ((env), (method), (path), (body), &answer_); \
    ck_assert_msg (status_ >= 200 && status_ < 300, "%s %s: %ld %s",            \
                   (method), (path), status_, answer_);                         \
  } G_STMT_END

/* A customer made through the channel API, with e-mail and WhatsApp
 * consent; its id. */
char   *consent_json     (const char *channel, gboolean granted, const char *source, gint64 when);
char   *new_customer     (Env *env, const char *name, const char *email);
/* The customers stream is scoped to the customers of the terminal's store
 * (docs/sync-protocol.md §6.1): the terminal looks the customer up at the
 * central by e-mail, which makes them the store's. */
void    term_know_customer (Term *t, const char *id, const char *email);
/* A string member of json (of its member object, when object is given). */
char   *json_member      (const char *json, const char *object, const char *member);

/* Staff of store STORE made at the central (balcao-central staff add),
 * with pin typed on its standard input (NULL: --no-pin). Their id. */
char   *central_staff_add     (Env *env, const char *code, const char *name, const char *role, const char *pin);
void    central_staff_set_pin (Env *env, const char *code, const char *pin);

/* The proxy: a new mode ("pass", "refuse", ...; see fault-proxy.py), and
 * what its log says. */
void     proxy_set       (Env *env, const char *mode);
guint    proxy_log_count (Env *env, const char *text);
gboolean proxy_log_has   (Env *env, const char *text);

/* The world: a central with a catalog, a proxy in front of it. A failed
 * check ends the test's process at once (_exit): its central's
 * PostgreSQL, a daemon, would outlive it. Each world is written down in
 * the folder BALCAO_E2E_REGISTRY while it lives; registry_clean (which
 * sync_e2e_main calls) tears down what is left there after the tests. */
Env  *env_new        (void);
void  env_free       (Env *env);
void  registry_clean (const char *registry);
/* A world of one's own (the central and the folder dir), written down in
 * the registry while it lives, as env_new and env_free do. */
void  registry_add    (CentralHarness *central, const char *dir);
void  registry_remove (const char *dir);

/* Terminals. term_new: a new terminal of store STORE, enrolled through
 * the proxy, with the central's catalog pulled. */
Term        *term_new     (Env *env, const char *name);
void         term_free    (Term *t);
PosDatabase *term_open    (Term *t);
void         term_set     (Term *t, const char *key, const char *value);
void         term_sync_ok (Term *t);
/* Enrols the terminal again through the proxy with a new token. */
void         term_enroll  (Term *t);
/* Rows from the terminal's database, one text parameter bound as ?1. */
char        *db_text      (PosDatabase *db, const char *sql, const char *arg);
gint64       term_int     (Term *t, const char *sql, const char *arg);
char        *term_text    (Term *t, const char *sql, const char *arg);
guint        term_pending (Term *t);
/* The sales still waiting to be sent. */
guint        term_pending_sales (Term *t);
guint        term_dead    (Term *t);
/* How many times the engine tried to send the operation of entity_id. */
gint64       term_attempts (Term *t, const char *entity_id);
gint64       term_stock   (Term *t, const char *sku);
const char  *outbox_status (Term *t, const char *entity_id, char **keep);

/* The counter ready to sell: someone signed in and a shift open. When
 * nobody is, E2E_SELLER (a supervisor of the terminal's store, made here)
 * signs in and opens a shift. */
#define E2E_SELLER "0190e2e0-0000-7000-8000-00000000c0de"
void       counter_open   (PosDatabase *db);
/* Signs in with a PIN; fails the test unless it works. */
void       term_sign_in   (PosDatabase *db, const char *code, const char *pin);
/* A sale of `quantity` (milli-units) of one product, paid in cash, made
 * the way the counter makes it. Returns the sale's id. */
char      *sell_on        (PosDatabase *db, const char *sku, gint64 quantity, const char *customer_id);
char      *term_sell      (Term *t, const char *sku, gint64 quantity);
GPtrArray *term_sell_many (Term *t, const char *sku, guint n);

/* Every sale this terminal made is at the central, once, and nothing
 * more; and one sale is there once (its row, op_id, stock movement). */
void assert_in_step (Term *t);
void assert_once    (Term *t, const char *sale_id);

/* One pos_sync_run_once of path in a thread of its own:
 * g_thread_new (name, sync_once_thread, &job). ok, and the error's
 * message when not (the caller frees it). */
typedef struct {
  char     *path;
  gboolean  ok;
  char     *message;
} SyncOnceJob;

gpointer       sync_once_thread (gpointer data);

PosSyncEngine *engine_start (Term *t);
void           engine_free  (PosSyncEngine *engine);

/* main () of a test program: runs the case named by argv[1] (all when
 * none) of suite, then cleans up after failed ones. */
int  sync_e2e_main  (int argc, char *argv[], Suite *suite);

G_END_DECLS
