//! Reading the change log: the audit trail of who changed which field when, and the feed that
//! sync and import undo consume.

use super::Store;
use crate::error::Result;
use crate::sync::Hlc;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEntry {
    pub seq: i64,
    pub hlc: Hlc,
    pub origin: String,
    pub origin_seq: i64,
    pub tx_id: String,
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
    /// Log entries in the order they were applied; only those of `row_id` when given.
    pub fn changes(&self, row_id: Option<&str>, after_seq: i64, limit: u32) -> Result<Vec<ChangeEntry>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, hlc, origin, origin_seq, tx_id, batch_id, user_id, tbl, row_id, field, op, value, old_value
             FROM change_log WHERE seq > ?1 AND (?2 IS NULL OR row_id = ?2) ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(rusqlite::params![after_seq, row_id, limit], |r| {
            Ok(ChangeEntry {
                seq: r.get(0)?,
                hlc: Hlc::from_raw(r.get(1)?),
                origin: r.get(2)?,
                origin_seq: r.get(3)?,
                tx_id: r.get(4)?,
                batch_id: r.get(5)?,
                user: r.get(6)?,
                table: r.get(7)?,
                row_id: r.get(8)?,
                field: r.get(9)?,
                op: r.get(10)?,
                value: r.get(11)?,
                old_value: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many entries the log holds.
    pub fn change_count(&self) -> Result<i64> {
        Ok(self.reader().query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?)
    }
}
