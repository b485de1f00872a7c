//! Readers: every supported file becomes a [`Table`], a header row plus a stream of text rows that
//! carry their row number in the source, so every later error can say "row 1042, column 手机".
//!
//! CSV streams (bounded memory for any size); spreadsheets, JSON, XML and vCard are read with
//! their crates' own parsers, after checks that keep hostile files (zip bombs, entity expansion,
//! oversized fields) from exhausting memory.

use crate::{Error, Format, Limits, Result, input_error};
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a reader can read from: a file, or bytes in memory. Readers seek (workbooks are zip or
/// compound files) and move to the import's thread.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Where a file's bytes are: on disk, or already in memory (an upload spooled by the API, a fuzz
/// input), so no reader needs a temporary file.
#[derive(Clone)]
pub enum Source {
    File(PathBuf),
    /// The bytes and the name they came under (its extension tells the format).
    Memory {
        name: String,
        bytes: Arc<[u8]>,
    },
}

impl Source {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Source::File(path.into())
    }

    pub fn memory(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        Source::Memory { name: name.into(), bytes: bytes.into() }
    }

    /// The file name, for format detection by extension.
    pub fn name(&self) -> &Path {
        match self {
            Source::File(p) => p,
            Source::Memory { name, .. } => Path::new(name),
        }
    }

    pub fn len(&self) -> std::io::Result<u64> {
        Ok(match self {
            Source::File(p) => std::fs::metadata(p)?.len(),
            Source::Memory { bytes, .. } => bytes.len() as u64,
        })
    }

    pub fn is_empty(&self) -> std::io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// A buffered reader from the first byte.
    pub fn reader(&self) -> std::io::Result<Box<dyn ReadSeek>> {
        Ok(match self {
            Source::File(p) => Box::new(BufReader::with_capacity(256 * 1024, std::fs::File::open(p)?)),
            Source::Memory { bytes, .. } => Box::new(Cursor::new(bytes.clone())),
        })
    }

    /// Up to `n` bytes from the start.
    pub fn head(&self, n: usize) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(n.min(1 << 20));
        self.reader()?.take(n as u64).read_to_end(&mut out)?;
        Ok(out)
    }

    /// The whole content (callers check the size first).
    fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        Ok(match self {
            Source::File(p) => std::borrow::Cow::Owned(std::fs::read(p)?),
            Source::Memory { bytes, .. } => std::borrow::Cow::Borrowed(bytes),
        })
    }
}

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
    open_source(&Source::file(path), opts)
}

/// Opens any supported file, on disk or in memory.
pub fn open_source(src: &Source, opts: &ReadOptions) -> Result<Table> {
    let size = src.len()?;
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect_source(src)?,
    };
    match format {
        Format::Csv | Format::Tsv => csv_table(src, format, size, &opts.limits),
        Format::Xlsx | Format::Xls | Format::Ods => sheet_table(src, format, size, opts),
        Format::Json => json_table(src, size, &opts.limits),
        Format::Xml => xml_table(src, size, &opts.limits),
        Format::Vcard => vcard_table(src, size, &opts.limits),
    }
}

/// Reads `data` as a file of `format` to the end, ignoring what it finds: the body of the fuzz
/// targets (fuzz/) and of the regression test that replays their findings. Small limits keep
/// each run fast; the point is that no input panics or hangs.
#[doc(hidden)]
pub fn fuzz_one(data: &[u8], format: Format) {
    // libFuzzer's panic hook aborts at once; panics inside `guarded` are caught and reported as
    // errors there, as they are for users, so only they are let through to it.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.get() {
                prev(info)
            }
        }));
    });
    let src = Source::memory(format!("input.{}", format.as_str()), data);
    let opts = ReadOptions {
        format: Some(format),
        limits: Limits {
            max_field_bytes: 64 * 1024,
            max_document_bytes: 4 * 1024 * 1024,
            max_unzipped_bytes: 64 * 1024 * 1024,
            max_zip_ratio: 200,
            max_columns: 1024,
            max_cells: 4 * 1024 * 1024,
        },
        ..Default::default()
    };
    if let Ok(table) = open_source(&src, &opts) {
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
fn read_text(src: &Source, size: u64, limits: &Limits) -> Result<(String, &'static encoding_rs::Encoding)> {
    if size > limits.max_document_bytes {
        return Err(input_error("error-import-too-large").arg("max", limits.max_document_bytes / (1024 * 1024)).into());
    }
    let bytes = src.bytes()?;
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

/// A csv-core reader for a delimiter. Building one compiles its state machine, which costs more
/// than reading a small file (and a copy does not keep the machine), so readers are kept for
/// reuse on each thread, reset, by [`reader_done`].
fn csv_core_reader(delimiter: u8) -> csv_core::Reader {
    let kept = CSV_READERS.with(|p| {
        let mut p = p.borrow_mut();
        p.iter().position(|(d, _)| *d == delimiter).map(|i| p.swap_remove(i).1)
    });
    kept.unwrap_or_else(|| csv_core::ReaderBuilder::new().delimiter(delimiter).build())
}

fn reader_done(delimiter: u8, mut r: csv_core::Reader) {
    r.reset();
    CSV_READERS.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < 8 {
            p.push((delimiter, r));
        }
    });
}

thread_local! {
    static CSV_READERS: std::cell::RefCell<Vec<(u8, csv_core::Reader)>> = const { std::cell::RefCell::new(Vec::new()) };
}

