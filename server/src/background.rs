//! Background loops: housekeeping (expired sessions, old sign-in failures, trust reviews left
//! overdue past their grace period) and deadlines
//! (approvals that expire, undo windows that end), signed checkpoints of the evidence chain, and
//! tidying of prepared exports, and the monitoring job.

use governance::service::audit::Audit;
use governance::{Lifecycle, Services};
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `stop` changes; each pass is idempotent, so several instances may run it.
pub async fn housekeeping(services: Services, failure_window: chrono::Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match services.housekeeping(governance::clock::now(), failure_window).await {
                    Ok(n) if n > 0 => tracing::info!(deleted = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed: expired sessions or old sign-in failures stay until the next pass"),
                }
                match services.trust_reviews.enforce_overdue(governance::clock::now()).await {
                    Ok(n) if n > 0 => tracing::info!(demoted = n, "grants demoted: their trust review stayed overdue past its grace period"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not apply overdue trust reviews; trying again next pass"),
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// How often approval deadlines and undo windows are checked.
pub const DEADLINE_TICK: Duration = Duration::from_secs(2);

/// Expires overdue approvals and finalises ended undo windows until `stop` changes. Every
/// instance runs it; each action moves by compare-and-set, so each happens exactly once.
pub async fn deadlines(lifecycle: Lifecycle, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(DEADLINE_TICK);
    loop {
        tokio::select! {
            _ = tick.tick() => match lifecycle.apply_deadlines(governance::clock::now()).await {
                Ok(p) if p.expired + p.finalised + p.peer_timed_out > 0 => {
                    tracing::info!(expired = p.expired, finalised = p.finalised, peer_timed_out = p.peer_timed_out, "deadlines applied");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not apply deadlines"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// Signs a checkpoint of the chain head when enough records or minutes have passed. Every
/// instance runs it; a head signed twice is stored once.
pub async fn checkpoints(audit: Audit, (every_records, every_minutes): (i64, i64), mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            _ = tick.tick() => match audit.checkpoint_if_due(every_records, every_minutes).await {
                Ok(Some(c)) => tracing::info!(seq = c.seq, key = %c.key_id, "checkpoint signed"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not sign a checkpoint"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// Fails exports whose preparation stopped (its server went away) and deletes export files
/// older than `keep_hours`. Every instance runs it; each pass is idempotent.
pub async fn exports(audit: Audit, keep_hours: i64, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => match audit.tidy_exports(keep_hours).await {
                Ok((stalled, removed)) if stalled + removed > 0 => {
                    tracing::info!(stalled, removed, "exports tidied");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not tidy exports"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// Runs the monitoring job every `every` until `stop` changes, then gives its lease up. Every
/// instance runs the loop; only the one holding the lease judges (see
/// [`governance::service::monitor_job`]).
pub async fn monitor(
    job: governance::service::monitor_job::MonitorJob,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    // A pass that took longer than the interval (waiting behind a busy writer, say) is not
    // followed by a burst of catch-up passes: the next one waits a whole interval.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => match job.run(governance::clock::now()).await {
                Ok(p) if p.raised + p.refreshed > 0 => {
                    tracing::info!(judged = p.judged, raised = p.raised, refreshed = p.refreshed, acted = p.acted, "monitoring pass");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "monitoring pass failed; trying again next pass"),
            },
            _ = stop.changed() => {
                if let Err(e) = job.release(governance::clock::now()).await {
                    tracing::warn!(error = %e, "could not give the monitoring lease up; another instance takes it when it expires");
                }
                return;
            }
        }
    }
}
