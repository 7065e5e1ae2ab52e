/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-app"

#include "config.h"

#include "terminal/pos-staff.h"

#include "pos-audit-model.h"

/* How close to the end of what is loaded an item the view asks for must
 * be for the next page to be read. */
#define PREFETCH 30

/* ------------------------------------------------------------------ */
/* PosAuditItem */

struct _PosAuditItem
{
  GObject        parent_instance;
  PosAuditEntry *entry;
  char          *subject;
};

G_DEFINE_FINAL_TYPE (PosAuditItem, pos_audit_item, G_TYPE_OBJECT)

static void
pos_audit_item_finalize (GObject *object)
{
  PosAuditItem *self = POS_AUDIT_ITEM (object);

  g_clear_pointer (&self->entry, pos_audit_entry_free);
  g_clear_pointer (&self->subject, g_free);
  G_OBJECT_CLASS (pos_audit_item_parent_class)->finalize (object);
}

static void
pos_audit_item_class_init (PosAuditItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pos_audit_item_finalize;
}

static void
pos_audit_item_init (PosAuditItem *self)
{
}

const PosAuditEntry *
pos_audit_item_get_entry (PosAuditItem *self)
{
  g_return_val_if_fail (POS_IS_AUDIT_ITEM (self), NULL);

  return self->entry;
}

const char *
pos_audit_item_get_subject (PosAuditItem *self)
{
  g_return_val_if_fail (POS_IS_AUDIT_ITEM (self), NULL);

  return self->subject;
}

/* ------------------------------------------------------------------ */
/* PosAuditModel */

struct _PosAuditModel
{
  GObject       parent_instance;

  PosDatabase  *db;
  GStrv         prefixes;      /* NULL = every action */
  char         *staff_id;
  GPtrArray    *items;         /* PosAuditItem, newest first */
  gint64        next_before;   /* id of the oldest loaded entry; 0 = none yet */
  gboolean      complete;
  gboolean      loading;
  gboolean      stalled;       /* a page failed: no reading ahead */
  GError       *error;
  GCancellable *cancellable;
  guint         prefetch_id;
};

enum {
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pos_audit_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosAuditModel, pos_audit_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pos_audit_model_list_model_init))

/* ------------------------------------------------------------------ */
/* Reading a page on a worker thread */

typedef struct {
  PosDatabase *db;
  GStrv        prefixes;
  char        *staff_id;
  gint64       before;
} PageQuery;

typedef struct {
  GPtrArray *items;     /* PosAuditItem */
  gint64     next_before;
  gboolean   more;
} PageResult;

static void
page_query_free (PageQuery *q)
{
  g_clear_object (&q->db);
  g_strfreev (q->prefixes);
  g_free (q->staff_id);
  g_free (q);
}

static void
page_result_free (PageResult *r)
{
  g_clear_pointer (&r->items, g_ptr_array_unref);
  g_free (r);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const PosAuditEntry *ea = *(PosAuditEntry * const *) a;
  const PosAuditEntry *eb = *(PosAuditEntry * const *) b;

  return ea->id < eb->id ? 1 : ea->id > eb->id ? -1 : 0;
}

/* The name of the person an entry is about (entity 'staff'), when not
 * the one who acted; names looked up once per page. */
static char *
subject_name (PosDatabase   *db,
              GHashTable    *names,
              PosAuditEntry *e)
{
  const char *name;

  if (g_strcmp0 (e->entity, "staff") != 0 || e->entity_id == NULL ||
      g_strcmp0 (e->entity_id, e->staff_id) == 0)
    return NULL;
  if (!g_hash_table_lookup_extended (names, e->entity_id, NULL, (gpointer *) &name))
    {
      g_autoptr(PosStaff) staff = pos_staff_get (db, e->entity_id, NULL);

      name = staff != NULL ? staff->name : NULL;
      g_hash_table_insert (names, g_strdup (e->entity_id), g_strdup (name));
      g_hash_table_lookup_extended (names, e->entity_id, NULL, (gpointer *) &name);
    }
  return g_strdup (name);
}

