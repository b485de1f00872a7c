//! The signed repositories `cargo xtask dist --repo` makes, built here from a small .deb and .rpm
//! of the same names (the real ones take a release build): apt and rpm accept them with the
//! repository's key and nothing else, and refuse them once a byte is changed.

use banyan_packaging::repo;
use std::path::{Path, PathBuf};
use std::process::Command;

fn must(c: &mut Command) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("{:?}: {e}", c.get_program()));
    assert!(
        out.status.success(),
        "{:?}: {}{}",
        c.get_program(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A .deb called banyan, version `version`, holding one file.
fn deb(dir: &Path, version: &str) -> PathBuf {
    let root = dir.join(format!("deb-{version}"));
    std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(root.join("usr/share/doc/banyan")).unwrap();
    std::fs::write(root.join("usr/share/doc/banyan/README"), "test package\n").unwrap();
    std::fs::write(
        root.join("DEBIAN/control"),
        format!(
            "Package: banyan\nVersion: {version}\nArchitecture: amd64\nMaintainer: Banyan CRM Packaging <packages@banyancrm.com>\nDescription: test package\n"
        ),
    )
    .unwrap();
    let out = dir.join(format!("banyan_{version}_amd64.deb"));
    must(Command::new("dpkg-deb").args(["--root-owner-group", "--build"]).arg(&root).arg(&out));
    out
}

/// An .rpm called banyan, version `version`.
fn rpm(dir: &Path, version: &str) -> PathBuf {
    let top = dir.join("rpmbuild");
    std::fs::create_dir_all(top.join("SPECS")).unwrap();
    let spec = top.join("SPECS/banyan.spec");
    std::fs::write(
        &spec,
        format!(
            "Name: banyan\nVersion: {version}\nRelease: 1\nSummary: test package\nLicense: LicenseRef-Proprietary\nBuildArch: x86_64\n%description\ntest package\n%files\n"
        ),
    )
    .unwrap();
    must(Command::new("rpmbuild").arg("--define").arg(format!("_topdir {}", top.display())).args(["-bb"]).arg(&spec));
    top.join(format!("RPMS/x86_64/banyan-{version}-1.x86_64.rpm"))
}

#[test]
fn the_repositories_verify_with_their_key_and_refuse_a_changed_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (d, r) = (deb(dir.path(), "0.1.0"), rpm(dir.path(), "0.1.0"));
    let signer = repo::Signer::new(&dir.path().join("gnupg"), None).unwrap();
    assert!(signer.throwaway && signer.fingerprint.len() == 40, "{}", signer.fingerprint);
    // The company's key, as CI's secret holds it (armored, no passphrase), signs the same way.
    let secret = dir.path().join("company-key.asc");
    std::fs::write(
        &secret,
        signer.gpg().args(["--armor", "--export-secret-keys", &signer.fingerprint]).output().unwrap().stdout,
    )
    .unwrap();
    let company = repo::Signer::new(&dir.path().join("gnupg-company"), Some(&secret)).unwrap();
    assert!(!company.throwaway && company.fingerprint == signer.fingerprint);
    drop(company);
    let out = dir.path().join("mirror");
    repo::make(&out, &[d], &[r], &signer, "https://mirror.example.test/banyan").unwrap();

    assert_eq!(repo::apt_candidate(&out, "banyan", &dir.path().join("apt")).unwrap(), "0.1.0");
    let said = repo::yum_verified(&out, &dir.path().join("rpmdb")).unwrap();
    assert!(said.iter().any(|l| l.contains("banyan-0.1.0-1.x86_64.rpm") && l.contains("signatures OK")), "{said:?}");
    let sources = std::fs::read_to_string(out.join("banyan.sources")).unwrap();
    assert!(
        sources.contains("URIs: https://mirror.example.test/banyan/apt")
            && sources.contains("Signed-By: /usr/share/keyrings/banyan-archive-keyring.gpg"),
        "{sources}"
    );
    let yum = std::fs::read_to_string(out.join("banyan.repo")).unwrap();
    assert!(
        yum.contains("baseurl=https://mirror.example.test/banyan/yum")
            && yum.contains("repo_gpgcheck=1")
            && yum.contains("gpgcheck=1"),
        "{yum}"
    );

    // Another key: apt refuses the repository (the signature is not from a key it was given).
    let other = repo::Signer::new(&dir.path().join("gnupg-other"), None).unwrap();
    let keyring = out.join(repo::KEYRING);
    let ours = std::fs::read(&keyring).unwrap();
    let theirs = other.gpg().args(["--export", &other.fingerprint]).output().unwrap().stdout;
    std::fs::write(&keyring, &theirs).unwrap();
    let e = repo::apt_candidate(&out, "banyan", &dir.path().join("apt")).unwrap_err();
    assert!(e.contains("NO_PUBKEY") && e.contains("is not signed"), "{e}");
    std::fs::write(&keyring, &ours).unwrap();

    // A package index changed after signing: apt refuses it.
    let packages = out.join("apt/dists/stable/main/binary-amd64/Packages");
    let mut text = std::fs::read_to_string(&packages).unwrap();
    text = text.replace("Version: 0.1.0", "Version: 0.1.1");
    std::fs::write(&packages, text).unwrap();
    // Compressed again, as apt fetches the .gz (the Release file's hashes are the old ones).
    must(Command::new("gzip").arg("-9nkf").arg(&packages));
    let e = repo::apt_candidate(&out, "banyan", &dir.path().join("apt")).unwrap_err();
    assert!(e.contains("Packages.gz  Hash Sum mismatch") || e.contains("Packages.gz  File has unexpected size"), "{e}");

    // A signed package with a byte changed: rpm refuses it.
    let signed = std::fs::read_dir(out.join("yum"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "rpm"))
        .unwrap();
    let mut bytes = std::fs::read(&signed).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&signed, bytes).unwrap();
    assert!(repo::yum_verified(&out, &dir.path().join("rpmdb")).is_err(), "a changed .rpm verified");
}
