//! The book-wide duplicate finder (`banyan duplicates`, the desktop's Duplicates screen).
//!
//! Blocking, as record-linkage tools do it: customers sharing a match key (a phone, an email, a
//! name in any script or order, a company, a typo block, an address) form a block, and only pairs
//! inside a block small enough to mean something are compared (up to [`MAX_BLOCK`] customers for
//! phones, emails, names and companies; [`WIDE_SMALL_BLOCK`] for the typo, address and
//! company-core keys, which common streets and surnames fill).
//!
//! It is built to run on a book of a million customers in well under a minute with memory that
//! does not grow with the book: the match keys are streamed in key order by one thread, which
//! hands each batch of blocks to two workers; a worker loads the block's members (only the fields
//! a score reads), prepares them, scores every pair inside the block and keeps its own best
//! `limit` pairs. Nothing holds all pairs or all customers: memory is the blocks in flight, the
//! workers' small caches of prepared customers and the best pairs. A pair that shares several
//! small blocks is scored in each (the score is the same every time) and kept once.
//!
//! It reads through connections of its own, so the desktop's searches are not held up while it
//! runs, with caches smaller than the search connection's.

use super::customers::customer_in;
use super::imports::DuplicatePair;
use super::{Reach, Store};
use crate::error::Result;
use crate::model::{CustomerId, CustomerKind};
use crate::quality::dedupe::{self, NameMemo, Prepared, Reason};
use rusqlite::OptionalExtension;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::mpsc::{Receiver, sync_channel};

/// Largest group of customers sharing one key that the batch search compares pairwise; bigger
/// groups (a company switchboard on 500 records, "jo sm" in a huge book) carry no signal.
pub(super) const MAX_BLOCK: usize = 100;

/// The same bound for the typo, address and company-core keys.
pub(super) const WIDE_SMALL_BLOCK: usize = 20;

/// Blocks handed to a worker at once.
const BATCH_BLOCKS: usize = 512;

/// Prepared customers a worker keeps for the blocks that follow (a customer's name keys, typo
/// block and phone are scanned at different times; those close together in key order meet here).
const WORKER_CACHE: usize = 20_000;

/// Names a worker keeps made ready (see [`NameMemo`]).
const NAME_MEMO: usize = 50_000;

/// Page cache of each of the finder's own connections.
const FINDER_CACHE_MIB: i64 = 32;

/// A 128-bit digest of a block's members (in key-scan order, which is index-entry order): two
/// SipHash digests of differently tagged input, so that two different blocks never pass for one.
fn members_hash(block: &[i64]) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = [std::hash::DefaultHasher::new(), std::hash::DefaultHasher::new()];
    0u8.hash(&mut h[0]);
    1u8.hash(&mut h[1]);
    for id in block {
        id.hash(&mut h[0]);
        id.hash(&mut h[1]);
    }
    ((h[0].finish() as u128) << 64) | h[1].finish() as u128
}

/// The block size bound of a stored match key (a [`dedupe::key_code`]).
fn cap(code: i64) -> usize {
    if ["t:", "a:", "k:", "b:"].contains(&dedupe::key_kind(code)) { WIDE_SMALL_BLOCK } else { MAX_BLOCK }
}

/// A pair as the finder ranks it: best score first, then by the first customer's name and id
/// (the order the list shows); `a` is the customer with the smaller id.
#[derive(Clone)]
struct Found {
    score: f64,
    a_name: String,
    a: String,
    b: String,
    reasons: Vec<Reason>,
}

impl Found {
    /// "Better" means earlier in the list.
    fn rank(&self, other: &Found) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.a_name.cmp(&other.a_name))
            .then_with(|| self.a.cmp(&other.a))
            .then_with(|| self.b.cmp(&other.b))
    }
}