/* Each prefix is its own newest-first stream; a page is the newest
 * PAGE_SIZE entries of their union below q->before. Any entry of a stream
 * newer than the oldest one taken is in that stream's first PAGE_SIZE, so
 * merging the streams' pages gives the union's page. */
static void
page_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PageQuery *q = task_data;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) pos_audit_entry_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  PageResult *r;
  PosDatabase *db;
  GError *error = NULL;
  gboolean more = FALSE;
  guint n_streams = q->prefixes != NULL ? g_strv_length (q->prefixes) : 1;
  guint taken;

  db = pos_database_acquire_worker (q->db, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < n_streams; i++)
    {
      PosAuditFilter filter = {
        .action_prefix = q->prefixes != NULL ? q->prefixes[i] : NULL,
        .staff_id = q->staff_id,
      };
      g_autoptr(GPtrArray) rows = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      rows = pos_audit_list (db, &filter, q->before, POS_AUDIT_MODEL_PAGE_SIZE, &error);
      if (rows == NULL)
        {
          pos_database_release_worker (q->db, db);
          g_task_return_error (task, error);
          return;
        }
      if (rows->len >= POS_AUDIT_MODEL_PAGE_SIZE)
        more = TRUE;
      /* move the entries over */
      g_ptr_array_set_free_func (rows, NULL);
      for (guint j = 0; j < rows->len; j++)
        g_ptr_array_add (all, g_ptr_array_index (rows, j));
    }

  if (g_task_return_error_if_cancelled (task))
    {
      pos_database_release_worker (q->db, db);
      return;
    }

  if (n_streams > 1)
    g_ptr_array_sort (all, compare_newest_first);

  r = g_new0 (PageResult, 1);
  r->items = g_ptr_array_new_with_free_func (g_object_unref);
  taken = 0;
  for (guint i = 0; i < all->len && taken < POS_AUDIT_MODEL_PAGE_SIZE; i++)
    {
      PosAuditEntry *entry = g_ptr_array_index (all, i);
      PosAuditItem *item;

      /* the same entry from two overlapping prefixes */
      if (taken > 0 && entry->id == r->next_before)
        continue;
      item = g_object_new (POS_TYPE_AUDIT_ITEM, NULL);
      item->entry = g_steal_pointer (&all->pdata[i]);
      item->subject = subject_name (db, names, item->entry);
      r->next_before = item->entry->id;
      g_ptr_array_add (r->items, item);
      taken++;
    }
  /* entries of a stream left over beyond this page */
  for (guint i = 0; i < all->len; i++)
    {
      PosAuditEntry *entry = g_ptr_array_index (all, i);

      if (entry != NULL && entry->id < r->next_before)
        {
          more = TRUE;
          break;
        }
    }
  pos_database_release_worker (q->db, db);
  if (taken == 0)
    more = FALSE;
  r->more = more;
  g_task_return_pointer (task, r, (GDestroyNotify) page_result_free);
}

static void
page_loaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(PosAuditModel) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  PageResult *r = g_task_propagate_pointer (G_TASK (result), &error);
  guint position;

  g_weak_ref_clear (weak);
  g_free (weak);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&r, page_result_free);
      return;
    }
  g_clear_object (&self->cancellable);

  g_object_freeze_notify (G_OBJECT (self));
  self->loading = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  if (r == NULL)
    {
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      self->stalled = TRUE;
      g_object_thaw_notify (G_OBJECT (self));
      return;
    }

  g_clear_error (&self->error);
  self->stalled = FALSE;
  position = self->items->len;
  for (guint i = 0; i < r->items->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (r->items, i)));
  if (r->items->len > 0)
    self->next_before = r->next_before;
  if (!r->more)
    {
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
  if (r->items->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, r->items->len);
  page_result_free (r);
  g_object_thaw_notify (G_OBJECT (self));
}

