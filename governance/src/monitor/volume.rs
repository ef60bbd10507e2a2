//! Request volume far outside the usual: the recent window's count of requests is tested
//! against the grant's baseline rate per window (the mean of its earlier windows, taken at the
//! upper end of what it plausibly is) with a one-sided Poisson test, and must also be a
//! multiple of it and above every earlier window: a busy hour like the ones it had before is
//! not an anomaly, a tenfold one is.

use super::{Finding, Judgement, show_p};
use statrs::distribution::{DiscreteCDF, Poisson};

/// The fewest earlier windows the baseline needs.
pub const MIN_WINDOWS: u64 = 12;
/// The fewest requests in the recent window before a spike is considered.
pub const MIN_RECENT: u64 = 20;
/// How many times the usual rate the recent window must reach.
pub const MIN_RATIO: f64 = 3.0;

/// P(X ≥ k) for X ~ Poisson(λ).
fn at_least(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    match Poisson::new(lambda.max(1e-9)) {
        Ok(p) => p.sf(k - 1),
        Err(_) => 1.0,
    }
}

/// Whether `recent` requests in the last window are a spike against `baseline`, the counts of
/// the windows before it (oldest first, each as long as the recent one).
pub fn spike(recent: u64, baseline: &[u64], alpha: f64) -> Judgement {
    let windows = baseline.len() as u64;
    if windows < MIN_WINDOWS {
        return Judgement::TooFew { n: windows, min: MIN_WINDOWS };
    }
    if recent < MIN_RECENT {
        return Judgement::TooFew { n: recent, min: MIN_RECENT };
    }
    let total: u64 = baseline.iter().sum();
    let mean = total as f64 / windows as f64;
    // The baseline mean's upper 95 % bound (normal approximation to a Poisson total, at least
    // half a request per window so an idle grant's first burst is judged against something).
    let assumed = ((total as f64 + 1.96 * (total as f64).sqrt()) / windows as f64).max(0.5);
    let p = at_least(recent, assumed);
    let ratio = recent as f64 / assumed;
    let busiest = baseline.iter().copied().max().unwrap_or(0);
    let fires = p < alpha && ratio >= MIN_RATIO && recent > busiest;
    let finding = Finding {
        observed: format!("{recent} requests in the last window"),
        baseline: format!(
            "{mean:.1} per window over {windows} windows (upper bound {assumed:.1}, busiest {busiest}); {ratio:.1}× that"
        ),
        test: format!(
            "one-sided Poisson test against the baseline's upper bound: p = {} {} {alpha}; at least {MIN_RATIO}× it and above the busiest window needed",
            show_p(p),
            if p < alpha { "<" } else { "≥" }
        ),
        p_value: p,
        n: recent,
    };
    if fires { Judgement::Fires { finding } } else { Judgement::Quiet { finding } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const ALPHA: f64 = 0.001;

    /// A Poisson draw by counting exponential gaps (fine for small λ).
    fn poisson(rng: &mut rand::rngs::StdRng, lambda: f64) -> u64 {
        let (mut t, mut k) = (0.0, 0);
        loop {
            t += -(1.0 - rng.random::<f64>()).ln() / lambda;
            if t > 1.0 {
                return k;
            }
            k += 1;
        }
    }

    #[test]
    fn a_steady_agent_never_looks_like_a_spike() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let trials = 2000;
        let fired = (0..trials)
            .filter(|_| {
                let base: Vec<u64> = (0..48).map(|_| poisson(&mut rng, 25.0)).collect();
                spike(poisson(&mut rng, 25.0), &base, ALPHA).fires()
            })
            .count();
        assert_eq!(fired, 0, "{fired} false alarms in {trials}");
    }

    #[test]
    fn a_tenfold_rate_fires_and_says_how_many_times() {
        let base = vec![10; 48];
        let j = spike(100, &base, ALPHA);
        assert!(j.fires());
        let f = j.finding().unwrap();
        assert!(f.baseline.starts_with("10.0 per window over 48 windows"), "{}", f.baseline);
        assert!(f.baseline.contains("× that"));
    }

    #[test]
    fn a_bursty_but_usual_agent_stays_quiet() {
        // Quiet hours and busy hours alternate; a busy hour is what it usually does.
        let base: Vec<u64> = (0..48).map(|i| if i % 4 == 0 { 60 } else { 2 }).collect();
        assert!(!spike(60, &base, ALPHA).fires());
    }

    #[test]
    fn no_history_or_a_handful_of_requests_never_fire() {
        assert_eq!(spike(500, &[], ALPHA), Judgement::TooFew { n: 0, min: MIN_WINDOWS });
        assert_eq!(spike(5, &[0; 24], ALPHA), Judgement::TooFew { n: 5, min: MIN_RECENT });
        assert!(spike(40, &[0; 24], ALPHA).fires(), "an idle grant that suddenly asks 40 times an hour");
    }
}
