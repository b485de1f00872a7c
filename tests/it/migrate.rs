//! Migrations: a snapshot first, one transaction, and a failure changes nothing.

use crate::common::*;
use banyan::api::{Banyan, ErrorCode};
use banyan::security::Unlock;
use banyan::store::Store;
use banyan::store::migrate::{LATEST, MIGRATIONS, Migration};

fn schema_and_rows(b: &Banyan) -> (Vec<String>, Vec<String>, i64) {
    let customers: Vec<String> =
        b.customers(&admin(b), &Default::default()).unwrap().into_iter().map(|c| format!("{c:?}")).collect();
    let products: Vec<String> = b.products(&admin(b), true).unwrap().into_iter().map(|p| format!("{p:?}")).collect();
    (customers, products, b.store().change_count().unwrap())
}

#[test]
fn a_migration_failing_half_way_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    for i in 0..50 {
        b.add_customer(&admin(&b), &person(&format!("Müller {i}"))).unwrap();
    }
    let before = schema_and_rows(&b);
    drop(b);

    let mut migrations = MIGRATIONS.to_vec();
    // Step N+1 succeeds; step N+2 changes data and the schema, then fails on its last statement.
    migrations.push(Migration {
        version: LATEST + 1,
        name: "ok",
        sql: "CREATE TABLE extra (a TEXT); INSERT INTO extra VALUES ('x');",
        then: None,
    });
    migrations.push(Migration {
        version: LATEST + 2,
        name: "broken",
        sql: "ALTER TABLE customers ADD COLUMN rating INTEGER; UPDATE customers SET name = 'overwritten'; DELETE FROM products; SELECT * FROM no_such_table;",
        then: None,
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
    assert!(b.check(&admin(&b)).unwrap().is_empty());
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
    b.add_customer(&admin(&b), &person("曾国藩")).unwrap();
    drop(b);
    let mut migrations = MIGRATIONS.to_vec();
    migrations.push(Migration {
        version: LATEST + 1,
        name: "rating",
        sql: "ALTER TABLE customers ADD COLUMN rating INTEGER;",
        then: None,
    });
    let s = Store::open_with_migrations(&path, &Unlock::passphrase(PASS), fast(), &migrations).unwrap();
    let snapshot = s.migration_snapshot().unwrap().to_owned();
    assert_eq!(s.customer_count(&banyan::store::Reach::All).unwrap(), 1);
    drop(s);
    let key = banyan::security::KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    let snap = Store::open_with_migrations(&snapshot, &Unlock::Raw(key), fast(), MIGRATIONS).unwrap();
    assert_eq!(snap.customers(&Default::default(), &banyan::store::Reach::All).unwrap()[0].name, "曾国藩");
    // And the released program now refuses the upgraded file instead of guessing.
    assert!(matches!(
        Store::open(&path, &Unlock::passphrase(PASS), fast()),
        Err(banyan::Error::NewerSchema { found, supported }) if found == LATEST + 1 && supported == LATEST
    ));
}

/// Everything a book holds as its users (and, later, sync) see it, as JSON: every customer with
/// its contacts, activities and orders, every product, order, custom field and setting, the
/// import journal, every change-log entry (who changed which field from what to what, when, on
/// which device, in which transaction and batch; not its sequence number, which a reshaped log
/// may count differently), and the answers to searches of every tier.
fn holdings(b: &Banyan) -> serde_json::Value {
    use banyan::sync::Hlc;
    let customers = b.customers(&admin(b), &Default::default()).unwrap();
    let records: Vec<_> = customers.iter().map(|c| b.customer_record(&admin(b), &c.id.to_string()).unwrap()).collect();
    let log: Vec<serde_json::Value> = b
        .store()
        .changes(None, Hlc::from_raw(0), u32::MAX)
        .unwrap()
        .into_iter()
        // The admin this test signs in as was made after the book opened.
        .filter(|e| e.table != "users")
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap();
            v.as_object_mut().unwrap().remove("originSeq");
            // Named by the log of schema 6 on (made from the history when a book migrates; checked
            // on its own below).
            v.as_object_mut().unwrap().remove("replaces");
            v
        })
        .collect();
    let searches: Vec<serde_json::Value> = ["zhang", "张", "zw", "Müller", "1380013", "acme", "smtih", "深圳"]
        .iter()
        .map(|q| serde_json::json!({ "query": q, "hits": b.search_customers(&admin(b), q, &Default::default(), 50).unwrap() }))
        .collect();
    serde_json::json!({
        "records": records.iter().map(|r| serde_json::json!({
            "customer": r.customer, "contacts": r.contacts, "activities": r.activities, "orders": r.orders,
        })).collect::<Vec<_>>(),
        "products": b.products(&admin(b), true).unwrap(),
        "orders": b.orders(&admin(b), &Default::default()).unwrap(),
        "customFields": b.custom_fields(&admin(b)).unwrap(),
        "settings": b.settings(&admin(b)).unwrap(),
        "imports": b.imports(&admin(b)).unwrap(),
        "log": log,
        "searches": searches,
    })
}

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/books/v5")
}

