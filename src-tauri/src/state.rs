//! What the running app holds: where the database is, the open book (if unlocked) and the user's
//! language, which is a preference of this desktop (kept in a small file, not in the synced book).

use banyan::api::{ApiError, Banyan, Caller, OpenOptions};
use banyan::i18n::Lang;
use banyan::security::{KeyMode, KeyStore, Unlock};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;
use tauri::{AppHandle, Manager};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
struct Prefs {
    lang: Option<Lang>,
    /// Minutes without input before Banyan locks, as the user chose in Settings (at most the
    /// policy's maximum).
    #[serde(default)]
    idle_lock_minutes: Option<u32>,
    /// Whether this desktop stays in sync with the desktop or hub it last reached while someone
    /// is signed in (the Sync screen's switch).
    #[serde(default)]
    sync_live: bool,
    /// How far Banyan updates itself, as the user chose in Settings (at most what IT's
    /// recommended `UpdateMode` allows; a mandatory one leaves them no say).
    #[serde(default)]
    update_mode: Option<banyan::policy::UpdateMode>,
}

pub struct AppState {
    pub app: AppHandle,
    pub db_path: PathBuf,
    prefs_path: PathBuf,
    prefs: Mutex<Prefs>,
    book: RwLock<Option<Banyan>>,
    /// The running import, undo or export (at most one), its cancel flag and a window close
    /// waiting for it.
    pub io: IoGuard,
    pub started: Instant,
    /// Set when the book failed to open at start (e.g. the keyring has no key): shown, not hidden.
    pub open_error: Mutex<Option<ApiError>>,
    /// Why the book may not be opened or made at all on this computer (IT's DatabaseDirectory
    /// policy names a folder that cannot hold it): the window shows only this.
    pub blocked: Option<ApiError>,
    /// True while the book is being opened at start, on its own thread, so the window and the UI
    /// load meanwhile (the unlock can take a few hundred ms); the book's users wait for it.
    opening: (Mutex<bool>, Condvar),
    /// Who is signed in: every command but those of the sign-in screens needs someone. Cleared
    /// by a lock (menu, button, idle time), which also drops the UI's screens.
    pub session: Mutex<Session>,
    /// The most seconds without input in Banyan's windows before it locks: the default (10
    /// minutes), or less when IT's policy sets a maximum (`--idle-lock-seconds N`). The user may
    /// choose less in Settings ([`AppState::idle_lock_seconds`]).
    pub idle_lock_max_seconds: u32,
    /// Demo customers asked for at first run, added once the first admin exists (they are
    /// written, like every change, by a signed-in user).
    pub pending_demo: Mutex<u32>,
    /// The invitation this desktop is showing, if any (its code waits on a thread of its own).
    pub invite: Mutex<Option<OpenInvite>>,
    /// The last sync round this window ran (for the sidebar and the sync screen).
    pub last_round: Mutex<Option<crate::commands::SyncRound>>,
    /// Live sync running on its own thread: its stop flag and the thread.
    live: Mutex<Option<(std::sync::Arc<std::sync::atomic::AtomicBool>, std::thread::JoinHandle<()>)>>,
}

/// An invitation being shown: what the window shows and how to call it off.
pub struct OpenInvite {
    pub shown: crate::commands::InviteShown,
    pub cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// The desktop's sign-in.
#[derive(Default)]
pub struct Session {
    pub caller: Option<Caller>,
    /// The login last signed in, prefilled on the sign-in screen.
    pub last_login: Option<String>,
    /// The last lock was the idle timer's (the sign-in screen says so).
    pub locked_by_idle: bool,
    /// What ended the last session when the OS did ("screen-lock", "sleep"; see `oslock`).
    pub locked_by_os: Option<&'static str>,
}

/// Banyan locks after 10 minutes without input unless a policy sets less.
pub const DEFAULT_IDLE_LOCK_SECONDS: u32 = 600;

/// The policy's maximum idle time from the command line (`--idle-lock-seconds N`), if any.
fn idle_policy() -> Option<u32> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == "--idle-lock-seconds").and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

