//! Scope: which customers a caller reaches with an action (theirs, their team's, everyone's),
//! and whose a customer is. The store applies a [`Reach`] in its SQL; the checks here cover the
//! single records a method names. A record out of reach is "not found": that it exists is not the
//! caller's to know.

use super::{ApiResult, Banyan, Caller};
use crate::error::{Error, FieldError};
use crate::model::{Customer, CustomerId, OwnerDirectory, UserStatus};
use crate::security::grants::{Action, Entity, Scope};
use crate::store::Reach;
use serde::Serialize;

/// A customer that shares a phone number or an email with a form being filled in. One out of
/// the caller's reach says only who owns it ("owned by X"): the form may not show its values.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LikelyDuplicate {
    /// The customer, when the caller may read it.
    pub customer: Option<Customer>,
    /// Its owner's name (or the text kept from before users).
    pub owner: Option<String>,
}

/// A user a customer may be given to, as an owner field offers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OwnerChoice {
    pub login: String,
    pub name: String,
    pub team: Option<String>,
}

impl Banyan {
    /// The active users the caller may give a customer to (creating or changing it): everyone
    /// for scope all, their team for scope team, themselves for scope own. Needs customer
    /// create or update.
    pub fn owner_choices(&self, caller: &Caller) -> ApiResult<Vec<OwnerChoice>> {
        // Whichever of update and create the roles grant more widely (no scope compares lowest).
        let g = caller.grants();
        let (update, create) = (g.scope(Entity::Customer, Action::Update), g.scope(Entity::Customer, Action::Create));
        let scope =
            self.may(caller, Entity::Customer, if update >= create { Action::Update } else { Action::Create })?;
        let run = || -> crate::Result<Vec<OwnerChoice>> {
            let reach = self.reach_of(caller, scope)?;
            Ok(self
                .store
                .users()?
                .into_iter()
                .filter(|u| u.status == UserStatus::Active && reach.contains(Some(&u.id.to_string())))
                .map(|u| OwnerChoice { login: u.login, name: u.name, team: u.team })
                .collect())
        };
        run().map_err(|e| self.err(e))
    }

    /// The customers `caller` reaches with `action` on `entity`, refused as [`Banyan::may`]
    /// refuses. Contacts, activities and orders are reached through their customer.
    pub(crate) fn reach(&self, caller: &Caller, entity: Entity, action: Action) -> ApiResult<Reach> {
        let scope = self.may(caller, entity, action)?;
        self.reach_of(caller, scope).map_err(|e| self.err(e))
    }

    /// Scope all reaches every customer; own, those the caller owns; team, those owned by anyone
    /// in the caller's team (a caller in no team has only their own).
    pub(crate) fn reach_of(&self, caller: &Caller, scope: Scope) -> crate::Result<Reach> {
        let me = caller.user().to_string();
        Ok(match (scope, caller.team()) {
            (Scope::All, _) => Reach::All,
            (Scope::Team, Some(team)) => {
                let mut ids = self.store.team_user_ids(team)?;
                ids.push(me);
                Reach::owners(ids)
            }
            _ => Reach::owners(vec![me]),
        })
    }

    /// The reach of `action` on `entity` when the caller may take it at all, else `None`.
    pub(crate) fn optional_reach(
        &self,
        caller: &Caller,
        entity: Entity,
        action: Action,
    ) -> crate::Result<Option<Reach>> {
        match caller.grants().scope(entity, action) {
            Some(scope) => self.reach_of(caller, scope).map(Some),
            None => Ok(None),
        }
    }

    /// Whether the caller may read the `entity` rows (contacts, activities, orders) of `customer`:
    /// they follow their customer's owner, under their own grant's scope.
    pub(crate) fn may_read_part(&self, caller: &Caller, entity: Entity, customer: &Customer) -> crate::Result<bool> {
        Ok(self.optional_reach(caller, entity, Action::Read)?.is_some_and(|r| r.contains(customer.owner.as_deref())))
    }

    /// The customer `id`, if within `reach` (a deleted one too: its tombstone keeps the values).
    pub(crate) fn reached_customer(&self, reach: &Reach, id: CustomerId) -> crate::Result<Customer> {
        let c = self.store.customer(id)?;
        if reach.contains(c.owner.as_deref()) { Ok(c) } else { Err(not_found(id)) }
    }

    /// The order `id_or_number`, if its customer is within `reach`.
    pub(crate) fn reached_order(&self, reach: &Reach, id_or_number: &str) -> ApiResult<crate::model::Order> {
        let run = || -> crate::Result<crate::model::Order> {
            let order = self.store.order(id_or_number)?;
            if *reach != Reach::All && !reach.contains(self.store.customer(order.customer_id)?.owner.as_deref()) {
                return Err(Error::NotFound { entity: "order", id: id_or_number.trim().to_string() });
            }
            Ok(order)
        };
        run().map_err(|e| self.err(e))
    }

    /// The user id a typed owner names (by id, login, or a name only one user has), checked to be
    /// within `reach`; an empty owner is none. Unknown names are refused, naming the field.
    pub(crate) fn owner_within(&self, reach: &Reach, typed: &str) -> crate::Result<Option<String>> {
        let typed = typed.trim();
        if typed.is_empty() {
            return if reach.contains(None) {
                Ok(None)
            } else {
                Err(Error::field(FieldError::new("owner", "error-owner-required")))
            };
        }
        let dir = OwnerDirectory::new(&self.store.users()?);
        let Some(id) = dir.resolve(typed) else {
            return Err(Error::field(FieldError::new("owner", "error-owner-unknown").arg("value", typed)));
        };
        if !reach.contains(Some(id)) {
            return Err(Error::field(FieldError::new("owner", "error-owner-out-of-reach").arg("value", typed)));
        }
        Ok(Some(id.to_string()))
    }

    /// A list or search filter's owner as typed, as the stored column holds it: a user's id when
    /// it names one, else the text (an owner from before users).
    pub(crate) fn owner_filter(&self, typed: &Option<String>) -> crate::Result<Option<String>> {
        let Some(t) = typed.as_deref().map(str::trim).filter(|t| !t.is_empty()) else { return Ok(typed.clone()) };
        let dir = OwnerDirectory::new(&self.store.users()?);
        Ok(Some(dir.resolve(t).map_or_else(|| t.to_string(), str::to_string)))
    }
}

fn not_found(id: CustomerId) -> Error {
    Error::NotFound { entity: "customer", id: id.to_string() }
}
