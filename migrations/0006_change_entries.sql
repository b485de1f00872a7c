-- 0006: the change log holds one entry per row change instead of one row per field.
-- Why: a customer's insert wrote a dozen log rows, each with its own copy of the clock, device,
-- transaction, batch, user, table and row, and an index entry on (table, row, field): the log was
-- most of a book's size and a large share of every write. An entry now holds the changed fields
-- as one compact JSON array, one [field, new, old, replaced origin, replaced seq] per field, where
-- "replaced" names the change of that field this one replaced (its head before; null for a
-- field's first change), so sync can tell an edit made without seeing another from a later one.
-- Sequence numbers stay per field: an entry of k fields takes seq .. seq + k - 1, gap-free per
-- origin as before, and every field change keeps the (origin, seq) it had in the old log.
-- The entries are made from change_log by the migration's Rust step (consecutive rows of one row
-- change become one entry; each field's predecessor is found through the old row index), which
-- then drops change_log and indexes the new table.

CREATE TABLE changes (
    origin   INTEGER NOT NULL REFERENCES origins (id),
    seq      INTEGER NOT NULL,   -- the first of the entry's sequence numbers
    hlc      INTEGER NOT NULL,
    tx       INTEGER NOT NULL,
    batch_id TEXT,
    user_id  TEXT NOT NULL,
    tbl      TEXT NOT NULL,
    row_id   ANY NOT NULL,
    op       TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    fields   TEXT NOT NULL,      -- JSON: [[field, new, old, replaced origin, replaced seq], ...]
    PRIMARY KEY (origin, seq)
) STRICT, WITHOUT ROWID;
