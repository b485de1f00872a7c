//! CSV formula injection (also called CSV or DDE injection): Excel, WPS and LibreOffice run a
//! CSV cell that begins with `=`, `+`, `-` or `@` (and, in some versions, TAB or CR before one of
//! those) as a formula when the file is opened, so a customer named `=cmd|' /C calc'!A0` would
//! start a program on the desktop of whoever opens the export.
//!
//! The rule is OWASP's: such a cell is written with a leading single quote, which spreadsheets
//! take as "this is text" and do not run. Every CSV Banyan writes (the exports and the import's
//! `.errors.csv`) goes through [`neutralize`]; the CSV reader undoes it with [`restore`], so a file
//! Banyan wrote (or the user fixed in Excel and saved again) imports with its values exactly as
//! they were. A value that itself begins with quotes followed by a trigger (`'=x`) gets one quote
//! more, so the round trip is exact for every value.

use std::borrow::Cow;

/// The characters a spreadsheet may read as the start of a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` would be read back by [`restore`] with its first quote removed, or run by a
/// spreadsheet: quotes (none or more) and then a trigger character.
fn escapable(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// The cell text to write into a CSV: `s` itself, or `s` behind a single quote when a spreadsheet
/// could take it for a formula.
pub fn neutralize(s: &str) -> Cow<'_, str> {
    if escapable(s) { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

/// The value a CSV cell written by [`neutralize`] stands for.
pub fn restore(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if escapable(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risky_cells_get_a_quote_and_come_back_unchanged() {
        let cases = [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("+8613800138000", "'+8613800138000"),
            ("-2+3", "'-2+3"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("'=already quoted", "''=already quoted"),
            ("''@x", "'''@x"),
            ("张三", "张三"),
            ("O'Brien", "O'Brien"),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (value, written) in cases {
            assert_eq!(neutralize(value), written, "{value:?}");
            assert_eq!(restore(&neutralize(value)), value, "{value:?} round trip");
        }
    }
}
