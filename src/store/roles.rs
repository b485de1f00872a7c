//! Custom roles (migration 0009): a name, the built-in role it was copied from, and its grants as
//! JSON. Written through the gateway like users, so every grant is in the history.

use super::{Actor, Change, Store};
use crate::error::{Error, FieldError, Result};
use crate::security::grants::Role;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

/// A custom role as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    pub role: Role,
    pub based_on: String,
    pub updated_at: i64,
}

fn read(conn: &Connection, name: Option<&str>) -> Result<Vec<CustomRole>> {
    let mut st = conn.prepare_cached(
        "SELECT name, based_on, grants, updated_at FROM roles
          WHERE deleted_at IS NULL AND (?1 IS NULL OR name = ?1) ORDER BY name",
    )?;
    let rows = st.query_map([name], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, based_on, json, updated_at) = row?;
        let mut role: Role = serde_json::from_str(&json).map_err(|e| Error::Corrupt(format!("role {name}: {e}")))?;
        role.name = name;
        out.push(CustomRole { role, based_on, updated_at });
    }
    Ok(out)
}

fn grants_json(role: &Role) -> String {
    serde_json::to_string(role).expect("a role serializes")
}

impl Store {
    /// Every custom role, by name.
    pub fn custom_roles(&self) -> Result<Vec<CustomRole>> {
        read(&self.reader(), None)
    }

    pub fn custom_role(&self, name: &str) -> Result<Option<CustomRole>> {
        Ok(read(&self.reader(), Some(name))?.pop())
    }

    /// Adds a custom role (its name already checked against the built-in ones).
    pub fn add_role(&self, actor: &Actor, role: &Role, based_on: &str) -> Result<CustomRole> {
        let id = uuid::Uuid::now_v7().to_string();
        self.write(actor, |w| {
            let taken: Option<i64> = w
                .conn()
                .query_row("SELECT 1 FROM roles WHERE name = ?1 AND deleted_at IS NULL", [&role.name], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(Error::field(FieldError::new("name", "error-role-taken").arg("value", &role.name)));
            }
            let values = vec![
                ("name", Value::Text(role.name.clone())),
                ("based_on", Value::Text(based_on.to_string())),
                ("grants", Value::Text(grants_json(role))),
            ];
            w.apply(Change::Insert { table: "roles", id: &id, values })
        })?;
        self.custom_role(&role.name)?.ok_or(Error::NotFound { entity: "role", id: role.name.clone() })
    }

    /// Replaces a custom role's grants with what `change` makes of them, in one transaction (two
    /// admins granting at once do not lose each other's grant).
    pub fn change_role(
        &self,
        actor: &Actor,
        name: &str,
        change: impl FnOnce(&mut Role) -> Result<()>,
    ) -> Result<CustomRole> {
        self.write(actor, |w| {
            let mut cur =
                read(w.conn(), Some(name))?.pop().ok_or_else(|| Error::NotFound { entity: "role", id: name.into() })?;
            change(&mut cur.role)?;
            let id: String =
                w.conn()
                    .query_row("SELECT id FROM roles WHERE name = ?1 AND deleted_at IS NULL", [name], |r| r.get(0))?;
            let values = vec![("grants", Value::Text(grants_json(&cur.role)))];
            w.apply(Change::Update { table: "roles", id: &id, values })
        })?;
        self.custom_role(name)?.ok_or(Error::NotFound { entity: "role", id: name.into() })
    }
}
