//! `GET /healthz` (the process is up) and `GET /readyz` (decisions can be recorded now).

use app::server::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// How long `/readyz` waits for the database before it says not ready: a load balancer asks
/// often and must not be kept waiting by an outage (the pool itself waits 10 s for a connection).
const READY_WITHIN: Duration = Duration::from_millis(800);

/// Always 200 while the process serves requests.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// 200 when the database answers within [`READY_WITHIN`] and the decision writer's last write
/// committed; 503 otherwise, saying which.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = match tokio::time::timeout(READY_WITHIN, state.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!("readiness check: the database did not answer within {READY_WITHIN:?}");
            "unreachable"
        }
    };
    let recording = if state.decisions.can_record() { "ok" } else { "failing" };
    let (status, said) = match (database, recording) {
        ("ok", "ok") => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    };
    (status, Json(json!({"status": said, "database": database, "recording": recording})))
}
