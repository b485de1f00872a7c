//! `cargo xtask run | test | bench`: the two commands a new developer needs, plus benchmarks.
//! Sets up what is missing (Debian/Ubuntu system packages), then builds and runs or tests.
//! Standard library only, so it builds in seconds on a fresh machine.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// Debian packages the build and the tests need: SQLCipher links libcrypto; the keyring crate's
/// Secret Service backend links libdbus; the keyring test runs a real gnome-keyring in a private
/// D-Bus session.
/// The desktop shell needs WebKitGTK and friends; the end-to-end test runs the real window under
/// Xvfb and drives it with WebKitWebDriver; CJK fonts make Chinese readable in it. The sync test
/// over network namespaces makes them with iproute2 and captures its traffic with tcpdump; the
/// hub's systemd unit is checked by systemd-analyze.
const SYSTEM_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    // The e2e's update server makes its test CA and certificate with it.
    "openssl",
    "libdbus-1-dev",
    "dbus",
    "gnome-keyring",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "file",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "fonts-noto-cjk",
    "iproute2",
    "tcpdump",
    "systemd",
    // The packaging tests: xmllint (the policy templates' ADMX/ADML), appstreamcli and
    // desktop-file-validate (the Linux packages' metainfo and desktop entry).
    "libxml2-utils",
    "appstream",
    "desktop-file-utils",
    // man: the test that renders banyan-desktop(1).
    "man-db",
    // The signed repositories of `dist --repo` and their test: apt-ftparchive, createrepo_c,
    // rpmbuild/rpmsign/rpm, gpg.
    "apt-utils",
    "createrepo-c",
    "rpm",
    "gnupg",
    // check-jsonschema (release workflow check) lives in a venv.
    "python3-venv",
    // makensis: the NSIS installer's language files are compiled in a test.
    "nsis",
];

/// The dev database lives in the checkout, never where a real installation keeps its data.
const DEV_DB: &str = ".banyan-dev/dev.db";
/// Passphrase of the dev database only (demo data, never real customers).
const DEV_PASSPHRASE: &str = "banyan-dev";
/// Passphrase of the desktop benchmark's book (`cargo xtask bench ui`).
const BENCH_PASSPHRASE: &str = "bench passphrase";
/// The first admin of the dev and bench books (the CLI acts as a signed-in user).
const DEV_ADMIN: &str = "admin";
const DEV_ADMIN_PASSWORD: &str = "banyan-dev-admin";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf();
    std::env::set_current_dir(&root).expect("workspace root");
    let r = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("setup") => setup(),
        Some("fuzz") => fuzz(&args[1..]),
        Some("bindings") => bindings(),
        Some("policy") => policy(&args[1..]),
        Some("workflows") => check_workflows().map(|f| println!("valid: {f}")),
        // dist --check's install test alone, on the .deb of the last `cargo xtask dist`.
        Some("install-check") => install_check(),
        Some("dist") => dist(&args[1..]),
        Some("sync-props") => sync_props(&args[1..]),
        Some("e2e") => e2e().and_then(|(ok, detail)| {
            println!("{detail}");
            if ok { Ok(()) } else { Err(detail) }
        }),
        _ => {
            eprintln!(
                "usage: cargo xtask <run | test | e2e | bench store|search|io|security|sync|ops|ui | fuzz [SECONDS] | sync-props [--long] [--seed N] | bindings | policy [--check] | workflows | install-check | dist [--lto] [--check] [--repo DIR [--mirror URL]] | setup>"
            );
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

mod root;

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
/// The targets `crates/policy-os` is checked for (its Windows and macOS readers).
const CROSS_TARGETS: [&str; 2] = ["x86_64-pc-windows-gnu", "aarch64-apple-darwin"];

fn setup() -> Result {
    system_packages()?;
    let installed =
        Command::new("rustup").args(["target", "list", "--installed"]).output().map_err(|e| format!("rustup: {e}"))?;
    let installed = String::from_utf8_lossy(&installed.stdout).to_string();
    let missing: Vec<&str> =
        CROSS_TARGETS.iter().copied().filter(|t| !installed.lines().any(|l| l.trim() == *t)).collect();
    if !missing.is_empty() {
        let mut args = vec!["target", "add"];
        args.extend(missing);
        must(cmd("rustup", &args))?;
    }
    if !Path::new("ui/node_modules/.package-lock.json").exists()
        || modified(Path::new("ui/package-lock.json")) > modified(Path::new("ui/node_modules/.package-lock.json"))
    {
        let mut c = cmd("npm", &["ci", "--no-audit", "--no-fund"]);
        c.current_dir("ui");
        must(c)?;
    }
    Ok(())
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// tauri-driver bridges WebDriver to the app's WebKitWebDriver; installed from crates.io once.
fn tauri_driver() -> Result<PathBuf> {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into())).join(".cargo"));
    let bin = home.join("bin/tauri-driver");
    if !bin.exists() {
        must(cmd("cargo", &["install", "tauri-driver", "--version", "^2", "--locked"]))?;
    }
    Ok(bin)
}

fn system_packages() -> Result {
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

/// Where cargo puts build output (CARGO_TARGET_DIR when set).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"))
}

/// The desktop binary, built with the UI embedded (Tauri's custom protocol).
fn build_desktop(release: bool) -> Result<PathBuf> {
    let mut ui = cmd("npm", &["run", "build"]);
    ui.current_dir("ui");
    must(ui)?;
    let mut args = vec!["build", "-p", "banyan-desktop", "--features", "banyan-desktop/custom-protocol"];
    if release {
        args.push("--release");
    }
    must(cmd("cargo", &args))?;
    Ok(target_dir().join(if release { "release/banyan-desktop" } else { "debug/banyan-desktop" }))
}

