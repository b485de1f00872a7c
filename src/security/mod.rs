//! Key management for the encrypted database: where the database key lives and how it is unlocked.

pub mod files;
pub mod keys;

pub use keys::{DbKey, KeyMode, KeyStore, Unlock};
