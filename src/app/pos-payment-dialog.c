/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-payment"

#include "config.h"

#include <glib/gi18n.h>
#include <qrencode.h>
#include <string.h>

#include "domain/pos-money.h"
#include "domain/pos-pix.h"
#include "domain/pos-uuid.h"
#include "terminal/pos-loyalty.h"
#include "terminal/pos-receipt.h"
#include "terminal/pos-sales.h"

#include "pos-format.h"
#include "pos-payment-dialog.h"
#include "pos-receipt-email-dialog.h"
#include "pos-receipt-view.h"

#define QR_MODULE_PX  5
#define QR_QUIET      4

struct _PosPaymentDialog {
  AdwWindow         parent_instance;

  PosDatabase      *db;
  PosCart          *cart;
  PosStoreInfo     *store;
  char             *currency;
  gint64            customer_credit;
  PosLoyaltyRule    loyalty;        /* the rule when the dialog opened */
  gint64            points_balance; /* the customer's balance shown, before this sale */
  PosPaymentMethod  method;
  char             *pix_txid;
  char             *pix_payload;
  GCancellable     *cancellable;
  gboolean          committing;
  gboolean          replace_amount; /* the pre-filled amount goes at the first key */
  gboolean          committed;
  gint64            change_to_give;

  /* template */
  GtkWidget        *window_title;
  GtkWidget        *stack;
  GtkWidget        *methods_box;
  GtkWidget        *cash_button;
  GtkWidget        *credit_card_button;
  GtkWidget        *debit_card_button;
  GtkWidget        *pix_button;
  GtkWidget        *store_credit_button;
  GtkWidget        *points_button;
  GtkWidget        *due_label;
  GtkWidget        *method_title;
  GtkWidget        *amount_caption;
  GtkWidget        *amount_entry;
  GtkWidget        *method_stack;
  GtkWidget        *change_label;
  GtkWidget        *auth_entry;
  GtkWidget        *last4_entry;
  GtkWidget        *qr_picture;
  GtkWidget        *pix_text;
  GtkWidget        *pix_copy_button;
  GtkWidget        *store_credit_label;
  GtkWidget        *points_label;
  GtkWidget        *points_live_label;
  GtkWidget        *error_label;
  GtkWidget        *add_button;
  GtkWidget        *payments_list;
  GtkWidget        *remaining_label;
  GtkWidget        *finish_button;
  GtkWidget        *spinner;
  GtkWidget        *number_label;
  GtkWidget        *change_caption;
  GtkWidget        *change_done_label;
  GtkWidget        *new_sale_button;
  GtkWidget        *receipt_box;
};

G_DEFINE_FINAL_TYPE (PosPaymentDialog, pos_payment_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SALE_COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh (PosPaymentDialog *self);

static void
show_error (PosPaymentDialog *self,
            const char       *text)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), text);
  gtk_widget_set_visible (self->error_label, text != NULL);
  if (text != NULL)
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static gint64
get_due (PosPaymentDialog *self)
{
  PosCartTotals t;

  pos_cart_get_totals (self->cart, &t);
  return t.due;
}

static gboolean
read_amount (PosPaymentDialog *self,
             gint64           *out)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->amount_entry));

  return pos_format_parse_money (text, self->currency, out, NULL) && *out > 0;
}

/* ---- Points (docs/loyalty.md) ---- */

/* The points the cart's payments with points already use. */
static gint64
points_in_cart (PosPaymentDialog *self)
{
  gint64 points = 0;

  for (guint i = 0; self->cart != NULL && i < pos_cart_get_n_payments (self->cart); i++)
    {
      const PosPayment *p = pos_cart_get_payment (self->cart, i);
      gint64 n = 0;

      if (p->method == POS_PAYMENT_LOYALTY_POINTS &&
          pos_loyalty_points_for_amount (p->amount, self->loyalty.point_value, &n))
        points += n;
    }
  return points;
}

static gint64
points_available (PosPaymentDialog *self)
{
  return MAX (self->points_balance - points_in_cart (self), 0);
}

/* Points may pay: the programme is on, the sale has a customer whose
 * balance reaches the minimum and some of it is left. */
static gboolean
points_offered (PosPaymentDialog *self)
{
  return self->cart != NULL && pos_loyalty_rule_is_on (&self->loyalty) &&
         pos_cart_get_customer_id (self->cart) != NULL &&
         self->points_balance >= MAX (self->loyalty.min_redeem, 1) &&
         points_available (self) > 0;
}

/* Whole points typed in the amount entry. */
static gboolean
read_points (PosPaymentDialog *self,
             gint64           *out)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->amount_entry))));

  return g_ascii_string_to_signed (text, 10, 1, POS_LOYALTY_MAX_SETTING * 100, out, NULL);
}