/// Builds everything, creates the dev database with demo data on first start, and opens the app.
fn run(extra: &[String]) -> Result {
    setup()?;
    must(cmd("cargo", &["build", "--bin", "banyan"]))?;
    let bin = target_dir().join("debug/banyan");
    let banyan = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(["--db", DEV_DB]).args(args).env("BANYAN_PASSPHRASE", DEV_PASSPHRASE);
        c.env("BANYAN_USER", DEV_ADMIN).env("BANYAN_PASSWORD", DEV_ADMIN_PASSWORD);
        c.env("BANYAN_NEW_PASSWORD", DEV_ADMIN_PASSWORD);
        c
    };
    if !Path::new(DEV_DB).exists() {
        must(banyan(&["init", "--key-mode", "passphrase"]))?;
        must(banyan(&["user", "add", DEV_ADMIN, "--name", "Dev Admin", "--role", "admin"]))?;
        must(banyan(&["demo", "--customers", "2000"]))?;
        eprintln!("The dev book's admin: login {DEV_ADMIN}, password {DEV_ADMIN_PASSWORD}.");
    } else if !extra.is_empty() {
        // A dev book made before users gets its admin now (a second `user add` is refused, harmlessly).
        let mut first = banyan(&["user", "add", DEV_ADMIN, "--name", "Dev Admin", "--role", "admin"]);
        let _ = first.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
    if !extra.is_empty() {
        // `cargo xtask run -- <banyan arguments>`: the CLI against the dev database.
        let args: Vec<&str> = extra.iter().map(String::as_str).filter(|a| *a != "--").collect();
        return must(banyan(&args));
    }
    let app = build_desktop(false)?;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("no display to open the window on (DISPLAY is not set); run it from a desktop session".into());
    }
    eprintln!("Opening Banyan on the dev database {DEV_DB} (demo data only).");
    let mut c = Command::new(app);
    c.env("BANYAN_DB", DEV_DB).env("BANYAN_PASSPHRASE", DEV_PASSPHRASE).env("BANYAN_CONFIG_DIR", ".banyan-dev");
    must(c)
}

struct Step {
    name: &'static str,
    ok: bool,
    detail: String,
    secs: f64,
}

/// Counts "N passed, N failed" and cargo's "test result:" lines in a run's output.
fn count(text: &str) -> (u64, u64) {
    let (mut passed, mut failed) = (0, 0);
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with("test result:") {
            let num = |word: &str| {
                l.split(';')
                    .find(|p| p.trim().ends_with(word))
                    .and_then(|p| p.trim().split(' ').rev().nth(1))
                    .and_then(|n| n.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            passed += num("passed");
            failed += num("failed");
        } else if let Some((p, f)) = l.split_once(" passed, ")
            && let (Ok(p), Some(Ok(f))) = (p.trim().parse::<u64>(), f.split(' ').next().map(str::parse::<u64>))
        {
            passed += p;
            failed += f;
        }
    }
    (passed, failed)
}

/// Runs `c`, echoing its output, and returns (success, combined output).
fn capture(mut c: Command) -> Result<(bool, String)> {
    eprintln!("+ {c:?}");
    let out = c.output().map_err(|e| format!("{c:?}: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    print!("{text}");
    Ok((out.status.success(), text))
}

/// Everything: formatting, lints and type checks, the dependency rule, the Rust and UI tests, and
/// the end-to-end run in a real window. Prints a summary.
fn test() -> Result {
    setup()?;
    let mut steps: Vec<Step> = Vec::new();
    let mut totals = (0u64, 0u64);
    let mut timed = |name: &'static str, f: &mut dyn FnMut() -> Result<(bool, String)>| {
        let t = Instant::now();
        let (ok, detail) = f().unwrap_or_else(|e| (false, e));
        steps.push(Step { name, ok, detail, secs: t.elapsed().as_secs_f64() });
        ok
    };
    let ui = |args: &[&str]| {
        let mut c = cmd("npm", args);
        c.current_dir("ui");
        c
    };
    timed("cargo fmt --check", &mut || Ok((status(cmd("cargo", &["fmt", "--all", "--", "--check"]))?, String::new())));
    timed("UI lint (eslint)", &mut || Ok((status(ui(&["run", "lint"]))?, String::new())));
    timed("UI type check (svelte-check)", &mut || Ok((status(ui(&["run", "check"]))?, String::new())));
    timed("UI unit tests (vitest)", &mut || {
        let mut c = ui(&["run", "test"]);
        c.env("NO_COLOR", "1");
        let (ok, text) = capture(c)?;
        // vitest's summary: "      Tests  22 passed (22)" or "Tests  1 failed | 21 passed (22)".
        let summary = text.lines().find(|l| l.trim_start().starts_with("Tests ")).unwrap_or_default();
        let num = |word: &str| {
            summary
                .split(['|', '('])
                .find(|p| p.trim().ends_with(word))
                .and_then(|p| p.trim().trim_start_matches("Tests").trim().split(' ').next())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let (passed, failed) = (num("passed"), num("failed"));
        totals.0 += passed;
        totals.1 += failed;
        Ok((ok && passed > 0, format!("{passed} passed, {failed} failed")))
    });
    let built = timed("UI build (vite)", &mut || Ok((status(ui(&["run", "build"]))?, String::new())));
    // One feature set for clippy, tests and the app, so all three share one build.
    let features = ["--workspace", "--features", "banyan-desktop/custom-protocol"];
    timed("clippy -D warnings", &mut || {
        let mut args = vec!["clippy", "--all-targets"];
        args.extend(features);
        args.extend(["--", "-D", "warnings"]);
        Ok((status(cmd("cargo", &args))?, String::new()))
    });
    timed("core has no tauri dependency, its library no transport", &mut || {
        let out = cmd("cargo", &["tree", "-p", "banyan", "-e", "normal,build", "--prefix", "none"])
            .output()
            .map_err(|e| e.to_string())?;
        let tree = String::from_utf8_lossy(&out.stdout);
        let bad: Vec<&str> = tree
            .lines()
            .filter(|l| l.to_lowercase().contains("tauri") || l.contains("webkit") || l.starts_with("gtk"))
            .collect();
        // The transport is the binary's (and the desktop's): the core library never speaks it.
        let mut net_in_core = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())?.flatten() {
                let path = entry.path();
                if path.is_dir() && !path.ends_with("src/bin") {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("banyan_net"))
                {
                    net_in_core.push(path.display().to_string());
                }
            }
        }
        let mut problems: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
        problems.extend(net_in_core.iter().map(|p| format!("{p} uses banyan_net")));
        Ok((out.status.success() && problems.is_empty() && tree.contains("rusqlite"), problems.join(", ")))
    });
    timed("release workflow (GitHub's schema)", &mut || check_workflows().map(|d| (true, d)));
    timed("policy readers for Windows and macOS (clippy)", &mut || {
        // The registry and managed-preferences readers cannot run here, but they compile and
        // pass clippy for their systems (their crate has no C build, unlike the core).
        for target in CROSS_TARGETS {
            let args = ["clippy", "-p", "banyan-policy-os", "--target", target, "--", "-D", "warnings"];
            if !status(cmd("cargo", &args))? {
                return Ok((false, format!("{target} failed")));
            }
        }
        Ok((true, CROSS_TARGETS.join(", ")))
    });
    timed("Rust tests (unit + integration)", &mut || {
        let mut args = vec!["test", "--no-fail-fast", "--color", "never"];
        args.extend(features);
        let mut c = cmd("cargo", &args);
        // The keyring test needs a session bus; dbus-run-session gives it a private one.
        c.env_remove("DBUS_SESSION_BUS_ADDRESS");
        // Sync announcements stay on loopback (network tests target only it and their own
        // namespaces).
        c.env("BANYAN_DISCOVERY", "loopback");
        let (ok, text) = capture(c)?;
        let (p, f) = count(&text);
        totals.0 += p;
        totals.1 += f;
        Ok((ok && f == 0 && p > 0, format!("{p} passed, {f} failed")))
    });
    timed("fuzz every reader (15 s each)", &mut || fuzz_readers(FuzzLimit::Seconds(15)));
    if built {
        timed("end-to-end in a real window", &mut || {
            let (ok, text) = e2e()?;
            let (p, f) = count(&text);
            totals.0 += p;
            totals.1 += f;
            Ok((ok && f == 0 && p > 0, format!("{p} passed, {f} failed")))
        });
    }
    println!("\n==== summary ====");
    for s in &steps {
        println!("{:<4} {:<34} {:>7.1}s  {}", if s.ok { "ok" } else { "FAIL" }, s.name, s.secs, s.detail);
    }
    let steps_failed = steps.iter().filter(|s| !s.ok).count() as u64;
    // The closing line CI reads: tests run, plus any failed check counted as a failure.
    println!("{} passed, {} failed", totals.0, totals.1.max(steps_failed));
    if steps_failed == 0 { Ok(()) } else { Err(format!("{steps_failed} step(s) failed")) }
}

/// A running helper process that is stopped when dropped: asked with SIGTERM (so Xvfb removes its
/// lock file), with its whole process group (so tauri-driver's WebKitWebDriver goes too).
struct Guard(std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", "--", &format!("-{pid}")]).status();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        std::thread::sleep(std::time::Duration::from_millis(300));
        // What did not stop (a WebKitWebDriver whose browser died hangs) would hold its port
        // against the next run.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends `c`'s output to the file at `path` (tauri-driver's holds the app's stderr: a panic, a
/// web view that died), and returns the path.
fn log_to(c: &mut Command, path: PathBuf) -> Result<PathBuf> {
    let log = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    c.stdout(log.try_clone().map_err(|e| e.to_string())?).stderr(log);
    Ok(path)
}

/// Starts `c` as the leader of its own process group, so [`Guard`] can stop its children too.
fn spawn_group(mut c: Command) -> Result<Guard> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        c.process_group(0);
    }
    c.spawn().map(Guard).map_err(|e| format!("{c:?}: {e}"))
}