impl AppState {
    pub fn start(app: &AppHandle, started: Instant) -> Result<AppState, Box<dyn std::error::Error>> {
        // `--db PATH` (IT's shortcut for a second book), else BANYAN_DB, else the default place.
        let args: Vec<String> = std::env::args().collect();
        let db_arg = args.iter().position(|a| a == "--db").and_then(|i| args.get(i + 1)).map(PathBuf::from);
        let named = db_arg.or_else(|| std::env::var_os("BANYAN_DB").map(PathBuf::from));
        // The preferences live in this desktop's folder (`banyan::home`: local, never roaming;
        // `data/` when portable). Earlier versions kept them in Tauri's config folder (roaming on
        // Windows): moved once.
        let prefs_path = match std::env::var_os("BANYAN_CONFIG_DIR") {
            Some(d) => PathBuf::from(d).join("prefs.json"),
            None => match banyan::home::current() {
                Ok(home) => {
                    let (old, new) = (app.path().app_config_dir()?.join("prefs.json"), home.prefs());
                    if !home.portable && !new.exists() && old.exists() {
                        let moved = new.parent().map_or(Ok(()), banyan::security::files::create_dir_all);
                        match moved.and_then(|_| std::fs::rename(&old, &new)) {
                            Ok(()) => {
                                tracing::info!(from = %old.display(), "preferences moved to this desktop's folder")
                            }
                            Err(e) => tracing::warn!(error = %e, "preferences not moved"),
                        }
                    }
                    new
                }
                // Portable mode refused by IT: the window shows only why, and writes nothing.
                Err(_) => app.path().app_config_dir()?.join("prefs.json"),
            },
        };
        let prefs: Prefs =
            std::fs::read(&prefs_path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        // IT's DatabaseDirectory policy may hold where the book is; a folder that cannot hold it
        // (or a book named elsewhere) blocks the window with the policy's name, never a fallback.
        let (db_path, blocked) = match banyan::api::book_path(named.clone()) {
            Ok(p) => (p, None),
            Err(e) => {
                let l10n = banyan::i18n::Localizer::new(banyan::policy::current().language(prefs.lang).0);
                (named.unwrap_or_else(banyan::api::default_db_path), Some(banyan::api::localize(&l10n, e)))
            }
        };
        let state = AppState {
            app: app.clone(),
            db_path,
            prefs_path,
            prefs: Mutex::new(prefs),
            book: RwLock::new(None),
            io: IoGuard::default(),
            started,
            open_error: Mutex::new(None),
            blocked,
            opening: (Mutex::new(false), Condvar::new()),
            session: Mutex::new(Session::default()),
            idle_lock_max_seconds: idle_policy()
                .or_else(|| banyan::policy::current().idle_lock_max_minutes().map(|m| m * 60))
                .map_or(DEFAULT_IDLE_LOCK_SECONDS, |p| p.clamp(5, DEFAULT_IDLE_LOCK_SECONDS)),
            pending_demo: Mutex::new(0),
            invite: Mutex::new(None),
            last_round: Mutex::new(None),
            live: Mutex::new(None),
        };
        if state.auto_unlock().is_some() {
            *state.opening.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        }
        Ok(state)
    }

    /// Opens the book at start when it can be opened without asking (see [`Self::auto_unlock`]);
    /// run on its own thread by `setup()`. Everything that needs the book waits until it is done.
    pub fn open_at_start(&self) {
        if let Some(unlock) = self.auto_unlock() {
            match Banyan::open(&self.options(), &unlock) {
                Ok(b) => *self.book.write().unwrap_or_else(|e| e.into_inner()) = Some(b),
                Err(e) => *self.open_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e),
            }
        }
        *self.opening.0.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.opening.1.notify_all();
        self.warm_up();
        // The check at start, once search is warm (see `Banyan::quick_check_if_due`).
        if let Some(b) = self.book.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = b.quick_check_if_due();
        }
    }

    /// Warms the book's search (see [`Banyan::warm_up`]) once it is open.
    fn warm_up(&self) {
        if let Some(b) = self.book.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            b.warm_up();
        }
    }

    /// [`AppState::warm_up`] on a thread of its own, so the command that opened the book returns
    /// at once.
    pub fn warm_up_soon(&self) {
        let app = self.app.clone();
        std::thread::spawn(move || app.state::<AppState>().warm_up());
    }

    /// Makes the daily backup and the weekly full check if they are due and the book is open. Never waits: a book being
    /// opened, closed or restored is tried again at the next check. A failure is kept for
    /// health and the main screen (see [`Banyan::backup_if_due`]).
    pub fn backup_if_due(&self) {
        if let Ok(book) = self.book.try_read()
            && let Some(b) = book.as_ref()
        {
            let _ = b.backup_if_due();
            let _ = b.check_if_due();
        }
    }

    /// Waits for the opening at start, if it is still running.
    fn opened(&self) {
        let mut busy = self.opening.0.lock().unwrap_or_else(|e| e.into_inner());
        while *busy {
            busy = self.opening.1.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Ends the session for `why` (the OS locked its screen or went to sleep); whether there was
    /// one to end.
    pub fn end_session(&self, why: &'static str) -> bool {
        let mut s = self.session();
        if s.caller.take().is_none() {
            return false;
        }
        s.locked_by_idle = false;
        s.locked_by_os = Some(why);
        drop(s);
        self.stop_live();
        self.close_if_shared();
        true
    }

    /// Whether this is a shared desktop: its book is open only while someone is signed in.
    pub fn is_shared(&self) -> bool {
        KeyStore::for_db(&self.db_path).is_shared()
    }

    /// On a shared desktop, closes the book once the session has ended: its key goes from
    /// memory (SQLCipher wipes its copy as each connection closes) and nothing of it stays open
    /// in this process. Waits for a command still using the book to finish.
    pub fn sync_live(&self) -> bool {
        self.prefs.lock().unwrap_or_else(|e| e.into_inner()).sync_live
    }

    /// Remembers whether to stay in sync, and starts or stops it.
    pub fn set_sync_live(&self, on: bool) -> std::io::Result<()> {
        {
            let mut p = self.prefs.lock().unwrap_or_else(|e| e.into_inner());
            p.sync_live = on;
            self.save_prefs(&p)?;
        }
        if on {
            self.start_live()
        } else {
            self.stop_live()
        }
        Ok(())
    }

    /// Starts live sync if this desktop stays in sync and someone is signed in (a thread that
    /// holds the book shared until [`Self::stop_live`]; every round is a "sync-round" event).
    pub fn start_live(&self) {
        if !self.sync_live() || self.session().caller.is_none() {
            return;
        }
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if live.as_ref().is_some_and(|(_, t)| !t.is_finished()) {
            return;
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (app, flag) = (self.app.clone(), stop.clone());
        let thread = std::thread::spawn(move || crate::commands::run_live(&app, &flag));
        *live = Some((stop, thread));
    }

    /// Stops live sync and waits for its thread (it lets the book go): before a lock, or
    /// before the book is closed or replaced.
    pub fn stop_live(&self) {
        let running = self.live.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((stop, thread)) = running {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = thread.join();
        }
    }

    pub fn close_if_shared(&self) {
        if self.is_shared() {
            // The book first, then the session (the order every command takes them in): a
            // sign-in cannot slip in between the check and the close.
            let mut book = self.book_mut();
            if self.session().caller.is_none() {
                drop(book.take());
            }
        }
    }

    /// The window's language: IT's mandatory `Locale`, else the user's choice, else a
    /// recommended `Locale`, else the system's.
    pub fn lang(&self) -> Lang {
        banyan::policy::current().language(self.prefs.lock().unwrap_or_else(|e| e.into_inner()).lang).0
    }

    /// Seconds without input before Banyan locks: the user's choice, never more than the policy's.
    pub fn idle_lock_seconds(&self) -> u32 {
        let chosen = self.prefs.lock().unwrap_or_else(|e| e.into_inner()).idle_lock_minutes;
        chosen.map_or(self.idle_lock_max_seconds, |m| (m.max(1) * 60).min(self.idle_lock_max_seconds))
    }

    /// Remembers the user's idle time (minutes; the policy's maximum still applies).
    pub fn set_idle_lock_minutes(&self, minutes: u32) -> std::io::Result<()> {
        let mut p = self.prefs.lock().unwrap_or_else(|e| e.into_inner());
        p.idle_lock_minutes = Some(minutes.clamp(1, DEFAULT_IDLE_LOCK_SECONDS / 60));
        self.save_prefs(&p)
    }

    /// The update plan in force here: IT's policies, this install and the user's choice
    /// (see `updates::plan`).
    pub fn update_plan(&self) -> banyan::policy::UpdatePlan {
        crate::updates::plan(self.prefs.lock().unwrap_or_else(|e| e.into_inner()).update_mode)
    }

    /// Remembers the user's update choice (the plan still caps it).
    pub fn set_update_mode(&self, mode: banyan::policy::UpdateMode) -> std::io::Result<()> {
        let mut p = self.prefs.lock().unwrap_or_else(|e| e.into_inner());
        p.update_mode = Some(mode);
        self.save_prefs(&p)
    }

    fn save_prefs(&self, p: &Prefs) -> std::io::Result<()> {
        if let Some(dir) = self.prefs_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&self.prefs_path, serde_json::to_vec_pretty(p).unwrap_or_default())
    }

    pub fn set_lang(&self, lang: Lang) -> std::io::Result<()> {
        let mut p = self.prefs.lock().unwrap_or_else(|e| e.into_inner());
        p.lang = Some(lang);
        self.save_prefs(&p)?;
        drop(p);
        // Shared, not exclusive: an import running meanwhile holds the book shared, and waiting
        // for it here queued every other command behind this one (the window froze).
        if let Some(b) = self.book().as_ref() {
            // What is in force: a mandatory Locale outranks the choice just saved.
            b.set_lang(self.lang());
        }
        Ok(())
    }

    /// The open book, shared: commands run concurrently (a long import does not block the list).
    pub fn book(&self) -> RwLockReadGuard<'_, Option<Banyan>> {
        self.opened();
        self.book.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The book for opening or closing it.
    pub fn book_mut(&self) -> RwLockWriteGuard<'_, Option<Banyan>> {
        self.opened();
        self.book.write().unwrap_or_else(|e| e.into_inner())
    }

    /// How the book is opened: in the user's language, telling the window how far the update of a
    /// book made by an older version has got (the "open-progress" event, at most ~20 a second).
    pub fn options(&self) -> OpenOptions {
        let mut o = OpenOptions::new(&self.db_path);
        o.lang = self.lang();
        let progress = |stage: &'static str| -> banyan::store::MigrationProgress {
            let app = self.app.clone();
            let last = Mutex::new(None::<Instant>);
            std::sync::Arc::new(move |done, total| {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.is_none_or(|t| t.elapsed().as_millis() >= 50) || done >= total {
                    *last = Some(Instant::now());
                    let p = crate::commands::OpenProgress { stage: stage.into(), done, total };
                    let _ = tauri::Emitter::emit(&app, "open-progress", p);
                }
            })
        };
        o.store.on_migrate = Some(progress("migrate"));
        o.store.on_reindex = Some(progress("reindex"));
        o
    }

    pub fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn key_mode(&self) -> Option<KeyMode> {
        KeyStore::for_db(&self.db_path).mode().ok()
    }

    /// How to open the book without asking, if it can be: its key is in the keyring, or a
    /// passphrase was given in BANYAN_PASSPHRASE (IT deployments, the dev database of
    /// `cargo xtask run`).
    fn auto_unlock(&self) -> Option<Unlock> {
        if self.blocked.is_some() || !self.db_path.exists() {
            return None;
        }
        match (self.key_mode(), std::env::var("BANYAN_PASSPHRASE")) {
            // IT requires a passphrase (or this is a portable Banyan): the user chooses one first.
            (Some(KeyMode::Keyring), _) if banyan::home::key_rule().passphrase_to_set_for(&self.db_path) => None,
            (Some(KeyMode::Keyring), _) => Some(Unlock::keyring()),
            (Some(KeyMode::Passphrase), Ok(p)) if !p.is_empty() => Some(Unlock::passphrase(p)),
            _ => None,
        }
    }
}

