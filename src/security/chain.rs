//! The audit trail's cryptography, apart from where its inputs are stored: each change-log entry
//! and each audit event gets a BLAKE3 digest over its header and a salted commitment of its
//! values, and a link = hash(previous link of the same origin and chain, digest), so editing,
//! removing or reordering any entry changes every link after it. Every 1,000 entries and at close
//! the device signs a checkpoint (origin, chain, sequence, link) with its Ed25519 key; a checkpoint
//! held outside the book (an export, a backup, a peer) is what tells a rewrite that re-hashed the
//! whole chain from the real history.
//!
//! The values are committed to with a random salt of their own, so that a privacy erasure can
//! drop the values and the salt and keep the commitment: the chain still verifies and the
//! commitment tells nothing about what was erased (without the salt, a phone number's few
//! possible values cannot be tried against it).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Bytes of random salt per entry.
pub const SALT_LEN: usize = 16;

/// A digest or a link.
pub type Hash = [u8; 32];

/// The link before an origin's first entry.
pub const GENESIS: Hash = [0; 32];

/// Which chain of an origin: its change-log entries or its audit events (sign-ins, lockouts,
/// exports, erasures, ...), each gap-free in its own sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Chain {
    Changes,
    Events,
}

impl Chain {
    pub fn as_str(self) -> &'static str {
        match self {
            Chain::Changes => "changes",
            Chain::Events => "events",
        }
    }

    pub fn parse(s: &str) -> Option<Chain> {
        match s {
            "changes" => Some(Chain::Changes),
            "events" => Some(Chain::Events),
            _ => None,
        }
    }
}

/// A stored row key as the digest sees it: typed, so that a text key and a blob key with the same
/// bytes differ.
#[derive(Debug, Clone, Copy)]
pub enum RowKey<'a> {
    Blob(&'a [u8]),
    Text(&'a str),
    Integer(i64),
}

/// What a change-log entry's digest covers besides its values.
#[derive(Debug, Clone, Copy)]
pub struct EntryHeader<'a> {
    /// The origin device's id (not its local number, which differs between desktops).
    pub origin: &'a str,
    pub seq: i64,
    pub hlc: i64,
    pub tx: i64,
    pub batch: Option<&'a str>,
    pub user: &'a str,
    pub table: &'a str,
    pub row: RowKey<'a>,
    pub op: &'a str,
}

/// What an audit event's digest covers besides its detail.
#[derive(Debug, Clone, Copy)]
pub struct EventHeader<'a> {
    pub origin: &'a str,
    pub seq: i64,
    pub hlc: i64,
    pub user: &'a str,
    pub kind: &'a str,
}

/// A length-prefixed writer, so no two different headers hash the same bytes.
struct Framed(blake3::Hasher);

impl Framed {
    fn new(context: &str) -> Self {
        Framed(blake3::Hasher::new_derive_key(context))
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }
    fn int(&mut self, i: i64) -> &mut Self {
        self.0.update(&i.to_le_bytes());
        self
    }
    fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            None => {
                self.0.update(&[0]);
            }
            Some(s) => {
                self.0.update(&[1]);
                self.bytes(s.as_bytes());
            }
        }
        self
    }
    fn finish(&self) -> Hash {
        *self.0.finalize().as_bytes()
    }
}

/// The commitment to an entry's values (its `fields` text, or an event's detail) under its salt.
pub fn commitment(salt: &[u8], values: &str) -> Hash {
    let mut h = Framed::new("banyan 2026-12 audit value commitment");
    h.bytes(salt).bytes(values.as_bytes());
    h.finish()
}

/// A change-log entry's digest.
pub fn entry_digest(e: &EntryHeader<'_>, commitment: &Hash) -> Hash {
    let mut h = Framed::new("banyan 2026-12 audit change entry");
    h.bytes(e.origin.as_bytes()).int(e.seq).int(e.hlc).int(e.tx).opt(e.batch).bytes(e.user.as_bytes());
    h.bytes(e.table.as_bytes());
    match e.row {
        RowKey::Blob(b) => h.int(1).bytes(b),
        RowKey::Text(t) => h.int(2).bytes(t.as_bytes()),
        RowKey::Integer(i) => h.int(3).int(i),
    };
    h.bytes(e.op.as_bytes()).bytes(commitment);
    h.finish()
}

/// An audit event's digest.
pub fn event_digest(e: &EventHeader<'_>, commitment: &Hash) -> Hash {
    let mut h = Framed::new("banyan 2026-12 audit event");
    h.bytes(e.origin.as_bytes()).int(e.seq).int(e.hlc).bytes(e.user.as_bytes()).bytes(e.kind.as_bytes());
    h.bytes(commitment);
    h.finish()
}

