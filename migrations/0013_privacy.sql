-- 0013: privacy (PIPL). Consents are domain data through the gateway, one row per consent given
-- or withdrawn (what the person agreed to, how, under which notice, recorded by whom, when):
-- the latest row per customer and purpose is the current answer, the rows before it its history.
-- `erasures` keeps the id of every customer erased (and why, and by whom: the values are gone),
-- so that sync and a restore of an older backup can erase them again.
CREATE TABLE consents (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers (id),
    purpose        TEXT NOT NULL,   -- marketing, service, analytics, transfer, or a company's own
    status         TEXT NOT NULL CHECK (status IN ('given', 'withdrawn')),
    channel        TEXT NOT NULL,   -- how it was given or withdrawn: form, phone, email, paper, ...
    notice_version TEXT NOT NULL,   -- the privacy notice the person was shown
    recorded_by    TEXT NOT NULL,   -- the user's id
    at             INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted_at     INTEGER
) STRICT;
CREATE INDEX consents_customer ON consents (customer_id, purpose, at);

CREATE TABLE erasures (
    id         TEXT PRIMARY KEY,    -- the erased customer's id
    reason     TEXT NOT NULL,
    erased_by  TEXT NOT NULL,       -- the user's id
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