/// A virtual display for the window when there is no real one.
fn display() -> Result<Option<Guard>> {
    if std::env::var_os("DISPLAY").is_some() && std::env::var_os("BANYAN_FORCE_XVFB").is_none() {
        return Ok(None);
    }
    // -displayfd: Xvfb picks a free display and writes its number, so a stale lock or another
    // server never makes the window open on the wrong (or no) display.
    let mut c = Command::new("Xvfb");
    c.args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut guard = spawn_group(c)?;
    let mut line = String::new();
    let stdout = guard.0.stdout.take().ok_or("Xvfb: no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).map_err(|e| format!("Xvfb: {e}"))?;
    let n: u32 = line.trim().parse().map_err(|_| format!("Xvfb did not start (said {line:?})"))?;
    // SAFETY: set before any thread that reads the environment is started by this process.
    unsafe { std::env::set_var("DISPLAY", format!(":{n}")) };
    Ok(Some(guard))
}

/// A dbus-daemon of its own with the session configuration, and its address.
fn session_bus() -> Result<(Guard, String)> {
    let mut c = Command::new("dbus-daemon");
    c.args(["--session", "--nofork", "--print-address=1", "--address=unix:tmpdir=/tmp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut guard = spawn_group(c)?;
    let stdout = guard.0.stdout.take().ok_or("dbus-daemon: no stdout")?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .map_err(|e| format!("dbus-daemon: {e}"))?;
    let address = line.trim().to_string();
    if address.is_empty() {
        return Err("dbus-daemon did not start".into());
    }
    Ok((guard, address))
}

/// Builds the app, starts a display and tauri-driver, and runs ui/e2e/run.mjs against a fresh
/// database. Screenshots of every screen in both languages go to target/e2e-screenshots.
///
/// When the window itself went away mid-run (WebKitWebDriver answers "invalid session id" once
/// the app or its web process has died, which WebKitGTK under Xvfb has done once in CI with no
/// assertion failing), the whole run is made once more from a fresh book, and both runs' counts
/// and the first run's last log lines are printed: the loss stays visible, and a test that fails
/// on its own assertion still fails.
fn e2e() -> Result<(bool, String)> {
    let driver = tauri_driver()?;
    let app = std::fs::canonicalize(build_desktop(false)?).map_err(|e| e.to_string())?;
    // The CLI too (an admin adds a user with it), with the test step's features: no rebuild.
    must(cmd("cargo", &["build", "--workspace", "--features", "banyan-desktop/custom-protocol", "--bin", "banyan"]))?;
    let cli = std::fs::canonicalize(target_dir().join("debug/banyan")).map_err(|e| e.to_string())?;
    // One display for both runs: `display` sets DISPLAY for this process, which it then reuses.
    let _display = display()?;
    let (ok, text) = e2e_run(&driver, &app, &cli)?;
    if ok || !text.contains("invalid session id") {
        return Ok((ok, text));
    }
    println!("end-to-end: the window went away mid-run (invalid session id); running every step once more");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let (ok, again) = e2e_run(&driver, &app, &cli)?;
    // Only the second run's counts are the step's result ("N passed, N failed" of the first is
    // kept out of what `count` reads).
    let first = text.lines().rev().find(|l| l.contains(" passed, ")).unwrap_or("").to_string();
    Ok((ok, format!("{again}\nfirst run, window lost: {}", first.replace(" passed, ", " ok, "))))
}

/// One run of ui/e2e/run.mjs on a fresh book, display, session bus and tauri-driver.
fn e2e_run(driver: &Path, app: &Path, cli: &Path) -> Result<(bool, String)> {
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let work = root.join("target/e2e");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let shots = root.join("target/e2e-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    // A private session bus, so the run can lock the screen the way a desktop says it did.
    let (_bus, bus) = session_bus()?;
    let mut driver = Command::new(driver);
    driver.env("DBUS_SESSION_BUS_ADDRESS", &bus);
    driver
        .args(["--port", "4444", "--native-port", "4445"])
        .env("BANYAN_DB", work.join("e2e.db"))
        .env("BANYAN_CONFIG_DIR", work.join("config"))
        // Invitations from the window listen on loopback only, on a port of the system's choice.
        .env("BANYAN_SYNC_LISTEN", "127.0.0.1:0")
        .env("BANYAN_DISCOVERY", "loopback")
        .env("BANYAN_LOG_DIR", work.join("logs"))
        // Where the app looks for IT's policies (none unless a step writes the file; debug
        // builds only): a step turns features off by policy and starts a new window.
        .env("BANYAN_POLICY_FILE", work.join("policies.json"))
        // The test CA of the e2e's update server (debug builds only add it to the OS's store).
        .env("BANYAN_UPDATE_CA", work.join("update-ca.pem"))
        .env_remove("BANYAN_PASSPHRASE")
        .env("LANG", "en_US.UTF-8");
    // Its end printed when a step fails, so a window that died in CI says why.
    let log_path = log_to(&mut driver, work.join("driver.log"))?;
    let _driver = spawn_group(driver)?;
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mut c = cmd("node", &["e2e/run.mjs"]);
    c.current_dir("ui").env("BANYAN_APP", app).env("BANYAN_SHOTS", &shots).env("BANYAN_E2E_DB", work.join("e2e.db"));
    c.env("BANYAN_CLI", cli).env("DBUS_SESSION_BUS_ADDRESS", &bus).env("BANYAN_DISCOVERY", "loopback");
    c.env("BANYAN_E2E_LOGS", work.join("logs")).env("BANYAN_LOG_DIR", work.join("logs"));
    let r = capture(c);
    if !matches!(r, Ok((true, _))) {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(60).collect();
        println!("the last lines tauri-driver and the app printed ({}):", log_path.display());
        for line in tail.iter().rev() {
            println!("  {line}");
        }
    }
    println!("end-to-end screenshots: {}", shots.display());
    r
}

/// `cargo xtask fuzz [SECONDS] [--runs N]`: every reader's fuzz target for SECONDS (default 60)
/// each, or until it has run N inputs (`--runs 10000000` is the long run; no time limit then
/// unless SECONDS is given too).
/// Sync's property test at full length: 2,000 random schedules of 3-5 desktops (`cargo xtask
/// test` runs 300 of them), 10,000 with `--long`; `--seed N` replays a run (the seed is printed).
fn sync_props(args: &[String]) -> Result {
    let n = if args.iter().any(|a| a == "--long") { "10000" } else { "2000" };
    let mut c = cmd(
        "cargo",
        &[
            "test",
            "--test",
            "it",
            "--",
            "--exact",
            "sync::desktops_that_exchange_changes_in_any_order_end_alike",
            "--nocapture",
        ],
    );
    c.env("BANYAN_SYNC_SCHEDULES", n);
    if let Some(seed) = args.iter().position(|a| a == "--seed").and_then(|i| args.get(i + 1)) {
        c.env("BANYAN_SYNC_SEED", seed);
    }
    must(c)
}

fn fuzz(args: &[String]) -> Result {
    let runs = args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok());
    let secs: Option<u64> = args.first().and_then(|s| s.parse().ok());
    let limit = match (secs, runs) {
        (_, Some(n)) => FuzzLimit::Runs(n, secs),
        (Some(s), None) => FuzzLimit::Seconds(s),
        (None, None) => FuzzLimit::Seconds(60),
    };
    let (ok, detail) = fuzz_readers(limit)?;
    println!("{detail}");
    if ok { Ok(()) } else { Err(detail) }
}

#[derive(Clone, Copy)]
enum FuzzLimit {
    Seconds(u64),
    /// Inputs per target, and an optional time cap.
    Runs(u64, Option<u64>),
}

/// The fuzz targets in fuzz/ (one per reader, built by cargo-fuzz against the `banyan-read` crate
/// only, and the sync frame decoder of `banyan-net`), each run for `secs` seconds, seeded with the import fixtures and the corpus of earlier
/// runs (target/fuzz-corpus). A finding fails the step and is kept in target/fuzz-artifacts, to be
/// copied to fuzz/regressions/, which the normal tests replay. Returns (ok, "N runs, no findings").
fn fuzz_readers(limit: FuzzLimit) -> Result<(bool, String)> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))
        .ok_or("no CARGO_HOME or HOME")?;
    if !home.join("bin/cargo-fuzz").exists() {
        must(cmd("cargo", &["install", "cargo-fuzz", "--version", "^0.13", "--locked"]))?;
    }
    let fuzz_cmd = |sub: &str, extra: &[&str]| {
        // No AddressSanitizer: the readers are safe Rust, and ASan halved the inputs per second
        // for bugs safe code cannot have. Panics, hangs, aborts and memory blow-ups are still
        // findings. No comparison tracing either: it spent half of every run inside the encoding
        // detector's byte loops; the seeds (every import fixture) already hold the magic bytes
        // and shapes it would help the fuzzer guess.
        let mut c = cmd("cargo", &["fuzz", sub, "-O", "-s", "none", "--no-trace-compares"]);
        c.args(extra);
        // cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
        c.env("RUSTC_BOOTSTRAP", "1");
        c
    };
    // One build of all targets first, so a build failure is told apart from a finding.
    if !status(fuzz_cmd("build", &[]))? {
        return Ok((false, "the fuzz targets did not build".into()));
    }
    let mut failed = Vec::new();
    let mut runs = 0u64;
    let mut rates = Vec::new();
    for target in ["read_csv", "read_xlsx", "read_json", "read_xml", "read_vcard", "net_frames"] {
        let corpus = format!("target/fuzz-corpus/{target}");
        let artifacts = format!("target/fuzz-artifacts/{target}/");
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&artifacts).map_err(|e| e.to_string())?;
        let bound = match limit {
            FuzzLimit::Seconds(s) => vec![format!("-max_total_time={s}")],
            FuzzLimit::Runs(n, cap) => {
                let mut v = vec![format!("-runs={n}")];
                v.extend(cap.map(|s| format!("-max_total_time={s}")));
                v
            }
        };
        let prefix = format!("-artifact_prefix={artifacts}");
        // The readers start from every import fixture; the sync frame decoder from its corpus.
        let mut args: Vec<&str> = vec![target, &corpus];
        if target.starts_with("read_") {
            args.push("tests/fixtures/import");
        }
        args.push("--");
        args.extend(bound.iter().map(String::as_str));
        // Inputs up to 4 KiB, libFuzzer's own default when its seeds are small: they reach every
        // parser state, and the big hostile shapes are committed fixtures the tests read whole.
        args.extend(["-max_len=4096", "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1", &prefix]);
        let started = std::time::Instant::now();
        let (ok, text) = capture(fuzz_cmd("run", &args))?;
        // libFuzzer's closing line: "Done 123456 runs in 15 second(s)".
        let done_line = text.lines().rev().find_map(|l| l.strip_prefix("Done "));
        let done = done_line.and_then(|l| l.split(' ').next()?.parse::<u64>().ok());
        runs += done.unwrap_or(0);
        // libFuzzer's own seconds (without cargo's start-up), else the wall clock.
        let secs = done_line
            .and_then(|l| l.split(' ').nth(3)?.parse::<f64>().ok())
            .unwrap_or_else(|| started.elapsed().as_secs_f64())
            .max(1.0);
        rates.push(format!(
            "{target} {} inputs in {secs:.0} s ({:.0}/s)",
            done.unwrap_or(0),
            done.unwrap_or(0) as f64 / secs
        ));
        if !ok || done.is_none() {
            failed.push(format!("{target} (inputs in {artifacts}; copy them to fuzz/regressions/)"));
        }
    }
    for r in &rates {
        println!("fuzz: {r}");
    }
    if failed.is_empty() {
        Ok((true, format!("{runs} inputs, no findings")))
    } else {
        Ok((false, format!("fuzz findings: {}", failed.join(", "))))
    }
}

