//! The decision API: `POST /v1/actions` and `GET /v1/actions/{id}`.

use crate::common::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn refund(amount: f64, key: Option<&str>) -> String {
    json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-7", "amount": amount, "currency": "EUR"},
        "reasoning": "customer <b>charged</b> twice",
        "confidence": 0.93,
        "inputs": {"ticket": "T-9"},
        "alternatives": ["partial refund"],
        "task_ref": "T-9",
        "idempotency_key": key,
    })
    .to_string()
}

#[tokio::test]
async fn an_executor_is_allowed_within_limits_and_escalated_beyond_them() {
    let app = spawn_app().await;
    let (agent_id, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let res = app.api_post("/v1/actions", Some(&key), &refund(50.0, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let a: Value = res.json().await.unwrap();
    assert_eq!(
        (a["decision"].as_str(), a["tier"].as_str(), a["sandbox"].as_bool()),
        (Some("allowed"), Some("executor"), Some(false))
    );
    assert_eq!(a["evidence_hash"].as_str().unwrap().len(), 64);
    assert!(a["rule"].as_str().unwrap().contains("Test refunds v2"));

    let b: Value = app.api_post("/v1/actions", Some(&key), &refund(900.0, None)).await.json().await.unwrap();
    assert_eq!(b["decision"], "needs_approval");
    assert!(b["expires_at"].is_string() && b["rule"].as_str().unwrap().contains("exceeds the limit 200"));

    let got: Value = app.api_get(&format!("/v1/actions/{}", b["id"]), Some(&key)).await.json().await.unwrap();
    assert_eq!(got["state"], "needs_approval");
    let waited = app.api_get(&format!("/v1/actions/{}?wait=1", b["id"]), Some(&key)).await;
    assert_eq!(waited.status(), StatusCode::OK, "a long-poll without change answers the current state when time is up");

    // The decision shows on the agent's page, escaped.
    let mona = app.browser_as("mona", &["manager"]).await;
    let page = app.get(&mona, &format!("/agents/{agent_id}")).await.text().await.unwrap();
    assert!(page.contains("exceeds the limit 200") && page.contains("customer &lt;b&gt;charged&lt;/b&gt; twice"));
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_field() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    assert_eq!(app.api_post("/v1/actions", None, &refund(1.0, None)).await.status(), StatusCode::UNAUTHORIZED);
    let res = app.api_post("/v1/actions", Some(&key), "{not json").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "bad_json");
    let res = app.api_post("/v1/actions", Some(&key), r#"{"params": {}}"#).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "capability");
    let res =
        app.api_post("/v1/actions", Some(&key), r#"{"capability": "finance.refund.issue", "confidence": 2}"#).await;
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "confidence");
    let bad = json!({"capability": "finance.refund.issue", "confidence": 0.9, "params": {"order_id": "x", "amount": "ten", "currency": "EUR"}});
    let res = app.api_post("/v1/actions", Some(&key), &bad.to_string()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "params");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("params/amount"), "{body}");
    // A value of the wrong type is named too.
    let typed = r#"{"capability": "finance.refund.issue", "params": {}, "confidence": "high"}"#;
    let res = app.api_post("/v1/actions", Some(&key), typed).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "confidence");
    // A body over the limit is refused in the same shape.
    let huge = json!({"capability": "finance.refund.issue", "params": {}, "confidence": 0.5, "reasoning": "x".repeat(3 << 20)});
    let res = app.api_post("/v1/actions", Some(&key), &huge.to_string()).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "too_large");
    // JSON followed by something else is not JSON.
    let trailing = format!("{} x", refund(1.0, None));
    assert_eq!(app.api_post("/v1/actions", Some(&key), &trailing).await.status(), StatusCode::BAD_REQUEST);
    // A key given twice could be read two ways: refused, naming it.
    let twice = r#"{"capability": "finance.refund.issue", "confidence": 0.9,
        "params": {"order_id": "x", "amount": 5, "amount": 5000, "currency": "EUR"}}"#;
    let res = app.api_post("/v1/actions", Some(&key), twice).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("duplicate key `params.amount`"), "{body}");
    // A wait longer than the document's maximum is refused, not shortened without a word.
    let res = app.api_get("/v1/actions/1?wait=61", Some(&key)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "wait");
    // Text PostgreSQL cannot store is refused on either database, naming the field.
    let nul = r#"{"capability": "finance.refund.issue", "confidence": 0.9, "reasoning": "a\u0000b", "params": {}}"#;
    let res = app.api_post("/v1/actions", Some(&key), nul).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "reasoning");
}

