-- 0015: the replica seam (src/store/replica.rs). Synced tables' migrations only add.
--
-- An entry that came from another desktop keeps its `fields` text as its origin wrote it (the
-- audit chain commits to those bytes), so the origin numbers inside it are the origin's own:
-- `origin_numbers` says which device each of them is.
CREATE TABLE origin_numbers (
    origin INTEGER NOT NULL REFERENCES origins (id),
    number INTEGER NOT NULL,
    device INTEGER NOT NULL REFERENCES origins (id),
    PRIMARY KEY (origin, number)
) STRICT, WITHOUT ROWID;

-- A field changed concurrently on several desktops has several leaves (changes no later change
-- replaced). The row shows the merge of them (src/sync/merge.rs); the leaves other than the
-- highest are kept here until a change that saw them replaces them. `decision` is 1 when a person
-- has to choose (the sync inbox), 0 when a rule merged them (lists, custom values per key).
CREATE TABLE sync_leaves (
    tbl      TEXT NOT NULL,
    row_id   ANY NOT NULL,
    field    TEXT NOT NULL,
    origin   INTEGER NOT NULL REFERENCES origins (id),
    seq      INTEGER NOT NULL,
    decision INTEGER NOT NULL,
    PRIMARY KEY (tbl, row_id, field, origin, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_leaves_decision ON sync_leaves (decision) WHERE decision = 1;

-- Entries from elsewhere that are in the log but not applied: a row that breaks a rule of this
-- book, a table or column this version does not know. Nothing stops the queue behind them.
CREATE TABLE sync_held (
    origin INTEGER NOT NULL REFERENCES origins (id),
    seq    INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (origin, seq)
) STRICT, WITHOUT ROWID;

-- No synced change may fail on a constraint: a SKU or a custom field's key made on two desktops
-- offline must both arrive. Local writes still refuse a duplicate (products.rs, customers.rs
-- check first); one that arrives by sync is listed among the sync conflicts, and lookups take the
-- oldest meanwhile. (Order numbers stay UNIQUE: each desktop numbers its orders under its own
-- code, and a copied book takes a new identity and code before it syncs.)
DROP INDEX products_sku;
CREATE INDEX products_sku ON products (sku) WHERE deleted_at IS NULL;
DROP INDEX custom_fields_key;
CREATE INDEX custom_fields_key ON custom_fields (entity, key) WHERE deleted_at IS NULL;

-- The desktops of the book (synced like any table): each one's TLS certificate fingerprint (what
-- a peer's certificate must match), its order-number code (unique among members) and who invited
-- it. A revoked desktop keeps its row with deleted_at set.
CREATE TABLE members (
    id          TEXT PRIMARY KEY,   -- the device id
    name        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,      -- hex SHA-256 of its certificate
    code        TEXT NOT NULL,
    added_by    TEXT,               -- the member that invited it
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
) STRICT;

-- Which book this is: every desktop of a team holds the same id (a joining desktop starts from a
-- copy), and two books that are not one another's copies never sync.
INSERT INTO meta (key, value) SELECT 'book_id', lower(hex(randomblob(16)))
WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'book_id');
