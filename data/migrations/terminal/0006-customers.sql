-- SPDX-License-Identifier: GPL-3.0-or-later
-- Schema 6: the customer at the counter (issue 4).

-- Normalised contact data for exact lookups as people type them:
-- phone_digits is the national number (pos_phone_normalize), email_norm the
-- lower-cased address. Kept by every writer of customers; filled here for
-- the rows schema 5 had through the balcao_phone_digits() and
-- balcao_email_norm() functions every connection registers.
ALTER TABLE customers ADD COLUMN phone_digits TEXT;
ALTER TABLE customers ADD COLUMN email_norm TEXT;
UPDATE customers SET phone_digits = balcao_phone_digits (phone), email_norm = balcao_email_norm (email);
CREATE INDEX customers_phone_digits ON customers (phone_digits) WHERE phone_digits IS NOT NULL;
CREATE INDEX customers_email_norm ON customers (email_norm) WHERE email_norm IS NOT NULL;

-- Timeline entries made at this terminal (a sale to a customer) before the
-- central's own entry for the same document arrives; that one replaces it.
ALTER TABLE customer_events ADD COLUMN local INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customer_events_document ON customer_events (document_id) WHERE document_id IS NOT NULL;
CREATE INDEX customer_events_channel ON customer_events (customer_id, channel, occurred_at DESC);
-- The kind filter, and the lifetime total read from the index alone.
CREATE INDEX customer_events_kind ON customer_events (customer_id, kind, occurred_at DESC, amount);
-- Pages of a timeline in one order, newest first, without sorting ties.
DROP INDEX customer_events_timeline;
CREATE INDEX customer_events_page ON customer_events (customer_id, occurred_at DESC, id DESC);
-- A profile lists how the customer is known in each channel.
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

-- Loyalty: the points a sale earned (or a return took back) and spent at
-- this terminal. The balance shown is the central's (customers.
-- loyalty_points) plus what is still pending here; a row goes when the
-- central has acknowledged the sale's operation (its points are then in
-- the central's balance).
ALTER TABLE sales ADD COLUMN loyalty_earned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN loyalty_redeemed INTEGER NOT NULL DEFAULT 0;
CREATE TABLE loyalty_pending (
  sale_id     TEXT PRIMARY KEY REFERENCES sales (id),
  customer_id TEXT NOT NULL,
  delta       INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX loyalty_pending_customer ON loyalty_pending (customer_id);

-- Points can pay: sale_payments accepts the method 'loyalty_points' (the
-- amount is money: points × loyalty_point_value). SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt.
CREATE TABLE sale_payments_new (
  sale_id    TEXT NOT NULL REFERENCES sales (id),
  seq        INTEGER NOT NULL,
  method     TEXT NOT NULL CHECK (method IN ('cash', 'credit_card', 'debit_card', 'pix', 'store_credit', 'loyalty_points')),
  amount     INTEGER NOT NULL,
  tendered   INTEGER NOT NULL,
  change     INTEGER NOT NULL DEFAULT 0,
  reference  TEXT,
  card_last4 TEXT,
  card_brand TEXT,
  PRIMARY KEY (sale_id, seq)
) WITHOUT ROWID;
INSERT INTO sale_payments_new SELECT sale_id, seq, method, amount, tendered, change, reference, card_last4, card_brand FROM sale_payments;
DROP TABLE sale_payments;
ALTER TABLE sale_payments_new RENAME TO sale_payments;

-- The customers' search index gains the normalised phone (typed without
-- formatting, or its first digits) and the loyalty card, and loses the
-- e-mail: its local parts made millions of one-customer words that every
-- name prefix had to walk (an e-mail is found exactly by email_norm).
-- FTS5 tables cannot change their columns: the index is made again.
DROP TRIGGER customers_ai;
DROP TRIGGER customers_ad;
DROP TRIGGER customers_au;
DROP TABLE customer_search;
CREATE VIRTUAL TABLE customer_search USING fts5 (
  name, phone, cpf, phone_digits, loyalty_card,
  content = 'customers', content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
INSERT INTO customer_search (customer_search) VALUES ('rebuild');
CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
  INSERT INTO customer_search (rowid, name, phone, cpf, phone_digits, loyalty_card)
  VALUES (new.rowid, new.name, new.phone, new.cpf, new.phone_digits, new.loyalty_card);
END;
CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
  INSERT INTO customer_search (customer_search, rowid, name, phone, cpf, phone_digits, loyalty_card)
  VALUES ('delete', old.rowid, old.name, old.phone, old.cpf, old.phone_digits, old.loyalty_card);
END;
CREATE TRIGGER customers_au AFTER UPDATE OF name, phone, cpf, phone_digits, loyalty_card ON customers BEGIN
  INSERT INTO customer_search (customer_search, rowid, name, phone, cpf, phone_digits, loyalty_card)
  VALUES ('delete', old.rowid, old.name, old.phone, old.cpf, old.phone_digits, old.loyalty_card);
  INSERT INTO customer_search (rowid, name, phone, cpf, phone_digits, loyalty_card)
  VALUES (new.rowid, new.name, new.phone, new.cpf, new.phone_digits, new.loyalty_card);
END;
