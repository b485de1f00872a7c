//! Health: the figures IT monitors (`banyan health`, Settings → Health) and the thresholds that
//! make it warn: no good backup for too long, a failed integrity check, too little room to back up.

use super::{ApiResult, Banyan, Caller};
use crate::backup as bk;
use crate::security::grants::{Action, Entity};
use serde::Serialize;

/// One threshold crossed: a stable code for scripts and the message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HealthWarning {
    pub code: String,
    pub message: String,
}

/// The book's health on this desktop.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub book: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub book_bytes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub wal_bytes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub free_page_bytes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub change_entries: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub customers: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_backup_ms: Option<i64>,
    pub last_backup_file: Option<String>,
    /// The last backup's file is still there, whole as its manifest says (size and signature).
    pub last_backup_present: bool,
    pub backup_folder: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub backup_max_age_hours: u32,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_check_ms: Option<i64>,
    pub last_check_ok: Option<bool>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_sync_ms: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub book_disk_free: Option<u64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub backup_disk_free: Option<u64>,
    /// This program's log folder, and the size of the logs in it.
    pub log_folder: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub log_bytes: u64,
    /// Thresholds crossed (empty when healthy).
    pub warnings: Vec<HealthWarning>,
}

/// How often the book is checked in full by itself.
const CHECK_EVERY_MS: i64 = 7 * 86_400_000;

impl Banyan {
    /// The full integrity check (on a connection of its own, see `Store::check`), its outcome
    /// kept for health. A page too damaged for the check to go on is a problem it found, not a
    /// failure to check.
    pub(crate) fn full_check(&self) -> crate::Result<Vec<String>> {
        let started = std::time::Instant::now();
        let problems = match self.store.check() {
            Err(crate::Error::Corrupt(detail)) => vec![detail],
            other => other?,
        };
        let mut cfg = bk::Config::load(self.store.path());
        cfg.last_check_ms = Some(self.store.now_ms());
        cfg.last_check_ok = Some(problems.is_empty());
        cfg.save(self.store.path())?;
        let ms = started.elapsed().as_millis() as u64;
        if problems.is_empty() {
            tracing::info!(ms, "full check passed");
        } else {
            tracing::error!(ms, problems = problems.len(), "full check found damage");
        }
        Ok(problems)
    }

    /// The weekly full check, when a week has passed since the last (or there was none): the
    /// desktop's and the hub's own doing, beside the daily backup. The problems found, if it ran.
    pub fn check_if_due(&self) -> ApiResult<Option<Vec<String>>> {
        let last = bk::Config::load(self.store.path()).last_check_ms;
        if last.is_some_and(|t| self.store.now_ms() - t < CHECK_EVERY_MS) {
            return Ok(None);
        }
        self.full_check().map(Some).map_err(|e| self.err(e))
    }

    /// The check at the desktop's start (never the CLI's, whose commands must stay quick; the hub
    /// runs the full check itself as it starts when one is due): SQLite's quick check of every page and b-tree, on a connection of its own, when the
    /// last full check is over a week old or there was none, and no quick check passed since the
    /// last full one in the last day. A problem is recorded as a failed check, which health and the
    /// main screen show at once; the weekly full check follows within the minute either way.
    /// The problems found, if it ran.
    pub fn quick_check_if_due(&self) -> ApiResult<Option<Vec<String>>> {
        let run = || -> crate::Result<Option<Vec<String>>> {
            let book = self.store.path();
            let cfg = bk::Config::load(book);
            let now = self.store.now_ms();
            let full_due = cfg.last_check_ms.is_none_or(|t| now - t >= CHECK_EVERY_MS);
            let quick_recent = cfg.last_quick_check_ms.is_some_and(|t| now - t < 86_400_000);
            if !full_due || quick_recent {
                return Ok(None);
            }
            let started = std::time::Instant::now();
            let problems = match self.store.check_received() {
                Err(crate::Error::Corrupt(detail)) => vec![detail],
                other => other?,
            };
            let mut cfg = bk::Config::load(book);
            if problems.is_empty() {
                cfg.last_quick_check_ms = Some(now);
                tracing::info!(ms = started.elapsed().as_millis() as u64, "quick check passed");
            } else {
                cfg.last_check_ms = Some(now);
                cfg.last_check_ok = Some(false);
                tracing::error!(
                    ms = started.elapsed().as_millis() as u64,
                    problems = problems.len(),
                    "quick check found damage"
                );
            }
            cfg.save(book)?;
            Ok(Some(problems))
        };
        run().map_err(|e| self.err(e))
    }

    /// The book's health here, with any threshold crossed.
    pub fn health(&self, caller: &Caller) -> ApiResult<Health> {
        self.may(caller, Entity::Settings, Action::Read)?;
        self.health_now().map_err(|e| self.err(e))
    }

    pub(crate) fn health_now(&self) -> crate::Result<Health> {
        let book = self.store.path();
        let cfg = bk::Config::load(book);
        let folder = cfg.dir_for(book);
        let (book_bytes, wal_bytes) = self.store.file_sizes();
        let (free_page_bytes, change_entries, last_sync_ms) = self.store.health_facts()?;
        let max_age = cfg.max_age_in_force().0;
        let present = cfg.last_file.as_deref().is_some_and(|f| {
            bk::read_manifest(f)
                .is_ok_and(|m| m.signature_holds() && std::fs::metadata(f).is_ok_and(|md| md.len() == m.file_size))
        });
        let book_disk_free = bk::free_space(book);
        let l = self.l10n();
        let mut warnings = Vec::new();
        let mut warn = |code: &str, args: &[(&str, String)]| {
            warnings.push(HealthWarning { code: code.into(), message: l.format(&format!("health-{code}"), args) });
        };
        let now = self.store.now_ms();
        match cfg.last_ms {
            None => warn("no-backup", &[]),
            Some(ms) if now - ms > i64::from(max_age) * 3_600_000 => {
                warn("backup-old", &[("hours", ((now - ms) / 3_600_000).to_string())])
            }
            Some(_) if !present => warn("backup-missing", &[]),
            Some(_) => {}
        }
        if let Some(why) = &cfg.last_error {
            warn("backup-failing", &[("error", why.clone())]);
        }
        if cfg.last_check_ok == Some(false) {
            warn("check-failed", &[]);
        }
        if book_disk_free.is_some_and(|free| free < book_bytes + wal_bytes) {
            warn("book-disk-low", &[]);
        }
        Ok(Health {
            book: book.display().to_string(),
            book_bytes,
            wal_bytes,
            free_page_bytes,
            change_entries,
            customers: self.store.counts()?.customers,
            last_backup_ms: cfg.last_ms,
            last_backup_file: cfg.last_file.as_ref().map(|f| f.display().to_string()),
            last_backup_present: present,
            backup_disk_free: bk::free_space(&folder),
            backup_folder: folder.display().to_string(),
            backup_max_age_hours: max_age,
            last_check_ms: cfg.last_check_ms,
            last_check_ok: cfg.last_check_ok,
            last_sync_ms,
            book_disk_free,
            log_folder: crate::logging::dir().map(|d| d.display().to_string()),
            log_bytes: crate::logging::dir().map(|d| crate::logging::total_size(&d)).unwrap_or(0),
            warnings,
        })
    }
}
