//! Company-wide settings, stored as rows so they sync and are logged like any other data.

use super::{Change, Store};
use crate::error::Result;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .reader()
            .query_row("SELECT value FROM settings WHERE id = ?1 AND deleted_at IS NULL", [key], |r| r.get(0))
            .optional()?)
    }

    /// Settings whose key starts with `prefix`, as (key, value), by key.
    pub fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let conn = self.reader();
        let mut st = conn.prepare(
            "SELECT id, value FROM settings WHERE deleted_at IS NULL AND substr(id, 1, length(?1)) = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_setting(&self, actor: &super::Actor, key: &str, value: &str) -> Result<()> {
        self.write(actor, |w| {
            let exists: bool =
                w.conn().query_row("SELECT EXISTS (SELECT 1 FROM settings WHERE id = ?1)", [key], |r| r.get(0))?;
            let values = vec![("value", Value::Text(value.to_string()))];
            if exists {
                w.apply(Change::Update { table: "settings", id: key, values })
            } else {
                w.apply(Change::Insert { table: "settings", id: key, values })
            }
        })?;
        Ok(())
    }
}
