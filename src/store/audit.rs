//! Where the audit trail lives in the book (the hashing is `security::chain`): the chain columns
//! of `changes` and `audit_events`, the signed `checkpoints`, and their verification.
//!
//! The writer extends this device's chains as it logs (see [`ChainWriter`]); verification walks
//! every origin's chains in sequence order, recomputes each entry's link and compares it with the
//! stored one, checks that sequences have no gaps, and checks every checkpoint (the book's own and
//! any held elsewhere) against the links.

use super::Store;
use crate::error::{Error, Result};
use crate::security::chain::{self, Chain, Checkpoint, DeviceKey, EntryHeader, EventHeader, GENESIS, Hash, RowKey};
use rand::{RngCore, SeedableRng};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;

/// Entries between two checkpoints of a chain.
pub const CHECKPOINT_EVERY: i64 = 1000;

/// An audit event as a reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub origin: String,
    pub seq: i64,
    pub at_ms: i64,
    /// The acting user's id (empty for a sign-in that named nobody known).
    pub user: String,
    /// The acting user's name (their id if the book has no such user; empty for nobody).
    pub who: String,
    pub kind: String,
    /// JSON object text.
    pub detail: String,
}

/// What verification found wrong with one chain of one origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum AuditProblem {
    /// The entry at `seq` is not what was chained: a value, its header or its link was edited.
    Altered { seq: i64 },
    /// Entries `from` ..= `to` are gone from the middle of the chain.
    Missing { from: i64, to: i64 },
    /// A checkpoint names entry `checkpoint` but the chain ends at `after`: entries were dropped
    /// from its end.
    Truncated { after: i64, checkpoint: i64 },
    /// A checkpoint (the book's own or one held elsewhere) disagrees with the chain at `seq`, which
    /// is consistent in itself: the history up to there was rewritten and re-hashed.
    Rewritten { seq: i64, held_elsewhere: bool },
    /// A checkpoint in the book whose signature is not the device's.
    BadSignature { seq: i64 },
    /// A checkpoint held elsewhere was signed by another key than the one the book has for this
    /// device: the device's key in the book was replaced.
    KeyReplaced { seq: i64 },
}

/// Verification of one chain of one origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    pub origin: String,
    pub this_device: bool,
    pub chain: Chain,
    pub entries: i64,
    /// The last entry's sequence number (0: none).
    pub last_seq: i64,
    /// Checkpoints found in the book for this chain, and how many of them were checked against
    /// the chain.
    pub checkpoints_in_book: i64,
    /// Checkpoints held elsewhere (given to verify) for this chain.
    pub checkpoints_held: i64,
    /// The last entry a checkpoint held elsewhere vouches for: a rewrite of entries after it,
    /// re-hashed and re-signed with the key in the book, cannot be told from real history.
    pub held_through: Option<i64>,
    pub problems: Vec<AuditProblem>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The chain heads a write transaction extends (loaded when it first logs).
#[derive(Default)]
pub(super) struct ChainWriter {
    rng: Option<rand::rngs::StdRng>,
    changes: Option<Head>,
    events: Option<Head>,
}

struct Head {
    prev: Hash,
    pending: i64,
    next_seq: i64,
}

/// One chain's bookkeeping in `meta`: entries since its last checkpoint, and (events) the last
/// sequence number.
fn pending_key(chain: Chain) -> &'static str {
    match chain {
        Chain::Changes => "chain_pending",
        Chain::Events => "event_pending",
    }
}

fn meta_i64(conn: &Connection, key: &str) -> Result<i64> {
    let v: Option<String> = conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    v.and_then(|v| v.parse().ok()).ok_or_else(|| Error::Corrupt(format!("meta {key}")))
}

pub(super) fn last_link(conn: &Connection, table: &str, origin: i64) -> Result<Hash> {
    let sql = format!("SELECT link FROM {table} WHERE origin = ?1 ORDER BY seq DESC LIMIT 1");
    let link: Option<Option<Vec<u8>>> = conn.prepare_cached(&sql)?.query_row([origin], |r| r.get(0)).optional()?;
    match link {
        None => Ok(GENESIS),
        Some(l) => l
            .and_then(|l| <Hash>::try_from(l.as_slice()).ok())
            .ok_or_else(|| Error::Corrupt(format!("{table}: the last entry has no link"))),
    }
}

