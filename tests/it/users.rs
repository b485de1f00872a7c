//! Users and sign-in through the façade: the first admin, the password policy, who a change is
//! logged under, lockout across a reopen, disabled accounts, and authenticator codes on a clock
//! the test sets.

use crate::common::*;
use banyan::api::{ApiError, Banyan, Channel, ErrorCode, Settings};
use banyan::model::{CustomerInput, UserInput, UserStatus};
use banyan::security::keys::{KdfParams, Unlock};
use banyan::store::NewKey;
use banyan::sync::{Clock, Hlc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const ADMIN_PW: &str = "Lantern-harbour-42";
const REP_PW: &str = "Copper kettle 1987";

/// Wall time the test moves by hand; it starts half-way through a 30 s authenticator step.
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl TestClock {
    fn new() -> Arc<Self> {
        Arc::new(TestClock(AtomicI64::new(1_780_000_000_000 / 30_000 * 30_000 + 15_000)))
    }
    fn advance_s(&self, s: i64) {
        self.0.fetch_add(s * 1000, Ordering::SeqCst);
    }
    fn secs(&self) -> u64 {
        (self.now_ms() / 1000) as u64
    }
}

fn book(dir: &Path, clock: &Arc<TestClock>, kdf: Option<KdfParams>) -> (Banyan, PathBuf) {
    let path = dir.join("book.db");
    let mut o = opts(&path);
    o.store.clock = clock.clone();
    if let Some(k) = kdf {
        o.store.kdf = k;
    }
    (Banyan::create(&o, NewKey::Passphrase(PASS.into()), &Settings::default()).unwrap(), path)
}

fn reopen(path: &Path, clock: &Arc<TestClock>) -> Banyan {
    let mut o = opts(path);
    o.store.clock = clock.clone();
    Banyan::open(&o, &Unlock::passphrase(PASS)).unwrap()
}

fn user(login: &str, name: &str, role: &str) -> UserInput {
    UserInput { login: Some(login.into()), name: Some(name.into()), roles: vec![role.into()], team: None }
}

fn code(r: Result<impl std::fmt::Debug, ApiError>) -> ErrorCode {
    r.expect_err("refused").code
}

/// An authenticator app's code for the base32 secret at `secs`.
fn app_code(base32: &str, secs: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(base32).unwrap().as_bytes().to_vec();
    banyan::security::totp::code_at(&secret, secs).unwrap()
}

#[test]
fn the_first_admin_is_made_once_and_passwords_meet_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let (b, _) = book(dir.path(), &clock, None);
    assert!(!b.has_users().unwrap());

    let e = b.create_first_admin(&user("li.na", "Li Na", "sales"), ADMIN_PW, Channel::Desktop).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("roles")));
    assert!(e.message.contains("admin"), "{}", e.message);
    for weak in ["password123", "li.na2024!", "short"] {
        let e = b.create_first_admin(&user("li.na", "Li Na", "admin"), weak, Channel::Desktop).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("password")), "{weak}: {}", e.message);
    }
    assert!(!b.has_users().unwrap(), "a refused first admin leaves no user behind");

    let admin = b.create_first_admin(&user("Li.Na", "Li Na", "admin"), ADMIN_PW, Channel::Desktop).unwrap();
    assert!(admin.has_role("admin"));
    // Made and signed in: both are in the audit trail, the sign-in naming its session.
    let events = b.audit_events(&admin, 10).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"user-added") && kinds.contains(&"sign-in"), "{kinds:?}");
    let signed = events.iter().find(|e| e.kind == "sign-in").unwrap();
    assert!(signed.detail.contains(admin.session()), "{}", signed.detail);
    assert_eq!(
        code(b.create_first_admin(&user("wang", "Wang Fang", "admin"), ADMIN_PW, Channel::Desktop)),
        ErrorCode::Forbidden
    );

    // The login is compared without case; the user list shows it as typed.
    let again = b.sign_in("li.na", ADMIN_PW, None, Channel::Cli).unwrap();
    assert_eq!(again.user(), admin.user());
    assert_ne!(again.session(), admin.session(), "each sign-in is its own session");

    let rep = b.add_user(&admin, &user("wang.fang", "王芳", "sales"), REP_PW).unwrap();
    assert_eq!(rep.status, UserStatus::Active);
    assert_eq!(
        code(b.add_user(&admin, &user("WANG.FANG", "Someone Else", "sales"), REP_PW)),
        ErrorCode::Invalid,
        "a login differing only in case is taken"
    );
    let rep_caller = b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();
    let e = b.add_user(&rep_caller, &user("zhao", "Zhao Lei", "admin"), REP_PW).unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.message, "You are not allowed to add users.");
    assert_eq!(code(b.users(&rep_caller)), ErrorCode::Forbidden);
    let logins: Vec<String> = b.users(&admin).unwrap().into_iter().map(|u| u.login).collect();
    assert_eq!(logins, ["Li.Na", "wang.fang"], "the refused add wrote nothing");
}

