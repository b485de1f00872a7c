//! Sync's building blocks that every write already uses: the hybrid logical clock and the clock
//! source. Peers, transport and merge build on the change log the store writes.

pub mod hlc;

pub use hlc::{Clock, Hlc, SystemClock};