/// The context a chained write needs from its transaction.
pub(super) struct Signer<'a> {
    pub key: &'a DeviceKey,
    pub device: &'a str,
    pub origin: i64,
    pub now_ms: i64,
}

impl ChainWriter {
    fn salt(&mut self) -> Result<[u8; chain::SALT_LEN]> {
        if self.rng.is_none() {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
            self.rng = Some(rand::rngs::StdRng::from_seed(seed));
        }
        let mut salt = [0u8; chain::SALT_LEN];
        if let Some(rng) = self.rng.as_mut() {
            rng.fill_bytes(&mut salt);
        }
        Ok(salt)
    }

    /// Chains one change-log entry of `seq` (the gateway's) and returns (salt, link) to store.
    pub(super) fn change(
        &mut self,
        conn: &Connection,
        s: &Signer<'_>,
        header: &EntryHeader<'_>,
        fields: &str,
    ) -> Result<([u8; chain::SALT_LEN], Hash)> {
        if self.changes.is_none() {
            self.changes = Some(Head {
                prev: last_link(conn, "changes", s.origin)?,
                pending: meta_i64(conn, pending_key(Chain::Changes))?,
                next_seq: 0,
            });
        }
        let salt = self.salt()?;
        let digest = chain::entry_digest(header, &chain::commitment(&salt, fields));
        let head = self.changes.as_mut().expect("loaded above");
        let link = chain::link(&head.prev, &digest);
        head.prev = link;
        head.pending += 1;
        if head.pending >= CHECKPOINT_EVERY {
            head.pending = 0;
            write_checkpoint(conn, s, Chain::Changes, header.seq, &link)?;
        }
        Ok((salt, link))
    }