impl PartialEq for Found {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Found {}
impl PartialOrd for Found {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
/// A max-heap of `Found` by this order has the worst kept pair on top.
impl Ord for Found {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// The best `limit` pairs, each kept once.
struct Best {
    limit: usize,
    heap: BinaryHeap<Found>,
    kept: HashSet<(String, String)>,
}

impl Best {
    fn new(limit: usize) -> Best {
        Best { limit, heap: BinaryHeap::new(), kept: HashSet::new() }
    }

    fn offer(&mut self, f: Found) {
        if self.limit == 0 || self.kept.contains(&(f.a.clone(), f.b.clone())) {
            return;
        }
        if self.heap.len() == self.limit {
            // A pair dropped before ranks after every pair kept since, so it never comes back.
            let worst = self.heap.peek().expect("a full heap has a top");
            if f.rank(worst) != Ordering::Less {
                return;
            }
            let out = self.heap.pop().expect("a full heap has a top");
            self.kept.remove(&(out.a, out.b));
        }
        self.kept.insert((f.a.clone(), f.b.clone()));
        self.heap.push(f);
    }

    fn merge(&mut self, other: Best) {
        for f in other.heap {
            self.offer(f);
        }
    }

    fn into_sorted(self) -> Vec<Found> {
        let mut v = self.heap.into_vec();
        v.sort_by(Found::rank);
        v
    }
}

/// A loaded block member: its customer id, its name and its prepared profile.
type Member = (String, String, Prepared);

/// A worker's prepared customers by index entry, the oldest dropped first when full.
struct Cache {
    map: HashMap<i64, Option<Member>>,
    order: std::collections::VecDeque<i64>,
}

impl Cache {
    fn new() -> Cache {
        Cache { map: HashMap::new(), order: std::collections::VecDeque::new() }
    }

