//! The IPC surface: one thin command per user action, each calling one façade function. The
//! `commands!` macro registers them with Tauri and, from the same definitions, generates the
//! TypeScript wrappers in ui/src/lib/bindings.ts (see the test at the end), so the UI's calls and
//! types are never written twice.

use crate::state::AppState;
use crate::updates::{UpdateStatus, Updates};
use banyan::api::{
    self, ApiError, Banyan, Caller, Channel, CustomerRecord, ExportReport, HistoryEntry, ImportPreview, ImportReport,
    ImportRequest, LikelyDuplicate, MergeRequest, OwnerChoice, RoleView, SavedMapping, Settings,
};
use banyan::demo::DemoSummary;
use banyan::i18n::{Lang, Localizer};
use banyan::io::export::ExportFormat;
use banyan::io::mapping::Mapping;
use banyan::model::*;
use banyan::security::KeyMode;
use banyan::store::{
    CustomerFilter, DuplicatePair, ImportRecord, NewKey, OrderFilter, OrderSummary, SearchFilter, SearchHit, UndoReport,
};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tauri::Emitter;
use tauri::Manager;
use tauri::State;

type R<T> = Result<T, ApiError>;

/// What the UI needs to decide which screen to show first.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// "missing": first run; "locked": waiting for the passphrase; "no-users": the book needs its
    /// first admin; "signed-out": waiting for a sign-in; "mfa-setup": signed in, but the role
    /// requires an authenticator app the user has not set up yet; "open": ready; "blocked": IT's
    /// DatabaseDirectory policy names a folder that cannot hold the book (`error` says why).
    pub state: String,
    /// Who is signed in.
    pub user: Option<Caller>,
    /// The login last signed in on this run, for the sign-in screen.
    pub last_login: Option<String>,
    /// The session ended because nobody used Banyan for `idle_lock_seconds`.
    pub locked_by_idle: bool,
    /// The OS ended the session: "screen-lock" (its screen locked) or "sleep".
    pub locked_by_os: Option<String>,
    /// Seconds without input before Banyan locks (10 minutes, or less by policy).
    pub idle_lock_seconds: u32,
    /// The most the user may choose: 10 minutes, or less by policy.
    pub idle_lock_max_seconds: u32,
    pub path: String,
    pub key_mode: Option<KeyMode>,
    pub lang: Lang,
    /// Why the book could not be opened at start, if it could not.
    pub error: Option<ApiError>,
    /// Every currency's digits after the decimal point, as the core counts them: the UI shows
    /// and reads amounts by these, never by the browser's own table.
    pub currencies: Vec<banyan::model::CurrencyDigits>,
    /// When this open updated a book made by an older version: where the snapshot of the book as
    /// it was went (shown once, so the user knows the old version is kept).
    pub updated_snapshot: Option<String>,
    /// The policies that turn a feature off on this desktop (`ImportEnabled`, `ExportEnabled`,
    /// `DemoDataEnabled`): the window greys the feature out, naming the policy.
    pub turned_off: Vec<String>,
    /// The settings a mandatory policy sets on this desktop (by policy name, `Locale`): the
    /// window shows them locked.
    pub managed: Vec<String>,
    /// How a book's key may be kept here (IT's KeyMode, or portable mode): the first run offers
    /// the default and locks a required one; a keyring book under a required passphrase asks
    /// its user to choose one before it opens.
    pub key_rule: banyan::home::KeyRule,
    /// The book keeps its key in the keyring while IT (or portable mode) requires a passphrase:
    /// the unlock card asks its user to choose one, which the book's key is put behind.
    pub passphrase_to_set: bool,
    /// What a new book starts with here (IT's PhoneRegion / Currency policies, else the
    /// defaults): the first run fills its fields with it and locks those in `managed`.
    pub new_book: Settings,
}

/// The first-run form.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateBook {
    pub key_mode: KeyMode,
    pub passphrase: Option<String>,
    pub phone_region: String,
    pub currency: String,
    /// How many demo customers to add (0 for none).
    pub demo_customers: u32,
}

/// One page of the customer list.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub total: i64,
    pub offset: u32,
    pub items: Vec<Customer>,
}

fn current_update_status(state: &AppState) -> UpdateStatus {
    state.app.state::<Updates>().status(state.update_plan())
}

/// The status with `kind` as its failure (shown in the update banner).
fn update_status_failed(state: &AppState, kind: &str, detail: &str) -> UpdateStatus {
    let mut s = current_update_status(state);
    s.failure = Some(crate::updates::UpdateFailure { kind: kind.into(), detail: detail.into() });
    s
}

fn status(state: &AppState) -> AppStatus {
    // The book first, then the session (the order `with` takes them in), and the book let go
    // before the session is read: the status never waits on a long command for the session.
    let (open, has_users, updated_snapshot) = {
        let book = state.book();
        match book.as_ref() {
            Some(b) => (true, b.has_users().unwrap_or(true), b.migration_snapshot().map(|p| p.display().to_string())),
            None => (false, false, None),
        }
    };
    let session = state.session();
    let policies = api::policies();
    let st = match (open, has_users) {
        _ if state.blocked.is_some() => "blocked",
        (true, false) => "no-users",
        (true, true) if session.caller.is_none() => "signed-out",
        (true, true) if session.caller.as_ref().is_some_and(|c| c.mfa_setup_needed()) => "mfa-setup",
        (true, true) => "open",
        // A shared desktop's book opens only as someone signs in.
        (false, _) if state.db_path.exists() && state.is_shared() => "signed-out",
        (false, _) if state.db_path.exists() => "locked",
        (false, _) => "missing",
    };
    AppStatus {
        state: st.into(),
        user: session.caller.clone(),
        last_login: session.last_login.clone(),
        locked_by_idle: session.locked_by_idle,
        locked_by_os: session.locked_by_os.map(str::to_string),
        idle_lock_seconds: state.idle_lock_seconds(),
        idle_lock_max_seconds: state.idle_lock_max_seconds,
        path: state.db_path.display().to_string(),
        key_mode: state.key_mode(),
        lang: state.lang(),
        error: state.blocked.clone().or_else(|| state.open_error.lock().unwrap_or_else(|e| e.into_inner()).clone()),
        currencies: banyan::model::currency_digits(),
        updated_snapshot,
        turned_off: policies.turned_off,
        managed: policies.managed,
        key_rule: banyan::home::key_rule(),
        passphrase_to_set: banyan::home::key_rule().passphrase_to_set_for(&state.db_path),
        new_book: Settings::in_force(None, None),
    }
}

