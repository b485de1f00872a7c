//! Backups and restores: a backup is a whole, checked, signed copy that opens without this
//! desktop; a restore brings back exactly what was backed up, says first what it loses, keeps the
//! book it replaces, and can be undone; damage to a backup or its manifest is caught.

use crate::common::*;
use banyan::api::{Banyan, ErrorCode};
use banyan::backup::BackupUnlock;
use banyan::model::CustomerPatch;
use banyan::security::Unlock;
use banyan::store::NewKey;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zeroize::Zeroizing;

const BACKUP_PASS: &str = "backup passphrase 2026";

fn pass() -> BackupUnlock {
    BackupUnlock::Passphrase(Zeroizing::new(BACKUP_PASS.into()))
}

/// A book with `n` demo customers and a backup folder of its own (another directory).
fn book_with_demo(dir: &Path, n: usize) -> (Banyan, PathBuf, PathBuf) {
    let (b, path) = new_book(dir);
    let admin = admin(&b);
    if n > 0 {
        b.demo(&admin, n, 7).unwrap();
    }
    let folder = dir.join("usb");
    std::fs::create_dir(&folder).unwrap();
    b.set_backup_folder(&admin, Some(&folder)).unwrap();
    (b, path, folder)
}

/// A kind of damage, and how to do it.
type Harm<'a> = (&'static str, Box<dyn Fn() + 'a>);

fn flip(path: &Path, offset: u64) {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().read(true).write(true).open(path).unwrap();
    let mut byte = [0u8; 1];
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.read_exact(&mut byte).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(&[byte[0] ^ 0x5a]).unwrap();
}

fn cli(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
    c.arg("--db")
        .arg(db)
        .env("BANYAN_PASSPHRASE", PASS)
        .env("BANYAN_USER", ADMIN)
        .env("BANYAN_PASSWORD", ADMIN_PASSWORD)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("BANYAN_TOTP")
        .env_remove("BANYAN_BACKUP_PASSPHRASE")
        .stdin(Stdio::null());
    c
}

