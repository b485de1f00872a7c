//! Banyan's sync transport, a leaf under the core: it knows nothing of books, only of
//! replicas that hand it opaque batches ([`session::Replica`]).
//!
//! - [`cert`]: a device's TLS identity (an rcgen self-signed certificate; its SHA-256 is the
//!   fingerprint members know it by).
//! - [`tls`]: mutual TLS 1.3 only (rustls, ring provider), each side's verifier accepting only
//!   the fingerprints it is told to ([`tls::Pins`]): nothing is read before that.
//! - [`frame`]: length-prefixed postcard frames, the length checked before anything is allocated.
//! - [`pair`]: joining a book with a 6-digit code: SPAKE2 over the code inside TLS, both
//!   confirmations covering the TLS exporter and both certificates, so a relay fails on both sides.
//! - [`discover`]: announcing and finding a book's replicas on the local network (mDNS-SD); a hint,
//!   never trust.
//! - [`session`]: one round of sync between two replicas over a stream.

pub mod cert;
pub mod discover;
pub mod frame;
pub mod pair;
pub mod session;
pub mod tls;

pub use cert::{Fingerprint, Identity, fingerprint};

/// What went wrong on a connection.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("certificate: {0}")]
    Cert(#[from] rcgen::Error),
    /// A frame longer than [`frame::MAX_FRAME`] bytes, refused before reading it.
    #[error("a frame of {0} bytes is too large")]
    TooLarge(u64),
    /// A frame that does not decode, or one that does not belong where it came.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// The peer ended the session, saying why.
    #[error("the peer refused: {0}")]
    PeerRefused(String),
    /// This side refused the peer, saying why (the peer was told).
    #[error("refused: {0}")]
    Refused(String),
    /// The pairing code or its confirmation did not match.
    #[error("pairing failed: the code or the connection is not the one the other desktop shows")]
    PairingFailed,
    /// The replica failed (the book's own error, as text).
    #[error("{0}")]
    Replica(String),
}

impl Error {
    /// The kind of error, for logs: never the detail (it can quote what the peer sent).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io(_) => "io",
            Error::Tls(_) => "tls",
            Error::Cert(_) => "certificate",
            Error::TooLarge(_) => "too-large",
            Error::Malformed(_) => "malformed",
            Error::PeerRefused(_) => "peer-refused",
            Error::Refused(_) => "refused",
            Error::PairingFailed => "pairing-failed",
            Error::Replica(_) => "replica",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