const SNIFFED: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter that splits the sample's lines into the same number (> 1) of fields most
/// consistently. Written here because the csv crate does not sniff and the sniffing crates are
/// unmaintained; the parse itself is still csv-core's, quotes included.
pub fn sniff_delimiter(sample: &str) -> u8 {
    use csv_core::ReadFieldResult as R;
    let mut best = (b',', 0usize);
    for d in SNIFFED {
        let mut rdr = csv_core_reader(d);
        let mut input = sample.as_bytes();
        let mut scratch = [0u8; 1024];
        let mut counts: HashMap<usize, usize> = HashMap::new();
        let (mut records, mut fields) = (0usize, 0usize);
        while records < 50 {
            let (res, nin, _) = rdr.read_field(input, &mut scratch);
            input = &input[nin..];
            match res {
                R::InputEmpty | R::OutputFull => {}
                R::Field { record_end } => {
                    fields += 1;
                    if record_end {
                        records += 1;
                        if fields > 1 {
                            *counts.entry(fields).or_default() += 1;
                        }
                        fields = 0;
                    }
                }
                R::End => break,
            }
        }
        reader_done(d, rdr);
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

fn csv_table(src: &Source, format: Format, size: u64, limits: &Limits) -> Result<Table> {
    let mut file = src.reader()?;
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut sample)?;
    let n = sample.len();
    let enc = detect_encoding(&sample, (n as u64) == size);
    let delimiter = if format == Format::Tsv {
        b'\t'
    } else {
        let (text, _, _) = enc.decode(&sample);
        sniff_delimiter(&text)
    };
    file.seek(SeekFrom::Start(0))?;
    let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = Counting { inner: file, read: read.clone() };
    // The decoder strips a BOM and turns any encoding into UTF-8 as the bytes stream through.
    let decoded =
        encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(enc)).bom_override(true).build(counting);
    let mut records = BoundedCsv::new(Box::new(decoded), delimiter, limits, size)
        // Cells a spreadsheet-safe writer quoted (`'=…`, see `formula`) are read back as the
        // values they stand for.
        .map(|r| {
            r.map(|mut row| {
                for c in row.cells.iter_mut() {
                    let cut = c.len() - crate::formula::restore(c).len();
                    if cut > 0 {
                        c.drain(..cut);
                    }
                }
                row
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

/// CSV records parsed by csv-core (the csv crate's own state machine, same quoting rules) into
/// buffers this reader bounds: the csv crate's record reader grows its buffer until a record
/// ends, so one stray quote or a 2 GB line was held whole before any check. Here no field grows
/// past the field limit and no record past the column cap; the error names the row and column.
struct BoundedCsv {
    input: Box<dyn Read + Send>,
    core: csv_core::Reader,
    delimiter: u8,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    done: bool,
    field: Vec<u8>,
    /// Quote characters among the raw bytes of the field being read, and whether it opened with
    /// one: a field still open at the end of the file has an odd count.
    quotes: usize,
    quoted: bool,
    max_field: usize,
    max_columns: usize,
    /// Rows are numbered as a spreadsheet shows the file: one row per record (a quoted line
    /// break does not start a new row), the header being row 1 when it is the first line.
    record_no: u64,
}

impl BoundedCsv {
    /// `size`: the source's size, so a small file gets a small buffer.
    fn new(input: Box<dyn Read + Send>, delimiter: u8, limits: &Limits, size: u64) -> Self {
        let buffer = (size as usize).saturating_add(1).clamp(4096, 256 * 1024);
        Self {
            input,
            core: csv_core_reader(delimiter),
            delimiter,
            buf: vec![0u8; buffer].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            done: false,
            field: vec![0u8; 4096],
            quotes: 0,
            quoted: false,
            max_field: limits.max_field_bytes,
            max_columns: limits.max_columns,
            record_no: 0,
        }
    }

    fn too_large(&self, column: usize, flen: usize) -> Error {
        let row = self.record_no + 1;
        // A field that runs over many lines is almost always a quote never closed.
        let id = if self.quoted && self.field[..flen.min(self.field.len())].contains(&b'\n') {
            "error-import-csv-quote"
        } else {
            "error-import-field-too-large"
        };
        input_error(id).arg("row", row).arg("column", column).arg("max", self.max_field / 1024).into()
    }

    fn next_record(&mut self) -> Result<Option<Row>> {
        use csv_core::ReadFieldResult as R;
        let mut cells: Vec<String> = Vec::new();
        let mut flen = 0usize;
        let mut fresh = true;
        loop {
            if self.pos == self.len && !self.eof {
                self.len = loop {
                    match self.input.read(&mut self.buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                            return Err(input_error("error-import-csv")
                                .arg("row", self.record_no + 1)
                                .arg("detail", e.to_string())
                                .into());
                        }
                        Err(e) => return Err(e.into()),
                    }
                };
                self.pos = 0;
                self.eof = self.len == 0;
            }
            let input = &self.buf[self.pos..self.len];
            if fresh {
                // The field's first byte, past the line break csv-core may leave after a record.
                if let Some(b) = input.iter().find(|b| !matches!(b, b'\r' | b'\n')) {
                    self.quoted = *b == b'"';
                    fresh = false;
                }
            }
            let (res, nin, nout) = self.core.read_field(input, &mut self.field[flen..]);
            self.quotes += memchr::memchr_iter(b'"', &input[..nin]).count();
            self.pos += nin;
            flen += nout;
            match res {
                R::InputEmpty => continue,
                R::OutputFull => {
                    if flen > self.max_field {
                        return Err(self.too_large(cells.len() + 1, flen));
                    }
                    let grown = (self.field.len() * 2).min(self.max_field + 1).max(self.field.len() + 1);
                    self.field.resize(grown, 0);
                }
                R::Field { record_end } => {
                    if flen > self.max_field {
                        return Err(self.too_large(cells.len() + 1, flen));
                    }
                    if self.eof && self.quoted && self.quotes % 2 == 1 {
                        return Err(input_error("error-import-csv-quote")
                            .arg("row", self.record_no + 1)
                            .arg("column", cells.len() + 1)
                            .arg("max", self.max_field / 1024)
                            .into());
                    }
                    if cells.len() >= self.max_columns {
                        return Err(input_error("error-import-too-many-columns")
                            .arg("row", self.record_no + 1)
                            .arg("max", self.max_columns)
                            .into());
                    }
                    // The decoder hands out UTF-8; a field holds whole characters.
                    cells.push(String::from_utf8_lossy(&self.field[..flen]).into_owned());
                    flen = 0;
                    fresh = true;
                    self.quotes = 0;
                    self.quoted = false;
                    if record_end {
                        self.record_no += 1;
                        return Ok(Some(Row { number: self.record_no, cells }));
                    }
                }
                R::End => return Ok(None),
            }
        }
    }
}

impl Drop for BoundedCsv {
    fn drop(&mut self) {
        let core = std::mem::take(&mut self.core);
        reader_done(self.delimiter, core);
    }
}

impl Iterator for BoundedCsv {
    type Item = Result<Row>;
    fn next(&mut self) -> Option<Result<Row>> {
        if self.done {
            return None;
        }
        let r = self.next_record().transpose();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
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

/// The entries of a zip-based workbook (xlsx, xlsm, xlsb, ods), checked before calamine
/// inflates them: the declared uncompressed size must stay within the limit and no entry may
/// compress better than a real spreadsheet ever does. Returns each entry's name and size.
fn check_zip(src: &Source, limits: &Limits) -> Result<Vec<(String, u64)>> {
    let mut archive =
        zip::ZipArchive::new(src.reader()?).map_err(|_| Error::from(input_error("error-import-not-workbook")))?;
    let mut total: u64 = 0;
    let mut entries = Vec::with_capacity(archive.len().min(4096));
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| Error::from(input_error("error-import-not-workbook")))?;
        total = total.saturating_add(entry.size());
        let ratio = entry.size() / entry.compressed_size().max(1);
        if entry.size() > 1024 * 1024 && ratio > limits.max_zip_ratio {
            return Err(input_error("error-import-zip-bomb").into());
        }
        entries.push((entry.name().map(|n| n.into_owned()).unwrap_or_default(), entry.size()));
    }
    if total > limits.max_unzipped_bytes {
        return Err(input_error("error-import-zip-bomb").into());
    }
    Ok(entries)
}

/// Reads one zip entry's XML events with `f` until it returns `Some`.
fn scan_zip_xml<T>(
    src: &Source,
    entry: &str,
    mut f: impl FnMut(&quick_xml::events::Event<'_>) -> Result<Option<T>>,
) -> Result<Option<T>> {
    let bad = || Error::from(input_error("error-import-not-workbook"));
    let mut archive = zip::ZipArchive::new(src.reader()?).map_err(|_| bad())?;
    let file = archive.by_name(entry).map_err(|_| bad())?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(file));
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        let ev = xml.read_event_into(&mut buf).map_err(|e| sheet_error(&e.to_string()))?;
        if matches!(ev, quick_xml::events::Event::Eof) {
            return Ok(None);
        }
        if let Some(t) = f(&ev)? {
            return Ok(Some(t));
        }
    }
}

fn attr_number(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<u64> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).and_then(|a| a.value.trim().parse().ok())
}

/// A workbook that says more than it holds: calamine reserves room for the texts an XLSX's
/// shared-string table declares (`uniqueCount`) before reading one, so a few hundred bytes that
/// claim a billion texts took all memory. A text needs at least `<si/>`, five bytes.
fn check_shared_strings(src: &Source, entries: &[(String, u64)]) -> Result<()> {
    for (name, size) in entries.iter().filter(|(n, _)| n.to_ascii_lowercase().ends_with("sharedstrings.xml")) {
        let claimed = scan_zip_xml(src, name, |ev| {
            Ok(match ev {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.local_name().as_ref() == "sst" =>
                {
                    Some(attr_number(e, "uniqueCount").unwrap_or(0))
                }
                _ => None,
            })
        })?
        .unwrap_or(0);
        if claimed > size / 5 + 1 {
            return Err(input_error("error-import-workbook-counts").arg("claimed", claimed).arg("bytes", *size).into());
        }
    }
    Ok(())
}

/// calamine lays an ODS table out whole, repeated rows and columns expanded, from its first
/// value to its last: a small file that repeats a row a million times and puts a value at its
/// end asked for 100 million cells. Sums, per table, the rows × columns it would lay out (and the
/// cells it keeps per row element before that) against the cell budget, before calamine starts.
fn check_ods(src: &Source, limits: &Limits) -> Result<()> {
    use quick_xml::events::Event;
    const MAX_ROWS: u64 = 1_048_576;
    const MAX_COLUMNS: u64 = 16_384;
    #[derive(Default)]
    struct T {
        rows: u64,
        first: Option<u64>,
        last_end: u64,
        width: u64,
        raw: u64,
        row_cols: u64,
        row_width: u64,
        row_repeat: u64,
        in_cell: bool,
        cell_repeat: u64,
        cell_value: bool,
    }
    let mut total: u64 = 0;
    let mut t = T::default();
    let mut in_table = false;
    let over = |n: u64| n > limits.max_cells;
    let refused = || Error::from(input_error("error-import-too-many-cells").arg("max", limits.max_cells));
    let end_cell = |t: &mut T| {
        let n = t.cell_repeat.min(MAX_COLUMNS.saturating_sub(t.row_cols));
        t.row_cols += n;
        if t.cell_value {
            t.row_width = t.row_cols;
        }
        t.in_cell = false;
    };
    scan_zip_xml(src, "content.xml", |ev| {
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let closed = matches!(ev, Event::Empty(_));
                match e.name().as_ref() {
                    "table:table" if !closed => {
                        in_table = true;
                        t = T::default();
                    }
                    "table:table-row" if in_table => {
                        t.row_repeat = attr_number(e, "table:number-rows-repeated").unwrap_or(1).max(1);
                        t.row_cols = 0;
                        t.row_width = 0;
                    }
                    "table:table-cell" | "table:covered-table-cell" if in_table => {
                        t.cell_repeat = attr_number(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                        t.cell_value = e
                            .attributes()
                            .flatten()
                            .any(|a| matches!(a.key.as_ref(), "office:value-type" | "table:formula" | "office:value"));
                        t.in_cell = true;
                        if closed {
                            end_cell(&mut t);
                        }
                    }
                    "text:p" | "text:span" if t.in_cell => t.cell_value = true,
                    _ => {}
                }
            }
            Event::Text(x) if t.in_cell && !x.as_ref().trim().is_empty() => t.cell_value = true,
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" if t.in_cell => end_cell(&mut t),
                "table:table-row" if in_table => {
                    let repeat = t.row_repeat.min(MAX_ROWS.saturating_sub(t.rows));
                    t.raw += t.row_cols;
                    if t.row_width > 0 {
                        t.first.get_or_insert(t.rows);
                        t.last_end = t.rows + repeat;
                        t.width = t.width.max(t.row_width);
                    }
                    t.rows += repeat;
                    if over(t.raw) {
                        return Err(refused());
                    }
                }
                "table:table" if in_table => {
                    in_table = false;
                    let area = t.first.map_or(0, |f| (t.last_end - f).saturating_mul(t.width));
                    total = total.saturating_add(area).saturating_add(t.raw);
                    if over(total) {
                        return Err(refused());
                    }
                }
                _ => {}
            },
            _ => {}
        }
        Ok(None::<()>)
    })?;
    Ok(())
}

