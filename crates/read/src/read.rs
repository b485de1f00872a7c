//! Readers: every supported file becomes a [`Table`], a header row plus a stream of text rows that
//! carry their row number in the source, so every later error can say "row 1042, column 手机".
//!
//! CSV streams (bounded memory for any size); spreadsheets, JSON, XML and vCard are read with
//! their crates' own parsers, after checks that keep hostile files (zip bombs, entity expansion,
//! oversized fields) from exhausting memory.

use crate::{Error, Format, Limits, Result, input_error};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// One row of a source: its number as the user would find it (spreadsheet row, CSV line of the
/// record's start, JSON/XML/vCard record index from 1) and its cells, aligned with the headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// What the reader found out about the file, shown in the preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SourceInfo {
    pub format: String,
    /// The text encoding (CSV, vCard), e.g. "GBK" or "UTF-16LE".
    pub encoding: Option<String>,
    /// The CSV delimiter, as text ("," ";" "\t" "|").
    pub delimiter: Option<String>,
    /// The sheet read (spreadsheets) and every sheet of the workbook.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    /// Row number of the header row in the source.
    pub header_row: u64,
}

/// A source of rows with a header.
pub struct Table {
    pub info: SourceInfo,
    pub headers: Vec<String>,
    rows: Box<dyn Iterator<Item = Result<Row>> + Send>,
    /// Bytes consumed so far and the total, for progress (CSV); rows otherwise.
    progress: ProgressSource,
}

#[derive(Clone)]
enum ProgressSource {
    Bytes { read: std::sync::Arc<std::sync::atomic::AtomicU64>, total: u64 },
    Rows { total: u64 },
}

/// Tells how far through its file a table is, from any thread (an import reads the table on one
/// thread and reports progress from another).
#[derive(Clone)]
pub struct ProgressMeter(ProgressSource);

impl ProgressMeter {
    /// Progress as (done, total) in the table's own unit (bytes for CSV, rows otherwise).
    pub fn progress(&self, rows_done: u64) -> (u64, u64) {
        match &self.0 {
            ProgressSource::Bytes { read, total } => {
                (read.load(std::sync::atomic::Ordering::Relaxed).min(*total), *total)
            }
            ProgressSource::Rows { total } => (rows_done.min(*total), *total),
        }
    }
}

impl Table {
    /// A handle that reports this table's progress after the table has moved elsewhere.
    pub fn meter(&self) -> ProgressMeter {
        ProgressMeter(self.progress.clone())
    }
}

impl Table {
    fn new(
        info: SourceInfo,
        headers: Vec<String>,
        rows: Box<dyn Iterator<Item = Result<Row>> + Send>,
        progress: ProgressSource,
    ) -> Self {
        Self { info, headers, rows, progress }
    }
}

impl Iterator for Table {
    type Item = Result<Row>;
    fn next(&mut self) -> Option<Result<Row>> {
        self.rows.next()
    }
}

/// Which sheet of a workbook to read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub sheet: Option<String>,
    pub format: Option<Format>,
    pub limits: Limits,
}

/// Opens any supported file.
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Table> {
    let meta = std::fs::metadata(path)?;
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect(path)?,
    };
    match format {
        Format::Csv | Format::Tsv => csv_table(path, format, meta.len(), &opts.limits),
        Format::Xlsx | Format::Xls | Format::Ods => sheet_table(path, format, opts),
        Format::Json => json_table(path, meta.len(), &opts.limits),
        Format::Xml => xml_table(path, meta.len(), &opts.limits),
        Format::Vcard => vcard_table(path, meta.len(), &opts.limits),
    }
}

