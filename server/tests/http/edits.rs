//! Approving with edits over HTTP: the reviewer's changed params go to the agent, the agent can
//! run only those (not its own proposal), a refused edit comes back under its field with what
//! was typed, and only reviewers may do it.

use crate::common::{TestApp, location, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ask(app: &TestApp, key: &str, amount: f64) -> (i64, String) {
    let body = json!({"capability": "finance.refund.issue", "confidence": 0.9,
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"}});
    let a: Value = app.api_post("/v1/actions", Some(key), &body.to_string()).await.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    (id, app.db.action_by_id(id).await.unwrap().unwrap().action_hash)
}

fn edit_form<'a>(id: &'a str, hash: &'a str, params: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("id", id),
        ("action_hash", hash),
        ("verdict", "edit"),
        ("params", params),
        ("comment", "half of it was already refunded"),
        ("back", "/inbox"),
    ]
}

#[tokio::test]
async fn the_agent_receives_the_edited_params_and_cannot_run_its_own() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (id, hash) = ask(&app, &key, 150.0).await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let sid = id.to_string();

    // Over the template's limit (200) and above what was asked: refused under the params,
    // with the edit and the comment kept on the page (and on its reload).
    let too_much = r#"{"order_id": "A-1", "amount": 250, "currency": "EUR"}"#;
    let res = app.post_form_on(&mut rita, "/inbox", "/api/inbox/review", &edit_form(&sid, &hash, too_much)).await;
    let error_page = app.back_to(&res);
    for _ in 0..2 {
        let page = app.get(&rita, &error_page).await.text().await.unwrap();
        assert!(page.contains(&format!(r#"data-field="{id}/params""#)), "the error sits under the params");
        assert!(
            page.contains("above the template&#x27;s limit 200") || page.contains("above the template's limit 200")
        );
        assert!(page.contains("&quot;amount&quot;: 250") || page.contains(r#""amount": 250"#), "the edit is kept");
        assert!(page.contains("half of it was already refunded</textarea>"), "the comment is kept");
        assert!(page.contains(r#"<details open class="edit-approval""#), "the edit is open beside its error");
    }
    // An API-style caller gets the status and the field.
    let res = app.post_api(&mut rita, "/api/inbox/review", &edit_form(&sid, &hash, too_much)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("params"));
    assert_eq!(app.db.action_by_id(id).await.unwrap().unwrap().state.as_str(), "needs_approval");

    let half = r#"{"order_id": "A-1", "amount": 75, "currency": "EUR"}"#;
    let res = app.post_form(&mut rita, "/api/inbox/review", &edit_form(&sid, &hash, half)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/inbox");
    let notice = app.get(&rita, "/inbox").await.text().await.unwrap();
    assert!(notice.contains("approved with your changes"), "the reviewer is told what happened");

    let told: Value = app.api_get(&format!("/v1/actions/{id}"), Some(&key)).await.json().await.unwrap();
    assert_eq!(told["state"], "approved");
    assert_eq!(told["params"]["amount"], json!(75));
    assert_eq!(told["proposed_params"]["amount"], json!(150.0));
    assert_eq!(told["edit"][0]["path"], "/amount", "{told}");

    // Its own proposal is no longer approved; the edited params are.
    let own = json!({"status": "succeeded", "params": {"order_id": "A-1", "amount": 150, "currency": "EUR"}});
    let res = app.api_post(&format!("/v1/actions/{id}/result"), Some(&key), &own.to_string()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["field"], "params");
    let ran = json!({"status": "succeeded", "params": told["params"]});
    let res = app.api_post(&format!("/v1/actions/{id}/result"), Some(&key), &ran.to_string()).await;
    assert_eq!(res.status(), StatusCode::OK);

    // The action page shows both sides of the change.
    let page = app.get(&rita, &format!("/actions/{id}")).await.text().await.unwrap();
    assert!(page.contains(r#"data-testid="edited""#) && page.contains("<del>150") && page.contains("<ins>75<"));
    assert!(page.contains("with changes to amount"), "the trail says what changed");
}

#[tokio::test]
async fn only_reviewers_approve_with_edits() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (id, hash) = ask(&app, &key, 50.0).await;
    let mut olga = app.browser_as("olga", &["manager"]).await;
    let sid = id.to_string();
    let form = edit_form(&sid, &hash, r#"{"order_id": "A-1", "amount": 5, "currency": "EUR"}"#);
    let res = app.post_api(&mut olga, "/api/inbox/review", &form).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.db.action_by_id(id).await.unwrap().unwrap().state.as_str(), "needs_approval");
}
