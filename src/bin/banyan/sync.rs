//! `banyan sync invite|pair|now` and `banyan serve --sync`: the book's sync seam (the façade's
//! `sync_*`) over the transport of crates/net.

use banyan::api::{self, ApiError, Banyan, Caller, ErrorCode};
use banyan::i18n::Localizer;
use banyan_net::frame::{self, Frame, Hello};
use banyan_net::session::{self, Replica};
use banyan_net::tls::{self, AnyPeer};
use banyan_net::{Identity, cert, discover, pair};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The port Banyan listens on for sync and pairing unless told otherwise.
pub const PORT: u16 = 47615;

/// How long an invitation's code is good for.
const INVITE_FOR: Duration = Duration::from_secs(5 * 60);

/// How far apart two desktops' clocks may be.
const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// Bytes of the snapshot per frame.
const CHUNK: usize = 4 << 20;

/// How often a side that is busy before its next pairing frame tells the other it is still at it
/// (well inside the other side's idle timeout, `tls::IDLE`).
const STILL_AT_IT: Duration = Duration::from_secs(2);

/// How far joining a book has got: the command line draws it, the window shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinStep {
    /// The inviting desktop is making the copy: `done` bytes of about `total`.
    Preparing { done: u64, total: u64 },
    /// The copy is arriving.
    Receiving { done: u64, total: u64 },
    /// The whole copy is here; checking it and opening it.
    Checking,
}

impl JoinStep {
    /// The step's name ("preparing", "receiving", "checking": the window's and the command
    /// line's messages are named after it) and its bytes done of total (0 of 0 while checking).
    pub fn parts(self) -> (&'static str, u64, u64) {
        match self {
            JoinStep::Preparing { done, total } => ("preparing", done, total),
            JoinStep::Receiving { done, total } => ("receiving", done, total),
            JoinStep::Checking => ("checking", 0, 0),
        }
    }
}

/// Runs `work` on a thread of its own while telling the peer on `s`, every [`STILL_AT_IT`], how
/// far it has got (`measure`), so that the peer's idle timeout does not end a pairing while one
/// side copies or checks a large book. A broken connection stops the telling, not the work: the
/// next frame reports it.
fn still_at_it<S: Write, T: Send>(s: &mut S, measure: impl Fn() -> (u64, u64), work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let worker = scope.spawn(work);
        let mut telling = true;
        let mut last = Instant::now();
        while !worker.is_finished() {
            std::thread::sleep(Duration::from_millis(20));
            if telling && last.elapsed() >= STILL_AT_IT {
                let (done, total) = measure();
                telling = frame::write(s, &Frame::Progress { done, total }).is_ok();
                last = Instant::now();
            }
        }
        match worker.join() {
            Ok(t) => t,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Reads the next frame that is not a [`Frame::Progress`], telling `step` of each one read.
fn read_past_progress<S: Read>(s: &mut S, step: &mut dyn FnMut(u64, u64)) -> banyan_net::Result<Frame> {
    loop {
        match frame::read(s)? {
            Frame::Progress { done, total } => step(done, total),
            other => return Ok(other),
        }
    }
}

/// A transport failure as the CLI reports it.
pub fn net_error(l: &Localizer, e: banyan_net::Error) -> ApiError {
    let (code, message) = match e {
        e if tls::told_removed(&e) => (ErrorCode::Removed, l.t("error-sync-removed")),
        banyan_net::Error::PairingFailed => (ErrorCode::PairingFailed, l.t("error-pairing-failed")),
        banyan_net::Error::Replica(m) => (ErrorCode::PeerRefused, m),
        banyan_net::Error::PeerRefused(why) => {
            (ErrorCode::Network, l.format("error-sync-peer-refused", &[("reason", why)]))
        }
        other => (ErrorCode::Network, l.format("error-sync-network", &[("detail", other.to_string())])),
    };
    ApiError { code, message, field: None, fields: vec![] }
}

/// The name this desktop goes by: `--name`, else the machine's host name.
pub fn desktop_name(given: Option<&str>) -> String {
    if let Some(n) = given.map(str::trim).filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "desktop".into())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// This desktop's TLS identity, made and kept in the book the first time it is needed.
pub fn identity(b: &Banyan, l: &Localizer) -> Result<Identity, ApiError> {
    if let Some((cert, key)) = b.sync_tls()? {
        return Ok(Identity { cert, key });
    }
    let id = Identity::generate().map_err(|e| net_error(l, e))?;
    b.set_sync_tls(&id.cert, &id.key)?;
    Ok(id)
}

/// The identity shown to peers when syncing: this desktop's own (made first, and named in its
/// member row, so a restored book's new certificate travels with the round), or, until a round
/// has carried a restored book's new identity to a peer, the former one they know (see
/// `Banyan::sync_tls_for_peers`).
pub fn peer_identity(b: &Banyan, l: &Localizer) -> Result<Identity, ApiError> {
    let own = identity(b, l)?;
    b.sync_own_fingerprint(&cert::hex(&own.fingerprint()))?;
    match b.sync_tls_for_peers()? {
        Some((cert, key)) => Ok(Identity { cert, key }),
        None => Ok(own),
    }
}

/// The fingerprints of the book's live members, the only certificates a sync session accepts,
/// and of its removed ones, which are told so.
fn members(b: &Banyan) -> Result<tls::Roster, ApiError> {
    let mut roster = tls::Roster::default();
    for m in b.sync_members()? {
        let Some(fp) = cert::unhex(&m.fingerprint).and_then(|f| f.try_into().ok()) else { continue };
        if m.revoked_at.is_none() {
            roster.live.0.insert(fp);
        } else {
            roster.removed.insert(fp);
        }
    }
    Ok(roster)
}

fn address(text: &str, l: &Localizer) -> Result<SocketAddr, ApiError> {
    let with_port = if text.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
        text.to_string()
    } else {
        format!("{text}:{PORT}")
    };
    with_port.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or_else(|| {
        let e = banyan::Error::field(banyan::FieldError::new("peer", "error-sync-address").arg("value", text));
        api::localize(l, e)
    })
}

/// The book as a replica of a sync session.
struct Book<'a> {
    b: &'a Banyan,
}

