/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/pos-sync-wire.h"
#include "terminal/pos-database.h"
#include "terminal/pos-sync-apply.h"

/* Customers and their cross-channel timeline for the UI tests, put into a
 * terminal's database the way the central's changes arrive: through the
 * engine's sync applier, without a central.
 *
 *   customer-seed DATABASE CHANGES.json
 *
 * CHANGES.json is an array of {"entity", "data"} objects, with "stream"
 * (by default "customers", or "pickups" for a pickup_order) and "version"
 * (1 by default) when needed; the change's id is data.id. A
 * customer_event or pickup_order whose data has "store_id": "HERE" gets
 * the terminal's store.
 *
 *   customer-seed DATABASE --events CUSTOMER_ID N
 *
 * N events in every channel for the customer, one an hour back from now
 * (a long history, to scroll). */

static const char * const channels[] = { "store", "web", "app", "marketplace", "call_centre", "chat", "email", "whatsapp" };
static const char * const kinds[] = { "purchase", "order_placed", "order_placed", "purchase", "call", "chat", "notification", "message" };

static int
apply (PosDatabase *db,
       GString     *body,
       guint        n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSyncPage) page = NULL;
  g_autoptr(PosSyncApplier) applier = NULL;

  g_string_append (body, "],\"next_cursor\":\"seed\",\"has_more\":false}");
  page = pos_sync_pull_page_parse (body->str, body->len, &error);
  applier = page != NULL ? pos_sync_applier_new (db) : NULL;
  if (page == NULL || !pos_sync_applier_apply_page (applier, page, NULL, &error))
    {
      fprintf (stderr, "customer-seed: %s\n", error->message);
      return 1;
    }
  printf ("%u changes\n", n);
  return 0;
}

static int
many_events (PosDatabase *db,
             const char  *customer_id,
             guint        n)
{
  g_autoptr(GString) body = g_string_new ("{\"changes\":[");
  g_autofree char *store_id = pos_database_get_setting (db, "store_id");
  gint64 now = g_get_real_time () / 1000;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *id = g_strdup_printf ("ev-%s-%06u", customer_id, i);
      g_autofree char *data = NULL;
      g_autofree char *summary = g_strdup_printf ("Event %u of %u", n - i, n);
      guint c = i % G_N_ELEMENTS (channels);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "customer_id");
      json_builder_add_string_value (b, customer_id);
      json_builder_set_member_name (b, "channel");
      json_builder_add_string_value (b, channels[c]);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kinds[c]);
      json_builder_set_member_name (b, "occurred_at");
      json_builder_add_int_value (b, now - (gint64) (i + 1) * 3600 * 1000);
      if (c == 0 && store_id != NULL)
        {
          json_builder_set_member_name (b, "store_id");
          json_builder_add_string_value (b, store_id);
        }
      if (g_str_equal (kinds[c], "purchase") || g_str_equal (kinds[c], "order_placed"))
        {
          json_builder_set_member_name (b, "amount");
          json_builder_add_int_value (b, 1000 + (i * 37) % 50000);
          json_builder_set_member_name (b, "currency");
          json_builder_add_string_value (b, "BRL");
        }
      json_builder_set_member_name (b, "summary");
      json_builder_add_string_value (b, summary);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      data = json_to_string (node, FALSE);
      pos_sync_change_append_json (body, "customers", "customer_event", id, POS_SYNC_CHANGE_UPSERT, 1, data);
    }
  return apply (db, body, n);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosDatabase) db = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) body = g_string_new ("{\"changes\":[");
  g_autofree char *store_id = NULL;
  JsonArray *changes;

  if (argc == 5 && g_str_equal (argv[2], "--events"))
    {
      db = pos_database_open (argv[1], &error);
      if (db == NULL)
        {
          fprintf (stderr, "customer-seed: %s\n", error->message);
          return 1;
        }
      return many_events (db, argv[3], (guint) strtoul (argv[4], NULL, 10));
    }
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s DATABASE CHANGES.json | DATABASE --events CUSTOMER_ID N\n", argv[0]);
      return 2;
    }
  db = pos_database_open (argv[1], &error);
  if (db == NULL || !json_parser_load_from_file (parser, argv[2], &error))
    {
      fprintf (stderr, "customer-seed: %s\n", error->message);
      return 1;
    }
  store_id = pos_database_get_setting (db, "store_id");
  changes = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *change = json_array_get_object_element (changes, i);
      const char *entity = json_object_get_string_member (change, "entity");
      JsonObject *data = json_object_get_object_member (change, "data");
      const char *stream = json_object_get_string_member_with_default (change, "stream",
                                                                       g_str_equal (entity, "pickup_order") ? "pickups" : "customers");
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *text = NULL;

      if (g_strcmp0 (json_object_get_string_member_with_default (data, "store_id", NULL), "HERE") == 0)
        json_object_set_string_member (data, "store_id", store_id);
      node = json_node_init_object (json_node_alloc (), data);
      text = json_to_string (node, FALSE);
      pos_sync_change_append_json (body, stream, entity, json_object_get_string_member (data, "id"),
                                   POS_SYNC_CHANGE_UPSERT,
                                   json_object_get_int_member_with_default (change, "version", 1), text);
    }
  return apply (db, body, json_array_get_length (changes));
}
