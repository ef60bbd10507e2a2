//! The agent REST API under `/v1`: bearer API keys, JSON in and out, errors as
//! `{"error": {"code", "message", "field"}}` with the matching status.

pub mod actions;
pub mod agent_auth;
pub mod agents;
pub mod error;

use app::server::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Every `/v1` route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agents/me", get(agents::me))
        .route("/v1/actions", post(actions::create))
        .route("/v1/actions/{id}", get(actions::get))
}