fn run(c: &mut Command) -> (bool, String) {
    let out = c.output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_restore_drill_brings_back_exactly_the_backed_up_book_after_each_kind_of_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, folder) = book_with_demo(dir.path(), 10_000);
    let admin = admin(&b);
    let at_backup = b.store().sync_digest().unwrap();
    let report = b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    assert_eq!(report.counts.customers, 10_000);
    assert!(Path::new(&report.file).starts_with(&folder), "{}", report.file);
    assert_eq!(report.wraps, vec!["passphrase".to_string()]);
    let backup = PathBuf::from(&report.file);
    // Work after the backup, which each restore below loses.
    let hit = b.search_customers(&admin, "a", &Default::default(), 1).unwrap();
    let id = hit.first().map(|h| h.customer.id.to_string()).expect("a customer to change");
    b.update_customer(&admin, &id, &CustomerPatch { city: Some("拉萨".into()), ..Default::default() }).unwrap();
    drop(b);

    let page = 4096u64;
    let size = std::fs::metadata(&path).unwrap().len();
    let damage: [Harm; 4] = [
        (
            "three pages with flipped bytes",
            Box::new(|| {
                for n in [size / page / 4, size / page / 2, size / page * 3 / 4] {
                    flip(&path, n * page + 100);
                }
            }),
        ),
        (
            "the file truncated",
            Box::new(|| {
                let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
                f.set_len(size / 3 + 17).unwrap();
            }),
        ),
        (
            "the write-ahead log deleted mid-write",
            Box::new(|| {
                // A process writing (demo data) killed mid-write, then its write-ahead log lost.
                let mut child = cli(&path)
                    .args(["demo", "--customers", "20000", "--seed", "9"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                std::thread::sleep(std::time::Duration::from_millis(2_500));
                let _ = child.kill();
                let _ = child.wait();
                for suffix in ["-wal", "-shm"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }),
        ),
        ("the file deleted", Box::new(|| std::fs::remove_file(&path).unwrap())),
    ];
    for (what, harm) in damage {
        harm();
        // `banyan check` says so (or the book no longer opens at all).
        let (ok, text) = run(cli(&path).arg("check"));
        if what != "the write-ahead log deleted mid-write" {
            assert!(!ok, "{what}: check passed: {text}");
        }
        let (ok, text) =
            run(cli(&path).args(["restore", "--yes"]).arg(&backup).env("BANYAN_BACKUP_PASSPHRASE", BACKUP_PASS));
        assert!(ok, "{what}: {text}");
        assert!(text.contains("Restored from"), "{what}: {text}");
        let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
        assert_eq!(b.store().sync_digest().unwrap(), at_backup, "{what}: the restored book differs from the backup");
        let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap();
        assert_eq!(b.customer_count(&admin).unwrap(), 10_000, "{what}");
        assert!(
            !b.search_customers(&admin, "a", &Default::default(), 5).unwrap().is_empty(),
            "{what}: search finds nothing"
        );
        assert!(b.check(&admin).unwrap().is_empty(), "{what}");
        drop(b);
        // What it replaced is kept, never deleted.
        let kept: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.contains(".pre-restore-") || n.contains(".damaged-"))
            .collect();
        assert!(!kept.is_empty() || what == "the file deleted", "{what}: nothing kept of the replaced book");
    }
}

#[test]
fn verify_catches_a_flipped_byte_a_truncated_file_an_edited_manifest_and_another_books_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _path, folder) = book_with_demo(dir.path(), 300);
    let admin = admin(&b);
    let made = b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    let good = PathBuf::from(&made.file);
    let full = b.verify_backup(&admin, &good, true, &pass()).unwrap();
    assert!(full.ok && full.full, "{:?}", full.problems);
    // The same key opens it without the passphrase on the desktop that made it.
    assert!(b.verify_backup(&admin, &good, true, &BackupUnlock::ThisBook).unwrap().ok);

    let copy = |name: &str| {
        let to = folder.join(format!("{name}.bkp"));
        std::fs::copy(&good, &to).unwrap();
        let mut m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(banyan::backup::manifest_path(&good)).unwrap()).unwrap();
        m["file"] = serde_json::Value::String(format!("{name}.bkp"));
        (to, m)
    };
    let expect = |file: &Path, full: bool, code: ErrorCode, msg: &str| {
        let e = b.verify_backup(&admin, file, full, &pass()).unwrap_err();
        assert_eq!(e.code, code, "{}: {}", file.display(), e.message);
        assert!(e.message.contains(msg), "{}: {}", file.display(), e.message);
    };
    // A renamed copy whose manifest names it but keeps the old signature: altered.
    let (renamed, m) = copy("renamed");
    std::fs::write(banyan::backup::manifest_path(&renamed), serde_json::to_vec(&m).unwrap()).unwrap();
    expect(&renamed, false, ErrorCode::BackupDamaged, "altered");

    let (flipped, _) = copy("flipped");
    std::fs::copy(banyan::backup::manifest_path(&good), banyan::backup::manifest_path(&flipped)).unwrap();
    // The manifest names the original file: the copy's own name differs, so re-point it by
    // making the flipped copy the original's name in a folder of its own.
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let flipped_file = other_dir.join(good.file_name().unwrap());
    std::fs::rename(&flipped, &flipped_file).unwrap();
    std::fs::copy(banyan::backup::manifest_path(&good), banyan::backup::manifest_path(&flipped_file)).unwrap();
    flip(&flipped_file, 4096 * 3 + 9);
    expect(&flipped_file, false, ErrorCode::BackupDamaged, "damaged");

    let trunc_dir = dir.path().join("trunc");
    std::fs::create_dir(&trunc_dir).unwrap();
    let truncated = trunc_dir.join(good.file_name().unwrap());
    std::fs::copy(&good, &truncated).unwrap();
    std::fs::copy(banyan::backup::manifest_path(&good), banyan::backup::manifest_path(&truncated)).unwrap();
    let len = std::fs::metadata(&truncated).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&truncated).unwrap().set_len(len - 4096).unwrap();
    expect(&truncated, false, ErrorCode::BackupDamaged, "truncated");

    // An edited manifest: a count changed, the signature left as it was.
    let edit_dir = dir.path().join("edit");
    std::fs::create_dir(&edit_dir).unwrap();
    let edited = edit_dir.join(good.file_name().unwrap());
    std::fs::copy(&good, &edited).unwrap();
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(banyan::backup::manifest_path(&good)).unwrap()).unwrap();
    m["counts"]["customers"] = serde_json::json!(299);
    std::fs::write(banyan::backup::manifest_path(&edited), serde_json::to_vec(&m).unwrap()).unwrap();
    expect(&edited, false, ErrorCode::BackupDamaged, "altered");

    // Another book's backup verifies as itself, but this book will not restore it.
    let other = tempfile::tempdir().unwrap();
    let (ob, _, _) = book_with_demo(other.path(), 5);
    let theirs = PathBuf::from(ob.backup_now(&crate::common::admin(&ob), None, Some(BACKUP_PASS)).unwrap().file);
    let e = b.restore_preview(&admin, &theirs, &pass()).unwrap_err();
    assert_eq!(e.code, ErrorCode::BackupOtherBook, "{}", e.message);
    // A wrong backup passphrase is its own error, and so is a missing manifest.
    let e = b.verify_backup(&admin, &good, true, &BackupUnlock::Passphrase(Zeroizing::new("not it at all".into())));
    assert_eq!(e.unwrap_err().code, ErrorCode::BackupKey);
    std::fs::remove_file(banyan::backup::manifest_path(&flipped_file)).unwrap();
    expect(&flipped_file, false, ErrorCode::BackupDamaged, "no manifest");
    // The list shows them all, the broken ones with what is wrong.
    let list = b.backups(&admin, Some(&folder)).unwrap();
    assert!(list.iter().any(|e| e.file == made.file && e.this_book && e.problem.is_none()));
}