static char *
format_points (gint64 points)
{
  g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, points);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s point", "%s points", (gulong) MIN (ABS (points), G_MAXLONG)), n);
}

static void
prefill_amount (PosPaymentDialog *self)
{
  gint64 due = get_due (self);
  gint64 amount = due;
  g_autofree char *text = NULL;

  if (self->method == POS_PAYMENT_LOYALTY_POINTS)
    {
      /* all the points that fit in what is due */
      gint64 points = MIN (points_available (self), due / self->loyalty.point_value);

      text = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (points, 0));
      gtk_editable_set_text (GTK_EDITABLE (self->amount_entry), text);
      return;
    }
  if (self->method == POS_PAYMENT_STORE_CREDIT)
    amount = MIN (due, self->customer_credit);
  text = pos_money_format_plain (amount, self->currency, pos_format_locale_for (self->currency));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_entry), text);
}

/* ------------------------------------------------------------------ */
/* PIX */

static GdkTexture *
qr_texture (const char *text)
{
  QRcode *qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;
  guint8 *pixels;
  int modules, size, stride;

  if (qr == NULL)
    return NULL;

  modules = qr->width + 2 * QR_QUIET;
  size = modules * QR_MODULE_PX;
  stride = size * 3;
  pixels = g_malloc (stride * size);
  memset (pixels, 0xff, stride * size);

  for (int y = 0; y < qr->width; y++)
    for (int x = 0; x < qr->width; x++)
      if (qr->data[y * qr->width + x] & 1)
        for (int dy = 0; dy < QR_MODULE_PX; dy++)
          memset (pixels + ((y + QR_QUIET) * QR_MODULE_PX + dy) * stride + (x + QR_QUIET) * QR_MODULE_PX * 3,
                  0x00, QR_MODULE_PX * 3);

  QRcode_free (qr);
  bytes = g_bytes_new_take (pixels, stride * size);
  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8, bytes, stride);
  return texture;
}

static void
update_pix (PosPaymentDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 amount = 0;

  g_clear_pointer (&self->pix_payload, g_free);
  if (!read_amount (self, &amount))
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->qr_picture), NULL);
      gtk_label_set_text (GTK_LABEL (self->pix_text), _("Type the amount to charge by PIX."));
      gtk_widget_set_sensitive (self->pix_copy_button, FALSE);
      return;
    }

  if (self->store == NULL || self->store->pix_key == NULL || *self->store->pix_key == '\0')
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->qr_picture), NULL);
      gtk_label_set_text (GTK_LABEL (self->pix_text),
                          _("This store has no PIX key set up (setting “pix_key”). Ask the manager, or take another method."));
      gtk_widget_set_sensitive (self->pix_copy_button, FALSE);
      return;
    }

  self->pix_payload = pos_pix_build_payload (self->store->pix_key,
                                             self->store->store_name,
                                             self->store->store_city,
                                             amount, self->pix_txid, &error);
  if (self->pix_payload == NULL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->qr_picture), NULL);
      gtk_label_set_text (GTK_LABEL (self->pix_text), error->message);
      gtk_widget_set_sensitive (self->pix_copy_button, FALSE);
      return;
    }

  texture = qr_texture (self->pix_payload);
  gtk_picture_set_paintable (GTK_PICTURE (self->qr_picture), GDK_PAINTABLE (texture));
  gtk_label_set_text (GTK_LABEL (self->pix_text), self->pix_payload);
  gtk_widget_set_sensitive (self->pix_copy_button, TRUE);
}

static void
on_pix_copy (GtkButton        *button,
             PosPaymentDialog *self)
{
  if (self->pix_payload == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->pix_payload);
  gtk_button_set_label (button, _("Copied"));
}

/* ------------------------------------------------------------------ */

