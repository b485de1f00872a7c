//! Orders and their lines. Totals are computed here from the products' stored prices and the
//! rounding rule in `model::money`; a caller never supplies an amount.

use super::customers::customer_in;
use super::products::product_by_sku;
use super::{Change, Store};
use crate::error::{Error, FieldError, Result};
use crate::model::*;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub customer: Option<CustomerId>,
    /// Created at or after (Unix ms).
    pub from_ms: Option<i64>,
    /// Created before (Unix ms).
    pub to_ms: Option<i64>,
    pub limit: Option<u32>,
}

struct PricedLine {
    product: Product,
    /// The product's price (the store's own products are never redacted).
    unit_price: i64,
    quantity: i64,
    discount_bp: u32,
    amounts: LineAmounts,
}

fn price_lines(conn: &Connection, lines: &[LineInput]) -> Result<(Vec<PricedLine>, String)> {
    let mut errors = Vec::new();
    let mut priced = Vec::new();
    let mut currency: Option<String> = None;
    if lines.is_empty() {
        errors.push(FieldError::new("lines", "error-order-no-lines"));
    }
    for (i, l) in lines.iter().enumerate() {
        let product = match product_by_sku(conn, &l.sku)? {
            Some(p) if p.active => Some(p),
            Some(_) => {
                errors.push(
                    FieldError::new(format!("lines[{i}].sku"), "error-product-inactive").arg("sku", l.sku.trim()),
                );
                None
            }
            None => {
                errors.push(FieldError::new(format!("lines[{i}].sku"), "error-sku-unknown").arg("sku", l.sku.trim()));
                None
            }
        };
        let quantity = match l.quantity.trim().parse::<i64>() {
            Ok(q) if q > 0 && q <= 1_000_000_000 => Some(q),
            _ => {
                errors.push(
                    FieldError::new(format!("lines[{i}].quantity"), "error-quantity").arg("value", l.quantity.trim()),
                );
                None
            }
        };
        let discount_bp = match l.discount.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => Some(0),
            Some(d) => parse_percent(d, &format!("lines[{i}].discount")).map_err(|e| errors.push(e)).ok(),
        };
        if let Some(p) = &product {
            match &currency {
                None => currency = Some(p.currency.clone()),
                Some(c) if *c != p.currency => errors.push(
                    FieldError::new(format!("lines[{i}].sku"), "error-currency-mismatch")
                        .arg("sku", &p.sku)
                        .arg("currency", &p.currency)
                        .arg("expected", c),
                ),
                Some(_) => {}
            }
        }
        if let (Some(product), Some(quantity), Some(discount_bp)) = (product, quantity, discount_bp) {
            let unit_price = product.unit_price.unwrap_or_default();
            match line_amounts(quantity, unit_price, discount_bp, product.tax_rate_bp) {
                Ok(amounts) => priced.push(PricedLine { product, unit_price, quantity, discount_bp, amounts }),
                Err(Overflow) => errors
                    .push(FieldError::new(format!("lines[{i}].quantity"), "error-too-large").arg("value", quantity)),
            }
        }
    }
    if errors.is_empty() { Ok((priced, currency.unwrap_or_default())) } else { Err(Error::Invalid(errors)) }
}