impl Replica for Book<'_> {
    fn hello(&self) -> Result<Hello, String> {
        let h = self.b.sync_hello().map_err(|e| e.message)?;
        Ok(Hello {
            protocol: frame::PROTOCOL,
            schema: h.schema,
            min_schema: h.min_schema,
            book: h.book,
            device: h.device,
            name: h.name,
            vector: h.vector.0,
            tips: h.tips,
            wall_ms: now_ms(),
        })
    }

    fn accept(&self, peer: &Hello) -> Result<(), String> {
        let me = self.hello()?;
        let l = self.b.localizer();
        let who = if peer.name.is_empty() { peer.device.chars().take(8).collect() } else { peer.name.clone() };
        if peer.protocol != frame::PROTOCOL || peer.schema < me.min_schema {
            return Err(l.format("error-sync-update-peer", &[("desktop", who)]));
        }
        if me.schema < peer.min_schema {
            return Err(l.format("error-sync-update-here", &[("desktop", who)]));
        }
        if peer.book != me.book {
            return Err(l.format("error-sync-other-book", &[("desktop", who)]));
        }
        let apart = (peer.wall_ms - me.wall_ms).abs();
        if apart > MAX_SKEW_MS {
            return Err(l.format("error-sync-clocks", &[("desktop", who), ("minutes", (apart / 60_000).to_string())]));
        }
        // Whether this book is a copy of another desktop's (or was restored outside Banyan):
        // going on would reuse sequence numbers the peer holds other changes under.
        let view =
            self.b.sync_meet(&banyan::sync::wire::Vector(peer.vector.clone()), &peer.tips).map_err(|e| e.message)?;
        match view {
            banyan::store::PeerView::Fine => Ok(()),
            banyan::store::PeerView::StaleCopy => Err(l.format("error-sync-stale-copy", &[("desktop", who)])),
            banyan::store::PeerView::Diverged => Err(l.format("error-sync-diverged-copy", &[("desktop", who)])),
        }
    }

    fn vector(&self) -> Result<frame::Vector, String> {
        Ok(self.b.sync_vector().map_err(|e| e.message)?.0)
    }

    fn changes(&self, since: &frame::Vector, max: usize) -> Result<(Vec<u8>, u64, bool), String> {
        self.b.sync_changes_encoded(&banyan::sync::wire::Vector(since.clone()), max).map_err(|e| e.message)
    }

    fn apply(&self, payload: &[u8]) -> Result<u64, String> {
        Ok(self.b.sync_apply_encoded(payload).map_err(|e| e.message)?.changes as u64)
    }

    fn admits(&self, device: &str) -> Result<(), String> {
        let members = self.b.sync_members().map_err(|e| e.message)?;
        match members.iter().find(|m| m.device == device) {
            Some(m) if m.revoked_at.is_none() => Ok(()),
            _ => Err(self.b.localizer().t("error-sync-removed")),
        }
    }

    fn wait_news(&self, since: &frame::Vector, max: Duration) -> Result<bool, String> {
        self.b.sync_wait_news(&banyan::sync::wire::Vector(since.clone()), max).map_err(|e| e.message)
    }
}

/// What one round did, for the caller to print.
pub struct Round {
    /// The other desktop's name (its id when it has none), id and the address reached.
    pub peer: String,
    pub device: String,
    pub address: String,
    /// From connecting to the end of the round.
    pub seconds: f64,
    pub sent: u64,
    pub received: u64,
    pub conflicts: usize,
}

/// Where announcements are made and looked for: every interface, unless `BANYAN_DISCOVERY` says
/// `loopback` (tests: nothing leaves the machine) or `off`.
pub fn discovery() -> Option<discover::Scope> {
    match std::env::var("BANYAN_DISCOVERY").unwrap_or_default().trim() {
        "off" => None,
        "loopback" => Some(discover::Scope::Loopback),
        _ => Some(discover::Scope::Network),
    }
}

