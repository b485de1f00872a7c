//! Roles: the four built-in ones and the book's custom ones, each custom role a copy of a
//! built-in one changed grant by grant. What a role allows is in [`crate::security::grants`];
//! a user's grants are added up at sign-in, so a changed role applies from the next sign-in.

use super::{ApiResult, Banyan, Caller};
use crate::error::{Error, FieldError};
use crate::security::grants::{self, Action, Entity, Grant, Grants, Role, RoleChange};
use serde::Serialize;

/// A role as `role list` and `role show` print it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub name: String,
    pub built_in: bool,
    /// The built-in role a custom one was copied from.
    pub based_on: Option<String>,
    pub grants: Vec<Grant>,
    pub export_cap: Option<u64>,
    /// Its field rules (`order.total` → hidden, ...); a field not named may be written where its
    /// entity may be updated.
    pub fields: std::collections::BTreeMap<String, grants::FieldAccess>,
    /// Its users must sign in with an authenticator app (they set one up at their next sign-in).
    pub require_mfa: bool,
}

impl RoleView {
    fn new(role: Role, based_on: Option<String>, mfa_roles: &[String]) -> Self {
        RoleView {
            require_mfa: mfa_roles.contains(&role.name),
            name: role.name,
            built_in: based_on.is_none(),
            based_on,
            grants: role.grants,
            export_cap: role.export_cap,
            fields: role.fields,
        }
    }
}

impl Banyan {
    /// Every role of the book: the built-in ones, then the custom ones by name.
    pub(crate) fn all_roles(&self) -> crate::Result<Vec<(Role, Option<String>)>> {
        let mut out: Vec<(Role, Option<String>)> = grants::built_in_roles().into_iter().map(|r| (r, None)).collect();
        out.extend(self.store.custom_roles()?.into_iter().map(|c| (c.role, Some(c.based_on))));
        Ok(out)
    }

    pub(crate) fn role_names(&self) -> crate::Result<Vec<String>> {
        Ok(self.all_roles()?.into_iter().map(|(r, _)| r.name).collect())
    }

    /// What the roles named allow, added up (built-in and custom roles alike).
    pub(crate) fn grants_of(&self, names: &[String]) -> crate::Result<Grants> {
        let custom: Vec<Role> = self.store.custom_roles()?.into_iter().map(|c| c.role).collect();
        Ok(Grants::named(names, &custom))
    }

    /// Refuses to hand out what the caller does not hold.
    pub(crate) fn within_own(&self, caller: &Caller, granted: &Grants) -> crate::Result<()> {
        if granted.within(caller.grants()) { Ok(()) } else { Err(Error::invalid("roles", "error-grant-beyond-own")) }
    }

    /// The fields a role's rules can name in this book: order values, product prices, the
    /// customer fields with rules, and each custom field (`customer.custom.KEY`).
    pub fn rule_fields(&self, caller: &Caller) -> ApiResult<Vec<String>> {
        self.may(caller, Entity::Users, Action::Read)?;
        let custom = self.store.custom_fields().map_err(|e| self.err(e))?;
        Ok(super::fields::rule_fields(&custom))
    }

    pub fn roles(&self, caller: &Caller) -> ApiResult<Vec<RoleView>> {
        self.may(caller, Entity::Users, Action::Read)?;
        let all = self.all_roles().map_err(|e| self.err(e))?;
        let mfa = self.mfa_roles().map_err(|e| self.err(e))?;
        Ok(all.into_iter().map(|(r, b)| RoleView::new(r, b, &mfa)).collect())
    }

    pub fn role(&self, caller: &Caller, name: &str) -> ApiResult<RoleView> {
        self.may(caller, Entity::Users, Action::Read)?;
        let all = self.all_roles().map_err(|e| self.err(e))?;
        let mfa = self.mfa_roles().map_err(|e| self.err(e))?;
        let key = name.trim().to_lowercase();
        all.into_iter()
            .find(|(r, _)| r.name == key)
            .map(|(r, b)| RoleView::new(r, b, &mfa))
            .ok_or_else(|| self.err(Error::NotFound { entity: "role", id: name.to_string() }))
    }

