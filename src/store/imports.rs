//! The SQL behind imports, undo, duplicate finding and merging: the import journal, candidate
//! lookups by match key, undoing a change-log batch, and moving a customer's records to another.

use super::customers::{customer_in, customer_values};
use super::log::row_id_text;
use super::search::{Derived, profile_of};
use super::{Actor, Change, Store, Writer};
use crate::error::{Error, Result};
use crate::io::Progress;
use crate::model::{Customer, CustomerId, ValidCustomer};
use crate::quality::dedupe::{self, NameMemo, Prepared, Reason};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;

/// One import as the journal remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportRecord {
    pub id: String,
    pub file_name: String,
    pub format: String,
    /// running, done, cancelled, failed, undone.
    pub status: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

/// Counts of an import, written to the journal when it ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub rows_read: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
}

/// A field an undo left alone because someone changed it after the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UndoConflict {
    pub customer_id: String,
    pub name: String,
    /// The field, or "record" when a created customer was edited afterwards and is kept.
    pub field: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    pub removed: u64,
    pub restored: u64,
    pub conflicts: Vec<UndoConflict>,
}

/// Two customers that look like one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DuplicatePair {
    pub a: Customer,
    pub b: Customer,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

const UNDO_PREFIX: &str = "undo:";

/// An exclusive lock on a running import's lock file beside the book; the file is removed when
/// the lock is dropped. The operating system frees the lock when its process dies, however it
/// dies, so a free lock on a "running" import means nobody is running it.
pub struct ImportLock {
    path: std::path::PathBuf,
    _file: std::fs::File,
}

