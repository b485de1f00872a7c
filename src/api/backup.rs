//! Backups and restores through the façade: where they go and under which wraps, making one,
//! listing and verifying them, previewing and doing a restore (and taking it back), and getting a
//! book onto a new desktop from a backup. Only who may change settings (an admin) does any of it:
//! a backup is the whole book.

use super::{ApiResult, Banyan, Caller, Langs, OpenOptions, localize};
use crate::backup::{self as bk, BackupUnlock, Counts, Manifest};
use crate::error::{Error, FieldError};
use crate::security::grants::{Action, Entity};
use crate::store::{Actor, NewKey, Store};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// This desktop's backup settings, as the settings page and `banyan backup list` show them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BackupSettings {
    /// Where backups go (the folder set, or `backups` beside the book).
    pub folder: String,
    /// The folder is on the book's own disk: a backup there survives mistakes, not the disk.
    pub same_disk: bool,
    /// A backup passphrase is set (for this book key).
    pub passphrase_set: bool,
    /// The company's recovery public key every backup's key is also sealed to (hex), if set.
    pub recovery_key: Option<String>,
    /// The last backup made and verified here, in Unix ms.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_backup_ms: Option<i64>,
    pub last_backup_file: Option<String>,
    /// How many daily, weekly and monthly backups are kept.
    pub keep: bk::Keep,
    /// When the daily backup runs (local `HH:MM`).
    pub schedule: String,
    /// Why the last scheduled backup failed, if it did (it is tried again within the hour).
    pub last_error: Option<String>,
    /// After how many hours without a backup health warns.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max_age_hours: u32,
    /// The settings IT's policy sets (`BackupDirectory`, `BackupSchedule`, `BackupKeep`,
    /// `BackupMaxAgeHours`): shown locked, and refused when changed.
    pub managed: Vec<String>,
}

/// A backup just made (and read back from its folder).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    pub file: String,
    pub manifest: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    pub counts: Counts,
    /// How the key is wrapped: "passphrase", "recovery".
    pub wraps: Vec<String>,
    pub seconds: f64,
    /// How much the book's write-ahead log grew while the copy was made (writes go on meanwhile).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub wal_growth: u64,
    pub same_disk: bool,
    /// Older backups the retention rules no longer keep, removed after this one was verified.
    pub removed: Vec<String>,
}

/// A backup in a folder.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BackupEntry {
    pub file: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub created_at_ms: Option<i64>,
    pub device_code: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub schema_version: Option<i64>,
    pub counts: Option<Counts>,
    /// The backup is this book's.
    pub this_book: bool,
    /// `backup` (a file and its manifest in the folder), or `snapshot`: the book as it was before
    /// an update of Banyan changed its schema, kept beside it (restored like a backup, with this
    /// book's key, and updated again after).
    pub kind: String,
    /// Why its manifest could not be read (missing, altered), if so: listed, not skipped.
    pub problem: Option<String>,
}

/// What a verify found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub file: String,
    pub full: bool,
    pub ok: bool,
    /// Each problem, named (empty when sound).
    pub problems: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at_ms: i64,
    pub counts: Counts,
    pub seconds: f64,
}

/// Changes a restore would lose: one user's on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LostDay {
    pub user: String,
    pub day: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes: i64,
}

/// What a restore brings back and what it loses.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RestorePreview {
    pub file: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at_ms: i64,
    pub device: String,
    pub device_code: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub schema_version: i64,
    /// The backup is from an older version: it is migrated (after its own snapshot) as it opens.
    pub migrates: bool,
    pub counts_then: Counts,
    pub counts_now: Counts,
    /// Changes made since the backup (here or received from others) that the restore loses.
    pub lost: Vec<LostDay>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub lost_total: i64,
}

/// A restore done.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub preview: RestorePreview,
    /// The book as it was before the restore (`restore --undo` brings it back).
    pub snapshot: Option<String>,
    /// Customers erased since the backup, erased again.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub erased_again: u64,
    pub seconds: f64,
}

/// What `restore --undo` keeps: the snapshot taken before the last restore.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RestoreNote {
    snapshot: PathBuf,
    backup: String,
    at_ms: i64,
}

/// A restore between swapping the file in and finishing (a new identity for this desktop, the
/// clock kept past the replaced book's, erasures made again): written before the swap, removed
/// after, so a restore cut short (the process killed, the PC off) is finished at the next open
/// ([`finish_restore`]) and a restored book never goes on under the identity of the desktop the
/// backup came from (peers hold its later changes).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingRestore {
    /// The book as it was (same key), when a working book was replaced: its clock and erasures
    /// carry over; if the swap stopped half-way (no book), it is put back.
    snapshot: Option<PathBuf>,
    hlc: i64,
    backup: String,
    at_ms: i64,
}

fn pending_path(book: &Path) -> PathBuf {
    let mut p = book.as_os_str().to_owned();
    p.push(".restore-pending.json");
    PathBuf::from(p)
}

fn read_pending(book: &Path) -> Option<PendingRestore> {
    std::fs::read(pending_path(book)).ok().and_then(|t| serde_json::from_slice(&t).ok())
}

fn write_pending(book: &Path, p: &PendingRestore) -> crate::Result<()> {
    crate::security::keys::write_atomic(&pending_path(book), &serde_json::to_string_pretty(p).expect("serializes"))?;
    Ok(())
}

fn clear_pending(book: &Path) {
    let _ = std::fs::remove_file(pending_path(book));
    crate::security::keys::sync_dir(book);
}

