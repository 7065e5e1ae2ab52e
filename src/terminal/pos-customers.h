/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* Customers as the counter needs them: a quick search to attach a customer
 * to the sale. Contact data comes back masked (LGPD): the counter shows
 * "***.456.789-**" and "(11) *****-4321", enough to tell people apart. */
typedef struct {
  char   *id;
  char   *name;
  char   *cpf_masked;      /* NULL when the customer has no CPF */
  char   *phone_masked;    /* NULL when there is no phone */
  gint64  store_credit;    /* minor units */
  gint64  loyalty_points;
} PosCustomerSummary;

void                pos_customer_summary_free (PosCustomerSummary *summary);
PosCustomerSummary *pos_customer_summary_copy (const PosCustomerSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosCustomerSummary, pos_customer_summary_free)

/* Every word of text must match a prefix of the name, e-mail, phone or
 * CPF (accents and case ignored): "maria sil" finds "Maria da Silva",
 * "4321" the phone ending in 4321. A whole valid CPF ("123.456.789-09" or
 * its 11 digits) finds its customer exactly. Erased and merged customers
 * are never returned. Returns PosCustomerSummary* (at most limit, 0 = 50),
 * best matches first; an empty array when nothing matches or text holds no
 * word. */
GPtrArray *pos_customers_search (PosDatabase  *db,
                                 const char   *text,
                                 guint         limit,
                                 GError      **error);

/* One customer by id (masked as above); NULL with
 * POS_DATABASE_ERROR_NOT_FOUND when there is none (or it was erased). */
PosCustomerSummary *pos_customers_get (PosDatabase  *db,
                                       const char   *id,
                                       GError      **error);

/* Masks for display: keeps the middle 6 digits of a CPF and the last 4 of
 * a phone. NULL in, NULL out. Exposed for tests. */
char *pos_customers_mask_cpf   (const char *cpf);
char *pos_customers_mask_phone (const char *phone);

G_END_DECLS
