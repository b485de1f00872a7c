//! `cargo xtask bench sync`: sync between encrypted books over loopback TLS, with the release
//! `banyan` binary in separate processes, as desktops and the hub run it.
//!
//! 1. First sync: a desktop joins a book of `--customers` demo customers (default 100,000) with a
//!    pairing code, until its first search answers; the joining process's peak memory.
//! 2. 100,000 field changes (10,000 customers x 10 fields) made on the hub, pulled by the
//!    desktop in one `banyan sync now`: the round (connect to done, as the process times it) and
//!    the process's whole time (opening the book and signing in included).
//! 3. Bytes on the wire per field change (the encoded batches those changes travel in).
//! 4. Live sync, one change: committed on a desktop (this process, on that desktop's book while
//!    its `banyan sync live` runs) until a search on another desktop's book finds it: straight
//!    to a desktop that serves, and through the hub to a desktop in live sync with it.
//! 5. The hub and five desktops, each with 5,000 field changes made offline (5 % on fields all
//!    of them change), all starting `banyan sync live` at once: until every book holds every
//!    change (one vector everywhere), then whether they hold one digest.
//!
//! Beside 1, log replay: the same demo book's history pulled change by change (`banyan sync now`)
//! by a desktop that joined while the book was still empty, the way a first sync would go without
//! the snapshot (the floor the snapshot must beat).
//!
//! Options: --customers N; --keep DIR (the hub's demo book, and the replay's pair of books before
//! the pull, are made once in DIR and copied); --first-only (section 1 and the replay: the
//! `--customers 1000000` report); --no-replay.

use banyan::api::{Banyan, Caller, Channel, OpenOptions, Settings};
use banyan::model::{CustomerPatch, UserInput};
use banyan::security::Unlock;
use banyan::security::keys::KdfParams;
use banyan::store::{CustomerFilter, NewKey, StoreOptions};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const PASS: &str = "bench sync passphrase";
const ADMIN: &str = "admin";
const PASSWORD: &str = "Bench password 2026";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn verdict(ok: bool) -> &'static str {
    if ok { "meets" } else { "MISSES" }
}

fn opts(path: &Path) -> OpenOptions {
    let mut o = OpenOptions::new(path);
    // The key file's passphrase cost is the store's, not what is measured here.
    o.store = StoreOptions { kdf: KdfParams { m_kib: 8 * 1024, t: 1, p: 1 }, ..Default::default() };
    o
}

fn banyan(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
    c.arg("--db")
        .arg(db)
        .env("BANYAN_PASSPHRASE", PASS)
        .env("BANYAN_USER", ADMIN)
        .env("BANYAN_PASSWORD", PASSWORD)
        .env("BANYAN_DISCOVERY", "loopback")
        .env_remove("BANYAN_TOTP");
    c
}

/// Runs `c` to its end: (seconds, peak resident MB, stdout).
fn measured(mut c: Command) -> (f64, f64, String) {
    let t = Instant::now();
    let child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let out = child.wait_with_output_rusage(pid);
    let secs = t.elapsed().as_secs_f64();
    (secs, out.1, out.0)
}

trait WaitRusage {
    fn wait_with_output_rusage(self, pid: libc::pid_t) -> (String, f64);
}