fn bench(args: &[String]) -> Result {
    setup()?;
    match args.first().map(String::as_str) {
        Some(name @ ("store" | "search" | "io" | "security" | "sync" | "ops")) => {
            let mut c = cmd("cargo", &["bench", "--bench", name, "--"]);
            c.args(&args[1..]).env("BANYAN_DISCOVERY", "loopback");
            must(c)
        }
        Some("ui") => bench_ui(&args[1..]),
        other => Err(format!("unknown benchmark {other:?}; available: store, search, io, security, sync, ops, ui")),
    }
}

/// Cold start to the sign-in screen and sign-in to the first painted customer list,
/// keystroke-to-updated-list latency, and the desktop's memory after 100 searches and 50 opened
/// records, in the release build over a 100,000-customer book (`--customers N` for another size;
/// each size's book is kept in target/bench-ui and made once).
fn bench_ui(args: &[String]) -> Result {
    let customers: u64 = match args.iter().position(|a| a == "--customers") {
        Some(i) => args.get(i + 1).and_then(|n| n.parse().ok()).ok_or("--customers takes a number of customers")?,
        None => 100_000,
    };
    let driver = tauri_driver()?;
    must(cmd("cargo", &["build", "--release", "--bin", "banyan"]))?;
    let app = std::fs::canonicalize(build_desktop(true)?).map_err(|e| e.to_string())?;
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let work = root.join("target/bench-ui");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    // The 100,000-customer book keeps the name it always had, so a kept one is reused.
    let db = if customers == 100_000 { work.join("bench.db") } else { work.join(format!("bench-{customers}.db")) };
    if !db.exists() {
        let banyan = |args: &[&str]| {
            let mut c = Command::new(target_dir().join("release/banyan"));
            c.arg("--db").arg(&db).args(args).env("BANYAN_PASSPHRASE", BENCH_PASSPHRASE);
            c.env("BANYAN_USER", DEV_ADMIN).env("BANYAN_PASSWORD", DEV_ADMIN_PASSWORD);
            c.env("BANYAN_NEW_PASSWORD", DEV_ADMIN_PASSWORD);
            c
        };
        must(banyan(&["init", "--key-mode", "passphrase"]))?;
        must(banyan(&["user", "add", DEV_ADMIN, "--name", "Bench Admin", "--role", "admin"]))?;
        must(banyan(&["demo", "--customers", &customers.to_string()]))?;
    }
    // A book made by an older build is migrated (and its index rebuilt) by its first open: done
    // here, so the timed starts measure a start, not a one-time upgrade.
    // A bench book made before users gets its admin (refused, harmlessly, when it has one).
    let mut admin = Command::new(target_dir().join("release/banyan"));
    admin.arg("--db").arg(&db).args(["user", "add", DEV_ADMIN, "--name", "Bench Admin", "--role", "admin"]);
    admin.env("BANYAN_PASSPHRASE", BENCH_PASSPHRASE).env("BANYAN_NEW_PASSWORD", DEV_ADMIN_PASSWORD);
    let _ = admin
        .env("BANYAN_USER", DEV_ADMIN)
        .env("BANYAN_PASSWORD", DEV_ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let mut upgrade = Command::new(target_dir().join("release/banyan"));
    upgrade.arg("--db").arg(&db).args(["customer", "list", "--limit", "1"]).env("BANYAN_PASSPHRASE", BENCH_PASSPHRASE);
    upgrade.env("BANYAN_USER", DEV_ADMIN).env("BANYAN_PASSWORD", DEV_ADMIN_PASSWORD);
    upgrade.stdout(Stdio::null());
    must(upgrade)?;
    let _display = display()?;
    // A private session bus, so the run can lock the screen the way a desktop says it did.
    let (_bus, bus) = session_bus()?;
    let mut driver = Command::new(driver);
    driver.env("DBUS_SESSION_BUS_ADDRESS", &bus);
    driver
        .args(["--port", "4444", "--native-port", "4445"])
        .env("BANYAN_DB", &db)
        .env("BANYAN_PASSPHRASE", BENCH_PASSPHRASE)
        .env("BANYAN_CONFIG_DIR", work.join("config"))
        // With BANYAN_BENCH=1 the app prints "BENCH <moment> <ms since process start>" lines for a
        // breakdown of the start (setup, UI script, status, first page) on its stdout, which
        // WebKitWebDriver does not pass on: run the app by itself to read them.
        .env("BANYAN_BENCH", "1");
    log_to(&mut driver, work.join("driver.log"))?;
    let _driver = spawn_group(driver)?;
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mut c = cmd("node", &["e2e/bench.mjs"]);
    c.current_dir("ui").env("BANYAN_APP", &app).env("BANYAN_BENCH_CUSTOMERS", customers.to_string());
    c.env("BANYAN_BENCH_LOGIN", DEV_ADMIN).env("BANYAN_BENCH_PASSWORD", DEV_ADMIN_PASSWORD);
    must(c)
}

/// Regenerates the policy templates (ADMX/ADML, sample .mobileconfig and policies.json, the
/// reference page) from packaging/policy/policies.schema.json and locales/*/policy.ftl;
/// `--check` lists the committed ones that differ instead (the tests fail on those too).
fn policy(args: &[String]) -> Result {
    let mut a = vec!["run", "-q", "-p", "banyan-packaging", "--", "policy"];
    a.extend(args.iter().map(String::as_str));
    must(cmd("cargo", &a))
}

/// `cargo xtask dist`: the Linux packages. The UI, then one stripped release build of the app and
/// the CLI (in target/dist-build, apart from the benches' release builds), then the metadata
/// (AppStream metainfo and Debian changelog from CHANGELOG.md, the desktop entry, the man page
/// from `banyan man`), the dependencies read off the binaries (dpkg-shlibdeps for the .deb, the
/// libraries they link as rpm's soname requirements), and `tauri bundle` for .deb and .rpm with
/// no relink. Prints each package's file, size and SHA-256, and the build's time.
///
/// `--lto`: the same with fat LTO and one codegen unit (in target/dist-build-lto), to weigh its
/// size against its build time.
///
/// `--check`: then the packages' checks that run here, as a table: lintian (no error allowed)
/// and rpmlint (its findings printed). The clean-root install, upgrade and removal
/// checks are not part of it yet.
fn dist(args: &[String]) -> Result {
    let (mut lto, mut check, mut repo, mut mirror) = (false, false, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--lto" => lto = true,
            "--check" => check = true,
            "--repo" => repo = Some(PathBuf::from(it.next().ok_or("dist: --repo takes a folder")?)),
            "--mirror" => mirror = Some(it.next().ok_or("dist: --mirror takes a URL")?.clone()),
            _ => return Err(format!("dist: unknown argument {a}")),
        }
    }
    setup()?;
    let started = std::time::Instant::now();
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let build_dir = root.join(if lto { "target/dist-build-lto" } else { "target/dist-build" });
    let out = root.join("target/dist");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("meta")).map_err(|e| e.to_string())?;
    let mut ui = cmd("npm", &["run", "build"]);
    ui.current_dir("ui");
    must(ui)?;
    // The updater's signing key: its public half is built into the app, its secret signs the
    // packages the update manifest offers.
    let updater_key = UpdaterKey::get(&root)?;
    let mut build = cmd(
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "banyan-desktop",
            "-p",
            "banyan",
            "--features",
            "banyan-desktop/custom-protocol",
            "--bin",
            "banyan-desktop",
            "--bin",
            "banyan",
        ],
    );
    // What users install carries no debug info and no symbols (the benches' release builds keep
    // theirs, for perf).
    build.env("CARGO_TARGET_DIR", &build_dir);
    build.env("CARGO_PROFILE_RELEASE_DEBUG", "0").env("CARGO_PROFILE_RELEASE_STRIP", "symbols");
    build.env("BANYAN_UPDATER_PUBKEY", &updater_key.public);
    if lto {
        build.env("CARGO_PROFILE_RELEASE_LTO", "fat").env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1");
    }
    must(build)?;
    let built = std::time::Instant::now();
    let bins = [build_dir.join("release/banyan-desktop"), build_dir.join("release/banyan")];
    let meta = out.join("meta");
    let man = Command::new(&bins[1]).arg("man").output().map_err(|e| format!("banyan man: {e}"))?;
    if !man.status.success() {
        return Err("banyan man failed".into());
    }
    std::fs::write(meta.join("banyan.1"), &man.stdout).map_err(|e| e.to_string())?;
    must(cmd("gzip", &["-9nf", &meta.join("banyan.1").display().to_string()]))?;
    std::fs::write(meta.join("deb-depends"), deb_depends(&bins)?.join("\n")).map_err(|e| e.to_string())?;
    std::fs::write(meta.join("rpm-requires"), rpm_requires(&bins)?.join("\n")).map_err(|e| e.to_string())?;
    // The metainfo, changelog, desktop entry and the bundler's configuration (with the files
    // above and the CLI), written by banyan-packaging.
    let (meta_s, cli_s) = (meta.display().to_string(), bins[1].display().to_string());
    must(cmd(
        "cargo",
        &["run", "-q", "-p", "banyan-packaging", "--", "linux", &meta_s, "banyan", "Banyan.desktop", &cli_s],
    ))?;
    for name in ["changelog", "banyan-desktop.1"] {
        must(cmd("gzip", &["-9nf", &meta.join(name).display().to_string()]))?;
    }
    let config_path = meta.join("tauri.dist.json");
    let tauri = root.join("ui/node_modules/.bin/tauri");
    let mut bundle = Command::new(&tauri);
    bundle.args(["bundle", "--bundles", "deb,rpm", "--features", "custom-protocol", "--config"]).arg(&config_path);
    bundle.current_dir("src-tauri").env("CARGO_TARGET_DIR", &build_dir);
    must(bundle)?;
    let bundled = build_dir.join("release/bundle");
    let mut packages = Vec::new();
    for kind in ["deb", "rpm"] {
        for e in std::fs::read_dir(bundled.join(kind)).map_err(|e| format!("{kind}: {e}"))? {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.extension().is_some_and(|x| x == kind) {
                let to = out.join(p.file_name().expect("a file"));
                if kind == "deb" {
                    recompress_deb(&p, &to)?;
                } else {
                    std::fs::copy(&p, &to).map_err(|e| e.to_string())?;
                }
                packages.push(to);
            }
        }
    }
    println!("\n{:<44} {:>10}  SHA-256", "package", "bytes");
    for p in &packages {
        let bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let sum = Command::new("sha256sum").arg(p).output().map_err(|e| e.to_string())?;
        let sum = String::from_utf8_lossy(&sum.stdout).split_whitespace().next().unwrap_or("").to_string();
        println!("{:<44} {:>10}  {sum}", p.strip_prefix(&root).unwrap_or(p).display(), bytes);
    }
    for b in &bins {
        println!(
            "{:<44} {:>10}",
            b.strip_prefix(&root).unwrap_or(b).display(),
            std::fs::metadata(b).map(|m| m.len()).unwrap_or(0)
        );
    }
    println!(
        "release build{} {:.0} s, packages {:.0} s ({} cores)",
        if lto { " (fat LTO, 1 codegen unit)" } else { "" },
        (built - started).as_secs_f64(),
        built.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mirror = mirror.unwrap_or_else(|| "https://packages.example.internal/banyan".into());
    if let Some(dir) = &repo {
        // Signed apt and yum repositories for the company's mirror, checked by apt and rpm
        // (banyan-packaging's `repo`); the samples point at --mirror.
        let started = std::time::Instant::now();
        let mut args = vec!["run", "-q", "-p", "banyan-packaging", "--", "repo"];
        let dir_s = root.join(dir).display().to_string();
        args.extend([dir_s.as_str(), mirror.as_str()]);
        let names: Vec<String> = packages.iter().map(|p| p.display().to_string()).collect();
        args.extend(names.iter().map(String::as_str));
        must(cmd("cargo", &args))?;
        println!("repositories in {} ({:.0} s)", dir.display(), started.elapsed().as_secs_f64());
    }
    // The update manifest and the packages' signatures, for the company's update server: in
    // DIR/updates with --repo, else target/dist/updates; its addresses under --mirror.
    let updates_dir = repo.as_ref().map(|d| root.join(d)).unwrap_or_else(|| out.clone()).join("updates");
    let deb = packages.iter().find(|p| p.extension().is_some_and(|e| e == "deb")).ok_or("no .deb was made")?;
    let version = deb_version(deb)?;
    for p in &packages {
        updater_key.sign(&tauri, p, &version)?;
    }
    let mut args = vec!["run", "-q", "-p", "banyan-packaging", "--", "updates"];
    let (dir_s, base) = (updates_dir.display().to_string(), format!("{}/updates", mirror.trim_end_matches('/')));
    args.extend([dir_s.as_str(), base.as_str(), version.as_str()]);
    let names: Vec<String> = packages.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    must(cmd("cargo", &args))?;
    if updater_key.throwaway {
        println!(
            "updates signed with a throwaway key (TAURI_SIGNING_PRIVATE_KEY not set): for trying updates, not for release"
        );
    }
    if !check {
        return Ok(());
    }
    let linted = dist_check(&packages);
    let tested = clean_root(deb);
    linted?;
    tested
}

