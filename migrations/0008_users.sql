-- 0008: Banyan's own users. Rows are domain data (written through the gateway, logged, synced):
-- who signs in, with which roles, in which team, and whether they may. Credentials stay in the
-- store and never reach a DTO: `password` is an Argon2id PHC string; `mfa` (NULL until enrolled)
-- is JSON holding the authenticator secret sealed under a key derived from the password, whether
-- the enrolment was confirmed with a code, and the one-time recovery codes' hashes.
-- A book made before users has none: its first open asks for the first admin, and the history
-- written before keeps the name it was written under.
CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    login      TEXT NOT NULL,   -- as the admin typed it
    login_key  TEXT NOT NULL,   -- case-folded and NFKC-normalized: what sign-in compares
    name       TEXT NOT NULL,
    roles      TEXT NOT NULL,   -- JSON array of role names
    team       TEXT,
    status     TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password   TEXT NOT NULL,
    mfa        TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX users_login ON users (login_key) WHERE deleted_at IS NULL;
