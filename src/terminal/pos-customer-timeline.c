/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-customers"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pos-customer-timeline.h"
#include "pos-customers-private.h"

/* ------------------------------------------------------------------ */
/* One entry                                                           */

struct _PosTimelineEvent
{
  GObject  parent_instance;
  char    *id;
  char    *channel;
  char    *kind;
  gint64   occurred_at;
  char    *store_name;
  gboolean has_amount;
  gint64   amount;
  char    *currency;
  char    *summary;
  char    *document_id;
  gint64   returnable_until;
  char    *open_pickup_state;
  gboolean local;
};

G_DEFINE_FINAL_TYPE (PosTimelineEvent, pos_timeline_event, G_TYPE_OBJECT)

static void
pos_timeline_event_finalize (GObject *object)
{
  PosTimelineEvent *self = POS_TIMELINE_EVENT (object);

  g_free (self->id);
  g_free (self->channel);
  g_free (self->kind);
  g_free (self->store_name);
  g_free (self->currency);
  g_free (self->summary);
  g_free (self->document_id);
  g_free (self->open_pickup_state);
  G_OBJECT_CLASS (pos_timeline_event_parent_class)->finalize (object);
}

static void
pos_timeline_event_class_init (PosTimelineEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_timeline_event_finalize;
}

static void
pos_timeline_event_init (PosTimelineEvent *self)
{
}

const char *pos_timeline_event_get_id (PosTimelineEvent *self) { return self->id; }
const char *pos_timeline_event_get_channel (PosTimelineEvent *self) { return self->channel; }
const char *pos_timeline_event_get_kind (PosTimelineEvent *self) { return self->kind; }
gint64 pos_timeline_event_get_occurred_at (PosTimelineEvent *self) { return self->occurred_at; }
const char *pos_timeline_event_get_store_name (PosTimelineEvent *self) { return self->store_name; }
gboolean pos_timeline_event_has_amount (PosTimelineEvent *self) { return self->has_amount; }
gint64 pos_timeline_event_get_amount (PosTimelineEvent *self) { return self->amount; }
const char *pos_timeline_event_get_currency (PosTimelineEvent *self) { return self->currency; }
const char *pos_timeline_event_get_summary (PosTimelineEvent *self) { return self->summary; }
const char *pos_timeline_event_get_document_id (PosTimelineEvent *self) { return self->document_id; }
gint64 pos_timeline_event_get_returnable_until (PosTimelineEvent *self) { return self->returnable_until; }
const char *pos_timeline_event_get_open_pickup_state (PosTimelineEvent *self) { return self->open_pickup_state; }
gboolean pos_timeline_event_get_local (PosTimelineEvent *self) { return self->local; }

/* ------------------------------------------------------------------ */
/* Words                                                               */

typedef struct {
  const char *key;
  const char *label;
  const char *icon;
} Word;

static const Word channels[] = {
  { "store",       N_("Store"),       "mark-location-symbolic" },
  { "web",         N_("Web shop"),    "web-browser-symbolic" },
  { "app",         N_("App"),         "phone-symbolic" },
  { "marketplace", N_("Marketplace"), "system-software-install-symbolic" },
  { "call_centre", N_("Call centre"), "call-start-symbolic" },
  { "chat",        N_("Chat"),        "user-available-symbolic" },
  { "email",       N_("E-mail"),      "mail-unread-symbolic" },
  { "whatsapp",    N_("WhatsApp"),    "mail-send-symbolic" },
};

static const Word kind_words[] = {
  { "purchase",     N_("Purchase"),     NULL },
  { "return",       N_("Return"),       NULL },
  { "refund",       N_("Refund"),       NULL },
  { "order",        N_("Order"),        NULL },
  { "order_placed", N_("Order placed"), NULL },
  { "order_status", N_("Order update"), NULL },
  { "call",         N_("Call"),         NULL },
  { "chat",         N_("Chat"),         NULL },
  { "message",      N_("Message"),      NULL },
  { "email",        N_("E-mail"),       NULL },
  { "notification", N_("Notification"), NULL },
};

static const Word *
find_word (const Word *words,
           gsize       n,
           const char *key)
{
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (words[i].key, key) == 0)
      return &words[i];
  return NULL;
}

const char *
pos_timeline_channel_label (const char *channel)
{
  const Word *w = find_word (channels, G_N_ELEMENTS (channels), channel);

  return w != NULL ? _(w->label) : channel;
}

const char *
pos_timeline_channel_icon (const char *channel)
{
  const Word *w = find_word (channels, G_N_ELEMENTS (channels), channel);

  return w != NULL ? w->icon : "dialog-information-symbolic";
}

const char *
pos_timeline_kind_label (const char *kind)
{
  const Word *w = find_word (kind_words, G_N_ELEMENTS (kind_words), kind);

  return w != NULL ? _(w->label) : kind;
}

/* ------------------------------------------------------------------ */
/* The list                                                            */

#define PAGE_SIZE 50
#define MAX_PAGES 8   /* what a list view shows and a little around it */

