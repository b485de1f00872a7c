//! Backups: one self-contained SQLCipher file per backup and a signed manifest beside it.
//!
//! The backup file is a page-for-page copy of the book made by SQLite's online backup API from a
//! read connection of its own (one snapshot; commits go on in the WAL meanwhile), so its pages are
//! encrypted under the book's key at that time. That key goes into the manifest wrapped, never in
//! clear: under a backup passphrase (Argon2id + XChaCha20-Poly1305, as the key file wraps it)
//! and/or the company's recovery public key (an X25519 sealed box, libsodium-compatible, so IT can
//! open it with standard tools too). A dead laptop does not take its backups with it.
//!
//! The manifest says what the backup holds without holding any customer data: book, desktop,
//! schema version, row counts, change-log heads per desktop, the last signed audit checkpoint, a
//! content hash (the digest every replica of the book agrees on), the file's size and BLAKE3, and
//! the key wraps. The desktop's audit key signs it.
//!
//! This module has what needs no book: names, manifests, wraps, the copy to the target and
//! reading a folder of backups. The store takes the copy and its facts (`store/backup.rs`); the
//! façade puts them together (`api/backup.rs`).

use crate::error::{Error, FieldError, Result};
use crate::policy::Source;
use crate::security::chain::Checkpoint;
use crate::security::keys::{DbKey, KdfParams, Sealed, open_with_password, seal_with_password};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A backup file's extension; its manifest is the file's name plus [`MANIFEST_SUFFIX`].
pub const BACKUP_EXT: &str = "bkp";
pub const MANIFEST_SUFFIX: &str = ".manifest.json";
const FORMAT: u32 = 1;

/// Rows in a book, as a backup's manifest and a restore's preview show them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub customers: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub contacts: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub activities: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub orders: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub products: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub users: i64,
    /// Change-log entries (each one row change, of one or more fields).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes: i64,
}

/// What a book holds at one instant, read in one snapshot: the manifest's facts, and what a
/// restored book is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookFacts {
    pub book_id: String,
    pub schema_version: i64,
    pub counts: Counts,
    /// The last sequence number held of each desktop (by device id).
    pub heads: BTreeMap<String, i64>,
    /// The last signed checkpoint of the backing-up desktop's change chain.
    pub checkpoint: Option<Checkpoint>,
    /// The digest every replica of the book agrees on once it holds the same changes.
    pub content_hash: String,
    pub hlc: i64,
}

/// The book key sealed for someone other than this desktop's keyring.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wraps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<Sealed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoveryWrap>,
}

/// The key in a sealed box to the company's recovery public key (X25519, hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryWrap {
    pub public_key: String,
    pub sealed: String,
}

/// A backup's manifest (`<file>.manifest.json`). No customer data: ids, counts and hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: u32,
    pub book_id: String,
    /// The desktop that made the backup (device id) and its short code.
    pub device: String,
    pub device_code: String,
    pub created_at_ms: i64,
    pub app_version: String,
    pub schema_version: i64,
    pub counts: Counts,
    pub heads: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
    pub content_hash: String,
    /// The backup file's name (beside the manifest), size and BLAKE3.
    pub file: String,
    pub file_size: u64,
    pub file_blake3: String,
    /// Which key the file is encrypted under (a one-way id, see [`key_id`]).
    pub key_id: String,
    pub wraps: Wraps,
    /// The signing desktop's audit public key (hex) and its Ed25519 signature over the rest.
    pub public_key: String,
    #[serde(default)]
    pub signature: String,
}

impl Manifest {
    /// What the signature covers: the manifest as JSON with sorted keys, without `signature`
    /// (canonical, so fields a later version adds are covered without changing old manifests).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_value(self).expect("manifest serializes");
        if let Some(o) = v.as_object_mut() {
            o.remove("signature");
        }
        serde_json::to_vec(&v).expect("value serializes")
    }

    /// Whether the signature is `public_key`'s over the rest.
    pub fn signature_holds(&self) -> bool {
        crate::security::chain::verify_manifest(&self.public_key, &self.signed_bytes(), &self.signature)
    }

    pub fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(self.created_at_ms).unwrap_or_default()
    }
}

