//! The console's side of the one text rule (`governance::text`): a form post or query string
//! that carries U+0000 (NUL, `%00`) is refused with 400 before any server function runs, so
//! that no page or form stores, or looks up, text one of the two databases cannot keep. The
//! agent API checks its JSON bodies field by field instead (422 naming the field).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest console form body read (the agent API has its own limit).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// What the person is told.
const REFUSED: &str =
    "A field contains the character U+0000 (NUL), which Tenure does not store. Remove it and send the form again.";

/// Whether urlencoded text carries a NUL, raw or percent-encoded.
fn carries_nul(encoded: &[u8]) -> bool {
    encoded.contains(&0) || encoded.windows(3).any(|w| w == b"%00")
}

/// Refuses a console request whose query string or urlencoded form body carries a NUL.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/v1/") {
        return next.run(req).await;
    }
    if req.uri().query().is_some_and(|q| carries_nul(q.as_bytes())) {
        return (StatusCode::BAD_REQUEST, REFUSED).into_response();
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "The form is larger than 2 MiB.").into_response(),
    };
    if carries_nul(&bytes) {
        tracing::warn!(path = %parts.uri.path(), "refused a form carrying a NUL");
        return (StatusCode::BAD_REQUEST, REFUSED).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::carries_nul;

    #[test]
    fn finds_a_nul_raw_or_encoded() {
        assert!(carries_nul(b"username=a%00b&password=x"));
        assert!(carries_nul(b"a=\0"));
        assert!(!carries_nul(b"comment=100%25+sure&n=%30%30"));
    }
}
