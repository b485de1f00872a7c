//! The database key: 32 random bytes handed to SQLCipher as a raw key (no key derivation on every
//! open). It lives either in the OS keyring (Secret Service, macOS Keychain, Windows Credential
//! Manager) or, where no keyring answers or IT requires it, wrapped with a passphrase: Argon2id
//! derives a key-encryption key and XChaCha20-Poly1305 seals the database key.
//!
//! Beside each database sits a small JSON key file (`<db>.key.json`) that says which of the two it
//! is, the database's id (the keyring entry's name) and, in passphrase mode, the wrapped key. It
//! holds no secret in clear.
//!
//! A shared desktop (mode `shared`) keeps no key in the keyring and asks no book passphrase: the
//! key is sealed once per user who may sign in there ("key slots", like LUKS's), each under an
//! Argon2id key from that user's password, so the book opens only when one of them signs in and
//! a user without a slot (disabled, or never given a password here) cannot open it at all.

use super::lockout::LockState;
use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// The keyring service name every Banyan database key is filed under.
pub const KEYRING_SERVICE: &str = crate::home::APP_ID;

/// A database key; wiped from memory when dropped.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    pub fn random() -> Result<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        getrandom::fill(k.as_mut()).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
        Ok(Self(k))
    }

    pub fn from_bytes(b: [u8; 32]) -> Self {
        Self(Zeroizing::new(b))
    }

    fn from_hex(h: &str) -> Option<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(h.trim(), k.as_mut()).ok()?;
        Some(Self(k))
    }

    /// The key as SQLCipher's raw-key literal: `x'…'`.
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(self.0.as_ref())))
    }

    /// The key's bytes, to wrap it for a backup.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key in hex, for tools that key a SQLCipher connection themselves (and tests that
    /// simulate them). Wiped when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// Where a new database's key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum KeyMode {
    Keyring,
    Passphrase,
    /// A shared desktop: a key slot per user, opened by signing in.
    Shared,
}

/// How to unlock a database.
#[derive(Clone)]
pub enum Unlock {
    /// Read the key file: fetch the key from the keyring, or unwrap it with this passphrase.
    KeyFile { passphrase: Option<Zeroizing<String>> },
    /// Use this key directly (tests, benchmarks, and tools that already hold the key).
    Raw(DbKey),
    /// A shared desktop's book: open the key slot of `login` with their password.
    Slot { login: String, password: Zeroizing<String> },
}

impl Unlock {
    pub fn passphrase(p: impl Into<String>) -> Self {
        Unlock::KeyFile { passphrase: Some(Zeroizing::new(p.into())) }
    }

    pub fn keyring() -> Self {
        Unlock::KeyFile { passphrase: None }
    }

    /// A shared desktop's book, opened by `login` signing in with `password`.
    pub fn sign_in(login: &str, password: &str) -> Self {
        Unlock::Slot { login: login.to_string(), password: Zeroizing::new(password.to_string()) }
    }
}

/// Argon2id cost. The default (64 MiB, 3 passes) takes ~0.2 s on a 2-core machine: paid once per
/// unlock, not per query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self { m_kib: 64 * 1024, t: 3, p: 1 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    db_id: String,
    mode: KeyMode,
    /// Keyring mode: the keyring account holding this key. Each key gets its own account, so a
    /// key change never overwrites the entry that still opens the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped: Option<Wrapped>,
    /// Sign-in lockouts on this desktop, by login: outside the book so they hold across restarts
    /// and can be read before it opens (see `lockout.rs`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    lockouts: BTreeMap<String, LockState>,
    /// Shared mode: the database key sealed under each user's password, by folded login.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    slots: BTreeMap<String, Sealed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Wrapped {
    kdf: String,
    params: KdfParams,
    salt: String,
    nonce: String,
    ciphertext: String,
}

/// The key file of one database, and the operations on its key.
#[derive(Debug, Clone)]
pub struct KeyStore {
    path: PathBuf,
}

