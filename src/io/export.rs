//! Export: customers to CSV (UTF-8, UTF-8 with BOM for Excel, GBK), XLSX, JSON, XML and
//! vCard 4.0. Every format carries every customer field (custom fields included) and the id, so
//! an export imported into an empty book gives the same book. Exports are clear text by the
//! user's choice; they are written to a temporary file beside the target and renamed into place
//! only when complete, so a cancelled or failed export leaves no partial file.

use super::Progress;
use super::formula;
use crate::error::{Error, Result};
use crate::model::{CustomFieldDef, CustomValue, Customer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    /// CSV in UTF-8 without a BOM.
    Csv,
    /// CSV in UTF-8 with a BOM, which Excel needs to read Chinese correctly.
    CsvExcel,
    /// CSV in GBK, for older Chinese Excel and WPS. GBK lacks many characters (rare surnames,
    /// emoji, most scripts but Chinese and Latin): those are written as `&#NNNNN;` and each row
    /// with one is named in the export's warnings.
    CsvGbk,
    /// CSV in GB18030, the national standard that contains every Unicode character and reads
    /// as GBK wherever GBK has the character.
    CsvGb18030,
    Xlsx,
    Json,
    Xml,
    Vcard,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" => Self::Csv,
            "csv-excel" | "csv-bom" => Self::CsvExcel,
            "csv-gbk" | "gbk" => Self::CsvGbk,
            "csv-gb18030" | "gb18030" => Self::CsvGb18030,
            "xlsx" => Self::Xlsx,
            "json" => Self::Json,
            "xml" => Self::Xml,
            "vcf" | "vcard" => Self::Vcard,
            _ => return None,
        })
    }

    pub fn extension(&self) -> &'static str {
        match self {
            Self::Csv | Self::CsvExcel | Self::CsvGbk | Self::CsvGb18030 => "csv",
            Self::Xlsx => "xlsx",
            Self::Json => "json",
            Self::Xml => "xml",
            Self::Vcard => "vcf",
        }
    }
}

/// Something the user should know about a finished export: a row whose text the format could
/// not hold as it is. Rows are numbered as a spreadsheet shows the file (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportWarning {
    pub row: u64,
    pub name: String,
    pub column: String,
    pub kind: WarningKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// Longer than a spreadsheet cell holds (32,767 UTF-16 units in Excel): cut, with a marker
    /// saying how many characters are missing.
    Cut { chars: usize },
    /// Has characters the file's encoding (GBK) lacks, written as `&#NNNNN;`.
    NotInEncoding,
}

/// At most this many warnings are kept; the count of all of them is kept too.
pub const WARNING_CAP: usize = 1000;

/// What an export wrote, and what it had to change on the way.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    pub written: u64,
    pub warnings: Vec<ExportWarning>,
    /// All warnings, also those past [`WARNING_CAP`].
    pub warning_count: u64,
}

/// Collects the warnings of one export.
#[derive(Default)]
struct Warnings {
    list: Vec<ExportWarning>,
    count: u64,
}

impl Warnings {
    fn add(&mut self, w: ExportWarning) {
        self.count += 1;
        if self.list.len() < WARNING_CAP {
            self.list.push(w);
        }
    }
}

/// What an export holds: the book's custom fields, less the columns the exporting user's roles
/// hide (their values are emptied before they get here; the columns are left out altogether).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub custom: Vec<CustomFieldDef>,
    /// Fixed columns left out (`phones`, `notes`, ...).
    pub omit: Vec<String>,
}

/// The fixed columns of a flat export, in order; custom fields and the times follow.
const FIXED: [&str; 13] = [
    "id", "kind", "name", "company", "phones", "emails", "address", "city", "country", "tags", "owner", "source",
    "notes",
];

/// The columns of a flat export, in order.
pub fn columns(layout: &Layout) -> Vec<String> {
    let mut cols: Vec<String> =
        FIXED.iter().filter(|c| !layout.omit.iter().any(|o| o == *c)).map(|s| s.to_string()).collect();
    cols.extend(layout.custom.iter().map(|d| format!("custom.{}", d.key)));
    cols.push("created_at".into());
    cols.push("updated_at".into());
    cols
}