#[test]
fn a_new_desktop_gets_the_book_back_from_the_backup_passphrase_alone_or_from_the_recovery_key_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, _folder) = book_with_demo(dir.path(), 500);
    let admin = admin(&b);
    let (secret, public) = banyan::backup::new_recovery_key();
    b.set_recovery_key(&admin, Some(&public)).unwrap();
    // Nothing is made until the key can be opened without this desktop.
    let e = b.backup_now(&admin, None, None);
    assert!(e.is_ok(), "a recovery key alone is enough: {e:?}");
    let both = b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    assert_eq!(both.wraps, vec!["passphrase".to_string(), "recovery".to_string()]);
    let digest = b.store().sync_digest().unwrap();
    let old_device = b.store().device().to_string();
    drop(b);
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(banyan::security::KeyStore::for_db(&path).path()).unwrap();

    for (n, unlock) in [pass(), BackupUnlock::Recovery(secret.clone())].into_iter().enumerate() {
        let laptop = dir.path().join(format!("new-laptop-{n}/banyan.db"));
        let (restored, report) = Banyan::restore_new(
            &opts(&laptop),
            Path::new(&both.file),
            &unlock,
            NewKey::Passphrase(format!("{PASS} on the new laptop")),
        )
        .unwrap();
        assert_eq!(report.preview.counts_now.customers, 500);
        assert_eq!(restored.store().sync_digest().unwrap(), digest);
        // A new desktop: sequence numbers the old one used are never reused.
        assert_ne!(restored.store().device().to_string(), old_device);
        drop(restored);
        // It opens again from its own key file, under the new passphrase, and the users sign in.
        let again = Banyan::open(&opts(&laptop), &Unlock::passphrase(format!("{PASS} on the new laptop"))).unwrap();
        let admin = again.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap();
        assert_eq!(again.customer_count(&admin).unwrap(), 500);
    }
    // Without either, nothing is made and nothing is left.
    let laptop = dir.path().join("third/banyan.db");
    let e = Banyan::restore_new(
        &opts(&laptop),
        Path::new(&both.file),
        &BackupUnlock::Passphrase(Zeroizing::new("a wrong passphrase".into())),
        NewKey::Passphrase(PASS.into()),
    )
    .err()
    .expect("a wrong passphrase restores nothing");
    assert_eq!(e.code, ErrorCode::BackupKey, "{}", e.message);
    assert!(!laptop.exists());
}

#[test]
fn the_preview_lists_what_a_restore_loses_and_undo_brings_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut b, _path, _folder) = book_with_demo(dir.path(), 50);
    let admin = admin(&b);
    let rep = user_with_role(&b, &admin, "rep", "sales", banyan::api::Channel::Cli);
    let backup = PathBuf::from(b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap().file);
    let at_backup = b.store().sync_digest().unwrap();
    // The admin adds a customer (its fields are changes); the rep changes one field of it.
    let before = b.store().change_count().unwrap();
    let c = b.add_customer(&rep, &person("Made after the backup")).unwrap();
    b.update_customer(&rep, &c.id.to_string(), &CustomerPatch { city: Some("成都".into()), ..Default::default() })
        .unwrap();
    b.update_customer(&admin, &c.id.to_string(), &CustomerPatch { city: Some("重庆".into()), ..Default::default() })
        .unwrap();
    let after = b.store().change_count().unwrap();
    let preview = b.restore_preview(&admin, &backup, &pass()).unwrap();
    // Exactly the field changes made since, each counted once, by whom.
    let history = b.history(&admin, &c.id.to_string()).unwrap();
    assert_eq!(preview.lost_total, history.len() as i64, "{preview:?}");
    assert_eq!(preview.lost_total, after - before);
    let by = |login: &str| history.iter().filter(|h| h.login.as_deref() == Some(login)).count() as i64;
    let lost_by =
        |needle: &str| preview.lost.iter().filter(|l| l.user.contains(needle)).map(|l| l.changes).sum::<i64>();
    assert_eq!(lost_by("(rep)"), by("rep"), "{preview:?}");
    assert_eq!(lost_by(&format!("({ADMIN})")), by(ADMIN), "{preview:?}");
    assert!(by("rep") > 0 && by(ADMIN) > 0);
    assert_eq!(preview.counts_now.customers, 51);
    assert_eq!(preview.counts_then.customers, 50);
    // The dry run changed nothing.
    assert_eq!(b.store().change_count().unwrap(), after);

    let done = b.restore(&admin, &backup, &pass()).unwrap();
    assert_eq!(b.store().sync_digest().unwrap(), at_backup);
    let gone = b.customer(&admin, &c.id.to_string()).unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound, "the customer made after the backup: {}", gone.message);
    let snapshot = PathBuf::from(done.snapshot.clone().unwrap());
    assert!(snapshot.exists());
    // Nothing made since then is left to lose.
    assert_eq!(b.restore_preview(&admin, &backup, &pass()).unwrap().lost_total, 0);
    // Undo: the customer and both edits are back.
    b.undo_restore(&admin).unwrap();
    let back = b.customer(&admin, &c.id.to_string()).unwrap();
    assert_eq!(back.city.as_deref(), Some("重庆"));
    let e = b.undo_restore(&admin).unwrap_err();
    assert_eq!(e.code, ErrorCode::Backup, "{}", e.message);
}

#[test]
fn a_restore_erases_again_who_was_erased_after_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (mut b, _path, _folder) = book_with_demo(dir.path(), 0);
    let admin = admin(&b);
    let c = b.add_customer(&admin, &person("Erase Me Later")).unwrap();
    let backup = PathBuf::from(b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap().file);
    b.erase_person(&admin, &c.id.to_string(), "access request 42").unwrap();
    let report = b.restore(&admin, &backup, &pass()).unwrap();
    assert_eq!(report.erased_again, 1);
    assert!(
        b.search_customers(&admin, "Erase Me", &Default::default(), 5).unwrap().is_empty(),
        "the erased person is back"
    );
}

