-- 0005: the import journal tells an undo in progress (or cut short) and an import cut short by a
-- crash from a finished one.
-- Why: an undo now takes a batch back in chunks of rows, so it can be cancelled or cut short by a
-- crash part-way; the journal said "done" for such a half-undone import ("undoing" now, and
-- undoing it again finishes it). An import whose process died (a crash, a kill, a closed window)
-- stayed "running" forever; the next open takes its rows back and marks it "interrupted".
-- SQLite cannot change a CHECK constraint in place: the table is copied.

CREATE TABLE imports_new (
    id          TEXT PRIMARY KEY,           -- the change-log batch id
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    status      TEXT NOT NULL
                CHECK (status IN ('running', 'done', 'cancelled', 'failed', 'undoing', 'undone', 'interrupted')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO imports_new SELECT id, file_name, format, status, started_at, finished_at, rows_read, created, updated,
    skipped, failed FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
