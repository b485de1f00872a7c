//! Country names as people write them in a country column ("Germany", "德国", "Deutschland",
//! "DE", "DEU", "U.S.A.", "中国大陆") → the ISO 3166 code, so a row's phones can be read in the
//! country the row says. The names come from `countries.tsv`, made by `make_countries.py` from the
//! Unicode CLDR (English, simplified and traditional Chinese) and ISO 3166: no crate carries
//! CLDR's Chinese country names without the whole ICU data set.

use crate::search::text::fold;
use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("countries.tsv");

fn key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

fn names() -> &'static HashMap<String, &'static str> {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut m = HashMap::new();
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let Some((code, list)) = line.split_once('\t') else { continue };
            for name in list.split('|') {
                m.entry(key(name)).or_insert(code);
            }
        }
        m
    })
}

/// The ISO 3166-1 alpha-2 code of the country `text` names, if it names one.
pub fn code_of(text: &str) -> Option<&'static str> {
    let k = key(text);
    if k.is_empty() {
        return None;
    }
    names().get(&k).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_aliases_in_english_and_chinese() {
        for (text, code) in [
            ("Germany", "DE"),
            ("德国", "DE"),
            ("德國", "DE"),
            ("Deutschland", "DE"),
            ("deu", "DE"),
            ("de", "DE"),
            ("United States", "US"),
            ("U.S.A.", "US"),
            ("美国", "US"),
            ("Japan", "JP"),
            ("日本", "JP"),
            ("中国大陆", "CN"),
            ("China", "CN"),
            ("UK", "GB"),
            ("Macau", "MO"),
            ("澳门", "MO"),
            ("Malaysia", "MY"),
            ("马来西亚", "MY"),
        ] {
            assert_eq!(code_of(text), Some(code), "{text}");
        }
        assert_eq!(code_of("Atlantis"), None);
        assert_eq!(code_of(""), None);
    }
}
