//! The encrypted store: opening and keying SQLCipher, migrations, the one write gateway, and one
//! module of queries per aggregate. Only this module speaks SQL.

mod audit;
pub(crate) mod backup;
mod customers;
mod duplicates;
mod gateway;
mod imports;
mod log;
pub mod migrate;
mod orders;
mod privacy;
mod products;
mod reach;
mod replica;
mod rewind;
mod roles;
mod search;
mod settings;
mod upkeep;
mod users;

pub use audit::{AuditEvent, AuditProblem, CHECKPOINT_EVERY, ChainReport};
pub use backup::LostChanges;
pub use customers::{CustomerFilter, CustomerSort};
pub use gateway::Actor;
pub(crate) use gateway::entity_of;
pub(crate) use gateway::{Change, Writer};
pub use imports::{DuplicatePair, ImportCounts, ImportRecord, MatchMemo, RevertTarget, UndoConflict, UndoReport};
pub use log::{ChangeEntry, ChangeRef};
pub use orders::{CurrencyTotal, OrderFilter, OrderSummary};
pub use privacy::{Consent, ErasureCounts, ValidConsent};
pub use reach::Reach;
pub use replica::{ConflictKind, ConflictSide, Member, PeerView, SyncConflict, TlsIdentity};
pub use rewind::{RewindAction, RewindPlan, RewindStep};
pub use roles::CustomRole;
pub use search::{Derived, SearchFilter, SearchHit};
pub use users::{Credentials, UserChange};

use crate::error::{Error, Result};
use crate::model::DeviceId;
use crate::security::keys::{DbKey, KdfParams, KeyMode, KeyStore, Unlock};
use crate::sync::{Clock, SystemClock};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// SQLCipher page size. SQLCipher's header is encrypted, so this cannot be read from the file and
/// must be the same on every open; changing it needs a migration that re-exports the database.
pub const CIPHER_PAGE_SIZE: u64 = 4096;

/// Tuning and test seams for a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// Page cache per connection (an upper bound: SQLite allocates pages as it uses them).
    /// Encryption costs a decryption per cache miss, so a large cache is most of what keeps
    /// SQLCipher close to plain SQLite: on a million customers, search-as-you-type is 1.54x slower
    /// encrypted than plain at p99 with 64 MiB and no slower with 256 MiB (`cargo xtask bench
    /// search -- --cache-mib N`).
    pub cache_mib: u32,
    pub kdf: KdfParams,
    pub clock: Arc<dyn Clock>,
    /// Caps the database at this many pages, so tests can make the "disk" fill up exactly the way
    /// a full disk fails a write in SQLite (SQLITE_FULL). Never set outside tests.
    #[doc(hidden)]
    pub max_pages: Option<u32>,
    /// Told how far an opening's migration has got, as (done, total) rows of the data it
    /// reshapes, when a migration has such a step (a million-customer book takes about a
    /// minute); the CLI and the desktop show it.
    pub on_migrate: Option<MigrationProgress>,
    /// Told how far an opening's index build has got, as (done, total) customers, when the book's
    /// search index was made by an older version (or never made) and is rebuilt before it opens.
    pub on_reindex: Option<MigrationProgress>,
}

/// See [`StoreOptions::on_migrate`].
pub type MigrationProgress = Arc<dyn Fn(u64, u64) + Send + Sync>;

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            cache_mib: 256,
            kdf: KdfParams::default(),
            clock: Arc::new(SystemClock),
            max_pages: None,
            on_migrate: None,
            on_reindex: None,
        }
    }
}

/// An open customer book. Writes go through one connection and [`Store::write`]; reads use a
/// second connection so a long list query never waits behind a write.
pub struct Store {
    // Field order is drop order: the upkeep thread stops first (finishing the step under way),
    // then the read-only connection closes, so the writer, closing last, checkpoints the WAL back
    // into the database file and removes it.
    upkeep: Option<upkeep::Upkeep>,
    path: PathBuf,
    read: Mutex<Connection>,
    /// Shared with the upkeep thread, which merges search segments through it between writes.
    write: Arc<Mutex<Connection>>,
    key: Option<DbKey>,
    clock: Arc<dyn Clock>,
    device: DeviceId,
    /// This device's number in the `origins` table.
    origin: i64,
    device_code: String,
    snapshot: Option<PathBuf>,
    /// The device's id as text (what the audit chain's digests name) and its signing key.
    device_str: String,
    device_key: crate::security::chain::DeviceKey,
    /// As opened (a restore opens the swapped-in file with the same).
    opts: StoreOptions,
}

