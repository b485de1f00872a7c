//! Where Banyan keeps its files on this computer: one folder per desktop, the one Tauri calls
//! `app_local_data_dir` (the local application-data folder, never the roaming one, named by the
//! app's identifier: `~/.local/share/com.banyancrm.desktop`, `%LOCALAPPDATA%\com.banyancrm.desktop`,
//! `~/Library/Application Support/com.banyancrm.desktop`). It holds the customer book with its key
//! file, the window's preferences, the logs (on macOS `~/Library/Logs/<id>`, where Console looks)
//! and the web view's data. The CLI and the window both ask [`current`], so they agree.
//!
//! **Portable mode**: a folder named `data` beside the program holds all of that instead, the
//! book's key is always behind a passphrase (the keyring stays with the computer) and nothing is
//! written elsewhere. IT's `PortableModeEnabled: false` refuses it, naming the policy.

use crate::error::{Error, FieldError, Result};
use crate::security::KeyMode;
use std::path::{Path, PathBuf};

/// The app's identifier (Tauri's `identifier`): the folder's name, the keyring service, the
/// macOS preference domain.
pub const APP_ID: &str = banyan_policy_os::DOMAIN;
/// The folder beside the program that turns portable mode on.
pub const PORTABLE_DIR: &str = "data";
/// The book's file name in its folder.
pub const BOOK_FILE: &str = "banyan.db";

/// This desktop's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    pub dir: PathBuf,
    /// The folder is `data/` beside the program.
    pub portable: bool,
}

/// This desktop's folder: `data/` beside the running program when there is one (portable mode,
/// unless IT turned it off), else the local application-data folder.
pub fn current() -> Result<Home> {
    locate(std::env::current_exe().ok().as_deref(), crate::policy::current())
}

fn locate(exe: Option<&Path>, policies: &crate::policy::Policies) -> Result<Home> {
    if let Some(data) = exe.and_then(Path::parent).map(|d| d.join(PORTABLE_DIR)).filter(|d| d.is_dir()) {
        if policies.pick("PortableModeEnabled", None, serde_json::Value::as_bool).0 == Some(false) {
            return Err(Error::field(
                FieldError::new("db", "error-policy-portable-off")
                    .arg("policy", "PortableModeEnabled")
                    .arg("path", data.display().to_string()),
            ));
        }
        return Ok(Home { dir: data, portable: true });
    }
    let dir = directories::BaseDirs::new().map(|b| b.data_local_dir().join(APP_ID)).unwrap_or_else(|| ".".into());
    Ok(Home { dir, portable: false })
}

impl Home {
    /// The book's place when none is named and no policy names a folder.
    pub fn book(&self) -> PathBuf {
        self.dir.join(BOOK_FILE)
    }

    /// The log folder: `logs/` here, except on macOS outside portable mode (`~/Library/Logs/<id>`).
    pub fn logs(&self) -> PathBuf {
        if cfg!(target_os = "macos")
            && !self.portable
            && let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
        {
            return home.join("Library/Logs").join(APP_ID);
        }
        self.dir.join("logs")
    }

    /// The window's preferences (language, idle lock).
    pub fn prefs(&self) -> PathBuf {
        self.dir.join("prefs.json")
    }

    /// The web view's data folder in portable mode (elsewhere Tauri's own, this same folder).
    pub fn webview(&self) -> Option<PathBuf> {
        self.portable.then(|| self.dir.join("webview"))
    }

    /// The book at this folder's default place. A book where versions before this layout kept it
    /// (the `directories` crate's project folder: `~/.local/share/banyan`,
    /// `%LOCALAPPDATA%\BanyanCRM\Banyan\data`, `~/Library/Application Support/com.BanyanCRM.Banyan`)
    /// is moved here first, once, with its key file and all that sat beside it (see
    /// [`move_folder_contents`]); should that fail (a file held open on Windows), the book is
    /// used where it is this time and the move is tried again at the next start.
    pub fn default_book(&self) -> PathBuf {
        let book = self.book();
        if self.portable {
            return book;
        }
        let Some(old) = legacy_dir() else { return book };
        let old_book = old.join(BOOK_FILE);
        if book.exists() || !old_book.exists() || old == self.dir {
            return book;
        }
        match move_folder_contents(&old, &self.dir, BOOK_FILE) {
            Ok(moved) => {
                tracing::info!(from = %old.display(), to = %self.dir.display(), files = moved, "book moved to this desktop's folder");
                // The emptied folder goes, with its parents up to the local app-data folder when
                // they hold nothing else (on Windows `BanyanCRM\Banyan\data`).
                if let Some(base) = directories::BaseDirs::new() {
                    remove_empty_up_to(&old, base.data_local_dir());
                }
                book
            }
            Err(e) => {
                tracing::warn!(from = %old.display(), to = %self.dir.display(), error = %e, "book not moved; opened where it is");
                old_book
            }
        }
    }
}