impl KeyStore {
    pub fn for_db(db: &Path) -> Self {
        let mut p = db.as_os_str().to_owned();
        p.push(".key.json");
        Self { path: PathBuf::from(p) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key file written during a key change; it wins only if the database already uses its key.
    fn pending_path(&self) -> PathBuf {
        let mut p = self.path.as_os_str().to_owned();
        p.push(".pending");
        PathBuf::from(p)
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Files a new key for a new database and writes the key file.
    pub fn create(&self, key: &DbKey, mode: KeyMode, passphrase: Option<&str>, kdf: KdfParams) -> Result<()> {
        let db_id = uuid::Uuid::new_v4().to_string();
        let file = Self::seal(&db_id, key, mode, passphrase, kdf, BTreeMap::new(), BTreeMap::new())?;
        write_atomic(&self.path, &file)
    }

    /// The mode this database's key is kept in.
    pub fn mode(&self) -> Result<KeyMode> {
        Ok(self.read(&self.path)?.mode)
    }

    /// Whether the book is to be opened by a user's key slot: it is a shared desktop's, or a
    /// change to one was staged (and maybe applied) when the process stopped.
    pub fn is_shared(&self) -> bool {
        self.mode().ok() == Some(KeyMode::Shared) || self.sharing_pending()
    }

    /// A change to a shared desktop was staged and not committed: the database has the pending
    /// key (the change is finished at open) or still the old one (the change is dropped).
    pub fn sharing_pending(&self) -> bool {
        self.mode().ok() != Some(KeyMode::Shared)
            && self.read(&self.pending_path()).is_ok_and(|f| f.mode == KeyMode::Shared)
    }

    /// The key as the key file says, and any pending key from an interrupted key change.
    pub fn unlock(&self, passphrase: Option<&str>) -> Result<(DbKey, Option<DbKey>)> {
        let main = self.open_file(&self.read(&self.path)?, passphrase)?;
        let pending = match self.read(&self.pending_path()) {
            Ok(f) => self.open_file(&f, passphrase).ok(),
            Err(_) => None,
        };
        Ok((main, pending))
    }

    /// Writes the key file for `key` as pending; call [`KeyStore::commit_pending`] once the
    /// database uses that key. A crash in between leaves both files, and open tries both.
    pub fn stage(&self, key: &DbKey, mode: KeyMode, passphrase: Option<&str>, kdf: KdfParams) -> Result<()> {
        if mode == KeyMode::Shared {
            // A shared key file without a slot would open for nobody: see `stage_shared`.
            return Err(Error::SharedDesktop);
        }
        let current = self.read(&self.path)?;
        let file = Self::seal(&current.db_id, key, mode, passphrase, kdf, current.lockouts, BTreeMap::new())?;
        write_atomic(&self.pending_path(), &file)
    }

    /// As [`KeyStore::stage`], for a shared desktop whose one key slot (for now) is `login`'s,
    /// sealed under `password`: the other users' slots sealed the old key and go with it (they
    /// get new ones as an admin sets their passwords).
    pub fn stage_shared(&self, key: &DbKey, login: &str, password: &str, kdf: KdfParams) -> Result<()> {
        let current = self.read(&self.path)?;
        let slot = seal_with_password(password, key.0.as_ref(), &slot_aad(&current.db_id, login), kdf)?;
        let slots = BTreeMap::from([(login.to_string(), slot)]);
        let file = Self::seal(&current.db_id, key, KeyMode::Shared, None, kdf, current.lockouts, slots)?;
        write_atomic(&self.pending_path(), &file)
    }

    /// A shared desktop's key, opened with `login`'s slot, and any pending key (an interrupted key
    /// change) that their slot there opens. A login without a slot costs what a wrong password
    /// costs, and both are [`Error::SignInFailed`].
    ///
    /// While a change to a shared desktop is staged but not committed (the main key file is
    /// not shared yet), the key returned is the pending file's: see [`KeyStore::sharing_pending`].
    pub fn unlock_slot(&self, login: &str, password: &str) -> Result<(DbKey, Option<DbKey>)> {
        let main = self.read(&self.path)?;
        if main.mode != KeyMode::Shared {
            let pending = self.read(&self.pending_path()).ok().filter(|f| f.mode == KeyMode::Shared);
            let Some(pending) = pending else {
                return Err(Error::KeyFile {
                    path: self.path.clone(),
                    detail: "not a shared desktop's key file".into(),
                });
            };
            let key = self.open_slot(&pending, login, password)?.ok_or(Error::SignInFailed)?;
            return Ok((key, None));
        }
        let key = self.open_slot(&main, login, password)?.ok_or(Error::SignInFailed)?;
        let pending = match self.read(&self.pending_path()) {
            Ok(f) => self.open_slot(&f, login, password).ok().flatten(),
            Err(_) => None,
        };
        Ok((key, pending))
    }

    fn open_slot(&self, f: &KeyFile, login: &str, password: &str) -> Result<Option<DbKey>> {
        let Some(slot) = f.slots.get(login) else {
            // As long as a wrong password takes: nobody learns which logins have a slot here.
            let params = f.slots.values().next().map_or_else(KdfParams::default, |s| s.params);
            let _ = derive(password, &[0u8; 16], params)?;
            return Ok(None);
        };
        let Some(bytes) = open_with_password(password, slot, &slot_aad(&f.db_id, login))? else {
            return Ok(None);
        };
        let k: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::KeyFile {
            path: self.path.clone(),
            detail: format!("key slot of {login} is not a key"),
        })?;
        Ok(Some(DbKey::from_bytes(k)))
    }

    /// Seals `key` (the book's, open) for `login` under `password` on a shared desktop, replacing
    /// their slot; nothing on a desktop that is not shared.
    pub fn set_slot(&self, key: &DbKey, login: &str, password: &str, kdf: KdfParams) -> Result<()> {
        let mut file = self.read(&self.path)?;
        if file.mode != KeyMode::Shared {
            return Ok(());
        }
        let slot = seal_with_password(password, key.0.as_ref(), &slot_aad(&file.db_id, login), kdf)?;
        file.slots.insert(login.to_string(), slot);
        write_atomic(&self.path, &serde_json::to_string_pretty(&file).expect("key file serializes"))
    }

    /// Takes `login`'s slot away (a disabled user): their password no longer opens the book here.
    pub fn remove_slot(&self, login: &str) -> Result<()> {
        let mut file = self.read(&self.path)?;
        if file.slots.remove(login).is_some() {
            write_atomic(&self.path, &serde_json::to_string_pretty(&file).expect("key file serializes"))?;
        }
        Ok(())
    }

    /// The logins with a key slot (empty on a desktop that is not shared).
    pub fn slot_logins(&self) -> Result<Vec<String>> {
        Ok(self.read(&self.path)?.slots.into_keys().collect())
    }

    pub fn commit_pending(&self) -> Result<()> {
        let old = self.read(&self.path).ok();
        fs::rename(self.pending_path(), &self.path)?;
        sync_dir(&self.path);
        // The replaced key no longer opens anything; remove it from the keyring.
        if let Some(KeyFile { account: Some(account), .. }) = old
            && self.read(&self.path).ok().and_then(|f| f.account).as_deref() != Some(account.as_str())
        {
            let _ = keyring_entry(&account).and_then(|e| e.delete_credential().map_err(keyring_error));
        }
        Ok(())
    }

    pub fn discard_pending(&self) {
        let _ = fs::remove_file(self.pending_path());
    }

    /// The sign-in lockout of `login` on this desktop.
    pub fn lock_state(&self, login: &str) -> Result<LockState> {
        Ok(self.read(&self.path)?.lockouts.remove(login).unwrap_or_default())
    }

    /// Changes the lockout of `login` with `f` and writes the key file back (atomically: a crash
    /// leaves the old file or the new one). States with nothing left to remember are dropped.
    /// Two processes signing in at the same instant can each miss the other's failure; a lost
    /// failure only delays a lock by one attempt.
    pub fn update_lock(&self, login: &str, now_ms: i64, f: impl FnOnce(&mut LockState)) -> Result<LockState> {
        let mut file = self.read(&self.path)?;
        let mut state = file.lockouts.remove(login).unwrap_or_default();
        f(&mut state);
        if !state.is_clear(now_ms) {
            file.lockouts.insert(login.to_string(), state.clone());
        }
        file.lockouts.retain(|_, s| !s.is_clear(now_ms));
        write_atomic(&self.path, &serde_json::to_string_pretty(&file).expect("key file serializes"))?;
        Ok(state)
    }

    /// Removes this database's key from the keyring (after its database was deleted).
    pub fn forget(&self) -> Result<()> {
        if let Ok(KeyFile { account: Some(account), .. }) = self.read(&self.path) {
            let _ = keyring_entry(&account)?.delete_credential();
        }
        Ok(())
    }

    fn read(&self, path: &Path) -> Result<KeyFile> {
        let bytes = fs::read(path).map_err(|e| Error::KeyFile { path: path.to_owned(), detail: e.to_string() })?;
        serde_json::from_slice(&bytes).map_err(|e| Error::KeyFile { path: path.to_owned(), detail: e.to_string() })
    }

    fn seal(
        db_id: &str,
        key: &DbKey,
        mode: KeyMode,
        passphrase: Option<&str>,
        kdf: KdfParams,
        lockouts: BTreeMap<String, LockState>,
        slots: BTreeMap<String, Sealed>,
    ) -> Result<String> {
        let mut account = None;
        let wrapped = match mode {
            KeyMode::Shared => None,
            KeyMode::Keyring => {
                let name = format!("database-key:{db_id}:{}", uuid::Uuid::new_v4().simple());
                keyring_entry(&name)?.set_password(&key.to_hex()).map_err(keyring_error)?;
                account = Some(name);
                None
            }
            KeyMode::Passphrase => {
                let pass = passphrase.filter(|p| !p.is_empty()).ok_or(Error::PassphraseRequired)?;
                check_new_passphrase(pass)?;
                let mut salt = [0u8; 16];
                let mut nonce = [0u8; 24];
                getrandom::fill(&mut salt)
                    .and_then(|_| getrandom::fill(&mut nonce))
                    .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
                let kek = derive(pass, &salt, kdf)?;
                let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
                let ct = cipher
                    .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.0.as_ref(), aad: db_id.as_bytes() })
                    .map_err(|_| Error::Io(std::io::Error::other("key wrap failed")))?;
                Some(Wrapped {
                    kdf: "argon2id".into(),
                    params: kdf,
                    salt: hex::encode(salt),
                    nonce: hex::encode(nonce),
                    ciphertext: hex::encode(ct),
                })
            }
        };
        let file = KeyFile { format: 1, db_id: db_id.to_string(), mode, account, wrapped, lockouts, slots };
        Ok(serde_json::to_string_pretty(&file).expect("key file serializes"))
    }

