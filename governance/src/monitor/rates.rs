//! Rates that should not rise: rejections, failed executions, rollbacks, peer disagreements and
//! never-seen parameter sets. The recent window's count is tested against the grant's own
//! baseline with a one-sided binomial test, taking the baseline at the upper end of what it
//! plausibly is (its Wilson 95 % upper bound), so a short or noisy baseline does not make
//! ordinary variation look like drift.

use super::{Finding, Judgement, show_p};
use crate::reliability::Rate;
use statrs::distribution::{Binomial, DiscreteCDF};

/// The fewest cases in the recent window before a rate detector judges at all.
pub const MIN_RECENT: u64 = 20;
/// The fewest cases in the baseline.
pub const MIN_BASELINE: u64 = 30;
/// The smallest rise worth an alert, in absolute terms, however significant (five points).
pub const MIN_RISE: f64 = 0.05;
/// The baseline rate is never taken as lower than this (a spotless baseline of 0 of 40 still
/// allows an occasional case).
pub const FLOOR: f64 = 0.005;

/// P(X ≥ k) for X ~ Binomial(n, p).
fn at_least(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n) {
        Ok(b) => b.sf(k - 1),
        Err(_) => 1.0,
    }
}

/// Whether `recent` is a rise over `baseline` (what `what` counts, e.g. "rejected") that
/// chance does not explain at significance `alpha`.
pub fn rising(what: &str, recent: Rate, baseline: Rate, alpha: f64) -> Judgement {
    if recent.n < MIN_RECENT {
        return Judgement::TooFew { n: recent.n, min: MIN_RECENT };
    }
    if baseline.n < MIN_BASELINE {
        return Judgement::TooFew { n: baseline.n, min: MIN_BASELINE };
    }
    let observed = recent.value().unwrap_or(0.0);
    let base = baseline.value().unwrap_or(0.0);
    let assumed = baseline.upper().unwrap_or(1.0).max(FLOOR);
    let p = at_least(recent.hits, recent.n, assumed);
    let fires = p < alpha && observed - base >= MIN_RISE;
    let finding = Finding {
        observed: format!("{observed:.2} {what} ({} of {})", recent.hits, recent.n),
        baseline: format!("{base:.2} ({} of {}; upper bound {assumed:.2})", baseline.hits, baseline.n),
        test: format!(
            "one-sided binomial test against the baseline's upper bound: p = {} {} {alpha}",
            show_p(p),
            if p < alpha { "<" } else { "≥" }
        ),
        p_value: p,
        n: recent.n,
    };
    if fires { Judgement::Fires { finding } } else { Judgement::Quiet { finding } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const ALPHA: f64 = 0.001;

    fn draw(rng: &mut rand::rngs::StdRng, n: u64, p: f64) -> Rate {
        Rate::new((0..n).filter(|_| rng.random_bool(p)).count() as u64, n)
    }

    #[test]
    fn a_stable_agent_raises_almost_no_false_alarms() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let trials = 2000;
        let fired = (0..trials)
            .filter(|_| rising("rejected", draw(&mut rng, 50, 0.1), draw(&mut rng, 400, 0.1), ALPHA).fires())
            .count();
        // Measured: the conservative baseline keeps it well under alpha.
        assert!(fired as f64 / trials as f64 <= ALPHA * 2.0, "{fired} false alarms in {trials}");
    }

    #[test]
    fn a_drifting_agent_is_caught() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let trials = 500;
        let fired = (0..trials)
            .filter(|_| rising("rejected", draw(&mut rng, 50, 0.4), draw(&mut rng, 400, 0.1), ALPHA).fires())
            .count();
        // Measured: 447 of 500 (89 %) with 50 recent cases; more cases, more power.
        assert!(fired as f64 / trials as f64 >= 0.85, "caught {fired} of {trials}");
    }

    #[test]
    fn a_burst_of_rejections_fires_with_its_figures() {
        let j = rising("rejected", Rate::new(11, 35), Rate::new(9, 150), ALPHA);
        let f = j.finding().unwrap();
        assert!(j.fires(), "{f:?}");
        assert_eq!(f.observed, "0.31 rejected (11 of 35)");
        assert!(f.baseline.starts_with("0.06 (9 of 150; upper bound 0.1"), "{}", f.baseline);
        assert!(f.test.contains("< 0.001"), "{}", f.test);
    }

    #[test]
    fn tiny_samples_and_no_data_never_fire() {
        assert_eq!(rising("rejected", Rate::new(5, 5), Rate::new(0, 500), ALPHA), Judgement::TooFew { n: 5, min: 20 });
        assert_eq!(rising("rejected", Rate::new(20, 20), Rate::new(0, 0), ALPHA), Judgement::TooFew { n: 0, min: 30 });
        assert_eq!(rising("rejected", Rate::new(0, 0), Rate::new(0, 0), ALPHA), Judgement::TooFew { n: 0, min: 20 });
    }

    #[test]
    fn a_significant_but_negligible_rise_does_not_fire() {
        // 3 % against a spotless baseline of 10 000 is significant, and not worth waking anyone.
        let j = rising("failed", Rate::new(300, 10_000), Rate::new(0, 10_000), ALPHA);
        assert!(j.finding().unwrap().p_value < ALPHA && !j.fires());
    }
}
