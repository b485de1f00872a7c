//! The search index's SQL: keeping it in step with customers (called by the write gateway inside
//! its transaction), rebuilding it, and running tiered queries.

use super::customers::customer_in;
use super::{Reach, Store};
use crate::error::Result;
use crate::model::{Customer, CustomerId, CustomerKind, ValidCustomer};
use crate::quality::dedupe::{self, Profile};
use crate::search::text::{self, Document, Query, Source};
use crate::search::{MatchField, MatchTier};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashSet;

/// Filters that combine with the text of a search.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchFilter {
    pub kind: Option<CustomerKind>,
    pub tag: Option<String>,
    pub city: Option<String>,
    pub owner: Option<String>,
    /// Only customers with (or without) an order that is not yet paid or cancelled.
    pub has_open_orders: Option<bool>,
    /// Unix ms, inclusive.
    pub created_from: Option<i64>,
    /// Unix ms, exclusive.
    pub created_to: Option<i64>,
    pub updated_from: Option<i64>,
    pub updated_to: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub customer: Customer,
    pub tier: MatchTier,
    pub matched: Vec<MatchField>,
}

/// Notes' titles: the first line, cut to a title's length.
fn title(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// The document of a customer from its own row only (no contacts, no activity notes): enough to
/// say where most hits matched without two more queries per hit.
fn own_document(c: &Customer) -> Document {
    text::document(&own_source(&OwnFields::of_customer(c)))
}

/// The fields of a customer's own row that its search document and match keys are made of.
struct OwnFields<'a> {
    is_company: bool,
    name: &'a str,
    company: Option<&'a str>,
    emails: &'a [String],
    phones: &'a [String],
    city: Option<&'a str>,
    address: Option<&'a str>,
    tags: &'a [String],
    notes: Option<&'a str>,
}

/// The same fields of a stored customer and of a validated one (two types, one field list).
macro_rules! own_fields {
    ($c:expr) => {
        OwnFields {
            is_company: $c.kind == CustomerKind::Company,
            name: &$c.name,
            company: $c.company.as_deref(),
            emails: &$c.emails,
            phones: &$c.phones,
            city: $c.city.as_deref(),
            address: $c.address.as_deref(),
            tags: &$c.tags,
            notes: $c.notes.as_deref(),
        }
    };
}

impl<'a> OwnFields<'a> {
    fn of_customer(c: &'a Customer) -> Self {
        own_fields!(c)
    }

    fn of_valid(c: &'a ValidCustomer) -> Self {
        own_fields!(c)
    }

    fn profile(&self) -> Profile {
        Profile {
            is_company: self.is_company,
            name: self.name.to_string(),
            company: self.company.map(str::to_string),
            // Two records of one line with and without its extension are the same phone.
            phones: self.phones.iter().map(|p| crate::quality::phone::without_extension(p).to_string()).collect(),
            emails: self.emails.to_vec(),
            address: self.address.map(str::to_string),
            city: self.city.map(str::to_string),
        }
    }
}

fn own_source<'a>(f: &OwnFields<'a>) -> Source<'a> {
    Source {
        name: f.name,
        company: f.company,
        contacts: Vec::new(),
        emails: f.emails,
        phones: f.phones,
        city: f.city,
        tags: f.tags,
        notes: f.notes.map(title).into_iter().collect(),
    }
}

/// The search document and match keys of a customer that has no contacts or activities yet (a
/// new one), computed from its values alone: an import computes them on its reading thread, so
/// the writing thread only stores them.
#[derive(Debug, Clone)]
pub struct Derived {
    doc: Document,
    prepared: dedupe::Prepared,
    keys: Vec<String>,
}

impl Derived {
    pub fn of(c: &ValidCustomer) -> Derived {
        let f = OwnFields::of_valid(c);
        let profile = f.profile();
        Derived { doc: text::document(&own_source(&f)), keys: profile.keys(), prepared: profile.prepare() }
    }

    /// The customer's duplicate-matching profile made ready for scoring candidates.
    pub fn prepared(&self) -> &dedupe::Prepared {
        &self.prepared
    }

    /// The profile's match keys (`profile().keys()`), for looking up candidates.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
}

/// The document of one customer: its own fields, its contacts' names and its note titles.
fn document_of(conn: &Connection, c: &Customer) -> Result<Document> {
    let id = c.id.to_string();
    let contacts: Vec<String> = conn
        .prepare_cached("SELECT name FROM contacts WHERE customer_id = ?1 AND deleted_at IS NULL")?
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let notes: Vec<String> = conn
        .prepare_cached(
            "SELECT text FROM activities WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY occurred_at DESC LIMIT 20",
        )?
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut note_titles: Vec<&str> = notes.iter().map(|n| title(n)).collect();
    if let Some(n) = &c.notes {
        note_titles.push(title(n));
    }
    Ok(text::document(&Source {
        name: &c.name,
        company: c.company.as_deref(),
        contacts: contacts.iter().map(String::as_str).collect(),
        emails: &c.emails,
        phones: &c.phones,
        city: c.city.as_deref(),
        tags: &c.tags,
        notes: note_titles,
    }))
}

fn joined(set: &std::collections::BTreeSet<String>) -> String {
    set.iter().map(String::as_str).collect::<Vec<_>>().join(" ")
}

