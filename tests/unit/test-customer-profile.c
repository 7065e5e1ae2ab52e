/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

/* The customer at the counter: search ranking, normalised contact data,
 * create/edit with duplicates and consent, the profile (masks, audit),
 * restriction, the paged timeline, and erasure leaving nothing readable in
 * the database file. */

#define _GNU_SOURCE 1   /* memmem */
#include "config.h"

#include <check.h>
#include <string.h>

#include "domain/pos-contact.h"
#include "domain/pos-sync-wire.h"
#include "terminal/pos-customer-timeline.h"
#include "terminal/pos-customers.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-sync-apply.h"
#include "sales-fixture.h"

static char *dir;
static PosDatabase *db;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  dir = fixture_make_dir ();
  db = fixture_open (dir);
  ck_assert (pos_database_exec (db,
    "INSERT INTO customers (id, name, cpf, phone, email, loyalty_card, phone_digits, email_norm, created_at, updated_at) VALUES "
    " ('c1', 'Maria da Silva', '123.456.789-09', '(11) 98765-4321', 'maria@example.com', '6040000000000001', "
    "  '11987654321', 'maria@example.com', 1, 1),"
    " ('c2', 'Mariana Souza', NULL, '(21) 3333-1234', 'mari@example.com', NULL, '2133331234', 'mari@example.com', 1, 1),"
    " ('c3', 'João da Silva Conceição', '529.982.247-25', NULL, NULL, NULL, NULL, NULL, 1, 1),"
    " ('c4', 'Marta Restrita', NULL, NULL, NULL, NULL, NULL, NULL, 1, 1);"
    "UPDATE customers SET processing_restricted = 1 WHERE id = 'c4';"
    "DELETE FROM customers WHERE id = '" FIX_CUSTOMER "';", &error));
}

static void
teardown (void)
{
  g_clear_object (&db);
  fixture_remove_dir (dir);
  g_clear_pointer (&dir, g_free);
}

static GPtrArray *
search (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *r = pos_customers_search_page (db, text, 0, 20, NULL, &error);

  ck_assert_msg (r != NULL, "%s", error ? error->message : "?");
  return r;
}

static const char *
nth (GPtrArray *r, guint i)
{
  ck_assert_uint_gt (r->len, i);
  return ((PosCustomerSummary *) g_ptr_array_index (r, i))->id;
}

START_TEST (test_normalise)
{
  const char *same[] = { "(11) 98765-4321", "+55 11 98765-4321", "011 98765 4321", "5511987654321",
                         "11987654321", "11.98765.4321" };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *d = pos_phone_normalize (same[i]);

      ck_assert_msg (g_strcmp0 (d, "11987654321") == 0, "%s gave %s", same[i], d);
    }
  {
    g_autofree char *landline = pos_phone_normalize ("(21) 3333-1234");
    g_autofree char *formatted = pos_phone_format ("2133331234");
    g_autofree char *mobile = pos_phone_format ("11987654321");
    g_autofree char *folded = pos_name_fold ("  Maria-JOSÉ  da Conceição ");
    g_autofree char *email = pos_email_normalize (" Maria@Example.COM ");

    ck_assert_str_eq (landline, "2133331234");
    ck_assert_str_eq (formatted, "(21) 3333-1234");
    ck_assert_str_eq (mobile, "(11) 98765-4321");
    ck_assert_str_eq (folded, "maria jose da conceicao");
    ck_assert_str_eq (email, "maria@example.com");
  }
  /* Not phones, not addresses. */
  ck_assert_ptr_null (pos_phone_normalize ("1234"));
  ck_assert_ptr_null (pos_phone_normalize ("11 98765-432a"));
  ck_assert_ptr_null (pos_phone_normalize ("(00) 98765-4321"));
  ck_assert_ptr_null (pos_phone_normalize (""));
  ck_assert_ptr_null (pos_email_normalize ("maria"));
  ck_assert_ptr_null (pos_email_normalize ("maria@example"));
  ck_assert_ptr_null (pos_email_normalize ("ma ria@example.com"));
  ck_assert_ptr_null (pos_email_normalize ("@example.com"));
}
END_TEST