/// Reads `data` as a file of `format` to the end, ignoring what it finds: the body of the fuzz
/// targets (fuzz/) and of the regression test that replays their findings. Small limits keep
/// each run fast; the point is that no input panics or hangs.
#[doc(hidden)]
pub fn fuzz_one(data: &[u8], format: Format) {
    thread_local! {
        static DIR: std::path::PathBuf = {
            let d = std::env::temp_dir().join(format!("banyan-fuzz-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&d);
            d
        };
    }
    let path = DIR.with(|d| d.join(format!("input.{}", format.as_str())));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let opts = ReadOptions {
        format: Some(format),
        limits: Limits {
            max_field_bytes: 64 * 1024,
            max_document_bytes: 4 * 1024 * 1024,
            max_unzipped_bytes: 64 * 1024 * 1024,
            max_zip_ratio: 200,
        },
        ..Default::default()
    };
    if let Ok(table) = open(&path, &opts) {
        for row in table.take(100_000) {
            if row.is_err() {
                break;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text encodings

/// How many bytes are looked at to guess the encoding and the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;

/// Detects the text encoding of a sample: a BOM decides; otherwise valid UTF-8 is UTF-8, and
/// anything else is left to chardetng (Firefox's detector), which tells GBK from Big5 from
/// windows-1252 by their byte statistics.
pub fn detect_encoding(sample: &[u8], complete: bool) -> &'static encoding_rs::Encoding {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(sample) {
        return enc;
    }
    // UTF-16 without a BOM is rare but Excel's "Unicode text" is UTF-16LE: zero bytes at odd
    // positions in ASCII-heavy text give it away.
    if sample.len() >= 4 {
        let odd_zero = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
        let half = sample.len() / 2;
        if odd_zero > half * 3 / 5 && even_zero == 0 {
            return encoding_rs::UTF_16LE;
        }
        if even_zero > half * 3 / 5 && odd_zero == 0 {
            return encoding_rs::UTF_16BE;
        }
    }
    if valid_utf8_prefix(sample, complete) {
        return encoding_rs::UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, complete);
    let guess = det.guess(None, chardetng::Utf8Detection::Allow);
    // GB18030 is a superset of GBK that decodes everything GBK does, and more.
    if guess == encoding_rs::GBK { encoding_rs::GB18030 } else { guess }
}

/// True if the sample is UTF-8, allowing a multi-byte character cut off at the end of a sample.
fn valid_utf8_prefix(sample: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none() && sample.len() - e.valid_up_to() < 4,
    }
}

/// The name users know an encoding by.
fn encoding_label(enc: &'static encoding_rs::Encoding) -> String {
    if enc == encoding_rs::GB18030 { "GB18030 (GBK)".into() } else { enc.name().to_string() }
}

/// Reads a whole text file (JSON, XML, vCard) within the size limit and decodes it.
fn read_text(path: &Path, size: u64, limits: &Limits) -> Result<(String, &'static encoding_rs::Encoding)> {
    if size > limits.max_document_bytes {
        return Err(input_error("error-import-too-large").arg("max", limits.max_document_bytes / (1024 * 1024)).into());
    }
    let bytes = std::fs::read(path)?;
    let enc = detect_encoding(&bytes[..bytes.len().min(SNIFF_BYTES)], bytes.len() <= SNIFF_BYTES);
    let (text, _, _) = enc.decode(&bytes);
    Ok((text.into_owned(), enc))
}

// ---------------------------------------------------------------------------------------------
// CSV / TSV

/// A reader that counts the bytes it hands out, for progress.
struct Counting<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Picks the delimiter that splits the sample's lines into the same number (> 1) of fields most
/// consistently. Written here because the csv crate does not sniff and the sniffing crates are
/// unmaintained; the parse itself is still the csv crate's, quotes included.
pub fn sniff_delimiter(sample: &str) -> u8 {
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut rdr =
            csv::ReaderBuilder::new().delimiter(d).has_headers(false).flexible(true).from_reader(sample.as_bytes());
        let mut counts: HashMap<usize, usize> = HashMap::new();
        let mut records = 0;
        for rec in rdr.records().take(50) {
            let Ok(rec) = rec else { break };
            records += 1;
            if rec.len() > 1 {
                *counts.entry(rec.len()).or_default() += 1;
            }
        }
        // The most common field count, weighted by how often it occurs; the last record of a
        // sample may be cut short, which the mode ignores.
        if let Some((fields, n)) = counts.into_iter().max_by_key(|(f, n)| (*n, *f)) {
            let score = n * 100 + fields.min(99);
            if records > 0 && score > best.1 {
                best = (d, score);
            }
        }
    }
    best.0
}

fn csv_table(path: &Path, format: Format, size: u64, limits: &Limits) -> Result<Table> {
    let mut file = File::open(path)?;
    let mut sample = vec![0u8; SNIFF_BYTES];
    let mut n = 0;
    while n < sample.len() {
        let got = file.read(&mut sample[n..])?;
        if got == 0 {
            break;
        }
        n += got;
    }
    sample.truncate(n);
    let enc = detect_encoding(&sample, (n as u64) == size);
    let delimiter = if format == Format::Tsv {
        b'\t'
    } else {
        let (text, _, _) = enc.decode(&sample);
        sniff_delimiter(&text)
    };
    file.seek(SeekFrom::Start(0))?;
    let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = Counting { inner: BufReader::with_capacity(256 * 1024, file), read: read.clone() };
    // The decoder strips a BOM and turns any encoding into UTF-8 as the bytes stream through.
    let decoded =
        encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(enc)).bom_override(true).build(counting);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(decoded);
    let max_field = limits.max_field_bytes;
    // Rows are numbered as a spreadsheet shows the file: one row per record (a quoted line break
    // does not start a new row), the header being row 1 when it is the first line.
    let mut record_no = 0u64;
    let mut records = std::iter::from_fn(move || {
        let mut rec = csv::StringRecord::new();
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                record_no += 1;
                Some(Ok((record_no, rec)))
            }
            Ok(false) => None,
            Err(e) => Some(Err(csv_error(e, record_no + 1))),
        }
    })
    .map(move |r| {
        r.and_then(|(line, rec)| {
            for (i, f) in rec.iter().enumerate() {
                if f.len() > max_field {
                    return Err(Error::from(
                        input_error("error-import-field-too-large")
                            .arg("row", line)
                            .arg("column", i + 1)
                            .arg("max", max_field / 1024),
                    ));
                }
            }
            // Cells a spreadsheet-safe writer quoted (`'=…`, see `formula`) are read back as the
            // values they stand for.
            Ok(Row { number: line, cells: rec.iter().map(|c| crate::formula::restore(c).to_string()).collect() })
        })
    });
    // The header is the first row that is not blank.
    let header = loop {
        match records.next() {
            None => break None,
            Some(Err(e)) => return Err(e),
            Some(Ok(r)) if r.cells.iter().all(|c| c.trim().is_empty()) => continue,
            Some(Ok(r)) => break Some(r),
        }
    };
    let header = header.ok_or_else(|| Error::from(input_error("error-import-empty")))?;
    let info = SourceInfo {
        format: format.as_str().into(),
        encoding: Some(encoding_label(enc)),
        delimiter: Some((delimiter as char).to_string()),
        header_row: header.number,
        ..Default::default()
    };
    Ok(Table::new(info, clean_headers(header.cells), Box::new(records), ProgressSource::Bytes { read, total: size }))
}

