//! Alerts as people work them: the list (filters, counts, open first), one alert explained —
//! the detector's figures, window, test and daily series, what it did on its own and the
//! actions that made it fire — and acknowledging one. Resolving is a lifecycle step
//! ([`crate::Lifecycle::resolve_alert`]); undoing an automatic response is the monitor's
//! ([`crate::service::monitor_job::MonitorJob::undo`]).

use crate::error::GovError;
use crate::evidence::{Actor, Draft};
use crate::monitor::{Detector, Finding};
use crate::principal::{AsCorrector, AsMember};
use crate::service::lifecycle::{Bulk, comment, with_comment};
use crate::service::monitoring::{Point, Window};
use crate::store::actions::ActionRecord;
use crate::store::alerts::{self as alert_store, AlertRecord};
pub use crate::store::alerts::{AlertFilter, AlertState};
use crate::store::{Store, evidence};
use serde::Deserialize;
use serde_json::json;

/// Alerts a list shows at most.
pub const LIST_LIMIT: u64 = 200;
/// Actions listed as having made an alert fire, at most.
pub const CAUSES_LIMIT: u64 = 50;

/// What a detector's alert holds beyond its message.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Figures {
    pub finding: Finding,
    pub window: Window,
    pub series: Vec<Point>,
    /// The line the series is compared with when it is a threshold, not a baseline (a
    /// reviewer's alert).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// The actions it names (a reviewer's quick approvals); otherwise the detector's causes
    /// are looked up.
    #[serde(default)]
    pub actions: Vec<i64>,
}

/// An alert with what a page needs around it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertView {
    pub alert: AlertRecord,
    pub agent_name: String,
    pub state: AlertState,
    /// The detector that raised it (none for a failed rollback).
    pub detector: Option<Detector>,
    /// Its figures as they were when it fired (a detector's alert); never rewritten.
    pub figures: Option<Figures>,
    /// What the latest pass that still saw the condition measured, when it differs.
    pub since_then: Option<Figures>,
}

/// A page of alerts.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertList {
    pub items: Vec<AlertView>,
    /// How many match the filter (the list shows at most [`LIST_LIMIT`]).
    pub total: u64,
    /// Open, acknowledged and resolved alerts, whatever the filter.
    pub counts: [u64; 3],
    /// Agents (id, name) and capabilities alerts were raised about, for the filters.
    pub agents: Vec<(i64, String)>,
    pub capabilities: Vec<String>,
}

/// A detector keeping quiet about a grant after a person resolved its alert, and until when.
#[derive(Clone, Debug, PartialEq)]
pub struct Quiet {
    pub capability: String,
    pub detector: Detector,
    pub alert_id: i64,
    pub resolved_by: String,
    pub until: chrono::DateTime<chrono::Utc>,
}

/// One alert explained.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertDetail {
    pub view: AlertView,
    /// The grant's actions in the recent window that the detector counted against it.
    pub causes: Vec<ActionRecord>,
}

fn view_of(alert: AlertRecord, agent_name: String) -> AlertView {
    let detector = alert.detector.as_deref().and_then(|d| Detector::parse(d).ok());
    let figures: Option<Figures> = alert.details.as_deref().and_then(|d| serde_json::from_str(d).ok());
    let since_then = alert
        .latest_details
        .as_deref()
        .and_then(|d| serde_json::from_str::<Figures>(d).ok())
        .filter(|later| figures.as_ref().is_none_or(|f| f.finding != later.finding || f.window != later.window));
    AlertView { state: AlertState::of(&alert), alert, agent_name, detector, figures, since_then }
}

/// The alerts use cases.
#[derive(Clone, Debug)]
pub struct Alerts {
    store: Store,
}

impl Alerts {
    pub fn new(store: Store) -> Alerts {
        Alerts { store }
    }

    async fn view(&self, alert: AlertRecord) -> Result<AlertView, GovError> {
        let agent_name = match alert.agent_id {
            Some(id) => self.store.agent_by_id(id).await?.map(|a| a.name).unwrap_or_default(),
            None => String::new(),
        };
        Ok(view_of(alert, agent_name))
    }

    /// Alerts matching `filter`, open first (any signed-in role may read them).
    pub async fn list(&self, _by: &AsMember, filter: &AlertFilter) -> Result<AlertList, GovError> {
        let (rows, total) = self.store.alerts_matching(filter, LIST_LIMIT).await?;
        let (agent_ids, capabilities) = self.store.alert_facets().await?;
        let mut agents = Vec::with_capacity(agent_ids.len());
        for id in agent_ids {
            if let Some(a) = self.store.agent_by_id(id).await? {
                agents.push((id, a.name));
            }
        }
        agents.sort_by(|a, b| a.1.cmp(&b.1));
        let name = |id: i64| agents.iter().find(|(a, _)| *a == id).map(|(_, n)| n.clone()).unwrap_or_default();
        let items = rows
            .into_iter()
            .map(|a| {
                let n = a.agent_id.map(name).unwrap_or_default();
                view_of(a, n)
            })
            .collect();
        Ok(AlertList { items, total, counts: self.store.alert_state_counts().await?, agents, capabilities })
    }

