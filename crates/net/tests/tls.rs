//! Real TLS over loopback between threads: pinned mutual TLS refuses a stranger during the
//! handshake; pairing with the right code agrees on a key, a wrong code fails on both sides, and
//! a relay in the middle fails both confirmations though it forwards every byte.

use banyan_net::frame::{self, Frame};
use banyan_net::pair::{self, Role};
use banyan_net::tls::{self, AnyPeer, Members};
use banyan_net::{Error, Identity};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread;

fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

#[test]
fn a_certificate_that_is_not_a_member_is_refused_during_the_handshake() {
    let (server_id, member, stranger) =
        (Identity::generate().unwrap(), Identity::generate().unwrap(), Identity::generate().unwrap());
    let pins = Arc::new(Members([member.fingerprint()].into()));
    let config = tls::server_config(&server_id, pins).unwrap();
    let (l, addr) = listener();
    let server = thread::spawn(move || {
        let mut outcomes = Vec::new();
        for _ in 0..2 {
            let (tcp, _) = l.accept().unwrap();
            outcomes.push(tls::accept(tcp, config.clone()).map(|mut s| {
                let fp = tls::peer_fingerprint(&s.conn);
                frame::write(&mut s, &Frame::Refused("hello member".into())).unwrap();
                fp
            }));
        }
        outcomes
    });
    let trust_server = Arc::new(Members([server_id.fingerprint()].into()));
    let mut ok = tls::connect(addr, tls::client_config(&member, trust_server.clone()).unwrap()).unwrap();
    assert_eq!(frame::read(&mut ok).unwrap(), Frame::Refused("hello member".into()));
    let refused =
        tls::connect(addr, tls::client_config(&stranger, trust_server).unwrap()).and_then(|mut s| frame::read(&mut s));
    assert!(refused.is_err(), "a stranger reads nothing: {refused:?}");
    let outcomes = server.join().unwrap();
    assert_eq!(outcomes[0].as_ref().unwrap(), &Some(member.fingerprint()));
    assert!(matches!(outcomes[1], Err(Error::Tls(_)) | Err(Error::Io(_))), "{:?}", outcomes[1]);
    // And a client refuses a server it does not know.
    let (l, addr) = listener();
    let config = tls::server_config(&stranger, Arc::new(AnyPeer)).unwrap();
    thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        let _ = tls::accept(tcp, config);
    });
    let only_server = Arc::new(Members([server_id.fingerprint()].into()));
    assert!(tls::connect(addr, tls::client_config(&member, only_server).unwrap()).is_err());
}

/// Pairs over real TLS: the inviter listens with `inviter_code`, the joiner types `joiner_code`.
fn pair_with(inviter_code: &str, joiner_code: &str) -> (banyan_net::Result<Vec<u8>>, banyan_net::Result<Vec<u8>>) {
    let (inviter, joiner) = (Identity::generate().unwrap(), Identity::generate().unwrap());
    let (l, addr) = listener();
    let config = tls::server_config(&inviter, Arc::new(AnyPeer)).unwrap();
    let code = inviter_code.to_string();
    let inv_fp = inviter.fingerprint();
    let server = thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        let mut s = tls::accept(tcp, config)?;
        let joiner_fp = tls::peer_fingerprint(&s.conn).unwrap();
        let exporter = tls::exporter(&s.conn)?;
        pair::confirm(&mut s, Role::Inviter, &code, &exporter, &inv_fp, &joiner_fp)
    });
    let mut c = tls::connect(addr, tls::client_config(&joiner, Arc::new(AnyPeer)).unwrap()).unwrap();
    let seen = tls::peer_fingerprint(&c.conn).unwrap();
    let exporter = tls::exporter(&c.conn).unwrap();
    let mine = pair::confirm(&mut c, Role::Joiner, joiner_code, &exporter, &seen, &joiner.fingerprint());
    (server.join().unwrap(), mine)
}

#[test]
fn the_right_code_pairs_and_a_wrong_one_fails_on_both_sides() {
    let (a, b) = pair_with("482913", "482913");
    assert_eq!(a.unwrap(), b.unwrap());
    let (a, b) = pair_with("482913", "482914");
    assert!(matches!(a, Err(Error::PairingFailed)), "{a:?}");
    assert!(matches!(b, Err(Error::PairingFailed)), "{b:?}");
}

#[test]
fn a_relay_that_knows_the_code_and_forwards_every_frame_fails_both_confirmations() {
    let (inviter, joiner, relay) =
        (Identity::generate().unwrap(), Identity::generate().unwrap(), Identity::generate().unwrap());
    let code = "771204";
    let (l, inviter_addr) = listener();
    let config = tls::server_config(&inviter, Arc::new(AnyPeer)).unwrap();
    let inv_fp = inviter.fingerprint();
    let inviter_side = thread::spawn(move || {
        let (tcp, _) = l.accept().unwrap();
        let mut s = tls::accept(tcp, config)?;
        let joiner_fp = tls::peer_fingerprint(&s.conn).unwrap();
        let exporter = tls::exporter(&s.conn)?;
        pair::confirm(&mut s, Role::Inviter, code, &exporter, &inv_fp, &joiner_fp)
    });
    // The relay: a TLS server to the joiner, a TLS client to the inviter, passing frames along.
    let (rl, relay_addr) = listener();
    let relay_config = tls::server_config(&relay, Arc::new(AnyPeer)).unwrap();
    let relay_client = tls::client_config(&relay, Arc::new(AnyPeer)).unwrap();
    thread::spawn(move || {
        let (tcp, _) = rl.accept().unwrap();
        let mut down = tls::accept(tcp, relay_config).unwrap();
        let mut up = tls::connect(inviter_addr, relay_client).unwrap();
        for _ in 0..2 {
            // Spake, then Confirm, each way.
            let from_joiner = frame::read(&mut down).unwrap();
            let from_inviter = frame::read(&mut up).unwrap();
            frame::write(&mut up, &from_joiner).unwrap();
            frame::write(&mut down, &from_inviter).unwrap();
        }
    });
    let mut c = tls::connect(relay_addr, tls::client_config(&joiner, Arc::new(AnyPeer)).unwrap()).unwrap();
    let seen = tls::peer_fingerprint(&c.conn).unwrap();
    let exporter = tls::exporter(&c.conn).unwrap();
    let joined = pair::confirm(&mut c, Role::Joiner, code, &exporter, &seen, &joiner.fingerprint());
    assert!(matches!(joined, Err(Error::PairingFailed)), "{joined:?}");
    let invited = inviter_side.join().unwrap();
    assert!(matches!(invited, Err(Error::PairingFailed)), "{invited:?}");
}
