//! The capability catalogue through the console's server functions.

use crate::common::{location, spawn_app};
use reqwest::StatusCode;

const SCHEMA: &str = r#"{"type":"object","required":["amount"],"properties":{"amount":{"type":"number"}}}"#;

#[tokio::test]
async fn managers_define_and_edit_capabilities_with_field_errors() {
    let app = spawn_app().await;
    let mut mona = app.browser_as("mona", &["manager"]).await;
    let form = [
        ("name", "billing.credit.issue"),
        ("description", "Refund a payment"),
        ("risk", "high"),
        ("reversible", "on"),
        ("undo_window_minutes", "1440"),
        ("params_schema", SCHEMA),
    ];
    let res = app.post_form(&mut mona, "/api/capabilities/define", &form).await;
    assert_eq!(location(&res), "/capabilities");
    let page = app.get(&mona, "/capabilities").await.text().await.unwrap();
    assert!(page.contains("added to the catalogue") && page.contains("1440 min"));

    let res = app.post_api(&mut mona, "/api/capabilities/define", &form).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let mut bad = form;
    bad[0] = ("name", "finance.payout");
    bad[5] = ("params_schema", r#"{"type": 5}"#);
    let res = app.post_api(&mut mona, "/api/capabilities/define", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(r#""field":"params_schema""#));

    let id = app.db.capability_by_name("billing.credit.issue").await.unwrap().unwrap().id.to_string();
    let page = app.get(&mona, &format!("/capabilities?edit={id}")).await.text().await.unwrap();
    assert!(page.contains(r#"id="edit-capability""#) && page.contains("&quot;amount&quot;"), "edit form is prefilled");
    let edit = [
        ("id", id.as_str()),
        ("description", "Refund"),
        ("risk", "medium"),
        ("undo_window_minutes", "60"),
        ("params_schema", ""),
    ];
    let res = app.post_form(&mut mona, "/api/capabilities/edit", &edit).await;
    assert_eq!(location(&res), "/capabilities");
    let cap = app.db.capability_by_name("billing.credit.issue").await.unwrap().unwrap();
    assert_eq!((cap.risk.as_str(), cap.reversibility.window_minutes(), cap.params_schema), ("medium", None, None));
}

#[tokio::test]
async fn reviewers_cannot_touch_the_catalogue() {
    let app = spawn_app().await;
    let mut rita = app.browser_as("rita", &["reviewer"]).await;
    let form =
        [("name", "a.b"), ("description", "x"), ("risk", "low"), ("undo_window_minutes", ""), ("params_schema", "")];
    assert_eq!(app.post_api(&mut rita, "/api/capabilities/define", &form).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.post_api(&mut rita, "/api/capabilities/list", &[]).await.status(), StatusCode::FORBIDDEN);
    assert!(app.db.capability_by_name("a.b").await.unwrap().is_none());
}

#[tokio::test]
async fn a_refused_capability_comes_back_with_its_schema() {
    let app = spawn_app().await;
    let mut admin = app.admin().await;
    let schema = r#"{"type": "object", "required": ["amount"], "properties": {"amount": {"type": "nmuber"}}}"#;
    let form = [
        ("name", "billing.credit.issue"),
        ("description", "Credit a customer"),
        ("risk", "high"),
        ("reversible", "on"),
        ("undo_window_minutes", "90"),
        ("params_schema", schema),
    ];
    let res = app.post_form_on(&mut admin, "/capabilities", "/api/capabilities/define", &form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(app.db.capability_by_name("billing.credit.issue").await.unwrap().is_none(), "refused");
    let page = app.get(&admin, &app.back_to(&res)).await.text().await.unwrap();
    assert!(page.contains(r#"value="billing.credit.issue""#) && page.contains(r#"value="Credit a customer""#));
    assert!(page.contains(r#"value="high" selected"#) && page.contains(r#"value="90""#));
    assert!(page.contains("&quot;nmuber&quot;") || page.contains(r#""nmuber""#), "the schema as typed, to fix");
}
