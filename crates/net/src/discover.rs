//! Finding a book's hub and desktops on the local network: DNS-SD over multicast DNS
//! (`_banyan-sync._tcp`, through mdns-sd).
//!
//! An announcement is a hint, never trust: whoever answers at the address it gives must still
//! show a member's certificate over mutual TLS, so one pointing at a stranger gets nowhere. It
//! tells a stranger nothing either: the instance and host names are random, and the TXT record
//! holds only a random salt and a tag (an HMAC of the salt keyed by the book's id) that only
//! someone who knows the book can recognise. Both are new each time a desktop starts announcing,
//! so announcements cannot be linked to one another or to a book.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
use sha2::Sha256;

use crate::{Error, Result};

/// The DNS-SD service type.
pub const SERVICE: &str = "_banyan-sync._tcp.local.";

/// Where announcements go and are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every network interface of this computer (a real office).
    Network,
    /// 127.0.0.1 only (tests: nothing leaves the machine).
    Loopback,
}

fn mdns(e: mdns_sd::Error) -> Error {
    Error::Io(std::io::Error::other(format!("mDNS: {e}")))
}

fn random_hex(bytes: usize) -> Result<String> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The tag a book's announcement carries for `salt`: HMAC-SHA256 keyed by the book's id, cut to
/// 16 bytes.
pub fn tag(book: &[u8], salt: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(book).expect("HMAC takes any key");
    mac.update(b"banyan-sync-tag\0");
    mac.update(salt.as_bytes());
    mac.finalize().into_bytes()[..16].iter().map(|x| format!("{x:02x}")).collect()
}

fn daemon(scope: Scope) -> Result<ServiceDaemon> {
    let d = ServiceDaemon::new().map_err(mdns)?;
    if scope == Scope::Loopback {
        d.disable_interface(IfKind::All).map_err(mdns)?;
        d.enable_interface(IfKind::LoopbackV4).map_err(mdns)?;
    }
    Ok(d)
}

/// A running announcement; dropping it withdraws it.
pub struct Announcement {
    daemon: ServiceDaemon,
    fullname: String,
}

impl Drop for Announcement {
    fn drop(&mut self) {
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(Duration::from_secs(1));
        }
        let _ = self.daemon.shutdown();
    }
}

/// Announces that a replica of `book` answers at `listen` (an unspecified address: at every
/// address of the interfaces in `scope`).
pub fn announce(book: &[u8], listen: SocketAddr, scope: Scope) -> Result<Announcement> {
    let daemon = daemon(scope)?;
    let salt = random_hex(8)?;
    let props = [("s", salt.clone()), ("t", tag(book, &salt))];
    let instance = random_hex(8)?;
    let host = format!("{}.local.", random_hex(6)?);
    let ips: Vec<IpAddr> = if listen.ip().is_unspecified() { Vec::new() } else { vec![listen.ip()] };
    let mut info = ServiceInfo::new(SERVICE, &instance, &host, &ips[..], listen.port(), &props[..]).map_err(mdns)?;
    if ips.is_empty() {
        info = info.enable_addr_auto();
    }
    let fullname = info.get_fullname().to_string();
    daemon.register(info).map_err(mdns)?;
    Ok(Announcement { daemon, fullname })
}

/// Looks for announcements of `book` for up to `within`, calling `found` with each new address
/// as it is resolved (announcements of other books and malformed ones are passed over); stops
/// early when `found` says so (returns false).
pub fn find(book: &[u8], within: Duration, scope: Scope, found: &mut dyn FnMut(SocketAddr) -> bool) -> Result<()> {
    let daemon = daemon(scope)?;
    let events = daemon.browse(SERVICE).map_err(mdns)?;
    let until = Instant::now() + within;
    let mut seen = HashSet::new();
    let mut more = true;
    while more {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let Ok(event) = events.recv_timeout(left) else { break };
        let ServiceEvent::ServiceResolved(service) = event else { continue };
        let props = service.get_properties();
        let (Some(salt), Some(claimed)) = (props.get_property_val_str("s"), props.get_property_val_str("t")) else {
            continue;
        };
        if salt.len() > 64 || tag(book, salt) != claimed {
            continue;
        }
        let mut addrs: Vec<IpAddr> = service.get_addresses().iter().map(|a| a.to_ip_addr()).collect();
        addrs.sort();
        for ip in addrs {
            if scope == Scope::Loopback && !ip.is_loopback() {
                continue;
            }
            let addr = SocketAddr::new(ip, service.get_port());
            if seen.insert(addr) && !found(addr) {
                more = false;
                break;
            }
        }
    }
    let _ = daemon.stop_browse(SERVICE);
    let _ = daemon.shutdown();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_is_recognised_only_with_the_book_and_its_salt() {
        let t = tag(b"book-1", "00ff");
        assert_eq!(t.len(), 32);
        assert_eq!(t, tag(b"book-1", "00ff"));
        assert_ne!(t, tag(b"book-2", "00ff"));
        assert_ne!(t, tag(b"book-1", "00fe"));
    }

    #[test]
    fn an_announcement_on_loopback_is_found_by_its_book_only() {
        let listen: SocketAddr = "127.0.0.1:47123".parse().unwrap();
        let _ours = announce(b"book-found", listen, Scope::Loopback).unwrap();
        let _theirs = announce(b"another-book", "127.0.0.1:47124".parse().unwrap(), Scope::Loopback).unwrap();
        let mut got = Vec::new();
        find(b"book-found", Duration::from_secs(3), Scope::Loopback, &mut |a| {
            got.push(a);
            true
        })
        .unwrap();
        assert_eq!(got, vec![listen], "only our book's announcement, at its address");
    }
}