impl Store {
    /// Creates a draft order; its number is this desktop's prefix and its own counter.
    pub fn create_order(
        &self,
        actor: &super::Actor,
        customer: CustomerId,
        lines: &[LineInput],
        notes: Option<String>,
    ) -> Result<Order> {
        let id = OrderId::new(self.now_ms());
        let code = self.device_code.clone();
        self.write(actor, |w| {
            let c = customer_in(w.conn(), customer).map_err(|e| match e {
                Error::NotFound { .. } => {
                    Error::field(FieldError::new("customerId", "error-customer-unknown").arg("id", customer))
                }
                e => e,
            })?;
            if c.deleted {
                return Err(Error::field(FieldError::new("customerId", "error-customer-unknown").arg("id", customer)));
            }
            let (priced, currency) = price_lines(w.conn(), lines)?;
            let totals = order_totals(priced.iter().map(|p| &p.amounts))
                .map_err(|_| Error::field(FieldError::new("lines", "error-too-large").arg("value", "total")))?;
            let number = format!("{code}-{:06}", w.next_counter("order_seq")?);
            let mut values = vec![
                ("number", Value::Text(number)),
                ("customer_id", Value::Text(customer.to_string())),
                ("status", Value::Text(OrderStatus::Draft.as_str().into())),
                ("notes", notes.clone().map(Value::Text).unwrap_or(Value::Null)),
            ];
            values.extend(amount_values(&currency, &totals));
            let lines = line_ids(w, priced.len());
            values.push(("line_set", line_set(&lines)));
            w.apply(Change::Insert { table: "orders", id: &id.to_string(), values })?;
            insert_lines(w, id, &priced, &lines)?;
            Ok(())
        })?;
        self.order(&id.to_string())
    }

    /// Prices lines as an order would, without saving anything: the totals a form shows live.
    pub fn preview_order(&self, lines: &[LineInput]) -> Result<OrderPreview> {
        let conn = self.reader();
        let (priced, currency) = price_lines(&conn, lines)?;
        let totals = order_totals(priced.iter().map(|p| &p.amounts))
            .map_err(|_| Error::field(FieldError::new("lines", "error-too-large").arg("value", "total")))?;
        let lines = priced
            .into_iter()
            .map(|p| PreviewLine {
                sku: p.product.sku,
                name: p.product.name,
                quantity: p.quantity,
                unit_price: p.unit_price,
                discount_bp: p.discount_bp,
                tax_rate_bp: p.product.tax_rate_bp,
                amounts: p.amounts,
            })
            .collect();
        Ok(OrderPreview { currency, lines, totals })
    }

