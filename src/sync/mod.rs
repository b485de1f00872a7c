//! Sync's building blocks: the hybrid logical clock every write uses, what replicas exchange
//! (`wire`), and how concurrent values of a field merge (`merge`, pure). The store's
//! `replica.rs` reads and writes them; transport and peers build on that seam.

pub mod hlc;
pub mod merge;
pub mod wire;

pub use hlc::{Clock, Hlc, SystemClock};
