//! Rewind: every change after a moment (optionally one user's only) taken back as one new batch,
//! for a mistake a restore would fix only by losing everyone else's work since.
//!
//! The log says what each field was before its first change after the moment: that value comes
//! back, a row made since is removed, a row removed since comes back, by new changes through the
//! gateway (history keeps both, and `banyan revert --batch` takes a rewind back). It follows an
//! import undo's rules: a customer's own records (customers, contacts, activities, and where an
//! order belongs) are rewound; products, orders' contents and settings are business records
//! that are kept (and counted in the preview); with a user named, a field someone else changed
//! after that user's last change keeps its value and is reported, and an erased person stays
//! erased.

use super::imports::{REVERTIBLE, UndoConflict, UndoReport, column_name, table_name, value_from_json};
use super::log::row_id_text;
use super::{Actor, Change, Store, Writer};
use crate::error::{Error, Result};
use crate::sync::Hlc;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};

/// What a rewind does to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewindAction {
    /// Made after the moment: removed (a tombstone).
    Remove,
    /// Removed after the moment: brought back.
    BringBack,
    /// Brought back after the moment (it was removed then): removed again.
    RemoveAgain,
    /// Fields changed after the moment get their values of then.
    Fields,
}

impl RewindAction {
    pub fn name(self) -> &'static str {
        match self {
            RewindAction::Remove => "remove",
            RewindAction::BringBack => "bring-back",
            RewindAction::RemoveAgain => "remove-again",
            RewindAction::Fields => "fields",
        }
    }
}

/// One row a rewind changes.
#[derive(Debug, Clone)]
pub struct RewindStep {
    pub table: &'static str,
    pub id: String,
    pub action: RewindAction,
    /// The fields that get their old value (JSON text, as logged) back, besides `action`.
    pub fields: Vec<(String, Option<String>)>,
    /// Who made the changes taken back (user ids), and the clock of the last of them.
    pub users: Vec<String>,
    pub last_hlc: i64,
}

/// What a rewind would do, read from the log.
#[derive(Debug, Clone, Default)]
pub struct RewindPlan {
    pub steps: Vec<RewindStep>,
    /// Fields (or records) kept: changed since by someone else, or an erased person's.
    pub conflicts: Vec<UndoConflict>,
    /// Changes after the moment that a rewind keeps, per table (products, orders, settings, ...).
    pub kept: BTreeMap<String, u64>,
    /// Field changes taken back.
    pub changes: u64,
}

/// One log entry after the moment.
struct Entry {
    table: String,
    row_id: Value,
    op: String,
    fields: String,
    hlc: i64,
    user: String,
}

