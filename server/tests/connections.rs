//! Connection limits against a real server: idle sockets and slowloris headers do not starve
//! decisions or the console, and the open-file limit is raised at start. Its own test binary,
//! because it changes the process's open-file limit.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[path = "http/common/mod.rs"]
#[expect(dead_code)] // the helpers the HTTP tests use and these do not
mod common;

use common::{Browser, spawn_with};
use reqwest::StatusCode;
use rlimit::Resource;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn refund(n: usize) -> String {
    serde_json::json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": format!("C-{n}"), "amount": 10, "currency": "EUR"},
        "reasoning": "charged twice", "confidence": 0.95, "idempotency_key": format!("c-{n}"),
    })
    .to_string()
}

/// Whether the server closes `s` within `within` (a read returns end of file or an error).
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // a 408 or similar before the close
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idle_and_slow_connections_do_not_starve_decisions_or_the_console() {
    // Start as a machine with the common default of 1,024 open files would.
    let (_, hard) = rlimit::getrlimit(Resource::NOFILE).unwrap();
    if hard < 8192 {
        eprintln!("SKIPPED: the hard open-file limit is {hard}; this test needs room for 2,000 sockets each side");
        return;
    }
    rlimit::setrlimit(Resource::NOFILE, 1024, hard).unwrap();
    let app = spawn_with(|s| s.header_timeout_seconds = 2).await;
    let started = Instant::now();
    while rlimit::getrlimit(Resource::NOFILE).unwrap().0 < hard && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(rlimit::getrlimit(Resource::NOFILE).unwrap().0, hard, "the soft limit is raised to the hard one");
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let addr = app.base.trim_start_matches("http://").to_owned();

    let mut idle = Vec::new();
    for _ in 0..2000 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    // Slowloris: a header line every half second, never the end of the headers.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        slow.push(s);
    }
    let trickle = tokio::spawn(async move {
        for _ in 0..8 {
            for s in slow.iter_mut() {
                let _ = s.write_all(b"X-Slow: y\r\n").await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        slow
    });

    // With 2,020 sockets open and trickling, decisions, sign-in page and probes answer.
    for n in 0..20 {
        let res = app.api_post("/v1/actions", Some(&key), &refund(n)).await;
        assert_eq!(res.status(), StatusCode::OK, "decision {n}");
    }
    let anon = Browser { cookie: None };
    assert_eq!(app.get(&anon, "/login").await.status(), StatusCode::OK);
    assert_eq!(app.get(&anon, "/healthz").await.status(), StatusCode::OK);

    // The idle ones are closed after the header timeout, the slow ones too despite trickling.
    for s in idle.iter_mut().step_by(100) {
        assert!(closed_within(s, Duration::from_secs(5)).await, "an idle connection is closed");
    }
    let mut slow = trickle.await.unwrap();
    for s in slow.iter_mut() {
        assert!(closed_within(s, Duration::from_secs(3)).await, "a slowloris connection is closed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn over_the_cap_a_connection_is_closed_at_once_and_room_comes_back() {
    let app = spawn_with(|s| {
        s.max_connections = 64;
        s.header_timeout_seconds = 2;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let anon = Browser { cookie: None };
    assert_eq!(app.get(&anon, "/healthz").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2500)).await; // the client's pooled connection is gone
    let mut held = Vec::new();
    for _ in 0..64 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = TcpStream::connect(&addr).await.unwrap();
    assert!(closed_within(&mut over, Duration::from_millis(1500)).await, "the 65th is closed at once");
    // Once the held ones time out, there is room again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(app.get(&anon, "/healthz").await.status(), StatusCode::OK);
    drop(held);
}