/// How a book's key may be kept on this computer: IT's `KeyMode` policy, or portable mode (always
/// a passphrase: the keyring does not travel with the program).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeyRule {
    /// What a new book offers first.
    pub default: KeyMode,
    /// The only way new books and key changes may keep the key, when one is required. A shared
    /// desktop's key slots (sealed under each user's password) satisfy either.
    pub required: Option<KeyMode>,
    /// Why it is required: "KeyMode" (the policy) or "portable".
    pub by: Option<String>,
}

/// The key rule on this computer.
pub fn key_rule() -> KeyRule {
    let portable = current().is_ok_and(|h| h.portable);
    key_rule_in(portable, crate::policy::current())
}

fn key_rule_in(portable: bool, policies: &crate::policy::Policies) -> KeyRule {
    if portable {
        return KeyRule {
            default: KeyMode::Passphrase,
            required: Some(KeyMode::Passphrase),
            by: Some("portable".into()),
        };
    }
    let parse = |v: &serde_json::Value| match v.as_str() {
        Some("keyring") => Some(KeyMode::Keyring),
        Some("passphrase") => Some(KeyMode::Passphrase),
        _ => None,
    };
    match policies.pick("KeyMode", None, parse) {
        (Some(m), crate::policy::Source::Policy) => {
            KeyRule { default: m, required: Some(m), by: Some("KeyMode".into()) }
        }
        (Some(m), _) => KeyRule { default: m, required: None, by: None },
        (None, _) => KeyRule { default: KeyMode::Keyring, required: None, by: None },
    }
}

impl KeyRule {
    /// Whether a book's key may be put in `mode` here; if not, the error naming why.
    pub fn allows(&self, mode: KeyMode) -> Result<()> {
        match self.required {
            Some(r) if r != mode && mode != KeyMode::Shared => {
                let id = match (r, self.by.as_deref()) {
                    (KeyMode::Passphrase, Some("portable")) => "error-portable-key-passphrase",
                    (KeyMode::Passphrase, _) => "error-policy-key-passphrase",
                    _ => "error-policy-key-keyring",
                };
                Err(Error::field(FieldError::new("keyMode", id).arg("policy", "KeyMode")))
            }
            _ => Ok(()),
        }
    }

    /// Whether a book whose key is in the keyring must be given a passphrase before it opens.
    pub fn passphrase_to_set(&self) -> bool {
        self.required == Some(KeyMode::Passphrase)
    }

    /// Whether the book at `db` keeps its key in the keyring while this rule requires a passphrase:
    /// it opens only once its user chooses one (see `Banyan::open`).
    pub fn passphrase_to_set_for(&self, db: &Path) -> bool {
        self.passphrase_to_set() && crate::security::KeyStore::for_db(db).mode().ok() == Some(KeyMode::Keyring)
    }

    /// The error for a keyring book opened without the passphrase it must now have.
    pub fn passphrase_to_set_error(&self) -> Error {
        let id = if self.by.as_deref() == Some("portable") {
            "error-portable-passphrase-to-set"
        } else {
            "error-policy-passphrase-to-set"
        };
        Error::field(FieldError::new("passphrase", id).arg("policy", "KeyMode"))
    }
}

