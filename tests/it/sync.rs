//! Sync's replica seam (src/store/replica.rs) between real encrypted books: desktops that made
//! changes offline and exchange them in any order, cut into any batches, delivered twice, relayed
//! through one another, end with the same rows, the same fields waiting for a decision and the
//! same search answers; a change that is not what its origin's audit chain says is refused whole.

use crate::common::*;
use banyan::api::{Banyan, Caller};
use banyan::model::CustomerPatch;
use banyan::security::keys::Unlock;
use banyan::store::Store;
use banyan::store::{CustomerFilter, SearchFilter};
use banyan::sync::Clock;
use banyan::sync::wire::Batch;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

struct Desk {
    b: Banyan,
    who: Caller,
}

/// A book with a few customers and its admin, as every desktop of a team starts: a copy of it.
fn seed(dir: &Path) -> PathBuf {
    let (b, path) = new_book(&dir.join("seed"));
    let who = admin(&b);
    for (name, city) in [("王芳", "上海"), ("Ruth Quillfeather", "Boston"), ("李娜", "北京"), ("Anna Müller", "Berlin")]
    {
        let mut c = person(name);
        c.city = Some(city.into());
        c.phones = vec!["+8613800138000".into()];
        b.add_customer(&who, &c).expect("seed customer");
    }
    // Three draft orders for the schedules to move along (on several desktops at once).
    let product = banyan::model::ProductInput {
        sku: Some("TEA-LJ".into()),
        name: Some("龙井".into()),
        price: Some("19.99".into()),
        tax_rate: Some("13".into()),
        ..Default::default()
    };
    b.add_product(&who, &product).expect("seed product");
    let first = b.customers(&who, &CustomerFilter::default()).unwrap()[0].id.to_string();
    for _ in 0..3 {
        let lines = vec![banyan::model::LineInput { sku: "TEA-LJ".into(), quantity: "2".into(), discount: None }];
        let input = banyan::model::OrderInput { customer_id: first.clone(), lines, notes: None };
        b.create_order(&who, &input).expect("seed order");
    }
    // The desktops that will join, admitted as the inviting desktop admits them (each with the
    // key it signs its changes with), in a file beside the seed: one is taken per copy.
    let mut slots = Vec::new();
    for i in 0..8 {
        let key = banyan::security::chain::DeviceKey::random().unwrap();
        let device = banyan::model::DeviceId::new(chrono::Utc::now().timestamp_millis()).to_string();
        let code = b.sync_admit(&who, &device, &format!("desk {i}"), &"ab".repeat(32), &key.public_hex()).unwrap();
        slots.push((device, code, key.to_hex().to_string()));
    }
    std::fs::write(slots_file(&path), serde_json::to_string(&slots).unwrap()).unwrap();
    drop(b);
    path
}

fn slots_file(seed: &Path) -> PathBuf {
    seed.with_extension("slots.json")
}

/// The next member slot of the seed book for a desktop made in `dir` (desktops made side by side
/// take different ones): (device, code, signing key hex).
fn next_slot(seed: &Path, dir: &Path) -> (String, String, String) {
    static TAKEN: std::sync::Mutex<Vec<(PathBuf, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut taken = TAKEN.lock().unwrap();
    let team = (seed.to_path_buf(), dir.parent().unwrap_or(dir).to_path_buf());
    let n = taken.iter().filter(|t| **t == team).count();
    taken.push(team);
    let slots: Vec<(String, String, String)> =
        serde_json::from_str(&std::fs::read_to_string(slots_file(seed)).unwrap()).unwrap();
    slots.into_iter().nth(n).expect("a free member slot in the seed book")
}

/// A desktop that joined the team: a copy of the seed book with an identity of its own (one the
/// seed admitted as a member).
fn join(seed: &Path, dir: &Path) -> Desk {
    join_with(seed, dir, None, true)
}

/// [`join`], with a clock of its own (`ahead_ms` past the real one) or keeping the copied
/// identity (a copied file that did not take a new one).
fn join_with(seed: &Path, dir: &Path, ahead_ms: Option<i64>, new_identity: bool) -> Desk {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("book.db");
    for suffix in ["", ".key.json"] {
        let mut from = seed.as_os_str().to_owned();
        from.push(suffix);
        let mut to = path.as_os_str().to_owned();
        to.push(suffix);
        std::fs::copy(PathBuf::from(from), PathBuf::from(to)).expect("copy the seed");
    }
    if new_identity {
        let (device, code, key) = next_slot(seed, dir);
        let mut s = Store::open(&path, &Unlock::passphrase(PASS), fast()).expect("open the copy");
        let key = banyan::security::chain::DeviceKey::from_hex(&key).unwrap();
        s.take_identity(device.parse().unwrap(), code, key).expect("new identity");
        drop(s);
    }
    let mut o = opts(&path);
    if let Some(ms) = ahead_ms {
        o.store.clock = std::sync::Arc::new(Ahead(ms));
    }
    let b = Banyan::open(&o, &Unlock::passphrase(PASS)).expect("open");
    let who = admin(&b);
    Desk { b, who }
}

/// A wall clock `.0` ms ahead of the real one.
struct Ahead(i64);

impl banyan::sync::Clock for Ahead {
    fn now_ms(&self) -> i64 {
        banyan::sync::SystemClock.now_ms() + self.0
    }
}

/// Sends what `to` lacks from `from`, `limit` field changes a batch; each batch delivered twice
/// when `twice`. Returns the field changes applied.
fn pull(from: &Desk, to: &Desk, limit: usize, twice: bool) -> u32 {
    let mut applied = 0;
    loop {
        let want = to.b.store().sync_vector().unwrap();
        let Batch { txs, more } = from.b.store().sync_changes(&want, limit).unwrap();
        if txs.is_empty() {
            return applied;
        }
        let r = to.b.store().sync_apply(&txs).unwrap();
        assert_eq!(r.waiting, 0, "a batch in clock order waits for nothing: {r:?}");
        applied += r.changes;
        if twice {
            let again = to.b.store().sync_apply(&txs).unwrap();
            assert_eq!((again.changes, again.repeats as usize), (0, txs.len()), "a repeat is a no-op");
        }
        if !more {
            return applied;
        }
    }
}

/// Until nobody learns anything new.
fn settle(desks: &[Desk]) {
    loop {
        let mut moved = 0;
        for a in desks {
            for b in desks {
                if !std::ptr::eq(a, b) {
                    moved += pull(a, b, 1_000, false);
                }
            }
        }
        if moved == 0 {
            return;
        }
    }
}

fn ids(d: &Desk) -> Vec<String> {
    let f = CustomerFilter { include_deleted: false, ..Default::default() };
    d.b.customers(&d.who, &f).unwrap().into_iter().map(|c| c.id.to_string()).collect()
}

const PHONES: &[&str] =
    &["+8613912345678", "+8613700001111", "+8618612340000", "+8615011112222", "+8613122223333", "+12128258417"];
const CITIES: &[&str] = &["上海", "杭州", "Boston", "深圳"];

/// One random change on one desktop (a change the book refuses, such as one to a customer
/// deleted meanwhile, is no change). Phones added and removed are noted.
/// What the schedules did: phones added and removed (per customer), statuses each order was
/// moved to anywhere.
#[derive(Default)]
struct Done {
    added: BTreeSet<(String, String)>,
    removed: BTreeSet<(String, String)>,
    statuses: std::collections::BTreeMap<String, BTreeSet<String>>,
    /// Customers deleted (not merged) somewhere.
    deleted: BTreeSet<String>,
}

fn act(rng: &mut StdRng, d: &Desk, done: &mut Done) {
    let (added, removed) = (&mut done.added, &mut done.removed);
    if rng.random_ratio(1, 16) {
        // A small import, or taking back one this desktop lists (made here or elsewhere).
        let dir = d.b.path().parent().unwrap().to_path_buf();
        let done: Vec<String> =
            d.b.imports(&d.who).unwrap().into_iter().filter(|i| i.status == "done").map(|i| i.id).collect();
        if !done.is_empty() && rng.random_ratio(1, 2) {
            let batch = &done[rng.random_range(0..done.len())];
            d.b.undo_import(&d.who, batch, &mut |_, _| {}, &|| false).unwrap();
        } else {
            let csv = dir.join("import.csv");
            let n = rng.random_range(0..10_000);
            std::fs::write(&csv, format!("name,city\n导入 {n},杭州\nImported {n},Boston\n")).unwrap();
            let rejects = dir.join("rejects.csv");
            d.b.import_file(&d.who, &csv, &Default::default(), Some(&rejects), &mut |_, _| {}, &|| false).unwrap();
        }
        return;
    }
    if rng.random_ratio(1, 8) {
        // An order one step along, as this desktop knows it.
        let orders = d.b.orders(&d.who, &Default::default()).unwrap();
        let o = &orders[rng.random_range(0..orders.len())];
        if o.status.lines_editable() && rng.random_ratio(1, 2) {
            // A draft's lines replaced (on several desktops at once: one set shows).
            let lines: Vec<banyan::model::LineInput> = (0..rng.random_range(1..3))
                .map(|_| banyan::model::LineInput {
                    sku: "TEA-LJ".into(),
                    quantity: rng.random_range(1..10).to_string(),
                    discount: None,
                })
                .collect();
            d.b.update_order_lines(&d.who, &o.number, &lines, None).unwrap();
            return;
        }
        let next = o.status.next();
        if !next.is_empty() {
            let to = next[rng.random_range(0..next.len())];
            d.b.set_order_status(&d.who, &o.number, to.as_str()).unwrap();
            done.statuses.entry(o.number.clone()).or_default().insert(to.as_str().to_string());
        }
        return;
    }
    let list = ids(d);
    if list.is_empty() || rng.random_ratio(1, 8) {
        let mut c = person(&format!("客户 {}", rng.random_range(0..10_000)));
        c.city = Some(CITIES[rng.random_range(0..CITIES.len())].into());
        let _ = d.b.add_customer(&d.who, &c);
        return;
    }
    let id = list[rng.random_range(0..list.len())].clone();
    if list.len() > 2 && rng.random_ratio(1, 10) {
        // Two customers merged (maybe the other way round on another desktop).
        let other = list[rng.random_range(0..list.len())].clone();
        if other != id {
            merge(d, &id, &other);
        }
        return;
    }
    let Ok(now) = d.b.customer(&d.who, &id) else { return };
    let mut patch = CustomerPatch::default();
    match rng.random_range(0..10) {
        0..=2 => patch.city = Some(CITIES[rng.random_range(0..CITIES.len())].into()),
        3..=5 => {
            let p = PHONES[rng.random_range(0..PHONES.len())].to_string();
            let mut phones = now.phones.clone();
            if !phones.contains(&p) {
                phones.push(p.clone());
                added.insert((id.clone(), p));
            }
            patch.phones = Some(phones);
        }
        6 => {
            if now.phones.is_empty() {
                return;
            }
            let gone = now.phones[rng.random_range(0..now.phones.len())].clone();
            removed.insert((id.clone(), gone.clone()));
            patch.phones = Some(now.phones.iter().filter(|p| **p != gone).cloned().collect());
        }
        7 => patch.tags = Some(vec![format!("t{}", rng.random_range(0..3))]),
        8 => patch.notes = Some(format!("note {}", rng.random_range(0..100))),
        _ => {
            let _ = d.b.delete_customer(&d.who, &id);
            done.deleted.insert(id);
            return;
        }
    }
    let _ = d.b.update_customer(&d.who, &id, &patch);
}

/// One schedule: `n` desktops, random changes and random deliveries (cut into batches, some
/// twice, some relayed), then everyone talks to everyone; all must end alike.
fn schedule(seed_book: &Path, dir: &Path, seed: u64, n: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let desks: Vec<Desk> = (0..n).map(|i| join(seed_book, &dir.join(format!("d{i}")))).collect();
    let mut done = Done::default();
    for _ in 0..rng.random_range(6..24) {
        if rng.random_ratio(2, 3) {
            let who = rng.random_range(0..n);
            act(&mut rng, &desks[who], &mut done);
        } else {
            let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
            if a != b {
                let limit = rng.random_range(1..12);
                pull(&desks[a], &desks[b], limit, rng.random_ratio(1, 3));
            }
        }
    }
    settle(&desks);
    let conflicts: i64 = desks[0].b.store().sync_conflict_count().unwrap();
    eprintln!(
        "seed {seed}: {n} desks, {} phones added, {} orders moved, {} imports ({} undone), {conflicts} conflicts, vector {:?}",
        done.added.len(),
        done.statuses.len(),
        desks[0].b.imports(&desks[0].who).unwrap().len(),
        desks[0].b.imports(&desks[0].who).unwrap().iter().filter(|i| i.status == "undone").count(),
        desks[0].b.store().sync_vector().unwrap().0.values().collect::<Vec<_>>()
    );
    let digests: Vec<String> = desks.iter().map(|d| d.b.store().sync_digest().unwrap()).collect();
    assert!(digests.iter().all(|x| *x == digests[0]), "seed {seed}: the desktops differ: {digests:?}");
    let vectors: Vec<_> = desks.iter().map(|d| d.b.store().sync_vector().unwrap()).collect();
    assert!(vectors.iter().all(|v| *v == vectors[0]), "seed {seed}: vectors differ");
    // A phone someone added and nobody removed is on the customer everywhere.
    for (id, phone) in done.added.difference(&done.removed) {
        for d in &desks {
            if let Ok(c) = d.b.customer(&d.who, id) {
                assert!(c.phones.contains(phone), "seed {seed}: {phone} added to {id} and lost: {:?}", c.phones);
            }
        }
    }
    // An order paid anywhere shows paid everywhere (against a cancel too: that waits for a
    // decision); else cancelled anywhere beats every open step; else the furthest step shows.
    for (number, reached) in &done.statuses {
        let expect =
            ["paid", "cancelled", "fulfilled", "confirmed"].into_iter().find(|s| reached.contains(*s)).unwrap();
        for d in &desks {
            let shown = d.b.order(&d.who, number).unwrap().status;
            assert_eq!(shown.as_str(), expect, "seed {seed}: order {number} moved to {reached:?}");
        }
    }
    // Nothing is left under a merged customer: its orders went to the customer it went into.
    for d in &desks {
        for o in d.b.orders(&d.who, &Default::default()).unwrap() {
            let owner = d.b.customer(&d.who, &o.customer_id.to_string()).unwrap();
            // (Deleted outright, or taken back with the import that made it.)
            let undone = owner.name.starts_with("导入 ") || owner.name.starts_with("Imported ");
            assert!(
                !owner.deleted || undone || done.deleted.contains(&owner.id.to_string()),
                "seed {seed}: order {} under {}, merged away",
                o.number,
                owner.name
            );
        }
    }
    // Every order's totals are its shown lines' sum.
    for d in &desks {
        for o in d.b.orders(&d.who, &Default::default()).unwrap() {
            let o = d.b.order(&d.who, &o.number).unwrap();
            let sum: i64 = o.lines.iter().map(|l| l.amounts.unwrap().total).sum();
            assert_eq!(o.totals.unwrap().total, sum, "seed {seed}: order {} totals {:?}", o.number, o.lines);
        }
    }
    // Search agrees with the rows: every live customer is found by its name on every desktop.
    for d in &desks {
        for id in ids(d) {
            let c = d.b.customer(&d.who, &id).unwrap();
            let hits = d.b.search_customers(&d.who, &c.name, &SearchFilter::default(), 50).unwrap();
            assert!(hits.iter().any(|h| h.customer.id == c.id), "seed {seed}: {} not found by name", c.name);
        }
    }
}

/// The number of schedules: `BANYAN_SYNC_SCHEDULES` or 300 (the slice `cargo xtask test` runs;
/// `cargo xtask sync-props` runs 2,000, `--long` 10,000).
fn schedules() -> u64 {
    std::env::var("BANYAN_SYNC_SCHEDULES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

#[test]
fn desktops_that_exchange_changes_in_any_order_end_alike() {
    let dir = tempfile::tempdir().unwrap();
    let seed_book = seed(dir.path());
    let base: u64 = std::env::var("BANYAN_SYNC_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("sync schedules from seed {base}");
    for i in 0..schedules() {
        let run = dir.path().join(format!("s{i}"));
        schedule(&seed_book, &run, base.wrapping_add(i), 3 + (i % 3) as usize);
        std::fs::remove_dir_all(&run).unwrap();
    }
}

fn three(dir: &Path) -> (Desk, Desk, Desk) {
    let seed_book = seed(dir);
    (join(&seed_book, &dir.join("a")), join(&seed_book, &dir.join("b")), join(&seed_book, &dir.join("c")))
}

fn two(dir: &Path) -> (Desk, Desk) {
    let seed_book = seed(dir);
    (join(&seed_book, &dir.join("a")), join(&seed_book, &dir.join("b")))
}

fn find(d: &Desk, name: &str) -> String {
    let f = CustomerFilter::default();
    d.b.customers(&d.who, &f).unwrap().into_iter().find(|c| c.name == name).expect("customer").id.to_string()
}

fn set_city(d: &Desk, id: &str, city: &str) {
    let patch = CustomerPatch { city: Some(city.into()), ..Default::default() };
    d.b.update_customer(&d.who, id, &patch).unwrap();
}

fn city(d: &Desk, id: &str) -> Option<String> {
    d.b.customer(&d.who, id).unwrap().city
}

fn both_ways(a: &Desk, b: &Desk) {
    pull(a, b, 1_000, false);
    pull(b, a, 1_000, false);
}

#[test]
fn one_field_changed_on_two_desktops_shows_one_value_everywhere_and_waits_for_a_decision_until_settled() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let id = find(&a, "王芳");
    set_city(&a, &id, "杭州");
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_city(&b, &id, "深圳");
    both_ways(&a, &b);
    // The later change shows on both; the earlier waits in the inbox of both, the same item.
    assert_eq!((city(&a, &id), city(&b, &id)), (Some("深圳".into()), Some("深圳".into())));
    let (ca, cb) = (a.b.sync_conflicts(&a.who).unwrap(), b.b.sync_conflicts(&b.who).unwrap());
    assert_eq!(ca, cb);
    assert_eq!(ca.len(), 1, "{ca:?}");
    assert_eq!(ca[0].id, format!("customers/{id}/city"));
    let values: Vec<(&str, bool)> = ca[0].sides.iter().map(|s| (s.value.as_str(), s.shown)).collect();
    assert_eq!(values, vec![("\"深圳\"", true), ("\"杭州\"", false)]);
    assert_eq!(ca[0].sides[0].device, b.b.store().device().to_string());
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // Keeping the earlier value on one desktop settles it on both.
    let e = a.b.sync_resolve(&a.who, &ca[0].id, "北京").unwrap_err();
    assert!(e.message.contains("\"杭州\""), "{}", e.message);
    a.b.sync_resolve(&a.who, &ca[0].id, "杭州").unwrap();
    both_ways(&a, &b);
    assert_eq!((city(&a, &id), city(&b, &id)), (Some("杭州".into()), Some("杭州".into())));
    assert!(a.b.sync_conflicts(&a.who).unwrap().is_empty());
    assert!(b.b.sync_conflicts(&b.who).unwrap().is_empty());
    // So does an ordinary edit made after seeing both.
    set_city(&a, &id, "宁波");
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_city(&b, &id, "温州");
    both_ways(&a, &b);
    assert_eq!(a.b.sync_conflicts(&a.who).unwrap().len(), 1);
    set_city(&b, &id, "苏州");
    both_ways(&a, &b);
    assert_eq!((city(&a, &id), city(&b, &id)), (Some("苏州".into()), Some("苏州".into())));
    assert!(a.b.sync_conflicts(&a.who).unwrap().is_empty());
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

#[test]
fn a_customer_deleted_on_one_desktop_and_edited_on_another_after_waits_with_restore_then_settles_everywhere() {
    use banyan::store::ConflictKind;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let id = find(&a, "Anna Müller");
    let deleted = |d: &Desk| {
        let f = CustomerFilter { include_deleted: true, ..Default::default() };
        let all = d.b.customers(&d.who, &f).unwrap();
        all.iter().find(|c| c.id.to_string() == id).map(|c| c.deleted)
    };
    let waiting = |d: &Desk| -> Vec<banyan::store::SyncConflict> {
        d.b.sync_conflicts(&d.who).unwrap().into_iter().filter(|c| c.kind == ConflictKind::DeletedEdited).collect()
    };
    // A deletes her; B, not knowing, changes her city a moment later.
    a.b.delete_customer(&a.who, &id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_city(&b, &id, "Hamburg");
    both_ways(&a, &b);
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    for d in [&a, &b] {
        assert_eq!(deleted(d), Some(true), "deleted meanwhile, on both");
        let w = waiting(d);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].label.as_deref(), Some("Anna Müller"));
        let values: Vec<&str> = w[0].sides.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(values, vec!["deleted", "restore"]);
        assert_eq!(w[0].sides[1].fields, vec!["city".to_string()], "what was edited after the deletion");
    }
    // Restored on A: on both after a sync, with the edit made meanwhile; nothing waits.
    let c = waiting(&a).remove(0);
    let e = a.b.sync_resolve(&a.who, &c.id, "Hamburg").unwrap_err();
    assert!(e.message.contains("restore, deleted"), "{}", e.message);
    a.b.sync_resolve(&a.who, &c.id, "restore").unwrap();
    both_ways(&a, &b);
    for d in [&a, &b] {
        assert_eq!(deleted(d), Some(false));
        assert_eq!(city(d, &id), Some("Hamburg".into()));
        assert!(waiting(d).is_empty());
    }
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // The other way round, kept deleted on B: deleted on both, nothing waits.
    b.b.delete_customer(&b.who, &id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_city(&a, &id, "Bremen");
    both_ways(&a, &b);
    let c = waiting(&b).remove(0);
    assert_eq!(waiting(&a).len(), 1);
    b.b.sync_resolve(&b.who, &c.id, "deleted").unwrap();
    both_ways(&a, &b);
    for d in [&a, &b] {
        assert_eq!(deleted(d), Some(true));
        assert!(waiting(d).is_empty(), "{:?}", waiting(d));
    }
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

#[test]
fn two_phones_added_on_two_desktops_are_both_kept_and_searchable_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let id = find(&a, "李娜");
    let add = |d: &Desk, phone: &str| {
        let mut phones = d.b.customer(&d.who, &id).unwrap().phones;
        phones.push(phone.into());
        let patch = CustomerPatch { phones: Some(phones), ..Default::default() };
        d.b.update_customer(&d.who, &id, &patch).unwrap();
    };
    add(&a, "+8613912345678");
    add(&b, "+12128258417");
    both_ways(&a, &b);
    for d in [&a, &b] {
        let phones = d.b.customer(&d.who, &id).unwrap().phones;
        assert_eq!(phones.len(), 3, "{phones:?}");
        assert!(phones.contains(&"+8613912345678".to_string()) && phones.contains(&"+12128258417".to_string()));
        assert!(d.b.sync_conflicts(&d.who).unwrap().is_empty(), "a list merges without asking");
        for typed in ["13912345678", "2128258417"] {
            let hits = d.b.search_customers(&d.who, typed, &SearchFilter::default(), 10).unwrap();
            assert!(hits.iter().any(|h| h.customer.id.to_string() == id), "{typed} finds 李娜");
        }
    }
}

#[test]
fn one_sku_made_on_two_desktops_arrives_on_both_and_waits_for_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let tea = |d: &Desk, name: &str| {
        let p = banyan::model::ProductInput {
            sku: Some("TEA-1".into()),
            name: Some(name.into()),
            price: Some("12.50".into()),
            tax_rate: Some("13".into()),
            ..Default::default()
        };
        d.b.add_product(&d.who, &p).unwrap();
    };
    tea(&a, "Longjing");
    std::thread::sleep(std::time::Duration::from_millis(5));
    tea(&b, "Pu-erh");
    both_ways(&a, &b);
    assert_eq!(a.b.store().sync_held_count().unwrap(), 0, "nothing synced fails on a constraint");
    for d in [&a, &b] {
        let c = d.b.sync_conflicts(&d.who).unwrap();
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].id.as_str(), c[0].sides.len()), ("products/sku/TEA-1", 2));
        // Meanwhile the older one answers to the SKU, on both.
        assert_eq!(d.b.store().product_by_sku("TEA-1").unwrap().unwrap().name, "Longjing");
    }
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // A local duplicate is still refused.
    let again = banyan::model::ProductInput {
        sku: Some("TEA-1".into()),
        name: Some("Oolong".into()),
        price: Some("1".into()),
        tax_rate: Some("0".into()),
        ..Default::default()
    };
    assert!(a.b.add_product(&a.who, &again).is_err());
}

