//! The import pipeline: rows → mapping → the same validation as manual entry → duplicate check
//! against the book → create / update / skip, in chunks of one transaction each, all under one
//! change-log batch so the whole import can be undone. Cancelling or failing part-way undoes the
//! chunks already committed, so an import is never left half-done.

use super::mapping::{MappedRow, Mapping, Resolved, Target};
use super::read::{self, ProgressMeter, ReadOptions, Row, SourceInfo, Table};
use super::{Format, Progress};
use crate::error::{Error, FieldError, Result};
use crate::model::{ContactInput, Customer, CustomerId, CustomerInput, ValidCustomer, ValidationContext};
use crate::quality::dedupe::Reason;
use crate::store::{Actor, Derived, ImportCounts, MatchMemo, Store, Writer};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What to do with a row that matches a customer already in the book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum OnDuplicate {
    /// Leave the existing customer alone (importing the same file twice changes nothing).
    #[default]
    Skip,
    /// Fill only the fields the existing customer has empty.
    Update,
    /// Replace the existing customer's fields with the row's non-empty values.
    Overwrite,
    /// Create a new customer anyway.
    Create,
}

impl OnDuplicate {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "skip" => Self::Skip,
            "update" => Self::Update,
            "overwrite" => Self::Overwrite,
            "create" => Self::Create,
            _ => return None,
        })
    }
}

/// Whether bad rows stop the import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ImportMode {
    /// Import the valid rows; report the others (and write them to a file to fix).
    #[default]
    ValidRows,
    /// Import nothing unless every row is valid.
    AllOrNothing,
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub read: ReadOptions,
    pub mapping: Option<Mapping>,
    pub on_duplicate: OnDuplicate,
    pub mode: ImportMode,
    pub dry_run: bool,
    /// Rows per transaction. Each commit flushes the search index's pending terms and may
    /// checkpoint the WAL; 10,000 rows keep that cost small while a transaction's WAL stays in
    /// the tens of megabytes (`cargo xtask bench io -- --rows 20000`: 1,000 rows per chunk was
    /// 11-18 % slower, measured once while a build shared the machine).
    pub chunk_rows: usize,
    /// The customers the import may create and change: a row whose owner is out of it, or that
    /// matches an existing customer out of it, is rejected.
    pub reach: crate::store::Reach,
    /// The owner of a new customer whose row names none: the user importing.
    pub default_owner: Option<String>,
    /// The customer fields the user importing may not write (`phones`, `custom.vip`): a mapping
    /// the user gave that fills one is refused, naming it; a suggested one leaves such columns out.
    pub unwritable: Vec<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            read: ReadOptions::default(),
            mapping: None,
            unwritable: Vec::new(),
            on_duplicate: OnDuplicate::Skip,
            mode: ImportMode::ValidRows,
            dry_run: false,
            chunk_rows: 10000,
            reach: crate::store::Reach::All,
            default_owner: None,
        }
    }
}

/// One problem of one row: the source row number, the column it came from, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u64,
    pub column: Option<String>,
    pub error: FieldError,
}

/// A row found to be a customer already in the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DuplicateNote {
    pub row: u64,
    pub existing_id: String,
    pub existing_name: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Where rejected rows go: typically a file with the original columns and an error column.
