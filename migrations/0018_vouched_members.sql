-- A desktop that took a new identity (its book restored from a backup) vouches for it with the
-- key of the identity it had: its new member row, which it writes itself, carries the old key's
-- signature over the book, the new device, its signing key and code (src/store/replica.rs,
-- `take_vouched_identity`); a member that receives a member row written by the desktop it
-- admits accepts it only with such a signature by a live member's key. Synced; only adds.
ALTER TABLE members ADD COLUMN vouch TEXT;
