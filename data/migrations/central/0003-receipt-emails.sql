-- SPDX-License-Identifier: GPL-3.0-or-later
-- balcao-central database, schema 3: receipts by e-mail (issue 7).
-- A cashier asks at the counter for a sale's receipt by e-mail; the
-- terminal pushes 'receipt.email' {id, sale_id, to, requested_at,
-- staff_id} and the central queues it here for its mailer (status
-- 'queued' until sent). id is the request's id (idempotent); the sale
-- must be one the central holds. Forward-only: never edit once released.

CREATE TABLE receipt_emails (
  id           text PRIMARY KEY,
  sale_id      text NOT NULL REFERENCES sales (id),
  store_id     text NOT NULL REFERENCES stores (id),
  terminal_id  text NOT NULL,
  staff_id     text,
  to_address   text NOT NULL CHECK (length (to_address) BETWEEN 3 AND 254),
  requested_at bigint NOT NULL,
  received_at  bigint NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  sent_at      bigint,
  last_error   text
);
CREATE INDEX receipt_emails_queue ON receipt_emails (status, requested_at);
CREATE INDEX receipt_emails_sale ON receipt_emails (sale_id);
