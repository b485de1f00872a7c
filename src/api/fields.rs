//! Field rules: what a caller's roles hide is left out of what the façade returns (the value is
//! `None`, its path listed in `redacted`, shown as "hidden"), and a write that sets a field the
//! roles do not let the caller write is refused whole, naming the field. The built-in support
//! role hides order values and product prices: front-desk staff see what was ordered, not for
//! how much.

use crate::error::Error;
use crate::model::{LineInput, Order, Product};
use crate::security::grants::{FieldAccess, Grants};
use crate::store::OrderSummary;

pub const ORDER_TOTAL: &str = "order.total";
pub const ORDER_LINE_PRICE: &str = "order.lines.price";
pub const ORDER_LINE_DISCOUNT: &str = "order.lines.discount";
pub const PRODUCT_PRICE: &str = "product.price";
/// The fields a role's rules can name (the ones every channel enforces). Customer fields are to
/// come with a full-text index that keeps a hidden field's words out of search.
pub const RULE_FIELDS: [&str; 4] = [ORDER_TOTAL, ORDER_LINE_PRICE, ORDER_LINE_DISCOUNT, PRODUCT_PRICE];

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
