//! `cargo xtask bench search`: builds a book of N generated customers (default 1,000,000; mixed
//! Chinese and Latin names, companies, phones), then replays typing sequences, one query per
//! keystroke, and prints p50/p99 latency per keystroke for each kind of query, the index build
//! time and the database size, encrypted and plain, with the ratio.
//! Options: --customers N --limit N (hits per query, default 30) --cache-mib N; --keep DIR builds
//! the two books in DIR once and reuses them on later runs (index build time is then not
//! measured); --no-reindex skips timing a full index rebuild; --only plain|encrypted builds one of
//! the two books and stops (so the two can be built side by side, printing their saves); --reindex
//! times a full index rebuild of books reused from --keep; --slow N prints each kind's N slowest
//! keystrokes. Then 300 customers are saved one by one (a form's save, each once the upkeep of the
//! last is done, as at a person's pace) and the save's p50/p99 printed with the upkeep's, then 100
//! back to back.

use banyan::demo::DemoGen;
use banyan::model::{CustomerKind, CustomerPatch, ValidCustomer, ValidationContext};
use banyan::security::{DbKey, Unlock};
use banyan::store::{Actor, NewKey, SearchFilter, Store, StoreOptions};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn arg_text(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn arg(name: &str, default: usize) -> usize {
    arg_text(name).and_then(|v| v.parse().ok()).unwrap_or(default)
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

/// A measured time, or that it was not measured in this run (a reused book).
fn secs(v: Option<f64>) -> String {
    v.map_or("not timed".to_string(), |s| format!("{s:.1} s"))
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// "p50 … ms p99 … ms" of `v`.
fn spread(v: &[Duration]) -> String {
    let mut v = v.to_vec();
    format!("p50 {:.2} ms p99 {:.2} ms", pct(&mut v, 0.5), pct(&mut v, 0.99))
}

struct Result {
    /// None when the book was reused from `--keep`.
    insert_s: Option<f64>,
    reindex_s: Option<f64>,
    /// The upkeep's merges after the build or rebuild (none on a book reused as it was).
    merged_after_s: f64,
    size_mb: f64,
    per_kind: BTreeMap<&'static str, Vec<(Duration, String)>>,
    /// One customer saved (a form's save: its row, change log, search entry and match keys
    /// rewritten in one transaction), each timed.
    saves: Vec<Duration>,
    /// The upkeep thread's work after each of those saves (it runs after the save has returned).
    upkeep: Vec<Duration>,
    /// Saves made back to back, each meeting the upkeep of the last.
    rushed: Vec<Duration>,
}

fn run(
    encrypted: bool,
    customers: &[ValidCustomer],
    seqs: &[(&'static str, String)],
    limit: u32,
    cache_mib: u32,
) -> Result {
    let tmp = tempfile::tempdir().unwrap();
    let keep = arg_text("--keep").map(std::path::PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(if encrypted { "encrypted.db" } else { "plain.db" });
    let key_path = dir.join("encrypted.key");
    let opts = StoreOptions { cache_mib, ..Default::default() };
    let (mut insert_s, mut reindex_s) = (None, None);
    let reuse = keep.is_some() && path.exists() && (!encrypted || key_path.exists());
    let key = if reuse && encrypted {
        let hex = std::fs::read_to_string(&key_path).unwrap();
        let mut b = [0u8; 32];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        DbKey::from_bytes(b)
    } else {
        DbKey::random().unwrap()
    };
    if !reuse {
        let _ = std::fs::remove_file(&path);
        let store = Store::create(
            &path,
            if encrypted { NewKey::Raw(key.clone()) } else { NewKey::PlaintextForBenchmark },
            opts.clone(),
        )
        .unwrap();
        if encrypted && keep.is_some() {
            std::fs::write(&key_path, key.to_hex().as_bytes()).unwrap();
        }
        let actor = Actor { user: "bench".into(), batch: None };
        let t = Instant::now();
        for chunk in customers.chunks(10_000) {
            store.add_customers(&actor, chunk).unwrap();
        }
        insert_s = Some(t.elapsed().as_secs_f64());
        if !std::env::args().any(|a| a == "--no-reindex") {
            let t = Instant::now();
            store.reindex(&mut |_, _| {}).unwrap();
            reindex_s = Some(t.elapsed().as_secs_f64());
        }
    }
    let store = if encrypted {
        Store::open(&path, &Unlock::Raw(key), opts).unwrap()
    } else {
        Store::open_plaintext_for_benchmark(&path, opts).unwrap()
    };
    if reuse && std::env::args().any(|a| a == "--reindex") {
        let t = Instant::now();
        store.reindex(&mut |_, _| {}).unwrap();
        reindex_s = Some(t.elapsed().as_secs_f64());
    }
    // What the building left unmerged is merged by the upkeep thread once the writes have
    // returned: timed apart, and waited for, so the searches below do not share the machine.
    let t = Instant::now();
    store.request_upkeep();
    store.settle();
    let merged_after_s = t.elapsed().as_secs_f64();
    let size_mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let mut per_kind: BTreeMap<&'static str, Vec<(Duration, String)>> = BTreeMap::new();
    let filter = SearchFilter::default();
    // One warm-up pass, as a desktop that has been open a while; then the measured pass.
    for pass in 0..2 {
        for (kind, text) in seqs {
            let mut typed = String::new();
            for ch in text.chars() {
                typed.push(ch);
                let t = Instant::now();
                let hits = store.search(&typed, &filter, limit, &banyan::store::Reach::All).unwrap();
                let dt = t.elapsed();
                std::hint::black_box(hits);
                if pass == 1 {
                    per_kind.entry(kind).or_default().push((dt, typed.clone()));
                }
            }
        }
    }
    // Saving a customer from the form, on the full book: 300 customers spread over the book,
    // found by name, each given a new note and saved; after the searches, so the cache is warm as
    // a desktop's is. A person leaves seconds between two saves, in which the upkeep thread merges
    // the search segments a save left and checkpoints the WAL: each save here starts once that is
    // done, and the upkeep's time is printed beside it; then 100 saves back to back, as a script
    // would make them. (It changes the kept book: its notes, not its size in any way that counts.)
    let mut saves = Vec::new();
    let mut upkeep = Vec::new();
    let mut rushed = Vec::new();
    let actor = Actor { user: "bench".into(), batch: None };
    let ctx = ValidationContext::default();
    store.settle();
    for i in 0..400 {
        let c = &customers[(i * 4_999) % customers.len()];
        let Some(hit) = store.search(&c.name, &filter, 1, &banyan::store::Reach::All).unwrap().into_iter().next()
        else {
            continue;
        };
        // What the form sends: the changed field and the record as it was loaded.
        let patch = CustomerPatch {
            notes: Some(format!("Called back about the quote, round {i}.")),
            base: Some(Box::new(hit.customer.clone())),
            ..Default::default()
        };
        let t = Instant::now();
        std::hint::black_box(
            store.patch_customer(&actor, hit.customer.id, &patch, &ctx, &banyan::store::Reach::All).unwrap(),
        );
        if i < 300 {
            saves.push(t.elapsed());
            let t = Instant::now();
            store.settle();
            upkeep.push(t.elapsed());
        } else {
            rushed.push(t.elapsed());
        }
    }
    store.settle();
    Result { insert_s, reindex_s, merged_after_s, size_mb, per_kind, saves, upkeep, rushed }
}

fn main() {
    let n = arg("--customers", 1_000_000);
    let limit = arg("--limit", 30) as u32;
    let cache_mib = arg("--cache-mib", StoreOptions::default().cache_mib as usize) as u32;
    eprintln!("generating {n} customers…");
    let ctx = ValidationContext::default();
    let mut g = DemoGen::new(7);
    let customers: Vec<ValidCustomer> = (0..n).map(|_| g.valid_customer(&ctx)).collect();
    let seqs = sequences(&customers);
    let only = arg_text("--only");
    if let Some(which) = &only {
        assert!(arg_text("--keep").is_some(), "--only needs --keep DIR");
        let r = run(which == "encrypted", &customers, &[], limit, cache_mib);
        println!(
            "{which}: insert (with index) {}, index rebuild {}, size {:.0} MB",
            secs(r.insert_s),
            secs(r.reindex_s),
            r.size_mb
        );
        println!(
            "{which}: save one customer {}, upkeep after it {} (no searches before)",
            spread(&r.saves),
            spread(&r.upkeep)
        );
        return;
    }
    eprintln!("plain…");
    let plain = run(false, &customers, &seqs, limit, cache_mib);
    eprintln!("encrypted…");
    let enc = run(true, &customers, &seqs, limit, cache_mib);
    println!(
        "search benchmark: {n} customers, {} typing sequences, {limit} hits per query, cache {cache_mib} MiB",
        seqs.len()
    );
    println!(
        "build: insert (with index) plain {} / encrypted {}; index rebuild plain {} / encrypted {}; then the upkeep's merges plain {:.1} s / encrypted {:.1} s; size plain {:.0} MB / encrypted {:.0} MB",
        secs(plain.insert_s),
        secs(enc.insert_s),
        secs(plain.reindex_s),
        secs(enc.reindex_s),
        plain.merged_after_s,
        enc.merged_after_s,
        plain.size_mb,
        enc.size_mb
    );
    println!(
        "{:<10} {:>6} {:>11} {:>11} {:>11} {:>11} {:>9}",
        "kind", "keys", "plain p50", "plain p99", "enc p50", "enc p99", "p99 ratio"
    );
    let mut worst: f64 = 0.0;
    let slow = arg("--slow", 0);
    let times = |v: &[(Duration, String)]| v.iter().map(|(d, _)| *d).collect::<Vec<_>>();
    for (kind, v) in &plain.per_kind {
        let mut p = times(v);
        let mut e = times(&enc.per_kind[kind]);
        let (pp50, pp99, ep50, ep99) = (pct(&mut p, 0.5), pct(&mut p, 0.99), pct(&mut e, 0.5), pct(&mut e, 0.99));
        worst = worst.max(ep99 / pp99);
        println!(
            "{kind:<10} {:>6} {pp50:>9.2}ms {pp99:>9.2}ms {ep50:>9.2}ms {ep99:>9.2}ms {:>8.2}x",
            v.len(),
            ep99 / pp99
        );
        for (label, all) in [("plain", v), ("encrypted", &enc.per_kind[kind])] {
            let mut sorted = all.clone();
            sorted.sort_by_key(|b| std::cmp::Reverse(b.0));
            for (d, q) in sorted.iter().take(slow) {
                println!("    slow {label}: {:.2} ms {q:?}", d.as_secs_f64() * 1000.0);
            }
        }
    }
    let both = |p: &[Duration], e: &[Duration]| format!("plain {} / encrypted {}", spread(p), spread(e));
    println!("save one customer ({} saves): {} (target p99 ≤ 10 ms)", enc.saves.len(), both(&plain.saves, &enc.saves));
    println!(
        "  upkeep after each save (merges, checkpoints; on its own thread, after the save returned): {}",
        both(&plain.upkeep, &enc.upkeep)
    );
    println!("  {} saves back to back: {}", enc.rushed.len(), both(&plain.rushed, &enc.rushed));
    println!(
        "targets: p99 ≤ 10 ms exact/prefix/pinyin, ≤ 50 ms fuzzy; encrypted/plain ≤ 1.3x (worst here {worst:.2}x)"
    );
}