/// A backup error: `msg_id` says which (each its own message), `args` fill it in.
pub(crate) fn fault(msg_id: &'static str) -> FieldError {
    FieldError::new("backup", msg_id)
}

pub(crate) fn err(msg_id: &'static str) -> Error {
    Error::Backup(fault(msg_id))
}

/// `banyan-<book id>-<device code>-<UTC time>.bkp`.
pub fn file_name(book_id: &str, device_code: &str, at_ms: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
    let code: String = device_code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("banyan-{book_id}-{code}-{}.{BACKUP_EXT}", at.format("%Y%m%dT%H%M%S%3fZ"))
}

pub fn manifest_path(backup: &Path) -> PathBuf {
    let mut p = backup.as_os_str().to_owned();
    p.push(MANIFEST_SUFFIX);
    PathBuf::from(p)
}

/// The backup file a path names: the file itself, or its manifest.
pub fn backup_path(given: &Path) -> PathBuf {
    let s = given.as_os_str().to_string_lossy();
    match s.strip_suffix(MANIFEST_SUFFIX) {
        Some(file) => PathBuf::from(file),
        None => given.to_owned(),
    }
}

/// A one-way id of a book key: which key a backup needs, without revealing it.
pub fn key_id(key: &DbKey) -> String {
    hex::encode(&blake3::derive_key("banyan 2026-12 backup key id", key.bytes())[..16])
}

fn passphrase_aad(book_id: &str, key_id: &str) -> String {
    format!("banyan-backup-key:{book_id}:{key_id}")
}

/// The book key sealed under a backup passphrase (≥ 8 characters, like a book passphrase).
pub fn wrap_with_passphrase(key: &DbKey, book_id: &str, passphrase: &str, kdf: KdfParams) -> Result<Sealed> {
    crate::security::keys::check_new_passphrase(passphrase)?;
    seal_with_password(passphrase, key.bytes(), &passphrase_aad(book_id, &key_id(key)), kdf)
}

/// The book key sealed to the company's recovery public key (hex).
pub fn wrap_for_recovery(key: &DbKey, public_hex: &str) -> Result<RecoveryWrap> {
    let public = recovery_public(public_hex)?;
    let sealed =
        public.seal(&mut crypto_box::aead::OsRng, key.bytes()).map_err(|_| err("error-backup-recovery-key"))?;
    Ok(RecoveryWrap { public_key: hex::encode(public.as_bytes()), sealed: hex::encode(sealed) })
}

fn recovery_public(public_hex: &str) -> Result<crypto_box::PublicKey> {
    let mut b = [0u8; 32];
    hex::decode_to_slice(public_hex.trim(), &mut b).map_err(|_| err("error-backup-recovery-key"))?;
    Ok(crypto_box::PublicKey::from(b))
}

/// How a backup's key is unwrapped.
#[derive(Clone)]
pub enum BackupUnlock {
    /// The backup passphrase.
    Passphrase(Zeroizing<String>),
    /// The company's recovery secret key (the file `banyan backup recovery-key new` wrote).
    Recovery(Zeroizing<String>),
    /// The open book's own key, when the backup was made under it (same desktop, no key change).
    ThisBook,
}

/// The key `unlock` opens from the manifest's wraps, checked against the manifest's key id.
pub fn unwrap(m: &Manifest, unlock: &BackupUnlock, this_book: Option<&DbKey>) -> Result<DbKey> {
    let key = match unlock {
        BackupUnlock::ThisBook => match this_book.filter(|k| key_id(k) == m.key_id) {
            Some(k) => k.clone(),
            None => return Err(err("error-backup-key-needed")),
        },
        BackupUnlock::Passphrase(p) => {
            let sealed = m.wraps.passphrase.as_ref().ok_or_else(|| err("error-backup-no-passphrase-wrap"))?;
            let bytes = open_with_password(p, sealed, &passphrase_aad(&m.book_id, &m.key_id))?
                .ok_or_else(|| err("error-backup-wrong-passphrase"))?;
            key_from(&bytes)?
        }
        BackupUnlock::Recovery(secret_text) => {
            let wrap = m.wraps.recovery.as_ref().ok_or_else(|| err("error-backup-no-recovery-wrap"))?;
            let secret = recovery_secret(secret_text)?;
            if hex::encode(secret.public_key().as_bytes()) != wrap.public_key {
                return Err(err("error-backup-wrong-recovery-key"));
            }
            let sealed = hex::decode(&wrap.sealed).map_err(|_| err("error-backup-manifest-altered"))?;
            let bytes = Zeroizing::new(secret.unseal(&sealed).map_err(|_| err("error-backup-wrong-recovery-key"))?);
            key_from(&bytes)?
        }
    };
    if key_id(&key) != m.key_id {
        return Err(err("error-backup-manifest-altered"));
    }
    Ok(key)
}