    fn insert(&mut self, docid: i64, v: Option<Member>) {
        if self.order.len() >= WORKER_CACHE
            && let Some(old) = self.order.pop_front()
        {
            self.map.remove(&old);
        }
        self.order.push_back(docid);
        self.map.insert(docid, v);
    }
}

/// The fields a score reads, of the live customer behind an index entry (`None` if it is gone or
/// deleted since the scan).
fn load_profile(conn: &rusqlite::Connection, docid: i64, memo: &mut NameMemo, reach: &Reach) -> Result<Option<Member>> {
    let row = conn
        .prepare_cached(
            "SELECT c.kind, c.name, c.company, c.phones, c.emails, c.address, c.city, c.id, c.owner
             FROM search_docs d JOIN customers c ON c.id = d.customer_id
             WHERE d.docid = ?1 AND c.deleted_at IS NULL",
        )?
        .query_row([docid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })
        .optional()?;
    let Some((kind, name, company, phones, emails, address, city, id, owner)) = row else { return Ok(None) };
    // A customer out of the caller's reach is in no pair they are shown.
    if !reach.contains(owner.as_deref()) {
        return Ok(None);
    }
    let phones: Vec<String> = serde_json::from_str(&phones).unwrap_or_default();
    let emails: Vec<String> = serde_json::from_str(&emails).unwrap_or_default();
    // The same profile the match keys were made of.
    let p = super::search::profile_of_fields(
        kind == CustomerKind::Company.as_str(),
        &name,
        company.as_deref(),
        &phones,
        &emails,
        address.as_deref(),
        city.as_deref(),
    );
    Ok(Some((id, name, p.prepare_with(memo))))
}

fn work(
    conn: &rusqlite::Connection,
    blocks: &Receiver<Vec<Vec<i64>>>,
    min_score: f64,
    limit: usize,
    reach: &Reach,
) -> Result<Best> {
    let mut best = Best::new(limit);
    let mut cache = Cache::new();
    let mut memo = NameMemo::new(NAME_MEMO);
    while let Ok(batch) = blocks.recv() {
        for block in batch {
            for &docid in &block {
                if !cache.map.contains_key(&docid) {
                    let p = load_profile(conn, docid, &mut memo, reach)?;
                    cache.insert(docid, p);
                }
            }
            let members: Vec<&Member> =
                block.iter().filter_map(|d| cache.map.get(d).and_then(|p| p.as_ref())).collect();
            for i in 0..members.len() {
                for j in i + 1..members.len() {
                    let (x, y) =
                        if members[i].0 < members[j].0 { (members[i], members[j]) } else { (members[j], members[i]) };
                    let (score, reasons) = dedupe::score_prepared(&x.2, &y.2);
                    if score >= min_score {
                        best.offer(Found { score, a_name: x.1.clone(), a: x.0.clone(), b: y.0.clone(), reasons });
                    }
                }
            }
        }
    }
    Ok(best)
}

impl Store {
    /// Candidate duplicate pairs over the whole book, best first, at most `limit` (see the
    /// module's notes for how they are found); both customers of a pair within `reach`.
    pub fn duplicate_pairs(&self, min_score: f64, limit: usize, reach: &Reach) -> Result<Vec<DuplicatePair>> {
        let open = || self.side_reader(FINDER_CACHE_MIB);
        let scan = open()?;
        let workers = vec![open()?, open()?];
        let found = std::thread::scope(|s| -> Result<Best> {
            let mut senders = Vec::new();
            let mut handles = Vec::new();
            for conn in workers {
                let (tx, rx) = sync_channel::<Vec<Vec<i64>>>(4);
                senders.push(tx);
                handles.push(s.spawn(move || work(&conn, &rx, min_score, limit, reach)));
            }
            let scanned = (|| -> Result<()> {
                let mut st = scan.prepare("SELECT key, docid FROM match_keys ORDER BY key, docid")?;
                let mut rows = st.query([])?;
                let mut key: Option<i64> = None;
                let mut block: Vec<i64> = Vec::new();
                let mut batch: Vec<Vec<i64>> = Vec::new();
                let mut next = 0usize;
                let mut too_big = false;
                // Blocks already handed out, by their members: a name's key in both orders, and the
                // "no phone or email" name keys, give the same block again (two in three of the
                // name blocks of a generated million-customer book), whose pairs are all scored.
                let mut seen: HashSet<u128> = HashSet::new();
                let mut close = |block: &mut Vec<i64>, too_big: bool, key: i64, batch: &mut Vec<Vec<i64>>| {
                    if !too_big && block.len() >= 2 && block.len() <= cap(key) && seen.insert(members_hash(block)) {
                        batch.push(std::mem::take(block));
                    } else {
                        block.clear();
                    }
                };
                while let Some(r) = rows.next()? {
                    let k: i64 = r.get(0)?;
                    if Some(k) != key {
                        if let Some(key) = key {
                            close(&mut block, too_big, key, &mut batch);
                        }
                        if batch.len() >= BATCH_BLOCKS {
                            // Round robin; a worker that has stopped (an error) is told by its result.
                            let _ = senders[next % senders.len()].send(std::mem::take(&mut batch));
                            next += 1;
                        }
                        key = Some(k);
                        too_big = false;
                    }
                    if too_big {
                        continue;
                    }
                    if block.len() == cap(k) {
                        too_big = true;
                        block.clear();
                        continue;
                    }
                    block.push(r.get(1)?);
                }
                if let Some(key) = key {
                    close(&mut block, too_big, key, &mut batch);
                }
                if !batch.is_empty() {
                    let _ = senders[next % senders.len()].send(batch);
                }
                Ok(())
            })();
            drop(senders);
            let mut best = Best::new(limit);
            for h in handles {
                best.merge(h.join().expect("a duplicate worker panicked")?);
            }
            scanned?;
            Ok(best)
        })?;
        let conn = self.reader();
        let mut out = Vec::new();
        for f in found.into_sorted() {
            let (Ok(a), Ok(b)) = (f.a.parse::<CustomerId>(), f.b.parse::<CustomerId>()) else { continue };
            let (Ok(ca), Ok(cb)) = (customer_in(&conn, a), customer_in(&conn, b)) else { continue };
            if ca.deleted || cb.deleted {
                continue;
            }
            out.push(DuplicatePair { a: ca, b: cb, score: f.score, reasons: f.reasons });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoGen;
    use crate::model::ValidationContext;
    use crate::store::Actor;

    /// Every pair of every small block, each scored once, the plain way (what the finder did
    /// before it streamed): the finder must give exactly these.
    fn reference(store: &Store, min_score: f64) -> Vec<(String, String, u64)> {
        let conn = store.reader();
        let mut pairs = std::collections::BTreeSet::new();
        let mut st = conn
            .prepare(
                "SELECT m.key, group_concat(d.customer_id, ' ') FROM match_keys m
                 JOIN search_docs d ON d.docid = m.docid GROUP BY m.key",
            )
            .unwrap();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let key: i64 = r.get(0).unwrap();
            let ids: String = r.get(1).unwrap();
            let mut ids: Vec<&str> = ids.split(' ').collect();
            ids.sort();
            if ids.len() < 2 || ids.len() > cap(key) {
                continue;
            }
            for i in 0..ids.len() {
                for j in i + 1..ids.len() {
                    pairs.insert((ids[i].to_string(), ids[j].to_string()));
                }
            }
        }
        let prepared = |id: &str| profile_of_id(&conn, id).prepare();
        let mut out: Vec<(String, String, u64)> = pairs
            .into_iter()
            .filter_map(|(a, b)| {
                let (score, _) = dedupe::score_prepared(&prepared(&a), &prepared(&b));
                (score >= min_score).then_some((a, b, score.to_bits()))
            })
            .collect();
        out.sort_by(|x, y| f64::from_bits(y.2).total_cmp(&f64::from_bits(x.2)));
        out
    }

    fn profile_of_id(conn: &rusqlite::Connection, id: &str) -> dedupe::Profile {
        super::super::search::profile_of(&customer_in(conn, id.parse().unwrap()).unwrap())
    }

    #[test]
    fn the_streamed_finder_finds_exactly_every_scored_pair_of_the_small_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::unit_test_store(dir.path());
        let ctx = ValidationContext::default();
        let mut g = DemoGen::new(11);
        let actor = Actor::default();
        let mut made = 0;
        // 3,000 generated customers (namesakes, shared company names and streets: blocks of every
        // size, some over the caps), every seventh entered twice, once more with the name
        // written in capitals.
        while made < 3_000 {
            let Ok(v) = g.customer().validate(&ctx) else { continue };
            store.write(&actor, |w| w.insert_customer(&v)).unwrap();
            if made % 7 == 0 {
                let mut again = g.customer();
                again.name = Some(v.name.to_uppercase());
                again.kind = Some(v.kind.as_str().into());
                again.phones = v.phones.clone();
                if let Ok(again) = again.validate(&ctx) {
                    store.write(&actor, |w| w.insert_customer(&again)).unwrap();
                }
            }
            made += 1;
        }
        let expected = reference(&store, dedupe::DUPLICATE_SCORE);
        assert!(expected.len() > 300, "{} pairs", expected.len());
        let found = store.duplicate_pairs(dedupe::DUPLICATE_SCORE, usize::MAX, &Reach::All).unwrap();
        let got: Vec<(String, String, u64)> =
            found.iter().map(|d| (d.a.id.to_string(), d.b.id.to_string(), d.score.to_bits())).collect();
        let as_set = |v: &[(String, String, u64)]| v.iter().cloned().collect::<std::collections::BTreeSet<_>>();
        assert_eq!(got.len(), as_set(&got).len(), "a pair listed twice");
        assert_eq!(as_set(&got), as_set(&expected));
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
        // The best 40 are the head of the whole list.
        let head = store.duplicate_pairs(dedupe::DUPLICATE_SCORE, 40, &Reach::All).unwrap();
        assert_eq!(
            head.iter().map(|d| (d.a.id, d.b.id)).collect::<Vec<_>>(),
            found[..40].iter().map(|d| (d.a.id, d.b.id)).collect::<Vec<_>>()
        );
    }
}