static void
update_live (PosPaymentDialog *self)
{
  gint64 amount = 0;
  gint64 due = get_due (self);

  switch (self->method)
    {
    case POS_PAYMENT_CASH:
      if (!read_amount (self, &amount))
        gtk_label_set_text (GTK_LABEL (self->change_label), _("Type an amount, like 50,00"));
      else if (amount >= due)
        {
          g_autofree char *change = pos_format_money (amount - due, self->currency);
          g_autofree char *text = g_strdup_printf (_("Change: %s"), change);

          gtk_label_set_text (GTK_LABEL (self->change_label), text);
        }
      else
        {
          g_autofree char *rest = pos_format_money (due - amount, self->currency);
          g_autofree char *text = g_strdup_printf (_("Still due after this: %s"), rest);

          gtk_label_set_text (GTK_LABEL (self->change_label), text);
        }
      break;
    case POS_PAYMENT_PIX:
      update_pix (self);
      break;
    case POS_PAYMENT_LOYALTY_POINTS:
      {
        gint64 points = 0;

        if (!read_points (self, &points))
          gtk_label_set_text (GTK_LABEL (self->points_live_label), _("Type a number of whole points, like 200"));
        else
          {
            g_autofree char *worth = pos_format_money (points * self->loyalty.point_value, self->currency);
            g_autofree char *left = format_points (points_available (self) - points);
            /* TRANSLATORS: "= R$ 10,00 · 140 points left" */
            g_autofree char *text = g_strdup_printf (_("= %s · %s left"), worth, left);

            gtk_label_set_text (GTK_LABEL (self->points_live_label), text);
          }
      }
      break;
    case POS_PAYMENT_CREDIT_CARD:
    case POS_PAYMENT_DEBIT_CARD:
    case POS_PAYMENT_STORE_CREDIT:
    default:
      break;
    }
}

static void
on_amount_changed (GtkEditable      *editable,
                   PosPaymentDialog *self)
{
  update_live (self);
}

static void
select_method (PosPaymentDialog *self,
               PosPaymentMethod  method)
{
  GtkWidget *button = NULL;
  const char *page = "cash";
  g_autofree char *title = NULL;

  if (method == POS_PAYMENT_STORE_CREDIT && self->customer_credit <= 0)
    {
      show_error (self, _("Store credit needs a customer with credit: attach the customer to the sale first (F7 on the sale)."));
      return;
    }
  if (method == POS_PAYMENT_LOYALTY_POINTS && !points_offered (self))
    {
      g_autoptr(GError) error = NULL;

      /* why not, in the engine's words ("Maria has 80 points (R$ 4,00); …") */
      if (pos_loyalty_check_redeem (self->db, &self->loyalty, pos_cart_get_customer_id (self->cart),
                                    pos_cart_get_customer_name (self->cart),
                                    MAX (self->loyalty.min_redeem, 1) + points_in_cart (self),
                                    self->currency, &error))
        show_error (self, _("The customer’s points are all used in this sale already."));
      else
        show_error (self, error->message);
      return;
    }

  self->method = method;
  show_error (self, NULL);

  switch (method)
    {
    case POS_PAYMENT_CASH:
      button = self->cash_button;
      page = "cash";
      break;
    case POS_PAYMENT_CREDIT_CARD:
      button = self->credit_card_button;
      page = "card";
      break;
    case POS_PAYMENT_DEBIT_CARD:
      button = self->debit_card_button;
      page = "card";
      break;
    case POS_PAYMENT_PIX:
      button = self->pix_button;
      page = "pix";
      break;
    case POS_PAYMENT_STORE_CREDIT:
      {
        g_autofree char *credit = pos_format_money (self->customer_credit, self->currency);
        g_autofree char *text = g_strdup_printf (_("The customer has %s of store credit. Up to that much can pay this sale."), credit);

        gtk_label_set_text (GTK_LABEL (self->store_credit_label), text);
        button = self->store_credit_button;
        page = "store-credit";
      }
      break;
    case POS_PAYMENT_LOYALTY_POINTS:
      {
        gint64 available = points_available (self);
        g_autofree char *points = format_points (available);
        g_autofree char *worth = pos_format_money (available * self->loyalty.point_value, self->currency);
        g_autofree char *min = format_points (self->loyalty.min_redeem);
        g_autofree char *text = NULL;

        /* TRANSLATORS: "340 points available = R$ 17,00. Type how many to use: whole points, at least 100 points in the sale." */
        text = g_strdup_printf (_("%s available = %s. Type how many to use: whole points, at least %s in the sale."),
                                points, worth, min);
        gtk_label_set_text (GTK_LABEL (self->points_label), text);
        button = self->points_button;
        page = "points";
      }
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->method_stack), page);
  gtk_label_set_text (GTK_LABEL (self->method_title), pos_payment_method_get_label (method));
  gtk_label_set_text (GTK_LABEL (self->amount_caption),
                      method == POS_PAYMENT_CASH ? _("Tendered")
                      : method == POS_PAYMENT_LOYALTY_POINTS ? _("Points") : _("Amount"));
  gtk_button_set_label (GTK_BUTTON (self->add_button),
                        method == POS_PAYMENT_PIX ? _("Payment received · Enter") : _("Add payment · Enter"));
  gtk_editable_set_text (GTK_EDITABLE (self->auth_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->last4_entry), "");
  gtk_button_set_label (GTK_BUTTON (self->pix_copy_button), _("_Copy “copia e cola”"));
  prefill_amount (self);
  update_live (self);

  if (get_due (self) > 0)
    {
      gtk_widget_grab_focus (self->amount_entry);
      gtk_editable_select_region (GTK_EDITABLE (self->amount_entry), 0, -1);
    }
  /* The cashier types over the pre-filled amount. The selection above
   * shows it, but GTK 4.8 on X11 may drop a selection when the entry loses
   * the PRIMARY clipboard, and typing would then land in front of the
   * amount ("5" + "47,58"): the first key replaces the text instead. */
  self->replace_amount = TRUE;
}