#[test]
fn no_backup_is_made_that_only_this_desktop_could_open_nor_into_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _path, folder) = book_with_demo(dir.path(), 3);
    let admin = admin(&b);
    let e = b.backup_now(&admin, None, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::BackupKey, "{}", e.message);
    assert!(std::fs::read_dir(&folder).unwrap().next().is_none(), "something was written");
    // The drive is pulled: a clear error naming the folder, nothing under a final name.
    let pulled = dir.path().join("usb-pulled");
    let e = b.backup_now(&admin, Some(&pulled), Some(BACKUP_PASS)).unwrap_err();
    assert_eq!(e.code, ErrorCode::BackupTarget, "{}", e.message);
    assert!(e.message.contains("usb-pulled"), "{}", e.message);
    // And nothing is left beside the book.
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_backup_taken_while_another_desktop_process_writes_holds_every_earlier_commit_and_no_half() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, _folder) = book_with_demo(dir.path(), 2_000);
    let admin = admin(&b);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let committed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    // A second handle on the book (as the desktop app beside a scheduled backup) writes batches
    // of two customers per transaction as fast as it can.
    let writer = {
        let (stop, committed, path) = (stop.clone(), committed.clone(), path.clone());
        std::thread::spawn(move || {
            let w = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
            let admin = crate::common::admin(&w);
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                w.add_customer(&admin, &person(&format!("Written during the backup {n}"))).unwrap();
                n += 1;
                committed.store(n, std::sync::atomic::Ordering::SeqCst);
            }
            n
        })
    };
    while committed.load(std::sync::atomic::Ordering::SeqCst) < 5 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let before = committed.load(std::sync::atomic::Ordering::SeqCst);
    let made = b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    let during = committed.load(std::sync::atomic::Ordering::SeqCst);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let total = writer.join().unwrap();
    assert!(during > before, "no write committed while the backup ran");
    let got = made.counts.customers - 2_000;
    assert!(got >= before as i64 && got <= during as i64, "backup holds {got}, {before} before, {during} after");
    let full = b.verify_backup(&admin, Path::new(&made.file), true, &pass()).unwrap();
    assert!(full.ok, "{:?}", full.problems);
    assert!(total >= during);
}

#[test]
fn a_backup_killed_at_any_moment_leaves_the_book_whole_and_nothing_half_under_a_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, folder) = book_with_demo(dir.path(), 3_000);
    b.set_backup_passphrase(&admin(&b), BACKUP_PASS).unwrap();
    drop(b);
    // The command line's first sign-in rehashes the password at its own cost (a change to the
    // users table): done once before the book is fingerprinted.
    let (ok, text) = run(cli(&path).args(["backup", "list"]));
    assert!(ok, "{text}");
    let digest = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap().store().sync_digest().unwrap();
    let mut rng = 0x9e37_79b9_u64;
    for round in 0..24 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = cli(&path).args(["backup", "now"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng % 1_500));
        let _ = child.kill();
        let _ = child.wait();
        // Every backup under a final name with a manifest is whole.
        for entry in std::fs::read_dir(&folder).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().and_then(|e| e.to_str()) == Some("bkp") && banyan::backup::manifest_path(&p).exists() {
                banyan::backup::quick_verify(&p).unwrap_or_else(|e| panic!("round {round}: {}: {e}", p.display()));
            }
        }
    }
    // The kills landed both before and after backups finished.
    let whole = std::fs::read_dir(&folder)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().to_string_lossy().ends_with(".bkp.manifest.json"))
        .count();
    assert!((1..24).contains(&whole), "{whole} of 24 backups finished");
    let b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    let admin = admin(&b);
    assert!(b.check(&admin).unwrap().is_empty());
    assert_eq!(b.store().sync_digest().unwrap(), digest, "the book changed");
    let made = b.backup_now(&admin, None, None).unwrap();
    assert!(b.verify_backup(&admin, Path::new(&made.file), true, &pass()).unwrap().ok);
}

#[test]
fn older_backups_go_by_the_retention_rules_once_a_new_one_is_whole_and_nothing_else_in_the_folder_does() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _path, folder) = book_with_demo(dir.path(), 3);
    let admin = admin(&b);
    b.set_backup_passphrase(&admin, BACKUP_PASS).unwrap();
    // Today's newest only (one day with backups, no weeks or months kept beyond it).
    let keep = banyan::backup::Keep { daily: 2, weekly: 0, monthly: 0 };
    assert_eq!(b.set_backup_keep(&admin, keep).unwrap().keep, keep);
    // Files that are not this book's backups.
    std::fs::write(folder.join("holiday-photos.bkp"), b"not a backup").unwrap();
    let other = tempfile::tempdir().unwrap();
    let (ob, _, _) = book_with_demo(other.path(), 1);
    let theirs =
        PathBuf::from(ob.backup_now(&crate::common::admin(&ob), Some(&folder), Some(BACKUP_PASS)).unwrap().file);
    let mut made = Vec::new();
    for _ in 0..4 {
        let r = b.backup_now(&admin, None, None).unwrap();
        made.push(PathBuf::from(r.file));
    }
    for (i, m) in made.iter().enumerate() {
        assert_eq!(m.exists(), i == 3, "backup {i}");
        assert_eq!(banyan::backup::manifest_path(m).exists(), i == 3, "manifest {i}");
    }
    assert!(folder.join("holiday-photos.bkp").exists());
    assert!(theirs.exists() && banyan::backup::manifest_path(&theirs).exists());
    let e = b.set_backup_keep(&admin, banyan::backup::Keep { daily: 0, weekly: 0, monthly: 0 }).unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid, "{}", e.message);
}

