//! Diagnostics for support (`banyan diagnostics --out FILE.zip`): what a support engineer needs to
//! see about this desktop's book, with no customer data and no secret. Every file in the zip is
//! built from fields chosen here (an allowlist), never a copy of something redacted afterwards:
//! redacting after the fact is how other products shipped passwords. Paths under the user's home
//! folder are shown from `~`.

use super::{ApiResult, Banyan, Caller};
use crate::backup as bk;
use crate::security::grants::{Action, Entity};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// A file of the diagnostics zip, before it is written.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsEntry {
    pub file: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
}

/// A diagnostics zip written: where, and the files in it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsReport {
    pub file: String,
    pub entries: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
}

/// The program around the core, as the desktop reports it at start (its WebView's version): the
/// core cannot ask the shell, and a diagnostics zip names it.
static SHELL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records the shell's description for diagnostics (the desktop: "WebView 2.44.0"); the first
/// call counts.
pub fn set_shell(description: &str) {
    let _ = SHELL.set(description.to_string());
}

/// `path` with the user's home folder shown as `~`.
fn tilde(path: &str) -> String {
    let home = std::env::var("HOME").or_else(|_| std::env::var("USERPROFILE")).unwrap_or_default();
    match path.strip_prefix(home.as_str()) {
        Some(rest) if !home.is_empty() => format!("~{rest}"),
        _ => path.to_string(),
    }
}

/// The OS's name and version as it tells them, where it does (no user or host names).
fn os_release() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string())));
    format!("{} {} {}", std::env::consts::OS, std::env::consts::ARCH, pretty.unwrap_or_default()).trim().to_string()
}

impl Banyan {
    /// Writes the diagnostics zip to `out`: versions, the backup settings (each value with where
    /// it comes from), health, the last integrity check, the backups and their verify state,
    /// the key mode (never the key), schema and counts, the last 7 days of log, and a manifest of its
    /// files.
    pub fn diagnostics(&self, caller: &Caller, out: &Path) -> ApiResult<DiagnosticsReport> {
        self.may(caller, Entity::Settings, Action::Read)?;
        self.write_diagnostics(out).map_err(|e| self.err(e))
    }

    /// What [`Banyan::diagnostics`] would put in the zip: each file and its size (the window
    /// lists them before saving).
    pub fn diagnostics_preview(&self, caller: &Caller) -> ApiResult<Vec<DiagnosticsEntry>> {
        self.may(caller, Entity::Settings, Action::Read)?;
        let files = self.diagnostics_files().map_err(|e| self.err(e))?;
        Ok(files.into_iter().map(|(file, bytes)| DiagnosticsEntry { file, bytes: bytes.len() as u64 }).collect())
    }

    fn write_diagnostics(&self, out: &Path) -> crate::Result<DiagnosticsReport> {
        let files = self.diagnostics_files()?;
        let zipped = (|| -> zip::result::ZipResult<Vec<String>> {
            let file = crate::security::files::create(out)?;
            let mut z = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default();
            let mut manifest = Vec::new();
            for (name, bytes) in &files {
                manifest.push(serde_json::json!({ "file": name, "bytes": bytes.len(), "blake3": blake3::hash(bytes).to_hex().to_string() }));
                z.start_file(name.as_str(), options)?;
                z.write_all(bytes)?;
            }
            z.start_file("manifest.json", options)?;
            z.write_all(&serde_json::to_vec_pretty(&manifest).expect("json serializes"))?;
            z.finish()?.sync_all()?;
            let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
            names.push("manifest.json".into());
            Ok(names)
        })();
        let entries = zipped.map_err(|e| match e {
            zip::result::ZipError::Io(io) => crate::Error::Io(io),
            other => crate::Error::Io(std::io::Error::other(other.to_string())),
        })?;
        Ok(DiagnosticsReport {
            file: out.display().to_string(),
            size: std::fs::metadata(out).map(|m| m.len()).unwrap_or(0),
            entries,
        })
    }

