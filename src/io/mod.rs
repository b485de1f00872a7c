//! Import and export of customer books: readers for every format users bring ([`read`]), column
//! mapping ([`mapping`]), the import pipeline with duplicate handling and undo ([`import`]) and
//! the writers ([`export`]).

pub mod export;
pub mod import;
pub mod mapping;
/// The readers live in their own crate (`crates/read`), so fuzzing them builds only them.
pub use banyan_read::{formula, read};

pub use banyan_read::{Format, Limits, Progress, input_error};
