//! Shared helpers: temporary books with a fast key derivation (the real cost is measured elsewhere).

use banyan::api::{Banyan, Caller, Channel, OpenOptions, Settings};
use banyan::model::{CustomerInput, UserInput};
use banyan::security::keys::KdfParams;
use banyan::store::{NewKey, StoreOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const PASS: &str = "correct horse battery staple";
/// The password of every test book's admin (login [`ADMIN`]).
pub const ADMIN_PASSWORD: &str = "orchid-lantern-47";
pub const ADMIN: &str = "admin";

pub fn fast() -> StoreOptions {
    StoreOptions { kdf: KdfParams { m_kib: 1024, t: 1, p: 1 }, ..Default::default() }
}

pub fn opts(path: &Path) -> OpenOptions {
    let mut o = OpenOptions::new(path);
    o.store = fast();
    o
}

/// A new passphrase-protected book in `dir`.
pub fn new_book(dir: &Path) -> (Banyan, PathBuf) {
    let path = dir.join("book.db");
    let b = Banyan::create(&opts(&path), NewKey::Passphrase(PASS.into()), &Settings::default()).expect("create book");
    (b, path)
}

/// The book's admin, signed in: made on the first call for a book without users, signed in
/// after that, and kept per book file so that `b.customer(&admin(&b), id)` costs no sign-in.
pub fn admin(b: &Banyan) -> Caller {
    static CALLERS: Mutex<BTreeMap<PathBuf, Caller>> = Mutex::new(BTreeMap::new());
    let key = b.path().to_path_buf();
    if let Some(c) = CALLERS.lock().unwrap().get(&key) {
        return c.clone();
    }
    let c = if b.has_users().expect("has users") {
        b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).expect("admin signs in")
    } else {
        let input = UserInput {
            login: Some(ADMIN.into()),
            name: Some("Test Admin".into()),
            roles: vec!["admin".into()],
            team: None,
        };
        b.create_first_admin(&input, ADMIN_PASSWORD, Channel::Cli).expect("first admin")
    };
    CALLERS.lock().unwrap().insert(key, c.clone());
    c
}

/// A new user `login` (named after it) with one role and the password [`ADMIN_PASSWORD`], added by
/// `admin` and signed in on `channel`.
pub fn user_with_role(b: &Banyan, admin: &Caller, login: &str, role: &str, channel: Channel) -> Caller {
    let input = UserInput { login: Some(login.into()), name: Some(login.into()), roles: vec![role.into()], team: None };
    b.add_user(admin, &input, ADMIN_PASSWORD).expect("add user");
    b.sign_in(login, ADMIN_PASSWORD, None, channel).expect("user signs in")
}

pub fn person(name: &str) -> CustomerInput {
    CustomerInput { kind: Some("person".into()), name: Some(name.into()), ..Default::default() }
}

pub fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}
