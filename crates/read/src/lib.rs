//! Banyan's file readers: every format users bring (CSV/TSV in any encoding, XLSX/XLS/ODS, JSON,
//! XML, vCard) becomes a [`read::Table`] of text rows that keep their source row numbers.
//!
//! A crate of its own, apart from the core (database, search, domain rules), so the fuzz targets
//! in `fuzz/` build only what they test: `cargo xtask test` fuzzes every reader briefly, and the
//! instrumented build of this crate takes minutes, not the core's quarter of an hour.

pub mod formula;
pub mod read;

use std::path::Path;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a file could not be read. The core turns it into its own error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem with the file's content, with a Fluent message id naming the row or column.
    #[error("unreadable input: {} ({})", .0.field, .0.msg_id)]
    Input(FieldError),
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Input(e)
    }
}

/// Han ideographs (CJK Unified Ideographs and their extensions, compatibility ideographs): the
/// script of Chinese names.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF | 0x30000..=0x3134F)
}

/// One rejected field: which field (a path such as `emails[1]` or `lines[0].quantity`), the Fluent
/// message id that explains it, and the message's variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub msg_id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, msg_id: &'static str) -> Self {
        Self { field: field.into(), msg_id, args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// File formats, as users name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Tsv,
    /// xlsx, xlsm, xlsb (Office Open XML and binary workbooks).
    Xlsx,
    /// Excel 97–2003 and WPS .et files.
    Xls,
    Ods,
    Json,
    Xml,
    Vcard,
}

impl Format {
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Json => "json",
            Format::Xml => "xml",
            Format::Vcard => "vcf",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.trim().trim_start_matches('.').to_ascii_lowercase().as_str() {
            "csv" | "txt" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "xlsx" | "xlsm" | "xlsb" => Format::Xlsx,
            "xls" | "et" => Format::Xls,
            "ods" => Format::Ods,
            "json" => Format::Json,
            "xml" => Format::Xml,
            "vcf" | "vcard" => Format::Vcard,
            _ => return None,
        })
    }

    /// By extension, then by the first bytes (a renamed file still opens).
    pub fn detect(path: &Path) -> Result<Format> {
        Format::detect_source(&read::Source::file(path))
    }

    /// By the source's name's extension, then by its first bytes.
    pub fn detect_source(src: &read::Source) -> Result<Format> {
        if let Some(f) = src.name().extension().and_then(|e| e.to_str()).and_then(Format::parse) {
            return Ok(f);
        }
        let head = src.head(512)?;
        let head = &head[..];
        let text = String::from_utf8_lossy(head).trim_start_matches('\u{feff}').trim_start().to_ascii_uppercase();
        Ok(if head.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            Format::Xls
        } else if text.starts_with("BEGIN:VCARD") {
            Format::Vcard
        } else if text.starts_with('[') || text.starts_with('{') {
            Format::Json
        } else if text.starts_with('<') {
            Format::Xml
        } else {
            Format::Csv
        })
    }
}

/// Bounds that keep a hostile or broken file from exhausting memory or disk.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest single cell; a longer one is an error naming its row and column.
    pub max_field_bytes: usize,
    /// Largest JSON, XML, vCard or workbook file (these are parsed as a whole).
    pub max_document_bytes: u64,
    /// Largest total a workbook's zip entries may inflate to.
    pub max_unzipped_bytes: u64,
    /// Highest compression ratio of a zip entry over 1 MiB (real workbooks stay far below).
    pub max_zip_ratio: u64,
    /// Most columns a file may have (a row with a value further right is an error naming it).
    pub max_columns: usize,
    /// Most cells a workbook may spread over: the area its readers lay out (XLS, ODS), or the
    /// cells its rows hold up to their last value (XLSX, JSON, XML). Excel's own sheets hold at
    /// most 1,048,576 rows; a customer list of a million rows and 40 columns fits.
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_field_bytes: 1024 * 1024,
            max_document_bytes: 512 * 1024 * 1024,
            max_unzipped_bytes: 2 * 1024 * 1024 * 1024,
            max_zip_ratio: 200,
            max_columns: 4096,
            max_cells: 50_000_000,
        }
    }
}

/// A file-level problem, reported with a Fluent message id.
pub fn input_error(msg_id: &'static str) -> FieldError {
    FieldError::new("file", msg_id)
}

/// Progress of a long operation, in the operation's own unit, and a way to cancel it.
pub struct Progress<'a> {
    pub report: &'a mut dyn FnMut(u64, u64),
    pub cancelled: &'a dyn Fn() -> bool,
}

impl Progress<'_> {
    pub fn check(&self) -> Result<()> {
        if (self.cancelled)() { Err(Error::Cancelled) } else { Ok(()) }
    }
}