/// Progress of an import or export, sent to the window as the "io-progress" event.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct IoProgress {
    /// "import" or "export".
    pub task: String,
    pub done: u64,
    pub total: u64,
}

/// Progress of opening a book made by an older version, sent as the "open-progress" event: its
/// update to this version ("migrate": history entries reshaped), then the rebuild of its search
/// index ("reindex": customers indexed).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenProgress {
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

/// The sync screen: this desktop, the book's desktops, the decisions waiting, the last round
/// this window ran and the invitation it shows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncOverview {
    pub status: api::SyncStatus,
    /// This desktop's name among the members (none before it first invited or joined).
    pub name: Option<String>,
    /// The book's desktops (empty for a role that may not see them).
    pub peers: Vec<banyan::store::Member>,
    pub conflicts: Vec<banyan::store::SyncConflict>,
    /// The address this desktop last reached (what "Sync now" offers).
    pub last_peer: Option<String>,
    /// Whether this desktop stays in sync with it (live sync).
    pub live: bool,
    pub last_round: Option<SyncRound>,
    pub invite: Option<InviteShown>,
}

/// What one sync round did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncRound {
    /// The other desktop's name, id and the address it was reached at.
    pub peer: String,
    pub device: String,
    pub address: String,
    pub sent: u64,
    pub received: u64,
    /// Decisions waiting for the signed-in user after it.
    pub conflicts: u32,
    pub seconds: f64,
    /// When it ended (ms since 1970).
    pub at_ms: f64,
}

/// An invitation being shown: the code to type on the joining desktop and this one's address.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteShown {
    pub code: String,
    pub address: String,
    /// When the code stops working (ms since 1970).
    pub expires_at_ms: f64,
}

/// How an invitation ended, sent as the "sync-invite" event: the desktop that joined, or why
/// none did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteEnded {
    pub code: String,
    pub joined: Option<String>,
    pub error: Option<ApiError>,
}

/// How far joining the team's book has got, sent as the "join-progress" event while
/// `join_book` runs: `step` is "preparing" (the other desktop copies the book), "receiving" or
/// "checking"; `done` of `total` bytes (both 0 while checking).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinProgress {
    pub step: String,
    pub done: f64,
    pub total: f64,
}

/// The first-run form's other way: joining the team's book with a code another desktop shows.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinBook {
    pub code: String,
    /// HOST:PORT of the inviting desktop, as it shows it.
    pub address: String,
    /// This desktop's name in the book (the computer's name when empty).
    pub name: Option<String>,
    pub key_mode: KeyMode,
    pub passphrase: Option<String>,
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0)
}

/// Runs a long import or export on the open book with progress events and the cancel flag.
fn with_progress<T>(
    state: &AppState,
    task: &str,
    f: impl FnOnce(&Banyan, &Caller, &mut dyn FnMut(u64, u64), &dyn Fn() -> bool) -> R<T>,
) -> R<T> {
    state.io.begin();
    let app = state.app.clone();
    let mut last = std::time::Instant::now() - std::time::Duration::from_secs(1);
    let mut report = |done: u64, total: u64| {
        // At most ~20 events a second: the bar moves smoothly and the IPC stays quiet.
        if last.elapsed().as_millis() >= 50 || done >= total {
            last = std::time::Instant::now();
            let _ = app.emit("io-progress", IoProgress { task: task.to_string(), done, total });
        }
    };
    let cancelled = || state.io.cancelled();
    let out = with(state, |b, c| f(b, c, &mut report, &cancelled));
    if state.io.end() {
        // The window asked to close while this ran (see `IoGuard`): it closes now.
        state.app.exit(0);
    }
    out
}

/// Runs `f` on the open book for the signed-in user, or reports that the book is not open or
/// nobody is signed in (after a lock, every command but signing in is refused).
fn with<T>(state: &AppState, f: impl FnOnce(&Banyan, &Caller) -> R<T>) -> R<T> {
    let book = state.book();
    let Some(b) = book.as_ref() else { return Err(api::not_open(&Localizer::new(state.lang()))) };
    // Taken out of the session (never held with it): a lock can end the session meanwhile.
    let Some(caller) = state.session().caller.clone() else {
        return Err(api::localize(b.localizer(), banyan::Error::SignInRequired));
    };
    f(b, &caller)
}

/// [`with`] for what swaps the book's file (a restore): nothing else holds it meanwhile, and live
/// sync, which holds it shared, lets go for it and goes on after.
fn with_book_mut<T>(state: &AppState, f: impl FnOnce(&mut Banyan, &Caller) -> R<T>) -> R<T> {
    let caller = state.session().caller.clone();
    state.stop_live();
    let done = {
        let mut book = state.book_mut();
        match (book.as_mut(), caller) {
            (None, _) => Err(api::not_open(&Localizer::new(state.lang()))),
            (Some(b), None) => Err(api::localize(b.localizer(), banyan::Error::SignInRequired)),
            (Some(b), Some(c)) => f(b, &c),
        }
    };
    state.start_live();
    done
}

/// The key a backup opens with: this book's, or the backup passphrase typed.
fn backup_unlock(passphrase: Option<String>) -> banyan::backup::BackupUnlock {
    match passphrase.filter(|p| !p.is_empty()) {
        Some(p) => banyan::backup::BackupUnlock::Passphrase(zeroize::Zeroizing::new(p)),
        None => banyan::backup::BackupUnlock::ThisBook,
    }
}

/// The open book for the sign-in screens (no one signed in yet).
fn with_book<T>(state: &AppState, f: impl FnOnce(&Banyan) -> R<T>) -> R<T> {
    match state.book().as_ref() {
        Some(b) => f(b),
        None => Err(api::not_open(&Localizer::new(state.lang()))),
    }
}

