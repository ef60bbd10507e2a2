//! Confidence calibration: is the agent's stated confidence worth anything? Its proposals a
//! person decided are split into confidence bands and the approval rate of each band is
//! compared; an agent whose confident proposals are turned down as often as its unsure ones
//! is flagged.

use crate::reliability::rate::Rate;
use serde::{Deserialize, Serialize};

/// The bands, as (from, to, label); `to` is exclusive except for the last.
pub const BANDS: [(f64, f64, &str); 4] =
    [(0.0, 0.5, "below 0.5"), (0.5, 0.7, "0.5–0.7"), (0.7, 0.9, "0.7–0.9"), (0.9, 1.0, "0.9–1")];

/// Fewest decided proposals a band needs before it is compared with another.
pub const MIN_BAND_SAMPLES: u64 = 10;

/// The band a confidence falls in.
pub fn band_of(confidence: f64) -> usize {
    BANDS.iter().position(|(_, to, _)| confidence < *to).unwrap_or(BANDS.len() - 1)
}

/// Approval per band.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Approved out of decided (approved + rejected), per band of [`BANDS`].
    pub bands: [(u64, u64); 4],
}

impl Calibration {
    /// Counts one decided proposal.
    pub fn add(&mut self, confidence: f64, approved: bool, count: u64) {
        let b = &mut self.bands[band_of(confidence)];
        if approved {
            b.0 += count;
        }
        b.1 += count;
    }

    /// The approval rate of band `i`.
    pub fn rate(&self, i: usize) -> Rate {
        let (hits, n) = self.bands[i];
        Rate::new(hits, n)
    }

    /// Proposals stated at 0.9 or more, against those stated below 0.7.
    fn high_and_low(&self) -> (Rate, Rate) {
        (self.rate(3), self.rate(0).plus(self.rate(1)))
    }

    /// Whether its confident proposals (0.9 or more) are approved no more often than its unsure
    /// ones (below 0.7); only said when both have at least [`MIN_BAND_SAMPLES`].
    pub fn overconfident(&self) -> bool {
        let (high, low) = self.high_and_low();
        match (high.value(), low.value()) {
            (Some(h), Some(l)) if high.n >= MIN_BAND_SAMPLES && low.n >= MIN_BAND_SAMPLES => h <= l,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_zero_to_one() {
        assert_eq!([band_of(0.0), band_of(0.49), band_of(0.5), band_of(0.7), band_of(0.89)], [0, 0, 1, 2, 2]);
        assert_eq!([band_of(0.9), band_of(1.0)], [3, 3]);
    }

    #[test]
    fn confident_proposals_rejected_as_often_as_unsure_ones_are_flagged() {
        let mut c = Calibration::default();
        c.add(0.95, true, 6);
        c.add(0.95, false, 6);
        c.add(0.6, true, 6);
        c.add(0.6, false, 6);
        assert!(c.overconfident(), "0.50 approved at ≥ 0.9 as at < 0.7");
        let mut good = Calibration::default();
        good.add(0.95, true, 19);
        good.add(0.95, false, 1);
        good.add(0.55, true, 5);
        good.add(0.55, false, 10);
        assert!(!good.overconfident());
    }

    #[test]
    fn tiny_bands_are_never_flagged() {
        let mut c = Calibration::default();
        c.add(0.99, false, 9);
        c.add(0.3, true, 9);
        assert!(!c.overconfident(), "9 and 9 are too few to say anything");
        assert!(!Calibration::default().overconfident());
        assert_eq!(Calibration::default().rate(3).value(), None);
    }
}
