//! What a field shows when desktops changed it concurrently: one pure function over the field's
//! leaves (its changes that no later change replaced), so every desktop holding the same leaves
//! shows the same value whatever order they arrived in. The store only reads the leaves and writes
//! the answer.
//!
//! - A plain field shows the leaf with the highest (clock, device, sequence); the others wait in
//!   the inbox until someone settles them (none if they all say the same).
//! - A list (phones, emails, tags) keeps what any desktop added and drops what one removed that no
//!   other added: two phones added on two laptops are both kept, nothing needs a decision.
//! - Custom values merge per key: a key changed on one desktop takes that change; a key changed on
//!   several to different values takes the highest leaf's and needs a decision.
//! - A deletion (`deleted_at`) made on several desktops is one deletion: the highest leaf's time
//!   shows, nothing to decide (a deletion against a restore still needs a decision).
//! - An order's totals are derived from its lines (see `store::orders::realize_lines`): the
//!   highest leaf shows until they are summed again, never a decision.
//! - An order's status: the furthest step wins (draft → confirmed → fulfilled → paid), cancelled
//!   beats every open state, and paid against cancelled shows paid and needs a decision (money
//!   was taken for an order someone else called off).

use serde_json::{Map, Value};

/// How a field merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    List,
    Keyed,
    OrderStatus,
    Deletion,
    Derived,
}

/// The merge kind of a synced column.
pub fn kind_of(table: &str, field: &str) -> Kind {
    match (table, field) {
        ("customers" | "contacts", "phones" | "emails") | ("customers", "tags") => Kind::List,
        ("customers", "custom") => Kind::Keyed,
        ("orders", "status") => Kind::OrderStatus,
        ("orders", "gross" | "discount" | "net" | "tax" | "total") => Kind::Derived,
        (_, "deleted_at") => Kind::Deletion,
        _ => Kind::Plain,
    }
}

/// A leaf's order: its clock, its device's id and its sequence number. The highest shows.
pub type Rank = (i64, String, i64);

/// One leaf: the value it set and the value it replaced, as the log holds them (JSON; a list or
/// a map is JSON text inside a string, as the column stores it).
#[derive(Debug, Clone)]
pub struct Leaf {
    pub rank: Rank,
    pub new: Value,
    pub old: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// What the field shows, in the log's JSON form.
    pub value: Value,
    /// The index of the highest leaf.
    pub winner: usize,
    /// Whether a person has to choose (the leaves disagree in a way no rule settles).
    pub decision: bool,
}

/// Merges `leaves` (at least one) of a field of `kind`. The answer depends only on the set of
/// leaves, not on their order.
pub fn merge(kind: Kind, leaves: &[Leaf]) -> Merged {
    let mut order: Vec<usize> = (0..leaves.len()).collect();
    order.sort_by(|a, b| leaves[*b].rank.cmp(&leaves[*a].rank));
    let winner = order[0];
    match kind {
        Kind::Plain => {
            let decision = leaves.iter().any(|l| l.new != leaves[winner].new);
            Merged { value: leaves[winner].new.clone(), winner, decision }
        }
        Kind::Deletion => {
            let decision = leaves.iter().any(|l| l.new.is_null() != leaves[winner].new.is_null());
            Merged { value: leaves[winner].new.clone(), winner, decision }
        }
        Kind::Derived => Merged { value: leaves[winner].new.clone(), winner, decision: false },
        Kind::List => Merged { value: merge_lists(leaves, &order), winner, decision: false },
        Kind::Keyed => {
            let (value, decision) = merge_maps(leaves, &order);
            Merged { value, winner, decision }
        }
        Kind::OrderStatus => {
            let has = |s: &str| leaves.iter().any(|l| l.new.as_str() == Some(s));
            let (paid, cancelled) = (has("paid"), has("cancelled"));
            let value = if paid && cancelled {
                Value::String("paid".into())
            } else if cancelled {
                Value::String("cancelled".into())
            } else {
                // The furthest step any leaf reached (a value this version does not know ranks
                // below every step, so a known one wins over it).
                order
                    .iter()
                    .map(|&i| &leaves[i].new)
                    .max_by_key(|v| STEPS.iter().position(|s| v.as_str() == Some(s)).map_or(0, |p| p + 1))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            Merged { value, winner, decision: paid && cancelled }
        }
    }
}

/// An order's open steps, in order.
const STEPS: [&str; 4] = ["draft", "confirmed", "fulfilled", "paid"];

/// A list column's elements from its JSON text (none for a missing value).
fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        Value::Array(items) => items.clone(),
        _ => Vec::new(),
    }
}

