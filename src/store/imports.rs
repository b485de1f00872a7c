//! The SQL behind imports, undo, duplicate finding and merging: the import journal, candidate
//! lookups by match key, undoing a change-log batch, and moving a customer's records to another.

use super::customers::{customer_in, customer_values};
use super::search::{Derived, profile_of};
use super::{Actor, Change, Store, Writer};
use crate::error::{Error, Result};
use crate::model::{Customer, CustomerId, ValidCustomer};
use crate::quality::dedupe::{self, Profile, Reason};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One import as the journal remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportRecord {
    pub id: String,
    pub file_name: String,
    pub format: String,
    /// running, done, cancelled, failed, undone.
    pub status: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

/// Counts of an import, written to the journal when it ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub rows_read: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub failed: u64,
}

/// A field an undo left alone because someone changed it after the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UndoConflict {
    pub customer_id: String,
    pub name: String,
    /// The field, or "record" when a created customer was edited afterwards and is kept.
    pub field: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    pub removed: u64,
    pub restored: u64,
    pub conflicts: Vec<UndoConflict>,
}

/// Two customers that look like one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DuplicatePair {
    pub a: Customer,
    pub b: Customer,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

const UNDO_PREFIX: &str = "undo:";

/// Largest group of customers sharing one key that the batch search compares pairwise; bigger
/// groups (a company switchboard on 500 records, "jo sm" in a huge book) carry no signal.
const MAX_BLOCK: i64 = 100;

impl Store {
    pub fn begin_import(&self, id: &str, file_name: &str, format: &str) -> Result<()> {
        self.writer().execute(
            "INSERT INTO imports (id, file_name, format, status, started_at) VALUES (?1, ?2, ?3, 'running', ?4)",
            params![id, file_name, format, self.now_ms()],
        )?;
        Ok(())
    }

    pub fn finish_import(&self, id: &str, status: &str, c: &ImportCounts) -> Result<()> {
        self.writer().execute(
            "UPDATE imports SET status = ?2, finished_at = ?3, rows_read = ?4, created = ?5, updated = ?6,
             skipped = ?7, failed = ?8 WHERE id = ?1",
            params![
                id,
                status,
                self.now_ms(),
                c.rows_read as i64,
                c.created as i64,
                c.updated as i64,
                c.skipped as i64,
                c.failed as i64
            ],
        )?;
        Ok(())
    }

