/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "domain/pos-sync-wire.h"
#include "terminal/pos-database.h"
#include "terminal/pos-pickups-private.h"
#include "terminal/pos-sync-apply.h"

/* Pickup orders for the UI tests, put into a terminal's database the way
 * the central's changes arrive: through the engine's sync applier (the
 * "pickups" stream, as tests/unit/test-sync-apply.c does), without a
 * central.
 *
 *   pickup-seed DATABASE ORDERS.json
 *
 * ORDERS.json is an array of pickup_order objects (docs/sync-protocol.md
 * §4, §7.1). store_id, when absent, is the terminal's store; a
 * "pickup_code" member is replaced by its pickup_code_hash (SHA-256 of
 * ORDER_ID ":" CODE), as the central sends it.
 *
 *   pickup-seed DATABASE --refuse ORDER_ID MESSAGE
 *
 * The central refused the last handover of ORDER_ID (made here, offline):
 * what the sync engine does with a rejected 'pickup.transition'
 * (_pos_pickups_note_refusal, in one transaction), so that the order goes
 * on the manager's incident list. */

static int
refuse (PosDatabase *db,
        const char  *order_id,
        const char  *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = NULL;
  sqlite3_stmt *stmt;

  stmt = pos_database_prepare_cached (db, "SELECT payload FROM outbox WHERE type = 'pickup.transition' "
                                          "AND entity_id = ?1 ORDER BY seq DESC LIMIT 1", &error);
  if (stmt != NULL)
    {
      pos_database_bind_text (stmt, 1, order_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        payload = pos_database_column_dup (stmt, 0);
      sqlite3_reset (stmt);
    }
  if (payload == NULL)
    {
      fprintf (stderr, "pickup-seed: no handover of %s in the outbox\n", order_id);
      return 1;
    }
  if (!pos_database_begin (db, &error))
    {
      fprintf (stderr, "pickup-seed: %s\n", error->message);
      return 1;
    }
  stmt = pos_database_prepare_cached (db, "UPDATE outbox SET status = 'rejected', last_error = ?2 "
                                          "WHERE type = 'pickup.transition' AND entity_id = ?1 AND status = 'pending'",
                                      &error);
  if (stmt != NULL)
    {
      pos_database_bind_text (stmt, 1, order_id);
      pos_database_bind_text (stmt, 2, message);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        pos_database_set_error (db, &error, "marking the handover refused");
      sqlite3_reset (stmt);
    }
  if (error != NULL ||
      !_pos_pickups_note_refusal (db, "pickup.transition", payload, message, &error) ||
      !pos_database_commit (db, &error))
    {
      pos_database_rollback (db);
      fprintf (stderr, "pickup-seed: %s\n", error->message);
      return 1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) body = g_string_new ("{\"changes\":[");
  g_autoptr(PosSyncPage) page = NULL;
  g_autoptr(PosSyncApplier) applier = NULL;
  g_autofree char *store_id = NULL;
  JsonArray *orders;

  if (argc == 5 && g_str_equal (argv[2], "--refuse"))
    {
      db = pos_database_open (argv[1], &error);
      if (db == NULL)
        {
          fprintf (stderr, "pickup-seed: %s\n", error->message);
          return 1;
        }
      return refuse (db, argv[3], argv[4]);
    }
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s DATABASE ORDERS.json | DATABASE --refuse ORDER_ID MESSAGE\n", argv[0]);
      return 2;
    }
  db = pos_database_open (argv[1], &error);
  if (db == NULL || !json_parser_load_from_file (parser, argv[2], &error))
    {
      fprintf (stderr, "pickup-seed: %s\n", error->message);
      return 1;
    }
  store_id = pos_database_get_setting (db, "store_id");
  orders = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (orders); i++)
    {
      JsonObject *order = json_array_get_object_element (orders, i);
      const char *id = json_object_get_string_member (order, "id");
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *data = NULL;

      if (!json_object_has_member (order, "store_id") && store_id != NULL)
        json_object_set_string_member (order, "store_id", store_id);
      if (json_object_has_member (order, "pickup_code"))
        {
          g_autofree char *input = g_strdup_printf ("%s:%s", id, json_object_get_string_member (order, "pickup_code"));
          g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

          json_object_remove_member (order, "pickup_code");
          json_object_set_string_member (order, "pickup_code_hash", hash);
        }
      node = json_node_init_object (json_node_alloc (), order);
      data = json_to_string (node, FALSE);
      pos_sync_change_append_json (body, "pickups", "pickup_order", id, POS_SYNC_CHANGE_UPSERT,
                                   json_object_get_int_member (order, "version"), data);
    }
  g_string_append (body, "],\"next_cursor\":\"seed\",\"has_more\":false}");

  page = pos_sync_pull_page_parse (body->str, body->len, &error);
  applier = page != NULL ? pos_sync_applier_new (db) : NULL;
  if (page == NULL || !pos_sync_applier_apply_page (applier, page, NULL, &error))
    {
      fprintf (stderr, "pickup-seed: %s\n", error->message);
      return 1;
    }
  printf ("%u pickup orders\n", json_array_get_length (orders));
  return 0;
}
