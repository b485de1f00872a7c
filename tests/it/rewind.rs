//! Rewind: every change after a moment (or one user's) taken back as one batch.

use crate::common::*;
use banyan::api::{Banyan, Caller, Channel, ErrorCode, MergeRequest};
use banyan::model::{ActivityInput, ContactInput, CustomerInput, CustomerPatch};
use banyan::store::{CustomerFilter, NewKey};
use proptest::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Wall time the test moves: each operation happens 10 ms after the one before.
struct Clock(AtomicI64);

impl banyan::sync::hlc::Clock for Clock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct Book {
    b: Banyan,
    clock: Arc<Clock>,
    admin: Caller,
    _dir: tempfile::TempDir,
}

impl Book {
    fn new() -> Book {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(Clock(AtomicI64::new(1_796_000_000_000)));
        let mut o = opts(&dir.path().join("book.db"));
        o.store.clock = clock.clone();
        let b = Banyan::create(&o, NewKey::Passphrase(PASS.into()), &Default::default()).unwrap();
        let admin = admin(&b);
        Book { b, clock, admin, _dir: dir }
    }

    fn tick(&self) -> i64 {
        self.clock.0.fetch_add(10, Ordering::SeqCst) + 10
    }

    fn now(&self) -> i64 {
        self.clock.0.load(Ordering::SeqCst)
    }

    /// Live customers, ids in the order made.
    fn ids(&self) -> Vec<String> {
        let f = CustomerFilter { limit: Some(10_000), ..Default::default() };
        let mut ids: Vec<String> =
            self.b.customers(&self.admin, &f).unwrap().into_iter().map(|c| c.id.to_string()).collect();
        ids.sort();
        ids
    }

    /// What a user sees of the book: every live customer's record (fields, contacts, activities),
    /// without the times of last change (a rewind is a change too).
    fn canonical(&self) -> serde_json::Value {
        let mut out = Vec::new();
        for id in self.ids() {
            let r = self.b.customer_record(&self.admin, &id).unwrap();
            let mut v = serde_json::to_value(&r).unwrap();
            strip(&mut v);
            out.push(v);
        }
        serde_json::Value::Array(out)
    }

    fn rfc3339(ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("updatedAt");
            m.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add(u8),
    Rename(usize, u8),
    City(usize, u8),
    Tags(usize, u8),
    Delete(usize),
    Contact(usize, u8),
    Activity(usize, u8),
    Merge(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u8>().prop_map(Op::Add),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, n)| Op::Rename(i, n)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, n)| Op::City(i, n)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, n)| Op::Tags(i, n)),
        1 => any::<usize>().prop_map(Op::Delete),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, n)| Op::Contact(i, n)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, n)| Op::Activity(i, n)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Op::Merge(i, j)),
    ]
}

const NAMES: &[&str] = &["张伟", "王芳", "Acme Trading", "李娜", "Northwind", "刘洋", "Globex", "陈静"];
const CITIES: &[&str] = &["杭州", "上海", "Berlin", "深圳"];

