//! Authenticator codes (TOTP, RFC 6238) and one-time recovery codes. totp-rs computes the codes;
//! this module adds what it leaves to the caller: refusing a step already used (RFC 6238 §5.2),
//! telling a wrong code from a right code on a clock that is off, and the recovery codes.
//! Time is an input everywhere (seconds since the Unix epoch), so tests can set the clock.

use crate::error::{Error, Result};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm as Kdf, Argon2, Params, Version};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use zeroize::Zeroizing;

/// Seconds per code.
pub const STEP_S: u64 = 30;
/// Steps either side of now a code is accepted at (RFC 6238 §5.2's recommended one step).
pub const SKEW: u16 = 1;
/// Steps either side a code is recognised at to tell the user their clock is off.
pub const CLOCK_HINT_STEPS: u16 = 10;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// What a code typed at sign-in turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right, at this time step: store it as the last step used.
    Accepted {
        step: u64,
    },
    /// Right, but its step (or a later one) was already used: a replay.
    Replayed,
    /// Not right now, but right for a time this many minutes away (positive: the phone is ahead),
    /// so the user can be told to fix a clock rather than retype.
    ClockOff {
        minutes: i64,
    },
    Wrong,
}

/// A new authenticator secret: 160 random bits, the size RFC 4226 recommends for SHA-1.
pub fn new_secret() -> Result<Zeroizing<Vec<u8>>> {
    let mut s = Zeroizing::new(vec![0u8; 20]);
    getrandom::fill(s.as_mut_slice()).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(s)
}

/// What an enrolment screen shows: the otpauth URI as a QR code and as base32 text to type.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub uri: Zeroizing<String>,
    pub secret_base32: Zeroizing<String>,
    /// An SVG image of the QR code of `uri`.
    pub qr_svg: Zeroizing<String>,
}

/// The enrolment for `secret`, labelled `issuer:account` in the authenticator app.
pub fn enrolment(secret: &[u8], issuer: &str, account: &str) -> Result<Enrolment> {
    let t = totp(secret, SKEW, Some((issuer, account)))?;
    let uri = Zeroizing::new(t.to_url().map_err(other)?);
    let qr = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M).map_err(other)?;
    let qr_svg = Zeroizing::new(qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build());
    Ok(Enrolment { secret_base32: Zeroizing::new(t.secret().to_base32()), uri, qr_svg })
}

/// Checks `code` at `now_s` for `secret`; `last_step` is the step of the last code accepted for
/// this user, and that step or any earlier one is refused.
pub fn check(secret: &[u8], code: &str, now_s: u64, last_step: Option<u64>) -> Result<CodeCheck> {
    let code: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(CodeCheck::Wrong);
    }
    let origin = now_s / STEP_S;
    if let Some(step) = matching_step(&totp(secret, SKEW, None)?, &code, now_s) {
        return Ok(match last_step {
            Some(last) if step <= last => CodeCheck::Replayed,
            _ => CodeCheck::Accepted { step },
        });
    }
    Ok(match matching_step(&totp(secret, CLOCK_HINT_STEPS, None)?, &code, now_s) {
        Some(step) => CodeCheck::ClockOff { minutes: ((step as i64 - origin as i64) * STEP_S as i64) / 60 },
        None => CodeCheck::Wrong,
    })
}

/// The code for `secret` at `now_s` (what the authenticator app shows; tests and the CLI's
/// enrolment check use it).
pub fn code_at(secret: &[u8], now_s: u64) -> Result<String> {
    Ok(totp(secret, SKEW, None)?.generate(now_s).to_string())
}

/// The step whose code is `code`, nearest to now first, within the Totp's skew. totp-rs's own
/// `check` searches from the earliest step, so a code right at two steps (a one-in-a-million
/// collision) would resolve to the older one and could let a replayed step through.
fn matching_step(t: &Totp, code: &str, now_s: u64) -> Option<u64> {
    let origin = now_s / STEP_S;
    let skew = t.skew() as u64;
    (0..=skew)
        .flat_map(|d| [origin.checked_add(d), origin.checked_sub(d)])
        .flatten()
        .find(|step| t.generate(step * STEP_S).to_string() == code)
}