    /// The detectors keeping quiet about an agent's grants because a person resolved their
    /// alert in the last [`QUIET_HOURS`](crate::service::monitor_job::QUIET_HOURS), with until when.
    pub async fn quiet_periods(&self, _by: &AsMember, agent_id: i64) -> Result<Vec<Quiet>, GovError> {
        let hours = chrono::Duration::hours(crate::service::monitor_job::QUIET_HOURS);
        let mut out: Vec<Quiet> = Vec::new();
        for a in self.store.alerts_resolved_since(agent_id, crate::clock::now() - hours).await? {
            let (Some(capability), Some(detector), Some(at)) =
                (a.capability, a.detector.as_deref().and_then(|d| Detector::parse(d).ok()), a.resolved_at)
            else {
                continue;
            };
            // The latest resolution of each grant and detector is the one that counts.
            if out.iter().any(|q| q.capability == capability && q.detector == detector) {
                continue;
            }
            let resolved_by = a.resolved_by.unwrap_or_default();
            out.push(Quiet { capability, detector, alert_id: a.id, resolved_by, until: at + hours });
        }
        Ok(out)
    }

    /// Alerts open that nobody has acknowledged (the navigation's count).
    pub async fn open_count(&self, _by: &AsMember) -> Result<u64, GovError> {
        self.store.unacknowledged_count().await
    }

    /// One alert with the actions that made it fire.
    pub async fn detail(&self, _by: &AsMember, id: i64) -> Result<AlertDetail, GovError> {
        let alert = self.store.alert_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("alert {id}")))?;
        let view = self.view(alert).await?;
        let causes = match (&view.figures, view.detector, view.alert.agent_id, &view.alert.capability) {
            (Some(f), Some(_), _, _) if !f.actions.is_empty() => {
                let mut named = self.store.actions_by_ids(&f.actions).await?;
                named.sort_by_key(|a| std::cmp::Reverse(a.id));
                named
            }
            (Some(f), Some(d), Some(agent_id), Some(capability)) => {
                self.store.actions_counted_by(agent_id, capability, d, &f.window, CAUSES_LIMIT).await?
            }
            _ => match view.alert.action_id {
                Some(action) => self.store.action_by_id(action).await?.into_iter().collect(),
                None => Vec::new(),
            },
        };
        Ok(AlertDetail { view, causes })
    }

    /// Marks an open alert as being looked at, with an optional note; 409 when it already is,
    /// or is resolved; 403 for the reviewer an alert is about. Reviewers and managers may.
    pub async fn acknowledge(&self, by: &AsCorrector, id: i64, text: &str) -> Result<(), GovError> {
        let note = comment("note", text, false)?;
        let alert = self.store.alert_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("alert {id}")))?;
        not_about(&alert, by.actor())?;
        let now = crate::clock::now();
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        if !alert_store::acknowledge(&txn, id, &by.actor().name, &note, now).await? {
            txn.rollback().await?;
            let why = if alert.resolved_at.is_some() { "is resolved" } else { "was acknowledged already" };
            return Err(GovError::Conflict { field: "alert", message: format!("alert {id} {why}") });
        }
        let summary = with_comment(format!("{} acknowledged alert {id} ({})", by.actor().name, alert.kind), &note);
        let details = json!({"alert_id": id, "note": note});
        evidence::append(&txn, &alert_draft(by.actor(), "alert.acknowledged", &alert, summary, details)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Acknowledges several alerts with one note; each is its own step, so one acknowledged
    /// meanwhile (or about the caller) is skipped, with why, and the others go ahead.
    pub async fn acknowledge_many(&self, by: &AsCorrector, ids: &[i64], text: &str) -> Result<Bulk, GovError> {
        comment("note", text, false)?;
        Bulk::each(ids, "alert", |id| self.acknowledge(by, id, text)).await
    }
}

/// An evidence record about an alert, filed under what it is about: its agent, or the reviewer.
pub(crate) fn alert_draft(
    actor: &Actor,
    kind: &'static str,
    alert: &AlertRecord,
    summary: String,
    details: serde_json::Value,
) -> Draft {
    let (subject_kind, subject_id) = match (&alert.reviewer, alert.agent_id) {
        (Some(reviewer), _) => ("user", reviewer.clone()),
        (None, Some(agent)) => ("agent", agent.to_string()),
        (None, None) => ("alert", alert.id.to_string()),
    };
    Draft { actor: actor.clone(), kind, subject_kind, subject_id, summary, details }
}

/// Refuses the reviewer an alert is about: someone else acknowledges and resolves it.
pub(crate) fn not_about(alert: &AlertRecord, who: &Actor) -> Result<(), GovError> {
    if alert.reviewer.as_deref() == Some(who.name.as_str()) {
        return Err(GovError::Forbidden(format!(
            "alert {} is about your own reviewing: someone else acknowledges and resolves it",
            alert.id
        )));
    }
    Ok(())
}
