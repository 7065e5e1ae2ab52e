-- SPDX-License-Identifier: GPL-3.0-or-later
-- Balcão terminal database, schema 4: print jobs waiting for a printer.
-- Forward-only: never edit once released.

-- A document on its way to a printer (src/devices/pos-print-queue.c). Kept
-- until it printed, so that a receipt waiting for paper or for the printer
-- to come back survives a restart of the app. The bytes are the rendered
-- document (ESC/POS or PDF), ready to send.
--   state: queued (not at the printer yet), sent (the printer has it as
--          cups_job_id), completed, failed (message says why; retry or
--          print elsewhere), cancelled
CREATE TABLE print_jobs (
  id          TEXT PRIMARY KEY,
  printer     TEXT NOT NULL,
  title       TEXT NOT NULL,
  format      TEXT NOT NULL,
  data        BLOB NOT NULL,
  sale_id     TEXT,         -- the sale printed (no foreign key: a job never blocks a sale)
  state       TEXT NOT NULL DEFAULT 'queued'
              CHECK (state IN ('queued', 'sent', 'completed', 'failed', 'cancelled')),
  cups_job_id INTEGER,
  message     TEXT,
  error_code  INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX print_jobs_state ON print_jobs (state, created_at);
CREATE INDEX print_jobs_sale ON print_jobs (sale_id);
