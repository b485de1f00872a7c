//! Folding, tokens and pinyin. The same folding is applied to what is indexed and to what is
//! typed, so the two always meet.

use super::MatchField;
use pinyin::ToPinyinMulti;
use std::collections::BTreeSet;
use unicode_normalization::UnicodeNormalization;

/// Han runs longer than this get pinyin only for their first characters: long company names would
/// otherwise multiply tokens for little gain (people type the start of a company's name).
const PINYIN_MAX_CHARS: usize = 8;
/// Upper bound on reading combinations per run (polyphones: 重庆 = zhongqing / chongqing).
const PINYIN_MAX_COMBOS: usize = 8;
/// Shortest digit run that finds a phone number.
pub const MIN_PHONE_DIGITS: usize = 4;

pub use banyan_read::is_han;

/// Traditional → Simplified, compatibility forms (full-width letters) → plain, diacritics
/// removed, lowercased: "Zoë" → "zoe", "張三" → "张三", "ＡＢＣ" → "abc".
pub fn fold(s: &str) -> String {
    let simplified = if s.chars().any(is_han) { fast2s::convert(s) } else { s.to_string() };
    simplified
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A folded text split into Han runs and other words (letters and digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Han(String),
    Word(String),
}

/// Splits folded text into Han runs and words; punctuation separates words, except inside a word
/// ("o'brien"), where the joined form is also offered by [`word_forms`].
pub fn segments(folded: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut han = false;
    let flush = |cur: &mut String, han: bool, out: &mut Vec<Segment>| {
        if !cur.is_empty() {
            out.push(if han { Segment::Han(std::mem::take(cur)) } else { Segment::Word(std::mem::take(cur)) });
        }
    };
    for c in folded.chars() {
        if is_han(c) {
            if !han {
                flush(&mut cur, han, &mut out);
                han = true;
            }
            cur.push(c);
        } else if c.is_alphanumeric() || (c == '\'' || c == '’' || c == '-') && !cur.is_empty() && !han {
            if han {
                flush(&mut cur, han, &mut out);
                han = false;
            }
            cur.push(c);
        } else {
            flush(&mut cur, han, &mut out);
            han = false;
        }
    }
    flush(&mut cur, han, &mut out);
    out
}

/// "o'brien" → ["o", "brien", "obrien"]; "jean-luc" → ["jean", "luc", "jeanluc"]; "smith" → ["smith"].
pub fn word_forms(word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split(['\'', '’', '-']).filter(|p| !p.is_empty()).collect();
    let mut out: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    if parts.len() > 1 {
        out.push(parts.concat());
    }
    out
}

/// Every reading combination of a Han run, as syllable lists (at most [`PINYIN_MAX_COMBOS`]).
pub fn readings(run: &str) -> Vec<Vec<String>> {
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for (i, multi) in run.to_pinyin_multi().enumerate() {
        if i >= PINYIN_MAX_CHARS {
            break;
        }
        let mut options: Vec<String> = Vec::new();
        if let Some(m) = multi {
            for p in m {
                let s = p.plain().to_string();
                if !options.contains(&s) {
                    options.push(s);
                }
            }
        }
        if options.is_empty() {
            // A character without a reading ends the pinyin of this run.
            break;
        }
        if combos.len() * options.len() > PINYIN_MAX_COMBOS {
            options.truncate(1.max(PINYIN_MAX_COMBOS / combos.len()));
        }
        combos = combos
            .into_iter()
            .flat_map(|c| {
                options.iter().map(move |o| {
                    let mut c = c.clone();
                    c.push(o.clone());
                    c
                })
            })
            .collect();
    }
    combos.retain(|c| !c.is_empty());
    combos
}

/// Pinyin tokens of a Han run: for every reading, the full pinyin from each syllable on
/// ("zhangsanfeng", "sanfeng", "feng") and the initials from each syllable on ("zsf", "sf", "f").
pub fn pinyin_tokens(run: &str, out: &mut BTreeSet<String>) {
    for syllables in readings(run) {
        for start in 0..syllables.len() {
            out.insert(syllables[start..].concat());
            out.insert(syllables[start..].iter().filter_map(|s| s.chars().next()).collect());
        }
    }
}

/// Every suffix of a Han run except the run itself ("张三丰" → "三丰", "丰"): a substring of the
/// run is then a prefix of one of its suffixes.
pub fn han_suffixes(run: &str, out: &mut BTreeSet<String>) {
    let chars: Vec<char> = run.chars().collect();
    for start in 1..chars.len() {
        out.insert(chars[start..].iter().collect());
    }
}

/// Digit suffixes of a phone number of at least [`MIN_PHONE_DIGITS`] digits: any run of digits
/// typed is then a prefix of one of them.
pub fn phone_tokens(e164: &str, out: &mut BTreeSet<String>) {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    for start in 0..digits.len() {
        if digits.len() - start >= MIN_PHONE_DIGITS {
            out.insert(digits[start..].iter().collect());
        }
    }
}

/// What one customer contributes to the index, per column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The folded whole name, for exact matches.
    pub name_key: String,
    /// Words of the name and whole Han runs.
    pub name: BTreeSet<String>,
    /// Inner suffixes of Han runs in the name.
    pub name_sub: BTreeSet<String>,
    /// Pinyin of the name's Han runs.
    pub pinyin: BTreeSet<String>,
    /// Everything else, per field (so a hit can say where it matched).
    pub other: Vec<(MatchField, BTreeSet<String>)>,
}

