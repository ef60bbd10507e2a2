//! Why a webhook could not be delivered, in words an admin can act on: connection refused, a
//! time-out, a name that does not resolve, a TLS failure, or the status the receiver answered.
//! Nothing the receiver wrote is repeated (it could be anything, and a page is no place for it).

use std::error::Error as _;
use std::io::ErrorKind;

/// The cause of a failed request, from the error and the errors beneath it.
pub(crate) fn of_error(e: &reqwest::Error) -> String {
    let mut chain: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut next = e.source();
    while let Some(inner) = next {
        chain.push(inner);
        next = inner.source();
    }
    // The innermost error says what went wrong; the outer ones repeat it (reqwest's own text
    // would name the URL, which may carry a secret).
    let innermost = chain.last().map_or_else(|| "no detail".to_owned(), |e| e.to_string());
    if e.is_timeout()
        || chain.iter().any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == ErrorKind::TimedOut))
    {
        return "timed out: the receiver did not answer in time".to_owned();
    }
    // Connectors wrap the socket's error in errors of their own, and an `io::Error` hides the
    // one it wraps from `source()`: look at every one.
    let mut ios: Vec<&std::io::Error> = Vec::new();
    for mut io in chain.iter().filter_map(|e| e.downcast_ref::<std::io::Error>()) {
        ios.push(io);
        while let Some(inner) = io.get_ref().and_then(|i| i.downcast_ref::<std::io::Error>()) {
            ios.push(inner);
            io = inner;
        }
    }
    for io in ios {
        match io.kind() {
            ErrorKind::ConnectionRefused => return "connection refused: nothing listens at that address".to_owned(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                return "connection reset by the receiver".to_owned();
            }
            // While connecting, bytes that are not what the handshake expects: rustls says why.
            ErrorKind::InvalidData if e.is_connect() => return format!("TLS failed: {innermost}"),
            _ => {}
        }
    }
    let all = chain.iter().map(|e| e.to_string().to_lowercase()).collect::<Vec<_>>().join(": ");
    if all.contains("dns error")
        || all.contains("failed to lookup address")
        || all.contains("name or service not known")
    {
        return "the host name could not be resolved".to_owned();
    }
    if all.contains("tls") || all.contains("certificate") || all.contains("handshake") || all.contains("invalid peer") {
        return format!("TLS failed: {innermost}");
    }
    if e.is_connect() {
        return format!("could not connect: {innermost}");
    }
    format!("the request failed: {innermost}")
}

/// The cause of a non-2xx answer: its status and reason phrase.
pub(crate) fn of_status(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("the receiver answered {} {reason}", status.as_u16()),
        None => format!("the receiver answered {}", status.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn client() -> reqwest::Client {
        reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap()
    }

    #[tokio::test]
    async fn a_closed_port_is_connection_refused() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = client().post(format!("http://127.0.0.1:{port}/hook")).send().await.unwrap_err();
        assert_eq!(of_error(&e), "connection refused: nothing listens at that address");
    }

    #[tokio::test]
    async fn a_receiver_that_never_answers_timed_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hold = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(socket);
        });
        let e = client().post(format!("http://{addr}/hook")).send().await.unwrap_err();
        assert_eq!(of_error(&e), "timed out: the receiver did not answer in time");
        hold.abort();
    }

    #[tokio::test]
    async fn https_to_a_server_that_speaks_no_tls_is_a_tls_failure() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let serve = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let (mut socket, _) = listener.accept().await.unwrap();
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
        });
        let tls = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().unwrap();
        let e = tls.post(format!("https://localhost:{}/hook", addr.port())).send().await.unwrap_err();
        let said = of_error(&e);
        assert!(said.starts_with("TLS failed: "), "{said}");
        serve.abort();
    }

    #[test]
    fn a_status_is_named_with_its_reason() {
        assert_eq!(
            of_status(reqwest::StatusCode::SERVICE_UNAVAILABLE),
            "the receiver answered 503 Service Unavailable"
        );
        assert_eq!(of_status(reqwest::StatusCode::from_u16(599).unwrap()), "the receiver answered 599");
    }
}
