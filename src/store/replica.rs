//! The replica seam: what every replica (a desktop, later the office hub) offers sync.
//!
//! - [`Store::sync_vector`]: per origin device, the last change held.
//! - [`Store::sync_changes`]: the origin transactions a vector lacks, read per origin as sequence
//!   ranges, oldest first by clock (a change's clock is after every change it saw, so a change
//!   comes after those it replaced), cut at whole transactions.
//! - [`Store::sync_apply`]: applies a batch in one SQLite transaction: each origin transaction
//!   whole; the entries keep their origin, sequence, clock, transaction, user and batch (they are
//!   not logged again as this desktop's); a repeat is a no-op (the vector is the log itself);
//!   customers touched are re-indexed before it commits; rows take their times from the change's
//!   clock. Entries are checked against their origin's audit chain first: one that is not what
//!   the chain says refuses the whole batch.
//! - Each field change names the change(s) of that field it replaced. A field's leaves are its
//!   changes nothing replaced; with one leaf the row shows it, with several the row shows their
//!   merge (`sync::merge`, one pure function, so every desktop with the same leaves shows the same)
//!   and all of them are kept in `sync_leaves` until a change that saw them (any local edit of the
//!   field, or a settlement from the inbox) replaces them all.
//! - An entry that would break a rule of the book (a constraint) or names a table or column this
//!   version does not know is kept in the log, not applied, and listed in `sync_held`; nothing
//!   stops behind it. A transaction whose earlier changes have not arrived waits.

use super::Store;
use super::gateway::{Actor, Writer};
use super::log::{FieldChange, Head, decode_fields, row_id_text};
use crate::error::{Error, PeerFault, Result};
use crate::security::chain::{self, EntryHeader, RowKey};
use crate::sync::Hlc;
use crate::sync::merge::{self, Leaf};
use crate::sync::wire::{Applied, Batch, Entry, RowId, Tx, Vector, fields_in};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// The tables whose rows travel. Anything else an entry names is held, not applied.
const SYNCED: &[&str] = &[
    "settings",
    "custom_fields",
    "customers",
    "contacts",
    "activities",
    "products",
    "orders",
    "order_lines",
    "users",
    "roles",
    "consents",
    "erasures",
    "members",
    "imports",
];

/// Three pairing codes failing within this long pause invitations for as long again.
const INVITE_PAUSE_MS: i64 = 10 * 60 * 1000;

/// How far ahead of this desktop's wall clock a received change may move its clock.
const MAX_AHEAD_MS: i64 = 5 * 60 * 1000;

/// A field change by (origin number, sequence).
type ChangeAt = (i64, i64);

