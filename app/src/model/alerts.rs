//! Alerts as the alerts pages show them.

use serde::{Deserialize, Serialize};

/// One alert in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertItem {
    pub id: i64,
    /// The agent it is about (none for an alert about a reviewer).
    pub agent_id: Option<i64>,
    pub agent: String,
    /// The reviewer it is about (a detector watching people).
    pub reviewer: Option<String>,
    pub capability: Option<String>,
    /// The detector's stored name, and its name in words (a failed rollback has none).
    pub detector: Option<String>,
    pub what: String,
    /// `open`, `acknowledged` or `resolved`.
    pub state: String,
    pub message: String,
    pub opened: String,
    /// What the detector did on its own, in words, and whether that was undone (by whom).
    pub response: Option<String>,
    pub undone: Option<String>,
}

/// A page of alerts with the choices its filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsView {
    pub rows: Vec<AlertItem>,
    /// How many match (the page shows at most 200).
    pub total: u64,
    /// Open, acknowledged, resolved — whatever the filter.
    pub counts: [u64; 3],
    /// Agents to filter by: (id, name).
    pub agents: Vec<(i64, String)>,
    /// Detectors to filter by: (stored name, name in words).
    pub detectors: Vec<(String, String)>,
    /// Capabilities seen on alerts.
    pub capabilities: Vec<String>,
    /// The viewer may open agents' pages (managers, admins).
    pub link_agents: bool,
    /// The viewer may acknowledge and resolve alerts (reviewers, managers, admins), and who
    /// they are (an alert about their own reviewing is someone else's to work).
    pub can_work: bool,
    pub viewer: String,
    /// What was ticked and typed into the bulk form, when the page shows its error.
    pub kept: super::KeptForm,
}

/// One day of a detector's series, as the alert's chart draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// "12-04".
    pub label: String,
    pub k: u64,
    pub n: u64,
    /// In the recent window (the days that were judged).
    pub recent: bool,
}

/// A detector's series: rates (`k` of `n`) or counts (`n` per day).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesView {
    pub points: Vec<SeriesPoint>,
    pub is_rate: bool,
    /// The baseline's rate (or mean per day), or the threshold, drawn as a line.
    pub baseline: f64,
    /// What the line is: "the baseline" or "the threshold".
    pub line: String,
    /// What is plotted, in words ("rejected of decided").
    pub metric: String,
}

/// An action the detector counted against the agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseRow {
    pub id: i64,
    pub state: String,
    pub when: String,
    pub confidence: String,
}

/// One alert explained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertDetailView {
    pub row: AlertItem,
    pub grant_id: Option<i64>,
    /// The figures: observed, baseline, test, window (a detector's alert).
    pub observed: Option<String>,
    pub baseline: Option<String>,
    pub test: Option<String>,
    pub window: Option<String>,
    pub series: Option<SeriesView>,
    pub causes: Vec<CauseRow>,
    pub acknowledged: Option<String>,
    pub resolved: Option<String>,
    /// What a later pass measured while the condition lasted (the figures above stay those of
    /// the pass that raised it).
    pub since_then: Option<SinceThen>,
    /// The viewer may acknowledge and resolve (reviewers, managers).
    pub can_work: bool,
    /// Its figures are judged against thresholds, not a baseline (a reviewer's alert).
    pub against_threshold: bool,
    /// The alert is about the viewer's own reviewing.
    pub about_viewer: bool,
    /// The viewer may undo the response (managers), and it is not undone yet.
    pub can_undo: bool,
    /// The viewer may search the evidence trail (auditors, admins).
    pub can_audit: bool,
    /// The viewer may open the agent's page (managers, admins).
    pub link_agent: bool,
}

/// A detector's latest figures for an alert that is still open, beside the frozen ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinceThen {
    pub observed: String,
    pub baseline: String,
    pub window: String,
    /// When that pass saw them.
    pub at: String,
}
