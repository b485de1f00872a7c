//! What replicas exchange: a version vector and origin transactions of change-log entries. Devices
//! are named by their ids, never by a book's local `origins` numbers.
//!
//! An entry travels with its `fields` text exactly as its origin stored it, because the audit
//! chain's link commits to those bytes: a relay that re-encoded them would break every link after
//! them. The origin numbers inside that text (a field change's predecessors) are the origin's own;
//! `Tx::numbers` says which device each of them is, so the receiver translates them and never reads
//! them as its own.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Per origin device, the last sequence number a replica holds (0: none). Sequences are gap-free
/// per origin, so this is a replica's whole state of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Vector(pub BTreeMap<String, i64>);

impl Vector {
    pub fn get(&self, device: &str) -> i64 {
        self.0.get(device).copied().unwrap_or(0)
    }

    /// Field changes `other` holds that this one does not.
    pub fn behind(&self, other: &Vector) -> i64 {
        other.0.iter().map(|(d, s)| (s - self.get(d)).max(0)).sum()
    }
}

/// A stored row key: a UUID's 16 bytes, or a text key (settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowId {
    Uuid([u8; 16]),
    Text(String),
}

/// One change-log entry (one row change of k fields, sequence numbers `seq .. seq + k - 1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub table: String,
    pub row: RowId,
    pub op: String,
    /// As the origin stored it (see the module's note).
    pub fields: String,
    /// The salt the values are committed under, or, for an entry whose values a privacy erasure
    /// dropped, none and the commitment kept in `sealed`.
    pub salt: Option<Vec<u8>>,
    pub sealed: Option<Vec<u8>>,
    /// The origin's audit chain link after this entry.
    pub link: Vec<u8>,
    /// A stub: a change the receiver may not see. Its fields name what changed and what each
    /// replaced, without values, and `sealed` holds the commitment, so the chain verifies and the
    /// receiver's vector stays gap-free; it is logged there, never applied, and passed on as a stub.
    pub stub: bool,
}

/// One transaction of an origin device: it applies whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tx {
    pub origin: String,
    pub tx: i64,
    pub hlc: i64,
    pub user: String,
    pub batch: Option<String>,
    /// The devices behind the origin numbers its entries' fields name, as (number, device id).
    pub numbers: Vec<(i64, String)>,
    pub entries: Vec<Entry>,
    /// The origin's Ed25519 signature of the transaction (over its last entry's chain link, see
    /// `security::chain::PublicKey::signed_tx`), passed on unchanged by relays.
    pub sig: Vec<u8>,
}

impl Tx {
    /// The field changes it holds.
    pub fn width(&self) -> i64 {
        self.entries.iter().map(|e| fields_in(&e.fields)).sum()
    }

    /// Its last sequence number.
    pub fn last_seq(&self) -> i64 {
        self.entries.last().map(|e| e.seq + fields_in(&e.fields) - 1).unwrap_or(0)
    }
}

/// How many field changes an entry's `fields` text holds (one sequence number each).
pub fn fields_in(fields: &str) -> i64 {
    match serde_json::from_str::<serde_json::Value>(fields) {
        Ok(serde_json::Value::Array(items)) => (items.len() as i64).max(1),
        _ => 1,
    }
}

/// The changes a replica lacks, oldest first (by clock, then device, then sequence, so a change
/// always comes after those it replaced), and whether more remain after them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub txs: Vec<Tx>,
    pub more: bool,
}

/// What applying a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// Origin transactions applied now.
    pub txs: u32,
    /// Field changes applied now.
    pub changes: u32,
    /// Transactions already held (a repeat is a no-op).
    pub repeats: u32,
    /// Transactions that wait for changes before them (their origin's earlier ones, or a change
    /// they replaced) that have not arrived.
    pub waiting: u32,
    /// Entries kept in the log but not applied (a row that breaks a rule of the book, a table or
    /// column this version does not know), with the reason.
    pub held: u32,
    /// Fields that now have values from several desktops that someone must choose between.
    pub conflicts: u32,
    /// Changes stamped more than five minutes ahead of this desktop's clock (accepted; the clock
    /// does not follow them).
    pub ahead: u32,
}
