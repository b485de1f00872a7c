//! `cargo xtask bench store`: inserts N customers (default 1,000,000) through the write gateway in
//! batches and reads them all back, once into a plain SQLite file and once into a SQLCipher file,
//! and prints the cost of encryption as a ratio. Options: --customers N --batch N --cache-mib N.

use banyan::demo::DemoGen;
use banyan::model::ValidationContext;
use banyan::security::DbKey;
use banyan::store::{Actor, CustomerFilter, CustomerSort, NewKey, Store, StoreOptions};
use std::time::Instant;

struct Run {
    insert_s: f64,
    /// Read back in the order they were written (created_at index).
    read_s: f64,
    /// Read back sorted by name: random access into the table.
    read_name_s: f64,
    size_mb: f64,
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn run(encrypted: bool, customers: &[banyan::model::ValidCustomer], batch: usize, cache_mib: u32) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let opts = StoreOptions { cache_mib, ..Default::default() };
    let key = DbKey::random().unwrap();
    let new_key = if encrypted { NewKey::Raw(key.clone()) } else { NewKey::PlaintextForBenchmark };
    let store = Store::create(&path, new_key, opts.clone()).unwrap();
    let actor = Actor { user: "bench".into(), batch: None };
    let t = Instant::now();
    for chunk in customers.chunks(batch) {
        store.add_customers(&actor, chunk).unwrap();
    }
    let insert_s = t.elapsed().as_secs_f64();
    drop(store);
    let store = if encrypted {
        Store::open(&path, &banyan::security::Unlock::Raw(key), opts).unwrap()
    } else {
        Store::open_plaintext_for_benchmark(&path, opts).unwrap()
    };
    let t = Instant::now();
    let all = store
        .customers(&CustomerFilter { sort: CustomerSort::Created, ..Default::default() }, &banyan::store::Reach::All)
        .unwrap();
    let read_s = t.elapsed().as_secs_f64();
    assert_eq!(all.len(), customers.len());
    drop(all);
    let t = Instant::now();
    let all = store.customers(&CustomerFilter::default(), &banyan::store::Reach::All).unwrap();
    let read_name_s = t.elapsed().as_secs_f64();
    assert_eq!(all.len(), customers.len());
    drop(all);
    drop(store);
    let size_mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    Run { insert_s, read_s, read_name_s, size_mb }
}

fn main() {
    let n = arg("--customers", 1_000_000);
    let batch = arg("--batch", 10_000);
    let cache_mib = arg("--cache-mib", StoreOptions::default().cache_mib as usize) as u32;
    eprintln!("generating {n} customers…");
    let ctx = ValidationContext::default();
    let mut g = DemoGen::new(1);
    let customers: Vec<_> = (0..n).map(|_| g.valid_customer(&ctx)).collect();
    eprintln!("plain SQLite…");
    let plain = run(false, &customers, batch, cache_mib);
    eprintln!("SQLCipher…");
    let enc = run(true, &customers, batch, cache_mib);
    println!(
        "store benchmark: {n} customers, batches of {batch}, cache {cache_mib} MiB, every write through the gateway (row + change log + search index)"
    );
    println!(
        "{:<10} {:>10} {:>10} {:>12} {:>10} {:>14} {:>8}",
        "", "insert s", "inserts/s", "read all s", "rows/s", "by name s", "file MB"
    );
    for (name, r) in [("plain", &plain), ("sqlcipher", &enc)] {
        println!(
            "{:<10} {:>10.1} {:>10.0} {:>12.2} {:>10.0} {:>14.2} {:>8.0}",
            name,
            r.insert_s,
            n as f64 / r.insert_s,
            r.read_s,
            n as f64 / r.read_s,
            r.read_name_s,
            r.size_mb
        );
    }
    println!(
        "ratio sqlcipher/plain: insert {:.2}x, read all {:.2}x, read all by name {:.2}x (target ≤ 1.25x)",
        enc.insert_s / plain.insert_s,
        enc.read_s / plain.read_s,
        enc.read_name_s / plain.read_name_s
    );
}