START_TEST (test_search_ranking)
{
  g_autoptr(GPtrArray) by_phone = search ("+55 (11) 98765 4321");
  g_autoptr(GPtrArray) by_email = search ("MARIA@example.com");
  g_autoptr(GPtrArray) by_cpf = search ("12345678909");
  g_autoptr(GPtrArray) by_card = search ("6040000000000001");
  g_autoptr(GPtrArray) by_name = search ("joao conceicao");
  g_autoptr(GPtrArray) by_prefix = search ("mar");
  g_autoptr(GPtrArray) by_digits = search ("1198765");

  ck_assert_str_eq (nth (by_phone, 0), "c1");
  ck_assert_str_eq (nth (by_email, 0), "c1");
  ck_assert_uint_eq (by_cpf->len, 1);
  ck_assert_str_eq (nth (by_cpf, 0), "c1");
  ck_assert_str_eq (nth (by_card, 0), "c1");
  ck_assert_uint_eq (by_name->len, 1);
  ck_assert_str_eq (nth (by_name, 0), "c3");
  ck_assert_uint_eq (by_prefix->len, 3);   /* Maria, Mariana, Marta */
  ck_assert_str_eq (nth (by_digits, 0), "c1");
}
END_TEST

START_TEST (test_search_pages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  gboolean more = FALSE;

  for (int i = 0; i < 25; i++)
    {
      g_autofree char *sql = g_strdup_printf (
        "INSERT INTO customers (id, name, created_at, updated_at) VALUES ('p%02d', 'Paula Pereira %02d', 1, 1)", i, i);
      ck_assert (pos_database_exec (db, sql, &error));
    }
  first = pos_customers_search_page (db, "paula", 0, 10, &more, &error);
  ck_assert_uint_eq (first->len, 10);
  ck_assert (more);
  second = pos_customers_search_page (db, "paula", 20, 10, &more, &error);
  ck_assert_uint_eq (second->len, 5);
  ck_assert (!more);
  for (guint i = 0; i < first->len; i++)
    for (guint j = 0; j < second->len; j++)
      ck_assert_str_ne (nth (first, i), nth (second, j));
}
END_TEST

START_TEST (test_card)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCustomerSummary) s = pos_customers_find_by_card (db, " 6040000000000001\n", &error);
  g_autoptr(PosCustomerSummary) none = NULL;

  ck_assert_ptr_nonnull (s);
  ck_assert_str_eq (s->name, "Maria da Silva");
  none = pos_customers_find_by_card (db, "6040000000000099", &error);
  ck_assert_ptr_null (none);
  ck_assert (g_error_matches (error, POS_DATABASE_ERROR, POS_DATABASE_ERROR_NOT_FOUND));
}
END_TEST

START_TEST (test_create_with_consent)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *payload = NULL;
  PosCustomerEdit edit;

  pos_customer_edit_init (&edit);
  edit.name = "  Ana Lúcia Ferreira ";
  edit.cpf = "111.444.777-35";
  edit.phone = "11 91234 5678";
  edit.email = "Ana@Example.com";
  edit.consents[0] = POS_CONSENT_GRANTED;   /* e-mail */
  edit.consents[2] = POS_CONSENT_DENIED;    /* WhatsApp */
  id = pos_customers_save (db, NULL, &edit, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "?");

  {
    g_autofree char *sql = g_strdup_printf ("SELECT name || '|' || cpf || '|' || phone || '|' || phone_digits || '|' "
                                            "|| email FROM customers WHERE id = '%s'", id);
    g_autofree char *row = fixture_text (db, sql);

    ck_assert_str_eq (row, "Ana Lúcia Ferreira|111.444.777-35|(11) 91234-5678|11912345678|ana@example.com");
  }
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM customer_consents WHERE source = 'counter'"), 2);
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'customer.upsert'");
  ck_assert_ptr_nonnull (strstr (payload, "\"name\":\"Ana Lúcia Ferreira\""));
  ck_assert_ptr_nonnull (strstr (payload, "\"channel\":\"whatsapp\",\"granted\":false"));
  ck_assert_ptr_nonnull (strstr (payload, "\"created_at\""));
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.create'"), 1);

  /* Now searchable, by the phone typed another way. */
  {
    g_autoptr(GPtrArray) r = search ("(11) 91234-5678");

    ck_assert_str_eq (nth (r, 0), id);
  }
}
END_TEST

