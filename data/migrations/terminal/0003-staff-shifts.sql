-- SPDX-License-Identifier: GPL-3.0-or-later
-- Balcão terminal database, schema 3: staff sign-in, permissions per role,
-- approvals, shifts with counts. Forward-only: never edit once released.

-- What each role may do, as the manager set it at this terminal. A
-- permission with no row takes the built-in default (pos-staff.c).
CREATE TABLE role_permissions (
  role       TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
  permission TEXT NOT NULL,
  allowed    INTEGER NOT NULL CHECK (allowed IN (0, 1)),
  changed_at INTEGER NOT NULL,
  changed_by TEXT REFERENCES staff (id),
  PRIMARY KEY (role, permission)
) WITHOUT ROWID;

-- An approval a person with the permission gave (PIN or badge) for one
-- action of someone who lacks it. Used at most once, within minutes; the
-- audit row 'approval.grant' with the same id is its record.
CREATE TABLE approvals (
  id          TEXT PRIMARY KEY,
  permission  TEXT NOT NULL,
  approver_id TEXT NOT NULL REFERENCES staff (id),
  staff_id    TEXT REFERENCES staff (id),
  reason      TEXT NOT NULL,
  granted_at  INTEGER NOT NULL,
  used_at     INTEGER,
  used_for    TEXT
);

-- Shifts: the count by denomination when one was made (JSON
-- [{"value": minor units, "count": n}, ...]), the X/Z report frozen at
-- close (JSON, the document the central receives), who approved a
-- difference above the limit.
ALTER TABLE shifts ADD COLUMN opening_count TEXT;
ALTER TABLE shifts ADD COLUMN closing_count TEXT;
ALTER TABLE shifts ADD COLUMN z_report TEXT;
ALTER TABLE shifts ADD COLUMN approval_id TEXT REFERENCES approvals (id);
ALTER TABLE cash_movements ADD COLUMN approval_id TEXT REFERENCES approvals (id);
-- At most one open shift per terminal.
CREATE UNIQUE INDEX shifts_one_open ON shifts (terminal_id) WHERE status = 'open';
CREATE INDEX sales_shift ON sales (shift_id);
CREATE INDEX cash_movements_shift ON cash_movements (shift_id);

-- Who approved what on the audit log is already a column (approver_id);
-- filtering the log by person and by action reads these.
CREATE INDEX audit_log_staff ON audit_log (staff_id, occurred_at);
CREATE INDEX audit_log_action ON audit_log (action, occurred_at);