impl ImportLock {
    /// The lock, or `None` when another process holds it.
    fn take(path: &std::path::Path) -> Result<Option<ImportLock>> {
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ImportLock { path: path.to_path_buf(), _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

impl Drop for ImportLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// At import, an address or name-token key shared by more customers than this is too common to
/// bring candidates (a street number many share, 王 with a W given name).
const SMALL_BLOCK: i64 = 5;

/// The customers at one address a company row's import reads, at most, for those of its name
/// (see [`Writer::best_match`]): the book-wide finder's bound on a block it compares.
const ADDRESS_BLOCK: i64 = 100;

impl Store {
    /// Journals a new import as running and returns its lock, which the import holds until the
    /// journal says how it ended (see [`Store::recover_imports`]).
    pub fn begin_import(&self, id: &str, file_name: &str, format: &str) -> Result<ImportLock> {
        let lock = ImportLock::take(&self.import_lock_path(id))?
            .ok_or_else(|| Error::Io(std::io::Error::new(std::io::ErrorKind::WouldBlock, "import lock held")))?;
        self.writer().execute(
            "INSERT INTO imports (id, file_name, format, status, started_at) VALUES (?1, ?2, ?3, 'running', ?4)",
            params![id, file_name, format, self.now_ms()],
        )?;
        Ok(lock)
    }

    fn import_lock_path(&self, id: &str) -> std::path::PathBuf {
        let mut name = self.path().file_name().unwrap_or_default().to_os_string();
        name.push(format!(".import-{id}.lock"));
        self.path().with_file_name(name)
    }

    /// Takes back the imports the journal says are running but whose process is gone (a crash,
    /// a kill, a panic, a closed window): their committed chunks are undone and the journal says
    /// "interrupted". An import still running in another process holds its lock and is left
    /// alone. The undo is logged under the user who ran the import. Returns the batches recovered.
    pub fn recover_imports(&self) -> Result<Vec<String>> {
        let running: Vec<String> = self
            .reader()
            .prepare("SELECT id FROM imports WHERE status = 'running'")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut recovered = Vec::new();
        for id in running {
            let Some(_lock) = ImportLock::take(&self.import_lock_path(&id))? else { continue };
            // Read again under the lock: the import may have ended between the two reads.
            let still: bool = self.reader().query_row(
                "SELECT EXISTS (SELECT 1 FROM imports WHERE id = ?1 AND status = 'running')",
                [&id],
                |r| r.get(0),
            )?;
            if !still {
                continue;
            }
            if let Some(user) = self.batch_user(&id)? {
                let mut quiet = Progress { report: &mut |_, _| {}, cancelled: &|| false };
                self.undo_batch(&Actor { user, batch: None }, &id, &mut quiet)?;
            }
            self.journal_end(&id, "interrupted", None)?;
            recovered.push(id);
        }
        Ok(recovered)
    }

    pub fn finish_import(&self, id: &str, status: &str, c: &ImportCounts) -> Result<()> {
        self.journal_end(id, status, Some(c))
    }

    /// Writes how an import ended into its journal entry, which from then on is synced data: the
    /// entry kept while it ran (this desktop's alone, never logged) becomes a logged row, so every
    /// desktop of the book lists the import and can take it back.
    fn journal_end(&self, id: &str, status: &str, c: Option<&ImportCounts>) -> Result<()> {
        if !self.batch_has_changes(id)? {
            // It wrote nothing (a dry run, a file refused, cancelled before its first commit):
            // nothing for another desktop to list or take back.
            let now = self.now_ms();
            let conn = self.writer();
            conn.execute("UPDATE imports SET status = ?2, finished_at = ?3 WHERE id = ?1", params![id, status, now])?;
            if let Some(c) = c {
                conn.execute(
                    "UPDATE imports SET rows_read = ?2, created = ?3, updated = ?4, skipped = ?5, failed = ?6 WHERE id = ?1",
                    params![id, c.rows_read as i64, c.created as i64, c.updated as i64, c.skipped as i64, c.failed as i64],
                )?;
            }
            return Ok(());
        }
        let user = self.batch_user(id)?.unwrap_or_default();
        self.write(&Actor { user, batch: None }, |w| {
            type Journal = (String, String, i64, i64, i64, i64, i64, i64);
            let row: Option<Journal> = w
                .conn()
                .query_row(
                    "SELECT file_name, format, started_at, rows_read, created, updated, skipped, failed FROM imports WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
                )
                .optional()?;
            let Some((file, format, started, mut rows_read, mut created, mut updated, mut skipped, mut failed)) = row
            else {
                return Ok(());
            };
            if let Some(c) = c {
                (rows_read, created, updated, skipped, failed) =
                    (c.rows_read as i64, c.created as i64, c.updated as i64, c.skipped as i64, c.failed as i64);
            }
            w.conn().execute("DELETE FROM imports WHERE id = ?1", [id])?;
            let finished = w.now_ms();
            w.apply(Change::Insert {
                table: "imports",
                id,
                values: vec![
                    ("file_name", Value::Text(file)),
                    ("format", Value::Text(format)),
                    ("status", Value::Text(status.into())),
                    ("started_at", Value::Integer(started)),
                    ("finished_at", Value::Integer(finished)),
                    ("rows_read", Value::Integer(rows_read)),
                    ("created", Value::Integer(created)),
                    ("updated", Value::Integer(updated)),
                    ("skipped", Value::Integer(skipped)),
                    ("failed", Value::Integer(failed)),
                ],
            })?;
            Ok(())
        })
    }

    /// The import journal, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>> {
        let conn = self.reader();
        let mut st = conn.prepare(
            "SELECT id, file_name, format, status, started_at, finished_at, rows_read, created, updated, skipped, failed
             FROM imports ORDER BY started_at DESC, id DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                file_name: r.get(1)?,
                format: r.get(2)?,
                status: r.get(3)?,
                started_at: r.get(4)?,
                finished_at: r.get(5)?,
                rows_read: r.get(6)?,
                created: r.get(7)?,
                updated: r.get(8)?,
                skipped: r.get(9)?,
                failed: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Undoes every change of a batch: rows it created are removed, fields it changed get their
    /// old values back, except where a later change (outside the batch) touched the same row or
    /// field; those are kept and reported.
    ///
    /// The batch is read once (each row of it looked up in a map, so the work grows with the
    /// batch, not with its square), then taken back [`UNDO_CHUNK`] rows per transaction, with
    /// progress as (rows done, rows) and a cancel between chunks, so other writers (the desktop, a
    /// CLI script) wait for one chunk at most. While it runs, and if it is cut short (a cancel, a
    /// crash), the journal says `undoing`; undoing the batch again goes on where it stopped (rows
    /// already taken back are left as they are).
    pub fn undo_batch(&self, actor: &Actor, batch: &str, progress: &mut Progress<'_>) -> Result<UndoReport> {
        // The undo is itself a batch ("undo:<batch>"), so the log says what it was.
        let undo_actor = Actor { user: actor.user.clone(), batch: Some(format!("{UNDO_PREFIX}{batch}")) };
        let rows = batch_rows(&self.reader(), batch)?;
        if rows.is_empty() {
            return Err(Error::NotFound { entity: "batch", id: batch.to_string() });
        }
        let status: Option<String> =
            self.reader().query_row("SELECT status FROM imports WHERE id = ?1", [batch], |r| r.get(0)).optional()?;
        // An import being cancelled undoes its own chunks and then says "cancelled"; any other
        // undo marks the journal first, so a cut-short undo is never shown as "done".
        let own_cancel = status.as_deref() == Some("running");
        if !own_cancel {
            self.set_import_status(batch, "undoing")?;
        }
        let total = rows.len() as u64;
        let mut report = UndoReport::default();
        let mut done = 0u64;
        let bulk = self.pause_upkeep();
        super::search::set_delete_merge(&self.writer(), 0)?;
        // Last touched first, as the batch did them the other way round.
        let undone = (|| -> Result<()> {
            for chunk in rows.rchunks(UNDO_CHUNK) {
                progress.check()?;
                self.write(&undo_actor, |w| {
                    for row in chunk.iter().rev() {
                        undo_row(w, batch, row, &mut report)?;
                    }
                    Ok(())
                })?;
                done += chunk.len() as u64;
                (progress.report)(done, total);
                std::thread::sleep(super::HANDOFF);
            }
            Ok(())
        })();
        super::search::set_delete_merge(&self.writer(), super::search::DELETE_MERGE_DEFAULT)?;
        drop(bulk);
        undone?;
        self.name_conflicts(&mut report);
        if !own_cancel {
            self.set_import_status(batch, "undone")?;
        }
        Ok(report)
    }

    /// "undoing" stays on this desktop (another desktop must not take it for its own undo cut
    /// short); "undone" is logged, so every desktop's journal says so, when the journal entry is
    /// synced data (imports that ended since migration 0017).
    fn set_import_status(&self, batch: &str, status: &str) -> Result<()> {
        let logged: bool = self.reader().query_row(
            "SELECT EXISTS (SELECT 1 FROM changes WHERE tbl = 'imports' AND row_id = ?1)",
            [super::gateway::row_key(batch)],
            |r| r.get(0),
        )?;
        if status == "undoing" || !logged {
            self.writer().execute("UPDATE imports SET status = ?2 WHERE id = ?1", [batch, status])?;
            return Ok(());
        }
        let user = self.batch_user(&format!("{UNDO_PREFIX}{batch}"))?.unwrap_or_default();
        self.write(&Actor { user, batch: None }, |w| {
            w.apply(Change::Update {
                table: "imports",
                id: batch,
                values: vec![("status", Value::Text(status.into()))],
            })?;
            Ok(())
        })
    }

    /// An import's journal entry.
    pub fn import_record(&self, batch: &str) -> Result<Option<ImportRecord>> {
        Ok(self.imports()?.into_iter().find(|i| i.id == batch))
    }

    /// Who made the changes logged under `batch` (none logged: nobody).
    fn batch_user(&self, batch: &str) -> Result<Option<String>> {
        Ok(self
            .reader()
            .query_row("SELECT user_id FROM changes WHERE batch_id = ?1 LIMIT 1", [batch], |r| r.get(0))
            .optional()?)
    }

    /// Whether any change was logged under `batch`.
    pub fn batch_has_changes(&self, batch: &str) -> Result<bool> {
        Ok(self
            .reader()
            .query_row("SELECT EXISTS (SELECT 1 FROM changes WHERE batch_id = ?1)", [batch], |r| r.get(0))?)
    }

    /// Merges `loser` into `survivor`: the survivor takes the values `merge` makes of the two
    /// (read in the merge's own transaction, so a change made meanwhile by an import or another
    /// window is merged, not reverted), the loser's contacts, activities and orders move to the
    /// survivor, and the loser is deleted; all in one transaction, all in the change log.
    pub fn merge_customers(
        &self,
        actor: &Actor,
        survivor: CustomerId,
        loser: CustomerId,
        merge: impl FnOnce(&Customer, &Customer) -> Result<ValidCustomer>,
    ) -> Result<Customer> {
        if survivor == loser {
            return Err(Error::invalid("id", "error-merge-same"));
        }
        self.write(actor, |w| {
            let mut both = Vec::with_capacity(2);
            for id in [survivor, loser] {
                let c = customer_in(w.conn(), id)?;
                if c.deleted {
                    return Err(Error::NotFound { entity: "customer", id: id.to_string() });
                }
                both.push(c);
            }
            let merged = merge(&both[0], &both[1])?;
            w.apply(Change::Update {
                table: "customers",
                id: &survivor.to_string(),
                values: customer_values(&merged),
            })?;
            w.move_children(&loser.to_string(), &survivor.to_string())?;
            // Where it went: what arrives for it later from elsewhere follows it there.
            w.apply(Change::Update {
                table: "customers",
                id: &loser.to_string(),
                values: vec![("merged_into", Value::Text(survivor.to_string()))],
            })?;
            w.apply(Change::Delete { table: "customers", id: &loser.to_string() })?;
            Ok(())
        })?;
        self.customer(survivor)
    }
}

/// The rows that belong to a customer and move with it when it is merged.
pub(super) const CHILDREN: [&str; 3] = ["contacts", "activities", "orders"];

impl Writer<'_> {
    /// Moves a customer's live contacts, activities and orders to another customer (a merge).
    pub(super) fn move_children(&mut self, from: &str, to: &str) -> Result<()> {
        for table in CHILDREN {
            let ids: Vec<String> = self
                .conn()
                .prepare_cached(&format!("SELECT id FROM {table} WHERE customer_id = ?1 AND deleted_at IS NULL"))?
                .query_map([from], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids {
                self.apply(Change::Update { table, id: &id, values: vec![("customer_id", Value::Text(to.into()))] })?;
            }
        }
        Ok(())
    }

    /// Inserts a new customer (with `id`, or a new one) and indexes it at once from `derived`,
    /// computed beforehand from the same values ([`Derived::of`]).
    pub fn insert_customer_derived(
        &mut self,
        id: Option<CustomerId>,
        c: &ValidCustomer,
        derived: &Derived,
    ) -> Result<CustomerId> {
        let id = id.unwrap_or_else(|| CustomerId::new(self.now_ms()));
        self.apply_indexed(&id.to_string(), customer_values(c), derived)?;
        Ok(id)
    }

    pub fn replace_customer(&mut self, id: CustomerId, c: &ValidCustomer) -> Result<usize> {
        self.apply(Change::Update { table: "customers", id: &id.to_string(), values: customer_values(c) })
    }

    /// A customer as this transaction sees it, if it exists (deleted or not).
    pub fn find_customer(&self, id: CustomerId) -> Result<Option<Customer>> {
        match customer_in(self.conn(), id) {
            Ok(c) => Ok(Some(c)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The live customer most likely to be the same as `row` (a profile made ready, typically on
    /// the reading thread), with its score and reasons, if any reaches the duplicate threshold.
    /// Looks up phones, emails, names and the company among `keys` (the profile's `keys()`).
    /// Candidates are made ready through `memo`, which an import keeps for its whole run (the same
    /// candidates come up again and again).
    pub fn best_match(
        &self,
        row: &Prepared,
        keys: &[String],
        memo: &mut MatchMemo,
    ) -> Result<Option<(Customer, f64, Vec<Reason>)>> {
        let p = row.profile();
        // Index entries (docids) of customers sharing a key with `p` (at most `max` per key; with
        // `skip_common`, a key shared by more than `max` is too common to point at anyone and
        // brings none), from the table and from this transaction's new customers. Entry numbers
        // are read from the key index alone: an import of 30,000 rows met 800,000 entries this
        // way (common names, typo blocks), of which 120,000 became candidates, and only those
        // are looked up in search_docs.
        let lookup_with = |prefix: &str, max: i64, skip_common: bool| -> Result<Vec<i64>> {
            // The limit is written into the statement, one cached statement per limit: SQLite plans
            // with its LIMIT in mind, so a bound limit that changes from one lookup to the next
            // made it prepare the statement again each time (a third of an import's matching
            // time).
            let mut st = self
                .conn()
                .prepare_cached(&format!("SELECT docid FROM match_keys WHERE key = ?1 LIMIT {}", max + 1))?;
            let mut out: Vec<i64> = Vec::new();
            let mut found: Vec<i64> = Vec::new();
            for k in keys.iter().filter(|k| k.starts_with(prefix)) {
                found.clear();
                let code = dedupe::key_code(k);
                let mut rows = st.query([code])?;
                while let Some(r) = rows.next()? {
                    found.push(r.get(0)?);
                }
                // And this transaction's new customers, whose keys go into the table at commit
                // (newer entries, so after the table's in its order).
                found.extend(self.new_keys().docids(code).iter().take(max as usize + 1));
                if skip_common && found.len() as i64 > max {
                    continue;
                }
                for &d in found.iter().take(max as usize) {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
            Ok(out)
        };
        let lookup = |prefix: &str| lookup_with(prefix, 50, false);
        // Only candidates that can reach the threshold are loaded and scored (see dedupe::score):
        // a shared phone or email; for a company, the same company name; the same name where one
        // side has no phone and no email; or the same name at the same company. A common name
        // (张伟) would otherwise bring dozens of namesakes to every row.
        // Keys whose candidates could not be used are not looked up: a row with a phone or an
        // email and no company key needs no namesakes and no company's customers.
        let mut docs = lookup("p:")?;
        docs.extend(lookup("e:")?);
        let bare = p.phones.is_empty() && p.emails.is_empty();
        let has_company = keys.iter().any(|k| k.starts_with("c:"));
        // A company's own name shared by more than 50 companies (a generic "Acme Trading",
        // 深圳华信科技 in a big book) is too common to point at one of them, as a common street
        // is (`banyan duplicates` leaves blocks of more than 100 out): the row's phones, emails
        // and address still find its duplicate. Taking the first 50 of them made each company row
        // load and score 50 namesakes that were no likelier than the rest, which on a book of a
        // million customers was most of an import's matching.
        let companies = match (has_company, p.is_company) {
            (true, true) => lookup_with("c:", 50, true)?,
            (true, false) if !bare => lookup("c:")?,
            _ => Vec::new(),
        };
        if bare {
            docs.extend(lookup("n:")?);
        } else {
            docs.extend(lookup("n!:")?);
            if !companies.is_empty() {
                docs.extend(lookup("n:")?.into_iter().filter(|d| companies.contains(d)));
            }
        }
        if p.is_company {
            if companies.is_empty() && has_company {
                // The name's block was too big to read (or is empty): of the customers at the
                // row's address (a block read up to 100, as `banyan duplicates` reads one), those
                // with the same company name, each checked with one probe of the key index.
                let names: Vec<i64> =
                    keys.iter().filter(|k| k.starts_with("c:")).map(|k| dedupe::key_code(k)).collect();
                let mut has_key =
                    self.conn().prepare_cached("SELECT 1 FROM match_keys WHERE key = ?1 AND docid = ?2")?;
                for d in lookup_with("a:", ADDRESS_BLOCK, true)? {
                    for &code in &names {
                        if self.new_keys().docids(code).contains(&d) || has_key.exists((code, d))? {
                            docs.push(d);
                            break;
                        }
                    }
                }
            }
            docs.extend(companies);
        }
        // The same address, names one typo apart, the company without its place: the book-wide
        // finder's other blocks (where they are small), so an import finds what `banyan
        // duplicates` would.
        docs.extend(lookup_with("a:", SMALL_BLOCK, true)?);
        docs.extend(lookup_with("t:", SMALL_BLOCK, true)?);
        docs.extend(lookup_with("k:", SMALL_BLOCK, true)?);
        let mut seen = std::collections::HashSet::new();
        docs.retain(|d| seen.insert(*d));
        let mut owner = self.conn().prepare_cached("SELECT customer_id FROM search_docs WHERE docid = ?1")?;
        let mut best: Option<(CustomerId, f64, Vec<Reason>)> = None;
        for d in docs {
            let cid = match memo.owners.get(&d) {
                Some(cid) => *cid,
                None => {
                    let Some(id) = owner.query_row([d], |r| r.get::<_, String>(0)).optional()? else { continue };
                    let Ok(cid) = id.parse::<CustomerId>() else { continue };
                    if memo.owners.len() >= OWNER_MEMO {
                        memo.owners.clear();
                    }
                    memo.owners.insert(d, cid);
                    cid
                }
            };
            let ready = match memo.candidate(cid) {
                Some(ready) => ready,
                None => {
                    let c = customer_in(self.conn(), cid)?;
                    let ready = (!c.deleted).then(|| profile_of(&c).prepare_with(&mut memo.names));
                    memo.keep(cid, ready)
                }
            };
            let Some(ready) = ready else { continue };
            let (s, reasons) = dedupe::score_prepared(row, ready);
            if s >= dedupe::DUPLICATE_SCORE && best.as_ref().is_none_or(|(_, b, _)| s > *b) {
                best = Some((cid, s, reasons));
            }
        }
        // The best candidate is read again, whole: the memo keeps only what a score reads.
        Ok(match best {
            Some((cid, s, reasons)) => Some((customer_in(self.conn(), cid)?, s, reasons)),
            None => None,
        })
    }

    /// Keeps `memo`'s candidates for this transaction if no one else has written to the book
    /// since the import's last transaction (its own commits are its own: the importer forgets
    /// what it changes), and forgets them all otherwise. Another process's commit changes the
    /// connection's `data_version`; another write through this process's writer (the desktop
    /// saving a customer between two chunks) moves the gateway's transaction number past the
    /// import's last.
    pub fn refresh_memo(&self, memo: &mut MatchMemo) -> Result<()> {
        let version: i64 = self.conn().query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let now = (version, self.tx_no());
        if memo.seen.is_none_or(|(v, tx)| v != now.0 || tx + 1 != now.1) {
            memo.forget_candidates();
        }
        memo.seen = Some(now);
        Ok(())
    }
}

/// Candidates [`Writer::best_match`] keeps made ready, at most, in each of its memo's two
/// generations. Memory is the bound: with 20,000 a 300,000-row import peaked at 306 MB against
/// 279 MB with 12,000 (`cargo bench --bench io -- --rows 30000 --big 300000`; issue 12's 1,000,000-
/// row import must stay under 300 MB).
const CANDIDATE_MEMO: usize = 12_000;

/// Index entries whose customer [`Writer::best_match`] remembers, at most (about 3 MB).
const OWNER_MEMO: usize = 60_000;

/// What an import's duplicate matching keeps from row to row: names made ready (for its whole
/// run), and the candidates it has loaded and made ready (what a score reads), each as it was
/// read, and which customer each index entry it met is. The same candidates come up again and
/// again (the first entries of a common name's or a company's block, a company's branches):
/// loading, preparing and finding the owner of each was most of an import's matching, which
/// grew with the book (a 300,000-row import spent half its writing thread there by its last
/// rows). Candidates are kept in two generations, the recent and the one before (a candidate
/// met again moves back to the recent one), so a full memo drops only those not met for a
/// while. The importer forgets a candidate when it changes that customer, and all of them when
/// someone else has written to the book between two of its transactions ([`Writer::refresh_memo`]).
pub struct MatchMemo {
    names: NameMemo,
    recent: std::collections::HashMap<CustomerId, Option<Prepared>>,
    older: std::collections::HashMap<CustomerId, Option<Prepared>>,
    owners: std::collections::HashMap<i64, CustomerId>,
    /// The writer's `data_version` and transaction number when the import's last transaction began.
    seen: Option<(i64, i64)>,
}

impl MatchMemo {
    pub fn new(names: usize) -> MatchMemo {
        MatchMemo {
            names: NameMemo::new(names),
            recent: Default::default(),
            older: Default::default(),
            owners: Default::default(),
            seen: None,
        }
    }

    /// Forgets every loaded candidate and index entry.
    fn forget_candidates(&mut self) {
        self.recent.clear();
        self.older.clear();
        self.owners.clear();
    }

    /// Forgets one customer, which the importer has just changed. Its index entry was made again
    /// under a new number, and the old number may go to the next customer: the entries are
    /// forgotten too.
    pub fn forget(&mut self, id: CustomerId) {
        self.recent.remove(&id);
        self.older.remove(&id);
        self.owners.clear();
    }

    /// A candidate made ready earlier (`Some(None)`: removed from the book), moved to the recent
    /// generation.
    fn candidate(&mut self, id: CustomerId) -> Option<Option<&Prepared>> {
        if !self.recent.contains_key(&id) {
            let ready = self.older.remove(&id)?;
            self.keep(id, ready);
        }
        self.recent.get(&id).map(Option::as_ref)
    }

    /// Keeps a candidate just made ready in the recent generation, which, when full, becomes the
    /// older one (the older one's are dropped).
    fn keep(&mut self, id: CustomerId, ready: Option<Prepared>) -> Option<&Prepared> {
        if self.recent.len() >= CANDIDATE_MEMO {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.entry(id).insert_entry(ready).into_mut().as_ref()
    }
}

/// Rows an undo takes back per transaction: small enough that other writers wait well under a
/// second, large enough that commits are a small share of the work.
const UNDO_CHUNK: usize = 10_000;

/// One row a batch touched: whether the batch created it, the clock of the batch's last change
/// of it, and (for rows it changed) each changed field with its value before the batch.
struct BatchRow {
    table: &'static str,
    row_id: Value,
    created: bool,
    last_hlc: i64,
    fields: Vec<(String, Option<String>)>,
}

pub(super) fn value_from_json(s: &Option<String>) -> Value {
    let Some(s) = s else { return Value::Null };
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::String(t)) => Value::Text(t),
        Ok(serde_json::Value::Number(n)) => {
            n.as_i64().map(Value::Integer).unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or_default()))
        }
        _ => Value::Null,
    }
}

pub(super) fn table_name(t: &str) -> Option<&'static str> {
    ["customers", "contacts", "activities", "products", "orders", "order_lines", "settings", "custom_fields"]
        .into_iter()
        .find(|x| *x == t)
}

/// The rows a batch touched, in the order it first touched them, read in one pass over its log
/// entries (oldest first; each row found again through a map).
fn batch_rows(conn: &rusqlite::Connection, batch: &str) -> Result<Vec<BatchRow>> {
    let mut st = conn.prepare(
        // A batch is written by one device, whose sequence follows its clock: in the batch
        // index's own order, so a batch of a million entries is read without a sort.
        "SELECT tbl, row_id, op, fields, hlc FROM changes WHERE batch_id = ?1 ORDER BY origin, seq",
    )?;
    let mut entries = st.query([batch])?;
    let mut rows: Vec<BatchRow> = Vec::new();
    let mut index: HashMap<(&'static str, String), usize> = HashMap::new();
    while let Some(r) = entries.next()? {
        let tbl: String = r.get(0)?;
        let Some(table) = table_name(&tbl) else { continue };
        let row_id: Value = r.get(1)?;
        let hlc: i64 = r.get(4)?;
        let at = *index.entry((table, row_id_text(&row_id))).or_insert_with(|| {
            rows.push(BatchRow { table, row_id, created: false, last_hlc: hlc, fields: Vec::new() });
            rows.len() - 1
        });
        let row = &mut rows[at];
        row.last_hlc = hlc;
        let op: String = r.get(2)?;
        if op == "insert" {
            row.created = true;
        } else if !row.created {
            let fields: String = r.get(3)?;
            for f in super::log::decode_fields(&fields) {
                if !row.fields.iter().any(|(x, _)| *x == f.field) {
                    row.fields.push((f.field, Some(f.old.to_string())));
                }
            }
        }
    }
    Ok(rows)
}

/// Takes back what the batch did to one row, unless someone changed it since.
fn undo_row(w: &mut Writer<'_>, batch: &str, row: &BatchRow, report: &mut UndoReport) -> Result<()> {
    let id = row_id_text(&row.row_id);
    // Later changes by others block the undo of a field; changes of batches that were undone
    // since (and those undos), and this very undo (resumed after it was cut short), do not count.
    // Every change of the row from outside the batch, newest first: those after the batch's
    // last change block its fields; the newest of each field is what the field goes back to
    // (from any desktop: a value synced in that the batch's change outranked comes back, not
    // the value the batch replaced here).
    let entries: Vec<(String, i64)> = w
        .conn()
        .prepare_cached(
            "SELECT fields, hlc FROM changes WHERE tbl = ?1 AND row_id = ?2
             AND (batch_id IS NULL OR (batch_id <> ?3 AND batch_id <> 'undo:' || ?3
                  AND batch_id NOT IN (SELECT id FROM imports WHERE status = 'undone')
                  AND batch_id NOT IN (SELECT 'undo:' || id FROM imports WHERE status = 'undone')))
             ORDER BY hlc DESC, origin DESC, seq DESC",
        )?
        .query_map(params![row.table, row.row_id, batch], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut touched: Vec<String> = Vec::new();
    let mut latest: HashMap<String, String> = HashMap::new();
    for (e, hlc) in &entries {
        for f in super::log::decode_fields(e) {
            if *hlc > row.last_hlc && !touched.contains(&f.field) {
                touched.push(f.field.clone());
            }
            latest.entry(f.field).or_insert_with(|| f.new.to_string());
        }
    }
    if row.created {
        if !touched.is_empty() {
            report.conflicts.push(UndoConflict { customer_id: id, name: String::new(), field: "record".into() });
            return Ok(());
        }
        // A row the batch created and nobody touched since: remove it (a tombstone, so peers
        // that already have it remove it too). One already removed (a resumed undo) stays so.
        match w.apply(Change::Delete { table: row.table, id: &id }) {
            Ok(_) => report.removed += 1,
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        return Ok(());
    }
    let mut restore = Vec::new();
    // A row the batch removed (a merge's other customer, a rewind's) or brought back.
    let mut deleted_before = None;
    for (field, old) in &row.fields {
        if touched.contains(field) || touched.iter().any(|f| f == "deleted_at") {
            report.conflicts.push(UndoConflict { customer_id: id.clone(), name: String::new(), field: field.clone() });
        } else if field == "deleted_at" && REVERTIBLE.contains(&row.table) {
            deleted_before = Some(old.as_deref().is_some_and(|o| o != "null"));
        } else if let Some(col) = column_name(row.table, field) {
            restore.push((col, value_from_json(&latest.get(field).cloned().or_else(|| old.clone()))));
        }
    }
    if let Some(deleted) = deleted_before {
        let change = if deleted {
            Change::Delete { table: row.table, id: &id }
        } else {
            Change::Restore { table: row.table, id: &id }
        };
        match w.apply(change) {
            Ok(_) => report.restored += 1,
            // Already as it was before the batch (a resumed undo).
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if !restore.is_empty() {
        report.restored += restore.len() as u64;
        w.apply(Change::Update { table: row.table, id: &id, values: restore })?;
    }
    Ok(())
}

/// The static column name a logged field stands for (the gateway only takes static names).
pub(super) fn column_name(table: &str, field: &str) -> Option<&'static str> {
    // `merged_into` and `merge_note` too: a merge taken back (an undo, a rewind) must not leave
    // the customer it brought back pointing at the survivor (synced changes for it would follow).
    const CUSTOMER: &[&str] = &[
        "kind",
        "name",
        "company",
        "phones",
        "emails",
        "address",
        "city",
        "country",
        "tags",
        "owner",
        "source",
        "notes",
        "custom",
        "merged_into",
        "merge_note",
    ];
    const MOVABLE: &[&str] = &["customer_id"];
    let list: &[&str] = if table == "customers" { CUSTOMER } else { MOVABLE };
    list.iter().find(|c| **c == field).copied()
}

/// What `banyan revert` takes back: one field change, every change of one local transaction of a
/// desktop, or a whole batch (an import, a merge; see [`Store::undo_batch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevertTarget {
    Change { origin: String, seq: i64 },
    Tx { origin: String, tx: i64 },
    Batch(String),
}

/// The tables whose rows a revert removes or brings back, and whose fields it restores (plus the
/// move of an order to another customer): a customer's own records, as an import's undo.
pub(super) const REVERTIBLE: [&str; 3] = ["customers", "contacts", "activities"];

/// A field change a revert reads: its row, operation, field, old value and clock.
struct Reverted {
    table: &'static str,
    row_id: Value,
    op: String,
    field: String,
    old: Option<String>,
    hlc: i64,
}

/// The field changes of a change or a transaction, oldest first.
fn reverted_changes(conn: &rusqlite::Connection, target: &RevertTarget) -> Result<Vec<Reverted>> {
    let (sql, origin, n) = match target {
        RevertTarget::Change { origin, seq } => (
            "SELECT l.tbl, l.row_id, l.op, l.fields, l.hlc, l.seq FROM changes l JOIN origins o ON o.id = l.origin
             WHERE o.device = ?1 AND l.seq <= ?2 AND l.seq + json_array_length(l.fields) > ?2",
            origin,
            *seq,
        ),
        RevertTarget::Tx { origin, tx } => (
            "SELECT l.tbl, l.row_id, l.op, l.fields, l.hlc, l.seq FROM changes l JOIN origins o ON o.id = l.origin
             WHERE o.device = ?1 AND l.tx = ?2 ORDER BY l.seq",
            origin,
            *tx,
        ),
        RevertTarget::Batch(_) => unreachable!("a batch is undone by undo_batch"),
    };
    let mut st = conn.prepare(sql)?;
    let mut rows = st.query(params![origin, n])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let Some(table) = table_name(&r.get::<_, String>(0)?) else { continue };
        let (row_id, op, fields, hlc, seq): (Value, String, String, i64, i64) =
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        for (i, f) in super::log::decode_fields(&fields).into_iter().enumerate() {
            if matches!(target, RevertTarget::Change { seq: s, .. } if seq + i as i64 != *s) {
                continue;
            }
            let old = (op != "insert").then(|| f.old.to_string());
            out.push(Reverted { table, row_id: row_id.clone(), op: op.clone(), field: f.field, old, hlc });
        }
    }
    Ok(out)
}

impl Store {
    /// The desktop (origin) whose id starts with `prefix`, if exactly one does: history shows a
    /// desktop by the first characters of its id.
    pub fn origin_by_prefix(&self, prefix: &str) -> Result<Option<String>> {
        let conn = self.reader();
        let mut st =
            conn.prepare_cached("SELECT device FROM origins WHERE substr(device, 1, length(?1)) = ?1 LIMIT 2")?;
        let found: Vec<String> = st.query_map([prefix.trim()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(if found.len() == 1 { found.into_iter().next() } else { None })
    }

    /// The customer fields (`phones`, `custom`, ...) a revert of a change or a transaction would
    /// write back: what the façade checks against the caller's field rules.
    /// An import's undo writes back the old values of the customers it changed (those it created
    /// are removed: no field is written).
    pub fn revert_customer_fields(&self, target: &RevertTarget) -> Result<Vec<String>> {
        let conn = self.reader();
        let mut out: Vec<String> = Vec::new();
        let fields: Vec<String> = match target {
            RevertTarget::Batch(b) => batch_rows(&conn, b)?
                .into_iter()
                .filter(|r| r.table == "customers" && !r.created)
                .flat_map(|r| r.fields.into_iter().map(|(f, _)| f))
                .collect(),
            t => reverted_changes(&conn, t)?.into_iter().filter(|r| r.table == "customers").map(|r| r.field).collect(),
        };
        for f in fields {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// The customers (by id) whose rows a revert would change: what the façade checks the caller
    /// may change before [`Store::revert`].
    pub fn revert_customers(&self, target: &RevertTarget) -> Result<Vec<CustomerId>> {
        let conn = self.reader();
        let changes = match target {
            RevertTarget::Batch(b) => {
                batch_rows(&conn, b)?.into_iter().map(|r| (r.table, r.row_id)).collect::<Vec<_>>()
            }
            t => reverted_changes(&conn, t)?.into_iter().map(|c| (c.table, c.row_id)).collect(),
        };
        let mut out: Vec<CustomerId> = Vec::new();
        for (table, row) in changes {
            let id = if table == "customers" {
                row_id_text(&row).parse().ok()
            } else if ["contacts", "activities", "orders"].contains(&table) {
                conn.query_row(&format!("SELECT customer_id FROM {table} WHERE id = ?1"), [row_id_text(&row)], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
                .and_then(|c| c.parse().ok())
            } else {
                None
            };
            if let Some(id) = id
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Takes back a change, a transaction or a batch by writing new changes through the gateway
    /// (the history keeps both): a field gets its old value back, a row the change created is
    /// removed, a deleted customer comes back; except where a later change touched the same
    /// field (or row), which is kept and reported, as an import's undo does.
    pub fn revert(&self, actor: &Actor, target: &RevertTarget) -> Result<UndoReport> {
        if let RevertTarget::Batch(b) = target {
            let mut quiet = Progress { report: &mut |_, _| {}, cancelled: &|| false };
            return self.undo_batch(actor, b, &mut quiet);
        }
        let changes = reverted_changes(&self.reader(), target)?;
        if changes.is_empty() {
            let what = match target {
                RevertTarget::Change { origin, seq } => format!("{origin}:{seq}"),
                RevertTarget::Tx { origin, tx } => format!("{origin} tx {tx}"),
                RevertTarget::Batch(b) => b.clone(),
            };
            return Err(Error::NotFound { entity: "change", id: what });
        }
        let mut report = UndoReport::default();
        self.write(actor, |w| {
            // What later changes touched, read before this revert writes anything (its own
            // changes are later too).
            let mut touched: Vec<Vec<String>> = Vec::with_capacity(changes.len());
            for c in &changes {
                let later: Vec<String> = w
                    .conn()
                    .prepare_cached("SELECT fields FROM changes WHERE tbl = ?1 AND row_id = ?2 AND hlc > ?3")?
                    .query_map(params![c.table, c.row_id, c.hlc], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                touched.push(later.iter().flat_map(|e| super::log::decode_fields(e)).map(|f| f.field).collect());
            }
            let mut removed: Vec<String> = Vec::new();
            // Newest first, as they were made the other way round.
            for (c, touched) in changes.iter().zip(&touched).rev() {
                let id = row_id_text(&c.row_id);
                let conflict = |field: &str, report: &mut UndoReport| {
                    report.conflicts.push(UndoConflict {
                        customer_id: id.clone(),
                        name: String::new(),
                        field: field.into(),
                    })
                };
                // An erased person's history holds no values to go back to.
                if super::privacy::of_erased(w.conn(), c.table, &id)? {
                    conflict("erased", &mut report);
                    continue;
                }
                let revertible = REVERTIBLE.contains(&c.table);
                if c.op == "insert" {
                    // An insert is one entry of many fields: the row is taken back once.
                    if removed.contains(&id) {
                        continue;
                    }
                    removed.push(id.clone());
                    if !revertible || !touched.is_empty() {
                        conflict("record", &mut report);
                        continue;
                    }
                    match w.apply(Change::Delete { table: c.table, id: &id }) {
                        Ok(_) => report.removed += 1,
                        Err(Error::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                } else if !revertible && c.field != "customer_id" {
                    // Products, orders and settings are not a customer's to take back here.
                    conflict(&c.field, &mut report);
                } else if touched.contains(&c.field) || touched.iter().any(|f| f == "deleted_at") {
                    conflict(&c.field, &mut report);
                } else if c.field == "deleted_at" && c.op == "delete" {
                    w.apply(Change::Restore { table: c.table, id: &id })?;
                    report.restored += 1;
                } else if let Some(col) = column_name(c.table, &c.field) {
                    w.apply(Change::Update { table: c.table, id: &id, values: vec![(col, value_from_json(&c.old))] })?;
                    report.restored += 1;
                } else {
                    conflict(&c.field, &mut report);
                }
            }
            Ok(())
        })?;
        self.name_conflicts(&mut report);
        Ok(report)
    }

    /// Names the customers of the fields an undo or revert kept, as the report shows them.
    pub(super) fn name_conflicts(&self, report: &mut UndoReport) {
        let conn = self.reader();
        for c in &mut report.conflicts {
            if let Ok(cid) = c.customer_id.parse::<CustomerId>()
                && let Ok(cust) = customer_in(&conn, cid)
            {
                c.name = cust.name;
            }
        }
    }
}
