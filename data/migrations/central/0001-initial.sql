-- SPDX-License-Identifier: GPL-3.0-or-later
-- balcao-central database, schema 1 (PostgreSQL 15).
-- Money: bigint minor units with a currency. Quantities: bigint thousandths
-- of the unit. Times: bigint Unix milliseconds (UTC). Migrations are
-- numbered and forward-only: never edit a released file.

CREATE TABLE stores (
  id          text PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  legal_name  text,
  cnpj        text,
  address     text,
  city        text,
  state       text,
  postal_code text,
  phone       text,
  currency    text NOT NULL DEFAULT 'BRL',
  timezone    text NOT NULL DEFAULT 'America/Sao_Paulo',
  version     bigint NOT NULL DEFAULT 1,
  created_at  bigint NOT NULL
);

CREATE TABLE terminals (
  id          text PRIMARY KEY,
  store_id    text NOT NULL REFERENCES stores (id),
  code        text NOT NULL,
  name        text NOT NULL,
  token_hash  text UNIQUE,
  revoked_at  bigint,
  last_seq    bigint NOT NULL DEFAULT 0,
  last_seen_at bigint,
  version     bigint NOT NULL DEFAULT 1,
  created_at  bigint NOT NULL,
  UNIQUE (store_id, code)
);

CREATE TABLE enrolment_tokens (
  token_hash  text PRIMARY KEY,
  store_id    text NOT NULL REFERENCES stores (id),
  name        text,
  expires_at  bigint NOT NULL,
  used_at     bigint,
  terminal_id text REFERENCES terminals (id),
  created_at  bigint NOT NULL
);

CREATE TABLE channel_keys (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  revoked_at  bigint,
  created_at  bigint NOT NULL
);

CREATE TABLE staff (
  id          text PRIMARY KEY,
  store_id    text REFERENCES stores (id),
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
  badge_code  text UNIQUE,
  active      boolean NOT NULL DEFAULT true,
  version     bigint NOT NULL DEFAULT 1
);

CREATE TABLE tax_classes (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  rate_bp        integer NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 100000),
  approx_rate_bp integer NOT NULL DEFAULT 0 CHECK (approx_rate_bp >= 0),
  version        bigint NOT NULL DEFAULT 1
);

CREATE TABLE barcode_rules (
  id       text PRIMARY KEY,
  pattern  text NOT NULL UNIQUE,
  kind     text NOT NULL CHECK (kind IN ('weight', 'price')),
  priority integer NOT NULL DEFAULT 0,
  version  bigint NOT NULL DEFAULT 1
);

CREATE TABLE products (
  sku          text PRIMARY KEY,
  name         text NOT NULL,
  brand        text,
  unit         text NOT NULL DEFAULT 'un' CHECK (unit IN ('un', 'kg', 'l', 'm')),
  weighed      boolean NOT NULL DEFAULT false,
  tax_class_id text NOT NULL REFERENCES tax_classes (id),
  active       boolean NOT NULL DEFAULT true,
  version      bigint NOT NULL DEFAULT 1,
  updated_at   bigint NOT NULL
);

CREATE TABLE product_barcodes (
  code text PRIMARY KEY,
  sku  text NOT NULL REFERENCES products (sku) ON DELETE CASCADE
);
CREATE INDEX product_barcodes_sku ON product_barcodes (sku);

CREATE TABLE prices (
  sku        text NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
  price_list text NOT NULL DEFAULT 'retail',
  valid_from bigint NOT NULL DEFAULT 0,
  valid_to   bigint,
  amount     bigint NOT NULL CHECK (amount >= 0),
  currency   text NOT NULL,
  PRIMARY KEY (sku, price_list, valid_from)
);

-- The central's level per store, with every acknowledged movement.
CREATE TABLE stock_levels (
  store_id   text NOT NULL REFERENCES stores (id),
  sku        text NOT NULL,
  quantity   bigint NOT NULL DEFAULT 0,
  reserved   bigint NOT NULL DEFAULT 0,
  version    bigint NOT NULL DEFAULT 1,
  updated_at bigint NOT NULL,
  PRIMARY KEY (store_id, sku)
);

CREATE TABLE stock_movements (
  id          text PRIMARY KEY,
  store_id    text NOT NULL REFERENCES stores (id),
  sku         text NOT NULL,
  delta       bigint NOT NULL,
  reason      text NOT NULL,
  document_id text,
  terminal_id text,
  created_at  bigint NOT NULL
);

-- Sales and returns as the terminals sent them (append-only).
CREATE TABLE sales (
  id          text PRIMARY KEY,
  kind        text NOT NULL,
  store_id    text NOT NULL REFERENCES stores (id),
  terminal_id text NOT NULL,
  customer_id text,
  total       bigint,
  currency    text,
  created_at  bigint,
  received_at bigint NOT NULL,
  data        text NOT NULL
);
CREATE INDEX sales_customer ON sales (customer_id);

