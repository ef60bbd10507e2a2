//! Deadlines, applied by a background loop on every instance: pending approvals expire
//! (counting as denied), undo windows end (the action becomes final) and unanswered peer
//! checks go to mandatory review. Each action moves
//! by compare-and-set, so with several instances each transition still happens exactly once.

use crate::error::GovError;
use crate::evidence::Actor;
use crate::lifecycle::Event;
use crate::service::lifecycle::{Lifecycle, Step};
use crate::store::lifecycle::Changes;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Most actions handled per pass and kind.
const BATCH: u64 = 500;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub expired: u64,
    pub finalised: u64,
    /// Peer checks nobody answered in time (their actions went to mandatory review).
    pub peer_timed_out: u64,
}

impl Lifecycle {
    /// Expires approvals past their deadline and finalises actions whose undo window ended.
    /// Actions another instance moved first are skipped silently.
    pub async fn apply_deadlines(&self, now: DateTime<Utc>) -> Result<Pass, GovError> {
        let mut pass = Pass::default();
        for id in self.store.approvals_past_deadline(now, BATCH).await? {
            let Some(a) = self.store.action_by_id(id).await? else { continue };
            let step = Step {
                event: Event::Expire,
                actor: Actor::system("deadline"),
                kind: "action.expired",
                summary: format!("action {id} ({}) expired unapproved: counts as denied", a.capability),
                details: json!({"expires_at": a.expires_at}),
                changes: Changes::default(),
                alert: None,
                remember: Vec::new(),
                peer: None,
            };
            match self.apply(&a, step).await {
                Ok(_) => pass.expired += 1,
                Err(GovError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        for id in self.store.windows_ended(now, BATCH).await? {
            let Some(a) = self.store.action_by_id(id).await? else { continue };
            let step = Step {
                event: Event::WindowEnded,
                actor: Actor::system("deadline"),
                kind: "action.finalised",
                summary: format!("action {id} ({}) is final: its undo window ended", a.capability),
                details: json!({"reversible_until": a.reversible_until}),
                changes: Changes::default(),
                alert: None,
                remember: Vec::new(),
                peer: None,
            };
            match self.apply(&a, step).await {
                Ok(_) => pass.finalised += 1,
                Err(GovError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        pass.peer_timed_out = self.time_out_peer_checks(now).await?;
        Ok(pass)
    }
}
