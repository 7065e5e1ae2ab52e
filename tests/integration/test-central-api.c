/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-test"

#include "config.h"

#include <check.h>
#include <string.h>
#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "domain/pos-cpf.h"
#include "domain/pos-pin.h"
#include "domain/pos-uuid.h"
#include "central-harness.h"

/* balcao-central's HTTP API against a real PostgreSQL: enrolment,
 * authentication, bodies, push, pull/snapshot/wait, the channel API. */

static CentralHarness *H;
static char *channel_key;
static char *store1_id;
static char *store2_id;

/* ------------------------------------------------------------------ */
/* HTTP with libcurl                                                   */

typedef struct {
  long      status;
  GString  *body;
  char     *content_encoding;
  JsonNode *json;
} Reply;

static void
reply_free (Reply *r)
{
  if (r == NULL)
    return;
  g_string_free (r->body, TRUE);
  g_free (r->content_encoding);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static size_t
collect (char  *ptr,
         size_t size,
         size_t nmemb,
         void  *data)
{
  g_string_append_len (data, ptr, (gssize) (size * nmemb));
  return size * nmemb;
}

static size_t
header_cb (char  *ptr,
           size_t size,
           size_t nmemb,
           void  *data)
{
  Reply *r = data;
  g_autofree char *line = g_strndup (ptr, size * nmemb);

  if (g_ascii_strncasecmp (line, "Content-Encoding:", 17) == 0)
    {
      g_free (r->content_encoding);
      r->content_encoding = g_strstrip (g_strdup (line + 17));
    }
  return size * nmemb;
}

typedef struct {
  const char *content_type;   /* default application/json when there is a body */
  const char *encoding;       /* Content-Encoding */
  gboolean    accept_gzip;
  gsize       length;         /* body length; 0 = strlen */
} Opts;

static Reply *
http_full (const char *method,
           const char *path,
           const char *token,
           const char *body,
           const Opts *opts)
{
  g_autofree char *url = g_strconcat (central_harness_url (H), path, NULL);
  g_autofree char *auth = token != NULL ? g_strconcat ("Authorization: Bearer ", token, NULL) : NULL;
  g_autofree char *ctype = NULL;
  g_autofree char *cenc = NULL;
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();
  Reply *r = g_new0 (Reply, 1);
  CURLcode rc;

  r->body = g_string_new (NULL);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, r->body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, r);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 90L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  if (auth != NULL)
    headers = curl_slist_append (headers, auth);
  if (body != NULL)
    {
      ctype = g_strconcat ("Content-Type: ", opts && opts->content_type ? opts->content_type : "application/json", NULL);
      headers = curl_slist_append (headers, ctype);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE,
                        (curl_off_t) (opts && opts->length ? opts->length : strlen (body)));
    }
  if (opts != NULL && opts->encoding != NULL)
    {
      cenc = g_strconcat ("Content-Encoding: ", opts->encoding, NULL);
      headers = curl_slist_append (headers, cenc);
    }
  if (opts != NULL && opts->accept_gzip)
    headers = curl_slist_append (headers, "Accept-Encoding: gzip");
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  rc = curl_easy_perform (curl);
  ck_assert_msg (rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror (rc));
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &r->status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);

  if (r->body->len > 0 && r->content_encoding == NULL)
    r->json = json_from_string (r->body->str, NULL);
  return r;
}

static Reply *
http (const char *method,
      const char *path,
      const char *token,
      const char *body)
{
  return http_full (method, path, token, body, NULL);
}

static JsonObject *
obj (Reply *r)
{
  ck_assert_msg (r->json != NULL && JSON_NODE_HOLDS_OBJECT (r->json), "not a JSON object: %s", r->body->str);
  return json_node_get_object (r->json);
}

static void
assert_error (Reply      *r,
              long        status,
              const char *code)
{
  ck_assert_msg (r->status == status, "expected %ld, got %ld: %s", status, r->status, r->body->str);
  ck_assert_str_eq (json_object_get_string_member (obj (r), "code"), code);
  ck_assert_msg (json_object_has_member (obj (r), "message"), "no message: %s", r->body->str);
}

static char *
query (const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *out = central_harness_query (H, sql, &error);

  ck_assert_msg (out != NULL, "%s: %s", sql, error ? error->message : "");
  return out;
}

static gint64
query_int (const char *sql)
{
  g_autofree char *out = query (sql);

  return g_ascii_strtoll (out, NULL, 10);
}

static char *
enrol (const char *store_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = central_harness_enroll_token (H, store_code, &error);
  g_autofree char *body = NULL;
  g_autoptr(Reply) r = NULL;

  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  ck_assert (g_str_has_prefix (token, "be_"));
  body = g_strdup_printf ("{\"token\":\"%s\",\"name\":\"Caixa de teste\"}", token);
  r = http ("POST", "/v1/enroll", NULL, body);
  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  return g_strdup (json_object_get_string_member (obj (r), "token"));
}

/* A push body with one operation. */
static char *
one_op (const char *op_id,
        gint64      seq,
        const char *type,
        const char *entity_id,
        const char *payload)
{
  return g_strdup_printf ("{\"operations\":[{\"op_id\":\"%s\",\"seq\":%" G_GINT64_FORMAT ",\"type\":\"%s\","
                          "\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":%" G_GINT64_FORMAT "}]}",
                          op_id, seq, type, entity_id, payload, g_get_real_time () / 1000);
}

static char *
json_str (const char *text)
{
  g_autoptr(JsonNode) n = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (n, text);
  return json_to_string (n, FALSE);
}

static char *
sale_payload (const char *id,
              const char *store_id,
              const char *customer_id,
              const char *note,
              const char *sku,
              gint64      delta)
{
  g_autofree char *note_json = json_str (note != NULL ? note : "");
  g_autofree char *mov = pos_uuid7_new ();
  g_autofree char *cust = customer_id ? g_strdup_printf ("\"%s\"", customer_id) : g_strdup ("null");

  return g_strdup_printf ("{\"id\":\"%s\",\"number\":\"001-01-000001\",\"kind\":\"sale\",\"store_id\":\"%s\","
                          "\"terminal_id\":\"t\",\"customer_id\":%s,\"currency\":\"BRL\",\"tax_mode\":\"inclusive\","
                          "\"subtotal\":1000,\"line_discounts\":0,\"sale_discount\":0,\"total\":1000,\"tax_total\":0,"
                          "\"approx_tax\":0,\"paid\":1000,\"change_given\":0,\"note\":%s,\"created_at\":%" G_GINT64_FORMAT
                          ",\"business_date\":\"2025-01-01\",\"lines\":[],\"payments\":[],"
                          "\"stock_movements\":[{\"id\":\"%s\",\"sku\":\"%s\",\"delta\":%" G_GINT64_FORMAT ",\"reason\":\"sale\"}]}",
                          id, store_id, cust, note_json, g_get_real_time () / 1000, mov, sku, delta);
}

static JsonObject *
result_of (Reply *r,
           guint  i)
{
  JsonArray *results;

  ck_assert_msg (r->status == 200, "push: %ld %s", r->status, r->body->str);
  results = json_object_get_array_member (obj (r), "results");
  ck_assert_uint_gt (json_array_get_length (results), i);
  return json_array_get_object_element (results, i);
}

static char *
latest_cursor (const char *token)
{
  char *cursor = g_strdup ("");

  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("/v1/sync/pull?limit=5000&cursor=%s", cursor);
      g_autoptr(Reply) r = http ("GET", path, token, NULL);

      ck_assert_msg (r->status == 200, "%s", r->body->str);
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (obj (r), "next_cursor"));
      if (!json_object_get_boolean_member (obj (r), "has_more"))
        return cursor;
    }
}

static char *
create_order (const char *external_ref,
              const char *store_code,
              gboolean    paid,
              const char *customer_id,
              char      **code)
{
  g_autofree char *cust = customer_id ? g_strdup_printf (",\"customer_id\":\"%s\"", customer_id) : g_strdup ("");
  g_autofree char *body = g_strdup_printf (
    "{\"external_ref\":\"%s\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":\"%s\","
    "\"paid\":%s,\"currency\":\"BRL\",\"lines\":[{\"sku\":\"ACU-1\",\"quantity\":2000,\"unit_price\":549}]%s}",
    external_ref, store_code, paid ? "true" : "false", cust);
  g_autoptr(Reply) r = http ("POST", "/v1/channel/orders", channel_key, body);
  JsonObject *order;

  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  order = json_object_get_object_member (obj (r), "order");
  if (code != NULL)
    *code = g_strdup (json_object_get_string_member (obj (r), "pickup_code"));
  return g_strdup (json_object_get_string_member (order, "id"));
}

static gint64
move_order (const char *id,
            const char *to)
{
  g_autofree char *path = g_strdup_printf ("/v1/channel/orders/%s/status", id);
  g_autofree char *body = g_strdup_printf ("{\"to\":\"%s\"}", to);
  g_autoptr(Reply) r = http ("POST", path, channel_key, body);

  ck_assert_msg (r->status == 200, "%ld %s", r->status, r->body->str);
  return json_object_get_int_member (json_object_get_object_member (obj (r), "order"), "version");
}

/* ------------------------------------------------------------------ */

START_TEST (test_health_routes)
{
  g_autoptr(Reply) ok = http ("GET", "/v1/health", NULL, NULL);
  g_autoptr(Reply) nope = http ("GET", "/v1/nope", NULL, NULL);
  g_autoptr(Reply) wrong = http ("DELETE", "/v1/health", NULL, NULL);

  ck_assert_int_eq (ok->status, 200);
  ck_assert_str_eq (json_object_get_string_member (obj (ok), "status"), "ok");
  assert_error (nope, 404, "not_found");
  assert_error (wrong, 405, "method_not_allowed");
}
END_TEST

START_TEST (test_enrolment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = central_harness_enroll_token (H, "001", &error);
  g_autofree char *body = g_strdup_printf ("{\"token\":\"%s\"}", token);
  g_autofree char *expired = central_harness_enroll_token (H, "002", &error);
  g_autofree char *expired_body = g_strdup_printf ("{\"token\":\"%s\"}", expired);
  g_autofree char *none = NULL;
  g_autoptr(Reply) first = NULL;
  g_autoptr(Reply) again = NULL;
  g_autoptr(Reply) late = NULL;
  g_autoptr(Reply) unknown = NULL;
  g_autoptr(Reply) missing = NULL;
  JsonObject *o;

  first = http ("POST", "/v1/enroll", NULL, body);
  ck_assert_msg (first->status == 201, "%s", first->body->str);
  o = obj (first);
  ck_assert (g_str_has_prefix (json_object_get_string_member (o, "token"), "bt_"));
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (o, "store"), "code"), "001");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (o, "terminal"), "store_id"),
                    store1_id);
  ck_assert (json_object_get_null_member (o, "cursor"));

  again = http ("POST", "/v1/enroll", NULL, body);
  assert_error (again, 401, "enrolment_token_invalid");

  /* Only hashes are kept. */
  none = query ("SELECT count (*) FROM enrolment_tokens WHERE token_hash LIKE 'be_%'");
  ck_assert_str_eq (none, "0");

  g_free (query ("UPDATE enrolment_tokens SET expires_at = 0 WHERE used_at IS NULL"));
  late = http ("POST", "/v1/enroll", NULL, expired_body);
  assert_error (late, 401, "enrolment_token_invalid");

  unknown = http ("POST", "/v1/enroll", NULL, "{\"token\":\"be_nothing\"}");
  assert_error (unknown, 401, "enrolment_token_invalid");
  missing = http ("POST", "/v1/enroll", NULL, "{\"name\":\"x\"}");
  assert_error (missing, 400, "bad_request");
}
END_TEST

START_TEST (test_auth)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *id = NULL;
  g_autoptr(Reply) none = http ("GET", "/v1/sync/pull", NULL, NULL);
  g_autoptr(Reply) bogus = http ("GET", "/v1/sync/pull", "bt_bogus", NULL);
  g_autoptr(Reply) good = http ("GET", "/v1/sync/pull?limit=1", token, NULL);
  g_autoptr(Reply) key_on_sync = http ("GET", "/v1/sync/pull", channel_key, NULL);
  g_autoptr(Reply) token_on_channel = http ("GET", "/v1/channel/orders/x", token, NULL);
  g_autoptr(Reply) no_key = http ("GET", "/v1/channel/orders/x", NULL, NULL);
  g_autoptr(Reply) revoked = NULL;
  g_autoptr(Reply) revoked_push = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);

  assert_error (none, 401, "unauthorized");
  assert_error (bogus, 401, "unauthorized");
  ck_assert_int_eq (good->status, 200);
  assert_error (key_on_sync, 403, "forbidden");
  assert_error (token_on_channel, 403, "forbidden");
  assert_error (no_key, 401, "unauthorized");

  sql = g_strdup_printf ("SELECT id FROM terminals WHERE token_hash = '%s'", hash);
  id = query (sql);
  {
    const char *args[] = { "terminal", "revoke", id, "--store", "001", NULL };
    ck_assert_msg (central_harness_run (H, args, NULL, &error), "%s", error ? error->message : "");
  }
  revoked = http ("GET", "/v1/sync/pull", token, NULL);
  assert_error (revoked, 401, "token_revoked");
  revoked_push = http ("POST", "/v1/sync/push", token, "{\"operations\":[]}");
  assert_error (revoked_push, 401, "token_revoked");
}
END_TEST

START_TEST (test_wrong_store)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *sale = pos_uuid7_new ();
  g_autofree char *op = pos_uuid7_new ();
  g_autofree char *payload = sale_payload (sale, store2_id, NULL, "x", "ACU-1", -1000);
  g_autofree char *body = one_op (op, 1, "sale.create", sale, payload);
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sales WHERE id = '%s'", sale);
  g_autoptr(Reply) r = NULL;
  gint64 moves = query_int ("SELECT count (*) FROM stock_movements");
  JsonObject *res;

  r = http ("POST", "/v1/sync/push", token, body);
  res = result_of (r, 0);
  ck_assert_str_eq (json_object_get_string_member (res, "status"), "rejected");
  ck_assert_str_eq (json_object_get_string_member (res, "code"), "wrong_store");
  ck_assert_int_eq (query_int (sql), 0);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM stock_movements"), moves);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM applied_ops WHERE op_id = '%s'", op);
  ck_assert_int_eq (query_int (sql), 0);
}
END_TEST

static GBytes *
gzip_bytes (const char *data,
            gsize       len)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) conv = g_converter_output_stream_new (mem, G_CONVERTER (z));

  ck_assert (g_output_stream_write_all (conv, data, len, NULL, NULL, NULL));
  ck_assert (g_output_stream_close (conv, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

START_TEST (test_bodies)
{
  g_autofree char *token = enrol ("001");
  g_autoptr(Reply) bad_json = http ("POST", "/v1/sync/push", token, "{\"operations\": [");
  g_autoptr(Reply) not_object = http ("POST", "/v1/sync/push", token, "[1,2]");
  g_autoptr(Reply) envelope = http ("POST", "/v1/sync/push", token, "{\"operations\": 3}");
  Opts gz = { .encoding = "gzip" };
  g_autoptr(Reply) bad_gzip = http_full ("POST", "/v1/sync/push", token, "this is not gzip", &gz);
  Opts text = { .content_type = "text/plain" };
  g_autoptr(Reply) wrong_type = http_full ("POST", "/v1/sync/push", token, "{}", &text);
  g_autoptr(Reply) big = NULL;
  g_autoptr(Reply) bomb = NULL;
  g_autoptr(Reply) many = NULL;
  g_autoptr(Reply) zipped = NULL;
  g_autoptr(Reply) gzipped_answer = NULL;
  g_autoptr(GString) ops = g_string_new ("{\"operations\":[");
  gsize size = 8 * 1024 * 1024 + 1;
  g_autofree char *huge = g_malloc (size + 1);

  assert_error (bad_json, 400, "bad_json");
  assert_error (not_object, 400, "bad_json");
  assert_error (envelope, 400, "bad_request");
  assert_error (bad_gzip, 400, "bad_encoding");
  assert_error (wrong_type, 415, "unsupported_media_type");

  memset (huge, ' ', size);
  huge[0] = '{';
  huge[size - 1] = '}';
  huge[size] = '\0';
  {
    Opts o = { .length = size };
    big = http_full ("POST", "/v1/sync/push", token, huge, &o);
    assert_error (big, 413, "body_too_large");
  }
  {
    g_autoptr(GBytes) z = gzip_bytes (huge, size);
    gsize zlen = 0;
    const char *zdata = g_bytes_get_data (z, &zlen);
    Opts o = { .encoding = "gzip", .length = zlen };

    bomb = http_full ("POST", "/v1/sync/push", token, zdata, &o);
    assert_error (bomb, 413, "body_too_large");
  }

  for (int i = 0; i < 201; i++)
    {
      g_autofree char *id = pos_uuid7_new ();
      g_string_append_printf (ops, "%s{\"op_id\":\"%s\",\"seq\":%d,\"type\":\"audit.append\",\"entity_id\":\"%s\","
                              "\"payload\":{\"id\":\"%s\"},\"local_ts\":1}", i ? "," : "", id, i + 1, id, id);
    }
  g_string_append (ops, "]}");
  many = http ("POST", "/v1/sync/push", token, ops->str);
  assert_error (many, 413, "batch_too_large");

  /* A good gzip body works, and answers come gzipped when asked. */
  {
    g_autofree char *id = pos_uuid7_new ();
    g_autofree char *body = one_op (id, 1, "audit.append", id, "{\"action\":\"test\"}");
    g_autoptr(GBytes) z = gzip_bytes (body, strlen (body));
    gsize zlen = 0;
    const char *zdata = g_bytes_get_data (z, &zlen);
    Opts o = { .encoding = "gzip", .length = zlen };
    Opts a = { .accept_gzip = TRUE };

    zipped = http_full ("POST", "/v1/sync/push", token, zdata, &o);
    ck_assert_str_eq (json_object_get_string_member (result_of (zipped, 0), "status"), "applied");
    gzipped_answer = http_full ("GET", "/v1/sync/pull?limit=50", token, NULL, &a);
    ck_assert_int_eq (gzipped_answer->status, 200);
    ck_assert_str_eq (gzipped_answer->content_encoding, "gzip");
  }
  ck_assert_int_eq (query_int ("SELECT count (*) FROM sales WHERE id IS NULL"), 0);
}
END_TEST

static const char *nasty[] = {
  "'; DROP TABLE sales; --",
  "Robert'); DROP TABLE customers;--",
  "quote \" and back\\slash \\\\ and '' doubled",
  "ação café 日本語 🙂 \t tab",
  "$1 $$ E'\\x41' %s %n",
};

START_TEST (test_sql_metacharacters)
{
  g_autofree char *token = enrol ("001");
  gint64 tables = query_int ("SELECT count (*) FROM pg_tables WHERE schemaname = 'public'");

  for (guint i = 0; i < G_N_ELEMENTS (nasty); i++)
    {
      g_autofree char *n = json_str (nasty[i]);
      g_autofree char *sale = pos_uuid7_new ();
      g_autofree char *op1 = pos_uuid7_new ();
      g_autofree char *op2 = pos_uuid7_new ();
      g_autofree char *op3 = pos_uuid7_new ();
      g_autofree char *customer = pos_uuid7_new ();
      g_autofree char *payload = sale_payload (sale, store1_id, NULL, nasty[i], "ACU-1", -1);
      g_autofree char *cust_payload = g_strdup_printf (
        "{\"id\":\"%s\",\"fields\":{\"name\":%s,\"email\":%s,\"notes\":%s},\"consents\":[]}", customer, n, n, n);
      g_autofree char *doc_payload = g_strdup_printf ("{\"id\":\"%s\",\"reason\":%s}", op3, n);
      g_autofree char *body = g_strdup_printf (
        "{\"operations\":[{\"op_id\":\"%s\",\"seq\":1,\"type\":\"sale.create\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":1},"
        "{\"op_id\":\"%s\",\"seq\":2,\"type\":\"customer.upsert\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":2},"
        "{\"op_id\":\"%s\",\"seq\":3,\"type\":\"audit.append\",\"entity_id\":%s,\"payload\":%s,\"local_ts\":3},"
        "{\"op_id\":%s,\"seq\":4,\"type\":%s,\"entity_id\":%s,\"payload\":{\"id\":%s},\"local_ts\":4}]}",
        op1, sale, payload, op2, customer, cust_payload, op3, n, doc_payload, n, n, n, n);
      g_autoptr(Reply) r = http ("POST", "/v1/sync/push", token, body);
      g_autofree char *order_body = g_strdup_printf (
        "{\"external_ref\":%s,\"channel\":\"web\",\"fulfilment\":\"delivery\",\"notes\":%s,"
        "\"customer\":{\"name\":%s,\"phone\":%s},\"lines\":[{\"sku\":\"ACU-1\",\"quantity\":1000,\"unit_price\":1}]}",
        n, n, n, n);
      g_autoptr(Reply) order = http ("POST", "/v1/channel/orders", channel_key, order_body);
      g_autofree char *bad_sku = g_strdup_printf (
        "{\"external_ref\":\"x%u\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":%s,"
        "\"lines\":[{\"sku\":%s,\"quantity\":1000,\"unit_price\":1}]}", i, n, n);
      g_autoptr(Reply) order2 = http ("POST", "/v1/channel/orders", channel_key, bad_sku);
      g_autofree char *escaped = g_uri_escape_string (nasty[i], NULL, FALSE);
      g_autofree char *cpath = g_strdup_printf ("/v1/channel/customers/%s", escaped);
      g_autofree char *cbody = g_strdup_printf ("{\"name\":%s,\"notes\":%s}", n, n);
      g_autoptr(Reply) put = http ("PUT", cpath, channel_key, cbody);
      g_autofree char *tpath = g_strdup_printf ("/v1/channel/customers/%s/timeline", escaped);
      g_autoptr(Reply) timeline = NULL;
      g_autofree char *ipath = g_strdup_printf ("/v1/channel/orders/%s", escaped);
      g_autoptr(Reply) get = http ("GET", ipath, channel_key, NULL);
      g_autofree char *ibody = g_strdup_printf (
        "{\"customer_id\":%s,\"channel\":\"chat\",\"kind\":\"chat\",\"summary\":%s,\"agent\":%s}", n, n, n);
      g_autoptr(Reply) interaction = NULL;

      ck_assert_str_eq (json_object_get_string_member (result_of (r, 0), "status"), "applied");
      ck_assert_str_eq (json_object_get_string_member (result_of (r, 1), "status"), "applied");
      ck_assert_str_eq (json_object_get_string_member (result_of (r, 2), "status"), "applied");
      ck_assert_str_eq (json_object_get_string_member (result_of (r, 3), "status"), "rejected");
      ck_assert_str_eq (json_object_get_string_member (result_of (r, 3), "code"), "unknown_type");

      ck_assert_msg (order->status == 201, "%ld %s", order->status, order->body->str);
      ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (order), "order"), "notes"),
                        nasty[i]);
      assert_error (order2, 422, "not_found");
      ck_assert_msg (put->status == 201, "%ld %s", put->status, put->body->str);
      ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (put), "customer"), "id"),
                        nasty[i]);
      timeline = http ("GET", tpath, channel_key, NULL);
      ck_assert_int_eq (timeline->status, 200);
      ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (timeline), "customer"),
                                                       "notes"), nasty[i]);
      assert_error (get, 404, "not_found");
      interaction = http ("POST", "/v1/channel/interactions", channel_key, ibody);
      ck_assert_msg (interaction->status == 201, "%ld %s", interaction->status, interaction->body->str);
      ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (interaction), "event"),
                                                       "summary"), nasty[i]);

      /* Stored literally. */
      {
        g_autofree char *sql = g_strdup_printf ("SELECT data::json->>'note' FROM sales WHERE id = '%s'", sale);
        g_autofree char *note = query (sql);
        g_autofree char *trimmed = g_strstrip (g_strdup (nasty[i]));

        ck_assert_str_eq (note, trimmed);
      }
    }
  ck_assert_int_eq (query_int ("SELECT count (*) FROM pg_tables WHERE schemaname = 'public'"), tables);
  ck_assert_int_ge (query_int ("SELECT count (*) FROM sales"), G_N_ELEMENTS (nasty));
  ck_assert_int_ge (query_int ("SELECT count (*) FROM customers"), G_N_ELEMENTS (nasty));
}
END_TEST

