//! One round of sync between two replicas over an authenticated stream: both say Hello (and may
//! refuse the other: another book, an incompatible schema, clocks more than 5 minutes apart), the
//! side that connected pulls what it lacks, then the other side pulls. Each batch is applied and
//! acknowledged with the receiver's vector before the next is sent, so a cut connection loses at
//! most the batch in flight, and the next round starts from what was acknowledged.

use crate::frame::{self, Frame, Hello, Vector};
use crate::{Error, Result};
use std::io::{Read, Write};

/// Field changes per batch, at most: a batch is applied in one transaction, and on an encrypted
/// book a commit's cost is mostly the pages it writes, many of them shared by the batch's
/// customers (100,000 changes in batches of 5,000: 5.3 s; of 25,000: 3.7 s; of 50,000: 3.07 s and
/// of 100,000: 2.84 s at stop 43, the receiver's peak 272 MB either way; `cargo xtask bench
/// sync`). A batch whose encoding would pass [`frame::MAX_FRAME`] is cut smaller.
pub const BATCH: usize = 100_000;

/// What a replica offers a session. Errors are the replica's own, as text the peer may see.
pub trait Replica {
    fn hello(&self) -> std::result::Result<Hello, String>;
    /// Refuses a peer: another book, an incompatible schema, a clock too far off.
    fn accept(&self, peer: &Hello) -> std::result::Result<(), String>;
    fn vector(&self) -> std::result::Result<Vector, String>;
    /// What `since` lacks, up to about `max` field changes: (encoded batch, field changes, more).
    fn changes(&self, since: &Vector, max: usize) -> std::result::Result<(Vec<u8>, u64, bool), String>;
    /// Applies a batch the peer sent; returns the field changes applied.
    fn apply(&self, payload: &[u8]) -> std::result::Result<u64, String>;
    /// Waits up to `max` until this replica holds something `since` lacks; whether it does.
    fn wait_news(&self, since: &Vector, max: std::time::Duration) -> std::result::Result<bool, String>;
    /// Whether `device` is still a member (a removed one's open connections are cut), and if
    /// not, what to tell it.
    fn admits(&self, device: &str) -> std::result::Result<(), String>;
}

/// How long a watched side waits before it says Quiet (and the watcher asks again): well under
/// any idle timeout a router or firewall between them may have.
pub const WATCH_FOR: std::time::Duration = std::time::Duration::from_secs(20);

/// What a round did.
#[derive(Debug, Clone)]
pub struct Report {
    pub peer: Hello,
    /// Field changes sent and received (applied here).
    pub sent: u64,
    pub received: u64,
}

/// The next frame, unless it is the peer refusing.
fn next<S: Read>(s: &mut S) -> Result<Frame> {
    match frame::read(s)? {
        Frame::Refused(why) => Err(Error::PeerRefused(why)),
        f => Ok(f),
    }
}

fn refuse<S: Write>(s: &mut S, why: String) -> Error {
    let _ = frame::write(s, &Frame::Refused(why.clone()));
    Error::Refused(why)
}

/// Both sides' Hello; the peer's, once this side accepted it.
fn greet<S: Read + Write>(s: &mut S, me: &dyn Replica, initiator: bool) -> Result<Hello> {
    let hello = me.hello().map_err(Error::Replica)?;
    let peer = if initiator {
        frame::write(s, &Frame::Hello(hello))?;
        next(s)?
    } else {
        let f = next(s)?;
        frame::write(s, &Frame::Hello(hello))?;
        f
    };
    let Frame::Hello(peer) = peer else {
        return Err(refuse(s, format!("expected Hello, got {}", peer.name())));
    };
    if let Err(why) = me.accept(&peer) {
        // The peer is told why; this side's caller gets the replica's own words as they are.
        let _ = refuse(s, why.clone());
        return Err(Error::Replica(why));
    }
    Ok(peer)
}

/// Runs one round. `initiator` is the side that connected. The side that did not connect also
/// answers a watcher (see [`watch`]) until it hangs up; that counts as a round of nothing.
pub fn run<S: Read + Write>(s: &mut S, me: &dyn Replica, initiator: bool) -> Result<Report> {
    let peer = greet(s, me, initiator)?;
    let (sent, received) = if initiator {
        let r = pull(s, me)?;
        (push(s, me)?, r)
    } else {
        match next(s)? {
            Frame::Watch(v) => {
                answer_watch(s, me, &peer.device, v)?;
                return Ok(Report { peer, sent: 0, received: 0 });
            }
            Frame::Want(v) => {
                let t = push_from(s, me, v)?;
                (t, pull(s, me)?)
            }
            other => return Err(refuse(s, format!("expected Want, got {}", other.name()))),
        }
    };
    Ok(Report { peer, sent, received })
}

