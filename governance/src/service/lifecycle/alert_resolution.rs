//! Resolving an alert: who, when and with what note, in the evidence trail.

use super::{Bulk, Lifecycle, comment, with_comment};
use crate::error::GovError;
use crate::principal::AsCorrector;
use crate::service::alerts::{alert_draft, not_about};
use crate::store::{alerts, evidence};
use serde_json::json;

impl Lifecycle {
    /// Resolves an open alert with a note (reviewers and managers; never the reviewer an alert
    /// is about).
    pub async fn resolve_alert(&self, who: &AsCorrector, id: i64, text: &str) -> Result<(), GovError> {
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

    /// Resolves several alerts with one note; each is its own step, so one resolved meanwhile
    /// (or about the caller) is skipped, with why, and the others go ahead.
    pub async fn resolve_alerts(&self, who: &AsCorrector, ids: &[i64], text: &str) -> Result<Bulk, GovError> {
        if ids.is_empty() {
            return Err(GovError::invalid("ids", "select at least one alert"));
        }
        comment("note", text, true)?;
        Bulk::each(ids, "alert", |id| self.resolve_alert(who, id, text)).await
    }
}