START_TEST (test_duplicate)
{
  g_autofree char *token = enrol ("002");
  g_autofree char *sale = pos_uuid7_new ();
  g_autofree char *op = pos_uuid7_new ();
  g_autofree char *customer = pos_uuid7_new ();
  g_autofree char *payload = NULL;
  g_autofree char *body = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT quantity FROM stock_levels WHERE store_id = '%s' AND sku = 'CAF-500'",
                                          store2_id);
  g_autoptr(Reply) first = NULL;
  g_autoptr(Reply) second = NULL;
  g_autofree char *cpath = g_strdup_printf ("/v1/channel/customers/%s", customer);
  g_autoptr(Reply) put = http ("PUT", cpath, channel_key, "{\"name\":\"Maria\"}");
  gint64 before;

  ck_assert_int_eq (put->status, 201);
  g_free (query ("DELETE FROM stock_levels WHERE sku = 'CAF-500'"));
  payload = sale_payload (sale, store2_id, customer, "dup", "CAF-500", -3000);
  body = one_op (op, 7, "sale.create", sale, payload);
  first = http ("POST", "/v1/sync/push", token, body);
  ck_assert_str_eq (json_object_get_string_member (result_of (first, 0), "status"), "applied");
  before = query_int (sql);
  ck_assert_int_eq (before, -3000);
  second = http ("POST", "/v1/sync/push", token, body);
  ck_assert_str_eq (json_object_get_string_member (result_of (second, 0), "status"), "duplicate");
  ck_assert_int_eq (query_int (sql), before);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM applied_ops WHERE op_id = '%s'", op);
  ck_assert_int_eq (query_int (sql), 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM customer_events WHERE customer_id = '%s' AND kind = 'purchase'",
                         customer);
  ck_assert_int_eq (query_int (sql), 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT last_seq FROM terminals WHERE token_hash = encode (sha256 ('%s'), 'hex')", token);
  ck_assert_int_eq (query_int (sql), 7);
}
END_TEST

/* Many sales on one product: the stock level's version goes past 1000
 * and every push must still be applied (it once failed with a 500 there). */
START_TEST (test_stock_version_past_1000)
{
  g_autofree char *token = enrol ("002");
  g_autofree char *level_sql = g_strdup_printf (
    "SELECT quantity || '|' || version FROM stock_levels WHERE store_id = '%s' AND sku = 'BIS-MARIA'", store2_id);
  g_autofree char *change_sql = g_strdup_printf (
    "SELECT version || '|' || (data::json->>'quantity') FROM changes "
    "WHERE entity = 'stock_level' AND entity_id = 'BIS-MARIA' AND store_id = '%s'", store2_id);
  const int batches = 6, per_batch = 200;
  gint64 seq = 0;

  g_free (query ("DELETE FROM stock_levels WHERE sku = 'BIS-MARIA'"));
  for (int b = 0; b < batches; b++)
    {
      g_autoptr(GString) body = g_string_new ("{\"operations\":[");
      g_autoptr(Reply) r = NULL;
      JsonArray *results;

      for (int i = 0; i < per_batch; i++)
        {
          g_autofree char *sale = pos_uuid7_new ();
          g_autofree char *op = pos_uuid7_new ();
          g_autofree char *payload = sale_payload (sale, store2_id, NULL, NULL, "BIS-MARIA", -1000);

          g_string_append_printf (body, "%s{\"op_id\":\"%s\",\"seq\":%" G_GINT64_FORMAT ",\"type\":\"sale.create\","
                                  "\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":%" G_GINT64_FORMAT "}",
                                  i ? "," : "", op, ++seq, sale, payload, g_get_real_time () / 1000);
        }
      g_string_append (body, "]}");
      r = http ("POST", "/v1/sync/push", token, body->str);
      ck_assert_msg (r->status == 200, "batch %d: %ld %s", b + 1, r->status, r->body->str);
      results = json_object_get_array_member (obj (r), "results");
      ck_assert_uint_eq (json_array_get_length (results), per_batch);
      for (guint i = 0; i < json_array_get_length (results); i++)
        ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (results, i), "status"),
                          "applied");
    }

  {
    g_autofree char *level = query (level_sql);
    g_autofree char *change = query (change_sql);
    g_autofree char *want_level = g_strdup_printf ("%d|%d", -1000 * batches * per_batch, batches * per_batch);
    g_autofree char *want_change = g_strdup_printf ("%d|%d", batches * per_batch, -1000 * batches * per_batch);

    ck_assert_str_eq (level, want_level);
    ck_assert_str_eq (change, want_change);
  }
}
END_TEST

typedef struct {
  const char *token;
  char       *body;
  Reply      *reply;
} Racer;

static gpointer
race (gpointer data)
{
  Racer *r = data;

  r->reply = http ("POST", "/v1/sync/push", r->token, r->body);
  return NULL;
}

START_TEST (test_pickup_race)
{
  g_autofree char *t1 = enrol ("001");
  g_autofree char *t2 = enrol ("001");
  g_autofree char *t3 = enrol ("002");
  g_autofree char *code = NULL;
  g_autofree char *customer = pos_uuid7_new ();
  g_autofree char *cpath = g_strdup_printf ("/v1/channel/customers/%s", customer);
  g_autoptr(Reply) put = http ("PUT", cpath, channel_key, "{\"name\":\"Ana\"}");
  g_autofree char *order = create_order ("RACE-1", "001", TRUE, customer, &code);
  g_autofree char *hash_in = g_strdup_printf ("%s:%s", order, code);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, hash_in, -1);
  g_autofree char *sql = g_strdup_printf ("SELECT pickup_code_hash FROM orders WHERE id = '%s'", order);
  g_autofree char *stored = query (sql);
  g_autofree char *payload = NULL;
  g_autofree char *wrong_store = NULL;
  g_autofree char *invalid = NULL;
  Racer a = { t1, NULL, NULL }, b = { t2, NULL, NULL };
  GThread *ta, *tb;
  JsonObject *ra, *rb, *conflict;
  gint64 version;

  ck_assert_int_eq (put->status, 201);
  ck_assert_uint_eq (strlen (code), 6);
  ck_assert_str_eq (stored, hash);
  move_order (order, "ALLOCATED");
  move_order (order, "PICKING");
  version = move_order (order, "READY_FOR_PICKUP");

  /* A terminal of another store. */
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autoptr(Reply) r = NULL;

    wrong_store = g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"READY_FOR_PICKUP\",\"to\":\"PICKED_UP\","
                                   "\"expected_version\":%" G_GINT64_FORMAT ",\"pickup_code\":\"%s\"}",
                                   order, version, code);
    g_free (payload);
    payload = one_op (op, 1, "pickup.transition", order, wrong_store);
    r = http ("POST", "/v1/sync/push", t3, payload);
    ck_assert_str_eq (json_object_get_string_member (result_of (r, 0), "code"), "wrong_store");
  }
  /* Not in the table. */
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autoptr(Reply) r = NULL;

    invalid = g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"PLACED\",\"to\":\"PICKED_UP\",\"expected_version\":1}",
                               order);
    g_free (payload);
    payload = one_op (op, 2, "pickup.transition", order, invalid);
    r = http ("POST", "/v1/sync/push", t1, payload);
    ck_assert_str_eq (json_object_get_string_member (result_of (r, 0), "code"), "invalid_transition");
  }

  {
    g_autofree char *op1 = pos_uuid7_new ();
    g_autofree char *op2 = pos_uuid7_new ();

    a.body = one_op (op1, 3, "pickup.transition", order, wrong_store);
    b.body = one_op (op2, 3, "pickup.transition", order, wrong_store);
  }
  ta = g_thread_new ("a", race, &a);
  tb = g_thread_new ("b", race, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  ra = result_of (a.reply, 0);
  rb = result_of (b.reply, 0);
  if (g_str_equal (json_object_get_string_member (ra, "status"), "applied"))
    conflict = rb;
  else
    {
      ck_assert_str_eq (json_object_get_string_member (rb, "status"), "applied");
      conflict = ra;
    }
  ck_assert_str_eq (json_object_get_string_member (conflict, "status"), "conflict");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (conflict, "server_state"), "state"),
                    "PICKED_UP");
  ck_assert_int_eq (json_object_get_int_member (json_object_get_object_member (conflict, "server_state"), "version"),
                    version + 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT string_agg (kind, ',' ORDER BY kind) FROM customer_events "
                         "WHERE customer_id = '%s'", customer);
  {
    g_autofree char *kinds = query (sql);
    ck_assert_str_eq (kinds, "notification,notification,order_placed");
  }
  g_free (a.body);
  g_free (b.body);
  reply_free (a.reply);
  reply_free (b.reply);
}
END_TEST

typedef struct {
  const char *token;
  char       *cursor;
  guint       timeout;
  Reply      *reply;
  gint64      returned_at;
} Waiter;

static gpointer
wait_thread (gpointer data)
{
  Waiter *w = data;
  g_autofree char *path = g_strdup_printf ("/v1/sync/wait?cursor=%s&timeout=%u", w->cursor, w->timeout);

  w->reply = http ("GET", path, w->token, NULL);
  w->returned_at = g_get_monotonic_time ();
  return NULL;
}

START_TEST (test_pull_snapshot_wait)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *other = enrol ("002");
  g_autofree char *cursor = latest_cursor (token);
  g_autoptr(Reply) first = http ("GET", "/v1/sync/pull?limit=5000", token, NULL);
  g_autoptr(Reply) zero = http ("GET", "/v1/sync/pull?limit=0", token, NULL);
  g_autoptr(Reply) too_many = http ("GET", "/v1/sync/pull?limit=5001", token, NULL);
  g_autoptr(Reply) bad_cursor = http ("GET", "/v1/sync/pull?cursor=abc", token, NULL);
  g_autoptr(Reply) no_stream = http ("GET", "/v1/sync/snapshot/nothing", token, NULL);
  g_autoptr(Reply) timeout = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  Waiter w = { token, NULL, 20, NULL, 0 }, w2 = { other, NULL, 2, NULL, 0 };
  GThread *th, *th2;
  gint64 sent;
  JsonArray *changes;
  gboolean store_seen = FALSE, other_store = FALSE;

  ck_assert_int_eq (first->status, 200);
  changes = json_object_get_array_member (obj (first), "changes");
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      const char *entity = json_object_get_string_member (c, "entity");
      JsonObject *data = json_object_get_object_member (c, "data");

      if (g_str_equal (entity, "store") && g_str_equal (json_object_get_string_member (c, "id"), store1_id))
        store_seen = TRUE;
      if (g_str_equal (entity, "store") && g_str_equal (json_object_get_string_member (c, "id"), store2_id))
        other_store = TRUE;
      if (g_str_equal (entity, "stock_level") &&
          !g_str_equal (json_object_get_string_member (data, "store_id"), store1_id))
        other_store = TRUE;
    }
  ck_assert (store_seen);
  ck_assert (!other_store);
  assert_error (zero, 400, "bad_request");
  assert_error (too_many, 400, "bad_request");
  assert_error (bad_cursor, 400, "bad_request");
  assert_error (no_stream, 404, "not_found");

  /* Snapshot pages, at one position. */
  {
    g_autofree char *after = NULL;
    g_autofree char *as_of = NULL;
    guint n = 0;
    gboolean more = TRUE;

    while (more)
      {
        g_autofree char *path = g_strdup_printf ("/v1/sync/snapshot/catalog?limit=2%s%s%s%s",
                                                 after ? "&after=" : "", after ? after : "",
                                                 as_of ? "&as_of=" : "", as_of ? as_of : "");
        g_autoptr(Reply) r = http ("GET", path, token, NULL);
        JsonArray *items;

        ck_assert_msg (r->status == 200, "%s", r->body->str);
        items = json_object_get_array_member (obj (r), "items");
        for (guint i = 0; i < json_array_get_length (items); i++)
          {
            JsonObject *it = json_array_get_object_element (items, i);
            g_string_append_printf (seen, "%s/%s ", json_object_get_string_member (it, "entity"),
                                    json_object_get_string_member (it, "id"));
            n++;
          }
        more = json_object_get_boolean_member (obj (r), "has_more");
        g_free (after);
        after = json_object_get_null_member (obj (r), "next_after") ? NULL :
                g_uri_escape_string (json_object_get_string_member (obj (r), "next_after"), NULL, FALSE);
        if (as_of == NULL)
          as_of = g_strdup (json_object_get_string_member (obj (r), "as_of"));
        ck_assert_str_eq (json_object_get_string_member (obj (r), "as_of"), as_of);
      }
    ck_assert_int_eq (n, query_int ("SELECT count (*) FROM changes WHERE stream = 'catalog' AND op = 'upsert'"));
    /* Tax classes come before the products that name them. */
    ck_assert_msg (strstr (seen->str, "tax_class/icms-18") < strstr (seen->str, "product/ACU-1"), "%s", seen->str);
  }

  /* Wait: 204 when nothing happens. */
  {
    g_autofree char *path = g_strdup_printf ("/v1/sync/wait?cursor=%s&timeout=1", cursor);
    timeout = http ("GET", path, token, NULL);
    ck_assert_int_eq (timeout->status, 204);
    ck_assert_uint_eq (timeout->body->len, 0);
  }

  /* Wait: a new pickup order wakes the store's terminal. */
  w.cursor = g_strdup (cursor);
  w2.cursor = latest_cursor (other);
  th = g_thread_new ("wait", wait_thread, &w);
  th2 = g_thread_new ("wait2", wait_thread, &w2);
  g_usleep (300 * 1000);
  sent = g_get_monotonic_time ();
  g_free (create_order ("WAKE-1", "001", FALSE, NULL, NULL));
  g_thread_join (th);
  ck_assert_msg (w.reply->status == 200, "%ld %s", w.reply->status, w.reply->body->str);
  {
    JsonArray *streams = json_object_get_array_member (obj (w.reply), "streams");
    gboolean pickups = FALSE;

    for (guint i = 0; i < json_array_get_length (streams); i++)
      pickups = pickups || g_str_equal (json_array_get_string_element (streams, i), "pickups");
    ck_assert (pickups);
  }
  g_print ("# wait answered %.0f ms after the channel order\n", (w.returned_at - sent) / 1000.0);
  /* The other store's terminal is not woken by it (it times out later). */
  g_thread_join (th2);
  ck_assert_int_eq (w2.reply->status, 204);
  g_free (w.cursor);
  g_free (w2.cursor);
  reply_free (w.reply);
  reply_free (w2.reply);
}
END_TEST

