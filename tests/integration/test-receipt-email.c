/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "receipt-email-e2e"

#include "config.h"

#include <check.h>
#include <string.h>

#include "terminal/pos-receipt-email.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-sync-engine.h"
#include "sync-e2e-lib.h"
#include "test-tmpdir.h"

/* "Send the receipt by e-mail", end to end (docs/sync-protocol.md §5,
 * docs/printing.md): a terminal of store 001 on a real balcao-central and
 * PostgreSQL. balcao-ctl refuses a bad address with a clear message and
 * queues nothing; a good one goes up as 'receipt.email' and the central
 * lists it in `balcao-central emails list`; the same request brought again
 * by another operation is a duplicate; a request for a sale the central
 * does not hold is rejected not_found (a dead letter at the terminal). */

/* balcao-ctl --database PATH receipt email ...: its exit status and what
 * it said. */
static int
ctl_email (const char  *path,
           const char  *sale,
           const char  *to,
           char       **out,
           char       **err)
{
  g_autofree char *ctl = build_path ("src/cli/balcao-ctl");
  const char *argv[] = { ctl, "--database", path, "receipt", "email", sale, "--to", to, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error),
                 "balcao-ctl: %s", error ? error->message : "?");
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

START_TEST (test_receipt_email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_tmpdir_new ();
  g_autofree char *path = g_build_filename (dir, "terminal.db", NULL);
  g_autofree char *csv = source_path ("tests/fixtures/catalog-good.csv");
  g_autoptr(CentralHarness) central = central_harness_start (&error);
  g_autofree char *token = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autofree char *sale = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *number = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *request = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *list = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *count = NULL;
  g_autofree char *status = NULL;
  g_autofree char *code = NULL;
  int rc;

  ck_assert_msg (central != NULL, "central: %s", error ? error->message : "?");
  registry_add (central, dir);
  {
    const char *args[] = { "catalog", "import", csv, NULL };
    g_autofree char *imported = harness_run (central, args);
  }

  /* a terminal of store 001, with the central's catalog */
  token = central_harness_enroll_token (central, STORE, &error);
  ck_assert_msg (token != NULL, "enrolment token: %s", error ? error->message : "?");
  ck_assert_msg (pos_sync_enroll (path, central_harness_url (central), token, NULL, &error),
                 "enroll: %s", error ? error->message : "?");
  ck_assert_msg (pos_sync_run_once (path, NULL, &error), "sync: %s", error ? error->message : "?");
  db = pos_database_open (path, &error);
  ck_assert_msg (db != NULL, "%s", error ? error->message : "?");
  sale = sell_on (db, "ACU-1", 1000, NULL);
  number = db_text (db, "SELECT number FROM sales WHERE id = ?1", sale);

  /* a bad address: refused in words, nothing queued */
  rc = ctl_email (path, number, "joao.souza@exemplo", &out, &err);
  ck_assert_msg (rc == 2, "balcao-ctl took a bad address (%d): %s %s", rc, out, err);
  ck_assert_msg (strstr (err, "“joao.souza@exemplo” is not an e-mail address") != NULL, "%s", err);
  ck_assert_msg (strstr (err, "nothing was sent") != NULL, "%s", err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_ptr_null (db_text (db, "SELECT op_id FROM outbox WHERE type = 'receipt.email'", NULL));

  /* a good one: queued with its audit row */
  rc = ctl_email (path, number, "joao.souza@exemplo.com.br", &out, &err);
  ck_assert_msg (rc == 0, "balcao-ctl receipt email (%d): %s %s", rc, out, err);
  ck_assert_msg (strstr (out, "joao.souza@exemplo.com.br") != NULL, "%s", out);
  request = db_text (db, "SELECT entity_id FROM outbox WHERE type = 'receipt.email'", NULL);
  ck_assert_ptr_nonnull (request);
  g_free (status);
  status = db_text (db, "SELECT count(*) FROM audit_log WHERE action = 'receipt.email_requested' AND entity_id = ?1", sale);
  ck_assert_str_eq (status, "1");

  /* a sale the central will never hold (its operation taken as sent) */
  hidden = sell_on (db, "ACU-1", 1000, NULL);
  ck_assert (pos_database_exec (db, "UPDATE outbox SET status = 'applied' WHERE type = 'sale.create' "
                                "AND entity_id = (SELECT id FROM sales ORDER BY created_at DESC, rowid DESC LIMIT 1)", NULL));
  orphan = pos_receipt_email_request (db, hidden, "maria@exemplo.com.br", NULL, &error);
  ck_assert_msg (orphan != NULL, "%s", error ? error->message : "?");

  ck_assert_msg (pos_sync_run_once (path, NULL, &error), "sync: %s", error ? error->message : "?");

  /* the central lists the request, queued for its mailer */
  {
    const char *args[] = { "emails", "list", "--store", STORE, NULL };

    list = harness_run (central, args);
  }
  ck_assert_msg (strstr (list, request) != NULL, "%s", list);
  ck_assert_msg (strstr (list, sale) != NULL, "%s", list);
  ck_assert_msg (strstr (list, "\tjoao.souza@exemplo.com.br\t") != NULL, "%s", list);
  ck_assert_msg (g_str_has_suffix (list, "\tqueued\n"), "%s", list);
  ck_assert_msg (strstr (list, orphan) == NULL, "%s", list);
  {
    const char *args[] = { "emails", "list", "--status", "sent", NULL };
    g_autofree char *sent = harness_run (central, args);

    ck_assert_str_eq (sent, "");
  }

  /* the request for a sale the central does not hold: a dead letter, not_found */
  g_free (status);
  status = db_text (db, "SELECT status FROM outbox WHERE entity_id = ?1", orphan);
  code = db_text (db, "SELECT error_code FROM outbox WHERE entity_id = ?1", orphan);
  ck_assert_str_eq (status, "rejected");
  ck_assert_str_eq (code, "not_found");

  /* the same request brought again by another operation: a duplicate, kept once */
  ck_assert (pos_database_exec (db, "INSERT INTO outbox (op_id, type, entity_id, payload, local_ts) "
                                "SELECT '0190e2e0-0000-7000-8000-0000000e3a11', type, entity_id, payload, local_ts "
                                "FROM outbox WHERE type = 'receipt.email' AND status = 'applied'", NULL));
  ck_assert_msg (pos_sync_run_once (path, NULL, &error), "sync: %s", error ? error->message : "?");
  g_free (status);
  status = db_text (db, "SELECT status FROM outbox WHERE op_id = '0190e2e0-0000-7000-8000-0000000e3a11'", NULL);
  ck_assert_str_eq (status, "duplicate");
  for (const char *p = request; *p; p++)
    ck_assert (g_ascii_isxdigit (*p) || *p == '-');
  sql = g_strdup_printf ("SELECT count(*) FROM receipt_emails WHERE id = '%s'", request);
  count = harness_text (central, sql);
  ck_assert_str_eq (count, "1");

  g_clear_object (&db);
  g_clear_pointer (&central, central_harness_free);
  test_tmpdir_remove (dir);
  registry_remove (dir);
}
END_TEST

int
main (int   argc,
      char *argv[])
{
  Suite *s = suite_create ("receipt-email-e2e");
  TCase *tc = tcase_create ("receipt-email");

  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, test_receipt_email);
  suite_add_tcase (s, tc);
  return sync_e2e_main (argc, argv, s);
}