struct Clock(std::sync::atomic::AtomicI64);

impl banyan::sync::hlc::Clock for Clock {
    fn now_ms(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn health_warns_until_a_backup_is_made_and_again_once_it_is_too_old_and_after_a_failed_check() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(Clock(std::sync::atomic::AtomicI64::new(1_790_000_000_000)));
    let path = dir.path().join("book.db");
    let mut o = opts(&path);
    o.store.clock = clock.clone();
    let b = Banyan::create(&o, NewKey::Passphrase(PASS.into()), &Default::default()).unwrap();
    let admin = admin(&b);
    let codes = |b: &Banyan| b.health(&admin).unwrap().warnings.into_iter().map(|w| w.code).collect::<Vec<_>>();
    assert_eq!(codes(&b), vec!["no-backup"]);
    b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    let h = b.health(&admin).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    assert!(h.last_backup_present && h.last_backup_ms == Some(1_790_000_000_000));
    assert_eq!(h.backup_max_age_hours, 48);
    b.set_backup_max_age(&admin, 24).unwrap();
    clock.0.fetch_add(23 * 3_600_000, std::sync::atomic::Ordering::SeqCst);
    assert!(codes(&b).is_empty());
    clock.0.fetch_add(2 * 3_600_000, std::sync::atomic::Ordering::SeqCst);
    let h = b.health(&admin).unwrap();
    assert_eq!(h.warnings.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(), vec!["backup-old"]);
    assert!(h.warnings[0].message.contains("25 hours"), "{}", h.warnings[0].message);
    // The backup file taken away: said so, once a new backup is not yet due.
    b.backup_now(&admin, None, None).unwrap();
    let last = PathBuf::from(b.health(&admin).unwrap().last_backup_file.unwrap());
    std::fs::remove_file(&last).unwrap();
    assert_eq!(codes(&b), vec!["backup-missing"]);
    b.backup_now(&admin, None, None).unwrap();
    assert!(b.check(&admin).unwrap().is_empty());
    let h = b.health(&admin).unwrap();
    assert_eq!(h.last_check_ok, Some(true));
    assert!(h.warnings.is_empty());
    drop(b);
    // A page damaged: the next full check finds it, and health says so until one passes.
    // (A page the open and the sign-in do not read: one flipped that they do is put back.)
    let pages = std::fs::metadata(&path).unwrap().len() / 4096;
    let (b, admin) = (1..pages)
        .rev()
        .find_map(|page| {
            flip(&path, page * 4096 + 200);
            let opened = Banyan::open(&o, &Unlock::passphrase(PASS)).ok().and_then(|b| {
                let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).ok()?;
                Some((b, admin))
            });
            if opened.is_none() {
                flip(&path, page * 4096 + 200);
            }
            opened
        })
        .expect("a page to damage");
    assert!(!b.check(&admin).unwrap().is_empty());
    assert_eq!(
        b.health(&admin).unwrap().warnings.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(),
        vec!["check-failed"]
    );
    drop(b);
    // On the command line: exit 0 when healthy, 1 with the warning when not.
    let (ok, text) = run(cli(&path).arg("health"));
    assert!(!ok, "the command line's clock is the real one, a year on: {text}");
    assert!(text.contains("hours old"), "{text}");
    let out = cli(&path).args(["--json", "health"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The health, then the error: two JSON values.
    let first: serde_json::Value =
        serde_json::Deserializer::from_slice(&out.stdout).into_iter().next().unwrap().unwrap();
    assert_eq!(first["warnings"][0]["code"], "backup-old");
}

#[test]
fn the_daily_backup_and_the_weekly_check_run_by_themselves_and_a_failing_backup_shows_in_health_and_is_tried_again_hourly()
 {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().unwrap();
    // 09:00 local time on some day: the book was never backed up, so the first check makes one.
    let nine = chrono::Local.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap().timestamp_millis();
    let clock = std::sync::Arc::new(Clock(std::sync::atomic::AtomicI64::new(nine)));
    let advance = |minutes: i64| clock.0.fetch_add(minutes * 60_000, std::sync::atomic::Ordering::SeqCst);
    let path = dir.path().join("book.db");
    let mut o = opts(&path);
    o.store.clock = clock.clone();
    let b = Banyan::create(&o, NewKey::Passphrase(PASS.into()), &Default::default()).unwrap();
    let admin = admin(&b);
    // Nothing to seal the key with yet: the attempt fails, is kept, and waits an hour.
    let e = b.backup_if_due().unwrap_err();
    assert_eq!(e.code, ErrorCode::BackupKey);
    let h = b.health(&admin).unwrap();
    assert!(h.warnings.iter().any(|w| w.code == "backup-failing" && w.message.contains("backup passphrase")));
    b.set_backup_passphrase(&admin, BACKUP_PASS).unwrap();
    advance(30);
    assert!(b.backup_if_due().unwrap().is_none(), "tried again within the hour");
    advance(31);
    let first = b.backup_if_due().unwrap().expect("due an hour after the failure");
    assert!(b.health(&admin).unwrap().warnings.is_empty());
    assert!(b.backup_if_due().unwrap().is_none());
    // 12:30 the same day: the daily one.
    advance(12 * 60 + 30 - 10 * 60 - 1 - 1);
    assert!(b.backup_if_due().unwrap().is_none(), "before 12:30");
    advance(1);
    let noon = b.backup_if_due().unwrap().expect("due at 12:30");
    assert_ne!(noon.file, first.file);
    // The USB drive is pulled: the failure names the folder and health says so.
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    b.set_backup_folder(&admin, Some(&usb)).unwrap();
    std::fs::remove_dir(&usb).unwrap();
    advance(24 * 60);
    let e = b.backup_if_due().unwrap_err();
    assert_eq!(e.code, ErrorCode::BackupTarget);
    let h = b.health(&admin).unwrap();
    assert!(h.warnings.iter().any(|w| w.code == "backup-failing" && w.message.contains("usb")), "{:?}", h.warnings);
    // Plugged back in: the next hourly try makes it.
    std::fs::create_dir(&usb).unwrap();
    advance(59);
    assert!(b.backup_if_due().unwrap().is_none());
    advance(1);
    assert!(b.backup_if_due().unwrap().is_some());
    assert!(b.health(&admin).unwrap().warnings.is_empty());
    // The weekly full check, beside it: never done, so now; then in a week.
    assert_eq!(b.check_if_due().unwrap(), Some(vec![]));
    assert_eq!(b.health(&admin).unwrap().last_check_ok, Some(true));
    assert_eq!(b.check_if_due().unwrap(), None);
    advance(7 * 24 * 60 - 1);
    assert_eq!(b.check_if_due().unwrap(), None);
    advance(1);
    assert_eq!(b.check_if_due().unwrap(), Some(vec![]));
}

#[test]
fn the_diagnostics_zip_lists_what_support_needs_with_no_customer_data_no_secret_and_home_as_tilde() {
    let home = tempfile::tempdir().unwrap();
    let (b, path, folder) = book_with_demo(home.path(), 0);
    let admin = admin(&b);
    let names = ["诊断客户甲", "Quentin Diagnostica"];
    for n in names {
        b.add_customer(&admin, &person(n)).unwrap();
    }
    let made = b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    let key_hex = {
        let (k, _) = banyan::security::KeyStore::for_db(&path).unlock(Some(PASS)).unwrap();
        k.to_hex().to_string()
    };
    drop(b);
    let zip_path = home.path().join("diag.zip");
    let (ok, text) = run(cli(&path).env("HOME", home.path()).args(["diagnostics", "--out"]).arg(&zip_path));
    assert!(ok, "{text}");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut all = String::new();
    let mut files = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        files.push(f.name().unwrap().to_string());
        std::io::Read::read_to_string(&mut f, &mut all).unwrap();
    }
    for want in ["versions.json", "settings.json", "health.json", "backups.json", "book.json", "manifest.json"] {
        assert!(files.iter().any(|f| f == want), "{want} missing: {files:?}");
    }
    for needle in [names[0], names[1], PASS, BACKUP_PASS, ADMIN_PASSWORD, key_hex.as_str()] {
        assert!(!all.contains(needle), "{needle} in the diagnostics");
    }
    let home_text = home.path().display().to_string();
    assert!(!all.contains(&home_text), "the home folder in the diagnostics");
    assert!(all.contains("\"~/book.db\""), "the book's path from ~");
    let made_name = Path::new(&made.file).file_name().unwrap().to_string_lossy().to_string();
    assert!(all.contains(&made_name) && all.contains("\"signed\": true"), "the backup and its state");
    assert!(all.contains("SQLCipher") || all.contains("\"sqlcipher\": \"4"), "{all}");
    assert!(folder.exists());
}

#[test]
fn on_the_command_line_a_new_desktop_restores_its_book_from_a_backup_and_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _path, _folder) = book_with_demo(dir.path(), 40);
    let made = b.backup_now(&admin(&b), None, Some(BACKUP_PASS)).unwrap();
    drop(b);
    let laptop = dir.path().join("new-laptop/banyan.db");
    // Without the backup passphrase: refused, and nothing is made.
    let (ok, text) = run(cli(&laptop).arg("restore").arg(&made.file));
    assert!(!ok && text.contains("backup"), "{text}");
    assert!(!laptop.exists());
    let (ok, text) =
        run(cli(&laptop).arg("restore").arg(&made.file).env("BANYAN_BACKUP_PASSPHRASE", "not the passphrase"));
    assert!(!ok && text.contains("backup passphrase is wrong"), "{text}");
    assert!(!laptop.exists());
    let (ok, text) = run(cli(&laptop).arg("restore").arg(&made.file).env("BANYAN_BACKUP_PASSPHRASE", BACKUP_PASS));
    assert!(ok, "{text}");
    // The book opens with BANYAN_PASSPHRASE (its key is now kept behind it) and holds the customers.
    let out = cli(&laptop).args(["--json", "customer", "list", "--limit", "100"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().map(|a| a.len()), Some(40));
}

