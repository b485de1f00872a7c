//! Integration tests of the core, one binary (see ARCHITECTURE.md, "Tests").

mod audit;
mod cli;
mod common;
mod crash;
mod crm;
mod duplicates;
mod fields;
mod gateway;
mod hardening;
mod history;
mod imports;
mod keyring;
mod leak;
mod locales;
mod migrate;
mod open_errors;
mod orders;
mod permissions;
mod phones;
mod privacy;
mod scope;
mod search;
mod shared;
mod sync;
mod users;
mod validation;
