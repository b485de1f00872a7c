//! Each way a database can fail to open has its own clear error and leaves the file untouched.

use crate::common::*;
use banyan::api::{Banyan, ErrorCode};
use banyan::i18n::Lang;
use banyan::security::{DbKey, KeyStore, Unlock};
use std::path::Path;

fn book_with_data(dir: &Path) -> std::path::PathBuf {
    let (b, path) = new_book(dir);
    for i in 0..200 {
        b.add_customer(&admin(&b), &person(&format!("客户 {i}"))).unwrap();
    }
    path
}

fn open_err(path: &Path, unlock: &Unlock) -> banyan::api::ApiError {
    match Banyan::open(&opts(path), unlock) {
        Ok(_) => panic!("opened"),
        Err(e) => e,
    }
}

#[test]
fn wrong_passphrase_is_named_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_with_data(dir.path());
    let (db, key) = (sha(&path), sha(KeyStore::for_db(&path).path()));
    let e = open_err(&path, &Unlock::passphrase("not the passphrase"));
    assert_eq!(e.code, ErrorCode::WrongPassphrase);
    assert!(e.message.contains("Wrong passphrase"), "{}", e.message);
    let mut o = opts(&path);
    o.lang = Lang::ZhCn;
    let zh = Banyan::open(&o, &Unlock::passphrase("nope")).err().unwrap();
    assert!(zh.message.contains("密码错误"), "{}", zh.message);
    let none = open_err(&path, &Unlock::keyring());
    assert_eq!(none.code, ErrorCode::PassphraseRequired);
    assert_eq!(sha(&path), db);
    assert_eq!(sha(KeyStore::for_db(&path).path()), key);
    assert!(Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).is_ok(), "the right passphrase still opens it");
}

#[test]
fn wrong_key_is_not_reported_as_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_with_data(dir.path());
    let before = sha(&path);
    let e = open_err(&path, &Unlock::Raw(DbKey::from_bytes([1; 32])));
    assert_eq!(e.code, ErrorCode::WrongKey);
    assert!(!e.message.contains("not a database"), "{}", e.message);
    assert_eq!(sha(&path), before);
}

#[test]
fn truncated_file_is_reported_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_with_data(dir.path());
    let full = sha(&path);
    assert!(full.len() > 8 * 4096, "the book should span many pages");
    // Cut mid-page, as an interrupted copy does.
    std::fs::write(&path, &full[..full.len() / 2 + 100]).unwrap();
    let cut = sha(&path);
    let e = open_err(&path, &Unlock::passphrase(PASS));
    assert_eq!(e.code, ErrorCode::DbTruncated, "{}", e.message);
    assert_eq!(sha(&path), cut);
    // Cut on a page boundary: SQLite sees fewer pages than the header promises.
    std::fs::write(&path, &full[..(full.len() / 2) / 4096 * 4096]).unwrap();
    let cut = sha(&path);
    let e = open_err(&path, &Unlock::passphrase(PASS));
    assert!(matches!(e.code, ErrorCode::DbCorrupt | ErrorCode::DbTruncated), "{e:?}");
    assert_eq!(sha(&path), cut);
    // An empty file.
    std::fs::write(&path, b"").unwrap();
    assert_eq!(open_err(&path, &Unlock::passphrase(PASS)).code, ErrorCode::DbTruncated);
}

#[test]
fn database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_with_data(dir.path());
    let key = KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    {
        // Simulate a future Banyan having upgraded the file.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\"; PRAGMA user_version = 99;", hex_of(&key))).unwrap();
    }
    let before = sha(&path);
    let e = open_err(&path, &Unlock::passphrase(PASS));
    assert_eq!(e.code, ErrorCode::DbNewer);
    assert!(e.message.contains("99") && e.message.contains("newer"), "{}", e.message);
    assert_eq!(sha(&path), before);
}

#[test]
fn missing_database_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let e = open_err(&dir.path().join("nothing.db"), &Unlock::passphrase(PASS));
    assert_eq!(e.code, ErrorCode::DbMissing);
    assert!(e.message.contains("banyan init"), "{}", e.message);
}

#[test]
fn rekey_with_a_new_key_reencrypts_and_the_old_key_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = book_with_data(dir.path());
    let old = KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    let mut b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    b.rekey(&admin(&b), banyan::security::KeyMode::Passphrase, Some("new passphrase"), true, fast().kdf).unwrap();
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 200);
    drop(b);
    assert_eq!(open_err(&path, &Unlock::Raw(old)).code, ErrorCode::WrongKey);
    assert_eq!(open_err(&path, &Unlock::passphrase(PASS)).code, ErrorCode::WrongPassphrase);
    let b = Banyan::open(&opts(&path), &Unlock::passphrase("new passphrase")).unwrap();
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 200);
    assert!(b.check(&admin(&b)).unwrap().is_empty());
}

#[test]
fn an_interrupted_key_change_still_opens() {
    // The new key file is staged, the database re-keyed, and then the process dies before the key
    // file is swapped: open must find the staged key.
    let dir = tempfile::tempdir().unwrap();
    let path = book_with_data(dir.path());
    let ks = KeyStore::for_db(&path);
    let new = DbKey::random().unwrap();
    ks.stage(&new, banyan::security::KeyMode::Passphrase, Some(PASS), fast().kdf).unwrap();
    {
        let old = ks.unlock(Some(PASS)).unwrap().0;
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\"; PRAGMA rekey = \"x'{}'\";", hex_of(&old), hex_of(&new)))
            .unwrap();
    }
    let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 200);
    drop(b);
    assert_eq!(hex_of(&ks.unlock(Some(PASS)).unwrap().0), hex_of(&new), "the staged key file was committed");
}

fn hex_of(k: &DbKey) -> String {
    k.to_hex().to_string()
}
