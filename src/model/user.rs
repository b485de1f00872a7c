//! Banyan's own users: who signs in, with which roles, in which team, and whether they may.

use super::{opt_text, required_text};
use crate::error::{Error, FieldError, Result};
use serde::{Deserialize, Serialize};

/// The longest login accepted, in characters.
pub const MAX_LOGIN: usize = 64;

/// A user as the façade returns it. Credentials (the password hash, the sealed authenticator
/// secret, recovery-code hashes) never leave the store; `mfa` says whether they enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: super::UserId,
    pub login: String,
    pub name: String,
    pub roles: Vec<String>,
    pub team: Option<String>,
    pub status: UserStatus,
    /// Signs in with an authenticator code as well as the password.
    pub mfa: bool,
    /// A service account (a script, an integration): signs in with a token, never a password.
    pub service: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }

    pub fn from_db(s: &str) -> Self {
        if s == "active" { UserStatus::Active } else { UserStatus::Disabled }
    }
}

/// A new user as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct UserInput {
    pub login: Option<String>,
    pub name: Option<String>,
    pub roles: Vec<String>,
    pub team: Option<String>,
}

/// A user input that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidUser {
    pub login: String,
    pub name: String,
    pub roles: Vec<String>,
    pub team: Option<String>,
}

impl UserInput {
    /// Checks every field; all problems are reported at once. `known_roles` are the book's roles
    /// (the built-in ones and its custom ones).
    pub fn validate(&self, known_roles: &[String]) -> Result<ValidUser> {
        let mut errors = Vec::new();
        let login = self.login.as_deref().map(str::trim).unwrap_or_default().to_string();
        if login.is_empty() {
            errors.push(FieldError::new("login", "error-required"));
        } else if !valid_login(&login) {
            errors.push(FieldError::new("login", "error-login"));
        }
        let name = required_text(&mut errors, "name", self.name.as_deref(), super::MAX_LINE);
        let mut roles: Vec<String> = Vec::new();
        for r in &self.roles {
            let r = r.trim().to_lowercase();
            if !known_roles.contains(&r) {
                let list = known_roles.join(", ");
                errors.push(FieldError::new("roles", "error-role-unknown").arg("value", &r).arg("roles", list));
            } else if !roles.contains(&r) {
                roles.push(r);
            }
        }
        if self.roles.is_empty() {
            errors.push(FieldError::new("roles", "error-required"));
        }
        let team = opt_text(&mut errors, "team", self.team.as_deref(), super::MAX_LINE);
        if errors.is_empty() { Ok(ValidUser { login, name, roles, team }) } else { Err(Error::Invalid(errors)) }
    }
}

/// Letters (any script), digits, and `. _ - @`; no spaces; at most [`MAX_LOGIN`] characters.
pub fn valid_login(login: &str) -> bool {
    let n = login.chars().count();
    (1..=MAX_LOGIN).contains(&n) && login.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// The form a login is compared in: case-folded and NFKC-normalized, so "Li.Na" and "li.na"
/// (or full-width letters typed by a Chinese IME) are one login.
pub fn login_key(login: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    login.trim().nfkc().collect::<String>().to_lowercase()
}

/// Finds the user a typed or imported owner names: by id, by login, or by a name no other user
/// has (case and width folded as logins are). What names nobody, or two people, stays unresolved.
#[derive(Debug, Clone, Default)]
pub struct OwnerDirectory {
    /// Ids and logins, each one user's.
    exact: std::collections::HashMap<String, String>,
    /// Names; `None` for a name two users share.
    names: std::collections::HashMap<String, Option<String>>,
}

impl OwnerDirectory {
    pub fn new(users: &[User]) -> Self {
        let mut d = OwnerDirectory::default();
        for u in users {
            let id = u.id.to_string();
            d.exact.insert(id.clone(), id.clone());
            d.exact.insert(login_key(&u.login), id.clone());
            d.names
                .entry(login_key(&u.name))
                .and_modify(|v| {
                    if v.as_deref() != Some(id.as_str()) {
                        *v = None
                    }
                })
                .or_insert(Some(id));
        }
        d
    }

    /// The id of the user `text` names, if exactly one: a login wins over someone else's name.
    pub fn resolve(&self, text: &str) -> Option<&str> {
        let key = login_key(text);
        self.exact.get(&key).map(String::as_str).or_else(|| self.names.get(&key).and_then(|v| v.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, login: &str, name: &str) -> User {
        User {
            id: crate::model::UserId::new(id),
            login: login.into(),
            name: name.into(),
            roles: vec!["sales".into()],
            team: None,
            status: UserStatus::Active,
            mfa: false,
            service: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn an_owner_is_found_by_id_login_or_a_name_only_one_user_has() {
        let (li, wang, wang2) =
            (user(1, "li.wei", "Li Wei"), user(2, "wang", "Wang Fang"), user(3, "fang", "Wang Fang"));
        let d = OwnerDirectory::new(&[li.clone(), wang.clone(), wang2.clone()]);
        let li_id = li.id.to_string();
        assert_eq!(d.resolve(&li_id), Some(li_id.as_str()));
        assert_eq!(d.resolve(" LI.WEI "), Some(li_id.as_str()));
        assert_eq!(d.resolve("li wei"), Some(li_id.as_str()));
        assert_eq!(d.resolve("Ｌｉ Ｗｅｉ"), Some(li_id.as_str()), "full-width letters fold like logins");
        assert_eq!(d.resolve("Wang Fang"), None, "two users have that name");
        assert_eq!(d.resolve("wang"), Some(wang.id.to_string().as_str()));
        assert_eq!(d.resolve("Zhao Lei"), None);
    }

    fn input(login: &str, roles: &[&str]) -> UserInput {
        UserInput {
            login: Some(login.into()),
            name: Some("Li Na".into()),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            team: None,
        }
    }

    #[test]
    fn logins_roles_and_names_are_checked_together() {
        let known: Vec<String> = ["admin", "sales", "desk-lead"].map(String::from).to_vec();
        assert!(input("li.na@acme", &["sales"]).validate(&known).is_ok());
        assert_eq!(input("li.na", &["Desk-Lead", "desk-lead"]).validate(&known).unwrap().roles, ["desk-lead"]);
        let Err(Error::Invalid(errs)) = input("li na", &["boss"]).validate(&known) else { panic!("accepted") };
        let got: Vec<(&str, &str)> = errs.iter().map(|e| (e.field.as_str(), e.msg_id)).collect();
        assert_eq!(got, [("login", "error-login"), ("roles", "error-role-unknown")]);
        let Err(Error::Invalid(errs)) = input("x", &[]).validate(&known) else { panic!("accepted") };
        assert_eq!(errs[0].field, "roles");
    }

    #[test]
    fn logins_compare_without_case_or_width() {
        assert_eq!(login_key("Li.Na"), login_key("ｌｉ.ｎａ"));
        assert_eq!(login_key(" Admin "), "admin");
    }
}