    /// Appends an audit event.
    pub(super) fn event(
        &mut self,
        conn: &Connection,
        s: &Signer<'_>,
        hlc: i64,
        user: &str,
        kind: &str,
        detail: &str,
    ) -> Result<()> {
        if self.events.is_none() {
            self.events = Some(Head {
                prev: last_link(conn, "audit_events", s.origin)?,
                pending: meta_i64(conn, pending_key(Chain::Events))?,
                next_seq: meta_i64(conn, "event_seq")? + 1,
            });
        }
        let salt = self.salt()?;
        let head = self.events.as_mut().expect("loaded above");
        let seq = head.next_seq;
        let header = EventHeader { origin: s.device, seq, hlc, user, kind };
        let link = chain::link(&head.prev, &chain::event_digest(&header, &chain::commitment(&salt, detail)));
        conn.prepare_cached(
            "INSERT INTO audit_events (origin, seq, hlc, user_id, kind, detail, salt, link)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![s.origin, seq, hlc, user, kind, detail, salt.as_slice(), link.as_slice()])?;
        head.prev = link;
        head.next_seq += 1;
        head.pending += 1;
        if head.pending >= CHECKPOINT_EVERY {
            head.pending = 0;
            write_checkpoint(conn, s, Chain::Events, seq, &link)?;
        }
        Ok(())
    }

    /// Stores the heads' bookkeeping before commit.
    pub(super) fn persist(&self, conn: &Connection) -> Result<()> {
        let mut set = conn.prepare_cached("UPDATE meta SET value = ?2 WHERE key = ?1")?;
        if let Some(h) = &self.changes {
            set.execute((pending_key(Chain::Changes), h.pending.to_string()))?;
        }
        if let Some(h) = &self.events {
            set.execute((pending_key(Chain::Events), h.pending.to_string()))?;
            set.execute(("event_seq", (h.next_seq - 1).to_string()))?;
        }
        Ok(())
    }
}

fn write_checkpoint(conn: &Connection, s: &Signer<'_>, chain: Chain, seq: i64, link: &Hash) -> Result<()> {
    let cp = s.key.sign(s.device, chain, seq, link, s.now_ms);
    let sig = hex::decode(&cp.signature).map_err(|_| Error::Corrupt("signature".into()))?;
    // An upsert, not INSERT OR REPLACE: a REPLACE may delete rows, so SQLite opens a statement
    // savepoint for it, and every FTS5 table the transaction wrote to then flushes its pending
    // terms to disk as a small segment. In an import that was one flush per 1,000 log entries
    // (a tenth of its profile) instead of one per 16 MiB of terms at the commit.
    conn.prepare_cached(
        "INSERT INTO checkpoints (origin, chain, seq, link, at, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (origin, chain, seq) DO UPDATE SET link = excluded.link, at = excluded.at,
             signature = excluded.signature",
    )?
    .execute(params![s.origin, chain.as_str(), seq, link.as_slice(), s.now_ms, sig])?;
    Ok(())
}

/// An entry as migration 0012 reads it: seq, hlc, tx, batch, user, table, row, op, fields.
type LoggedRow = (i64, i64, i64, Option<String>, String, String, rusqlite::types::Value, String, String);

/// Migration 0012's step: chains the entries and events an existing book holds, in each origin's
/// sequence order, gives this device its signing key and signs a first checkpoint of its chains.
/// A new book (no device yet) gets its key when it is created.
pub(super) fn chain_existing(conn: &Connection, progress: &dyn Fn(u64, u64)) -> rusqlite::Result<()> {
    let fail = |e: Error| rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(e.to_string())));
    let total: u64 = conn.query_row("SELECT count(*) FROM changes", [], |r| r.get::<_, i64>(0))? as u64;
    progress(0, total);
    let origins: Vec<(i64, String)> = conn
        .prepare("SELECT id, device FROM origins ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut salts = ChainWriter::default();
    let mut done = 0u64;
    let mut heads: HashMap<i64, (i64, Hash)> = HashMap::new();
    for (origin, device) in &origins {
        let mut prev = GENESIS;
        let mut after = i64::MIN;
        loop {
            // In chunks: the rows are rewritten (they grow by the salt and link) while read.
            let rows: Vec<LoggedRow> = conn
                .prepare_cached(
                    "SELECT seq, hlc, tx, batch_id, user_id, tbl, row_id, op, fields FROM changes
                     WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT 10000",
                )?
                .query_map(params![origin, after], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let Some(last) = rows.last() else { break };
            after = last.0;
            let mut update =
                conn.prepare_cached("UPDATE changes SET salt = ?3, link = ?4 WHERE origin = ?1 AND seq = ?2")?;
            for (seq, hlc, tx, batch, user, tbl, row, op, fields) in &rows {
                let salt = salts.salt().map_err(fail)?;
                let header = EntryHeader {
                    origin: device,
                    seq: *seq,
                    hlc: *hlc,
                    tx: *tx,
                    batch: batch.as_deref(),
                    user,
                    table: tbl,
                    row: row_key_of(row),
                    op,
                };
                prev = chain::link(&prev, &chain::entry_digest(&header, &chain::commitment(&salt, fields)));
                update.execute(params![origin, seq, salt.as_slice(), prev.as_slice()])?;
            }
            done += rows.len() as u64;
            progress(done, total);
        }
        // (The last chunk reported the whole: a book without entries reported (0, 0) above.)
        if after != i64::MIN {
            heads.insert(*origin, (after, prev));
        }
    }
    conn.execute_batch(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('event_seq', '0'), ('chain_pending', '0'), ('event_pending', '0');",
    )?;
    let device: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).optional()?;
    if let Some(device) = device {
        let key = DeviceKey::random().map_err(fail)?;
        let origin: i64 = conn.query_row("SELECT id FROM origins WHERE device = ?1", [&device], |r| r.get(0))?;
        give_device_key(conn, origin, &key)?;
        if let Some((seq, link)) = heads.get(&origin) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or_default();
            let s = Signer { key: &key, device: &device, origin, now_ms: now };
            write_checkpoint(conn, &s, Chain::Changes, *seq, link).map_err(fail)?;
        }
    }
    Ok(())
}