/// `caller` signed in: the commands act as them from now on, and demo data asked for at first
/// run is added (by them).
fn signed_in(state: &AppState, caller: Caller) -> R<()> {
    {
        let mut s = state.session();
        s.last_login = Some(caller.login().to_string());
        s.locked_by_idle = false;
        s.locked_by_os = None;
        s.caller = Some(caller.clone());
    }
    // Demo data asked for at first run waits until the session may add it.
    if caller.mfa_setup_needed() {
        return Ok(());
    }
    let demo = std::mem::take(&mut *state.pending_demo.lock().unwrap_or_else(|e| e.into_inner()));
    if demo > 0 {
        with(state, |b, c| b.demo(c, demo as usize, 2026))?;
    }
    state.start_live();
    Ok(())
}

fn round_of(r: crate::peer::Round) -> SyncRound {
    SyncRound {
        peer: r.peer,
        device: r.device,
        address: r.address,
        sent: r.sent,
        received: r.received,
        conflicts: r.conflicts as u32,
        seconds: r.seconds,
        at_ms: now_ms(),
    }
}

/// Live sync's thread (see `AppState::start_live`): rounds with the desktop or hub this one last
/// reached as soon as either side has something new, each a "sync-round" event (a failed one a
/// "sync-live-error" event, and it is tried again), until stopped.
pub fn run_live(app: &tauri::AppHandle, stop: &std::sync::atomic::AtomicBool) {
    use tauri::Manager;
    let state = app.state::<AppState>();
    let halted = || stop.load(std::sync::atomic::Ordering::SeqCst);
    let outcome = with(&state, |b, c| {
        crate::peer::live(b, c, None, &halted, &mut |r| match r {
            Ok(r) => {
                let round = round_of(r);
                *state.last_round.lock().unwrap_or_else(|e| e.into_inner()) = Some(round.clone());
                let _ = app.emit("sync-round", round);
            }
            Err(e) => {
                let _ = app.emit("sync-live-error", e);
            }
        })
    });
    if let Err(e) = outcome {
        let _ = app.emit("sync-live-error", e);
    }
}

