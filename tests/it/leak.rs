//! Leak scan: customer data never appears in clear in anything Banyan writes to disk.

use crate::common::*;
use banyan::api::Banyan;
use banyan::model::{CustomerInput, LineInput, OrderInput, ProductInput};
use banyan::security::Unlock;
use banyan::store::{Store, migrate::Migration};
use std::path::Path;

const NAMES: &[&str] = &["欧阳娜娜", "Bartholomew Quackenbush", "Zoë Müller-Lüdenscheidt"];
const PHONES: &[&str] = &["+8613912345678", "13912345678", "+4930901820"];
const EMAILS: &[&str] = &["secret.person@example.org", "ouyang.nana@163.com"];
const NOTE: &str = "Prefers WeChat, contract value 机密合同";

fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for s in NAMES.iter().chain(PHONES).chain(EMAILS).chain([&NOTE]) {
        out.push((format!("utf8 {s}"), s.as_bytes().to_vec()));
        let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        out.push((format!("utf16le {s}"), le));
        out.push((format!("utf16be {s}"), be));
    }
    out
}

/// Every file under `dir` (database, -wal, -shm, key file, snapshots, backups, anything else).
fn scan(dir: &Path, stage: &str) -> usize {
    let needles = needles();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        for (what, n) in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_slice()),
                "{stage}: {what} found in clear in {}",
                path.display()
            );
        }
    }
    files
}

#[test]
fn no_customer_data_in_clear_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (b, path) = new_book(dir.path());
    for (i, name) in NAMES.iter().enumerate() {
        let c = b
            .add_customer(
                &admin(&b),
                &CustomerInput {
                    kind: Some("person".into()),
                    name: Some(name.to_string()),
                    phones: vec![PHONES[i].to_string()],
                    emails: vec![EMAILS[i % EMAILS.len()].to_string()],
                    notes: Some(NOTE.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        b.add_product(
            &admin(&b),
            &ProductInput {
                sku: Some(format!("SKU-{i}")),
                name: Some(format!("Product {i}")),
                price: Some("10".into()),
                ..Default::default()
            },
        )
        .unwrap();
        b.create_order(
            &admin(&b),
            &OrderInput {
                customer_id: c.id.to_string(),
                lines: vec![LineInput { sku: format!("SKU-{i}"), quantity: "2".into(), discount: None }],
                notes: Some(NOTE.into()),
            },
        )
        .unwrap();
    }
    // While the book is open, the WAL and shared-memory files hold the recent writes.
    assert!(scan(dir.path(), "open") >= 3, "expected database, WAL, shm and key file");
    b.store().backup_to(&dir.path().join("backup.db")).unwrap();
    let who = admin(&b);
    // A backup as users make it (file and manifest, in a folder beside the book) and its
    // settings file.
    let backups = dir.path().join("backups");
    let made = b.backup_now(&who, Some(dir.path()), Some("leak test backup passphrase")).unwrap();
    assert!(std::path::Path::new(&made.file).exists() && std::path::Path::new(&made.manifest).exists());
    assert!(!backups.exists());
    scan(dir.path(), "after backup");
    drop(b);
    scan(dir.path(), "closed");

    // An upgrade takes a pre-migration snapshot; it must be encrypted too.
    let mut migrations = banyan::store::migrate::MIGRATIONS.to_vec();
    migrations.push(Migration {
        version: banyan::store::migrate::LATEST + 1,
        name: "test_add_column",
        sql: "ALTER TABLE customers ADD COLUMN rating INTEGER;",
        then: None,
    });
    let s = Store::open_with_migrations(&path, &Unlock::passphrase(PASS), fast(), &migrations).unwrap();
    let snapshot = s.migration_snapshot().expect("snapshot taken").to_owned();
    assert!(snapshot.exists());
    drop(s);
    scan(dir.path(), "after migration");

    // The data is really there: the scan is not passing because nothing was written.
    let b = Banyan::open(&opts(&snapshot), &Unlock::Raw(key_of(&path))).unwrap();
    let names: Vec<String> = b.customers(&who, &Default::default()).unwrap().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&NAMES[0].to_string()), "{names:?}");
}

/// The raw key, unwrapped from the key file (the snapshot has no key file of its own).
fn key_of(db: &Path) -> banyan::security::DbKey {
    let ks = banyan::security::KeyStore::for_db(db);
    ks.unlock(Some(PASS)).unwrap().0
}

/// Every file under `dir`, in subfolders too.
fn scan_tree(dir: &Path, stage: &str) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += scan_tree(&path, stage);
        } else {
            files += scan_bytes(&std::fs::read(&path).unwrap(), &format!("{stage}: {}", path.display()));
        }
    }
    files
}

fn scan_bytes(bytes: &[u8], what_file: &str) -> usize {
    for (what, n) in needles() {
        assert!(!bytes.windows(n.len()).any(|w| w == n.as_slice()), "{what} found in clear in {what_file}");
    }
    1
}

