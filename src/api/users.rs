//! Users and sign-in: the first admin of a book, signing in with a password and an authenticator
//! code (lockout after repeated failures), and managing users. A successful sign-in returns the
//! [`Caller`], the one thing that says who is acting; the façade's user methods take it, and
//! every write made after [`Banyan::act_as`] is logged under its user id.

use super::{ApiResult, Banyan};
use crate::error::{Error, FieldError};
use crate::model::*;
use crate::security::grants::{Action, Entity, Grants, Scope};
use crate::security::keys::{KeyStore, Sealed, open_with_password, seal_with_password};
use crate::security::lockout::LockState;
use crate::security::{password, token, totp};
use crate::store::{Actor, UserChange};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Where a call comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Desktop,
    Cli,
    Rest,
    Sync,
}

/// Who is acting: made only by a successful sign-in (or the first admin's creation), so a caller
/// of the façade cannot claim to be someone else.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Caller {
    user: UserId,
    login: String,
    name: String,
    roles: Vec<String>,
    team: Option<String>,
    channel: Channel,
    /// The desktop the session runs on (its device id).
    device: String,
    /// This sign-in's id.
    session: String,
    /// What the caller may do, as `entity.action` (`customer.create`, `order.read`, ...): for a
    /// window to offer only those.
    allowed: Vec<String>,
    /// The customer fields the caller's roles hide (`phones`, `custom.vip`): a form shows them
    /// as hidden.
    hidden_fields: Vec<String>,
    /// The customer fields the caller may read but not change (hidden ones included): a form
    /// does not let them be edited.
    locked_fields: Vec<String>,
    /// The caller's role requires an authenticator app and they have none: until they set one
    /// up ([`Banyan::begin_mfa`], [`Banyan::confirm_mfa`], then [`Banyan::finish_mfa_setup`])
    /// they may do nothing else.
    mfa_setup_needed: bool,
    /// The caller signs in with an authenticator app (as at sign-in).
    mfa: bool,
    /// What the caller's roles allow, added up at sign-in.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    grants: std::sync::Arc<Grants>,
}

impl Caller {
    fn new(b: &Banyan, u: &User, channel: Channel) -> crate::Result<Self> {
        // A service account signs in with a 256-bit token, not a password: the policy is about
        // people's passwords, so it does not apply to one.
        let mfa_setup_needed = !u.mfa && !u.service && b.mfa_required(&u.roles)?;
        let grants = if mfa_setup_needed { Grants::of(&[]) } else { b.grants_of(&u.roles)? };
        Ok(Caller {
            user: u.id,
            login: u.login.clone(),
            name: u.name.clone(),
            roles: u.roles.clone(),
            team: u.team.clone(),
            channel,
            device: b.store.device().to_string(),
            session: uuid::Uuid::new_v4().to_string(),
            allowed: grants.allowed().map(|(e, a)| format!("{}.{}", e.name(), a.name())).collect(),
            hidden_fields: super::fields::unreadable(&grants),
            locked_fields: super::fields::unwritable(&grants),
            mfa_setup_needed,
            mfa: u.mfa,
            grants: std::sync::Arc::new(grants),
        })
    }

    /// What this caller may do.
    pub fn grants(&self) -> &Grants {
        &self.grants
    }

    pub fn user(&self) -> UserId {
        self.user
    }
    pub fn login(&self) -> &str {
        &self.login
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn roles(&self) -> &[String] {
        &self.roles
    }
    pub fn team(&self) -> Option<&str> {
        self.team.as_deref()
    }
    pub fn channel(&self) -> Channel {
        self.channel
    }
    pub fn device(&self) -> &str {
        &self.device
    }
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Whether the caller must set up an authenticator app before anything else.
    pub fn mfa_setup_needed(&self) -> bool {
        self.mfa_setup_needed
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    fn is(&self, login: &str) -> bool {
        login_key(&self.login) == login_key(login)
    }

    pub(crate) fn actor(&self) -> Actor {
        Actor { user: self.user.to_string(), batch: None }
    }
}

/// A service account and its token, shown this once (the book keeps only its hash).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ServiceToken {
    pub user: User,
    pub token: String,
}

/// What an authenticator app is shown to enrol: the otpauth URI as a QR code (SVG) and as text.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MfaEnrolment {
    pub uri: String,
    pub secret_base32: String,
    pub qr_svg: String,
}