/// Excel 97–2003 (and WPS .et) workbooks are OLE compound files. calamine trusts their sector
/// chains, and a crafted file with a looping chain makes it allocate without end (found by
/// fuzz/read_xlsx; kept in fuzz/regressions/). The `cfb` crate checks the structure and the chains
/// first, and every stream is read once within the size budget before calamine sees the file;
/// then the workbook stream's sheets are measured (`check_biff`).
fn check_cfb(src: &Source, limits: &Limits) -> Result<()> {
    let bad = || Error::from(input_error("error-import-not-workbook"));
    let mut doc = cfb::CompoundFile::open(src.reader()?).map_err(|_| bad())?;
    let streams: Vec<std::path::PathBuf> =
        doc.walk().filter(|e| e.is_stream()).map(|e| e.path().to_path_buf()).collect();
    let mut budget = limits.max_unzipped_bytes;
    let mut workbook: Option<Vec<u8>> = None;
    for s in streams {
        let mut stream = doc.open_stream(&s).map_err(|_| bad())?;
        let name = s.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_book = matches!(name, "Workbook" | "Book" | "WORKBOOK" | "BOOK");
        let mut limited = (&mut stream).take(budget.saturating_add(1));
        let read = if is_book && workbook.is_none() {
            let mut v = Vec::new();
            limited.read_to_end(&mut v).map_err(|_| bad())?;
            let n = v.len() as u64;
            workbook = Some(v);
            n
        } else {
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(|_| bad())?
        };
        if read > budget {
            return Err(input_error("error-import-zip-bomb").into());
        }
        budget -= read;
    }
    match workbook {
        Some(w) => check_biff(&w, limits),
        None => Err(bad()),
    }
}