/// One exported cell, borrowed from the customer where it can be (an export of a million
/// customers should not copy every field once more on its way to the file).
enum Cell<'a> {
    Text(Cow<'a, str>),
    List(&'a [String]),
    Number(f64),
    /// Unix ms.
    Time(i64),
    Empty,
}

impl Cell<'_> {
    fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s.as_ref()),
            Cell::List(l) => Cow::Owned(l.join("; ")),
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Time(ms) => Cow::Owned(iso_time(*ms)),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn opt(s: &Option<String>) -> Cell<'_> {
    s.as_deref().map(|s| Cell::Text(Cow::Borrowed(s))).unwrap_or(Cell::Empty)
}

fn cells<'a>(c: &'a Customer, layout: &Layout) -> Vec<Cell<'a>> {
    let fixed = [
        Cell::Text(Cow::Owned(c.id.to_string())),
        Cell::Text(Cow::Borrowed(c.kind.as_str())),
        Cell::Text(Cow::Borrowed(&c.name)),
        opt(&c.company),
        Cell::List(&c.phones),
        Cell::List(&c.emails),
        opt(&c.address),
        opt(&c.city),
        opt(&c.country),
        Cell::List(&c.tags),
        // The owner's name, which an import reads back to the same user.
        c.owner_label().map_or(Cell::Empty, |o| Cell::Text(Cow::Borrowed(o))),
        opt(&c.source),
        opt(&c.notes),
    ];
    let mut out: Vec<Cell<'a>> = if layout.omit.is_empty() {
        fixed.into_iter().collect()
    } else {
        fixed.into_iter().zip(FIXED).filter(|(_, n)| !layout.omit.iter().any(|o| o == n)).map(|(c, _)| c).collect()
    };
    for d in &layout.custom {
        out.push(match c.custom.get(&d.key) {
            None => Cell::Empty,
            Some(CustomValue::Number(n)) => Cell::Number(*n),
            Some(v) => Cell::Text(Cow::Owned(v.to_input())),
        });
    }
    out.push(Cell::Time(c.created_at));
    out.push(Cell::Time(c.updated_at));
    out
}

/// A writer for one format; rows arrive one at a time.
trait Sink {
    fn row(&mut self, c: &Customer) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<()>;
    /// What the format had to change so far.
    fn warnings(&mut self) -> Warnings {
        Warnings::default()
    }
}

/// Customers waiting between the reading thread and the writing one.
const PIPE_ROWS: usize = 1024;

