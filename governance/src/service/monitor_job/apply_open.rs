//! A detector's new response applied to the alerts it already has open: when a manager makes
//! a detector demote or suspend instead of only alerting, the grants it alerted about before
//! the change can be given the same response on request — each its own transaction, recorded
//! as the manager's act and undone like any automatic response.

use super::{MonitorJob, response_words};
use crate::error::GovError;
use crate::monitor::{Detector, Response};
use crate::principal::AsManager;
use crate::store::alerts as alert_store;
use crate::store::evidence;
use crate::store::grants as grant_store;
use crate::store::notifications::NewEvent;
use serde_json::json;

/// What applying a response to open alerts did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Alerts whose grant got the response.
    pub applied: Vec<i64>,
    /// Alerts where there was nothing to do (an observer cannot be demoted, the grant was
    /// already suspended or revoked), each with why.
    pub skipped: Vec<(i64, String)>,
}

impl MonitorJob {
    /// How many open alerts of `detector` did nothing but alert (what [`Self::apply_to_open`]
    /// would look at).
    pub async fn open_without_response(&self, _by: &AsManager, detector: Detector) -> Result<usize, GovError> {
        Ok(self.store.open_alerts_without_response(detector.as_str()).await?.len())
    }

    /// Applies `response` (the detector's response as just set) to each of its open alerts that
    /// did nothing but alert. A response of "alert" applies nothing.
    pub async fn apply_to_open(
        &self,
        by: &AsManager,
        detector: Detector,
        response: Response,
    ) -> Result<Applied, GovError> {
        let mut out = Applied::default();
        if response == Response::Alert || detector.about_people() {
            return Ok(out);
        }
        for alert in self.store.open_alerts_without_response(detector.as_str()).await? {
            let Some(grant_id) = alert.grant_id else { continue };
            let now = crate::clock::now();
            let txn = self.store.begin_write().await?;
            evidence::lock(&txn).await?;
            let Some(g) = grant_store::by_id(&txn, grant_id).await?.filter(|g| g.revoked_at.is_none()) else {
                txn.rollback().await?;
                out.skipped.push((alert.id, "the grant is revoked".into()));
                continue;
            };
            let reason = format!(
                "{} set the {} detector to {}; applied to its open alert {}",
                by.actor().name,
                detector.as_str(),
                response.as_str(),
                alert.id
            );
            let Some((r, undo)) = self.respond(&txn, by.actor(), &g, response, &reason, now).await? else {
                txn.rollback().await?;
                out.skipped.push((alert.id, format!("nothing to do for {} at {}", g.capability, g.tier.as_str())));
                continue;
            };
            if !alert_store::set_response(&txn, alert.id, r.as_str(), &undo.to_string()).await? {
                // Resolved, or given a response meanwhile: leave it.
                txn.rollback().await?;
                out.skipped.push((alert.id, "the alert changed meanwhile".into()));
                continue;
            }
            let what = format!("{} (alert {}): {reason}", response_words(r), alert.id);
            let event = NewEvent::autonomy_withdrawn(&g, r.as_str(), what, Some(alert.id));
            crate::store::notifications::enqueue(&txn, vec![event], now).await?;
            let summary = format!("{}: {} {}", reason, response_words(r), g.capability);
            let details =
                json!({"alert_id": alert.id, "grant": g.id, "detector": detector.as_str(), "response": r.as_str()});
            let draft = crate::service::grants::draft(by.actor(), "monitor.applied", g.agent_id, summary, details);
            evidence::append(&txn, &draft).await?;
            txn.commit().await?;
            out.applied.push(alert.id);
        }
        Ok(out)
    }
}
