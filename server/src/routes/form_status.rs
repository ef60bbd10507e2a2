//! A server function's failure answers with the status its error names (`AppError::status`):
//! the framework answers 500 for every error it raises itself — a form it cannot read (a
//! missing or mistyped field, as a stale or hand-made form sends) — although retrying will not
//! help and nothing failed on the server. Errors Tenure's own code returns already set theirs;
//! a browser's form post is redirected back to its page either way.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// The header the framework marks a server function's error response with.
const SERVER_FN_ERROR: &str = "serverfnerror";

/// Gives a server function's 500 the status of the error in its body.
pub async fn status_from_error(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key(SERVER_FN_ERROR) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
