//! The OS keyring path against a real Secret Service (gnome-keyring in a private D-Bus session),
//! through the CLI exactly as IT would script it.

use std::process::Command;

#[test]
fn keyring_mode_keeps_the_key_in_the_secret_service_and_nowhere_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = dir.path().join("run");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&run).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let db = dir.path().join("k.db");
    let bin = env!("CARGO_BIN_EXE_banyan");
    let script = format!(
        "echo unlock | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && \
         {bin} --db {db} init && \
         BANYAN_NEW_PASSWORD='Keyring admin 2026' {bin} --db {db} user add admin --name Admin --role admin && \
         {bin} --db {db} --json customer add --name 钥匙串测试 --kind company && \
         {bin} --db {db} --json customer list",
        db = db.display()
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("HOME", &home)
        .env("XDG_RUNTIME_DIR", &run)
        .env_remove("BANYAN_PASSPHRASE")
        .env("BANYAN_USER", "admin")
        .env("BANYAN_PASSWORD", "Keyring admin 2026")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
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