/// A privacy erasure's work on the log: every entry of the row (`table`, `key`) that still holds
/// its values, except those of the transaction `keep` (origin, tx: the erasure's own), loses its
/// values and its salt and keeps the commitment to them in `sealed`, so the chain still verifies
/// and nothing of what was there can be recovered or tried against it. With `only_field`, only
/// entries that set or replaced that field with a value (an order's notes) are sealed. Returns
/// how many entries.
pub(super) fn seal_entries(
    conn: &Connection,
    table: &str,
    key: &rusqlite::types::Value,
    keep: (i64, i64),
    only_field: Option<&str>,
) -> Result<usize> {
    let rows: Vec<(i64, i64, String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT origin, seq, fields, salt FROM changes WHERE tbl = ?1 AND row_id = ?2 AND salt IS NOT NULL
             AND NOT (origin = ?3 AND tx = ?4)",
        )?
        .query_map(params![table, key, keep.0, keep.1], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sealed = 0;
    for (origin, seq, text, salt) in rows {
        if let Some(only) = only_field
            && !super::log::decode_fields(&text)
                .iter()
                .any(|f| f.field == only && !(f.new.is_null() && f.old.is_null()))
        {
            continue;
        }
        let commitment = chain::commitment(&salt, &text);
        conn.prepare_cached("UPDATE changes SET fields = ?3, salt = NULL, sealed = ?4 WHERE origin = ?1 AND seq = ?2")?
            .execute(params![origin, seq, super::log::without_values(&text), commitment.as_slice()])?;
        sealed += 1;
    }
    Ok(sealed)
}

/// A privacy erasure's work on the audit events: an event whose detail holds any of `needles`
/// (the person's name, phones, emails, contacts; lowercase), or whose search `query` (an
/// export's) is made of words found in them, keeps only that it was erased, sealed like a log
/// entry. Returns how many.
pub(super) fn seal_events(conn: &Connection, needles: &[String]) -> Result<usize> {
    let rows: Vec<(i64, i64, String, Vec<u8>)> = conn
        .prepare("SELECT origin, seq, detail, salt FROM audit_events WHERE salt IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sealed = 0;
    for (origin, seq, detail, salt) in rows {
        let lower = detail.to_lowercase();
        let query = serde_json::from_str::<serde_json::Value>(&detail)
            .ok()
            .and_then(|d| d.get("query").and_then(|q| q.as_str()).map(str::to_lowercase));
        let named = |q: &str| {
            let mut words = q.split_whitespace().peekable();
            words.peek().is_some() && words.all(|w| needles.iter().any(|n| n.contains(w)))
        };
        if !needles.iter().any(|n| lower.contains(n.as_str())) && !query.as_deref().is_some_and(named) {
            continue;
        }
        let commitment = chain::commitment(&salt, &detail);
        conn.prepare_cached(
            "UPDATE audit_events SET detail = '{\"erased\":true}', salt = NULL, sealed = ?3 WHERE origin = ?1 AND seq = ?2",
        )?
        .execute(params![origin, seq, commitment.as_slice()])?;
        sealed += 1;
    }
    Ok(sealed)
}

/// Files `key` as the device's signing key and its public half in `origins`.
pub(super) fn give_device_key(conn: &Connection, origin: i64, key: &DeviceKey) -> rusqlite::Result<()> {
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('signing_key', ?1)", [key.to_hex().as_str()])?;
    conn.execute("UPDATE origins SET public_key = ?2 WHERE id = ?1", params![origin, key.public_hex()])?;
    Ok(())
}

pub(super) fn load_device_key(conn: &Connection) -> Result<DeviceKey> {
    let hex: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'signing_key'", [], |r| r.get(0)).optional()?;
    hex.as_deref().and_then(DeviceKey::from_hex).ok_or_else(|| Error::Corrupt("this device's signing key".into()))
}

fn row_key_of(v: &rusqlite::types::Value) -> RowKey<'_> {
    match v {
        rusqlite::types::Value::Blob(b) => RowKey::Blob(b),
        rusqlite::types::Value::Text(t) => RowKey::Text(t),
        rusqlite::types::Value::Integer(i) => RowKey::Integer(*i),
        _ => RowKey::Text(""),
    }
}

fn row_key_ref<'a>(v: ValueRef<'a>) -> RowKey<'a> {
    match v {
        ValueRef::Blob(b) => RowKey::Blob(b),
        ValueRef::Text(t) => RowKey::Text(std::str::from_utf8(t).unwrap_or("")),
        ValueRef::Integer(i) => RowKey::Integer(i),
        _ => RowKey::Text(""),
    }
}

/// What the walk of one chain found: links at the sequence numbers checkpoints name.
struct Walk {
    entries: i64,
    last_seq: i64,
    problems: Vec<AuditProblem>,
    /// The first seq from which the stored chain could not be trusted (an alteration or gap).
    broken_from: Option<i64>,
    links: HashMap<i64, Hash>,
}