impl Drop for Store {
    /// Signs a checkpoint of this device's chains as they are at close (see `audit.rs`); a book
    /// that cannot be written to (a full disk) keeps the checkpoints it has.
    fn drop(&mut self) {
        let _ = self.seal_chains();
    }
}

/// How a database is keyed when created.
#[derive(Clone)]
pub enum NewKey {
    /// A random key kept in the OS keyring.
    Keyring,
    /// A random key wrapped with this passphrase in the key file.
    Passphrase(String),
    /// A given key that the caller keeps (tests and tools); no key file is written.
    Raw(DbKey),
    /// No encryption at all. Only the store benchmark uses this, to measure what encryption costs.
    #[doc(hidden)]
    PlaintextForBenchmark,
}

impl Store {
    /// Creates a new, empty, encrypted database at `path` and files its key.
    pub fn create(path: &Path, new_key: NewKey, opts: StoreOptions) -> Result<Store> {
        let keys = KeyStore::for_db(path);
        if path.exists() || keys.exists() {
            return Err(Error::DbExists(path.to_owned()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::security::files::create_dir_all(dir)?;
        }
        crate::home::check_new_key(&new_key)?;
        let key = match &new_key {
            NewKey::PlaintextForBenchmark => None,
            NewKey::Raw(k) => Some(k.clone()),
            NewKey::Keyring => {
                let k = DbKey::random()?;
                keys.create(&k, KeyMode::Keyring, None, opts.kdf)?;
                Some(k)
            }
            NewKey::Passphrase(p) => {
                let k = DbKey::random()?;
                keys.create(&k, KeyMode::Passphrase, Some(p), opts.kdf)?;
                Some(k)
            }
        };
        let result = (|| {
            // An empty file is a new database to SQLite; made here, it is the owner's only (and so
            // are the WAL and shared-memory files SQLite makes beside it, with its mode).
            crate::security::files::create_new(path)?;
            let mut conn =
                connect(path, key.as_ref(), OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
            configure(&mut conn, &opts, false)?;
            migrate::run(&mut conn, path, key.as_ref(), migrate::MIGRATIONS, opts.clock.now_ms(), None)?;
            let device = DeviceId::new(opts.clock.now_ms());
            let code = device_code();
            conn.execute_batch("BEGIN IMMEDIATE")?;
            conn.execute("INSERT INTO origins (id, device) VALUES (1, ?1)", [device.to_string()])?;
            audit::give_device_key(&conn, 1, &crate::security::chain::DeviceKey::random()?)?;
            for (k, v) in [
                ("tx_seq", "0".into()),
                ("device_id", device.to_string()),
                ("device_code", code),
                ("hlc", "0".into()),
                ("origin_seq", "0".into()),
                ("order_seq", "0".into()),
                ("search_built", INDEX_VERSION.into()),
            ] {
                conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", (k, v))?;
            }
            conn.execute_batch("COMMIT")?;
            drop(conn);
            Store::open_with_key(path, key.clone(), opts.clone(), migrate::MIGRATIONS)
        })();
        if result.is_err() {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            let _ = keys.forget();
            let _ = std::fs::remove_file(keys.path());
        }
        result
    }

    /// Opens an existing database. A wrong key or passphrase, a truncated file or a file from a
    /// newer version is refused with its own error, and the file is not written to.
    pub fn open(path: &Path, unlock: &Unlock, opts: StoreOptions) -> Result<Store> {
        Self::open_with_migrations(path, unlock, opts, migrate::MIGRATIONS)
    }

    /// As [`Store::open`], with a chosen migration list (tests use this to prove that a failing
    /// migration leaves the database as it was).
    #[doc(hidden)]
    pub fn open_with_migrations(
        path: &Path,
        unlock: &Unlock,
        opts: StoreOptions,
        migrations: &[migrate::Migration],
    ) -> Result<Store> {
        check_file(path)?;
        match unlock {
            Unlock::Raw(k) => Self::open_with_key(path, Some(k.clone()), opts, migrations),
            Unlock::KeyFile { .. } | Unlock::Slot { .. } => {
                let keys = KeyStore::for_db(path);
                if matches!(unlock, Unlock::Slot { .. }) && keys.sharing_pending() {
                    return Self::finish_sharing(path, &keys, unlock, opts, migrations);
                }
                let (main, pending) = match unlock {
                    Unlock::Slot { login, password } => keys.unlock_slot(login, password)?,
                    Unlock::KeyFile { passphrase } => keys.unlock(passphrase.as_ref().map(|p| p.as_str()))?,
                    Unlock::Raw(_) => unreachable!("matched above"),
                };
                match verify(path, Some(&main)) {
                    Ok(()) => {
                        keys.discard_pending();
                        Self::open_with_key(path, Some(main), opts, migrations)
                    }
                    Err(Error::WrongKey) if pending.is_some() => {
                        // A key change was interrupted after the database was re-keyed: finish it.
                        let p = pending.expect("checked");
                        verify(path, Some(&p))?;
                        keys.commit_pending()?;
                        Self::open_with_key(path, Some(p), opts, migrations)
                    }
                    // Re-keyed for a shared desktop before the process stopped: a sign-in opens it.
                    Err(Error::WrongKey) if keys.sharing_pending() => Err(Error::SharedDesktop),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// A change to a shared desktop stopped between staging its key file and committing it: if
    /// the database already has the new key, the change is finished; if not, it never happened
    /// and the staged file goes (the book opens as before).
    fn finish_sharing(
        path: &Path,
        keys: &KeyStore,
        unlock: &Unlock,
        opts: StoreOptions,
        migrations: &[migrate::Migration],
    ) -> Result<Store> {
        let Unlock::Slot { login, password } = unlock else { unreachable!("only a slot finishes sharing") };
        let (key, _) = keys.unlock_slot(login, password)?;
        match verify(path, Some(&key)) {
            Ok(()) => {
                keys.commit_pending()?;
                Self::open_with_key(path, Some(key), opts, migrations)
            }
            Err(Error::WrongKey) => {
                keys.discard_pending();
                Err(Error::SharingUnfinished)
            }
            Err(e) => Err(e),
        }
    }

    #[doc(hidden)]
    pub fn open_plaintext_for_benchmark(path: &Path, opts: StoreOptions) -> Result<Store> {
        Self::open_with_key(path, None, opts, migrate::MIGRATIONS)
    }

    fn open_with_key(
        path: &Path,
        key: Option<DbKey>,
        opts: StoreOptions,
        migrations: &[migrate::Migration],
    ) -> Result<Store> {
        check_file(path)?;
        verify(path, key.as_ref())?;
        let latest = migrations.last().map(|m| m.version).unwrap_or(0);
        {
            let ro = connect(path, key.as_ref(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let found: i64 = ro.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if found > latest {
                return Err(Error::NewerSchema { found, supported: latest });
            }
        }
        let mut write = connect(path, key.as_ref(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        configure(&mut write, &opts, false)?;
        let snapshot =
            migrate::run(&mut write, path, key.as_ref(), migrations, opts.clock.now_ms(), opts.on_migrate.as_ref())?;
        ensure_search_index(&mut write, path, key.as_ref(), opts.on_reindex.as_ref())?;
        upkeep::hand_merges_to_upkeep(&write)?;
        let mut read = connect(path, key.as_ref(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        configure(&mut read, &opts, true)?;
        let meta = |k: &str| -> Result<String> {
            write
                .query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::Corrupt(format!("meta {k} missing")))
        };
        let device: DeviceId = meta("device_id")?.parse().map_err(|_| Error::Corrupt("device id".into()))?;
        let device_code = meta("device_code")?;
        let origin: i64 = write
            .query_row("SELECT id FROM origins WHERE device = ?1", [device.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::Corrupt("this device is missing from origins".into()))?;
        let device_key = audit::load_device_key(&write)?;
        let write = Arc::new(Mutex::new(write));
        let upkeep = upkeep::Upkeep::start(&write, path, key.as_ref())?;
        let clock = opts.clock.clone();
        let store = Store {
            upkeep: Some(upkeep),
            path: path.to_owned(),
            read: Mutex::new(read),
            write,
            key,
            clock,
            device,
            origin,
            device_code,
            snapshot,
            device_str: device.to_string(),
            device_key,
            opts,
        };
        // Changes a newer desktop sent before this version had their columns: applied now.
        store.sync_reapply_held()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Hex of the Ed25519 public key this desktop signs its changes with.
    pub fn signing_public_key(&self) -> String {
        self.device_key.public_hex()
    }

    /// Where the pre-migration snapshot of this open went, if a migration ran.
    pub fn migration_snapshot(&self) -> Option<&Path> {
        self.snapshot.as_deref()
    }

    /// A reading connection of its own for [`search::rebuild`].
    pub(super) fn rebuild_reader(&self) -> Result<Connection> {
        side_reader(&self.path, self.key.as_ref(), REBUILD_READ_CACHE_MIB)
    }

    /// A read-only connection of its own with a page cache of `cache_mib`, for work that reads
    /// the whole book beside the store's own connections (index rebuild, duplicate finder).
    pub(super) fn side_reader(&self, cache_mib: i64) -> Result<Connection> {
        side_reader(&self.path, self.key.as_ref(), cache_mib)
    }

    /// What a bulk writer calls between two of its transactions: see [`HANDOFF`].
    pub fn hand_off(&self) {
        std::thread::sleep(HANDOFF);
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(crate) fn reader(&self) -> MutexGuard<'_, Connection> {
        self.read.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        self.write.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the upkeep now: merges what earlier processes left (a command-line import or index
    /// rebuild leaves its last segments to the next open book that writes). The desktop calls it
    /// once the book is open; a command-line process that only reads never does.
    pub fn request_upkeep(&self) {
        if let Some(u) = &self.upkeep {
            u.request();
        }
    }

    /// Holds the upkeep's merges off until the returned guard drops (see [`upkeep::Upkeep::pause`]).
    pub(crate) fn pause_upkeep(&self) -> Option<upkeep::UpkeepPause> {
        self.upkeep.as_ref().map(|u| u.pause())
    }

    /// Waits until the upkeep thread (search segment merges, WAL checkpoints) has done the work
    /// of every write so far. Benchmarks and tests only: a person saving from the form leaves it
    /// seconds between saves, and nothing a write or a search returns depends on it.
    #[doc(hidden)]
    pub fn settle(&self) {
        if let Some(u) = &self.upkeep {
            u.settle();
        }
    }

    /// Where the file's bytes go: each table and index with the bytes of its pages, largest first
    /// (SQLite's `dbstat`; an FTS5 index is several shadow tables, each listed), and the file's
    /// whole size beside it (free pages included). Reads every page: seconds per GB.
    pub fn space(&self) -> Result<Space> {
        let conn = self.reader();
        // SQLCipher answers `PRAGMA page_size` with its own settings: the page size is dbstat's.
        let page: i64 = conn.query_row("SELECT pgsize FROM dbstat LIMIT 1", [], |r| r.get(0)).optional()?.unwrap_or(0);
        let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let mut stmt = conn.prepare(
            "SELECT name, SUM(pgsize), SUM(CASE WHEN pagetype = 'leaf' THEN ncell ELSE 0 END) \
             FROM dbstat GROUP BY name ORDER BY 2 DESC, 1",
        )?;
        let objects = stmt
            .query_map([], |r| {
                Ok(SpaceUse { name: r.get(0)?, bytes: r.get::<_, i64>(1)? as u64, entries: r.get::<_, i64>(2)? as u64 })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Space { file_bytes: std::fs::metadata(&self.path)?.len(), free_bytes: (page * free) as u64, objects })
    }

    /// Full integrity check of the encrypted file: SQLite's b-tree check plus SQLCipher's
    /// per-page HMAC check. Returns the problems found (empty when the file is sound).
    pub fn check(&self) -> Result<Vec<String>> {
        self.check_with(true)
    }

    /// The check of a book that has just arrived whole from a member (see `Banyan::join`):
    /// SQLite's quick check, which reads every page (so SQLCipher verifies each page's HMAC as it
    /// decrypts it) and checks each b-tree's structure, but not that every index agrees with its
    /// table row by row; plus the foreign keys. On a 1,000,000-customer book it took 14.7 s
    /// where the full check took 37.8 + 4.5 s (a throwaway timing, not a bench).
    pub fn check_received(&self) -> Result<Vec<String>> {
        self.check_with(false)
    }

    fn check_with(&self, full: bool) -> Result<Vec<String>> {
        // The file must hold still while its pages are read one by one (see pause_and_wait).
        let _still = self.upkeep.as_ref().map(|u| u.pause_and_wait());
        // On a connection of its own: FTS5's integrity check reads the segment layout a
        // connection cached, and the book's own reader may have cached it before another process
        // (a sync round, a command-line import) wrote new segments; it then reported damage the
        // file does not have (tests/it/sync.rs found it, killing sync rounds).
        let conn = self.side_reader(16)?;
        let mut problems: Vec<String> = Vec::new();
        let mut stmt = conn.prepare(if full { "PRAGMA integrity_check" } else { "PRAGMA quick_check" })?;
        for r in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let r = r?;
            if r != "ok" {
                problems.push(r);
            }
        }
        if full && self.key.is_some() {
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
            for r in stmt.query_map([], |r| r.get::<_, String>(0))? {
                problems.push(r?);
            }
        }
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        for r in
            stmt.query_map([], |r| Ok(format!("foreign key: {} row {}", r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        {
            problems.push(r?);
        }
        Ok(problems)
    }

    /// Changes the key: a new random key (re-encrypting every page), in `mode`. The new key file is
    /// staged before the database is re-keyed, so a crash at any point leaves a database that opens.
    pub fn rekey(&mut self, mode: KeyMode, passphrase: Option<&str>, kdf: KdfParams) -> Result<()> {
        self.rekey_with(|keys, new_key| keys.stage(new_key, mode, passphrase, kdf))
    }

    /// Makes this a shared desktop's book: re-encrypted under a new random key whose one key slot
    /// is `login`'s, under `password` (see [`KeyStore::stage_shared`]).
    pub fn rekey_shared(&mut self, login: &str, password: &str, kdf: KdfParams) -> Result<()> {
        self.rekey_with(|keys, new_key| keys.stage_shared(new_key, login, password, kdf))
    }

    /// On a shared desktop, seals the book's key for `login` under `password` (a new user, a new
    /// password); nothing elsewhere.
    pub fn set_key_slot(&self, login: &str, password: &str, kdf: KdfParams) -> Result<()> {
        let key = self.key.as_ref().ok_or(Error::WrongKey)?;
        KeyStore::for_db(&self.path).set_slot(key, login, password, kdf)
    }

    fn rekey_with(&mut self, stage: impl FnOnce(&KeyStore, &DbKey) -> Result<()>) -> Result<()> {
        let keys = KeyStore::for_db(&self.path);
        let new_key = DbKey::random()?;
        stage(&keys, &new_key)?;
        // The upkeep's checkpointing connection has the old key: stopped first, started again with
        // the new one.
        self.upkeep = None;
        let rekeyed = (|| {
            let write = self.writer();
            write.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
            write.execute_batch(&format!("PRAGMA rekey = {};", new_key.sqlcipher_literal().as_str()))?;
            drop(write);
            keys.commit_pending()
        })();
        self.upkeep = Some(upkeep::Upkeep::start(
            &self.write,
            &self.path,
            Some(if rekeyed.is_ok() { &new_key } else { self.key.as_ref().ok_or(Error::WrongKey)? }),
        )?);
        rekeyed?;
        let mut read = connect(&self.path, Some(&new_key), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        configure(&mut read, &StoreOptions::default(), true)?;
        *self.read.lock().unwrap_or_else(|e| e.into_inner()) = read;
        self.key = Some(new_key);
        Ok(())
    }

    /// Re-wraps the same key under a new passphrase (or moves it to the keyring); the database
    /// file is not rewritten.
    pub fn rewrap(&self, mode: KeyMode, passphrase: Option<&str>, kdf: KdfParams) -> Result<()> {
        let keys = KeyStore::for_db(&self.path);
        let key = self.key.as_ref().ok_or(Error::WrongKey)?;
        keys.stage(key, mode, passphrase, kdf)?;
        keys.commit_pending()
    }

    /// Writes an encrypted copy (same key) of the whole database to `dest` through SQLite's online
    /// backup API; the copy is consistent even while writes go on.
    ///
    /// It reads through a connection of its own, in one step (one read transaction): the book's
    /// writer stays free, and writes by anyone meanwhile neither wait nor restart the copy. (It
    /// used the writer, 1,024 pages a step: a save in this process waited for the whole copy, and
    /// every write by another process started it over, so a desktop joining a book that someone
    /// kept saving in never got it: `cargo xtask bench sync`, saves every 50 ms during pairing.)
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        let src = connect(&self.path, self.key.as_ref(), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        migrate::snapshot(&src, dest, self.key.as_ref())
    }
}

/// Reads column `idx` as an id (UUID text), reporting a malformed one as a conversion error.
pub(crate) fn id_column<T: std::str::FromStr<Err = uuid::Error>>(
    r: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<T> {
    r.get::<_, String>(idx)?
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

/// Version of the derived indexes (1: search; 2: + duplicate match keys; 3: + "n!:" keys;
/// 4: + name and pinyin tier tables; 5: + typo, address and company-core keys; 6: detail=none
/// FTS tables, integer match keys).
pub(super) const INDEX_VERSION: &str = "6";

/// Builds the search index and match keys of a book that predates them, or whose index an older
/// version built (after the migrations that reshape them), reporting (done, total) customers.
fn ensure_search_index(
    conn: &mut Connection,
    path: &Path,
    key: Option<&DbKey>,
    progress: Option<&MigrationProgress>,
) -> Result<()> {
    let built: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'search_built'", [], |r| r.get(0)).optional()?;
    if built.as_deref() != Some(INDEX_VERSION) {
        search::rebuild(conn, side_reader(path, key, REBUILD_READ_CACHE_MIB)?, &mut |done, total| {
            if let Some(p) = progress {
                p(done, total)
            }
        })?;
    }
    Ok(())
}

/// Page cache of the index rebuild's reading connection.
const REBUILD_READ_CACHE_MIB: i64 = 32;

/// A new encrypted book in `dir` for unit tests, with a cheap key derivation.
#[cfg(test)]
pub(crate) fn unit_test_store(dir: &Path) -> Store {
    let opts = StoreOptions { kdf: crate::security::keys::KdfParams { m_kib: 1024, t: 1, p: 1 }, ..Default::default() };
    Store::create(&dir.join("b.db"), NewKey::Passphrase("unit test passphrase".into()), opts).unwrap()
}

/// A read-only side connection (see [`Store::side_reader`]).
fn side_reader(path: &Path, key: Option<&DbKey>, cache_mib: i64) -> Result<Connection> {
    let c = connect(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    c.execute_batch(&format!(
        "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{}; PRAGMA query_only = ON;",
        cache_mib * 1024
    ))?;
    Ok(c)
}

/// Runs `sql` (a drop or delete of derived or already-copied data) with SQLCipher's
/// secure_delete off, then puts it back as it was: the freed pages stay encrypted and later writes
/// reuse them, so zeroing each one is work (on a million-customer book, gigabytes of dirty pages
/// in memory) that protects nothing.
pub(super) fn without_secure_delete(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    let secure: i64 = conn.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA secure_delete = OFF;")?;
    let done = conn.execute_batch(sql);
    conn.execute_batch(&format!("PRAGMA secure_delete = {secure};"))?;
    done
}

/// Opens a connection and applies the key. SQLCipher's own stderr log is silenced first: a wrong
/// key is reported by us, clearly, not as "hmac check failed" noise.
pub(crate) fn connect(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    if let Some(k) = key {
        conn.execute_batch(&format!("PRAGMA key = {};", k.sqlcipher_literal().as_str()))?;
        conn.execute_batch(&format!("PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE};"))?;
    }
    Ok(conn)
}

/// Page cache of the write connection, at most. Searches and lists read through the read
/// connection, whose cache is what keeps encrypted reads fast; the writer's cache serves writes
/// and the lookups inside them. A large import fills every page it may keep, so this bound is
/// most of an import's memory: a 1,000,000-row CSV import held 334 MB with 256 MiB here. With
/// 128 MiB a 100,000-row import takes about as long as with 256 (37.0 s vs 36.3 s for the XLSX
/// of `cargo xtask bench io`); with 64 MiB it took 48.8 s.
const WRITE_CACHE_MIB: u32 = 128;

/// How long a statement waits for another process's lock on the book before it fails as busy.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How often a writer waiting for another process's lock tries again. SQLite's own wait backs
/// off to 100 ms between tries, so a waiter almost never hit the instant between two of a bulk
/// writer's transactions and waited for the whole import (a sign-in, which records an audit
/// event, waited for all of a 60,000-row CLI import); trying every 2 ms it takes the
/// [`HANDOFF`] the bulk writer leaves after each chunk.
const BUSY_RETRY: std::time::Duration = std::time::Duration::from_millis(2);

/// The pause a bulk writer (an import, an undo) leaves between its transactions, so that a
/// writer waiting in this process (std's mutex is not fair) or in another (see [`BUSY_RETRY`])
/// gets the book: everyone else waits one chunk at most.
pub(crate) const HANDOFF: std::time::Duration = std::time::Duration::from_millis(6);

fn busy_retry(tries: i32) -> bool {
    if (tries.max(0) as u128 + 1) * BUSY_RETRY.as_millis() > BUSY_TIMEOUT.as_millis() {
        return false;
    }
    std::thread::sleep(BUSY_RETRY);
    true
}

/// Sets the wait for another process's lock on a connection that writes (see [`BUSY_RETRY`]).
pub(super) fn wait_for_locks(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(busy_retry))
}

fn configure(conn: &mut Connection, opts: &StoreOptions, read_only: bool) -> Result<()> {
    let cache_mib = if read_only { opts.cache_mib } else { opts.cache_mib.min(WRITE_CACHE_MIB) };
    let cache_kib = cache_mib as i64 * 1024;
    // temp_store=MEMORY: sorts and temp indexes never spill customer data to clear-text temp files.
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};"
    ))?;
    if read_only {
        conn.busy_timeout(BUSY_TIMEOUT)?;
    } else {
        wait_for_locks(conn)?;
    }
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    } else {
        // WAL with synchronous=FULL: a commit is on disk when it returns, and a crash at any moment
        // leaves the last committed state.
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        if let Some(max) = opts.max_pages {
            conn.execute_batch(&format!("PRAGMA max_page_count = {max};"))?;
        }
    }
    Ok(())
}

/// Refuses a file that cannot be a whole database: missing, empty, or cut off mid-page.
fn check_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::DbMissing(path.to_owned()),
        _ => Error::Io(e),
    })?;
    if meta.len() < CIPHER_PAGE_SIZE || meta.len() % CIPHER_PAGE_SIZE != 0 {
        return Err(Error::Truncated(path.to_owned()));
    }
    Ok(())
}

/// Reads the schema with a read-only connection to prove the key; never writes the file.
fn verify(path: &Path, key: Option<&DbKey>) -> Result<()> {
    let conn = connect(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let r = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
    match r {
        Ok(_) => Ok(()),
        Err(e) => match e.sqlite_error_code() {
            Some(rusqlite::ffi::ErrorCode::NotADatabase) => Err(Error::WrongKey),
            Some(rusqlite::ffi::ErrorCode::DatabaseCorrupt) => Err(Error::Corrupt(e.to_string())),
            _ => Err(e.into()),
        },
    }
}

/// Five characters of Crockford base32: this desktop's order-number prefix, so two offline
/// desktops never hand out the same number.
/// A new random desktop code (what order numbers start with).
pub fn new_device_code() -> String {
    device_code()
}

pub(super) fn device_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut b = [0u8; 5];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| ALPHABET[(*x as usize) % 32] as char).collect()
}

/// What [`Store::space`] found.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Space {
    pub file_bytes: u64,
    /// Pages the file holds but no table uses (a VACUUM would give them back).
    pub free_bytes: u64,
    pub objects: Vec<SpaceUse>,
}

/// One table or index in [`Space`].
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpaceUse {
    pub name: String,
    pub bytes: u64,
    /// Cells on its leaf pages: rows for a table, entries for an index.
    pub entries: u64,
}