static void
on_amount_insert_text (GtkEditable      *editable,
                       const char       *text,
                       int               length,
                       int              *position,
                       PosPaymentDialog *self)
{
  if (!self->replace_amount)
    return;

  self->replace_amount = FALSE;
  g_signal_handlers_block_by_func (editable, on_amount_insert_text, self);
  gtk_editable_set_text (editable, "");
  *position = 0;
  gtk_editable_insert_text (editable, text, length, position);
  g_signal_handlers_unblock_by_func (editable, on_amount_insert_text, self);
  g_signal_stop_emission_by_name (editable, "insert-text");
}

static void
on_amount_delete_text (GtkEditable      *editable,
                       int               start_pos,
                       int               end_pos,
                       PosPaymentDialog *self)
{
  if (!self->replace_amount)
    return;

  /* Backspace on the pre-filled amount clears it, as on a selection. */
  self->replace_amount = FALSE;
  g_signal_handlers_block_by_func (editable, on_amount_delete_text, self);
  gtk_editable_delete_text (editable, 0, -1);
  g_signal_handlers_unblock_by_func (editable, on_amount_delete_text, self);
  g_signal_stop_emission_by_name (editable, "delete-text");
}

/* Arrow keys or a click: the cashier edits the amount rather than typing
 * over it. (Not notify::cursor-position: losing the selection moves the
 * cursor too, and that is just what must not cancel the replacement.) */
static gboolean
on_amount_key_pressed (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       PosPaymentDialog      *self)
{
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_Right: case GDK_KEY_Home: case GDK_KEY_End:
    case GDK_KEY_KP_Left: case GDK_KEY_KP_Right: case GDK_KEY_KP_Home: case GDK_KEY_KP_End:
      self->replace_amount = FALSE;
      break;
    default:
      break;
    }
  return FALSE;
}

static void
on_amount_clicked (GtkGestureClick  *gesture,
                   int               n_press,
                   double            x,
                   double            y,
                   PosPaymentDialog *self)
{
  self->replace_amount = FALSE;
}

static void
on_method_toggled (GtkToggleButton  *button,
                   PosPaymentDialog *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;

  if (GTK_WIDGET (button) == self->cash_button && self->method != POS_PAYMENT_CASH)
    select_method (self, POS_PAYMENT_CASH);
  else if (GTK_WIDGET (button) == self->credit_card_button && self->method != POS_PAYMENT_CREDIT_CARD)
    select_method (self, POS_PAYMENT_CREDIT_CARD);
  else if (GTK_WIDGET (button) == self->debit_card_button && self->method != POS_PAYMENT_DEBIT_CARD)
    select_method (self, POS_PAYMENT_DEBIT_CARD);
  else if (GTK_WIDGET (button) == self->pix_button && self->method != POS_PAYMENT_PIX)
    select_method (self, POS_PAYMENT_PIX);
  else if (GTK_WIDGET (button) == self->store_credit_button && self->method != POS_PAYMENT_STORE_CREDIT)
    select_method (self, POS_PAYMENT_STORE_CREDIT);
  else if (GTK_WIDGET (button) == self->points_button && self->method != POS_PAYMENT_LOYALTY_POINTS)
    select_method (self, POS_PAYMENT_LOYALTY_POINTS);
}

