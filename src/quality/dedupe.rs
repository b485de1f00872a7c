//! Duplicate detection: match keys that find candidates fast, and a score with reasons that says
//! how likely two customers are one. Used by imports (each row against the book) and by the batch
//! "find duplicates" over the book.
//!
//! Names are compared as their folded letters, with Han characters read as pinyin, so 张三 matches
//! "Zhang San" and "San Zhang", 張三 matches 张三, and homophone typos (张三丰 / 张三峰) still meet.
//! Company names are compared without legal suffixes (有限公司, Ltd, GmbH, Inc.).

use crate::search::text::{Segment, fold, readings, segments, word_forms};
use serde::Serialize;

/// What a customer is compared by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub is_company: bool,
    pub name: String,
    pub company: Option<String>,
    /// E.164.
    pub phones: Vec<String>,
    /// Normalized (lowercase).
    pub emails: Vec<String>,
}

/// Why two customers look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    SamePhone,
    SameEmail,
    SameName,
    SimilarName,
    SameCompany,
}

/// The score at or above which two customers are treated as duplicates.
pub const DUPLICATE_SCORE: f64 = 0.6;

/// Legal-form suffixes folded away from company names (longest first).
const LEGAL_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "公司",
    "corporation",
    "incorporated",
    "limited",
    "company",
    "gmbh",
    "co kg",
    "ltd",
    "llc",
    "inc",
    "corp",
    "plc",
    "sarl",
    "s a",
    "ag",
    "bv",
    "co",
];

/// The company key: folded, punctuation dropped, legal suffixes removed (repeatedly: "Acme Co.,
/// Ltd." → "acme").
pub fn company_key(name: &str) -> String {
    let folded = fold(name);
    let mut words: String = folded.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = words.len();
        for s in LEGAL_SUFFIXES {
            if let Some(rest) = words.strip_suffix(s) {
                let han = s.chars().next().is_some_and(crate::search::text::is_han);
                if han || rest.is_empty() || rest.ends_with(' ') {
                    words = rest.trim_end().to_string();
                    break;
                }
            }
        }
        if words.len() == before {
            break;
        }
    }
    words.replace(' ', "")
}

/// A name as syllables: Latin words as written, Han runs as the pinyin of every reading (at most
/// a few). Returns one token list per reading.
fn name_tokens(name: &str) -> Vec<Vec<String>> {
    let mut variants: Vec<Vec<String>> = vec![Vec::new()];
    for seg in segments(&fold(name)) {
        match seg {
            Segment::Word(w) => {
                let forms = word_forms(&w);
                // "o'brien" → "obrien": the joined form is the last when there are parts.
                let word = forms.last().cloned().unwrap_or(w);
                for v in &mut variants {
                    v.push(word.clone());
                }
            }
            Segment::Han(run) => {
                let rs = readings(&run);
                let rs: Vec<Vec<String>> = if rs.is_empty() { vec![vec![run.clone()]] } else { rs };
                let mut next = Vec::new();
                for v in &variants {
                    for r in rs.iter().take(4) {
                        // A Han name is family name + given name: keep that split as two tokens.
                        let mut t = v.clone();
                        t.push(r[0].clone());
                        if r.len() > 1 {
                            t.push(r[1..].concat());
                        }
                        next.push(t);
                    }
                }
                variants = next;
                variants.truncate(4);
            }
        }
    }
    variants.retain(|v| !v.is_empty());
    variants
}

