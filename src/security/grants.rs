//! What a role allows: per entity, which actions and over which customers (own, team, all);
//! per field, hidden, read or write; and how many rows one export may write. A user's roles add
//! up into one [`Grants`], computed at sign-in and carried by the `Caller`, so the check every
//! façade call makes is a table lookup.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a grant is about. Contacts, activities and orders follow their customer's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    Customer,
    Contact,
    Activity,
    Product,
    Order,
    Settings,
    Users,
    Audit,
    Privacy,
}

impl Entity {
    pub fn parse(text: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == text.trim().to_lowercase())
    }

    pub const ALL: [Entity; 9] = [
        Entity::Customer,
        Entity::Contact,
        Entity::Activity,
        Entity::Product,
        Entity::Order,
        Entity::Settings,
        Entity::Users,
        Entity::Audit,
        Entity::Privacy,
    ];

    /// Its name in messages and on the command line (`grant-entity-*` in the locales).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Customer => "customer",
            Entity::Contact => "contact",
            Entity::Activity => "activity",
            Entity::Product => "product",
            Entity::Order => "order",
            Entity::Settings => "settings",
            Entity::Users => "users",
            Entity::Audit => "audit",
            Entity::Privacy => "privacy",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Import,
    Export,
    Merge,
}

impl Action {
    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == text.trim().to_lowercase())
    }

    pub const ALL: [Action; 7] =
        [Action::Read, Action::Create, Action::Update, Action::Delete, Action::Import, Action::Export, Action::Merge];

    pub fn name(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Import => "import",
            Action::Export => "export",
            Action::Merge => "merge",
        }
    }
}

/// Over which customers a grant holds: the caller's own, their team's, or every one. Wider
/// scopes compare greater, so grants add up with `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Own,
    Team,
    All,
}

impl Scope {
    pub fn parse(text: &str) -> Option<Scope> {
        match text.trim().to_lowercase().as_str() {
            "own" => Some(Scope::Own),
            "team" => Some(Scope::Team),
            "all" => Some(Scope::All),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Team => "team",
            Scope::All => "all",
        }
    }
}

/// What a role may do with one field. Wider access compares greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum FieldAccess {
    Hidden,
    Read,
    Write,
}

impl FieldAccess {
    pub fn parse(text: &str) -> Option<FieldAccess> {
        match text.trim().to_lowercase().as_str() {
            "hidden" => Some(FieldAccess::Hidden),
            "read" => Some(FieldAccess::Read),
            "write" => Some(FieldAccess::Write),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldAccess::Hidden => "hidden",
            FieldAccess::Read => "read",
            FieldAccess::Write => "write",
        }
    }
}

/// Some actions on one entity, over one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub entity: Entity,
    pub actions: Vec<Action>,
    pub scope: Scope,
}

/// A role: its grants, its field rules (`entity.field` → access; a field not named is writable
/// where its entity may be updated) and the most rows one export may write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub name: String,
    pub grants: Vec<Grant>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldAccess>,
    #[serde(default)]
    pub export_cap: Option<u64>,
}

/// A change to a custom role: grant actions (a grant adds up with what the role has, so it only
/// widens), take actions back (from every scope), or set the export cap.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RoleChange {
    #[serde(default)]
    pub grant: Option<Grant>,
    #[serde(default)]
    pub revoke: Option<Revoke>,
    /// `Some(None)` lifts the cap.
    #[serde(default)]
    pub export_cap: Option<Option<u64>>,
    /// Sets what the role may do with one field (write is the default: it removes the rule).
    #[serde(default)]
    pub field: Option<FieldRule>,
}

/// One field's rule in a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FieldRule {
    pub field: String,
    pub access: FieldAccess,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Revoke {
    pub entity: Entity,
    pub actions: Vec<Action>,
}