START_TEST (test_save_refusals)
{
  g_autoptr(GError) error = NULL;
  gint64 outbox = fixture_count (db, "SELECT COUNT(*) FROM outbox");
  PosCustomerEdit edit;
  char *id;

  pos_customer_edit_init (&edit);
  edit.name = "Ana";
  edit.cpf = "111.444.777-36";   /* a wrong check digit */
  id = pos_customers_save (db, NULL, &edit, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_INVALID));
  ck_assert_ptr_nonnull (strstr (error->message, "CPF"));
  g_clear_error (&error);

  edit.cpf = "52998224725";      /* João's */
  id = pos_customers_save (db, NULL, &edit, &error);
  ck_assert_ptr_null (id);
  ck_assert (g_error_matches (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_DUPLICATE));
  ck_assert_ptr_nonnull (strstr (error->message, "João da Silva Conceição"));
  g_clear_error (&error);

  edit.cpf = NULL;
  edit.phone = "98765";
  ck_assert_ptr_null (pos_customers_save (db, NULL, &edit, &error));
  ck_assert (g_error_matches (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_INVALID));
  g_clear_error (&error);

  edit.phone = NULL;
  edit.name = "A";
  ck_assert_ptr_null (pos_customers_save (db, NULL, &edit, &error));
  g_clear_error (&error);

  /* Nothing was written by any of them. */
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM outbox"), outbox);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM customers"), 4);

  /* A restricted customer: data frozen, consent may move. */
  pos_customer_edit_init (&edit);
  edit.notes = "gosta de café";
  ck_assert_ptr_null (pos_customers_save (db, "c4", &edit, &error));
  ck_assert (g_error_matches (error, POS_CUSTOMERS_ERROR, POS_CUSTOMERS_ERROR_RESTRICTED));
  g_clear_error (&error);
  pos_customer_edit_init (&edit);
  edit.consents[1] = POS_CONSENT_DENIED;
  id = pos_customers_save (db, "c4", &edit, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "?");
  g_free (id);
}
END_TEST

START_TEST (test_edit_sends_only_changes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *payload = NULL;
  PosCustomerEdit edit;

  ck_assert (pos_database_exec (db, "UPDATE customers SET version = 7 WHERE id = 'c1'", &error));
  pos_customer_edit_init (&edit);
  edit.name = "Maria da Silva";          /* unchanged */
  edit.phone = "11987654321";            /* the same number, typed bare */
  edit.email = "maria.silva@example.com";
  id = pos_customers_save (db, "c1", &edit, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "?");
  payload = fixture_text (db, "SELECT payload FROM outbox WHERE type = 'customer.upsert'");
  ck_assert_str_eq (payload, "{\"id\":\"c1\",\"base_version\":7,\"fields\":{\"email\":\"maria.silva@example.com\"},"
                             "\"consents\":[]}");
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM customers WHERE email_norm = 'maria.silva@example.com'"), 1);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.edit'"), 1);

  /* Nothing changed: nothing goes up. */
  g_free (pos_customers_save (db, "c1", &edit, &error));
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM outbox WHERE type = 'customer.upsert'"), 1);
}
END_TEST

START_TEST (test_duplicates)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) dups = NULL;
  PosCustomerEdit edit;

  pos_customer_edit_init (&edit);
  edit.name = "Mari Souza";
  edit.phone = "+55 21 3333 1234";
  edit.email = "MARIA@example.com";
  dups = pos_customers_find_duplicates (db, NULL, &edit, &error);
  ck_assert_uint_eq (dups->len, 2);
  for (guint i = 0; i < dups->len; i++)
    {
      PosCustomerDuplicate *d = g_ptr_array_index (dups, i);

      if (g_str_equal (d->customer->id, "c1"))
        ck_assert (d->same_email && !d->same_phone && !d->same_cpf);
      else
        ck_assert (g_str_equal (d->customer->id, "c2") && d->same_phone && !d->same_email);
    }
  g_clear_pointer (&dups, g_ptr_array_unref);
  /* Editing c2 itself: not its own duplicate. */
  edit.email = NULL;
  dups = pos_customers_find_duplicates (db, "c2", &edit, &error);
  ck_assert_uint_eq (dups->len, 0);
}
END_TEST

