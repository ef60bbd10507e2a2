//! Deadlines, applied by a background loop on every instance: pending approvals expire
//! (counting as denied), undo windows end (the action becomes final) and unanswered peer
//! checks go to mandatory review. Each action moves by compare-and-set, so with several
//! instances each transition still happens exactly once.

use crate::error::GovError;
use crate::evidence::Actor;
use crate::lifecycle::Event;
use crate::service::lifecycle::{Lifecycle, Step};
use crate::store::actions::ActionRecord;
use crate::store::transitions::Changes;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

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

/// One kind of deadline: the event it sends, its evidence kind, and what the record says.
struct Deadline {
    event: Event,
    kind: &'static str,
    summary: fn(&ActionRecord) -> String,
    details: fn(&ActionRecord) -> Value,
}

const EXPIRY: Deadline = Deadline {
    event: Event::Expire,
    kind: "action.expired",
    summary: |a| format!("action {} ({}) expired unapproved: counts as denied", a.id, a.capability),
    details: |a| json!({"expires_at": a.expires_at}),
};

const WINDOW_END: Deadline = Deadline {
    event: Event::WindowEnded,
    kind: "action.finalised",
    summary: |a| format!("action {} ({}) is final: its undo window ended", a.id, a.capability),
    details: |a| json!({"reversible_until": a.reversible_until}),
};

impl Lifecycle {
    /// Expires approvals past their deadline, finalises actions whose undo window ended and
    /// times out unanswered peer checks. Actions another instance moved first are skipped.
    pub async fn apply_deadlines(&self, now: DateTime<Utc>) -> Result<Pass, GovError> {
        Ok(Pass {
            expired: self.settle(self.store.approvals_past_deadline(now, BATCH).await?, &EXPIRY).await?,
            finalised: self.settle(self.store.windows_ended(now, BATCH).await?, &WINDOW_END).await?,
            peer_timed_out: self.time_out_peer_checks(now).await?,
        })
    }

    /// Applies `deadline` to each action; returns how many moved (not those moved elsewhere first).
    async fn settle(&self, ids: Vec<i64>, deadline: &Deadline) -> Result<u64, GovError> {
        let mut moved = 0;
        for id in ids {
            let Some(a) = self.store.action_by_id(id).await? else { continue };
            let step = Step {
                event: deadline.event,
                actor: Actor::system("deadline"),
                kind: deadline.kind,
                summary: (deadline.summary)(&a),
                details: (deadline.details)(&a),
                changes: Changes::default(),
                alert: None,
                remember: Vec::new(),
                peer: None,
            };
            match self.apply(&a, step).await {
                Ok(_) => moved += 1,
                Err(GovError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(moved)
    }
}