impl Walk {
    fn new() -> Walk {
        Walk { entries: 0, last_seq: 0, problems: Vec::new(), broken_from: None, links: HashMap::new() }
    }

    /// Takes one entry: `expected` is the sequence number it should have, `computed` its link from
    /// the previous one, `stored` its stored link. Returns the link to chain the next one to.
    fn step(&mut self, expected: i64, seq: i64, computed: Option<Hash>, stored: Option<Hash>, want: &[i64]) -> Hash {
        self.entries += 1;
        self.last_seq = seq;
        let stored_or_computed = stored.or(computed).unwrap_or(GENESIS);
        if seq != expected {
            self.problems.push(AuditProblem::Missing { from: expected, to: seq - 1 });
            self.broken_from.get_or_insert(expected);
        } else if computed.is_none() || computed != stored {
            self.problems.push(AuditProblem::Altered { seq });
            self.broken_from.get_or_insert(seq);
        }
        if want.binary_search(&seq).is_ok() {
            self.links.insert(seq, stored_or_computed);
        }
        // The next entry is checked against what was stored, so each alteration is reported once.
        stored_or_computed
    }
}

impl Store {
    /// Writes a checkpoint of each of this device's chains that has entries since its last one
    /// (at close, and before checkpoints are exported).
    pub fn seal_chains(&self) -> Result<()> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let s = Signer { key: &self.device_key, device: &self.device_str, origin: self.origin, now_ms: self.now_ms() };
        for (chain, table) in [(Chain::Changes, "changes"), (Chain::Events, "audit_events")] {
            if meta_i64(&tx, pending_key(chain))? == 0 {
                continue;
            }
            let last: Option<(i64, Vec<u8>)> = tx
                .query_row(
                    &format!("SELECT seq, link FROM {table} WHERE origin = ?1 ORDER BY seq DESC LIMIT 1"),
                    [self.origin],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((seq, link)) = last
                && let Ok(link) = <Hash>::try_from(link.as_slice())
            {
                write_checkpoint(&tx, &s, chain, seq, &link)?;
            }
            tx.execute("UPDATE meta SET value = '0' WHERE key = ?1", [pending_key(chain)])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Benchmarks only: appends `entries` synthetic change-log entries (see
    /// `Writer::log_synthetic`), 100,000 per transaction, telling `progress` how many so far.
    #[doc(hidden)]
    pub fn log_for_benchmark(&self, entries: u64, progress: &mut dyn FnMut(u64)) -> Result<()> {
        let actor = super::Actor { user: "bench".into(), batch: None };
        let mut done = 0u64;
        while done < entries {
            let n = (entries - done).min(100_000);
            self.write(&actor, |w| (done..done + n).try_for_each(|i| w.log_synthetic(i).map(drop)))?;
            done += n;
            progress(done);
        }
        Ok(())
    }

    /// Records an audit event in its own transaction.
    pub fn record_event(&self, actor: &super::Actor, kind: &str, detail: &serde_json::Value) -> Result<()> {
        self.write(actor, |w| w.event(kind, detail))
    }

    /// The book's checkpoints, every origin's, oldest first per origin and chain.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        let conn = self.reader();
        let mut st = conn.prepare(
            "SELECT o.device, coalesce(o.public_key, ''), c.chain, c.seq, c.link, c.at, c.signature
             FROM checkpoints c JOIN origins o ON o.id = c.origin ORDER BY o.device, c.chain, c.seq",
        )?;
        let rows = st.query_map([], |r| {
            let chain: String = r.get(2)?;
            Ok(Checkpoint {
                origin: r.get(0)?,
                public_key: r.get(1)?,
                chain: Chain::parse(&chain).unwrap_or(Chain::Changes),
                seq: r.get(3)?,
                link: hex::encode(r.get::<_, Vec<u8>>(4)?),
                at_ms: r.get(5)?,
                signature: hex::encode(r.get::<_, Vec<u8>>(6)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest audit events, newest first.
    pub fn audit_events(&self, limit: u32) -> Result<Vec<AuditEvent>> {
        let conn = self.reader();
        let mut st = conn.prepare(
            "SELECT o.device, e.seq, e.hlc, e.user_id, e.kind, e.detail,
                    coalesce((SELECT u.name FROM users u WHERE u.id = e.user_id), e.user_id) FROM audit_events e
             JOIN origins o ON o.id = e.origin ORDER BY e.hlc DESC, o.device DESC, e.seq DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(AuditEvent {
                origin: r.get(0)?,
                seq: r.get(1)?,
                at_ms: crate::sync::Hlc::from_raw(r.get(2)?).wall_ms(),
                user: r.get(3)?,
                kind: r.get(4)?,
                detail: r.get(5)?,
                who: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Verifies every origin's chains against their links, sequences and checkpoints, the book's
    /// own and `held` (checkpoints kept outside the book: an export, a backup, a peer's copy).
    /// Reads on a connection of its own, so the desktop keeps working meanwhile.
    pub fn verify_chains(&self, held: &[Checkpoint], progress: &mut dyn FnMut(u64, u64)) -> Result<Vec<ChainReport>> {
        let conn = self.side_reader(64)?;
        let origins: Vec<(i64, String, Option<String>)> = conn
            .prepare("SELECT id, device, public_key FROM origins ORDER BY device")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let total: u64 =
            conn.query_row("SELECT (SELECT count(*) FROM changes) + (SELECT count(*) FROM audit_events)", [], |r| {
                r.get::<_, i64>(0)
            })? as u64;
        let mut done = 0u64;
        progress(0, total);
        let mut reports = Vec::new();
        for (origin, device, public_key) in &origins {
            for chain in [Chain::Changes, Chain::Events] {
                let in_book: Vec<(i64, Vec<u8>, i64, Vec<u8>)> = conn
                    .prepare_cached("SELECT seq, link, at, signature FROM checkpoints WHERE origin = ?1 AND chain = ?2 ORDER BY seq")?
                    .query_map(params![origin, chain.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let book: Vec<Checkpoint> = in_book
                    .into_iter()
                    .map(|(seq, link, at, sig)| Checkpoint {
                        origin: device.clone(),
                        chain,
                        seq,
                        link: hex::encode(link),
                        at_ms: at,
                        public_key: public_key.clone().unwrap_or_default(),
                        signature: hex::encode(sig),
                    })
                    .collect();
                let held: Vec<&Checkpoint> = held.iter().filter(|c| c.origin == *device && c.chain == chain).collect();
                let mut want: Vec<i64> = book.iter().map(|c| c.seq).chain(held.iter().map(|c| c.seq)).collect();
                want.sort_unstable();
                want.dedup();
                let walk = match chain {
                    Chain::Changes => walk_changes(&conn, *origin, device, &want, &mut |n| {
                        done += n;
                        progress(done.min(total), total)
                    })?,
                    Chain::Events => walk_events(&conn, *origin, device, &want, &mut |n| {
                        done += n;
                        progress(done.min(total), total)
                    })?,
                };
                if walk.entries == 0 && book.is_empty() && held.is_empty() {
                    continue;
                }
                let mut problems = walk.problems.clone();
                let trusted_until = walk.broken_from.unwrap_or(i64::MAX);
                let check = |cp: &Checkpoint, held_elsewhere: bool, problems: &mut Vec<AuditProblem>| {
                    if cp.seq > walk.last_seq {
                        let p = AuditProblem::Truncated { after: walk.last_seq, checkpoint: cp.seq };
                        if !problems.iter().any(|q| matches!(q, AuditProblem::Truncated { .. })) {
                            problems.push(p);
                        }
                        return;
                    }
                    if cp.seq >= trusted_until {
                        return;
                    }
                    if walk.links.get(&cp.seq).copied() != cp.link_bytes() {
                        problems.push(AuditProblem::Rewritten { seq: cp.seq, held_elsewhere });
                    }
                };
                for cp in &book {
                    if !cp.signed_by(public_key.as_deref().unwrap_or_default()) {
                        problems.push(AuditProblem::BadSignature { seq: cp.seq });
                        continue;
                    }
                    check(cp, false, &mut problems);
                }
                let mut held_through = None;
                for cp in &held {
                    // A checkpoint not signed by the key it names is no evidence at all.
                    if !cp.signed_by(&cp.public_key) {
                        continue;
                    }
                    if Some(cp.public_key.as_str()) != public_key.as_deref() {
                        problems.push(AuditProblem::KeyReplaced { seq: cp.seq });
                    }
                    check(cp, true, &mut problems);
                    held_through = held_through.max(Some(cp.seq.min(walk.last_seq)));
                }
                // One rewrite shows at every checkpoint after it: the first one says enough.
                let mut seen_rewrite = false;
                problems.retain(|p| match p {
                    AuditProblem::Rewritten { .. } => !std::mem::replace(&mut seen_rewrite, true),
                    _ => true,
                });
                reports.push(ChainReport {
                    origin: device.clone(),
                    this_device: *origin == self.origin,
                    chain,
                    entries: walk.entries,
                    last_seq: walk.last_seq,
                    checkpoints_in_book: book.len() as i64,
                    checkpoints_held: held.len() as i64,
                    held_through,
                    problems,
                });
            }
        }
        progress(total, total);
        Ok(reports)
    }
}

/// A stored text column; anything else (only a hand-edited book has one) hashes as empty text,
/// which no genuine entry does, so the entry shows as altered.
fn text(v: ValueRef<'_>) -> &str {
    v.as_str().unwrap_or("")
}

fn hash_of(v: Option<Vec<u8>>) -> Option<Hash> {
    v.and_then(|v| <Hash>::try_from(v.as_slice()).ok())
}

/// The commitment to an entry's values: made from its salt (columns `salt` and `sealed` of row
/// `r`) and `values`, or, once a privacy erasure dropped them, the commitment it kept; none if
/// both are gone (the entry was tampered with).
fn committed(r: &rusqlite::Row<'_>, salt: usize, sealed: usize, values: &str) -> Result<Option<Hash>> {
    Ok(match (r.get_ref(salt)?.as_blob_or_null().unwrap_or(None), hash_of(r.get(sealed)?)) {
        (Some(salt), _) => Some(chain::commitment(salt, values)),
        (None, Some(sealed)) => Some(sealed),
        (None, None) => None,
    })
}

fn walk_changes(conn: &Connection, origin: i64, device: &str, want: &[i64], done: &mut dyn FnMut(u64)) -> Result<Walk> {
    let mut st = conn.prepare(
        "SELECT seq, hlc, tx, batch_id, user_id, tbl, row_id, op, fields, json_array_length(fields), salt, sealed, link
         FROM changes WHERE origin = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([origin])?;
    let mut walk = Walk::new();
    let mut prev = GENESIS;
    let mut expected = 1i64;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let fields = text(r.get_ref(8)?);
        let computed = match committed(r, 10, 11, fields)? {
            Some(c) => {
                let batch: Option<&str> = r.get_ref(3)?.as_str_or_null().unwrap_or(None);
                let header = EntryHeader {
                    origin: device,
                    seq,
                    hlc: r.get(1)?,
                    tx: r.get(2)?,
                    batch,
                    user: text(r.get_ref(4)?),
                    table: text(r.get_ref(5)?),
                    row: row_key_ref(r.get_ref(6)?),
                    op: text(r.get_ref(7)?),
                };
                Some(chain::link(&prev, &chain::entry_digest(&header, &c)))
            }
            None => None,
        };
        let width: i64 = r.get::<_, Option<i64>>(9)?.unwrap_or(1).max(1);
        prev = walk.step(expected, seq, computed, hash_of(r.get(12)?), want);
        expected = seq + width;
        n += 1;
        if n.is_multiple_of(65_536) {
            done(65_536);
        }
    }
    done(n % 65_536);
    Ok(walk)
}

fn walk_events(conn: &Connection, origin: i64, device: &str, want: &[i64], done: &mut dyn FnMut(u64)) -> Result<Walk> {
    let mut st = conn.prepare(
        "SELECT seq, hlc, user_id, kind, detail, salt, sealed, link FROM audit_events WHERE origin = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([origin])?;
    let mut walk = Walk::new();
    let mut prev = GENESIS;
    let mut expected = 1i64;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let computed = committed(r, 5, 6, text(r.get_ref(4)?))?.map(|c| -> Result<Hash> {
            let header = EventHeader {
                origin: device,
                seq,
                hlc: r.get(1)?,
                user: text(r.get_ref(2)?),
                kind: text(r.get_ref(3)?),
            };
            Ok(chain::link(&prev, &chain::event_digest(&header, &c)))
        });
        let computed = computed.transpose()?;
        prev = walk.step(expected, seq, computed, hash_of(r.get(7)?), want);
        expected = seq + 1;
        n += 1;
    }
    done(n);
    Ok(walk)
}
