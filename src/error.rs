//! The core's error type: every failure a caller can see, each mapped to a Fluent message id.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use banyan_read::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that the domain rules reject; nothing was written.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{} ({})", e.field, e.msg_id)).collect::<Vec<_>>().join(", "))]
    Invalid(Vec<FieldError>),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("the key does not open this database")]
    WrongKey,
    #[error("a passphrase is required to open this database")]
    PassphraseRequired,
    #[error("no key for this database in the OS keyring ({0})")]
    KeyMissing(String),
    #[error("the OS keyring is unavailable: {0}")]
    KeyringUnavailable(String),
    #[error("database file {0} is truncated")]
    Truncated(PathBuf),
    #[error("database is damaged: {0}")]
    Corrupt(String),
    #[error("database schema version {found} is newer than this program ({supported})")]
    NewerSchema { found: i64, supported: i64 },
    #[error("no database at {0}")]
    DbMissing(PathBuf),
    #[error("a database already exists at {0}")]
    DbExists(PathBuf),
    #[error("key file {path} is unreadable: {detail}")]
    KeyFile { path: PathBuf, detail: String },
    #[error("migration to version {version} failed ({detail}); snapshot kept at {snapshot}")]
    MigrationFailed { version: i64, snapshot: PathBuf, detail: String },
    #[error("disk full")]
    DiskFull,
    /// A file to import that cannot be read as a whole (wrong format, hostile, too large); the
    /// message id and arguments say which and where. Nothing was written.
    #[error("unreadable input: {} {:?}", .0.msg_id, .0.args)]
    Input(FieldError),
    /// The user cancelled a long operation; everything it had done was rolled back.
    #[error("cancelled")]
    Cancelled,
    /// Wrong login, wrong password or wrong authenticator code: one error for all three, so a
    /// guesser learns nothing about which logins exist.
    #[error("sign-in failed")]
    SignInFailed,
    /// Too many failed sign-ins on this desktop; the account opens again at `until_ms`.
    #[error("account locked until {until_ms}")]
    Locked { until_ms: i64 },
    /// The password was right; the account also needs an authenticator or recovery code.
    #[error("an authenticator code is required")]
    MfaRequired,
    /// A right code whose time step was already used.
    #[error("authenticator code already used")]
    MfaReplayed,
    /// A code right for a time `minutes` away: the PC's (or the phone's) clock is off.
    #[error("clock off by {minutes} min")]
    ClockOff { minutes: i64 },
    #[error("account disabled")]
    UserDisabled,
    /// The caller's role requires an authenticator app and they have none yet: until they set
    /// one up, setting it up is all they may do.
    #[error("an authenticator app must be set up first")]
    MfaSetupRequired,
    /// The book has no users yet: the first admin must be created before anything else.
    #[error("no users yet")]
    NoUsers,
    /// The book has users and nobody signed in.
    #[error("sign-in required")]
    SignInRequired,
    /// A shared desktop's book opens only when a user signs in (their key slot).
    #[error("a shared desktop's book opens by signing in")]
    SharedDesktop,
    /// The change to a shared desktop stopped before the book was re-keyed: it was dropped, and
    /// the book opens as before.
    #[error("the change to a shared desktop did not finish")]
    SharingUnfinished,
    /// `banyan audit verify` found history altered, missing, truncated or rewritten in `chains`
    /// of the book's chains (the report says where).
    #[error("history altered in {chains} chain(s)")]
    HistoryAltered { chains: usize },
    /// A policy turns this feature off (`policy` names it), for every user.
    #[error("turned off by policy {policy}")]
    TurnedOff { policy: &'static str },
    /// The caller may not do this; `what` names the action or the field (a message id's argument).
    #[error("forbidden: {what}")]
    Forbidden { what: String },
    /// The caller's roles do not let them change this field (a path such as
    /// `lines[0].discount`): the write is refused whole.
    #[error("field not writable: {field}")]
    FieldNotAllowed { field: String },
    /// The caller's roles do not grant `action` on `entity`.
    #[error("not allowed: {action:?} {entity:?}")]
    NotAllowed { entity: crate::security::grants::Entity, action: crate::security::grants::Action },
    /// A peer sent changes this desktop refuses whole (nothing of them is written): `fault` says
    /// which rule they broke, `device` whose changes they were.
    #[error("changes from {device} refused: {fault:?}")]
    PeerRefused { device: String, fault: PeerFault },
    /// A backup could not be made, read, verified or restored: the message id says why (wrong
    /// passphrase, another book's backup, truncated, altered, target missing or full, ...).
    #[error("backup: {} {:?}", .0.msg_id, .0.args)]
    Backup(FieldError),
    /// Another process has the book open, so it cannot be swapped for a backup now.
    #[error("the book is open elsewhere")]
    BookInUse,
    #[error("storage error: {0}")]
    Storage(rusqlite::Error),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub fn invalid(field: impl Into<String>, msg_id: &'static str) -> Self {
        Error::Invalid(vec![FieldError::new(field, msg_id)])
    }

    pub fn field(e: FieldError) -> Self {
        Error::Invalid(vec![e])
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Input(e)
    }
}

impl From<banyan_read::Error> for Error {
    fn from(e: banyan_read::Error) -> Self {
        match e {
            banyan_read::Error::Input(f) => Error::Input(f),
            banyan_read::Error::Cancelled => Error::Cancelled,
            banyan_read::Error::Io(io) => Error::Io(io),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DiskFull) => Error::DiskFull,
            Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => Error::Corrupt(e.to_string()),
            _ => Error::Storage(e),
        }
    }
}

/// Why a peer's changes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerFault {
    /// An entry is not what its origin's audit chain says (altered, reordered or forged).
    Altered,
    /// The peer holds changes of this desktop beyond the last one it made: this book was restored
    /// from a backup or copied, and must take a new identity before it syncs.
    AheadOfUs,
    /// One (device, sequence) arrived with two different contents.
    TwoContents,
    /// Malformed: an entry overlapping one already held, or naming devices inconsistently.
    Malformed,
    /// A transaction not signed by the desktop it names (forged, or its signature altered).
    Forged,
    /// Changes of a desktop that is not a member of the book (no member row gives its key).
    NotMember,
}

impl PeerFault {
    pub fn name(self) -> &'static str {
        match self {
            PeerFault::Altered => "altered",
            PeerFault::AheadOfUs => "ahead-of-us",
            PeerFault::TwoContents => "two-contents",
            PeerFault::Malformed => "malformed",
            PeerFault::Forged => "forged",
            PeerFault::NotMember => "not-member",
        }
    }
}