START_TEST (test_profile_masks_and_audit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCustomerProfile) masked = NULL;
  g_autoptr(PosCustomerProfile) full = NULL;
  g_autoptr(PosCustomerProfile) refused = NULL;

  masked = pos_customers_open_profile (db, "c1", FALSE, &error);
  ck_assert_ptr_nonnull (masked);
  ck_assert (!masked->revealed);
  ck_assert_str_eq (masked->cpf, "***.456.789-**");
  ck_assert_str_eq (masked->phone, "(11) *****-4321");
  ck_assert_str_eq (masked->email, "m***@example.com");
  ck_assert_uint_eq (masked->consents->len, POS_N_CONSENT_CHANNELS);
  ck_assert_int_eq (((PosCustomerConsent *) g_ptr_array_index (masked->consents, 0))->state, POS_CONSENT_UNKNOWN);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.view' AND entity_id = 'c1'"), 1);

  /* staff-1 is a supervisor: may reveal. */
  full = pos_customers_open_profile (db, "c1", TRUE, &error);
  ck_assert_ptr_nonnull (full);
  ck_assert_str_eq (full->phone, "(11) 98765-4321");
  ck_assert_str_eq (full->email, "maria@example.com");
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.reveal'"), 1);
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM outbox WHERE type = 'audit.append'"), 3);

  /* A cashier may not. */
  ck_assert (pos_database_set_setting (db, "staff_id", "staff-2", &error));
  refused = pos_customers_open_profile (db, "c1", TRUE, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, POS_STAFF_ERROR, POS_STAFF_ERROR_PERMISSION));
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM audit_log WHERE action = 'customer.reveal'"), 1);
}
END_TEST

static void
add_events (const char *customer,
            int         n)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  static const char *channels[] = { "store", "web", "whatsapp", "call_centre" };
  static const char *kinds[] = { "purchase", "order_placed", "message", "call" };

  ck_assert (pos_database_begin (db, &error));
  ck_assert_int_eq (sqlite3_prepare_v2 (pos_database_get_handle (db),
    "INSERT INTO customer_events (id, customer_id, channel, kind, occurred_at, summary, amount) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &stmt, NULL), SQLITE_OK);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s-e%05d", customer, i);
      g_autofree char *summary = g_strdup_printf ("Event %d", i);

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, customer, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, channels[i % 4], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, kinds[i % 4], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, 1700000000000 + (gint64) i * 60000);
      sqlite3_bind_text (stmt, 6, summary, -1, SQLITE_TRANSIENT);
      if (i % 4 == 0)
        sqlite3_bind_int64 (stmt, 7, 1000 + i);
      else
        sqlite3_bind_null (stmt, 7);
      ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  ck_assert (pos_database_commit (db, &error));
}

