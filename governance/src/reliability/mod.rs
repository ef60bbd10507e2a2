//! Earned autonomy, measured: what an agent did with one grant (a [`Tally`] per window), its
//! rates with their sample sizes and Wilson bounds ([`Rate`]), whether its confidence means
//! anything ([`Calibration`]), and whether it has shown enough to be trusted with the next
//! tier ([`criteria`]), where a new grant may start ([`grant_start`]), and when a person must look again ([`review_cadence`]). Pure: the store counts, these judge.

pub mod calibration;
pub mod criteria;
pub mod criteria_text;
pub mod grant_start;
pub mod rate;
pub mod review_cadence;
pub mod tally;

pub use calibration::Calibration;
pub use criteria::{Promotion, Readiness, StepCriteria, readiness};
pub use grant_start::{Start, judge_start};
pub use rate::Rate;
pub use review_cadence::{ReviewCadence, ReviewStatus, WhenOverdue};
pub use tally::Tally;
