//! The store's side of backups and restores: the copy and the facts read from it in the same
//! snapshot, the changes a restore would lose, and what a restored book does before anyone
//! writes to it (a new identity, its clock no earlier than the book it replaced, erasures made
//! since the backup made again).

use super::{Store, connect};
use crate::backup::{BookFacts, Counts};
use crate::error::{Error, Result};
use crate::security::chain::{Chain, Checkpoint};
use crate::security::keys::DbKey;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Changes the book holds that a backup does not: one user's on one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostChanges {
    pub user_id: String,
    pub day: String,
    /// Field changes.
    pub changes: i64,
}

impl Store {
    /// The book key (to wrap it for a backup); none for the benchmark's plaintext book.
    pub(crate) fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }

    /// Copies the book to `tmp` online (one read snapshot; see [`Store::backup_to`]), makes the
    /// copy a self-contained file (rollback journal, so it opens read-only without a WAL beside
    /// it) and reads its facts from it: counts, heads and content hash are the copy's own, so
    /// they describe exactly what it holds whatever was committed meanwhile.
    pub fn backup_copy(&self, tmp: &Path) -> Result<BookFacts> {
        self.backup_to(tmp)?;
        let conn = connect(tmp, self.key.as_ref(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
        facts_of(&conn, &self.device_str)
    }

    /// Signs a backup's manifest with this desktop's audit key.
    pub fn sign_manifest(&self, m: &mut crate::backup::Manifest) {
        m.public_key = self.device_key.public_hex();
        m.signature = self.device_key.sign_manifest(&m.signed_bytes());
    }

    /// Whether `public_hex` is the audit key of a desktop this book knows.
    pub fn knows_signer(&self, public_hex: &str) -> Result<bool> {
        Ok(self.reader().query_row(
            "SELECT EXISTS (SELECT 1 FROM origins WHERE public_key = ?1)",
            [public_hex],
            |r| r.get(0),
        )?)
    }

    /// Bytes on free pages, change-log entries, and when this desktop last reached another
    /// (Unix ms; none before its first sync): for health.
    pub fn health_facts(&self) -> Result<(u64, i64, Option<i64>)> {
        let conn = self.reader();
        let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let entries: i64 = conn.query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
        let synced: Option<i64> = conn.query_row("SELECT max(at) FROM sync_seen", [], |r| r.get(0))?;
        Ok((free as u64 * super::CIPHER_PAGE_SIZE, entries, synced))
    }

    /// SQLite's and SQLCipher's versions, as the book's connection reports them.
    pub fn engine_versions(&self) -> Result<(String, String)> {
        let conn = self.reader();
        let sqlite: String = conn.query_row("SELECT sqlite_version()", [], |r| r.get(0))?;
        let cipher: Option<String> = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).optional()?;
        Ok((sqlite, cipher.unwrap_or_default()))
    }

    /// The book's rows now.
    pub fn counts(&self) -> Result<Counts> {
        counts_of(&self.reader())
    }

    /// The book's file, write-ahead log and free space, in bytes.
    pub fn file_sizes(&self) -> (u64, u64) {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        (size(&self.path), size(Path::new(&wal)))
    }

    /// The changes this book holds beyond `heads` (a backup's: the last sequence number it holds
    /// of each desktop), by user and UTC day: what restoring that backup would lose here.
    pub fn changes_beyond(&self, heads: &BTreeMap<String, i64>) -> Result<Vec<LostChanges>> {
        let conn = self.reader();
        let origins: Vec<(i64, String)> = conn
            .prepare("SELECT id, device FROM origins")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = conn.prepare(
            "SELECT user_id, hlc, json_array_length(fields) FROM changes WHERE origin = ?1 AND seq > ?2 ORDER BY seq",
        )?;
        let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (origin, device) in origins {
            let head = heads.get(&device).copied().unwrap_or(0);
            by_user_and_day(&mut st.query(rusqlite::params![origin, head])?, &mut by)?;
        }
        Ok(by.into_iter().map(|((user_id, day), changes)| LostChanges { user_id, day, changes }).collect())
    }

    /// The changes made after `ms` (wall time), per user and day: what restoring a snapshot taken
    /// then loses, where the snapshot's log cannot say which changes it held.
    pub fn changes_after_ms(&self, ms: i64) -> Result<Vec<LostChanges>> {
        let conn = self.reader();
        let after = crate::sync::hlc::Hlc::from_parts(ms, u16::MAX).raw();
        let mut st = conn.prepare("SELECT user_id, hlc, json_array_length(fields) FROM changes WHERE hlc > ?1")?;
        let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
        by_user_and_day(&mut st.query([after])?, &mut by)?;
        Ok(by.into_iter().map(|((user_id, day), changes)| LostChanges { user_id, day, changes }).collect())
    }

    /// The customers erased in this book, with their reasons (a restored older backup erases
    /// them again).
    pub fn erasures_with_reasons(&self) -> Result<Vec<(String, String)>> {
        erasures_of(&self.reader())
    }

    /// The book's hybrid clock as last written.
    /// (See also [`erasures_in`], the same list read from a book file that is not open.)
    pub fn hlc_raw(&self) -> Result<i64> {
        let v: Option<String> =
            self.reader().query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| r.get(0)).optional()?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Swaps the book's file for `with` (a closed book file under the same key, on the same
    /// disk) and opens it in this store's place, migrating it if an older version made it; the
    /// book as it was is kept at `keep_old_as`. The
    /// book is closed first (the WAL checkpointed into the file); if another process has it open
    /// the swap is refused ([`Error::BookInUse`]) and the book reopens as it was. Windows cannot
    /// rename over an open file and Unix would leave the other process on the old one: either way
    /// nobody else may hold it.
    pub fn replace_file(&mut self, with: &Path, keep_old_as: &Path) -> Result<()> {
        let _ = self.seal_chains();
        self.upkeep = None;
        self.writer().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        *self.read.lock().unwrap_or_else(|e| e.into_inner()) = Connection::open_in_memory()?;
        *self.writer() = Connection::open_in_memory()?;
        let swapped = (|| -> Result<()> {
            let probe = connect(&self.path, self.key.as_ref(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
            probe.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")?;
            if let Err(e) = probe.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
                return Err(match e.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                        Error::BookInUse
                    }
                    _ => e.into(),
                });
            }
            drop(probe);
            // The book as it was, whole now that the WAL is in it, becomes the snapshot (a rename:
            // no copy of a large book to wait for).
            std::fs::rename(&self.path, keep_old_as)?;
            if let Err(e) = std::fs::rename(with, &self.path) {
                let _ = std::fs::rename(keep_old_as, &self.path);
                return Err(e.into());
            }
            // Whatever the old file still had beside it goes with it (normally nothing: closing
            // the last connection checkpointed the WAL into it).
            for suffix in ["-wal", "-shm"] {
                let (mut from, mut to) = (self.path.as_os_str().to_owned(), keep_old_as.as_os_str().to_owned());
                from.push(suffix);
                to.push(suffix);
                if Path::new(&from).exists() {
                    std::fs::rename(&from, &to)?;
                }
            }
            crate::security::keys::sync_dir(&self.path);
            Ok(())
        })();
        let reopened =
            Store::open_with_key(&self.path, self.key.clone(), self.opts.clone(), super::migrate::MIGRATIONS);
        match reopened {
            Ok(store) => {
                *self = store;
                swapped
            }
            Err(e) => Err(swapped.err().unwrap_or(e)),
        }
    }

    /// What a book restored from a backup does before anyone writes to it: it becomes a new
    /// device (the sequence numbers its old identity goes on to use elsewhere, or used before the
    /// restore, are never reused), its clock goes on from no earlier than `hlc` (the replaced
    /// book's, so later edits stay later), and every customer erased in `erasures` (the replaced
    /// book's) and not erased here is erased again, with the same reason. Returns how many.
    pub fn after_restore(&mut self, actor: &super::Actor, hlc: i64, erasures: &[(String, String)]) -> Result<usize> {
        {
            let conn = self.writer();
            conn.execute(
                "UPDATE meta SET value = CAST(max(CAST(value AS INTEGER), ?1) AS TEXT) WHERE key = 'hlc'",
                [hlc],
            )?;
        }
        // After the clock floor: the new member row is a change of now.
        self.take_vouched_identity()?;
        let erased_here: std::collections::HashSet<String> = self.erased_ids()?.into_iter().collect();
        let mut again = 0;
        for (id, reason) in erasures {
            if erased_here.contains(id) {
                continue;
            }
            let Ok(cid) = id.parse::<crate::model::CustomerId>() else { continue };
            match self.erase_customer(actor, cid, reason) {
                Ok(_) => again += 1,
                // Made after the backup: the restored book never had them.
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(again)
    }
}

/// The rows of a book.
fn counts_of(conn: &Connection) -> Result<Counts> {
    counts_with(conn, &|conn: &Connection, sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) })
}