#[test]
fn the_check_at_start_finds_a_damaged_page_when_no_full_check_is_recent_and_health_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, _) = book_with_demo(dir.path(), 2_000);
    let admin = admin(&b);
    // A sound book, never checked: the quick check runs and passes, then not again that day.
    assert_eq!(b.quick_check_if_due().unwrap(), Some(vec![]));
    assert_eq!(b.quick_check_if_due().unwrap(), None);
    assert!(!b.health(&admin).unwrap().warnings.iter().any(|w| w.code == "check-failed"));
    // After a full check it waits for the next week's.
    let other = tempfile::tempdir().unwrap();
    let (c, _, _) = book_with_demo(other.path(), 10);
    assert!(c.check(&crate::common::admin(&c)).unwrap().is_empty());
    assert_eq!(c.quick_check_if_due().unwrap(), None);
    drop(b);

    // A page of the book damaged while it was closed; a new desktop start (no quick check today
    // recorded in this book's settings) finds it.
    let mut cfg = banyan::backup::Config::load(&path);
    cfg.last_quick_check_ms = None;
    cfg.save(&path).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    flip(&path, size / 4096 / 2 * 4096 + 200);
    let b = Banyan::open(&opts(&path), &banyan::security::Unlock::passphrase(PASS)).unwrap();
    let problems = b.quick_check_if_due().unwrap().expect("it ran");
    assert!(!problems.is_empty(), "the flipped page is found");
    let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap();
    let warnings: Vec<String> = b.health(&admin).unwrap().warnings.into_iter().map(|w| w.code).collect();
    assert!(warnings.contains(&"check-failed".to_string()), "{warnings:?}");
}

