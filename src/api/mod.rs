//! The façade: the one API every caller uses (the `banyan` CLI, the desktop shell, tests). It
//! validates input with the domain rules, calls the store, and turns every failure into an
//! [`ApiError`] whose message is already localized.

use crate::demo::{self, DemoSummary};
use crate::error::{Error, FieldError};
use crate::i18n::{Lang, Localizer};
use crate::model::*;
use crate::quality::phone::Region;
use crate::security::grants::{Action, Entity};
use crate::security::keys::{KdfParams, KeyMode, Unlock};
use crate::store::{Actor, CustomerFilter, NewKey, OrderFilter, Reach, SearchFilter, SearchHit, Store, StoreOptions};
use serde::Serialize;
use std::path::{Path, PathBuf};

mod audit;
mod backup;
mod diagnostics;
mod fields;
mod health;
pub use fields::RULE_FIELDS;
mod history;
mod io;
mod policies;
mod privacy;
mod rewind;
mod roles;
mod scope;
mod sync;
mod users;
pub use audit::AuditReport;
pub use backup::{BackupEntry, BackupReport, BackupSettings, LostDay, RestorePreview, RestoreReport, VerifyReport};
pub use diagnostics::{DiagnosticsEntry, DiagnosticsReport, set_shell};
pub use health::{Health, HealthWarning};
pub use history::{HistoryEntry, Revert};
pub use io::*;
pub use policies::{PolicyEntry, PolicyView, policies};
pub use privacy::{
    CONSENT_CHANNELS, ConsentInput, ErasureReport, NOTICE_VERSION, PersonData, PrivacyExport, PrivacyNotice,
};
pub use rewind::{RewindItem, RewindKept, RewindPreview, RewindReport, parse_moment};
pub use roles::RoleView;
pub use scope::{LikelyDuplicate, OwnerChoice};
pub use sync::SyncStatus;
pub use users::{Caller, Channel, MfaEnrolment, ServiceToken};

/// The closed set of error kinds a caller can branch on; mirrored in the UI's TypeScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    Invalid,
    NotFound,
    WrongPassphrase,
    WrongKey,
    PassphraseRequired,
    KeyMissing,
    KeyringUnavailable,
    DbTruncated,
    DbCorrupt,
    DbNewer,
    DbMissing,
    DbExists,
    KeyFile,
    MigrationFailed,
    DiskFull,
    Storage,
    Io,
    /// A file to import could not be read (format, encoding, hostile content, size).
    BadFile,
    Cancelled,
    /// The book is not open yet (first run, or waiting for the passphrase).
    NotOpen,
    /// Wrong login, password or code (one code for all three).
    SignInFailed,
    /// Too many failed sign-ins: the account is locked on this desktop for a while.
    Locked,
    /// The password was right; an authenticator or recovery code is needed too.
    MfaRequired,
    /// The authenticator code was already used.
    MfaReplayed,
    /// The authenticator code fits another time: a clock is off.
    ClockOff,
    UserDisabled,
    /// The caller's role requires an authenticator app: set one up before anything else.
    MfaSetupRequired,
    /// The book has no users yet: create the first admin.
    NoUsers,
    /// The book has users and the call was made without signing in.
    SignInRequired,
    /// The caller's role does not allow this; the message names what.
    Forbidden,
    /// The audit trail shows history was altered (`banyan audit verify`).
    HistoryAltered,
    /// A peer's changes broke a rule of sync and were refused whole; the message says which.
    PeerRefused,
    /// A desktop to sync with could not be reached, refused this one, or the connection broke.
    Network,
    /// Pairing failed: the code was wrong, expired, or the connection was not the one the other
    /// desktop shows.
    PairingFailed,
    /// This desktop was removed from the book: the other desktop refuses it (trying again does
    /// not help; an admin can invite it again).
    Removed,
    /// The backup's key could not be opened: wrong backup passphrase or recovery key, or none
    /// given (or, when making one, no passphrase or recovery key to wrap it for).
    BackupKey,
    /// The backup is another book's.
    BackupOtherBook,
    /// The backup is missing, truncated, damaged, or its manifest altered (the message says which).
    BackupDamaged,
    /// The backup folder is missing (a drive pulled, a share offline), full or failing.
    BackupTarget,
    /// Anything else about backups and restores (nothing to undo, no backup yet, ...).
    Backup,
    /// Another program has the book open: close it first (a restore swaps the file).
    BookInUse,
    /// `banyan health` found a threshold crossed (the message lists them).
    Unhealthy,
}

/// One field's localized complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

/// An error as callers see it: `{ code, message, field? }`, the message in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every rejected field (validation errors only), so a form can mark each one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMessage>,
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

/// Where the database is and who is using it.
#[derive(Clone)]
pub struct OpenOptions {
    pub path: PathBuf,
    pub lang: Lang,
    pub store: StoreOptions,
}

impl OpenOptions {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), lang: Lang::EnUs, store: StoreOptions::default() }
    }
}

/// The default database location: `banyan.db` in this desktop's folder ([`crate::home`]: the
/// local application-data folder, or `data/` beside the program in portable mode). Does not move
/// anything: [`book_path`] is what opens a book.
pub fn default_db_path() -> PathBuf {
    crate::home::current().map(|h| h.book()).unwrap_or_else(|_| PathBuf::from(crate::home::BOOK_FILE))
}

/// Where the customer book is on this computer: in IT's mandatory `DatabaseDirectory` (a book
/// named elsewhere, with `--db` or `BANYAN_DB`, is refused naming the policy), else the one
/// named, else in a recommended `DatabaseDirectory`, else at [`default_db_path`]. A policy's folder
/// that is relative, on a network drive or not writable stops here, naming the policy and the
/// folder: the book never silently goes elsewhere.
pub fn book_path(named: Option<PathBuf>) -> crate::Result<PathBuf> {
    book_path_in(crate::policy::current(), named)
}

