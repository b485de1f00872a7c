//! Privacy (PIPL) for the privacy officer: consents per customer and purpose, the privacy notice
//! per language, everything about one person for an access request (JSON and CSV), and the
//! erasure of one person. Each is an audit event (the processing log: `audit_events` are never
//! pruned, so it is kept well beyond the three years PIPL asks).

use super::{ApiResult, Banyan, Caller, HistoryEntry, fields};
use crate::error::{Error, FieldError};
use crate::model::{Activity, Contact, Customer, Order};
use crate::security::grants::{Action, Entity};
use crate::store::{Consent, ErasureCounts, OrderFilter, Reach, ValidConsent};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The version of the privacy notice (`privacy-notice` in each language's messages) that this
/// program shows; a consent records the version the person was shown.
pub const NOTICE_VERSION: &str = "2026-12";

/// The ways a consent is given or withdrawn.
pub const CONSENT_CHANNELS: &[&str] = &["form", "web", "email", "phone", "paper", "in-person"];

/// A consent as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConsentInput {
    /// What for: marketing, service, analytics, transfer (abroad or to a third party), or a
    /// company's own purpose (letters, digits, dashes).
    pub purpose: Option<String>,
    /// Given (true) or withdrawn (false).
    pub given: bool,
    pub channel: Option<String>,
    /// The notice shown (default: this program's).
    pub notice_version: Option<String>,
    /// When the person gave or withdrew it, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` local time
    /// (default: now).
    pub at: Option<String>,
}

/// The privacy notice in the caller's language.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PrivacyNotice {
    pub version: String,
    pub text: String,
}

/// Everything the book holds about one person, as an access request gets it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonData {
    pub exported_at_ms: i64,
    pub customer: Customer,
    pub contacts: Vec<Contact>,
    pub activities: Vec<Activity>,
    pub orders: Vec<Order>,
    pub consents: Vec<Consent>,
    pub history: Vec<HistoryEntry>,
}

/// The files a privacy export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PrivacyExport {
    pub files: Vec<String>,
}

/// What an erasure did, and how long its two stages took.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ErasureReport {
    pub customer_id: String,
    pub counts: ErasureCounts,
    /// Until the person was gone from every list, search and record (ms).
    pub visible_ms: u64,
    /// Until no page of the book or its WAL held any of it: full-text segments merged, WAL
    /// truncated (ms).
    pub purged_ms: u64,
    /// Migration snapshots beside the book, taken before the erasure with the person in them,
    /// that were deleted.
    pub snapshots_removed: Vec<String>,
    /// The WAL was truncated. When not (another program had the book open and kept reading),
    /// its old pages go when the last program closes the book.
    pub wal_purged: bool,
}

