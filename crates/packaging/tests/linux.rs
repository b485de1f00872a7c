//! The Linux packages' metadata passes the tools distributions check it with (appstreamcli,
//! desktop-file-validate), and the changelog has the version being packaged.

use banyan_packaging::linux::{self, APP_ID};
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn releases() -> Vec<linux::Release> {
    linux::releases(&std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap()).unwrap()
}

/// Runs a validator the tests' setup installs (`cargo xtask test` installs appstream and
/// desktop-file-utils); its output when it refuses.
fn validate(tool: &str, args: &[&str], file: &Path) {
    let out = Command::new(tool).args(args).arg(file).output().unwrap_or_else(|e| panic!("{tool}: {e}"));
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{tool} refused {}:\n{said}", file.display());
}

#[test]
fn the_changelog_has_the_version_the_packages_carry_and_its_releases_are_newest_first() {
    let cargo = std::fs::read_to_string(root().join("src-tauri/Cargo.toml")).unwrap();
    let version = cargo.lines().find_map(|l| l.strip_prefix("version = ")).unwrap().trim_matches('"');
    let r = releases();
    assert_eq!(r[0].version, version, "CHANGELOG.md's newest release is not the app's version");
    assert!(r.windows(2).all(|w| w[0].date >= w[1].date), "releases are newest first");
    assert!(r.iter().all(|r| !r.items.is_empty()), "a release with nothing in it");
    let bad = linux::releases("# Changelog\n\n## 0.2.0 - 2026-13-01\n- x\n").unwrap_err();
    assert!(bad.contains("line 3"), "{bad}");
}

#[test]
fn the_metainfo_passes_appstream_validation_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{APP_ID}.metainfo.xml"));
    let text = linux::metainfo("Banyan.desktop", &releases()).unwrap();
    assert!(text.contains("<name xml:lang=\"zh-CN\">Banyan 客户管理</name>"), "{text}");
    assert!(text.contains(&format!("<release version=\"{}\"", releases()[0].version)), "{text}");
    std::fs::write(&path, text).unwrap();
    validate("appstreamcli", &["validate", "--no-net"], &path);
}

#[test]
fn the_desktop_entry_passes_desktop_file_validate_once_the_bundler_fills_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Banyan.desktop");
    let entry = linux::desktop_entry().replace("{{exec}}", "banyan-desktop").replace("{{icon}}", "banyan-desktop");
    assert!(entry.contains("Name[zh_CN]=Banyan 客户管理"), "{entry}");
    std::fs::write(&path, entry).unwrap();
    validate("desktop-file-validate", &[], &path);
}

#[test]
fn the_debian_changelog_is_in_debians_form() {
    let text = linux::debian_changelog("banyan", &releases());
    let first = text.lines().next().unwrap();
    assert_eq!(first, format!("banyan ({}) unstable; urgency=medium", releases()[0].version));
    assert!(text.contains(&format!(" -- {}  ", linux::MAINTAINER)), "{text}");
    let mut items = text.lines().filter(|l| l.starts_with("  "));
    assert!(items.all(|l| l.chars().count() <= 80), "item lines over 80 columns (lintian):\n{text}");
    // dpkg-parsechangelog reads it as Debian's tools will.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("changelog"), &text).unwrap();
    let out = Command::new("dpkg-parsechangelog").arg("-l").arg(dir.path().join("changelog")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed = String::from_utf8_lossy(&out.stdout);
    assert!(parsed.contains(&format!("Version: {}", releases()[0].version)), "{parsed}");
    let first = &releases()[0].items[0];
    assert!(
        parsed.split_whitespace().collect::<Vec<_>>().join(" ").contains(first.as_str()),
        "an item lost in wrapping"
    );
}

/// What `tauri bundle --config` merges into the app's configuration is what Tauri's own config
/// types take (they refuse unknown keys, so a misspelt one fails here, not silently in a
/// package), and carries the CLI, its man page, the metainfo and the copyright file.
#[test]
fn the_bundlers_configuration_loads_with_tauris_own_types_and_carries_the_cli() {
    fn merge(base: &mut serde_json::Value, patch: &serde_json::Value) {
        match (base, patch) {
            (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
                for (k, v) in p {
                    merge(b.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                }
            }
            (b, p) => *b = p.clone(),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let bundle = linux::Bundle {
        package: "banyan",
        dir: dir.path(),
        cli: Path::new("/build/release/banyan"),
        copyright: &root().join("packaging/linux/copyright"),
        deb_depends: vec!["libc6 (>= 2.34)".into(), "libwebkit2gtk-4.1-0 (>= 2.40)".into()],
        rpm_requires: vec!["libwebkit2gtk-4.1.so.0()(64bit)".into()],
    };
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("src-tauri/tauri.conf.json")).unwrap()).unwrap();
    merge(&mut config, &linux::tauri_config(&bundle));
    let parsed: tauri_utils::config::Config =
        serde_json::from_value(config).expect("Tauri takes the merged configuration");
    let deb = &parsed.bundle.linux.deb;
    assert_eq!(parsed.identifier, APP_ID);
    assert_eq!(deb.depends.as_deref(), Some(&bundle.deb_depends[..]));
    assert_eq!(deb.recommends.as_deref(), Some(&[linux::CJK_FONT_DEB.to_string()][..]));
    let files: Vec<String> = deb.files.keys().map(|k| k.display().to_string()).collect();
    for wanted in [
        "/usr/bin/banyan",
        "/usr/share/man/man1/banyan.1.gz",
        "/usr/share/man/man1/banyan-desktop.1.gz",
        "/usr/share/metainfo/com.banyancrm.desktop.metainfo.xml",
        "/usr/share/doc/banyan/copyright",
    ] {
        assert!(files.iter().any(|f| f == wanted), "the .deb lacks {wanted}: {files:?}");
    }
    let rpm = &parsed.bundle.linux.rpm;
    assert_eq!(rpm.depends.as_deref(), Some(&bundle.rpm_requires[..]));
    assert_eq!(rpm.recommends.as_deref(), Some(&[linux::CJK_FONT_RPM.to_string()][..]));
    assert!(rpm.files.keys().any(|k| k == Path::new("/usr/bin/banyan")));
    assert!(deb.desktop_template.is_some() && rpm.desktop_template.is_some());
    assert!(files.iter().any(|f| f == "/usr/share/doc/banyan/changelog.gz"), "{files:?}");
}

#[test]
fn the_desktop_apps_manual_page_renders_with_man() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("banyan-desktop.1");
    std::fs::write(&path, linux::desktop_man_page("0.1.0")).unwrap();
    let out = Command::new("man").arg("-l").arg(&path).env("MANWIDTH", "100").output().expect("man (man-db)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("banyan-desktop - Offline-first"), "{text}");
    for section in ["SYNOPSIS", "OPTIONS", "ENVIRONMENT", "FILES", "BANYAN_DB", "/etc/banyan/policies.json"] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
}

#[test]
fn the_packages_long_description_keeps_every_word_on_lines_of_at_most_79_characters() {
    let text = banyan::i18n::Localizer::new(banyan::i18n::Lang::EnUs).t("app-description-1");
    assert!(text.chars().count() > 79, "the description fits one line: nothing to check");
    let wrapped = linux::wrap(&text, 79);
    assert!(wrapped.lines().count() > 1, "{wrapped}");
    assert!(wrapped.lines().all(|l| l.chars().count() <= 79), "{wrapped}");
    assert_eq!(wrapped.split_whitespace().collect::<Vec<_>>(), text.split_whitespace().collect::<Vec<_>>());
}