static gboolean
valid_last4 (const char *text)
{
  if (strlen (text) != 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static void
add_payment (PosPaymentDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *auth = NULL;
  const char *last4 = NULL;
  const char *reference = NULL;
  gint64 amount;
  gint64 due = get_due (self);

  if (due <= 0)
    return;

  if (self->method == POS_PAYMENT_LOYALTY_POINTS)
    {
      gint64 points = 0;

      if (!read_points (self, &points))
        {
          show_error (self, _("Type a number of whole points, like 200."));
          gtk_widget_grab_focus (self->amount_entry);
          return;
        }
      amount = points * self->loyalty.point_value;
      if (amount > due)
        {
          g_autofree char *worth = pos_format_money (amount, self->currency);
          g_autofree char *due_text = pos_format_money (due, self->currency);
          g_autofree char *fit = format_points (due / self->loyalty.point_value);
          g_autofree char *typed = format_points (points);
          /* TRANSLATORS: "200 points pay R$ 10,00, more than the R$ 8,00 due: use at most 160 points." */
          g_autofree char *msg = g_strdup_printf (_("%s pay %s, more than the %s due: use at most %s."),
                                                  typed, worth, due_text, fit);

          show_error (self, msg);
          return;
        }
      if (!pos_loyalty_check_redeem (self->db, &self->loyalty, pos_cart_get_customer_id (self->cart),
                                     pos_cart_get_customer_name (self->cart), points_in_cart (self) + points,
                                     self->currency, &error))
        {
          show_error (self, error->message);
          return;
        }
    }
  else if (!read_amount (self, &amount))
    {
      show_error (self, _("That amount is not valid. Type it like 50,00."));
      gtk_widget_grab_focus (self->amount_entry);
      return;
    }

  switch (self->method)
    {
    case POS_PAYMENT_CREDIT_CARD:
    case POS_PAYMENT_DEBIT_CARD:
      auth = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->auth_entry))));
      last4 = gtk_editable_get_text (GTK_EDITABLE (self->last4_entry));
      if (amount > due)
        {
          show_error (self, _("A card cannot pay more than is due. Charge the amount due, or pay the rest in cash."));
          return;
        }
      if (*auth == '\0')
        {
          show_error (self, _("Type the authorisation code printed on the card terminal’s slip."));
          gtk_widget_grab_focus (self->auth_entry);
          return;
        }
      if (!valid_last4 (last4))
        {
          show_error (self, _("Type the card’s last 4 digits, as printed on the slip (4 digits)."));
          gtk_widget_grab_focus (self->last4_entry);
          return;
        }
      reference = auth;
      break;

    case POS_PAYMENT_PIX:
      if (amount > due)
        {
          show_error (self, _("A PIX cannot pay more than is due."));
          return;
        }
      if (self->pix_payload == NULL)
        {
          show_error (self, _("There is no PIX code to pay: take another method."));
          return;
        }
      reference = self->pix_txid;
      break;

    case POS_PAYMENT_STORE_CREDIT:
      if (amount > self->customer_credit)
        {
          g_autofree char *credit = pos_format_money (self->customer_credit, self->currency);
          g_autofree char *msg = g_strdup_printf (_("The customer has only %s of store credit."), credit);

          show_error (self, msg);
          return;
        }
      break;

    case POS_PAYMENT_LOYALTY_POINTS:
      break;   /* checked above */

    case POS_PAYMENT_CASH:
    default:
      {
        gint64 note = pos_money_largest_note (self->currency);

        /* R$ 30.042,58 for R$ 42,58 is a typing slip, not a customer. */
        if (note > 0 && amount - due >= note)
          {
            g_autofree char *change = pos_format_money (amount - due, self->currency);
            g_autofree char *msg = g_strdup_printf (_("That would give %s in change: check the amount handed over."), change);

            show_error (self, msg);
            gtk_widget_grab_focus (self->amount_entry);
            return;
          }
      }
      break;
    }

  if (!pos_cart_add_payment (self->cart, self->method, amount, reference, last4, &error))
    {
      show_error (self, error->message);
      return;
    }

  if (self->method == POS_PAYMENT_STORE_CREDIT)
    self->customer_credit -= MIN (amount, due);

  show_error (self, NULL);
  refresh (self);
  if (get_due (self) > 0)
    select_method (self, POS_PAYMENT_CASH);
}

static void
on_add_clicked (GtkButton        *button,
                PosPaymentDialog *self)
{
  add_payment (self);
}

static void
on_entry_activate (GtkEntry         *entry,
                   PosPaymentDialog *self)
{
  if (pos_cart_is_fully_paid (self->cart))
    gtk_widget_activate (self->finish_button);
  else
    add_payment (self);
}

static void
on_remove_payment (GtkButton        *button,
                   PosPaymentDialog *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index"));
  const PosPayment *p;

  if (self->committing || self->committed || index >= pos_cart_get_n_payments (self->cart))
    return;

  p = pos_cart_get_payment (self->cart, index);
  if (p->method == POS_PAYMENT_STORE_CREDIT)
    self->customer_credit += p->amount;
  pos_cart_remove_payment (self->cart, index);
  refresh (self);
  select_method (self, self->method);
}

