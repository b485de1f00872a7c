//! The sync inbox and status as a signed-in person sees them. The replica seam itself
//! (`Store::sync_vector`, `sync_changes`, `sync_apply`) is between devices, not people: a peer
//! reaches it only once it has proved it is a member of the book.

use super::{ApiResult, Banyan, Caller};
use crate::error::{Error, FieldError};
use crate::model::CustomerId;
use crate::security::grants::{Action, Entity};
use crate::store::{ConflictKind, SyncConflict};
use crate::sync::wire::Vector;
use serde::Serialize;

/// The entity whose grants cover a synced table's rows.
fn entity_of(table: &str) -> Entity {
    match table {
        "customers" => Entity::Customer,
        "contacts" => Entity::Contact,
        "activities" => Entity::Activity,
        "products" => Entity::Product,
        "orders" | "order_lines" => Entity::Order,
        "users" | "roles" => Entity::Users,
        "consents" | "erasures" => Entity::Privacy,
        _ => Entity::Settings,
    }
}

/// What `banyan sync status` and the sync screen's header show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// This desktop's id and its short code.
    pub device: String,
    pub device_code: String,
    /// Per desktop, the last change this book holds from it.
    pub vector: Vector,
    /// Decisions waiting for the caller (those they may see).
    pub conflicts: u32,
    /// Changes from elsewhere kept but not applied (see `sync_held`).
    pub held: u32,
}

impl Banyan {
    /// Whether `caller` may take `action` on the row a conflict is about (and, for a customer's
    /// field, read it, or for an update write it).
    fn may_touch_conflict(&self, caller: &Caller, c: &SyncConflict, action: Action) -> crate::Result<bool> {
        let entity = entity_of(&c.table);
        let Some(reach) = self.optional_reach(caller, entity, action)? else { return Ok(false) };
        let customer = match c.table.as_str() {
            "customers" => Some(c.row_id.clone()),
            "contacts" | "activities" | "orders" => self.store.customer_of_row(&c.table, &c.row_id)?,
            _ => return Ok(true),
        };
        let Some(Ok(id)) = customer.map(|id| CustomerId::parse(&id, "id")) else { return Ok(false) };
        let owner = self.store.customer(id)?.owner;
        if !reach.contains(owner.as_deref()) {
            return Ok(false);
        }
        if c.table == "customers" {
            // Locked fields include the hidden ones.
            let barred = if action == Action::Read {
                super::fields::unreadable(caller.grants())
            } else {
                super::fields::unwritable(caller.grants())
            };
            if barred.iter().any(|f| *f == c.field || (c.field == "custom" && f.starts_with("custom."))) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The decisions sync left to people that `caller` may see: a field changed on two desktops
    /// to different values, one SKU or custom-field key made on two desktops.
    pub fn sync_conflicts(&self, caller: &Caller) -> ApiResult<Vec<SyncConflict>> {
        self.may(caller, Entity::Customer, Action::Read)
            .or_else(|_| self.may(caller, Entity::Settings, Action::Read))?;
        let run = || -> crate::Result<Vec<SyncConflict>> {
            let names: std::collections::HashMap<String, String> =
                self.store.users()?.into_iter().map(|u| (u.id.to_string(), u.name)).collect();
            let mut out = Vec::new();
            for mut c in self.store.sync_conflicts()? {
                if self.may_touch_conflict(caller, &c, Action::Read)? {
                    // Who, by name (the log holds their id; a removed user keeps the id).
                    for side in &mut c.sides {
                        if let Some(name) = names.get(&side.user) {
                            side.user = name.clone();
                        }
                    }
                    out.push(c);
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Settles conflict `id` with `keep`: one of its values, as listed (JSON) or, for text, as
    /// typed. Written as the caller's own change of the field, it replaces every value the field
    /// had on every desktop it reaches. A duplicate SKU or key is settled by changing one of them.
    pub fn sync_resolve(&self, caller: &Caller, id: &str, keep: &str) -> ApiResult<()> {
        let run = || -> crate::Result<()> {
            let found = self.store.sync_conflicts()?.into_iter().find(|c| c.id == id);
            let Some(c) = found.filter(|c| self.may_touch_conflict(caller, c, Action::Read).unwrap_or(false)) else {
                return Err(Error::NotFound { entity: "conflict", id: id.to_string() });
            };
            if !self.may_touch_conflict(caller, &c, Action::Update)? {
                return Err(Error::NotAllowed { entity: entity_of(&c.table), action: Action::Update });
            }
            if c.kind != ConflictKind::Values {
                return Err(Error::field(FieldError::new("keep", "error-conflict-duplicate").arg("value", &c.row_id)));
            }
            let typed = |v: &str| serde_json::from_str::<serde_json::Value>(v).ok();
            let wanted = typed(keep);
            let side = c.sides.iter().find(|s| {
                s.value == keep
                    || typed(&s.value).is_some_and(|v| v.as_str() == Some(keep) || Some(&v) == wanted.as_ref())
            });
            let Some(side) = side else {
                let values: Vec<String> = c.sides.iter().map(|s| s.value.clone()).collect();
                return Err(Error::field(
                    FieldError::new("keep", "error-conflict-keep").arg("values", values.join(", ")),
                ));
            };
            self.store.sync_settle(&caller.actor(), &c, &side.value.clone())
        };
        run().map_err(|e| self.err(e))
    }

    /// This desktop's identity, what it holds, and what waits for people.
    pub fn sync_status(&self, caller: &Caller) -> ApiResult<SyncStatus> {
        let conflicts = self.sync_conflicts(caller)?.len() as u32;
        let run = || -> crate::Result<SyncStatus> {
            Ok(SyncStatus {
                device: self.store.device().to_string(),
                device_code: self.store.device_code().to_string(),
                vector: self.store.sync_vector()?,
                conflicts,
                held: self.store.sync_held_count()?,
            })
        };
        run().map_err(|e| self.err(e))
    }
}