#[test]
fn changes_are_logged_under_the_signed_in_user_and_no_credential_leaves_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let (b, _) = book(dir.path(), &clock, None);
    let admin = b.create_first_admin(&user("admin", "Admin", "admin"), ADMIN_PW, Channel::Cli).unwrap();
    b.add_user(&admin, &user("wang.fang", "王芳", "sales"), REP_PW).unwrap();
    let rep = b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();
    let c = b.add_customer(&rep, &CustomerInput { name: Some("杭州西湖茶业".into()), ..person("x") }).unwrap();
    let log = b.store().changes(Some(&c.id.to_string()), Hlc::ZERO, 100).unwrap();
    assert!(!log.is_empty());
    assert!(
        log.iter().all(|e| e.user == rep.user().to_string()),
        "{:?}",
        log.iter().map(|e| &e.user).collect::<Vec<_>>()
    );
    // The users table is logged like any other (who made whom), under the admin.
    let all = b.store().changes(None, Hlc::ZERO, 10_000).unwrap();
    let made_rep =
        all.iter().find(|e| e.table == "users" && e.field == "login" && e.value.as_deref() == Some("\"wang.fang\""));
    assert_eq!(made_rep.map(|e| e.user.clone()), Some(admin.user().to_string()));
    // Users as callers see them carry no password hash or secret.
    let json = serde_json::to_string(&b.users(&admin).unwrap()).unwrap();
    assert!(!json.contains("argon2") && !json.contains("password"), "{json}");
}

#[test]
fn five_wrong_passwords_lock_the_account_across_a_reopen_until_an_admin_unlocks_or_time_passes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let (b, path) = book(dir.path(), &clock, None);
    let admin = b.create_first_admin(&user("admin", "Admin", "admin"), ADMIN_PW, Channel::Cli).unwrap();
    b.add_user(&admin, &user("wang.fang", "王芳", "sales"), REP_PW).unwrap();
    for _ in 0..4 {
        assert_eq!(code(b.sign_in("wang.fang", "not her password", None, Channel::Cli)), ErrorCode::SignInFailed);
    }
    let e = b.sign_in("wang.fang", "not her password", None, Channel::Cli).unwrap_err();
    assert_eq!(e.code, ErrorCode::Locked, "{}", e.message);
    assert_eq!(code(b.sign_in("wang.fang", REP_PW, None, Channel::Cli)), ErrorCode::Locked, "even the right password");
    drop(b);

    // A new process (the book reopened) still refuses her; other users are not affected.
    let b = reopen(&path, &clock);
    assert_eq!(code(b.sign_in("Wang.Fang", REP_PW, None, Channel::Desktop)), ErrorCode::Locked);
    let admin = b.sign_in("admin", ADMIN_PW, None, Channel::Cli).unwrap();
    b.add_user(&admin, &user("zhao", "Zhao Lei", "support"), REP_PW).unwrap();
    let support = b.sign_in("zhao", REP_PW, None, Channel::Cli).unwrap();
    assert_eq!(code(b.unlock_user(&support, "wang.fang")), ErrorCode::Forbidden);
    b.unlock_user(&admin, "wang.fang").unwrap();
    b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();

    // Locked again, the lock lapses after 15 minutes without anyone's help.
    for _ in 0..5 {
        let _ = b.sign_in("wang.fang", "wrong again!", None, Channel::Cli);
    }
    clock.advance_s(14 * 60);
    assert_eq!(code(b.sign_in("wang.fang", REP_PW, None, Channel::Cli)), ErrorCode::Locked);
    clock.advance_s(61);
    b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();

    // A disabled account cannot sign in; the last active admin cannot be disabled.
    b.set_user_status(&admin, "wang.fang", UserStatus::Disabled).unwrap();
    assert_eq!(code(b.sign_in("wang.fang", REP_PW, None, Channel::Cli)), ErrorCode::UserDisabled);
    assert_eq!(code(b.sign_in("wang.fang", "a wrong one!", None, Channel::Cli)), ErrorCode::SignInFailed);
    let e = b.set_user_status(&admin, "admin", UserStatus::Disabled).unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.message.contains("last active admin"), "{}", e.message);
    b.set_user_status(&admin, "wang.fang", UserStatus::Active).unwrap();
    b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();
}

