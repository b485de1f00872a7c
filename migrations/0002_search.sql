-- 0002: the customer search index.
-- Why: search-as-you-type over a million customers needs an index that understands Chinese
-- substrings, pinyin and initials, and phone digit runs; the tokens are computed in Rust (see
-- src/search/text.rs) and stored in a contentless FTS5 table, so the index adds no second copy
-- of the text. search_docs maps the FTS rowid to the customer; a customer gets a new docid each
-- time it changes, so "highest docid first" is "most recently active first". The index is derived
-- data: it is kept in step by the write gateway in the same transaction and is not in the change
-- log; `banyan reindex` rebuilds it.

CREATE TABLE search_docs (
    docid       INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL UNIQUE REFERENCES customers (id),
    name_key    TEXT NOT NULL
) STRICT;
CREATE INDEX search_docs_name ON search_docs (name_key);

CREATE VIRTUAL TABLE customer_fts USING fts5 (
    name, name_sub, pinyin, other,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);

-- Latin words of names, companies and contacts, for the typo fallback. Never pruned: a stale
-- term only widens a typo query by an alternative that matches nothing.
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
