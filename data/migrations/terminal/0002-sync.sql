-- SPDX-License-Identifier: GPL-3.0-or-later
-- Balcão terminal database, schema 2: what the sync engine needs
-- (docs/sync-protocol.md). Forward-only: never edit once released.

-- The outbox: why an operation was refused, the central's state for a
-- conflict, and when a manager retried or dismissed it. A dead letter is
-- status 'rejected' or 'conflict' with resolved_at NULL; a rejected
-- operation holds back the later operations on the same entity_id.
ALTER TABLE outbox ADD COLUMN error_code TEXT;
ALTER TABLE outbox ADD COLUMN server_state TEXT;
ALTER TABLE outbox ADD COLUMN resolved_at INTEGER;
CREATE INDEX outbox_entity ON outbox (entity_id, status);

-- Acknowledging a sale's movements finds them by their document.
CREATE INDEX stock_movements_document ON stock_movements (document_id);

-- The change log's version of every entity the central sends, so that a
-- replayed or older change is ignored. (products, stores, staff and
-- customers have theirs from schema 1; a pickup order's own 'version' is
-- the state machine's, kept apart from the change's.)
ALTER TABLE tax_classes ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminals ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer_events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pickup_orders ADD COLUMN sync_version INTEGER NOT NULL DEFAULT 0;
-- Barcode rules have a local integer id; the central's id is kept here.
ALTER TABLE barcode_rules ADD COLUMN central_id TEXT;
ALTER TABLE barcode_rules ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX barcode_rules_central ON barcode_rules (central_id);

-- Changes that name something not here yet (a stock level before its
-- product, a timeline event before its customer): kept and applied as
-- soon as what they depend on arrives.
CREATE TABLE sync_deferred (
  entity     TEXT NOT NULL,
  id         TEXT NOT NULL,
  stream     TEXT NOT NULL,
  op         TEXT NOT NULL,
  version    INTEGER NOT NULL,
  data       TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  PRIMARY KEY (entity, id)
) WITHOUT ROWID;
CREATE INDEX sync_deferred_depends ON sync_deferred (depends_on);

-- The engine's last known state, for `balcao-ctl sync status` and for a
-- restart (a revoked terminal stays stopped until it is enrolled again).
CREATE TABLE sync_state (
  key   TEXT PRIMARY KEY,
  value TEXT
) WITHOUT ROWID;
