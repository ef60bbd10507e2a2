//! Scheduled trust reviews: how often a person must look at a grant again, by tier, and what
//! happens when nobody does — a template rule's setting, versioned with it.

use crate::policy::Tier;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What happens to a grant whose review stays overdue past the grace period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WhenOverdue {
    /// It is flagged in the reviews list; nothing else changes.
    #[default]
    Flag,
    /// It is demoted one tier (an observer stays an observer, flagged).
    Demote,
}

impl WhenOverdue {
    pub fn as_str(self) -> &'static str {
        match self {
            WhenOverdue::Flag => "flag",
            WhenOverdue::Demote => "demote",
        }
    }

    pub fn parse(s: &str) -> Result<WhenOverdue, String> {
        match s.trim() {
            "flag" | "" => Ok(WhenOverdue::Flag),
            "demote" => Ok(WhenOverdue::Demote),
            other => Err(format!("'{other}' is not flag or demote")),
        }
    }
}

/// Days between reviews per tier, the grace period and what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCadence {
    pub observer_days: u32,
    pub contributor_days: u32,
    pub executor_days: u32,
    /// Days a review may stay overdue before [`ReviewCadence::when_overdue`] applies.
    pub grace_days: u32,
    pub when_overdue: WhenOverdue,
}

impl Default for ReviewCadence {
    /// Every 90 days at executor, 180 at contributor, 365 at observer; 14 days' grace, then flagged.
    fn default() -> ReviewCadence {
        ReviewCadence {
            observer_days: 365,
            contributor_days: 180,
            executor_days: 90,
            grace_days: 14,
            when_overdue: WhenOverdue::Flag,
        }
    }
}

/// Where a grant stands against its review date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "days", rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Due in this many whole days.
    Upcoming(i64),
    /// Due today or overdue by this many days, within the grace period.
    Overdue(i64),
    /// Overdue by this many days, past the grace period.
    PastGrace(i64),
}

impl ReviewCadence {
    pub fn is_default(&self) -> bool {
        *self == ReviewCadence::default()
    }

    /// Days between reviews at `tier`.
    pub fn every(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Observer => self.observer_days,
            Tier::Contributor => self.contributor_days,
            Tier::Executor => self.executor_days,
        }
    }

    /// When a grant reviewed (or given its tier) at `at` is next due.
    pub fn next_due(&self, tier: Tier, at: DateTime<Utc>) -> DateTime<Utc> {
        at + Duration::days(i64::from(self.every(tier)))
    }

    /// Where a review due at `due` stands at `now`.
    pub fn status(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> ReviewStatus {
        if due > now {
            return ReviewStatus::Upcoming((due - now).num_days());
        }
        let late = (now - due).num_days();
        if late > i64::from(self.grace_days) { ReviewStatus::PastGrace(late) } else { ReviewStatus::Overdue(late) }
    }

    /// Checks the numbers; an error names the field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (field, days) in [
            ("observer_days", self.observer_days),
            ("contributor_days", self.contributor_days),
            ("executor_days", self.executor_days),
        ] {
            if !(1..=3650).contains(&days) {
                return Err((field, format!("must be between 1 and 3650 days, not {days}")));
            }
        }
        if self.grace_days > 365 {
            return Err(("grace_days", format!("must be at most 365 days, not {}", self.grace_days)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap() + Duration::days(day)
    }

    #[test]
    fn executors_are_reviewed_more_often_than_observers() {
        let c = ReviewCadence::default();
        assert_eq!(c.next_due(Tier::Executor, at(0)), at(90));
        assert_eq!(c.next_due(Tier::Contributor, at(0)), at(180));
        assert!(c.every(Tier::Observer) > c.every(Tier::Contributor));
    }

    #[test]
    fn a_review_is_upcoming_then_overdue_then_past_its_grace() {
        let c = ReviewCadence { grace_days: 14, ..ReviewCadence::default() };
        assert_eq!(c.status(at(10), at(3)), ReviewStatus::Upcoming(7));
        assert_eq!(c.status(at(10), at(10)), ReviewStatus::Overdue(0));
        assert_eq!(c.status(at(10), at(24)), ReviewStatus::Overdue(14), "the grace period's last day");
        assert_eq!(c.status(at(10), at(25)), ReviewStatus::PastGrace(15));
        let none = ReviewCadence { grace_days: 0, ..c };
        assert_eq!(none.status(at(10), at(11)), ReviewStatus::PastGrace(1));
    }

    #[test]
    fn nonsense_cadences_are_refused_by_field() {
        let c = ReviewCadence { executor_days: 0, ..ReviewCadence::default() };
        assert_eq!(c.validate().unwrap_err().0, "executor_days");
        let c = ReviewCadence { grace_days: 400, ..ReviewCadence::default() };
        assert_eq!(c.validate().unwrap_err().0, "grace_days");
        assert!(ReviewCadence::default().validate().is_ok());
        assert_eq!(WhenOverdue::parse("demote"), Ok(WhenOverdue::Demote));
        assert!(WhenOverdue::parse("suspend").is_err());
    }
}