fn key_from(bytes: &[u8]) -> Result<DbKey> {
    let b: [u8; 32] = bytes.try_into().map_err(|_| err("error-backup-manifest-altered"))?;
    Ok(DbKey::from_bytes(b))
}

/// A recovery key pair's file: the secret half IT keeps offline, and the public half every
/// desktop wraps backups' keys to.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecoveryFile {
    kind: String,
    public_key: String,
    secret_key: String,
}

const RECOVERY_KIND: &str = "banyan-recovery-key";

/// A new recovery key pair: the file text to keep offline (owner-only), and the public key (hex).
pub fn new_recovery_key() -> (Zeroizing<String>, String) {
    let secret = crypto_box::SecretKey::generate(&mut crypto_box::aead::OsRng);
    let public = hex::encode(secret.public_key().as_bytes());
    let file = RecoveryFile {
        kind: RECOVERY_KIND.into(),
        public_key: public.clone(),
        secret_key: hex::encode(secret.to_bytes()),
    };
    (Zeroizing::new(serde_json::to_string_pretty(&file).expect("serializes")), public)
}

/// The secret key from a recovery file's text (or the bare hex of the secret).
fn recovery_secret(text: &str) -> Result<crypto_box::SecretKey> {
    let hex_text = match serde_json::from_str::<RecoveryFile>(text) {
        Ok(f) if f.kind == RECOVERY_KIND => Zeroizing::new(f.secret_key),
        _ => Zeroizing::new(text.trim().to_string()),
    };
    let mut b = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(hex_text.as_str(), b.as_mut()).map_err(|_| err("error-backup-recovery-key"))?;
    Ok(crypto_box::SecretKey::from(*b))
}

/// Checks that a public recovery key is 32 bytes of hex; returns it normalised.
pub fn check_recovery_public(public_hex: &str) -> Result<String> {
    Ok(hex::encode(recovery_public(public_hex)?.as_bytes()))
}

/// Reads a backup's manifest (beside `backup`). Missing or unreadable: its own error.
pub fn read_manifest(backup: &Path) -> Result<Manifest> {
    let path = manifest_path(backup);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound if !backup.exists() => {
            Error::Backup(fault("error-backup-missing").arg("file", backup.display().to_string()))
        }
        std::io::ErrorKind::NotFound => {
            Error::Backup(fault("error-backup-no-manifest").arg("file", backup.display().to_string()))
        }
        _ => Error::Io(e),
    })?;
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|_| err("error-backup-manifest-altered"))?;
    if m.format > FORMAT {
        return Err(err("error-backup-newer-format"));
    }
    Ok(m)
}

/// The quick check: the manifest is signed as it is, and the file is the one it describes (size,
/// then BLAKE3 of every byte). Returns the manifest.
pub fn quick_verify(backup: &Path) -> Result<Manifest> {
    let m = read_manifest(backup)?;
    if !m.signature_holds() {
        return Err(err("error-backup-manifest-altered"));
    }
    if backup.file_name().and_then(|n| n.to_str()) != Some(m.file.as_str()) {
        return Err(err("error-backup-manifest-altered"));
    }
    let size = std::fs::metadata(backup)
        .map_err(|_| Error::Backup(fault("error-backup-missing").arg("file", backup.display().to_string())))?
        .len();
    if size < m.file_size {
        return Err(err("error-backup-truncated"));
    }
    if size != m.file_size || hash_file(backup)? != m.file_blake3 {
        return Err(err("error-backup-damaged"));
    }
    Ok(m)
}