impl Role {
    /// Applies `change` to this role.
    pub fn apply(&mut self, change: &RoleChange) {
        if let Some(r) = &change.revoke {
            for g in self.grants.iter_mut().filter(|g| g.entity == r.entity) {
                g.actions.retain(|a| !r.actions.contains(a));
            }
            self.grants.retain(|g| !g.actions.is_empty());
        }
        if let Some(g) = change.grant.as_ref().filter(|g| !g.actions.is_empty()) {
            self.grants.push(g.clone());
        }
        if let Some(cap) = change.export_cap {
            self.export_cap = cap;
        }
        if let Some(rule) = &change.field {
            if rule.access == FieldAccess::Write {
                self.fields.remove(&rule.field);
            } else {
                self.fields.insert(rule.field.clone(), rule.access);
            }
        }
        self.normalize();
    }

    /// One grant per entity and scope, each action under the widest scope granted it, in the
    /// order of [`Entity::ALL`] and [`Action::ALL`]: what the role allows, said once.
    fn normalize(&mut self) {
        let g = Grants::of(&[&*self]);
        let mut grants: Vec<Grant> = Vec::new();
        for e in Entity::ALL {
            for scope in [Scope::All, Scope::Team, Scope::Own] {
                let actions: Vec<Action> = Action::ALL.into_iter().filter(|a| g.scope(e, *a) == Some(scope)).collect();
                if !actions.is_empty() {
                    grants.push(Grant { entity: e, actions, scope });
                }
            }
        }
        self.grants = grants;
    }
}

/// The longest role name, in characters.
pub const MAX_ROLE_NAME: usize = 40;

/// Whether `name` is well formed for a custom role: 1-40 lowercase letters, digits, `-` or `_`,
/// starting with a letter (that no role has it yet is checked against the book's roles).
pub fn valid_role_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().count() <= MAX_ROLE_NAME
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn grant(entity: Entity, actions: &[Action], scope: Scope) -> Grant {
    Grant { entity, actions: actions.to_vec(), scope }
}

/// The four roles every book has. Custom roles start as a copy of one of these.
pub fn built_in_roles() -> Vec<Role> {
    use Action::*;
    use Entity::*;
    let every = &Action::ALL[..];
    let work = &[Read, Create, Update, Delete][..];
    vec![
        Role {
            name: "admin".into(),
            grants: Entity::ALL.iter().map(|e| grant(*e, every, Scope::All)).collect(),
            fields: BTreeMap::new(),
            export_cap: None,
        },
        Role {
            name: "manager".into(),
            grants: vec![
                grant(Customer, every, Scope::All),
                grant(Contact, every, Scope::All),
                grant(Activity, every, Scope::All),
                grant(Order, every, Scope::All),
                grant(Product, every, Scope::All),
                grant(Settings, &[Read], Scope::All),
                grant(Users, &[Read], Scope::All),
                grant(Audit, &[Read], Scope::All),
            ],
            fields: BTreeMap::new(),
            export_cap: None,
        },
        Role {
            name: "sales".into(),
            grants: vec![
                grant(Customer, &[Read, Create, Update, Export], Scope::Team),
                grant(Customer, &[Delete, Merge], Scope::Own),
                grant(Contact, work, Scope::Team),
                grant(Activity, work, Scope::Team),
                grant(Order, &[Read, Create, Update], Scope::Team),
                grant(Product, &[Read], Scope::All),
                grant(Settings, &[Read], Scope::All),
            ],
            fields: BTreeMap::new(),
            export_cap: Some(1_000),
        },
        Role {
            name: "support".into(),
            grants: vec![
                grant(Customer, &[Read, Update], Scope::All),
                grant(Contact, &[Read, Create, Update], Scope::All),
                grant(Activity, &[Read, Create], Scope::All),
                grant(Order, &[Read], Scope::All),
                grant(Product, &[Read], Scope::All),
                grant(Settings, &[Read], Scope::All),
            ],
            // Front-desk support sees who ordered what and its status, not what it is worth.
            fields: ["order.total", "order.lines.price", "order.lines.discount", "product.price"]
                .iter()
                .map(|f| (f.to_string(), FieldAccess::Hidden))
                .collect(),
            export_cap: Some(0),
        },
    ]
}

const ENTITIES: usize = Entity::ALL.len();
const ACTIONS: usize = Action::ALL.len();