/// The log, backups, their manifests and the diagnostics zip, after a day's work by the CLI with
/// everything that tends to end up in logs elsewhere: records with names, phones, e-mails and
/// notes; a rejected e-mail; a search; an import of a file named after a customer with bad rows,
/// and one that cannot be read at all; sign-ins with a wrong password (and a customer's e-mail
/// typed as the login); a panic whose message quotes a customer.
#[test]
fn no_customer_data_in_logs_backups_or_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let db = dir.path().join("book.db");
    let cli = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_banyan"));
        c.arg("--db")
            .arg(&db)
            .args(args)
            .env("BANYAN_LOG_DIR", &logs)
            .env("BANYAN_LOG", "trace")
            .env("BANYAN_PASSPHRASE", PASS)
            .env("BANYAN_USER", "it.admin")
            .env("BANYAN_PASSWORD", "Admin password 2026")
            .env("BANYAN_BACKUP_PASSPHRASE", "leak test backup passphrase")
            .env_remove("BANYAN_TOTP");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let ok = |out: std::process::Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out
    };
    ok(cli(&["init"], &[]));
    ok(cli(
        &["user", "add", "it.admin", "--name", "IT Admin", "--role", "admin"],
        &[("BANYAN_NEW_PASSWORD", "Admin password 2026")],
    ));
    for (i, name) in NAMES.iter().enumerate() {
        ok(cli(
            &[
                "customer",
                "add",
                "--kind",
                "person",
                "--name",
                name,
                "--phone",
                PHONES[i],
                "--email",
                EMAILS[i % EMAILS.len()],
                "--notes",
                NOTE,
            ],
            &[],
        ));
    }
    // Refused: the message quotes the address; the log must not.
    let bad = format!("{}@@", EMAILS[0]);
    let out = cli(&["customer", "add", "--kind", "person", "--name", NAMES[1], "--email", &bad], &[]);
    assert_eq!(out.status.code(), Some(2));
    ok(cli(&["customer", "search", NAMES[0]], &[]));
    // An import named after a customer, with rows that fail, and a file that is not what it says.
    let file = dir.path().join(format!("{}.csv", NAMES[0]));
    std::fs::write(
        &file,
        format!("Name,Phone,Email\n{},{},{}\n{},not a phone,bad@@\n", NAMES[2], PHONES[2], EMAILS[1], NAMES[1]),
    )
    .unwrap();
    let out = cli(&["import", file.to_str().unwrap(), "--rejects", dir.path().join("rejects").to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let broken = dir.path().join(format!("{}.xlsx", NAMES[1]));
    std::fs::write(&broken, format!("PK\u{3}\u{4} {} {}", NAMES[1], NOTE)).unwrap();
    assert!(!cli(&["import", broken.to_str().unwrap()], &[]).status.success());
    // Wrong passwords, one with a customer's e-mail as the login and a name as the password.
    assert_eq!(cli(&["customer", "list"], &[("BANYAN_PASSWORD", "wrong")]).status.code(), Some(4));
    let out = cli(&["customer", "list"], &[("BANYAN_USER", EMAILS[0]), ("BANYAN_PASSWORD", NAMES[2])]);
    assert_eq!(out.status.code(), Some(4));
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    ok(cli(&["backup", "now", "--to", backups.to_str().unwrap()], &[]));
    // A panic quoting customers, in a process logging as the desktop does.
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["leak::panic_quoting_a_customer", "--exact", "--nocapture", "--test-threads=1"])
        .env("BANYAN_LEAK_PANIC_LOGS", &logs)
        .output()
        .unwrap();
    assert!(!child.status.success(), "the child panicked");
    assert!(String::from_utf8_lossy(&child.stderr).contains(NAMES[1]), "the panic did quote a customer");
    let zip_path = dir.path().join("diagnostics.zip");
    ok(cli(&["diagnostics", "--out", zip_path.to_str().unwrap()], &[]));

    // The log is there and says what happened, in events of its own.
    let log: String =
        std::fs::read_dir(&logs).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    for said in [
        "\"command\":\"customer add\"",
        "\"code\":\"invalid\"",
        "\"msg_id\":\"error-email\"",
        "\"code\":\"sign-in-failed\"",
        "\"message\":\"import finished\"",
        "\"code\":\"bad-file\"",
        "\"message\":\"backup made\"",
        "\"message\":\"panic\"",
        "leak.rs:",
    ] {
        assert!(log.contains(said), "the log says {said}:\n{log}");
    }
    assert!(scan_tree(&logs, "log") >= 2, "the CLI's and the panicking program's logs");
    assert_eq!(scan_tree(&backups, "backups"), 2, "a backup and its manifest");
    // The diagnostics, unzipped: every entry, the log among them.
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        scan_bytes(&bytes, &format!("diagnostics {name}"));
        names.push(name);
    }
    assert!(names.iter().any(|n| n.starts_with("logs/cli.")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("logs/desktop.")), "{names:?}");
}

/// Not a test on its own: the child process of the one above, which sets `BANYAN_LEAK_PANIC_LOGS`.
/// It logs as the desktop does and panics with customers in the message.
#[test]
fn panic_quoting_a_customer() {
    let Some(logs) = std::env::var_os("BANYAN_LEAK_PANIC_LOGS") else { return };
    let opts = banyan::logging::LogOptions {
        dir: logs.into(),
        program: "desktop",
        level: tracing::Level::TRACE,
        max_total_bytes: banyan::logging::MAX_TOTAL_BYTES,
    };
    banyan::logging::init(&opts).unwrap();
    panic!("customer {} broke on {:?} ({})", NAMES[1], NAMES[0], EMAILS[0]);
}