/// Brings the index entry of one customer in line with its rows (removes it for a tombstone).
pub(super) fn reindex_customer(conn: &Connection, id: &str) -> Result<()> {
    let old: Option<i64> = conn
        .prepare_cached("SELECT docid FROM search_docs WHERE customer_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    reindex_customer_at(conn, id, old)
}

/// [`reindex_customer`] of a customer whose index entry (`old`) was looked up already.
pub(super) fn reindex_customer_at(conn: &Connection, id: &str, old: Option<i64>) -> Result<()> {
    let mut gone = GoneKeys::default();
    reindex_customer_deferred(conn, id, old, &mut gone)?;
    gone.flush(conn)
}

/// Match keys of removed index entries, deleted together in key order ([`GoneKeys::flush`]).
/// A customer's keys are spread over the whole `match_keys` tree; when many customers go at once
/// (an undo takes back 10,000 per transaction), deleting each one's keys as it goes walks the
/// tree in random order, ten or so times per customer. In key order, consecutive deletes land on
/// the page the last one touched.
#[derive(Default)]
pub(super) struct GoneKeys(Vec<(i64, i64)>);

impl GoneKeys {
    pub(super) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_unstable();
        let mut del = conn.prepare_cached("DELETE FROM match_keys WHERE key = ?1 AND docid = ?2")?;
        for (key, docid) in self.0.drain(..) {
            del.execute((key, docid))?;
        }
        Ok(())
    }
}

/// [`reindex_customer_at`] leaving a removed entry's match keys in `gone` for the caller to
/// [`GoneKeys::flush`] before its transaction ends.
pub(super) fn reindex_customer_deferred(
    conn: &Connection,
    id: &str,
    old: Option<i64>,
    gone: &mut GoneKeys,
) -> Result<()> {
    if let Some(docid) = old {
        remove_entry(conn, docid, gone)?;
    }
    // A removed customer (an undo takes back thousands) is not read whole just to be left out.
    let removed: Option<bool> = conn
        .prepare_cached("SELECT deleted_at IS NOT NULL FROM customers WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if removed != Some(false) {
        return Ok(());
    }
    let Ok(cid) = id.parse::<CustomerId>() else { return Ok(()) };
    let c = customer_in(conn, cid)?;
    // The new entry may get a docid an entry removed here had: its keys must be gone first.
    gone.flush(conn)?;
    write_entry(conn, id, c.owner.as_deref(), &document_of(conn, &c)?, &profile_of(&c).keys())
}

/// Removes one index entry: its documents, itself, and (through `gone`) its match keys, which the
/// entry lists.
fn remove_entry(conn: &Connection, docid: i64, gone: &mut GoneKeys) -> Result<()> {
    let keys: Option<Vec<u8>> = conn
        .prepare_cached("SELECT keys FROM search_docs WHERE docid = ?1")?
        .query_row([docid], |r| r.get(0))
        .optional()?;
    for code in keys.as_deref().unwrap_or_default().chunks_exact(8) {
        gone.0.push((i64::from_be_bytes(code.try_into().expect("8 bytes")), docid));
    }
    conn.prepare_cached("DELETE FROM customer_fts WHERE rowid = ?1")?.execute([docid])?;
    conn.prepare_cached("DELETE FROM name_fts WHERE rowid = ?1")?.execute([docid])?;
    conn.prepare_cached("DELETE FROM pinyin_fts WHERE rowid = ?1")?.execute([docid])?;
    conn.prepare_cached("DELETE FROM search_docs WHERE docid = ?1")?.execute([docid])?;
    Ok(())
}

/// The duplicate-matching profile of a stored customer.
pub(crate) fn profile_of(c: &Customer) -> Profile {
    OwnFields::of_customer(c).profile()
}

/// The same profile from only the stored fields a score reads (the book-wide duplicate finder
/// loads no more than these).
pub(super) fn profile_of_fields(
    is_company: bool,
    name: &str,
    company: Option<&str>,
    phones: &[String],
    emails: &[String],
    address: Option<&str>,
    city: Option<&str>,
) -> Profile {
    OwnFields { is_company, name, company, emails, phones, city, address, tags: &[], notes: None }.profile()
}

/// Indexes a customer just inserted in this transaction from its precomputed [`Derived`] data:
/// the same entries [`reindex_customer`] would make, without reading the row back.
pub(super) fn index_new_customer(
    conn: &Connection,
    id: &str,
    owner: Option<&str>,
    d: &Derived,
    keys: &mut NewKeys,
) -> Result<()> {
    let start = keys.pending.len();
    write_entry_keys_to(conn, id, owner, &d.doc, &d.keys, Some(&mut keys.pending))?;
    for &(k, docid) in &keys.pending[start..] {
        keys.by_key.entry(k).or_default().push(docid);
    }
    Ok(())
}

/// Match keys of customers an import has indexed in this transaction, not yet in `match_keys`:
/// they go in together in key order before the transaction commits ([`NewKeys::flush`]). One at
/// a time, each was a random walk over the key tree, which on a book of a million customers
/// (ten million keys) missed the page cache every time. Until then the import's duplicate
/// matching finds them here ([`NewKeys::docids`]), so later rows still find earlier ones.
#[derive(Default)]
pub(crate) struct NewKeys {
    pending: Vec<(i64, i64)>,
    by_key: std::collections::HashMap<i64, Vec<i64>>,
}

impl NewKeys {
    /// Index entries of this transaction's new customers with match key `code`, oldest first.
    pub(super) fn docids(&self, code: i64) -> &[i64] {
        self.by_key.get(&code).map_or(&[], |v| v.as_slice())
    }

    /// Inserts the pending keys in key order. Called before anything in the transaction removes
    /// an index entry (an entry made here may be removed again, and SQLite may give its number
    /// to the next one) and before commit.
    pub(super) fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.pending.sort_unstable();
        let mut add_key = conn.prepare_cached("INSERT INTO match_keys (key, docid) VALUES (?1, ?2)")?;
        for k in self.pending.drain(..) {
            add_key.execute(k)?;
        }
        self.by_key.clear();
        Ok(())
    }
}

/// Writes a customer's index entry: its documents in the three FTS tables, its match keys (as
/// [`dedupe::key_code`]s), the typo tier's words, and the entry listing its keys.
fn write_entry(conn: &Connection, id: &str, owner: Option<&str>, doc: &Document, keys: &[String]) -> Result<()> {
    write_entry_keys_to(conn, id, owner, doc, keys, None)
}