/// Runs one operation as `who` on a live customer picked by index (none when there are none).
fn run(bk: &Book, who: &Caller, op: &Op) {
    bk.tick();
    let ids = bk.ids();
    let pick = |i: usize| (!ids.is_empty()).then(|| ids[i % ids.len()].clone());
    let b = &bk.b;
    let name = |n: u8| format!("{}{}", NAMES[n as usize % NAMES.len()], n / 8);
    match op {
        Op::Add(n) => {
            let input = CustomerInput { kind: Some("company".into()), name: Some(name(*n)), ..Default::default() };
            b.add_customer(who, &input).unwrap();
        }
        Op::Rename(i, n) => {
            if let Some(id) = pick(*i) {
                b.update_customer(who, &id, &CustomerPatch { name: Some(name(*n)), ..Default::default() }).unwrap();
            }
        }
        Op::City(i, n) => {
            if let Some(id) = pick(*i) {
                let city = CITIES[*n as usize % CITIES.len()].to_string();
                b.update_customer(who, &id, &CustomerPatch { city: Some(city), ..Default::default() }).unwrap();
            }
        }
        Op::Tags(i, n) => {
            if let Some(id) = pick(*i) {
                let tags = vec![format!("t{}", n % 3), "vip".into()];
                b.update_customer(who, &id, &CustomerPatch { tags: Some(tags), ..Default::default() }).unwrap();
            }
        }
        Op::Delete(i) => {
            if let Some(id) = pick(*i) {
                b.delete_customer(who, &id).unwrap();
            }
        }
        Op::Contact(i, n) => {
            if let Some(id) = pick(*i) {
                let input = ContactInput { name: Some(format!("联系人{n}")), ..Default::default() };
                b.add_contact(who, &id, &input).unwrap();
            }
        }
        Op::Activity(i, n) => {
            if let Some(id) = pick(*i) {
                let input = ActivityInput {
                    kind: Some("call".into()),
                    occurred_at: Some("2026-12-01 10:00".into()),
                    text: Some(format!("call {n}")),
                };
                b.add_activity(who, &id, &input).unwrap();
            }
        }
        Op::Merge(i, j) => {
            if let (Some(a), Some(c)) = (pick(*i), pick(*j))
                && a != c
            {
                let req = MergeRequest { survivor_id: a, other_id: c, take: Default::default() };
                b.merge(who, &req).unwrap();
            }
        }
    }
}

/// Cases per run: `cargo xtask test` runs a bounded slice; `PROPTEST_CASES` runs more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64)
}