/// A user's `mfa` column: the confirmed secret sign-in checks, one being enrolled (held until a
/// code from it is typed), both sealed under the password; and the recovery codes' hashes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MfaRecord {
    /// Whether sign-in asks for a code (the store's `User::mfa` reads this).
    confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<Sealed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<Sealed>,
    #[serde(default)]
    recovery: Vec<String>,
}

impl MfaRecord {
    fn parse(json: Option<&str>) -> Option<MfaRecord> {
        json.and_then(|j| serde_json::from_str(j).ok())
    }

    fn to_column(&self) -> Option<String> {
        if self.secret.is_none() && self.pending.is_none() {
            return None;
        }
        Some(serde_json::to_string(self).expect("mfa record serializes"))
    }
}

/// The setting naming the roles that require an authenticator app (a JSON list of role names).
pub(crate) const MFA_ROLES_SETTING: &str = "require_mfa";

fn forbidden(what: &str) -> Error {
    Error::Forbidden { what: what.to_string() }
}

impl Banyan {
    fn keys(&self) -> KeyStore {
        KeyStore::for_db(self.store.path())
    }

    /// Whether the book has users. A book without any (new, or made before users) asks for its
    /// first admin before anything else.
    pub fn has_users(&self) -> ApiResult<bool> {
        self.store.has_users().map_err(|e| self.err(e))
    }

    /// Creates the book's first user, who must be an admin; refused once the book has a user.
    /// Returns the admin signed in.
    pub fn create_first_admin(&self, input: &UserInput, new_password: &str, channel: Channel) -> ApiResult<Caller> {
        let run = || -> crate::Result<Caller> {
            let valid = input.validate(&self.role_names()?)?;
            if !valid.roles.iter().any(|r| r == "admin") {
                return Err(Error::invalid("roles", "error-first-user-admin"));
            }
            password::check_new(new_password, "password", &[&valid.login, &valid.name])?;
            let phc = password::hash(new_password, self.kdf)?;
            let id = UserId::new(self.store.now_ms());
            let actor = Actor { user: id.to_string(), batch: None };
            let user = self.store.add_user(&actor, id, &valid, &phc, true)?;
            let detail = json!({ "login": user.login, "roles": user.roles, "firstAdmin": true, "channel": channel });
            self.audit(&actor.user, "user-added", detail)?;
            let caller = Caller::new(self, &user, channel)?;
            // They are signed in by it: a session like any other in the trail.
            let detail = json!({
                "login": user.login, "channel": channel, "session": caller.session, "with": "first-admin",
                "mfaSetupNeeded": caller.mfa_setup_needed,
            });
            self.audit(&actor.user, "sign-in", detail)?;
            Ok(caller)
        };
        run().map_err(|e| self.err(e))
    }

    /// Signs in. A wrong login, a wrong password and a wrong code read the same and cost the
    /// same; each counts toward the lockout of that login on this desktop (five in 15 minutes).
    /// An account with an authenticator needs `code`: a 6-digit code (a step once used is
    /// refused) or one of its recovery codes (each works once).
    pub fn sign_in(&self, login: &str, pass: &str, code: Option<&str>, channel: Channel) -> ApiResult<Caller> {
        self.sign_in_inner(login, pass, code, channel).map_err(|e| self.err(e))
    }