/// Takes out the keys the fixture's version did not have, where they are empty: a customer's
/// owner name (a user's, from schema 10; the book's owners are text from before users) and the
/// fields left out of an order or product for the reader's role (none, for the admin).
fn strip_new_fields(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            if m.get("ownerName").is_some_and(|n| n.is_null()) {
                m.remove("ownerName");
            }
            if m.get("redacted").and_then(|r| r.as_array()).is_some_and(|r| r.is_empty()) {
                m.remove("redacted");
            }
            m.values_mut().for_each(strip_new_fields);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_new_fields),
        _ => {}
    }
}

/// The book of schema 5 opens, migrates to this version and holds exactly what it held.
/// tests/fixtures/books/v5 was written by schema 5's own code (`make_v5_book` in this file at
/// commit 9e69140: 123 customers with edits, deletes, a custom field, a contact and an activity,
/// products, orders and status changes, an import kept and one undone, a merge, a currency
/// change), with `holdings.json`, what that version read back from it.
#[test]
fn a_book_made_by_schema_5_opens_and_holds_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["book.db", "book.db.key.json"] {
        std::fs::copy(fixture_dir().join(f), dir.path().join(f)).unwrap();
    }
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_dir().join("holdings.json")).unwrap()).unwrap();
    let b = Banyan::open(&opts(&dir.path().join("book.db")), &Unlock::passphrase(PASS)).unwrap();
    assert!(b.check(&admin(&b)).unwrap().is_empty());
    let mut held = holdings(&b);
    strip_new_fields(&mut held);
    for part in ["records", "products", "orders", "customFields", "settings", "imports", "log", "searches"] {
        assert_eq!(held[part], expected[part], "{part} differ after opening the schema-5 book");
    }
    assert!(expected["log"].as_array().unwrap().len() > 1000, "the fixture has a history");

    // Each migrated field change names the one it replaced: the change of the same field of the
    // same row just before it, none for the first; and keeps its sequence number, gap-free.
    let log = b.store().changes(None, banyan::sync::Hlc::ZERO, u32::MAX).unwrap();
    let mut head: std::collections::HashMap<(String, String, String), banyan::store::ChangeRef> = Default::default();
    let mut replaced = 0;
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.origin_seq, i as i64 + 1, "sequence gap at {i}");
        let k = (e.table.clone(), e.row_id.clone(), e.field.clone());
        assert_eq!(e.replaces.as_ref(), head.get(&k), "{e:?}");
        replaced += e.replaces.is_some() as usize;
        head.insert(k, banyan::store::ChangeRef { origin: e.origin.clone(), seq: e.origin_seq });
    }
    assert!(replaced > 20, "{replaced} field changes replaced an earlier one");

    // The history the book had is chained as it migrates (and signed): intact, every entry in.
    let report = b.audit_verify(&admin(&b), &[], &mut |_, _| {}).unwrap();
    assert!(report.intact, "{report:?}");
    let changes = report.chains.iter().find(|c| c.chain == banyan::security::chain::Chain::Changes).unwrap();
    assert!(changes.entries > 100 && changes.checkpoints_in_book >= 1, "{changes:?}");
}

