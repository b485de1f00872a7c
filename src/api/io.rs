//! The façade's import, export, duplicate and merge calls: what the CLI and the desktop's
//! Import/Export and Duplicates screens use. Row problems come back localized, naming the row
//! and the source column.

use super::{ApiResult, Banyan, Caller, fields};
use crate::error::{Error, FieldError};
use crate::i18n::Localizer;
use crate::io::Progress;
use crate::io::export::{self, ExportFormat};
use crate::io::formula;
use crate::io::import::{self, DuplicateNote, ImportMode, ImportOptions, OnDuplicate, Rejects, RowProblem};
use crate::io::mapping::{Mapping, Target};
use crate::io::read::{ReadOptions, Row, SourceInfo};
use crate::model::{Customer, CustomerInput, CustomerPatch};
use crate::security::files;
use crate::security::grants::{Action, Entity};
use crate::store::{DuplicatePair, ImportCounts, ImportRecord, SearchFilter, UndoReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How to import a file, as the user set it up.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct ImportRequest {
    pub sheet: Option<String>,
    /// An explicit mapping; otherwise the saved one named `mapping_name`; otherwise suggested.
    pub mapping: Option<Mapping>,
    pub mapping_name: Option<String>,
    pub on_duplicate: OnDuplicate,
    pub mode: ImportMode,
    pub dry_run: bool,
}

/// One problem of one row, localized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    pub row: u64,
    pub column: Option<String>,
    /// What is wrong, e.g. "“123” is not a valid phone number …".
    pub message: String,
    /// The whole sentence: "Row 12, 手机: …".
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PreviewRowView {
    pub row: u64,
    pub cells: Vec<String>,
    pub issues: Vec<RowIssue>,
    pub duplicate: Option<DuplicateNote>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub info: SourceInfo,
    pub headers: Vec<String>,
    pub mapping: Mapping,
    pub rows: Vec<PreviewRowView>,
    pub scanned: u64,
    pub with_problems: u64,
    pub duplicates: u64,
    /// Why the file cannot be imported with this mapping yet, e.g. no column is the name.
    pub mapping_problem: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub batch_id: String,
    pub info: SourceInfo,
    pub counts: ImportCounts,
    pub issues: Vec<RowIssue>,
    pub duplicates: Vec<DuplicateNote>,
    /// Nothing was written (dry run, or all-or-nothing with bad rows).
    pub rolled_back: bool,
    /// The file holding the rejected rows with an error column, if any row was rejected.
    pub rejects_file: Option<String>,
    /// Every column no customer field took, and what became of it (localized): kept in the
    /// notes, or not imported because the mapping says so.
    pub unmapped: Vec<String>,
}

/// What an export wrote, and what the user should know about it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    /// Customers written.
    pub written: u64,
    /// Rows whose text the format could not hold as it is (cut to fit an Excel cell, characters
    /// GBK lacks), each named by row, customer and column; localized. At most 1,000.
    pub warnings: Vec<String>,
    /// How many warnings there were in all.
    pub warning_count: u64,
}

/// A saved mapping.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SavedMapping {
    pub name: String,
    pub mapping: Mapping,
}

/// Which side each field of a merge takes. Fields not named keep the survivor's value, or the
/// other's where the survivor has none; phones, emails and tags are combined unless named.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct MergeRequest {
    pub survivor_id: String,
    pub other_id: String,
    /// field name ("name", "company", "phones", "custom.industry", …) → "survivor" | "other".
    pub take: BTreeMap<String, String>,
}

const MAPPING_PREFIX: &str = "import.mapping.";

/// Writes rejected rows to a CSV (UTF-8 with BOM, so Excel shows Chinese) with the original
/// columns and one more saying what is wrong; created on the first rejected row.
pub struct RejectsFile<'a> {
    path: PathBuf,
    /// Where to write instead when the source's folder is read-only (a network share, a CD):
    /// beside the book, in the user's own data folder, never a shared temp folder.
    fallback: Option<PathBuf>,
    headers: Vec<String>,
    l10n: &'a Localizer,
    writer: Option<csv::Writer<std::fs::File>>,
    pub written: u64,
}

