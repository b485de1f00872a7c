//! Import and export of customer books: readers for every format users bring ([`read`]), column
//! mapping ([`mapping`]), the import pipeline with duplicate handling and undo ([`import`]) and
//! the writers ([`export`]).

pub mod export;
pub mod import;
pub mod mapping;
pub mod read;

use crate::error::{Error, FieldError, Result};
use std::path::Path;

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
        if let Some(f) = path.extension().and_then(|e| e.to_str()).and_then(Format::parse) {
            return Ok(f);
        }
        let mut head = [0u8; 512];
        let n = std::io::Read::read(&mut std::fs::File::open(path)?, &mut head)?;
        let head = &head[..n];
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_field_bytes: 1024 * 1024,
            max_document_bytes: 512 * 1024 * 1024,
            max_unzipped_bytes: 2 * 1024 * 1024 * 1024,
            max_zip_ratio: 200,
        }
    }
}

/// A file-level problem, reported with a Fluent message id.
pub(crate) fn input_error(msg_id: &'static str) -> FieldError {
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
