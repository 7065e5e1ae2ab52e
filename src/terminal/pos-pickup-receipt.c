/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "balcao-pickups"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pos-pickup-receipt.h"

/* Labels: Portuguese for a store selling in BRL (the receipt is the
 * store's document, whatever the language of the screen), translated
 * otherwise; the same rule as pos-receipt.c. */
typedef enum {
  L_PICKING_LIST, L_PICKUP_RECEIPT, L_ORDER, L_CUSTOMER, L_SHELF, L_NOTES, L_PLACED, L_PRINTED,
  L_DATE, L_HANDED_OVER, L_REFUSED, L_REASON, L_HANDED_OVER_BY, L_IDENTITY, L_CODE, L_DOCUMENT,
  L_PROVISIONAL, L_PROVISIONAL_NOTE, L_SIGNATURE, L_PAID_ONLINE, L_PAID_HERE, L_PARTIAL, L_MISSING,
  L_INSTEAD, L_NO_SHELF, L_ORDERS, L_STILL_TO_COLLECT,
  N_LABELS
} Label;

static const struct {
  const char *en;
  const char *pt;
} labels[N_LABELS] = {
  [L_PICKING_LIST]     = { N_("PICKING LIST"), "LISTA DE SEPARAÇÃO" },
  [L_PICKUP_RECEIPT]   = { N_("PICKUP RECEIPT"), "COMPROVANTE DE RETIRADA" },
  [L_ORDER]            = { N_("Order"), "Pedido" },
  [L_CUSTOMER]         = { N_("Customer"), "Cliente" },
  [L_SHELF]            = { N_("Shelf"), "Prateleira" },
  [L_NOTES]            = { N_("Notes"), "Observações" },
  [L_PLACED]           = { N_("Placed"), "Feito em" },
  [L_PRINTED]          = { N_("Printed"), "Impresso em" },
  [L_DATE]             = { N_("Date"), "Data" },
  [L_HANDED_OVER]      = { N_("Handed over"), "Entregue" },
  [L_REFUSED]          = { N_("Refused (refunded)"), "Recusado (reembolsado)" },
  [L_REASON]           = { N_("Reason"), "Motivo" },
  [L_HANDED_OVER_BY]   = { N_("Handed over by"), "Entregue por" },
  [L_IDENTITY]         = { N_("Identified by"), "Identificação" },
  [L_CODE]             = { N_("pickup code"), "código de retirada" },
  [L_DOCUMENT]         = { N_("document"), "documento" },
  [L_PROVISIONAL]      = { N_("PROVISIONAL"), "PROVISÓRIO" },
  [L_PROVISIONAL_NOTE] = { N_("Handed over offline: valid once the central confirms it."),
                           "Entregue sem conexão: vale quando a central confirmar." },
  [L_SIGNATURE]        = { N_("Customer signature"), "Assinatura do cliente" },
  [L_PAID_ONLINE]      = { N_("Paid online"), "Pago online" },
  [L_PAID_HERE]        = { N_("Paid at the counter"), "Pago no caixa" },
  [L_PARTIAL]          = { N_("Partly collected"), "Retirada parcial" },
  [L_MISSING]          = { N_("missing"), "em falta" },
  [L_INSTEAD]          = { N_("instead"), "no lugar" },
  [L_NO_SHELF]         = { N_("(write the shelf)"), "(anote a prateleira)" },
  [L_ORDERS]           = { N_("Orders"), "Pedidos" },
  [L_STILL_TO_COLLECT] = { N_("Still to collect"), "Ainda a retirar" },
};

typedef struct {
  PosReceiptDoc *doc;
  gboolean       br;
} Builder;

static const char *
label (const Builder *b,
       Label          l)
{
  return b->br ? labels[l].pt : _(labels[l].en);
}

/* Milli-units as people read them: "2", "0,512" (pt) / "0.512". */
static char *
quantity (const Builder *b,
          gint64         milli)
{
  if (milli % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, milli / 1000);
  return g_strdup_printf ("%" G_GINT64_FORMAT "%s%03" G_GINT64_FORMAT,
                          milli / 1000, b->br ? "," : ".", ABS (milli % 1000));
}


static void
add_label_value (Builder    *b,
                 Label       l,
                 const char *value)
{
  g_autofree char *text = NULL;

  if (value == NULL || *value == '\0')
    return;
  text = g_strdup_printf ("%s: %s", label (b, l), value);
  pos_receipt_doc_add_text (b->doc, text, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, TRUE);
}

static void
add_store (Builder            *b,
           const PosStoreInfo *store)
{
  if (store == NULL)
    return;
  pos_receipt_doc_add_text (b->doc, store->store_name, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_BOLD, TRUE);
  if (store->store_address != NULL)
    pos_receipt_doc_add_text (b->doc, store->store_address, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_NORMAL, TRUE);
  if (store->store_city != NULL)
    pos_receipt_doc_add_text (b->doc, store->store_city, POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_NORMAL, TRUE);
}

