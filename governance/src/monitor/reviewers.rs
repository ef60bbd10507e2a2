//! The human side: a reviewer who approves nearly everything, nearly at once, is not reviewing.
//! Judged on the reviewer's recent decisions: the share approved, the share of approvals made within a
//! few seconds of the item arriving, and the longest run of such quick approvals in a row (a long
//! run of careful approvals of a good agent's work is a good week, not a finding).

use super::{Finding, Judgement};

/// The fewest recent decisions before a reviewer is judged.
pub const MIN_DECISIONS: u64 = 30;
/// An approval this fast (seconds from the item arriving to the approval) is a glance.
pub const GLANCE_SECONDS: f64 = 5.0;

/// One decision a reviewer made: approved or not, and how long after the item arrived.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReviewerDecision {
    pub approved: bool,
    pub seconds: f64,
}

/// How strict the judgement is at significance level `alpha` (the sensitivity): the share
/// approved, the share of approvals within [`GLANCE_SECONDS`] and the run of approvals that
/// make rubber-stamping.
pub fn thresholds(alpha: f64) -> (f64, f64, u64) {
    // (approved share, glance share of approvals, approvals in a row)
    if alpha >= 0.01 {
        (0.9, 0.6, 40)
    } else if alpha >= 0.001 {
        (0.95, 0.75, 60)
    } else {
        (0.98, 0.9, 100)
    }
}

/// Whether a reviewer's recent `decisions` (oldest first) look like rubber-stamping: nearly
/// all approved and most of the approvals glances, or a very long run of glances approved.
pub fn rubber_stamping(decisions: &[ReviewerDecision], alpha: f64) -> Judgement {
    let n = decisions.len() as u64;
    if n < MIN_DECISIONS {
        return Judgement::TooFew { n, min: MIN_DECISIONS };
    }
    let approved = decisions.iter().filter(|d| d.approved).count() as u64;
    let glances = decisions.iter().filter(|d| d.approved && d.seconds < GLANCE_SECONDS).count() as u64;
    let mut streak = 0u64;
    let mut longest = 0u64;
    for d in decisions {
        streak = if d.approved && d.seconds < GLANCE_SECONDS { streak + 1 } else { 0 };
        longest = longest.max(streak);
    }
    let (min_approved, min_glances, min_streak) = thresholds(alpha);
    let approved_share = approved as f64 / n as f64;
    let glance_share = if approved == 0 { 0.0 } else { glances as f64 / approved as f64 };
    let fires = (approved_share >= min_approved && glance_share >= min_glances) || longest >= min_streak;
    let finding = Finding {
        observed: format!(
            "{approved} of {n} approved ({:.0}%), {glances} of them within {GLANCE_SECONDS:.0} s ({:.0}%); longest run of approvals within {GLANCE_SECONDS:.0} s {longest}",
            approved_share * 100.0,
            glance_share * 100.0
        ),
        baseline: format!(
            "fires at ≥ {:.0}% approved with ≥ {:.0}% of approvals within {GLANCE_SECONDS:.0} s, or {min_streak} such approvals in a row",
            min_approved * 100.0,
            min_glances * 100.0
        ),
        test: "thresholds on the reviewer's last decisions (no test: the behaviour itself is the finding)".into(),
        p_value: glance_share,
        n,
    };
    if fires { Judgement::Fires { finding } } else { Judgement::Quiet { finding } }
}

/// A reviewer's figures over the decisions the detector judges: how many, the median time
/// from an item's arrival to the decision, the share approved and the share of approvals made
/// within a glance — each rate with its sample size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figures {
    pub decided: u64,
    pub median_seconds: Option<f64>,
    pub approved: crate::reliability::Rate,
    /// Of the approvals, those within [`GLANCE_SECONDS`].
    pub glances: crate::reliability::Rate,
}

/// The figures of `decisions`.
pub fn figures(decisions: &[ReviewerDecision]) -> Figures {
    use crate::reliability::Rate;
    let mut times: Vec<f64> = decisions.iter().map(|d| d.seconds).filter(|s| s.is_finite()).collect();
    times.sort_by(f64::total_cmp);
    let median = match times.len() {
        0 => None,
        n if n % 2 == 1 => Some(times[n / 2]),
        n => Some((times[n / 2 - 1] + times[n / 2]) / 2.0),
    };
    let approved = decisions.iter().filter(|d| d.approved).count() as u64;
    let glances = decisions.iter().filter(|d| d.approved && d.seconds < GLANCE_SECONDS).count() as u64;
    Figures {
        decided: decisions.len() as u64,
        median_seconds: median,
        approved: Rate::new(approved, decisions.len() as u64),
        glances: Rate::new(glances, approved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn figures_count_what_the_detector_reads() {
        let d = |approved, seconds| ReviewerDecision { approved, seconds };
        let f = figures(&[d(true, 2.0), d(true, 30.0), d(false, 60.0), d(true, 4.0)]);
        assert_eq!(f.decided, 4);
        assert_eq!(f.median_seconds, Some(17.0));
        assert_eq!((f.approved.hits, f.approved.n), (3, 4));
        assert_eq!((f.glances.hits, f.glances.n), (2, 3), "glances are counted among approvals");
        assert_eq!(figures(&[]).median_seconds, None);
        assert_eq!(figures(&[d(true, 9.0)]).median_seconds, Some(9.0));
    }

    const ALPHA: f64 = 0.001;

    fn decisions(rng: &mut rand::rngs::StdRng, n: usize, approve: f64, seconds: (f64, f64)) -> Vec<ReviewerDecision> {
        (0..n)
            .map(|_| ReviewerDecision {
                approved: rng.random_bool(approve),
                seconds: rng.random_range(seconds.0..seconds.1),
            })
            .collect()
    }

    #[test]
    fn a_careful_reviewer_is_never_flagged() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let fired =
            (0..1000).filter(|_| rubber_stamping(&decisions(&mut rng, 50, 0.85, (8.0, 300.0)), ALPHA).fires()).count();
        assert_eq!(fired, 0);
    }

    #[test]
    fn approving_everything_in_two_seconds_is_flagged() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let j = rubber_stamping(&decisions(&mut rng, 40, 0.99, (0.5, 3.0)), ALPHA);
        assert!(j.fires());
        assert!(j.finding().unwrap().observed.contains("within 5 s"));
    }

    #[test]
    fn a_long_run_of_glances_is_flagged_even_among_careful_rejections() {
        // Seventy approvals in a second each, then thirty slow rejections: 70 % approved, under
        // the share threshold, but the run is the finding.
        let mut all = vec![ReviewerDecision { approved: true, seconds: 1.0 }; 70];
        all.extend(vec![ReviewerDecision { approved: false, seconds: 90.0 }; 30]);
        let j = rubber_stamping(&all, ALPHA);
        assert!(j.fires(), "{j:?}");
        assert!(j.finding().unwrap().observed.ends_with("within 5 s 70"), "{j:?}");
    }

    #[test]
    fn a_long_run_of_careful_approvals_of_a_good_agent_is_not() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let mut slow = vec![ReviewerDecision { approved: true, seconds: 60.0 }; 90];
        slow.extend(decisions(&mut rng, 10, 0.5, (20.0, 200.0)));
        assert!(!rubber_stamping(&slow, ALPHA).fires(), "90 careful approvals in a row is a good week");
    }

    #[test]
    fn a_reviewer_with_few_decisions_is_not_judged() {
        let few = vec![ReviewerDecision { approved: true, seconds: 1.0 }; 10];
        assert_eq!(rubber_stamping(&few, ALPHA), Judgement::TooFew { n: 10, min: MIN_DECISIONS });
    }
}