impl WaitRusage for std::process::Child {
    /// Reads the child's output, then reaps it with wait4 for its peak memory (ru_maxrss, KiB).
    fn wait_with_output_rusage(mut self, pid: libc::pid_t) -> (String, f64) {
        let mut stdout = String::new();
        std::io::Read::read_to_string(self.stdout.as_mut().unwrap(), &mut stdout).unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(self.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child, not yet reaped; status and usage are valid out-pointers.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(rc, pid, "wait4");
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{stdout}{stderr}");
        (stdout, usage.ru_maxrss as f64 / 1024.0)
    }
}

/// The hub's book: `n` demo customers and its admin, made once per --keep folder.
fn hub_book(dir: &Path, n: usize) -> PathBuf {
    let keep = arg("--keep").map(PathBuf::from);
    let made = keep.as_ref().map(|k| k.join(format!("hub-{n}.db")));
    if let Some(m) = made.as_ref().filter(|m| m.exists()) {
        let to = dir.join("hub.db");
        copy_book(m, &to);
        return to;
    }
    let path = made.clone().unwrap_or_else(|| dir.join("hub.db"));
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    let t = Instant::now();
    let (b, admin) = new_book(&path);
    b.demo(&admin, n, 2026).unwrap();
    println!("(made the hub's book of {n} customers in {:.1} s)", t.elapsed().as_secs_f64());
    drop(b);
    if made.is_some() {
        return hub_book(dir, n);
    }
    path
}

fn main() {
    let n: usize = arg("--customers").and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub_book(tmp.path(), n);
    let desk = tmp.path().join("desk/book.db");

    // 1. First sync: pairing, the snapshot, the joined book's check, then its first search.
    let mut invite = banyan(&hub)
        .args(["--json", "sync", "invite", "--listen", "127.0.0.1:0", "--name", "hub"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(invite.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let shown: serde_json::Value = serde_json::from_str(&line).unwrap();
    let (code, address) = (shown["code"].as_str().unwrap(), shown["address"].as_str().unwrap());
    let mut pair = banyan(&desk);
    pair.args(["--json", "sync", "pair", code, address, "--name", "desk"]);
    // Meanwhile someone works on the inviting desktop's book: a search per keystroke of a name
    // and a customer saved after each name typed.
    let work = Banyan::open(&opts(&hub), &Unlock::passphrase(PASS)).unwrap();
    let worker = work.sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap();
    let some: Vec<String> = work
        .customers(&worker, &CustomerFilter { limit: Some(200), ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let (mut keys, mut saves) = (Vec::new(), Vec::new());
    let (pair_s, pair_mb, _) = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut i = 0usize;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                for q in ["w", "wa", "wan", "wang", "wang f", "wang fa", "wang fan", "wang fang"] {
                    let t = Instant::now();
                    work.search_customers(&worker, q, &Default::default(), 20).unwrap();
                    keys.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                let patch =
                    CustomerPatch { notes: Some(format!("Called during the first sync, {i}")), ..Default::default() };
                let t = Instant::now();
                work.update_customer(&worker, &some[i % some.len()], &patch).unwrap();
                saves.push(t.elapsed().as_secs_f64() * 1000.0);
                i += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
        let r = measured(pair);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    });
    assert!(invite.wait().unwrap().success());
    drop(work);
    let p99 = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(((v.len() as f64 - 1.0) * 0.99).round() as usize).copied().unwrap_or(0.0)
    };
    let (nk, ns) = (keys.len(), saves.len());
    let (key99, save99) = (p99(&mut keys), p99(&mut saves));
    let mut search = banyan(&desk);
    search.args(["--json", "customer", "search", "wang", "--limit", "30"]);
    let (search_s, _, hits) = measured(search);
    let hits: serde_json::Value = serde_json::from_str(&hits).unwrap();
    assert!(!hits.as_array().unwrap().is_empty());
    let first = pair_s + search_s;
    println!(
        "first sync of {n} customers to an empty desktop, until its first search answers: {first:.2} s \
         (pairing and copy {pair_s:.2} s, first search {search_s:.2} s; target <= 20 s: {})",
        verdict(first <= 20.0)
    );
    println!("  joining process peak: {pair_mb:.0} MB (target <= 300 MB: {})", verdict(pair_mb <= 300.0));
    println!(
        "  meanwhile on the inviting desktop's book: keystroke search p99 {key99:.1} ms over {nk} (target <= 20 ms: {}), \
         customer save p99 {save99:.1} ms over {ns} (target <= 150 ms: {})",
        verdict(key99 <= 20.0),
        verdict(save99 <= 150.0)
    );

    if !std::env::args().any(|a| a == "--no-replay") {
        let (replay_s, received, replay_mb) = log_replay(tmp.path(), n);
        println!(
            "  log replay beside it: the same {n} demo customers' history ({received} field changes) pulled \
             change by change by a desktop that joined the empty book: {replay_s:.2} s, peak {replay_mb:.0} MB \
             (the snapshot's first sync is {:.1}x faster)",
            replay_s / first
        );
    }

    if std::env::args().any(|a| a == "--first-only") {
        return;
    }

    // 2. 100,000 field changes on the hub, pulled by the desktop in one round.
    let b = Banyan::open(&opts(&hub), &Unlock::passphrase(PASS)).unwrap();
    let admin: Caller = b.sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap();
    let page = CustomerFilter { limit: Some(10_000), ..Default::default() };
    let ids: Vec<String> = b.customers(&admin, &page).unwrap().into_iter().map(|c| c.id.to_string()).collect();
    let before = b.sync_vector().unwrap();
    let t = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        let patch = CustomerPatch {
            company: Some(format!("Bench Co {i}")),
            address: Some(format!("{i} Bench Road")),
            city: Some(["杭州", "Boston", "Berlin"][i % 3].into()),
            country: Some(["CN", "US", "DE"][i % 3].into()),
            source: Some("bench".into()),
            notes: Some(format!("Changed for the sync bench, run {i}")),
            tags: Some(vec![format!("bench-{}", i % 7)]),
            emails: Some(vec![format!("bench{i}@example.com")]),
            phones: Some(vec![format!("+1212555{:04}", i % 10_000)]),
            name: Some(format!("Bench Customer {i}")),
            ..Default::default()
        };
        b.update_customer(&admin, id, &patch).unwrap();
    }
    let made = b.sync_vector().unwrap();
    let changes: i64 = before.behind(&made);
    println!("(made {changes} field changes on {} customers in {:.1} s)", ids.len(), t.elapsed().as_secs_f64());
    // What they weigh on the wire.
    let mut bytes = 0usize;
    let mut since = before.clone();
    loop {
        let (payload, _, more) = b.sync_changes_encoded(&since, 5_000).unwrap();
        bytes += payload.len();
        let txs: Vec<banyan::sync::wire::Tx> = postcard::from_bytes(&payload).unwrap();
        for tx in &txs {
            since.0.insert(tx.origin.clone(), tx.last_seq());
        }
        if !more || txs.is_empty() {
            break;
        }
    }
    drop(b);
    let mut hub_proc = banyan(&hub)
        .args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(hub_proc.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let listening: serde_json::Value = serde_json::from_str(&line).unwrap();
    let mut now = banyan(&desk);
    now.args(["--json", "sync", "now", "--peer", listening["listening"].as_str().unwrap()]);
    let (now_s, now_mb, out) = measured(now);
    let round: serde_json::Value = serde_json::from_str(&out).unwrap();
    let _ = hub_proc.kill();
    let _ = hub_proc.wait();
    let received = round["received"].as_u64().unwrap();
    let round_s = round["seconds"].as_f64().unwrap();
    println!(
        "{received} field changes ({} customers x 10 fields) hub -> desktop: the round {round_s:.2} s (target <= 3 s: {}); \
         the whole `banyan sync now` {now_s:.2} s (opening the book and signing in included), peak {now_mb:.0} MB",
        ids.len(),
        verdict(round_s <= 3.0 && received as i64 >= changes)
    );
    println!(
        "bytes on the wire per field change: {:.0} ({:.1} MB for {changes}, before TLS framing)",
        bytes as f64 / changes as f64,
        bytes as f64 / 1e6
    );

    // 4. Live sync: one change, committed on a desktop until another desktop's search finds it.
    let desk2 = tmp.path().join("desk2/book.db");
    pair_with(&hub, &desk2, "desk2");
    let hub_proc = Running::start(banyan(&hub).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let hub_addr = hub_proc.first["listening"].as_str().unwrap().to_string();
    {
        // Through the hub: both desktops in live sync with it.
        let _a = Running::start(banyan(&desk).args(["--json", "sync", "live", "--peer", &hub_addr]));
        let _b = Running::start(banyan(&desk2).args(["--json", "sync", "live", "--peer", &hub_addr]));
        let (p50, p99) = live_latency(&desk, &desk2, "hub");
        println!(
            "one change, committed on a desktop -> found by search on another, through the hub (both in `sync live`): \
             p50 {p50:.0} ms, p99 {p99:.0} ms (target p50 <= 100 ms: {})",
            verdict(p50 <= 100.0)
        );
    }
    drop(hub_proc);
    {
        // Straight: the second desktop serves, the first is in live sync with it.
        let serving = Running::start(banyan(&desk2).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
        let addr = serving.first["listening"].as_str().unwrap().to_string();
        let _a = Running::start(banyan(&desk).args(["--json", "sync", "live", "--peer", &addr]));
        let (p50, p99) = live_latency(&desk, &desk2, "direct");
        println!(
            "one change, committed on a desktop -> found by search on another it syncs with live: p50 {p50:.0} ms, \
             p99 {p99:.0} ms (target p50 <= 50 ms: {}, p99 <= 150 ms: {})",
            verdict(p50 <= 50.0),
            verdict(p99 <= 150.0)
        );
    }

    // 5. A hub and five desktops reconnecting at once (475 customers of its own each).
    if ids.len() >= 100 + 5 * 475 {
        team(&hub, tmp.path(), &ids);
    } else {
        println!("(hub + 5 desktops: skipped, it needs 2,475 customers)");
    }
}

/// Section 5: five desktops join the hub, work offline, then all reconnect at once.
fn team(hub: &Path, dir: &Path, ids: &[String]) {
    let desks: Vec<PathBuf> = (0..5).map(|i| dir.join(format!("team{i}/book.db"))).collect();
    let t = Instant::now();
    for (i, d) in desks.iter().enumerate() {
        pair_with(hub, d, &format!("team{i}"));
    }
    println!("(five desktops joined the hub in {:.1} s)", t.elapsed().as_secs_f64());
    // Offline: 475 customers of its own x 10 fields, and 250 changes of the city of 25 customers
    // every desktop changes (5 %).
    let shared = &ids[..25];
    let t = Instant::now();
    let mut made = 0;
    for (i, d) in desks.iter().enumerate() {
        let b = Banyan::open(&opts(d), &Unlock::passphrase(PASS)).unwrap();
        let who = b.sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap();
        let before = b.sync_vector().unwrap();
        for (k, id) in ids[100 + i * 475..100 + (i + 1) * 475].iter().enumerate() {
            let patch = CustomerPatch {
                company: Some(format!("Team {i} Co {k}")),
                address: Some(format!("{k} Team {i} Road")),
                city: Some(["苏州", "Austin", "Lyon"][k % 3].into()),
                country: Some(["CN", "US", "FR"][k % 3].into()),
                source: Some(format!("team {i}")),
                notes: Some(format!("Offline on team desktop {i}, visit {k}")),
                tags: Some(vec![format!("team-{i}")]),
                emails: Some(vec![format!("team{i}.{k}@example.com")]),
                phones: Some(vec![format!("+1415555{:04}", (i * 1000 + k) % 10_000)]),
                name: Some(format!("Team {i} Customer {k}")),
                ..Default::default()
            };
            b.update_customer(&who, id, &patch).unwrap();
        }
        for k in 0..250 {
            let patch = CustomerPatch { city: Some(format!("Team {i} city {k}")), ..Default::default() };
            b.update_customer(&who, &shared[k % 25], &patch).unwrap();
        }
        made += before.behind(&b.sync_vector().unwrap());
    }
    println!("(made {made} field changes offline on five desktops in {:.1} s)", t.elapsed().as_secs_f64());
    let books: Vec<Banyan> = std::iter::once(hub)
        .chain(desks.iter().map(PathBuf::as_path))
        .map(|p| Banyan::open(&opts(p), &Unlock::passphrase(PASS)).unwrap())
        .collect();
    let hub_proc = Running::start(banyan(hub).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let addr = hub_proc.first["listening"].as_str().unwrap().to_string();
    let t = Instant::now();
    // All at once: spawned together, their output kept open while they run.
    let mut lives: Vec<(std::process::Child, std::process::ChildStdout)> = desks
        .iter()
        .map(|d| {
            let mut c = banyan(d)
                .args(["--json", "sync", "live", "--peer", &addr])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let out = c.stdout.take().unwrap();
            (c, out)
        })
        .collect();
    let converged = loop {
        let vectors: Vec<_> = books.iter().map(|b| b.sync_vector().unwrap()).collect();
        if vectors.windows(2).all(|w| w[0] == w[1]) {
            break t.elapsed().as_secs_f64();
        }
        assert!(t.elapsed().as_secs() < 300, "the team did not converge in 5 minutes");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    for (c, _) in &mut lives {
        let _ = c.kill();
        let _ = c.wait();
    }
    drop(hub_proc);
    let digests: std::collections::BTreeSet<String> = books.iter().map(|b| b.store().sync_digest().unwrap()).collect();
    let conflicts = books[0].sync_status(&books[0].sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap()).unwrap();
    println!(
        "hub + 5 desktops, {made} offline changes (5 % on shared fields), reconnecting at once: every book holds every \
         change after {converged:.2} s, {} (target one hash everywhere <= 10 s: {}); {} decisions waiting, the same everywhere",
        if digests.len() == 1 { "one digest" } else { "DIGESTS DIFFER" },
        verdict(converged <= 10.0 && digests.len() == 1),
        conflicts.conflicts
    );
}

/// A new encrypted book at `path` with its first admin, signed in.
fn new_book(path: &Path) -> (Banyan, Caller) {
    let b = Banyan::create(&opts(path), NewKey::Passphrase(PASS.into()), &Settings::default()).unwrap();
    let input = UserInput {
        login: Some(ADMIN.into()),
        name: Some("Bench Admin".into()),
        roles: vec!["admin".into()],
        team: None,
    };
    let admin = b.create_first_admin(&input, PASSWORD, Channel::Cli).unwrap();
    (b, admin)
}

/// Copies a closed book and its key file to `to` (its folder made if need be).
fn copy_book(from: &Path, to: &Path) {
    if let Some(p) = to.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    for suffix in ["", ".key.json"] {
        std::fs::copy(format!("{}{suffix}", from.display()), format!("{}{suffix}", to.display())).unwrap();
    }
}

/// Log replay: a hub's book made empty, a desktop joined to it, then `n` demo customers made
/// on the hub and pulled by the desktop in one `banyan sync now`. Returns the whole pull's
/// seconds (the process, opening included), the field changes it received and its peak MB.
fn log_replay(dir: &Path, n: usize) -> (f64, u64, f64) {
    let (hub, desk) = (dir.join("replay-hub/book.db"), dir.join("replay-desk/book.db"));
    let kept = arg("--keep")
        .map(PathBuf::from)
        .map(|k| (k.join(format!("replay-hub-{n}.db")), k.join(format!("replay-desk-{n}.db"))));
    match kept.as_ref().filter(|(h, d)| h.exists() && d.exists()) {
        Some((h, d)) => {
            copy_book(h, &hub);
            copy_book(d, &desk);
        }
        None => {
            std::fs::create_dir_all(hub.parent().unwrap()).unwrap();
            drop(new_book(&hub));
            pair_with(&hub, &desk, "replay");
            let b = Banyan::open(&opts(&hub), &Unlock::passphrase(PASS)).unwrap();
            let admin = b.sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap();
            let t = Instant::now();
            b.demo(&admin, n, 2026).unwrap();
            println!("(made the replay's hub book of {n} customers in {:.1} s)", t.elapsed().as_secs_f64());
            drop(b);
            if let Some((h, d)) = &kept {
                copy_book(&hub, h);
                copy_book(&desk, d);
            }
        }
    }
    let serving = Running::start(banyan(&hub).args(["--json", "serve", "--sync", "--listen", "127.0.0.1:0"]));
    let mut now = banyan(&desk);
    now.args(["--json", "sync", "now", "--peer", serving.first["listening"].as_str().unwrap()]);
    let (secs, mb, out) = measured(now);
    drop(serving);
    let round: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut search = banyan(&desk);
    search.args(["--json", "customer", "search", "wang", "--limit", "30"]);
    let (_, _, hits) = measured(search);
    let hits: serde_json::Value = serde_json::from_str(&hits).unwrap();
    assert!(!hits.as_array().unwrap().is_empty(), "the replayed book finds no one");
    (secs, round["received"].as_u64().unwrap(), mb)
}

/// Makes the book at `desk` by pairing with `hub` (an invitation the hub's CLI shows).
fn pair_with(hub: &Path, desk: &Path, name: &str) {
    let invite =
        Running::start(banyan(hub).args(["--json", "sync", "invite", "--listen", "127.0.0.1:0", "--name", "hub"]));
    let (code, address) = (invite.first["code"].as_str().unwrap(), invite.first["address"].as_str().unwrap());
    let out = banyan(desk).args(["--json", "sync", "pair", code, address, "--name", name]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A process whose first line of output is JSON (an invitation, a hub's address, a first
/// round); killed when dropped.
struct Running {
    child: std::process::Child,
    first: serde_json::Value,
    /// Kept open: a process whose output pipe is closed dies at its next line.
    _rest: std::io::BufReader<std::process::ChildStdout>,
}

impl Running {
    fn start(c: &mut Command) -> Running {
        let mut child = c.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let mut line = String::new();
        let mut rest = std::io::BufReader::new(child.stdout.take().unwrap());
        rest.read_line(&mut line).unwrap();
        let first = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Running { child, first, _rest: rest }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 40 changes, one at a time: each committed on `a`'s book (this process), then searched for on
/// `b`'s book every millisecond until found. Returns (p50, p99) in ms.
fn live_latency(a: &Path, b: &Path, label: &str) -> (f64, f64) {
    let (ba, bb) = (
        Banyan::open(&opts(a), &Unlock::passphrase(PASS)).unwrap(),
        Banyan::open(&opts(b), &Unlock::passphrase(PASS)).unwrap(),
    );
    let (ca, cb) = (
        ba.sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap(),
        bb.sign_in(ADMIN, PASSWORD, None, Channel::Cli).unwrap(),
    );
    let page = CustomerFilter { limit: Some(40), ..Default::default() };
    let ids: Vec<String> = ba.customers(&ca, &page).unwrap().into_iter().map(|c| c.id.to_string()).collect();
    // The sign-ins above are changes too: let them settle before timing.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mut ms: Vec<f64> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let token = format!("Qz{label}{i}x");
        let patch = CustomerPatch { name: Some(format!("Live {token}")), ..Default::default() };
        ba.update_customer(&ca, id, &patch).unwrap();
        let t = Instant::now();
        loop {
            let hits = bb.search_customers(&cb, &token, &Default::default(), 5).unwrap();
            if hits.iter().any(|h| h.customer.name.contains(&token)) {
                break;
            }
            if t.elapsed().as_secs() >= 30 {
                let there = bb.customer(&cb, id).map(|c| c.name);
                panic!("change {i} never arrived ({label}); the customer there: {there:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    ms.sort_by(|x, y| x.total_cmp(y));
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}