/// Tauri's .deb bundler compresses with gzip (it has no setting for it); dpkg-deb rebuilds the
/// same package with xz, as Debian's own packages are: 22.9 → 10.3 MB for the two binaries.
/// Nothing else changes (files, modes, control, scripts); owners are root's, as the bundler made
/// them.
fn recompress_deb(from: &Path, to: &Path) -> Result {
    let tree = to.with_extension("tree");
    let _ = std::fs::remove_dir_all(&tree);
    let (from_s, tree_s, to_s) = (from.display().to_string(), tree.display().to_string(), to.display().to_string());
    must(cmd("dpkg-deb", &["-R", &from_s, &tree_s]))?;
    let mut build = cmd("dpkg-deb", &["--root-owner-group", "-Zxz", "-z9", "-b", &tree_s, &to_s]);
    build.stdout(std::process::Stdio::null());
    must(build)?;
    std::fs::remove_dir_all(&tree).map_err(|e| e.to_string())
}

/// The key update packages are signed with (minisign, `tauri signer`): the company's from CI
/// secrets (`TAURI_SIGNING_PRIVATE_KEY`, its password in `TAURI_SIGNING_PRIVATE_KEY_PASSWORD`,
/// the public half in `BANYAN_UPDATER_PUBKEY`), else a throwaway one kept in target/dist-keys
/// (the same across runs, so the app is not rebuilt for a new key each time), refused on a tag.
struct UpdaterKey {
    public: String,
    /// The secret key's file, for the throwaway key (the company's comes from the environment).
    file: Option<PathBuf>,
    throwaway: bool,
}