/// The customers in the book and this desktop's id in it.
fn count_and_device(path: &Path) -> (i64, String) {
    let b = Banyan::open(&opts(path), &Unlock::passphrase(PASS)).unwrap();
    let admin = b.sign_in(ADMIN, ADMIN_PASSWORD, None, banyan::api::Channel::Cli).unwrap();
    assert!(b.check(&admin).unwrap().is_empty(), "the book is sound");
    (b.customer_count(&admin).unwrap(), b.sync_status(&admin).unwrap().device)
}

fn pending(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.restore-pending.json", path.display()))
}

#[test]
fn a_restore_killed_at_any_moment_leaves_a_sound_book_never_under_the_backups_identity() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, _) = book_with_demo(dir.path(), 3_000);
    let admin = admin(&b);
    let made = b.backup_now(&admin, None, Some(BACKUP_PASS)).unwrap();
    let backup_device = b.sync_status(&admin).unwrap().device;
    b.demo(&admin, 50, 11).unwrap();
    drop(b);
    let (after, _) = count_and_device(&path);
    assert_eq!(after, 3_050);

    // Killed at random moments: each time the book opens sound, either as it was or restored,
    // and restored only under a new identity.
    // How long a whole restore takes here (then taken back), so the kills spread over it.
    let timed = std::time::Instant::now();
    let (ok, text) = run(cli(&path).args(["restore", &made.file, "--yes"]));
    let whole = timed.elapsed().as_millis() as u64;
    assert!(ok, "{text}");
    let (ok, text) = run(cli(&path).args(["restore", "--undo"]));
    assert!(ok, "{text}");
    let mut rng = 0x2545_f491_u64;
    let (mut restored, mut kept) = (0, 0);
    for round in 0..16 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = cli(&path)
            .args(["restore", &made.file, "--yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng % (whole + whole / 5)));
        let _ = child.kill();
        let _ = child.wait();
        let (n, device) = count_and_device(&path);
        assert!(!pending(&path).exists(), "round {round}: the open finished what the restore left");
        if n == 3_000 {
            assert_ne!(device, backup_device, "round {round}: restored under the backup's identity");
            restored += 1;
            let (ok, text) = run(cli(&path).args(["restore", "--undo"]));
            assert!(ok, "round {round}: {text}");
        } else {
            assert_eq!(n, 3_050, "round {round}");
            kept += 1;
        }
    }
    assert!(
        restored > 0 && kept > 0,
        "the kills landed before and after restores finished: {restored} restored, {kept} kept"
    );

    // The two moments a kill rarely hits, made on purpose: after the book became the snapshot
    // and before the backup took its place; and after the swap, before the new identity.
    let snapshot = dir.path().join("book.db.pre-restore-kill.db");
    let marker = |snapshot: &Path| {
        let json = serde_json::json!({ "snapshot": snapshot, "hlc": 0, "backup": "b.bkp", "atMs": 1 });
        std::fs::write(pending(&path), json.to_string()).unwrap();
    };
    marker(&snapshot);
    std::fs::rename(&path, &snapshot).unwrap();
    assert_eq!(count_and_device(&path).0, 3_050, "the book put back: the restore did not happen");
    assert!(!snapshot.exists() && !pending(&path).exists());

    let (_, before) = count_and_device(&path);
    marker(&snapshot);
    std::fs::rename(&path, &snapshot).unwrap();
    std::fs::copy(&made.file, &path).unwrap();
    let (n, device) = count_and_device(&path);
    assert_eq!(n, 3_000, "the backup's content");
    assert!(device != backup_device && device != before, "a new identity, taken at the open");
    assert!(!pending(&path).exists());
    // And the restore note it left lets the restore be taken back.
    let (ok, text) = run(cli(&path).args(["restore", "--undo"]));
    assert!(ok, "{text}");
    assert_eq!(count_and_device(&path).0, 3_050);
}

