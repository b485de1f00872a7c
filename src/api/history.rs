//! A customer's history: every change of the customer and of its contacts, activities, orders
//! and order lines, newest first, as the change log holds it: field, old → new, who, when, on
//! which desktop, in which batch. Within the viewer's rights: a record the caller may not read is
//! out of it, and a field their roles hide shows that it changed, not its values.

use super::{ApiResult, Banyan, Caller, fields};
use crate::error::{Error, FieldError};
use crate::security::grants::{Action, Entity, FieldAccess};
use crate::store::{ChangeRef, RevertTarget, UndoReport};
use crate::sync::Hlc;
use serde::Serialize;
use std::collections::HashMap;

/// One field change, as a history list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Unix ms of the change (its clock's wall time).
    pub at: i64,
    /// Who made it: the user's name (or the name history from before users was written under).
    pub who: String,
    /// The user's login, when the author is a user of this book.
    pub login: Option<String>,
    /// The desktop it was made on.
    pub device: String,
    /// Made on this desktop.
    pub this_device: bool,
    /// The import or merge it was part of.
    pub batch: Option<String>,
    /// The local transaction number on its desktop (what `banyan revert --tx` names).
    pub tx: i64,
    /// "customer", "contact", "activity", "order", "order line".
    pub entity: String,
    pub record_id: String,
    pub field: String,
    /// insert, update or delete.
    pub op: String,
    /// Values as JSON text; `None` for a hidden field, or no old value of an insert.
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// The field is hidden from the caller: it changed, its values are not shown.
    pub hidden: bool,
    /// The change, by desktop and sequence number.
    pub change: ChangeRef,
}

/// The most field changes one history returns.
const MAX_ENTRIES: u32 = 100_000;

impl Banyan {
    /// The history of a customer the caller may read, newest first (customer.read; the entries of
    /// its contacts, activities and orders need their own read grants too).
    pub fn history(&self, caller: &Caller, customer_id: &str) -> ApiResult<Vec<HistoryEntry>> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let cid = self.customer_id(customer_id)?;
        let run = || -> crate::Result<Vec<HistoryEntry>> {
            let customer = self.reached_customer(&reach, cid)?;
            let may = |e: Entity| self.may_read_part(caller, e, &customer);
            let mut rows = vec![("customers", cid.to_string())];
            for (table, entity) in
                [("contacts", Entity::Contact), ("activities", Entity::Activity), ("orders", Entity::Order)]
            {
                if may(entity)? {
                    rows.extend(self.store.rows_of_customer(table, cid)?.into_iter().map(|id| (table, id)));
                }
            }
            if may(Entity::Order)? {
                let orders: Vec<String> =
                    rows.iter().filter(|(t, _)| *t == "orders").map(|(_, id)| id.clone()).collect();
                for o in orders {
                    rows.extend(self.store.lines_of_order(&o)?.into_iter().map(|id| ("order_lines", id)));
                }
            }
            let users: HashMap<String, (String, String)> =
                self.store.users()?.into_iter().map(|u| (u.id.to_string(), (u.name, u.login))).collect();
            let here = self.store.device().to_string();
            let g = caller.grants();
            let mut out = Vec::new();
            for (table, id) in rows {
                for e in self.store.changes(Some(&id), Hlc::ZERO, MAX_ENTRIES)? {
                    if e.table != table {
                        continue;
                    }
                    let hidden = hidden_field(table, &e.field).is_some_and(|f| g.field(f) == FieldAccess::Hidden);
                    // Custom values are logged together: the hidden ones are taken out.
                    let unseen_custom: Vec<String> = if table == "customers" && e.field == "custom" {
                        fields::unreadable(g)
                            .iter()
                            .filter_map(|f| f.strip_prefix("custom."))
                            .map(str::to_string)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let shown = |v: Option<String>| {
                        if hidden {
                            return None;
                        }
                        v.map(|v| without_keys(&readable(&v, &users), &unseen_custom))
                    };
                    let (who, login) = match users.get(&e.user) {
                        Some((name, login)) => (name.clone(), Some(login.clone())),
                        None => (e.user.clone(), None),
                    };
                    out.push(HistoryEntry {
                        at: e.hlc.wall_ms(),
                        who,
                        login,
                        this_device: e.origin == here,
                        device: e.origin.clone(),
                        batch: e.batch_id,
                        tx: e.tx,
                        entity: entity_name(table).to_string(),
                        record_id: e.row_id,
                        field: e.field,
                        op: e.op,
                        old_value: shown(e.old_value),
                        new_value: shown(e.value),
                        hidden,
                        change: ChangeRef { origin: e.origin, seq: e.origin_seq },
                    });
                }
            }
            out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.change.seq.cmp(&a.change.seq)));
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }
}