impl<'a> RejectsFile<'a> {
    pub fn new(path: PathBuf, l10n: &'a Localizer) -> Self {
        Self { path, fallback: None, headers: Vec::new(), l10n, writer: None, written: 0 }
    }

    pub fn with_fallback(mut self, dir: &Path) -> Self {
        self.fallback = self.path.file_name().map(|n| dir.join(n));
        self
    }

    /// The file the rejected rows went to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Rejects for RejectsFile<'_> {
    fn begin(&mut self, headers: &[String]) {
        self.headers = headers.to_vec();
    }

    fn reject(&mut self, row: &Row, problems: &[RowProblem]) -> crate::Result<()> {
        if self.writer.is_none() {
            let mut f = match (files::create(&self.path), &self.fallback) {
                (Ok(f), _) => f,
                (Err(_), Some(other)) => {
                    self.path = other.clone();
                    files::create(&self.path)?
                }
                (Err(e), None) => return Err(e.into()),
            };
            std::io::Write::write_all(&mut f, b"\xEF\xBB\xBF")?;
            let mut w = csv::Writer::from_writer(f);
            let mut head: Vec<String> = self.headers.iter().map(|h| formula::neutralize(h).into_owned()).collect();
            head.push(self.l10n.t("import-rejects-column"));
            w.write_record(&head).map_err(|e| crate::Error::Io(std::io::Error::other(e.to_string())))?;
            self.writer = Some(w);
        }
        let w = self.writer.as_mut().expect("created above");
        // The source's cells go back out as they came in, made safe to open in a spreadsheet
        // (the CSV reader reads them back unchanged, so the fixed file imports as typed).
        let mut rec: Vec<String> = row.cells.iter().map(|c| formula::neutralize(c).into_owned()).collect();
        rec.resize(self.headers.len(), String::new());
        let text = problems.iter().map(|p| issue(self.l10n, p).text).collect::<Vec<_>>().join("\n");
        rec.push(formula::neutralize(&text).into_owned());
        w.write_record(&rec).map_err(|e| crate::Error::Io(std::io::Error::other(e.to_string())))?;
        self.written += 1;
        Ok(())
    }

    fn finish(&mut self) -> crate::Result<()> {
        if let Some(w) = self.writer.as_mut() {
            w.flush()?;
        }
        Ok(())
    }
}

/// Localizes one row problem.
pub fn issue(l: &Localizer, p: &RowProblem) -> RowIssue {
    let args: Vec<(&str, String)> = p.error.args.iter().map(|(k, v)| (*k, v.clone())).collect();
    let message = l.format(p.error.msg_id, &args);
    let column = p.column.clone().unwrap_or_else(|| super::field_label(l, &p.error.field));
    let text = l.format(
        "import-row-issue",
        &[("row", p.row.to_string()), ("column", column.clone()), ("message", message.clone())],
    );
    RowIssue { row: p.row, column: p.column.clone(), message, text }
}

/// Where the rejected rows of `source` go by default: beside it, `<name>.errors.csv`.
pub fn default_rejects_path(source: &Path) -> PathBuf {
    let stem = source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into());
    source.with_file_name(format!("{stem}.errors.csv"))
}

impl Banyan {
    /// Refuses `path` when it is the book or one of the files that belong to it (its WAL and
    /// shared memory, key file, migration snapshots, import locks): importing the encrypted book
    /// as a "file" or exporting over it would destroy it. All of those are named after the book,
    /// in its folder.
    pub(super) fn outside_book(&self, path: &Path, field: &str) -> ApiResult<()> {
        let real = |p: &Path| -> Option<PathBuf> {
            if let Ok(c) = p.canonicalize() {
                return Some(c);
            }
            // A file still to be written: its folder, then its name.
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(dir.canonicalize().ok()?.join(p.file_name()?))
        };
        let (Some(book), Some(target)) = (real(self.path()), real(path)) else { return Ok(()) };
        let book_name = book.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if target.parent() == book.parent() && !book_name.is_empty() && name.starts_with(&book_name) {
            return Err(self.err(Error::field(
                FieldError::new(field, "error-path-is-book").arg("path", path.display().to_string()),
            )));
        }
        Ok(())
    }