/// Everything a caller's roles allow, added up: the widest scope any role grants for each
/// (entity, action), the widest access any role gives each field, the largest export cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    table: [[Option<Scope>; ACTIONS]; ENTITIES],
    /// Fields some role restricts, with the widest access any role gives them (a role that
    /// does not name a field gives it `Write`, so a field stays hidden only if every role hides it).
    fields: BTreeMap<String, FieldAccess>,
    export_cap: Option<u64>,
}

impl Grants {
    pub fn of(roles: &[&Role]) -> Grants {
        let mut table = [[None; ACTIONS]; ENTITIES];
        for g in roles.iter().flat_map(|r| &r.grants) {
            for a in &g.actions {
                let cell = &mut table[g.entity as usize][*a as usize];
                *cell = (*cell).max(Some(g.scope));
            }
        }
        let named: std::collections::BTreeSet<&String> = roles.iter().flat_map(|r| r.fields.keys()).collect();
        let fields = named
            .into_iter()
            .map(|f| {
                let widest = roles.iter().map(|r| r.fields.get(f).copied().unwrap_or(FieldAccess::Write)).max();
                (f.clone(), widest.unwrap_or(FieldAccess::Write))
            })
            .filter(|(_, a)| *a != FieldAccess::Write)
            .collect();
        // No cap in one role means no cap.
        let export_cap = roles.iter().map(|r| r.export_cap.unwrap_or(u64::MAX)).max().filter(|c| *c != u64::MAX);
        Grants { table, fields, export_cap }
    }

    /// The grants of the built-in roles named; unknown names grant nothing.
    pub fn built_in(names: &[String]) -> Grants {
        Grants::named(names, &[])
    }

    /// The grants of the roles named, built-in or among `custom`; unknown names grant nothing.
    pub fn named(names: &[String], custom: &[Role]) -> Grants {
        let all = built_in_roles();
        let roles: Vec<&Role> = all.iter().chain(custom).filter(|r| names.contains(&r.name)).collect();
        Grants::of(&roles)
    }

    /// Over which customers `action` on `entity` is allowed; `None` when it is not.
    pub fn scope(&self, entity: Entity, action: Action) -> Option<Scope> {
        self.table[entity as usize][action as usize]
    }

    pub fn allows(&self, entity: Entity, action: Action) -> bool {
        self.scope(entity, action).is_some()
    }