/// [`write_entry`], leaving the match keys in `later` (as (key, docid)) when given, for the
/// caller to insert in key order before its transaction ends.
fn write_entry_keys_to(
    conn: &Connection,
    id: &str,
    owner: Option<&str>,
    doc: &Document,
    keys: &[String],
    later: Option<&mut Vec<(i64, i64)>>,
) -> Result<()> {
    let mut codes: Vec<i64> = keys.iter().map(|k| dedupe::key_code(k)).collect();
    codes.sort_unstable();
    codes.dedup();
    let blob: Vec<u8> = codes.iter().flat_map(|c| c.to_be_bytes()).collect();
    conn.prepare_cached("INSERT INTO search_docs (customer_id, name_key, keys, owner) VALUES (?1, ?2, ?3, ?4)")?
        .execute((id, &doc.name_key, blob, owner))?;
    let docid = conn.last_insert_rowid();
    match later {
        Some(later) => later.extend(codes.iter().map(|&c| (c, docid))),
        None => {
            let mut add_key = conn.prepare_cached("INSERT INTO match_keys (key, docid) VALUES (?1, ?2)")?;
            for c in codes {
                add_key.execute((c, docid))?;
            }
        }
    }
    let (name, pinyin) = (joined(&doc.name), joined(&doc.pinyin));
    let mut all = [name.as_str(), &joined(&doc.name_sub), &pinyin].join(" ");
    for (_, set) in &doc.other {
        all.push(' ');
        all.push_str(&joined(set));
    }
    conn.prepare_cached("INSERT INTO customer_fts (rowid, text) VALUES (?1, ?2)")?.execute((docid, &all))?;
    conn.prepare_cached("INSERT INTO name_fts (rowid, name) VALUES (?1, ?2)")?.execute((docid, &name))?;
    if !pinyin.is_empty() {
        conn.prepare_cached("INSERT INTO pinyin_fts (rowid, pinyin) VALUES (?1, ?2)")?.execute((docid, &pinyin))?;
    }
    let mut add_term = conn.prepare_cached("INSERT OR IGNORE INTO search_terms (term) VALUES (?1)")?;
    for t in typo_terms(doc) {
        add_term.execute([t])?;
    }
    Ok(())
}

/// FTS5's default `deletemerge`: a segment is rewritten once this share (%) of its rows is deleted.
pub(super) const DELETE_MERGE_DEFAULT: i64 = 10;

/// The words of the typo vocabulary (`search_terms`) that customer `c`'s entry adds (see
/// `write_entry_keys_to`): what an erasure tests once the entry is gone.
pub(super) fn typo_terms_of(conn: &Connection, c: &Customer) -> Result<Vec<String>> {
    let doc = document_of(conn, c)?;
    Ok(typo_terms(&doc).map(str::to_string).collect())
}

fn typo_terms(doc: &Document) -> impl Iterator<Item = &str> {
    doc.name
        .iter()
        .chain(
            doc.other
                .iter()
                .filter(|(f, _)| matches!(f, MatchField::Company | MatchField::Contacts))
                .flat_map(|(_, s)| s),
        )
        .filter(|t| t.len() >= 3 && t.chars().all(|c| c.is_ascii_lowercase()))
        .map(String::as_str)
}

/// Removes those of `terms` that no customer's entry holds any more. Returns how many.
pub(super) fn prune_terms(conn: &Connection, terms: &[String]) -> Result<usize> {
    let mut used = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM customer_fts WHERE customer_fts MATCH ?1)")?;
    let mut gone = 0;
    for t in terms {
        if !used.query_row([format!("\"{t}\"")], |r| r.get::<_, bool>(0))? {
            gone += conn.prepare_cached("DELETE FROM search_terms WHERE term = ?1")?.execute([t])?;
        }
    }
    Ok(gone)
}

/// Sets the search tables' `deletemerge`. A mass removal (an undo or a cancelled import takes back
/// tens of thousands of customers) sets it to 0 while it runs: with FTS5's default, each segment
/// was rewritten again and again as its deleted share passed 10 %: a 100,000-row undo took 23.7 s
/// with it and 12.8 s with it off while the undo runs (`cargo xtask bench io -- --rows 100000`).
/// Left at 0 by a crash, it only means deleted rows wait for the next ordinary merge to leave a
/// segment.
pub(super) fn set_delete_merge(conn: &Connection, pct: i64) -> Result<()> {
    for t in super::upkeep::FTS_TABLES {
        conn.execute(&format!("INSERT INTO {t} ({t}, rank) VALUES ('deletemerge', ?1)"), [pct])?;
    }
    Ok(())
}

