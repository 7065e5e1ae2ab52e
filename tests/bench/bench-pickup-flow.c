/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench-pickup-flow.h"
#include "terminal/pos-sync-engine.h"

CentralHarness *
bench_pickup_setup (const char   *dir,
                    char        **out_key,
                    char        **out_path,
                    PosDatabase **out_db)
{
  g_autoptr(GError) error = NULL;
  CentralHarness *h;

  h = bench_central_start (&error);
  if (h == NULL)
    bench_die ("central: %s", error->message);
  if (!bench_central_import (h, dir, 1, 50, 0, &error))
    bench_die ("catalog import: %s", error->message);
  *out_key = central_harness_channel_key (h, &error);
  if (*out_key == NULL)
    bench_die ("channel key: %s", error->message);
  *out_path = bench_terminal_new (h, dir, "pickup", "001", FALSE, &error);
  if (*out_path == NULL)
    bench_die ("terminal: %s", error->message);
  *out_db = pos_database_open (*out_path, &error);
  if (*out_db == NULL)
    bench_die ("%s: %s", *out_path, error->message);
  return h;
}

typedef struct {
  GMainLoop          *loop;
  BenchOrderSeenFunc  seen;
  gpointer            user_data;
  const char         *ref;
  gboolean            found;
  guint               signals;
} Waiter;

static void
check_order (Waiter *w)
{
  if (w->found || w->ref == NULL)
    return;
  w->found = w->seen (w->ref, w->user_data);
  if (w->found)
    g_main_loop_quit (w->loop);
}

static gboolean
on_poll (gpointer user_data)
{
  check_order (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  Waiter *w = user_data;

  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

static void
on_changes_applied (PosSyncEngine *engine,
                    GStrv          streams,
                    gpointer       user_data)
{
  Waiter *w = user_data;

  w->signals++;
  check_order (w);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_loop_for (GMainLoop *loop,
              guint      ms)
{
  g_timeout_add (ms, quit_loop, loop);
  g_main_loop_run (loop);
}

static char *
order_body (guint run,
            guint i)
{
  g_autofree char *sku1 = bench_sku (1 + i % 20);
  g_autofree char *sku2 = bench_sku (21 + i % 20);

  return g_strdup_printf ("{\"external_ref\":\"BENCH-%u-%u\",\"channel\":\"web\",\"fulfilment\":\"pickup\","
                          "\"store_code\":\"001\",\"paid\":true,\"currency\":\"BRL\","
                          "\"lines\":[{\"sku\":\"%s\",\"quantity\":1000,\"unit_price\":%" G_GINT64_FORMAT "},"
                          "{\"sku\":\"%s\",\"quantity\":2000,\"unit_price\":%" G_GINT64_FORMAT "}],"
                          "\"notes\":\"bench\"}",
                          run, i, sku1, bench_price (1 + i % 20), sku2, bench_price (21 + i % 20));
}

/* order.<member> of a channel order's answer. */
static char *
order_member_of (GByteArray *answer,
                 const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *order;

  if (!json_parser_load_from_data (parser, (const char *) answer->data, answer->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (order = json_object_get_object_member (json_node_get_object (root), "order")) == NULL ||
      !json_object_has_member (order, member))
    return NULL;
  return g_strdup (json_object_get_string_member (order, member));
}

void
bench_pickup_orders_run (CentralHarness     *h,
                         const char         *key,
                         const char         *path,
                         guint               n,
                         const char         *member,
                         BenchOrderSeenFunc  seen,
                         gpointer            user_data,
                         BenchOrderFigures  *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosSyncEngine) engine = NULL;
  g_autoptr(BenchHttp) http = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  Waiter w = { .loop = loop, .seen = seen, .user_data = user_data };
  guint run = (guint) (g_get_real_time () / 1000000);
  gulong handler;

  out->seen_us = bench_samples_new ();
  out->after_us = bench_samples_new ();
  out->post_us = bench_samples_new ();
  out->missed = 0;

  engine = pos_sync_engine_new (path);
  handler = g_signal_connect (engine, "changes-applied", G_CALLBACK (on_changes_applied), &w);
  pos_sync_engine_start (engine);
  /* Let it settle into its long poll. */
  run_loop_for (loop, 1000);

  http = bench_http_new (central_harness_url (h), key);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = order_body (run, i);
      g_autoptr(GByteArray) answer = g_byte_array_new ();
      g_autofree char *ref = NULL;
      gint64 t0, us = 0, t_post;
      guint status, poll, deadline;

      run_loop_for (loop, (guint) g_rand_int_range (rand, 20, 121));

      t0 = g_get_monotonic_time ();
      status = bench_http_request (http, "POST", "/v1/channel/orders", body, strlen (body), FALSE,
                                   answer, &us, &error);
      t_post = g_get_monotonic_time ();
      if (status != 201)
        bench_die ("POST /v1/channel/orders: %u %s%.*s", status, error ? error->message : "",
                 (int) answer->len, (const char *) answer->data);
      ref = order_member_of (answer, member);
      if (ref == NULL)
        bench_die ("channel order answer without order.%s: %.*s", member,
                   (int) answer->len, (const char *) answer->data);
      bench_samples_add (out->post_us, us);

      w.found = FALSE;
      w.ref = ref;
      check_order (&w);
      if (!w.found)
        {
          poll = g_timeout_add (1, on_poll, &w);
          deadline = g_timeout_add (15000, on_deadline, &w);
          g_main_loop_run (loop);
          g_source_remove (poll);
          if (w.found)
            g_source_remove (deadline);
        }
      w.ref = NULL;
      if (!w.found)
        {
          out->missed++;
          continue;
        }
      bench_samples_add (out->seen_us, g_get_monotonic_time () - t0);
      bench_samples_add (out->after_us, g_get_monotonic_time () - t_post);
    }

  pos_sync_engine_stop (engine);
  g_signal_handler_disconnect (engine, handler);
  out->signals = w.signals;
}

void
bench_order_figures_print (const BenchOrderFigures *f,
                           guint                    n,
                           const char              *tag,
                           const char              *where,
                           const char              *seen_as)
{
  g_autofree char *label = g_strdup_printf ("order POSTed -> %s", seen_as);

  printf ("%s: %u web orders for pickup, channel API -> central -> running engine (long poll) -> %s\n",
          tag, n, where);
  printf ("  seen at the terminal: %u, missed (> 15 s): %u; \"changes-applied\" emitted %u times\n",
          f->seen_us->len, f->missed, f->signals);
  bench_print_header ();
  bench_print_latency (label, f->seen_us);
  bench_print_latency ("  of which after the POST returned", f->after_us);
  bench_print_latency ("baseline: the POST round trip", f->post_us);
  bench_print_ratio ("ratio", f->seen_us, f->post_us);
  printf ("  p95 %.0f ms (target < 1000 ms)\n", bench_percentile (f->seen_us, 95) / 1000.0);
}

void
bench_order_figures_clear (BenchOrderFigures *f)
{
  g_clear_pointer (&f->seen_us, g_array_unref);
  g_clear_pointer (&f->after_us, g_array_unref);
  g_clear_pointer (&f->post_us, g_array_unref);
}
