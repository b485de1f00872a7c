//! Shared desktops (issue 13): the book's key is held only in key slots, one per user, each sealed
//! under that user's password. Nothing but a user signing in opens the book: not the old
//! passphrase, not the keyring, not a user without a slot (disabled, or never given a password
//! on this desktop); wrong logins and wrong passwords read alike and count toward the lockout
//! before the book is even open.

use crate::common::*;
use banyan::api::{ApiError, Banyan, Channel, ErrorCode};
use banyan::model::*;
use banyan::security::keys::KdfParams;
use banyan::security::{KeyMode, KeyStore, Unlock};
use std::path::Path;

const REP_PW: &str = "Cedar-window-2026";
const DESK_PW: &str = "Harbour-lantern-88";

fn open(path: &Path, login: &str, password: &str) -> Result<Banyan, ApiError> {
    Banyan::open(&opts(path), &Unlock::sign_in(login, password))
}

fn code(r: Result<Banyan, ApiError>) -> (ErrorCode, String) {
    let e = r.err().expect("refused");
    (e.code, e.message)
}

fn user(login: &str, role: &str) -> UserInput {
    UserInput { login: Some(login.into()), name: Some(login.into()), roles: vec![role.into()], team: None }
}

#[test]
fn a_shared_desktops_book_opens_only_when_one_of_its_users_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let (mut b, path) = new_book(dir.path());
    let admin = admin(&b);
    let c = b.add_customer(&admin, &person("Quenby Shared-Desk")).unwrap();
    b.add_user(&admin, &user("rep", "sales"), REP_PW).unwrap();

    // Making it shared needs the admin's own password (a wrong one changes nothing) and the
    // settings grant.
    let e = b.make_shared(&admin, "not my password").unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("password")), "{}", e.message);
    let rep = b.sign_in("rep", REP_PW, None, Channel::Cli).unwrap();
    assert_eq!(b.make_shared(&rep, REP_PW).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(KeyStore::for_db(&path).mode().unwrap(), KeyMode::Passphrase);
    // Users made before have no slot yet: they are named, to be given a password here.
    assert_eq!(b.make_shared(&admin, ADMIN_PASSWORD).unwrap(), ["rep"]);
    // A user added from now on gets a slot with their password.
    b.add_user(&admin, &user("desk", "support"), DESK_PW).unwrap();
    assert_eq!(b.users_without_key_slot(&admin).unwrap(), ["rep"]);
    drop(b);

    // The key file holds the key only sealed: no wrapped passphrase key, no key in clear.
    let keys = KeyStore::for_db(&path);
    let (key, _) = keys.unlock_slot(ADMIN, ADMIN_PASSWORD).unwrap();
    let text = std::fs::read_to_string(keys.path()).unwrap();
    assert!(!text.contains(key.to_hex().as_str()) && !text.contains("wrapped"), "{text}");
    assert!(text.contains("\"shared\"") && text.contains("\"desk\""), "{text}");

    // Not the old passphrase, nor the keyring: only a sign-in.
    let (c1, m1) = code(Banyan::open(&opts(&path), &Unlock::passphrase(PASS)));
    assert_eq!(c1, ErrorCode::SignInRequired);
    assert!(m1.contains("shared"), "{m1}");
    assert_eq!(code(Banyan::open(&opts(&path), &Unlock::keyring())).0, ErrorCode::SignInRequired);
    // A wrong password, a login nobody has, and a user without a slot read the same.
    let refusals = [
        code(open(&path, ADMIN, "not my password")),
        code(open(&path, "nobody", ADMIN_PASSWORD)),
        code(open(&path, "rep", REP_PW)),
    ];
    assert!(refusals.iter().all(|r| *r == refusals[0]), "{refusals:?}");
    assert_eq!(refusals[0].0, ErrorCode::SignInFailed);

    // The admin's password opens it (the login as typed in any case), and the book is whole.
    let b = open(&path, "ADMIN", ADMIN_PASSWORD).unwrap();
    let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Desktop).unwrap();
    assert_eq!(b.customer(&admin, &c.id.to_string()).unwrap().name, "Quenby Shared-Desk");
    // An admin setting the rep's password gives them a slot; disabling the desk takes its away.
    b.change_password(&admin, "rep", None, "Cedar-window-2027").unwrap();
    assert!(b.users_without_key_slot(&admin).unwrap().is_empty());
    b.set_user_status(&admin, "desk", UserStatus::Disabled).unwrap();
    drop(b);
    assert_eq!(code(open(&path, "desk", DESK_PW)).0, ErrorCode::SignInFailed);
    let b = open(&path, "rep", "Cedar-window-2027").unwrap();
    let rep = b.sign_in("rep", "Cedar-window-2027", None, Channel::Desktop).unwrap();
    assert!(b.customers(&rep, &banyan::store::CustomerFilter::default()).is_ok());
    // A user changing their own password keeps a slot, under the new one only.
    b.change_password(&rep, "rep", Some("Cedar-window-2027"), "Cedar-window-2028").unwrap();
    drop(b);
    assert_eq!(code(open(&path, "rep", "Cedar-window-2027")).0, ErrorCode::SignInFailed);
    drop(open(&path, "rep", "Cedar-window-2028").unwrap());

    // Five wrong passwords lock the login before the book opens; then even the right one is
    // refused, until an admin unlocks it.
    let mut last = ErrorCode::SignInFailed;
    for _ in 0..5 {
        last = code(open(&path, "rep", "guess-guess-guess")).0;
    }
    assert_eq!(last, ErrorCode::Locked);
    assert_eq!(code(open(&path, "rep", "Cedar-window-2028")).0, ErrorCode::Locked);
    let mut b = open(&path, ADMIN, ADMIN_PASSWORD).unwrap();
    let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).unwrap();
    b.unlock_user(&admin, "rep").unwrap();
    drop(open(&path, "rep", "Cedar-window-2028").unwrap());

    // Back to a book passphrase: the slots go, and the passphrase opens it again.
    b.rekey(&admin, KeyMode::Passphrase, Some("a new book passphrase"), true, KdfParams { m_kib: 1024, t: 1, p: 1 })
        .unwrap();
    drop(b);
    assert!(KeyStore::for_db(&path).slot_logins().unwrap().is_empty());
    let b = Banyan::open(&opts(&path), &Unlock::passphrase("a new book passphrase")).unwrap();
    let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).unwrap();
    assert_eq!(b.customer(&admin, &c.id.to_string()).unwrap().name, "Quenby Shared-Desk");
}