#[test]
fn a_change_altered_on_the_way_is_refused_whole_and_the_book_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let id = find(&a, "Anna Müller");
    set_city(&a, &id, "München");
    set_city(&a, &id, "Hamburg");
    let before = (b.b.store().sync_digest().unwrap(), b.b.store().sync_vector().unwrap());
    let mut batch = a.b.store().sync_changes(&b.b.store().sync_vector().unwrap(), 1_000).unwrap();
    assert_eq!(batch.txs.len(), 2);
    let first = &mut batch.txs[0].entries[0];
    first.fields = first.fields.replace("München", "Dresden");
    let err = b.b.store().sync_apply(&batch.txs).unwrap_err();
    assert!(
        matches!(&err, banyan::Error::PeerRefused { fault: banyan::error::PeerFault::Altered, device } if *device == a.b.store().device().to_string()),
        "{err:?}"
    );
    let msg = banyan::api::localize(&banyan::i18n::Localizer::new(banyan::i18n::Lang::ZhCn), err);
    assert!(msg.message.contains("审计记录"), "{}", msg.message);
    assert_eq!((b.b.store().sync_digest().unwrap(), b.b.store().sync_vector().unwrap()), before);
    // The same change arriving again with another content is refused too.
    pull(&a, &b, 1_000, false);
    let mut again = a.b.store().sync_changes(&Default::default(), 1_000).unwrap();
    let last = again.txs.iter_mut().rev().find(|t| t.origin == a.b.store().device().to_string()).unwrap();
    last.entries[0].link[0] ^= 1;
    let err = b.b.store().sync_apply(std::slice::from_ref(last)).unwrap_err();
    assert!(matches!(err, banyan::Error::PeerRefused { fault: banyan::error::PeerFault::TwoContents, .. }), "{err:?}");
    assert_eq!(city(&b, &id), Some("Hamburg".into()));
}

#[test]
fn a_change_not_signed_by_the_desktop_it_names_is_refused_and_named_and_relays_pass_signatures_on() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = three(dir.path());
    let id = find(&a, "Anna Müller");
    set_city(&a, &id, "München");
    let a_device = a.b.store().device().to_string();
    let before = (b.b.store().sync_digest().unwrap(), b.b.store().sync_vector().unwrap());
    let batch = a.b.store().sync_changes(&b.b.store().sync_vector().unwrap(), 1_000).unwrap();
    assert_eq!(batch.txs.len(), 1);
    assert_eq!(batch.txs[0].sig.len(), 64, "every transaction travels with its desktop's signature");
    let refused = |txs: &[banyan::sync::wire::Tx], fault: banyan::error::PeerFault| {
        let err = b.b.store().sync_apply(txs).unwrap_err();
        assert!(
            matches!(&err, banyan::Error::PeerRefused { fault: f, device } if *f == fault && *device == a_device),
            "{err:?}"
        );
        assert_eq!((b.b.store().sync_digest().unwrap(), b.b.store().sync_vector().unwrap()), before);
        err
    };
    // A signature altered on the way.
    let mut altered = batch.txs.clone();
    altered[0].sig[10] ^= 1;
    let err = refused(&altered, banyan::error::PeerFault::Forged);
    let msg = banyan::api::localize(&banyan::i18n::Localizer::new(banyan::i18n::Lang::ZhCn), err);
    assert!(msg.message.contains("签名") && msg.message.contains(&a_device[..8]), "{}", msg.message);
    // Signed, but by another key than A's (a member forging A's change): the same.
    let mut forged = batch.txs.clone();
    let other = banyan::security::chain::DeviceKey::random().unwrap();
    let last = forged[0].entries.last().unwrap();
    let link: [u8; 32] = last.link.as_slice().try_into().unwrap();
    forged[0].sig = other.sign_tx(&a_device, forged[0].tx, last.seq, &link).to_vec();
    refused(&forged, banyan::error::PeerFault::Forged);
    // No signature at all.
    let mut bare = batch.txs.clone();
    bare[0].sig.clear();
    refused(&bare, banyan::error::PeerFault::Forged);
    // Through B, C gets A's change with A's own signature and takes it.
    assert_eq!(pull(&a, &b, 1_000, false), 1);
    let relayed = b.b.store().sync_changes(&c.b.store().sync_vector().unwrap(), 1_000).unwrap();
    let from_a = relayed.txs.iter().find(|t| t.origin == a_device).unwrap();
    assert_eq!(from_a.sig, batch.txs[0].sig);
    assert_eq!(pull(&b, &c, 1_000, false), 1);
    assert_eq!(city(&c, &id), Some("München".into()));
}

