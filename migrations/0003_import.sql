-- 0003: duplicate-matching keys and the import journal.
-- Why: imports must match each incoming row against a book of a million customers by normalized
-- phone, email, name (incl. pinyin) and company in well under a millisecond, and the batch
-- "find duplicates" needs blocking keys so it compares candidates instead of all pairs. Like the
-- search index, match_keys is derived data kept in step by the write gateway in the same
-- transaction (not in the change log); `banyan reindex` rebuilds it.
-- imports is this device's journal of import batches: what file, how far it got, what it did.
-- The changes themselves are in change_log under the batch id, which is what undo reads.

CREATE TABLE match_keys (
    key         TEXT NOT NULL,   -- 'p:+8613800138000', 'e:a@b.cn', 'n:san zhang', 'c:acme', 'b:jo sm'
    customer_id TEXT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (key, customer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX match_keys_customer ON match_keys (customer_id);

CREATE TABLE imports (
    id          TEXT PRIMARY KEY,           -- the change-log batch id
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'undone')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
) STRICT;
