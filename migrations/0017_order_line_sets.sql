-- 0017: a draft's lines travel as one unit. Every change of an order's lines also sets
-- `orders.line_set`, the ids of its lines (JSON, in position order), so two desktops changing one
-- draft's lines without seeing each other leave two values of one field: the later set shows, the
-- other waits in the inbox, and the line rows and the order's totals follow the set shown (derived
-- in every transaction that touches the order, never taken from the log: src/store/orders.rs,
-- `realize_lines`). NULL for an order whose lines have not changed since: its rows are as logged.
-- Synced tables only gain columns.
ALTER TABLE orders ADD COLUMN line_set TEXT;

-- A synced change naming columns (or a table) this version lacks is applied but for those, which
-- wait here, by name (JSON), until a migration adds them: the book re-applies them when it opens
-- (src/store/replica.rs, `sync_reapply_held`). This desktop's own bookkeeping: never synced.
ALTER TABLE sync_held ADD COLUMN waiting TEXT;

-- A merged customer records the customer it went into (`merged_into`), so what arrives later for
-- it (a contact, an activity or an order made on a desktop that had not seen the merge) moves
-- under the survivor, and two desktops that merged two customers into each other end with one of
-- them holding both; `merge_note` keeps that in the inbox until someone has seen it
-- (src/store/replica.rs, `repair_merges`).
ALTER TABLE customers ADD COLUMN merged_into TEXT;
ALTER TABLE customers ADD COLUMN merge_note TEXT;

-- Changes this desktop holds only as stubs (a receiver's scope left their values out: origin,
-- sequence and the commitment to the values, in `changes` with the values null): logged, never
-- applied, passed on as stubs. This desktop's own bookkeeping: never synced.
CREATE TABLE sync_stubs (
    origin INTEGER NOT NULL REFERENCES origins (id),
    seq    INTEGER NOT NULL,
    PRIMARY KEY (origin, seq)
) STRICT, WITHOUT ROWID;

-- The import journal is synced once an import ends (while it runs its entry is this desktop's
-- alone, and its changes stay home: src/store/replica.rs, `staying_home`), so any desktop lists it
-- and can take it back; it gains the columns every synced row has.
ALTER TABLE imports ADD COLUMN created_at INTEGER;
ALTER TABLE imports ADD COLUMN updated_at INTEGER;
ALTER TABLE imports ADD COLUMN deleted_at INTEGER;
