//! Banyan CRM core: the encrypted customer book and everything a CRM knows, with no UI and no Tauri.
//!
//! Callers (the `banyan` CLI, the desktop shell, tests) use [`api::Banyan`]; the modules below it
//! never know who called them.

pub mod api;
pub mod backup;
pub mod demo;
pub mod error;
pub mod home;
pub mod i18n;
pub mod io;
pub mod logging;
pub mod model;
pub mod policy;
pub mod quality;
pub mod search;
pub mod security;
pub mod store;
pub mod sync;

pub use error::{Error, FieldError, Result};
