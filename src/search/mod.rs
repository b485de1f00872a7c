//! Customer search: what a rep types, turned into index tokens and tiered queries. Chinese names
//! match by any substring, by full pinyin (with or without spaces), by initials and by mixes of
//! the two, under every reading of a polyphone; Traditional folds to Simplified; Latin text folds
//! case and diacritics; phone numbers match on any run of four or more digits; typos fall back to
//! an edit-distance match. The SQL lives in `store::search`; this module is pure text.

pub mod text;

use serde::{Deserialize, Serialize};

/// Why a customer matched, best first. Results are ordered by tier, then by most recent change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum MatchTier {
    /// The whole name, as typed (case, diacritics and script folded).
    Exact,
    /// Every term starts a word of the name.
    Prefix,
    /// Every term matches the name's pinyin: full, initials, or a mix.
    Pinyin,
    /// Every term matches somewhere: inside a Chinese name, a phone number, an email, the
    /// company, a contact, the city, a tag or a note title.
    Substring,
    /// Close to what was typed, allowing a typo or two.
    Fuzzy,
}

/// Which fields of a customer a query matched, so a list can highlight them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum MatchField {
    Name,
    Company,
    Contacts,
    Emails,
    Phones,
    City,
    Tags,
    Notes,
}
