//! The OS keyring path against a real Secret Service (gnome-keyring in a private D-Bus session),
//! through the CLI exactly as IT would script it.

use std::process::Command;

/// A private D-Bus session's shell command, its home and runtime folders under `dir`: the keyring
/// (gnome-keyring's Secret Service) lives as long as the session.
fn secret_service_session(dir: &std::path::Path, script: &str) -> Command {
    let (home, run) = (dir.join("home"), dir.join("run"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&run).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let mut c = Command::new("dbus-run-session");
    c.args([
        "--",
        "sh",
        "-c",
        &format!("echo unlock | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null\n{script}"),
    ])
    .env("HOME", &home)
    .env("XDG_RUNTIME_DIR", &run)
    .env("LANG", "en_US.UTF-8")
    .env_remove("LC_ALL")
    .env_remove("BANYAN_PASSPHRASE")
    .env_remove("DBUS_SESSION_BUS_ADDRESS");
    c
}

#[test]
fn keyring_mode_keeps_the_key_in_the_secret_service_and_nowhere_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let db = dir.path().join("k.db");
    let bin = env!("CARGO_BIN_EXE_banyan");
    let script = format!(
        "{bin} --db {db} init && \
         BANYAN_NEW_PASSWORD='Keyring admin 2026' {bin} --db {db} user add admin --name Admin --role admin && \
         {bin} --db {db} --json customer add --name 钥匙串测试 --kind company && \
         {bin} --db {db} --json customer list",
        db = db.display()
    );
    let out = secret_service_session(dir.path(), &script)
        .env("BANYAN_USER", "admin")
        .env("BANYAN_PASSWORD", "Keyring admin 2026")
        .output()
        .expect("dbus-run-session and gnome-keyring are installed by `cargo xtask test`");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("钥匙串测试"), "{stdout}");
    let key_file = std::fs::read_to_string(dir.path().join("k.db.key.json")).unwrap();
    assert!(key_file.contains("\"keyring\"") && !key_file.contains("wrapped"), "{key_file}");

    // Outside that session the keyring entry is not reachable: the book does not open, and says why.
    let out = Command::new(bin)
        .args(["--db", &db.display().to_string(), "customer", "list"])
        .env("HOME", &home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("BANYAN_PASSPHRASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("keyring"), "{stderr}");
}

/// IT's mandatory `KeyMode: passphrase` over a book whose key is in the keyring: it does not open
/// until its user chooses a passphrase; then the key is behind it and gone from the keyring, and
/// new books and key changes into the keyring are refused, naming the policy.
#[test]
fn a_passphrase_policy_moves_a_keyring_book_behind_the_passphrase_its_user_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let (db, other) = (dir.path().join("k.db"), dir.path().join("second.db"));
    let policy = dir.path().join("policies.json");
    std::fs::write(&policy, r#"{"policies": {"KeyMode": "passphrase"}}"#).unwrap();
    let bin = env!("CARGO_BIN_EXE_banyan");
    // Each line's exit code and output, so one session can go through every step.
    let script = format!(
        "step() {{ echo \"== $1\"; shift; \"$@\" 2>&1; echo \"exit $?\"; }}
         step made {bin} --db {db} init
         BANYAN_NEW_PASSWORD='Keyring admin 2026' {bin} --db {db} user add admin --name Admin --role admin >/dev/null
         {bin} --db {db} customer add --name 钥匙串口令 --kind company >/dev/null
         export BANYAN_POLICY_FILE={policy}
         step no-passphrase {bin} --db {db} customer list
         step short env BANYAN_PASSPHRASE=short {bin} --db {db} customer list
         step chosen env BANYAN_PASSPHRASE='chosen passphrase 2026' {bin} --db {db} customer list
         step keyring-gone {bin} --db {db} customer list
         step again env BANYAN_PASSPHRASE='chosen passphrase 2026' {bin} --db {db} customer list
         step rekey-keyring env BANYAN_PASSPHRASE='chosen passphrase 2026' {bin} --db {db} rekey --to keyring
         step new-keyring {bin} --db {other} init --key-mode keyring
         step new-default {bin} --db {other} init",
        db = db.display(),
        other = other.display(),
        policy = policy.display(),
    );
    let out = secret_service_session(dir.path(), &script)
        .env("BANYAN_USER", "admin")
        .env("BANYAN_PASSWORD", "Keyring admin 2026")
        .output()
        .expect("dbus-run-session and gnome-keyring are installed by `cargo xtask test`");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let step = |name: &str| -> (String, i32) {
        let start = said.find(&format!("== {name}\n")).unwrap_or_else(|| panic!("no step {name}: {said}"));
        let body = &said[start + name.len() + 4..];
        let end = body.find("\nexit ").unwrap();
        let code = body[end + 6..].lines().next().unwrap().trim().parse().unwrap();
        (body[..end].to_string(), code)
    };
    assert_eq!(step("made").1, 0, "{said}");
    let (text, code) = step("no-passphrase");
    assert_eq!(code, 2, "{said}");
    assert!(text.contains("requires a passphrase for this customer book (policy KeyMode)"), "{text}");
    let (text, code) = step("short");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("at least 8 characters"), "{text}");
    let (text, code) = step("chosen");
    assert_eq!(code, 0, "{said}");
    assert!(text.contains("钥匙串口令"), "{text}");
    let key_file = std::fs::read_to_string(dir.path().join("k.db.key.json")).unwrap();
    assert!(key_file.contains("\"passphrase\"") && key_file.contains("wrapped"), "{key_file}");
    // Without the passphrase it no longer opens (the keyring gave its key up), with it it does.
    let (text, code) = step("keyring-gone");
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("passphrase"), "{text}");
    let (text, code) = step("again");
    assert!(code == 0 && text.contains("钥匙串口令"), "{text}");
    let (text, code) = step("rekey-keyring");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("policy KeyMode"), "{text}");
    let (text, code) = step("new-keyring");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("requires a passphrase for customer books on this computer"), "{text}");
    assert!(!other.exists(), "a refused book was made");
    // No flag: the policy's mode is the default, which needs a passphrase.
    let (text, code) = step("new-default");
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("BANYAN_PASSPHRASE"), "{text}");
    assert!(!other.exists(), "a book without its passphrase was made");
}
