//! Hybrid logical clock (Kulkarni et al.): a timestamp that follows wall time when it can and never
//! goes backwards when the wall clock does, so per-field last-writer-wins orders edits the way
//! people made them, across desktops whose clocks disagree.
//!
//! An `Hlc` packs 48 bits of Unix milliseconds and a 16-bit counter into one `i64`, so the log
//! sorts by it as a plain integer.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The source of wall time; injected so tests can move it backwards.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

impl<T: Clock + ?Sized> Clock for Arc<T> {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
pub struct Hlc(i64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MAX: i64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    pub const ZERO: Hlc = Hlc(0);

    pub fn from_parts(wall_ms: i64, counter: u16) -> Self {
        Hlc((wall_ms.max(0) << COUNTER_BITS) | counter as i64)
    }

    pub fn from_raw(raw: i64) -> Self {
        Hlc(raw)
    }

    pub fn raw(&self) -> i64 {
        self.0
    }

    pub fn wall_ms(&self) -> i64 {
        self.0 >> COUNTER_BITS
    }

    pub fn counter(&self) -> u16 {
        (self.0 & COUNTER_MAX) as u16
    }

    /// The timestamp for a local event at wall time `now_ms`, strictly after `self`.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms() { Hlc::from_parts(now_ms, 0) } else { self.successor() }
    }

    /// The timestamp after receiving `remote` at wall time `now_ms`: after both `self` and `remote`.
    pub fn receive(self, remote: Hlc, now_ms: i64) -> Hlc {
        let latest = self.max(remote);
        if now_ms > latest.wall_ms() { Hlc::from_parts(now_ms, 0) } else { latest.successor() }
    }

    fn successor(self) -> Hlc {
        // When the counter is exhausted the logical time moves one millisecond ahead of the wall.
        if self.counter() as i64 == COUNTER_MAX { Hlc::from_parts(self.wall_ms() + 1, 0) } else { Hlc(self.0 + 1) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn follows_wall_time_forward() {
        let a = Hlc::ZERO.tick(1_000);
        assert_eq!((a.wall_ms(), a.counter()), (1_000, 0));
        let b = a.tick(2_000);
        assert_eq!((b.wall_ms(), b.counter()), (2_000, 0));
    }

    #[test]
    fn never_goes_back_when_the_wall_clock_does() {
        let a = Hlc::ZERO.tick(5_000);
        let b = a.tick(1_000);
        assert!(b > a);
        assert_eq!((b.wall_ms(), b.counter()), (5_000, 1));
    }

    #[test]
    fn counter_overflow_moves_to_next_millisecond() {
        let a = Hlc::from_parts(7, u16::MAX);
        let b = a.tick(0);
        assert_eq!((b.wall_ms(), b.counter()), (8, 0));
    }

    #[test]
    fn receive_passes_a_remote_clock_ahead_of_ours() {
        let local = Hlc::from_parts(1_000, 3);
        let remote = Hlc::from_parts(9_000, 2);
        let r = local.receive(remote, 2_000);
        assert!(r > remote && r > local);
    }

    proptest! {
        #[test]
        fn strictly_increasing_for_any_wall_clock(walls in proptest::collection::vec(0i64..1_000_000_000_000, 1..200)) {
            let mut h = Hlc::ZERO;
            for w in walls {
                let n = h.tick(w);
                prop_assert!(n > h);
                prop_assert!(n.wall_ms() >= w);
                h = n;
            }
        }
    }
}