fn valid_purpose(p: &str) -> bool {
    !p.is_empty() && p.len() <= 40 && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Banyan {
    /// The privacy notice to show a customer, in the current language (customer.read).
    pub fn privacy_notice(&self, caller: &Caller) -> ApiResult<PrivacyNotice> {
        self.may(caller, Entity::Customer, Action::Read)?;
        let text = self.l10n().format("privacy-notice", &[("version", NOTICE_VERSION.to_string())]);
        Ok(PrivacyNotice { version: NOTICE_VERSION.into(), text })
    }

    /// Records a consent given or withdrawn by a customer the caller may read (privacy.create).
    pub fn record_consent(&self, caller: &Caller, customer_id: &str, input: &ConsentInput) -> ApiResult<Consent> {
        self.may(caller, Entity::Privacy, Action::Create)?;
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let cid = self.customer_id(customer_id)?;
        let run = || -> crate::Result<Consent> {
            self.reached_customer(&reach, cid)?;
            let mut problems = Vec::new();
            let purpose = input.purpose.as_deref().map(str::trim).unwrap_or_default().to_lowercase();
            if !valid_purpose(&purpose) {
                problems.push(FieldError::new("purpose", "error-consent-purpose").arg("value", &purpose));
            }
            let channel = input.channel.as_deref().map(str::trim).unwrap_or("form").to_lowercase();
            if !CONSENT_CHANNELS.contains(&channel.as_str()) {
                problems.push(
                    FieldError::new("channel", "error-consent-channel")
                        .arg("value", &channel)
                        .arg("channels", CONSENT_CHANNELS.join(", ")),
                );
            }
            let notice =
                input.notice_version.as_deref().map(str::trim).filter(|v| !v.is_empty()).unwrap_or(NOTICE_VERSION);
            if notice.chars().count() > 40 {
                problems.push(FieldError::new("noticeVersion", "error-consent-notice"));
            }
            let now = self.store.now_ms();
            let at = match input.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                None => Some(now),
                Some(a) => local_ms(a),
            };
            match at {
                Some(t) if t <= now + 60_000 => {}
                _ => problems
                    .push(FieldError::new("at", "error-consent-at").arg("value", input.at.clone().unwrap_or_default())),
            }
            if !problems.is_empty() {
                return Err(Error::Invalid(problems));
            }
            let valid = ValidConsent {
                purpose: purpose.clone(),
                given: input.given,
                channel,
                notice_version: notice.to_string(),
                at_ms: at.unwrap_or(now),
            };
            let consent = self.store.add_consent(&caller.actor(), cid, &valid)?;
            let kind = if input.given { "consent-given" } else { "consent-withdrawn" };
            let detail = json!({ "customer": consent.customer_id, "purpose": purpose, "channel": consent.channel });
            self.audit(&caller.actor().user, kind, detail)?;
            Ok(consent)
        };
        run().map_err(|e| self.err(e))
    }

    /// A customer's consents, oldest first (privacy.read).
    pub fn consents(&self, caller: &Caller, customer_id: &str) -> ApiResult<Vec<Consent>> {
        self.may(caller, Entity::Privacy, Action::Read)?;
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let cid = self.customer_id(customer_id)?;
        let run = || -> crate::Result<Vec<Consent>> {
            self.reached_customer(&reach, cid)?;
            self.store.consents(cid)
        };
        run().map_err(|e| self.err(e))
    }

    /// Everything about one person for an access request (privacy.export): their record,
    /// contacts, activities, orders, consents and history, as `<id>.json` and one CSV per part in
    /// `dir` (made if missing; files are the owner's only, like every export).
    pub fn privacy_export(&self, caller: &Caller, customer_id: &str, dir: &Path) -> ApiResult<PrivacyExport> {
        self.may(caller, Entity::Privacy, Action::Export)?;
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let cid = self.customer_id(customer_id)?;
        let customer = self.reached_customer(&reach, cid).map_err(|e| self.err(e))?;
        self.outside_book(dir, "out")?;
        let history = self.history(caller, customer_id)?;
        let run = || -> crate::Result<PrivacyExport> {
            let orders = self.store.orders(&OrderFilter { customer: Some(cid), ..Default::default() }, &Reach::All)?;
            let data = PersonData {
                exported_at_ms: self.store.now_ms(),
                contacts: self.store.contacts(cid)?,
                activities: self.store.activities(cid)?,
                orders: orders.into_iter().map(|o| fields::order(caller.grants(), o)).collect(),
                consents: self.store.consents(cid)?,
                history,
                customer,
            };
            let files = person_files(dir, &cid.to_string(), &data)?;
            let detail = json!({ "customer": cid.to_string(), "files": files.len() });
            self.audit(&caller.actor().user, "privacy-export", detail)?;
            Ok(PrivacyExport { files: files.iter().map(|p| p.display().to_string()).collect() })
        };
        run().map_err(|e| self.err(e))
    }

    /// Erases one person (privacy.delete): the customer, their contacts and activities are
    /// overwritten and tombstoned, their orders keep their amounts but lose their notes; the
    /// change log keeps that each change happened (and the chain still verifies) without any of
    /// the values; the search index and the typo vocabulary forget them; then the full-text
    /// segments are merged and the WAL truncated, so no page of the book holds any of it. Migration
    /// snapshots beside the book (taken before, with the person in them) are deleted. The id is
    /// kept in `erasures`, with `reason`, so that sync and a restored older backup erase again.
    pub fn erase_person(&self, caller: &Caller, customer_id: &str, reason: &str) -> ApiResult<ErasureReport> {
        self.may(caller, Entity::Privacy, Action::Delete)?;
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let cid = self.customer_id(customer_id)?;
        let run = || -> crate::Result<ErasureReport> {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(Error::invalid("reason", "error-erasure-reason"));
            }
            if self.store.is_erased(cid)? {
                return Err(Error::NotFound { entity: "customer", id: cid.to_string() });
            }
            // A customer already deleted is still erased: its rows and history hold the data.
            match self.reached_customer(&reach, cid) {
                Ok(_) => {}
                Err(Error::NotFound { .. }) if reach == Reach::All => {}
                Err(e) => return Err(e),
            }
            let t = std::time::Instant::now();
            let counts = self.store.erase_customer(&caller.actor(), cid, reason)?;
            let visible_ms = t.elapsed().as_millis() as u64;
            let detail = json!({ "customer": cid.to_string(), "reason": reason, "counts": counts });
            self.audit(&caller.actor().user, "erasure", detail)?;
            let wal_purged = self.store.purge_erased()?;
            let purged_ms = t.elapsed().as_millis() as u64;
            let snapshots_removed = remove_snapshots(self.store.path())?;
            Ok(ErasureReport {
                customer_id: cid.to_string(),
                counts,
                visible_ms,
                purged_ms,
                snapshots_removed,
                wal_purged,
            })
        };
        run().map_err(|e| self.err(e))
    }
}

