//! Secrets: the database key (where it lives and how it is unlocked), sign-in passwords, and
//! authenticator and recovery codes.

pub mod chain;
pub mod files;
pub mod grants;
pub mod keys;
pub mod lockout;
pub mod password;
pub mod token;
pub mod totp;

pub use keys::{DbKey, KeyMode, KeyStore, Unlock};
