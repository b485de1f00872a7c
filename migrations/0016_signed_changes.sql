-- 0016: every origin transaction is signed by its desktop (Ed25519), and relays pass the
-- signature on, so a member cannot forge or alter another desktop's changes (src/store/replica.rs).
--
-- The signature covers the transaction's last entry's chain link, which commits to everything
-- the origin logged before it; it is stored on that last entry. A member's public key travels in
-- its member row, written by the desktop that invited it.
ALTER TABLE members ADD COLUMN signing_key TEXT;   -- hex Ed25519 public key
ALTER TABLE changes ADD COLUMN sig BLOB;           -- on a transaction's last entry

-- When this desktop last finished a round with each desktop of the book, and at which address
-- it reached it (the sync screen's "last seen"; `sync now` without --peer goes to the last one).
-- This desktop's own knowledge: never synced, emptied in a snapshot for a joining desktop.
CREATE TABLE sync_seen (
    device  TEXT PRIMARY KEY,
    at      INTEGER NOT NULL,
    address TEXT
) STRICT;

-- A row deleted on one desktop and edited on another after it (by the clock: an edit stamped
-- after the row's `deleted_at`): those edits, until someone restores the row or keeps it
-- deleted (the sync inbox's "deleted here, edited there"). Derived from the log, the same on
-- every desktop holding the same changes (src/store/replica.rs, `mark_deleted_edits`).
CREATE TABLE sync_deleted_edits (
    tbl    TEXT NOT NULL,
    row_id ANY NOT NULL,
    origin INTEGER NOT NULL REFERENCES origins (id),
    seq    INTEGER NOT NULL,
    PRIMARY KEY (tbl, row_id, origin, seq)
) STRICT, WITHOUT ROWID;
