-- SPDX-License-Identifier: GPL-3.0-or-later
-- Balcão terminal database, schema 1.
-- Money: INTEGER minor units with a currency column. Quantities: INTEGER
-- thousandths of the unit (grams for goods sold by the kg).
-- Times: INTEGER Unix milliseconds (UTC). Ids from the central or made here:
-- TEXT UUIDv7. Migrations are forward-only: never edit a released file.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE stores (
  id          TEXT PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  legal_name  TEXT,
  cnpj        TEXT,
  address     TEXT,
  city        TEXT,
  state       TEXT,
  postal_code TEXT,
  phone       TEXT,
  currency    TEXT NOT NULL DEFAULT 'BRL',
  timezone    TEXT NOT NULL DEFAULT 'America/Sao_Paulo',
  version     INTEGER NOT NULL DEFAULT 0,
  updated_at  INTEGER
);

CREATE TABLE terminals (
  id         TEXT PRIMARY KEY,
  store_id   TEXT NOT NULL REFERENCES stores (id),
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  UNIQUE (store_id, code)
);

-- Per-terminal document counters: sale numbers are store-terminal-sequence.
CREATE TABLE document_sequences (
  terminal_id TEXT NOT NULL REFERENCES terminals (id),
  kind        TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'shift', 'outbox')),
  next_value  INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (terminal_id, kind)
) WITHOUT ROWID;

CREATE TABLE staff (
  id              TEXT PRIMARY KEY,
  store_id        TEXT REFERENCES stores (id),
  code            TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
  pin_hash        TEXT,
  badge_code      TEXT UNIQUE,
  active          INTEGER NOT NULL DEFAULT 1,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until    INTEGER,
  version         INTEGER NOT NULL DEFAULT 0,
  updated_at      INTEGER
);

CREATE TABLE tax_classes (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  rate_bp        INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 100000),
  approx_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (approx_rate_bp >= 0)
);

CREATE TABLE products (
  id           INTEGER PRIMARY KEY,
  sku          TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  brand        TEXT,
  unit         TEXT NOT NULL DEFAULT 'un' CHECK (unit IN ('un', 'kg', 'l', 'm')),
  weighed      INTEGER NOT NULL DEFAULT 0 CHECK (weighed IN (0, 1)),
  tax_class_id TEXT NOT NULL REFERENCES tax_classes (id),
  active       INTEGER NOT NULL DEFAULT 1,
  version      INTEGER NOT NULL DEFAULT 0,
  updated_at   INTEGER
);