/// The leaves a new change of a field replaces, taken out of `sync_leaves`: the first (the
/// field's newest change `head` when it is one of them) and the others. A field without stored
/// leaves has one, `head`.
pub(super) fn take_leaves(
    conn: &Connection,
    table: &str,
    key: &Value,
    field: &str,
    head: Option<Head>,
) -> Result<(Option<ChangeAt>, Vec<ChangeAt>)> {
    let mut st = conn.prepare_cached(
        "DELETE FROM sync_leaves WHERE tbl = ?1 AND row_id = ?2 AND field = ?3 RETURNING origin, seq",
    )?;
    let mut stored: Vec<(i64, i64)> =
        st.query_map(params![table, key, field], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    if stored.is_empty() {
        return Ok((head.map(|h| h.at), Vec::new()));
    }
    stored.sort_unstable();
    let first = match head.map(|h| h.at).and_then(|h| stored.iter().position(|l| *l == h)) {
        Some(i) => stored.remove(i),
        None => stored.remove(stored.len() - 1),
    };
    Ok((Some(first), stored))
}

/// Forgets the stored leaves of a field (a change replaced them all).
fn clear_leaves(conn: &Connection, table: &str, key: &Value, field: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_leaves WHERE tbl = ?1 AND row_id = ?2 AND field = ?3")?
        .execute(params![table, key, field])?;
    Ok(())
}

/// Keeps `leaf` as the field's one leaf: it is not the field's newest change by clock.
pub(super) fn pin_leaf(conn: &Connection, table: &str, key: &Value, field: &str, leaf: (i64, i64)) -> Result<()> {
    clear_leaves(conn, table, key, field)?;
    conn.prepare_cached(
        "INSERT INTO sync_leaves (tbl, row_id, field, origin, seq, decision) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
    )?
    .execute(params![table, key, field, leaf.0, leaf.1])?;
    Ok(())
}

fn row_value(row: &RowId) -> Value {
    match row {
        RowId::Uuid(b) => Value::Blob(b.to_vec()),
        RowId::Text(t) => Value::Text(t.clone()),
    }
}

fn row_of(v: Value) -> RowId {
    match v {
        Value::Blob(b) if b.len() == 16 => RowId::Uuid(b.try_into().expect("16 bytes")),
        other => RowId::Text(row_id_text(&other)),
    }
}

/// A logged value as a column value.
fn sql_of(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(*b as i64),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn vector_of(conn: &Connection) -> Result<HashMap<i64, (String, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT o.id, o.device,
                coalesce((SELECT seq + json_array_length(fields) - 1 FROM changes WHERE origin = o.id ORDER BY seq DESC LIMIT 1), 0)
         FROM origins o",
    )?;
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, (r.get::<_, String>(1)?, r.get::<_, i64>(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An entry as a stub: its fields without values, the commitment to them in `sealed`.
fn stub_of(mut e: Entry) -> Entry {
    if let Some(salt) = e.salt.take() {
        e.sealed = Some(chain::commitment(&salt, &e.fields).to_vec());
    }
    e.fields = super::log::without_values(&e.fields);
    e.stub = true;
    e
}

/// Where this desktop's own changes stop travelling for now: the first change of an import (or
/// an import's undo) still running here. An import goes out whole once it ends (peers never see
/// half of it, and a cancelled one goes with its taking back); vectors stay gap-free, so what
/// this desktop logs meanwhile waits behind it.
fn staying_home(conn: &Connection, origin: i64) -> Result<Option<i64>> {
    let running: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM imports WHERE status = 'running' UNION ALL SELECT 'undo:' || id FROM imports WHERE status = 'undoing'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut first: Option<i64> = None;
    let mut st = conn.prepare_cached("SELECT min(seq) FROM changes WHERE batch_id = ?1 AND origin = ?2")?;
    for batch in running {
        if let Some(seq) = st.query_row(params![batch, origin], |r| r.get::<_, Option<i64>>(0))? {
            first = Some(first.map_or(seq, |f| f.min(seq)));
        }
    }
    Ok(first)
}

/// The local number of device `device`, made if the book has not heard of it.
fn origin_id(conn: &Connection, device: &str) -> Result<i64> {
    if uuid::Uuid::try_parse(device).is_err() {
        return Err(Error::PeerRefused { device: device.chars().take(40).collect(), fault: PeerFault::Malformed });
    }
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM origins WHERE device = ?1")?
        .query_row([device], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    conn.prepare_cached("INSERT INTO origins (device) VALUES (?1)")?.execute([device])?;
    Ok(conn.last_insert_rowid())
}

/// Meta key: the last of this desktop's own changes a peer was seen holding as they are (what a
/// copy of the book surely shares with its original).
const OWN_HELD: &str = "own_held";

/// Meta key: a former identity of this book still to be settled with its original desktop
/// (`<origin number>:<cut>`, see [`Store::take_identity_for_copy`]).
const FORMER: &str = "former_unsettled";

/// A former identity of a copied book whose changes after `cut` may not be its original
/// desktop's: the copy made them, or the original made others with the same numbers. Until a
/// peer shows which, this book neither passes them on nor claims them (its vector says `cut`).
#[derive(Debug, Clone, Copy)]
struct Former {
    origin: i64,
    cut: i64,
}

fn former_of(conn: &Connection) -> Result<Option<Former>> {
    let v: Option<String> =
        conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?.query_row([FORMER], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| {
        let (o, c) = v.split_once(':')?;
        Some(Former { origin: o.parse().ok()?, cut: c.parse().ok()? })
    }))
}

fn own_held(conn: &Connection) -> Result<i64> {
    let v: Option<String> =
        conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?.query_row([OWN_HELD], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// The chain link of `origin`'s entry that ends at sequence number `top` (none when no entry
/// ends there): two books whose links agree there hold the same changes of `origin` up to it.
fn link_at(conn: &Connection, origin: i64, top: i64) -> Result<Option<Vec<u8>>> {
    let last: Option<(i64, String, Option<Vec<u8>>)> = conn
        .prepare_cached(
            "SELECT seq, fields, link FROM changes WHERE origin = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([origin, top], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(last.and_then(|(seq, fields, link)| (seq + fields_in(&fields) - 1 == top).then_some(link).flatten()))
}

/// The link of `origin`'s entry that starts at `seq`.
fn link_of(conn: &Connection, origin: i64, seq: i64) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT link FROM changes WHERE origin = ?1 AND seq = ?2")?
        .query_row([origin, seq], |r| r.get::<_, Option<Vec<u8>>>(0))
        .optional()?
        .flatten())
}

/// What a peer's Hello says of this book's own identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerView {
    Fine,
    /// The peer holds more of this desktop's changes than this book does: a copy, or a book
    /// restored outside Banyan.
    StaleCopy,
    /// The peer holds other changes under this desktop's numbers: this book and another were
    /// both used under one identity (a copy, and the desktop it was copied from).
    Diverged,
}

/// Logs again, as this desktop's own, the changes a former identity of this book made from
/// sequence number `from` on (a copy's, which its original never made: see
/// [`Store::take_identity_for_copy`]), then takes them out of the former identity's log, which
/// then ends where this book and the original agree. Each keeps its row, fields, values, user and
/// batch (an import's undo still finds it); a field change that replaced one of them names its
/// new number. They take this transaction's clock: made without seeing what the original did
/// meanwhile, they meet its changes of the same fields as concurrent ones (the inbox, where the
/// values differ).
///
/// An order the copy made took the next number under the code it shared with the original, which
/// the original may have given an order of its own: it is numbered anew under this desktop's
/// `code` (its row too), or every peer would hold it back on the duplicate number.
fn rebase_former(w: &mut Writer<'_>, former: i64, from: i64, code: &str) -> Result<()> {
    type Row = (i64, Option<String>, String, String, Value, String, String);
    let (me, _) = w.this_tx();
    let rows: Vec<Row> = w
        .conn()
        .prepare("SELECT seq, batch_id, user_id, tbl, row_id, op, fields FROM changes WHERE origin = ?1 AND seq >= ?2 ORDER BY seq")?
        .query_map([former, from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut moved: HashMap<i64, i64> = HashMap::new();
    // A peer gives a row the times of the change it applies: those logged again here are now's.
    let wall = w.now_ms();
    for (seq, batch, user, table, row, op, text) in rows {
        if SYNCED.contains(&table.as_str()) {
            let created = if op == "insert" { ", created_at = ?1" } else { "" };
            w.conn().execute(
                &format!("UPDATE {table} SET updated_at = max(updated_at, ?1){created} WHERE id = ?2"),
                params![wall, row_id_text(&row)],
            )?;
        }
        let first = w.next_seq();
        let mut fields = decode_fields(&text);
        if table == "orders"
            && op == "insert"
            && let Some(f) = fields.iter_mut().find(|f| f.field == "number")
        {
            let number = format!("{code}-{:06}", w.next_counter("order_seq")?);
            w.conn().execute("UPDATE orders SET number = ?1 WHERE id = ?2", params![number, row_id_text(&row)])?;
            f.new = serde_json::Value::String(number);
        }
        let remap = |at: &mut ChangeAt, moved: &HashMap<i64, i64>| {
            if at.0 == former
                && let Some(n) = moved.get(&at.1)
            {
                *at = (me, *n);
            }
        };
        for f in &mut fields {
            if let Some(r) = f.replaces.as_mut() {
                remap(r, &moved);
            }
            for a in &mut f.also {
                remap(a, &moved);
            }
        }
        let n = w.log_as(&user, batch.as_deref(), &table, row, &op, fields)? as i64;
        for i in 0..n {
            moved.insert(seq + i, first + i);
        }
    }
    let conn = w.conn();
    conn.execute("DELETE FROM changes WHERE origin = ?1 AND seq >= ?2", [former, from])?;
    conn.execute("DELETE FROM checkpoints WHERE origin = ?1 AND chain = 'changes' AND seq >= ?2", [former, from])?;
    for table in ["sync_leaves", "sync_deleted_edits", "sync_held", "sync_stubs"] {
        let at: Vec<i64> = conn
            .prepare(&format!("SELECT DISTINCT seq FROM {table} WHERE origin = ?1 AND seq >= ?2"))?
            .query_map([former, from], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for seq in at {
            match moved.get(&seq) {
                Some(n) => conn.execute(
                    &format!("UPDATE {table} SET origin = ?1, seq = ?2 WHERE origin = ?3 AND seq = ?4"),
                    [me, *n, former, seq],
                )?,
                None => conn.execute(&format!("DELETE FROM {table} WHERE origin = ?1 AND seq = ?2"), [former, seq])?,
            };
        }
    }
    // The former identity's numbering of devices was this book's when it was copied; numbers this
    // copy gave devices since (it may have met some) are not the original's, whose changes name
    // devices by its own: only those its remaining changes use stay.
    let mut used: BTreeSet<i64> = BTreeSet::new();
    {
        let mut st = conn.prepare("SELECT fields FROM changes WHERE origin = ?1")?;
        let mut rows = st.query([former])?;
        while let Some(r) = rows.next()? {
            for f in decode_fields(&r.get::<_, String>(0)?) {
                used.extend(f.replaces.iter().chain(f.also.iter()).map(|(n, _)| *n));
            }
        }
    }
    let numbers: Vec<i64> = conn
        .prepare("SELECT number FROM origin_numbers WHERE origin = ?1")?
        .query_map([former], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for n in numbers.into_iter().filter(|n| !used.contains(n)) {
        conn.execute("DELETE FROM origin_numbers WHERE origin = ?1 AND number = ?2", [former, n])?;
    }
    conn.execute("DELETE FROM meta WHERE key = ?1", [FORMER])?;
    Ok(())
}

impl Store {
    /// Per origin device, the last change this book holds.
    pub fn sync_vector(&self) -> Result<Vector> {
        let conn = self.reader();
        let home = staying_home(&conn, self.origin)?;
        let former = former_of(&conn)?;
        Ok(Vector(
            vector_of(&conn)?
                .into_iter()
                .map(|(o, (d, s))| {
                    let s = match former {
                        Some(f) if f.origin == o => s.min(f.cut),
                        _ => s,
                    };
                    (d, if o == self.origin { home.map_or(s, |h| s.min(h - 1)) } else { s })
                })
                .filter(|(_, s)| *s > 0)
                .collect(),
        ))
    }

    /// The origin transactions `since` lacks, oldest first, about `max_changes` field changes of
    /// them (whole transactions: at least one), and whether more remain.
    pub fn sync_changes(&self, since: &Vector, max_changes: usize) -> Result<Batch> {
        self.sync_changes_for(since, max_changes, &|_, _| true)
    }

    /// [`Store::sync_changes`] for a receiver that may see only some rows: the changes of a row
    /// `visible` refuses (table, row) travel as stubs (see [`Entry::stub`]), as do those this
    /// book holds only as stubs itself. The feed's filter point for per-user scopes.
    pub fn sync_changes_for(
        &self,
        since: &Vector,
        max_changes: usize,
        visible: &dyn Fn(&str, &RowId) -> bool,
    ) -> Result<Batch> {
        let conn = self.reader();
        let origins: Vec<(i64, String)> = conn
            .prepare_cached("SELECT id, device FROM origins")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut units: Vec<(i64, Tx)> = Vec::new();
        let mut more = false;
        let mut st = conn.prepare_cached(
            "SELECT seq, hlc, tx, batch_id, user_id, tbl, row_id, op, fields, salt, sealed, link, sig
             FROM changes WHERE origin = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let home = staying_home(&conn, self.origin)?;
        let former = former_of(&conn)?;
        let any_stubs: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sync_stubs)", [], |r| r.get(0))?;
        for (origin, device) in &origins {
            let mut rows = st.query(params![origin, since.get(device)])?;
            let mut count = 0usize;
            let mut cur: Option<Tx> = None;
            while let Some(r) = rows.next()? {
                let seq: i64 = r.get(0)?;
                if *origin == self.origin && home.is_some_and(|h| seq >= h) {
                    // A running import's (and whatever this desktop did after it began) goes
                    // when it ends.
                    break;
                }
                if former.is_some_and(|f| f.origin == *origin && seq > f.cut) {
                    // Maybe a copy's own, under its former identity: not passed on as that.
                    break;
                }
                let tx_no: i64 = r.get(2)?;
                if cur.as_ref().is_none_or(|t| t.tx != tx_no) {
                    if count >= max_changes {
                        more = true;
                        break;
                    }
                    if let Some(done) = cur.take() {
                        units.push((*origin, done));
                    }
                    cur = Some(Tx {
                        origin: device.clone(),
                        tx: tx_no,
                        hlc: r.get(1)?,
                        user: r.get(4)?,
                        batch: r.get(3)?,
                        numbers: Vec::new(),
                        entries: Vec::new(),
                        sig: Vec::new(),
                    });
                }
                let fields: String = r.get(8)?;
                count += fields_in(&fields) as usize;
                let mut entry = Entry {
                    seq,
                    table: r.get(5)?,
                    row: row_of(r.get(6)?),
                    op: r.get(7)?,
                    fields,
                    salt: r.get(9)?,
                    sealed: r.get(10)?,
                    link: r.get::<_, Option<Vec<u8>>>(11)?.unwrap_or_default(),
                    stub: false,
                };
                let held_as_stub = any_stubs
                    && conn
                        .prepare_cached("SELECT 1 FROM sync_stubs WHERE origin = ?1 AND seq = ?2")?
                        .query_row(params![origin, seq], |_| Ok(()))
                        .optional()?
                        .is_some();
                if held_as_stub || !visible(&entry.table, &entry.row) {
                    entry = stub_of(entry);
                }
                let tx = cur.as_mut().expect("started above");
                // On the transaction's last entry.
                if let Some(sig) = r.get::<_, Option<Vec<u8>>>(12)? {
                    tx.sig = sig;
                }
                tx.entries.push(entry);
            }
            if let Some(done) = cur.take() {
                units.push((*origin, done));
            }
        }
        units.sort_by(|(_, a), (_, b)| (a.hlc, &a.origin, a.entries[0].seq).cmp(&(b.hlc, &b.origin, b.entries[0].seq)));
        let mut txs = Vec::new();
        let mut total = 0usize;
        let mut left = units.into_iter();
        for (origin, mut tx) in left.by_ref() {
            tx.numbers = numbers_of(&conn, origin, self.origin == origin, &tx)?;
            total += tx.width() as usize;
            txs.push(tx);
            if total >= max_changes {
                break;
            }
        }
        more |= left.next().is_some();
        Ok(Batch { txs, more })
    }

    /// Applies `txs` (as [`Store::sync_changes`] gave them) in one transaction.
    ///
    /// Their signatures are checked on a second thread while they apply (an Ed25519 check costs
    /// about as much as applying a small transaction: 100,000 changes in 10,000 transactions
    /// took 0.5 s longer checked in line, `cargo xtask bench sync`); nothing commits before
    /// every applied transaction's signature has passed.
    pub fn sync_apply(&self, txs: &[Tx]) -> Result<Applied> {
        let actor = Actor { user: String::new(), batch: None };
        let me = self.device_str.clone();
        let code = self.device_code.clone();
        let now = self.now_ms();
        let keys = member_keys(&self.reader())?;
        let book = self.book_id()?;
        std::thread::scope(|scope| {
            let checked = scope
                .spawn(|| txs.iter().map(|t| keys.get(&t.origin).map(|k| signed(k, t))).collect::<Vec<Option<bool>>>());
            self.write(&actor, |w| {
                let (report, applied) = apply(w, &me, &code, txs, now)?;
                repair_merges(w, txs)?;
                let verdicts = checked.join().map_err(|_| Error::Corrupt("signature check".into()))?;
                for i in applied {
                    let tx = &txs[i];
                    let ok = match verdicts[i] {
                        Some(ok) => ok,
                        // A member admitted earlier in this batch: its key is in the book now.
                        None => match member_keys(w.conn())?.get(&tx.origin) {
                            Some(k) if admitted(w.conn(), &tx.origin, &book)? => signed(k, tx),
                            _ => {
                                return Err(Error::PeerRefused {
                                    device: tx.origin.chars().take(40).collect(),
                                    fault: PeerFault::NotMember,
                                });
                            }
                        },
                    };
                    if !ok {
                        return Err(Error::PeerRefused {
                            device: tx.origin.chars().take(40).collect(),
                            fault: PeerFault::Forged,
                        });
                    }
                }
                Ok(report)
            })
        })
    }

    /// This desktop's short code (what order numbers and history show).
    pub fn device_code(&self) -> &str {
        &self.device_code
    }

    /// The held changes that wait for a column, in clock order. Run at every open, so it must cost
    /// nothing when none wait: `CROSS JOIN` keeps SQLite's planner from walking the whole log by its
    /// row index to save the sort (it did: 2.2 s and 270 MB of cache at each open of a
    /// 1,000,000-customer book, found by a throwaway timing).
    const HELD_WAITING: &str = "SELECT h.origin, h.seq, h.waiting FROM sync_held h CROSS JOIN changes c
         ON c.origin = h.origin AND c.seq = h.seq WHERE h.waiting IS NOT NULL ORDER BY c.hlc, h.origin, h.seq";

    /// Applies what held entries wait for now that this version has it (a migration added the
    /// columns or table they name), oldest first: each field as if it had just arrived, so what
    /// the row shows and any decision are what a desktop that knew the column all along has.
    /// Returns the entries now wholly applied. Runs when the book opens; cheap when nothing waits.
    pub fn sync_reapply_held(&self) -> Result<u32> {
        let pending: Vec<(i64, i64, String)> = self
            .reader()
            .prepare(Self::HELD_WAITING)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if pending.is_empty() {
            return Ok(0);
        }
        let actor = Actor { user: String::new(), batch: None };
        self.write(&actor, |w| {
            let mut waiting: HashMap<(i64, i64), Vec<String>> = pending
                .iter()
                .map(|(o, s, names)| ((*o, *s), serde_json::from_str(names).unwrap_or_default()))
                .collect();
            let mut columns = HashMap::new();
            let mut done = 0;
            for (origin, seq, _) in &pending {
                let key = (*origin, *seq);
                let only = waiting[&key].clone();
                let (hlc, tx_no, user, batch, table, row, op, text, device): (
                    i64,
                    i64,
                    String,
                    Option<String>,
                    String,
                    Value,
                    String,
                    String,
                    String,
                ) = w.conn().query_row(
                    "SELECT c.hlc, c.tx, c.user_id, c.batch_id, c.tbl, c.row_id, c.op, c.fields, o.device
                     FROM changes c JOIN origins o ON o.id = c.origin WHERE c.origin = ?1 AND c.seq = ?2",
                    [origin, seq],
                    |r| {
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
                    },
                )?;
                let fields = decode_fields(&text);
                // What each field change replaced, in this book's numbering of devices.
                let mut preds = Vec::with_capacity(fields.len());
                for f in &fields {
                    let mut p = Vec::new();
                    for (n, s) in f.replaces.iter().chain(f.also.iter()) {
                        let d: i64 = w
                            .conn()
                            .prepare_cached("SELECT device FROM origin_numbers WHERE origin = ?1 AND number = ?2")?
                            .query_row([origin, n], |r| r.get(0))
                            .optional()?
                            .ok_or_else(|| Error::Corrupt(format!("origin number {n} of {origin}")))?;
                        p.push((d, *s));
                    }
                    preds.push(p);
                }
                let tx = Tx {
                    origin: device,
                    tx: tx_no,
                    hlc,
                    user,
                    batch,
                    numbers: Vec::new(),
                    entries: Vec::new(),
                    sig: Vec::new(),
                };
                let e = Entry {
                    seq: *seq,
                    table,
                    row: row_of(row),
                    op,
                    fields: text,
                    salt: None,
                    sealed: None,
                    link: Vec::new(),
                    stub: false,
                };
                let outcome = {
                    let skip = |o: i64, s: i64, f: &str| waiting.get(&(o, s)).is_some_and(|w| w.iter().any(|x| x == f));
                    effect(w, *origin, &tx, &e, &fields, &preds, &mut columns, Some(&only), &skip)?
                };
                match outcome {
                    Effect::Applied => {
                        w.conn()
                            .prepare_cached("DELETE FROM sync_held WHERE origin = ?1 AND seq = ?2")?
                            .execute([origin, seq])?;
                        waiting.remove(&key);
                        done += 1;
                    }
                    Effect::Partly(rest) | Effect::Held(_, Some(rest)) => {
                        let reason = unknown_columns(&e.table, &rest);
                        w.conn()
                            .prepare_cached(
                                "UPDATE sync_held SET reason = ?3, waiting = ?4 WHERE origin = ?1 AND seq = ?2",
                            )?
                            .execute(params![origin, seq, reason, serde_json::to_string(&rest).expect("strings")])?;
                        waiting.insert(key, rest);
                    }
                    Effect::Held(reason, None) => {
                        w.conn()
                            .prepare_cached(
                                "UPDATE sync_held SET reason = ?3, waiting = NULL WHERE origin = ?1 AND seq = ?2",
                            )?
                            .execute(params![origin, seq, reason])?;
                        waiting.remove(&key);
                    }
                }
            }
            Ok(done)
        })
    }

    /// Writes `values` to a row through the gateway as a desktop of a newer version would (a
    /// column this version's screens do not know): this package's tests only.
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn update_for_test(&self, table: &'static str, id: &str, values: Vec<(&'static str, Value)>) -> Result<()> {
        self.write(&Actor { user: String::new(), batch: None }, |w| {
            w.apply(super::gateway::Change::Update { table, id, values })?;
            Ok(())
        })
    }

    /// How many entries from elsewhere are kept but not (wholly) applied.
    pub fn sync_held_count(&self) -> Result<u32> {
        Ok(self.reader().query_row("SELECT count(*) FROM sync_held", [], |r| r.get(0))?)
    }

    /// The customer a contact, activity or order belongs to.
    pub fn customer_of_row(&self, table: &str, id: &str) -> Result<Option<String>> {
        match table {
            "contacts" | "activities" | "orders" => super::search::owner_of(&self.reader(), table, id),
            _ => Ok(None),
        }
    }

    #[doc(hidden)]
    pub fn sync_conflict_count(&self) -> Result<i64> {
        Ok(self.reader().query_row("SELECT count(*) FROM sync_leaves WHERE decision = 1", [], |r| r.get(0))?)
    }

    /// A digest of everything a book's replicas must agree on once they hold the same changes:
    /// every synced table's rows and the leaves of fields changed concurrently (by device, not by
    /// local number). Tests and the sync bench compare it across desktops.
    #[doc(hidden)]
    pub fn sync_digest(&self) -> Result<String> {
        digest_of(&self.reader())
    }

    /// Makes this book a new device: a copied file or a restored backup must not reuse the
    /// sequence numbers its original goes on using. The changes it holds stay as they are (its
    /// old identity's are now just another origin's).
    pub fn take_new_identity(&mut self) -> Result<()> {
        let device = crate::model::DeviceId::new(self.now_ms());
        self.take_identity(device, super::device_code(), crate::security::chain::DeviceKey::random()?)
    }

    /// [`Store::take_new_identity`] for a book restored from a backup: if its former identity was
    /// a member of the book, that identity vouches for the new one. The new desktop writes its own
    /// member row (the former one's name and certificate fingerprint, its new signing key and
    /// code) with the former key's signature over them; members accept a member row a desktop
    /// wrote for itself only with such a signature by a live member (`admitted_by_vouch`). Until
    /// a round has carried that row to a peer, this desktop presents its former TLS certificate,
    /// which peers know (`sync_tls_for_peers`); its changes are its new identity's all along.
    pub fn take_vouched_identity(&mut self) -> Result<()> {
        let former = self.device_str.clone();
        let member = self.members()?.into_iter().find(|m| m.device == former && m.revoked_at.is_none());
        let former_key = chain::DeviceKey::from_hex(&self.device_key.to_hex()).expect("a key's own hex");
        let tls = self.sync_tls()?;
        self.take_new_identity()?;
        let Some(member) = member else { return Ok(()) };
        if let Some((cert, key)) = tls {
            let conn = self.writer();
            let key = zeroize::Zeroizing::new(hex::encode(key.as_slice()));
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('tls_cert_prev', ?1)", [hex::encode(cert)])?;
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('tls_key_prev', ?1)", [key.as_str()])?;
        }
        let public = self.signing_public_key();
        let vouch = former_key.sign_vouch(&self.book_id()?, &self.device_str, &public, &self.device_code);
        let me = Member {
            device: self.device_str.clone(),
            name: member.name,
            fingerprint: member.fingerprint,
            code: self.device_code.clone(),
            added_by: Some(former),
            added_at: 0,
            revoked_at: None,
            signing_key: Some(public),
            vouch: Some(vouch),
            last_seen: None,
            address: None,
        };
        self.put_member(&Actor { user: String::new(), batch: None }, &me)
    }

    /// [`Store::take_vouched_identity`] for a book copied from another desktop that may have
    /// gone on using the same identity (see [`Store::sync_meet`]): the former identity's changes
    /// after the last of them a peer was seen holding may be the copy's alone, or the original
    /// may have made others under the same numbers. This book passes none of them on, and its
    /// vector claims none, until a peer shows where the two parted: the copy's own from there are
    /// then logged again as this desktop's (`rebase_former`), and the original's come in.
    pub fn take_identity_for_copy(&mut self) -> Result<()> {
        let (former, cut, unsettled) = {
            let conn = self.reader();
            (self.origin, own_held(&conn)?, former_of(&conn)?.is_some())
        };
        self.take_vouched_identity()?;
        if !unsettled {
            // (A copy of a copy that has not met a peer since settles the first one first.)
            self.writer().execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [FORMER.to_string(), format!("{former}:{cut}")],
            )?;
        }
        Ok(())
    }

    /// Per device of `vector`, the chain link of the change its number ends at: a peer whose
    /// link differs holds other changes under the same numbers.
    pub fn sync_tips(&self, vector: &Vector) -> Result<std::collections::BTreeMap<String, Vec<u8>>> {
        let conn = self.reader();
        let mut out = std::collections::BTreeMap::new();
        for (device, top) in &vector.0 {
            let origin: Option<i64> = conn
                .prepare_cached("SELECT id FROM origins WHERE device = ?1")?
                .query_row([device], |r| r.get(0))
                .optional()?;
            if let Some(link) = origin.map(|o| link_at(&conn, o, *top)).transpose()?.flatten() {
                out.insert(device.clone(), link);
            }
        }
        Ok(out)
    }

    /// What a peer's Hello (its vector and [`Store::sync_tips`]) says of this book's own
    /// identity, before anything moves. When it is fine, notes how much of this desktop's log the
    /// peer holds, and settles a former identity of a copied book as far as the peer shows: when
    /// the peer holds its changes as this book does up to where the peer's end, those this book
    /// holds after that are the copy's own, logged again as this desktop's now.
    pub fn sync_meet(&self, peer: &Vector, tips: &std::collections::BTreeMap<String, Vec<u8>>) -> Result<PeerView> {
        let same = |conn: &Connection, origin: i64, device: &str, top: i64| -> Result<bool> {
            Ok(top == 0 || link_at(conn, origin, top)?.as_deref() == tips.get(device).map(|t| t.as_slice()))
        };
        let (held, settle) = {
            let conn = self.reader();
            let tops = vector_of(&conn)?;
            let top_of = |o: i64| tops.get(&o).map_or(0, |(_, s)| *s);
            let held = peer.get(&self.device_str);
            if held > top_of(self.origin) {
                return Ok(PeerView::StaleCopy);
            }
            if !same(&conn, self.origin, &self.device_str, held)? {
                return Ok(PeerView::Diverged);
            }
            let settle = match (former_of(&conn)?, own_held(&conn)?) {
                (Some(f), _) => {
                    let device = tops.get(&f.origin).map(|(d, _)| d.clone()).unwrap_or_default();
                    let theirs = peer.get(&device);
                    (theirs >= f.cut && theirs <= top_of(f.origin) && same(&conn, f.origin, &device, theirs)?)
                        .then_some((f.origin, theirs + 1))
                }
                _ => None,
            };
            let known = own_held(&conn)?;
            ((held > known).then_some(held), settle)
        };
        if let Some(held) = held {
            // Written only when it grows: a hub meets its peers many times a minute.
            self.writer().execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [OWN_HELD.to_string(), held.to_string()],
            )?;
        }
        if let Some((former, from)) = settle {
            let code = self.device_code.clone();
            self.write(&Actor { user: String::new(), batch: None }, |w| rebase_former(w, former, from, &code))?;
        }
        Ok(PeerView::Fine)
    }

    /// The TLS identity to show peers: the former one while a restored book's new identity has not
    /// reached any peer yet (see [`Store::take_vouched_identity`]), else this desktop's.
    pub fn sync_tls_for_peers(&self) -> Result<Option<TlsIdentity>> {
        match self.tls_in("tls_cert_prev", "tls_key_prev")? {
            Some(prev) => Ok(Some(prev)),
            None => self.sync_tls(),
        }
    }

    /// A round finished: a peer holds this desktop's member row now, so the former TLS identity
    /// is dropped. Whether there was one.
    pub fn sync_identity_known(&self) -> Result<bool> {
        let n = self.writer().execute("DELETE FROM meta WHERE key IN ('tls_cert_prev', 'tls_key_prev')", [])?;
        Ok(n > 0)
    }

    /// Makes this book device `device` with order-number code `code` and signing key `key` (a
    /// joining desktop takes the id, code and key its member row was written with); the TLS
    /// identity of the device it was copied from is dropped.
    pub fn take_identity(
        &mut self,
        device: crate::model::DeviceId,
        code: String,
        key: crate::security::chain::DeviceKey,
    ) -> Result<()> {
        let origin = {
            let mut conn = self.writer();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // The old identity's entries name devices by this book's numbering: say so, as for
            // any origin's, so they can be passed on.
            tx.execute(
                "INSERT OR IGNORE INTO origin_numbers (origin, number, device) SELECT ?1, id, id FROM origins",
                [self.origin],
            )?;
            tx.execute("INSERT INTO origins (device) VALUES (?1)", [device.to_string()])?;
            let origin = tx.last_insert_rowid();
            super::audit::give_device_key(&tx, origin, &key)?;
            tx.execute("DELETE FROM meta WHERE key IN ('tls_cert', 'tls_key', ?1)", [OWN_HELD])?;
            for (k, v) in [
                ("device_id", device.to_string()),
                ("device_code", code.clone()),
                ("origin_seq", "0".into()),
                ("event_seq", "0".into()),
                ("chain_pending", "0".into()),
                ("event_pending", "0".into()),
            ] {
                tx.execute("UPDATE meta SET value = ?2 WHERE key = ?1", (k, v))?;
            }
            tx.commit()?;
            origin
        };
        self.device = device;
        self.device_str = device.to_string();
        self.origin = origin;
        self.device_code = code;
        self.device_key = key;
        Ok(())
    }
}

/// Migration 0016: signs this desktop's own transactions logged before changes were signed (the
/// key is in the book; other desktops' were never passed on by a version that signs).
pub(super) fn sign_own_transactions(conn: &Connection, progress: &dyn Fn(u64, u64)) -> rusqlite::Result<()> {
    let fail = |e: Error| rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(e.to_string())));
    let device: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).optional()?;
    let Some(device) = device else { return Ok(()) };
    let origin: Option<i64> =
        conn.query_row("SELECT id FROM origins WHERE device = ?1", [&device], |r| r.get(0)).optional()?;
    let Some(origin) = origin else { return Ok(()) };
    let key = super::audit::load_device_key(conn).map_err(fail)?;
    // Each transaction's last entry: its number, first sequence number and link.
    let last: Vec<(i64, i64, Option<Vec<u8>>)> = conn
        .prepare(
            "SELECT tx, seq, link FROM changes WHERE origin = ?1 AND seq IN
               (SELECT max(seq) FROM changes WHERE origin = ?1 GROUP BY tx)",
        )?
        .query_map([origin], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let total = last.len() as u64;
    let mut set = conn.prepare("UPDATE changes SET sig = ?3 WHERE origin = ?1 AND seq = ?2")?;
    for (i, (tx, seq, link)) in last.into_iter().enumerate() {
        let Some(link) = link.and_then(|l| <chain::Hash>::try_from(l.as_slice()).ok()) else { continue };
        set.execute(params![origin, seq, key.sign_tx(&device, tx, seq, &link).as_slice()])?;
        if i % 10_000 == 0 {
            progress(i as u64, total);
        }
    }
    progress(total, total);
    Ok(())
}

/// The devices behind the origin numbers `tx`'s fields name: this book's own numbering for its
/// own changes, the origin's (as it told us) for a change that came from elsewhere.
fn numbers_of(conn: &Connection, origin: i64, own: bool, tx: &Tx) -> Result<Vec<(i64, String)>> {
    let mut wanted: BTreeSet<i64> = BTreeSet::new();
    for e in &tx.entries {
        for f in decode_fields(&e.fields) {
            wanted.extend(f.replaces.iter().chain(f.also.iter()).map(|(o, _)| *o));
        }
    }
    let mut out = Vec::with_capacity(wanted.len());
    for n in wanted {
        let device: Option<String> = if own {
            conn.prepare_cached("SELECT device FROM origins WHERE id = ?1")?.query_row([n], |r| r.get(0)).optional()?
        } else {
            conn.prepare_cached(
                "SELECT d.device FROM origin_numbers x JOIN origins d ON d.id = x.device WHERE x.origin = ?1 AND x.number = ?2",
            )?
            .query_row([origin, n], |r| r.get(0))
            .optional()?
        };
        let device = device.ok_or_else(|| Error::Corrupt(format!("origin number {n} of origin {origin}")))?;
        out.push((n, device));
    }
    Ok(out)
}

/// What became of one transaction.
enum Outcome {
    Applied { changes: u32 },
    Repeat,
    Wait,
}

/// Whether a desktop first met in this batch is a member: its member row was written by another
/// desktop (the member that invited it), or by itself with its former identity's vouch (a book
/// restored from a backup, see `Store::take_vouched_identity`): the signature of a member still
/// live. That member may itself have arrived earlier in this batch (its row written by the
/// member that invited it, whose transaction was checked before this one): its key is read from
/// the book as the batch has made it so far.
fn admitted(conn: &Connection, device: &str, book: &str) -> Result<bool> {
    let writer: Option<String> = conn
        .prepare_cached(
            "SELECT o.device FROM changes c JOIN origins o ON o.id = c.origin
             WHERE c.tbl = 'members' AND c.row_id = ?1 AND c.op = 'insert' ORDER BY c.hlc LIMIT 1",
        )?
        .query_row([super::gateway::row_key(device)], |r| r.get(0))
        .optional()?;
    if writer.as_deref() != Some(device) {
        return Ok(true);
    }
    type Row = (Option<String>, Option<String>, Option<String>, String);
    let row: Option<Row> = conn
        .prepare_cached("SELECT added_by, vouch, signing_key, code FROM members WHERE id = ?1")?
        .query_row([device], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((Some(by), Some(vouch), Some(public), code)) = row else { return Ok(false) };
    let live: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM members WHERE id = ?1 AND deleted_at IS NULL)")?
        .query_row([&by], |r| r.get(0))?;
    let keys = member_keys(conn)?;
    Ok(live && keys.get(&by).is_some_and(|k| k.vouched(&vouch, book, device, &public, &code)))
}

/// Every member's signing key, by device id.
fn member_keys(conn: &Connection) -> Result<HashMap<String, chain::PublicKey>> {
    let mut st = conn.prepare_cached("SELECT id, signing_key FROM members WHERE signing_key IS NOT NULL")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (device, key) = row?;
        if let Some(k) = chain::PublicKey::from_hex(&key) {
            out.insert(device, k);
        }
    }
    Ok(out)
}

/// Whether `tx` is signed by `key`. The signature covers the last entry's link as sent; applying
/// checks that link against the origin's chain, so the two together vouch for every entry.
fn signed(key: &chain::PublicKey, tx: &Tx) -> bool {
    let Some(last) = tx.entries.last() else { return false };
    let Ok(link) = <chain::Hash>::try_from(last.link.as_slice()) else { return false };
    key.signed_tx(&tx.sig, &tx.origin, tx.tx, last.seq, &link)
}

/// Applies what it can of `txs`; returns the report and the indices of the transactions applied.
fn apply(w: &mut Writer<'_>, me: &str, code: &str, txs: &[Tx], now: i64) -> Result<(Applied, Vec<usize>)> {
    let mut held: HashMap<i64, (String, i64)> = vector_of(w.conn())?;
    let mut report = Applied::default();
    let mut applied = Vec::new();
    let mut pending: Vec<(usize, &Tx)> = txs.iter().enumerate().collect();
    let mut latest = Hlc::ZERO;
    let mut columns: HashMap<String, Vec<String>> = HashMap::new();
    let mut former = former_of(w.conn())?;
    // A transaction can wait for one later in the batch (a clock stamped ahead broke the order):
    // passes go on while one of them gets somewhere.
    loop {
        let mut next = Vec::new();
        let mut progress = false;
        for (i, tx) in pending {
            match apply_tx(w, me, code, tx, &mut held, &mut report, &mut columns, &mut former)? {
                Outcome::Applied { changes } => {
                    applied.push(i);
                    progress = true;
                    report.txs += 1;
                    report.changes += changes;
                    let h = Hlc::from_raw(tx.hlc);
                    if h.wall_ms() > now + MAX_AHEAD_MS {
                        report.ahead += 1;
                    } else {
                        latest = latest.max(h);
                    }
                }
                Outcome::Repeat => report.repeats += 1,
                Outcome::Wait => next.push((i, tx)),
            }
        }
        pending = next;
        if pending.is_empty() || !progress {
            break;
        }
    }
    report.waiting = pending.len() as u32;
    w.receive(latest);
    report.conflicts = w.conn().query_row(
        "SELECT count(DISTINCT tbl || x'1f' || quote(row_id) || x'1f' || field) FROM sync_leaves WHERE decision = 1",
        [],
        |r| r.get(0),
    )?;
    Ok((report, applied))
}

#[allow(clippy::too_many_arguments)]
fn apply_tx(
    w: &mut Writer<'_>,
    me: &str,
    code: &str,
    tx: &Tx,
    held: &mut HashMap<i64, (String, i64)>,
    report: &mut Applied,
    columns: &mut HashMap<String, Vec<String>>,
    former: &mut Option<Former>,
) -> Result<Outcome> {
    let refuse = |fault| Error::PeerRefused { device: tx.origin.chars().take(40).collect(), fault };
    let Some(first) = tx.entries.first() else { return Err(refuse(PeerFault::Malformed)) };
    let origin = origin_id(w.conn(), &tx.origin)?;
    let mut have = held.get(&origin).map(|(_, s)| *s).unwrap_or(0);
    let (start, end) = (first.seq, tx.last_seq());
    if let Some(f) = former.filter(|f| f.origin == origin) {
        if start <= have {
            // A former identity of this copied book (its vector said `cut`): the first of the
            // peer's changes this book holds otherwise is where the copy and its original parted.
            let mut parted = None;
            for e in tx.entries.iter().filter(|e| e.seq <= have) {
                if link_of(w.conn(), origin, e.seq)?.as_deref() != Some(e.link.as_slice()) {
                    parted = Some(e.seq);
                    break;
                }
            }
            match parted {
                None if end <= have => return Ok(Outcome::Repeat),
                Some(seq) if seq == start && seq > f.cut => {
                    rebase_former(w, origin, seq, code)?;
                    *former = None;
                    have = seq - 1;
                    held.insert(origin, (tx.origin.clone(), have));
                    held.insert(w.this_tx().0, (me.to_string(), w.next_seq() - 1));
                }
                _ => return Err(refuse(PeerFault::TwoContents)),
            }
        } else if start == have + 1 {
            // The peer holds every change of it this book holds, as they are, and more: none of
            // them is the copy's alone.
            w.conn().execute("DELETE FROM meta WHERE key = ?1", [FORMER])?;
            *former = None;
        }
    }
    let conn = w.conn();
    if end <= have {
        // Held already: the same change must have the same content (its chain link says so).
        let last = tx.entries.last().expect("not empty");
        let link: Option<Option<Vec<u8>>> = conn
            .prepare_cached("SELECT link FROM changes WHERE origin = ?1 AND seq = ?2")?
            .query_row([origin, last.seq], |r| r.get(0))
            .optional()?;
        return match link {
            Some(Some(l)) if l == last.link => Ok(Outcome::Repeat),
            _ => Err(refuse(PeerFault::TwoContents)),
        };
    }
    if tx.origin == me {
        return Err(refuse(PeerFault::AheadOfUs));
    }
    if start <= have {
        return Err(refuse(PeerFault::Malformed));
    }
    if start != have + 1 {
        return Ok(Outcome::Wait);
    }
    // Entries must follow one another within the transaction.
    let mut expect = start;
    for e in &tx.entries {
        if e.seq != expect {
            return Err(refuse(PeerFault::Malformed));
        }
        expect = e.seq + fields_in(&e.fields);
    }
    // The origin's numbering of devices, as far as this transaction uses it.
    let mut numbers: HashMap<i64, i64> = HashMap::new();
    for (n, device) in &tx.numbers {
        let d = origin_id(conn, device)?;
        let known: Option<i64> = conn
            .prepare_cached("SELECT device FROM origin_numbers WHERE origin = ?1 AND number = ?2")?
            .query_row([origin, *n], |r| r.get(0))
            .optional()?;
        match known {
            Some(k) if k != d => return Err(refuse(PeerFault::Malformed)),
            _ => {}
        }
        numbers.insert(*n, d);
    }
    // Every change a field change replaced must be here, or be earlier in this transaction.
    let decoded: Vec<Vec<FieldChange>> = tx.entries.iter().map(|e| decode_fields(&e.fields)).collect();
    let mut preds: Vec<Vec<Vec<(i64, i64)>>> = Vec::with_capacity(decoded.len());
    for fields in &decoded {
        let mut per_entry = Vec::with_capacity(fields.len());
        for f in fields {
            let mut p = Vec::new();
            for (n, s) in f.replaces.iter().chain(f.also.iter()) {
                let d = *numbers.get(n).ok_or_else(|| refuse(PeerFault::Malformed))?;
                let present =
                    held.get(&d).map(|(_, h)| *h).unwrap_or(0) >= *s || (d == origin && *s >= start && *s < end);
                if !present {
                    return Ok(Outcome::Wait);
                }
                p.push((d, *s));
            }
            per_entry.push(p);
        }
        preds.push(per_entry);
    }
    // The origin's chain: each entry's link is its digest chained to the one before.
    let mut prev = super::audit::last_link(conn, "changes", origin)?;
    for e in &tx.entries {
        let commitment = match (&e.salt, &e.sealed) {
            (Some(salt), _) => chain::commitment(salt, &e.fields),
            (None, Some(sealed)) => {
                <chain::Hash>::try_from(sealed.as_slice()).map_err(|_| refuse(PeerFault::Altered))?
            }
            (None, None) => return Err(refuse(PeerFault::Altered)),
        };
        let header = EntryHeader {
            origin: &tx.origin,
            seq: e.seq,
            hlc: tx.hlc,
            tx: tx.tx,
            batch: tx.batch.as_deref(),
            user: &tx.user,
            table: &e.table,
            row: match &e.row {
                RowId::Uuid(b) => RowKey::Blob(b),
                RowId::Text(t) => RowKey::Text(t),
            },
            op: &e.op,
        };
        let link = chain::link(&prev, &chain::entry_digest(&header, &commitment));
        if link.as_slice() != e.link.as_slice() {
            return Err(refuse(PeerFault::Altered));
        }
        prev = link;
    }
    // Numbering first, so the entries below can be read back by anyone.
    for (n, d) in &numbers {
        conn.prepare_cached("INSERT OR IGNORE INTO origin_numbers (origin, number, device) VALUES (?1, ?2, ?3)")?
            .execute([origin, *n, *d])?;
    }
    let mut changes = 0u32;
    for ((e, fields), preds) in tx.entries.iter().zip(decoded).zip(preds) {
        let outcome = if e.stub {
            // Not for this desktop's eyes: logged (the vector stays gap-free), never applied.
            w.conn()
                .prepare_cached("INSERT OR IGNORE INTO sync_stubs (origin, seq) VALUES (?1, ?2)")?
                .execute([origin, e.seq])?;
            Effect::Applied
        } else {
            effect(w, origin, tx, e, &fields, &preds, columns, None, &|_, _, _| false)?
        };
        let held = match outcome {
            Effect::Applied => None,
            Effect::Partly(waiting) => Some((unknown_columns(&e.table, &waiting), Some(waiting))),
            Effect::Held(reason, waiting) => Some((reason, waiting)),
        };
        if let Some((reason, waiting)) = held {
            let waiting = waiting.map(|w| serde_json::to_string(&w).expect("strings serialize"));
            w.conn()
                .prepare_cached(
                    "INSERT OR REPLACE INTO sync_held (origin, seq, reason, waiting) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![origin, e.seq, reason, waiting])?;
            report.held += 1;
        }
        w.conn()
            .prepare_cached(
                "INSERT INTO changes (origin, seq, hlc, tx, batch_id, user_id, tbl, row_id, op, fields, salt, sealed, link, sig)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                origin,
                e.seq,
                tx.hlc,
                tx.tx,
                tx.batch,
                tx.user,
                e.table,
                row_value(&e.row),
                e.op,
                e.fields,
                e.salt,
                e.sealed,
                e.link,
                (e.seq == tx.entries[tx.entries.len() - 1].seq).then_some(tx.sig.as_slice()),
            ])?;
        if !e.stub && columns.get(&e.table).is_some_and(|c| c.iter().any(|n| n == "deleted_at")) {
            let key = row_value(&e.row);
            if fields.iter().any(|f| f.field == "deleted_at") {
                mark_deleted_edits(w.conn(), &e.table, &key)?;
            } else {
                mark_if_after_deletion(w.conn(), &e.table, &key, (origin, e.seq), tx.hlc)?;
            }
        }
        changes += fields.len() as u32;
    }
    held.insert(origin, (tx.origin.clone(), end));
    Ok(Outcome::Applied { changes })
}

/// Where following a customer's merges ends.
enum MergeEnd {
    /// At a live customer.
    Live(String),
    /// At a customer deleted without being merged (what is moved goes there, as its own rows
    /// stayed with it).
    Gone(String),
    /// Back where it started: customers merged into one another on several desktops.
    Cycle(Vec<String>),
}

fn follow_merges(conn: &Connection, from: &str) -> Result<MergeEnd> {
    let mut seen: Vec<String> = Vec::new();
    let mut at = from.to_string();
    loop {
        let row: Option<(Option<i64>, Option<String>)> = conn
            .prepare_cached("SELECT deleted_at, merged_into FROM customers WHERE id = ?1")?
            .query_row([&at], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((None, _)) => return Ok(MergeEnd::Live(at)),
            None => return Ok(MergeEnd::Gone(seen.pop().unwrap_or(at))),
            Some((Some(_), None)) => return Ok(MergeEnd::Gone(at)),
            Some((Some(_), Some(next))) => {
                if let Some(i) = seen.iter().position(|s| *s == at) {
                    return Ok(MergeEnd::Cycle(seen.split_off(i)));
                }
                seen.push(at);
                at = next;
            }
        }
    }
}

/// After a batch from elsewhere: what it brought for a merged customer moves under the survivor,
/// and customers merged into one another on several desktops (X into Y here, Y into X there) end
/// as one: the one with the lowest id is restored holding what both merges gave it, the others'
/// rows move under it, and its `merge_note` puts it in the inbox. Written as this desktop's own
/// changes; every desktop that sees the same merges writes the same ones, which agree, so nothing
/// needs a decision.
fn repair_merges(w: &mut Writer<'_>, txs: &[Tx]) -> Result<()> {
    let mut customers: BTreeSet<String> = BTreeSet::new();
    for e in txs.iter().flat_map(|t| &t.entries) {
        let id = row_id_text(&row_value(&e.row));
        if e.table == "customers" {
            customers.insert(id);
        } else if super::imports::CHILDREN.contains(&e.table.as_str()) {
            let owner: Option<String> = w
                .conn()
                .prepare_cached(&format!("SELECT customer_id FROM {} WHERE id = ?1 AND deleted_at IS NULL", e.table))?
                .query_row([&id], |r| r.get(0))
                .optional()?;
            customers.extend(owner);
        }
    }
    for c in customers {
        let merged: bool = w
            .conn()
            .prepare_cached("SELECT deleted_at IS NOT NULL AND merged_into IS NOT NULL FROM customers WHERE id = ?1")?
            .query_row([&c], |r| r.get(0))
            .optional()?
            .unwrap_or(false);
        if !merged {
            continue;
        }
        let (survivor, from) = match follow_merges(w.conn(), &c)? {
            MergeEnd::Live(s) | MergeEnd::Gone(s) => (s, vec![c]),
            MergeEnd::Cycle(mut ring) => {
                ring.sort();
                let survivor = ring.remove(0);
                let tail = !ring.contains(&c) && c != survivor;
                w.apply(super::gateway::Change::Restore { table: "customers", id: &survivor })?;
                let note = serde_json::json!({ "with": ring }).to_string();
                w.apply(super::gateway::Change::Update {
                    table: "customers",
                    id: &survivor,
                    values: vec![("merged_into", Value::Null), ("merge_note", Value::Text(note))],
                })?;
                if tail {
                    ring.push(c);
                }
                (survivor, ring)
            }
        };
        for loser in from {
            w.move_children(&loser, &survivor)?;
        }
    }
    Ok(())
}

/// Brings a row's "deleted here, edited there" marks in line with the log: while the row is
/// deleted, the update entries of its other fields stamped after its `deleted_at` (the deleting
/// change's wall clock, the same on every desktop). Run whenever the row's deletion changes.
pub(super) fn mark_deleted_edits(conn: &Connection, table: &str, key: &Value) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_deleted_edits WHERE tbl = ?1 AND row_id = ?2")?
        .execute(params![table, key])?;
    let Some(at) = deleted_at(conn, table, key)? else { return Ok(()) };
    let after = Hlc::from_parts(at + 1, 0).raw();
    let edits: Vec<(i64, i64, String)> = conn
        .prepare_cached(
            "SELECT origin, seq, fields FROM changes WHERE tbl = ?1 AND row_id = ?2 AND op = 'update' AND hlc >= ?3",
        )?
        .query_map(params![table, key, after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut put = conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_deleted_edits (tbl, row_id, origin, seq) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (origin, seq, fields) in edits {
        if decode_fields(&fields).iter().any(|f| f.field != "deleted_at") {
            put.execute(params![table, key, origin, seq])?;
        }
    }
    Ok(())
}

/// Marks update entry `at` (stamped `hlc`) of a row if the row is deleted and the entry came
/// after the deletion.
fn mark_if_after_deletion(conn: &Connection, table: &str, key: &Value, at: ChangeAt, hlc: i64) -> Result<()> {
    if let Some(deleted) = deleted_at(conn, table, key)?
        && Hlc::from_raw(hlc).wall_ms() > deleted
    {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO sync_deleted_edits (tbl, row_id, origin, seq) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![table, key, at.0, at.1])?;
    }
    Ok(())
}

fn deleted_at(conn: &Connection, table: &str, key: &Value) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(&format!("SELECT deleted_at FROM {table} WHERE id = ?1"))?
        .query_row([row_id_text(key)], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// A leaf's rank and values, read from the log.
fn read_leaf(conn: &Connection, (origin, seq): (i64, i64), field: &str) -> Result<Leaf> {
    let (start, hlc, text, device): (i64, i64, String, String) = conn
        .prepare_cached(
            "SELECT c.seq, c.hlc, c.fields, o.device FROM changes c JOIN origins o ON o.id = c.origin
             WHERE c.origin = ?1 AND c.seq <= ?2 ORDER BY c.seq DESC LIMIT 1",
        )?
        .query_row([origin, seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let f = decode_fields(&text)
        .into_iter()
        .nth((seq - start) as usize)
        .filter(|f| f.field == field)
        .ok_or_else(|| Error::Corrupt(format!("leaf {origin}/{seq} of {field}")))?;
    Ok(Leaf { rank: (hlc, device, seq), new: f.new, old: f.old })
}

/// What became of an entry's row change.
enum Effect {
    Applied,
    /// Applied but for these fields, columns this version does not have yet: they wait in
    /// `sync_held` for the migration that adds them ([`Store::sync_reapply_held`]).
    Partly(Vec<String>),
    /// Not applied, and why; the fields that wait for a newer schema (all of them, for a table
    /// this version does not have), or none (a change that breaks a rule waits for no version).
    Held(String, Option<Vec<String>>),
}

fn unknown_columns(table: &str, fields: &[String]) -> String {
    let named: Vec<String> = fields.iter().map(|f| format!("{table}.{f}")).collect();
    format!("unknown column {}", named.join(", "))
}

/// Applies one entry's row change: all its fields, or (`only`) those named. `skip` says which
/// logged changes of a field are not in the rows yet (held ones, while re-applying), so they are
/// not taken for the field's newest change.
#[allow(clippy::too_many_arguments)]
fn effect(
    w: &mut Writer<'_>,
    origin: i64,
    tx: &Tx,
    e: &Entry,
    fields: &[FieldChange],
    preds: &[Vec<(i64, i64)>],
    columns: &mut HashMap<String, Vec<String>>,
    only: Option<&[String]>,
    skip: &dyn Fn(i64, i64, &str) -> bool,
) -> Result<Effect> {
    let table = e.table.as_str();
    let wanted = |f: &FieldChange| only.is_none_or(|o| o.contains(&f.field));
    if !SYNCED.contains(&table) {
        let waiting = fields.iter().filter(|f| wanted(f)).map(|f| f.field.clone()).collect();
        return Ok(Effect::Held(format!("unknown table {table}"), Some(waiting)));
    }
    if !columns.contains_key(table) {
        let names: Vec<String> = w
            .conn()
            .prepare_cached(&format!("SELECT name FROM pragma_table_info('{table}')"))?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        columns.insert(table.to_string(), names);
    }
    let columns = &columns[table];
    if let Some(f) = fields.iter().find(|f| matches!(f.field.as_str(), "id" | "created_at" | "updated_at")) {
        return Ok(Effect::Held(format!("column {table}.{} is not synced", f.field), None));
    }
    // The fields to write now; those this version lacks a column for wait.
    let apply: Vec<bool> = fields.iter().map(|f| wanted(f) && columns.contains(&f.field)).collect();
    let waiting: Vec<String> =
        fields.iter().filter(|f| wanted(f) && !columns.contains(&f.field)).map(|f| f.field.clone()).collect();
    let key = row_value(&e.row);
    let id = row_id_text(&key);
    let wall = Hlc::from_raw(tx.hlc).wall_ms();
    let device = tx.origin.as_str();
    w.conn().execute_batch("SAVEPOINT sync_entry")?;
    let done = (|| -> Result<Option<String>> {
        let conn = w.conn();
        let exists = conn
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .query_row([&id], |_| Ok(()))
            .optional()?
            .is_some();
        let fields: Vec<(usize, &FieldChange)> = fields.iter().enumerate().filter(|(i, _)| apply[*i]).collect();
        if e.op == "insert" && !exists {
            let cols: Vec<&str> = fields.iter().map(|(_, f)| f.field.as_str()).collect();
            let marks: Vec<String> = (0..cols.len() + 3).map(|i| format!("?{}", i + 1)).collect();
            let sql = format!(
                "INSERT INTO {table} (id, created_at, updated_at{}{}) VALUES ({})",
                if cols.is_empty() { "" } else { ", " },
                cols.join(", "),
                marks.join(", ")
            );
            let mut values = vec![Value::Text(id.clone()), Value::Integer(wall), Value::Integer(wall)];
            values.extend(fields.iter().map(|(_, f)| sql_of(&f.new)));
            conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
            return Ok(None);
        }
        if !exists {
            return Ok(Some(format!("the {table} row has not arrived")));
        }
        // Every field's newest change and stored leaves, read once for the entry.
        let names: Vec<&str> = fields.iter().map(|(_, f)| f.field.as_str()).collect();
        let tops = super::log::heads_skipping(conn, table, &key, &names, skip)?;
        let mut stored_all: HashMap<String, Vec<ChangeAt>> = HashMap::new();
        {
            let mut st =
                conn.prepare_cached("SELECT field, origin, seq FROM sync_leaves WHERE tbl = ?1 AND row_id = ?2")?;
            let mut rows = st.query(params![table, key])?;
            while let Some(r) = rows.next()? {
                stored_all.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
            }
        }
        let mut sets: Vec<(&str, Value)> = Vec::with_capacity(fields.len());
        for ((i, f), top) in fields.iter().copied().zip(tops) {
            let preds = &preds[i];
            let own = (origin, e.seq + i as i64);
            let stored = stored_all.remove(&f.field).unwrap_or_default();
            let mut leaves: Vec<(i64, i64)> =
                if stored.is_empty() { top.map(|h| h.at).into_iter().collect() } else { stored.clone() };
            leaves.retain(|l| !preds.contains(l));
            let value = if leaves.is_empty() {
                // The change replaced every leaf; it is the field's head, pinned if its clock is
                // not after the newest change's.
                if top.is_some_and(|t| t.hlc >= tx.hlc) {
                    pin_leaf(conn, table, &key, &f.field, own)?;
                } else if !stored.is_empty() {
                    clear_leaves(conn, table, &key, &f.field)?;
                }
                sql_of(&f.new)
            } else {
                let mut all = Vec::with_capacity(leaves.len() + 1);
                for l in &leaves {
                    all.push(read_leaf(conn, *l, &f.field)?);
                }
                all.push(Leaf { rank: (tx.hlc, device.to_string(), own.1), new: f.new.clone(), old: f.old.clone() });
                leaves.push(own);
                let m = merge::merge(merge::kind_of(table, &f.field), &all);
                clear_leaves(conn, table, &key, &f.field)?;
                let mut put = conn.prepare_cached(
                    "INSERT INTO sync_leaves (tbl, row_id, field, origin, seq, decision) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for (o, s) in &leaves {
                    put.execute(params![table, key, f.field, o, s, m.decision as i64])?;
                }
                sql_of(&m.value)
            };
            sets.push((f.field.as_str(), value));
        }
        // One UPDATE for the entry's fields (their names are columns of the table: checked above).
        let assign: Vec<String> = sets.iter().enumerate().map(|(i, (c, _))| format!("{c} = ?{}", i + 1)).collect();
        let sql = format!(
            "UPDATE {table} SET {}{}updated_at = max(updated_at, ?{}) WHERE id = ?{}",
            assign.join(", "),
            if assign.is_empty() { "" } else { ", " },
            sets.len() + 1,
            sets.len() + 2
        );
        let mut values: Vec<Value> = sets.into_iter().map(|(_, v)| v).collect();
        values.push(Value::Integer(wall));
        values.push(Value::Text(id.clone()));
        conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        Ok(None)
    })();
    match done {
        Ok(None) => {
            w.conn().execute_batch("RELEASE sync_entry")?;
            w.touch(table, &id)?;
            Ok(if waiting.is_empty() { Effect::Applied } else { Effect::Partly(waiting) })
        }
        Ok(Some(reason)) => {
            w.conn().execute_batch("ROLLBACK TO sync_entry; RELEASE sync_entry")?;
            Ok(Effect::Held(reason, None))
        }
        Err(Error::Storage(err))
            if matches!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::ConstraintViolation)) =>
        {
            w.conn().execute_batch("ROLLBACK TO sync_entry; RELEASE sync_entry")?;
            Ok(Effect::Held(err.to_string(), None))
        }
        Err(other) => Err(other),
    }
}

/// What a sync conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ConflictKind {
    /// A field changed on several desktops to different values no rule merges.
    Values,
    /// One SKU given to products made on two desktops.
    DuplicateSku,
    /// One key given to custom fields defined on two desktops.
    DuplicateCustomKey,
    /// A row deleted on one desktop and edited on another after it: restore it or keep it
    /// deleted (`keep`: "restore" or "deleted").
    DeletedEdited,
    /// Customers merged into one another on several desktops, now one holding both: a note
    /// until someone has seen it (`keep`: the kept customer's id).
    MergedBothWays,
}

/// One side of a sync conflict.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConflictSide {
    /// The value (JSON; a list or custom values as the JSON text the column holds). For a
    /// duplicate, the row's id.
    pub value: String,
    /// The desktop that made it (its id, and its name as a member, filled in by the façade),
    /// and who.
    pub device: String,
    pub desktop: String,
    pub user: String,
    pub at: Hlc,
    /// Whether the book shows this one meanwhile.
    pub shown: bool,
    /// For an edit of a deleted row, the fields it changed; for an order's line set, its lines
    /// ("3 × 龙井 (TEA-LJ)", filled in by the façade).
    pub fields: Vec<String>,
}

/// A decision sync leaves to a person. The same on every desktop that holds the same changes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncConflict {
    /// `table/row/field` (`products/sku/TEA-1` for a duplicate SKU): what `sync resolve` takes.
    pub id: String,
    pub kind: ConflictKind,
    pub table: String,
    pub row_id: String,
    pub field: String,
    pub sides: Vec<ConflictSide>,
    /// What the row is to a person (a customer's name), filled in by the façade.
    pub label: Option<String>,
}