    fn open_file(&self, f: &KeyFile, passphrase: Option<&str>) -> Result<DbKey> {
        let bad = |d: &str| Error::KeyFile { path: self.path.clone(), detail: d.to_string() };
        match f.mode {
            // Only a user signing in opens it ([`KeyStore::unlock_slot`]).
            KeyMode::Shared => Err(Error::SharedDesktop),
            KeyMode::Keyring => {
                let account = f.account.as_deref().ok_or_else(|| bad("missing keyring account"))?;
                let entry = keyring_entry(account)?;
                match entry.get_password() {
                    Ok(h) => DbKey::from_hex(&h).ok_or_else(|| bad("keyring entry is not a key")),
                    Err(keyring::Error::NoEntry) => Err(Error::KeyMissing(f.db_id.clone())),
                    Err(e) => Err(keyring_error(e)),
                }
            }
            KeyMode::Passphrase => {
                // No length rule here: a book made before the rule keeps opening with its passphrase.
                let pass = passphrase.filter(|p| !p.is_empty()).ok_or(Error::PassphraseRequired)?;
                let w = f.wrapped.as_ref().ok_or_else(|| bad("missing wrapped key"))?;
                if w.kdf != "argon2id" {
                    return Err(bad("unknown kdf"));
                }
                let salt = hex::decode(&w.salt).map_err(|_| bad("salt"))?;
                let nonce = hex::decode(&w.nonce).map_err(|_| bad("nonce"))?;
                let ct = hex::decode(&w.ciphertext).map_err(|_| bad("ciphertext"))?;
                if nonce.len() != 24 {
                    return Err(bad("nonce"));
                }
                let kek = derive(pass, &salt, w.params)?;
                let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
                let mut pt = cipher
                    .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ct, aad: f.db_id.as_bytes() })
                    .map_err(|_| Error::WrongPassphrase)?;
                let mut k = [0u8; 32];
                if pt.len() != 32 {
                    pt.zeroize();
                    return Err(bad("wrapped key length"));
                }
                k.copy_from_slice(&pt);
                pt.zeroize();
                let key = DbKey::from_bytes(k);
                k.zeroize();
                Ok(key)
            }
        }
    }
}

