-- 0011: each search index entry carries its customer's owner, so that a search limited to a
-- caller's scope (own, team) tests the entry itself instead of looking every candidate up in
-- `customers` (a rep whose team owns 4 % of the book read ≈25 customer rows per hit kept: p99
-- 30 ms per keystroke on 1,000,000 customers, `cargo xtask bench security`). Derived data like
-- the rest of the index: written with the entry, never logged.
ALTER TABLE search_docs ADD COLUMN owner TEXT;
UPDATE search_docs SET owner = (SELECT c.owner FROM customers c WHERE c.id = search_docs.customer_id);