/// [`counts_of`] with each count read by `n` (an older schema's snapshot lacks some tables).
fn counts_with(conn: &Connection, n: &dyn Fn(&Connection, &str) -> Result<i64>) -> Result<Counts> {
    Ok(Counts {
        customers: n(conn, "SELECT count(*) FROM customers WHERE deleted_at IS NULL")?,
        contacts: n(conn, "SELECT count(*) FROM contacts WHERE deleted_at IS NULL")?,
        activities: n(conn, "SELECT count(*) FROM activities WHERE deleted_at IS NULL")?,
        orders: n(conn, "SELECT count(*) FROM orders WHERE deleted_at IS NULL")?,
        products: n(conn, "SELECT count(*) FROM products WHERE deleted_at IS NULL")?,
        users: n(conn, "SELECT count(*) FROM users")?,
        changes: n(conn, "SELECT count(*) FROM changes")?,
    })
}

/// The customers erased in a book, with their reasons.
fn erasures_of(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare("SELECT id, reason FROM erasures WHERE deleted_at IS NULL ORDER BY created_at")?;
    Ok(st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?)
}

/// Changes by user and UTC day of their clock, from rows of (user, hlc, fields changed).
fn by_user_and_day(rows: &mut rusqlite::Rows<'_>, by: &mut BTreeMap<(String, String), i64>) -> Result<()> {
    while let Some(r) = rows.next()? {
        let (user, hlc, n): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let ms = crate::sync::hlc::Hlc::from_raw(hlc).wall_ms();
        let day = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%d").to_string();
        *by.entry((user, day)).or_default() += n.max(1);
    }
    Ok(())
}