/// The customer a contact or activity row belongs to.
pub(super) fn owner_of(conn: &Connection, table: &str, id: &str) -> Result<Option<String>> {
    let sql = format!("SELECT customer_id FROM {table} WHERE id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], |r| r.get(0)).optional()?)
}

impl Store {
    /// Rebuilds the whole index, reporting (done, total) as it goes (see [`rebuild`]).
    pub fn reindex(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        let reader = self.rebuild_reader()?;
        let _bulk = self.pause_upkeep();
        rebuild(&mut self.writer(), reader, progress)
    }

    /// Searches customers: tier by tier (exact name, name prefix, pinyin, anywhere, typos), each
    /// tier most recently active first, until `limit` hits.
    /// Only customers within `reach` are found: the scope is a condition of each tier's query,
    /// so `limit` hits in reach come back however many outside it match first.
    pub fn search(&self, input: &str, filter: &SearchFilter, limit: u32, reach: &Reach) -> Result<Vec<SearchHit>> {
        self.search_unseen(input, filter, limit, reach, &[])
    }

    /// [`Store::search`] for a reader who may not see the fields in `unseen`: a customer whose
    /// only match is in one of them is not found (each candidate of the anywhere and typo tiers
    /// is read and its visible fields matched again), and no hit names them.
    pub fn search_unseen(
        &self,
        input: &str,
        filter: &SearchFilter,
        limit: u32,
        reach: &Reach,
        unseen: &[MatchField],
    ) -> Result<Vec<SearchHit>> {
        let q = Query::parse(input);
        let conn = self.reader();
        let limit = limit.clamp(1, 1000) as usize;
        let found = matching(&conn, &q, filter, reach, Some(limit), unseen)?;
        let mut out = hits(&conn, &q, found)?;
        for h in &mut out {
            h.matched.retain(|m| !unseen.contains(m));
        }
        Ok(out)
    }

    /// Every customer a search finds, in the order [`Store::search`] lists them, with no limit:
    /// what "export this search" writes. The typo tier is left out: it guesses, and an export
    /// must hold exactly what the search shows to match, however many that is. Fields in
    /// `unseen` find nothing (see [`Store::search_unseen`]).
    pub fn search_all(
        &self,
        input: &str,
        filter: &SearchFilter,
        reach: &Reach,
        unseen: &[MatchField],
    ) -> Result<Vec<CustomerId>> {
        let q = Query::parse(input);
        let conn = self.reader();
        Ok(matching(&conn, &q, filter, reach, None, unseen)?
            .ids
            .into_iter()
            .filter_map(|(id, _)| id.parse().ok())
            .collect())
    }
}

/// How many candidates of one tier a search as you type reads and finds matched only in fields
/// the reader may not see before it gives that tier up: a word that is mostly in hidden fields
/// ("gmail" with emails hidden) would otherwise read every customer holding it. What is listed
/// is always right; past this a visible match can be missed. Exports read on.
const UNSEEN_CANDIDATES: usize = 2_000;

/// The customers behind the ids a search matched, each with the fields that matched, the closest
/// spellings first within the typo tier.
fn hits(conn: &Connection, q: &Query, found: Matches) -> Result<Vec<SearchHit>> {
    let mut out = Vec::with_capacity(found.ids.len());
    let mut scores = Vec::with_capacity(found.ids.len());
    for (id, tier) in found.ids {
        let Ok(cid) = id.parse::<CustomerId>() else { continue };
        let terms = if tier == MatchTier::Fuzzy { &found.typo_terms } else { &found.terms };
        let customer = customer_in(conn, cid)?;
        let mut doc = own_document(&customer);
        let mut matched = text::matched_fields(&doc, terms);
        if matched.is_empty() {
            // The hit came from a contact or an activity: read those to say so.
            doc = document_of(conn, &customer)?;
            matched = text::matched_fields(&doc, terms);
        }
        scores.push(if tier == MatchTier::Fuzzy { text::fuzzy_score(&doc, &q.terms) } else { 0 });
        out.push(SearchHit { matched, customer, tier });
    }
    // Within the typo tier the closest spelling wins; the sort is stable, so equally close
    // hits stay most recent first, and the other tiers (score 0, listed earlier) keep their order.
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| (out[i].tier, scores[i]));
    let mut slots: Vec<Option<SearchHit>> = out.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// What a search matched: ids in list order with their tier, and the terms each tier matched on.
struct Matches {
    ids: Vec<(String, MatchTier)>,
    terms: Vec<Vec<String>>,
    /// The typo tier's alternatives (near spellings of each term).
    typo_terms: Vec<Vec<String>>,
}

/// The ids a search matches, tier by tier, each with its tier and the terms it matched; at most
/// `limit` of them, or all of them (and then no typo tier) when `limit` is `None`.
fn matching(
    conn: &Connection,
    q: &Query,
    filter: &SearchFilter,
    reach: &Reach,
    limit: Option<usize>,
    unseen: &[MatchField],
) -> Result<Matches> {
    let mut found = Matches { ids: Vec::new(), terms: q.prefix_terms(), typo_terms: Vec::new() };
    if q.is_empty() {
        return Ok(found);
    }
    let full = |n: usize| limit.is_some_and(|l| n >= l);
    let (filter_sql, filter_params, customers) = filter_clause(filter, reach);
    let mut seen: HashSet<String> = HashSet::new();
    let mut hits: Vec<(String, MatchTier)> = Vec::new();
    // `check`: the terms a candidate's visible fields must match (the tiers over every field,
    // when the reader may not see some); `None` for the name tiers, which hold only the name.
    let mut collect =
        |tier: MatchTier, sql: &str, first: Value, check: Option<&[Vec<String>]>, hits: &mut Vec<_>| -> Result<()> {
            if full(hits.len()) {
                return Ok(());
            }
            let check = check.filter(|_| !unseen.is_empty());
            let mut params = vec![first];
            params.extend(filter_params.iter().cloned());
            // LIMIT -1 is no limit: a checked tier reads on past the candidates it turns down.
            let bound = if check.is_some() { None } else { limit.map(|l| (l + seen.len()) as i64) };
            params.push(Value::Integer(bound.unwrap_or(-1)));
            let mut stmt = conn.prepare_cached(sql)?;
            let ids = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get::<_, String>(0))?;
            let mut turned_down = 0;
            for id in ids {
                let id = id?;
                if full(hits.len()) {
                    break;
                }
                if seen.contains(&id) {
                    continue;
                }
                if let Some(terms) = check {
                    let Ok(cid) = id.parse::<CustomerId>() else { continue };
                    let doc = document_of(conn, &customer_in(conn, cid)?)?;
                    if !text::matches_outside(&doc, terms, unseen) {
                        turned_down += 1;
                        if limit.is_some() && turned_down >= UNSEEN_CANDIDATES {
                            break;
                        }
                        continue;
                    }
                }
                seen.insert(id.clone());
                hits.push((id, tier));
            }
            Ok(())
        };
    // The customers table is joined only when a filter needs its columns.
    let join = if customers { "JOIN customers c ON c.id = d.customer_id" } else { "" };
    let n = filter_params.len() + 2;
    if !q.phone {
        let sql = format!(
            "SELECT d.customer_id FROM search_docs d {join}
             WHERE d.name_key = ?1 {filter_sql} ORDER BY d.docid DESC LIMIT ?{n}"
        );
        collect(MatchTier::Exact, &sql, Value::Text(q.name_key.clone()), None, &mut hits)?;
    }
    // Newest matching documents of one FTS table first; the FTS table returns its rowids in
    // descending order itself, so no sort and an early stop at the limit.
    let fts_sql = |table: &str| {
        format!(
            "SELECT d.customer_id FROM {table} f JOIN search_docs d ON d.docid = f.rowid {join}
             WHERE {table} MATCH ?1 {filter_sql} ORDER BY f.rowid DESC LIMIT ?{n}"
        )
    };
    let expr = q.fts(&found.terms);
    if !q.phone {
        collect(MatchTier::Prefix, &fts_sql("name_fts"), Value::Text(expr.clone()), None, &mut hits)?;
        if q.terms.iter().all(|t| t.chars().all(|c| c.is_ascii_alphabetic())) {
            collect(MatchTier::Pinyin, &fts_sql("pinyin_fts"), Value::Text(expr.clone()), None, &mut hits)?;
        }
    }
    let anywhere_sql = fts_sql("customer_fts");
    // A number typed is looked for in phones: a reader who may not see them gets nothing for it
    // (every candidate would be a phone match to turn down, one read each).
    if !(q.phone && unseen.contains(&MatchField::Phones)) {
        collect(MatchTier::Substring, &anywhere_sql, Value::Text(expr), Some(&found.terms), &mut hits)?;
    }
    // Typos: only when exact and prefix matching found little, and only for Latin words long
    // enough for a typo to be told from another word.
    if limit.is_some()
        && hits.len() < 5
        && !q.phone
        && q.terms.iter().any(|t| text::allowed_typos(t) > 0)
        && let Some(alts) = fuzzy_terms(conn, q)?
    {
        let expr = q.fts(&alts);
        collect(MatchTier::Fuzzy, &anywhere_sql, Value::Text(expr), Some(&alts), &mut hits)?;
        found.typo_terms = alts;
    }
    found.ids = hits;
    Ok(found)
}