/// The migration of the schema-5 log says how far it has got: from nothing to every field change
/// of the old log, never backwards; so does the index build that follows it, up to every live
/// customer; a book already migrated reports nothing.
#[test]
fn the_log_migration_reports_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["book.db", "book.db.key.json"] {
        std::fs::copy(fixture_dir().join(f), dir.path().join(f)).unwrap();
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(u64, u64)>::new()));
    let mut o = opts(&dir.path().join("book.db"));
    let sink = seen.clone();
    o.store.on_migrate = Some(std::sync::Arc::new(move |d, t| sink.lock().unwrap().push((d, t))));
    let indexed = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(u64, u64)>::new()));
    let sink = indexed.clone();
    o.store.on_reindex = Some(std::sync::Arc::new(move |d, t| sink.lock().unwrap().push((d, t))));
    let b = Banyan::open(&o, &Unlock::passphrase(PASS)).unwrap();
    let reports = seen.lock().unwrap().clone();
    // Three steps report: the log's reshaping (0006, in field changes), its chaining (0012, in
    // entries) and the signing of its transactions (0016), each from nothing to all, never
    // backwards.
    let runs: Vec<&[(u64, u64)]> = reports.split_inclusive(|r| r.0 == r.1).filter(|r| r.len() > 1).collect();
    assert_eq!(runs.len(), 3, "{reports:?}");
    let signed = runs[2];
    let txs = signed[0].1;
    assert!(txs > 0 && signed.first() == Some(&(0, txs)) && signed.last() == Some(&(txs, txs)), "{reports:?}");
    let fields = b.store().change_count().unwrap() as u64;
    // (Less the first admin's, which signing in to verify makes.)
    let entries = b.audit_verify(&admin(&b), &[], &mut |_, _| {}).unwrap().chains[0].entries as u64 - 1;
    for (run, total) in runs.iter().zip([fields, entries]) {
        assert_eq!(run.first(), Some(&(0, total)), "{reports:?}");
        assert_eq!(run.last(), Some(&(total, total)), "{reports:?}");
        assert!(run.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 == w[1].1), "{reports:?}");
    }
    let customers = b.count_customers(&admin(&b), &Default::default()).unwrap() as u64;
    let built = indexed.lock().unwrap().clone();
    assert!(customers > 100, "{customers} customers");
    assert_eq!(built.last(), Some(&(customers, customers)), "{built:?}");
    assert!(built.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 == w[1].1), "{built:?}");
    drop(b);
    seen.lock().unwrap().clear();
    indexed.lock().unwrap().clear();
    drop(Banyan::open(&o, &Unlock::passphrase(PASS)).unwrap());
    assert!(seen.lock().unwrap().is_empty());
    assert!(indexed.lock().unwrap().is_empty());
}

#[test]
fn a_book_from_before_signed_changes_has_its_own_transactions_signed_when_it_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let who = admin(&b);
    for name in ["曾国藩", "Ruth Quillfeather", "李娜"] {
        b.add_customer(&who, &person(name)).unwrap();
    }
    let public = b.store().signing_public_key();
    let device = b.store().device().to_string();
    drop(b);
    // As the book was at schema 15: no signatures, no member keys.
    let key = banyan::security::KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str())).unwrap();
    conn.execute_batch(
        "ALTER TABLE orders DROP COLUMN line_set; ALTER TABLE sync_held DROP COLUMN waiting;
         ALTER TABLE customers DROP COLUMN merged_into; ALTER TABLE customers DROP COLUMN merge_note; DROP TABLE sync_stubs;
         ALTER TABLE imports DROP COLUMN created_at; ALTER TABLE imports DROP COLUMN updated_at;
         ALTER TABLE imports DROP COLUMN deleted_at;
         ALTER TABLE members DROP COLUMN vouch;
         ALTER TABLE changes DROP COLUMN sig; ALTER TABLE members DROP COLUMN signing_key; DROP TABLE sync_seen;
         DROP TABLE sync_deleted_edits; PRAGMA user_version = 15;",
    )
    .unwrap();
    drop(conn);
    let s = Store::open(&path, &Unlock::passphrase(PASS), fast()).unwrap();
    assert_eq!(s.schema_version().unwrap(), LATEST);
    let batch = s.sync_changes(&Default::default(), usize::MAX).unwrap();
    let own: Vec<_> = batch.txs.iter().filter(|t| t.origin == device).collect();
    assert!(own.len() >= 4, "the admin and three customers: {}", own.len());
    let key = banyan::security::chain::PublicKey::from_hex(&public).unwrap();
    for t in own {
        let last = t.entries.last().unwrap();
        let link: [u8; 32] = last.link.as_slice().try_into().unwrap();
        assert!(key.signed_tx(&t.sig, &device, t.tx, last.seq, &link), "transaction {} is signed", t.tx);
    }
}
