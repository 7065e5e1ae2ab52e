/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crash-test"

#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "sales-fixture.h"

/* Kill -9 a process that commits sales in a loop, at random moments, many
 * times; after each kill the database must be intact and every sale whole:
 * its lines, payments, stock movements, audit row and outbox operation all
 * there and agreeing with the document, and the number of sales only grows.
 * It all happens in the middle of one shift (with cash put in and taken out
 * of the drawer now and then): after each kill the shift is still open,
 * every sale is in it, and its X report agrees with the documents.
 *
 *   crash-test                 the parent (what meson runs)
 *   crash-test --child DIR     the victim
 *
 * BALCAO_CRASH_SEED fixes the random sequence; BALCAO_CRASH_KILLS the
 * number of kills (default 100). */

#define TIME_BUDGET_US (45 * G_USEC_PER_SEC)

static int
child_main (const char *dir)
{
  g_autoptr(PosDatabase) db = fixture_open_bare (dir);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) getpid () ^ (guint32) g_get_real_time ());
  static const gint64 products[] = { FIX_ARROZ, FIX_FEIJAO, FIX_QUEIJO, FIX_CAFE, FIX_LEITE };

  if (write (STDOUT_FILENO, "R", 1) != 1)
    return 3;

  for (;;)
    {
      g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
      g_autoptr(GError) error = NULL;
      g_autofree char *id = NULL;
      guint n_lines = g_rand_int_range (rand, 2, 7);
      PosCartTotals t;

      for (guint i = 0; i < n_lines; i++)
        {
          gint64 product = products[g_rand_int_range (rand, 0, G_N_ELEMENTS (products))];
          g_autoptr(PosCartLine) line = fixture_line (product);

          pos_cart_add_line (cart, line, product == FIX_QUEIJO ? g_rand_int_range (rand, 50, 2000)
                                                               : 1000 * g_rand_int_range (rand, 1, 4));
        }
      pos_cart_get_totals (cart, &t);
      fixture_pay (cart, POS_PAYMENT_DEBIT_CARD, t.total / 2);
      fixture_pay_rest_cash (cart);

      id = pos_sales_commit (db, cart, NULL, &error);
      if (id == NULL)
        {
          g_printerr ("child: commit failed: %s\n", error->message);
          return 3;
        }

      if (g_rand_int_range (rand, 0, 4) == 0 &&
          !pos_shifts_cash_move (db, g_rand_boolean (rand) ? g_rand_int_range (rand, 100, 5000)
                                                           : -g_rand_int_range (rand, 100, 2000),
                                 "crash-test", NULL, &error))
        {
          g_printerr ("child: cash move failed: %s\n", error->message);
          return 3;
        }
    }
  return 0;
}

static gint64
count (PosDatabase *db,
       const char  *sql)
{
  return fixture_count (db, sql);
}

static const struct {
  const char *what;
  const char *sql;
} checks[] = {
  { "sales whose total is not the sum of their lines",
    "SELECT COUNT(*) FROM sales s WHERE s.total != (SELECT COALESCE (SUM (total), 0) FROM sale_lines WHERE sale_id = s.id)" },
  { "sales without lines",
    "SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_lines WHERE sale_id = s.id)" },
  { "sales without payments",
    "SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_payments WHERE sale_id = s.id)" },
  { "sales whose payments do not cover the total",
    "SELECT COUNT(*) FROM sales s WHERE s.total != (SELECT SUM (amount) FROM sale_payments WHERE sale_id = s.id) OR s.paid != s.total" },
  { "sales without exactly one outbox operation",
    "SELECT COUNT(*) FROM sales s WHERE (SELECT COUNT(*) FROM outbox o WHERE o.entity_id = s.id AND o.type = 'sale.create') != 1" },
  { "sales without exactly one audit row",
    "SELECT COUNT(*) FROM sales s WHERE (SELECT COUNT(*) FROM audit_log a WHERE a.entity_id = s.id AND a.action = 'sale.create') != 1" },
  { "sales whose stock movements do not match their lines",
    "SELECT COUNT(*) FROM sale_lines l WHERE (SELECT COALESCE (SUM (-delta), 0) FROM stock_movements m "
    " WHERE m.document_id = l.sale_id AND m.product_id = l.product_id) != "
    " (SELECT SUM (quantity) FROM sale_lines l2 WHERE l2.sale_id = l.sale_id AND l2.product_id = l.product_id)" },
  { "stock levels that disagree with the movements",
    "SELECT COUNT(*) FROM stock_levels sl WHERE sl.local_delta != (SELECT COALESCE (SUM (delta), 0) FROM stock_movements m WHERE m.product_id = sl.product_id)" },
  { "outbox operations without their sale",
    "SELECT COUNT(*) FROM outbox o WHERE o.type = 'sale.create' AND NOT EXISTS (SELECT 1 FROM sales WHERE id = o.entity_id)" },
  { "stock movements without their sale",
    "SELECT COUNT(*) FROM stock_movements m WHERE NOT EXISTS (SELECT 1 FROM sales WHERE id = m.document_id)" },
  { "payments or lines without their sale",
    "SELECT (SELECT COUNT(*) FROM sale_payments p WHERE NOT EXISTS (SELECT 1 FROM sales WHERE id = p.sale_id)) + "
    "       (SELECT COUNT(*) FROM sale_lines l WHERE NOT EXISTS (SELECT 1 FROM sales WHERE id = l.sale_id))" },
  { "a sale number sequence out of step with the sales",
    "SELECT COALESCE ((SELECT next_value - 1 FROM document_sequences WHERE kind = 'sale'), 0) != (SELECT COUNT(*) FROM sales)" },
  { "not exactly one shift open",
    "SELECT COUNT(*) != 1 FROM shifts WHERE status = 'open'" },
  { "sales outside the open shift",
    "SELECT COUNT(*) FROM sales WHERE shift_id IS NOT (SELECT id FROM shifts WHERE status = 'open')" },
  { "cash movements without exactly one outbox operation and audit row",
    "SELECT COUNT(*) FROM cash_movements c WHERE c.kind IN ('in', 'out') AND "
    " ((SELECT COUNT(*) FROM outbox o WHERE o.entity_id = c.id AND o.type = 'cash.move') != 1 OR "
    "  (SELECT COUNT(*) FROM audit_log a WHERE a.entity_id = c.id AND a.action = 'cash.move') != 1)" },
  { "outbox operations without their cash movement",
    "SELECT COUNT(*) FROM outbox o WHERE o.type = 'cash.move' AND NOT EXISTS (SELECT 1 FROM cash_movements WHERE id = o.entity_id)" },
};