#[test]
fn a_login_without_a_key_slot_costs_what_a_wrong_password_costs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let mut o = opts(&path);
    // A real (if smaller than default) cost, so the key derivation dominates as it does in use.
    o.store.kdf = KdfParams { m_kib: 16 * 1024, t: 2, p: 1 };
    let mut b = Banyan::create(&o, banyan::store::NewKey::Passphrase(PASS.into()), &Default::default()).unwrap();
    let input = user(ADMIN, "admin");
    let admin = b.create_first_admin(&input, ADMIN_PASSWORD, Channel::Cli).unwrap();
    b.make_shared(&admin, ADMIN_PASSWORD).unwrap();
    drop(b);
    let keys = KeyStore::for_db(&path);
    assert_same_cost(
        7,
        |_| assert!(keys.unlock_slot(ADMIN, "guess-guess-guess").is_err()),
        |i| assert!(keys.unlock_slot(&format!("nobody{i}"), "guess-guess-guess").is_err()),
        "a wrong password against a login without a key slot",
    );
}

/// A desktop being made shared when the process died: before the book was re-keyed nothing
/// changed (the staged key file goes, the passphrase opens it); after, the first sign-in
/// finishes the change. Never a book that opens for nobody.
#[test]
fn a_change_to_a_shared_desktop_cut_short_leaves_a_book_that_opens() {
    let fast = KdfParams { m_kib: 1024, t: 1, p: 1 };
    for rekeyed in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (b, path) = new_book(dir.path());
        let admin = admin(&b);
        let c = b.add_customer(&admin, &person("Ottoline Cut-Short")).unwrap();
        drop(b);
        let keys = KeyStore::for_db(&path);
        let (old, _) = keys.unlock(Some(PASS)).unwrap();
        let new = banyan::security::keys::DbKey::random().unwrap();
        // What `make_shared` does first: the new key file, staged.
        keys.stage_shared(&new, ADMIN, ADMIN_PASSWORD, fast).unwrap();
        if rekeyed {
            // ... then the database re-keyed, and the process killed before the commit.
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", old.to_hex().as_str())).unwrap();
            conn.execute_batch(&format!("PRAGMA rekey = \"x'{}'\";", new.to_hex().as_str())).unwrap();
        }
        assert!(keys.is_shared(), "a staged change to shared must be opened by a sign-in");
        if rekeyed {
            // The old passphrase does not open the re-keyed book; it is told to sign in instead.
            let e = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).err().expect("the old key opened it");
            assert_eq!(e.code, ErrorCode::SignInRequired, "{}", e.message);
            let b = open(&path, ADMIN, ADMIN_PASSWORD).unwrap();
            assert_eq!(KeyStore::for_db(&path).mode().unwrap(), KeyMode::Shared, "the change is finished");
            let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).unwrap();
            assert_eq!(b.customer(&admin, &c.id.to_string()).unwrap().name, "Ottoline Cut-Short");
        } else {
            let e = open(&path, ADMIN, ADMIN_PASSWORD).err().expect("not shared yet");
            assert!(e.message.contains("nothing changed"), "{}", e.message);
            assert!(!keys.is_shared());
            let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
            let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).unwrap();
            assert_eq!(b.customer(&admin, &c.id.to_string()).unwrap().name, "Ottoline Cut-Short");
        }
    }
}