pub trait Rejects {
    /// Called once, before any row, with the file's column names.
    fn begin(&mut self, _headers: &[String]) {}
    fn reject(&mut self, row: &Row, problems: &[RowProblem]) -> Result<()>;
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Keeps at most this many problems and duplicate notes in memory for the report (the rejects
/// file has them all).
const REPORT_CAP: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct ImportOutcome {
    pub batch_id: String,
    pub info: SourceInfo,
    /// The mapping the import used (given, saved or suggested).
    pub mapping: Mapping,
    pub counts: ImportCounts,
    pub problems: Vec<RowProblem>,
    pub duplicates: Vec<DuplicateNote>,
    /// True when nothing was written (dry run, or all-or-nothing with bad rows).
    pub rolled_back: bool,
}

/// The first rows of a file as they would import: mapped, validated and checked for duplicates.
#[derive(Debug, Clone)]
pub struct Preview {
    pub info: SourceInfo,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub rows: Vec<PreviewRow>,
    /// Rows looked at, and how many of them have problems or match existing customers.
    pub scanned: u64,
    pub with_problems: u64,
    pub duplicates: u64,
    /// Why the mapping cannot be used yet (no name column, a column the file lacks).
    pub mapping_problem: Option<FieldError>,
}

#[derive(Debug, Clone)]
pub struct PreviewRow {
    pub row: u64,
    pub cells: Vec<String>,
    pub problems: Vec<RowProblem>,
    pub duplicate: Option<DuplicateNote>,
}

/// Opens a file and suggests a mapping, without reading it all.
pub fn open(
    path: &Path,
    read: &ReadOptions,
    ctx: &ValidationContext,
    mapping: Option<Mapping>,
) -> Result<(Table, Mapping)> {
    let table = read::open(path, read)?;
    let mapping = mapping.unwrap_or_else(|| super::mapping::suggest(&table.headers, &ctx.custom_fields));
    Ok((table, mapping))
}

/// The customer field a column mapped to `target` fills, as field rules name it.
fn field_of(target: &Target, has_contact: bool) -> Option<String> {
    Some(match target {
        Target::Phone | Target::Mobile => "phones".into(),
        Target::Email => "emails".into(),
        Target::Address | Target::Street | Target::District | Target::State | Target::Postcode => "address".into(),
        Target::Tags => "tags".into(),
        Target::Source => "source".into(),
        Target::Notes | Target::NoteLine => "notes".into(),
        // A job title is the contact's; without a contact person it becomes a note line.
        Target::Title if !has_contact => "notes".into(),
        Target::Custom(k) => format!("custom.{k}"),
        _ => return None,
    })
}

/// `mapping` for a user who may not write `unwritable`: a column filling one of them is left
/// out when the mapping was suggested (or the column was only to be kept in the notes), and
/// refused, naming the field, when the user mapped it there.
fn restrict(mut mapping: Mapping, given: bool, unwritable: &[String]) -> Result<Mapping> {
    if unwritable.is_empty() {
        return Ok(mapping);
    }
    let has_contact = mapping.columns.iter().any(|c| c.target == Target::Contact);
    for c in &mut mapping.columns {
        let Some(field) = field_of(&c.target, has_contact).filter(|f| unwritable.contains(f)) else { continue };
        if given && !matches!(c.target, Target::NoteLine) {
            return Err(Error::FieldNotAllowed { field });
        }
        c.target = Target::Ignore;
    }
    Ok(mapping)
}

/// Reads up to `scan` rows and shows the first `show` of them plus every row with a problem.
pub fn preview(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    ctx: &ValidationContext,
    scan: usize,
    show: usize,
) -> Result<Preview> {
    let (table, mapping) = open(path, &opts.read, ctx, opts.mapping.clone())?;
    let mapping = restrict(mapping, opts.mapping.is_some(), &opts.unwritable)?;
    let info = table.info.clone();
    let headers = table.headers.clone();
    let resolved = match mapping.resolve(&table.headers) {
        Ok(r) => r,
        Err(problem) => {
            // The user still needs to see the columns to map them: show the rows as they are.
            let rows = table
                .take(show)
                .filter_map(|r| r.ok())
                .map(|r| PreviewRow { row: r.number, cells: r.cells, problems: Vec::new(), duplicate: None })
                .collect();
            return Ok(Preview {
                info,
                headers,
                mapping,
                rows,
                scanned: 0,
                with_problems: 0,
                duplicates: 0,
                mapping_problem: Some(problem),
            });
        }
    };
    let mut out = Preview {
        info,
        headers,
        mapping,
        rows: Vec::new(),
        scanned: 0,
        with_problems: 0,
        duplicates: 0,
        mapping_problem: None,
    };
    // Read-only: run in a transaction that is rolled back, so the preview sees exactly what the
    // import would, including rows of the file that duplicate each other.
    let lenient = opts.mode == ImportMode::ValidRows;
    let mut memo = MatchMemo::new(MATCH_NAME_MEMO);
    store.rehearse(&Actor::default(), |w| {
        for row in table.take(scan) {
            let Prepared { row, ready } = prepare_ready(&resolved, ctx, row?, lenient);
            out.scanned += 1;
            let (problems, duplicate) = match ready {
                Err(p) => (p, None),
                Ok(r) => {
                    let dup = find_duplicate(w, &r, &mut memo)?;
                    let note = dup.as_ref().map(|(c, score, reasons)| DuplicateNote {
                        row: row.number,
                        existing_id: c.id.to_string(),
                        existing_name: c.name.clone(),
                        score: *score,
                        reasons: reasons.clone(),
                    });
                    if dup.is_none() {
                        // Later rows of the file must find this one, as in the import.
                        insert(w, &r)?;
                    }
                    (r.dropped, note)
                }
            };
            if !problems.is_empty() {
                out.with_problems += 1;
            }
            if duplicate.is_some() {
                out.duplicates += 1;
            }
            if out.rows.len() < show || (!problems.is_empty() && out.rows.len() < show + REPORT_CAP) {
                out.rows.push(PreviewRow { row: row.number, cells: row.cells, problems, duplicate });
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// A row mapped and validated: the customer, our id if the row carries one, the contact person
/// of a "company + contact person" row, and the values left out because they were bad.
struct Checked {
    valid: ValidCustomer,
    id: Option<CustomerId>,
    contact: Option<ContactInput>,
    dropped: Vec<RowProblem>,
    owner: TypedOwner,
}

/// The owner as the row had it, and its column: what a problem with it names.
struct TypedOwner {
    text: Option<String>,
    column: Option<String>,
}

/// Fields whose bad value can be left out while the rest of the row is imported: one phone,
/// email, tag or custom value (a contact person's bad phones and emails are left out likewise).
fn droppable(field: &str) -> bool {
    ["phones[", "emails[", "tags[", "custom."].iter().any(|p| field.starts_with(p))
}

/// `input` without the list values and custom values `errors` name.
fn without(input: &CustomerInput, errors: &[FieldError]) -> CustomerInput {
    let mut out = input.clone();
    let index = |f: &str, list: &str| {
        f.strip_prefix(list).and_then(|r| r.strip_suffix(']')).and_then(|i| i.parse::<usize>().ok())
    };
    for (list, values) in [("phones[", &mut out.phones), ("emails[", &mut out.emails), ("tags[", &mut out.tags)] {
        let mut gone: Vec<usize> = errors.iter().filter_map(|e| index(&e.field, list)).collect();
        gone.sort_unstable();
        for i in gone.into_iter().rev() {
            if i < values.len() {
                values.remove(i);
            }
        }
    }
    for e in errors {
        if let Some(k) = e.field.strip_prefix("custom.") {
            out.custom.remove(k);
        }
    }
    out
}

/// Maps and validates a row; problems name the source column. With `lenient` (the user chose
/// "import valid rows"), a bad phone, email, tag or custom value is left out and reported while
/// the rest of the row is imported; a bad name or kind still rejects the row.
fn prepare(resolved: &Resolved, ctx: &ValidationContext, row: &Row, lenient: bool) -> Result<Checked, Vec<RowProblem>> {
    let mapped: MappedRow = resolved.map_row(&row.cells);
    let mut problems = Vec::new();
    let problem = |field: &str, e: FieldError| RowProblem {
        row: row.number,
        column: mapped.column_of(field).filter(|c| !c.is_empty()).map(str::to_string),
        error: e,
    };
    // Bytes the file's encoding could not decode became U+FFFD: say so rather than store them.
    for (i, cell) in row.cells.iter().enumerate() {
        if cell.contains('\u{FFFD}') && resolved.targets.get(i).is_some_and(|t| *t != super::mapping::Target::Ignore) {
            problems.push(RowProblem {
                row: row.number,
                column: resolved.headers.get(i).cloned(),
                error: FieldError::new("file", "error-import-bad-encoding"),
            });
        }
    }
    // Only our own ids identify a customer; another system's "ID" column is not ours.
    let id = mapped.id.as_deref().and_then(|s| s.parse::<CustomerId>().ok());
    let mut dropped = Vec::new();
    let owner;
    let first = mapped.input.validate(ctx);
    let valid = match first {
        Err(Error::Invalid(list)) if lenient && list.iter().all(|e| droppable(&e.field)) => {
            let retry = without(&mapped.input, &list).validate(ctx);
            dropped.extend(list.into_iter().map(|e| problem(&e.field.clone(), e)));
            retry
        }
        other => other,
    };
    let valid = match valid {
        Ok(mut v) => {
            owner = TypedOwner {
                text: v.owner.clone(),
                column: mapped.column_of("owner").filter(|c| !c.is_empty()).map(str::to_string),
            };
            // An owner naming a user (login or name) is that user; other text is kept as typed,
            // an owner from before users, which only scope "all" reaches.
            if let Some(id) = v.owner.as_deref().and_then(|o| ctx.owners.resolve(o)) {
                v.owner = Some(id.to_string());
            }
            v
        }
        Err(Error::Invalid(list)) => {
            problems.extend(list.into_iter().map(|e| problem(&e.field.clone(), e)));
            return Err(problems);
        }
        Err(e) => {
            problems.push(RowProblem {
                row: row.number,
                column: None,
                error: FieldError::new("row", "error-import-row").arg("detail", e.to_string()),
            });
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    // The contact person's values are checked like the customer's; bad ones are left out.
    let contact = match &mapped.contact {
        None => None,
        Some(c) => {
            // The contact's phones are read in the customer's country, as the customer's are.
            let region_ctx = ValidationContext { region: mapped.input.phone_region(ctx), ..ctx.clone() };
            let contact_problems = |list: Vec<FieldError>| -> Vec<RowProblem> {
                list.into_iter().map(|e| problem(&format!("contact.{}", e.field), e)).collect()
            };
            match c.validate(&region_ctx) {
                Ok(v) => Some(v),
                Err(Error::Invalid(list)) if lenient => {
                    let as_input =
                        CustomerInput { phones: c.phones.clone(), emails: c.emails.clone(), ..Default::default() };
                    let kept = without(&as_input, &list);
                    let retry = ContactInput { phones: kept.phones, emails: kept.emails, ..c.clone() };
                    dropped.extend(contact_problems(list));
                    retry.validate(&region_ctx).ok()
                }
                Err(Error::Invalid(list)) => return Err(contact_problems(list)),
                Err(_) => None,
            }
        }
    };
    Ok(Checked { valid, id, contact, dropped, owner })
}

/// A row read, mapped and validated (on the reading thread), with what writing it needs.
struct Prepared {
    row: Row,
    ready: std::result::Result<Ready, Vec<RowProblem>>,
}

/// A valid row: the customer, our id if the row carries one, its contact person, the values left
/// out, and its search document and match keys, computed before the writing thread sees it.
struct Ready {
    valid: ValidCustomer,
    id: Option<CustomerId>,
    contact: Option<ContactInput>,
    dropped: Vec<RowProblem>,
    derived: Derived,
    owner: TypedOwner,
}

fn prepare_ready(resolved: &Resolved, ctx: &ValidationContext, row: Row, lenient: bool) -> Prepared {
    let ready = prepare(resolved, ctx, &row, lenient).map(|c| Ready {
        derived: Derived::of(&c.valid),
        valid: c.valid,
        id: c.id,
        contact: c.contact,
        dropped: c.dropped,
        owner: c.owner,
    });
    Prepared { row, ready }
}

/// The existing customer a row stands for. A row carrying one of our ids (from a Banyan export)
/// is that record: it matches only itself, so a book exported and imported into an empty book
/// comes back whole even where it holds look-alikes. Other rows get the best match.
fn find_duplicate(w: &Writer<'_>, r: &Ready, memo: &mut MatchMemo) -> Result<Option<(Customer, f64, Vec<Reason>)>> {
    if let Some(id) = r.id {
        return Ok(match w.find_customer(id)? {
            Some(c) if !c.deleted => Some((c, 1.0, Vec::new())),
            Some(_) => w.best_match(r.derived.prepared(), r.derived.keys(), memo)?,
            None => None,
        });
    }
    w.best_match(r.derived.prepared(), r.derived.keys(), memo)
}

/// Candidates' names an import keeps made ready (see [`crate::quality::dedupe::NameMemo`]): the
/// same customers come up as candidates again and again (a common street, a company's branches).
const MATCH_NAME_MEMO: usize = 20_000;

/// Creates the row's customer, under the row's own id when it carries one that is free.
fn insert(w: &mut Writer<'_>, r: &Ready) -> Result<CustomerId> {
    let id = match r.id {
        Some(id) if w.find_customer(id)?.is_none() => Some(id),
        _ => None,
    };
    w.insert_customer_derived(id, &r.valid, &r.derived)
}

/// Gives the customer the row's contact person, if it has one the customer lacks. A contact
/// belongs to a company: a person customer found as the row's duplicate gets none.
fn add_contact(w: &mut Writer<'_>, customer: CustomerId, r: &Ready) -> Result<bool> {
    let Some(c) = &r.contact else { return Ok(false) };
    match w.find_customer(customer)? {
        Some(owner) if owner.kind == crate::model::CustomerKind::Company => w.ensure_contact(customer, c),
        _ => Ok(false),
    }
}

/// Rows waiting between the reading thread and the writing one: enough to keep both busy, few
/// enough that memory stays bounded whatever the file's size.
const PIPE_ROWS: usize = 1024;

/// Reads, maps and validates `table`'s rows on a thread of their own while `write` stores them,
/// in file order, on this one: on a desktop with two cores the parse and the validation overlap
/// the database work. When `write` returns (done, cancelled or failed) the reading thread stops.
fn pipelined<T>(
    table: Table,
    resolved: &Resolved,
    ctx: &ValidationContext,
    lenient: bool,
    write: impl FnOnce(&mut std::iter::Peekable<std::sync::mpsc::IntoIter<Result<Prepared>>>) -> Result<T>,
) -> Result<T> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(PIPE_ROWS);
        s.spawn(move || {
            let mut last_row = 0u64;
            // A reader that panics on a damaged file must not look like the end of the file
            // (the import would report "done" with the rest missing): it fails the import, whose
            // committed chunks are then taken back.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                for row in table {
                    if let Ok(r) = &row {
                        last_row = r.number;
                    }
                    let item = row.map_err(Error::from).map(|r| prepare_ready(resolved, ctx, r, lenient));
                    let failed = item.is_err();
                    // A closed channel means the writer stopped; a read error ends the file.
                    if tx.send(item).is_err() || failed {
                        break;
                    }
                }
            }));
            if read.is_err() {
                let e = crate::io::input_error("error-import-reader-failed").arg("row", last_row + 1);
                let _ = tx.send(Err(Error::Input(e)));
            }
        });
        // The receiver is dropped when this closure returns, which ends a reader still running.
        let mut rows = rx.into_iter().peekable();
        write(&mut rows)
    })
}

fn as_valid(c: &Customer) -> ValidCustomer {
    ValidCustomer {
        kind: c.kind,
        name: c.name.clone(),
        company: c.company.clone(),
        phones: c.phones.clone(),
        emails: c.emails.clone(),
        address: c.address.clone(),
        city: c.city.clone(),
        country: c.country.clone(),
        tags: c.tags.clone(),
        owner: c.owner.clone(),
        source: c.source.clone(),
        notes: c.notes.clone(),
        custom: c.custom.clone(),
    }
}

/// The existing customer with the row's values: only where it has none (`fill_only`), or
/// wherever the row has one.
fn combine(existing: &Customer, row: &ValidCustomer, fill_only: bool) -> ValidCustomer {
    let mut out = as_valid(existing);
    let pick = |old: &mut Option<String>, new: &Option<String>| {
        if new.is_some() && (!fill_only || old.is_none()) {
            *old = new.clone();
        }
    };
    pick(&mut out.company, &row.company);
    pick(&mut out.address, &row.address);
    pick(&mut out.city, &row.city);
    pick(&mut out.country, &row.country);
    pick(&mut out.owner, &row.owner);
    pick(&mut out.source, &row.source);
    pick(&mut out.notes, &row.notes);
    let list = |old: &mut Vec<String>, new: &Vec<String>| {
        if !new.is_empty() && (!fill_only || old.is_empty()) {
            *old = new.clone();
        }
    };
    list(&mut out.phones, &row.phones);
    list(&mut out.emails, &row.emails);
    list(&mut out.tags, &row.tags);
    for (k, v) in &row.custom {
        if !fill_only || !out.custom.contains_key(k) {
            out.custom.insert(k.clone(), v.clone());
        }
    }
    if !fill_only {
        out.name = row.name.clone();
        out.kind = row.kind;
    }
    out
}

/// Runs an import. `rejects` receives every row that was not imported because of a problem.
pub fn run(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    ctx: &ValidationContext,
    actor_user: &str,
    rejects: &mut dyn Rejects,
    progress: &mut Progress<'_>,
) -> Result<ImportOutcome> {
    let batch_id = uuid::Uuid::now_v7().to_string();
    let (table, mapping) = open(path, &opts.read, ctx, opts.mapping.clone())?;
    let mapping = restrict(mapping, opts.mapping.is_some(), &opts.unwritable)?;
    let resolved = mapping.resolve(&table.headers)?;
    rejects.begin(&table.headers);
    let mut outcome = ImportOutcome {
        batch_id: batch_id.clone(),
        info: table.info.clone(),
        mapping: mapping.clone(),
        ..Default::default()
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let format = opts.read.format.unwrap_or(Format::detect(path)?).as_str();

    let table = if opts.mode == ImportMode::AllOrNothing {
        // Validate everything first; one bad row and nothing is written.
        let mut bad = false;
        for row in table {
            let row = row?;
            outcome.counts.rows_read += 1;
            if let Err(p) = prepare(&resolved, ctx, &row, false) {
                bad = true;
                outcome.counts.failed += 1;
                rejects.reject(&row, &p)?;
                keep(&mut outcome.problems, p);
            }
            if outcome.counts.rows_read.is_multiple_of(512) {
                progress.check()?;
            }
        }
        rejects.finish()?;
        if bad {
            outcome.rolled_back = true;
            return Ok(outcome);
        }
        outcome.counts = ImportCounts::default();
        open(path, &opts.read, ctx, Some(mapping.clone()))?.0
    } else {
        table
    };

    let actor = Actor { user: actor_user.to_string(), batch: Some(batch_id.clone()) };
    let meter = table.meter();
    let lenient = opts.mode == ImportMode::ValidRows;
    let mut memo = MatchMemo::new(MATCH_NAME_MEMO);
    if opts.dry_run {
        pipelined(table, &resolved, ctx, lenient, |rows| {
            let mut tick = |done: u64| ticker(&meter, progress, done);
            store.rehearse(&actor, |w| {
                let sink = Sink { rejects: &mut *rejects, outcome: &mut outcome, memo: &mut memo };
                import_chunk(w, rows, usize::MAX, opts, sink, &mut tick)
            })
        })?;
        rejects.finish()?;
        outcome.rolled_back = true;
        return Ok(outcome);
    }

    // Held until the journal says how the import ended: a process that dies before that leaves
    // the lock free, which is how the next open knows the import is not running any more.
    let _running = store.begin_import(&batch_id, &file_name, format)?;
    let _bulk = store.pause_upkeep();
    let mut committed = false;
    let result = pipelined(table, &resolved, ctx, lenient, |rows| {
        let mut tick = |done: u64| ticker(&meter, progress, done);
        while rows.peek().is_some() {
            store.write(&actor, |w| {
                let sink = Sink { rejects: &mut *rejects, outcome: &mut outcome, memo: &mut memo };
                import_chunk(w, rows, opts.chunk_rows.max(1), opts, sink, &mut tick)
            })?;
            committed = true;
            // And after each commit: a cancel then takes back the committed chunks below.
            tick(outcome.counts.rows_read)?;
            store.hand_off();
        }
        rejects.finish()
    });
    match result {
        Ok(()) => {
            store.finish_import(&batch_id, "done", &outcome.counts)?;
            Ok(outcome)
        }
        Err(e) => {
            // Take back what the committed chunks did, so nothing is half-imported.
            // The undo reports on the same progress bar but cannot itself be cancelled: the
            // cancel is what asked for it.
            if committed && store.batch_has_changes(&batch_id)? {
                let mut undo = Progress { report: &mut *progress.report, cancelled: &|| false };
                store.undo_batch(&Actor { user: actor_user.to_string(), batch: None }, &batch_id, &mut undo)?;
            }
            let status = if matches!(e, Error::Cancelled) { "cancelled" } else { "failed" };
            store.finish_import(&batch_id, status, &outcome.counts)?;
            Err(e)
        }
    }
}

fn keep<T>(list: &mut Vec<T>, items: Vec<T>) {
    for i in items {
        if list.len() < REPORT_CAP {
            list.push(i);
        }
    }
}

/// Reports progress and checks for a cancel, given the rows done so far.
fn ticker(meter: &ProgressMeter, progress: &mut Progress<'_>, rows_done: u64) -> Result<()> {
    let (done, total) = meter.progress(rows_done);
    (progress.report)(done, total);
    Ok(progress.check()?)
}

/// Where [`import_chunk`] puts what it did: rejected rows, the outcome, and the names of the
/// candidates it made ready (kept for the whole import).
struct Sink<'a> {
    rejects: &'a mut dyn Rejects,
    outcome: &'a mut ImportOutcome,
    memo: &'a mut MatchMemo,
}

/// Imports up to `max_rows` rows in the writer's transaction; `tick` reports progress and
/// checks for a cancel every few hundred rows (a cancel rolls back this chunk).
fn import_chunk(
    w: &mut Writer<'_>,
    rows: &mut dyn Iterator<Item = Result<Prepared>>,
    max_rows: usize,
    opts: &ImportOptions,
    sink: Sink<'_>,
    tick: &mut dyn FnMut(u64) -> Result<()>,
) -> Result<()> {
    let Sink { rejects, outcome, memo } = sink;
    // Other writers may have changed any customer since the last transaction.
    w.refresh_memo(memo)?;
    let mut n = 0;
    while n < max_rows {
        let Some(item) = rows.next() else { break };
        let Prepared { row, ready } = item?;
        n += 1;
        outcome.counts.rows_read += 1;
        match ready {
            Err(p) => {
                outcome.counts.failed += 1;
                rejects.reject(&row, &p)?;
                keep(&mut outcome.problems, p);
            }
            Ok(mut r) => {
                let dup = if opts.on_duplicate == OnDuplicate::Create && r.id.is_none() {
                    None
                } else {
                    find_duplicate(w, &r, memo)?
                };
                // A new customer whose row names no owner is the importer's (an existing one
                // matched keeps its owner).
                let inserts = dup.is_none() || opts.on_duplicate == OnDuplicate::Create;
                if r.valid.owner.is_none() && inserts {
                    r.valid.owner = opts.default_owner.clone();
                }
                // Out of the importer's reach: the row's owner, or the customer it would change.
                // A row that updates a customer may hand it to someone only if it names them.
                let owner_out = (inserts || r.valid.owner.is_some()) && !opts.reach.contains(r.valid.owner.as_deref());
                let out_of_reach = match &dup {
                    Some((existing, ..)) if !inserts && !opts.reach.contains(existing.owner.as_deref()) => {
                        Some((None, FieldError::new("row", "error-import-match-out-of-reach")))
                    }
                    _ => owner_out.then(|| {
                        let typed = r.owner.text.clone().unwrap_or_default();
                        (
                            r.owner.column.clone(),
                            FieldError::new("owner", "error-owner-out-of-reach").arg("value", typed),
                        )
                    }),
                };
                if let Some((column, error)) = out_of_reach {
                    let p = vec![RowProblem { row: row.number, column, error }];
                    outcome.counts.failed += 1;
                    rejects.reject(&row, &p)?;
                    keep(&mut outcome.problems, p);
                    continue;
                }
                // Bad values left out of a row that was imported all the same: reported.
                keep(&mut outcome.problems, r.dropped.clone());
                match dup {
                    None => {
                        let id = insert(w, &r)?;
                        add_contact(w, id, &r)?;
                        outcome.counts.created += 1;
                    }
                    Some((existing, score, reasons)) => {
                        keep(
                            &mut outcome.duplicates,
                            vec![DuplicateNote {
                                row: row.number,
                                existing_id: existing.id.to_string(),
                                existing_name: existing.name.clone(),
                                score,
                                reasons,
                            }],
                        );
                        let changed = match opts.on_duplicate {
                            OnDuplicate::Skip => 0,
                            OnDuplicate::Create => {
                                let id = w.insert_customer_derived(None, &r.valid, &r.derived)?;
                                add_contact(w, id, &r)?;
                                outcome.counts.created += 1;
                                continue;
                            }
                            OnDuplicate::Update => {
                                w.replace_customer(existing.id, &combine(&existing, &r.valid, true))?
                            }
                            OnDuplicate::Overwrite => {
                                w.replace_customer(existing.id, &combine(&existing, &r.valid, false))?
                            }
                        };
                        if changed > 0 {
                            memo.forget(existing.id);
                        }
                        // A company listed once per contact person gets each of them.
                        let changed = changed + usize::from(add_contact(w, existing.id, &r)?);
                        // Later rows must find the updated values.
                        w.index_now()?;
                        if changed > 0 {
                            outcome.counts.updated += 1;
                        } else {
                            outcome.counts.skipped += 1;
                        }
                    }
                }
            }
        }
        if outcome.counts.rows_read.is_multiple_of(256) {
            tick(outcome.counts.rows_read)?;
        }
    }
    Ok(())
}
