//! Rewind (`banyan rewind --to TIME [--user U] [--dry-run]`): every change after a moment, or one
//! user's, taken back as one batch; the preview lists each record and what happens to it. See
//! `store::rewind` for the rules.

use super::{ApiResult, Banyan, Caller, fields};
use crate::error::{Error, FieldError};
use crate::model::login_key;
use crate::security::grants::{Action, Entity};
use crate::store::{Actor, RewindPlan, UndoConflict};
use serde::Serialize;
use std::collections::HashMap;

/// One record a rewind changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RewindItem {
    /// customer, contact, activity or order.
    pub entity: String,
    pub id: String,
    /// The customer it is or belongs to, and that customer's name.
    pub customer_id: Option<String>,
    pub customer: String,
    /// remove, bring-back, remove-again or fields.
    pub action: String,
    /// The fields that get their earlier value back.
    pub fields: Vec<String>,
    /// Who made the changes taken back (names).
    pub by: Vec<String>,
    /// When the last of them was made.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub last_ms: i64,
}

/// Changes after the moment a rewind keeps, per kind of record (products, orders, settings...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RewindKept {
    pub entity: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes: u64,
}

/// What a rewind does (the preview) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RewindPreview {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub to_ms: i64,
    /// The user whose changes alone are taken back (their name), if one was named.
    pub user: Option<String>,
    /// Field changes taken back.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub changes: u64,
    pub items: Vec<RewindItem>,
    /// Fields and records kept: changed since by someone else, or an erased person's.
    pub conflicts: Vec<UndoConflict>,
    pub kept: Vec<RewindKept>,
}

/// A rewind done: what it did, and the batch that holds it (`banyan revert --batch` takes it back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RewindReport {
    pub preview: RewindPreview,
    pub batch_id: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub removed: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub restored: u64,
}

/// A moment as typed: RFC 3339 (`2026-12-07T14:59:30+08:00`, with milliseconds if wanted), or a
/// local date and time (`2026-12-07 14:59`, seconds optional; `/` or `.` between date parts), or a
/// local date alone (its midnight). Unix milliseconds.
pub fn parse_moment(typed: &str) -> Option<i64> {
    use chrono::TimeZone;
    let t = typed.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(d.timestamp_millis());
    }
    let t = t.replacen('T', " ", 1).replace(['/', '.'], "-");
    // `-` in the seconds' fraction came from a `.`: put it back.
    let t = match t.rsplit_once('-') {
        Some((head, frac)) if head.len() == 19 && frac.chars().all(|c| c.is_ascii_digit()) => format!("{head}.{frac}"),
        _ => t,
    };
    let naive = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(&t, f).ok())
        .or_else(|| chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0))?;
    Some(chrono::Local.from_local_datetime(&naive).earliest()?.timestamp_millis())
}

fn entity_of(table: &str) -> String {
    crate::store::entity_of(table).to_string()
}