fn csv_error(e: csv::Error, line: u64) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Io(io),
        other => input_error("error-import-csv").arg("row", line).arg("detail", format!("{other:?}")).into(),
    }
}

/// Trims headers, names blank ones by position and numbers repeated ones ("电话", "电话 (2)"), so
/// every column can be mapped on its own and reported.
fn clean_headers(cells: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(cells.len());
    for (i, h) in cells.into_iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').trim().to_string();
        let h = if h.is_empty() { format!("#{}", i + 1) } else { h };
        let mut name = h.clone();
        let mut n = 1;
        while out.contains(&name) {
            n += 1;
            name = format!("{h} ({n})");
        }
        out.push(name);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets

/// Zip-based workbooks (xlsx, xlsm, xlsb, ods) are checked before calamine inflates them: the
/// declared uncompressed size must stay within the limit and no entry may compress better than a
/// real spreadsheet ever does.
fn check_zip(path: &Path, limits: &Limits) -> Result<()> {
    let file = File::open(path)?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|_| Error::from(input_error("error-import-not-workbook")))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| Error::from(input_error("error-import-not-workbook")))?;
        total = total.saturating_add(entry.size());
        let ratio = entry.size() / entry.compressed_size().max(1);
        if entry.size() > 1024 * 1024 && ratio > limits.max_zip_ratio {
            return Err(input_error("error-import-zip-bomb").into());
        }
    }
    if total > limits.max_unzipped_bytes {
        return Err(input_error("error-import-zip-bomb").into());
    }
    Ok(())
}

