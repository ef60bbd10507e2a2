//! A grant's track record as its page shows it: rates with sample sizes and bounds, twelve
//! weeks of one rate for the chart, approval per confidence band, and the next step.

use serde::{Deserialize, Serialize};
use vocab::Tier;

/// A share with its sample size and Wilson 95 % interval (none without samples).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RateCell {
    pub hits: u64,
    pub n: u64,
    pub rate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl RateCell {
    /// "80% of 5 (≥ 38%)", or "—" without samples: never a bare percentage.
    pub fn words(&self) -> String {
        match (self.rate, self.lower) {
            (Some(r), Some(lo)) => format!("{:.0}% of {} (≥ {:.0}%)", r * 100.0, self.n, (lo * 100.0).floor()),
            _ => "— (no cases)".to_owned(),
        }
    }
}

/// One window's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowRow {
    /// "At this tier", "Last 30 days", "All time".
    pub label: String,
    pub proposals: u64,
    pub approval: RateCell,
    pub agreement: RateCell,
    pub rollback: RateCell,
    pub failure: RateCell,
    pub reviewers: u64,
    pub patterns: u64,
}

/// One week of the chart's rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekPoint {
    /// The week's first day, "11-24".
    pub label: String,
    pub proposals: u64,
    pub rate: RateCell,
    /// The current tier began this week.
    pub tier_changed: bool,
}

/// What the next tier needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextStepView {
    pub to: Tier,
    pub ready: bool,
    pub met: Vec<String>,
    pub missing: Vec<String>,
}

/// One detector's judgement of a grant, as its card shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorRow {
    /// "Rejection rate".
    pub detector: String,
    /// "too_few", "quiet" or "fires".
    pub verdict: String,
    /// The recent figure, or what is missing.
    pub observed: String,
    pub baseline: String,
    pub test: String,
}

/// One grant's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorecardView {
    pub grant_id: i64,
    pub capability: String,
    pub tier: Tier,
    pub since: String,
    pub days_at_tier: u64,
    pub revoked: bool,
    pub windows: Vec<WindowRow>,
    /// Which rate the chart shows: "approval" (contributor and executor) or "agreement" (observer).
    pub metric: String,
    pub weeks: Vec<WeekPoint>,
    /// Approval per confidence band, all time: (band, rate).
    pub bands: Vec<(String, RateCell)>,
    pub overconfident: bool,
    pub next: Option<NextStepView>,
    /// Each per-grant detector now: the last two days against the 28 before.
    pub monitoring: Vec<MonitorRow>,
}

/// One grant in the managers' promotion queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub agent_id: i64,
    pub agent: String,
    pub capability: String,
    pub tier: Tier,
    pub to: Tier,
    pub ready: bool,
    /// The rate the step is judged on (agreement to contributor, approval to executor).
    pub measured: RateCell,
    pub missing: Vec<String>,
}

/// A live grant's last twelve weeks, drawn small beside its agent in the agents list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparkView {
    pub capability: String,
    pub tier: Tier,
    /// "approval" (contributor and executor) or "agreement" (observer).
    pub metric: String,
    /// One rate per week, oldest first.
    pub weeks: Vec<RateCell>,
    /// The whole twelve weeks.
    pub total: RateCell,
}

/// One agent in the agents list, with a sparkline per live grant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentListRow {
    pub agent: super::AgentRow,
    pub trends: Vec<SparkView>,
}

/// A detector's settings, as the monitoring page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorRow {
    /// The stored name (`rejection_rate`).
    pub detector: String,
    pub name: String,
    pub watches: String,
    /// Its minimum sample and test, in words.
    pub test: String,
    pub enabled: bool,
    /// `low`, `normal` or `high`.
    pub sensitivity: String,
    /// What the monitoring job does when it fires (`alert`, `demote_grant`, ...).
    pub response: String,
    /// It watches the people reviewing: it can only alert.
    pub alert_only: bool,
    /// Who changed it last and when; none for the defaults.
    pub changed: Option<String>,
    /// Its open alerts that did nothing but alert (a new response can be applied to them).
    pub open_without_response: usize,
}