/* The open shift's X report, right after the restart, against the rows. */
static gboolean
check_shift (PosDatabase *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosShiftReport) x = pos_shifts_report (db, NULL, &error);
  gint64 expected;
  gint64 n_sales;
  gint64 gross;

  if (x == NULL)
    {
      g_printerr ("no X report after the restart: %s\n", error->message);
      return FALSE;
    }
  n_sales = fixture_count (db, "SELECT COUNT(*) FROM sales WHERE shift_id = '" FIX_SHIFT "'");
  gross = fixture_count (db, "SELECT COALESCE (SUM (total), 0) FROM sales WHERE shift_id = '" FIX_SHIFT "'");
  expected = FIX_FLOAT
    + fixture_count (db, "SELECT COALESCE (SUM (p.tendered), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id "
                         "WHERE s.shift_id = '" FIX_SHIFT "' AND p.method = 'cash'")
    - fixture_count (db, "SELECT COALESCE (SUM (change_given), 0) FROM sales WHERE shift_id = '" FIX_SHIFT "'")
    + fixture_count (db, "SELECT COALESCE (SUM (amount), 0) FROM cash_movements "
                         "WHERE shift_id = '" FIX_SHIFT "' AND kind IN ('in', 'out')");
  if (g_strcmp0 (x->shift_id, FIX_SHIFT) != 0 || x->has_count || (gint64) x->n_sales != n_sales ||
      x->gross_sales != gross || x->expected_cash != expected)
    {
      g_printerr ("the X report disagrees with the documents: shift %s, %u sales (%" G_GINT64_FORMAT "), "
                  "gross %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT "), expected cash %" G_GINT64_FORMAT
                  " (%" G_GINT64_FORMAT ")\n", x->shift_id, x->n_sales, n_sales, x->gross_sales, gross,
                  x->expected_cash, expected);
      return FALSE;
    }
  return TRUE;
}

