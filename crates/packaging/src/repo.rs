//! Signed apt and yum repositories for a company's own mirror (`cargo xtask dist --repo DIR`),
//! with sample `.sources`/`.repo` files for the desktops, and the checks that apt and rpm accept
//! them (and refuse a tampered one).
//!
//! The work is Debian's and Red Hat's own tools — `apt-ftparchive` writes the indexes and the
//! Release file, `createrepo_c` the yum metadata, `rpmsign` signs each .rpm, `gpg` signs the
//! indexes, `apt-get` and `rpm` verify — run with a private GnuPG home; this module only lays the
//! files out and names them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The suite and component of the apt repository.
pub const SUITE: &str = "stable";
pub const COMPONENT: &str = "main";
/// The public key's file names in the repository's root.
pub const KEYRING: &str = "banyan-archive-keyring.gpg";
pub const KEYRING_ASC: &str = "banyan-archive-keyring.asc";
/// Where the samples tell desktops to keep the key.
pub const KEYRING_INSTALLED: &str = "/usr/share/keyrings/banyan-archive-keyring.gpg";

/// A private GnuPG home holding the signing key; its agent is stopped and the home removed when it
/// is dropped. (The home must be on a disk that takes Unix sockets, for gpg-agent: a temporary
/// folder, not a shared or network mount.)
pub struct Signer {
    pub home: PathBuf,
    /// The signing key's fingerprint.
    pub fingerprint: String,
    /// The key was made here for this run (no company key given): for trying the repository, not
    /// for release.
    pub throwaway: bool,
}

/// Where `program` is on PATH.
fn which(program: &str) -> Result<PathBuf, String> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{program} is not installed"))
}