/// The snapshot an update of Banyan took of the book (schema 5's fixture, migrated as it opens)
/// is listed with the backups and restores like one: what it holds, what is lost since, then the
/// book as it was, updated again.
#[test]
fn a_snapshot_taken_before_an_update_is_listed_and_restores_like_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/books/v5");
    for f in ["book.db", "book.db.key.json"] {
        std::fs::copy(fixture.join(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().join("book.db");
    let mut b = Banyan::open(&opts(&path), &Unlock::passphrase(PASS)).unwrap();
    let snapshot = b.migration_snapshot().expect("the update took a snapshot").to_owned();
    let admin = admin(&b);
    let customers_then = b.customer_count(&admin).unwrap();
    b.add_customer(&admin, &person("Added After The Update")).unwrap();

    let list = b.backups(&admin, None).unwrap();
    let listed = list.iter().find(|e| e.kind == "snapshot").expect("the snapshot is listed");
    assert_eq!((Path::new(&listed.file), listed.schema_version), (snapshot.as_path(), Some(5)));
    assert!(listed.this_book && listed.problem.is_none());
    assert!(b.latest_backup(&admin, None).is_err(), "a snapshot is not the latest backup");

    let p = b.restore_preview(&admin, &snapshot, &BackupUnlock::ThisBook).unwrap();
    assert_eq!(p.counts_then.customers, customers_then);
    assert_eq!(p.counts_now.customers, customers_then + 1);
    assert!(p.migrates, "it is updated again once restored");
    assert!(p.lost_total >= 2, "the new customer and the first admin are lost: {:?}", p.lost);

    let r = b.restore(&admin, &snapshot, &BackupUnlock::ThisBook).unwrap();
    assert!(r.snapshot.is_some());
    let counts = b.store().counts().unwrap();
    assert_eq!(counts.customers, customers_then, "the book as it was before the update");
    assert_eq!(counts.users, 0, "schema 5 had no users: the book asks for its first admin again");
    assert!(b.store().check().unwrap().is_empty());
}

/// IT's policy file sets the backup folder (mandatory) and the warning's age (recommended): the
/// folder is locked and backups go there, the user's own age wins over the recommended one,
/// a misspelt key is ignored and named, and diagnostics say where each value comes from.
#[test]
fn backup_policies_set_what_the_user_may_not_and_suggest_what_they_may() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path, _) = book_with_demo(dir.path(), 0);
    b.set_backup_passphrase(&admin(&b), BACKUP_PASS).unwrap();
    drop(b);
    let managed = dir.path().join("it-managed");
    std::fs::create_dir(&managed).unwrap();
    let policy = dir.path().join("policies.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "policies": { "BackupDirectory": managed, "BackupKeep": { "daily": 2, "weekly": 0, "monthly": 0 }, "BackupSchedul": "01:00" },
            "recommended": { "BackupMaxAgeHours": 24, "LogLevel": "debug" },
        })
        .to_string(),
    )
    .unwrap();
    let logs = dir.path().join("logs");
    let with_policy = |args: &[&str]| {
        let mut c = cli(&path);
        c.args(args).env("BANYAN_POLICY_FILE", &policy).env("BANYAN_LOG_DIR", &logs).env_remove("BANYAN_LOG");
        c.output().unwrap()
    };
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = with_policy(&all);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let s = json(&["backup", "list"])["settings"].clone();
    assert_eq!(s["folder"], managed.display().to_string());
    assert_eq!(s["managed"], serde_json::json!(["BackupDirectory", "BackupKeep"]));
    assert_eq!(s["maxAgeHours"], 24, "the recommended age until the user sets one");
    let refused = with_policy(&["--json", "backup", "folder", dir.path().to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let e: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(e["error"]["field"], "folder", "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("BackupDirectory"), "{e}");
    assert_eq!(json(&["backup", "max-age", "6"])["maxAgeHours"], 6, "the user's own age wins over a recommendation");
    let made = json(&["backup", "now"]);
    assert!(Path::new(made["file"].as_str().unwrap()).starts_with(&managed), "{made}");

    let shown = json(&["policy", "show"]);
    assert_eq!(shown["mandatory"]["BackupDirectory"], managed.display().to_string());
    assert!(shown["problems"][0].as_str().unwrap().contains("did you mean BackupSchedule?"), "{shown}");
    let checked = with_policy(&["policy", "check", policy.to_str().unwrap()]);
    assert_eq!(checked.status.code(), Some(2), "a file with a problem fails its check");
    let zip_path = dir.path().join("diag.zip");
    json(&["diagnostics", "--out", zip_path.to_str().unwrap()]);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut z.by_name("settings.json").unwrap(), &mut text).unwrap();
    let settings: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(settings["backupFolder"]["source"], "policy");
    assert_eq!(settings["backupMaxAgeHours"]["source"], "user");
    assert_eq!(settings["backupSchedule"]["source"], "default");
    assert_eq!(settings["logLevel"], serde_json::json!({ "value": "debug", "source": "recommended" }));
    assert!(settings["policyErrors"][0].as_str().unwrap().contains("BackupSchedul"), "{settings}");
    let log: String =
        std::fs::read_dir(&logs).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert!(log.contains("policy ignored") && log.contains("BackupSchedul"), "the problem logged: {log}");
}