#[test]
fn a_copied_book_that_kept_its_identity_is_refused_until_it_takes_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let seed_book = seed(dir.path());
    let a = join(&seed_book, &dir.path().join("a"));
    drop(a);
    let a_path = dir.path().join("a/book.db");
    // A copy of A's file, as a restored backup or a file copied to a second laptop.
    let c = join_with(&a_path, &dir.path().join("c"), None, false);
    let a = Desk { b: Banyan::open(&opts(&a_path), &Unlock::passphrase(PASS)).unwrap(), who: Caller::clone(&c.who) };
    let a = Desk { who: admin(&a.b), b: a.b };
    let id = find(&a, "Ruth Quillfeather");
    set_city(&a, &id, "Salem");
    set_city(&c, &id, "Concord");
    set_city(&c, &id, "Lowell");
    let batch = c.b.store().sync_changes(&a.b.store().sync_vector().unwrap(), 1_000).unwrap();
    let err = a.b.store().sync_apply(&batch.txs).unwrap_err();
    assert!(
        matches!(
            err,
            banyan::Error::PeerRefused {
                fault: banyan::error::PeerFault::AheadOfUs | banyan::error::PeerFault::TwoContents,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(city(&a, &id), Some("Salem".into()));
    // With a new identity, what the copy does from then on syncs.
    drop(c);
    let c_path = dir.path().join("c/book.db");
    let mut s = Store::open(&c_path, &Unlock::passphrase(PASS), fast()).unwrap();
    s.take_new_identity().unwrap();
    drop(s);
    let cb = Banyan::open(&opts(&c_path), &Unlock::passphrase(PASS)).unwrap();
    let c = Desk { who: cb.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap(), b: cb };
    let other = find(&c, "李娜");
    set_city(&c, &other, "天津");
    let mut batch = c.b.store().sync_changes(&a.b.store().sync_vector().unwrap(), 1_000).unwrap();
    // Its old identity's clashing changes stay home; the new identity's are refused until a
    // member admits it (as pairing again does), then they arrive.
    let new_device = c.b.store().device().to_string();
    batch.txs.retain(|t| t.origin == new_device);
    let was = city(&a, &other);
    assert_ne!(was.as_deref(), Some("天津"));
    let err = a.b.store().sync_apply(&batch.txs).unwrap_err();
    assert!(matches!(err, banyan::Error::PeerRefused { fault: banyan::error::PeerFault::NotMember, .. }), "{err:?}");
    assert_eq!(city(&a, &other), was);
    a.b.sync_admit(&a.who, &new_device, "copy", &"cd".repeat(32), &c.b.store().signing_public_key()).unwrap();
    a.b.store().sync_apply(&batch.txs).unwrap();
    assert_eq!(city(&a, &other), Some("天津".into()));
}

/// A book restored from a backup takes a new identity its former one vouches for: members admit
/// it with nobody pairing it again. A desktop that writes its own member row without that vouch,
/// or with one its former identity did not sign, is refused whole.
#[test]
fn a_new_identity_vouched_for_by_the_former_one_is_admitted_and_an_unvouched_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let seed_book = seed(dir.path());
    let a = join(&seed_book, &dir.path().join("a"));
    let c = join(&seed_book, &dir.path().join("c"));
    both_ways(&a, &c);
    let c_path = dir.path().join("c/book.db");
    let copy = |name: &str| {
        let to = dir.path().join(name);
        std::fs::create_dir_all(&to).unwrap();
        for f in ["book.db", "book.db.key.json"] {
            std::fs::copy(dir.path().join("c").join(f), to.join(f)).unwrap();
        }
        to.join("book.db")
    };
    drop(c);
    let (unvouched, forged) = (copy("unvouched"), copy("forged"));
    let member_of = |s: &Store, device: &str| s.members().unwrap().into_iter().find(|m| m.device == device).unwrap();
    let who = banyan::store::Actor { user: String::new(), batch: None };

    // Vouched: admitted, and its changes arrive.
    let mut s = Store::open(&c_path, &Unlock::passphrase(PASS), fast()).unwrap();
    let former = s.device().to_string();
    s.take_vouched_identity().unwrap();
    let me = member_of(&s, &s.device().to_string());
    assert_eq!((me.added_by.as_deref(), me.vouch.is_some()), (Some(former.as_str()), true));
    drop(s);
    let cb = Banyan::open(&opts(&c_path), &Unlock::passphrase(PASS)).unwrap();
    let c = Desk { who: cb.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap(), b: cb };
    let id = find(&c, "李娜");
    set_city(&c, &id, "天津");
    let batch = c.b.store().sync_changes(&a.b.store().sync_vector().unwrap(), 1_000).unwrap();
    a.b.store().sync_apply(&batch.txs).unwrap();
    assert_eq!(city(&a, &id), Some("天津".into()));
    assert!(a.b.store().members().unwrap().iter().any(|m| m.device == c.b.store().device().to_string()));

    // A desktop that never met the former identity gets its member row (written by the member
    // that invited it) and the vouched new one in one batch: admitted.
    let x_key = banyan::security::chain::DeviceKey::random().unwrap();
    let x_device = banyan::model::DeviceId::new(chrono::Utc::now().timestamp_millis());
    let x_code =
        a.b.sync_admit(&a.who, &x_device.to_string(), "laptop x", &"ef".repeat(32), &x_key.public_hex()).unwrap();
    // A consistent copy of A (its WAL holds the admission), as a file copied to the laptop.
    let x_path = {
        let to = dir.path().join("x");
        std::fs::create_dir_all(&to).unwrap();
        a.b.store().backup_to(&to.join("book.db")).unwrap();
        std::fs::copy(dir.path().join("a/book.db.key.json"), to.join("book.db.key.json")).unwrap();
        to.join("book.db")
    };
    let mut x = Store::open(&x_path, &Unlock::passphrase(PASS), fast()).unwrap();
    x.take_identity(x_device, x_code, x_key).unwrap();
    x.take_vouched_identity().unwrap();
    let x_now = x.device().to_string();
    drop(x);
    let x = Banyan::open(&opts(&x_path), &Unlock::passphrase(PASS)).unwrap();
    let d = join(&seed_book, &dir.path().join("d"));
    let batch = x.store().sync_changes(&d.b.store().sync_vector().unwrap(), 100_000).unwrap();
    assert!(!batch.more);
    d.b.store().sync_apply(&batch.txs).unwrap();
    let on_d = d.b.store().members().unwrap();
    assert!(
        on_d.iter().any(|m| m.device == x_now && m.added_by == Some(x_device.to_string())),
        "the vouched row arrived"
    );

    // Not vouched, and vouched by a key that is not the former identity's: refused whole.
    for (path, how) in [(unvouched, "none"), (forged, "another key")] {
        let mut s = Store::open(&path, &Unlock::passphrase(PASS), fast()).unwrap();
        let former = member_of(&s, &s.device().to_string());
        s.take_new_identity().unwrap();
        let vouch = (how != "none").then(|| {
            let stranger = banyan::security::chain::DeviceKey::random().unwrap();
            stranger.sign_vouch(
                &s.book_id().unwrap(),
                &s.device().to_string(),
                &s.signing_public_key(),
                s.device_code(),
            )
        });
        let me = banyan::store::Member {
            device: s.device().to_string(),
            code: s.device_code().to_string(),
            added_by: Some(former.device.clone()),
            signing_key: Some(s.signing_public_key()),
            vouch,
            ..former
        };
        s.put_member(&who, &me).unwrap();
        let batch = s.sync_changes(&a.b.store().sync_vector().unwrap(), 1_000).unwrap();
        let before = a.b.store().sync_digest().unwrap();
        let err = a.b.store().sync_apply(&batch.txs).unwrap_err();
        assert!(
            matches!(err, banyan::Error::PeerRefused { fault: banyan::error::PeerFault::NotMember, .. }),
            "{how}: {err:?}"
        );
        assert_eq!(a.b.store().sync_digest().unwrap(), before, "{how}: nothing of it applied");
    }
}

#[test]
fn a_peer_whose_clock_runs_two_hours_ahead_is_flagged_and_does_not_drag_this_clock_or_win_over_a_later_edit() {
    let dir = tempfile::tempdir().unwrap();
    let seed_book = seed(dir.path());
    let fast_clock = join_with(&seed_book, &dir.path().join("f"), Some(2 * 3600 * 1000), true);
    let b = join(&seed_book, &dir.path().join("b"));
    let id = find(&b, "王芳");
    set_city(&fast_clock, &id, "广州");
    let batch = fast_clock.b.store().sync_changes(&b.b.store().sync_vector().unwrap(), 1_000).unwrap();
    let r = b.b.store().sync_apply(&batch.txs).unwrap();
    assert_eq!((r.txs, r.ahead), (1, 1), "{r:?}");
    assert_eq!(city(&b, &id), Some("广州".into()));
    // This desktop's clock did not follow: its next change is stamped now, not two hours on.
    set_city(&b, &id, "佛山");
    let newest =
        b.b.store().changes(None, banyan::sync::Hlc::ZERO, 10_000).unwrap().into_iter().max_by_key(|c| c.hlc).unwrap();
    assert_ne!(newest.value.as_deref(), Some("\"佛山\""), "the ahead change keeps the highest clock");
    let mine =
        b.b.store()
            .changes(None, banyan::sync::Hlc::ZERO, 10_000)
            .unwrap()
            .into_iter()
            .rev()
            .find(|c| c.value.as_deref() == Some("\"佛山\""))
            .unwrap();
    assert!(mine.hlc.wall_ms() < banyan::sync::SystemClock.now_ms() + 60_000);
    // The edit made after seeing the ahead change replaces it, by its predecessor, not by clocks.
    assert_eq!(city(&b, &id), Some("佛山".into()));
    both_ways(&b, &fast_clock);
    assert_eq!(city(&fast_clock, &id), Some("佛山".into()));
    assert!(fast_clock.b.sync_conflicts(&fast_clock.who).unwrap().is_empty());
    assert_eq!(b.b.store().sync_digest().unwrap(), fast_clock.b.store().sync_digest().unwrap());
    // And a later change from elsewhere still sees the right predecessor.
    set_city(&fast_clock, &id, "珠海");
    both_ways(&b, &fast_clock);
    assert_eq!(city(&b, &id), Some("珠海".into()));
    assert!(b.b.sync_conflicts(&b.who).unwrap().is_empty());
}

#[test]
fn conflicts_are_listed_and_settled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let id = find(&a, "Ruth Quillfeather");
    set_city(&a, &id, "Salem");
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_city(&b, &id, "Concord");
    both_ways(&a, &b);
    let device = a.b.store().device().to_string();
    let path = a.b.path().to_path_buf();
    drop((a, b));
    let banyan = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_banyan"))
            .arg("--db")
            .arg(&path)
            .args(args)
            .env("BANYAN_PASSPHRASE", PASS)
            .env("BANYAN_USER", ADMIN)
            .env("BANYAN_PASSWORD", ADMIN_PASSWORD)
            .env("LANG", "en_US.UTF-8")
            .env("BANYAN_DISCOVERY", "loopback")
            .env_remove("LC_ALL")
            .env_remove("BANYAN_TOTP")
            .output()
            .unwrap()
    };
    let json = |args: &[&str]| -> serde_json::Value {
        let out = banyan(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let st = json(&["--json", "sync", "status"]);
    assert_eq!((st["device"].as_str(), st["conflicts"].as_u64()), (Some(device.as_str()), Some(1)));
    assert_eq!(st["vector"].as_object().unwrap().len(), 3, "the seed's desktop and both others: {st}");
    let list = json(&["--json", "sync", "conflicts"]);
    let conflict = list[0]["id"].as_str().unwrap().to_string();
    assert_eq!(conflict, format!("customers/{id}/city"));
    let sides: Vec<&str> = list[0]["sides"].as_array().unwrap().iter().map(|s| s["value"].as_str().unwrap()).collect();
    assert_eq!(sides, vec!["\"Concord\"", "\"Salem\""]);
    let shown = String::from_utf8(banyan(&["sync", "conflicts"]).stdout).unwrap();
    assert!(shown.contains("\"Concord\" (shown)") && shown.contains("Test Admin"), "{shown}");
    let out = banyan(&["--json", "sync", "resolve", &conflict, "--keep", "Boston"]);
    assert_eq!(out.status.code(), Some(2), "a value the conflict does not have");
    let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["field"], "keep");
    assert!(err["error"]["message"].as_str().unwrap().contains("\"Salem\""), "{err}");
    let out = banyan(&["--json", "sync", "resolve", "customers/nothing/city", "--keep", "Salem"]);
    assert_eq!(out.status.code(), Some(3), "an unknown conflict is not found");
    json(&["--json", "sync", "resolve", &conflict, "--keep", "Salem"]);
    assert_eq!(json(&["--json", "sync", "conflicts"]), serde_json::json!([]));
    assert_eq!(json(&["--json", "customer", "get", &id])["customer"]["city"], "Salem");
    let zh = String::from_utf8(banyan(&["--lang", "zh-CN", "sync", "conflicts"]).stdout).unwrap();
    assert!(zh.contains("没有同步冲突"), "{zh}");
}

