//! Normalization of what people type: phone numbers to E.164, emails to a canonical form.

pub mod country;
pub mod dedupe;
pub mod email;
pub mod phone;