/// Writes `customers` to `out` in `format`. `next` yields customers until `None`. `cut` is the
/// marker put where a text too long for the format was cut, given how many characters are
/// missing (localized by the caller, e.g. "…[+12,345 characters]").
///
/// Customers are read on this thread (the database: decryption, decoding) while the format's
/// writer (compression for XLSX, encoding for GBK) runs on a thread of its own, so on two cores
/// the export takes about as long as the slower of the two instead of their sum.
pub fn export(
    out: &Path,
    format: ExportFormat,
    layout: &Layout,
    total: u64,
    next: &mut dyn FnMut() -> Option<Result<Customer>>,
    cut: &(dyn Fn(usize) -> String + Sync),
    progress: &mut Progress<'_>,
) -> Result<Exported> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile_in(dir, out)?;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Customer>(PIPE_ROWS);
        let (stop, tmp) = (&stop, &tmp);
        let writer = s.spawn(move || -> Result<Warnings> {
            let mut sink: Box<dyn Sink> = match format {
                ExportFormat::Csv | ExportFormat::CsvExcel | ExportFormat::CsvGbk | ExportFormat::CsvGb18030 => {
                    Box::new(CsvSink::new(tmp, format, layout)?)
                }
                ExportFormat::Xlsx => Box::new(XlsxSink::new(tmp, dir, layout, cut)?),
                ExportFormat::Json => Box::new(JsonSink::new(tmp, layout)?),
                ExportFormat::Xml => Box::new(XmlSink::new(tmp, layout)?),
                ExportFormat::Vcard => Box::new(VcardSink::new(tmp, layout)?),
            };
            for c in rx {
                sink.row(&c)?;
            }
            let warnings = sink.warnings();
            // Stopped part-way (cancel, a read error): the file is thrown away, not finished.
            if !stop.load(std::sync::atomic::Ordering::SeqCst) {
                sink.finish()?;
            }
            Ok(warnings)
        });
        let mut n = 0u64;
        let read = (|| -> Result<()> {
            while let Some(c) = next() {
                if tx.send(c?).is_err() {
                    // The writer failed; its error is the one to report.
                    break;
                }
                n += 1;
                if n.is_multiple_of(1000) {
                    (progress.report)(n, total);
                    progress.check()?;
                }
            }
            Ok(())
        })();
        if read.is_err() {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        drop(tx);
        let written = writer.join().unwrap_or_else(|_| Err(Error::Io(std::io::Error::other("export writer panicked"))));
        read?;
        let warnings = written?;
        (progress.report)(n, total);
        Ok(Exported { written: n, warnings: warnings.list, warning_count: warnings.count })
    });
    match result {
        Ok(done) => {
            std::fs::rename(&tmp, out)?;
            Ok(done)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn tempfile_in(dir: &Path, out: &Path) -> Result<PathBuf> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    crate::security::files::create(&tmp)?;
    Ok(tmp)
}

// --- CSV

struct CsvSink {
    w: csv::Writer<Box<dyn Write>>,
    layout: Layout,
    columns: Vec<String>,
    /// GBK: the rows with characters it lacks are named.
    check: Option<&'static encoding_rs::Encoding>,
    row: u64,
    warnings: Warnings,
}

/// Encodes UTF-8 text to a legacy encoding (GBK, GB18030) as it is written.
struct GbkWriter<W: Write> {
    inner: W,
    encoder: encoding_rs::Encoder,
    pending: Vec<u8>,
}

impl<W: Write> Write for GbkWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // Encode only complete UTF-8 characters; keep a cut-off one for the next call.
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).expect("checked above").to_string();
        let mut out =
            vec![
                0u8;
                self.encoder.max_buffer_length_from_utf8_if_no_unmappables(text.len()).unwrap_or(text.len() * 4) + 16
            ];
        let mut src = text.as_str();
        loop {
            let (res, read, written, _) = self.encoder.encode_from_utf8(src, &mut out, false);
            self.inner.write_all(&out[..written])?;
            src = &src[read..];
            if res == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl CsvSink {
    fn new(path: &Path, format: ExportFormat, layout: &Layout) -> Result<Self> {
        let mut file = BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?);
        let out: Box<dyn Write> = match format {
            ExportFormat::CsvExcel => {
                file.write_all(b"\xEF\xBB\xBF")?;
                Box::new(file)
            }
            ExportFormat::CsvGbk => {
                Box::new(GbkWriter { inner: file, encoder: encoding_rs::GBK.new_encoder(), pending: Vec::new() })
            }
            ExportFormat::CsvGb18030 => {
                Box::new(GbkWriter { inner: file, encoder: encoding_rs::GB18030.new_encoder(), pending: Vec::new() })
            }
            _ => Box::new(file),
        };
        let mut w = csv::Writer::from_writer(out);
        let columns = columns(layout);
        w.write_record(&columns).map_err(csv_err)?;
        let check = (format == ExportFormat::CsvGbk).then_some(encoding_rs::GBK);
        Ok(Self { w, layout: layout.clone(), columns, check, row: 1, warnings: Warnings::default() })
    }
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

impl Sink for CsvSink {
    fn row(&mut self, c: &Customer) -> Result<()> {
        self.row += 1;
        for (i, cell) in cells(c, &self.layout).into_iter().enumerate() {
            let text = cell.text();
            if let Some(enc) = self.check {
                // Only the text can tell: ASCII (most cells) always fits.
                if !text.is_ascii() && enc.encode(&text).2 {
                    self.warnings.add(ExportWarning {
                        row: self.row,
                        name: c.name.clone(),
                        column: self.columns[i].clone(),
                        kind: WarningKind::NotInEncoding,
                    });
                }
            }
            // A name like `=cmd|' /C calc'!A0` must not run when the file is opened in Excel.
            self.w.write_field(formula::neutralize(&text).as_bytes()).map_err(csv_err)?;
        }
        self.w.write_record(None::<&[u8]>).map_err(csv_err)
    }
    fn finish(mut self: Box<Self>) -> Result<()> {
        self.w.flush()?;
        Ok(())
    }
    fn warnings(&mut self) -> Warnings {
        std::mem::take(&mut self.warnings)
    }
}

// --- XLSX

/// The longest text an Excel cell holds, in UTF-16 code units (Excel's own count).
const XLSX_MAX_CELL: usize = 32_767;

/// `s`, or its beginning cut so that it and the marker fit in an Excel cell, with how many
/// characters were left out.
fn fit_cell<'a>(s: &'a str, cut: &dyn Fn(usize) -> String) -> (Cow<'a, str>, usize) {
    if s.len() <= XLSX_MAX_CELL || s.encode_utf16().count() <= XLSX_MAX_CELL {
        return (Cow::Borrowed(s), 0);
    }
    let total = s.chars().count();
    // The marker's length depends on the number, which is at most the total: room for that.
    let room = XLSX_MAX_CELL - cut(total).encode_utf16().count();
    let mut units = 0;
    let mut end = 0;
    let mut kept = 0;
    for (i, ch) in s.char_indices() {
        if units + ch.len_utf16() > room {
            break;
        }
        units += ch.len_utf16();
        end = i + ch.len_utf8();
        kept += 1;
    }
    let missing = total - kept;
    (Cow::Owned(format!("{}{}", &s[..end], cut(missing))), missing)
}