START_TEST (test_channel_api)
{
  g_autofree char *customer = pos_uuid7_new ();
  g_autofree char *other = pos_uuid7_new ();
  g_autofree char *cpath = g_strdup_printf ("/v1/channel/customers/%s", customer);
  g_autofree char *opath = g_strdup_printf ("/v1/channel/customers/%s", other);
  g_autofree char *order_id = NULL;
  g_autofree char *code = NULL;
  g_autoptr(Reply) created = NULL;
  g_autoptr(Reply) updated = NULL;
  g_autoptr(Reply) older = NULL;
  g_autoptr(Reply) again = NULL;
  g_autoptr(Reply) unknown_sku = NULL;
  g_autoptr(Reply) no_store = NULL;
  g_autoptr(Reply) missing = NULL;
  g_autoptr(Reply) get = NULL;
  g_autoptr(Reply) invalid = NULL;
  g_autoptr(Reply) stale = NULL;
  g_autoptr(Reply) interaction = NULL;
  g_autoptr(Reply) long_summary = NULL;
  g_autoptr(Reply) merge = NULL;
  g_autoptr(Reply) timeline = NULL;
  g_autoptr(Reply) erase = NULL;
  g_autoptr(Reply) after_erase = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  JsonObject *c;

  created = http ("PUT", cpath, channel_key,
                  "{\"name\":\"Joana\",\"email\":\"j@example.com\",\"updated_at\":2000,"
                  "\"consents\":[{\"channel\":\"email\",\"granted\":true,\"source\":\"web\"}],"
                  "\"identities\":[{\"channel\":\"web\",\"external_id\":\"W-77\"}]}");
  ck_assert_msg (created->status == 201, "%s", created->body->str);
  updated = http ("PUT", cpath, channel_key, "{\"phone\":\"+55 11 99999-0000\",\"updated_at\":3000,"
                  "\"consents\":[{\"channel\":\"email\",\"granted\":false,\"source\":\"app\"}]}");
  ck_assert_int_eq (updated->status, 200);
  /* An older edit of a field loses; a concurrent consent grant loses to the refusal. */
  older = http ("PUT", cpath, channel_key, "{\"name\":\"Joana Velha\",\"updated_at\":1000,"
                "\"consents\":[{\"channel\":\"email\",\"granted\":true,\"source\":\"web\"}]}");
  ck_assert_int_eq (older->status, 200);
  c = json_object_get_object_member (obj (older), "customer");
  ck_assert_str_eq (json_object_get_string_member (c, "name"), "Joana");
  ck_assert_str_eq (json_object_get_string_member (c, "phone"), "+55 11 99999-0000");
  ck_assert (!json_object_get_boolean_member (
    json_array_get_object_element (json_object_get_array_member (c, "consents"), 0), "granted"));

  /* Orders. */
  order_id = create_order ("WEB-1001", "001", TRUE, customer, &code);
  ck_assert_uint_eq (strlen (code), 6);
  body = g_strdup ("{\"external_ref\":\"WEB-1001\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":\"001\","
                   "\"lines\":[{\"sku\":\"ACU-1\",\"quantity\":2000,\"unit_price\":549}]}");
  again = http ("POST", "/v1/channel/orders", channel_key, body);
  ck_assert_int_eq (again->status, 200);
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (again), "order"), "id"), order_id);
  ck_assert (json_object_get_null_member (obj (again), "pickup_code"));
  ck_assert_int_eq (json_object_get_int_member (json_object_get_object_member (obj (again), "order"), "total"), 1098);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM orders WHERE external_ref = 'WEB-1001'"), 1);

  unknown_sku = http ("POST", "/v1/channel/orders", channel_key,
                      "{\"external_ref\":\"WEB-2\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":\"001\","
                      "\"lines\":[{\"sku\":\"NOPE\",\"quantity\":1000,\"unit_price\":1}]}");
  assert_error (unknown_sku, 422, "unknown_sku");
  no_store = http ("POST", "/v1/channel/orders", channel_key,
                   "{\"external_ref\":\"WEB-3\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":\"999\","
                   "\"lines\":[{\"sku\":\"ACU-1\",\"quantity\":1000,\"unit_price\":1}]}");
  assert_error (no_store, 422, "not_found");
  missing = http ("POST", "/v1/channel/orders", channel_key, "{\"channel\":\"web\"}");
  assert_error (missing, 400, "bad_request");

  path = g_strdup_printf ("/v1/channel/orders/%s", order_id);
  get = http ("GET", path, channel_key, NULL);
  ck_assert_int_eq (get->status, 200);
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (get), "order"), "state"), "PLACED");
  g_free (path);
  path = g_strdup_printf ("/v1/channel/orders/%s/status", order_id);
  invalid = http ("POST", path, channel_key, "{\"to\":\"PICKED_UP\"}");
  assert_error (invalid, 422, "invalid_transition");
  stale = http ("POST", path, channel_key, "{\"to\":\"ALLOCATED\",\"expected_version\":99}");
  assert_error (stale, 409, "version_conflict");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (stale), "server_state"), "state"),
                    "PLACED");
  move_order (order_id, "ALLOCATED");
  {
    g_autoptr(Reply) shelf = http ("POST", path, channel_key,
                                   "{\"to\":\"PICKING\",\"expected_version\":2,\"shelf_location\":\"B-12\"}");
    ck_assert_int_eq (shelf->status, 200);
    ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (shelf), "order"),
                                                     "shelf_location"), "B-12");
  }

  /* Interactions and the timeline. */
  g_free (body);
  body = g_strdup_printf ("{\"customer_id\":\"%s\",\"channel\":\"call_centre\",\"kind\":\"call\","
                          "\"summary\":\"Asked about the order\",\"agent\":\"Bia\",\"occurred_at\":%" G_GINT64_FORMAT "}",
                          customer, g_get_real_time () / 1000 + 60000);
  interaction = http ("POST", "/v1/channel/interactions", channel_key, body);
  ck_assert_int_eq (interaction->status, 201);
  {
    g_autofree char *summary = g_strnfill (501, 'x');
    g_free (body);
    body = g_strdup_printf ("{\"customer_id\":\"%s\",\"channel\":\"chat\",\"kind\":\"chat\",\"summary\":\"%s\"}",
                            customer, summary);
    long_summary = http ("POST", "/v1/channel/interactions", channel_key, body);
    assert_error (long_summary, 400, "bad_request");
  }

  /* Merge another customer into this one: its timeline moves. */
  {
    g_autoptr(Reply) p = http ("PUT", opath, channel_key, "{\"name\":\"Joana S.\",\"cpf\":\"52998224725\"}");
    g_autofree char *ev = g_strdup_printf ("{\"customer_id\":\"%s\",\"channel\":\"email\",\"kind\":\"email\","
                                           "\"summary\":\"old mail\",\"occurred_at\":5}", other);
    g_autoptr(Reply) e = http ("POST", "/v1/channel/interactions", channel_key, ev);
    g_autofree char *mpath = g_strdup_printf ("/v1/channel/customers/%s/merge", other);
    g_autofree char *mbody = g_strdup_printf ("{\"into\":\"%s\"}", customer);

    ck_assert_int_eq (p->status, 201);
    ck_assert_int_eq (e->status, 201);
    merge = http ("POST", mpath, channel_key, mbody);
    ck_assert_msg (merge->status == 200, "%s", merge->body->str);
    ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (merge), "customer"), "cpf"),
                      "52998224725");
  }
  g_free (path);
  path = g_strdup_printf ("/v1/channel/customers/%s/timeline?limit=10", customer);
  timeline = http ("GET", path, channel_key, NULL);
  ck_assert_int_eq (timeline->status, 200);
  {
    JsonArray *events = json_object_get_array_member (obj (timeline), "events");
    gint64 prev = G_MAXINT64;

    ck_assert_uint_eq (json_array_get_length (events), 3);   /* call, order_placed, old mail */
    ck_assert_str_eq (json_object_get_string_member (json_array_get_object_element (events, 0), "kind"), "call");
    for (guint i = 0; i < json_array_get_length (events); i++)
      {
        gint64 t = json_object_get_int_member (json_array_get_object_element (events, i), "occurred_at");
        ck_assert_int_le (t, prev);
        prev = t;
      }
  }

  /* Erasure wins. */
  g_free (path);
  path = g_strdup_printf ("/v1/channel/customers/%s/erase", customer);
  erase = http ("POST", path, channel_key, NULL);
  ck_assert_msg (erase->status == 200, "%s", erase->body->str);
  after_erase = http ("PUT", cpath, channel_key, "{\"name\":\"Joana\"}");
  assert_error (after_erase, 422, "customer_erased");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM customer_events WHERE customer_id = '%s'", customer);
    ck_assert_int_eq (query_int (sql), 0);
    g_free (sql);
    sql = g_strdup_printf ("SELECT op || ':' || (data::json->>'erased_at' IS NOT NULL)::text FROM changes "
                           "WHERE entity = 'customer' AND entity_id = '%s'", customer);
    g_autofree char *op = query (sql);
    ck_assert_str_eq (op, "delete:true");
  }
}
END_TEST

START_TEST (test_customer_push)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *customer = pos_uuid7_new ();
  g_autofree char *p1 = g_strdup_printf ("{\"id\":\"%s\",\"fields\":{\"name\":\"Carla\",\"email\":\"new@x\"},"
                                         "\"consents\":[{\"channel\":\"sms\",\"granted\":true,\"source\":\"store\"}]}",
                                         customer);
  g_autofree char *p2 = g_strdup_printf ("{\"id\":\"%s\",\"base_version\":0,\"fields\":{\"email\":\"old@x\","
                                         "\"processing_restricted\":true},\"consents\":[]}", customer);
  g_autofree char *erase = g_strdup_printf ("{\"id\":\"%s\"}", customer);
  g_autofree char *op1 = pos_uuid7_new (), *op2 = pos_uuid7_new (), *op3 = pos_uuid7_new (), *op4 = pos_uuid7_new ();
  g_autofree char *body = g_strdup_printf (
    "{\"operations\":[{\"op_id\":\"%s\",\"seq\":1,\"type\":\"customer.upsert\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":5000},"
    "{\"op_id\":\"%s\",\"seq\":2,\"type\":\"customer.upsert\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":4000},"
    "{\"op_id\":\"%s\",\"seq\":3,\"type\":\"customer.erase\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":6000},"
    "{\"op_id\":\"%s\",\"seq\":4,\"type\":\"customer.upsert\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":7000}]}",
    op1, customer, p1, op2, customer, p2, op3, customer, erase, op4, customer, p1);
  g_autoptr(Reply) r = http ("POST", "/v1/sync/push", token, body);
  g_autofree char *sql = NULL;

  ck_assert_str_eq (json_object_get_string_member (result_of (r, 0), "status"), "applied");
  ck_assert_str_eq (json_object_get_string_member (result_of (r, 1), "status"), "applied");
  ck_assert_str_eq (json_object_get_string_member (result_of (r, 2), "status"), "applied");
  ck_assert_str_eq (json_object_get_string_member (result_of (r, 3), "status"), "rejected");
  ck_assert_str_eq (json_object_get_string_member (result_of (r, 3), "code"), "customer_erased");
  sql = g_strdup_printf ("SELECT name || '|' || COALESCE (email, '-') || '|' || processing_restricted::text "
                         "|| '|' || (erased_at IS NOT NULL)::text FROM customers WHERE id = '%s'", customer);
  {
    g_autofree char *row = query (sql);
    ck_assert_str_eq (row, "|-|true|true");
  }
}
END_TEST

START_TEST (test_prune_410)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *cursor = latest_cursor (token);
  g_autofree char *customer = pos_uuid7_new ();
  g_autofree char *op = pos_uuid7_new ();
  g_autofree char *payload = g_strdup_printf ("{\"id\":\"%s\",\"fields\":{\"name\":\"Gone Soon\"}}", customer);
  g_autofree char *push = one_op (op, 1, "customer.upsert", customer, payload);
  g_autofree char *erase_path = g_strdup_printf ("/v1/channel/customers/%s/erase", customer);
  /* Made at this store's counter: its erasure is a tombstone for this store (§6.1). */
  g_autoptr(Reply) put = http ("POST", "/v1/sync/push", token, push);
  g_autoptr(Reply) erase = http ("POST", erase_path, channel_key, NULL);
  g_autoptr(Reply) before = NULL;
  g_autoptr(Reply) expired = NULL;
  g_autoptr(Reply) waited = NULL;
  g_autoptr(Reply) fresh = NULL;
  g_autofree char *pull = g_strdup_printf ("/v1/sync/pull?cursor=%s", cursor);
  g_autofree char *wait = g_strdup_printf ("/v1/sync/wait?cursor=%s&timeout=1", cursor);
  g_autoptr(GError) error = NULL;
  const char *args[] = { "prune", "--older-than-days", "0", NULL };
  g_autofree char *out = NULL;

  ck_assert_str_eq (json_object_get_string_member (result_of (put, 0), "status"), "applied");
  ck_assert_int_eq (erase->status, 200);
  before = http ("GET", pull, token, NULL);
  ck_assert_int_eq (before->status, 200);
  ck_assert_msg (central_harness_run (H, args, &out, &error), "%s", error ? error->message : "");
  expired = http ("GET", pull, token, NULL);
  assert_error (expired, 410, "cursor_expired");
  ck_assert (json_object_has_member (obj (expired), "horizon"));
  waited = http ("GET", wait, token, NULL);
  assert_error (waited, 410, "cursor_expired");
  {
    g_autofree char *p = g_strdup_printf ("/v1/sync/pull?cursor=%s",
                                          json_object_get_string_member (obj (expired), "horizon"));
    fresh = http ("GET", p, token, NULL);
    ck_assert_int_eq (fresh->status, 200);
  }

  /* The erasure was the last change of the log, and it is pruned: the
   * positions the central gives now (as_of, next_cursor) must still be at
   * or after the horizon, or the terminal that rebuilt gets 410 for ever. */
  {
    gint64 horizon = g_ascii_strtoll (json_object_get_string_member (obj (expired), "horizon"), NULL, 10);
    static const char * const streams[] = { "catalog", "stores", "stock", "customers", "pickups" };
    gint64 min_as_of = G_MAXINT64;
    g_autofree char *rebuilt = NULL;
    g_autofree char *from_start = NULL;

    ck_assert_int_gt (horizon, 0);
    ck_assert_int_eq (query_int ("SELECT count (*) FROM changes WHERE op <> 'upsert'"), 0);
    ck_assert_int_lt (query_int ("SELECT max (seq) FROM changes"), horizon);

    for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
      {
        g_autofree char *after = NULL;
        g_autofree char *as_of = NULL;
        gboolean more = TRUE;

        while (more)
          {
            g_autofree char *after_q = after ? g_uri_escape_string (after, NULL, FALSE) : NULL;
            g_autofree char *p = g_strdup_printf ("/v1/sync/snapshot/%s?limit=50%s%s%s%s", streams[i],
                                                  after_q ? "&after=" : "", after_q ? after_q : "",
                                                  as_of ? "&as_of=" : "", as_of ? as_of : "");
            g_autoptr(Reply) page = http ("GET", p, token, NULL);
            JsonObject *o;

            ck_assert_msg (page->status == 200, "%s: %ld %s", p, page->status, page->body->str);
            o = obj (page);
            if (as_of == NULL)
              as_of = g_strdup (json_object_get_string_member (o, "as_of"));
            else
              ck_assert_str_eq (json_object_get_string_member (o, "as_of"), as_of);
            more = json_object_get_boolean_member (o, "has_more");
            g_free (after);
            after = json_object_get_null_member (o, "next_after") ? NULL
                      : g_strdup (json_object_get_string_member (o, "next_after"));
          }
        ck_assert_int_ge (g_ascii_strtoll (as_of, NULL, 10), horizon);
        min_as_of = MIN (min_as_of, g_ascii_strtoll (as_of, NULL, 10));
      }

    {
      g_autofree char *p = g_strdup_printf ("/v1/sync/pull?cursor=%" G_GINT64_FORMAT, min_as_of);
      g_autoptr(Reply) after_rebuild = http ("GET", p, token, NULL);
      g_autofree char *w = g_strdup_printf ("/v1/sync/wait?cursor=%" G_GINT64_FORMAT "&timeout=1", min_as_of);
      g_autoptr(Reply) wait_after = http ("GET", w, token, NULL);

      ck_assert_msg (after_rebuild->status == 200, "%ld %s", after_rebuild->status, after_rebuild->body->str);
      ck_assert_msg (wait_after->status == 204 || wait_after->status == 200, "%ld %s",
                     wait_after->status, wait_after->body->str);
      rebuilt = g_strdup (json_object_get_string_member (obj (after_rebuild), "next_cursor"));
      ck_assert_int_ge (g_ascii_strtoll (rebuilt, NULL, 10), horizon);
    }

    /* A new terminal pulling from the beginning ends at or after the horizon too. */
    from_start = latest_cursor (token);
    ck_assert_int_ge (g_ascii_strtoll (from_start, NULL, 10), horizon);
    {
      g_autofree char *p = g_strdup_printf ("/v1/sync/pull?cursor=%s", from_start);
      g_autoptr(Reply) again = http ("GET", p, token, NULL);

      ck_assert_msg (again->status == 200, "%ld %s", again->status, again->body->str);
    }
  }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Staff (issue 8): staff.upsert from terminals, the staff commands     */

/* The last CHANGE of entity/id in a pull after cursor, or NULL. */
static JsonObject *
pull_find (const char *token,
           const char *cursor,
           const char *entity,
           const char *id)
{
  g_autofree char *at = g_strdup (cursor != NULL ? cursor : "");
  JsonObject *found = NULL;

  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("/v1/sync/pull?limit=5000&cursor=%s", at);
      g_autoptr(Reply) r = http ("GET", path, token, NULL);
      JsonArray *changes;

      ck_assert_msg (r->status == 200, "%s", r->body->str);
      changes = json_object_get_array_member (obj (r), "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *c = json_array_get_object_element (changes, i);

          if (g_str_equal (json_object_get_string_member (c, "entity"), entity) &&
              g_str_equal (json_object_get_string_member (c, "id"), id))
            {
              g_clear_pointer (&found, json_object_unref);
              found = json_object_ref (c);
            }
        }
      g_free (at);
      at = g_strdup (json_object_get_string_member (obj (r), "next_cursor"));
      if (!json_object_get_boolean_member (obj (r), "has_more"))
        return found;
    }
}

static char *
staff_payload (const char *id,
               const char *store_id,
               const char *code,
               const char *name,
               const char *role,
               const char *pin_hash,    /* NULL: absent */
               gboolean    active)
{
  g_autofree char *name_json = json_str (name);
  g_autofree char *pin = pin_hash != NULL ? g_strdup_printf (",\"pin_hash\":\"%s\"", pin_hash) : g_strdup ("");

  return g_strdup_printf ("{\"id\":\"%s\",\"store_id\":\"%s\",\"code\":\"%s\",\"name\":%s,\"role\":\"%s\","
                          "\"badge_code\":null%s,\"active\":%s}",
                          id, store_id, code, name_json, role, pin, active ? "true" : "false");
}

static JsonObject *
push_one (const char *token,
          const char *type,
          const char *entity_id,
          const char *payload,
          char      **op_id_out)
{
  g_autofree char *op = pos_uuid7_new ();
  g_autofree char *body = one_op (op, 1, type, entity_id, payload);
  g_autoptr(Reply) r = http ("POST", "/v1/sync/push", token, body);
  JsonObject *res = json_object_ref (result_of (r, 0));

  if (op_id_out != NULL)
    *op_id_out = g_steal_pointer (&op);
  return res;
}

static void
assert_rejected (JsonObject *res,
                 const char *code)
{
  ck_assert_msg (g_str_equal (json_object_get_string_member (res, "status"), "rejected") &&
                 g_str_equal (json_object_get_string_member (res, "code"), code),
                 "expected rejected %s, got %s %s", code, json_object_get_string_member (res, "status"),
                 json_object_has_member (res, "message") ? json_object_get_string_member (res, "message") : "");
  ck_assert (json_object_has_member (res, "message"));
}