/// BLAKE3 of a whole file, hex.
pub fn hash_file(path: &Path) -> Result<String> {
    let mut h = blake3::Hasher::new();
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().to_hex().to_string())
}

/// Copies the closed file `src` to `dest` on the target: into `dest.partial`, synced, renamed,
/// then read back and compared, so nothing lies under a final name unless it is whole. Returns
/// the size and BLAKE3. A target folder that is missing (a USB drive pulled, a share offline) or
/// full is an error of its own; what was written is removed.
pub fn copy_to_target(src: &Path, dest: &Path) -> Result<(u64, String)> {
    let partial = {
        let mut p = dest.as_os_str().to_owned();
        p.push(".partial");
        PathBuf::from(p)
    };
    let copied = (|| -> Result<(u64, String)> {
        let mut from = std::fs::File::open(src)?;
        let mut to = crate::security::files::create(&partial).map_err(|e| target_error(Error::Io(e), dest))?;
        let mut h = blake3::Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = from.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            to.write_all(&buf[..n]).map_err(|e| target_error(Error::Io(e), dest))?;
            size += n as u64;
        }
        to.sync_all().map_err(|e| target_error(Error::Io(e), dest))?;
        drop(to);
        std::fs::rename(&partial, dest).map_err(|e| target_error(Error::Io(e), dest))?;
        crate::security::keys::sync_dir(dest);
        Ok((size, h.finalize().to_hex().to_string()))
    })();
    let (size, hash) = match copied {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    // Read back what the target holds: a share or a failing stick can accept bytes it loses.
    if hash_file(dest).map_err(|e| target_error(e, dest))? != hash {
        let _ = std::fs::remove_file(dest);
        return Err(Error::Backup(fault("error-backup-target-readback").arg("folder", folder_of(dest))));
    }
    Ok((size, hash))
}

/// Writes the manifest beside its backup (whole or not at all).
pub fn write_manifest(backup: &Path, m: &Manifest) -> Result<()> {
    let text = serde_json::to_string_pretty(m).expect("manifest serializes");
    let path = manifest_path(backup);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    let written = (|| -> Result<()> {
        let mut f = crate::security::files::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        crate::security::keys::sync_dir(&path);
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(target_error(e, backup));
    }
    Ok(())
}

fn folder_of(p: &Path) -> String {
    p.parent().map(|d| d.display().to_string()).unwrap_or_default()
}

/// An I/O failure on the target, said as what it means to the user.
fn target_error(e: Error, dest: &Path) -> Error {
    let folder = folder_of(dest);
    match e {
        Error::DiskFull => Error::Backup(fault("error-backup-target-full").arg("folder", folder)),
        Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull || io.raw_os_error() == Some(28) => {
            Error::Backup(fault("error-backup-target-full").arg("folder", folder))
        }
        Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            Error::Backup(fault("error-backup-target-missing").arg("folder", folder))
        }
        Error::Io(io) => {
            Error::Backup(fault("error-backup-target-failed").arg("folder", folder).arg("detail", io.to_string()))
        }
        other => other,
    }
}

/// Free bytes on the disk holding `path` (or its nearest existing parent).
pub fn free_space(path: &Path) -> Option<u64> {
    let mut p = Some(path);
    while let Some(q) = p {
        if q.exists() {
            return fs4::available_space(q).ok();
        }
        p = q.parent();
    }
    None
}

/// Whether two paths are on the same disk (a backup next to the book protects from mistakes, not
/// from the disk dying).
pub fn same_disk(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let dev = |p: &Path| {
            let mut q = Some(p);
            while let Some(x) = q {
                if let Ok(m) = std::fs::metadata(x) {
                    return Some(m.dev());
                }
                q = x.parent();
            }
            None
        };
        matches!((dev(a), dev(b)), (Some(x), Some(y)) if x == y)
    }
    #[cfg(not(unix))]
    {
        let root = |p: &Path| {
            std::path::absolute(p).ok().and_then(|p| p.components().next().map(|c| c.as_os_str().to_owned()))
        };
        root(a) == root(b)
    }
}

/// One backup found in a folder.
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    /// Its manifest, or why it could not be read (a backup whose manifest is missing or altered
    /// is listed, never silently skipped).
    pub manifest: std::result::Result<Manifest, Error>,
    pub size: u64,
}