/// How long `sync now` and `sync live` look for the book's announcements.
const LOOK_FOR: Duration = Duration::from_secs(3);

/// Announces on the local network that this book answers at `listen` (while the value lives). An
/// announcement that cannot be made (no multicast here) is not an error: peers can still be
/// given by address.
pub fn announce(b: &Banyan, listen: SocketAddr) -> Option<discover::Announcement> {
    let book = b.sync_hello().ok()?.book;
    discover::announce(&book, listen, discovery()?).ok()
}

fn no_peer(b: &Banyan) -> ApiError {
    api::localize(b.localizer(), banyan::Error::field(banyan::FieldError::new("peer", "error-sync-no-peer")))
}

/// One round with the peer at `peer` (HOST:PORT).
fn round_at(b: &Banyan, caller: &Caller, peer: &str) -> Result<Round, ApiError> {
    let l = b.localizer();
    let addr = address(peer, l)?;
    let id = peer_identity(b, l)?;
    let config = tls::client_config(&id, Arc::new(members(b)?)).map_err(|e| net_error(l, e))?;
    let started = Instant::now();
    let mut stream = tls::connect(addr, config).map_err(|e| net_error(l, e))?;
    let report = session::run(&mut stream, &Book { b }, true).map_err(|e| net_error(l, e))?;
    stream.conn.send_close_notify();
    let _ = stream.flush();
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        peer = %report.peer.device,
        sent = report.sent,
        received = report.received,
        ms = (seconds * 1000.0) as u64,
        "sync round"
    );
    b.sync_note_seen(&report.peer.device, Some(peer))?;
    // The peer holds this desktop's member row now: a restored book's former certificate goes.
    b.sync_identity_known()?;
    Ok(Round {
        peer: if report.peer.name.is_empty() { report.peer.device.clone() } else { report.peer.name },
        device: report.peer.device,
        address: peer.to_string(),
        seconds,
        sent: report.sent,
        received: report.received,
        conflicts: b.sync_conflicts(caller)?.len(),
    })
}

/// The places a peer of this book may be, best first, for `sync now` and `sync live` without an
/// address: the one last reached, then those the book's announcements give on this network (a
/// hint: the TLS handshake still has to show a member), then the other members' last known
/// addresses. `try_one` is called with each until it says to stop.
fn candidates(b: &Banyan, try_one: &mut dyn FnMut(&str) -> bool) -> Result<(), ApiError> {
    let mut tried: Vec<String> = Vec::new();
    let mut go = |a: &str, tried: &mut Vec<String>| -> bool {
        if tried.iter().any(|t| t == a) {
            return true;
        }
        tried.push(a.to_string());
        try_one(a)
    };
    if let Some(last) = b.sync_last_peer()?
        && !go(&last, &mut tried)
    {
        return Ok(());
    }
    if let Some(scope) = discovery() {
        let book = b.sync_hello()?.book;
        let mut stopped = false;
        let _ = discover::find(&book, LOOK_FOR, scope, &mut |addr| {
            stopped = !go(&addr.to_string(), &mut tried);
            !stopped
        });
        if stopped {
            return Ok(());
        }
    }
    let me = b.sync_hello()?.device;
    for m in b.sync_members()? {
        if m.device != me
            && m.revoked_at.is_none()
            && let Some(a) = m.address
            && !go(&a, &mut tried)
        {
            return Ok(());
        }
    }
    Ok(())
}

/// `banyan sync now [--peer HOST:PORT]`: one round with a member desktop or hub. Without a peer:
/// the one this desktop last reached, else one found on this network (see [`candidates`]).
pub fn now(b: &Banyan, caller: &Caller, peer: Option<&str>) -> Result<Round, ApiError> {
    if let Some(p) = peer.map(str::trim).filter(|p| !p.is_empty()) {
        return round_at(b, caller, p);
    }
    let mut outcome: Option<Result<Round, ApiError>> = None;
    candidates(b, &mut |a| {
        let r = round_at(b, caller, a);
        let done = r.is_ok();
        // The first failure is the one to tell (the peer last reached, as before).
        if done || outcome.is_none() {
            outcome = Some(r);
        }
        !done
    })?;
    outcome.unwrap_or_else(|| Err(no_peer(b)))
}

/// The peer `sync live` keeps to without an address: the one last reached if it answers, else
/// the first found on this network that completes a handshake as a member, else the last one
/// (tried again and again until it is back).
fn live_peer(b: &Banyan, peer: Option<&str>) -> Result<String, ApiError> {
    if let Some(p) = peer.map(str::trim).filter(|p| !p.is_empty()) {
        return Ok(p.to_string());
    }
    let l = b.localizer();
    let id = peer_identity(b, l)?;
    let config = tls::client_config(&id, Arc::new(members(b)?)).map_err(|e| net_error(l, e))?;
    let mut chosen = None;
    candidates(b, &mut |a| {
        let ok = address(a, l).is_ok_and(|addr| tls::connect(addr, config.clone()).is_ok());
        if ok {
            chosen = Some(a.to_string());
        }
        !ok
    })?;
    match chosen {
        Some(c) => Ok(c),
        None => b.sync_last_peer()?.ok_or_else(|| no_peer(b)),
    }
}