impl UpdaterKey {
    fn get(root: &Path) -> Result<UpdaterKey> {
        if std::env::var("TAURI_SIGNING_PRIVATE_KEY").is_ok_and(|k| !k.is_empty()) {
            let public = std::env::var("BANYAN_UPDATER_PUBKEY")
                .ok()
                .filter(|k| !k.trim().is_empty())
                .ok_or("TAURI_SIGNING_PRIVATE_KEY is set: its public half must be in BANYAN_UPDATER_PUBKEY")?;
            return Ok(UpdaterKey { public: public.trim().into(), file: None, throwaway: false });
        }
        if std::env::var("GITHUB_REF_TYPE").is_ok_and(|t| t == "tag") {
            return Err("a tag build needs the company's updater key: set TAURI_SIGNING_PRIVATE_KEY".into());
        }
        let file = root.join("target/dist-keys/updater.key");
        let public_file = file.with_extension("key.pub");
        if !file.exists() || !public_file.exists() {
            std::fs::create_dir_all(file.parent().expect("a folder")).map_err(|e| e.to_string())?;
            let mut g = Command::new(root.join("ui/node_modules/.bin/tauri"));
            g.args(["signer", "generate", "--ci", "--force", "--password", "", "--write-keys"]).arg(&file);
            must(g)?;
        }
        let public = std::fs::read_to_string(&public_file).map_err(|e| format!("{}: {e}", public_file.display()))?;
        Ok(UpdaterKey { public: public.trim().into(), file: Some(file), throwaway: true })
    }