struct XlsxSink<'c> {
    cut: &'c (dyn Fn(usize) -> String + Sync),
    columns: Vec<String>,
    warnings: Warnings,
    book: rust_xlsxwriter::Workbook,
    path: PathBuf,
    layout: Layout,
    row: u32,
    cols: u16,
    date: rust_xlsxwriter::Format,
    wrap: rust_xlsxwriter::Format,
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    match e {
        rust_xlsxwriter::XlsxError::IoError(io) => Error::Io(io),
        other => Error::Io(std::io::Error::other(other.to_string())),
    }
}

impl<'c> XlsxSink<'c> {
    fn new(path: &Path, dir: &Path, layout: &Layout, cut: &'c (dyn Fn(usize) -> String + Sync)) -> Result<Self> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        // Constant-memory mode streams rows through a temporary file: keep it beside the export
        // (the user chose that place for clear text), never in a shared temp directory.
        book.set_tempdir(dir).map_err(xlsx_err)?;
        let header = Format::new().set_bold();
        let cols = columns(layout);
        let sheet = book.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        sheet.set_name("Customers").map_err(xlsx_err)?;
        for (i, name) in cols.iter().enumerate() {
            let width = match name.as_str() {
                "id" => 38.0,
                "kind" => 10.0,
                "name" | "company" | "emails" => 28.0,
                "phones" => 20.0,
                "address" | "notes" => 40.0,
                "created_at" | "updated_at" => 18.0,
                _ => 16.0,
            };
            sheet.set_column_width(i as u16, width).map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        for (i, name) in cols.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, name, &header).map_err(xlsx_err)?;
        }
        Ok(Self {
            cut,
            columns: cols.clone(),
            warnings: Warnings::default(),
            book,
            path: path.to_path_buf(),
            layout: layout.clone(),
            row: 0,
            cols: cols.len() as u16,
            date: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            wrap: Format::new().set_text_wrap(),
        })
    }
}

