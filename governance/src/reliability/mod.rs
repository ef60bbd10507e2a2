//! Earned autonomy, measured: what an agent did with one grant (a [`Tally`] per window), its
//! rates with their sample sizes and Wilson bounds ([`Rate`]), whether its confidence means
//! anything ([`Calibration`]), and whether it has shown enough to be trusted with the next
//! tier ([`criteria`]). Pure: the store counts, these judge.

pub mod calibration;
pub mod criteria;
pub mod rate;
pub mod tally;

pub use calibration::Calibration;
pub use criteria::{Promotion, Readiness, StepCriteria, readiness};
pub use rate::Rate;
pub use tally::Tally;
