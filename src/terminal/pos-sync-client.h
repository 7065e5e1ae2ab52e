/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Errors of the sync engine, its HTTP client and enrolment. Messages are
 * sentences a person can act on (translated). */
#define POS_SYNC_ERROR (pos_sync_error_quark ())
GQuark pos_sync_error_quark (void);

typedef enum {
  POS_SYNC_ERROR_NOT_ENROLLED,   /* no central URL or token: enrol first */
  POS_SYNC_ERROR_NETWORK,        /* cannot connect, name does not resolve, connection dropped */
  POS_SYNC_ERROR_TIMEOUT,        /* no answer in time, or a half-open connection */
  POS_SYNC_ERROR_TLS,            /* the central's certificate could not be verified */
  POS_SYNC_ERROR_SERVER,         /* 5xx or an unexpected status: retry later */
  POS_SYNC_ERROR_BAD_ANSWER,     /* an answer that is not what the protocol says */
  POS_SYNC_ERROR_REVOKED,        /* 401 token_revoked: stopped until enrolled again */
  POS_SYNC_ERROR_UNAUTHORIZED,   /* 401 unknown token */
  POS_SYNC_ERROR_ENROLMENT,      /* enrolment refused (bad token, other store's operations) */
  POS_SYNC_ERROR_CANCELLED,      /* stopped by the caller */
  POS_SYNC_ERROR_LOCAL,          /* the local database failed */
} PosSyncErrorCode;

/* One terminal's HTTP client to the central, on libcurl: TLS verified
 * (optional CA file), proxies from the environment, gzip both ways,
 * connect timeout 10 s, a connection carrying less than 1 byte/s for
 * low_speed_seconds (30 by default) dropped as half-open. Used from one
 * thread; pos_sync_client_interrupt() and _stop() may be called from any
 * thread. */
typedef struct _PosSyncClient PosSyncClient;

typedef struct {
  guint   status;          /* HTTP status */
  GBytes *body;            /* decompressed; may be empty, never NULL on success */
  gint64  retry_after_ms;  /* from Retry-After (seconds or HTTP-date, read by libcurl), 0 if none */
} PosSyncResponse;

void           pos_sync_response_clear      (PosSyncResponse *response);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PosSyncResponse, pos_sync_response_clear)

PosSyncClient *pos_sync_client_new          (const char *base_url,
                                             const char *token,
                                             const char *ca_file,
                                             guint       low_speed_seconds);
void           pos_sync_client_free         (PosSyncClient *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosSyncClient, pos_sync_client_free)

const char    *pos_sync_client_get_host     (PosSyncClient *self);

/* path_and_query is appended to the base URL ("/v1/sync/pull?cursor=…").
 * body (JSON, may be NULL) is sent gzip-compressed. interruptible requests
 * (the long-poll wait) end early when pos_sync_client_interrupt() is
 * called; every request ends early on pos_sync_client_stop() (error
 * POS_SYNC_ERROR_CANCELLED). timeout_seconds > 0 bounds the whole request
 * and then replaces the low-speed limit (for the wait, which carries
 * nothing for a long time by design). Transport failures are errors;
 * any HTTP status is a success with out->status set. */
gboolean       pos_sync_client_request      (PosSyncClient   *self,
                                             const char      *method,
                                             const char      *path_and_query,
                                             const char      *body,
                                             gsize            body_len,
                                             gboolean         interruptible,
                                             guint            timeout_seconds,
                                             PosSyncResponse *out,
                                             GError         **error);

/* Called on the requesting thread about once a second while an
 * interruptible request waits; returning TRUE ends it like an interrupt
 * (the engine checks whether another process queued operations). */
typedef gboolean (*PosSyncClientCheck) (gpointer user_data);
void           pos_sync_client_set_check    (PosSyncClient      *self,
                                             PosSyncClientCheck  check,
                                             gpointer            user_data);

/* Thread-safe. interrupt ends the current or next interruptible request
 * (until pos_sync_client_clear_interrupt); stop ends every request from
 * now on. */
void           pos_sync_client_interrupt    (PosSyncClient *self);
void           pos_sync_client_clear_interrupt (PosSyncClient *self);
void           pos_sync_client_stop         (PosSyncClient *self);

/* The error for an HTTP answer that is not a success: maps the status and
 * the body's {"code","message"} to a POS_SYNC_ERROR with a sentence a
 * person can act on (401 token_revoked -> REVOKED, ...). what names the
 * exchange ("Sending sales"). */
void           pos_sync_client_set_http_error (PosSyncClient         *self,
                                               const PosSyncResponse *response,
                                               GError               **error);

/* gzip (RFC 1952) of data, with GZlibCompressor. */
GBytes        *pos_sync_gzip                (const void *data,
                                             gsize       len);

G_END_DECLS