impl Sink for XlsxSink<'_> {
    fn row(&mut self, c: &Customer) -> Result<()> {
        self.row += 1;
        let r = self.row;
        let (cut, columns, warnings) = (self.cut, &self.columns, &mut self.warnings);
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_err)?;
        for (i, cell) in cells(c, &self.layout).into_iter().enumerate() {
            let col = i as u16;
            // A text longer than a cell holds (a contract pasted into the notes) is cut with a
            // marker and named in the warnings, instead of failing the whole file.
            let mut fit = |s: &str| -> Option<String> {
                let (text, missing) = fit_cell(s, cut);
                if missing == 0 {
                    return None;
                }
                warnings.add(ExportWarning {
                    row: u64::from(r) + 1,
                    name: c.name.clone(),
                    column: columns[i].clone(),
                    kind: WarningKind::Cut { chars: missing },
                });
                Some(text.into_owned())
            };
            match cell {
                Cell::Empty => {}
                // Phones and ids are text, never numbers Excel would show as 1.38E+10.
                Cell::Text(s) if s.contains('\n') => {
                    let cut = fit(&s);
                    sheet
                        .write_string_with_format(r, col, cut.as_deref().unwrap_or(&s), &self.wrap)
                        .map_err(xlsx_err)?;
                }
                Cell::Text(s) => {
                    let cut = fit(&s);
                    sheet.write_string(r, col, cut.as_deref().unwrap_or(&s)).map_err(xlsx_err)?;
                }
                Cell::List(l) => {
                    if !l.is_empty() {
                        let joined = l.join("; ");
                        let cut = fit(&joined);
                        sheet.write_string(r, col, cut.as_deref().unwrap_or(&joined)).map_err(xlsx_err)?;
                    }
                }
                Cell::Number(n) => {
                    sheet.write_number(r, col, n).map_err(xlsx_err)?;
                }
                Cell::Time(ms) => {
                    let t = rust_xlsxwriter::ExcelDateTime::from_timestamp(ms / 1000).map_err(xlsx_err)?;
                    sheet.write_datetime_with_format(r, col, &t, &self.date).map_err(xlsx_err)?;
                }
            }
        }
        Ok(())
    }

    fn warnings(&mut self) -> Warnings {
        std::mem::take(&mut self.warnings)
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let last = self.row.max(1);
        let cols = self.cols;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_err)?;
        sheet.autofilter(0, 0, last, cols - 1).map_err(xlsx_err)?;
        self.book.save(&self.path).map_err(xlsx_err)
    }
}

// --- JSON

struct JsonSink {
    w: BufWriter<std::fs::File>,
    layout: Layout,
    first: bool,
}

impl JsonSink {
    fn new(path: &Path, layout: &Layout) -> Result<Self> {
        let mut w = BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?);
        w.write_all(b"[\n")?;
        Ok(Self { w, layout: layout.clone(), first: true })
    }
}

impl Sink for JsonSink {
    fn row(&mut self, c: &Customer) -> Result<()> {
        use serde_json::{Map, Value as J};
        let mut obj = Map::new();
        let mut custom = Map::new();
        for (name, cell) in columns(&self.layout).into_iter().zip(cells(c, &self.layout)) {
            let v = match cell {
                Cell::Empty => J::Null,
                Cell::Text(s) => J::String(s.into_owned()),
                Cell::List(l) => J::Array(l.iter().cloned().map(J::String).collect()),
                Cell::Number(n) => serde_json::Number::from_f64(n).map(J::Number).unwrap_or(J::Null),
                Cell::Time(ms) => J::String(iso_time(ms)),
            };
            match name.strip_prefix("custom.") {
                Some(k) => {
                    if !v.is_null() {
                        custom.insert(k.to_string(), v);
                    }
                }
                None => {
                    obj.insert(name, v);
                }
            }
        }
        obj.insert("custom".into(), J::Object(custom));
        if !self.first {
            self.w.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.w, &J::Object(obj)).map_err(|e| Error::Io(e.into()))?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.w.write_all(b"\n]\n")?;
        self.w.flush()?;
        Ok(())
    }
}

// --- XML

struct XmlSink {
    w: quick_xml::Writer<BufWriter<std::fs::File>>,
    layout: Layout,
}

fn xml_err(e: std::io::Error) -> Error {
    Error::Io(e)
}

impl XmlSink {
    fn new(path: &Path, layout: &Layout) -> Result<Self> {
        use quick_xml::events::{BytesDecl, BytesStart, Event};
        let file = BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?);
        let mut w = quick_xml::Writer::new_with_indent(file, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(xml_err)?;
        w.write_event(Event::Start(BytesStart::new("customers"))).map_err(xml_err)?;
        Ok(Self { w, layout: layout.clone() })
    }
}

