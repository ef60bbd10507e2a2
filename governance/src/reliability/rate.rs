//! A rate with its sample size and Wilson score interval, so a rate from 8 cases never looks
//! like a rate from 800: `lower` and `upper` bound where the true rate plausibly lies (95 %).

use serde::{Deserialize, Serialize};

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// `hits` out of `n`, with the Wilson 95 % interval; no rate at all when `n` is 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub hits: u64,
    pub n: u64,
}

impl Rate {
    /// `hits` out of `n` (`hits` is capped at `n`).
    pub fn new(hits: u64, n: u64) -> Rate {
        Rate { hits: hits.min(n), n }
    }

    /// The observed share, or `None` without samples.
    pub fn value(self) -> Option<f64> {
        (self.n > 0).then(|| self.hits as f64 / self.n as f64)
    }

    /// The Wilson score interval's lower bound (95 %), or `None` without samples.
    pub fn lower(self) -> Option<f64> {
        self.bounds().map(|(lo, _)| lo)
    }

    /// The Wilson score interval's upper bound (95 %), or `None` without samples.
    pub fn upper(self) -> Option<f64> {
        self.bounds().map(|(_, hi)| hi)
    }

    /// Wilson (1927): centre `(p + z²/2n) / (1 + z²/n)`, half-width
    /// `z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n)`, clamped to [0, 1].
    pub fn bounds(self) -> Option<(f64, f64)> {
        let p = self.value()?;
        let n = self.n as f64;
        let z2 = Z95 * Z95;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
        Some(((centre - half).max(0.0), (centre + half).min(1.0)))
    }

    /// "0.94 (n = 212, lower bound 0.91)": the share, its sample size and its lower bound;
    /// "no data (n = 0)".
    pub fn describe(self) -> String {
        match (self.value(), self.lower()) {
            (Some(v), Some(lo)) => format!("{v:.2} (n = {}, lower bound {})", self.n, down2(lo)),
            _ => "no data (n = 0)".to_owned(),
        }
    }

    /// The sum of two rates' samples.
    pub fn plus(self, other: Rate) -> Rate {
        Rate::new(self.hits + other.hits, self.n + other.n)
    }
}

/// `x` rounded down to two decimals, as text: a lower bound is never shown higher than it is
/// (0.947 is "0.94", so it never reads "0.95 < 0.95").
pub fn down2(x: f64) -> String {
    two_places((x * 100.0 + 1e-9).floor() / 100.0)
}

/// `x` rounded up to two decimals, as text: an upper bound is never shown lower than it is.
pub fn up2(x: f64) -> String {
    two_places((x * 100.0 - 1e-9).ceil() / 100.0)
}

/// Two decimals, and never "-0.00".
fn two_places(x: f64) -> String {
    format!("{:.2}", if x == 0.0 { 0.0 } else { x })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn no_samples_give_no_rate_and_no_bounds() {
        let r = Rate::new(0, 0);
        assert_eq!((r.value(), r.lower(), r.upper()), (None, None, None));
        assert_eq!(r.describe(), "no data (n = 0)");
    }

    #[test]
    fn wilson_bounds_match_published_values() {
        // 8 of 10: the textbook interval is [0.490, 0.943].
        let (lo, hi) = Rate::new(8, 10).bounds().unwrap();
        assert!(close(lo, 0.4902) && close(hi, 0.9433), "{lo} {hi}");
        // 0 of 10 still leaves room for a rate up to about 0.28.
        let (lo, hi) = Rate::new(0, 10).bounds().unwrap();
        assert!(close(lo, 0.0) && close(hi, 0.2775), "{lo} {hi}");
        // 10 of 10 is not certainty.
        let (lo, hi) = Rate::new(10, 10).bounds().unwrap();
        assert!(close(lo, 0.7225) && close(hi, 1.0), "{lo} {hi}");
    }

    #[test]
    fn the_same_share_from_more_cases_has_a_higher_lower_bound() {
        let small = Rate::new(8, 8).lower().unwrap();
        let large = Rate::new(800, 800).lower().unwrap();
        assert!(small < 0.7 && large > 0.99, "{small} {large}");
        let lower = Rate::new(95, 100).lower().unwrap();
        assert!(lower < 0.95 && lower > 0.88, "{lower}");
    }

    #[test]
    fn bounds_are_rounded_away_from_the_threshold() {
        assert_eq!((down2(0.9473), up2(0.0126)), ("0.94".to_owned(), "0.02".to_owned()));
        assert_eq!((down2(0.9), up2(0.05)), ("0.90".to_owned(), "0.05".to_owned()));
        assert_eq!((up2(0.0), down2(0.0)), ("0.00".to_owned(), "0.00".to_owned()), "never -0.00");
        assert_eq!(Rate::new(8, 10).describe(), "0.80 (n = 10, lower bound 0.49)");
    }

    #[test]
    fn one_sample_is_a_wide_interval_and_hits_never_exceed_n() {
        let (lo, hi) = Rate::new(1, 1).bounds().unwrap();
        assert!(lo < 0.25 && hi == 1.0, "{lo} {hi}");
        assert_eq!(Rate::new(5, 3), Rate { hits: 3, n: 3 });
        assert_eq!(Rate::new(1, 2).plus(Rate::new(3, 4)), Rate::new(4, 6));
    }
}