CREATE TABLE product_barcodes (
  code       TEXT PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX product_barcodes_product ON product_barcodes (product_id);

CREATE TABLE prices (
  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  price_list TEXT NOT NULL DEFAULT 'retail',
  valid_from INTEGER NOT NULL DEFAULT 0,
  valid_to   INTEGER,
  amount     INTEGER NOT NULL CHECK (amount >= 0),
  currency   TEXT NOT NULL,
  PRIMARY KEY (product_id, price_list, valid_from)
) WITHOUT ROWID;

-- Accent- and case-insensitive prefix search over name, brand and SKU.
CREATE VIRTUAL TABLE product_search USING fts5 (
  name, brand, sku,
  content = 'products', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3 4 5 6'
);
CREATE TRIGGER products_ai AFTER INSERT ON products BEGIN
  INSERT INTO product_search (rowid, name, brand, sku) VALUES (new.id, new.name, new.brand, new.sku);
END;
CREATE TRIGGER products_ad AFTER DELETE ON products BEGIN
  INSERT INTO product_search (product_search, rowid, name, brand, sku) VALUES ('delete', old.id, old.name, old.brand, old.sku);
END;
CREATE TRIGGER products_au AFTER UPDATE OF name, brand, sku ON products BEGIN
  INSERT INTO product_search (product_search, rowid, name, brand, sku) VALUES ('delete', old.id, old.name, old.brand, old.sku);
  INSERT INTO product_search (rowid, name, brand, sku) VALUES (new.id, new.name, new.brand, new.sku);
END;

-- Shown stock = synced level + movements the central has not acknowledged.
CREATE TABLE stock_levels (
  product_id INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  synced_qty INTEGER NOT NULL DEFAULT 0,
  local_delta INTEGER NOT NULL DEFAULT 0,
  synced_at  INTEGER
);

CREATE TABLE stock_movements (
  id          TEXT PRIMARY KEY,
  product_id  INTEGER NOT NULL REFERENCES products (id),
  store_id    TEXT NOT NULL REFERENCES stores (id),
  delta       INTEGER NOT NULL,
  reason      TEXT NOT NULL CHECK (reason IN ('sale', 'return', 'adjustment', 'receipt', 'pickup', 'transfer', 'count', 'damage')),
  document_id TEXT,
  created_at  INTEGER NOT NULL,
  acknowledged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stock_movements_product ON stock_movements (product_id, created_at);

-- Store-internal weight and price barcodes (prefix 2x), Odoo-nomenclature style.
CREATE TABLE barcode_rules (
  id       INTEGER PRIMARY KEY,
  pattern  TEXT NOT NULL UNIQUE,
  kind     TEXT NOT NULL CHECK (kind IN ('weight', 'price')),
  priority INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE customers (
  id                    TEXT PRIMARY KEY,
  name                  TEXT NOT NULL,
  cpf                   TEXT UNIQUE,
  email                 TEXT,
  phone                 TEXT,
  birth_date            TEXT,
  loyalty_card          TEXT UNIQUE,
  loyalty_tier          TEXT,
  loyalty_points        INTEGER NOT NULL DEFAULT 0,
  store_credit          INTEGER NOT NULL DEFAULT 0,
  notes                 TEXT,
  preferences           TEXT,
  processing_restricted INTEGER NOT NULL DEFAULT 0,
  merged_into           TEXT,
  erased_at             INTEGER,
  version               INTEGER NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_email ON customers (email);

CREATE VIRTUAL TABLE customer_search USING fts5 (
  name, email, phone, cpf,
  content = 'customers', content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3'
);
CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
  INSERT INTO customer_search (rowid, name, email, phone, cpf) VALUES (new.rowid, new.name, new.email, new.phone, new.cpf);
END;
CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
  INSERT INTO customer_search (customer_search, rowid, name, email, phone, cpf) VALUES ('delete', old.rowid, old.name, old.email, old.phone, old.cpf);
END;
CREATE TRIGGER customers_au AFTER UPDATE OF name, email, phone, cpf ON customers BEGIN
  INSERT INTO customer_search (customer_search, rowid, name, email, phone, cpf) VALUES ('delete', old.rowid, old.name, old.email, old.phone, old.cpf);
  INSERT INTO customer_search (rowid, name, email, phone, cpf) VALUES (new.rowid, new.name, new.email, new.phone, new.cpf);
END;

CREATE TABLE customer_consents (
  customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'phone', 'push', 'mail')),
  granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
  source      TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, channel)
) WITHOUT ROWID;

-- How the customer is known in each channel (web account, marketplace buyer id, ...).
CREATE TABLE customer_identities (
  channel     TEXT NOT NULL,
  external_id TEXT NOT NULL,
  customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  PRIMARY KEY (channel, external_id)
) WITHOUT ROWID;

-- The cross-channel timeline.
CREATE TABLE customer_events (
  id          TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  channel     TEXT NOT NULL CHECK (channel IN ('store', 'web', 'app', 'marketplace', 'call_centre', 'chat', 'email', 'whatsapp')),
  kind        TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  store_id    TEXT,
  amount      INTEGER,
  currency    TEXT,
  summary     TEXT,
  document_id TEXT,
  data        TEXT
);
CREATE INDEX customer_events_timeline ON customer_events (customer_id, occurred_at DESC);

CREATE TABLE shifts (
  id             TEXT PRIMARY KEY,
  terminal_id    TEXT NOT NULL REFERENCES terminals (id),
  staff_id       TEXT NOT NULL REFERENCES staff (id),
  number         INTEGER NOT NULL,
  opened_at      INTEGER NOT NULL,
  opening_float  INTEGER NOT NULL DEFAULT 0,
  closed_at      INTEGER,
  closed_by      TEXT REFERENCES staff (id),
  counted_cash   INTEGER,
  expected_cash  INTEGER,
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed'))
);

CREATE TABLE cash_movements (
  id         TEXT PRIMARY KEY,
  shift_id   TEXT NOT NULL REFERENCES shifts (id),
  kind       TEXT NOT NULL CHECK (kind IN ('float', 'in', 'out', 'count')),
  amount     INTEGER NOT NULL,
  reason     TEXT,
  staff_id   TEXT REFERENCES staff (id),
  created_at INTEGER NOT NULL
);

-- Sales and returns (kind = 'return', original_sale_id set). Append-only.
CREATE TABLE sales (
  id               TEXT PRIMARY KEY,
  number           TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
  original_sale_id TEXT REFERENCES sales (id),
  store_id         TEXT NOT NULL REFERENCES stores (id),
  terminal_id      TEXT NOT NULL REFERENCES terminals (id),
  shift_id         TEXT REFERENCES shifts (id),
  staff_id         TEXT REFERENCES staff (id),
  customer_id      TEXT,
  currency         TEXT NOT NULL,
  tax_mode         TEXT NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive')),
  subtotal         INTEGER NOT NULL,
  line_discounts   INTEGER NOT NULL DEFAULT 0,
  sale_discount    INTEGER NOT NULL DEFAULT 0,
  total            INTEGER NOT NULL,
  tax_total        INTEGER NOT NULL DEFAULT 0,
  approx_tax       INTEGER NOT NULL DEFAULT 0,
  paid             INTEGER NOT NULL DEFAULT 0,
  change_given     INTEGER NOT NULL DEFAULT 0,
  note             TEXT,
  reason           TEXT,
  created_at       INTEGER NOT NULL,
  business_date    TEXT NOT NULL
);
CREATE INDEX sales_created ON sales (created_at);
CREATE INDEX sales_original ON sales (original_sale_id);
CREATE INDEX sales_customer ON sales (customer_id, created_at);

CREATE TABLE sale_lines (
  sale_id          TEXT NOT NULL REFERENCES sales (id),
  line_no          INTEGER NOT NULL,
  product_id       INTEGER REFERENCES products (id),
  sku              TEXT NOT NULL,
  name             TEXT NOT NULL,
  barcode          TEXT,
  weighed          INTEGER NOT NULL DEFAULT 0,
  quantity         INTEGER NOT NULL,
  unit_price       INTEGER NOT NULL,
  gross            INTEGER NOT NULL,
  line_discount    INTEGER NOT NULL DEFAULT 0,
  sale_discount    INTEGER NOT NULL DEFAULT 0,
  total            INTEGER NOT NULL,
  tax_rate_bp      INTEGER NOT NULL DEFAULT 0,
  tax              INTEGER NOT NULL DEFAULT 0,
  approx_tax       INTEGER NOT NULL DEFAULT 0,
  note             TEXT,
  original_line_no INTEGER,
  PRIMARY KEY (sale_id, line_no)
) WITHOUT ROWID;

CREATE TABLE sale_payments (
  sale_id    TEXT NOT NULL REFERENCES sales (id),
  seq        INTEGER NOT NULL,
  method     TEXT NOT NULL CHECK (method IN ('cash', 'credit_card', 'debit_card', 'pix', 'store_credit')),
  amount     INTEGER NOT NULL,
  tendered   INTEGER NOT NULL,
  change     INTEGER NOT NULL DEFAULT 0,
  reference  TEXT,
  card_last4 TEXT,
  card_brand TEXT,
  PRIMARY KEY (sale_id, seq)
) WITHOUT ROWID;

CREATE TABLE parked_sales (
  id          TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL REFERENCES terminals (id),
  staff_id    TEXT REFERENCES staff (id),
  label       TEXT,
  customer_id TEXT,
  n_lines     INTEGER NOT NULL,
  total       INTEGER NOT NULL,
  currency    TEXT NOT NULL,
  cart        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE pickup_orders (
  id               TEXT PRIMARY KEY,
  number           TEXT NOT NULL UNIQUE,
  store_id         TEXT NOT NULL,
  customer_id      TEXT,
  channel          TEXT NOT NULL CHECK (channel IN ('web', 'app', 'marketplace', 'call_centre', 'chat')),
  state            TEXT NOT NULL CHECK (state IN ('PLACED', 'ALLOCATED', 'PICKING', 'READY_FOR_PICKUP', 'PICKED_UP', 'ON_HOLD', 'PARTIALLY_PICKED_UP', 'NO_SHOW', 'EXPIRED', 'CANCELLED')),
  version          INTEGER NOT NULL,
  paid             INTEGER NOT NULL DEFAULT 0,
  total            INTEGER NOT NULL,
  currency         TEXT NOT NULL,
  pickup_code_hash TEXT,
  shelf_location   TEXT,
  notes            TEXT,
  placed_at        INTEGER NOT NULL,
  ready_at         INTEGER,
  updated_at       INTEGER NOT NULL,
  data             TEXT
);
CREATE INDEX pickup_orders_state ON pickup_orders (state, placed_at);

CREATE TABLE pickup_order_lines (
  order_id           TEXT NOT NULL REFERENCES pickup_orders (id) ON DELETE CASCADE,
  line_no            INTEGER NOT NULL,
  product_id         INTEGER REFERENCES products (id),
  sku                TEXT NOT NULL,
  name               TEXT NOT NULL,
  quantity           INTEGER NOT NULL,
  picked_quantity    INTEGER NOT NULL DEFAULT 0,
  collected_quantity INTEGER NOT NULL DEFAULT 0,
  unit_price         INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

-- Append-only audit log.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT NOT NULL UNIQUE,
  occurred_at INTEGER NOT NULL,
  terminal_id TEXT,
  staff_id    TEXT,
  approver_id TEXT,
  action      TEXT NOT NULL,
  entity      TEXT,
  entity_id   TEXT,
  reason      TEXT,
  data        TEXT
);
CREATE INDEX audit_log_time ON audit_log (occurred_at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales BEGIN
  SELECT RAISE (ABORT, 'sales are append-only; record a return instead');
END;

-- Operations waiting to be pushed to the central, in order.
CREATE TABLE outbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id       TEXT NOT NULL UNIQUE,
  type        TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  payload     TEXT NOT NULL,
  local_ts    INTEGER NOT NULL,
  status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'duplicate', 'rejected', 'conflict')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  acked_at    INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, seq);

CREATE TABLE sync_cursors (
  stream     TEXT PRIMARY KEY,
  cursor     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