/// Every backup file (`*.bkp`) in `dir`, newest first by the time in its manifest (then name).
pub fn list_dir(dir: &Path) -> Result<Vec<Found>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(target_error(Error::Io(e), &dir.join("x"))),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(BACKUP_EXT) {
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.push(Found { manifest: read_manifest(&path), path, size });
    }
    found.sort_by(|a, b| {
        let at = |f: &Found| f.manifest.as_ref().map(|m| m.created_at_ms).unwrap_or(0);
        at(b).cmp(&at(a)).then_with(|| b.path.cmp(&a.path))
    });
    Ok(found)
}

/// This desktop's backup settings for one book, kept beside it (`<book>.backup.json`): where
/// backups go, and the book key wrapped under the backup passphrase (so the scheduled backup
/// needs nobody to type it; the same wrap goes into every manifest).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_wrap: Option<Sealed>,
    /// The last backup made and verified: when, and which file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_file: Option<PathBuf>,
    /// How many daily, weekly and monthly backups to keep (default 7, 4, 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<Keep>,
    /// After how many hours without a backup health warns (default [`DEFAULT_MAX_AGE_HOURS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_hours: Option<u32>,
    /// The last full integrity check of the book here: when, and whether it passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check_ok: Option<bool>,
    /// The last quick check at start (see `Banyan::quick_check_if_due`), when it passed; one
    /// that fails is recorded as a failed check above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_quick_check_ms: Option<i64>,
    /// When the daily backup runs, local time `HH:MM` (default [`DEFAULT_SCHEDULE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The last scheduled attempt, and why it failed (a message in the language of that
    /// moment; cleared by a backup that succeeds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The daily backup's default time: lunch, when a desktop is on and little is typed.
pub const DEFAULT_SCHEDULE: &str = "12:30";

/// A failed scheduled backup (a USB drive out, a share offline) is tried again after this long.
pub const RETRY_MS: i64 = 3_600_000;

/// `HH:MM` as hours and minutes, if it is a time of day.
pub fn parse_schedule(text: &str) -> Option<(u32, u32)> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

/// Whether the scheduled backup is due at `now`: no backup since the last scheduled time (today's
/// if it has passed, else yesterday's), so a run missed while the PC was off happens at its next
/// start; but not within an hour of a failed attempt.
pub fn due(cfg: &Config, now_ms: i64, tz: chrono::FixedOffset) -> bool {
    use chrono::TimeZone;
    if cfg.last_error.is_some() && cfg.last_attempt_ms.is_some_and(|t| now_ms - t < RETRY_MS) {
        return false;
    }
    let (h, m) = parse_schedule(&cfg.schedule_in_force().0).unwrap_or((12, 30));
    let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default().with_timezone(&tz);
    let today = now.date_naive().and_hms_opt(h, m, 0).expect("valid time of day");
    let today = tz.from_local_datetime(&today).single().map(|t| t.timestamp_millis()).unwrap_or(now_ms);
    let last_slot = if today <= now_ms { today } else { today - 86_400_000 };
    cfg.last_ms.is_none_or(|last| last < last_slot)
}

/// Two days: a desktop off over a weekend makes up its missed backup at its next start.
pub const DEFAULT_MAX_AGE_HOURS: u32 = 48;

/// Retention, as restic's `--keep-daily/--keep-weekly/--keep-monthly`: for each of the last
/// `daily` days that have a backup, its newest; likewise per ISO week and per month. A backup any
/// rule keeps stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Keep {
    pub daily: u32,
    pub weekly: u32,
    pub monthly: u32,
}

impl Default for Keep {
    fn default() -> Self {
        Keep { daily: 7, weekly: 4, monthly: 12 }
    }
}

/// A day's bucket under one rule: its day, ISO week or month.
type Bucket = dyn Fn(chrono::NaiveDate) -> (i32, u32);

