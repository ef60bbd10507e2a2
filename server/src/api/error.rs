//! The API's error: one JSON shape, one status per kind; internal details logged, never sent.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use governance::GovError;
use serde_json::json;

/// An error answered to an agent.
#[derive(Debug)]
pub struct ApiError(pub GovError);

impl From<GovError> for ApiError {
    fn from(e: GovError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = match self.0 {
            GovError::Invalid { field, message } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", message, Some(field)),
            GovError::Conflict { field, message } => (StatusCode::CONFLICT, "conflict", message, Some(field)),
            GovError::NotFound(what) => (StatusCode::NOT_FOUND, "not_found", format!("{what} not found"), None),
            GovError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", why, None),
            GovError::Unauthenticated(why) => (StatusCode::UNAUTHORIZED, "unauthenticated", why, None),
            GovError::BadCredentials => (StatusCode::UNAUTHORIZED, "unauthenticated", "bad credentials".into(), None),
            GovError::Throttled { retry_after_secs } => {
                (StatusCode::TOO_MANY_REQUESTS, "throttled", format!("try again in {retry_after_secs} seconds"), None)
            }
            GovError::Db(e) => {
                tracing::error!(error = %e, "database error in the API");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Tenure cannot record this right now; retry".into(),
                    None,
                )
            }
            GovError::Internal(e) => {
                tracing::error!(error = %e, "internal error in the API");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Tenure cannot record this right now; retry".into(),
                    None,
                )
            }
        };
        let body = Json(json!({"error": {"code": code, "message": message, "field": field}}));
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}
