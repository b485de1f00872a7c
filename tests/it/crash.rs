//! Crash safety: a writer killed with SIGKILL at random moments never leaves a damaged database,
//! and every transaction is there whole or not at all.

use crate::common::admin;
use banyan::model::{CustomerInput, ValidationContext};
use banyan::security::{DbKey, Unlock};
use banyan::store::{Actor, NewKey, Store, StoreOptions};
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BATCH: usize = 300;
const KEY: [u8; 32] = [0x42; 32];
/// Fields logged per customer written by `write_batch`: kind, name, phones, emails, city, tags
/// (empty values, such as no custom fields, are not logged on insert).
const FIELDS: i64 = 6;

fn write_batch(store: &Store, n: usize) {
    let ctx = ValidationContext::default();
    let batch: Vec<_> = (0..BATCH)
        .map(|i| {
            CustomerInput {
                kind: Some("person".into()),
                name: Some(format!("崩溃测试 {n}-{i}")),
                phones: vec![format!("139{:08}", (n * BATCH + i) % 100_000_000)],
                emails: vec![format!("c{n}.{i}@example.com")],
                city: Some("深圳".into()),
                tags: vec![format!("batch-{n}")],
                ..Default::default()
            }
            .validate(&ctx)
            .unwrap()
        })
        .collect();
    store.add_customers(&Actor { user: "crash".into(), batch: Some(format!("batch-{n}")) }, &batch).unwrap();
}

/// In a child process (BANYAN_CRASH_DB set) this writes batches until it is killed; run as a
/// plain test it writes three batches and checks they are all there.
#[test]
fn writer_commits_whole_batches() {
    if let Ok(db) = std::env::var("BANYAN_CRASH_DB") {
        let store = Store::open(Path::new(&db), &Unlock::Raw(DbKey::from_bytes(KEY)), StoreOptions::default()).unwrap();
        let start: usize = std::env::var("BANYAN_CRASH_START").unwrap().parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut progress = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(std::env::var("BANYAN_CRASH_LOG").unwrap())
            .unwrap();
        let mut n = start;
        while Instant::now() < deadline {
            writeln!(progress, "start {n}").unwrap();
            write_batch(&store, n);
            writeln!(progress, "done {n}").unwrap();
            n += 1;
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = Store::create(&path, NewKey::Raw(DbKey::from_bytes(KEY)), StoreOptions::default()).unwrap();
    for n in 0..3 {
        write_batch(&store, n);
    }
    assert_eq!(store.customer_count(&banyan::store::Reach::All).unwrap(), 3 * BATCH as i64);
    verify(&store);
}

/// Every batch tag has all its customers or none, the log matches the rows, the per-device
/// sequence has no gap, and the file passes SQLite's and SQLCipher's integrity checks.
fn verify(store: &Store) -> usize {
    let problems = store.check().unwrap();
    assert!(problems.is_empty(), "integrity check: {problems:?}");
    let all = store.customers(&Default::default(), &banyan::store::Reach::All).unwrap();
    let mut per_batch = std::collections::BTreeMap::<String, usize>::new();
    for c in &all {
        *per_batch.entry(c.tags[0].clone()).or_default() += 1;
    }
    for (tag, n) in &per_batch {
        assert_eq!(*n, BATCH, "{tag} is half there");
    }
    let log = store.changes(None, banyan::sync::Hlc::ZERO, u32::MAX).unwrap();
    let customer_entries = log.iter().filter(|e| e.table == "customers").count() as i64;
    assert_eq!(customer_entries, FIELDS * all.len() as i64, "log and rows disagree");
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.origin_seq, i as i64 + 1, "sequence gap at {i}");
    }
    per_batch.len()
}