fn book_path_in(policies: &crate::policy::Policies, named: Option<PathBuf>) -> crate::Result<PathBuf> {
    const POLICY: &str = "DatabaseDirectory";
    let Some((folder, mandatory)) = policies.book_folder() else {
        return match named {
            Some(n) => Ok(n),
            // This desktop's folder (portable mode refused by IT stops here), where a book from
            // an earlier version's place is moved once.
            None => crate::home::current().map(|h| h.default_book()),
        };
    };
    if !mandatory && let Some(n) = named {
        return Ok(n);
    }
    let shown = folder.display().to_string();
    let refuse = |id: &'static str| FieldError::new("db", id).arg("policy", POLICY).arg("path", &shown);
    if !folder.is_absolute() {
        return Err(Error::field(refuse("error-policy-folder-relative")));
    }
    if crate::policy::network_filesystem(&folder).is_some() {
        return Err(Error::field(refuse("error-policy-folder-network")));
    }
    let writable = std::fs::create_dir_all(&folder).and_then(|_| {
        let probe = folder.join(format!(".banyan-write-check-{}", std::process::id()));
        std::fs::write(&probe, b"").and_then(|_| std::fs::remove_file(&probe))
    });
    if writable.is_err() {
        return Err(Error::field(refuse("error-policy-folder-unwritable")));
    }
    let book = folder.join("banyan.db");
    match named {
        // The book named is in the folder IT set (as the path IT names it, or the same folder
        // reached another way).
        Some(n) if n.parent().is_some_and(|p| same_folder(p, &folder)) => Ok(n),
        Some(n) => Err(Error::field(refuse("error-policy-folder-elsewhere").arg("named", n.display().to_string()))),
        None => Ok(book),
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    a == b || matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Settings a new database starts with.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Region for phone numbers typed without a country code.
    pub phone_region: String,
    /// Currency for new products.
    pub currency: String,
}

impl Settings {
    /// The settings this computer applies over those given (a book's own, or what a new book is
    /// asked to start with): IT's mandatory `PhoneRegion`/`Currency`, else the value given, else
    /// the recommended policy, else the built-in default. The one place that rule is written: a
    /// new book's defaults (`in_force(None, None)`), what `Banyan::create` keeps, and what an open
    /// book reads (`Banyan::book_settings`) all come from it.
    pub fn in_force(phone_region: Option<String>, currency: Option<String>) -> Settings {
        let d = Settings::default();
        let p = crate::policy::current();
        Settings {
            phone_region: p.text("PhoneRegion", phone_region).0.unwrap_or(d.phone_region),
            currency: p.text("Currency", currency).0.unwrap_or(d.currency),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self { phone_region: "CN".into(), currency: "CNY".into() }
    }
}

/// A customer with everything shown on its record page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CustomerRecord {
    pub customer: Customer,
    pub contacts: Vec<Contact>,
    pub activities: Vec<Activity>,
    pub orders: Vec<Order>,
}

pub struct Banyan {
    store: Store,
    /// Messages in every language, and the one in use: the language can change while an import
    /// or an export runs (they hold the book shared), so switching takes no exclusive lock.
    langs: Langs,
    /// The Argon2id cost of users' passwords (the store's key cost).
    kdf: KdfParams,
    /// The device ids this book had before a restore in this process gave it a new one: who
    /// signed in here before stays signed in.
    former_devices: Vec<String>,
}

struct Langs {
    all: Vec<Localizer>,
    current: std::sync::atomic::AtomicUsize,
}

impl Langs {
    fn new(lang: Lang) -> Self {
        let all: Vec<Localizer> = Lang::ALL.iter().map(|l| Localizer::new(*l)).collect();
        let current = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        Self { all, current: current.into() }
    }

    fn get(&self) -> &Localizer {
        &self.all[self.current.load(std::sync::atomic::Ordering::Relaxed)]
    }

    fn set(&self, lang: Lang) {
        let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        self.current.store(i, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Banyan {
    /// Creates a new encrypted database with its key in `key`.
    pub fn create(opts: &OpenOptions, key: NewKey, settings: &Settings) -> ApiResult<Banyan> {
        let l10n = Localizer::new(opts.lang);
        let fail = |e: Error| localize(&l10n, e);
        // IT's mandatory PhoneRegion / Currency over what was asked for (a recommended one is the
        // caller's default: `Settings::in_force(None, None)`).
        let settings = &Settings::in_force(Some(settings.phone_region.clone()), Some(settings.currency.clone()));
        let region = Region::parse(&settings.phone_region).ok_or_else(|| {
            fail(Error::field(FieldError::new("phoneRegion", "error-region").arg("value", &settings.phone_region)))
        })?;
        let currency = Currency::parse(&settings.currency, "currency").map_err(|e| fail(Error::field(e)))?;
        let store = Store::create(&opts.path, key, opts.store.clone()).map_err(fail)?;
        let b = Banyan { store, langs: Langs::new(opts.lang), kdf: opts.store.kdf, former_devices: Vec::new() };
        // The book's first settings, made before it has users.
        let creator = Actor { user: String::new(), batch: None };
        b.store.set_setting(&creator, "phone_region", &region.code()).map_err(|e| b.err(e))?;
        b.store.set_setting(&creator, "currency", currency.code()).map_err(|e| b.err(e))?;
        Ok(b)
    }

    pub fn open(opts: &OpenOptions, unlock: &Unlock) -> ApiResult<Banyan> {
        let started = std::time::Instant::now();
        let l10n = Localizer::new(opts.lang);
        backup::undo_half_swap(&opts.path);
        // IT requires a passphrase (KeyMode, or portable mode) and this book's key is in the
        // keyring: the passphrase given is the new one, set before anything else happens.
        let rule = crate::home::key_rule();
        let to_set = match unlock {
            Unlock::KeyFile { passphrase } if rule.passphrase_to_set_for(&opts.path) => {
                let Some(p) = passphrase else { return Err(localize(&l10n, rule.passphrase_to_set_error())) };
                crate::security::keys::check_new_passphrase(p).map_err(|e| localize(&l10n, e))?;
                Some(p.clone())
            }
            _ => None,
        };
        let opened = match unlock {
            // A shared desktop: the sign-in opens the key slot, counted toward the lockout like
            // any sign-in (the book is not open yet, so a refusal is not in its audit trail).
            Unlock::Slot { login, password } => {
                let folded = Unlock::Slot { login: crate::model::login_key(login), password: password.clone() };
                users::open_slot_counted(&opts.path, login, opts.store.clock.now_ms(), || {
                    Store::open(&opts.path, &folded, opts.store.clone())
                })
            }
            _ => Store::open(&opts.path, unlock, opts.store.clone()),
        };
        match opened {
            Ok(mut store) => {
                // A restore cut short is finished before anything else (see `finish_restore`).
                if let Err(e) = backup::finish_restore(&mut store) {
                    return Err(localize(&l10n, e));
                }
                if let Some(p) = &to_set {
                    store
                        .rewrap(KeyMode::Passphrase, Some(p.as_str()), opts.store.kdf)
                        .map_err(|e| localize(&l10n, e))?;
                    tracing::info!(
                        by = rule.by.as_deref().unwrap_or_default(),
                        "the book's key moved from the keyring to a passphrase, as required"
                    );
                }
                let b = Banyan { store, langs: Langs::new(opts.lang), kdf: opts.store.kdf, former_devices: Vec::new() };
                // An import whose process died part-way is taken back now, so the book never stays
                // half-imported. Should that fail (a full disk), the import stays "running" and
                // is taken back at a later open; the book itself opens either way.
                let _ = b.store.recover_imports();
                tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    device = %b.store.device(),
                    migrated = b.store.migration_snapshot().is_some(),
                    "book opened"
                );
                Ok(b)
            }
            Err(e) => Err(localize(&l10n, e)),
        }
    }

    pub fn lang(&self) -> Lang {
        self.l10n().lang()
    }

    /// Switches the language of messages; takes effect for the next message, also in an import
    /// or export already running.
    pub fn set_lang(&self, lang: Lang) {
        self.langs.set(lang);
    }

    pub fn localizer(&self) -> &Localizer {
        self.langs.get()
    }

    pub(crate) fn l10n(&self) -> &Localizer {
        self.langs.get()
    }

    /// Where the snapshot of the book as it was went, when this open migrated it to a newer
    /// schema (the user is told, so the old version can be restored from it).
    pub fn migration_snapshot(&self) -> Option<&Path> {
        self.store.migration_snapshot()
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub(crate) fn err(&self, e: Error) -> ApiError {
        localize(self.l10n(), e)
    }

    pub(crate) fn ctx(&self) -> ApiResult<ValidationContext> {
        let s = self.book_settings()?;
        Ok(ValidationContext {
            region: Region::parse(&s.phone_region).unwrap_or_default(),
            custom_fields: self.store.custom_fields().map_err(|e| self.err(e))?,
            owners: OwnerDirectory::new(&self.store.users().map_err(|e| self.err(e))?),
        })
    }

    pub(crate) fn customer_id(&self, id: &str) -> ApiResult<CustomerId> {
        CustomerId::parse(id, "id").map_err(|e| self.err(e))
    }

    // ---- customers -------------------------------------------------------------------------

    /// Adds a customer, owned by the caller unless the input names another owner (a user within
    /// what the caller may create for).
    pub fn add_customer(&self, caller: &Caller, input: &CustomerInput) -> ApiResult<Customer> {
        let reach = self.reach(caller, Entity::Customer, Action::Create)?;
        let ctx = self.ctx()?;
        let run = || -> crate::Result<Customer> {
            let mut input = input.clone();
            let typed = input.owner.take().unwrap_or_default();
            let owner = if typed.trim().is_empty() {
                Some(caller.user().to_string())
            } else {
                self.owner_within(&reach, &typed)?
            };
            fields::check_input(caller.grants(), &input)?;
            let mut valid = input.validate(&ctx)?;
            valid.owner = owner;
            Ok(fields::customer(caller.grants(), self.store.add_customer(&caller.actor(), &valid)?))
        };
        run().map_err(|e| self.err(e))
    }

    pub fn customer(&self, caller: &Caller, id: &str) -> ApiResult<Customer> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let c = self.reached_customer(&reach, self.customer_id(id)?).map_err(|e| self.err(e))?;
        Ok(fields::customer(caller.grants(), c))
    }

    /// The customer with contacts, activity timeline and orders.
    pub fn customer_record(&self, caller: &Caller, id: &str) -> ApiResult<CustomerRecord> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let cid = self.customer_id(id)?;
        let run = || -> crate::Result<CustomerRecord> {
            let customer = self.reached_customer(&reach, cid)?;
            // What the caller's roles do not let them read is left out, not refused: a record
            // page without its orders is still the record.
            let may = |e: Entity| self.may_read_part(caller, e, &customer);
            Ok(CustomerRecord {
                contacts: if may(Entity::Contact)? { self.store.contacts(cid)? } else { Vec::new() },
                activities: if may(Entity::Activity)? { self.store.activities(cid)? } else { Vec::new() },
                orders: if may(Entity::Order)? {
                    let list =
                        self.store.orders(&OrderFilter { customer: Some(cid), ..Default::default() }, &Reach::All)?;
                    list.into_iter().map(|o| fields::order(caller.grants(), o)).collect()
                } else {
                    Vec::new()
                },
                customer: fields::customer(caller.grants(), customer),
            })
        };
        run().map_err(|e| self.err(e))
    }

    /// Changes a customer within the caller's reach; a new owner must be a user within it too
    /// (a rep cannot hand a customer out of their team).
    pub fn update_customer(&self, caller: &Caller, id: &str, patch: &CustomerPatch) -> ApiResult<Customer> {
        let reach = self.reach(caller, Entity::Customer, Action::Update)?;
        let cid = self.customer_id(id)?;
        let ctx = self.ctx()?;
        let run = || -> crate::Result<Customer> {
            fields::check_patch(caller.grants(), patch, None)?;
            let mut patch = patch.clone();
            if let Some(typed) = &patch.owner {
                patch.owner = Some(self.owner_within(&reach, typed)?.unwrap_or_default());
            }
            let c = self.store.patch_customer(&caller.actor(), cid, &patch, &ctx, &reach)?;
            Ok(fields::customer(caller.grants(), c))
        };
        run().map_err(|e| self.err(e))
    }

    pub fn delete_customer(&self, caller: &Caller, id: &str) -> ApiResult<()> {
        let reach = self.reach(caller, Entity::Customer, Action::Delete)?;
        let cid = self.customer_id(id)?;
        self.store.delete_customer(&caller.actor(), cid, &reach).map_err(|e| self.err(e))
    }

    /// One page of the customers within the caller's reach that `filter` shows.
    pub fn customers(&self, caller: &Caller, filter: &CustomerFilter) -> ApiResult<Vec<Customer>> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let run = || -> crate::Result<Vec<Customer>> {
            let filter = CustomerFilter { owner: self.owner_filter(&filter.owner)?, ..filter.clone() };
            let list = self.store.customers(&filter, &reach)?;
            Ok(list.into_iter().map(|c| fields::customer(caller.grants(), c)).collect())
        };
        run().map_err(|e| self.err(e))
    }

    /// Search as the user types: exact name, then name prefix, pinyin, anywhere, then typos; each
    /// tier most recently active first. Every hit says which fields matched.
    pub fn search_customers(
        &self,
        caller: &Caller,
        text: &str,
        filter: &SearchFilter,
        limit: u32,
    ) -> ApiResult<Vec<SearchHit>> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let run = || -> crate::Result<Vec<SearchHit>> {
            let filter = SearchFilter { owner: self.owner_filter(&filter.owner)?, ..filter.clone() };
            let unseen = fields::unseen_matches(caller.grants());
            let hits = self.store.search_unseen(text, &filter, limit, &reach, &unseen)?;
            Ok(hits.into_iter().map(|h| fields::hit(caller.grants(), h)).collect())
        };
        run().map_err(|e| self.err(e))
    }

    /// Runs two searches nobody sees, so that the first ones a user types after opening the book
    /// are as fast as the rest: a process's first searches compile their statements, build the
    /// folding and pinyin tables and read the index's first pages (5-22 ms each on 100,000
    /// customers, then 1-3 ms; ≈11 ms for both warm-up searches; timed once by hand on the
    /// `cargo xtask bench ui` book). Failures are ignored: this only
    /// warms caches, and the search the user types reports its own errors. Then starts the book's
    /// upkeep, which merges the search segments a command-line import or rebuild left.
    pub fn warm_up(&self) {
        for q in ["a", "1381"] {
            let _ = self.store.search(q, &SearchFilter::default(), 50, &Reach::All);
        }
        self.store.request_upkeep();
    }

    /// Customers that share a phone number or email with `input` (other than `exclude_id`): what a
    /// form shows as "this customer may already exist"; of one out of the caller's reach, only
    /// who owns it. Invalid numbers and addresses are skipped here; validation reports them.
    pub fn likely_duplicates(
        &self,
        caller: &Caller,
        input: &CustomerInput,
        exclude_id: Option<&str>,
    ) -> ApiResult<Vec<LikelyDuplicate>> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let region = input.phone_region(&self.ctx()?);
        // A field the caller may not read finds nothing: typed numbers would tell whose they are.
        let unreadable = fields::unreadable(caller.grants());
        let reads = |f: &str| !unreadable.iter().any(|u| u == f);
        let phones: Vec<String> = input
            .phones
            .iter()
            .filter(|_| reads("phones"))
            .filter_map(|p| crate::quality::phone::normalize(p, region))
            .collect();
        let emails: Vec<String> = input
            .emails
            .iter()
            .filter(|_| reads("emails"))
            .filter_map(|e| crate::quality::email::normalize(e))
            .collect();
        let exclude = exclude_id.and_then(|id| id.parse().ok());
        let found = self.store.likely_duplicates(&phones, &emails, exclude).map_err(|e| self.err(e))?;
        Ok(found
            .into_iter()
            .map(|c| {
                let owner = c.owner_label().map(str::to_string);
                let customer = reach.contains(c.owner.as_deref()).then(|| fields::customer(caller.grants(), c));
                LikelyDuplicate { customer, owner }
            })
            .collect())
    }

    /// Rebuilds the search index, reporting (done, total).
    pub fn reindex(&self, caller: &Caller, progress: &mut dyn FnMut(u64, u64)) -> ApiResult<u64> {
        self.may(caller, Entity::Settings, Action::Update)?;
        self.store.reindex(progress).map_err(|e| self.err(e))
    }

    /// How many customers a list filter matches (for a virtualized list's scroll height).
    pub fn count_customers(&self, caller: &Caller, filter: &CustomerFilter) -> ApiResult<i64> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        let run = || -> crate::Result<i64> {
            let filter = CustomerFilter { owner: self.owner_filter(&filter.owner)?, ..filter.clone() };
            self.store.count_customers(&filter, &reach)
        };
        run().map_err(|e| self.err(e))
    }

    pub fn customer_count(&self, caller: &Caller) -> ApiResult<i64> {
        let reach = self.reach(caller, Entity::Customer, Action::Read)?;
        self.store.customer_count(&reach).map_err(|e| self.err(e))
    }

    pub fn add_contact(&self, caller: &Caller, customer_id: &str, input: &ContactInput) -> ApiResult<Contact> {
        let reach = self.reach(caller, Entity::Contact, Action::Create)?;
        let cid = self.customer_id(customer_id)?;
        self.reached_customer(&reach, cid).map_err(|e| self.err(e))?;
        let valid = input.validate(&self.ctx()?).map_err(|e| self.err(e))?;
        self.store.add_contact(&caller.actor(), cid, &valid).map_err(|e| self.err(e))
    }

    pub fn add_activity(&self, caller: &Caller, customer_id: &str, input: &ActivityInput) -> ApiResult<Activity> {
        let reach = self.reach(caller, Entity::Activity, Action::Create)?;
        let cid = self.customer_id(customer_id)?;
        self.reached_customer(&reach, cid).map_err(|e| self.err(e))?;
        let (kind, at, text) = input.validate().map_err(|e| self.err(e))?;
        self.store.add_activity(&caller.actor(), cid, kind, &at, &text).map_err(|e| self.err(e))
    }

    pub fn add_custom_field(
        &self,
        caller: &Caller,
        key: &str,
        label: &str,
        kind: &str,
        choices: &[String],
    ) -> ApiResult<CustomFieldDef> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let def = CustomFieldDef::validate(key, label, kind, choices).map_err(|e| self.err(e))?;
        self.store.add_custom_field(&caller.actor(), &def).map_err(|e| self.err(e))?;
        Ok(def)
    }

    pub fn custom_fields(&self, caller: &Caller) -> ApiResult<Vec<CustomFieldDef>> {
        self.may(caller, Entity::Customer, Action::Read)?;
        self.store.custom_fields().map_err(|e| self.err(e))
    }

    // ---- products --------------------------------------------------------------------------

    pub fn add_product(&self, caller: &Caller, input: &ProductInput) -> ApiResult<Product> {
        self.may(caller, Entity::Product, Action::Create)?;
        fields::check_price(caller.grants(), input.price.as_deref()).map_err(|e| self.err(e))?;
        let valid = input.validate(&self.book_settings()?.currency).map_err(|e| self.err(e))?;
        let p = self.store.add_product(&caller.actor(), &valid).map_err(|e| self.err(e))?;
        Ok(fields::product(caller.grants(), p))
    }

    pub fn update_product(&self, caller: &Caller, sku: &str, input: &ProductInput) -> ApiResult<Product> {
        self.may(caller, Entity::Product, Action::Update)?;
        fields::check_price(caller.grants(), input.price.as_deref()).map_err(|e| self.err(e))?;
        let current = self
            .store
            .product_by_sku(sku)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.err(Error::NotFound { entity: "product", id: sku.to_string() }))?;
        let merged = ProductInput {
            sku: input.sku.clone().or(Some(current.sku.clone())),
            name: input.name.clone().or(Some(current.name.clone())),
            price: input.price.clone().or(Some(current.price_text())),
            currency: input.currency.clone().or(Some(current.currency.clone())),
            tax_rate: input.tax_rate.clone().or(Some(current.tax_text())),
            active: input.active.or(Some(current.active)),
        };
        let valid = merged.validate(&current.currency).map_err(|e| self.err(e))?;
        let p = self.store.update_product(&caller.actor(), sku, &valid).map_err(|e| self.err(e))?;
        Ok(fields::product(caller.grants(), p))
    }

    pub fn products(&self, caller: &Caller, include_inactive: bool) -> ApiResult<Vec<Product>> {
        self.may(caller, Entity::Product, Action::Read)?;
        let list = self.store.products(include_inactive).map_err(|e| self.err(e))?;
        Ok(list.into_iter().map(|p| fields::product(caller.grants(), p)).collect())
    }

    // ---- orders ----------------------------------------------------------------------------

    /// Creates a draft order. Prices, discounts, taxes and totals are computed here from the
    /// stored products; the caller supplies only SKUs, quantities and discounts.
    pub fn create_order(&self, caller: &Caller, input: &OrderInput) -> ApiResult<Order> {
        let reach = self.reach(caller, Entity::Order, Action::Create)?;
        let cid = CustomerId::parse(&input.customer_id, "customerId").map_err(|e| self.err(e))?;
        // Unknown and out of reach read the same: no such customer, on the field.
        self.reached_customer(&reach, cid)
            .map_err(|e| match e {
                Error::NotFound { .. } => {
                    Error::field(FieldError::new("customerId", "error-customer-unknown").arg("id", cid.to_string()))
                }
                e => e,
            })
            .map_err(|e| self.err(e))?;
        fields::check_lines(caller.grants(), &input.lines).map_err(|e| self.err(e))?;
        let notes = self.order_notes(input.notes.as_deref())?;
        let o = self.store.create_order(&caller.actor(), cid, &input.lines, notes).map_err(|e| self.err(e))?;
        Ok(fields::order(caller.grants(), o))
    }

    /// An order's notes, held to the rules of every free text (length, no control or bidi
    /// override characters).
    fn order_notes(&self, notes: Option<&str>) -> ApiResult<Option<String>> {
        let mut errors = Vec::new();
        let notes = crate::model::opt_text(&mut errors, "notes", notes, crate::model::MAX_TEXT);
        if errors.is_empty() { Ok(notes) } else { Err(self.err(Error::Invalid(errors))) }
    }

    /// Prices lines without saving: the live totals of an order form.
    pub fn preview_order(&self, caller: &Caller, lines: &[LineInput]) -> ApiResult<OrderPreview> {
        self.may(caller, Entity::Order, Action::Create)?;
        fields::check_preview(caller.grants(), lines).map_err(|e| self.err(e))?;
        self.store.preview_order(lines).map_err(|e| self.err(e))
    }

    /// Replaces the lines (and notes) of a draft order.
    pub fn update_order_lines(
        &self,
        caller: &Caller,
        id_or_number: &str,
        lines: &[LineInput],
        notes: Option<&str>,
    ) -> ApiResult<Order> {
        let reach = self.reach(caller, Entity::Order, Action::Update)?;
        self.reached_order(&reach, id_or_number)?;
        let notes = self.order_notes(notes)?;
        fields::check_lines(caller.grants(), lines).map_err(|e| self.err(e))?;
        let o = self.store.update_order_lines(&caller.actor(), id_or_number, lines, notes).map_err(|e| self.err(e))?;
        Ok(fields::order(caller.grants(), o))
    }

    pub fn order(&self, caller: &Caller, id_or_number: &str) -> ApiResult<Order> {
        let reach = self.reach(caller, Entity::Order, Action::Read)?;
        Ok(fields::order(caller.grants(), self.reached_order(&reach, id_or_number)?))
    }

    pub fn orders(&self, caller: &Caller, filter: &OrderFilter) -> ApiResult<Vec<Order>> {
        let reach = self.reach(caller, Entity::Order, Action::Read)?;
        let list = self.store.orders(filter, &reach).map_err(|e| self.err(e))?;
        Ok(list.into_iter().map(|o| fields::order(caller.grants(), o)).collect())
    }

    /// The count and the per-currency totals of everything the filter finds (see
    /// [`crate::store::OrderSummary`]), for the orders list's footer.
    pub fn order_summary(&self, caller: &Caller, filter: &OrderFilter) -> ApiResult<crate::store::OrderSummary> {
        let reach = self.reach(caller, Entity::Order, Action::Read)?;
        let s = self.store.order_summary(filter, &reach).map_err(|e| self.err(e))?;
        Ok(fields::summary(caller.grants(), s))
    }

    pub fn set_order_status(&self, caller: &Caller, id_or_number: &str, status: &str) -> ApiResult<Order> {
        let reach = self.reach(caller, Entity::Order, Action::Update)?;
        self.reached_order(&reach, id_or_number)?;
        let to = OrderStatus::parse(status, "status").map_err(|e| self.err(Error::field(e)))?;
        let o = self.store.set_order_status(&caller.actor(), id_or_number, to).map_err(|e| self.err(e))?;
        Ok(fields::order(caller.grants(), o))
    }

    // ---- settings and maintenance ----------------------------------------------------------

    pub fn settings(&self, caller: &Caller) -> ApiResult<Settings> {
        self.may(caller, Entity::Settings, Action::Read)?;
        self.book_settings()
    }

    /// The book's settings as this computer applies them: IT's mandatory `PhoneRegion` and
    /// `Currency` policies over the book's own (which other desktops keep applying).
    fn book_settings(&self) -> ApiResult<Settings> {
        let get = |k: &str| self.store.setting(k).map_err(|e| self.err(e));
        Ok(Settings::in_force(get("phone_region")?, get("currency")?))
    }

    /// Refuses a book setting a mandatory policy holds on this computer at another value (the
    /// same value, as a form saving every field sends it, changes nothing and passes); whether
    /// it holds it.
    fn held_by_policy(&self, policy: &str, field: &str, value: &str) -> ApiResult<bool> {
        match crate::policy::current().held_text(policy) {
            Some(held) if held == value => Ok(true),
            Some(_) => {
                Err(self.err(Error::field(FieldError::new(field, "error-policy-managed").arg("policy", policy))))
            }
            None => Ok(false),
        }
    }

    pub fn set_phone_region(&self, caller: &Caller, code: &str) -> ApiResult<()> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let region = Region::parse(code)
            .ok_or_else(|| self.err(Error::field(FieldError::new("phoneRegion", "error-region").arg("value", code))))?;
        if self.held_by_policy("PhoneRegion", "phoneRegion", &region.code())? {
            return Ok(());
        }
        self.store.set_setting(&caller.actor(), "phone_region", &region.code()).map_err(|e| self.err(e))
    }

    pub fn set_currency(&self, caller: &Caller, code: &str) -> ApiResult<()> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let c = Currency::parse(code, "currency").map_err(|e| self.err(Error::field(e)))?;
        if self.held_by_policy("Currency", "currency", c.code())? {
            return Ok(());
        }
        self.store.set_setting(&caller.actor(), "currency", c.code()).map_err(|e| self.err(e))
    }

    /// Where the book's bytes go, table by table (see [`crate::store::Space`]).
    pub fn space(&self, caller: &Caller) -> ApiResult<crate::store::Space> {
        self.may(caller, Entity::Settings, Action::Read)?;
        self.store.space().map_err(|e| self.err(e))
    }

    /// Integrity check of the encrypted file; the problems found, empty when sound.
    pub fn check(&self, caller: &Caller) -> ApiResult<Vec<String>> {
        self.may(caller, Entity::Settings, Action::Update)?;
        self.full_check().map_err(|e| self.err(e))
    }

    /// Changes how the key is kept. With `new_key`, the database is also re-encrypted under a new
    /// random key (every page is rewritten); otherwise only the key file changes.
    pub fn rekey(
        &mut self,
        caller: &Caller,
        mode: KeyMode,
        passphrase: Option<&str>,
        new_key: bool,
        kdf: KdfParams,
    ) -> ApiResult<()> {
        self.may(caller, Entity::Settings, Action::Update)?;
        if mode == KeyMode::Shared {
            // Its key slot needs the caller's password (`passphrase` here), and a new key.
            return self.make_shared(caller, passphrase.unwrap_or_default()).map(|_| ());
        }
        // IT's KeyMode (or portable mode) holds for key changes too; a new key in the same mode
        // is always allowed (a book already behind a passphrase keeps it under a keyring policy).
        let current = crate::security::KeyStore::for_db(self.store.path()).mode().map_err(|e| self.err(e))?;
        if mode != current {
            crate::home::key_rule().allows(mode).map_err(|e| self.err(e))?;
        }
        let r =
            if new_key { self.store.rekey(mode, passphrase, kdf) } else { self.store.rewrap(mode, passphrase, kdf) };
        r.map_err(|e| self.err(e))
    }

    /// Adds realistic demo data: products, `customers` customers (mixed Chinese and English, people
    /// and companies), contacts, activities and orders in every status.
    ///
    /// The demo data is one batch in the import journal ("Demo data"), so it leaves the book as
    /// an import does: undoing that entry removes all of it, and what a user changed since is
    /// kept.
    /// Refuses what a policy turns off (`ImportEnabled` and the like), whoever asks.
    pub(crate) fn policy_allows(&self, feature: crate::policy::Feature) -> ApiResult<()> {
        if crate::policy::current().turns_off(feature) {
            return Err(self.err(Error::TurnedOff { policy: feature.policy() }));
        }
        Ok(())
    }

    pub fn demo(&self, caller: &Caller, customers: usize, seed: u64) -> ApiResult<DemoSummary> {
        self.may(caller, Entity::Customer, Action::Import)?;
        self.policy_allows(crate::policy::Feature::DemoData)?;
        let (ctx, currency) = (self.ctx()?, self.book_settings()?.currency);
        let batch = uuid::Uuid::now_v7().to_string();
        let run = || -> crate::Result<DemoSummary> {
            let _running = self.store.begin_import(&batch, &self.l10n().t("demo-batch-name"), "demo")?;
            let actor = Actor { user: caller.actor().user, batch: Some(batch.clone()) };
            match demo::fill(&self.store, &actor, &ctx, &currency, customers, seed) {
                Ok(s) => {
                    let counts = crate::store::ImportCounts {
                        rows_read: s.customers as u64,
                        created: s.customers as u64,
                        ..Default::default()
                    };
                    self.store.finish_import(&batch, "done", &counts)?;
                    Ok(s)
                }
                Err(e) => {
                    if self.store.batch_has_changes(&batch)? {
                        let mut quiet = crate::io::Progress { report: &mut |_, _| {}, cancelled: &|| false };
                        self.store.undo_batch(&caller.actor(), &batch, &mut quiet)?;
                    }
                    self.store.finish_import(&batch, "failed", &Default::default())?;
                    Err(e)
                }
            }
        };
        run().map_err(|e| self.err(e))
    }

    /// The store past the façade, for this package's tests and benchmarks only (feature
    /// `test-support`, which its dev-dependency on itself turns on): callers outside the core
    /// reach the book through the façade's methods, which check the caller.
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// The error for a call made before the book is open.
pub fn not_open(l: &Localizer) -> ApiError {
    ApiError { code: ErrorCode::NotOpen, message: l.t("error-not-open"), field: None, fields: vec![] }
}

