//! Where a grant may start: a new grant above the tier its template lets any grant start at
//! has skipped the steps in between, so it is judged by the same criteria as the promotions
//! it skipped, on everything the agent has done with that capability before (earlier,
//! revoked grants of it). A grant that does not meet them is an override and needs a written
//! justification, exactly like a promotion that does not. The same judgement says whether a
//! grant moved to a newer template version still meets that version's criteria at its tier.

use crate::reliability::criteria::{Criterion, Promotion, Readiness, Standing, at_least, readiness};
use crate::reliability::tally::Tally;
use serde::{Deserialize, Serialize};
use vocab::Tier;

/// What the agent has shown with one capability so far, whatever its grants of it were.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Every count the agent has with the capability.
    pub tally: &'a Tally,
    /// Whole days since its first recorded request with the capability.
    pub days: u64,
    pub open_alerts: u64,
}

/// The verdict on starting (or keeping) a grant at a tier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// The tier asked for.
    pub tier: Tier,
    /// The highest tier the template lets a grant start at without a justification.
    pub free_up_to: Tier,
    /// Each step above `free_up_to` up to `tier`, judged on the record; none when the tier
    /// is within what the template allows anyway.
    pub steps: Vec<Readiness>,
}

impl Start {
    /// Whether the tier is above what the template allows without evidence.
    pub fn judged(&self) -> bool {
        !self.steps.is_empty()
    }

    /// Whether the record meets every skipped step's criteria (always, when none was skipped).
    pub fn ready(&self) -> bool {
        self.steps.iter().all(Readiness::ready)
    }

    /// What the record lacks, each prefixed with its step ("to executor: needs 200 more …").
    pub fn missing(&self) -> Vec<String> {
        self.steps
            .iter()
            .flat_map(|r| r.missing().into_iter().map(move |m| format!("to {}: {m}", r.to.as_str())))
            .collect()
    }
}

/// Judges a grant at `tier` under `criteria` (one template rule's) on the agent's `record`.
pub fn judge_start(criteria: &Promotion, tier: Tier, record: Record<'_>) -> Start {
    let free_up_to = criteria.start_tier;
    let mut steps = Vec::new();
    let mut below = free_up_to;
    while below < tier {
        let Some(to) = below.promoted() else { break };
        let Some(step) = criteria.step_to(to) else { break };
        let standing =
            Standing { tier: below, at_tier: record.tally, days_at_tier: record.days, open_alerts: record.open_alerts };
        if let Some(mut r) = readiness(step, standing) {
            // The record spans every tier the agent held the capability at, not one.
            for check in r.checks.iter_mut().filter(|c| c.criterion == Criterion::Days) {
                *check = at_least(Criterion::Days, record.days, step.min_days, "days of record");
            }
            steps.push(r);
        }
        below = to;
    }
    Start { tier, free_up_to, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(t: &Tally, days: u64) -> Record<'_> {
        Record { tally: t, days, open_alerts: 0 }
    }

    /// A record that meets the shipped criteria of both steps.
    fn seasoned() -> Tally {
        Tally {
            proposals: 400,
            escalated: 300,
            approved: 300,
            shadow_same: 100,
            executed_ok: 300,
            reviewers: 3,
            patterns: 40,
            ..Tally::default()
        }
    }

    #[test]
    fn a_new_agent_at_executor_skips_both_steps_and_meets_neither() {
        let none = Tally::default();
        let s = judge_start(&Promotion::default(), Tier::Executor, record(&none, 0));
        assert!(s.judged());
        assert!(!s.ready());
        assert_eq!(s.steps.iter().map(|r| r.to).collect::<Vec<_>>(), [Tier::Contributor, Tier::Executor]);
        let missing = s.missing();
        assert!(
            missing.contains(&"to contributor: needs 50 more shadow comparisons (0 of 50)".to_owned()),
            "{missing:?}"
        );
        assert!(
            missing.contains(&"to executor: needs 200 more decided proposals (0 of 200)".to_owned()),
            "{missing:?}"
        );
        assert!(missing.contains(&"to executor: needs 14 more days of record (0 of 14)".to_owned()), "{missing:?}");
    }

    #[test]
    fn starting_at_observer_needs_nothing() {
        let none = Tally::default();
        let s = judge_start(&Promotion::default(), Tier::Observer, record(&none, 0));
        assert!(!s.judged());
        assert!(s.ready());
        assert!(s.missing().is_empty());
    }

    #[test]
    fn a_template_may_let_grants_start_higher() {
        let none = Tally::default();
        let criteria = Promotion { start_tier: Tier::Contributor, ..Promotion::default() };
        assert!(judge_start(&criteria, Tier::Contributor, record(&none, 0)).ready());
        let s = judge_start(&criteria, Tier::Executor, record(&none, 0));
        assert_eq!(s.steps.len(), 1, "only the step above the free start is judged");
        assert_eq!(s.steps[0].to, Tier::Executor);
        assert!(!s.ready());
    }

    #[test]
    fn a_record_that_meets_every_skipped_step_is_no_override() {
        let t = seasoned();
        let s = judge_start(&Promotion::default(), Tier::Executor, record(&t, 30));
        assert!(s.judged());
        assert!(s.ready(), "{:?}", s.missing());
    }

    #[test]
    fn an_open_alert_blocks_a_start_like_a_promotion() {
        let t = seasoned();
        let s = judge_start(&Promotion::default(), Tier::Contributor, Record { tally: &t, days: 30, open_alerts: 1 });
        assert!(!s.ready());
        assert_eq!(s.missing(), ["to contributor: 1 open alerts"]);
    }

    #[test]
    fn too_few_days_are_named_as_days_of_record() {
        let t = seasoned();
        let s = judge_start(&Promotion::default(), Tier::Executor, record(&t, 10));
        assert_eq!(s.missing(), ["to executor: needs 4 more days of record (10 of 14)"]);
    }
}
