/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A scripted HTTP/1.1 server on 127.0.0.1 for the sync engine's unit tests
 * (the real central is exercised by the integration tests). One thread,
 * one connection at a time, "Connection: close". Gzip request bodies are
 * decompressed. Each request is answered by the test's responder. */

#include <gio/gio.h>
#include <string.h>

typedef struct {
  guint  status;
  char  *body;          /* owned; NULL = empty */
  char  *retry_after;   /* owned; NULL = none */
} FakeAnswer;

typedef struct {
  char *method;
  char *path;
  char *body;           /* decompressed */
  gboolean gzipped;
  char *authorization;
} FakeRequest;

typedef FakeAnswer (*FakeResponder) (const FakeRequest *request, gpointer user_data);

typedef struct {
  GSocket      *socket;
  GThread      *thread;
  guint16       port;
  gint          stopping;
  GMutex        lock;
  GPtrArray    *requests;   /* FakeRequest*, under lock */
  FakeResponder responder;
  gpointer      user_data;
} FakeCentral;

static inline void
fake_request_free (gpointer data)
{
  FakeRequest *r = data;

  g_free (r->method);
  g_free (r->path);
  g_free (r->body);
  g_free (r->authorization);
  g_free (r);
}

static inline char *
fake_gunzip (const char *data,
             gsize       len)
{
  g_autoptr(GZlibDecompressor) d = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 buf[65536];
  gsize in_left = len;
  const guint8 *in = (const guint8 *) data;

  for (;;)
    {
      gsize r = 0, w = 0;
      GConverterResult res = g_converter_convert (G_CONVERTER (d), in, in_left, buf, sizeof buf,
                                                  G_CONVERTER_INPUT_AT_END, &r, &w, NULL);
      if (res == G_CONVERTER_ERROR)
        return NULL;
      in += r;
      in_left -= r;
      g_byte_array_append (out, buf, w);
      if (res == G_CONVERTER_FINISHED)
        break;
    }
  g_byte_array_append (out, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&out), FALSE);
}

static inline gboolean
fake_read_request (GSocket     *conn,
                   FakeRequest *req)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  char chunk[16384];
  gssize n;
  char *end = NULL;
  gsize header_len;
  gsize content_length = 0;
  g_auto(GStrv) lines = NULL;

  while (end == NULL)
    {
      n = g_socket_receive (conn, chunk, sizeof chunk, NULL, NULL);
      if (n <= 0)
        return FALSE;
      g_byte_array_append (buf, (const guint8 *) chunk, n);
      g_byte_array_append (buf, (const guint8 *) "", 1);
      end = strstr ((char *) buf->data, "\r\n\r\n");
      g_byte_array_set_size (buf, buf->len - 1);
    }
  header_len = (gsize) (end - (char *) buf->data) + 4;
  {
    g_autofree char *head = g_strndup ((char *) buf->data, header_len - 4);
    lines = g_strsplit (head, "\r\n", -1);
  }
  {
    g_auto(GStrv) first = g_strsplit (lines[0], " ", 3);
    req->method = g_strdup (first[0]);
    req->path = g_strdup (first[1]);
  }
  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
        content_length = (gsize) g_ascii_strtoull (lines[i] + 15, NULL, 10);
      else if (g_ascii_strncasecmp (lines[i], "Content-Encoding: gzip", 22) == 0)
        req->gzipped = TRUE;
      else if (g_ascii_strncasecmp (lines[i], "Authorization:", 14) == 0)
        req->authorization = g_strstrip (g_strdup (lines[i] + 14));
    }
  while (buf->len < header_len + content_length)
    {
      n = g_socket_receive (conn, chunk, sizeof chunk, NULL, NULL);
      if (n <= 0)
        return FALSE;
      g_byte_array_append (buf, (const guint8 *) chunk, n);
    }
  if (req->gzipped)
    req->body = fake_gunzip ((char *) buf->data + header_len, content_length);
  else
    req->body = g_strndup ((char *) buf->data + header_len, content_length);
  return req->body != NULL;
}

static inline gpointer
fake_central_main (gpointer data)
{
  FakeCentral *fc = data;

  while (!g_atomic_int_get (&fc->stopping))
    {
      g_autoptr(GSocket) conn = g_socket_accept (fc->socket, NULL, NULL);
      FakeRequest *req;
      FakeAnswer a;
      g_autoptr(GString) out = g_string_new (NULL);
      gsize len;

      if (conn == NULL || g_atomic_int_get (&fc->stopping))
        break;
      req = g_new0 (FakeRequest, 1);
      if (!fake_read_request (conn, req))
        {
          fake_request_free (req);
          continue;
        }
      a = fc->responder (req, fc->user_data);
      len = a.body != NULL ? strlen (a.body) : 0;
      g_string_printf (out, "HTTP/1.1 %u X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                            "Connection: close\r\n", a.status, len);
      if (a.retry_after != NULL)
        g_string_append_printf (out, "Retry-After: %s\r\n", a.retry_after);
      g_string_append (out, "\r\n");
      if (a.body != NULL)
        g_string_append (out, a.body);
      g_socket_send_with_blocking (conn, out->str, out->len, TRUE, NULL, NULL);
      g_socket_shutdown (conn, FALSE, TRUE, NULL);
      g_socket_close (conn, NULL);
      g_free (a.body);
      g_free (a.retry_after);
      g_mutex_lock (&fc->lock);
      g_ptr_array_add (fc->requests, req);
      g_mutex_unlock (&fc->lock);
    }
  return NULL;
}

static inline FakeCentral *
fake_central_start (FakeResponder responder,
                    gpointer      user_data)
{
  FakeCentral *fc = g_new0 (FakeCentral, 1);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  fc->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  if (!g_socket_bind (fc->socket, addr, TRUE, NULL) || !g_socket_listen (fc->socket, NULL))
    g_error ("fake central: cannot listen");
  bound = g_socket_get_local_address (fc->socket, NULL);
  fc->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_mutex_init (&fc->lock);
  fc->requests = g_ptr_array_new_with_free_func (fake_request_free);
  fc->responder = responder;
  fc->user_data = user_data;
  fc->thread = g_thread_new ("fake-central", fake_central_main, fc);
  return fc;
}

static inline char *
fake_central_url (FakeCentral *fc)
{
  return g_strdup_printf ("http://127.0.0.1:%u", fc->port);
}

/* How many requests had a path starting with prefix. */
static inline guint
fake_central_count (FakeCentral *fc,
                    const char  *prefix)
{
  guint n = 0;

  g_mutex_lock (&fc->lock);
  for (guint i = 0; i < fc->requests->len; i++)
    {
      FakeRequest *r = g_ptr_array_index (fc->requests, i);
      if (g_str_has_prefix (r->path, prefix))
        n++;
    }
  g_mutex_unlock (&fc->lock);
  return n;
}

static inline void
fake_central_stop (FakeCentral *fc)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) poke = NULL;
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", fc->port);

  g_atomic_int_set (&fc->stopping, 1);
  /* Wake the blocking accept. */
  poke = g_socket_client_connect_to_host (client, host, fc->port, NULL, NULL);
  if (poke != NULL)
    g_io_stream_close (G_IO_STREAM (poke), NULL, NULL);
  g_thread_join (fc->thread);
  g_socket_close (fc->socket, NULL);
  g_object_unref (fc->socket);
  g_ptr_array_unref (fc->requests);
  g_mutex_clear (&fc->lock);
  g_free (fc);
}