START_TEST (test_timeline_pages)
{
  g_autoptr(PosCustomerTimeline) t = NULL;
  g_autoptr(PosTimelineEvent) first = NULL;
  g_autoptr(PosTimelineEvent) last = NULL;
  gint64 previous = G_MAXINT64;
  guint n;

  add_events ("c1", 2000);
  t = pos_customer_timeline_new (db, "c1");
  n = g_list_model_get_n_items (G_LIST_MODEL (t));
  ck_assert_uint_eq (n, 2000);
  first = g_list_model_get_item (G_LIST_MODEL (t), 0);
  ck_assert_str_eq (pos_timeline_event_get_summary (first), "Event 1999");   /* newest first */
  last = g_list_model_get_item (G_LIST_MODEL (t), n - 1);
  ck_assert_str_eq (pos_timeline_event_get_summary (last), "Event 0");
  ck_assert (pos_timeline_event_has_amount (last));

  /* Scrolling through everything keeps only a few pages. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosTimelineEvent) e = g_list_model_get_item (G_LIST_MODEL (t), i);

      ck_assert_ptr_nonnull (e);
      ck_assert_int_le (pos_timeline_event_get_occurred_at (e), previous);
      previous = pos_timeline_event_get_occurred_at (e);
    }
  ck_assert_uint_le (pos_customer_timeline_get_n_cached_pages (t), 8);
  ck_assert_ptr_null (g_list_model_get_item (G_LIST_MODEL (t), n));

  pos_customer_timeline_set_filter (t, "whatsapp", POS_TIMELINE_KIND_ALL);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (t)), 500);
  pos_customer_timeline_set_filter (t, NULL, POS_TIMELINE_KIND_INTERACTIONS);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (t)), 1000);
  pos_customer_timeline_set_filter (t, "store", POS_TIMELINE_KIND_ORDERS);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (t)), 0);

  /* Restricted: nothing shows. */
  add_events ("c4", 10);
  {
    g_autoptr(PosCustomerTimeline) r = pos_customer_timeline_new (db, "c4");
    g_autoptr(GError) error = NULL;
    g_autoptr(PosCustomerProfile) p = pos_customers_open_profile (db, "c4", FALSE, &error);

    ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (r)), 0);
    ck_assert (p->processing_restricted);
    ck_assert_uint_eq (p->n_events, 0);
  }
}
END_TEST

static char *
sell_to (const char *customer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
  char *id;

  pos_cart_set_customer (cart, customer, "Maria da Silva");
  fixture_add (cart, FIX_ARROZ, 2000);
  fixture_pay_rest_cash (cart);
  id = pos_sales_commit (db, cart, NULL, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "?");
  return id;
}

/* A sale to a customer is on their timeline at once, returnable; the
 * central's entry for it replaces the local one. */
START_TEST (test_local_event_replaced)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sale = sell_to ("c1");
  g_autoptr(PosCustomerTimeline) t = pos_customer_timeline_new (db, "c1");
  g_autoptr(PosTimelineEvent) e = g_list_model_get_item (G_LIST_MODEL (t), 0);
  g_autoptr(PosCustomerProfile) p = pos_customers_open_profile (db, "c1", FALSE, &error);
  g_autoptr(PosEventDetail) detail = NULL;
  g_autoptr(PosSyncApplier) applier = pos_sync_applier_new (db);
  g_autoptr(PosSyncPage) page = NULL;
  g_autoptr(GString) b = g_string_new ("{\"changes\":[");
  g_autofree char *data = NULL;

  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (t)), 1);
  ck_assert (pos_timeline_event_get_local (e));
  ck_assert_str_eq (pos_timeline_event_get_kind (e), "purchase");
  ck_assert_int_gt (pos_timeline_event_get_returnable_until (e), pos_now_ms ());
  ck_assert_uint_eq (p->n_returnable, 1);

  detail = pos_customers_event_detail (db, pos_timeline_event_get_id (e), &error);
  ck_assert_ptr_nonnull (detail);
  ck_assert_str_eq (detail->sale_id, sale);
  ck_assert_uint_eq (detail->lines->len, 1);
  ck_assert_ptr_nonnull (strstr (g_ptr_array_index (detail->lines, 0), "Arroz"));

  data = g_strdup_printf ("{\"id\":\"ev-central\",\"customer_id\":\"c1\",\"channel\":\"store\",\"kind\":\"purchase\","
                          "\"occurred_at\":%" G_GINT64_FORMAT ",\"amount\":5180,\"currency\":\"BRL\","
                          "\"summary\":\"Sale 1\",\"document_id\":\"%s\"}", pos_now_ms (), sale);
  pos_sync_change_append_json (b, "customers", "customer_event", "ev-central", POS_SYNC_CHANGE_UPSERT, 1, data);
  g_string_append (b, "],\"next_cursor\":\"9\",\"has_more\":false}");
  page = pos_sync_pull_page_parse (b->str, b->len, &error);
  ck_assert_ptr_nonnull (page);
  ck_assert (pos_sync_applier_apply_page (applier, page, "9", &error));
  pos_customer_timeline_reload (t);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (t)), 1);
  {
    g_autoptr(PosTimelineEvent) central = g_list_model_get_item (G_LIST_MODEL (t), 0);

    ck_assert_str_eq (pos_timeline_event_get_id (central), "ev-central");
    ck_assert (!pos_timeline_event_get_local (central));
  }
}
END_TEST

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

