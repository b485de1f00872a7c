//! Money is integer minor units plus an ISO 4217 currency; percentages are basis points.
//!
//! Rounding rule (documented for users and accountants): amounts are computed per line in exact
//! integer arithmetic and each line's discount and tax is rounded once, half away from zero, to the
//! currency's minor unit; order totals are plain sums of the rounded line amounts, so the printed
//! lines always add up to the printed total.

use crate::error::FieldError;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

/// A validated ISO 4217 currency code with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        let code = s.trim().to_ascii_uppercase();
        match iso_currency::Currency::from_code(&code) {
            Some(c) if c.exponent().is_some() => Ok(Self(c)),
            _ => Err(FieldError::new(field, "error-currency").arg("value", s.trim())),
        }
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point (2 for CNY, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        self.0.exponent().unwrap_or(2) as u32
    }

    /// Parses a decimal amount such as `19.99` into minor units, refusing negative amounts and more
    /// decimals than the currency has.
    pub fn parse_amount(&self, s: &str, field: &str) -> Result<i64, FieldError> {
        let bad = || FieldError::new(field, "error-amount").arg("value", s.trim()).arg("currency", self.code());
        let d = Decimal::from_str(s.trim()).map_err(|_| bad())?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(FieldError::new(field, "error-negative").arg("value", s.trim()));
        }
        let d = d.normalize();
        if d.scale() > self.exponent() {
            return Err(FieldError::new(field, "error-amount-decimals")
                .arg("value", s.trim())
                .arg("currency", self.code())
                .arg("digits", self.exponent()));
        }
        let minor = d.checked_mul(Decimal::from(10i64.pow(self.exponent()))).ok_or_else(bad)?;
        minor
            .to_i64()
            .filter(|v| *v <= MAX_AMOUNT)
            .ok_or_else(|| FieldError::new(field, "error-too-large").arg("value", s.trim()))
    }

    /// Formats minor units as a plain decimal string (`1999` CNY → `19.99`).
    pub fn format_minor(&self, minor: i64) -> String {
        let e = self.exponent();
        if e == 0 {
            return minor.to_string();
        }
        let d = Decimal::from_i128_with_scale(minor as i128, e);
        format!("{d:.prec$}", prec = e as usize)
    }
}

/// A currency's code and its digits after the decimal point, as the core counts them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CurrencyDigits {
    pub code: String,
    pub digits: u32,
}

/// Every currency the core accepts, with its ISO 4217 minor-unit digits: the one source the UI
/// shows and reads amounts by (the browser's Intl follows CLDR, which differs for some, e.g.
/// IQD 3 vs 0, and read a price back a thousand times larger).
pub fn currency_digits() -> Vec<CurrencyDigits> {
    use iso_currency::IntoEnumIterator;
    let mut v: Vec<CurrencyDigits> = iso_currency::Currency::iter()
        .filter_map(|c| c.exponent().map(|e| CurrencyDigits { code: c.code().to_string(), digits: e as u32 }))
        .collect();
    v.sort_by(|a, b| a.code.cmp(&b.code));
    v
}

/// Largest single amount in minor units (10^15: a quadrillion cents); keeps every order sum far
/// from i64 overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Parses a percentage such as `13`, `12.5` or `7.25` into basis points (0..=10000).
pub fn parse_percent(s: &str, field: &str) -> Result<u32, FieldError> {
    let bad = || FieldError::new(field, "error-percent").arg("value", s.trim());
    let d = Decimal::from_str(s.trim().trim_end_matches('%')).map_err(|_| bad())?.normalize();
    if d.is_sign_negative() && !d.is_zero() || d > Decimal::from(100) || d.scale() > 2 {
        return Err(bad());
    }
    let bp = d * Decimal::from(100);
    bp.to_u32().ok_or_else(bad)
}

/// Formats basis points as a percentage without trailing zeros (1300 → `13`, 725 → `7.25`).
pub fn format_percent(bp: u32) -> String {
    Decimal::from_i128_with_scale(bp as i128, 2).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny() -> Currency {
        Currency::parse("cny", "currency").unwrap()
    }

    #[test]
    fn amounts_parse_to_minor_units() {
        let checks: &[(&str, &str, Option<i64>)] = &[
            ("CNY", "19.99", Some(1999)),
            ("CNY", "19.9", Some(1990)),
            ("CNY", "19", Some(1900)),
            ("CNY", "0", Some(0)),
            ("CNY", "19.999", None),
            ("CNY", "-1", None),
            ("CNY", "abc", None),
            ("JPY", "1500", Some(1500)),
            ("JPY", "1500.5", None),
            ("KWD", "1.234", Some(1234)),
        ];
        for (cur, input, want) in checks {
            let c = Currency::parse(cur, "currency").unwrap();
            assert_eq!(c.parse_amount(input, "price").ok(), *want, "{cur} {input}");
        }
    }

    #[test]
    fn unknown_currency_is_rejected() {
        assert_eq!(Currency::parse("XYZ", "currency").unwrap_err().msg_id, "error-currency");
        assert_eq!(cny().code(), "CNY");
    }

    #[test]
    fn percent_parses_to_basis_points() {
        assert_eq!(parse_percent("13", "tax").unwrap(), 1300);
        assert_eq!(parse_percent("7.25", "tax").unwrap(), 725);
        assert_eq!(parse_percent("100", "tax").unwrap(), 10000);
        assert!(parse_percent("100.01", "tax").is_err());
        assert!(parse_percent("-5", "tax").is_err());
        assert!(parse_percent("1.125", "tax").is_err());
        assert_eq!(format_percent(725), "7.25");
        assert_eq!(format_percent(1300), "13");
    }

    #[test]
    fn minor_units_format_back() {
        assert_eq!(cny().format_minor(1999), "19.99");
        assert_eq!(cny().format_minor(5), "0.05");
        assert_eq!(Currency::parse("JPY", "c").unwrap().format_minor(1500), "1500");
    }
}