impl Sink for XmlSink {
    fn row(&mut self, c: &Customer) -> Result<()> {
        use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
        let w = &mut self.w;
        w.write_event(Event::Start(BytesStart::new("customer"))).map_err(xml_err)?;
        for (name, cell) in columns(&self.layout).into_iter().zip(cells(c, &self.layout)) {
            match cell {
                Cell::Empty => {}
                Cell::List(l) => {
                    if l.is_empty() {
                        continue;
                    }
                    // <phones><phone>…</phone></phones>: repeated children are a list.
                    let item = name.trim_end_matches('s');
                    w.write_event(Event::Start(BytesStart::new(name.as_str()))).map_err(xml_err)?;
                    for v in l {
                        w.create_element(item).write_text_content(BytesText::new(v)).map_err(xml_err)?;
                    }
                    w.write_event(Event::End(BytesEnd::new(name.as_str()))).map_err(xml_err)?;
                }
                other => {
                    w.create_element(name.as_str())
                        .write_text_content(BytesText::new(&other.text()))
                        .map_err(xml_err)?;
                }
            }
        }
        w.write_event(Event::End(BytesEnd::new("customer"))).map_err(xml_err)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        use quick_xml::events::{BytesEnd, Event};
        self.w.write_event(Event::End(BytesEnd::new("customers"))).map_err(xml_err)?;
        let mut inner = self.w.into_inner();
        inner.write_all(b"\n")?;
        inner.flush()?;
        Ok(())
    }
}

// --- vCard 4.0

struct VcardSink {
    w: BufWriter<std::fs::File>,
    layout: Layout,
}

impl VcardSink {
    fn new(path: &Path, layout: &Layout) -> Result<Self> {
        Ok(Self { w: BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?), layout: layout.clone() })
    }
}

impl Sink for VcardSink {
    fn row(&mut self, c: &Customer) -> Result<()> {
        use calcard::vcard::{VCard, VCardEntry, VCardKind, VCardProperty as P, VCardValue as V, VCardVersion};
        let entry = |name: P, values: Vec<V>| VCardEntry { group: None, name, params: Vec::new(), values };
        let text = |s: &str| V::Text(s.to_string());
        let mut e = vec![entry(P::Uid, vec![text(&c.id.to_string())]), entry(P::Fn, vec![text(&c.name)])];
        if c.kind == crate::model::CustomerKind::Company {
            e.push(entry(P::Kind, vec![V::Kind(VCardKind::Org)]));
        }
        if let Some(org) = &c.company {
            e.push(entry(P::Org, vec![text(org)]));
        }
        for p in &c.phones {
            e.push(entry(P::Tel, vec![text(p)]));
        }
        for m in &c.emails {
            e.push(entry(P::Email, vec![text(m)]));
        }
        if c.address.is_some() || c.city.is_some() || c.country.is_some() {
            let s = |o: &Option<String>| o.clone().unwrap_or_default();
            e.push(entry(
                P::Adr,
                vec![
                    text(""),
                    text(""),
                    V::Text(s(&c.address)),
                    V::Text(s(&c.city)),
                    text(""),
                    text(""),
                    V::Text(s(&c.country)),
                ],
            ));
        }
        if !c.tags.is_empty() {
            e.push(entry(P::Categories, c.tags.iter().map(|t| text(t)).collect()));
        }
        if let Some(n) = &c.notes {
            e.push(entry(P::Note, vec![text(n)]));
        }
        // Fields vCard has no property for travel as X- properties, which the importer reads back.
        if let Some(o) = c.owner_label() {
            e.push(entry(P::Other("X-BANYAN-OWNER".into()), vec![text(o)]));
        }
        if let Some(s) = &c.source {
            e.push(entry(P::Other("X-BANYAN-SOURCE".into()), vec![text(s)]));
        }
        for d in &self.layout.custom {
            if let Some(v) = c.custom.get(&d.key) {
                e.push(entry(P::Other(format!("X-BANYAN-CUSTOM-{}", d.key.to_uppercase())), vec![text(&v.to_input())]));
            }
        }
        let card = VCard { entries: e };
        let mut s = String::new();
        card.write_to(&mut s, VCardVersion::V4_0).map_err(|_| Error::Io(std::io::Error::other("vcard")))?;
        self.w.write_all(s.as_bytes())?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.w.flush()?;
        Ok(())
    }
}