#[test]
fn rewinding_to_a_moment_gives_back_the_book_as_it_was_then() {
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: cases(),
        failure_persistence: None,
        ..Default::default()
    });
    let strategy = (proptest::collection::vec(op(), 0..12), proptest::collection::vec(op(), 1..16));
    runner
        .run(&strategy, |(before, after)| {
            let bk = Book::new();
            let admin = bk.admin.clone();
            for o in &before {
                run(&bk, &admin, o);
            }
            let then = bk.canonical();
            let moment = bk.now();
            for o in &after {
                run(&bk, &admin, o);
            }
            let preview = bk.b.rewind_preview(&admin, &Book::rfc3339(moment), None).unwrap();
            bk.tick();
            let done = bk.b.rewind(&admin, &Book::rfc3339(moment), None).unwrap();
            prop_assert!(done.preview.conflicts.is_empty(), "{:?}", done.preview.conflicts);
            prop_assert_eq!(done.preview.items.len(), preview.items.len());
            let now = bk.canonical();
            prop_assert_eq!(&now, &then, "before {:?}\nafter {:?}", before, after);
            // Search agrees with the records: every customer of then is found by name.
            for c in then.as_array().unwrap() {
                let name = c["customer"]["name"].as_str().unwrap();
                let hits = bk.b.search_customers(&admin, name, &Default::default(), 50).unwrap();
                prop_assert!(hits.iter().any(|h| h.customer.id.to_string() == c["customer"]["id"].as_str().unwrap()));
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_rewind_of_one_user_keeps_what_others_changed_since_and_is_itself_taken_back() {
    let bk = Book::new();
    let admin = bk.admin.clone();
    let sales = user_with_role(&bk.b, &admin, "sam", "manager", Channel::Desktop);
    let b = &bk.b;
    bk.tick();
    let kept = b.add_customer(&admin, &person("保留客户")).unwrap().id.to_string();
    bk.tick();
    let edited = b.add_customer(&admin, &person("Edited Person")).unwrap().id.to_string();
    bk.tick();
    let moment = bk.now();
    // After the moment, Sam makes a customer, deletes one, renames another and sets its city;
    // the admin then changes the city again and adds an activity.
    bk.tick();
    let made = b.add_customer(&sales, &person("Sam's New Lead")).unwrap().id.to_string();
    bk.tick();
    b.delete_customer(&sales, &kept).unwrap();
    bk.tick();
    let patch = CustomerPatch { name: Some("Wrong Name".into()), city: Some("上海".into()), ..Default::default() };
    b.update_customer(&sales, &edited, &patch).unwrap();
    bk.tick();
    b.update_customer(&admin, &edited, &CustomerPatch { city: Some("杭州".into()), ..Default::default() }).unwrap();
    let to = Book::rfc3339(moment);

    let p = b.rewind_preview(&admin, &to, Some("sam")).unwrap();
    assert_eq!(p.user.as_deref(), Some("sam"));
    let actions: Vec<(String, String, Vec<String>)> =
        p.items.iter().map(|i| (i.customer.clone(), i.action.clone(), i.fields.clone())).collect();
    assert_eq!(
        actions,
        vec![
            ("Sam's New Lead".to_string(), "remove".to_string(), vec![]),
            ("保留客户".to_string(), "bring-back".to_string(), vec![]),
            ("Wrong Name".to_string(), "fields".to_string(), vec!["name".to_string()]),
        ]
    );
    assert!(p.items.iter().all(|i| i.by == vec!["sam".to_string()]), "{:?}", p.items);
    let kept_fields: Vec<(&str, &str)> = p.conflicts.iter().map(|c| (c.name.as_str(), c.field.as_str())).collect();
    assert_eq!(kept_fields, vec![("Wrong Name", "city")], "the admin's later city stays");
    // The preview changed nothing.
    assert_eq!(b.customer(&admin, &edited).unwrap().name, "Wrong Name");

    bk.tick();
    let r = b.rewind(&admin, &to, Some("sam")).unwrap();
    assert_eq!((r.removed, r.restored), (1, 2), "one removed; one brought back and one field");
    let e = b.customer(&admin, &edited).unwrap();
    assert_eq!((e.name.as_str(), e.city.as_deref()), ("Edited Person", Some("杭州")));
    assert!(b.customer(&admin, &made).unwrap().deleted, "Sam's new lead is gone");
    assert!(!b.customer(&admin, &kept).unwrap().deleted, "the deleted customer is back");
    let hits = b.search_customers(&admin, "保留客户", &Default::default(), 10).unwrap();
    assert!(hits.iter().any(|h| h.customer.id.to_string() == kept), "found by search again");

    // The rewind is one batch: reverting it brings back what it took back.
    bk.tick();
    b.revert(&admin, &banyan::api::Revert::Batch(r.batch_id.clone())).unwrap();
    assert_eq!(b.customer(&admin, &edited).unwrap().name, "Wrong Name");
    assert!(b.customer(&admin, &kept).unwrap().deleted);
    assert!(!b.customer(&admin, &made).unwrap().deleted);
}

#[test]
fn a_rewind_keeps_orders_and_products_and_says_so_and_refuses_bad_input() {
    let bk = Book::new();
    let admin = bk.admin.clone();
    let b = &bk.b;
    bk.tick();
    let c = b.add_customer(&admin, &person("Order Customer")).unwrap().id.to_string();
    bk.tick();
    let moment = bk.now();
    bk.tick();
    let product = banyan::model::ProductInput {
        sku: Some("TEA-1".into()),
        name: Some("龙井".into()),
        price: Some("10".into()),
        ..Default::default()
    };
    b.add_product(&admin, &product).unwrap();
    bk.tick();
    let order = banyan::model::OrderInput {
        customer_id: c.clone(),
        lines: vec![banyan::model::LineInput { sku: "TEA-1".into(), quantity: "1".into(), discount: None }],
        notes: None,
    };
    b.create_order(&admin, &order).unwrap();
    let p = b.rewind_preview(&admin, &Book::rfc3339(moment), None).unwrap();
    assert!(p.items.is_empty(), "{:?}", p.items);
    let kept: Vec<&str> = p.kept.iter().map(|k| k.entity.as_str()).collect();
    assert!(kept.contains(&"product") && kept.contains(&"order"), "{kept:?}");

    let e = b.rewind_preview(&admin, "yesterday-ish", None).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("to")), "{}", e.message);
    assert!(e.message.contains("yesterday-ish"), "{}", e.message);
    let e = b.rewind_preview(&admin, &Book::rfc3339(moment), Some("nobody")).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Invalid, Some("user")), "{}", e.message);
    // Only who may change settings rewinds.
    let sales = user_with_role(b, &admin, "rep", "sales", Channel::Desktop);
    assert_eq!(b.rewind_preview(&sales, &Book::rfc3339(moment), None).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(b.rewind(&sales, &Book::rfc3339(moment), None).unwrap_err().code, ErrorCode::Forbidden);
}

