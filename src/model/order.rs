//! Orders: status flow, line items and the arithmetic of totals (see `money` for the rounding rule).

use super::{CustomerId, OrderId, OrderLineId, ProductId};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Draft,
    Confirmed,
    Fulfilled,
    Paid,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [Self::Draft, Self::Confirmed, Self::Fulfilled, Self::Paid, Self::Cancelled];

    pub fn parse(s: &str, field: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| FieldError::new(field, "error-order-status").arg("value", s.trim()))
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Confirmed => "confirmed",
            Self::Fulfilled => "fulfilled",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }

    /// The statuses an order may move to from this one: forward one step along
    /// draft → confirmed → fulfilled → paid, or cancelled from any open state.
    pub fn next(&self) -> &'static [OrderStatus] {
        match self {
            Self::Draft => &[Self::Confirmed, Self::Cancelled],
            Self::Confirmed => &[Self::Fulfilled, Self::Cancelled],
            Self::Fulfilled => &[Self::Paid, Self::Cancelled],
            Self::Paid | Self::Cancelled => &[],
        }
    }

    pub fn can_move_to(&self, to: OrderStatus) -> bool {
        self.next().contains(&to)
    }

    /// Only a draft's lines may change; after confirmation the order is a commitment.
    pub fn lines_editable(&self) -> bool {
        *self == Self::Draft
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub status: OrderStatus,
    /// The statuses this order may move to next (the flow lives here, not in the UI).
    pub allowed_next: Vec<OrderStatus>,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    /// `None` when the caller's roles hide order values (`order.total`).
    pub totals: Option<Totals>,
    pub notes: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The fields left out because the caller's roles hide them ("order.total",
    /// "order.lines.price", "order.lines.discount"): shown as "hidden".
    #[serde(default)]
    pub redacted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub id: OrderLineId,
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// `None` when hidden (`order.lines.price`), as are the line's amounts.
    pub unit_price: Option<i64>,
    /// `None` when hidden (`order.lines.discount`).
    pub discount_bp: Option<u32>,
    pub tax_rate_bp: u32,
    /// `None` when any value they are made of is hidden.
    pub amounts: Option<LineAmounts>,
}

/// Totals of lines not yet saved, for a form to show as the user types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OrderPreview {
    pub currency: String,
    pub lines: Vec<PreviewLine>,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PreviewLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_bp: u32,
    pub tax_rate_bp: u32,
    pub amounts: LineAmounts,
}

/// What a caller asks for on one line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct LineInput {
    pub sku: String,
    /// Integer text, > 0.
    pub quantity: String,
    /// Percent text, 0..=100; empty for none.
    pub discount: Option<String>,
}

