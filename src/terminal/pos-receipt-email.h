/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pos-database.h"

G_BEGIN_DECLS

/* "Send the receipt by e-mail": the counter only asks; the central sends
 * (docs/printing.md, docs/sync-protocol.md §5). A request is the outbox
 * operation 'receipt.email' {id, sale_id, to, requested_at, staff_id},
 * written in one durable transaction with its audit row
 * ('receipt.email_requested', entity "sale"). */

#define POS_RECEIPT_EMAIL_ERROR (pos_receipt_email_error_quark ())
GQuark pos_receipt_email_error_quark (void);

typedef enum {
  POS_RECEIPT_EMAIL_ERROR_INVALID_ADDRESS,  /* not an e-mail address */
  POS_RECEIPT_EMAIL_ERROR_NO_ADDRESS,       /* none given and the customer has none on file */
} PosReceiptEmailError;

/* A sane e-mail address: one '@', a local part of 1 to 64 printable ASCII
 * characters without spaces, a domain that is a valid host name with a dot
 * (g_hostname_to_ascii: IDN accepted), 254 characters at most, and no
 * "***" (a masked address is not one to send to). */
gboolean pos_receipt_email_address_is_valid (const char *address);

/* "m***@example.com": enough for the customer to recognise, not to copy. */
char    *pos_receipt_email_mask             (const char *address);

/* The e-mail address on file of the sale's customer, masked (for the
 * dialog's prefill), or NULL (no error) when the sale has no customer or
 * the customer has no address (or was erased). sale: id, number or code. */
char    *pos_receipt_email_customer_address (PosDatabase  *db,
                                             const char   *sale,
                                             GError      **error);

/* Queues the request for the central. sale: id, number or receipt code.
 * to: the address, or NULL (or the masked address that
 * pos_receipt_email_customer_address returned) for the customer's address
 * on file. Returns the request's id (a UUIDv7); out_to (optional) gets the
 * address as the cashier may see it (masked when it came from the file). */
char    *pos_receipt_email_request          (PosDatabase  *db,
                                             const char   *sale,
                                             const char   *to,
                                             char        **out_to,
                                             GError      **error);

G_END_DECLS