/// Guards the window against closing in the middle of an import, an undo or an export: the close
/// is held, the task is cancelled (an import is then taken back whole, its journal says
/// "cancelled"), and the window closes when the task has returned. Closing mid-import used to
/// leave the book half-imported until the next open.
#[derive(Default)]
pub struct IoGuard {
    /// (a task is running, a close waits for it): one lock, so a close asked just as the task
    /// ends is either let through or seen by `end`, never held with no one to close.
    state: Mutex<(bool, bool)>,
    cancel: std::sync::atomic::AtomicBool,
}

impl IoGuard {
    fn state(&self) -> std::sync::MutexGuard<'_, (bool, bool)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A task starts: its cancel flag is cleared.
    pub fn begin(&self) {
        self.cancel.store(false, SeqCst);
        self.state().0 = true;
    }

    /// The task returned; true when a close waits for it (the window closes now).
    pub fn end(&self) -> bool {
        let mut s = self.state();
        s.0 = false;
        s.1
    }

    /// Whether a task is running (an update does not restart Banyan under it).
    pub fn running(&self) -> bool {
        self.state().0
    }

    /// The cancel button.
    pub fn cancel(&self) {
        self.cancel.store(true, SeqCst);
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(SeqCst)
    }

    /// The window asks to close: false lets it close; true holds it, having cancelled the task.
    pub fn hold_close(&self) -> bool {
        let mut s = self.state();
        if !s.0 {
            return false;
        }
        s.1 = true;
        self.cancel();
        true
    }
}

use std::sync::atomic::Ordering::SeqCst;

#[cfg(test)]
mod tests {
    use super::IoGuard;

    #[test]
    fn a_close_during_a_task_waits_for_it_and_cancels_it() {
        let g = IoGuard::default();
        assert!(!g.hold_close(), "nothing running: the window closes at once");
        g.begin();
        assert!(!g.cancelled());
        assert!(g.hold_close(), "an import is running: the close is held");
        assert!(g.cancelled(), "and the import is told to stop");
        assert!(g.end(), "when it has returned, the window closes");
    }

    #[test]
    fn a_task_that_ends_without_a_close_leaves_the_window_open() {
        let g = IoGuard::default();
        g.begin();
        g.cancel();
        assert!(!g.end());
        g.begin();
        assert!(!g.cancelled(), "a new task starts uncancelled");
    }
}