#[test]
fn a_wrong_login_and_a_wrong_password_read_the_same_and_take_as_long() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    // A real (if smaller than default) cost, so the hash dominates the time as it does in use.
    let (b, _) = book(dir.path(), &clock, Some(KdfParams { m_kib: 16 * 1024, t: 2, p: 1 }));
    let admin = b.create_first_admin(&user("admin", "Admin", "admin"), ADMIN_PW, Channel::Cli).unwrap();
    // One user per try, each missing once: no lockout to take back inside the timed call (the
    // admin's unlock timed with it made the known login's path the slower by a write).
    for i in 0..9 {
        b.add_user(&admin, &user(&format!("rep{i}"), "王芳", "sales"), REP_PW).unwrap();
    }
    let texts = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let said = |e: ApiError| texts.borrow_mut().insert(format!("{:?} {} {:?}", e.code, e.message, e.field));
    assert_same_cost(
        9,
        |i| {
            said(b.sign_in(&format!("rep{i}"), "guess-guess-guess", None, Channel::Cli).unwrap_err());
        },
        |i| {
            said(b.sign_in(&format!("nobody{i}"), "guess-guess-guess", None, Channel::Cli).unwrap_err());
        },
        "a wrong password against an unknown login",
    );
    assert_eq!(texts.borrow().len(), 1, "{texts:?}");
}