static const PosPickupLine *
find_line (const PosPickupOrder *order,
           guint                 line_no)
{
  for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
    {
      const PosPickupLine *l = g_ptr_array_index (order->lines, i);

      if (l->line_no == line_no)
        return l;
    }
  return NULL;
}

/* "2 x CAFE500" on the left, then the name, wrapped. */
static void
add_item (Builder    *b,
          const char *box,
          gint64      qty,
          const char *sku,
          const char *name)
{
  g_autofree char *q = quantity (b, qty);
  g_autofree char *head = g_strdup_printf ("%s%s x %s", box != NULL ? box : "", q, sku);
  g_autofree char *indented = g_strdup_printf ("    %s", name);

  pos_receipt_doc_add_text (b->doc, head, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_BOLD, FALSE);
  pos_receipt_doc_add_text (b->doc, indented, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, TRUE);
}

PosReceiptDoc *
pos_pickup_receipt_new_picking_list (GPtrArray          *orders,
                                     const PosStoreInfo *store,
                                     gint64              printed_at)
{
  Builder b = { pos_receipt_doc_new (), FALSE };
  g_autofree char *printed = NULL;
  const char *currency = store != NULL ? store->currency : NULL;

  g_return_val_if_fail (orders != NULL, NULL);

  if (currency == NULL && orders->len > 0)
    currency = ((PosPickupOrder *) g_ptr_array_index (orders, 0))->currency;
  b.br = g_strcmp0 (currency, "BRL") == 0;
  b.doc->title = g_strdup (label (&b, L_PICKING_LIST));

  pos_receipt_doc_add_text (b.doc, label (&b, L_PICKING_LIST), POS_RECEIPT_ALIGN_CENTER,
                            POS_RECEIPT_STYLE_DOUBLE | POS_RECEIPT_STYLE_BOLD, TRUE);
  add_store (&b, store);
  printed = pos_receipt_format_time (printed_at);
  add_label_value (&b, L_PRINTED, printed);
  if (orders->len > 1)
    {
      g_autofree char *n = g_strdup_printf ("%u", orders->len);

      add_label_value (&b, L_ORDERS, n);
    }

  for (guint i = 0; i < orders->len; i++)
    {
      const PosPickupOrder *o = g_ptr_array_index (orders, i);
      g_autofree char *title = g_strdup_printf ("%s %s", label (&b, L_ORDER), o->number);
      g_autofree char *placed = pos_receipt_format_time (o->placed_at);

      pos_receipt_doc_add_rule (b.doc);
      pos_receipt_doc_add_text (b.doc, title, POS_RECEIPT_ALIGN_LEFT,
                                POS_RECEIPT_STYLE_DOUBLE | POS_RECEIPT_STYLE_BOLD, TRUE);
      add_label_value (&b, L_CUSTOMER, o->customer_name);
      add_label_value (&b, L_PLACED, placed);
      add_label_value (&b, L_SHELF, o->shelf_location != NULL ? o->shelf_location : label (&b, L_NO_SHELF));
      add_label_value (&b, L_NOTES, o->notes);
      pos_receipt_doc_add_rule (b.doc);
      for (guint j = 0; o->lines != NULL && j < o->lines->len; j++)
        {
          const PosPickupLine *l = g_ptr_array_index (o->lines, j);
          gint64 left = l->quantity - l->collected_quantity - l->refunded_quantity;

          if (left <= 0)
            continue;
          add_item (&b, "[ ] ", left, l->sku, l->name);
          if (l->missing_quantity > 0)
            {
              g_autofree char *q = quantity (&b, l->missing_quantity);
              g_autofree char *text = g_strdup_printf ("    %s %s", q, label (&b, L_MISSING));

              pos_receipt_doc_add_text (b.doc, text, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, TRUE);
            }
          if (l->substitute_sku != NULL)
            {
              g_autofree char *text = g_strdup_printf ("    %s %s (%s)", l->substitute_sku,
                                                       l->substitute_name != NULL ? l->substitute_name : "",
                                                       label (&b, L_INSTEAD));

              pos_receipt_doc_add_text (b.doc, text, POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, TRUE);
            }
        }
    }
  pos_receipt_doc_add_rule (b.doc);
  return b.doc;
}

