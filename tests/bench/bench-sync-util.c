/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-bench"

#include "config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-sync-util.h"
#include "domain/pos-barcode.h"
#include "domain/pos-cart.h"
#include "domain/pos-sync-wire.h"
#include "terminal/pos-catalog.h"
#include "terminal/pos-sales.h"
#include "terminal/pos-shifts.h"
#include "terminal/pos-sync-engine.h"

static CentralHarness *current_harness;
static char           *current_dir;

/* ------------------------------------------------------------------ */
/* Figures                                                             */

GArray *
bench_samples_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (gint64));
}

void
bench_samples_add (GArray *samples,
                   gint64  us)
{
  g_array_append_val (samples, us);
}

static int
cmp_i64 (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

gint64
bench_percentile (GArray *samples,
                  guint   p)
{
  guint n = samples->len;
  guint i;

  if (n == 0)
    return 0;
  qsort (samples->data, n, sizeof (gint64), cmp_i64);
  i = (guint) (((guint64) n * p + 99) / 100);
  return g_array_index (samples, gint64, i == 0 ? 0 : MIN (i, n) - 1);
}

void
bench_print_header (void)
{
  printf ("  %-44s %7s %10s %10s %10s %10s\n", "(ms)", "n", "p50", "p95", "p99", "max");
}

void
bench_print_latency (const char *label,
                     GArray     *samples)
{
  printf ("  %-44s %7u %10.3f %10.3f %10.3f %10.3f\n", label, samples->len,
          bench_percentile (samples, 50) / 1000.0, bench_percentile (samples, 95) / 1000.0,
          bench_percentile (samples, 99) / 1000.0, bench_percentile (samples, 100) / 1000.0);
}

static double
ratio (gint64 a,
       gint64 b)
{
  return b > 0 ? (double) a / (double) b : 0.0;
}

void
bench_print_ratio (const char *label,
                   GArray     *a,
                   GArray     *b)
{
  printf ("  %-44s %7s %9.2fx %9.2fx %9.2fx\n", label, "",
          ratio (bench_percentile (a, 50), bench_percentile (b, 50)),
          ratio (bench_percentile (a, 95), bench_percentile (b, 95)),
          ratio (bench_percentile (a, 99), bench_percentile (b, 99)));
}

/* ------------------------------------------------------------------ */
/* Raw HTTP                                                            */

struct _BenchHttp {
  CURL              *easy;
  char              *base_url;
  char              *auth_header;
  guint64            bytes_in;     /* answer bodies, decoded */
  guint64            wire_in;      /* answer bodies as received (gzip) */
};

BenchHttp *
bench_http_new (const char *base_url,
                const char *token)
{
  BenchHttp *http = g_new0 (BenchHttp, 1);

  http->easy = curl_easy_init ();
  g_assert (http->easy != NULL);
  http->base_url = g_strdup (base_url);
  if (token != NULL)
    http->auth_header = g_strdup_printf ("Authorization: Bearer %s", token);
  return http;
}

void
bench_http_free (BenchHttp *http)
{
  if (http == NULL)
    return;
  curl_easy_cleanup (http->easy);
  g_free (http->base_url);
  g_free (http->auth_header);
  g_free (http);
}

guint64
bench_http_bytes_in (BenchHttp *http)
{
  return http->bytes_in;
}

guint64
bench_http_wire_in (BenchHttp *http)
{
  return http->wire_in;
}

typedef struct {
  BenchHttp  *http;
  GByteArray *out;
} WriteTarget;

static size_t
on_write (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  WriteTarget *target = user_data;

  target->http->bytes_in += size * nmemb;
  if (target->out != NULL)
    g_byte_array_append (target->out, (const guint8 *) data, (guint) (size * nmemb));
  return size * nmemb;
}

guint
bench_http_request (BenchHttp   *http,
                    const char  *method,
                    const char  *path,
                    const void  *body,
                    gsize        body_len,
                    gboolean     gzipped,
                    GByteArray  *out,
                    gint64      *out_us,
                    GError     **error)
{
  g_autofree char *url = g_strconcat (http->base_url, path, NULL);
  struct curl_slist *headers = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  WriteTarget target = { http, out };
  curl_off_t down = 0;
  long status = 0;
  gint64 t0;
  CURLcode rc;

  if (out != NULL)
    g_byte_array_set_size (out, 0);
  curl_easy_reset (http->easy);
  curl_easy_setopt (http->easy, CURLOPT_URL, url);
  curl_easy_setopt (http->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (http->easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (http->easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (http->easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (http->easy, CURLOPT_WRITEDATA, &target);
  curl_easy_setopt (http->easy, CURLOPT_TIMEOUT, 120L);
  headers = curl_slist_append (headers, "Accept: application/json");
  headers = curl_slist_append (headers, "Expect:");
  if (http->auth_header != NULL)
    headers = curl_slist_append (headers, http->auth_header);
  if (body != NULL)
    {
      headers = curl_slist_append (headers, "Content-Type: application/json");
      if (gzipped)
        headers = curl_slist_append (headers, "Content-Encoding: gzip");
      curl_easy_setopt (http->easy, CURLOPT_POST, 1L);
      curl_easy_setopt (http->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
      curl_easy_setopt (http->easy, CURLOPT_POSTFIELDS, body);
    }
  if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "POST") != 0)
    curl_easy_setopt (http->easy, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (http->easy, CURLOPT_HTTPHEADER, headers);

  t0 = g_get_monotonic_time ();
  rc = curl_easy_perform (http->easy);
  if (out_us != NULL)
    *out_us = g_get_monotonic_time () - t0;
  curl_slist_free_all (headers);
  curl_easy_setopt (http->easy, CURLOPT_HTTPHEADER, NULL);

  if (rc != CURLE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", method, url,
                   errbuf[0] ? errbuf : curl_easy_strerror (rc));
      return 0;
    }
  curl_easy_getinfo (http->easy, CURLINFO_RESPONSE_CODE, &status);
  if (curl_easy_getinfo (http->easy, CURLINFO_SIZE_DOWNLOAD_T, &down) == CURLE_OK)
    http->wire_in += (guint64) down;
  return (guint) status;
}

static JsonObject *
parse_object (GByteArray  *body,
              JsonParser  *parser,
              GError     **error)
{
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) body->data, body->len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

gboolean
bench_enroll_http (const char  *base_url,
                   const char  *enrol_token,
                   char       **out_token,
                   char       **out_terminal_id,
                   char       **out_store_id,
                   GError     **error)
{
  g_autoptr(BenchHttp) http = bench_http_new (base_url, NULL);
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) body = g_string_new ("{\"token\":");
  JsonObject *obj, *terminal, *store;
  guint status;

  pos_sync_append_json_string (body, enrol_token);
  g_string_append_c (body, '}');
  status = bench_http_request (http, "POST", "/v1/enroll", body->str, body->len, FALSE,
                               answer, NULL, error);
  if (status == 0)
    return FALSE;
  if (status != 201)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST /v1/enroll: %u %.*s",
                   status, (int) answer->len, (const char *) answer->data);
      return FALSE;
    }
  obj = parse_object (answer, parser, error);
  if (obj == NULL)
    return FALSE;
  terminal = json_object_get_object_member (obj, "terminal");
  store = json_object_get_object_member (obj, "store");
  if (!json_object_has_member (obj, "token") || terminal == NULL || store == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "enrolment answer without token, terminal or store");
      return FALSE;
    }
  *out_token = g_strdup (json_object_get_string_member (obj, "token"));
  if (out_terminal_id != NULL)
    *out_terminal_id = g_strdup (json_object_get_string_member (terminal, "id"));
  if (out_store_id != NULL)
    *out_store_id = g_strdup (json_object_get_string_member (store, "id"));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The sink: libsoup's server on its own thread and main context       */

struct _BenchSink {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;
  GError       *error;
  GMutex        lock;
  GCond         ready;
  gboolean      started;
  guint64       bytes;   /* only touched on the sink's thread until stop */
};

static void
sink_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  BenchSink *sink = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  sink->bytes += (guint64) body->length;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static gpointer
sink_thread (gpointer user_data)
{
  BenchSink *sink = user_data;
  GError *error = NULL;

  g_main_context_push_thread_default (sink->context);
  sink->server = soup_server_new ("server-header", "bench-sink", NULL);
  soup_server_add_handler (sink->server, NULL, sink_handler, sink, NULL);
  if (soup_server_listen_local (sink->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      GSList *uris = soup_server_get_uris (sink->server);
      GUri *uri = uris->data;

      sink->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&sink->lock);
  sink->error = error;
  sink->started = TRUE;
  g_cond_signal (&sink->ready);
  g_mutex_unlock (&sink->lock);

  if (error == NULL)
    g_main_loop_run (sink->loop);
  soup_server_disconnect (sink->server);
  g_clear_object (&sink->server);
  while (g_main_context_iteration (sink->context, FALSE))
    ;
  g_main_context_pop_thread_default (sink->context);
  return NULL;
}

BenchSink *
bench_sink_start (GError **error)
{
  BenchSink *sink = g_new0 (BenchSink, 1);

  g_mutex_init (&sink->lock);
  g_cond_init (&sink->ready);
  sink->context = g_main_context_new ();
  sink->loop = g_main_loop_new (sink->context, FALSE);
  sink->thread = g_thread_new ("bench-sink", sink_thread, sink);
  g_mutex_lock (&sink->lock);
  while (!sink->started)
    g_cond_wait (&sink->ready, &sink->lock);
  g_mutex_unlock (&sink->lock);
  if (sink->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sink->error));
      bench_sink_stop (sink);
      return NULL;
    }
  return sink;
}