    /// Signs `package` for `version` (`tauri signer sign --app-version`): writes `package.sig`.
    fn sign(&self, tauri: &Path, package: &Path, version: &str) -> Result {
        let mut s = Command::new(tauri);
        s.args(["signer", "sign", "--app-version", version]);
        if let Some(f) = &self.file {
            s.arg("--private-key-path").arg(f).args(["--password", ""]);
            s.env_remove("TAURI_SIGNING_PRIVATE_KEY").env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD");
        }
        s.arg(package);
        must(s)
    }
}

/// The version a .deb carries (`dpkg-deb --field`): what its updater signature is bound to.
fn deb_version(deb: &Path) -> Result<String> {
    let out = Command::new("dpkg-deb").arg("--field").arg(deb).arg("Version").output().map_err(|e| e.to_string())?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || version.is_empty() {
        return Err(format!("{}: no Version field", deb.display()));
    }
    Ok(version)
}

/// The install test in a clean Debian root (see root.rs) on `deb`, with its table.
fn clean_root(deb: &Path) -> Result {
    let rows = root::check(deb)?;
    println!("\n{:<52} {:<4} seen", "clean Debian 12 root", "");
    for (name, ok, seen) in &rows {
        println!("{name:<52} {:<4} {seen}", if *ok { "ok" } else { "FAIL" });
    }
    println!("(its whole output: target/dist-root/work/check.log)");
    let failed = rows.iter().filter(|r| !r.1).count();
    if failed > 0 { Err(format!("{failed} step(s) of the clean-root install test failed")) } else { Ok(()) }
}