macro_rules! commands {
    ($( $(#[$doc:meta])* fn $name:ident($state:ident $(, $arg:ident : $ty:ty)*) -> $ret:ty $body:block )*) => {
        $(
            $(#[$doc])*
            #[tauri::command(async)]
            pub fn $name($state: State<'_, AppState> $(, $arg: $ty)*) -> R<$ret> $body
        )*

        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// (command, [(argument, TypeScript type)], TypeScript return type)
        #[cfg(test)]
        pub fn signatures(cfg: &ts_rs::Config) -> Vec<(&'static str, Vec<(&'static str, String)>, String)> {
            use ts_rs::TS;
            vec![$( (stringify!($name), vec![$( (stringify!($arg), <$ty>::name(cfg)) ),*], <$ret>::name(cfg)) ),*]
        }
    };
}

commands! {
    /// Which screen to start on.
    fn app_status(state) -> AppStatus { Ok(status(&state)) }
    /// What IT set on this computer and what was ignored (Settings lists them).
    fn policies(_state) -> api::PolicyView { Ok(api::policies()) }

    /// Creates the encrypted book (first run), optionally with demo data, and opens it.
    fn create_book(state, req: CreateBook) -> AppStatus {
        let key = match req.key_mode {
            KeyMode::Keyring => NewKey::Keyring,
            KeyMode::Passphrase => NewKey::Passphrase(req.passphrase.clone().unwrap_or_default()),
            // A new book has no users whose key slots could hold its key: made shared later.
            KeyMode::Shared => return Err(api::localize(&Localizer::new(state.lang()), banyan::Error::SharedDesktop)),
        };
        let settings = Settings { phone_region: req.phone_region.clone(), currency: req.currency.clone() };
        let b = Banyan::create(&state.options(), key, &settings)?;
        // Added once the first admin is made (the next screen), so that they are its author.
        *state.pending_demo.lock().unwrap_or_else(|e| e.into_inner()) = req.demo_customers;
        *state.book_mut() = Some(b);
        Ok(status(&state))
    }

    /// Makes the book's first user, an admin, and signs them in (a book without users asks for
    /// this before anything else).
    fn create_first_admin(state, input: UserInput, password: String) -> AppStatus {
        let caller = with_book(&state, |b| b.create_first_admin(&input, &password, Channel::Desktop))?;
        signed_in(&state, caller)?;
        Ok(status(&state))
    }

    /// Signs in with a login, a password and (for an account with an authenticator) a code.
    fn sign_in(state, login: String, password: String, code: Option<String>) -> AppStatus {
        if state.is_shared() {
            // The user's key slot opens the book; it is closed again unless they got in (a code
            // still to type opens it anew with the next try).
            let b = Banyan::open(&state.options(), &banyan::security::Unlock::sign_in(&login, &password))?;
            let caller = b.sign_in(&login, &password, code.as_deref(), Channel::Desktop)?;
            {
                // Book and session together, so a lock meanwhile closes both or neither.
                let mut book = state.book_mut();
                *book = Some(b);
                state.session().caller = Some(caller.clone());
            }
            signed_in(&state, caller)?;
            state.warm_up_soon();
            return Ok(status(&state));
        }
        let caller = with_book(&state, |b| b.sign_in(&login, &password, code.as_deref(), Channel::Desktop))?;
        signed_in(&state, caller)?;
        Ok(status(&state))
    }

    /// Ends the session (the menu's Lock, the sidebar's button, or the idle timer when `idle`).
    fn lock(state, idle: bool) -> AppStatus {
        {
            let mut s = state.session();
            s.caller = None;
            s.locked_by_idle = idle;
            s.locked_by_os = None;
        }
        state.stop_live();
        state.close_if_shared();
        Ok(status(&state))
    }

    /// Opens a passphrase-protected book.
    fn unlock(state, passphrase: String) -> AppStatus {
        let b = Banyan::open(&state.options(), &banyan::security::Unlock::passphrase(passphrase))?;
        *state.book_mut() = Some(b);
        *state.open_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
        state.warm_up_soon();
        Ok(status(&state))
    }

    /// Switches the language of the menus and of the core's messages, and remembers it.
    /// Sets how many minutes without input lock Banyan on this desktop (at most the policy's).
    fn set_idle_lock_minutes(state, minutes: u32) -> AppStatus {
        state.set_idle_lock_minutes(minutes).map_err(|e| api::localize(&Localizer::new(state.lang()), banyan::Error::Io(e)))?;
        Ok(status(&state))
    }

    fn set_language(state, lang: Lang) -> AppStatus {
        state.set_lang(lang).map_err(|e| api::localize(&Localizer::new(lang), banyan::Error::Io(e)))?;
        // The menu is native: rebuild it in the new language.
        let _ = crate::menu::install(&state.app, lang);
        Ok(status(&state))
    }

    fn search_customers(state, query: String, filter: SearchFilter, limit: u32) -> Vec<SearchHit> {
        with(&state, |b, c| b.search_customers(c, &query, &filter, limit))
    }

    /// A page of the customer list (sorted by name) and the total, for a virtualized list.
    fn list_customers(state, filter: CustomerFilter) -> CustomerPage {
        with(&state, |b, c| {
            let total = b.count_customers(c, &filter)?;
            Ok(CustomerPage { total, offset: filter.offset, items: b.customers(c, &filter)? })
        })
    }

    fn customer_record(state, id: String) -> CustomerRecord { with(&state, |b, c| b.customer_record(c, &id)) }
    fn add_customer(state, input: CustomerInput) -> Customer { with(&state, |b, c| b.add_customer(c, &input)) }
    fn update_customer(state, id: String, patch: CustomerPatch) -> Customer { with(&state, |b, c| b.update_customer(c, &id, &patch)) }
    fn delete_customer(state, id: String) -> () { with(&state, |b, c| b.delete_customer(c, &id)) }

    /// Existing customers with the same phone or email: the form's duplicate warning.
    fn likely_duplicates(state, input: CustomerInput, exclude_id: Option<String>) -> Vec<LikelyDuplicate> {
        with(&state, |b, c| b.likely_duplicates(c, &input, exclude_id.as_deref()))
    }

    /// A customer's history, newest first, as far as the signed-in role may see it.
    fn history(state, customer_id: String) -> Vec<HistoryEntry> { with(&state, |b, c| b.history(c, &customer_id)) }

    /// A customer's consents, oldest first (the privacy officer's).
    fn consents(state, customer_id: String) -> Vec<banyan::store::Consent> { with(&state, |b, c| b.consents(c, &customer_id)) }
    /// Records a consent given or withdrawn.
    fn record_consent(state, customer_id: String, input: api::ConsentInput) -> banyan::store::Consent {
        with(&state, |b, c| b.record_consent(c, &customer_id, &input))
    }
    /// Writes everything about one person into a folder (an access request).
    fn privacy_export(state, customer_id: String, dir: String) -> api::PrivacyExport {
        with(&state, |b, c| b.privacy_export(c, &customer_id, std::path::Path::new(&dir)))
    }
    /// Erases one person for good.
    fn erase_person(state, customer_id: String, reason: String) -> api::ErasureReport {
        with(&state, |b, c| b.erase_person(c, &customer_id, &reason))
    }

    /// The users the form's owner field offers.
    fn owner_choices(state) -> Vec<OwnerChoice> { with(&state, |b, c| b.owner_choices(c)) }

    fn add_contact(state, customer_id: String, input: ContactInput) -> Contact { with(&state, |b, c| b.add_contact(c, &customer_id, &input)) }
    fn add_activity(state, customer_id: String, input: ActivityInput) -> Activity { with(&state, |b, c| b.add_activity(c, &customer_id, &input)) }
    fn custom_fields(state) -> Vec<CustomFieldDef> { with(&state, |b, c| b.custom_fields(c)) }

    fn products(state, include_inactive: bool) -> Vec<Product> { with(&state, |b, c| b.products(c, include_inactive)) }
    fn add_product(state, input: ProductInput) -> Product { with(&state, |b, c| b.add_product(c, &input)) }
    fn update_product(state, sku: String, input: ProductInput) -> Product { with(&state, |b, c| b.update_product(c, &sku, &input)) }

    /// Live totals of an order form, computed by the core.
    fn preview_order(state, lines: Vec<LineInput>) -> OrderPreview { with(&state, |b, c| b.preview_order(c, &lines)) }
    fn create_order(state, input: OrderInput) -> Order { with(&state, |b, c| b.create_order(c, &input)) }
    fn update_order_lines(state, id: String, lines: Vec<LineInput>, notes: Option<String>) -> Order {
        with(&state, |b, c| b.update_order_lines(c, &id, &lines, notes.as_deref()))
    }
    fn set_order_status(state, id: String, status: OrderStatus) -> Order { with(&state, |b, c| b.set_order_status(c, &id, status.as_str())) }
    fn order(state, id: String) -> Order { with(&state, |b, c| b.order(c, &id)) }
    fn orders(state, filter: OrderFilter) -> Vec<Order> { with(&state, |b, c| b.orders(c, &filter)) }
    fn order_summary(state, filter: OrderFilter) -> OrderSummary { with(&state, |b, c| b.order_summary(c, &filter)) }

    fn settings(state) -> Settings { with(&state, |b, c| b.settings(c)) }
    fn save_settings(state, settings: Settings) -> Settings {
        with(&state, |b, c| {
            b.set_phone_region(c, &settings.phone_region)?;
            b.set_currency(c, &settings.currency)?;
            b.settings(c)
        })
    }
    fn add_demo_data(state, customers: u32) -> DemoSummary { with(&state, |b, c| b.demo(c, customers as usize, 7)) }

    /// The first rows of a file as they would import, with the suggested or chosen mapping.
    fn import_preview(state, path: String, req: ImportRequest) -> ImportPreview {
        with(&state, |b, c| b.import_preview(c, Path::new(&path), &req))
    }
    /// Imports a file; progress arrives as "io-progress" events; `cancel_io` stops it cleanly.
    fn import_file(state, path: String, req: ImportRequest) -> ImportReport {
        with_progress(&state, "import", |b, c, report, cancelled| b.import_file(c, Path::new(&path), &req, None, report, cancelled))
    }
    fn cancel_io(state) -> () {
        state.io.cancel();
        Ok(())
    }
    fn imports(state) -> Vec<ImportRecord> { with(&state, |b, c| b.imports(c)) }
    fn undo_import(state, batch: String) -> UndoReport {
        with_progress(&state, "undo", |b, c, report, cancelled| b.undo_import(c, &batch, report, cancelled))
    }
    fn mappings(state) -> Vec<SavedMapping> { with(&state, |b, c| b.mappings(c)) }
    fn save_mapping(state, name: String, mapping: Mapping) -> () { with(&state, |b, c| b.save_mapping(c, &name, &mapping)) }
    /// Exports all customers, or every one `query` finds; says how many, and what it had to cut.
    fn export_customers(state, path: String, format: ExportFormat, query: Option<String>) -> ExportReport {
        with_progress(&state, "export", |b, c, report, cancelled| b.export(c, Path::new(&path), format, query.as_deref(), report, cancelled))
    }
    fn duplicates(state, limit: u32) -> Vec<DuplicatePair> { with(&state, |b, c| b.duplicates(c, limit as usize)) }
    fn merge_customers(state, req: MergeRequest) -> Customer { with(&state, |b, c| b.merge(c, &req)) }

    fn users(state) -> Vec<User> { with(&state, |b, c| b.users(c)) }
    fn roles(state) -> Vec<RoleView> { with(&state, |b, c| b.roles(c)) }
    /// Adds a user with a first password (the policy's rules apply).
    fn add_user(state, input: UserInput, password: String) -> User { with(&state, |b, c| b.add_user(c, &input, &password)) }
    fn set_user_status(state, login: String, status: UserStatus) -> User { with(&state, |b, c| b.set_user_status(c, &login, status)) }
    /// Lifts a sign-in lockout on this desktop.
    fn unlock_user(state, login: String) -> () { with(&state, |b, c| b.unlock_user(c, &login)) }
    /// Adds a service account (a script's sign-in); its token is in the answer, shown this once.
    fn add_service_account(state, input: UserInput) -> api::ServiceToken { with(&state, |b, c| b.add_service_account(c, &input)) }
    /// A new token for a service account; the old one stops working at once.
    fn new_token(state, login: String) -> api::ServiceToken { with(&state, |b, c| b.new_token(c, &login)) }

    /// Checks the history (every desktop's chains), against the checkpoints in a file kept
    /// elsewhere too when `held_path` names one.
    fn audit_verify(state, held_path: Option<String>) -> api::AuditReport {
        with(&state, |b, c| {
            let held = match held_path.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                Some(p) => b.read_checkpoints(Path::new(p))?,
                None => Vec::new(),
            };
            b.audit_verify(c, &held, &mut |_, _| {})
        })
    }
    /// Writes every checkpoint to a file to keep away from this computer; how many.
    fn write_checkpoints(state, path: String) -> u32 { with(&state, |b, c| b.write_checkpoints(c, Path::new(&path)).map(|n| n as u32)) }
    /// The latest audit events, newest first.
    fn audit_events(state, limit: u32) -> Vec<banyan::store::AuditEvent> { with(&state, |b, c| b.audit_events(c, limit)) }

    /// The book's health here: the main screen warns with it (no backup for too long, a failing
    /// one, a failed check), Settings shows it whole.
    fn health(state) -> api::Health { with(&state, |b, c| b.health(c)) }
    /// This desktop's backup settings.
    fn backup_settings(state) -> api::BackupSettings { with(&state, |b, c| b.backup_settings(c)) }
    /// Where backups go (a second disk, a USB drive, a share); empty: beside the book.
    fn set_backup_folder(state, folder: String) -> api::BackupSettings {
        let folder = folder.trim().to_string();
        with(&state, |b, c| b.set_backup_folder(c, (!folder.is_empty()).then(|| Path::new(&folder))))
    }
    /// The backup passphrase: what opens a backup on another computer.
    fn set_backup_passphrase(state, passphrase: String) -> api::BackupSettings { with(&state, |b, c| b.set_backup_passphrase(c, &passphrase)) }
    /// A backup now, to the folder set.
    fn backup_now(state) -> api::BackupReport { with(&state, |b, c| b.backup_now(c, None, None)) }
    /// The backups in the folder, newest first.
    fn backups(state) -> Vec<api::BackupEntry> { with(&state, |b, c| b.backups(c, None)) }
    /// What restoring `file` brings back and what it loses. A backup made on another desktop
    /// opens with the backup passphrase.
    fn restore_preview(state, file: String, passphrase: Option<String>) -> api::RestorePreview {
        let unlock = backup_unlock(passphrase);
        with(&state, |b, c| b.restore_preview(c, Path::new(&file), &unlock))
    }
    /// Restores `file` (see `Banyan::restore`): the book as it was is kept as a snapshot first.
    fn restore(state, file: String, passphrase: Option<String>) -> api::RestoreReport {
        let unlock = backup_unlock(passphrase);
        with_book_mut(&state, |b, c| b.restore(c, Path::new(&file), &unlock))
    }
    /// Takes the last restore back.
    fn undo_restore(state) -> String {
        with_book_mut(&state, |b, c| b.undo_restore(c).map(|p| p.display().to_string()))
    }
    /// The files a diagnostics zip would hold, listed before it is saved.
    fn diagnostics_preview(state) -> Vec<api::DiagnosticsEntry> { with(&state, |b, c| b.diagnostics_preview(c)) }
    /// Writes the diagnostics zip to `path`.
    fn save_diagnostics(state, path: String) -> api::DiagnosticsReport {
        with(&state, |b, c| b.diagnostics(c, Path::new(path.trim())))
    }

    /// Makes a role require an authenticator app, or not.
    fn set_role_mfa(state, name: String, required: bool) -> RoleView { with(&state, |b, c| b.set_role_mfa(c, &name, required)) }
    /// The fields a role's rules can name (the Roles screen lists these, not a copy of its own).
    fn rule_fields(state) -> Vec<String> { with(&state, |b, c| b.rule_fields(c)) }
    /// Copies a role (built-in or custom) into a new custom role.
    fn add_role(state, name: String, from: String) -> RoleView { with(&state, |b, c| b.add_role(c, &name, &from)) }
    /// Grants, takes back or sets a field rule on a custom role.
    fn change_role(state, name: String, change: banyan::security::grants::RoleChange) -> RoleView {
        with(&state, |b, c| b.change_role(c, &name, &change))
    }

    /// Starts setting up the signed-in user's authenticator app (their password once more).
    fn begin_mfa(state, password: String) -> api::MfaEnrolment { with(&state, |b, c| b.begin_mfa(c, &password)) }
    /// Turns the authenticator on with a code from it; the ten recovery codes, shown this once.
    fn confirm_mfa(state, password: String, code: String) -> Vec<String> {
        with(&state, |b, c| b.confirm_mfa(c, &password, &code))
    }
    /// Ends the set-up a sign-in asked for: the session gets the user's grants.
    fn finish_mfa_setup(state) -> AppStatus {
        let full = with(&state, |b, c| b.finish_mfa_setup(c))?;
        signed_in(&state, full)?;
        Ok(status(&state))
    }
    /// Removes an authenticator: one's own, or (an admin) a user's who lost their phone.
    fn disable_mfa(state, login: String) -> User { with(&state, |b, c| b.disable_mfa(c, &login)) }
    /// Changes a password: one's own with the current one, or (an admin) another user's.
    fn change_password(state, login: String, current: Option<String>, new_password: String) -> User {
        with(&state, |b, c| b.change_password(c, &login, current.as_deref(), &new_password))
    }
    /// Makes this a shared desktop (see `Banyan::make_shared`); the users who still need a
    /// password set here.
    fn make_shared(state, password: String) -> Vec<String> {
        let caller = state.session().caller.clone();
        // Live sync holds the book shared: it lets go for this, and goes on after.
        state.stop_live();
        let made = {
            let mut book = state.book_mut();
            let Some(b) = book.as_mut() else { return Err(api::not_open(&Localizer::new(state.lang()))) };
            let Some(caller) = caller else { return Err(api::localize(b.localizer(), banyan::Error::SignInRequired)) };
            b.make_shared(&caller, &password)
        };
        state.start_live();
        made
    }
    /// On a shared desktop, the users whose password does not open the book here yet.
    fn users_without_key_slot(state) -> Vec<String> { with(&state, |b, c| b.users_without_key_slot(c)) }

    /// The sync screen's contents.
    fn sync_overview(state) -> SyncOverview {
        let last_round = state.last_round.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let invite = state.invite.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|i| i.shown.clone());
        with(&state, |b, c| {
            let status = b.sync_status(c)?;
            let peers = b.sync_peers(c).unwrap_or_default();
            let name = peers.iter().find(|m| m.device == status.device).map(|m| m.name.clone());
            Ok(SyncOverview {
                conflicts: b.sync_conflicts(c)?,
                last_peer: b.sync_last_peer()?,
                live: state.sync_live(),
                status,
                name,
                peers,
                last_round,
                invite,
            })
        })
    }
    /// Decisions waiting for the signed-in user (the sidebar's count).
    fn sync_waiting(state) -> u32 { with(&state, |b, c| b.sync_status(c).map(|s| s.conflicts)) }
    /// One round with a desktop or hub of the book (`peer`: HOST:PORT; none: the last one).
    fn sync_now(state, peer: Option<String>) -> SyncRound {
        let round = round_of(with(&state, |b, c| crate::peer::now(b, c, peer.as_deref()))?);
        *state.last_round.lock().unwrap_or_else(|e| e.into_inner()) = Some(round.clone());
        let _ = state.app.emit("sync-round", round.clone());
        Ok(round)
    }
    /// Updates: what IT allows here, the offer and its progress (see updates.rs).
    fn update_status(state) -> UpdateStatus { Ok(current_update_status(&state)) }
    /// Checks the update server now (Settings' button); the answer comes as "update" events.
    fn check_updates(state) -> UpdateStatus {
        state.app.state::<Updates>().ask();
        Ok(current_update_status(&state))
    }
    /// The user's choice of how far Banyan updates itself (IT's recommended mode caps it).
    fn set_update_mode(state, mode: banyan::policy::UpdateMode) -> UpdateStatus {
        state.set_update_mode(mode).map_err(|e| api::localize(&Localizer::new(state.lang()), banyan::Error::Io(e)))?;
        state.app.state::<Updates>().ask();
        Ok(current_update_status(&state))
    }
    /// Installs the offered update (downloaded and checked against its signature first) and
    /// restarts into it; never while an import, undo or export runs. Returns only on failure.
    fn install_update(state) -> UpdateStatus {
        if state.io.running() {
            return Ok(update_status_failed(&state, "busy", "an import, undo or export is running"));
        }
        let app = state.app.clone();
        match crate::updates::install(&app, || app.state::<AppState>().update_plan()) {
            Ok(()) => Ok(current_update_status(&state)),
            Err(f) => Ok(update_status_failed(&state, &f.kind, &f.detail)),
        }
    }

    /// Stays in sync with the desktop or hub last reached (a round as soon as either side has
    /// something new, while someone is signed in), or stops; remembered on this desktop.
    fn set_sync_live(state, on: bool) -> () {
        state.set_sync_live(on).map_err(|e| api::localize(&Localizer::new(state.lang()), banyan::Error::Io(e)))
    }
    /// Keeps one value of a conflict, everywhere.
    fn sync_resolve(state, id: String, keep: String) -> () { with(&state, |b, c| b.sync_resolve(c, &id, &keep)) }
    /// Gives this desktop a new identity its former one vouches for: for a book copied from
    /// another desktop (or restored outside Banyan), which its peers refuse until then. Returns
    /// the new order-number code; the next round settles the rest.
    fn sync_new_identity(state) -> String {
        with_book_mut(&state, |b, c| {
            b.sync_new_identity(c)?;
            b.sync_status(c).map(|s| s.device_code)
        })
    }
    /// Removes a desktop from the book (a lost laptop).
    fn sync_revoke(state, device: String) -> banyan::store::Member { with(&state, |b, c| b.sync_revoke(c, &device)) }
    /// Shows a code for a desktop to join with, for 5 minutes (one at a time: a new one ends the
    /// last). How it ends comes as the "sync-invite" event.
    fn sync_invite(state, name: Option<String>) -> InviteShown {
        // Where invitations listen: every interface on the sync port unless told (tests).
        let listen = std::env::var("BANYAN_SYNC_LISTEN").ok();
        let invite = with(&state, |b, c| crate::peer::invite(b, c, listen.as_deref(), name.as_deref()))?;
        let shown = InviteShown {
            code: invite.code.clone(),
            address: invite.address.clone(),
            expires_at_ms: now_ms() + invite.seconds_left() as f64 * 1000.0,
        };
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let open = crate::state::OpenInvite { shown: shown.clone(), cancel: cancel.clone() };
        if let Some(old) = state.invite.lock().unwrap_or_else(|e| e.into_inner()).replace(open) {
            old.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let app = state.app.clone();
        let code = shown.code.clone();
        std::thread::spawn(move || {
            use tauri::Manager;
            let state = app.state::<AppState>();
            let l = Localizer::new(state.lang());
            let outcome = invite
                .wait(&l, &|| cancel.load(std::sync::atomic::Ordering::Relaxed))
                .and_then(|tcp| with(&state, |b, c| crate::peer::admit_joiner(b, c, invite, tcp)));
            {
                let mut open = state.invite.lock().unwrap_or_else(|e| e.into_inner());
                if open.as_ref().is_some_and(|i| i.shown.code == code) {
                    *open = None;
                }
            }
            let ended = match outcome {
                Ok(name) => InviteEnded { code, joined: Some(name), error: None },
                Err(e) => InviteEnded { code, joined: None, error: Some(e) },
            };
            let _ = app.emit("sync-invite", ended);
        });
        Ok(shown)
    }
    /// Ends the invitation being shown.
    fn sync_cancel_invite(state) -> () {
        if let Some(open) = state.invite.lock().unwrap_or_else(|e| e.into_inner()).take() {
            open.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }
    /// First run, the other way: makes this desktop's book from the team's, with the code another
    /// desktop shows, and opens it (its people sign in with their accounts in that book).
    fn join_book(state, req: JoinBook) -> AppStatus {
        let key = match req.key_mode {
            KeyMode::Keyring => NewKey::Keyring,
            KeyMode::Passphrase => NewKey::Passphrase(req.passphrase.clone().unwrap_or_default()),
            KeyMode::Shared => return Err(api::localize(&Localizer::new(state.lang()), banyan::Error::SharedDesktop)),
        };
        let app = state.app.clone();
        let last = std::sync::Mutex::new(None::<(&'static str, std::time::Instant)>);
        // Told for every 4 MB that arrives: the window hears at most ten a second of each step.
        let progress = move |step: crate::peer::JoinStep| {
            let (name, done, total) = step.parts();
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|(was, at)| was == name && at.elapsed() < std::time::Duration::from_millis(100)) {
                return;
            }
            *last = Some((name, std::time::Instant::now()));
            let _ = app.emit("join-progress", JoinProgress { step: name.into(), done: done as f64, total: total as f64 });
        };
        let b = crate::peer::join(&state.options(), key, &req.code, &req.address, req.name.as_deref(), &progress)?;
        *state.book_mut() = Some(b);
        state.warm_up_soon();
        Ok(status(&state))
    }

    /// Records a named moment for `cargo xtask bench ui` (milliseconds since the process started).
    fn bench_mark(state, name: String, value_ms: Option<f64>) -> f64 {
        let since_start = state.started.elapsed().as_secs_f64() * 1000.0;
        if std::env::var_os("BANYAN_BENCH").is_some() {
            println!("BENCH {name} {:.2}", value_ms.unwrap_or(since_start));
        }
        Ok(since_start)
    }
}

#[cfg(test)]
mod bindings {
    use super::*;
    use ts_rs::TS;

    fn camel(snake: &str) -> String {
        let mut out = String::new();
        let mut up = false;
        for c in snake.chars() {
            if c == '_' {
                up = true;
            } else if up {
                out.push(c.to_ascii_uppercase());
                up = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The whole generated file: every DTO's declaration, then one typed function per command.
    fn generate() -> String {
        let cfg = ts_rs::Config::new().with_large_int("number");
        let mut decls = vec![
            AppStatus::decl(&cfg),
            CreateBook::decl(&cfg),
            CustomerPage::decl(&cfg),
            api::ApiError::decl(&cfg),
            api::ErrorCode::decl(&cfg),
            Caller::decl(&cfg),
            Channel::decl(&cfg),
            UserInput::decl(&cfg),
            User::decl(&cfg),
            UserStatus::decl(&cfg),
            RoleView::decl(&cfg),
            api::MfaEnrolment::decl(&cfg),
            api::ServiceToken::decl(&cfg),
            api::AuditReport::decl(&cfg),
            banyan::store::ChainReport::decl(&cfg),
            banyan::store::AuditProblem::decl(&cfg),
            banyan::security::chain::Chain::decl(&cfg),
            banyan::store::AuditEvent::decl(&cfg),
            banyan::security::grants::Grant::decl(&cfg),
            banyan::security::grants::Entity::decl(&cfg),
            banyan::security::grants::Action::decl(&cfg),
            banyan::security::grants::Scope::decl(&cfg),
            banyan::security::grants::FieldAccess::decl(&cfg),
            banyan::security::grants::RoleChange::decl(&cfg),
            banyan::security::grants::Revoke::decl(&cfg),
            banyan::security::grants::FieldRule::decl(&cfg),
            api::FieldMessage::decl(&cfg),
            Settings::decl(&cfg),
            CustomerRecord::decl(&cfg),
            DemoSummary::decl(&cfg),
            Lang::decl(&cfg),
            KeyMode::decl(&cfg),
            banyan::home::KeyRule::decl(&cfg),
            Customer::decl(&cfg),
            LikelyDuplicate::decl(&cfg),
            HistoryEntry::decl(&cfg),
            banyan::store::Consent::decl(&cfg),
            api::ConsentInput::decl(&cfg),
            api::PrivacyExport::decl(&cfg),
            api::ErasureReport::decl(&cfg),
            banyan::store::ErasureCounts::decl(&cfg),
            banyan::store::ChangeRef::decl(&cfg),
            OwnerChoice::decl(&cfg),
            CustomerKind::decl(&cfg),
            CustomerInput::decl(&cfg),
            CustomerPatch::decl(&cfg),
            CustomValue::decl(&cfg),
            CustomFieldDef::decl(&cfg),
            CustomFieldKind::decl(&cfg),
            Contact::decl(&cfg),
            ContactInput::decl(&cfg),
            Activity::decl(&cfg),
            ActivityKind::decl(&cfg),
            ActivityInput::decl(&cfg),
            Product::decl(&cfg),
            ProductInput::decl(&cfg),
            Order::decl(&cfg),
            OrderLine::decl(&cfg),
            OrderStatus::decl(&cfg),
            Totals::decl(&cfg),
            LineAmounts::decl(&cfg),
            LineInput::decl(&cfg),
            OrderInput::decl(&cfg),
            OrderPreview::decl(&cfg),
            PreviewLine::decl(&cfg),
            SearchHit::decl(&cfg),
            SearchFilter::decl(&cfg),
            CustomerFilter::decl(&cfg),
            OrderFilter::decl(&cfg),
            banyan::store::CustomerSort::decl(&cfg),
            banyan::search::MatchTier::decl(&cfg),
            banyan::search::MatchField::decl(&cfg),
            CustomerId::decl(&cfg),
            ContactId::decl(&cfg),
            ActivityId::decl(&cfg),
            ProductId::decl(&cfg),
            OrderId::decl(&cfg),
            OrderLineId::decl(&cfg),
            UserId::decl(&cfg),
            IoProgress::decl(&cfg),
            OpenProgress::decl(&cfg),
            ImportRequest::decl(&cfg),
            ImportPreview::decl(&cfg),
            ImportReport::decl(&cfg),
            api::ExportReport::decl(&cfg),
            api::RowIssue::decl(&cfg),
            api::PreviewRowView::decl(&cfg),
            SavedMapping::decl(&cfg),
            MergeRequest::decl(&cfg),
            Mapping::decl(&cfg),
            banyan::io::mapping::ColumnMap::decl(&cfg),
            banyan::io::mapping::Target::decl(&cfg),
            banyan::io::read::SourceInfo::decl(&cfg),
            banyan::io::import::OnDuplicate::decl(&cfg),
            banyan::io::import::ImportMode::decl(&cfg),
            banyan::io::import::DuplicateNote::decl(&cfg),
            banyan::quality::dedupe::Reason::decl(&cfg),
            ExportFormat::decl(&cfg),
            DuplicatePair::decl(&cfg),
            ImportRecord::decl(&cfg),
            banyan::store::ImportCounts::decl(&cfg),
            UndoReport::decl(&cfg),
            banyan::store::UndoConflict::decl(&cfg),
            banyan::model::CurrencyDigits::decl(&cfg),
            banyan::store::OrderSummary::decl(&cfg),
            banyan::store::CurrencyTotal::decl(&cfg),
            SyncOverview::decl(&cfg),
            SyncRound::decl(&cfg),
            InviteShown::decl(&cfg),
            InviteEnded::decl(&cfg),
            JoinProgress::decl(&cfg),
            JoinBook::decl(&cfg),
            api::SyncStatus::decl(&cfg),
            banyan::store::Member::decl(&cfg),
            banyan::store::SyncConflict::decl(&cfg),
            banyan::store::ConflictSide::decl(&cfg),
            banyan::store::ConflictKind::decl(&cfg),
            banyan::sync::wire::Vector::decl(&cfg),
            banyan::sync::Hlc::decl(&cfg),
            api::Health::decl(&cfg),
            api::HealthWarning::decl(&cfg),
            api::BackupSettings::decl(&cfg),
            api::BackupReport::decl(&cfg),
            api::BackupEntry::decl(&cfg),
            api::RestorePreview::decl(&cfg),
            api::RestoreReport::decl(&cfg),
            api::LostDay::decl(&cfg),
            api::DiagnosticsEntry::decl(&cfg),
            api::PolicyEntry::decl(&cfg),
            api::PolicyView::decl(&cfg),
            crate::updates::UpdateStatus::decl(&cfg),
            crate::updates::UpdateOffer::decl(&cfg),
            crate::updates::UpdateFailure::decl(&cfg),
            banyan::policy::UpdatePlan::decl(&cfg),
            banyan::policy::UpdateMode::decl(&cfg),
            api::DiagnosticsReport::decl(&cfg),
            banyan::backup::Counts::decl(&cfg),
            banyan::backup::Keep::decl(&cfg),
        ];
        decls.sort();
        let mut out = String::from(
            "// Generated from the Rust types and commands by `cargo xtask bindings`; do not edit.\n\
             // A test in src-tauri fails when this file differs from what the Rust code generates.\n\n\
             import { invoke } from \"@tauri-apps/api/core\";\n\n",
        );
        for d in decls {
            out.push_str("export ");
            out.push_str(d.trim());
            out.push_str("\n\n");
        }
        for (name, args, ret) in signatures(&cfg) {
            let params: Vec<String> = args.iter().map(|(a, t)| format!("{}: {t}", camel(a))).collect();
            let keys: Vec<String> = args.iter().map(|(a, _)| camel(a)).collect();
            out.push_str(&format!(
                "export function {}({}): Promise<{ret}> {{\n  return invoke<{ret}>(\"{name}\"{});\n}}\n\n",
                camel(name),
                params.join(", "),
                if keys.is_empty() { String::new() } else { format!(", {{ {} }}", keys.join(", ")) }
            ));
        }
        out.trim_end().to_string() + "\n"
    }

    #[test]
    fn typescript_bindings_match_the_rust_types() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let want = generate();
        if std::env::var_os("BANYAN_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/bindings.ts is out of date with the Rust types: run `cargo xtask bindings` and commit it"
        );
    }
}