void
pos_audit_model_load_more (PosAuditModel *self)
{
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak;
  PageQuery *q;

  g_return_if_fail (POS_IS_AUDIT_MODEL (self));

  if (self->loading || self->complete)
    return;

  self->loading = TRUE;
  self->cancellable = g_cancellable_new ();

  q = g_new0 (PageQuery, 1);
  q->db = g_object_ref (self->db);
  q->prefixes = g_strdupv (self->prefixes);
  q->staff_id = g_strdup (self->staff_id);
  q->before = self->next_before;

  /* The task does not hold the model: a model dropped while a page is
   * read is disposed at once, which cancels the read. */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, page_loaded, weak);
  g_task_set_source_tag (task, pos_audit_model_load_more);
  g_task_set_task_data (task, q, (GDestroyNotify) page_query_free);
  g_task_run_in_thread (task, page_worker);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static gboolean
prefetch_idle (gpointer user_data)
{
  PosAuditModel *self = user_data;

  self->prefetch_id = 0;
  pos_audit_model_load_more (self);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* GListModel */

static GType
pos_audit_model_get_item_type (GListModel *model)
{
  return POS_TYPE_AUDIT_ITEM;
}

static guint
pos_audit_model_get_n_items (GListModel *model)
{
  return POS_AUDIT_MODEL (model)->items->len;
}

static gpointer
pos_audit_model_get_item (GListModel *model,
                          guint       position)
{
  PosAuditModel *self = POS_AUDIT_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  /* The view asks for what it shows: near the end, read the next page
   * (from the main loop, not while the view is asking). */
  if (position + PREFETCH >= self->items->len && !self->complete && !self->loading &&
      !self->stalled && self->prefetch_id == 0)
    self->prefetch_id = g_idle_add (prefetch_idle, self);
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
pos_audit_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pos_audit_model_get_item_type;
  iface->get_n_items = pos_audit_model_get_n_items;
  iface->get_item = pos_audit_model_get_item;
}

/* ------------------------------------------------------------------ */

static void
pos_audit_model_dispose (GObject *object)
{
  PosAuditModel *self = POS_AUDIT_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->prefetch_id, g_source_remove);

  G_OBJECT_CLASS (pos_audit_model_parent_class)->dispose (object);
}

static void
pos_audit_model_finalize (GObject *object)
{
  PosAuditModel *self = POS_AUDIT_MODEL (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->prefixes, g_strfreev);
  g_clear_pointer (&self->staff_id, g_free);
  g_clear_error (&self->error);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (pos_audit_model_parent_class)->finalize (object);
}

static void
pos_audit_model_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PosAuditModel *self = POS_AUDIT_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pos_audit_model_class_init (PosAuditModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pos_audit_model_dispose;
  object_class->finalize = pos_audit_model_finalize;
  object_class->get_property = pos_audit_model_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pos_audit_model_init (PosAuditModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

PosAuditModel *
pos_audit_model_new (PosDatabase        *db,
                     const char * const *action_prefixes,
                     const char         *staff_id)
{
  PosAuditModel *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);

  self = g_object_new (POS_TYPE_AUDIT_MODEL, NULL);
  self->db = g_object_ref (db);
  if (action_prefixes != NULL && action_prefixes[0] != NULL)
    self->prefixes = g_strdupv ((char **) action_prefixes);
  self->staff_id = g_strdup (staff_id);
  pos_audit_model_load_more (self);
  return self;
}

gboolean
pos_audit_model_get_loading (PosAuditModel *self)
{
  g_return_val_if_fail (POS_IS_AUDIT_MODEL (self), FALSE);

  return self->loading;
}

gboolean
pos_audit_model_get_complete (PosAuditModel *self)
{
  g_return_val_if_fail (POS_IS_AUDIT_MODEL (self), FALSE);

  return self->complete;
}

const GError *
pos_audit_model_get_error (PosAuditModel *self)
{
  g_return_val_if_fail (POS_IS_AUDIT_MODEL (self), NULL);

  return self->error;
}