START_TEST (test_staff_push)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *other_token = enrol ("002");
  g_autofree char *cursor = latest_cursor (token);
  g_autofree char *other_cursor = latest_cursor (other_token);
  g_autofree char *id = pos_uuid7_new ();
  g_autofree char *hash = pos_pin_hash ("4826", NULL);
  g_autofree char *payload = staff_payload (id, store1_id, "API-801", "Ana Gerente", "manager", hash, TRUE);
  g_autofree char *op = pos_uuid7_new ();
  g_autofree char *body = one_op (op, 1, "staff.upsert", id, payload);
  g_autofree char *sql = NULL;
  g_autofree char *other_id = NULL;
  g_autoptr(Reply) first = NULL;
  g_autoptr(Reply) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) change = NULL;
  g_autoptr(JsonObject) unseen = NULL;
  JsonObject *data;

  ck_assert_ptr_nonnull (hash);

  /* Applied, then the same op_id again is a duplicate that changes nothing. */
  first = http ("POST", "/v1/sync/push", token, body);
  ck_assert_str_eq (json_object_get_string_member (result_of (first, 0), "status"), "applied");
  again = http ("POST", "/v1/sync/push", token, body);
  ck_assert_str_eq (json_object_get_string_member (result_of (again, 0), "status"), "duplicate");
  sql = g_strdup_printf ("SELECT version || '|' || code || '|' || role || '|' || active::text || '|' || "
                         "(updated_by IS NOT NULL)::text FROM staff WHERE id = '%s'", id);
  {
    g_autofree char *row = query (sql);
    ck_assert_str_eq (row, "1|API-801|manager|true|true");
  }
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM applied_ops WHERE op_id = '%s' AND type = 'staff.upsert'", op);
  ck_assert_int_eq (query_int (sql), 1);

  /* The same state brought by another operation is applied and makes no new version. */
  {
    g_autoptr(JsonObject) res = push_one (token, "staff.upsert", id, payload, NULL);

    ck_assert_str_eq (json_object_get_string_member (res, "status"), "applied");
    g_free (sql);
    sql = g_strdup_printf ("SELECT version FROM staff WHERE id = '%s'", id);
    ck_assert_int_eq (query_int (sql), 1);
  }

  /* Published with its hash to the store's terminals, not to another store's. */
  change = pull_find (token, cursor, "staff", id);
  ck_assert_msg (change != NULL, "the new person is not in the store's pull");
  ck_assert_str_eq (json_object_get_string_member (change, "stream"), "stores");
  ck_assert_str_eq (json_object_get_string_member (change, "op"), "upsert");
  ck_assert_int_eq (json_object_get_int_member (change, "version"), 1);
  data = json_object_get_object_member (change, "data");
  ck_assert_str_eq (json_object_get_string_member (data, "code"), "API-801");
  ck_assert_str_eq (json_object_get_string_member (data, "store_id"), store1_id);
  ck_assert_str_eq (json_object_get_string_member (data, "pin_hash"), hash);
  ck_assert (pos_pin_verify (json_object_get_string_member (data, "pin_hash"), "4826"));
  ck_assert (json_object_get_boolean_member (data, "active"));
  unseen = pull_find (other_token, other_cursor, "staff", id);
  ck_assert_msg (unseen == NULL, "another store's terminal pulled the person");

  /* An edit without pin_hash keeps the PIN and makes version 2. */
  {
    g_autofree char *edit = staff_payload (id, store1_id, "API-801", "Ana Souza", "supervisor", NULL, TRUE);
    g_autoptr(JsonObject) res = push_one (token, "staff.upsert", id, edit, NULL);
    g_autoptr(JsonObject) c2 = NULL;

    ck_assert_str_eq (json_object_get_string_member (res, "status"), "applied");
    c2 = pull_find (token, cursor, "staff", id);
    ck_assert_int_eq (json_object_get_int_member (c2, "version"), 2);
    data = json_object_get_object_member (c2, "data");
    ck_assert_str_eq (json_object_get_string_member (data, "name"), "Ana Souza");
    ck_assert_str_eq (json_object_get_string_member (data, "role"), "supervisor");
    ck_assert_str_eq (json_object_get_string_member (data, "pin_hash"), hash);
  }

  /* Someone of store 002 (made at the central) cannot be changed from a 001 terminal. */
  {
    const char *args[] = { "staff", "add", "--store", "002", "--code", "API-802", "--name", "Bruno",
                           "--role", "cashier", "--no-pin", NULL };
    char *out = NULL;

    ck_assert_msg (central_harness_run (H, args, &out, &error), "%s", error ? error->message : "");
    other_id = g_strstrip (out);
    ck_assert (pos_uuid_is_valid (other_id));
  }
  {
    g_autofree char *steal = staff_payload (other_id, store1_id, "API-802", "Bruno", "manager", hash, TRUE);
    g_autofree char *foreign = staff_payload (other_id, store2_id, "API-802", "Bruno", "manager", hash, TRUE);
    g_autofree char *new_id = pos_uuid7_new ();
    g_autofree char *elsewhere = staff_payload (new_id, store2_id, "API-803", "Carla", "cashier", NULL, TRUE);
    g_autofree char *op1 = NULL, *op2 = NULL, *op3 = NULL;
    g_autoptr(JsonObject) r1 = push_one (token, "staff.upsert", other_id, steal, &op1);
    g_autoptr(JsonObject) r2 = push_one (token, "staff.upsert", other_id, foreign, &op2);
    g_autoptr(JsonObject) r3 = push_one (token, "staff.upsert", new_id, elsewhere, &op3);

    assert_rejected (r1, "wrong_store");
    assert_rejected (r2, "wrong_store");
    assert_rejected (r3, "wrong_store");
    g_free (sql);
    sql = g_strdup_printf ("SELECT role || '|' || (pin_hash IS NULL)::text || '|' || version FROM staff WHERE id = '%s'",
                           other_id);
    {
      g_autofree char *row = query (sql);
      ck_assert_str_eq (row, "cashier|true|1");
    }
    g_free (sql);
    sql = g_strdup_printf ("SELECT count (*) FROM applied_ops WHERE op_id IN ('%s', '%s', '%s')", op1, op2, op3);
    ck_assert_int_eq (query_int (sql), 0);
    g_free (sql);
    sql = g_strdup_printf ("SELECT count (*) FROM staff WHERE id = '%s'", new_id);
    ck_assert_int_eq (query_int (sql), 0);
  }

  /* Fields are checked. */
  {
    g_autofree char *new_id = pos_uuid7_new ();
    g_autofree char *mismatch = pos_uuid7_new ();
    g_autofree char *bad_role = staff_payload (new_id, store1_id, "API-804", "Davi", "boss", NULL, TRUE);
    g_autofree char *bad_hash = staff_payload (new_id, store1_id, "API-804", "Davi", "cashier", "1234", TRUE);
    g_autofree char *no_name = staff_payload (new_id, store1_id, "API-804", "   ", "cashier", NULL, TRUE);
    g_autofree char *taken = staff_payload (new_id, store1_id, "API-802", "Davi", "cashier", NULL, TRUE);
    g_autofree char *ok = staff_payload (new_id, store1_id, "API-804", "Davi", "cashier", NULL, TRUE);
    g_autofree char *no_active = g_strdup_printf ("{\"id\":\"%s\",\"store_id\":\"%s\",\"code\":\"API-804\","
                                                  "\"name\":\"Davi\",\"role\":\"cashier\"}", new_id, store1_id);
    g_autofree char *bad_badge = g_strdup_printf ("{\"id\":\"%s\",\"store_id\":\"%s\",\"code\":\"API-804\","
                                                  "\"name\":\"Davi\",\"role\":\"cashier\",\"badge_code\":7,"
                                                  "\"active\":true}", new_id, store1_id);
    const char *bad[] = { bad_role, bad_hash, no_name, taken, no_active, bad_badge };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonObject) res = push_one (token, "staff.upsert", new_id, bad[i], NULL);
        assert_rejected (res, "bad_payload");
      }
    {
      g_autoptr(JsonObject) res = push_one (token, "staff.upsert", mismatch, ok, NULL);
      assert_rejected (res, "bad_payload");
    }
    {
      g_autoptr(JsonObject) res = push_one (token, "staff.upsert", new_id, "{\"id\":3}", NULL);
      assert_rejected (res, "bad_payload");
    }
    g_free (sql);
    sql = g_strdup_printf ("SELECT count (*) FROM staff WHERE id = '%s' OR code = 'API-804'", new_id);
    ck_assert_int_eq (query_int (sql), 0);
    {
      g_autoptr(JsonObject) res = push_one (token, "staff.upsert", new_id, ok, NULL);
      ck_assert_str_eq (json_object_get_string_member (res, "status"), "applied");
    }
  }
}
END_TEST

START_TEST (test_staff_cli)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *other_token = enrol ("002");
  g_autofree char *cursor = latest_cursor (token);
  g_autofree char *other_cursor = latest_cursor (other_token);
  g_autofree char *id = NULL;
  g_autofree char *list = NULL;
  g_autofree char *all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) added = NULL;
  g_autoptr(JsonObject) unseen = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autofree char *hash = NULL;
  JsonObject *data;

  {
    const char *args[] = { "staff", "add", "--store", "001", "--code", "CLI-901", "--name", "Beatriz Lima",
                           "--role", "supervisor", "--badge", "BADGE-CLI-901", NULL };
    char *out = NULL;

    ck_assert_msg (central_harness_run_input (H, args, "2580\n", &out, &error), "%s",
                   error ? error->message : "");
    id = g_strstrip (out);
    ck_assert_msg (pos_uuid_is_valid (id), "staff add printed %s", id);
  }

  /* A PIN too easy to guess, a code taken, an unknown store, a bad role: refused. */
  {
    const char *weak[] = { "staff", "add", "--store", "001", "--code", "CLI-902", "--name", "X",
                           "--role", "cashier", NULL };
    const char *taken[] = { "staff", "add", "--store", "001", "--code", "CLI-901", "--name", "X",
                            "--role", "cashier", "--no-pin", NULL };
    const char *nostore[] = { "staff", "add", "--store", "999", "--code", "CLI-903", "--name", "X",
                              "--role", "cashier", "--no-pin", NULL };
    const char *role[] = { "staff", "add", "--store", "001", "--code", "CLI-904", "--name", "X",
                           "--role", "owner", "--no-pin", NULL };
    const char *nobody[] = { "staff", "set-pin", "CLI-999", NULL };

    ck_assert (!central_harness_run_input (H, weak, "1111\n", NULL, NULL));
    ck_assert (!central_harness_run_input (H, weak, "", NULL, NULL));
    ck_assert (!central_harness_run (H, taken, NULL, NULL));
    ck_assert (!central_harness_run (H, nostore, NULL, NULL));
    ck_assert (!central_harness_run (H, role, NULL, NULL));
    ck_assert (!central_harness_run_input (H, nobody, "2580\n", NULL, NULL));
    ck_assert_int_eq (query_int ("SELECT count (*) FROM staff WHERE code IN ('CLI-902', 'CLI-903', 'CLI-904')"), 0);
  }

  /* It reaches the store's terminals with its PIN's hash. */
  added = pull_find (token, cursor, "staff", id);
  ck_assert_msg (added != NULL, "staff add is not in the pull");
  ck_assert_int_eq (json_object_get_int_member (added, "version"), 1);
  data = json_object_get_object_member (added, "data");
  ck_assert_str_eq (json_object_get_string_member (data, "code"), "CLI-901");
  ck_assert_str_eq (json_object_get_string_member (data, "name"), "Beatriz Lima");
  ck_assert_str_eq (json_object_get_string_member (data, "role"), "supervisor");
  ck_assert_str_eq (json_object_get_string_member (data, "badge_code"), "BADGE-CLI-901");
  ck_assert_str_eq (json_object_get_string_member (data, "store_id"), store1_id);
  ck_assert (json_object_get_boolean_member (data, "active"));
  hash = g_strdup (json_object_get_string_member (data, "pin_hash"));
  ck_assert (g_str_has_prefix (hash, "$argon2id$"));
  ck_assert (pos_pin_verify (hash, "2580"));
  ck_assert (!pos_pin_verify (hash, "2581"));
  unseen = pull_find (other_token, other_cursor, "staff", id);
  ck_assert_msg (unseen == NULL, "another store's terminal pulled the person");

  /* The list shows the person and whether a PIN is set, never a hash. */
  {
    const char *args[] = { "staff", "list", "--store", "001", NULL };
    const char *every[] = { "staff", "list", NULL };
    g_autofree char *line = NULL;

    ck_assert_msg (central_harness_run (H, args, &list, &error), "%s", error ? error->message : "");
    ck_assert_msg (central_harness_run (H, every, &all, &error), "%s", error ? error->message : "");
    line = g_strdup_printf ("%s\t001\tCLI-901\tBeatriz Lima\tsupervisor\tBADGE-CLI-901\tpin\tactive\n", id);
    ck_assert_msg (strstr (list, line) != NULL, "not listed: %s", list);
    ck_assert (strstr (list, "argon2") == NULL);
    ck_assert (strstr (all, "argon2") == NULL);
    ck_assert (strstr (list, "\t002\t") == NULL);
    ck_assert (strstr (all, line) != NULL);
  }

  /* A new PIN is a new version with a new hash. */
  {
    const char *args[] = { "staff", "set-pin", "CLI-901", NULL };
    g_autoptr(JsonObject) c = NULL;

    ck_assert_msg (central_harness_run_input (H, args, "3691\n", NULL, &error), "%s", error ? error->message : "");
    c = pull_find (token, cursor, "staff", id);
    ck_assert_int_eq (json_object_get_int_member (c, "version"), 2);
    data = json_object_get_object_member (c, "data");
    ck_assert (pos_pin_verify (json_object_get_string_member (data, "pin_hash"), "3691"));
    ck_assert (!pos_pin_verify (json_object_get_string_member (data, "pin_hash"), "2580"));
  }

  /* Deactivated: published as active false (the person stays). */
  {
    const char *args[] = { "staff", "deactivate", "CLI-901", NULL };

    ck_assert_msg (central_harness_run (H, args, NULL, &error), "%s", error ? error->message : "");
    gone = pull_find (token, cursor, "staff", id);
    ck_assert_str_eq (json_object_get_string_member (gone, "op"), "upsert");
    ck_assert_int_eq (json_object_get_int_member (gone, "version"), 3);
    ck_assert (!json_object_get_boolean_member (json_object_get_object_member (gone, "data"), "active"));
    /* Again: nothing new. */
    ck_assert_msg (central_harness_run (H, args, NULL, &error), "%s", error ? error->message : "");
    {
      g_autofree char *sql = g_strdup_printf ("SELECT version FROM staff WHERE id = '%s'", id);
      ck_assert_int_eq (query_int (sql), 3);
    }
  }
}
END_TEST

START_TEST (test_restart)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup (central_harness_url (H));
  g_autoptr(Reply) r = NULL;

  ck_assert_msg (central_harness_stop_server (H, &error), "%s", error ? error->message : "");
  ck_assert_msg (central_harness_start_server (H, &error), "%s", error ? error->message : "");
  ck_assert_str_eq (central_harness_url (H), url);
  r = http ("GET", "/v1/health", NULL, NULL);
  ck_assert_int_eq (r->status, 200);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Click and collect (issue 5, docs/sync-protocol.md §7.1)             */

#define TWO_LINES "[{\"sku\":\"ACU-1\",\"quantity\":3000,\"unit_price\":549}," \
                  "{\"sku\":\"CAF-500\",\"quantity\":1000,\"unit_price\":1899}]"

/* A terminal of the store with this name; *terminal_id is its id. */
static char *
enrol_named (const char *store_code,
             const char *name,
             char      **terminal_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = central_harness_enroll_token (H, store_code, &error);
  g_autofree char *name_json = json_str (name);
  g_autofree char *body = NULL;
  g_autoptr(Reply) r = NULL;

  ck_assert_msg (token != NULL, "%s", error ? error->message : "");
  body = g_strdup_printf ("{\"token\":\"%s\",\"name\":%s}", token, name_json);
  r = http ("POST", "/v1/enroll", NULL, body);
  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  *terminal_id = g_strdup (json_object_get_string_member (json_object_get_object_member (obj (r), "terminal"), "id"));
  return g_strdup (json_object_get_string_member (obj (r), "token"));
}

/* A pickup order at store 001; `extra` adds members (",\"paid\":true"). */
static char *
post_order (const char *external_ref,
            const char *lines,
            const char *extra,
            char      **code)
{
  g_autofree char *body = g_strdup_printf (
    "{\"external_ref\":\"%s\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":\"001\","
    "\"currency\":\"BRL\",\"lines\":%s%s}", external_ref, lines, extra != NULL ? extra : "");
  g_autoptr(Reply) r = http ("POST", "/v1/channel/orders", channel_key, body);

  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  if (code != NULL)
    *code = g_strdup (json_object_get_string_member (obj (r), "pickup_code"));
  return g_strdup (json_object_get_string_member (json_object_get_object_member (obj (r), "order"), "id"));
}

/* The ORDER as the channel API has it. */
static JsonObject *
order_of (const char *id)
{
  g_autofree char *path = g_strdup_printf ("/v1/channel/orders/%s", id);
  g_autoptr(Reply) r = http ("GET", path, channel_key, NULL);

  ck_assert_msg (r->status == 200, "%ld %s", r->status, r->body->str);
  return json_object_ref (json_object_get_object_member (obj (r), "order"));
}

static JsonObject *
line_of (JsonObject *order,
         guint       line_no)
{
  JsonArray *lines = json_object_get_array_member (order, "lines");

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *l = json_array_get_object_element (lines, i);

      if (json_object_get_int_member (l, "line_no") == line_no)
        return l;
    }
  ck_abort_msg ("the order has no line %u", line_no);
  return NULL;
}

static Reply *
order_status (const char *id,
              const char *body)
{
  g_autofree char *path = g_strdup_printf ("/v1/channel/orders/%s/status", id);

  return http ("POST", path, channel_key, body);
}

/* Pushes one operation under the given op_id. */
static JsonObject *
push_op (const char *token,
         const char *op_id,
         const char *type,
         const char *entity_id,
         const char *payload)
{
  g_autofree char *body = one_op (op_id, 1, type, entity_id, payload);
  g_autoptr(Reply) r = http ("POST", "/v1/sync/push", token, body);

  return json_object_ref (result_of (r, 0));
}

static void
assert_status (JsonObject *res,
               const char *status)
{
  ck_assert_msg (g_str_equal (json_object_get_string_member (res, "status"), status), "expected %s, got %s %s",
                 status, json_object_get_string_member (res, "status"),
                 json_object_has_member (res, "message") ? json_object_get_string_member (res, "message") : "");
}

static void
assert_push_rejected (const char *token,
                      const char *type,
                      const char *entity_id,
                      const char *payload,
                      const char *code)
{
  g_autoptr(JsonObject) res = push_one (token, type, entity_id, payload, NULL);

  assert_rejected (res, code);
}

static char *
transition_payload (const char *order_id,
                    const char *from,
                    const char *to,
                    gint64      expected_version,
                    const char *extra)
{
  return g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"expected_version\":%"
                          G_GINT64_FORMAT "%s}", order_id, from, to, expected_version, extra != NULL ? extra : "");
}

static char *
new_customer (const char *name)
{
  char *id = pos_uuid7_new ();
  g_autofree char *path = g_strdup_printf ("/v1/channel/customers/%s", id);
  g_autofree char *name_json = json_str (name);
  g_autofree char *body = g_strdup_printf ("{\"name\":%s}", name_json);
  g_autoptr(Reply) r = http ("PUT", path, channel_key, body);

  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  return id;
}

static char *
timeline_kinds (const char *customer_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT string_agg (kind, ',' ORDER BY kind) FROM customer_events "
                                          "WHERE customer_id = '%s'", customer_id);

  return query (sql);
}

static gint64
stock_of (const char *sku,
          const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM stock_levels WHERE store_id = '%s' AND sku = '%s'",
                                          column, store1_id, sku);

  return query_int (sql);
}