    fn import_options(&self, caller: &Caller, req: &ImportRequest) -> ApiResult<ImportOptions> {
        let mapping = match (&req.mapping, &req.mapping_name) {
            (Some(m), _) => Some(m.clone()),
            (None, Some(name)) => Some(self.mapping(caller, name)?),
            (None, None) => None,
        };
        Ok(ImportOptions {
            read: ReadOptions { sheet: req.sheet.clone(), ..Default::default() },
            mapping,
            on_duplicate: req.on_duplicate,
            mode: req.mode,
            dry_run: req.dry_run,
            reach: self.reach(caller, Entity::Customer, Action::Import)?,
            default_owner: Some(caller.user().to_string()),
            unwritable: fields::unwritable(caller.grants()),
            ..Default::default()
        })
    }

    /// The first rows of a file as they would import, with the suggested (or given) mapping.
    pub fn import_preview(&self, caller: &Caller, path: &Path, req: &ImportRequest) -> ApiResult<ImportPreview> {
        self.may(caller, Entity::Customer, Action::Import)?;
        self.policy_allows(crate::policy::Feature::Import)?;
        self.outside_book(path, "file")?;
        let opts = self.import_options(caller, req)?;
        let ctx = self.ctx()?;
        let p = import::preview(&self.store, path, &opts, &ctx, 1000, 50).map_err(|e| self.err(e))?;
        Ok(ImportPreview {
            info: p.info,
            headers: p.headers,
            mapping: p.mapping,
            rows: p
                .rows
                .into_iter()
                .map(|r| PreviewRowView {
                    row: r.row,
                    cells: r.cells,
                    issues: r.problems.iter().map(|x| issue(self.l10n(), x)).collect(),
                    duplicate: r.duplicate,
                })
                .collect(),
            scanned: p.scanned,
            with_problems: p.with_problems,
            duplicates: p.duplicates,
            mapping_problem: p.mapping_problem.map(|f| {
                let args: Vec<(&str, String)> = f.args.iter().map(|(k, v)| (*k, v.clone())).collect();
                self.l10n().format(f.msg_id, &args)
            }),
        })
    }

    /// Imports a file. Rejected rows go to `rejects` (default: beside the file). `progress` gets
    /// (done, total) in bytes for CSV and rows otherwise; `cancelled` is polled between rows.
    pub fn import_file(
        &self,
        caller: &Caller,
        path: &Path,
        req: &ImportRequest,
        rejects: Option<&Path>,
        report: &mut dyn FnMut(u64, u64),
        cancelled: &dyn Fn() -> bool,
    ) -> ApiResult<ImportReport> {
        self.may(caller, Entity::Customer, Action::Import)?;
        self.policy_allows(crate::policy::Feature::Import)?;
        self.outside_book(path, "file")?;
        let opts = self.import_options(caller, req)?;
        let ctx = self.ctx()?;
        let rejects_path = rejects.map(Path::to_path_buf).unwrap_or_else(|| default_rejects_path(path));
        self.outside_book(&rejects_path, "rejects")?;
        let book_dir = self.path().parent().map(Path::to_path_buf).unwrap_or_default();
        let mut sink = RejectsFile::new(rejects_path, self.l10n());
        if rejects.is_none() {
            sink = sink.with_fallback(&book_dir);
        }
        let mut progress = Progress { report, cancelled };
        let started = Instant::now();
        let out = import::run(&self.store, path, &opts, &ctx, &caller.actor().user, &mut sink, &mut progress)
            .map_err(|e| self.err(e))?;
        tracing::info!(
            batch = %out.batch_id,
            format = %out.info.format,
            rows = out.counts.rows_read,
            created = out.counts.created,
            updated = out.counts.updated,
            skipped = out.counts.skipped,
            failed = out.counts.failed,
            rolled_back = out.rolled_back,
            ms = started.elapsed().as_millis() as u64,
            "import finished"
        );
        // A job title is a contact's field; without a contact person it is kept as a note.
        let has_contact = out.mapping.columns.iter().any(|c| c.target == Target::Contact);
        Ok(ImportReport {
            batch_id: out.batch_id,
            info: out.info,
            counts: out.counts,
            issues: out.problems.iter().map(|p| issue(self.l10n(), p)).collect(),
            duplicates: out.duplicates,
            rolled_back: out.rolled_back,
            rejects_file: (sink.written > 0).then(|| sink.path().display().to_string()),
            unmapped: out
                .mapping
                .columns
                .iter()
                .filter_map(|c| {
                    let id = match c.target {
                        Target::NoteLine => "import-column-kept-in-notes",
                        Target::Title if !has_contact => "import-column-kept-in-notes",
                        Target::Ignore => "import-column-ignored",
                        _ => return None,
                    };
                    Some(self.l10n().format(id, &[("column", c.column.clone())]))
                })
                .collect(),
        })
    }

