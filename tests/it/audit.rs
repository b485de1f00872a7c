//! The tamper-evident audit trail: whoever holds the book's key edits its raw history the way
//! they could with SQLCipher itself (edit a value, delete an entry, drop the last ten, rewrite and
//! re-hash everything), and `audit verify` says which, and where.

use crate::common::*;
use banyan::api::{Banyan, Channel, ErrorCode};
use banyan::security::Unlock;
use banyan::security::chain::{self, Chain, Checkpoint, DeviceKey, EntryHeader, GENESIS, RowKey};
use banyan::security::keys::{DbKey, KeyStore};
use banyan::store::{AuditProblem, ChainReport};
use std::path::{Path, PathBuf};

struct Book {
    _dir: tempfile::TempDir,
    path: PathBuf,
    key: DbKey,
    /// The checkpoints written out before any tampering: what was kept elsewhere.
    held: Vec<Checkpoint>,
    /// The sequence numbers of the customer entries, in order.
    seqs: Vec<i64>,
}

/// A book with 40 customers (one entry each), 10 of them renamed, a failed sign-in and a few
/// good ones; its checkpoints written out; closed.
fn book() -> Book {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    let a = admin(&b);
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(b.add_customer(&a, &person(&format!("Customer {i:02}"))).unwrap().id);
    }
    for id in ids.iter().take(10) {
        let patch = banyan::model::CustomerPatch { city: Some("Suzhou".into()), ..Default::default() };
        b.update_customer(&a, &id.to_string(), &patch).unwrap();
    }
    assert_eq!(b.sign_in(ADMIN, "not the password", None, Channel::Cli).unwrap_err().code, ErrorCode::SignInFailed);
    b.sign_in(ADMIN, ADMIN_PASSWORD, None, Channel::Cli).unwrap();
    let held = b.audit_checkpoints(&a).unwrap();
    let report = verify(&b, &held);
    assert!(report.intact, "{report:?}");
    drop(b);
    let key = KeyStore::for_db(&path).unlock(Some(PASS)).unwrap().0;
    let conn = raw(&path, &key);
    let seqs: Vec<i64> = conn
        .prepare("SELECT seq FROM changes WHERE tbl = 'customers' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(seqs.len(), 50);
    Book { _dir: dir, path, key, held, seqs }
}

fn raw(path: &Path, key: &DbKey) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str())).unwrap();
    conn
}

fn open(book: &Book) -> Banyan {
    Banyan::open(&opts(&book.path), &Unlock::Raw(book.key.clone())).unwrap()
}

fn verify(b: &Banyan, held: &[Checkpoint]) -> banyan::api::AuditReport {
    b.audit_verify(&admin(b), held, &mut |_, _| {}).unwrap()
}

fn chain_of(r: &banyan::api::AuditReport, chain: Chain) -> &ChainReport {
    r.chains.iter().find(|c| c.this_device && c.chain == chain).unwrap()
}

#[test]
fn an_untouched_book_verifies_against_its_own_and_held_checkpoints() {
    let book = book();
    let b = open(&book);
    let r = verify(&b, &book.held);
    assert!(r.intact, "{r:?}");
    let changes = chain_of(&r, Chain::Changes);
    // 40 customers and 10 edits, plus the book's two settings and the admin's user row.
    assert_eq!(changes.entries, 53);
    assert!(changes.checkpoints_in_book >= 1);
    assert_eq!(changes.held_through, Some(changes.last_seq));
    let events = chain_of(&r, Chain::Events);
    let kinds: Vec<String> = b.audit_events(&admin(&b), 100).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(events.entries as usize, kinds.len());
    for k in ["user-added", "sign-in", "sign-in-failed"] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
}

#[test]
fn an_edited_value_is_reported_at_its_entry() {
    let book = book();
    let at = book.seqs[7];
    let n = raw(&book.path, &book.key)
        .execute("UPDATE changes SET fields = replace(fields, 'Customer 07', 'Customer 77') WHERE seq = ?1", [at])
        .unwrap();
    assert_eq!(n, 1);
    let b = open(&book);
    let r = verify(&b, &book.held);
    assert!(!r.intact);
    assert_eq!(chain_of(&r, Chain::Changes).problems, vec![AuditProblem::Altered { seq: at }]);
    assert!(chain_of(&r, Chain::Events).problems.is_empty());
    // An edited header (who made it) shows the same way.
    drop(b);
    raw(&book.path, &book.key)
        .execute("UPDATE changes SET user_id = 'someone' WHERE seq = ?1", [book.seqs[20]])
        .unwrap();
    let r = verify(&open(&book), &[]);
    assert_eq!(
        chain_of(&r, Chain::Changes).problems,
        vec![AuditProblem::Altered { seq: at }, AuditProblem::Altered { seq: book.seqs[20] }]
    );
}

