//! Alerts as people work them: the list (filters, counts, open first), one alert explained —
//! the detector's figures, window, test and daily series, what it did on its own and the
//! actions that made it fire — and acknowledging one. Resolving is a lifecycle step
//! ([`crate::Lifecycle::resolve_alert`]); undoing an automatic response is the monitor's
//! ([`crate::service::monitor_job::MonitorJob::undo`]).

use crate::error::GovError;
use crate::monitor::{Detector, Finding};
use crate::principal::{AsMember, AsReviewer};
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
}

/// An alert with what a page needs around it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertView {
    pub alert: AlertRecord,
    pub agent_name: String,
    pub state: AlertState,
    /// The detector that raised it (none for a failed rollback).
    pub detector: Option<Detector>,
    /// Its figures (a detector's alert).
    pub figures: Option<Figures>,
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

/// One alert explained.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertDetail {
    pub view: AlertView,
    /// The grant's actions in the recent window that the detector counted against it.
    pub causes: Vec<ActionRecord>,
}

fn view_of(alert: AlertRecord, agent_name: String) -> AlertView {
    let detector = alert.detector.as_deref().and_then(|d| Detector::parse(d).ok());
    let figures = alert.details.as_deref().and_then(|d| serde_json::from_str(d).ok());
    AlertView { state: AlertState::of(&alert), alert, agent_name, detector, figures }
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
        let agent_name = self.store.agent_by_id(alert.agent_id).await?.map(|a| a.name).unwrap_or_default();
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
                let n = name(a.agent_id);
                view_of(a, n)
            })
            .collect();
        Ok(AlertList { items, total, counts: self.store.alert_state_counts().await?, agents, capabilities })
    }

    /// Alerts open that nobody has acknowledged (the navigation's count).
    pub async fn open_count(&self, _by: &AsMember) -> Result<u64, GovError> {
        self.store.unacknowledged_count().await
    }

    /// One alert with the actions that made it fire.
    pub async fn detail(&self, _by: &AsMember, id: i64) -> Result<AlertDetail, GovError> {
        let alert = self.store.alert_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("alert {id}")))?;
        let view = self.view(alert).await?;
        let causes = match (&view.figures, view.detector, &view.alert.capability) {
            (Some(f), Some(d), Some(capability)) => {
                self.store.actions_counted_by(view.alert.agent_id, capability, d, &f.window, CAUSES_LIMIT).await?
            }
            _ => match view.alert.action_id {
                Some(action) => self.store.action_by_id(action).await?.into_iter().collect(),
                None => Vec::new(),
            },
        };
        Ok(AlertDetail { view, causes })
    }

    /// Marks an open alert as being looked at; 409 when it already is, or is resolved.
    pub async fn acknowledge(&self, by: &AsReviewer, id: i64) -> Result<(), GovError> {
        let alert = self.store.alert_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("alert {id}")))?;
        let now = crate::clock::now();
        let txn = self.store.begin_write().await?;
        evidence::lock(&txn).await?;
        if !alert_store::acknowledge(&txn, id, &by.actor().name, now).await? {
            txn.rollback().await?;
            let why = if alert.resolved_at.is_some() { "is resolved" } else { "was acknowledged already" };
            return Err(GovError::Conflict { field: "alert", message: format!("alert {id} {why}") });
        }
        let summary = format!("{} acknowledged alert {id} ({})", by.actor().name, alert.kind);
        let draft = crate::service::grants::draft(
            by.actor(),
            "alert.acknowledged",
            alert.agent_id,
            summary,
            json!({"alert_id": id}),
        );
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        Ok(())
    }
}
