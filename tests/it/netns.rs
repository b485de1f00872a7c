//! Sync between real processes on a network of their own: a hub and three desktops in network
//! namespaces (ip netns) joined by veth pairs on a bridge in the hub's namespace, each process run
//! with `ip netns exec`, the bridge's traffic captured by tcpdump. Made as root (CI runs as
//! root); every namespace is deleted afterwards, even when the test fails. Nothing is sent to any
//! address but the namespaces' own.

use std::io::{BufRead, BufReader};

use super::sync::{run_json as json, spawn};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use banyan::api::Banyan;
use banyan::security::Unlock;

const ADMIN: &str = "admin";
const ADMIN_PASSWORD: &str = "netns admin password 1";
const SUBNET: &str = "10.77.0";

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The test's namespaces: `hub` holds the bridge; each desktop is wired to it by a veth pair.
struct Net {
    prefix: String,
    names: Vec<String>,
}

impl Net {
    /// The hub at .1 and `desktops` at .2, .3, …
    fn new(desktops: &[&str]) -> Net {
        assert!(
            unsafe { libc::geteuid() } == 0,
            "this test makes network namespaces and needs root (CI runs as root; `sudo -E cargo test`)"
        );
        let prefix = format!("bn{}", std::process::id() % 1_000_000);
        let mut net = Net { prefix, names: Vec::new() };
        let hub = net.ns("hub");
        run("ip", &["netns", "add", &hub]);
        net.names.push(hub.clone());
        run("ip", &["-n", &hub, "link", "set", "lo", "up"]);
        run("ip", &["-n", &hub, "link", "add", "br0", "type", "bridge"]);
        run("ip", &["-n", &hub, "addr", "add", &format!("{SUBNET}.1/24"), "dev", "br0"]);
        run("ip", &["-n", &hub, "link", "set", "br0", "up"]);
        for (i, d) in desktops.iter().enumerate() {
            let ns = net.ns(d);
            run("ip", &["netns", "add", &ns]);
            net.names.push(ns.clone());
            let (inner, outer) = (format!("{}{}", net.prefix, i), net.port(d));
            run("ip", &["link", "add", &inner, "type", "veth", "peer", "name", &outer]);
            run("ip", &["link", "set", &inner, "netns", &ns]);
            run("ip", &["link", "set", &outer, "netns", &hub]);
            run("ip", &["-n", &ns, "link", "set", "lo", "up"]);
            run("ip", &["-n", &ns, "addr", "add", &format!("{SUBNET}.{}/24", i + 2), "dev", &inner]);
            run("ip", &["-n", &ns, "link", "set", &inner, "up"]);
            run("ip", &["-n", &hub, "link", "set", &outer, "master", "br0"]);
            run("ip", &["-n", &hub, "link", "set", &outer, "up"]);
        }
        net
    }

    fn ns(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The hub's end of a desktop's cable.
    fn port(&self, desktop: &str) -> String {
        format!("{}p{}", self.prefix, &desktop[..1])
    }

    /// Pulls a desktop's cable out (`up` false) or plugs it back in.
    fn cable(&self, desktop: &str, up: bool) {
        run("ip", &["-n", &self.ns("hub"), "link", "set", &self.port(desktop), if up { "up" } else { "down" }]);
    }

    /// The `banyan` binary inside namespace `name`, on book `db` under passphrase `pass`.
    fn banyan(&self, name: &str, db: &Path, pass: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns(name), env!("CARGO_BIN_EXE_banyan"), "--db"])
            .arg(db)
            .env("BANYAN_PASSPHRASE", pass)
            .env("BANYAN_USER", ADMIN)
            .env("BANYAN_PASSWORD", ADMIN_PASSWORD)
            .env("BANYAN_NEW_PASSWORD", ADMIN_PASSWORD)
            // Inside a namespace "the network" is the test's own bridge.
            .env("BANYAN_DISCOVERY", "network")
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("BANYAN_TOTP");
        c
    }

    /// Runs `f` on a thread of this process that has entered namespace `name` (a network
    /// namespace is per thread; threads it starts inherit it, sockets keep the one they were
    /// made in).
    fn enter(&self, name: &str) -> std::fs::File {
        std::fs::File::open(format!("/var/run/netns/{}", self.ns(name))).unwrap()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for ns in &self.names {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// Moves the calling thread into the namespace `ns` is a handle of.
fn join_ns(ns: &std::fs::File) {
    use std::os::fd::AsRawFd;
    let r = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(r, 0, "setns: {}", std::io::Error::last_os_error());
}

/// Adds a person with one phone and one e-mail (what the capture is checked for).
fn add_person(mut c: Command, name: &str, phone: &str, email: &str) {
    json(c.args(["--json", "customer", "add", "--kind", "person", "--name", name, "--phone", phone, "--email", email]));
}

/// A book's customers as the test compares them: (name, phones, emails), sorted.
fn customers(c: &mut Command) -> Vec<(String, String, String)> {
    let list = json(c.args(["--json", "customer", "list", "--limit", "100000"]));
    let mut out: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].to_string(), c["phones"].to_string(), c["emails"].to_string()))
        .collect();
    out.sort();
    out
}

