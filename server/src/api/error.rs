//! The API's error: one JSON shape, one status per kind; internal details logged, never sent.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use governance::GovError;
use serde::Serialize;
use utoipa::ToSchema;

/// Seconds an agent is asked to wait before retrying after a transient fault.
const RETRY_AFTER_SECS: &str = "1";

/// What an agent is told of a fault that retrying will not fix (the details are in the log,
/// under the request id the response carries).
const INTERNAL: &str = "Tenure failed on this request and logged it; retrying will not help; quote the x-request-id header when reporting it";

/// Every refusal and fault: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, and which field when one did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// The field at fault (a JSON pointer for params), or null.
    #[schema(required = true)]
    pub field: Option<String>,
}

/// The kind of error; each has its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadJson,
    BadBody,
    TooLarge,
    Invalid,
    Conflict,
    NotFound,
    MethodNotAllowed,
    Forbidden,
    Unauthenticated,
    Throttled,
    Unavailable,
    Internal,
}

/// The body of an error answer.
pub fn error_body(code: ErrorCode, message: impl Into<String>, field: Option<String>) -> Json<ErrorBody> {
    Json(ErrorBody { error: ErrorDetail { code, message: message.into(), field } })
}

/// An error answered to an agent.
#[derive(Debug)]
pub enum ApiError {
    /// What the engine refused.
    Gov(GovError),
    /// The body is not JSON at all (400).
    BadJson(String),
    /// The JSON does not have the expected shape (422), naming the field when known.
    BadShape { field: Option<String>, message: String },
    /// The body could not be read (413 when it is too large).
    Body { status: StatusCode, message: String },
}

impl From<GovError> for ApiError {
    fn from(e: GovError) -> Self {
        ApiError::Gov(e)
    }
}

impl ApiError {
    /// Classifies a body that failed to parse: broken JSON is 400, the wrong shape is 422,
    /// naming the field at `path` (from [`crate::api::input::json_body`]), or else the one a
    /// missing- or unknown-field message names.
    pub fn from_json_at(e: &serde_json::Error, path: Option<String>) -> ApiError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::BadJson(format!("the body is not valid JSON: {e}"))
            }
            Category::Data => {
                let text = e.to_string();
                let field = path.or_else(|| text.split('`').nth(1).map(str::to_owned));
                ApiError::BadShape { field, message: text }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let gov = match self {
            ApiError::Gov(e) => e,
            ApiError::BadJson(message) => {
                return (StatusCode::BAD_REQUEST, error_body(ErrorCode::BadJson, message, None)).into_response();
            }
            ApiError::BadShape { field, message } => {
                return (StatusCode::UNPROCESSABLE_ENTITY, error_body(ErrorCode::Invalid, message, field))
                    .into_response();
            }
            ApiError::Body { status, message } => {
                let code =
                    if status == StatusCode::PAYLOAD_TOO_LARGE { ErrorCode::TooLarge } else { ErrorCode::BadBody };
                return (status, error_body(code, message, None)).into_response();
            }
        };
        let (status, code, message, field) = match gov {
            GovError::Invalid { field, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid, message, Some(field))
            }
            GovError::Conflict { field, message } => (StatusCode::CONFLICT, ErrorCode::Conflict, message, Some(field)),
            GovError::NotFound(what) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("{what} not found"), None),
            GovError::Forbidden(why) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, why, None),
            GovError::Unauthenticated(why) => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, why, None),
            GovError::BadCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated, "bad credentials".into(), None)
            }
            GovError::Throttled { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Throttled,
                format!("try again in {retry_after_secs} seconds"),
                None,
            ),
            GovError::Unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable in the API");
                let body = error_body(
                    ErrorCode::Unavailable,
                    "Tenure cannot record this right now; nothing was recorded; retry shortly",
                    None,
                );
                return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, RETRY_AFTER_SECS)], body)
                    .into_response();
            }
            GovError::Db(e) => {
                tracing::error!(error = %e, "database error in the API");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, INTERNAL.into(), None)
            }
            GovError::Internal(e) => {
                tracing::error!(error = %e, "internal error in the API");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, INTERNAL.into(), None)
            }
        };
        let body = error_body(code, message, field.map(str::to_owned));
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_of_the_moment_says_retry_and_a_refusal_does_not() {
        let r = ApiError::Gov(GovError::Unavailable("database is locked".into())).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some(RETRY_AFTER_SECS));
        let r = ApiError::Gov(GovError::Db(sea_orm::DbErr::Custom("check constraint".into()))).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.headers().get(header::RETRY_AFTER).is_none(), "never an invitation to retry forever");
        let r = ApiError::Gov(GovError::Internal("bug".into())).into_response();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
