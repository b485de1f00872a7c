//! `cargo xtask bench search`: builds a book of N generated customers (default 1,000,000; mixed
//! Chinese and Latin names, companies, phones), then replays typing sequences, one query per
//! keystroke, and prints p50/p99 latency per keystroke for each kind of query, the index build
//! time and the database size, encrypted and plain, with the ratio.
//! Options: --customers N --limit N (hits per query, default 30) --cache-mib N.

use banyan::demo::DemoGen;
use banyan::model::{CustomerKind, ValidCustomer, ValidationContext};
use banyan::security::{DbKey, Unlock};
use banyan::store::{Actor, NewKey, SearchFilter, Store, StoreOptions};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What a rep types, keystroke by keystroke, per kind of query.
fn sequences(customers: &[ValidCustomer]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let step = customers.len() / 150;
    for (i, c) in customers.iter().step_by(step.max(1)).enumerate() {
        let name = &c.name;
        if han(name) && c.kind == CustomerKind::Person {
            out.push(("exact", name.clone()));
            let chars: Vec<char> = name.chars().collect();
            if chars.len() >= 3 {
                out.push(("substring", chars[1..].iter().collect()));
            }
            let r = &banyan::search::text::readings(name)[0];
            out.push(("pinyin", r.concat()));
            out.push(("initials", r.iter().filter_map(|s| s.chars().next()).collect()));
        } else if !han(name) {
            out.push(("prefix", name.split_whitespace().last().unwrap_or(name).to_string()));
            if i % 2 == 0 && name.len() > 6 {
                // Two adjacent letters swapped in each word: a typical typo.
                let typo: Vec<String> = name
                    .split_whitespace()
                    .map(|w| {
                        let mut cs: Vec<char> = w.chars().collect();
                        if cs.len() > 4 {
                            cs.swap(2, 3);
                        }
                        cs.into_iter().collect()
                    })
                    .collect();
                out.push(("fuzzy", typo.join(" ")));
            }
        }
        if let Some(p) = c.phones.first() {
            out.push(("phone", p[p.len() - 8..p.len() - 1].to_string()));
        }
    }
    out
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

struct Result {
    insert_s: f64,
    reindex_s: f64,
    size_mb: f64,
    per_kind: BTreeMap<&'static str, Vec<Duration>>,
}

fn run(
    encrypted: bool,
    customers: &[ValidCustomer],
    seqs: &[(&'static str, String)],
    limit: u32,
    cache_mib: u32,
) -> Result {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.db");
    let opts = StoreOptions { cache_mib, ..Default::default() };
    let key = DbKey::random().unwrap();
    let store = Store::create(
        &path,
        if encrypted { NewKey::Raw(key.clone()) } else { NewKey::PlaintextForBenchmark },
        opts.clone(),
    )
    .unwrap();
    let actor = Actor { user: "bench".into(), batch: None };
    let t = Instant::now();
    for chunk in customers.chunks(10_000) {
        store.add_customers(&actor, chunk).unwrap();
    }
    let insert_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    store.reindex(&mut |_, _| {}).unwrap();
    let reindex_s = t.elapsed().as_secs_f64();
    drop(store);
    let size_mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let store = if encrypted {
        Store::open(&path, &Unlock::Raw(key), opts).unwrap()
    } else {
        Store::open_plaintext_for_benchmark(&path, opts).unwrap()
    };
    let mut per_kind: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let filter = SearchFilter::default();
    // One warm-up pass, as a desktop that has been open a while; then the measured pass.
    for pass in 0..2 {
        for (kind, text) in seqs {
            let mut typed = String::new();
            for ch in text.chars() {
                typed.push(ch);
                let t = Instant::now();
                let hits = store.search(&typed, &filter, limit).unwrap();
                let dt = t.elapsed();
                std::hint::black_box(hits);
                if pass == 1 {
                    per_kind.entry(kind).or_default().push(dt);
                }
            }
        }
    }
    Result { insert_s, reindex_s, size_mb, per_kind }
}

fn main() {
    let n = arg("--customers", 1_000_000);
    let limit = arg("--limit", 30) as u32;
    let cache_mib = arg("--cache-mib", 64) as u32;
    eprintln!("generating {n} customers…");
    let ctx = ValidationContext::default();
    let mut g = DemoGen::new(7);
    let customers: Vec<ValidCustomer> = (0..n).map(|_| g.valid_customer(&ctx)).collect();
    let seqs = sequences(&customers);
    eprintln!("plain…");
    let plain = run(false, &customers, &seqs, limit, cache_mib);
    eprintln!("encrypted…");
    let enc = run(true, &customers, &seqs, limit, cache_mib);
    println!(
        "search benchmark: {n} customers, {} typing sequences, {limit} hits per query, cache {cache_mib} MiB",
        seqs.len()
    );
    println!(
        "build: insert (with index) plain {:.1} s / encrypted {:.1} s; index rebuild plain {:.1} s / encrypted {:.1} s; size plain {:.0} MB / encrypted {:.0} MB",
        plain.insert_s, enc.insert_s, plain.reindex_s, enc.reindex_s, plain.size_mb, enc.size_mb
    );
    println!(
        "{:<10} {:>6} {:>11} {:>11} {:>11} {:>11} {:>9}",
        "kind", "keys", "plain p50", "plain p99", "enc p50", "enc p99", "p99 ratio"
    );
    let mut worst: f64 = 0.0;
    for (kind, v) in &plain.per_kind {
        let mut p = v.clone();
        let mut e = enc.per_kind[kind].clone();
        let (pp50, pp99, ep50, ep99) = (pct(&mut p, 0.5), pct(&mut p, 0.99), pct(&mut e, 0.5), pct(&mut e, 0.99));
        worst = worst.max(ep99 / pp99);
        println!(
            "{kind:<10} {:>6} {pp50:>9.2}ms {pp99:>9.2}ms {ep50:>9.2}ms {ep99:>9.2}ms {:>8.2}x",
            v.len(),
            ep99 / pp99
        );
    }
    println!(
        "targets: p99 ≤ 10 ms exact/prefix/pinyin, ≤ 50 ms fuzzy; encrypted/plain ≤ 1.3x (worst here {worst:.2}x)"
    );
}
