//! `cargo xtask run | test | bench`: the two commands a new developer needs, plus benchmarks.
//! Sets up what is missing (Debian/Ubuntu system packages), then builds and runs or tests.
//! Standard library only, so it builds in seconds on a fresh machine.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// Debian packages the build and the tests need: SQLCipher links libcrypto; the keyring crate's
/// Secret Service backend links libdbus; the keyring test runs a real gnome-keyring in a private
/// D-Bus session.
const SYSTEM_PACKAGES: &[&str] =
    &["build-essential", "pkg-config", "libssl-dev", "libdbus-1-dev", "dbus", "gnome-keyring"];

/// The dev database lives in the checkout, never where a real installation keeps its data.
const DEV_DB: &str = ".banyan-dev/dev.db";
/// Passphrase of the dev database only (demo data, never real customers).
const DEV_PASSPHRASE: &str = "banyan-dev";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf();
    std::env::set_current_dir(&root).expect("workspace root");
    let r = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("setup") => setup(),
        _ => {
            eprintln!("usage: cargo xtask <run | test | bench store|search | setup>");
            Err("unknown command".into())
        }
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}

fn status(mut c: Command) -> Result<bool> {
    eprintln!("+ {c:?}");
    c.status().map(|s| s.success()).map_err(|e| format!("{c:?}: {e}"))
}

fn must(c: Command) -> Result {
    let shown = format!("{c:?}");
    if status(c)? { Ok(()) } else { Err(format!("failed: {shown}")) }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Installs missing system packages on Debian/Ubuntu (as root, or through sudo); elsewhere, or
/// without either, prints the exact command and stops.
fn setup() -> Result {
    if !Path::new("/usr/bin/dpkg-query").exists() {
        eprintln!(
            "xtask: not a Debian/Ubuntu system; make sure OpenSSL, D-Bus and pkg-config development files are installed."
        );
        return Ok(());
    }
    let missing: Vec<&str> = SYSTEM_PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {}", missing.join(" "));
    let sudo = if is_root() {
        ""
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
    {
        "sudo "
    } else {
        return Err(format!("missing system packages; run: sudo sh -c '{install}'"));
    };
    must(cmd(
        "sh",
        &[
            "-c",
            &format!(
                "{sudo}apt-get update -qq && {sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {}",
                missing.join(" ")
            ),
        ],
    ))
}

/// Builds the CLI, creates the dev database with demo data on first start, and shows the book.
fn run(extra: &[String]) -> Result {
    setup()?;
    must(cmd("cargo", &["build", "--bin", "banyan"]))?;
    let bin = PathBuf::from("target/debug/banyan");
    let banyan = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(["--db", DEV_DB]).args(args).env("BANYAN_PASSPHRASE", DEV_PASSPHRASE);
        c
    };
    if !Path::new(DEV_DB).exists() {
        must(banyan(&["init", "--key-mode", "passphrase"]))?;
        must(banyan(&["demo", "--customers", "500"]))?;
    }
    if extra.is_empty() {
        must(banyan(&["customer", "list", "--limit", "15"]))?;
        must(banyan(&["order", "list", "--limit", "10"]))?;
        eprintln!(
            "\nDev database: {DEV_DB} (passphrase \"{DEV_PASSPHRASE}\", demo data only).\n\
             Try: BANYAN_PASSPHRASE={DEV_PASSPHRASE} target/debug/banyan --db {DEV_DB} --lang zh-CN customer list\n\
             or:  cargo xtask run -- order list --status paid"
        );
    } else {
        let args: Vec<&str> = extra.iter().map(String::as_str).filter(|a| *a != "--").collect();
        must(banyan(&args))?;
    }
    Ok(())
}

struct Step {
    name: &'static str,
    ok: bool,
    detail: String,
    secs: f64,
}

/// Everything: formatting, lints, the dependency rule, and every test. Prints a summary.
fn test() -> Result {
    setup()?;
    let mut steps: Vec<Step> = Vec::new();
    let mut timed = |name: &'static str, f: &mut dyn FnMut() -> Result<(bool, String)>| {
        let t = Instant::now();
        let (ok, detail) = f().unwrap_or_else(|e| (false, e));
        steps.push(Step { name, ok, detail, secs: t.elapsed().as_secs_f64() });
    };
    timed("cargo fmt --check", &mut || Ok((status(cmd("cargo", &["fmt", "--all", "--", "--check"]))?, String::new())));
    timed("clippy -D warnings", &mut || {
        Ok((status(cmd("cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?, String::new()))
    });
    timed("core has no tauri dependency", &mut || {
        let out = cmd("cargo", &["tree", "-p", "banyan", "-e", "normal,build", "--prefix", "none"])
            .output()
            .map_err(|e| e.to_string())?;
        let tree = String::from_utf8_lossy(&out.stdout);
        let bad: Vec<&str> = tree
            .lines()
            .filter(|l| l.to_lowercase().contains("tauri") || l.contains("webkit") || l.starts_with("gtk"))
            .collect();
        Ok((out.status.success() && bad.is_empty() && tree.contains("rusqlite"), bad.join(", ")))
    });
    let mut passed = 0u64;
    let mut failed = 0u64;
    timed("Rust tests (unit + integration)", &mut || {
        let out = cmd("cargo", &["test", "--workspace", "--no-fail-fast", "--color", "never"])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        for line in text.lines().filter(|l| l.starts_with("test result:")) {
            let num = |word: &str| {
                line.split(';')
                    .find(|p| p.trim().ends_with(word))
                    .and_then(|p| p.trim().split(' ').rev().nth(1))
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            passed += num("passed");
            failed += num("failed");
        }
        Ok((out.status.success() && failed == 0, format!("{passed} passed, {failed} failed")))
    });
    println!("\n==== summary ====");
    for s in &steps {
        println!("{:<4} {:<36} {:>7.1}s  {}", if s.ok { "ok" } else { "FAIL" }, s.name, s.secs, s.detail);
    }
    let steps_failed = steps.iter().filter(|s| !s.ok).count() as u64;
    // The closing line CI reads: tests run, plus any failed check counted as a failure.
    println!("{passed} passed, {} failed", failed + steps_failed);
    if steps_failed == 0 { Ok(()) } else { Err(format!("{steps_failed} step(s) failed")) }
}

fn bench(args: &[String]) -> Result {
    setup()?;
    match args.first().map(String::as_str) {
        Some(name @ ("store" | "search")) => {
            let mut c = cmd("cargo", &["bench", "--bench", name, "--"]);
            c.args(&args[1..]);
            must(c)
        }
        other => Err(format!("unknown benchmark {other:?}; available: store, search")),
    }
}