/* LGPD erasure: after the central's delete, nothing personal can be read
 * in the database file or its WAL, not even in free pages or the search
 * index. */
START_TEST (test_erasure_leaves_nothing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSyncApplier) applier = pos_sync_applier_new (db);
  g_autoptr(PosSyncPage) page = NULL;
  g_autoptr(GString) b = g_string_new ("{\"changes\":[");
  g_autofree char *sale = NULL;
  g_autofree char *path = g_build_filename (dir, "terminal.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  static const char *secrets[] = { "Zuleide", "Xavantes", "zuleide.x@example.org", "91234-0000", "11912340000",
                                   "839.435.452-10", "Prefere entregas", "ZX-CARD-7" };
  PosCustomerEdit edit;
  g_autofree char *id = NULL;

  pos_customer_edit_init (&edit);
  edit.name = "Zuleide Xavantes";
  edit.email = "zuleide.x@example.org";
  edit.phone = "(11) 91234-0000";
  edit.cpf = "839.435.452-10";
  edit.notes = "Prefere entregas";
  edit.loyalty_card = "ZX-CARD-7";
  edit.consents[0] = POS_CONSENT_GRANTED;
  id = pos_customers_save (db, NULL, &edit, &error);
  ck_assert_msg (id != NULL, "%s", error ? error->message : "?");
  sale = sell_to (id);
  add_events (id, 200);
  ck_assert (pos_database_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", &error));
  ck_assert (file_contains (path, "Zuleide"));   /* the check can see it */

  pos_sync_change_append_json (b, "customers", "customer", id, POS_SYNC_CHANGE_DELETE, 50,
                               "{\"erased_at\":1800000000000}");
  g_string_append (b, "],\"next_cursor\":\"10\",\"has_more\":false}");
  page = pos_sync_pull_page_parse (b->str, b->len, &error);
  ck_assert (pos_sync_applier_apply_page (applier, page, "10", &error));

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      ck_assert_msg (!file_contains (path, secrets[i]), "“%s” is still in the database file", secrets[i]);
      ck_assert_msg (!file_contains (wal, secrets[i]), "“%s” is still in the WAL", secrets[i]);
    }
  /* The sale stays (a fiscal document), leading to no one. */
  ck_assert_int_eq (fixture_count (db, "SELECT COUNT(*) FROM sales"), 1);
  {
    g_autoptr(GPtrArray) r = search ("zuleide");

    ck_assert_uint_eq (r->len, 0);
  }
}
END_TEST

/* A merged id opens the survivor. */
START_TEST (test_merged_opens_survivor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosCustomerProfile) p = NULL;

  ck_assert (pos_database_exec (db, "UPDATE customers SET merged_into = 'c1' WHERE id = 'c2'", &error));
  p = pos_customers_open_profile (db, "c2", FALSE, &error);
  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (p->id, "c1");
  {
    g_autoptr(GPtrArray) r = search ("mariana");

    ck_assert_uint_eq (r->len, 0);
  }
}
END_TEST

static Suite *
customer_profile_suite (void)
{
  Suite *s = suite_create ("customer-profile");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_normalise);
  tcase_add_test (tc, test_search_ranking);
  tcase_add_test (tc, test_search_pages);
  tcase_add_test (tc, test_card);
  tcase_add_test (tc, test_create_with_consent);
  tcase_add_test (tc, test_save_refusals);
  tcase_add_test (tc, test_edit_sends_only_changes);
  tcase_add_test (tc, test_duplicates);
  tcase_add_test (tc, test_profile_masks_and_audit);
  tcase_add_test (tc, test_timeline_pages);
  tcase_add_test (tc, test_local_event_replaced);
  tcase_add_test (tc, test_erasure_leaves_nothing);
  tcase_add_test (tc, test_merged_opens_survivor);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (customer_profile_suite ());
  int failed;

  srunner_set_tap (sr, "-");
  srunner_run_all (sr, CK_SILENT);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}