#[test]
fn an_authenticator_is_enrolled_with_a_code_and_each_code_and_recovery_code_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let (b, path) = book(dir.path(), &clock, None);
    let admin = b.create_first_admin(&user("admin", "Admin", "admin"), ADMIN_PW, Channel::Cli).unwrap();
    let e = b.begin_mfa(&admin, ADMIN_PW).unwrap();
    assert!(e.uri.starts_with("otpauth://totp/Banyan:admin?"), "{}", e.uri);
    assert!(e.uri.contains("algorithm=SHA1") || !e.uri.contains("algorithm="), "{}", e.uri);
    assert!(e.qr_svg.contains("<svg"));
    // Not on until confirmed: sign-in still takes the password alone.
    b.sign_in("admin", ADMIN_PW, None, Channel::Cli).unwrap();
    assert!(!b.users(&admin).unwrap()[0].mfa);
    assert_eq!(code(b.begin_mfa(&admin, "not my password")), ErrorCode::Invalid);

    let wrong = b.confirm_mfa(&admin, ADMIN_PW, "000000").unwrap_err();
    assert_eq!((wrong.code, wrong.field.as_deref()), (ErrorCode::Invalid, Some("code")));
    let now_code = app_code(&e.secret_base32, clock.secs());
    let recovery = b.confirm_mfa(&admin, ADMIN_PW, &now_code).unwrap();
    assert_eq!(recovery.len(), 10);
    assert!(b.users(&admin).unwrap()[0].mfa);

    assert_eq!(code(b.sign_in("admin", ADMIN_PW, None, Channel::Cli)), ErrorCode::MfaRequired);
    // The code that confirmed the enrolment cannot sign in (RFC 6238 §5.2).
    assert_eq!(code(b.sign_in("admin", ADMIN_PW, Some(&now_code), Channel::Cli)), ErrorCode::MfaReplayed);
    clock.advance_s(30);
    let next = app_code(&e.secret_base32, clock.secs());
    b.sign_in("admin", ADMIN_PW, Some(&next), Channel::Cli).unwrap();
    assert_eq!(code(b.sign_in("admin", ADMIN_PW, Some(&next), Channel::Cli)), ErrorCode::MfaReplayed);
    // A phone 29 s ahead is still fine; a wrong password with a right code is still wrong.
    clock.advance_s(60);
    assert_eq!(
        code(b.sign_in("admin", "Lantern-harbour-43", Some(&app_code(&e.secret_base32, clock.secs())), Channel::Cli)),
        ErrorCode::SignInFailed
    );
    b.sign_in("admin", ADMIN_PW, Some(&app_code(&e.secret_base32, clock.secs() + 29)), Channel::Cli).unwrap();
    // A phone five minutes ahead is told so.
    clock.advance_s(60);
    let off = b.sign_in("admin", ADMIN_PW, Some(&app_code(&e.secret_base32, clock.secs() + 300)), Channel::Cli);
    let off = off.unwrap_err();
    assert_eq!(off.code, ErrorCode::ClockOff);
    assert!(off.message.contains("5 minutes"), "{}", off.message);

    // A recovery code works once, in any case and without its dash, also after a reopen.
    let rc = recovery[3].to_lowercase().replace('-', "");
    b.sign_in("admin", ADMIN_PW, Some(&rc), Channel::Cli).unwrap();
    drop(b);
    let b = reopen(&path, &clock);
    assert_eq!(code(b.sign_in("admin", ADMIN_PW, Some(&recovery[3]), Channel::Cli)), ErrorCode::SignInFailed);
    let admin = b.sign_in("admin", ADMIN_PW, Some(&recovery[4]), Channel::Cli).unwrap();

    // A new password keeps the authenticator (its secret is sealed again).
    let new_pw = "Harbour-lantern-2027";
    assert_eq!(code(b.change_password(&admin, "admin", Some("wrong current pw"), new_pw)), ErrorCode::SignInFailed);
    b.change_password(&admin, "admin", Some(ADMIN_PW), new_pw).unwrap();
    assert_eq!(code(b.sign_in("admin", ADMIN_PW, Some(&recovery[5]), Channel::Cli)), ErrorCode::SignInFailed);
    clock.advance_s(30);
    let admin = b.sign_in("admin", new_pw, Some(&app_code(&e.secret_base32, clock.secs())), Channel::Cli).unwrap();

    // Turned off, the password alone signs in again.
    b.disable_mfa(&admin, "admin").unwrap();
    b.sign_in("admin", new_pw, None, Channel::Cli).unwrap();
}

#[test]
fn an_admin_resetting_a_password_removes_that_users_authenticator() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let (b, _) = book(dir.path(), &clock, None);
    let admin = b.create_first_admin(&user("admin", "Admin", "admin"), ADMIN_PW, Channel::Cli).unwrap();
    b.add_user(&admin, &user("wang.fang", "王芳", "sales"), REP_PW).unwrap();
    let rep = b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();
    let e = b.begin_mfa(&rep, REP_PW).unwrap();
    b.confirm_mfa(&rep, REP_PW, &app_code(&e.secret_base32, clock.secs())).unwrap();
    assert_eq!(code(b.change_password(&rep, "admin", None, "Taken over 12345")), ErrorCode::Forbidden);
    assert_eq!(code(b.disable_mfa(&rep, "admin")), ErrorCode::Forbidden);
    b.change_password(&admin, "wang.fang", None, "Fresh start 2027").unwrap();
    assert!(!b.users(&admin).unwrap().iter().any(|u| u.mfa));
    b.sign_in("wang.fang", "Fresh start 2027", None, Channel::Cli).unwrap();
    assert_eq!(code(b.sign_in("wang.fang", REP_PW, None, Channel::Cli)), ErrorCode::SignInFailed);
}