#[test]
fn a_conflict_over_a_field_a_role_hides_or_locks_is_not_shown_to_it_or_settled_by_it() {
    use banyan::security::grants::{FieldAccess, FieldRule, RoleChange};
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let boss = admin(&b);
    let rule =
        |access| RoleChange { field: Some(FieldRule { field: "customer.notes".into(), access }), ..Default::default() };
    b.add_role(&boss, "no-notes", "admin").unwrap();
    b.change_role(&boss, "no-notes", &rule(FieldAccess::Hidden)).unwrap();
    b.add_role(&boss, "read-notes", "admin").unwrap();
    b.change_role(&boss, "read-notes", &rule(FieldAccess::Read)).unwrap();
    let blind = user_with_role(&b, &boss, "blind", "no-notes", banyan::api::Channel::Desktop);
    let reader = user_with_role(&b, &boss, "reader", "read-notes", banyan::api::Channel::Desktop);
    let mut c = person("Ruth Quillfeather");
    c.notes = Some("Prefers calls in the morning".into());
    let id = b.add_customer(&boss, &c).unwrap().id.to_string();
    let conflict = concurrent_change(&b, &id, "notes", "\"Only e-mail, never calls\"");
    assert_eq!(b.sync_conflicts(&boss).unwrap().len(), 1);
    assert!(b.sync_conflicts(&blind).unwrap().is_empty(), "the values of a hidden field stay hidden");
    assert_eq!(b.sync_status(&blind).unwrap().conflicts, 0);
    let e = b.sync_resolve(&blind, &conflict, "Only e-mail, never calls").unwrap_err();
    assert_eq!(e.code, banyan::api::ErrorCode::NotFound);
    assert_eq!(b.sync_conflicts(&reader).unwrap().len(), 1, "a locked field's conflict is shown");
    let e = b.sync_resolve(&reader, &conflict, "Only e-mail, never calls").unwrap_err();
    assert_eq!(e.code, banyan::api::ErrorCode::Forbidden);
    b.sync_resolve(&boss, &conflict, "Only e-mail, never calls").unwrap();
    assert!(b.sync_conflicts(&boss).unwrap().is_empty());
    assert_eq!(b.customer(&boss, &id).unwrap().notes.as_deref(), Some("Only e-mail, never calls"));
}

/// The `banyan` binary on book `db` as `user` (password [`ADMIN_PASSWORD`]), passphrase `pass`.
fn cli(db: &Path, pass: &str) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"));
    c.arg("--db")
        .arg(db)
        .env("BANYAN_PASSPHRASE", pass)
        .env("BANYAN_USER", ADMIN)
        .env("BANYAN_PASSWORD", ADMIN_PASSWORD)
        .env("BANYAN_NEW_PASSWORD", ADMIN_PASSWORD)
        .env("LANG", "en_US.UTF-8")
        // Announcements and the search for them stay on this machine.
        .env("BANYAN_DISCOVERY", "loopback")
        .env_remove("LC_ALL")
        .env_remove("BANYAN_TOTP");
    c
}

