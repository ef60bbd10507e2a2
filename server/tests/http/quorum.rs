//! Two-person approval over HTTP: a manager sets it on a template rule in the console, the
//! first reviewer's approval leaves the item waiting with who approved shown, the agent's owner
//! cannot count, and the second person's approval lets the agent run it.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_rule_set_in_the_console_needs_two_people() {
    let app = spawn_app().await;
    // The shared test template exists once an agent has a grant from it.
    app.agent_with_grant("first-bot", "finance.refund.issue", "contributor").await;
    let tpl = app.db.template_by_name("Test refunds").await.unwrap().unwrap();
    let mut olga = app.browser_as("olga", &["manager"]).await;
    let (id, version) = (tpl.id.to_string(), tpl.current_version.to_string());
    let mut rule = vec![
        ("template_id", id.as_str()),
        ("expected_version", version.as_str()),
        ("origin", "finance.refund.issue"),
        ("capability", "finance.refund.issue"),
        ("min_confidence", "0.8"),
        ("limits", "amount <= 200"),
        ("max_per_hour", ""),
        ("new_value_params", ""),
        ("approval_expiry_minutes", "60"),
        ("approvals_required", "9"),
        ("approvals_when", "context.params.amount > 100"),
    ];
    // Too many people: refused under the field, nothing saved.
    let res = app.post_form_on(&mut olga, &format!("/templates/{id}"), "/api/templates/rule", &rule).await;
    let page = app.get(&olga, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"data-field="finance.refund.issue/approvals_required""#), "the error sits under the field");
    assert!(page.contains(r#"value="9""#), "what was typed is kept");
    rule[9] = ("approvals_required", "2");
    let res = app.post_form(&mut olga, "/api/templates/rule", &rule).await;
    assert_eq!(res.status(), StatusCode::FOUND, "{}", location(&res));
    let page = app.get(&olga, &format!("/templates/{id}")).await.text().await.unwrap();
    assert!(page.contains("2 approvals from distinct people"), "the rule says it");

    let (_, key) = app.agent_with_grant("quorum-bot", "finance.refund.issue", "contributor").await;
    let body = json!({"capability": "finance.refund.issue", "confidence": 0.9,
        "params": {"order_id": "Q-1", "amount": 150, "currency": "EUR"}});
    let a: Value = app.api_post("/v1/actions", Some(&key), &body.to_string()).await.json().await.unwrap();
    let action = a["id"].as_i64().unwrap();
    let hash = app.db.action_by_id(action).await.unwrap().unwrap().action_hash;
    let sid = action.to_string();
    let form = [
        ("id", sid.as_str()),
        ("action_hash", hash.as_str()),
        ("verdict", "approve"),
        ("comment", ""),
        ("back", "/inbox"),
    ];

    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let mut rex = app.browser_as("rex", &["reviewer"]).await;
    let page = app.get(&rita, "/inbox").await.text().await.unwrap();
    assert!(page.contains("Needs 2 people") && page.contains("Approve (1 of 2)"));
    let res = app.post_form(&mut rita, "/api/inbox/review", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(app.db.action_by_id(action).await.unwrap().unwrap().state.as_str(), "needs_approval");
    let told: Value = app.api_get(&format!("/v1/actions/{action}"), Some(&key)).await.json().await.unwrap();
    assert_eq!(told["state"], "needs_approval", "the agent still waits");
    let page = app.get(&rex, "/inbox").await.text().await.unwrap();
    let at = page.find(r#"data-testid="quorum""#).expect("the quorum line");
    let line = &page[at..at + page[at..].find("</p>").unwrap()];
    assert!(line.contains("Approved so far") && line.contains("rita") && line.contains("1 more needed"), "{line}");
    assert!(page.contains("Approve (2 of 2)"));
    // Rita cannot be the second person.
    let res = app.post_api(&mut rita, "/api/inbox/review", &form).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app.post_form(&mut rex, "/api/inbox/review", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let told: Value = app.api_get(&format!("/v1/actions/{action}"), Some(&key)).await.json().await.unwrap();
    assert_eq!(told["state"], "approved");
    let kinds: Vec<String> =
        app.db.evidence_about("action", &sid, 10).await.unwrap().into_iter().map(|r| r.kind).collect();
    assert!(kinds.contains(&"action.approval_added".to_owned()) && kinds.contains(&"action.approved".to_owned()));
}