fn run(c: &mut Command) -> Result<String, String> {
    let out = c.output().map_err(|e| format!("{:?}: {e}", c.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} {:?} failed: {}{}",
            c.get_program(),
            c.get_args().collect::<Vec<_>>(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

impl Signer {
    /// The company's key from `secret_key` (an armored private key without a passphrase, as CI
    /// secrets hold it), else a throwaway key made now; either in a new GnuPG home at `home`.
    pub fn new(home: &Path, secret_key: Option<&Path>) -> Result<Signer, String> {
        let _ = std::fs::remove_dir_all(home);
        std::fs::create_dir_all(home).map_err(|e| format!("{}: {e}", home.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o700)).map_err(|e| e.to_string())?;
        }
        let mut s = Signer { home: home.to_path_buf(), fingerprint: String::new(), throwaway: secret_key.is_none() };
        match secret_key {
            Some(k) => run(s.gpg().arg("--import").arg(k))?,
            None => run(s.gpg().args([
                "--passphrase",
                "",
                "--quick-gen-key",
                "Banyan CRM test repository key, not for release <packages@banyancrm.com>",
                "rsa3072",
                "sign",
                "1y",
            ]))?,
        };
        let listed = run(s.gpg().args(["--with-colons", "--list-secret-keys"]))?;
        s.fingerprint = listed
            .lines()
            .find_map(|l| l.strip_prefix("fpr:").map(|r| r.trim_matches(':').to_string()))
            .ok_or("the GnuPG home holds no secret key")?;
        Ok(s)
    }

    /// gpg in batch mode on this home.
    pub fn gpg(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", &self.home).args(["--batch", "--yes", "--pinentry-mode", "loopback"]);
        c
    }

    fn sign(&self, args: &[&str], file: &Path) -> Result<(), String> {
        run(self.gpg().args(["--local-user", &self.fingerprint]).args(args).arg(file)).map(|_| ())
    }
}

impl Drop for Signer {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").env("GNUPGHOME", &self.home).args(["--kill", "all"]).output();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// Makes `dir/apt` (pool, indexes, signed Release/InRelease) from `debs`, `dir/yum` (signed .rpm
/// files, createrepo_c's metadata, signed repomd.xml) from `rpms`, the public key in both forms,
/// and the samples `banyan.sources` and `banyan.repo` for a mirror at `mirror`.
pub fn make(dir: &Path, debs: &[PathBuf], rpms: &[PathBuf], signer: &Signer, mirror: &str) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    let _ = std::fs::remove_dir_all(dir);
    // apt: the pool, then the indexes apt-ftparchive reads off it.
    let apt = dir.join("apt");
    let pool = apt.join(format!("pool/{COMPONENT}/b/banyan"));
    let bin = apt.join(format!("dists/{SUITE}/{COMPONENT}/binary-amd64"));
    std::fs::create_dir_all(&pool).map_err(io)?;
    std::fs::create_dir_all(&bin).map_err(io)?;
    for d in debs {
        std::fs::copy(d, pool.join(d.file_name().ok_or("a .deb without a name")?)).map_err(io)?;
    }
    let packages = run(Command::new("apt-ftparchive").args(["packages", "pool"]).current_dir(&apt))?;
    std::fs::write(bin.join("Packages"), &packages).map_err(io)?;
    run(Command::new("gzip").args(["-9nkf"]).arg(bin.join("Packages")))?;
    let release = run(Command::new("apt-ftparchive")
        .args([
            "-o",
            "APT::FTPArchive::Release::Origin=Banyan CRM",
            "-o",
            "APT::FTPArchive::Release::Label=Banyan CRM",
            "-o",
            &format!("APT::FTPArchive::Release::Suite={SUITE}"),
            "-o",
            &format!("APT::FTPArchive::Release::Codename={SUITE}"),
            "-o",
            "APT::FTPArchive::Release::Architectures=amd64",
            "-o",
            &format!("APT::FTPArchive::Release::Components={COMPONENT}"),
            "release",
        ])
        .arg(format!("dists/{SUITE}"))
        .current_dir(&apt))?;
    let dists = apt.join(format!("dists/{SUITE}"));
    std::fs::write(dists.join("Release"), release).map_err(io)?;
    signer.sign(&["--clearsign", "-o", &dists.join("InRelease").display().to_string()], &dists.join("Release"))?;
    signer.sign(&["-abs", "-o", &dists.join("Release.gpg").display().to_string()], &dists.join("Release"))?;
    // yum: each .rpm signed, then the metadata, then its signature.
    let yum = dir.join("yum");
    std::fs::create_dir_all(&yum).map_err(io)?;
    for r in rpms {
        let to = yum.join(r.file_name().ok_or("an .rpm without a name")?);
        std::fs::copy(r, &to).map_err(io)?;
        run(Command::new("rpmsign")
            .env("GNUPGHOME", &signer.home)
            .args(["--define", &format!("_gpg_name {}", signer.fingerprint)])
            // Debian's rpm names gpg2, which Debian no longer ships under that name.
            .args(["--define", &format!("__gpg {}", which("gpg")?.display())])
            .args(["--define", "_gpg_sign_cmd_extra_args --batch --pinentry-mode loopback"])
            .arg("--addsign")
            .arg(&to))?;
    }
    run(Command::new("createrepo_c").arg("--quiet").arg(&yum))?;
    let repomd = yum.join("repodata/repomd.xml");
    signer.sign(&["--detach-sign", "--armor", "-o", &format!("{}.asc", repomd.display())], &repomd)?;
    // The public key, binary (apt's Signed-By) and armored (rpm --import, yum's gpgkey).
    let out = signer.gpg().args(["--export", &signer.fingerprint]).output().map_err(io)?;
    std::fs::write(dir.join(KEYRING), out.stdout).map_err(io)?;
    std::fs::write(dir.join(KEYRING_ASC), run(signer.gpg().args(["--armor", "--export", &signer.fingerprint]))?)
        .map_err(io)?;
    std::fs::write(dir.join("banyan.sources"), apt_sources(&format!("{mirror}/apt"), KEYRING_INSTALLED)).map_err(io)?;
    std::fs::write(dir.join("banyan.repo"), yum_repo(&format!("{mirror}/yum"), &format!("{mirror}/{KEYRING_ASC}")))
        .map_err(io)?;
    Ok(())
}

/// A deb822 `.sources` file for `/etc/apt/sources.list.d/` (the key at `keyring`).
pub fn apt_sources(uri: &str, keyring: &str) -> String {
    format!(
        "# Banyan CRM from this company's mirror. Put the key at {keyring} first.\n\
         Types: deb\nURIs: {uri}\nSuites: {SUITE}\nComponents: {COMPONENT}\nArchitectures: amd64\nSigned-By: {keyring}\n"
    )
}

/// A `.repo` file for `/etc/yum.repos.d/`: packages and metadata both checked against the key.
pub fn yum_repo(baseurl: &str, gpgkey: &str) -> String {
    format!(
        "# Banyan CRM from this company's mirror.\n[banyan]\nname=Banyan CRM\nbaseurl={baseurl}\nenabled=1\n\
         gpgcheck=1\nrepo_gpgcheck=1\ngpgkey={gpgkey}\n"
    )
}

/// apt's verdict on the repository at `dir/apt`: `apt-get update` with only it as a source (its
/// key as Signed-By, no system state touched), then the candidate version of `package`.
pub fn apt_candidate(dir: &Path, package: &str, work: &Path) -> Result<String, String> {
    // apt reads relative paths from its own folders.
    let work = &std::path::absolute(work).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(work);
    let parts = work.join("sources.list.d");
    for d in [parts.clone(), work.join("state/lists/partial"), work.join("cache/archives/partial")] {
        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
    }
    let apt = std::path::absolute(dir.join("apt")).map_err(|e| e.to_string())?;
    let keyring = std::path::absolute(dir.join(KEYRING)).map_err(|e| e.to_string())?;
    std::fs::write(
        parts.join("banyan.sources"),
        apt_sources(&format!("file:{}", apt.display()), &keyring.display().to_string()),
    )
    .map_err(|e| e.to_string())?;
    let none = work.join("sources.list");
    std::fs::write(&none, "").map_err(|e| e.to_string())?;
    let opts = |c: &mut Command| {
        c.arg("-o")
            .arg(format!("Dir::Etc::SourceList={}", none.display()))
            .arg("-o")
            .arg(format!("Dir::Etc::SourceParts={}", parts.display()))
            .arg("-o")
            .arg(format!("Dir::State={}", work.join("state").display()))
            .arg("-o")
            .arg(format!("Dir::Cache={}", work.join("cache").display()))
            .args(["-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root"])
            .env("LC_ALL", "C");
    };
    let mut update = Command::new("apt-get");
    opts(&mut update);
    update.args(["-q", "update", "-o", "APT::Update::Error-Mode=any"]);
    run(&mut update)?;
    let mut policy = Command::new("apt-cache");
    opts(&mut policy);
    let said = run(policy.args(["policy", package]))?;
    said.lines()
        .find_map(|l| l.trim().strip_prefix("Candidate:").map(|v| v.trim().to_string()))
        .filter(|v| v != "(none)")
        .ok_or_else(|| format!("apt sees no {package} in the repository: {said}"))
}

/// rpm's verdict on each signed package of `dir/yum` and gpg's on the metadata, against the
/// repository's own public key only (in a private rpm database and keyring under `work`).
pub fn yum_verified(dir: &Path, work: &Path) -> Result<Vec<String>, String> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    run(Command::new("rpm").arg("--dbpath").arg(work).arg("--import").arg(dir.join(KEYRING_ASC)))?;
    let mut said = Vec::new();
    for e in std::fs::read_dir(dir.join("yum")).map_err(|e| e.to_string())? {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.extension().is_some_and(|x| x == "rpm") {
            let out = run(Command::new("rpm").arg("--dbpath").arg(work).arg("--checksig").arg(&p).env("LC_ALL", "C"))?;
            if !out.contains("signatures OK") {
                return Err(format!("rpm does not vouch for {}: {out}", p.display()));
            }
            said.push(out.trim().to_string());
        }
    }
    let repomd = dir.join("yum/repodata/repomd.xml");
    run(Command::new("gpgv")
        .env("GNUPGHOME", work)
        .arg("--keyring")
        .arg(std::path::absolute(dir.join(KEYRING)).map_err(|e| e.to_string())?)
        .arg(format!("{}.asc", repomd.display()))
        .arg(&repomd))?;
    said.push("repodata/repomd.xml: good signature".into());
    Ok(said)
}