/// Measures an XLS workbook stream's sheets as calamine will lay them out: calamine reserves a
/// sheet's declared DIMENSIONS (rows up to 2³², so a crafted record asks for terabytes) and then
/// lays out every cell from the first to the last (a value at A1 and one at IV65536, or at column
/// 65,535, which BIFF's 16-bit columns allow). Walked by hand because no crate reads BIFF records
/// without building those layouts; the walk follows calamine's own: the sheets its BOUNDSHEET
/// records point at, to their EOF, nested chart substreams skipped.
fn check_biff(stream: &[u8], limits: &Limits) -> Result<()> {
    let damaged = || Error::from(input_error("error-import-not-workbook"));
    let refused = || Error::from(input_error("error-import-too-many-cells").arg("max", limits.max_cells));
    let u16_at = |d: &[u8], i: usize| d.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as u32);
    let u32_at = |d: &[u8], i: usize| d.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    // Records from `pos`: (type, data).
    let records = |mut pos: usize| {
        std::iter::from_fn(move || {
            let head = stream.get(pos..pos + 4)?;
            let typ = u16::from_le_bytes([head[0], head[1]]);
            let len = u16::from_le_bytes([head[2], head[3]]) as usize;
            let data = stream.get(pos + 4..pos + 4 + len)?;
            pos += 4 + len;
            Some((typ, data))
        })
    };
    let mut sheets: Vec<usize> = Vec::new();
    for (typ, data) in records(0) {
        match typ {
            0x0085 => sheets.extend(u32_at(data, 0).map(|p| p as usize)),
            0x000A => break,
            _ => {}
        }
    }
    let mut total: u64 = 0;
    for pos in sheets {
        if pos >= stream.len() {
            continue;
        }
        let (mut seen_bof, mut depth) = (false, 0usize);
        let mut bbox: Option<(u32, u32, u32, u32)> = None;
        let mut grow = |r: u32, c0: u32, c1: u32| {
            let b = bbox.get_or_insert((r, r, c0, c1));
            *b = (b.0.min(r), b.1.max(r), b.2.min(c0), b.3.max(c1));
        };
        for (typ, data) in records(pos) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                0x0200 => {
                    // calamine's reading of DIMENSIONS: first row, last row + 1, first column,
                    // last column + 1 (16-bit rows in BIFF5, 32-bit in BIFF8).
                    let (rf, rl, cf, cl) = match data.len() {
                        10 => (u16_at(data, 0), u16_at(data, 2), u16_at(data, 4), u16_at(data, 6)),
                        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8), u16_at(data, 10)),
                        _ => continue,
                    };
                    let (Some(rf), Some(rl), Some(c), Some(cl)) = (rf, rl, cf, cl) else { continue };
                    let cf = if c > 0xFF || cl < c { 0 } else { c };
                    if rl >= 1 && cl >= 1 {
                        if rl - 1 < rf || cl - 1 < cf {
                            return Err(damaged());
                        }
                        let area = (rl - rf) as u64 * (cl - cf) as u64;
                        if area > limits.max_cells {
                            return Err(refused());
                        }
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        grow(r, c, c);
                    }
                }
                0x00BD => {
                    if let (Some(r), Some(c0), Some(c1)) =
                        (u16_at(data, 0), u16_at(data, 2), data.len().checked_sub(2).and_then(|i| u16_at(data, i)))
                    {
                        grow(r, c0.min(c1), c0.max(c1));
                    }
                }
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = bbox {
            let area = (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64;
            total = total.saturating_add(area);
            if total > limits.max_cells {
                return Err(refused());
            }
        }
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

/// [`cell_text`] for a cell streamed from the sheet, without copying its text twice.
fn ref_text(c: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef as D;
    match c {
        D::String(s) | D::DateTimeIso(s) | D::DurationIso(s) => s.clone(),
        D::SharedString(s) => s.to_string(),
        D::Empty | D::Error(_) => String::new(),
        D::Int(i) => i.to_string(),
        D::Float(f) => float_text(*f),
        D::Bool(b) => b.to_string(),
        D::DateTime(dt) => cell_text(&calamine::Data::DateTime(*dt)),
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

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a third-party parser, turning its panic into a clean error: calamine indexes past the
/// end of some damaged XLS records (found by fuzz/read_xlsx, kept in fuzz/regressions/), and a
/// user should read "the workbook cannot be read", not lose the window.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let was = GUARDED.replace(true);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.set(was);
    r.unwrap_or_else(|_| Err(input_error("error-import-not-workbook").into()))
}

/// The kinds of workbook calamine reads, told apart by content (a renamed file still opens).
#[derive(Clone, Copy, PartialEq, Eq)]
enum BookKind {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

fn sheet_table(src: &Source, format: Format, size: u64, opts: &ReadOptions) -> Result<Table> {
    let limits = &opts.limits;
    if size > limits.max_document_bytes {
        return Err(input_error("error-import-too-large").arg("max", limits.max_document_bytes / (1024 * 1024)).into());
    }
    let magic = src.head(4)?;
    let kind = if magic == b"PK\x03\x04" {
        let entries = check_zip(src, limits)?;
        let has = |n: &str| entries.iter().any(|(e, _)| e.eq_ignore_ascii_case(n));
        if has("xl/workbook.bin") {
            BookKind::Xlsb
        } else if has("content.xml") && !has("xl/workbook.xml") {
            check_ods(src, limits)?;
            BookKind::Ods
        } else {
            check_shared_strings(src, &entries)?;
            BookKind::Xlsx
        }
    } else if magic == [0xD0, 0xCF, 0x11, 0xE0] {
        check_cfb(src, limits)?;
        BookKind::Xls
    } else {
        return Err(input_error("error-import-not-workbook").into());
    };
    let rs = src.reader()?;
    let (sheet, sheets, cells) = guarded(|| read_book(rs, kind, opts))?;
    let mut rows = cells.finish();
    let h = header_index(&rows).ok_or_else(|| Error::from(input_error("error-import-empty")))?;
    let body: Vec<SparseRow> = rows.split_off(h + 1);
    let header = rows.pop().expect("the header row");
    let width = header.width();
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
        clean_headers(header.dense(width)),
        Box::new(body.into_iter().map(move |r| Ok(Row { number: r.number, cells: r.dense(width) }))),
        ProgressSource::Rows { total },
    ))
}

/// Opens the workbook with calamine and gathers the chosen sheet's cells.
fn read_book(rs: Box<dyn ReadSeek>, kind: BookKind, opts: &ReadOptions) -> Result<(String, Vec<String>, SparseRows)> {
    use calamine::{Reader, Sheets};
    let limits = &opts.limits;

    let err = |e: &dyn std::fmt::Display| sheet_error(&e.to_string());
    let mut book: Sheets<Box<dyn ReadSeek>> = match kind {
        BookKind::Xlsx => Sheets::Xlsx(calamine::Xlsx::new(rs).map_err(|e| err(&e))?),
        BookKind::Xlsb => Sheets::Xlsb(calamine::Xlsb::new(rs).map_err(|e| err(&e))?),
        BookKind::Xls => Sheets::Xls(calamine::Xls::new(rs).map_err(|e| err(&e))?),
        BookKind::Ods => Sheets::Ods(calamine::Ods::new(rs).map_err(|e| err(&e))?),
    };
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
    // XLSX and XLSB cells stream from the sheet one at a time (calamine's own range would lay out
    // every cell from A1 to the last, however far apart); XLS and ODS were measured above.
    let mut cells = SparseRows::new(limits);
    match &mut book {
        Sheets::Xlsx(x) => {
            let mut r = x.worksheet_cells_reader(&sheet).map_err(|e| err(&e))?;
            while let Some(c) = r.next_cell().map_err(|e| err(&e))? {
                let pos = c.get_position();
                cells.put(pos, ref_text(c.get_value()))?;
            }
        }
        Sheets::Xlsb(x) => {
            let mut r = x.worksheet_cells_reader(&sheet).map_err(|e| err(&e))?;
            while let Some(c) = r.next_cell().map_err(|e| err(&e))? {
                let pos = c.get_position();
                cells.put(pos, ref_text(c.get_value()))?;
            }
        }
        book => {
            let range = book.worksheet_range(&sheet).map_err(|e| err(&e))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, c, v) in range.used_cells() {
                cells.put((r0 + r as u32, c0 + c as u32), cell_text(v))?;
            }
        }
    }
    Ok((sheet, sheets, cells))
}