/// Live sync, the watcher's side: after Hello, asks the peer to say when it holds something this
/// replica lacks, and calls `news` each time it does (which runs a round on a connection of its
/// own and says whether to go on watching). Returns when `news` says stop or the connection ends.
pub fn watch<S: Read + Write>(s: &mut S, me: &dyn Replica, news: &mut dyn FnMut() -> bool) -> Result<Hello> {
    let peer = greet(s, me, true)?;
    loop {
        frame::write(s, &Frame::Watch(me.vector().map_err(Error::Replica)?))?;
        match next(s)? {
            Frame::News(theirs) => {
                // What the peer holds beyond the vector sent may be this side's own change that
                // reached it meanwhile, or one a round here has pulled since: nothing to do then.
                let now = me.vector().map_err(Error::Replica)?;
                let lacking = theirs.iter().any(|(d, n)| now.get(d).copied().unwrap_or(0) < *n);
                if lacking && !news() {
                    return Ok(peer);
                }
            }
            Frame::Quiet => {}
            other => return Err(refuse(s, format!("expected News, got {}", other.name()))),
        }
    }
}

/// The watched side: answers each Watch with News as soon as it holds something the watcher's
/// vector lacks, or Quiet after [`WATCH_FOR`], until the watcher hangs up. A watcher removed from
/// the book meanwhile is told so and cut off within a second.
fn answer_watch<S: Read + Write>(s: &mut S, me: &dyn Replica, watcher: &str, mut since: Vector) -> Result<()> {
    let slice = std::time::Duration::from_secs(1);
    loop {
        let until = std::time::Instant::now() + WATCH_FOR;
        let news = loop {
            if let Err(why) = me.admits(watcher) {
                return Err(refuse(s, why));
            }
            if me.wait_news(&since, slice).map_err(Error::Replica)? {
                break true;
            }
            if std::time::Instant::now() >= until {
                break false;
            }
        };
        frame::write(s, &if news { Frame::News(me.vector().map_err(Error::Replica)?) } else { Frame::Quiet })?;
        since = match frame::read(s) {
            Ok(Frame::Watch(v)) => v,
            // The watcher hung up (it stops, or it goes on with a round of its own).
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Frame::Refused(why)) => return Err(Error::PeerRefused(why)),
            Ok(other) => return Err(refuse(s, format!("expected Watch, got {}", other.name()))),
            Err(e) => return Err(e),
        };
    }
}

fn pull<S: Read + Write>(s: &mut S, me: &dyn Replica) -> Result<u64> {
    frame::write(s, &Frame::Want(me.vector().map_err(Error::Replica)?))?;
    let mut received = 0;
    loop {
        match next(s)? {
            Frame::Txs { payload, more, .. } => {
                match me.apply(&payload) {
                    Ok(n) => received += n,
                    Err(why) => return Err(refuse(s, why)),
                }
                frame::write(s, &Frame::Ack(me.vector().map_err(Error::Replica)?))?;
                if !more {
                    return Ok(received);
                }
            }
            other => return Err(refuse(s, format!("expected Txs, got {}", other.name()))),
        }
    }
}

fn push<S: Read + Write>(s: &mut S, me: &dyn Replica) -> Result<u64> {
    let want = match next(s)? {
        Frame::Want(v) => v,
        other => return Err(refuse(s, format!("expected Want, got {}", other.name()))),
    };
    push_from(s, me, want)
}

/// Sends what a peer whose vector is `want` lacks, batch by batch, each acknowledged.
fn push_from<S: Read + Write>(s: &mut S, me: &dyn Replica, mut want: Vector) -> Result<u64> {
    let mut sent = 0;
    loop {
        let mut max = BATCH;
        let (payload, changes, more) = loop {
            let (payload, changes, more) = me.changes(&want, max).map_err(Error::Replica)?;
            if payload.len() as u64 + 64 <= frame::MAX_FRAME as u64 || max == 1 {
                break (payload, changes, more);
            }
            max /= 2;
        };
        frame::write(s, &Frame::Txs { payload, changes, more })?;
        sent += changes;
        let acked = match next(s)? {
            Frame::Ack(v) => v,
            other => return Err(refuse(s, format!("expected Ack, got {}", other.name()))),
        };
        if !more {
            return Ok(sent);
        }
        if acked == want {
            // The peer applied nothing of a non-empty batch: sending it again would loop.
            return Err(refuse(s, "the peer could not apply the changes sent".into()));
        }
        want = acked;
    }
}
