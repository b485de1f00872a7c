//! Phone numbers: parsed with libphonenumber's metadata (the `phonenumber` crate) and stored as
//! E.164, so `138 1234 5678`, `+86 138-1234-5678` and `008613812345678` are one number.

use phonenumber::country::Id;
use std::str::FromStr;

/// A region code such as `CN` or `DE`, the default for numbers typed without a country prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(Id);

impl Region {
    pub fn parse(code: &str) -> Option<Self> {
        Id::from_str(&code.trim().to_ascii_uppercase()).ok().map(Self)
    }

    pub fn code(&self) -> String {
        let code: &str = self.0.as_ref();
        code.to_string()
    }
}

impl Default for Region {
    fn default() -> Self {
        Self(Id::CN)
    }
}

/// Returns the E.164 form of `input`, or `None` when it is not a valid number for its region.
/// An invalid number is rejected, never reshaped into something that merely looks right.
pub fn normalize(input: &str, region: Region) -> Option<String> {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.chars().filter(|c| c.is_ascii_digit()).count() < 5 {
        return None;
    }
    // International dialing prefix "00" is common in China and Europe; libphonenumber only
    // understands it relative to the default region's IDD, so make it explicit.
    let cleaned = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_string(),
    };
    let number = phonenumber::parse(Some(region.0), &cleaned).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalize_to_e164() {
        let cn = Region::default();
        let de = Region::parse("de").unwrap();
        let checks: &[(&str, Region, Option<&str>)] = &[
            ("13812345678", cn, Some("+8613812345678")),
            ("138 1234 5678", cn, Some("+8613812345678")),
            ("+86 138-1234-5678", cn, Some("+8613812345678")),
            ("008613812345678", cn, Some("+8613812345678")),
            ("010 6552 9988", cn, Some("+861065529988")),
            ("030 901820", de, Some("+4930901820")),
            ("+1 415 555 2671", cn, Some("+14155552671")),
            ("12345", cn, None),
            ("1381234567", cn, None),
            ("not a phone", cn, None),
            ("", cn, None),
        ];
        for (input, region, want) in checks {
            assert_eq!(normalize(input, *region).as_deref(), *want, "{input}");
        }
    }

    #[test]
    fn unknown_region_is_none() {
        assert!(Region::parse("XX").is_none());
        assert_eq!(Region::parse("cn").unwrap().code(), "CN");
    }
}