/// Each desktop's last sequence number held, through the primary key (an entry of k fields
/// holds sequence numbers seq .. seq + k - 1).
fn heads_of(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut heads = BTreeMap::new();
    let mut st = conn.prepare(
        "SELECT o.device, (SELECT c.seq + max(json_array_length(c.fields), 1) - 1 FROM changes c
                            WHERE c.origin = o.id ORDER BY c.seq DESC LIMIT 1)
         FROM origins o",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(head) = r.get::<_, Option<i64>>(1)? {
            heads.insert(r.get::<_, String>(0)?, head);
        }
    }
    Ok(heads)
}

/// A book's facts, read through `conn` (one snapshot): `device` names the desktop whose last
/// checkpoint goes with them.
pub(crate) fn facts_of(conn: &Connection, device: &str) -> Result<BookFacts> {
    conn.execute_batch("BEGIN")?;
    let facts = (|| -> Result<BookFacts> {
        let meta = |k: &str| -> Result<Option<String>> {
            Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0)).optional()?)
        };
        let book_id = meta("book_id")?.ok_or_else(|| Error::Corrupt("meta book_id missing".into()))?;
        let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let heads = heads_of(conn)?;
        let checkpoint = conn
            .query_row(
                "SELECT o.device, coalesce(o.public_key, ''), c.seq, c.link, c.at, c.signature
                 FROM checkpoints c JOIN origins o ON o.id = c.origin
                 WHERE o.device = ?1 AND c.chain = ?2 ORDER BY c.seq DESC LIMIT 1",
                [device, Chain::Changes.as_str()],
                |r| {
                    Ok(Checkpoint {
                        origin: r.get(0)?,
                        public_key: r.get(1)?,
                        chain: Chain::Changes,
                        seq: r.get(2)?,
                        link: hex::encode(r.get::<_, Vec<u8>>(3)?),
                        at_ms: r.get(4)?,
                        signature: hex::encode(r.get::<_, Vec<u8>>(5)?),
                    })
                },
            )
            .optional()?;
        Ok(BookFacts {
            book_id,
            schema_version,
            counts: counts_of(conn)?,
            heads,
            checkpoint,
            content_hash: super::replica::digest_of(conn)?,
            hlc: meta("hlc")?.and_then(|v| v.parse().ok()).unwrap_or(0),
        })
    })();
    let _ = conn.execute_batch("COMMIT");
    facts
}

