//! Field rules: what a caller's roles hide is left out of what the façade returns (the value is
//! `None` or empty, its path listed in `redacted`, shown as "hidden"), and a write that sets a
//! field the roles do not let the caller write is refused whole, naming the field. The built-in
//! support role hides order values and product prices: front-desk staff see what was ordered, not
//! for how much. A custom role can also hide a customer's phones, emails, address, tags, source,
//! notes or any custom field, or make them read-only: a hidden customer field is also left out of
//! search (a word only in it finds nothing), match reasons, exports and history.

use crate::error::Error;
use crate::model::{CustomFieldDef, Customer, CustomerInput, CustomerPatch, LineInput, Order, Product};
use crate::quality::dedupe::Reason;
use crate::search::MatchField;
use crate::security::grants::{FieldAccess, Grants};
use crate::store::{DuplicatePair, OrderSummary, SearchHit};

pub const ORDER_TOTAL: &str = "order.total";
pub const ORDER_LINE_PRICE: &str = "order.lines.price";
pub const ORDER_LINE_DISCOUNT: &str = "order.lines.discount";
pub const PRODUCT_PRICE: &str = "product.price";
pub const CUSTOMER_PHONES: &str = "customer.phones";
pub const CUSTOMER_EMAILS: &str = "customer.emails";
pub const CUSTOMER_ADDRESS: &str = "customer.address";
pub const CUSTOMER_TAGS: &str = "customer.tags";
pub const CUSTOMER_SOURCE: &str = "customer.source";
pub const CUSTOMER_NOTES: &str = "customer.notes";
/// A custom field's rule is this and its key: `customer.custom.vip`.
pub const CUSTOMER_CUSTOM: &str = "customer.custom.";
/// The fields a role's rules can name (the ones every channel enforces), besides one rule per
/// custom field ([`CUSTOMER_CUSTOM`] and its key). A customer's name, company, kind, city,
/// country and owner have none: they are what a list, a search hit and the scope are made of.
pub const RULE_FIELDS: [&str; 10] = [
    ORDER_TOTAL,
    ORDER_LINE_PRICE,
    ORDER_LINE_DISCOUNT,
    PRODUCT_PRICE,
    CUSTOMER_PHONES,
    CUSTOMER_EMAILS,
    CUSTOMER_ADDRESS,
    CUSTOMER_TAGS,
    CUSTOMER_SOURCE,
    CUSTOMER_NOTES,
];

/// Each customer rule with the field's own name (as an input, an error, the change log and an
/// export name it) and what a search hit calls a match in it, if the search index holds it.
const CUSTOMER_RULES: [(&str, &str, Option<MatchField>); 6] = [
    (CUSTOMER_PHONES, "phones", Some(MatchField::Phones)),
    (CUSTOMER_EMAILS, "emails", Some(MatchField::Emails)),
    (CUSTOMER_ADDRESS, "address", None),
    (CUSTOMER_TAGS, "tags", Some(MatchField::Tags)),
    (CUSTOMER_SOURCE, "source", None),
    (CUSTOMER_NOTES, "notes", Some(MatchField::Notes)),
];

/// The rule a stored `customers` column falls under, if any (custom values are logged together
/// in `custom`: see [`unreadable`] for their keys).
pub(crate) fn customer_rule(column: &str) -> Option<&'static str> {
    CUSTOMER_RULES.iter().find(|(_, f, _)| *f == column).map(|(r, _, _)| *r)
}

/// Whether a role may carry a rule for `field`: one of [`RULE_FIELDS`], or a custom field of
/// this book.
pub fn is_rule_field(field: &str, custom: &[CustomFieldDef]) -> bool {
    RULE_FIELDS.contains(&field)
        || field.strip_prefix(CUSTOMER_CUSTOM).is_some_and(|k| custom.iter().any(|d| d.key == k))
}

/// Every field name a role's rule may name in this book, for the message listing them.
pub fn rule_fields(custom: &[CustomFieldDef]) -> Vec<String> {
    RULE_FIELDS
        .iter()
        .map(|f| f.to_string())
        .chain(custom.iter().map(|d| format!("{CUSTOMER_CUSTOM}{}", d.key)))
        .collect()
}

fn hidden(g: &Grants, field: &str) -> bool {
    g.field(field) == FieldAccess::Hidden
}

