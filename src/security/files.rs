//! Files that hold customer data or keys (the book, its WAL, snapshots, the key file, exports,
//! the import's rejected rows) are created readable and writable by their owner only (0600), in
//! folders Banyan creates for its owner only (0700): on a shared machine another account must not
//! read an export or copy the book. SQLite creates the WAL and shared-memory files with the mode
//! of the database file, so creating the book 0600 covers those too.
//!
//! On Windows the user's profile folders already keep other accounts out; the standard library's
//! defaults are used there.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates (or truncates) `path` for writing, 0600 when it is new.
pub fn create(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Creates a new empty file at `path`, 0600; fails if something is there already.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

/// Creates `dir` and any missing parents; the folders created here are 0700 (folders that were
/// there already keep their mode: they may be shared on purpose).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}