#[test]
fn a_deleted_entry_is_reported_missing() {
    let book = book();
    let (at, next) = (book.seqs[12], book.seqs[13]);
    raw(&book.path, &book.key).execute("DELETE FROM changes WHERE seq = ?1", [at]).unwrap();
    let r = verify(&open(&book), &[]);
    assert_eq!(chain_of(&r, Chain::Changes).problems, vec![AuditProblem::Missing { from: at, to: next - 1 }]);
    // So is a deleted sign-in.
    let book = self::book();
    let conn = raw(&book.path, &book.key);
    let failed: i64 =
        conn.query_row("SELECT seq FROM audit_events WHERE kind = 'sign-in-failed'", [], |r| r.get(0)).unwrap();
    conn.execute("DELETE FROM audit_events WHERE seq = ?1", [failed]).unwrap();
    drop(conn);
    let r = verify(&open(&book), &[]);
    assert_eq!(chain_of(&r, Chain::Events).problems, vec![AuditProblem::Missing { from: failed, to: failed }]);
}

#[test]
fn dropping_the_last_entries_is_reported_as_truncation() {
    let book = book();
    let last = *book.seqs.last().unwrap();
    let cut_after = book.seqs[book.seqs.len() - 11];
    raw(&book.path, &book.key).execute("DELETE FROM changes WHERE seq > ?1", [cut_after]).unwrap();
    let r = verify(&open(&book), &[]);
    // The checkpoint signed at close vouches for the last entry.
    assert_eq!(
        chain_of(&r, Chain::Changes).problems,
        vec![AuditProblem::Truncated { after: cut_after, checkpoint: last }]
    );
    // Removing the book's checkpoints too hides it from the book, not from a held checkpoint.
    raw(&book.path, &book.key).execute("DELETE FROM checkpoints WHERE seq > ?1", [cut_after]).unwrap();
    let b = open(&book);
    assert!(chain_of(&verify(&b, &[]), Chain::Changes).problems.is_empty());
    let r = verify(&b, &book.held);
    assert_eq!(
        chain_of(&r, Chain::Changes).problems,
        vec![AuditProblem::Truncated { after: cut_after, checkpoint: last }]
    );
}

/// The key holder rewrites one customer's name in the history, recomputes every link after it
/// and signs the book's checkpoints again with the device key from the book: the book alone
/// cannot tell (and the report says it checked no held checkpoint); the checkpoints kept
/// elsewhere can.
#[test]
fn a_rewrite_that_rehashes_everything_shows_only_against_a_held_checkpoint() {
    let book = book();
    let conn = raw(&book.path, &book.key);
    let at = book.seqs[3];
    conn.execute("UPDATE changes SET fields = replace(fields, 'Customer 03', 'Customer 33') WHERE seq = ?1", [at])
        .unwrap();
    let device: String = conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0)).unwrap();
    let key_hex: String = conn.query_row("SELECT value FROM meta WHERE key = 'signing_key'", [], |r| r.get(0)).unwrap();
    let key = DeviceKey::from_hex(&key_hex).unwrap();
    rehash(&conn, &device, &key);
    drop(conn);
    let b = open(&book);
    let alone = verify(&b, &[]);
    assert!(alone.intact, "{alone:?}");
    assert_eq!(alone.held_given, 0);
    let r = verify(&b, &book.held);
    let problems = &chain_of(&r, Chain::Changes).problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(matches!(problems[0], AuditProblem::Rewritten { seq, held_elsewhere: true } if seq >= at), "{problems:?}");
    drop(b);

    // With a new device key (signing again with one of their own) the key change shows too.
    let conn = raw(&book.path, &book.key);
    let other = DeviceKey::random().unwrap();
    conn.execute("UPDATE origins SET public_key = ?1", [other.public_hex()]).unwrap();
    rehash(&conn, &device, &other);
    drop(conn);
    let r = verify(&open(&book), &book.held);
    let problems = &chain_of(&r, Chain::Changes).problems;
    assert!(problems.iter().any(|p| matches!(p, AuditProblem::KeyReplaced { .. })), "{problems:?}");
    assert!(problems.iter().any(|p| matches!(p, AuditProblem::Rewritten { held_elsewhere: true, .. })), "{problems:?}");
}

