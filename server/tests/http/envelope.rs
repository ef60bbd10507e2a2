//! An agent reads its envelope over HTTP: per capability its tier, what a request within the
//! conditions gets now, what would escalate one and what the next tier needs — its own only,
//! and only with a live key.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn refund(amount: u32, confidence: f64) -> String {
    json!({
        "capability": "finance.refund.issue",
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"},
        "reasoning": "charged twice",
        "confidence": confidence,
    })
    .to_string()
}

#[tokio::test]
async fn an_agent_learns_its_authority_before_it_asks() {
    let app = spawn_app().await;
    let (agent, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "executor").await;
    let (_, junior) = app.agent_with_grant("junior-bot", "finance.refund.issue", "contributor").await;

    let res = app.api_get("/v1/envelope", Some(&key)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!((body["agent_id"].as_i64(), body["name"].as_str()), (Some(agent), Some("refund-bot")));
    assert_eq!(body["status"], "active");
    let caps = body["capabilities"].as_array().unwrap();
    assert_eq!(caps.len(), 1, "only the capability it holds a grant on: {body}");
    let c = &caps[0];
    assert_eq!((c["capability"].as_str(), c["tier"].as_str()), (Some("finance.refund.issue"), Some("executor")));
    assert_eq!(c["within_conditions"]["decision"], "allowed");
    assert_eq!(c["min_confidence"], 0.8);
    assert_eq!(c["limits"], json!([{"param": "amount", "max": 200.0}]));
    assert_eq!(c["approval_expiry_minutes"], 60);
    assert_eq!(c["next_step"], Value::Null, "nothing above executor");
    let triggers: Vec<&str> = c["escalates_when"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(triggers, ["confidence below 0.8", "amount above 200, not a number, or missing"]);

    // What the envelope says is what a request gets.
    let within: Value = app.api_post("/v1/actions", Some(&key), &refund(150, 0.9)).await.json().await.unwrap();
    assert_eq!(within["decision"], "allowed");
    let above: Value = app.api_post("/v1/actions", Some(&key), &refund(250, 0.9)).await.json().await.unwrap();
    assert_eq!(above["decision"], "needs_approval");
    assert!(above["rule"].as_str().unwrap().contains("amount = 250 exceeds the limit 200"), "{above}");

    // A contributor is told every request goes to a person, and what executor still needs.
    let body: Value = app.api_get("/v1/envelope", Some(&junior)).await.json().await.unwrap();
    let c = &body["capabilities"][0];
    assert_eq!(c["within_conditions"]["decision"], "needs_approval");
    assert!(c["within_conditions"]["rule"].as_str().unwrap().contains("contributor tier"), "{c}");
    assert_eq!(c["escalates_when"], json!([]));
    assert_eq!((c["next_step"]["to"].as_str(), c["next_step"]["ready"].as_bool()), (Some("executor"), Some(false)));
    assert!(!c["next_step"]["checks"].as_array().unwrap().is_empty());

    // Suspended, the agent is told every request is refused.
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let id = agent.to_string();
    let form = [("agent_id", id.as_str()), ("action", "suspend"), ("reason", "wrong accounts")];
    assert_eq!(location(&app.post_form(&mut mona, "/api/agents/status", &form).await), format!("/agents/{id}"));
    let body: Value = app.api_get("/v1/envelope", Some(&key)).await.json().await.unwrap();
    assert_eq!(body["status"], "suspended");
    assert_eq!(body["capabilities"][0]["within_conditions"]["decision"], "denied");
    assert_eq!(body["capabilities"][0]["escalates_when"], json!([]));
}

#[tokio::test]
async fn the_envelope_needs_a_live_agent_key() {
    let app = spawn_app().await;
    let res = app.api_get("/v1/envelope", None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(app.api_get("/v1/envelope", Some("tnr_nonsense")).await.status(), StatusCode::UNAUTHORIZED);
    // A console session is not an agent key.
    let mona = app.browser_as("mona", &["manager"]).await;
    let res = app.get(&mona, "/v1/envelope").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.api_post("/v1/envelope", None, "{}").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}