    /// Undoes a whole import (or goes on with an undo that was cut short), reporting (rows done,
    /// rows) as it goes; `cancelled` is polled between chunks of rows, and a cancelled undo can be
    /// run again to finish it. An import still running (here or in another process) is refused.
    pub fn undo_import(
        &self,
        caller: &Caller,
        batch: &str,
        report: &mut dyn FnMut(u64, u64),
        cancelled: &dyn Fn() -> bool,
    ) -> ApiResult<UndoReport> {
        self.may(caller, Entity::Customer, Action::Import)?;
        let record = self.store.import_record(batch).map_err(|e| self.err(e))?;
        let record = record.ok_or_else(|| self.err(Error::NotFound { entity: "batch", id: batch.to_string() }))?;
        match record.status.as_str() {
            "running" => return Err(self.err(Error::invalid("batch", "error-import-still-running"))),
            // Cancelled, failed and interrupted imports were taken back when they stopped.
            "undone" | "cancelled" | "failed" | "interrupted" => {
                return Err(self.err(Error::invalid("batch", "error-import-already-undone")));
            }
            _ => {}
        }
        self.check_revert_fields(caller, &crate::store::RevertTarget::Batch(batch.to_string()))?;
        let mut progress = Progress { report, cancelled };
        self.store.undo_batch(&caller.actor(), batch, &mut progress).map_err(|e| self.err(e))
    }

    pub fn imports(&self, caller: &Caller) -> ApiResult<Vec<ImportRecord>> {
        self.may(caller, Entity::Customer, Action::Import)?;
        self.store.imports().map_err(|e| self.err(e))
    }