/// Excel 97–2003 (and WPS .et) workbooks are OLE compound files. calamine trusts their sector
/// chains, and a crafted file with a looping chain makes it allocate without end (found by
/// fuzz/read_xlsx; kept in fuzz/regressions/). The `cfb` crate checks the structure and the chains
/// first, and every stream is read once within the size budget before calamine sees the file.
fn check_cfb(path: &Path, limits: &Limits) -> Result<()> {
    let bad = || Error::from(input_error("error-import-not-workbook"));
    let mut doc = cfb::CompoundFile::open(BufReader::new(File::open(path)?)).map_err(|_| bad())?;
    let streams: Vec<std::path::PathBuf> =
        doc.walk().filter(|e| e.is_stream()).map(|e| e.path().to_path_buf()).collect();
    let mut budget = limits.max_unzipped_bytes;
    for s in streams {
        let mut stream = doc.open_stream(&s).map_err(|_| bad())?;
        let read = std::io::copy(&mut (&mut stream).take(budget.saturating_add(1)), &mut std::io::sink())
            .map_err(|_| bad())?;
        if read > budget {
            return Err(input_error("error-import-zip-bomb").into());
        }
        budget -= read;
    }
    Ok(())
}

/// A spreadsheet cell as the text a user would see, with the types kept right: whole numbers
/// without ".0" or exponent (phones, IDs), dates as ISO dates.
pub fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(d) if d.time() == chrono::NaiveTime::MIN => d.format("%Y-%m-%d").to_string(),
            Some(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => float_text(dt.as_f64()),
        },
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{f:.0}")
    } else {
        // Rust prints the shortest text that reads back as the same number, never an exponent.
        f.to_string()
    }
}

fn sheet_table(path: &Path, format: Format, opts: &ReadOptions) -> Result<Table> {
    use calamine::Reader;
    let size = std::fs::metadata(path)?.len();
    if size > opts.limits.max_document_bytes {
        return Err(input_error("error-import-too-large")
            .arg("max", opts.limits.max_document_bytes / (1024 * 1024))
            .into());
    }
    let mut magic = [0u8; 4];
    let _ = File::open(path)?.read(&mut magic)?;
    if magic == *b"PK\x03\x04" {
        check_zip(path, &opts.limits)?;
    } else if magic == [0xD0, 0xCF, 0x11, 0xE0] {
        check_cfb(path, &opts.limits)?;
    }
    let mut book = calamine::open_workbook_auto(path).map_err(|e| sheet_error(&e.to_string()))?;
    let sheets = book.sheet_names();
    let sheet = match &opts.sheet {
        Some(s) => sheets
            .iter()
            .find(|n| *n == s || n.eq_ignore_ascii_case(s))
            .cloned()
            .or_else(|| s.parse::<usize>().ok().and_then(|i| sheets.get(i.saturating_sub(1)).cloned()))
            .ok_or_else(|| {
                Error::from(input_error("error-import-sheet").arg("sheet", s).arg("sheets", sheets.join(", ")))
            })?,
        None => sheets.first().cloned().ok_or_else(|| Error::from(input_error("error-import-empty")))?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| sheet_error(&e.to_string()))?;
    let (row0, _) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Row> = range
        .rows()
        .enumerate()
        .map(|(i, r)| Row { number: row0 as u64 + i as u64 + 1, cells: r.iter().map(cell_text).collect() })
        .collect();
    drop(range);
    for r in &rows {
        for (i, c) in r.cells.iter().enumerate() {
            if c.len() > opts.limits.max_field_bytes {
                return Err(input_error("error-import-field-too-large")
                    .arg("row", r.number)
                    .arg("column", i + 1)
                    .arg("max", opts.limits.max_field_bytes / 1024)
                    .into());
            }
        }
    }
    let h = header_index(&rows).ok_or_else(|| Error::from(input_error("error-import-empty")))?;
    let header = rows[h].clone();
    let body: Vec<Row> = rows.split_off(h + 1);
    let total = body.len() as u64;
    let info = SourceInfo {
        format: format.as_str().into(),
        sheet: Some(sheet),
        sheets,
        header_row: header.number,
        ..Default::default()
    };
    Ok(Table::new(
        info,
        clean_headers(header.cells),
        Box::new(body.into_iter().map(Ok)),
        ProgressSource::Rows { total },
    ))
}

