/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao"

#include "config.h"

#include <glib/gi18n.h>

#include "devices/pos-printer.h"
#include "terminal/pos-staff.h"

#include "pos-printer-page.h"
#include "pos-receipt-printing.h"

static const int widths[] = { 32, 42, 48 };
static const int code_pages[] = { 860, 858 };

struct _PosPrinterPage {
  AdwPreferencesPage  parent_instance;

  PosDatabase        *db;
  PosPrintQueue      *queue;
  GCancellable       *cancellable;
  GtkStringList      *names;       /* printer_row's choices as queue names; "" = none */
  GtkStringList      *labels;
  GPtrArray          *printer_rows; /* the rows of printers_group */
  char               *test_job_id;  /* the last test page, followed for its toast */
  gboolean            updating;

  /* template */
  AdwPreferencesGroup *receipt_group;
  AdwPreferencesGroup *printers_group;
  AdwComboRow         *printer_row;
  AdwComboRow         *kind_row;
  AdwComboRow         *width_row;
  AdwComboRow         *code_page_row;
  GtkWidget           *test_button;
  GtkWidget           *refresh_button;
};

G_DEFINE_FINAL_TYPE (PosPrinterPage, pos_printer_page, ADW_TYPE_PREFERENCES_PAGE)

static void
page_toast (PosPrinterPage *self,
            const char     *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (text));
  else
    g_message ("%s", text);
}

static gboolean
can_change (PosPrinterPage *self)
{
  return self->db != NULL && pos_staff_current_can (self->db, POS_PERMISSION_CHANGE_SETTINGS);
}

static guint
index_of (const int *values,
          guint      n,
          int        value)
{
  for (guint i = 0; i < n; i++)
    if (values[i] == value)
      return i;
  return 0;
}

/* The choices of the receipt printer: none, each destination, and the one
 * saved when CUPS does not list it (an ipp:// URI, a server not answering). */
static void
fill_printer_choices (PosPrinterPage *self,
                      GPtrArray      *printers)
{
  g_autoptr(PosPrinterSettings) settings = pos_printer_settings_load (self->db);
  guint selected = 0;

  self->updating = TRUE;
  gtk_string_list_splice (self->names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->names)), NULL);
  gtk_string_list_splice (self->labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->labels)), NULL);
  gtk_string_list_append (self->names, "");
  gtk_string_list_append (self->labels, _("None: receipts are shown on the screen only"));
  for (guint i = 0; printers != NULL && i < printers->len; i++)
    {
      PosPrinterInfo *info = g_ptr_array_index (printers, i);

      gtk_string_list_append (self->names, info->name);
      gtk_string_list_append (self->labels, info->info);
      if (g_strcmp0 (info->name, settings->printer) == 0)
        selected = i + 1;
    }
  if (settings->printer != NULL && selected == 0)
    {
      gtk_string_list_append (self->names, settings->printer);
      gtk_string_list_append (self->labels, settings->printer);
      selected = g_list_model_get_n_items (G_LIST_MODEL (self->names)) - 1;
    }
  adw_combo_row_set_selected (self->printer_row, selected);
  self->updating = FALSE;
}

static void
update_subtitle (PosPrinterPage *self,
                 GPtrArray      *printers)
{
  guint pos = adw_combo_row_get_selected (self->printer_row);
  const char *name = gtk_string_list_get_string (self->names, pos);
  g_autofree char *subtitle = NULL;

  if (name == NULL || *name == '\0')
    subtitle = g_strdup (_("Choose the printer receipts go to"));
  for (guint i = 0; subtitle == NULL && printers != NULL && i < printers->len; i++)
    {
      PosPrinterInfo *info = g_ptr_array_index (printers, i);

      if (g_strcmp0 (info->name, name) == 0)
        subtitle = pos_printer_info_describe (info);
    }
  if (subtitle == NULL)
    subtitle = g_strdup (name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->printer_row), subtitle);
}

static void
update_sensitivity (PosPrinterPage *self)
{
  gboolean may = can_change (self);
  const char *name = gtk_string_list_get_string (self->names, adw_combo_row_get_selected (self->printer_row));
  gboolean chosen = name != NULL && *name != '\0';
  gboolean escpos = adw_combo_row_get_selected (self->kind_row) == 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->printer_row), may);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), may && chosen);
  gtk_widget_set_sensitive (GTK_WIDGET (self->width_row), may && chosen && escpos);
  gtk_widget_set_sensitive (GTK_WIDGET (self->code_page_row), may && chosen && escpos);
  gtk_widget_set_sensitive (self->test_button, chosen && self->queue != NULL);
}