pub(super) fn run_json(c: &mut std::process::Command) -> serde_json::Value {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A child process whose first line of output is JSON (an invitation, a hub's address).
pub(super) struct Running {
    pub(super) child: std::process::Child,
    pub(super) first: serde_json::Value,
    pub(super) rest: std::io::BufReader<std::process::ChildStdout>,
}

pub(super) fn spawn(c: &mut std::process::Command) -> Running {
    use std::io::BufRead;
    let mut child = c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut rest = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    rest.read_line(&mut line).unwrap();
    let first = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    Running { child, first, rest }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn names(db: &Path, pass: &str) -> Vec<String> {
    let list = run_json(cli(db, pass).args(["--json", "customer", "list"]));
    list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_desktop_joins_with_a_code_and_syncs_with_a_hub_over_tls_between_processes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("hub/book.db"), dir.path().join("laptop/book.db"));
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    run_json(cli(&a, pa).args(["--json", "init"]));
    run_json(cli(&a, pa).args(["--json", "user", "add", ADMIN, "--name", "Hub Admin", "--role", "admin"]));
    let wang = run_json(
        cli(&a, pa).args(["--json", "customer", "add", "--kind", "person", "--name", "王芳", "--city", "上海"]),
    );
    let wang = wang["id"].as_str().unwrap().to_string();

    // The laptop joins with the code the hub shows.
    let invite =
        spawn(cli(&a, pa).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0", "--name", "office-hub"]));
    let (code, address) = (invite.first["code"].as_str().unwrap(), invite.first["address"].as_str().unwrap());
    assert_eq!(code.len(), 6);
    let joined = run_json(cli(&b, pb).args(["--json", "sync", "pair", code, address, "--name", "rep-laptop"]));
    assert!(joined["joined"].is_string(), "{joined}");
    let mut invite = invite;
    assert!(invite.child.wait().unwrap().success(), "the invitation ends once the desktop joined");
    // The laptop's book is its own file under its own passphrase, with the hub's customers in it
    // and found by search at once.
    assert_eq!(names(&b, pb), vec!["王芳".to_string()]);
    let hits = run_json(cli(&b, pb).args(["--json", "customer", "search", "wangfang"]));
    assert_eq!(hits[0]["customer"]["name"], "王芳", "{hits}");
    let wrong = cli(&b, pa).args(["--json", "customer", "list"]).output().unwrap();
    assert!(!wrong.status.success(), "the hub's passphrase does not open the laptop's book");
    let peers = run_json(cli(&b, pb).args(["--json", "sync", "peers"]));
    let peer_names: Vec<&str> = peers.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(peer_names, vec!["office-hub", "rep-laptop"]);
    let codes: BTreeSet<&str> = peers.as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 2, "each desktop numbers orders under a code of its own");
    // Without a peer, `sync now` goes to the last one reached (none yet), then to one of the
    // book's announced on this network (none: the hub does not serve yet).
    let none = cli(&b, pb).args(["sync", "now"]).output().unwrap();
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("has not synced with any desktop yet"), "{none:?}");

    // The hub serves; the laptop's offline work goes up and the hub's comes down.
    let mut hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let hub_addr = hub.first["listening"].as_str().unwrap().to_string();
    run_json(
        cli(&b, pb).args(["--json", "customer", "add", "--kind", "person", "--name", "Li Lei", "--city", "Boston"]),
    );
    run_json(cli(&a, pa).args(["--json", "customer", "update", &wang, "--city", "杭州"]));
    let round = run_json(cli(&b, pb).args(["--json", "sync", "now", "--peer", &hub_addr]));
    assert_eq!(round["peer"], "office-hub");
    assert!(round["sent"].as_u64().unwrap() >= 2 && round["received"].as_u64().unwrap() >= 1, "{round}");
    // The laptop knows when and where it last reached the hub, and goes there by itself next.
    let peers = run_json(cli(&b, pb).args(["--json", "sync", "peers"]));
    let hub_row = peers.as_array().unwrap().iter().find(|m| m["name"] == "office-hub").unwrap().clone();
    assert!(hub_row["lastSeen"].as_i64().is_some_and(|t| t > 0), "{hub_row}");
    assert_eq!(hub_row["address"], hub_addr.as_str());
    let again = run_json(cli(&b, pb).args(["--json", "sync", "now"]));
    assert_eq!(
        (again["peer"].as_str(), again["sent"].as_u64(), again["received"].as_u64()),
        (Some("office-hub"), Some(0), Some(0))
    );
    let mut on_a = names(&a, pa);
    on_a.sort();
    assert_eq!(on_a, vec!["Li Lei".to_string(), "王芳".to_string()]);
    let got = run_json(cli(&b, pb).args(["--json", "customer", "get", &wang]));
    assert_eq!(got["customer"]["city"], "杭州");
    {
        use std::io::BufRead;
        let mut line = String::new();
        hub.rest.read_line(&mut line).unwrap();
        let served: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(served["sent"].as_u64().unwrap() >= 1, "{served}");
        assert!(!line.contains("Li Lei") && !line.contains("王芳"), "the hub prints no customer data: {line}");
    }
    // A second round has nothing to move.
    let again = run_json(cli(&b, pb).args(["--json", "sync", "now", "--peer", &hub_addr]));
    assert_eq!((again["sent"].as_u64(), again["received"].as_u64()), (Some(0), Some(0)), "{again}");

    // A stranger's certificate gets nothing from the hub, which goes on serving.
    let stranger = banyan_net::Identity::generate().unwrap();
    let config = banyan_net::tls::client_config(&stranger, std::sync::Arc::new(banyan_net::tls::AnyPeer)).unwrap();
    let attempt =
        banyan_net::tls::connect(hub_addr.parse().unwrap(), config).and_then(|mut s| banyan_net::frame::read(&mut s));
    assert!(attempt.is_err(), "{attempt:?}");
    run_json(cli(&b, pb).args(["--json", "sync", "now", "--peer", &hub_addr]));

    // A wrong code fails on both sides and ends the invitation.
    let invite = spawn(cli(&a, pa).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0"]));
    let shown = invite.first["code"].as_str().unwrap().to_string();
    let typo = format!("{:06}", (shown.parse::<u32>().unwrap() + 1) % 1_000_000);
    let c = dir.path().join("intruder/book.db");
    let out = cli(&c, "intruder passphrase 2026")
        .args(["--json", "sync", "pair", &typo, invite.first["address"].as_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stdout));
    let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "pairing-failed", "{err}");
    assert!(!c.exists(), "no book is made from a failed pairing");
    let mut invite = invite;
    assert_eq!(invite.child.wait().unwrap().code(), Some(7), "one wrong code ends the invitation");
    // Two more wrong codes within ten minutes: invitations pause, saying why and how long.
    for _ in 0..2 {
        let mut invite = spawn(cli(&a, pa).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0"]));
        let shown = invite.first["code"].as_str().unwrap().to_string();
        let typo = format!("{:06}", (shown.parse::<u32>().unwrap() + 7) % 1_000_000);
        let out = cli(&c, "intruder passphrase 2026")
            .args(["--json", "sync", "pair", &typo, invite.first["address"].as_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(7));
        assert_eq!(invite.child.wait().unwrap().code(), Some(7));
    }
    let paused = cli(&a, pa).args(["sync", "invite", "--listen", "127.0.0.1:0"]).output().unwrap();
    assert!(!paused.status.success());
    let said = String::from_utf8_lossy(&paused.stderr);
    assert!(said.contains("Three codes typed here were wrong") && said.contains("10 more minutes"), "{said}");
}

#[test]
fn a_hostile_member_is_cut_off_with_a_named_error_and_the_hub_serves_on_unchanged() {
    use banyan_net::frame::{self, Frame, Hello};
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("hub/book.db"), dir.path().join("laptop/book.db"));
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    run_json(cli(&a, pa).args(["--json", "init"]));
    run_json(cli(&a, pa).args(["--json", "user", "add", ADMIN, "--name", "Hub Admin", "--role", "admin"]));
    run_json(cli(&a, pa).args(["--json", "customer", "add", "--kind", "person", "--name", "王芳"]));
    let mut invite = spawn(cli(&a, pa).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0"]));
    let (code, address) =
        (invite.first["code"].as_str().unwrap().to_string(), invite.first["address"].as_str().unwrap().to_string());
    run_json(cli(&b, pb).args(["--json", "sync", "pair", &code, &address]));
    assert!(invite.child.wait().unwrap().success());
    let hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let addr: std::net::SocketAddr = hub.first["listening"].as_str().unwrap().parse().unwrap();
    let before = run_json(cli(&a, pa).args(["--json", "sync", "status"]));

    // The laptop's own certificate, as a member that turned hostile would hold it.
    let laptop = Banyan::open(&banyan::api::OpenOptions::new(&b), &Unlock::passphrase(pb)).unwrap();
    let (cert, key) = laptop.sync_tls().unwrap().unwrap();
    let me = banyan_net::Identity { cert, key };
    let pins = banyan_net::tls::Members(
        laptop
            .sync_members()
            .unwrap()
            .iter()
            .map(|m| banyan_net::cert::unhex(&m.fingerprint).unwrap().try_into().unwrap())
            .collect(),
    );
    let config = banyan_net::tls::client_config(&me, std::sync::Arc::new(pins)).unwrap();
    let connect = || banyan_net::tls::connect(addr, config.clone()).unwrap();
    let hello = |laptop: &Banyan| {
        let h = laptop.sync_hello().unwrap();
        Frame::Hello(Hello {
            protocol: frame::PROTOCOL,
            schema: h.schema,
            min_schema: h.min_schema,
            book: h.book,
            device: h.device,
            name: h.name,
            vector: h.vector.0,
            tips: h.tips,
            wall_ms: chrono::Utc::now().timestamp_millis(),
        })
    };

    // A length of 4 GB: the hub reads no further and hangs up.
    let mut s = connect();
    std::io::Write::write_all(&mut s, &u32::MAX.to_be_bytes()).unwrap();
    std::io::Write::flush(&mut s).unwrap();
    assert!(frame::read(&mut s).is_err(), "the hub hangs up");
    // Garbage of a plausible length: refused, named.
    let mut s = connect();
    let mut junk = 64u32.to_be_bytes().to_vec();
    junk.extend([0xA5; 64]);
    std::io::Write::write_all(&mut s, &junk).unwrap();
    std::io::Write::flush(&mut s).unwrap();
    match frame::read(&mut s) {
        Ok(Frame::Refused(why)) => assert!(why.contains("Hello"), "{why}"),
        other => assert!(other.is_err(), "{other:?}"),
    }
    // Changes that claim to be the hub's own, beyond what it made: refused whole, named.
    let mut s = connect();
    frame::write(&mut s, &hello(&laptop)).unwrap();
    let Frame::Hello(theirs) = frame::read(&mut s).unwrap() else { panic!("no Hello") };
    frame::write(&mut s, &Frame::Want(laptop.sync_vector().unwrap().0)).unwrap();
    loop {
        let Frame::Txs { more, .. } = frame::read(&mut s).unwrap() else { panic!("no Txs") };
        frame::write(&mut s, &Frame::Ack(laptop.sync_vector().unwrap().0)).unwrap();
        if !more {
            break;
        }
    }
    let Frame::Want(_) = frame::read(&mut s).unwrap() else { panic!("no Want") };
    let hub_seq = theirs.vector.get(&theirs.device).copied().unwrap_or(0);
    let forged = banyan::sync::wire::Tx {
        origin: theirs.device.clone(),
        tx: 999,
        hlc: banyan::sync::Hlc::from_parts(chrono::Utc::now().timestamp_millis(), 0).raw(),
        user: String::new(),
        batch: None,
        numbers: vec![],
        entries: vec![banyan::sync::wire::Entry {
            seq: hub_seq + 1,
            table: "customers".into(),
            row: banyan::sync::wire::RowId::Uuid(*uuid::Uuid::now_v7().as_bytes()),
            op: "insert".into(),
            fields: r#"[["kind","person"],["name","Mallory"]]"#.into(),
            salt: Some(vec![0; 16]),
            sealed: None,
            link: vec![0; 32],
            stub: false,
        }],
        sig: vec![0; 64],
    };
    let payload = postcard::to_allocvec(&vec![forged]).unwrap();
    frame::write(&mut s, &Frame::Txs { payload, changes: 2, more: false }).unwrap();
    match frame::read(&mut s) {
        Ok(Frame::Refused(why)) => assert!(why.contains("holds changes of this desktop"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    drop(laptop);
    // Nothing of it reached the book, and the hub still serves its members.
    let after = run_json(cli(&a, pa).args(["--json", "sync", "status"]));
    assert_eq!(before["vector"], after["vector"]);
    assert_eq!(names(&a, pa), vec!["王芳".to_string()]);
    run_json(cli(&b, pb).args(["--json", "sync", "now", "--peer", &addr.to_string()]));
}

/// A hub and a laptop that joined it, both made with the CLI; the laptop's book is at `b`.
fn paired(dir: &Path, pa: &str, pb: &str) -> (PathBuf, PathBuf) {
    let (a, b) = (dir.join("hub/book.db"), dir.join("laptop/book.db"));
    run_json(cli(&a, pa).args(["--json", "init"]));
    run_json(cli(&a, pa).args(["--json", "user", "add", ADMIN, "--name", "Hub Admin", "--role", "admin"]));
    run_json(cli(&a, pa).args(["--json", "demo", "--customers", "300"]));
    let mut invite = spawn(cli(&a, pa).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0"]));
    let (code, address) =
        (invite.first["code"].as_str().unwrap().to_string(), invite.first["address"].as_str().unwrap().to_string());
    run_json(cli(&b, pb).args(["--json", "sync", "pair", &code, &address]));
    assert!(invite.child.wait().unwrap().success());
    (a, b)
}

/// A laptop restores its book from a backup and syncs with the hub over TLS at once, no pairing
/// again: its new identity, vouched for by the one it had, is admitted; the changes it made after
/// the backup come back from the hub; what it does next reaches the hub.
#[test]
fn a_desktop_restored_from_a_backup_syncs_with_its_hub_without_pairing_again() {
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    let Team { dir, hub, laptop, mut serving, addr } = team(pa, pb);
    let now = |db: &Path, pass: &str| run_json(cli(db, pass).args(["--json", "sync", "now", "--peer", &addr]));
    let add =
        |name: &str| run_json(cli(&laptop, pb).args(["--json", "customer", "add", "--kind", "person", "--name", name]));
    add("Before Backup");
    now(&laptop, pb);
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let made = run_json(
        cli(&laptop, pb)
            .args(["--json", "backup", "now", "--to", backups.to_str().unwrap()])
            .env("BANYAN_BACKUP_PASSPHRASE", "laptop backup passphrase"),
    );
    add("After Backup");
    now(&laptop, pb);
    let device = |db: &Path, pass: &str| run_json(cli(db, pass).args(["--json", "sync", "status"]))["device"].clone();
    let before = device(&laptop, pb);

    run_json(cli(&laptop, pb).args(["--json", "restore", made["file"].as_str().unwrap(), "--yes"]));
    assert!(!names(&laptop, pb).contains(&"After Backup".to_string()), "the restore took it back here");
    let after = device(&laptop, pb);
    assert_ne!(before, after, "a restored book is a new desktop");

    let round = now(&laptop, pb);
    assert!(round["received"].as_u64().unwrap() >= 1, "{round}");
    assert!(names(&laptop, pb).contains(&"After Backup".to_string()), "its own lost change came back from the hub");
    add("After Restore");
    let again = now(&laptop, pb);
    assert!(again["sent"].as_u64().unwrap() >= 1, "{again}");
    assert!(names(&hub, pa).contains(&"After Restore".to_string()));
    let peers = run_json(cli(&hub, pa).args(["--json", "sync", "peers"]));
    let row = peers
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["device"] == after)
        .expect("the hub lists the new identity")
        .clone();
    assert_eq!(row["addedBy"], before, "{row}");
    let _ = serving.child.kill();
}

/// A hub serving sync (`banyan serve --sync`, at `addr`) and a laptop paired with it, in `dir`.
struct Team {
    dir: tempfile::TempDir,
    hub: PathBuf,
    laptop: PathBuf,
    serving: Running,
    addr: String,
}

fn team(pa: &str, pb: &str) -> Team {
    let dir = tempfile::tempdir().unwrap();
    let (hub, laptop) = paired(dir.path(), pa, pb);
    let serving = spawn(cli(&hub, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let addr = serving.first["listening"].as_str().unwrap().to_string();
    Team { dir, hub, laptop, serving, addr }
}

/// Adds a person named `name` with the CLI; their id.
fn add_person(db: &Path, pass: &str, name: &str) -> String {
    let c = run_json(cli(db, pass).args(["--json", "customer", "add", "--kind", "person", "--name", name]));
    c["id"].as_str().unwrap().to_string()
}

/// A copy of the book at `db` (and its key file) in folder `to`, as a file copy to another PC.
fn copy_of(db: &Path, to: &Path) -> PathBuf {
    let copy = to.join("book.db");
    std::fs::create_dir_all(to).unwrap();
    for f in ["", ".key.json"] {
        std::fs::copy(format!("{}{f}", db.display()), format!("{}{f}", copy.display())).unwrap();
    }
    copy
}

/// A laptop's book copied to a second computer (or put back from a file-level backup) while the
/// laptop syncs on: the copy is refused with a message saying what it is and what to do, takes a
/// vouched new identity with `sync new-identity`, and then syncs, getting back the changes the
/// original made after the copy.
#[test]
fn a_copied_book_is_told_to_take_a_new_identity_and_then_syncs() {
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    let Team { dir, hub, laptop, mut serving, addr } = team(pa, pb);
    let add = |db: &Path, name: &str| {
        add_person(db, pb, name);
    };
    add(&laptop, "Before Copy");
    run_json(cli(&laptop, pb).args(["--json", "sync", "now", "--peer", &addr]));
    let copy = copy_of(&laptop, &dir.path().join("copy"));
    add(&laptop, "After Copy");
    run_json(cli(&laptop, pb).args(["--json", "sync", "now", "--peer", &addr]));

    let refused = cli(&copy, pb).args(["--json", "sync", "now", "--peer", &addr]).output().unwrap();
    assert_eq!(refused.status.code(), Some(7), "{}", String::from_utf8_lossy(&refused.stdout));
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("this book is a copy") && said.contains("sync new-identity"), "{said}");
    assert!(!names(&copy, pb).contains(&"After Copy".to_string()));

    run_json(cli(&copy, pb).args(["--json", "sync", "new-identity"]));
    let round = run_json(cli(&copy, pb).args(["--json", "sync", "now", "--peer", &addr]));
    assert!(round["received"].as_u64().unwrap() >= 1, "{round}");
    assert!(names(&copy, pb).contains(&"After Copy".to_string()), "the original's later change arrives");
    add(&copy, "From The Copy");
    run_json(cli(&copy, pb).args(["--json", "sync", "now", "--peer", &addr]));
    assert!(names(&hub, pa).contains(&"From The Copy".to_string()));
    let _ = serving.child.kill();
}

/// The desktop-wide state sync must make equal: the book's sync digest and its open decisions.
fn digest_of(db: &Path, pass: &str) -> String {
    let b = Banyan::open(&banyan::api::OpenOptions::new(db), &Unlock::passphrase(pass)).unwrap();
    b.store().sync_digest().unwrap()
}

/// The city the customer named `name` shows, through the CLI.
fn city_of(db: &Path, pass: &str, name: &str) -> String {
    let list = run_json(cli(db, pass).args(["--json", "customer", "list"]));
    let c = list.as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name} in {list}"));
    c["city"].as_str().unwrap_or_default().to_string()
}

/// A laptop's book copied to a second computer, and both used before the copy syncs: the copy is
/// told (it holds other changes under the laptop's identity), takes a new identity, and its next
/// round keeps everything: the laptop's changes come in, the copy's go out under its new
/// identity, a field both changed is a decision in the inbox on every desktop, and all three
/// end with one digest. The laptop syncs on afterwards as if nothing happened.
#[test]
fn a_copy_used_alongside_its_original_keeps_both_sides_changes_after_a_new_identity() {
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    let Team { dir, hub, laptop, mut serving, addr } = team(pa, pb);
    let add = |db: &Path, name: &str| add_person(db, pb, name);
    let set_city = |db: &Path, id: &str, city: &str| {
        run_json(cli(db, pb).args(["--json", "customer", "update", id, "--city", city]));
    };
    let shared = add(&laptop, "Shared Customer");
    let sync = |db: &Path, pass: &str| run_json(cli(db, pass).args(["--json", "sync", "now", "--peer", &addr]));
    sync(&laptop, pb);
    let copy = copy_of(&laptop, &dir.path().join("copy"));
    // Both go on: the laptop (and syncs), the copy (more changes than the laptop made).
    set_city(&laptop, &shared, "Laptop City");
    add(&laptop, "After Copy On Laptop");
    sync(&laptop, pb);
    set_city(&copy, &shared, "Copy City");
    let copy_made: Vec<String> = (1..=3).map(|i| format!("Made On Copy {i}")).collect();
    for n in &copy_made {
        add(&copy, n);
    }
    // An order on each: both numbered next under the laptop's code.
    let order = |db: &Path| -> String {
        let o =
            run_json(cli(db, pb).args(["--json", "order", "create", "--customer", &shared, "--line", "TEA-LJ-250:2"]));
        o["number"].as_str().unwrap().to_string()
    };
    let (on_laptop_no, on_copy_no) = (order(&laptop), order(&copy));
    assert_eq!(on_laptop_no, on_copy_no, "the copy numbers orders as its original does");
    sync(&laptop, pb);

    let refused = cli(&copy, pb).args(["--json", "sync", "now", "--peer", &addr]).output().unwrap();
    assert_eq!(refused.status.code(), Some(7), "{}", String::from_utf8_lossy(&refused.stdout));
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("were both used") && said.contains("sync new-identity"), "{said}");
    assert!(!names(&hub, pa).contains(&copy_made[0]), "nothing moved");

    run_json(cli(&copy, pb).args(["--json", "sync", "new-identity"]));
    let round = sync(&copy, pb);
    assert!(round["received"].as_u64().unwrap() >= 1 && round["sent"].as_u64().unwrap() >= 3, "{round}");
    let on_copy = names(&copy, pb);
    assert!(on_copy.contains(&"After Copy On Laptop".to_string()), "the laptop's change came in: {on_copy:?}");
    for n in &copy_made {
        assert!(on_copy.contains(n), "the copy keeps {n}");
    }
    sync(&laptop, pb);
    let on_laptop = names(&laptop, pb);
    for n in &copy_made {
        assert!(on_laptop.contains(n), "the copy's {n} reached the laptop through the hub");
    }
    // The city both changed: one value everywhere, and a decision in the inbox everywhere.
    for (db, pass) in [(&hub, pa), (&laptop, pb), (&copy, pb)] {
        let inbox = run_json(cli(db, pass).args(["--json", "sync", "conflicts"]));
        let about: Vec<&serde_json::Value> =
            inbox.as_array().unwrap().iter().filter(|c| c["rowId"] == shared).collect();
        assert_eq!(about.len(), 1, "{} {inbox}", db.display());
        let values: Vec<String> =
            about[0]["sides"].as_array().unwrap().iter().map(|s| s["value"].to_string()).collect();
        assert!(
            values.iter().any(|v| v.contains("Laptop City")) && values.iter().any(|v| v.contains("Copy City")),
            "{values:?}"
        );
    }
    assert_eq!(city_of(&laptop, pb, "Shared Customer"), city_of(&copy, pb, "Shared Customer"));
    // Both orders everywhere, the copy's under a number of its own (nothing held back).
    for (db, pass) in [(&hub, pa), (&laptop, pb), (&copy, pb)] {
        let list = run_json(cli(db, pass).args(["--json", "order", "list", "--customer", &shared]));
        let numbers: BTreeSet<String> =
            list.as_array().unwrap().iter().map(|o| o["number"].as_str().unwrap().to_string()).collect();
        assert_eq!(numbers.len(), 2, "{}: {list}", db.display());
        assert!(numbers.contains(&on_laptop_no), "{numbers:?}");
        let status = run_json(cli(db, pass).args(["--json", "sync", "status"]));
        assert_eq!(status["held"], 0, "{}: {status}", db.display());
    }
    // The laptop, still the original identity, syncs on; so does the copy.
    add(&laptop, "Laptop Later");
    sync(&laptop, pb);
    add(&copy, "Copy Later");
    sync(&copy, pb);
    sync(&laptop, pb);
    assert!(names(&copy, pb).contains(&"Laptop Later".to_string()));
    assert!(names(&laptop, pb).contains(&"Copy Later".to_string()));
    let _ = serving.child.kill();
    let _ = serving.child.wait();
    let (h, l, c) = (digest_of(&hub, pa), digest_of(&laptop, pb), digest_of(&copy, pb));
    assert_eq!(h, l, "hub and laptop");
    assert_eq!(h, c, "hub and copy");
    for (db, pass) in [(&hub, pa), (&laptop, pb), (&copy, pb)] {
        for check in [&["--json", "check"][..], &["--json", "audit", "verify"][..]] {
            let v = cli(db, pass).args(check).output().unwrap();
            assert!(v.status.success(), "{} {check:?}: {}", db.display(), String::from_utf8_lossy(&v.stdout));
        }
    }
}

/// The other order: the copy syncs first, so its changes travel under the shared identity, and
/// the laptop it came from is the one told when it next syncs. After a new identity the laptop's
/// own change made meanwhile is kept (logged again under it) and the copy's come in.
#[test]
fn when_the_copy_syncs_first_the_original_is_told_and_keeps_its_changes() {
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    let Team { dir, hub, laptop, mut serving, addr } = team(pa, pb);
    let add = |db: &Path, name: &str| {
        add_person(db, pb, name);
    };
    let sync = |db: &Path| cli(db, pb).args(["--json", "sync", "now", "--peer", &addr]).output().unwrap();
    add(&laptop, "Before Copy");
    assert!(sync(&laptop).status.success());
    let copy = copy_of(&laptop, &dir.path().join("copy"));
    add(&copy, "Copy First");
    add(&copy, "Copy Second");
    assert!(sync(&copy).status.success(), "the copy is not told: nothing it holds disagrees with the hub");
    add(&laptop, "Laptop Meanwhile");
    let told = sync(&laptop);
    assert_eq!(told.status.code(), Some(7), "{}", String::from_utf8_lossy(&told.stdout));
    assert!(String::from_utf8_lossy(&told.stdout).contains("new-identity"));
    run_json(cli(&laptop, pb).args(["--json", "sync", "new-identity"]));
    assert!(sync(&laptop).status.success());
    let on_laptop = names(&laptop, pb);
    for n in ["Copy First", "Copy Second", "Laptop Meanwhile"] {
        assert!(on_laptop.contains(&n.to_string()), "{n}: {on_laptop:?}");
    }
    assert!(names(&hub, pa).contains(&"Laptop Meanwhile".to_string()), "the laptop's change went out");
    assert!(sync(&copy).status.success());
    assert!(names(&copy, pb).contains(&"Laptop Meanwhile".to_string()));
    let _ = serving.child.kill();
    let _ = serving.child.wait();
    assert_eq!(digest_of(&hub, pa), digest_of(&laptop, pb));
    assert_eq!(digest_of(&hub, pa), digest_of(&copy, pb));
}

/// Every customer as (id, name, city, phones), sorted: what both desktops must agree on.
fn book_of(b: &Banyan, who: &Caller) -> Vec<(String, String, Option<String>, Vec<String>)> {
    let f = CustomerFilter { include_deleted: true, limit: Some(100_000), ..Default::default() };
    let mut v: Vec<_> =
        b.customers(who, &f).unwrap().into_iter().map(|c| (c.id.to_string(), c.name, c.city, c.phones)).collect();
    v.sort();
    v
}

#[test]
fn a_sync_killed_at_any_point_on_either_side_leaves_both_books_sound_and_then_converges() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    let (a, b) = paired(dir.path(), pa, pb);
    // Both books stay open in this process too (as a desktop's window would), for edits between
    // rounds and to check them after each kill.
    let open = |p: &Path, pass: &str| {
        let bk = Banyan::open(&banyan::api::OpenOptions::new(p), &Unlock::passphrase(pass)).unwrap();
        let who = bk.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap();
        Desk { b: bk, who }
    };
    let (ha, hb) = (open(&a, pa), open(&b, pb));
    let ids: Vec<String> = ids(&ha);
    let mut rng =
        StdRng::seed_from_u64(std::env::var("BANYAN_SYNC_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(37));
    // Each side edits a few hundred fields before every round, so a round has work to cut.
    let work = |rng: &mut StdRng, d: &Desk, round: usize, side: &str| {
        for k in 0..60 {
            let id = &ids[rng.random_range(0..ids.len())];
            let patch = CustomerPatch {
                city: Some(format!("{side} {round}-{k}")),
                notes: Some(format!("round {round} on {side}")),
                ..Default::default()
            };
            let _ = d.b.update_customer(&d.who, id, &patch);
        }
    };
    let hub = |rng: &mut StdRng| -> (Running, String) {
        let _ = rng;
        let h = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
        let addr = h.first["listening"].as_str().unwrap().to_string();
        (h, addr)
    };
    let sound = |d: &Desk, when: &str| {
        let problems = d.b.check(&d.who).unwrap();
        if !problems.is_empty() {
            let path = d.b.path().to_path_buf();
            let pass = if path == a { pa } else { pb };
            let fresh = run_json(cli(&path, pass).args(["--json", "check"]));
            panic!("{when}: {problems:?}; a fresh process: {fresh}");
        }
    };
    let (mut points, mut cut) = (0, 0);
    let (mut h, mut addr) = hub(&mut rng);
    for round in 0..100 {
        work(&mut rng, &ha, round, "hub");
        work(&mut rng, &hb, round, "laptop");
        let mut now = cli(&b, pb)
            .args(["--json", "sync", "now", "--peer", &addr])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Somewhere in the round: opening, the handshake, either pull, an apply, a commit.
        std::thread::sleep(std::time::Duration::from_millis(rng.random_range(0..700)));
        if round % 2 == 0 {
            if now.try_wait().unwrap().is_none() {
                cut += 1;
            }
            let _ = now.kill();
            let _ = now.wait();
            sound(&hb, &format!("laptop killed in round {round}"));
        } else {
            h.child.kill().unwrap();
            h.child.wait().unwrap();
            let _ = now.wait();
            sound(&ha, &format!("hub killed in round {round}"));
            (h, addr) = hub(&mut rng);
        }
        points += 1;
    }
    // Then a round that is let finish, until neither side has anything for the other.
    for _ in 0..5 {
        let r = run_json(cli(&b, pb).args(["--json", "sync", "now", "--peer", &addr]));
        if r["sent"] == 0 && r["received"] == 0 {
            break;
        }
    }
    drop(h);
    sound(&ha, "hub after");
    sound(&hb, "laptop after");
    assert_eq!(points, 100);
    assert!(cut >= 25, "only {cut} of the laptop's 50 rounds were still running when killed");
    assert_eq!(ha.b.sync_vector().unwrap(), hb.b.sync_vector().unwrap(), "no change lost or doubled");
    assert_eq!(ha.b.store().sync_digest().unwrap(), hb.b.store().sync_digest().unwrap());
    assert_eq!(book_of(&ha.b, &ha.who), book_of(&hb.b, &hb.who));
    assert_eq!(ha.b.sync_conflicts(&ha.who).unwrap(), hb.b.sync_conflicts(&hb.who).unwrap());
}

#[test]
fn a_desktop_in_live_sync_gets_the_hubs_changes_and_sends_its_own_without_anyone_asking() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = ("hub passphrase 5", "laptop passphrase 6");
    let (a, b) = paired(dir.path(), pa, pb);
    let mut hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let hub_addr = hub.first["listening"].as_str().unwrap().to_string();
    let mut live = spawn(cli(&b, pb).args(["--json", "sync", "live", "--peer", &hub_addr]));
    assert!(live.first["received"].is_u64(), "the first round: {}", live.first);
    let list = run_json(cli(&a, pa).args(["--json", "customer", "list", "--limit", "2"]));
    let (x, y) = (list[0]["id"].as_str().unwrap().to_string(), list[1]["id"].as_str().unwrap().to_string());
    let city = |db: &Path, pass: &str, id: &str| {
        run_json(cli(db, pass).args(["--json", "customer", "get", id]))["customer"]["city"].as_str().map(str::to_string)
    };
    // Waits (at most 20 s: a debug build, four processes on two cores) for `db` to show `want`.
    let arrives = |db: &Path, pass: &str, id: &str, want: &str| {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < until {
            if city(db, pass, id).as_deref() == Some(want) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    };
    // Made on the hub (another process writes its book while it serves): the laptop pulls it.
    run_json(cli(&a, pa).args(["--json", "customer", "update", &x, "--city", "Salem"]));
    assert!(arrives(&b, pb, &x, "Salem"), "the hub's change did not reach the laptop");
    // Made on the laptop: it pushes it.
    run_json(cli(&b, pb).args(["--json", "customer", "update", &y, "--city", "Concord"]));
    assert!(arrives(&a, pa, &y, "Concord"), "the laptop's change did not reach the hub");
    // One line per round, each of which moved something or answered news; none failed.
    let _ = live.child.kill();
    let _ = live.child.wait();
    let _ = hub.child.kill();
    let rounds: Vec<serde_json::Value> = std::io::BufRead::lines(&mut live.rest)
        .map_while(Result::ok)
        .map(|l| serde_json::from_str(&l).unwrap())
        .collect();
    assert!(rounds.iter().all(|r| r.get("error").is_none()), "{rounds:?}");
    let moved: u64 = rounds.iter().map(|r| r["sent"].as_u64().unwrap() + r["received"].as_u64().unwrap()).sum();
    assert!(moved >= 2, "{rounds:?}");
}

#[test]
fn a_desktop_removed_from_the_book_is_cut_off_while_it_is_in_live_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = ("hub passphrase 7", "laptop passphrase 8");
    let (a, b) = paired(dir.path(), pa, pb);
    let mut hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let hub_addr = hub.first["listening"].as_str().unwrap().to_string();
    let mut live = spawn(cli(&b, pb).args(["--json", "sync", "live", "--peer", &hub_addr]));
    assert!(live.first["received"].is_u64(), "{}", live.first);
    let laptop = run_json(cli(&b, pb).args(["--json", "sync", "status"]))["device"].as_str().unwrap().to_string();
    // The laptop is lost: the hub removes it while its live connection is open.
    run_json(cli(&a, pa).args(["--json", "sync", "revoke", &laptop]));
    let list = run_json(cli(&a, pa).args(["--json", "customer", "list", "--limit", "1"]));
    let x = list[0]["id"].as_str().unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_secs(2));
    run_json(cli(&a, pa).args(["--json", "customer", "update", &x, "--city", "Nowhere"]));
    std::thread::sleep(std::time::Duration::from_secs(3));
    let got = run_json(cli(&b, pb).args(["--json", "customer", "get", &x]));
    assert_ne!(got["customer"]["city"], "Nowhere", "a removed desktop still gets the book's changes");
    // Live sync ends by itself, saying why (trying again would never help), well before the
    // backoff's 30 s.
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = live.child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            let _ = live.child.kill();
            let _ = live.child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let _ = hub.child.kill();
    let lines: Vec<String> = std::io::BufRead::lines(&mut live.rest).map_while(Result::ok).collect();
    assert_eq!(status.and_then(|s| s.code()), Some(7), "`sync live` of a removed desktop went on trying: {lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("\"removed\"") && l.contains("removed from the book")),
        "the laptop was not told: {lines:?}"
    );
    // Its open watch connection was cut with the reason, or (the laptop now stops at once and
    // may beat the hub's once-a-second check) its next handshake was refused as revoked.
    let _ = hub.child.wait();
    let served: Vec<String> = std::io::BufRead::lines(&mut hub.rest).map_while(Result::ok).collect();
    assert!(served.iter().any(|l| l.contains("removed from the book") || l.contains("Revoked")), "{served:?}");
}

#[test]
fn a_desktop_finds_its_hub_by_announcement_and_a_spoofed_announcement_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("hub/book.db"), dir.path().join("laptop/book.db"));
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    run_json(cli(&a, pa).args(["--json", "init"]));
    run_json(cli(&a, pa).args(["--json", "user", "add", ADMIN, "--name", "Hub Admin", "--role", "admin"]));
    let mut invite =
        spawn(cli(&a, pa).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0", "--name", "office-hub"]));
    let (code, address) = (invite.first["code"].as_str().unwrap(), invite.first["address"].as_str().unwrap());
    run_json(cli(&b, pb).args(["--json", "sync", "pair", code, address, "--name", "rep-laptop"]));
    assert!(invite.child.wait().unwrap().success());
    let book = {
        let hub = Banyan::open(&banyan::api::OpenOptions::new(&a), &Unlock::passphrase(pa)).unwrap();
        hub.sync_hello().unwrap().book
    };

    // Someone on the network announces this book's tag (copied from a real announcement) at a
    // listener of their own: the laptop tries it and the handshake fails on the fingerprint, before
    // a byte of the book is sent either way.
    let stranger = banyan_net::Identity::generate().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let spoof_addr = listener.local_addr().unwrap();
    let attempts = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let attempts = attempts.clone();
        let config = banyan_net::tls::server_config(&stranger, std::sync::Arc::new(banyan_net::tls::AnyPeer)).unwrap();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { continue };
                let got =
                    banyan_net::tls::accept(tcp, config.clone()).and_then(|mut s| banyan_net::frame::read(&mut s));
                attempts.lock().unwrap().push(format!("{got:?}"));
            }
        });
    }
    let _spoof = banyan_net::discover::announce(&book, spoof_addr, banyan_net::discover::Scope::Loopback).unwrap();
    run_json(cli(&b, pb).args(["--json", "customer", "add", "--kind", "person", "--name", "Li Lei"]));
    let out = cli(&b, pb).args(["--json", "sync", "now"]).output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stdout));
    let tried = attempts.lock().unwrap().clone();
    assert_eq!(tried.len(), 1, "the laptop tried the announced address once: {tried:?}");
    assert!(tried[0].starts_with("Err("), "and the stranger got no frame: {tried:?}");

    // The hub serves and announces itself; `sync now` without an address finds it past the spoof.
    let hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let hub_addr = hub.first["listening"].as_str().unwrap().to_string();
    let round = run_json(cli(&b, pb).args(["--json", "sync", "now"]));
    assert_eq!((round["peer"].as_str(), round["address"].as_str()), (Some("office-hub"), Some(hub_addr.as_str())));
    assert!(round["sent"].as_u64().is_some_and(|n| n >= 1), "{round}");
    assert_eq!(names(&a, pa), vec!["Li Lei".to_string()]);

    // The hub comes back on another port: the address last reached no longer answers, the
    // announcement gives the new one.
    drop(hub);
    let hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let moved = hub.first["listening"].as_str().unwrap().to_string();
    assert_ne!(moved, hub_addr);
    run_json(cli(&a, pa).args(["--json", "customer", "add", "--kind", "person", "--name", "Han Meimei"]));
    let round = run_json(cli(&b, pb).args(["--json", "sync", "now"]));
    assert_eq!(round["address"].as_str(), Some(moved.as_str()), "{round}");
    assert!(round["received"].as_u64().is_some_and(|n| n >= 1), "{round}");
    let mut on_b = names(&b, pb);
    on_b.sort();
    assert_eq!(on_b, vec!["Han Meimei".to_string(), "Li Lei".to_string()]);
    assert!(attempts.lock().unwrap().iter().all(|t| t.starts_with("Err(")), "the spoof never got a frame");
}

