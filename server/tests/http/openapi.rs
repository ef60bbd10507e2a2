//! The OpenAPI document against the live router: every documented operation answers with a
//! documented status, and every body matches the documented schema.

use crate::common::spawn_app;
use reqwest::Response;
use serde_json::{Value, json};

struct Spec(Value);

impl Spec {
    /// Asserts `res` is a documented response of `method path` and that its body fits the schema.
    async fn check(&self, path: &str, method: &str, res: Response) -> Value {
        let status = res.status().as_u16().to_string();
        let body: Value = res.json().await.unwrap();
        let op = &self.0["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let response = &op["responses"][status.as_str()];
        assert!(response.is_object(), "{method} {path} answered {status}, which is not documented: {body}");
        let schema = &response["content"]["application/json"]["schema"];
        let mut root = schema.clone();
        root["components"] = self.0["components"].clone();
        let validator = jsonschema::validator_for(&root).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{method} {path} {status}: {errors:?}\n{body}");
        body
    }
}

#[tokio::test]
async fn live_responses_match_the_document() {
    let app = spawn_app().await;
    let doc: Value = app.api_get("/v1/openapi.json", None).await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let spec = Spec(doc);
    let (_, key) = app.agent_with_grant("doc-bot", "finance.refund.issue", "executor").await;
    let k = Some(key.as_str());

    spec.check("/v1/agents/me", "get", app.api_get("/v1/agents/me", None).await).await;
    spec.check("/v1/agents/me", "get", app.api_get("/v1/agents/me", k).await).await;
    let me = app.api_get("/v1/agents/me", k).await.json::<Value>().await.unwrap()["id"].clone();

    let ok = json!({"capability": "finance.refund.issue", "params": {"order_id": "A", "amount": 5, "currency": "EUR"}, "confidence": 0.9, "idempotency_key": "d-1"});
    let answer = spec.check("/v1/actions", "post", app.api_post("/v1/actions", k, &ok.to_string()).await).await;
    let escalated = json!({"capability": "finance.refund.issue", "params": {"order_id": "A", "amount": 5000, "currency": "EUR"}, "confidence": 0.9});
    let pending = spec.check("/v1/actions", "post", app.api_post("/v1/actions", k, &escalated.to_string()).await).await;
    assert!(pending["expires_at"].is_string());
    spec.check("/v1/actions", "post", app.api_post("/v1/actions", k, "{").await).await;
    spec.check("/v1/actions", "post", app.api_post("/v1/actions", k, &" ".repeat(3 << 20)).await).await;
    spec.check("/v1/actions", "post", app.api_post("/v1/actions", None, &ok.to_string()).await).await;
    spec.check("/v1/actions", "post", app.api_post("/v1/actions", k, r#"{"confidence": 1}"#).await).await;
    let replay = json!({"capability": "finance.refund.issue", "params": {"order_id": "B", "amount": 5, "currency": "EUR"}, "confidence": 0.9, "idempotency_key": "d-1"});
    spec.check("/v1/actions", "post", app.api_post("/v1/actions", k, &replay.to_string()).await).await;

    let id = answer["id"].as_i64().unwrap();
    spec.check("/v1/actions/{id}", "get", app.api_get(&format!("/v1/actions/{id}"), k).await).await;
    spec.check("/v1/actions/{id}", "get", app.api_get("/v1/actions/999999", k).await).await;
    spec.check("/v1/actions/{id}", "get", app.api_get(&format!("/v1/actions/{id}"), None).await).await;
    let bad_id = spec.check("/v1/actions/{id}", "get", app.api_get("/v1/actions/abc", k).await).await;
    assert_eq!(bad_id["error"]["field"], "id");
    let bad_wait =
        spec.check("/v1/actions/{id}", "get", app.api_get(&format!("/v1/actions/{id}?wait=soon"), k).await).await;
    assert_eq!(bad_wait["error"]["field"], "wait");
    spec.check("/v1/rollbacks", "get", app.api_get("/v1/rollbacks?wait=-1", k).await).await;
    spec.check("/v1/peer-checks/next", "get", app.api_get("/v1/peer-checks/next?wait=x", k).await).await;

    let result = "/v1/actions/{id}/result";
    let pending_id = pending["id"].as_i64().unwrap();
    let done = r#"{"status": "succeeded", "output": {"r": 1}, "undo": {"r": 1}}"#;
    spec.check(result, "post", app.api_post(&format!("/v1/actions/{pending_id}/result"), k, done).await).await;
    spec.check(result, "post", app.api_post(&format!("/v1/actions/{id}/result"), k, "{").await).await;
    spec.check(result, "post", app.api_post(&format!("/v1/actions/{id}/result"), k, r#"{"status": "x"}"#).await).await;
    spec.check(result, "post", app.api_post("/v1/actions/999999/result", k, done).await).await;
    spec.check(result, "post", app.api_post("/v1/actions/x/result", k, done).await).await;
    spec.check(result, "post", app.api_post(&format!("/v1/actions/{id}/result"), None, done).await).await;
    let reversible = spec.check(result, "post", app.api_post(&format!("/v1/actions/{id}/result"), k, done).await).await;
    assert_eq!(reversible["state"], "reversible");
    spec.check("/v1/rollbacks", "get", app.api_get("/v1/rollbacks", k).await).await;
    spec.check("/v1/rollbacks", "get", app.api_get("/v1/rollbacks", None).await).await;
    let rb = "/v1/actions/{id}/rollback-result";
    let undone = r#"{"status": "rolled_back"}"#;
    spec.check(rb, "post", app.api_post(&format!("/v1/actions/{id}/rollback-result"), k, undone).await).await;
    spec.check(rb, "post", app.api_post(&format!("/v1/actions/{id}/rollback-result"), k, r#"{"status": 1}"#).await)
        .await;
    let card = "/v1/agents/{id}/scorecard";
    let cards = spec.check(card, "get", app.api_get(&format!("/v1/agents/{me}/scorecard"), k).await).await;
    assert_eq!(cards["scorecards"][0]["all_time"]["counts"]["proposals"], 2, "{cards}");
    spec.check(card, "get", app.api_get("/v1/agents/99999/scorecard", k).await).await;
    spec.check(card, "get", app.api_get("/v1/agents/x/scorecard", k).await).await;
    let envelope = spec.check("/v1/envelope", "get", app.api_get("/v1/envelope", k).await).await;
    assert_eq!(envelope["capabilities"][0]["grant_id"].as_i64().map(|g| g > 0), Some(true), "{envelope}");
    spec.check("/v1/envelope", "get", app.api_get("/v1/envelope", None).await).await;
    let next = spec.check("/v1/peer-checks/next", "get", app.api_get("/v1/peer-checks/next", k).await).await;
    assert_eq!(next["task"], Value::Null);
    let verdict = "/v1/peer-checks/{id}/verdict";
    let v = r#"{"decision": "proceed", "params": {}, "confidence": 0.5}"#;
    spec.check(verdict, "post", app.api_post("/v1/peer-checks/999/verdict", k, v).await).await;
    spec.check(verdict, "post", app.api_post("/v1/peer-checks/999/verdict", k, r#"{"decision": 3}"#).await).await;
}

/// Every documented operation is served, and nothing else under `/v1` is: each other method of
/// a documented path is refused (405) with exactly the documented methods in `Allow`, and paths
/// beside the documented ones are unknown (404).
#[tokio::test]
async fn the_document_and_the_router_name_the_same_routes() {
    let app = spawn_app().await;
    let doc: Value = app.api_get("/v1/openapi.json", None).await.json().await.unwrap();
    let documented = server::api::openapi::operations(&doc);
    assert!(documented.len() >= 9, "{documented:?}");
    let client = reqwest::Client::new();
    // Each documented route is really served: without a key it is refused, not missing.
    for (method, path) in &documented {
        let url = format!("{}{}", app.base, path.replace("{id}", "1"));
        let res = client.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap();
        let expected = if path.ends_with("openapi.json") { 200 } else { 401 };
        assert_eq!(res.status().as_u16(), expected, "{method} {path}");
        // Every operation says it may fail for good (500) or for the moment (503, Retry-After).
        let responses = &doc["paths"][path][method.as_str()]["responses"];
        assert!(responses["500"].is_object(), "{method} {path} documents 500");
        assert!(responses["503"]["headers"]["Retry-After"].is_object(), "{method} {path} documents Retry-After");
    }
    // The other way round: whatever the router answers on is documented.
    let methods = ["get", "post", "put", "patch", "delete"];
    let paths: std::collections::BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in &paths {
        let takes: Vec<&str> = documented.iter().filter(|(_, p)| p == *path).map(|(m, _)| m.as_str()).collect();
        for method in methods.iter().filter(|m| !takes.contains(m)) {
            let url = format!("{}{}", app.base, path.replace("{id}", "1"));
            let res = client.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 405, "{method} {path} is served but not documented");
            let allow: Vec<String> = takes.iter().map(|m| m.to_uppercase()).collect();
            assert_eq!(res.headers()["allow"], allow.join(", ").as_str(), "{path}");
        }
        for beside in ["/zz/zz", "/zz/zz/zz"] {
            let url = format!("{}{}{beside}", app.base, path.replace("{id}", "1"));
            let res = client.get(&url).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 404, "GET {url} answers but is not documented");
        }
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_error_shape() {
    let app = spawn_app().await;
    for path in ["/v1", "/v1/nope", "/v1/actions/1/nope"] {
        let res = app.api_get(path, None).await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
        assert!(body["error"]["message"].as_str().unwrap().contains(path), "{body}");
    }
    let res = reqwest::Client::new().delete(format!("{}/v1/actions", app.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let res = app.api_post("/v1/actions/1", None, "{}").await;
    assert_eq!((res.status().as_u16(), res.headers()["allow"].to_str().unwrap()), (405, "GET"));
}
