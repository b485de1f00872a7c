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
    drop(b);
    path
}

/// A desktop that joined the team: a copy of the seed book with an identity of its own.
fn join(seed: &Path, dir: &Path) -> Desk {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("book.db");
    for suffix in ["", ".key.json"] {
        let mut from = seed.as_os_str().to_owned();
        from.push(suffix);
        let mut to = path.as_os_str().to_owned();
        to.push(suffix);
        std::fs::copy(PathBuf::from(from), PathBuf::from(to)).expect("copy the seed");
    }
    let mut s = Store::open(&path, &Unlock::passphrase(PASS), fast()).expect("open the copy");
    s.take_new_identity().expect("new identity");
    drop(s);
    let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).expect("open");
    let who = admin(&b);
    Desk { b, who }
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
fn act(rng: &mut StdRng, d: &Desk, added: &mut BTreeSet<(String, String)>, removed: &mut BTreeSet<(String, String)>) {
    let list = ids(d);
    if list.is_empty() || rng.random_ratio(1, 8) {
        let mut c = person(&format!("客户 {}", rng.random_range(0..10_000)));
        c.city = Some(CITIES[rng.random_range(0..CITIES.len())].into());
        let _ = d.b.add_customer(&d.who, &c);
        return;
    }
    let id = list[rng.random_range(0..list.len())].clone();
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
    let (mut added, mut removed) = (BTreeSet::new(), BTreeSet::new());
    for _ in 0..rng.random_range(6..24) {
        if rng.random_ratio(2, 3) {
            let who = rng.random_range(0..n);
            act(&mut rng, &desks[who], &mut added, &mut removed);
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
        "seed {seed}: {n} desks, {} phones added, {conflicts} conflicts, vector {:?}",
        added.len(),
        desks[0].b.store().sync_vector().unwrap().0.values().collect::<Vec<_>>()
    );
    let digests: Vec<String> = desks.iter().map(|d| d.b.store().sync_digest().unwrap()).collect();
    assert!(digests.iter().all(|x| *x == digests[0]), "seed {seed}: the desktops differ: {digests:?}");
    let vectors: Vec<_> = desks.iter().map(|d| d.b.store().sync_vector().unwrap()).collect();
    assert!(vectors.iter().all(|v| *v == vectors[0]), "seed {seed}: vectors differ");
    // A phone someone added and nobody removed is on the customer everywhere.
    for (id, phone) in added.difference(&removed) {
        for d in &desks {
            if let Ok(c) = d.b.customer(&d.who, id) {
                assert!(c.phones.contains(phone), "seed {seed}: {phone} added to {id} and lost: {:?}", c.phones);
            }
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

/// The number of schedules: `BANYAN_SYNC_SCHEDULES` or 40 (`cargo xtask test` runs this slice).
fn schedules() -> u64 {
    std::env::var("BANYAN_SYNC_SCHEDULES").ok().and_then(|v| v.parse().ok()).unwrap_or(40)
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