/// Whether a new book may be made here with `key` (IT's key rule, and a passphrase long enough):
/// every path that writes a new key file asks it (`Store::create`, joining, restoring into a new
/// book), and the join asks it before anything travels too (its key file is written last).
pub fn check_new_key(key: &crate::store::NewKey) -> Result<()> {
    use crate::store::NewKey;
    match key {
        NewKey::Keyring => key_rule().allows(KeyMode::Keyring),
        NewKey::Passphrase(p) => {
            key_rule().allows(KeyMode::Passphrase)?;
            if p.is_empty() {
                return Err(Error::PassphraseRequired);
            }
            crate::security::keys::check_new_passphrase(p)
        }
        NewKey::Raw(_) | NewKey::PlaintextForBenchmark => Ok(()),
    }
}

/// Removes `dir` and then each parent below `stop` while they are empty (never `stop` itself, nor
/// anything outside it).
fn remove_empty_up_to(dir: &Path, stop: &Path) {
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| d.starts_with(stop) && *d != stop) {
        if std::fs::remove_dir(d).is_err() {
            return;
        }
        at = d.parent();
    }
}

/// Where books were kept before the one-folder layout.
fn legacy_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("com", "BanyanCRM", "Banyan").map(|d| d.data_local_dir().to_path_buf())
}

/// Moves every entry of `from` into `to` by renaming (same disk), `last` after all the others, so
/// a move stopped part-way (a crash, a power cut) leaves `last` behind and is finished the next
/// time: an entry already in `to` stays there and its namesake in `from` is left alone. Should a
/// rename fail, what was moved is put back and the error returned. The number of entries moved.
pub fn move_folder_contents(from: &Path, to: &Path, last: &str) -> std::io::Result<usize> {
    move_contents(from, to, last, |a, b| std::fs::rename(a, b))
}

