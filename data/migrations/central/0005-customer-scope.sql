-- SPDX-License-Identifier: GPL-3.0-or-later
-- balcao-central database, schema 5: customers at a store (issue 4,
-- docs/sync-protocol.md §6.1). A terminal pulls the customers relevant to
-- its store, not the whole country: those who bought or returned there,
-- who have a pickup order there, whom a terminal of the store created,
-- edited or looked up. Relevance is kept for ever. Customer and timeline
-- changes are published once per relevant store (changes.store_id), no
-- longer to every store. Lookups by CPF, e-mail, phone, loyalty card and
-- name use normalized columns; names are folded (lower case, no accents)
-- by the central's C code, which fills search_name for the rows this
-- migration leaves NULL right after migrating (PostgreSQL folds accents
-- only with the unaccent extension, which the central does not require).
-- Forward-only: never edit once released.

CREATE TABLE customer_stores (
  customer_id text NOT NULL,   -- no foreign key: a sale may name a customer the central learns of later
  store_id    text NOT NULL REFERENCES stores (id),
  reason      text NOT NULL CHECK (reason IN ('sale', 'return', 'pickup', 'edit', 'lookup', 'merge')),
  since       bigint NOT NULL,
  PRIMARY KEY (customer_id, store_id)
);
CREATE INDEX customer_stores_store ON customer_stores (store_id);

-- Timeline entries get a version: an entry moved to a survivor by a merge
-- is published again with a greater one.
ALTER TABLE customer_events ADD COLUMN version bigint NOT NULL DEFAULT 1;
UPDATE customer_events e SET version = c.version
  FROM changes c WHERE c.entity = 'customer_event' AND c.entity_id = e.id AND c.version > 1;

-- Normalized keys for lookups (filled by the central: pos-contact.h,
-- pos-cpf.h). search_name IS NULL means "not folded yet".
ALTER TABLE customers
  ADD COLUMN search_name  text,
  ADD COLUMN phone_digits text,
  ADD COLUMN email_norm   text,
  ADD COLUMN cpf_digits   text;

CREATE INDEX customers_search_name ON customers (search_name text_pattern_ops)
  WHERE merged_into IS NULL AND erased_at IS NULL;
CREATE INDEX customers_phone_digits ON customers (phone_digits);
CREATE INDEX customers_email_norm ON customers (email_norm);
CREATE INDEX customers_cpf_digits ON customers (cpf_digits);
CREATE INDEX customers_loyalty_card ON customers (loyalty_card);
CREATE INDEX customers_unfolded ON customers (id) WHERE search_name IS NULL;

-- Relevance from what the central already holds: sales and returns of a
-- store, pickup orders for a store, online orders returned at a store.
-- (Edits pushed before this schema cannot be traced to a store: the
-- central did not keep which customer an operation was about.)
INSERT INTO customer_stores (customer_id, store_id, reason, since)
SELECT customer_id, store_id,
       CASE WHEN bool_or (kind = 'sale') THEN 'sale' ELSE 'return' END,
       min (COALESCE (created_at, received_at))
  FROM sales WHERE customer_id IS NOT NULL
 GROUP BY customer_id, store_id
ON CONFLICT DO NOTHING;

INSERT INTO customer_stores (customer_id, store_id, reason, since)
SELECT customer_id, store_id, 'pickup', min (placed_at)
  FROM orders WHERE fulfilment = 'pickup' AND customer_id IS NOT NULL AND store_id IS NOT NULL
 GROUP BY customer_id, store_id
ON CONFLICT DO NOTHING;

INSERT INTO customer_stores (customer_id, store_id, reason, since)
SELECT o.customer_id, r.store_id, 'return', min (r.created_at)
  FROM order_returns r JOIN orders o ON o.id = r.order_id
 WHERE o.customer_id IS NOT NULL
 GROUP BY o.customer_id, r.store_id
ON CONFLICT DO NOTHING;

-- A survivor is relevant wherever the customers merged into it were
-- (following chains of merges).
WITH RECURSIVE chain (id, survivor) AS (
  SELECT id, merged_into FROM customers WHERE merged_into IS NOT NULL
  UNION
  SELECT chain.id, c.merged_into FROM chain JOIN customers c ON c.id = chain.survivor
   WHERE c.merged_into IS NOT NULL
)
INSERT INTO customer_stores (customer_id, store_id, reason, since)
SELECT chain.survivor, cs.store_id, 'merge', min (cs.since)
  FROM chain JOIN customer_stores cs ON cs.customer_id = chain.id
 GROUP BY chain.survivor, cs.store_id
ON CONFLICT DO NOTHING;

-- Terminals that synced before this schema hold every customer of the
-- country. Moving the horizon past every position handed out so far makes
-- each of them rebuild from the snapshots once (410 cursor_expired), which
-- now hold only their store's customers: the others leave the counter.
-- Nothing to do on a database without customer changes.
UPDATE sync_horizon SET horizon = GREATEST (horizon, nextval ('change_seq'))
 WHERE id = 1 AND EXISTS (SELECT 1 FROM changes WHERE stream = 'customers' AND store_id IS NULL);

-- Each customer change (state, merge or erasure tombstone) once per
-- relevant store; timeline entries likewise, by their customer.
INSERT INTO changes (seq, stream, entity, entity_id, entity_rank, store_id, op, version, data, changed_at)
SELECT nextval ('change_seq'), x.stream, x.entity, x.entity_id, x.entity_rank, x.store_id, x.op, x.version,
       x.data, x.changed_at
  FROM (SELECT c.seq, c.stream, c.entity, c.entity_id, c.entity_rank, cs.store_id, c.op, c.version, c.data,
               c.changed_at
          FROM changes c JOIN customer_stores cs ON cs.customer_id = c.entity_id
         WHERE c.entity = 'customer' AND c.store_id IS NULL
        UNION ALL
        SELECT c.seq, c.stream, c.entity, c.entity_id, c.entity_rank, cs.store_id, c.op, c.version, c.data,
               c.changed_at
          FROM changes c JOIN customer_events e ON e.id = c.entity_id
          JOIN customer_stores cs ON cs.customer_id = e.customer_id
         WHERE c.entity = 'customer_event' AND c.store_id IS NULL
         ORDER BY entity_rank, seq, store_id) AS x
ON CONFLICT (entity, entity_id, store_id) DO NOTHING;

-- What is relevant to no store is seen by no terminal until looked up.
DELETE FROM changes WHERE stream = 'customers' AND store_id IS NULL;
