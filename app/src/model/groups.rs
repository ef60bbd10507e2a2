//! What the reviewer groups page shows.

use serde::{Deserialize, Serialize};

/// A reviewer group with its members (id, name).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub members: Vec<(i64, String)>,
}

/// A routing rule as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteRow {
    pub id: i64,
    pub capability: String,
    /// Empty: every escalation of the capability.
    pub condition: String,
    pub group: String,
}

/// The groups page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupsView {
    pub groups: Vec<GroupRow>,
    pub routes: Vec<RouteRow>,
    pub capabilities: Vec<String>,
    /// What was typed into a refused form, while the page shows its error.
    pub kept_group: super::KeptForm,
    pub kept_member: super::KeptForm,
    pub kept_route: super::KeptForm,
}

/// An agent's copilot setting, on its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopilotView {
    pub agent_id: i64,
    /// Whose copilot it is now, as it reads ("rita", "group finance"); none for no one.
    pub of: Option<String>,
    /// The form's values: `user:<id>` / `group:<id>` / empty, and the fallback minutes.
    pub value: String,
    pub fallback: String,
    /// Whom it can work for: (value, label).
    pub choices: Vec<(String, String)>,
}

/// One reviewer's figures on /monitoring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewerRow {
    pub reviewer: String,
    /// Decisions judged (the last 100 of the last 7 days).
    pub decided: u64,
    /// Median time from an item's arrival to the decision.
    pub median: Option<String>,
    pub approved: super::RateCell,
    /// Of the approvals, within 5 seconds.
    pub glances: super::RateCell,
    /// Waiting items assigned to or claimed by them.
    pub load: u64,
}
