-- 0001: the initial customer book.
-- Why: the first schema. Ids are UUIDv7 text so two offline desktops never collide; rows are never
-- removed by a delete (deleted_at marks a tombstone and keeps the values) so sync can tell every
-- peer and an undo can bring them back; every change is appended to change_log by the write
-- gateway in the same transaction, which sync, the audit trail and import undo all read.

-- Device-local bookkeeping (this desktop's id, its order-number prefix, the hybrid logical clock).
-- Not synced and not in the change log.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Company-wide settings (default phone region, default currency); written through the gateway.
CREATE TABLE settings (
    id         TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TABLE custom_fields (
    id         TEXT PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('customer')),
    key        TEXT NOT NULL,
    label      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice')),
    choices    TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX custom_fields_key ON custom_fields (entity, key) WHERE deleted_at IS NULL;

CREATE TABLE customers (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    name       TEXT NOT NULL,
    company    TEXT,
    phones     TEXT NOT NULL DEFAULT '[]',  -- JSON array of E.164 strings
    emails     TEXT NOT NULL DEFAULT '[]',  -- JSON array of lowercased addresses
    address    TEXT,
    city       TEXT,
    country    TEXT,
    tags       TEXT NOT NULL DEFAULT '[]',  -- JSON array
    owner      TEXT,
    source     TEXT,
    notes      TEXT,
    custom     TEXT NOT NULL DEFAULT '{}',  -- JSON object of typed custom values
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX customers_name ON customers (name) WHERE deleted_at IS NULL;
CREATE INDEX customers_updated ON customers (updated_at);
CREATE INDEX customers_created ON customers (created_at);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name        TEXT NOT NULL,
    title       TEXT,
    phones      TEXT NOT NULL DEFAULT '[]',
    emails      TEXT NOT NULL DEFAULT '[]',
    notes       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE activities (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'note')),
    occurred_at TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE INDEX activities_customer ON activities (customer_id, occurred_at);

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    currency    TEXT NOT NULL,
    tax_rate_bp INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE UNIQUE INDEX products_sku ON products (sku) WHERE deleted_at IS NULL;

CREATE TABLE orders (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    customer_id    TEXT NOT NULL REFERENCES customers (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'confirmed', 'fulfilled', 'paid', 'cancelled')),
    currency       TEXT NOT NULL,
    gross          INTEGER NOT NULL,
    discount       INTEGER NOT NULL,
    net            INTEGER NOT NULL,
    tax            INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    notes          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted_at     INTEGER
) STRICT;
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_status ON orders (status, created_at);

CREATE TABLE order_lines (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    position    INTEGER NOT NULL,
    product_id  TEXT NOT NULL REFERENCES products (id),
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_bp INTEGER NOT NULL CHECK (discount_bp BETWEEN 0 AND 10000),
    tax_rate_bp INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;
CREATE INDEX order_lines_order ON order_lines (order_id, position);

-- The devices whose changes this database holds, numbered locally so each log entry stores a
-- small integer instead of a 36-character device id.
CREATE TABLE origins (
    id     INTEGER PRIMARY KEY,
    device TEXT NOT NULL UNIQUE
) STRICT;

-- One row per changed field, keyed by (origin, origin_seq): the sequence is gap-free per device,
-- so a peer's whole sync state is a version vector. hlc orders concurrent edits of one field
-- (last writer wins, ties broken by origin); tx groups one local transaction; batch_id groups an
-- import so it can be undone; old_value lets undo and the audit trail show what was replaced.
-- row_id is the row's UUID as 16 bytes (text for keyed rows such as settings); the log is the
-- largest table, so it is kept compact (WITHOUT ROWID, integer references).
CREATE TABLE change_log (
    origin     INTEGER NOT NULL REFERENCES origins (id),
    origin_seq INTEGER NOT NULL,
    hlc        INTEGER NOT NULL,
    tx         INTEGER NOT NULL,
    batch_id   TEXT,
    user_id    TEXT NOT NULL,
    tbl        TEXT NOT NULL,
    row_id     ANY NOT NULL,
    field      TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    value      TEXT,
    old_value  TEXT,
    PRIMARY KEY (origin, origin_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX change_log_row ON change_log (tbl, row_id, field);
CREATE INDEX change_log_batch ON change_log (batch_id) WHERE batch_id IS NOT NULL;