typedef struct {
  guint      index;
  GPtrArray *items;   /* PosTimelineEvent* */
  guint64    used;    /* for the least recently used page to go first */
} Page;

struct _PosCustomerTimeline
{
  GObject               parent_instance;
  PosDatabase          *db;
  char                 *customer_id;
  char                 *channel;
  PosTimelineKindGroup  kinds;
  guint                 n_items;
  GPtrArray            *pages;   /* Page* */
  guint64               clock;
  gint64                horizon; /* oldest returnable sale */
  int                   return_days;
  GError               *error;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosCustomerTimeline, pos_customer_timeline, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->items);
  g_free (page);
}

/* The WHERE of every read: ?1 customer, ?2 channel or NULL, ?3 the kind
 * group (0 = all). A restricted or erased customer shows nothing. */
#define TIMELINE_WHERE \
  "e.customer_id = ?1 AND (?2 IS NULL OR e.channel = ?2) " \
  "AND (?3 = 0 OR (?3 = 1 AND e.kind IN ('purchase', 'return', 'refund')) " \
  "     OR (?3 = 2 AND e.kind IN ('order', 'order_placed', 'order_status')) " \
  "     OR (?3 = 3 AND e.kind IN ('call', 'chat', 'message', 'email', 'notification'))) " \
  "AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = ?1 " \
  "                AND (c.processing_restricted <> 0 OR c.erased_at IS NOT NULL)) "

static void
bind_filter (PosCustomerTimeline *self,
             sqlite3_stmt        *stmt)
{
  pos_database_bind_text (stmt, 1, self->customer_id);
  pos_database_bind_text (stmt, 2, self->channel);
  sqlite3_bind_int (stmt, 3, (int) self->kinds);
}

static void
set_error (PosCustomerTimeline *self,
           GError              *error)
{
  g_clear_error (&self->error);
  self->error = error;
  if (error != NULL)
    g_warning ("Customer timeline: %s", error->message);
}

static guint
count_items (PosCustomerTimeline *self)
{
  GError *error = NULL;
  sqlite3_stmt *stmt;
  guint n = 0;
  int rc;

  stmt = pos_database_prepare_cached (self->db,
    "SELECT COUNT (*) FROM customer_events e WHERE " TIMELINE_WHERE, &error);
  if (stmt == NULL)
    return (set_error (self, error), 0);
  bind_filter (self, stmt);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW)
    {
      pos_database_set_error (self->db, &error, _("Loading the history"));
      set_error (self, error);
      return 0;
    }
  return n;
}

static Page *
load_page (PosCustomerTimeline *self,
           guint                index)
{
  GError *error = NULL;
  Page *page;
  sqlite3_stmt *stmt;
  int rc;

  /* Newest first; the id breaks ties so that pages never overlap. */
  stmt = pos_database_prepare_cached (self->db,
    "SELECT e.id, e.channel, e.kind, e.occurred_at, st.name, e.amount, "
    "COALESCE (e.currency, (SELECT value FROM settings WHERE key = 'currency'), 'BRL'), "
    "e.summary, e.document_id, e.local, "
    "(SELECT s.created_at FROM sales s WHERE s.id = e.document_id AND s.kind = 'sale' AND s.created_at >= ?6 "
    "   AND (SELECT SUM (quantity) FROM sale_lines WHERE sale_id = s.id) > "
    "       COALESCE ((SELECT SUM (rl.quantity) FROM sales r JOIN sale_lines rl ON rl.sale_id = r.id "
    "                  WHERE r.original_sale_id = s.id), 0)), "
    "(SELECT p.state FROM pickup_orders p WHERE p.id = COALESCE (json_extract (e.data, '$.order_id'), e.document_id) "
    "   AND p.state NOT IN ('PICKED_UP', 'CANCELLED', 'NO_SHOW', 'EXPIRED')) "
    "FROM customer_events e LEFT JOIN stores st ON st.id = e.store_id "
    "WHERE " TIMELINE_WHERE
    "ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?4 OFFSET ?5", &error);
  if (stmt == NULL)
    return (set_error (self, error), NULL);
  bind_filter (self, stmt);
  sqlite3_bind_int (stmt, 4, PAGE_SIZE);
  sqlite3_bind_int64 (stmt, 5, (gint64) index * PAGE_SIZE);
  sqlite3_bind_int64 (stmt, 6, self->horizon);

  page = g_new0 (Page, 1);
  page->index = index;
  page->items = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PosTimelineEvent *e = g_object_new (POS_TYPE_TIMELINE_EVENT, NULL);

      e->id = pos_database_column_dup (stmt, 0);
      e->channel = pos_database_column_dup (stmt, 1);
      e->kind = pos_database_column_dup (stmt, 2);
      e->occurred_at = sqlite3_column_int64 (stmt, 3);
      e->store_name = pos_database_column_dup (stmt, 4);
      e->has_amount = sqlite3_column_type (stmt, 5) != SQLITE_NULL;
      e->amount = sqlite3_column_int64 (stmt, 5);
      e->currency = pos_database_column_dup (stmt, 6);
      e->summary = pos_database_column_dup (stmt, 7);
      e->document_id = pos_database_column_dup (stmt, 8);
      e->local = sqlite3_column_int (stmt, 9) != 0;
      if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
        {
          /* The end of the last day it can come back. */
          gint64 sold = sqlite3_column_int64 (stmt, 10);
          g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (sold / 1000);
          g_autoptr(GDateTime) day = g_date_time_new_local (g_date_time_get_year (t), g_date_time_get_month (t),
                                                            g_date_time_get_day_of_month (t), 23, 59, 59);
          g_autoptr(GDateTime) last = g_date_time_add_days (day, self->return_days);

          e->returnable_until = g_date_time_to_unix (last) * 1000;
        }
      e->open_pickup_state = pos_database_column_dup (stmt, 11);
      g_ptr_array_add (page->items, e);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      page_free (page);
      pos_database_set_error (self->db, &error, _("Loading the history"));
      set_error (self, error);
      return NULL;
    }
  return page;
}

