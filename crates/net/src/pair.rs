//! Joining a book with a 6-digit code, shown on the inviting desktop for 5 minutes.
//!
//! Both sides speak TLS with certificates the other does not know yet, then run SPAKE2 over the
//! code (one guess per connection: an active attacker learns nothing it can test offline). Each
//! side then sends a confirmation: an HMAC under the SPAKE2 key of its role, the TLS exporter of
//! this very session and both certificates' fingerprints. A wrong code fails both confirmations;
//! a relay in the middle runs two TLS sessions with two exporters and fails them too. Only after
//! that does either side trust the other's certificate.

use crate::cert::Fingerprint;
use crate::frame::{self, Frame};
use crate::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use spake2::{Ed25519Group, Identity, Password, Spake2};
use std::io::{Read, Write};

/// Digits in a pairing code.
pub const CODE_DIGITS: usize = 6;

/// A new random code of [`CODE_DIGITS`] digits.
pub fn new_code() -> Result<String> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(format!("{:06}", u64::from_le_bytes(b) % 1_000_000))
}

/// Whether `text` is shaped like a code (what a person types: spaces and dashes are dropped).
pub fn normalize(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    (digits.len() == CODE_DIGITS && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// Which end of the pairing this side is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Inviter,
    Joiner,
}

fn confirmation(
    key: &[u8],
    role: Role,
    exporter: &[u8; 32],
    inviter: &Fingerprint,
    joiner: &Fingerprint,
) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"banyan pairing confirmation 1");
    mac.update(match role {
        Role::Inviter => b"inviter",
        Role::Joiner => b"joiner.",
    });
    mac.update(exporter);
    mac.update(inviter);
    mac.update(joiner);
    mac
}

/// Runs SPAKE2 over `code` and both confirmations on an established TLS session whose exporter
/// is `exporter`, between the certificates `inviter` and `joiner`. Returns the shared key.
pub fn confirm<S: Read + Write>(
    stream: &mut S,
    role: Role,
    code: &str,
    exporter: &[u8; 32],
    inviter: &Fingerprint,
    joiner: &Fingerprint,
) -> Result<Vec<u8>> {
    let (state, mine) =
        Spake2::<Ed25519Group>::start_symmetric(&Password::new(code.as_bytes()), &Identity::new(b"banyan pairing 1"));
    frame::write(stream, &Frame::Spake(mine))?;
    let theirs = match frame::read(stream)? {
        Frame::Spake(m) => m,
        Frame::Refused(why) => return Err(Error::PeerRefused(why)),
        other => return Err(Error::Malformed(format!("{} during pairing", other.name()))),
    };
    let key = state.finish(&theirs).map_err(|_| Error::PairingFailed)?;
    let other = if role == Role::Inviter { Role::Joiner } else { Role::Inviter };
    let proof = confirmation(&key, role, exporter, inviter, joiner).finalize().into_bytes().to_vec();
    frame::write(stream, &Frame::Confirm(proof))?;
    let theirs = match frame::read(stream)? {
        Frame::Confirm(m) => m,
        Frame::Refused(why) => return Err(Error::PeerRefused(why)),
        other => return Err(Error::Malformed(format!("{} during pairing", other.name()))),
    };
    confirmation(&key, other, exporter, inviter, joiner).verify_slice(&theirs).map_err(|_| Error::PairingFailed)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_typed_codes_are_read_forgivingly() {
        for _ in 0..100 {
            let c = new_code().unwrap();
            assert_eq!(normalize(&c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(normalize(" 042-917 ").as_deref(), Some("042917"));
        assert_eq!(normalize("42917"), None);
        assert_eq!(normalize("04291a"), None);
    }
}
