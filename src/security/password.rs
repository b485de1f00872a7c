//! Sign-in passwords: the policy a new password must meet, Argon2id PHC strings, and a check that
//! costs an unknown login as much as a wrong password, so the two cannot be told apart by time.

use crate::error::{Error, FieldError, Result};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::keys::KdfParams;

/// The shortest password accepted, in characters (not bytes: 十个汉字 counts as ten).
pub const MIN_CHARS: usize = 10;

/// How many of the commonest leaked passwords are refused, counted by rank in zxcvbn's password
/// list (the xato/SecLists frequency ranking).
pub const COMMON_RANK: usize = 10_000;

/// What a stored password hash says about a password typed at sign-in.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password is right and the hash meets the policy's cost.
    Right,
    /// The password is right but was hashed at a lower cost than the policy asks for now: store
    /// this new PHC string in its place.
    RightRehashed(String),
    Wrong,
}

/// Refuses a new password that is too short, one of the [`COMMON_RANK`] commonest, or made of the
/// user's own login or name. The error names `field`.
pub fn check_new(password: &str, field: &str, personal: &[&str]) -> Result<()> {
    if password.chars().count() < MIN_CHARS {
        return Err(Error::field(FieldError::new(field, "error-password-short").arg("min", MIN_CHARS.to_string())));
    }
    if is_common(password) || is_personal(password, personal) {
        return Err(Error::invalid(field, "error-password-common"));
    }
    Ok(())
}

/// The password (or a case, l33t or reversed variant of it) is a whole entry among the
/// [`COMMON_RANK`] commonest. zxcvbn is used for its ranked list and its variant matching, not for
/// its score: a policy users can predict ("not one of the 10,000 commonest") beats an opaque
/// strength meter.
fn is_common(password: &str) -> bool {
    let n = password.chars().count();
    zxcvbn::zxcvbn(password, &[]).sequence().iter().any(|m| {
        m.i == 0
            && m.j + 1 == n
            && matches!(&m.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                // zxcvbn 3.1 does not export its `DictionaryType`, only its Debug name.
                if d.rank <= COMMON_RANK && format!("{:?}", d.dictionary_name) == "Passwords")
    })
}

fn is_personal(password: &str, personal: &[&str]) -> bool {
    let p = password.to_lowercase();
    personal.iter().map(|s| s.trim().to_lowercase()).filter(|s| s.chars().count() >= 3).any(|s| {
        // The login or the name with only digits or symbols around it is still guessable.
        p.contains(&s) && !p.replace(&s, "").chars().any(char::is_alphabetic)
    })
}

/// Hashes a password as an Argon2id PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with a
/// fresh random salt.
pub fn hash(password: &str, cost: KdfParams) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let phc = argon(cost)?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(phc.to_string())
}

/// Checks a password against a stored PHC string; a right password hashed below `cost` comes back
/// rehashed at `cost`. A hash that does not parse counts as wrong (and is no way in).
pub fn verify(phc: &str, password: &str, cost: KdfParams) -> Result<Verdict> {
    let Ok(parsed) = PasswordHash::new(phc) else {
        // Spend the same time as a real check, so a damaged entry looks like any wrong password.
        burn(password, cost);
        return Ok(Verdict::Wrong);
    };
    let stored = Params::try_from(&parsed).ok();
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    if !ok {
        return Ok(Verdict::Wrong);
    }
    let weaker = match stored {
        Some(p) => {
            parsed.algorithm.as_str() != "argon2id"
                || p.m_cost() < cost.m_kib
                || p.t_cost() < cost.t
                || p.p_cost() < cost.p
        }
        None => true,
    };
    if weaker { Ok(Verdict::RightRehashed(hash(password, cost)?)) } else { Ok(Verdict::Right) }
}

/// Does the work of one verification for a login that does not exist, so "no such user" and
/// "wrong password" take the same time as well as reading the same.
pub fn burn(password: &str, cost: KdfParams) {
    let mut out = Zeroizing::new([0u8; 32]);
    if let Ok(a) = argon(cost) {
        let _ = a.hash_password_into(password.as_bytes(), b"banyan-no-such-user", out.as_mut());
    }
}

fn argon(cost: KdfParams) -> Result<Argon2<'static>> {
    let params =
        Params::new(cost.m_kib, cost.t, cost.p, None).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cost low enough for tests; the policy's own default is exercised by the sign-in bench.
    const CHEAP: KdfParams = KdfParams { m_kib: 256, t: 1, p: 1 };

    fn refusal(password: &str, personal: &[&str]) -> Option<&'static str> {
        match check_new(password, "password", personal) {
            Ok(()) => None,
            Err(Error::Invalid(e)) => {
                assert_eq!(e[0].field, "password");
                Some(e[0].msg_id)
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn the_policy_refuses_short_common_and_personal_passwords() {
        let check = |pw: &str, want: Option<&str>| assert_eq!(refusal(pw, &["li.wei", "Li Wei"]), want, "{pw}");
        check("short", Some("error-password-short"));
        check("123456789", Some("error-password-short"));
        // Ten characters but counted as characters, not bytes.
        check("银杏树下的客户关系管", None);
        check("银杏树下的客户", Some("error-password-short"));
        // Among the commonest, whatever the case.
        check("1234567890", Some("error-password-common"));
        check("qwertyuiop", Some("error-password-common"));
        check("PASSWORD123", Some("error-password-common"));
        // The login or the name with a little around it.
        check("li.wei2024!", Some("error-password-common"));
        check("LiWei12345", None);
        check("Li Wei 1234", Some("error-password-common"));
        // Long and unusual.
        check("correct horse battery staple", None);
        check("Tangerine-Ferry-93", None);
    }

    #[test]
    fn a_hash_verifies_only_its_password_and_is_salted() {
        let a = hash("Tangerine-Ferry-93", CHEAP).unwrap();
        let b = hash("Tangerine-Ferry-93", CHEAP).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{a}");
        assert_ne!(a, b, "two hashes of one password differ by their salt");
        assert_eq!(verify(&a, "Tangerine-Ferry-93", CHEAP).unwrap(), Verdict::Right);
        assert_eq!(verify(&a, "tangerine-ferry-93", CHEAP).unwrap(), Verdict::Wrong);
        assert_eq!(verify("not a phc string", "Tangerine-Ferry-93", CHEAP).unwrap(), Verdict::Wrong);
    }

    #[test]
    fn a_raised_cost_rehashes_at_the_next_right_sign_in() {
        let old = hash("Tangerine-Ferry-93", CHEAP).unwrap();
        let higher = KdfParams { m_kib: 512, t: 2, p: 1 };
        let Verdict::RightRehashed(new) = verify(&old, "Tangerine-Ferry-93", higher).unwrap() else {
            panic!("a right password under a raised cost is rehashed");
        };
        assert!(new.starts_with("$argon2id$v=19$m=512,t=2,p=1$"), "{new}");
        assert_eq!(verify(&new, "Tangerine-Ferry-93", higher).unwrap(), Verdict::Right);
        // A wrong password is never rehashed, and a lowered cost keeps the stronger hash.
        assert_eq!(verify(&old, "wrong-password-1", higher).unwrap(), Verdict::Wrong);
        assert_eq!(verify(&new, "Tangerine-Ferry-93", CHEAP).unwrap(), Verdict::Right);
    }
}
