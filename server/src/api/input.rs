//! Reading what an agent sends — the JSON body, the path's id, the query string — so that
//! every failure answers in the API's one error shape and names the field: broken JSON is
//! 400; a value of the wrong shape or type is 422 with `field` set (`capability`,
//! `confidence`, `id`, `wait`); a body over the limit is 413.

use crate::api::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Axum's limit on a request body.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// A request body as bytes (parsed with [`json_body`] once the key is checked); one over
/// [`MAX_BODY_BYTES`] is 413 in the error shape.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state).await.map(Body).map_err(|r| {
            let status = r.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("the body is larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024))
            } else {
                r.body_text()
            };
            ApiError::Body { status, message }
        })
    }
}

/// Parses a JSON body, naming the field that does not fit. A body that is not JSON, or has an
/// object with a key twice (see [`unique_keys`]), is 400.
///
/// [`unique_keys`]: crate::api::unique_keys
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value = crate::api::unique_keys::parse(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::BadJson(format!("the body is not acceptable JSON: {e}")),
        _ => ApiError::from_json_at(&e, None),
    })?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ApiError::from_json_at(e.inner(), (path != ".").then_some(path))
    })
}

/// A path parameter; one that does not parse is 422 naming it.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(rejection) => {
                let raw = RawPathParams::from_request_parts(parts, state).await.ok();
                let field = raw.as_ref().and_then(|r| r.iter().next().map(|(k, _)| k.to_owned()));
                let why = rejection.body_text();
                let why = why.trim_start_matches("Invalid URL: ");
                let message = match &field {
                    Some(k) => format!("{k} in the path: {why}"),
                    None => why.to_owned(),
                };
                Err(ApiError::BadShape { field, message })
            }
        }
    }
}

/// The query string; a value that does not parse is 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            let field = (path != ".").then_some(path);
            let message = match &field {
                Some(f) => format!("{f}: {}", e.inner()),
                None => format!("the query string: {}", e.inner()),
            };
            ApiError::BadShape { field, message }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governance::action::ActionRequest;

    fn field_of(body: &str) -> Option<String> {
        match json_body::<ActionRequest>(body.as_bytes()) {
            Err(ApiError::BadShape { field, .. }) => field,
            other => panic!("expected a shape error, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn each_shape_error_names_its_field() {
        assert_eq!(field_of(r#"{"params": {}}"#).as_deref(), Some("capability"), "missing");
        assert_eq!(field_of(r#"{"capability": "a.b", "confidence": "high"}"#).as_deref(), Some("confidence"), "type");
        assert_eq!(field_of(r#"{"capability": "a.b", "bogus": 1}"#).as_deref(), Some("bogus"), "unknown");
        assert_eq!(field_of(r#"{"capability": 5}"#).as_deref(), Some("capability"), "type at the first field");
    }

    #[test]
    fn a_key_given_twice_is_not_acceptable_json() {
        let twice = r#"{"capability": "a.b", "params": {"amount": 5, "amount": 5000}, "confidence": 0.5}"#;
        match json_body::<ActionRequest>(twice.as_bytes()) {
            Err(ApiError::BadJson(m)) => assert!(m.contains("duplicate key `params.amount`"), "{m}"),
            other => panic!("expected 400, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn broken_or_trailing_json_is_not_json() {
        let whole = r#"{"capability": "a.b", "params": {}, "confidence": 0.5}"#;
        assert!(json_body::<ActionRequest>(whole.as_bytes()).is_ok());
        // Truncated mid-object (an agent's write cut short) is broken JSON too, not a wrong shape.
        for body in ["{", "", &format!("{whole} x"), r#"{"capability": "x", "#, r#"{"capability": "#] {
            assert!(matches!(json_body::<ActionRequest>(body.as_bytes()), Err(ApiError::BadJson(_))), "{body:?}");
        }
    }
}
