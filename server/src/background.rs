//! Housekeeping loops: expired sessions and old sign-in failures are deleted periodically.

use governance::Store;
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `stop` changes; each pass is idempotent, so several instances may run it.
pub async fn housekeeping(store: Store, failure_window: chrono::Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = governance::clock::now();
                match store.session_delete_expired(now).await {
                    Ok(n) if n > 0 => tracing::info!(deleted = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
                }
                if let Err(e) = store.prune_failures(now - failure_window).await {
                    tracing::warn!(error = %e, "could not prune sign-in failures");
                }
            }
            _ = stop.changed() => return,
        }
    }
}
