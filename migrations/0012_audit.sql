-- 0012: the audit trail (src/security/chain.rs). Each change-log entry gets a random salt and a
-- link: link = hash(the origin's previous link, digest), digest = hash(the entry's header, a
-- commitment to its `fields` under the salt). A privacy erasure drops an entry's values and its
-- salt and keeps the commitment in `sealed`, so the chain still verifies. Audit events (sign-ins,
-- lockouts, MFA and grant changes, exports, erasures, restores) are chained alike, with their own
-- gap-free sequence per origin. Every 1,000 entries and at close the device signs a checkpoint of
-- each chain with its Ed25519 key (private key in `meta`, public key in `origins`); `banyan audit
-- verify` checks links, sequences, signatures and checkpoints, including ones held elsewhere.
-- The Rust step chains the entries an existing book already has, in each origin's order, and
-- signs a first checkpoint: from then on, any edit of the history that came before shows.
ALTER TABLE changes ADD COLUMN salt BLOB;
ALTER TABLE changes ADD COLUMN sealed BLOB;
ALTER TABLE changes ADD COLUMN link BLOB;
ALTER TABLE origins ADD COLUMN public_key TEXT;

CREATE TABLE audit_events (
    origin  INTEGER NOT NULL REFERENCES origins (id),
    seq     INTEGER NOT NULL,
    hlc     INTEGER NOT NULL,
    user_id TEXT NOT NULL,      -- who acted (a user id; for a failed sign-in, empty)
    kind    TEXT NOT NULL,      -- sign-in, sign-in-failed, locked, unlocked, mfa-enrolled, ...
    detail  TEXT NOT NULL,      -- JSON object
    salt    BLOB,
    sealed  BLOB,
    link    BLOB NOT NULL,
    PRIMARY KEY (origin, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_events_hlc ON audit_events (hlc);

CREATE TABLE checkpoints (
    origin    INTEGER NOT NULL REFERENCES origins (id),
    chain     TEXT NOT NULL CHECK (chain IN ('changes', 'events')),
    seq       INTEGER NOT NULL,   -- the entry it ends at
    link      BLOB NOT NULL,
    at        INTEGER NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (origin, chain, seq)
) STRICT, WITHOUT ROWID;