#[test]
fn a_role_that_requires_an_authenticator_sends_its_users_to_set_one_up_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let (b, _) = book(dir.path(), &clock, None);
    let admin = b.create_first_admin(&user("admin", "Admin", "admin"), ADMIN_PW, Channel::Cli).unwrap();
    b.add_user(&admin, &user("wang.fang", "王芳", "sales"), REP_PW).unwrap();
    let bot = b.add_service_account(&admin, &user("nightly", "Nightly sync", "sales")).unwrap();
    let customer = CustomerInput { owner: Some("wang.fang".into()), ..person("Quillfeather Trading") };
    b.add_customer(&admin, &customer).unwrap();

    // Not required: the password alone gets a working session.
    assert!(!b.role(&admin, "sales").unwrap().require_mfa);
    assert!(!b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap().mfa_setup_needed());
    assert_eq!(
        code(b.set_role_mfa(&b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap(), "sales", true)),
        ErrorCode::Forbidden
    );
    let unknown = b.set_role_mfa(&admin, "salse", true).unwrap_err();
    assert_eq!((unknown.code, unknown.field.as_deref()), (ErrorCode::Invalid, Some("name")));
    assert!(b.set_role_mfa(&admin, "Sales", true).unwrap().require_mfa);
    assert!(b.roles(&admin).unwrap().iter().all(|r| r.require_mfa == (r.name == "sales")));
    let events = b.audit_events(&admin, 50).unwrap();
    assert!(events.iter().any(|e| e.kind == "mfa-policy-changed" && e.detail.contains("\"sales\"")), "{events:?}");

    // Required: the password still signs in, but only to set up an authenticator.
    let rep = b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();
    assert!(rep.mfa_setup_needed());
    let refused = b.customer_count(&rep).unwrap_err();
    assert_eq!(refused.code, ErrorCode::MfaSetupRequired);
    assert!(refused.message.contains("authenticator"), "{}", refused.message);
    assert!(!refused.message.contains("Quillfeather"));
    assert_eq!(code(b.finish_mfa_setup(&rep)), ErrorCode::MfaSetupRequired);
    let e = b.begin_mfa(&rep, REP_PW).unwrap();
    assert_eq!(code(b.finish_mfa_setup(&rep)), ErrorCode::MfaSetupRequired, "begun is not set up");
    b.confirm_mfa(&rep, REP_PW, &app_code(&e.secret_base32, clock.secs())).unwrap();
    let full = b.finish_mfa_setup(&rep).unwrap();
    assert!(!full.mfa_setup_needed());
    assert_eq!(full.session(), rep.session(), "the same session goes on");
    assert_eq!(b.customer_count(&full).unwrap(), 1);
    // The old caller stays what it was: it was handed out before the set-up.
    assert_eq!(code(b.customer_count(&rep)), ErrorCode::MfaSetupRequired);

    // From now on the code is asked, and the rep cannot take the authenticator off again.
    assert_eq!(code(b.sign_in("wang.fang", REP_PW, None, Channel::Cli)), ErrorCode::MfaRequired);
    clock.advance_s(30);
    let rep = b.sign_in("wang.fang", REP_PW, Some(&app_code(&e.secret_base32, clock.secs())), Channel::Cli).unwrap();
    assert!(!rep.mfa_setup_needed());
    let keep = b.disable_mfa(&rep, "wang.fang").unwrap_err();
    assert_eq!(keep.field.as_deref(), Some("login"));
    assert!(keep.message.contains("admin"), "{}", keep.message);
    assert!(b.users(&admin).unwrap().iter().find(|u| u.login == "wang.fang").unwrap().mfa);

    // A lost phone: the admin resets it and the next sign-in asks for a new one.
    b.disable_mfa(&admin, "wang.fang").unwrap();
    assert!(b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap().mfa_setup_needed());
    // A service account of that role signs in with its token as before.
    assert!(!b.sign_in_token(&bot.token, Channel::Cli).unwrap().mfa_setup_needed());
    // No longer required: the password alone is a full session again.
    assert!(!b.set_role_mfa(&admin, "sales", false).unwrap().require_mfa);
    let rep = b.sign_in("wang.fang", REP_PW, None, Channel::Cli).unwrap();
    assert_eq!(b.customer_count(&rep).unwrap(), 1);
}
