//! Mutual TLS 1.3 between devices: each side presents its own certificate and accepts the other's
//! only if its fingerprint is one [`Pins`] allows. No CA, no names: a desktop is who its
//! certificate's fingerprint says, as in Syncthing. The handshake completes before either side
//! reads an application byte, so a stranger gets nothing past it.

use crate::cert::{Fingerprint, Identity, fingerprint};
use crate::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, DistinguishedName};
use rustls::{ServerConfig, ServerConnection, SignatureScheme, StreamOwned};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// Which peer certificates a side accepts.
pub trait Pins: Send + Sync + std::fmt::Debug {
    fn allows(&self, fp: &Fingerprint) -> bool;

    /// Whether a certificate not allowed is one that was allowed once (a removed member): the
    /// peer is then told so (TLS alert `certificate_revoked`), and stops trying.
    fn removed(&self, _fp: &Fingerprint) -> bool {
        false
    }
}

/// Any certificate: only for pairing, where the code's confirmation (covering both certificates)
/// is what vouches for the peer.
#[derive(Debug)]
pub struct AnyPeer;

impl Pins for AnyPeer {
    fn allows(&self, _: &Fingerprint) -> bool {
        true
    }
}

/// A fixed set of fingerprints (a book's live members, as read when the connection starts).
#[derive(Debug, Default, Clone)]
pub struct Members(pub std::collections::BTreeSet<Fingerprint>);

impl Pins for Members {
    fn allows(&self, fp: &Fingerprint) -> bool {
        self.0.contains(fp)
    }
}

/// A book's members as a side reads them when a connection starts: the live ones, and the ones
/// removed (refused as such).
#[derive(Debug, Default, Clone)]
pub struct Roster {
    pub live: Members,
    pub removed: std::collections::BTreeSet<Fingerprint>,
}

impl Pins for Roster {
    fn allows(&self, fp: &Fingerprint) -> bool {
        self.live.allows(fp)
    }

    fn removed(&self, fp: &Fingerprint) -> bool {
        !self.live.allows(fp) && self.removed.contains(fp)
    }
}

/// Whether `e` is the other side saying this side's certificate belongs to a removed member.
pub fn told_removed(e: &Error) -> bool {
    let revoked =
        |t: &rustls::Error| matches!(t, rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRevoked));
    match e {
        Error::Tls(t) => revoked(t),
        // The stream's handshake I/O hands rustls's error over inside an io::Error.
        Error::Io(io) => io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()).is_some_and(revoked),
        _ => false,
    }
}

/// The ring provider, as the sync design names it (builds everywhere the desktop builds, no
/// cmake or nasm). rustls 0.23.48 deprecates it for lacking post-quantum key exchange; moving to
/// aws-lc-rs (X25519MLKEM768) waits for the installers' toolchains (their issue).
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

#[derive(Debug)]
struct Pinned {
    pins: Arc<dyn Pins>,
    provider: Arc<CryptoProvider>,
}

impl Pinned {
    fn check(&self, cert: &CertificateDer<'_>) -> std::result::Result<(), rustls::Error> {
        let fp = fingerprint(cert);
        if self.pins.allows(&fp) {
            Ok(())
        } else if self.pins.removed(&fp) {
            Err(rustls::Error::InvalidCertificate(CertificateError::Revoked))
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.check(end_entity).map(|_| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        // TLS 1.3 only: never called.
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls13RequiredForQuic))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.verify13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

impl ClientCertVerifier for Pinned {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> std::result::Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity).map(|_| ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls13RequiredForQuic))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.verify13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

fn key_of(id: &Identity) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key.to_vec()))
}

/// The configuration a listening side uses: its identity, and the client certificates it accepts.
pub fn server_config(id: &Identity, pins: Arc<dyn Pins>) -> Result<Arc<ServerConfig>> {
    let provider = provider();
    let verifier = Arc::new(Pinned { pins, provider: provider.clone() });
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(id.cert.clone())], key_of(id))?;
    Ok(Arc::new(config))
}

/// The configuration a connecting side uses.
pub fn client_config(id: &Identity, pins: Arc<dyn Pins>) -> Result<Arc<ClientConfig>> {
    let provider = provider();
    let verifier = Arc::new(Pinned { pins, provider: provider.clone() });
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(vec![CertificateDer::from(id.cert.clone())], key_of(id))?;
    Ok(Arc::new(config))
}

/// A TLS connection either side of it, its handshake done.
pub type ClientStream = StreamOwned<ClientConnection, TcpStream>;
pub type ServerStream = StreamOwned<ServerConnection, TcpStream>;

/// How long a peer may stay silent before the connection is dropped.
pub const IDLE: Duration = Duration::from_secs(60);

/// How long the TLS handshake may take, all of it: a connection that opens and then sends
/// nothing, or trickles its hello a byte at a time, is dropped after this rather than held for
/// [`IDLE`] after every byte.
pub const HANDSHAKE: Duration = Duration::from_secs(10);

/// Connects to `addr` and completes the handshake.
pub fn connect(addr: SocketAddr, config: Arc<ClientConfig>) -> Result<ClientStream> {
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    tcp.set_write_timeout(Some(IDLE))?;
    tcp.set_nodelay(true)?;
    let name = ServerName::try_from(crate::cert::NAME).map_err(|e| Error::Malformed(e.to_string()))?;
    let conn = ClientConnection::new(config, name)?;
    let mut stream = StreamOwned::new(conn, tcp);
    within_handshake(&stream.sock.try_clone()?, || {
        if stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock)?;
        }
        Ok(stream.conn.is_handshaking())
    })?;
    Ok(stream)
}

/// Completes the handshake of an accepted connection.
pub fn accept(tcp: TcpStream, config: Arc<ServerConfig>) -> Result<ServerStream> {
    tcp.set_write_timeout(Some(IDLE))?;
    tcp.set_nodelay(true)?;
    let conn = ServerConnection::new(config)?;
    let mut stream = StreamOwned::new(conn, tcp);
    within_handshake(&stream.sock.try_clone()?, || {
        if stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock)?;
        }
        Ok(stream.conn.is_handshaking())
    })?;
    Ok(stream)
}

/// Runs `step` (one round of handshake I/O; true while the handshake goes on) until it is done or
/// [`HANDSHAKE`] has passed, each read waiting no longer than what is left; then gives the
/// socket its [`IDLE`] timeout for the session.
fn within_handshake(sock: &TcpStream, mut step: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = std::time::Instant::now() + HANDSHAKE;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(Error::Io(std::io::ErrorKind::TimedOut.into()));
        }
        sock.set_read_timeout(Some(left))?;
        if !step()? {
            break;
        }
    }
    sock.set_read_timeout(Some(IDLE))?;
    Ok(())
}

/// The fingerprint of the certificate the peer presented.
pub fn peer_fingerprint(state: &rustls::CommonState) -> Option<Fingerprint> {
    state.peer_certificates().and_then(|c| c.first()).map(|c| fingerprint(c))
}

/// 32 bytes both ends of this one TLS session share and nobody else can (RFC 5705 exporter):
/// what the pairing confirmation binds to.
pub fn exporter<D>(conn: &rustls::ConnectionCommon<D>) -> Result<[u8; 32]> {
    Ok(conn.export_keying_material([0u8; 32], b"EXPORTER-banyan-pairing", None)?)
}