/// A typed date, or date and time, in local time as Unix ms.
fn local_ms(typed: &str) -> Option<i64> {
    use chrono::TimeZone;
    let iso = crate::model::parse_date_time(typed)?;
    let t = chrono::NaiveDateTime::parse_from_str(&iso, "%Y-%m-%dT%H:%M")
        .ok()
        .or_else(|| chrono::NaiveDate::parse_from_str(&iso, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0))?;
    Some(chrono::Local.from_local_datetime(&t).earliest()?.timestamp_millis())
}

/// Writes `data` as `<id>.json` and one CSV per part (`<id>-customer.csv`, `-contacts`,
/// `-activities`, `-orders`, `-consents`, `-history`) into `dir`: UTF-8 with a BOM (so Excel
/// reads Chinese right), a column per key, cells a spreadsheet would run as a formula
/// neutralized as in every export. Files are created the owner's only, new (an existing file is
/// not overwritten).
fn person_files(dir: &Path, id: &str, data: &PersonData) -> crate::Result<Vec<PathBuf>> {
    crate::security::files::create_dir_all(dir)?;
    let mut written = Vec::new();
    let json_path = dir.join(format!("{id}.json"));
    let mut f = crate::security::files::create_new(&json_path)?;
    serde_json::to_writer_pretty(&mut f, data).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut f, b"\n")?;
    written.push(json_path);
    let value = serde_json::to_value(data).map_err(std::io::Error::other)?;
    for (part, key) in [
        ("customer", "customer"),
        ("contacts", "contacts"),
        ("activities", "activities"),
        ("orders", "orders"),
        ("consents", "consents"),
        ("history", "history"),
    ] {
        let rows: Vec<&serde_json::Map<String, serde_json::Value>> = match &value[key] {
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_object()).collect(),
            serde_json::Value::Object(o) => vec![o],
            _ => Vec::new(),
        };
        let mut columns: Vec<&str> = Vec::new();
        for r in &rows {
            for k in r.keys() {
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
        let path = dir.join(format!("{id}-{part}.csv"));
        let mut file = crate::security::files::create_new(&path)?;
        std::io::Write::write_all(&mut file, "\u{feff}".as_bytes())?;
        let mut w = csv::Writer::from_writer(file);
        let cell = |v: Option<&serde_json::Value>| -> String {
            let text = match v {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            banyan_read::formula::neutralize(&text).into_owned()
        };
        let csv_err = |e: csv::Error| Error::Io(std::io::Error::other(e));
        w.write_record(&columns).map_err(csv_err)?;
        for r in &rows {
            w.write_record(columns.iter().map(|c| cell(r.get(*c)))).map_err(csv_err)?;
        }
        w.flush()?;
        written.push(path);
    }
    Ok(written)
}

/// Deletes the migration snapshots beside the book (`<book>.v…-before-v….snapshot`).
fn remove_snapshots(book: &Path) -> crate::Result<Vec<String>> {
    let (Some(dir), Some(name)) = (book.parent(), book.file_name().and_then(|n| n.to_str())) else {
        return Ok(Vec::new());
    };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if file.starts_with(&format!("{name}.v")) && file.ends_with(".snapshot") && file.contains("-before-v") {
            std::fs::remove_file(&path)?;
            removed.push(path.display().to_string());
        }
    }
    removed.sort();
    Ok(removed)
}
