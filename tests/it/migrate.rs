//! Migrations: a snapshot first, one transaction, and a failure changes nothing.

use crate::common::*;
use banyan::api::{Banyan, ErrorCode};
use banyan::security::Unlock;
use banyan::store::Store;
use banyan::store::migrate::{LATEST, MIGRATIONS, Migration};

fn schema_and_rows(b: &Banyan) -> (Vec<String>, Vec<String>, i64) {
    let customers: Vec<String> =
        b.customers(&Default::default()).unwrap().into_iter().map(|c| format!("{c:?}")).collect();
    let products: Vec<String> = b.products(true).unwrap().into_iter().map(|p| format!("{p:?}")).collect();
    (customers, products, b.store().change_count().unwrap())
}

#[test]
fn a_migration_failing_half_way_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    for i in 0..50 {
        b.add_customer(&person(&format!("Müller {i}"))).unwrap();
    }
    let before = schema_and_rows(&b);
    drop(b);

    let mut migrations = MIGRATIONS.to_vec();
    // Step N+1 succeeds; step N+2 changes data and the schema, then fails on its last statement.
    migrations.push(Migration {
        version: LATEST + 1,
        name: "ok",
        sql: "CREATE TABLE extra (a TEXT); INSERT INTO extra VALUES ('x');",
    });
    migrations.push(Migration {
        version: LATEST + 2,
        name: "broken",
        sql: "ALTER TABLE customers ADD COLUMN rating INTEGER; UPDATE customers SET name = 'overwritten'; DELETE FROM products; SELECT * FROM no_such_table;",
    });
    let err = match Store::open_with_migrations(&path, &Unlock::passphrase(PASS), fast(), &migrations) {
        Err(e) => e,
        Ok(_) => panic!("the broken migration was applied"),
    };
    let snapshot = match &err {
        banyan::Error::MigrationFailed { version, snapshot, .. } => {
            assert_eq!(*version, LATEST + 2);
            snapshot.clone()
        }
        other => panic!("unexpected {other:?}"),
    };
    assert!(snapshot.exists(), "the user is told of a snapshot that exists");
    let msg = banyan::api::localize(&banyan::i18n::Localizer::new(banyan::i18n::Lang::EnUs), err);
    assert_eq!(msg.code, ErrorCode::MigrationFailed);
    assert!(msg.message.contains(&snapshot.display().to_string()), "{}", msg.message);

    let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    assert_eq!(schema_and_rows(&b), before);
    assert!(b.check().unwrap().is_empty());
    drop(b);
    // Still at the old version: the good step was rolled back with the bad one.
    let again =
        Store::open_with_migrations(&path, &Unlock::passphrase(PASS), fast(), &migrations[..migrations.len() - 1])
            .unwrap();
    assert!(again.migration_snapshot().is_some(), "the good step ran again from the old version");
}

#[test]
fn a_successful_migration_keeps_the_data_and_a_readable_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    b.add_customer(&person("曾国藩")).unwrap();
    drop(b);
    let mut migrations = MIGRATIONS.to_vec();
    migrations.push(Migration {
        version: LATEST + 1,
        name: "rating",
        sql: "ALTER TABLE customers ADD COLUMN rating INTEGER;",
    });
    let s = Store::open_with_migrations(&path, &Unlock::passphrase(PASS), fast(), &migrations).unwrap();
    let snapshot = s.migration_snapshot().unwrap().to_owned();
    assert_eq!(s.customer_count().unwrap(), 1);
    drop(s);
    let key = banyan::security::KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    let snap = Store::open_with_migrations(&snapshot, &Unlock::Raw(key), fast(), MIGRATIONS).unwrap();
    assert_eq!(snap.customers(&Default::default()).unwrap()[0].name, "曾国藩");
    // And the released program now refuses the upgraded file instead of guessing.
    assert!(matches!(
        Store::open(&path, &Unlock::passphrase(PASS), fast()),
        Err(banyan::Error::NewerSchema { found, supported }) if found == LATEST + 1 && supported == LATEST
    ));
}