/// A row kept as only its values (column, text), laid out when it is handed on: a file whose
/// rows hold a few values each, spread over many columns, costs what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseRow {
    pub number: u64,
    cells: Vec<(u32, String)>,
}

impl SparseRow {
    /// One past the last column with a value.
    pub fn width(&self) -> usize {
        self.cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0)
    }

    /// The row as cells, at least `width` of them.
    pub fn dense(self, width: usize) -> Vec<String> {
        let mut out = vec![String::new(); width.max(self.width())];
        for (c, v) in self.cells {
            let cell = &mut out[c as usize];
            if cell.is_empty() {
                *cell = v;
            } else if !v.is_empty() {
                cell.push_str("; ");
                cell.push_str(&v);
            }
        }
        out
    }

    fn filled(&self) -> usize {
        self.cells.iter().filter(|(_, v)| !v.trim().is_empty()).count()
    }
}

/// Cells gathered into sparse rows within the column cap, the field limit and the cell budget.
struct SparseRows {
    rows: Vec<SparseRow>,
    cells: u64,
    sorted: bool,
    max_cells: u64,
    max_columns: usize,
    max_field: usize,
}

impl SparseRows {
    fn new(limits: &Limits) -> Self {
        Self {
            rows: Vec::new(),
            cells: 0,
            sorted: true,
            max_cells: limits.max_cells,
            max_columns: limits.max_columns,
            max_field: limits.max_field_bytes,
        }
    }