START_TEST (test_pickup_fields_and_picking)
{
  g_autofree char *tid = NULL;
  g_autofree char *token = enrol_named ("001", "Caixa 7", &tid);
  g_autofree char *cursor = latest_cursor (token);
  g_autofree char *id = post_order ("PICK-1", TWO_LINES,
                                    ",\"paid\":true,\"customer_name\":\"Rita Souza\","
                                    "\"customer_phone\":\"+55 11 98888-0000\",\"payment_method\":\"pix\"", NULL);
  g_autoptr(JsonObject) change = pull_find (token, cursor, "pickup_order", id);
  g_autoptr(JsonObject) order = NULL;
  g_autofree char *ready_op = pos_uuid7_new ();
  JsonObject *data, *last;
  const char *steps[][2] = { { "PLACED", "ALLOCATED" }, { "ALLOCATED", "PICKING" } };

  /* The entity carries who comes and how it was paid. */
  ck_assert (change != NULL);
  data = json_object_get_object_member (change, "data");
  ck_assert_str_eq (json_object_get_string_member (data, "customer_name"), "Rita Souza");
  ck_assert_str_eq (json_object_get_string_member (data, "customer_phone"), "+55 11 98888-0000");
  ck_assert_str_eq (json_object_get_string_member (data, "payment_method"), "pix");
  ck_assert_str_eq (json_object_get_string_member (data, "fulfilment"), "pickup");
  ck_assert (json_object_get_null_member (data, "paid_by_sale_id"));
  ck_assert (json_object_get_null_member (data, "exception_note"));
  ck_assert (json_object_get_null_member (data, "last_transition"));
  ck_assert_int_eq (json_object_get_int_member (line_of (data, 1), "missing_quantity"), 0);
  ck_assert_int_eq (json_object_get_int_member (line_of (data, 1), "refunded_quantity"), 0);
  ck_assert (json_object_get_null_member (line_of (data, 2), "substitute_sku"));

  /* A payment method that is not a word. */
  {
    g_autoptr(Reply) r = http ("POST", "/v1/channel/orders", channel_key,
      "{\"external_ref\":\"PICK-BAD\",\"channel\":\"web\",\"fulfilment\":\"pickup\",\"store_code\":\"001\","
      "\"payment_method\":\"Credit Card!\",\"lines\":[{\"sku\":\"ACU-1\",\"quantity\":1000,\"unit_price\":549}]}");
    assert_error (r, 400, "bad_request");
  }

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *op = pos_uuid7_new ();
      g_autofree char *p = transition_payload (id, steps[i][0], steps[i][1], i + 1, ",\"staff_name\":\"Joana\"");
      g_autoptr(JsonObject) res = push_op (token, op, "pickup.transition", id, p);

      assert_status (res, "applied");
    }
  /* Ready: what was picked, and where it waits. */
  {
    g_autofree char *p = transition_payload (id, "PICKING", "READY_FOR_PICKUP", 3,
      ",\"shelf_location\":\"B-12\",\"staff_name\":\"Joana\","
      "\"lines\":[{\"line_no\":1,\"picked_quantity\":3000},{\"line_no\":2,\"picked_quantity\":500}]");
    g_autoptr(JsonObject) res = push_op (token, ready_op, "pickup.transition", id, p);
    g_autoptr(JsonObject) again = push_op (token, ready_op, "pickup.transition", id, p);

    assert_status (res, "applied");
    assert_status (again, "duplicate");
  }
  order = order_of (id);
  ck_assert_str_eq (json_object_get_string_member (order, "state"), "READY_FOR_PICKUP");
  ck_assert_int_eq (json_object_get_int_member (order, "version"), 4);
  ck_assert_str_eq (json_object_get_string_member (order, "shelf_location"), "B-12");
  ck_assert (!json_object_get_null_member (order, "ready_at"));
  ck_assert_int_eq (json_object_get_int_member (line_of (order, 1), "picked_quantity"), 3000);
  ck_assert_int_eq (json_object_get_int_member (line_of (order, 2), "picked_quantity"), 500);
  last = json_object_get_object_member (order, "last_transition");
  ck_assert_str_eq (json_object_get_string_member (last, "from"), "PICKING");
  ck_assert_str_eq (json_object_get_string_member (last, "to"), "READY_FOR_PICKUP");
  ck_assert_str_eq (json_object_get_string_member (last, "terminal_id"), tid);
  ck_assert_str_eq (json_object_get_string_member (last, "terminal_name"), "Caixa 7");
  ck_assert_str_eq (json_object_get_string_member (last, "staff_name"), "Joana");
  ck_assert_int_gt (json_object_get_int_member (last, "at"), 0);
}
END_TEST

START_TEST (test_pickup_exception)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *customer = new_customer ("Otávio Nunes");
  g_autofree char *extra = g_strdup_printf (",\"paid\":true,\"customer_id\":\"%s\"", customer);
  g_autofree char *id = post_order ("EXC-1", TWO_LINES, extra, NULL);
  g_autofree char *exc_op = pos_uuid7_new ();
  g_autofree char *exc = g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"PICKING\",\"expected_version\":3,"
                                          "\"lines\":[{\"line_no\":1,\"missing_quantity\":1000}],"
                                          "\"note\":\"Only 2 on the shelf\"}", id);
  g_autoptr(JsonObject) order = NULL;
  gint64 reserved;

  move_order (id, "ALLOCATED");
  move_order (id, "PICKING");
  reserved = stock_of ("ACU-1", "reserved");

  {
    g_autoptr(JsonObject) res = push_op (token, exc_op, "pickup.exception", id, exc);
    g_autoptr(JsonObject) again = push_op (token, exc_op, "pickup.exception", id, exc);
    g_autofree char *stale_op = pos_uuid7_new ();
    g_autoptr(JsonObject) stale = push_op (token, stale_op, "pickup.exception", id, exc);

    assert_status (res, "applied");
    assert_status (again, "duplicate");
    /* The same exception under another op_id meets the order on hold. */
    assert_status (stale, "conflict");
    ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (stale, "server_state"), "state"),
                      "ON_HOLD");
  }
  order = order_of (id);
  ck_assert_str_eq (json_object_get_string_member (order, "state"), "ON_HOLD");
  ck_assert_str_eq (json_object_get_string_member (order, "exception_note"), "Only 2 on the shelf");
  ck_assert_int_eq (json_object_get_int_member (line_of (order, 1), "missing_quantity"), 1000);
  ck_assert_int_eq (json_object_get_int_member (line_of (order, 2), "missing_quantity"), 0);
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (order, "last_transition"), "to"),
                    "ON_HOLD");

  /* The central decides: not the counter, and not without a resolution. */
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autofree char *p = transition_payload (id, "ON_HOLD", "READY_FOR_PICKUP", 4, NULL);
    g_autoptr(JsonObject) res = push_op (token, op, "pickup.transition", id, p);
    g_autoptr(Reply) bare = order_status (id, "{\"to\":\"READY_FOR_PICKUP\"}");
    g_autoptr(Reply) mismatch = order_status (id, "{\"to\":\"CANCELLED\",\"resolution\":\"partial\"}");
    g_autoptr(Reply) unknown = order_status (id, "{\"to\":\"READY_FOR_PICKUP\",\"resolution\":\"maybe\"}");

    assert_rejected (res, "invalid_transition");
    assert_error (bare, 422, "invalid_transition");
    assert_error (mismatch, 400, "bad_request");
    assert_error (unknown, 400, "bad_request");
  }
  /* Partial: the missing quantity leaves the line, the total and the reservation. */
  {
    g_autoptr(Reply) r = order_status (id, "{\"to\":\"READY_FOR_PICKUP\",\"resolution\":\"partial\"}");
    JsonObject *o;

    ck_assert_msg (r->status == 200, "%ld %s", r->status, r->body->str);
    o = json_object_get_object_member (obj (r), "order");
    ck_assert_str_eq (json_object_get_string_member (o, "state"), "READY_FOR_PICKUP");
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 1), "quantity"), 2000);
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 1), "missing_quantity"), 0);
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 2), "quantity"), 1000);
    ck_assert_int_eq (json_object_get_int_member (o, "total"), 1098 + 1899);
    ck_assert (json_object_get_null_member (o, "exception_note"));
    ck_assert_int_eq (stock_of ("ACU-1", "reserved"), reserved - 1000);
  }
  /* Nothing left to resolve. */
  {
    g_autoptr(Reply) r = order_status (id, "{\"to\":\"ON_HOLD\",\"resolution\":\"partial\"}");

    assert_error (r, 422, "invalid_transition");
  }
  {
    g_autofree char *kinds = timeline_kinds (customer);

    ck_assert_str_eq (kinds, "notification,order_placed,order_status,order_status");
  }

  /* Substitute: the whole line was missing, another product takes its place at its price. */
  {
    g_autofree char *sub = post_order ("EXC-2", "[{\"sku\":\"ACU-1\",\"quantity\":2000,\"unit_price\":549}]",
                                       ",\"paid\":true", NULL);
    g_autofree char *op1 = pos_uuid7_new ();
    g_autofree char *op2 = pos_uuid7_new ();
    g_autofree char *bad = g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"PICKING\",\"expected_version\":3,"
                                            "\"lines\":[{\"line_no\":1,\"missing_quantity\":2000,"
                                            "\"substitute_sku\":\"NOPE-1\"}]}", sub);
    g_autofree char *good = g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"PICKING\",\"expected_version\":3,"
                                             "\"lines\":[{\"line_no\":1,\"missing_quantity\":2000,"
                                             "\"substitute_sku\":\"CAF-500\",\"substitute_quantity\":1000}]}", sub);
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) held = NULL;
    g_autoptr(Reply) done = NULL;
    JsonObject *o;
    gint64 caf_reserved;

    move_order (sub, "ALLOCATED");
    move_order (sub, "PICKING");
    r1 = push_op (token, op1, "pickup.exception", sub, bad);
    assert_rejected (r1, "bad_payload");
    r2 = push_op (token, op2, "pickup.exception", sub, good);
    assert_status (r2, "applied");
    held = order_of (sub);
    ck_assert_str_eq (json_object_get_string_member (line_of (held, 1), "substitute_sku"), "CAF-500");
    ck_assert_str_eq (json_object_get_string_member (line_of (held, 1), "substitute_name"),
                      "Café Torrado e Moído Pilão 500g");
    ck_assert_int_eq (json_object_get_int_member (line_of (held, 1), "substitute_quantity"), 1000);
    caf_reserved = stock_of ("CAF-500", "reserved");
    done = order_status (sub, "{\"to\":\"PICKING\",\"resolution\":\"substitute\"}");
    ck_assert_msg (done->status == 200, "%ld %s", done->status, done->body->str);
    o = json_object_get_object_member (obj (done), "order");
    ck_assert_str_eq (json_object_get_string_member (o, "state"), "PICKING");
    ck_assert_str_eq (json_object_get_string_member (line_of (o, 1), "sku"), "CAF-500");
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 1), "quantity"), 1000);
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 1), "unit_price"), 549);
    ck_assert (json_object_get_null_member (line_of (o, 1), "substitute_sku"));
    ck_assert_int_eq (json_object_get_int_member (o, "total"), 549);
    ck_assert_int_eq (stock_of ("CAF-500", "reserved"), caf_reserved + 1000);
  }

  /* Cancel: the reservation goes back. */
  {
    g_autofree char *gone = post_order ("EXC-3", "[{\"sku\":\"ACU-1\",\"quantity\":4000,\"unit_price\":549}]",
                                        NULL, NULL);
    g_autofree char *op = pos_uuid7_new ();
    g_autofree char *p = g_strdup_printf ("{\"order_id\":\"%s\",\"from\":\"PLACED\",\"expected_version\":1,"
                                          "\"lines\":[{\"line_no\":1,\"missing_quantity\":4000}]}", gone);
    g_autoptr(JsonObject) res = NULL;
    g_autoptr(Reply) wrong = NULL;
    g_autoptr(Reply) done = NULL;
    gint64 before = stock_of ("ACU-1", "reserved");

    res = push_op (token, op, "pickup.exception", gone, p);
    assert_status (res, "applied");
    wrong = order_status (gone, "{\"to\":\"READY_FOR_PICKUP\",\"resolution\":\"cancel\"}");
    assert_error (wrong, 400, "bad_request");
    done = order_status (gone, "{\"to\":\"CANCELLED\",\"resolution\":\"cancel\"}");
    ck_assert_msg (done->status == 200, "%ld %s", done->status, done->body->str);
    ck_assert_int_eq (stock_of ("ACU-1", "reserved"), before - 4000);
  }
}
END_TEST

static char *
document_payload (const char *id,
                  const char *order_id,
                  const char *lines,
                  gint64      amount,
                  const char *extra)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"order_id\":\"%s\",\"lines\":%s,\"amount\":%" G_GINT64_FORMAT ","
                          "\"currency\":\"BRL\",\"reason\":\"Damaged package\",\"staff_id\":\"staff-1\","
                          "\"created_at\":%" G_GINT64_FORMAT "%s}",
                          id, order_id, lines, amount, g_get_real_time () / 1000, extra);
}

START_TEST (test_pickup_refund_return)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *other = enrol ("002");
  g_autofree char *customer = new_customer ("Sílvia Prado");
  g_autofree char *extra = g_strdup_printf (",\"paid\":true,\"customer_id\":\"%s\"", customer);
  g_autofree char *code = NULL;
  g_autofree char *id = post_order ("REF-1", TWO_LINES, extra, &code);
  g_autofree char *refund_id = pos_uuid7_new ();
  g_autofree char *refund = document_payload (refund_id, id, "[{\"line_no\":2,\"quantity\":1000}]", 1899,
                                              ",\"approver_id\":\"manager-1\"");
  g_autofree char *op_a = pos_uuid7_new ();
  g_autofree char *op_b = pos_uuid7_new ();
  g_autofree char *number = NULL;
  g_autoptr(JsonObject) order = NULL;
  gint64 before;

  move_order (id, "ALLOCATED");
  move_order (id, "PICKING");
  move_order (id, "READY_FOR_PICKUP");

  /* Refused at the handover: refunded once, never beyond what was not collected. */
  {
    g_autoptr(JsonObject) res = push_op (token, op_a, "pickup.refund", refund_id, refund);
    g_autoptr(JsonObject) replay = push_op (token, op_a, "pickup.refund", refund_id, refund);
    g_autoptr(JsonObject) again = push_op (token, op_b, "pickup.refund", refund_id, refund);
    g_autofree char *more_id = pos_uuid7_new ();
    g_autofree char *more = document_payload (more_id, id, "[{\"line_no\":2,\"quantity\":1}]", 1,
                                              ",\"approver_id\":\"manager-1\"");
    g_autofree char *unapproved_id = pos_uuid7_new ();
    g_autofree char *unapproved = document_payload (unapproved_id, id, "[{\"line_no\":1,\"quantity\":1000}]", 549, "");
    g_autofree char *lost_id = pos_uuid7_new ();
    g_autofree char *lost_order = pos_uuid7_new ();
    g_autofree char *lost = document_payload (lost_id, lost_order, "[{\"line_no\":1,\"quantity\":1000}]", 549,
                                              ",\"approver_id\":\"manager-1\"");
    g_autofree char *elsewhere_id = pos_uuid7_new ();
    g_autofree char *elsewhere = document_payload (elsewhere_id, id, "[{\"line_no\":1,\"quantity\":1000}]", 549,
                                                   ",\"approver_id\":\"manager-1\"");

    assert_status (res, "applied");
    assert_status (replay, "duplicate");
    assert_status (again, "duplicate");
    assert_push_rejected (token, "pickup.refund", more_id, more, "bad_payload");
    assert_push_rejected (token, "pickup.refund", unapproved_id, unapproved, "bad_payload");
    assert_push_rejected (token, "pickup.refund", lost_id, lost, "not_found");
    assert_push_rejected (other, "pickup.refund", elsewhere_id, elsewhere, "wrong_store");
  }
  order = order_of (id);
  ck_assert_int_eq (json_object_get_int_member (line_of (order, 2), "refunded_quantity"), 1000);
  ck_assert_int_eq (json_object_get_int_member (line_of (order, 1), "refunded_quantity"), 0);
  ck_assert_int_eq (json_object_get_int_member (order, "version"), 5);
  number = g_strdup (json_object_get_string_member (order, "number"));

  /* The rest is handed over. */
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autofree char *code_member = g_strdup_printf (",\"pickup_code\":\"%s\"", code);
    g_autofree char *p = transition_payload (id, "READY_FOR_PICKUP", "PICKED_UP", 5, code_member);
    g_autoptr(JsonObject) res = push_op (token, op, "pickup.transition", id, p);

    assert_status (res, "applied");
    g_clear_pointer (&order, json_object_unref);
    order = order_of (id);
    ck_assert_int_eq (json_object_get_int_member (line_of (order, 1), "collected_quantity"), 3000);
    ck_assert_int_eq (json_object_get_int_member (line_of (order, 2), "collected_quantity"), 0);
  }

  /* Brought back to the counter: refunded, the stock moved once. */
  before = stock_of ("ACU-1", "quantity");
  {
    g_autofree char *ret_id = pos_uuid7_new ();
    g_autofree char *mv = pos_uuid7_new ();
    g_autofree char *moves = g_strdup_printf (",\"store_id\":\"%s\",\"terminal_id\":\"t\",\"stock_movements\":"
                                              "[{\"id\":\"%s\",\"sku\":\"ACU-1\",\"delta\":1000,\"reason\":\"return\"}]",
                                              store1_id, mv);
    g_autofree char *ret = document_payload (ret_id, id, "[{\"line_no\":1,\"quantity\":1000}]", 549, moves);
    g_autofree char *op_c = pos_uuid7_new ();
    g_autofree char *op_d = pos_uuid7_new ();
    g_autoptr(JsonObject) res = push_op (token, op_c, "order.return", ret_id, ret);
    g_autoptr(JsonObject) replay = push_op (token, op_c, "order.return", ret_id, ret);
    g_autoptr(JsonObject) again = push_op (token, op_d, "order.return", ret_id, ret);
    g_autofree char *over_id = pos_uuid7_new ();
    g_autofree char *mv2 = pos_uuid7_new ();
    g_autofree char *over_moves = g_strdup_printf (",\"store_id\":\"%s\",\"stock_movements\":"
                                                   "[{\"id\":\"%s\",\"sku\":\"ACU-1\",\"delta\":2500,"
                                                   "\"reason\":\"return\"}]", store1_id, mv2);
    g_autofree char *over = document_payload (over_id, id, "[{\"line_no\":1,\"quantity\":2500}]", 1373, over_moves);
    g_autofree char *never_id = pos_uuid7_new ();
    g_autofree char *store_member = g_strdup_printf (",\"store_id\":\"%s\"", store1_id);
    g_autofree char *never = document_payload (never_id, id, "[{\"line_no\":2,\"quantity\":1}]", 2, store_member);
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM stock_movements WHERE id = '%s'", mv2);

    assert_status (res, "applied");
    assert_status (replay, "duplicate");
    assert_status (again, "duplicate");
    ck_assert_int_eq (stock_of ("ACU-1", "quantity"), before + 1000);
    assert_push_rejected (token, "order.return", over_id, over, "bad_payload");
    assert_push_rejected (token, "order.return", never_id, never, "bad_payload");
    ck_assert_int_eq (stock_of ("ACU-1", "quantity"), before + 1000);
    ck_assert_int_eq (query_int (sql), 0);
  }

  /* Any terminal finds the order by number or id, with what came back. */
  {
    g_autofree char *by_number = g_strdup_printf ("/v1/orders/%s", number);
    g_autofree char *by_id = g_strdup_printf ("/v1/orders/%s", id);
    g_autoptr(Reply) r1 = http ("GET", by_number, other, NULL);
    g_autoptr(Reply) r2 = http ("GET", by_id, token, NULL);
    g_autoptr(Reply) none = http ("GET", "/v1/orders/RET-999999999", token, NULL);
    g_autoptr(Reply) channel = http ("GET", by_id, channel_key, NULL);
    JsonObject *o;

    ck_assert_msg (r1->status == 200, "%ld %s", r1->status, r1->body->str);
    o = json_object_get_object_member (obj (r1), "order");
    ck_assert_str_eq (json_object_get_string_member (o, "id"), id);
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 1), "returned_quantity"), 1000);
    ck_assert_int_eq (json_object_get_int_member (line_of (o, 2), "returned_quantity"), 0);
    ck_assert_msg (r2->status == 200, "%ld %s", r2->status, r2->body->str);
    ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (obj (r2), "order"), "number"),
                      number);
    assert_error (none, 404, "not_found");
    assert_error (channel, 403, "forbidden");
  }
  {
    g_autofree char *kinds = timeline_kinds (customer);

    ck_assert_str_eq (kinds, "notification,notification,order_placed,refund,return");
  }
}
END_TEST

