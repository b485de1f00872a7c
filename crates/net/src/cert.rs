//! A device's TLS identity: a self-signed certificate made by rcgen (ECDSA P-256). Peers do not
//! trust it through a CA but by its SHA-256 fingerprint, which membership lists.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub type Fingerprint = [u8; 32];

/// The SHA-256 of a certificate's DER bytes.
pub fn fingerprint(cert_der: &[u8]) -> Fingerprint {
    Sha256::digest(cert_der).into()
}

/// A certificate and its private key (PKCS#8 DER), as a book keeps them (encrypted, never in a
/// clear file).
#[derive(Clone)]
pub struct Identity {
    pub cert: Vec<u8>,
    pub key: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identity({})", hex(&self.fingerprint()))
    }
}

/// The name every Banyan certificate carries; peers verify fingerprints, not names.
pub const NAME: &str = "banyan-sync";

impl Identity {
    /// A new key pair and its self-signed certificate.
    pub fn generate() -> crate::Result<Identity> {
        let key = rcgen::KeyPair::generate()?;
        let params = rcgen::CertificateParams::new(vec![NAME.to_string()])?;
        let cert = params.self_signed(&key)?;
        Ok(Identity { cert: cert.der().to_vec(), key: Zeroizing::new(key.serialize_der()) })
    }

    pub fn fingerprint(&self) -> Fingerprint {
        fingerprint(&self.cert)
    }
}

/// Lowercase hex, as fingerprints are shown and stored.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a lowercase or uppercase hex string.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}
