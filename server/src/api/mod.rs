//! The agent REST API under `/v1`: bearer API keys, JSON in and out, errors as
//! `{"error": {"code", "message", "field"}}` with the matching status.

pub mod actions;
pub mod agent_auth;
pub mod agents;
pub mod error;
pub mod openapi;
pub mod peer_checks;
pub mod rollbacks;
pub mod wait;

use app::server::state::AppState;
use axum::Router;
use axum::routing::{get, post};

/// Every `/v1` route as (method, path), kept beside [`router`]; a test checks the OpenAPI
/// document names exactly these and that each is served.
pub const ROUTES: [(&str, &str); 9] = [
    ("get", "/v1/agents/me"),
    ("post", "/v1/actions"),
    ("get", "/v1/actions/{id}"),
    ("post", "/v1/actions/{id}/result"),
    ("post", "/v1/actions/{id}/rollback-result"),
    ("get", "/v1/rollbacks"),
    ("get", "/v1/peer-checks/next"),
    ("post", "/v1/peer-checks/{id}/verdict"),
    ("get", "/v1/openapi.json"),
];

/// Every `/v1` route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/agents/me", get(agents::me))
        .route("/v1/actions", post(actions::create))
        .route("/v1/actions/{id}", get(actions::get))
        .route("/v1/actions/{id}/result", post(actions::result))
        .route("/v1/actions/{id}/rollback-result", post(actions::rollback_result))
        .route("/v1/rollbacks", get(rollbacks::list))
        .route("/v1/peer-checks/next", get(peer_checks::next))
        .route("/v1/peer-checks/{id}/verdict", post(peer_checks::verdict))
        .route("/v1/openapi.json", get(openapi::serve))
}