/// `banyan sync live [--peer HOST:PORT]`: stays in sync with a desktop or hub until `stop`
/// says so. A connection of its own watches the peer (it says as soon as it holds something this
/// desktop lacks); a commit here is noticed within milliseconds; either runs a round at once.
/// Each round's outcome goes to `on_round`; a lost connection is tried again, less and less
/// often (up to every 30 s), and the next round starts from what both sides hold.
pub fn live(
    b: &Banyan,
    caller: &Caller,
    peer: Option<&str>,
    stop: &(dyn Fn() -> bool + Sync),
    on_round: &mut dyn FnMut(Result<Round, ApiError>),
) -> Result<(), ApiError> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let l = b.localizer();
    let peer = live_peer(b, peer)?;
    let addr = address(&peer, l)?;
    let me = b.sync_hello()?.device;
    // Set by the watcher when the peer has news, cleared when a round starts; `running` while
    // one runs (the watcher asks again only after it, with the vector it left).
    let pull = AtomicBool::new(true);
    let running = AtomicBool::new(false);
    // The watcher's socket, shut down when stopping so its wait for the peer ends at once.
    let watching: std::sync::Mutex<Option<std::net::TcpStream>> = std::sync::Mutex::new(None);
    // Set when this side stops (asked to, or a failure of the book itself).
    let quit = AtomicBool::new(false);
    let halted = || stop() || quit.load(Ordering::SeqCst);
    let own = |b: &Banyan| -> Result<i64, ApiError> { Ok(b.sync_vector()?.get(&me)) };
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut wait = Duration::from_millis(200);
            while !halted() {
                let watched = (|| -> Result<(), ApiError> {
                    let id = peer_identity(b, l)?;
                    let config = tls::client_config(&id, Arc::new(members(b)?)).map_err(|e| net_error(l, e))?;
                    let mut stream = tls::connect(addr, config).map_err(|e| net_error(l, e))?;
                    *watching.lock().unwrap_or_else(|e| e.into_inner()) = stream.sock.try_clone().ok();
                    if halted() {
                        return Ok(());
                    }
                    session::watch(&mut stream, &Book { b }, &mut || {
                        pull.store(true, Ordering::SeqCst);
                        // Asked again only once the round has pulled what was new.
                        while (pull.load(Ordering::SeqCst) || running.load(Ordering::SeqCst)) && !halted() {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        !halted()
                    })
                    .map_err(|e| net_error(l, e))?;
                    Ok(())
                })();
                match &watched {
                    Ok(()) => {
                        wait = Duration::from_millis(200);
                        continue;
                    }
                    // Removed from the book: the rounds below hear it too, and stop.
                    Err(e) if e.code == ErrorCode::Removed => {
                        pull.store(true, Ordering::SeqCst);
                        return;
                    }
                    Err(_) => {}
                }
                // The peer is away: the rounds below say so; watch again later.
                pull.store(true, Ordering::SeqCst);
                let until = Instant::now() + wait;
                while Instant::now() < until && !halted() {
                    std::thread::sleep(Duration::from_millis(20));
                }
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        });
        let mut pushed = -1;
        let mut retry_at = Instant::now();
        let mut wait = Duration::from_millis(200);
        let mut outcome = Ok(());
        while !stop() {
            let local = match own(b) {
                Ok(n) => n,
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            };
            if (pull.load(Ordering::SeqCst) || local != pushed) && Instant::now() >= retry_at {
                running.store(true, Ordering::SeqCst);
                pull.store(false, Ordering::SeqCst);
                let r = now(b, caller, Some(&peer));
                running.store(false, Ordering::SeqCst);
                let removed = r.as_ref().err().filter(|e| e.code == ErrorCode::Removed).cloned();
                if r.is_ok() {
                    pushed = local;
                    wait = Duration::from_millis(200);
                } else {
                    retry_at = Instant::now() + wait;
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
                on_round(r);
                // Trying again would never help: live sync ends, saying why.
                if let Some(e) = removed {
                    outcome = Err(e);
                    break;
                }
                continue;
            }
            // A commit here is seen within 5 ms (a vector is a few rows).
            std::thread::sleep(Duration::from_millis(5));
        }
        quit.store(true, Ordering::SeqCst);
        if let Some(sock) = watching.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = sock.shutdown(std::net::Shutdown::Both);
        }
        outcome
    })
}

