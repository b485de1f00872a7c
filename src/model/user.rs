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

#[cfg(test)]
mod tests {
    use super::*;

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
