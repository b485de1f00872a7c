-- 0014: service accounts, for IT's scripts and integrations: users of kind 'service' sign in with
-- a token (BANYAN_TOKEN) instead of a password and an authenticator code, and never with a
-- password. A token is 256 random bits shown once; `password` holds `token$` and its BLAKE3 hash
-- (a slow hash adds nothing against guessing a secret of that size), so the token itself is
-- never stored. A person's account cannot sign in with a token.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'service'));