fn sheet_error(detail: &str) -> Error {
    input_error("error-import-workbook").arg("detail", detail).into()
}

/// The header row of a sheet: the first of its first rows whose non-blank cells cover at least
/// half of the widest row (titles such as "客户名单 2009" in a merged first cell are skipped).
pub fn header_index(rows: &[Row]) -> Option<usize> {
    let filled = |r: &Row| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    let width = rows.iter().take(20).map(filled).max()?;
    if width == 0 {
        return None;
    }
    rows.iter().take(20).position(|r| filled(r) * 2 >= width && filled(r) >= width.min(2))
}

// ---------------------------------------------------------------------------------------------
// JSON

fn json_table(path: &Path, size: u64, limits: &Limits) -> Result<Table> {
    let (text, _) = read_text(path, size, limits)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::from(input_error("error-import-json").arg("line", e.line()).arg("detail", e.to_string()))
    })?;
    drop(text);
    // An array of objects, or an object holding one (`{"customers": [...]}`).
    let items = match value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => {
            match o.into_iter().find_map(|(_, v)| if let serde_json::Value::Array(a) = v { Some(a) } else { None }) {
                Some(a) => a,
                None => return Err(input_error("error-import-json-shape").into()),
            }
        }
        _ => return Err(input_error("error-import-json-shape").into()),
    };
    let mut records: Vec<Vec<(String, String)>> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let serde_json::Value::Object(obj) = item else {
            return Err(input_error("error-import-json-record").arg("row", i + 1).into());
        };
        let mut fields = Vec::new();
        for (k, v) in obj {
            flatten_json(&k, v, &mut fields);
        }
        records.push(fields);
    }
    keyed_table("json", records, limits)
}