/// The check of a backup's file (a copy on the book's disk, opened read-write so FTS5 can check
/// itself). `thorough` (`backup verify --full`): SQLite's integrity check, SQLCipher's page
/// check, each search table's own check, and the facts (content hash, counts, heads) computed
/// again against the manifest's. Otherwise (a restore, whose copy already matched the signed
/// manifest's BLAKE3 byte for byte): SQLite's quick check, which reads every page of every tree
/// (each page's HMAC verified as it is decrypted) and checks their structure, and the book id and
/// heads. Both check the signer is a desktop of the book. The problems found, each named.
pub(crate) fn full_check(path: &Path, key: &DbKey, m: &crate::backup::Manifest, thorough: bool) -> Result<Vec<String>> {
    let conn = connect(path, Some(key), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let mut problems = Vec::new();
    let texts = |sql: &str| -> Result<Vec<String>> {
        let mut st = conn.prepare(sql)?;
        let rows: Vec<String> = st
            .query_map([], |r| r.get::<_, rusqlite::types::Value>(0))?
            .filter_map(|v| match v {
                Ok(rusqlite::types::Value::Text(t)) => Some(t),
                _ => None,
            })
            .collect();
        Ok(rows)
    };
    for line in texts(if thorough { "PRAGMA integrity_check" } else { "PRAGMA quick_check" })? {
        if line != "ok" {
            problems.push(format!("integrity: {line}"));
        }
    }
    if thorough {
        for line in texts("PRAGMA cipher_integrity_check")? {
            problems.push(format!("cipher: {line}"));
        }
        let fts: Vec<String> =
            texts("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%USING fts5%'")?;
        for t in fts {
            if let Err(e) = conn.execute(&format!("INSERT INTO \"{t}\"(\"{t}\") VALUES ('integrity-check')"), []) {
                problems.push(format!("search index {t}: {e}"));
            }
        }
        let facts = facts_of(&conn, &m.device)?;
        if facts.content_hash != m.content_hash {
            problems.push("content differs from the manifest's hash".into());
        }
        if facts.counts != m.counts {
            problems.push(format!("counts {:?} differ from the manifest's {:?}", facts.counts, m.counts));
        }
    }
    let book_id: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'book_id'", [], |r| r.get(0)).optional()?;
    if book_id.as_deref() != Some(m.book_id.as_str()) {
        problems.push("book id differs from the manifest".into());
    }
    if heads_of(&conn)? != m.heads {
        problems.push("change-log heads differ from the manifest's".into());
    }
    // The manifest's signer must be a desktop of the book it describes.
    let known: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM origins WHERE public_key = ?1)", [&m.public_key], |r| r.get(0))?;
    if !known {
        problems.push("signed by a key no desktop of this book has".into());
    }
    Ok(problems)
}

/// Whether another connection (another process) has the book at `path` open: it holds a lock
/// an exclusive one would wait for. A file too damaged to lock is nobody's.
pub(crate) fn open_elsewhere(path: &Path, key: &DbKey) -> bool {
    if !path.exists() {
        return false;
    }
    let Ok(probe) = connect(path, Some(key), OpenFlags::SQLITE_OPEN_READ_WRITE) else { return false };
    if probe.execute_batch("PRAGMA locking_mode = EXCLUSIVE;").is_err() {
        return false;
    }
    match probe.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        Err(e) => matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
        ),
        Ok(()) => false,
    }
}

/// The book id a damaged book still tells, if its first pages read.
pub(crate) fn book_id_of_damaged(path: &Path, key: &DbKey) -> Option<String> {
    let conn = connect(path, Some(key), OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row("SELECT value FROM meta WHERE key = 'book_id'", [], |r| r.get(0)).ok()
}

/// Re-keys a closed book file (a restored copy) from `from` to `to`: every page is rewritten.
pub(crate) fn rekey_file(path: &Path, from: &DbKey, to: &DbKey) -> Result<()> {
    let conn = connect(path, Some(from), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.execute_batch(&format!("PRAGMA rekey = {};", to.sqlcipher_literal().as_str()))?;
    Ok(())
}

/// Users by id → display name, for a restore's preview.
pub(crate) fn user_names(store: &Store) -> Result<HashMap<String, String>> {
    let conn = store.reader();
    let mut st = conn.prepare("SELECT id, login, name FROM users")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, login, name) = row?;
        out.insert(id, if name.trim().is_empty() { login } else { format!("{name} ({login})") });
    }
    Ok(out)
}

/// The erasures a closed book file holds (a restore's snapshot, under the same key), as
/// [`Store::erasures_with_reasons`] reads them from the open book.
pub(crate) fn erasures_in(path: &Path, key: &DbKey) -> Result<Vec<(String, String)>> {
    erasures_of(&connect(path, Some(key), OpenFlags::SQLITE_OPEN_READ_ONLY)?)
}

/// What a pre-migration snapshot holds, read with the book's key: its counts (0 for a table its
/// older schema lacks) and its heads (none when its change log predates them).
pub(crate) fn snapshot_facts(path: &Path, key: &DbKey) -> Result<(Counts, Option<BTreeMap<String, i64>>)> {
    let conn = connect(path, Some(key), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let counts = counts_with(&conn, &|conn: &Connection, sql: &str| -> Result<i64> {
        Ok(conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0))
    })?;
    Ok((counts, heads_of(&conn).ok()))
}

/// SQLite's quick check of a closed book file (every page decrypted and its HMAC checked, every
/// b-tree's structure): a pre-migration snapshot's check before it is restored.
pub(crate) fn quick_check_file(path: &Path, key: &DbKey) -> Result<Vec<String>> {
    let conn = connect(path, Some(key), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut st = conn.prepare("PRAGMA quick_check")?;
    let lines: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(lines.into_iter().filter(|l| l != "ok").map(|l| format!("integrity: {l}")).collect())
}