/// `banyan serve --sync`: answers member desktops until stopped. `ready` is told the address it
/// listens on; each session's outcome goes to `served` (no customer data in it).
pub fn serve(
    b: Arc<Banyan>,
    listen: &str,
    ready: &dyn Fn(SocketAddr),
    served: Arc<dyn Fn(Result<session::Report, banyan_net::Error>) + Send + Sync>,
) -> Result<(), ApiError> {
    let book = b.clone();
    let l = book.localizer();
    let listener = TcpListener::bind(address(listen, l)?).map_err(|e| net_error(l, e.into()))?;
    let bound = listener.local_addr().map_err(|e| net_error(l, e.into()))?;
    ready(bound);
    let id = peer_identity(&b, l)?;
    // Withdrawn when serving ends.
    let _announced = announce(&b, bound);
    let gate = Arc::new(Gate::default());
    for tcp in listener.incoming() {
        let Ok(tcp) = tcp else { continue };
        // Over the limits the connection is closed at once, before TLS: the desktop tries again
        // later, as after any broken connection.
        let Some(pass) = tcp.peer_addr().ok().and_then(|a| gate.enter(a.ip())) else { continue };
        // The members as they are now: a desktop removed a moment ago is refused from here on.
        let config = match members(&b).and_then(|m| tls::server_config(&id, Arc::new(m)).map_err(|e| net_error(l, e))) {
            Ok(c) => c,
            Err(_) => continue,
        };
        let (b, served) = (b.clone(), served.clone());
        std::thread::spawn(move || {
            let _pass = pass;
            let outcome = tls::accept(tcp, config).and_then(|mut s| {
                let r = session::run(&mut s, &Book { b: &b }, false);
                s.conn.send_close_notify();
                let _ = s.flush();
                r
            });
            match &outcome {
                Ok(r) => {
                    tracing::info!(peer = %r.peer.device, sent = r.sent, received = r.received, "sync served");
                    let _ = b.sync_note_seen(&r.peer.device, None);
                    // Something went to the peer: all it lacked, this desktop's member row with it
                    // (a watcher's answer sends nothing and proves nothing).
                    if r.sent > 0 {
                        let _ = b.sync_identity_known();
                    }
                }
                Err(e) => tracing::warn!(error = e.kind(), "sync session failed"),
            }
            served(outcome);
        });
    }
    Ok(())
}

/// Sessions a hub serves at once, and from one address. A desktop in live sync holds one
/// connection to watch and opens one per round; a stranger that opens connections and never
/// completes them holds at most [`MAX_FROM_ONE`] threads, each for [`tls::HANDSHAKE`].
const MAX_SESSIONS: usize = 256;
const MAX_FROM_ONE: usize = 8;