/// The text of one customer as the indexer sees it.
#[derive(Debug, Clone, Default)]
pub struct Source<'a> {
    pub name: &'a str,
    pub company: Option<&'a str>,
    pub contacts: Vec<&'a str>,
    pub emails: &'a [String],
    pub phones: &'a [String],
    pub city: Option<&'a str>,
    pub tags: &'a [String],
    /// Note titles: the first line of the notes and of each activity.
    pub notes: Vec<&'a str>,
}

/// Words, whole Han runs and Han suffixes of a text (for fields other than the name).
fn text_tokens(text: &str, out: &mut BTreeSet<String>) {
    for seg in segments(&fold(text)) {
        match seg {
            Segment::Word(w) => out.extend(word_forms(&w)),
            Segment::Han(h) => {
                han_suffixes(&h, out);
                out.insert(h);
            }
        }
    }
}

pub fn document(src: &Source<'_>) -> Document {
    let mut d = Document { name_key: name_key(src.name), ..Default::default() };
    for seg in segments(&fold(src.name)) {
        match seg {
            Segment::Word(w) => d.name.extend(word_forms(&w)),
            Segment::Han(h) => {
                han_suffixes(&h, &mut d.name_sub);
                pinyin_tokens(&h, &mut d.pinyin);
                d.name.insert(h);
            }
        }
    }
    let mut field = |f: MatchField, texts: &mut dyn Iterator<Item = &str>| {
        let mut set = BTreeSet::new();
        for t in texts {
            text_tokens(t, &mut set);
        }
        if !set.is_empty() {
            d.other.push((f, set));
        }
    };
    field(MatchField::Company, &mut src.company.into_iter());
    field(MatchField::Contacts, &mut src.contacts.iter().copied());
    field(MatchField::Emails, &mut src.emails.iter().map(String::as_str));
    field(MatchField::City, &mut src.city.into_iter());
    field(MatchField::Tags, &mut src.tags.iter().map(String::as_str));
    field(MatchField::Notes, &mut src.notes.iter().copied());
    let mut phones = BTreeSet::new();
    for p in src.phones {
        phone_tokens(p, &mut phones);
    }
    if !phones.is_empty() {
        d.other.push((MatchField::Phones, phones));
    }
    d
}