/// Name keys: the tokens joined in order, and with the first token moved to the end (swapped
/// family and given names meet).
pub fn name_keys(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in name_tokens(name) {
        out.push(t.concat());
        if t.len() > 1 {
            let mut r = t[1..].to_vec();
            r.push(t[0].clone());
            out.push(r.concat());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Blocking key for typos: the first two letters of each token, sorted ("Jonh Smtih" and "John
/// Smith" both give "jo sm"). Only used to pick candidates, never as evidence.
pub fn block_key(name: &str) -> Option<String> {
    let t = name_tokens(name).into_iter().next()?;
    if t.len() < 2 || t.iter().any(|w| w.chars().count() < 2) {
        return None;
    }
    let mut parts: Vec<String> = t.iter().map(|w| w.chars().take(2).collect()).collect();
    parts.sort();
    Some(parts.join(" "))
}

impl Profile {
    /// Every match key of this customer: `p:` phones, `e:` emails, `n:` names (and `n!:` when it
    /// has no phone or email), `c:` company, `b:` typo block.
    pub fn keys(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.phones.iter().map(|p| format!("p:{p}")));
        out.extend(self.emails.iter().map(|e| format!("e:{e}")));
        let names = name_keys(&self.name);
        // "n!:" marks a name whose owner has no phone and no email: the only namesakes a row with
        // contact data can be the same customer as (see the store's best_match).
        if self.phones.is_empty() && self.emails.is_empty() {
            out.extend(names.iter().map(|k| format!("n!:{k}")));
        }
        out.extend(names.into_iter().map(|k| format!("n:{k}")));
        if let Some(c) = self.company_key() {
            out.push(format!("c:{c}"));
        }
        if let Some(b) = block_key(&self.name) {
            out.push(format!("b:{b}"));
        }
        out.sort();
        out.dedup();
        out
    }

    fn company_key(&self) -> Option<String> {
        let c = if self.is_company { Some(self.name.as_str()) } else { self.company.as_deref() };
        c.map(company_key).filter(|k| !k.is_empty())
    }
}

/// How alike two names are, 0..1: 1 when a name key is shared, otherwise the best Jaro-Winkler
/// similarity between their keys. Two names in Han characters are compared as characters: pinyin
/// makes unrelated short names look alike (李强 "liqiang" and 王丽 "liwang").
fn name_similarity(a: &str, b: &str) -> f64 {
    let ka = name_keys(a);
    let kb = name_keys(b);
    if ka.iter().any(|k| kb.contains(k)) {
        return 1.0;
    }
    let han = |s: &str| -> Option<String> {
        let f: String = fold(s).chars().filter(|c| !c.is_whitespace()).collect();
        f.chars().all(crate::search::text::is_han).then_some(f)
    };
    if let (Some(x), Some(y)) = (han(a), han(b)) {
        return strsim::jaro_winkler(&x, &y);
    }
    let mut best: f64 = 0.0;
    for x in &ka {
        for y in &kb {
            best = best.max(strsim::jaro_winkler(x, y));
        }
    }
    best
}

/// Scores a pair: the higher, the more likely one customer; with the reasons.
pub fn score(a: &Profile, b: &Profile) -> (f64, Vec<Reason>) {
    let mut s: f64 = 0.0;
    let mut reasons = Vec::new();
    let shared_phone = a.phones.iter().any(|p| b.phones.contains(p));
    let shared_email = a.emails.iter().any(|e| b.emails.contains(e));
    // Companies are the same name when their names without legal forms are ("Acme Ltd." is
    // "ACME Limited").
    let same_company_name = a.is_company && b.is_company && a.company_key().is_some_and(|k| Some(k) == b.company_key());
    let names = if same_company_name {
        1.0
    } else if let (true, true, Some(x), Some(y)) = (a.is_company, b.is_company, a.company_key(), b.company_key()) {
        // Company names without their legal forms: "上海鼎盛医疗器械" is not "上海盛世贸易".
        name_similarity(&x, &y)
    } else {
        name_similarity(&a.name, &b.name)
    };
    if shared_phone {
        s += 0.6;
        reasons.push(Reason::SamePhone);
    }
    if shared_email {
        s += 0.6;
        reasons.push(Reason::SameEmail);
    }
    if names >= 1.0 {
        s += 0.4;
        reasons.push(Reason::SameName);
    } else if names >= 0.9 {
        s += 0.3;
        reasons.push(Reason::SimilarName);
    }
    if let (Some(x), Some(y)) = (a.company_key(), b.company_key())
        && x == y
        && a.is_company == b.is_company
    {
        s += 0.2;
        reasons.push(Reason::SameCompany);
    }
    // Different phones and different emails on both sides speak against one person.
    let phones_differ = !a.phones.is_empty() && !b.phones.is_empty() && !shared_phone;
    let emails_differ = !a.emails.is_empty() && !b.emails.is_empty() && !shared_email;
    // The same name and nothing to tell them apart: one side has no phone or email at all (a
    // list of names, a business card without a number), so it is likely the same customer.
    let one_side_bare = (a.phones.is_empty() && a.emails.is_empty()) || (b.phones.is_empty() && b.emails.is_empty());
    if names >= 0.9 && !phones_differ && !emails_differ && (one_side_bare || shared_phone || shared_email) {
        s += 0.2;
    }
    if (phones_differ || emails_differ) && !shared_phone && !shared_email {
        s -= 0.2;
    }
    // A shared switchboard number or info@ address between two clearly different names is not
    // one customer.
    if (shared_phone != shared_email) && names < 0.75 {
        s -= 0.4;
    }
    (s.clamp(0.0, 1.0), reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, phones: &[&str], emails: &[&str]) -> Profile {
        Profile {
            is_company: false,
            name: name.into(),
            company: None,
            phones: phones.iter().map(|s| s.to_string()).collect(),
            emails: emails.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn company_keys_drop_legal_forms() {
        for (a, b) in [
            ("北京某某科技有限公司", "北京某某科技"),
            ("北京某某科技股份有限公司", "北京某某科技"),
            ("Acme Co., Ltd.", "acme"),
            ("ACME GmbH", "acme"),
            ("Acme, Inc.", "acme"),
            ("Müller AG", "muller"),
        ] {
            assert_eq!(company_key(a), company_key(b), "{a} vs {b}");
        }
        assert_ne!(company_key("Acme"), company_key("Apex"));
    }

    #[test]
    fn names_meet_across_scripts_and_order() {
        assert!(name_keys("张三").iter().any(|k| name_keys("Zhang San").contains(k)));
        assert!(name_keys("张三").iter().any(|k| name_keys("San Zhang").contains(k)));
        assert!(name_keys("張三").iter().any(|k| name_keys("张三").contains(k)));
        assert!(name_keys("John Smith").iter().any(|k| name_keys("Smith, John").contains(k)));
        assert_eq!(block_key("Jonh Smtih"), block_key("John Smith"));
    }

    #[test]
    fn scores_rank_evidence() {
        let a = person("张三", &["+8613800138000"], &[]);
        assert!(score(&a, &person("Zhang San", &["+8613800138000"], &[])).0 >= DUPLICATE_SCORE);
        assert!(score(&a, &person("张三", &[], &[])).0 >= DUPLICATE_SCORE);
        // Same common name, different phones: two people.
        assert!(score(&a, &person("张三", &["+8613900139000"], &[])).0 < DUPLICATE_SCORE);
        // A shared office number between different people: not one person.
        assert!(score(&a, &person("Li Si", &["+8613800138000"], &[])).0 < DUPLICATE_SCORE);
    }
}
