//! Forms that keep what was typed after an error, and keep it on a reload of the error page:
//! a shadow decision's edited params, the inbox's ticks and comment, a template's "copy as"
//! name (its error under its own form). Without the error in the URL none of it shows.

use crate::common::{TestApp, location, spawn_app};
use serde_json::{Value, json};

async fn ask(app: &TestApp, key: &str, amount: f64) -> (i64, String) {
    let body = json!({"capability": "finance.refund.issue", "confidence": 0.9,
        "params": {"order_id": "A-1", "amount": amount, "currency": "EUR"}});
    let a: Value = app.api_post("/v1/actions", Some(key), &body.to_string()).await.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    (id, app.db.action_by_id(id).await.unwrap().unwrap().action_hash)
}

#[tokio::test]
async fn a_shadow_decision_with_broken_json_keeps_the_edited_params() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("trial-bot", "finance.refund.issue", "observer").await;
    let (id, _) = ask(&app, &key, 10.0).await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let sid = id.to_string();
    let edited = r#"{"order_id": "A-1", "amount": 8,, "currency": "EUR"}"#;
    let form = [
        ("id", sid.as_str()),
        ("verdict", "reject"),
        ("params", edited),
        ("comment", "only part"),
        ("back", "/inbox?view=shadow"),
    ];
    let res = app.post_form_on(&mut rita, "/inbox?view=shadow", "/api/inbox/shadow", &form).await;
    let error_page = app.back_to(&res);
    for _ in 0..2 {
        let page = app.get(&rita, &error_page).await.text().await.unwrap();
        assert!(page.contains(&format!(r#"data-field="{id}/params""#)), "the error sits under the params");
        assert!(page.contains("&quot;amount&quot;: 8,,") || page.contains(r#""amount": 8,,"#), "the edit is kept");
        assert!(page.contains(r#"value="reject" checked"#), "the verdict is kept");
        assert!(page.contains("only part</textarea>"), "the comment is kept");
    }
    // Without the error, the agent's params come back.
    let plain = app.get(&rita, "/inbox?view=shadow").await.text().await.unwrap();
    assert!(!plain.contains("8,,") && !plain.contains(r#"value="reject" checked"#));
    assert!(plain.contains("&quot;amount&quot;: null") || plain.contains(r#""amount": null"#), "the names only, blind");
}

#[tokio::test]
async fn a_refused_bulk_decision_keeps_its_ticks_and_comment() {
    let app = spawn_app().await;
    let (_, key) = app.agent_with_grant("refund-bot", "finance.refund.issue", "contributor").await;
    let (a, ha) = ask(&app, &key, 10.0).await;
    let (_, _) = ask(&app, &key, 20.0).await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let tick = format!("{a}:{ha}");
    // Rejecting needs a comment: refused, and the tick and what was typed come back.
    let form = [("selected[0]", tick.as_str()), ("verdict", "reject"), ("comment", " "), ("back", "/inbox")];
    let res = app.post_form_on(&mut rita, "/inbox", "/api/inbox/review_selected", &form).await;
    let page = app.get(&rita, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"data-field="bulk/comment""#), "the error sits under the comment");
    assert!(page.contains(&format!(r#"value="{tick}" checked"#)), "the tick is kept");
    assert!(app.db.action_by_id(a).await.unwrap().unwrap().state.as_str() == "needs_approval", "nothing decided");
    let plain = app.get(&rita, "/inbox").await.text().await.unwrap();
    assert!(!plain.contains(&format!(r#"value="{tick}" checked"#)), "not without the error");
}

#[tokio::test]
async fn a_refused_copy_keeps_its_name_under_its_own_template() {
    let app = spawn_app().await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let finance = app.db.template_by_name("Finance analysis and refunds").await.unwrap().unwrap();
    let support = app.db.template_by_name("Support replies").await.unwrap().unwrap();
    let from = finance.id.to_string();
    // A name that exists already is refused, under the finance template's form.
    let form = [("from", from.as_str()), ("name", "Support replies")];
    let res = app.post_form_on(&mut mona, "/templates", "/api/templates/copy", &form).await;
    let page = app.get(&mona, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(&format!(r#"data-field="{from}/name""#)), "the error is under its own form");
    assert!(page.contains(&format!(r#"id="copy-{from}" name="name" value="Support replies""#)), "the name is kept");
    assert!(
        page.contains(&format!(r#"id="copy-{}" name="name" value="Support replies (copy)""#, support.id)),
        "others as they were"
    );
    let ok = app
        .post_form_on(
            &mut mona,
            "/templates",
            "/api/templates/copy",
            &[("from", from.as_str()), ("name", "EU refunds")],
        )
        .await;
    assert!(location(&ok).starts_with("/templates/"));
}
