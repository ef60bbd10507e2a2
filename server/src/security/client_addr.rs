//! Who the client is, for sign-in throttling and the evidence trail: the TCP peer's address,
//! or, behind a reverse proxy, the address the proxy names in the configured header (the
//! rightmost one in a list, the one the proxy itself appended). The header is read only when
//! an operator configured it: a client can send any header, so it is trusted only when every
//! request comes through the proxy.

use app::server::context::ClientAddr;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// The configured header, if any.
#[derive(Clone, Debug, Default)]
pub struct ClientIpHeader(Option<HeaderName>);

impl ClientIpHeader {
    /// From the `client_ip_header` setting (validated at start; empty: none).
    pub fn new(name: &str) -> ClientIpHeader {
        ClientIpHeader(HeaderName::from_bytes(name.as_bytes()).ok().filter(|_| !name.is_empty()))
    }
}

/// The rightmost valid IP address in `header` (a comma-separated list, as `X-Forwarded-For`).
fn named_by(headers: &HeaderMap, header: &HeaderName) -> Option<IpAddr> {
    let values = headers.get_all(header).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    values.iter().rev().flat_map(|v| v.rsplit(',')).find_map(|part| part.trim().parse::<IpAddr>().ok())
}

/// Puts the request's [`ClientAddr`] into its extensions.
pub async fn client_addr(State(header): State<ClientIpHeader>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let named = header.0.as_ref().and_then(|h| named_by(req.headers(), h));
    let addr = named.or(peer).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    req.extensions_mut().insert(ClientAddr(addr));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_proxy_appended_address_is_the_rightmost() {
        let h = HeaderName::from_static("x-forwarded-for");
        let mut headers = HeaderMap::new();
        headers.insert(&h, HeaderValue::from_static("6.6.6.6, 203.0.113.9"));
        assert_eq!(named_by(&headers, &h), Some("203.0.113.9".parse().unwrap()));
        headers.insert(&h, HeaderValue::from_static("not an address"));
        assert_eq!(named_by(&headers, &h), None);
        assert!(ClientIpHeader::new("").0.is_none());
    }
}