impl Store {
    /// Existing customers sharing a phone number or an email address with the given ones: the
    /// likely duplicates a form warns about before saving.
    pub fn likely_duplicates(
        &self,
        phones: &[String],
        emails: &[String],
        exclude: Option<CustomerId>,
    ) -> Result<Vec<Customer>> {
        let mut out: Vec<Customer> = Vec::new();
        let none = SearchFilter::default();
        let mut consider = |hits: Vec<SearchHit>, keep: &dyn Fn(&Customer) -> bool| {
            for h in hits {
                if Some(h.customer.id) != exclude && keep(&h.customer) && !out.iter().any(|c| c.id == h.customer.id) {
                    out.push(h.customer);
                }
            }
        };
        // A line is the same phone with or without an extension.
        let line = crate::quality::phone::without_extension;
        for p in phones {
            let digits: String = line(p).chars().filter(char::is_ascii_digit).collect();
            consider(self.search(&digits, &none, 50, &Reach::All)?, &|c| c.phones.iter().any(|q| line(q) == line(p)));
        }
        for e in emails {
            consider(self.search(e, &none, 50, &Reach::All)?, &|c| c.emails.contains(e));
        }
        Ok(out)
    }
}

/// Customers indexed per transaction by [`rebuild`].
const REBUILD_CHUNK: usize = 10_000;

/// One customer's index entry, computed by the rebuild's reading thread.
struct Entry {
    id: String,
    owner: Option<String>,
    doc: Document,
    keys: Vec<String>,
}

/// Rebuilds the whole index, reporting (done, total) as it goes, and writes the index version (the
/// `search_built` meta value) when done.
///
/// A thread reading through `reader` (a connection of its own) pages through the live customers
/// and computes each one's entry (document, match keys) while this one writes the page before, so
/// the text work and the writing overlap. The entries are written `REBUILD_CHUNK` customers per
/// transaction: a million customers in one transaction grew the WAL past 2 GB, and looking pages
/// up in it took over most of the time; committed chunks let the WAL be checkpointed as it goes.
/// The marker is removed in the first transaction, so a rebuild cut short (a crash, a kill) is
/// done again at the next open. If another connection commits while it runs (`PRAGMA
/// data_version` moves), what was read before may be stale: from then on each customer is read
/// and indexed inside the writing transaction instead (as the gateway does), so nothing is
/// indexed twice or from old values.
pub(super) fn rebuild(conn: &mut Connection, reader: Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    rebuild_in_pages(conn, reader, REBUILD_CHUNK, progress, &mut |_| {})
}