#[test]
fn sigkill_at_random_moments_never_corrupts_or_half_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    drop(Store::create(&path, NewKey::Raw(DbKey::from_bytes(KEY)), StoreOptions::default()).unwrap());
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261122);
    let runs = 24;
    let progress = dir.path().join("progress.log");
    let mut killed_mid_transaction = 0;
    let mut committed = 0;
    for run in 0..runs {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::writer_commits_whole_batches", "--nocapture", "--test-threads=1"])
            .env("BANYAN_CRASH_DB", &path)
            .env("BANYAN_CRASH_LOG", &progress)
            .env("BANYAN_CRASH_START", (run * 1000).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The moment is chosen by the child's progress, not by the clock (a busy machine slows
        // the child down by any factor): right after its 1st to 4th log line ("start N" lines
        // put the kill inside a transaction, "done N" lines between two), plus up to 20 ms.
        let lines = |p: &Path| std::fs::read_to_string(p).map(|s| s.lines().count()).unwrap_or(0);
        let target = lines(&progress) + rng.random_range(1..=4);
        let started = Instant::now();
        while lines(&progress) < target && started.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..20)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let store = Store::open(&path, &Unlock::Raw(DbKey::from_bytes(KEY)), StoreOptions::default())
            .unwrap_or_else(|e| panic!("run {run}: reopen failed: {e}"));
        committed = verify(&store);
        // The child writes "start N" before a batch and "done N" after its commit: when the last
        // line is a start, the kill landed inside that transaction, and none of it may be there.
        let log = std::fs::read_to_string(&progress).unwrap_or_default();
        if let Some(batch) = log.lines().last().and_then(|l| l.strip_prefix("start ")) {
            let tag = format!("batch-{batch}");
            let filter = banyan::store::CustomerFilter { tag: Some(tag), ..Default::default() };
            let found = store.customers(&filter, &banyan::store::Reach::All).unwrap().len();
            // A commit can finish between the last log write and the kill; then all of it is there.
            assert!(found == 0 || found == BATCH, "run {run}: batch {batch} half there ({found})");
            if found == 0 {
                killed_mid_transaction += 1;
            }
        }
    }
    assert!(committed > 0, "the writer never committed a batch");
    assert!(
        killed_mid_transaction >= runs / 3,
        "only {killed_mid_transaction}/{runs} kills landed inside a transaction"
    );
}

/// A disk that fills up mid-import: the write fails with a clear "disk full" error, nothing of the
/// batch is stored, what was there before is intact, and writing works again once there is room.
#[test]
fn a_full_disk_fails_the_write_cleanly() {
    use banyan::api::{Banyan, ErrorCode};
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = crate::common::new_book(dir.path());
    for i in 0..50 {
        b.add_customer(&admin(&b), &crate::common::person(&format!("Before {i}"))).unwrap();
    }
    drop(b);
    // Leave room for a few pages only.
    let pages = (std::fs::metadata(&path).unwrap().len() / 4096) as u32;
    let mut o = crate::common::opts(&path);
    o.store.max_pages = Some(pages + 4);
    let b = Banyan::open(&o, &Unlock::passphrase(crate::common::PASS)).unwrap();
    let log_before = b.store().change_count().unwrap();
    let batch: Vec<_> = (0..2_000)
        .map(|i| crate::common::person(&format!("Import row {i} with a long enough name to fill pages")))
        .map(|c| c.validate(&ValidationContext::default()).unwrap())
        .collect();
    let err = b.store().add_customers(&Actor { user: "t".into(), batch: Some("big".into()) }, &batch).unwrap_err();
    let shown = banyan::api::localize(b.localizer(), err);
    assert_eq!(shown.code, ErrorCode::DiskFull, "{shown:?}");
    assert!(shown.message.contains("disk is full"), "{}", shown.message);
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 50);
    assert_eq!(b.store().change_count().unwrap(), log_before);
    assert!(b.check(&admin(&b)).unwrap().is_empty());
    drop(b);
    let b = Banyan::open(&crate::common::opts(&path), &Unlock::passphrase(crate::common::PASS)).unwrap();
    b.store().add_customers(&Actor { user: "t".into(), batch: None }, &batch).unwrap();
    assert_eq!(b.customer_count(&admin(&b)).unwrap(), 2_050);
}
