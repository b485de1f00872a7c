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
    pub address: Option<String>,
    pub city: Option<String>,
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
    SameAddress,
    SameCity,
}

/// The score at or above which two customers are treated as duplicates (the match weight of
/// [`score`] reaching [`MATCH_WEIGHT`]).
pub const DUPLICATE_SCORE: f64 = 0.5;

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
    "proprietary",
    "limited",
    "company",
    "gmbh",
    "co kg",
    "ltd",
    "pty",
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
    keys_of(&name_tokens(name))
}

fn keys_of(tokens: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
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

/// A name made ready for comparing: its token lists (one per reading) and keys.
#[derive(Debug)]
struct NameForm {
    tokens: Vec<Vec<String>>,
    keys: Vec<String>,
    digits: Vec<String>,
}

impl NameForm {
    fn of(name: &str) -> NameForm {
        let tokens = name_tokens(name);
        let keys = keys_of(&tokens);
        let digits =
            fold(name).split(|c: char| !c.is_ascii_digit()).filter(|d| !d.is_empty()).map(str::to_string).collect();
        NameForm { tokens, keys, digits }
    }
}

/// A profile made ready for scoring: everything [`score`] derives from a customer's fields,
/// derived once (an import scores one row against many candidates; the book-wide search scores
/// each customer against many).
#[derive(Debug, Clone)]
pub struct Prepared {
    p: Profile,
    name: std::sync::Arc<NameForm>,
    company_key: Option<String>,
    company_core: Option<String>,
    address: Option<Address>,
    city: Option<String>,
}

impl Prepared {
    /// The profile this was made from.
    pub fn profile(&self) -> &Profile {
        &self.p
    }
}

/// Names made ready once for many customers: a book's names repeat (every member of a name
/// block has the same one), and reading a Han name as pinyin is most of preparing a customer.
/// Keeps at most `cap` names, then starts again.
pub struct NameMemo {
    cap: usize,
    map: std::collections::HashMap<String, std::sync::Arc<NameForm>>,
}

impl NameMemo {
    pub fn new(cap: usize) -> NameMemo {
        NameMemo { cap, map: std::collections::HashMap::new() }
    }

    fn get(&mut self, name: &str) -> std::sync::Arc<NameForm> {
        if let Some(f) = self.map.get(name) {
            return f.clone();
        }
        if self.map.len() >= self.cap {
            self.map.clear();
        }
        let f = std::sync::Arc::new(NameForm::of(name));
        self.map.insert(name.to_string(), f.clone());
        f
    }
}

impl Profile {
    pub fn prepare(&self) -> Prepared {
        self.prepare_with(&mut NameMemo::new(1))
    }

    /// [`Profile::prepare`], its name form taken from `memo` when the name was seen before.
    pub fn prepare_with(&self, memo: &mut NameMemo) -> Prepared {
        Prepared {
            p: self.clone(),
            name: memo.get(&self.name),
            company_key: self.company_key(),
            company_core: self.company_core(),
            address: self.address.as_deref().map(Address::parse),
            city: self.city.as_deref().map(|c| fold(c).trim_end_matches(['市', '区', '县']).to_string()),
        }
    }
}

/// Blocking key for typos: the first two letters of each token, sorted ("Jonh Smtih" and "John
/// Smith" both give "jo sm"). Only used to pick candidates, never as evidence.
pub fn block_key(name: &str) -> Option<String> {
    block_key_of(&name_tokens(name))
}

fn block_key_of(tokens: &[Vec<String>]) -> Option<String> {
    let t = tokens.first()?;
    if t.len() < 2 || t.iter().any(|w| w.chars().count() < 2) {
        return None;
    }
    let mut parts: Vec<String> = t.iter().map(|w| w.chars().take(2).collect()).collect();
    parts.sort();
    Some(parts.join(" "))
}

/// The kinds of match key, by prefix, in the order their stored forms sort. A kind's code is the
/// top byte of [`key_code`].
const KEY_KINDS: &[&str] = &["p:", "e:", "n!:", "n:", "c:", "b:", "t:", "k:", "a:"];

/// A match key as the book stores it: its kind's code (1-based, [`KEY_KINDS`]) in the top byte and
/// the low 56 bits of the key's XXH3-64 hash below it. XXH3's output is fixed by its specification,
/// so the codes a book holds stay valid across versions and platforms. Keys of one kind sort
/// together; two keys sharing a code (about one pair in 2^56) only bring an extra candidate.
pub fn key_code(key: &str) -> i64 {
    let kind = KEY_KINDS.iter().position(|k| key.starts_with(k)).map_or(0, |i| i + 1) as i64;
    let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes()) & ((1u64 << 56) - 1);
    (kind << 56) | hash as i64
}

