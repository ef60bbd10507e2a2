//! The agent's side of the lifecycle over HTTP: execution reports, rollbacks and long-polls.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn refund(amount: f64) -> String {
    json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-7", "amount": amount, "currency": "EUR"},
        "reasoning": "customer charged twice",
        "confidence": 0.93,
    })
    .to_string()
}

#[tokio::test]
async fn ask_approve_long_poll_execute_roll_back() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let asked: Value = app.api_post("/v1/actions", Some(&key), &refund(40.0)).await.json().await.unwrap();
    assert_eq!(asked["decision"], "needs_approval");
    let id = asked["id"].as_i64().unwrap();

    // The agent waits; the reviewer approves in the console meanwhile.
    let (base, k) = (app.base.clone(), key.clone());
    let poll = tokio::spawn(async move {
        let started = Instant::now();
        let res =
            reqwest::Client::new().get(format!("{base}/v1/actions/{id}?wait=20")).bearer_auth(k).send().await.unwrap();
        (res.json::<Value>().await.unwrap(), started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let hash = app.db.action_by_id(id).await.unwrap().unwrap().action_hash;
    let form = [
        ("id", id.to_string()),
        ("action_hash", hash),
        ("verdict", "approve".into()),
        ("comment", "matches the ledger".into()),
        ("back", "/inbox?view=approval".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(&mut rita, "/api/inbox/review", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/inbox?view=approval");
    let (answer, waited) = poll.await.unwrap();
    assert_eq!(answer["state"], "approved", "{answer}");
    assert!(waited < Duration::from_secs(10), "the long-poll returned when the state changed ({waited:?})");
    assert_eq!(answer["params"]["amount"], 40.0);

    // Executing other params than the approved ones is refused.
    let other = json!({"status": "succeeded", "params": {"order_id": "A-7", "amount": 400, "currency": "EUR"}});
    let res = app.api_post(&format!("/v1/actions/{id}/result"), Some(&key), &other.to_string()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "params");
    // The approved params, written as another JSON number (40 for 40.0), are the same params.
    let report = json!({"status": "succeeded", "output": {"refund": "R-9"}, "undo": {"refund_id": "R-9"},
        "params": {"currency": "EUR", "amount": 40, "order_id": "A-7"}});
    let res = app.api_post(&format!("/v1/actions/{id}/result"), Some(&key), &report.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK, "RFC 8785: 40 and 40.0 are one number");
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["state"], "reversible");
    assert!(after["reversible_until"].is_string());
    let again = app.api_post(&format!("/v1/actions/{id}/result"), Some(&key), &report.to_string()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "a result is reported once");

    // Nothing to undo yet: the long-poll answers empty when its time is up.
    let empty: Value = app.api_get("/v1/rollbacks?wait=1", Some(&key)).await.json().await.unwrap();
    assert_eq!(empty["rollbacks"], json!([]));
    let (base, k) = (app.base.clone(), key.clone());
    let waiting = tokio::spawn(async move {
        reqwest::Client::new()
            .get(format!("{base}/v1/rollbacks?wait=20"))
            .bearer_auth(k)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let form =
        [("id", id.to_string()), ("reason", "refunded the wrong order".into()), ("back", format!("/actions/{id}"))];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(&mut rita, "/api/actions/rollback", &form).await;
    assert_eq!(location(&res), format!("/actions/{id}"));
    let got = waiting.await.unwrap();
    let item = &got["rollbacks"][0];
    assert_eq!((item["action_id"].as_i64(), item["undo"]["refund_id"].as_str()), (Some(id), Some("R-9")));
    assert_eq!(
        (item["reason"].as_str(), item["requested_by"].as_str()),
        (Some("refunded the wrong order"), Some("rita"))
    );

    let done = json!({"status": "rolled_back", "output": {"reverted": true}});
    let res = app.api_post(&format!("/v1/actions/{id}/rollback-result"), Some(&key), &done.to_string()).await;
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "rolled_back");
    let none: Value = app.api_get("/v1/rollbacks", Some(&key)).await.json().await.unwrap();
    assert_eq!(none["rollbacks"], json!([]));

    // The action page tells the whole story, in order.
    let page = app.get(&rita, &format!("/actions/{id}")).await.text().await.unwrap();
    let order =
        ["action.decided", "action.approved", "action.reported", "action.rollback_requested", "action.rolled_back"];
    let at: Vec<usize> = order.iter().map(|k| page.find(k).unwrap_or_else(|| panic!("{k} on the page"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "timeline in order");
}

#[tokio::test]
async fn reports_refuse_bad_input_with_the_field() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let (_, other_key) = app.agent_with_grant("other-bot", "finance.refund.issue", "executor").await;
    let a: Value = app.api_post("/v1/actions", Some(&key), &refund(900.0)).await.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    let path = format!("/v1/actions/{id}/result");
    assert_eq!(app.api_post(&path, None, r#"{"status":"succeeded"}"#).await.status(), StatusCode::UNAUTHORIZED);
    let res = app.api_post(&path, Some(&key), "{broken").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.api_post(&path, Some(&key), r#"{"status":"done"}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "status");
    let res = app.api_post(&path, Some(&key), r#"{"status":"succeeded","extra":1}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    let res = app.api_post(&path, Some(&key), r#"{"status":"succeeded"}"#).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "needs approval first");
    assert!(res.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("needs_approval"));
    let res = app.api_post(&path, Some(&other_key), r#"{"status":"succeeded"}"#).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "another agent's action does not exist for it");
    let huge = json!({"status": "failed", "output": "x".repeat(70_000)});
    let res = app.api_post(&path, Some(&key), &huge.to_string()).await;
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "output");
    let res =
        app.api_post(&format!("/v1/actions/{id}/rollback-result"), Some(&key), r#"{"status":"rolled_back"}"#).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "no rollback was asked for");
    assert_eq!(app.api_get("/v1/rollbacks", None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_long_poll_answers_at_once_when_the_server_shuts_down() {
    let mut app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let asked: Value = app.api_post("/v1/actions", Some(&key), &refund(40.0)).await.json().await.unwrap();
    assert_eq!(asked["decision"], "needs_approval");
    let id = asked["id"].as_i64().unwrap();
    let url = format!("{}/v1/actions/{id}?wait=60", app.base);
    let poll = tokio::spawn(async move {
        let started = Instant::now();
        let res = reqwest::Client::new().get(url).bearer_auth(key).send().await.unwrap();
        (res.status(), res.json::<Value>().await.unwrap(), started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shutdown_started = Instant::now();
    assert!(app.shut_down(Duration::from_secs(20)).await, "the server stopped");
    let (status, answer, waited) = poll.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["state"], "needs_approval", "the state as it is, unchanged");
    assert!(waited < Duration::from_secs(30), "answered long before its 60 s wait: {waited:?}");
    assert!(shutdown_started.elapsed() < Duration::from_secs(20), "the shutdown was not held by the poll");
}

#[tokio::test]
async fn a_long_corrections_list_comes_in_pages() {
    let app = spawn_app().await;
    let (agent_id, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    for n in 0..120 {
        let body = json!({"capability": "finance.refund.issue", "confidence": 0.9,
            "params": {"order_id": format!("P-{n}"), "amount": 5, "currency": "EUR"}});
        assert_eq!(app.api_post("/v1/actions", Some(&key), &body.to_string()).await.status(), StatusCode::OK);
    }
    let rita = app.browser_as("rita", &["reviewer"]).await;
    let rows = |page: &str| page.matches("<tr data-action=").count();
    let first = app.get(&rita, &format!("/corrections?agent={agent_id}&hours=24")).await.text().await.unwrap();
    assert!(first.contains("Cannot be rolled back (120)"), "the total, not the page");
    assert_eq!(rows(&first), 50);
    assert!(first.contains("1–50 of 120 · page 1 of 3"));
    let last = app.get(&rita, &format!("/corrections?agent={agent_id}&hours=24&page=1&other_page=3")).await;
    let last = last.text().await.unwrap();
    assert_eq!(rows(&last), 20, "the oldest twenty");
    assert!(last.contains("101–120 of 120 · page 3 of 3") && last.contains("P-0"));
    // A page past the end shows the last one, not nothing.
    let beyond = app.get(&rita, &format!("/corrections?agent={agent_id}&hours=24&other_page=99")).await;
    assert_eq!(rows(&beyond.text().await.unwrap()), 20);
}