/// A secret sealed under a password: Argon2id derives the key, XChaCha20-Poly1305 seals, and
/// `aad` (what the secret belongs to) is bound in so a sealed value cannot be moved to another
/// record. Used for a user's authenticator secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub params: KdfParams,
    pub salt: String,
    pub nonce: String,
    pub ciphertext: String,
}

pub fn seal_with_password(password: &str, secret: &[u8], aad: &str, kdf: KdfParams) -> Result<Sealed> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt)
        .and_then(|_| getrandom::fill(&mut nonce))
        .map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let kek = derive(password, &salt, kdf)?;
    let ct = XChaCha20Poly1305::new(kek.as_ref().into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad: aad.as_bytes() })
        .map_err(|_| Error::Io(std::io::Error::other("seal failed")))?;
    Ok(Sealed { params: kdf, salt: hex::encode(salt), nonce: hex::encode(nonce), ciphertext: hex::encode(ct) })
}

/// The secret, or `None` when the password (or `aad`) is not the one it was sealed with.
pub fn open_with_password(password: &str, sealed: &Sealed, aad: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let (Ok(salt), Ok(nonce), Ok(ct)) =
        (hex::decode(&sealed.salt), hex::decode(&sealed.nonce), hex::decode(&sealed.ciphertext))
    else {
        return Ok(None);
    };
    if nonce.len() != 24 {
        return Ok(None);
    }
    let kek = derive(password, &salt, sealed.params)?;
    Ok(XChaCha20Poly1305::new(kek.as_ref().into())
        .decrypt(XNonce::from_slice(&nonce), Payload { msg: &ct, aad: aad.as_bytes() })
        .ok()
        .map(Zeroizing::new))
}