/// The prefix of the kind of key a stored code was made from ("" if unknown).
pub fn key_kind(code: i64) -> &'static str {
    usize::try_from(code >> 56)
        .ok()
        .and_then(|k| k.checked_sub(1))
        .and_then(|i| KEY_KINDS.get(i))
        .copied()
        .unwrap_or("")
}

impl Profile {
    /// Every match key of this customer: `p:` phones, `e:` emails, `n:` names (and `n!:` when it
    /// has no phone or email), `c:` company, `b:` typo block.
    pub fn keys(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.phones.iter().map(|p| format!("p:{p}")));
        out.extend(self.emails.iter().map(|e| format!("e:{e}")));
        let tokens = name_tokens(&self.name);
        let names = keys_of(&tokens);
        // "n!:" marks a name whose owner has no phone and no email: the only namesakes a row with
        // contact data can be the same customer as (see the store's best_match).
        if self.phones.is_empty() && self.emails.is_empty() {
            out.extend(names.iter().map(|k| format!("n!:{k}")));
        }
        out.extend(names.into_iter().map(|k| format!("n:{k}")));
        if let Some(c) = self.company_key() {
            out.push(format!("c:{c}"));
        }
        if let Some(b) = block_key_of(&tokens) {
            out.push(format!("b:{b}"));
        }
        // Each name token with the initials of the others: a typo in one token still meets.
        // Letters only: numbers in names ("Store 12") are not typed two ways.
        if let Some(t) = tokens.first() {
            let words: Vec<&String> = t.iter().filter(|w| w.chars().all(char::is_alphabetic)).collect();
            if words.len() > 1 && words.len() == t.len() {
                for (i, w) in words.iter().enumerate() {
                    if w.chars().count() >= 2 {
                        let mut rest: Vec<char> = words
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .filter_map(|(_, x)| x.chars().next())
                            .collect();
                        rest.sort();
                        out.push(format!("t:{w}:{}", rest.into_iter().collect::<String>()));
                    }
                }
            }
        }
        // The company without the place it names (a key of its own: many cities have a 华信科技).
        if let Some(c) = self.company_core() {
            out.push(format!("k:{c}"));
        }
        // House number and the start of the street: records of one address meet, however the
        // name was written (or initialled).
        if let Some(a) = self.address.as_deref().map(Address::parse)
            && let Some(k) = a.key()
        {
            out.push(format!("a:{k}"));
        }
        out.sort();
        out.dedup();
        out
    }

    fn company_key(&self) -> Option<String> {
        let c = if self.is_company { Some(self.name.as_str()) } else { self.company.as_deref() };
        c.map(company_key).filter(|k| !k.is_empty())
    }

    /// The company key without the place it names: "深圳市华信科技有限公司", "华信科技（深圳）有限公司"
    /// and "深圳华信科技" are one company in 深圳.
    fn company_core(&self) -> Option<String> {
        let c = if self.is_company { Some(self.name.as_str()) } else { self.company.as_deref() }?;
        let mut f = fold(c);
        // A bracketed place: "(深圳)", "（深圳）".
        while let (Some(i), Some(j)) = (f.find('('), f.find(')')) {
            if j <= i {
                break;
            }
            f.replace_range(i..=j, "");
        }
        let mut k = company_key(&f);
        let city = self.city.as_deref().map(|c| fold(c).trim_end_matches('市').to_string());
        if let Some(i) = k.find('市')
            && k[..i].chars().count() <= 4
            && k[..i].chars().all(crate::search::text::is_han)
        {
            k = k[i + '市'.len_utf8()..].to_string();
        }
        if let Some(city) = city.filter(|c| !c.is_empty())
            && let Some(rest) = k.strip_prefix(&city)
            && rest.chars().count() >= 2
        {
            k = rest.to_string();
        }
        (!k.is_empty()).then_some(k)
    }
}

