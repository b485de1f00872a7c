//! Shared helpers: temporary books with a fast key derivation (the real cost is measured elsewhere).

use banyan::api::{Banyan, Caller, Channel, OpenOptions, Settings};
use banyan::model::{CustomerInput, UserInput};
use banyan::security::keys::KdfParams;
use banyan::store::{NewKey, StoreOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const PASS: &str = "correct horse battery staple";
/// The password of every test book's admin (login [`ADMIN`]).
pub const ADMIN_PASSWORD: &str = "orchid-lantern-47";
pub const ADMIN: &str = "admin";

pub fn fast() -> StoreOptions {
    StoreOptions { kdf: KdfParams { m_kib: 1024, t: 1, p: 1 }, ..Default::default() }
}

pub fn opts(path: &Path) -> OpenOptions {
    let mut o = OpenOptions::new(path);
    o.store = fast();
    o
}

/// A new passphrase-protected book in `dir`.
pub fn new_book(dir: &Path) -> (Banyan, PathBuf) {
    let path = dir.join("book.db");
    let b = Banyan::create(&opts(&path), NewKey::Passphrase(PASS.into()), &Settings::default()).expect("create book");
    (b, path)
}

/// The book's admin, signed in: made on the first call for a book without users, signed in
/// after that, and kept per book file so that `b.customer(&admin(&b), id)` costs no sign-in.
pub fn admin(b: &Banyan) -> Caller {
    static CALLERS: Mutex<BTreeMap<PathBuf, Caller>> = Mutex::new(BTreeMap::new());
    let key = b.path().to_path_buf();
    if let Some(c) = CALLERS.lock().unwrap().get(&key) {
        return c.clone();
    }
    let c = if b.has_users().expect("has users") {
        b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).expect("admin signs in")
    } else {
        let input = UserInput {
            login: Some(ADMIN.into()),
            name: Some("Test Admin".into()),
            roles: vec!["admin".into()],
            team: None,
        };
        b.create_first_admin(&input, ADMIN_PASSWORD, Channel::Cli).expect("first admin")
    };
    CALLERS.lock().unwrap().insert(key, c.clone());
    c
}

/// A new user `login` (named after it) with one role and the password [`ADMIN_PASSWORD`], added by
/// `admin` and signed in on `channel`.
pub fn user_with_role(b: &Banyan, admin: &Caller, login: &str, role: &str, channel: Channel) -> Caller {
    let input = UserInput { login: Some(login.into()), name: Some(login.into()), roles: vec![role.into()], team: None };
    b.add_user(admin, &input, ADMIN_PASSWORD).expect("add user");
    b.sign_in(login, ADMIN_PASSWORD, None, channel).expect("user signs in")
}

pub fn person(name: &str) -> CustomerInput {
    CustomerInput { kind: Some("person".into()), name: Some(name.into()), ..Default::default() }
}

pub fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// CPU seconds this thread has used (wall time where the platform has no thread clock).
pub fn thread_time() -> f64 {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes one timespec through the valid pointer it is given.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0);
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    }
    #[cfg(not(unix))]
    {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64()
    }
}

/// The work each of two paths does, as this thread's CPU time (which the rest of the suite
/// running beside it cannot stretch; wall-clock ratios are the benches'), the fastest of `runs`
/// alternating calls of each. Asserts `a` did real work (more than 5 ms: a key derivation or a
/// hash) and `b` took within 0.8–1.25× of it.
pub fn assert_same_cost(runs: usize, mut a: impl FnMut(usize), mut b: impl FnMut(usize), what: &str) {
    let (mut a_times, mut b_times) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let t = thread_time();
        a(i);
        a_times.push(thread_time() - t);
        let t = thread_time();
        b(i);
        b_times.push(thread_time() - t);
    }
    let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (a, b) = (fastest(&a_times), fastest(&b_times));
    assert!(a > 0.005, "{what}: the first path did no real work: {a:.4} s");
    assert!((0.8..=1.25).contains(&(b / a)), "{what}: {a:.4} s against {b:.4} s");
}

/// A change of a customer's `field` to `value` (JSON) made on another desktop without seeing the
/// book's own (a made-up peer, its entry chained as a real one is), applied by sync: the field
/// then holds two values and waits for a decision. Returns the conflict's id.
pub fn concurrent_change(b: &Banyan, customer: &str, field: &str, value: &str) -> String {
    use banyan::security::chain;
    use banyan::sync::wire::{Entry, RowId, Tx};
    let device = uuid::Uuid::new_v4().to_string();
    // A member of the book, as a desktop that joined it is: its changes are signed with its key.
    let key = chain::DeviceKey::random().unwrap();
    let member = banyan::store::Member {
        device: device.clone(),
        name: "peer".into(),
        fingerprint: "ab".repeat(32),
        code: "PEER".into(),
        added_by: None,
        added_at: 0,
        revoked_at: None,
        signing_key: Some(key.public_hex()),
        vouch: None,
        last_seen: None,
        address: None,
    };
    b.store().put_member(&banyan::store::Actor::default(), &member).unwrap();
    let row = *uuid::Uuid::parse_str(customer).unwrap().as_bytes();
    let fields = serde_json::json!([[field, serde_json::from_str::<serde_json::Value>(value).unwrap()]]).to_string();
    let salt = [7u8; chain::SALT_LEN];
    let hlc = banyan::sync::Hlc::from_parts(chrono::Utc::now().timestamp_millis(), 0).raw();
    let user = b.store().users().unwrap()[0].id.to_string();
    let header = chain::EntryHeader {
        origin: &device,
        seq: 1,
        hlc,
        tx: 1,
        batch: None,
        user: &user,
        table: "customers",
        row: chain::RowKey::Blob(&row),
        op: "update",
    };
    let link = chain::link(&chain::GENESIS, &chain::entry_digest(&header, &chain::commitment(&salt, &fields)));
    let entry = Entry {
        seq: 1,
        table: "customers".into(),
        row: RowId::Uuid(row),
        op: "update".into(),
        fields,
        salt: Some(salt.to_vec()),
        sealed: None,
        link: link.to_vec(),
        stub: false,
    };
    let sig = key.sign_tx(&device, 1, 1, &link).to_vec();
    let tx = Tx { origin: device, tx: 1, hlc, user, batch: None, numbers: vec![], entries: vec![entry], sig };
    let r = b.store().sync_apply(&[tx]).expect("the peer's change applies");
    assert_eq!(r.txs, 1, "{r:?}");
    format!("customers/{customer}/{field}")
}