/// [`rebuild`] in pages of `chunk` customers, calling `after_page(done)` after each page commits.
fn rebuild_in_pages(
    conn: &mut Connection,
    reader: Connection,
    chunk: usize,
    progress: &mut dyn FnMut(u64, u64),
    after_page: &mut dyn FnMut(u64),
) -> Result<u64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Derived data, recomputed from the rows right after.
    super::without_secure_delete(
        &tx,
        "INSERT INTO customer_fts (customer_fts) VALUES ('delete-all');
         INSERT INTO name_fts (name_fts) VALUES ('delete-all');
         INSERT INTO pinyin_fts (pinyin_fts) VALUES ('delete-all');
         DELETE FROM search_docs; DELETE FROM match_keys;
         DELETE FROM meta WHERE key = 'search_built';",
    )?;
    let total: i64 = tx.query_row("SELECT count(*) FROM customers WHERE deleted_at IS NULL", [], |r| r.get(0))?;
    tx.commit()?;
    let total = total as u64;
    let version = |c: &Connection| -> Result<i64> { Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?) };
    let start = version(conn)?;
    let mut done = 0u64;
    std::thread::scope(|s| -> Result<()> {
        let (send, pages) = std::sync::mpsc::sync_channel::<Result<Vec<Entry>>>(2);
        s.spawn(move || {
            let mut after: Option<(i64, String)> = None;
            loop {
                let page = (|| -> Result<Vec<Entry>> {
                    let page = super::customers::live_customers_after(
                        &reader,
                        after.as_ref().map(|(t, id)| (*t, id.as_str())),
                        chunk,
                    )?;
                    if let Some(last) = page.last() {
                        after = Some((last.updated_at, last.id.to_string()));
                    }
                    page.iter()
                        .map(|c| {
                            Ok(Entry {
                                id: c.id.to_string(),
                                owner: c.owner.clone(),
                                doc: document_of(&reader, c)?,
                                keys: profile_of(c).keys(),
                            })
                        })
                        .collect()
                })();
                let last = page.as_ref().map_or(true, Vec::is_empty);
                // The writer has stopped (an error) when the channel is closed.
                if send.send(page).is_err() || last {
                    return;
                }
            }
        });
        for page in pages {
            let page = page?;
            if page.is_empty() {
                break;
            }
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let fresh = version(&tx)? == start;
            // A page's match keys go in together in key order: one at a time, each was a random
            // walk over a key tree of millions (a million customers have ten million keys).
            let mut keys = NewKeys::default();
            for e in &page {
                if fresh {
                    write_entry_keys_to(&tx, &e.id, e.owner.as_deref(), &e.doc, &e.keys, Some(&mut keys.pending))?;
                } else {
                    reindex_customer(&tx, &e.id)?;
                }
            }
            keys.flush(&tx)?;
            tx.commit()?;
            done += page.len() as u64;
            progress(done.min(total), total);
            after_page(done);
        }
        Ok(())
    })?;
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('search_built', ?1)", [super::INDEX_VERSION])?;
    // The last page's report already said "total of total" unless customers went away meanwhile
    // (or there were none).
    if done == 0 || done < total {
        progress(total, total);
    }
    Ok(done)
}

/// The conditions of a search's filters and scope, their parameters, and whether they read the
/// customers table (the scope alone reads only the index entry's owner).
fn filter_clause(f: &SearchFilter, reach: &Reach) -> (String, Vec<Value>, bool) {
    let mut sql = String::new();
    let mut params: Vec<Value> = Vec::new();
    // Parameter ?1 is the query; filters start at ?2.
    let add = |cond: &str, v: Value, sql: &mut String, params: &mut Vec<Value>| {
        params.push(v);
        sql.push_str(&format!(" AND {}", cond.replace('?', &format!("?{}", params.len() + 1))));
    };
    // The owner is beside the index entry (search_docs.owner): scope needs no customer row.
    let mut scope_params = 0;
    if let Some((cond, v)) = reach.condition("d.owner") {
        add(&cond, v, &mut sql, &mut params);
        scope_params = 1;
    }
    if let Some(k) = f.kind {
        add("c.kind = ?", Value::Text(k.as_str().into()), &mut sql, &mut params);
    }
    if let Some(t) = &f.tag {
        add("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?)", Value::Text(t.clone()), &mut sql, &mut params);
    }
    if let Some(c) = &f.city {
        add("c.city = ?", Value::Text(c.clone()), &mut sql, &mut params);
    }
    if let Some(o) = &f.owner {
        add("c.owner = ?", Value::Text(o.clone()), &mut sql, &mut params);
    }
    if let Some(v) = f.created_from {
        add("c.created_at >= ?", Value::Integer(v), &mut sql, &mut params);
    }
    if let Some(v) = f.created_to {
        add("c.created_at < ?", Value::Integer(v), &mut sql, &mut params);
    }
    if let Some(v) = f.updated_from {
        add("c.updated_at >= ?", Value::Integer(v), &mut sql, &mut params);
    }
    if let Some(v) = f.updated_to {
        add("c.updated_at < ?", Value::Integer(v), &mut sql, &mut params);
    }
    if let Some(open) = f.has_open_orders {
        sql.push_str(&format!(
            " AND {}EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.deleted_at IS NULL
               AND o.status IN ('draft', 'confirmed', 'fulfilled'))",
            if open { "" } else { "NOT " }
        ));
    }
    let customers = params.len() > scope_params || f.has_open_orders.is_some();
    (sql, params, customers)
}

