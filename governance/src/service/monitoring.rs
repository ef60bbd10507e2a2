//! Monitoring, judged when a grant's record is read: each per-grant detector over the grant's
//! kept daily counts — the last two UTC days against the 28 before them — so a manager or a
//! reviewer sees at a glance whether the agent's behaviour has drifted, with the figures and
//! the test, or why there is too little to say. The background job that raises alerts and acts
//! on these judgements is still to come (issue 17); this reads the same pure detectors.

use crate::monitor::{Detector, Judgement, Sensitivity, confidence, rates, volume};
use crate::reliability::Tally;
use crate::store::scorecards::Group;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// UTC days in the recent window (today, so far, and yesterday).
pub const RECENT_DAYS: i64 = 2;
/// UTC days in the baseline before it.
pub const BASELINE_DAYS: i64 = 28;

/// One detector's judgement of a grant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub detector: Detector,
    pub judgement: Judgement,
}

/// Proposals per confidence band among `days` within `[from, to]`.
fn bands(days: &[(NaiveDate, Group)], from: NaiveDate, to: NaiveDate) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (day, (_, _, _, band, _, n)) in days {
        if *day >= from && *day <= to {
            out[(*band).clamp(0, 3) as usize] += (*n).max(0) as u64;
        }
    }
    out
}

/// Proposals per window of [`RECENT_DAYS`] days, oldest first, over the baseline.
fn volumes(days: &[(NaiveDate, Group)], baseline_first: NaiveDate) -> Vec<u64> {
    let windows = (BASELINE_DAYS / RECENT_DAYS) as usize;
    let mut out = vec![0u64; windows];
    for (day, (_, _, _, _, _, n)) in days {
        let offset = (*day - baseline_first).num_days();
        if (0..BASELINE_DAYS).contains(&offset) {
            out[(offset / RECENT_DAYS) as usize] += (*n).max(0) as u64;
        }
    }
    out
}

/// Judges a grant's daily groups (from `store::scorecards`) on `today` at `sensitivity`.
pub fn judge(days: &[(NaiveDate, Group)], today: NaiveDate, sensitivity: Sensitivity) -> Vec<Check> {
    let alpha = sensitivity.alpha();
    let recent_first = today - Duration::days(RECENT_DAYS - 1);
    let baseline_first = recent_first - Duration::days(BASELINE_DAYS);
    let baseline_last = recent_first - Duration::days(1);
    let tally = |from: NaiveDate, to: NaiveDate| {
        let mut t = Tally::default();
        let mut unused = crate::reliability::Calibration::default();
        for (day, group) in days {
            if *day >= from && *day <= to {
                crate::store::scorecards::count(&mut t, &mut unused, group);
            }
        }
        t
    };
    let (recent, baseline) = (tally(recent_first, today), tally(baseline_first, baseline_last));
    let rejected = |t: &Tally| crate::reliability::Rate::new(t.rejected, t.approved + t.rejected);
    vec![
        Check {
            detector: Detector::RejectionRate,
            judgement: rates::rising("rejected", rejected(&recent), rejected(&baseline), alpha),
        },
        Check {
            detector: Detector::FailureRate,
            judgement: rates::rising("failed", recent.failure(), baseline.failure(), alpha),
        },
        Check {
            detector: Detector::RollbackRate,
            judgement: rates::rising("rolled back", recent.rollback(), baseline.rollback(), alpha),
        },
        Check {
            detector: Detector::Volume,
            judgement: volume::spike(recent.proposals, &volumes(days, baseline_first), alpha),
        },
        Check {
            detector: Detector::ConfidenceDrift,
            judgement: confidence::drift(
                &bands(days, recent_first, today),
                &bands(days, baseline_first, baseline_last),
                alpha,
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::State;
    use crate::policy::Decision;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap() - Duration::days(n)
    }

    /// A day's groups: `approved` and `rejected` proposals stated at 0.95.
    fn decided(days_ago: i64, approved: i64, rejected: i64) -> Vec<(NaiveDate, Group)> {
        vec![
            (day(days_ago), (Decision::NeedsApproval, State::Final, String::new(), 3, 1, approved)),
            (day(days_ago), (Decision::NeedsApproval, State::Rejected, String::new(), 3, 0, rejected)),
        ]
    }

    fn verdict(checks: &[Check], d: Detector) -> &Judgement {
        &checks.iter().find(|c| c.detector == d).unwrap().judgement
    }

    #[test]
    fn a_new_grant_has_too_little_for_any_detector() {
        let checks = judge(&decided(0, 3, 0), day(0), Sensitivity::Normal);
        assert_eq!(checks.len(), 5);
        assert!(checks.iter().all(|c| matches!(c.judgement, Judgement::TooFew { .. })), "{checks:?}");
    }

    #[test]
    fn rejections_rising_in_the_last_two_days_fire_and_a_steady_record_does_not() {
        let mut days: Vec<_> = (2..30).flat_map(|d| decided(d, 18, 2)).collect();
        let steady = [days.clone(), decided(1, 18, 2), decided(0, 17, 3)].concat();
        let checks = judge(&steady, day(0), Sensitivity::Normal);
        assert!(matches!(verdict(&checks, Detector::RejectionRate), Judgement::Quiet { .. }), "{checks:?}");
        assert!(matches!(verdict(&checks, Detector::Volume), Judgement::Quiet { .. }));
        assert!(matches!(verdict(&checks, Detector::ConfidenceDrift), Judgement::Quiet { .. }));
        days.extend(decided(1, 10, 10));
        days.extend(decided(0, 8, 12));
        let checks = judge(&days, day(0), Sensitivity::Normal);
        let j = verdict(&checks, Detector::RejectionRate);
        assert!(j.fires(), "{j:?}");
        assert_eq!(j.finding().unwrap().observed, "0.55 rejected (22 of 40)");
    }

    #[test]
    fn days_outside_the_baseline_do_not_count() {
        // Old history (60 days ago) is outside the 28-day baseline: too few to judge.
        let days = [decided(60, 500, 0), decided(0, 10, 20)].concat();
        let checks = judge(&days, day(0), Sensitivity::Normal);
        assert_eq!(verdict(&checks, Detector::RejectionRate), &Judgement::TooFew { n: 0, min: rates::MIN_BASELINE });
    }
}