-- Shifts, cash movements, audit entries (append-only).
CREATE TABLE terminal_documents (
  id          text NOT NULL,
  type        text NOT NULL,
  store_id    text NOT NULL REFERENCES stores (id),
  terminal_id text NOT NULL,
  received_at bigint NOT NULL,
  data        text NOT NULL,
  PRIMARY KEY (type, id)
);

CREATE TABLE customers (
  id                    text PRIMARY KEY,
  name                  text NOT NULL DEFAULT '',
  cpf                   text,
  email                 text,
  phone                 text,
  birth_date            text,
  loyalty_card          text,
  loyalty_tier          text,
  loyalty_points        bigint NOT NULL DEFAULT 0,
  store_credit          bigint NOT NULL DEFAULT 0,
  currency              text NOT NULL DEFAULT 'BRL',
  notes                 text,
  preferences           text,
  processing_restricted boolean NOT NULL DEFAULT false,
  field_times           text NOT NULL DEFAULT '{}',  -- JSON: field -> edit time
  merged_into           text REFERENCES customers (id),
  erased_at             bigint,
  version               bigint NOT NULL DEFAULT 1,
  created_at            bigint NOT NULL,
  updated_at            bigint NOT NULL
);

CREATE TABLE customer_consents (
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  channel     text NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'phone', 'push', 'mail')),
  granted     boolean NOT NULL,
  source      text NOT NULL,
  recorded_at bigint NOT NULL,
  PRIMARY KEY (customer_id, channel)
);

CREATE TABLE customer_identities (
  channel     text NOT NULL,
  external_id text NOT NULL,
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  PRIMARY KEY (channel, external_id)
);

-- The cross-channel timeline (no foreign key: a sale may name a customer
-- the central learns of later).
CREATE TABLE customer_events (
  id          text PRIMARY KEY,
  customer_id text NOT NULL,
  channel     text NOT NULL,
  kind        text NOT NULL,
  occurred_at bigint NOT NULL,
  store_id    text,
  amount      bigint,
  currency    text,
  summary     text,
  document_id text,
  data        text
);
CREATE INDEX customer_events_timeline ON customer_events (customer_id, occurred_at DESC, id DESC);

CREATE SEQUENCE order_numbers;

CREATE TABLE orders (
  id               text PRIMARY KEY,
  number           text NOT NULL UNIQUE,
  channel          text NOT NULL CHECK (channel IN ('web', 'app', 'marketplace', 'call_centre', 'chat')),
  external_ref     text NOT NULL,
  fulfilment       text NOT NULL CHECK (fulfilment IN ('pickup', 'delivery')),
  store_id         text REFERENCES stores (id),
  customer_id      text,
  state            text NOT NULL,
  version          bigint NOT NULL DEFAULT 1,
  paid             boolean NOT NULL DEFAULT false,
  total            bigint NOT NULL,
  currency         text NOT NULL,
  pickup_code_hash text,
  shelf_location   text,
  notes            text,
  placed_at        bigint NOT NULL,
  ready_at         bigint,
  updated_at       bigint NOT NULL,
  UNIQUE (channel, external_ref)
);

CREATE TABLE order_lines (
  order_id           text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no            integer NOT NULL,
  sku                text NOT NULL,
  name               text NOT NULL,
  quantity           bigint NOT NULL,
  picked_quantity    bigint NOT NULL DEFAULT 0,
  collected_quantity bigint NOT NULL DEFAULT 0,
  unit_price         bigint NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- Every operation a terminal pushed and the central applied, for ever.
CREATE TABLE applied_ops (
  op_id       text PRIMARY KEY,
  terminal_id text NOT NULL,
  seq         bigint NOT NULL,
  type        text NOT NULL,
  status      text NOT NULL,
  result      text,
  applied_at  bigint NOT NULL
);

-- The change log: one row per live entity (or tombstone), moved to a new
-- seq at every change. store_id NULL = every store.
CREATE SEQUENCE change_seq;

CREATE TABLE changes (
  seq         bigint NOT NULL UNIQUE,
  stream      text NOT NULL,
  entity      text NOT NULL,
  entity_id   text NOT NULL,
  entity_rank smallint NOT NULL DEFAULT 0,
  store_id    text,
  op          text NOT NULL CHECK (op IN ('upsert', 'delete', 'merge')),
  version     bigint NOT NULL,
  data        text NOT NULL,
  changed_at  bigint NOT NULL,
  UNIQUE NULLS NOT DISTINCT (entity, entity_id, store_id)
);
CREATE INDEX changes_snapshot ON changes (stream, entity_rank, entity_id);
CREATE INDEX changes_tombstones ON changes (changed_at) WHERE op <> 'upsert';

-- Cursors at or below the horizon were made before a prune: 410.
CREATE TABLE sync_horizon (
  id      integer PRIMARY KEY CHECK (id = 1),
  horizon bigint NOT NULL
);
INSERT INTO sync_horizon (id, horizon) VALUES (1, 0);