#[test]
fn an_order_moved_on_two_desktops_takes_the_furthest_step_and_paid_against_cancelled_waits_for_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    // The seed's three drafts, on both desktops.
    let numbers: Vec<String> = a.b.orders(&a.who, &Default::default()).unwrap().into_iter().map(|o| o.number).collect();
    let [paid, cancelled, stepped] = <[String; 3]>::try_from(numbers).unwrap();
    let moves = |d: &Desk, number: &str, steps: &[&str]| {
        for s in steps {
            d.b.set_order_status(&d.who, number, s).unwrap();
        }
    };
    let status = |d: &Desk, number: &str| d.b.order(&d.who, number).unwrap().status.as_str().to_string();
    // A takes payment while B, not knowing, calls the order off.
    moves(&a, &paid, &["confirmed", "fulfilled", "paid"]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    moves(&b, &paid, &["cancelled"]);
    // B confirms an order A has already cancelled; A ships one B confirms later.
    moves(&a, &cancelled, &["cancelled"]);
    moves(&a, &stepped, &["confirmed", "fulfilled"]);
    std::thread::sleep(std::time::Duration::from_millis(5));
    moves(&b, &cancelled, &["confirmed"]);
    moves(&b, &stepped, &["confirmed"]);
    both_ways(&a, &b);
    for d in [&a, &b] {
        assert_eq!(status(d, &paid), "paid", "paid against cancelled shows paid");
        assert_eq!(status(d, &cancelled), "cancelled", "cancelled beats an open state, though it came first");
        assert_eq!(status(d, &stepped), "fulfilled", "the furthest step wins, though it came first");
    }
    let (ca, cb) = (a.b.sync_conflicts(&a.who).unwrap(), b.b.sync_conflicts(&b.who).unwrap());
    assert_eq!(ca, cb);
    assert_eq!(ca.len(), 1, "only paid against cancelled needs a decision: {ca:?}");
    let sides: Vec<(&str, bool)> = ca[0].sides.iter().map(|s| (s.value.as_str(), s.shown)).collect();
    assert_eq!(sides, vec![("\"paid\"", true), ("\"cancelled\"", false)], "the later cancel is listed second");
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // Settled as cancelled (the money goes back) on one desktop: cancelled on both.
    b.b.sync_resolve(&b.who, &ca[0].id, "cancelled").unwrap();
    both_ways(&a, &b);
    assert_eq!((status(&a, &paid), status(&b, &paid)), ("cancelled".into(), "cancelled".into()));
    assert!(a.b.sync_conflicts(&a.who).unwrap().is_empty());
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

#[test]
fn a_drafts_lines_changed_on_two_desktops_are_one_unit_the_later_set_shows_and_totals_follow_it() {
    use banyan::model::LineInput;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let number = a.b.orders(&a.who, &Default::default()).unwrap()[0].number.clone();
    let tea = |q: &str| vec![LineInput { sku: "TEA-LJ".into(), quantity: q.into(), discount: None }];
    let split = vec![
        LineInput { sku: "TEA-LJ".into(), quantity: "1".into(), discount: Some("10".into()) },
        LineInput { sku: "TEA-LJ".into(), quantity: "4".into(), discount: None },
    ];
    // A makes it two lines; B, later and without seeing that, makes it seven of one.
    a.b.update_order_lines(&a.who, &number, &split, None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.b.update_order_lines(&b.who, &number, &tea("7"), None).unwrap();
    both_ways(&a, &b);
    let lines = |d: &Desk| -> Vec<(i64, u32)> {
        d.b.order(&d.who, &number).unwrap().lines.iter().map(|l| (l.quantity, l.discount_bp.unwrap_or(0))).collect()
    };
    let totals = |d: &Desk| d.b.order(&d.who, &number).unwrap().totals.unwrap();
    let priced = |l: &[LineInput]| a.b.preview_order(&a.who, l).unwrap().totals;
    for d in [&a, &b] {
        assert_eq!(lines(d), vec![(7, 0)], "the later set whole, not both sets' lines");
        assert_eq!(totals(d), priced(&tea("7")), "totals summed from the lines shown");
    }
    // One decision, over the set; none over the totals or the lines both edits removed.
    let ca = a.b.sync_conflicts(&a.who).unwrap();
    assert_eq!(ca, b.b.sync_conflicts(&b.who).unwrap());
    assert_eq!(ca.len(), 1, "{ca:?}");
    assert_eq!((ca[0].field.as_str(), ca[0].label.as_deref()), ("line_set", Some(number.as_str())));
    let sides: Vec<(Vec<String>, bool)> = ca[0].sides.iter().map(|s| (s.fields.clone(), s.shown)).collect();
    assert_eq!(
        sides,
        vec![
            (vec!["7 × 龙井 (TEA-LJ)".to_string()], true),
            (vec!["1 × 龙井 (TEA-LJ)".to_string(), "4 × 龙井 (TEA-LJ)".to_string()], false)
        ]
    );
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // Keeping A's set brings its lines back and B's go, with the totals, on both.
    let earlier = ca[0].sides[1].value.clone();
    b.b.sync_resolve(&b.who, &ca[0].id, &earlier).unwrap();
    both_ways(&a, &b);
    for d in [&a, &b] {
        assert_eq!(lines(d), vec![(1, 1000), (4, 0)]);
        assert_eq!(totals(d), priced(&split));
        assert!(d.b.sync_conflicts(&d.who).unwrap().is_empty());
    }
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // A customer deleted on both desktops is deleted once: nothing to decide.
    let gone = find(&a, "Anna Müller");
    a.b.delete_customer(&a.who, &gone).unwrap();
    b.b.delete_customer(&b.who, &gone).unwrap();
    both_ways(&a, &b);
    assert!(a.b.sync_conflicts(&a.who).unwrap().is_empty());
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

/// Adds a column to the book at `path` as a later version's migration would (the book closed).
fn add_column(path: &Path, table: &str, column: &str) {
    let key = banyan::security::KeyStore::for_db(path).unlock(Some(PASS)).unwrap().0;
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str())).unwrap();
    conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} TEXT;")).unwrap();
}

