//! Domain types with their validation. Each rejection names the field and a Fluent message id;
//! nothing here touches the database.

pub mod customer;
pub mod ids;
pub mod money;
pub mod order;
pub mod product;

pub use customer::*;
pub use ids::*;
pub use money::*;
pub use order::*;
pub use product::*;

use crate::error::FieldError;

/// Longest text any single-line field accepts; long enough for real company names and addresses,
/// short enough that a pasted document is caught.
pub const MAX_LINE: usize = 500;
/// Longest free text (notes, activity text).
pub const MAX_TEXT: usize = 100_000;

/// Trims `v`; `None` when empty. Rejects text that is too long.
pub(crate) fn opt_text(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let t = v.map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > max {
        errors.push(FieldError::new(field, "error-too-long").arg("max", max));
        return None;
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        errors.push(FieldError::new(field, "error-control-chars"));
        return None;
    }
    Some(t.to_string())
}

pub(crate) fn required_text(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>, max: usize) -> String {
    match opt_text(errors, field, v, max) {
        Some(t) => t,
        None => {
            if !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(field, "error-required"));
            }
            String::new()
        }
    }
}