static GtkWidget *
payment_row (PosPaymentDialog *self,
             const PosPayment *p,
             guint             index)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *amount;
  GtkWidget *remove;
  g_autofree char *amount_text = pos_format_money (p->amount, self->currency);
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pos_payment_method_get_label (p->method));
  if (p->method == POS_PAYMENT_CASH && p->tendered > p->amount)
    {
      g_autofree char *tendered = pos_format_money (p->tendered, self->currency);
      g_autofree char *change = pos_format_money (p->tendered - p->amount, self->currency);

      subtitle = g_strdup_printf (_("Tendered %s · change %s"), tendered, change);
    }
  else if (p->card_last4 != NULL)
    subtitle = g_strdup_printf (_("Card •••• %s · auth %s"), p->card_last4, p->reference ? p->reference : "");
  else if (p->method == POS_PAYMENT_PIX)
    subtitle = g_strdup_printf (_("txid %s"), p->reference ? p->reference : "");
  else if (p->method == POS_PAYMENT_LOYALTY_POINTS && self->loyalty.point_value > 0)
    subtitle = format_points (p->amount / self->loyalty.point_value);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  amount = gtk_label_new (amount_text);
  gtk_widget_add_css_class (amount, "numeric");
  gtk_widget_add_css_class (amount, "heading");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), amount);

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  a11y = g_strdup_printf (_("Remove the %s payment of %s"), pos_payment_method_get_label (p->method), amount_text);
  gtk_widget_set_tooltip_text (remove, a11y);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_object_set_data (G_OBJECT (remove), "index", GUINT_TO_POINTER (index));
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_payment), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  return row;
}

static void
refresh (PosPaymentDialog *self)
{
  PosCartTotals t;
  GtkWidget *child;
  g_autofree char *due = NULL;
  g_autofree char *remaining = NULL;
  gboolean paid;

  pos_cart_get_totals (self->cart, &t);
  paid = pos_cart_is_fully_paid (self->cart);

  due = pos_format_money (t.due, self->currency);
  gtk_label_set_text (GTK_LABEL (self->due_label), due);

  while ((child = gtk_widget_get_first_child (self->payments_list)) != NULL &&
         ADW_IS_ACTION_ROW (child))
    gtk_list_box_remove (GTK_LIST_BOX (self->payments_list), child);
  for (guint i = 0; i < pos_cart_get_n_payments (self->cart); i++)
    gtk_list_box_append (GTK_LIST_BOX (self->payments_list),
                         payment_row (self, pos_cart_get_payment (self->cart, i), i));

  if (paid)
    {
      g_autofree char *change = pos_format_money (t.change, self->currency);

      remaining = t.change > 0 ? g_strdup_printf (_("Change %s"), change)
                               : g_strdup (_("Paid in full"));
    }
  else
    {
      g_autofree char *total = pos_format_money (t.total, self->currency);

      remaining = g_strdup_printf (_("Remaining %s of %s"), due, total);
    }
  gtk_label_set_text (GTK_LABEL (self->remaining_label), remaining);

  gtk_widget_set_sensitive (self->finish_button, paid && !self->committing);
  gtk_widget_set_sensitive (self->methods_box, !paid);
  gtk_widget_set_sensitive (self->amount_entry, !paid);
  gtk_widget_set_sensitive (self->add_button, !paid);
  gtk_widget_set_sensitive (self->method_stack, !paid);
  gtk_widget_set_sensitive (self->store_credit_button, self->customer_credit > 0);
  gtk_widget_set_sensitive (self->points_button, points_offered (self));

  if (paid)
    {
      gtk_window_set_default_widget (GTK_WINDOW (self), self->finish_button);
      gtk_widget_grab_focus (self->finish_button);
    }
  else
    gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
}

/* ------------------------------------------------------------------ */
/* Commit */

static void
show_done (PosPaymentDialog *self,
           const char       *id,
           const char       *number)
{
  g_autofree char *change = pos_format_money (self->change_to_give, self->currency);
  g_autofree char *number_text = g_strdup_printf (_("Sale %s"), number ? number : "");
  GtkWidget *view;

  gtk_label_set_text (GTK_LABEL (self->number_label), number_text);
  gtk_label_set_text (GTK_LABEL (self->change_done_label), change);
  gtk_label_set_text (GTK_LABEL (self->change_caption),
                      self->change_to_give > 0 ? _("Change to give") : _("No change to give"));
  adw_window_title_set_title (ADW_WINDOW_TITLE (self->window_title), _("Sale complete"));

  /* the receipt as the printer has it (a PNG made off this thread), and
   * the customer's request for it by e-mail */
  view = pos_receipt_view_new ();
  gtk_widget_set_vexpand (view, TRUE);
  /* an 80 mm roll, whole */
  gtk_widget_set_size_request (view, 520, -1);
  pos_receipt_view_show_sale (POS_RECEIPT_VIEW (view), self->db, id, FALSE);
  gtk_box_append (GTK_BOX (self->receipt_box), view);
  gtk_box_append (GTK_BOX (self->receipt_box), pos_receipt_email_button_new (self->db, id, number));

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "done");
  gtk_window_set_default_widget (GTK_WINDOW (self), self->new_sale_button);
  gtk_widget_grab_focus (self->new_sale_button);
}

