//! Confidence drift: the confidence an agent states, in the same four bands as calibration,
//! distributed differently in the recent window than in its baseline — a chi-square test of
//! homogeneity over the bands either window used.

use super::{Finding, Judgement, show_p};
use crate::reliability::calibration::BANDS;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The fewest recent proposals before drift is judged.
pub const MIN_RECENT: u64 = 30;
/// The fewest baseline proposals.
pub const MIN_BASELINE: u64 = 100;

fn shares(counts: &[u64; 4]) -> String {
    let total: u64 = counts.iter().sum::<u64>().max(1);
    BANDS
        .iter()
        .zip(counts)
        .map(|((_, _, label), n)| format!("{label}: {:.0}%", *n as f64 * 100.0 / total as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the recent proposals' confidence bands (`recent[i]` proposals in band `i`) differ
/// from the baseline's at significance `alpha`.
pub fn drift(recent: &[u64; 4], baseline: &[u64; 4], alpha: f64) -> Judgement {
    let (r, b): (u64, u64) = (recent.iter().sum(), baseline.iter().sum());
    if r < MIN_RECENT {
        return Judgement::TooFew { n: r, min: MIN_RECENT };
    }
    if b < MIN_BASELINE {
        return Judgement::TooFew { n: b, min: MIN_BASELINE };
    }
    let total = (r + b) as f64;
    let mut statistic = 0.0;
    let mut bands = 0;
    for i in 0..4 {
        let column = (recent[i] + baseline[i]) as f64;
        if column == 0.0 {
            continue;
        }
        bands += 1;
        for (observed, row) in [(recent[i], r), (baseline[i], b)] {
            let expected = row as f64 * column / total;
            statistic += (observed as f64 - expected).powi(2) / expected;
        }
    }
    let df = (bands - 1) as f64;
    let p = if df < 1.0 { 1.0 } else { ChiSquared::new(df).map(|c| c.sf(statistic)).unwrap_or(1.0) };
    let finding = Finding {
        observed: format!("{r} recent proposals — {}", shares(recent)),
        baseline: format!("{b} proposals — {}", shares(baseline)),
        test: format!(
            "chi-square test of homogeneity, {df} degrees of freedom, χ² = {statistic:.1}: p = {} {} {alpha}",
            show_p(p),
            if p < alpha { "<" } else { "≥" }
        ),
        p_value: p,
        n: r,
    };
    if p < alpha { Judgement::Fires { finding } } else { Judgement::Quiet { finding } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const ALPHA: f64 = 0.001;

    fn draw(rng: &mut rand::rngs::StdRng, n: u64, weights: [f64; 4]) -> [u64; 4] {
        let mut out = [0; 4];
        for _ in 0..n {
            let mut x: f64 = rng.random();
            for (i, w) in weights.iter().enumerate() {
                if x < *w || i == 3 {
                    out[i] += 1;
                    break;
                }
                x -= w;
            }
        }
        out
    }

    #[test]
    fn the_same_habits_are_not_drift() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let habits = [0.05, 0.15, 0.5, 0.3];
        let trials = 2000;
        let fired = (0..trials)
            .filter(|_| drift(&draw(&mut rng, 60, habits), &draw(&mut rng, 600, habits), ALPHA).fires())
            .count();
        assert!(fired as f64 / trials as f64 <= ALPHA * 3.0, "{fired} false alarms in {trials}");
    }

    #[test]
    fn an_agent_that_suddenly_claims_certainty_drifts() {
        let j = drift(&[0, 2, 8, 50], &[10, 60, 200, 80], ALPHA);
        assert!(j.fires(), "{:?}", j.finding());
        assert!(j.finding().unwrap().observed.contains("0.9–1: 83%"), "{}", j.finding().unwrap().observed);
    }

    #[test]
    fn too_few_proposals_are_not_judged() {
        assert_eq!(drift(&[0, 0, 0, 10], &[100, 0, 0, 0], ALPHA), Judgement::TooFew { n: 10, min: MIN_RECENT });
        assert_eq!(drift(&[10, 10, 10, 10], &[0; 4], ALPHA), Judgement::TooFew { n: 0, min: MIN_BASELINE });
    }
}
