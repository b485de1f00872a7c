//! Schema migrations: numbered .sql files embedded in the binary, never edited once shipped.
//! Before an existing database is migrated, an encrypted snapshot of it is written beside it; all
//! pending migrations then run in one transaction, so a failure leaves the database exactly as it
//! was and the user is told where the snapshot is.

use crate::error::{Error, Result};
use crate::security::keys::DbKey;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A migration's Rust step: the connection inside the migration's transaction, and where to
/// report (done, total).
pub type MigrationStep = fn(&Connection, &dyn Fn(u64, u64)) -> rusqlite::Result<()>;

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
    /// A step in Rust run after `sql`, in the same transaction, for data SQL alone cannot
    /// reshape in bounded memory; it reports (done, total) as it goes.
    pub then: Option<MigrationStep>,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "0001_initial", sql: include_str!("../../migrations/0001_initial.sql"), then: None },
    Migration { version: 2, name: "0002_search", sql: include_str!("../../migrations/0002_search.sql"), then: None },
    Migration { version: 3, name: "0003_import", sql: include_str!("../../migrations/0003_import.sql"), then: None },
    Migration {
        version: 4,
        name: "0004_search_tiers",
        sql: include_str!("../../migrations/0004_search_tiers.sql"),
        then: None,
    },
    Migration {
        version: 5,
        name: "0005_import_journal",
        sql: include_str!("../../migrations/0005_import_journal.sql"),
        then: None,
    },
    Migration {
        version: 6,
        name: "0006_change_entries",
        sql: include_str!("../../migrations/0006_change_entries.sql"),
        then: Some(super::log::entries_from_field_rows),
    },
    Migration {
        version: 7,
        name: "0007_lean_index",
        sql: include_str!("../../migrations/0007_lean_index.sql"),
        then: None,
    },
    Migration { version: 8, name: "0008_users", sql: include_str!("../../migrations/0008_users.sql"), then: None },
    Migration { version: 9, name: "0009_roles", sql: include_str!("../../migrations/0009_roles.sql"), then: None },
    Migration { version: 10, name: "0010_owners", sql: include_str!("../../migrations/0010_owners.sql"), then: None },
    Migration {
        version: 11,
        name: "0011_search_owner",
        sql: include_str!("../../migrations/0011_search_owner.sql"),
        then: None,
    },
    Migration {
        version: 12,
        name: "0012_audit",
        sql: include_str!("../../migrations/0012_audit.sql"),
        then: Some(super::audit::chain_existing),
    },
    Migration { version: 13, name: "0013_privacy", sql: include_str!("../../migrations/0013_privacy.sql"), then: None },
    Migration {
        version: 14,
        name: "0014_service_accounts",
        sql: include_str!("../../migrations/0014_service_accounts.sql"),
        then: None,
    },
    Migration { version: 15, name: "0015_sync", sql: include_str!("../../migrations/0015_sync.sql"), then: None },
    Migration {
        version: 16,
        name: "0016_signed_changes",
        sql: include_str!("../../migrations/0016_signed_changes.sql"),
        then: Some(super::replica::sign_own_transactions),
    },
    Migration {
        version: 17,
        name: "0017_order_line_sets",
        sql: include_str!("../../migrations/0017_order_line_sets.sql"),
        then: None,
    },
    Migration {
        version: 18,
        name: "0018_vouched_members",
        sql: include_str!("../../migrations/0018_vouched_members.sql"),
        then: None,
    },
];

/// The schema version this program writes.
pub const LATEST: i64 = 18;

/// Runs the pending migrations; returns the snapshot taken, if any.
pub fn run(
    conn: &mut Connection,
    path: &Path,
    key: Option<&DbKey>,
    migrations: &[Migration],
    now_ms: i64,
    progress: Option<&super::MigrationProgress>,
) -> Result<Option<PathBuf>> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = migrations.last().map(|m| m.version).unwrap_or(0);
    if current > latest {
        return Err(Error::NewerSchema { found: current, supported: latest });
    }
    let pending: Vec<&Migration> = migrations.iter().filter(|m| m.version > current).collect();
    if pending.is_empty() {
        return Ok(None);
    }
    let snapshot = if current > 0 {
        let stamp = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default().format("%Y%m%dT%H%M%S");
        // Never over an earlier one (a snapshot restored and updated again within the second).
        let named = |n: u32| {
            let mut p = path.as_os_str().to_owned();
            let again = if n > 1 { format!("-{n}") } else { String::new() };
            p.push(format!(".v{current}-before-v{latest}-{stamp}{again}.snapshot"));
            PathBuf::from(p)
        };
        let p = (1..).map(named).find(|p| !p.exists()).expect("a free name");
        snapshot(conn, &p, key)?;
        Some(p)
    } else {
        None
    };
    let outcome = (|| -> std::result::Result<(), (i64, rusqlite::Error)> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| (current, e))?;
        for m in &pending {
            tx.execute_batch(m.sql).map_err(|e| (m.version, e))?;
            if let Some(then) = m.then {
                let report = |done: u64, total: u64| {
                    if let Some(p) = progress {
                        p(done, total)
                    }
                };
                then(&tx, &report).map_err(|e| (m.version, e))?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {}", m.version)).map_err(|e| (m.version, e))?;
        }
        tx.commit().map_err(|e| (latest, e))
    })();
    match outcome {
        Ok(()) => Ok(snapshot),
        Err((version, e)) => match snapshot {
            Some(snapshot) => Err(Error::MigrationFailed { version, snapshot, detail: e.to_string() }),
            None => Err(e.into()),
        },
    }
}

/// Copies the whole database into a new file at `dest` keyed with the same key (SQLCipher's backup
/// API refuses an unkeyed destination, and a snapshot must never hold clear text anyway).
pub(crate) fn snapshot(src: &Connection, dest: &Path, key: Option<&DbKey>) -> Result<()> {
    if dest.exists() {
        return Err(Error::DbExists(dest.to_owned()));
    }
    crate::security::files::create_new(dest)?;
    let mut dst = super::connect(dest, key, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
    {
        // Every page in one step: one read transaction of the source, so a write by another
        // connection meanwhile does not restart the copy.
        let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::Busy | rusqlite::backup::StepResult::Locked => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                _ => {}
            }
        }
    }
    // The copy inherits WAL mode; fold it back into one self-contained file.
    dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}
