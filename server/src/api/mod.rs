//! The agent REST API under `/v1`: bearer API keys, JSON in and out, errors as
//! `{"error": {"code", "message", "field"}}` with the matching status.

pub mod actions;
pub mod agent_auth;
pub mod agents;
pub mod error;
pub mod input;
pub mod openapi;
pub mod peer_checks;
pub mod rollbacks;
pub mod unique_keys;
pub mod wait;

use axum::extract::{FromRef, MatchedPath};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use governance::Services;
use serde_json::{Value, json};

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

/// Every `/v1` route. Under `/v1`, an unknown path (404) and a method a route does not take
/// (405, with `Allow`) answer in the API's error shape too, not with the console's HTML page.
/// Its handlers need only the engine's services from whatever state the server has.
pub fn router<S>(long_poll_max: wait::LongPollMax) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Services: FromRef<S>,
{
    Router::new()
        .route("/v1/agents/me", get(agents::me).fallback(wrong_method))
        .route("/v1/actions", post(actions::create).fallback(wrong_method))
        .route("/v1/actions/{id}", get(actions::get).fallback(wrong_method))
        .route("/v1/actions/{id}/result", post(actions::result).fallback(wrong_method))
        .route("/v1/actions/{id}/rollback-result", post(actions::rollback_result).fallback(wrong_method))
        .route("/v1/rollbacks", get(rollbacks::list).fallback(wrong_method))
        .route("/v1/peer-checks/next", get(peer_checks::next).fallback(wrong_method))
        .route("/v1/peer-checks/{id}/verdict", post(peer_checks::verdict).fallback(wrong_method))
        .route("/v1/openapi.json", get(openapi::serve).fallback(wrong_method))
        .route("/v1", any(no_route))
        .route("/v1/{*rest}", any(no_route))
        .layer(axum::Extension(long_poll_max))
}

fn error_body(code: &str, message: String) -> Json<Value> {
    Json(json!({"error": {"code": code, "message": message, "field": null}}))
}

async fn no_route(uri: Uri) -> Response {
    let message = format!("no API route at {}; see /v1/openapi.json", uri.path());
    (StatusCode::NOT_FOUND, error_body("not_found", message)).into_response()
}

async fn wrong_method(method: Method, path: MatchedPath) -> Response {
    let allowed: Vec<String> =
        ROUTES.iter().filter(|(_, p)| *p == path.as_str()).map(|(m, _)| m.to_uppercase()).collect();
    let message = format!("{} does not take {method}; it takes {}", path.as_str(), allowed.join(", "));
    let allow = [(header::ALLOW, allowed.join(", "))];
    (StatusCode::METHOD_NOT_ALLOWED, allow, error_body("method_not_allowed", message)).into_response()
}