    fn sign_in_inner(&self, login: &str, pass: &str, code: Option<&str>, channel: Channel) -> crate::Result<Caller> {
        let now = self.store.now_ms();
        let keys = self.keys();
        let key = login_key(login);
        // What the audit trail records of a refused sign-in: the login as typed (cut short: a
        // password typed into the login field should not be kept whole), why, and from where.
        let typed: String = login.chars().take(64).collect();
        let refused = |user: &str, reason: &str| {
            self.audit(user, "sign-in-failed", json!({ "login": typed, "reason": reason, "channel": channel }))
        };
        if let Some(until) = keys.lock_state(&key)?.locked(now) {
            refused("", "locked")?;
            return Err(Error::Locked { until_ms: until });
        }
        let fail = |user: &str, reason: &str| -> crate::Result<Caller> {
            let state = keys.update_lock(&key, now, |s| {
                s.fail(now);
            })?;
            refused(user, reason)?;
            Err(match state.locked(now) {
                Some(until) => {
                    self.audit(user, "locked", json!({ "login": typed, "untilMs": until }))?;
                    Error::Locked { until_ms: until }
                }
                None => Error::SignInFailed,
            })
        };
        let Some(creds) = self.store.credentials(login)? else {
            password::burn(pass, self.kdf);
            return fail("", "password");
        };
        let uid = creds.user.id.to_string();
        // A service account has no password: its token is refused here like a wrong one.
        if creds.user.service {
            password::burn(pass, self.kdf);
            return fail(&uid, "password");
        }
        let verdict = password::verify(&creds.password, pass, self.kdf)?;
        if verdict == password::Verdict::Wrong {
            return fail(&uid, "password");
        }
        if creds.user.status != UserStatus::Active {
            refused(&uid, "disabled")?;
            return Err(Error::UserDisabled);
        }
        let user = &creds.user;
        let as_user = Actor { user: user.id.to_string(), batch: None };
        let mut mfa = MfaRecord::parse(creds.mfa.as_deref()).filter(|m| m.confirmed);
        let mut step = None;
        if let Some(m) = &mut mfa {
            let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
                return Err(Error::MfaRequired);
            };
            let sealed = m.secret.as_ref().ok_or_else(|| Error::Corrupt(format!("mfa of {}", user.login)))?;
            let secret = open_with_password(pass, sealed, &user.id.to_string())?
                .ok_or_else(|| Error::Corrupt(format!("mfa of {}", user.login)))?;
            let last = keys.lock_state(&key)?.totp_step;
            match totp::check(&secret, code, (now / 1000) as u64, last)? {
                totp::CodeCheck::Accepted { step: s } => step = Some(s),
                totp::CodeCheck::Replayed => {
                    // Counted like a wrong code (a replay is an attack more often than a slip).
                    return Err(match fail(&uid, "code-replayed") {
                        Err(Error::Locked { until_ms }) => Error::Locked { until_ms },
                        _ => Error::MfaReplayed,
                    });
                }
                totp::CodeCheck::ClockOff { minutes } => return Err(Error::ClockOff { minutes }),
                totp::CodeCheck::Wrong => {
                    if !totp::use_recovery_code(&mut m.recovery, code)? {
                        return fail(&uid, "code");
                    }
                    // The code is spent before the caller gets in.
                    let change = UserChange { mfa: Some(m.to_column()), ..Default::default() };
                    self.store.change_user(&as_user, &user.login, change)?;
                }
            }
        }
        let state = keys.lock_state(&key)?;
        if state != LockState::default() || step.is_some() {
            keys.update_lock(&key, now, |s| {
                s.succeed();
                if step.is_some() {
                    s.totp_step = step;
                }
            })?;
        }
        if let password::Verdict::RightRehashed(phc) = verdict {
            self.store.change_user(&as_user, &user.login, UserChange { password: Some(phc), ..Default::default() })?;
        }
        let caller = Caller::new(self, user, channel)?;
        let how = if step.is_some() {
            "code"
        } else if mfa.is_some() {
            "recovery-code"
        } else {
            "password"
        };
        let detail = json!({
            "login": user.login, "channel": channel, "session": caller.session, "with": how,
            "mfaSetupNeeded": caller.mfa_setup_needed,
        });
        self.audit(&uid, "sign-in", detail)?;
        tracing::info!(user = %uid, channel = ?channel, with = how, "signed in");
        Ok(caller)
    }

    /// Signs a service account in with its token (`BANYAN_TOKEN`; see `security::token`). A
    /// wrong, revoked or malformed token reads as a failed sign-in and counts toward the
    /// account's lockout; a person's account cannot sign in this way.
    pub fn sign_in_token(&self, token: &str, channel: Channel) -> ApiResult<Caller> {
        let run = || -> crate::Result<Caller> {
            let now = self.store.now_ms();
            let (login, secret) = token::parse(token).unwrap_or(("", ""));
            let keys = self.keys();
            let key = login_key(login);
            let typed: String = login.chars().take(64).collect();
            if let Some(until) = keys.lock_state(&key)?.locked(now) {
                self.audit("", "sign-in-failed", json!({ "login": typed, "reason": "locked", "channel": channel }))?;
                return Err(Error::Locked { until_ms: until });
            }
            let creds = self.store.credentials(login)?;
            let ok = creds.as_ref().filter(|c| c.user.service && token::matches(&c.password, secret));
            let Some(creds) = ok else {
                let uid = creds.map(|c| c.user.id.to_string()).unwrap_or_default();
                let state = keys.update_lock(&key, now, |s| {
                    s.fail(now);
                })?;
                self.audit(&uid, "sign-in-failed", json!({ "login": typed, "reason": "token", "channel": channel }))?;
                return Err(match state.locked(now) {
                    Some(until) => Error::Locked { until_ms: until },
                    None => Error::SignInFailed,
                });
            };
            if creds.user.status != UserStatus::Active {
                self.audit(
                    &creds.user.id.to_string(),
                    "sign-in-failed",
                    json!({ "login": typed, "reason": "disabled" }),
                )?;
                return Err(Error::UserDisabled);
            }
            if keys.lock_state(&key)? != LockState::default() {
                keys.update_lock(&key, now, LockState::succeed)?;
            }
            let caller = Caller::new(self, &creds.user, channel)?;
            let detail =
                json!({ "login": creds.user.login, "channel": channel, "session": caller.session, "with": "token" });
            self.audit(&creds.user.id.to_string(), "sign-in", detail)?;
            Ok(caller)
        };
        run().map_err(|e| self.err(e))
    }

    /// Adds a service account (users.create) for a script or an integration, with roles that
    /// grant no more than the caller's; returns its token, shown this once.
    pub fn add_service_account(&self, caller: &Caller, input: &UserInput) -> ApiResult<ServiceToken> {
        self.may(caller, Entity::Users, Action::Create)?;
        let run = || -> crate::Result<ServiceToken> {
            let valid = input.validate(&self.role_names()?)?;
            self.within_own(caller, &self.grants_of(&valid.roles)?)?;
            let issued = token::issue(&valid.login)?;
            let id = UserId::new(self.store.now_ms());
            let user = self.store.add_service_account(&caller.actor(), id, &valid, &issued.stored)?;
            let detail = json!({ "login": user.login, "roles": user.roles, "service": true });
            self.audit(&caller.actor().user, "user-added", detail)?;
            Ok(ServiceToken { user, token: issued.token.to_string() })
        };
        run().map_err(|e| self.err(e))
    }

    /// Gives a service account a new token (users.update); the old one stops working at once.
    pub fn new_token(&self, caller: &Caller, login: &str) -> ApiResult<ServiceToken> {
        self.may(caller, Entity::Users, Action::Update)?;
        let run = || -> crate::Result<ServiceToken> {
            let creds = self
                .store
                .credentials(login)?
                .ok_or_else(|| Error::NotFound { entity: "user", id: login.to_string() })?;
            if !creds.user.service {
                return Err(Error::field(FieldError::new("login", "error-not-service-account").arg("value", login)));
            }
            let issued = token::issue(&creds.user.login)?;
            let change = UserChange { password: Some(issued.stored.clone()), ..Default::default() };
            let user = self.store.change_user(&caller.actor(), &creds.user.login, change)?;
            self.audit(&caller.actor().user, "token-issued", json!({ "login": user.login }))?;
            Ok(ServiceToken { user, token: issued.token.to_string() })
        };
        run().map_err(|e| self.err(e))
    }

    /// The one permission check: whether `caller` may do `action` on `entity`, and over which
    /// customers. Every façade method that reads or writes the book starts with it.
    pub(crate) fn may(&self, caller: &Caller, entity: Entity, action: Action) -> ApiResult<Scope> {
        // A caller signed in to another book (its device id is that book's) is nobody here.
        if caller.device != self.store.device().to_string() && !self.former_devices.contains(&caller.device) {
            return Err(self.err(Error::SignInRequired));
        }
        if caller.mfa_setup_needed {
            return Err(self.err(Error::MfaSetupRequired));
        }
        caller.grants.scope(entity, action).ok_or_else(|| self.err(Error::NotAllowed { entity, action }))
    }

    /// Every user, by login (users.read).
    pub fn users(&self, caller: &Caller) -> ApiResult<Vec<User>> {
        self.may(caller, Entity::Users, Action::Read)?;
        self.store.users().map_err(|e| self.err(e))
    }

    /// Adds a user (users.create), with roles that grant no more than the caller's. The password must meet the policy (see [`password::check_new`]).
    pub fn add_user(&self, caller: &Caller, input: &UserInput, new_password: &str) -> ApiResult<User> {
        self.may(caller, Entity::Users, Action::Create)?;
        let run = || -> crate::Result<User> {
            let valid = input.validate(&self.role_names()?)?;
            self.within_own(caller, &self.grants_of(&valid.roles)?)?;
            password::check_new(new_password, "password", &[&valid.login, &valid.name])?;
            let phc = password::hash(new_password, self.kdf)?;
            let user = self.store.add_user(&caller.actor(), UserId::new(self.store.now_ms()), &valid, &phc, false)?;
            // On a shared desktop, the new user's password opens the book here too.
            self.store.set_key_slot(&login_key(&user.login), new_password, self.kdf)?;
            let detail = json!({ "login": user.login, "roles": user.roles, "team": user.team });
            self.audit(&caller.actor().user, "user-added", detail)?;
            Ok(user)
        };
        run().map_err(|e| self.err(e))
    }

    /// Disables or enables an account (users.update). The last active admin cannot be disabled.
    pub fn set_user_status(&self, caller: &Caller, login: &str, status: UserStatus) -> ApiResult<User> {
        self.may(caller, Entity::Users, Action::Update)?;
        let run = || -> crate::Result<User> {
            let change = UserChange { status: Some(status), ..Default::default() };
            let user = self.store.change_user(&caller.actor(), login, change)?;
            if status == UserStatus::Disabled {
                // On a shared desktop, their password no longer opens the book (an admin setting a
                // new password after enabling them gives them a slot again).
                self.keys().remove_slot(&login_key(&user.login))?;
            }
            let kind = if status == UserStatus::Active { "user-enabled" } else { "user-disabled" };
            self.audit(&caller.actor().user, kind, json!({ "login": user.login }))?;
            Ok(user)
        };
        run().map_err(|e| self.err(e))
    }

    /// Lifts the sign-in lockout of `login` on this desktop (users.update).
    pub fn unlock_user(&self, caller: &Caller, login: &str) -> ApiResult<()> {
        self.may(caller, Entity::Users, Action::Update)?;
        let user = self
            .store
            .user_by_login(login)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.err(Error::NotFound { entity: "user", id: login.to_string() }))?;
        let now = self.store.now_ms();
        self.keys().update_lock(&login_key(&user.login), now, LockState::succeed).map_err(|e| self.err(e))?;
        self.audit(&caller.actor().user, "unlocked", json!({ "login": user.login })).map_err(|e| self.err(e))
    }

    /// Changes a password. Users change their own with `current` (their authenticator stays
    /// enrolled: its secret is sealed again under the new password). An admin may set another
    /// user's password without it; that user's authenticator is then removed (its secret was
    /// sealed under the old password) and must be enrolled again.
    pub fn change_password(
        &self,
        caller: &Caller,
        login: &str,
        current: Option<&str>,
        new_password: &str,
    ) -> ApiResult<User> {
        let run = || -> crate::Result<User> {
            let creds = self
                .store
                .credentials(login)?
                .ok_or_else(|| Error::NotFound { entity: "user", id: login.to_string() })?;
            let user = &creds.user;
            if user.service {
                return Err(Error::invalid("login", "error-service-account-password"));
            }
            password::check_new(new_password, "password", &[&user.login, &user.name])?;
            let phc = password::hash(new_password, self.kdf)?;
            let mut change = UserChange { password: Some(phc), ..Default::default() };
            if caller.is(login) {
                let current = current.unwrap_or_default();
                if password::verify(&creds.password, current, self.kdf)? == password::Verdict::Wrong {
                    return Err(Error::SignInFailed);
                }
                if let Some(mut m) = MfaRecord::parse(creds.mfa.as_deref()) {
                    let aad = user.id.to_string();
                    let reseal = |s: &Option<Sealed>| -> crate::Result<Option<Sealed>> {
                        let Some(s) = s else { return Ok(None) };
                        let Some(secret) = open_with_password(current, s, &aad)? else { return Ok(None) };
                        Ok(Some(seal_with_password(new_password, &secret, &aad, self.kdf)?))
                    };
                    m.secret = reseal(&m.secret)?;
                    m.pending = reseal(&m.pending)?;
                    m.confirmed &= m.secret.is_some();
                    change.mfa = Some(m.to_column());
                }
            } else if caller.grants.allows(Entity::Users, Action::Update) {
                change.mfa = Some(None);
            } else {
                return Err(forbidden("forbidden-other-password"));
            }
            let mfa_removed = matches!(change.mfa, Some(None));
            let changed = self.store.change_user(&caller.actor(), login, change)?;
            if changed.status == UserStatus::Active {
                self.store.set_key_slot(&login_key(&changed.login), new_password, self.kdf)?;
            }
            let detail = json!({ "login": changed.login, "byAdmin": !caller.is(login), "mfaRemoved": mfa_removed });
            self.audit(&caller.actor().user, "password-changed", detail)?;
            Ok(changed)
        };
        run().map_err(|e| self.err(e))
    }

    /// Starts enrolling the caller's authenticator app: a new secret, shown as a QR code and as
    /// text. Sign-in keeps working as before until [`Banyan::confirm_mfa`] gets a code from it.
    pub fn begin_mfa(&self, caller: &Caller, pass: &str) -> ApiResult<MfaEnrolment> {
        let run = || -> crate::Result<MfaEnrolment> {
            let creds = self.own_credentials(caller, pass)?;
            let aad = creds.user.id.to_string();
            let secret = totp::new_secret()?;
            let mut m = MfaRecord::parse(creds.mfa.as_deref()).unwrap_or_default();
            m.pending = Some(seal_with_password(pass, &secret, &aad, self.kdf)?);
            let change = UserChange { mfa: Some(m.to_column()), ..Default::default() };
            self.store.change_user(&caller.actor(), &creds.user.login, change)?;
            let e = totp::enrolment(&secret, "Banyan", &creds.user.login)?;
            Ok(MfaEnrolment {
                uri: e.uri.as_str().to_string(),
                secret_base32: e.secret_base32.as_str().to_string(),
                qr_svg: e.qr_svg.as_str().to_string(),
            })
        };
        run().map_err(|e| self.err(e))
    }

    /// Confirms the enrolment begun with [`Banyan::begin_mfa`] with a code the app shows: from
    /// now on sign-in asks for a code. Returns the ten recovery codes, shown this once.
    pub fn confirm_mfa(&self, caller: &Caller, pass: &str, code: &str) -> ApiResult<Vec<String>> {
        let run = || -> crate::Result<Vec<String>> {
            let creds = self.own_credentials(caller, pass)?;
            let aad = creds.user.id.to_string();
            let mut m = MfaRecord::parse(creds.mfa.as_deref()).unwrap_or_default();
            let pending = m.pending.clone().ok_or_else(|| Error::invalid("code", "error-mfa-not-pending"))?;
            let secret = open_with_password(pass, &pending, &aad)?
                .ok_or_else(|| Error::invalid("code", "error-mfa-not-pending"))?;
            let now = self.store.now_ms();
            let step = match totp::check(&secret, code, (now / 1000) as u64, None)? {
                totp::CodeCheck::Accepted { step } => step,
                totp::CodeCheck::ClockOff { minutes } => return Err(Error::ClockOff { minutes }),
                _ => return Err(Error::invalid("code", "error-mfa-code")),
            };
            let codes = totp::recovery_codes()?;
            m.secret = Some(pending);
            m.pending = None;
            m.confirmed = true;
            m.recovery = codes.hashed;
            let change = UserChange { mfa: Some(m.to_column()), ..Default::default() };
            self.store.change_user(&caller.actor(), &creds.user.login, change)?;
            // The code just typed cannot sign in again.
            self.keys().update_lock(&login_key(&creds.user.login), now, |s| s.totp_step = Some(step))?;
            self.audit(&caller.actor().user, "mfa-enrolled", json!({ "login": creds.user.login }))?;
            Ok(codes.shown.iter().map(|c| c.as_str().to_string()).collect())
        };
        run().map_err(|e| self.err(e))
    }

    /// Removes the authenticator of `login`: one's own, or anyone's with users.update.
    pub fn disable_mfa(&self, caller: &Caller, login: &str) -> ApiResult<User> {
        if !caller.is(login) {
            self.may(caller, Entity::Users, Action::Update)?;
        }
        let run = || -> crate::Result<User> {
            if caller.is(login) && self.mfa_required(&caller.roles)? {
                return Err(Error::field(FieldError::new("login", "error-mfa-keep-required")));
            }
            let change = UserChange { mfa: Some(None), ..Default::default() };
            let user = self.store.change_user(&caller.actor(), login, change)?;
            self.audit(&caller.actor().user, "mfa-disabled", json!({ "login": user.login }))?;
            Ok(user)
        };
        run().map_err(|e| self.err(e))
    }

    /// Ends the authenticator set-up a sign-in asked for (see [`Caller::mfa_setup_needed`]): once
    /// [`Banyan::confirm_mfa`] has taken a code, the same session gets the caller's grants. A
    /// caller who needed no set-up is returned as is.
    pub fn finish_mfa_setup(&self, caller: &Caller) -> ApiResult<Caller> {
        if caller.device != self.store.device().to_string() && !self.former_devices.contains(&caller.device) {
            return Err(self.err(Error::SignInRequired));
        }
        if !caller.mfa_setup_needed {
            return Ok(caller.clone());
        }
        let run = || -> crate::Result<Caller> {
            let user = self
                .store
                .credentials(&caller.login)?
                .ok_or_else(|| Error::NotFound { entity: "user", id: caller.login.clone() })?
                .user;
            if user.status != UserStatus::Active {
                return Err(Error::UserDisabled);
            }
            if !user.mfa {
                return Err(Error::MfaSetupRequired);
            }
            let mut full = Caller::new(self, &user, caller.channel)?;
            full.session = caller.session.clone();
            let detail = json!({ "login": user.login, "channel": caller.channel, "session": full.session, "with": "mfa-set-up" });
            self.audit(&user.id.to_string(), "sign-in", detail)?;
            Ok(full)
        };
        run().map_err(|e| self.err(e))
    }

    /// Whether any of `roles` requires an authenticator app (see [`Banyan::set_role_mfa`]).
    pub(crate) fn mfa_required(&self, roles: &[String]) -> crate::Result<bool> {
        let required = self.mfa_roles()?;
        Ok(roles.iter().any(|r| required.contains(r)))
    }

    /// The roles whose users must sign in with an authenticator app, by name.
    pub(crate) fn mfa_roles(&self) -> crate::Result<Vec<String>> {
        Ok(self
            .store
            .setting(MFA_ROLES_SETTING)?
            .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
            .unwrap_or_default())
    }

    /// Makes this desktop shared (settings.update): the book is re-encrypted under a new key that
    /// only key slots hold, the caller's first, sealed under `password` (theirs, checked). Every
    /// other user needs a new password set by an admin to sign in here; they are returned.
    pub fn make_shared(&mut self, caller: &Caller, password: &str) -> ApiResult<Vec<String>> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = |b: &mut Banyan| -> crate::Result<Vec<String>> {
            let creds = b.own_credentials(caller, password)?;
            b.store.rekey_shared(&login_key(&creds.user.login), password, b.kdf)?;
            b.audit(&caller.actor().user, "desktop-shared", json!({ "login": creds.user.login }))?;
            b.users_without_key_slot_inner()
        };
        run(self).map_err(|e| self.err(e))
    }

    /// On a shared desktop, the active users (not service accounts) whose password does not open
    /// the book here yet: an admin sets their password to give them a key slot. Empty elsewhere.
    pub fn users_without_key_slot(&self, caller: &Caller) -> ApiResult<Vec<String>> {
        self.may(caller, Entity::Users, Action::Read)?;
        self.users_without_key_slot_inner().map_err(|e| self.err(e))
    }

    fn users_without_key_slot_inner(&self) -> crate::Result<Vec<String>> {
        let keys = self.keys();
        if keys.mode()? != crate::security::KeyMode::Shared {
            return Ok(vec![]);
        }
        let slots = keys.slot_logins()?;
        let users = self.store.users()?;
        Ok(users
            .into_iter()
            .filter(|u| u.status == UserStatus::Active && !u.service && !slots.contains(&login_key(&u.login)))
            .map(|u| u.login)
            .collect())
    }

    /// The caller's own credentials, after checking their password again.
    fn own_credentials(&self, caller: &Caller, pass: &str) -> crate::Result<crate::store::Credentials> {
        let creds = self
            .store
            .credentials(&caller.login)?
            .ok_or_else(|| Error::NotFound { entity: "user", id: caller.login.clone() })?;
        if password::verify(&creds.password, pass, self.kdf)? == password::Verdict::Wrong {
            return Err(Error::field(FieldError::new("password", "error-sign-in-failed")));
        }
        Ok(creds)
    }
}

/// Opens a shared desktop's book with `login`'s key slot (`open`): refused while that login is
/// locked out on this desktop, and a slot that does not open counts as a failed sign-in there.
pub(super) fn open_slot_counted(
    path: &std::path::Path,
    login: &str,
    now: i64,
    open: impl FnOnce() -> crate::Result<crate::store::Store>,
) -> crate::Result<crate::store::Store> {
    let keys = KeyStore::for_db(path);
    let key = login_key(login);
    if let Some(until) = keys.lock_state(&key)?.locked(now) {
        return Err(Error::Locked { until_ms: until });
    }
    match open() {
        Err(Error::SignInFailed) => {
            let state = keys.update_lock(&key, now, |s| {
                s.fail(now);
            })?;
            Err(state.locked(now).map_or(Error::SignInFailed, |until| Error::Locked { until_ms: until }))
        }
        other => other,
    }
}
