//! `cargo xtask dist --check`'s install test: the .deb in a clean Debian 12 root, from a signed
//! local apt repository holding versions N and N+1 (the same binaries, the version bumped), the
//! way a company's desktops get it: install, a book made with the CLI as a normal user, the
//! installed app started under Xvfb in Chinese (its log says the book opened; a screenshot is kept
//! in target/dist/clean-root.png, where the recommended CJK font shows; strace sees no network
//! connection; the web process runs without its bubblewrap sandbox, which a chroot cannot give), a policy file that changes behaviour, the update
//! policies against a loopback HTTPS server whose test CA only the root trusts ("notify" logs the
//! offer of N+1; "off" makes not one connection to it), the upgrade to N+1 opening the same
//! book, remove (data kept) and reinstall, purge (data still kept).
//!
//! The root comes from `debootstrap` once and is kept as a tarball in target/dist-root (each run
//! unpacks a fresh copy); the packages apt downloads for it stay in target/dist-root/archives.
//! Everything runs in a private mount namespace (`unshare`), so a run that stops leaves no
//! mount behind.

use super::{Result, cmd, must, tools};
use std::path::Path;
use std::process::Command;

const PASSPHRASE: &str = "clean root passphrase 2026";
const ADMIN: &str = "desk.admin";
const ADMIN_PW: &str = "Clean root admin 2026";

/// Runs the install test on `deb`; the table of steps (name, passed, what was seen).
pub fn check(deb: &Path) -> Result<Vec<(String, bool, String)>> {
    tools(&[("debootstrap", "debootstrap"), ("xwdtopnm", "netpbm"), ("unshare", "util-linux")])?;
    let root_dir = std::path::absolute("target/dist-root").map_err(|e| e.to_string())?;
    std::fs::create_dir_all(root_dir.join("archives/partial")).map_err(|e| e.to_string())?;
    let base = root_dir.join("bookworm-base.tar");
    if !base.exists() {
        let fresh = root_dir.join("bootstrap");
        let _ = std::fs::remove_dir_all(&fresh);
        must(cmd(
            "debootstrap",
            &[
                "--variant=minbase",
                "--include=ca-certificates,xvfb,xauth,strace,dbus,x11-apps,passwd,procps",
                "bookworm",
                &fresh.display().to_string(),
                "http://deb.debian.org/debian",
            ],
        ))?;
        must(cmd("tar", &["-C", &fresh.display().to_string(), "-cf", &base.display().to_string(), "."]))?;
        let _ = std::fs::remove_dir_all(&fresh);
    }
    let root = root_dir.join("root");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    must(cmd("tar", &["-C", &root.display().to_string(), "-xf", &base.display().to_string()]))?;

    // Versions N and N+1: the same package with the version bumped.
    let work = root_dir.join("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let unpacked = work.join("next");
    must(cmd("dpkg-deb", &["-R", &deb.display().to_string(), &unpacked.display().to_string()]))?;
    let control = unpacked.join("DEBIAN/control");
    let text = std::fs::read_to_string(&control).map_err(|e| e.to_string())?;
    let version = text.lines().find_map(|l| l.strip_prefix("Version: ")).ok_or("no Version in the .deb")?.to_string();
    let next = bump(&version)?;
    std::fs::write(&control, text.replace(&format!("Version: {version}"), &format!("Version: {next}")))
        .map_err(|e| e.to_string())?;
    let next_deb = work.join(format!("banyan_{next}_amd64.deb"));
    must(cmd(
        "dpkg-deb",
        &["--root-owner-group", "-b", &unpacked.display().to_string(), &next_deb.display().to_string()],
    ))?;
    let repo = work.join("repo");
    must(cmd(
        "cargo",
        &[
            "run",
            "-q",
            "-p",
            "banyan-packaging",
            "--",
            "repo",
            &repo.display().to_string(),
            "file:/srv/banyan",
            &deb.display().to_string(),
            &next_deb.display().to_string(),
        ],
    ))?;

    // The company's update server: HTTPS on loopback (the root shares this machine's network)
    // with a certificate from a test CA that only the root is told to trust, offering N+1.
    let server = UpdateServer::start(&work, &next, &next_deb)?;

    let script = work.join("check.sh");
    std::fs::write(&script, script_text(&version, &next, server.port)).map_err(|e| e.to_string())?;
    let inner = format!(
        "set -e
         mount -t proc proc {r}/proc
         mount --rbind /dev {r}/dev
         mount -t tmpfs tmpfs {r}/tmp
         mkdir -p {r}/srv/banyan {r}/var/cache/apt/archives
         mount --bind {repo} {r}/srv/banyan
         mount --bind {archives} {r}/var/cache/apt/archives
         cp {script} {r}/tmp/check.sh
         cp {ca} {r}/usr/local/share/ca-certificates/banyan-test-update-ca.crt
         cp /etc/resolv.conf {r}/etc/resolv.conf
         chroot {r} /bin/sh /tmp/check.sh
         cp {r}/tmp/shot.xwd {work}/shot.xwd 2>/dev/null || true",
        r = root.display(),
        repo = repo.display(),
        archives = root_dir.join("archives").display(),
        script = script.display(),
        work = work.display(),
        ca = server.ca.display(),
    );
    let started = std::time::Instant::now();
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &inner])
        .output()
        .map_err(|e| format!("unshare: {e}"))?;
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    std::fs::write(work.join("check.log"), format!("{said}\n--- stderr\n{}", String::from_utf8_lossy(&out.stderr)))
        .map_err(|e| e.to_string())?;
    let mut rows = steps(&said);
    drop(server);
    rows.push(("whole check".into(), out.status.success(), format!("{:.0} s", started.elapsed().as_secs_f64())));
    // The window as the installed app drew it, kept beside the packages.
    let shot = work.join("shot.xwd");
    if shot.exists() {
        let png = std::path::absolute("target/dist/clean-root.png").map_err(|e| e.to_string())?;
        let converted = Command::new("sh")
            .arg("-c")
            .arg(format!("xwdtopnm '{}' 2>/dev/null | pnmtopng > '{}'", shot.display(), png.display()))
            .status();
        let kept = if converted.is_ok_and(|s| s.success()) { png } else { shot };
        rows.push(("screenshot".into(), true, kept.display().to_string()));
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(rows)
}