/// Every log entry with a clock after `after` (raw HLC), oldest first. Each desktop's entries
/// follow its clock in sequence order, so the first one after the moment is found by a binary
/// search over its sequence numbers instead of reading the whole log.
fn entries_after(conn: &Connection, after: i64) -> Result<Vec<Entry>> {
    let origins: Vec<(i64, i64, i64)> = conn
        .prepare("SELECT origin, min(seq), max(seq) FROM changes GROUP BY origin")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut first_hlc =
        conn.prepare_cached("SELECT seq, hlc FROM changes WHERE origin = ?1 AND seq >= ?2 ORDER BY seq LIMIT 1")?;
    let mut out: Vec<(i64, i64, i64, Entry)> = Vec::new();
    for (origin, min, max) in origins {
        // The first entry (by its first sequence number) whose clock is after the moment.
        let (mut lo, mut hi) = (min, max + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let found: Option<(i64, i64)> =
                first_hlc.query_row(params![origin, mid], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            match found {
                Some((seq, hlc)) if hlc > after => hi = mid.min(seq),
                Some((seq, _)) => lo = seq + 1,
                None => hi = mid,
            }
        }
        let mut st = conn.prepare_cached(
            "SELECT tbl, row_id, op, fields, hlc, user_id, seq FROM changes WHERE origin = ?1 AND seq >= ?2 AND hlc > ?3
             ORDER BY seq",
        )?;
        let mut rows = st.query(params![origin, lo, after])?;
        while let Some(r) = rows.next()? {
            let e = Entry {
                table: r.get(0)?,
                row_id: r.get(1)?,
                op: r.get(2)?,
                fields: r.get(3)?,
                hlc: r.get(4)?,
                user: r.get(5)?,
            };
            out.push((e.hlc, origin, r.get(6)?, e));
        }
    }
    out.sort_by_key(|(hlc, origin, seq, _)| (*hlc, *origin, *seq));
    Ok(out.into_iter().map(|(_, _, _, e)| e).collect())
}

/// What taking back every change after `after` (raw HLC) by `user` (a user id; everyone's when
/// `None`) would do.
pub(super) fn plan(conn: &Connection, after: i64, user: Option<&str>) -> Result<RewindPlan> {
    let entries = entries_after(conn, after)?;
    let mut plan = RewindPlan::default();
    // The rows touched, in the order first touched, each with its entries.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut by_row: HashMap<(String, String), Vec<Entry>> = HashMap::new();
    for e in entries {
        let key = (e.table.clone(), row_id_text(&e.row_id));
        by_row
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(e);
    }
    let matches = |e: &Entry| user.is_none_or(|u| e.user == u);
    for key in order {
        let entries = by_row.remove(&key).unwrap_or_default();
        let (tbl, id) = key;
        let mine: Vec<&Entry> = entries.iter().filter(|e| matches(e)).collect();
        if mine.is_empty() {
            continue;
        }
        let Some(table) = table_name(&tbl).filter(|t| REVERTIBLE.contains(t) || *t == "orders") else {
            *plan.kept.entry(tbl).or_default() += mine.iter().map(|e| field_count(e)).sum::<u64>();
            continue;
        };
        let conflict = |field: &str| UndoConflict { customer_id: id.clone(), name: String::new(), field: field.into() };
        if super::privacy::of_erased(conn, table, &id)? {
            plan.conflicts.push(conflict("erased"));
            continue;
        }
        let mut users: Vec<String> = Vec::new();
        for e in &mine {
            if !users.contains(&e.user) {
                users.push(e.user.clone());
            }
        }
        let last_hlc = mine.last().map(|e| e.hlc).unwrap_or_default();
        let created_since = entries[0].op == "insert";
        if created_since && matches(&entries[0]) {
            if table == "orders" {
                // An order is a business record: kept whole, as its lines and totals.
                *plan.kept.entry(tbl).or_default() += mine.iter().map(|e| field_count(e)).sum::<u64>();
                continue;
            }
            if entries.iter().any(|e| !matches(e)) {
                plan.conflicts.push(conflict("record"));
                continue;
            }
            if deleted_now(conn, table, &id)? {
                continue;
            }
            plan.changes += mine.iter().map(|e| field_count(e)).sum::<u64>();
            plan.steps.push(RewindStep {
                table,
                id,
                action: RewindAction::Remove,
                fields: Vec::new(),
                users,
                last_hlc,
            });
            continue;
        }
        // Field by field: the value before the first of the user's changes after the moment,
        // unless someone else changed the field after their last one.
        let mut fields: Vec<(String, Option<String>)> = Vec::new();
        let mut last_mine: HashMap<String, i64> = HashMap::new();
        for e in &mine {
            for f in super::log::decode_fields(&e.fields) {
                if e.op == "insert" {
                    continue;
                }
                last_mine.insert(f.field.clone(), e.hlc);
                if !fields.iter().any(|(x, _)| *x == f.field) {
                    fields.push((f.field, Some(f.old.to_string())));
                }
            }
        }
        let mut later_by_others: Vec<(String, i64)> = Vec::new();
        for e in entries.iter().filter(|e| !matches(e)) {
            for f in super::log::decode_fields(&e.fields) {
                later_by_others.push((f.field, e.hlc));
            }
        }
        let mut action = RewindAction::Fields;
        let mut kept_fields = Vec::new();
        for (field, old) in fields {
            let mine_last = last_mine.get(&field).copied().unwrap_or_default();
            let blocked = later_by_others.iter().any(|(f, hlc)| *hlc > mine_last && (*f == field || f == "deleted_at"));
            if blocked {
                plan.conflicts.push(conflict(&field));
                continue;
            }
            if field == "deleted_at" && REVERTIBLE.contains(&table) {
                let was_deleted = old.as_deref().is_some_and(|o| o != "null");
                if was_deleted != deleted_now(conn, table, &id)? {
                    action = if was_deleted { RewindAction::RemoveAgain } else { RewindAction::BringBack };
                    plan.changes += 1;
                }
            } else if (table == "customers" || field == "customer_id") && column_name(table, &field).is_some() {
                plan.changes += 1;
                kept_fields.push((field, old));
            } else {
                *plan.kept.entry(tbl.clone()).or_default() += 1;
            }
        }
        if action != RewindAction::Fields || !kept_fields.is_empty() {
            plan.steps.push(RewindStep { table, id, action, fields: kept_fields, users, last_hlc });
        }
    }
    Ok(plan)
}

/// Whether the row carries a tombstone now.
fn deleted_now(conn: &Connection, table: &str, id: &str) -> Result<bool> {
    let sql = format!("SELECT deleted_at IS NOT NULL FROM {table} WHERE id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], |r| r.get(0)).optional()?.unwrap_or(false))
}

fn field_count(e: &Entry) -> u64 {
    super::log::decode_fields(&e.fields).len().max(1) as u64
}

/// Applies one step through the gateway.
fn apply(w: &mut Writer<'_>, step: &RewindStep, report: &mut UndoReport) -> Result<()> {
    let ignore_gone = |r: Result<usize>| match r {
        Ok(_) => Ok(true),
        Err(Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    };
    match step.action {
        RewindAction::Remove | RewindAction::RemoveAgain => {
            if ignore_gone(w.apply(Change::Delete { table: step.table, id: &step.id }))? {
                report.removed += 1;
            }
        }
        RewindAction::BringBack => {
            if ignore_gone(w.apply(Change::Restore { table: step.table, id: &step.id }))? {
                report.restored += 1;
            }
        }
        RewindAction::Fields => {}
    }
    let values: Vec<(&'static str, Value)> =
        step.fields.iter().filter_map(|(f, old)| Some((column_name(step.table, f)?, value_from_json(old)))).collect();
    if !values.is_empty() {
        report.restored += values.len() as u64;
        w.apply(Change::Update { table: step.table, id: &step.id, values })?;
    }
    Ok(())
}

impl Store {
    /// What [`Store::rewind`] would do: every change after `to_ms` (wall time; by `user` alone
    /// when given, a user id).
    pub fn rewind_plan(&self, to_ms: i64, user: Option<&str>) -> Result<RewindPlan> {
        plan(&self.reader(), Hlc::from_parts(to_ms, u16::MAX).raw(), user)
    }

    /// The customer a rewound row is or belongs to: its id and name (a removed one's too).
    pub fn rewind_customer_of(&self, table: &str, id: &str) -> Result<Option<(String, String)>> {
        let conn = self.reader();
        let customer: Option<String> = if table == "customers" {
            Some(id.to_string())
        } else if ["contacts", "activities", "orders"].contains(&table) {
            conn.prepare_cached(&format!("SELECT customer_id FROM {table} WHERE id = ?1"))?
                .query_row([id], |r| r.get(0))
                .optional()?
        } else {
            None
        };
        let Some(customer) = customer else { return Ok(None) };
        let name: Option<String> = conn
            .prepare_cached("SELECT name FROM customers WHERE id = ?1")?
            .query_row([&customer], |r| r.get(0))
            .optional()?;
        Ok(Some((customer, name.unwrap_or_default())))
    }

    /// Takes back every change after `to_ms` (by `user` alone when given) as one batch (the
    /// actor's): the plan is made again inside the write, so a change made since the preview is
    /// taken back too. Returns the report and the plan it followed.
    pub fn rewind(
        &self,
        actor: &Actor,
        to_ms: i64,
        user: Option<&str>,
        allowed: &dyn Fn(&RewindPlan) -> Result<()>,
    ) -> Result<(UndoReport, RewindPlan)> {
        let after = Hlc::from_parts(to_ms, u16::MAX).raw();
        let mut report = UndoReport::default();
        let plan = self.write(actor, |w| {
            // The plan made inside the write is the one carried out, and the one checked.
            let plan = plan(w.conn(), after, user)?;
            allowed(&plan)?;
            for step in &plan.steps {
                apply(w, step, &mut report)?;
            }
            Ok(plan)
        })?;
        report.conflicts = plan.conflicts.clone();
        self.name_conflicts(&mut report);
        Ok((report, plan))
    }
}