    /// A value at (row, column), both from 0.
    fn put(&mut self, (row, col): (u32, u32), text: String) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        let number = row as u64 + 1;
        if col as usize >= self.max_columns {
            return Err(input_error("error-import-too-many-columns")
                .arg("row", number)
                .arg("max", self.max_columns)
                .into());
        }
        if text.len() > self.max_field {
            return Err(input_error("error-import-field-too-large")
                .arg("row", number)
                .arg("column", col + 1)
                .arg("max", self.max_field / 1024)
                .into());
        }
        self.cells += 1;
        if self.cells > self.max_cells {
            return Err(input_error("error-import-too-many-cells").arg("max", self.max_cells).into());
        }
        match self.rows.last_mut() {
            Some(last) if last.number == number => last.cells.push((col, text)),
            last => {
                if last.is_some_and(|l| l.number > number) {
                    self.sorted = false;
                }
                self.rows.push(SparseRow { number, cells: vec![(col, text)] });
            }
        }
        Ok(())
    }

    /// The rows in order, a row met twice (cells out of order in the file) joined.
    fn finish(mut self) -> Vec<SparseRow> {
        if !self.sorted {
            self.rows.sort_by_key(|r| r.number);
            let mut joined: Vec<SparseRow> = Vec::with_capacity(self.rows.len());
            for r in self.rows {
                match joined.last_mut() {
                    Some(last) if last.number == r.number => last.cells.extend(r.cells),
                    _ => joined.push(r),
                }
            }
            self.rows = joined;
        }
        for r in &mut self.rows {
            r.cells.sort_by_key(|(c, _)| *c);
        }
        self.rows
    }
}