/// The folded name with spacing normalized: the key of an exact match.
pub fn name_key(name: &str) -> String {
    fold(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Terms, each to be matched as a prefix of some token; all must match.
    pub terms: Vec<String>,
    pub name_key: String,
    /// The query was a phone number (digits only after removing spaces, dashes, dots and +).
    pub phone: bool,
}

impl Query {
    pub fn parse(input: &str) -> Query {
        let trimmed = input.trim();
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let phone_like = trimmed.chars().all(|c| c.is_ascii_digit() || " -+().".contains(c));
        if phone_like && digits.len() >= MIN_PHONE_DIGITS {
            return Query { terms: vec![digits], name_key: name_key(trimmed), phone: true };
        }
        let mut terms = Vec::new();
        for seg in segments(&fold(trimmed)) {
            match seg {
                Segment::Word(w) => {
                    // "o'brien" is searched as "obrien", which the index holds as a joined form.
                    let joined: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
                    if !joined.is_empty() {
                        terms.push(joined);
                    }
                }
                Segment::Han(h) => terms.push(h),
            }
        }
        terms.dedup();
        Query { terms, name_key: name_key(trimmed), phone: false }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The FTS5 expression: every term as a quoted prefix, all required.
    pub fn fts(&self, terms: &[Vec<String>]) -> String {
        terms
            .iter()
            .map(|alts| {
                let alts: Vec<String> = alts.iter().map(|t| format!("\"{}\"*", t.replace('"', "\"\""))).collect();
                if alts.len() == 1 { alts[0].clone() } else { format!("({})", alts.join(" OR ")) }
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    pub fn prefix_terms(&self) -> Vec<Vec<String>> {
        self.terms.iter().map(|t| vec![t.clone()]).collect()
    }
}

/// Which fields of `doc` the query's terms match (as token prefixes). A term matched by the
/// name's pinyin or its inner substrings counts for the name.
pub fn matched_fields(doc: &Document, terms: &[Vec<String>]) -> Vec<MatchField> {
    let hits = |set: &BTreeSet<String>| {
        terms.iter().flatten().any(|t| set.range(t.clone()..).next().is_some_and(|tok| tok.starts_with(t.as_str())))
    };
    let mut out = Vec::new();
    if hits(&doc.name) || hits(&doc.name_sub) || hits(&doc.pinyin) {
        out.push(MatchField::Name);
    }
    for (f, set) in &doc.other {
        if hits(set) {
            out.push(*f);
        }
    }
    out
}

/// Whether every term (any of its alternatives) matches, as a token prefix, somewhere in `doc`
/// outside the fields in `unseen`: a customer found only through a field the reader may not see
/// is no hit for them.
pub fn matches_outside(doc: &Document, terms: &[Vec<String>], unseen: &[MatchField]) -> bool {
    let holds = |set: &BTreeSet<String>, t: &String| {
        set.range(t.clone()..).next().is_some_and(|tok| tok.starts_with(t.as_str()))
    };
    terms.iter().all(|alts| {
        alts.iter().any(|t| {
            holds(&doc.name, t)
                || holds(&doc.name_sub, t)
                || holds(&doc.pinyin, t)
                || doc.other.iter().any(|(f, set)| !unseen.contains(f) && holds(set, t))
        })
    })
}

/// How far a document is from the typed terms: for each term, the edit distance to the closest
/// whole token. Orders the typo tier, closest first.
pub fn fuzzy_score(doc: &Document, terms: &[String]) -> usize {
    let sets = [&doc.name, &doc.pinyin].into_iter().chain(doc.other.iter().map(|(_, s)| s));
    let tokens: Vec<&String> = sets.flat_map(|s| s.iter()).collect();
    terms
        .iter()
        .map(|t| {
            tokens.iter().map(|tok| edit_distance(t, tok)).min().unwrap_or(t.chars().count()).min(t.chars().count())
        })
        .sum()
}

/// Damerau–Levenshtein (optimal string alignment) distance, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// How many typos a term of this length may carry.
pub fn allowed_typos(term: &str) -> usize {
    match term.chars().count() {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Zoë MÜLLER"), "zoe muller");
        assert_eq!(fold("張三"), "张三");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("François"), "francois");
    }

    #[test]
    fn segments_split_han_and_words() {
        use Segment::*;
        assert_eq!(
            segments("张三丰 abc o'brien 上海2号"),
            vec![
                Han("张三丰".into()),
                Word("abc".into()),
                Word("o'brien".into()),
                Han("上海".into()),
                Word("2".into()),
                Han("号".into())
            ]
        );
        assert_eq!(word_forms("o'brien"), vec!["o", "brien", "obrien"]);
    }

    #[test]
    fn pinyin_covers_polyphones() {
        let mut t = BTreeSet::new();
        pinyin_tokens("重庆", &mut t);
        for want in ["chongqing", "zhongqing", "cq", "zq", "qing", "q"] {
            assert!(t.contains(want), "{want} missing from {t:?}");
        }
        let mut t = BTreeSet::new();
        pinyin_tokens("曾国藩", &mut t);
        assert!(t.contains("zengguofan") && t.contains("cengguofan") && t.contains("zgf"), "{t:?}");
        let mut t = BTreeSet::new();
        pinyin_tokens("张三丰", &mut t);
        for want in ["zhangsanfeng", "sanfeng", "feng", "zsf", "sf"] {
            assert!(t.contains(want), "{want} missing from {t:?}");
        }
    }

    #[test]
    fn queries_parse() {
        let q = Query::parse("138 1234");
        assert!(q.phone);
        assert_eq!(q.terms, vec!["1381234"]);
        let q = Query::parse("Zhang SF");
        assert_eq!(q.terms, vec!["zhang", "sf"]);
        let q = Query::parse("張三");
        assert_eq!(q.terms, vec!["张三"]);
        let q = Query::parse("O'Brien");
        assert_eq!(q.terms, vec!["obrien"]);
        assert_eq!(q.fts(&q.prefix_terms()), "\"obrien\"*");
    }
}