fn flatten_json(key: &str, v: serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value as J;
    match v {
        J::Null => out.push((key.to_string(), String::new())),
        J::String(s) => out.push((key.to_string(), s)),
        J::Bool(b) => out.push((key.to_string(), b.to_string())),
        J::Number(n) => out.push((key.to_string(), n.to_string())),
        J::Array(a) => {
            let parts: Vec<String> = a
                .into_iter()
                .filter_map(|x| match x {
                    J::String(s) => Some(s),
                    J::Number(n) => Some(n.to_string()),
                    J::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            out.push((key.to_string(), parts.join("; ")))
        }
        J::Object(o) => {
            for (k, v) in o {
                flatten_json(&format!("{key}.{k}"), v, out);
            }
        }
    }
}

/// A table from records of (column, value) pairs; columns in order of first appearance.
fn keyed_table(format: &str, records: Vec<Vec<(String, String)>>, limits: &Limits) -> Result<Table> {
    let mut headers: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in &records {
        for (k, _) in r {
            if !index.contains_key(k) {
                index.insert(k.clone(), headers.len());
                headers.push(k.clone());
            }
        }
    }
    if headers.is_empty() {
        return Err(input_error("error-import-empty").into());
    }
    let width = headers.len();
    let total = records.len() as u64;
    let max_field = limits.max_field_bytes;
    let rows = records.into_iter().enumerate().map(move |(i, r)| {
        let mut cells = vec![String::new(); width];
        for (k, v) in r {
            if v.len() > max_field {
                return Err(input_error("error-import-field-too-large")
                    .arg("row", i + 1)
                    .arg("column", k)
                    .arg("max", max_field / 1024)
                    .into());
            }
            let cell = &mut cells[index[&k]];
            if cell.is_empty() {
                *cell = v;
            } else if !v.is_empty() {
                cell.push_str("; ");
                cell.push_str(&v);
            }
        }
        Ok(Row { number: i as u64 + 1, cells })
    });
    let rows: Vec<Result<Row>> = rows.collect();
    Ok(Table::new(
        SourceInfo { format: format.into(), header_row: 0, ..Default::default() },
        headers,
        Box::new(rows.into_iter()),
        ProgressSource::Rows { total },
    ))
}

// ---------------------------------------------------------------------------------------------
// XML

/// Records are the children of the root element; a record's fields are its attributes and its
/// child elements (a child holding repeated elements is a list, one holding different ones is
/// flattened as `field.child`). Documents that declare entities are refused before parsing:
/// that is the whole of the "billion laughs" attack, and no customer export needs them.
fn xml_table(path: &Path, size: u64, limits: &Limits) -> Result<Table> {
    use quick_xml::events::Event;
    let (text, _) = read_text(path, size, limits)?;
    let mut reader = quick_xml::Reader::from_str(&text);
    let err = |reader: &quick_xml::Reader<&[u8]>, detail: String| -> Error {
        let pos = reader.buffer_position() as usize;
        let line = text.as_bytes()[..pos.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1;
        input_error("error-import-xml").arg("line", line).arg("detail", detail).into()
    };
    let mut records: Vec<Vec<(String, String)>> = Vec::new();
    // Path of open element names below the root.
    let mut stack: Vec<String> = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    let mut text_buf = String::new();
    // Children names seen under the current field element, to tell lists from nested records.
    let mut field_children: Vec<String> = Vec::new();
    loop {
        let ev = reader.read_event().map_err(|e| err(&reader, e.to_string()))?;
        match ev {
            Event::DocType(d) => {
                let d = d.to_ascii_uppercase();
                if d.contains("<!ENTITY") {
                    return Err(input_error("error-import-xml-entities").into());
                }
            }
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                stack.push(name.clone());
                if stack.len() == 2 {
                    current = attributes(&e).map_err(|x| err(&reader, x))?;
                } else if stack.len() == 3 {
                    field_children.clear();
                } else if stack.len() == 4 {
                    field_children.push(name);
                } else if stack.len() > 4 {
                    return Err(err(&reader, "too deeply nested".into()));
                }
                text_buf.clear();
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                if stack.len() == 1 {
                    records.push(attributes(&e).map_err(|x| err(&reader, x))?);
                } else if stack.len() == 2 {
                    current.push((name, String::new()));
                }
            }
            Event::Text(t) => {
                text_buf.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) => {
                // quick-xml reports entity references separately; only the five predefined ones
                // and character references are allowed.
                let name = r.to_string();
                match r.resolve_char_ref().map_err(|e| err(&reader, e.to_string()))? {
                    Some(c) => text_buf.push(c),
                    None => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => text_buf.push_str(s),
                        None => return Err(input_error("error-import-xml-entities").into()),
                    },
                }
            }
            Event::CData(c) => text_buf.push_str(&c),
            Event::End(_) => {
                let depth = stack.len();
                let name = stack.pop().unwrap_or_default();
                if depth == 2 {
                    records.push(std::mem::take(&mut current));
                } else if depth == 3 {
                    if field_children.is_empty() {
                        current.push((name, text_buf.trim().to_string()));
                    }
                } else if depth == 4 {
                    let parent = stack.last().cloned().unwrap_or_default();
                    let list = field_children.iter().all(|c| *c == field_children[0]);
                    let key = if list { parent } else { format!("{parent}.{name}") };
                    current.push((key, text_buf.trim().to_string()));
                }
                text_buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(err(&reader, "unexpected end of file".into()));
    }
    keyed_table("xml", records, limits)
}

/// A record element's attributes as fields (entity references in them resolved, predefined only).
fn attributes(e: &quick_xml::events::BytesStart<'_>) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| x.to_string())?;
        let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|x| x.to_string())?;
        out.push((a.key.local_name().as_ref().to_string(), v.into_owned()));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// vCard

/// vCard 2.1 text without a CHARSET is Latin-1 by the standard, but phones write UTF-8 there
/// (QUOTED-PRINTABLE "=E5=A4=A9" is 天): when the Latin-1 reading is exactly UTF-8 bytes, use those.
fn latin1_mojibake_to_utf8(s: &str) -> String {
    if s.chars().all(|c| (c as u32) < 0x100) && s.chars().any(|c| (c as u32) >= 0x80) {
        let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
        if let Ok(t) = String::from_utf8(bytes) {
            return t;
        }
    }
    s.to_string()
}

/// Reads vCards 2.1/3.0/4.0 (calcard decodes QUOTED-PRINTABLE and CHARSET) into columns named
/// after their properties; `X-BANYAN-*` properties (our own export) come back as the fields they
/// stand for.
fn vcard_table(path: &Path, size: u64, limits: &Limits) -> Result<Table> {
    use calcard::vcard::{VCardProperty as P, VCardValue};
    let (text, enc) = read_text(path, size, limits)?;
    if !text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return Err(input_error("error-import-vcard").arg("row", 1).into());
    }
    let mut parser = calcard::Parser::new(&text);
    let mut records: Vec<Vec<(String, String)>> = Vec::new();
    loop {
        match parser.entry() {
            calcard::Entry::VCard(card) => {
                let mut rec: Vec<(String, String)> = Vec::new();
                let mut push = |col: &str, v: String| {
                    let v = latin1_mojibake_to_utf8(v.trim());
                    if !v.is_empty() {
                        rec.push((col.to_string(), v));
                    }
                };
                for e in &card.entries {
                    let texts: Vec<String> = e
                        .values
                        .iter()
                        .map(|v| match v {
                            VCardValue::Text(t) => t.clone(),
                            VCardValue::Component(parts) => parts.join(" "),
                            VCardValue::Kind(k) => format!("{k:?}").to_lowercase(),
                            VCardValue::Integer(i) => i.to_string(),
                            VCardValue::Float(f) => f.to_string(),
                            _ => String::new(),
                        })
                        .collect();
                    match &e.name {
                        P::Fn => push("FN", texts.join(" ")),
                        P::N => {
                            // N is family;given;additional;prefix;suffix.
                            let family = texts.first().cloned().unwrap_or_default();
                            let given = texts.get(1).cloned().unwrap_or_default();
                            let cjk = family.chars().chain(given.chars()).any(crate::is_han);
                            let full = if cjk {
                                format!("{family}{given}")
                            } else {
                                format!("{given} {family}").trim().to_string()
                            };
                            push("N", full)
                        }
                        P::Kind => push("KIND", texts.join("")),
                        P::Org => {
                            push("ORG", texts.iter().filter(|t| !t.is_empty()).cloned().collect::<Vec<_>>().join(" "))
                        }
                        P::Tel => texts.into_iter().for_each(|t| push("TEL", t.trim_start_matches("tel:").to_string())),
                        P::Email => {
                            texts.into_iter().for_each(|t| push("EMAIL", t.trim_start_matches("mailto:").to_string()))
                        }
                        P::Adr => {
                            // ADR is pobox;ext;street;locality;region;code;country.
                            let get = |i: usize| texts.get(i).cloned().unwrap_or_default();
                            let street: Vec<String> =
                                [get(0), get(1), get(2)].into_iter().filter(|s| !s.is_empty()).collect();
                            push("ADR", street.join(" "));
                            push("CITY", get(3));
                            push("COUNTRY", get(6));
                        }
                        P::Note => push("NOTE", texts.join("\n")),
                        P::Categories => texts.into_iter().for_each(|t| push("CATEGORIES", t)),
                        P::Title => push("TITLE", texts.join(" ")),
                        P::Uid => {
                            // Only our own ids identify a customer; other systems' UIDs are not ours.
                            let uid = texts.join("");
                            let uid = uid.trim_start_matches("urn:uuid:");
                            if uuid::Uuid::try_parse(uid).is_ok() {
                                push("UID", uid.to_string());
                            }
                        }
                        P::Other(name) => {
                            let upper = name.to_ascii_uppercase();
                            if let Some(field) = upper.strip_prefix("X-BANYAN-") {
                                let col = match field.strip_prefix("CUSTOM-") {
                                    Some(k) => format!("custom.{}", k.to_lowercase()),
                                    None => field.to_lowercase(),
                                };
                                push(&col, texts.join(" "));
                            }
                        }
                        _ => {}
                    }
                }
                records.push(rec);
            }
            calcard::Entry::Eof => break,
            calcard::Entry::InvalidLine(_) => {}
            _ => {
                return Err(input_error("error-import-vcard").arg("row", records.len() + 1).into());
            }
        }
    }
    drop(text);
    let mut t = keyed_table("vcf", records, limits)?;
    t.info.encoding = Some(encoding_label(enc));
    Ok(t)
}
