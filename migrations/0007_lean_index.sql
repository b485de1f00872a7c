-- 0007: a leaner search index and integer match keys.
-- Why: on a book imported from a spreadsheet the derived index was two thirds of the file and
-- most of every write (a 100,000-customer book: 145 MB of match keys, 112 MB of FTS data, 46 MB
-- of change log, 19 MB of customers; `banyan space` prints it). Two changes:
-- * The FTS5 tables keep only which documents hold a token (detail=none): every search is a
--   conjunction of token prefixes over a whole document (src/search/text.rs, Query::fts), so
--   positions and columns were never read. customer_fts is one column for the same reason.
-- * A match key is stored as a 64-bit integer (the key's kind in the top byte, so one kind's keys
--   sort together, and 56 bits of its XXH3 hash), against the customer's index entry (docid)
--   rather than its 36-character id, and the entry lists its own keys (search_docs.keys: 8 bytes
--   each), so removing a customer's keys needs no second index. Two keys sharing a hash only
--   bring one more candidate to be scored, never a wrong answer.
-- Derived data, never in the log: the index is rebuilt (in chunks, with progress) on first open.
-- Dropped pages are not zeroed one by one (they stay encrypted and are reused), as in 0006.

PRAGMA secure_delete = OFF;
DROP TABLE customer_fts;
DROP TABLE name_fts;
DROP TABLE pinyin_fts;
DROP TABLE match_keys;
DROP TABLE search_docs;
PRAGMA secure_delete = ON;

CREATE TABLE search_docs (
    docid       INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL UNIQUE REFERENCES customers (id),
    name_key    TEXT NOT NULL,
    keys        BLOB NOT NULL   -- the customer's match keys, 8 bytes each, big-endian
) STRICT;
CREATE INDEX search_docs_name ON search_docs (name_key);

CREATE VIRTUAL TABLE customer_fts USING fts5 (
    text,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);

CREATE VIRTUAL TABLE name_fts USING fts5 (
    name,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);

CREATE VIRTUAL TABLE pinyin_fts USING fts5 (
    pinyin,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3 4 5'
);

CREATE TABLE match_keys (
    key   INTEGER NOT NULL,
    docid INTEGER NOT NULL,
    PRIMARY KEY (key, docid)
) STRICT, WITHOUT ROWID;

-- Each table gathers 16 MiB of new entries in memory before it writes them out as a segment (the
-- default 1 MiB made a segment every few hundred customers of an import or a rebuild, and merging
-- them was a third of the FTS work).
INSERT INTO customer_fts (customer_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO name_fts (name_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO pinyin_fts (pinyin_fts, rank) VALUES ('hashsize', 16777216);

DELETE FROM meta WHERE key = 'search_built';