/// The connections being served, per remote address.
#[derive(Default)]
struct Gate {
    open: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// One connection's place at the [`Gate`], given back when it ends.
struct Pass {
    gate: Arc<Gate>,
    ip: std::net::IpAddr,
}

impl Gate {
    fn enter(self: &Arc<Self>, ip: std::net::IpAddr) -> Option<Pass> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let total: usize = open.values().sum();
        let mine = open.entry(ip).or_default();
        if total >= MAX_SESSIONS || *mine >= MAX_FROM_ONE {
            return None;
        }
        *mine += 1;
        Some(Pass { gate: self.clone(), ip })
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// An open invitation: the code to show and the address to pair with.
pub struct Invite {
    pub code: String,
    pub address: String,
    listener: TcpListener,
    id: Identity,
    started: Instant,
}

/// `banyan sync invite`: makes this desktop a member if it is not one yet, and listens for the
/// desktop that will type the code.
pub fn invite(b: &Banyan, caller: &Caller, listen: Option<&str>, name: Option<&str>) -> Result<Invite, ApiError> {
    let l = b.localizer();
    b.sync_may_invite()?;
    let id = identity(b, l)?;
    // Without a name given, a member keeps the one it has (the computer's name the first time).
    let me = b.sync_hello()?.device;
    let known = b.sync_members()?.into_iter().find(|m| m.device == me).map(|m| m.name);
    let name = match (name, known) {
        (None, Some(known)) => known,
        (given, _) => desktop_name(given),
    };
    b.sync_enrol_self(caller, &name, &cert::hex(&id.fingerprint()))?;
    let listen = listen.map(str::to_string).unwrap_or_else(|| format!("0.0.0.0:{PORT}"));
    let listener = TcpListener::bind(address(&listen, l)?).map_err(|e| net_error(l, e.into()))?;
    let local = listener.local_addr().map_err(|e| net_error(l, e.into()))?;
    let address = if local.ip().is_unspecified() {
        format!("{}:{}", desktop_name(None), local.port())
    } else {
        local.to_string()
    };
    Ok(Invite { code: pair::new_code().map_err(|e| net_error(l, e))?, address, listener, id, started: Instant::now() })
}

/// Waits for the desktop with the code, for 5 minutes; one attempt with a wrong code ends the
/// invitation. Returns the name of the desktop that joined.
pub fn admit(b: &Banyan, caller: &Caller, invite: Invite) -> Result<String, ApiError> {
    let tcp = invite.wait(b.localizer(), &|| false)?;
    admit_joiner(b, caller, invite, tcp)
}

impl Invite {
    /// Waits up to 5 minutes from `started` for a desktop to connect (messages in `l`'s
    /// language), or until `cancelled` says so.
    pub fn wait(&self, l: &Localizer, cancelled: &dyn Fn() -> bool) -> Result<std::net::TcpStream, ApiError> {
        let ended =
            |id: &str| ApiError { code: ErrorCode::PairingFailed, message: l.t(id), field: None, fields: vec![] };
        self.listener.set_nonblocking(true).map_err(|e| net_error(l, e.into()))?;
        let tcp = loop {
            match self.listener.accept() {
                Ok((tcp, _)) => break tcp,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if self.started.elapsed() > INVITE_FOR {
                        return Err(ended("error-invite-expired"));
                    }
                    if cancelled() {
                        return Err(ended("error-invite-cancelled"));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(net_error(l, e.into())),
            }
        };
        tcp.set_nonblocking(false).map_err(|e| net_error(l, e.into()))?;
        Ok(tcp)
    }

    /// Seconds the code is still good for.
    pub fn seconds_left(&self) -> u64 {
        INVITE_FOR.saturating_sub(self.started.elapsed()).as_secs()
    }
}

/// Pairs with the desktop that connected to an invitation (`tcp`, from [`Invite::wait`]) and
/// sends it the book. Returns the name of the desktop that joined.
pub fn admit_joiner(b: &Banyan, caller: &Caller, invite: Invite, tcp: std::net::TcpStream) -> Result<String, ApiError> {
    let l = b.localizer();
    let config = tls::server_config(&invite.id, Arc::new(AnyPeer)).map_err(|e| net_error(l, e))?;
    let mut s = tls::accept(tcp, config).map_err(|e| net_error(l, e))?;
    let joiner = tls::peer_fingerprint(&s.conn).ok_or_else(|| net_error(l, banyan_net::Error::PairingFailed))?;
    let exporter = tls::exporter(&s.conn).map_err(|e| net_error(l, e))?;
    if let Err(e) =
        pair::confirm(&mut s, pair::Role::Inviter, &invite.code, &exporter, &invite.id.fingerprint(), &joiner)
    {
        if matches!(e, banyan_net::Error::PairingFailed) {
            b.sync_pairing_failed()?;
        }
        return Err(net_error(l, e));
    }
    let (device, name, signing_key) = match frame::read(&mut s).map_err(|e| net_error(l, e))? {
        Frame::Join { device, name, signing_key } => (device, name, signing_key),
        other => return Err(net_error(l, banyan_net::Error::Malformed(other.name().into()))),
    };
    let code = b.sync_admit(caller, &device, &name, &cert::hex(&joiner), &signing_key)?;
    // The snapshot goes beside the book (same disk, same 0700 folder) and is gone once sent.
    let tmp = b.path().with_extension(format!("join-{}.db", &device[..8.min(device.len())]));
    let _ = std::fs::remove_file(&tmp);
    let sent = (|| -> Result<(), ApiError> {
        // A large book takes a while to copy (a million customers: about 15 s); the joiner is
        // told how far it has got meanwhile.
        let expected = std::sync::atomic::AtomicU64::new(0);
        let measure = || {
            let done = std::fs::metadata(&tmp).map(|m| m.len()).unwrap_or(0);
            let total = expected.load(std::sync::atomic::Ordering::Relaxed);
            (done.min(total), total)
        };
        let once = still_at_it(&mut s, measure, || b.sync_snapshot(caller, &tmp, &expected))?;
        let mut file = std::fs::File::open(&tmp).map_err(|e| net_error(l, e.into()))?;
        let size = file.metadata().map_err(|e| net_error(l, e.into()))?.len();
        let key = zeroize::Zeroizing::new(hex_bytes(&once.to_hex()));
        frame::write(&mut s, &Frame::Book { key: key.to_vec(), code, size }).map_err(|e| net_error(l, e))?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buf).map_err(|e| net_error(l, e.into()))?;
            if n == 0 {
                break;
            }
            frame::write(&mut s, &Frame::Chunk(buf[..n].to_vec())).map_err(|e| net_error(l, e))?;
        }
        // The joiner checks the copy whole before it answers, telling how it goes meanwhile.
        match read_past_progress(&mut s, &mut |_, _| {}).map_err(|e| net_error(l, e))? {
            Frame::Ack(_) => Ok(()),
            Frame::Refused(why) => Err(net_error(l, banyan_net::Error::PeerRefused(why))),
            other => Err(net_error(l, banyan_net::Error::Malformed(other.name().into()))),
        }
    })();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = tmp.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
    sent?;
    s.conn.send_close_notify();
    let _ = s.flush();
    Ok(name)
}

fn hex_bytes(h: &str) -> Vec<u8> {
    cert::unhex(h).unwrap_or_default()
}

/// `banyan sync pair CODE HOST:PORT`: joins the book the desktop at `peer` invites to, making
/// the book at `opts.path` (which must not exist yet) under `protect`. `progress` is told how
/// far it has got.
pub fn join(
    opts: &api::OpenOptions,
    protect: banyan::store::NewKey,
    code: &str,
    peer: &str,
    name: Option<&str>,
    progress: &(dyn Fn(JoinStep) + Sync),
) -> Result<Banyan, ApiError> {
    let l = Localizer::new(opts.lang);
    let code = pair::normalize(code).ok_or_else(|| {
        api::localize(&l, banyan::Error::field(banyan::FieldError::new("pairing", "error-pairing-code")))
    })?;
    if opts.path.exists() {
        return Err(api::localize(&l, banyan::Error::DbExists(opts.path.clone())));
    }
    banyan::home::check_new_key(&protect).map_err(|e| api::localize(&l, e))?;
    let addr = address(peer, &l)?;
    let id = Identity::generate().map_err(|e| net_error(&l, e))?;
    let device = banyan::model::DeviceId::new(now_ms()).to_string();
    let signing = banyan::security::chain::DeviceKey::random().map_err(|e| api::localize(&l, e))?;
    let signing_key = signing.public_hex();
    let name = desktop_name(name);
    let config = tls::client_config(&id, Arc::new(AnyPeer)).map_err(|e| net_error(&l, e))?;
    let mut s = tls::connect(addr, config).map_err(|e| net_error(&l, e))?;
    let inviter = tls::peer_fingerprint(&s.conn).ok_or_else(|| net_error(&l, banyan_net::Error::PairingFailed))?;
    let exporter = tls::exporter(&s.conn).map_err(|e| net_error(&l, e))?;
    pair::confirm(&mut s, pair::Role::Joiner, &code, &exporter, &inviter, &id.fingerprint())
        .map_err(|e| net_error(&l, e))?;
    frame::write(&mut s, &Frame::Join { device: device.clone(), name, signing_key: signing_key.clone() })
        .map_err(|e| net_error(&l, e))?;
    let preparing = &mut |done, total| progress(JoinStep::Preparing { done, total });
    let (key, my_code, size) = match read_past_progress(&mut s, preparing).map_err(|e| net_error(&l, e))? {
        Frame::Book { key, code, size } => (zeroize::Zeroizing::new(key), code, size),
        Frame::Refused(why) => return Err(net_error(&l, banyan_net::Error::PeerRefused(why))),
        other => return Err(net_error(&l, banyan_net::Error::Malformed(other.name().into()))),
    };
    // Straight to a file beside the book (encrypted as received, 0600), never whole in memory.
    let mut received = opts.path.as_os_str().to_owned();
    received.push(".joining");
    let received = std::path::PathBuf::from(received);
    let io = |e: std::io::Error| net_error(&l, e.into());
    if let Some(dir) = opts.path.parent().filter(|d| !d.as_os_str().is_empty()) {
        banyan::security::files::create_dir_all(dir).map_err(io)?;
    }
    let _ = std::fs::remove_file(&received);
    let copied = (|| -> Result<(), ApiError> {
        let mut file = banyan::security::files::create_new(&received).map_err(io)?;
        let mut got = 0u64;
        while got < size {
            match frame::read(&mut s).map_err(|e| net_error(&l, e))? {
                Frame::Chunk(c) if got + c.len() as u64 <= size => {
                    file.write_all(&c).map_err(io)?;
                    got += c.len() as u64;
                    progress(JoinStep::Receiving { done: got, total: size });
                }
                other => return Err(net_error(&l, banyan_net::Error::Malformed(other.name().into()))),
            }
        }
        file.sync_all().map_err(io)
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&received);
        return Err(e);
    }
    let key: [u8; 32] =
        key.as_slice().try_into().map_err(|_| net_error(&l, banyan_net::Error::Malformed("key".into())))?;
    progress(JoinStep::Checking);
    // Checking a large copy takes a while (a million customers: about 15 s): the inviter hears
    // that this side is still at it.
    let b = still_at_it(
        &mut s,
        || (0, 0),
        || {
            banyan::api::Banyan::join(
                opts,
                &received,
                banyan::security::keys::DbKey::from_bytes(key),
                protect,
                &device,
                &my_code,
                signing,
                (&id.cert, &id.key),
            )
        },
    )?;
    // The book must name the desktop that sent it, and this one (with the key it signs with),
    // as members.
    let members = b.sync_members()?;
    let listed = |fp: &[u8; 32]| members.iter().any(|m| m.revoked_at.is_none() && m.fingerprint == cert::hex(fp));
    let me = members.iter().any(|m| m.device == device && m.signing_key.as_deref() == Some(signing_key.as_str()));
    if !listed(&inviter) || !listed(&id.fingerprint()) || !me {
        let _ = frame::write(&mut s, &Frame::Refused("membership".into()));
        return Err(net_error(&l, banyan_net::Error::PairingFailed));
    }
    frame::write(&mut s, &Frame::Ack(b.sync_vector()?.0)).map_err(|e| net_error(&l, e))?;
    s.conn.send_close_notify();
    let _ = s.flush();
    Ok(b)
}

/// A systemd unit running `banyan serve --sync` for the book at `db` as a hardened service: its
/// own system user, the passphrase handed over on standard input from a root-only file (never
/// in the unit, the environment or a command line), write access to the book's folder only,
/// restarted if it stops. The comments say what IT sets up once.
pub fn systemd_unit(exe: &std::path::Path, db: &std::path::Path, listen: &str) -> String {
    let folder = db.parent().unwrap_or(std::path::Path::new("/var/lib/banyan"));
    // systemd takes paths with spaces quoted, and `%` doubled (it starts a specifier).
    let quote =
        |p: &std::path::Path| format!("\"{}\"", p.display().to_string().replace('%', "%%").replace('"', "\\\""));
    format!(
        "# Banyan CRM office hub: answers the book's member desktops' sync (banyan serve --sync).
# Made by `banyan --db {db} serve --sync --systemd-unit`. Once, as root:
#   useradd --system --home-dir {folder} --shell /usr/sbin/nologin banyan
#   chown -R banyan: {folder}
#   install -m 0600 -o root -g root /dev/stdin /etc/banyan/hub.passphrase   # the book's passphrase, one line
#   systemctl daemon-reload && systemctl enable --now banyan-hub
# Its output (one line per sync session, no customer data) is in `journalctl -u banyan-hub`.

[Unit]
Description=Banyan CRM office hub (sync)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=banyan
Group=banyan
ExecStart={exe} --db {dbq} serve --sync --listen {listen} --passphrase-stdin
# systemd opens the passphrase file as root and hands it over on standard input.
StandardInput=file:/etc/banyan/hub.passphrase
StandardOutput=journal
StandardError=journal
Restart=on-failure
RestartSec=5
# Hardening: the book's folder is the only place it writes.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
ReadWritePaths={folderq}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
UMask=0077

[Install]
WantedBy=multi-user.target
",
        db = db.display(),
        folder = folder.display(),
        exe = quote(exe),
        dbq = quote(db),
        folderq = quote(folder),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A side that works longer than the other side's idle timeout would allow keeps telling it
    /// so, and the reader passes those frames on to its progress and returns the next real one.
    #[test]
    fn a_long_step_of_a_join_keeps_the_connection_talking() {
        let mut wire: Vec<u8> = Vec::new();
        let started = Instant::now();
        let answer = still_at_it(
            &mut wire,
            || (7, 10),
            || {
                std::thread::sleep(STILL_AT_IT * 2 + Duration::from_millis(500));
                42
            },
        );
        assert_eq!(answer, 42);
        assert!(started.elapsed() >= STILL_AT_IT * 2);
        frame::write(&mut wire, &Frame::Ack(Default::default())).unwrap();

        let mut told = Vec::new();
        let mut r = std::io::Cursor::new(wire);
        let next = read_past_progress(&mut r, &mut |done, total| told.push((done, total))).unwrap();
        assert_eq!(next, Frame::Ack(Default::default()));
        // One every STILL_AT_IT, never a gap as long as the idle timeout.
        assert_eq!(told, vec![(7, 10), (7, 10)]);
        assert!(STILL_AT_IT * 10 < tls::IDLE);
    }

    /// One address gets so many places at the gate, everyone together so many; a place is given
    /// back when its connection ends.
    #[test]
    fn the_hubs_gate_bounds_connections_per_address_and_in_all() {
        let gate = Arc::new(Gate::default());
        let ip = |n: u32| std::net::IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n));
        let mut stranger: Vec<Pass> = (0..MAX_FROM_ONE).map(|_| gate.enter(ip(1)).unwrap()).collect();
        assert!(gate.enter(ip(1)).is_none(), "one address past its share");
        let member = gate.enter(ip(2)).expect("another address still gets in");
        stranger.pop();
        assert!(gate.enter(ip(1)).is_some(), "a place given back is taken again");
        drop((stranger, member));
        assert!(gate.open.lock().unwrap().is_empty(), "every place given back");
        let all: Vec<Pass> =
            (0..MAX_SESSIONS).map(|i| gate.enter(ip(100 + (i / MAX_FROM_ONE) as u32)).unwrap()).collect();
        assert!(gate.enter(ip(1)).is_none(), "past the hub's whole limit");
        drop(all);
        assert!(gate.enter(ip(1)).is_some());
    }

    /// Work that fails still ends the telling and hands back its error.
    #[test]
    fn a_failed_step_reports_its_error() {
        let mut wire: Vec<u8> = Vec::new();
        let got: Result<(), &str> = still_at_it(&mut wire, || (0, 0), || Err("disk full"));
        assert_eq!(got, Err("disk full"));
        assert!(wire.is_empty());
    }
}