/// The order as `g` may read it. A line's amounts are hidden with any value they are made of:
/// quantity × amount would give a hidden price back, and the lines' totals add up to the order's.
pub(crate) fn order(g: &Grants, mut o: Order) -> Order {
    let (total, price, discount) =
        (hidden(g, ORDER_TOTAL), hidden(g, ORDER_LINE_PRICE), hidden(g, ORDER_LINE_DISCOUNT));
    if total {
        o.totals = None;
    }
    for l in &mut o.lines {
        if price {
            l.unit_price = None;
        }
        if discount {
            l.discount_bp = None;
        }
        if total || price || discount {
            l.amounts = None;
        }
    }
    o.redacted = [(total, ORDER_TOTAL), (price, ORDER_LINE_PRICE), (discount, ORDER_LINE_DISCOUNT)]
        .into_iter()
        .filter(|(h, _)| *h)
        .map(|(_, f)| f.to_string())
        .collect();
    o
}

pub(crate) fn product(g: &Grants, mut p: Product) -> Product {
    if hidden(g, PRODUCT_PRICE) {
        p.unit_price = None;
        p.redacted = vec![PRODUCT_PRICE.to_string()];
    }
    p
}

pub(crate) fn summary(g: &Grants, mut s: OrderSummary) -> OrderSummary {
    if hidden(g, ORDER_TOTAL) {
        s.totals.clear();
        s.redacted = vec![ORDER_TOTAL.to_string()];
    }
    s
}

/// Refuses order lines that set a discount the caller may not write.
pub(crate) fn check_lines(g: &Grants, lines: &[LineInput]) -> crate::Result<()> {
    if g.field(ORDER_LINE_DISCOUNT) == FieldAccess::Write {
        return Ok(());
    }
    match lines.iter().position(|l| l.discount.as_deref().is_some_and(|d| !d.trim().is_empty())) {
        Some(i) => Err(Error::FieldNotAllowed { field: format!("lines[{i}].discount") }),
        None => Ok(()),
    }
}

/// Refuses a live price preview of `lines` to a role that may not see what it is made of (it is
/// prices and totals), or may not set the discounts it carries.
pub(crate) fn check_preview(g: &Grants, lines: &[LineInput]) -> crate::Result<()> {
    if let Some(f) = [ORDER_TOTAL, ORDER_LINE_PRICE, ORDER_LINE_DISCOUNT].into_iter().find(|f| hidden(g, f)) {
        return Err(Error::FieldNotAllowed { field: f.to_string() });
    }
    check_lines(g, lines)
}

/// Refuses a product price the caller may not write.
pub(crate) fn check_price(g: &Grants, price: Option<&str>) -> crate::Result<()> {
    if g.field(PRODUCT_PRICE) != FieldAccess::Write && price.is_some_and(|p| !p.trim().is_empty()) {
        return Err(Error::FieldNotAllowed { field: "price".into() });
    }
    Ok(())
}

/// The customer's fields (as the customer names them, `custom.KEY` for a custom one) under a rule
/// of `g` with `access` or narrower, with their rule: what `g` may not write (`Read`) or not
/// even read (`Hidden`).
fn customer_rules(g: &Grants, access: FieldAccess) -> Vec<(String, String)> {
    g.restricted()
        .filter(|(_, a)| *a <= access)
        .filter_map(|(rule, _)| {
            if let Some(key) = rule.strip_prefix(CUSTOMER_CUSTOM) {
                return Some((format!("custom.{key}"), rule.to_string()));
            }
            CUSTOMER_RULES.iter().find(|(r, _, _)| *r == rule).map(|(r, f, _)| (f.to_string(), r.to_string()))
        })
        .collect()
}

/// The customer fields `g` may not write, by the customer's own names (`phones`, `custom.vip`).
pub(crate) fn unwritable(g: &Grants) -> Vec<String> {
    customer_rules(g, FieldAccess::Read).into_iter().map(|(f, _)| f).collect()
}

/// Of `unwritable` (see [`unwritable`]), the field that forbids writing logged customer field
/// `field` back: custom values are logged together, so any locked custom field blocks the map.
pub(crate) fn blocking<'a>(unwritable: &'a [String], field: &str) -> Option<&'a String> {
    unwritable.iter().find(|u| **u == field || (field == "custom" && u.starts_with("custom.")))
}

/// The customer fields `g` may not read, by the customer's own names.
pub(crate) fn unreadable(g: &Grants) -> Vec<String> {
    customer_rules(g, FieldAccess::Hidden).into_iter().map(|(f, _)| f).collect()
}

