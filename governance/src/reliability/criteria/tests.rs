use super::*;

fn executor_step() -> StepCriteria {
    StepCriteria::default_for(Tier::Executor).unwrap()
}

fn standing(tier: Tier, t: &Tally, days: u64, alerts: u64) -> Standing<'_> {
    Standing { tier, at_tier: t, days_at_tier: days, open_alerts: alerts }
}

/// A contributor with `approved` of `decided` approved, plenty of everything else.
fn contributor(approved: u64, decided: u64) -> Tally {
    Tally {
        proposals: decided,
        escalated: decided,
        approved,
        rejected: decided - approved,
        executed_ok: approved,
        reviewers: 3,
        patterns: 40,
        ..Tally::default()
    }
}

#[test]
fn a_reliable_contributor_is_ready_for_executor() {
    let t = contributor(300, 300);
    let r = readiness(&executor_step(), standing(Tier::Contributor, &t, 30, 0)).unwrap();
    assert_eq!(r.to, Tier::Executor);
    assert!(r.ready(), "{:?}", r.missing());
}

#[test]
fn what_is_missing_is_said_with_numbers() {
    let t = contributor(160, 163);
    let r = readiness(&executor_step(), standing(Tier::Contributor, &t, 30, 0)).unwrap();
    assert!(!r.ready());
    let missing = r.missing();
    assert!(missing.contains(&"needs 37 more decided proposals (163 of 200)"), "{missing:?}");
    assert!(missing.contains(&"approval lower bound 0.94 < 0.95 (n = 163)"), "{missing:?}");
}

#[test]
fn time_alone_is_never_enough() {
    let t = Tally::default();
    let r = readiness(&executor_step(), standing(Tier::Contributor, &t, 3650, 0)).unwrap();
    assert!(!r.ready());
    assert!(r.missing().contains(&"no approval measured yet (needs a lower bound ≥ 0.95)"), "{:?}", r.missing());
    let days = r.checks.iter().find(|c| c.criterion == Criterion::Days).unwrap();
    assert!(days.met);
}

#[test]
fn a_perfect_tiny_sample_does_not_pass_a_lower_bound() {
    let t = contributor(8, 8);
    let mut c = executor_step();
    c.min_samples = 5;
    let r = readiness(&c, standing(Tier::Contributor, &t, 30, 0)).unwrap();
    let bound = r.checks.iter().find(|c| c.criterion == Criterion::LowerBound).unwrap();
    assert!(!bound.met, "8 of 8 has a lower bound of 0.68: {}", bound.text);
}

#[test]
fn the_first_step_is_judged_on_shadow_agreement() {
    let t = Tally { shadow_same: 60, shadow_different: 2, reviewers: 2, patterns: 12, ..Tally::default() };
    let c = StepCriteria::default_for(Tier::Contributor).unwrap();
    let r = readiness(&c, standing(Tier::Observer, &t, 8, 0)).unwrap();
    assert_eq!(r.to, Tier::Contributor);
    // 60 of 62: lower bound 0.8898, shown as 0.88.
    assert_eq!(r.missing(), vec!["agreement lower bound 0.88 < 0.90 (n = 62)"]);
    let better = Tally { shadow_same: 80, ..t };
    assert!(readiness(&c, standing(Tier::Observer, &better, 8, 0)).unwrap().ready());
}

#[test]
fn rollbacks_failures_and_alerts_block_the_step() {
    let mut t = contributor(300, 300);
    t.rolled_back = 30;
    t.rollback_failed = 1;
    let r = readiness(&executor_step(), standing(Tier::Contributor, &t, 30, 2)).unwrap();
    let failed: Vec<Criterion> = r.checks.iter().filter(|c| !c.met).map(|c| c.criterion).collect();
    assert_eq!(failed, vec![Criterion::RollbackRate, Criterion::FailedRollbacks, Criterion::OpenAlert]);
    assert!(r.missing().contains(&"2 open alerts"));
}

#[test]
fn there_is_no_step_beyond_executor() {
    let t = contributor(300, 300);
    assert!(readiness(&executor_step(), standing(Tier::Executor, &t, 30, 0)).is_none());
}

#[test]
fn criteria_out_of_range_name_their_field() {
    let mut c = executor_step();
    assert!(c.validate().is_ok());
    c.min_lower_bound = 1.5;
    assert_eq!(c.validate().unwrap_err().0, "min_lower_bound");
    c.min_lower_bound = f64::NAN;
    assert_eq!(c.validate().unwrap_err().0, "min_lower_bound");
    let mut c = executor_step();
    c.max_rollback_rate = Some(-0.1);
    assert_eq!(c.validate().unwrap_err().0, "max_rollback_rate");
    let mut c = executor_step();
    c.min_days = 100_000;
    assert_eq!(c.validate().unwrap_err().0, "min_days");
    let mut c = executor_step();
    c.min_samples = 0;
    assert_eq!(c.validate().unwrap_err().0, "min_samples");
    assert!(StepCriteria::default_for(Tier::Observer).is_none());
    assert!(StepCriteria::default_for(Tier::Contributor).unwrap().validate().is_ok());
}