START_TEST (test_pickup_paid_by_sale)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *customer = new_customer ("Caio Ramos");
  g_autofree char *extra = g_strdup_printf (",\"paid\":false,\"customer_id\":\"%s\"", customer);
  g_autofree char *id = post_order ("PAY-1", "[{\"sku\":\"ACU-1\",\"quantity\":2000,\"unit_price\":549}]",
                                    extra, NULL);
  g_autofree char *sale_id = pos_uuid7_new ();
  g_autofree char *sale = sale_payload (sale_id, store1_id, NULL, NULL, "ACU-1", -2000);
  g_autofree char *paying = g_strdup_printf ("{\"pickup_order_id\":\"%s\",%s", id, sale + 1);
  g_autoptr(JsonObject) order = NULL;

  move_order (id, "ALLOCATED");
  move_order (id, "PICKING");
  move_order (id, "READY_FOR_PICKUP");
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autofree char *p = transition_payload (id, "READY_FOR_PICKUP", "PICKED_UP", 4, NULL);
    g_autoptr(JsonObject) res = push_op (token, op, "pickup.transition", id, p);

    assert_status (res, "conflict");
    ck_assert (!json_object_get_boolean_member (json_object_get_object_member (res, "server_state"), "paid"));
  }
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autoptr(JsonObject) res = push_op (token, op, "sale.create", sale_id, paying);
    g_autoptr(JsonObject) again = push_one (token, "sale.create", sale_id, paying, NULL);

    assert_status (res, "applied");
    assert_status (again, "duplicate");
  }
  order = order_of (id);
  ck_assert (json_object_get_boolean_member (order, "paid"));
  ck_assert_str_eq (json_object_get_string_member (order, "paid_by_sale_id"), sale_id);
  ck_assert_int_eq (json_object_get_int_member (order, "version"), 5);
  {
    g_autofree char *op = pos_uuid7_new ();
    g_autofree char *p = transition_payload (id, "READY_FOR_PICKUP", "PICKED_UP", 5, NULL);
    g_autoptr(JsonObject) res = push_op (token, op, "pickup.transition", id, p);

    assert_status (res, "applied");
  }
  {
    g_autofree char *kinds = timeline_kinds (customer);

    ck_assert_str_eq (kinds, "notification,notification,order_placed,purchase");
  }
}
END_TEST

START_TEST (test_pickup_race_names_winner)
{
  g_autofree char *tid1 = NULL;
  g_autofree char *tid2 = NULL;
  g_autofree char *t1 = enrol_named ("001", "Caixa 1", &tid1);
  g_autofree char *t2 = enrol_named ("001", "Caixa 2", &tid2);
  g_autofree char *code = NULL;
  g_autofree char *id = post_order ("RACE-2", "[{\"sku\":\"ACU-1\",\"quantity\":1000,\"unit_price\":549}]",
                                    ",\"paid\":true", &code);
  g_autofree char *op1 = pos_uuid7_new ();
  g_autofree char *op2 = pos_uuid7_new ();
  g_autofree char *m1 = g_strdup_printf (",\"pickup_code\":\"%s\",\"staff_name\":\"Ana\"", code);
  g_autofree char *m2 = g_strdup_printf (",\"pickup_code\":\"%s\",\"staff_name\":\"Bia\"", code);
  g_autofree char *p1 = transition_payload (id, "READY_FOR_PICKUP", "PICKED_UP", 4, m1);
  g_autofree char *p2 = transition_payload (id, "READY_FOR_PICKUP", "PICKED_UP", 4, m2);
  Racer a = { t1, NULL, NULL }, b = { t2, NULL, NULL };
  JsonObject *ra, *rb, *lost, *last;
  const char *winner_id, *winner_name, *winner_staff;
  GThread *ta, *tb;

  move_order (id, "ALLOCATED");
  move_order (id, "PICKING");
  move_order (id, "READY_FOR_PICKUP");
  a.body = one_op (op1, 1, "pickup.transition", id, p1);
  b.body = one_op (op2, 1, "pickup.transition", id, p2);
  ta = g_thread_new ("a", race, &a);
  tb = g_thread_new ("b", race, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  ra = result_of (a.reply, 0);
  rb = result_of (b.reply, 0);
  if (g_str_equal (json_object_get_string_member (ra, "status"), "applied"))
    lost = rb, winner_id = tid1, winner_name = "Caixa 1", winner_staff = "Ana";
  else
    {
      assert_status (rb, "applied");
      lost = ra, winner_id = tid2, winner_name = "Caixa 2", winner_staff = "Bia";
    }
  assert_status (lost, "conflict");
  last = json_object_get_object_member (json_object_get_object_member (lost, "server_state"), "last_transition");
  ck_assert_str_eq (json_object_get_string_member (last, "to"), "PICKED_UP");
  ck_assert_str_eq (json_object_get_string_member (last, "terminal_id"), winner_id);
  ck_assert_str_eq (json_object_get_string_member (last, "terminal_name"), winner_name);
  ck_assert_str_eq (json_object_get_string_member (last, "staff_name"), winner_staff);
  g_free (a.body);
  g_free (b.body);
  reply_free (a.reply);
  reply_free (b.reply);
}
END_TEST

START_TEST (test_order_cli)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *cursor = latest_cursor (token);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) rows = NULL;
  Waiter w = { token, NULL, 30, NULL, 0 };
  GThread *th;

  /* A terminal waits; the posted orders wake it. */
  w.cursor = cursor;
  th = g_thread_new ("wait", wait_thread, &w);
  g_usleep (300 * 1000);
  {
    const char *args[] = { "order", "post", "--store", "001", "--count", "2", "--unpaid", "--channel", "app",
                           "--customer-name", "Teste Silva", "--customer-phone", "+55 11 90000-0000",
                           "--lines", "ACU-1:2,CAF-500:1", NULL };

    ck_assert_msg (central_harness_run (H, args, &out, &error), "%s", error ? error->message : "");
  }
  g_thread_join (th);
  ck_assert_msg (w.reply->status == 200, "%ld %s", w.reply->status, w.reply->body->str);
  ck_assert (strstr (w.reply->body->str, "\"pickups\"") != NULL);
  reply_free (w.reply);

  rows = g_strsplit (g_strstrip (out), "\n", -1);
  ck_assert_uint_eq (g_strv_length (rows), 2);
  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_auto(GStrv) cols = g_strsplit (rows[i], "\t", -1);
      g_autofree char *qr = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *id = NULL;
      g_autoptr(JsonObject) change = NULL;
      JsonObject *data;

      ck_assert_uint_eq (g_strv_length (cols), 3);
      ck_assert (g_str_has_prefix (cols[0], "RET-"));
      ck_assert_uint_eq (strlen (cols[1]), 6);
      qr = g_strdup_printf ("BALCAO:PICKUP:%s:%s", cols[0], cols[1]);
      ck_assert_str_eq (cols[2], qr);
      sql = g_strdup_printf ("SELECT id FROM orders WHERE number = '%s'", cols[0]);
      id = query (sql);
      change = pull_find (token, cursor, "pickup_order", id);
      ck_assert_msg (change != NULL, "order %s is not on the pickups stream", cols[0]);
      data = json_object_get_object_member (change, "data");
      ck_assert_str_eq (json_object_get_string_member (data, "state"), "PLACED");
      ck_assert_str_eq (json_object_get_string_member (data, "channel"), "app");
      ck_assert (!json_object_get_boolean_member (data, "paid"));
      ck_assert (json_object_get_null_member (data, "payment_method"));
      ck_assert_str_eq (json_object_get_string_member (data, "customer_name"), "Teste Silva");
      ck_assert_str_eq (json_object_get_string_member (data, "customer_phone"), "+55 11 90000-0000");
      ck_assert_int_eq (json_object_get_int_member (data, "total"), 1098 + 1899);
      ck_assert (!json_object_get_null_member (data, "customer_id"));
    }

  /* Random lines from what the store has in stock, paid online. */
  {
    const char *args[] = { "order", "post", "--store", "001", NULL };
    g_autofree char *one = NULL;
    g_auto(GStrv) cols = NULL;
    g_autofree char *sql = NULL;
    g_autofree char *paid = NULL;
    g_autofree char *list = NULL;
    g_autofree char *moved = NULL;
    g_autofree char *shown = NULL;
    g_autoptr(JsonNode) node = NULL;

    ck_assert_msg (central_harness_run (H, args, &one, &error), "%s", error ? error->message : "");
    cols = g_strsplit (g_strstrip (one), "\t", -1);
    ck_assert_uint_eq (g_strv_length (cols), 3);
    sql = g_strdup_printf ("SELECT o.paid || ',' || (o.payment_method IN ('card', 'pix')) || ',' || "
                           "(SELECT count(*) > 0 FROM order_lines l WHERE l.order_id = o.id) "
                           "FROM orders o WHERE o.number = '%s'", cols[0]);
    paid = query (sql);
    ck_assert_str_eq (paid, "true,true,true");

    {
      const char *largs[] = { "order", "list", "--store", "001", "--state", "PLACED", NULL };

      ck_assert_msg (central_harness_run (H, largs, &list, &error), "%s", error ? error->message : "");
      ck_assert (strstr (list, cols[0]) != NULL);
    }
    {
      const char *sargs[] = { "order", "status", cols[0], "--to", "ALLOCATED", "--shelf", "C-3", NULL };

      ck_assert_msg (central_harness_run (H, sargs, &moved, &error), "%s", error ? error->message : "");
      ck_assert (strstr (moved, "ALLOCATED") != NULL);
    }
    {
      const char *shargs[] = { "order", "show", cols[0], NULL };

      ck_assert_msg (central_harness_run (H, shargs, &shown, &error), "%s", error ? error->message : "");
      node = json_from_string (shown, NULL);
      ck_assert (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
      ck_assert_str_eq (json_object_get_string_member (json_node_get_object (node), "state"), "ALLOCATED");
      ck_assert_str_eq (json_object_get_string_member (json_node_get_object (node), "shelf_location"), "C-3");
    }
  }
  /* An unknown store. */
  {
    const char *args[] = { "order", "post", "--store", "999", NULL };

    ck_assert (!central_harness_run (H, args, NULL, NULL));
  }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Customers at a store (issue 4, §6.1): scope, lookups, loyalty       */

/* A valid CPF that no other test holds, as 11 digits. */
static char *
random_cpf (void)
{
  char nine[9];
  char out[12];

  for (guint i = 0; i < 9; i++)
    nine[i] = (char) ('0' + g_random_int_range (0, 10));
  nine[0] = (char) ('1' + g_random_int_range (0, 9));   /* never all the same digit */
  nine[1] = nine[0] == '9' ? '0' : (char) (nine[0] + 1);
  pos_cpf_complete (nine, out);
  return g_strdup (out);
}

/* A mobile number in São Paulo nobody else has: 11 digits. */
static char *
random_mobile (void)
{
  return g_strdup_printf ("119%08u", g_random_int_range (0, 100000000));
}

/* A customer made through the channel API with the given fields (a JSON
 * object's members, without braces); its id. */
static char *
put_customer (const char *members)
{
  char *id = pos_uuid7_new ();
  g_autofree char *path = g_strdup_printf ("/v1/channel/customers/%s", id);
  g_autofree char *body = g_strdup_printf ("{%s}", members);
  g_autoptr(Reply) r = http ("PUT", path, channel_key, body);

  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  return id;
}

/* Every change a terminal pulls after cursor; *next the cursor after them. */
static JsonArray *
pull_all (const char *token,
          const char *cursor,
          char      **next)
{
  JsonArray *all = json_array_new ();
  g_autofree char *at = g_strdup (cursor != NULL ? cursor : "");

  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("/v1/sync/pull?limit=5000&cursor=%s", at);
      g_autoptr(Reply) r = http ("GET", path, token, NULL);
      JsonArray *changes;

      ck_assert_msg (r->status == 200, "%s", r->body->str);
      changes = json_object_get_array_member (obj (r), "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        json_array_add_element (all, json_node_copy (json_array_get_element (changes, i)));
      g_free (at);
      at = g_strdup (json_object_get_string_member (obj (r), "next_cursor"));
      if (!json_object_get_boolean_member (obj (r), "has_more"))
        break;
    }
  if (next != NULL)
    *next = g_steal_pointer (&at);
  return all;
}

/* The last change of entity/id in changes, or NULL. */
static JsonObject *
change_of (JsonArray  *changes,
           const char *entity,
           const char *id)
{
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);

      if (g_str_equal (json_object_get_string_member (c, "entity"), entity) &&
          g_str_equal (json_object_get_string_member (c, "id"), id))
        found = c;
    }
  return found;
}

/* How many timeline entries of customer_id are among the changes (and
 * that every one comes after the customer, when the customer is there). */
static guint
events_of (JsonArray  *changes,
           const char *customer_id)
{
  guint n = 0;
  gint customer_at = -1;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      const char *entity = json_object_get_string_member (c, "entity");

      if (g_str_equal (entity, "customer") && g_str_equal (json_object_get_string_member (c, "id"), customer_id))
        customer_at = (gint) i;
      if (g_str_equal (entity, "customer_event") &&
          g_str_equal (json_object_get_string_member (json_object_get_object_member (c, "data"), "customer_id"),
                       customer_id))
        {
          n++;
          ck_assert_msg (customer_at == -1 || customer_at < (gint) i, "an entry came before its customer");
        }
    }
  return n;
}

/* The entry of changes whose document_id (or summary, when document_id is
 * NULL) is `what`, or NULL. */
static JsonObject *
event_named (JsonArray  *changes,
             const char *what)
{
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      JsonObject *d;

      if (!g_str_equal (json_object_get_string_member (c, "entity"), "customer_event"))
        continue;
      d = json_object_get_object_member (c, "data");
      if (g_strcmp0 (json_object_get_string_member_with_default (d, "document_id", NULL), what) == 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (d, "summary", NULL), what) == 0)
        return c;
    }
  return NULL;
}

static Reply *
lookup (const char *token,
        const char *text,
        const char *extra)
{
  g_autofree char *q = g_uri_escape_string (text, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/v1/customers?q=%s%s", q, extra != NULL ? extra : "");

  return http ("GET", path, token, NULL);
}

/* The ids a lookup found, joined by ","; "" for none. */
static char *
lookup_ids (const char *token,
            const char *text)
{
  g_autoptr(Reply) r = lookup (token, text, NULL);
  g_autoptr(GString) ids = g_string_new (NULL);
  JsonArray *customers;

  ck_assert_msg (r->status == 200, "q=%s: %ld %s", text, r->status, r->body->str);
  customers = json_object_get_array_member (obj (r), "customers");
  for (guint i = 0; i < json_array_get_length (customers); i++)
    {
      JsonObject *c = json_array_get_object_element (customers, i);

      /* The §4 entity. */
      ck_assert (json_object_has_member (c, "loyalty_points") && json_object_has_member (c, "consents"));
      if (i > 0)
        g_string_append_c (ids, ',');
      g_string_append (ids, json_object_get_string_member (c, "id"));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
interaction (const char *customer_id,
             const char *summary)
{
  g_autofree char *summary_json = json_str (summary);
  g_autofree char *body = g_strdup_printf ("{\"customer_id\":\"%s\",\"channel\":\"call_centre\",\"kind\":\"call\","
                                           "\"summary\":%s,\"agent\":\"Bia\"}", customer_id, summary_json);
  g_autoptr(Reply) r = http ("POST", "/v1/channel/interactions", channel_key, body);

  ck_assert_msg (r->status == 201, "%ld %s", r->status, r->body->str);
  ck_assert_str_eq (json_object_get_string_member (
    json_object_get_object_member (json_object_get_object_member (obj (r), "event"), "data"), "agent"), "Bia");
}

static char *
relevance (const char *customer_id,
           const char *store_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COALESCE ((SELECT reason FROM customer_stores WHERE customer_id = "
                                          "'%s' AND store_id = '%s'), '-')", customer_id, store_id);

  return query (sql);
}

/* A sale or return of `store_id` (kind "sale" or "return") for customer_id,
 * with `loyalty` (JSON or NULL) and `payments` (JSON list). */
static char *
document_with (const char *id,
               const char *kind,
               const char *store_id,
               const char *customer_id,
               const char *loyalty,
               const char *payments)
{
  g_autofree char *cust = customer_id ? g_strdup_printf ("\"%s\"", customer_id) : g_strdup ("null");
  g_autofree char *original = g_str_equal (kind, "return") ? g_strdup_printf (",\"original_sale_id\":\"%s\"", id)
                                                            : g_strdup ("");

  return g_strdup_printf ("{\"id\":\"%s\",\"number\":\"001-01-%06u\",\"kind\":\"%s\",\"store_id\":\"%s\","
                          "\"terminal_id\":\"t\",\"customer_id\":%s,\"currency\":\"BRL\",\"tax_mode\":\"inclusive\","
                          "\"subtotal\":1000,\"line_discounts\":0,\"sale_discount\":0,\"total\":1000,\"tax_total\":0,"
                          "\"approx_tax\":0,\"paid\":1000,\"change_given\":0,\"created_at\":%" G_GINT64_FORMAT
                          ",\"business_date\":\"2025-01-01\",\"lines\":[],\"payments\":%s,\"stock_movements\":[]"
                          "%s%s%s}",
                          id, g_random_int_range (1, 999999), kind, store_id, cust, g_get_real_time () / 1000,
                          payments != NULL ? payments : "[]", original, loyalty != NULL ? ",\"loyalty\":" : "",
                          loyalty != NULL ? loyalty : "");
}

START_TEST (test_customer_scope)
{
  g_autofree char *token_a = enrol ("001");
  g_autofree char *token_b = enrol ("002");
  g_autofree char *cursor_a = latest_cursor (token_a);
  g_autofree char *cursor_b = latest_cursor (token_b);
  g_autofree char *customer = put_customer ("\"name\":\"Márcia Conceição Prado\"");
  g_autofree char *sale = pos_uuid7_new ();
  g_autofree char *payload = document_with (sale, "sale", store1_id, customer, NULL, NULL);
  g_autofree char *op = pos_uuid7_new ();
  g_autoptr(JsonArray) a1 = NULL;
  g_autoptr(JsonArray) b1 = NULL;
  g_autoptr(JsonArray) b2 = NULL;
  g_autoptr(JsonArray) a3 = NULL;
  g_autoptr(JsonArray) b3 = NULL;
  g_autofree char *next_a = NULL;
  g_autofree char *next_b = NULL;
  g_autofree char *next_a2 = NULL;
  g_autofree char *next_b2 = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *reason = NULL;

  /* Made by the web shop and called about: no store's yet. */
  interaction (customer, "Asked about a delivery");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM changes WHERE entity_id = '%s' OR data LIKE "
                                            "'%%%s%%'", customer, customer);

    ck_assert_int_eq (query_int (sql), 0);
  }

  /* A purchase at store A: A's terminal pulls them with their whole timeline. */
  {
    g_autoptr(JsonObject) res = push_op (token_a, op, "sale.create", sale, payload);

    assert_status (res, "applied");
  }
  a1 = pull_all (token_a, cursor_a, &next_a);
  ck_assert_ptr_nonnull (change_of (a1, "customer", customer));
  ck_assert_str_eq (json_object_get_string_member (
    json_object_get_object_member (change_of (a1, "customer", customer), "data"), "name"), "Márcia Conceição Prado");
  ck_assert_uint_eq (events_of (a1, customer), 2);   /* the call and the purchase */
  {
    JsonObject *purchase = event_named (a1, sale);

    ck_assert_ptr_nonnull (purchase);
    ck_assert_msg (strstr (json_object_get_string_member (json_object_get_object_member (purchase, "data"),
                                                          "summary"), "at Loja 001") != NULL, "no store in the summary");
  }
  reason = relevance (customer, store1_id);
  ck_assert_str_eq (reason, "sale");

  /* Not B's. */
  b1 = pull_all (token_b, cursor_b, NULL);
  ck_assert_ptr_null (change_of (b1, "customer", customer));
  ck_assert_uint_eq (events_of (b1, customer), 0);
  {
    g_autoptr(Reply) snap = http ("GET", "/v1/sync/snapshot/customers?limit=5000", token_b, NULL);

    ck_assert_int_eq (snap->status, 200);
    ck_assert_ptr_null (strstr (snap->body->str, customer));
  }

  /* B looks them up (accents and case as a clerk types them): they are
   * B's now, and B's wait and next pull bring them and the old timeline. */
  ids = lookup_ids (token_b, "marcia CONC");
  ck_assert_str_eq (ids, customer);
  g_free (reason);
  reason = relevance (customer, store2_id);
  ck_assert_str_eq (reason, "lookup");
  {
    g_autofree char *path = g_strdup_printf ("/v1/sync/wait?cursor=%s&timeout=5", cursor_b);
    g_autoptr(Reply) w = http ("GET", path, token_b, NULL);

    ck_assert_int_eq (w->status, 200);
    ck_assert_ptr_nonnull (strstr (w->body->str, "\"customers\""));
  }
  b2 = pull_all (token_b, cursor_b, &next_b);
  ck_assert_ptr_nonnull (change_of (b2, "customer", customer));
  ck_assert_uint_eq (events_of (b2, customer), 2);
  ck_assert_ptr_nonnull (event_named (b2, sale));
  ck_assert_ptr_nonnull (event_named (b2, "Asked about a delivery"));
  {
    g_autoptr(Reply) snap = http ("GET", "/v1/sync/snapshot/customers?limit=5000", token_b, NULL);

    ck_assert_int_eq (snap->status, 200);
    ck_assert_ptr_nonnull (strstr (snap->body->str, customer));
  }

  /* A new interaction reaches both stores. */
  interaction (customer, "Called back about the delivery");
  a3 = pull_all (token_a, next_a, &next_a2);
  b3 = pull_all (token_b, next_b, &next_b2);
  ck_assert_ptr_nonnull (event_named (a3, "Called back about the delivery"));
  ck_assert_ptr_nonnull (event_named (b3, "Called back about the delivery"));
  ck_assert_uint_eq (events_of (a3, customer), 1);
  ck_assert_uint_eq (events_of (b3, customer), 1);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM changes WHERE entity = 'customer' AND "
                                            "entity_id = '%s' AND store_id IS NULL", customer);

    ck_assert_int_eq (query_int (sql), 0);
  }
}
END_TEST

