-- 0016: every origin transaction is signed by its desktop (Ed25519), and relays pass the
-- signature on, so a member cannot forge or alter another desktop's changes (src/store/replica.rs).
--
-- The signature covers the transaction's last entry's chain link, which commits to everything
-- the origin logged before it; it is stored on that last entry. A member's public key travels in
-- its member row, written by the desktop that invited it.
ALTER TABLE members ADD COLUMN signing_key TEXT;   -- hex Ed25519 public key
ALTER TABLE changes ADD COLUMN sig BLOB;           -- on a transaction's last entry