    /// Whether everything these grants allow, `other` allows too, over at least the same scope:
    /// nobody hands out (by a role to a user, or a grant to a role) more than they hold.
    pub fn within(&self, other: &Grants) -> bool {
        self.allowed().all(|(e, a)| other.scope(e, a) >= self.scope(e, a))
            // A field `other` restricts may be no wider here (one it does not name is writable).
            && other.fields.iter().all(|(f, theirs)| self.field(f) <= *theirs)
            && match (self.export_cap, other.export_cap) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(mine), Some(theirs)) => mine <= theirs,
            }
    }

    /// Every (entity, action) allowed over some scope.
    pub fn allowed(&self) -> impl Iterator<Item = (Entity, Action)> + '_ {
        Entity::ALL
            .into_iter()
            .flat_map(|e| Action::ALL.into_iter().map(move |a| (e, a)))
            .filter(|(e, a)| self.allows(*e, *a))
    }

    /// What the caller may do with `field` (`entity.field`, e.g. `order.total`).
    pub fn field(&self, field: &str) -> FieldAccess {
        self.fields.get(field).copied().unwrap_or(FieldAccess::Write)
    }

    /// The fields some rule keeps from being written (hidden or read-only), with their access.
    pub fn restricted(&self) -> impl Iterator<Item = (&str, FieldAccess)> + '_ {
        self.fields.iter().map(|(f, a)| (f.as_str(), *a))
    }

    /// The most rows one export may write; `None` for no limit.
    pub fn export_cap(&self) -> Option<u64> {
        self.export_cap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(names: &[&str]) -> Grants {
        Grants::built_in(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn grants_add_up_to_the_widest_scope_field_access_and_cap() {
        let sales = of(&["sales"]);
        assert_eq!(sales.scope(Entity::Customer, Action::Read), Some(Scope::Team));
        assert_eq!(sales.scope(Entity::Customer, Action::Delete), Some(Scope::Own));
        assert_eq!(sales.scope(Entity::Users, Action::Read), None);
        assert_eq!(sales.export_cap(), Some(1_000));
        let support = of(&["support"]);
        assert_eq!(support.field("order.total"), FieldAccess::Hidden);
        assert_eq!(support.field("customer.name"), FieldAccess::Write);
        assert!(!support.allows(Entity::Customer, Action::Export));
        // Support and sales together: sales' team scope widened to support's all for reading,
        // order values visible (sales does not hide them), sales' export cap.
        let both = of(&["support", "sales"]);
        assert_eq!(both.scope(Entity::Customer, Action::Read), Some(Scope::All));
        assert_eq!(both.scope(Entity::Customer, Action::Create), Some(Scope::Team));
        assert_eq!(both.field("order.total"), FieldAccess::Write);
        assert_eq!(both.export_cap(), Some(1_000));
        let with_admin = of(&["sales", "admin"]);
        assert_eq!(with_admin.export_cap(), None);
        assert_eq!(with_admin.scope(Entity::Audit, Action::Read), Some(Scope::All));
        assert_eq!(of(&[]).scope(Entity::Customer, Action::Read), None);
    }

    #[test]
    fn a_role_change_widens_with_a_grant_and_narrows_with_a_revoke() {
        let mut r = built_in_roles().remove(3); // support
        r.apply(&RoleChange {
            grant: Some(grant(Entity::Customer, &[Action::Export, Action::Read], Scope::Team)),
            ..Default::default()
        });
        let g = Grants::of(&[&r]);
        assert_eq!(g.scope(Entity::Customer, Action::Export), Some(Scope::Team));
        // Support already read every customer: a narrower grant does not narrow it.
        assert_eq!(g.scope(Entity::Customer, Action::Read), Some(Scope::All));
        r.apply(&RoleChange {
            revoke: Some(Revoke { entity: Entity::Customer, actions: vec![Action::Read] }),
            export_cap: Some(Some(50)),
            ..Default::default()
        });
        let g = Grants::of(&[&r]);
        assert_eq!(g.scope(Entity::Customer, Action::Read), None);
        assert_eq!(g.scope(Entity::Customer, Action::Update), Some(Scope::All));
        assert_eq!(g.export_cap(), Some(50));
        // Nobody hands out more than they hold.
        let support = Grants::built_in(&["support".into()]);
        let admin = Grants::built_in(&["admin".into()]);
        assert!(support.within(&admin) && !admin.within(&support) && !g.within(&support));
        assert!(Grants::built_in(&["sales".into()]).within(&Grants::built_in(&["manager".into()])));
        assert!(valid_role_name("desk-lead") && valid_role_name("a1_b"));
        for bad in ["", "Desk", "1st", "desk lead", "负责人", &"x".repeat(41)] {
            assert!(!valid_role_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_field_stays_hidden_only_when_every_role_hides_it() {
        let mut a = built_in_roles().remove(3);
        let mut b = a.clone();
        b.name = "support-plus".into();
        b.fields.insert("order.total".into(), FieldAccess::Read);
        // Nobody hands out a field wider than they may use it.
        let reader = Grants::of(&[&b]);
        let mut writer = b.clone();
        writer.fields.remove("order.total");
        assert!(!Grants::of(&[&writer]).within(&reader), "a field handed out wider than held");
        assert!(reader.within(&Grants::of(&[&writer])));
        a.fields.insert("customer.notes".into(), FieldAccess::Read);
        let g = Grants::of(&[&a, &b]);
        assert_eq!(g.field("order.total"), FieldAccess::Read);
        assert_eq!(g.field("order.lines.price"), FieldAccess::Hidden);
        // b names no rule for notes, so it gives write.
        assert_eq!(g.field("customer.notes"), FieldAccess::Write);
    }
}