    /// Replaces a draft's lines (and notes); a confirmed order's lines are a commitment and stay.
    pub fn update_order_lines(
        &self,
        actor: &super::Actor,
        id_or_number: &str,
        lines: &[LineInput],
        notes: Option<String>,
    ) -> Result<Order> {
        let order = self.order(id_or_number)?;
        self.write(actor, |w| {
            let current: String =
                w.conn().query_row("SELECT status FROM orders WHERE id = ?1", [order.id.to_string()], |r| r.get(0))?;
            if current != OrderStatus::Draft.as_str() {
                return Err(Error::field(FieldError::new("lines", "error-order-not-editable").arg("status", current)));
            }
            let (priced, currency) = price_lines(w.conn(), lines)?;
            let totals = order_totals(priced.iter().map(|p| &p.amounts))
                .map_err(|_| Error::field(FieldError::new("lines", "error-too-large").arg("value", "total")))?;
            let old: Vec<String> = w
                .conn()
                .prepare("SELECT id FROM order_lines WHERE order_id = ?1 AND deleted_at IS NULL")?
                .query_map([order.id.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for line in &old {
                w.apply(Change::Delete { table: "order_lines", id: line })?;
            }
            let lines = line_ids(w, priced.len());
            insert_lines(w, order.id, &priced, &lines)?;
            let mut values = amount_values(&currency, &totals);
            values.push(("notes", notes.clone().map(Value::Text).unwrap_or(Value::Null)));
            // The new set as one value: a concurrent edit of the same lines elsewhere is a
            // conflict of this field, not a union of both sets.
            values.push(("line_set", line_set(&lines)));
            w.apply(Change::Update { table: "orders", id: &order.id.to_string(), values })?;
            Ok(())
        })?;
        self.order(&order.id.to_string())
    }

    /// Moves an order along its status flow; an illegal move is refused with the legal ones named.
    pub fn set_order_status(&self, actor: &super::Actor, id_or_number: &str, to: OrderStatus) -> Result<Order> {
        let order = self.order(id_or_number)?;
        self.write(actor, |w| {
            // Re-read inside the transaction: another window may have moved it meanwhile.
            let current: String =
                w.conn().query_row("SELECT status FROM orders WHERE id = ?1", [order.id.to_string()], |r| r.get(0))?;
            let from = OrderStatus::parse(&current, "status").map_err(Error::field)?;
            if !from.can_move_to(to) {
                let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
                return Err(Error::field(
                    FieldError::new("status", "error-order-transition")
                        .arg("from", from.as_str())
                        .arg("to", to.as_str())
                        .arg("allowed", if allowed.is_empty() { "-".to_string() } else { allowed.join(", ") }),
                ));
            }
            w.apply(Change::Update {
                table: "orders",
                id: &order.id.to_string(),
                values: vec![("status", Value::Text(to.as_str().into()))],
            })
        })?;
        self.order(&order.id.to_string())
    }

    /// An order by id or by number.
    pub fn order(&self, id_or_number: &str) -> Result<Order> {
        let conn = self.reader();
        let key = id_or_number.trim();
        let found: Option<String> = conn
            .query_row("SELECT id FROM orders WHERE (id = ?1 OR number = ?1) AND deleted_at IS NULL", [key], |r| {
                r.get(0)
            })
            .optional()?;
        let id = found.ok_or_else(|| Error::NotFound { entity: "order", id: key.to_string() })?;
        load_order(&conn, &id)
    }

    /// The orders of customers within `reach` the filter finds, newest first.
    pub fn orders(&self, f: &OrderFilter, reach: &super::Reach) -> Result<Vec<Order>> {
        let conn = self.reader();
        let (where_sql, params) = order_where(f, reach);
        let sql = format!(
            "SELECT id FROM orders WHERE {where_sql} ORDER BY created_at DESC, id DESC LIMIT {}",
            f.limit.map(|l| l as i64).unwrap_or(-1)
        );
        let ids: Vec<String> = conn
            .prepare(&sql)?
            .query_map(rusqlite::params_from_iter(params), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| load_order(&conn, id)).collect()
    }

    /// How many orders the filter finds (its limit ignored), and the total of its booked ones
    /// (confirmed, fulfilled, paid: drafts are not sales yet and cancelled ones are not sales)
    /// per currency: amounts in different currencies are never added together.
    pub fn order_summary(&self, f: &OrderFilter, reach: &super::Reach) -> Result<OrderSummary> {
        let conn = self.reader();
        let (where_sql, params) = order_where(f, reach);
        let mut out = OrderSummary::default();
        let sql = format!(
            "SELECT currency, status, COUNT(*), SUM(total) FROM orders WHERE {where_sql} \
             GROUP BY currency, status ORDER BY currency"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let (currency, status, n, total): (String, String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            out.orders += n as u64;
            let booked =
                !matches!(OrderStatus::parse(&status, "status"), Ok(OrderStatus::Draft | OrderStatus::Cancelled));
            if !booked {
                out.not_counted += n as u64;
                continue;
            }
            match out.totals.iter_mut().find(|t| t.currency == currency) {
                Some(t) => {
                    t.orders += n as u64;
                    t.total = t.total.saturating_add(total);
                }
                None => out.totals.push(CurrencyTotal { currency, orders: n as u64, total }),
            }
        }
        Ok(out)
    }
}

/// The WHERE clause of an order filter over the customers within `reach`, and its parameters.
fn order_where(f: &OrderFilter, reach: &super::Reach) -> (String, Vec<Value>) {
    let mut sql = String::from("deleted_at IS NULL");
    let mut params: Vec<Value> = Vec::new();
    if let Some((cond, v)) = reach.condition("c.owner") {
        params.push(v);
        let cond = cond.replace('?', &format!("?{}", params.len()));
        sql.push_str(&format!(" AND customer_id IN (SELECT c.id FROM customers c WHERE {cond})"));
    }
    if let Some(s) = f.status {
        params.push(Value::Text(s.as_str().into()));
        sql.push_str(&format!(" AND status = ?{}", params.len()));
    }
    if let Some(c) = f.customer {
        params.push(Value::Text(c.to_string()));
        sql.push_str(&format!(" AND customer_id = ?{}", params.len()));
    }
    if let Some(from) = f.from_ms {
        params.push(Value::Integer(from));
        sql.push_str(&format!(" AND created_at >= ?{}", params.len()));
    }
    if let Some(to) = f.to_ms {
        params.push(Value::Integer(to));
        sql.push_str(&format!(" AND created_at < ?{}", params.len()));
    }
    (sql, params)
}

/// What the orders screen's footer says about its whole filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    /// Orders the filter finds, of every status.
    pub orders: u64,
    /// Of those, drafts and cancelled orders, which no total counts.
    pub not_counted: u64,
    /// The booked orders' total in each currency, by currency code; empty when the caller's
    /// roles hide order values.
    pub totals: Vec<CurrencyTotal>,
    /// "order.total" when the totals were left out.
    pub redacted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    pub orders: u64,
    /// Minor units of `currency`.
    pub total: i64,
}

fn amount_values(currency: &str, t: &Totals) -> Vec<(&'static str, Value)> {
    vec![
        ("currency", Value::Text(currency.to_string())),
        ("gross", Value::Integer(t.gross)),
        ("discount", Value::Integer(t.discount)),
        ("net", Value::Integer(t.net)),
        ("tax", Value::Integer(t.tax)),
        ("total", Value::Integer(t.total)),
    ]
}

impl Store {
    /// Lines by id, deleted ones too, as "3 × 龙井 (TEA-LJ)": the sides of a conflict over an
    /// order's line set, in the set's order.
    pub fn describe_lines(&self, ids: &[String]) -> Result<Vec<String>> {
        let conn = self.reader();
        let mut st = conn.prepare_cached("SELECT quantity, name, sku FROM order_lines WHERE id = ?1")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((q, name, sku)) = st
                .query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
                .optional()?
            {
                out.push(format!("{q} × {name} ({sku})"));
            }
        }
        Ok(out)
    }
}

/// Ids for `n` new lines.
fn line_ids(w: &super::Writer<'_>, n: usize) -> Vec<String> {
    (0..n).map(|_| OrderLineId::new(w.now_ms()).to_string()).collect()
}

/// An order's `line_set`: the ids of its lines, in position order (JSON).
fn line_set(ids: &[String]) -> Value {
    Value::Text(serde_json::to_string(ids).expect("strings serialize"))
}

/// Makes an order's line rows and totals follow its `line_set` (see migration 0017): a line in
/// the set is live, any other line of the order is deleted (at its creation time, so every
/// desktop writes the same row whatever it saw before), and the totals are summed again from
/// the live lines. Derived state, not logged: it runs in every transaction that touches the order
/// (a local edit, a synced change, a settled conflict), so every desktop holding the same log
/// holds the same rows. An order without a set (lines unchanged since before 0017) is left as
/// logged.
pub(super) fn realize_lines(conn: &Connection, order: &str) -> Result<()> {
    let set: Option<String> = conn
        .prepare_cached("SELECT line_set FROM orders WHERE id = ?1")?
        .query_row([order], |r| r.get(0))
        .optional()?
        .flatten();
    let Some(set) = set.filter(|s| serde_json::from_str::<Vec<String>>(s).is_ok()) else { return Ok(()) };
    conn.prepare_cached(
        "UPDATE order_lines SET deleted_at = CASE WHEN id IN (SELECT value FROM json_each(?2)) THEN NULL ELSE created_at END
         WHERE order_id = ?1 AND deleted_at IS NOT (CASE WHEN id IN (SELECT value FROM json_each(?2)) THEN NULL ELSE created_at END)",
    )?
    .execute([order, &set])?;
    let mut st = conn.prepare_cached(
        "SELECT quantity, unit_price, discount_bp, tax_rate_bp FROM order_lines WHERE order_id = ?1 AND deleted_at IS NULL",
    )?;
    let amounts = st
        .query_map([order], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?
        .map(|r| {
            let (q, p, d, t) = r?;
            Ok(line_amounts(q, p, d.clamp(0, 10_000) as u32, t.clamp(0, 10_000) as u32).ok())
        })
        .collect::<Result<Option<Vec<LineAmounts>>>>()?;
    // Amounts too large to add up keep the totals as logged (the form refuses such lines).
    if let Some(t) = amounts.and_then(|a| order_totals(a.iter()).ok()) {
        conn.prepare_cached(
            "UPDATE orders SET gross = ?2, discount = ?3, net = ?4, tax = ?5, total = ?6 WHERE id = ?1",
        )?
        .execute(rusqlite::params![order, t.gross, t.discount, t.net, t.tax, t.total])?;
    }
    Ok(())
}

fn insert_lines(w: &mut super::Writer<'_>, order: OrderId, priced: &[PricedLine], ids: &[String]) -> Result<()> {
    for ((pos, p), id) in priced.iter().enumerate().zip(ids) {
        w.apply(Change::Insert {
            table: "order_lines",
            id,
            values: vec![
                ("order_id", Value::Text(order.to_string())),
                ("position", Value::Integer(pos as i64)),
                ("product_id", Value::Text(p.product.id.to_string())),
                ("sku", Value::Text(p.product.sku.clone())),
                ("name", Value::Text(p.product.name.clone())),
                ("quantity", Value::Integer(p.quantity)),
                ("unit_price", Value::Integer(p.unit_price)),
                ("discount_bp", Value::Integer(p.discount_bp as i64)),
                ("tax_rate_bp", Value::Integer(p.product.tax_rate_bp as i64)),
            ],
        })?;
    }
    Ok(())
}

fn load_order(conn: &Connection, id: &str) -> Result<Order> {
    let mut order = conn.prepare_cached(
        "SELECT o.id, o.number, o.customer_id, c.name, o.status, o.currency, o.gross, o.discount, o.net, o.tax, o.total,
                o.notes, o.created_at, o.updated_at
         FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
    )?
    .query_row([id], |r| {
        let status: String = r.get(4)?;
        Ok(Order {
            id: super::id_column(r, 0)?,
            number: r.get(1)?,
            customer_id: super::id_column(r, 2)?,
            customer_name: r.get(3)?,
            status: OrderStatus::parse(&status, "status").unwrap_or(OrderStatus::Draft),
            allowed_next: OrderStatus::parse(&status, "status").map(|s| s.next().to_vec()).unwrap_or_default(),
            currency: r.get(5)?,
            lines: Vec::new(),
            totals: Some(Totals {
                gross: r.get(6)?,
                discount: r.get(7)?,
                net: r.get(8)?,
                tax: r.get(9)?,
                total: r.get(10)?,
            }),
            notes: r.get(11)?,
            created_at: r.get(12)?,
            updated_at: r.get(13)?,
            redacted: Vec::new(),
        })
    })?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, product_id, sku, name, quantity, unit_price, discount_bp, tax_rate_bp FROM order_lines
         WHERE order_id = ?1 AND deleted_at IS NULL ORDER BY position",
    )?;
    let lines = stmt.query_map([id], |r| {
        let (quantity, unit_price, discount_bp, tax_rate_bp): (i64, i64, u32, u32) =
            (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        Ok(OrderLine {
            id: super::id_column(r, 0)?,
            product_id: super::id_column(r, 1)?,
            sku: r.get(2)?,
            name: r.get(3)?,
            quantity,
            unit_price: Some(unit_price),
            discount_bp: Some(discount_bp),
            tax_rate_bp,
            amounts: Some(line_amounts(quantity, unit_price, discount_bp, tax_rate_bp).unwrap_or_default()),
        })
    })?;
    order.lines = lines.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(order)
}