    /// The import journal, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>> {
        let conn = self.reader();
        let mut st = conn.prepare(
            "SELECT id, file_name, format, status, started_at, finished_at, rows_read, created, updated, skipped, failed
             FROM imports ORDER BY started_at DESC, id DESC",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                file_name: r.get(1)?,
                format: r.get(2)?,
                status: r.get(3)?,
                started_at: r.get(4)?,
                finished_at: r.get(5)?,
                rows_read: r.get(6)?,
                created: r.get(7)?,
                updated: r.get(8)?,
                skipped: r.get(9)?,
                failed: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Undoes every change of a batch in one transaction: rows it created are removed, fields it
    /// changed get their old values back, except where a later change (outside the batch)
    /// touched the same row or field; those are kept and reported.
    pub fn undo_batch(&self, actor: &Actor, batch: &str) -> Result<UndoReport> {
        // The undo is itself a batch ("undo:<batch>"), so the log says what it was.
        let undo_actor = Actor { user: actor.user.clone(), batch: Some(format!("{UNDO_PREFIX}{batch}")) };
        let report = self.write(&undo_actor, |w| undo_in(w, batch))?;
        self.writer().execute("UPDATE imports SET status = 'undone' WHERE id = ?1", [batch])?;
        Ok(report)
    }

    /// Whether any change was logged under `batch`.
    pub fn batch_has_changes(&self, batch: &str) -> Result<bool> {
        Ok(self
            .reader()
            .query_row("SELECT EXISTS (SELECT 1 FROM change_log WHERE batch_id = ?1)", [batch], |r| r.get(0))?)
    }

    /// Candidate duplicate pairs over the whole book, best first.
    pub fn duplicate_pairs(&self, min_score: f64, limit: usize) -> Result<Vec<DuplicatePair>> {
        let conn = self.reader();
        let mut pairs: HashSet<(String, String)> = HashSet::new();
        {
            let mut st = conn.prepare(
                "SELECT group_concat(customer_id, ' ') FROM match_keys GROUP BY key HAVING count(*) BETWEEN 2 AND ?1",
            )?;
            let mut rows = st.query([MAX_BLOCK])?;
            while let Some(r) = rows.next()? {
                let ids: String = r.get(0)?;
                let ids: Vec<&str> = ids.split(' ').collect();
                for i in 0..ids.len() {
                    for j in i + 1..ids.len() {
                        let (a, b) = if ids[i] < ids[j] { (ids[i], ids[j]) } else { (ids[j], ids[i]) };
                        pairs.insert((a.to_string(), b.to_string()));
                    }
                }
            }
        }
        let mut cache: HashMap<String, Customer> = HashMap::new();
        let mut out = Vec::new();
        for (a, b) in pairs {
            for id in [&a, &b] {
                if !cache.contains_key(id) {
                    let Ok(cid) = id.parse::<CustomerId>() else { continue };
                    cache.insert(id.clone(), customer_in(&conn, cid)?);
                }
            }
            let (Some(ca), Some(cb)) = (cache.get(&a), cache.get(&b)) else { continue };
            let (score, reasons) = dedupe::score(&profile_of(ca), &profile_of(cb));
            if score >= min_score {
                out.push(DuplicatePair { a: ca.clone(), b: cb.clone(), score, reasons });
            }
        }
        out.sort_by(|x, y| {
            y.score.total_cmp(&x.score).then_with(|| x.a.name.cmp(&y.a.name)).then_with(|| x.a.id.cmp(&y.a.id))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// Merges `loser` into `survivor`: the survivor takes `merged` as its values, the loser's
    /// contacts, activities and orders move to the survivor, and the loser is deleted; all in one
    /// transaction, all in the change log under one batch.
    pub fn merge_customers(
        &self,
        actor: &Actor,
        survivor: CustomerId,
        loser: CustomerId,
        merged: &ValidCustomer,
    ) -> Result<Customer> {
        if survivor == loser {
            return Err(Error::invalid("id", "error-merge-same"));
        }
        self.write(actor, |w| {
            for id in [survivor, loser] {
                let c = customer_in(w.conn(), id)?;
                if c.deleted {
                    return Err(Error::NotFound { entity: "customer", id: id.to_string() });
                }
            }
            w.apply(Change::Update { table: "customers", id: &survivor.to_string(), values: customer_values(merged) })?;
            for table in ["contacts", "activities", "orders"] {
                let ids: Vec<String> = w
                    .conn()
                    .prepare(&format!("SELECT id FROM {table} WHERE customer_id = ?1 AND deleted_at IS NULL"))?
                    .query_map([loser.to_string()], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for id in ids {
                    w.apply(Change::Update {
                        table,
                        id: &id,
                        values: vec![("customer_id", Value::Text(survivor.to_string()))],
                    })?;
                }
            }
            w.apply(Change::Delete { table: "customers", id: &loser.to_string() })?;
            Ok(())
        })?;
        self.customer(survivor)
    }
}

impl Writer<'_> {
    /// Inserts a new customer (with `id`, or a new one) and indexes it at once from `derived`,
    /// computed beforehand from the same values ([`Derived::of`]).
    pub fn insert_customer_derived(
        &mut self,
        id: Option<CustomerId>,
        c: &ValidCustomer,
        derived: &Derived,
    ) -> Result<CustomerId> {
        let id = id.unwrap_or_else(|| CustomerId::new(self.now_ms()));
        self.apply_indexed(&id.to_string(), customer_values(c), derived)?;
        Ok(id)
    }

    pub fn replace_customer(&mut self, id: CustomerId, c: &ValidCustomer) -> Result<usize> {
        self.apply(Change::Update { table: "customers", id: &id.to_string(), values: customer_values(c) })
    }

    /// A customer as this transaction sees it, if it exists (deleted or not).
    pub fn find_customer(&self, id: CustomerId) -> Result<Option<Customer>> {
        match customer_in(self.conn(), id) {
            Ok(c) => Ok(Some(c)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The live customer most likely to be the same as `p`, with its score and reasons, if any
    /// reaches the duplicate threshold. Looks up phones, emails, names and the company among
    /// `keys` (`p.keys()`, computed by the caller, typically on the reading thread).
    pub fn best_match(&self, p: &Profile, keys: &[String]) -> Result<Option<(Customer, f64, Vec<Reason>)>> {
        let mut st = self.conn().prepare_cached("SELECT customer_id FROM match_keys WHERE key = ?1 LIMIT 50")?;
        let mut lookup = |prefix: &str| -> Result<Vec<String>> {
            let mut out: Vec<String> = Vec::new();
            for k in keys.iter().filter(|k| k.starts_with(prefix)) {
                let mut rows = st.query([k])?;
                while let Some(r) = rows.next()? {
                    let id: String = r.get(0)?;
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
            }
            Ok(out)
        };
        // Only candidates that can reach the threshold are loaded and scored (see dedupe::score):
        // a shared phone or email; for a company, the same company name; the same name where one
        // side has no phone and no email; or the same name at the same company. A common name
        // (张伟) would otherwise bring dozens of namesakes to every row.
        let mut ids = lookup("p:")?;
        ids.extend(lookup("e:")?);
        let names = lookup("n:")?;
        let companies = lookup("c:")?;
        let bare = p.phones.is_empty() && p.emails.is_empty();
        if bare {
            ids.extend(names.iter().cloned());
        } else {
            ids.extend(lookup("n!:")?);
            ids.extend(names.iter().filter(|id| companies.contains(id)).cloned());
        }
        if p.is_company {
            ids.extend(companies);
        }
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        let mut best: Option<(Customer, f64, Vec<Reason>)> = None;
        for id in ids {
            let Ok(cid) = id.parse::<CustomerId>() else { continue };
            let c = customer_in(self.conn(), cid)?;
            if c.deleted {
                continue;
            }
            let (s, reasons) = dedupe::score(p, &profile_of(&c));
            if s >= dedupe::DUPLICATE_SCORE && best.as_ref().is_none_or(|(_, b, _)| s > *b) {
                best = Some((c, s, reasons));
            }
        }
        Ok(best)
    }
}

struct LoggedChange {
    tbl: String,
    row_id: Value,
    field: String,
    op: String,
    old_value: Option<String>,
    hlc: i64,
}

fn row_id_text(v: &Value) -> String {
    match v {
        Value::Blob(b) if b.len() == 16 => uuid::Uuid::from_slice(b).map(|u| u.to_string()).unwrap_or_default(),
        Value::Text(t) => t.clone(),
        Value::Integer(i) => i.to_string(),
        _ => String::new(),
    }
}

fn value_from_json(s: &Option<String>) -> Value {
    let Some(s) = s else { return Value::Null };
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::String(t)) => Value::Text(t),
        Ok(serde_json::Value::Number(n)) => {
            n.as_i64().map(Value::Integer).unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or_default()))
        }
        _ => Value::Null,
    }
}

fn table_name(t: &str) -> Option<&'static str> {
    ["customers", "contacts", "activities", "products", "orders", "order_lines", "settings", "custom_fields"]
        .into_iter()
        .find(|x| *x == t)
}

fn undo_in(w: &mut Writer<'_>, batch: &str) -> Result<UndoReport> {
    let changes: Vec<LoggedChange> = w
        .conn()
        .prepare("SELECT tbl, row_id, field, op, old_value, hlc FROM change_log WHERE batch_id = ?1 ORDER BY hlc, origin_seq")?
        .query_map([batch], |r| {
            Ok(LoggedChange {
                tbl: r.get(0)?,
                row_id: r.get(1)?,
                field: r.get(2)?,
                op: r.get(3)?,
                old_value: r.get(4)?,
                hlc: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if changes.is_empty() {
        return Err(Error::NotFound { entity: "batch", id: batch.to_string() });
    }
    // Per row, in first-touched order: was it created by the batch, and each field's oldest value.
    let mut rows: Vec<(String, Value)> = Vec::new();
    let mut created: HashSet<(String, Vec<u8>)> = HashSet::new();
    // (table, row) → the fields the batch changed, each with its value before the batch.
    type RowKey = (String, Vec<u8>);
    let mut fields: BTreeMap<RowKey, Vec<(String, Option<String>)>> = BTreeMap::new();
    let mut last_hlc: HashMap<(String, Vec<u8>), i64> = HashMap::new();
    let key = |c: &LoggedChange| (c.tbl.clone(), row_id_text(&c.row_id).into_bytes());
    for c in &changes {
        let k = key(c);
        if !rows.iter().any(|(t, r)| *t == c.tbl && *r == c.row_id) {
            rows.push((c.tbl.clone(), c.row_id.clone()));
        }
        last_hlc.insert(k.clone(), c.hlc);
        match c.op.as_str() {
            "insert" => {
                created.insert(k);
            }
            _ => {
                let f = fields.entry(k).or_default();
                if !f.iter().any(|(name, _)| *name == c.field) {
                    f.push((c.field.clone(), c.old_value.clone()));
                }
            }
        }
    }
    let mut report = UndoReport::default();
    // Later changes by others block the undo of a field; changes of batches that were undone
    // since (and those undos) cancel out and do not count.
    let mut later = w.conn().prepare_cached(
        "SELECT DISTINCT field FROM change_log WHERE tbl = ?1 AND row_id = ?2 AND hlc > ?3
         AND (batch_id IS NULL OR (batch_id <> ?4
              AND batch_id NOT IN (SELECT id FROM imports WHERE status = 'undone')
              AND batch_id NOT IN (SELECT 'undo:' || id FROM imports WHERE status = 'undone')))",
    )?;
    // What to do per row: remove it (None) or restore these fields.
    type Step = (&'static str, String, Option<Vec<(String, Value)>>);
    let mut plan: Vec<Step> = Vec::new();
    for (tbl, row_id) in rows.iter().rev() {
        let Some(table) = table_name(tbl) else { continue };
        let id = row_id_text(row_id);
        let k = (tbl.clone(), id.clone().into_bytes());
        let since = last_hlc.get(&k).copied().unwrap_or(0);
        let touched: Vec<String> =
            later.query_map(params![tbl, row_id, since, batch], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if created.contains(&k) {
            if touched.is_empty() {
                plan.push((table, id, None));
            } else {
                report.conflicts.push(UndoConflict { customer_id: id, name: String::new(), field: "record".into() });
            }
            continue;
        }
        let mut restore = Vec::new();
        for (field, old) in fields.remove(&k).unwrap_or_default() {
            if touched.contains(&field) || touched.iter().any(|f| f == "deleted_at") {
                report.conflicts.push(UndoConflict { customer_id: id.clone(), name: String::new(), field });
            } else {
                restore.push((field, value_from_json(&old)));
            }
        }
        if !restore.is_empty() {
            plan.push((table, id, Some(restore)));
        }
    }
    drop(later);
    for (table, id, restore) in plan {
        match restore {
            None => {
                // A row the batch created and nobody touched since: remove it (a tombstone, so
                // peers that already have it remove it too).
                let live: Option<i64> = w
                    .conn()
                    .query_row(&format!("SELECT 1 FROM {table} WHERE id = ?1 AND deleted_at IS NULL"), [&id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if live.is_some() {
                    w.apply(Change::Delete { table, id: &id })?;
                    report.removed += 1;
                }
            }
            Some(values) => {
                let cols: Vec<(&'static str, Value)> =
                    values.into_iter().filter_map(|(f, v)| column_name(table, &f).map(|c| (c, v))).collect();
                report.restored += cols.len() as u64;
                w.apply(Change::Update { table, id: &id, values: cols })?;
            }
        }
    }
    for c in &mut report.conflicts {
        if let Ok(cid) = c.customer_id.parse::<CustomerId>() {
            if let Ok(cust) = customer_in(w.conn(), cid) {
                c.name = cust.name;
            }
        }
    }
    Ok(report)
}

/// The static column name a logged field stands for (the gateway only takes static names).
fn column_name(table: &str, field: &str) -> Option<&'static str> {
    const CUSTOMER: &[&str] = &[
        "kind", "name", "company", "phones", "emails", "address", "city", "country", "tags", "owner", "source",
        "notes", "custom",
    ];
    const MOVABLE: &[&str] = &["customer_id"];
    let list: &[&str] = if table == "customers" { CUSTOMER } else { MOVABLE };
    list.iter().find(|c| **c == field).copied()
}
