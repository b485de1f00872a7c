//! Products by SKU.

use super::{Change, Store};
use crate::error::{Error, FieldError, Result};
use crate::model::*;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};

const COLS: &str = "id, sku, name, unit_price, currency, tax_rate_bp, active, created_at, updated_at";

fn row_to_product(r: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: super::id_column(r, 0)?,
        sku: r.get(1)?,
        name: r.get(2)?,
        unit_price: Some(r.get(3)?),
        currency: r.get(4)?,
        tax_rate_bp: r.get(5)?,
        active: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        redacted: Vec::new(),
    })
}

fn values(p: &ValidProduct) -> Vec<(&'static str, Value)> {
    vec![
        ("sku", Value::Text(p.sku.clone())),
        ("name", Value::Text(p.name.clone())),
        ("unit_price", Value::Integer(p.unit_price)),
        ("currency", Value::Text(p.currency.code().into())),
        ("tax_rate_bp", Value::Integer(p.tax_rate_bp as i64)),
        ("active", Value::Integer(p.active as i64)),
    ]
}

impl Store {
    pub fn add_product(&self, actor: &super::Actor, p: &ValidProduct) -> Result<Product> {
        let id = ProductId::new(self.now_ms());
        self.write(actor, |w| {
            if product_by_sku(w.conn(), &p.sku)?.is_some() {
                return Err(Error::field(FieldError::new("sku", "error-sku-taken").arg("sku", &p.sku)));
            }
            w.apply(Change::Insert { table: "products", id: &id.to_string(), values: values(p) })
        })?;
        self.product_by_sku(&p.sku)?.ok_or(Error::NotFound { entity: "product", id: p.sku.clone() })
    }

    pub fn add_products(&self, actor: &super::Actor, ps: &[ValidProduct]) -> Result<()> {
        self.write(actor, |w| {
            for p in ps {
                if product_by_sku(w.conn(), &p.sku)?.is_some() {
                    return Err(Error::field(FieldError::new("sku", "error-sku-taken").arg("sku", &p.sku)));
                }
                w.apply(Change::Insert {
                    table: "products",
                    id: &ProductId::new(w.now_ms()).to_string(),
                    values: values(p),
                })?;
            }
            Ok(())
        })
    }

    pub fn update_product(&self, actor: &super::Actor, sku: &str, p: &ValidProduct) -> Result<Product> {
        self.write(actor, |w| {
            let current = product_by_sku(w.conn(), sku)?
                .ok_or_else(|| Error::NotFound { entity: "product", id: sku.to_string() })?;
            if p.sku != current.sku && product_by_sku(w.conn(), &p.sku)?.is_some() {
                return Err(Error::field(FieldError::new("sku", "error-sku-taken").arg("sku", &p.sku)));
            }
            w.apply(Change::Update { table: "products", id: &current.id.to_string(), values: values(p) })
        })?;
        self.product_by_sku(&p.sku)?.ok_or(Error::NotFound { entity: "product", id: p.sku.clone() })
    }

    pub fn product_by_sku(&self, sku: &str) -> Result<Option<Product>> {
        product_by_sku(&self.reader(), sku)
    }

    pub fn products(&self, include_inactive: bool) -> Result<Vec<Product>> {
        let conn = self.reader();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLS} FROM products WHERE deleted_at IS NULL {} ORDER BY sku",
            if include_inactive { "" } else { "AND active = 1" }
        ))?;
        let rows = stmt.query_map([], row_to_product)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

pub(super) fn product_by_sku(conn: &Connection, sku: &str) -> Result<Option<Product>> {
    Ok(conn
        // Two products with one SKU exist only when each was made on its own desktop and synced
        // (a sync conflict): the older one answers meanwhile, on every desktop alike.
        .prepare_cached(&format!(
            "SELECT {COLS} FROM products WHERE sku = ?1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1"
        ))?
        .query_row([sku.trim()], row_to_product)
        .optional()?)
}