/// An HTTPS server (Python's, on the host) serving `work`/updates: latest.json offering `next`
/// (the .deb of N+1 with its updater signature), its requests logged in requests.log.
struct UpdateServer {
    port: u16,
    ca: std::path::PathBuf,
    child: std::process::Child,
}

impl UpdateServer {
    fn start(work: &Path, next: &str, next_deb: &Path) -> Result<UpdateServer> {
        let dir = work.join("updates");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let f = |n: &str| work.join(n).display().to_string();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        let mut args = vec!["req", "-x509"];
        args.extend(ec);
        let (ca_key, ca, key, csr, crt, ext) =
            (f("ca.key"), f("ca.pem"), f("server.key"), f("server.csr"), f("server.pem"), f("server.ext"));
        args.extend(["-keyout", &ca_key, "-out", &ca, "-days", "2", "-subj", "/CN=Banyan clean-root update CA"]);
        must(cmd("openssl", &args))?;
        let mut args = vec!["req"];
        args.extend(ec);
        args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=127.0.0.1"]);
        must(cmd("openssl", &args))?;
        std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").map_err(|e| e.to_string())?;
        must(cmd(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-out",
                &crt,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        ))?;
        // The N+1 package and its updater signature, as `dist` signs the packages.
        let name = next_deb.file_name().and_then(|n| n.to_str()).ok_or("a package without a name")?.to_string();
        std::fs::copy(next_deb, dir.join(&name)).map_err(|e| e.to_string())?;
        let key_file = std::path::absolute("target/dist-keys/updater.key").map_err(|e| e.to_string())?;
        let mut sign = Command::new(std::path::absolute("ui/node_modules/.bin/tauri").map_err(|e| e.to_string())?);
        sign.args(["signer", "sign", "--app-version", next, "--password", "", "--private-key-path"]);
        sign.arg(&key_file).arg(dir.join(&name));
        sign.env_remove("TAURI_SIGNING_PRIVATE_KEY").env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD");
        must(sign)?;
        let sig = std::fs::read_to_string(dir.join(format!("{name}.sig"))).map_err(|e| e.to_string())?;
        let script = r#"
import http.server, os, ssl, sys
d, cert, key = sys.argv[1:4]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=d, **k)
    def log_message(self, *a):
        with open(os.path.join(d, "requests.log"), "a") as f: f.write(self.path + "\n")
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(cert, key)
s.socket = c.wrap_socket(s.socket, server_side=True)
with open(os.path.join(d, "port.tmp"), "w") as f: f.write(str(s.server_address[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
s.serve_forever()
"#;
        let child = Command::new("python3")
            .args(["-c", script])
            .arg(&dir)
            .arg(&crt)
            .arg(&key)
            .spawn()
            .map_err(|e| format!("python3: {e}"))?;
        let mut port = None;
        for _ in 0..100 {
            if let Ok(p) = std::fs::read_to_string(dir.join("port")) {
                port = p.trim().parse().ok();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let mut server = UpdateServer { port: 0, ca: work.join("ca.pem"), child };
        server.port = port.ok_or("the update server did not start")?;
        let manifest = format!(
            r#"{{"version": "{next}", "notes": "- The clean-root check's N+1.", "pub_date": "2026-12-07T00:00:00Z",
  "platforms": {{"linux-x86_64-deb": {{"url": "https://127.0.0.1:{}/{name}", "signature": "{}"}}}}}}"#,
            server.port,
            sig.trim()
        );
        std::fs::write(dir.join("latest.json"), manifest).map_err(|e| e.to_string())?;
        Ok(server)
    }
}

impl Drop for UpdateServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// "0.1.0" → "0.1.1".
fn bump(version: &str) -> Result<String> {
    let (head, last) = version.rsplit_once('.').ok_or("a version without a dot")?;
    let n: u32 = last.parse().map_err(|_| format!("version {version}"))?;
    Ok(format!("{head}.{}", n + 1))
}

/// The steps' results from the script's output: "== NAME", its output, "exit N".
fn steps(said: &str) -> Vec<(String, bool, String)> {
    let mut rows = Vec::new();
    let mut lines = said.lines().peekable();
    while let Some(l) = lines.next() {
        let Some(name) = l.strip_prefix("== ") else { continue };
        let mut body = Vec::new();
        let mut code = None;
        while let Some(l) = lines.next_if(|l| !l.starts_with("== ")) {
            match l.strip_prefix("exit ") {
                Some(c) => code = c.trim().parse::<i32>().ok(),
                None => body.push(l),
            }
        }
        let last = body.iter().rev().find(|l| !l.trim().is_empty()).map_or("", |l| l.trim());
        rows.push((name.to_string(), code == Some(0), last.chars().take(90).collect()));
    }
    rows
}

/// The script run inside the root: each step prints "== NAME", what it saw, "exit N"; a step that
/// fails does not stop the later ones (each says what it found).
fn script_text(version: &str, next: &str, port: u16) -> String {
    format!(
        r#"export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
step() {{ name="$1"; shift; echo "== $name"; ( "$@" ) 2>&1; echo "exit $?"; }}
as_clerk() {{ su clerk -s /bin/sh -c "export HOME=/home/clerk BANYAN_PASSPHRASE='{PASSPHRASE}' BANYAN_USER={ADMIN} BANYAN_PASSWORD='{ADMIN_PW}'; $1"; }}
book=/home/clerk/.local/share/com.banyancrm.desktop/banyan.db
printf '#!/bin/sh\nbanyan --json customer list --limit 1000000 | grep -o createdAt | wc -l\n' > /usr/local/bin/count-customers
chmod 755 /usr/local/bin/count-customers
echo 'Acquire::Check-Valid-Until "false";' > /etc/apt/apt.conf.d/99banyan-check
cp /srv/banyan/banyan-archive-keyring.gpg /usr/share/keyrings/
sed 's|^URIs: .*|URIs: file:/srv/banyan/apt|' /srv/banyan/banyan.sources > /etc/apt/sources.list.d/banyan.sources
useradd -m -s /bin/sh clerk
step "apt-get update (signed repository)" apt-get -q update
install_n() {{ t0=$(date +%s%N); apt-get install -y -q banyan={version} >/tmp/install.log 2>&1 || {{ tail -20 /tmp/install.log; return 1; }}; t1=$(date +%s%N); echo "installed {version} with its dependencies in $(( (t1 - t0) / 1000000 )) ms"; }}
step "install {version}" install_n
step "banyan --version" banyan --version
step "a book and demo data as a normal user" as_clerk "banyan init && BANYAN_NEW_PASSWORD='{ADMIN_PW}' banyan user add {ADMIN} --name Admin --role admin && banyan demo --customers 200 >/dev/null && echo customers: \$(count-customers)"
run_app() {{
  as_clerk "Xvfb :7 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & X=\$!; sleep 2;
    DISPLAY=:7 LC_ALL=zh_CN.UTF-8 LANG=zh_CN.UTF-8 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 strace -f -qq -e trace=connect -o /tmp/strace.txt banyan-desktop >/tmp/app.out 2>&1 & A=\$!;
    sleep 40; xwd -root -display :7 -silent > /tmp/shot.xwd; kill \$A; sleep 2; kill -9 \$A 2>/dev/null; pkill -9 -u clerk -f WebKit; kill \$X; true"
  grep -h '"book opened"' /home/clerk/.local/share/com.banyancrm.desktop/logs/desktop.*.log | tail -1
}}
step "the installed app opens the book (its log)" run_app
no_inet() {{ n=$(grep -c 'connect(.*AF_INET' /tmp/strace.txt); echo "$(grep -c 'connect(' /tmp/strace.txt) connects traced, $n to an internet address"; [ "$n" = 0 ]; }}
step "no network connection (strace)" no_inet
policy() {{ mkdir -p /etc/banyan; echo '{{"policies": {{"ExportEnabled": false}}}}' > /etc/banyan/policies.json; chmod 644 /etc/banyan/policies.json
  if as_clerk "banyan export --out /tmp/x.csv" > /tmp/policy.out 2>&1; then echo "exported despite the policy"; rm /etc/banyan/policies.json; return 1; fi
  rm /etc/banyan/policies.json; grep -o 'Turned off by your organization (policy ExportEnabled)' /tmp/policy.out; }}
step "a policy file turns export off" policy
update-ca-certificates >/dev/null 2>&1
run_briefly() {{
  as_clerk "Xvfb :8 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & X=\$!; sleep 2;
    DISPLAY=:8 WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1 strace -f -qq -e trace=connect -o /tmp/strace-$1.txt banyan-desktop >/tmp/app-$1.out 2>&1 & A=\$!;
    sleep 25; kill \$A; sleep 2; kill -9 \$A 2>/dev/null; pkill -9 -u clerk -f WebKit; kill \$X; true"
}}
updates_policy() {{ mkdir -p /etc/banyan; echo "{{\"policies\": {{\"UpdateMode\": \"$1\", \"UpdateUrl\": \"https://127.0.0.1:{port}/latest.json\"}}}}" > /etc/banyan/policies.json; chmod 644 /etc/banyan/policies.json; }}
notify() {{ updates_policy notify; run_briefly notify; rm /etc/banyan/policies.json
  n=$(grep -c 'sin_port=htons({port})' /tmp/strace-notify.txt); echo "$n connections to the update server"; [ "$n" -gt 0 ] || return 1
  grep -h '"update offered"' /home/clerk/.local/share/com.banyancrm.desktop/logs/desktop.*.log | grep -o '"version":"{next}"' | tail -1 | grep . || {{ grep -h 'update' /home/clerk/.local/share/com.banyancrm.desktop/logs/desktop.*.log | tail -3; return 1; }}; }}
step "updates on notify: the offer of {next} from the company's server (HTTPS, its CA trusted here)" notify
off() {{ updates_policy off; run_briefly off; rm /etc/banyan/policies.json
  n=$(grep -c 'sin_port=htons({port})' /tmp/strace-off.txt); echo "$n connections to the update server with updates off"; [ "$n" = 0 ]; }}
step "updates off: not one connection to the server it names" off
step "upgrade to {next}" sh -c "apt-get install -y -q banyan={next} >/tmp/upgrade.log 2>&1 && dpkg-query -W -f='\${{Version}}\n' banyan"
step "the upgraded app's CLI opens the same book" as_clerk "echo customers: \$(count-customers)"
step "remove keeps the book" sh -c "apt-get remove -y -q banyan >/dev/null 2>&1 && test ! -e /usr/bin/banyan && test -s $book && echo kept: $book"
reinstall() {{ apt-get install -y -q banyan >/dev/null 2>&1 && as_clerk "echo customers: \$(count-customers)"; }}
step "reinstall opens it" reinstall
step "purge keeps the book" sh -c "apt-get purge -y -q banyan >/dev/null 2>&1 && test ! -e /usr/share/doc/banyan && ! dpkg -s banyan >/dev/null 2>&1 && test -s $book && echo kept: $book"
"#
    )
}