/// What a key slot is bound to: this book and this login (a slot copied to another login or
/// another book's key file does not open).
fn slot_aad(db_id: &str, login: &str) -> String {
    format!("banyan-key-slot:{db_id}:{login}")
}

fn derive(passphrase: &str, salt: &[u8], p: KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(p.m_kib, p.t, p.p, Some(32))
        .map_err(|e| Error::Io(std::io::Error::other(format!("argon2 params: {e}"))))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| Error::Io(std::io::Error::other(format!("argon2: {e}"))))?;
    Ok(out)
}

fn keyring_entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, account).map_err(keyring_error)
}

fn keyring_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoEntry => Error::KeyMissing(String::new()),
        other => Error::KeyringUnavailable(other.to_string()),
    }
}

/// Writes `text` to `path` so that a crash leaves either the old or the new file, never a torn one.
/// The fewest characters a new passphrase may have. The passphrase is all that protects a book
/// copied off a laptop: every form (the desktop's first run, `banyan init`, `banyan rekey`) gets
/// this rule from here.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Refuses a new passphrase that is too short (counted in characters, so 8 Chinese characters
/// pass) or only blanks.
pub fn check_new_passphrase(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS || p.trim().is_empty() {
        return Err(Error::field(
            crate::error::FieldError::new("passphrase", "error-passphrase-short").arg("min", MIN_PASSPHRASE_CHARS),
        ));
    }
    Ok(())
}

pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = super::files::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(path);
    Ok(())
}

pub(crate) fn sync_dir(path: &Path) {
    // Makes the rename durable on Linux/macOS; directories cannot be opened this way on Windows.
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams { m_kib: 1024, t: 1, p: 1 };

    #[test]
    fn a_lockout_is_kept_in_the_key_file_across_restarts_and_key_changes() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let ks = KeyStore::for_db(&db);
        let key = DbKey::random().unwrap();
        ks.create(&key, KeyMode::Passphrase, Some("correct horse"), FAST).unwrap();
        let t0 = 1_000_000_000_000;
        let mut until = None;
        for i in 0..5 {
            until = ks
                .update_lock("li.wei", t0 + i, |s| {
                    s.fail(t0 + i);
                })
                .unwrap()
                .locked(t0 + i);
        }
        let until = until.expect("five failures lock");
        // A new process (a fresh KeyStore reading the file) sees the lock, and nobody else's.
        let again = KeyStore::for_db(&db);
        assert_eq!(again.lock_state("li.wei").unwrap().locked(t0 + 10), Some(until));
        assert_eq!(again.lock_state("wang.fang").unwrap(), LockState::default());
        // Changing the passphrase keeps it; the key still opens.
        again.stage(&key, KeyMode::Passphrase, Some("battery staple"), FAST).unwrap();
        again.commit_pending().unwrap();
        assert_eq!(again.lock_state("li.wei").unwrap().locked(t0 + 10), Some(until));
        assert_eq!(again.unlock(Some("battery staple")).unwrap().0.to_hex(), key.to_hex());
        // An admin's unlock clears it and the entry goes from the file.
        again.update_lock("li.wei", t0 + 20, LockState::succeed).unwrap();
        assert_eq!(again.lock_state("li.wei").unwrap(), LockState::default());
        assert!(!fs::read_to_string(again.path()).unwrap().contains("li.wei"));
    }

    #[test]
    fn passphrase_wraps_and_unwraps() {
        let dir = tempfile::tempdir().unwrap();
        let ks = KeyStore::for_db(&dir.path().join("a.db"));
        let key = DbKey::random().unwrap();
        ks.create(&key, KeyMode::Passphrase, Some("correct horse"), FAST).unwrap();
        let (got, pending) = ks.unlock(Some("correct horse")).unwrap();
        assert_eq!(got.to_hex(), key.to_hex());
        assert!(pending.is_none());
        assert!(matches!(ks.unlock(Some("wrong horse")), Err(Error::WrongPassphrase)));
        assert!(matches!(ks.unlock(None), Err(Error::PassphraseRequired)));
        let text = fs::read_to_string(ks.path()).unwrap();
        assert!(!text.contains(key.to_hex().as_str()), "the key file must not hold the key in clear");
    }

    #[test]
    fn a_pending_key_is_offered_after_an_interrupted_change() {
        let dir = tempfile::tempdir().unwrap();
        let ks = KeyStore::for_db(&dir.path().join("a.db"));
        let old = DbKey::random().unwrap();
        let new = DbKey::random().unwrap();
        ks.create(&old, KeyMode::Passphrase, Some("first passphrase"), FAST).unwrap();
        ks.stage(&new, KeyMode::Passphrase, Some("first passphrase"), FAST).unwrap();
        let (main, pending) = ks.unlock(Some("first passphrase")).unwrap();
        assert_eq!(main.to_hex(), old.to_hex());
        assert_eq!(pending.unwrap().to_hex(), new.to_hex());
        ks.commit_pending().unwrap();
        assert_eq!(ks.unlock(Some("first passphrase")).unwrap().0.to_hex(), new.to_hex());
    }
}