/// A desktop's book opened again (after an upgrade).
fn reopen(path: &Path) -> Desk {
    let b = Banyan::open(&opts(path), &Unlock::passphrase(PASS)).unwrap();
    let who = admin(&b);
    Desk { b, who }
}

#[test]
fn a_newer_desktops_change_of_a_column_this_version_lacks_waits_and_applies_once_the_column_is_added() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let id = find(&a, "王芳");
    // A runs a newer version: customers have a nickname. It sets one together with a city, then
    // changes the nickname again.
    let path = a.b.path().to_path_buf();
    drop(a);
    add_column(&path, "customers", "nickname");
    let a = reopen(&path);
    let text = |s: &str| rusqlite::types::Value::Text(s.into());
    a.b.store().update_for_test("customers", &id, vec![("city", text("杭州")), ("nickname", text("芳芳"))]).unwrap();
    a.b.store().update_for_test("customers", &id, vec![("nickname", text("小芳"))]).unwrap();
    set_city(&a, &id, "苏州");
    pull(&a, &b, 1_000, false);
    // B does not know the column: the city arrives, the nickname changes wait, nothing stops.
    assert_eq!(city(&b, &id), Some("苏州".into()));
    assert_eq!(b.b.store().sync_held_count().unwrap(), 2);
    assert_eq!(b.b.store().sync_vector().unwrap(), a.b.store().sync_vector().unwrap());
    // B is upgraded (the migration adds the column): on opening, the changes that waited apply
    // in order and B's book is A's, with nothing to decide.
    let path = b.b.path().to_path_buf();
    drop(b);
    add_column(&path, "customers", "nickname");
    let b = reopen(&path);
    assert_eq!(b.b.store().sync_held_count().unwrap(), 0);
    assert_eq!(city(&b, &id), Some("苏州".into()));
    assert!(b.b.sync_conflicts(&b.who).unwrap().is_empty());
    assert_eq!(b.b.store().sync_digest().unwrap(), a.b.store().sync_digest().unwrap());
    // And later changes of the column flow as any other.
    a.b.store().update_for_test("customers", &id, vec![("nickname", text("芳"))]).unwrap();
    both_ways(&a, &b);
    assert_eq!(b.b.store().sync_digest().unwrap(), a.b.store().sync_digest().unwrap());
    assert_eq!(b.b.store().sync_held_count().unwrap(), 0);
}

fn merge(d: &Desk, survivor: &str, other: &str) {
    let req =
        banyan::api::MergeRequest { survivor_id: survivor.into(), other_id: other.into(), take: Default::default() };
    d.b.merge(&d.who, &req).unwrap();
}

fn activities(d: &Desk, id: &str) -> Vec<String> {
    d.b.customer_record(&d.who, id).unwrap().activities.into_iter().map(|x| x.text).collect()
}

fn live(d: &Desk, id: &str) -> bool {
    !d.b.customer(&d.who, id).unwrap().deleted
}

#[test]
fn two_customers_merged_into_each_other_on_two_desktops_end_as_one_holding_both_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let (wang, li) = (find(&a, "王芳"), find(&a, "李娜"));
    let activity = |d: &Desk, id: &str, what: &str| {
        let input = banyan::model::ActivityInput {
            kind: Some("note".into()),
            occurred_at: Some("2026-12-01".into()),
            text: Some(what.into()),
        };
        d.b.add_activity(&d.who, id, &input).unwrap();
    };
    activity(&a, &wang, "met at the fair");
    activity(&a, &li, "asked for a quote");
    set_city(&a, &li, "北京");
    both_ways(&a, &b);
    // A keeps 王芳 with 李娜's; B, offline, keeps 李娜 with 王芳's.
    merge(&a, &wang, &li);
    merge(&b, &li, &wang);
    both_ways(&a, &b);
    let (kept, gone) = if wang < li { (&wang, &li) } else { (&li, &wang) };
    for d in [&a, &b] {
        assert!(live(d, kept) && !live(d, gone), "one of the two is kept, the same on both desktops");
        let notes: Vec<String> = activities(d, kept);
        assert_eq!(notes.len(), 2, "both customers' activities under the one kept: {notes:?}");
    }
    let ca = a.b.sync_conflicts(&a.who).unwrap();
    assert_eq!(ca, b.b.sync_conflicts(&b.who).unwrap());
    assert_eq!(ca.len(), 1, "only the note: {ca:?}");
    assert_eq!(ca[0].kind, banyan::store::ConflictKind::MergedBothWays);
    let names: Vec<(&str, bool)> = ca[0].sides.iter().map(|s| (s.fields[0].as_str(), s.shown)).collect();
    let kept_name = a.b.customer(&a.who, kept).unwrap().name;
    let gone_name = if kept_name == "王芳" { "李娜" } else { "王芳" };
    assert_eq!(names, vec![(kept_name.as_str(), true), (gone_name, false)]);
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
    // Seen on one desktop: gone from both inboxes; the customers stay as they are.
    a.b.sync_resolve(&a.who, &ca[0].id, kept).unwrap();
    both_ways(&a, &b);
    assert!(b.b.sync_conflicts(&b.who).unwrap().is_empty());
    assert!(live(&b, kept) && !live(&b, gone));
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

#[test]
fn what_arrives_for_a_merged_customer_shows_under_the_survivor() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let (anna, ruth) = (find(&a, "Anna Müller"), find(&a, "Ruth Quillfeather"));
    merge(&a, &anna, &ruth);
    // B has not seen the merge: it logs a call with Ruth.
    let input = banyan::model::ActivityInput {
        kind: Some("call".into()),
        occurred_at: Some("2026-12-02".into()),
        text: Some("wants a catalogue".into()),
    };
    b.b.add_activity(&b.who, &ruth, &input).unwrap();
    both_ways(&a, &b);
    for d in [&a, &b] {
        assert!(!live(d, &ruth));
        let bodies = activities(d, &anna);
        assert_eq!(bodies, vec!["wants a catalogue".to_string()], "the call shows under the survivor");
        assert!(d.b.sync_conflicts(&d.who).unwrap().is_empty());
    }
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

#[test]
fn the_hubs_systemd_unit_verifies_and_its_command_serves_the_book_with_the_passphrase_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub data/book.db");
    run_json(cli(&db, PASS).args(["--json", "init"]));
    let out = cli(&db, PASS)
        .args(["serve", "--sync", "--listen", "127.0.0.1:0", "--systemd-unit"])
        .env_remove("BANYAN_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let unit = String::from_utf8(out.stdout).unwrap();
    assert!(!unit.contains(PASS), "the passphrase is never in the unit");
    let path = dir.path().join("banyan-hub.service");
    std::fs::write(&path, &unit).unwrap();
    // systemd's own check: the unit parses, every key is known, the binary is there.
    let verify = std::process::Command::new("systemd-analyze").arg("verify").arg(&path).output().unwrap();
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    // Its command, as systemd would run it: the passphrase on standard input, from a file.
    let exec = unit.lines().find_map(|l| l.strip_prefix("ExecStart=")).unwrap();
    let mut argv: Vec<String> = Vec::new();
    let (mut word, mut quoted) = (String::new(), false);
    for ch in exec.chars() {
        match ch {
            '"' => quoted = !quoted,
            ' ' if !quoted => argv.extend((!word.is_empty()).then(|| std::mem::take(&mut word))),
            c => word.push(c),
        }
    }
    argv.push(word);
    assert!(unit.contains("StandardInput=file:/etc/banyan/hub.passphrase"));
    let secret = dir.path().join("hub.passphrase");
    std::fs::write(&secret, format!("{PASS}\n")).unwrap();
    let mut hub = spawn(
        std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .arg("--json")
            .env("BANYAN_DISCOVERY", "loopback")
            .env_remove("BANYAN_PASSPHRASE")
            .stdin(std::fs::File::open(&secret).unwrap()),
    );
    assert!(hub.first["listening"].as_str().is_some_and(|a| a.starts_with("127.0.0.1:")), "{}", hub.first);
    assert!(hub.child.try_wait().unwrap().is_none(), "it keeps serving");
}

