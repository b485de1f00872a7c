//! The write gateway: every changed field logged (one entry per row change), with the change it
//! replaced; tombstones; and a clock that never goes back.

use crate::common::*;
use banyan::api::{Banyan, Settings};
use banyan::model::CustomerPatch;
use banyan::security::Unlock;
use banyan::store::NewKey;
use banyan::sync::{Clock, Hlc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

struct ManualClock(AtomicI64);

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[test]
fn updates_log_only_changed_fields_with_old_values() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let mut input = person("Li Wei");
    input.city = Some("上海".into());
    input.emails = vec!["li.wei@example.com".into()];
    let c = b.add_customer(&admin(&b), &input).unwrap();
    let id = c.id.to_string();
    let logged = b.store().changes(Some(&id), banyan::sync::Hlc::ZERO, 100).unwrap();
    let fields: Vec<&str> = logged.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"city") && fields.contains(&"emails"), "{fields:?}");
    assert!(logged.iter().all(|e| e.op == "insert" && e.user == admin(&b).user().to_string()));

    let patch = CustomerPatch { city: Some("北京".into()), name: Some("Li Wei".into()), ..Default::default() };
    b.update_customer(&admin(&b), &id, &patch).unwrap();
    let after = b.store().changes(Some(&id), logged.last().unwrap().hlc, 100).unwrap();
    assert_eq!(after.len(), 1, "only the city changed: {after:?}");
    assert_eq!(after[0].field, "city");
    assert_eq!(after[0].value.as_deref(), Some("\"北京\""));
    assert_eq!(after[0].old_value.as_deref(), Some("\"上海\""));

    // An update that changes nothing writes nothing.
    let n = b.store().change_count().unwrap();
    b.update_customer(&admin(&b), &id, &patch).unwrap();
    assert_eq!(b.store().change_count().unwrap(), n);
}

#[test]
fn delete_is_a_tombstone_that_keeps_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let c = b.add_customer(&admin(&b), &person("王芳")).unwrap();
    b.delete_customer(&admin(&b), &c.id.to_string()).unwrap();
    let gone = b.customer(&admin(&b), &c.id.to_string()).unwrap();
    assert!(gone.deleted);
    assert_eq!(gone.name, "王芳");
    assert!(b.customers(&admin(&b), &Default::default()).unwrap().is_empty());
    let log = b.store().changes(Some(&c.id.to_string()), banyan::sync::Hlc::ZERO, 100).unwrap();
    assert_eq!(log.last().unwrap().op, "delete");
    // Deleting twice is "not found", and a deleted customer cannot be edited.
    assert_eq!(b.delete_customer(&admin(&b), &c.id.to_string()).unwrap_err().code, banyan::api::ErrorCode::NotFound);
    let err = b
        .update_customer(&admin(&b), &c.id.to_string(), &CustomerPatch { city: Some("x".into()), ..Default::default() })
        .unwrap_err();
    assert_eq!(err.code, banyan::api::ErrorCode::NotFound);
}

#[test]
fn origin_sequence_is_gap_free_and_hlc_increases() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    for i in 0..5 {
        b.add_customer(&admin(&b), &person(&format!("Customer {i}"))).unwrap();
    }
    let log = b.store().changes(None, banyan::sync::Hlc::ZERO, 10_000).unwrap();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.origin_seq, i as i64 + 1, "gap-free per origin");
        assert_eq!(e.origin, b.store().device().to_string());
    }
    for w in log.windows(2) {
        assert!(w[1].hlc >= w[0].hlc);
        if w[1].tx != w[0].tx {
            assert!(w[1].hlc > w[0].hlc, "each transaction gets a later clock");
        }
    }
}

#[test]
fn hlc_never_goes_backwards_even_when_the_wall_clock_does_and_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clock.db");
    let clock = Arc::new(ManualClock(AtomicI64::new(1_800_000_000_000)));
    let mut o = opts(&path);
    o.store.clock = clock.clone();
    let key = banyan::security::DbKey::from_bytes([7; 32]);
    let b = Banyan::create(&o, NewKey::Raw(key.clone()), &Settings::default()).unwrap();
    b.add_customer(&admin(&b), &person("A")).unwrap();
    clock.0.store(1_000_000_000_000, Ordering::SeqCst); // the wall clock jumps back years
    b.add_customer(&admin(&b), &person("B")).unwrap();
    drop(b);
    clock.0.store(5, Ordering::SeqCst);
    let b = Banyan::open(&o, &Unlock::Raw(key)).unwrap();
    b.add_customer(&admin(&b), &person("C")).unwrap();
    let log = b.store().changes(None, banyan::sync::Hlc::ZERO, 10_000).unwrap();
    let mut last = Hlc::ZERO;
    let mut last_tx = 0;
    for e in &log {
        if e.tx != last_tx {
            assert!(e.hlc > last, "clock went back: {:?} after {:?}", e.hlc, last);
            last_tx = e.tx;
        }
        last = e.hlc;
    }
    assert!(last.wall_ms() >= 1_800_000_000_000);
}

