//! Leak scan: customer data never appears in clear in anything Banyan writes to disk.

use crate::common::*;
use banyan::api::Banyan;
use banyan::model::{CustomerInput, LineInput, OrderInput, ProductInput};
use banyan::security::Unlock;
use banyan::store::{Store, migrate::Migration};
use std::path::Path;

const NAMES: &[&str] = &["欧阳娜娜", "Bartholomew Quackenbush", "Zoë Müller-Lüdenscheidt"];
const PHONES: &[&str] = &["+8613912345678", "13912345678", "+4930901820"];
const EMAILS: &[&str] = &["secret.person@example.org", "ouyang.nana@163.com"];
const NOTE: &str = "Prefers WeChat, contract value 机密合同";

fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for s in NAMES.iter().chain(PHONES).chain(EMAILS).chain([&NOTE]) {
        out.push((format!("utf8 {s}"), s.as_bytes().to_vec()));
        let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        out.push((format!("utf16le {s}"), le));
        out.push((format!("utf16be {s}"), be));
    }
    out
}

/// Every file under `dir` (database, -wal, -shm, key file, snapshots, backups, anything else).
fn scan(dir: &Path, stage: &str) -> usize {
    let needles = needles();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        for (what, n) in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_slice()),
                "{stage}: {what} found in clear in {}",
                path.display()
            );
        }
    }
    files
}

#[test]
fn no_customer_data_in_clear_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    for (i, name) in NAMES.iter().enumerate() {
        let c = b
            .add_customer(
                &admin(&b),
                &CustomerInput {
                    kind: Some("person".into()),
                    name: Some(name.to_string()),
                    phones: vec![PHONES[i].to_string()],
                    emails: vec![EMAILS[i % EMAILS.len()].to_string()],
                    notes: Some(NOTE.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        b.add_product(
            &admin(&b),
            &ProductInput {
                sku: Some(format!("SKU-{i}")),
                name: Some(format!("Product {i}")),
                price: Some("10".into()),
                ..Default::default()
            },
        )
        .unwrap();
        b.create_order(
            &admin(&b),
            &OrderInput {
                customer_id: c.id.to_string(),
                lines: vec![LineInput { sku: format!("SKU-{i}"), quantity: "2".into(), discount: None }],
                notes: Some(NOTE.into()),
            },
        )
        .unwrap();
    }
    // While the book is open, the WAL and shared-memory files hold the recent writes.
    assert!(scan(dir.path(), "open") >= 3, "expected database, WAL, shm and key file");
    b.store().backup_to(&dir.path().join("backup.db")).unwrap();
    let who = admin(&b);
    // A backup as users make it (file and manifest, in a folder beside the book) and its
    // settings file.
    let backups = dir.path().join("backups");
    let made = b.backup_now(&who, Some(dir.path()), Some("leak test backup passphrase")).unwrap();
    assert!(std::path::Path::new(&made.file).exists() && std::path::Path::new(&made.manifest).exists());
    assert!(!backups.exists());
    scan(dir.path(), "after backup");
    drop(b);
    scan(dir.path(), "closed");

    // An upgrade takes a pre-migration snapshot; it must be encrypted too.
    let mut migrations = banyan::store::migrate::MIGRATIONS.to_vec();
    migrations.push(Migration {
        version: banyan::store::migrate::LATEST + 1,
        name: "test_add_column",
        sql: "ALTER TABLE customers ADD COLUMN rating INTEGER;",
        then: None,
    });
    let s = Store::open_with_migrations(&path, &Unlock::passphrase(PASS), fast(), &migrations).unwrap();
    let snapshot = s.migration_snapshot().expect("snapshot taken").to_owned();
    assert!(snapshot.exists());
    drop(s);
    scan(dir.path(), "after migration");

    // The data is really there: the scan is not passing because nothing was written.
    let b = Banyan::open(&opts(&snapshot), &Unlock::Raw(key_of(&path))).unwrap();
    let names: Vec<String> = b.customers(&who, &Default::default()).unwrap().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&NAMES[0].to_string()), "{names:?}");
}

/// The raw key, unwrapped from the key file (the snapshot has no key file of its own).
fn key_of(db: &Path) -> banyan::security::DbKey {
    let ks = banyan::security::KeyStore::for_db(db);
    ks.unlock(Some(PASS)).unwrap().0
}