fn move_contents(
    from: &Path,
    to: &Path,
    last: &str,
    rename: impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> std::io::Result<usize> {
    crate::security::files::create_dir_all(to)?;
    let mut names: Vec<std::ffi::OsString> =
        std::fs::read_dir(from)?.map(|e| e.map(|e| e.file_name())).collect::<std::io::Result<_>>()?;
    // The book last; its WAL and shared-memory files just before it.
    names.sort_by_key(|n| (n == last, n.to_string_lossy().starts_with(last)));
    let mut moved: Vec<&std::ffi::OsString> = Vec::new();
    for name in &names {
        let dest = to.join(name);
        if dest.exists() {
            continue;
        }
        if let Err(e) = rename(&from.join(name), &dest) {
            for back in moved.iter().rev() {
                let _ = rename(&to.join(back), &from.join(back));
            }
            return Err(e);
        }
        moved.push(name);
    }
    Ok(moved.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policies;

    #[test]
    fn a_data_folder_beside_the_program_makes_it_portable_unless_a_policy_says_no() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("banyan");
        let none = Policies::default();
        assert!(!locate(Some(&exe), &none).unwrap().portable, "no data folder yet");
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let home = locate(Some(&exe), &none).unwrap();
        assert_eq!(home, Home { dir: dir.path().join("data"), portable: true });
        assert_eq!(home.book(), dir.path().join("data/banyan.db"));
        assert_eq!(home.logs(), dir.path().join("data/logs"));
        assert_eq!(home.webview(), Some(dir.path().join("data/webview")));
        let mut off = Policies::default();
        off.mandatory.insert("PortableModeEnabled".into(), false.into());
        let err = locate(Some(&exe), &off).unwrap_err();
        assert!(format!("{err:?}").contains("error-policy-portable-off"), "{err:?}");
        let mut on = Policies::default();
        on.recommended.insert("PortableModeEnabled".into(), true.into());
        assert!(locate(Some(&exe), &on).unwrap().portable);
    }

    #[test]
    fn a_move_puts_the_book_last_keeps_what_is_there_and_finishes_after_a_stop() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("old"), dir.path().join("new"));
        std::fs::create_dir_all(from.join("backups")).unwrap();
        for (name, body) in [
            ("banyan.db", "book"),
            ("banyan.db.key.json", "key"),
            ("banyan.db-wal", "wal"),
            ("backups/b1.banyan-backup", "b"),
        ] {
            std::fs::write(from.join(name), body).unwrap();
        }
        // A first move that stopped before the book: the key file is already there.
        std::fs::create_dir_all(&to).unwrap();
        std::fs::rename(from.join("banyan.db.key.json"), to.join("banyan.db.key.json")).unwrap();
        assert_eq!(move_folder_contents(&from, &to, "banyan.db").unwrap(), 3);
        assert_eq!(std::fs::read_to_string(to.join("banyan.db")).unwrap(), "book");
        assert_eq!(std::fs::read_to_string(to.join("banyan.db-wal")).unwrap(), "wal");
        assert_eq!(std::fs::read_to_string(to.join("banyan.db.key.json")).unwrap(), "key");
        assert!(to.join("backups/b1.banyan-backup").exists());
        assert_eq!(std::fs::read_dir(&from).unwrap().count(), 0);
    }

    #[test]
    fn a_move_that_cannot_finish_puts_back_what_it_moved() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("old"), dir.path().join("new"));
        std::fs::create_dir_all(&from).unwrap();
        for name in ["banyan.db", "banyan.db.key.json", "banyan.db-wal"] {
            std::fs::write(from.join(name), name).unwrap();
        }
        // The book's own rename fails (Windows refuses to rename a file another process holds).
        let refuse_book = |a: &Path, b: &Path| {
            if a.ends_with("banyan.db") { Err(std::io::Error::other("in use")) } else { std::fs::rename(a, b) }
        };
        assert!(move_contents(&from, &to, "banyan.db", refuse_book).is_err());
        for name in ["banyan.db", "banyan.db.key.json", "banyan.db-wal"] {
            assert_eq!(std::fs::read_to_string(from.join(name)).unwrap(), name);
            assert!(!to.join(name).exists(), "{name} left in the new folder");
        }
    }

    #[test]
    fn the_key_rule_is_the_policy_s_or_portable_mode_s() {
        let none = Policies::default();
        let free = key_rule_in(false, &none);
        assert_eq!((free.default, free.required), (KeyMode::Keyring, None));
        assert!(free.allows(KeyMode::Passphrase).is_ok() && free.allows(KeyMode::Keyring).is_ok());
        let mut rec = Policies::default();
        rec.recommended.insert("KeyMode".into(), "passphrase".into());
        let r = key_rule_in(false, &rec);
        assert_eq!((r.default, r.required), (KeyMode::Passphrase, None));
        assert!(r.allows(KeyMode::Keyring).is_ok(), "a recommended mode is only the default");
        let mut man = Policies::default();
        man.mandatory.insert("KeyMode".into(), "passphrase".into());
        let m = key_rule_in(false, &man);
        assert!(m.passphrase_to_set() && m.allows(KeyMode::Passphrase).is_ok() && m.allows(KeyMode::Shared).is_ok());
        assert!(format!("{:?}", m.allows(KeyMode::Keyring)).contains("error-policy-key-passphrase"));
        man.mandatory.insert("KeyMode".into(), "keyring".into());
        let k = key_rule_in(false, &man);
        assert!(!k.passphrase_to_set());
        assert!(format!("{:?}", k.allows(KeyMode::Passphrase)).contains("error-policy-key-keyring"));
        // Portable: a passphrase whatever the policy says.
        let p = key_rule_in(true, &man);
        assert_eq!((p.required, p.by.as_deref()), (Some(KeyMode::Passphrase), Some("portable")));
        assert!(format!("{:?}", p.allows(KeyMode::Keyring)).contains("error-portable-key-passphrase"));
    }

    #[test]
    fn emptied_folders_go_up_to_the_app_data_folder_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("AppData/Local");
        let old = base.join("BanyanCRM/Banyan/data");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::create_dir_all(base.join("Other")).unwrap();
        remove_empty_up_to(&old, &base);
        assert!(!base.join("BanyanCRM").exists(), "the empty parents stayed");
        assert!(base.join("Other").exists() && base.exists());
        // A parent holding something else stays.
        let kept = base.join("Vendor/Banyan/data");
        std::fs::create_dir_all(&kept).unwrap();
        std::fs::write(base.join("Vendor/notes.txt"), "x").unwrap();
        remove_empty_up_to(&kept, &base);
        assert!(!base.join("Vendor/Banyan").exists() && base.join("Vendor/notes.txt").exists());
        // Nothing outside the base is touched.
        let outside = dir.path().join("elsewhere/empty");
        std::fs::create_dir_all(&outside).unwrap();
        remove_empty_up_to(&outside, &base);
        assert!(outside.exists());
    }
}
