//! `/metrics` against the real router. A test binary of its own: the decision counters live in
//! the process-wide recorder, so no other test's decisions may run in this process.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[path = "http/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::spawn_with;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TOKEN: &str = "scrape-token-0123456789";

/// The value of the series written exactly as `series` (name and labels), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn scrape(base: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{base}/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn refund(amount: u32, key: Option<&str>) -> String {
    let mut body = json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"},
        "reasoning": "charged twice",
        "confidence": 0.9,
    });
    if let Some(k) = key {
        body["idempotency_key"] = json!(k);
    }
    body.to_string()
}

#[tokio::test]
async fn decisions_the_inbox_and_the_pool_show_behind_the_token() {
    let app = spawn_with(|s| s.metrics_token = TOKEN.into()).await;

    // Without the token, or with another, nothing is shown.
    for token in [None, Some("scrape-token-0123456780"), Some("")] {
        let res = scrape(&app.base, token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer realm=\"metrics\"");
        assert!(!res.text().await.unwrap().contains("tenure_"));
    }

    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    for body in [refund(150, Some("once")), refund(150, Some("once")), refund(120, None), refund(250, None)] {
        let res = app.api_post("/v1/actions", Some(&key), &body).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let made_up = json!({"capability": "made.up.thing", "params": {}, "reasoning": "r", "confidence": 0.9});
    let res: Value = app.api_post("/v1/actions", Some(&key), &made_up.to_string()).await.json().await.unwrap();
    assert_eq!(res["decision"], "denied");

    let res = scrape(&app.base, Some(TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = res.text().await.unwrap();
    let decisions = |capability: &str, decision: &str| {
        value(&text, &format!("tenure_decisions_total{{capability=\"{capability}\",decision=\"{decision}\"}}"))
    };
    assert_eq!(
        decisions("finance.refund.issue", "allowed"),
        Some(2.0),
        "a replayed key is not a second decision:\n{text}"
    );
    assert_eq!(decisions("finance.refund.issue", "needs_approval"), Some(1.0), "{text}");
    assert_eq!(decisions("(unknown)", "denied"), Some(1.0), "{text}");
    assert!(!text.contains("made.up.thing"), "names an agent makes up do not become series");
    assert_eq!(value(&text, "tenure_decision_seconds_count"), Some(5.0), "every answer, the replay too:\n{text}");
    assert!(text.contains("tenure_decision_seconds_bucket{le=\"0.005\"}"), "a histogram, not a summary:\n{text}");
    // The writer looks up idempotency keys, so the replay went through a batch too.
    assert_eq!(value(&text, "tenure_writer_batch_size_sum"), Some(5.0), "{text}");
    assert!(text.contains("# HELP tenure_decisions_total Decisions recorded, by capability and decision"));

    // The gauges come from this server's database at the scrape.
    assert_eq!(value(&text, "tenure_inbox_waiting{section=\"approval\"}"), Some(1.0), "{text}");
    assert_eq!(value(&text, "tenure_inbox_waiting{section=\"shadow\"}"), Some(0.0), "{text}");
    let age = value(&text, "tenure_inbox_oldest_age_seconds{section=\"approval\"}").unwrap();
    assert!((0.0..120.0).contains(&age), "the held refund's age: {age}");
    assert_eq!(value(&text, "tenure_inbox_oldest_age_seconds{section=\"supervised\"}"), Some(0.0));
    assert_eq!(value(&text, "tenure_alerts_open"), Some(0.0), "{text}");
    assert_eq!(value(&text, "tenure_db_pool_max_connections"), Some(16.0), "{text}");
    let open = value(&text, "tenure_db_pool_connections{state=\"idle\"}").unwrap()
        + value(&text, "tenure_db_pool_connections{state=\"busy\"}").unwrap();
    assert!((1.0..=16.0).contains(&open), "{text}");
}

#[tokio::test]
async fn failed_notification_deliveries_are_counted_by_subscription() {
    use governance::service::notifications::SubscriptionForm;
    let app = spawn_with(|s| {
        s.metrics_token = TOKEN.into();
        s.webhook_retry_seconds = 60;
    })
    .await;
    app.admin().await;
    let admin = app.state.accounts.login("admin", "admin settled password", "t").await.unwrap();
    let token = app.state.accounts.principal(admin.user_id).await.unwrap().unwrap().as_admin().unwrap();
    // Nothing listens on the port of a listener just closed: every attempt fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let form = SubscriptionForm {
        name: "nobody home".into(),
        url: format!("http://{closed}/hook"),
        format: "json".into(),
        ..SubscriptionForm::default()
    };
    let (sub, _) = app.state.notifications.create(&token, form).await.unwrap();
    app.state.notifications.send_test(&token, sub.id).await.unwrap();
    let series = "tenure_webhook_delivery_failures_total{subscription=\"nobody home\"}";
    let mut seen = None;
    for _ in 0..50 {
        let text = scrape(&app.base, Some(TOKEN)).await.text().await.unwrap();
        seen = value(&text, series);
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, Some(1.0), "one failed attempt, then a minute's wait");
}

#[tokio::test]
async fn without_a_token_the_public_listener_has_no_metrics() {
    let app = spawn_with(|_| {}).await;
    assert_eq!(scrape(&app.base, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(scrape(&app.base, Some(TOKEN)).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_private_listener_serves_metrics_alone() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let app = spawn_with(|s| s.metrics_bind = format!("127.0.0.1:{port}")).await;
    let private = format!("http://127.0.0.1:{port}");
    let mut text = String::new();
    // The listener comes up with the server; give it a moment.
    for _ in 0..50 {
        if let Ok(res) = reqwest::get(format!("{private}/metrics")).await {
            assert_eq!(res.status(), StatusCode::OK);
            text = res.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(text.contains("tenure_inbox_waiting{section=\"approval\"} 0"), "{text}");
    assert_eq!(reqwest::get(format!("{private}/healthz")).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(reqwest::get(format!("{private}/login")).await.unwrap().status(), StatusCode::NOT_FOUND);
    // The public listener still has none.
    assert_eq!(scrape(&app.base, None).await.status(), StatusCode::NOT_FOUND);
}
