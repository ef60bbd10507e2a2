//! Long-polls: answer as soon as something changes, or when the wait is over. Changes made by
//! this instance wake waiters at once; changes made by another instance on the same database
//! are seen at the next check, at most a second later. When the server begins to shut down,
//! every waiter answers at once with what it has.

use crate::api::error::ApiError;
use governance::service::lifecycle::Lifecycle;
use serde::Deserialize;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// Longest long-poll by default, in seconds (the `long_poll_max_seconds` setting).
pub const MAX_WAIT_SECS: u64 = 60;

/// The longest long-poll this server allows, in seconds; in the router's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongPollMax(pub u64);

/// `?wait=SECONDS`
#[derive(Debug, Deserialize)]
pub struct WaitQuery {
    pub wait: Option<u64>,
}

impl WaitQuery {
    /// How long to wait: none unless asked; more than `max` is refused (422, naming `wait`),
    /// as the OpenAPI document's maximum says, rather than shortened without a word.
    pub fn duration(&self, max: LongPollMax) -> Result<Duration, ApiError> {
        match self.wait.unwrap_or(0) {
            w if w > max.0 => Err(ApiError::BadShape {
                field: Some("wait".into()),
                message: format!("wait: {w} is more than the longest wait, {} seconds", max.0),
            }),
            w => Ok(Duration::from_secs(w)),
        }
    }
}

/// How often a waiter looks again when nothing wakes it.
const RECHECK: Duration = Duration::from_secs(1);

/// Calls `check(last)` until it yields `Some`, waiting up to `wait` in all (less when the server
/// shuts down); on the last call `last` is true and `check` must answer.
pub async fn long_poll<T, Fut>(
    lifecycle: &Lifecycle,
    wait: Duration,
    mut check: impl FnMut(bool) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    let deadline = Instant::now() + wait;
    loop {
        // Registered before checking, so a change between the check and the wait is not lost.
        let woken = lifecycle.changes().notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let last = Instant::now() >= deadline || lifecycle.closing();
        if let Some(answer) = check(last).await? {
            return Ok(answer);
        }
        if last {
            return Err(ApiError::Gov(governance::GovError::Internal("a long-poll check gave no final answer".into())));
        }
        let nap = RECHECK.min(deadline.saturating_duration_since(Instant::now()));
        let _ = tokio::time::timeout(nap, woken).await;
    }
}
