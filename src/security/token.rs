//! Service-account tokens: `bnyn_<login>_<64 hex digits>`, the hex being 32 random bytes. The
//! login in the token says whose it is; the book keeps only a BLAKE3 hash of the secret (a slow
//! password hash adds nothing against guessing 256 random bits, and each command-line call
//! would pay for it), compared in constant time.

use crate::error::{Error, Result};
use zeroize::Zeroizing;

const PREFIX: &str = "bnyn_";
const SECRET_HEX: usize = 64;
const STORED_PREFIX: &str = "token$";

/// A new token, and the form the book stores.
pub struct Issued {
    pub token: Zeroizing<String>,
    pub stored: String,
}

fn hash(secret: &str) -> blake3::Hash {
    blake3::Hasher::new_derive_key("banyan 2026-12 service account token").update(secret.as_bytes()).finalize()
}

/// A new random token for `login`.
pub fn issue(login: &str) -> Result<Issued> {
    let mut b = Zeroizing::new([0u8; 32]);
    getrandom::fill(b.as_mut()).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let secret = Zeroizing::new(hex::encode(b.as_ref()));
    Ok(Issued {
        token: Zeroizing::new(format!("{PREFIX}{login}_{}", secret.as_str())),
        stored: format!("{STORED_PREFIX}{}", hash(&secret).to_hex()),
    })
}

/// The login and the secret a token names (none: not a token).
pub fn parse(token: &str) -> Option<(&str, &str)> {
    let rest = token.trim().strip_prefix(PREFIX)?;
    let cut = rest.len().checked_sub(SECRET_HEX + 1)?;
    let (login, secret) = (rest.get(..cut)?, rest.get(cut + 1..)?);
    let ok = rest.as_bytes()[cut] == b'_' && !login.is_empty() && secret.bytes().all(|c| c.is_ascii_hexdigit());
    ok.then_some((login, secret))
}

/// Whether `stored` (a service account's `password` column) is the hash of `secret`.
pub fn matches(stored: &str, secret: &str) -> bool {
    let Some(hex) = stored.strip_prefix(STORED_PREFIX) else { return false };
    // blake3::Hash compares in constant time.
    blake3::Hash::from_hex(hex).is_ok_and(|h| h == hash(secret))
}

/// Whether a stored credential is a token's (a service account) rather than a password's.
pub fn is_token(stored: &str) -> bool {
    stored.starts_with(STORED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_account_and_only_its_own_secret_matches() {
        let t = issue("erp_sync.bot").unwrap();
        let (login, secret) = parse(&t.token).unwrap();
        assert_eq!(login, "erp_sync.bot");
        assert!(matches(&t.stored, secret));
        assert!(!t.stored.contains(secret), "the secret is not stored");
        let other = issue("erp_sync.bot").unwrap();
        let (_, other_secret) = parse(&other.token).unwrap();
        assert!(!matches(&t.stored, other_secret));
        assert!(!matches("$argon2id$v=19$m=65536,t=3,p=1$x$y", secret));
        for bad in
            ["", "bnyn_", "bnyn_x", "bnyn__0000", &t.token[..t.token.len() - 1], &t.token.replace("bnyn_", "bnyx_")]
        {
            assert!(parse(bad).is_none_or(|(_, s)| !matches(&t.stored, s)), "{bad}");
        }
        assert!(is_token(&t.stored) && !is_token("$argon2id$v=19$..."));
    }
}