#[tokio::test]
async fn idempotency_and_suspension_between_two_requests() {
    let app = spawn_app().await;
    let (agent_id, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let first: Value = app.api_post("/v1/actions", Some(&key), &refund(20.0, Some("r-1"))).await.json().await.unwrap();
    let again: Value = app.api_post("/v1/actions", Some(&key), &refund(20.0, Some("r-1"))).await.json().await.unwrap();
    assert_eq!(first, again);
    let res = app.api_post("/v1/actions", Some(&key), &refund(21.0, Some("r-1"))).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let mut mona = app.browser_as("mona", &["manager"]).await;
    let id = agent_id.to_string();
    let form = [("agent_id", id.as_str()), ("action", "suspend"), ("reason", "paused for audit")];
    app.post_form(&mut mona, "/api/agents/status", &form).await;
    let after: Value = app.api_post("/v1/actions", Some(&key), &refund(20.0, None)).await.json().await.unwrap();
    assert_eq!((after["decision"].as_str(), after["rule"].as_str()), (Some("denied"), Some("agent is suspended")));

    // Another agent cannot read these actions.
    let (_, other) = app.agent_with_grant("other-bot", "finance.refund.issue", "observer").await;
    assert_eq!(
        app.api_get(&format!("/v1/actions/{}", first["id"]), Some(&other)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn concurrent_requests_keep_the_evidence_chain_intact() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "observer").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (base, key) = (app.base.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/v1/actions"))
                .bearer_auth(key)
                .body(refund(f64::from(i) + 1.0, Some(&format!("c-{i}"))))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let checked = app.db.verify_evidence().await.unwrap().unwrap();
    assert!(checked >= 24, "{checked}");
}

#[tokio::test]
async fn without_an_evidence_record_there_is_no_decision() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let (agent_id, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    // Make the database refuse every evidence append for good (a disk that is full for a
    // moment is a 503 with Retry-After instead: see governance/tests/faults_store.rs).
    app.db
        .db()
        .execute_unprepared(
            "CREATE TRIGGER evidence_down BEFORE INSERT ON evidence BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .await
        .unwrap();
    let res = app.api_post("/v1/actions", Some(&key), &refund(10.0, None)).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "a refusal retrying cannot fix is not a 503");
    assert!(res.headers().get("retry-after").is_none());
    assert!(res.headers().get("x-request-id").is_some(), "the request id to quote");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal");
    assert!(!body.to_string().contains("disk full"), "internal details are not sent");
    assert!(
        app.db.recent_actions(agent_id, 10).await.unwrap().is_empty(),
        "the action was not kept without its record"
    );
}

#[tokio::test]
async fn a_key_revoked_after_use_is_refused_by_the_next_decision() {
    let app = spawn_app().await;
    let (agent_id, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    // Used once, so this instance holds the key in memory.
    let res = app.api_post("/v1/actions", Some(&key), &refund(20.0, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The same prefix with another last character (never the one the key already ends with).
    let other = if key.ends_with('x') { 'y' } else { 'x' };
    let made_up = format!("{}{other}", &key[..key.len() - 1]);
    assert_eq!(
        app.api_post("/v1/actions", Some(&made_up), &refund(20.0, None)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let mut mona = app.browser_as("mona", &["manager"]).await;
    let key_id = app.db.keys_of(agent_id).await.unwrap()[0].id.to_string();
    let id = agent_id.to_string();
    let form = [("agent_id", id.as_str()), ("key_id", key_id.as_str())];
    app.post_form(&mut mona, "/api/agents/keys/revoke", &form).await;
    // A revoked key learns nothing about its body either: 401, not 400 or 422, even before
    // a decision has brought the revocation to this instance's memory.
    let bad_body = app.api_post("/v1/actions", Some(&key), "{not json").await;
    assert_eq!(bad_body.status(), StatusCode::UNAUTHORIZED);
    let bad_params = app.api_post("/v1/actions", Some(&key), &refund(-5.0, None)).await;
    assert_eq!(bad_params.status(), StatusCode::UNAUTHORIZED);
    let res = app.api_post("/v1/actions", Some(&key), &refund(20.0, None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "unauthenticated");
    let recorded = app.db.recent_actions(agent_id, 10).await.unwrap();
    assert_eq!(recorded.len(), 1, "nothing recorded for the revoked key");
}
