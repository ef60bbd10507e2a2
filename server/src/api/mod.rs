//! The agent REST API under `/v1`: bearer API keys, JSON in and out, errors as
//! `{"error": {"code", "message", "field"}}` with the matching status.

pub mod actions;
pub mod agent_auth;
pub mod agents;
pub mod envelope;
pub mod error;
pub mod input;
pub mod openapi;
pub mod peer_checks;
pub mod rollbacks;
pub mod scorecards;
pub mod unique_keys;
pub mod wait;

use crate::api::error::{ErrorCode, error_body};
use axum::Extension;
use axum::Router;
use axum::extract::{FromRef, MatchedPath};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use governance::Services;
use openapi::Document;
use std::sync::Arc;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// Every `/v1` operation. Each handler's `#[utoipa::path]` names its method and path, so the
/// route it is served on and the operation the document describes are one declaration.
fn operations<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Services: FromRef<S>,
{
    OpenApiRouter::with_openapi(openapi::base())
        .routes(refusing_other_methods(routes!(agents::me)))
        .routes(refusing_other_methods(routes!(scorecards::get)))
        .routes(refusing_other_methods(routes!(envelope::get)))
        .routes(refusing_other_methods(routes!(actions::create)))
        .routes(refusing_other_methods(routes!(actions::get)))
        .routes(refusing_other_methods(routes!(actions::result)))
        .routes(refusing_other_methods(routes!(actions::rollback_result)))
        .routes(refusing_other_methods(routes!(rollbacks::list)))
        .routes(refusing_other_methods(routes!(peer_checks::next)))
        .routes(refusing_other_methods(routes!(peer_checks::verdict)))
        .routes(refusing_other_methods(routes!(openapi::serve)))
}

/// A method a route does not take answers 405 in the API's error shape.
fn refusing_other_methods<S>((schemas, paths, methods): UtoipaMethodRouter<S>) -> UtoipaMethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    (schemas, paths, methods.fallback(wrong_method))
}

/// Every `/v1` route and the document that describes exactly them. Under `/v1`, an unknown path
/// (404) and a method a route does not take (405, with `Allow`) answer in the API's error shape
/// too, not with the console's HTML page. Its handlers need only the engine's services from
/// whatever state the server has.
pub fn router<S>(long_poll_max: wait::LongPollMax) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Services: FromRef<S>,
{
    let (routes, api) = operations::<S>().split_for_parts();
    let document = Arc::new(Document::new(api, long_poll_max.0));
    routes
        .route("/v1", any(no_route))
        .route("/v1/{*rest}", any(no_route))
        .layer(Extension(document))
        .layer(Extension(long_poll_max))
}

async fn no_route(uri: Uri) -> Response {
    let message = format!("no API route at {}; see /v1/openapi.json", uri.path());
    (StatusCode::NOT_FOUND, error_body(ErrorCode::NotFound, message, None)).into_response()
}

async fn wrong_method(method: Method, path: MatchedPath, Extension(doc): Extension<Arc<Document>>) -> Response {
    let allowed = doc.methods_of(path.as_str()).join(", ");
    let message = format!("{} does not take {method}; it takes {allowed}", path.as_str());
    let allow = [(header::ALLOW, allowed)];
    (StatusCode::METHOD_NOT_ALLOWED, allow, error_body(ErrorCode::MethodNotAllowed, message, None)).into_response()
}