/// Recomputes every link of the changes chain and re-signs every checkpoint of it, as an attacker
/// who read the algorithm would.
fn rehash(conn: &rusqlite::Connection, device: &str, key: &DeviceKey) {
    type Row = (i64, i64, i64, Option<String>, String, String, rusqlite::types::Value, String, String, Vec<u8>);
    let rows: Vec<Row> = conn
        .prepare("SELECT seq, hlc, tx, batch_id, user_id, tbl, row_id, op, fields, salt FROM changes ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = GENESIS;
    let mut links = std::collections::HashMap::new();
    for (seq, hlc, tx, batch, user, tbl, row, op, fields, salt) in rows {
        let row = match &row {
            rusqlite::types::Value::Blob(b) => RowKey::Blob(b),
            rusqlite::types::Value::Text(t) => RowKey::Text(t),
            _ => unreachable!(),
        };
        let header = EntryHeader {
            origin: device,
            seq,
            hlc,
            tx,
            batch: batch.as_deref(),
            user: &user,
            table: &tbl,
            row,
            op: &op,
        };
        prev = chain::link(&prev, &chain::entry_digest(&header, &chain::commitment(&salt, &fields)));
        conn.execute("UPDATE changes SET link = ?1 WHERE seq = ?2", (prev.as_slice(), seq)).unwrap();
        links.insert(seq, prev);
    }
    let cps: Vec<(i64, i64)> = conn
        .prepare("SELECT seq, at FROM checkpoints WHERE chain = 'changes'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (seq, at) in cps {
        let cp = key.sign(device, Chain::Changes, seq, &links[&seq], at);
        let sig = hex::decode(&cp.signature).unwrap();
        conn.execute(
            "UPDATE checkpoints SET link = ?1, signature = ?2 WHERE chain = 'changes' AND seq = ?3",
            (links[&seq].as_slice(), sig, seq),
        )
        .unwrap();
    }
}

#[test]
fn a_forged_checkpoint_in_the_book_is_reported() {
    let book = book();
    let conn = raw(&book.path, &book.key);
    conn.execute("UPDATE checkpoints SET signature = zeroblob(64) WHERE chain = 'events'", []).unwrap();
    drop(conn);
    let r = verify(&open(&book), &[]);
    let problems = &chain_of(&r, Chain::Events).problems;
    assert!(
        !problems.is_empty() && problems.iter().all(|p| matches!(p, AuditProblem::BadSignature { .. })),
        "{problems:?}"
    );
}

/// Every 1,000 entries the device signs a checkpoint, also in the middle of one transaction.
#[test]
fn a_checkpoint_is_signed_every_thousand_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let a = admin(&b);
    b.demo(&a, 700, 7).unwrap();
    let cps = b.audit_checkpoints(&a).unwrap();
    let r = verify(&b, &cps);
    assert!(r.intact, "{r:?}");
    let changes = chain_of(&r, Chain::Changes);
    assert!(changes.entries > 2000, "{}", changes.entries);
    let signed = cps.iter().filter(|c| c.chain == Chain::Changes).count() as i64;
    assert!(
        signed > changes.entries / banyan::store::CHECKPOINT_EVERY,
        "{signed} checkpoints, {} entries",
        changes.entries
    );
    assert!(cps.iter().all(|c| c.signed_by(&c.public_key)));
}

/// Only a role with audit.read verifies or lists events.
#[test]
fn support_cannot_read_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = new_book(dir.path());
    let input = banyan::model::UserInput {
        login: Some("desk".into()),
        name: Some("Front Desk".into()),
        roles: vec!["support".into()],
        team: None,
    };
    b.add_user(&admin(&b), &input, "Lantern-orchid-58").unwrap();
    let desk = b.sign_in("desk", "Lantern-orchid-58", None, Channel::Cli).unwrap();
    assert_eq!(b.audit_verify(&desk, &[], &mut |_, _| {}).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(b.audit_events(&desk, 10).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(b.audit_checkpoints(&desk).unwrap_err().code, ErrorCode::Forbidden);
}
