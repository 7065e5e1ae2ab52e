/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "terminal/pos-customers.h"

G_BEGIN_DECLS

/* Creating or editing a customer at the counter, offline too: name, CPF
 * (checked as it is typed, formatted when the field is left), phone,
 * e-mail, birth date, loyalty card, preferences, notes, and marketing
 * consent per channel (Yes / No / Not asked: nothing is allowed unless the
 * customer says yes; an answer is recorded with the source "counter" and
 * the date). Before saving, customers with the same CPF, phone or e-mail
 * are shown with "Use This Customer"; "Save Anyway" is offered unless the
 * CPF is the same (a CPF belongs to one person). The engine's refusals
 * are shown in the window. Ctrl+Return saves, Escape cancels. */
#define POS_TYPE_CUSTOMER_EDITOR (pos_customer_editor_get_type ())
G_DECLARE_FINAL_TYPE (PosCustomerEditor, pos_customer_editor, POS, CUSTOMER_EDITOR, AdwWindow)

/* profile NULL: a new customer, its fields filled from `prefill` (what was
 * searched: a CPF, a phone, an e-mail or a name). Otherwise the profile
 * as shown (contact data masked unless it was revealed: a masked field is
 * left empty and replaced only when the clerk types a new value). */
void  pos_customer_editor_run_async  (GtkWindow                *parent,
                                      PosDatabase              *db,
                                      const PosCustomerProfile *profile,
                                      const char               *prefill,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data);
/* The id of the customer saved, or of the existing one the clerk chose
 * instead (a duplicate); NULL without error when cancelled. */
char *pos_customer_editor_run_finish (GAsyncResult             *result,
                                      GError                  **error);

G_END_DECLS