/// Which of `backups` (their times, Unix ms) `keep` keeps, by index; days, weeks and months are
/// counted in the time zone `tz` (the desktop's). The newest is always kept.
pub fn retained(backups: &[i64], keep: Keep, tz: chrono::FixedOffset) -> std::collections::BTreeSet<usize> {
    use chrono::Datelike;
    let mut order: Vec<usize> = (0..backups.len()).collect();
    // Newest first (a tie keeps the later index first, so exactly one is newest).
    order.sort_by(|&a, &b| backups[b].cmp(&backups[a]).then(b.cmp(&a)));
    let mut kept = std::collections::BTreeSet::new();
    if let Some(&newest) = order.first() {
        kept.insert(newest);
    }
    let rules: [(u32, &Bucket); 3] = [
        (keep.daily, &|d| (d.year(), d.ordinal())),
        (keep.weekly, &|d| (d.iso_week().year(), d.iso_week().week())),
        (keep.monthly, &|d| (d.year(), d.month())),
    ];
    for (n, bucket) in rules {
        let mut seen = Vec::new();
        for &i in &order {
            if seen.len() >= n as usize {
                break;
            }
            let date =
                chrono::DateTime::from_timestamp_millis(backups[i]).unwrap_or_default().with_timezone(&tz).date_naive();
            let b = bucket(date);
            if !seen.contains(&b) {
                // The first met of a bucket is its newest.
                seen.push(b);
                kept.insert(i);
            }
        }
    }
    kept
}

/// Removes from `dir` the backups of book `book_id` that `keep` no longer keeps: only files with
/// a readable manifest of this book (anything else in the folder is not ours), file and manifest.
/// Called only once a new backup was written and read back. Returns the files removed.
pub fn prune(dir: &Path, book_id: &str, keep: Keep, tz: chrono::FixedOffset) -> Result<Vec<PathBuf>> {
    let ours: Vec<(PathBuf, i64)> = list_dir(dir)?
        .into_iter()
        .filter_map(|f| match f.manifest {
            Ok(m) if m.book_id == book_id => Some((f.path, m.created_at_ms)),
            _ => None,
        })
        .collect();
    let times: Vec<i64> = ours.iter().map(|(_, t)| *t).collect();
    let kept = retained(&times, keep, tz);
    let mut removed = Vec::new();
    for (i, (path, _)) in ours.into_iter().enumerate() {
        if kept.contains(&i) {
            continue;
        }
        // The manifest first: a backup without one is never taken for a whole one.
        std::fs::remove_file(manifest_path(&path))?;
        std::fs::remove_file(&path)?;
        removed.push(path);
    }
    Ok(removed)
}

impl Config {
    pub fn path_for(book: &Path) -> PathBuf {
        let mut p = book.as_os_str().to_owned();
        p.push(".backup.json");
        PathBuf::from(p)
    }

