//! Sign-in lockout: five wrong passwords within fifteen minutes lock the account on this desktop
//! for fifteen minutes, doubling with each further lockout up to a day. The state lives in the
//! database's key file (see `keys.rs`), outside the book, so it holds across restarts and is read
//! before the book is open. It stops guessing through Banyan; it cannot stop someone who copied
//! the key file and attacks the Argon2id hash offline: the hash's cost is what does that.

use serde::{Deserialize, Serialize};

/// Failures within [`WINDOW_MS`] that lock an account.
pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// The first lock's length; each further one doubles, up to [`MAX_LOCK_MS`].
pub const FIRST_LOCK_MS: i64 = 15 * 60 * 1000;
pub const MAX_LOCK_MS: i64 = 24 * 60 * 60 * 1000;

/// One account's failures and lock on one desktop. Times are Unix milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockState {
    /// Failures not yet older than the window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
    /// Lockouts since the last successful sign-in (each doubles the next one).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lockouts: u32,
    /// The time step of the last authenticator code accepted here: that step and earlier ones
    /// are refused (RFC 6238 §5.2). Forgotten once it is too old to be replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_step: Option<u64>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl LockState {
    /// When the account is locked at `now_ms`, until when.
    pub fn locked(&self, now_ms: i64) -> Option<i64> {
        self.locked_until.filter(|until| *until > now_ms)
    }

    /// Records a wrong password at `now_ms`; returns the lock's end when this failure locked the
    /// account.
    pub fn fail(&mut self, now_ms: i64) -> Option<i64> {
        self.failures.retain(|t| now_ms - t < WINDOW_MS);
        self.failures.push(now_ms);
        if self.failures.len() < MAX_FAILURES {
            return None;
        }
        let len = FIRST_LOCK_MS.saturating_mul(1i64 << self.lockouts.min(20)).min(MAX_LOCK_MS);
        self.lockouts = self.lockouts.saturating_add(1);
        self.failures.clear();
        let until = now_ms + len;
        self.locked_until = Some(until);
        Some(until)
    }

    /// A right sign-in (or an admin's unlock): the failures and the doubling start over; the
    /// last code's step is kept.
    pub fn succeed(&mut self) {
        *self = LockState { totp_step: self.totp_step, ..LockState::default() };
    }

    /// Nothing worth keeping: no recent failure, no lock in force.
    pub fn is_clear(&self, now_ms: i64) -> bool {
        let step_replayable = self.totp_step.is_some_and(|s| {
            let step_end_ms =
                (s as i64 + 1 + crate::security::totp::SKEW as i64) * crate::security::totp::STEP_S as i64 * 1000;
            step_end_ms > now_ms
        });
        self.locked(now_ms).is_none()
            && self.failures.iter().all(|t| now_ms - t >= WINDOW_MS)
            && self.lockouts == 0
            && !step_replayable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60 * 1000;

    #[test]
    fn five_failures_in_fifteen_minutes_lock_for_fifteen_then_doubling_to_a_day() {
        let mut s = LockState::default();
        let t0 = 1_000_000_000_000;
        for i in 0..4 {
            assert_eq!(s.fail(t0 + i * MIN), None);
        }
        assert_eq!(s.locked(t0 + 4 * MIN), None, "four failures do not lock");
        assert_eq!(s.fail(t0 + 4 * MIN), Some(t0 + 19 * MIN));
        assert_eq!(s.locked(t0 + 18 * MIN), Some(t0 + 19 * MIN));
        assert_eq!(s.locked(t0 + 19 * MIN), None, "the lock ends on time");
        // The next five lock for twice as long, and so on up to a day.
        let mut t = t0 + 20 * MIN;
        let mut lengths = vec![];
        for _ in 0..8 {
            let mut until = None;
            for _ in 0..5 {
                until = s.fail(t);
            }
            let until = until.expect("the fifth failure locks");
            lengths.push((until - t) / MIN);
            t = until;
        }
        assert_eq!(lengths, [30, 60, 120, 240, 480, 960, 1440, 1440]);
        s.succeed();
        assert_eq!(s, LockState::default());
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let mut s = LockState::default();
        let t0 = 1_000_000_000_000;
        for i in 0..20 {
            assert_eq!(s.fail(t0 + i * 4 * MIN), None, "failure {i}, four minutes apart");
        }
        assert!(!s.is_clear(t0 + 80 * MIN));
        assert!(s.is_clear(t0 + 80 * MIN + WINDOW_MS));
    }
}
