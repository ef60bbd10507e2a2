//! Resolving an alert: who, when and with what note, in the evidence trail.

use super::{Lifecycle, comment, with_comment};
use crate::error::GovError;
use crate::principal::AsReviewer;
use crate::service::alerts::{alert_draft, not_about};
use crate::store::{alerts, evidence};
use serde_json::json;

impl Lifecycle {
    /// Resolves an open alert with a note.
    pub async fn resolve_alert(&self, who: &AsReviewer, id: i64, text: &str) -> Result<(), GovError> {
        let note = comment("note", text, true)?;
        let alert = self.store.alert_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("alert {id}")))?;
        not_about(&alert, who.actor())?;
        let now = crate::clock::now();
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        if !alerts::resolve(&txn, id, &who.actor().name, &note, now).await? {
            txn.rollback().await?;
            return Err(GovError::Conflict { field: "alert", message: format!("alert {id} is already resolved") });
        }
        let summary = with_comment(format!("{} resolved alert {id} ({})", who.actor().name, alert.kind), &note);
        let details = json!({"alert_id": id, "action_id": alert.action_id, "note": note});
        let draft = alert_draft(who.actor(), "alert.resolved", &alert, summary, details);
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }
}
