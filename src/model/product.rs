//! Products: what a company sells, by SKU.

use super::{Currency, MAX_LINE, ProductId, format_percent, opt_text, parse_percent, required_text};
use crate::error::{Error, FieldError, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    /// Minor units of `currency`; `None` when the caller's roles hide prices (`product.price`).
    pub unit_price: Option<i64>,
    pub currency: String,
    /// Basis points (1300 = 13 %).
    pub tax_rate_bp: u32,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The fields left out because the caller's roles hide them: shown as "hidden".
    #[serde(default)]
    pub redacted: Vec<String>,
}

impl Product {
    /// The price as typed in a form; empty when hidden.
    pub fn price_text(&self) -> String {
        match (Currency::parse(&self.currency, "currency"), self.unit_price) {
            (Ok(c), Some(p)) => c.format_minor(p),
            _ => String::new(),
        }
    }

    pub fn tax_text(&self) -> String {
        format_percent(self.tax_rate_bp)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ProductInput {
    pub sku: Option<String>,
    pub name: Option<String>,
    /// Decimal text, e.g. `19.99`.
    pub price: Option<String>,
    pub currency: Option<String>,
    /// Percent text, e.g. `13`.
    pub tax_rate: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidProduct {
    pub sku: String,
    pub name: String,
    pub unit_price: i64,
    pub currency: Currency,
    pub tax_rate_bp: u32,
    pub active: bool,
}

impl ProductInput {
    pub fn validate(&self, default_currency: &str) -> Result<ValidProduct> {
        let mut errors = Vec::new();
        let sku = required_text(&mut errors, "sku", self.sku.as_deref(), 64);
        if sku.chars().any(char::is_whitespace) {
            errors.push(FieldError::new("sku", "error-sku-format").arg("value", &sku));
        }
        let name = required_text(&mut errors, "name", self.name.as_deref(), MAX_LINE);
        let currency = Currency::parse(self.currency.as_deref().unwrap_or(default_currency), "currency")
            .map_err(|e| errors.push(e))
            .ok();
        let unit_price = match (self.price.as_deref().filter(|s| !s.trim().is_empty()), currency) {
            (None, _) => {
                errors.push(FieldError::new("price", "error-required"));
                0
            }
            (Some(p), Some(c)) => c.parse_amount(p, "price").map_err(|e| errors.push(e)).unwrap_or(0),
            (Some(_), None) => 0,
        };
        let tax_rate_bp = match opt_text(&mut errors, "taxRate", self.tax_rate.as_deref(), 20) {
            None => 0,
            Some(t) => parse_percent(&t, "taxRate").map_err(|e| errors.push(e)).unwrap_or(0),
        };
        match currency {
            Some(currency) if errors.is_empty() => {
                Ok(ValidProduct { sku, name, unit_price, currency, tax_rate_bp, active: self.active.unwrap_or(true) })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}