impl LineInput {
    /// Parses the CLI form `SKU:QTY[:DISCOUNT]`.
    pub fn parse_spec(spec: &str, index: usize) -> Result<Self, FieldError> {
        let mut parts = spec.split(':');
        let sku = parts.next().unwrap_or_default().trim().to_string();
        let quantity = parts.next().map(|q| q.trim().to_string());
        let discount = parts.next().map(|d| d.trim().to_string());
        match (sku.is_empty(), quantity, parts.next()) {
            (false, Some(quantity), None) => Ok(Self { sku, quantity, discount }),
            _ => Err(FieldError::new(format!("lines[{index}]"), "error-line-spec").arg("value", spec)),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct OrderInput {
    pub customer_id: String,
    pub lines: Vec<LineInput>,
    pub notes: Option<String>,
}

/// One line's amounts in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LineAmounts {
    /// quantity × unit price
    pub gross: i64,
    pub discount: i64,
    /// gross − discount
    pub net: i64,
    pub tax: i64,
    /// net + tax
    pub total: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub gross: i64,
    pub discount: i64,
    pub net: i64,
    pub tax: i64,
    pub total: i64,
}

/// An amount too large to represent; the caller names the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// `n / d` rounded half away from zero, for n ≥ 0, d > 0.
fn div_round(n: i128, d: i128) -> i128 {
    (n + d / 2) / d
}

/// Computes one line: discount and tax are each rounded once, half away from zero.
pub fn line_amounts(
    quantity: i64,
    unit_price: i64,
    discount_bp: u32,
    tax_rate_bp: u32,
) -> Result<LineAmounts, Overflow> {
    if quantity < 0 || unit_price < 0 || discount_bp > 10_000 || tax_rate_bp > 10_000 {
        return Err(Overflow);
    }
    let gross = quantity as i128 * unit_price as i128;
    let discount = div_round(gross * discount_bp as i128, 10_000);
    let net = gross - discount;
    let tax = div_round(net * tax_rate_bp as i128, 10_000);
    let total = net + tax;
    let fit = |v: i128| i64::try_from(v).ok().filter(|v| *v <= super::MAX_AMOUNT * 1000).ok_or(Overflow);
    Ok(LineAmounts { gross: fit(gross)?, discount: fit(discount)?, net: fit(net)?, tax: fit(tax)?, total: fit(total)? })
}

/// Sums the rounded lines; the order's totals are exactly the sum of what each line shows.
pub fn order_totals<'a>(lines: impl IntoIterator<Item = &'a LineAmounts>) -> Result<Totals, Overflow> {
    let mut t = Totals::default();
    for l in lines {
        t.gross = t.gross.checked_add(l.gross).ok_or(Overflow)?;
        t.discount = t.discount.checked_add(l.discount).ok_or(Overflow)?;
        t.net = t.net.checked_add(l.net).ok_or(Overflow)?;
        t.tax = t.tax.checked_add(l.tax).ok_or(Overflow)?;
        t.total = t.total.checked_add(l.total).ok_or(Overflow)?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_example() {
        // 3 × 19.99 with 10 % off and 13 % VAT: 59.97 − 6.00 (5.997 rounds up) = 53.97; tax 7.0161 → 7.02.
        let a = line_amounts(3, 1999, 1000, 1300).unwrap();
        assert_eq!(a, LineAmounts { gross: 5997, discount: 600, net: 5397, tax: 702, total: 6099 });
    }

    #[test]
    fn half_rounds_away_from_zero() {
        // 0.05 × 10 % = 0.005 → 0.01
        assert_eq!(line_amounts(1, 5, 1000, 0).unwrap().discount, 1);
        // 0.04 × 10 % = 0.004 → 0.00
        assert_eq!(line_amounts(1, 4, 1000, 0).unwrap().discount, 0);
    }

    #[test]
    fn status_flow() {
        use OrderStatus::*;
        assert!(Draft.can_move_to(Confirmed));
        assert!(Confirmed.can_move_to(Fulfilled));
        assert!(Fulfilled.can_move_to(Paid));
        for s in [Draft, Confirmed, Fulfilled] {
            assert!(s.can_move_to(Cancelled), "{s:?}");
        }
        assert!(!Draft.can_move_to(Paid));
        assert!(!Draft.can_move_to(Fulfilled));
        assert!(!Paid.can_move_to(Cancelled));
        assert!(!Cancelled.can_move_to(Draft));
        assert!(!Confirmed.can_move_to(Draft));
    }

    #[test]
    fn line_spec_parses() {
        let l = LineInput::parse_spec("TEA-01:3:10", 0).unwrap();
        assert_eq!((l.sku.as_str(), l.quantity.as_str(), l.discount.as_deref()), ("TEA-01", "3", Some("10")));
        assert!(LineInput::parse_spec("TEA-01", 2).is_err());
        assert!(LineInput::parse_spec(":3", 0).is_err());
        assert!(LineInput::parse_spec("A:1:2:3", 0).is_err());
    }

    proptest! {
        #[test]
        fn line_arithmetic_holds(qty in 0i64..100_000, price in 0i64..10_000_000, disc in 0u32..=10_000, tax in 0u32..=10_000) {
            let a = line_amounts(qty, price, disc, tax).unwrap();
            prop_assert_eq!(a.gross, qty * price);
            prop_assert_eq!(a.net, a.gross - a.discount);
            prop_assert_eq!(a.total, a.net + a.tax);
            prop_assert!(a.discount >= 0 && a.discount <= a.gross);
            prop_assert!(a.tax >= 0 && a.tax <= a.net);
            // Each rounding is off by at most half a minor unit from the exact value.
            let exact_disc2 = 2 * a.gross as i128 * disc as i128;
            prop_assert!((2 * 10_000 * a.discount as i128 - exact_disc2).abs() <= 10_000);
            let exact_tax2 = 2 * a.net as i128 * tax as i128;
            prop_assert!((2 * 10_000 * a.tax as i128 - exact_tax2).abs() <= 10_000);
            if disc == 0 { prop_assert_eq!(a.discount, 0); }
            if disc == 10_000 { prop_assert_eq!(a.net, 0); }
            if tax == 0 { prop_assert_eq!(a.tax, 0); }
        }

        #[test]
        fn more_quantity_never_costs_less(qty in 1i64..10_000, price in 0i64..1_000_000, disc in 0u32..=10_000, tax in 0u32..=10_000) {
            let a = line_amounts(qty, price, disc, tax).unwrap();
            let b = line_amounts(qty + 1, price, disc, tax).unwrap();
            prop_assert!(b.total >= a.total);
        }

        #[test]
        fn totals_are_sums_of_lines(lines in proptest::collection::vec((1i64..1000, 0i64..1_000_000, 0u32..=10_000, 0u32..=3000), 0..20)) {
            let amounts: Vec<LineAmounts> = lines.iter().map(|(q, p, d, t)| line_amounts(*q, *p, *d, *t).unwrap()).collect();
            let t = order_totals(&amounts).unwrap();
            prop_assert_eq!(t.total, amounts.iter().map(|a| a.total).sum::<i64>());
            prop_assert_eq!(t.total, t.net + t.tax);
            prop_assert_eq!(t.net, t.gross - t.discount);
        }
    }
}
