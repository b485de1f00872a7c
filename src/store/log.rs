//! Reading the change log: the audit trail of who changed which field when, and the feed that
//! sync and import undo consume.

use super::Store;
use crate::error::Result;
use crate::sync::Hlc;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChangeEntry {
    pub hlc: Hlc,
    /// The device that made the change.
    pub origin: String,
    /// Gap-free per origin.
    pub origin_seq: i64,
    /// The local transaction number on the origin device.
    pub tx: i64,
    pub batch_id: Option<String>,
    pub user: String,
    pub table: String,
    pub row_id: String,
    pub field: String,
    pub op: String,
    /// The new value as JSON text.
    pub value: Option<String>,
    /// The replaced value as JSON text (updates and deletes).
    pub old_value: Option<String>,
}

impl Store {
    /// Log entries later than `after`, in clock order (then origin, then sequence); only those
    /// of `row_id` when given.
    pub fn changes(&self, row_id: Option<&str>, after: Hlc, limit: u32) -> Result<Vec<ChangeEntry>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT l.hlc, o.device, l.origin_seq, l.tx, l.batch_id, l.user_id, l.tbl, l.row_id, l.field, l.op, l.value,
                    l.old_value
             FROM change_log l JOIN origins o ON o.id = l.origin
             WHERE l.hlc > ?1 AND (?2 IS NULL OR (l.row_id = ?2))
             ORDER BY l.hlc, o.device, l.origin_seq LIMIT ?3",
        )?;
        let key = row_id.map(super::gateway::row_key);
        let rows = stmt.query_map(rusqlite::params![after.raw(), key, limit], |r| {
            let row_id = match r.get::<_, rusqlite::types::Value>(7)? {
                rusqlite::types::Value::Blob(b) => {
                    uuid::Uuid::from_slice(&b).map(|u| u.to_string()).unwrap_or_default()
                }
                rusqlite::types::Value::Text(t) => t,
                _ => String::new(),
            };
            Ok(ChangeEntry {
                hlc: Hlc::from_raw(r.get(0)?),
                origin: r.get(1)?,
                origin_seq: r.get(2)?,
                tx: r.get(3)?,
                batch_id: r.get(4)?,
                user: r.get(5)?,
                table: r.get(6)?,
                row_id,
                field: r.get(8)?,
                op: r.get(9)?,
                value: r.get(10)?,
                old_value: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many entries the log holds.
    pub fn change_count(&self) -> Result<i64> {
        Ok(self.reader().query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?)
    }
}
