//! CSRF protection: a state-changing request (anything but GET/HEAD/OPTIONS) from a browser
//! must come from Tenure's own origin. Session cookies are also `SameSite=Lax`; this check is
//! the part that does not depend on browser defaults. The agent API (`/v1`) authenticates with
//! bearer keys, never cookies, so it is exempt.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Origins accepted besides the request's own `Host` (from the `public_origin` setting).
#[derive(Clone, Debug, Default)]
pub struct TrustedOrigins(pub Arc<Vec<String>>);

/// The `scheme://authority` part of a URL, without a trailing slash or path.
fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    Some(&url[..end])
}

/// Whether the request's Origin (or, failing that, Referer) is this site or a trusted origin.
pub fn is_same_origin(headers: &HeaderMap, trusted: &[String]) -> bool {
    let get = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    if get("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let claimed = match get(header::ORIGIN.as_str()).filter(|o| *o != "null") {
        Some(o) => origin_of(o),
        None => get(header::REFERER.as_str()).and_then(origin_of),
    };
    let (Some(claimed), Some(host)) = (claimed, get(header::HOST.as_str())) else { return false };
    let authority = claimed.split_once("://").map_or("", |(_, a)| a);
    authority.eq_ignore_ascii_case(host)
        || trusted.iter().any(|t| t.trim_end_matches('/').eq_ignore_ascii_case(claimed))
}

/// Refuses cross-site state changes with 403.
pub async fn require_same_origin(State(trusted): State<TrustedOrigins>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.uri().path().starts_with("/v1/") || is_same_origin(req.headers(), &trusted.0) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site state-changing request");
    (StatusCode::FORBIDDEN, "Cross-site request refused: this form must be sent from Tenure itself.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_posts_pass() {
        assert!(is_same_origin(&headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000")]), &[]));
        assert!(is_same_origin(
            &headers(&[("host", "127.0.0.1:3000"), ("referer", "http://127.0.0.1:3000/users?x=1")]),
            &[]
        ));
    }

    #[test]
    fn cross_site_or_unproven_posts_fail() {
        assert!(!is_same_origin(&headers(&[("host", "127.0.0.1:3000"), ("origin", "http://evil.example")]), &[]));
        assert!(!is_same_origin(
            &headers(&[("host", "127.0.0.1:3000"), ("origin", "http://127.0.0.1:3000.evil.example")]),
            &[]
        ));
        assert!(!is_same_origin(&headers(&[("host", "127.0.0.1:3000")]), &[]));
        assert!(!is_same_origin(&headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]), &[]));
        let h = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(!is_same_origin(&h, &[]));
    }

    #[test]
    fn a_configured_public_origin_passes_behind_a_proxy() {
        let h = headers(&[("host", "10.0.0.5:3000"), ("origin", "https://tenure.example.com")]);
        assert!(is_same_origin(&h, &["https://tenure.example.com/".into()]));
        assert!(!is_same_origin(&h, &[]));
    }
}