impl Banyan {
    /// What a rewind to `to` (see [`parse_moment`]) would take back, everyone's changes or
    /// `user`'s (a login or a name). The book's admins' (settings.update), as a restore.
    pub fn rewind_preview(&self, caller: &Caller, to: &str, user: Option<&str>) -> ApiResult<RewindPreview> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let (to_ms, user) = self.rewind_args(to, user)?;
        let plan = self.store.rewind_plan(to_ms, user.as_ref().map(|u| u.0.as_str())).map_err(|e| self.err(e))?;
        self.rewind_fields_allowed(caller, &plan)?;
        self.rewind_view(to_ms, user.map(|u| u.1), &plan)
    }

    /// Takes back every change after `to` (everyone's, or `user`'s) as one new batch, made again
    /// from the log as it is now (a change made after the preview is taken back too).
    pub fn rewind(&self, caller: &Caller, to: &str, user: Option<&str>) -> ApiResult<RewindReport> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let (to_ms, user) = self.rewind_args(to, user)?;
        let uid = user.as_ref().map(|u| u.0.clone());
        let batch_id = format!("rewind-{}", uuid::Uuid::now_v7());
        let actor = Actor { user: caller.actor().user, batch: Some(batch_id.clone()) };
        let started = std::time::Instant::now();
        let unwritable = fields::unwritable(caller.grants());
        let (report, plan) = self
            .store
            .rewind(&actor, to_ms, uid.as_deref(), &|p| blocked_in(&unwritable, p))
            .map_err(|e| self.err(e))?;
        let preview = self.rewind_view(to_ms, user.map(|u| u.1), &plan)?;
        self.store
            .record_event(
                &caller.actor(),
                "rewind",
                &serde_json::json!({
                    "toMs": to_ms, "user": uid, "batch": batch_id, "changes": plan.changes,
                    "removed": report.removed, "restored": report.restored, "kept": report.conflicts.len(),
                }),
            )
            .map_err(|e| self.err(e))?;
        tracing::info!(
            batch = %batch_id,
            to_ms,
            changes = plan.changes,
            removed = report.removed,
            restored = report.restored,
            conflicts = report.conflicts.len(),
            ms = started.elapsed().as_millis() as u64,
            "rewound"
        );
        Ok(RewindReport {
            preview: RewindPreview { conflicts: report.conflicts, ..preview },
            batch_id,
            removed: report.removed,
            restored: report.restored,
        })
    }

    /// The moment in ms, and the user (id, name) if one was named.
    fn rewind_args(&self, to: &str, user: Option<&str>) -> ApiResult<(i64, Option<(String, String)>)> {
        let to_ms = parse_moment(to)
            .ok_or_else(|| self.err(Error::field(FieldError::new("to", "error-rewind-time").arg("value", to))))?;
        let Some(typed) = user.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok((to_ms, None));
        };
        let users = self.store.users().map_err(|e| self.err(e))?;
        let by_login = users.iter().find(|u| login_key(&u.login) == login_key(typed));
        let by_name: Vec<_> = users.iter().filter(|u| u.name == typed).collect();
        let found = by_login.or(if by_name.len() == 1 { by_name.first().copied() } else { None });
        let u = found
            .ok_or_else(|| self.err(Error::field(FieldError::new("user", "error-rewind-user").arg("value", typed))))?;
        Ok((to_ms, Some((u.id.to_string(), u.name.clone()))))
    }

    /// A value written back is a write of that field: refused whole if the caller's field rules
    /// forbid one (as an import's undo).
    fn rewind_fields_allowed(&self, caller: &Caller, plan: &RewindPlan) -> ApiResult<()> {
        blocked_in(&fields::unwritable(caller.grants()), plan).map_err(|e| self.err(e))
    }

    fn rewind_view(&self, to_ms: i64, user: Option<String>, plan: &RewindPlan) -> ApiResult<RewindPreview> {
        let names: HashMap<String, String> =
            self.store.users().map_err(|e| self.err(e))?.into_iter().map(|u| (u.id.to_string(), u.name)).collect();
        let mut items = Vec::with_capacity(plan.steps.len());
        for s in &plan.steps {
            let (customer_id, customer) =
                self.store.rewind_customer_of(s.table, &s.id).map_err(|e| self.err(e))?.unwrap_or_default();
            items.push(RewindItem {
                entity: entity_of(s.table),
                id: s.id.clone(),
                customer_id: (!customer_id.is_empty()).then_some(customer_id),
                customer,
                action: s.action.name().into(),
                fields: s.fields.iter().map(|(f, _)| f.clone()).collect(),
                by: s.users.iter().map(|u| names.get(u).cloned().unwrap_or_else(|| u.clone())).collect(),
                last_ms: crate::sync::Hlc::from_raw(s.last_hlc).wall_ms(),
            });
        }
        let mut conflicts = plan.conflicts.clone();
        for c in conflicts.iter_mut().filter(|c| c.name.is_empty()) {
            if let Some(customer) = c.customer_id.parse().ok().and_then(|id| self.store.customer(id).ok()) {
                c.name = customer.name;
            }
        }
        Ok(RewindPreview {
            to_ms,
            user,
            changes: plan.changes,
            items,
            conflicts,
            kept: plan.kept.iter().map(|(t, n)| RewindKept { entity: entity_of(t), changes: *n }).collect(),
        })
    }
}

/// Refuses a rewind that would write back a customer field in `unwritable` (see
/// [`fields::unwritable`]): an old value written back is a write of that field.
fn blocked_in(unwritable: &[String], plan: &RewindPlan) -> crate::Result<()> {
    for step in plan.steps.iter().filter(|s| s.table == "customers") {
        for (f, _) in &step.fields {
            if let Some(u) = fields::blocking(unwritable, f) {
                return Err(Error::FieldNotAllowed { field: u.clone() });
            }
        }
    }
    Ok(())
}