    pub fn load(book: &Path) -> Config {
        std::fs::read(Self::path_for(book)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn save(&self, book: &Path) -> Result<()> {
        crate::security::keys::write_atomic(
            &Self::path_for(book),
            &serde_json::to_string_pretty(self).expect("config serializes"),
        )
    }

    /// Where backups go: the folder set, else `backups` beside the book.
    /// The backup folder in force: policy `BackupDirectory`, else the user's, else the
    /// recommended one, else `backups` beside the book.
    pub fn dir_for(&self, book: &Path) -> PathBuf {
        self.dir_in_force().0.unwrap_or_else(|| book.parent().unwrap_or(Path::new(".")).join("backups"))
    }

    /// The folder set (by policy or the user), and where it comes from.
    pub fn dir_in_force(&self) -> (Option<PathBuf>, Source) {
        crate::policy::current().pick("BackupDirectory", self.dir.clone(), |v| v.as_str().map(PathBuf::from))
    }

    /// When the daily backup runs (`BackupSchedule`, default [`DEFAULT_SCHEDULE`]).
    pub fn schedule_in_force(&self) -> (String, Source) {
        let (v, s) = crate::policy::current().pick("BackupSchedule", self.schedule.clone(), |v| {
            v.as_str().filter(|s| parse_schedule(s).is_some()).map(str::to_string)
        });
        (v.unwrap_or_else(|| DEFAULT_SCHEDULE.into()), s)
    }

    /// How many backups are kept (`BackupKeep`).
    pub fn keep_in_force(&self) -> (Keep, Source) {
        let (v, s) = crate::policy::current().pick("BackupKeep", self.keep, |v| {
            let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).map(|n| n as u32);
            Some(Keep { daily: n("daily")?, weekly: n("weekly")?, monthly: n("monthly")? })
        });
        (v.unwrap_or_default(), s)
    }

    /// After how many hours without a backup health warns (`BackupMaxAgeHours`).
    pub fn max_age_in_force(&self) -> (u32, Source) {
        let (v, s) =
            crate::policy::current().pick("BackupMaxAgeHours", self.max_age_hours, |v| v.as_u64().map(|n| n as u32));
        (v.unwrap_or(DEFAULT_MAX_AGE_HOURS), s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest of nothing but a key id and its wraps.
    fn manifest_for(key: &DbKey, wraps: Wraps) -> Manifest {
        Manifest {
            format: FORMAT,
            book_id: "b".into(),
            device: "d".into(),
            device_code: "AB".into(),
            created_at_ms: 0,
            app_version: String::new(),
            schema_version: 1,
            counts: Counts::default(),
            heads: BTreeMap::new(),
            checkpoint: None,
            content_hash: String::new(),
            file: String::new(),
            file_size: 0,
            file_blake3: String::new(),
            key_id: key_id(key),
            wraps,
            public_key: String::new(),
            signature: String::new(),
        }
    }

    #[test]
    fn a_passphrase_wrap_opens_with_that_passphrase_only_and_for_that_book_only() {
        let key = DbKey::random().unwrap();
        let kdf = KdfParams { m_kib: 1024, t: 1, p: 1 };
        let sealed = wrap_with_passphrase(&key, "book-a", "backup passphrase 1", kdf).unwrap();
        let mut m = manifest_for(&key, Wraps { passphrase: Some(sealed), recovery: None });
        m.book_id = "book-a".into();
        let ok = unwrap(&m, &BackupUnlock::Passphrase(Zeroizing::new("backup passphrase 1".into())), None).unwrap();
        assert_eq!(key_id(&ok), key_id(&key));
        let wrong = unwrap(&m, &BackupUnlock::Passphrase(Zeroizing::new("backup passphrase 2".into())), None);
        assert!(matches!(wrong, Err(Error::Backup(f)) if f.msg_id == "error-backup-wrong-passphrase"));
        // The wrap is bound to its book: moved into another book's manifest, it does not open.
        m.book_id = "book-b".into();
        let moved = unwrap(&m, &BackupUnlock::Passphrase(Zeroizing::new("backup passphrase 1".into())), None);
        assert!(matches!(moved, Err(Error::Backup(f)) if f.msg_id == "error-backup-wrong-passphrase"));
    }

    #[test]
    fn a_recovery_wrap_opens_with_the_matching_secret_key_only() {
        let key = DbKey::random().unwrap();
        let (file, public) = new_recovery_key();
        let (other, _) = new_recovery_key();
        let wrap = wrap_for_recovery(&key, &public).unwrap();
        let m = manifest_for(&key, Wraps { passphrase: None, recovery: Some(wrap) });
        let opened = unwrap(&m, &BackupUnlock::Recovery(file), None).unwrap();
        assert_eq!(opened.to_hex().as_str(), key.to_hex().as_str());
        let wrong = unwrap(&m, &BackupUnlock::Recovery(other), None);
        assert!(matches!(wrong, Err(Error::Backup(f)) if f.msg_id == "error-backup-wrong-recovery-key"));
        let none = unwrap(&m, &BackupUnlock::Passphrase(Zeroizing::new("whatever 123".into())), None);
        assert!(matches!(none, Err(Error::Backup(f)) if f.msg_id == "error-backup-no-passphrase-wrap"));
    }

    /// The kept set after a backup every day at 12:30 for 400 days, pruned after each one, is
    /// exactly: the last 7 days, the newest of each of the last 4 ISO weeks and of the last 12
    /// months (worked out here by dates, not by the function under test).
    #[test]
    fn retention_over_400_days_keeps_the_last_days_weeks_and_months() {
        use chrono::{Datelike, NaiveDate, TimeZone};
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let start = NaiveDate::from_ymd_opt(2025, 11, 3).unwrap();
        let at = |d: NaiveDate| tz.from_local_datetime(&d.and_hms_opt(12, 30, 0).unwrap()).unwrap().timestamp_millis();
        let mut folder: Vec<NaiveDate> = Vec::new();
        for day in 0..400 {
            folder.push(start + chrono::Days::new(day));
            let times: Vec<i64> = folder.iter().map(|d| at(*d)).collect();
            let kept = retained(&times, Keep::default(), tz);
            folder = folder.iter().enumerate().filter(|(i, _)| kept.contains(i)).map(|(_, d)| *d).collect();
        }
        let last = start + chrono::Days::new(399);
        let mut expected: std::collections::BTreeSet<NaiveDate> = (0..7).map(|n| last - chrono::Days::new(n)).collect();
        // One backup a day, so the newest of a week is its Sunday (or the last day, this week),
        // and of a month its last day (or the last day, this month).
        for w in 0..4 {
            let in_week = last - chrono::Days::new(7 * w);
            let sunday = in_week + chrono::Days::new(6 - in_week.weekday().num_days_from_monday() as u64);
            expected.insert(sunday.min(last));
        }
        let mut month = NaiveDate::from_ymd_opt(last.year(), last.month(), 1).unwrap();
        for _ in 0..12 {
            let next = month + chrono::Months::new(1);
            expected.insert((next - chrono::Days::new(1)).min(last));
            month = month - chrono::Months::new(1);
        }
        let got: std::collections::BTreeSet<NaiveDate> = folder.into_iter().collect();
        assert_eq!(got, expected);
        // The last day (a Monday) closes no week yet: this week's and last week's newest are
        // among the 7 days, and this month's is the last day.
        assert_eq!(got.len(), 7 + 2 + 11, "{got:?}");
    }

    #[test]
    fn the_newest_backup_is_kept_whatever_the_rules_say() {
        let tz = chrono::FixedOffset::east_opt(0).unwrap();
        let none = Keep { daily: 0, weekly: 0, monthly: 0 };
        assert_eq!(retained(&[1_000, 3_000, 2_000], none, tz).into_iter().collect::<Vec<_>>(), vec![1]);
        assert!(retained(&[], Keep::default(), tz).is_empty());
    }

    #[test]
    fn the_daily_backup_is_due_after_its_time_once_a_missed_one_at_the_next_start_and_hourly_after_a_failure() {
        use chrono::TimeZone;
        let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let at = |d: u32, h: u32, m: u32| tz.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap().timestamp_millis();
        let mut cfg = Config::default();
        // Never backed up: due at once.
        assert!(due(&cfg, at(7, 9, 0), tz));
        cfg.last_ms = Some(at(7, 9, 1));
        assert!(!due(&cfg, at(7, 12, 29), tz));
        assert!(due(&cfg, at(7, 12, 30), tz));
        cfg.last_ms = Some(at(7, 12, 31));
        assert!(!due(&cfg, at(8, 8, 0), tz), "the next one is tomorrow at 12:30");
        // The PC was off from Friday evening to Monday morning: due at its start.
        cfg.last_ms = Some(at(4, 12, 30));
        assert!(due(&cfg, at(7, 8, 5), tz));
        // That attempt failed (the USB drive is out): not again for an hour.
        cfg.last_attempt_ms = Some(at(7, 8, 5));
        cfg.last_error = Some("the backup folder is not available".into());
        assert!(!due(&cfg, at(7, 9, 4), tz));
        assert!(due(&cfg, at(7, 9, 5), tz));
        // Another time set by the user or IT.
        let evening = Config { schedule: Some("18:00".into()), last_ms: Some(at(7, 12, 31)), ..Config::default() };
        assert!(!due(&evening, at(7, 17, 59), tz));
        assert!(due(&evening, at(7, 18, 0), tz));
        assert_eq!(parse_schedule("24:00"), None);
        assert_eq!(parse_schedule("7:05"), Some((7, 5)));
    }

    #[test]
    fn names_sort_by_time_and_say_book_and_desktop() {
        let n = file_name("0123abcd", "K7-Q", 1_765_000_000_123);
        assert_eq!(n, "banyan-0123abcd-K7Q-20251206T054640123Z.bkp");
        assert_eq!(backup_path(&manifest_path(Path::new("/x/a.bkp"))), PathBuf::from("/x/a.bkp"));
    }
}