/// Turns a core error into what a user reads.
/// The code of a backup error, by its message id.
fn backup_code(msg_id: &str) -> ErrorCode {
    match msg_id {
        "error-backup-wrong-passphrase"
        | "error-backup-wrong-recovery-key"
        | "error-backup-recovery-key"
        | "error-backup-key-needed"
        | "error-backup-no-passphrase-wrap"
        | "error-backup-no-recovery-wrap"
        | "error-backup-no-wrap" => ErrorCode::BackupKey,
        "error-backup-other-book" => ErrorCode::BackupOtherBook,
        "error-backup-missing"
        | "error-backup-no-manifest"
        | "error-backup-manifest-altered"
        | "error-backup-truncated"
        | "error-backup-damaged"
        | "error-backup-unsound"
        | "error-backup-newer-format" => ErrorCode::BackupDamaged,
        "error-backup-target-missing"
        | "error-backup-target-full"
        | "error-backup-target-failed"
        | "error-backup-target-readback"
        | "error-backup-book-disk-full" => ErrorCode::BackupTarget,
        _ => ErrorCode::Backup,
    }
}

pub fn localize(l: &Localizer, e: Error) -> ApiError {
    let logged = log_fields(&e);
    let out = localize_quiet(l, e);
    let code = serde_json::to_value(out.code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    if logged.expected {
        tracing::info!(code, msg_id = %logged.msg_id, fields = %logged.fields, "refused");
    } else {
        tracing::warn!(code, msg_id = %logged.msg_id, fields = %logged.fields, "failed");
    }
    out
}

/// What the log says of an error: its message id and the names of the fields it is about, never
/// a value, a path or a detail (those can quote data).
struct LoggedError {
    msg_id: String,
    fields: String,
    /// Bad input, a refusal, a cancel: the program did its job. Anything else is a warning.
    expected: bool,
}

fn log_fields(e: &Error) -> LoggedError {
    let (msg_id, fields, expected) = match e {
        Error::Invalid(list) => (
            list.iter().map(|f| f.msg_id).collect::<Vec<_>>().join(","),
            list.iter().map(|f| f.field.as_str()).collect::<Vec<_>>().join(","),
            true,
        ),
        // A file's own column names are its content: only the message id.
        Error::Input(f) => (f.msg_id.to_string(), String::new(), true),
        Error::Backup(f) => (f.msg_id.to_string(), String::new(), false),
        Error::FieldNotAllowed { field } => ("error-field-not-allowed".into(), field.clone(), true),
        Error::NotFound { entity, .. } => ("error-not-found".into(), entity.to_string(), true),
        Error::PeerRefused { fault, .. } => (fault.name().into(), String::new(), false),
        Error::Cancelled
        | Error::SignInFailed
        | Error::Locked { .. }
        | Error::MfaRequired
        | Error::MfaReplayed
        | Error::ClockOff { .. }
        | Error::UserDisabled
        | Error::MfaSetupRequired
        | Error::NoUsers
        | Error::SignInRequired
        | Error::SharedDesktop
        | Error::Forbidden { .. }
        | Error::TurnedOff { .. }
        | Error::NotAllowed { .. }
        | Error::WrongPassphrase
        | Error::PassphraseRequired
        | Error::DbExists(_) => (String::new(), String::new(), true),
        _ => (String::new(), String::new(), false),
    };
    LoggedError { msg_id, fields, expected }
}

/// [`localize`] without the log line, for errors that are not failures of an operation (a probe
/// whose "no" is the answer).
pub fn localize_quiet(l: &Localizer, e: Error) -> ApiError {
    let msg = |id: &str, args: &[(&str, String)]| l.format(id, args);
    let simple = |code, id: &str, args: &[(&str, String)]| ApiError {
        code,
        message: msg(id, args),
        field: None,
        fields: vec![],
    };
    match e {
        Error::Invalid(list) => {
            let fields: Vec<FieldMessage> = list
                .iter()
                .map(|f: &FieldError| {
                    let args: Vec<(&str, String)> = f.args.iter().map(|(k, v)| (*k, v.clone())).collect();
                    let text = msg(f.msg_id, &args);
                    FieldMessage {
                        field: f.field.clone(),
                        message: msg("field-error", &[("field", field_label(l, &f.field)), ("message", text)]),
                    }
                })
                .collect();
            ApiError {
                code: ErrorCode::Invalid,
                message: fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("\n"),
                field: fields.first().map(|f| f.field.clone()),
                fields,
            }
        }
        Error::NotFound { entity, id } => simple(
            ErrorCode::NotFound,
            "error-not-found",
            &[("entity", msg(&format!("entity-{entity}"), &[])), ("id", id)],
        ),
        Error::WrongPassphrase => simple(ErrorCode::WrongPassphrase, "error-wrong-passphrase", &[]),
        Error::WrongKey => simple(ErrorCode::WrongKey, "error-wrong-key", &[]),
        Error::PassphraseRequired => simple(ErrorCode::PassphraseRequired, "error-passphrase-required", &[]),
        Error::KeyMissing(_) => simple(ErrorCode::KeyMissing, "error-key-missing", &[]),
        Error::KeyringUnavailable(d) => {
            simple(ErrorCode::KeyringUnavailable, "error-keyring-unavailable", &[("detail", d)])
        }
        Error::Truncated(p) => {
            simple(ErrorCode::DbTruncated, "error-db-truncated", &[("path", p.display().to_string())])
        }
        Error::Corrupt(d) => simple(ErrorCode::DbCorrupt, "error-db-corrupt", &[("detail", d)]),
        Error::NewerSchema { found, supported } => simple(
            ErrorCode::DbNewer,
            "error-db-newer",
            &[("found", found.to_string()), ("supported", supported.to_string())],
        ),
        Error::DbMissing(p) => simple(ErrorCode::DbMissing, "error-db-missing", &[("path", p.display().to_string())]),
        Error::DbExists(p) => simple(ErrorCode::DbExists, "error-db-exists", &[("path", p.display().to_string())]),
        Error::KeyFile { path, detail } => {
            simple(ErrorCode::KeyFile, "error-key-file", &[("path", path.display().to_string()), ("detail", detail)])
        }
        Error::MigrationFailed { version, snapshot, detail } => simple(
            ErrorCode::MigrationFailed,
            "error-migration-failed",
            &[("version", version.to_string()), ("snapshot", snapshot.display().to_string()), ("detail", detail)],
        ),
        Error::DiskFull => simple(ErrorCode::DiskFull, "error-disk-full", &[]),
        Error::Input(f) => {
            let args: Vec<(&str, String)> = f.args.iter().map(|(k, v)| (*k, v.clone())).collect();
            simple(ErrorCode::BadFile, f.msg_id, &args)
        }
        Error::Backup(f) => {
            let args: Vec<(&str, String)> = f.args.iter().map(|(k, v)| (*k, v.clone())).collect();
            simple(backup_code(f.msg_id), f.msg_id, &args)
        }
        Error::BookInUse => simple(ErrorCode::BookInUse, "error-book-in-use", &[]),
        Error::Cancelled => simple(ErrorCode::Cancelled, "error-cancelled", &[]),
        Error::SignInFailed => simple(ErrorCode::SignInFailed, "error-sign-in-failed", &[]),
        Error::Locked { until_ms } => {
            let until = chrono::DateTime::from_timestamp_millis(until_ms)
                .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            simple(ErrorCode::Locked, "error-locked", &[("until", until)])
        }
        Error::MfaRequired => simple(ErrorCode::MfaRequired, "error-mfa-required", &[]),
        Error::MfaReplayed => simple(ErrorCode::MfaReplayed, "error-mfa-replayed", &[]),
        Error::ClockOff { minutes } => {
            simple(ErrorCode::ClockOff, "error-clock-off", &[("minutes", minutes.to_string())])
        }
        Error::UserDisabled => simple(ErrorCode::UserDisabled, "error-user-disabled", &[]),
        Error::MfaSetupRequired => simple(ErrorCode::MfaSetupRequired, "error-mfa-setup-required", &[]),
        Error::HistoryAltered { chains } => {
            simple(ErrorCode::HistoryAltered, "error-history-altered", &[("count", chains.to_string())])
        }
        Error::NoUsers => simple(ErrorCode::NoUsers, "error-no-users", &[]),
        Error::SignInRequired => simple(ErrorCode::SignInRequired, "error-sign-in-needed", &[]),
        Error::SharedDesktop => simple(ErrorCode::SignInRequired, "error-shared-desktop", &[]),
        Error::SharingUnfinished => simple(ErrorCode::PassphraseRequired, "error-sharing-unfinished", &[]),
        Error::Forbidden { what } => simple(ErrorCode::Forbidden, "error-forbidden", &[("what", msg(&what, &[]))]),
        Error::TurnedOff { policy } => {
            simple(ErrorCode::Forbidden, "error-policy-turned-off", &[("policy", policy.into())])
        }
        Error::FieldNotAllowed { field } => {
            let message = msg("error-field-not-allowed", &[("field", field_label(l, &field))]);
            ApiError {
                code: ErrorCode::Forbidden,
                fields: vec![FieldMessage { field: field.clone(), message: message.clone() }],
                message,
                field: Some(field),
            }
        }
        Error::NotAllowed { entity, action } => simple(
            ErrorCode::Forbidden,
            "error-not-allowed",
            &[
                ("action", msg(&format!("grant-action-{}", action.name()), &[])),
                ("entity", msg(&format!("grant-entity-{}", entity.name()), &[])),
            ],
        ),
        Error::PeerRefused { device, fault } => {
            simple(ErrorCode::PeerRefused, &format!("error-peer-{}", fault.name()), &[("device", device)])
        }
        Error::Storage(e) => simple(ErrorCode::Storage, "error-storage", &[("detail", e.to_string())]),
        Error::Io(e) if e.raw_os_error() == Some(28) => simple(ErrorCode::DiskFull, "error-disk-full", &[]),
        Error::Io(e) => simple(ErrorCode::Io, "error-io", &[("detail", e.to_string())]),
    }
}

/// `lines[1].quantity` → "Line 2 › Quantity"; `custom.industry` → "Custom field “industry”".
pub fn field_label(l: &Localizer, path: &str) -> String {
    let mut parts = Vec::new();
    let mut segments = path.split('.').peekable();
    while let Some(seg) = segments.next() {
        if seg == "custom" {
            let key = segments.next().unwrap_or_default();
            parts.push(format!("{} “{key}”", l.t("field-custom")));
            continue;
        }
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let id = format!("field-{}", kebab(name));
        let label = if l.has(&id) { l.t(&id) } else { name.to_string() };
        parts.push(match index {
            Some(i) => format!("{label} {}", i + 1),
            None => label,
        });
    }
    parts.join(" › ")
}

fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod book_path_tests {
    use super::*;

    fn policies(text: &str) -> (tempfile::TempDir, crate::policy::Policies) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policies.json");
        std::fs::write(&path, text).unwrap();
        let p = crate::policy::read(&path);
        (dir, p)
    }

    fn msg(r: crate::Result<PathBuf>) -> String {
        match r {
            Err(Error::Invalid(e)) => format!("{} {:?}", e[0].msg_id, e[0].args),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_book_is_where_its_policy_says_and_never_silently_elsewhere() {
        let (dir, none) = policies("{}");
        let named = dir.path().join("mine.db");
        assert_eq!(book_path_in(&none, Some(named.clone())).unwrap(), named);
        assert_eq!(book_path_in(&none, None).unwrap(), default_db_path());

        let folder = dir.path().join("it/books");
        let (_d, rec) = policies(&format!(r#"{{"recommended": {{"DatabaseDirectory": {:?}}}}}"#, folder));
        assert_eq!(book_path_in(&rec, Some(named.clone())).unwrap(), named, "the user's choice beats a recommendation");
        assert_eq!(book_path_in(&rec, None).unwrap(), folder.join("banyan.db"));
        assert!(folder.is_dir(), "the folder is made");

        let (_d, man) = policies(&format!(r#"{{"policies": {{"DatabaseDirectory": {:?}}}}}"#, folder));
        assert_eq!(book_path_in(&man, None).unwrap(), folder.join("banyan.db"));
        let inside = folder.join("other.db");
        assert_eq!(book_path_in(&man, Some(inside.clone())).unwrap(), inside);
        let refused = msg(book_path_in(&man, Some(named)));
        assert!(refused.starts_with("error-policy-folder-elsewhere") && refused.contains("mine.db"), "{refused}");

        let (_d, relative) = policies(r#"{"policies": {"DatabaseDirectory": "books"}}"#);
        let said = msg(book_path_in(&relative, None));
        assert!(said.starts_with("error-policy-folder-relative") && said.contains("books"), "{said}");
        // Not writable even for root: /proc takes no folders.
        let (_d, unwritable) = policies(r#"{"policies": {"DatabaseDirectory": "/proc/banyan-books"}}"#);
        let said = msg(book_path_in(&unwritable, None));
        assert!(said.starts_with("error-policy-folder-unwritable") && said.contains("/proc/banyan-books"), "{said}");
    }
}
