-- SPDX-License-Identifier: GPL-3.0-or-later
-- Balcão terminal database, schema 5: click and collect at the counter
-- (docs/sync-protocol.md §7, §7.1). Forward-only: never edit once released.

-- What the central sends besides §4's fields, so that the counter serves
-- an order offline and explains a refusal in words. last_transition is the
-- JSON {from, to, at, terminal_id?, terminal_name?, staff_name?}.
ALTER TABLE pickup_orders ADD COLUMN customer_name TEXT;
ALTER TABLE pickup_orders ADD COLUMN customer_phone TEXT;
ALTER TABLE pickup_orders ADD COLUMN payment_method TEXT;
ALTER TABLE pickup_orders ADD COLUMN paid_by_sale_id TEXT;
ALTER TABLE pickup_orders ADD COLUMN exception_note TEXT;
ALTER TABLE pickup_orders ADD COLUMN last_transition TEXT;
-- Local: handed over offline and not yet accepted by the central; the
-- central refused a handover (in words, for the manager's incident list)
-- and when; when a manager dealt with it. Whether a local move is still
-- waiting for the central is the outbox's (an unsent operation on the
-- order), not a column.
ALTER TABLE pickup_orders ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pickup_orders ADD COLUMN incident TEXT;
ALTER TABLE pickup_orders ADD COLUMN incident_at INTEGER;
ALTER TABLE pickup_orders ADD COLUMN incident_dismissed_at INTEGER;

-- Per line: an exception reported while picking, what was refused at the
-- handover and refunded, and the clerk's ticks while picking (kept apart
-- from the central's picked_quantity, so that a pull does not undo them;
-- NULL when nothing was ticked here).
ALTER TABLE pickup_order_lines ADD COLUMN missing_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pickup_order_lines ADD COLUMN substitute_sku TEXT;
ALTER TABLE pickup_order_lines ADD COLUMN substitute_name TEXT;
ALTER TABLE pickup_order_lines ADD COLUMN refunded_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pickup_order_lines ADD COLUMN local_picked INTEGER;

-- The queue: groups come from the state, ready_at and the store's policy;
-- counting and the first page read these covering indexes, not the rows.
CREATE INDEX pickup_orders_queue ON pickup_orders (state, ready_at, placed_at);
CREATE INDEX pickup_orders_history ON pickup_orders (state, updated_at);
CREATE INDEX pickup_orders_incident ON pickup_orders (incident_at) WHERE incident IS NOT NULL;
CREATE INDEX pickup_orders_customer ON pickup_orders (customer_id);

-- Each handover made at this terminal (for the pickup receipt): who, how
-- the customer was identified, what was handed over and refused (JSON
-- [{line_no, quantity, refused_quantity}]), the sale that paid it at the
-- counter, and whether it was provisional (offline).
CREATE TABLE pickup_handovers (
  id            TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL,
  sale_id       TEXT,
  staff_id      TEXT,
  staff_name    TEXT,
  identity      TEXT NOT NULL CHECK (identity IN ('code', 'document')),
  document      TEXT,
  lines         TEXT NOT NULL,
  refuse_reason TEXT,
  approver_id   TEXT,
  provisional   INTEGER NOT NULL DEFAULT 0,
  from_state    TEXT NOT NULL,
  to_state      TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX pickup_handovers_order ON pickup_handovers (order_id, created_at);

-- A sale that paid an online order at the counter (§7.1).
ALTER TABLE sales ADD COLUMN pickup_order_id TEXT;
CREATE INDEX sales_pickup_order ON sales (pickup_order_id) WHERE pickup_order_id IS NOT NULL;
