-- SPDX-License-Identifier: GPL-3.0-or-later
-- balcao-central database, schema 2: staff PINs (issue 8).
-- A PIN is kept only as its Argon2id hash in libsodium's string form
-- ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"): the staff entity carries it
-- to every terminal of the store, which verifies PINs offline. Who changed
-- a person last (a terminal pushing staff.upsert, or the command line) and
-- when are kept for the record. Forward-only: never edit once released.

ALTER TABLE staff
  ADD COLUMN pin_hash    text CHECK (pin_hash IS NULL OR pin_hash LIKE '$argon2id$%'),
  ADD COLUMN created_at  bigint NOT NULL DEFAULT 0,
  ADD COLUMN updated_at  bigint NOT NULL DEFAULT 0,
  ADD COLUMN updated_by  text;  -- a terminal id, or NULL for the command line

CREATE INDEX staff_store ON staff (store_id, code);