static void
clear_printer_rows (PosPrinterPage *self)
{
  for (guint i = 0; i < self->printer_rows->len; i++)
    adw_preferences_group_remove (self->printers_group, g_ptr_array_index (self->printer_rows, i));
  g_ptr_array_set_size (self->printer_rows, 0);
}

static void
add_info_row (PosPrinterPage *self,
              const char     *title,
              const char     *subtitle,
              const char     *icon)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (icon != NULL)
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (icon));
  adw_preferences_group_add (self->printers_group, row);
  g_ptr_array_add (self->printer_rows, row);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) printers = pos_printer_list_finish (result, &error);
  PosPrinterPage *self;

  if (printers == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = POS_PRINTER_PAGE (user_data);

  gtk_widget_set_sensitive (self->refresh_button, TRUE);
  clear_printer_rows (self);
  fill_printer_choices (self, printers);
  update_subtitle (self, printers);
  update_sensitivity (self);
  g_object_set_data_full (G_OBJECT (self), "printers",
                          printers != NULL ? g_ptr_array_ref (printers) : NULL,
                          (GDestroyNotify) g_ptr_array_unref);
  if (printers == NULL)
    {
      add_info_row (self, _("The print server does not answer"), error->message, "dialog-warning-symbolic");
      return;
    }
  if (printers->len == 0)
    add_info_row (self, _("No printer"),
                  _("Add the receipt printer to CUPS (docs/printing.md): a thermal printer as a raw queue."), NULL);
  for (guint i = 0; i < printers->len; i++)
    {
      PosPrinterInfo *info = g_ptr_array_index (printers, i);
      g_autofree char *state = pos_printer_info_describe (info);
      g_autofree char *subtitle = NULL;
      g_autoptr(GError) problem = NULL;

      if (info->device_uri != NULL)
        subtitle = g_strdup_printf ("%s · %s · %s", info->name, state, info->device_uri);
      else
        subtitle = g_strdup_printf ("%s · %s", info->name, state);
      add_info_row (self, info->info, subtitle,
                    pos_printer_info_get_problem (info, &problem) ? "dialog-warning-symbolic" : "printer-symbolic");
    }
}

static void
list_printers (PosPrinterPage *self)
{
  gtk_widget_set_sensitive (self->refresh_button, FALSE);
  pos_printer_list_async (self->cancellable, on_listed, self);
}

static void
on_refresh_clicked (PosPrinterPage *self)
{
  list_printers (self);
}

static void
save (PosPrinterPage *self)
{
  g_autoptr(GError) error = NULL;
  PosPrinterSettings settings = { 0 };
  const char *name = gtk_string_list_get_string (self->names, adw_combo_row_get_selected (self->printer_row));
  guint width = adw_combo_row_get_selected (self->width_row);
  guint code_page = adw_combo_row_get_selected (self->code_page_row);

  if (self->updating || self->db == NULL)
    return;
  settings.printer = name != NULL && *name != '\0' ? (char *) name : NULL;
  settings.kind = adw_combo_row_get_selected (self->kind_row) == 1 ? POS_PRINTER_KIND_PDF_DRIVER
                                                                    : POS_PRINTER_KIND_ESCPOS_RAW;
  settings.width = widths[MIN (width, G_N_ELEMENTS (widths) - 1)];
  settings.code_page = code_pages[MIN (code_page, G_N_ELEMENTS (code_pages) - 1)];
  if (!pos_printer_settings_save (self->db, &settings, &error))
    page_toast (self, error->message);
  update_subtitle (self, g_object_get_data (G_OBJECT (self), "printers"));
  update_sensitivity (self);
}

static void
on_setting_changed (PosPrinterPage *self)
{
  save (self);
}

static void
on_job_changed (PosPrintQueue  *queue,
                PosPrintJob    *job,
                PosPrinterPage *self)
{
  if (g_strcmp0 (job->id, self->test_job_id) != 0)
    return;
  switch (job->state)
    {
    case POS_PRINT_JOB_STATE_COMPLETED:
      page_toast (self, _("The test page printed."));
      break;
    case POS_PRINT_JOB_STATE_WAITING:
    case POS_PRINT_JOB_STATE_FAILED:
      page_toast (self, job->message != NULL ? job->message : _("The test page was not printed."));
      break;
    case POS_PRINT_JOB_STATE_QUEUED:
    case POS_PRINT_JOB_STATE_SENT:
    case POS_PRINT_JOB_STATE_CANCELLED:
    default:
      break;
    }
}

