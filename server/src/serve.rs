//! Accepting connections with limits, so that idle or slow clients cannot starve everyone
//! else: a request's headers must arrive within `header_timeout` (a connection waiting for its
//! first or next request counts as waiting for headers, so idle and slowloris connections are
//! closed after it too); at most `max_connections` are open at once (one over it is closed at
//! once, before it holds anything); and at start the soft open-file limit is raised to the
//! hard one, so the cap, not the kernel, decides.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// File descriptors kept back from the connection cap for the database, logs and exports.
const RESERVED_FDS: u64 = 256;

/// How the listener limits its connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers, or wait idle for its next.
    pub header_timeout: Duration,
}

impl Limits {
    /// The limits for `configured` connections (0: as many as the open-file limit allows,
    /// less [`RESERVED_FDS`]) and a header timeout of `header_timeout_secs`.
    pub fn new(configured: usize, header_timeout_secs: u64, open_files: u64) -> Limits {
        let by_files = open_files.saturating_sub(RESERVED_FDS).max(64) as usize;
        let max_connections = if configured == 0 { by_files } else { configured.min(by_files) };
        Limits { max_connections, header_timeout: Duration::from_secs(header_timeout_secs.max(1)) }
    }
}

/// Raises the soft open-file limit to the hard one where it is lower; returns the soft limit
/// in force afterwards (or a conservative 1,024 where it cannot be read).
pub fn raise_open_file_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(now) => now,
        Err(e) => {
            tracing::warn!(error = %e, "could not read or raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then stops
/// accepting and waits for the connections in flight to finish their requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut refused_logged: Option<Instant> = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, or the peer gave up: wait a moment, do not spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            if refused_logged.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                tracing::warn!(max = limits.max_connections, peer = %remote, "connection refused: at the connection cap");
                refused_logged = Some(Instant::now());
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, peer = %remote, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_follows_the_open_file_limit_unless_set_lower() {
        assert_eq!(Limits::new(0, 10, 1024).max_connections, 768);
        assert_eq!(Limits::new(0, 10, 65_536).max_connections, 65_280);
        assert_eq!(Limits::new(500, 10, 65_536).max_connections, 500);
        assert_eq!(Limits::new(5_000, 10, 1024).max_connections, 768, "never more than the files allow");
        assert_eq!(Limits::new(0, 10, 100).max_connections, 64);
        assert_eq!(Limits::new(0, 0, 1024).header_timeout, Duration::from_secs(1));
    }
}
