-- SPDX-License-Identifier: GPL-3.0-or-later
-- balcao-central database, schema 4: click and collect (issue 5,
-- docs/sync-protocol.md §7.1). Who the order is for as the channel gave
-- it, how it was paid, the exception a store raised while picking, the
-- last move of the state machine (so that a refused handover can name who
-- made it), and the refunds and returns of online orders, append-only.
-- Forward-only: never edit once released.

ALTER TABLE orders
  ADD COLUMN customer_name      text,
  ADD COLUMN customer_phone     text,
  ADD COLUMN payment_method     text,      -- card, pix, voucher...; NULL: to be paid in store
  ADD COLUMN paid_by_sale_id    text,      -- the terminal sale that paid it at the counter
  ADD COLUMN exception_note     text,
  -- The last transition: from, to, when, and who (a terminal, named as it
  -- was then, and the person at it); NULL terminal for the channel API.
  ADD COLUMN last_from          text,
  ADD COLUMN last_to            text,
  ADD COLUMN last_at            bigint,
  ADD COLUMN last_terminal_id   text,
  ADD COLUMN last_terminal_name text,
  ADD COLUMN last_staff_name    text,
  ADD COLUMN last_provisional   boolean NOT NULL DEFAULT false;

CREATE INDEX orders_store_state ON orders (store_id, state);

ALTER TABLE order_lines
  ADD COLUMN missing_quantity    bigint NOT NULL DEFAULT 0 CHECK (missing_quantity >= 0),
  ADD COLUMN substitute_sku      text,
  ADD COLUMN substitute_name     text,
  ADD COLUMN substitute_quantity bigint CHECK (substitute_quantity IS NULL OR substitute_quantity > 0),
  ADD COLUMN refunded_quantity   bigint NOT NULL DEFAULT 0 CHECK (refunded_quantity >= 0),
  ADD COLUMN returned_quantity   bigint NOT NULL DEFAULT 0 CHECK (returned_quantity >= 0);

-- Items refused at the handover and refunded to the original payment.
CREATE TABLE order_refunds (
  id          text PRIMARY KEY,
  order_id    text NOT NULL REFERENCES orders (id),
  store_id    text NOT NULL REFERENCES stores (id),
  terminal_id text NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  currency    text NOT NULL,
  reason      text NOT NULL,
  staff_id    text NOT NULL,
  approver_id text NOT NULL,
  created_at  bigint NOT NULL,
  received_at bigint NOT NULL,
  data        text NOT NULL
);
CREATE INDEX order_refunds_order ON order_refunds (order_id);

-- Items of online orders brought back to a counter.
CREATE TABLE order_returns (
  id          text PRIMARY KEY,
  order_id    text NOT NULL REFERENCES orders (id),
  store_id    text NOT NULL REFERENCES stores (id),
  terminal_id text NOT NULL,
  amount      bigint NOT NULL CHECK (amount >= 0),
  currency    text NOT NULL,
  reason      text NOT NULL,
  staff_id    text NOT NULL,
  created_at  bigint NOT NULL,
  received_at bigint NOT NULL,
  data        text NOT NULL
);
CREATE INDEX order_returns_order ON order_returns (order_id);
