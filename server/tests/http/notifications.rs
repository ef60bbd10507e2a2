//! Notifications over HTTP: an administrator subscribes a local receiver; an approval request
//! reaches it signed; a failing receiver is tried again and then left as a dead letter that can
//! be sent again; a restart in the middle of a delivery sends nothing twice; only admins may
//! configure any of it.

use crate::common::{Browser, TestApp, location, spawn_with};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use governance::notify::signature;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: String,
}

/// A local webhook receiver: answers 500 to its first `fail_first` requests, takes `delay`
/// over each, and records everything.
#[derive(Clone)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    started: Arc<Mutex<usize>>,
    fail_first: usize,
    delay: Duration,
}

impl Receiver {
    async fn start(fail_first: usize, delay: Duration) -> (Receiver, String) {
        let r = Receiver { got: Arc::default(), started: Arc::default(), fail_first, delay };
        let app = axum::Router::new().route("/hook", axum::routing::post(take)).with_state(r.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` requests were answered, at most `secs` seconds.
    async fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        for _ in 0..secs * 10 {
            if self.got().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.got()
    }
}

async fn take(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let nth = {
        let mut started = r.started.lock().unwrap();
        *started += 1;
        *started
    };
    tokio::time::sleep(r.delay).await;
    r.got.lock().unwrap().push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
    if nth <= r.fail_first { AxumStatus::INTERNAL_SERVER_ERROR } else { AxumStatus::NO_CONTENT }
}

fn header(r: &Received, name: &str) -> String {
    r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Subscribes `url` through the console's form; returns the signing secret the page showed once.
async fn subscribe(app: &TestApp, admin: &mut Browser, name: &str, url: &str, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("name", name), ("url", url), ("format", "json"), ("capabilities", ""), ("min_risk", "")];
    form.extend_from_slice(extra);
    let res = app.post_form(admin, "/api/notifications/create", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), "/notifications");
    let page = app.get(admin, "/notifications").await.text().await.unwrap();
    let secret = page.split("data-testid=\"new-secret\"").nth(1).and_then(|s| s.split('>').nth(1)?.split('<').next());
    let secret = secret.unwrap_or_else(|| panic!("no secret on the page: {page}"));
    assert!(secret.starts_with("whsec_"), "{secret}");
    let again = app.get(admin, "/notifications").await.text().await.unwrap();
    assert!(!again.contains(secret), "the secret is shown once");
    secret.to_owned()
}

fn refund(amount: u32) -> String {
    json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"},
        "reasoning": "charged twice",
        "confidence": 0.9,
    })
    .to_string()
}

#[tokio::test]
async fn an_approval_request_reaches_the_receiver_signed_and_filters_hold() {
    let app = spawn_with(|s| s.webhook_retry_seconds = 1).await;
    let mut admin = app.admin().await;
    let (receiver, url) = Receiver::start(0, Duration::ZERO).await;
    let (alerts_only, alerts_url) = Receiver::start(0, Duration::ZERO).await;
    let secret = subscribe(&app, &mut admin, "reviewers", &url, &[]).await;
    subscribe(&app, &mut admin, "alerts only", &alerts_url, &[("kind_alert_raised", "on")]).await;

    let (agent, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let held: Value = app.api_post("/v1/actions", Some(&key), &refund(250)).await.json().await.unwrap();
    assert_eq!(held["decision"], "needs_approval");
    let allowed: Value = app.api_post("/v1/actions", Some(&key), &refund(50)).await.json().await.unwrap();
    assert_eq!(allowed["decision"], "allowed", "nothing waits: nobody is told");

    let [got] = receiver.wait_for(1, 10).await.try_into().unwrap();
    let stamp: i64 = header(&got, "x-tenure-timestamp").parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert_eq!(signature::verify(&secret, stamp, &got.body, &header(&got, "x-tenure-signature"), now), Ok(()));
    assert!(signature::verify("whsec_wrong", stamp, &got.body, &header(&got, "x-tenure-signature"), now).is_err());
    assert_eq!(header(&got, "x-tenure-event"), "approval.requested");
    let body: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(body["kind"], "approval.requested");
    assert_eq!(body["delivery_id"].to_string(), header(&got, "x-tenure-delivery"));
    assert_eq!(
        (body["agent"].as_str(), body["capability"].as_str()),
        (Some("refund-bot"), Some("finance.refund.issue"))
    );
    assert_eq!(body["risk"], "high");
    assert_eq!(body["data"]["action_id"], held["id"]);
    assert_eq!(body["data"]["agent_id"], agent);
    assert_eq!(body["link"], format!("http://127.0.0.1:0/actions/{}", held["id"]));
    assert!(body["summary"].as_str().unwrap().contains("exceeds the limit 200"), "{body}");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.got().len(), 1, "one event, one delivery");
    assert!(alerts_only.got().is_empty(), "a subscription to alerts hears nothing of approvals");
    let page = app.get(&admin, "/notifications?state=delivered").await.text().await.unwrap();
    assert!(page.contains("1 of 1 delivered, 0 pending, 0 dead"), "the page counts it");
}

#[tokio::test]
async fn a_failing_receiver_is_tried_again_then_dead_and_can_be_sent_again() {
    let app = spawn_with(|s| {
        s.webhook_retry_seconds = 1;
        s.webhook_max_attempts = 3;
    })
    .await;
    let mut admin = app.admin().await;
    // Fails twice, then takes it: delivered at the third attempt.
    let (flaky, flaky_url) = Receiver::start(2, Duration::ZERO).await;
    subscribe(&app, &mut admin, "flaky", &flaky_url, &[]).await;
    // Fails more often than the three attempts allow: a dead letter.
    let (down, down_url) = Receiver::start(3, Duration::ZERO).await;
    subscribe(&app, &mut admin, "down", &down_url, &[]).await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    app.api_post("/v1/actions", Some(&key), &refund(10)).await;

    let tries = flaky.wait_for(3, 15).await;
    assert_eq!(tries.len(), 3);
    let ids: Vec<String> = tries.iter().map(|t| header(t, "x-tenure-delivery")).collect();
    assert!(ids.iter().all(|i| i == &ids[0]), "every attempt is the same delivery: {ids:?}");
    assert_eq!(down.wait_for(3, 15).await.len(), 3);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let page = app.get(&admin, "/notifications?state=dead").await.text().await.unwrap();
    assert!(page.contains("data-state=\"dead\""), "the dead letter is listed");
    assert!(page.contains("the receiver answered 500 Internal Server Error"), "with the receiver's last answer");
    assert!(!page.contains("data-state=\"delivered\""), "only dead letters on this tab");
    let dead_id = page.split("data-delivery=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();

    // The receiver is back: sent again, it is taken.
    let res = app.post_form(&mut admin, "/api/notifications/redeliver", &[("delivery_id", &dead_id)]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let all = down.wait_for(4, 10).await;
    assert_eq!(header(&all[3], "x-tenure-delivery"), dead_id);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let page = app.get(&admin, "/notifications?state=delivered").await.text().await.unwrap();
    assert!(page.contains(&format!("data-delivery=\"{dead_id}\" data-state=\"delivered\"")), "{page}");
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_delivery_sends_it_once() {
    let dir = std::env::temp_dir().join(format!("tenure-restart-{}", uuid::Uuid::new_v4()));
    let (receiver, url) = Receiver::start(0, Duration::from_millis(1500)).await;
    let mut app = spawn_with(|s| s.data_dir = dir.clone()).await;
    let mut admin = app.admin().await;
    subscribe(&app, &mut admin, "slow receiver", &url, &[]).await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    app.api_post("/v1/actions", Some(&key), &refund(10)).await;
    // The receiver has the request and is still answering when the server is told to stop.
    for _ in 0..50 {
        if *receiver.started.lock().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(*receiver.started.lock().unwrap(), 1);
    assert!(app.shut_down(Duration::from_secs(20)).await, "the server stopped");
    drop(app);

    let again = spawn_with(|s| s.data_dir = dir.clone()).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.got().len(), 1, "delivered once, not again after the restart");
    let admin = again.login("admin", "admin settled password").await.0;
    let page = again.get(&admin, "/notifications").await.text().await.unwrap();
    assert!(page.contains("1 of 1 delivered"), "recorded as delivered before the first server stopped");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn only_admins_configure_notifications_and_bad_input_names_its_field() {
    let app = spawn_with(|_| {}).await;
    let mut manager = app.browser_as("mona", &["manager"]).await;
    let form =
        [("name", "x"), ("url", "http://127.0.0.1:9/hook"), ("format", "json"), ("capabilities", ""), ("min_risk", "")];
    let res = app.post_api(&mut manager, "/api/notifications/create", &form).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.post_api(&mut manager, "/api/notifications/redeliver", &[("delivery_id", "1")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = app.get(&manager, "/notifications").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);

    let mut admin = app.admin().await;
    for (field, value, says) in [
        ("url", "ftp://example.org", "must start with https:// or http://"),
        ("name", "", "give it a name"),
        ("format", "xml", "not a format"),
        ("capabilities", "finance.nope", "'finance.nope' is not in the catalogue"),
        ("min_risk", "extreme", "not a risk level"),
    ] {
        let mut form: Vec<(&str, &str)> = vec![
            ("name", "ok"),
            ("url", "http://127.0.0.1:9/hook"),
            ("format", "json"),
            ("capabilities", ""),
            ("min_risk", ""),
        ];
        form.retain(|(f, _)| *f != field);
        form.push((field, value));
        let res = app.post_api(&mut admin, "/api/notifications/create", &form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let body = res.text().await.unwrap();
        assert!(body.contains(field) && body.contains(says), "{field}: {body}");
    }
    let res = app.post_api(&mut admin, "/api/notifications/redeliver", &[("delivery_id", "999")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