/// What a search must not match in for `g`: the indexed fields it hides.
pub(crate) fn unseen_matches(g: &Grants) -> Vec<MatchField> {
    CUSTOMER_RULES.iter().filter(|(r, _, _)| hidden(g, r)).filter_map(|(_, _, m)| *m).collect()
}

/// The customer as `g` may read it: a hidden field is emptied and its rule listed in `redacted`
/// (every hidden custom field is listed, so a form knows it even where this customer has no value).
pub(crate) fn customer(g: &Grants, mut c: Customer) -> Customer {
    let rules = customer_rules(g, FieldAccess::Hidden);
    if rules.is_empty() {
        return c;
    }
    for (field, rule) in rules {
        match field.as_str() {
            "phones" => c.phones.clear(),
            "emails" => c.emails.clear(),
            "address" => c.address = None,
            "tags" => c.tags.clear(),
            "source" => c.source = None,
            "notes" => c.notes = None,
            f => {
                if let Some(key) = f.strip_prefix("custom.") {
                    c.custom.remove(key);
                }
            }
        }
        c.redacted.push(rule);
    }
    c
}

/// A search hit as `g` may read it: the customer redacted (the search, given
/// [`unseen_matches`], already names no match in a hidden field).
pub(crate) fn hit(g: &Grants, mut h: SearchHit) -> SearchHit {
    h.customer = customer(g, h.customer);
    h
}

/// A duplicate pair as `g` may read it: both customers redacted, no reason in a hidden field.
pub(crate) fn pair(g: &Grants, mut p: DuplicatePair) -> DuplicatePair {
    let gone = unreadable(g);
    let hides = |f: &str| gone.iter().any(|x| x == f);
    p.reasons.retain(|r| match r {
        Reason::SamePhone => !hides("phones"),
        Reason::SameEmail => !hides("emails"),
        Reason::SameAddress => !hides("address"),
        _ => true,
    });
    p.a = customer(g, p.a);
    p.b = customer(g, p.b);
    p
}

/// Refuses a new customer that sets a field `g` may not write, naming the first such field.
pub(crate) fn check_input(g: &Grants, input: &CustomerInput) -> crate::Result<()> {
    let text = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let list = |v: &[String]| v.iter().any(|s| !s.trim().is_empty());
    for field in unwritable(g) {
        let set = match field.as_str() {
            "phones" => list(&input.phones),
            "emails" => list(&input.emails),
            "address" => text(&input.address),
            "tags" => list(&input.tags),
            "source" => text(&input.source),
            "notes" => text(&input.notes),
            f => f.strip_prefix("custom.").is_some_and(|k| input.custom.get(k).is_some_and(|v| !v.trim().is_empty())),
        };
        if set {
            return Err(Error::FieldNotAllowed { field });
        }
    }
    Ok(())
}

/// Refuses a change that sets a field `g` may not write, naming the field. With `current` (a
/// merge, which carries every field along), only setting it to something other than what
/// `current` holds is a write; without it, any value set is.
pub(crate) fn check_patch(g: &Grants, patch: &CustomerPatch, current: Option<&Customer>) -> crate::Result<()> {
    let text = |p: &Option<String>, c: Option<&Option<String>>| match c {
        Some(c) => p.as_ref().is_some_and(|p| p.trim() != c.as_deref().unwrap_or_default().trim()),
        None => p.is_some(),
    };
    let list = |p: &Option<Vec<String>>, c: Option<&Vec<String>>| match c {
        Some(c) => p.as_ref().is_some_and(|p| p != c),
        None => p.is_some(),
    };
    for field in unwritable(g) {
        let changes = match field.as_str() {
            "phones" => list(&patch.phones, current.map(|c| &c.phones)),
            "emails" => list(&patch.emails, current.map(|c| &c.emails)),
            "address" => text(&patch.address, current.map(|c| &c.address)),
            "tags" => list(&patch.tags, current.map(|c| &c.tags)),
            "source" => text(&patch.source, current.map(|c| &c.source)),
            "notes" => text(&patch.notes, current.map(|c| &c.notes)),
            f => f.strip_prefix("custom.").is_some_and(|k| {
                patch.custom.get(k).is_some_and(|v| match current {
                    Some(c) => *v != c.custom.get(k).map(|c| c.to_input()).unwrap_or_default(),
                    None => true,
                })
            }),
        };
        if changes {
            return Err(Error::FieldNotAllowed { field });
        }
    }
    Ok(())
}