/// An address as compared: its house number, its other numbers (postcodes) and its words, with
/// street types written one way (Street/St) and a Chinese address's province, city and district
/// dropped (广东省深圳市南山区科技路88号 is 科技路88号).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    house: Option<String>,
    others: Vec<String>,
    street: String,
}

const STREET_TYPES: &[(&str, &str)] = &[
    ("street", "st"),
    ("road", "rd"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("place", "pl"),
    ("crescent", "cres"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("court", "ct"),
    ("boulevard", "blvd"),
    ("highway", "hwy"),
    ("parade", "pde"),
    ("terrace", "tce"),
    ("square", "sq"),
    ("strasse", "str"),
];

impl Address {
    fn parse(s: &str) -> Address {
        let f = fold(s);
        // Keep what follows the last administrative unit, when something does.
        let mut rest = f.as_str();
        for unit in ['省', '市', '区', '县'] {
            if let Some(i) = rest.rfind(unit) {
                let after = &rest[i + unit.len_utf8()..];
                if after.chars().any(|c| !c.is_ascii_digit()) {
                    rest = after;
                }
            }
        }
        let mut numbers = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut digits = String::new();
        let flush = |cur: &mut String, words: &mut Vec<String>| {
            if !cur.is_empty() {
                let w = std::mem::take(cur);
                let w = STREET_TYPES.iter().find(|(l, _)| *l == w).map(|(_, s)| s.to_string()).unwrap_or(w);
                words.push(w);
            }
        };
        for c in rest.chars() {
            if c.is_ascii_digit() {
                flush(&mut cur, &mut words);
                digits.push(c);
                continue;
            }
            if !digits.is_empty() {
                numbers.push(std::mem::take(&mut digits));
            }
            if c.is_alphanumeric() && !matches!(c, '号' | '弄' | '室') {
                cur.push(c);
            } else {
                flush(&mut cur, &mut words);
            }
        }
        flush(&mut cur, &mut words);
        if !digits.is_empty() {
            numbers.push(digits);
        }
        let mut numbers = numbers.into_iter();
        Address { house: numbers.next(), others: numbers.collect(), street: words.join(" ") }
    }

    /// The blocking key: house number and the street's first three letters.
    fn key(&self) -> Option<String> {
        let house = self.house.as_ref()?;
        let start: String = self.street.chars().filter(|c| !c.is_whitespace()).take(3).collect();
        (start.chars().count() >= 2).then(|| format!("{house}:{start}"))
    }
}

/// How alike two names are, 0..1: 1 when a name key is shared (the same name in any script or
/// order); otherwise token by token in the best alignment (swapped order, an initial for a given
/// name), the weakest token deciding: "Jonh Smith" is close to "John Smith", "Mary Smith" is not.
fn name_similarity(a: &NameForm, b: &NameForm) -> f64 {
    if a.keys.iter().any(|k| b.keys.contains(k)) {
        return 1.0;
    }
    let token = |x: &str, y: &str| -> f64 {
        let (cx, cy) = (x.chars().count(), y.chars().count());
        if (cx == 1 && y.starts_with(x)) || (cy == 1 && x.starts_with(y)) { 0.9 } else { strsim::jaro_winkler(x, y) }
    };
    let mut best: f64 = 0.0;
    for ta in &a.tokens {
        for tb in &b.tokens {
            if ta.len() == tb.len() && ta.len() > 1 {
                // Every rotation of the tokens (two tokens: as written and swapped).
                for r in 0..tb.len() {
                    let worst =
                        ta.iter().enumerate().map(|(i, x)| token(x, &tb[(i + r) % tb.len()])).fold(1.0_f64, f64::min);
                    best = best.max(worst);
                }
            } else {
                // A middle name on one side, or one-word names: the whole keys.
                for x in &a.keys {
                    for y in &b.keys {
                        best = best.max(strsim::jaro_winkler(x, y) - 0.05);
                    }
                }
            }
        }
    }
    best
}

/// Match weight at or above which two customers are one (see [`score`]).
pub const MATCH_WEIGHT: f64 = 6.0;

/// Scores a pair in the manner of Fellegi and Sunter: each field that both customers have adds
/// its agreement weight or subtracts its disagreement weight (about log2 of how much more often
/// the field agrees on records of one customer than on records of two), a field one side lacks
/// adds nothing. The weights were set on the labelled book of tests/fixtures/dedupe, where names
/// and addresses carry typos and gaps. Returns 0..1 (0.5 at [`MATCH_WEIGHT`]) and the reasons.
pub fn score(a: &Profile, b: &Profile) -> (f64, Vec<Reason>) {
    score_prepared(&a.prepare(), &b.prepare())
}

/// [`score`] of profiles prepared once ([`Profile::prepare`]).
pub fn score_prepared(a: &Prepared, b: &Prepared) -> (f64, Vec<Reason>) {
    let (w, reasons) = weigh(a, b);
    (1.0 / (1.0 + (-(w - MATCH_WEIGHT) / 2.0).exp()), reasons)
}

fn weigh(pa: &Prepared, pb: &Prepared) -> (f64, Vec<Reason>) {
    let (a, b) = (&pa.p, &pb.p);
    let mut w: f64 = 0.0;
    let mut reasons = Vec::new();
    let shared_phone = a.phones.iter().any(|p| b.phones.contains(p));
    let shared_email = a.emails.iter().any(|e| b.emails.contains(e));
    // Numbers in names are not typos: "Person 1" is not "Person 12", "3号店" is not "5号店".
    let names = if pa.name.digits != pb.name.digits {
        0.0
    } else if a.is_company && b.is_company {
        match (&pa.company_core, &pb.company_core) {
            (Some(x), Some(y)) if x == y => 1.0,
            // Company names without their legal forms and places: "上海鼎盛医疗器械" is not
            // "上海盛世贸易".
            (Some(x), Some(y)) => strsim::jaro_winkler(x, y),
            _ => name_similarity(&pa.name, &pb.name),
        }
    } else if a.is_company != b.is_company {
        // A person and a company are one customer only by their contact data.
        name_similarity(&pa.name, &pb.name).min(0.8)
    } else {
        name_similarity(&pa.name, &pb.name)
    };
    if names >= 0.97 {
        w += 7.0;
        reasons.push(Reason::SameName);
    } else if names >= 0.9 {
        w += 5.0;
        reasons.push(Reason::SimilarName);
    } else if names >= 0.8 {
        w += 1.0;
    } else {
        w -= 7.0;
    }
    if shared_phone {
        w += 9.0;
        reasons.push(Reason::SamePhone);
    } else if !a.phones.is_empty() && !b.phones.is_empty() {
        w -= 5.0;
    }
    if shared_email {
        w += 9.0;
        reasons.push(Reason::SameEmail);
    } else if !a.emails.is_empty() && !b.emails.is_empty() {
        w -= 3.0;
    }
    if !a.is_company
        && !b.is_company
        && let (Some(x), Some(y)) = (&pa.company_key, &pb.company_key)
    {
        if x == y {
            w += 2.0;
            reasons.push(Reason::SameCompany);
        } else {
            w -= 2.0;
        }
    }
    if let (Some(x), Some(y)) = (&pa.address, &pb.address) {
        let street =
            if x.street.is_empty() || y.street.is_empty() { 0.0 } else { strsim::jaro_winkler(&x.street, &y.street) };
        let post_differs =
            !x.others.is_empty() && !y.others.is_empty() && x.others.iter().all(|n| !y.others.contains(n));
        match (&x.house, &y.house) {
            (Some(h), Some(k)) if h != k => w -= if street >= 0.9 { 3.0 } else { 5.0 },
            _ if street >= 0.9 && !post_differs => {
                w += if x.house.is_some() && x.house == y.house { 7.0 } else { 3.0 };
                reasons.push(Reason::SameAddress);
            }
            _ if street >= 0.9 => w += 1.0,
            _ => w -= 3.0,
        }
    }
    if let (Some(x), Some(y)) = (&pa.city, &pb.city) {
        if strsim::jaro_winkler(x, y) >= 0.92 {
            w += 1.5;
            reasons.push(Reason::SameCity);
        } else {
            w -= 3.0;
        }
    }
    // A shared switchboard number or info@ address between clearly different names is not one
    // customer: the weights above already say so (a name disagreement outweighs one shared line).
    (w, reasons)
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
            address: None,
            city: None,
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