impl Store {
    /// The decisions sync leaves to people, oldest row first.
    pub fn sync_conflicts(&self) -> Result<Vec<SyncConflict>> {
        let conn = self.reader();
        let mut out = Vec::new();
        let fields: Vec<(String, Value, String)> = conn
            .prepare_cached(
                "SELECT DISTINCT tbl, row_id, field FROM sync_leaves WHERE decision = 1 ORDER BY tbl, row_id, field",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (table, key, field) in fields {
            let leaves: Vec<ChangeAt> = conn
                .prepare_cached("SELECT origin, seq FROM sync_leaves WHERE tbl = ?1 AND row_id = ?2 AND field = ?3")?
                .query_map(params![table, key, field], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut sides = Vec::with_capacity(leaves.len());
            let mut read = Vec::with_capacity(leaves.len());
            for at in leaves {
                let leaf = read_leaf(&conn, at, &field)?;
                let user: String = conn
                    .prepare_cached(
                        "SELECT user_id FROM changes WHERE origin = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT 1",
                    )?
                    .query_row([at.0, at.1], |r| r.get(0))?;
                sides.push((leaf.rank.clone(), leaf.new.to_string(), user));
                read.push(leaf);
            }
            if read.is_empty() {
                continue;
            }
            // The side the row shows first (the merge's value: paid over a later cancel), then
            // the others, latest first.
            let shows = merge::merge(merge::kind_of(&table, &field), &read).value.to_string();
            sides.sort_by(|a, b| (b.1 == shows).cmp(&(a.1 == shows)).then_with(|| b.0.cmp(&a.0)));
            let row_id = row_id_text(&key);
            out.push(SyncConflict {
                id: format!("{table}/{row_id}/{field}"),
                kind: ConflictKind::Values,
                sides: sides
                    .into_iter()
                    .enumerate()
                    .map(|(i, ((hlc, device, _), value, user))| ConflictSide {
                        value,
                        desktop: String::new(),
                        device,
                        user,
                        at: Hlc::from_raw(hlc),
                        shown: i == 0,
                        fields: Vec::new(),
                    })
                    .collect(),
                table,
                row_id,
                field,
                label: None,
            });
        }
        // Rows deleted on one desktop and edited on another after it.
        let marked: Vec<(String, Value)> = conn
            .prepare_cached("SELECT DISTINCT tbl, row_id FROM sync_deleted_edits ORDER BY tbl, row_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (table, key) in marked {
            let who = |at: ChangeAt| -> Result<(String, String, i64, Vec<String>)> {
                Ok(conn
                    .prepare_cached(
                        "SELECT o.device, c.user_id, c.hlc, c.fields FROM changes c JOIN origins o ON o.id = c.origin
                         WHERE c.origin = ?1 AND c.seq = ?2",
                    )?
                    .query_row([at.0, at.1], |r| {
                        let fields: String = r.get(3)?;
                        let names = decode_fields(&fields).into_iter().map(|f| f.field).filter(|f| f != "deleted_at");
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, names.collect()))
                    })?)
            };
            let Some(deletion) = super::log::heads(&conn, &table, &key, &["deleted_at"])?.pop().flatten() else {
                continue;
            };
            let (device, user, hlc, _) = who(deletion.at)?;
            let mut sides = vec![ConflictSide {
                value: "deleted".into(),
                desktop: String::new(),
                device,
                user,
                at: Hlc::from_raw(hlc),
                shown: true,
                fields: Vec::new(),
            }];
            let edits: Vec<ChangeAt> = conn
                .prepare_cached("SELECT origin, seq FROM sync_deleted_edits WHERE tbl = ?1 AND row_id = ?2")?
                .query_map(params![table, key], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for at in edits {
                let (device, user, hlc, fields) = who(at)?;
                sides.push(ConflictSide {
                    value: "restore".into(),
                    desktop: String::new(),
                    device,
                    user,
                    at: Hlc::from_raw(hlc),
                    shown: false,
                    fields,
                });
            }
            let row_id = row_id_text(&key);
            out.push(SyncConflict {
                id: format!("{table}/{row_id}/deleted_at"),
                kind: ConflictKind::DeletedEdited,
                table,
                row_id,
                field: "deleted_at".into(),
                sides,
                label: None,
            });
        }
        for (kind, table, field, sql) in [
            (
                ConflictKind::DuplicateSku,
                "products",
                "sku",
                "SELECT sku, id, created_at FROM products WHERE deleted_at IS NULL AND sku IN
                 (SELECT sku FROM products WHERE deleted_at IS NULL GROUP BY sku HAVING count(*) > 1)
                 ORDER BY sku, created_at, id",
            ),
            (
                ConflictKind::DuplicateCustomKey,
                "custom_fields",
                "key",
                "SELECT key, id, created_at FROM custom_fields WHERE deleted_at IS NULL AND key IN
                 (SELECT key FROM custom_fields WHERE deleted_at IS NULL GROUP BY entity, key HAVING count(*) > 1)
                 ORDER BY key, created_at, id",
            ),
        ] {
            let rows: Vec<(String, String, i64)> = conn
                .prepare_cached(sql)?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (value, _, _) in &rows {
                if out.last().is_some_and(|c: &SyncConflict| c.kind == kind && c.row_id == *value) {
                    continue;
                }
                let sides = rows
                    .iter()
                    .filter(|(v, _, _)| v == value)
                    .enumerate()
                    .map(|(i, (_, row, _))| -> Result<ConflictSide> {
                        let made: Option<(String, String, i64)> = conn
                            .prepare_cached(
                                "SELECT o.device, c.user_id, c.hlc FROM changes c JOIN origins o ON o.id = c.origin
                                 WHERE c.tbl = ?1 AND c.row_id = ?2 AND c.op = 'insert' LIMIT 1",
                            )?
                            .query_row(params![table, super::gateway::row_key(row)], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                            })
                            .optional()?;
                        let (device, user, hlc) = made.unwrap_or_default();
                        Ok(ConflictSide {
                            value: row.clone(),
                            desktop: String::new(),
                            device,
                            user,
                            at: Hlc::from_raw(hlc),
                            shown: i == 0,
                            fields: Vec::new(),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                out.push(SyncConflict {
                    id: format!("{table}/{field}/{value}"),
                    kind,
                    table: table.into(),
                    row_id: value.clone(),
                    field: field.into(),
                    sides,
                    label: None,
                });
            }
        }
        // Customers merged into one another on several desktops, now one (see `repair_merges`):
        // the one kept first, then the others, each with the merge that took it.
        let noted: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, merge_note FROM customers WHERE merge_note IS NOT NULL AND deleted_at IS NULL ORDER BY id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (kept, note) in noted {
            let with: Vec<String> = serde_json::from_str::<serde_json::Value>(&note)
                .ok()
                .and_then(|v| serde_json::from_value(v["with"].clone()).ok())
                .unwrap_or_default();
            let mut sides = Vec::with_capacity(with.len() + 1);
            for (i, id) in std::iter::once(&kept).chain(&with).enumerate() {
                let key = super::gateway::row_key(id);
                let name: String = conn
                    .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?
                    .unwrap_or_default();
                let (device, user, hlc) = match super::log::heads(&conn, "customers", &key, &["merged_into"])?[0] {
                    Some(h) => conn
                        .prepare_cached(
                            "SELECT o.device, c.user_id, c.hlc FROM changes c JOIN origins o ON o.id = c.origin
                             WHERE c.origin = ?1 AND c.seq <= ?2 ORDER BY c.seq DESC LIMIT 1",
                        )?
                        .query_row([h.at.0, h.at.1], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?,
                    None => (String::new(), String::new(), 0),
                };
                sides.push(ConflictSide {
                    value: id.clone(),
                    desktop: String::new(),
                    device,
                    user,
                    at: Hlc::from_raw(hlc),
                    shown: i == 0,
                    fields: vec![name],
                });
            }
            out.push(SyncConflict {
                id: format!("customers/{kept}/merge_note"),
                kind: ConflictKind::MergedBothWays,
                table: "customers".into(),
                row_id: kept,
                field: "merge_note".into(),
                sides,
                label: None,
            });
        }
        Ok(out)
    }

    /// Settles the field conflict `table/row/field` with `value` (the JSON of one of its sides),
    /// on this desktop and, once synced, everywhere. Returns the table and row it changed.
    pub fn sync_settle(&self, actor: &Actor, conflict: &SyncConflict, value: &str) -> Result<()> {
        let table = SYNCED
            .iter()
            .copied()
            .find(|t| *t == conflict.table)
            .ok_or_else(|| Error::NotFound { entity: "conflict", id: conflict.id.clone() })?;
        if conflict.kind == ConflictKind::DeletedEdited {
            return self.write(actor, |w| {
                let id = conflict.row_id.as_str();
                match value {
                    "restore" => w.apply(super::gateway::Change::Restore { table, id })?,
                    // Kept deleted: deleted again now, after every edit it was shown with.
                    "deleted" => w.apply(super::gateway::Change::Settle {
                        table,
                        id,
                        field: "deleted_at",
                        value: Value::Integer(w.now_ms()),
                    })?,
                    _ => return Err(Error::NotFound { entity: "conflict", id: conflict.id.clone() }),
                };
                Ok(())
            });
        }
        if conflict.kind == ConflictKind::MergedBothWays {
            return self.write(actor, |w| {
                w.apply(super::gateway::Change::Settle {
                    table: "customers",
                    id: &conflict.row_id,
                    field: "merge_note",
                    value: Value::Null,
                })?;
                Ok(())
            });
        }
        if conflict.kind != ConflictKind::Values || !conflict.sides.iter().any(|s| s.value == value) {
            return Err(Error::NotFound { entity: "conflict", id: conflict.id.clone() });
        }
        let json: serde_json::Value =
            serde_json::from_str(value).map_err(|_| Error::Corrupt("conflict value".into()))?;
        self.write(actor, |w| {
            let known: bool = w
                .conn()
                .prepare_cached(&format!("SELECT count(*) FROM pragma_table_info('{table}') WHERE name = ?1"))?
                .query_row([&conflict.field], |r| r.get::<_, i64>(0))?
                > 0;
            if !known {
                return Err(Error::NotFound { entity: "conflict", id: conflict.id.clone() });
            }
            w.apply(super::gateway::Change::Settle {
                table,
                id: &conflict.row_id,
                field: &conflict.field,
                value: sql_of(&json),
            })?;
            Ok(())
        })
    }
}

/// A desktop's TLS certificate and private key, both DER.
pub type TlsIdentity = (Vec<u8>, zeroize::Zeroizing<Vec<u8>>);

/// A desktop of the book.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub device: String,
    pub name: String,
    /// Hex SHA-256 of its TLS certificate.
    pub fingerprint: String,
    /// Its order-number code.
    pub code: String,
    pub added_by: Option<String>,
    pub added_at: i64,
    /// When it was removed (a lost laptop), if it was.
    pub revoked_at: Option<i64>,
    /// Hex Ed25519 public key its changes are signed with.
    pub signing_key: Option<String>,
    /// For a desktop that wrote its own member row (a book restored there took a new identity):
    /// the signature of its former identity's key vouching for it (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vouch: Option<String>,
    /// When this desktop last finished a round with it, and the address it reached it at (if
    /// this desktop connected), as this desktop knows it.
    pub last_seen: Option<i64>,
    pub address: Option<String>,
}

impl Store {
    /// Every desktop the book has had, oldest first.
    pub fn members(&self) -> Result<Vec<Member>> {
        let conn = self.reader();
        let mut st = conn.prepare_cached(
            "SELECT m.id, m.name, m.fingerprint, m.code, m.added_by, m.created_at, m.deleted_at, m.signing_key,
                    s.at, s.address, m.vouch
             FROM members m LEFT JOIN sync_seen s ON s.device = m.id ORDER BY m.created_at, m.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Member {
                device: r.get(0)?,
                name: r.get(1)?,
                fingerprint: r.get(2)?,
                code: r.get(3)?,
                added_by: r.get(4)?,
                added_at: r.get(5)?,
                revoked_at: r.get(6)?,
                signing_key: r.get(7)?,
                last_seen: r.get(8)?,
                address: r.get(9)?,
                vouch: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds desktop `m`, or brings its row up to date (a desktop paired again).
    pub fn put_member(&self, actor: &Actor, m: &Member) -> Result<()> {
        self.write(actor, |w| {
            let exists = w
                .conn()
                .prepare_cached("SELECT 1 FROM members WHERE id = ?1")?
                .query_row([&m.device], |_| Ok(()))
                .optional()?
                .is_some();
            let values = vec![
                ("name", Value::Text(m.name.clone())),
                ("fingerprint", Value::Text(m.fingerprint.clone())),
                ("code", Value::Text(m.code.clone())),
                ("signing_key", m.signing_key.clone().map(Value::Text).unwrap_or(Value::Null)),
            ];
            let mut values = values;
            if let Some(v) = &m.vouch {
                values.push(("vouch", Value::Text(v.clone())));
            }
            if exists {
                w.apply(super::gateway::Change::Update { table: "members", id: &m.device, values })?;
            } else {
                let mut values = values;
                values.push(("added_by", m.added_by.clone().map(Value::Text).unwrap_or(Value::Null)));
                w.apply(super::gateway::Change::Insert { table: "members", id: &m.device, values })?;
            }
            Ok(())
        })
    }

    /// Notes a finished round with desktop `device` now (reached at `address` when this desktop
    /// connected to it; a round it answered keeps the address known before).
    pub fn note_seen(&self, device: &str, address: Option<&str>) -> Result<()> {
        self.writer().execute(
            "INSERT INTO sync_seen (device, at, address) VALUES (?1, ?2, ?3)
             ON CONFLICT (device) DO UPDATE SET at = excluded.at, address = coalesce(excluded.address, address)",
            params![device, self.now_ms(), address],
        )?;
        Ok(())
    }

    /// The address of the desktop this one last reached, if any.
    pub fn last_peer_address(&self) -> Result<Option<String>> {
        Ok(self
            .reader()
            .query_row("SELECT address FROM sync_seen WHERE address IS NOT NULL ORDER BY at DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Removes desktop `device` from the book (a tombstone that syncs).
    pub fn revoke_member(&self, actor: &Actor, device: &str) -> Result<()> {
        self.write(actor, |w| {
            w.apply(super::gateway::Change::Delete { table: "members", id: device })?;
            Ok(())
        })
    }

    /// This desktop's TLS certificate and key (DER), kept in the encrypted book.
    pub fn sync_tls(&self) -> Result<Option<TlsIdentity>> {
        self.tls_in("tls_cert", "tls_key")
    }

    fn tls_in(&self, cert_key: &str, key_key: &str) -> Result<Option<TlsIdentity>> {
        let conn = self.reader();
        let get = |k: &str| -> Result<Option<zeroize::Zeroizing<String>>> {
            let v: Option<String> =
                conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0)).optional()?;
            Ok(v.map(zeroize::Zeroizing::new))
        };
        let (Some(cert), Some(key)) = (get(cert_key)?, get(key_key)?) else {
            return Ok(None);
        };
        match (hex::decode(cert.as_bytes()), hex::decode(key.as_bytes())) {
            (Ok(c), Ok(k)) => Ok(Some((c, zeroize::Zeroizing::new(k)))),
            _ => Err(Error::Corrupt("this desktop's TLS identity".into())),
        }
    }

    /// Notes a pairing attempt that failed its code here, now (device-local; the last ten
    /// minutes' are kept).
    pub fn note_pairing_failure(&self) -> Result<()> {
        let now = self.now_ms();
        let mut recent = self.pairing_failures()?;
        recent.retain(|t| now - t < INVITE_PAUSE_MS);
        recent.push(now);
        self.writer().execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('pairing_failures', ?1)",
            [serde_json::to_string(&recent).unwrap_or_default()],
        )?;
        Ok(())
    }

    /// Until when invitations are paused here: three codes that failed within ten minutes pause
    /// them for ten minutes from the third.
    pub fn invites_paused_until(&self) -> Result<Option<i64>> {
        let now = self.now_ms();
        let mut recent = self.pairing_failures()?;
        recent.retain(|t| now - t < INVITE_PAUSE_MS);
        recent.sort_unstable();
        Ok((recent.len() >= 3).then(|| recent[recent.len() - 1] + INVITE_PAUSE_MS))
    }

    fn pairing_failures(&self) -> Result<Vec<i64>> {
        let text: Option<String> = self
            .reader()
            .query_row("SELECT value FROM meta WHERE key = 'pairing_failures'", [], |r| r.get(0))
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
    }

    pub fn set_sync_tls(&self, cert: &[u8], key: &[u8]) -> Result<()> {
        let conn = self.writer();
        let key = zeroize::Zeroizing::new(hex::encode(key));
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('tls_cert', ?1)", [hex::encode(cert)])?;
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('tls_key', ?1)", [key.as_str()])?;
        Ok(())
    }

    /// The book's id: the same on every desktop of the team.
    pub fn book_id(&self) -> Result<String> {
        Ok(self.reader().query_row("SELECT value FROM meta WHERE key = 'book_id'", [], |r| r.get(0))?)
    }

    /// The schema this book is at.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.reader().query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A consistent copy of the book for a joining desktop at `dest`, encrypted under a new
    /// random key (returned) instead of this book's, without this desktop's private keys.
    /// `expected` is set first to the bytes the copy should come to (its file grows to about
    /// that: a caller shows progress from the file's size).
    ///
    /// One pass: SQLCipher's `sqlcipher_export` reads this book's pages (one read transaction,
    /// so writers go on) and writes each table and index into the new file under the new key,
    /// compact, with no free pages carrying anything deleted earlier. The earlier backup, rekey
    /// and VACUUM took 77.6 s for a 1,000,000-customer book and held the VACUUM's 1.8 GB copy in
    /// memory (temp files are memory, so that clear text never lands on disk); the export takes
    /// 14.0 s and what the page cache holds.
    pub fn snapshot_for_peer(
        &self,
        dest: &Path,
        expected: &std::sync::atomic::AtomicU64,
    ) -> Result<crate::security::keys::DbKey> {
        let once = crate::security::keys::DbKey::random()?;
        crate::security::files::create_new(dest)?;
        // Read-write only so that the attached copy may be written; nothing writes this book.
        let conn = super::connect(&self.path, self.key.as_ref(), rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let dest_text = dest.to_str().ok_or_else(|| Error::Corrupt(format!("path {}", dest.display())))?;
        let literal = once.sqlcipher_literal();
        // The key literal is `"x'…'"`; bound as text it is the same raw key.
        conn.execute("ATTACH DATABASE ?1 AS peer KEY ?2", [dest_text, literal.trim_matches('"')])?;
        let made = (|| -> Result<()> {
            conn.execute_batch(&format!(
                "PRAGMA peer.cipher_page_size = {};
                 PRAGMA peer.journal_mode = OFF; PRAGMA peer.synchronous = OFF; PRAGMA peer.secure_delete = ON;",
                super::CIPHER_PAGE_SIZE
            ))?;
            let pages: i64 = conn.query_row("PRAGMA main.page_count", [], |r| r.get(0))?;
            let free: i64 = conn.query_row("PRAGMA main.freelist_count", [], |r| r.get(0))?;
            let bytes = (pages - free).max(1) as u64 * super::CIPHER_PAGE_SIZE;
            expected.store(bytes, std::sync::atomic::Ordering::Relaxed);
            let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
            let throwaway = crate::security::chain::DeviceKey::random()?;
            conn.execute_batch("BEGIN; SELECT sqlcipher_export('peer');")?;
            let scrubbed = (|| -> Result<()> {
                conn.execute_batch(&format!("PRAGMA peer.user_version = {version};"))?;
                conn.execute("DELETE FROM peer.meta WHERE key IN ('tls_cert', 'tls_key', 'pairing_failures')", [])?;
                conn.execute("DELETE FROM peer.sync_seen", [])?;
                // Not this desktop's signing key: a throwaway one, until the joiner takes its
                // identity.
                conn.execute(
                    "UPDATE peer.meta SET value = ?1 WHERE key = 'signing_key'",
                    [throwaway.to_hex().as_str()],
                )?;
                Ok(())
            })();
            match scrubbed {
                Ok(()) => conn.execute_batch("COMMIT;")?,
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK;");
                    return Err(e);
                }
            }
            Ok(())
        })();
        let _ = conn.execute_batch("DETACH DATABASE peer;");
        drop(conn);
        made?;
        std::fs::File::open(dest)?.sync_all()?;
        Ok(once)
    }
}

/// The digest of [`Store::sync_digest`] over any connection to a book (a backup's copy too).
pub(crate) fn digest_of(conn: &Connection) -> Result<String> {
    let mut h = blake3::Hasher::new();
    for table in SYNCED {
        let mut st = conn.prepare(&format!("SELECT * FROM {table} ORDER BY id"))?;
        let n = st.column_count();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            for i in 0..n {
                let v: Value = r.get(i)?;
                h.update(format!("{v:?}\u{1f}").as_bytes());
            }
            h.update(b"\x1e");
        }
    }
    let mut st = conn.prepare(
        "SELECT l.tbl, l.row_id, l.field, o.device, l.seq, l.decision FROM sync_leaves l JOIN origins o ON o.id = l.origin
         ORDER BY l.tbl, l.row_id, l.field, o.device, l.seq",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let row: Value = r.get(1)?;
        let (t, f, d, s, x): (String, String, String, i64, i64) =
            (r.get(0)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        h.update(format!("{t}\u{1f}{row:?}\u{1f}{f}\u{1f}{d}\u{1f}{s}\u{1f}{x}\x1e").as_bytes());
    }
    let mut st = conn.prepare(
        "SELECT m.tbl, m.row_id, o.device, m.seq FROM sync_deleted_edits m JOIN origins o ON o.id = m.origin
         ORDER BY m.tbl, m.row_id, o.device, m.seq",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let row: Value = r.get(1)?;
        let (t, d, s): (String, String, i64) = (r.get(0)?, r.get(2)?, r.get(3)?);
        h.update(format!("deleted-edit\u{1f}{t}\u{1f}{row:?}\u{1f}{d}\u{1f}{s}\x1e").as_bytes());
    }
    Ok(h.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every open asks whether held changes wait for a column. That question reads the held
    /// rows (a handful, usually none) and looks each one up in the log; it never walks the log,
    /// which on a million-customer book cost every open 2.2 s and 270 MB.
    #[test]
    fn the_question_every_open_asks_reads_the_held_rows_not_the_whole_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::unit_test_store(dir.path());
        let reader = store.reader();
        let mut st = reader.prepare(&format!("EXPLAIN QUERY PLAN {}", Store::HELD_WAITING)).unwrap();
        let plan: Vec<String> = st.query_map([], |r| r.get::<_, String>(3)).unwrap().map(|p| p.unwrap()).collect();
        assert!(plan.iter().any(|p| p.starts_with("SCAN h")), "{plan:?}");
        assert!(plan.iter().all(|p| !p.starts_with("SCAN c")), "the log is walked: {plan:?}");
    }
}