fn vector(c: &mut Command) -> serde_json::Value {
    json(c.args(["--json", "sync", "status"]))["vector"].clone()
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_hub_and_desktops_sync_over_a_network_of_their_own_and_its_capture_holds_no_customer_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = |p: &str| -> PathBuf { dir.path().join(p) };
    let (hub_db, a_db, b_db, x_db) = (path("hub/book.db"), path("a/book.db"), path("b/book.db"), path("x/book.db"));
    let (ph, pa, pb) = ("hub passphrase 1", "desktop a passphrase", "desktop b passphrase");
    // The stranger is on the same network: it cannot join, read or inject.
    let net = Net::new(&["a", "b", "x"]);
    let hub_ip = format!("{SUBNET}.1");

    // The capture, from before the first packet to after the last.
    let pcap = path("bridge.pcap");
    let mut tcpdump = Command::new("ip")
        .args(["netns", "exec", &net.ns("hub"), "tcpdump", "-i", "br0", "-U", "-s", "0", "-Z", "root", "-w"])
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut said = String::new();
        BufReader::new(tcpdump.stderr.as_mut().unwrap()).read_line(&mut said).unwrap();
        assert!(said.contains("listening on br0"), "{said}");
    }

    json(net.banyan("hub", &hub_db, ph).args(["--json", "init"]));
    json(net.banyan("hub", &hub_db, ph).args([
        "--json",
        "user",
        "add",
        ADMIN,
        "--name",
        "Hub Admin",
        "--role",
        "admin",
    ]));
    json(net.banyan("hub", &hub_db, ph).args(["--json", "demo", "--customers", "300", "--seed", "5"]));
    add_person(net.banyan("hub", &hub_db, ph), "欧阳娜娜", "+86 138 0013 8000", "ouyang.nana@example.cn");

    // Two desktops join with the codes the hub shows; a wrong code from the stranger ends the
    // invitation on both sides and makes no book.
    for (d, db, pass) in [("a", &a_db, pa), ("b", &b_db, pb)] {
        let mut invite = spawn(net.banyan("hub", &hub_db, ph).args([
            "--json",
            "sync",
            "invite",
            "--listen",
            &format!("{hub_ip}:47616"),
            "--name",
            "office-hub",
        ]));
        let code = invite.first["code"].as_str().unwrap().to_string();
        let address = invite.first["address"].as_str().unwrap().to_string();
        assert_eq!(address, format!("{hub_ip}:47616"));
        json(net.banyan(d, db, pass).args(["--json", "sync", "pair", &code, &address, "--name", &format!("rep-{d}")]));
        assert!(invite.child.wait().unwrap().success());
    }
    {
        let mut invite = spawn(net.banyan("hub", &hub_db, ph).args([
            "--json",
            "sync",
            "invite",
            "--listen",
            &format!("{hub_ip}:47616"),
        ]));
        let shown: u32 = invite.first["code"].as_str().unwrap().parse().unwrap();
        let out = net
            .banyan("x", &x_db, "stranger")
            .args(["--json", "sync", "pair", &format!("{:06}", (shown + 1) % 1_000_000), &format!("{hub_ip}:47616")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(invite.child.wait().unwrap().code(), Some(7), "one wrong code ends the invitation");
        assert!(!x_db.exists(), "no book is made from a failed pairing");
    }

    // The hub serves (and announces itself on the bridge).
    let hub = spawn(net.banyan("hub", &hub_db, ph).args(["--json", "serve", "--sync", "--listen", "0.0.0.0:47615"]));
    assert_eq!(hub.first["listening"], "0.0.0.0:47615");

    // Desktop A worked offline: three thousand customers and one the capture is checked for.
    json(net.banyan("a", &a_db, pa).args(["--json", "demo", "--customers", "3000", "--seed", "6"]));
    add_person(net.banyan("a", &a_db, pa), "Margarethe Oberholzer", "+49 30 901820", "m.oberholzer@example.de");
    // Back at the office it finds the hub by itself; mid-round its cable comes out for two
    // seconds.
    let start = std::fs::metadata(&pcap).map(|m| m.len()).unwrap_or(0);
    let mut round = net.banyan("a", &a_db, pa).args(["--json", "sync", "now"]).stdout(Stdio::piped()).spawn().unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&pcap).map(|m| m.len()).unwrap_or(0) < start + 300_000 {
        assert!(Instant::now() < until, "the round never started moving data");
        assert!(round.try_wait().unwrap().is_none(), "the round ended before the cable came out");
        std::thread::sleep(Duration::from_millis(5));
    }
    net.cable("a", false);
    std::thread::sleep(Duration::from_secs(2));
    assert!(round.try_wait().unwrap().is_none(), "the round waits while the cable is out");
    net.cable("a", true);
    let first = round.wait_with_output().unwrap();
    eprintln!("the round the cable was pulled in: {}", String::from_utf8_lossy(&first.stdout));
    if !first.status.success() {
        // The connection did not survive: the next round takes up from what both hold.
        assert_eq!(first.status.code(), Some(7), "{}", String::from_utf8_lossy(&first.stdout));
        json(net.banyan("a", &a_db, pa).args(["--json", "sync", "now"]));
    }
    let again = json(net.banyan("a", &a_db, pa).args(["--json", "sync", "now"]));
    assert_eq!((again["sent"].as_u64(), again["received"].as_u64()), (Some(0), Some(0)), "{again}");
    assert_eq!(again["address"], format!("{hub_ip}:47615"), "found by announcement: {again}");
    // Desktop B gets everything through the hub.
    json(net.banyan("b", &b_db, pb).args(["--json", "sync", "now"]));
    let on_hub = customers(&mut net.banyan("hub", &hub_db, ph));
    assert_eq!(on_hub.len(), 3302, "the hub's 301 and A's 3,001 customers");
    assert_eq!(customers(&mut net.banyan("a", &a_db, pa)), on_hub);
    assert_eq!(customers(&mut net.banyan("b", &b_db, pb)), on_hub);
    let v = vector(&mut net.banyan("hub", &hub_db, ph));
    assert_eq!(vector(&mut net.banyan("a", &a_db, pa)), v);
    assert_eq!(vector(&mut net.banyan("b", &b_db, pb)), v);
    let found = json(net.banyan("b", &b_db, pb).args(["--json", "customer", "search", "oberholzer"]));
    assert_eq!(found[0]["customer"]["name"], "Margarethe Oberholzer", "{found}");

    // The stranger: a TLS client of its own is refused before any application byte, and an
    // announcement of this book's tag pointing at its own listener is tried by B (whose hub has
    // gone away) and refused by fingerprint, receiving nothing.
    let book = Banyan::open(&banyan::api::OpenOptions::new(&hub_db), &Unlock::passphrase(ph))
        .unwrap()
        .sync_hello()
        .unwrap()
        .book;
    let x = net.enter("x");
    let stranger = banyan_net::Identity::generate().unwrap();
    let refused = std::thread::scope(|s| {
        s.spawn(|| {
            join_ns(&x);
            let config = banyan_net::tls::client_config(&stranger, Arc::new(banyan_net::tls::AnyPeer)).unwrap();
            let addr: SocketAddr = format!("{hub_ip}:47615").parse().unwrap();
            banyan_net::tls::connect(addr, config).and_then(|mut s| banyan_net::frame::read(&mut s))
        })
        .join()
        .unwrap()
    });
    assert!(refused.is_err(), "{refused:?}");
    drop(hub);
    let attempts = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let spoof = {
        let (attempts, stop, x) = (attempts.clone(), stop.clone(), x.try_clone().unwrap());
        std::thread::spawn(move || {
            join_ns(&x);
            let addr: SocketAddr = format!("{SUBNET}.4:47615").parse().unwrap();
            let listener = std::net::TcpListener::bind(addr).unwrap();
            listener.set_nonblocking(true).unwrap();
            let _announced = banyan_net::discover::announce(&book, addr, banyan_net::discover::Scope::Network).unwrap();
            let config = banyan_net::tls::server_config(&stranger, Arc::new(banyan_net::tls::AnyPeer)).unwrap();
            ready_tx.send(()).unwrap();
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((tcp, _)) => {
                        tcp.set_nonblocking(false).unwrap();
                        let got = banyan_net::tls::accept(tcp, config.clone())
                            .and_then(|mut s| banyan_net::frame::read(&mut s));
                        attempts.lock().unwrap().push(format!("{got:?}"));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        })
    };
    ready_rx.recv().unwrap();
    let out = net.banyan("b", &b_db, pb).args(["--json", "sync", "now"]).output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stdout));
    stop.store(true, Ordering::SeqCst);
    spoof.join().unwrap();
    let tried = attempts.lock().unwrap().clone();
    assert_eq!(tried.len(), 1, "B tried the announced address: {tried:?}");
    assert!(tried[0].starts_with("Err("), "and the stranger got no frame: {tried:?}");

    // The capture: announcements and TLS, none of the book's names, phones or e-mails, in UTF-8
    // or UTF-16 (a needle under 6 bytes would match random bytes by chance and is left out).
    unsafe { libc::kill(tcpdump.id() as i32, libc::SIGINT) };
    tcpdump.wait().unwrap();
    let bytes = std::fs::read(&pcap).unwrap();
    assert!(bytes.len() > 1_000_000, "the capture holds the sync's traffic: {} bytes", bytes.len());
    assert!(contains(&bytes, b"_banyan-sync"), "the capture holds the announcements");
    let mut needles: Vec<String> = Vec::new();
    for (name, phones, emails) in &on_hub {
        needles.push(serde_json::from_str::<String>(name).unwrap());
        for list in [phones, emails] {
            if let Ok(items) = serde_json::from_str::<Vec<String>>(list) {
                needles.extend(items);
            }
        }
    }
    assert!(needles.iter().any(|n| n == "+8613800138000") && needles.iter().any(|n| n == "m.oberholzer@example.de"));
    let mut forms: Vec<(Vec<u8>, &str)> = Vec::new();
    for n in &needles {
        let utf16le: Vec<u8> = n.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let utf16be: Vec<u8> = n.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        for form in [n.as_bytes().to_vec(), utf16le, utf16be] {
            if form.len() >= 6 {
                forms.push((form, n));
            }
        }
    }
    assert!(forms.len() > 10_000, "{} forms checked", forms.len());
    let scan = aho_corasick::AhoCorasick::new(forms.iter().map(|(f, _)| f)).unwrap();
    let leaked: Vec<&str> = scan.find_overlapping_iter(&bytes).map(|m| forms[m.pattern().as_usize()].1).collect();
    assert!(leaked.is_empty(), "the capture holds {leaked:?}");
    // The scan finds what is there: the same needles in a buffer that holds one.
    let planted = [&bytes[..1000], "Margarethe Oberholzer".as_bytes()].concat();
    assert!(scan.find_overlapping_iter(&planted).next().is_some());
}