static void
on_test_clicked (PosPrinterPage *self)
{
  g_autoptr(PosPrinterSettings) settings = NULL;
  g_autoptr(GBytes) page = NULL;
  const char *label;
  g_autofree char *text = NULL;

  if (self->db == NULL || self->queue == NULL)
    return;
  settings = pos_printer_settings_load (self->db);
  if (settings->printer == NULL)
    return;
  label = gtk_string_list_get_string (self->labels, adw_combo_row_get_selected (self->printer_row));
  page = pos_printer_build_test_page (settings->kind, settings->width, label != NULL ? label : settings->printer);
  g_free (self->test_job_id);
  self->test_job_id = pos_print_queue_submit (self->queue, settings->printer, _("Test page"),
                                              pos_printer_kind_get_format (settings->kind), page, NULL);
  text = g_strdup_printf (_("Test page sent to “%s”."), label != NULL ? label : settings->printer);
  page_toast (self, text);
}

static void
pos_printer_page_dispose (GObject *object)
{
  PosPrinterPage *self = POS_PRINTER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_PRINTER_PAGE);

  G_OBJECT_CLASS (pos_printer_page_parent_class)->dispose (object);
}

static void
pos_printer_page_finalize (GObject *object)
{
  PosPrinterPage *self = POS_PRINTER_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_object (&self->names);
  g_clear_object (&self->labels);
  g_clear_pointer (&self->printer_rows, g_ptr_array_unref);
  g_free (self->test_job_id);

  G_OBJECT_CLASS (pos_printer_page_parent_class)->finalize (object);
}

static void
pos_printer_page_class_init (PosPrinterPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pos_printer_page_dispose;
  object_class->finalize = pos_printer_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-printer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, receipt_group);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, printers_group);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, printer_row);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, kind_row);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, width_row);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, code_page_row);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, test_button);
  gtk_widget_class_bind_template_child (widget_class, PosPrinterPage, refresh_button);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_clicked);
}

static void
pos_printer_page_init (PosPrinterPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->names = gtk_string_list_new (NULL);
  self->labels = gtk_string_list_new (NULL);
  self->printer_rows = g_ptr_array_new ();
  adw_combo_row_set_model (self->printer_row, G_LIST_MODEL (self->labels));
}

AdwPreferencesPage *
pos_printer_page_new_full (PosDatabase   *db,
                           PosPrintQueue *queue)
{
  PosPrinterPage *self;
  g_autoptr(PosPrinterSettings) settings = NULL;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (queue == NULL || POS_IS_PRINT_QUEUE (queue), NULL);

  self = g_object_new (POS_TYPE_PRINTER_PAGE, NULL);
  self->db = g_object_ref (db);
  self->queue = queue != NULL ? g_object_ref (queue) : NULL;
  if (queue != NULL)
    g_signal_connect (queue, "job-changed", G_CALLBACK (on_job_changed), self);

  settings = pos_printer_settings_load (db);
  self->updating = TRUE;
  fill_printer_choices (self, NULL);
  adw_combo_row_set_selected (self->kind_row, settings->kind == POS_PRINTER_KIND_PDF_DRIVER ? 1 : 0);
  adw_combo_row_set_selected (self->width_row, index_of (widths, G_N_ELEMENTS (widths), settings->width));
  adw_combo_row_set_selected (self->code_page_row,
                              index_of (code_pages, G_N_ELEMENTS (code_pages), settings->code_page));
  self->updating = FALSE;
  update_subtitle (self, NULL);
  update_sensitivity (self);

  g_signal_connect_swapped (self->printer_row, "notify::selected", G_CALLBACK (on_setting_changed), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (on_setting_changed), self);
  g_signal_connect_swapped (self->width_row, "notify::selected", G_CALLBACK (on_setting_changed), self);
  g_signal_connect_swapped (self->code_page_row, "notify::selected", G_CALLBACK (on_setting_changed), self);

  list_printers (self);
  return ADW_PREFERENCES_PAGE (self);
}

AdwPreferencesPage *
pos_printer_page_new (PosWindow *window)
{
  PosReceiptPrinting *printing;

  g_return_val_if_fail (POS_IS_WINDOW (window), NULL);

  printing = pos_window_get_receipt_printing (window);
  return pos_printer_page_new_full (pos_window_get_database (window),
                                    printing != NULL ? pos_receipt_printing_get_queue (printing) : NULL);
}