/// The link of an entry: its digest chained to the link before it.
pub fn link(prev: &Hash, digest: &Hash) -> Hash {
    let mut h = Framed::new("banyan 2026-12 audit link");
    h.bytes(prev).bytes(digest);
    h.finish()
}

/// A signed statement "the `chain` of device `origin` had link `link` at entry `seq`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub origin: String,
    pub chain: Chain,
    /// The sequence number of the entry the checkpoint ends at (an entry's first, for change
    /// entries that hold several fields).
    pub seq: i64,
    /// Hex.
    pub link: String,
    pub at_ms: i64,
    /// The origin's Ed25519 public key, hex.
    pub public_key: String,
    /// Hex.
    pub signature: String,
}

fn checkpoint_message(origin: &str, chain: Chain, seq: i64, link: &Hash, at_ms: i64) -> Vec<u8> {
    let mut h = Framed::new("banyan 2026-12 audit checkpoint");
    h.bytes(origin.as_bytes()).bytes(chain.as_str().as_bytes()).int(seq).bytes(link).int(at_ms);
    h.finish().to_vec()
}

fn tx_message(origin: &str, tx: i64, seq: i64, link: &Hash) -> Hash {
    let mut h = Framed::new("banyan 2026-12 transaction");
    h.bytes(origin.as_bytes()).int(tx).int(seq).bytes(link);
    h.finish()
}

/// A member's public key (from its hex), to check the signatures of its transactions with.
#[derive(Debug, Clone)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn from_hex(h: &str) -> Option<PublicKey> {
        let mut b = [0u8; 32];
        hex::decode_to_slice(h.trim(), &mut b).ok()?;
        VerifyingKey::from_bytes(&b).ok().map(PublicKey)
    }

    /// Whether `sig_hex` is this key's vouch for `device` of `book` with signing key `public_key`
    /// and order code `code` (made by [`DeviceKey::sign_vouch`]).
    pub fn vouched(&self, sig_hex: &str, book: &str, device: &str, public_key: &str, code: &str) -> bool {
        let Ok(sig) = hex::decode(sig_hex.trim()) else { return false };
        let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else { return false };
        self.0.verify_strict(&vouch_message(book, device, public_key, code), &Signature::from_bytes(&sig)).is_ok()
    }

    /// Whether `sig` is this key's signature of transaction `tx` of device `origin`, whose last
    /// entry is `seq` with chain link `link` (the link commits to everything the origin logged
    /// before it). Strict: a signature of another message under a weak key does not pass.
    pub fn signed_tx(&self, sig: &[u8], origin: &str, tx: i64, seq: i64, link: &Hash) -> bool {
        let Ok(sig) = <[u8; 64]>::try_from(sig) else { return false };
        self.0.verify_strict(&tx_message(origin, tx, seq, link), &Signature::from_bytes(&sig)).is_ok()
    }
}

/// A device's signing key; wiped from memory when dropped.
pub struct DeviceKey(SigningKey);

impl DeviceKey {
    pub fn random() -> crate::Result<DeviceKey> {
        let mut b = Zeroizing::new([0u8; 32]);
        getrandom::fill(b.as_mut()).map_err(|e| crate::Error::Io(std::io::Error::other(e.to_string())))?;
        Ok(DeviceKey(SigningKey::from_bytes(&b)))
    }

    pub fn from_hex(h: &str) -> Option<DeviceKey> {
        let mut b = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(h.trim(), b.as_mut()).ok()?;
        Some(DeviceKey(SigningKey::from_bytes(&b)))
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.to_bytes()))
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// Signs transaction `tx` of this device, whose last entry is `seq` with chain link `link`.
    pub fn sign_tx(&self, origin: &str, tx: i64, seq: i64, link: &Hash) -> [u8; 64] {
        self.0.sign(&tx_message(origin, tx, seq, link)).to_bytes()
    }

    /// Vouches for the identity this desktop takes next (see [`vouch_message`]); hex.
    pub fn sign_vouch(&self, book: &str, device: &str, public_key: &str, code: &str) -> String {
        hex::encode(self.0.sign(&vouch_message(book, device, public_key, code)).to_bytes())
    }

    /// Signs a backup manifest's signed bytes; the signature in hex.
    pub fn sign_manifest(&self, bytes: &[u8]) -> String {
        hex::encode(self.0.sign(&manifest_message(bytes)).to_bytes())
    }

    pub fn sign(&self, origin: &str, chain: Chain, seq: i64, link: &Hash, at_ms: i64) -> Checkpoint {
        let sig = self.0.sign(&checkpoint_message(origin, chain, seq, link, at_ms));
        Checkpoint {
            origin: origin.to_string(),
            chain,
            seq,
            link: hex::encode(link),
            at_ms,
            public_key: self.public_hex(),
            signature: hex::encode(sig.to_bytes()),
        }
    }
}