static void
on_committed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PosPaymentDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  g_autofree char *id = pos_sales_commit_finish (self->db, result, &number, &error);

  self->committing = FALSE;
  gtk_spinner_stop (GTK_SPINNER (self->spinner));

  if (id == NULL)
    {
      g_autofree char *msg = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      msg = g_strdup_printf (_("The sale was NOT saved: %s\nThe items and payments are kept. Fix the problem and press Finish again."),
                             error->message);
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "pay");
      refresh (self);
      show_error (self, msg);
      return;
    }

  self->committed = TRUE;
  /* The cart belongs to the sale page, which starts the next sale now. */
  g_signal_emit (self, signals[SIGNAL_SALE_COMMITTED], 0, id, number);
  g_clear_object (&self->cart);
  show_done (self, id, number);
}

static void
on_finish_clicked (GtkButton        *button,
                   PosPaymentDialog *self)
{
  PosCartTotals t;

  if (self->committing || self->committed || !pos_cart_is_fully_paid (self->cart))
    return;

  pos_cart_get_totals (self->cart, &t);
  self->change_to_give = t.change;
  self->committing = TRUE;
  show_error (self, NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "working");
  gtk_spinner_start (GTK_SPINNER (self->spinner));
  pos_sales_commit_async (self->db, self->cart, self->cancellable, on_committed, g_object_ref (self));
}

static void
on_new_sale_clicked (GtkButton        *button,
                     PosPaymentDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
on_close_request (GtkWindow *window)
{
  PosPaymentDialog *self = POS_PAYMENT_DIALOG (window);

  /* Never walk away from a sale being written. */
  return self->committing;
}

/* ------------------------------------------------------------------ */
/* Keys */

static gboolean
shortcut_method (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  PosPaymentDialog *self = POS_PAYMENT_DIALOG (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->stack)), "pay") != 0 ||
      pos_cart_is_fully_paid (self->cart))
    return FALSE;
  select_method (self, (PosPaymentMethod) g_variant_get_int32 (args));
  return TRUE;
}

static gboolean
shortcut_escape (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  gtk_window_close (GTK_WINDOW (widget));
  return TRUE;
}

static gboolean
shortcut_remove_last (GtkWidget *widget,
                      GVariant  *args,
                      gpointer   user_data)
{
  PosPaymentDialog *self = POS_PAYMENT_DIALOG (widget);
  guint n;

  if (self->committing || self->committed || self->cart == NULL)
    return FALSE;
  n = pos_cart_get_n_payments (self->cart);
  if (n == 0)
    return FALSE;
  if (pos_cart_get_payment (self->cart, n - 1)->method == POS_PAYMENT_STORE_CREDIT)
    self->customer_credit += pos_cart_get_payment (self->cart, n - 1)->amount;
  pos_cart_remove_payment (self->cart, n - 1);
  refresh (self);
  select_method (self, self->method);
  return TRUE;
}

static void
pos_payment_dialog_dispose (GObject *object)
{
  PosPaymentDialog *self = POS_PAYMENT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), POS_TYPE_PAYMENT_DIALOG);

  G_OBJECT_CLASS (pos_payment_dialog_parent_class)->dispose (object);
}

static void
pos_payment_dialog_finalize (GObject *object)
{
  PosPaymentDialog *self = POS_PAYMENT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->cart);
  g_clear_object (&self->db);
  g_clear_pointer (&self->store, pos_store_info_free);
  g_clear_pointer (&self->currency, g_free);
  g_clear_pointer (&self->pix_txid, g_free);
  g_clear_pointer (&self->pix_payload, g_free);

  G_OBJECT_CLASS (pos_payment_dialog_parent_class)->finalize (object);
}

static void
pos_payment_dialog_class_init (PosPaymentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pos_payment_dialog_dispose;
  object_class->finalize = pos_payment_dialog_finalize;
  window_class->close_request = on_close_request;

  signals[SIGNAL_SALE_COMMITTED] =
    g_signal_new ("sale-committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/br/balcao/Balcao/pos-payment-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, methods_box);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, cash_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, credit_card_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, debit_card_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, pix_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, store_credit_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, points_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, due_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, method_title);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, amount_caption);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, amount_entry);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, method_stack);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, change_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, auth_entry);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, last4_entry);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, pix_text);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, pix_copy_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, store_credit_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, points_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, points_live_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, payments_list);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, remaining_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, finish_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, number_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, change_caption);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, change_done_label);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, new_sale_button);
  gtk_widget_class_bind_template_child (widget_class, PosPaymentDialog, receipt_box);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_F1, 0, shortcut_method, "i", POS_PAYMENT_CASH);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F2, 0, shortcut_method, "i", POS_PAYMENT_CREDIT_CARD);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F3, 0, shortcut_method, "i", POS_PAYMENT_DEBIT_CARD);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F4, 0, shortcut_method, "i", POS_PAYMENT_PIX);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F5, 0, shortcut_method, "i", POS_PAYMENT_STORE_CREDIT);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F6, 0, shortcut_method, "i", POS_PAYMENT_LOYALTY_POINTS);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, shortcut_escape, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK, shortcut_remove_last, NULL);
}