/// Sync tells a concurrent edit from a later one by what each change replaced: every logged field
/// change names the change of that field it replaced (none for the first), and two edits of one
/// field made on copies of the book that never saw each other name the same one.
#[test]
fn each_field_change_names_the_change_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let mut input = person("Li Wei");
    input.city = Some("上海".into());
    let c = b.add_customer(&admin(&b), &input).unwrap();
    let id = c.id.to_string();
    let log = |b: &Banyan| b.store().changes(Some(&id), Hlc::ZERO, 100).unwrap();
    let of = |log: &[banyan::store::ChangeEntry], field: &str| -> Vec<banyan::store::ChangeEntry> {
        log.iter().filter(|e| e.field == field).cloned().collect()
    };
    let refer =
        |e: &banyan::store::ChangeEntry| banyan::store::ChangeRef { origin: e.origin.clone(), seq: e.origin_seq };
    assert!(log(&b).iter().all(|e| e.replaces.is_none()), "an insert replaces nothing");
    b.update_customer(&admin(&b), &id, &CustomerPatch { city: Some("北京".into()), ..Default::default() }).unwrap();
    b.update_customer(&admin(&b), &id, &CustomerPatch { name: Some("Li Wei Jr".into()), ..Default::default() })
        .unwrap();
    b.update_customer(&admin(&b), &id, &CustomerPatch { city: Some("深圳".into()), ..Default::default() }).unwrap();
    b.update_customer(&admin(&b), &id, &CustomerPatch { notes: Some("first note".into()), ..Default::default() })
        .unwrap();
    let now = log(&b);
    let city = of(&now, "city");
    assert_eq!(city.len(), 3);
    assert_eq!(city[1].replaces, Some(refer(&city[0])));
    assert_eq!(city[2].replaces, Some(refer(&city[1])));
    let name = of(&now, "name");
    assert_eq!(name[1].replaces, Some(refer(&name[0])));
    assert_eq!(of(&now, "notes")[0].replaces, None, "a field set for the first time replaces nothing");
    let head = refer(city.last().unwrap());
    drop(b);

    // A copy of the book, edited apart from the original: both edits replace the same head.
    let other = tempfile::tempdir().unwrap();
    let copy = other.path().join("book.db");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::copy(dir.path().join("book.db.key.json"), other.path().join("book.db.key.json")).unwrap();
    let mine = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    let theirs = Banyan::open(&opts(&copy), &Unlock::passphrase(PASS)).unwrap();
    mine.update_customer(&admin(&mine), &id, &CustomerPatch { city: Some("广州".into()), ..Default::default() })
        .unwrap();
    theirs
        .update_customer(&admin(&theirs), &id, &CustomerPatch { city: Some("杭州".into()), ..Default::default() })
        .unwrap();
    for (b, value) in [(&mine, "\"广州\""), (&theirs, "\"杭州\"")] {
        let last = of(&log(b), "city").pop().unwrap();
        assert_eq!(last.value.as_deref(), Some(value));
        assert_eq!(last.replaces, Some(head.clone()));
    }
    // A delete names the field's head too (none: the customer was never deleted before).
    mine.delete_customer(&admin(&mine), &id).unwrap();
    let deleted = of(&log(&mine), "deleted_at");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].replaces, None);
}

/// A book left open (the desktop, all day) copies a large write back from its write-ahead log
/// into the database file by itself, on its upkeep thread, without waiting for another write or
/// for the close; and the next write reuses the log instead of growing it.
#[test]
fn an_open_book_folds_a_large_write_back_into_its_file_and_reuses_the_log() {
    use banyan::demo::DemoGen;
    use banyan::model::ValidationContext;
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let wal = path.with_extension("db-wal");
    let ctx = ValidationContext::default();
    let mut g = DemoGen::new(3);
    let actor = banyan::store::Actor::default();
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let rows: Vec<_> = (0..6000).map(|_| g.valid_customer(&ctx)).collect();
    let before = size(&path);
    b.store().add_customers(&actor, &rows).unwrap();
    let first_wal = size(&wal);
    assert!(first_wal > 4_000_000, "a write of over 1,000 pages: WAL {first_wal} bytes");
    b.store().settle();
    let folded = size(&path);
    assert!(folded > before + 2_000_000, "the database file took the write: {before} -> {folded} bytes");
    let more: Vec<_> = (0..6000).map(|_| g.valid_customer(&ctx)).collect();
    b.store().add_customers(&actor, &more).unwrap();
    let second_wal = size(&wal);
    assert!(second_wal < first_wal * 3 / 2, "the log was reused: {first_wal} then {second_wal} bytes");
    b.store().settle();
    assert!(size(&path) > folded, "the second write reached the file too");
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 12_000);
}
