//! `cargo xtask bench sync`: sync between encrypted books over loopback TLS, with the release
//! `banyan` binary in separate processes, as desktops and the hub run it.
//!
//! 1. First sync: a desktop joins a book of `--customers` demo customers (default 100,000) with a
//!    pairing code, until its first search answers; the joining process's peak memory.
//! 2. 100,000 field changes (10,000 customers x 10 fields) made on the hub, pulled by the
//!    desktop in one `banyan sync now`: the round (connect to done, as the process times it) and
//!    the process's whole time (opening the book and signing in included).
//! 3. Bytes on the wire per field change (the encoded batches those changes travel in).
//!
//! Options: --customers N; --keep DIR (the hub's demo book is made once in DIR and copied).

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
        for suffix in ["", ".key.json"] {
            std::fs::copy(format!("{}{suffix}", m.display()), format!("{}{suffix}", to.display())).unwrap();
        }
        return to;
    }
    let path = made.clone().unwrap_or_else(|| dir.join("hub.db"));
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    let t = Instant::now();
    let b = Banyan::create(&opts(&path), NewKey::Passphrase(PASS.into()), &Settings::default()).unwrap();
    let input = UserInput {
        login: Some(ADMIN.into()),
        name: Some("Bench Admin".into()),
        roles: vec!["admin".into()],
        team: None,
    };
    let admin = b.create_first_admin(&input, PASSWORD, Channel::Cli).unwrap();
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
    let (pair_s, pair_mb, _) = measured(pair);
    assert!(invite.wait().unwrap().success());
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
}