const char *
bench_sink_url (BenchSink *sink)
{
  return sink->url;
}

guint64
bench_sink_bytes (BenchSink *sink)
{
  return sink->bytes;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
bench_sink_stop (BenchSink *sink)
{
  if (sink == NULL)
    return;
  g_main_context_invoke (sink->context, quit_loop, sink->loop);
  g_thread_join (sink->thread);
  g_main_loop_unref (sink->loop);
  g_main_context_unref (sink->context);
  g_mutex_clear (&sink->lock);
  g_cond_clear (&sink->ready);
  g_free (sink->url);
  g_free (sink);
}

/* ------------------------------------------------------------------ */
/* Catalogs                                                            */

static const char *const kinds[] = {
  "Arroz Tipo 1", "Feijão Carioca", "Café Torrado", "Leite Integral", "Açúcar Refinado",
  "Óleo de Soja", "Macarrão Espaguete", "Farinha de Trigo", "Biscoito Recheado",
  "Sabão em Pó", "Detergente Líquido", "Papel Higiênico", "Creme Dental", "Iogurte Natural",
  "Suco de Laranja", "Água Mineral", "Molho de Tomate", "Sardinha em Lata", "Chocolate ao Leite",
  "Queijo Prato",
};
static const char *const brands[] = {
  "Tio João", "Camil", "Pilão", "Itambé", "União", "Soya", "Renata", "Dona Benta",
  "Bauducco", "Omo", "Ypê", "Neve", "Colgate", "Nestlé", "Del Valle", "Crystal",
  "Pomarola", "Gomes da Costa", "Garoto", "Tirolez",
};
static const char *const sizes[] = { "1kg", "500g", "1L", "2L", "200g", "5kg", "350ml", "12un" };

char *
bench_sku (guint i)
{
  return g_strdup_printf ("BENCH%07u", i);
}

char *
bench_barcode (guint i)
{
  char digits[14];

  g_snprintf (digits, sizeof digits, "789%09u", i);
  digits[12] = (char) ('0' + pos_gtin_check_digit (digits, 12));
  digits[13] = '\0';
  return g_strdup (digits);
}

gint64
bench_price (guint i)
{
  return 199 + (gint64) ((i * 7919u) % 9800u);
}

gboolean
bench_write_catalog_csv (const char  *path,
                         guint        first,
                         guint        count,
                         gint64       price_bump,
                         GError     **error)
{
  g_autoptr(GString) csv = g_string_sized_new ((gsize) count * 110 + 100);

  g_string_append (csv, "sku,name,brand,price,barcode,unit,tax_class,tax_rate\n");
  for (guint i = first; i < first + count; i++)
    {
      g_autofree char *sku = bench_sku (i);
      g_autofree char *barcode = bench_barcode (i);
      gint64 price = bench_price (i) + price_bump;
      guint k = i % G_N_ELEMENTS (kinds);

      g_string_append_printf (csv, "%s,%s %s %u %s,%s,%" G_GINT64_FORMAT ".%02d,%s,un,%s,%s\n",
                              sku, kinds[k], brands[(i / 7) % G_N_ELEMENTS (brands)], i,
                              sizes[(i / 3) % G_N_ELEMENTS (sizes)],
                              brands[(i / 7) % G_N_ELEMENTS (brands)],
                              price / 100, (int) (price % 100), barcode,
                              k < 12 ? "std" : "food", k < 12 ? "18" : "7");
    }
  return g_file_set_contents (path, csv->str, (gssize) csv->len, error);
}

gboolean
bench_central_import (CentralHarness *h,
                      const char     *dir,
                      guint           first,
                      guint           count,
                      gint64          price_bump,
                      GError        **error)
{
  g_autofree char *name = g_strdup_printf ("catalog-%u-%u-%" G_GINT64_FORMAT ".csv", first, count, price_bump);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *out = NULL;
  const char *args[] = { "catalog", "import", path, NULL };
  gboolean ok;

  if (!bench_write_catalog_csv (path, first, count, price_bump, error))
    return FALSE;
  ok = central_harness_run (h, args, &out, error);
  g_unlink (path);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Terminals                                                           */

char *
bench_terminal_new (CentralHarness *h,
                    const char     *dir,
                    const char     *name,
                    const char     *store_code,
                    gboolean        skip_first_sync,
                    GError        **error)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *token = NULL;

  token = central_harness_enroll_token (h, store_code, error);
  if (token == NULL ||
      !pos_sync_enroll (path, central_harness_url (h), token, NULL, error))
    return NULL;
  if (!skip_first_sync && !pos_sync_run_once (path, NULL, error))
    return NULL;
  return g_steal_pointer (&path);
}

/* Sales need someone signed in and an open shift: a seller of the
 * terminal's store is made here when nobody is (the benchmarks' central has
 * no staff), and opens a shift. */
#define BENCH_SELLER "0190be0c-0000-7000-8000-00000000c0de"

static gboolean
counter_open (PosDatabase *db,
              GError     **error)
{
  g_autofree char *staff = pos_database_get_staff_id (db);
  g_autofree char *shift = NULL;
  g_autoptr(GError) local_error = NULL;

  if (staff == NULL)
    {
      g_autofree char *store = pos_database_get_setting (db, "store_id");
      sqlite3_stmt *stmt = pos_database_prepare_cached (db,
          "INSERT INTO staff (id, store_id, code, name, role) VALUES (?1, ?2, 'BENCH-SELLER', 'Vendedor', 'supervisor') "
          "ON CONFLICT (id) DO UPDATE SET active = 1", error);

      if (stmt == NULL)
        return FALSE;
      pos_database_bind_text (stmt, 1, BENCH_SELLER);
      pos_database_bind_text (stmt, 2, store);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          return pos_database_set_error (db, error, "adding the seller");
        }
      sqlite3_reset (stmt);
      if (!pos_database_set_setting (db, "staff_id", BENCH_SELLER, error))
        return FALSE;
    }
  shift = pos_shifts_get_open_id (db, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (shift == NULL)
    {
      shift = pos_shifts_open (db, NULL, 0, 0, error);
      return shift != NULL;
    }
  return TRUE;
}

gboolean
bench_queue_sales (PosDatabase *db,
                   guint        n,
                   guint        n_products,
                   GError     **error)
{
  GRand *rand = g_rand_new_with_seed (42);
  gboolean ok = FALSE;

  if (!counter_open (db, error))
    goto out;
  if (!pos_database_exec (db, "PRAGMA synchronous=OFF", error))
    goto out;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosCart) cart = pos_cart_new ("BRL", POS_TAX_INCLUSIVE);
      g_autofree char *id = NULL;
      PosCartTotals totals;

      for (guint l = 0; l < 3; l++)
        {
          g_autofree char *code = bench_barcode ((guint) g_rand_int_range (rand, 1, (gint32) n_products + 1));
          g_autoptr(PosProduct) product = pos_catalog_lookup_barcode (db, code, error);
          g_autoptr(PosCartLine) line = NULL;

          if (product == NULL)
            {
              g_prefix_error (error, "barcode %s: ", code);
              goto out;
            }
          line = pos_cart_line_new (pos_product_get_id (product),
                                    pos_product_get_sku (product),
                                    pos_product_get_name (product),
                                    pos_product_get_barcode (product),
                                    pos_product_get_price (product),
                                    pos_product_get_tax_rate_bp (product),
                                    pos_product_get_weighed (product));
          pos_cart_add_line (cart, line, 1000 * (gint64) g_rand_int_range (rand, 1, 4));
        }
      pos_cart_get_totals (cart, &totals);
      if (!pos_cart_add_payment (cart, POS_PAYMENT_CASH, (totals.due + 99) / 100 * 100,
                                 NULL, NULL, error))
        goto out;
      id = pos_sales_commit (db, cart, NULL, error);
      if (id == NULL)
        goto out;
    }
  ok = TRUE;

