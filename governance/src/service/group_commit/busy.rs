//! Time the writer spends in its transactions, and the part of it spent keeping the
//! scorecard counts — the benchmark's account of what counting costs a decision, measured
//! where the cost is rather than through a noisy throughput difference.

use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) static BATCHES: AtomicU64 = AtomicU64::new(0);
pub(crate) static COUNTING: AtomicU64 = AtomicU64::new(0);

pub(crate) fn add(to: &AtomicU64, since: std::time::Instant) {
    let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
    to.fetch_add(nanos, Ordering::Relaxed);
}

/// (in batch transactions, of which counting) since the last call, and starts again.
#[cfg(feature = "store-access")]
pub fn take() -> (std::time::Duration, std::time::Duration) {
    let nanos = |a: &AtomicU64| std::time::Duration::from_nanos(a.swap(0, Ordering::Relaxed));
    (nanos(&BATCHES), nanos(&COUNTING))
}