/// What a desktop's former identity signs for its next one: the book, the new device id, its
/// signing key and order code (domain-separated from every other signature).
fn vouch_message(book: &str, device: &str, public_key: &str, code: &str) -> Hash {
    let mut h = Framed::new("banyan 2026-12 identity vouch");
    h.bytes(book.as_bytes()).bytes(device.as_bytes()).bytes(public_key.as_bytes()).bytes(code.as_bytes());
    h.finish()
}

fn manifest_message(bytes: &[u8]) -> Hash {
    let mut h = Framed::new("banyan 2026-12 backup manifest");
    h.bytes(bytes);
    h.finish()
}

/// Whether `sig_hex` is `public_hex`'s signature of a backup manifest's signed bytes.
pub fn verify_manifest(public_hex: &str, bytes: &[u8], sig_hex: &str) -> bool {
    let (Some(key), Ok(sig)) = (PublicKey::from_hex(public_hex), hex::decode(sig_hex)) else { return false };
    let Ok(sig) = <[u8; 64]>::try_from(sig.as_slice()) else { return false };
    key.0.verify_strict(&manifest_message(bytes), &Signature::from_bytes(&sig)).is_ok()
}

impl Checkpoint {
    /// The checkpoint's link as bytes (none if it is not 32 bytes of hex).
    pub fn link_bytes(&self) -> Option<Hash> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(&self.link, &mut out).ok()?;
        Some(out)
    }

    /// Whether the signature is the holder of `public_key`'s (hex) over this checkpoint.
    pub fn signed_by(&self, public_key: &str) -> bool {
        let (Some(link), Ok(key), Ok(sig)) = (self.link_bytes(), hex::decode(public_key), hex::decode(&self.signature))
        else {
            return false;
        };
        let (Ok(key), Ok(sig)) = (<[u8; 32]>::try_from(key.as_slice()), <[u8; 64]>::try_from(sig.as_slice())) else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&key) else { return false };
        let msg = checkpoint_message(&self.origin, self.chain, self.seq, &link, self.at_ms);
        key.verify(&msg, &Signature::from_bytes(&sig)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'a>(user: &'a str) -> EntryHeader<'a> {
        EntryHeader {
            origin: "dev",
            seq: 7,
            hlc: 99,
            tx: 3,
            batch: None,
            user,
            table: "customers",
            row: RowKey::Text("r1"),
            op: "update",
        }
    }

    #[test]
    fn any_part_of_an_entry_changes_its_digest() {
        let c = commitment(b"0123456789abcdef", r#"[["name","A","B",null,null]]"#);
        let base = entry_digest(&header("u1"), &c);
        assert_ne!(base, entry_digest(&header("u2"), &c));
        assert_ne!(base, entry_digest(&EntryHeader { seq: 8, ..header("u1") }, &c));
        assert_ne!(base, entry_digest(&EntryHeader { batch: Some(""), ..header("u1") }, &c));
        assert_ne!(base, entry_digest(&EntryHeader { row: RowKey::Blob(b"r1"), ..header("u1") }, &c));
        let other = commitment(b"0123456789abcdef", r#"[["name","A","C",null,null]]"#);
        assert_ne!(base, entry_digest(&header("u1"), &other));
        // Another salt hides the same values behind another commitment.
        assert_ne!(c, commitment(b"0123456789abcdeF", r#"[["name","A","B",null,null]]"#));
        // A field moved between the user and the table is not the same header.
        let a = EntryHeader { user: "ab", table: "c", ..header("") };
        let b = EntryHeader { user: "a", table: "bc", ..header("") };
        assert_ne!(entry_digest(&a, &c), entry_digest(&b, &c));
    }

    #[test]
    fn a_checkpoint_verifies_only_unchanged_and_under_its_key() {
        let key = DeviceKey::random().unwrap();
        let l = link(&GENESIS, &[7; 32]);
        let cp = key.sign("dev", Chain::Changes, 1000, &l, 5);
        assert!(cp.signed_by(&key.public_hex()));
        assert!(!cp.signed_by(&DeviceKey::random().unwrap().public_hex()));
        for changed in [
            Checkpoint { seq: 1001, ..cp.clone() },
            Checkpoint { chain: Chain::Events, ..cp.clone() },
            Checkpoint { link: hex::encode(link(&GENESIS, &[8; 32])), ..cp.clone() },
            Checkpoint { origin: "dev2".into(), ..cp.clone() },
            Checkpoint { at_ms: 6, ..cp.clone() },
        ] {
            assert!(!changed.signed_by(&key.public_hex()), "{changed:?}");
        }
        let again = DeviceKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(again.public_hex(), key.public_hex());
    }
}