fn sheet_error(detail: &str) -> Error {
    input_error("error-import-workbook").arg("detail", detail).into()
}

/// The header row of a sheet: the first of its first rows whose non-blank cells cover at least
/// half of the widest row (titles such as "客户名单 2009" in a merged first cell are skipped).
pub fn header_index(rows: &[SparseRow]) -> Option<usize> {
    let filled = |r: &SparseRow| r.filled();
    let width = rows.iter().take(20).map(filled).max()?;
    if width == 0 {
        return None;
    }
    rows.iter().take(20).position(|r| filled(r) * 2 >= width && filled(r) >= width.min(2))
}

// ---------------------------------------------------------------------------------------------
// JSON

fn json_table(src: &Source, size: u64, limits: &Limits) -> Result<Table> {
    use serde::de::DeserializeSeed;
    let (text, _) = read_text(src, size, limits)?;
    let mut keyed = Keyed::new(limits);
    let mut stop: Option<Error> = None;
    let mut de = serde_json::Deserializer::from_str(&text);
    let found = Records { keyed: &mut keyed, stop: &mut stop, top: true }
        .deserialize(&mut de)
        .and_then(|f| de.end().map(|_| f));
    if let Some(e) = stop {
        return Err(e);
    }
    match found {
        Err(e) => Err(input_error("error-import-json").arg("line", e.line()).arg("detail", e.to_string()).into()),
        Ok(false) => Err(input_error("error-import-json-shape").into()),
        Ok(true) => keyed.finish("json"),
    }
}

