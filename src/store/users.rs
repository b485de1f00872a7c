//! Banyan's own users. Rows go through the gateway like any domain data (logged, synced); the
//! credentials in them (password hash, sealed authenticator secret) leave the store only as
//! [`Credentials`], to the façade's sign-in, never in a [`User`].

use super::{Change, Store};
use crate::error::{Error, FieldError, Result};
use crate::model::*;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};

const COLS: &str = "id, login, name, roles, team, status, mfa IS NOT NULL AND json_extract(mfa, '$.confirmed'), \
                    created_at, updated_at, kind = 'service'";

fn row_to_user(r: &Row<'_>) -> rusqlite::Result<User> {
    let roles: String = r.get(3)?;
    Ok(User {
        id: super::id_column(r, 0)?,
        login: r.get(1)?,
        name: r.get(2)?,
        roles: serde_json::from_str(&roles).unwrap_or_default(),
        team: r.get(4)?,
        status: UserStatus::from_db(&r.get::<_, String>(5)?),
        mfa: r.get::<_, Option<bool>>(6)?.unwrap_or(false),
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        service: r.get(9)?,
    })
}

/// A user with what sign-in checks: the password's PHC string and the `mfa` JSON (see
/// migration 0008).
pub struct Credentials {
    pub user: User,
    pub password: String,
    pub mfa: Option<String>,
}

/// What changes on a user; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub team: Option<Option<String>>,
    pub status: Option<UserStatus>,
    pub password: Option<String>,
    pub mfa: Option<Option<String>>,
}

fn by_login(conn: &Connection, login: &str) -> Result<Option<Credentials>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLS}, password, mfa FROM users WHERE login_key = ?1 AND deleted_at IS NULL"
        ))?
        .query_row([login_key(login)], |r| {
            Ok(Credentials { user: row_to_user(r)?, password: r.get(10)?, mfa: r.get(11)? })
        })
        .optional()?)
}

impl Store {
    /// Whether the book has any user (a book from before users has none until its first admin).
    pub fn has_users(&self) -> Result<bool> {
        Ok(self.reader().query_row("SELECT EXISTS (SELECT 1 FROM users WHERE deleted_at IS NULL)", [], |r| r.get(0))?)
    }

    /// Every user, by login.
    pub fn users(&self) -> Result<Vec<User>> {
        let conn = self.reader();
        let mut st = conn.prepare(&format!("SELECT {COLS} FROM users WHERE deleted_at IS NULL ORDER BY login_key"))?;
        let rows = st.query_map([], row_to_user)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ids of the users in `team`, disabled ones too: their customers stay the team's.
    pub fn team_user_ids(&self, team: &str) -> Result<Vec<String>> {
        let conn = self.reader();
        let mut st = conn.prepare_cached("SELECT id FROM users WHERE team = ?1 AND deleted_at IS NULL")?;
        let rows = st.query_map([team], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        Ok(by_login(&self.reader(), login)?.map(|c| c.user))
    }

    /// The user and their credentials, for sign-in and for changing them.
    pub fn credentials(&self, login: &str) -> Result<Option<Credentials>> {
        by_login(&self.reader(), login)
    }

    /// Adds a user whose password is already hashed. With `only_if_first`, refuses (as
    /// [`Error::Forbidden`]) when the book already has a user: the first admin is created once.
    pub fn add_user(
        &self,
        actor: &super::Actor,
        id: UserId,
        u: &ValidUser,
        password_phc: &str,
        only_if_first: bool,
    ) -> Result<User> {
        self.insert_user(actor, id, u, password_phc, only_if_first, "person")
    }

    /// Adds a service account whose token hash is `stored` (see `security::token`).
    pub fn add_service_account(&self, actor: &super::Actor, id: UserId, u: &ValidUser, stored: &str) -> Result<User> {
        self.insert_user(actor, id, u, stored, false, "service")
    }

    fn insert_user(
        &self,
        actor: &super::Actor,
        id: UserId,
        u: &ValidUser,
        password_phc: &str,
        only_if_first: bool,
        kind: &str,
    ) -> Result<User> {
        let id = id.to_string();
        self.write(actor, |w| {
            if only_if_first {
                let any: bool =
                    w.conn()
                        .query_row("SELECT EXISTS (SELECT 1 FROM users WHERE deleted_at IS NULL)", [], |r| r.get(0))?;
                if any {
                    return Err(Error::Forbidden { what: "forbidden-manage-users".into() });
                }
            }
            if by_login(w.conn(), &u.login)?.is_some() {
                return Err(Error::field(FieldError::new("login", "error-login-taken")));
            }
            let values = vec![
                ("login", Value::Text(u.login.clone())),
                ("login_key", Value::Text(login_key(&u.login))),
                ("name", Value::Text(u.name.clone())),
                ("roles", Value::Text(serde_json::to_string(&u.roles).expect("roles serialize"))),
                ("team", u.team.clone().map(Value::Text).unwrap_or(Value::Null)),
                ("status", Value::Text(UserStatus::Active.as_str().into())),
                ("password", Value::Text(password_phc.to_string())),
                ("kind", Value::Text(kind.to_string())),
            ];
            w.apply(Change::Insert { table: "users", id: &id, values })
        })?;
        self.user_by_login(&u.login)?.ok_or(Error::NotFound { entity: "user", id: u.login.clone() })
    }

    /// Changes a user. `keep_an_admin` refuses a change that would leave no active admin.
    pub fn change_user(&self, actor: &super::Actor, login: &str, c: UserChange) -> Result<User> {
        self.write(actor, |w| {
            let cur = by_login(w.conn(), login)?.ok_or_else(|| Error::NotFound { entity: "user", id: login.into() })?;
            let mut values: Vec<(&'static str, Value)> = Vec::new();
            if let Some(n) = c.name {
                values.push(("name", Value::Text(n)));
            }
            if let Some(r) = &c.roles {
                values.push(("roles", Value::Text(serde_json::to_string(r).expect("roles serialize"))));
            }
            if let Some(t) = c.team {
                values.push(("team", t.map(Value::Text).unwrap_or(Value::Null)));
            }
            if let Some(s) = c.status {
                values.push(("status", Value::Text(s.as_str().into())));
            }
            if let Some(p) = c.password {
                values.push(("password", Value::Text(p)));
            }
            if let Some(m) = c.mfa {
                values.push(("mfa", m.map(Value::Text).unwrap_or(Value::Null)));
            }
            let id = cur.user.id.to_string();
            w.apply(Change::Update { table: "users", id: &id, values })?;
            // The last active admin stays: checked after the change, inside its transaction.
            let admins: i64 = w.conn().query_row(
                "SELECT count(*) FROM users WHERE deleted_at IS NULL AND status = 'active'
                   AND EXISTS (SELECT 1 FROM json_each(users.roles) WHERE value = 'admin')",
                [],
                |r| r.get(0),
            )?;
            if admins == 0 {
                return Err(Error::invalid(if c.status.is_some() { "status" } else { "roles" }, "error-last-admin"));
            }
            Ok(())
        })?;
        self.user_by_login(login)?.ok_or(Error::NotFound { entity: "user", id: login.into() })
    }
}
