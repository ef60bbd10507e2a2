//! Resolving an alert: who, when and with what note, in the evidence trail.

use super::{Lifecycle, comment, with_comment};
use crate::error::GovError;
use crate::evidence::Draft;
use crate::principal::AsReviewer;
use crate::store::{alerts, evidence};
use serde_json::json;

impl Lifecycle {
    /// Resolves an open alert with a note.
    pub async fn resolve_alert(&self, who: &AsReviewer, id: i64, text: &str) -> Result<(), GovError> {
        let note = comment("note", text, true)?;
        let alert = self.store.alert_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("alert {id}")))?;
        let now = crate::clock::now();
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        if !alerts::resolve(&txn, id, &who.actor().name, &note, now).await? {
            txn.rollback().await?;
            return Err(GovError::Conflict { field: "alert", message: format!("alert {id} is already resolved") });
        }
        let draft = Draft {
            actor: who.actor().clone(),
            kind: "alert.resolved",
            subject_kind: "agent",
            subject_id: alert.agent_id.to_string(),
            summary: with_comment(format!("{} resolved alert {id} ({})", who.actor().name, alert.kind), &note),
            details: json!({"alert_id": id, "action_id": alert.action_id, "note": note}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }
}
