//! Shared helpers: temporary books with a fast key derivation (the real cost is measured elsewhere).

use banyan::api::{Banyan, OpenOptions, Settings};
use banyan::model::CustomerInput;
use banyan::security::keys::KdfParams;
use banyan::store::{NewKey, StoreOptions};
use std::path::{Path, PathBuf};

pub const PASS: &str = "correct horse battery staple";

pub fn fast() -> StoreOptions {
    StoreOptions { kdf: KdfParams { m_kib: 1024, t: 1, p: 1 }, ..Default::default() }
}

pub fn opts(path: &Path) -> OpenOptions {
    let mut o = OpenOptions::new(path);
    o.store = fast();
    o.user = "tester".into();
    o
}

/// A new passphrase-protected book in `dir`.
pub fn new_book(dir: &Path) -> (Banyan, PathBuf) {
    let path = dir.join("book.db");
    let b = Banyan::create(&opts(&path), NewKey::Passphrase(PASS.into()), &Settings::default()).expect("create book");
    (b, path)
}

pub fn person(name: &str) -> CustomerInput {
    CustomerInput { kind: Some("person".into()), name: Some(name.into()), ..Default::default() }
}

pub fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}