/* The outbox document of each sale newer than *last_rowid agrees with the rows. */
static gboolean
check_documents (PosDatabase *db,
                 gint64      *last_rowid)
{
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (h,
        "SELECT s.rowid, s.id, s.total, (SELECT COUNT(*) FROM sale_lines WHERE sale_id = s.id), "
        " (SELECT COUNT(*) FROM sale_payments WHERE sale_id = s.id), o.payload "
        "FROM sales s JOIN outbox o ON o.entity_id = s.id AND o.type = 'sale.create' "
        "WHERE s.rowid > ? ORDER BY s.rowid", -1, &stmt, NULL) != SQLITE_OK)
    {
      g_printerr ("prepare: %s\n", sqlite3_errmsg (h));
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, *last_rowid);
  while (ok && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 1);
      g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 5), NULL);
      JsonObject *doc = node ? json_node_get_object (node) : NULL;

      *last_rowid = sqlite3_column_int64 (stmt, 0);
      if (doc == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (doc, "id", ""), id) != 0 ||
          json_object_get_int_member_with_default (doc, "total", -1) != sqlite3_column_int64 (stmt, 2) ||
          json_array_get_length (json_object_get_array_member (doc, "lines")) != (guint) sqlite3_column_int (stmt, 3) ||
          json_array_get_length (json_object_get_array_member (doc, "payments")) != (guint) sqlite3_column_int (stmt, 4))
        {
          g_printerr ("sale %s: the outbox document does not match the rows\n", id);
          ok = FALSE;
        }
    }
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
verify (const char *dir,
        gint64     *prev_sales,
        gint64     *last_rowid)
{
  g_autoptr(PosDatabase) db = fixture_open_bare (dir);
  g_autofree char *integrity = fixture_text (db, "PRAGMA integrity_check");
  gint64 n_sales;
  gboolean ok = TRUE;

  if (g_strcmp0 (integrity, "ok") != 0)
    {
      g_printerr ("integrity_check: %s\n", integrity ? integrity : "(null)");
      return FALSE;
    }
  if (count (db, "SELECT COUNT(*) FROM pragma_foreign_key_check") != 0)
    {
      g_printerr ("foreign_key_check found dangling references\n");
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      gint64 bad = count (db, checks[i].sql);

      if (bad != 0)
        {
          g_printerr ("%s: %" G_GINT64_FORMAT "\n", checks[i].what, bad);
          ok = FALSE;
        }
    }

  n_sales = count (db, "SELECT COUNT(*) FROM sales");
  if (n_sales < *prev_sales)
    {
      g_printerr ("sales went from %" G_GINT64_FORMAT " down to %" G_GINT64_FORMAT "\n", *prev_sales, n_sales);
      ok = FALSE;
    }
  *prev_sales = n_sales;

  return ok && check_documents (db, last_rowid) && check_shift (db);
}

static gboolean
wait_ready (int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char c;
  int rc;

  do
    rc = poll (&pfd, 1, 30000);
  while (rc < 0 && errno == EINTR);
  if (rc <= 0)
    return FALSE;
  return read (fd, &c, 1) == 1 && c == 'R';
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *self = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GError) error = NULL;
  const char *seed_env = g_getenv ("BALCAO_CRASH_SEED");
  const char *kills_env = g_getenv ("BALCAO_CRASH_KILLS");
  guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : (guint32) g_get_real_time ();
  guint target = kills_env ? (guint) g_ascii_strtoull (kills_env, NULL, 10) : 100;
  guint kills = 0;
  guint completed_early = 0;
  gint64 prev_sales = 0;
  gint64 last_rowid = 0;
  gint64 start = g_get_monotonic_time ();

  if (argc == 3 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2]);

  self = g_file_read_link ("/proc/self/exe", &error);
  if (self == NULL)
    g_error ("cannot find myself: %s", error->message);

  dir = fixture_make_dir ();
  {
    g_autoptr(PosDatabase) db = fixture_open (dir);
  }
  rand = g_rand_new_with_seed (seed);
  printf ("# seed %u (BALCAO_CRASH_SEED to repeat), %u kills, in %s\n", seed, target, dir);

  while (kills < target && g_get_monotonic_time () - start < TIME_BUDGET_US)
    {
      char *child_argv[] = { self, (char *) "--child", dir, NULL };
      GPid pid;
      int out_fd = -1;
      int status = 0;
      gulong delay_us;

      if (!g_spawn_async_with_pipes (NULL, child_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                     NULL, NULL, &pid, NULL, &out_fd, NULL, &error))
        g_error ("spawn: %s", error->message);

      if (!wait_ready (out_fd))
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          g_printerr ("the child did not start\n");
          return 1;
        }

      /* Mostly within a commit or two; every eighth kill lets it run for a
       * while so that sales pile up. */
      delay_us = kills % 8 == 7 ? (gulong) g_rand_int_range (rand, 20000, 60000)
                                : (gulong) g_rand_int_range (rand, 0, 5000);
      g_usleep (delay_us);
      kill (pid, SIGKILL);
      if (waitpid (pid, &status, 0) != pid)
        g_error ("waitpid: %s", g_strerror (errno));
      close (out_fd);
      if (!WIFSIGNALED (status))
        {
          /* It died on its own: a failed commit. */
          g_printerr ("the child exited by itself (status %d) after %u kills\n",
                      WIFEXITED (status) ? WEXITSTATUS (status) : -1, kills);
          completed_early++;
          return 1;
        }
      kills++;

      if (!verify (dir, &prev_sales, &last_rowid))
        {
          g_printerr ("after kill %u (delay %lu us): the database is not consistent; kept in %s\n",
                      kills, delay_us, dir);
          return 1;
        }
    }

  printf ("# %u kills, %" G_GINT64_FORMAT " sales, %.1f s\n", kills, prev_sales,
          (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  fixture_remove_dir (dir);

  if (kills < MIN (50u, target))
    {
      g_printerr ("only %u kills in the time budget (wanted at least 50)\n", kills);
      return 1;
    }
  if (prev_sales == 0)
    {
      g_printerr ("no sale was ever committed: the test proved nothing\n");
      return 1;
    }
  return completed_early == 0 ? 0 : 1;
}