/// For each term, itself (as a prefix) plus the known words within its typo allowance, closest
/// first. `None` when no term has a near word (nothing to retry).
fn fuzzy_terms(conn: &Connection, q: &Query) -> Result<Option<Vec<Vec<String>>>> {
    let mut out = Vec::new();
    let mut any = false;
    for t in &q.terms {
        let mut alts = vec![t.clone()];
        let k = text::allowed_typos(t);
        if k > 0 && t.chars().all(|c| c.is_ascii_lowercase()) {
            let mut near: Vec<(usize, String)> = Vec::new();
            // Typos rarely hit the first letter; a swap of the first two is the common exception.
            let firsts: Vec<char> = t.chars().take(2).collect();
            let mut stmt = conn.prepare_cached("SELECT term FROM search_terms WHERE term >= ?1 AND term < ?2")?;
            for f in firsts {
                let lo = f.to_string();
                let hi = ((f as u8) + 1) as char;
                for term in stmt.query_map((lo, hi.to_string()), |r| r.get::<_, String>(0))? {
                    let term = term?;
                    if term.len().abs_diff(t.len()) > k || &term == t {
                        continue;
                    }
                    let d = text::edit_distance(t, &term);
                    if d <= k && !near.iter().any(|(_, x)| *x == term) {
                        near.push((d, term));
                    }
                }
            }
            near.sort();
            near.truncate(12);
            any |= !near.is_empty();
            alts.extend(near.into_iter().map(|(_, w)| w));
        }
        out.push(alts);
    }
    Ok(any.then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoGen;
    use crate::io::Progress;
    use crate::model::ValidationContext;
    use crate::security::keys::KdfParams;
    use crate::store::{Actor, NewKey, StoreOptions};

    /// Everything the index holds for one customer, as sorted text: the exact-match key, the
    /// terms of each FTS table per column (read back through fts5vocab), the match keys.
    fn entries(conn: &Connection, id: &str) -> Vec<String> {
        let (docid, name_key): (i64, String) = conn
            .query_row("SELECT docid, name_key FROM search_docs WHERE customer_id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        let mut out = vec![format!("name_key {name_key}")];
        for t in ["customer_fts", "name_fts", "pinyin_fts"] {
            conn.execute_batch(&format!(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_{t} USING fts5vocab(main, {t}, instance)"
            ))
            .unwrap();
            let mut st = conn.prepare(&format!("SELECT DISTINCT term FROM temp.v_{t} WHERE doc = ?1")).unwrap();
            out.extend(
                st.query_map([docid], |r| r.get::<_, String>(0)).unwrap().map(|r| format!("{t} {}", r.unwrap())),
            );
        }
        let mut st = conn.prepare("SELECT key FROM match_keys WHERE docid = ?1").unwrap();
        out.extend(st.query_map([docid], |r| r.get::<_, i64>(0)).unwrap().map(|r| format!("key {}", r.unwrap())));
        out.sort();
        out
    }

    #[test]
    fn a_rebuild_while_another_connection_writes_indexes_every_customer_once_with_its_latest_values() {
        // Another process (here: a second store on the same file) renames a customer while a
        // rebuild runs; the rebuild's reading thread may have read that customer already. The
        // index must end with one entry per customer, the new name found and the old one not.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        let opts = StoreOptions { kdf: KdfParams { m_kib: 1024, t: 1, p: 1 }, ..Default::default() };
        let pass = "unit test passphrase";
        let store = Store::create(&path, NewKey::Passphrase(pass.into()), opts.clone()).unwrap();
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(3);
        let actor = Actor::default();
        let mut made: Vec<(CustomerId, ValidCustomer)> = Vec::new();
        while made.len() < 500 {
            let Ok(v) = g.customer().validate(&ctx) else { continue };
            made.push((store.write(&actor, |w| w.insert_customer(&v)).unwrap(), v));
        }
        // The customer the last page holds (pages go by last change).
        let last: String = store
            .reader()
            .query_row("SELECT id FROM customers ORDER BY updated_at DESC, id DESC LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let other = Store::open(&path, &crate::security::Unlock::passphrase(pass), opts).unwrap();
        let mut renamed = false;
        let reader = store.rebuild_reader().unwrap();
        let done = rebuild_in_pages(&mut store.writer(), reader, 100, &mut |_, _| {}, &mut |done| {
            if done == 100 {
                let (id, v) = made.iter().find(|(id, _)| id.to_string() == last).unwrap();
                let mut v = v.clone();
                v.name = "Quetzalcoatl Rebuildson".into();
                other.write(&actor, |w| w.replace_customer(*id, &v)).unwrap();
                renamed = true;
            }
        })
        .unwrap();
        assert!(renamed);
        assert!(done >= 500);
        drop(other);
        let conn = store.reader();
        let (docs, distinct): (i64, i64) = conn
            .query_row("SELECT count(*), count(DISTINCT customer_id) FROM search_docs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((docs, distinct), (500, 500));
        drop(conn);
        let none = SearchFilter::default();
        let hits = store.search("quetzalcoatl", &none, 10, &Reach::All).unwrap();
        assert_eq!(hits.iter().map(|h| h.customer.id.to_string()).collect::<Vec<_>>(), vec![last.clone()]);
    }

    /// A full rebuild (migrations, `banyan reindex`) gives every customer exactly the entries the
    /// gateway gave it: the same documents and every match key (which the rebuild writes a page
    /// at a time in key order), so search and duplicate matching find what they found before.
    #[test]
    fn a_rebuild_gives_every_customer_the_entries_and_match_keys_it_had() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(5);
        let actor = Actor::default();
        let rows: Vec<ValidCustomer> = (0..300).map(|_| g.valid_customer(&ctx)).collect();
        store.add_customers(&actor, &rows).unwrap();
        let ids: Vec<String> = store
            .reader()
            .prepare("SELECT id FROM customers")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let before: Vec<Vec<String>> = ids.iter().map(|id| entries(&store.writer(), id)).collect();
        assert!(before.iter().all(|e| e.iter().any(|l| l.starts_with("key "))));
        let reader = store.rebuild_reader().unwrap();
        // Pages of 64: several pages, each with its own keys.
        assert_eq!(rebuild_in_pages(&mut store.writer(), reader, 64, &mut |_, _| {}, &mut |_| {}).unwrap(), 300);
        let after: Vec<Vec<String>> = ids.iter().map(|id| entries(&store.writer(), id)).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn a_customer_indexed_from_derived_data_has_exactly_the_entries_the_gateway_makes() {
        // Imports index new customers from data computed on another thread; search and duplicate
        // matching must not be able to tell them from customers the gateway re-indexed itself.
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(7);
        let actor = Actor::default();
        let mut checked = 0;
        for _ in 0..200 {
            let Ok(v) = g.customer().validate(&ctx) else { continue };
            let by_gateway = store.write(&actor, |w| w.insert_customer(&v)).unwrap();
            let derived = Derived::of(&v);
            let by_derived = store.write(&actor, |w| w.insert_customer_derived(None, &v, &derived)).unwrap();
            let conn = store.writer();
            let expected = entries(&conn, &by_gateway.to_string());
            assert!(expected.iter().any(|e| e.starts_with("pinyin_fts") || e.starts_with("name_fts")));
            assert!(expected.iter().any(|e| e.starts_with("key ")));
            assert_eq!(entries(&conn, &by_derived.to_string()), expected, "{}", v.name);
            checked += 1;
        }
        assert!(checked > 150, "{checked} customers compared");
    }

    #[test]
    fn an_undo_cut_short_or_finished_leaves_the_search_tables_merging_deleted_rows_again() {
        // Undo turns FTS5's deletemerge off while it runs; afterwards ordinary edits and deletes
        // must again have their segments cleaned up (else a book keeps its removed customers'
        // index rows in every segment until an ordinary merge happens to rewrite it).
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(11);
        let batch = "batch-1";
        let _lock = store.begin_import(batch, "people.csv", "csv").unwrap();
        let actor = Actor { user: String::new(), batch: Some(batch.into()) };
        let mut made = 0;
        while made < 300 {
            let Ok(v) = g.customer().validate(&ctx) else { continue };
            store.write(&actor, |w| w.insert_customer(&v)).unwrap();
            made += 1;
        }
        store.finish_import(batch, "done", &Default::default()).unwrap();
        let delete_merge = |store: &Store| -> Vec<i64> {
            let conn = store.reader();
            ["customer_fts", "name_fts", "pinyin_fts"]
                .iter()
                .map(|t| {
                    conn.query_row(&format!("SELECT v FROM {t}_config WHERE k = 'deletemerge'"), [], |r| r.get(0))
                        .unwrap()
                })
                .collect()
        };
        let undoer = Actor::default();
        // Cancelled before its first chunk (after deletemerge went off).
        let mut cut = Progress { report: &mut |_, _| {}, cancelled: &|| true };
        assert!(store.undo_batch(&undoer, batch, &mut cut).is_err());
        assert_eq!(delete_merge(&store), vec![DELETE_MERGE_DEFAULT; 3]);
        let mut whole = Progress { report: &mut |_, _| {}, cancelled: &|| false };
        let report = store.undo_batch(&undoer, batch, &mut whole).unwrap();
        assert!(report.removed > 0);
        assert_eq!(delete_merge(&store), vec![DELETE_MERGE_DEFAULT; 3]);
    }

    #[test]
    fn customers_re_indexed_together_keep_every_match_key_even_when_an_entry_number_is_reused() {
        // Re-indexing several customers in one transaction defers the removed entries' match
        // keys; a re-written entry can get the number its old entry had (the last one does), and
        // its new keys must not be taken by the deferred removal.
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(5);
        let actor = Actor::default();
        let mut made: Vec<(CustomerId, ValidCustomer)> = Vec::new();
        while made.len() < 20 {
            let Ok(v) = g.customer().validate(&ctx) else { continue };
            made.push((store.write(&actor, |w| w.insert_customer(&v)).unwrap(), v));
        }
        let before: Vec<Vec<String>> = made.iter().map(|(id, _)| entries(&store.writer(), &id.to_string())).collect();
        let top: i64 = store.reader().query_row("SELECT max(docid) FROM search_docs", [], |r| r.get(0)).unwrap();
        // The newest customer (the last entry) edited and another one added in one transaction:
        // the edited one's entry is removed and written again as the last entry, with the same
        // number, before the new one's.
        let extra = loop {
            if let Ok(v) = g.customer().validate(&ctx) {
                break v;
            }
        };
        store
            .write(&actor, |w| {
                let (id, v) = made.last().unwrap();
                let mut v = v.clone();
                v.notes = Some("met at the fair".into());
                w.replace_customer(*id, &v)?;
                w.insert_customer(&extra)?;
                Ok(())
            })
            .unwrap();
        let newest_docid: i64 = store
            .reader()
            .query_row(
                "SELECT docid FROM search_docs WHERE customer_id = ?1",
                [made.last().unwrap().0.to_string()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(newest_docid, top, "the entry number was reused");
        for ((id, _), before) in made.iter().zip(before) {
            let after = entries(&store.writer(), &id.to_string());
            let keys = |e: &[String]| e.iter().filter(|x| x.starts_with("key ")).cloned().collect::<Vec<_>>();
            assert!(!keys(&before).is_empty());
            assert_eq!(keys(&after), keys(&before), "{id}");
        }
        let dangling: i64 = store
            .reader()
            .query_row("SELECT count(*) FROM match_keys WHERE docid NOT IN (SELECT docid FROM search_docs)", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(dangling, 0);
    }

    #[test]
    fn a_large_write_keeps_its_new_search_terms_in_memory_until_it_commits() {
        // The audit chain signs a checkpoint every 1,000 log entries inside the writing
        // transaction. A statement that opens a savepoint there makes every FTS5 table write its
        // pending terms out as a small segment: an import then made a segment per 1,000
        // customers instead of one per 16 MiB of terms.
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(11);
        let valid: Vec<ValidCustomer> =
            std::iter::from_fn(|| Some(g.customer().validate(&ctx).ok())).flatten().take(2_500).collect();
        let count = |conn: &Connection, sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        // Pages of the three full-text tables.
        let fts = "SELECT (SELECT count(*) FROM customer_fts_data) + (SELECT count(*) FROM name_fts_data)
                   + (SELECT count(*) FROM pinyin_fts_data)";
        let (pages, checkpoints) = store
            .write(&Actor::default(), |w| {
                let cps = "SELECT count(*) FROM checkpoints";
                let before = (count(w.conn(), fts), count(w.conn(), cps));
                // As an import writes them: each one indexed at once.
                for v in &valid {
                    w.insert_customer_derived(None, v, &Derived::of(v))?;
                }
                Ok(((before.0, count(w.conn(), fts)), (before.1, count(w.conn(), cps))))
            })
            .unwrap();
        assert!(checkpoints.1 >= checkpoints.0 + 2, "the write crossed checkpoints: {checkpoints:?}");
        assert_eq!(pages.1, pages.0, "no search segment was written before the commit");
        // The commit writes them out.
        let after = count(&store.reader(), fts);
        assert!(after > pages.0, "segments written at commit: {} → {after}", pages.0);
    }
}