fn totp(secret: &[u8], skew: u16, label: Option<(&str, &str)>) -> Result<Totp> {
    let mut b = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP_S)
        .with_skew(skew)
        .with_secret(Secret::from(secret.to_vec()));
    if let Some((issuer, account)) = label {
        b = b.with_issuer(Some(issuer)).with_account_name(account);
    }
    b.build().map_err(other)
}

fn other(e: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

/// Ten one-time recovery codes: what the user is shown once, and what is stored (PHC hashes).
pub struct RecoveryCodes {
    pub shown: Vec<Zeroizing<String>>,
    pub hashed: Vec<String>,
}

/// Letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Makes [`RECOVERY_CODES`] codes of ten characters (≈49 bits each) as `XXXXX-XXXXX`.
pub fn recovery_codes() -> Result<RecoveryCodes> {
    let mut shown = Vec::with_capacity(RECOVERY_CODES);
    let mut hashed = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut raw = Zeroizing::new([0u8; 10]);
        getrandom::fill(raw.as_mut()).map_err(other)?;
        let chars: Zeroizing<String> =
            Zeroizing::new(raw.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect());
        let code = Zeroizing::new(format!("{}-{}", &chars[..5], &chars[5..]));
        hashed.push(
            recovery_hasher()?
                .hash_password(normal(&code).as_bytes(), &SaltString::generate(&mut OsRng))
                .map_err(other)?
                .to_string(),
        );
        shown.push(code);
    }
    Ok(RecoveryCodes { shown, hashed })
}

/// Uses a recovery code: when it is one of `hashed`, that one is removed (a code works once)
/// and true comes back.
pub fn use_recovery_code(hashed: &mut Vec<String>, code: &str) -> Result<bool> {
    let typed = normal(code);
    let hit = hashed.iter().position(|h| {
        PasswordHash::new(h)
            .is_ok_and(|p| recovery_hasher().is_ok_and(|a| a.verify_password(typed.as_bytes(), &p).is_ok()))
    });
    Ok(match hit {
        Some(i) => {
            hashed.remove(i);
            true
        }
        None => false,
    })
}

/// Codes are typed in any case, with or without the dash or spaces.
fn normal(code: &str) -> Zeroizing<String> {
    Zeroizing::new(code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect())
}

