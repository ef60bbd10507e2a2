//! Scheduled trust reviews as the reviews pages show them.

use super::ScorecardView;
use serde::{Deserialize, Serialize};
use vocab::Tier;

/// Where a grant stands against its review date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DueState {
    /// Due in this many days.
    Upcoming(i64),
    /// Overdue by this many days, within the grace period.
    Overdue(i64),
    /// Overdue by this many days, past the grace period.
    PastGrace(i64),
}

impl DueState {
    /// "due in 3 days", "overdue by 2 days", "overdue by 20 days, past its grace".
    pub fn words(self) -> String {
        let days = |n: i64| if n == 1 { "1 day".to_owned() } else { format!("{n} days") };
        match self {
            DueState::Upcoming(0) => "due within a day".to_owned(),
            DueState::Upcoming(n) => format!("due in {}", days(n)),
            DueState::Overdue(0) => "due today".to_owned(),
            DueState::Overdue(n) => format!("overdue by {}", days(n)),
            DueState::PastGrace(n) => format!("overdue by {}, past its grace period", days(n)),
        }
    }

    /// The badge class: quiet, amber, red.
    pub fn class(self) -> &'static str {
        match self {
            DueState::Upcoming(_) => "badge",
            DueState::Overdue(_) => "badge warn",
            DueState::PastGrace(_) => "badge off",
        }
    }
}

/// One grant in the list of reviews due.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub grant_id: i64,
    pub agent_id: i64,
    pub agent: String,
    pub capability: String,
    pub tier: Tier,
    pub revoked: bool,
    /// The due date, "2026-12-06".
    pub due: String,
    /// The due date exactly (RFC 3339), sent back with a review so two reviews of the same
    /// due date do not both count.
    pub due_at: String,
    pub state: DueState,
    /// "every 90 days at executor; after 14 days' grace: flag".
    pub cadence: String,
}

/// A review someone recorded, for the list of recent ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRow {
    pub seq: i64,
    pub when: String,
    pub reviewer: String,
    pub agent_id: i64,
    pub agent: String,
    pub grant_id: i64,
    pub capability: String,
    pub decision: String,
    /// "executor", or "executor → contributor" when the review changed the tier.
    pub tier: String,
    pub comment: String,
}

/// `/reviews`: overdue, due within two weeks, further ahead (one page), and recorded lately.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewsView {
    pub overdue: Vec<ReviewRow>,
    pub due_soon: Vec<ReviewRow>,
    pub upcoming: super::Paged<ReviewRow>,
    pub recent: Vec<RecordedRow>,
}

/// Upcoming reviews on one page.
pub const UPCOMING_PAGE: usize = 20;

/// Recorded reviews shown.
pub const RECENT_REVIEWS: u64 = 15;

/// The review page: the grant, its record and what may be decided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewPageView {
    pub row: ReviewRow,
    pub card: ScorecardView,
}
