//! Time spent by the decision writer in its transactions and by the monitoring job in its
//! passes — the benchmark's account of what counting and monitoring cost a decision, measured
//! where the cost is rather than only through a noisy throughput difference.

use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) static BATCHES: AtomicU64 = AtomicU64::new(0);
pub(crate) static MONITOR: AtomicU64 = AtomicU64::new(0);

/// The parts of a monitoring pass, in order, timed apart.
pub const PHASES: [&str; 6] = [
    "lease and settings",
    "trail since last pass",
    "parameter history",
    "grants judged",
    "reviewers judged",
    "alerts written",
];
static IN_PHASE: [AtomicU64; 6] = [const { AtomicU64::new(0) }; 6];

/// A stopwatch over a pass's phases: each [`Lap::lap`] adds the time since the last one to
/// a phase.
pub(crate) struct Lap(std::time::Instant);

impl Lap {
    pub(crate) fn start() -> Lap {
        Lap(std::time::Instant::now())
    }

    /// The time since the last lap (or the start) goes to `PHASES[phase]`.
    pub(crate) fn lap(&mut self, phase: usize) {
        if let Some(to) = IN_PHASE.get(phase) {
            add(to, self.0);
        }
        self.0 = std::time::Instant::now();
    }
}

pub(crate) fn add(to: &AtomicU64, since: std::time::Instant) {
    let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
    to.fetch_add(nanos, Ordering::Relaxed);
}

/// Time spent since the last [`take`].
#[cfg(feature = "store-access")]
#[derive(Clone, Copy, Debug, Default)]
pub struct Busy {
    /// In the decision writer's batch transactions.
    pub writer: std::time::Duration,
    /// In monitoring passes.
    pub monitor: std::time::Duration,
    /// Of those, in each of [`PHASES`].
    pub phases: [std::time::Duration; 6],
}

/// The time spent since the last call, and starts again.
#[cfg(feature = "store-access")]
pub fn take() -> Busy {
    let nanos = |a: &AtomicU64| std::time::Duration::from_nanos(a.swap(0, Ordering::Relaxed));
    Busy { writer: nanos(&BATCHES), monitor: nanos(&MONITOR), phases: IN_PHASE.each_ref().map(nanos) }
}