fn map(v: &Value) -> Map<String, Value> {
    match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        },
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    }
}

/// Every element some leaf holds, in the highest leaf's order and then each next leaf's, less
/// those a leaf removed (held before, not after) and no leaf added.
fn merge_lists(leaves: &[Leaf], order: &[usize]) -> Value {
    let news: Vec<Vec<Value>> = leaves.iter().map(|l| list(&l.new)).collect();
    let olds: Vec<Vec<Value>> = leaves.iter().map(|l| list(&l.old)).collect();
    let added = |x: &Value| (0..leaves.len()).any(|i| news[i].contains(x) && !olds[i].contains(x));
    let removed = |x: &Value| (0..leaves.len()).any(|i| olds[i].contains(x) && !news[i].contains(x));
    let mut out: Vec<Value> = Vec::new();
    for &i in order {
        for x in &news[i] {
            if !out.contains(x) && (added(x) || !removed(x)) {
                out.push(x.clone());
            }
        }
    }
    Value::String(Value::Array(out).to_string())
}

/// Per key: the highest leaf that changed it decides (absent = removed); a key no leaf changed
/// keeps the highest leaf's value. Two leaves changing one key to different values need a decision.
fn merge_maps(leaves: &[Leaf], order: &[usize]) -> (Value, bool) {
    let news: Vec<Map<String, Value>> = leaves.iter().map(|l| map(&l.new)).collect();
    let olds: Vec<Map<String, Value>> = leaves.iter().map(|l| map(&l.old)).collect();
    let mut keys: Vec<&String> = news.iter().chain(olds.iter()).flat_map(|m| m.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    let mut decision = false;
    for k in keys {
        let changed: Vec<usize> = order.iter().copied().filter(|&i| news[i].get(k) != olds[i].get(k)).collect();
        let from = changed.first().copied().unwrap_or(order[0]);
        if changed.iter().any(|&i| news[i].get(k) != news[from].get(k)) {
            decision = true;
        }
        if let Some(v) = news[from].get(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    (Value::String(Value::Object(out).to_string()), decision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaf(hlc: i64, device: &str, new: Value, old: Value) -> Leaf {
        Leaf { rank: (hlc, device.into(), 1), new, old }
    }

    fn text(v: Value) -> Value {
        Value::String(v.to_string())
    }

    #[test]
    fn a_plain_field_shows_the_highest_leaf_and_needs_a_decision_only_when_they_differ() {
        let a = leaf(10, "a", json!("Shanghai"), json!("Beijing"));
        let b = leaf(12, "b", json!("Hangzhou"), json!("Beijing"));
        for leaves in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
            let m = merge(Kind::Plain, &leaves);
            assert_eq!(m.value, json!("Hangzhou"));
            assert!(m.decision);
        }
        // Same clock: the device decides, the same way everywhere.
        let c = leaf(12, "c", json!("Suzhou"), json!("Beijing"));
        assert_eq!(merge(Kind::Plain, &[b.clone(), c.clone()]).value, json!("Suzhou"));
        let same = leaf(11, "c", json!("Hangzhou"), json!("Beijing"));
        assert!(!merge(Kind::Plain, &[b, same]).decision);
    }

    #[test]
    fn two_phones_added_on_two_desktops_are_both_kept_and_a_removal_stays_removed() {
        let base = text(json!(["+8613800000001", "+8613800000002"]));
        let a = leaf(10, "a", text(json!(["+8613800000001", "+8613800000002", "+8613911111111"])), base.clone());
        let b = leaf(11, "b", text(json!(["+8613800000002", "+8613922222222"])), base.clone());
        let ab = merge(Kind::List, &[a.clone(), b.clone()]);
        let ba = merge(Kind::List, &[b, a]);
        assert_eq!((&ab.value, ab.decision), (&ba.value, ba.decision));
        assert_eq!(ab.value, text(json!(["+8613800000002", "+8613922222222", "+8613911111111"])));
        assert!(!ab.decision);
    }

    #[test]
    fn an_element_removed_on_one_desktop_and_added_again_on_another_is_kept() {
        let a = leaf(10, "a", text(json!([])), text(json!(["vip"])));
        let b = leaf(9, "b", text(json!(["vip"])), text(json!([])));
        assert_eq!(merge(Kind::List, &[a, b]).value, text(json!(["vip"])));
    }

    #[test]
    fn an_order_status_takes_the_furthest_step_cancelled_beats_open_states_and_paid_against_cancelled_needs_a_decision()
    {
        let st = |hlc: i64, to: &str, from: &str| leaf(hlc, "d", json!(to), json!(from));
        let run = |leaves: &[Leaf]| {
            let m = merge(Kind::OrderStatus, leaves);
            let mut rev = leaves.to_vec();
            rev.reverse();
            assert_eq!(merge(Kind::OrderStatus, &rev).value, m.value, "the order of the leaves does not matter");
            (m.value.as_str().unwrap().to_string(), m.decision)
        };
        // A later step made earlier in time still wins; nothing to decide.
        assert_eq!(run(&[st(2, "confirmed", "draft"), st(1, "fulfilled", "confirmed")]), ("fulfilled".into(), false));
        assert_eq!(run(&[st(1, "paid", "fulfilled"), st(2, "fulfilled", "confirmed")]), ("paid".into(), false));
        // Cancelled beats open states, whichever came later.
        assert_eq!(run(&[st(1, "cancelled", "draft"), st(2, "confirmed", "draft")]), ("cancelled".into(), false));
        assert_eq!(
            run(&[st(2, "cancelled", "confirmed"), st(1, "fulfilled", "confirmed")]),
            ("cancelled".into(), false)
        );
        // Paid against cancelled: shown as paid, and a person decides.
        assert_eq!(run(&[st(1, "paid", "fulfilled"), st(2, "cancelled", "fulfilled")]), ("paid".into(), true));
        assert_eq!(run(&[st(2, "paid", "fulfilled"), st(1, "cancelled", "fulfilled")]), ("paid".into(), true));
    }

    #[test]
    fn a_row_deleted_on_two_desktops_is_one_deletion_and_a_restore_against_a_deletion_is_a_decision() {
        let both =
            merge(Kind::Deletion, &[leaf(1, "a", json!(100), json!(null)), leaf(2, "b", json!(200), json!(null))]);
        assert_eq!((both.value, both.decision), (json!(200), false));
        let against =
            merge(Kind::Deletion, &[leaf(1, "a", json!(null), json!(100)), leaf(2, "b", json!(300), json!(100))]);
        assert_eq!((against.value, against.decision), (json!(300), true));
        assert_eq!(kind_of("order_lines", "deleted_at"), Kind::Deletion);
        assert_eq!(kind_of("orders", "total"), Kind::Derived);
    }

    #[test]
    fn custom_values_merge_per_key_and_a_clash_on_one_key_needs_a_decision() {
        let base = text(json!({"tier": "gold", "region": "north"}));
        let a = leaf(10, "a", text(json!({"tier": "platinum", "region": "north"})), base.clone());
        let b = leaf(11, "b", text(json!({"tier": "gold", "region": "south", "fax": "021"})), base.clone());
        let m = merge(Kind::Keyed, &[a.clone(), b.clone()]);
        assert_eq!(m.value, text(json!({"fax": "021", "region": "south", "tier": "platinum"})));
        assert!(!m.decision);
        let c = leaf(12, "c", text(json!({"tier": "silver", "region": "north"})), base);
        let m = merge(Kind::Keyed, &[a, b, c]);
        assert!(m.decision);
        assert_eq!(m.value, text(json!({"fax": "021", "region": "south", "tier": "silver"})));
    }
}