#[test]
fn moments_are_read_as_people_type_them() {
    use banyan::api::parse_moment;
    let local = |y, m, d, h, mi, s| {
        use chrono::TimeZone;
        chrono::Local.with_ymd_and_hms(y, m, d, h, mi, s).unwrap().timestamp_millis()
    };
    assert_eq!(parse_moment("2026-12-07 14:59"), Some(local(2026, 12, 7, 14, 59, 0)));
    assert_eq!(parse_moment("2026/12/07 14:59:30"), Some(local(2026, 12, 7, 14, 59, 30)));
    assert_eq!(parse_moment("2026-12-07T14:59:30.250"), Some(local(2026, 12, 7, 14, 59, 30) + 250));
    assert_eq!(parse_moment("2026.12.07"), Some(local(2026, 12, 7, 0, 0, 0)));
    assert_eq!(parse_moment("2026-12-07T06:59:00Z"), Some(1_796_626_740_000));
    assert_eq!(parse_moment("2026-12-07T14:59:00+08:00"), Some(1_796_626_740_000));
    assert_eq!(parse_moment("14:59"), None);
    assert_eq!(parse_moment("2026-13-01"), None);
}

/// A merge rewound brings the other customer back as a customer of its own: no longer marked as
/// merged into the survivor (synced changes for it would go to the survivor), its contacts back.
#[test]
fn a_rewound_merge_leaves_no_pointer_to_the_survivor() {
    let bk = Book::new();
    let admin = bk.admin.clone();
    let b = &bk.b;
    bk.tick();
    let keep = b
        .add_customer(
            &admin,
            &CustomerInput { kind: Some("company".into()), name: Some("Survivor Co".into()), ..Default::default() },
        )
        .unwrap()
        .id
        .to_string();
    bk.tick();
    let gone = b
        .add_customer(
            &admin,
            &CustomerInput { kind: Some("company".into()), name: Some("Merged Co".into()), ..Default::default() },
        )
        .unwrap()
        .id
        .to_string();
    bk.tick();
    b.add_contact(&admin, &gone, &ContactInput { name: Some("王经理".into()), ..Default::default() }).unwrap();
    bk.tick();
    let moment = bk.now();
    bk.tick();
    b.merge(&admin, &MergeRequest { survivor_id: keep.clone(), other_id: gone.clone(), take: Default::default() })
        .unwrap();
    let merged_into = |id: &str| -> Option<String> {
        b.store()
            .changes(Some(id), banyan::sync::Hlc::ZERO, u32::MAX)
            .unwrap()
            .into_iter()
            .rev()
            .find(|e| e.field == "merged_into")
            .and_then(|e| e.value)
            .filter(|v| v != "null")
    };
    assert!(merged_into(&gone).is_some(), "the merge marked it");
    bk.tick();
    b.rewind(&admin, &Book::rfc3339(moment), None).unwrap();
    assert!(merged_into(&gone).is_none(), "the rewind took the mark back");
    let r = b.customer_record(&admin, &gone).unwrap();
    assert!(!r.customer.deleted);
    assert_eq!(r.contacts.len(), 1, "its contact is its own again");
    assert!(b.customer_record(&admin, &keep).unwrap().contacts.is_empty());
}
