//! `cargo xtask policy [--check]` and `cargo xtask dist` call this:
//!
//! - `banyan-packaging policy [--check]` writes the generated policy templates into the
//!   repository, or lists those that differ from what the schema and policy.ftl make and exits 1;
//! - `banyan-packaging linux DIR PACKAGE DESKTOP_FILE CLI` writes the AppStream metainfo, the
//!   Debian changelog and the desktop entry template of the Linux packages into DIR, and
//!   `tauri.dist.json`: what `tauri bundle` merges into the app's configuration (those files, the
//!   CLI binary, the man page DIR/banyan.1.gz and the dependencies in DIR/deb-depends and
//!   DIR/rpm-requires, one per line, that `cargo xtask dist` read off the binaries).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let r = match args.first().map(String::as_str) {
        Some("policy") => policy(&root, args.iter().any(|a| a == "--check")),
        Some("linux") if args.len() == 5 => linux(&root, Path::new(&args[1]), &args[2], &args[3], Path::new(&args[4])),
        _ => Err("usage: banyan-packaging policy [--check] | linux DIR PACKAGE DESKTOP_FILE CLI".into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("banyan-packaging: {e}");
            ExitCode::FAILURE
        }
    }
}

fn policy(root: &Path, check: bool) -> Result<(), String> {
    let mut stale = 0;
    for (path, text) in banyan_packaging::policy::generate()? {
        let at = root.join(&path);
        let same = std::fs::read_to_string(&at).is_ok_and(|t| t == text);
        if check {
            if !same {
                eprintln!("{} differs from what `cargo xtask policy` generates", path.display());
                stale += 1;
            }
            continue;
        }
        if same {
            println!("{} (unchanged)", path.display());
            continue;
        }
        at.parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&at, &text))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        println!("{} ({} bytes)", path.display(), text.len());
    }
    if stale > 0 { Err(format!("{stale} policy template(s) are stale: run `cargo xtask policy`")) } else { Ok(()) }
}

fn linux(root: &Path, out: &Path, package: &str, desktop_file: &str, cli: &Path) -> Result<(), String> {
    use banyan_packaging::linux;
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).map_err(|e| format!("CHANGELOG.md: {e}"))?;
    let releases = linux::releases(&changelog)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: String| {
        let at = out.join(name);
        std::fs::write(&at, text).map_err(|e| format!("{}: {e}", at.display()))?;
        println!("{}", at.display());
        Ok::<(), String>(())
    };
    write(&format!("{}.metainfo.xml", linux::APP_ID), linux::metainfo(desktop_file, &releases)?)?;
    write("changelog", linux::debian_changelog(package, &releases))?;
    write("banyan.desktop", linux::desktop_entry())?;
    let version = releases.first().map(|r| r.version.clone()).unwrap_or_default();
    write("banyan-desktop.1", linux::desktop_man_page(&version))?;
    let lines = |name: &str| -> Result<Vec<String>, String> {
        let text = std::fs::read_to_string(out.join(name)).map_err(|e| format!("{name}: {e}"))?;
        Ok(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect())
    };
    let config = linux::tauri_config(&linux::Bundle {
        package,
        dir: out,
        cli,
        copyright: &root.join("packaging/linux/copyright"),
        deb_depends: lines("deb-depends")?,
        rpm_requires: lines("rpm-requires")?,
    });
    write("tauri.dist.json", serde_json::to_string_pretty(&config).expect("JSON serializes"))
}