/// The JSON document: an array of records, or an object holding one (`{"customers": [...]}`,
/// the first array in it). Records are turned into rows as the parser meets them, one at a time,
/// so the document is never held as a tree. `top` is false for the object's values, where
/// anything but an array is skipped.
struct Records<'a> {
    keyed: &'a mut Keyed,
    stop: &'a mut Option<Error>,
    top: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Records<'_> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Records<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<bool, A::Error> {
        let mut i = 0usize;
        while let Some(item) = seq.next_element::<serde_json::Value>()? {
            i += 1;
            let serde_json::Value::Object(obj) = item else {
                *self.stop = Some(input_error("error-import-json-record").arg("row", i).into());
                return Err(serde::de::Error::custom("stopped"));
            };
            let mut fields = Vec::new();
            for (k, v) in obj {
                flatten_json(&k, v, &mut fields);
            }
            if let Err(e) = self.keyed.record(fields) {
                *self.stop = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(true)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<bool, A::Error> {
        let mut found = false;
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            if found || !self.top {
                map.next_value::<serde::de::IgnoredAny>()?;
            } else {
                found = map.next_value_seed(Records { keyed: &mut *self.keyed, stop: &mut *self.stop, top: false })?;
            }
        }
        Ok(found)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> std::result::Result<bool, E> {
        Ok(false)
    }
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

/// Rows built from records of (column, value) pairs, columns in order of first appearance, kept
/// sparse: a file whose records each use other keys costs what it holds, not records × keys.
struct Keyed {
    headers: Vec<String>,
    index: HashMap<String, u32>,
    rows: Vec<SparseRow>,
    cells: u64,
    max_cells: u64,
    max_columns: usize,
    max_field: usize,
}

impl Keyed {
    fn new(limits: &Limits) -> Self {
        Self {
            headers: Vec::new(),
            index: HashMap::new(),
            rows: Vec::new(),
            cells: 0,
            max_cells: limits.max_cells,
            max_columns: limits.max_columns,
            max_field: limits.max_field_bytes,
        }
    }

    fn record(&mut self, fields: Vec<(String, String)>) -> Result<()> {
        let number = self.rows.len() as u64 + 1;
        let mut cells = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            if v.len() > self.max_field {
                return Err(input_error("error-import-field-too-large")
                    .arg("row", number)
                    .arg("column", k)
                    .arg("max", self.max_field / 1024)
                    .into());
            }
            let col = match self.index.get(&k) {
                Some(c) => *c,
                None => {
                    if self.headers.len() >= self.max_columns {
                        return Err(input_error("error-import-too-many-columns")
                            .arg("row", number)
                            .arg("max", self.max_columns)
                            .into());
                    }
                    let c = self.headers.len() as u32;
                    self.index.insert(k.clone(), c);
                    self.headers.push(k);
                    c
                }
            };
            self.cells += 1;
            if self.cells > self.max_cells {
                return Err(input_error("error-import-too-many-cells").arg("max", self.max_cells).into());
            }
            cells.push((col, v));
        }
        // Values of one column keep the order they came in ("; "-joined when laid out).
        cells.sort_by_key(|(c, _)| *c);
        self.rows.push(SparseRow { number, cells });
        Ok(())
    }

    fn finish(self, format: &str) -> Result<Table> {
        if self.headers.is_empty() {
            return Err(input_error("error-import-empty").into());
        }
        let width = self.headers.len();
        let total = self.rows.len() as u64;
        Ok(Table::new(
            SourceInfo { format: format.into(), header_row: 0, ..Default::default() },
            self.headers,
            Box::new(self.rows.into_iter().map(move |r| Ok(Row { number: r.number, cells: r.dense(width) }))),
            ProgressSource::Rows { total },
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// XML

/// Records are the children of the root element; a record's fields are its attributes and its
/// child elements (a child holding repeated elements is a list, one holding different ones is
/// flattened as `field.child`). Documents that declare entities are refused before parsing:
/// that is the whole of the "billion laughs" attack, and no customer export needs them.
fn xml_table(src: &Source, size: u64, limits: &Limits) -> Result<Table> {
    use quick_xml::events::Event;
    let (text, _) = read_text(src, size, limits)?;
    let mut reader = quick_xml::Reader::from_str(&text);
    let err = |reader: &quick_xml::Reader<&[u8]>, detail: String| -> Error {
        let pos = reader.buffer_position() as usize;
        let line = text.as_bytes()[..pos.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1;
        input_error("error-import-xml").arg("line", line).arg("detail", detail).into()
    };
    let mut records = Keyed::new(limits);
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
                    records.record(attributes(&e).map_err(|x| err(&reader, x))?)?;
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
                    records.record(std::mem::take(&mut current))?;
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
    records.finish("xml")
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
fn vcard_table(src: &Source, size: u64, limits: &Limits) -> Result<Table> {
    use calcard::vcard::{VCardProperty as P, VCardValue};
    let (text, enc) = read_text(src, size, limits)?;
    if !text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return Err(input_error("error-import-vcard").arg("row", 1).into());
    }
    let mut parser = calcard::Parser::new(&text);
    let mut records = Keyed::new(limits);
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
                records.record(rec)?;
            }
            calcard::Entry::Eof => break,
            calcard::Entry::InvalidLine(_) => {}
            _ => {
                return Err(input_error("error-import-vcard").arg("row", records.rows.len() + 1).into());
            }
        }
    }
    drop(text);
    let mut t = records.finish("vcf")?;
    t.info.encoding = Some(encoding_label(enc));
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(e: Error) -> (&'static str, Vec<(&'static str, String)>) {
        match e {
            Error::Input(f) => (f.msg_id, f.args),
            other => panic!("expected an input error, got {other}"),
        }
    }

    #[test]
    fn an_endless_line_is_refused_at_the_cell_limit_not_read_to_its_end() {
        // An endless source: a reader that buffered a record whole would never return.
        let input = Read::chain(&b"name,notes\nAcme,"[..], std::io::repeat(b'x'));
        let mut rows = BoundedCsv::new(Box::new(input), b',', &Limits::default(), u64::MAX);
        assert_eq!(rows.next().unwrap().unwrap().cells, ["name", "notes"]);
        let (id, args) = msg(rows.next().unwrap().unwrap_err());
        assert_eq!(id, "error-import-field-too-large");
        assert_eq!(args[..2], [("row", "2".to_string()), ("column", "2".to_string())]);
        assert!(rows.next().is_none());
    }

    #[test]
    fn an_endless_quoted_value_is_named_as_a_quote_never_closed() {
        let input = Read::chain(&b"name,city\n\"Acme,Berlin\n"[..], std::io::repeat(b'\n'));
        let mut rows = BoundedCsv::new(Box::new(input), b',', &Limits::default(), u64::MAX);
        rows.next().unwrap().unwrap();
        let (id, args) = msg(rows.next().unwrap().unwrap_err());
        assert_eq!(id, "error-import-csv-quote");
        assert_eq!(args[..2], [("row", "2".to_string()), ("column", "1".to_string())]);
    }

    #[test]
    fn endless_columns_stop_at_the_column_cap() {
        let input = Read::chain(&b"name\nAcme"[..], std::io::repeat(b','));
        let mut rows = BoundedCsv::new(Box::new(input), b',', &Limits::default(), u64::MAX);
        rows.next().unwrap().unwrap();
        let (id, args) = msg(rows.next().unwrap().unwrap_err());
        assert_eq!(id, "error-import-too-many-columns");
        assert_eq!(args, [("row", "2".to_string()), ("max", "4096".to_string())]);
    }

    #[test]
    fn quoted_line_breaks_and_crlf_read_as_the_csv_crate_reads_them() {
        let text = "name,notes\r\n\"Acme, Inc.\",\"two\r\nlines\"\r\n\r\nBright,\"say \"\"hi\"\"\"\r\n";
        let mut ours = BoundedCsv::new(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            b',',
            &Limits::default(),
            u64::MAX,
        );
        let mut theirs = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        for rec in theirs.records() {
            let rec: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
            assert_eq!(ours.next().unwrap().unwrap().cells, rec);
        }
        assert!(ours.next().is_none());
    }

    #[test]
    fn memory_and_file_sources_read_alike() {
        let dir = std::env::temp_dir().join(format!("banyan-read-src-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.csv");
        let text = "姓名,电话\n王五,13800138000\n";
        std::fs::write(&path, text).unwrap();
        let rows = |src: &Source| -> Vec<Vec<String>> {
            open_source(src, &ReadOptions::default()).unwrap().map(|r| r.unwrap().cells).collect()
        };
        assert_eq!(rows(&Source::file(&path)), rows(&Source::memory("a.csv", text.as_bytes())));
        assert_eq!(rows(&Source::memory("upload", text.as_bytes())), [["王五", "13800138000"]]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
#[cfg(test)]
mod sniff_tests {
    #[test]
    fn sniffs() {
        assert_eq!(super::sniff_delimiter("a;b\nc;d\n"), b';');
        assert_eq!(super::sniff_delimiter(""), b',');
        assert_eq!(super::sniff_delimiter("x"), b',');
    }
}