impl Banyan {
    /// Takes back one field change (`DESKTOP:SEQ`, the desktop by its id or the first characters
    /// of it, as history shows them), one transaction of a desktop (this one when `desktop` is
    /// `None`), or a batch, by writing new changes; later edits of the same fields are kept and
    /// reported. A change or transaction needs customer.update over every customer it touched; a
    /// batch is an import's undo (customer.import).
    pub fn revert(&self, caller: &Caller, what: &Revert) -> ApiResult<UndoReport> {
        let run = |target: RevertTarget| -> ApiResult<UndoReport> {
            if matches!(target, RevertTarget::Batch(_)) {
                self.may(caller, Entity::Customer, Action::Import)?;
            } else {
                let reach = self.reach(caller, Entity::Customer, Action::Update)?;
                for id in self.store.revert_customers(&target).map_err(|e| self.err(e))? {
                    self.reached_customer(&reach, id).map_err(|e| self.err(e))?;
                }
            }
            self.check_revert_fields(caller, &target)?;
            self.store.revert(&caller.actor(), &target).map_err(|e| self.err(e))
        };
        let origin = |d: Option<&str>| -> ApiResult<String> {
            match d.map(str::trim).filter(|d| !d.is_empty()) {
                None => Ok(self.store.device().to_string()),
                Some(p) => self.store.origin_by_prefix(p).map_err(|e| self.err(e))?.ok_or_else(|| {
                    self.err(Error::field(FieldError::new("desktop", "error-revert-desktop").arg("value", p)))
                }),
            }
        };
        match what {
            Revert::Change(spec) => {
                let (d, seq) =
                    spec.rsplit_once(':').and_then(|(d, s)| Some((d, s.trim().parse::<i64>().ok()?))).ok_or_else(
                        || self.err(Error::field(FieldError::new("change", "error-revert-change").arg("value", spec))),
                    )?;
                run(RevertTarget::Change { origin: origin(Some(d))?, seq })
            }
            Revert::Tx { tx, desktop } => run(RevertTarget::Tx { origin: origin(desktop.as_deref())?, tx: *tx }),
            Revert::Batch(b) => run(RevertTarget::Batch(b.trim().to_string())),
        }
    }
}

impl Banyan {
    /// Refuses a revert or an import's undo that would write back a customer field the caller
    /// may not write: an old value written back is a write of that field.
    pub(crate) fn check_revert_fields(&self, caller: &Caller, target: &RevertTarget) -> ApiResult<()> {
        let unwritable = fields::unwritable(caller.grants());
        if unwritable.is_empty() {
            return Ok(());
        }
        for f in self.store.revert_customer_fields(target).map_err(|e| self.err(e))? {
            if let Some(u) = fields::blocking(&unwritable, &f) {
                return Err(self.err(Error::FieldNotAllowed { field: u.clone() }));
            }
        }
        Ok(())
    }
}

/// What to revert, as a user names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Revert {
    /// `DESKTOP:SEQ`, as history lists a change.
    Change(String),
    Tx {
        tx: i64,
        desktop: Option<String>,
    },
    Batch(String),
}

/// A logged value as a reader takes it, still JSON: a column holding JSON text (phones, emails,
/// tags, custom values) as the list or object it holds, a user's id (an owner) as their name.
fn readable(raw: &str, users: &HashMap<String, (String, String)>) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::String(s)) => {
            if let Some((name, _)) = users.get(&s) {
                return serde_json::Value::String(name.clone()).to_string();
            }
            match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(inner @ (serde_json::Value::Array(_) | serde_json::Value::Object(_))) => inner.to_string(),
                _ => raw.to_string(),
            }
        }
        _ => raw.to_string(),
    }
}

/// A readable JSON object without `keys` (the hidden custom fields); anything else as it is.
fn without_keys(json: &str, keys: &[String]) -> String {
    if keys.is_empty() {
        return json.to_string();
    }
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(mut m)) => {
            for k in keys {
                m.remove(k);
            }
            serde_json::Value::Object(m).to_string()
        }
        _ => json.to_string(),
    }
}

fn entity_name(table: &str) -> &'static str {
    match table {
        "customers" => "customer",
        "contacts" => "contact",
        "activities" => "activity",
        "orders" => "order",
        _ => "order line",
    }
}

/// The field rule a stored column falls under, if any: an order's amounts are its total's, a
/// line's price and discount their own.
fn hidden_field(table: &str, column: &str) -> Option<&'static str> {
    match (table, column) {
        ("customers", c) => fields::customer_rule(c),
        ("orders", "gross" | "discount" | "net" | "tax" | "total") => Some(fields::ORDER_TOTAL),
        ("order_lines", "unit_price") => Some(fields::ORDER_LINE_PRICE),
        ("order_lines", "discount_bp") => Some(fields::ORDER_LINE_DISCOUNT),
        _ => None,
    }
}