PosReceiptDoc *
pos_pickup_receipt_new_for_handover (const PosPickupOrder          *order,
                                     const PosPickupHandoverRecord *handover,
                                     const PosStoreInfo            *store)
{
  Builder b = { pos_receipt_doc_new (), FALSE };
  g_autofree char *when = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *number = NULL;
  gboolean any_refused = FALSE;
  gboolean any_left = FALSE;

  g_return_val_if_fail (order != NULL, NULL);
  g_return_val_if_fail (handover != NULL, NULL);

  b.br = g_strcmp0 (order->currency, "BRL") == 0;
  b.doc->title = g_strdup (label (&b, L_PICKUP_RECEIPT));
  pos_receipt_doc_add_text (b.doc, label (&b, L_PICKUP_RECEIPT), POS_RECEIPT_ALIGN_CENTER,
                            POS_RECEIPT_STYLE_DOUBLE | POS_RECEIPT_STYLE_BOLD, TRUE);
  add_store (&b, store);
  if (handover->provisional)
    {
      pos_receipt_doc_add_text (b.doc, label (&b, L_PROVISIONAL), POS_RECEIPT_ALIGN_CENTER,
                                POS_RECEIPT_STYLE_DOUBLE | POS_RECEIPT_STYLE_BOLD, TRUE);
      pos_receipt_doc_add_text (b.doc, label (&b, L_PROVISIONAL_NOTE), POS_RECEIPT_ALIGN_CENTER,
                                POS_RECEIPT_STYLE_NORMAL, TRUE);
    }
  pos_receipt_doc_add_rule (b.doc);
  number = g_strdup (order->number);
  add_label_value (&b, L_ORDER, number);
  add_label_value (&b, L_CUSTOMER, order->customer_name);
  when = pos_receipt_format_time (handover->created_at);
  add_label_value (&b, L_DATE, when);
  pos_receipt_doc_add_text (b.doc, label (&b, handover->sale_id != NULL ? L_PAID_HERE : L_PAID_ONLINE),
                            POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, TRUE);

  pos_receipt_doc_add_rule (b.doc);
  pos_receipt_doc_add_text (b.doc, label (&b, L_HANDED_OVER), POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_BOLD, TRUE);
  for (guint i = 0; i < handover->lines->len; i++)
    {
      const PosPickupCollect *c = &g_array_index (handover->lines, PosPickupCollect, i);
      const PosPickupLine *l = find_line (order, c->line_no);

      if (c->quantity > 0 && l != NULL)
        add_item (&b, NULL, c->quantity, l->sku, l->name);
      any_refused = any_refused || c->refused_quantity > 0;
    }
  if (any_refused)
    {
      pos_receipt_doc_add_text (b.doc, label (&b, L_REFUSED), POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_BOLD, TRUE);
      for (guint i = 0; i < handover->lines->len; i++)
        {
          const PosPickupCollect *c = &g_array_index (handover->lines, PosPickupCollect, i);
          const PosPickupLine *l = find_line (order, c->line_no);

          if (c->refused_quantity > 0 && l != NULL)
            add_item (&b, NULL, c->refused_quantity, l->sku, l->name);
        }
      add_label_value (&b, L_REASON, handover->refuse_reason);
    }
  if (handover->to == POS_PICKUP_PARTIALLY_PICKED_UP)
    {
      pos_receipt_doc_add_text (b.doc, label (&b, L_STILL_TO_COLLECT), POS_RECEIPT_ALIGN_LEFT,
                                POS_RECEIPT_STYLE_BOLD, TRUE);
      for (guint i = 0; order->lines != NULL && i < order->lines->len; i++)
        {
          const PosPickupLine *l = g_ptr_array_index (order->lines, i);
          gint64 left = l->quantity - l->collected_quantity - l->refunded_quantity;

          if (left > 0)
            {
              add_item (&b, NULL, left, l->sku, l->name);
              any_left = TRUE;
            }
        }
      if (!any_left)
        pos_receipt_doc_add_text (b.doc, label (&b, L_PARTIAL), POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, TRUE);
    }

  pos_receipt_doc_add_rule (b.doc);
  add_label_value (&b, L_HANDED_OVER_BY, handover->staff_name);
  if (handover->identity == POS_PICKUP_IDENTITY_DOCUMENT)
    identity = g_strdup_printf ("%s %s", label (&b, L_DOCUMENT), handover->document != NULL ? handover->document : "");
  else
    identity = g_strdup (label (&b, L_CODE));
  add_label_value (&b, L_IDENTITY, identity);
  pos_receipt_doc_add_text (b.doc, "", POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, FALSE);
  pos_receipt_doc_add_text (b.doc, "", POS_RECEIPT_ALIGN_LEFT, POS_RECEIPT_STYLE_NORMAL, FALSE);
  pos_receipt_doc_add_text (b.doc, "______________________________", POS_RECEIPT_ALIGN_CENTER,
                            POS_RECEIPT_STYLE_NORMAL, FALSE);
  pos_receipt_doc_add_text (b.doc, label (&b, L_SIGNATURE), POS_RECEIPT_ALIGN_CENTER, POS_RECEIPT_STYLE_NORMAL, TRUE);
  return b.doc;
}