START_TEST (test_customer_lookup)
{
  g_autofree char *token = enrol ("002");
  g_autofree char *cpf = random_cpf ();
  g_autofree char *mobile = random_mobile ();
  g_autofree char *card = g_strdup_printf ("LC-%u", g_random_int ());
  g_autofree char *tag = g_strdup_printf ("%c%c%c", 'a' + g_random_int_range (0, 26), 'a' + g_random_int_range (0, 26),
                                          'a' + g_random_int_range (0, 26));
  g_autofree char *fields = g_strdup_printf (
    "\"name\":\"João Araújo Müller Q%s\",\"cpf\":\"%.3s.%.3s.%.3s-%.2s\",\"email\":\"Joao.Araujo.%s@Example.COM\","
    "\"phone\":\"(%.2s) %.5s-%.4s\",\"loyalty_card\":\"%s\"", tag, cpf, cpf + 3, cpf + 6, cpf + 9, tag,
    mobile, mobile + 2, mobile + 7, card);
  g_autofree char *customer = put_customer (fields);
  g_autofree char *spaced_cpf = g_strdup_printf ("%.3s %.3s %.3s %.2s", cpf, cpf + 3, cpf + 6, cpf + 9);
  g_autofree char *email = g_strdup_printf ("  JOAO.araujo.%s@example.com ", tag);
  g_autofree char *phone = g_strdup_printf ("+55 %.2s %.5s %.4s", mobile, mobile + 2, mobile + 7);
  g_autofree char *trunk = g_strdup_printf ("0%s", mobile);
  g_autofree char *name = g_strdup_printf ("joao arau q%s", tag);
  g_autofree char *name2 = g_strdup_printf ("ARAÚJO Q%s", tag);
  g_autofree char *name3 = g_strdup_printf ("müll q%s jo", tag);
  const char *by_key[] = { cpf, spaced_cpf, email, phone, trunk, mobile, card, name, name2, name3 };

  for (guint i = 0; i < G_N_ELEMENTS (by_key); i++)
    {
      g_autofree char *ids = lookup_ids (token, by_key[i]);

      ck_assert_msg (g_str_equal (ids, customer), "q=%s found %s", by_key[i], ids);
    }
  {
    g_autofree char *reason = relevance (customer, store2_id);
    g_autofree char *none = NULL;
    g_autofree char *other_word = g_strdup_printf ("joao q%sx", tag);

    ck_assert_str_eq (reason, "lookup");
    none = lookup_ids (token, other_word);
    ck_assert_str_eq (none, "");
  }

  /* Too short to search, or a wrong request. */
  {
    g_autoptr(Reply) two = lookup (token, "jo", NULL);
    g_autoptr(Reply) spaced = lookup (token, " a  b ", NULL);
    g_autoptr(Reply) digits = lookup (token, "12", NULL);
    g_autoptr(Reply) missing = http ("GET", "/v1/customers", token, NULL);
    g_autoptr(Reply) zero = lookup (token, "joao", "&limit=0");
    g_autoptr(Reply) many = lookup (token, "joao", "&limit=21");
    g_autoptr(Reply) channel = lookup (channel_key, "joao", NULL);
    g_autoptr(Reply) anonymous = lookup (NULL, "joao", NULL);

    assert_error (two, 400, "bad_request");
    ck_assert_str_eq (json_object_get_string_member (obj (two), "message"),
                      "Type at least three letters of the name, or a CPF, phone, e-mail or card.");
    assert_error (spaced, 400, "bad_request");
    assert_error (digits, 400, "bad_request");
    assert_error (missing, 400, "bad_request");
    assert_error (zero, 400, "bad_request");
    assert_error (many, 400, "bad_request");
    assert_error (channel, 403, "forbidden");
    assert_error (anonymous, 401, "unauthorized");
  }

  /* At most limit, best first: the names that start with the word. */
  {
    g_autofree char *first = g_strdup_printf ("\"name\":\"Zélia Q%s Barros\"", tag);
    g_autofree char *second = g_strdup_printf ("\"name\":\"Ana Zelia Q%s\"", tag);
    g_autofree char *z1 = put_customer (first);
    g_autofree char *z2 = put_customer (second);
    g_autofree char *q = g_strdup_printf ("zel q%s", tag);
    g_autofree char *both = lookup_ids (token, q);
    g_autofree char *expected = g_strdup_printf ("%s,%s", z1, z2);
    g_autoptr(Reply) one = lookup (token, q, "&limit=1");

    ck_assert_str_eq (both, expected);
    ck_assert_int_eq (one->status, 200);
    ck_assert_uint_eq (json_array_get_length (json_object_get_array_member (obj (one), "customers")), 1);
  }

  /* Merged and erased customers are never found. */
  {
    g_autofree char *merged_fields = g_strdup_printf ("\"name\":\"Quitéria Q%s\",\"email\":\"q.%s@example.com\"",
                                                      tag, tag);
    g_autofree char *survivor_fields = g_strdup_printf ("\"name\":\"Quiteria Q%s Souza\"", tag);
    g_autofree char *merged = put_customer (merged_fields);
    g_autofree char *survivor = put_customer (survivor_fields);
    g_autofree char *mpath = g_strdup_printf ("/v1/channel/customers/%s/merge", merged);
    g_autofree char *mbody = g_strdup_printf ("{\"into\":\"%s\"}", survivor);
    g_autofree char *epath = g_strdup_printf ("/v1/channel/customers/%s/erase", survivor);
    g_autofree char *q = g_strdup_printf ("quit q%s", tag);
    g_autofree char *by_mail = g_strdup_printf ("q.%s@example.com", tag);
    g_autofree char *after_merge = NULL;
    g_autofree char *mail_after_merge = NULL;
    g_autofree char *after_erase = NULL;
    g_autofree char *mail_after_erase = NULL;
    g_autoptr(Reply) m = http ("POST", mpath, channel_key, mbody);
    g_autoptr(Reply) e = NULL;

    ck_assert_msg (m->status == 200, "%s", m->body->str);
    after_merge = lookup_ids (token, q);
    ck_assert_str_eq (after_merge, survivor);
    mail_after_merge = lookup_ids (token, by_mail);   /* the survivor took the e-mail */
    ck_assert_str_eq (mail_after_merge, survivor);
    e = http ("POST", epath, channel_key, NULL);
    ck_assert_int_eq (e->status, 200);
    after_erase = lookup_ids (token, q);
    ck_assert_str_eq (after_erase, "");
    mail_after_erase = lookup_ids (token, by_mail);
    ck_assert_str_eq (mail_after_erase, "");
    {
      /* Nor are the contact fields kept in the merged tombstone. */
      g_autofree char *sql = g_strdup_printf ("SELECT name || '|' || COALESCE (email, '-') FROM customers "
                                              "WHERE id = '%s'", merged);
      g_autofree char *row = query (sql);

      ck_assert_str_eq (row, "|-");
    }
  }
}
END_TEST

START_TEST (test_customer_merge_scope)
{
  g_autofree char *token_a = enrol ("001");
  g_autofree char *token_b = enrol ("002");
  g_autofree char *merged = put_customer ("\"name\":\"Otávio Merged\"");
  g_autofree char *survivor = pos_uuid7_new ();
  g_autofree char *upsert = g_strdup_printf ("{\"id\":\"%s\",\"fields\":{\"name\":\"Otavio Survivor\"}}", survivor);
  g_autofree char *sale = pos_uuid7_new ();
  g_autofree char *payload = document_with (sale, "sale", store2_id, merged, NULL, NULL);
  g_autofree char *op1 = pos_uuid7_new ();
  g_autofree char *op2 = pos_uuid7_new ();
  g_autofree char *cursor_a = NULL;
  g_autofree char *cursor_b = NULL;
  g_autofree char *mpath = g_strdup_printf ("/v1/channel/customers/%s/merge", merged);
  g_autofree char *mbody = g_strdup_printf ("{\"into\":\"%s\"}", survivor);
  g_autoptr(JsonArray) a = NULL;
  g_autoptr(JsonArray) b = NULL;
  g_autoptr(Reply) m = NULL;
  JsonObject *c;

  /* The survivor was made at A's counter; the merged one bought at B. */
  {
    g_autoptr(JsonObject) r1 = push_op (token_a, op1, "customer.upsert", survivor, upsert);
    g_autoptr(JsonObject) r2 = push_op (token_b, op2, "sale.create", sale, payload);

    assert_status (r1, "applied");
    assert_status (r2, "applied");
  }
  interaction (survivor, "Survivor's call");
  cursor_a = latest_cursor (token_a);
  cursor_b = latest_cursor (token_b);

  m = http ("POST", mpath, channel_key, mbody);
  ck_assert_msg (m->status == 200, "%s", m->body->str);
  {
    g_autofree char *ra = relevance (survivor, store1_id);
    g_autofree char *rb = relevance (survivor, store2_id);
    g_autofree char *rm = relevance (merged, store1_id);

    ck_assert_str_eq (ra, "edit");
    ck_assert_str_eq (rb, "merge");
    ck_assert_str_eq (rm, "-");
  }

  /* B: the tombstone, the survivor and its whole timeline. */
  b = pull_all (token_b, cursor_b, NULL);
  c = change_of (b, "customer", merged);
  ck_assert_ptr_nonnull (c);
  ck_assert_str_eq (json_object_get_string_member (c, "op"), "merge");
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (c, "data"), "merged_into"), survivor);
  ck_assert_ptr_nonnull (change_of (b, "customer", survivor));
  ck_assert_uint_eq (events_of (b, survivor), 2);
  ck_assert_ptr_nonnull (event_named (b, sale));
  ck_assert_ptr_nonnull (event_named (b, "Survivor's call"));

  /* A: no tombstone (it never knew the merged one), the survivor, and the
   * purchase that moved to it. */
  a = pull_all (token_a, cursor_a, NULL);
  ck_assert_ptr_null (change_of (a, "customer", merged));
  ck_assert_ptr_nonnull (change_of (a, "customer", survivor));
  c = event_named (a, sale);
  ck_assert_ptr_nonnull (c);
  ck_assert_str_eq (json_object_get_string_member (json_object_get_object_member (c, "data"), "customer_id"),
                    survivor);
  ck_assert_int_ge (json_object_get_int_member (c, "version"), 2);
  ck_assert_uint_eq (events_of (a, survivor), 1);

  /* Erasing the survivor erases the merged one too (the same person):
   * B, which knew the merged id, is told to forget both. */
  {
    g_autofree char *epath = g_strdup_printf ("/v1/channel/customers/%s/erase", survivor);
    g_autofree char *next_a = latest_cursor (token_a);
    g_autofree char *next_b = latest_cursor (token_b);
    g_autoptr(Reply) e = http ("POST", epath, channel_key, NULL);
    g_autoptr(JsonArray) a2 = NULL;
    g_autoptr(JsonArray) b2 = NULL;
    g_autofree char *sql = g_strdup_printf ("SELECT (erased_at IS NOT NULL)::text || '|' || name FROM customers "
                                            "WHERE id = '%s'", merged);
    g_autofree char *row = NULL;

    ck_assert_int_eq (e->status, 200);
    a2 = pull_all (token_a, next_a, NULL);
    b2 = pull_all (token_b, next_b, NULL);
    ck_assert_str_eq (json_object_get_string_member (change_of (a2, "customer", survivor), "op"), "delete");
    ck_assert_ptr_null (change_of (a2, "customer", merged));
    ck_assert_str_eq (json_object_get_string_member (change_of (b2, "customer", survivor), "op"), "delete");
    ck_assert_str_eq (json_object_get_string_member (change_of (b2, "customer", merged), "op"), "delete");
    row = query (sql);
    ck_assert_str_eq (row, "true|");
  }
}
END_TEST

START_TEST (test_customer_erasure_scope)
{
  g_autofree char *token_a = enrol ("001");
  g_autofree char *token_b = enrol ("002");
  g_autofree char *tag = g_strdup_printf ("%u", g_random_int ());
  g_autofree char *fields = g_strdup_printf ("\"name\":\"Elvira Erased %s\",\"email\":\"elvira.%s@example.com\"",
                                             tag, tag);
  g_autofree char *customer = put_customer (fields);
  g_autofree char *sale = pos_uuid7_new ();
  g_autofree char *payload = document_with (sale, "sale", store1_id, customer, NULL, NULL);
  g_autofree char *op = pos_uuid7_new ();
  g_autofree char *erase = g_strdup_printf ("{\"id\":\"%s\"}", customer);
  g_autofree char *erase_op = pos_uuid7_new ();
  g_autofree char *cursor_a = NULL;
  g_autofree char *cursor_b = NULL;
  g_autofree char *mail = g_strdup_printf ("elvira.%s@example.com", tag);
  g_autoptr(JsonArray) a = NULL;
  g_autoptr(JsonArray) b = NULL;

  {
    g_autoptr(JsonObject) r = push_op (token_a, op, "sale.create", sale, payload);
    assert_status (r, "applied");
  }
  /* Looked up at B (by another terminal of B: relevance is the store's). */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *helper = central_harness_terminal_token (H, "002", &error);
    g_autofree char *answer = NULL;

    ck_assert_msg (helper != NULL, "%s", error ? error->message : "");
    ck_assert_int_eq (central_harness_lookup_customers (H, helper, mail, &answer, &error), 200);
    ck_assert_msg (strstr (answer, customer) != NULL, "%s", answer);
  }
  cursor_a = latest_cursor (token_a);
  cursor_b = latest_cursor (token_b);

  {
    g_autoptr(JsonObject) r = push_op (token_b, erase_op, "customer.erase", customer, erase);
    assert_status (r, "applied");
  }
  a = pull_all (token_a, cursor_a, NULL);
  b = pull_all (token_b, cursor_b, NULL);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *c = change_of (i == 0 ? a : b, "customer", customer);

      ck_assert_ptr_nonnull (c);
      ck_assert_str_eq (json_object_get_string_member (c, "op"), "delete");
      ck_assert (json_object_has_member (json_object_get_object_member (c, "data"), "erased_at"));
    }
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) || '|' || count (*) FILTER (WHERE op = 'delete' "
                                            "AND store_id IS NOT NULL) FROM changes WHERE entity = 'customer' AND "
                                            "entity_id = '%s'", customer);
    g_autofree char *counts = query (sql);

    ck_assert_str_eq (counts, "2|2");
    g_free (sql);
    sql = g_strdup_printf ("SELECT count (*) FROM changes WHERE entity = 'customer_event' AND data LIKE '%%%s%%'",
                           customer);
    ck_assert_int_eq (query_int (sql), 0);
  }

  /* A sale and the erasure in one batch: the sale's timeline entry is
   * never published. */
  {
    g_autofree char *other = pos_uuid7_new ();
    g_autofree char *body = NULL;
    g_autofree char *sale2 = pos_uuid7_new ();
    g_autofree char *doc = NULL;
    g_autofree char *erase2 = g_strdup_printf ("{\"id\":\"%s\"}", other);
    g_autofree char *o1 = pos_uuid7_new ();
    g_autofree char *o2 = pos_uuid7_new ();
    g_autofree char *o3 = pos_uuid7_new ();
    g_autofree char *upsert = g_strdup_printf ("{\"id\":\"%s\",\"fields\":{\"name\":\"Brief Customer\"}}", other);
    g_autoptr(Reply) r = NULL;
    g_autofree char *sql = NULL;

    doc = document_with (sale2, "sale", store1_id, other, NULL, NULL);
    body = g_strdup_printf (
      "{\"operations\":[{\"op_id\":\"%s\",\"seq\":1,\"type\":\"customer.upsert\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":1},"
      "{\"op_id\":\"%s\",\"seq\":2,\"type\":\"sale.create\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":2},"
      "{\"op_id\":\"%s\",\"seq\":3,\"type\":\"customer.erase\",\"entity_id\":\"%s\",\"payload\":%s,\"local_ts\":3}]}",
      o1, other, upsert, o2, sale2, doc, o3, other, erase2);
    r = http ("POST", "/v1/sync/push", token_a, body);
    for (guint i = 0; i < 3; i++)
      ck_assert_str_eq (json_object_get_string_member (result_of (r, i), "status"), "applied");
    sql = g_strdup_printf ("SELECT count (*) FROM changes WHERE data LIKE '%%%s%%' OR data LIKE '%%Brief Customer%%'",
                           other);
    ck_assert_int_eq (query_int (sql), 0);
    g_free (sql);
    sql = g_strdup_printf ("SELECT op FROM changes WHERE entity = 'customer' AND entity_id = '%s'", other);
    {
      g_autofree char *ops = query (sql);
      ck_assert_str_eq (ops, "delete");
    }
  }
}
END_TEST

