//! The update manifest (`latest.json`) `cargo xtask dist` writes for tauri-plugin-updater: the
//! release's version, notes (CHANGELOG.md's entry) and date, and for each package a platform key
//! as the updater looks it up (`{os}-{arch}-{installer}`), its address on the company's server
//! and its signature (the `.sig` file `tauri signer sign --app-version` wrote beside it, which the
//! app checks against the public key built into it). `--mirror URL` sets the server.

use crate::linux::Release;
use std::path::{Path, PathBuf};

/// The updater's platform key of a package file, by its kind; none for a file it does not take.
pub fn platform_of(file: &Path) -> Option<&'static str> {
    let name = file.file_name()?.to_str()?;
    Some(match () {
        _ if name.ends_with(".deb") => "linux-x86_64-deb",
        _ if name.ends_with(".rpm") => "linux-x86_64-rpm",
        _ if name.ends_with(".AppImage") => "linux-x86_64-appimage",
        _ if name.ends_with("-setup.exe") => "windows-x86_64-nsis",
        _ if name.ends_with(".msi") => "windows-x86_64-msi",
        _ if name.ends_with(".app.tar.gz") => "darwin-universal-app",
        _ => return None,
    })
}

/// The manifest offering `release` from `base` (the folder on the company's server the packages
/// are in), for each (package, its signature text); `pub_date` in RFC 3339.
pub fn manifest(
    release: &Release,
    pub_date: &str,
    base: &str,
    packages: &[(PathBuf, String)],
) -> Result<String, String> {
    let mut platforms = serde_json::Map::new();
    for (file, signature) in packages {
        let key = platform_of(file).ok_or_else(|| format!("{}: not a package the updater takes", file.display()))?;
        let name = file.file_name().and_then(|n| n.to_str()).ok_or("a package without a name")?;
        if signature.trim().is_empty() {
            return Err(format!("{name}: its signature is empty"));
        }
        let url = format!("{}/{}", base.trim_end_matches('/'), name);
        platforms.insert(key.into(), serde_json::json!({ "url": url, "signature": signature.trim() }));
    }
    if platforms.is_empty() {
        return Err("no package to offer".into());
    }
    let notes: Vec<String> = release.items.iter().map(|i| format!("- {i}")).collect();
    let doc = serde_json::json!({
        "version": release.version,
        "notes": notes.join("\n"),
        "pub_date": pub_date,
        "platforms": platforms,
    });
    Ok(serde_json::to_string_pretty(&doc).expect("JSON serializes") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_offers_each_package_at_the_mirror_with_its_signature() {
        let release = Release { version: "0.2.0".into(), date: "2026-12-07".into(), items: vec!["Updates.".into()] };
        let packages = vec![
            (PathBuf::from("target/dist/Banyan_0.2.0_amd64.deb"), "c2lnMQ==\n".to_string()),
            (PathBuf::from("target/dist/Banyan-0.2.0-1.x86_64.rpm"), "c2lnMg==".to_string()),
        ];
        let text = manifest(&release, "2026-12-07T10:00:00Z", "https://mirror.example.com/banyan/updates/", &packages)
            .unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(m["version"], "0.2.0");
        assert_eq!(m["notes"], "- Updates.");
        assert_eq!(
            m["platforms"]["linux-x86_64-deb"]["url"],
            "https://mirror.example.com/banyan/updates/Banyan_0.2.0_amd64.deb"
        );
        assert_eq!(m["platforms"]["linux-x86_64-deb"]["signature"], "c2lnMQ==");
        assert_eq!(m["platforms"]["linux-x86_64-rpm"]["signature"], "c2lnMg==");
        // A file the updater does not take, or one without a signature, is an error, not a gap.
        let odd = vec![(PathBuf::from("Banyan.zip"), "x".to_string())];
        assert!(manifest(&release, "", "https://m", &odd).unwrap_err().contains("Banyan.zip"));
        let unsigned = vec![(PathBuf::from("a.deb"), " ".to_string())];
        assert!(manifest(&release, "", "https://m", &unsigned).unwrap_err().contains("signature"));
    }
}
