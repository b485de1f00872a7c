//! Domain types with their validation. Each rejection names the field and a Fluent message id;
//! nothing here touches the database.

pub mod customer;
pub mod ids;
pub mod money;
pub mod order;
pub mod product;
pub mod user;

pub use customer::*;
pub use ids::*;
pub use money::*;
pub use order::*;
pub use product::*;
pub use user::*;

use crate::error::FieldError;

/// Longest text any single-line field accepts; long enough for real company names and addresses,
/// short enough that a pasted document is caught.
pub const MAX_LINE: usize = 500;
/// Longest free text (notes, activity text).
pub const MAX_TEXT: usize = 100_000;

/// Characters that reorder how text around them is shown (bidi embeddings, overrides and
/// isolates): a name with U+202E shows its letters backwards, which is how lists, exports and
/// invoices are made to lie. No name, note or address needs them; they are refused.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show as nothing and carry no meaning in a CRM's text (zero-width space, word
/// joiner, byte-order mark, soft hyphen, direction marks, Mongolian vowel separator): pasted from
/// web pages and chat apps, they make two equal-looking names differ. They are removed. The
/// zero-width joiner and non-joiner stay: emoji and several scripts need them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{180E}')
}

/// Line and paragraph breaks, including the Unicode ones a single-line field must not hold.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{000B}' | '\u{000C}')
}

/// Trims `v`; `None` when empty. Rejects text that is too long, and control and bidi override
/// characters; removes invisible characters. A field of at most [`MAX_LINE`] characters is a
/// single line: a line break or tab in it (an Excel cell's Alt+Enter, a pasted paragraph) becomes
/// one space, as a one-line text box does when text is pasted into it.
pub(crate) fn opt_text(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let t = v?;
    let single_line = max <= MAX_LINE;
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if is_bidi_control(c) {
            errors.push(FieldError::new(field, "error-bidi-chars"));
            return None;
        }
        if is_invisible(c) {
            continue;
        }
        if single_line && is_break(c) {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        if c.is_control() && !is_break(c) {
            errors.push(FieldError::new(field, "error-control-chars"));
            return None;
        }
        out.push(c);
    }
    let t = out.trim();
    if t.is_empty() {
        return None;
    }
    if t.chars().count() > max {
        errors.push(FieldError::new(field, "error-too-long").arg("max", max));
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