/// Recovery codes carry ≈49 random bits, so a light Argon2id cost (each sign-in with one checks up
/// to ten hashes) is enough to stop a copied book from listing them.
fn recovery_hasher() -> Result<Argon2<'static>> {
    Ok(Argon2::new(Kdf::Argon2id, Version::V0x13, Params::new(4096, 1, 1, None).map_err(other)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 seed.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_the_rfc_6238_vectors() {
        // Appendix B lists 8 digits; six-digit codes are the same truncation mod 10^6.
        for (t, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(RFC_SEED, t).unwrap(), &eight[2..], "T = {t}");
        }
    }

    #[test]
    fn a_code_holds_one_step_either_side_and_the_clock_hint_beyond() {
        let now = 1_700_000_000 - 1_700_000_000 % STEP_S + 15; // mid-step
        let code_for = |offset: i64| code_at(RFC_SEED, (now as i64 + offset) as u64).unwrap();
        let at = |offset: i64| check(RFC_SEED, &code_for(offset), now, None).unwrap();
        assert!(matches!(at(0), CodeCheck::Accepted { .. }));
        assert!(matches!(at(-1), CodeCheck::Accepted { .. }));
        assert!(matches!(at(-31), CodeCheck::Accepted { .. }), "the step before is accepted");
        assert!(matches!(at(29), CodeCheck::Accepted { .. }), "the step after is accepted");
        // Two steps away is not a code for now, but says how far the clock is off.
        assert_eq!(at(61), CodeCheck::ClockOff { minutes: 1 });
        assert_eq!(at(-61), CodeCheck::ClockOff { minutes: -1 });
        assert_eq!(at(5 * 60), CodeCheck::ClockOff { minutes: 5 });
        assert_eq!(at(-5 * 60), CodeCheck::ClockOff { minutes: -5 });
        // Beyond ten steps it is only wrong.
        assert_eq!(at(20 * 60), CodeCheck::Wrong);
        assert_eq!(check(RFC_SEED, "12345", now, None).unwrap(), CodeCheck::Wrong);
        assert_eq!(check(RFC_SEED, "abcdef", now, None).unwrap(), CodeCheck::Wrong);
        // Typed with a space in the middle, as apps display it.
        let spaced = format!("{} {}", &code_for(0)[..3], &code_for(0)[3..]);
        assert!(matches!(check(RFC_SEED, &spaced, now, None).unwrap(), CodeCheck::Accepted { .. }));
    }

    #[test]
    fn a_step_once_accepted_is_refused_again() {
        let now = 1_800_000_010;
        let code = code_at(RFC_SEED, now).unwrap();
        let CodeCheck::Accepted { step } = check(RFC_SEED, &code, now, None).unwrap() else { panic!() };
        assert_eq!(step, now / STEP_S);
        assert_eq!(check(RFC_SEED, &code, now + 5, Some(step)).unwrap(), CodeCheck::Replayed);
        // An older step, still inside the window, is refused too once a later one was used.
        let older = code_at(RFC_SEED, now - STEP_S).unwrap();
        assert_eq!(check(RFC_SEED, &older, now, Some(step)).unwrap(), CodeCheck::Replayed);
        // The next step's code goes through.
        let next = code_at(RFC_SEED, now + STEP_S).unwrap();
        assert_eq!(check(RFC_SEED, &next, now + STEP_S, Some(step)).unwrap(), CodeCheck::Accepted { step: step + 1 });
    }

    #[test]
    fn enrolment_shows_an_otpauth_uri_as_qr_and_text() {
        let secret = new_secret().unwrap();
        let e = enrolment(&secret, "Banyan CRM", "li.wei").unwrap();
        assert!(e.uri.starts_with("otpauth://totp/Banyan%20CRM:li.wei?"), "{}", *e.uri);
        assert!(e.uri.contains(&format!("secret={}", *e.secret_base32)));
        assert!(e.uri.contains("issuer=Banyan%20CRM"));
        assert!(e.qr_svg.starts_with("<?xml") && e.qr_svg.contains("<svg"), "an SVG image");
        // The text a user types by hand decodes to the same secret.
        let typed = Secret::try_from_base32(e.secret_base32.as_str()).unwrap();
        assert_eq!(typed.as_ref(), secret.as_slice());
    }

    #[test]
    fn each_recovery_code_works_once() {
        let mut codes = recovery_codes().unwrap();
        assert_eq!(codes.shown.len(), RECOVERY_CODES);
        assert!(codes.shown.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        let distinct: std::collections::BTreeSet<&str> = codes.shown.iter().map(|c| c.as_str()).collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert!(codes.hashed.iter().all(|h| !h.contains(&codes.shown[0][..5])), "stored hashed");
        let third = codes.shown[2].to_lowercase().replace('-', " ");
        assert!(use_recovery_code(&mut codes.hashed, &third).unwrap(), "any case, any separator");
        assert_eq!(codes.hashed.len(), RECOVERY_CODES - 1);
        assert!(!use_recovery_code(&mut codes.hashed, &codes.shown[2]).unwrap(), "used once");
        assert!(!use_recovery_code(&mut codes.hashed, "ABCDE-FGHJK").unwrap());
        assert!(use_recovery_code(&mut codes.hashed, &codes.shown[9]).unwrap());
    }
}