/// Before the book opens: a restore stopped between its two renames left no book and the old one
/// under its snapshot's name; it goes back, and the restore did not happen.
pub(crate) fn undo_half_swap(book: &Path) {
    if let Some(p) = read_pending(book)
        && !book.exists()
        && let Some(snapshot) = p.snapshot.filter(|s| s.exists())
        && std::fs::rename(&snapshot, book).is_ok()
    {
        clear_pending(book);
    }
}

/// After the book opened: finishes a restore that was cut short after its swap (see
/// [`PendingRestore`]); one cut short before it leaves nothing to do. Whether one was finished.
pub(crate) fn finish_restore(store: &mut Store) -> crate::Result<bool> {
    let book = store.path().to_owned();
    let Some(p) = read_pending(&book) else { return Ok(false) };
    let swapped = match &p.snapshot {
        Some(s) => s.exists(),
        // A restore over a damaged book, or onto a new desktop: the book that opened is the backup.
        None => true,
    };
    if !swapped {
        clear_pending(&book);
        return Ok(false);
    }
    let erasures = match (&p.snapshot, store.key()) {
        (Some(s), Some(key)) => crate::store::backup::erasures_in(s, key).unwrap_or_default(),
        _ => Vec::new(),
    };
    let nobody = Actor { user: String::new(), batch: None };
    store.after_restore(&nobody, p.hlc, &erasures)?;
    if let Some(snapshot) = &p.snapshot {
        let note = RestoreNote { snapshot: snapshot.clone(), backup: p.backup.clone(), at_ms: p.at_ms };
        crate::security::keys::write_atomic(
            &note_path(&book),
            &serde_json::to_string_pretty(&note).expect("serializes"),
        )?;
    }
    store.record_event(&nobody, "restore-finished", &serde_json::json!({ "backup": p.backup, "atMs": p.at_ms }))?;
    tracing::warn!(at_ms = p.at_ms, "a restore cut short was finished");
    clear_pending(&book);
    Ok(true)
}

fn note_path(book: &Path) -> PathBuf {
    let mut p = book.as_os_str().to_owned();
    p.push(".restore.json");
    PathBuf::from(p)
}

impl RestorePreview {
    /// What restoring the backup `file` of manifest `m` brings back, with the book's counts now
    /// and the changes it loses.
    fn of(file: &Path, m: &Manifest, counts_now: Counts, lost: Vec<LostDay>) -> RestorePreview {
        RestorePreview {
            file: file.display().to_string(),
            created_at_ms: m.created_at_ms,
            device: m.device.clone(),
            device_code: m.device_code.clone(),
            schema_version: m.schema_version,
            migrates: m.schema_version < crate::store::migrate::LATEST,
            counts_then: m.counts.clone(),
            counts_now,
            lost_total: lost.iter().map(|l| l.changes).sum(),
            lost,
        }
    }
}

/// The backup a path names and its manifest, quickly verified, from a version this one reads.
/// A pre-migration snapshot beside the book: `<book>.v<schema>-before-v<newer>-<UTC time>.snapshot`.
struct Snapshot {
    path: PathBuf,
    schema: i64,
    at_ms: i64,
}

/// What `file` is, if it is one of `book`'s pre-migration snapshots.
fn snapshot_at(book: &Path, file: &Path) -> Option<Snapshot> {
    let name = book.file_name()?.to_string_lossy().to_string();
    let rest =
        file.file_name()?.to_string_lossy().strip_prefix(&format!("{name}.v"))?.strip_suffix(".snapshot")?.to_string();
    let (schema, rest) = rest.split_once("-before-v")?;
    let (_, stamp) = rest.split_once('-')?;
    let same_folder = match (std::path::absolute(book).ok()?.parent(), std::path::absolute(file).ok()?.parent()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let stamp = stamp.split_once('-').map(|(s, _)| s).unwrap_or(stamp);
    let at = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S").ok()?.and_utc().timestamp_millis();
    let schema = schema.parse().ok()?;
    (same_folder && file.is_file()).then(|| Snapshot { path: file.to_path_buf(), schema, at_ms: at })
}

/// The book's pre-migration snapshots, newest first.
fn snapshots_of(book: &Path) -> Vec<Snapshot> {
    let dir = book.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut out: Vec<Snapshot> =
        std::fs::read_dir(dir).into_iter().flatten().flatten().filter_map(|e| snapshot_at(book, &e.path())).collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.at_ms));
    out
}

fn usable(file: &Path) -> crate::Result<(PathBuf, Manifest)> {
    let file = bk::backup_path(file);
    let m = bk::quick_verify(&file)?;
    let latest = crate::store::migrate::LATEST;
    if m.schema_version > latest {
        return Err(Error::NewerSchema { found: m.schema_version, supported: latest });
    }
    Ok((file, m))
}

/// What a temporary copy beside the book is for (its name says it; see [`remove_stale_temps`]).
#[derive(Clone, Copy)]
enum Temp {
    Backup,
    Verify,
    Restore,
    Undo,
}

impl Temp {
    const ALL: [Temp; 4] = [Temp::Backup, Temp::Verify, Temp::Restore, Temp::Undo];

    fn name(self) -> &'static str {
        match self {
            Temp::Backup => "backup",
            Temp::Verify => "verify",
            Temp::Restore => "restore",
            Temp::Undo => "undo",
        }
    }
}

/// A file beside the book (same disk, so the final rename is atomic).
fn beside(book: &Path, what: Temp) -> PathBuf {
    let what = what.name();
    let name = book.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "banyan.db".into());
    book.with_file_name(format!(".{name}.{what}-{}", uuid::Uuid::new_v4().simple()))
}