out:
  pos_database_exec (db, "PRAGMA synchronous=FULL", NULL);
  g_rand_free (rand);
  return ok;
}

CentralHarness *
bench_central_start (GError **error)
{
  g_autoptr(CentralHarness) h = central_harness_start (error);
  g_autofree char *fsync = NULL;
  g_autofree char *commit = NULL;

  if (h == NULL ||
      (fsync = central_harness_query (h, "SHOW fsync", error)) == NULL ||
      (commit = central_harness_query (h, "SHOW synchronous_commit", error)) == NULL)
    return NULL;
  printf ("central: balcao-central at %s; its PostgreSQL (%s) runs with fsync %s, synchronous_commit %s\n",
          central_harness_url (h), central_harness_conninfo (h), g_strstrip (fsync), g_strstrip (commit));
  fflush (stdout);
  current_harness = h;
  return g_steal_pointer (&h);
}

gint64
bench_db_count (PosDatabase *db,
                const char  *sql)
{
  sqlite3 *h = pos_database_get_handle (db);
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_prepare_v2 (h, sql, -1, &stmt, NULL) != SQLITE_OK)
    bench_die ("%s: %s", sql, sqlite3_errmsg (h));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

gint64
bench_central_count (CentralHarness *h,
                     const char     *sql)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = central_harness_query (h, sql, &error);

  if (out == NULL)
    bench_die ("%s: %s", sql, error->message);
  return g_ascii_strtoll (g_strstrip (out), NULL, 10);
}

char *
bench_tmpdir_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("balcao-bench-XXXXXX", &error);

  if (dir == NULL)
    bench_die ("cannot make a temporary folder: %s", error->message);
  g_free (current_dir);
  current_dir = g_strdup (dir);
  return dir;
}

void
bench_tmpdir_remove (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (dir == NULL || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        bench_tmpdir_remove (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

void
bench_finish (void)
{
  g_clear_pointer (&current_harness, central_harness_free);
  if (current_dir != NULL)
    bench_tmpdir_remove (current_dir);
  g_clear_pointer (&current_dir, g_free);
}

void
bench_die (const char *format,
           ...)
{
  va_list args;

  fflush (stdout);
  fprintf (stderr, "%s: ", g_get_prgname () ? g_get_prgname () : "bench");
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fprintf (stderr, "\n");
  bench_finish ();
  exit (1);
}