static Page *
get_page (PosCustomerTimeline *self,
          guint                index)
{
  Page *page;
  guint oldest = 0;

  for (guint i = 0; i < self->pages->len; i++)
    {
      page = g_ptr_array_index (self->pages, i);
      if (page->index == index)
        {
          page->used = ++self->clock;
          return page;
        }
    }

  page = load_page (self, index);
  if (page == NULL)
    return NULL;
  page->used = ++self->clock;

  /* Bounded memory: the least recently used page makes room. */
  if (self->pages->len >= MAX_PAGES)
    {
      for (guint i = 1; i < self->pages->len; i++)
        if (((Page *) g_ptr_array_index (self->pages, i))->used <
            ((Page *) g_ptr_array_index (self->pages, oldest))->used)
          oldest = i;
      g_ptr_array_remove_index_fast (self->pages, oldest);
    }
  g_ptr_array_add (self->pages, page);
  return page;
}

static GType
list_get_item_type (GListModel *model)
{
  return POS_TYPE_TIMELINE_EVENT;
}

static guint
list_get_n_items (GListModel *model)
{
  return POS_CUSTOMER_TIMELINE (model)->n_items;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  PosCustomerTimeline *self = POS_CUSTOMER_TIMELINE (model);
  Page *page;
  guint offset;

  if (position >= self->n_items)
    return NULL;
  page = get_page (self, position / PAGE_SIZE);
  offset = position % PAGE_SIZE;
  if (page == NULL || offset >= page->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (page->items, offset));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
read_policy (PosCustomerTimeline *self)
{
  g_autoptr(PosStoreInfo) info = pos_database_get_store_info (self->db, NULL);

  self->return_days = info != NULL ? info->return_days : 30;
  self->horizon = _pos_customers_return_horizon (self->db);
}

static void
pos_customer_timeline_finalize (GObject *object)
{
  PosCustomerTimeline *self = POS_CUSTOMER_TIMELINE (object);

  g_clear_object (&self->db);
  g_free (self->customer_id);
  g_free (self->channel);
  g_ptr_array_unref (self->pages);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (pos_customer_timeline_parent_class)->finalize (object);
}

static void
pos_customer_timeline_class_init (PosCustomerTimelineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_customer_timeline_finalize;
}

static void
pos_customer_timeline_init (PosCustomerTimeline *self)
{
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) page_free);
}

PosCustomerTimeline *
pos_customer_timeline_new (PosDatabase *db,
                           const char  *customer_id)
{
  PosCustomerTimeline *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);

  self = g_object_new (POS_TYPE_CUSTOMER_TIMELINE, NULL);
  self->db = g_object_ref (db);
  self->customer_id = g_strdup (customer_id);
  read_policy (self);
  self->n_items = count_items (self);
  return self;
}

void
pos_customer_timeline_reload (PosCustomerTimeline *self)
{
  guint before;

  g_return_if_fail (POS_IS_CUSTOMER_TIMELINE (self));

  before = self->n_items;
  g_ptr_array_set_size (self->pages, 0);
  read_policy (self);
  self->n_items = count_items (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, before, self->n_items);
}

void
pos_customer_timeline_set_filter (PosCustomerTimeline  *self,
                                  const char           *channel,
                                  PosTimelineKindGroup  kinds)
{
  g_return_if_fail (POS_IS_CUSTOMER_TIMELINE (self));

  g_free (self->channel);
  self->channel = channel != NULL && *channel != '\0' ? g_strdup (channel) : NULL;
  self->kinds = kinds;
  pos_customer_timeline_reload (self);
}

const GError *
pos_customer_timeline_get_error (PosCustomerTimeline *self)
{
  g_return_val_if_fail (POS_IS_CUSTOMER_TIMELINE (self), NULL);
  return self->error;
}

guint
pos_customer_timeline_get_n_cached_pages (PosCustomerTimeline *self)
{
  g_return_val_if_fail (POS_IS_CUSTOMER_TIMELINE (self), 0);
  return self->pages->len;
}