/// Removes what a backup, verify, restore or undo killed part-way left beside the book (its
/// copies under their hidden temporary names, encrypted like the book), once a day old: one that
/// young may belong to a backup running now in another process.
fn remove_stale_temps(book: &Path) {
    let Some(name) = book.file_name().map(|n| n.to_string_lossy().to_string()) else { return };
    let dir = book.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let prefix = format!(".{name}.");
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        let Some(rest) = file.strip_prefix(&prefix) else { continue };
        let ours = Temp::ALL.iter().any(|w| rest.strip_prefix(w.name()).is_some_and(|r| r.starts_with('-')));
        let old = e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < day_ago);
        if ours && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y%m%dT%H%M%SZ").to_string()
}

/// `<book>.<label>-<UTC time><ext>` beside the book, numbered on if one of that name exists (two
/// restores in one second keep both snapshots).
fn kept_name(book: &Path, label: &str, ms: i64, ext: &str) -> PathBuf {
    let name = book.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let base = format!("{name}.{label}-{}", stamp(ms));
    let mut n = 1;
    loop {
        let candidate = book.with_file_name(if n == 1 { format!("{base}{ext}") } else { format!("{base}-{n}{ext}") });
        let mut wal = candidate.as_os_str().to_owned();
        wal.push("-wal");
        if !candidate.exists() && !Path::new(&wal).exists() {
            return candidate;
        }
        n += 1;
    }
}

/// Removes a temporary file when dropped (a failed step leaves nothing behind).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut p = self.0.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

/// Refuses to start when the book's disk cannot hold `need` more bytes.
fn room_for(book: &Path, need: u64) -> crate::Result<()> {
    match bk::free_space(book) {
        Some(free) if free < need + need / 10 => Err(Error::Backup(
            FieldError::new("backup", "error-backup-book-disk-full")
                .arg("need", format!("{:.1}", need as f64 / 1e6))
                .arg("free", format!("{:.1}", free as f64 / 1e6)),
        )),
        _ => Ok(()),
    }
}

/// Copies the backup `file` beside `book` and checks the copy in full under `key`: what a
/// restore swaps in is exactly what was checked.
fn checked_copy(book: &Path, file: &Path, m: &Manifest, key: &crate::security::DbKey) -> crate::Result<TempFile> {
    let tmp = TempFile(beside(book, Temp::Restore));
    let (_, hash) = bk::copy_to_target(file, &tmp.0)?;
    if hash != m.file_blake3 {
        return Err(bk::err("error-backup-damaged"));
    }
    // A pre-migration snapshot has no manifest to hold it to: its pages and b-trees only.
    let problems = if snapshot_at(book, file).is_some() {
        crate::store::backup::quick_check_file(&tmp.0, key)?
    } else {
        crate::store::backup::full_check(&tmp.0, key, m, false)?
    };
    if let Some(first) = problems.first() {
        return Err(Error::Backup(FieldError::new("backup", "error-backup-unsound").arg("detail", first.clone())));
    }
    Ok(tmp)
}