#[test]
fn a_running_import_stays_home_until_it_ends_and_goes_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let wang = find(&a, "王芳");
    set_city(&a, &wang, "杭州");
    let csv = dir.path().join("leads.csv");
    let mut text = String::from("name,phone\n");
    for i in 0..12_000 {
        text.push_str(&format!("Lead {i},+86 139 {:04} {:04}\n", i / 10_000, i % 10_000));
    }
    std::fs::write(&csv, text).unwrap();
    // Once its first 10,000 rows are committed here, B syncs: it gets the city changed before
    // the import began, none of the import.
    let seen: std::cell::RefCell<Option<(usize, Option<String>)>> = std::cell::RefCell::new(None);
    let count = |d: &Desk| d.b.customer_count(&d.who).unwrap() as usize;
    let rejects = dir.path().join("rejects.csv");
    a.b.import_file(&a.who, &csv, &Default::default(), Some(&rejects), &mut |_, _| {}, &|| {
        if seen.borrow().is_none() && count(&a) > 4 {
            pull(&a, &b, 100_000, false);
            *seen.borrow_mut() = Some((count(&b), city(&b, &wang)));
        }
        false
    })
    .unwrap();
    assert_eq!(seen.take(), Some((4, Some("杭州".into()))), "mid-import: the earlier change, none of the import");
    pull(&a, &b, 100_000, false);
    assert_eq!(count(&b), 12_004, "the import, whole, once it ended");
    assert_eq!(b.b.store().sync_vector().unwrap(), a.b.store().sync_vector().unwrap());
}

#[test]
fn undoing_an_import_brings_back_a_value_synced_from_another_desktop_not_the_one_it_replaced_here() {
    use banyan::io::import::OnDuplicate;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let wang = find(&a, "王芳");
    // B moves 王芳 to 深圳; A, not having seen that, imports a file that overwrites her city.
    set_city(&b, &wang, "深圳");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let csv = dir.path().join("fair.csv");
    std::fs::write(&csv, "name,phone,city\n王芳,+86 138 0013 8000,广州\n").unwrap();
    let req = banyan::api::ImportRequest { on_duplicate: OnDuplicate::Overwrite, ..Default::default() };
    let rejects = dir.path().join("rejects.csv");
    let report = a.b.import_file(&a.who, &csv, &req, Some(&rejects), &mut |_, _| {}, &|| false).unwrap();
    assert_eq!(report.counts.updated, 1, "{report:?}");
    both_ways(&a, &b);
    assert_eq!((city(&a, &wang), city(&b, &wang)), (Some("广州".into()), Some("广州".into())));
    // A takes the import back: 王芳 is in 深圳, as B said, on both; nothing left to decide.
    let batch = a.b.imports(&a.who).unwrap()[0].id.clone();
    a.b.undo_import(&a.who, &batch, &mut |_, _| {}, &|| false).unwrap();
    both_ways(&a, &b);
    assert_eq!((city(&a, &wang), city(&b, &wang)), (Some("深圳".into()), Some("深圳".into())));
    assert!(a.b.sync_conflicts(&a.who).unwrap().is_empty());
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

#[test]
fn changes_a_receiver_may_not_see_travel_as_stubs_that_keep_its_vector_whole_and_are_passed_on_as_stubs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = three(dir.path());
    let (wang, li) = (find(&a, "王芳"), find(&a, "李娜"));
    set_city(&a, &wang, "杭州");
    let secret = CustomerPatch { notes: Some("VIP: 年底续约 200 万".into()), ..Default::default() };
    a.b.update_customer(&a.who, &li, &secret).unwrap();
    set_city(&a, &li, "天津");
    // B may not see 李娜: A's feed to it leaves her changes' values out.
    let li_key = banyan::sync::wire::RowId::Uuid(*uuid::Uuid::parse_str(&li).unwrap().as_bytes());
    let hidden = |table: &str, row: &banyan::sync::wire::RowId| !(table == "customers" && *row == li_key);
    let batch = a.b.store().sync_changes_for(&b.b.store().sync_vector().unwrap(), 1_000, &hidden).unwrap();
    let stubs: Vec<&banyan::sync::wire::Entry> = batch.txs.iter().flat_map(|t| &t.entries).filter(|e| e.stub).collect();
    assert_eq!(stubs.len(), 2, "her two changes, as stubs");
    let wire = postcard::to_allocvec(&batch.txs).unwrap();
    assert!(!wire.windows("年底续约".len()).any(|w| w == "年底续约".as_bytes()), "no value of hers on the wire");
    assert!(!wire.windows("天津".len()).any(|w| w == "天津".as_bytes()));
    b.b.store().sync_apply(&batch.txs).unwrap();
    // B's vector is A's (nothing missing, nothing to ask for again); 王芳's change applied, 李娜
    // as she was.
    assert_eq!(b.b.store().sync_vector().unwrap(), a.b.store().sync_vector().unwrap());
    assert_eq!(city(&b, &wang), Some("杭州".into()));
    assert_eq!(city(&b, &li), Some("北京".into()));
    assert_eq!(b.b.customer(&b.who, &li).unwrap().notes, None);
    assert_eq!(b.b.store().sync_held_count().unwrap(), 0);
    // B relays to C: the stubs go on as stubs (B never had more), checked against A's chain and
    // signature on the way.
    pull(&b, &c, 1_000, false);
    assert_eq!(c.b.store().sync_vector().unwrap(), a.b.store().sync_vector().unwrap());
    assert_eq!(city(&c, &li), Some("北京".into()));
    assert_eq!(city(&c, &wang), Some("杭州".into()));
    let again = b.b.store().sync_changes(&Default::default(), 10_000).unwrap();
    let relayed = again.txs.iter().flat_map(|t| &t.entries).filter(|e| e.stub).count();
    assert_eq!(relayed, 2);
}

#[test]
fn an_import_is_listed_on_every_desktop_once_it_ends_and_any_of_them_can_take_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two(dir.path());
    let csv = dir.path().join("expo.csv");
    std::fs::write(&csv, "name,phone\nZhou Xun,+86 139 1000 0001\nLiu Yang,+86 139 1000 0002\n").unwrap();
    let rejects = dir.path().join("rejects.csv");
    let report = a.b.import_file(&a.who, &csv, &Default::default(), Some(&rejects), &mut |_, _| {}, &|| false).unwrap();
    both_ways(&a, &b);
    let journal = b.b.imports(&b.who).unwrap();
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(
        (journal[0].id.as_str(), journal[0].status.as_str(), journal[0].created),
        (report.batch_id.as_str(), "done", 2)
    );
    assert_eq!(journal[0].file_name, "expo.csv");
    // B takes A's import back; both books lose its customers and both journals say so.
    b.b.undo_import(&b.who, &report.batch_id, &mut |_, _| {}, &|| false).unwrap();
    both_ways(&a, &b);
    for d in [&a, &b] {
        assert_eq!(d.b.customer_count(&d.who).unwrap(), 4);
        assert_eq!(d.b.imports(&d.who).unwrap()[0].status, "undone");
    }
    assert!(a.b.sync_conflicts(&a.who).unwrap().is_empty());
    assert_eq!(a.b.store().sync_digest().unwrap(), b.b.store().sync_digest().unwrap());
}

/// The copy a joining desktop is sent: the whole book under a key of its own, opening at the
/// same schema with the same customers and search, compact (no free page holding anything
/// deleted earlier), and without the inviter's TLS key, signing key or device-local records.
#[test]
fn the_copy_a_joining_desktop_gets_is_the_book_without_the_inviters_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = seed(dir.path());
    let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    let who = admin(&b);
    b.store().set_sync_tls(b"inviter certificate", b"INVITER-PRIVATE-TLS-KEY").unwrap();
    b.sync_pairing_failed().unwrap();
    // Rows deleted before the copy: their pages are free in the book, never in the copy.
    for i in 0..300 {
        let c = person(&format!("Temporary Person {i}"));
        let id = b.add_customer(&who, &c).unwrap().id.to_string();
        b.delete_customer(&who, &id).unwrap();
    }
    let before = b.customers(&who, &CustomerFilter::default()).unwrap().len();
    let dest = dir.path().join("copy.db");
    let expected = std::sync::atomic::AtomicU64::new(0);
    let once = b.sync_snapshot(&who, &dest, &expected).unwrap();
    let size = std::fs::metadata(&dest).unwrap().len();
    let expected = expected.load(std::sync::atomic::Ordering::Relaxed);
    assert!(size > 0 && size <= expected, "the copy ({size} bytes) grows to about what was expected ({expected})");
    // Not the inviter's key: the book's own key does not open the copy.
    let (own, _) = banyan::security::keys::KeyStore::for_db(&path).unlock(Some(PASS)).unwrap();
    assert!(Store::open(&dest, &Unlock::Raw(own), fast()).is_err(), "the inviter's key opens the copy");
    let raw = std::fs::read(&dest).unwrap();
    for needle in ["Ruth Quillfeather".as_bytes(), b"INVITER-PRIVATE-TLS-KEY", b"SQLite format 3"] {
        assert!(!raw.windows(needle.len()).any(|w| w == needle), "clear text in the copy");
    }

    let copy = Store::open(&dest, &Unlock::Raw(once.clone()), fast()).unwrap();
    assert!(copy.sync_tls().unwrap().is_none(), "the inviter's TLS identity went along");
    assert_ne!(copy.signing_public_key(), b.store().signing_public_key(), "the inviter's signing key went along");
    assert_eq!(copy.schema_version().unwrap(), b.store().schema_version().unwrap());
    assert_eq!(copy.space().unwrap().free_bytes, 0, "free pages in the copy");
    assert!(copy.check().unwrap().is_empty() && copy.check_received().unwrap().is_empty());
    let all = banyan::store::Reach::All;
    assert_eq!(copy.customer_count(&all).unwrap() as usize, before);
    let hits = copy.search("Ruth Quill", &SearchFilter::default(), 10, &all).unwrap();
    assert_eq!(hits.len(), 1, "the copy's search finds the customer");
    assert!(copy.search("Temporary Person", &SearchFilter::default(), 10, &all).unwrap().is_empty());
    assert_eq!(copy.sync_vector().unwrap(), b.store().sync_vector().unwrap(), "the copy holds every change");
}

/// A stranger on the LAN that opens connections to the hub and never finishes a TLS handshake
/// (or trickles it) holds a few of the hub's threads for the handshake's 10 s at most; members
/// from other addresses sync meanwhile as usual.
#[test]
fn connections_a_stranger_opens_and_never_completes_hold_the_hub_briefly_and_members_still_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = ("hub passphrase 1", "laptop passphrase 2");
    let (a, b) = paired(dir.path(), pa, pb);
    let mut hub = spawn(cli(&a, pa).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let addr: std::net::SocketAddr = hub.first["listening"].as_str().unwrap().parse().unwrap();
    let threads = || -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", hub.child.id())).unwrap();
        status.lines().find_map(|l| l.strip_prefix("Threads:")).unwrap().trim().parse().unwrap()
    };
    // Its own threads (the upkeep, the announcement) start as it settles.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let idle = threads();

    // 40 connections from another loopback address (a second machine, as far as the hub can
    // tell): one sends nothing, the others a byte now and then.
    let stranger: std::net::SocketAddr = "127.0.0.2:0".parse().unwrap();
    let mut held = Vec::new();
    for i in 0..40 {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.bind(&stranger.into()).unwrap();
        s.connect(&addr.into()).unwrap();
        let mut s: std::net::TcpStream = s.into();
        if i > 0 {
            // The first byte of a TLS record: a handshake that never goes on.
            std::io::Write::write_all(&mut s, &[0x16]).unwrap();
        }
        held.push(s);
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let busy = threads();
    assert!(busy <= idle + 8, "the hub runs {busy} threads for one stranger's connections ({idle} idle)");

    // A member syncs meanwhile, and is answered at once.
    run_json(cli(&b, pb).args(["--json", "customer", "add", "--kind", "person", "--name", "Ruth Quillfeather"]));
    let started = std::time::Instant::now();
    let round = run_json(cli(&b, pb).args(["--json", "sync", "now", "--peer", &addr.to_string()]));
    assert!(round["sent"].as_u64().unwrap() >= 1, "{round}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "the member waited {:?}", started.elapsed());
    let found = run_json(cli(&a, pa).args(["--json", "customer", "search", "Quillfeather"]));
    assert_eq!(found.as_array().map(|a| a.len()), Some(1), "{found}");

    // The handshake's time is up: the hub has hung up on every one of them.
    std::thread::sleep(banyan_net::tls::HANDSHAKE + std::time::Duration::from_secs(1));
    for mut s in held {
        s.set_read_timeout(Some(std::time::Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 64];
        // An alert before closing is fine; then the end, not a wait.
        let mut reads = 0;
        loop {
            match std::io::Read::read(&mut s, &mut buf) {
                Ok(0) => break,
                Ok(_) if reads < 4 => reads += 1,
                Ok(_) => panic!("the hub keeps talking to a stranger"),
                Err(e) => {
                    assert!(
                        !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
                        "the hub still holds a stranger's connection"
                    );
                    break;
                }
            }
        }
    }
    assert!(threads() <= idle + 1, "threads left behind: {} ({idle} idle)", threads());
    let _ = hub.child.kill();
    let _ = hub.child.wait();
}
