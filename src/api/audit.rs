//! The audit trail as a user sees it: the events (sign-ins, lockouts, MFA, user and grant
//! changes, exports), the signed checkpoints to keep outside the book, and `verify`, which says
//! per desktop and chain whether history was altered (see `store::audit` and `security::chain`).

use super::{ApiResult, Banyan, Caller};
use crate::error::FieldError;
use crate::security::chain::Checkpoint;
use crate::security::grants::{Action, Entity};
use crate::store::{Actor, AuditEvent, ChainReport};
use serde::Serialize;
use std::path::Path;

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// Every chain intact and every checkpoint met.
    pub intact: bool,
    pub chains: Vec<ChainReport>,
    /// How many checkpoints held elsewhere were given (0: only the book's own were checked, so a
    /// rewrite that re-hashed and re-signed the whole history could not be seen).
    pub held_given: usize,
}

/// How many events one listing returns at most.
const MAX_EVENTS: u32 = 100_000;

impl Banyan {
    /// Checks every desktop's chains in the book: links, gap-free sequences, the checkpoints'
    /// signatures, and `held`, checkpoints kept outside the book (`audit_checkpoints` written out
    /// before, a backup's, a peer's) (audit.read).
    pub fn audit_verify(
        &self,
        caller: &Caller,
        held: &[Checkpoint],
        progress: &mut dyn FnMut(u64, u64),
    ) -> ApiResult<AuditReport> {
        self.may(caller, Entity::Audit, Action::Read)?;
        let chains = self.store.verify_chains(held, progress).map_err(|e| self.err(e))?;
        Ok(AuditReport { intact: chains.iter().all(ChainReport::intact), chains, held_given: held.len() })
    }

    /// Every checkpoint the book holds, after signing one of this desktop's chains as they are
    /// now: what to keep somewhere else, so that `audit_verify` can later tell a rewrite (audit.read).
    pub fn audit_checkpoints(&self, caller: &Caller) -> ApiResult<Vec<Checkpoint>> {
        self.may(caller, Entity::Audit, Action::Read)?;
        let run = || -> crate::Result<Vec<Checkpoint>> {
            self.store.seal_chains()?;
            self.store.checkpoints()
        };
        run().map_err(|e| self.err(e))
    }

    /// Writes every checkpoint (see [`Banyan::audit_checkpoints`]) to `path` as JSON, for keeping
    /// away from this computer; how many (audit.read).
    pub fn write_checkpoints(&self, caller: &Caller, path: &Path) -> ApiResult<usize> {
        let cps = self.audit_checkpoints(caller)?;
        let text = serde_json::to_string_pretty(&cps).expect("checkpoints serialize") + "\n";
        std::fs::write(path, text).map_err(|e| self.err(crate::Error::Io(e)))?;
        Ok(cps.len())
    }

    /// Reads checkpoints kept outside the book (a file [`Banyan::write_checkpoints`] wrote, or
    /// `banyan audit checkpoints --out`), for [`Banyan::audit_verify`]; a file that cannot be read
    /// or is not such a list is refused naming it. Reads nothing of the book.
    pub fn read_checkpoints(&self, path: &Path) -> ApiResult<Vec<Checkpoint>> {
        let bad = |detail: String| {
            let e = FieldError::new("checkpoints", "error-checkpoints-file")
                .arg("path", path.display().to_string())
                .arg("detail", detail);
            self.err(crate::Error::field(e))
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
    }

    /// The latest audit events, newest first, at most `limit` (audit.read).
    pub fn audit_events(&self, caller: &Caller, limit: u32) -> ApiResult<Vec<AuditEvent>> {
        self.may(caller, Entity::Audit, Action::Read)?;
        self.store.audit_events(limit.min(MAX_EVENTS)).map_err(|e| self.err(e))
    }

    /// Records an event by `user` (a user id; empty for a sign-in naming nobody known).
    pub(crate) fn audit(&self, user: &str, kind: &str, detail: serde_json::Value) -> crate::Result<()> {
        self.store.record_event(&Actor { user: user.to_string(), batch: None }, kind, &detail)
    }
}