/// A restored book that no one could sign in to before (a new desktop's, or one over a damaged
/// book): made a new desktop, the restore recorded (`how` says which), and the report.
fn opened_restored(
    opts: &OpenOptions,
    mut store: Store,
    file: &Path,
    m: &Manifest,
    how: &str,
    kept: Option<PathBuf>,
    started: Instant,
) -> crate::Result<(Banyan, RestoreReport)> {
    let nobody = Actor { user: String::new(), batch: None };
    store.after_restore(&nobody, 0, &[])?;
    store.record_event(
        &nobody,
        "restore",
        &serde_json::json!({ "backup": m.file, "backupDevice": m.device, "backupAtMs": m.created_at_ms, "how": how }),
    )?;
    let counts = store.counts()?;
    let b = Banyan { store, langs: Langs::new(opts.lang), kdf: opts.store.kdf, former_devices: Vec::new() };
    let preview = RestorePreview::of(file, m, counts, Vec::new());
    let report = RestoreReport {
        preview,
        snapshot: kept.map(|k| k.display().to_string()),
        erased_again: 0,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((b, report))
}

impl Banyan {
    /// This desktop's backup settings.
    pub fn backup_settings(&self, caller: &Caller) -> ApiResult<BackupSettings> {
        self.may(caller, Entity::Settings, Action::Read)?;
        self.backup_settings_now().map_err(|e| self.err(e))
    }

    fn backup_settings_now(&self) -> crate::Result<BackupSettings> {
        let book = self.store.path();
        let cfg = bk::Config::load(book);
        let folder = cfg.dir_for(book);
        let key_id = self.store.key().map(bk::key_id);
        Ok(BackupSettings {
            same_disk: bk::same_disk(&folder, book),
            folder: folder.display().to_string(),
            passphrase_set: cfg.passphrase_wrap.is_some() && cfg.key_id.is_some() && cfg.key_id == key_id,
            recovery_key: self.store.setting("backup_recovery_key")?,
            last_backup_ms: cfg.last_ms,
            last_backup_file: cfg.last_file.as_ref().map(|f| f.display().to_string()),
            keep: cfg.keep_in_force().0,
            schedule: cfg.schedule_in_force().0,
            last_error: cfg.last_error.clone(),
            max_age_hours: cfg.max_age_in_force().0,
            managed: crate::policy::keys()
                .iter()
                .filter(|k| k.name.starts_with("Backup") && crate::policy::current().enforces(&k.name))
                .map(|k| k.name.clone())
                .collect(),
        })
    }

    /// Sets the folder backups go to on this desktop (`None`: `backups` beside the book).
    pub fn set_backup_folder(&self, caller: &Caller, folder: Option<&Path>) -> ApiResult<BackupSettings> {
        self.change_backup_config(caller, "BackupDirectory", "folder", |cfg| {
            cfg.dir = folder.map(std::path::absolute).transpose()?;
            Ok(())
        })
    }

    /// Changes this desktop's backup settings with `change` (which may refuse) and returns them.
    /// A setting a mandatory policy (`policy`) sets is refused, naming the policy (`field` is the
    /// form's field).
    fn change_backup_config(
        &self,
        caller: &Caller,
        policy: &str,
        field: &str,
        change: impl FnOnce(&mut bk::Config) -> crate::Result<()>,
    ) -> ApiResult<BackupSettings> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<BackupSettings> {
            if crate::policy::current().enforces(policy) {
                return Err(Error::field(FieldError::new(field, "error-policy-managed").arg("policy", policy)));
            }
            let mut cfg = bk::Config::load(self.store.path());
            change(&mut cfg)?;
            cfg.save(self.store.path())?;
            self.backup_settings_now()
        };
        run().map_err(|e| self.err(e))
    }

    /// Sets how many daily, weekly and monthly backups this desktop keeps in its folder.
    pub fn set_backup_keep(&self, caller: &Caller, keep: bk::Keep) -> ApiResult<BackupSettings> {
        self.change_backup_config(caller, "BackupKeep", "keep", |cfg| {
            if keep.daily + keep.weekly + keep.monthly == 0 {
                return Err(Error::invalid("keep", "error-backup-keep-nothing"));
            }
            cfg.keep = Some(keep);
            Ok(())
        })
    }

    /// Sets after how many hours without a backup health warns (and the main screen says so).
    pub fn set_backup_max_age(&self, caller: &Caller, hours: u32) -> ApiResult<BackupSettings> {
        self.change_backup_config(caller, "BackupMaxAgeHours", "hours", |cfg| {
            if hours == 0 {
                return Err(Error::invalid("hours", "error-backup-max-age"));
            }
            cfg.max_age_hours = Some(hours);
            Ok(())
        })
    }

    /// Sets the backup passphrase: the book key is sealed under it for every backup from now on
    /// (kept beside the book, so the scheduled backup asks nobody).
    pub fn set_backup_passphrase(&self, caller: &Caller, passphrase: &str) -> ApiResult<BackupSettings> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<BackupSettings> {
            self.store_passphrase_wrap(passphrase)?;
            self.backup_settings_now()
        };
        run().map_err(|e| self.err(e))
    }

    fn store_passphrase_wrap(&self, passphrase: &str) -> crate::Result<()> {
        let key = self.store.key().ok_or_else(|| bk::err("error-backup-no-wrap"))?;
        let sealed = bk::wrap_with_passphrase(key, &self.store.book_id()?, passphrase, self.kdf)?;
        let mut cfg = bk::Config::load(self.store.path());
        cfg.key_id = Some(bk::key_id(key));
        cfg.passphrase_wrap = Some(sealed);
        cfg.save(self.store.path())
    }

    /// Sets the company's recovery public key (hex; `None` removes it): every desktop of the book
    /// seals its backups' keys to it too. A book-wide setting, logged and synced.
    pub fn set_recovery_key(&self, caller: &Caller, public_key: Option<&str>) -> ApiResult<BackupSettings> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<BackupSettings> {
            let value = match public_key {
                Some(k) => bk::check_recovery_public(k)?,
                None => String::new(),
            };
            self.store.set_setting(&caller.actor(), "backup_recovery_key", &value)?;
            self.backup_settings_now()
        };
        run().map_err(|e| self.err(e))
    }

    /// Backs the book up now, to `to` or the folder set: the copy is made beside the book from
    /// one read snapshot (saves go on meanwhile), its facts read from it, then copied to the
    /// folder, read back and compared, and the signed manifest written last. `passphrase`, when
    /// given, becomes the backup passphrase. Without a passphrase or a recovery key nothing is
    /// made: a backup only this desktop's keyring could open would die with it.
    pub fn backup_now(&self, caller: &Caller, to: Option<&Path>, passphrase: Option<&str>) -> ApiResult<BackupReport> {
        self.may(caller, Entity::Settings, Action::Update)?;
        self.make_backup(&caller.actor(), to, passphrase).map_err(|e| self.err(e))
    }

    /// The scheduled backup, when it is due (see [`bk::due`]): the desktop's and the hub's own
    /// doing, so no one signs in for it. A failure is kept for health (and tried again in an
    /// hour) and returned.
    pub fn backup_if_due(&self) -> ApiResult<Option<BackupReport>> {
        let book = self.store.path().to_owned();
        let now = self.store.now_ms();
        if !bk::due(&bk::Config::load(&book), now, *chrono::Local::now().offset()) {
            return Ok(None);
        }
        let device = Actor { user: String::new(), batch: None };
        let made = self.make_backup(&device, None, None).map_err(|e| self.err(e));
        let mut cfg = bk::Config::load(&book);
        cfg.last_attempt_ms = Some(now);
        cfg.last_error = made.as_ref().err().map(|e| e.message.clone());
        cfg.save(&book).map_err(|e| self.err(e))?;
        made.map(Some)
    }

    /// Sets when the daily backup runs on this desktop (`HH:MM`, local time).
    pub fn set_backup_schedule(&self, caller: &Caller, at: &str) -> ApiResult<BackupSettings> {
        self.change_backup_config(caller, "BackupSchedule", "schedule", |cfg| {
            let (h, m) = bk::parse_schedule(at)
                .ok_or_else(|| Error::field(FieldError::new("schedule", "error-backup-schedule").arg("value", at)))?;
            cfg.schedule = Some(format!("{h:02}:{m:02}"));
            Ok(())
        })
    }

    fn make_backup(&self, actor: &Actor, to: Option<&Path>, passphrase: Option<&str>) -> crate::Result<BackupReport> {
        remove_stale_temps(self.store.path());
        let started = Instant::now();
        let book = self.store.path().to_owned();
        let key = self.store.key().ok_or_else(|| bk::err("error-backup-no-wrap"))?.clone();
        if let Some(p) = passphrase {
            self.store_passphrase_wrap(p)?;
        }
        let cfg = bk::Config::load(&book);
        let book_id = self.store.book_id()?;
        let key_id = bk::key_id(&key);
        let mut wraps = bk::Wraps::default();
        if cfg.key_id.as_deref() == Some(key_id.as_str()) {
            wraps.passphrase = cfg.passphrase_wrap.clone();
        }
        if let Some(public) = self.store.setting("backup_recovery_key")?.filter(|k| !k.is_empty()) {
            wraps.recovery = Some(bk::wrap_for_recovery(&key, &public)?);
        }
        if wraps.passphrase.is_none() && wraps.recovery.is_none() {
            return Err(bk::err(if cfg.passphrase_wrap.is_some() {
                "error-backup-passphrase-stale"
            } else {
                "error-backup-no-wrap"
            }));
        }
        let folder = match to {
            Some(d) => d.to_owned(),
            None => cfg.dir_for(&book),
        };
        if to.is_none() && cfg.dir_in_force().0.is_none() {
            crate::security::files::create_dir_all(&folder)?;
        }
        if !folder.is_dir() {
            return Err(Error::Backup(
                FieldError::new("backup", "error-backup-target-missing").arg("folder", folder.display().to_string()),
            ));
        }
        let (book_size, wal_before) = self.store.file_sizes();
        room_for(&book, book_size + wal_before)?;
        let tmp = TempFile(beside(&book, Temp::Backup));
        let facts = self.store.backup_copy(&tmp.0)?;
        // Never over an existing backup: two in one millisecond take the next one.
        let mut now = self.store.now_ms();
        while folder.join(bk::file_name(&book_id, self.store.device_code(), now)).exists() {
            now += 1;
        }
        let name = bk::file_name(&book_id, self.store.device_code(), now);
        let dest = folder.join(&name);
        if let Some(free) = bk::free_space(&folder) {
            let size = std::fs::metadata(&tmp.0)?.len();
            if free < size {
                return Err(Error::Backup(
                    FieldError::new("backup", "error-backup-target-full").arg("folder", folder.display().to_string()),
                ));
            }
        }
        let (size, hash) = bk::copy_to_target(&tmp.0, &dest)?;
        drop(tmp);
        let mut m = Manifest {
            format: 1,
            book_id,
            device: self.store.device().to_string(),
            device_code: self.store.device_code().to_string(),
            created_at_ms: now,
            app_version: env!("CARGO_PKG_VERSION").into(),
            schema_version: facts.schema_version,
            counts: facts.counts.clone(),
            heads: facts.heads,
            checkpoint: facts.checkpoint,
            content_hash: facts.content_hash,
            file: name.clone(),
            file_size: size,
            file_blake3: hash,
            key_id,
            wraps,
            public_key: String::new(),
            signature: String::new(),
        };
        self.store.sign_manifest(&mut m);
        if let Err(e) = bk::write_manifest(&dest, &m) {
            let _ = std::fs::remove_file(&dest);
            return Err(e);
        }
        let (_, wal_after) = self.store.file_sizes();
        self.store.request_upkeep();
        // Only now that this one is whole and read back do older ones go.
        let removed = bk::prune(&folder, &m.book_id, cfg.keep_in_force().0, *chrono::Local::now().offset())?;
        // Read again: a setting changed while the copy was made (the window's, another
        // command's) is kept.
        let mut cfg = bk::Config::load(&book);
        cfg.last_ms = Some(now);
        cfg.last_file = Some(dest.clone());
        cfg.last_error = None;
        cfg.save(&book)?;
        let mut wrap_names = Vec::new();
        if m.wraps.passphrase.is_some() {
            wrap_names.push("passphrase".to_string());
        }
        if m.wraps.recovery.is_some() {
            wrap_names.push("recovery".to_string());
        }
        self.store.record_event(
            actor,
            "backup",
            &serde_json::json!({ "file": name, "size": size, "customers": m.counts.customers, "wraps": wrap_names }),
        )?;
        tracing::info!(
            bytes = size,
            ms = started.elapsed().as_millis() as u64,
            wal_growth = wal_after.saturating_sub(wal_before),
            removed = removed.len(),
            customers = m.counts.customers,
            "backup made"
        );
        Ok(BackupReport {
            file: dest.display().to_string(),
            manifest: bk::manifest_path(&dest).display().to_string(),
            size,
            counts: m.counts,
            wraps: wrap_names,
            seconds: started.elapsed().as_secs_f64(),
            wal_growth: wal_after.saturating_sub(wal_before),
            same_disk: bk::same_disk(&folder, &book),
            removed: removed.iter().map(|p| p.display().to_string()).collect(),
        })
    }

    /// The backups in `folder` (default: the folder set), newest first; one whose manifest
    /// cannot be read is listed with the reason.
    pub fn backups(&self, caller: &Caller, folder: Option<&Path>) -> ApiResult<Vec<BackupEntry>> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<Vec<BackupEntry>> {
            let book = self.store.path();
            let dir = folder.map(Path::to_owned).unwrap_or_else(|| bk::Config::load(book).dir_for(book));
            let book_id = self.store.book_id()?;
            Ok(bk::list_dir(&dir)?
                .into_iter()
                .map(|f| {
                    let file = f.path.display().to_string();
                    match f.manifest {
                        Ok(m) => BackupEntry {
                            file,
                            size: f.size,
                            created_at_ms: Some(m.created_at_ms),
                            device_code: Some(m.device_code),
                            schema_version: Some(m.schema_version),
                            this_book: m.book_id == book_id,
                            counts: Some(m.counts),
                            problem: None,
                            kind: "backup".into(),
                        },
                        Err(e) => BackupEntry {
                            file,
                            size: f.size,
                            created_at_ms: None,
                            device_code: None,
                            schema_version: None,
                            counts: None,
                            this_book: false,
                            problem: Some(localize(self.l10n(), e).message),
                            kind: "backup".into(),
                        },
                    }
                })
                .chain(snapshots_of(book).into_iter().map(|s| BackupEntry {
                    size: std::fs::metadata(&s.path).map(|m| m.len()).unwrap_or(0),
                    file: s.path.display().to_string(),
                    created_at_ms: Some(s.at_ms),
                    device_code: Some(self.store.device_code().to_string()),
                    schema_version: Some(s.schema),
                    counts: None,
                    this_book: true,
                    problem: None,
                    kind: "snapshot".into(),
                }))
                .collect())
        };
        run().map_err(|e| self.err(e))
    }

    /// The newest backup of this book in `folder` (default: the folder set) whose manifest reads.
    pub fn latest_backup(&self, caller: &Caller, folder: Option<&Path>) -> ApiResult<PathBuf> {
        let list = self.backups(caller, folder)?;
        list.into_iter()
            .find(|b| b.this_book && b.problem.is_none() && b.kind == "backup")
            .map(|b| PathBuf::from(b.file))
            .ok_or_else(|| self.err(bk::err("error-backup-none")))
    }

    /// Verifies a backup. Quick: the manifest's signature and the file's hash. Full (`full`),
    /// with the key `unlock` opens: a copy beside the book gets SQLite's and SQLCipher's
    /// integrity checks and each search table's own, and its content hash, counts and heads are
    /// computed again and compared with the manifest's (a logical check: writes during the backup
    /// cannot raise false alarms).
    pub fn verify_backup(
        &self,
        caller: &Caller,
        file: &Path,
        full: bool,
        unlock: &BackupUnlock,
    ) -> ApiResult<VerifyReport> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<VerifyReport> {
            let started = Instant::now();
            let file = bk::backup_path(file);
            let m = bk::quick_verify(&file)?;
            let mut problems = Vec::new();
            if m.book_id == self.store.book_id()? && !self.store.knows_signer(&m.public_key)? {
                problems.push("signed by a key no desktop of this book has".to_string());
            }
            if full {
                let key = bk::unwrap(&m, unlock, self.store.key())?;
                room_for(self.store.path(), m.file_size)?;
                let tmp = TempFile(beside(self.store.path(), Temp::Verify));
                let (_, hash) = bk::copy_to_target(&file, &tmp.0)?;
                if hash != m.file_blake3 {
                    return Err(bk::err("error-backup-damaged"));
                }
                problems.extend(crate::store::backup::full_check(&tmp.0, &key, &m, true)?);
            }
            Ok(VerifyReport {
                file: file.display().to_string(),
                full,
                ok: problems.is_empty(),
                problems,
                created_at_ms: m.created_at_ms,
                counts: m.counts,
                seconds: started.elapsed().as_secs_f64(),
            })
        };
        run().map_err(|e| self.err(e))
    }

    /// What restoring `file` would bring back and lose, with nothing changed.
    pub fn restore_preview(&self, caller: &Caller, file: &Path, unlock: &BackupUnlock) -> ApiResult<RestorePreview> {
        self.may(caller, Entity::Settings, Action::Update)?;
        self.preview(file, unlock).map(|(p, _, _)| p).map_err(|e| self.err(e))
    }

    fn preview(
        &self,
        file: &Path,
        unlock: &BackupUnlock,
    ) -> crate::Result<(RestorePreview, Manifest, crate::security::DbKey)> {
        if let Some(s) = snapshot_at(self.store.path(), file) {
            return self.snapshot_preview(&s);
        }
        let (file, m) = usable(file)?;
        if m.book_id != self.store.book_id()? {
            return Err(bk::err("error-backup-other-book"));
        }
        let key = bk::unwrap(&m, unlock, self.store.key())?;
        let lost = self.lost_days(self.store.changes_beyond(&m.heads)?)?;
        let preview = RestorePreview::of(&file, &m, self.store.counts()?, lost);
        Ok((preview, m, key))
    }

    /// A pre-migration snapshot as a restore sees a backup: its facts read with the book's key
    /// (it has no manifest; its hash is taken now, and the restore's copy must match it).
    fn snapshot_preview(&self, s: &Snapshot) -> crate::Result<(RestorePreview, Manifest, crate::security::DbKey)> {
        let key = self.store.key().ok_or_else(|| bk::err("error-backup-no-wrap"))?.clone();
        let (counts, heads) = crate::store::backup::snapshot_facts(&s.path, &key)?;
        let m = Manifest {
            format: 1,
            book_id: self.store.book_id()?,
            device: self.store.device().to_string(),
            device_code: self.store.device_code().to_string(),
            created_at_ms: s.at_ms,
            app_version: String::new(),
            schema_version: s.schema,
            counts,
            heads: heads.clone().unwrap_or_default(),
            checkpoint: None,
            content_hash: String::new(),
            file: s.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
            file_size: std::fs::metadata(&s.path)?.len(),
            file_blake3: bk::hash_file(&s.path)?,
            key_id: bk::key_id(&key),
            wraps: Default::default(),
            public_key: String::new(),
            signature: String::new(),
        };
        let lost = match heads {
            Some(h) => self.store.changes_beyond(&h)?,
            None => self.store.changes_after_ms(s.at_ms)?,
        };
        let preview = RestorePreview::of(&s.path, &m, self.store.counts()?, self.lost_days(lost)?);
        Ok((preview, m, key))
    }

    /// Lost changes with their users' names.
    fn lost_days(&self, lost: Vec<crate::store::LostChanges>) -> crate::Result<Vec<LostDay>> {
        let names = crate::store::backup::user_names(&self.store)?;
        Ok(lost
            .into_iter()
            .map(|l| LostDay {
                user: names
                    .get(&l.user_id)
                    .cloned()
                    .unwrap_or_else(|| if l.user_id.is_empty() { "—".to_string() } else { l.user_id.clone() }),
                day: l.day,
                changes: l.changes,
            })
            .collect())
    }

    /// Restores `file` in place of the book: previewed and fully checked first (a copy beside the
    /// book), the book as it is now saved as a snapshot, closed, swapped for the backup at once
    /// (migrated after its own snapshot if older), reopened. The restored book is a new desktop to
    /// its peers (sequence numbers they hold are never reused), its clock goes on from the
    /// replaced book's, and erasures made since the backup are made again. Refused without a
    /// change: another book's backup, a wrong passphrase or key, a damaged file, a newer version's
    /// book, the book open in another program.
    pub fn restore(&mut self, caller: &Caller, file: &Path, unlock: &BackupUnlock) -> ApiResult<RestoreReport> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let started = Instant::now();
        let (preview, m, backup_key) = self.preview(file, unlock).map_err(|e| self.err(e))?;
        let report = self.restore_prepared(caller, &preview, &m, &backup_key);
        report
            .map(|(snapshot, erased_again)| RestoreReport {
                preview,
                snapshot: Some(snapshot.display().to_string()),
                erased_again,
                seconds: started.elapsed().as_secs_f64(),
            })
            .map_err(|e| self.err(e))
    }

    fn restore_prepared(
        &mut self,
        caller: &Caller,
        preview: &RestorePreview,
        m: &Manifest,
        backup_key: &crate::security::DbKey,
    ) -> crate::Result<(PathBuf, u64)> {
        let book = self.store.path().to_owned();
        let key = self.store.key().ok_or_else(|| bk::err("error-backup-no-wrap"))?.clone();
        // The copy beside the book; the book itself becomes the snapshot by a rename.
        room_for(&book, m.file_size)?;
        let tmp = checked_copy(&book, Path::new(&preview.file), m, backup_key)?;
        if bk::key_id(backup_key) != bk::key_id(&key) {
            crate::store::backup::rekey_file(&tmp.0, backup_key, &key)?;
        }
        let now = self.store.now_ms();
        let snapshot = kept_name(&book, "pre-restore", now, ".db");
        let erasures = self.store.erasures_with_reasons()?;
        let hlc = self.store.hlc_raw()?;
        let device = self.store.device().to_string();
        let pending = PendingRestore { snapshot: Some(snapshot.clone()), hlc, backup: m.file.clone(), at_ms: now };
        write_pending(&book, &pending)?;
        if let Err(e) = self.store.replace_file(&tmp.0, &snapshot) {
            clear_pending(&book);
            return Err(e);
        }
        self.former_devices.push(device);
        let actor = caller.actor();
        let again = self.store.after_restore(&actor, hlc, &erasures)?;
        let note = RestoreNote { snapshot: snapshot.clone(), backup: m.file.clone(), at_ms: now };
        crate::security::keys::write_atomic(
            &note_path(&book),
            &serde_json::to_string_pretty(&note).expect("serializes"),
        )?;
        clear_pending(&book);
        self.store.record_event(
            &actor,
            "restore",
            &serde_json::json!({
                "backup": m.file, "backupDevice": m.device, "backupAtMs": m.created_at_ms,
                "lostChanges": preview.lost_total, "erasedAgain": again,
            }),
        )?;
        tracing::info!(
            backup_device = %m.device,
            backup_at_ms = m.created_at_ms,
            lost_changes = preview.lost_total,
            erased_again = again,
            "restored"
        );
        Ok((snapshot, again as u64))
    }

    /// Takes the last restore back: the book as it was before it (the snapshot the restore took)
    /// returns, and the restored book is kept as a snapshot of its own. Returns that snapshot.
    pub fn undo_restore(&mut self, caller: &Caller) -> ApiResult<PathBuf> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = |b: &mut Banyan| -> crate::Result<PathBuf> {
            let book = b.store.path().to_owned();
            let note: RestoreNote = std::fs::read(note_path(&book))
                .ok()
                .and_then(|t| serde_json::from_slice(&t).ok())
                .filter(|n: &RestoreNote| n.snapshot.exists())
                .ok_or_else(|| bk::err("error-backup-nothing-to-undo"))?;
            room_for(&book, std::fs::metadata(&note.snapshot)?.len())?;
            let tmp = TempFile(beside(&book, Temp::Undo));
            std::fs::copy(&note.snapshot, &tmp.0)?;
            let now = b.store.now_ms();
            let kept = kept_name(&book, "undone-restore", now, ".db");
            let device = b.store.device().to_string();
            b.store.replace_file(&tmp.0, &kept)?;
            b.former_devices.push(device);
            let _ = std::fs::remove_file(note_path(&book));
            b.store.record_event(
                &caller.actor(),
                "restore-undone",
                &serde_json::json!({ "backup": note.backup, "restoredAtMs": note.at_ms }),
            )?;
            tracing::info!(restored_at_ms = note.at_ms, "restore undone");
            Ok(kept)
        };
        run(self).map_err(|e| self.err(e))
    }

    /// A book on a new desktop from a backup: `file` is checked in full with the key `unlock`
    /// opens (the backup passphrase or the company's recovery key; this desktop has nothing
    /// else), the key is filed as `new_key` says (the OS keyring, or behind a passphrase), and the
    /// book opens as a new desktop of its own. Nothing is at `opts.path` yet.
    pub fn restore_new(
        opts: &OpenOptions,
        file: &Path,
        unlock: &BackupUnlock,
        new_key: NewKey,
    ) -> ApiResult<(Banyan, RestoreReport)> {
        let l10n = crate::i18n::Localizer::new(opts.lang);
        let run = || -> crate::Result<(Banyan, RestoreReport)> {
            let started = Instant::now();
            let book = &opts.path;
            let keys = crate::security::KeyStore::for_db(book);
            if book.exists() || keys.exists() {
                return Err(Error::DbExists(book.clone()));
            }
            let (file, m) = usable(file)?;
            let key = bk::unwrap(&m, unlock, None)?;
            if let Some(dir) = book.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::security::files::create_dir_all(dir)?;
            }
            room_for(book, m.file_size)?;
            let tmp = checked_copy(book, &file, &m, &key)?;
            crate::home::check_new_key(&new_key)?;
            let key = match new_key {
                NewKey::Raw(k) => {
                    crate::store::backup::rekey_file(&tmp.0, &key, &k)?;
                    k
                }
                NewKey::Keyring => {
                    keys.create(&key, crate::security::KeyMode::Keyring, None, opts.store.kdf)?;
                    key
                }
                NewKey::Passphrase(p) => {
                    keys.create(&key, crate::security::KeyMode::Passphrase, Some(&p), opts.store.kdf)?;
                    key
                }
                NewKey::PlaintextForBenchmark => return Err(bk::err("error-backup-no-wrap")),
            };
            let now = opts.store.clock.now_ms();
            write_pending(book, &PendingRestore { snapshot: None, hlc: 0, backup: m.file.clone(), at_ms: now })?;
            let placed = std::fs::rename(&tmp.0, book).map_err(Error::Io).and_then(|_| {
                crate::security::keys::sync_dir(book);
                Store::open(book, &crate::security::Unlock::Raw(key), opts.store.clone())
            });
            let store = match placed {
                Ok(s) => s,
                Err(e) => {
                    let _ = std::fs::remove_file(book);
                    let _ = keys.forget();
                    let _ = std::fs::remove_file(keys.path());
                    clear_pending(book);
                    return Err(e);
                }
            };
            let done = opened_restored(opts, store, &file, &m, "new-desktop", None, started);
            if done.is_ok() {
                clear_pending(book);
            }
            done
        };
        run().map_err(|e| localize(&l10n, e))
    }

    /// Restores `file` over a book that no longer opens (damaged, truncated, its file deleted):
    /// nobody can sign in to it, so holding its key (`unlock`, as for opening it) and the backup's
    /// key is what allows this. The damaged files are kept aside (`<book>.damaged-<time>`), never
    /// deleted; a backup of another book is refused when the damaged book still says which it is.
    pub fn restore_over(
        opts: &OpenOptions,
        unlock: &crate::security::Unlock,
        file: &Path,
        backup_unlock: &BackupUnlock,
    ) -> ApiResult<(Banyan, RestoreReport)> {
        use crate::security::Unlock;
        let l10n = crate::i18n::Localizer::new(opts.lang);
        let run = || -> crate::Result<(Banyan, RestoreReport)> {
            let started = Instant::now();
            let book = &opts.path;
            let keys = crate::security::KeyStore::for_db(book);
            let key = match unlock {
                Unlock::Raw(k) => k.clone(),
                Unlock::KeyFile { passphrase } => keys.unlock(passphrase.as_ref().map(|p| p.as_str()))?.0,
                Unlock::Slot { login, password } => keys.unlock_slot(&crate::model::login_key(login), password)?.0,
            };
            let (file, m) = usable(file)?;
            if let Some(id) = crate::store::backup::book_id_of_damaged(book, &key)
                && id != m.book_id
            {
                return Err(bk::err("error-backup-other-book"));
            }
            let backup_key = bk::unwrap(&m, backup_unlock, Some(&key))?;
            room_for(book, m.file_size)?;
            let tmp = checked_copy(book, &file, &m, &backup_key)?;
            if crate::store::backup::open_elsewhere(book, &key) {
                return Err(Error::BookInUse);
            }
            if bk::key_id(&backup_key) != bk::key_id(&key) {
                crate::store::backup::rekey_file(&tmp.0, &backup_key, &key)?;
            }
            let now = opts.store.clock.now_ms();
            let aside = kept_name(book, "damaged", now, "");
            write_pending(book, &PendingRestore { snapshot: None, hlc: 0, backup: m.file.clone(), at_ms: now })?;
            let mut kept = None;
            for suffix in ["", "-wal", "-shm"] {
                let (mut from, mut to) = (book.as_os_str().to_owned(), aside.as_os_str().to_owned());
                from.push(suffix);
                to.push(suffix);
                if Path::new(&from).exists() {
                    std::fs::rename(&from, &to)?;
                    if suffix.is_empty() {
                        kept = Some(PathBuf::from(to));
                    }
                }
            }
            std::fs::rename(&tmp.0, book)?;
            crate::security::keys::sync_dir(book);
            let store = Store::open(book, &Unlock::Raw(key), opts.store.clone())?;
            let done = opened_restored(opts, store, &file, &m, "over-damaged", kept, started);
            if done.is_ok() {
                clear_pending(book);
            }
            done
        };
        run().map_err(|e| localize(&l10n, e))
    }
}