    /// Adds a custom role, a copy of the built-in (or custom) role `from`.
    pub fn add_role(&self, caller: &Caller, name: &str, from: &str) -> ApiResult<RoleView> {
        self.may(caller, Entity::Users, Action::Update)?;
        let run = || -> crate::Result<RoleView> {
            let name = name.trim().to_lowercase();
            let all = self.all_roles()?;
            if !grants::valid_role_name(&name) {
                return Err(Error::field(FieldError::new("name", "error-role-name")));
            }
            if all.iter().any(|(r, _)| r.name == name) {
                return Err(Error::field(FieldError::new("name", "error-role-taken").arg("value", &name)));
            }
            let key = from.trim().to_lowercase();
            let names: Vec<String> = all.iter().map(|(r, _)| r.name.clone()).collect();
            let (base, based_on) = all.into_iter().find(|(r, _)| r.name == key).ok_or_else(|| {
                let list = names.join(", ");
                Error::field(FieldError::new("from", "error-role-unknown").arg("value", &key).arg("roles", list))
            })?;
            self.within_own(caller, &Grants::of(&[&base]))?;
            let built_in = based_on.unwrap_or(base.name.clone());
            let role = Role { name, ..base };
            let saved = self.store.add_role(&caller.actor(), &role, &built_in)?;
            let detail = serde_json::json!({ "role": saved.role.name, "from": built_in });
            self.audit(&caller.actor().user, "role-added", detail)?;
            Ok(RoleView::new(saved.role, Some(saved.based_on), &self.mfa_roles()?))
        };
        run().map_err(|e| self.err(e))
    }

    /// Grants, takes back, caps or sets a field rule on a custom role (built-in roles stay as they are). The caller
    /// cannot grant what they do not hold themselves.
    pub fn change_role(&self, caller: &Caller, name: &str, change: &RoleChange) -> ApiResult<RoleView> {
        self.may(caller, Entity::Users, Action::Update)?;
        let run = || -> crate::Result<RoleView> {
            let name = name.trim().to_lowercase();
            if grants::built_in_roles().iter().any(|r| r.name == name) {
                return Err(Error::field(FieldError::new("name", "error-role-built-in").arg("value", &name)));
            }
            let custom = self.store.custom_fields()?;
            if let Some(rule) = &change.field
                && !super::fields::is_rule_field(&rule.field, &custom)
            {
                let list = super::fields::rule_fields(&custom).join(", ");
                let e =
                    FieldError::new("field", "error-role-field-unknown").arg("value", &rule.field).arg("fields", list);
                return Err(Error::field(e));
            }
            let saved = self.store.change_role(&caller.actor(), &name, |role| {
                role.apply(change);
                self.within_own(caller, &Grants::of(&[role]))
            })?;
            let detail = serde_json::json!({ "role": name, "change": change });
            self.audit(&caller.actor().user, "grant-changed", detail)?;
            Ok(RoleView::new(saved.role, Some(saved.based_on), &self.mfa_roles()?))
        };
        run().map_err(|e| self.err(e))
    }

    /// Makes a role (built-in or custom) require an authenticator app, or not. Its users who have
    /// none are asked to set one up at their next sign-in and may do nothing else until they
    /// have; a user of such a role cannot remove their own. Service accounts (token sign-in) are
    /// not concerned. An audit event all admins see.
    pub fn set_role_mfa(&self, caller: &Caller, name: &str, required: bool) -> ApiResult<RoleView> {
        self.may(caller, Entity::Users, Action::Update)?;
        let run = || -> crate::Result<RoleView> {
            let key = name.trim().to_lowercase();
            let all = self.all_roles()?;
            let names: Vec<String> = all.iter().map(|(r, _)| r.name.clone()).collect();
            let Some((role, based_on)) = all.into_iter().find(|(r, _)| r.name == key) else {
                let list = names.join(", ");
                return Err(Error::field(
                    FieldError::new("name", "error-role-unknown").arg("value", &key).arg("roles", list),
                ));
            };
            let mut mfa = self.mfa_roles()?;
            // Roles since removed fall out of the list as it is written again.
            mfa.retain(|r| names.contains(r) && *r != key);
            if required {
                mfa.push(key.clone());
            }
            mfa.sort();
            let json = serde_json::to_string(&mfa).expect("role names serialize");
            self.store.set_setting(&caller.actor(), super::users::MFA_ROLES_SETTING, &json)?;
            let detail = serde_json::json!({ "role": key, "requireMfa": required });
            self.audit(&caller.actor().user, "mfa-policy-changed", detail)?;
            Ok(RoleView::new(role, based_on, &mfa))
        };
        run().map_err(|e| self.err(e))
    }
}