static void
pos_payment_dialog_init (PosPaymentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  g_signal_connect (self->cash_button, "toggled", G_CALLBACK (on_method_toggled), self);
  g_signal_connect (self->credit_card_button, "toggled", G_CALLBACK (on_method_toggled), self);
  g_signal_connect (self->debit_card_button, "toggled", G_CALLBACK (on_method_toggled), self);
  g_signal_connect (self->pix_button, "toggled", G_CALLBACK (on_method_toggled), self);
  g_signal_connect (self->store_credit_button, "toggled", G_CALLBACK (on_method_toggled), self);
  g_signal_connect (self->points_button, "toggled", G_CALLBACK (on_method_toggled), self);
  g_signal_connect (self->amount_entry, "changed", G_CALLBACK (on_amount_changed), self);
  {
    GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (self->amount_entry));
    GtkEventController *keys = gtk_event_controller_key_new ();
    GtkGesture *click = gtk_gesture_click_new ();

    g_signal_connect (text, "insert-text", G_CALLBACK (on_amount_insert_text), self);
    g_signal_connect (text, "delete-text", G_CALLBACK (on_amount_delete_text), self);
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (on_amount_key_pressed), self);
    gtk_widget_add_controller (self->amount_entry, keys);
    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
    g_signal_connect (click, "pressed", G_CALLBACK (on_amount_clicked), self);
    gtk_widget_add_controller (self->amount_entry, GTK_EVENT_CONTROLLER (click));
  }
  g_signal_connect (self->amount_entry, "activate", G_CALLBACK (on_entry_activate), self);
  g_signal_connect (self->auth_entry, "activate", G_CALLBACK (on_entry_activate), self);
  g_signal_connect (self->last4_entry, "activate", G_CALLBACK (on_entry_activate), self);
  g_signal_connect (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  g_signal_connect (self->finish_button, "clicked", G_CALLBACK (on_finish_clicked), self);
  g_signal_connect (self->new_sale_button, "clicked", G_CALLBACK (on_new_sale_clicked), self);
  g_signal_connect (self->pix_copy_button, "clicked", G_CALLBACK (on_pix_copy), self);
}

static char *
make_txid (void)
{
  g_autofree char *uuid = pos_uuid7_new ();
  GString *s = g_string_new (NULL);

  /* BR Code txid: up to 25 letters and digits */
  for (const char *p = uuid; *p != '\0' && s->len < 25; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (s, g_ascii_toupper (*p));

  return g_string_free (s, FALSE);
}

PosPaymentDialog *
pos_payment_dialog_new (GtkWindow   *parent,
                        PosDatabase *db,
                        PosCart     *cart,
                        gint64       customer_credit)
{
  PosPaymentDialog *self;

  g_return_val_if_fail (POS_IS_DATABASE (db), NULL);
  g_return_val_if_fail (POS_IS_CART (cart), NULL);

  self = g_object_new (POS_TYPE_PAYMENT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->db = g_object_ref (db);
  self->cart = g_object_ref (cart);
  self->customer_credit = MAX (customer_credit, 0);
  self->currency = g_strdup (pos_cart_get_currency (cart));
  self->store = pos_database_get_store_info (db, NULL);
  self->pix_txid = make_txid ();
  /* the balance shown (docs/loyalty.md): one indexed query */
  pos_loyalty_get_rule (db, &self->loyalty);
  self->points_balance = pos_customers_points_balance (db, pos_cart_get_customer_id (cart));
  gtk_widget_set_visible (self->points_button, pos_loyalty_rule_is_on (&self->loyalty));

  /* Fit a small screen. */
  if (parent != NULL)
    {
      int w = gtk_widget_get_width (GTK_WIDGET (parent));
      int h = gtk_widget_get_height (GTK_WIDGET (parent));

      if (w > 0 && h > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), MIN (980, w - 24), MIN (660, h - 24));
    }

  refresh (self);
  self->method = POS_PAYMENT_CREDIT_CARD; /* so that select_method (CASH) runs */
  select_method (self, POS_PAYMENT_CASH);

  return self;
}