    /// The zip's files, built from allowlisted fields (and the log, which holds nothing else).
    fn diagnostics_files(&self) -> crate::Result<Vec<(String, Vec<u8>)>> {
        let book = self.store.path();
        let cfg = bk::Config::load(book);
        let health = self.health_now()?;
        let (sqlite, sqlcipher) = self.store.engine_versions()?;
        let versions = serde_json::json!({
            "app": env!("CARGO_PKG_VERSION"),
            "sqlite": sqlite,
            "sqlcipher": sqlcipher,
            "os": os_release(),
            "webview": SHELL.get(),
        });
        // Each value with where it comes from (policy, user, recommended, default), as Firefox's
        // about:policies shows them, and what the policy file got wrong.
        let (_, folder_source) = cfg.dir_in_force();
        let (schedule, schedule_source) = cfg.schedule_in_force();
        let (keep, keep_source) = cfg.keep_in_force();
        let (max_age, max_age_source) = cfg.max_age_in_force();
        let policies = crate::policy::current();
        let settings = serde_json::json!({
            "backupFolder": { "value": tilde(&cfg.dir_for(book).display().to_string()), "source": folder_source },
            "backupSchedule": { "value": schedule, "source": schedule_source },
            "backupKeep": { "value": { "daily": keep.daily, "weekly": keep.weekly, "monthly": keep.monthly }, "source": keep_source },
            "backupMaxAgeHours": { "value": max_age, "source": max_age_source },
            "logLevel": { "value": crate::logging::level_in_force().0, "source": crate::logging::level_in_force().1 },
            "policyFile": policies.file.as_ref().map(|f| tilde(&f.display().to_string())),
            "policyKeys": policies.mandatory.keys().chain(policies.recommended.keys()).collect::<Vec<_>>(),
            "backupPassphrase": { "value": if cfg.passphrase_wrap.is_some() { "set" } else { "not set" } },
            "recoveryKey": { "value": if self.store.setting("backup_recovery_key")?.is_some_and(|k| !k.is_empty()) { "set" } else { "not set" }, "source": "book" },
            "policyErrors": policies.problems,
        });
        let health_json = serde_json::json!({
            "book": tilde(&health.book),
            "bookBytes": health.book_bytes,
            "walBytes": health.wal_bytes,
            "freePageBytes": health.free_page_bytes,
            "changeEntries": health.change_entries,
            "customers": health.customers,
            "lastBackupMs": health.last_backup_ms,
            "lastBackupPresent": health.last_backup_present,
            "backupFolder": tilde(&health.backup_folder),
            "lastCheckMs": health.last_check_ms,
            "lastCheckOk": health.last_check_ok,
            "lastSyncMs": health.last_sync_ms,
            "bookDiskFree": health.book_disk_free,
            "backupDiskFree": health.backup_disk_free,
            "warnings": health.warnings.iter().map(|w| w.code.clone()).collect::<Vec<_>>(),
            "lastBackupError": cfg.last_error.is_some(),
        });
        let backups: Vec<serde_json::Value> = bk::list_dir(&cfg.dir_for(book))?
            .into_iter()
            .map(|f| {
                let name = f.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                match f.manifest {
                    Ok(m) => serde_json::json!({
                        "file": name, "size": f.size, "createdAtMs": m.created_at_ms, "schema": m.schema_version,
                        "signed": m.signature_holds(), "sizeMatches": f.size == m.file_size,
                        "counts": m.counts, "wraps": { "passphrase": m.wraps.passphrase.is_some(), "recovery": m.wraps.recovery.is_some() },
                    }),
                    Err(e) => serde_json::json!({ "file": name, "size": f.size, "problem": super::localize(self.l10n(), e).code }),
                }
            })
            .collect();
        let counts = self.store.counts()?;
        let book_json = serde_json::json!({
            "keyMode": crate::security::KeyStore::for_db(book).mode().ok(),
            "schema": crate::store::migrate::LATEST,
            "deviceCode": self.store.device_code(),
            "counts": counts,
            "syncHeld": self.store.sync_held_count()?,
        });
        // The last 7 days of log, as written: the log holds nothing but allowlisted events
        // (see `crate::logging`).
        let log_dir = crate::logging::dir();
        let since = (chrono::Utc::now() - chrono::Duration::days(7)).format("%Y-%m-%d").to_string();
        let logs: Vec<(String, std::path::PathBuf)> = log_dir
            .as_deref()
            .map(crate::logging::files)
            .unwrap_or_default()
            .into_iter()
            .filter(|(day, _)| *day >= since)
            .filter_map(|(_, p)| Some((format!("logs/{}", p.file_name()?.to_string_lossy()), p)))
            .collect();
        let log_json = serde_json::json!({
            "folder": log_dir.as_ref().map(|d| tilde(&d.display().to_string())),
            "bytes": log_dir.as_deref().map(crate::logging::total_size).unwrap_or(0),
            "included": logs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        });
        let mut files: Vec<(String, Vec<u8>)> = [
            ("versions.json", versions),
            ("settings.json", settings),
            ("health.json", health_json),
            ("backups.json", serde_json::Value::Array(backups)),
            ("book.json", book_json),
            ("log.json", log_json),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_string(), serde_json::to_vec_pretty(&v).expect("json serializes")))
        .collect();
        for (name, path) in logs {
            // A file rotated away meanwhile is left out.
            if let Ok(bytes) = std::fs::read(&path) {
                files.push((name, bytes));
            }
        }
        Ok(files)
    }
}
