//! The `banyan` CLI as IT scripts it: names, flags, JSON output, exit codes, languages.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PASS: &str = "cli passphrase";
/// The book's first admin, whom every command signs in as.
const ADMIN: &str = "it.admin";
const ADMIN_PW: &str = "Admin password 2026";

struct Cli {
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cli = Cli { db: dir.path().join("cli.db"), _dir: dir };
        let out = cli.run(&["init"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = cli
            .cmd(&["user", "add", ADMIN, "--name", "IT Admin", "--role", "admin"])
            .env("BANYAN_NEW_PASSWORD", ADMIN_PW)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        cli
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
        c.arg("--db")
            .arg(&self.db)
            .args(args)
            .env("BANYAN_PASSPHRASE", PASS)
            .env("BANYAN_USER", ADMIN)
            .env("BANYAN_PASSWORD", ADMIN_PW)
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("BANYAN_TOTP")
            .env_remove("BANYAN_NEW_PASSWORD");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn a_customer_and_an_order_end_to_end() {
    let cli = Cli::new();
    let c = cli.json(&[
        "customer",
        "add",
        "--name",
        "上海鼎盛贸易有限公司",
        "--kind",
        "company",
        "--phone",
        "021 6288 1234",
        "--phone",
        "13812345678",
        "--email",
        "Sales@DingSheng.cn",
        "--city",
        "上海",
        "--tag",
        "VIP",
        "--tag",
        "华东",
    ]);
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["phones"], serde_json::json!(["+862162881234", "+8613812345678"]));
    assert_eq!(c["emails"], serde_json::json!(["sales@dingsheng.cn"]));
    let got = cli.json(&["customer", "get", &id]);
    assert_eq!(got["customer"]["name"], "上海鼎盛贸易有限公司");
    let updated = cli.json(&["customer", "update", &id, "--city", "苏州", "--clear-tags"]);
    assert_eq!(updated["city"], "苏州");
    assert_eq!(updated["tags"], serde_json::json!([]));
    cli.json(&[
        "contact",
        "add",
        "--customer",
        &id,
        "--name",
        "刘经理",
        "--title",
        "采购经理",
        "--phone",
        "13900001111",
    ]);
    cli.json(&[
        "activity",
        "add",
        "--customer",
        &id,
        "--kind",
        "visit",
        "--at",
        "2026-11-20 14:30",
        "--text",
        "上门演示",
    ]);

    cli.json(&[
        "product",
        "add",
        "--sku",
        "TEA-01",
        "--name",
        "龙井",
        "--price",
        "19.99",
        "--currency",
        "CNY",
        "--tax",
        "13",
    ]);
    cli.json(&["product", "add", "--sku", "SVC", "--name", "Installation", "--price", "300", "--tax", "6"]);
    let products = cli.json(&["product", "list"]);
    assert_eq!(products.as_array().unwrap().len(), 2);
    let o = cli.json(&["order", "create", "--customer", &id, "--line", "TEA-01:3:10", "--line", "SVC:1"]);
    assert_eq!(o["totals"]["total"], 37899);
    let number = o["number"].as_str().unwrap().to_string();
    for s in ["confirmed", "fulfilled", "paid"] {
        assert_eq!(cli.json(&["order", "status", &number, s])["status"], s);
    }
    let listed = cli.json(&["order", "list", "--status", "paid"]);
    assert_eq!(listed[0]["number"], number.as_str());
    let record = cli.json(&["customer", "get", &id]);
    assert_eq!(record["contacts"][0]["name"], "刘经理");
    assert_eq!(record["activities"][0]["occurredAt"], "2026-11-20T14:30");
    assert_eq!(record["orders"][0]["number"], number.as_str());

    // Human output shows the order with its totals.
    let out = cli.run(&["order", "get", &number]);
    let shown = text(&out.stdout);
    assert!(shown.contains("CNY 378.99") && shown.contains("Paid"), "{shown}");

    cli.json(&["customer", "delete", &id]);
    assert_eq!(cli.json(&["customer", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(cli.json(&["customer", "list", "--include-deleted"]).as_array().unwrap().len(), 1);
}

#[test]
fn errors_are_json_with_code_and_field_and_exit_non_zero() {
    let cli = Cli::new();
    let out = cli.run(&["--json", "customer", "add", "--name", "Bob", "--kind", "person", "--email", "bob@"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid");
    assert_eq!(v["error"]["field"], "emails[0]");
    let out = cli.run(&["--json", "order", "create", "--customer", "x", "--line", "nonsense"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["field"], "lines[0]");
    let out = cli.run(&["--json", "order", "get", "NOPE-1"]);
    assert_eq!(out.status.code(), Some(3));
    let out = cli.run(&["--lang", "fr-FR", "check"]);
    assert!(!out.status.success());
}

#[test]
fn messages_follow_lang_and_sqlcipher_noise_is_silenced() {
    let cli = Cli::new();
    let out = cli.run(&["--lang", "zh-CN", "customer", "add", "--name", "王五", "--kind", "person", "--phone", "123"]);
    let err = text(&out.stderr);
    assert!(err.contains("错误：电话 1：“123”不是有效的电话号码"), "{err}");
    let out = cli.cmd(&["customer", "list"]).env("BANYAN_PASSPHRASE", "wrong").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert_eq!(err.trim(), "Error: Wrong passphrase. The database was not opened and nothing was changed.");
    let out = cli.cmd(&["customer", "list"]).env_remove("BANYAN_PASSPHRASE").output().unwrap();
    assert!(text(&out.stderr).contains("BANYAN_PASSPHRASE"), "{}", text(&out.stderr));
}

fn with_stdin(mut c: Command, input: &str) -> Output {
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn passphrase_from_stdin_and_rekey() {
    let cli = Cli::new();
    cli.json(&["customer", "add", "--name", "Zoë Müller", "--kind", "person"]);
    let mut c = cli.cmd(&["--passphrase-stdin", "--json", "customer", "list"]);
    c.env_remove("BANYAN_PASSPHRASE");
    let out = with_stdin(c, &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Zoë Müller"));

    // Change the passphrase (and the key): the old one stops working, the new one opens the data.
    let mut c = cli.cmd(&["--passphrase-stdin", "rekey", "--new-key"]);
    c.env_remove("BANYAN_PASSPHRASE");
    let out = with_stdin(c, &format!("{PASS}\nbrand new passphrase\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!cli.run(&["customer", "list"]).status.success());
    let out =
        cli.cmd(&["--json", "customer", "list"]).env("BANYAN_PASSPHRASE", "brand new passphrase").output().unwrap();
    assert!(text(&out.stdout).contains("Zoë Müller"));
    let out = cli.cmd(&["check"]).env("BANYAN_PASSPHRASE", "brand new passphrase").output().unwrap();
    assert!(out.status.success() && text(&out.stdout).contains("sound"), "{}", text(&out.stdout));
}

#[test]
fn demo_fills_a_realistic_book() {
    let cli = Cli::new();
    let d = cli.json(&["demo", "--customers", "120"]);
    assert_eq!(d["customers"], 120);
    assert!(d["orders"].as_u64().unwrap() >= 50);
    let list = cli.json(&["customer", "list"]);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 120);
    let chinese = names.iter().filter(|n| n.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))).count();
    assert!(chinese > 50 && chinese < 110, "a mixed book: {chinese} of 120 Chinese");
    let orders = cli.json(&["order", "list"]);
    let statuses: std::collections::BTreeSet<&str> =
        orders.as_array().unwrap().iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 5, "orders in every status: {statuses:?}");
    assert!(cli.run(&["check"]).status.success());
    // Where the bytes go: every table with its rows, the file's size, in the user's language.
    let space = cli.json(&["space"]);
    let objects = space["objects"].as_array().unwrap();
    let entries = |name: &str| objects.iter().find(|o| o["name"] == name).map(|o| o["entries"].as_u64().unwrap());
    assert_eq!(entries("customers"), Some(120));
    assert_eq!(entries("search_docs"), Some(120));
    assert!(entries("match_keys").unwrap() > 120, "{space}");
    let used: u64 = objects.iter().map(|o| o["bytes"].as_u64().unwrap()).sum();
    assert!(used > 0 && used <= space["fileBytes"].as_u64().unwrap(), "{space}");
    let out = cli.run(&["--lang", "zh-CN", "space"]);
    assert!(text(&out.stdout).contains("数据库文件共"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("customers"), "{}", text(&out.stdout));
}

#[test]
fn init_refuses_to_overwrite() {
    let cli = Cli::new();
    let out = cli.run(&["init"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("already exists"));
    assert!(Path::new(&cli.db).exists());
}

#[test]
fn import_export_undo_and_duplicates_from_the_command_line() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/bad-rows.csv");
    let rejects = dir.path().join("rejects.csv");
    let r = cli.json(&["import", fixture.to_str().unwrap(), "--rejects", rejects.to_str().unwrap()]);
    // The row without a name is refused; the bad phone and the bad email are left out of rows
    // imported all the same, and reported.
    assert_eq!(r["counts"]["created"], 4);
    assert_eq!(r["counts"]["failed"], 1);
    assert_eq!(r["issues"][0]["row"], 3);
    assert_eq!(r["issues"].as_array().unwrap().len(), 3);
    assert!(text(&std::fs::read(&rejects).unwrap()).contains("13800138003"));
    let batch = r["batchId"].as_str().unwrap().to_string();
    // Human output in Chinese names the row and the column.
    let out = cli.run(&[
        "--lang",
        "zh-CN",
        "import",
        fixture.to_str().unwrap(),
        "--dry-run",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    let said = text(&out.stdout);
    assert!(said.contains("未写入任何数据") && said.contains("第 4 行，手机"), "{said}");
    let out = dir.path().join("all.xlsx");
    let e = cli.json(&["export", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert_eq!(e["exported"], 4);
    assert!(out.exists());
    let u = cli.json(&["import", "undo", &batch]);
    assert_eq!(u["removed"], 4);
    assert_eq!(cli.json(&["customer", "list"]).as_array().unwrap().len(), 0);
    let journal = cli.json(&["imports"]);
    assert_eq!(journal[0]["status"], "undone");
    let bad = cli.run(&["export", "--format", "pdf", "--out", "x.pdf"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("not an export format"));
}

/// A kill -9 in the middle of an import leaves a sound book; the next open takes the import back
/// and the journal says it was interrupted.
#[test]
fn an_import_killed_midway_leaves_a_sound_book_and_is_taken_back_at_the_next_open() {
    let cli = Cli::new();
    cli.json(&["customer", "add", "--name", "Before The Import", "--kind", "person"]);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    writeln!(f, "name,phone,city").unwrap();
    for i in 0..60_000 {
        writeln!(f, "Killed Import {i},+86 139 {:04} {:04},Xiamen", i / 10_000, i % 10_000).unwrap();
    }
    drop(f);
    let mut child =
        cli.cmd(&["import", big.to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // Wait until at least one chunk is committed, then kill the importer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let n = cli.json(&["customer", "list", "--limit", "5000"]).as_array().unwrap().len();
        if n > 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the import never committed a chunk");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let check = cli.run(&["check"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    // The next open (here: `banyan check`) took the dead import's committed chunks back and the
    // journal says it was interrupted; there is nothing left to undo.
    let journal = cli.json(&["imports"]);
    assert_eq!(journal[0]["status"], "interrupted", "the journal shows the import did not finish");
    let batch = journal[0]["id"].as_str().unwrap().to_string();
    let undo = cli.run(&["import", "undo", &batch]);
    assert!(!undo.status.success(), "an interrupted import is already taken back");
    let left = cli.json(&["customer", "list"]);
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["name"], "Before The Import");
}

/// A book made by an older version is migrated as the CLI opens it, saying how far it has got
/// (on stderr, so scripts reading stdout are not disturbed), in the user's language.
#[test]
fn opening_an_older_book_shows_the_migration_progress() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/books/v5");
    for (lang, expected) in
        [("en_US.UTF-8", "Updating the book to this version"), ("zh_CN.UTF-8", "正在将客户库升级到此版本")]
    {
        let dir = tempfile::tempdir().unwrap();
        for f in ["book.db", "book.db.key.json"] {
            std::fs::copy(fixture.join(f), dir.path().join(f)).unwrap();
        }
        let banyan = |args: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
            c.arg("--db")
                .arg(dir.path().join("book.db"))
                .args(args)
                .env("BANYAN_PASSPHRASE", "correct horse battery staple")
                .env("BANYAN_USER", ADMIN)
                .env("BANYAN_PASSWORD", ADMIN_PW)
                .env("BANYAN_NEW_PASSWORD", ADMIN_PW)
                .env("LANG", lang)
                .env_remove("LC_ALL");
            c.output().unwrap()
        };
        let list = || banyan(&["customer", "list"]);
        // The book from before users has none: its first open asks for the first admin (and is
        // migrated meanwhile), then lists its customers to them.
        let refused = list();
        assert_eq!(refused.status.code(), Some(4), "{}", String::from_utf8_lossy(&refused.stderr));
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("user add"),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
        let made = banyan(&["user", "add", ADMIN, "--name", "IT Admin", "--role", "admin"]);
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        assert!(!String::from_utf8_lossy(&made.stderr).contains(expected), "migrated by the first open already");
        let (stdout, stderr) = (String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
        assert!(stderr.contains(expected), "{stderr}");
        // Each stage's last report is its whole work ("N of N": every history entry migrated,
        // then chained for the audit trail, then its transactions signed, then every customer
        // indexed), each stage ends its line once, and the customers are listed after it.
        let progress = stderr.trim_end().rsplit_once('\n').map(|(p, _error)| p).unwrap_or_default();
        let lines: Vec<&str> = progress.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 4, "{stderr}");
        assert!(lines[..3].iter().all(|l| l.contains(expected)), "{stderr}");
        for line in lines {
            let last = line.rsplit('\r').next().unwrap();
            let numbers: Vec<&str> = last.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
            assert!(numbers.len() >= 2 && numbers[numbers.len() - 1] == numbers[numbers.len() - 2], "{last}");
            assert_ne!(numbers[numbers.len() - 1], "0", "{last}");
        }
        assert!(stdout.is_empty(), "{stdout}");
        // Opened again, there is nothing left to migrate and nothing is said.
        let again = list();
        assert!(again.status.success());
        assert!(!String::from_utf8_lossy(&again.stderr).contains(expected));
        assert!(
            String::from_utf8_lossy(&again.stdout).contains("Müller"),
            "{}",
            String::from_utf8_lossy(&again.stdout)
        );
    }
}

/// An authenticator code for a base32 secret now.
fn totp_now(base32: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(base32).unwrap().as_bytes().to_vec();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    banyan::security::totp::code_at(&secret, now).unwrap()
}

#[test]
fn every_command_acts_as_a_signed_in_user_and_users_are_managed_from_the_command_line() {
    // A new book knows nobody: everything but making the first admin is refused, and says how.
    let dir = tempfile::tempdir().unwrap();
    let bare = Cli { db: dir.path().join("bare.db"), _dir: dir };
    assert!(bare.run(&["init"]).status.success());
    let out = bare.run(&["--json", "customer", "list"]);
    assert_eq!(out.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "no-users");
    let out = bare
        .cmd(&["user", "add", "rep", "--name", "Rep", "--role", "sales"])
        .env("BANYAN_NEW_PASSWORD", ADMIN_PW)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the first user must be an admin: {}", text(&out.stderr));
    // The password may come on standard input.
    let c = bare.cmd(&["user", "add", ADMIN, "--name", "IT Admin", "--role", "admin"]);
    let out = with_stdin(c, &format!("{ADMIN_PW}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));

    let cli = Cli::new();
    let out = cli.cmd(&["--json", "customer", "list"]).env_remove("BANYAN_USER").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["code"], "sign-in-required");
    let out =
        cli.cmd(&["--lang", "zh-CN", "customer", "list"]).env("BANYAN_PASSWORD", "wrong wrong wrong").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("登录名、密码或验证码错误"), "{}", text(&out.stderr));

    let rep_pw = "Rep password 2026";
    let added = cli.cmd(&["--json", "user", "add", "li.na", "--name", "李娜", "--role", "sales", "--team", "East"]);
    let out = with_stdin(added, &format!("{rep_pw}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let u: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (u["login"].as_str(), u["team"].as_str(), u["status"].as_str()),
        (Some("li.na"), Some("East"), Some("active"))
    );
    let as_rep =
        |args: &[&str]| cli.cmd(args).env("BANYAN_USER", "li.na").env("BANYAN_PASSWORD", rep_pw).output().unwrap();
    assert!(as_rep(&["customer", "add", "--name", "Rep's customer", "--kind", "person"]).status.success());
    let out = as_rep(&["--json", "user", "list"]);
    assert_eq!(out.status.code(), Some(5), "only admins manage users");
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["code"], "forbidden");
    let users = cli.json(&["user", "list"]);
    let logins: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["login"].as_str().unwrap()).collect();
    assert_eq!(logins, [ADMIN, "li.na"]);
    let out = cli.run(&["user", "list"]);
    assert!(text(&out.stdout).contains("李娜") && text(&out.stdout).contains("East"), "{}", text(&out.stdout));

    // Five wrong passwords lock her out, across processes, until an admin unlocks.
    for i in 0..5 {
        let out = cli
            .cmd(&["--json", "customer", "list"])
            .env("BANYAN_USER", "li.na")
            .env("BANYAN_PASSWORD", "guessing-away")
            .output()
            .unwrap();
        let code = serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["code"].clone();
        assert_eq!(code, if i < 4 { "sign-in-failed" } else { "locked" }, "attempt {}", i + 1);
    }
    let out = as_rep(&["customer", "list"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("locked"), "{}", text(&out.stderr));
    assert!(cli.run(&["user", "unlock", "li.na"]).status.success());
    assert!(as_rep(&["customer", "list"]).status.success());

    // Disabled, she cannot sign in; enabled again, she can.
    assert!(cli.run(&["user", "disable", "li.na"]).status.success());
    assert_eq!(as_rep(&["customer", "list"]).status.code(), Some(4));
    assert!(cli.run(&["user", "enable", "li.na"]).status.success());

    // She changes her password herself (the new one from BANYAN_NEW_PASSWORD).
    let new_pw = "Brand new rep pw 9";
    let out = cli
        .cmd(&["user", "passwd"])
        .env("BANYAN_USER", "li.na")
        .env("BANYAN_PASSWORD", rep_pw)
        .env("BANYAN_NEW_PASSWORD", new_pw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(as_rep(&["customer", "list"]).status.code(), Some(4));
    let as_rep =
        |args: &[&str]| cli.cmd(args).env("BANYAN_USER", "li.na").env("BANYAN_PASSWORD", new_pw).output().unwrap();

    // She turns the authenticator on: enrol, confirm with a code, then every command needs one.
    let qr = cli.db.with_extension("qr.svg");
    let out = as_rep(&["--json", "mfa", "enroll", "--qr", qr.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    let secret = e["secretBase32"].as_str().unwrap().to_string();
    assert!(std::fs::read_to_string(&qr).unwrap().contains("<svg"));
    let out = as_rep(&["--json", "mfa", "enroll", "--code", &totp_now(&secret)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let codes: Vec<String> = serde_json::from_slice::<Value>(&out.stdout).unwrap()["recoveryCodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    let out = as_rep(&["--json", "customer", "list"]);
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["code"], "mfa-required");
    let with_code = |code: &str| {
        cli.cmd(&["customer", "list"])
            .env("BANYAN_USER", "li.na")
            .env("BANYAN_PASSWORD", new_pw)
            .env("BANYAN_TOTP", code)
            .output()
            .unwrap()
    };
    assert!(with_code(&codes[0]).status.success(), "a recovery code signs in");
    assert_eq!(with_code(&codes[0]).status.code(), Some(4), "once");
    // The admin turns it off for her.
    assert!(cli.run(&["mfa", "disable", "li.na"]).status.success());
    assert!(as_rep(&["customer", "list"]).status.success());

    // Her role comes to require an authenticator: until she sets one up, that is all she may do.
    let out = cli.run(&["role", "require-mfa", "sales"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("authenticator"), "{}", text(&out.stdout));
    assert_eq!(cli.json(&["role", "show", "sales"])["requireMfa"], true);
    let out = as_rep(&["customer", "list"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("banyan mfa enroll"), "{}", text(&out.stderr));
    let out = as_rep(&["--json", "customer", "list"]);
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["code"], "mfa-setup-required");
    let out = as_rep(&["--json", "mfa", "enroll"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let secret = serde_json::from_slice::<Value>(&out.stdout).unwrap()["secretBase32"].as_str().unwrap().to_string();
    let out = as_rep(&["--json", "mfa", "enroll", "--code", &totp_now(&secret)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let codes = serde_json::from_slice::<Value>(&out.stdout).unwrap()["recoveryCodes"].clone();
    assert!(with_code(codes[0].as_str().unwrap()).status.success(), "set up, she works again");
    let out = cli
        .cmd(&["mfa", "disable", "li.na"])
        .env("BANYAN_USER", "li.na")
        .env("BANYAN_PASSWORD", new_pw)
        .env("BANYAN_TOTP", codes[1].as_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "her role keeps it on: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("admin can reset"), "{}", text(&out.stderr));
    assert!(cli.run(&["role", "require-mfa", "sales", "--off"]).status.success());
    assert_eq!(cli.json(&["role", "show", "sales"])["requireMfa"], false);
}

#[test]
fn roles_are_listed_shown_copied_and_granted_from_the_command_line() {
    let cli = Cli::new();
    let roles = cli.json(&["role", "list"]);
    let names: Vec<&str> = roles.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["admin", "manager", "sales", "support"]);
    let out = cli.run(&["role", "show", "support"]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("read, update") && text(&out.stdout).contains("Export cap"),
        "{}",
        text(&out.stdout)
    );

    assert!(cli.run(&["role", "add", "desk-lead", "--from", "support"]).status.success());
    let out =
        cli.run(&["role", "grant", "desk-lead", "customer", "create,export", "--scope", "all", "--export-cap", "500"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("next sign-in"), "{}", text(&out.stdout));
    let r = cli.json(&["role", "show", "desk-lead"]);
    assert_eq!((r["basedOn"].as_str(), r["exportCap"].as_u64()), (Some("support"), Some(500)));
    let grants = r["grants"].as_array().unwrap();
    // Said once per entity and scope: support's read and update, with create and export added.
    let customer: Vec<&Value> = grants.iter().filter(|g| g["entity"] == "customer").collect();
    assert_eq!(customer.len(), 1, "{grants:?}");
    assert_eq!(customer[0]["actions"], serde_json::json!(["read", "create", "update", "export"]));
    assert_eq!(customer[0]["scope"], "all");

    // A user with it may add customers, which support alone may not.
    let pw = "Desk lead password 1";
    let added = cli.cmd(&["user", "add", "lead", "--name", "Desk Lead", "--role", "desk-lead"]);
    assert!(with_stdin(added, &format!("{pw}\n")).status.success());
    let as_lead = |args: &[&str]| cli.cmd(args).env("BANYAN_USER", "lead").env("BANYAN_PASSWORD", pw).output().unwrap();
    assert!(as_lead(&["customer", "add", "--name", "Walk-in", "--kind", "person"]).status.success());
    let out = as_lead(&["--json", "role", "grant", "desk-lead", "settings", "update"]);
    assert_eq!(out.status.code(), Some(5), "a desk lead manages no roles");
    cli.run(&["role", "grant", "desk-lead", "customer", "create", "--revoke"]);
    let out = as_lead(&["--lang", "zh-CN", "customer", "add", "--name", "Walk-in 2", "--kind", "person"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(text(&out.stderr).contains("您无权新建客户"), "{}", text(&out.stderr));

    // Field rules: support hides what orders are worth; the desk lead may read their totals (and
    // still not line prices).
    let c = cli.json(&["customer", "add", "--name", "Larkspur Bakery", "--kind", "company"]);
    cli.json(&["product", "add", "--sku", "FLOUR", "--name", "Rye flour", "--price", "12.50", "--tax", "0"]);
    let o = cli.json(&["order", "create", "--customer", c["id"].as_str().unwrap(), "--line", "FLOUR:4"]);
    let number = o["number"].as_str().unwrap().to_string();
    let order = |who: &dyn Fn(&[&str]) -> std::process::Output| {
        serde_json::from_slice::<Value>(&who(&["--json", "order", "get", &number]).stdout).unwrap()
    };
    assert_eq!(order(&as_lead)["totals"], Value::Null);
    let out = cli.run(&["role", "grant", "desk-lead", "--field", "order.total=read"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r = cli.json(&["role", "show", "desk-lead"]);
    assert_eq!(
        (r["fields"]["order.total"].as_str(), r["fields"]["product.price"].as_str()),
        (Some("read"), Some("hidden"))
    );
    let shown = text(&cli.run(&["role", "show", "desk-lead"]).stdout);
    assert!(shown.contains("Field order.total: read only") && shown.contains("Field product.price: hidden"), "{shown}");
    let seen = order(&as_lead);
    assert_eq!((seen["totals"]["total"].as_i64(), &seen["lines"][0]["unitPrice"]), (Some(5000), &Value::Null));
    // Hiding it again takes it back at the next sign-in (every CLI command signs in).
    assert!(cli.run(&["role", "grant", "desk-lead", "--field", "order.total=hidden"]).status.success());
    assert_eq!(order(&as_lead)["totals"], Value::Null);
    // A customer field: the desk lead's phones are hidden, in JSON and in the text shown.
    let walk_in =
        cli.json(&["customer", "add", "--name", "Larkspur Walk-in", "--kind", "person", "--phone", "+8613812345678"]);
    let id = walk_in["id"].as_str().unwrap();
    assert!(cli.run(&["role", "grant", "desk-lead", "--field", "customer.phones=hidden"]).status.success());
    let got: Value = serde_json::from_slice(&as_lead(&["--json", "customer", "get", id]).stdout).unwrap();
    assert_eq!(
        (&got["customer"]["phones"], &got["customer"]["redacted"]),
        (&serde_json::json!([]), &serde_json::json!(["customer.phones"]))
    );
    let shown = text(&as_lead(&["customer", "get", id]).stdout);
    assert!(shown.contains("Phone") && shown.contains("(hidden)") && !shown.contains("13812345678"), "{shown}");
    let out = as_lead(&["--json", "customer", "update", id, "--phone", "+8613912345678"]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stdout));
    for bad in ["customer.name=hidden", "order.total=visible", "order.total"] {
        let out = cli.cmd(&["--json", "role", "grant", "desk-lead", "--field", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["field"], "field", "{bad}");
    }

    // Bad words name what was wrong; built-in roles stay as they are.
    let out = cli.cmd(&["--json", "role", "grant", "desk-lead", "customer", "fly"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["field"], "actions");
    let out = cli.cmd(&["--json", "role", "grant", "support", "customer", "export"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = cli.cmd(&["--json", "role", "show", "nobody"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn a_shared_desktop_opens_its_book_only_for_its_users_on_the_command_line() {
    let cli = Cli::new();
    let desk_pw = "Front desk password 1";
    let added = cli.cmd(&["user", "add", "desk", "--name", "Front Desk", "--role", "support"]);
    assert!(with_stdin(added, &format!("{desk_pw}\n")).status.success());
    cli.json(&["customer", "add", "--name", "Marlowe Shared-Desk", "--kind", "person"]);
    let out = cli.run(&["rekey", "--to", "shared"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("now shared") && said.contains("banyan user passwd") && said.contains("desk"), "{said}");

    // The book passphrase alone no longer opens it: exit 4, saying why.
    let out = cli.cmd(&["customer", "list"]).env_remove("BANYAN_USER").env_remove("BANYAN_PASSWORD").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("shared"), "{}", text(&out.stderr));
    let out = cli.run(&["customer", "list"]);
    assert!(text(&out.stdout).contains("Marlowe Shared-Desk"), "{}", text(&out.stderr));
    // The desk's password opens nothing here until an admin sets it; it reads like a wrong one.
    let as_desk = |pw: &str| {
        cli.cmd(&["customer", "list"]).env("BANYAN_USER", "desk").env("BANYAN_PASSWORD", pw).output().unwrap()
    };
    let (no_slot, wrong) = (as_desk(desk_pw), as_desk("not the password 1"));
    assert_eq!(no_slot.status.code(), Some(4));
    assert_eq!((no_slot.status.code(), text(&no_slot.stderr)), (wrong.status.code(), text(&wrong.stderr)));
    let out =
        cli.cmd(&["user", "passwd", "desk"]).env("BANYAN_NEW_PASSWORD", "Front desk password 2").output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = as_desk("Front desk password 2");
    assert!(text(&out.stdout).contains("Marlowe Shared-Desk"), "{}", text(&out.stderr));
    // A book passphrase again: the keyring or passphrase opens it, as before.
    let out =
        cli.cmd(&["rekey", "--to", "passphrase", "--new-key"]).env("BANYAN_NEW_PASSPHRASE", PASS).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(cli.run(&["customer", "list"]).status.success());
}

#[test]
fn support_sees_orders_without_their_values_on_the_command_line() {
    let cli = Cli::new();
    let c = cli.json(&["customer", "add", "--name", "Quillfeather Tea House", "--kind", "company"]);
    let id = c["id"].as_str().unwrap().to_string();
    cli.json(&["product", "add", "--sku", "TEA", "--name", "Dragon Well", "--price", "87.53", "--tax", "0"]);
    let o = cli.json(&["order", "create", "--customer", &id, "--line", "TEA:3:7"]);
    assert_eq!(o["totals"]["total"], 24421);
    let number = o["number"].as_str().unwrap().to_string();
    let pw = "Front desk password 1";
    let added = cli.cmd(&["user", "add", "desk", "--name", "Front Desk", "--role", "support"]);
    assert!(with_stdin(added, &format!("{pw}\n")).status.success());
    let desk = |args: &[&str]| cli.cmd(args).env("BANYAN_USER", "desk").env("BANYAN_PASSWORD", pw).output().unwrap();
    let out = desk(&["order", "get", &number]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("Dragon Well") && shown.contains("(hidden)"), "{shown}");
    for n in ["87.53", "244.21", "262.59"] {
        assert!(!shown.contains(n), "{n} in {shown}");
    }
    let out = desk(&["--json", "order", "get", &number]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"], Value::Null);
    assert_eq!(v["lines"][0]["unitPrice"], Value::Null);
    assert_eq!(v["redacted"], serde_json::json!(["order.total", "order.lines.price", "order.lines.discount"]));
    let out = desk(&["--lang", "zh-CN", "product", "list"]);
    assert!(text(&out.stdout).contains("（已隐藏）") && !text(&out.stdout).contains("87.53"), "{}", text(&out.stdout));
}

#[test]
fn history_of_a_customer_from_the_command_line() {
    let cli = Cli::new();
    let c = cli.json(&["customer", "add", "--name", "鼎盛贸易", "--kind", "company", "--city", "上海"]);
    let id = c["id"].as_str().unwrap().to_string();
    cli.json(&["customer", "update", &id, "--city", "苏州"]);
    let out = cli.run(&["history", &id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("上海 → 苏州") && shown.contains("IT Admin") && shown.contains("this desktop"), "{shown}");
    let list = cli.json(&["history", &id, "--limit", "1"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!((list[0]["field"].as_str(), list[0]["newValue"].as_str()), (Some("city"), Some("\"苏州\"")));
    let out = cli.run(&["--lang", "zh-CN", "history", &id]);
    assert!(text(&out.stdout).contains("本机") && text(&out.stdout).contains("处变更"), "{}", text(&out.stdout));
    let out = cli.cmd(&["--json", "history", "01a200dd-9d02-756e-a5e4-48474f49c56d"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "an unknown customer is not found");

    // The change as the table lists it (desktop prefix:number) is what revert takes.
    let change = format!("{}:{}", &list[0]["change"]["origin"].as_str().unwrap()[..8], list[0]["change"]["seq"]);
    assert!(shown.contains(&change), "{change} not in {shown}");
    let r = cli.json(&["revert", &change]);
    assert_eq!((r["restored"].as_u64(), r["conflicts"].as_array().map(Vec::len)), (Some(1), Some(0)));
    assert_eq!(cli.json(&["customer", "get", &id])["customer"]["city"], "上海");
    let out = cli.cmd(&["--json", "revert", "not-a-change"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["error"]["field"], "change");
    let out = cli.run(&["revert"]);
    assert_eq!(out.status.code(), Some(2), "revert needs a change, --tx or --batch");
}

/// The audit trail from the command line: verify (exit 0 intact, 6 once the raw history was
/// edited), checkpoints written out and given back, the events.
#[test]
fn audit_verify_checkpoints_and_events_from_the_command_line() {
    let cli = Cli::new();
    let id = cli.json(&["customer", "add", "--name", "Audit Person", "--kind", "person"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    cli.json(&["customer", "update", &id, "--city", "宁波"]);
    let ok = cli.run(&["audit", "verify"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("History intact"), "{}", text(&ok.stdout));
    assert!(text(&ok.stdout).contains("own checkpoints only"), "says no held checkpoint was given");
    let held = cli._dir.path().join("held.json");
    let wrote = cli.run(&["audit", "checkpoints", "--out", held.to_str().unwrap()]);
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    let with = cli.json(&["audit", "verify", "--checkpoints", held.to_str().unwrap()]);
    assert_eq!(with["intact"], true);
    assert!(with["heldGiven"].as_u64().unwrap() >= 1);
    let events = cli.json(&["audit", "events", "--limit", "100"]);
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"sign-in") && kinds.contains(&"user-added"), "{kinds:?}");
    // Someone with the key changes the city in the raw history.
    let key = banyan::security::KeyStore::for_db(&cli.db).unlock(Some(PASS)).unwrap().0;
    let conn = rusqlite::Connection::open(&cli.db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str())).unwrap();
    assert_eq!(
        conn.execute("UPDATE changes SET fields = replace(fields, '宁波', '杭州') WHERE fields LIKE '%宁波%'", [])
            .unwrap(),
        1
    );
    drop(conn);
    let bad = cli.run(&["audit", "verify", "--checkpoints", held.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(6), "{}", text(&bad.stderr));
    assert!(text(&bad.stdout).contains("altered at no."), "{}", text(&bad.stdout));
    // A file that is no checkpoints is refused by name.
    std::fs::write(&held, "not json").unwrap();
    let refused = cli.run(&["audit", "verify", "--checkpoints", held.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("held.json"), "{}", text(&refused.stderr));
}

/// Privacy from the command line: consent, consents, notice, export, erase.
#[test]
fn privacy_consent_export_and_erase_from_the_command_line() {
    let cli = Cli::new();
    let id =
        cli.json(&["customer", "add", "--name", "Ottoline Vandersteen", "--kind", "person", "--phone", "+4930901821"])
            ["id"]
            .as_str()
            .unwrap()
            .to_string();
    let consent = cli.json(&["privacy", "consent", &id, "--purpose", "marketing", "--given", "--channel", "phone"]);
    assert_eq!(consent["status"], "given");
    let withdrawn = cli.run(&["privacy", "consent", &id, "--purpose", "marketing", "--withdrawn"]);
    assert!(text(&withdrawn.stdout).contains("withdrawn for marketing"), "{}", text(&withdrawn.stdout));
    assert_eq!(cli.json(&["privacy", "consents", &id]).as_array().unwrap().len(), 2);
    let both = cli.run(&["privacy", "consent", &id, "--purpose", "marketing"]);
    assert_eq!(both.status.code(), Some(2), "one of --given and --withdrawn is required");
    let notice = cli.cmd(&["privacy", "notice"]).env("LANG", "zh_CN.UTF-8").output().unwrap();
    assert!(text(&notice.stdout).contains("个人信息保护告知书"), "{}", text(&notice.stdout));
    let out = cli._dir.path().join("request");
    let export = cli.json(&["privacy", "export", &id, "--out", out.to_str().unwrap()]);
    assert_eq!(export["files"].as_array().unwrap().len(), 7);
    assert!(std::fs::read_to_string(out.join(format!("{id}.json"))).unwrap().contains("Ottoline Vandersteen"));
    let no_reason = cli.run(&["privacy", "erase", &id, "--reason", " "]);
    assert_eq!(no_reason.status.code(), Some(2));
    assert!(text(&no_reason.stderr).contains("Say why"), "{}", text(&no_reason.stderr));
    let erased = cli.run(&["privacy", "erase", &id, "--reason", "request by email 2026-12-04"]);
    assert!(erased.status.success(), "{}", text(&erased.stderr));
    assert!(text(&erased.stdout).starts_with("Erased: 1 rows"), "{}", text(&erased.stdout));
    assert!(cli.json(&["customer", "search", "Vandersteen"]).as_array().unwrap().is_empty());
    assert!(cli.run(&["audit", "verify"]).status.success());
}

/// A script signs in as a service account with BANYAN_TOKEN alone; the token is shown once,
/// works until replaced or the account is disabled, and is never a password (nor a password a
/// token).
#[test]
fn a_service_account_signs_in_with_its_token() {
    let cli = Cli::new();
    cli.json(&["customer", "add", "--name", "Token Reader Customer", "--kind", "person"]);
    let made = cli.json(&["user", "add", "erp-sync", "--name", "ERP sync", "--role", "manager", "--service"]);
    let token = made["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("bnyn_erp-sync_"), "{token}");
    assert_eq!(made["user"]["service"], true);
    let as_bot = |token: &str, args: &[&str]| {
        cli.cmd(args)
            .env_remove("BANYAN_USER")
            .env_remove("BANYAN_PASSWORD")
            .env("BANYAN_TOKEN", token)
            .output()
            .unwrap()
    };
    let listed = as_bot(&token, &["--json", "customer", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(text(&listed.stdout).contains("Token Reader Customer"));
    // What the role does not allow stays refused (a manager manages no users).
    let refused = as_bot(&token, &["user", "add", "x", "--name", "X", "--role", "sales", "--service"]);
    assert_eq!(refused.status.code(), Some(5), "{}", text(&refused.stderr));
    // A wrong token, the token as a password, a person's password as a token: sign-in failures.
    let last = if token.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    assert_eq!(as_bot(&wrong, &["customer", "list"]).status.code(), Some(4));
    let secret = token.rsplit('_').next().unwrap();
    let as_password =
        cli.cmd(&["customer", "list"]).env("BANYAN_USER", "erp-sync").env("BANYAN_PASSWORD", secret).output().unwrap();
    assert_eq!(as_password.status.code(), Some(4));
    assert_eq!(as_bot(&format!("bnyn_{ADMIN}_{}", "0".repeat(64)), &["customer", "list"]).status.code(), Some(4));
    // A new token replaces the old one at once; disabling the account stops the new one.
    let renewed = cli.json(&["user", "token", "erp-sync"])["token"].as_str().unwrap().to_string();
    assert_ne!(renewed, token);
    assert_eq!(as_bot(&token, &["customer", "list"]).status.code(), Some(4));
    assert!(as_bot(&renewed, &["customer", "list"]).status.success());
    cli.json(&["user", "disable", "erp-sync"]);
    assert_eq!(as_bot(&renewed, &["customer", "list"]).status.code(), Some(4));
    // The audit trail says who signed in how.
    let events = cli.json(&["audit", "events", "--limit", "200"]);
    let token_sign_ins = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sign-in" && e["detail"].as_str().unwrap().contains("\"with\":\"token\""))
        .count();
    assert_eq!(token_sign_ins, 3);
}

#[test]
fn rewind_previews_then_takes_back_everything_after_a_moment() {
    let cli = Cli::new();
    let kept = cli.json(&["customer", "add", "--kind", "person", "--name", "Before Moment"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let moment = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    cli.json(&["customer", "add", "--kind", "person", "--name", "After Moment"]);
    let id = kept["id"].as_str().unwrap();
    cli.json(&["customer", "update", id, "--city", "杭州"]);

    let preview = cli.json(&["rewind", "--to", &moment, "--dry-run"]);
    assert_eq!(preview["items"].as_array().unwrap().len(), 2, "{preview}");
    let out = cli.run(&["rewind", "--to", &moment, "--dry-run"]);
    let shown = text(&out.stdout);
    assert!(shown.contains("After Moment") && shown.contains("city"), "{shown}");
    assert_eq!(cli.json(&["customer", "list"]).as_array().unwrap().len(), 2, "a dry run changes nothing");

    let done = cli.json(&["rewind", "--to", &moment]);
    assert!(done["batchId"].as_str().unwrap().starts_with("rewind-"), "{done}");
    let list = cli.json(&["customer", "list"]);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Before Moment"]);
    assert!(cli.json(&["customer", "get", id])["city"].is_null());

    let out = cli.run(&["--json", "rewind", "--to", "last tuesday"]);
    assert_eq!(out.status.code(), Some(2));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["error"]["field"], "to", "{e}");
}

/// IT turns export, import and demo data off by policy: the CLI refuses each (exit 5, naming the
/// policy, in Chinese too), writes nothing, and `policy show` lists them; what stays on works.
#[test]
fn features_a_policy_turns_off_are_refused_by_the_cli_naming_the_policy() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policies.json");
    std::fs::write(
        &policy,
        r#"{"policies": {"ExportEnabled": false, "ImportEnabled": false}, "recommended": {"DemoDataEnabled": false}}"#,
    )
    .unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/bad-rows.csv");
    let out = dir.path().join("all.xlsx");
    let with_policy = |args: &[&str], lang: &str| {
        let mut c = cli.cmd(args);
        c.env("BANYAN_POLICY_FILE", &policy).env("LANG", lang);
        c.output().unwrap()
    };
    cli.json(&["customer", "add", "--kind", "person", "--name", "Kept Customer"]);
    for (args, key) in [
        (vec!["--json", "export", "--format", "xlsx", "--out", out.to_str().unwrap()], "ExportEnabled"),
        (vec!["--json", "import", fixture.to_str().unwrap()], "ImportEnabled"),
        (vec!["--json", "demo", "--customers", "10"], "DemoDataEnabled"),
    ] {
        let r = with_policy(&args, "en_US.UTF-8");
        assert_eq!(r.status.code(), Some(5), "{args:?}: {}", String::from_utf8_lossy(&r.stdout));
        let e: Value = serde_json::from_slice(&r.stdout).unwrap();
        assert_eq!(e["error"]["code"], "forbidden", "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("Turned off by your organization (policy {key})")),
            "{e}"
        );
        let zh = with_policy(&args, "zh_CN.UTF-8");
        assert!(
            String::from_utf8_lossy(&zh.stdout).contains("已被您的组织关闭"),
            "{}",
            String::from_utf8_lossy(&zh.stdout)
        );
    }
    assert!(!out.exists(), "nothing exported");
    let list = cli.json(&["customer", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing imported or added: {list}");
    let shown: Value =
        serde_json::from_slice(&with_policy(&["--json", "policy", "show"], "en_US.UTF-8").stdout).unwrap();
    assert_eq!(shown["mandatory"]["ExportEnabled"], false, "{shown}");
    assert_eq!(shown["recommended"]["DemoDataEnabled"], false, "{shown}");
    // Without the policy, the same export works.
    cli.json(&["export", "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert!(out.exists());
}

/// IT's Locale policy: a mandatory one holds the CLI's language whatever `--lang` says; a
/// recommended one is the language unless the user asks for another.
#[test]
fn a_locale_policy_sets_the_language_of_messages() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policies.json");
    let said = |text: &str, args: &[&str]| -> String {
        std::fs::write(&policy, text).unwrap();
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["customer", "get", "00000000-0000-7000-8000-000000000000"]);
        let out = cli.cmd(&all).env("BANYAN_POLICY_FILE", &policy).env("LANG", "en_US.UTF-8").output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
        let e: Value = serde_json::from_slice(&out.stdout).unwrap();
        e["error"]["message"].as_str().unwrap().to_string()
    };
    let chinese = |m: &str| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let recommended = r#"{"recommended": {"Locale": "zh-CN"}}"#;
    assert!(chinese(&said(recommended, &[])), "a recommended Locale over the system's language");
    assert!(!chinese(&said(recommended, &["--lang", "en-US"])), "the user's --lang over a recommended Locale");
    let mandatory = r#"{"policies": {"Locale": "zh-CN"}}"#;
    assert!(chinese(&said(mandatory, &["--lang", "en-US"])), "a mandatory Locale over --lang");
    assert!(!chinese(&said("{}", &[])), "no policy: the system's language");
}

/// IT's PhoneRegion and Currency policies: a mandatory one is what this computer applies over the
/// book's own setting (phones typed without a country code are read in its region) and cannot be
/// changed here; a recommended one is a new book's default only.
#[test]
fn phone_region_and_currency_policies_hold_what_this_computer_applies() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policies.json");
    std::fs::write(&policy, r#"{"policies": {"PhoneRegion": "US"}, "recommended": {"Currency": "USD"}}"#).unwrap();
    let with = |args: &[&str]| cli.cmd(args).env("BANYAN_POLICY_FILE", &policy).output().unwrap();
    let json = |out: Output| -> Value {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The book was made with CN and CNY; on this computer the mandatory region is US.
    let s = json(with(&["--json", "settings"]));
    assert_eq!((s["phoneRegion"].as_str(), s["currency"].as_str()), (Some("US"), Some("CNY")), "{s}");
    let c = json(with(&[
        "--json",
        "customer",
        "add",
        "--name",
        "Ann Lee",
        "--kind",
        "person",
        "--phone",
        "(415) 555-0132",
    ]));
    assert_eq!(c["phones"][0].as_str(), Some("+14155550132"), "read in the policy's region: {c}");
    let refused = with(&["--json", "settings", "--phone-region", "DE"]);
    assert_eq!(refused.status.code(), Some(2));
    let e: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert!(e["error"]["message"].as_str().unwrap().contains("PhoneRegion"), "{e}");
    json(with(&["--json", "settings", "--phone-region", "US", "--currency", "EUR"]));
    // Without the policy, the book's own region again; the currency was the user's to change.
    let s = cli.json(&["settings"]);
    assert_eq!((s["phoneRegion"].as_str(), s["currency"].as_str()), (Some("CN"), Some("EUR")), "{s}");
    // A new book takes the recommended currency and the mandatory region; flags give way only to
    // the mandatory one.
    let init = |extra: &[&str]| {
        let db = dir.path().join(format!("new-{}.db", extra.len()));
        let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
        c.arg("--db").arg(&db).arg("init").args(extra).env("BANYAN_PASSPHRASE", PASS);
        let out = c.env("BANYAN_POLICY_FILE", &policy).env("LANG", "en_US.UTF-8").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let banyan = |args: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
            c.arg("--db").arg(&db).args(args).env("BANYAN_PASSPHRASE", PASS).env("LANG", "en_US.UTF-8");
            c.env("BANYAN_USER", ADMIN).env("BANYAN_PASSWORD", ADMIN_PW).env("BANYAN_NEW_PASSWORD", ADMIN_PW);
            c.output().unwrap()
        };
        json(banyan(&["--json", "user", "add", ADMIN, "--name", "IT Admin", "--role", "admin"]));
        json(banyan(&["--json", "settings"]))
    };
    let s = init(&[]);
    assert_eq!((s["phoneRegion"].as_str(), s["currency"].as_str()), (Some("US"), Some("USD")), "{s}");
    let s = init(&["--phone-region", "DE", "--currency", "EUR"]);
    assert_eq!((s["phoneRegion"].as_str(), s["currency"].as_str()), (Some("US"), Some("EUR")), "{s}");
}

/// IT's DatabaseDirectory: a book named outside a mandatory folder, or a folder that cannot hold
/// the book, stops the command (exit 2) naming the policy; nothing is made elsewhere.
#[test]
fn a_mandatory_database_directory_refuses_books_elsewhere_and_folders_that_cannot_hold_one() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policies.json");
    let run = |text: &str| {
        std::fs::write(&policy, text).unwrap();
        let out = cli.cmd(&["--json", "customer", "list"]).env("BANYAN_POLICY_FILE", &policy).output().unwrap();
        let said: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), said["error"]["message"].as_str().unwrap_or("").to_string())
    };
    let folder = dir.path().join("books");
    let (code, said) = run(&format!(r#"{{"policies": {{"DatabaseDirectory": {folder:?}}}}}"#));
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("DatabaseDirectory") && said.contains("cli.db") && said.contains("outside"), "{said}");
    let (code, said) = run(r#"{"policies": {"DatabaseDirectory": "/proc/banyan-books"}}"#);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("/proc/banyan-books") && said.contains("cannot be made or written"), "{said}");
    // A recommended folder gives way to the book named.
    let (code, said) = run(&format!(r#"{{"recommended": {{"DatabaseDirectory": {folder:?}}}}}"#));
    assert_eq!(code, Some(0), "{said}");
    assert!(!folder.join("banyan.db").exists(), "a book was made in the recommended folder");
}

/// Every file under `root`, relative to it.
fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// A command with an empty home of its own (no BANYAN_DB, no log folder given): where Banyan
/// writes by itself.
fn bare(bin: &Path, home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin);
    c.args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("BANYAN_DB")
        .env_remove("BANYAN_LOG_DIR")
        .env_remove("BANYAN_POLICY_FILE")
        .env_remove("BANYAN_PASSPHRASE")
        .env("BANYAN_USER", ADMIN)
        .env("BANYAN_PASSWORD", ADMIN_PW)
        .env_remove("BANYAN_NEW_PASSWORD")
        .env_remove("BANYAN_TOTP");
    c
}

/// [`bare`] with the book's passphrase and `extra` variables, which must succeed: its output.
fn bare_ok(bin: &Path, home: &Path, args: &[&str], extra: &[(&str, &std::ffi::OsStr)]) -> String {
    let mut c = bare(bin, home, args);
    c.env("BANYAN_PASSPHRASE", PASS);
    for (k, v) in extra {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// Portable mode: `data/` beside the program holds the book, its key file and the logs, nothing
/// is written in the user's home, the key is behind a passphrase, and IT's
/// `PortableModeEnabled: false` refuses it, naming the policy.
#[test]
fn a_portable_banyan_keeps_everything_in_its_data_folder() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (app, home) = (dir.path().join("usb/Banyan"), dir.path().join("home"));
    std::fs::create_dir_all(app.join("data")).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    // The program itself in the portable folder (a hard link: same disk as the build).
    let bin = app.join("banyan");
    std::fs::hard_link(env!("CARGO_BIN_EXE_banyan"), &bin)
        .or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_banyan"), &bin).map(|_| ()))
        .unwrap();
    // A new book's key goes behind a passphrase: none given is asked for, the keyring refused.
    let out = bare(&bin, &home, &["init"]).output().unwrap();
    assert!(!out.status.success() && text(&out.stderr).contains("BANYAN_PASSPHRASE"), "{}", text(&out.stderr));
    let out = bare(&bin, &home, &["init", "--key-mode", "keyring"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("A portable Banyan keeps the customer book's key behind a passphrase"), "{said}");
    assert!(!app.join("data/banyan.db").exists());
    let ok = |args: &[&str], extra: &[(&str, &str)]| {
        let extra: Vec<(&str, &std::ffi::OsStr)> = extra.iter().map(|(k, v)| (*k, std::ffi::OsStr::new(*v))).collect();
        bare_ok(&bin, &home, args, &extra)
    };
    ok(&["init"], &[]);
    ok(&["user", "add", ADMIN, "--name", "IT Admin", "--role", "admin"], &[("BANYAN_NEW_PASSWORD", ADMIN_PW)]);
    ok(&["customer", "add", "--name", "便携客户 Portable", "--kind", "company"], &[]);
    assert!(ok(&["customer", "list"], &[]).contains("便携客户 Portable"));
    let data = files_under(&app.join("data"));
    for want in ["banyan.db", "banyan.db.key.json"] {
        assert!(data.iter().any(|f| f == want), "{want} not in data/: {data:?}");
    }
    assert!(data.iter().any(|f| f.starts_with("logs/")), "no log in data/: {data:?}");
    let key_file = std::fs::read_to_string(app.join("data/banyan.db.key.json")).unwrap();
    assert!(key_file.contains("\"passphrase\""), "{key_file}");
    assert_eq!(files_under(&home), Vec::<String>::new(), "written outside data/");
    assert_eq!(
        files_under(&app).iter().filter(|f| !f.starts_with("data/")).count(),
        1,
        "only the program beside data/"
    );

    // IT turns portable mode off: it refuses to start, naming the policy, and changes nothing.
    let policy = dir.path().join("policies.json");
    std::fs::write(&policy, r#"{"policies": {"PortableModeEnabled": false}}"#).unwrap();
    let before = files_under(&app.join("data"));
    let out = bare(&bin, &home, &["customer", "list"])
        .env("BANYAN_PASSPHRASE", PASS)
        .env("BANYAN_POLICY_FILE", &policy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(said.contains("PortableModeEnabled") && said.contains("turns portable mode off"), "{said}");
    assert_eq!(files_under(&app.join("data")), before);
    assert_eq!(files_under(&home), Vec::<String>::new());
}

/// A book where earlier versions kept it (`~/.local/share/banyan`) moves, with its key file and
/// backups, into this desktop's folder at the first start, and opens there with what it held.
#[test]
fn a_book_at_the_earlier_default_place_moves_into_this_desktops_folder_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let bin = Path::new(env!("CARGO_BIN_EXE_banyan"));
    let (old, new) = (home.join(".local/share/banyan"), home.join(".local/share/com.banyancrm.desktop"));
    let ok = |args: &[&str], extra: &[(&str, &std::ffi::OsStr)]| bare_ok(bin, &home, args, extra);
    // The book as the previous version made it, at its default place.
    let at_old = [("BANYAN_DB", old.join("banyan.db").into_os_string())];
    let at_old: Vec<(&str, &std::ffi::OsStr)> = at_old.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    ok(&["init"], &at_old);
    let mut with_pw = at_old.clone();
    let pw = std::ffi::OsString::from(ADMIN_PW);
    with_pw.push(("BANYAN_NEW_PASSWORD", &pw));
    ok(&["user", "add", ADMIN, "--name", "IT Admin", "--role", "admin"], &with_pw);
    ok(&["customer", "add", "--name", "Moved Along Ltd", "--kind", "company"], &at_old);
    std::fs::create_dir_all(old.join("backups")).unwrap();
    std::fs::write(old.join("backups/kept.txt"), "a file beside the book").unwrap();

    // This version, no book named: the book is found, moved and opened.
    assert!(ok(&["customer", "list"], &[]).contains("Moved Along Ltd"));
    assert!(!old.exists(), "the old folder stays: {:?}", files_under(&old));
    let moved = files_under(&new);
    for want in ["banyan.db", "banyan.db.key.json", "backups/kept.txt"] {
        assert!(moved.iter().any(|f| f == want), "{want} not moved: {moved:?}");
    }
    let log = || -> String {
        files_under(&new)
            .iter()
            .filter(|f| f.starts_with("logs/"))
            .map(|f| std::fs::read_to_string(new.join(f)).unwrap_or_default())
            .collect()
    };
    assert!(log().contains("book moved to this desktop's folder"), "{}", log());
    // Once: the next start finds it in place.
    assert!(ok(&["customer", "list"], &[]).contains("Moved Along Ltd"));
    assert_eq!(log().matches("book moved").count(), 1, "{}", log());
}

/// Joining a team's book under IT's `KeyMode: passphrase` is refused before anything travels:
/// without a passphrase, or into the keyring, `sync pair` stops naming what is wrong (exit 2 or
/// the passphrase's own error) and never tries the address (that would be exit 7).
#[test]
fn pairing_under_a_key_policy_is_refused_before_it_connects() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policies.json");
    std::fs::write(&policy, r#"{"policies": {"KeyMode": "passphrase"}}"#).unwrap();
    let db = dir.path().join("joined.db");
    let pair = |args: &[&str], pass: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_banyan"));
        c.arg("--db").arg(&db).args(["sync", "pair", "123 456", "127.0.0.1:1"]).args(args);
        c.env("BANYAN_POLICY_FILE", &policy)
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("BANYAN_PASSPHRASE");
        if let Some(p) = pass {
            c.env("BANYAN_PASSPHRASE", p);
        }
        let out = c.output().unwrap();
        (out.status.code(), text(&out.stderr))
    };
    let (code, said) = pair(&["--key-mode", "keyring"], None);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("requires a passphrase for customer books on this computer (policy KeyMode)"), "{said}");
    let (code, said) = pair(&[], None);
    assert_ne!(code, Some(7), "it connected: {said}");
    assert!(said.contains("BANYAN_PASSPHRASE"), "{said}");
    let (code, said) = pair(&[], Some("short"));
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("at least 8 characters"), "{said}");
    // With a good passphrase it goes on to the address, which answers nothing: a network error.
    let (code, said) = pair(&[], Some("a good passphrase 2026"));
    assert_eq!(code, Some(7), "{said}");
    assert!(!db.exists());
}