    pub fn save_mapping(&self, caller: &Caller, name: &str, mapping: &Mapping) -> ApiResult<()> {
        self.may(caller, Entity::Customer, Action::Import)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(self.err(Error::field(FieldError::new("mappingName", "error-required"))));
        }
        let json = serde_json::to_string(mapping).expect("mapping serializes");
        self.store.set_setting(&caller.actor(), &format!("{MAPPING_PREFIX}{name}"), &json).map_err(|e| self.err(e))
    }

    pub fn mapping(&self, caller: &Caller, name: &str) -> ApiResult<Mapping> {
        self.may(caller, Entity::Customer, Action::Import)?;
        let raw = self.store.setting(&format!("{MAPPING_PREFIX}{}", name.trim())).map_err(|e| self.err(e))?;
        let raw = raw.ok_or_else(|| self.err(Error::NotFound { entity: "mapping", id: name.to_string() }))?;
        serde_json::from_str(&raw).map_err(|e| self.err(Error::Corrupt(format!("mapping {name}: {e}"))))
    }

    pub fn mappings(&self, caller: &Caller) -> ApiResult<Vec<SavedMapping>> {
        self.may(caller, Entity::Customer, Action::Import)?;
        let rows = self.store.settings_with_prefix(MAPPING_PREFIX).map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, v)| {
                let mapping = serde_json::from_str(&v).ok()?;
                Some(SavedMapping { name: k[MAPPING_PREFIX.len()..].to_string(), mapping })
            })
            .collect())
    }

    /// Exports everything, or every customer a search finds (the search list's tiers without
    /// the typo guesses), to `out`. Returns how many.
    pub fn export(
        &self,
        caller: &Caller,
        out: &Path,
        format: ExportFormat,
        query: Option<&str>,
        report: &mut dyn FnMut(u64, u64),
        cancelled: &dyn Fn() -> bool,
    ) -> ApiResult<ExportReport> {
        let reach = self.reach(caller, Entity::Customer, Action::Export)?;
        self.policy_allows(crate::policy::Feature::Export)?;
        self.outside_book(out, "out")?;
        // What the caller's roles hide is neither in the rows nor a column of the file.
        let g = caller.grants();
        let hidden = fields::unreadable(g);
        let mut custom = self.store.custom_fields().map_err(|e| self.err(e))?;
        custom.retain(|d| !hidden.contains(&format!("custom.{}", d.key)));
        let omit = hidden.iter().filter(|f| !f.starts_with("custom.")).cloned().collect();
        let layout = export::Layout { custom, omit };
        let mut progress = Progress { report, cancelled };
        let l10n = self.l10n();
        let cut = |n: usize| l10n.format("export-cut-marker", &[("chars", n.to_string())]);
        // A role's export cap refuses the whole export, before a file is made: an export cut at
        // the cap would look complete.
        let capped = |total: u64| match caller.grants().export_cap() {
            Some(cap) if total > cap => Err(self
                .err(Error::field(FieldError::new("query", "error-export-cap").arg("count", total).arg("cap", cap)))),
            _ => Ok(()),
        };
        let result = match query.map(str::trim).filter(|q| !q.is_empty()) {
            Some(q) => {
                // Every match, however many: an export that silently stopped at the search
                // list's page size would lose customers without a word.
                let unseen = fields::unseen_matches(caller.grants());
                let ids =
                    self.store.search_all(q, &SearchFilter::default(), &reach, &unseen).map_err(|e| self.err(e))?;
                let total = ids.len() as u64;
                capped(total)?;
                let mut it = ids.into_iter().map(|id| self.store.customer(id).map(|c| fields::customer(g, c)));
                export::export(out, format, &layout, total, &mut || it.next(), &cut, &mut progress)
            }
            None => {
                let total = self.store.customer_count(&reach).map_err(|e| self.err(e))? as u64;
                capped(total)?;
                self.store.each_customer(&reach, |next| {
                    let mut shown = || next().map(|r| r.map(|c| fields::customer(g, c)));
                    export::export(out, format, &layout, total, &mut shown, &cut, &mut progress)
                })
            }
        };
        let done = result.map_err(|e| self.err(e))?;
        let detail = serde_json::json!({
            "rows": done.written,
            "format": format!("{format:?}").to_lowercase(),
            "query": query.map(str::trim).filter(|q| !q.is_empty()),
            "file": out.file_name().map(|f| f.to_string_lossy().into_owned()),
        });
        self.audit(&caller.actor().user, "export", detail).map_err(|e| self.err(e))?;
        let warnings = done
            .warnings
            .iter()
            .map(|w| {
                let mut args = vec![("row", w.row.to_string()), ("name", w.name.clone()), ("column", w.column.clone())];
                let id = match w.kind {
                    export::WarningKind::Cut { chars } => {
                        args.push(("chars", chars.to_string()));
                        "export-warning-cut"
                    }
                    export::WarningKind::NotInEncoding => "export-warning-not-in-gbk",
                };
                self.l10n().format(id, &args)
            })
            .collect();
        Ok(ExportReport { written: done.written, warnings, warning_count: done.warning_count })
    }

    /// Likely duplicate pairs among the customers the caller may merge, best first.
    pub fn duplicates(&self, caller: &Caller, limit: usize) -> ApiResult<Vec<DuplicatePair>> {
        let reach = self.reach(caller, Entity::Customer, Action::Merge)?;
        let pairs = self
            .store
            .duplicate_pairs(crate::quality::dedupe::DUPLICATE_SCORE, limit, &reach)
            .map_err(|e| self.err(e))?;
        Ok(pairs.into_iter().map(|p| fields::pair(caller.grants(), p)).collect())
    }

    /// Merges two customers into the survivor (see [`MergeRequest`]).
    pub fn merge(&self, caller: &Caller, req: &MergeRequest) -> ApiResult<Customer> {
        let reach = self.reach(caller, Entity::Customer, Action::Merge)?;
        let survivor = self.reached_customer(&reach, self.customer_id(&req.survivor_id)?).map_err(|e| self.err(e))?;
        let other = self.reached_customer(&reach, self.customer_id(&req.other_id)?).map_err(|e| self.err(e))?;
        let ctx = self.ctx()?;
        // Read inside the merge's transaction: a field the caller may not write stays as the
        // survivor holds it or the merge is refused, naming it (the other's phones would be
        // added unseen).
        let merge = |s: &Customer, o: &Customer| {
            let patch = merged_patch(s, o, &req.take);
            fields::check_patch(caller.grants(), &patch, Some(s))?;
            let input: CustomerInput = patch.apply_to(s);
            input.validate(&ctx)
        };
        let merged =
            self.store.merge_customers(&caller.actor(), survivor.id, other.id, merge).map_err(|e| self.err(e))?;
        Ok(fields::customer(caller.grants(), merged))
    }
}