/// `cargo xtask install-check`: [`clean_root`] on target/dist's .deb.
fn install_check() -> Result {
    let deb = std::fs::read_dir("target/dist")
        .map_err(|_| "no target/dist: run `cargo xtask dist` first".to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .ok_or("no .deb in target/dist: run `cargo xtask dist` first")?;
    clean_root(&std::path::absolute(&deb).map_err(|e| e.to_string())?)
}

/// Installs each (tool, Debian package) whose tool is missing (`dist --check`'s, not needed by
/// `cargo xtask test`).
fn tools(list: &[(&str, &str)]) -> Result {
    for (tool, package) in list {
        if Command::new(tool).arg("--version").output().is_err() {
            must(cmd("sh", &["-c", &format!("apt-get install -y -qq {package} >/dev/null")]))?;
        }
    }
    Ok(())
}

/// lintian on the .deb (an error fails the check) and rpmlint on the .rpm, each installed from
/// Debian's packages when missing; a table of what each said.
fn dist_check(packages: &[PathBuf]) -> Result {
    tools(&[("lintian", "lintian"), ("rpmlint", "rpmlint")])?;
    let mut rows = Vec::new();
    let mut failed = false;
    for p in packages {
        let is_deb = p.extension().is_some_and(|e| e == "deb");
        let mut c = if is_deb { cmd("lintian", &["--tag-display-limit", "0"]) } else { cmd("rpmlint", &[]) };
        let out = c.arg(p).output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        println!("{text}");
        let count = |tag: &str| text.lines().filter(|l| l.starts_with(tag) || l.contains(&format!(": {tag} "))).count();
        let (errors, warnings) = (count("E:"), count("W:"));
        if is_deb && errors > 0 {
            failed = true;
        }
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        rows.push((if is_deb { "lintian" } else { "rpmlint" }, name, errors, warnings));
    }
    println!("\n{:<10} {:<36} {:>6} {:>8}", "check", "package", "errors", "warnings");
    for (tool, name, e, w) in &rows {
        println!("{tool:<10} {name:<36} {e:>6} {w:>8}");
    }
    if failed { Err("lintian found errors in the .deb".into()) } else { Ok(()) }
}

/// The .deb's Depends, as dpkg-shlibdeps reads them off the binaries (the packages of the
/// libraries they link, at the versions whose symbols they use).
fn deb_depends(bins: &[PathBuf]) -> Result<Vec<String>> {
    let dir = std::env::temp_dir().join(format!("banyan-shlibdeps-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("debian")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("debian/control"), "Source: banyan\n\nPackage: banyan\nArchitecture: any\n")
        .map_err(|e| e.to_string())?;
    let mut c = Command::new("dpkg-shlibdeps");
    c.arg("-O").args(bins.iter().map(|b| format!("-e{}", b.display()))).current_dir(&dir);
    let out = c.output().map_err(|e| format!("dpkg-shlibdeps: {e}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!("dpkg-shlibdeps: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line =
        text.lines().find_map(|l| l.strip_prefix("shlibs:Depends=")).ok_or("dpkg-shlibdeps printed no Depends")?;
    Ok(line.split(", ").map(str::to_string).collect())
}

/// The .rpm's Requires: each library the binaries link, by soname, the way rpm's own dependency
/// generator names them (`libgtk-3.so.0()(64bit)`), so any distribution's packages that provide
/// them satisfy it.
fn rpm_requires(bins: &[PathBuf]) -> Result<Vec<String>> {
    let mut out = std::collections::BTreeSet::new();
    for b in bins {
        let dump = Command::new("objdump").arg("-p").arg(b).output().map_err(|e| format!("objdump: {e}"))?;
        for line in String::from_utf8_lossy(&dump.stdout).lines() {
            if let Some(lib) = line.trim().strip_prefix("NEEDED") {
                out.insert(format!("{}()(64bit)", lib.trim()));
            }
        }
    }
    if out.is_empty() {
        return Err("objdump found no linked libraries".into());
    }
    Ok(out.into_iter().collect())
}

/// Checks .github/workflows/*.yml against GitHub's workflow schema, offline, with
/// check-jsonschema (its vendored copy of the schema) from a venv in target/tools made once.
fn check_workflows() -> Result<String> {
    let venv = std::path::absolute("target/tools/venv").map_err(|e| e.to_string())?;
    let tool = venv.join("bin/check-jsonschema");
    if !tool.exists() {
        must(cmd("python3", &["-m", "venv", &venv.display().to_string()]))?;
        must(cmd(&venv.join("bin/pip").display().to_string(), &["install", "-q", "check-jsonschema==0.39.0"]))?;
    }
    let mut files: Vec<String> = std::fs::read_dir(".github/workflows")
        .map_err(|e| format!(".github/workflows: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["--builtin-schema", "vendor.github-workflows"];
    args.extend(files.iter().map(String::as_str));
    must(cmd(&tool.display().to_string(), &args))?;
    Ok(files.join(", "))
}

/// Regenerates ui/src/lib/bindings.ts from the Rust types and commands.
fn bindings() -> Result {
    let mut c = cmd("cargo", &["test", "-p", "banyan-desktop", "--", "bindings"]);
    c.env("BANYAN_WRITE_BINDINGS", "1");
    must(c)
}
