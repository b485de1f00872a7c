//! The write gateway: one log entry per changed field, tombstones, and a clock that never goes back.

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
    let c = b.add_customer(&input).unwrap();
    let id = c.id.to_string();
    let logged = b.store().changes(Some(&id), banyan::sync::Hlc::ZERO, 100).unwrap();
    let fields: Vec<&str> = logged.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"city") && fields.contains(&"emails"), "{fields:?}");
    assert!(logged.iter().all(|e| e.op == "insert" && e.user == "tester"));

    let patch = CustomerPatch { city: Some("北京".into()), name: Some("Li Wei".into()), ..Default::default() };
    b.update_customer(&id, &patch).unwrap();
    let after = b.store().changes(Some(&id), logged.last().unwrap().hlc, 100).unwrap();
    assert_eq!(after.len(), 1, "only the city changed: {after:?}");
    assert_eq!(after[0].field, "city");
    assert_eq!(after[0].value.as_deref(), Some("\"北京\""));
    assert_eq!(after[0].old_value.as_deref(), Some("\"上海\""));

    // An update that changes nothing writes nothing.
    let n = b.store().change_count().unwrap();
    b.update_customer(&id, &patch).unwrap();
    assert_eq!(b.store().change_count().unwrap(), n);
}

#[test]
fn delete_is_a_tombstone_that_keeps_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let c = b.add_customer(&person("王芳")).unwrap();
    b.delete_customer(&c.id.to_string()).unwrap();
    let gone = b.customer(&c.id.to_string()).unwrap();
    assert!(gone.deleted);
    assert_eq!(gone.name, "王芳");
    assert!(b.customers(&Default::default()).unwrap().is_empty());
    let log = b.store().changes(Some(&c.id.to_string()), banyan::sync::Hlc::ZERO, 100).unwrap();
    assert_eq!(log.last().unwrap().op, "delete");
    // Deleting twice is "not found", and a deleted customer cannot be edited.
    assert_eq!(b.delete_customer(&c.id.to_string()).unwrap_err().code, banyan::api::ErrorCode::NotFound);
    let err = b
        .update_customer(&c.id.to_string(), &CustomerPatch { city: Some("x".into()), ..Default::default() })
        .unwrap_err();
    assert_eq!(err.code, banyan::api::ErrorCode::NotFound);
}

#[test]
fn origin_sequence_is_gap_free_and_hlc_increases() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    for i in 0..5 {
        b.add_customer(&person(&format!("Customer {i}"))).unwrap();
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
    b.add_customer(&person("A")).unwrap();
    clock.0.store(1_000_000_000_000, Ordering::SeqCst); // the wall clock jumps back years
    b.add_customer(&person("B")).unwrap();
    drop(b);
    clock.0.store(5, Ordering::SeqCst);
    let b = Banyan::open(&o, &Unlock::Raw(key)).unwrap();
    b.add_customer(&person("C")).unwrap();
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