START_TEST (test_loyalty_points)
{
  g_autofree char *token = enrol ("001");
  g_autofree char *customer = put_customer ("\"name\":\"Lara Pontos\"");
  g_autofree char *sale = pos_uuid7_new ();
  g_autofree char *loyalty1 = g_strdup_printf ("{\"customer_id\":\"%s\",\"earned\":50,\"redeemed\":0}", customer);
  g_autofree char *doc1 = document_with (sale, "sale", store1_id, customer, loyalty1,
                                         "[{\"method\":\"cash\",\"amount\":1000}]");
  g_autofree char *sale2 = pos_uuid7_new ();
  g_autofree char *loyalty2 = g_strdup_printf ("{\"customer_id\":\"%s\",\"earned\":10,\"redeemed\":30}", customer);
  g_autofree char *doc2 = document_with (sale2, "sale", store1_id, customer, loyalty2,
                                         "[{\"method\":\"loyalty_points\",\"amount\":150},"
                                         "{\"method\":\"cash\",\"amount\":850}]");
  g_autofree char *ret = pos_uuid7_new ();
  g_autofree char *loyalty3 = g_strdup_printf ("{\"customer_id\":\"%s\",\"earned\":-50,\"redeemed\":0}", customer);
  g_autofree char *doc3 = document_with (ret, "return", store1_id, customer, loyalty3,
                                         "[{\"method\":\"cash\",\"amount\":-1000}]");
  g_autofree char *op1 = pos_uuid7_new ();
  g_autofree char *op1b = pos_uuid7_new ();
  g_autofree char *op2 = pos_uuid7_new ();
  g_autofree char *op3 = pos_uuid7_new ();
  g_autofree char *points_sql = g_strdup_printf ("SELECT loyalty_points FROM customers WHERE id = '%s'", customer);
  g_autofree char *cursor = latest_cursor (token);
  gint64 version;

  /* Once, with the sale: a retry and the same sale under another op_id
   * are duplicates. */
  {
    g_autoptr(JsonObject) r1 = push_op (token, op1, "sale.create", sale, doc1);
    g_autoptr(JsonObject) replay = push_op (token, op1, "sale.create", sale, doc1);
    g_autoptr(JsonObject) again = push_op (token, op1b, "sale.create", sale, doc1);

    assert_status (r1, "applied");
    assert_status (replay, "duplicate");
    assert_status (again, "duplicate");
  }
  ck_assert_int_eq (query_int (points_sql), 50);

  /* Paid partly with points. */
  {
    g_autoptr(JsonObject) r = push_op (token, op2, "sale.create", sale2, doc2);
    assert_status (r, "applied");
  }
  ck_assert_int_eq (query_int (points_sql), 30);

  /* A return takes back what the first sale earned: below zero, accepted. */
  {
    g_autoptr(JsonObject) r = push_op (token, op3, "return.create", ret, doc3);
    assert_status (r, "applied");
  }
  ck_assert_int_eq (query_int (points_sql), -20);

  /* The store's terminal gets the new balance and version. */
  {
    g_autoptr(JsonArray) changes = pull_all (token, cursor, NULL);
    JsonObject *c = change_of (changes, "customer", customer);
    g_autofree char *sql = g_strdup_printf ("SELECT version FROM customers WHERE id = '%s'", customer);

    ck_assert_ptr_nonnull (c);
    ck_assert_int_eq (json_object_get_int_member (json_object_get_object_member (c, "data"), "loyalty_points"), -20);
    version = query_int (sql);
    ck_assert_int_eq (json_object_get_int_member (c, "version"), version);
  }

  /* Erased: the sale stands, the points part is ignored. */
  {
    g_autofree char *gone = put_customer ("\"name\":\"Gone Points\"");
    g_autofree char *epath = g_strdup_printf ("/v1/channel/customers/%s/erase", gone);
    g_autoptr(Reply) e = http ("POST", epath, channel_key, NULL);
    g_autofree char *id = pos_uuid7_new ();
    g_autofree char *l = g_strdup_printf ("{\"customer_id\":\"%s\",\"earned\":7,\"redeemed\":0}", gone);
    g_autofree char *doc = document_with (id, "sale", store1_id, gone, l, NULL);
    g_autoptr(JsonObject) r = NULL;
    g_autofree char *sql = g_strdup_printf ("SELECT loyalty_points FROM customers WHERE id = '%s'", gone);

    ck_assert_int_eq (e->status, 200);
    r = push_one (token, "sale.create", id, doc, NULL);
    assert_status (r, "applied");
    ck_assert_int_eq (query_int (sql), 0);
  }

  /* A malformed loyalty part is a malformed sale. */
  {
    g_autofree char *fraction = g_strdup_printf ("{\"customer_id\":\"%s\",\"earned\":1.5}", customer);
    g_autofree char *negative = g_strdup_printf ("{\"customer_id\":\"%s\",\"earned\":1,\"redeemed\":-1}", customer);
    const char *bad[] = { "\"x\"", "{\"earned\":5}", fraction, negative };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *id = pos_uuid7_new ();
        g_autofree char *doc = document_with (id, "sale", store1_id, customer, bad[i], NULL);

        assert_push_rejected (token, "sale.create", id, doc, "bad_payload");
      }
  }
  ck_assert_int_eq (query_int (points_sql), -20);
}
END_TEST

START_TEST (test_order_timeline_events)
{
  g_autofree char *token_b = enrol ("002");
  g_autofree char *customer = new_customer ("Olga Pedidos");
  g_autofree char *id = create_order ("TL-1", "001", TRUE, customer, NULL);
  g_autofree char *delivery = NULL;
  g_autofree char *summaries = NULL;
  g_autofree char *kinds = NULL;
  g_autofree char *reason = relevance (customer, store1_id);
  g_autofree char *sql = NULL;

  ck_assert_str_eq (reason, "pickup");
  move_order (id, "ALLOCATED");
  move_order (id, "PICKING");
  move_order (id, "ON_HOLD");
  move_order (id, "PICKING");
  move_order (id, "READY_FOR_PICKUP");
  move_order (id, "NO_SHOW");
  move_order (id, "CANCELLED");
  {
    g_autofree char *body = g_strdup_printf (
      "{\"external_ref\":\"TL-2\",\"channel\":\"app\",\"fulfilment\":\"delivery\",\"customer_id\":\"%s\","
      "\"paid\":true,\"lines\":[{\"sku\":\"ACU-1\",\"quantity\":1000,\"unit_price\":549}]}", customer);
    g_autoptr(Reply) r = http ("POST", "/v1/channel/orders", channel_key, body);

    ck_assert_msg (r->status == 201, "%s", r->body->str);
    delivery = g_strdup (json_object_get_string_member (json_object_get_object_member (obj (r), "order"), "id"));
  }
  move_order (delivery, "SHIPPED");
  move_order (delivery, "DELIVERED");

  sql = g_strdup_printf ("SELECT string_agg (kind || ':' || summary, '|' ORDER BY occurred_at, id) FROM "
                         "customer_events WHERE customer_id = '%s'", customer);
  summaries = query (sql);
  {
    static const char * const expected[] = {
      "order_placed:Order RET-", ", for pickup at Loja 001", "order_status:Order RET-",
      " on hold at Loja 001|", " no longer on hold at Loja 001|", "notification:Order RET-",
      " ready for pickup at Loja 001|", " not collected at Loja 001: the customer did not come|",
      " cancelled|", "order_placed:Order ENT-", " placed in the app, for delivery|", " shipped|", " delivered",
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      ck_assert_msg (strstr (summaries, expected[i]) != NULL, "no \"%s\" in %s", expected[i], summaries);
  }
  g_free (sql);
  sql = g_strdup_printf ("SELECT string_agg (kind, ',' ORDER BY kind) FROM customer_events WHERE customer_id = '%s'",
                         customer);
  kinds = query (sql);
  ck_assert_str_eq (kinds, "notification,order_placed,order_placed,order_status,order_status,order_status,"
                           "order_status,order_status,order_status");

  /* What a clerk needs to open the order. */
  g_free (sql);
  sql = g_strdup_printf ("SELECT data FROM customer_events WHERE customer_id = '%s' AND kind = 'notification'",
                         customer);
  {
    g_autofree char *data = query (sql);
    g_autoptr(JsonNode) node = json_from_string (data, NULL);
    JsonObject *d, *line;

    ck_assert_msg (node != NULL && JSON_NODE_HOLDS_OBJECT (node), "%s", data);
    d = json_node_get_object (node);
    ck_assert_str_eq (json_object_get_string_member (d, "order_id"), id);
    ck_assert (g_str_has_prefix (json_object_get_string_member (d, "number"), "RET-"));
    ck_assert_str_eq (json_object_get_string_member (d, "state"), "READY_FOR_PICKUP");
    line = json_array_get_object_element (json_object_get_array_member (d, "lines"), 0);
    ck_assert_str_eq (json_object_get_string_member (line, "sku"), "ACU-1");
    ck_assert_int_eq (json_object_get_int_member (line, "quantity"), 2000);
    ck_assert_int_eq (json_object_get_int_member (line, "unit_price"), 549);
    ck_assert (json_object_has_member (line, "name"));
  }

  /* The delivery order makes them no store's; store 002 never saw them. */
  {
    g_autofree char *rb = relevance (customer, store2_id);
    g_autoptr(JsonArray) b = pull_all (token_b, NULL, NULL);

    ck_assert_str_eq (rb, "-");
    ck_assert_ptr_null (change_of (b, "customer", customer));
  }
}
END_TEST

/* psql on another database of the harness's cluster: -c SQL or -f FILE. */
static char *
psql_on (const char *conninfo,
         const char *flag,
         const char *arg)
{
  const char *argv[] = { "psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", conninfo, flag, arg, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                               &error), "%s", error ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "psql %s %s: %s", flag, arg, err);
  return g_strstrip (g_steal_pointer (&out));
}

/* A central at schema 4 with customers published to every store, then
 * `balcao-central migrate`: relevance comes from the sales and pickup
 * orders, the customer changes go to those stores only, the horizon moves
 * past every old position, names are folded. */
START_TEST (test_migration_customer_scope)
{
  g_autofree char *main_conninfo = g_strdup (central_harness_conninfo (H));
  g_autofree char *conninfo = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *binary = g_build_filename (g_getenv ("BALCAO_BUILD_DIR"), "src", "central", "balcao-central", NULL);
  g_autofree char *old_max = NULL;
  g_autoptr(GError) error = NULL;
  char *at;
  int fd;
  static const char * const legacy =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '0001-initial.sql', 0), "
    "(2, '0002-staff.sql', 0), (3, '0003-receipt-emails.sql', 0), (4, '0004-pickups.sql', 0);"
    "INSERT INTO stores (id, code, name, created_at) VALUES ('s1', '101', 'Loja Um', 0), ('s2', '102', 'Loja Dois', 0);"
    "INSERT INTO customers (id, name, phone, email, cpf, created_at, updated_at) VALUES "
    "('c-sale', 'Ínês Açaí', '(11) 98765-4321', 'Ines@Example.com', '529.982.247-25', 0, 0), "
    "('c-pickup', 'Paulo Pickup', NULL, NULL, NULL, 0, 0), ('c-none', 'Nadia Nowhere', NULL, NULL, NULL, 0, 0), "
    "('c-surv', 'Sara Survivor', NULL, NULL, NULL, 0, 0);"
    "INSERT INTO customers (id, name, merged_into, created_at, updated_at) VALUES ('c-merged', 'Sara S.', 'c-surv', 0, 0);"
    "INSERT INTO customers (id, name, erased_at, created_at, updated_at) VALUES ('c-erased', '', 5, 0, 0);"
    "INSERT INTO sales (id, kind, store_id, terminal_id, customer_id, received_at, created_at, data) VALUES "
    "('sale-1', 'sale', 's1', 't', 'c-sale', 10, 10, '{}'), ('sale-2', 'sale', 's2', 't', 'c-merged', 20, 20, '{}');"
    "INSERT INTO orders (id, number, channel, external_ref, fulfilment, store_id, customer_id, state, total, currency, "
    "placed_at, updated_at) VALUES ('o-1', 'RET-1', 'web', 'W-1', 'pickup', 's2', 'c-pickup', 'PLACED', 0, 'BRL', 30, 30);"
    "INSERT INTO customer_events (id, customer_id, channel, kind, occurred_at) VALUES "
    "('e-sale', 'c-sale', 'store', 'purchase', 10), ('e-none', 'c-none', 'call_centre', 'call', 11), "
    "('e-moved', 'c-surv', 'store', 'purchase', 20);"
    "INSERT INTO changes (seq, stream, entity, entity_id, entity_rank, store_id, op, version, data, changed_at) VALUES "
    "(nextval ('change_seq'), 'catalog', 'tax_class', 'tc', 0, NULL, 'upsert', 1, '{}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer', 'c-sale', 0, NULL, 'upsert', 3, '{\"id\":\"c-sale\"}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer', 'c-pickup', 0, NULL, 'upsert', 1, '{}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer', 'c-none', 0, NULL, 'upsert', 1, '{}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer', 'c-surv', 0, NULL, 'upsert', 2, '{}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer', 'c-merged', 0, NULL, 'merge', 2, "
    "'{\"merged_into\":\"c-surv\"}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer', 'c-erased', 0, NULL, 'delete', 2, '{\"erased_at\":5}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer_event', 'e-sale', 1, NULL, 'upsert', 1, '{}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer_event', 'e-none', 1, NULL, 'upsert', 1, '{}', 0), "
    "(nextval ('change_seq'), 'customers', 'customer_event', 'e-moved', 1, NULL, 'upsert', 2, '{}', 0);";

  /* A database of its own, at schema 4. */
  at = strstr (main_conninfo, "dbname=balcao");
  ck_assert_ptr_nonnull (at);
  *at = '\0';
  conninfo = g_strconcat (main_conninfo, "dbname=legacy5", at + strlen ("dbname=balcao"), NULL);
  g_free (psql_on (central_harness_conninfo (H), "-c", "CREATE DATABASE legacy5"));
  g_free (psql_on (conninfo, "-c", "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                                   "applied_at bigint NOT NULL)"));
  for (guint i = 1; i <= 4; i++)
    {
      static const char * const files[] = { NULL, "0001-initial.sql", "0002-staff.sql", "0003-receipt-emails.sql",
                                             "0004-pickups.sql" };
      g_autofree char *file = g_build_filename (g_getenv ("BALCAO_SOURCE_DIR"), "data", "migrations", "central",
                                                files[i], NULL);

      g_free (psql_on (conninfo, "-f", file));
    }
  g_free (psql_on (conninfo, "-c", legacy));
  old_max = psql_on (conninfo, "-c", "SELECT max (seq) FROM changes");

  /* balcao-central migrate, on that database. */
  config = g_strdup_printf ("[database]\nconninfo = %s\npool_size = 2\n", conninfo);
  fd = g_file_open_tmp ("balcao-legacy-XXXXXX.conf", &config_path, &error);
  ck_assert_msg (fd >= 0, "%s", error ? error->message : "");
  close (fd);
  ck_assert (g_file_set_contents (config_path, config, -1, &error));
  {
    const char *argv[] = { binary, "--config", config_path, "migrate", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    ck_assert (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    ck_assert_msg (g_spawn_check_wait_status (status, NULL), "migrate: %s %s", out, err);
    ck_assert_msg (strstr (out, "1 migration applied") != NULL, "%s", out);
  }
  g_unlink (config_path);

  {
    g_autofree char *stores = psql_on (conninfo, "-c",
      "SELECT string_agg (customer_id || '@' || store_id || ':' || reason, ' ' ORDER BY customer_id, store_id) "
      "FROM customer_stores");
    g_autofree char *rows = psql_on (conninfo, "-c",
      "SELECT string_agg (entity_id || '@' || store_id || ':' || op || ':' || version, ' ' "
      "ORDER BY entity_id, store_id) FROM changes WHERE stream = 'customers'");
    g_autofree char *null_rows = psql_on (conninfo, "-c",
      "SELECT count (*) FROM changes WHERE stream = 'customers' AND store_id IS NULL");
    g_autofree char *catalog = psql_on (conninfo, "-c",
      "SELECT count (*) FROM changes WHERE entity_id = 'tc' AND store_id IS NULL");
    g_autofree char *horizon = psql_on (conninfo, "-c", "SELECT horizon FROM sync_horizon");
    g_autofree char *min_new = psql_on (conninfo, "-c", "SELECT min (seq) FROM changes WHERE stream = 'customers'");
    g_autofree char *keys = psql_on (conninfo, "-c",
      "SELECT search_name || '|' || phone_digits || '|' || email_norm || '|' || cpf_digits FROM customers "
      "WHERE id = 'c-sale'");
    g_autofree char *unfolded = psql_on (conninfo, "-c", "SELECT count (*) FROM customers WHERE search_name IS NULL");
    g_autofree char *moved = psql_on (conninfo, "-c", "SELECT version FROM customer_events WHERE id = 'e-moved'");

    ck_assert_str_eq (stores, "c-merged@s2:sale c-pickup@s2:pickup c-sale@s1:sale c-surv@s2:merge");
    ck_assert_str_eq (rows, "c-merged@s2:merge:2 c-pickup@s2:upsert:1 c-sale@s1:upsert:3 c-surv@s2:upsert:2 "
                            "e-moved@s2:upsert:2 e-sale@s1:upsert:1");
    ck_assert_str_eq (null_rows, "0");
    ck_assert_str_eq (catalog, "1");
    /* Every terminal that pulled before gets 410 once and rebuilds. */
    ck_assert_int_gt (g_ascii_strtoll (horizon, NULL, 10), g_ascii_strtoll (old_max, NULL, 10));
    ck_assert_int_gt (g_ascii_strtoll (min_new, NULL, 10), g_ascii_strtoll (horizon, NULL, 10));
    ck_assert_str_eq (keys, "ines acai|11987654321|ines@example.com|52998224725");
    ck_assert_str_eq (unfolded, "0");
    ck_assert_str_eq (moved, "2");
  }
}
END_TEST

static void
load_catalog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = g_build_filename (g_getenv ("BALCAO_SOURCE_DIR"), "tests", "fixtures",
                                           "catalog-good.csv", NULL);
  const char *args[] = { "catalog", "import", csv, "--store", "001", NULL };

  if (!central_harness_run (H, args, NULL, &error))
    g_error ("%s", error->message);
}

static Suite *
central_suite (void)
{
  Suite *s = suite_create ("central");
  TCase *tc = tcase_create ("api");

  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_health_routes);
  tcase_add_test (tc, test_enrolment);
  tcase_add_test (tc, test_auth);
  tcase_add_test (tc, test_wrong_store);
  tcase_add_test (tc, test_bodies);
  tcase_add_test (tc, test_sql_metacharacters);
  tcase_add_test (tc, test_duplicate);
  tcase_add_test (tc, test_stock_version_past_1000);
  tcase_add_test (tc, test_pickup_race);
  tcase_add_test (tc, test_pull_snapshot_wait);
  tcase_add_test (tc, test_channel_api);
  tcase_add_test (tc, test_customer_push);
  tcase_add_test (tc, test_prune_410);
  tcase_add_test (tc, test_staff_push);
  tcase_add_test (tc, test_staff_cli);
  tcase_add_test (tc, test_pickup_fields_and_picking);
  tcase_add_test (tc, test_pickup_exception);
  tcase_add_test (tc, test_pickup_refund_return);
  tcase_add_test (tc, test_pickup_paid_by_sale);
  tcase_add_test (tc, test_pickup_race_names_winner);
  tcase_add_test (tc, test_order_cli);
  tcase_add_test (tc, test_customer_scope);
  tcase_add_test (tc, test_customer_lookup);
  tcase_add_test (tc, test_customer_merge_scope);
  tcase_add_test (tc, test_customer_erasure_scope);
  tcase_add_test (tc, test_loyalty_points);
  tcase_add_test (tc, test_order_timeline_events);
  tcase_add_test (tc, test_migration_customer_scope);
  tcase_add_test (tc, test_restart);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  SRunner *sr;
  int failed;

  curl_global_init (CURL_GLOBAL_DEFAULT);
  H = central_harness_start (&error);
  if (H == NULL)
    {
      g_printerr ("# cannot start the central: %s\n", error->message);
      printf ("1..0 # SKIP no central\n");
      return 1;
    }
  load_catalog ();
  channel_key = central_harness_channel_key (H, &error);
  g_assert (channel_key != NULL);
  store1_id = central_harness_query (H, "SELECT id FROM stores WHERE code = '001'", &error);
  store2_id = central_harness_query (H, "SELECT id FROM stores WHERE code = '002'", &error);

  sr = srunner_create (central_suite ());
  srunner_set_fork_status (sr, CK_NOFORK);
  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);

  if (!central_harness_stop_server (H, &error))
    {
      g_printerr ("# %s\n", error->message);
      failed++;
    }
  central_harness_free (H);
  g_free (channel_key);
  g_free (store1_id);
  g_free (store2_id);
  curl_global_cleanup ();
  return failed == 0 ? 0 : 1;
}