/// The patch that turns `survivor` into the merged customer.
fn merged_patch(survivor: &Customer, other: &Customer, take: &BTreeMap<String, String>) -> CustomerPatch {
    let from_other = |field: &str, survivor_empty: bool| match take.get(field).map(String::as_str) {
        Some("other") => true,
        Some(_) => false,
        None => survivor_empty,
    };
    let scalar = |field: &str, s: &Option<String>, o: &Option<String>| -> Option<String> {
        if from_other(field, s.is_none()) { Some(o.clone().unwrap_or_default()) } else { None }
    };
    let list = |field: &str, s: &Vec<String>, o: &Vec<String>| -> Option<Vec<String>> {
        match take.get(field).map(String::as_str) {
            Some("other") => Some(o.clone()),
            Some(_) => None,
            None => {
                let mut all = s.clone();
                all.extend(o.iter().filter(|x| !s.contains(x)).cloned());
                Some(all)
            }
        }
    };
    let mut custom = BTreeMap::new();
    for (k, v) in &other.custom {
        if from_other(&format!("custom.{k}"), !survivor.custom.contains_key(k)) {
            custom.insert(k.clone(), v.to_input());
        }
    }
    CustomerPatch {
        kind: from_other("kind", false).then(|| other.kind.as_str().to_string()),
        name: from_other("name", false).then(|| other.name.clone()),
        company: scalar("company", &survivor.company, &other.company),
        phones: list("phones", &survivor.phones, &other.phones),
        emails: list("emails", &survivor.emails, &other.emails),
        address: scalar("address", &survivor.address, &other.address),
        city: scalar("city", &survivor.city, &other.city),
        country: scalar("country", &survivor.country, &other.country),
        tags: list("tags", &survivor.tags, &other.tags),
        owner: scalar("owner", &survivor.owner, &other.owner),
        source: scalar("source", &survivor.source, &other.source),
        notes: scalar("notes", &survivor.notes, &other.notes),
        custom,
        // The merge reads both customers in its own transaction: nothing to compare with.
        base: None,
    }
}
