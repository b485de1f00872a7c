//! `cargo xtask policy [--check]` and `cargo xtask dist` call this:
//!
//! - `banyan-packaging policy [--check]` writes the generated policy templates into the
//!   repository, or lists those that differ from what the schema and policy.ftl make and exits 1;
//! - `banyan-packaging linux DIR PACKAGE DESKTOP_FILE CLI` writes the AppStream metainfo, the
//!   Debian changelog and the desktop entry template of the Linux packages into DIR, and
//!   `tauri.dist.json`: what `tauri bundle` merges into the app's configuration (those files, the
//!   CLI binary, the man page DIR/banyan.1.gz and the dependencies in DIR/deb-depends and
//!   DIR/rpm-requires, one per line, that `cargo xtask dist` read off the binaries);
//! - `banyan-packaging repo DIR MIRROR PACKAGE...` makes the signed apt and yum repositories in
//!   DIR from the .deb and .rpm files given (the key from the file `BANYAN_REPO_KEY` names, else a
//!   throwaway one, said so), checks them with apt and rpm, and prints what they said;
//! - `banyan-packaging updates DIR BASE VERSION PACKAGE...` copies the packages and their `.sig`
//!   files into DIR and writes DIR/latest.json, the update manifest offering them from BASE with
//!   CHANGELOG.md's entry for VERSION as its notes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let r = match args.first().map(String::as_str) {
        Some("policy") => policy(&root, args.iter().any(|a| a == "--check")),
        Some("linux") if args.len() == 5 => linux(&root, Path::new(&args[1]), &args[2], &args[3], Path::new(&args[4])),
        Some("repo") if args.len() >= 4 => repo(Path::new(&args[1]), &args[2], &args[3..]),
        Some("updates") if args.len() >= 5 => updates(&root, Path::new(&args[1]), &args[2], &args[3], &args[4..]),
        _ => Err("usage: banyan-packaging policy [--check] | linux DIR PACKAGE DESKTOP_FILE CLI | repo DIR MIRROR PACKAGE... | updates DIR BASE VERSION PACKAGE...".into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("banyan-packaging: {e}");
            ExitCode::FAILURE
        }
    }
}

fn updates(root: &Path, dir: &Path, base: &str, version: &str, packages: &[String]) -> Result<(), String> {
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).map_err(|e| format!("CHANGELOG.md: {e}"))?;
    let release = banyan_packaging::linux::releases(&changelog)?
        .into_iter()
        .find(|r| r.version == version)
        .ok_or_else(|| format!("CHANGELOG.md has no entry for {version}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut signed = Vec::new();
    for p in packages.iter().map(PathBuf::from) {
        let sig_path = PathBuf::from(format!("{}.sig", p.display()));
        let sig = std::fs::read_to_string(&sig_path).map_err(|e| format!("{}: {e}", sig_path.display()))?;
        let name = p.file_name().ok_or("a package without a name")?;
        std::fs::copy(&p, dir.join(name)).map_err(|e| format!("{}: {e}", p.display()))?;
        std::fs::write(dir.join(format!("{}.sig", name.to_string_lossy())), &sig).map_err(|e| e.to_string())?;
        signed.push((p, sig));
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let text = banyan_packaging::updates::manifest(&release, &now, base, &signed)?;
    std::fs::write(dir.join("latest.json"), text).map_err(|e| e.to_string())?;
    println!("update manifest: {} (offers {version} from {base})", dir.join("latest.json").display());
    Ok(())
}

fn repo(dir: &Path, mirror: &str, packages: &[String]) -> Result<(), String> {
    use banyan_packaging::repo;
    let of = |ext: &str| -> Vec<PathBuf> {
        packages.iter().map(PathBuf::from).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()
    };
    let key = std::env::var_os("BANYAN_REPO_KEY").filter(|k| !k.is_empty()).map(PathBuf::from);
    // A tag build publishes: it refuses to sign with anything but the company's key.
    if key.is_none() && std::env::var("GITHUB_REF_TYPE").is_ok_and(|t| t == "tag") {
        return Err("a tag build needs the company's signing key: set BANYAN_REPO_KEY".into());
    }
    let work = dir.with_extension("work");
    let signer = repo::Signer::new(
        &std::env::temp_dir().join(format!("banyan-repo-gnupg-{}", std::process::id())),
        key.as_deref(),
    )?;
    repo::make(dir, &of("deb"), &of("rpm"), &signer, mirror.trim_end_matches('/'))?;
    let candidate = repo::apt_candidate(dir, "banyan", &work.join("apt"))?;
    println!("apt: signature good, banyan {candidate} offered ({})", dir.join("apt").display());
    for line in repo::yum_verified(dir, &work.join("rpm"))? {
        println!("yum: {line}");
    }
    println!("samples: {} and {}", dir.join("banyan.sources").display(), dir.join("banyan.repo").display());
    if signer.throwaway {
        println!("signed with a throwaway key (BANYAN_REPO_KEY not set): for trying the repository, not for release");
        std::fs::write(
            dir.join("UNSIGNED-TEST-KEY.txt"),
            "Signed with a throwaway key made by `cargo xtask dist --repo`, not the company's: do not publish.\n",
        )
        .map_err(|e| e.to_string())?;
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
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
