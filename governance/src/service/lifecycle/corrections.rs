//! Corrections: asking an agent to undo an action while it can still be undone, one at a time
//! or everything an agent did in the last hours. Each request is a lifecycle transition.

use crate::error::GovError;
use crate::lifecycle::{Event, State};
use crate::principal::AsCorrector;
use crate::service::lifecycle::{Bulk, Lifecycle, Step, comment, with_comment};
use crate::store::actions::ActionRecord;
use crate::store::transitions::Changes;
use chrono::{DateTime, Utc};
use serde_json::json;

impl Lifecycle {
    /// Asks the agent to undo an action while it can still be undone.
    pub async fn request_rollback(&self, who: &AsCorrector, id: i64, text: &str) -> Result<ActionRecord, GovError> {
        let reason = comment("reason", text, true)?;
        let a = self.load(id).await?;
        let now = crate::clock::now();
        rollback_open(&a, now)?;
        let step = Step {
            event: Event::RequestRollback,
            actor: who.actor().clone(),
            kind: "action.rollback_requested",
            summary: with_comment(
                format!("{} asked to roll back action {id} ({})", who.actor().name, a.capability),
                &reason,
            ),
            details: json!({"reason": reason}),
            changes: Changes {
                rollback_reason: Some(reason.clone()),
                rollback_requested_by: Some(who.actor().name.clone()),
                rollback_requested_at: Some(now),
                ..Changes::default()
            },
            alert: None,
            remember: Vec::new(),
            peer: None,
        };
        self.apply(&a, step).await
    }

    /// The corrective workflow's preview: the agent's actions of the last `hours`, those that
    /// can still be rolled back first, then the rest (which cannot).
    pub async fn correction_preview(
        &self,
        _who: &AsCorrector,
        agent_id: i64,
        hours: i64,
    ) -> Result<(Vec<ActionRecord>, Vec<ActionRecord>), GovError> {
        if !(1..=24 * 30).contains(&hours) {
            return Err(GovError::invalid("hours", "choose from 1 to 720 hours"));
        }
        self.store.agent_by_id(agent_id).await?.ok_or_else(|| GovError::NotFound(format!("agent {agent_id}")))?;
        let now = crate::clock::now();
        let all = self.store.agent_actions_since(agent_id, now - chrono::Duration::hours(hours)).await?;
        Ok(all.into_iter().partition(|a| rollback_open(a, now).is_ok()))
    }

    /// The corrective workflow: requests a rollback of everything the preview listed as
    /// reversible, each as its own transition.
    pub async fn correct(&self, who: &AsCorrector, agent_id: i64, hours: i64, text: &str) -> Result<Bulk, GovError> {
        comment("reason", text, true)?;
        let (reversible, _) = self.correction_preview(who, agent_id, hours).await?;
        let mut out = Bulk::default();
        for a in reversible {
            match self.request_rollback(who, a.id, text).await {
                Ok(_) => out.done.push(a.id),
                Err(e @ (GovError::Db(_) | GovError::Unavailable(_) | GovError::Internal(_))) => return Err(e),
                Err(e) => out.skipped.push((a.id, e.to_string())),
            }
        }
        Ok(out)
    }
}

/// Whether a rollback may be requested now, or why not.
pub fn rollback_open(a: &ActionRecord, now: DateTime<Utc>) -> Result<(), GovError> {
    if !matches!(a.state, State::Reversible | State::AwaitingConfirmation) {
        return Err(GovError::Conflict {
            field: "action",
            message: format!("action {} is {}: only executed, reversible actions can be rolled back", a.id, a.state),
        });
    }
    match a.reversible_until {
        None => Err(GovError::Conflict {
            field: "action",
            message: format!("action {} ({}) is irreversible: it cannot be rolled back", a.id, a.capability),
        }),
        Some(until) if until <= now => Err(GovError::Conflict {
            field: "action",
            message: format!("the undo window of action {} ended at {}", a.id, until.format("%Y-%m-%d %H:%M UTC")),
        }),
        Some(_) => Ok(()),
    }
}
